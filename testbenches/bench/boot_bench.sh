#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vgic-sim boot speed (docs/PERFORMANCE.md, "vgic-sim boot"): cross-builds three
# micro-benchmark images (testbenches/bench/boot/: ALU loop, GICD loads, CNTVCT reads) and
# runs each, then the whole guest-test suite (testbenches/guest, every image at 4 CPUs on
# v2/v3 x hw/vm); prints guest instructions, the simulation's wall time (sc_start, from the
# summary) and the process's, and the rates. Usage: boot_bench.sh [BUILD_DIR] (default build).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
sim="$build/platforms/vgic-sim"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for b in alu mmio sysreg; do
    aarch64-linux-gnu-gcc -march=armv8-a -nostdlib -nostartfiles -static -fno-pie -no-pie \
        -I"$root/platforms/boot/include" -T "$root/testbenches/guest/runtime/guest.ld" \
        -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments \
        -o "$work/$b.elf" "$root/testbenches/bench/boot/$b.S"
done
# run NAME ARGS...: one line of the table.
run() {
    local name="$1"; shift
    local t0 t1 line
    t0=$(date +%s.%N)
    line=$("$sim" boot "$@" 2>&1 >/dev/null | grep "guest instructions" || true)
    t1=$(date +%s.%N)
    echo "$line" | sed -E 's/.*guest instructions ([0-9]+), wall ([0-9.]+) s.*/\1 \2/' |
        awk -v n="$name" -v p="$(echo "$t1 - $t0" | bc)" '{printf "%-34s %12d %9.3f %9.3f %9.1f %9.1f\n", n, $1, $2, p, $1/$2/1e6, $1/p/1e6}'
}
printf "%-34s %12s %9s %9s %9s %9s\n" "run" "instructions" "sim s" "process s" "M/s sim" "M/s proc"
run "alu, quantum 1us" "$work/alu.elf"
run "alu, quantum 10us" "$work/alu.elf" --quantum 10us
run "alu, quantum 100ns" "$work/alu.elf" --quantum 100ns
run "mmio (1M GICD loads), v2 hw" "$work/mmio.elf"
run "mmio (1M GICD loads), v3 vm" "$work/mmio.elf" --gic v3 --mode vm
run "sysreg (1M CNTVCT), v2 hw" "$work/sysreg.elf"
suite="$work/suite.txt"
: > "$suite"
for t in bringup sgi timer spi priority eoimode deactivate; do
    for g in v2 v3; do
        for m in hw vm; do
            run "$t $g $m" "$build/testbenches/guest/$t.elf" --cpus 4 --gic "$g" --mode "$m" --max-time 2s >> "$suite"
        done
    done
done
awk '{i+=$(NF-4); s+=$(NF-3); p+=$(NF-2)} END {printf "%-34s %12d %9.3f %9.3f %9.1f %9.1f\n", "guest-test suite (28 runs, 4 CPUs)", i, s, p, i/s/1e6, i/p/1e6}' "$suite"
