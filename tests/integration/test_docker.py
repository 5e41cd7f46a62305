"""ddc-docker (services/docker) end to end: a real broker, a real agent, a real
Docker engine and busybox containers.

scripts/ensure-dockerd.sh runs first; when Docker cannot be started the tests
fail (nothing is skipped). Every container a test makes is named
ddc-t-<run id>-N and removed by name when the test ends; every agent gets a
host name of its own, so runs never see each other's containers as configured.
The Docker daemon restart test comes last: it stops and restarts the dockerd
that ensure-dockerd.sh started (by the PID in /tmp/ddc-dockerd.pid).
"""
import calendar
import json
import os
import subprocess
import threading
import time
import uuid

import pytest
import zmq

from conftest import IMAGE, Broker, Proc, RawClient, bin_path, sh, wait_for

pytestmark = pytest.mark.usefixtures("docker_ready")

def inspect(name):
    return json.loads(sh("docker", "inspect", name))[0]


def iso_epoch(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


class Watcher:
    """A SUB socket on the broker's PUB: every status message of one agent,
    with the monotonic time it arrived."""

    def __init__(self, pub, peer):
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(pub)
        self.sock.setsockopt(zmq.SUBSCRIBE, f"status/{peer}/".encode())
        self.msgs = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            if self.sock.poll(50):
                frames = self.sock.recv_multipart()
                topic = frames[0].decode()
                try:
                    body = json.loads(frames[1])
                except (ValueError, IndexError):
                    continue
                with self.lock:
                    self.msgs.append((time.monotonic(), topic.split("/")[2], body))

    def of(self, topic, since=0.0):
        with self.lock:
            return [(t, b) for (t, tp, b) in self.msgs if tp == topic and t >= since]

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close(0)


class Agent:
    """One ddc-docker process for a host of its own, plus a ctl client of
    the broker to configure it and send it actions."""

    def __init__(self, tmp, broker, extra=(), host=None, start=True):
        self.tmp = tmp
        self.broker = broker
        self.host = host or f"h{uuid.uuid4().hex[:8]}"
        self.peer = f"docker@{self.host}"
        self.audit = os.path.join(tmp, f"{self.host}.audit.log")
        self.cache = os.path.join(tmp, f"{self.host}.cache.json")
        self.extra = list(extra)
        self.proc = None
        self.ctl = RawClient(broker.ctl)
        self.ctl.hello()
        self.watch = Watcher(broker.pub, self.peer)
        time.sleep(0.1)          # let the subscription reach the broker
        if start:
            self.start()

    def start(self):
        log = os.path.join(self.tmp, f"{self.host}.log")
        self.proc = Proc([bin_path("ddc-docker"), "--broker", self.broker.ctl, "--host",
                          self.host, "--cache", self.cache, "--audit", self.audit, "-v",
                          *self.extra], log)
        wait_for(lambda: (self.peer_row() or {}).get("connected") and self.status(),
                 timeout=20, what=f"{self.peer} connected and reporting")
        return self

    def close(self):
        rc = self.proc.stop() if self.proc else None
        self.watch.close()
        self.ctl.close()
        return rc

    # -- broker side ----------------------------------------------------------
    def reconnect_ctl(self):
        self.ctl.close()
        self.ctl = RawClient(self.broker.ctl)
        wait_for(lambda: self.ctl.try_hello(500), timeout=20, what="broker to answer")

    def peer_row(self):
        r = self.ctl.request("STATUS", 0, self.peer)
        if not r or r[0] != "PEERS":
            return None
        for p in json.loads(r[2])["peers"]:
            if p["name"] == self.peer:
                return p
        return None

    def topic(self, name):
        row = self.peer_row() or {}
        return (row.get("status") or {}).get(name)

    def status(self):
        return self.topic("status")

    def container(self, name):
        st = self.status() or {}
        return st.get("containers", {}).get(name)

    def save(self, section, value):
        r = self.ctl.save(section, value)
        assert r and r[0] == "OK", r
        rev = int(r[3])
        wait_for(lambda: ((self.peer_row() or {}).get("applied") or {}).get(section, 0) >= rev,
                 timeout=10, what=f"{self.peer} to apply {section} rev {rev}")
        return rev

    def configure(self, containers, docker=None, tasks=None):
        """containers: list of (name, active, allowed) or dicts."""
        value = []
        for c in containers:
            if isinstance(c, dict):
                value.append(c)
            else:
                name, active, allowed = c
                value.append({"host": self.host, "name": name, "active": active,
                              "allowed_actions": allowed})
        if tasks is not None:
            self.save("tasks", [])
        self.save("containers", value)
        self.save("docker", docker or {"stats_interval_seconds": 10, "stop_timeout_seconds": 1})
        if tasks is not None:
            self.save("tasks", tasks)

    def action(self, body, timeout=60000):
        r = self.ctl.request("ACTION", self.peer, timeout, json.dumps(body), timeout=timeout + 2000)
        assert r is not None, f"no reply to {body}"
        assert r[0] == "RESULT", r
        return json.loads(r[2])

    def actions_at_once(self, bodies, timeout=60000):
        """Send every ACTION before reading any reply; returns the results in
        order, each with the seconds it took to arrive."""
        ids = []
        t0 = time.monotonic()
        for b in bodies:
            rid = self.ctl.req_id()
            ids.append(rid)
            self.ctl.send("ACTION", rid, self.peer, timeout, json.dumps(b))
        got = {}
        deadline = time.monotonic() + timeout / 1000 + 5
        while len(got) < len(ids) and time.monotonic() < deadline:
            m = self.ctl.recv(500)
            if m and m[1] in ids and m[1] not in got:
                assert m[0] == "RESULT", m
                got[m[1]] = (json.loads(m[2]), time.monotonic() - t0)
        assert len(got) == len(ids), f"only {len(got)} of {len(ids)} results"
        return [got[i] for i in ids]

    def audit_lines(self):
        if not os.path.exists(self.audit):
            return []
        with open(self.audit) as f:
            return [json.loads(line) for line in f if line.strip()]

    def wait_container(self, name, pred, timeout=10, what=None):
        return wait_for(lambda: (lambda c: c if c and pred(c) else None)(self.container(name)),
                        timeout=timeout, what=what or f"status of {name}")


ALL = ["start", "stop", "restart", "logs"]


# ---------------------------------------------------------------------------
# Inventory and status


def test_inventory_and_status(tmp, broker, agents, ctr):
    running = ctr.run()
    created = ctr.create()
    exited = ctr.run("sh", "-c", "exit 3")
    # A container whose image was deleted: commit a new image, run it, untag it.
    img = f"{ctr.prefix}-img"
    ctr.images.append(img)
    sh("docker", "commit", running, img)
    orphan = ctr.run(image=img)
    sh("docker", "rmi", "-f", img)
    wait_for(lambda: inspect(exited)["State"]["Status"] == "exited", what="exit")
    missing = f"{ctr.prefix}-missing"
    a = agents(broker)
    a.configure([(running, True, ALL), (created, False, ["start"]), (missing, True, ALL)],
                docker={"stats_interval_seconds": 2, "stop_timeout_seconds": 1})

    # inventory: every container, running or not, with its image
    def inv():
        body = a.topic("inventory")
        if not body:
            return None
        names = {c["name"]: c for c in body["containers"]}
        return names if all(n in names for n in (running, created, exited, orphan)) else None
    names = wait_for(inv, timeout=10, what="inventory with our containers")
    assert names[running]["state"] == "running" and names[running]["image"] == IMAGE
    assert names[created]["state"] == "created" and names[created]["image"] == IMAGE
    assert names[exited]["state"] == "exited" and names[exited]["status"].startswith("Exited (3)")
    assert names[orphan]["state"] == "running" and names[orphan]["image"]
    assert names[orphan]["image"] != img            # the image id now
    assert len(names[running]["id"]) == 64
    assert abs(iso_epoch(names[running]["created"]) - time.time()) < 600
    inv_body = a.topic("inventory")
    assert inv_body["host"] == a.host and inv_body["truncated"] is False

    # status of the configured containers
    st = wait_for(lambda: (lambda s: s if set(s["containers"]) == {running, created, missing}
                           else None)(a.status()), timeout=3, what="status of the configured")
    assert st["host"] == a.host
    assert st["docker"]["reachable"] is True and st["docker"]["error"] is None
    assert st["docker"]["api"] == "1.41" and st["docker"]["version"]
    assert set(st["containers"]) == {running, created, missing}
    c = a.wait_container(running, lambda c: c["state"] == "running")
    started = inspect(running)["State"]["StartedAt"]
    assert c["exists"] is True and c["active"] is True and c["image"] == IMAGE
    assert c["started_at"] == started[:19] + "Z"
    assert c["health"] is None
    assert 0 <= c["uptime_s"] < 600
    c = a.wait_container(created, lambda c: c["state"] == "created")
    assert c["active"] is False and c["exists"] is True and c["uptime_s"] is None
    assert c["started_at"] is None and c["mem_bytes"] is None
    c = a.wait_container(missing, lambda c: c["state"] == "missing")
    assert c["exists"] is False
    # memory after one stats interval (2 s, plus the ~1-2 s a sample takes)
    c = a.wait_container(running, lambda c: c["mem_bytes"], timeout=8,
                         what="a memory sample")
    assert 0 < c["mem_bytes"] <= c["mem_limit"]
    assert c["cpu_percent"] is not None and c["cpu_percent"] >= 0

    # the status action answers from the current state
    r = a.action({"action": "status"})
    assert r["ok"] is True and set(r["status"]["containers"]) == {running, created, missing}
    r = a.action({"action": "status", "container": running})
    assert r["ok"] is True and r["status"]["state"] == "running"
    r = a.action({"action": "status", "container": exited})
    assert r["ok"] is False and r["error"] == "refused"
    r = a.action({"action": "inventory"})
    assert r["ok"] is True and any(x["name"] == orphan for x in r["inventory"]["containers"])

    # a container created later shows up in the inventory through the events
    later = ctr.create()
    wait_for(lambda: any(x["name"] == later for x in a.topic("inventory")["containers"]),
             timeout=3, what="new container in the inventory")
    sh("docker", "rm", "-f", later)
    wait_for(lambda: all(x["name"] != later for x in a.topic("inventory")["containers"]),
             timeout=3, what="removed container gone from the inventory")


def test_label_scope_shared_engine(tmp, broker, agents, ctr):
    """Two agents on one engine, each owning the containers with its own label
    (--label): each inventory and status holds only its own, events included,
    and an action on the other's container is refused like an unknown one."""
    def run_labelled(label):
        n = ctr.name()
        sh("docker", "run", "-d", "--network", "none", "--label", label, "--name", n, IMAGE,
           "sleep", "100000")
        return n
    key = f"ddc.test.{ctr.prefix}"
    mine_a, mine_b = run_labelled(f"{key}=a"), run_labelled(f"{key}=b")
    unlabelled = ctr.run()
    a = agents(broker, extra=["--label", f"{key}=a"])
    b = agents(broker, extra=["--label", key, "--label", f"{key}=b"])
    # Both hosts configure both containers: only the scope tells them apart.
    section = [{"host": x.host, "name": n, "active": True, "allowed_actions": ALL}
               for x in (a, b) for n in (mine_a, mine_b)]
    a.save("containers", section)
    b.save("containers", section)

    def inv_names(x):
        body = x.topic("inventory")
        return {c["name"] for c in body["containers"]} if body else set()
    wait_for(lambda: mine_a in inv_names(a) and mine_b in inv_names(b), timeout=10,
             what="each inventory with its own container")
    assert inv_names(a) == {mine_a} and inv_names(b) == {mine_b}
    assert unlabelled not in inv_names(a) | inv_names(b)
    a.wait_container(mine_a, lambda c: c["state"] == "running")
    a.wait_container(mine_b, lambda c: c["exists"] is False)
    b.wait_container(mine_b, lambda c: c["state"] == "running")
    b.wait_container(mine_a, lambda c: c["exists"] is False)

    # an action on the other's container: refused, nothing touched
    started = {n: inspect(n)["State"]["StartedAt"] for n in (mine_a, mine_b)}
    for x, other in ((a, mine_b), (b, mine_a)):
        for act in ("stop", "logs"):
            r = x.action({"action": act, "container": other})
            assert r["ok"] is False and r["error"] == "refused", r
            assert "not configured on " + x.host in r["message"], r["message"]
    for n, t in started.items():
        st = inspect(n)["State"]
        assert st["Status"] == "running" and st["StartedAt"] == t
    # its own container: allowed
    assert a.action({"action": "restart", "container": mine_a})["ok"] is True
    assert b.action({"action": "logs", "container": mine_b})["ok"] is True

    # a container created later reaches only its owner, through the events
    later = run_labelled(f"{key}=b")
    wait_for(lambda: later in inv_names(b), timeout=3, what="new container in b's inventory")
    assert later not in inv_names(a)


def test_label_flag_refused(tmp):
    for bad in ("", "=x", "a\tb"):
        p = subprocess.run([bin_path("ddc-docker"), "--broker", "ipc:///nonexistent",
                            "--label", bad], capture_output=True, text=True, timeout=10)
        assert p.returncode == 2 and "--label" in p.stderr, (bad, p.stderr)
    many = [arg for i in range(9) for arg in ("--label", f"k{i}")]
    p = subprocess.run([bin_path("ddc-docker"), "--broker", "ipc:///nonexistent", *many],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 2 and "at most 8" in p.stderr, p.stderr


def test_event_to_report_latency(tmp, broker, agents, ctr):
    names = [ctr.run() for _ in range(3)]
    a = agents(broker)
    a.configure([(n, True, ALL) for n in names])
    for n in names:
        a.wait_container(n, lambda c: c["state"] == "running")
    latencies = []
    for n in names:
        t0 = time.monotonic()
        sh("docker", "kill", n)
        t_cli = time.monotonic()

        def seen():
            for t, body in a.watch.of("status", since=t0):
                if body["containers"].get(n, {}).get("state") == "exited":
                    return t
            return None
        t_report = wait_for(seen, timeout=3, step=0.005, what=f"{n} reported exited")
        # From the end of `docker kill` (the event is emitted by then).
        latencies.append(t_report - t_cli)
        assert t_report - t0 < 1.0, f"report {t_report - t0:.3f}s after docker kill"
    print("event-to-report latency after docker kill: "
          + ", ".join(f"{x * 1000:.0f} ms" for x in latencies))
    # started again outside ddc: reported running with a new started_at
    before = a.container(names[0])["started_at"]
    time.sleep(1.05)
    t0 = time.monotonic()
    sh("docker", "start", names[0])
    c = a.wait_container(names[0], lambda c: c["state"] == "running", timeout=2)
    assert time.monotonic() - t0 < 1.5
    assert c["started_at"] != before


# ---------------------------------------------------------------------------
# Actions


def test_actions_allowed(tmp, broker, agents, ctr):
    name = ctr.run("sh", "-c", "for i in 1 2 3 4 5 6; do echo line$i; done; sleep 100000")
    a = agents(broker)
    a.configure([(name, True, ALL)])
    a.wait_container(name, lambda c: c["state"] == "running")

    r = a.action({"action": "stop", "container": name, "by": "alice via test"})
    assert r["ok"] is True and r["action"] == "stop" and r["container"] == name, r
    assert r["state"] == "exited" and r["duration_ms"] >= 0
    assert inspect(name)["State"]["Status"] == "exited"
    a.wait_container(name, lambda c: c["state"] == "exited", timeout=2)

    r = a.action({"action": "stop", "container": name})       # 304: already stopped
    assert r["ok"] is True and r["state"] == "exited"

    r = a.action({"action": "start", "container": name, "by": "bob"})
    assert r["ok"] is True and r["state"] == "running", r
    first_start = inspect(name)["State"]["StartedAt"]
    wait_for(lambda: "line6" in sh("docker", "logs", name), what="log lines")

    time.sleep(1.05)
    t0 = time.monotonic()
    r = a.action({"action": "restart", "container": name})
    took = time.monotonic() - t0
    assert r["ok"] is True and r["state"] == "running"
    assert inspect(name)["State"]["StartedAt"] != first_start
    assert r["duration_ms"] <= took * 1000 + 5

    r = a.action({"action": "logs", "container": name, "lines": 3})
    assert r["ok"] is True and r["lines"] == 3
    assert r["logs"].split("\n")[:3] == ["line4", "line5", "line6"]
    r = a.action({"action": "logs", "container": name})         # default 50 lines
    assert r["ok"] is True and "line1" in r["logs"]

    # unknown action, bad names: refused before anything happens
    r = a.action({"action": "rm", "container": name})
    assert r["ok"] is False and r["error"] == "invalid"
    r = a.action({"action": "start", "container": "../etc"})
    assert r["ok"] is False and r["error"] == "invalid"
    r = a.action({"container": name})
    assert r["ok"] is False and r["error"] == "invalid"

    # every action is in the audit file (0600), with who asked and the result
    assert os.stat(a.audit).st_mode & 0o777 == 0o600
    lines = a.audit_lines()
    acts = [(x["action"], x["ok"]) for x in lines if x["container"] == name]
    assert acts == [("stop", True), ("stop", True), ("start", True), ("restart", True),
                    ("logs", True), ("logs", True)], acts
    assert lines[0]["by"] == "alice via test" and lines[0]["origin"].startswith("ctl@")
    assert lines[0]["host"] == a.host and lines[0]["duration_ms"] >= 0
    assert lines[2]["by"] == "bob"


def test_actions_refused(tmp, broker, agents, ctr):
    on = ctr.run()
    off = ctr.run()
    logs_only = ctr.run()
    elsewhere = ctr.run()
    unconfigured = ctr.run()
    broken = ctr.create("/no-such-binary")
    a = agents(broker)
    a.configure([(on, True, ALL), (off, False, ALL), (logs_only, True, ["logs"]),
                 (broken, True, ALL),
                 {"host": "some-other-host", "name": elsewhere, "active": True,
                  "allowed_actions": ALL}])
    cases = [
        (off, "stop", "inactive"),
        (logs_only, "restart", "not allowed"),
        (logs_only, "stop", "not allowed"),
        (elsewhere, "stop", "not configured on " + a.host),
        (unconfigured, "stop", "not configured on " + a.host),
    ]
    before = {n: inspect(n)["State"]["StartedAt"] for n in (off, logs_only, elsewhere,
                                                             unconfigured)}
    for name, act, why in cases:
        r = a.action({"action": act, "container": name, "by": "mallory"})
        assert r["ok"] is False and r["error"] == "refused", r
        assert why in r["message"], r["message"]
    # nothing was touched
    for n, started in before.items():
        st = inspect(n)["State"]
        assert st["Status"] == "running" and st["StartedAt"] == started
    # the one that is allowed works, and logs on logs_only too
    assert a.action({"action": "logs", "container": logs_only})["ok"] is True
    assert a.action({"action": "restart", "container": on})["ok"] is True
    # allowed, but Docker says no: "failed" with Docker's own message
    r = a.action({"action": "start", "container": broken})
    assert r["ok"] is False and r["error"] == "failed", r
    assert "no-such-binary" in r["message"], r["message"]
    refused = [x for x in a.audit_lines() if x["ok"] is False and x["error"] == "refused"]
    assert len(refused) == len(cases)
    assert all(x["error"] == "refused" and x["by"] == "mallory" for x in refused)


def test_same_container_never_overlaps(tmp, broker, agents, ctr):
    name = ctr.run()
    a = agents(broker)
    a.configure([(name, True, ALL)])
    a.wait_container(name, lambda c: c["state"] == "running")
    body = {"action": "restart", "container": name}
    (r1, t1), (r2, t2) = a.actions_at_once([dict(body, by="first"), dict(body, by="second")])
    assert r1["ok"] and r2["ok"], (r1, r2)
    # each restart takes ~1 s (busybox ignores SIGTERM, t=1): the second one
    # only started after the first had finished
    assert t2 >= t1 and t2 >= 1.8, (t1, t2)
    lines = [x for x in a.audit_lines() if x["container"] == name]
    first = next(x for x in lines if x["by"] == "first")
    second = next(x for x in lines if x["by"] == "second")
    assert second["start_ms"] >= first["end_ms"], (first, second)
    assert second["queued_ms"] >= first["duration_ms"] - 50
    print(f"two restarts of one container: results after {t1:.2f} s and {t2:.2f} s")

    # the queue is bounded: 1 running + 8 waiting, the 10th is refused busy
    results = a.actions_at_once([{"action": "stop", "container": name, "by": f"q{i}"}
                                 for i in range(10)])
    errors = [r.get("error") for r, _ in results]
    assert errors.count("busy") == 1 and errors[-1] == "busy", errors
    assert all(r["ok"] for r, _ in results[:9])
    ends = [x for x in a.audit_lines() if x["by"].startswith("q") and x["ok"]]
    assert [x["by"] for x in ends] == [f"q{i}" for i in range(9)]     # FIFO
    for prev, cur in zip(ends, ends[1:]):
        assert cur["start_ms"] >= prev["end_ms"]


def test_different_containers_in_parallel(tmp, broker, agents, ctr):
    names = [ctr.run() for _ in range(3)]
    a = agents(broker)
    a.configure([(n, True, ALL) for n in names])
    for n in names:
        a.wait_container(n, lambda c: c["state"] == "running")
    results = a.actions_at_once([{"action": "restart", "container": n} for n in names])
    assert all(r["ok"] for r, _ in results), results
    # three restarts side by side, not one after the other: each began
    # before any ended (the agent's own times, whatever the machine's load)
    lines = [x for x in a.audit_lines() if x["action"] == "restart"]
    latest_start = max(x["start_ms"] for x in lines)
    earliest_end = min(x["end_ms"] for x in lines)
    assert latest_start < earliest_end, "the restarts did not overlap"


def test_config_changes_apply_live(tmp, broker, agents, ctr):
    name = ctr.run()
    a = agents(broker)
    a.configure([(name, True, ["start", "stop", "restart"])])
    assert a.action({"action": "restart", "container": name})["ok"] is True
    a.save("containers", [{"host": a.host, "name": name, "active": True,
                           "allowed_actions": ["start", "stop"]}])
    r = a.action({"action": "restart", "container": name})
    assert r["ok"] is False and r["error"] == "refused" and "not allowed" in r["message"]
    a.save("containers", [{"host": a.host, "name": name, "active": False,
                           "allowed_actions": ["restart"]}])
    r = a.action({"action": "restart", "container": name})
    assert r["ok"] is False and "inactive" in r["message"]
    a.wait_container(name, lambda c: c["active"] is False, timeout=3)
    a.save("containers", [{"host": a.host, "name": name, "active": True,
                           "allowed_actions": ["restart"]}])
    assert a.action({"action": "restart", "container": name})["ok"] is True
    # removed from the configuration: refused, and gone from the status
    a.save("containers", [])
    r = a.action({"action": "restart", "container": name})
    assert r["ok"] is False and "not configured" in r["message"]
    wait_for(lambda: name not in (a.status() or {}).get("containers", {name: 1}), timeout=3,
             what="container dropped from the status")


def test_stats_interval_applies_live(tmp, broker, agents, ctr):
    name = ctr.run()
    a = agents(broker)
    a.configure([(name, True, ALL)], docker={"stats_interval_seconds": 2,
                                             "stop_timeout_seconds": 1})
    a.wait_container(name, lambda c: c["mem_bytes"], timeout=8, what="first sample")

    def samples(since):
        return {b["containers"][name]["updated"] for _, b in a.watch.of("status", since)
                if name in b["containers"] and b["containers"][name]["mem_bytes"]}
    t0 = time.monotonic()
    time.sleep(7)
    fast = samples(t0)
    assert len(fast) >= 2, f"every 2 s: {sorted(fast)}"
    a.save("docker", {"stats_interval_seconds": 3600, "stop_timeout_seconds": 1})
    wait_for(lambda: a.status()["docker"]["stats_interval_s"] == 3600, timeout=3,
             what="new interval reported")
    time.sleep(2.5)                          # a sample in flight may still land
    t1 = time.monotonic()
    time.sleep(6)
    assert len(samples(t1)) == 0, f"sampled although the interval is 1 h: {samples(t1)}"
    a.save("docker", {"stats_interval_seconds": 2, "stop_timeout_seconds": 1})
    t2 = time.monotonic()
    wait_for(lambda: len(samples(t2)) >= 2, timeout=8, what="sampling every 2 s again")


# ---------------------------------------------------------------------------
# Tasks


def test_once_task_runs_even_with_the_broker_down(tmp, agents, ctr):
    b = Broker(tmp).start()
    try:
        name = ctr.run()
        a = agents(b)
        now = time.time()
        at = (int(now + 5) // 60 + 1) * 60              # next minute >= 5 s ahead
        when = time.gmtime(at)
        task = {"id": "t-once", "host": a.host, "container": name, "action": "restart",
                "cycle": "once", "date": time.strftime("%Y-%m-%d", when),
                "time": time.strftime("%H:%M", when), "timezone": "UTC", "active": True}
        a.configure([(name, True, ["restart"])], tasks=[task])
        want = time.strftime("%Y-%m-%dT%H:%M:%SZ", when)
        rep = wait_for(lambda: (a.topic("tasks") or {}).get("tasks", {}).get("t-once"),
                       timeout=5, what="tasks report")
        assert rep["next_run"] == want and rep["last_run"] is None
        assert rep["last_result"] is None and rep["description"].startswith("once on ")
        before = inspect(name)["State"]["StartedAt"]
        # The broker goes away before the task is due: the agent runs it anyway,
        # from the configuration it has.
        b.kill9()
        wait_for(lambda: inspect(name)["State"]["StartedAt"] != before,
                 timeout=at - time.time() + 15, step=0.2, what="the task to restart it")
        started = inspect(name)["State"]["StartedAt"]
        assert iso_epoch(started[:19] + "Z") >= at - 1
        line = wait_for(lambda: [x for x in a.audit_lines() if x.get("task") == "t-once"],
                        timeout=5, what="audit line of the task")
        assert len(line) == 1 and line[0]["ok"] is True and line[0]["by"] == "task t-once"
        assert line[0]["action"] == "restart" and line[0]["container"] == name
        assert line[0]["start_ms"] / 1000 - at < 2.0, "the task started late"
        assert a.proc.alive()
        # Back with the broker: the tasks report (resent after the reconnect)
        # shows the run.
        b.start()
        a.reconnect_ctl()

        def ran():
            t = (a.topic("tasks") or {}).get("tasks", {}).get("t-once") or {}
            return t if t.get("last_result") else None
        rep = wait_for(ran, timeout=20, what="the tasks report after the reconnect")
        assert rep["last_result"] == "ok", rep
        assert rep["next_run"] is None                   # once: done
        assert iso_epoch(rep["last_run"]) >= at - 1
        assert name in rep["last_message"]
        # The run did not go through the broker: the agent kept it and
        # reported it once the broker was back, for the broker's audit log.

        def reported():
            r = a.ctl.request("AUDIT", json.dumps({"kind": "action", "container": name}))
            if not r or r[0] != "ENTRIES":
                return None
            return [e for e in json.loads(r[2])["entries"] if e.get("reported")] or None
        got = wait_for(reported, timeout=20, what="the task run in the broker's audit log")
        assert len(got) == 1, got
        assert got[0]["peer"] == a.peer and got[0]["role"] == "docker"
        assert got[0]["for"] == {"task": "t-once"} and got[0]["host"] == a.host
        assert got[0]["result"] == "ok" and got[0]["action"] == "restart"
        assert iso_epoch(got[0]["time"]) >= at - 1
    finally:
        b.stop()


def test_fifty_containers(tmp, broker, agents, ctr):
    """Stats of 50 running containers every 2 s do not delay actions or
    events; prints the agent's memory."""
    from concurrent.futures import ThreadPoolExecutor
    names = [ctr.name() for _ in range(50)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: sh("docker", "run", "-d", "--network", "none", "--name", n,
                                   IMAGE, "sleep", "100000"), names))
    a = agents(broker)
    a.configure([(n, True, ALL) for n in names], docker={"stats_interval_seconds": 2,
                                                         "stop_timeout_seconds": 1})
    wait_for(lambda: all((c or {}).get("mem_bytes") for c in
                         ((a.status() or {}).get("containers") or {n: None for n in names}
                          ).values()), timeout=20, step=0.2, what="samples of all 50")
    lat = []
    for i in range(12):
        t0 = time.monotonic()
        r = a.action({"action": "logs", "container": names[i], "lines": 1})
        lat.append(time.monotonic() - t0)
        assert r["ok"] is True, r
        time.sleep(0.25)                    # spread over several stats rounds
    lat.sort()
    assert lat[-1] < 0.5, f"an action waited {lat[-1]:.3f} s"
    t0 = time.monotonic()
    sh("docker", "kill", names[-1])
    a.wait_container(names[-1], lambda c: c["state"] == "exited", timeout=1.5, what="exited")
    event = time.monotonic() - t0
    mem = {line.split(":")[0]: line.split()[1] for line in open(f"/proc/{a.proc.pid}/status")
           if line.startswith(("VmRSS:", "RssAnon:", "RssFile:"))}
    print(f"50 containers, stats every 2 s: logs action median {lat[len(lat) // 2] * 1000:.0f} ms"
          f" max {lat[-1] * 1000:.0f} ms; docker kill to report {event * 1000:.0f} ms;"
          f" agent VmRSS {mem['VmRSS']} KiB (anonymous {mem['RssAnon']} KiB, shared-library"
          f" files {mem['RssFile']} KiB)")


# ---------------------------------------------------------------------------
# Broker and Docker going away


def test_broker_restart(tmp, agents, ctr):
    b = Broker(tmp).start()
    try:
        name = ctr.run()
        a = agents(b)
        a.configure([(name, True, ALL)])
        assert a.action({"action": "restart", "container": name})["ok"] is True
        b.kill9()
        time.sleep(4)                      # past the client's down detection
        assert a.proc.alive(), "the agent died with the broker"
        # Docker keeps being followed meanwhile
        sh("docker", "kill", name)
        b.start()
        a.reconnect_ctl()
        wait_for(lambda: (a.peer_row() or {}).get("connected"), timeout=20,
                 what="agent back on the new broker")
        a.wait_container(name, lambda c: c["state"] == "exited", timeout=10)
        r = a.action({"action": "start", "container": name})
        assert r["ok"] is True and r["state"] == "running"
        assert "unreachable" in open(os.path.join(tmp, f"{a.host}.log")).read()
    finally:
        b.stop()


def test_runs_on_cache_when_broker_down_at_start(tmp, agents, ctr):
    b = Broker(tmp).start()
    try:
        name = ctr.run()
        a = agents(b)
        a.configure([(name, True, ["stop", "start"])])
        assert a.proc.stop() == 0
        b.stop()
        assert os.path.exists(a.cache) and os.stat(a.cache).st_mode & 0o777 == 0o600
        a.proc = Proc([bin_path("ddc-docker"), "--broker", b.ctl, "--host", a.host, "--cache",
                       a.cache, "--audit", a.audit, "-v"], os.path.join(tmp, f"{a.host}-2.log"))
        wait_for(lambda: "cache" in open(a.proc.log_path).read(), timeout=5,
                 what="agent started from its cache")
        b.start()
        a.reconnect_ctl()
        wait_for(lambda: (a.peer_row() or {}).get("connected"), timeout=20, what="reconnected")
        r = a.action({"action": "stop", "container": name})
        assert r["ok"] is True, r
    finally:
        b.stop()


# ---------------------------------------------------------------------------
# Command line: flags, SIGTERM, ddc-ctl


def test_bad_flags_exit_2(tmp):
    agent = bin_path("ddc-docker")
    for args in (["--nope"], ["--broker"], ["--broker", "ipc:///x", "extra"],
                 ["--broker", "http://x"], ["--broker", "ipc:///x", "--host", "bad host"],
                 ["--broker", "ipc:///x", "--cert", "only-one"]):
        r = subprocess.run([agent, *args], capture_output=True, text=True, timeout=10,
                           env={k: v for k, v in os.environ.items() if k != "DDC_BROKER"})
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "ddc-docker" in r.stderr, r.stderr
    r = subprocess.run([agent], capture_output=True, text=True, timeout=10,
                       env={k: v for k, v in os.environ.items() if k != "DDC_BROKER"})
    assert r.returncode == 2 and "DDC_BROKER" in r.stderr
    r = subprocess.run([agent, "--help"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and "--docker-socket" in r.stdout and "--audit" in r.stdout
    r = subprocess.run([agent, "--version"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0 and r.stdout.startswith("ddc-docker ")


def test_sigterm_exit_0_and_bad_socket_not_fatal(tmp, broker, agents):
    a = agents(broker, extra=["--docker-socket", os.path.join(tmp, "no-docker.sock")])
    st = wait_for(lambda: (lambda s: s if s and s["docker"]["error"] else None)(a.status()),
                  timeout=5, what="unreachable reported")
    assert st["docker"]["reachable"] is False and "no-docker.sock" in st["docker"]["error"]
    assert a.proc.alive()
    t0 = time.monotonic()
    assert a.proc.stop() == 0
    assert time.monotonic() - t0 < 3
    wait_for(lambda: not (a.peer_row() or {}).get("connected"), timeout=3,
             what="BYE seen by the broker")


def test_sigterm_answers_pending_actions(tmp, broker, agents, ctr):
    slow = ctr.run()                       # busybox sleep ignores SIGTERM: stop takes t
    queued = ctr.run()
    a = agents(broker)
    a.configure([(slow, True, ALL), (queued, True, ALL)],
                docker={"stats_interval_seconds": 10, "stop_timeout_seconds": 6})
    a.wait_container(slow, lambda c: c["state"] == "running")
    ids = []
    for body in ({"action": "stop", "container": slow}, {"action": "start", "container": slow}):
        rid = a.ctl.req_id()
        ids.append(rid)
        a.ctl.send("ACTION", rid, a.peer, 60000, json.dumps(body))
    time.sleep(0.5)
    t0 = time.monotonic()
    assert a.proc.stop() == 0
    assert time.monotonic() - t0 < 3
    got = {}
    while len(got) < 2:
        m = a.ctl.recv(3000)
        assert m is not None, f"results missing: {got}"
        if m[1] in ids:
            got[m[1]] = json.loads(m[2])
    for rid in ids:
        assert got[rid]["ok"] is False and "ddc-docker" in got[rid]["message"], got[rid]
    # the stop it had asked for still happens in Docker; nothing else does
    wait_for(lambda: inspect(slow)["State"]["Status"] == "exited", timeout=30, step=0.5,
             what="Docker to finish the stop")


def ctl(broker, *args, timeout=90):
    r = subprocess.run([bin_path("ddc-ctl"), "--broker", broker.ctl, *args],
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def test_ctl_containers_and_action(tmp, broker, agents, ctr):
    name = ctr.run("sh", "-c", "echo hello-from-ddc; sleep 100000")
    other = ctr.create()
    a = agents(broker)
    a.configure([(name, True, ["restart", "logs"])])
    a.wait_container(name, lambda c: c["state"] == "running")
    wait_for(lambda: any(x["name"] == other for x in a.topic("inventory")["containers"]),
             what="inventory")

    rc, out, err = ctl(broker, "containers", a.host)
    assert rc == 0, err
    assert "NAME" in out and "UPTIME" in out and name in out and "running" in out
    assert "other containers" in out and other in out
    rc, out, err = ctl(broker, "containers", a.host, "--json")
    data = json.loads(out)
    assert rc == 0 and set(data) == {a.host}
    assert data[a.host]["status"]["containers"][name]["state"] == "running"
    assert any(x["name"] == other for x in data[a.host]["inventory"]["containers"])
    rc, out, err = ctl(broker, "containers", "no-such-host")
    assert rc == 1 and "no-such-host" in err

    rc, out, err = ctl(broker, "action", f"{a.host}/{name}", "restart")
    assert rc == 0, err
    assert json.loads(out)["ok"] is True and json.loads(out)["state"] == "running"
    rc, out, err = ctl(broker, "action", f"{a.host}/{name}", "logs", "--lines", "5")
    assert rc == 0 and "hello-from-ddc" in out, (out, err)
    rc, out, err = ctl(broker, "action", f"{a.host}/{name}", "stop")
    assert rc == 1 and "refused" in err and "not allowed" in err
    assert json.loads(out)["error"] == "refused"
    rc, out, err = ctl(broker, "action", f"nohost/{name}", "restart")
    assert rc == 1 and "no connected ddc-docker for host nohost" in err
    rc, out, err = ctl(broker, "action", "noslash", "restart")
    assert rc == 2
    rc, out, err = ctl(broker, "action", f"{a.host}/{name}", "explode")
    assert rc == 2
    # the audit file names the operator ddc-ctl sent
    assert any(x["action"] == "restart" and x["by"] for x in a.audit_lines())

    rc, out, err = ctl(broker, "status")
    assert rc == 0 and f"docker@{a.host}" in out and "docker: reachable" in out, out


def test_ctl_action_broker_unreachable(tmp):
    r = subprocess.run([bin_path("ddc-ctl"), "--broker", f"ipc://{tmp}/nothing.sock",
                        "--timeout", "1", "action", "h/c", "restart"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 5, r.stderr
    assert "unreachable" in r.stderr
