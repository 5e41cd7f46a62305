#!/usr/bin/env bash
# Install the Debian packages (and, for the tests, the npm packages of tests/)
# that one or more groups need:
#   build  compiling ddc (also the Dockerfile's build stage)
#   run    build + what `make run` uses to start it
#   test   run + image + what `make test` needs (pytest, Chromium, node,
#          a Docker engine, docker-compose)
#   bench  run + image + the references `make bench` compares against
#   fuzz   build + clang's libFuzzer
#   image  what `make image` needs: a Docker engine, and mmdebstrap to make
#          the Debian base image where no registry can be reached
# Usage: scripts/deps.sh [GROUP...]; no group = every group (CI). Idempotent:
# when everything is present it only runs dpkg-query and exits, without
# touching the network.
set -euo pipefail

cd "$(dirname "$0")/.."

BUILD=(build-essential pkg-config libzmq3-dev libczmq-dev libcjson-dev libcurl4-openssl-dev
       libwebsockets-dev libsodium-dev libssl-dev zlib1g-dev kore tzdata ca-certificates patch)
RUN=(curl)
IMAGE=(docker.io mmdebstrap)
TEST=(python3 python3-pytest python3-zmq python3-cryptography chromium nodejs npm busybox-static jq iproute2 procps
      docker-compose clang-format)
BENCH=(etcd-server etcd-client busybox-static nginx-light wrk)
FUZZ=(clang llvm libclang-rt-14-dev)

groups=("$@")
[ "${#groups[@]}" -eq 0 ] && groups=(build run test bench fuzz image)

PKGS=()
npm_wanted=0
for g in "${groups[@]}"; do
    case "$g" in
        build) PKGS+=("${BUILD[@]}") ;;
        run)   PKGS+=("${BUILD[@]}" "${RUN[@]}") ;;
        test)  PKGS+=("${BUILD[@]}" "${RUN[@]}" "${IMAGE[@]}" "${TEST[@]}"); npm_wanted=1 ;;
        bench) PKGS+=("${BUILD[@]}" "${RUN[@]}" "${IMAGE[@]}" "${BENCH[@]}") ;;
        fuzz)  PKGS+=("${BUILD[@]}" "${FUZZ[@]}") ;;
        image) PKGS+=("${IMAGE[@]}") ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "deps.sh: unknown group '$g' (build, run, test, bench, fuzz, image)" >&2; exit 2 ;;
    esac
done
# Each package once, in the order first named.
mapfile -t PKGS < <(printf '%s\n' "${PKGS[@]}" | awk '!seen[$0]++')

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "deps.sh: not root and no sudo: cannot install packages" >&2
        exit 1
    fi
fi

have_pkg() {
    case "$1" in
        # NodeSource's nodejs bundles npm and Conflicts/Provides: npm, so the
        # Debian npm package is never "installed" there: the command counts.
        npm) command -v npm >/dev/null 2>&1 && return 0 ;;
    esac
    local st
    st=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
    [ "$st" = "install ok installed" ]
}

missing=()
for p in "${PKGS[@]}"; do
    have_pkg "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "deps.sh: installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -q
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
    echo "deps.sh: all ${#PKGS[@]} Debian packages of ${groups[*]} present"
fi

# npm packages for browser tests (playwright-core drives Debian's chromium;
# never let it download a browser of its own; axe-core checks each page's
# accessibility).
if [ "$npm_wanted" = 1 ] && [ -f tests/package.json ] \
   && { [ ! -d tests/node_modules/playwright-core ] || [ ! -d tests/node_modules/axe-core ]; }; then
    echo "deps.sh: npm install --prefix tests"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix tests \
        --no-audit --no-fund </dev/null
fi
