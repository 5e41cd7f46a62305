"""make soak: a mixed hostile load on one ddc-broker for SOAK_SECONDS
(default 600), then the broker's peak RSS, its longest loop step and the
worst PING round trip a well-behaved peer saw. Not part of make test.

The load, all at once and for the whole time: four monitor peers that
keep their reports at the limit and ask for every page of STATUS with the
full reports; a subscriber process that floods random topics and is
disconnected, again and again; a peer that asks for snapshots and never
reads; a status/ subscriber that never reads; a second connection that
tries to take a service's name; a sender of malformed frames. Beside it a
well-behaved service saves every 100 ms, a well-behaved subscriber must see
every one of those saves, and a pinger measures round trips.

Every loop is bounded in time and stops by itself; only ipc:// sockets in a
temporary folder are used.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from conftest import Broker, RawClient  # noqa: E402
from test_hostile import SUBSCRIBER_CHURN, hammer_reports, non_reading, rss_mb  # noqa: E402

SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))



def main():
    tmp = tempfile.mkdtemp(prefix="ddc-soak-")
    b = Broker(tmp).start()
    stop = threading.Event()
    until = time.time() + SECONDS
    errors = []
    registered = threading.Event()
    stats = {"saves": 0, "seen": 0, "ping_worst_ms": 0.0, "pings": 0, "rss_peak": 0.0}

    def guard(fn):
        def run(*args):
            try:
                fn(*args)
            except Exception as e:          # a thread's failure is the soak's failure
                errors.append(f"{fn.__name__}: {e!r}")
                stop.set()
        return run

    @guard
    def reporter(i):
        hammer_reports(b, f"soak-report{i}", stop, 0.01, 3)

    @guard
    def sloth():
        d = non_reading(zmq.DEALER, b.ctl)
        d.send_multipart([b"HELLO", b"h", b"DDCP/1", b"monitor", b"soak-sloth"])
        n = 0
        while not stop.is_set():
            d.send_multipart([b"SNAPSHOT", f"s{n}".encode(), b"*"])
            n += 1
            time.sleep(0.002)
        d.close(0)

    @guard
    def stalled():
        s = non_reading(zmq.SUB, b.pub)
        s.setsockopt(zmq.SUBSCRIBE, b"status/")
        stop.wait()
        s.close(0)

    @guard
    def usurper():
        registered.wait(10)
        while not stop.is_set():
            c = RawClient(b.ctl, role="docker", instance="soak-nas")
            r = c.request("HELLO", "DDCP/1", "docker", "soak-nas", timeout=1000)
            if r and r[0] == "WELCOME":
                errors.append("a second connection took docker@soak-nas")
                stop.set()
            c.close()
            time.sleep(0.2)

    @guard
    def junk():
        c = RawClient(b.ctl)
        rng = random.Random(7)
        while not stop.is_set():
            frames = [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 60)))
                      for _ in range(rng.randint(1, 10))]
            c.sock.send_multipart(frames)
            while c.sock.poll(0):
                c.sock.recv_multipart()
            time.sleep(0.005)
        c.close()

    @guard
    def service():
        # The name the usurper wants, kept alive by pings, and saves.
        agent = RawClient(b.ctl, role="docker", instance="soak-nas")
        agent.hello()
        registered.set()
        saver = RawClient(b.ctl)
        saver.hello()
        n = 0
        while not stop.is_set():
            r = saver.save("bot", {"token": "", "guild_id": "", "language": "de" if n % 2 else "en",
                                   "timezone": "UTC"}, author=f"soak{n}")
            if not r or r[0] != "OK":
                errors.append(f"save {n}: {r}")
                stop.set()
                break
            stats["saves"] += 1
            agent.request("PING", 0, timeout=2000)
            n += 1
            time.sleep(0.1)
        agent.close()
        saver.close()

    @guard
    def follower():
        s = zmq.Context.instance().socket(zmq.SUB)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(b.pub)
        s.setsockopt(zmq.SUBSCRIBE, b"cfg/bot/")
        while not stop.is_set():
            if s.poll(200):
                s.recv_multipart()
                stats["seen"] += 1
        s.close(0)

    @guard
    def pinger():
        c = RawClient(b.ctl, role="monitor", instance="soak-pinger")
        c.hello()
        while not stop.is_set():
            t0 = time.monotonic()
            r = c.request("PING", 0, timeout=10000)
            ms = (time.monotonic() - t0) * 1000
            if not r:
                errors.append("a PING got no answer in 10 s")
                stop.set()
                break
            stats["pings"] += 1
            stats["ping_worst_ms"] = max(stats["ping_worst_ms"], ms)
            time.sleep(0.05)
        c.close()

    flood = subprocess.Popen(["/usr/bin/python3", "-c", SUBSCRIBER_CHURN, b.pub, str(until)])
    threads = [threading.Thread(target=f, args=a) for f, a in
               [(reporter, (i,)) for i in range(4)]
               + [(sloth, ()), (stalled, ()), (usurper, ()), (junk, ()), (service, ()),
                  (follower, ()), (pinger, ())]]
    time.sleep(0.2)
    for t in threads:
        t.start()
    t_start = time.monotonic()
    while time.time() < until and not stop.is_set():
        stats["rss_peak"] = max(stats["rss_peak"], rss_mb(b.proc.pid))
        time.sleep(1)
        if not b.proc.alive():
            errors.append("the broker died")
            break
    stop.set()
    for t in threads:
        t.join(30)
    flood.wait(30)
    elapsed = time.monotonic() - t_start
    probe = RawClient(b.ctl, role="monitor", instance="soak-probe")
    probe.hello()
    table = json.loads(probe.request("STATUS", 0, "-", timeout=10000)[2])
    loop = table["broker"]["loop"]
    probe.close()
    t0 = time.monotonic()
    rc = b.stop()
    stop_ms = (time.monotonic() - t0) * 1000
    time.sleep(0.5)
    # The follower must have seen (nearly) every save: the last ones may be in flight.
    if stats["seen"] < stats["saves"] - 2:
        errors.append(f"the subscriber saw {stats['seen']} of {stats['saves']} saves")
    refused = b.proc.text().count("refused:")
    print(f"soak: {elapsed:.0f} s of mixed hostile load (load average {os.getloadavg()[0]:.1f})")
    print(f"soak: broker peak RSS {stats['rss_peak']:.1f} MB")
    print(f"soak: longest loop step {loop['longest_ms']:.1f} ms ({loop['longest_what']}, "
          f"{loop['longest_at']}) over {loop['steps']:.0f} steps; in the broker's own CPU "
          f"{loop['longest_cpu_ms']:.1f} ms ({loop['longest_cpu_what']})")
    print(f"soak: worst PING round trip {stats['ping_worst_ms']:.1f} ms over {stats['pings']} pings")
    print(f"soak: {stats['saves']} saves acknowledged, {stats['seen']} seen by a subscriber")
    print(f"soak: {refused} refusal lines logged; SIGTERM to exit {stop_ms:.0f} ms (exit {rc})")
    if rc != 0:
        errors.append(f"the broker exited {rc}")
    for e in errors:
        print(f"soak: FAIL: {e}")
    print(f"{0 if errors else 1} passed, {1 if errors else 0} failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
