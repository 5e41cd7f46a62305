"""The benchmark tools of `make bench` (tests/tools), run briefly: each
prints its one summary line with ordered percentiles, rejects bad flags and
leaves nothing behind in the folder it was given. ddc-bench talks to a real
ddc-broker; ddc-bench-null forks its own null broker."""
import os
import re
import subprocess

from conftest import Broker, bin_path, takes_o_direct

LINE = r"p50_us=(\d+) p99_us=(\d+) max_us=(\d+)"


def run(name, *args, timeout=60):
    return subprocess.run([bin_path(name), *args], capture_output=True, text=True,
                          timeout=timeout)


def percentiles(stdout, prefix):
    m = re.fullmatch(prefix + r" " + LINE + r".*\n", stdout)
    assert m, stdout
    p50, p99, top = (int(g) for g in m.groups()[-3:])
    assert 0 < p50 <= p99 <= top, stdout
    return p50, p99, top


def test_null_broker_measures_every_subscriber(tmp_path):
    r = run("ddc-bench-null", "--dir", str(tmp_path), "--subs", "3", "--rounds", "5",
            "--warmup", "1", "--interval-ms", "5")
    assert r.returncode == 0, r.stderr
    percentiles(r.stdout, r"null subscribers=3 rounds=5")
    # its log, its socket files and its broker are gone
    assert os.listdir(tmp_path) == []


def test_null_broker_that_cannot_start_is_an_error(tmp_path):
    """No folder for its log: the null broker's one-line reason, exit 1 at
    once, no summary line."""
    r = run("ddc-bench-null", "--dir", str(tmp_path / "missing"), "--subs", "1",
            "--rounds", "2", timeout=20)
    assert r.returncode == 1 and not r.stdout, (r.stdout, r.stderr)
    assert "missing/.ddc-bench-null." in r.stderr, r.stderr
    assert "the null broker ended before it answered" in r.stderr, r.stderr


def test_bad_flags_are_refused(tmp_path):
    for name, args in [("ddc-bench-null", ["--dir", str(tmp_path), "--subs", "0"]),
                       ("ddc-bench-null", ["--subs", "1"]),
                       ("ddc-bench-null", ["--dir", str(tmp_path), "--bytes", "4"]),
                       ("ddc-bench-null", ["--dir", str(tmp_path), "--rounds", "x"]),
                       ("ddc-bench-disk", ["--rounds", "1"]),
                       ("ddc-bench", ["--subs", "1"])]:
        r = run(name, *args)
        assert r.returncode == 2, (name, args, r.stdout, r.stderr)
        assert name in r.stderr and not r.stdout, (name, args, r.stderr)
    r = run("ddc-bench-null", "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: ddc-bench-null")


def test_disk_floor(tmp_path):
    r = run("ddc-bench-disk", "--dir", str(tmp_path), "--rounds", "5", "--warmup", "1",
            "--interval-ms", "1")
    assert r.returncode == 0, r.stderr
    m = re.fullmatch(r"disk fdatasync " + LINE + r" rounds=5 bytes=512 "
                     r"in_place_p50_us=(\d+) in_place_p99_us=(\d+) "
                     r"direct_p50_us=(\d+|-) direct_p99_us=(\d+|-)\n", r.stdout)
    assert m, r.stdout
    assert int(m.group(1)) <= int(m.group(2)) <= int(m.group(3))
    assert int(m.group(4)) <= int(m.group(5))
    # the direct write where the file system takes O_DIRECT, as the
    # broker's journal does
    probe = tmp_path / "probe"
    probe.write_bytes(b"")
    direct = takes_o_direct(probe)
    probe.unlink()
    if direct:
        assert 0 < int(m.group(6)) <= int(m.group(7)), r.stdout
    else:
        assert m.group(6) == m.group(7) == "-", r.stdout
    assert os.listdir(tmp_path) == []


def test_ddc_save_to_applied(tmp_path):
    broker = Broker(tmp_path).start()
    try:
        r = run("ddc-bench", "--broker", broker.endpoint, "--subs", "2", "--rounds", "5",
                "--warmup", "1", "--interval-ms", "5")
        assert r.returncode == 0, r.stderr
        percentiles(r.stdout, r"ddc subscribers=2 rounds=5")
        # every round was a real save: 6 revisions of admins
        assert broker.config()["admins"][0]["note"].endswith("-5")
    finally:
        broker.stop()
