#!/usr/bin/env bash
# bench-discord.sh [SECONDS] [RATE]: ddc-discord under load, against the fake
# Discord of tests/fake-discord, with a real broker, a real ddc-docker and
# busybox containers. Prints:
#   discord-ack n=N rate=R p50_ms=X p99_ms=Y max_ms=Z
#       interaction-to-acknowledgement latency: from the moment the fake
#       sent INTERACTION_CREATE on the gateway to the moment the bot's
#       callback arrived (the fake's log, ms resolution), at RATE
#       interactions/s for SECONDS (default 15 s at 20/s): /ping, /help,
#       panel opens and refreshes, and container restarts/stops/starts, so
#       Docker actions are in flight the whole time.
#   discord-actions sent=N done=M
#       container actions started and finished (panel edited with a result).
#   discord-rss rss_kb=X own_kb=Y goal_kb=10240
#       the bot's resident memory after the run, once it let go of its
#       start-up pages, and the part that is its own (private dirty pages;
#       RSS also counts every page of the shared libraries it has mapped:
#       libcrypto, libstdc++ of libzmq, gnutls of curl...).
# Needs a Docker engine (started by scripts/ensure-dockerd.sh if missing),
# node (the fake) and the programs in $DDC_BIN (default build/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${1:-15}
RATE=${2:-20}
BIN=${DDC_BIN:-build/bin}
for p in ddc-broker ddc-docker ddc-discord; do
    [ -x "$BIN/$p" ] || { echo "bench-discord: $BIN/$p is missing (make first)" >&2; exit 2; }
done
scripts/ensure-dockerd.sh >/dev/null

. scripts/bench-lib.sh
bench_start discord d
token="bench-token.$$.abcdefghijklmnopqrstuvwxyz"

N=5
bench_containers "$N"

export DDC_BROKER="ipc://$tmp/ctl.sock"
"$BIN/ddc-broker" --data "$tmp/data" --ctl "$DDC_BROKER" --pub "ipc://$tmp/pub.sock" \
    2>"$tmp/broker.log" &
pids+=($!)
bench_fake_discord "$token" --heartbeat-interval 41250
for _ in $(seq 100); do
    "$BIN/ddc-ctl" ping >/dev/null 2>&1 && break
    sleep 0.1
done

bench_config "$BIN" "$N" "$token"

"$BIN/ddc-docker" --broker "$DDC_BROKER" --host "$host" --cache "$tmp/docker.cache" \
    --audit "$tmp/docker.audit" 2>"$tmp/docker.log" &
pids+=($!)
"$BIN/ddc-discord" --broker "$DDC_BROKER" --discord-api "$url/api" --state "$tmp/state.json" \
    --cache "$tmp/discord.cache" 2>"$tmp/discord.log" &
bot=$!
pids+=($bot)

/usr/bin/python3 - "$url" "$SECS" "$RATE" "$N" <<'EOF'
import json, sys, time, urllib.request
url, secs, rate, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
CTL = "1100000000000000201"

def c(name, body=None):
    req = urllib.request.Request(f"{url}/_control/{name}", data=json.dumps(body or {}).encode(),
                                 method="POST", headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        d = r.read()
        return json.loads(d) if d else None

def wait(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    sys.exit(f"bench-discord: timed out waiting for {what}")

def overview():
    for m in c("state")["messages"]:
        if m["channel_id"] == CTL and (m.get("embeds") or [{}])[0].get("title") == "Admin Overview" \
                and "🟢" in m["embeds"][0]["description"] \
                and m["embeds"][0]["description"].count("🟢") == n:
            return m
    return None

ov = wait(overview, 60, "the admin overview with every container running")
keys = [o["value"] for row in ov["components"] for comp in row["components"]
        for o in comp.get("options") or []]
# one panel per container, opened once (ephemeral messages with the buttons)
panels = {}
for k in keys:
    r = c("interaction", {"kind": "select", "custom_id": "ov:sel", "values": [k], "channel_id": CTL})
    panels[k] = r["id"]
time.sleep(1)
state = c("state")
pmsg = {k: next(i["original_message_id"] for i in state["interactions"] if i["id"] == v)
        for k, v in panels.items()}
c("reset-log")
import concurrent.futures, threading
sent = []
lock = threading.Lock()
actions = 0
refused = 0

def inject(body):
    global refused
    try:
        r = c("interaction", body)
        with lock:
            sent.append(r["id"])
        return r["id"]
    except Exception:           # a refused injection: counted, not measured
        with lock:
            refused += 1
        return None

def action(k):
    """A fresh panel for container k, then its restart button (a panel
    shows no buttons while its action runs)."""
    iid = inject({"kind": "select", "custom_id": "ov:sel", "values": [k], "channel_id": CTL})
    end = time.monotonic() + 5
    mid = None
    while iid and not mid and time.monotonic() < end:
        time.sleep(0.05)
        for i in c("state")["interactions"]:
            if i["id"] == iid and i["original_message_id"]:
                mid = i["original_message_id"]
    if mid:
        inject({"kind": "button", "custom_id": f"pn:restart:{k}", "message_id": mid,
                "channel_id": CTL})

# Each action is two interactions (a panel, then its button): the loop runs
# a little slower so that the whole comes to RATE a second.
total = int(secs * rate / 1.2)
loop_rate = rate / 1.2
pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
t0 = time.monotonic()
for i in range(total):
    at = t0 + i / loop_rate
    d = at - time.monotonic()
    if d > 0:
        time.sleep(d)
    k = keys[i % len(keys)]
    kind = i % 10
    if kind in (0, 5):
        # a Docker action (restart) every 5th interaction
        pool.submit(action, k)
        actions += 1
        continue
    elif kind in (1, 6):
        body = {"kind": "command", "name": "ping"}
    elif kind in (2, 7):
        body = {"kind": "button", "custom_id": f"pn:ref:{k}", "message_id": pmsg[k],
                "channel_id": CTL}
    elif kind == 3:
        body = {"kind": "command", "name": "help"}
    elif kind == 4:
        body = {"kind": "autocomplete", "name": "info", "value": "Box"}
    elif kind == 8:
        body = {"kind": "select", "custom_id": "ov:sel", "values": [k], "channel_id": CTL}
    else:
        body = {"kind": "command", "name": "info", "options": {"container": k}, "channel_id": CTL}
    pool.submit(inject, body)
pool.shutdown(wait=True)
elapsed = time.monotonic() - t0
time.sleep(3)
log = c("log")
resp = {e["id"]: e["ms_after_delivery"] for e in log if e["type"] == "interaction_response"}
lat = sorted(resp[i] for i in sent if i in resp)
missing = len([i for i in sent if i not in resp])
if not lat:
    sys.exit("bench-discord: no interaction was answered")
def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
print(f"discord-ack n={len(lat)} rate={len(sent) / elapsed:.1f} p50_ms={pct(50)} "
      f"p99_ms={pct(99)} max_ms={lat[-1]} unanswered={missing} refused={refused}")
print(f"discord-actions sent={actions}", end=" ")
EOF

sleep 2
echo "done=$(grep -c '"action":"restart"' "$tmp/docker.audit" 2>/dev/null || echo 0)"
bench_wait_let_go "$tmp/discord.log"
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$bot/status")
own=$(awk '/^Private_Dirty:/ {print $2}' "/proc/$bot/smaps_rollup")
echo "discord-rss rss_kb=$rss own_kb=$own goal_kb=10240"
