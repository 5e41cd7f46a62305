"""ddc-discord (services/discord) end to end: a real broker, the bot, the fake
Discord of tests/fake-discord (gateway + REST + its /_control API) and, for
the container actions, a real ddc-docker with a real Docker engine and
busybox containers (scripts/ensure-dockerd.sh; the Docker tests fail when
Docker cannot be started, nothing is skipped).

Every test gets its own broker, fake (on a free port, stopped when stdin
closes too) and bot; containers are named ddc-dt-<run id>-N and removed by
name; every process is stopped by its PID. The bot must exit 0 on SIGTERM
with no sanitizer report.
"""
import json
import os
import queue
import stat
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

from conftest import Proc, ROOT, RawClient, bin_path, sh, terminate, wait_for

TOKEN = "ddc-test-token.Zz9.abcdefghijklmnopqrstuvwxyz012345"
APP = "1100000000000000001"
GUILD = "1100000000000000100"
CH_STATUS = "1100000000000000200"
CH_CONTROL = "1100000000000000201"
ADMIN = "1100000000000000300"
OTHER = "1100000000000000399"
FAKE = os.path.join(ROOT, "scripts", "fake-discord")


# ---------------------------------------------------------------------------
# The fake Discord


class Fake:
    def __init__(self, tmp, token=TOKEN, extra=()):
        self.log_path = os.path.join(tmp, f"fake-{uuid.uuid4().hex[:6]}.log")
        self.err = open(self.log_path, "ab")
        env = dict(os.environ)
        if token:
            env["FAKE_TOKEN"] = token
        else:
            env.pop("FAKE_TOKEN", None)
        self.proc = subprocess.Popen(
            [FAKE, "--port", "0", "--exit-with-stdin", "--heartbeat-interval", "5000",
             *extra], stdout=subprocess.PIPE, stderr=self.err, stdin=subprocess.PIPE, env=env)
        line = self.proc.stdout.readline().decode()
        assert "listening on" in line, f"fake-discord did not start: {line!r}"
        self.url = line.strip().split()[-1]
        self.api = self.url + "/api"

    def stop(self):
        terminate(self.proc)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.err.close()

    def control(self, name, body=None, ok=True):
        req = urllib.request.Request(f"{self.url}/_control/{name}",
                                     data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                data = r.read()
                return json.loads(data) if data else None
        except urllib.error.HTTPError as e:
            if ok:
                raise AssertionError(f"control {name}: {e.code} {e.read().decode()}")
            return {"status": e.code}

    def rest(self, method, path, body=None, token=TOKEN):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.api}/v10{path}", data=data, method=method, headers={
            "authorization": f"Bot {token}", "user-agent": "DiscordBot (https://x.test, 1.0)",
            "content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def state(self):
        return self.control("state")

    def log(self):
        return self.control("log")

    def ix(self, iid):
        for i in self.state()["interactions"]:
            if i["id"] == iid:
                return i
        return None

    def message(self, mid):
        for m in self.state()["messages"]:
            if m["id"] == mid:
                return m
        return None

    def overviews(self, channel):
        """The overview messages in a channel (oldest first)."""
        out = []
        for m in self.state()["messages"]:
            title = ((m.get("embeds") or [{}])[0]).get("title", "")
            if m["channel_id"] == channel and not m.get("interaction_metadata") \
                    and ("Overview" in title or "bersicht" in title):
                out.append(m)
        return out

    def interaction(self, **body):
        return self.control("interaction", body)

    def answered(self, iid, timeout=5):
        """The interaction once acknowledged; checks Discord's 3 s."""
        i = wait_for(lambda: (lambda x: x if x and x["acknowledged"] else None)(self.ix(iid)),
                     timeout=timeout, what=f"interaction {iid} acknowledged")
        ok = [a for a in i["attempts"] if a["status"] in (200, 204)]
        assert ok, i["attempts"]
        assert ok[0]["at"] - i["delivered_at"] < 3000, "acknowledged after Discord's 3 s"
        return i

    def original(self, iid, pred=None, timeout=15):
        """The response message of an interaction (after edits), when pred holds."""
        def get():
            i = self.ix(iid)
            if not i or not i["original_message_id"]:
                return None
            m = self.message(i["original_message_id"])
            return m if m and (pred is None or pred(m)) else None
        return wait_for(get, timeout=timeout, what=f"response of {iid}")


def text_of(m):
    """Everything visible in a message, as one string."""
    parts = [m.get("content") or ""]
    for e in m.get("embeds") or []:
        parts += [e.get("title") or "", e.get("description") or ""]
        parts += [f.get("name", "") + " " + f.get("value", "") for f in e.get("fields") or []]
        parts.append((e.get("footer") or {}).get("text", ""))
    return "\n".join(parts)


def custom_ids(m):
    out = []
    for row in m.get("components") or []:
        for c in row.get("components") or []:
            if c.get("custom_id"):
                out.append(c["custom_id"])
    return out


def response_text(i):
    data = (i.get("response") or {}).get("data") or {}
    return text_of(data)


# ---------------------------------------------------------------------------
# The bot


class Bot:
    def __init__(self, tmp, broker, fake, extra=()):
        self.tmp = tmp
        self.broker = broker
        self.fake = fake
        self.state_path = os.path.join(tmp, "discord.state.json")
        self.cache = os.path.join(tmp, "discord.cache.json")
        self.extra = list(extra)
        self.instance = "t" + uuid.uuid4().hex[:8]
        self.peer = f"discord@{self.instance}"
        self.ctl = RawClient(broker.ctl)
        self.ctl.hello()
        self.proc = None
        self.starts = 0

    def start(self):
        self.starts += 1
        log = os.path.join(self.tmp, f"discord-{self.starts}.log")
        self.proc = Proc([bin_path("ddc-discord"), "--broker", self.broker.ctl, "--discord-api",
                          self.fake.api, "--state", self.state_path, "--cache", self.cache,
                          "--instance", self.instance, "-v", *self.extra], log)
        return self

    def stop(self):
        rc = self.proc.stop() if self.proc else None
        text = self.proc.text() if self.proc else ""
        assert rc == 0, f"ddc-discord exited {rc} on SIGTERM (see {self.proc.log_path})"
        assert "Sanitizer" not in text and "runtime error:" not in text, \
            f"sanitizer report in {self.proc.log_path}"
        assert TOKEN not in text, "the token appears in the log"
        return rc

    def save(self, section, value):
        r = self.ctl.save(section, value)
        assert r and r[0] == "OK", r
        return int(r[3])

    def applied(self, section):
        """The revision of section the bot has applied (the broker's row), or 0."""
        r = self.ctl.request("STATUS", 0, self.peer)
        if not r or r[0] != "PEERS":
            return 0
        for p in json.loads(r[2])["peers"]:
            if p["name"] == self.peer:
                return (p.get("applied") or {}).get(section) or 0
        return 0

    def report(self):
        r = self.ctl.request("STATUS", 0, self.peer)
        if not r or r[0] != "PEERS":
            return None
        for p in json.loads(r[2])["peers"]:
            if p["name"] == self.peer:
                return (p.get("status") or {}).get("gateway")
        return None

    def wait_state(self, state, timeout=15, error=None):
        def ok():
            rep = self.report()
            if rep and rep["state"] == state and (error is None or rep.get("error") == error):
                return rep
            return None
        return wait_for(ok, timeout=timeout, what=f"gateway state {state} {error or ''}")

    def text(self):
        return self.proc.text()


def bot_config(bot, containers=None, token=TOKEN, guild=GUILD, language="en", admins=(ADMIN,),
               channels=None, spam=None, docker=None):
    bot.save("bot", {"token": token, "guild_id": guild, "language": language,
                     "timezone": "Europe/Berlin"})
    bot.save("channels", channels if channels is not None else [
        {"id": CH_STATUS, "name": "status", "kind": "status", "post_initial": True},
        {"id": CH_CONTROL, "name": "control", "kind": "control", "post_initial": True}])
    bot.save("admins", [{"id": a, "note": "t"} for a in admins])
    bot.save("spam", spam or {"enabled": False, "command_cooldowns": {}, "button_cooldowns": {}})
    if docker:
        bot.save("docker", docker)
    if containers is not None:
        bot.save("containers", containers)


def ready_overviews(fake, bot):
    """Both overviews posted and recorded in the state file."""
    def ok():
        s = fake.overviews(CH_STATUS)
        c = fake.overviews(CH_CONTROL)
        return (s, c) if s and c else None
    return wait_for(ok, timeout=10, what="overviews posted")


# ---------------------------------------------------------------------------
# Docker


def containers_cfg(host, names, **over):
    out = []
    for i, n in enumerate(names):
        c = {"host": host, "name": n, "display_name": f"Box {i + 1}", "order": i,
             "allowed_actions": ["start", "stop", "restart", "logs"]}
        c.update(over.get(n, {}))
        out.append(c)
    return out


def key_of(fake, channel, display):
    """The select value (container key) of a display name in an overview."""
    m = fake.overviews(channel)[-1]
    for row in m["components"]:
        for c in row["components"]:
            for o in c.get("options") or []:
                if o["label"] == display:
                    return o["value"]
    raise AssertionError(f"{display} not in the overview select")


def open_panel(fake, key, channel=CH_CONTROL, user=ADMIN):
    r = fake.interaction(kind="select", custom_id="ov:sel", values=[key], channel_id=channel,
                         user_id=user)
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 4 and i["response"]["data"]["flags"] & 64
    return i["original_message_id"]


class FakeAgent:
    """A Docker agent as the broker and the bot see it (peer docker@HOST),
    spoken by the test: it reports the container states it is given, pings
    like a real agent, and keeps the actions it receives until the test
    answers them. Its own thread owns the socket."""

    def __init__(self, broker, host):
        self.host = host
        self.c = RawClient(broker.ctl, role="docker", instance=host)
        self.c.hello()
        self.actions = queue.Queue()
        self.out = queue.Queue()
        self.quiet = threading.Event()      # stop pinging: the broker sees it go quiet
        self.done = threading.Event()
        self.n = 0
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _req(self):
        self.n += 1
        return f"fa-{self.host}-{self.n}"

    def _run(self):
        next_ping = 0
        while not self.done.is_set():
            now = time.monotonic()
            if now >= next_ping and not self.quiet.is_set():
                self.c.send("PING", self._req(), 0)
                next_ping = now + 1
            while True:
                try:
                    cmd, req, *rest = self.out.get_nowait()
                except queue.Empty:
                    break
                self.c.send(cmd, req or self._req(), *rest)
            msg = self.c.recv(50)
            if msg and msg[0] == "ACTION":
                self.actions.put(msg)

    def report(self, states, reachable=True, since=None):
        """states: {name: "running" | "exited" | ...} or {name: {...}}."""
        ctrs = {}
        for name, st in states.items():
            e = st if isinstance(st, dict) else {"state": st}
            running = e.get("state") == "running"
            ctrs[name] = {"exists": True, "cpu_percent": 0.5 if running else None,
                          "mem_bytes": 50 << 20 if running else None,
                          "uptime_s": 100 if running else None, **e}
        body = {"host": self.host, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "docker": {"reachable": reachable, "error": None if reachable else "gone",
                           "unreachable_since": since},
                "containers": ctrs}
        self.out.put(["REPORT", None, "status", json.dumps(body)])

    def action(self, timeout=10):
        """The next ACTION: [ACTION, fwd, origin, timeout_ms, body] (body parsed)."""
        msg = self.actions.get(timeout=timeout)
        msg[4] = json.loads(msg[4])
        return msg

    def answer(self, action, body):
        self.out.put(["RESULT", action[1], json.dumps(body)])

    def bye(self):
        self.out.put(["BYE", None])

    def close(self):
        self.done.set()
        self.t.join(5)
        self.c.close()


# ---------------------------------------------------------------------------
# Gateway, registration, status report


def test_ready_commands_overviews_and_report(env, tmp):
    broker, fake, bot = env()
    rep = bot.wait_state("ready")
    assert rep["error"] is None and rep["session"] is True and rep["user"] == "ddc-bot"
    assert rep["guild"] == GUILD
    st = fake.state()
    conn = [c for c in st["connections"] if not c["closing"]][0]
    assert conn["compress"] == "zlib-stream" and conn["query"]["v"] == "10"
    assert st["sessions"][0]["intents"] == 513           # GUILDS + GUILD_MESSAGES
    cmds = wait_for(lambda: {c["name"]: c for c in fake.state()["commands"]
                             if c.get("guild_id") == GUILD} or None, what="commands")
    assert set(cmds) == {"serverstatus", "ss", "control", "info", "help", "ping", "addadmin",
                         "task"}
    opt = cmds["info"]["options"][0]
    assert opt["autocomplete"] is True and opt["required"] is True
    subs = {o["name"]: o for o in cmds["task"]["options"]}
    assert set(subs) == {"list", "add", "delete"} and all(o["type"] == 1 for o in subs.values())
    add = {o["name"]: o for o in subs["add"]["options"]}
    assert [o["name"] for o in subs["add"]["options"]] == ["container", "action", "cycle", "time",
                                                            "day", "timezone"]
    assert [c["value"] for c in add["cycle"]["choices"]] == ["daily", "weekly", "monthly",
                                                             "yearly", "once"]
    assert add["container"]["autocomplete"] and add["timezone"]["autocomplete"]
    s, c = ready_overviews(fake, bot)
    assert len(s) == 1 and len(c) == 1
    assert "Server Overview" in text_of(s[0]) and "Admin Overview" in text_of(c[0])
    # REST: User-Agent, no token in the bot's log, state file 0600
    rest = [e for e in fake.log() if e["type"] == "rest"]
    assert rest and all(e["ua"].startswith("DiscordBot (https://github.com/ddc, 0.1.0)")
                        for e in rest if "ua" in e)
    # the file is written after each post: the status channel's may come second
    saved = wait_for(lambda: (lambda d: d if d.get("channels", {}).get(CH_STATUS) else None)(
        json.load(open(bot.state_path)) if os.path.exists(bot.state_path) else {}),
        what="state file with the status channel")
    assert stat.S_IMODE(os.stat(bot.state_path).st_mode) == 0o600
    assert saved["channels"][CH_STATUS]["message"] == s[0]["id"]
    assert saved["commands"] == GUILD
    # heartbeats with a measured latency reach the report
    wait_for(lambda: (bot.report() or {}).get("latency_ms") is not None, timeout=40,
             what="latency in the report")


def test_waits_for_token_then_connects_without_restart(env):
    broker, fake, bot = env(token="")
    bot.start()
    bot.wait_state("waiting_for_token")
    assert not any(e["type"] == "gw_open" for e in fake.log())
    bot.save("bot", {"token": TOKEN, "guild_id": GUILD, "language": "en",
                     "timezone": "UTC"})
    bot.wait_state("ready")


def test_bad_token_reported_then_fixed(env):
    broker, fake, bot = env()
    bot.save("bot", {"token": "wrong-token", "guild_id": GUILD, "language": "en",
                     "timezone": "UTC"})
    bot.wait_state("failed", error="token rejected (401)")
    n = len([e for e in fake.log() if e["type"] == "rest" and "/gateway/bot" in e["path"]])
    time.sleep(2)           # no retry storm
    assert len([e for e in fake.log() if e["type"] == "rest"
                and "/gateway/bot" in e["path"]]) == n
    bot.save("bot", {"token": TOKEN, "guild_id": GUILD, "language": "en", "timezone": "UTC"})
    bot.wait_state("ready")


def test_fatal_close_codes_no_reconnect_storm(env):
    broker, fake, bot = env()
    fake.control("close", {"code": 4004})
    bot.wait_state("failed", error="token rejected (4004)")
    opens = len([e for e in fake.log() if e["type"] == "gw_open"])
    time.sleep(3)
    assert len([e for e in fake.log() if e["type"] == "gw_open"]) == opens
    # a new token (the same valid one is not "new": change and come back)
    bot.save("bot", {"token": "", "guild_id": GUILD, "language": "en", "timezone": "UTC"})
    bot.wait_state("waiting_for_token")
    bot.save("bot", {"token": TOKEN, "guild_id": GUILD, "language": "en", "timezone": "UTC"})
    bot.wait_state("ready")
    fake.control("close", {"code": 4014})
    bot.wait_state("failed", error="disallowed intents (4014)")


def test_token_change_reconnects(env):
    broker, fake, bot = env(fake_token=None, token="token-one")
    first = fake.state()["sessions"][0]["id"]
    bot.save("bot", {"token": "token-two", "guild_id": GUILD, "language": "en",
                     "timezone": "UTC"})

    def new_session():
        for e in fake.log():
            if e["type"] == "gw_in" and e.get("op") == 2 and \
                    (e.get("d") or {}).get("token") == "token-two":
                return e
        return None
    wait_for(new_session, what="IDENTIFY with the new token")
    closed = [e for e in fake.log() if e["type"] == "gw_closed" and e["by"] == "client"]
    assert closed and closed[0]["code"] == 1000          # the old session ended
    rep = bot.wait_state("ready")
    assert rep["session"] is True
    assert any(s["id"] != first for s in fake.state()["sessions"])
    text = bot.text()
    assert "token-one" not in text and "token-two" not in text


def test_guild_change_moves_commands(env):
    broker, fake, bot = env(guild="")
    wait_for(lambda: [c for c in fake.state()["commands"] if not c.get("guild_id")] or None,
             what="global commands while no guild is set")
    bot.save("bot", {"token": TOKEN, "guild_id": GUILD, "language": "en", "timezone": "UTC"})

    def moved():
        cmds = fake.state()["commands"]
        g = [c for c in cmds if c.get("guild_id") == GUILD]
        glob = [c for c in cmds if not c.get("guild_id")]
        return g if len(g) == 8 and not glob else None
    wait_for(moved, what="commands in the guild and none left global")
    puts = [e for e in fake.log() if e["type"] == "rest" and e["method"] == "PUT"]
    assert puts[-1]["path"].endswith(f"/applications/{APP}/commands")   # cleared last
    assert (bot.report() or {}).get("commands") == GUILD
    # back to no guild: the guild loses them (PUT [] to the guild)
    bot.save("bot", {"token": TOKEN, "guild_id": "", "language": "en", "timezone": "UTC"})
    wait_for(lambda: not [c for c in fake.state()["commands"] if c.get("guild_id") == GUILD]
             or None, what="guild commands removed")


def test_close_4000_with_pending_interaction_resumes_and_answers(env):
    broker, fake, bot = env()
    fake.control("close", {"code": 4000})
    r = fake.interaction(kind="command", name="ping")
    i = fake.answered(r["id"], timeout=10)
    assert "Pong" in response_text(i)
    log = fake.log()
    resumed = [e for e in log if e["type"] == "gw_resumed"]
    assert resumed and resumed[-1]["replayed"] >= 1
    assert [e for e in log if e["type"] == "gw_open"][-1]["path"] == "/resume"
    bot.wait_state("ready")
    # op 7 and a TCP drop: resumed too, the session is the same
    sid = fake.state()["sessions"][0]["id"]
    fake.control("reconnect", {"grace_ms": 300})
    wait_for(lambda: len([e for e in fake.log() if e["type"] == "gw_resumed"]) >= 2,
             what="resume after op 7")
    fake.control("drop")
    wait_for(lambda: len([e for e in fake.log() if e["type"] == "gw_resumed"]) >= 3,
             what="resume after a TCP drop")
    assert fake.state()["sessions"][0]["id"] == sid
    r = fake.interaction(kind="command", name="help")
    fake.answered(r["id"])
    # op 9 false: a new session with IDENTIFY
    fake.control("invalid-session", {"resumable": False})
    wait_for(lambda: len([e for e in fake.log() if e["type"] == "gw_session_created"]) >= 2,
             timeout=15, what="a new session after op 9")
    bot.wait_state("ready")


def test_server_heartbeat_request_is_answered(env):
    # (zombie detection itself, no ACK before the next beat, is covered by
    # tests/unit/test_discord_gateway.c: the fake always ACKs)
    broker, fake, bot = env()
    for _ in range(3):
        fake.control("reset-log")
        fake.control("request-heartbeat")
        e = wait_for(lambda: [x for x in fake.log() if x["type"].startswith("gw_heartbeat_")]
                     or None, timeout=3, what="the fake's verdict on op 1")[0]
        assert e["type"] == "gw_heartbeat_answered", e
        assert e["ms"] < 200, f"op 1 answered after {e['ms']} ms"
    conn = [c for c in fake.state()["connections"] if not c["closing"]][0]
    assert conn["heartbeat_requests"]["answered"] == 3
    assert conn["heartbeat_requests"]["missed"] == 0


# ---------------------------------------------------------------------------
# Commands


def test_simple_commands_and_refusals(env):
    broker, fake, bot = env(containers=[{"host": "h1", "name": "plex",
                                         "display_name": "Plex", "info": {
                                             "enabled": True, "text": "Movies here"}}])
    ready_overviews(fake, bot)
    i = fake.answered(fake.interaction(kind="command", name="help")["id"])
    assert i["response"]["data"]["flags"] & 64 and "ddc help" in response_text(i)
    i = fake.answered(fake.interaction(kind="command", name="ping")["id"])
    assert "Pong" in response_text(i) and not (i["response"]["data"].get("flags", 0) & 64)
    # /ss in the status channel: a fresh overview, the old one deleted
    old = fake.overviews(CH_STATUS)[-1]["id"]
    i = fake.answered(fake.interaction(kind="command", name="ss", channel_id=CH_STATUS)["id"])
    assert "posted" in response_text(i)
    wait_for(lambda: (lambda o: o if len(o) == 1 and o[0]["id"] != old else None)(
        fake.overviews(CH_STATUS)), what="new overview replacing the old one")
    i = fake.answered(fake.interaction(kind="command", name="control",
                                       channel_id=CH_CONTROL)["id"])
    assert "posted" in response_text(i)
    # wrong channel kinds
    i = fake.answered(fake.interaction(kind="command", name="ss", channel_id=CH_CONTROL)["id"])
    assert i["response"]["data"]["flags"] & 64
    assert "only in status channels" in response_text(i)
    i = fake.answered(fake.interaction(kind="command", name="control",
                                       channel_id=CH_STATUS)["id"])
    assert "only in control channels" in response_text(i)
    # a channel that is not set up
    bot.save("channels", [{"id": CH_CONTROL, "kind": "control"}])
    wait_for(lambda: "not set up" in response_text(fake.answered(fake.interaction(
        kind="command", name="serverstatus", channel_id=CH_STATUS)["id"])), timeout=5,
        what="refusal in an unconfigured channel")
    # /info with autocomplete
    r = fake.interaction(kind="autocomplete", name="info", value="pl",
                         channel_id=CH_CONTROL)
    i = fake.answered(r["id"])
    choices = i["choices"]
    assert len(choices) == 1 and "Plex" in choices[0]["name"]
    i = fake.answered(fake.interaction(kind="command", name="info",
                                       options={"container": choices[0]["value"]},
                                       channel_id=CH_CONTROL)["id"])
    assert "Plex" in response_text(i) and "Movies here" in response_text(i)
    i = fake.answered(fake.interaction(kind="command", name="info",
                                       options={"container": "nope"},
                                       channel_id=CH_CONTROL)["id"])
    assert "Unknown container" in response_text(i)


def test_cooldowns_from_live_config(env):
    broker, fake, bot = env(spam={"enabled": True, "command_cooldowns": {"ping": 60},
                                  "button_cooldowns": {}})
    i = fake.answered(fake.interaction(kind="command", name="ping")["id"])
    assert "Pong" in response_text(i)
    i = fake.answered(fake.interaction(kind="command", name="ping")["id"])
    assert "Please wait" in response_text(i) and i["response"]["data"]["flags"] & 64
    # another user is not held back
    i = fake.answered(fake.interaction(kind="command", name="ping", user_id=OTHER)["id"])
    assert "Pong" in response_text(i)
    # off: live
    bot.save("spam", {"enabled": False, "command_cooldowns": {"ping": 60},
                      "button_cooldowns": {}})
    wait_for(lambda: "Pong" in response_text(fake.answered(fake.interaction(
        kind="command", name="ping")["id"])), timeout=5, what="cooldown switched off")


def test_addadmin_modal_and_save(env):
    broker, fake, bot = env()
    i = fake.answered(fake.interaction(kind="command", name="addadmin",
                                       channel_id=CH_CONTROL)["id"])
    assert i["response"]["type"] == 9 and i["modal"]["custom_id"] == "adm:add"
    i = fake.answered(fake.interaction(kind="modal", custom_id="adm:add",
                                       fields={"user_id": "12ab"}, channel_id=CH_CONTROL)["id"])
    assert "not a Discord user ID" in response_text(i)
    i = fake.answered(fake.interaction(kind="modal", custom_id="adm:add",
                                       fields={"user_id": ADMIN}, channel_id=CH_CONTROL)["id"])
    assert "already" in response_text(i)
    # a non-admin may not add admins
    i = fake.answered(fake.interaction(kind="command", name="addadmin", user_id=OTHER,
                                       channel_id=CH_CONTROL)["id"])
    assert "Only ddc admins" in response_text(i)
    # the save goes to the broker: the discord role has no write access
    # (yet), so the answer is the broker's refusal, shown to the user
    r = fake.interaction(kind="modal", custom_id="adm:add",
                         fields={"user_id": "223344556677889900"}, channel_id=CH_CONTROL)
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 5
    m = fake.original(r["id"], lambda m: m["content"])
    admins = json.loads(bot.ctl.request("SNAPSHOT", "admins")[4])["sections"]["admins"]
    if "now a ddc admin" in m["content"]:
        assert any(a["id"] == "223344556677889900" for a in admins)
    else:
        assert "Could not save" in m["content"]
        assert not any(a["id"] == "223344556677889900" for a in admins)


def test_language_switch_is_live(env):
    broker, fake, bot = env()
    ready_overviews(fake, bot)
    sid = fake.overviews(CH_STATUS)[-1]["id"]
    bot.save("bot", {"token": TOKEN, "guild_id": GUILD, "language": "de",
                     "timezone": "Europe/Berlin"})
    wait_for(lambda: "Serverübersicht" in text_of(fake.message(sid)), what="German overview")
    wait_for(lambda: any("Serverübersicht" in c["description"] for c in fake.state()["commands"]
                         if c["name"] == "serverstatus") or None, what="German commands")
    i = fake.answered(fake.interaction(kind="command", name="ss", channel_id=CH_CONTROL)["id"])
    assert "nur in Status-Kanälen" in response_text(i)


def test_bot_speaks_spanish(env):
    """bot.language "es" (a language of the shared catalogue): overviews,
    command descriptions and replies in Spanish."""
    broker, fake, bot = env()
    ready_overviews(fake, bot)
    sid = fake.overviews(CH_STATUS)[-1]["id"]
    bot.save("bot", {"token": TOKEN, "guild_id": GUILD, "language": "es",
                     "timezone": "Europe/Madrid"})
    wait_for(lambda: "Resumen del servidor" in text_of(fake.message(sid)), what="Spanish overview")
    wait_for(lambda: any(c["description"] == "Cómo usar este bot" for c in fake.state()["commands"]
                         if c["name"] == "help") or None, what="Spanish commands")
    # every user's client shows the commands in its own language
    helps = [c for c in fake.state()["commands"] if c["name"] == "help"]
    loc = helps[0]["description_localizations"]
    assert loc["es-ES"] == loc["es-419"] == "Cómo usar este bot"
    assert loc["fr"] == "Comment utiliser ce bot" and loc["de"] == "So benutzt du diesen Bot"
    assert loc["en-US"] == "How to use this bot" and loc["zh-CN"] == "如何使用此机器人"
    i = fake.answered(fake.interaction(kind="command", name="ss", channel_id=CH_CONTROL,
                                       locale="es-ES")["id"])
    assert "Este comando solo funciona en canales de estado" in response_text(i)
    i = fake.answered(fake.interaction(kind="command", name="ping", channel_id=CH_CONTROL)["id"])
    assert "¡Pong!" in response_text(i)


# ---------------------------------------------------------------------------
# Panels and buttons without Docker: permissions


def test_button_refusals(env):
    cfg = [{"host": "h1", "name": "plex", "display_name": "Plex",
            "allowed_actions": ["start", "stop", "restart"]}]
    broker, fake, bot = env(containers=cfg, spam={
        "enabled": True, "command_cooldowns": {}, "button_cooldowns": {"refresh": 30}})
    ready_overviews(fake, bot)
    key = key_of(fake, CH_CONTROL, "Plex")
    panel = open_panel(fake, key)
    m = fake.message(panel)
    assert f"pn:restart:{key}" in custom_ids(m)
    # a non-admin presses restart on that panel
    r = fake.interaction(kind="button", custom_id=f"pn:restart:{key}", message_id=panel,
                         channel_id=CH_CONTROL, user_id=OTHER)
    i = fake.answered(r["id"])
    assert "Only ddc admins" in response_text(i) and i["response"]["data"]["flags"] & 64
    # the action is no longer allowed (live config change after the panel)
    cfg[0]["allowed_actions"] = ["start"]
    bot.save("containers", cfg)
    wait_for(lambda: "not allowed" in response_text(fake.answered(fake.interaction(
        kind="button", custom_id=f"pn:restart:{key}", message_id=panel,
        channel_id=CH_CONTROL)["id"])), timeout=5, what="action not allowed")
    # a non-admin sees no action buttons
    p2 = open_panel(fake, key, user=OTHER)
    assert [c for c in custom_ids(fake.message(p2)) if c.startswith("pn:")] == [f"pn:ref:{key}"]
    # bulk buttons are admin-only
    ov = fake.overviews(CH_CONTROL)[-1]
    i = fake.answered(fake.interaction(kind="button", custom_id="ov:help", message_id=ov["id"],
                                       channel_id=CH_CONTROL)["id"])
    assert "ddc help" in response_text(i)
    # refresh cooldown
    r1 = fake.interaction(kind="button", custom_id=f"pn:ref:{key}", message_id=panel,
                          channel_id=CH_CONTROL)
    assert fake.answered(r1["id"])["response"]["type"] == 7
    r2 = fake.interaction(kind="button", custom_id=f"pn:ref:{key}", message_id=panel,
                          channel_id=CH_CONTROL)
    assert "Please wait" in response_text(fake.answered(r2["id"]))


def test_display_name_change_rerenders_overview(env):
    cfg = [{"host": "h1", "name": "plex", "display_name": "Plex Old"}]
    broker, fake, bot = env(containers=cfg)
    s, c = ready_overviews(fake, bot)
    sid, cid = s[-1]["id"], c[-1]["id"]
    wait_for(lambda: "Plex Old" in text_of(fake.message(sid)), what="first render")
    t0 = time.monotonic()
    cfg[0]["display_name"] = "Plex New"
    bot.save("containers", cfg)
    wait_for(lambda: "Plex New" in text_of(fake.message(sid))
             and "Plex New" in text_of(fake.message(cid)), timeout=5,
             what="overviews edited in place")
    assert time.monotonic() - t0 < 5
    assert [m["id"] for m in fake.overviews(CH_STATUS)] == [sid]       # edited, not re-posted


def test_429_is_obeyed(env):
    broker, fake, bot = env(bot_extra=["--no-compress"])
    ready_overviews(fake, bot)
    fake.control("ratelimit-next", {"retry_after": 1.5,
                                    "path": f"/channels/{CH_STATUS}/messages"})
    fake.answered(fake.interaction(kind="command", name="ss", channel_id=CH_STATUS)["id"])

    def posts():
        e = [x for x in fake.log() if x["type"] == "rest" and x["method"] == "POST"
             and x["path"] == f"/api/v10/channels/{CH_STATUS}/messages"]
        return e if len(e) >= 2 and e[-1]["status"] == 200 else None
    e = wait_for(posts, what="the retried post")
    limited = [x for x in e if x["status"] == 429]
    assert limited and e[-1]["at"] - limited[-1]["at"] >= 1450
    # a global 429 holds channel calls, not interaction callbacks
    fake.control("ratelimit-next", {"retry_after": 2, "global": True,
                                    "path": f"/channels/{CH_STATUS}/messages"})
    fake.answered(fake.interaction(kind="command", name="ss", channel_id=CH_STATUS)["id"])
    fake.answered(fake.interaction(kind="command", name="ping")["id"])
    conn = [c for c in fake.state()["connections"] if not c["closing"]][0]
    assert conn["compress"] is None


def test_deleted_overview_is_reposted_and_ids_survive_restart(env):
    broker, fake, bot = env()
    s, _ = ready_overviews(fake, bot)
    old = s[-1]["id"]
    assert fake.rest("DELETE", f"/channels/{CH_STATUS}/messages/{old}") == 204
    new = wait_for(lambda: (lambda o: o[-1]["id"] if o and o[-1]["id"] != old else None)(
        fake.overviews(CH_STATUS)), what="re-posted overview")
    # the file may hold the other channel's entry first
    wait_for(lambda: json.load(open(bot.state_path)).get("channels", {}).get(CH_STATUS, {})
             .get("message") == new, what="state file updated")
    # a restart edits the same messages instead of posting new ones
    bot.stop()
    fake.control("reset-log")
    bot.start()
    bot.wait_state("ready")
    wait_for(lambda: [e for e in fake.log() if e["type"] == "rest" and e["method"] == "PATCH"
                      and e["path"].endswith(f"/messages/{new}")] or None,
             what="overview edited after the restart")
    time.sleep(1)
    assert not [e for e in fake.log() if e["type"] == "rest" and e["method"] == "POST"
                and "/channels/" in e["path"]]
    assert [m["id"] for m in fake.overviews(CH_STATUS)] == [new]


def test_overview_deleted_before_its_post_was_answered_is_reposted(env):
    """Someone deletes the overview while the bot still waits for the
    answer to its POST (the MESSAGE_DELETE names an id the bot does not
    know yet): once the answer comes, the overview is posted again."""
    broker, fake, bot = env()
    s, _ = ready_overviews(fake, bot)
    old = s[-1]["id"]
    fake.control("hold-reply", {"method": "POST", "path": f"/channels/{CH_STATUS}/messages",
                                "ms": 1500})
    assert fake.rest("DELETE", f"/channels/{CH_STATUS}/messages/{old}") == 204
    first = wait_for(lambda: (lambda o: o[-1]["id"] if o and o[-1]["id"] != old else None)(
        fake.overviews(CH_STATUS)), what="the repost, its answer held back")
    assert fake.rest("DELETE", f"/channels/{CH_STATUS}/messages/{first}") == 204
    again = wait_for(lambda: (lambda o: o[-1]["id"] if o and o[-1]["id"] not in (old, first)
                              else None)(fake.overviews(CH_STATUS)),
                     what="posted again once the held answer came")
    wait_for(lambda: [m["id"] for m in fake.overviews(CH_STATUS)] == [again] or None,
             what="one overview")


def test_overview_moves_to_bottom_after_inactivity(env):
    broker, fake, bot = env(channels=[{"id": CH_STATUS, "kind": "status", "post_initial": True,
                                       "recreate_minutes": 1}])
    s = wait_for(lambda: fake.overviews(CH_STATUS) or None, what="overview")
    old = s[-1]["id"]
    # someone else writes in the channel (a message by another author)
    r = fake.control("dispatch", {"t": "MESSAGE_CREATE", "d": {
        "id": "1100000000000009999", "channel_id": CH_STATUS, "guild_id": GUILD,
        "author": {"id": OTHER, "username": "x", "bot": False}, "content": "hi"}})
    wait_for(lambda: [e for e in fake.log() if e["type"] == "gw_out"
                      and e.get("t") == "MESSAGE_CREATE" and e.get("s") == r["s"]] or None,
             what="MESSAGE_CREATE delivered to the bot")
    time.sleep(5)
    assert fake.overviews(CH_STATUS)[-1]["id"] == old          # not at once
    new = wait_for(lambda: (lambda o: o[-1]["id"] if o and o[-1]["id"] != old else None)(
        fake.overviews(CH_STATUS)), timeout=70, what="overview moved to the bottom")
    wait_for(lambda: [m["id"] for m in fake.overviews(CH_STATUS)] == [new] or None,
             what="old overview deleted")


# ---------------------------------------------------------------------------
# With Docker: real actions



def test_overview_of_many_containers_takes_several_messages(env):
    """The most containers the configuration takes: each overview in several
    messages within Discord's limits (the fake refuses any other), every
    container in one select, a state change edits only the message that shows
    the container, a deleted message brings the whole overview anew, and a
    restart edits the same messages."""
    n = 1000                                # DDC_CONTAINERS_MAX
    hosts = ["alpha", "beta"]
    cfg = [{"host": hosts[i % 2], "name": f"game-server-{i:03d}", "order": i,
            "display_name": f"Game server {i:03d}"} for i in range(n)]
    broker, fake, bot = env(containers=cfg)

    def parts(channel):
        o = fake.overviews(channel)
        n = len(o)
        titles = [m["embeds"][0]["title"] for m in o]
        if n < 2 or titles != [f"{titles[0].split(' (')[0]} ({k + 1}/{n})" for k in range(n)]:
            return None
        return o
    s = wait_for(lambda: parts(CH_STATUS), timeout=120, what="the server overview's messages")
    c = wait_for(lambda: parts(CH_CONTROL), timeout=120, what="the admin overview's messages")
    for o in (s, c):
        keys = [opt["value"] for m in o for row in m["components"] for x in row["components"]
                for opt in x.get("options") or []]
        assert len(keys) == n and len(set(keys)) == n
        assert all("ov:ref" not in custom_ids(m) for m in o[:-1])
        assert "ov:ref" in custom_ids(o[-1]) and "ov:help" in custom_ids(o[-1])
        assert all("more" not in text_of(m) for m in o)
    print(f"{n} containers: {len(s)} and {len(c)} messages")
    assert f"Containers: {n}" in text_of(c[0])
    saved = json.load(open(bot.state_path))["channels"]
    for ch, o in ((CH_STATUS, s), (CH_CONTROL, c)):
        assert [saved[ch]["message"], *saved[ch].get("more", [])] == [m["id"] for m in o]

    # A state: only the message with that container is edited.
    agent = FakeAgent(broker, "alpha")
    try:
        agent.report({f"game-server-{i:03d}": "exited" for i in range(0, n, 2)})
        wait_for(lambda: f"Offline: {n // 2}" in text_of(fake.overviews(CH_CONTROL)[0]), timeout=20,
                 what="the agent's report in the admin overview")
        where = [k for k, m in enumerate(fake.overviews(CH_CONTROL))
                 if "Game server 250" in text_of(m)]
        assert len(where) == 1
        wait_for(lambda: sum(text_of(m).count("🔴") for m in fake.overviews(CH_CONTROL)) == n // 2,
                 timeout=30, what="every part showing the report")
        fake.control("reset-log")
        states = {f"game-server-{i:03d}": "exited" for i in range(0, n, 2)}
        states["game-server-250"] = "running"
        agent.report(states)
        ids = [m["id"] for m in fake.overviews(CH_CONTROL)]
        wait_for(lambda: ids[where[0]] in {e["path"].rsplit("/", 1)[-1]
                                           for e in patches(fake, CH_CONTROL)} or None,
                 timeout=10, what="the admin overview edited")
        wait_for(lambda: "Online: 1 •" in text_of(fake.message(ids[0])), timeout=10,
                 what="the counts")
        # the part with the container, the first one with the counts, the
        # last one with Stop all (no longer disabled): none of the others
        edited = {e["path"].rsplit("/", 1)[-1] for e in patches(fake, CH_CONTROL)}
        assert edited <= {ids[where[0]], ids[0], ids[-1]}
        assert "🟢 Game server 250" in fake.message(ids[where[0]])["embeds"][0]["description"]
    finally:
        agent.close()

    # One message deleted: the whole overview is posted anew, the rest deleted.
    old = [m["id"] for m in fake.overviews(CH_STATUS)]
    assert fake.rest("DELETE", f"/channels/{CH_STATUS}/messages/{old[1]}") == 204
    new = wait_for(lambda: (lambda o: o if len(o) == len(old) and not {m["id"] for m in o} & set(old)
                            else None)(fake.overviews(CH_STATUS)), timeout=120,
                   what="the server overview posted anew")
    new = [m["id"] for m in new]
    assert new == sorted(new, key=int)
    wait_for(lambda: [json.load(open(bot.state_path))["channels"][CH_STATUS]["message"],
                      *json.load(open(bot.state_path))["channels"][CH_STATUS].get("more", [])]
             == new or None, what="the state file holding the new messages")

    # A restart edits the same messages.
    bot.stop()
    fake.control("reset-log")
    bot.start()
    bot.wait_state("ready")
    wait_for(lambda: len({e["path"] for e in patches(fake, CH_STATUS)}) == len(new) or None,
             timeout=120, what="every message edited after the restart")
    assert not [e for e in fake.log() if e["type"] == "rest" and e["method"] == "POST"
                and "/channels/" in e["path"]]
    assert [m["id"] for m in fake.overviews(CH_STATUS)] == new


def test_buttons_restart_logs_and_bulk_with_docker(env, docker_env):
    d = docker_env
    a = d.run()
    b = d.run("sh", "-c", "while true; do echo hello-ddc-$RANDOM; sleep 1; done")
    broker, fake, bot = env(containers=containers_cfg(d.host, [a, b]),
                            docker={"stats_interval_seconds": 2, "stop_timeout_seconds": 1})
    d.agent(broker)
    ready_overviews(fake, bot)
    # both show running in the overview (status reports from the agent)
    wait_for(lambda: text_of(fake.overviews(CH_STATUS)[-1]).count("🟢") == 2, timeout=20,
             what="running containers in the overview")
    key = key_of(fake, CH_CONTROL, "Box 1")
    panel = open_panel(fake, key)
    assert "Online" in text_of(fake.message(panel))
    before = d.started_at(a)
    r = fake.interaction(kind="button", custom_id=f"pn:restart:{key}", message_id=panel,
                         channel_id=CH_CONTROL)
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 7 and "Restarting Box 1" in response_text(i)
    assert not custom_ids(i["response"]["data"])                # no buttons while pending
    m = wait_for(lambda: (lambda m: m if "restarted" in (m.get("content") or "") else None)(
        fake.message(panel)), timeout=60, what="panel shows the result")
    assert "Online" in text_of(m) and f"pn:restart:{key}" in custom_ids(m)
    assert d.started_at(a) != before                           # really restarted
    # the overview was pending and is green again
    wait_for(lambda: text_of(fake.overviews(CH_STATUS)[-1]).count("🟢") == 2, timeout=20,
             what="overview back to running")
    # logs: a deferred ephemeral reply, then the last lines
    kb = key_of(fake, CH_CONTROL, "Box 2")
    pb = open_panel(fake, kb)
    r = fake.interaction(kind="button", custom_id=f"pn:logs:{kb}", message_id=pb,
                         channel_id=CH_CONTROL)
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 5 and i["response"]["data"]["flags"] & 64
    m = fake.original(r["id"], lambda m: "hello-ddc" in text_of(m), timeout=20)
    assert "Logs: Box 2" in text_of(m)
    # stop and start
    r = fake.interaction(kind="button", custom_id=f"pn:stop:{kb}", message_id=pb,
                         channel_id=CH_CONTROL)
    fake.answered(r["id"])
    m = wait_for(lambda: (lambda m: m if "stopped" in (m.get("content") or "") else None)(
        fake.message(pb)), timeout=60, what="stopped")
    assert f"pn:start:{kb}" in custom_ids(m)
    assert json.loads(sh("docker", "inspect", b))[0]["State"]["Running"] is False
    r = fake.interaction(kind="button", custom_id=f"pn:start:{kb}", message_id=pb,
                         channel_id=CH_CONTROL)
    fake.answered(r["id"])
    wait_for(lambda: "started" in (fake.message(pb).get("content") or ""), timeout=60,
             what="started")
    # Restart All: confirmation, then every running container
    wait_for(lambda: text_of(fake.overviews(CH_CONTROL)[-1]).count("🟢") == 2, timeout=20,
             what="both running again")
    ov = fake.overviews(CH_CONTROL)[-1]
    r = fake.interaction(kind="button", custom_id="ov:rall", message_id=ov["id"],
                         channel_id=CH_CONTROL, user_id=OTHER)
    assert "Only ddc admins" in response_text(fake.answered(r["id"]))
    r = fake.interaction(kind="button", custom_id="ov:rall", message_id=ov["id"],
                         channel_id=CH_CONTROL)
    i = fake.answered(r["id"])
    assert "Restart all 2 running containers?" in response_text(i)
    confirm = i["original_message_id"]
    starts = (d.started_at(a), d.started_at(b))
    r = fake.interaction(kind="button", custom_id="bk:restart", message_id=confirm,
                         channel_id=CH_CONTROL)
    i = fake.answered(r["id"])
    assert "Restarting 2 containers" in response_text(i)
    m = wait_for(lambda: (lambda m: m if "Done" in (m.get("content") or "") else None)(
        fake.message(confirm)), timeout=60, what="bulk result")
    assert "2 succeeded, 0 failed" in m["content"]
    assert d.started_at(a) != starts[0] and d.started_at(b) != starts[1]


def test_action_on_a_host_without_agent(env):
    broker, fake, bot = env(containers=[{"host": "nowhere", "name": "ghost",
                                         "display_name": "Ghost"}])
    ready_overviews(fake, bot)
    key = key_of(fake, CH_CONTROL, "Ghost")
    panel = open_panel(fake, key)
    r = fake.interaction(kind="button", custom_id=f"pn:start:{key}", message_id=panel,
                         channel_id=CH_CONTROL)
    assert fake.answered(r["id"])["response"]["type"] == 7
    m = wait_for(lambda: (lambda m: m if "not connected" in (m.get("content") or "") else None)(
        fake.message(panel)), timeout=10, what="host not connected")
    assert "nowhere" in m["content"]


# ---------------------------------------------------------------------------
# True states at every moment


def ov_text(fake, channel):
    o = fake.overviews(channel)
    return text_of(o[-1]) if o else ""


def patches(fake, channel):
    return [e for e in fake.log() if e["type"] == "rest" and e["method"] == "PATCH"
            and e["path"].startswith(f"/api/v10/channels/{channel}/messages/")]


def test_states_known_at_once_after_a_restart_and_when_an_agent_goes(env, docker_env, tmp):
    d = docker_env
    a, b = d.run(), d.run()
    sh("docker", "stop", "-t", "0", a, b)
    broker, fake, bot = env(containers=containers_cfg(d.host, [a, b]))
    agent = d.agent(broker)
    ready_overviews(fake, bot)
    wait_for(lambda: ov_text(fake, CH_CONTROL).count("🔴") == 2, timeout=20,
             what="both stopped in the overview")
    # A restart of the bot: with every container stopped the agent sends
    # nothing new, so the states must come from the broker's table.
    bot.stop()
    fake.control("reset-log")
    t0 = time.monotonic()
    bot.start()
    bot.wait_state("ready")

    wait_for(lambda: patches(fake, CH_CONTROL) and patches(fake, CH_STATUS)
             and "Online: 0 • Offline: 2\n" in ov_text(fake, CH_CONTROL)
             and ov_text(fake, CH_STATUS).count("🔴") == 2, timeout=10,
             what="the states right after the restart")
    assert time.monotonic() - t0 < 10
    # The agent says BYE: unknown, with the host marked, at once.
    agent.stop()
    t0 = time.monotonic()
    wait_for(lambda: "Docker agent offline since" in ov_text(fake, CH_CONTROL)
             and "Unknown: 2" in ov_text(fake, CH_CONTROL), timeout=5,
             what="the host marked in the admin overview")
    wait_for(lambda: "⚠️" in ov_text(fake, CH_STATUS) and "🔴" not in ov_text(fake, CH_STATUS),
             timeout=5, what="the host marked in the server overview")
    assert time.monotonic() - t0 < 5
    key = key_of(fake, CH_CONTROL, "Box 1")
    panel = open_panel(fake, key)
    t = text_of(fake.message(panel))
    assert "Unknown" in t and "⚠️ Docker agent offline since" in t, t
    # Back: the agent's first report.
    agent = d.agent(broker)
    wait_for(lambda: "Offline: 2" in ov_text(fake, CH_CONTROL)
             and "⚠️" not in ov_text(fake, CH_CONTROL), timeout=15, what="the host back")
    # Killed: the broker sees it quiet within PEER_IDLE_MS (5 s).
    agent.kill9()
    t0 = time.monotonic()
    wait_for(lambda: "Docker agent offline since" in ov_text(fake, CH_CONTROL), timeout=10,
             what="a killed agent marked")
    assert time.monotonic() - t0 < 8


def test_docker_unreachable_shown_like_a_gone_agent(env, tmp):
    broker, fake, bot = env(containers=[{"host": "nodocker", "name": "plex",
                                         "display_name": "Plex"}])
    ready_overviews(fake, bot)
    Proc([bin_path("ddc-docker"), "--broker", broker.ctl, "--host", "nodocker",
          "--docker-socket", os.path.join(tmp, "no-such.sock"),
          "--cache", os.path.join(tmp, "nd.cache.json"), "--audit", os.path.join(tmp, "nd.audit")],
         os.path.join(tmp, "nodocker.log"))
    wait_for(lambda: "Docker unreachable since" in ov_text(fake, CH_CONTROL), timeout=15,
             what="Docker unreachable in the admin overview")
    wait_for(lambda: "⚠️" in ov_text(fake, CH_STATUS)
             and "Docker unreachable" in ov_text(fake, CH_STATUS), timeout=5,
             what="Docker unreachable in the server overview")
    panel = open_panel(fake, key_of(fake, CH_CONTROL, "Plex"))
    assert "⚠️ Docker unreachable since" in text_of(fake.message(panel))


def test_pending_counted_and_cleared_when_an_action_fails(env):
    cfg = [{"host": "fa1", "name": f"c{i}", "display_name": f"Box {i}"} for i in (1, 2, 3)]
    cfg.append({"host": "nowhere", "name": "ghost", "display_name": "Ghost"})
    broker, fake, bot = env(containers=cfg)
    agent = FakeAgent(broker, "fa1")
    try:
        agent.report({"c1": "running", "c2": "running", "c3": "running"})
        ready_overviews(fake, bot)
        wait_for(lambda: "Containers: 4 • Online: 3 • Offline: 0 • Unknown: 1"
                 in ov_text(fake, CH_CONTROL), timeout=10, what="three online")
        key = key_of(fake, CH_CONTROL, "Box 2")
        panel = open_panel(fake, key)
        r = fake.interaction(kind="button", custom_id=f"pn:restart:{key}", message_id=panel,
                             channel_id=CH_CONTROL)
        fake.answered(r["id"])
        act = agent.action()
        assert act[4]["action"] == "restart" and act[4]["container"] == "c2"
        wait_for(lambda: "Online: 2 • Offline: 0 • Pending: 1 • Unknown: 1"
                 in ov_text(fake, CH_CONTROL), timeout=5, what="pending counted")
        # the server overview is an edit of its own, not ordered with the admin one
        wait_for(lambda: "🟡" in ov_text(fake, CH_STATUS), timeout=5,
                 what="pending in the server overview")
        # It fails: not pending any more, at once, with the reason on the panel.
        t0 = time.monotonic()
        agent.answer(act, {"ok": False, "error": "failed", "message": "no such image"})
        wait_for(lambda: "Online: 3 • Offline: 0 • Unknown: 1" in ov_text(fake, CH_CONTROL)
                 and "🟡" not in ov_text(fake, CH_STATUS), timeout=5, what="pending cleared")
        assert time.monotonic() - t0 < 5
        m = wait_for(lambda: (lambda m: m if "no such image" in (m.get("content") or "") else None)(
            fake.message(panel)), timeout=5, what="the reason on the panel")
        assert "🟡" not in text_of(m)
        # A host that is not connected: refused at once, never left pending.
        gk = key_of(fake, CH_CONTROL, "Ghost")
        gp = open_panel(fake, gk)
        for _ in range(3):
            r = fake.interaction(kind="button", custom_id=f"pn:start:{gk}", message_id=gp,
                                 channel_id=CH_CONTROL)
            fake.answered(r["id"])
            wait_for(lambda: "not connected" in (fake.message(gp).get("content") or ""),
                     timeout=5, what="host not connected")
            time.sleep(1.6)         # past the overview's coalescing of edits
            assert "Pending" not in ov_text(fake, CH_CONTROL), ov_text(fake, CH_CONTROL)
    finally:
        agent.close()


def test_logs_button_asks_for_bot_log_lines(env):
    """bot.log_lines is how many lines the Logs button asks the agent for,
    live: the default 50, then what the bot section says after a save."""
    cfg = [{"host": "fa3", "name": "c1", "display_name": "Box 1",
            "allowed_actions": ["start", "stop", "restart", "logs"]}]
    broker, fake, bot = env(containers=cfg)
    agent = FakeAgent(broker, "fa3")
    try:
        agent.report({"c1": "running"})
        ready_overviews(fake, bot)
        key = key_of(fake, CH_CONTROL, "Box 1")

        def logs_asked():
            panel = open_panel(fake, key)
            r = fake.interaction(kind="button", custom_id=f"pn:logs:{key}", message_id=panel,
                                 channel_id=CH_CONTROL)
            fake.answered(r["id"])
            act = agent.action()
            assert act[4]["action"] == "logs" and act[4]["container"] == "c1"
            agent.answer(act, {"ok": True, "logs": "line\n", "lines": 1,
                               "lines_asked": act[4]["lines"], "cut": False})
            fake.original(r["id"], lambda m: "Logs: Box 1" in text_of(m), timeout=10)
            return act[4]["lines"]

        assert logs_asked() == 50
        # The same save switches the language: the German overview shows
        # that the bot has applied it.
        sid = fake.overviews(CH_STATUS)[-1]["id"]
        bot.save("bot", {"token": TOKEN, "guild_id": GUILD, "language": "de",
                         "timezone": "Europe/Berlin", "log_lines": 200})
        wait_for(lambda: "Serverübersicht" in text_of(fake.message(sid)), what="applied")
        assert logs_asked() == 200
    finally:
        agent.close()


def test_stop_all_says_how_many_and_which_are_skipped(env):
    cfg = [{"host": "fa2", "name": f"c{i}", "display_name": f"Box {i}"} for i in (1, 2, 3)]
    cfg[2]["allowed_actions"] = ["restart"]
    broker, fake, bot = env(containers=cfg)
    agent = FakeAgent(broker, "fa2")
    try:
        agent.report({"c1": "running", "c2": "running", "c3": "running"})
        ready_overviews(fake, bot)
        wait_for(lambda: "Online: 3" in ov_text(fake, CH_CONTROL), timeout=10, what="online")
        ov = fake.overviews(CH_CONTROL)[-1]
        i = fake.answered(fake.interaction(kind="button", custom_id="ov:sall",
                                           message_id=ov["id"], channel_id=CH_CONTROL)["id"])
        assert ("Stop 2 of the 3 running containers? 1 of them do not allow stop and will keep "
                "running: Box 3") in response_text(i)
        i = fake.answered(fake.interaction(kind="button", custom_id="ov:rall",
                                           message_id=ov["id"], channel_id=CH_CONTROL)["id"])
        assert "Restart all 3 running containers?" in response_text(i)
    finally:
        agent.close()


def test_overview_edited_only_when_what_it_shows_changes(env):
    cfg = [{"host": "fa3", "name": "c1", "display_name": "Box 1"},
           {"host": "fa3", "name": "c2", "display_name": "Box 2"}]
    broker, fake, bot = env(containers=cfg, channels=[
        {"id": CH_STATUS, "kind": "status", "post_initial": True, "refresh_minutes": 1},
        {"id": CH_CONTROL, "kind": "control", "post_initial": True, "refresh_minutes": 1}])
    agent = FakeAgent(broker, "fa3")
    try:
        agent.report({"c1": "running", "c2": "exited"})
        ready_overviews(fake, bot)
        wait_for(lambda: "Online: 1 • Offline: 1" in ov_text(fake, CH_CONTROL)
                 and "🟢" in ov_text(fake, CH_STATUS), timeout=10, what="first states")
        time.sleep(2)
        fake.control("reset-log")
        t0 = time.monotonic()
        # Reports whose CPU and RAM change, states not: nothing to edit now.
        for i in range(10):
            agent.report({"c1": {"state": "running", "cpu_percent": 10.0 + i,
                                 "mem_bytes": (100 + i) << 20}, "c2": "exited"})
            time.sleep(0.3)
        time.sleep(2)
        assert not patches(fake, CH_STATUS) and not patches(fake, CH_CONTROL)
        # A state changes: one edit each.
        agent.report({"c1": {"state": "running", "cpu_percent": 19.0, "mem_bytes": 109 << 20},
                      "c2": "running"})
        wait_for(lambda: "Online: 2" in ov_text(fake, CH_CONTROL)
                 and ov_text(fake, CH_STATUS).count("🟢") == 2, timeout=5, what="edited")
        time.sleep(2)
        assert len(patches(fake, CH_STATUS)) == 1 and len(patches(fake, CH_CONTROL)) == 1
        # The minute's refresh: the admin overview shows CPU and RAM, which
        # changed (c2's figures came with it); the server overview shows
        # nothing new and is left alone.
        agent.report({"c1": {"state": "running", "cpu_percent": 42.0, "mem_bytes": 2 << 30},
                      "c2": "running"})
        wait_for(lambda: "42.0%" in ov_text(fake, CH_CONTROL), timeout=75 - (time.monotonic() - t0),
                 what="the refresh with new figures")
        assert "2.0 GB" in ov_text(fake, CH_CONTROL)
        time.sleep(2)
        assert len(patches(fake, CH_STATUS)) == 1, patches(fake, CH_STATUS)
        assert len(patches(fake, CH_CONTROL)) == 2
    finally:
        agent.close()


def test_info_text_line_breaks(env):
    broker, fake, bot = env(containers=[{"host": "h1", "name": "plex", "display_name": "Plex",
                                         "info": {"enabled": True,
                                                  "text": "Line one\nLine two\n\nLine four"}}])
    ready_overviews(fake, bot)
    i = fake.answered(fake.interaction(kind="command", name="info",
                                       options={"container": "plex"},
                                       channel_id=CH_CONTROL)["id"])
    field = i["response"]["data"]["embeds"][0]["fields"][0]
    assert field["value"] == "Line one\nLine two\n\nLine four", field


def test_guild_refusing_commands_is_an_error_in_status(env):
    broker, fake, bot = env(guild="1100000000000000999")
    want = ("slash commands not registered in guild 1100000000000000999: HTTP 403 "
            "(code 50001: Missing Access)")
    rep = wait_for(lambda: (lambda r: r if r and want in (r.get("error") or "") else None)(
        bot.report()), timeout=10, what="the refusal in the report")
    assert rep["state"] == "ready" and want in rep["commands_error"]
    out = subprocess.run([bin_path("ddc-ctl"), "--broker", broker.ctl, "status"],
                         capture_output=True, text=True, timeout=10).stdout
    assert f"gateway ready: {want}" in out, out
    bot.save("bot", {"token": TOKEN, "guild_id": GUILD, "language": "en", "timezone": "UTC"})
    rep = wait_for(lambda: (lambda r: r if r and r.get("commands") == GUILD
                            and r.get("error") is None else None)(bot.report()),
                   timeout=10, what="the error cleared")
    assert rep["commands_error"] is None


def test_cooldown_lowered_applies_at_once_and_ss_shares_serverstatus(env):
    broker, fake, bot = env(spam={"enabled": True, "command_cooldowns": {"serverstatus": 600},
                                  "button_cooldowns": {}})
    ready_overviews(fake, bot)
    i = fake.answered(fake.interaction(kind="command", name="serverstatus",
                                       channel_id=CH_STATUS)["id"])
    assert "posted" in response_text(i)
    # /ss is the same command: the same cooldown
    i = fake.answered(fake.interaction(kind="command", name="ss", channel_id=CH_STATUS)["id"])
    assert "Please wait" in response_text(i)
    left = int(response_text(i).split("wait ")[1].split(" ")[0])
    assert 590 <= left <= 600
    # Lowered to 2 s: the running cooldown ends 2 s after the use, not 10 minutes.
    bot.save("spam", {"enabled": True, "command_cooldowns": {"serverstatus": 2},
                      "button_cooldowns": {}})
    wait_for(lambda: "posted" in response_text(fake.answered(fake.interaction(
        kind="command", name="ss", channel_id=CH_STATUS)["id"])), timeout=6,
        what="the lowered cooldown over")
    # a cooldown set for "ss" only holds /serverstatus too
    bot.save("spam", {"enabled": True, "command_cooldowns": {"ss": 600},
                      "button_cooldowns": {}})
    time.sleep(0.5)
    wait_for(lambda: "Please wait" in response_text(fake.answered(fake.interaction(
        kind="command", name="serverstatus", channel_id=CH_STATUS)["id"])), timeout=5,
        what="/serverstatus held by the cooldown of /ss")


def test_ping_has_a_latency_right_after_connecting(env):
    broker, fake, bot = env()
    i = fake.answered(fake.interaction(kind="command", name="ping")["id"])
    t = response_text(i)
    assert "not measured" not in t and "REST round trip:" in t, t


# ---------------------------------------------------------------------------
# Scheduled tasks, info texts and live logs from Discord


def snapshot(bot, section):
    r = bot.ctl.request("SNAPSHOT", section)
    assert r and r[0] == "STATE", r
    return json.loads(r[4])["sections"][section]


def final_text(fake, iid, pred, timeout=10):
    """The text of an interaction's response message once pred holds."""
    return text_of(fake.original(iid, lambda m: pred(text_of(m)), timeout=timeout))


def test_task_command_adds_lists_and_deletes(env):
    cfg = [{"host": "h1", "name": "plex", "display_name": "Plex"}]
    broker, fake, bot = env(containers=cfg)
    ready_overviews(fake, bot)
    # /task add: a weekly task in the bot's time zone, said back in words
    r = fake.interaction(kind="command", name="task", channel_id=CH_CONTROL, options=[
        {"name": "add", "type": 1, "options": [
            {"name": "container", "type": 3, "value": "plex"},
            {"name": "action", "type": 3, "value": "restart"},
            {"name": "cycle", "type": 3, "value": "weekly"},
            {"name": "time", "type": 3, "value": "4:00"},
            {"name": "day", "type": 3, "value": "Montag"}]}])
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 5 and i["response"]["data"]["flags"] & 64
    t = final_text(fake, r["id"], lambda t: "saved" in t or "not" in t)
    assert "✅ Task plex-restart-weekly saved: Restart every Monday at 04:00 (Europe/Berlin)" \
        in t, t
    tasks = snapshot(bot, "tasks")
    assert len(tasks) == 1
    task = tasks[0]
    assert {k: task[k] for k in ("id", "host", "container", "action", "cycle", "time",
                                 "weekday", "timezone", "active")} == {
        "id": "plex-restart-weekly", "host": "h1", "container": "plex", "action": "restart",
        "cycle": "weekly", "time": "04:00", "weekday": "mon", "timezone": "Europe/Berlin",
        "active": True}
    assert task["note"].startswith("created in Discord by")
    hist = bot.ctl.request("HISTORY", "tasks", 0)
    assert hist[0] == "CHANGES" and json.loads(hist[2])[-1]["author"].startswith("discord:")
    # the same again: a second id, not an overwrite
    r = fake.interaction(kind="command", name="task", channel_id=CH_STATUS, options=[
        {"name": "add", "type": 1, "options": [
            {"name": "container", "type": 3, "value": "plex"},
            {"name": "action", "type": 3, "value": "restart"},
            {"name": "cycle", "type": 3, "value": "weekly"},
            {"name": "time", "type": 3, "value": "05:00"},
            {"name": "day", "type": 3, "value": "sun"},
            {"name": "timezone", "type": 3, "value": "America/New_York"}]}])
    fake.answered(r["id"])
    final_text(fake, r["id"], lambda t: "plex-restart-weekly-2" in t)
    assert [x["timezone"] for x in snapshot(bot, "tasks")] == ["Europe/Berlin",
                                                                  "America/New_York"]
    # refusals before anything is saved, in words
    for opts, want in (
            ({"time": "25:00", "cycle": "daily"}, "is not a time of day"),
            ({"time": "04:00", "cycle": "yearly", "day": "31.02."}, "A yearly task needs its day"),
            ({"time": "04:00", "cycle": "daily", "timezone": "Mars/Base"}, "is not a time zone"),
            ({"time": "04:00", "cycle": "once", "day": "2020-01-01"}, "That moment has passed")):
        o = [{"name": "container", "type": 3, "value": "plex"},
             {"name": "action", "type": 3, "value": "stop"}]
        o += [{"name": k, "type": 3, "value": v} for k, v in opts.items()]
        i = fake.answered(fake.interaction(kind="command", name="task", channel_id=CH_CONTROL,
                                           options=[{"name": "add", "type": 1, "options": o}])["id"])
        assert i["response"]["type"] == 4 and want in response_text(i), response_text(i)
    assert len(snapshot(bot, "tasks")) == 2
    # /task list: every task with its next run, in its own zone
    i = fake.answered(fake.interaction(kind="command", name="task", channel_id=CH_CONTROL,
                                       options=[{"name": "list", "type": 1, "options": []}])["id"])
    t = response_text(i)
    assert "`plex-restart-weekly` Plex · Restart every Monday at 04:00 (Europe/Berlin)" in t
    assert "(America/New_York)" in t and t.count("next: ") == 2 and "<t:" in t
    # autocomplete of tasks
    i = fake.answered(fake.interaction(kind="autocomplete", name="task", channel_id=CH_CONTROL,
                                       options=[{"name": "delete", "type": 1, "options": [
                                           {"name": "task", "type": 3, "value": "-2",
                                            "focused": True}]}])["id"])
    assert [c["value"] for c in i["choices"]] == ["plex-restart-weekly-2"]
    # admins only
    i = fake.answered(fake.interaction(kind="command", name="task", channel_id=CH_CONTROL,
                                       user_id=OTHER,
                                       options=[{"name": "list", "type": 1, "options": []}])["id"])
    assert "Only ddc admins" in response_text(i)
    i = fake.answered(fake.interaction(kind="autocomplete", name="task", channel_id=CH_CONTROL,
                                       user_id=OTHER,
                                       options=[{"name": "delete", "type": 1, "options": [
                                           {"name": "task", "type": 3, "value": "",
                                            "focused": True}]}])["id"])
    assert i["choices"] == []
    # /task delete
    r = fake.interaction(kind="command", name="task", channel_id=CH_CONTROL, options=[
        {"name": "delete", "type": 1, "options": [
            {"name": "task", "type": 3, "value": "plex-restart-weekly"}]}])
    fake.answered(r["id"])
    assert "Task plex-restart-weekly deleted" in final_text(fake, r["id"],
                                                              lambda t: "deleted" in t)
    assert [x["id"] for x in snapshot(bot, "tasks")] == ["plex-restart-weekly-2"]
    r = fake.interaction(kind="command", name="task", channel_id=CH_CONTROL, options=[
        {"name": "delete", "type": 1, "options": [
            {"name": "task", "type": 3, "value": "plex-restart-weekly"}]}])
    fake.answered(r["id"])
    assert "does not exist" in final_text(fake, r["id"], lambda t: "exist" in t)


def test_task_button_form_and_delete_select(env):
    cfg = [{"host": "h1", "name": "plex", "display_name": "Plex"}]
    broker, fake, bot = env(containers=cfg)
    ready_overviews(fake, bot)
    key = key_of(fake, CH_CONTROL, "Plex")
    panel = open_panel(fake, key)
    assert f"pn:tasks:{key}" in custom_ids(fake.message(panel))
    r = fake.interaction(kind="button", custom_id=f"pn:tasks:{key}", message_id=panel,
                         channel_id=CH_CONTROL)
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 4 and i["response"]["data"]["flags"] & 64
    assert "No tasks for this container yet." in response_text(i)
    lst = i["original_message_id"]
    assert custom_ids(fake.message(lst)) == [f"tk:add:{key}"]
    # Add task: the form, answered by the list with the new task
    i = fake.answered(fake.interaction(kind="button", custom_id=f"tk:add:{key}", message_id=lst,
                                       channel_id=CH_CONTROL)["id"])
    assert i["response"]["type"] == 9 and i["modal"]["custom_id"] == f"tk:new:{key}"
    r = fake.interaction(kind="modal", custom_id=f"tk:new:{key}", channel_id=CH_CONTROL,
                         fields={"action": "stop", "cycle": "monthly", "time": "23:30",
                                 "when": "15.", "tz": ""})
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 6
    m = wait_for(lambda: (lambda m: m if "saved" in (m.get("content") or "") else None)(
        fake.message(lst)), what="the list with the new task")
    assert "✅ Task plex-stop-monthly saved: Stop monthly on day 15 at 23:30 (Europe/Berlin)" \
        in m["content"]
    assert "`plex-stop-monthly`" in text_of(m) and "next: " in text_of(m)
    assert f"tk:del:{key}" in custom_ids(m)
    assert snapshot(bot, "tasks")[0]["day"] == 15
    # a bad form: said, nothing saved
    r = fake.interaction(kind="modal", custom_id=f"tk:new:{key}", channel_id=CH_CONTROL,
                         fields={"action": "restart", "cycle": "weekly", "time": "7:00",
                                 "when": "someday", "tz": "Europe/Berlin"})
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 4 and "needs its weekday" in response_text(i)
    assert len(snapshot(bot, "tasks")) == 1
    # delete through the select
    r = fake.interaction(kind="select", custom_id=f"tk:del:{key}", values=["plex-stop-monthly"],
                         message_id=lst, channel_id=CH_CONTROL)
    assert fake.answered(r["id"])["response"]["type"] == 6
    m = wait_for(lambda: (lambda m: m if "deleted" in (m.get("content") or "") else None)(
        fake.message(lst)), what="the list without it")
    assert "No tasks for this container yet." in text_of(m)
    assert snapshot(bot, "tasks") == []
    # not an admin: no buttons, and a crafted press is refused
    r = fake.interaction(kind="button", custom_id=f"pn:tasks:{key}", message_id=panel,
                         channel_id=CH_CONTROL, user_id=OTHER)
    assert "Only ddc admins" in response_text(fake.answered(r["id"]))


def test_info_text_edited_from_discord(env):
    cfg = [{"host": "h1", "name": "plex", "display_name": "Plex",
            "info": {"enabled": False, "text": ""}},
           {"host": "h1", "name": "db", "display_name": "DB"}]
    broker, fake, bot = env(containers=cfg)
    ready_overviews(fake, bot)
    key = key_of(fake, CH_CONTROL, "Plex")
    panel = open_panel(fake, key)
    i = fake.answered(fake.interaction(kind="button", custom_id=f"pn:edit:{key}",
                                       message_id=panel, channel_id=CH_CONTROL)["id"])
    assert i["response"]["type"] == 9
    modal = i["modal"]["custom_id"]
    assert modal.startswith(f"in:ed:{key}:")
    r = fake.interaction(kind="modal", custom_id=modal, channel_id=CH_CONTROL,
                         fields={"text": "Join: play.example.net\r\nPassword in #pins",
                                 "show": "yes"})
    assert fake.answered(r["id"])["response"]["type"] == 6
    m = wait_for(lambda: (lambda m: m if "Info saved" in (m.get("content") or "") else None)(
        fake.message(panel)), what="the panel with the saved info")
    assert "Join: play.example.net\nPassword in #pins" in text_of(m)
    c = snapshot(bot, "containers")[0]
    assert c["info"] == {"enabled": True, "text": "Join: play.example.net\nPassword in #pins"}
    # A change elsewhere in the section meanwhile is no conflict for this text.
    i = fake.answered(fake.interaction(kind="button", custom_id=f"pn:edit:{key}",
                                       message_id=panel, channel_id=CH_CONTROL)["id"])
    modal = i["modal"]["custom_id"]
    now = snapshot(bot, "containers")
    now[1]["display_name"] = "Database"
    bot.save("containers", now)
    r = fake.interaction(kind="modal", custom_id=modal, channel_id=CH_CONTROL,
                         fields={"text": "Join: play.example.net", "show": "no"})
    fake.answered(r["id"])
    wait_for(lambda: snapshot(bot, "containers")[0]["info"] == {
        "enabled": False, "text": "Join: play.example.net"}, what="saved over another change")
    assert snapshot(bot, "containers")[1]["display_name"] == "Database"
    # Someone changes this very text after the form opened: theirs stays,
    # and the admin is told, with both texts.
    i = fake.answered(fake.interaction(kind="button", custom_id=f"pn:edit:{key}",
                                       message_id=panel, channel_id=CH_CONTROL)["id"])
    modal = i["modal"]["custom_id"]
    now = snapshot(bot, "containers")
    now[0]["info"] = {"enabled": True, "text": "Changed in the web UI"}
    bot.save("containers", now)
    r = fake.interaction(kind="modal", custom_id=modal, channel_id=CH_CONTROL,
                         fields={"text": "Mine from Discord", "show": "yes"})
    fake.answered(r["id"])
    m = wait_for(lambda: (lambda m: m if "Someone changed" in (m.get("content") or "")
                          else None)(fake.message(panel)), what="the conflict said")
    assert "Changed in the web UI" in m["content"] and "Mine from Discord" in m["content"]
    assert snapshot(bot, "containers")[0]["info"]["text"] == "Changed in the web UI"
    # not an admin
    r = fake.interaction(kind="modal", custom_id=modal, channel_id=CH_CONTROL, user_id=OTHER,
                         fields={"text": "x", "show": "yes"})
    assert "Only ddc admins" in response_text(fake.answered(r["id"]))


def test_live_logs_refresh_themselves(env, docker_env):
    d = docker_env
    chatty = d.run("sh", "-c", "i=0; while true; do i=$((i+1)); echo tick-$i; sleep 1; done")
    quiet = d.run()
    broker, fake, bot = env(containers=containers_cfg(d.host, [chatty, quiet]))
    d.agent(broker)
    ready_overviews(fake, bot)
    key = key_of(fake, CH_CONTROL, "Box 1")
    panel = open_panel(fake, key)
    fake.control("reset-log")
    r = fake.interaction(kind="button", custom_id=f"pn:logs:{key}", message_id=panel,
                         channel_id=CH_CONTROL)
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 5 and i["response"]["data"]["flags"] & 64
    m = fake.original(r["id"], lambda m: "tick-" in text_of(m), timeout=20)
    assert "updating every 5 s until" in text_of(m)
    assert custom_ids(m) == [f"lg:ref:{key}", f"lg:stop:{key}"]

    def edits():
        return [e for e in fake.log() if e["type"] == "rest" and e["method"] == "PATCH"
                and e["path"].startswith("/api/v10/webhooks/")]
    first = text_of(m)
    wait_for(lambda: text_of(fake.original(r["id"])) != first, timeout=15,
             what="the logs updated by themselves")
    e = edits()
    assert len(e) >= 2
    gaps = [b["at"] - a["at"] for a, b in zip(e, e[1:])]
    assert min(gaps) >= 4000, gaps                     # within Discord's limits
    # ⏹️: no more updates
    r2 = fake.interaction(kind="button", custom_id=f"lg:stop:{key}", channel_id=CH_CONTROL,
                          message_id=i["original_message_id"])
    assert fake.answered(r2["id"])["response"]["type"] == 6
    m = wait_for(lambda: (lambda m: m if "No longer updating" in (m.get("content") or "")
                          else None)(fake.original(r["id"])), what="stopped")
    assert custom_ids(m) == [f"lg:ref:{key}"] and "as of" in text_of(m)
    n = len(edits())
    time.sleep(6)
    assert len(edits()) == n
    # 🔁: fresh lines, and updating again
    r3 = fake.interaction(kind="button", custom_id=f"lg:ref:{key}", channel_id=CH_CONTROL,
                          message_id=i["original_message_id"])
    assert fake.answered(r3["id"])["response"]["type"] == 6
    wait_for(lambda: "updating every 5 s" in text_of(fake.message(i["original_message_id"])),
             timeout=10, what="updating again")
    # The message deleted: the updates stop at the next edit's refusal.
    ref = fake.ix(r3["id"])
    assert fake.rest("DELETE", f"/webhooks/{APP}/{ref['token']}/messages/@original",
                     token=None) == 204
    time.sleep(7)
    n = len(edits())
    time.sleep(6)
    assert len(edits()) == n, "edits went on after the message was deleted"
    # A container without output: nothing to edit after the first answer.
    kq = key_of(fake, CH_CONTROL, "Box 2")
    pq = open_panel(fake, kq)
    fake.control("reset-log")
    r = fake.interaction(kind="button", custom_id=f"pn:logs:{kq}", message_id=pq,
                         channel_id=CH_CONTROL)
    fake.answered(r["id"])
    fake.original(r["id"], lambda m: "(no output)" in text_of(m), timeout=15)
    time.sleep(11)
    assert len(edits()) == 1, edits()
