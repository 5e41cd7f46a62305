"""ddc-docker when Docker misbehaves: logs larger than a reply, and a Docker
engine that goes away for a long time and comes back.

The logs test uses the shared engine (scripts/ensure-dockerd.sh) and a
busybox container. The outage tests never touch the shared engine: each
starts a private dockerd of its own (its own --data-root, --exec-root, unix
socket and --pidfile in a fresh folder, no bridge, no iptables), points the
agent at that socket, and stops and starts that daemon by its PID.
"""
import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import IMAGE, bin_path, ensure_docker, sh, wait_for
from test_docker import ALL


def answers(sock_path):
    """True when a Docker engine answers GET /_ping on sock_path."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            s.connect(sock_path)
            s.sendall(b"GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.")
    except OSError:
        return False


class PrivateDockerd:
    """A dockerd of the test's own, stopped and started by its PID. The
    folder is short (unix socket paths are limited to 108 bytes) and holds
    the data root, the exec root, the socket, the pidfile and the log."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ddcpd.", dir="/tmp")
        self.sock = os.path.join(self.dir, "d.sock")
        self.log_path = os.path.join(self.dir, "dockerd.log")
        self.proc = None
        self.live_restore = True

    def start(self, wait=True, live_restore=True):
        self.live_restore = live_restore
        args = ["dockerd", "--data-root", os.path.join(self.dir, "data"),
                "--exec-root", os.path.join(self.dir, "x"), "--host", "unix://" + self.sock,
                "--pidfile", os.path.join(self.dir, "d.pid"), "--bridge=none",
                "--iptables=false", "--ip-forward=false", "--ip-masq=false"]
        if self.live_restore:
            args.append("--live-restore")
        env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
        self.proc = subprocess.Popen(args, stdout=open(self.log_path, "ab"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        if wait:
            wait_for(lambda: self.proc.poll() is None and answers(self.sock) or self._died(),
                     timeout=60, what="the private dockerd to answer")
        return self

    def accepts(self):
        """True when something listens on the socket (it may not answer)."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(self.sock)
                return True
        except OSError:
            return False

    def _died(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"private dockerd exited: {self.log()[-1500:]}")
        return False

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def docker(self, *args, timeout=120):
        return sh("docker", "-H", "unix://" + self.sock, *args, timeout=timeout)

    def load_image(self):
        """The shared engine's busybox image, loaded into this daemon."""
        ensure_docker()
        tar = os.path.join(self.dir, "image.tar")
        sh("docker", "save", "-o", tar, IMAGE)
        self.docker("load", "-i", tar)
        os.unlink(tar)

    def cleanup(self):
        if self.proc is None:
            try:
                self.start()
            except AssertionError:
                pass
        if self.proc is not None:
            ids = self.docker("ps", "-aq").split()
            if ids:
                self.docker("rm", "-f", *ids)
        self.stop()
        # dockerd bind-mounts its data root onto itself and may leave it so
        with open("/proc/self/mounts") as f:
            points = [line.split()[1] for line in f]
        for point in reversed(points):
            if point.startswith(self.dir + "/"):
                subprocess.run(["umount", point], check=False)
        subprocess.run(["rm", "-rf", self.dir], check=False)


@pytest.fixture
def dockerd():
    d = PrivateDockerd().start()
    yield d
    d.cleanup()



def reachable(a):
    return (a.status() or {}).get("docker", {}).get("reachable")


# ---------------------------------------------------------------------------
# Logs larger than a reply


def test_logs_of_long_lines_are_cut_to_the_newest_that_fit(tmp, broker, agents, ctr):
    # 1200 lines of 3000 bytes (3.6 MB): more than a reply holds
    name = ctr.run("sh", "-c", "x=$(head -c 2993 /dev/zero | tr '\\0' x); i=0; "
                   "while [ $i -lt 1200 ]; do printf '%05d %s\\n' $i \"$x\"; i=$((i+1)); done; "
                   "sleep 100000")
    wait_for(lambda: sh("docker", "logs", "--tail", "1", name).startswith("01199 "), timeout=30,
             what="the container to write its lines")
    a = agents(broker)
    a.configure([(name, True, ALL)])
    a.wait_container(name, lambda c: c["state"] == "running")
    r = a.action({"action": "logs", "container": name, "lines": 1000})
    assert r["ok"] is True, r
    assert r["cut"] is True and r["lines_asked"] == 1000
    assert r["lines"] == 256 * 1024 // 3000 == 87
    assert "cut to the newest 87 of 1000 lines" in r["note"]
    lines = r["logs"].split("\n")
    assert lines[-1] == "" and len(lines) == 88
    assert [int(x[:5]) for x in lines[:-1]] == list(range(1113, 1200))
    assert all(len(x) == 2999 and x.endswith("x" * 2993) for x in lines[:-1])
    # ddc-ctl prints the lines and says on stderr that they were cut
    r = subprocess.run([bin_path("ddc-ctl"), "--broker", broker.ctl, "action", f"{a.host}/{name}",
                        "logs", "--lines", "1000"], capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("01113 ") and r.stdout.splitlines()[-1].startswith("01199 ")
    assert "ddc-ctl: logs cut to the newest 87 of 1000 lines" in r.stderr
    # what fits is not cut
    r = a.action({"action": "logs", "container": name, "lines": 50})
    assert r["ok"] is True and r["cut"] is False and r["lines"] == 50, {k: r[k] for k in r if k != "logs"}


# ---------------------------------------------------------------------------
# A private Docker engine that goes away


def test_recovery_after_a_long_outage_is_quick(tmp, broker, agents, dockerd):
    a = agents(broker, extra=("--docker-socket", dockerd.sock))
    wait_for(lambda: reachable(a) is True, timeout=20, what="the private Docker reachable")
    dockerd.stop()
    wait_for(lambda: reachable(a) is False, timeout=10, what="Docker unreachable reported")
    # A long outage: a backoff that doubled all along would be at its
    # 30 s ceiling after 20 s.
    down = time.monotonic()
    wait_for(lambda: time.monotonic() - down >= 20 and reachable(a) is False, timeout=30, step=1,
             what="20 s of outage")
    # The daemon comes back slowly: its socket accepts connections before
    # it answers (held here with SIGSTOP), so the agent's first probe fails
    # on a socket that exists.
    log_mark = len(a.proc.text())
    dockerd.start(wait=False)
    wait_for(lambda: dockerd.accepts(), timeout=60, step=0.001, what="the socket to accept")
    os.kill(dockerd.proc.pid, signal.SIGSTOP)
    try:
        wait_for(lambda: "timed out" in a.proc.text()[log_mark:], timeout=30,
                 what="a probe of the held daemon to time out")
        assert reachable(a) is False
    finally:
        os.kill(dockerd.proc.pid, signal.SIGCONT)
    t0 = time.monotonic()
    wait_for(lambda: reachable(a) is True, timeout=60, step=0.05, what="Docker reachable again")
    took = time.monotonic() - t0
    print(f"reachable reported {took:.2f} s after the daemon answers")
    assert took < 5, a.proc.text()[log_mark:]


def test_states_are_unknown_while_docker_is_away(tmp, broker, agents, dockerd):
    dockerd.load_image()
    name = "ddc-outage-1"
    dockerd.docker("run", "-d", "--network", "none", "--name", name, IMAGE, "sleep", "100000")
    other = "ddc-outage-2"
    dockerd.docker("create", "--network", "none", "--name", other, IMAGE, "sleep", "1")
    a = agents(broker, extra=("--docker-socket", dockerd.sock))
    a.configure([(name, True, ALL)])
    c = a.wait_container(name, lambda c: c["state"] == "running" and c["uptime_s"] is not None)
    assert "reason" not in c and "last_state" not in c
    wait_for(lambda: any(x["name"] == other for x in a.topic("inventory")["containers"]),
             what="the inventory")

    dockerd.stop()          # --live-restore: the container keeps running meanwhile
    c = a.wait_container(name, lambda c: c["state"] == "unknown", timeout=10)
    st = a.status()
    since = st["docker"]["unreachable_since"]
    assert st["docker"]["reachable"] is False and since and st["docker"]["error"]
    assert c["reason"] == f"Docker unreachable since {since}"
    assert c["last_state"] == "running" and c["exists"] is None
    assert c["uptime_s"] is None and c["cpu_percent"] is None and c["mem_bytes"] is None
    # the status action answers the same; the inventory keeps names, not states
    r = a.action({"action": "status", "container": name})
    assert r["ok"] is True, r
    inv = wait_for(lambda: (lambda i: i if i and i.get("reachable") is False else None)(
        a.topic("inventory")), timeout=10, what="the inventory of an unreachable Docker")
    assert inv["reason"] == f"Docker unreachable since {since}"
    assert all(x["state"] == "unknown" for x in inv["containers"])
    assert {name, other} <= {x["name"] for x in inv["containers"]}
    # ddc-ctl says it in words
    r = subprocess.run([bin_path("ddc-ctl"), "--broker", broker.ctl, "containers", a.host],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    row = [line for line in r.stdout.splitlines() if line.strip().startswith(name)][0]
    assert f"unknown (Docker unreachable since {since})" in row, r.stdout
    assert row.split()[-3:] == ["-", "-", "-"], row          # uptime, CPU, memory
    assert "Docker UNREACHABLE" in r.stdout

    dockerd.start()
    c = a.wait_container(name, lambda c: c["state"] == "running", timeout=15)
    assert "reason" not in c and "last_state" not in c and c["exists"] is True
    st = a.status()
    assert st["docker"]["reachable"] is True and st["docker"]["unreachable_since"] is None


def test_a_daemon_restart_is_followed(tmp, broker, agents, dockerd):
    """The engine stops (its containers with it) and starts again: the agent
    says so within a second of the socket going quiet, resyncs the states the
    shutdown changed, acts again and follows the event stream again."""
    dockerd.stop()
    dockerd.start(live_restore=False)       # its stop then stops the containers
    dockerd.load_image()
    name = "ddc-restart-1"
    dockerd.docker("run", "-d", "--network", "none", "--name", name, IMAGE, "sleep", "100000")
    a = agents(broker, extra=("--docker-socket", dockerd.sock))
    a.configure([(name, True, ALL)])
    a.wait_container(name, lambda c: c["state"] == "running")
    dockerd.stop()
    gone = time.monotonic()
    st = wait_for(lambda: (lambda s: s if s.get("docker", {}).get("reachable") is False else None)(
        a.status() or {}), timeout=5, what="Docker unreachable reported")
    print(f"Docker unreachable reported within {time.monotonic() - gone:.2f} s of the daemon's exit")
    assert st["docker"]["error"]
    assert a.proc.alive()
    dockerd.start()
    t1 = time.monotonic()
    wait_for(lambda: reachable(a) is True, timeout=15, what="Docker reachable again")
    print(f"Docker reachable reported {time.monotonic() - t1:.2f} s after the daemon answers")
    # the resync saw the container stopped by the daemon's shutdown
    a.wait_container(name, lambda c: c["state"] not in ("running", "unknown"), timeout=10)
    r = a.action({"action": "start", "container": name})
    assert r["ok"] is True and r["state"] == "running", r
    # the event stream is back: a kill outside ddc is seen again
    dockerd.docker("kill", name)
    a.wait_container(name, lambda c: c["state"] == "exited", timeout=3)
