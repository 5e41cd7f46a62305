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


def audit_entries(data, until=lambda entries: True, timeout=5.0):
    """The entries of the broker's audit log, DATA/audit.log, once
    until(entries) holds: the broker writes a change's line a moment after
    it answered the save (RECORD_DEFER_MS in services/broker/broker.c)."""
    path = os.path.join(str(data), "audit.log")

    def read():
        try:
            with open(path, "rb") as f:
                entries = [json.loads(line) for line in f]
        except FileNotFoundError:
            entries = []
        return (entries,) if until(entries) else None
    return wait_for(read, timeout=timeout, what="the audit log's lines")[0]


def terminate(popen, timeout=5):
    """SIGTERM to a subprocess.Popen of the test, SIGKILL after timeout s."""
    if popen.poll() is None:
        popen.terminate()
        try:
            popen.wait(timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()


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


_CTL_ENV = ("DDC_BROKER", "DDC_CERT", "DDC_BROKER_CERT", "DDC_INSECURE", "DDC_DATA")


def ctl_env(endpoint=None, **extra):
    """This environment without the caller's own DDC_ settings, plus the
    endpoint and extra variables."""
    env = {k: v for k, v in os.environ.items() if k not in _CTL_ENV}
    if endpoint:
        env["DDC_BROKER"] = endpoint
    env.update(extra)
    return env


def run_ctl(args, endpoint=None, stdin=None, timeout=30, cwd=None, env=None):
    """ddc-ctl ARGS against endpoint; the CompletedProcess (text mode).
    stdin is text to feed, or nothing (an empty stdin)."""
    feed = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([bin_path("ddc-ctl"), *args], capture_output=True, text=True,
                          timeout=timeout, env=ctl_env(endpoint, **(env or {})), cwd=cwd,
                          **feed)


class Broker:
    """A ddc-broker with its data in TMP/data, on ipc:// endpoints in TMP
    (or in the data folder with ctl_in_data), or with keys=(DIR, ddc-ctl's
    certificate flags) on tcp:// with CURVE; env is added to its
    environment."""

    def __init__(self, tmp, name="broker", extra=None, data=None, ctl=None, pub=None,
                 keys=None, ctl_in_data=False, env=None):
        self.tmp = str(tmp)
        self.data = data or os.path.join(self.tmp, "data")
        sock_dir = self.data if ctl_in_data else self.tmp
        if ctl_in_data:
            os.makedirs(self.data, mode=0o700, exist_ok=True)
        self.extra = list(extra or [])
        self.ctl_args = []
        if keys:
            keys_dir, self.ctl_args = keys
            self.extra += ["--keys", str(keys_dir)]
            ctl = ctl or f"tcp://127.0.0.1:{free_port()}"
            pub = pub or f"tcp://127.0.0.1:{free_port()}"
        self.ctl = ctl or f"ipc://{sock_dir}/ctl.sock"
        self.pub = pub or f"ipc://{sock_dir}/pub.sock"
        self.name = name
        self.env = env
        self.proc = None
        self.starts = 0

    @property
    def endpoint(self):
        return self.ctl

    def start(self, wait=True):
        self.starts += 1
        log = os.path.join(self.tmp, f"{self.name}.log")
        self.proc = Proc([bin_path("ddc-broker"), "--data", self.data, "--ctl", self.ctl,
                          "--pub", self.pub] + self.extra, log, env=self.env)
        if wait and self.ctl_args:
            # the broker writes its certificate first; ddc-ctl then reads it
            def answers():
                if not self.proc.alive():
                    raise AssertionError(f"ddc-broker exited: {self.log_text()}")
                return (os.path.exists(self.ctl_args[-1])
                        and self.run_ctl("ping", "--timeout", "1").returncode == 0)
            wait_for(answers, timeout=15, step=0.05, what="broker to answer")
        elif wait:
            c = RawClient(self.ctl)
            try:
                wait_for(lambda: c.try_hello(timeout=200), timeout=15, what="broker to answer")
            finally:
                c.close()
        return self

    def run_ctl(self, *args, **kw):
        """ddc-ctl ARGS against this broker (with its certificate flags)."""
        return run_ctl([*self.ctl_args, *args], self.ctl, **kw)

    def stop(self):
        return self.proc.stop() if self.proc else None

    def kill9(self):
        self.proc.kill9()

    def log_text(self):
        return self.proc.text() if self.proc else ""

    @property
    def config_path(self):
        return os.path.join(self.data, "config.json")

    def config(self):
        """config.json as a dict: see config_text."""
        return json.loads(self.config_text())

    def config_text(self):
        """config.json's text once it holds every save the running broker
        has acknowledged: saves are durable in DATA/config.journal, and
        config.json follows when saves pause (proto/ddcp.md, durability).
        A stopped or killed broker's file (and a file that is not the
        broker's JSON) as it is."""
        deadline = time.monotonic() + 10
        while True:
            with open(self.config_path) as f:
                text = f.read()
            if not (self.proc and self.proc.alive()) or time.monotonic() > deadline:
                return text
            try:
                doc = json.loads(text)
            except ValueError:
                return text
            meta = doc.get("_meta") if isinstance(doc, dict) else None
            rev = meta.get("rev", 0) if isinstance(meta, dict) else 0   # a hand edit's file
            if all(r.get("rev", 0) <= rev for r in journal_records(self.data) or []):
                return text
            time.sleep(0.01)


def takes_o_direct(path):
    """Whether the file system of the file at path takes O_DIRECT, as the
    broker's journal asks it to (else the journal uses fdatasync)."""
    try:
        os.close(os.open(str(path), os.O_WRONLY | os.O_DIRECT))
        return True
    except OSError:
        return False


def journal_records(data):
    """The records of DATA/config.journal (None when it is missing): lines
    of JSON up to the zeros that fill the rest of the file."""
    path = os.path.join(data, "config.journal")
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        text = f.read().split(b"\0", 1)[0].decode()
    out = []
    for line in text.split("\n"):
        try:
            out.append(json.loads(line))
        except ValueError:
            pass                      # empty, or cut by a crash
    return out


def journal_end(data):
    """Where the next record of DATA/config.journal goes: its first zero."""
    with open(os.path.join(data, "config.journal"), "rb") as f:
        return len(f.read().split(b"\0", 1)[0])


def sub_socket(endpoint, topic=b"", ready=True, timeout=10.0):
    """A SUB socket on the broker's PUB endpoint, subscribed to topic. With
    ready, it returns once the subscription is in place: the broker sends a
    HUGZ when it sees a new subscription (proto/ddcp.md section 6), so the
    socket also subscribes to hugz/ until the first one comes, and HUGZ
    frames the caller did not ask for are dropped (SubSocket)."""
    s = zmq.Context.instance().socket(zmq.SUB)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.SUBSCRIBE, topic)
    wants_hugz = b"hugz/".startswith(topic)
    if ready and not wants_hugz:
        s.setsockopt(zmq.SUBSCRIBE, b"hugz/")
    s.connect(endpoint)
    sub = SubSocket(s, drop_hugz=ready and not wants_hugz)
    if ready:
        deadline = time.monotonic() + timeout
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            assert left > 0 and s.poll(left), f"no HUGZ from {endpoint} within {timeout} s"
            m = s.recv_multipart()
            if m[0] == b"hugz/":
                break
            sub.pending.append(m)
        if not wants_hugz:
            s.setsockopt(zmq.UNSUBSCRIBE, b"hugz/")
    return sub


class SubSocket:
    """A SUB socket that hides the HUGZ it subscribed to for itself."""

    def __init__(self, sock, drop_hugz):
        self.sock = sock
        self.drop_hugz = drop_hugz
        self.pending = []

    def _fill(self, timeout_ms):
        deadline = time.monotonic() + (timeout_ms / 1000 if timeout_ms >= 0 else 1e9)
        while not self.pending:
            left = int((deadline - time.monotonic()) * 1000)
            if left < 0 or not self.sock.poll(max(left, 0)):
                return False
            m = self.sock.recv_multipart()
            if not (self.drop_hugz and m[0] == b"hugz/"):
                self.pending.append(m)
        return True

    def poll(self, timeout=-1):
        return self._fill(timeout if timeout is not None else -1)

    def recv_multipart(self):
        self._fill(-1)
        return self.pending.pop(0)

    def setsockopt(self, *args):
        return self.sock.setsockopt(*args)

    def close(self):
        self.sock.close()


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


# ---- Docker: the engine, containers and ddc-docker agents -------------------

IMAGE = "ddc-busybox"
ENSURE = os.path.join(ROOT, "scripts", "ensure-dockerd.sh")


def sh(*args, check=True, timeout=120):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout.strip()


def ensure_docker():
    """A Docker engine answers (scripts/ensure-dockerd.sh starts one if not)
    and the test image exists; nothing is skipped when it cannot be had."""
    r = subprocess.run([ENSURE], capture_output=True, text=True, timeout=180,
                       stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        pytest.fail(f"Docker is not available: {r.stderr.strip() or r.stdout.strip()}")


@pytest.fixture(scope="module")
def docker_ready():
    ensure_docker()
    return True


class Containers:
    """The containers of one test, removed by name at the end."""

    def __init__(self):
        self.prefix = f"ddc-t-{uuid.uuid4().hex[:8]}"
        self.names = []
        self.images = []

    def name(self):
        n = f"{self.prefix}-{len(self.names) + 1}"
        self.names.append(n)
        return n

    def run(self, *cmd, image=IMAGE):
        n = self.name()
        sh("docker", "run", "-d", "--network", "none", "--name", n, image,
           *(cmd or ("sleep", "100000")))
        return n

    def create(self, *cmd):
        n = self.name()
        sh("docker", "create", "--network", "none", "--name", n, IMAGE,
           *(cmd or ("sleep", "100000")))
        return n

    def cleanup(self):
        if self.names:
            sh("docker", "rm", "-f", *self.names, check=False)
        if self.images:
            sh("docker", "rmi", "-f", *self.images, check=False)


@pytest.fixture
def ctr(docker_ready):
    """Containers made by the test, removed at its end."""
    c = Containers()
    yield c
    c.cleanup()


@pytest.fixture
def agents(tmp, docker_ready):
    """make(broker, **kw) -> a started ddc-docker Agent (tests/integration/test_docker.py);
    each is stopped at the end and must exit cleanly, without a sanitizer report."""
    from test_docker import Agent
    started = []

    def make(broker, **kw):
        a = Agent(tmp, broker, **kw)
        started.append(a)
        return a
    yield make
    problems = []
    for a in started:
        try:
            rc = a.close()
        except Exception as e:          # noqa: BLE001 - reported below
            problems.append(f"{a.peer}: {e}")
            continue
        text = a.proc.text() if a.proc else ""
        if rc not in (0, None):
            problems.append(f"{a.peer} exited {rc} on SIGTERM (see {a.proc.log_path})")
        if "Sanitizer" in text or "runtime error:" in text:
            problems.append(f"{a.peer}: sanitizer report in {a.proc.log_path}")
    assert not problems, "; ".join(problems)



# ---- Discord: a broker, the fake Discord and ddc-discord ----------------------

@pytest.fixture
def env(tmp):
    """make(...) -> (broker, fake, bot) against the fake Discord
    (tests/integration/test_discord.py); all stopped at the end, and the
    fake's record checked for protocol misuse."""
    from test_discord import TOKEN, Bot, Fake, bot_config
    made = []

    def make(start=True, configure=True, fake_token=TOKEN, fake_extra=(), bot_extra=(), **cfg):
        broker = Broker(tmp, name=f"broker{len(made)}").start()
        fake = Fake(tmp, token=fake_token, extra=fake_extra)
        bot = Bot(tmp, broker, fake, extra=bot_extra)
        made.append((broker, fake, bot))
        if configure:
            bot_config(bot, **cfg)
        if start:
            bot.start()
            if configure and cfg.get("token", TOKEN):
                bot.wait_state("ready")
        return broker, fake, bot
    yield make
    problems = []
    for broker, fake, bot in made:
        # Protocol misuse the fake would have refused: a second
        # acknowledgement of an interaction (40060), a second IDENTIFY on a
        # session (4005), a heartbeat request (op 1) left unanswered.
        try:
            st = fake.state()
            twice = [i["id"] for i in st["interactions"]
                     if any(a.get("code") == 40060 for a in i["attempts"])]
            if twice:
                problems.append(f"interactions acknowledged twice: {twice}")
            if [e for e in fake.log() if e["type"] == "gw_closed" and e.get("code") == 4005]:
                problems.append("a second IDENTIFY on a session (4005)")
            missed = sum(c["heartbeat_requests"]["missed"] for c in st["connections"])
            if missed:
                problems.append(f"{missed} heartbeat requests (op 1) not answered")
        except (AssertionError, OSError) as e:
            problems.append(f"cannot read the fake's state: {e}")
        try:
            if bot.proc:
                bot.stop()
        except AssertionError as e:
            problems.append(str(e))
        bot.ctl.close()
        fake.stop()
        broker.stop()
    assert not problems, "; ".join(problems)


@pytest.fixture
def docker_env(tmp, docker_ready):
    """Docker, busybox containers and a ddc-docker agent for a broker."""
    prefix = f"ddc-dt-{uuid.uuid4().hex[:8]}"
    names = []
    agents = []

    class D:
        host = f"dh{uuid.uuid4().hex[:8]}"

        @staticmethod
        def run(*cmd):
            n = f"{prefix}-{len(names) + 1}"
            names.append(n)
            sh("docker", "run", "-d", "--network", "none", "--name", n, IMAGE,
               *(cmd or ("sleep", "100000")))
            return n

        @staticmethod
        def agent(broker):
            path = os.path.join(BIN, "ddc-docker")
            if not os.path.exists(path):
                pytest.fail(f"{path} is missing: run make first")
            p = Proc([path, "--broker", broker.ctl, "--host", D.host, "--cache",
                      os.path.join(tmp, f"{D.host}.cache.json"), "--audit",
                      os.path.join(tmp, f"{D.host}.audit.log")],
                     os.path.join(tmp, f"{D.host}.log"))
            agents.append(p)
            return p

        @staticmethod
        def started_at(name):
            return json.loads(sh("docker", "inspect", name))[0]["State"]["StartedAt"]

    yield D
    for p in agents:
        p.stop()
    if names:
        sh("docker", "rm", "-f", *names, check=False)
