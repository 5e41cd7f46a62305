"""ddc-broker under hostile peers: each attack from a plain ZeroMQ client,
with the figure it measures printed (run pytest with -s to see them).

Every resource the broker spends on a peer has a bound (proto/ddcp.md
section 10); these tests push each one past it and check that the broker
stays small and quick and that the other peers do not notice.
"""
import json
import os
import random
import signal
import string
import subprocess
import threading
import time

import pytest
import zmq

from conftest import Broker, RawClient, bin_path, curve_keys, free_port, keygen, wait_for


@pytest.fixture(autouse=True)
def _small_asan_quarantine(monkeypatch):
    """Under AddressSanitizer (make test) freed memory is held in a
    quarantine of 256 MB, which would be measured as the broker's: keep it
    small so that the RSS figures mean the same in both builds."""
    opts = os.environ.get("ASAN_OPTIONS", "")
    monkeypatch.setenv("ASAN_OPTIONS", (opts + ":" if opts else "")
                       + "quarantine_size_mb=1:thread_local_quarantine_size_kb=64")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def non_reading(kind, endpoint):
    """A socket that takes in as little as it can and is never read."""
    sock = zmq.Context.instance().socket(kind)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVHWM, 1)
    sock.setsockopt(zmq.RCVBUF, 4096)
    sock.connect(endpoint)
    return sock


def settled_rss_mb(pid, seconds=15):
    """The RSS once it stops moving (two reads 0.25 s apart within 0.5 MB)."""
    last = -1.0
    for _ in range(int(seconds * 4)):
        time.sleep(0.25)
        now = rss_mb(pid)
        if abs(now - last) < 0.5:
            break
        last = now
    return rss_mb(pid)


def ctl(broker, *args, timeout=30, env=None):
    e = {k: v for k, v in os.environ.items() if k not in ("DDC_BROKER", "DDC_CERT", "DDC_BROKER_CERT")}
    e["DDC_BROKER"] = broker.ctl
    e.update(env or {})
    return subprocess.run([bin_path("ddc-ctl"), *args], capture_output=True, text=True,
                          timeout=timeout, env=e)


def figure(name, value, unit):
    print(f"\nFIGURE {name}: {value:.1f} {unit}")


def rand_name(n):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def containers(n, salt="", pad=0):
    return [{"host": "local", "name": f"c{i}", "display_name": f"Container {i} {salt}" + "x" * pad}
            for i in range(n)]


def ping_ms(client):
    t0 = time.monotonic()
    r = client.request("PING", 0, timeout=10000)
    assert r and r[0] == "PONG", r
    return (time.monotonic() - t0) * 1000


def hugz_ok(broker, timeout=5000):
    """A well-behaved subscriber still gets HUGZ."""
    ctx = zmq.Context.instance()
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.LINGER, 0)
    s.connect(broker.pub)
    s.setsockopt(zmq.SUBSCRIBE, b"hugz/")
    try:
        return bool(s.poll(timeout))
    finally:
        s.close(0)


# ---- 1. subscriptions ----------------------------------------------------------

SUBSCRIBE_FLOOD = r"""
import random, string, sys, time, zmq
pub, count, size, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode()
x = zmq.Context.instance().socket(zmq.XSUB)
x.setsockopt(zmq.LINGER, 0)
x.setsockopt(zmq.SNDHWM, 0)
x.connect(pub)
alphabet = string.ascii_lowercase + string.digits
for _ in range(count):
    topic = prefix + "".join(random.choice(alphabet) for _ in range(size - len(prefix))).encode()
    x.send(b"\x01" + topic)
sys.stdout.write("sent\n")
sys.stdout.flush()
sys.stdin.read()
"""


def test_subscription_flood_keeps_the_broker_small(tmp):
    b = Broker(tmp).start()
    base = rss_mb(b.proc.pid)
    # Long random topics, then short ones under an accepted prefix, each
    # from a process of its own (a subscriber is a process on ipc).
    attackers = []
    for count, size, prefix in ((3000, 4096, ""), (20000, 200, "status/")):
        p = subprocess.Popen(["/usr/bin/python3", "-c", SUBSCRIBE_FLOOD, b.pub, str(count),
                              str(size), prefix], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert p.stdout.readline().strip() == b"sent"
        attackers.append(p)
    # Let the broker take in whatever reaches it, then measure.
    grown = settled_rss_mb(b.proc.pid) - base
    figure("broker RSS growth after 3,000 x 4 KB and 20,000 x 200 B subscriptions", grown, "MB")
    assert b.proc.alive()
    assert hugz_ok(b), "a well-behaved subscriber no longer gets HUGZ"
    for p in attackers:
        p.stdin.close()
        p.wait(10)
    assert grown < 40, f"the broker grew by {grown:.0f} MB"
    assert "subscription refused" in b.proc.text()
    b.stop()


def handshake(broker, timeout=5.0):
    """Connect a SUB socket to the PUB endpoint: "ok" (its handshake
    succeeded), "refused" (the broker's ZAP handler refused it) or None."""
    from zmq.utils.monitor import recv_monitor_message
    s = zmq.Context.instance().socket(zmq.SUB)
    s.setsockopt(zmq.LINGER, 0)
    mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH)
    try:
        s.connect(broker.pub)
        if not mon.poll(int(timeout * 1000)):
            return None
        event = recv_monitor_message(mon)["event"]
        return "ok" if event == zmq.EVENT_HANDSHAKE_SUCCEEDED else "refused"
    finally:
        s.disable_monitor()
        mon.close(0)
        s.close(0)


def test_refused_subscriber_is_refused_at_the_handshake_for_a_while(tmp):
    """A subscriber refused for its subscriptions (this test's process) is
    refused at the handshake when it connects again within its window (5 s,
    proto/ddcp.md section 6), before its connection reaches the PUB
    socket, and served again after it; others are served all along."""
    b = Broker(tmp).start()
    assert handshake(b) == "ok"
    x = zmq.Context.instance().socket(zmq.XSUB)
    x.setsockopt(zmq.LINGER, 0)
    x.connect(b.pub)
    x.send(b"\x01not-a-topic/")
    wait_for(lambda: "subscription refused" in b.proc.text(), what="the refusal")
    refused_at = time.monotonic()
    x.close(0)
    assert handshake(b) == "refused"
    # another process is served meanwhile
    other = subprocess.run(["/usr/bin/python3", "-c", HUGZ_ONCE, b.pub], timeout=30)
    assert other.returncode == 0, "another subscriber was not served during the window"
    r = ctl(b, "status", "--json")
    assert r.returncode == 0, r.stderr
    reasons = [x["reason"] for x in json.loads(r.stdout)["broker"]["refused"]]
    assert any("refused a moment ago" in x for x in reasons), reasons
    assert any("refused for 5 s" in x for x in reasons), reasons
    # after the window: served again (one try every 0.2 s)
    outcomes = []
    while time.monotonic() - refused_at < 15:
        outcomes.append((time.monotonic() - refused_at, handshake(b)))
        if outcomes[-1][1] == "ok":
            break
        time.sleep(0.2)
    assert outcomes[-1][1] == "ok", outcomes
    assert all(t >= 4.5 for t, o in outcomes if o == "ok"), outcomes
    assert all(o == "refused" for t, o in outcomes if t < 4.5), outcomes
    assert hugz_ok(b), "the subscriber is not served after its window"
    figure("first handshake served after the refusal", outcomes[-1][0], "s")
    b.stop()


HUGZ_ONCE = r"""
import sys, zmq
s = zmq.Context.instance().socket(zmq.SUB)
s.setsockopt(zmq.LINGER, 0)
s.connect(sys.argv[1])
s.setsockopt(zmq.SUBSCRIBE, b"hugz/")
sys.exit(0 if s.poll(5000) else 1)
"""


# ---- 2. status reports -------------------------------------------------------

def fill_reports(client, body_bytes, topics):
    """As many reports as the broker takes (a kept REPORT gets no answer)."""
    body = json.dumps({"junk": "x" * body_bytes})
    for t in range(topics):
        client.send("REPORT", client.req_id(), f"t{t}", body)
    ping_ms(client)         # answered after every REPORT before it
    while client.sock.poll(0):
        client.sock.recv_multipart()


def test_hostile_reports_do_not_break_status(tmp):
    b = Broker(tmp).start()
    hostile = []
    for i in range(4):
        c = RawClient(b.ctl, role="monitor", instance=f"evil{i}")
        c.hello()
        hostile.append(c)
    # Two 900 KB reports each: today's attack. Then as many 250 KB topics as are taken.
    for c in hostile:
        fill_reports(c, 900 * 1024, 2)
        fill_reports(c, 250 * 1024, 16)
    r = ctl(b, "status")
    assert r.returncode == 0, r.stderr
    probe = RawClient(b.ctl, role="monitor", instance="probe")
    probe.hello()
    times = []
    for _ in range(5):
        t0 = time.monotonic()
        rep = probe.request("STATUS", 0, 0, timeout=15000)
        times.append((time.monotonic() - t0) * 1000)
        assert rep and rep[0] == "PEERS", rep
        assert len(rep[2]) <= 1024 * 1024
    figure("STATUS reply time with 4 hostile peers at their report limits", max(times), "ms")
    assert max(times) < 250
    # The full reports come on request, a page at a time, each fitting.
    offset, pages, kept = 0, 0, 0
    while offset is not None:
        rep = probe.request("STATUS", offset, "*", timeout=15000)
        assert rep and rep[0] == "PEERS", rep
        assert len(rep[2]) <= 1024 * 1024
        page = json.loads(rep[2])
        kept += sum(len(json.dumps(p.get("status", {}))) for p in page["peers"])
        offset, pages = page["next"], pages + 1
    figure(f"full reports in {pages} STATUS pages", kept / 1024, "KiB")
    assert pages >= 2 and kept > 4 * 400 * 1024
    figure("broker RSS with 4 peers at their report limits", rss_mb(b.proc.pid), "MB")
    # A peer that went away takes its reports with it.
    hostile[0].request("BYE")
    table = json.loads(probe.request("STATUS", 0, 0)[2])
    assert "evil0" not in json.dumps(table)
    b.stop()


def sanitized():
    """True for the sanitizer build (make test): ASan's allocator and checks
    make each loop step several times dearer in CPU."""
    with open(bin_path("ddc-broker"), "rb") as f:
        return b"__asan_init" in f.read()


def hammer_reports(broker, instance, stop, pause, pages):
    """A monitor peer that keeps two reports of 250 KB at its limit and asks
    for the first `pages` STATUS pages with every report, every `pause`
    seconds, until `stop`; it reads what comes back without looking."""
    c = RawClient(broker.ctl, role="monitor", instance=instance)
    # the other hammers may already keep the broker busy (the sanitizer
    # build on a loaded machine once took more than 3 s to welcome one)
    t0 = time.monotonic()
    r = c.request("HELLO", "DDCP/1", c.role, c.instance, timeout=15000)
    # what came instead (None: nothing) tells a refusal from a wait
    assert r and r[0] == "WELCOME", \
        f"{instance}: no WELCOME after {time.monotonic() - t0:.1f} s: {r!r:.300}"
    # Sends give up when the broker is gone (after a SIGTERM).
    c.sock.setsockopt(zmq.SNDTIMEO, 100)
    body = json.dumps({"junk": "y" * (250 * 1024)})
    n = 0
    while not stop.is_set():
        try:
            c.send("REPORT", f"r{n}", f"t{n % 2}", body)
            c.send("STATUS", f"s{n}", n % pages, "*")
        except zmq.Again:
            pass
        n += 1
        while c.sock.poll(0):
            c.sock.recv_multipart()
        time.sleep(pause)
    c.close()


def test_loop_stays_quick_and_sigterm_is_prompt_under_hostile_reports(tmp):
    b = Broker(tmp).start()
    stop = threading.Event()

    threads = [threading.Thread(target=hammer_reports, args=(b, f"hammer{i}", stop, 0.002, 1))
               for i in range(4)]
    for t in threads:
        t.start()
    try:
        pinger = RawClient(b.ctl, role="monitor", instance="pinger")
        pinger.hello()
        worst = max(ping_ms(pinger) for _ in range(100))
        figure("worst PING round trip while 4 peers flood reports and STATUS", worst, "ms")
        r = ctl(b, "status", "--json")
        assert r.returncode == 0, r.stderr
        loop = json.loads(r.stdout)["broker"]["loop"]
        figure("broker's longest loop step under that load", loop["longest_ms"], "ms")
        figure(f"the same in its own CPU time ({loop['longest_cpu_what']})",
               loop["longest_cpu_ms"], "ms")
        assert loop["longest_at"] and loop["longest_what"] and loop["longest_cpu_what"]
        assert loop["longest_cpu_ms"] < 100
        assert worst < 200
        t0 = time.monotonic()
        b.proc.proc.send_signal(signal.SIGTERM)
        b.proc.proc.wait(10)
        took = time.monotonic() - t0
        figure("SIGTERM to exit under that load", took * 1000, "ms")
        assert b.proc.proc.returncode == 0
        assert took < 2.0
    finally:
        stop.set()
        for t in threads:
            t.join()


# Subscribers that flood random topics from one process, connection after
# connection, each closed after half a second (make soak uses it too).
SUBSCRIBER_CHURN = r"""
import random, string, sys, time, zmq
pub, until = sys.argv[1], float(sys.argv[2])
ctx = zmq.Context.instance()
while time.time() < until:
    x = ctx.socket(zmq.XSUB)
    x.setsockopt(zmq.LINGER, 0)
    x.connect(pub)
    for _ in range(2000):
        n = random.choice((20, 150, 190))
        topic = "status/" + "".join(random.choice(string.ascii_lowercase) for _ in range(n))
        try:
            x.send(b"\x01" + topic.encode(), zmq.NOBLOCK)
        except zmq.Again:
            break
    time.sleep(0.5)
    x.close(0)
"""

# N processes that each hold 32 documented topics of 200 bytes (a peer's
# status topics) until `until`; prints "sent" once all have sent them.
TOPIC_HOLDERS = r"""
import os, random, string, sys, time
pub, n, until = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
r, w = os.pipe()
for i in range(n):
    if os.fork() == 0:
        import zmq
        x = zmq.Context().socket(zmq.XSUB)
        x.setsockopt(zmq.LINGER, 0)
        x.connect(pub)
        name = "".join(random.choice(string.ascii_lowercase) for _ in range(180))
        for k in range(32):
            x.send(b"\x01" + f"status/monitor@{name}/t{k:02d}/".encode())
        os.write(w, b".")
        time.sleep(max(0.0, until - time.time()))
        os._exit(0)
got = 0
while got < n:
    got += len(os.read(r, n))
print("sent", flush=True)
for _ in range(n):
    os.wait()
"""


def test_loop_steps_stay_short_under_the_hostile_mix(tmp):
    """No single request holds the loop for more than a few milliseconds of
    the broker's CPU: a peer that asks for snapshots of sections of 300 KB
    and never reads (each was printed anew: some 5 ms), four peers that fill
    their reports and ask for every STATUS page with them (a page of 1 MB
    was some 3 ms), 8 processes that hold 32 status topics of 200 bytes
    each (libzmq walks every subscription of every connection whenever one
    closes: all of them were kept), a subscriber that floods topics connection after connection
    and one that comes and goes.
    CPU time, not wall time: a loaded machine changes it much less."""
    b = Broker(tmp).start()
    # Sections of 240 KB (800 containers) and 200 channels, saved before the broker
    # starts again: the measure begins with the load.
    c = RawClient(b.ctl)
    c.hello()
    r = c.save("containers", containers(800, pad=80))
    assert r and r[0] == "OK", r
    r = c.save("channels", [{"id": str(10**18 + i), "name": f"channel {i} " + "n" * 80,
                             "kind": "status"} for i in range(200)])
    assert r and r[0] == "OK", r
    c.close()
    b.stop()
    b.start()
    seconds = 20
    until = time.time() + seconds + 5
    holders = subprocess.Popen(["/usr/bin/python3", "-c", TOPIC_HOLDERS, b.pub, "8", str(until)],
                               stdout=subprocess.PIPE)
    assert holders.stdout.readline().strip() == b"sent"
    churn = subprocess.Popen(["/usr/bin/python3", "-c", SUBSCRIBER_CHURN, b.pub,
                              str(time.time() + seconds)])
    stop = threading.Event()

    def sloth():
        d = non_reading(zmq.DEALER, b.ctl)
        d.send_multipart([b"HELLO", b"h", b"DDCP/1", b"monitor", b"mix-sloth"])
        n = 0
        while not stop.is_set():
            try:
                d.send_multipart([b"SNAPSHOT", f"s{n}".encode(), b"*"], zmq.NOBLOCK)
            except zmq.Again:
                pass
            n += 1
            time.sleep(0.002)
        d.close(0)

    def visitor():
        while not stop.is_set():
            s = zmq.Context.instance().socket(zmq.SUB)
            s.setsockopt(zmq.LINGER, 0)
            s.connect(b.pub)
            s.setsockopt(zmq.SUBSCRIBE, b"status/monitor@visitor/")
            time.sleep(0.1)
            s.close(0)

    threads = [threading.Thread(target=hammer_reports, args=(b, f"mix{i}", stop, 0.01, 3))
               for i in range(4)]
    threads += [threading.Thread(target=sloth), threading.Thread(target=visitor)]
    for t in threads:
        t.start()
    try:
        churn.wait(seconds + 30)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    r = ctl(b, "status", "--json")
    assert r.returncode == 0, r.stderr
    broker = json.loads(r.stdout)["broker"]
    loop = broker["loop"]
    figure(f"longest loop step under the hostile mix ({loop['longest_what']})",
           loop["longest_ms"], "ms")
    figure(f"the same in the broker's own CPU time ({loop['longest_cpu_what']})",
           loop["longest_cpu_ms"], "ms")
    # Before: 17-30 ms in the release build (the disconnection of a
    # subscriber among 100 KB of kept topics, a SNAPSHOT printed anew).
    # Under ASan a step's CPU is mostly ASan's (an allocation costs many
    # times more, and 250 KB reports are checked byte by byte): a loose
    # bound there, where before STATUS went unanswered for 5 s.
    assert loop["longest_cpu_ms"] < (500 if sanitized() else 8), loop
    assert broker["held"]["topic_bytes"] <= 8 * 1024
    assert hugz_ok(b), "a well-behaved subscriber no longer gets HUGZ"
    holders.kill()
    holders.wait(10)
    b.stop()


# ---- 3. history ----------------------------------------------------------------

def test_history_with_40_containers_after_300_saves(tmp):
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()
    for i in range(300):
        r = c.save("containers", containers(40, salt=str(i)))
        assert r and r[0] == "OK", r
    t0 = time.monotonic()
    r = ctl(b, "history", "containers")
    took = (time.monotonic() - t0) * 1000
    assert r.returncode == 0, r.stderr
    figure("ddc-ctl history containers with 40 containers after 300 saves", took, "ms")
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    assert len(lines) >= 100, r.stdout[:500]
    rep = c.request("HISTORY", "containers", 0)
    assert rep and rep[0] == "CHANGES"
    figure("CHANGES reply (list, no values)", len(rep[2]) / 1024, "KiB")
    entries = json.loads(rep[2])
    last = entries[-1]
    assert "value" not in last
    one = c.request("HISTORY", "containers", last["rev"])
    assert one and one[0] == "CHANGES", one
    value = json.loads(one[2])[0]["value"]
    assert len(value) == 40 and value[0]["display_name"].startswith("Container 0 299")
    r = ctl(b, "history", "containers", "--rev", str(last["rev"]))
    assert r.returncode == 0 and "Container 0 299" in r.stdout, r.stdout + r.stderr
    figure("broker RSS after 300 saves of 40 containers", rss_mb(b.proc.pid), "MB")
    b.stop()


# ---- 4. queues -----------------------------------------------------------------

def test_non_reading_snapshot_flood_is_bounded(tmp):
    b = Broker(tmp).start()
    c = RawClient(b.ctl)
    c.hello()
    big = containers(450, pad=80)
    r = c.save("containers", big)
    assert r and r[0] == "OK", r
    size = len(c.request("SNAPSHOT", "containers")[4])
    base = rss_mb(b.proc.pid)
    d = non_reading(zmq.DEALER, b.ctl)
    d.send_multipart([b"HELLO", b"h1", b"DDCP/1", b"monitor", b"sloth"])
    time.sleep(0.2)
    for i in range(3000):
        d.send_multipart([b"SNAPSHOT", f"s{i}".encode(), b"containers"])
    pinger = RawClient(b.ctl, role="monitor", instance="pinger")
    pinger.hello()
    # The broker answered every request once a PING behind them comes back.
    for _ in range(3):
        ping_ms(pinger)
    grown = settled_rss_mb(b.proc.pid) - base
    figure(f"broker RSS growth with 3,000 unread {size // 1024} KB snapshots", grown, "MB")
    assert grown < 64, f"grew {grown:.0f} MB"
    d.close(0)
    b.stop()


def test_non_reading_status_pages_are_bounded_in_bytes(tmp):
    """Replies queued to a peer that does not read are bounded in bytes
    (4 MiB), not in count: 32 STATUS pages of 1 MB each were 32 MB."""
    b = Broker(tmp).start()
    for i in range(4):
        c = RawClient(b.ctl, role="monitor", instance=f"big{i}")
        c.hello()
        fill_reports(c, 250 * 1024, 2)
    probe = RawClient(b.ctl, role="monitor", instance="probe")
    probe.hello()
    # A page with one peer's row and its two reports (a page holds 256 KiB
    # of rows, or one row): the sloth below asks for it again and again.
    offset = 0
    page = probe.request("STATUS", offset, "*", timeout=15000)
    while page and len(page[2]) < 500 * 1024 and json.loads(page[2])["next"] is not None:
        offset = json.loads(page[2])["next"]
        page = probe.request("STATUS", offset, "*", timeout=15000)
    assert page and page[0] == "PEERS" and len(page[2]) > 500 * 1024, page and len(page[2])
    base = rss_mb(b.proc.pid)
    d = non_reading(zmq.DEALER, b.ctl)
    d.send_multipart([b"HELLO", b"h1", b"DDCP/1", b"monitor", b"sloth"])
    for i in range(200):
        d.send_multipart([b"STATUS", f"s{i}".encode(), str(offset).encode(), b"*"])
    grown = settled_rss_mb(b.proc.pid) - base
    figure("broker RSS growth with 200 unread 500 KB STATUS pages", grown, "MB")

    def held():
        return json.loads(probe.request("STATUS", 0, "-", timeout=15000)[2])["broker"]["held"]
    wait_for(lambda: held().get("replies_dropped"), timeout=30, what="replies dropped")
    figure("replies queued to it", held()["reply_bytes"] / 2**20, "MiB")
    assert held()["reply_bytes"] <= 4 * 2**20
    assert grown < 16, f"grew {grown:.0f} MB"
    assert "replies dropped: over 4 MiB of replies queued to a peer" in b.proc.text()
    d.close(0)
    b.stop()


def test_stalled_status_subscriber_is_bounded(tmp):
    """Published messages queued to a subscriber that does not read are
    bounded in bytes (8 MiB): past that it is disconnected. 256 queued
    messages of 250 KB were 64 MB."""
    b = Broker(tmp).start()
    s = non_reading(zmq.SUB, b.pub)
    s.setsockopt(zmq.SUBSCRIBE, b"status/")
    assert hugz_ok(b)
    base = rss_mb(b.proc.pid)
    c = RawClient(b.ctl, role="monitor", instance="talker")
    c.hello()
    body = json.dumps({"junk": "z" * (250 * 1024)})
    peak = 0.0
    for i in range(600):
        c.send("REPORT", f"r{i}", "t", body)
        if i % 20 == 0:
            while c.sock.poll(0):
                c.sock.recv_multipart()
            peak = max(peak, rss_mb(b.proc.pid))
    ping_ms(c)
    grown = max(peak, rss_mb(b.proc.pid)) - base
    figure("broker RSS growth with a stalled status/ subscriber and 600 x 250 KB reports", grown, "MB")
    held = json.loads(c.request("STATUS", 0, "-", timeout=15000)[2])["broker"]["held"]
    figure("published bytes queued", held["pub_bytes"] / 2**20, "MiB")
    assert held["pub_bytes"] <= 8 * 2**20 + 256 * 1024
    assert grown < 40, f"grew {grown:.0f} MB"
    assert "a subscriber that does not read" in b.proc.text()
    s.close(0)
    b.stop()


# ---- 5. identity -------------------------------------------------------------

def test_certificate_binds_the_instance(tmp):
    keys = curve_keys(tmp)
    port = free_port()
    b = Broker(tmp, ctl=f"tcp://127.0.0.1:{port}", pub=f"tcp://127.0.0.1:{free_port()}",
               extra=["--keys", keys])
    other = keygen(keys, "other", "docker")
    nas = keygen(keys, "nas", "docker")
    fleet = keygen(keys, "fleet", "docker", "edge-*,nas2")
    admin = keygen(keys, "admin", "ctl")
    b.start(wait=False)
    wait_for(lambda: os.path.exists(os.path.join(keys, "broker.cert")), what="broker key")
    with open(os.path.join(keys, "broker.cert")) as f:
        server = [l.split('"')[1] for l in f if "public-key" in l][0].encode()
    liar = RawClient(b.ctl, role="docker", instance="nas", curve=(other[0], other[1], server))
    r = wait_for(lambda: liar.request("HELLO", "DDCP/1", "docker", "nas", timeout=500),
                 timeout=15, what="an answer to the liar")
    assert r[0] == "ERROR" and r[2] == "403", r
    honest = RawClient(b.ctl, role="docker", instance="nas", curve=(nas[0], nas[1], server))
    assert honest.hello()[0] == "WELCOME"
    edge = RawClient(b.ctl, role="docker", instance="edge-7", curve=(fleet[0], fleet[1], server))
    assert edge.hello()[0] == "WELCOME"
    stray = RawClient(b.ctl, role="docker", instance="nas", curve=(fleet[0], fleet[1], server))
    r = stray.request("HELLO", "DDCP/1", "docker", "nas")
    assert r[0] == "ERROR" and r[2] == "403", r
    # An unknown key never completes the handshake; it is logged and listed.
    bad_pub, bad_sec = zmq.curve_keypair()
    bad = RawClient(b.ctl, role="docker", instance="x", curve=(bad_pub, bad_sec, server))
    assert bad.request("HELLO", "DDCP/1", "docker", "x", timeout=800) is None
    env = {"DDC_CERT": admin[2], "DDC_BROKER_CERT": os.path.join(keys, "broker.cert")}
    r = ctl(b, "status", "--json", env=env)
    assert r.returncode == 0, r.stderr
    refused = json.loads(r.stdout)["broker"]["refused"]
    reasons = " | ".join(f"{x['certificate']} {x['reason']}" for x in refused)
    print("\nFIGURE refused:", reasons)
    assert any(x["certificate"] == "other" and "nas" in x["reason"] for x in refused), refused
    assert any(x["certificate"] == "" and x["address"].startswith("127.0.0.1") for x in refused), refused
    r = ctl(b, "status", env=env)
    assert "refused" in r.stdout and "other" in r.stdout, r.stdout
    for c in (liar, honest, edge, stray, bad):
        c.close()
    b.stop()
    log = b.proc.text()
    assert "other" in log and "refused" in log


def test_curve_subscriber_is_served_and_a_long_topic_refused(tmp):
    """A subscriber over CURVE gets through the handshake (its INITIATE
    command is some 300 bytes: the PUB socket's message bound admits it)
    and gets HUGZ; a 300-byte topic is refused and its connection closed."""
    keys = curve_keys(tmp)
    b = Broker(tmp, ctl=f"tcp://127.0.0.1:{free_port()}", pub=f"tcp://127.0.0.1:{free_port()}",
               extra=["--keys", keys])
    watcher = keygen(keys, "watcher", "monitor")
    b.start(wait=False)
    wait_for(lambda: os.path.exists(os.path.join(keys, "broker.cert")), what="broker key")
    with open(os.path.join(keys, "broker.cert")) as f:
        server = [l.split('"')[1] for l in f if "public-key" in l][0].encode()

    def sub(topic):
        s = zmq.Context.instance().socket(zmq.SUB)
        s.setsockopt(zmq.LINGER, 0)
        s.curve_publickey, s.curve_secretkey, s.curve_serverkey = watcher[0], watcher[1], server
        s.setsockopt(zmq.SUBSCRIBE, topic)
        s.connect(b.pub)
        return s
    good = sub(b"hugz/")
    assert good.poll(15000), "no HUGZ over CURVE"
    assert good.recv_multipart()[0] == b"hugz/"
    bad = sub(b"status/" + b"x" * 293)
    wait_for(lambda: "topic" in b.proc.text() and "subscription refused" in b.proc.text(),
             what="the long topic refused")
    for s in (good, bad):
        s.close(0)
    b.stop()


def test_ipc_name_cannot_be_taken_while_in_use(tmp):
    b = Broker(tmp).start()
    first = RawClient(b.ctl, role="docker", instance="nas")
    first.hello()
    second = RawClient(b.ctl, role="docker", instance="nas")
    r = second.request("HELLO", "DDCP/1", "docker", "nas")
    assert r[0] == "ERROR" and r[2] == "409", r
    # Actions still reach the first.
    op = RawClient(b.ctl)
    op.hello()
    op.send("ACTION", "a1", "docker@nas", 2000, json.dumps({"action": "status"}))
    fwd = first.recv(3000)
    assert fwd and fwd[0] == "ACTION", fwd
    assert second.recv(300) is None
    # The first goes quiet (a crash): the name is free again within the
    # documented time (the peer timeout), counted from its last message.
    first.close()
    t0 = time.monotonic()
    wait_for(lambda: second.try_hello(timeout=300), timeout=12, what="the name to be free again")
    took = time.monotonic() - t0
    figure("a crashed service's name free again after", took * 1000, "ms")
    assert took < 7.0
    # A clean BYE frees it at once.
    third = RawClient(b.ctl, role="docker", instance="nas")
    second.request("BYE", timeout=300)
    assert third.try_hello(timeout=2000), "the name was not free after BYE"
    r = ctl(b, "status", "--json")
    refused = json.loads(r.stdout)["broker"]["refused"]
    assert any("docker@nas" in x["reason"] for x in refused), refused
    b.stop()
