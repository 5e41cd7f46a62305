"""Every program started under an open-file limit too small for its
ZeroMQ sockets. libzmq and czmq abort when a socket or the context's I/O
thread gets no descriptor (an assertion, a core dump, no reason), so each
program checks first: it raises its soft limit toward the hard one, and
when even the hard limit leaves too few it exits 1 with the reason in one
line. The broker also raises its soft limit to the hard one, since it
holds a descriptor per peer."""
import os
import resource
import subprocess

from conftest import RawClient, bin_path, free_port, wait_for


def limit(soft, hard):
    def pre():
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return pre


def run_limited(args, soft, hard, timeout=20):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limit(soft, hard))


def one_line_reason(r, program):
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Assertion" not in r.stderr and "Too many open files (src/" not in r.stderr, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"{program}: only "), r.stderr
    assert "open-file limit" in last and "ulimit -n" in last, last


def test_too_few_descriptors_is_a_one_line_reason(tmp):
    endpoint = f"ipc://{tmp}/ctl.sock"
    # 8, 12, 20: each of these aborted inside libzmq or czmq before
    for n in (8, 12, 20):
        r = run_limited([bin_path("ddc-broker"), "--data", f"{tmp}/data{n}", "--ctl", endpoint,
                         "--pub", f"ipc://{tmp}/pub.sock"], n, n)
        one_line_reason(r, "ddc-broker")
        assert not os.path.exists(f"{tmp}/ctl.sock")
    for program in ("ddc-docker", "ddc-discord"):
        r = run_limited([bin_path(program), "--broker", endpoint, "--data", f"{tmp}/{program}"],
                        12, 12)
        one_line_reason(r, program)
    r = run_limited([bin_path("ddc-web"), "--broker", endpoint, "--listen",
                     f"127.0.0.1:{free_port()}"], 12, 12)
    one_line_reason(r, "ddc-web")
    # 38: enough for ddc-web's parent, too few for its worker's client once
    # Kore has set the worker up: the worker's reason, and exit status 1
    # (Kore alone stops with 0 when a worker cannot start)
    r = run_limited([bin_path("ddc-web"), "--broker", endpoint, "--listen",
                     f"127.0.0.1:{free_port()}"], 38, 38)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "open-file limit 38" in r.stdout + r.stderr, (r.stdout, r.stderr)
    r = run_limited([bin_path("ddc-ctl"), "--broker", endpoint, "ping"], 12, 12)
    assert r.returncode != 0 and "Assertion" not in r.stderr, r.stderr
    assert "ddc-ctl ping: only " in r.stderr and "open-file limit" in r.stderr, r.stderr


def test_soft_limit_raised_to_the_hard_one(tmp):
    """A soft limit of 12 under a hard one of 4096: the broker raises it,
    says so, and serves; ddc-ctl (soft 12 too) raises its own and pings."""
    endpoint = f"ipc://{tmp}/ctl.sock"
    log = open(os.path.join(tmp, "broker.log"), "w")
    proc = subprocess.Popen([bin_path("ddc-broker"), "--data", f"{tmp}/data", "--ctl", endpoint,
                             "--pub", f"ipc://{tmp}/pub.sock"], stdout=log,
                            stderr=subprocess.STDOUT, preexec_fn=limit(12, 4096))
    try:
        c = RawClient(endpoint)
        try:
            wait_for(lambda: c.try_hello(timeout=200), timeout=15, what="broker to answer")
        finally:
            c.close()
        with open(f"/proc/{proc.pid}/limits") as f:
            row = [line for line in f if line.startswith("Max open files")][0]
        assert row.split()[3:5] == ["4096", "4096"], row
        r = run_limited([bin_path("ddc-ctl"), "--broker", endpoint, "ping"], 12, 4096)
        assert r.returncode == 0 and '"rev"' in r.stdout, (r.stdout, r.stderr)
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        log.close()
    with open(os.path.join(tmp, "broker.log")) as f:
        text = f.read()
    assert "open-file limit raised from 12 to 4096" in text, text
