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
# bench_containers N [RUNNING] [AGENTS] creates N sleeping busybox containers
# prefix-1..N (no network), four at a time, and starts the first RUNNING
# (default all) of them; with AGENTS, container i carries the Docker label
# ddc.bench.host=host-((i-1) % AGENTS + 1), the host that owns it (the
# agents then run with --label ddc.bench.host=THEIR-HOST).
# bench_fake_discord TOKEN [ARGS...] starts the fake Discord of
# tests/fake-discord on a free port (ARGS added to its command line) and
# sets url to its address.
# bench_config BIN N TOKEN [AGENTS] configures, through the broker at
# $DDC_BROKER, containers prefix-1..N on host (or, with AGENTS, container i
# on host-K, K = (i-1) % AGENTS + 1), stats every 2 s, a status and a
# control channel, an admin and the bot's token and guild.
# bench_free_port prints a free loopback TCP port.
# bench_nginx NGINX HEADERS PAGE serves $tmp/www with one nginx worker on a
# free port (nport), with the security headers of HEADERS (a response's
# header dump), and checks that it serves $tmp/www/PAGE as it is.
# bench_rps URL SECONDS prints the requests per second of `wrk -t1
# -c${BENCH_CONNS:-8}` on URL with the Cookie $cookie; exits 1 on any
# answer but a 200 or a socket error (a request unanswered after
# ${BENCH_WRK_TIMEOUT:-2} s included).
# bench_compare_rps DDC_URL NGINX_URL SECONDS ROUNDS prints the median rates
# "DDC NGINX" of ROUNDS interleaved runs, after a one-second warm-up each.

bench_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    docker ps -aq --filter "name=^${prefix}-" 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$tmp"
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

# bench_wait_let_go LOG: wait (up to 30 s) until the service logging to LOG
# has let go of its start-up pages (10 s after its start,
# services/lib/ddc_pages.h), so that its memory is measured as it runs.
bench_wait_let_go() {
    for _ in $(seq 300); do grep -q "start-up pages let go" "$1" && return; sleep 0.1; done
}

bench_containers() {
    local running=${2:-$1} agents=${3:-0}
    if [ "$agents" -gt 0 ]; then
        seq 1 "$1" | awk -v a="$agents" -v h="$host" '{ print $1, h "-" (($1 - 1) % a + 1) }' \
            | xargs -P 4 -n 2 sh -c 'docker create --network none --label "ddc.bench.host=$3" \
                --name "$1-$2" ddc-busybox sleep 100000 >/dev/null' _ "$prefix"
    elif [ "$running" -ge "$1" ]; then
        seq 1 "$1" | xargs -P 4 -I{} docker run -d --network none --name "$prefix-{}" \
            ddc-busybox sleep 100000 >/dev/null
        return
    else
        seq 1 "$1" | xargs -P 4 -I{} docker create --network none --name "$prefix-{}" \
            ddc-busybox sleep 100000 >/dev/null
    fi
    [ "$running" -lt 1 ] || seq 1 "$running" | xargs -P 4 -I{} docker start "$prefix-{}" >/dev/null
}

bench_fake_discord() {
    local token=$1
    shift
    FAKE_TOKEN="$token" scripts/fake-discord --port 0 "$@" >"$tmp/fake.out" 2>"$tmp/fake.err" &
    pids+=($!)
    for _ in $(seq 100); do
        grep -q 'listening on' "$tmp/fake.out" 2>/dev/null && break
        sleep 0.1
    done
    url=$(grep -o 'http://[0-9.:]*' "$tmp/fake.out" | head -n1)
    [ -n "$url" ] || { echo "bench: the fake Discord did not start" >&2; exit 1; }
}

bench_config() {
    local bin=$1 n=$2 token=$3 agents=${4:-0}
    /usr/bin/python3 - "$prefix" "$host" "$n" "$agents" <<'PY' | "$bin/ddc-ctl" set containers - >/dev/null
import json, sys
prefix, host, n, agents = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def on(i):
    return f"{host}-{(i - 1) % agents + 1}" if agents else host
print(json.dumps([{"host": on(i), "name": f"{prefix}-{i}", "display_name": f"Box {i}", "order": i,
                   "allowed_actions": ["start", "stop", "restart", "logs"]}
                  for i in range(1, n + 1)]))
PY
    echo '{"stats_interval_seconds":2,"stop_timeout_seconds":1}' | "$bin/ddc-ctl" set docker - >/dev/null
    echo '{"enabled":false,"command_cooldowns":{},"button_cooldowns":{}}' | "$bin/ddc-ctl" set spam - >/dev/null
    echo '[{"id":"1100000000000000200","kind":"status","post_initial":true},{"id":"1100000000000000201","kind":"control","post_initial":true}]' \
        | "$bin/ddc-ctl" set channels - >/dev/null
    echo '[{"id":"1100000000000000300","note":"bench"}]' | "$bin/ddc-ctl" set admins - >/dev/null
    printf '{"token":"%s","guild_id":"1100000000000000100","language":"en","timezone":"UTC"}' "$token" \
        | "$bin/ddc-ctl" set bot - >/dev/null
}

bench_free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_nginx() {
    local nginx=$1 headers_file=$2 page=$3 headers
    mkdir -p "$tmp/nginx"
    chmod 711 "$tmp"
    chmod 755 "$tmp/www"
    chmod 644 "$tmp"/www/*
    # One worker, keep-alive without a request limit (Kore has none), no
    # access log (ddc-web keeps none), and ddc-web's own security headers.
    headers=$(tr -d '\r' <"$headers_file" | awk -F': ' '
        tolower($1) ~ /^(content-security-policy|x-frame-options|x-content-type-options|referrer-policy|cross-origin-opener-policy|cross-origin-resource-policy|cache-control)$/ {
            v = substr($0, length($1) + 3); gsub(/"/, "\\\"", v)
            printf "        add_header %s \"%s\" always;\n", tolower($1), v }')
    nport=$(bench_free_port)
    cat >"$tmp/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    server_tokens off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 20s;
    charset utf-8;
    server {
        listen 127.0.0.1:$nport;
        root $tmp/www;
$headers
    }
}
NGINX
    "$nginx" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" &
    pids+=($!)
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$nport/$page" && break; sleep 0.05; done
    cmp -s "$tmp/www/$page" <(curl -s "http://127.0.0.1:$nport/$page") \
        || { cat "$tmp/nginx/error.log" >&2; echo "bench: nginx does not serve $page" >&2; exit 1; }
}

bench_rps() {
    local url=$1 secs=$2 out bad errors
    if [ ! -f "$tmp/count.lua" ]; then
        # wrk counts every answer that is not a 200.
        cat >"$tmp/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; first_bad = 0 end
function response(status, headers, body)
    if status ~= 200 then
        bad = bad + 1
        if first_bad == 0 then first_bad = status end
    end
end
function done(summary, latency, requests)
    local n, s = 0, 0
    for _, t in ipairs(threads) do
        n = n + t:get("bad")
        if t:get("first_bad") ~= 0 then s = t:get("first_bad") end
    end
    io.write(string.format("not_200=%d first_status=%d\n", n, s))
end
LUA
    fi
    out=$(wrk -t1 -c"${BENCH_CONNS:-8}" -d"${secs}s" --timeout "${BENCH_WRK_TIMEOUT:-2}s" \
        -s "$tmp/count.lua" -H "Cookie: $cookie" "$url") \
        || { echo "bench: wrk failed on $url" >&2; exit 1; }
    bad=$(sed -n 's/^not_200=\([0-9]*\).*/\1/p' <<<"$out")
    errors=$(grep -E '^ *(Socket errors|Non-2xx)' <<<"$out" || true)
    if [ "${bad:-x}" != 0 ] || [ -n "$errors" ]; then
        echo "$out" >&2
        echo "bench: $url: answers other than 200 under load" >&2
        exit 1
    fi
    awk '/^Requests\/sec:/ { printf "%.0f\n", $2 }' <<<"$out"
}

bench_median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

bench_compare_rps() {
    local ddc_url=$1 nginx_url=$2 secs=$3 rounds=$4
    bench_rps "$ddc_url" 1 >/dev/null
    bench_rps "$nginx_url" 1 >/dev/null
    : >"$tmp/ddc.rps"; : >"$tmp/nginx.rps"
    for _ in $(seq "$rounds"); do
        bench_rps "$ddc_url" "$secs" >>"$tmp/ddc.rps"
        bench_rps "$nginx_url" "$secs" >>"$tmp/nginx.rps"
    done
    echo "$(bench_median <"$tmp/ddc.rps") $(bench_median <"$tmp/nginx.rps")"
}
