"""ddc-broker against real ZeroMQ clients speaking raw DDCP/1 frames."""
import json
import os
import random
import stat
import subprocess
import threading
import time

import pytest
import zmq

from conftest import (Broker, RawClient, audit_entries, bin_path, free_port, journal_end,
                      journal_records, sub_socket, takes_o_direct, wait_for)

DEFAULT_BOT = {"token": "", "guild_id": "", "language": "en", "timezone": "UTC", "log_lines": 50}


def drain(sock, seconds):
    out = []
    deadline = time.monotonic() + seconds
    while True:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or not sock.poll(left):
            return out
        out.append(sock.recv_multipart())


def test_first_start_writes_default_config(broker):
    st = os.stat(broker.config_path)
    assert stat.S_IMODE(st.st_mode) == 0o600
    doc = broker.config()
    assert set(doc) >= {"bot", "containers", "channels", "admins", "spam", "tasks", "watchdog", "web", "_meta"}
    assert doc["_meta"]["rev"] == 1 and len(doc["_meta"]["epoch"]) == 16
    c = RawClient(broker.ctl)
    c.hello()
    rev, state = c.snapshot()
    assert rev == 1
    assert state["sections"]["bot"] == DEFAULT_BOT
    c.close()


def test_request_before_hello_is_refused(broker):
    c = RawClient(broker.ctl)
    r = c.request("SNAPSHOT", "*")
    assert r[0] == "ERROR" and r[2] == "401"
    c.close()


def test_save_cas_unchanged_and_retry(broker):
    c = RawClient(broker.ctl)
    c.hello()
    bot = dict(DEFAULT_BOT, language="de")
    r = c.save("bot", bot, expected=1)
    assert r[0] == "OK" and r[2:] == ["2", "2", "1"], r
    # same content again: no new revision
    r = c.save("bot", bot, expected=2)
    assert r[0] == "OK" and r[2:] == ["2", "2", "0"], r
    # stale expected revision: conflict with the current value
    r = c.save("bot", dict(bot, language="en"), expected=1)
    assert r[0] == "CONFLICT" and r[2] == "2" and json.loads(r[3])["language"] == "de"
    # a retried request id gets its first answer, not a second revision
    c.send("SAVE", "fixed-id", "bot", 2, "t", json.dumps(dict(bot, timezone="Europe/Berlin")))
    first = c.recv()
    c.send("SAVE", "fixed-id", "bot", 2, "t", json.dumps(dict(bot, timezone="Europe/Berlin")))
    second = c.recv()
    assert first == second and first[0] == "OK" and first[2] == "3"
    assert broker.config()["_meta"]["rev"] == 3
    c.close()


def test_invalid_save_changes_nothing(broker):
    c = RawClient(broker.ctl)
    c.hello()
    before = open(broker.config_path, "rb").read()
    r = c.save("bot", {"token": "a b", "guild_id": "42", "language": "xx", "timezone": "Mars/Base"})
    assert r[0] == "INVALID"
    errors = json.loads(r[2])
    fields = {e["field"] for e in errors}
    assert fields == {"bot.token", "bot.guild_id", "bot.language", "bot.timezone"}
    assert all(set(e) == {"field", "reason", "message"} for e in errors)
    r = c.save("containers", [{"host": "local", "name": "bad name!"}])
    assert r[0] == "INVALID" and json.loads(r[2])[0]["field"].startswith("containers[0]")
    r = c.save("nosuch", {})
    assert r[0] == "ERROR" and r[2] == "400"
    assert open(broker.config_path, "rb").read() == before
    assert c.snapshot()[0] == 1
    c.close()


def test_racing_writers_one_wins_per_revision(broker):
    a = RawClient(broker.ctl, instance="writer-a")
    b = RawClient(broker.ctl, instance="writer-b")
    a.hello()
    b.hello()
    wins = {"a": 0, "b": 0}
    for i in range(40):
        _, state = a.snapshot("admins")
        base = state["revs"]["admins"]
        a.send("SAVE", f"a{i}", "admins", base, "a", json.dumps([{"id": "334455667788990011", "note": f"a{i}"}]))
        b.send("SAVE", f"b{i}", "admins", base, "b", json.dumps([{"id": "334455667788990011", "note": f"b{i}"}]))
        ra, rb = a.recv(), b.recv()
        kinds = sorted([ra[0], rb[0]])
        assert kinds == ["CONFLICT", "OK"], (ra, rb)
        winner = "a" if ra[0] == "OK" else "b"
        wins[winner] += 1
        loser = rb if winner == "a" else ra
        assert json.loads(loser[3])[0]["note"] == f"{winner}{i}"
    assert wins["a"] + wins["b"] == 40
    assert a.snapshot()[0] == 41
    a.close()
    b.close()


def test_subscriber_never_sees_a_secret(broker):
    sub = sub_socket(broker.pub)
    c = RawClient(broker.ctl)
    c.hello()
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.secret-token-value"
    pwhash = "pbkdf2:sha256:600000$salt$0123456789abcdef-secret-hash"
    assert c.save("bot", dict(DEFAULT_BOT, token=token))[0] == "OK"
    r = c.save("web", {"password_hash": pwhash, "session_idle_minutes": 30, "ui_language": "en"})
    assert r[0] == "OK", r
    # a hand edit of the token is redacted too
    doc = broker.config()
    doc["bot"]["token"] = token + "-edited"
    with open(broker.config_path, "w") as f:
        json.dump(doc, f)
    msgs = drain(sub, 2.5)
    topics = {m[0] for m in msgs}
    assert b"cfg/bot/" in topics and b"cfg/web/" in topics and b"hugz/" in topics
    blob = b"".join(b"".join(m) for m in msgs)
    assert b"secret-token-value" not in blob and b"secret-hash" not in blob
    bot_updates = [m for m in msgs if m[0] == b"cfg/bot/"]
    assert json.loads(bot_updates[-1][5])["token"] == "***"
    assert "bot.token" in json.loads(bot_updates[-1][4])["secrets_changed"]
    # CTL: clear only for the roles that need it
    _, state = c.snapshot()
    assert state["sections"]["bot"]["token"] == "***"
    d = RawClient(broker.ctl, role="discord")
    d.hello()
    _, state = d.snapshot("bot,web")
    assert state["sections"]["bot"]["token"] == token + "-edited"
    assert state["sections"]["web"]["password_hash"] == "***"
    w = RawClient(broker.ctl, role="web")
    w.hello()
    _, state = w.snapshot("bot,web")
    assert state["sections"]["bot"]["token"] == "***"
    assert state["sections"]["web"]["password_hash"] == pwhash
    # the alerts webhook's URL: in clear for the Docker agents only
    hook = "https://discord.com/api/webhooks/1234/secret-hook-token"
    assert c.save("alerts", {"webhook_url": hook})[0] == "OK"
    k = RawClient(broker.ctl, role="docker")
    k.hello()
    _, state = k.snapshot("bot,web,alerts")
    assert state["sections"]["alerts"]["webhook_url"] == hook
    assert state["sections"]["bot"]["token"] == "***"
    assert state["sections"]["web"]["password_hash"] == "***"
    for x in (c, d, w):
        _, state = x.snapshot("alerts")
        assert state["sections"]["alerts"]["webhook_url"] == "***"
    k.close()
    # "***" in a save keeps the secret
    assert c.save("bot", dict(DEFAULT_BOT, token="***", language="de"))[0] == "OK"
    _, state = d.snapshot("bot")
    assert state["sections"]["bot"]["token"] == token + "-edited"
    # never in the audit log, the history or the broker's log (once the
    # last change's audit line is there)
    last = c.snapshot()[0]
    audit_entries(broker.data, lambda e: e and e[-1]["rev"] == last)
    for path in ("audit.log", "history.jsonl"):
        text = open(os.path.join(broker.data, path)).read()
        assert "secret-token-value" not in text and "secret-hash" not in text
        assert "secret-hook-token" not in text
    hist = c.request("HISTORY", "bot", 0)
    assert "secret-token-value" not in hist[2]
    assert "secret-token-value" not in broker.proc.text()
    assert "secret-hook-token" not in broker.proc.text()
    for x in (c, d, w):
        x.close()
    sub.close()


def test_hand_edit_valid_is_published(broker):
    sub = sub_socket(broker.pub, b"cfg/")
    doc = broker.config()
    doc["bot"]["language"] = "de"
    doc["admins"] = [{"id": "334455667788990011", "note": "Max"}]
    t0 = time.monotonic()
    tmp = broker.config_path + ".edit"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
    os.rename(tmp, broker.config_path)
    got = {}
    while len(got) < 2:
        assert sub.poll(2000), "no update after a hand edit"
        m = sub.recv_multipart()
        got[m[0]] = m
    assert time.monotonic() - t0 < 1.5
    assert json.loads(got[b"cfg/bot/"][5])["language"] == "de"
    assert json.loads(got[b"cfg/admins/"][4])["author"] == "file"
    c = RawClient(broker.ctl)
    c.hello()
    rev, state = c.snapshot()
    assert rev == 3 and state["revs"]["bot"] in (2, 3) and state["sections"]["bot"]["language"] == "de"
    c.close()
    sub.close()


def test_hand_edit_invalid_keeps_last_good(broker):
    c = RawClient(broker.ctl)
    c.hello()
    doc = broker.config()
    doc["bot"]["guild_id"] = "not-a-snowflake"
    bad = json.dumps(doc)
    with open(broker.config_path, "w") as f:
        f.write(bad)
    wait_for(lambda: "hand edit" in broker.proc.text() and "guild_id" in broker.proc.text(),
             timeout=3, what="the refused edit to be logged")
    rev, state = c.snapshot()
    assert rev == 1 and state["sections"]["bot"]["guild_id"] == ""
    # moved aside (tests/integration/test_ops.py has the details)
    wait_for(lambda: broker.config()["bot"]["guild_id"] == "", timeout=3,
             what="config.json written again")
    with open(broker.config_path, "w") as f:
        f.write("{ this is not json")
    wait_for(lambda: "not valid JSON" in broker.proc.text(), timeout=3, what="JSON error logged")
    assert c.snapshot()[0] == 1
    # a save still works and writes a whole, valid file again
    assert c.save("bot", dict(DEFAULT_BOT, language="de"))[0] == "OK"
    assert broker.config()["bot"]["language"] == "de"
    c.close()


def test_kill9_mid_save_loses_no_acknowledged_save(tmp):
    b = Broker(tmp).start()
    rng = random.Random(7)
    acked = 0
    for round_ in range(6):
        c = RawClient(b.ctl, instance=f"w{round_}")
        c.hello()
        stop_at = time.monotonic() + rng.uniform(0.2, 0.6)
        killer = threading.Timer(stop_at - time.monotonic(), b.kill9)
        killer.start()
        n = acked
        while True:
            n += 1
            r = c.save("admins", [{"id": "334455667788990011", "note": f"n={n}"}])
            if r is None:
                break
            assert r[0] == "OK", r
            acked = n
        killer.join()
        c.close()
        # the file parses; it may be behind (saves are durable in the
        # journal, config.json follows when saves pause), never ahead
        doc = json.load(open(b.config_path))
        note = int(doc["admins"][0]["note"].split("=")[1]) if doc["admins"] else 0
        assert note <= acked + 1, (note, acked)
        b.start()
        # brought up to date from the journal before the broker serves
        doc = json.load(open(b.config_path))
        on_disk = int(doc["admins"][0]["note"].split("=")[1])
        c = RawClient(b.ctl)
        c.hello()
        _, state = c.snapshot("admins")
        # the save in flight may be in the journal already (durable, not
        # acknowledged): the restarted broker then holds it too
        now = int(state["sections"]["admins"][0]["note"].split("=")[1])
        assert now in (acked, acked + 1) and now >= note, (now, note, acked)
        assert on_disk == now, (on_disk, now)
        assert journal_records(b.data) == []
        acked = now
        c.close()
    assert acked > 20
    b.stop()


def test_save_is_in_the_journal_until_config_json_is_durable(tmp):
    """A save's one flush is its journal record (a direct write where the
    file system takes O_DIRECT, as STATUS says); config.json is replaced
    without one and made durable (the journal emptied) once saves pause,
    and at a clean stop."""
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()
    way = "direct" if takes_o_direct(os.path.join(b.data, "config.journal")) else "fdatasync"
    status = json.loads(c.request("STATUS", 0, "-")[2])["broker"]["config"]
    assert status["journal_write"] == way, status
    r = c.save("admins", [{"id": "334455667788990011", "note": "one"}], author="alice")
    assert r[0] == "OK", r
    recs = journal_records(b.data)
    assert recs is not None
    # the record is there at once, or already checkpointed (a slow machine)
    if recs:
        rec = recs[-1]
        assert rec["rev"] == int(r[2]) and rec["epoch"] == b.config()["_meta"]["epoch"]
        ch = rec["changes"][0]
        assert ch["section"] == "admins" and ch["author"] == "alice"
        assert ch["value"][0]["note"] == "one"
    assert b.config()["admins"][0]["note"] == "one"
    wait_for(lambda: journal_records(b.data) == [], timeout=5, what="the journal emptied")
    assert stat.S_IMODE(os.stat(os.path.join(b.data, "config.journal")).st_mode) == 0o600
    assert c.save("admins", [{"id": "334455667788990011", "note": "two"}])[0] == "OK"
    c.close()
    b.stop()
    assert journal_records(b.data) == []
    assert b.config()["admins"][0]["note"] == "two"


def test_crash_with_config_json_behind_recovers_from_the_journal(tmp):
    """A crash of the machine may lose config.json's last replacements
    (they are not flushed); the journal's records are. Simulated: the
    broker is killed, config.json and history.jsonl are put back as they
    were several saves earlier, and a cut record is left at the journal's
    end. The broker brings config.json up to date before it serves."""
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()
    assert c.save("bot", dict(DEFAULT_BOT, token="secret-token-1"))[0] == "OK"
    old_config = b.config_text()
    old_history = open(os.path.join(b.data, "history.jsonl")).read()
    old_rev = json.loads(old_config)["_meta"]["rev"]
    acked = []
    for n in range(5):
        r = c.save("admins", [{"id": "334455667788990011", "note": f"n={n}"}], author="bob")
        assert r[0] == "OK", r
        acked.append(int(r[2]))
    r = c.save("bot", dict(DEFAULT_BOT, token="secret-token-2", language="de"))
    assert r[0] == "OK"
    last = int(r[2])
    c.close()
    recs = journal_records(b.data)
    b.kill9()
    if not recs or recs[0]["rev"] > old_rev + 1:
        pytest.skip("the journal was emptied between the saves (a pause over 1 s)")
    with open(b.config_path, "w") as f:
        f.write(old_config)
    with open(os.path.join(b.data, "history.jsonl"), "w") as f:
        f.write(old_history)
    end = journal_end(b.data)
    with open(os.path.join(b.data, "config.journal"), "r+b") as f:
        f.seek(end)
        f.write(b'{"epoch":"cut-by-a-cra')
    b.start()
    log = b.proc.text()
    assert f"revision {old_rev} -> {last}" in log, log[-2000:]
    assert "cut by a crash" in log
    doc = b.config()
    assert doc["_meta"]["rev"] == last
    assert doc["admins"][0]["note"] == "n=4" and doc["bot"]["token"] == "secret-token-2"
    assert journal_records(b.data) == []
    c = RawClient(b.ctl)
    c.hello()
    rev, state = c.snapshot()
    assert rev == last and state["sections"]["bot"]["language"] == "de"
    assert state["sections"]["bot"]["token"] != "secret-token-2"     # redacted
    # the history has the recovered revisions, without secrets
    entries = json.loads(c.request("HISTORY", "*", 0)[2])
    assert [e["rev"] for e in entries if e["section"] == "admins"] == acked
    hist = open(os.path.join(b.data, "history.jsonl")).read()
    assert "secret-token-2" not in hist
    # and the next save goes on from there
    r = c.save("admins", [], author="bob")
    assert r[0] == "OK" and int(r[2]) == last + 1
    c.close()
    b.stop()


def test_saves_that_come_together_share_one_flush(broker):
    """Group commit: saves sent at once are answered after one journal
    flush for the lot, each with its own revision, published in order."""
    sub = sub_socket(broker.pub, b"cfg/admins/")
    time.sleep(0.2)                                   # the subscription travels
    clients = [RawClient(broker.ctl) for _ in range(4)]
    for c in clients:
        c.hello()
    status = lambda: json.loads(clients[0].request("STATUS", 0, "-")[2])["broker"]["config"]
    before = status()
    sent = {}
    for round_ in range(10):
        for i, c in enumerate(clients):
            rid = c.req_id()
            c.send("SAVE", rid, "admins", 0, "t",
                   json.dumps([{"id": "334455667788990011", "note": f"{i}-{round_}"}]))
            sent[rid] = c
    revs = []
    for rid, c in sent.items():
        while True:
            r = c.recv(5000)
            assert r is not None, "no answer"
            if r[1] == rid:
                break
        assert r[0] == "OK" and r[4] == "1", r
        revs.append(int(r[2]))
    assert len(set(revs)) == 40
    after = status()
    saves = after["saves"] - before["saves"]
    flushes = after["flushes"] - before["flushes"]
    assert saves == 40
    assert flushes < saves, (flushes, saves)
    print(f"\n40 saves sent at once: {flushes} journal flush(es)")
    got = [int(m[2]) for m in drain(sub, 1.0) if m[0] == b"cfg/admins/"]
    assert got == sorted(revs), (got, sorted(revs))
    for c in clients:
        c.close()
    sub.close()


def test_journal_of_another_epoch_is_left_out(tmp):
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()
    assert c.save("admins", [{"id": "334455667788990011", "note": "kept"}])[0] == "OK"
    c.close()
    b.stop()
    rev = b.config()["_meta"]["rev"]
    rec = {"epoch": "0123456789abcdef", "rev": rev + 5,
           "revs": {k: 1 for k in b.config()["_meta"]["revs"]},
           "changes": [{"rev": rev + 5, "prev_rev": 1, "section": "admins", "time": "",
                        "author": "x", "peer": "x", "changed": [], "value": []}]}
    with open(os.path.join(b.data, "config.journal"), "w") as f:
        f.write(json.dumps(rec) + "\n")
    b.start()
    assert b.config()["admins"][0]["note"] == "kept"
    assert b.config()["_meta"]["rev"] == rev
    assert journal_records(b.data) == []
    b.stop()


def test_history_rollback_and_audit(broker):
    c = RawClient(broker.ctl)
    c.hello()
    for lang in ("de", "en", "de"):
        assert c.save("bot", dict(DEFAULT_BOT, language=lang), author="alice")[0] == "OK"
    r = c.request("HISTORY", "bot", 0)
    assert r[0] == "CHANGES"
    entries = json.loads(r[2])
    assert [e["rev"] for e in entries] == [2, 3, 4]
    assert entries[0]["author"] == "alice" and entries[0]["changed"] == ["bot.language"]
    assert all("value" not in e for e in entries)
    # one entry with its value, on request
    one = json.loads(c.request("HISTORY", "bot", 3)[2])
    assert len(one) == 1 and one[0]["value"]["language"] == "en"
    r = c.request("HISTORY", "bot", 999)
    assert r[0] == "ERROR" and r[2] == "404", r
    # rollback to revision 3 (language en) makes revision 5
    r = c.request("ROLLBACK", "bot", 3, "bob")
    assert r[0] == "OK" and r[2] == "5", r
    assert c.snapshot("bot")[1]["sections"]["bot"]["language"] == "en"
    r = c.request("ROLLBACK", "bot", 999, "bob")
    assert r[0] == "ERROR" and r[2] in ("404", "410")
    audit = audit_entries(broker.data, lambda e: len(e) >= 4)
    assert [a["rev"] for a in audit] == [2, 3, 4, 5]
    assert "rollback to 3" in audit[-1]["author"]
    assert all("value" not in a for a in audit)
    c.close()


def test_history_values_are_held_deflated_and_read_back(tmp):
    """Saves of 600 containers: once saves pause and history.jsonl holds
    them, their values are held deflated (STATUS config.history.held is a
    small part of their text), and the history, a rollback and a restart
    read them back as saved."""
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()

    def boxes(tag):
        return [{"host": f"h-{i % 20}", "name": f"box-{i}", "display_name": f"Box {i} {tag}",
                 "order": i, "allowed_actions": ["start", "stop"]} for i in range(600)]

    revs, saved = [], []
    for tag in ("one", "two", "three"):
        r = c.save("containers", boxes(tag), author="alice")
        assert r[0] == "OK", r
        revs.append(int(r[2]))
        saved.append(c.snapshot("containers")[1]["sections"]["containers"])  # as normalised
        assert saved[-1][1]["display_name"] == f"Box 1 {tag}"
    status = lambda: json.loads(c.request("STATUS", 0, "-")[2])["broker"]["config"]["history"]
    wait_for(lambda: status()["held"] * 10 < status()["bytes"], timeout=20,
             what="the history's values deflated")
    history = status()
    assert history["entries"] == 3 and history["bytes"] > 3 * 60000, history
    for rev, value in zip(revs, saved):
        one = json.loads(c.request("HISTORY", "containers", rev)[2])
        assert one[0]["value"] == value
    summary = json.loads(c.request("HISTORY", "containers", 0)[2])
    assert [e["rev"] for e in summary] == revs
    assert summary[0]["bytes"] == len(json.dumps(saved[0], separators=(",", ":")))
    r = c.request("ROLLBACK", "containers", revs[0], "bob")
    assert r[0] == "OK", r
    assert c.snapshot("containers")[1]["sections"]["containers"] == saved[0]
    c.close()
    b.stop()
    b.start()
    c = RawClient(b.ctl)
    c.hello()
    one = json.loads(c.request("HISTORY", "containers", revs[1])[2])
    assert one[0]["value"] == saved[1]
    c.close()
    b.stop()


def test_peers_table_tracks_applied_and_rejected(broker):
    d = RawClient(broker.ctl, role="docker", instance="nas")
    d.hello()
    d.send("APPLIED", "x1", "containers", 1)
    d.send("REJECTED", "x2", "tasks", 1, 0, json.dumps([{"field": "tasks", "reason": "invalid", "message": "no"}]))
    d.request("PING", 1)
    c = RawClient(broker.ctl)
    c.hello()
    r = c.request("STATUS", 0, "-")
    table = json.loads(r[2])
    row = [p for p in table["peers"] if p["name"] == "docker@nas"][0]
    assert row["connected"] and row["applied"]["containers"] == 1 and row["applied_rev"] == 1
    assert row["rejected"]["section"] == "tasks" and row["rejected"]["errors"][0]["message"] == "no"
    assert table["broker"]["rev"] == 1
    # BYE marks it disconnected at once
    d.send("BYE", "x3")
    time.sleep(0.1)
    row = [p for p in json.loads(c.request("STATUS", 0, "-")[2])["peers"] if p["name"] == "docker@nas"][0]
    assert row["connected"] is False
    c.close()
    d.close()


def test_actions_are_routed_through_the_broker(broker):
    agent = RawClient(broker.ctl, role="docker", instance="nas")
    agent.hello()
    ctl = RawClient(broker.ctl)
    ctl.hello()
    ctl.send("ACTION", "act1", "docker@nas", 3000, json.dumps({"action": "restart", "container": "plex"}))
    fwd = agent.recv()
    assert fwd[0] == "ACTION" and fwd[2] == ctl.welcome and False or fwd[2].startswith("ctl@")
    assert json.loads(fwd[4]) == {"action": "restart", "container": "plex"}
    agent.send("RESULT", fwd[1], json.dumps({"ok": True}))
    r = ctl.recv()
    assert r == ["RESULT", "act1", '{"ok": true}'] or (r[0] == "RESULT" and json.loads(r[2]) == {"ok": True})
    # unknown target
    r = ctl.request("ACTION", "docker@elsewhere", 1000, "{}")
    assert r[0] == "ERROR" and r[2] == "404"
    # timeout, and a late result is dropped
    t0 = time.monotonic()
    r = ctl.request("ACTION", "docker@nas", 300, "{}")
    assert r[0] == "ERROR" and r[2] == "408" and 0.25 < time.monotonic() - t0 < 2
    late = agent.recv()
    agent.send("RESULT", late[1], "{}")
    assert ctl.recv(300) is None
    # a docker agent may not send actions
    r = agent.request("ACTION", "docker@nas", 1000, "{}")
    assert r[0] == "ERROR" and r[2] == "403"
    agent.close()
    ctl.close()


def test_reports_are_published_and_kept(broker):
    sub = sub_socket(broker.pub, b"status/")
    agent = RawClient(broker.ctl, role="docker", instance="nas")
    agent.hello()
    agent.send("REPORT", "r1", "containers", json.dumps({"plex": "running"}))
    assert sub.poll(2000)
    m = sub.recv_multipart()
    assert m[0] == b"status/docker@nas/containers/" and json.loads(m[1]) == {"plex": "running"}
    c = RawClient(broker.ctl)
    c.hello()
    row = [p for p in json.loads(c.request("STATUS", 0, "docker@*")[2])["peers"] if p["name"] == "docker@nas"][0]
    assert row["status"]["containers"] == {"plex": "running"}
    assert row["reports"]["containers"]["bytes"] == len(json.dumps({"plex": "running"}))
    # the summary leaves the bodies out
    row = [p for p in json.loads(c.request("STATUS", 0, "-")[2])["peers"] if p["name"] == "docker@nas"][0]
    assert "status" not in row and "containers" in row["reports"]
    agent.close()
    c.close()
    sub.close()


def test_malformed_frames_do_not_hurt(broker):
    c = RawClient(broker.ctl)
    c.hello()
    rng = random.Random(3)
    for _ in range(300):
        frames = [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
                  for _ in range(rng.randint(1, 10))]
        c.sock.send_multipart(frames)
    c.send("SAVE", "bad-1", "bot", "x", "a", "{}")
    r = c.recv()
    while r and r[1] != "bad-1":
        r = c.recv()
    assert r[0] == "ERROR" and r[2] == "400"
    assert c.snapshot()[0] == 1
    assert broker.proc.alive()
    c.close()


def curve_cert(path, public, secret, role):
    name = os.path.basename(path)[:-len(".cert")]
    meta = f'metadata\n    name = "{name}"\n    role = "{role}"\n'
    with open(path, "w") as f:
        f.write(f'{meta}curve\n    public-key = "{public.decode()}"\n')
    with open(path + "_secret", "w") as f:
        f.write(f'{meta}curve\n    public-key = "{public.decode()}"\n'
                f'    secret-key = "{secret.decode()}"\n')


def read_public(path):
    for line in open(path):
        if "public-key" in line:
            return line.split('"')[1].encode()
    raise AssertionError("no public key in " + path)


def test_curve_refuses_unknown_keys(tmp):
    keys = os.path.join(tmp, "keys")
    ctl, pub = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    b = Broker(tmp, ctl=ctl, pub=pub, extra=["--keys", keys])
    b.start(wait=False)
    wait_for(lambda: os.path.exists(os.path.join(keys, "broker.cert")), what="broker key")
    server = read_public(os.path.join(keys, "broker.cert"))
    good_pub, good_sec = zmq.curve_keypair()
    curve_cert(os.path.join(keys, "clients", "nas.cert"), good_pub, good_sec, "docker")
    good = RawClient(ctl, role="docker", instance="nas", curve=(good_pub, good_sec, server))
    r = wait_for(lambda: good.try_hello(500), timeout=10, what="CURVE hello")
    assert json.loads(r[5])["role"] == "docker"
    assert good.snapshot()[0] == 1
    # the certificate decides the role
    liar = RawClient(ctl, role="ctl", instance="nas2", curve=(good_pub, good_sec, server))
    r = liar.request("HELLO", "DDCP/1", "ctl", "nas2")
    assert r[0] == "ERROR" and r[2] == "403"
    # an unknown key gets nothing, on either socket
    bad_pub, bad_sec = zmq.curve_keypair()
    bad = RawClient(ctl, role="docker", instance="x", curve=(bad_pub, bad_sec, server))
    assert bad.request("HELLO", "DDCP/1", "docker", "x", timeout=1500) is None
    s = zmq.Context.instance().socket(zmq.SUB)
    s.curve_publickey, s.curve_secretkey, s.curve_serverkey = bad_pub, bad_sec, server
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.setsockopt(zmq.LINGER, 0)
    s.connect(pub)
    assert not s.poll(1500)   # hugz go out every second: a refused SUB sees none
    # a plain client too
    plain = RawClient(ctl)
    assert plain.request("HELLO", "DDCP/1", "ctl", "p", timeout=1000) is None
    for x in (good, liar, bad, plain):
        x.close()
    s.close()
    b.stop()


def test_tcp_without_curve_is_refused(tmp):
    p = subprocess.run([bin_path("ddc-broker"), "--data", os.path.join(tmp, "d"), "--ctl",
                        f"tcp://127.0.0.1:{free_port()}", "--pub", f"tcp://127.0.0.1:{free_port()}"],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 1 and "--keys" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_flags_and_bad_config(tmp):
    broker = bin_path("ddc-broker")
    p = subprocess.run([broker, "--bogus"], capture_output=True, text=True)
    assert p.returncode == 2 and "unknown option" in p.stderr
    p = subprocess.run([broker, "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "--data" in p.stdout
    p = subprocess.run([broker, "--version"], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("ddc-broker ")
    data = os.path.join(tmp, "bad")
    os.makedirs(data)
    with open(os.path.join(data, "config.json"), "w") as f:
        f.write('{"bot": {"language": "klingon"}}')
    p = subprocess.run([broker, "--data", data], capture_output=True, text=True, timeout=10)
    assert p.returncode == 1 and "bot.language" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_sigterm_is_a_clean_exit_and_one_broker_per_folder(tmp):
    b = Broker(tmp).start()
    p = subprocess.run([bin_path("ddc-broker"), "--data", b.data, "--ctl", f"ipc://{tmp}/c2",
                        "--pub", f"ipc://{tmp}/p2"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 1 and "another ddc-broker" in p.stderr
    assert b.stop() == 0


def test_restored_backup_gets_a_new_epoch(tmp):
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()
    backup = open(b.config_path).read()          # revision 1, _meta intact
    epoch = json.loads(backup)["_meta"]["epoch"]
    assert c.save("bot", dict(DEFAULT_BOT, language="de"))[0] == "OK"
    c.close()
    b.stop()
    with open(b.config_path, "w") as f:
        f.write(backup)
    b.start()
    meta = b.config()["_meta"]
    assert meta["epoch"] != epoch, "revision 2 would be reused in the same epoch"
    assert "restored" in b.proc.text()
    c = RawClient(b.ctl)
    c.hello()
    assert c.save("bot", dict(DEFAULT_BOT, language="de"))[0] == "OK"
    hist = json.loads(c.request("HISTORY", "*", 0)[2])
    assert [h["rev"] for h in hist] == [2]
    c.close()
    b.stop()


def test_placeholder_secret_and_trailing_junk_refused_at_start(tmp):
    broker = bin_path("ddc-broker")
    for name, text, needle in [
            ("stars", '{"bot": {"token": "***"}}', "placeholder"),
            ("junk", '{"bot": {}} // trailing', "not valid JSON")]:
        data = os.path.join(tmp, name)
        os.makedirs(data)
        with open(os.path.join(data, "config.json"), "w") as f:
            f.write(text)
        p = subprocess.run([broker, "--data", data], capture_output=True, text=True, timeout=10)
        assert p.returncode == 1 and needle in p.stderr, p.stderr


def test_hand_edit_of_meta_only_is_written_back(broker):
    doc = broker.config()
    doc["_meta"]["rev"] = 999
    with open(broker.config_path, "w") as f:
        json.dump(doc, f)
    wait_for(lambda: broker.config()["_meta"]["rev"] == 1, timeout=3, what="_meta restored")


def test_local_ipc_and_curve_tcp_on_one_broker(tmp):
    keys = os.path.join(tmp, "keys")
    tcp_ctl, tcp_pub = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    ipc_ctl, ipc_pub = f"ipc://{tmp}/ctl.sock", f"ipc://{tmp}/pub.sock"
    b = Broker(tmp, ctl=f"{ipc_ctl},{tcp_ctl}", pub=f"{ipc_pub},{tcp_pub}", extra=["--keys", keys])
    b.start(wait=False)
    local = RawClient(ipc_ctl)
    r = wait_for(lambda: local.try_hello(300), what="ipc hello without a certificate")
    access = json.loads(r[5])
    assert access["pubs"] == [ipc_pub, tcp_pub]
    server = read_public(os.path.join(keys, "broker.cert"))
    plain = RawClient(tcp_ctl)
    assert plain.request("HELLO", "DDCP/1", "ctl", "p", timeout=1000) is None
    pub, sec = zmq.curve_keypair()
    curve_cert(os.path.join(keys, "clients", "far.cert"), pub, sec, "monitor")
    far = RawClient(tcp_ctl, role="monitor", instance="far", curve=(pub, sec, server))
    wait_for(lambda: far.try_hello(500), what="CURVE hello over tcp")
    for x in (local, plain, far):
        x.close()
    b.stop()


def test_reports_are_bounded_per_service(broker):
    agent = RawClient(broker.ctl, role="docker", instance="big")
    agent.hello()
    for i in range(16):
        agent.send("REPORT", f"t{i}", f"topic{i}", "{}")
    r = agent.request("REPORT", "topic16", "{}")
    assert r[0] == "ERROR" and r[2] == "413"
    # a report of more than 256 KiB is refused as it comes
    r = agent.request("REPORT", "topic0", json.dumps({"x": "y" * (257 * 1024)}))
    assert r[0] == "ERROR" and r[2] == "413", r
    big = json.dumps({"x": "y" * (200 * 1024)})
    other = RawClient(broker.ctl, role="docker", instance="big2")
    other.hello()
    for i in range(2):
        other.send("REPORT", f"b{i}", f"b{i}", big)
    r = other.request("REPORT", "b2", big)
    assert r[0] == "ERROR" and r[2] == "413"
    # replacing a kept report is fine
    other.send("REPORT", "again", "b0", big)
    c = RawClient(broker.ctl)
    c.hello()
    # big2's row with its 400 KB of reports has a page of its own.
    rows, offset = [], 0
    while offset is not None:
        table = json.loads(c.request("STATUS", offset, "*")[2])
        rows += table["peers"]
        offset = table["next"]
    row = [p for p in rows if p["name"] == "docker@big2"][0]
    assert sorted(row["status"]) == ["b0", "b1"]
    for x in (agent, other, c):
        x.close()


def test_peer_events_on_mon(broker):
    """mon/peer/<name>/: a HELLO, a BYE, a peer that goes quiet and comes
    back, each published at once; a subscriber may follow one peer."""
    sub = sub_socket(broker.pub, b"mon/peer/")
    one = sub_socket(broker.pub, b"mon/peer/docker@quiet/")

    def events(sock, n, seconds=8):
        # the events of this test's peers (the fixture's own tools come and go)
        out = []
        deadline = time.monotonic() + seconds
        while len(out) < n and time.monotonic() < deadline:
            if sock.poll(100):
                topic, body = sock.recv_multipart()
                if topic in (b"mon/peer/docker@quiet/", b"mon/peer/web@w1/"):
                    out.append((topic.decode(), json.loads(body)))
        return out

    a = RawClient(broker.ctl, role="docker", instance="quiet")
    a.hello()
    b = RawClient(broker.ctl, role="web", instance="w1")
    b.hello()
    got = events(sub, 2)
    assert [(t, e["name"], e["role"], e["connected"], e["reason"]) for t, e in got] == [
        ("mon/peer/docker@quiet/", "docker@quiet", "docker", True, "hello"),
        ("mon/peer/web@w1/", "web@w1", "web", True, "hello")]
    assert got[0][1]["time"].endswith("Z") and len(got[0][1]["time"]) == 20
    b.send("BYE", b.req_id())
    (t, e), = events(sub, 1, 3)
    assert (t, e["connected"], e["reason"]) == ("mon/peer/web@w1/", False, "bye")
    # docker@quiet sends nothing: gone after 5 s, published within a second
    t0 = time.monotonic()
    (t, e), = events(sub, 1, 9)
    assert (t, e["connected"], e["reason"]) == ("mon/peer/docker@quiet/", False, "quiet")
    assert 4.5 < time.monotonic() - t0 < 7.5
    assert a.request("PING", 0)[0] == "PONG"
    (t, e), = events(sub, 1, 3)
    assert (t, e["connected"], e["reason"]) == ("mon/peer/docker@quiet/", True, "back")
    # the single-peer subscription saw only docker@quiet's three events
    mine = events(one, 3, 3)
    assert [e["reason"] for _, e in mine] == ["hello", "quiet", "back"]
    assert not events(one, 1, 0.5)
    # the table agrees
    r = a.request("STATUS", 0, "-")
    rows = {p["name"]: p for p in json.loads(r[2])["peers"]}
    assert rows["docker@quiet"]["connected"] is True and rows["web@w1"]["connected"] is False
    for s in (sub, one):
        s.close()
    a.close()
    b.close()


def test_discord_role_writes_admins_tasks_and_only_container_info(broker):
    op = RawClient(broker.ctl)
    op.hello()
    ctrs = [{"host": "nas", "name": "plex", "allowed_actions": ["start"]}]
    assert op.save("containers", ctrs)[0] == "OK"
    bot = RawClient(broker.ctl, role="discord")
    bot.hello()
    assert set(bot.welcome and json.loads(bot.welcome[5])["write"]) == {"admins", "tasks",
                                                                         "containers"}
    rev, state = bot.snapshot("containers,tasks")
    current = state["sections"]["containers"]
    srev = state["revs"]["containers"]
    # the info of a container: yes
    mine = json.loads(json.dumps(current))
    mine[0]["info"] = {"enabled": True, "text": "Hello\nthere"}
    r = bot.save("containers", mine, expected=srev, author="discord:x (1)")
    assert r[0] == "OK", r
    srev = int(r[3])
    # anything else of the containers: no, whatever the revision says
    more = json.loads(json.dumps(mine))
    more[0]["allowed_actions"] = ["start", "stop"]
    for expected in (srev, 0):
        r = bot.save("containers", more, expected=expected)
        assert r[0] == "DENIED" and "only the containers' info" in r[2], r
    r = bot.save("containers", mine + [{"host": "nas", "name": "db"}], expected=srev)
    assert r[0] == "DENIED", r
    # based on an older revision: a conflict, with the current value
    r = bot.save("containers", more, expected=srev - 1)
    assert r[0] == "CONFLICT", r
    # tasks: yes
    task = {"id": "t1", "host": "nas", "container": "plex", "action": "start", "cycle": "daily",
            "time": "04:00", "timezone": "UTC"}
    assert bot.save("tasks", [task], expected=state["revs"]["tasks"])[0] == "OK"
    # bot and channels: no
    assert bot.save("bot", DEFAULT_BOT)[0] == "DENIED"
    assert bot.save("channels", [])[0] == "DENIED"
    op.close()
    bot.close()
