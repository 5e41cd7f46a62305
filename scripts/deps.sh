#!/usr/bin/env bash
# Install every Debian package that building, `make test`, `make run`,
# `make bench` and `make fuzz` need, and the npm packages of tests/ if it has
# a package.json. Idempotent: when everything is present it only runs
# dpkg-query and exits, without touching the network.
set -euo pipefail

cd "$(dirname "$0")/.."

PKGS=(
    # build
    build-essential pkg-config clang llvm libclang-rt-14-dev
    libzmq3-dev libczmq-dev libcjson-dev libcurl4-openssl-dev
    libwebsockets-dev libsodium-dev libssl-dev kore
    # runtime
    tzdata ca-certificates curl jq iproute2 procps
    etcd-server etcd-client docker.io busybox-static nginx-light
    # tests and benchmarks
    python3 python3-pytest python3-zmq chromium nodejs npm wrk
)

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
    echo "deps.sh: all ${#PKGS[@]} Debian packages present"
fi

# npm packages for browser tests (playwright-core drives Debian's chromium;
# never let it download a browser of its own).
if [ -f tests/package.json ] && [ ! -d tests/node_modules/playwright-core ]; then
    echo "deps.sh: npm install --prefix tests"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix tests \
        --no-audit --no-fund </dev/null
fi
