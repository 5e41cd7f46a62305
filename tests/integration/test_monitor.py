"""The broker's socket events on mon/zmq/ (proto/ddcp.md section 6): real
ddc-broker, real ZeroMQ, real CURVE handshakes and raw TCP peers.

Every connection the broker accepts, every handshake that succeeds or
fails and every connection closed is published as mon/zmq/ctl/ or
mon/zmq/pub/ with the peer's address (the process on ipc://, address and
port on tcp://); over the rate they are summed up in one "suppressed"
event a second.
"""
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time

import zmq

from conftest import Broker, RawClient, bin_path, curve_keys, free_port, keygen, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))


def mon_socket(pub, topic=b"mon/", curve=None):
    """A SUB socket on pub, subscribed to topic, once the broker has the
    subscription (it answers a new one with a HUGZ)."""
    s = zmq.Context.instance().socket(zmq.SUB)
    s.setsockopt(zmq.LINGER, 0)
    if curve:
        s.curve_publickey, s.curve_secretkey, s.curve_serverkey = curve
    s.setsockopt(zmq.SUBSCRIBE, topic)
    s.setsockopt(zmq.SUBSCRIBE, b"hugz/")
    s.connect(pub)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if s.poll(200) and s.recv_multipart()[0] == b"hugz/":
            return s
    raise AssertionError("no HUGZ: the subscription is not in place")


def events(sock, want, seconds=8):
    """(topic, body) of the mon/ messages until want(list) is true."""
    out = []
    deadline = time.monotonic() + seconds
    while not want(out) and time.monotonic() < deadline:
        if sock.poll(100):
            topic, *rest = sock.recv_multipart()
            if topic.startswith(b"mon/"):
                out.append((topic.decode(), json.loads(rest[0])))
    return out


def of(evs, topic=None, address=None):
    return [e for t, e in evs if (topic is None or t == topic)
            and (address is None or e.get("address") == address)]


HELLO_AND_EXIT = """
import sys, zmq
s = zmq.Context.instance().socket(zmq.DEALER)
s.setsockopt(zmq.LINGER, 0)
s.connect(sys.argv[1])
s.send_multipart([b"HELLO", b"r1", b"DDCP/1", b"ctl", b"probe"])
assert s.poll(5000)
print(s.recv_multipart()[0].decode(), flush=True)
"""


def test_connections_on_ipc_name_the_process(broker):
    """A client process connects, says HELLO and exits: the CTL socket's
    accepted, handshake_succeeded and disconnected events name its pid and
    uid; a subscriber's connection shows on mon/zmq/pub/; STATUS counts."""
    sub = mon_socket(broker.pub, b"mon/zmq/")
    p = subprocess.Popen([sys.executable, "-c", HELLO_AND_EXIT, broker.ctl],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=30)
    assert out.strip() == "WELCOME", err
    who = f"pid {p.pid} (uid {os.getuid()})"
    got = events(sub, lambda evs: len(of(evs, "mon/zmq/ctl/", who)) >= 3)
    seq = of(got, "mon/zmq/ctl/", who)
    assert [e["event"] for e in seq] == ["accepted", "handshake_succeeded", "disconnected"], got
    assert all(e["socket"] == "ctl" and e["endpoint"] == broker.ctl and e["detail"] is None
               and e["time"].endswith("Z") for e in seq)
    # a second subscriber: its connection on the PUB socket
    other = zmq.Context.instance().socket(zmq.SUB)
    other.setsockopt(zmq.LINGER, 0)
    other.connect(broker.pub)
    me = f"pid {os.getpid()} (uid {os.getuid()})"
    got = events(sub, lambda evs: len(of(evs, "mon/zmq/pub/", me)) >= 2)
    assert [e["event"] for e in of(got, "mon/zmq/pub/", me)] == [
        "accepted", "handshake_succeeded"], got
    other.close(0)
    got = events(sub, lambda evs: of(evs, "mon/zmq/pub/", me))
    assert [e["event"] for e in of(got, "mon/zmq/pub/", me)] == ["disconnected"], got
    # STATUS keeps the counts
    c = RawClient(broker.ctl)
    c.hello()
    zmq_status = json.loads(c.request("STATUS", 0, "-")[2])["broker"]["zmq"]
    assert zmq_status["ctl"]["accepted"] >= 2 and zmq_status["ctl"]["disconnected"] >= 1
    assert zmq_status["pub"]["accepted"] >= 2
    assert zmq_status["published"] >= 6 and zmq_status["suppressed"] == 0
    c.close()
    sub.close(0)


# ---- CURVE ------------------------------------------------------------------

def null_greeting():
    """A ZMTP 3.0 greeting offering the NULL mechanism (RFC 23)."""
    return (b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00")
            + b"\x00" + b"\x00" * 31)


def test_handshake_failures_over_curve(tmp):
    """A certificate the broker does not know, a client without CURVE and
    a client with the wrong server key: each failed handshake is published
    with what failed and the peer's address and port, and the protocol
    errors are listed among the refusals."""
    keys = curve_keys(tmp)
    port = free_port()
    b = Broker(tmp, ctl=f"tcp://127.0.0.1:{port}", pub=f"tcp://127.0.0.1:{free_port()}",
               extra=["--keys", keys])
    watcher = keygen(keys, "watcher", "monitor")
    admin = keygen(keys, "admin", "ctl")
    b.start(wait=False)
    wait_for(lambda: os.path.exists(os.path.join(keys, "broker.cert")), what="broker key")
    with open(os.path.join(keys, "broker.cert")) as f:
        server = [l.split('"')[1] for l in f if "public-key" in l][0].encode()
    good = RawClient(b.ctl, role="ctl", instance="admin", curve=(admin[0], admin[1], server))
    wait_for(lambda: good.try_hello(timeout=300), timeout=15, what="the broker")
    sub = mon_socket(b.pub, b"mon/zmq/ctl/", curve=(watcher[0], watcher[1], server))

    # 1. a certificate not in the clients folder: the ZAP handler refuses it
    bad_pub, bad_sec = zmq.curve_keypair()
    stranger = RawClient(b.ctl, role="ctl", curve=(bad_pub, bad_sec, server))
    stranger.send("HELLO", "x1", "DDCP/1", "ctl", "x")
    got = events(sub, lambda evs: any(e["event"] == "handshake_failed_auth" for _, e in evs))
    auth = [e for _, e in got if e["event"] == "handshake_failed_auth"][0]
    # the address from the connection (with its port) or from the ZAP handler
    assert auth["address"].startswith("127.0.0.1") and "ZAP" in auth["detail"], auth
    accepted = [e for _, e in got if e["event"] == "accepted"]
    assert accepted and accepted[-1]["address"] in (None, auth["address"]), got
    assert auth["endpoint"] == b.ctl
    stranger.close()

    # 2. a peer offering no security (NULL) to a CURVE endpoint: its port is known
    # (the greeting waits until the broker has seen the connection: a
    # connection that fails before the broker reads its descriptor has no
    # known address)
    raw = socket.create_connection(("127.0.0.1", port))
    me = f"127.0.0.1:{raw.getsockname()[1]}"
    got = events(sub, lambda evs: of(evs, address=me))
    assert [e["event"] for e in of(got, address=me)] == ["accepted"], got
    raw.sendall(null_greeting())
    got = events(sub, lambda evs: of(evs, address=me))
    failed = of(got, address=me)
    assert [e["event"] for e in failed][:1] == ["handshake_failed_protocol"], got
    assert "mechanism" in failed[0]["detail"], failed[0]
    raw.close()

    # 3. a client with another server key: the broker cannot decrypt its HELLO
    wrong_server, _ = zmq.curve_keypair()
    lost = RawClient(b.ctl, role="ctl", curve=(admin[0], admin[1], wrong_server))
    lost.send("HELLO", "x2", "DDCP/1", "ctl", "y")
    got = events(sub, lambda evs: any(e["event"] == "handshake_failed_protocol"
                                      and e["address"] != me for _, e in evs))
    crypto = [e for _, e in got if e["event"] == "handshake_failed_protocol"][0]
    assert "decrypt" in crypto["detail"], crypto
    assert crypto["address"] is None or crypto["address"].startswith("127.0.0.1:"), crypto
    lost.close()

    # STATUS: the protocol failures are refusals, with the address
    refused = json.loads(good.request("STATUS", 0, "-")[2])["broker"]["refused"]
    reasons = [r for r in refused if r["reason"].startswith("handshake on ")]
    assert any(r["address"] == me and "mechanism" in r["reason"] for r in reasons), refused
    assert any("decrypt" in r["reason"] for r in reasons), refused
    good.close()
    sub.close(0)
    assert b.stop() == 0


def test_a_flood_of_connections_is_summed_up(tmp):
    """300 connections opened and closed at once: at most the rate (20 a
    second, 20 at once) is published one by one, the rest comes as
    "suppressed" events whose counts make up the whole; the broker answers
    all along."""
    port = free_port()
    b = Broker(tmp, ctl=f"tcp://127.0.0.1:{port}", extra=["--insecure"]).start()
    sub = mon_socket(b.pub, b"mon/zmq/ctl/")
    probe = RawClient(b.ctl)
    probe.hello()
    events(sub, lambda evs: False, 1.2)         # the probe's own events, and the rate refills
    n = 300
    t0 = time.monotonic()
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.close()
    assert probe.request("PING", 0)[0] == "PONG"

    def whole(evs):
        one = [e for _, e in evs if e["event"] != "suppressed"]
        summed = sum(e["count"] for _, e in evs if e["event"] == "suppressed")
        return len(one) + summed >= 3 * n
    got = events(sub, whole, 20)
    elapsed = time.monotonic() - t0
    one = [e for _, e in got if e["event"] != "suppressed"]
    sums = [e for _, e in got if e["event"] == "suppressed"]
    print(f"\nFIGURE {n} connections: {len(one)} events published one by one, "
          f"{sum(e['count'] for e in sums)} summed up in {len(sums)} events, {elapsed:.1f} s")
    assert sums, got
    assert len(one) <= 20 + 20 * elapsed + 1
    assert len(one) + sum(e["count"] for e in sums) == 3 * n
    by = {}
    for e in sums:
        for k, v in e["events"].items():
            by[k] = by.get(k, 0) + v
    assert set(by) <= {"accepted", "handshake_failed", "disconnected"}, by
    assert all(e["since"] <= e["time"] for e in sums)
    st = json.loads(probe.request("STATUS", 0, "-")[2])["broker"]["zmq"]
    assert st["ctl"]["accepted"] >= n + 1 and st["suppressed"] == sum(e["count"] for e in sums)
    probe.close()
    sub.close(0)
    assert b.stop() == 0


# ---- the example of proto/ddcp.md and ddc-ctl monitor ------------------------

class Lines:
    """A program's stdout, read line by line in the background."""

    def __init__(self, proc):
        self.proc = proc
        self.q = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.q.put(line.rstrip("\n"))
        self.q.put(None)

    def until(self, pred, seconds=10):
        """Lines read until one matches pred; that line."""
        deadline = time.monotonic() + seconds
        while True:
            for line in self.seen:
                if pred(line):
                    self.seen.remove(line)
                    return line
            left = deadline - time.monotonic()
            try:
                line = self.q.get(timeout=max(left, 0.01))
            except queue.Empty:
                line = None
            if line is None:
                raise AssertionError(f"no such line; read: {self.seen}")
            self.seen.append(line)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def python_example():
    """The Python monitoring client of proto/ddcp.md section 6, as written."""
    with open(os.path.join(HERE, "..", "..", "proto", "ddcp.md")) as f:
        text = f.read()
    start = text.index("  ```python\n") + len("  ```python\n")
    end = text.index("  ```\n", start)
    return "".join(l[2:] if l.strip() else "\n" for l in text[start:end].splitlines(True))


def test_the_python_example_of_the_protocol(broker, tmp):
    code = python_example()
    assert 25 <= len(code.splitlines()) <= 35
    path = os.path.join(tmp, "monitor.py")
    with open(path, "w") as f:
        f.write(code)
    ex = Lines(subprocess.Popen(["/usr/bin/python3", path, broker.ctl], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    try:
        t0 = time.monotonic()
        # the table first: the fixture's own probe is a peer
        ex.until(lambda l: l.startswith("peer ctl@") and l.endswith(" connected"))
        a = RawClient(broker.ctl, role="docker", instance="example")
        a.hello()
        ex.until(lambda l: l.startswith("mon/peer/docker@example/ name=docker@example ")
                 and "connected=True" in l and "reason=hello" in l)
        ex.until(lambda l: l.startswith("mon/zmq/ctl/ socket=ctl event=handshake_succeeded")
                 and f"address=pid {os.getpid()} (uid {os.getuid()})" in l)
        a.send("BYE", a.req_id())
        ex.until(lambda l: l.startswith("mon/peer/docker@example/") and "reason=bye" in l)
        a.close()
        ex.until(lambda l: l.startswith("mon/zmq/ctl/ socket=ctl event=disconnected"))
        # it pings: still connected after the peer timeout would have passed
        wait_for(lambda: time.monotonic() - t0 > 2.5, what="a while")
        c = RawClient(broker.ctl)
        c.hello()
        rows = json.loads(c.request("STATUS", 0, "-")[2])["peers"]
        me = [r for r in rows if r["name"] == f"monitor@py{ex.proc.pid}"]
        assert me and me[0]["connected"] and me[0]["last_seen_ms"] < 1600, rows
        c.close()
        assert ex.proc.poll() is None, ex.seen
    finally:
        ex.stop()


def ctl_monitor(endpoint, *args):
    return Lines(subprocess.Popen([bin_path("ddc-ctl"), "--broker", endpoint, "monitor", *args],
                                  text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL))


def test_ctl_monitor_shows_the_table_then_the_events(broker):
    mon = ctl_monitor(broker.ctl)
    try:
        mon.until(lambda l: l.startswith("NAME ") and "CONNECTED" in l)
        mon.until(lambda l: l.startswith("-- the broker's events"))
        a = RawClient(broker.ctl, role="docker", instance="mon1")
        a.hello()
        mon.until(lambda l: l.endswith(f"  ctl   handshake_succeeded pid {os.getpid()} "
                                       f"(uid {os.getuid()}) on {broker.ctl}"))
        mon.until(lambda l: l.endswith("  peer  docker@mon1 connected (hello)"))
        mon.until(lambda l: l.startswith("peers  ") and "docker@mon1" in l.split(";")[0])
        a.send("BYE", a.req_id())
        mon.until(lambda l: l.endswith("  peer  docker@mon1 gone (bye)"))
        mon.until(lambda l: l.startswith("peers  ") and "1 gone: docker@mon1" in l)
        a.close()
        mon.until(lambda l: "  ctl   disconnected pid " in l)
        t0 = time.monotonic()
        mon.proc.terminate()
        assert mon.proc.wait(10) == 0
        assert time.monotonic() - t0 < 3
    finally:
        if mon.proc.poll() is None:
            mon.stop()


def test_ctl_monitor_json_count_and_unreachable(broker, tmp):
    mon = ctl_monitor(broker.ctl, "--json", "--count", "2")
    table = json.loads(mon.until(lambda l: l.startswith("{")))
    assert "broker" in table and any(p["role"] == "monitor" for p in table["peers"])
    a = RawClient(broker.ctl, role="web", instance="mon2")
    a.hello()
    got = [json.loads(mon.until(lambda l: l.startswith("{"))) for _ in range(2)]
    assert mon.proc.wait(10) == 0
    # (the first two events: most often the new connection's; the fixture's
    # own probe going quiet may come first on a busy machine)
    assert all(g["topic"].startswith("mon/") and isinstance(g["event"], dict)
               and g["event"]["time"].endswith("Z") for g in got), got
    a.close()
    r = subprocess.run([bin_path("ddc-ctl"), "--broker", f"ipc://{tmp}/nobody.sock",
                        "--timeout", "1", "monitor"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 5 and "unreachable" in r.stderr, r
    r = subprocess.run([bin_path("ddc-ctl"), "--broker", broker.ctl, "monitor", "--count", "x"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "--count" in r.stderr, r
