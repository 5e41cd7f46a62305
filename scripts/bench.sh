#!/usr/bin/env bash
# make bench: every benchmark, each against its reference in the same run.
# The propagation benchmark runs last: its last lines compare ddc with etcd
# at each count of subscribers and its median save with the disk's own
# durable append.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bench-docker.sh 50
scripts/bench-discord.sh
scripts/bench-web.sh
scripts/bench-stack.sh 50
scripts/bench-scale.sh ${BENCH_SCALE:-20 1000 100 20}
# The container image (built, or taken from Docker's layer cache), uncompressed.
scripts/image.sh >&2
size=$(docker image inspect -f '{{.Size}}' "${DDC_IMAGE:-ddc:latest}")
echo "image size_mb=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')"
scripts/bench-propagation.sh "${BENCH_ROUNDS:-200}"
