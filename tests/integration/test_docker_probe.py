"""services/docker (engine + parsers) against the real Docker engine, through
build/bin/ddc-docker-probe.

scripts/ensure-dockerd.sh runs first; when Docker cannot be started the tests
fail (nothing is skipped). Every container and image a test makes is named
ddcprobe-<run id>-..., and removed when the test ends.
"""
import json
import queue
import subprocess
import threading
import time
import uuid

import pytest

import conftest
from conftest import IMAGE, bin_path, sh, terminate, wait_for

def probe(*args, timeout=60):
    """Run the probe; returns (exit code, list of JSON objects, stderr)."""
    r = subprocess.run([bin_path("ddc-docker-probe"), *args], capture_output=True,
                       text=True, timeout=timeout)
    out = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    return r.returncode, out, r.stderr


def probe_one(*args, timeout=60):
    rc, out, err = probe(*args, timeout=timeout)
    assert len(out) == 1, (rc, out, err)
    return rc, out[0]


class Containers(conftest.Containers):
    """Containers and images of one test, named by tag, all removed at the end."""

    def __init__(self):
        super().__init__()
        self.prefix = f"ddcprobe-{uuid.uuid4().hex[:8]}"

    def name(self, tag):
        n = f"{self.prefix}-{tag}"
        self.names.append(n)
        return n

    def run(self, tag, *cmd, tty=False, image=IMAGE):
        n = self.name(tag)
        args = ["docker", "run", "-d", "--name", n, "--network", "none"]
        if tty:
            args.append("-t")
        sh(*args, image, *(cmd or ("sleep", "100000")))
        return n

    def create(self, tag, *cmd, image=IMAGE):
        n = self.name(tag)
        sh("docker", "create", "--name", n, "--network", "none", image,
           *(cmd or ("sleep", "100000")))
        return n


@pytest.fixture
def ctr(docker_ready):
    c = Containers()
    yield c
    c.cleanup()


def find(listing, name):
    for c in listing["containers"]:
        if c["name"] == name:
            return c
    return None


def test_list_includes_running_and_stopped(ctr):
    running = ctr.run("run")
    created = ctr.create("created")
    exited = ctr.run("exited", "sh", "-c", "exit 3")
    wait_for(lambda: sh("docker", "inspect", "-f", "{{.State.Status}}", exited) == "exited",
             what="container to exit")
    rc, listing = probe_one("list")
    assert rc == 0 and listing["status"] == 200, listing
    assert listing["skipped"] == 0
    for name, state in ((running, "running"), (created, "created"), (exited, "exited")):
        c = find(listing, name)
        assert c, f"{name} missing from the list"
        assert c["state"] == state
        assert c["image"] == IMAGE
        assert len(c["id"]) == 64
        assert c["created"] > time.time() - 600
    assert find(listing, exited)["status"].startswith("Exited (3)")
    # Latency of one list call in a fresh process (negotiation ping included).
    times = sorted(probe_one("list")[1]["ms"] for _ in range(5))
    print(f"list latency median {times[2]:.1f} ms over {listing['count']} containers")


def test_inspect_state_and_started_at(ctr):
    running = ctr.run("run")
    created = ctr.create("created")
    rc, info = probe_one("inspect", running)
    assert rc == 0 and info["status"] == 200
    assert info["state"] == "running" and info["running"] is True
    assert abs(info["started_at"] - time.time()) < 120
    assert info["finished_at"] == 0
    assert info["image"] == IMAGE and info["tty"] is False
    rc, info = probe_one("inspect", created)
    assert rc == 0 and info["state"] == "created" and info["running"] is False
    assert info["started_at"] == 0
    rc, info = probe_one("inspect", ctr.prefix + "-nosuch")
    assert rc == 1 and info["status"] == 404
    assert "No such container" in info["error"]
    rc, _, err = probe("inspect", "../containers/json")
    assert rc == 2 and "invalid container name" in err


def test_stats_memory(ctr):
    name = ctr.run("stats")
    rc, st = probe_one("stats", name)
    assert rc == 0 and st["status"] == 200, st
    assert st["running"] is True
    assert st["mem_usage"] > 0 and st["mem_used"] > 0
    assert st["mem_limit"] >= st["mem_used"]
    assert st["online_cpus"] >= 1
    assert 0 <= st["cpu_percent"] <= 100 * st["online_cpus"]
    assert st["pids"] >= 1
    print(f"stats stream=false took {st['ms']:.0f} ms")
    stopped = ctr.create("stopped")
    rc, st = probe_one("stats", stopped)
    assert rc == 0 and st["running"] is False and st["mem_usage"] == 0


def test_logs_tail(ctr):
    words = " ".join(f"line{i}" for i in range(1, 31))
    name = ctr.run("logs", "sh", "-c", f"for w in {words}; do echo $w; done; sleep 100000")
    wait_for(lambda: "line30" in sh("docker", "logs", name), what="30 log lines")
    rc, logs = probe_one("logs", name, "5")
    assert rc == 0 and logs["tty"] is False
    assert logs["lines"] == [f"line{i}" for i in range(26, 31)]
    assert logs["count"] == 5
    rc, logs = probe_one("logs", name, "100")
    assert logs["lines"] == [f"line{i}" for i in range(1, 31)]

    tty = ctr.run("tty", "sh", "-c", "echo one; echo two; echo three; sleep 100000", tty=True)
    wait_for(lambda: "three" in sh("docker", "logs", tty), what="tty log lines")
    rc, logs = probe_one("logs", tty, "2")
    assert rc == 0 and logs["tty"] is True
    assert logs["lines"] == ["two", "three"]


def state_of(name):
    rc, info = probe_one("inspect", name)
    assert rc == 0, info
    return info


def test_start_stop_restart(ctr):
    name = ctr.run("actions")
    rc, r = probe_one("stop", name, "1")
    assert rc == 0 and r["status"] == 204, r
    assert state_of(name)["state"] == "exited"
    rc, r = probe_one("stop", name, "1")
    assert rc == 0 and r["status"] == 304       # already stopped
    rc, r = probe_one("start", name)
    assert rc == 0 and r["status"] == 204
    info = state_of(name)
    assert info["state"] == "running"
    rc, r = probe_one("start", name)
    assert r["status"] == 304                   # already running
    time.sleep(1.1)                             # started_at has 1 s resolution
    rc, r = probe_one("restart", name, "1")
    assert rc == 0 and r["status"] == 204
    after = state_of(name)
    assert after["state"] == "running" and after["started_at"] > info["started_at"]
    print(f"stop t=1: restart took {r['ms']:.0f} ms")
    rc, r = probe_one("start", ctr.prefix + "-nosuch")
    assert rc == 1 and r["status"] == 404


class EventReader:
    """ddc-docker-probe events N in the background, lines on a queue."""

    def __init__(self, seconds):
        self.proc = subprocess.Popen([bin_path("ddc-docker-probe"), "events", str(seconds)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)
        self.q = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            if line.strip():
                self.q.put(json.loads(line))
        self.q.put(None)

    def next(self, timeout):
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return None

    def stop(self):
        terminate(self.proc)


def test_events_report_start_and_die_within_1s(ctr):
    reader = EventReader(30)
    try:
        first = reader.next(10)
        assert first and first.get("ready") is True, first
        assert first["api"] == "1.41"
        name = ctr.name("events")
        t_run = time.time()
        sh("docker", "run", "-d", "--name", name, "--network", "none", IMAGE, "sleep", "100000")
        t_started = time.time()
        sh("docker", "kill", name)
        t_killed = time.time()
        seen = {}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not {"start", "die"} <= set(seen):
            ev = reader.next(1)
            if ev and ev.get("cmd") == "event" and ev.get("name") == name:
                seen.setdefault(ev["action"], ev)
        assert "start" in seen and "die" in seen, seen
        for action, ev in seen.items():
            assert ev["type"] == "container"
            assert len(ev["id"]) == 64
            # From Docker's own event time to our callback.
            assert 0 <= ev["latency_ms"] < 1000, ev
        # And from the command's return to the event reaching the probe.
        assert seen["start"]["recv_ms"] / 1000 - t_started < 1.0
        assert seen["die"]["recv_ms"] / 1000 - t_killed < 1.0
        assert seen["start"]["recv_ms"] / 1000 >= t_run - 0.05
        assert seen["die"]["detail"] == ""
        print("event latency ms: " + ", ".join(
            f"{a}={ev['latency_ms']:.0f}" for a, ev in sorted(seen.items())))
    finally:
        reader.stop()


def test_concurrency_stop_does_not_block(ctr):
    # busybox sleep as PID 1 ignores SIGTERM: stop takes the full 10 s.
    name = ctr.run("slowstop")
    rc, out, err = probe("concurrency", name, timeout=90)
    summary = out[-1]
    assert summary["cmd"] == "concurrency", out
    assert rc == 0, (summary, err)
    assert summary["stop_status"] == 204
    assert summary["stop_ms"] >= 9000
    assert summary["others_done_before_stop"] is True
    assert summary["others_max_latency_ms"] < 1000
    completions = [o for o in out if o.get("cmd") == "completion"]
    others = [c for c in completions if c["op"] != "stop"]
    assert len([c for c in others if c["op"] == "inspect"]) == 5
    assert len([c for c in others if c["op"] == "list"]) == 1
    for c in others:
        assert c["status"] == 200
        assert c["done_ms"] < summary["stop_ms"]
        if c["op"] == "inspect":
            assert c["state"] == "running"      # the stop is still pending
    assert completions[-1]["op"] == "stop"
    print(f"stop {summary['stop_ms']:.0f} ms; other calls at most "
          f"{summary['others_max_latency_ms']:.1f} ms")
    assert state_of(name)["state"] == "exited"


def test_container_of_deleted_image_still_listed(ctr):
    # A unique image (commit), a container from its tag, then the tag removed:
    # Docker keeps the image untagged and lists its id as the image.
    base = ctr.create("base", "true")
    tag = f"{ctr.prefix}-img:1"
    image_id = sh("docker", "commit", base, tag)
    ctr.images.append(image_id)
    orphan = ctr.create("orphan", image=tag)
    sh("docker", "rmi", "-f", tag)
    assert tag not in sh("docker", "images", "--format", "{{.Repository}}:{{.Tag}}")
    rc, listing = probe_one("list")
    assert rc == 0
    c = find(listing, orphan)
    assert c, "container of the deleted image is missing from the list"
    assert c["image"] == image_id
    assert find(listing, base)["image"] == IMAGE
    rc, info = probe_one("inspect", orphan)
    assert rc == 0 and info["image"] == tag
