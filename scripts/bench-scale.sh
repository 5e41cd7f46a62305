#!/usr/bin/env bash
# bench-scale.sh [AGENTS] [CONTAINERS] [RUNNING] [ROUNDS]: ddc at scale: a
# broker, AGENTS ddc-docker agents (default 20, hosts HOST-1..HOST-AGENTS,
# all on this machine's one Docker engine, each owning its own share of
# the containers: container i belongs to host (i-1) % AGENTS + 1, carries
# the label ddc.bench.host=HOST-k and the agent of HOST-k runs with
# --label ddc.bench.host=HOST-k, so it lists, follows and reports only
# its own CONTAINERS/AGENTS), with
# CONTAINERS real busybox containers in all (default 1000; created, and
# the first RUNNING of them, default 100, running: a running container
# costs the engine a shim process and a stats read every interval), the
# bot against the fake Discord of tests/fake-discord and the web UI
# signed in and following its live view (/events). Prints
#   scale agents=A containers=N real=N running=R
#   scale ctl-containers p50_ms=X max_ms=Y docker_list_ms=Z ratio=X/Z goal_ms=100
#       `ddc-ctl containers` (every host, all N containers; process start
#       included), 10 times, against one raw list of the same engine's
#       containers (`curl --unix-socket ... /containers/json?all=1`, also a
#       process start and the list): median and largest.
#   scale config-applied services=S rounds=ROUNDS p50_ms=X p99_ms=Y max_ms=Z ctl_ping_ms=P ratio=Y/P
#       a change to the containers section (one display name, saved with
#       `ddc-ctl set containers`) applied by every service that follows it
#       (the agents, the bot and ddc-web: each one's "client: applied
#       containers rev" log line, ms stamps), ROUNDS times (default 20),
#       from the harness's clock before it starts ddc-ctl to the last
#       service's line. The reference: `ddc-ctl ping` in the same run
#       (a ddc-ctl start and one round trip to the broker), the floor
#       under any change made with ddc-ctl.
#   scale config-cpu_ms per_change broker=X agent=Y bot=Z web=W all=T
#       the CPU time (user and system, /proc/PID/stat) each service spent
#       per change over those rounds: the broker, an agent (their mean),
#       the bot, ddc-web (both processes); all: every process of the
#       stack, all the agents included (the agents' own reporting during
#       the rounds included too, about 0.5 ms a second each).
#   scale broker cpu_ms_per_s=X rss_kb=Y pss_kb=Z window_s=10
#   scale agent cpu_ms_per_s=X rss_kb=Y pss_kb=Z   (the mean of the agents)
#       CPU time used per second of wall time over 10 s with every agent
#       reporting (stats every 10 s), and memory after it.
#   scale stack pss_kb=X goal_kb=40960 ratio=X/40960 all_agents_pss_kb=T processes=P
#       the proportional set size (/proc/PID/smaps_rollup) of the stack as
#       one host carries it: the broker, the bot, both processes of ddc-web
#       and one agent (the agents' mean; each host runs its own); T: every
#       process here, all the agents included, as this one machine carries
#       them (the agents share their libraries' pages).
#   scale docker-change rounds=ROUNDS p50_ms=X max_ms=Y
#   scale state-to-web rounds=ROUNDS p50_ms=X max_ms=Y from_event_p50_ms=E from_event_max_ms=F
#   scale state-to-discord rounds=ROUNDS p50_ms=X max_ms=Y from_event_p50_ms=E from_event_max_ms=F
#       a running container killed (`docker kill`) or started again
#       (`docker start`), alternately, ROUNDS times: from the harness's
#       clock before the docker command to the event on the web UI's
#       /events stream (a whole view, or a patch with the row) that shows
#       the new state, and to the bot's status
#       overview in the fake Discord showing it (polled every 20 ms);
#       from_event: from the time Docker stamped on the container's die or
#       start event instead (what ddc adds); docker-change: from the
#       command to that stamp (what Docker took).
#   scale discord-overview messages=M containers_shown=S of=N
#       how many messages the bot's status overview takes and how many of
#       the containers they show.
#   scale web-containers bytes=B rows=W containers_shown=S of=N ddc_rps=X nginx_rps=Y ratio=X/Y goal=0.5
#       the signed-in containers page (/containers: W table rows, S of the
#       N containers named in it) under `wrk -t1 -c8 -d3s --timeout 30s`
#       against nginx serving the bytes ddc-web sent, as a file, with the
#       same security headers (as bench-web.sh; median of 3 interleaved
#       runs). Each agent reports only its own containers in its
#       inventory (its label scope); the page lists each Docker id once
#       (under the host that configures it), so it shows the configured
#       containers (compact rows past 50) and at most one page of 50
#       found but not configured ones. When ddc-web refuses to build a page over its 8 MB bound,
#       the line says page=refused instead.
# Needs a Docker engine (started by scripts/ensure-dockerd.sh if missing),
# node (the fake), curl, nginx, wrk and the programs in $DDC_BIN (default
# build/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

AGENTS=${1:-20}
N=${2:-1000}
RUNNING=${3:-100}
ROUNDS=${4:-20}
BIN=${DDC_BIN:-build/bin}
for p in ddc-broker ddc-ctl ddc-docker ddc-discord ddc-web; do
    [ -x "$BIN/$p" ] || { echo "bench-scale: $BIN/$p is missing (make first)" >&2; exit 2; }
done
[ "$RUNNING" -ge 1 ] && [ "$RUNNING" -le "$N" ] && [ "$AGENTS" -ge 1 ] \
    || { echo "bench-scale: needs 1 <= RUNNING <= CONTAINERS and AGENTS >= 1" >&2; exit 2; }
scripts/ensure-dockerd.sh >/dev/null

. scripts/bench-lib.sh
bench_start scale c
fail() { echo "bench-scale: $*" >&2; exit 1; }
token="bench-token.$$.abcdefghijklmnopqrstuvwxyz"

bench_containers "$N" "$RUNNING" "$AGENTS"
real=$(docker ps -aq --filter "name=^${prefix}-" | wc -l)
echo "scale agents=$AGENTS containers=$N real=$real running=$RUNNING"

bench_fake_discord "$token"
export DDC_BROKER="ipc://$tmp/ctl.sock"
"$BIN/ddc-broker" --data "$tmp/data" --ctl "$DDC_BROKER" --pub "ipc://$tmp/pub.sock" \
    2>"$tmp/broker.log" &
broker=$!
pids+=($broker)
for _ in $(seq 100); do "$BIN/ddc-ctl" ping >/dev/null 2>&1 && break; sleep 0.05; done
bench_config "$BIN" "$N" "$token" "$AGENTS"
echo '{"stats_interval_seconds":10,"stop_timeout_seconds":1}' | "$BIN/ddc-ctl" set docker - >/dev/null
password="Bench-Password-$$"
echo "$password" | "$BIN/ddc-ctl" passwd >/dev/null 2>&1

for k in $(seq 1 "$AGENTS"); do
    "$BIN/ddc-docker" -v --broker "$DDC_BROKER" --host "$host-$k" --label "ddc.bench.host=$host-$k" \
        --cache "$tmp/docker-$k.cache" --audit "$tmp/docker-$k.audit" 2>"$tmp/docker-$k.log" &
    pids+=($!)
done
"$BIN/ddc-discord" -v --broker "$DDC_BROKER" --discord-api "$url/api" --state "$tmp/state.json" \
    --cache "$tmp/discord.cache" 2>"$tmp/discord.log" &
pids+=($!)
port=$(bench_free_port)
"$BIN/ddc-web" -v -v --broker "$DDC_BROKER" --listen "127.0.0.1:$port" --instance bench --pidfile "$tmp/web.pid" \
    >"$tmp/web.out" 2>"$tmp/web.log" &
pids+=($!)

/usr/bin/python3 - "$BIN" "$tmp" "$url" "$host" "$prefix" "$port" "$AGENTS" "$N" "$RUNNING" \
    "$ROUNDS" "$password" "$broker" "${pids[*]}" <<'EOF' || fail "the measurements stopped (exit status $?)"
import glob, http.client, json, os, re, subprocess, sys, threading, time, urllib.request
sys.path.insert(0, "scripts")
from bench_lib import children, comm, cpu_ms, med, mem, p99, sign_in, stamp_ms
(BIN, tmp, url, host, prefix, port, agents, n, running, rounds, password, broker,
 pids) = sys.argv[1:14]
port, agents, n, running, rounds, broker = (int(port), int(agents), int(n), int(running),
                                            int(rounds), int(broker))
pids = [int(p) for p in pids.split()]

def fail(why):
    sys.exit(f"bench-scale: {why}")

def now_ms():
    return time.time() * 1000

def ctl(*args, stdin=None):
    return subprocess.run([f"{BIN}/ddc-ctl", *args], input=stdin, capture_output=True,
                          timeout=30, check=True).stdout

def wait(pred, secs, what):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    fail(f"timed out waiting for {what}")

# Every agent connected and every container reported with its state, the
# running ones with their memory.
def reported():
    try:
        d = json.loads(ctl("containers", "--json"))
    except (subprocess.SubprocessError, ValueError):
        return False
    states = [c for h in d.values() for c in ((h.get("status") or {}).get("containers") or {}).values()
              if c.get("state")]
    mem = [c for c in states if c.get("mem_bytes")]
    return len(d) >= agents and len(states) >= n and len(mem) >= running
wait(reported, 300, f"{n} containers reported by {agents} agents")

# ddc-ctl containers against one raw list of the engine's containers.
def timed(cmd):
    t = now_ms()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, timeout=30)
    return now_ms() - t
ctl_t, raw_t = [], []
for _ in range(10):
    ctl_t.append(timed([f"{BIN}/ddc-ctl", "containers"]))
    raw_t.append(timed(["curl", "-sf", "--unix-socket", "/var/run/docker.sock",
                        "http://d/containers/json?all=1"]))
print(f"scale ctl-containers p50_ms={med(ctl_t):.1f} max_ms={max(ctl_t):.1f} "
      f"docker_list_ms={med(raw_t):.1f} ratio={med(ctl_t) / med(raw_t):.2f} goal_ms=100",
      flush=True)

# A change to containers, applied by every service that follows it.
APPLIED = re.compile(r"client: applied containers rev (\d+)")
logs = sorted(glob.glob(f"{tmp}/docker-*.log")) + [f"{tmp}/discord.log", f"{tmp}/web.log"]
offsets = {f: os.path.getsize(f) for f in logs}
def applied_at(rev):
    """Per log, the stamp of the first line applying rev or later."""
    at = {}
    for f in logs:
        with open(f, errors="replace") as lf:
            lf.seek(offsets[f])
            for line in lf:
                m = APPLIED.search(line)
                if m and int(m.group(1)) >= rev and stamp_ms(line):
                    at[f] = stamp_ms(line)
                    break
    return at
conf = json.loads(ctl("get", "containers"))
value = conf.get("value", conf)
stack = [p for p in pids if comm(p).startswith("ddc-")]
stack += [c for p in stack if comm(p) == "ddc-web" for c in children(p)]
c0 = {p: cpu_ms(p) for p in stack}
ping_t, lat = [], []
for r in range(rounds):
    ping_t.append(timed([f"{BIN}/ddc-ctl", "ping"]))
    offsets = {f: os.path.getsize(f) for f in logs}
    value[-1]["display_name"] = f"Box {n} round {r}"
    t0 = now_ms()
    out = ctl("set", "containers", "-", stdin=json.dumps(value).encode())
    rev = json.loads(out)["rev"]
    end = time.monotonic() + 30
    while True:
        at = applied_at(rev)
        if len(at) == len(logs):
            break
        if time.monotonic() > end:
            fail(f"rev {rev} not applied by {sorted(set(logs) - set(at))}")
        time.sleep(0.02)
    lat.append(max(at.values()) - t0)
print(f"scale config-applied services={len(logs)} rounds={rounds} p50_ms={med(lat):.0f} "
      f"p99_ms={p99(lat):.0f} max_ms={max(lat):.0f} ctl_ping_ms={med(ping_t):.1f} "
      f"ratio={p99(lat) / med(ping_t):.1f}", flush=True)
spent = {p: (cpu_ms(p) - c0[p]) / rounds for p in stack}
def per_change(name):
    ps = [p for p in stack if comm(p) == name]
    return sum(spent[p] for p in ps) / max(len(ps), 1)
print(f"scale config-cpu_ms per_change broker={spent[broker]:.1f} "
      f"agent={per_change('ddc-docker'):.1f} bot={per_change('ddc-discord'):.1f} "
      f"web={sum(spent[p] for p in stack if comm(p) == 'ddc-web'):.1f} "
      f"all={sum(spent.values()):.1f}", flush=True)

# CPU and memory with every agent reporting.
agent_pids = [p for p in stack if comm(p) == "ddc-docker"]
if len(agent_pids) != agents:
    fail(f"found {len(agent_pids)} agents, not {agents}")
WINDOW = 10
c0 = {p: cpu_ms(p) for p in stack}
t = time.monotonic()
time.sleep(WINDOW)
secs = time.monotonic() - t
cpu = {p: (cpu_ms(p) - c0[p]) / secs for p in stack}
m = {p: mem(p) for p in stack}
print(f"scale broker cpu_ms_per_s={cpu[broker]:.1f} rss_kb={m[broker]['Rss']} "
      f"pss_kb={m[broker]['Pss']} window_s={WINDOW}")
print(f"scale agent cpu_ms_per_s={sum(cpu[p] for p in agent_pids) / agents:.1f} "
      f"rss_kb={sum(m[p]['Rss'] for p in agent_pids) // agents} "
      f"pss_kb={sum(m[p]['Pss'] for p in agent_pids) // agents}")
total = sum(x["Pss"] for x in m.values())
agent_pss = sum(m[p]["Pss"] for p in agent_pids) // agents
one_host = total - sum(m[p]["Pss"] for p in agent_pids) + agent_pss
print(f"scale stack pss_kb={one_host} goal_kb=40960 ratio={one_host / 40960:.2f} "
      f"all_agents_pss_kb={total} processes={len(stack)}", flush=True)

# A container's state change, to the web UI's live view and to Discord.
try:
    cookie = sign_in(port, password)
except RuntimeError as e:
    fail(str(e))
with open(f"{tmp}/cookie", "w") as f:
    f.write(cookie)
target = f"{prefix}-1"
web_state = {"state": None, "at": 0.0}
cond = threading.Condition()
def follow():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("GET", "/events", headers={"Cookie": cookie, "Accept": "text/event-stream"})
    r = c.getresponse()
    if r.status != 200:
        fail(f"GET /events answered {r.status}")
    while True:
        line = r.fp.readline()
        if not line:
            print("bench-scale: the web UI's live view (/events) closed", file=sys.stderr)
            return
        if not line.startswith(b"data: "):
            continue
        t = now_ms()
        # a whole view ("view"), or what changed ("patch": a host's section
        # with its rows, or single rows)
        msg = json.loads(line[6:])
        rows = [x for h in (msg.get("view") or {}).get("hosts") or []
                for x in h.get("containers") or []]
        for h in msg.get("hosts") or []:
            rows += (h.get("view") or {}).get("containers") or []
            rows += [x.get("view") or {} for x in h.get("rows") or []]
        for row in rows:
            if row.get("name") == target:
                with cond:
                    if row.get("state") != web_state["state"]:
                        web_state.update(state=row.get("state"), at=t)
                        cond.notify_all()
threading.Thread(target=follow, daemon=True).start()

def fake_state():
    req = urllib.request.Request(f"{url}/_control/state", data=b"{}", method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())
def overview_lines():
    """The lines of the bot's messages in the status channel, and how many."""
    msgs = [m for m in fake_state()["messages"] if m.get("channel_id") == "1100000000000000200"]
    text = json.dumps([m.get("embeds") or [] for m in msgs], ensure_ascii=False)
    return text.split("\\n"), len(msgs)
def overview_line():
    """The line of the status overview that shows Box 1."""
    return next((l for l in overview_lines()[0] if re.search(r"\bBox 1\b", l)), None)

with cond:
    if not cond.wait_for(lambda: web_state["state"] == "running", 30):
        fail(f"the web UI's live view never showed {target} running")
wait(overview_line, 60, "the bot's overview showing Box 1")
def docker_event_ms(since_ms, action):
    """The time Docker stamped on target's first event ACTION after since_ms."""
    out = subprocess.run(["docker", "events", "--since", f"{since_ms / 1000:.3f}",
                          "--until", f"{now_ms() / 1000:.3f}", "--filter", f"container={target}",
                          "--filter", f"event={action}", "--format", "{{.TimeNano}}"],
                         capture_output=True, text=True, timeout=30, check=True).stdout.split()
    return int(out[0]) / 1e6 if out else None
to_web, to_discord, ev_web, ev_discord, by_docker = [], [], [], [], []
for r in range(rounds):
    want = "exited" if r % 2 == 0 else "running"
    emoji = "\U0001F534" if want == "exited" else "\U0001F7E2"
    t0 = now_ms()
    subprocess.run(["docker", "kill" if want == "exited" else "start", target],
                   stdout=subprocess.DEVNULL, check=True, timeout=30)
    with cond:
        if not cond.wait_for(lambda: web_state["state"] == want and web_state["at"] > t0, 30):
            fail(f"the web UI did not show {target} {want}")
        at_web = web_state["at"]
    end = time.monotonic() + 60
    while True:
        line = overview_line()
        if line is not None and emoji in line:
            at_discord = now_ms()
            break
        if time.monotonic() > end:
            fail(f"the overview did not change for {target} {want}")
        time.sleep(0.02)
    ev = docker_event_ms(t0 - 1000, "die" if want == "exited" else "start")
    if ev is None:
        fail(f"Docker recorded no event for {target} {want}")
    to_web.append(at_web - t0)
    to_discord.append(at_discord - t0)
    ev_web.append(at_web - ev)
    ev_discord.append(at_discord - ev)
    by_docker.append(ev - t0)
lines, msgs = overview_lines()
shown = len({m for l in lines for m in re.findall(r"\bBox (\d+)\b", l)})
print(f"scale discord-overview messages={msgs} containers_shown={shown} of={n}")
print(f"scale docker-change rounds={rounds} p50_ms={med(by_docker):.0f} max_ms={max(by_docker):.0f}")
for name, v, e in (("web", to_web, ev_web), ("discord", to_discord, ev_discord)):
    print(f"scale state-to-{name} rounds={rounds} p50_ms={med(v):.0f} max_ms={max(v):.0f} "
          f"from_event_p50_ms={med(e):.0f} from_event_max_ms={max(e):.0f}")
sys.stdout.flush()
EOF

# The web containers page with every container, against nginx serving the
# same bytes.
cookie=$(cat "$tmp/cookie")
mkdir -p "$tmp/www"
st=$(curl -s -o "$tmp/www/containers.html" -D "$tmp/containers.headers" -w '%{http_code}' \
    -H "Cookie: $cookie" "http://127.0.0.1:$port/containers") || fail "GET /containers failed (curl $?)"
[ "$st" = 200 ] || fail "GET /containers answered $st, not 200"
shown=$( (grep -o "$prefix-[0-9]*" "$tmp/www/containers.html" || true) | sort -u | wc -l)
rows=$( (grep -o "<tr" "$tmp/www/containers.html" || true) | wc -l)
bytes=$(stat -c %s "$tmp/www/containers.html")
if [ "$shown" -eq 0 ]; then
    # ddc-web refused to build the page ("too large to show")
    echo "scale web-containers bytes=$bytes rows=$rows containers_shown=0 of=$N page=refused"
    exit 0
fi
bench_nginx "$(command -v nginx || echo /usr/sbin/nginx)" "$tmp/containers.headers" containers.html
rates=$(BENCH_WRK_TIMEOUT=30 bench_compare_rps "http://127.0.0.1:$port/containers" \
    "http://127.0.0.1:$nport/containers.html" 3 3)
read -r d n <<<"$rates"
echo "scale web-containers bytes=$bytes rows=$rows containers_shown=$shown of=$N ddc_rps=$d" \
    "nginx_rps=$n ratio=$(awk -v a="$d" -v b="$n" 'BEGIN { printf "%.2f", a / b }') goal=0.5"
