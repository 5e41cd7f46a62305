"""The watchdog: ddc-broker's heartbeat to an outside monitor.

A real broker requests a real local HTTP server and a real local HTTPS server
(its own CA made with openssl here). A watchdog "minute" is shortened with
the broker's test flag --watchdog-minute-ms, so interval_minutes 1 passes in
a fraction of a second and no test waits a minute.
"""
import http.server
import json
import os
import queue
import ssl
import subprocess
import threading
import time

import pytest

from conftest import Broker, RawClient, bin_path, wait_for

MINUTE_MS = 400
SECRET = "5f2c9a6e-8d41-4b7a-9c3e-2a1b0f6d7e84"


class Monitor:
    """A local monitor (like Healthchecks.io or Uptime Kuma): records every
    request; answers 200, or what `status` says for a path."""

    def __init__(self, tls=None):
        self.requests = queue.Queue()
        self.status = {}
        self.hang = False
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.put((time.monotonic(), self.path, dict(self.headers)))
                if outer.hang:
                    time.sleep(3)
                code = outer.status.get(self.path.split("?")[0], 200)
                body = b"OK"
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass                  # the broker gave up waiting (hang)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def next(self, timeout=3):
        try:
            return self.requests.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def monitor():
    m = Monitor()
    yield m
    m.close()


def make_ca(tmp):
    """A CA and a server certificate for 127.0.0.1 signed by it."""
    d = os.path.join(tmp, "pki")
    os.makedirs(d)

    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "1", "-subj", "/CN=ddc test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "ext.cnf")
    return os.path.join(d, "ca.pem"), (os.path.join(d, "server.pem"),
                                       os.path.join(d, "server.key"))


def start_broker(tmp, extra=(), name="broker"):
    return Broker(tmp, name=name,
                  extra=["--watchdog-minute-ms", str(MINUTE_MS), *extra]).start()


def save(b, section, value):
    c = RawClient(b.ctl)
    try:
        c.hello()
        r = c.save(section, value)
        assert r and r[0] == "OK", r
    finally:
        c.close()


def watchdog_status(b):
    c = RawClient(b.ctl)
    try:
        c.hello()
        r = c.request("STATUS", 0, "-")
        return json.loads(r[2])["broker"]["watchdog"]
    finally:
        c.close()


LIVE = []     # clients of the running test that must stay connected (PING)


@pytest.fixture(autouse=True)
def _no_live_clients():
    yield
    LIVE.clear()


def next_check(b, after=None, timeout=5):
    """The next check the broker finished (after the one at `after`)."""
    def done():
        for c in LIVE:
            c.send("PING", c.req_id(), 0)
        last = watchdog_status(b)["last"]
        return last if last and last["time"] != after and not watchdog_status(b)["busy"] \
            else None
    return wait_for(done, timeout=timeout, step=0.05, what="a watchdog check")


def ctl_status(b):
    p = subprocess.run([bin_path("ddc-ctl"), "--broker", b.ctl, "status"], capture_output=True,
                       text=True, timeout=20)
    assert p.returncode == 0, p.stderr
    return p.stdout


def watchdog(url, fail_url="", minutes=1, enabled=True):
    return {"enabled": enabled, "url": url, "fail_url": fail_url, "interval_minutes": minutes}


def test_http_ping_at_once_then_every_interval_and_never_the_secret_in_logs(tmp, monitor):
    b = start_broker(tmp)
    url = monitor.url(f"/ping/{SECRET}?rid=abc")
    t0 = time.monotonic()
    save(b, "watchdog", watchdog(url))
    first = monitor.next()
    assert first, "no request after enabling the watchdog"
    assert first[0] - t0 < 1.0, "the first check is made at once"
    assert first[1] == f"/ping/{SECRET}?rid=abc"
    assert first[2]["User-Agent"].startswith("ddc-broker/")
    second = monitor.next()
    third = monitor.next()
    assert second and third
    # every "minute" (MINUTE_MS here), never sooner
    assert second[0] - first[0] >= MINUTE_MS / 1000 * 0.9
    assert third[0] - second[0] >= MINUTE_MS / 1000 * 0.9
    st = watchdog_status(b)
    assert st["enabled"] and st["url"] == f"http://127.0.0.1:{monitor.port}/\u2026"
    last = st["last"]
    assert last["healthy"] is True and last["sent"] == "url" and last["outcome"] == "pinged"
    assert last["result"].startswith("HTTP 200") and last["reason"].startswith("all well")
    out = ctl_status(b)
    assert "watchdog  every 1 min to http://127.0.0.1" in out and "healthy" in out
    assert "HTTP 200" in out
    # an answer other than 2xx is an error, said as such
    monitor.status[f"/ping/{SECRET}"] = 404
    wait_for(lambda: (watchdog_status(b)["last"] or {}).get("outcome") == "error", timeout=3,
             what="the 404 seen")
    assert watchdog_status(b)["last"]["result"].startswith("HTTP 404")
    log = b.proc.text()
    assert "watchdog" in log and f"127.0.0.1:{monitor.port}" in log
    assert SECRET not in log and "rid=abc" not in log and SECRET not in out
    b.stop()


def test_not_healthy_goes_to_the_fail_url_or_sends_nothing(tmp, monitor):
    b = start_broker(tmp)
    # an active container on a host whose agent is not connected
    save(b, "containers", [{"host": "ghost", "name": "plex"}])
    save(b, "watchdog", watchdog(monitor.url("/up"), monitor.url("/up/fail")))
    got = monitor.next()
    assert got and got[1] == "/up/fail"
    last = next_check(b)
    assert last["healthy"] is False and last["sent"] == "fail_url"
    assert last["outcome"] == "fail_sent" and last["reason"] == "docker@ghost is not connected"
    assert "NOT HEALTHY (docker@ghost is not connected)" in ctl_status(b)
    # no fail_url: nothing is sent, and the status says why
    save(b, "watchdog", watchdog(monitor.url("/up")))
    last = next_check(b, last["time"])
    while last["sent"] is not None:              # a check of the old setting
        last = next_check(b, last["time"])
    assert last["outcome"] == "skipped" and "no fail_url" in last["result"]
    while not monitor.requests.empty():
        monitor.requests.get()
    last = next_check(b, last["time"])           # one more interval: still silent
    assert last["outcome"] == "skipped" and monitor.next(timeout=0.1) is None
    # the agent connects: healthy again, the next check pings
    agent = RawClient(b.ctl, role="docker", instance="ghost")
    agent.hello()
    LIVE[:] = [agent]
    got = monitor.next(timeout=3)
    assert got and got[1] == "/up"
    # its Docker engine unreachable: not healthy
    agent.request("REPORT", "status", json.dumps(
        {"host": "ghost", "docker": {"reachable": False, "error": "connect: no such file"}}))
    last = next_check(b)
    while last["healthy"]:
        last = next_check(b, last["time"])
    assert last["reason"] == "docker@ghost: Docker is unreachable: connect: no such file"
    agent.request("REPORT", "status", json.dumps({"host": "ghost", "docker": {"reachable": True}}))
    # a bot token without a ready gateway: not healthy either
    save(b, "bot", {"token": "MTIz.FAKE.TOKEN"})
    last = next_check(b)
    while "discord" not in last["reason"]:
        last = next_check(b, last["time"])
    assert last["reason"] == "no ddc-discord is connected (a bot token is set)"
    bot = RawClient(b.ctl, role="discord", instance="main")
    bot.hello()
    LIVE.append(bot)
    bot.request("REPORT", "gateway", json.dumps({"state": "connecting", "error": None}))
    last = next_check(b, last["time"])
    while "connecting" not in last["reason"]:
        last = next_check(b, last["time"])
    assert last["reason"] == "discord@main: the Discord gateway is connecting"
    bot.request("REPORT", "gateway", json.dumps({"state": "ready", "error": None}))
    while not last["healthy"]:
        last = next_check(b, last["time"])
    assert last["reason"] == "all well: broker up, discord@main ready, 1 Docker host connected"
    LIVE.clear()
    agent.close()
    bot.close()
    b.stop()


def test_changes_apply_live_and_the_first_check_at_start_waits_a_minute(tmp, monitor):
    b = start_broker(tmp)
    save(b, "watchdog", watchdog(monitor.url("/a")))
    assert monitor.next()[1] == "/a"
    # another URL: a check at once, to it
    save(b, "watchdog", watchdog(monitor.url("/b"), minutes=5))
    got = monitor.next()
    while got[1] == "/a":
        got = monitor.next()
    assert got[1] == "/b"
    assert watchdog_status(b)["interval_minutes"] == 5
    # off: no more requests
    save(b, "watchdog", watchdog(monitor.url("/b"), enabled=False))
    assert watchdog_status(b)["enabled"] is False and watchdog_status(b)["next"] is None
    assert "watchdog  off" in ctl_status(b)
    save(b, "watchdog", watchdog(monitor.url("/c")))
    assert monitor.next()[1] == "/c"
    b.stop()
    # a broker started with the watchdog on waits a minute for the services
    while not monitor.requests.empty():
        monitor.requests.get()
    t0 = time.monotonic()
    b.start()
    got = monitor.next()
    assert got and got[1] == "/c" and got[0] - t0 >= MINUTE_MS / 1000 * 0.9
    b.stop()


def test_https_with_a_self_signed_ca(tmp):
    ca, server = make_ca(tmp)
    m = Monitor(tls=server)
    try:
        # without the CA the certificate is refused, and said so
        b = start_broker(tmp, name="plain")
        save(b, "watchdog", watchdog(m.url(f"/ping/{SECRET}")))
        last = next_check(b)
        assert last["outcome"] == "error" and "certificate" in last["result"].lower()
        assert SECRET not in b.proc.text() and "failed" in b.proc.text()
        b.stop()
        # with --watchdog-ca the same monitor is pinged
        b2 = Broker(tmp, name="withca", data=os.path.join(tmp, "d2"), ctl=f"ipc://{tmp}/c2",
                    pub=f"ipc://{tmp}/p2",
                    extra=["--watchdog-minute-ms", str(MINUTE_MS), "--watchdog-ca", ca]).start()
        while not m.requests.empty():
            m.requests.get()
        save(b2, "watchdog", watchdog(m.url(f"/ping/{SECRET}")))
        got = m.next()
        assert got and got[1] == f"/ping/{SECRET}"
        last = next_check(b2)
        assert last["outcome"] == "pinged" and last["result"].startswith("HTTP 200")
        st = watchdog_status(b2)
        assert st["ca_file"] == ca and st["url"] == f"https://127.0.0.1:{m.port}/\u2026"
        # the loop was never held up by a request (TLS, the CA file) for long
        c = RawClient(b2.ctl)
        c.hello()
        loop = json.loads(c.request("STATUS", 0, "-")[2])["broker"]["loop"]
        c.close()
        assert loop["longest_cpu_ms"] < 50, loop
        b2.stop()
    finally:
        m.close()


def test_a_monitor_that_does_not_answer_times_out(tmp, monitor):
    monitor.hang = True
    b = start_broker(tmp)
    save(b, "watchdog", watchdog(monitor.url("/slow")))
    last = next_check(b)
    assert last["outcome"] == "error" and "timed out" in last["result"].lower(), last
    b.stop()


def mapped(b, name):
    """The files of the broker's memory map whose name holds `name`."""
    with open(f"/proc/{b.proc.pid}/maps") as f:
        return {line.split()[-1] for line in f if name in line.split()[-1]}


def test_libcurl_is_loaded_only_when_the_watchdog_is_switched_on(tmp, monitor):
    # not linked: an idle broker maps neither libcurl nor what it pulls in
    needed = subprocess.run(["readelf", "-d", bin_path("ddc-broker")], capture_output=True,
                            text=True, check=True).stdout
    assert "libcurl" not in needed
    b = start_broker(tmp)
    save(b, "containers", [{"host": "h1", "name": "plex"}])
    save(b, "watchdog", watchdog(monitor.url("/never"), enabled=False))
    assert watchdog_status(b)["last"] is None
    assert not mapped(b, "libcurl") and not mapped(b, "libssl"), mapped(b, ".so")
    # switched on: loaded, and the monitor pinged through it
    save(b, "watchdog", watchdog(monitor.url("/up"), monitor.url("/up/fail")))
    got = monitor.next()
    assert got and got[1] == "/up/fail"
    assert next_check(b)["outcome"] == "fail_sent"
    assert any(os.path.basename(p) == "libcurl.so.4" or "libcurl.so.4." in p
               for p in mapped(b, "libcurl")), mapped(b, ".so")
    # off and on again: the same library, no second load
    save(b, "watchdog", watchdog(monitor.url("/up"), enabled=False))
    save(b, "watchdog", watchdog(monitor.url("/up2"), monitor.url("/up2/fail")))
    got = monitor.next()
    while got and got[1].startswith("/up/"):
        got = monitor.next()
    assert got and got[1] == "/up2/fail"
    assert b.stop() == 0
    assert "cannot be loaded" not in b.proc.text()


def test_without_libcurl_every_check_is_an_error_and_the_broker_keeps_running(tmp, monitor):
    # a libcurl.so.4 that cannot be loaded, found first
    libdir = os.path.join(tmp, "lib")
    os.makedirs(libdir)
    open(os.path.join(libdir, "libcurl.so.4"), "wb").close()
    b = Broker(tmp, extra=["--watchdog-minute-ms", str(MINUTE_MS)],
               env={"LD_LIBRARY_PATH": libdir}).start()
    save(b, "watchdog", watchdog(monitor.url(f"/ping/{SECRET}")))
    last = next_check(b)
    assert last["outcome"] == "error" and last["healthy"] is True, last
    assert last["result"].startswith("libcurl cannot be loaded: ") and "libcurl.so.4" in \
        last["result"], last
    last = next_check(b, last["time"])            # the next interval: the same, said once
    assert last["outcome"] == "error" and "libcurl cannot be loaded" in last["result"]
    assert "libcurl cannot be loaded" in ctl_status(b)
    assert monitor.next(timeout=0.1) is None
    # switched off and on: not tried again, still said in every check
    save(b, "watchdog", watchdog(monitor.url("/b"), enabled=False))
    save(b, "watchdog", watchdog(monitor.url("/b")))
    last = next_check(b, last["time"])
    assert "libcurl cannot be loaded" in last["result"]
    # the rest of the broker is unaffected
    save(b, "containers", [{"host": "h1", "name": "plex"}])
    assert b.proc.alive()
    log = b.proc.text()
    assert len([line for line in log.splitlines()
                if "every check fails until ddc-broker is restarted" in line]) == 1, log
    assert SECRET not in log
    assert b.stop() == 0


def test_flags(tmp):
    broker = bin_path("ddc-broker")
    p = subprocess.run([broker, "--watchdog-ca", os.path.join(tmp, "missing.pem")],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 1 and "--watchdog-ca" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    p = subprocess.run([broker, "--watchdog-minute-ms", "soon"], capture_output=True, text=True,
                       timeout=10)
    assert p.returncode == 2 and "--watchdog-minute-ms" in p.stderr
    p = subprocess.run([broker, "--help"], capture_output=True, text=True, timeout=10)
    assert "--watchdog-ca" in p.stdout and "--watchdog-minute-ms" in p.stdout


def test_the_web_dashboard_shows_the_last_check(tmp, monitor):
    from test_web_http import Web, do_setup, stop_clean
    b = start_broker(tmp)
    w = Web(tmp, b).start()
    try:
        http = do_setup(w)
        page = http.get("/").text
        assert 'id="watchdog"' in page and 'data-outcome' not in page   # off
        save(b, "watchdog", watchdog(monitor.url(f"/ping/{SECRET}")))
        assert monitor.next()
        page = wait_for(lambda: (lambda t: t if 'data-outcome="pinged"' in t else None)(
            http.get("/").text), timeout=5, what="the dashboard to show the ping")
        assert f"http://127.0.0.1:{monitor.port}/\u2026" in page and SECRET not in page
        assert "HTTP 200" in page
        view = json.loads(http.get("/api/status").text)
        assert view["broker"]["watchdog"]["last"]["outcome"] == "pinged"
        # the watchdog's own page offers the failure URL
        form = http.get("/watchdog").text
        assert 'name="watchdog.fail_url"' in form
        stop_clean(w)
    finally:
        w.proc.stop()
        b.stop()
