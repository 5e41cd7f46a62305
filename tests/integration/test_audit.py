"""The broker's audit log end to end (proto/ddcp.md 5.7 and 5.12): actions
sent by ddc-ctl and by a Discord button (the fake Discord of
tests/fake-discord) to a real ddc-docker with a real Docker engine, each
recorded by the broker with the requester taken from its connection; a
body that claims another identity, a refusal, a timeout; `ddc-ctl audit`
and its filters and pages; who may read the log.

Docker comes from scripts/ensure-dockerd.sh (as in test_docker.py); every
container is removed by name and every process stopped by its PID.
"""
import json
import subprocess
import time

from conftest import RawClient, audit_entries, bin_path, wait_for
from test_docker import inspect
from test_discord import (ADMIN, CH_CONTROL, CH_STATUS, containers_cfg, key_of, open_panel, ready_overviews, response_text, text_of)
from test_web_http import Web, do_setup, form_tokens, stop_clean


def ctl(broker, *args, check=True, author=None):
    cmd = [bin_path("ddc-ctl"), "--broker", broker.ctl]
    if author:
        cmd += ["--author", author]
    r = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    if check:
        assert r.returncode == 0, f"ddc-ctl {' '.join(args)} exited {r.returncode}: {r.stderr}"
    return r


def audit(broker, *args):
    """`ddc-ctl audit --json ARGS` as a list of entries, newest first."""
    out = ctl(broker, "audit", "--json", *args).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def raw_audit(client, **query):
    r = client.request("AUDIT", json.dumps(query))
    assert r and r[0] == "ENTRIES", r
    return json.loads(r[2])


class Answerer:
    """A raw docker@HOST peer that answers every ACTION at once (or never)."""

    def __init__(self, broker, host, answer=True):
        self.c = RawClient(broker.ctl, role="docker", instance=host)
        self.c.hello()
        self.answer = answer

    def serve(self, n=1, timeout=10000):
        for _ in range(n):
            m = self.c.recv(timeout)
            assert m and m[0] == "ACTION", m
            if self.answer:
                body = json.loads(m[4])
                self.c.send("RESULT", m[1], json.dumps(
                    {"ok": True, "action": body.get("action"), "state": "running"}))

    def close(self):
        self.c.close()


# ---------------------------------------------------------------------------
# Who asked


def test_ctl_action_is_recorded_with_its_author(tmp, broker, agents, ctr):
    name = ctr.run()
    a = agents(broker)
    a.configure([(name, True, ["restart", "stop", "start"])])
    before = inspect(name)["State"]["StartedAt"]
    ctl(broker, "action", f"{a.host}/{name}", "restart", author="alice@laptop")
    assert inspect(name)["State"]["StartedAt"] != before
    e = audit(broker, "--actions", "--limit", "1")[0]
    assert e["kind"] == "action" and e["role"] == "ctl"
    assert e["peer"].startswith("ctl@")                 # from the connection
    assert e["for"] == {"user": "alice@laptop"}          # what it says it acts for
    assert (e["action"], e["container"], e["host"], e["target"]) == \
        ("restart", name, a.host, a.peer)
    assert e["result"] == "ok" and e["state"] == "running" and e["duration_ms"] > 0
    # a refusal by the agent's allow-list: recorded with the agent's reason
    r = ctl(broker, "action", f"{a.host}/{name}", "logs", check=False, author="bob")
    assert r.returncode == 1
    e = audit(broker, "--actions", "--limit", "1")[0]
    assert e["result"] == "error" and e["error"] == "refused" and e["for"]["user"] == "bob"
    assert "logs" in e["message"] or name in e["message"]
    # as text, newest first
    text = ctl(broker, "audit", "--actions").stdout.splitlines()
    assert f"logs {name}@{a.host}  error" in text[0] and "for bob" in text[0]
    assert f"restart {name}@{a.host}  ok" in text[1] and "for alice@laptop" in text[1]


def test_a_claimed_identity_stays_a_claim(tmp, broker):
    ans = Answerer(broker, "nas")
    c = RawClient(broker.ctl, role="ctl", instance="mallory")
    c.hello()
    rid = c.req_id()
    c.send("ACTION", rid, "docker@nas", 5000, json.dumps({
        "action": "restart", "container": "plex", "peer": "web@box", "role": "web",
        "by": "discord:alice (123)",
        "for": {"user": "alice", "user_id": "123", "address": "192.0.2.7",
                "peer": "discord@bot", "role": "discord", "task": 5}}))
    ans.serve()
    assert c.recv()[0] == "RESULT"
    e = raw_audit(c, kind="action")["entries"][0]
    assert e["peer"] == "ctl@mallory" and e["role"] == "ctl"
    assert e["for"] == {"user": "alice", "user_id": "123", "address": "192.0.2.7"}
    # a role that may not send actions: refused, and recorded as its own
    m = RawClient(broker.ctl, role="monitor", instance="dash")
    m.hello()
    r = m.request("ACTION", "docker@nas", 1000, json.dumps(
        {"action": "stop", "container": "plex", "for": {"user": "alice"}}))
    assert r[0] == "ERROR" and r[2] == "403"
    e = raw_audit(c, kind="action")["entries"][0]
    assert (e["peer"], e["result"], e["error"]) == ("monitor@dash", "error", "denied")
    assert e["for"] == {"user": "alice"}
    for x in (ans, c, m):
        x.close()


def test_timeouts_and_absent_hosts_are_recorded(tmp, broker):
    slow = Answerer(broker, "slow", answer=False)
    c = RawClient(broker.ctl)
    c.hello()
    t0 = time.monotonic()
    r = c.request("ACTION", "docker@slow", 300, json.dumps({"action": "stop", "container": "db"}))
    assert r[0] == "ERROR" and r[2] == "408"
    assert time.monotonic() - t0 >= 0.3
    r = c.request("ACTION", "docker@gone", 300, json.dumps({"action": "start", "container": "x"}))
    assert r[0] == "ERROR" and r[2] == "404"
    gone, timeout = raw_audit(c, kind="action")["entries"][:2]
    assert timeout["result"] == "timeout" and timeout["error"] == "timeout"
    assert timeout["host"] == "slow" and timeout["container"] == "db"
    assert 300 <= timeout["duration_ms"] < 5000
    assert "did not answer in time" in timeout["message"]
    assert gone["result"] == "error" and gone["error"] == "not_connected"
    assert gone["host"] == "gone"
    assert json.loads(c.welcome[5])["name"] == gone["peer"]
    # the target answers after the deadline: the late RESULT changes nothing
    m = slow.c.recv(1000)
    assert m and m[0] == "ACTION"
    slow.c.send("RESULT", m[1], json.dumps({"ok": True}))
    assert c.request("PING", 0)[0] == "PONG"
    entries = raw_audit(c, kind="action")["entries"]
    assert len(entries) == 2
    slow.close()
    c.close()


def test_web_action_is_recorded_with_the_web_user_and_address(tmp, broker):
    ans = Answerer(broker, "nas")
    w = Web(tmp, broker).start()
    try:
        http = do_setup(w)
        csrf, _ = form_tokens(http.get("/bot").text)
        headers = {"Content-Type": "application/json", "X-CSRF-Token": csrf}
        body = {"host": "nas", "container": "plex", "action": "restart"}
        # refused before it reaches the broker: no token, a bad body
        assert http.request("POST", "/api/action", json.dumps(body).encode(),
                            {"Content-Type": "application/json"}).status == 403
        for bad in ({**body, "action": "remove"}, {**body, "host": "a/b"}, {**body, "by": "x"},
                    {**body, "lines": 5}):
            r = http.request("POST", "/api/action", json.dumps(bad).encode(), headers)
            assert r.status == 400, (bad, r.text)
        c = RawClient(broker.ctl)
        c.hello()
        assert raw_audit(c, kind="action")["entries"] == []
        import threading
        t = threading.Thread(target=ans.serve)
        t.start()
        r = http.request("POST", "/api/action", json.dumps(body).encode(), headers)
        t.join()
        assert r.status == 200 and json.loads(r.text)["ok"] is True, r.text
        e = raw_audit(c, kind="action")["entries"][0]
        assert e["peer"] == "web@tweb" and e["role"] == "web"
        assert e["for"] == {"user": "admin", "address": "127.0.0.1"}
        assert (e["action"], e["container"], e["host"], e["result"]) == \
            ("restart", "plex", "nas", "ok")
        # a host without an agent: 404, recorded too
        r = http.request("POST", "/api/action", json.dumps({**body, "host": "gone"}).encode(),
                         headers)
        assert r.status == 404 and json.loads(r.text)["error"] == "not_connected"
        e = raw_audit(c, kind="action")["entries"][0]
        assert e["host"] == "gone" and e["error"] == "not_connected" and e["peer"] == "web@tweb"
        # the activity page shows both, with who and from where
        page = http.get("/activity?kind=action").text
        assert page.count('data-kind="action"') == 2 and 'data-kind="config"' not in page
        assert "127.0.0.1" in page and "web@tweb" in page and "plex" in page
        page = http.get("/activity?kind=config").text
        assert 'data-kind="config"' in page and 'data-kind="action"' not in page
        c.close()
        stop_clean(w)
    finally:
        w.stop()
        ans.close()


def test_discord_button_is_recorded_with_the_discord_user(env, docker_env):
    d = docker_env
    a = d.run()
    broker, fake, bot = env(containers=containers_cfg(d.host, [a]),
                            docker={"stats_interval_seconds": 2, "stop_timeout_seconds": 1})
    d.agent(broker)
    ready_overviews(fake, bot)
    # the agent is there: its status report shows the container running
    wait_for(lambda: "🟢" in text_of(fake.overviews(CH_STATUS)[-1]), timeout=20,
             what="the running container in the overview")
    key = key_of(fake, CH_CONTROL, "Box 1")
    panel = open_panel(fake, key)
    r = fake.interaction(kind="button", custom_id=f"pn:restart:{key}", message_id=panel,
                         channel_id=CH_CONTROL)
    assert "Restarting Box 1" in response_text(fake.answered(r["id"]))

    def recorded():
        c = RawClient(broker.ctl)
        c.hello()
        try:
            got = [e for e in raw_audit(c, kind="action", container=a)["entries"]
                   if e.get("result")]
            return got[0] if got else None
        finally:
            c.close()
    e = wait_for(recorded, timeout=60, what="the restart in the audit log")
    assert e["peer"] == bot.peer and e["role"] == "discord"
    assert e["for"]["user_id"] == ADMIN and e["for"]["channel_id"] == CH_CONTROL
    assert e["for"]["user"] in ("ddc-admin", "DDC Admin")
    assert (e["action"], e["host"], e["result"]) == ("restart", d.host, "ok"), e


# ---------------------------------------------------------------------------
# Reading it back


def test_ctl_audit_filters_and_pages(tmp, broker):
    ans = Answerer(broker, "h1")
    c = RawClient(broker.ctl)
    c.hello()

    def act(container, n=1):
        for _ in range(n):
            rid = c.req_id()
            c.send("ACTION", rid, "docker@h1", 5000,
                   json.dumps({"action": "restart", "container": container}))
            ans.serve()
            assert c.recv()[0] == "RESULT"

    act("alpha", 2)
    assert c.save("web", {"ui_language": "de"})[0] == "OK"
    # the next second, so that --since can tell the two groups apart
    t0 = int(time.time())
    wait_for(lambda: int(time.time()) > t0, timeout=2, what="the next second")
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0 + 1))
    act("beta", 3)
    assert len(audit(broker)) == 6
    assert [e["container"] for e in audit(broker, "--container", "alpha")] == ["alpha"] * 2
    assert [e["container"] for e in audit(broker, "--container", "beta", "--host", "h1")] == \
        ["beta"] * 3
    assert audit(broker, "--host", "h2") == []
    cfg = audit(broker, "--config")
    assert len(cfg) == 1 and cfg[0]["section"] == "web" and cfg[0]["author"] == "test"
    assert len(audit(broker, "--actions")) == 5
    assert [e["container"] for e in audit(broker, "--since", since)] == ["beta"] * 3
    assert audit(broker, "--since", "1h")[-1]["container"] == "alpha"
    assert audit(broker, "--since", "2099-01-01") == []
    assert len(audit(broker, "--limit", "2")) == 2
    # who asked (the peer, for whom, a change's author; any case) and how it ended
    assert len(audit(broker, "--who", "CTL@")) == 6           # the change is ctl@ too
    assert [e["kind"] for e in audit(broker, "--who", "test")] == ["config"]
    assert len(audit(broker, "--result", "ok")) == 6      # a change counts as ok
    assert audit(broker, "--result", "timeout") == []
    # more than a page: 600 actions, read in pages of at most 500
    act("gamma", 600)
    every = audit(broker, "--container", "gamma", "--limit", "0")
    assert len(every) == 600
    assert len(audit(broker, "--limit", "0")) == 606
    # bad usage: a one-line reason and exit 2
    for args in (["--actions", "--config"], ["--since", "yesterday"], ["--limit", "-1"],
                 ["--config", "--container", "x"], ["extra"], ["--result", "fine"],
                 ["--who", ""]):
        r = ctl(broker, "audit", *args, check=False)
        assert r.returncode == 2 and r.stderr.count("\n") == 1, (args, r.stderr)
    ans.close()
    c.close()


def test_change_lines_come_after_the_answer(tmp, broker):
    """A change's log and audit lines are written a moment after its answer
    (RECORD_DEFER_MS), in order; an AUDIT page asked at once has them, and
    so has the file when the broker stops at once."""
    c = RawClient(broker.ctl)
    c.hello()
    bot = {"token": "", "guild_id": "", "language": "en", "timezone": "UTC", "log_lines": 50}
    revs = []
    for lang in ("de", "en", "de"):
        r = c.save("bot", dict(bot, language=lang))
        assert r[0] == "OK", r
        revs.append(int(r[2]))
    page = raw_audit(c, kind="config")["entries"]
    assert [e["rev"] for e in page] == revs[::-1]
    # a save and an AUDIT sent together: the page shows the save
    c.send("SAVE", c.req_id(), "bot", 0, "test", json.dumps(dict(bot, language="en")))
    page = raw_audit(c, kind="config")["entries"]
    revs.append(revs[-1] + 1)
    assert [e["rev"] for e in page] == revs[::-1]
    entries = audit_entries(broker.data, lambda e: len(e) >= 4)
    assert [e["rev"] for e in entries] == revs
    wait_for(lambda: all(f"bot: revision {r} by test" in broker.log_text() for r in revs),
             timeout=5, what="a log line for each change")
    r = c.save("bot", dict(bot, language="de"))
    assert r[0] == "OK", r
    c.close()
    assert broker.stop() == 0
    entries = audit_entries(broker.data, lambda e: True)
    assert [e["rev"] for e in entries] == revs + [int(r[2])]


def test_who_may_read_and_report(tmp, broker):
    for role, ok in (("ctl", True), ("web", True), ("monitor", True), ("discord", False),
                     ("docker", False)):
        c = RawClient(broker.ctl, role=role)
        c.hello()
        r = c.request("AUDIT", "{}")
        assert (r[0] == "ENTRIES") == ok and (ok or r[2] == "403"), (role, r)
        c.close()
    c = RawClient(broker.ctl)
    c.hello()
    assert c.request("AUDIT", json.dumps({"kind": "actions"}))[2] == "400"
    assert c.request("AUDIT", "[]")[2] == "400"
    entry = {"action": "restart", "container": "plex", "task": "t1", "ok": True}
    r = c.request("RECORD", json.dumps(entry))
    assert r[0] == "ERROR" and r[2] == "403"
    d = RawClient(broker.ctl, role="docker", instance="nas")
    d.hello()
    rid = d.req_id()
    for _ in range(2):                      # a retry with the same id: recorded once
        d.send("RECORD", rid, json.dumps(entry))
        assert d.recv() == ["ACK", rid]
    assert d.request("RECORD", json.dumps({**entry, "peer": "ctl@x"}))[2] == "400"
    got = [e for e in raw_audit(c)["entries"] if e.get("reported")]
    assert len(got) == 1
    assert got[0]["peer"] == "docker@nas" and got[0]["for"] == {"task": "t1"}
    assert got[0]["host"] == "nas" and got[0]["result"] == "ok"
    c.close()
    d.close()
