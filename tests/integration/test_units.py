"""The systemd units in deploy/systemd and deploy/README.md agree, and each
unit's own command line starts its program as documented, over ipc:// and
over tcp:// with CURVE.

How a unit is run here without systemd: its [Service] ExecStart (continued
lines joined) and Environment= lines are taken as they are, plus, for
tcp://, the drop-in that the unit's header comment shows (ddc-docker,
ddc-discord, ddc-web) or that deploy/README.md section 5 shows (ddc-broker's
ExecStart). Only the fixed paths, names and ports are then mapped to the
test's own, by plain text substitution:

    /usr/local/bin/          the programs under test (DDC_BIN)
    /var/lib/ddc             a temporary data folder (StateDirectory=)
    /run/ddc-web             a temporary folder (RuntimeDirectory=)
    /etc/ddc                 a temporary folder with the certificates, made
                             by `ddc-ctl keygen` for the names the drop-ins use
    %H (systemd's host name) "unithost"
    tcp://HOST:PORT          tcp://127.0.0.1:FREE, for the broker's two ports
                             of README section 5 (any other port fails)
    127.0.0.1:9374           127.0.0.1:FREE (ddc-web's --listen)

Every other word of the command lines and environments is used unchanged.
User=, Group= and the hardening settings are not applied (the test runs as
whoever runs it), and the programs get no other DDC_* variable. Each is
started from an empty folder of its own, which must stay empty.
"""
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile

import pytest

from conftest import BIN, ROOT, bin_path, free_port, wait_for

UNITS = os.path.join(ROOT, "deploy", "systemd")
README = os.path.join(ROOT, "deploy", "README.md")
CLIENTS = ("ddc-docker", "ddc-discord", "ddc-web")
ROLE = {"ddc-docker": "docker", "ddc-discord": "discord", "ddc-web": "web"}
HOST = "unithost"


# ---- reading the units and the README ---------------------------------------

def parse_unit(text):
    """A unit file: its header (the comment lines before the first section)
    and its [Section] -> [(key, value)]."""
    comments, sections, current, pending = [], {}, None, ""
    for raw in text.splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1].rstrip() + " "
            continue
        if not line:
            continue
        if line.startswith("#") or line.startswith(";"):
            if current is None:
                comments.append(raw)
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            current = sections.setdefault(m.group(1), [])
            continue
        key, _, value = line.partition("=")
        assert current is not None, f"{line!r} outside a section"
        current.append((key.strip(), value.strip()))
    return comments, sections


def comment_dropin(comments):
    """The [Service] drop-in that a unit's header comment shows, indented."""
    out, inside = [], False
    for raw in comments:
        body = raw[1:]
        if body.strip() == "[Service]" and body.startswith("   "):
            inside = True
            continue
        if inside:
            if not body.startswith("   ") or not body.strip():
                break
            key, _, value = body.strip().partition("=")
            out.append((key, value))
    return out


def readme_sections():
    """deploy/README.md's numbered sections: {N: (title, text)}."""
    text = open(README).read()
    parts = re.split(r"^## (\d+)\. (.*)$", text, flags=re.M)
    return {int(parts[i]): (parts[i + 1], parts[i + 2]) for i in range(1, len(parts), 3)}


def readme_broker_dropin(sections):
    """README section 5's drop-in for ddc-broker: its ExecStart line."""
    for block in re.findall(r"```ini\n(.*?)```", sections[5][1], flags=re.S):
        starts = [line.partition("=")[2] for line in block.splitlines()
                  if line.startswith("ExecStart=")]
        if starts and "ddc-broker" in starts[-1]:
            return starts[-1]
    pytest.fail("deploy/README.md section 5 shows no drop-in for ddc-broker")


def readme_ctl_exports(sections):
    """README section 5's `export DDC_...=...` lines for ddc-ctl."""
    out = {}
    for line in sections[5][1].splitlines():
        m = re.match(r"export (DDC_\w+)=(\S+)", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def env_list(pairs):
    """Environment= values as a dict (one assignment a line, as ours are)."""
    out = {}
    for key, value in pairs:
        if key == "Environment":
            for word in shlex.split(value):
                name, _, val = word.partition("=")
                out[name] = val
    return out


def exec_start(pairs):
    starts = [v for k, v in pairs if k == "ExecStart"]
    assert starts, "no ExecStart"
    return starts[-1].lstrip("-@:+!")


def units():
    out = {}
    for name in sorted(os.listdir(UNITS)):
        if name.endswith(".service"):
            comments, sections = parse_unit(open(os.path.join(UNITS, name)).read())
            out[name[:-len(".service")]] = (comments, sections)
    return out


def ports(text):
    return [int(p) for p in re.findall(r"tcp://[^\s:/]+:(\d+)", text)]


# ---- the agreement ------------------------------------------------------------

def test_units_agree_with_readme():
    sections = readme_sections()
    readme = open(README).read()
    broker_start = readme_broker_dropin(sections)
    ctl_port, pub_port = (int(re.search(rf"--{s} tcp://\S+?:(\d+)", broker_start).group(1))
                          for s in ("ctl", "pub"))
    found = units()
    assert set(found) == {"ddc-broker", *CLIENTS}
    for program, (comments, unit) in found.items():
        assert f"{program}.service" in readme, f"deploy/README.md never names {program}.service"
        header = "\n".join(comments)
        # Every section the unit points to exists and is about this program.
        refs = [int(n) for n in re.findall(r"[Ss]ections? (\d+)", header)]
        assert refs, f"{program}.service points to no section of deploy/README.md"
        for n in refs:
            assert n in sections, f"{program}.service: deploy/README.md has no section {n}"
            assert program in sections[n][1], \
                f"{program}.service: section {n} ({sections[n][0]}) does not mention {program}"
        # Every tcp:// port it names is the broker's, as the README sets it up.
        for port in ports(header) + ports(" ".join(v for _, v in unit["Service"])):
            assert port in (ctl_port, pub_port), \
                f"{program}.service uses port {port}; the README's broker listens on " \
                f"{ctl_port} and {pub_port}"
        # Every variable it sets is documented and known to the program.
        help_text = subprocess.run([bin_path(program), "--help"], capture_output=True,
                                   text=True, timeout=10).stdout
        dropin = comment_dropin(comments)
        names = set(env_list(unit["Service"])) | set(env_list(dropin))
        table = sections[5][1]
        for name in names:
            assert f"`{name}" in table, f"{name} ({program}.service) is not in section 5's table"
            assert name in help_text, f"{program} --help does not mention {name}"
        if program in CLIENTS:
            env = env_list(dropin)
            assert set(env) == {"DDC_BROKER", "DDC_CERT", "DDC_BROKER_CERT"}, \
                f"{program}.service shows no complete tcp:// drop-in"
            assert ports(env["DDC_BROKER"]) == [ctl_port]
    # The broker's unit names the README's ports.
    named = re.search(r"ports (\d+) and (\d+)", " ".join(
        line.lstrip("# ") for line in found["ddc-broker"][0]))
    assert named and (int(named.group(1)), int(named.group(2))) == (ctl_port, pub_port)
    # ddc-web listens where section 6's proxy sends the requests.
    listen = re.search(r"--listen (\S+)", exec_start(found["ddc-web"][1]["Service"])).group(1)
    assert f"proxy_pass http://{listen};" in sections[6][1]
    assert f"reverse_proxy {listen}" in sections[6][1]


# ---- running the units ----------------------------------------------------------

class Host:
    """The temporary folders standing in for the unit's fixed ones."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.data = os.path.join(tmp, "var-lib-ddc")
        self.run = os.path.join(tmp, "run-ddc-web")
        self.etc = os.path.join(tmp, "etc-ddc")
        self.home = os.path.join(tmp, "home")
        for d in (self.data, self.run, self.etc, self.home):
            os.makedirs(d, mode=0o700)
        self.port_map = {}
        self.procs = {}

    def map_port(self, port):
        return self.port_map.setdefault(port, free_port())

    def subst(self, text):
        text = text.replace("/usr/local/bin/", BIN + "/")
        text = text.replace("/var/lib/ddc", self.data)
        text = text.replace("/run/ddc-web", self.run)
        text = text.replace("/etc/ddc", self.etc)
        text = text.replace("%H", HOST)
        text = text.replace("127.0.0.1:9374", f"127.0.0.1:{self.map_port(9374)}")

        def tcp(m):
            port = int(m.group(1))
            assert port in self.port_map, f"port {port} is not one the broker listens on"
            return f"tcp://127.0.0.1:{self.port_map[port]}"
        text = re.sub(r"tcp://[^\s:/]+:(\d+)", tcp, text)
        assert "%" not in text, f"a systemd specifier is left in {text!r}"
        return text

    def env(self, extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("DDC_") and k != "XDG_STATE_HOME"}
        env["HOME"] = self.home
        env.update({k: self.subst(v) for k, v in extra.items()})
        return env

    def start(self, name, command, env):
        """Start a command line from an empty folder of its own."""
        cwd = tempfile.mkdtemp(prefix=f"cwd-{name}-", dir=self.tmp)
        args = shlex.split(self.subst(command))
        log = os.path.join(self.tmp, f"{name}.log")
        p = subprocess.Popen(args, cwd=cwd, env=self.env(env), stdin=subprocess.DEVNULL,
                             stdout=open(log, "ab"), stderr=subprocess.STDOUT)
        self.procs[name] = (p, cwd, log)
        return p

    def log(self, name):
        return open(self.procs[name][2], errors="replace").read()

    def stop_all(self):
        """SIGTERM, clients first; each must stop cleanly and leave its folder empty."""
        order = [n for n in self.procs if n != "ddc-broker"] + \
                [n for n in self.procs if n == "ddc-broker"]
        for name in order:
            p, cwd, _ = self.procs[name]
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                rc = "killed"
            assert rc == 0, f"{name} exited with {rc}:\n{self.log(name)[-2000:]}"
            assert os.listdir(cwd) == [], f"{name} wrote into its working folder: {os.listdir(cwd)}"
        self.procs.clear()

    def kill_all(self):
        for p, _, _ in self.procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()


def keygen(host, name, role, instances=None):
    extra = ["--instances", instances] if instances else []
    r = subprocess.run([bin_path("ddc-ctl"), "keygen", name, "--role", role, *extra, "--dir",
                        host.etc], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr


def ctl_status(env):
    return subprocess.run([bin_path("ddc-ctl"), "--timeout", "3", "status", "--json"],
                          capture_output=True, text=True, timeout=30, env=env)


def peers(env):
    r = ctl_status(env)
    if r.returncode != 0:
        return None
    return {p["name"]: p for p in json.loads(r.stdout)["peers"]}


def wait_broker(ctl_env, host):
    """ddc-ctl status answers; else the broker's log and ddc-ctl's last words."""
    try:
        wait_for(lambda: peers(ctl_env) is not None, timeout=20, step=0.2, what="the broker")
    except AssertionError:
        r = ctl_status(ctl_env)
        raise AssertionError(f"ddc-ctl status: exit {r.returncode}: {r.stderr.strip()}\n"
                             f"--- ddc-broker\n{host.log('ddc-broker')[-2000:]}")


def expected_peers(found, host):
    """docker@HOST, discord@INSTANCE, web@INSTANCE from the units' own options."""
    want = {}
    for program in CLIENTS:
        words = shlex.split(host.subst(exec_start(found[program][1]["Service"])))
        flag = "--host" if program == "ddc-docker" else "--instance"
        want[program] = f"{ROLE[program]}@{words[words.index(flag) + 1]}"
    return want


def wait_connected(ctl_env, want, host):
    def check():
        table = peers(ctl_env)
        return table if table and all(
            n in table and table[n]["connected"] and table[n]["role"] == n.split("@")[0]
            for n in want.values()) else None
    try:
        return wait_for(check, timeout=30, step=0.3, what="the units' services to connect")
    except AssertionError:
        logs = "\n".join(f"--- {n}\n{host.log(n)[-1500:]}" for n in host.procs)
        raise AssertionError(f"not connected: {peers(ctl_env)}\n{logs}")


@pytest.fixture
def host():
    tmp = tempfile.mkdtemp(prefix="ddc-units-")
    h = Host(tmp)
    yield h
    h.kill_all()
    shutil.rmtree(tmp, ignore_errors=True)


def test_units_start_over_ipc(host):
    """The units as installed: every service on the broker's host, ipc://."""
    found = units()
    b_comments, b_unit = found["ddc-broker"]
    host.start("ddc-broker", exec_start(b_unit["Service"]), env_list(b_unit["Service"]))
    ctl_env = host.env({"DDC_BROKER": "ipc:///var/lib/ddc/ctl.sock"})
    wait_broker(ctl_env, host)
    for program in CLIENTS:
        unit = found[program][1]["Service"]
        host.start(program, exec_start(unit), env_list(unit))
    want = expected_peers(found, host)
    wait_connected(ctl_env, want, host)
    # the agent's and the bot's files are in the data folder, and named in
    # their first log line
    wait_for(lambda: os.path.exists(os.path.join(host.data, f"docker-{HOST}.cache.json"))
             and os.path.exists(os.path.join(host.data, "discord.cache.json")),
             timeout=10, what="the caches in DDC_DATA")
    assert f"data {host.data}" in host.log("ddc-docker")
    assert f"data {host.data}" in host.log("ddc-discord")
    host.stop_all()


def test_units_start_over_tcp_with_curve(host):
    """The drop-ins of the units and the README: tcp:// with CURVE,
    certificates made with ddc-ctl keygen; each service is the role its
    certificate says."""
    found = units()
    sections = readme_sections()
    broker_start = readme_broker_dropin(sections)
    for port in ports(broker_start):
        host.map_port(port)
    b_unit = found["ddc-broker"][1]["Service"]
    host.start("ddc-broker", broker_start, env_list(b_unit))
    keys = os.path.join(host.data, "keys")
    wait_for(lambda: os.path.exists(os.path.join(keys, "broker.cert")), timeout=20,
             what="the broker's key")
    want = expected_peers(found, host)
    envs = {}
    for program in CLIENTS:
        unit = found[program][1]["Service"]
        env = {**env_list(unit), **env_list(comment_dropin(found[program][0]))}
        envs[program] = env
        cert = host.subst(env["DDC_CERT"])
        broker_cert = host.subst(env["DDC_BROKER_CERT"])
        if not os.path.exists(broker_cert):
            shutil.copy(os.path.join(keys, "broker.cert"), broker_cert)
        name = os.path.basename(cert)[:-len(".cert")]
        keygen(host, name, ROLE[program], want[program].split("@")[1])
        shutil.copy(cert, os.path.join(keys, "clients", os.path.basename(cert)))
    # ddc-ctl as section 5 exports it, with an operator's certificate
    exports = readme_ctl_exports(sections)
    assert set(exports) == {"DDC_BROKER", "DDC_CERT", "DDC_BROKER_CERT"}
    ctl_cert = host.subst(exports["DDC_CERT"])
    keygen(host, os.path.basename(ctl_cert)[:-len(".cert")], "ctl")     # as section 5 does
    shutil.copy(ctl_cert, os.path.join(keys, "clients"))
    ctl_env = host.env(exports)
    wait_broker(ctl_env, host)
    for program in CLIENTS:
        unit = found[program][1]["Service"]
        host.start(program, exec_start(unit), envs[program])
    table = wait_connected(ctl_env, want, host)
    assert all(table[n]["role"] == ROLE[p] for p, n in want.items())
    for program in CLIENTS:
        assert "refused" not in host.log(program), host.log(program)
    host.stop_all()
