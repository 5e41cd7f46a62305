#!/usr/bin/env bash
# bench-stack.sh [CONTAINERS] [ROUNDS]: the whole stack as it runs: a broker,
# one ddc-docker with CONTAINERS (default 50) busybox containers, ddc-discord
# connected to the fake Discord of tests/fake-discord and ddc-web with a
# signed-in page view. Prints
#   start service=NAME ready_ms=X max_ms=Y exec_ms=E ratio=X/E rounds=R
#       (broker, docker, discord, web, discord-gateway)
#   start stack ready_ms=X max_ms=Y exec_ms=E ratio=X/E rounds=R goal_ms=1000
#       The stack started at once (the broker, then at once the three
#       services, as `docker compose up` does) from a data folder that
#       holds the configuration, ROUNDS times (default 5; median and
#       largest). A service's time runs from the harness's clock just
#       before it forks the service to the time stamp (ms) of the log line
#       the service writes when it is ready: for the broker "listening"
#       (configuration loaded, both sockets bound); for the others
#       "configuration in sync" / "configuration synced" (connected, every
#       followed section applied and APPLIED sent to the broker). The bot's
#       gateway ("gateway: ready as", Discord's READY) is its own line, not
#       part of the bot's readiness: it depends on Discord (the fake here,
#       with IDENTIFY allowed every 100 ms instead of 5 s). The stack's time
#       runs from the broker's fork to the last service's line. The
#       reference, exec_ms, measured in the same rounds: the same program
#       run with --version, from fork to exit (exec and the loader linking
#       the same shared libraries: what any start costs before the service
#       does anything); for the stack, the slowest of the four.
#   stack service=NAME pss_kb=X rss_kb=Y private_kb=Z   (each service)
#   stack pss_kb=X containers=N goal_kb=15360 ratio=X/15360
#       The proportional set size (/proc/PID/smaps_rollup: each page shared
#       by K processes counts 1/K in each, so the sum is what the stack
#       costs the machine) of every process of the stack (ddc-web: Kore's
#       parent and its worker) after the last round: every container
#       reported with its memory, the bot's overview posted, the web
#       dashboard and containers page loaded once signed in, and once
#       each process has let go of the program and library pages only its
#       start used (10 s after it, services/lib/ddc_pages.h). Together with
#       the shared libraries' pages; the fake Discord and Docker are not
#       counted. With BENCH_SMAPS=DIR each process's /proc/PID/smaps
#       is kept there as NAME.I.smaps (I: 0 the service, 1 Kore's worker),
#       to see where the memory is, mapping by mapping.
# Needs a Docker engine (started by scripts/ensure-dockerd.sh if missing),
# node (the fake), curl and the programs in $DDC_BIN (default build/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-50}
ROUNDS=${2:-5}
BIN=${DDC_BIN:-build/bin}
for p in ddc-broker ddc-ctl ddc-docker ddc-discord ddc-web; do
    [ -x "$BIN/$p" ] || { echo "bench-stack: $BIN/$p is missing (make first)" >&2; exit 2; }
done
scripts/ensure-dockerd.sh >/dev/null

. scripts/bench-lib.sh
bench_start stack s
fail() { echo "bench-stack: $*" >&2; exit 1; }
token="bench-token.$$.abcdefghijklmnopqrstuvwxyz"

bench_containers "$N"

bench_fake_discord "$token" --identify-interval 100

# The configuration, written through a broker that then stops: the timed
# starts find it in the data folder.
export DDC_BROKER="ipc://$tmp/ctl.sock"
"$BIN/ddc-broker" --data "$tmp/data" --ctl "$DDC_BROKER" --pub "ipc://$tmp/pub.sock" \
    2>"$tmp/setup-broker.log" &
setup_broker=$!
for _ in $(seq 100); do "$BIN/ddc-ctl" ping >/dev/null 2>&1 && break; sleep 0.05; done
bench_config "$BIN" "$N" "$token"
password="Bench-Password-$$"
echo "$password" | "$BIN/ddc-ctl" passwd >/dev/null 2>&1
kill "$setup_broker"; wait "$setup_broker" 2>/dev/null || true

port=$(bench_free_port)
/usr/bin/python3 - "$BIN" "$tmp" "$url" "$host" "$port" "$ROUNDS" "$N" "$password" <<'EOF'
import http.client, json, os, signal, subprocess, sys, time, urllib.request
sys.path.insert(0, "scripts")
from bench_lib import children, med, mem, sign_in, stamp_ms
BIN, tmp, url, host, port, rounds, n, password = sys.argv[1:9]
rounds, n, port = int(rounds), int(n), int(port)
broker_ep = f"ipc://{tmp}/ctl.sock"
CMDS = {
    "broker": [f"{BIN}/ddc-broker", "--data", f"{tmp}/data", "--ctl", broker_ep,
               "--pub", f"ipc://{tmp}/pub.sock"],
    "docker": [f"{BIN}/ddc-docker", "--broker", broker_ep, "--host", host,
               "--cache", f"{tmp}/docker.cache", "--audit", f"{tmp}/docker.audit"],
    "discord": [f"{BIN}/ddc-discord", "--broker", broker_ep, "--discord-api", f"{url}/api",
                "--state", f"{tmp}/state.json", "--cache", f"{tmp}/discord.cache"],
    "web": [f"{BIN}/ddc-web", "--broker", broker_ep, "--listen", f"127.0.0.1:{port}",
            "--instance", "bench", "--pidfile", f"{tmp}/web.pid"],
}
READY = {"broker": " info: listening: ", "docker": " info: configuration in sync",
         "discord": " info: configuration in sync", "web": " info: configuration synced at revision",
         "discord-gateway": " info: gateway: ready as "}
ORDER = ["broker", "docker", "discord", "web"]
def start_stack(r):
    procs, t0 = {}, {}
    for name in ORDER:
        log = open(f"{tmp}/{name}.{r}.log", "w")
        t0[name] = time.time() * 1000
        procs[name] = subprocess.Popen(CMDS[name], stderr=log, stdout=subprocess.DEVNULL)
        log.close()
    return procs, t0

def ready_at(r, deadline):
    """The stamp of each service's ready line, waiting up to deadline."""
    at = {}
    while time.monotonic() < deadline:
        for name in list(READY):
            if name in at:
                continue
            f = name if name != "discord-gateway" else "discord"
            with open(f"{tmp}/{f}.{r}.log") as lf:
                for line in lf:
                    if READY[name] in line:
                        at[name] = stamp_ms(line)
                        break
        if len(at) == len(READY):
            return at
        time.sleep(0.02)
    sys.exit(f"bench-stack: round {r}: not ready in time: {sorted(set(READY) - set(at))}")

def stop_stack(procs):
    for name in reversed(ORDER):
        procs[name].send_signal(signal.SIGTERM)
        try:
            procs[name].wait(10)
        except subprocess.TimeoutExpired:
            procs[name].kill()
            procs[name].wait()

def fake(name, body=None):
    req = urllib.request.Request(f"{url}/_control/{name}", data=json.dumps(body or {}).encode(),
                                 method="POST", headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")

def exec_ms(name):
    """The reference: the same program run with --version (fork, exec, the
    loader linking the same shared libraries, exit), in ms."""
    t = time.time() * 1000
    subprocess.run([CMDS[name][0], "--version"], stdout=subprocess.DEVNULL, check=True)
    return time.time() * 1000 - t

times = {k: [] for k in list(READY) + ["stack"] + [f"exec-{k}" for k in ORDER]}
procs = None
# Each start of the bot asks GET /gateway/bot, a route Discord (and the
# fake) allow 5 times in 5 s: rounds start at least ROUND_GAP_S apart, so
# that no round measures the bot waiting for that limit (and the fake's
# IDENTIFY interval, 100 ms here, is passed too).
ROUND_GAP_S = 1.05
last_start = None
for r in range(rounds):
    for name in ORDER:
        times[f"exec-{name}"].append(exec_ms(name))
    if last_start is not None:
        time.sleep(max(0.0, last_start + ROUND_GAP_S - time.monotonic()))
    last_start = time.monotonic()
    procs, t0 = start_stack(r)
    at = ready_at(r, time.monotonic() + 30)
    for name in READY:
        times[name].append(at[name] - t0[name if name in t0 else "discord"])
    times["stack"].append(max(at[k] for k in ORDER) - t0["broker"])
    if r < rounds - 1:
        stop_stack(procs)

for name in list(READY):
    ref = med(times[f"exec-{name.split('-')[0]}"])
    print(f"start service={name} ready_ms={med(times[name]):.0f} max_ms={max(times[name]):.0f} "
          f"exec_ms={ref:.0f} ratio={med(times[name]) / ref:.2f} rounds={rounds}")
ref = max(med(times[f"exec-{k}"]) for k in ORDER)
print(f"start stack ready_ms={med(times['stack']):.0f} max_ms={max(times['stack']):.0f} "
      f"exec_ms={ref:.0f} ratio={med(times['stack']) / ref:.2f} rounds={rounds} goal_ms=1000")
sys.stdout.flush()

# The stack as it runs: every container reported with its memory, the
# overview posted, the web pages loaded once signed in.
ctl_env = dict(os.environ, DDC_BROKER=broker_ep)
def reported():
    try:
        out = subprocess.run([f"{BIN}/ddc-ctl", "containers", host, "--json"], env=ctl_env,
                             capture_output=True, timeout=10).stdout
        h = next(iter(json.loads(out).values()))
        return sum(1 for c in h["status"]["containers"].values() if c.get("mem_bytes"))
    except Exception:
        return 0
end = time.monotonic() + 60
while reported() < n:
    if time.monotonic() > end:
        sys.exit("bench-stack: the agent did not report every container's memory")
    time.sleep(0.2)
def overview_posted():
    return any((m.get("embeds") or [{}])[0].get("title") for m in fake("state")["messages"])
end = time.monotonic() + 60
while not overview_posted():
    if time.monotonic() > end:
        sys.exit("bench-stack: the bot posted no overview")
    time.sleep(0.2)
try:
    cookie = sign_in(port, password)
except RuntimeError as e:
    sys.exit(f"bench-stack: {e}")
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
for path in ("/", "/containers"):
    conn.request("GET", path, headers={"Cookie": cookie})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        sys.exit(f"bench-stack: GET {path} answered {resp.status}")
conn.close()
# each process lets go of its start-up pages 10 s after its start
# (services/lib/ddc_pages.h): the stack is measured as it runs from then on
LET_GO = " info: start-up pages let go: "
end = time.monotonic() + 60
while True:
    let_go = {name: open(f"{tmp}/{name}.{rounds - 1}.log").read().count(LET_GO) for name in ORDER}
    if all(let_go[k] >= (2 if k == "web" else 1) for k in ORDER):
        break
    if time.monotonic() > end:
        sys.exit(f"bench-stack: start-up pages not let go: {let_go}")
    time.sleep(0.2)
time.sleep(3)       # a stats round more

total = 0
for name in ORDER:
    pids = [procs[name].pid]
    pids += children(procs[name].pid)
    m = [mem(p) for p in pids]
    if os.environ.get("BENCH_SMAPS"):
        for i, p in enumerate(pids):
            with open(f"/proc/{p}/smaps") as src, \
                 open(f"{os.environ['BENCH_SMAPS']}/{name}.{i}.smaps", "w") as dst:
                dst.write(src.read())
    pss = sum(x["Pss"] for x in m)
    total += pss
    print(f"stack service={name} pss_kb={pss} rss_kb={sum(x['Rss'] for x in m)} "
          f"private_kb={sum(x['Private_Clean'] + x['Private_Dirty'] for x in m)} processes={len(pids)}")
print(f"stack pss_kb={total} containers={n} goal_kb=15360 ratio={total / 15360:.2f}")
stop_stack(procs)
EOF
