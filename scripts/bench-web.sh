#!/usr/bin/env bash
# bench-web.sh [SECONDS] [SAVES]: the web UI ddc-web against nginx serving
# the same pages as static files, in one run, with a real broker, a real
# ddc-docker and 20 busybox containers behind the pages. Prints:
#   web-page page=dashboard ddc_rps=X nginx_rps=Y ratio=X/Y
#   web-page page=containers ddc_rps=X nginx_rps=Y ratio=X/Y
#       requests per second of `wrk -t1 -c8 -dSECONDS` (default 5 s) on the
#       signed-in page (/ and /containers; ddc-web keeps a rendered page
#       until the config, a status report or the peers table changes, which
#       the live ddc-docker here does on its stats interval) against
#       nginx serving the HTML ddc-web rendered, saved as a file, with the
#       same security headers and one worker process like ddc-web (Kore,
#       `workers 1` in web/kore.conf). Median of 3 runs each, interleaved.
#       Any answer but a 200 (a redirect to /login...) or a socket error
#       fails the benchmark. Goal: ratio >= 0.5.
#   web-save n=N p50_ms=X p99_ms=Y
#       SAVES (default 200) saves of the watchdog section through its web
#       form, posted as the page does (csrf, rev and every field, on one
#       keep-alive connection), each a real change (interval_minutes
#       alternates): from the request sent to the 303 answer that names the
#       new revision, given once the broker has fsynced config.json.
# Needs a Docker engine (started by scripts/ensure-dockerd.sh if missing),
# nginx (Debian nginx-light), wrk, curl, and the programs in $DDC_BIN
# (default build/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${1:-5}
SAVES=${2:-200}
ROUNDS=3
BIN=${DDC_BIN:-build/bin}
N=20            # containers, all on one Docker host
for p in ddc-broker ddc-ctl ddc-docker ddc-web; do
    [ -x "$BIN/$p" ] || { echo "bench-web: $BIN/$p is missing (make first)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for p in "$NGINX" wrk curl; do
    command -v "$p" >/dev/null || { echo "bench-web: $p is missing (apt-get install nginx-light wrk curl)" >&2; exit 2; }
done
scripts/ensure-dockerd.sh >/dev/null

. scripts/bench-lib.sh
bench_start web w

fail() { echo "bench-web: $*" >&2; exit 1; }

for i in $(seq 1 "$N"); do
    docker run -d --rm --network none --name "$prefix-$i" ddc-busybox sleep 100000 >/dev/null
done

export DDC_BROKER="ipc://$tmp/ctl.sock"
"$BIN/ddc-broker" --data "$tmp/data" --ctl "$DDC_BROKER" --pub "ipc://$tmp/pub.sock" \
    2>"$tmp/broker.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$tmp/ctl.sock" ] && break; sleep 0.05; done

# A configuration like a real one: the example's channels, admins,
# cooldowns, watchdog and bot settings, N containers with display names,
# actions and info texts, and a few tasks on them.
grep -v '^[[:space:]]*//' deploy/config.example.jsonc >"$tmp/example.json"
/usr/bin/python3 - "$tmp/example.json" "$tmp" "$prefix" "$host" "$N" <<'PY'
import json, sys
example, out, prefix, host, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
ex = json.load(open(example))
games = ["Valheim", "Minecraft", "Factorio", "Terraria", "Satisfactory", "Palworld", "Rust",
         "ARK", "7 Days to Die", "Project Zomboid"]
containers = []
for i in range(1, n + 1):
    containers.append({
        "host": host, "name": f"{prefix}-{i}", "active": i % 7 != 0,
        "display_name": f"{games[i % len(games)]} server {i}", "order": i * 10,
        "allowed_actions": ["start", "stop", "restart", "logs"] if i % 3 else ["restart"],
        "info": {"enabled": i % 2 == 0,
                 "text": f"Join: game{i}.example.net:{2456 + i}\nThe password is pinned in #gaming."}})
tasks = [{"id": f"nightly-{i}", "host": host, "container": f"{prefix}-{i}", "action": "restart",
          "cycle": "daily", "time": f"0{i % 6}:30", "timezone": "Europe/Berlin", "active": True,
          "note": "Clears the memory leak"} for i in range(1, 6)]
sections = dict(ex, containers=containers, tasks=tasks)
for name in ("bot", "containers", "channels", "admins", "spam", "tasks", "watchdog", "docker"):
    with open(f"{out}/{name}.json", "w") as f:
        json.dump(sections[name], f)
PY
for s in bot containers channels admins spam tasks watchdog docker; do
    "$BIN/ddc-ctl" set "$s" "$tmp/$s.json" >/dev/null || fail "ddc-ctl set $s refused"
done

"$BIN/ddc-docker" --host "$host" --cache "$tmp/agent.cache" --audit "$tmp/agent.audit" \
    2>"$tmp/agent.log" &
pids+=($!)

port=$(bench_free_port)
base="http://127.0.0.1:$port"
"$BIN/ddc-web" --broker "$DDC_BROKER" --listen "127.0.0.1:$port" --instance bench \
    --pidfile "$tmp/web.pid" 2>"$tmp/web.log" &
pids+=($!)
for _ in $(seq 200); do
    curl -sf -o /dev/null "$base/health" && break
    sleep 0.1
done
curl -sf -o /dev/null "$base/health" || { tail -5 "$tmp/web.log" >&2; fail "ddc-web did not start"; }

# First run, as a browser does it: the setup page, then the setup code and
# a new password; the answer signs in (a 303 to / with the session cookie).
curl -s "$base/setup" | grep -q 'name="code"' || fail "GET /setup shows no setup form"
password="Bench-Password-$$"
code=$(cat "$tmp/data/web-setup-code")     # the broker's, while no password is set
st=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -c "$tmp/jar" \
    --data-urlencode "code=$code" --data-urlencode "password=$password" \
    --data-urlencode "confirm=$password" "$base/setup")
[ "$st" = "303 $base/" ] || fail "POST /setup answered '$st', not a 303 to /"
cookie=$(awk '$6 == "ddc_session" { print $7 }' "$tmp/jar")
[ -n "$cookie" ] || fail "no session cookie after the setup"
cookie="ddc_session=$cookie"

# Wait until the agent reports every container with its memory, so that
# the dashboard shows them all with state, uptime, CPU and memory.
have=$(bench_wait_agent "$BIN" "$host" "$N")
[ "$have" -ge "$N" ] || fail "the agent reported only $have of $N containers"

# The pages as ddc-web renders them, signed in: each must be a 200 with the
# containers in it (not the sign-in page).
mkdir -p "$tmp/www"
for page in dashboard containers; do
    path=/; [ "$page" = dashboard ] || path=/$page
    st=$(curl -s -o "$tmp/www/$page.html" -D "$tmp/$page.headers" -w '%{http_code}' \
        -H "Cookie: $cookie" "$base$path")
    [ "$st" = 200 ] || fail "GET $path answered $st, not 200"
    grep -q "$prefix-$N" "$tmp/www/$page.html" || fail "GET $path does not show the containers"
    chmod 644 "$tmp/www/$page.html"
done

bench_nginx "$NGINX" "$tmp/dashboard.headers" dashboard.html

# The same requests (cookie included) to both, in ROUNDS interleaved runs
# (the median counts), after a one-second warm-up of each.
for page in dashboard containers; do
    path=/; [ "$page" = dashboard ] || path=/$page
    rates=$(bench_compare_rps "$base$path" "http://127.0.0.1:$nport/$page.html" "$SECS" "$ROUNDS")
    read -r d n <<<"$rates"
    echo "web-page page=$page ddc_rps=$d nginx_rps=$n ratio=$(awk -v a="$d" -v b="$n" 'BEGIN { printf "%.2f", a / b }')"
done

# Saves through the web form, timed from the request to the 303 that names
# the new revision.
/usr/bin/python3 - "$port" "$cookie" "$SAVES" <<'EOF'
import http.client, html.parser, re, sys, time, urllib.parse
port, cookie, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

def request(method, path, body=None):
    h = {"Cookie": cookie}
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    return r, r.read()

class Form(html.parser.HTMLParser):
    """The fields the browser would send from the page's save form."""
    def __init__(self):
        super().__init__()
        self.fields, self.inside, self.select = [], False, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post" and a.get("action") == "/watchdog":
            self.inside = True
        elif not self.inside or "name" not in a and tag != "option":
            return
        elif tag == "input":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append([a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")])
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append([self.select, a.get("value", "")])
        elif tag == "textarea":
            self.fields.append([a["name"], ""])
    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None

r, body = request("GET", "/watchdog")
if r.status != 200:
    sys.exit(f"bench-web: GET /watchdog answered {r.status}")
form = Form()
form.feed(body.decode())
fields = dict(form.fields)
if not {"csrf", "rev", "watchdog.interval_minutes"} <= set(fields):
    sys.exit(f"bench-web: the watchdog form has only {sorted(fields)}")
rev = int(fields["rev"])
minutes = int(fields["watchdog.interval_minutes"])
lat = []
for i in range(n):
    fields["rev"] = str(rev)
    fields["watchdog.interval_minutes"] = str(minutes + 1 if i % 2 == 0 else minutes)
    body = urllib.parse.urlencode(list(fields.items()))
    t0 = time.perf_counter_ns()
    r, _ = request("POST", "/watchdog", body)
    t1 = time.perf_counter_ns()
    loc = r.getheader("location") or ""
    m = re.match(r"/watchdog\?saved=(\d+)&changed=1$", loc)
    if r.status != 303 or not m or int(m.group(1)) <= rev:
        sys.exit(f"bench-web: save {i} answered {r.status} {loc!r}, not a new revision")
    rev = int(m.group(1))
    lat.append((t1 - t0) / 1e6)
lat.sort()
def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
print(f"web-save n={len(lat)} p50_ms={pct(50):.1f} p99_ms={pct(99):.1f}")
EOF
