"""ddc-ctl against a real ddc-broker: every command, its output and its
exit codes (0 ok, 1 other, 2 usage, 3 conflict, 4 invalid, 5 unreachable).

Each test that needs a broker starts its own in a fresh temporary folder on
ipc:// endpoints and stops it by its PID. DDC_BIN names the folder holding
ddc-broker and ddc-ctl (default build/bin).
"""
import json
import os
import queue
import re
import shutil
import signal
import stat
import subprocess
import threading
import time

import pytest

from conftest import Broker, bin_path, ctl_env, run_ctl

SECTIONS = ["bot", "containers", "channels", "admins", "spam", "tasks", "watchdog", "web", "docker", "alerts"]


def ok_json(r):
    assert r.returncode == 0, f"exit {r.returncode}: {r.stderr}"
    return json.loads(r.stdout)


BOT = {"token": "s3cr3t-t0ken", "guild_id": "123456789012345678", "language": "en",
       "timezone": "UTC"}


def set_section(b, section, value, *extra, author=None):
    args = ["set", section, "-", *extra]
    if author:
        args += ["--author", author]
    return b.run_ctl(*args, stdin=json.dumps(value))


# ---- command line ------------------------------------------------------------

def test_version_and_help():
    r = run_ctl(["--version"])
    assert r.returncode == 0
    assert r.stdout.startswith("ddc-ctl 0.1.0")
    assert "libzmq" in r.stdout and "czmq" in r.stdout
    r = run_ctl(["--help"])
    assert r.returncode == 0 and "usage: ddc-ctl" in r.stdout
    r = run_ctl(["set", "--help"])
    assert r.returncode == 0 and "--expect-rev" in r.stdout
    r = run_ctl(["help", "watch"])
    assert r.returncode == 0 and "--count" in r.stdout


@pytest.mark.parametrize("args", [
    ["--bogus"],
    ["get", "--bogus"],
    ["frobnicate"],
    [],
    ["set", "bot"],
    ["get", "bot", "extra"],
    ["set", "bot", "-", "--expect-rev", "abc"],
    ["--timeout", "soon", "get"],
    ["rollback", "bot", "x"],
    ["watch", "--count"],
    ["--broker", "foo", "get"],
    ["--author", "", "get"],
])
def test_usage_errors_exit_2(args):
    r = run_ctl(args, "ipc:///nonexistent/ctl.sock")
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.strip(), "a reason on stderr"
    assert "ddc-ctl" in r.stderr


@pytest.mark.parametrize("args", [["get", "nosuch"], ["set", "nosuch", "-"],
                                  ["watch", "bot", "nosuch"], ["history", "nosuch"],
                                  ["rollback", "nosuch", "3"]])
def test_unknown_section_exit_2_lists_sections(args):
    r = run_ctl(args, "ipc:///nonexistent/ctl.sock", stdin="{}")
    assert r.returncode == 2
    assert "nosuch" in r.stderr
    for s in SECTIONS:
        assert s in r.stderr


def test_no_broker_and_no_data_folder_is_usage(tmp_path):
    r = run_ctl(["get"], cwd=tmp_path)
    assert r.returncode == 2
    assert "--broker" in r.stderr


@pytest.mark.parametrize("args", [["get"], ["ping"], ["status"], ["history"],
                                  ["watch", "--count", "1"], ["rollback", "bot", "2"]])
def test_unreachable_broker_exit_5(tmp_path, args):
    endpoint = f"ipc://{tmp_path}/ctl.sock"      # nobody listens here
    start = time.monotonic()
    r = run_ctl(args, endpoint, timeout=30)
    elapsed = time.monotonic() - start
    assert r.returncode == 5, r.stderr
    assert elapsed < 8, f"took {elapsed:.1f} s"
    assert "unreachable" in r.stderr or "no reply" in r.stderr


def test_unreachable_respects_timeout(tmp_path):
    start = time.monotonic()
    r = run_ctl(["--timeout", "1", "get", "bot"], f"ipc://{tmp_path}/ctl.sock")
    assert r.returncode == 5
    assert time.monotonic() - start < 4
    # Without -v: one line on stderr, nothing on stdout; -v adds log records.
    assert r.stdout == "" and len(r.stderr.splitlines()) == 1
    r = run_ctl(["-vv", "--timeout", "0.5", "ping"], f"ipc://{tmp_path}/ctl.sock")
    assert r.returncode == 5 and r.stdout == ""
    assert len(r.stderr.splitlines()) > 1


def test_set_bad_json_is_invalid_with_position(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "token": "x",\n  "language" "en"\n}\n')
    # Bad input is refused before any connection.
    r = run_ctl(["set", "bot", str(path)], "ipc:///nonexistent/ctl.sock")
    assert r.returncode == 4
    assert "line 3" in r.stderr
    r = run_ctl(["set", "bot", "-"], "ipc:///nonexistent/ctl.sock", stdin="")
    assert r.returncode == 4 and "empty" in r.stderr
    r = run_ctl(["set", "bot", "-"], "ipc:///nonexistent/ctl.sock", stdin='{"a": 1} x')
    assert r.returncode == 4 and "after the value" in r.stderr
    r = run_ctl(["set", "bot", str(tmp_path / "missing.json")], "ipc:///nonexistent/ctl.sock")
    assert r.returncode == 1 and "missing.json" in r.stderr


def test_set_reads_stdin_from_a_socket(broker):
    """Standard input may be a socket (as node and some supervisors give it),
    which cannot be opened as /dev/stdin."""
    import socket
    a, b = socket.socketpair()
    try:
        a.sendall(json.dumps({"enabled": False, "url": "", "interval_minutes": 7}).encode())
        a.shutdown(socket.SHUT_WR)
        r = subprocess.run([bin_path("ddc-ctl"), "set", "watchdog", "-"], stdin=b.fileno(),
                           capture_output=True, text=True, timeout=30,
                           env=ctl_env(broker.endpoint))
    finally:
        a.close()
        b.close()
    assert r.returncode == 0, r.stderr
    assert json.loads(broker.run_ctl("get", "watchdog").stdout)["value"]["interval_minutes"] == 7


def test_set_input_too_large(tmp_path):
    path = tmp_path / "big.json"
    path.write_text('["' + "x" * (1024 * 1024) + '"]')
    r = run_ctl(["set", "containers", str(path)], "ipc:///nonexistent/ctl.sock")
    assert r.returncode == 4 and "1 MiB" in r.stderr


# ---- keygen --------------------------------------------------------------------

def test_keygen_writes_secret_0600_and_refuses_overwrite(tmp_path):
    keys = tmp_path / "keys"
    r = run_ctl(["keygen", "alice", "--role", "ctl", "--dir", str(keys)])
    assert r.returncode == 0, r.stderr
    public, secret = keys / "alice.cert", keys / "alice.cert_secret"
    assert public.exists() and secret.exists()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) & 0o077 in (0o044, 0o004, 0o040, 0)
    pub_text, sec_text = public.read_text(), secret.read_text()
    assert 'role = "ctl"' in pub_text and 'name = "alice"' in pub_text
    assert "secret-key" in sec_text and "secret-key" not in pub_text
    key = re.search(r'public-key = "([^"]+)"', pub_text).group(1)
    assert key in r.stdout and "clients/" in r.stdout
    # Never overwritten, and left as they were.
    r = run_ctl(["keygen", "alice", "--role", "web", "--dir", str(keys)])
    assert r.returncode == 1 and "exists" in r.stderr
    assert public.read_text() == pub_text and secret.read_text() == sec_text
    # Only a lone secret file left over: refused too.
    public.unlink()
    r = run_ctl(["keygen", "alice", "--role", "ctl", "--dir", str(keys)])
    assert r.returncode == 1
    assert not public.exists() and secret.read_text() == sec_text


def test_keygen_default_dir_and_bad_role(tmp_path):
    r = run_ctl(["keygen", "box", "--role", "docker"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "keys" / "box.cert").exists()
    r = run_ctl(["keygen", "eve", "--role", "root", "--dir", str(tmp_path)])
    assert r.returncode == 2 and "role" in r.stderr
    r = run_ctl(["keygen", "eve", "--dir", str(tmp_path)])
    assert r.returncode == 2
    r = run_ctl(["keygen", "../eve", "--role", "ctl", "--dir", str(tmp_path)])
    assert r.returncode == 2
    assert not (tmp_path / "eve.cert").exists()


def test_keygen_instances(tmp_path):
    r = run_ctl(["keygen", "web", "--role", "web", "--instances", "web-*,main",
                 "--dir", str(tmp_path)])
    assert r.returncode == 0, r.stderr
    assert 'instances = "web-*,main"' in (tmp_path / "web.cert").read_text()
    assert 'instances = "web-*,main"' in (tmp_path / "web.cert_secret").read_text()
    # Default: the certificate's own name.
    assert run_ctl(["keygen", "nas", "--role", "docker", "--dir", str(tmp_path)]).returncode == 0
    assert 'instances = "nas"' in (tmp_path / "nas.cert").read_text()
    for bad in ("", "a*b", "nas,", "-x", "a b"):
        r = run_ctl(["keygen", "x", "--role", "docker", "--instances", bad,
                     "--dir", str(tmp_path)])
        assert r.returncode == 2 and "--instances" in r.stderr, (bad, r.stderr)
    assert not (tmp_path / "x.cert").exists()


def test_keygen_broker_key_is_used_by_the_broker(tmp_path):
    keys = tmp_path / "keys"
    r = run_ctl(["keygen", "--broker-key", "--dir", str(keys)])
    assert r.returncode == 0, r.stderr
    made = (keys / "broker.cert").read_text()
    assert 'name = "ddc-broker"' in made and "role" not in made
    assert stat.S_IMODE((keys / "broker.cert_secret").stat().st_mode) == 0o600
    r = run_ctl(["keygen", "--broker-key", "--dir", str(keys)])
    assert r.returncode == 1 and "exists" in r.stderr
    r = run_ctl(["keygen", "x", "--broker-key", "--dir", str(keys)])
    assert r.returncode == 2
    # The broker takes the pair as its own: a client trusting it connects.
    r = run_ctl(["keygen", "op", "--role", "ctl", "--dir", str(tmp_path / "mine")])
    assert r.returncode == 0, r.stderr
    (keys / "clients").mkdir()
    shutil.copy(tmp_path / "mine" / "op.cert", keys / "clients" / "op.cert")
    op = ["--cert", str(tmp_path / "mine" / "op.cert"), "--broker-cert", str(keys / "broker.cert")]
    b = Broker(tmp_path, keys=(keys, op)).start()
    try:
        assert ok_json(b.run_ctl("ping"))["rev"] >= 1
        assert (keys / "broker.cert").read_text() == made
    finally:
        b.stop()


# ---- against a broker -------------------------------------------------------------

def test_ping(broker):
    out = ok_json(broker.run_ctl("ping"))
    assert re.fullmatch(r"[0-9a-f]{16}", out["epoch"])
    assert out["rev"] >= 1 and out["rtt_us"] >= 0


def test_health(broker, tmp_path):
    r = broker.run_ctl("health")
    assert r.returncode == 0 and r.stdout.startswith("broker: epoch "), r
    # A peer the broker knows and sees connected; one it does not know.
    sub = subprocess.Popen([bin_path("ddc-ctl"), "watch"], env=ctl_env(broker.endpoint),
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        def peer_name():
            peers = ok_json(broker.run_ctl("status", "--json"))["peers"]
            names = [p["name"] for p in peers
                     if p["connected"] and p["name"].endswith(f".{sub.pid}")]
            return names[0] if names else None
        deadline = time.monotonic() + 10
        name = None
        while not name and time.monotonic() < deadline:
            name = peer_name()
            time.sleep(0.05)
        assert name
        r = broker.run_ctl("health", name)
        assert r.returncode == 0 and f"{name}: connected" in r.stdout, r
    finally:
        sub.terminate()
        sub.wait(5)
    r = broker.run_ctl("health", "docker@nowhere")
    assert r.returncode == 1 and "docker@nowhere is not known" in r.stderr, r
    assert broker.run_ctl("health", "nobody").returncode == 2
    # The health check itself is a monitor, and leaves no row behind.
    peers = ok_json(broker.run_ctl("status", "--json"))["peers"]
    assert not any(p["role"] == "monitor" for p in peers), peers
    r = run_ctl(["--timeout", "1", "health"], f"ipc://{tmp_path}/nothing.sock")
    assert r.returncode == 5


def test_get_all(broker):
    r = broker.run_ctl("get")
    out = ok_json(r)
    assert set(out) == {"rev", "sections"}
    assert set(out["sections"]) == set(SECTIONS)
    assert "\n  " in r.stdout                  # pretty by default
    r = broker.run_ctl("get", "--compact")
    assert r.stdout.count("\n") == 1
    assert json.loads(r.stdout) == out


def test_get_one_and_secret_redacted(broker):
    r = set_section(broker, "bot", BOT)
    assert r.returncode == 0, r.stderr
    out = ok_json(broker.run_ctl("get", "bot"))
    assert set(out) == {"rev", "section_rev", "value"}
    assert out["value"]["token"] == "***"
    assert out["value"]["guild_id"] == BOT["guild_id"]
    assert out["section_rev"] <= out["rev"]
    for args in (["get"], ["get", "bot"], ["history", "--json"], ["history"], ["status", "--json"]):
        r = broker.run_ctl(*args)
        assert r.returncode == 0, r.stderr
        assert BOT["token"] not in r.stdout + r.stderr, args


def test_set_file_then_stdin(broker, tmp_path):
    path = tmp_path / "bot.json"
    path.write_text(json.dumps(BOT))
    first = ok_json(broker.run_ctl("set", "bot", str(path)))
    assert set(first) == {"rev", "section_rev"}
    assert first["rev"] == first["section_rev"]
    # The same value again: nothing changes.
    again = ok_json(broker.run_ctl("set", "bot", "-", stdin=json.dumps(BOT)))
    assert again == {"rev": first["rev"], "section_rev": first["section_rev"], "changed": False}
    changed = dict(BOT, language="de")
    second = ok_json(broker.run_ctl("set", "bot", "-", stdin=json.dumps(changed)))
    assert second["rev"] == first["rev"] + 1
    assert ok_json(broker.run_ctl("get", "bot"))["value"]["language"] == "de"


def test_set_accepts_get_output_and_checks_its_rev(broker):
    assert set_section(broker, "bot", BOT).returncode == 0
    got = broker.run_ctl("get", "bot").stdout
    # Saved back as printed: unchanged ("***" keeps the token).
    same = ok_json(broker.run_ctl("set", "bot", "-", stdin=got))
    assert same.get("changed") is False
    edited = json.loads(got)
    edited["value"]["timezone"] = "Europe/Berlin"
    # Someone else changes bot meanwhile: the printed section_rev is stale.
    assert set_section(broker, "bot", dict(BOT, language="de")).returncode == 0
    r = broker.run_ctl("set", "bot", "-", stdin=json.dumps(edited))
    assert r.returncode == 3, r.stderr
    # --expect-rev 0 overrides it.
    r = broker.run_ctl("set", "bot", "-", "--expect-rev", "0", stdin=json.dumps(edited))
    assert r.returncode == 0, r.stderr
    value = ok_json(broker.run_ctl("get", "bot"))["value"]
    assert value["timezone"] == "Europe/Berlin" and value["token"] == "***"


def test_set_expect_rev_stale_is_conflict(broker):
    first = ok_json(set_section(broker, "bot", BOT))
    second = ok_json(set_section(broker, "bot", dict(BOT, language="de"),
                                 "--expect-rev", str(first["section_rev"])))
    r = set_section(broker, "bot", dict(BOT, timezone="Europe/Berlin"),
                    "--expect-rev", str(first["section_rev"]))
    assert r.returncode == 3
    assert r.stdout == ""
    assert str(second["section_rev"]) in r.stderr
    assert ok_json(broker.run_ctl("get", "bot"))["value"]["language"] == "de"


def test_set_invalid_exit_4_and_nothing_changed(broker):
    before = ok_json(broker.run_ctl("get"))
    r = set_section(broker, "bot", {"token": "has space", "language": "xx", "bogus": 1})
    assert r.returncode == 4, r.stderr
    assert r.stdout == ""
    start, end = r.stderr.index("["), r.stderr.rindex("]") + 1
    errors = json.loads(r.stderr[start:end])
    assert isinstance(errors, list) and len(errors) >= 2
    assert all({"field", "reason", "message"} <= set(e) for e in errors)
    assert any(e["field"].startswith("bot.") for e in errors)
    assert "invalid" in r.stderr.splitlines()[-1]
    assert ok_json(broker.run_ctl("get")) == before


def test_history_lists_changes_with_author(broker):
    assert set_section(broker, "bot", BOT, author="alice").returncode == 0
    assert set_section(broker, "bot", dict(BOT, language="de"), author="bob").returncode == 0
    entries = ok_json(broker.run_ctl("history", "bot", "--json"))
    assert [e["author"] for e in entries][-2:] == ["alice", "bob"]
    last = entries[-1]
    assert last["section"] == "bot" and "bot.language" in last["changed"]
    assert "value" not in last or last["value"].get("token") in ("***", "")
    r = broker.run_ctl("history", "bot")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert len(lines) == len(entries)
    assert re.match(rf"\s*{last['rev']}\s+\S+\s+bot\s+bob\s+changed: .*bot\.language", lines[-1])
    # All sections: includes bot's changes too.
    all_entries = ok_json(broker.run_ctl("history", "--json"))
    assert {e["rev"] for e in entries} <= {e["rev"] for e in all_entries}


def test_default_author_is_recorded(broker):
    assert set_section(broker, "bot", BOT).returncode == 0
    entries = ok_json(broker.run_ctl("history", "bot", "--json"))
    assert entries[-1]["author"]


def test_rollback_restores_as_new_revision(broker):
    a = ok_json(set_section(broker, "bot", BOT))
    b = ok_json(set_section(broker, "bot", dict(BOT, language="de", token="new-t0ken")))
    r = broker.run_ctl("rollback", "bot", str(a["section_rev"]))
    out = ok_json(r)
    assert out["rev"] > b["rev"] and out["section_rev"] == out["rev"]
    got = ok_json(broker.run_ctl("get", "bot"))
    assert got["value"]["language"] == "en" and got["section_rev"] == out["rev"]
    assert got["value"]["token"] == "***"      # secrets are kept, never shown
    # A revision at which bot did not change, and one far in the future.
    assert broker.run_ctl("rollback", "bot", "999999").returncode == 1


def test_status_lists_ctl_peers(broker):
    out = ok_json(broker.run_ctl("status", "--json"))
    assert {"broker", "peers"} <= set(out)
    assert out["broker"]["rev"] >= 1
    roles = [p["role"] for p in out["peers"]]
    assert "ctl" in roles
    names = [p["name"] for p in out["peers"] if p["role"] == "ctl"]
    assert all(n.startswith("ctl@") for n in names)
    r = broker.run_ctl("status")
    assert r.returncode == 0
    assert "NAME" in r.stdout and "APPLIED-REV" in r.stdout and "ctl@" in r.stdout


def test_default_endpoint_from_data_folder(tmp_path):
    b = Broker(tmp_path, ctl_in_data=True).start()
    try:
        r = run_ctl(["get", "bot"], cwd=b.tmp)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["value"]["token"] in ("", "***")
    finally:
        b.stop()


def test_broker_flag_overrides_env(broker):
    r = subprocess.run([bin_path("ddc-ctl"), "--broker", broker.endpoint, "ping"], capture_output=True,
                       text=True, timeout=30, env=ctl_env("ipc:///nonexistent/ctl.sock"))
    assert r.returncode == 0, r.stderr
    # Global options after the command work too.
    r = subprocess.run([bin_path("ddc-ctl"), "ping", "--broker", broker.endpoint], capture_output=True,
                       text=True, timeout=30, env=ctl_env(None))
    assert r.returncode == 0, r.stderr


class Watch:
    """ddc-ctl watch in the background, its lines in a queue."""

    def __init__(self, endpoint, *args):
        self.proc = subprocess.Popen([bin_path("ddc-ctl"), "watch", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=ctl_env(endpoint))
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def next(self, timeout=10):
        return json.loads(self.lines.get(timeout=timeout))

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def test_watch_count_sees_two_changes(broker):
    w = Watch(broker.endpoint, "--count", "2", "bot")
    try:
        initial = w.next()
        assert initial["section"] == "bot" and initial["initial"] is True
        # a line from the snapshot knows no author or time
        assert initial["author"] is None and initial["time"] is None
        before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
        a = ok_json(set_section(broker, "bot", BOT, author="alice"))
        b = ok_json(set_section(broker, "bot", dict(BOT, language="de"), author="bob"))
        first, second = w.next(), w.next()
        assert "initial" not in first and "initial" not in second
        assert (first["rev"], second["rev"]) == (a["rev"], b["rev"])
        # who and when, from the UPDATE's props
        assert (first["author"], second["author"]) == ("alice", "bob")
        after = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
        assert before <= first["time"] <= second["time"] <= after
        assert first["section"] == "bot" and first["value"]["token"] == "***"
        assert second["value"]["language"] == "de"
        assert w.proc.wait(timeout=10) == 0
    finally:
        w.stop()


def test_watch_all_sections_initial_and_sigint(broker):
    w = Watch(broker.endpoint)
    try:
        seen = {w.next()["section"] for _ in SECTIONS}
        assert seen == set(SECTIONS)
        assert ok_json(set_section(broker, "spam", {"enabled": False})).get("changed", True)
        line = w.next()
        assert line["section"] == "spam" and "initial" not in line
        os.kill(w.proc.pid, signal.SIGINT)
        assert w.proc.wait(timeout=10) == 0
    finally:
        w.stop()


def test_watch_count_zero_prints_state_and_exits(broker):
    r = broker.run_ctl("watch", "--count", "0", "bot", "web")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert sorted(x["section"] for x in lines) == ["bot", "web"]
    assert all(x["initial"] is True for x in lines)


def test_curve_with_keygen_certificates(tmp_path):
    """tcp:// with CURVE: the role comes from the keygen certificate."""
    keys, mine = tmp_path / "broker-keys", tmp_path / "mine"
    (keys / "clients").mkdir(parents=True)
    for name, role in (("op", "ctl"), ("dash", "monitor"), ("stranger", "ctl")):
        r = run_ctl(["keygen", name, "--role", role, "--dir", str(mine)])
        assert r.returncode == 0, r.stderr
        if name != "stranger":
            shutil.copy(mine / f"{name}.cert", keys / "clients" / f"{name}.cert")
    op = ["--cert", str(mine / "op.cert"), "--broker-cert", str(keys / "broker.cert")]
    b = Broker(tmp_path, keys=(keys, op)).start()
    try:
        assert set_section(b, "bot", BOT).returncode == 0
        got = ok_json(b.run_ctl("get", "bot"))
        assert got["value"]["token"] == "***"
        peers = ok_json(b.run_ctl("status", "--json"))["peers"]
        assert any(p["role"] == "ctl" and p["connected"] for p in peers)
        # A monitor certificate reads but may not write.
        dash = ["--cert", str(mine / "dash.cert"), "--broker-cert", str(keys / "broker.cert")]
        assert run_ctl([*dash, "get", "bot"], b.endpoint).returncode == 0
        r = run_ctl([*dash, "set", "bot", "-"], b.endpoint, stdin=json.dumps(BOT))
        assert r.returncode == 1, r.stderr
        # A key the broker does not know: refused, said at once (exit 6),
        # not "unreachable" after the timeout.
        stranger = ["--cert", str(mine / "stranger.cert"),
                    "--broker-cert", str(keys / "broker.cert")]
        for cmd in (["get"], ["ping"], ["watch", "bot"], ["status"]):
            start = time.monotonic()
            r = run_ctl([*stranger, "--timeout", "5", *cmd], b.endpoint)
            assert r.returncode == 6, r.stderr
            assert time.monotonic() - start < 4, cmd
            assert "the broker refused this certificate (" in r.stderr, r.stderr
            assert "stranger.cert" in r.stderr and b.endpoint in r.stderr
        # The broker's certificate mixed up with another: refused too.
        wrong = ["--cert", str(mine / "op.cert"), "--broker-cert", str(mine / "dash.cert")]
        r = run_ctl([*wrong, "--timeout", "5", "get"], b.endpoint)
        assert r.returncode == 6 and "dash.cert the public certificate" in r.stderr, r.stderr
        # No certificate at all: plain TCP only when asked for, and then
        # the broker's CURVE endpoint refuses it.
        r = run_ctl(["get"], b.endpoint)
        assert r.returncode == 2 and "--insecure" in r.stderr, r.stderr
        r = run_ctl(["--insecure", "--timeout", "5", "get"], b.endpoint)
        assert r.returncode == 6 and "requires CURVE" in r.stderr, r.stderr
        env = dict(ctl_env(b.endpoint), DDC_INSECURE="1")
        r = subprocess.run([bin_path("ddc-ctl"), "--timeout", "5", "get"], capture_output=True, text=True,
                           timeout=30, env=env)
        assert r.returncode == 6 and "requires CURVE" in r.stderr, r.stderr
        # The certificates from the environment; a flag wins over its variable.
        env = dict(ctl_env(b.endpoint), DDC_CERT=str(mine / "stranger.cert"),
                   DDC_BROKER_CERT=str(keys / "broker.cert"))
        r = subprocess.run([bin_path("ddc-ctl"), "get", "bot"], capture_output=True, text=True,
                           timeout=30, env=env)
        assert r.returncode == 6, r.stderr
        r = subprocess.run([bin_path("ddc-ctl"), "--cert", str(mine / "op.cert"), "get", "bot"],
                           capture_output=True, text=True, timeout=30, env=env)
        assert r.returncode == 0, r.stderr
        # Half a CURVE configuration is a usage error.
        r = run_ctl(["--cert", str(mine / "op.cert"), "get"], b.endpoint)
        assert r.returncode == 2
    finally:
        b.stop()


def test_containers_of_agents_sharing_an_engine(broker):
    """Two agents on one Docker engine both list its every container: each
    shows once, under the host that configures it, or else the first host."""
    from conftest import RawClient
    engine = [{"name": n, "id": f"{i:064x}", "image": "busybox", "state": "running",
               "status": "Up 1 minute", "created": None}
              for i, n in enumerate(["x", "y", "z"], 1)]
    agents = []
    try:
        for host, mine in (("alpha", "x"), ("beta", "y")):
            a = RawClient(broker.ctl, role="docker", instance=host)
            a.hello()
            agents.append(a)
            a.send("REPORT", a.req_id(), "status", json.dumps(
                {"host": host, "time": "2026-01-01T00:00:00Z", "docker": {"reachable": True},
                 "containers": {mine: {"exists": True, "state": "running"}}}))
            a.send("REPORT", a.req_id(), "inventory", json.dumps(
                {"host": host, "time": "2026-01-01T00:00:00Z", "reachable": True,
                 "containers": engine, "truncated": False}))
        for a in agents:
            assert a.request("PING", 0)
        r = run_ctl(["containers"], broker.ctl)
        assert r.returncode == 0, r.stderr
        alpha, beta = r.stdout.split("\nbeta  ")
        others = lambda text: re.findall(r"^    ([xyz])\s", text, re.M)
        assert re.search(r"^  x\s+running", alpha, re.M) and others(alpha) == ["z"]
        assert "(1 more shown under another host" in alpha
        assert re.search(r"^  y\s+running", beta, re.M) and others(beta) == []
        assert "(2 more shown under another host" in beta
        # one host alone shows what is not configured elsewhere
        r = run_ctl(["containers", "beta"], broker.ctl)
        assert r.returncode == 0 and others(r.stdout) == ["z"], r.stdout
        # --json keeps every agent's inventory as it came
        data = json.loads(run_ctl(["containers", "--json"], broker.ctl).stdout)
        assert [len(data[h]["inventory"]["containers"]) for h in ("alpha", "beta")] == [3, 3]
    finally:
        for a in agents:
            a.close()
