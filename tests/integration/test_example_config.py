"""deploy/config.example.jsonc against the real ddc-broker.

The example documents every field of config.json. These tests keep it honest:
stripped of its comments it must be a config.json that the broker accepts
as it is (the example is written in the broker's normalised form, so a field
the validator fills in or drops would show up as a difference), serves back
section by section with only the secrets redacted, and applies live when it
is copied over a running broker's file. They also check what the example's
comments promise about "***" and unknown fields.
"""
import copy
import json
import os
import re
import time

import pytest

from conftest import ROOT, Broker, RawClient, wait_for

EXAMPLE = os.path.join(ROOT, "deploy", "config.example.jsonc")
SECRETS = [("bot", "token"), ("web", "password_hash"), ("web", "metrics_token"),
           ("alerts", "webhook_url")]


def strip_jsonc(text):
    """Remove // and /* */ comments that are outside JSON strings.

    A string ("https://host", "a // b", "say \\"//\\"") is copied untouched;
    a comment becomes nothing (a block comment becomes one space), so line
    numbers of the JSON after a // comment are kept.
    """
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
        elif c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end      # keep the newline itself
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ValueError("unterminated /* comment")
            out.append(" ")
            i = end + 2
        else:
            out.append(c)
            i += 1
    if in_string:
        raise ValueError("unterminated string")
    return "".join(out)


def example_text():
    with open(EXAMPLE, encoding="utf-8") as f:
        return strip_jsonc(f.read())


def example():
    return json.loads(example_text())


def sections(doc):
    """The example's sections: all but its "_meta" (which gives the schema)."""
    return {k: v for k, v in doc.items() if k != "_meta"}


def redacted(doc):
    """What a role without secrets sees: a set secret as "***"."""
    out = copy.deepcopy(doc)
    for section, field in SECRETS:
        if out[section][field] != "":
            out[section][field] = "***"
    return out


def write_config(path, text):
    """Replace path in one step, as a careful operator would."""
    tmp = path + ".new"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, path)


@pytest.fixture
def example_broker(tmp):
    """A broker whose data folder starts with the example as config.json."""
    b = Broker(tmp)
    os.makedirs(b.data, mode=0o700)
    with open(b.config_path, "w", encoding="utf-8") as f:
        f.write(example_text())
    b.start()
    yield b
    b.stop()


def test_strip_jsonc_only_touches_comments():
    text = ('{"url": "https://x.example/a//b", // trailing\n'
            '  // a whole line with "quotes" and https://in.comment\n'
            '  "q": "say \\"//\\" /* not a comment */", /* block */ "n": 1}\n')
    assert json.loads(strip_jsonc(text)) == {
        "url": "https://x.example/a//b", "q": 'say "//" /* not a comment */', "n": 1}


def test_example_is_json_after_stripping_and_the_readme_grep_agrees():
    doc = example()
    assert {"bot", "containers", "channels", "admins", "spam", "tasks", "watchdog",
            "web"} <= set(doc)
    assert doc["watchdog"]["url"].startswith("https://")
    # deploy/README.md and the example's header strip comments with
    # grep -v '^[[:space:]]*//': that only works while every comment is a
    # whole line, so the two ways must give the same document.
    with open(EXAMPLE, encoding="utf-8") as f:
        lines = [line for line in f if not re.match(r"^[ \t]*//", line)]
    assert json.loads("".join(lines)) == doc


def test_example_covers_what_it_promises():
    doc = example()
    assert {c["host"] for c in doc["containers"]} == {"local", "nas"}
    assert {"plex", "valheim", "nextcloud"} <= {c["name"] for c in doc["containers"]}
    assert {ch["kind"] for ch in doc["channels"]} == {"status", "control"}
    assert doc["admins"]
    assert {t["cycle"] for t in doc["tasks"]} == {"once", "daily", "weekly", "monthly", "yearly"}
    assert any("note" in t for t in doc["tasks"])
    assert all(doc[s][f] not in ("", "***") for s, f in SECRETS)
    cooldowns = doc["spam"]
    assert set(cooldowns["command_cooldowns"]) == {
        "serverstatus", "ss", "control", "info", "help", "ping", "addadmin"}
    assert set(cooldowns["button_cooldowns"]) == {
        "start", "stop", "restart", "info", "logs", "refresh", "restart_all", "stop_all"}


def test_broker_starts_with_the_example_and_serves_it(example_broker):
    assert example()["_meta"] == {"schema": 2}
    doc = sections(example())
    c = RawClient(example_broker.ctl)
    try:
        r = c.request("HELLO", "DDCP/1", "ctl", "x")
        assert r and r[0] == "WELCOME", r
        epoch = r[2]
        assert re.fullmatch(r"[0-9a-f]{16}", epoch) and r[3] == "1"
        r = c.request("SNAPSHOT", "*")
        assert r and r[0] == "STATE" and len(r) == 5, r
        assert r[2] == epoch and r[3] == "1"
        state = json.loads(r[4])
    finally:
        c.close()
    expected = redacted(doc)
    # every section the broker knows is in the example, and no other
    assert set(state["sections"]) == set(doc)
    for section in doc:
        assert state["sections"][section] == expected[section], section
    assert state["revs"] == {s: 1 for s in doc}

    # The file had no revisions in _meta: the broker gave it a new epoch and
    # wrote it back with the sections unchanged and the secrets in clear; it
    # is of the current schema, so nothing was migrated.
    on_disk = example_broker.config()
    assert on_disk["_meta"]["epoch"] == epoch and on_disk["_meta"]["rev"] == 1
    assert on_disk["_meta"]["schema"] == 2
    assert not os.path.exists(os.path.join(example_broker.data, "config.schema-1.json"))
    del on_disk["_meta"]
    assert on_disk == doc
    # ... with every key where the broker writes it (the example is in
    # normalised form, key order included)
    assert json.dumps(on_disk) == json.dumps(doc)
    assert "no revision data: new epoch" in example_broker.proc.text()


def test_secrets_go_in_clear_only_to_their_roles(example_broker):
    doc = example()
    for role, section in (("discord", "bot"), ("web", "web")):
        c = RawClient(example_broker.ctl, role=role)
        try:
            c.hello()
            _, state = c.snapshot()
        finally:
            c.close()
        for s, field in SECRETS:
            want = doc[s][field] if s == section else "***"
            assert state["sections"][s][field] == want, (role, s)


def test_example_copied_over_a_running_broker_applies_live(broker):
    doc = example()
    c = RawClient(broker.ctl, role="discord")
    try:
        c.hello()
        t0 = time.monotonic()
        write_config(broker.config_path, example_text())
        state = wait_for(lambda: (lambda s: s if s["sections"]["tasks"] else None)(c.snapshot()[1]),
                         timeout=3, what="the hand edit to be applied")
        assert time.monotonic() - t0 < 1.5
        assert state["sections"]["bot"] == doc["bot"]
        assert state["sections"]["tasks"] == doc["tasks"]
        # a later hand edit with "***" keeps the token and changes the rest
        edit = broker.config()
        edit["bot"]["token"] = "***"
        edit["bot"]["language"] = "de"
        write_config(broker.config_path, json.dumps(edit, indent=2))
        wait_for(lambda: c.snapshot()[1]["sections"]["bot"]["language"] == "de",
                 timeout=3, what="the second hand edit")
        bot = c.snapshot()[1]["sections"]["bot"]
        assert bot["token"] == doc["bot"]["token"]
        assert broker.config()["bot"]["token"] == doc["bot"]["token"]
        assert "hand edit" in broker.proc.text()
    finally:
        c.close()


def test_an_unknown_field_keeps_the_broker_from_starting(tmp):
    doc = example()
    doc["bot"]["prefix"] = "!"
    b = Broker(tmp)
    os.makedirs(b.data, mode=0o700)
    with open(b.config_path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    b.start(wait=False)
    wait_for(lambda: not b.proc.alive(), timeout=10, what="the broker to give up")
    assert b.stop() == 1
    log = b.proc.text()
    assert "bot.prefix" in log and "not a known setting" in log
