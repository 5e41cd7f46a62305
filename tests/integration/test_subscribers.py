"""Real subscribers (ddc-testsub, built on services/lib/ddc_client.c) against
the real broker: ordering at fan-out, late join, message loss, broker
restarts, epoch changes, the cache, and rejections."""
import json
import os
import subprocess
import threading

import pytest

from conftest import Broker, RawClient, bin_path, wait_for

ADMIN = "334455667788990011"


class Sub:
    """One ddc-testsub process and the JSON events it printed."""

    def __init__(self, tmp, broker, sections, name, extra=()):
        self.events = []
        self.lock = threading.Lock()
        self.log = open(os.path.join(tmp, f"{name}.log"), "wb")
        self.proc = subprocess.Popen(
            [bin_path("ddc-testsub"), "--broker", broker.ctl, "--instance", name, *extra, *sections],
            stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.events.append(ev)

    def of(self, kind, section=None):
        with self.lock:
            return [e for e in self.events if e.get("event") == kind
                    and (section is None or e.get("section") == section)]

    def last_apply(self, section):
        applies = self.of("apply", section)
        return applies[-1] if applies else None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(5)
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def subs():
    started = []
    yield started
    for s in started:
        s.stop()


def admins(note):
    return [{"id": ADMIN, "note": note}]


def test_twenty_subscribers_see_every_change_in_order(tmp, broker, subs):
    for i in range(20):
        subs.append(Sub(tmp, broker, ["admins", "bot"], f"s{i}"))
    wait_for(lambda: all(s.of("synced") for s in subs), timeout=30, what="20 subscribers synced")
    c = RawClient(broker.ctl)
    c.hello()
    revs = []
    for i in range(30):
        r = c.save("admins", admins(f"n{i}"))
        assert r[0] == "OK"
        revs.append(int(r[3]))
    wait_for(lambda: all((s.last_apply("admins") or {}).get("rev") == revs[-1] for s in subs),
             timeout=20, what="every subscriber at the last revision")
    for s in subs:
        seen = [e["rev"] for e in s.of("apply", "admins") if e["rev"] > 1]
        assert seen == revs, f"{s.proc.pid} saw {seen}"
        assert s.last_apply("admins")["value"] == admins("n29")
    # the broker's table shows every one of them at that revision (an
    # APPLIED may still be on its way when the last apply is logged)
    def all_applied():
        table = json.loads(c.request("STATUS", 0, "-")[2])
        rows = [p for p in table["peers"]
                if p["role"] == "monitor" or p["name"].startswith("monitor@")]
        return len(rows) == 20 and all(p["applied"].get("admins") == revs[-1] for p in rows)
    wait_for(all_applied, timeout=10, what="the table to show every subscriber at the last revision")
    c.close()


def test_late_joiner_converges(tmp, broker, subs):
    c = RawClient(broker.ctl)
    c.hello()
    for i in range(10):
        assert c.save("admins", admins(f"early{i}"))[0] == "OK"
    late = Sub(tmp, broker, ["admins"], "late")
    subs.append(late)
    wait_for(lambda: late.of("synced"), what="late joiner synced")
    first = late.of("apply", "admins")[0]
    assert first["rev"] == 11 and first["value"] == admins("early9")
    assert c.save("admins", admins("after"))[0] == "OK"
    wait_for(lambda: late.last_apply("admins")["rev"] == 12, what="late joiner follows")
    c.close()


def test_message_loss_is_detected_and_repaired(tmp, subs):
    # A publish queue of one message and a slow subscriber with a tiny
    # receive queue: large updates in a burst must be dropped somewhere.
    # Each apply takes 150 ms, longer than a save takes even on a loaded
    # machine, so the burst always outruns the subscriber.
    b = Broker(tmp, extra=["--pub-hwm", "1"]).start()
    try:
        slow = Sub(tmp, b, ["containers"], "slow", extra=["--rcvhwm", "1", "--slow-ms", "150"])
        subs.append(slow)
        wait_for(lambda: slow.of("synced"), what="slow subscriber synced")
        c = RawClient(b.ctl)
        c.hello()
        text = "x" * 1900
        last = None
        for i in range(40):
            value = [{"host": "local", "name": f"c{k}", "info": {"enabled": True, "text": f"{i}:{text}"}}
                     for k in range(60)]
            r = c.save("containers", value)
            assert r[0] == "OK", r
            last = int(r[3])
        wait_for(lambda: (slow.last_apply("containers") or {}).get("rev") == last, timeout=30,
                 what="slow subscriber converged")
        applied = [e["rev"] for e in slow.of("apply", "containers")]
        assert len(applied) < 41, "nothing was lost: the test did not force a loss"
        assert slow.of("resync"), "a gap was repaired without being reported"
        assert applied == sorted(applied)
        assert slow.last_apply("containers")["value"][0]["info"]["text"].startswith("39:")
        c.close()
    finally:
        b.stop()


def test_broker_kill9_and_return(tmp, subs):
    b = Broker(tmp).start()
    s = Sub(tmp, b, ["admins"], "survivor")
    subs.append(s)
    wait_for(lambda: s.of("synced"), what="synced")
    c = RawClient(b.ctl)
    c.hello()
    assert c.save("admins", admins("before"))[0] == "OK"
    c.close()
    wait_for(lambda: s.last_apply("admins")["rev"] == 2, what="first change")
    b.kill9()
    wait_for(lambda: s.of("disconnected"), timeout=10, what="subscriber notices the broker is gone")
    assert s.proc.poll() is None
    b.start()
    c = RawClient(b.ctl)
    c.hello()
    assert c.save("admins", admins("after"))[0] == "OK"
    wait_for(lambda: s.last_apply("admins")["value"] == admins("after"), timeout=15,
             what="subscriber resynced after the broker came back")
    assert s.last_apply("admins")["rev"] == 3
    c.close()
    b.stop()


def test_epoch_change_forces_full_resync(tmp, subs):
    b = Broker(tmp).start()
    s = Sub(tmp, b, ["admins"], "ep")
    subs.append(s)
    wait_for(lambda: s.of("synced"), what="synced")
    b.stop()
    doc = b.config()
    del doc["_meta"]                      # a file restored by hand: no history
    doc["admins"] = admins("restored")
    with open(b.config_path, "w") as f:
        json.dump(doc, f)
    b.start()
    wait_for(lambda: (s.last_apply("admins") or {}).get("value") == admins("restored"), timeout=15,
             what="resync on a new epoch")
    assert s.last_apply("admins")["rev"] == 1
    b.stop()


def test_cache_lets_a_service_start_without_the_broker(tmp, subs):
    b = Broker(tmp).start()
    cache = os.path.join(tmp, "cache.json")
    c = RawClient(b.ctl)
    c.hello()
    assert c.save("admins", admins("cached"))[0] == "OK"
    c.close()
    s = Sub(tmp, b, ["admins"], "cacher", extra=["--cache", cache])
    wait_for(lambda: s.of("synced"), what="synced")
    wait_for(lambda: os.path.exists(cache), what="cache written")
    assert oct(os.stat(cache).st_mode & 0o777) == "0o600"
    s.stop()
    b.stop()
    s2 = Sub(tmp, b, ["admins"], "cacher", extra=["--cache", cache])
    subs.append(s2)
    wait_for(lambda: s2.of("apply", "admins"), what="apply from the cache")
    first = s2.of("apply", "admins")[0]
    assert first["from_cache"] is True and first["value"] == admins("cached")
    b.start()
    wait_for(lambda: s2.of("synced"), timeout=15, what="synced after the broker started")
    b.stop()


def test_rejection_keeps_last_good_and_is_reported(tmp, broker, subs):
    s = Sub(tmp, broker, ["admins", "tasks"], "picky", extra=["--reject", "admins"])
    subs.append(s)
    wait_for(lambda: s.of("synced"), what="synced")
    c = RawClient(broker.ctl)
    c.hello()
    assert c.save("admins", admins("nope"))[0] == "OK"

    def rejected(rev):
        table = json.loads(c.request("STATUS", 0, "-")[2])
        row = [p for p in table["peers"] if p["name"].endswith("@picky")]
        return bool(row and row[0]["rejected"] and row[0]["rejected"]["section"] == "admins"
                    and row[0]["rejected"]["rev"] == rev)
    wait_for(lambda: rejected(2), what="rejection in the peers table")
    # the next change of that section links to the rejected one: no gap
    assert c.save("admins", admins("still no"))[0] == "OK"
    wait_for(lambda: rejected(3), what="second rejection")
    assert not [e for e in s.of("resync") if "admins" in e.get("detail", "")]
    c.close()
