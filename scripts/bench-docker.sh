#!/usr/bin/env bash
# bench-docker.sh [CONTAINERS]: ddc-docker against Docker itself, in one run.
#   docker-status containers=50 ddc_ms=X raw_ms=Y ratio=X/Y
#       `ddc-ctl containers HOST --json` (status of every container, as the
#       agent keeps it) against one raw list call on the Docker socket
#       (curl --unix-socket .../containers/json?all=1); medians of 21 runs,
#       interleaved, each a new process.
#   docker-action ddc_ms=X cli_ms=Y ratio=X/Y
#       `ddc-ctl action HOST/NAME restart` against `docker restart -t 1 NAME`
#       (the agent also stops with t=1 here); medians of 5, interleaved.
#   docker-agent containers=50 rss_kb=X own_kb=Y goal_kb=8192
#       the agent's resident memory after its stats sampled them all and
#       it let go of its start-up pages, and the part that is its own
#       (private dirty pages).
# Needs a Docker engine (started by scripts/ensure-dockerd.sh if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-50}
BIN=${DDC_BIN:-build/bin}
SOCK=/var/run/docker.sock
scripts/ensure-dockerd.sh >/dev/null

. scripts/bench-lib.sh
bench_start docker ""

for i in $(seq 1 "$N"); do
    docker run -d --network none --name "$prefix-$i" ddc-busybox sleep 100000 >/dev/null
done

export DDC_BROKER="ipc://$tmp/ctl.sock"
"$BIN/ddc-broker" --data "$tmp/data" --ctl "$DDC_BROKER" --pub "ipc://$tmp/pub.sock" 2>"$tmp/broker.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$tmp/ctl.sock" ] && break; sleep 0.05; done

# Configure all N containers for this host, restarts allowed, stop with t=1.
/usr/bin/python3 - "$prefix" "$host" "$N" >"$tmp/containers.json" <<'PY'
import json, sys
prefix, host, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(json.dumps([{"host": host, "name": f"{prefix}-{i}", "allowed_actions": ["start", "stop", "restart"]}
                  for i in range(1, n + 1)]))
PY
"$BIN/ddc-ctl" set containers "$tmp/containers.json" >/dev/null
echo '{"stats_interval_seconds": 2, "stop_timeout_seconds": 1}' | "$BIN/ddc-ctl" set docker - >/dev/null

"$BIN/ddc-docker" --host "$host" --cache "$tmp/agent.cache" --audit "$tmp/agent.audit" 2>"$tmp/agent.log" &
agent=$!
pids+=("$agent")

# Wait until the agent reports every container with a memory figure.
have=$(bench_wait_agent "$BIN" "$host" "$N")
[ "$have" -ge "$N" ] || { echo "bench-docker: the agent reported only $have of $N containers" >&2; exit 1; }

ms() {  # ms CMD...: wall time of one run in milliseconds
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {m = a[int((NR + 1) / 2)]; printf "%.1f", m / 1000}'; }

: >"$tmp/ddc.status"; : >"$tmp/raw.status"
for _ in $(seq 21); do
    ms "$BIN/ddc-ctl" containers "$host" --json >>"$tmp/ddc.status"
    ms curl -sf --unix-socket "$SOCK" "http://d/v1.41/containers/json?all=1" >>"$tmp/raw.status"
done
d=$(median <"$tmp/ddc.status"); r=$(median <"$tmp/raw.status")
echo "docker-status containers=$N ddc_ms=$d raw_ms=$r ratio=$(awk -v a="$d" -v b="$r" 'BEGIN { printf "%.2f", a / b }')"

: >"$tmp/ddc.action"; : >"$tmp/cli.action"
for _ in $(seq 5); do
    ms "$BIN/ddc-ctl" action "$host/$prefix-1" restart >>"$tmp/ddc.action"
    ms docker restart -t 1 "$prefix-2" >>"$tmp/cli.action"
done
d=$(median <"$tmp/ddc.action"); c=$(median <"$tmp/cli.action")
echo "docker-action ddc_ms=$d cli_ms=$c ratio=$(awk -v a="$d" -v b="$c" 'BEGIN { printf "%.2f", a / b }')"

sleep 3   # one more stats round over every container
bench_wait_let_go "$tmp/agent.log"
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$agent/status")
# RSS counts every touched page of the shared libraries (libcrypto alone,
# pulled in by Debian's libcurl, is about 3 MB); the agent's own memory
# (heap, stacks, written data) is its private dirty part.
own=$(awk '/^Private_Dirty:/ {print $2}' "/proc/$agent/smaps_rollup")
echo "docker-agent containers=$N rss_kb=$rss own_kb=$own goal_kb=8192"
