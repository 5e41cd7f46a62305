#!/usr/bin/env bash
# make image: build the ddc image from the Dockerfile.
#   DDC_IMAGE       the tag (default ddc:latest)
#   DDC_IMAGE_BASE  the build stage's base image. Default: the official
#                   debian:bookworm-slim when Docker has it, else
#                   ddc-base:bookworm, made here from the Debian archive
#                   (scripts/image-base.sh) when missing.
# The build context is what a clean checkout holds (git's tracked and
# untracked, not ignored files), so local builds never leak in. The build
# runs with --network host: apt-get in the build stage must reach the
# Debian archive even on an engine without a bridge network.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${DDC_IMAGE:-ddc:latest}
BASE=${DDC_IMAGE_BASE:-}
if [ -z "$BASE" ]; then
    if docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
        BASE=debian:bookworm-slim
    else
        BASE=ddc-base:bookworm
        scripts/image-base.sh "$BASE"
    fi
fi

build=(docker build --network host --build-arg "BASE=$BASE" -t "$IMAGE")
echo "image: building $IMAGE on $BASE"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard \
        | tar --null --files-from=- --ignore-failed-read --warning=no-failed-read -c \
        | "${build[@]}" -
else
    "${build[@]}" .
fi
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
echo "image: $IMAGE $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }') MB"
