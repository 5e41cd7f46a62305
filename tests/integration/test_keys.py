"""Keys that explain themselves, and files where an operator looks for them,
with the real programs and a real broker over tcp:// with CURVE:

- every program takes its certificates from DDC_CERT / DDC_BROKER_CERT as
  from --cert / --broker-cert, a flag winning over its variable; the broker
  takes DDC_DATA, DDC_KEYS and DDC_INSECURE;
- a tcp:// endpoint without certificates stops every program at start with
  one line (exit 2), unless --insecure or DDC_INSECURE=1;
- a client whose certificate the broker refuses says so in its log, in
  ddc-ctl status (its "link" report, once accepted) and ddc-web's /health,
  and takes a certificate copied to the broker later without a restart;
- ddc-docker, ddc-discord, ddc-web and ddc-ctl started from a folder leave
  nothing in it; the agent's and the bot's files go to DDC_DATA.
"""
import json
import os
import shutil
import stat
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import Broker, Proc, bin_path, free_port, wait_for

CLIENT_ENV = ("DDC_BROKER", "DDC_CERT", "DDC_BROKER_CERT", "DDC_INSECURE", "DDC_DATA",
              "DDC_KEYS", "XDG_STATE_HOME")


def clean_env(tmp, **extra):
    env = {k: v for k, v in os.environ.items() if k not in CLIENT_ENV}
    env["HOME"] = os.path.join(tmp, "home")
    env.update(extra)
    return env


def keygen(dirname, name, role, instances=None):
    args = [bin_path("ddc-ctl"), "keygen", name, "--role", role, "--dir", dirname]
    if instances:
        args += ["--instances", instances]
    r = subprocess.run(args, capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    return os.path.join(dirname, f"{name}.cert")


class CurveBroker:
    """A broker on tcp:// with CURVE, set up from the environment only, and
    an operator's ddc-ctl certificate."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.data = os.path.join(tmp, "data")
        self.keys = os.path.join(tmp, "broker-keys")
        self.certs = os.path.join(tmp, "certs")
        os.makedirs(os.path.join(tmp, "home"), exist_ok=True)
        self.endpoint = f"tcp://127.0.0.1:{free_port()}"
        pub = f"tcp://127.0.0.1:{free_port()}"
        # no flag for the data and key folders: DDC_DATA and DDC_KEYS
        self.proc = Proc([bin_path("ddc-broker"), "--ctl", self.endpoint, "--pub", pub],
                         os.path.join(tmp, "broker.log"),
                         env={"DDC_DATA": self.data, "DDC_KEYS": self.keys})
        self.broker_cert = os.path.join(self.keys, "broker.cert")
        wait_for(lambda: os.path.exists(self.broker_cert), timeout=15, what="broker key")
        self.op = keygen(self.certs, "op", "ctl", "*")
        self.allow(self.op)

    def allow(self, cert):
        shutil.copy(cert, os.path.join(self.keys, "clients", os.path.basename(cert)))

    def ctl(self, *args):
        env = clean_env(self.tmp, DDC_BROKER=self.endpoint, DDC_CERT=self.op,
                        DDC_BROKER_CERT=self.broker_cert)
        return subprocess.run([bin_path("ddc-ctl"), *args], capture_output=True, text=True,
                              timeout=30, env=env)

    def peers(self):
        r = self.ctl("status", "--json")
        assert r.returncode == 0, r.stderr
        return {p["name"]: p for p in json.loads(r.stdout)["peers"]}

    def connected(self, name, role):
        def check():
            p = self.peers().get(name)
            return p if p and p["connected"] and p["role"] == role else None
        return wait_for(check, timeout=30, step=0.3, what=f"{name} connected")


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="ddc-keys-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def start(tmp, name, args, env):
    """A program with exactly env, started from the empty folder cwd-NAME."""
    cwd = os.path.join(tmp, f"cwd-{name}")
    os.makedirs(cwd, exist_ok=True)
    return Proc(args, os.path.join(tmp, f"{name}.log"), env=env, cwd=cwd, inherit_env=False)


def web_port_args(tmp):
    port = free_port()
    return port, ["--listen", f"127.0.0.1:{port}", "--instance", "main",
                  "--pidfile", os.path.join(tmp, f"web-{port}.pid")]


def health(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        return json.loads(e.read())
    except OSError:
        return None


# ---- the command line: tcp:// needs certificates ----------------------------------

def test_tcp_without_certificates_stops_every_program(tmp):
    os.makedirs(os.path.join(tmp, "home"))
    port_args = web_port_args(tmp)[1]
    programs = {
        "ddc-docker": ["--host", "nas"],
        "ddc-discord": ["--instance", "main"],
        "ddc-web": port_args,
        "ddc-ctl": ["ping"],
    }
    for program, extra in programs.items():
        env = clean_env(tmp, DDC_BROKER="tcp://127.0.0.1:1", DDC_DATA=os.path.join(tmp, "d"))
        r = subprocess.run([bin_path(program), *extra], capture_output=True, text=True,
                           timeout=20, env=env, cwd=tmp)
        assert r.returncode == 2, (program, r.returncode, r.stderr)
        first = r.stderr.splitlines()[0]
        assert "needs CURVE certificates" in first and "--insecure" in first, r.stderr
        assert first.startswith(f"{program}"), r.stderr
        # half a pair, from the environment
        env["DDC_CERT"] = "/x/a.cert"
        r = subprocess.run([bin_path(program), *extra], capture_output=True, text=True,
                           timeout=20, env=env, cwd=tmp)
        assert r.returncode == 2 and "DDC_BROKER_CERT" in r.stderr, (program, r.stderr)
        # certificates for ipc://, where the broker has no CURVE
        env.update(DDC_BROKER=f"ipc://{tmp}/ctl.sock", DDC_BROKER_CERT="/x/b.cert")
        r = subprocess.run([bin_path(program), *extra], capture_output=True, text=True,
                           timeout=20, env=env, cwd=tmp)
        assert r.returncode == 2 and "no CURVE" in r.stderr, (program, r.stderr)
        # a yes/no that is neither
        env = clean_env(tmp, DDC_BROKER="tcp://127.0.0.1:1", DDC_INSECURE="perhaps")
        r = subprocess.run([bin_path(program), *extra], capture_output=True, text=True,
                           timeout=20, env=env, cwd=tmp)
        assert r.returncode == 2 and "DDC_INSECURE" in r.stderr, (program, r.stderr)
        help_text = subprocess.run([bin_path(program), "--help"], capture_output=True,
                                   text=True, timeout=10).stdout
        for name in ("DDC_BROKER", "DDC_CERT", "DDC_BROKER_CERT", "DDC_INSECURE", "--insecure"):
            assert name in help_text, (program, name)
    assert os.listdir(tmp) == ["home"], os.listdir(tmp)


def test_unloadable_certificate_stops_every_program(tmp):
    """Certificates named but not there: every program exits 1 with the
    reason (ddc-web in its parent, before a worker starts; it used to stop
    with status 0 once its worker failed)."""
    os.makedirs(os.path.join(tmp, "home"))
    programs = {
        "ddc-docker": ["--host", "nas"],
        "ddc-discord": ["--instance", "main"],
        "ddc-web": web_port_args(tmp)[1],
        "ddc-ctl": ["ping"],
    }
    for program, extra in programs.items():
        env = clean_env(tmp, DDC_BROKER="tcp://127.0.0.1:1", DDC_DATA=os.path.join(tmp, "d"),
                        DDC_CERT=os.path.join(tmp, "none.cert"),
                        DDC_BROKER_CERT=os.path.join(tmp, "broker.cert"))
        r = subprocess.run([bin_path(program), *extra], capture_output=True, text=True,
                           timeout=20, env=env, cwd=tmp)
        assert r.returncode == 1, (program, r.returncode, r.stdout, r.stderr)
        assert f"cannot load the certificate {tmp}/none.cert" in r.stderr or \
            f"cannot load the client certificate {tmp}/none.cert" in r.stderr, (program, r.stderr)
        if program == "ddc-web":
            assert r.stderr.strip().splitlines() == [
                f"ddc-web: cannot load the client certificate {tmp}/none.cert "
                "(and its _secret file)"], r.stderr


def test_insecure_plain_tcp_when_asked(tmp):
    """--insecure or DDC_INSECURE=1 on both sides: plain TCP, as asked."""
    os.makedirs(os.path.join(tmp, "home"))
    ctl, pub = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    b = Proc([bin_path("ddc-broker"), "--data", os.path.join(tmp, "data"), "--ctl", ctl,
              "--pub", pub], os.path.join(tmp, "broker.log"), env={"DDC_INSECURE": "1"})
    env = clean_env(tmp, DDC_BROKER=ctl)
    wait_for(lambda: subprocess.run([bin_path("ddc-ctl"), "--insecure", "ping"], env=env,
                                    capture_output=True, timeout=20).returncode == 0,
             timeout=15, what="the insecure broker")
    a = start(tmp, "docker", [bin_path("ddc-docker"), "--host", "plain"],
              clean_env(tmp, DDC_BROKER=ctl, DDC_INSECURE="yes",
                        DDC_DATA=os.path.join(tmp, "agent")))

    def seen():
        r = subprocess.run([bin_path("ddc-ctl"), "status", "--json"], env=dict(
            env, DDC_INSECURE="1"), capture_output=True, text=True, timeout=20)
        peers = json.loads(r.stdout)["peers"] if r.returncode == 0 else []
        return any(p["name"] == "docker@plain" and p["connected"] for p in peers)
    wait_for(seen, timeout=20, step=0.3, what="docker@plain over plain TCP")
    assert a.stop() == 0 and b.stop() == 0


# ---- certificates from the environment, flags winning ------------------------------

def test_certificates_from_the_environment(tmp):
    b = CurveBroker(tmp)
    # the broker took its folders from DDC_DATA and DDC_KEYS
    assert os.path.exists(os.path.join(b.data, "config.json"))
    assert os.path.exists(os.path.join(b.keys, "clients"))
    nas = keygen(b.certs, "nas", "docker")
    bot = keygen(b.certs, "bot", "discord", "main")
    web = keygen(b.certs, "web", "web", "main")
    stranger = keygen(b.certs, "stranger", "docker", "nas")
    for cert in (nas, bot, web):
        b.allow(cert)
    base = dict(DDC_BROKER=b.endpoint, DDC_BROKER_CERT=b.broker_cert)
    # a flag wins: the environment names a stranger, --cert the agent's own
    agent = start(tmp, "docker", [bin_path("ddc-docker"), "--host", "nas", "--cert", nas],
                  clean_env(tmp, DDC_CERT=stranger, DDC_DATA=os.path.join(tmp, "agent"), **base))
    discord = start(tmp, "discord", [bin_path("ddc-discord"), "--instance", "main"],
                    clean_env(tmp, DDC_CERT=bot, DDC_DATA=os.path.join(tmp, "bot"), **base))
    port, args = web_port_args(tmp)
    webp = start(tmp, "web", [bin_path("ddc-web"), *args],
                 clean_env(tmp, DDC_CERT=web, **base))
    b.connected("docker@nas", "docker")
    b.connected("discord@main", "discord")
    b.connected("web@main", "web")
    assert wait_for(lambda: (health(port) or {}).get("broker") is True, timeout=20,
                    what="/health")
    assert "broker_refused" not in health(port)
    # the SUB sockets' handshakes too: a change reaches each of them live
    r = subprocess.run([bin_path("ddc-ctl"), "set", "docker", "-"], input=json.dumps(
        json.loads(b.ctl("get", "docker").stdout)["value"] | {"stats_interval_seconds": 7}),
        capture_output=True, text=True, timeout=30, env=clean_env(
            tmp, DDC_BROKER=b.endpoint, DDC_CERT=b.op, DDC_BROKER_CERT=b.broker_cert))
    assert r.returncode == 0, r.stderr
    rev = json.loads(r.stdout)["rev"]
    wait_for(lambda: f"applied docker rev {rev}" in agent.text()
             and f"applied docker rev {rev}" in discord.text(), timeout=3,
             what="the change over the SUB sockets")
    for p in (agent, discord, webp):
        assert "refused" not in p.text(), p.text()
    for p in (agent, discord, webp):
        assert p.stop() == 0
    for name in ("docker", "discord", "web"):
        assert os.listdir(os.path.join(tmp, f"cwd-{name}")) == [], name
    assert b.proc.stop() == 0


# ---- a refused certificate says so ------------------------------------------------------

def test_refused_certificate_is_said_and_healed(tmp):
    b = CurveBroker(tmp)
    nas = keygen(b.certs, "nas", "docker")
    web = keygen(b.certs, "web", "web", "main")
    bot = keygen(b.certs, "bot", "discord", "main")
    base = dict(DDC_BROKER=b.endpoint, DDC_BROKER_CERT=b.broker_cert)
    started = time.monotonic()
    agent = start(tmp, "docker", [bin_path("ddc-docker"), "--host", "nas"],
                  clean_env(tmp, DDC_CERT=nas, DDC_DATA=os.path.join(tmp, "agent"), **base))
    discord = start(tmp, "discord", [bin_path("ddc-discord"), "--instance", "main"],
                    clean_env(tmp, DDC_CERT=bot, DDC_DATA=os.path.join(tmp, "bot"), **base))
    port, args = web_port_args(tmp)
    webp = start(tmp, "web", [bin_path("ddc-web"), *args], clean_env(tmp, DDC_CERT=web, **base))
    for p in (agent, discord, webp):
        wait_for(lambda: "the broker refused this certificate (" in p.text(), timeout=10,
                 what=f"{p.args[0]} to say its certificate is refused")
    assert time.monotonic() - started < 10
    text = agent.text()
    assert "nas.cert" in text and b.endpoint in text and "clients/" in text
    # after 3 s the agent runs on: the reason is the refusal, not "unreachable"
    wait_for(lambda: "running on the last good configuration" in agent.text(), timeout=10,
             what="the agent's disconnected line")
    down = [l for l in agent.text().splitlines() if "running on the last good" in l]
    assert all("refused this certificate" in l and "unreachable" not in l for l in down), down
    h = wait_for(lambda: (lambda x: x if x and "broker_refused" in x else None)(health(port)),
                 timeout=10, what="/health broker_refused")
    assert h["broker"] is False and "web.cert" in h["broker_refused"]
    # the operator copies the certificates to the broker: taken up without a
    # restart (libzmq gave up, the client dials again)
    copied = time.monotonic()
    for cert in (nas, web, bot):
        b.allow(cert)
    b.connected("docker@nas", "docker")
    b.connected("discord@main", "discord")
    b.connected("web@main", "web")
    print(f"taken up {time.monotonic() - copied:.1f} s after the copy")
    assert wait_for(lambda: (health(port) or {}).get("broker") is True, timeout=20,
                    what="/health up")
    assert "broker_refused" not in health(port)
    # ddc-ctl status shows the last refusal, from the agent's "link" report
    wait_for(lambda: "accepted again, refused at" in b.ctl("status").stdout, timeout=10,
             what="the link report")
    out = b.ctl("status").stdout
    assert "the broker refused this certificate (" in out and "nas.cert" in out, out
    link = b.peers()["docker@nas"]["status"]["link"]
    assert link["ctl"]["refused"] is False and "nas.cert" in link["ctl"]["reason"]
    for p in (agent, discord, webp):
        assert p.stop() == 0
    assert b.proc.stop() == 0


# ---- files where an operator looks for them ---------------------------------------------

def test_files_go_to_the_data_folder_not_the_working_folder(tmp):
    """Started from a folder, without --cache, --audit or --state: nothing
    is written there; the agent's and the bot's files are in DDC_DATA
    (created, mode 0700) or --data, named in the first log line."""
    os.makedirs(os.path.join(tmp, "home"))
    b = Broker(tmp).start()
    data = os.path.join(tmp, "state", "ddc")           # its parent does not exist yet
    agent = start(tmp, "docker", [bin_path("ddc-docker"), "--host", "nas"],
                  clean_env(tmp, DDC_BROKER=b.ctl, DDC_DATA=data))
    bot_data = os.path.join(tmp, "bot-data")
    discord = start(tmp, "discord", [bin_path("ddc-discord"), "--instance", "main",
                                     "--data", bot_data],
                    clean_env(tmp, DDC_BROKER=b.ctl, DDC_DATA=data))   # --data wins
    port, args = web_port_args(tmp)
    webp = start(tmp, "web", [bin_path("ddc-web"), *args], clean_env(tmp, DDC_BROKER=b.ctl))
    wait_for(lambda: os.path.exists(os.path.join(data, "docker-nas.cache.json"))
             and os.path.exists(os.path.join(bot_data, "discord.cache.json")),
             timeout=20, what="the caches")
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(bot_data).st_mode) == 0o700
    # an action lands in the audit log beside the cache
    r = subprocess.run([bin_path("ddc-ctl"), "action", "nas/nothing-here", "status"],
                       capture_output=True, text=True, timeout=30,
                       env=clean_env(tmp, DDC_BROKER=b.ctl), cwd=os.path.join(tmp, "cwd-docker"))
    assert r.returncode in (0, 1), r.stderr
    first = agent.text().splitlines()
    assert any(f"data {data}" in l and f"{data}/docker-nas.audit.log" in l for l in first)
    assert any(f"data {bot_data}" in l and f"{bot_data}/discord.state.json" in l
               for l in discord.text().splitlines())
    assert not os.path.exists(os.path.join(data, "discord.cache.json"))
    for p in (agent, discord, webp):
        assert p.stop() == 0
    for name in ("docker", "discord", "web"):
        assert os.listdir(os.path.join(tmp, f"cwd-{name}")) == [], name
    # nothing went to the home folder either
    assert os.listdir(os.path.join(tmp, "home")) == []
    b.stop()


def test_unwritable_data_folder_is_a_clear_error(tmp):
    os.makedirs(os.path.join(tmp, "home"))
    blocker = os.path.join(tmp, "a-file")
    open(blocker, "w").close()
    for program, extra in (("ddc-docker", ["--host", "nas"]), ("ddc-discord", [])):
        r = subprocess.run([bin_path(program), *extra], capture_output=True, text=True,
                           timeout=20, cwd=tmp,
                           env=clean_env(tmp, DDC_BROKER=f"ipc://{tmp}/ctl.sock",
                                         DDC_DATA=os.path.join(blocker, "ddc")))
        assert r.returncode == 1, (program, r.stderr)
        assert "cannot create the data folder" in r.stderr and "a-file" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
