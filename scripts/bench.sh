#!/usr/bin/env bash
# make bench: every benchmark, each against its reference in the same run.
# The propagation benchmark runs last: its last lines compare ddc with etcd
# at each count of subscribers and its median save with the disk's own
# durable append.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
# A part that fails says so and the others still run; make bench exits
# non-zero at the end when any failed.
failed=()
part() {
    "$@" || {
        local rc=$?
        echo "bench: FAILED (exit status $rc): $*" >&2
        failed+=("$1")
    }
}
part scripts/bench-docker.sh 50
part scripts/bench-discord.sh
part scripts/bench-web.sh
part scripts/bench-stack.sh 50
# shellcheck disable=SC2086 # the counts are words
part scripts/bench-scale.sh ${BENCH_SCALE:-20 1000 100 20}
# The container image (built, or taken from Docker's layer cache), uncompressed.
image_size() {
    scripts/image.sh >&2 || return
    local size
    size=$(docker image inspect -f '{{.Size}}' "${DDC_IMAGE:-ddc:latest}") || return
    echo "image size_mb=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')"
}
part image_size
part scripts/bench-propagation.sh "${BENCH_ROUNDS:-200}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "bench: ${#failed[@]} part(s) failed: ${failed[*]}" >&2
    exit 1
fi
