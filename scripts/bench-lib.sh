# Sourced by the bench-*.sh scripts that start services and containers.
# bench_start NAME TAG sets, for this run:
#   tmp     a new temp folder /tmp/ddc-bench-NAME.XXXXXX
#   prefix  the name prefix of its containers (ddcbTAG-PID)
#   host    its Docker host name in the configuration (benchTAGPID)
#   pids    an empty list: append the PID of each process it starts
# and, at exit, stops those PIDs, removes the containers named prefix-* and
# the temp folder.
# bench_wait_agent BIN HOST N waits up to 20 s until docker@HOST reports N
# containers with a memory figure, and prints how many it reports.

bench_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    docker ps -aq --filter "name=^${prefix}-" 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
    rm -rf "$tmp"
}

bench_start() {
    tmp=$(mktemp -d "/tmp/ddc-bench-$1.XXXXXX")
    prefix="ddcb$2-$$"
    host="bench$2$$"
    pids=()
    trap bench_cleanup EXIT
}

bench_wait_agent() {
    local have=0
    for _ in $(seq 200); do
        have=$("$1/ddc-ctl" containers "$2" --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
    h = next(iter(d.values()))
    print(sum(1 for c in h["status"]["containers"].values() if c.get("mem_bytes")))
except Exception:
    print(0)') || have=0
        [ "$have" -ge "$3" ] && break
        sleep 0.1
    done
    echo "$have"
}
