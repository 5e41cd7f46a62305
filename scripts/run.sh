#!/usr/bin/env bash
# make run: start the whole ddc system in the foreground with its data in
# ./data (created with a working default on first start), print where to
# look, and stop every started service (by PID) on Ctrl-C or SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${DDC_BIN:-$PWD/build/bin}
DATA=${DDC_DATA:-$PWD/data}
LOGS="$DATA/logs"
mkdir -p "$DATA" "$LOGS"
chmod 700 "$DATA"
DATA=$(cd "$DATA" && pwd)
CTL="ipc://$DATA/ctl.sock"
export DDC_BROKER="$CTL"

pids=()
names=()
stop_all() {
    trap - INT TERM
    echo
    echo "stopping ddc..."
    local keys=("${!pids[@]}")
    for ((k=${#keys[@]}-1; k>=0; k--)); do   # last started, first stopped
        kill -TERM "${pids[${keys[$k]}]}" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    echo "stopped."
    exit 0
}
trap stop_all INT TERM

start() {   # start NAME ARGS...: a service in the background, logging to data/logs
    local name=$1; shift
    "$@" >>"$LOGS/$name.log" 2>&1 &
    pids+=($!)
    names+=("$name")
    echo "  started $name (pid $!), log: $LOGS/$name.log"
}

echo "ddc: starting in $DATA"
start ddc-broker "$BIN/ddc-broker" --data "$DATA"
for _ in $(seq 100); do
    [ -S "$DATA/ctl.sock" ] && break
    if ! kill -0 "${pids[0]}" 2>/dev/null; then
        echo "ddc-broker did not start:"; tail -5 "$LOGS/ddc-broker.log"; exit 1
    fi
    sleep 0.05
done

# One Docker agent for this machine, as host "local", when Docker answers.
DOCKER_SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
docker_note="not started: no Docker engine answers on $DOCKER_SOCK"
if curl -sf --max-time 2 --unix-socket "$DOCKER_SOCK" http://d/_ping >/dev/null 2>&1; then
    start ddc-docker "$BIN/ddc-docker" --host local --docker-socket "$DOCKER_SOCK" \
        --cache "$DATA/docker-local.cache.json" --audit "$DATA/docker-local.audit.log"
    docker_note="docker@local on $DOCKER_SOCK (containers with \"host\": \"local\")"
fi

# The Discord bot: it takes its token and guild from the live bot section
# and waits (status "waiting_for_token") until one is set.
start ddc-discord "$BIN/ddc-discord" --instance main \
    --cache "$DATA/discord.cache.json" --state "$DATA/discord.state.json"

# The web UI: the first visit asks for the one-time setup code that the
# broker writes to $DATA/web-setup-code (and logs), then for a new password.
WEB_LISTEN=${DDC_WEB_LISTEN:-127.0.0.1:9374}
start ddc-web "$BIN/ddc-web" --listen "$WEB_LISTEN" --instance main \
    --pidfile "$DATA/ddc-web.pid"

cat <<MSG

ddc is running.
  configuration  $DATA/config.json (edit it, or use ddc-ctl: changes are live)
  broker         $CTL
  status         DDC_BROKER=$CTL $BIN/ddc-ctl status
  follow changes DDC_BROKER=$CTL $BIN/ddc-ctl watch
  docker agent   $docker_note
  containers     DDC_BROKER=$CTL $BIN/ddc-ctl containers
  discord bot    discord@main: set bot.token and bot.guild_id (see README) and it connects
  web UI         http://$WEB_LISTEN/ (setup code in $DATA/web-setup-code)
  logs           $LOGS/
Press Ctrl-C to stop.
MSG

# Stay in the foreground; report a service that dies.
while true; do
    for i in "${!pids[@]}"; do
        if ! kill -0 "${pids[$i]}" 2>/dev/null; then
            wait "${pids[$i]}" 2>/dev/null && rc=0 || rc=$?
            echo "${names[$i]} exited (status $rc); last log lines:"
            tail -5 "$LOGS/${names[$i]}.log" || true
            unset "pids[$i]"
        fi
    done
    [ ${#pids[@]} -eq 0 ] && exit 1
    sleep 1
done
