"""Shared fixtures of the integration tests: real ddc programs, real ZeroMQ.

DDC_BIN names the folder with the programs under test (make test sets it to
the sanitizer build). Every test gets its own temp folder and ipc:// endpoints
(or free tcp ports), so runs never collide, and every process a test starts is
stopped by its PID.
"""
import json
import os
import signal
import socket
import subprocess
import time
import uuid

import pytest
import zmq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("DDC_BIN", os.path.join(ROOT, "build", "bin"))


def bin_path(name):
    path = os.path.join(BIN, name)
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run make first")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=10.0, step=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


_RUNNING = []   # every Proc of the current test, stopped when it ends


class Proc:
    """A started program with its log file; stopped by PID."""

    def __init__(self, args, log_path, env=None, stdout=None, cwd=None, inherit_env=True):
        """env is added to this process's environment, or with inherit_env
        False is the whole environment."""
        self.args = args
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            args, stdout=stdout if stdout is not None else self.log, stderr=self.log,
            env={**os.environ, **(env or {})} if inherit_env else env,
            stdin=subprocess.DEVNULL, cwd=cwd)
        _RUNNING.append(self)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def kill9(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")


class Broker:
    def __init__(self, tmp, name="broker", extra=None, data=None, ctl=None, pub=None):
        self.tmp = tmp
        self.data = data or os.path.join(tmp, "data")
        self.ctl = ctl or f"ipc://{tmp}/ctl.sock"
        self.pub = pub or f"ipc://{tmp}/pub.sock"
        self.extra = extra or []
        self.name = name
        self.proc = None
        self.starts = 0

    def start(self, wait=True):
        self.starts += 1
        log = os.path.join(self.tmp, f"{self.name}.log")
        self.proc = Proc([bin_path("ddc-broker"), "--data", self.data, "--ctl", self.ctl,
                          "--pub", self.pub] + self.extra, log)
        if wait:
            c = RawClient(self.ctl)
            try:
                wait_for(lambda: c.try_hello(timeout=200), timeout=15, what="broker to answer")
            finally:
                c.close()
        return self

    def stop(self):
        return self.proc.stop() if self.proc else None

    def kill9(self):
        self.proc.kill9()

    @property
    def config_path(self):
        return os.path.join(self.data, "config.json")

    def config(self):
        with open(self.config_path) as f:
            return json.load(f)


class RawClient:
    """Speaks DDCP/1 frames directly: used to test the broker itself."""

    def __init__(self, ctl, role="ctl", instance=None, curve=None):
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        if curve:
            pub, sec, server = curve
            self.sock.curve_publickey = pub
            self.sock.curve_secretkey = sec
            self.sock.curve_serverkey = server
        self.sock.connect(ctl)
        self.role = role
        self.instance = instance or "t" + uuid.uuid4().hex[:8]
        self.n = 0
        self.welcome = None

    def close(self):
        self.sock.close(0)

    def send(self, *frames):
        self.sock.send_multipart([f if isinstance(f, bytes) else str(f).encode() for f in frames])

    def recv(self, timeout=3000):
        if not self.sock.poll(timeout):
            return None
        return [f.decode() for f in self.sock.recv_multipart()]

    def req_id(self):
        self.n += 1
        return f"{self.instance}-{self.n}"

    def request(self, cmd, *frames, timeout=3000):
        rid = self.req_id()
        self.send(cmd, rid, *frames)
        deadline = time.monotonic() + timeout / 1000
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0:
                return None
            reply = self.recv(left)
            if reply is None:
                return None
            if len(reply) > 1 and reply[1] == rid:
                return reply

    def try_hello(self, timeout=1000):
        r = self.request("HELLO", "DDCP/1", self.role, self.instance, timeout=timeout)
        if r and r[0] == "WELCOME":
            self.welcome = r
            return r
        return None

    def hello(self):
        r = self.try_hello(3000)
        assert r, "no WELCOME"
        return r

    def snapshot(self, sections="*"):
        r = self.request("SNAPSHOT", sections)
        assert r and r[0] == "STATE", r
        return int(r[3]), json.loads(r[4])

    def save(self, section, value, expected=0, author="test"):
        return self.request("SAVE", section, expected, author, json.dumps(value))


# ---- CURVE: keys made with ddc-ctl keygen -----------------------------------

def curve_keys(tmp):
    """A keys folder for ddc-broker --keys, with its clients folder."""
    keys = os.path.join(tmp, "keys")
    os.makedirs(os.path.join(keys, "clients"), exist_ok=True)
    return keys


def keygen(keys, name, role, instances=None):
    """A certificate made by ddc-ctl keygen and given to the broker's
    clients folder: (public key, secret key, the certificate's path)."""
    args = ["keygen", name, "--role", role, "--dir", os.path.join(keys, "mine")]
    if instances:
        args += ["--instances", instances]
    r = subprocess.run([bin_path("ddc-ctl"), *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cert = os.path.join(keys, "mine", f"{name}.cert")
    with open(cert) as f:
        text = f.read()
    with open(os.path.join(keys, "clients", f"{name}.cert"), "w") as f:
        f.write(text)
    pub = secret = None
    with open(cert + "_secret") as f:
        for line in f:
            line = line.strip()
            if line.startswith("public-key"):
                pub = line.split('"')[1].encode()
            if line.startswith("secret-key"):
                secret = line.split('"')[1].encode()
    return pub, secret, cert


@pytest.fixture(autouse=True)
def _stop_leftovers():
    """A test that fails half-way still stops every program it started."""
    yield
    while _RUNNING:
        p = _RUNNING.pop()
        if p.proc.poll() is None:
            p.proc.kill()
            p.proc.wait()
        if not p.log.closed:
            p.log.close()


@pytest.fixture
def tmp(tmp_path):
    return str(tmp_path)


@pytest.fixture
def broker(tmp):
    b = Broker(tmp).start()
    yield b
    b.stop()


@pytest.fixture
def procs():
    """Processes a test starts; all stopped at the end."""
    started = []
    yield started
    for p in started:
        try:
            p.stop()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# The container image (test_image.py, test_compose.py, test_swarm.py,
# test_unraid.py): built once per session by scripts/image.sh, which reuses
# Docker's layer cache, and tagged DDC_TEST_IMAGE (default ddc:test).

IMAGE_TAG = os.environ.get("DDC_TEST_IMAGE", "ddc:test")


def docker_cmd(*args, check=True, timeout=120, input=None, env=None, host=None):
    """Run the docker client (against host, a DOCKER_HOST, when given);
    stdout as text, or the CompletedProcess when check is False."""
    full_env = {**os.environ, **(env or {})}
    if host:
        full_env["DOCKER_HOST"] = host
    r = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                       input=input, env=full_env)
    if not check:
        return r
    if r.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {r.returncode}: "
                             f"{r.stderr.strip()[-2000:]}")
    return r.stdout


@pytest.fixture(scope="session")
def ddc_image():
    """The tag of the ddc image built from this tree (once per session)."""
    r = subprocess.run([os.path.join(ROOT, "scripts", "ensure-dockerd.sh")],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        pytest.fail(f"no Docker engine: {r.stderr.strip()}")
    start = time.monotonic()
    r = subprocess.run([os.path.join(ROOT, "scripts", "image.sh")], capture_output=True,
                       text=True, timeout=1800, env={**os.environ, "DDC_IMAGE": IMAGE_TAG},
                       stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        pytest.fail(f"scripts/image.sh failed:\n{(r.stdout + r.stderr)[-4000:]}")
    print(f"\nimage {IMAGE_TAG} built in {time.monotonic() - start:.1f} s "
          f"({r.stdout.strip().splitlines()[-1]})")
    return IMAGE_TAG
