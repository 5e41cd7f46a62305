"""Container actions and logs from ddc-web end to end: a real broker, a real
ddc-docker, a real Docker engine (busybox containers, as in test_docker.py)
and ddc-web over HTTP. Start and stop from the containers page's buttons
(a form with the CSRF token, as a browser without the script sends it) and
from /api/action change the container's state and are recorded by the
broker as the web user from the browser's address; an action the
container does not allow is refused by the agent (and recorded); the log
page shows the newest lines escaped, /logs/events follows a new line as
it is written, /logs/download is a text file; logs of a container that
does not allow them are refused everywhere.
"""
import json
import re
import socket
import time

from conftest import RawClient, sh, wait_for
from test_docker import inspect
from test_web_http import Http, Web, do_setup, form_tokens, stop_clean


def raw_audit(broker, **query):
    c = RawClient(broker.ctl)
    try:
        c.hello()
        r = c.request("AUDIT", json.dumps(query))
        assert r and r[0] == "ENTRIES", r
        return json.loads(r[2])["entries"]
    finally:
        c.close()


def running(name):
    return inspect(name)["State"]["Running"]


class Events:
    """A Server-Sent Events stream read from a raw socket (the response has
    no length: it ends when the connection does)."""

    def __init__(self, port, path, cookies):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                        "Accept: text/event-stream\r\n\r\n").encode())
        self.buf = b""
        head = self._until(b"\r\n\r\n", 10)
        self.status = int(head.split(b" ", 2)[1])
        self.head = head.decode()

    def _until(self, sep, timeout):
        deadline = time.monotonic() + timeout
        while sep not in self.buf:
            left = deadline - time.monotonic()
            assert left > 0, f"nothing ending in {sep!r} within {timeout} s: {self.buf[-500:]!r}"
            self.s.settimeout(left)
            chunk = self.s.recv(65536)
            assert chunk, f"the stream closed: {self.buf[-500:]!r}"
            self.buf += chunk
        out, _, self.buf = self.buf.partition(sep)
        return out

    def event(self, timeout=15):
        """The next event as (name, data), comments skipped."""
        while True:
            block = self._until(b"\n\n", timeout).decode()
            name, data = None, []
            for line in block.split("\n"):
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
            if name:
                return name, json.loads("\n".join(data))

    def close(self):
        self.s.close()


def setup_stack(tmp, broker, agents, ctr, log_cmd=None):
    """An agent with two containers: `free` allows everything, `locked`
    only restart. Returns (agent, web, http, free, locked)."""
    a = agents(broker)
    free = ctr.run(*(log_cmd or ()))
    locked = ctr.run()
    a.configure([(free, True, ["start", "stop", "restart", "logs"]),
                 (locked, True, ["restart"])])
    a.wait_container(free, lambda c: c["state"] == "running")
    w = Web(tmp, broker).start()
    http = do_setup(w)
    return a, w, http, free, locked


def test_start_stop_from_the_web_with_the_web_user(tmp, broker, agents, ctr):
    a, w, http, free, locked = setup_stack(tmp, broker, agents, ctr)
    try:
        page = http.get("/containers").text
        csrf, _ = form_tokens(page)
        # buttons for the allowed actions only, each labelled, one form for all
        assert page.count('id="ctr-action"') == 1
        for act in ("start", "stop", "restart"):
            assert f'value="{act}:{a.host}/{free}"' in page
        assert f'value="restart:{a.host}/{locked}"' in page
        assert f'value="stop:{a.host}/{locked}"' not in page
        assert f'value="start:{a.host}/{locked}"' not in page
        assert re.search(rf'value="stop:{a.host}/{free}" aria-label="Stop {free} on {a.host}"', page)
        assert f'/logs?host={a.host}&amp;name={free}"' in page
        assert f'/logs?host={a.host}&amp;name={locked}"' not in page

        # stop from the page without the script: the result page, the state, the audit log
        r = http.post("/containers/action", {"csrf": csrf, "do": f"stop:{a.host}/{free}"})
        assert r.status == 200 and 'id="action-result" data-ok="1"' in r.text, r.text
        assert not running(free)
        e = raw_audit(broker, kind="action")[0]
        assert (e["action"], e["container"], e["host"], e["result"]) == ("stop", free, a.host, "ok")
        assert e["peer"] == "web@tweb" and e["for"] == {"user": "admin", "address": "127.0.0.1"}
        # the page shows the new state once the agent reported it
        wait_for(lambda: f'data-container="{a.host}/{free}" data-state="exited"'
                 in http.get("/containers").text, timeout=10, what="the exited state on the page")

        # start through the script's API
        r = http.request("POST", "/api/action",
                         json.dumps({"host": a.host, "container": free, "action": "start"}).encode(),
                         {"Content-Type": "application/json", "X-CSRF-Token": csrf})
        body = json.loads(r.text)
        assert r.status == 200 and body["ok"] is True and body["state"] == "running", r.text
        assert running(free)
        e = raw_audit(broker, kind="action")[0]
        assert (e["action"], e["result"], e["for"]["user"]) == ("start", "ok", "admin")

        # an action the container does not allow: refused by the agent, recorded
        r = http.post("/containers/action", {"csrf": csrf, "do": f"stop:{a.host}/{locked}"})
        assert r.status == 502 and 'data-ok="0"' in r.text, r.text
        assert "restart" in r.text              # the agent's reason names what is allowed
        assert running(locked)
        e = raw_audit(broker, kind="action")[0]
        assert (e["action"], e["container"], e["result"], e["error"]) == \
            ("stop", locked, "error", "refused")

        # no CSRF token, another site, a malformed button: nothing sent
        n = len(raw_audit(broker, kind="action"))
        assert http.post("/containers/action", {"do": f"stop:{a.host}/{free}"}).status == 403
        assert http.post("/containers/action", {"csrf": csrf, "do": f"stop:{a.host}/{free}"},
                         headers={"Origin": "http://evil.example"}).status == 403
        for bad in ("remove:x/y", f"stop:{a.host}", "stop", f"logs:{a.host}/{free}",
                    f"stop:{a.host}/../{free}"):
            assert http.post("/containers/action", {"csrf": csrf, "do": bad}).status == 400, bad
        assert http.get("/containers/action").status == 405
        assert len(raw_audit(broker, kind="action")) == n
        assert running(free)

        # the activity page filters them: by result, by who, by container
        page = http.get("/activity?result=error").text
        rows = re.findall(r'<tr data-kind="(\w+)" data-result="(\w*)"', page)
        assert rows == [("action", "error")], rows
        assert locked in page and 'option value="error" selected' in page
        page = http.get(f"/activity?who=ADMIN&container={free}").text
        rows = re.findall(r'<tr data-kind="(\w+)" data-result="(\w*)"', page)
        assert rows == [("action", "ok"), ("action", "ok")], rows
        assert http.get("/activity?who=nobody").text.count("<tr data-kind=") == 0
        page = http.get("/activity?who=web%40tweb&kind=config").text
        assert page.count("<tr data-kind=") == 1 and "first-run setup" in page   # its password

        # the dashboard lists the containers with the same controls
        wait_for(lambda: f'value="restart:{a.host}/{free}"' in http.get("/").text, timeout=10,
                 what="dashboard controls")
        dash = http.get("/").text
        assert dash.count('id="ctr-action"') == 1
        assert f'value="stop:{a.host}/{locked}"' not in dash
        stop_clean(w)
    finally:
        w.stop()


def test_log_view_follows_and_downloads(tmp, broker, agents, ctr):
    cmd = ("sh", "-c", "echo hello-1; echo '<b>esc</b> & more'; "
           "while [ ! -e /tmp/go ]; do sleep 0.1; done; echo after-go; sleep 100000")
    a, w, http, free, locked = setup_stack(tmp, broker, agents, ctr, log_cmd=cmd)
    try:
        q = f"host={a.host}&name={free}"
        wait_for(lambda: "hello-1" in http.get(f"/logs?{q}").text, timeout=10, what="first lines")
        page = http.get(f"/logs?{q}&lines=50")
        assert page.status == 200
        pre = re.search(r'<pre id="log"[^>]*>(.*?)</pre>', page.text, re.S).group(1)
        assert "hello-1" in pre and "&lt;b&gt;esc&lt;/b&gt; &amp; more" in pre and "<b>" not in pre
        assert 'aria-label="Log lines"' in page.text and 'for="log-lines"' in page.text
        assert 'href="/logs/download?' in page.text

        # follow live: the lines there are, then a new one as it is written
        ev = Events(w.port, f"/logs/events?{q}", http.cookies)
        try:
            assert ev.status == 200 and "text/event-stream" in ev.head
            name, data = ev.event()
            assert name == "lines" and data["reset"] is True and "hello-1" in data["lines"], data
            assert "<b>esc</b> & more" in data["lines"]
            sh("docker", "exec", free, "touch", "/tmp/go")
            t0 = time.monotonic()
            while True:
                name, data = ev.event()
                assert name == "lines", (name, data)
                if "after-go" in data["lines"]:
                    break
            assert data["reset"] is False and "hello-1" not in data["lines"], data
            assert time.monotonic() - t0 < 10
        finally:
            ev.close()

        # the download: a text file named after the host and container
        r = http.get(f"/logs/download?{q}")
        assert r.status == 200
        assert r.header("content-type") == "text/plain; charset=utf-8"
        disp = r.header("content-disposition")
        assert re.fullmatch(rf'attachment; filename="{a.host}-{free}-\d{{8}}T\d{{6}}Z\.log"',
                            disp), disp
        assert r.header("cache-control") == "no-store"
        assert "hello-1\n<b>esc</b> & more\nafter-go\n" in r.text

        # every log read went through the broker as the web user
        e = raw_audit(broker, kind="action", container=free)[0]
        assert e["action"] == "logs" and e["for"]["user"] == "admin" and e["result"] == "ok"

        # logs only where the configuration allows them
        lq = f"host={a.host}&name={locked}"
        for path in (f"/logs?{lq}", f"/logs/download?{lq}", f"/logs/events?{lq}",
                     f"/logs?host={a.host}&name=nope", f"/logs?host=other&name={free}"):
            assert http.get(path).status == 403, path
        assert http.get(f"/logs?host={a.host}").status == 400
        assert http.get(f"/logs?host=a/b&name={free}").status == 400
        # signed out: sign in first
        anon = Http(w.port)
        assert anon.get(f"/logs?{q}").status == 303
        assert anon.get(f"/logs/events?{q}").status == 401
        # stopped while a log is followed: a clean exit, nothing left behind
        ev = Events(w.port, f"/logs/events?{q}", http.cookies)
        assert ev.event()[0] == "lines"
        stop_clean(w)
        ev.close()
    finally:
        w.stop()


def test_a_quiet_log_stops_being_followed(tmp, broker, agents, ctr):
    """--log-idle 3: a log without a new line for 3 s is no longer read (every
    read is an action in the audit log); the stream says so and ends."""
    a = agents(broker)
    name = ctr.run("sh", "-c", "echo only-line; sleep 100000")
    a.configure([(name, True, ["logs"])])
    w = Web(tmp, broker, extra=["--log-idle", "3"]).start()
    try:
        http = do_setup(w)
        ev = Events(w.port, f"/logs/events?host={a.host}&name={name}", http.cookies)
        try:
            kind, data = ev.event()
            assert kind == "lines" and "only-line" in data["lines"], data
            t0 = time.monotonic()
            kind, data = ev.event(timeout=15)
            assert (kind, data) == ("idle", {"idle_s": 3}), (kind, data)
            assert 2.0 < time.monotonic() - t0 < 10
            # and it ends: the connection closes
            ev.s.settimeout(5)
            assert ev.s.recv(100) == b""
        finally:
            ev.close()
        reads = [e for e in raw_audit(broker, kind="action", container=name)
                 if e["action"] == "logs"]
        assert 1 <= len(reads) <= 4, len(reads)       # every 2 s for 3 s, then none
        stop_clean(w)
    finally:
        w.stop()
