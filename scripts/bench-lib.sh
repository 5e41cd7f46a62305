# Sourced by the bench-*.sh scripts that start services and containers.
# bench_start NAME TAG sets, for this run:
#   tmp     a new temp folder /tmp/ddc-bench-NAME.XXXXXX
#   prefix  the name prefix of its containers (ddcbTAG-PID)
#   host    its Docker host name in the configuration (benchTAGPID)
#   pids    an empty list: append the PID of each process it starts
# and, at exit, stops those PIDs, removes the containers named prefix-* and
# the temp folder.

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
