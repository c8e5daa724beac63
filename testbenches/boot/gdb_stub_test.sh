#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `vgic-sim boot --gdb` against Debian's gdb-multiarch in batch mode (docs/BOOT.md, "Debugging").
# usage: gdb_stub_test.sh session|hostile VGIC_SIM IMAGE WORK_DIR
#   session: break at main, continue, registers, memory, stepi, info threads (one per CPU),
#            continue to the end: the run ends with the image's own exit status.
#   hostile: a second stub on the same port is refused (status 2); bad checksums, malformed
#            and oversized packets are refused; the client then disconnects mid-session and the
#            run goes on to the image's own exit status.
# Exit 77 (skipped) without gdb-multiarch or aarch64-linux-gnu-nm.
set -u
mode=$1 sim=$2 image=$3 work=$4
cpus=2
fail() { echo "FAIL: $*"; [ -n "${sim_pid:-}" ] && kill "$sim_pid" 2>/dev/null; exit 1; }

gdb=$(command -v gdb-multiarch) || { echo "gdb-multiarch not found: install gdb-multiarch (scripts/common.sh does) to run this test"; exit 77; }
nm=$(command -v aarch64-linux-gnu-nm) || { echo "aarch64-linux-gnu-nm not found (binutils-aarch64-linux-gnu)"; exit 77; }
[ -f "$image" ] || { echo "$image not built (aarch64-linux-gnu-gcc missing?): skipped"; exit 77; }
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"

# The image's own exit status, without a debugger.
"$sim" boot "$image" --cpus $cpus --quiet >"$work/ref.out" 2>&1
ref=$?
echo "reference run: exit status $ref"

# Starts the stub on any free port (--gdb 0) and reads the port it reports.
start_stub() {
    "$sim" boot "$image" --cpus $cpus --gdb 0 --max-time 2s >"$work/sim.out" 2>"$work/sim.err" &
    sim_pid=$!
    port=
    for _ in $(seq 1 200); do
        port=$(sed -n 's/.*waiting for GDB on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/sim.err" | head -n 1)
        [ -n "$port" ] && break
        kill -0 "$sim_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$work/sim.err"; fail "the stub did not report its port"; }
    echo "stub listening on port $port"
}

# Waits (at most 120 s) for the simulator and checks its exit status.
finish_stub() {
    for _ in $(seq 1 1200); do
        kill -0 "$sim_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$sim_pid" 2>/dev/null && { kill "$sim_pid"; fail "the simulator did not finish"; }
    wait "$sim_pid"
    status=$?
    sim_pid=
    echo "simulator exit status $status"
    [ "$status" -eq "$ref" ] || { cat "$work/sim.err"; fail "exit status $status, the image's own is $ref"; }
}

case "$mode" in
session)
    main=$("$nm" "$image" | awk '$3 == "main" { print $1 }')
    [ -n "$main" ] || fail "no symbol main in $image"
    main=$((16#$main))
    start_stub
    timeout 120 "$gdb" -batch -nx -ex 'set architecture aarch64' -ex "file $image" -ex "target remote :$port" \
        -ex 'break main' -ex continue -ex 'info registers pc' -ex 'x/4xw $pc' -ex stepi -ex 'info registers pc' \
        -ex 'info threads' -ex continue >"$work/gdb.out" 2>&1
    echo "gdb exit status $?"
    cat "$work/gdb.out"
    finish_stub
    grep -q "hit Breakpoint 1, main ()" "$work/gdb.out" || fail "the breakpoint at main was not reported"
    pcs=($(awk '$1 == "pc" { print $2 }' "$work/gdb.out"))
    [ ${#pcs[@]} -eq 2 ] || fail "expected two 'info registers pc' answers, got ${#pcs[@]}"
    [ $((pcs[0])) -eq $main ] || fail "stopped at ${pcs[0]}, main is $(printf 0x%x $main)"
    # The first instruction's word (x/4xw), and where a step must lead: B/BL to their target,
    # anything else (main starts with no other branch) to the next instruction.
    word=$(awk -v a="$(printf '0x%x' $main)" '$1 == a || $1 == a ":" { for (i = 2; i <= NF; i++) if ($i ~ /^0x/) { print $i; exit } }' "$work/gdb.out")
    [ -n "$word" ] || fail "no x/4xw line at main"
    word=$((word))
    if [ $(((word >> 26) & 0x1f)) -eq 5 ]; then
        imm=$((word & 0x3ffffff))
        [ $imm -ge $((1 << 25)) ] && imm=$((imm - (1 << 26)))
        next=$((main + 4 * imm))
    else
        next=$((main + 4))
    fi
    [ $((pcs[1])) -eq $next ] || fail "stepi went to ${pcs[1]}, expected $(printf 0x%x $next)"
    threads=$(grep -cE '^\*? +[0-9]+ +Thread [0-9]+ \(cpu[0-9]+' "$work/gdb.out")
    [ "$threads" -eq $cpus ] || fail "info threads lists $threads threads for $cpus CPUs"
    if [ "$ref" -eq 0 ]; then
        grep -q "exited normally" "$work/gdb.out" || fail "gdb did not see the run end"
    else
        grep -q "exited with code $(printf '%02o' "$ref")" "$work/gdb.out" || fail "gdb did not see exit status $ref"
    fi
    echo "PASS: breakpoint at main $(printf 0x%x $main), step to $(printf 0x%x $next), $threads threads, exit status $status"
    ;;
hostile)
    start_stub
    # The port is taken: a second stub says so and exits 2.
    "$sim" boot "$image" --gdb "$port" >"$work/second.out" 2>&1
    second=$?
    [ $second -eq 2 ] || fail "a second stub on port $port exited $second, expected 2"
    grep -q "cannot listen on 127.0.0.1:$port" "$work/second.out" || fail "no precise message for the port in use"
    "$sim" boot "$image" --gdb 70000 >"$work/bad.out" 2>&1
    [ $? -eq 2 ] || fail "--gdb 70000 was not refused with status 2"
    exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect"
    # bad checksum; malformed m; an oversized packet; garbage; a packet cut off by a new one.
    big=$(head -c 20000 /dev/zero | tr '\0' 'a')
    printf '$g#00$mzz,4#%s$%s#00junk\x01\xff$m40080000$?#3f' \
        "$(printf 'mzz,4' | od -An -tu1 | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%02x", s % 256 }')" \
        "$big" >&3
    reply=$(timeout 10 dd bs=1 count=28 <&3 2>/dev/null | tr -d '\0')
    echo "replies: $reply"
    case "$reply" in
    -+\$E16#*) ;;
    *) fail "unexpected replies to bad packets: $reply" ;;
    esac
    # Disconnect mid-session: the run goes on without the debugger.
    exec 3<&-
    finish_stub
    grep -q "the run goes on without the debugger" "$work/sim.err" || fail "the disconnect was not reported"
    echo "PASS: port in use refused, bad packets refused, the run survived the disconnect with status $status"
    ;;
*)
    fail "unknown mode $mode"
    ;;
esac
