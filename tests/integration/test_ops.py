"""Operating ddc-broker: hand edits of config.json that never break a
restart (the invalid file moved aside, the last good copy), the schema
version of config.json and its migration.

Real broker, real files, real ZeroMQ clients; every edit is made the way an
operator makes it (an editor writing the file in place, or a new file moved
over it).
"""
import glob
import json
import os
import subprocess
import time

from conftest import Broker, RawClient, bin_path, wait_for

DEFAULT_BOT = {"token": "", "guild_id": "", "language": "en", "timezone": "UTC"}


def broker_status(b):
    c = RawClient(b.ctl)
    try:
        c.hello()
        r = c.request("STATUS", 0, "-")
        assert r and r[0] == "PEERS", r
        return json.loads(r[2])["broker"]
    finally:
        c.close()


def config_now(b):
    """config.json as it is now, or {} while it holds something else than JSON."""
    try:
        return b.config()
    except ValueError:
        return {}


def rejected_files(b):
    return sorted(glob.glob(os.path.join(b.data, "config.rejected-*.json")))


def write_in_place(path, text):
    """What an editor that rewrites the file in place does."""
    with open(path, "w") as f:
        f.write(text)


def ctl(b, *args, check=True):
    p = subprocess.run([bin_path("ddc-ctl"), "--broker", b.ctl, *args], capture_output=True,
                       text=True, timeout=20)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def test_invalid_hand_edit_is_moved_aside_and_a_restart_starts(tmp):
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()
    assert c.save("bot", dict(DEFAULT_BOT, language="de"))[0] == "OK"
    good = b.config()
    assert good["_meta"]["rev"] == 2
    bad_doc = json.loads(json.dumps(good))
    bad_doc["bot"]["guild_id"] = "not-a-snowflake"
    bad_doc["bot"]["language"] = "klingon"
    bad = json.dumps(bad_doc, indent=1)
    write_in_place(b.config_path, bad)
    wait_for(lambda: "bot.language" in b.proc.text(), timeout=3, what="the edit refused")
    files = wait_for(lambda: rejected_files(b), timeout=3, what="the edit to be moved aside")
    assert len(files) == 1
    with open(files[0]) as f:
        assert f.read() == bad                    # kept exactly as written
    assert os.stat(files[0]).st_mode & 0o777 == 0o600
    # config.json holds the running revision again, at once
    wait_for(lambda: config_now(b).get("bot", {}).get("language") == "de", timeout=1,
             what="config.json written again")
    assert b.config()["_meta"]["rev"] == 2
    log = b.proc.text()
    name = os.path.basename(files[0])
    assert name in log and "bot.guild_id" in log and "bot.language" in log
    assert c.snapshot()[0] == 2                  # nothing of it applied
    st = broker_status(b)["config"]
    assert st["schema"] >= 2 and st["last_good"] == "config.last-good.json"
    rej = st["rejected"]
    assert rej["file"] == name and rej["at_start"] is False and rej["kept_rev"] == 2
    assert rej["error_count"] == 2
    assert {e["field"] for e in rej["errors"]} == {"bot.guild_id", "bot.language"}
    out = ctl(b, "status").stdout
    assert name in out and "bot.guild_id" in out, out
    # a broken JSON text goes the same way
    write_in_place(b.config_path, "{ this is not json")
    wait_for(lambda: len(rejected_files(b)) == 2, timeout=3, what="the second edit moved aside")
    wait_for(lambda: config_now(b).get("_meta", {}).get("rev") == 2, timeout=1,
             what="config.json written again")
    assert broker_status(b)["config"]["rejected"]["errors"][0]["message"].startswith(
        "not valid JSON")
    c.close()
    # the restart that used to fail ("config.json is invalid") starts
    assert b.stop() == 0
    b.start()
    assert b.config()["bot"]["language"] == "de"
    assert broker_status(b)["config"]["rejected"] is None
    # an edit fixed by hand afterwards is applied and clears the warning
    write_in_place(b.config_path, "[]")
    wait_for(lambda: len(rejected_files(b)) == 3, timeout=3, what="a third refused edit")
    fixed = wait_for(lambda: (lambda d: d if isinstance(d, dict) and "bot" in d else None)(
        config_now(b)), timeout=1, what="config.json written again")
    wait_for(lambda: broker_status(b)["config"]["rejected"] is not None, timeout=1,
             what="the refusal in STATUS")
    fixed["bot"]["language"] = "en"
    write_in_place(b.config_path, json.dumps(fixed))
    wait_for(lambda: broker_status(b)["config"]["rejected"] is None, timeout=3,
             what="the warning to clear")
    assert b.config()["_meta"]["rev"] == 3
    b.stop()


def test_an_edit_still_being_written_is_not_moved_aside(broker):
    """The file is judged once it stayed the same for one look (250 ms)."""
    doc = broker.config()
    text = json.dumps(dict(doc, bot=dict(doc["bot"], language="de")), indent=2)
    with open(broker.config_path, "w") as f:
        f.write(text[:len(text) // 2])           # half of it, for now
        f.flush()
        time.sleep(0.18)                         # a look may see it, not two
        f.write(text[len(text) // 2:])
    wait_for(lambda: config_now(broker).get("_meta", {}).get("rev") == 2, timeout=3,
             what="the edit applied")
    assert broker.config()["bot"]["language"] == "de"
    assert rejected_files(broker) == [] and "refused" not in broker.proc.text()


def test_last_good_copy_follows_every_accepted_revision(broker):
    last_good = os.path.join(broker.data, "config.last-good.json")
    assert open(last_good).read() == open(broker.config_path).read()
    c = RawClient(broker.ctl)
    c.hello()
    for i, lang in enumerate(["de", "en", "de"]):
        assert c.save("bot", dict(DEFAULT_BOT, language=lang))[0] == "OK"
    c.close()
    wait_for(lambda: open(last_good).read() == broker.config_text(), timeout=2,
             what="the copy to follow the saves")
    assert json.load(open(last_good))["_meta"]["rev"] == 4
    assert os.stat(last_good).st_mode & 0o777 == 0o600


def test_start_on_an_invalid_file_uses_the_last_good_copy(tmp):
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()
    assert c.save("bot", dict(DEFAULT_BOT, language="de"))[0] == "OK"
    c.close()
    assert b.stop() == 0
    epoch = b.config()["_meta"]["epoch"]
    # an edit while the broker is stopped
    doc = b.config()
    doc["spam"]["command_cooldowns"]["serverstatus"] = -5
    bad = json.dumps(doc)
    write_in_place(b.config_path, bad)
    b.start()
    files = rejected_files(b)
    assert len(files) == 1 and open(files[0]).read() == bad
    on_disk = b.config()
    assert on_disk["_meta"]["rev"] == 2 and on_disk["_meta"]["epoch"] == epoch
    assert on_disk["spam"]["command_cooldowns"]["serverstatus"] == 30
    assert on_disk["bot"]["language"] == "de"
    log = b.proc.text()
    assert "spam.command_cooldowns.serverstatus" in log and os.path.basename(files[0]) in log
    rej = broker_status(b)["config"]["rejected"]
    assert rej["at_start"] is True and rej["errors"][0]["field"].startswith("spam.")
    b.stop()
    # and a removed config.json comes back from the copy, not as the defaults
    os.unlink(b.config_path)
    b.start()
    assert b.config()["bot"]["language"] == "de" and b.config()["_meta"]["rev"] == 2
    assert "missing" in b.proc.text()
    b.stop()


def test_start_on_an_invalid_file_without_a_good_copy_refuses_with_the_field(tmp):
    data = os.path.join(tmp, "d")
    os.makedirs(data, mode=0o700)
    with open(os.path.join(data, "config.json"), "w") as f:
        f.write('{"bot": {"timezone": "Mars/Olympus"}}')
    p = subprocess.run([bin_path("ddc-broker"), "--data", data], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "bot.timezone" in p.stderr and "no config.last-good.json" in p.stderr
    assert not glob.glob(os.path.join(data, "config.rejected-*"))
    # a copy that is invalid too does not help; both are named
    with open(os.path.join(data, "config.last-good.json"), "w") as f:
        f.write('{"web": {"ui_language": "tlh"}}')
    p = subprocess.run([bin_path("ddc-broker"), "--data", data], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode == 1 and "bot.timezone" in p.stderr and "web.ui_language" in p.stderr
    assert open(os.path.join(data, "config.json")).read().startswith('{"bot"')


def test_removed_config_json_is_written_again(broker):
    os.unlink(broker.config_path)
    wait_for(lambda: os.path.exists(broker.config_path), timeout=3, what="config.json back")
    assert broker.config()["_meta"]["rev"] == 1


# ---------------------------------------------------------------------------
# schema

# config.json as ddc 0.1 wrote it before the docker and alerts sections and
# the containers' alerts and roles: no _meta.schema (schema 1).
SCHEMA_1 = """{
  "_meta": {"about": "Managed by ddc-broker.", "epoch": "0123456789abcdef", "rev": 7,
            "revs": {"bot": 2, "containers": 7, "channels": 1, "admins": 1, "spam": 1,
                     "tasks": 1, "watchdog": 1, "web": 1}},
  "bot": {"token": "", "guild_id": "1098765432109876543", "language": "de",
          "timezone": "Europe/Berlin"},
  "containers": [{"host": "local", "name": "plex", "active": true,
                  "display_name": "Plex", "order": 10,
                  "allowed_actions": ["start", "stop", "restart"],
                  "info": {"enabled": false, "text": ""}}],
  "channels": [{"id": "1187654321098765432", "name": "status", "kind": "status",
                "post_initial": true, "refresh_minutes": 5, "recreate_minutes": 0}],
  "admins": [],
  "spam": {"enabled": true, "command_cooldowns": {}, "button_cooldowns": {}},
  "tasks": [],
  "watchdog": {"enabled": false, "url": "", "interval_minutes": 5},
  "web": {"password_hash": "", "session_idle_minutes": 30, "ui_language": "de"}
}
"""


def test_a_schema_1_file_is_migrated_and_its_original_kept(tmp):
    b = Broker(tmp)
    os.makedirs(b.data, mode=0o700)
    write_in_place(b.config_path, SCHEMA_1)
    b.start()
    original = os.path.join(b.data, "config.schema-1.json")
    assert open(original).read() == SCHEMA_1
    doc = b.config()
    assert doc["_meta"]["schema"] == 2
    assert doc["bot"]["language"] == "de" and doc["containers"][0]["display_name"] == "Plex"
    # the shape of today: every section, every field
    assert set(doc) - {"_meta"} == {"bot", "containers", "channels", "admins", "spam", "tasks",
                                    "watchdog", "web", "docker", "alerts"}
    assert doc["containers"][0]["alerts"] == ["crash", "unhealthy", "restart_loop"]
    assert doc["containers"][0]["roles"] == {}
    assert doc["channels"][0]["alerts"] is False
    assert doc["docker"] == {"stats_interval_seconds": 10, "stop_timeout_seconds": 10}
    assert doc["watchdog"]["fail_url"] == ""
    assert doc["web"]["metrics_token"] == ""
    log = b.proc.text()
    assert "schema 1" in log and "config.schema-1.json" in log
    assert broker_status(b)["config"]["migrated"]["original"] == "config.schema-1.json"
    out = ctl(b, "status").stdout
    assert "schema 1" in out and "config.schema-1.json" in out
    b.stop()
    # a restart finds schema 2: nothing more to do
    b.start()
    assert broker_status(b)["config"]["migrated"] is None
    assert glob.glob(os.path.join(b.data, "config.schema-*")) == [original]
    b.stop()


def test_a_newer_schema_is_refused(tmp):
    b = Broker(tmp).start()
    assert b.stop() == 0
    doc = b.config()
    doc["_meta"]["schema"] = 7
    write_in_place(b.config_path, json.dumps(doc))
    # refused even with a last good copy: it was not written by this ddc
    assert os.path.exists(os.path.join(b.data, "config.last-good.json"))
    p = subprocess.run([bin_path("ddc-broker"), "--data", b.data, "--ctl", b.ctl, "--pub", b.pub],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1
    assert "config.json has schema 7; this ddc-broker knows up to 2: upgrade ddc" in p.stderr
    assert json.loads(open(b.config_path).read())["_meta"]["schema"] == 7   # left alone
    # while it runs, such an edit is refused like any invalid one
    doc["_meta"]["schema"] = 2
    write_in_place(b.config_path, json.dumps(doc))
    b.start()
    doc["_meta"]["schema"] = 3
    doc["bot"]["language"] = "de"
    write_in_place(b.config_path, json.dumps(doc))
    wait_for(lambda: "knows up to 2" in b.proc.text(), timeout=3, what="the newer file refused")
    wait_for(lambda: rejected_files(b) and config_now(b).get("bot", {}).get("language") == "en",
             timeout=3,
             what="the newer file moved aside")
    doc["_meta"]["schema"] = "two"
    write_in_place(b.config_path, json.dumps(doc))
    wait_for(lambda: "_meta.schema must be a whole number" in b.proc.text(), timeout=3,
             what="a bad schema refused")
    wait_for(lambda: len(rejected_files(b)) == 2, timeout=3, what="a bad schema moved aside")
    b.stop()


def test_the_web_dashboard_names_the_refused_edit(tmp):
    from test_web_http import Web, do_setup, stop_clean
    b = Broker(tmp).start()
    w = Web(tmp, b).start()
    try:
        http = do_setup(w)
        write_in_place(b.config_path, '{"bot": {"language": "ja"}}')
        wait_for(lambda: rejected_files(b), timeout=3, what="the edit moved aside")
        name = os.path.basename(rejected_files(b)[0])
        page = wait_for(lambda: (lambda r: r.text if name in r.text else None)(http.get("/")),
                        timeout=5, what="the dashboard to name the refused edit")
        assert 'id="config-rejected"' in page and "bot.language" in page
        view = json.loads(http.get("/api/status").text)
        assert view["broker"]["config"]["rejected"]["file"] == name
        stop_clean(w)
    finally:
        w.proc.stop()
        b.stop()
