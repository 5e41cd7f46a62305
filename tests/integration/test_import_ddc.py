"""ddc-ctl import-ddc against a real ddc-broker: DockerDiscordControl config
folders built from the reference's examples (the 2.x layout, the 1.x single
config.json, auth.json over the token, an encrypted token), broken ones
(nothing saved, the file and field named), --dry-run, ddc's own
configuration kept unless --force, the audit log, a partial import put back
when the broker refuses a later section, and a web sign-in with the
imported werkzeug password hash.

Each test starts its own broker (and ddc-web) in a fresh temporary folder
and stops it by its PID. DDC_BIN names the folder with the programs.
"""
import base64
import hashlib
import json
import pathlib
import shutil

import pytest

from conftest import Broker, audit_entries, run_ctl, wait_for
from test_ctl import ok_json
from test_web_http import Http, Web

PASSWORD = "Correct-Horse-42"
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"
HOST = "nas"


def werkzeug_hash(password=PASSWORD, salt="Ab12Cd34", iterations=600000):
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2:sha256:{iterations}${salt}${dk.hex()}"


def ddc_encrypt(token, password_hash):
    """A bot token encrypted as DockerDiscordControl's token security does."""
    from cryptography.fernet import Fernet
    key = hashlib.pbkdf2_hmac("sha256", password_hash.encode(),
                              b"ddc-salt-for-token-encryption-key-v1", 600000, 32)
    return Fernet(base64.urlsafe_b64encode(key)).encrypt(token.encode()).decode()


def full_v2():
    """DockerDiscordControl 2.x's config folder, from the reference's examples."""
    return {
        "config.json": {
            "language": "en", "ui_language": "de", "timezone": "Europe/Berlin",
            "guild_id": "112233445566778899", "bot_token": "MTIzNDU2Nzg5.FAKE.TOKEN",
            "web_ui_user": "admin", "web_ui_password_hash": werkzeug_hash(),
            "heartbeat": {"enabled": True, "ping_url": "https://hc-ping.com/0000-fake",
                          "interval": 5},
            "advanced_settings": {"DDC_DOCKER_CACHE_DURATION": "30",
                                  "DDC_LIVE_LOGS_ENABLED": "1"},
            "debug_level_enabled": False,
            "channel_permissions": {"223344556677889900": {"name": "server-status"}}},
        "docker_settings.json": {"docker_socket_path": "/var/run/docker.sock",
                                 "container_command_cooldown": 5, "docker_api_timeout": 30,
                                 "max_log_lines": 50},
        "containers/valheim.json": {
            "container_name": "valheim", "docker_name": "valheim", "name": "valheim",
            "display_name": "Valheim Server", "active": True,
            "allowed_actions": ["status", "start", "stop", "restart"],
            "allow_detailed_status": True, "order": 1,
            "info": {"enabled": True, "show_ip": True, "custom_ip": "valheim.example.net",
                     "custom_port": "2456", "custom_text": "Pass: in #rules",
                     "protected_enabled": True, "protected_content": "admin pw: hunter2",
                     "protected_password": "letmein"},
            "query_enabled": True, "query_protocol": "source", "query_host": "",
            "query_port": 0, "query_token": ""},
        "containers/plex.json": {
            "container_name": "plex", "docker_name": "plex", "display_name": "Plex",
            "active": True, "allowed_actions": ["status", "restart"], "order": 2},
        "channels/223344556677889900.json": {
            "name": "server-status",
            "commands": {"serverstatus": True, "ss": True, "control": False, "schedule": False,
                         "info": False},
            "post_initial": True, "enable_auto_refresh": True, "update_interval_minutes": 5,
            "recreate_messages_on_inactivity": True, "inactivity_timeout_minutes": 10},
        "channels/223344556677889901.json": {
            "name": "server-control",
            "commands": {"serverstatus": True, "ss": True, "control": True, "schedule": True,
                         "info": True},
            "post_initial": False, "enable_auto_refresh": True, "update_interval_minutes": 1,
            "recreate_messages_on_inactivity": True, "inactivity_timeout_minutes": 60},
        "channels/default.json": {
            "name": "Default Channel Settings",
            "commands": {"serverstatus": True, "command": False, "control": False,
                         "schedule": False},
            "post_initial": False, "update_interval_minutes": 10,
            "inactivity_timeout_minutes": 10, "enable_auto_refresh": True,
            "recreate_messages_on_inactivity": True},
        "admins.json": {"discord_admin_users": ["334455667788990011"],
                        "admin_notes": {"334455667788990011": "Max"}},
        "server_order.json": {"server_order": ["valheim", "minecraft", "plex"]},
        "channels_config.json": {"spam_protection": {
            "command_cooldowns": {"serverstatus": 30, "control": 5, "info": 5},
            "button_cooldowns": {"start": 10, "stop": 10, "restart": 20, "info": 3, "logs": 10},
            "global_settings": {"enabled": True, "max_commands_per_minute": 20,
                                "max_buttons_per_minute": 35, "cooldown_message": True,
                                "log_violations": True}}},
        "tasks.json": [{
            "id": "6f1c2a3b-5d4e-4f60-8a7b-9c0d1e2f3a4b", "container": "valheim",
            "action": "restart", "cycle": "weekly",
            "schedule_details": {"time": "04:00", "day": "monday"},
            "created_at": "2026-06-01T10:00:00+02:00",
            "created_at_local": "2026-06-01 10:00:00 CEST", "status": "pending",
            "is_active": True, "_description": "", "_created_by": "max",
            "_timezone_str": "Europe/Berlin", "_last_run_ts": None,
            "_next_run_ts": 1781488800.0, "last_run_success": None, "last_run_error": None}],
        "mech_state.json": {"mech_expanded_states": {}, "channel_overview_message_ids": {
            "223344556677889900": {"overview": 1399999999999999999}}},
    }


def legacy_v1():
    """DockerDiscordControl 1.x's single config.json (servers inside), with an
    encrypted token."""
    h = werkzeug_hash()
    return {"config.json": {
        "bot_token": ddc_encrypt(TOKEN, h), "guild_id": "809093957622562826",
        "language": "de", "timezone": "Europe/Berlin", "heartbeat_channel_id": None,
        "docker_socket_path": "/var/run/docker.sock", "container_command_cooldown": 5,
        "docker_api_timeout": 30, "max_log_lines": 50,
        "servers": [
            {"name": "TestServer1", "docker_name": "test-container-1",
             "allowed_actions": ["status", "start", "stop", "restart"],
             "info": {"enabled": True, "show_ip": True, "custom_ip": "192.168.1.100",
                      "custom_port": "8080", "custom_text": "Test Server 1"}},
            {"name": "TestServer2", "docker_name": "test-container-2",
             "allowed_actions": ["status"],
             "info": {"enabled": False, "show_ip": False, "custom_ip": "", "custom_port": "",
                      "custom_text": ""}}],
        "web_ui_user": "admin", "web_ui_password_hash": h, "admin_enabled": True,
        "session_timeout": 3600,
        "channel_permissions": {"1187654321098765433": {
            "name": "Test Channel",
            "commands": {"serverstatus": True, "command": True, "control": True,
                         "schedule": True, "info": True},
            "post_initial": True, "update_interval_minutes": 5}},
        "advanced_settings": {"DDC_DOCKER_CACHE_DURATION": 30}}}


@pytest.fixture
def folder(tmp_path):
    """A fresh folder for the DockerDiscordControl files."""
    path = tmp_path / "in"
    path.mkdir()
    return path


def write_folder(root, files):
    root = pathlib.Path(root)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return root


def config_file(b):
    """The broker's config.json (secrets in clear), once it holds the saves."""
    return b.config()


def rev(b):
    return ok_json(b.run_ctl("get"))["rev"]


def imp(b, folder, *args):
    return b.run_ctl("import-ddc", str(folder), "--host", HOST, *args)


# ---- the full 2.x folder ----------------------------------------------------

def test_full_v2_folder_is_imported_and_audited(broker, folder):
    write_folder(folder, full_v2())
    r = imp(broker, folder)
    assert r.returncode == 0, r.stderr
    assert 'saved by "import-ddc"' in r.stdout
    for secret in ("hunter2", "letmein", "FAKE.TOKEN", werkzeug_hash()):
        assert secret not in r.stdout + r.stderr
    cfg = config_file(broker)
    assert cfg["bot"] == {"token": "MTIzNDU2Nzg5.FAKE.TOKEN", "guild_id": "112233445566778899",
                          "language": "en", "timezone": "Europe/Berlin", "log_lines": 50}
    assert cfg["web"] == {"password_hash": werkzeug_hash(), "session_idle_minutes": 30,
                          "ui_language": "de", "metrics_token": ""}
    assert cfg["watchdog"] == {"enabled": True, "url": "https://hc-ping.com/0000-fake",
                               "fail_url": "", "interval_minutes": 5}
    assert cfg["containers"] == [
        {"host": HOST, "name": "valheim", "active": True, "display_name": "Valheim Server",
         "order": 10, "allowed_actions": ["start", "stop", "restart"],
         "info": {"enabled": True, "text": "Pass: in #rules\nvalheim.example.net:2456"},
         "alerts": ["crash", "unhealthy", "restart_loop"], "roles": {}},
        {"host": HOST, "name": "plex", "active": True, "display_name": "Plex", "order": 20,
         "allowed_actions": ["restart"], "info": {"enabled": False, "text": ""},
         "alerts": ["crash", "unhealthy", "restart_loop"], "roles": {}}]
    assert cfg["channels"] == [
        {"id": "223344556677889900", "name": "server-status", "kind": "status",
         "post_initial": True, "refresh_minutes": 5, "recreate_minutes": 10, "alerts": False},
        {"id": "223344556677889901", "name": "server-control", "kind": "control",
         "post_initial": False, "refresh_minutes": 1, "recreate_minutes": 60, "alerts": False}]
    assert cfg["admins"] == [{"id": "334455667788990011", "note": "Max"}]
    assert cfg["tasks"] == [
        {"id": "6f1c2a3b-5d4e-4f60-8a7b-9c0d1e2f3a4b", "host": HOST, "container": "valheim",
         "action": "restart", "cycle": "weekly", "time": "04:00", "weekday": "mon",
         "timezone": "Europe/Berlin", "active": True}]
    # the report names what had no home in ddc, with its file and field
    for line in ("containers/valheim.json: info.protected_content:",
                 "containers/valheim.json: query_enabled:",
                 "channels/default.json: commands:",
                 "config.json: advanced_settings:",
                 "mech_state.json:"):
        assert line in r.stdout, r.stdout
    # one audited revision per section, author import-ddc
    audit = audit_entries(broker.data,
                          lambda e: sum(a["author"] == "import-ddc" for a in e) >= 7)
    by_import = {a["section"] for a in audit if a["author"] == "import-ddc"}
    assert by_import == {"bot", "web", "watchdog", "containers", "channels", "admins", "tasks"}
    assert "import-ddc" in broker.run_ctl("history").stdout
    # a second run changes nothing and succeeds
    before = rev(broker)
    r = imp(broker, folder)
    assert r.returncode == 0, r.stderr
    assert rev(broker) == before
    assert "already so in ddc:" in r.stdout


def test_dry_run_saves_nothing(broker, folder):
    write_folder(folder, full_v2())
    before = rev(broker)
    r = imp(broker, folder, "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert rev(broker) == before
    assert out["dry_run"] is True and out["saved"] == []
    assert out["sections"]["bot"]["token"] == "***"
    assert out["sections"]["web"]["password_hash"] == "***"
    assert out["sections"]["containers"][0]["name"] == "valheim"
    assert set(out["changes"]) == {"admins", "watchdog", "channels", "containers", "tasks",
                                   "bot", "web"}
    assert out["unchanged"] == ["spam"]
    assert "FAKE.TOKEN" not in r.stdout and werkzeug_hash() not in r.stdout
    # the text form prints the sections, then the report
    r = imp(broker, folder, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.lstrip().startswith('{\n  "sections"')
    assert "would save: admins watchdog channels containers tasks bot web" in r.stdout
    assert rev(broker) == before


def test_dry_run_without_a_broker(folder, tmp_path):
    write_folder(folder, full_v2())
    r = run_ctl(["import-ddc", str(folder), "--host", HOST, "--dry-run"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "would save:" in r.stdout
    # a real import needs the broker
    r = run_ctl(["import-ddc", str(folder), "--host", HOST], cwd=tmp_path)
    assert r.returncode == 2 and "no broker given" in r.stderr


# ---- 1.x and tokens ------------------------------------------------------------

def test_legacy_v1_config_with_encrypted_token(broker, folder):
    write_folder(folder, legacy_v1())
    r = imp(broker, folder)
    assert r.returncode == 0, r.stderr
    assert "DockerDiscordControl 1.x folder" in r.stdout
    assert "token set (decrypted)" in r.stdout
    cfg = config_file(broker)
    assert cfg["bot"]["token"] == TOKEN
    assert cfg["bot"]["language"] == "de"
    assert [(c["name"], c["display_name"], c["active"], c["allowed_actions"])
            for c in cfg["containers"]] == [
        ("test-container-1", "TestServer1", True, ["start", "stop", "restart"]),
        ("test-container-2", "TestServer2", True, [])]
    assert cfg["containers"][0]["info"]["text"] == "Test Server 1\n192.168.1.100:8080"
    assert cfg["channels"] == [{"id": "1187654321098765433", "name": "Test Channel",
                                "kind": "control", "post_initial": True,
                                "refresh_minutes": 5, "recreate_minutes": 0,
                                "alerts": False}]
    assert cfg["web"]["password_hash"] == werkzeug_hash()
    assert TOKEN not in r.stdout + r.stderr


def test_auth_json_overrides_the_token(broker, folder):
    files = full_v2()
    files["auth.json"] = {"bot_token": TOKEN, "encryption_enabled": True}
    write_folder(folder, files)
    r = imp(broker, folder)
    assert r.returncode == 0, r.stderr
    assert config_file(broker)["bot"]["token"] == TOKEN
    assert "auth.json: bot_token: used instead of config.json's bot_token" in r.stdout


# ---- broken folders ----------------------------------------------------------

def broken(name, content):
    def make(files):
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
        return files
    return make


@pytest.mark.parametrize("change, where", [
    (broken("config.json", '{"language": "en",}'),
     "config.json: not valid JSON: an unexpected character (a member name was expected) at "
     "line 1, column 19"),
    (broken("containers/valheim.json", {"docker_name": "valheim", "display_name": 7}),
     "containers/valheim.json: display_name: must be a string"),
    (broken("channels/12345.json", {"commands": {"serverstatus": True}}),
     "channels/12345.json: id must be a Discord snowflake"),
    (broken("tasks.json", [{"id": "t", "container": "ghost", "action": "stop",
                            "cycle": "daily", "schedule_details": {"time": "05:00"}}]),
     "tasks.json: [0].container: Container nas/ghost is not in the containers list"),
    (broken("admins.json", {"discord_admin_users": [334455667788990011]}),
     "admins.json: discord_admin_users[0]: must be a string"),
    (broken("config.json", None),
     "config.json: is missing"),
    (broken("containers/latin1.json", ""), "containers/latin1.json: not valid JSON: invalid UTF-8 in a string at line 1, column 21"),
])
def test_broken_folders_save_nothing(broker, folder, change, where):
    files = change(full_v2())
    write_folder(folder, files)
    if "containers/latin1.json" in files:
        (folder / "containers/latin1.json").write_bytes(b'{"docker_name": "caf\xe9"}')
    before = rev(broker)
    r = imp(broker, folder)
    assert r.returncode == 4, (r.stdout, r.stderr)
    assert where in r.stderr, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("ddc-ctl import-ddc: ") and "nothing was saved" in last
    assert rev(broker) == before


def test_missing_or_unreadable_folder(broker, folder):
    r = imp(broker, folder / "nope")
    assert r.returncode == 1
    assert r.stderr.strip().endswith("No such file or directory; nothing was saved")
    assert len(r.stderr.strip().splitlines()) == 1


def test_usage(broker, folder):
    assert broker.run_ctl("import-ddc").returncode == 2
    assert broker.run_ctl("import-ddc", str(folder), "--host", "bad host").returncode == 2
    r = broker.run_ctl("import-ddc", "--help")
    assert r.returncode == 0 and "--dry-run" in r.stdout and "--force" in r.stdout
    assert "import-ddc DIR" in broker.run_ctl("--help").stdout


# ---- ddc's own configuration ----------------------------------------------------

def test_existing_configuration_needs_force(broker, folder):
    write_folder(folder, full_v2())
    r = broker.run_ctl("set", "bot", "-", stdin=json.dumps(
        {"token": "my-own-token", "guild_id": "", "language": "de", "timezone": "UTC"}))
    assert r.returncode == 0, r.stderr
    r = broker.run_ctl("set", "admins", "-", stdin=json.dumps([{"id": "111111111111111111"}]))
    assert r.returncode == 0, r.stderr
    before = rev(broker)
    r = imp(broker, folder)
    assert r.returncode == 3, r.stderr
    assert "ddc already has its own bot.language, admins; nothing was saved" in r.stderr
    assert rev(broker) == before
    # --force replaces them, the token too; the old values stay in the history
    r = imp(broker, folder, "--force")
    assert r.returncode == 0, r.stderr
    cfg = config_file(broker)
    assert cfg["bot"]["token"] == "MTIzNDU2Nzg5.FAKE.TOKEN"
    assert cfg["admins"] == [{"id": "334455667788990011", "note": "Max"}]
    history = broker.run_ctl("history", "admins", "--json")
    assert [e["author"] for e in ok_json(history)][-1] == "import-ddc"
    assert len(ok_json(history)) == 2


def test_a_token_ddc_has_is_kept(broker, folder):
    write_folder(folder, full_v2())
    r = broker.run_ctl("set", "bot", "-", stdin=json.dumps(
        {"token": "my-own-token", "guild_id": "", "language": "en", "timezone": "UTC"}))
    assert r.returncode == 0
    r = imp(broker, folder)
    assert r.returncode == 0, r.stderr
    assert "bot.token: ddc already has a bot token: kept" in r.stdout
    cfg = config_file(broker)
    assert cfg["bot"]["token"] == "my-own-token"
    assert cfg["bot"]["timezone"] == "Europe/Berlin"


def test_a_refused_section_puts_the_saved_ones_back(folder):
    """The broker refuses the second section (a discord certificate may
    write only the admins): the admins saved first are put back."""
    keys = folder / "keys"
    (keys / "clients").mkdir(parents=True)
    r = run_ctl(["keygen", "bot", "--role", "discord", "--dir", str(folder / "mine")])
    assert r.returncode == 0, r.stderr
    shutil.copy(folder / "mine" / "bot.cert", keys / "clients" / "bot.cert")
    cert = ["--cert", str(folder / "mine" / "bot.cert"), "--broker-cert", str(keys / "broker.cert")]
    b = Broker(folder.parent, keys=(keys, cert)).start()
    try:
        src = folder / "ddc"
        write_folder(src, full_v2())
        r = imp(b, src)
        assert r.returncode == 1, (r.stdout, r.stderr)
        assert "admins      revision" in r.stdout
        assert "put back as they were: admins" in r.stdout
        assert "does not let this client save watchdog" in r.stderr
        assert "the sections saved before were put back as they were" in r.stderr
        cfg = config_file(b)
        assert cfg["admins"] == []
        authors = [a["author"] for a in audit_entries(b.data, lambda e: len(e) >= 2)]
        assert authors == ["import-ddc", "import-ddc (undo)"]
    finally:
        b.stop()


# ---- the web UI with the imported password ----------------------------------------

def test_web_sign_in_with_the_imported_werkzeug_hash(folder, tmp_path):
    b = Broker(str(tmp_path)).start()
    w = Web(str(tmp_path), b)
    try:
        write_folder(folder, full_v2())
        r = run_ctl(["import-ddc", str(folder), "--host", HOST], endpoint=b.ctl)
        assert r.returncode == 0, r.stderr
        w.start()
        assert Http(w.port).post("/login", {"password": "Wrong-Password-1"}).status == 401
        http = Http(w.port)
        assert http.post("/login", {"password": PASSWORD}).status == 303
        assert http.get("/containers").status == 200
        wait_for(lambda: b.config()["web"]["password_hash"].startswith("$argon2id$"),
                 timeout=10, what="ddc-web to replace the werkzeug hash")
    finally:
        w.stop()
        b.stop()
