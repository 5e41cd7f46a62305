"""ddc-web over HTTP with real processes: a real ddc-broker and ddc-web on a
free port, driven with http.client (no browser). First-run setup with the
code the broker logged, sign-in and out, CSRF, the sign-in rate limit, security
headers, session expiry (real wait), malformed and oversized bodies (nothing
saved: the broker's revision is checked), the broker going away and coming
back without restarting ddc-web, /health, /metrics, the live event stream,
the JSON API, and a werkzeug (original DDC) password hash that is replaced
by argon2id at the first sign-in. For people: the setup page keeps the
typed code, a save without the broker keeps the input, refusals and the
history name fields by their labels, the current revision offers no
rollback, tasks get ids and show their next runs (a cron task too).
"""
import base64
import datetime
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import time
import urllib.parse

import pytest

from conftest import Broker, Proc, RawClient, bin_path, free_port, wait_for
import promtext

PASSWORD = "Correct-Horse-42"


# ---- helpers ----------------------------------------------------------------

class Http:
    """A tiny browser: one cookie jar, one request per connection."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, timeout=10):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            headers_out = r.getheaders()
        finally:
            conn.close()
        for name, value in headers_out:
            if name.lower() == "set-cookie":
                first = value.split(";", 1)[0]
                k, _, v = first.partition("=")
                if "max-age=0" in value.lower() or v == "":
                    self.cookies.pop(k, None)
                else:
                    self.cookies[k] = v
        return Resp(r.status, headers_out, data)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, headers=None, **kw):
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h, **kw)


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]


def form_tokens(html):
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    rev = re.search(r'name="rev" value="(\d+)"', html)
    return (csrf.group(1) if csrf else None), (int(rev.group(1)) if rev else None)


class Web:
    """ddc-web started against a broker, on a free port."""

    def __init__(self, tmp, broker, name="web", extra=None):
        self.tmp = tmp
        self.broker = broker
        self.port = free_port()
        # the setup code is the broker's, in its data folder
        self.code_file = os.path.join(broker.data, "web-setup-code")
        self.log_path = os.path.join(tmp, f"{name}.log")
        self.proc = None
        self.name = name
        self.extra = extra or []

    def start(self):
        self.proc = Proc([bin_path("ddc-web"), "--broker", self.broker.ctl,
                          "--listen", f"127.0.0.1:{self.port}",
                          "--instance", "t" + self.name,
                          "--pidfile", os.path.join(self.tmp, f"{self.name}.pid")] + self.extra,
                         self.log_path)
        wait_for(self.healthy, timeout=20, what="ddc-web /health")
        return self

    def healthy(self):
        try:
            return Http(self.port).get("/health", timeout=2).status == 200
        except OSError:
            return False

    def stop(self):
        return self.proc.stop() if self.proc else None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def code(self):
        with open(self.code_file) as f:
            return f.read().strip()


def broker_rev(broker):
    c = RawClient(broker.ctl)
    try:
        c.hello()
        rev, _ = c.snapshot()
        return rev
    finally:
        c.close()


def section(broker, name):
    c = RawClient(broker.ctl)
    try:
        c.hello()
        _, body = c.snapshot(name)
        return body["revs"][name], body["sections"][name]
    finally:
        c.close()


def save(broker, name, value, expected=0):
    c = RawClient(broker.ctl)
    try:
        c.hello()
        r = c.save(name, value, expected)
        assert r and r[0] == "OK", r
        return int(r[3])
    finally:
        c.close()


def do_setup(web, http=None):
    http = http or Http(web.port)
    r = http.post("/setup", {"code": web.code(), "password": PASSWORD, "confirm": PASSWORD})
    assert r.status == 303, r.text
    assert r.header("location") == "/"
    return http


def signed_in(web):
    http = Http(web.port)
    r = http.post("/login", {"password": PASSWORD})
    assert r.status == 303, r.text
    return http


def stop_clean(w):
    """Stop ddc-web; it must exit 0 with no sanitizer report (the ASan build
    checks the worker for leaks at exit)."""
    rc = w.stop()
    log = w.log()
    assert "Sanitizer" not in log and "runtime error" not in log, log[-3000:]
    assert "sandbox violation" not in log, log[-3000:]
    assert rc == 0, log[-3000:]


@pytest.fixture
def web(tmp):
    b = Broker(tmp).start()
    w = Web(tmp, b)
    try:
        w.start()
        yield w
        stop_clean(w)
    finally:
        if w.proc:
            w.proc.stop()           # no-op when already stopped
        b.stop()


def test_curve_over_tcp_by_host_name(tmp):
    """A broker on tcp:// with CURVE, named by host name: the worker's
    seccomp filter lets libzmq lock its keys in memory and glibc resolve."""
    keys = os.path.join(tmp, "keys")
    # The certificate is issued for the instance the web registers as (Web: "t" + name).
    r = subprocess.run([bin_path("ddc-ctl"), "keygen", "w", "--role", "web", "--instances", "tweb",
                        "--dir", keys], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    os.makedirs(os.path.join(tmp, "bk", "clients"))
    shutil.copy(os.path.join(keys, "w.cert"), os.path.join(tmp, "bk", "clients", "w.cert"))
    port = free_port()
    b = Broker(tmp, ctl=f"tcp://127.0.0.1:{port}", pub=f"tcp://127.0.0.1:{free_port()}",
               extra=["--keys", os.path.join(tmp, "bk")]).start(wait=False)
    wait_for(lambda: os.path.exists(os.path.join(tmp, "bk", "broker.cert")), what="broker key")
    w = Web(tmp, b, extra=["--broker", f"tcp://localhost:{port}",
                           "--cert", os.path.join(keys, "w.cert"),
                           "--broker-cert", os.path.join(tmp, "bk", "broker.cert")])
    try:
        w.start()
        assert json.loads(Http(w.port).get("/health").text)["broker"] is True
        assert "sandbox violation" not in w.log()
        stop_clean(w)
    finally:
        w.stop()
        b.stop()


# ---- the command line ---------------------------------------------------------

def test_help_version_and_bad_options(tmp):
    import subprocess
    exe = bin_path("ddc-web")
    r = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and "--listen ADDR:PORT" in r.stdout and "--broker" in r.stdout
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and r.stdout.startswith("ddc-web ") and "kore 4.1.0" in r.stdout
    r = subprocess.run([exe, "--bogus"], capture_output=True, text=True, timeout=10,
                       env={k: v for k, v in os.environ.items() if k != "DDC_BROKER"})
    assert r.returncode == 2 and "unknown option" in r.stderr
    r = subprocess.run([exe], capture_output=True, text=True, timeout=10,
                       env={k: v for k, v in os.environ.items() if k != "DDC_BROKER"})
    assert r.returncode == 2 and "no broker" in r.stderr
    r = subprocess.run([exe, "--broker", "ipc:///x", "--listen", "nowhere"], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 2 and "--listen" in r.stderr
    for bad in ("0", "86401", "5s", ""):
        r = subprocess.run([exe, "--broker", "ipc:///x", "--session-idle", bad],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode == 2 and "--session-idle: expected seconds" in r.stderr, bad


# ---- first run and sign-in ------------------------------------------------------

def test_first_run_setup_with_the_logged_code(web):
    http = Http(web.port)
    r = http.get("/")
    assert r.status == 303 and r.header("location") == "/setup"
    assert http.get("/bot").header("location") == "/setup"
    # the code is in the broker's log and its 0600 file, and they agree;
    # ddc-web logs where to enter it, never the code
    code = web.code()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert stat.S_IMODE(os.stat(web.code_file).st_mode) == 0o600
    assert f"setup code is {code}" in web.broker.proc.text()
    wait_for(lambda: "/setup" in web.log(), timeout=5, what="the first-run hint in the log")
    assert f"http://127.0.0.1:{web.port}/setup" in web.log() and code not in web.log()
    rev0 = broker_rev(web.broker)
    # the page says where the code is
    page = http.get("/setup").text
    assert "<code>ddc-ctl setup-code</code>" in page and "<code>data/web-setup-code</code>" in page
    # wrong code, weak password, mismatch: refused, nothing saved; the typed
    # code stays in its field every time
    r = http.post("/setup", {"code": "AAAA-BBBB-CCCC", "password": PASSWORD, "confirm": PASSWORD})
    assert r.status == 403 and "setup code is not right" in r.text
    assert 'name="code" maxlength="32" autocomplete="off" spellcheck="false" required ' \
        'value="AAAA-BBBB-CCCC"' in r.text
    r = http.post("/setup", {"code": code, "password": "short", "confirm": "short"})
    assert r.status == 422 and "too short" in r.text
    assert f'value="{code}"' in r.text
    r = http.post("/setup", {"code": code, "password": "alllowercaseletters", "confirm": "alllowercaseletters"})
    assert r.status == 422 and "variety" in r.text
    r = http.post("/setup", {"code": code, "password": PASSWORD, "confirm": PASSWORD + "x"})
    assert r.status == 422
    assert broker_rev(web.broker) == rev0
    # the right code (typed in lower case, without dashes)
    r = http.post("/setup", {"code": code.replace("-", "").lower(), "password": PASSWORD,
                             "confirm": PASSWORD})
    assert r.status == 303 and r.header("location") == "/"
    assert "ddc_session" in http.cookies
    stored = web.broker.config()["web"]["password_hash"]
    assert stored.startswith("$argon2id$v=19$")
    assert http.get("/").status == 200
    # setup is closed now, its code file gone
    assert Http(web.port).get("/setup").header("location") == "/login"
    r = Http(web.port).post("/setup", {"code": code, "password": "Another-Pass-99",
                                       "confirm": "Another-Pass-99"})
    assert r.status == 303 and r.header("location") == "/login"
    assert not os.path.exists(web.code_file)
    assert "setup code is used up" in web.broker.proc.text()
    log = web.log()
    assert PASSWORD not in log and stored not in log and "$argon2id$" not in log


def ctl(web, *args, stdin=""):
    import subprocess
    env = dict(os.environ, DDC_BROKER=web.broker.ctl)
    return subprocess.run([bin_path("ddc-ctl"), *args], input=stdin, capture_output=True,
                          text=True, timeout=30, env=env)


def test_ctl_setup_code_and_passwd(web):
    # the setup code from ddc-ctl is the broker's
    r = ctl(web, "setup-code")
    assert r.returncode == 0, r.stderr
    code = r.stdout.strip()
    assert code == web.code()
    assert ctl(web, "setup-code", "web@nosuch").returncode == 2
    # a password against the policy changes nothing
    rev0 = broker_rev(web.broker)
    r = ctl(web, "passwd", stdin="short\n")
    assert r.returncode == 4 and "too short" in r.stderr
    r = ctl(web, "passwd", stdin="")
    assert r.returncode == 4
    assert broker_rev(web.broker) == rev0
    # ddc-ctl passwd sets it from stdin; the other web fields stay as they were
    save(web.broker, "web", {"password_hash": "", "session_idle_minutes": 33, "ui_language": "en"})
    r = ctl(web, "passwd", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["section_rev"] > rev0
    value = web.broker.config()["web"]
    assert value["password_hash"].startswith("$argon2id$") and value["session_idle_minutes"] == 33
    assert PASSWORD not in r.stdout + r.stderr
    # the new password signs in, once ddc-web has it (a moment after the save)
    wait_for(lambda: Http(web.port).get("/login").status == 200, what="sign-in page")
    http = signed_in(web)
    assert http.get("/bot").status == 200
    # no setup code once a password is set: the save withdrew it
    r = ctl(web, "setup-code")
    assert r.returncode == 1 and "password is set" in r.stderr and not os.path.exists(web.code_file)
    # a new password from the command line signs the browser out
    r = ctl(web, "passwd", stdin="Another-Pass-99\n")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: http.get("/bot").status == 303, what="the old session signed out")
    assert Http(web.port).post("/login", {"password": PASSWORD}).status == 401
    assert Http(web.port).post("/login", {"password": "Another-Pass-99"}).status == 303
    # --clear: back to first-run setup, with a new code at once
    assert ctl(web, "passwd", "--clear").returncode == 0
    assert web.broker.config()["web"]["password_hash"] == ""
    r = ctl(web, "setup-code")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == web.code() and web.code() != code
    wait_for(lambda: Http(web.port).get("/").header("location") == "/setup",
             what="ddc-web back at first-run setup")


def test_login_logout(web):
    do_setup(web)
    http = Http(web.port)
    r = http.get("/bot")
    assert r.status == 303 and r.header("location") == "/login?next=%2Fbot"
    assert http.post("/login", {"password": "Wrong-Password-1"}).status == 401
    r = http.post("/login", {"password": PASSWORD, "next": "/bot"})
    assert r.status == 303 and r.header("location") == "/bot"
    cookie = [c for c in r.headers_all("set-cookie") if c.startswith("ddc_session=")][-1]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    # an absolute or protocol-relative next is not followed
    assert Http(web.port).post("/login", {"password": PASSWORD, "next": "//evil.example/"}) \
        .header("location") == "/"
    page = http.get("/bot")
    assert page.status == 200 and 'id="logout"' in page.text
    stolen = dict(http.cookies)
    csrf, _ = form_tokens(page.text)
    assert http.post("/logout", {}).status == 403          # no CSRF token
    r = http.post("/logout", {"csrf": csrf})
    assert r.status == 303 and r.header("location") == "/login"
    assert "ddc_session" not in http.cookies
    # the signed-out session cannot be used again
    thief = Http(web.port)
    thief.cookies = stolen
    assert thief.get("/bot").status == 303


def test_csrf_refusal_saves_nothing(web):
    http = do_setup(web)
    page = http.get("/bot")
    csrf, rev = form_tokens(page.text)
    assert csrf and rev is not None
    fields = {"rev": rev, "bot.guild_id": "1098765432109876543", "bot.language": "de",
              "bot.timezone": "UTC"}
    rev0 = broker_rev(web.broker)
    assert http.post("/bot", fields).status == 403
    assert http.post("/bot", {**fields, "csrf": "x" * 43}).status == 403
    # the right token from another site
    assert http.post("/bot", {**fields, "csrf": csrf},
                     headers={"Origin": "http://evil.example"}).status == 403
    # the token of another session
    other = signed_in(web)
    other_csrf, _ = form_tokens(other.get("/bot").text)
    assert http.post("/bot", {**fields, "csrf": other_csrf}).status == 403
    # JSON API without the header
    body = json.dumps({"rev": rev, "value": {"token": "***", "guild_id": "", "language": "de",
                                             "timezone": "UTC"}}).encode()
    r = http.request("POST", "/api/section/bot", body=body,
                     headers={"Content-Type": "application/json"})
    assert r.status == 403
    assert broker_rev(web.broker) == rev0
    # and with the token it works
    r = http.post("/bot", {**fields, "csrf": csrf, "bot.token": ""},
                  headers={"Origin": f"http://127.0.0.1:{web.port}"})
    assert r.status == 303 and "saved=" in r.header("location")
    assert section(web.broker, "bot")[1]["language"] == "de"


def test_login_rate_limit(web):
    do_setup(web)
    token = "t0ken-for-the-metrics-" + "x" * 10
    _, value = section(web.broker, "web")
    save(web.broker, "web", {**value, "metrics_token": token})
    http = Http(web.port)
    for _ in range(5):
        assert http.post("/login", {"password": "Wrong-Password-1"}).status == 401
    r = http.post("/login", {"password": PASSWORD})
    assert r.status == 429
    retry = int(r.header("retry-after"))
    assert 200 <= retry <= 300
    assert "ddc_session" not in http.cookies
    def scraped():
        r = http.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        return r.text if r.status == 200 else None
    f = promtext.parse(wait_for(scraped, timeout=5, what="the token to reach ddc-web"))
    assert promtext.value(f, "ddc_web_logins_total", result="limited", host="tweb") == 1
    assert promtext.value(f, "ddc_web_logins_total", result="failed", host="tweb") == 5


def raw_request(port, data, timeout=10):
    """Send bytes, read the whole answer (the server closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return out + b"<reset>"
            if not chunk:
                return out
            out += chunk


def test_oversized_headers_get_431(web):
    """Request headers over Kore's http_header_max (8 KiB) are answered
    431 after they were read, not with a reset; the server still serves."""
    big = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-Filler-%d: %s\r\n" % (i, b"a" * 1000) for i in range(40)) + b"\r\n"
    out = raw_request(web.port, big)
    assert out.startswith(b"HTTP/1.1 431 Request Header Fields Too Large"), out[:200]
    # one header line alone over the limit, sent in small pieces
    line = b"GET / HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 20000 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", web.port), timeout=10) as s:
        for i in range(0, len(line), 3000):
            s.sendall(line[i:i + 3000])
        assert s.recv(200).startswith(b"HTTP/1.1 431"), "no 431"
    # headers that fit are served as before
    assert Http(web.port).get("/health").status == 200


def test_security_headers(web):
    http = do_setup(web)
    for path in ["/", "/bot", "/nope", "/health", "/login", "/static/app.js"]:
        r = http.get(path)
        csp = r.header("content-security-policy")
        assert csp and "default-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert r.header("x-frame-options") == "DENY", path
        assert r.header("x-content-type-options") == "nosniff", path
        assert r.header("referrer-policy") == "no-referrer", path
        pp = r.header("permissions-policy")
        assert pp and "camera=()" in pp and "geolocation=()" in pp and "microphone=()" in pp, path
    for path in ["/", "/bot", "/history", "/login"]:
        r = (Http(web.port) if path == "/login" else http).get(path)
        assert r.header("cache-control") == "no-store", path
        assert r.header("content-type").startswith("text/html"), path
        assert "<script>" not in r.text and " style=" not in r.text and "onclick" not in r.text
    assert http.get("/static/app.js").header("content-type").startswith("text/javascript")
    assert http.get("/static/../main.c").status == 404
    # no default password: an unknown cookie is no session
    stranger = Http(web.port)
    stranger.cookies = {"ddc_session": "v1.YWRtaW4.AAAA"}
    assert stranger.get("/").status == 303


def test_session_cookie_refresh_and_idle_expiry(tmp):
    """A session ends after its idle time without a request: the minutes of
    web.session_idle_minutes, or --session-idle SECONDS (here 4 s, so that
    the test need not wait the config's shortest time, one minute)."""
    b = Broker(tmp).start()
    web = Web(tmp, b, extra=["--session-idle", "4"]).start()
    try:
        http = do_setup(web)

        def cookie_times():
            payload = http.cookies["ddc_session"].split(".")[1]
            payload += "=" * (-len(payload) % 4)
            _, _, issued, last = base64.urlsafe_b64decode(payload).decode().split("|")
            return int(issued), int(last)

        wait_for(lambda: http.get("/").status == 200, timeout=5, what="a page")
        issued, last = cookie_times()
        time.sleep(2.1)                   # the cookie's times have 1 s resolution
        assert http.get("/bot").status == 200
        issued2, last2 = cookie_times()
        assert issued2 == issued and last2 >= last + 2    # each page refreshes "last"
        # a live view follows the same session and is told when it ends
        events = socket.create_connection(("127.0.0.1", web.port), timeout=30)
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        events.sendall(f"GET /events HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
        data = b""
        deadline = time.monotonic() + 20
        while b"event: signedout" not in data and time.monotonic() < deadline:
            chunk = events.recv(65536)
            if not chunk:
                break
            data += chunk
        events.close()
        assert b"event: signedout" in data
        assert b'data: {"reason":"idle"}' in data
        # more than 4 s since the last request: signed out
        assert time.time() - last2 > 4
        r = http.get("/bot")
        assert r.status == 303 and r.header("location") == "/login?next=%2Fbot&expired=idle"
        assert "ddc_session" not in http.cookies
        # the sign-in page says why
        assert "because it was idle" in Http(web.port).get("/login?expired=idle").text
        assert "password was changed in another place" in \
            Http(web.port).get("/login?expired=password").text
        # and a fresh sign-in works at once
        assert signed_in(web).get("/bot").status == 200
        stop_clean(web)
    finally:
        web.stop()
        b.stop()


def test_wrong_method_is_405_with_allow(web):
    """Every page answers a method it does not take with 405 and the
    methods it does take, before anything else happens."""
    http = do_setup(web)
    for method, path, allow in [("POST", "/", "GET"), ("POST", "/history", "GET"),
                                ("POST", "/activity", "GET"), ("POST", "/logs", "GET"),
                                ("GET", "/history/rollback", "POST"),
                                ("GET", "/containers/action", "POST"),
                                ("GET", "/logout", "POST"), ("PUT", "/bot", "GET, POST")]:
        r = http.request(method, path, body=b"" if method != "GET" else None)
        assert r.status == 405 and r.header("allow") == allow, (method, path, r.status)
    assert http.get("/bot").status == 200                 # still signed in


def test_malformed_and_oversized_bodies_save_nothing(web):
    http = do_setup(web)
    csrf, rev = form_tokens(http.get("/admins").text)
    rev0 = broker_rev(web.broker)
    raw = "csrf=" + csrf + "&rev=" + str(rev)

    def post_raw(body, ctype="application/x-www-form-urlencoded", path="/admins", extra=None):
        h = {"Content-Type": ctype}
        h.update(extra or {})
        return http.request("POST", path, body=body, headers=h)

    assert post_raw((raw + "&admins[0].id=%zz").encode()).status == 400
    assert post_raw((raw + "&admins[0].id=%ff%fe").encode()).status == 400       # not UTF-8
    assert post_raw((raw + "&admins[0].note=a%00b").encode()).status == 400      # NUL
    assert post_raw((raw + "&=x").encode()).status == 400
    assert post_raw(("csrf=" + csrf + "&admins[0].id=1").encode()).status == 400  # no rev
    assert post_raw((raw + "&admins[99999999].id=1").encode()).status == 400
    r = post_raw((raw + "&admins[0].note=" + "a" * (2 * 1024 * 1024)).encode())
    assert r.status == 413 and "larger than ddc-web accepts" in r.text
    # far too large: refused from the headers alone, before any body is read
    s = socket.create_connection(("127.0.0.1", web.port), timeout=10)
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    s.sendall(f"POST /admins HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: "
              f"application/x-www-form-urlencoded\r\nContent-Length: {64 << 20}\r\n\r\n".encode())
    assert s.recv(4096).startswith(b"HTTP/1.1 413")
    s.close()
    # the JSON API
    api = {"X-CSRF-Token": csrf}
    assert post_raw(b"{", "application/json", "/api/section/admins", api).status == 400
    assert post_raw(b'{"rev":1}', "application/json", "/api/section/admins", api).status == 400
    assert post_raw(b'{"rev":-1,"value":[]}', "application/json", "/api/section/admins",
                    api).status == 400
    assert post_raw(b'{"rev":0,"value":[]} x', "application/json", "/api/section/admins",
                    api).status == 400
    assert post_raw(b"[" * 100 + b"]" * 100, "application/json", "/api/section/admins",
                    api).status == 400
    # strict JSON: no NUL or lone surrogate escapes, no bytes that are not UTF-8
    for body in (b'{"rev":0,"value":[{"id":"1","note":"a\\u0000b"}]}',
                 b'{"rev":0,"value":[{"id":"1","note":"\\ud800"}]}',
                 b'{"rev":0,"value":[{"id":"1","note":"\xff"}]}', b'{"rev":0,"value":[]}\0'):
        r = post_raw(body, "application/json", "/api/section/admins", api)
        assert r.status == 400 and "not valid JSON" in r.text, (body, r.status, r.text)
    assert post_raw(b'{"rev":0,"value":[]}', "text/plain", "/api/section/admins", api).status == 415
    assert post_raw(b'{"rev":0,"value":"' + b"x" * (2 * 1024 * 1024) + b'"}', "application/json",
                    "/api/section/admins", api).status == 413
    assert broker_rev(web.broker) == rev0
    # a refused value (INVALID) saves nothing either and shows the errors at their inputs
    r = post_raw((raw + "&admins[0].id=12&admins[0].note=x&admins[1].id=223344556677889900").encode())
    assert r.status == 422
    assert re.search(r'data-field="admins\[0\]\.id".*?<ul class="field-errors"', r.text, re.S)
    assert 'aria-invalid="true"' in r.text
    assert broker_rev(web.broker) == rev0


def test_conflict_never_overwrites(web):
    http = do_setup(web)
    csrf, rev = form_tokens(http.get("/watchdog").text)
    # someone else saves first
    _, wd = section(web.broker, "watchdog")
    wd["interval_minutes"] = 7
    save(web.broker, "watchdog", wd)
    r = http.post("/watchdog", {"csrf": csrf, "rev": rev, "watchdog.interval_minutes": "9",
                                "watchdog.url": ""})
    assert r.status == 409 and 'id="conflict"' in r.text and 'value="9"' in r.text
    assert section(web.broker, "watchdog")[1]["interval_minutes"] == 7
    # reloading gives the new revision, and saving from it works
    csrf, rev2 = form_tokens(http.get("/watchdog").text)
    assert rev2 > rev
    r = http.post("/watchdog", {"csrf": csrf, "rev": rev2, "watchdog.interval_minutes": "9",
                                "watchdog.url": ""})
    assert r.status == 303
    assert section(web.broker, "watchdog")[1]["interval_minutes"] == 9


def test_json_api(web):
    http = do_setup(web)
    csrf, _ = form_tokens(http.get("/").text)
    r = http.get("/api/section/bot")
    assert r.status == 200
    body = json.loads(r.text)
    assert body["section"] == "bot" and set(body["value"]) >= {"token", "guild_id"}
    body = json.dumps({"rev": body["rev"], "value": {**body["value"], "language": "de"}}).encode()
    r = http.request("POST", "/api/section/bot", body=body,
                     headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
    assert r.status == 200, r.text
    out = json.loads(r.text)
    assert out["result"] == "ok" and out["changed"] is True
    r = http.request("POST", "/api/section/bot", body=body,
                     headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
    assert r.status == 409 and json.loads(r.text)["result"] == "conflict"
    assert Http(web.port).get("/api/section/bot").status == 401
    web_sec = json.loads(http.get("/api/section/web").text)
    assert web_sec["value"]["password_hash"] == "***"


def test_health_and_metrics(web):
    r = Http(web.port).get("/health")
    assert r.status == 200
    h = json.loads(r.text)
    assert h["broker"] is True and h["status"] == "ok" and h["setup_required"] is True
    assert h["version"] and isinstance(h["revision"], int)
    http = do_setup(web)
    csrf, rev = form_tokens(http.get("/docker").text)
    http.post("/docker", {"csrf": csrf, "rev": rev, "docker.stats_interval_seconds": "20",
                          "docker.stop_timeout_seconds": "10"})
    http.post("/docker", {"csrf": csrf, "rev": rev, "docker.stats_interval_seconds": "1",
                          "docker.stop_timeout_seconds": "10"})
    # /metrics: for a signed-in browser (or the bearer token, test_metrics.py)
    m = Http(web.port).get("/metrics")
    assert m.status == 401 and m.header("www-authenticate").startswith("Bearer ")
    assert "ddc_web" not in m.text
    m = http.get("/metrics")
    assert m.status == 200 and m.header("content-type").startswith("text/plain")
    text = m.text
    f = promtext.parse(text)
    rev_now = broker_rev(web.broker)
    me = {"service": "web", "host": "tweb"}
    assert promtext.value(f, "ddc_web_broker_up", **me) == 1
    assert promtext.value(f, "ddc_web_requests_total", code=200, **me) >= 1
    assert promtext.value(f, "ddc_web_requests_total", code=401, **me) == 1
    assert promtext.value(f, "ddc_web_saves_total", result="ok", **me) == 1
    assert promtext.value(f, "ddc_web_saves_total", result="invalid", **me) == 1
    assert promtext.value(f, "ddc_web_metrics_refused_total", **me) == 1
    assert promtext.value(f, "ddc_web_config_revision", **me) == rev_now
    assert "$argon2id$" not in text and PASSWORD not in text
    assert json.loads(Http(web.port).get("/health").text)["revision"] == rev_now


def test_broker_down_gives_503_then_recovers(web):
    http = do_setup(web)
    csrf, rev = form_tokens(http.get("/admins").text)
    # the dashboard was just shown from a fresh peers table; once the
    # broker is gone the next load gives the 503 page all the same, not
    # that table (ddc-web sees the CTL connection drop)
    assert http.get("/").status == 200
    pid = web.proc.pid
    web.broker.stop()
    t0 = time.monotonic()
    r = http.get("/", timeout=10)
    assert r.status == 503 and time.monotonic() - t0 < 3.0
    assert "cannot be reached" in r.text and r.header("retry-after")
    # every page answers 503 within 3 s from now on, none hangs
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        t = time.monotonic()
        r = http.get("/bot", timeout=10)
        assert time.monotonic() - t < 3.0
        if r.status == 503:
            break
        time.sleep(0.2)
    assert r.status == 503
    t = time.monotonic()
    r = http.post("/admins", {"csrf": csrf, "rev": rev, "admins[0].id": "223344556677889900"},
                  timeout=10)
    assert r.status == 503 and time.monotonic() - t < 3.0
    h = Http(web.port).get("/health")
    assert h.status == 503 and json.loads(h.text)["broker"] is False
    assert promtext.value(promtext.parse(http.get("/metrics").text), "ddc_web_broker_up",
                          service="web", host="tweb") == 0
    # the broker returns: pages work again, same ddc-web process
    web.broker.start()
    wait_for(lambda: http.get("/bot", timeout=5).status == 200, timeout=15, what="recovery")
    assert web.proc.pid == pid and web.proc.alive()
    csrf, rev = form_tokens(http.get("/admins").text)
    r = http.post("/admins", {"csrf": csrf, "rev": rev, "admins[0].id": "223344556677889900"})
    assert r.status == 303
    assert section(web.broker, "admins")[1][0]["id"] == "223344556677889900"


def test_a_save_without_the_broker_keeps_the_input(web):
    """A save while the broker is away answers 503 with the form as it was
    sent (not an error page), and the same form saves once it is back."""
    http = do_setup(web)
    csrf, rev = form_tokens(http.get("/admins").text)
    web.broker.stop()
    wait_for(lambda: http.get("/bot", timeout=5).status == 503, timeout=10, what="503")
    fields = {"csrf": csrf, "rev": rev, "admins[0].id": "223344556677889900",
              "admins[0].note": "typed <while> away"}
    r = http.post("/admins", fields, timeout=10)
    assert r.status == 503 and 'id="save-failed"' in r.text and "Nothing was saved" in r.text
    assert 'value="223344556677889900"' in r.text
    assert 'value="typed &lt;while&gt; away"' in r.text
    assert form_tokens(r.text) == (csrf, rev)
    web.broker.start()
    wait_for(lambda: http.get("/bot", timeout=5).status == 200, timeout=15, what="recovery")
    r = http.post("/admins", fields)
    assert r.status == 303
    assert section(web.broker, "admins")[1][0]["note"] == "typed <while> away"


def test_human_messages_history_and_rollback(web):
    """Refusals name the field by its label; History names sections and
    fields as the pages do; the current revision offers no rollback."""
    http = do_setup(web)
    csrf, rev = form_tokens(http.get("/bot").text)
    r = http.post("/bot", {"csrf": csrf, "rev": rev, "bot.token": "", "bot.guild_id": "12",
                           "bot.language": "en", "bot.timezone": "UTC"})
    assert r.status == 422
    err = re.search(r'<li data-field="bot\.guild_id">([^<]*)</li>', r.text).group(1)
    assert err.startswith("Server (guild) ID must be 17 to 20 digits") and "snowflake" not in err
    csrf, rev = form_tokens(http.get("/cooldowns").text)
    page = http.get("/cooldowns").text
    assert ">Restart all</label>" in page and "<code>restart_all" not in page
    r = http.post("/cooldowns", {"csrf": csrf, "rev": rev, "spam.enabled": "1",
                                 "spam.button_cooldowns.restart_all": "60"})
    assert r.status == 303
    first = section(web.broker, "spam")[0]
    r = http.post("/cooldowns", {"csrf": form_tokens(http.get("/cooldowns").text)[0],
                                 "rev": first, "spam.enabled": "1",
                                 "spam.button_cooldowns.restart_all": "90"})
    assert r.status == 303
    current = section(web.broker, "spam")[0]
    hist = http.get("/history?section=spam").text
    assert ">Cooldowns</td>" in hist and "Buttons: Restart all" in hist
    assert re.search(r'<time class="local" datetime="\d{4}-\d\d-\d\dT[0-9:]{8}Z">', hist)
    page = http.get(f"/history/{current}").text
    assert 'id="rollback"' not in page and 'id="rollback-current"' in page
    page = http.get(f"/history/{first}").text
    assert 'id="rollback"' in page
    csrf = form_tokens(page)[0]
    r = http.post("/history/rollback", {"csrf": csrf, "section": "spam", "rev": first})
    assert r.status == 303
    latest = section(web.broker, "spam")[0]
    page = http.get(f"/history/{latest}").text
    assert f"(rollback to revision {first})" in page


def test_tasks_made_ids_and_next_runs(web):
    """A task saved without an id gets one; each shows its next run in its
    own zone; a cron task runs by its schedule."""
    http = do_setup(web)
    save(web.broker, "containers", [{"host": "nas", "name": "plex", "display_name": "Plex",
                                     "active": True, "allowed_actions": ["restart"]}],
         section(web.broker, "containers")[0])
    wait_for(lambda: 'value="nas/plex"' in http.get("/tasks").text, timeout=5,
             what="the container in the tasks' picker")
    csrf, rev = form_tokens(http.get("/tasks").text)
    r = http.post("/tasks", {"csrf": csrf, "rev": rev,
                             "tasks[0].target": "nas/plex", "tasks[0].action": "restart",
                             "tasks[0].cycle": "weekly", "tasks[0].weekday": "mon",
                             "tasks[0].time": "04:15", "tasks[0].timezone": "Asia/Tokyo",
                             "tasks[0].active": "1",
                             "tasks[1].target": "nas/plex", "tasks[1].action": "restart",
                             "tasks[1].cycle": "cron", "tasks[1].cron": "0 */6 * * *",
                             "tasks[1].timezone": "UTC", "tasks[1].active": "1"})
    assert r.status == 303, r.text
    tasks = section(web.broker, "tasks")[1]
    assert [t["id"] for t in tasks] == ["plex-restart-weekly", "plex-restart-cron"]
    assert tasks[1]["cron"] == "0 */6 * * *" and "time" not in tasks[1]
    page = http.get("/tasks").text
    runs = re.findall(r'<td class="next" data-label="Next run"><time class="zoned" datetime="([^"]+)">([^<]+)</time> '
                      r'<small class="muted">([^<]+)</small>', page)
    assert len(runs) == 2
    now = datetime.datetime.now(datetime.timezone.utc)
    weekly = datetime.datetime.fromisoformat(runs[0][0].replace("Z", "+00:00"))
    tokyo = weekly + datetime.timedelta(hours=9)
    assert 0 < (weekly - now).total_seconds() <= 7 * 86400
    assert tokyo.weekday() == 0 and tokyo.strftime("%H:%M") == "04:15"
    assert runs[0][1] == "Monday " + tokyo.strftime("%Y-%m-%d") + "\u00a004:15"
    assert runs[0][2] == "Asia/Tokyo"
    cron = datetime.datetime.fromisoformat(runs[1][0].replace("Z", "+00:00"))
    assert 0 < (cron - now).total_seconds() <= 6 * 3600 and cron.hour % 6 == 0
    assert cron.minute == 0


def test_live_events_stream(web):
    http = do_setup(web)
    s = socket.create_connection(("127.0.0.1", web.port), timeout=10)
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    s.sendall(f"GET /events HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
    data = b""

    def read_until(pred, timeout=10):
        nonlocal data
        deadline = time.monotonic() + timeout
        while not pred() and time.monotonic() < deadline:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
        return pred()

    assert read_until(lambda: b"event: view" in data)
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("HTTP/1.1 200") and "text/event-stream" in head
    assert "content-length" not in head.lower()
    # a change made elsewhere shows up as a new view with the applied revision
    new_rev = save(web.broker, "admins", [{"id": "223344556677889900", "note": "live"}])
    assert read_until(lambda: f'"admins":{new_rev}'.encode() in data)
    s.close()
    # without a session: 401, not a stream
    r = Http(web.port).get("/events")
    assert r.status == 401


class EventStream:
    """/events read from a raw socket: (name, data, size) per event."""

    def __init__(self, port, cookies):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.s.sendall(f"GET /events HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
        self.buf = b""
        head = self._until(b"\r\n\r\n", 10)
        assert head.startswith(b"HTTP/1.1 200"), head

    def _until(self, sep, timeout):
        deadline = time.monotonic() + timeout
        while sep not in self.buf:
            left = deadline - time.monotonic()
            assert left > 0, f"nothing within {timeout} s"
            self.s.settimeout(left)
            chunk = self.s.recv(1 << 20)
            assert chunk, "the stream closed"
            self.buf += chunk
        out, _, self.buf = self.buf.partition(sep)
        return out

    def event(self, timeout=15):
        while True:
            block = self._until(b"\n\n", timeout)
            lines = block.decode().split("\n")
            name = next((x[7:] for x in lines if x.startswith("event: ")), None)
            if name:
                data = "".join(x[6:] for x in lines if x.startswith("data: "))
                return name, json.loads(data), len(block)

    def close(self):
        self.s.close()


def test_live_view_many_hosts_sends_what_changed(web):
    """20 hosts of 50 configured containers each (a whole view of over a
    MiB): one container's change reaches the open live view as that one
    row, and the stream stays open."""
    hosts, per = 20, 50
    save(web.broker, "containers", [{"host": f"h{k:02}", "name": f"box-{k}-{i}",
                                     "display_name": f"Box {k}.{i}", "order": i}
                                    for k in range(hosts) for i in range(per)])
    agents = []

    def ping():                 # a quiet peer turns disconnected after 5 s
        for a in agents:
            a.send("PING", a.req_id(), 0)
        return True

    def report(k, states):
        ping()
        body = {"host": f"h{k:02}", "time": "2026-01-01T00:00:00Z",
                "docker": {"reachable": True, "version": "27.0", "error": None},
                "containers": {f"box-{k}-{i}": {"exists": True, "state": states.get(i, "running"),
                                                "health": None, "uptime_s": 60, "cpu_percent": 1.5,
                                                "mem_bytes": 50 << 20, "mem_limit": None}
                               for i in range(per)}}
        agents[k].send("REPORT", agents[k].req_id(), "status", json.dumps(body))

    try:
        for k in range(hosts):
            agents.append(RawClient(web.broker.ctl, role="docker", instance=f"h{k:02}"))
            agents[-1].hello()
            report(k, {})
        http = do_setup(web)
        wait_for(lambda: ping() and http.get("/").text.count('<tr data-container="') == hosts * per,
                 timeout=20, what="every row on the dashboard")
        ev = EventStream(web.port, http.cookies)
        name, first, size = ev.event()
        assert name == "view" and size > 1024 * 1024
        assert sum(len(h["containers"]) for h in first["view"]["hosts"]) == hosts * per
        # one container stops: a patch with that row, however large the view
        report(7, {3: "exited"})
        while True:
            name, msg, size = ev.event()
            assert name == "patch", name
            rows = [(h["view"]["host"], r["view"]["name"], r["view"]["state"], r["html"])
                    for h in msg["hosts"] for r in h.get("rows", [])]
            if rows:
                break
        assert [r[:3] for r in rows] == [("h07", "box-7-3", "exited")]
        assert rows[0][3].startswith('<tr data-container="h07/box-7-3"')
        assert 'data-state="exited"' in rows[0][3]
        assert size < 32 * 1024
        # and back: the stream is still open
        report(7, {})
        while True:
            name, msg, size = ev.event()
            rows = [r["view"] for h in msg.get("hosts", []) for r in h.get("rows", [])]
            if rows:
                break
        assert name == "patch" and [(r["name"], r["state"]) for r in rows] == [("box-7-3", "running")]
        ev.close()
    finally:
        for a in agents:
            a.close()


def werkzeug_pbkdf2(password, salt="Ab12Cd34", iterations=600000):
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2:sha256:{iterations}${salt}${dk.hex()}"


def werkzeug_scrypt(password, salt="Zx98Yw76Vu54Ts32"):
    dk = hashlib.scrypt(password.encode(), salt=salt.encode(), n=32768, r=8, p=1,
                        maxmem=132 * 32768 * 8, dklen=64)
    return f"scrypt:32768:8:1${salt}${dk.hex()}"


@pytest.mark.parametrize("maker", [werkzeug_pbkdf2, werkzeug_scrypt])
def test_werkzeug_hash_login_rehashes_to_argon2id(web, maker):
    legacy = maker(PASSWORD)
    save(web.broker, "web", {"password_hash": legacy, "session_idle_minutes": 30,
                             "ui_language": "en"})
    wait_for(lambda: Http(web.port).get("/setup").header("location") == "/login", timeout=5,
             what="ddc-web to see the imported hash")
    assert Http(web.port).post("/login", {"password": "Wrong-Password-1"}).status == 401
    assert web.broker.config()["web"]["password_hash"] == legacy
    http = Http(web.port)
    r = http.post("/login", {"password": PASSWORD})
    assert r.status == 303
    assert http.get("/bot").status == 200                 # the cookie fits the new hash
    wait_for(lambda: web.broker.config()["web"]["password_hash"].startswith("$argon2id$"),
             timeout=5, what="the rehash to be saved")
    assert promtext.value(promtext.parse(http.get("/metrics").text),
                          "ddc_web_password_rehashes_total", host="tweb") == 1
    # and the new hash works for the next sign-in
    assert signed_in(web).get("/").status == 200
    assert legacy not in web.log() and PASSWORD not in web.log()


def test_clean_shutdown_on_sigterm(web):
    t = time.monotonic()
    stop_clean(web)
    assert time.monotonic() - t < 5


def test_pages_in_french_and_every_language_offered(web):
    """web.ui_language "fr": every page speaks French (the page's lang, the
    navigation, the sign-in page, the strings the script gets); the Web UI
    page offers every language of the catalogue by its own name."""
    http = do_setup(web)
    value = dict(web.broker.config()["web"], ui_language="fr")
    save(web.broker, "web", value)
    page = wait_for(lambda: (lambda r: r.text if 'lang="fr"' in r.text else None)(http.get("/")),
                    what="the dashboard in French")
    assert "Tableau de bord" in page and "Conteneurs" in page and "Se déconnecter" in page
    script = json.loads(re.search(r'<script type="application/json" id="i18n">(.*?)</script>',
                                  page, re.S).group(1))
    assert script["applied"] == "appliqué" and script["state.running"] == "en marche"
    webui = http.get("/webui").text
    for code, name in (("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"),
                       ("it", "Italiano"), ("nl", "Nederlands"), ("pl", "Polski"),
                       ("pt-BR", "Português (Brasil)"), ("ru", "Русский"), ("sv", "Svenska"),
                       ("tr", "Türkçe"), ("zh-CN", "简体中文")):
        assert f'<option value="{code}"' in webui and f">{name}</option>" in webui, code
    assert '<option value="fr" selected>' in webui
    login = Http(web.port).get("/login").text
    assert 'lang="fr"' in login and "Se connecter" in login and "Mot de passe" in login
