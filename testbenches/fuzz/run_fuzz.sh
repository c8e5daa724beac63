#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets (testbenches/fuzz) with clang in build-fuzz and runs each for
# SECONDS (default 60) on a scratch copy of its seed corpus. Prints the executions per
# target; exits non-zero if any target crashed (the crashing input is kept in the scratch
# directory, named crash-*/leak-*/timeout-*, and its path printed).
#
#   testbenches/fuzz/run_fuzz.sh [SECONDS]
#
# Environment: BUILD_DIR (default <repo>/build-fuzz; an already configured directory is used
# as it is, e.g. CI's build-sanitize from scripts/sanitize), SCRATCH (default a mktemp dir),
# FUZZ_TARGETS (default "fuzz_model fuzz_script fuzz_scenario"), JOBS for the build,
# FUZZ_FLAGS: extra libFuzzer flags (e.g. "-fork=1 -ignore_timeouts=1" to keep going past a
# known hang; libFuzzer then still exits non-zero, and the inputs are kept).
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO/build-fuzz}"
TARGETS="${FUZZ_TARGETS:-fuzz_model fuzz_script fuzz_scenario}"

if ! command -v clang++ >/dev/null 2>&1; then
    echo "run_fuzz: clang++ not found, installing clang (apt)" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    $SUDO apt-get install -y clang
fi

GEN=()
if command -v ninja >/dev/null 2>&1; then GEN=(-G Ninja); fi
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    CC=clang CXX=clang++ cmake -S "$REPO" -B "$BUILD_DIR" "${GEN[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined"
fi
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" --target $TARGETS ${JOBS:+-j "$JOBS"}

SCRATCH="${SCRATCH:-$(mktemp -d -t vgic-fuzz.XXXXXX)}"
echo "run_fuzz: scratch directory $SCRATCH, $SECONDS_PER_TARGET s per target"

status=0
summary=""
for t in $TARGETS; do
    name="${t#fuzz_}"
    work="$SCRATCH/$t"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp -r "$HERE/corpus/$name/." "$work/corpus/"
    exe="$(find "$BUILD_DIR" -type f -name "$t" -perm -u+x | head -n1)"
    if [ -z "$exe" ]; then
        echo "run_fuzz: $t not built" >&2
        exit 2
    fi
    set +e
    # halt_on_error for UBSan: a report is a crash. -timeout: a single input running this
    # long is a hang.
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
        "$exe" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/artifacts/" ${FUZZ_FLAGS:-} "$work/corpus" >"$work/log.txt" 2>&1
    rc=$?
    set -e
    # "Done N runs" at a clean end; otherwise the last status line "#N ..." (fork mode too).
    execs="$(grep -Eo 'Done [0-9]+ runs' "$work/log.txt" | grep -Eo '[0-9]+' | tail -n1 || true)"
    if [ -z "$execs" ]; then
        execs="$(grep -Eo '^#[0-9]+' "$work/log.txt" | tail -n1 | tr -d '#' || true)"
    fi
    line="$t: ${execs:-?} executions, exit $rc"
    if [ $rc -ne 0 ]; then
        status=1
        line="$line -- CRASH: $(ls "$work/artifacts" | tr '\n' ' ') (log $work/log.txt)"
        grep -E 'ERROR|fuzz_[a-z]+:|runtime error' "$work/log.txt" | head -n 5 >&2 || true
    fi
    echo "$line"
    summary="$summary$line"$'\n'
done

echo "---- summary ----"
printf '%s' "$summary"
exit $status
