#!/usr/bin/env bash
# Run every libFuzzer target build/fuzz/fuzz_* (or only the NAMEs given:
# scripts/fuzz.sh [SECONDS [NAME...]]) for SECONDS each (default 60).
# Each target's corpus is build/fuzz/corpus/NAME, seeded from
# tests/fuzz/corpus/NAME when that exists; crash inputs land in
# build/fuzz/artifacts/NAME/ and each run's log in build/fuzz/NAME.log.
# Prints "ok NAME" / "FAIL NAME" per target and a final "N passed, N failed";
# exits non-zero when any target crashed (or none was found).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2

secs="${1:-60}"
case "$secs" in
    ''|*[!0-9]*) echo "usage: scripts/fuzz.sh SECONDS [NAME...]" >&2; exit 2 ;;
esac
shift || true
if [ "$#" -gt 0 ]; then
    bins=()
    for n in "$@"; do bins+=("build/fuzz/$n"); done
else
    bins=(build/fuzz/fuzz_*)
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

pass=0
fail=0
found=0
for bin in "${bins[@]}"; do
    { [ -f "$bin" ] && [ -x "$bin" ]; } || continue
    found=$((found + 1))
    name=$(basename "$bin")
    corpus="build/fuzz/corpus/$name"
    art="build/fuzz/artifacts/$name/"
    mkdir -p "$corpus" "$art"
    if [ -d "tests/fuzz/corpus/$name" ]; then
        cp -rn "tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
    fi
    log="build/fuzz/$name.log"
    echo "== fuzz: $name for ${secs}s"
    # Hard stop well after -max_total_time in case a target hangs in one input.
    timeout -k 10 $((secs + 120)) "$bin" -max_total_time="$secs" -max_len=65536 \
        -artifact_prefix="$art" -print_final_stats=1 "$corpus" </dev/null >"$log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then
        pass=$((pass + 1))
        echo "ok   $name ($(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') execs," \
             "$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')/s)"
    else
        fail=$((fail + 1))
        echo "FAIL $name (exit $rc, log $log)"
        grep -E 'ERROR: |SUMMARY: |Test unit written to|runtime error' "$log" | head -n 8 | sed 's/^/     /'
    fi
done

if [ "$found" -eq 0 ]; then
    echo "fuzz.sh: no targets in build/fuzz/fuzz_*"
    echo "0 passed, 0 failed"
    exit 1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
