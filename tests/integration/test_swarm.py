"""deploy/stack.yaml on a single-node Docker Swarm: a dockerd this test
starts itself (its own --data-root, --exec-root, socket and pidfile, so the
machine's engine and its swarm state are never touched), `docker swarm
init`, the session's image loaded with docker save | docker load, the
certificates made by deploy/swarm-certs.sh, then `docker stack deploy`.
Checked: every task turns healthy, the global agent registers under the
node's name, CURVE is on (a client without a known certificate gets
nothing), and one session, set up on one web replica with the broker's
setup code, is good on all three.

The private engine runs without iptables and without IPVS, so Swarm's
routing mesh does not forward here; each web replica is reached directly,
from inside its own network namespace (nsenter), on 127.0.0.1:9374.
"""
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import ROOT, docker_cmd, free_port, wait_for

STACK = "ddct"
PASSWORD = "Correct-Horse-42"


def free_udp_port():
    """A free UDP port in 1024-49151, the range Swarm takes for VXLAN."""
    for port in random.sample(range(20000, 49151), 200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("0.0.0.0", port))
                return port
            except OSError:
                continue
    raise AssertionError("no free UDP port")


class Engine:
    """A private dockerd in swarm mode; everything of it lives in self.dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ddc-swarm-", dir="/tmp")
        self.sock = f"unix://{self.dir}/docker.sock"
        self.pidfile = os.path.join(self.dir, "docker.pid")
        self.log = open(os.path.join(self.dir, "dockerd.log"), "ab")
        self.gwbridge_before = os.path.exists("/sys/class/net/docker_gwbridge")
        dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
        self.proc = subprocess.Popen(
            [dockerd, "--data-root", f"{self.dir}/root", "--exec-root", f"{self.dir}/exec",
             "--host", self.sock, "--pidfile", self.pidfile, "--bridge=none",
             "--iptables=false", "--ip-forward=false"],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for(lambda: self.docker("version", check=False).returncode == 0 or self.dead(),
                 timeout=60, step=0.2, what="the private dockerd")
        assert not self.dead(), self.log_text()

    def dead(self):
        return self.proc.poll() is not None

    def log_text(self):
        with open(os.path.join(self.dir, "dockerd.log"), "rb") as f:
            return f.read().decode(errors="replace")[-3000:]

    def docker(self, *args, **kw):
        return docker_cmd(*args, host=self.sock, **kw)

    def stop(self):
        self.docker("swarm", "leave", "--force", check=False, timeout=60)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        # The swarm's bridge to the host is the private engine's alone.
        if not self.gwbridge_before and os.path.exists("/sys/class/net/docker_gwbridge"):
            subprocess.run(["ip", "link", "del", "docker_gwbridge"], check=False)
        subprocess.run(["umount", "-R", self.dir], capture_output=True, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


HTTP_SCRIPT = r"""
import http.client, json, sys, urllib.parse
req = json.loads(sys.argv[1])
h = dict(req.get("headers") or {})
body = None
if req.get("fields") is not None:
    body = urllib.parse.urlencode(req["fields"]).encode()
    h["Content-Type"] = "application/x-www-form-urlencoded"
conn = http.client.HTTPConnection("127.0.0.1", 9374, timeout=10)
conn.request(req["method"], req["path"], body=body, headers=h)
r = conn.getresponse()
print(json.dumps({"status": r.status, "headers": r.getheaders(),
                  "body": r.read().decode("utf-8", "replace")}))
"""


def http_in(pid, method, path, fields=None, cookie=None):
    """One request to 127.0.0.1:9374 inside the network namespace of pid."""
    req = {"method": method, "path": path, "fields": fields,
           "headers": {"Cookie": cookie} if cookie else {}}
    r = subprocess.run(["nsenter", f"--net=/proc/{pid}/ns/net", "/usr/bin/python3", "-c",
                        HTTP_SCRIPT, json.dumps(req)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def session_cookie(resp):
    for name, value in resp["headers"]:
        if name.lower() == "set-cookie" and value.startswith("ddc_session="):
            return value.split(";", 1)[0]
    return None


@pytest.fixture(scope="module")
def swarm(ddc_image, tmp_path_factory):
    if not shutil.which("nsenter"):
        pytest.fail("nsenter (util-linux) is missing")
    start = time.monotonic()
    engine = Engine()
    try:
        engine.docker("swarm", "init", "--advertise-addr", "127.0.0.1",
                      "--listen-addr", f"127.0.0.1:{free_port()}",
                      "--data-path-port", str(free_udp_port()))
        save = subprocess.Popen(["docker", "save", ddc_image, "ddc-busybox"],
                                stdout=subprocess.PIPE)
        load = subprocess.run(["docker", "load"], stdin=save.stdout, capture_output=True,
                              env={**os.environ, "DOCKER_HOST": engine.sock}, timeout=300)
        save.wait()
        assert load.returncode == 0 and save.returncode == 0, load.stderr
        node = engine.docker("node", "ls", "--format", "{{.ID}} {{.Hostname}}").split()
        engine.node_host = node[1]
        engine.docker("node", "update", "--label-add", "ddc.broker=true", node[0])
        env = {**os.environ, "DOCKER_HOST": engine.sock, "DDC_IMAGE": ddc_image}
        r = subprocess.run([os.path.join(ROOT, "deploy", "swarm-certs.sh")], env=env,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert f"the agents may register as: {engine.node_host}" in r.stdout, r.stdout
        r = subprocess.run(["docker", "stack", "deploy", "-c",
                            os.path.join(ROOT, "deploy", "stack.yaml"), STACK],
                           env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        engine.image = ddc_image
        engine.started = start
        yield engine
    finally:
        engine.docker("stack", "rm", STACK, check=False)
        engine.stop()


def tasks(engine, service):
    out = engine.docker("ps", "--filter", f"label=com.docker.swarm.service.name={STACK}_{service}",
                        "--format", '{{.ID}} {{.Label "com.docker.swarm.task.name"}}')
    return [line.split() for line in out.splitlines()]


def test_stack_deploys_healthy_with_curve_and_shared_sessions(swarm):
    e = swarm

    def healthy():
        out = e.docker("ps", "--filter", "health=healthy", "--format", "{{.Names}}").split()
        return len(out) >= 6
    wait_for(healthy, timeout=90, step=0.5, what="six healthy tasks")
    print(f"\nswarm: engine, images, certificates and six healthy tasks in "
          f"{time.monotonic() - e.started:.1f} s")
    broker = tasks(e, "broker")[0][0]

    # Every service registered: the global agent under the node's name.
    def registered():
        out = e.docker("exec", broker, "ddc-ctl", "status", "--json")
        peers = {p["name"]: p["connected"] for p in json.loads(out)["peers"]}
        want = [f"docker@{e.node_host}", "discord@main", "web@web-1", "web@web-2", "web@web-3"]
        return all(peers.get(n) for n in want)
    wait_for(registered, timeout=30, step=0.5, what="every service at the broker")

    # CURVE is on: the tcp:// endpoints take only known certificates.
    log = e.docker("logs", broker, check=False).stderr
    assert "CURVE on: clients must hold a key listed in /run/secrets/keys/clients" in log
    keys = tempfile.mkdtemp(dir=e.dir)
    e.docker("run", "--rm", "--network", "none", "-e", "PUID=0", "-e", "PGID=0",
             "-v", f"{keys}:/k", e.image, "ctl", "keygen", "stranger", "--role", "ctl", "--dir", "/k")
    probe = ["run", "--rm", "--network", f"{STACK}_ddc", "-e", "PUID=0", "-e", "PGID=0",
             "-v", f"{keys}:/k", e.image, "ctl",
             "--broker", "tcp://broker:7401", "--timeout", "2"]
    # exit 6: the broker refused the handshake (ddc-ctl says so)
    r = e.docker(*probe, "--insecure", "ping", check=False)   # no certificate: plain ZMTP
    assert r.returncode == 6 and "refused the handshake" in r.stderr, r.stderr
    r = e.docker(*probe, "--cert", "/k/stranger.cert", "--broker-cert", "/k/stranger.cert",
                 "ping", check=False)
    assert r.returncode == 6 and "refused this certificate" in r.stderr, r.stderr

    # One setup code for every replica: set up on web-2, signed in everywhere.
    webs = {name.split(".")[1]: cid for cid, name in tasks(e, "web")}
    assert sorted(webs) == ["1", "2", "3"], webs
    pids = {slot: json.loads(e.docker("inspect", cid))[0]["State"]["Pid"]
            for slot, cid in webs.items()}
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}",
                     e.docker("exec", broker, "ddc-ctl", "setup-code")).group(0)
    r = http_in(pids["2"], "POST", "/setup",
                {"code": code, "password": PASSWORD, "confirm": PASSWORD})
    assert r["status"] == 303, r["body"][:500]
    cookie = session_cookie(r)
    assert cookie
    for slot, pid in sorted(pids.items()):
        r = http_in(pid, "GET", "/bot", cookie=cookie)
        assert r["status"] == 200 and 'name="bot.guild_id"' in r["body"], (slot, r["status"])
    # A sign-in on web-3 is good on web-1 as well.
    r = http_in(pids["3"], "POST", "/login", {"password": PASSWORD})
    assert r["status"] == 303, r["body"][:500]
    r = http_in(pids["1"], "GET", "/", cookie=session_cookie(r))
    assert r["status"] == 200, r["status"]
