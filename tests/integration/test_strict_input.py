"""Strict input: every JSON text a ddc program reads from outside goes through
ddc_json_parse (one RFC 8259 value, nothing after it, valid UTF-8, no NUL in
strings), and TEXT frames (a save's author) are printable UTF-8. Real
ddc-broker and ddc-ctl, raw ZeroMQ clients."""
import json
import os
import subprocess

from conftest import Broker, RawClient, audit_entries, bin_path, wait_for

DEFAULT_BOT = {"token": "", "guild_id": "", "language": "en", "timezone": "UTC"}


def ctl(endpoint, *args, stdin=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DDC_BROKER", "DDC_CERT", "DDC_BROKER_CERT")}
    env["DDC_BROKER"] = endpoint
    return subprocess.run([bin_path("ddc-ctl"), *args], input=stdin, capture_output=True,
                          timeout=30, env=env)


def history_len(c):
    return len(json.loads(c.request("HISTORY", "*", 0)[2]))


def test_action_with_trailing_bytes_is_refused_not_forwarded(broker):
    agent = RawClient(broker.ctl, role="docker", instance="nas")
    agent.hello()
    c = RawClient(broker.ctl)
    c.hello()
    r = c.request("ACTION", "docker@nas", 1000, b"{}trailing")
    assert r[0] == "ERROR" and r[2] == "400", r
    assert r[3] == "frame 4 is not valid JSON: trailing bytes after the value at line 1, column 3"
    # nothing reached the agent; a well-formed action still does
    assert agent.recv(300) is None
    c.send("ACTION", "ok-1", "docker@nas", 1000, b'{"action": "ping"}')
    fwd = agent.recv()
    assert fwd[0] == "ACTION" and json.loads(fwd[4]) == {"action": "ping"}
    assert "malformed request refused: frame 4 is not valid JSON: trailing bytes" in broker.proc.text()
    agent.close()
    c.close()


def test_loose_json_in_saves_and_reports_is_refused(broker):
    c = RawClient(broker.ctl)
    c.hello()
    before = open(broker.config_path, "rb").read()
    cases = [
        (b"[]garbage", "trailing bytes after the value at line 1, column 3"),
        (b'{"prefix": "a\\u0000b"}', "\\u0000 (NUL) in a string at line 1, column 14"),
        (b'{"prefix": "\\ud800"}', "a lone surrogate escape"),
        (b'{"prefix": "\xc3("}', "invalid UTF-8 in a string at line 1, column 13"),
        (b'{"prefix": 01}', "a number with a leading zero"),
        (b"[" * 65 + b"]" * 65, "nesting deeper than 64 levels at line 1, column 65"),
    ]
    for value, why in cases:
        r = c.request("SAVE", "bot", 0, "t", value)
        assert r[0] == "ERROR" and r[2] == "400" and r[3].startswith("frame 5 is not valid JSON: ")
        assert why in r[3], (value, r)
    # a status report with bytes after its body is refused as well
    agent = RawClient(broker.ctl, role="docker", instance="nas")
    agent.hello()
    r = agent.request("REPORT", "containers", b'{"plex": "running"} x')
    assert r[0] == "ERROR" and r[2] == "400" and "trailing bytes" in r[3], r
    status = json.loads(c.request("STATUS", 0, "*")[2])
    row = [p for p in status["peers"] if p["name"] == "docker@nas"][0]
    assert not row.get("status") and not row.get("reports"), row
    # nothing changed, no revision, no history
    assert open(broker.config_path, "rb").read() == before
    assert c.snapshot()[0] == 1 and history_len(c) == 0
    agent.close()
    c.close()


def test_author_must_be_printable_utf8(broker):
    c = RawClient(broker.ctl)
    c.hello()
    for author, why in [(b"J\xfcrgen", "frame 4 is not valid UTF-8 (byte 2)"),
                        (b"ab\xc3", "frame 4 is not valid UTF-8 (byte 3)"),
                        (b"a\x1b[2Jb", "frame 4 has a control character (byte 2)"),
                        (b"a\xc2\x9bb", "frame 4 has a control character (byte 2)")]:
        r = c.request("SAVE", "bot", 0, author, json.dumps(dict(DEFAULT_BOT, language="de")))
        assert r[0] == "ERROR" and r[2] == "400" and r[3] == why, (author, r)
        r = c.request("ROLLBACK", "bot", 1, author)
        assert r[0] == "ERROR" and r[2] == "400" and r[3] == why, (author, r)
    assert c.snapshot()[0] == 1 and history_len(c) == 0
    assert not os.path.exists(os.path.join(broker.data, "audit.log"))
    # UTF-8 authors are kept whole, in history, audit log and the rollback's author
    name = "J\u00fcrgen \U0001F433 " + "\u00e9" * 100          # 210 bytes: cut nowhere
    for lang in ("de", "en"):
        r = c.request("SAVE", "bot", 0, name.encode(), json.dumps(dict(DEFAULT_BOT, language=lang)))
        assert r[0] == "OK", r
    r = c.request("ROLLBACK", "bot", 2, name.encode())
    assert r[0] == "OK", r
    want = [name, name, name + " (rollback to 2)"]
    hist = json.loads(c.request("HISTORY", "bot", 0)[2])
    assert [h["author"] for h in hist] == want
    audit = audit_entries(broker.data, lambda e: len(e) >= len(want))
    assert [a["author"] for a in audit] == want
    c.close()


def test_hand_edit_and_history_file_are_read_strictly(tmp):
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()
    assert c.save("bot", dict(DEFAULT_BOT, language="de"))[0] == "OK"
    doc = b.config()
    doc["bot"]["language"] = "en"
    with open(b.config_path, "w") as f:
        f.write(json.dumps(doc) + "\n}")
    wait_for(lambda: "hand edit of" in b.proc.text() and "trailing bytes after the value at line 2, "
             "column 1" in b.proc.text(), timeout=5, what="the refused hand edit logged")
    assert c.snapshot()[1]["sections"]["bot"]["language"] == "de"
    doc["bot"]["language"] = "a\u0000b"
    with open(b.config_path, "w") as f:
        json.dump(doc, f)
    wait_for(lambda: "\\u0000 (NUL) in a string" in b.proc.text(), timeout=5,
             what="the NUL hand edit refused")
    assert c.snapshot()[1]["sections"]["bot"]["language"] == "de"
    c.close()
    b.stop()
    # history.jsonl: lines that are not strict JSON are skipped with one warning
    path = os.path.join(b.data, "history.jsonl")
    good = open(path, "rb").read()
    with open(path, "ab") as f:
        f.write(good.rstrip(b"\n") + b"junk\n")
        f.write(b'{"epoch": "x\xff"}\n')
    # the config file got the refused edit; put the last good one back
    with open(b.config_path, "w") as f:
        json.dump(dict(doc, bot=dict(DEFAULT_BOT, language="de")), f)
    b.start()
    assert "history.jsonl: 2 unreadable line(s) skipped (the first, line 2: trailing bytes" in b.proc.text()
    c = RawClient(b.ctl)
    c.hello()
    assert history_len(c) == 1
    c.close()
    b.stop()


def test_ctl_set_refuses_loose_json_with_exit_4(broker):
    before = open(broker.config_path, "rb").read()
    for data, why in [(b'{"language": "de"} trailing', "trailing bytes after the value at line 1, column 20"),
                      (b'[]garbage', "trailing bytes after the value at line 1, column 3"),
                      (b'{"language": "d\\u0000e"}', "\\u0000 (NUL) in a string at line 1, column 16"),
                      (b'{"language": "\xe9"}', "invalid UTF-8 in a string at line 1, column 15"),
                      (b'{"language": "\\udfff"}', "a lone surrogate escape")]:
        r = ctl(broker.ctl, "set", "bot", "-", stdin=data)
        err = r.stderr.decode()
        assert r.returncode == 4, (data, err)
        assert "standard input is not valid JSON: " in err and why in err, (data, err)
    r = subprocess.run([bin_path("ddc-ctl"), b"--author", b"J\xfcrgen", b"ping"],
                       capture_output=True, timeout=30, env={**os.environ, "DDC_BROKER": broker.ctl})
    assert r.returncode == 2 and b"--author must be 1 to 256 bytes of printable UTF-8" in r.stderr
    assert open(broker.config_path, "rb").read() == before
