#!/usr/bin/env bash
# bench-propagation.sh [ROUNDS]: ddc save-to-applied latency against etcd 3.4
# put-to-watch latency, at 1, 10, 100 and 1000 subscribers/watchers, in one
# run. Both sides write durably (ddc: its journal's direct O_DSYNC write,
# config.json written when saves pause; etcd: its WAL fsync) on the same
# disk, and both are measured by one
# single-threaded client process that issues the write and times every
# subscriber/watcher. First, the floor under both: the disk's own cost of
# one durable append (ddc-bench-disk: write a 512-byte record to a growing
# file and fdatasync it, every 20 ms; and the same record written in place
# into a preallocated file, flushed with fdatasync, and with a direct
# O_DSYNC write of its 4 KiB block, as ddc's journal does) on the
# filesystem of the broker's data folder. Prints a line per side and
# count, then
#   disk fdatasync p50_us=X p99_us=Y ... in_place_p50_us=X in_place_p99_us=Y
#     direct_p50_us=X direct_p99_us=Y
#   propagation subscribers=N ddc_p99_us=X etcd_p99_us=Y ratio=X/Y
#     disk_p99_us=D floor=D/Y null_p99_us=U null_floor=U/Y
#     ddc_over_null_us=X-U   (each N)
#   propagation subscribers=1 ddc_p50_us=X disk_fdatasync_p50_us=Y multiple=X/Y
#     in_place_p50_us=Z in_place_multiple=X/Z direct_p50_us=W null_p50_us=V
# the last: the median save at 1 subscriber in durable appends (goal <= 3).
# floor: the ratio a service would reach whose save cost nothing but its one
# flush, from the disk's own p99 measured again right before each count's
# ddc run (the disk's latency comes in slow phases: a ratio goal below the
# floor cannot be met on that disk, however fast the service).
# null_floor: the ratio of a null ZeroMQ broker (ddc-bench-null: a ROUTER
# and a PUB that flush each message in place and forward it, and nothing
# else), run right after ddc at each count: the least a save can take
# through ZeroMQ's I/O threads and one flush on this machine;
# ddc_over_null_us: what ddc adds to it at the p99.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-200}
BIN=${DDC_BIN:-build/bin}
tmp=$(mktemp -d /tmp/ddc-bench-prop.XXXXXX)
broker_pid=""
cleanup() {
    if [ -n "$broker_pid" ]; then
        kill "$broker_pid" 2>/dev/null || true
        wait "$broker_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

COUNTS="${BENCH_SUBSCRIBERS:-1 10 100 1000}"
disk=$("$BIN/ddc-bench-disk" --dir "$tmp" --rounds "$ROUNDS")
echo "$disk"
disk_p50=$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$disk")
in_place_p50=$(sed -n 's/.* in_place_p50_us=\([0-9]*\).*/\1/p' <<<"$disk")
direct_p50=$(sed -n 's/.* direct_p50_us=\([0-9-]*\).*/\1/p' <<<"$disk")

declare -A ddc_p99 ddc_p50 etcd_p99 disk_p99 null_p99 null_p50
for n in $COUNTS; do
    line=$("$BIN/ddc-bench-disk" --dir "$tmp" --rounds "$ROUNDS")
    disk_p99[$n]=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$line")
    rm -rf "$tmp/data"
    "$BIN/ddc-broker" --data "$tmp/data" --ctl "ipc://$tmp/ctl.sock" --pub "ipc://$tmp/pub.sock" \
        >"$tmp/broker.log" 2>&1 &
    broker_pid=$!
    for _ in $(seq 100); do [ -S "$tmp/ctl.sock" ] && break; sleep 0.05; done
    line=$("$BIN/ddc-bench" --broker "ipc://$tmp/ctl.sock" --subs "$n" --rounds "$ROUNDS")
    echo "$line"
    ddc_p99[$n]=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$line")
    ddc_p50[$n]=$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$line")
    kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true; broker_pid=""

    line=$("$BIN/ddc-bench-null" --dir "$tmp" --subs "$n" --rounds "$ROUNDS")
    echo "$line"
    null_p99[$n]=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$line")
    null_p50[$n]=$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$line")

    line=$(DDC_BIN=$BIN scripts/bench-etcd.sh "$n" "$ROUNDS")
    echo "$line"
    etcd_p99[$n]=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$line")
done
for n in $COUNTS; do
    ratio=$(awk -v a="${ddc_p99[$n]}" -v b="${etcd_p99[$n]}" 'BEGIN { printf "%.3f", a / b }')
    floor=$(awk -v a="${disk_p99[$n]}" -v b="${etcd_p99[$n]}" 'BEGIN { printf "%.3f", a / b }')
    null_floor=$(awk -v a="${null_p99[$n]}" -v b="${etcd_p99[$n]}" 'BEGIN { printf "%.3f", a / b }')
    echo "propagation subscribers=$n ddc_p99_us=${ddc_p99[$n]} etcd_p99_us=${etcd_p99[$n]} ratio=$ratio disk_p99_us=${disk_p99[$n]} floor=$floor null_p99_us=${null_p99[$n]} null_floor=$null_floor ddc_over_null_us=$((ddc_p99[$n] - null_p99[$n]))"
done
if [ -n "${ddc_p50[1]:-}" ]; then
    multiple=$(awk -v a="${ddc_p50[1]}" -v b="$disk_p50" 'BEGIN { printf "%.1f", a / b }')
    in_place=$(awk -v a="${ddc_p50[1]}" -v b="$in_place_p50" 'BEGIN { printf "%.1f", a / b }')
    echo "propagation subscribers=1 ddc_p50_us=${ddc_p50[1]} disk_fdatasync_p50_us=$disk_p50 multiple=$multiple goal=3 in_place_p50_us=$in_place_p50 in_place_multiple=$in_place direct_p50_us=$direct_p50 null_p50_us=${null_p50[1]}"
fi
