"""Two ddc-web replicas against one ddc-broker, all real processes: the
first-run setup code and the sign-in limit are the broker's (proto/ddcp.md
5.10 and 5.11), so a browser may reach either replica for each request.

A setup code read from the broker's file, its log or `ddc-ctl setup-code` is
accepted by every replica (and never appears in a replica's log); wrong
codes and failed sign-ins count across replicas (5 in all, then 429 on
both, per client address as X-Forwarded-For gives it); two replicas setting
the first password at once set one; the code survives a broker restart and
is used up by the password everywhere; `ddc-ctl passwd --clear` makes a new
one. Also the broker's own checks of SETUP, SETUPCODE and THROTTLE (roles,
bad input, retries) with raw DDCP/1 frames.
"""
import json
import os
import threading

import pytest

import promtext
from conftest import Broker, RawClient, wait_for
from test_web_http import PASSWORD, Http, Web, ctl, stop_clean

OTHER_PASSWORD = "Another-Pass-99"


@pytest.fixture
def pair(tmp):
    """A broker and two replicas that take the client address from
    X-Forwarded-For (as behind a proxy). The second is started with the
    --setup-code-file of older command lines, which is accepted and
    ignored."""
    b = Broker(tmp).start()
    old_file = os.path.join(tmp, "old-setup-code-file")
    webs = [Web(tmp, b, "a", extra=["--trust-forwarded-for"]),
            Web(tmp, b, "b", extra=["--trust-forwarded-for", "--setup-code-file", old_file])]
    try:
        for w in webs:
            w.start()
        yield webs
        for w in webs:
            stop_clean(w)
    finally:
        for w in webs:
            if w.proc:
                w.proc.stop()
        b.stop()


def post(web, addr, path, fields, http=None):
    return (http or Http(web.port)).post(path, fields, headers={"X-Forwarded-For": addr})


def setup_form(code, password=PASSWORD):
    return {"code": code, "password": password, "confirm": password}


def ctl_code(web):
    r = ctl(web, "setup-code")
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def set_up(web, addr="192.0.2.200"):
    r = post(web, addr, "/setup", setup_form(web.code()))
    assert r.status == 303 and r.header("location") == "/", r.text


def both_at_setup(webs):
    wait_for(lambda: all(Http(w.port).get("/").header("location") == "/setup" for w in webs),
             what="every replica at first-run setup")


def both_at_login(webs):
    wait_for(lambda: all(Http(w.port).get("/setup").header("location") == "/login" for w in webs),
             what="every replica to know the password")


# ---- the setup code ------------------------------------------------------------

def test_one_setup_code_for_every_replica(pair):
    a, b = pair
    code = a.code()
    # one code, wherever the operator reads it; no replica logs it
    assert ctl_code(a) == code
    assert f"setup code is {code}" in a.broker.proc.text()
    for w in pair:
        wait_for(lambda: f"http://127.0.0.1:{w.port}/setup" in w.log(), what="first-run hint")
        assert code not in w.log()
    assert "--setup-code-file is ignored" in b.log()
    assert not os.path.exists(os.path.join(a.tmp, "old-setup-code-file"))
    rev0 = a.broker.config()["_meta"]["rev"]

    # wrong codes count across the replicas: five, then even the right one waits
    for i in range(5):
        r = post(pair[i % 2], "198.51.100.7", "/setup", setup_form("ABCD-EFGH-JKLM"))
        assert r.status == 403 and "setup code is not right" in r.text, (i, r.status)
    for w in pair:
        r = post(w, "198.51.100.7", "/setup", setup_form(code))
        assert r.status == 429 and 200 <= int(r.header("retry-after")) <= 300
    assert a.broker.config()["_meta"]["rev"] == rev0

    # from another address the code read from the broker works on replica b,
    # and the session works on replica a too
    http = Http(b.port)
    r = post(b, "198.51.100.8", "/setup", setup_form(code.replace("-", "").lower()), http=http)
    assert r.status == 303 and r.header("location") == "/", r.text
    stored = a.broker.config()["web"]["password_hash"]
    assert stored.startswith("$argon2id$")
    wait_for(lambda: Http(a.port).get("/setup").header("location") == "/login",
             what="replica a to see the password")
    session = Http(a.port)
    session.cookies = dict(http.cookies)
    assert session.get("/bot").status == 200

    # used up everywhere: no replica takes it, the broker has none
    for w in pair:
        r = post(w, "198.51.100.9", "/setup", setup_form(code, OTHER_PASSWORD))
        assert r.status == 303 and r.header("location") == "/login"
    r = ctl(a, "setup-code")
    assert r.returncode == 1 and "password is set" in r.stderr
    assert not os.path.exists(a.code_file)
    assert "setup code is used up" in a.broker.proc.text()
    assert a.broker.config()["web"]["password_hash"] == stored
    for w in pair:
        assert code not in w.log() and stored not in w.log() and PASSWORD not in w.log()


def test_racing_replicas_set_one_password(pair):
    a, b = pair
    code = a.code()
    results = {}

    def go(w, addr, password):
        results[w.name] = post(w, addr, "/setup", setup_form(code, password))

    threads = [threading.Thread(target=go, args=(a, "198.51.100.20", PASSWORD)),
               threading.Thread(target=go, args=(b, "198.51.100.21", OTHER_PASSWORD))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [n for n, r in results.items() if r.status == 303 and r.header("location") == "/"]
    assert len(winners) == 1, {n: (r.status, r.header("location")) for n, r in results.items()}
    loser = results["b" if winners == ["a"] else "a"]
    # refused by the broker (409), or by a replica that already knew the password
    assert loser.status == 409 or loser.header("location") == "/login"
    won = PASSWORD if winners == ["a"] else OTHER_PASSWORD
    lost = OTHER_PASSWORD if won == PASSWORD else PASSWORD
    both_at_login(pair)
    for w in pair:
        assert post(w, "198.51.100.22", "/login", {"password": won}).status == 303
        assert post(w, "198.51.100.23", "/login", {"password": lost}).status == 401


def test_setup_code_survives_a_broker_restart(pair):
    a, b = pair
    code = a.code()
    a.broker.stop()
    a.broker.start()
    assert a.code() == code and ctl_code(a) == code
    assert a.broker.proc.text().count(f"setup code is {code}") == 2
    wait_for(lambda: all(w.healthy() for w in pair), timeout=15, what="replicas back")
    set_up(b)
    assert not os.path.exists(a.code_file)


def test_passwd_clear_makes_a_new_code(pair):
    a, b = pair
    old = a.code()
    set_up(a)
    assert ctl(a, "passwd", "--clear").returncode == 0
    new = ctl_code(a)
    assert new != old and a.code() == new
    assert f"setup code is {new}" in a.broker.proc.text()
    both_at_setup(pair)
    r = post(b, "198.51.100.30", "/setup", setup_form(old))
    assert r.status == 403
    r = post(b, "198.51.100.30", "/setup", setup_form(new))
    assert r.status == 303 and r.header("location") == "/"


# ---- the sign-in limit -----------------------------------------------------------

def test_failed_sign_ins_count_across_replicas(pair):
    a, b = pair
    set_up(a)
    both_at_login(pair)
    # five failures spread over both replicas: 429 on both
    for i in range(5):
        r = post(pair[i % 2], "203.0.113.5", "/login", {"password": "Wrong-Password-1"})
        assert r.status == 401, (i, r.status)
    for w in pair:
        r = post(w, "203.0.113.5", "/login", {"password": PASSWORD})
        assert r.status == 429 and 200 <= int(r.header("retry-after")) <= 300
        assert not any(c.startswith("ddc_session=") for c in r.headers_all("set-cookie"))
    # per address: another one signs in, and so does the socket address
    assert post(b, "203.0.113.6", "/login", {"password": PASSWORD}).status == 303
    assert Http(a.port).post("/login", {"password": PASSWORD}).status == 303
    # a success clears the count across the replicas
    for i in range(4):
        assert post(pair[i % 2], "203.0.113.7", "/login", {"password": "Wrong-Password-1"}).status == 401
    assert post(a, "203.0.113.7", "/login", {"password": PASSWORD}).status == 303
    for i in range(4):
        assert post(pair[i % 2], "203.0.113.7", "/login", {"password": "Wrong-Password-1"}).status == 401
    assert post(b, "203.0.113.7", "/login", {"password": PASSWORD}).status == 303
    # each replica counts what it refused (its own metrics, host label t<name>,
    # read by a signed-in browser: /metrics is not for anyone)
    signed_in = Http(a.port)
    assert signed_in.post("/login", {"password": PASSWORD}).status == 303
    def limited():
        r = signed_in.get("/metrics")
        if r.status != 200:
            return None
        f = promtext.parse(r.text)
        got = [promtext.value(f, "ddc_web_logins_total", result="limited", service="web",
                              host="t" + w.name) for w in pair]
        return got if got == [1, 1] else None
    # the other replica's figures come with its next metrics report (10 s)
    wait_for(limited, timeout=15, step=0.5, what="each replica's limited sign-ins: 1")


def test_sign_in_needs_the_broker(pair):
    a, b = pair
    set_up(a)
    both_at_login(pair)
    a.broker.stop()
    for w in pair:
        wait_for(lambda: post(w, "203.0.113.9", "/login", {"password": PASSWORD}).status == 503,
                 timeout=10, what="503 without the broker")
    a.broker.start()
    for w in pair:
        wait_for(lambda: post(w, "203.0.113.9", "/login", {"password": PASSWORD}).status == 303,
                 timeout=15, what="sign-in once the broker is back")


# ---- the broker's side, in raw frames ------------------------------------------------

WEB_VALUE = {"password_hash": "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
             "session_idle_minutes": 30, "ui_language": "en"}


def test_broker_guards_setup_and_throttle(tmp):
    b = Broker(tmp).start()
    web = RawClient(b.ctl, role="web")
    op = RawClient(b.ctl, role="ctl")
    mon = RawClient(b.ctl, role="monitor")
    try:
        for c in (web, op, mon):
            c.hello()
        code = op.request("SETUPCODE")
        assert code[0] == "CODE" and len(code[2]) == 14
        code = code[2]
        # only the operator reads the code; only the web role uses it
        r = web.request("SETUPCODE")
        assert r[0] == "ERROR" and r[2] == "403"
        r = op.request("SETUP", code, "0", "op", json.dumps(WEB_VALUE))
        assert r[0] == "ERROR" and r[2] == "403"
        r = mon.request("THROTTLE", "take", "192.0.2.1")
        assert r[0] == "ERROR" and r[2] == "403"
        # the web role cannot set the first password with a plain SAVE
        r = web.save("web", WEB_VALUE)
        assert r[0] == "DENIED" and "setup code" in r[2]
        # a wrong code, a value without a password, bad frames
        r = web.request("SETUP", "ABCD-EFGH-JKLM", "0", "t", json.dumps(WEB_VALUE))
        assert r[0] == "DENIED" and "not right" in r[2]
        r = web.request("SETUP", code, "0", "t", json.dumps(dict(WEB_VALUE, password_hash="***")))
        assert r[0] == "ERROR" and r[2] == "400"
        r = web.request("SETUP", code, "0", "t", "[]")
        assert r[0] == "ERROR" and r[2] == "400"
        r = web.request("THROTTLE", "peek", "192.0.2.1")
        assert r[0] == "ERROR" and r[2] == "400"
        r = web.request("THROTTLE", "take", "k" * 64)
        assert r[0] == "ERROR" and r[2] == "400"
        r = web.request("THROTTLE", "take", "")
        assert r[0] == "ERROR" and r[2] == "400"
        assert b.config()["web"]["password_hash"] == ""

        # five attempts per key, then the wait until the first leaves the window
        for _ in range(5):
            r = web.request("THROTTLE", "take", "192.0.2.1")
            assert r[0] == "WAIT" and r[2] == "0"
        r = web.request("THROTTLE", "take", "192.0.2.1")
        assert r[0] == "WAIT" and 290000 < int(r[2]) <= 300000
        assert web.request("THROTTLE", "take", "192.0.2.2")[2] == "0"
        assert web.request("THROTTLE", "clear", "192.0.2.1")[2] == "0"
        assert web.request("THROTTLE", "take", "192.0.2.1")[2] == "0"

        # the right code sets the password once; a retry gets the same answer
        rid = web.req_id()
        web.send("SETUP", rid, code, "0", "t", json.dumps(WEB_VALUE))
        first = web.recv()
        assert first[0] == "OK" and first[4] == "1"
        web.send("SETUP", rid, code, "0", "t", json.dumps(WEB_VALUE))
        assert web.recv() == first
        assert b.config()["web"]["password_hash"] == WEB_VALUE["password_hash"]
        assert not os.path.exists(os.path.join(b.data, "web-setup-code"))
        r = web.request("SETUP", code, "0", "t", json.dumps(WEB_VALUE))
        assert r[0] == "ERROR" and r[2] == "410"
        r = op.request("SETUPCODE")
        assert r[0] == "ERROR" and r[2] == "410"
        # with a password set, the web role changes it with a plain SAVE
        r = web.save("web", dict(WEB_VALUE, password_hash=WEB_VALUE["password_hash"] + "x"))
        assert r[0] == "OK"
        # an operator removes it: a new code at once
        r = op.save("web", dict(WEB_VALUE, password_hash=""))
        assert r[0] == "OK"
        again = op.request("SETUPCODE")
        assert again[0] == "CODE" and again[2] != code
        with open(os.path.join(b.data, "web-setup-code")) as f:
            assert f.read() == again[2] + "\n"
        log = b.proc.text()
        assert WEB_VALUE["password_hash"] not in log
    finally:
        for c in (web, op, mon):
            c.close()
        b.stop()
