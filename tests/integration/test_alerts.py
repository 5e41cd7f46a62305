"""Alerts end to end: a real broker, a real ddc-docker, a real Docker engine
with busybox containers that crash, run out of memory, fail their health
check and restart in a loop, and a local HTTP server (http.server in this
process) receiving the agent's webhook. The bot's part (alerts posted to
Discord, roles) is in test_discord_alerts.py.

Containers are created first, configured, then started, so that nothing
depends on timing; every wait is on an event (a report, a request).
"""
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import IMAGE, sh, wait_for
from test_docker import inspect

SECRET = "S3CRET-webhook-token-0042"


class Hook:
    """A webhook receiver: records every POST; answers with the scripted
    statuses first (e.g. [500, 429]), then 204."""

    def __init__(self, script=()):
        self.posts = []
        self.script = list(script)
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(n)
                with hook.lock:
                    status = hook.script.pop(0) if hook.script else 204
                    hook.posts.append({"at": time.monotonic(), "path": self.path,
                                       "type": self.headers.get("content-type"),
                                       "status": status, "body": json.loads(body)})
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/{SECRET}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self):
        with self.lock:
            return [p for p in self.posts if 200 <= p["status"] < 300]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class LateOomDocker:
    """A Docker socket in front of the real engine that hands on each "oom"
    event `delay` seconds late, after the "die" it explains, and shows
    State.OOMKilled false in an inspect until then: the order a busy engine
    was seen to use (its exit and its memory kill are sent from different
    places, and then its state may never say OOMKilled).
    Everything else passes through; each request gets its own connection."""

    def __init__(self, delay=1.0, upstream="/var/run/docker.sock"):
        self.dir = tempfile.mkdtemp(prefix="ddc-late-oom-")     # a short socket path
        self.sock = os.path.join(self.dir, "docker.sock")
        self.delay = delay
        self.upstream = upstream
        self.held = set()               # names and ids whose oom is held back
        self.lock = threading.Lock()
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(self.sock)
        self.listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _head(f):
        lines = []
        while True:
            line = f.readline()
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                return lines
            lines.append(line)

    def _serve(self, conn):
        up = socket.socket(socket.AF_UNIX)
        try:
            cf = conn.makefile("rb")
            head = self._head(cf)
            if not head:
                return
            method, path = head[0].split()[:2]
            path = re.sub(rb"^/v[0-9.]+/", b"/", path.split(b"?")[0])
            n = next((int(h.split(b":", 1)[1]) for h in head
                      if h.lower().startswith(b"content-length:")), 0)
            body = cf.read(n) if n else b""
            head = [h for h in head if not h.lower().startswith(b"connection:")]
            up.connect(self.upstream)
            up.sendall(b"".join(head) + b"Connection: close\r\n\r\n" + body)
            uf = up.makefile("rb")
            if path == b"/events":
                self._events(conn, uf)
            elif method == b"GET" and re.fullmatch(rb"/containers/[^/]+/json", path):
                self._inspect(conn, uf)
            else:
                while (data := uf.read1(65536)):
                    conn.sendall(data)
        except OSError:
            pass
        finally:
            up.close()
            conn.close()

    @staticmethod
    def _chunks(uf):
        while True:
            size = uf.readline()
            if not size:
                return
            n = int(size.split(b";")[0], 16)
            if n == 0:
                return
            data = uf.read(n)
            uf.readline()
            yield data

    def _inspect(self, conn, uf):
        head = self._head(uf)
        chunked = any(h.lower().startswith(b"transfer-encoding:") for h in head)
        raw = b"".join(self._chunks(uf)) if chunked else uf.read()
        try:
            doc = json.loads(raw)
            with self.lock:
                if doc.get("Name", "").lstrip("/") in self.held or doc.get("Id") in self.held:
                    doc["State"]["OOMKilled"] = False
            raw = json.dumps(doc).encode()
        except ValueError:
            pass
        head = [h for h in head if not h.lower().startswith((b"content-length:",
                                                             b"transfer-encoding:"))]
        conn.sendall(b"".join(head) + b"Content-Length: %d\r\n\r\n" % len(raw) + raw)

    def _events(self, conn, uf):
        wlock = threading.Lock()
        conn.sendall(b"".join(self._head(uf)) + b"\r\n")

        def send(line):
            with wlock:
                try:
                    conn.sendall(b"%x\r\n%s\r\n" % (len(line), line))
                except OSError:
                    pass

        def late(line, keys):
            send(line)
            with self.lock:
                self.held.difference_update(keys)

        buf = b""
        for data in self._chunks(uf):
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line += b"\n"
                ev = json.loads(line)
                if ev.get("Action") == "oom":
                    keys = {ev["Actor"]["Attributes"].get("name"), ev["Actor"].get("ID")}
                    with self.lock:
                        self.held.update(keys)
                    threading.Timer(self.delay, late, (line, keys)).start()
                else:
                    send(line)

    def close(self):
        self.listener.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def hook():
    made = []

    def make(script=()):
        h = Hook(script)
        made.append(h)
        return h
    yield make
    for h in made:
        h.close()


def alerts_cfg(url="", fmt="json", **over):
    cfg = {"enabled": True, "webhook_url": url, "webhook_format": fmt, "restart_loop_count": 3,
           "restart_loop_minutes": 10, "cooldown_minutes": 0, "max_per_hour": 100,
           "log_lines": 5}
    cfg.update(over)
    return cfg


def reports(a, since=0.0):
    return [b for (_, b) in a.watch.of("alerts", since)]


def wait_report(a, pred, timeout=30, what="alert report"):
    return wait_for(lambda: next((r for r in reports(a) if pred(r)), None), timeout=timeout,
                    what=what)


def create(ctr, *args):
    """docker create with options, then the command (after "--")."""
    n = ctr.name()
    i = args.index("--")
    sh("docker", "create", "--network", "none", "--name", n, *args[:i], IMAGE, *args[i + 1:])
    return n


def configure(a, names, kinds=None, alerts=None):
    a.save("alerts", alerts or alerts_cfg())
    a.configure([{"host": a.host, "name": n, "allowed_actions": ["start", "stop", "restart"],
                  **({"alerts": kinds[n]} if kinds and n in kinds else {})} for n in names],
                docker={"stats_interval_seconds": 3600, "stop_timeout_seconds": 1})


def test_crash_oom_health_and_loop(tmp, broker, agents, ctr, hook):
    h = hook()
    # crashes with exit 3 the first time, runs for good once started again
    crash = create(ctr, "--", "sh", "-c",
                   "if [ -e /ran ]; then exec sleep 100000; fi; touch /ran; "
                   "echo first line; echo boom >&2; exit 3")
    oom = create(ctr, "--memory", "8m", "--memory-swap", "8m", "--", "sh", "-c",
                 "echo filling; x=$(head -c 64000000 /dev/zero | tr '\\0' a)")
    sick = create(ctr, "--health-cmd", "cat /healthy", "--health-interval", "1s",
                  "--health-retries", "1", "--health-timeout", "5s", "--", "sh", "-c",
                  "touch /healthy; sleep 3; rm /healthy; sleep 5; touch /healthy; "
                  "exec sleep 100000")
    loop = create(ctr, "--restart", "always", "--", "sh", "-c", "echo looping; sleep 0.3; exit 4")
    a = agents(broker)
    configure(a, [crash, oom, sick, loop], alerts=alerts_cfg(h.url))
    started = int(time.time()) - 1
    for n in (crash, oom, sick, loop):
        sh("docker", "start", n)

    r = wait_report(a, lambda r: r["container"] == crash and r["event"] == "opened")
    assert r["kind"] == "crash" and r["reason"] == "exit" and r["exit_code"] == 3
    assert r["host"] == a.host and r["id"] and r["running"] is False
    assert "boom" in r["logs"] and "first line" in r["logs"] and r["log_lines"] == 2
    r = wait_report(a, lambda r: r["container"] == oom and r["event"] == "opened")
    assert r["reason"] == "oom" and r["exit_code"] == 137 and "filling" in r["logs"]
    # the engine's own word: its "oom" event (its State.OOMKilled stays
    # false when that event comes after the exit)
    assert "oom" in sh("docker", "events", "--since", str(started), "--until",
                       str(int(time.time()) + 1), "--filter", f"container={oom}",
                       "--filter", "event=oom", "--format", "{{.Action}}").split()
    r = wait_report(a, lambda r: r["container"] == sick and r["event"] == "opened")
    assert r["kind"] == "unhealthy" and r["exit_code"] is None and r["running"] is True
    assert "can't open '/healthy'" in r["health_output"]
    r = wait_report(a, lambda r: r["container"] == loop and r["event"] == "escalated")
    assert r["kind"] == "restart_loop" and r["restarts"] >= 3 and r["window_minutes"] == 10
    first = wait_report(a, lambda r: r["container"] == loop and r["event"] == "opened")
    assert first["kind"] == "crash" and first["id"] == r["id"] and first["exit_code"] == 4

    # the health check passes again: recovered, with how long it lasted
    r = wait_report(a, lambda r: r["container"] == sick and r["event"] == "resolved")
    assert r["resolution"] == "recovered" and r["duration_s"] >= 1
    # the crashed one, started again, runs 10 s: recovered
    sh("docker", "start", crash)
    t0 = time.monotonic()
    r = wait_report(a, lambda r: r["container"] == crash and r["event"] == "resolved")
    assert r["resolution"] == "recovered" and time.monotonic() - t0 >= 9
    # the loop: Docker stops restarting it, it stays down: the loop has ended
    sh("docker", "update", "--restart", "no", loop)
    r = wait_report(a, lambda r: r["container"] == loop and r["event"] == "resolved",
                    timeout=40)
    assert r["resolution"] == "loop_ended" and r["running"] is False

    # each report reached the webhook too, in order, as JSON
    rs = reports(a)
    sent = wait_for(lambda: (lambda d: d if len(d) >= len(rs) else None)(h.delivered()),
                    timeout=10, what="every report at the webhook")
    assert [p["body"]["id"] + p["body"]["event"] for p in sent[:len(rs)]] == \
        [r["id"] + r["event"] for r in rs]
    assert all(p["type"] == "application/json" and p["path"] == f"/hooks/{SECRET}" for p in sent)
    by_event = {(p["body"]["container"], p["body"]["event"]): p["body"] for p in sent}
    assert by_event[(crash, "opened")]["text"] == f"\U0001F6A8 {crash} crashed (exit code 3)"
    text = a.proc.text()
    assert SECRET not in text and f"127.0.0.1:{h.port}/..." in text
    assert "alert delivered" in text


def test_memory_kill_named_when_docker_tells_it_after_the_exit(tmp, broker, agents, ctr, hook):
    # Docker's "oom" event comes a second after the "die" and its state does
    # not have the kill until then: the report waits for the event
    late = LateOomDocker(delay=1.0)
    h = hook()
    oom = create(ctr, "--memory", "8m", "--memory-swap", "8m", "--", "sh", "-c",
                 "echo filling; x=$(head -c 64000000 /dev/zero | tr '\\0' a)")
    # killed by SIGKILL from inside, no memory kill: the wait ends, "exit"
    killed = create(ctr, "--", "sh", "-c", "echo bye; sh -c 'kill -9 $$'; exit $?")
    a = agents(broker, extra=("--docker-socket", late.sock))
    configure(a, [oom, killed], alerts=alerts_cfg(h.url))
    try:
        sh("docker", "start", oom)
        r = wait_report(a, lambda r: r["container"] == oom and r["event"] == "opened")
        assert r["kind"] == "crash" and r["reason"] == "oom" and r["exit_code"] == 137
        assert "filling" in r["logs"] and r["running"] is False
        t0 = time.monotonic()
        sh("docker", "start", killed)
        r = wait_report(a, lambda r: r["container"] == killed and r["event"] == "opened")
        assert r["reason"] == "exit" and r["exit_code"] == 137 and "bye" in r["logs"]
        assert time.monotonic() - t0 >= 2.5          # it waited for an "oom" that never came
        assert inspect(killed)["State"]["OOMKilled"] is False
        sent = wait_for(lambda: (lambda d: d if len(d) >= 2 else None)(h.delivered()),
                        timeout=10, what="both reports at the webhook")
        assert [(p["body"]["container"], p["body"]["reason"]) for p in sent] == \
            [(oom, "oom"), (killed, "exit")]
        assert "the exit was a memory kill" in a.proc.text()
    finally:
        late.close()


def test_asked_stops_raise_nothing(tmp, broker, agents, ctr, hook):
    h = hook()
    names = [ctr.run() for _ in range(4)]
    a = agents(broker)
    configure(a, names, alerts=alerts_cfg(h.url))
    since = time.monotonic()
    sh("docker", "stop", "-t", "1", names[0])             # TERM ignored by sleep: KILL, 137
    sh("docker", "kill", names[1])
    sh("docker", "restart", "-t", "1", names[2])
    assert a.action({"action": "stop", "container": names[3]})["ok"] is True
    assert a.action({"action": "start", "container": names[3]})["ok"] is True
    assert a.action({"action": "restart", "container": names[3]})["ok"] is True
    # a crash after all that is still seen: the proof that the events arrived
    crash = create(ctr, "--", "sh", "-c", "exit 9")
    configure(a, names + [crash], alerts=alerts_cfg(h.url))
    sh("docker", "start", crash)
    r = wait_report(a, lambda r: r["event"] == "opened")
    assert r["container"] == crash and r["exit_code"] == 9
    assert [r["container"] for r in reports(a, since)] == [crash]
    assert all(inspect(n)["State"]["ExitCode"] in (0, 137) for n in names[:2])


def test_webhook_retries_discord_format_and_quiet_time(tmp, broker, agents, ctr, hook):
    h = hook(script=[500, 429])
    # exits at once, then runs 11 s (recovered at 10 s) and exits again
    crash = create(ctr, "--", "sh", "-c",
                   "n=$(cat /n 2>/dev/null || echo 0); echo $((n + 1)) > /n; "
                   "echo '```oops```'; if [ $n = 1 ]; then sleep 11; fi; exit 2")
    other = create(ctr, "--", "sh", "-c", "exit 5")
    proof = create(ctr, "--", "sh", "-c", "exit 6")
    a = agents(broker)
    hook_cfg = alerts_cfg(h.url, fmt="discord", cooldown_minutes=60)
    configure(a, [crash, other, proof], kinds={other: ["crash"]}, alerts=hook_cfg)
    sh("docker", "start", crash)
    first = wait_report(a, lambda r: r["container"] == crash and r["event"] == "opened")
    got = wait_for(lambda: h.delivered(), timeout=20, what="delivered after the retries")
    tries = list(h.posts)
    assert [p["status"] for p in tries] == [500, 429, 204]
    assert tries[1]["at"] - tries[0]["at"] >= 0.9       # the backoff
    assert tries[2]["at"] - tries[1]["at"] >= 0.9       # Retry-After: 1
    msg = got[0]["body"]
    assert msg["username"] == "ddc" and msg["allowed_mentions"] == {"parse": []}
    embed = msg["embeds"][0]
    assert embed["title"] == f"\U0001F6A8 {crash} crashed (exit code 2)"
    assert embed["description"].startswith("Last lines:\n```\n")
    assert embed["description"].count("```") == 2        # the log's backticks are defused
    assert {"name": "Exit code", "value": "2", "inline": True} in embed["fields"]
    assert embed["footer"]["text"].endswith(first["id"])
    # started again: recovered after 10 s, then a crash within the quiet time
    # is held back (only logged)
    sh("docker", "start", crash)
    wait_report(a, lambda r: r["container"] == crash and r["event"] == "resolved", timeout=20)
    wait_for(lambda: "alert held back" in a.proc.text(), timeout=15, what="held back")
    assert "\u2705" in h.delivered()[-1]["body"]["embeds"][0]["title"] or \
        wait_for(lambda: len(h.delivered()) >= 2, timeout=10, what="the follow-up delivered")
    # another container is not held back by it
    sh("docker", "start", other)
    r = wait_report(a, lambda r: r["container"] == other and r["event"] == "opened")
    assert r["exit_code"] == 5
    # alerts turned off for that container, live: its incident is closed
    # ("gone") and its next crash raises nothing; the proof container's does
    configure(a, [crash, other, proof], kinds={other: []}, alerts=hook_cfg)
    r = wait_report(a, lambda r: r["container"] == other and r["event"] == "resolved")
    assert r["resolution"] == "gone"
    sh("docker", "start", other)
    wait_for(lambda: inspect(other)["State"]["Status"] == "exited", what="exit")
    sh("docker", "start", proof)
    wait_report(a, lambda r: r["container"] == proof and r["event"] == "opened")
    assert [(r["container"], r["event"]) for r in reports(a)] == [
        (crash, "opened"), (crash, "resolved"), (other, "opened"), (other, "resolved"),
        (proof, "opened")]
    assert SECRET not in a.proc.text()
