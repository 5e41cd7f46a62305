#!/usr/bin/env bash
# Make the Debian bookworm base image TAG for the Dockerfile's build stage
# from the Debian archive, for machines that reach the archive but no
# container registry: mmdebstrap (variant apt: the essential packages and
# apt) piped into `docker import`. Does nothing when TAG exists.
# Usage: scripts/image-base.sh TAG
set -euo pipefail

TAG=${1:?usage: image-base.sh TAG}
if docker image inspect "$TAG" >/dev/null 2>&1; then
    exit 0
fi
command -v mmdebstrap >/dev/null 2>&1 || {
    echo "image-base: mmdebstrap is missing (scripts/deps.sh image)" >&2
    exit 1
}
echo "image-base: making $TAG from the Debian archive (mmdebstrap, about a minute)"
log=$(mktemp /tmp/ddc-image-base.XXXXXX)
trap 'rm -f "$log"' EXIT
if ! mmdebstrap --variant=apt --quiet bookworm - 2>"$log" \
        | docker import -c 'CMD ["bash"]' -m "Debian bookworm (mmdebstrap --variant=apt)" - "$TAG" >/dev/null; then
    echo "image-base: mmdebstrap or docker import failed:" >&2
    tail -n 20 "$log" >&2
    exit 1
fi
echo "image-base: $TAG ready"
