"""Shared by the Python parts of the bench-*.sh scripts: log time stamps,
percentiles, a process's children, CPU time and memory, and signing in to
ddc-web."""
import datetime
import http.client
import os
import re
import urllib.parse

STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z ")


def stamp_ms(line):
    """The wall time in ms of a ddc log line's stamp, or None."""
    m = STAMP.match(line)
    if not m:
        return None
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000


def med(v):
    v = sorted(v)
    return v[(len(v) - 1) // 2]


def p99(v):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * 0.99))]


def children(pid):
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(c) for c in f.read().split()]
    return out


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def cpu_ms(pid):
    """User and system CPU time the process used so far, in ms."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def mem(pid):
    """Rss, Pss, Private_Clean and Private_Dirty of /proc/PID/smaps_rollup, in kB."""
    v = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            k, _, rest = line.partition(":")
            if k in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                v[k] = int(rest.split()[0])
    return v


def sign_in(port, password):
    """Signs in to ddc-web on 127.0.0.1:port; returns the session cookie
    (name=value), or raises RuntimeError."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/login", body=urllib.parse.urlencode({"password": password}),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
    finally:
        conn.close()
    cookie = (resp.getheader("set-cookie") or "").split(";")[0]
    if resp.status != 303 or not cookie:
        raise RuntimeError(f"sign-in answered {resp.status}")
    return cookie
