"""deploy/compose.yaml against the real Docker engine: the stack comes up
from the image built for this session, every service shows in ddc-ctl
status, a configuration change made through the web container reaches the
bot (which connects to the fake Discord) and the agent, ddc-ctl in the
broker container restarts a real container, two web replicas share one
signed-in session, and `down -v` leaves nothing behind.

The project gets a unique name and free ports; a small override file (in
the test's temporary folder) points the bot at the fake Discord and makes
the health checks run every second. Uses `docker compose` (v2) when the
client has it, else Debian's docker-compose 1.29.
"""
import json
import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest

from conftest import ROOT, docker_cmd, wait_for
from test_discord import Fake, TOKEN, GUILD
from test_web_http import Http, form_tokens

COMPOSE_FILE = os.path.join(ROOT, "deploy", "compose.yaml")
PASSWORD = "Correct-Horse-42"


def compose_cmd():
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("neither `docker compose` nor docker-compose is installed (scripts/deps.sh test)")


def free_port_pair():
    """Two consecutive free ports on 127.0.0.1."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise AssertionError("no two consecutive free ports")


class Project:
    def __init__(self, image, tmp, fake):
        self.name = "ddct" + uuid.uuid4().hex[:8]
        self.cmd = compose_cmd()
        self.port = free_port_pair()
        override = os.path.join(tmp, "override.yaml")
        with open(override, "w") as f:
            f.write(f"""
services:
  broker: {{healthcheck: {{interval: 1s, timeout: 5s, retries: 3}}}}
  web: {{healthcheck: {{interval: 1s, timeout: 5s, retries: 3}}}}
  docker: {{healthcheck: {{interval: 1s, timeout: 5s, retries: 3}}}}
  discord:
    healthcheck: {{interval: 1s, timeout: 5s, retries: 3}}
    network_mode: host
    command: ["discord", "--discord-api", "{fake.api}"]
""")
        self.files = ["-f", COMPOSE_FILE, "-f", override]
        self.env = {**os.environ, "DDC_IMAGE": image,
                    "DDC_WEB_PORT": f"127.0.0.1:{self.port}-{self.port + 1}"}

    def run(self, *args, check=True, timeout=180):
        r = subprocess.run([*self.cmd, "-p", self.name, *self.files, *args], env=self.env,
                           capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise AssertionError(f"compose {' '.join(args)}: {r.stderr[-3000:]}")
        return r

    def containers(self, service=None):
        filters = ["--filter", f"label=com.docker.compose.project={self.name}"]
        if service:
            filters += ["--filter", f"label=com.docker.compose.service={service}"]
        return docker_cmd("ps", "-aq", *filters).split()

    def one(self, service):
        ids = self.containers(service)
        assert len(ids) == 1, (service, ids)
        return ids[0]

    def exec(self, service, *args, input=None, check=True):
        r = docker_cmd("exec", "-i", self.one(service), *args, input=input, check=False)
        if check and r.returncode != 0:
            raise AssertionError(f"{service}: {' '.join(args)}: {r.stderr}")
        return r

    def ctl_json(self, *args):
        return json.loads(self.exec("broker", "ddc-ctl", "--compact", *args).stdout)

    def leftovers(self):
        label = f"label=com.docker.compose.project={self.name}"
        return {kind: docker_cmd(kind, "ls", "-q", "--filter", label).split()
                for kind in ("container", "network", "volume")}


def wait_healthy(cid, timeout=40):
    def ok():
        state = json.loads(docker_cmd("inspect", cid))[0]["State"]
        return state.get("Health", {}).get("Status") == "healthy"
    wait_for(ok, timeout=timeout, step=0.2, what=f"{cid} healthy")


def peers(project):
    return {p["name"]: p for p in project.ctl_json("status", "--json")["peers"]}


def sign_in(port):
    http = Http(port)
    r = http.post("/login", {"password": PASSWORD})
    assert r.status == 303, (r.status, r.text[:300])
    return http


def save_json(http, section, value):
    csrf, _ = form_tokens(http.get("/").text)
    current = json.loads(http.get(f"/api/section/{section}").text)
    body = json.dumps({"rev": current["rev"], "value": value}).encode()
    r = http.request("POST", f"/api/section/{section}", body=body,
                     headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
    assert r.status == 200, r.text
    return json.loads(r.text)


@pytest.fixture
def project(ddc_image, tmp_path):
    fake = Fake(str(tmp_path))
    p = Project(ddc_image, str(tmp_path), fake)
    busybox = p.name + "-bb"
    docker_cmd("run", "-d", "--network", "none", "--name", busybox, "ddc-busybox",
               "sleep", "100000")
    p.busybox = busybox
    yield p
    p.run("down", "-v", "-t", "5", check=False)
    docker_cmd("rm", "-f", busybox, check=False)
    fake.stop()


def test_compose_stack(project):
    p = project
    start = time.monotonic()
    p.run("up", "-d", "--no-build", "--scale", "web=2")
    services = ("broker", "web", "discord", "docker")
    for s in services:
        for cid in p.containers(s):
            wait_healthy(cid)
    print(f"\ncompose up with {len(p.containers())} containers healthy in "
          f"{time.monotonic() - start:.1f} s")
    webs = p.containers("web")
    assert len(webs) == 2
    web_hosts = [json.loads(docker_cmd("inspect", c))[0]["Config"]["Hostname"] for c in webs]
    table = peers(p)
    for name in [*(f"web@{h}" for h in web_hosts), "discord@main", "docker@local"]:
        assert table[name]["connected"], (name, table)

    # The web UI's password, set from the broker container.
    p.exec("broker", "ddc-ctl", "passwd", input=PASSWORD + "\n")
    ports = []
    for cid in webs:
        out = docker_cmd("port", cid, "9374/tcp").strip().splitlines()[0]
        ports.append(int(out.rsplit(":", 1)[1]))
    assert sorted(ports) == [p.port, p.port + 1]
    wait_for(lambda: Http(ports[0]).get("/login").status == 200, what="the sign-in page")

    # One session, signed in on one replica, is good on the other.
    http = sign_in(ports[0])
    assert http.get("/").status == 200
    other = Http(ports[1])
    other.cookies = dict(http.cookies)
    r = other.get("/bot")
    assert r.status == 200 and 'name="bot.guild_id"' in r.text, r.status

    # A change through the web container reaches the bot and the agent.
    rev = save_json(other, "bot", {"token": TOKEN, "guild_id": GUILD, "language": "en",
                                   "timezone": "UTC"})["rev"]
    save_json(http, "docker", {"stats_interval_seconds": 10, "stop_timeout_seconds": 1})
    rev = save_json(http, "containers", [{
        "host": "local", "name": p.busybox, "active": True, "display_name": "Busybox",
        "allowed_actions": ["start", "stop", "restart", "logs"]}])["rev"]

    def applied():
        t = peers(p)
        bot, agent = t["discord@main"], t["docker@local"]
        gateway = (bot.get("status") or {}).get("gateway", {})
        return (bot["applied_rev"] >= rev and agent["applied_rev"] >= rev
                and gateway.get("state") == "ready")
    wait_for(applied, timeout=30, step=0.2, what="the bot (gateway ready) and the agent to apply")

    # ddc-ctl in the broker container restarts a real container.
    def started_at():
        return json.loads(docker_cmd("inspect", p.busybox))[0]["State"]["StartedAt"]
    wait_for(lambda: p.busybox in p.exec("broker", "ddc-ctl", "containers", "local").stdout,
             what="the agent to list the container")
    before = started_at()
    out = p.exec("broker", "ddc-ctl", "action", f"local/{p.busybox}", "restart").stdout
    assert started_at() != before, out
    assert json.loads(docker_cmd("inspect", p.busybox))[0]["State"]["Running"]

    # down -v: no container, network or volume of the project is left.
    start = time.monotonic()
    p.run("down", "-v", "-t", "10")
    print(f"compose down in {time.monotonic() - start:.1f} s")
    assert p.leftovers() == {"container": [], "network": [], "volume": []}
