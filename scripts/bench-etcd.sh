#!/usr/bin/env bash
# bench-etcd.sh [WATCHERS [ROUNDS [WARMUP]]]: etcd 3.4 put-to-watch latency.
# Starts a private single-member etcd on free loopback ports with a temporary
# data dir, waits for /health, runs ddc-bench-etcd against it, then stops
# that etcd (by its PID) and removes the data dir. Prints the tool's line:
#   etcd watchers=N rounds=R p50_us=X p99_us=Y max_us=Z
# The tool is $DDC_BIN/ddc-bench-etcd (default build/bin; built if missing).
set -euo pipefail

cd "$(dirname "$0")/.."

watchers="${1:-10}"
rounds="${2:-200}"
warmup="${3:-10}"
BIN="${DDC_BIN:-build/bin}"
TOOL="$BIN/ddc-bench-etcd"

if [ ! -x "$TOOL" ]; then
    make -s "build/bin/ddc-bench-etcd" >&2
    TOOL=build/bin/ddc-bench-etcd
fi
command -v etcd >/dev/null 2>&1 || { echo "bench-etcd: etcd not installed (scripts/deps.sh)" >&2; exit 1; }

# Two free loopback ports (bound then released: a tiny race, fine here).
read -r cport pport < <(/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
for s in ss: s.close()')

data=$(mktemp -d /tmp/ddc-bench-etcd.XXXXXX)
log="$data.log"
etcd_pid=""

cleanup() {
    if [ -n "$etcd_pid" ] && kill -0 "$etcd_pid" 2>/dev/null; then
        kill "$etcd_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$etcd_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$etcd_pid" 2>/dev/null || true
        wait "$etcd_pid" 2>/dev/null || true
    fi
    rm -rf "$data" "$log"
}
trap cleanup EXIT

curl_url="http://127.0.0.1:$cport"
peer_url="http://127.0.0.1:$pport"
etcd --name default --data-dir "$data" \
    --listen-client-urls "$curl_url" --advertise-client-urls "$curl_url" \
    --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
    --initial-cluster "default=$peer_url" --log-level warn \
    >"$log" 2>&1 </dev/null &
etcd_pid=$!

ok=0
for _ in $(seq 1 100); do
    if curl -sf --max-time 1 "$curl_url/health" 2>/dev/null | grep -q '"health":"true"'; then
        ok=1
        break
    fi
    kill -0 "$etcd_pid" 2>/dev/null || break
    sleep 0.1
done
if [ "$ok" != 1 ]; then
    echo "bench-etcd: etcd did not become healthy; its log:" >&2
    tail -n 20 "$log" >&2 || true
    exit 1
fi

"$TOOL" --endpoint "$curl_url" --watchers "$watchers" --rounds "$rounds" --warmup "$warmup"
