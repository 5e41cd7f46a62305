"""The ddc container image (Dockerfile, services/container) against the real
Docker engine: the image builds from a clean checkout (once per session,
conftest's ddc_image), stays small, and every role starts as PUID:PGID,
answers its health check and stops within 2 s of SIGTERM.

Every container runs with --network none (the roles talk over ipc sockets
in a shared folder) and a name of its own; all are removed by name.
"""
import json
import os
import subprocess
import time
import uuid

import pytest

from conftest import audit_entries, docker_cmd, wait_for

SOCK = "/var/run/docker.sock"


class Containers:
    """Containers a test starts, removed at the end."""

    def __init__(self, image):
        self.image = image
        self.prefix = "ddct-" + uuid.uuid4().hex[:8]
        self.names = []

    def run(self, name, *args, env=None, mounts=(), network="none", health=True, role=()):
        full = f"{self.prefix}-{name}"
        cmd = ["run", "-d", "--name", full, "--network", network]
        if health:
            cmd += ["--health-interval", "1s", "--health-timeout", "5s",
                    "--health-start-period", "0s", "--health-retries", "3"]
        for k, v in (env or {}).items():
            cmd += ["-e", f"{k}={v}"]
        for src, dst in mounts:
            cmd += ["-v", f"{src}:{dst}"]
        self.names.append(full)
        docker_cmd(*cmd, *args, self.image, *role)
        return full

    def oneshot(self, *role, env=None, mounts=(), check=True, timeout=60):
        cmd = ["run", "--rm", "--network", "none"]
        for k, v in (env or {}).items():
            cmd += ["-e", f"{k}={v}"]
        for src, dst in mounts:
            cmd += ["-v", f"{src}:{dst}"]
        return docker_cmd(*cmd, self.image, *role, check=check, timeout=timeout)

    def remove(self):
        if self.names:
            docker_cmd("rm", "-f", *self.names, check=False)


def inspect(name):
    return json.loads(docker_cmd("inspect", name))[0]


def wait_healthy(name, timeout=30):
    def ok():
        state = inspect(name)["State"]
        if not state["Running"]:
            raise AssertionError(f"{name} stopped: {docker_cmd('logs', name, check=False)}")
        return state.get("Health", {}).get("Status") == "healthy"
    try:
        wait_for(ok, timeout=timeout, step=0.2, what=f"{name} to be healthy")
    except AssertionError:
        log = inspect(name)["State"].get("Health", {}).get("Log", [])[-2:]
        raise AssertionError(f"{name} not healthy: {log}\n"
                             f"{docker_cmd('logs', name, check=False).stderr[-3000:]}")


def proc_status(name):
    """The Uid and Groups lines of a container's PID 1, read on the host."""
    pid = inspect(name)["State"]["Pid"]
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    return (int(fields["Uid"].split()[0]), int(fields["Gid"].split()[0]),
            {int(g) for g in fields["Groups"].split()})


def stop_timed(name):
    start = time.monotonic()
    docker_cmd("stop", "-t", "10", name)
    took = time.monotonic() - start
    return took, inspect(name)["State"]["ExitCode"]


@pytest.fixture
def containers(ddc_image):
    c = Containers(ddc_image)
    yield c
    c.remove()


def test_image_small_with_only_the_programs(ddc_image, containers):
    size = int(docker_cmd("image", "inspect", "-f", "{{.Size}}", ddc_image))
    print(f"image size_mb={size / 1e6:.1f}")
    assert size < 40e6, f"the image is {size / 1e6:.1f} MB, over 40 MB"
    # No shell and no package manager: only the programs.
    r = docker_cmd("run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", ddc_image,
                   "-c", "true", check=False)
    assert r.returncode != 0
    for role in ("broker", "web", "discord", "docker", "ctl"):
        out = containers.oneshot(role, "--version")
        assert f"ddc-{role} 0.1.0" in out, out
    cfg = inspect(ddc_image)["Config"]
    assert cfg["Entrypoint"] == ["/usr/bin/ddc-container"]
    assert cfg["Cmd"] == ["all"]
    assert "9374/tcp" in cfg["ExposedPorts"]
    assert cfg["Healthcheck"]["Test"] == ["CMD", "/usr/bin/ddc-container", "health"]


def test_bad_settings_stop_with_a_reason(containers):
    r = containers.oneshot("web", env={"PUID": "abc"}, check=False)
    assert r.returncode == 2 and "PUID must be a number" in r.stderr, r.stderr
    r = containers.oneshot("web", env={"UMASK": "999"}, check=False)
    assert r.returncode == 2 and "UMASK must be octal" in r.stderr, r.stderr
    r = containers.oneshot("nosuchrole", check=False)
    assert r.returncode == 2 and "unknown role 'nosuchrole'" in r.stderr, r.stderr
    r = containers.oneshot("docker", env={"DDC_HOST": "-bad"}, check=False)
    assert r.returncode == 2 and "not a usable host name" in r.stderr, r.stderr
    r = containers.oneshot("broker", env={"DDC_DATA": "/"}, check=False)
    assert r.returncode == 2 and "absolute path other than /" in r.stderr, r.stderr


def test_every_role_healthy_as_puid_and_stops_within_2s(containers, tmp_path):
    uid, gid = 1234, 2345
    dirs = {n: tmp_path / n for n in ("broker", "socks", "web", "discord", "agent")}
    for d in dirs.values():
        d.mkdir()
    env = {"PUID": str(uid), "PGID": str(gid), "DDC_BROKER": "ipc:///run/ddc/ctl.sock"}
    socks = (str(dirs["socks"]), "/run/ddc")
    host = "ctr" + uuid.uuid4().hex[:6]
    broker = containers.run("broker", env=env, mounts=[(dirs["broker"], "/data"), socks],
                            role=("broker",))
    web = containers.run("web", env=env, mounts=[(dirs["web"], "/data"), socks], role=("web",))
    bot = containers.run("discord", env=env, mounts=[(dirs["discord"], "/data"), socks],
                         role=("discord",))
    agent = containers.run("agent", env={**env, "DDC_HOST": host},
                           mounts=[(dirs["agent"], "/data"), socks, (SOCK, SOCK)],
                           role=("docker",))
    for name in (broker, web, bot, agent):
        wait_healthy(name)

    web_host = inspect(web)["Config"]["Hostname"]
    out = containers.oneshot("ctl", "status", "--json", env=env, mounts=[socks])
    peers = {p["name"]: p for p in json.loads(out)["peers"]}
    for name in (f"web@{web_host}", "discord@main", f"docker@{host}"):
        assert peers[name]["connected"], (name, peers)
    # The health command itself: a peer the broker does not see fails.
    r = containers.oneshot("ctl", "health", "discord@nosuch", env=env, mounts=[socks],
                           check=False)
    assert r.returncode == 1 and "not known" in r.stderr, r.stderr
    r = containers.oneshot("ctl", "health", "discord@main", env=env, mounts=[socks])
    assert "discord@main: connected" in r

    # Files belong to PUID:PGID; only the agent is in the socket's group.
    sock_gid = os.stat(SOCK).st_gid
    for d in ("broker", "socks", "discord", "agent"):
        for path in [dirs[d], *dirs[d].iterdir()]:
            st = os.lstat(path)
            assert (st.st_uid, st.st_gid) == (uid, gid), (path, st.st_uid, st.st_gid)
    assert (dirs["broker"] / "config.json").exists()
    assert (dirs["socks"] / "ctl.sock").exists() and (dirs["socks"] / "pub.sock").exists()
    assert (dirs["agent"] / f"docker-{host}.cache.json").exists()
    for name in (broker, web, bot, agent):
        puid, pgid, groups = proc_status(name)
        assert (puid, pgid) == (uid, gid), name
        assert (sock_gid in groups) == (name == agent), (name, groups)

    # SIGTERM: each stops cleanly within 2 s, the broker last.
    for name in (web, bot, agent, broker):
        took, code = stop_timed(name)
        print(f"{name}: stopped in {took:.2f} s, exit {code}")
        assert code == 0, docker_cmd("logs", name, check=False).stderr[-2000:]
        assert took < 2.0, f"{name} took {took:.2f} s to stop"


def test_all_in_one_container(containers, tmp_path):
    data = tmp_path / "appdata"
    name = containers.run("all", env={"PUID": "99", "PGID": "100"},
                          mounts=[(data, "/data"), (SOCK, SOCK)])
    wait_healthy(name)
    health = inspect(name)["State"]["Health"]["Log"][-1]["Output"]
    for peer in ("docker@local", "discord@main"):
        assert f"{peer}: connected" in health, health
    assert '"broker":true' in health, health
    # The setup code: in the log, in the data folder, and from ddc-ctl.
    code = (data / "web-setup-code").read_text().strip()
    assert code and f"setup code is {code}" in docker_cmd("logs", name, check=False).stderr
    out = docker_cmd("exec", name, "ddc-container", "ctl", "setup-code")
    assert code in out, out
    st = os.stat(data / "config.json")
    assert (st.st_uid, st.st_gid) == (99, 100)
    took, code = stop_timed(name)
    print(f"all: stopped in {took:.2f} s, exit {code}")
    assert code == 0 and took < 2.0, (took, code)
    # A second start keeps the configuration it has.
    rev = json.loads((data / "config.json").read_text())["_meta"]["rev"]
    docker_cmd("start", name)
    wait_healthy(name)
    assert json.loads((data / "config.json").read_text())["_meta"]["rev"] == rev


def test_a_program_that_stops_stops_the_all_container(containers, tmp_path):
    name = containers.run("all", mounts=[(tmp_path / "d", "/data")], health=False)
    wait_for(lambda: "first run: no web password is set" in
             docker_cmd("logs", name, check=False).stderr, timeout=20,
             what="the web UI to start")
    # Kill ddc-web from outside: the supervisor stops the rest and exits.
    pid = inspect(name)["State"]["Pid"]
    children = subprocess.run(["ps", "-o", "pid=,comm=", "--ppid", str(pid)],
                              capture_output=True, text=True).stdout
    web = [int(line.split()[0]) for line in children.splitlines() if "ddc-web" in line]
    assert web, children
    os.kill(web[0], 9)
    wait_for(lambda: not inspect(name)["State"]["Running"], timeout=5,
             what="the container to stop")
    assert inspect(name)["State"]["ExitCode"] == 137
    assert "ddc-web was killed by signal 9: stopping the others" in \
        docker_cmd("logs", name, check=False).stderr


def test_the_broker_loads_libcurl_when_its_watchdog_is_switched_on(containers, tmp_path):
    """ddc-broker is not linked with libcurl; the image holds libcurl.so.4
    all the same, found without the loader's cache. On the host's network
    (this container only), so that it reaches a monitor on 127.0.0.1."""
    from conftest import RawClient
    from test_watchdog import Monitor, watchdog
    socks = tmp_path / "socks"
    monitor = Monitor()
    try:
        name = containers.run("watchdog", env={"DDC_BROKER": "ipc:///run/ddc/ctl.sock"},
                              mounts=[(tmp_path / "data", "/data"), (socks, "/run/ddc")],
                              network="host", role=("broker",))
        wait_healthy(name)
        pid = inspect(name)["State"]["Pid"]

        def libcurl_mapped():
            with open(f"/proc/{pid}/maps") as f:
                return any("/libcurl.so" in line for line in f)
        assert not libcurl_mapped()
        c = RawClient(f"ipc://{socks}/ctl.sock")
        try:
            c.hello()
            r = c.save("watchdog", watchdog(monitor.url("/ping")))
            assert r and r[0] == "OK", r
        finally:
            c.close()
        got = monitor.next(timeout=10)
        assert got and got[1] == "/ping", docker_cmd("logs", name, check=False).stderr[-2000:]
        assert got[2]["User-Agent"].startswith("ddc-broker/")
        assert libcurl_mapped()
        took, code = stop_timed(name)
        assert code == 0 and took < 2.0, (took, code)
    finally:
        monitor.close()


def test_first_start_imports_a_dockerdiscordcontrol_folder(containers, tmp_path):
    """DockerDiscordControl's config folder at /app/config and an empty data
    folder: the broker's first start imports it (the containers under
    DDC_HOST); a broken folder stops the container with the file named and
    leaves the data folder empty."""
    from test_import_ddc import full_v2, write_folder
    env = {"PUID": "1234", "PGID": "2345", "DDC_HOST": "nas"}
    src = write_folder(tmp_path / "ddc", full_v2())
    data = tmp_path / "data"
    name = containers.run("broker", env=env, role=("broker",),
                          mounts=[(data, "/data"), (src, "/app/config:ro")])
    wait_healthy(name)
    cfg = json.loads((data / "config.json").read_text())
    assert [(c["host"], c["name"]) for c in cfg["containers"]] == [("nas", "valheim"),
                                                                    ("nas", "plex")]
    assert cfg["tasks"][0]["host"] == "nas" and cfg["admins"][0]["note"] == "Max"
    audit = audit_entries(data, lambda e: e)
    assert {a["author"] for a in audit} == {"import-ddc"}
    assert 'saved by "import-ddc"' in docker_cmd("logs", name, check=False).stdout

    bad = write_folder(tmp_path / "bad", {**full_v2(), "containers/valheim.json": {
        "docker_name": "valheim", "display_name": 7}})
    empty = tmp_path / "empty"
    name = containers.run("broken", env=env, role=("broker",), health=False,
                          mounts=[(empty, "/data"), (bad, "/app/config:ro")])
    wait_for(lambda: not inspect(name)["State"]["Running"], timeout=30,
             what="the container with a broken folder to stop")
    assert inspect(name)["State"]["ExitCode"] != 0
    log = docker_cmd("logs", name, check=False).stderr
    assert "containers/valheim.json: display_name: must be a string" in log, log
    assert not (empty / "config.json").exists()
