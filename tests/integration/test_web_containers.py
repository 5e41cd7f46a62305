"""The containers page of ddc-web at scale, with real processes: a real
ddc-broker and ddc-web, and 20 Docker agents played by raw DDCP/1 clients
that report 1,000 containers in their inventories (plus a second agent of
one host and two agents of one engine listing the same containers). The
page stays small (the configured containers, then the found ones 50 at a
time), searches by name, host and state without a script, pages, adds a
found container to the form, and the form still saves the whole section
(compare-and-swap revision, errors at their inputs), also with 1,000
configured containers.
"""
import html.parser
import json
import re
import time
import urllib.parse

import pytest

from conftest import Broker, RawClient, wait_for
from test_web_http import Web, do_setup, save, section, stop_clean

HOSTS = 20
PER_HOST = 50


class FormReader(html.parser.HTMLParser):
    """What a browser sends for the page's section form, and every input's
    accessible name (a <label> around it or for it, or aria-label)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_form = False
        self.fields = []                 # (name, value) as a browser posts them
        self.inputs = []                 # (name or id, type, labelled)
        self.label_for = set()
        self.label_depth = 0
        self.textarea = None
        self.template = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self.template += 1
        if self.template:
            return
        if tag == "form" and "section-form" in (a.get("class") or ""):
            self.in_form = True
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "textarea", "select"):
            kind = a.get("type", "text") if tag == "input" else tag
            if kind not in ("hidden", "submit"):
                self.inputs.append((a.get("name") or a.get("id"), kind, a.get("id"),
                                    self.label_depth > 0 or bool(a.get("aria-label"))))
        if not self.in_form:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("name"):
                self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.template -= 1
        if self.template:
            return
        if tag == "label":
            self.label_depth -= 1
        if tag == "textarea" and self.textarea is not None:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        if tag == "form":
            self.in_form = False

    def unlabelled(self):
        return [i for i in self.inputs if not i[3] and not (i[2] and i[2] in self.label_for)]


def read_form(text):
    r = FormReader()
    r.feed(text)
    return r


def found_rows(text):
    """The found containers listed: [(name, host)]."""
    return re.findall(r'<tr class="discovered"><td><span class="mono">([^<]+)</span></td><td class="mono"[^>]*>([^<]+?)[ <]',
                      text)


def attr(text, name):
    m = re.search(name + r'="(\d+)"', text)
    return int(m.group(1)) if m else None


class Agents:
    """HOSTS fake ddc-docker agents reporting PER_HOST containers each."""

    def __init__(self, broker):
        self.clients = []
        self.broker = broker

    def start(self, hosts, per_host):
        for h in range(1, hosts + 1):
            c = RawClient(self.broker.ctl, role="docker", instance=f"host-{h:02d}")
            c.hello()
            self.clients.append(c)
            self.report(c, f"host-{h:02d}", [self.container(h, i) for i in range(1, per_host + 1)])
        # a second agent of host-01 lists host-01's first containers again
        c = RawClient(self.broker.ctl, role="docker", instance="host-01-b")
        c.hello()
        self.clients.append(c)
        self.report(c, "host-01", [self.container(1, i) for i in range(1, 6)])
        # two agents of one engine, under two host names, list one container
        for name in ("twin-a", "twin-b"):
            c = RawClient(self.broker.ctl, role="docker", instance=name)
            c.hello()
            self.clients.append(c)
            self.report(c, name, [{"name": "shared", "id": "f" * 64, "image": "busybox",
                                   "state": "running", "status": "Up", "created": None}])
        return self

    @staticmethod
    def container(h, i):
        return {"name": f"app-{h:02d}-{i:02d}", "id": f"{h:02d}{i:02d}" + "0" * 60,
                "image": f"example/img-{i % 7}", "state": "exited" if i % 10 == 0 else "running",
                "status": "Up", "created": None}

    @staticmethod
    def report(c, host, containers):
        body = {"host": host, "time": "2026-12-01T00:00:00Z", "reachable": True,
                "containers": containers, "truncated": False}
        c.send("REPORT", c.req_id(), "inventory", json.dumps(body))

    def close(self):
        for c in self.clients:
            c.close()


@pytest.fixture
def scale(tmp):
    b = Broker(tmp).start()
    w = Web(tmp, b)
    agents = Agents(b)
    try:
        w.start()
        http = do_setup(w)
        save(b, "containers", [
            {"host": "host-03", "name": "app-03-07", "display_name": "Seven", "order": 1},
            {"host": "host-05", "name": "app-05-10", "display_name": "Ten", "order": 2},
            {"host": "twin-b", "name": "shared", "display_name": "Shared", "order": 3}])
        agents.start(HOSTS, PER_HOST)
        yield w, b, http
        stop_clean(w)
    finally:
        agents.close()
        if w.proc:
            w.proc.stop()
        b.stop()


# 1,000 found + 1 shared, less the 3 configured (the shared one under twin-b:
# twin-a's sighting of the same container is not offered either)
FOUND = HOSTS * PER_HOST - 2


def page_when_found(http, path="/containers"):
    def ready():
        r = http.get(path)
        return r if r.status == 200 and attr(r.text, "data-total") == FOUND else None
    return wait_for(ready, timeout=15, what="the agents' 1,000 containers on the page")


def test_page_stays_small_and_labelled(scale):
    w, b, http = scale
    r = page_when_found(http)
    print(f"containers page with {FOUND} found containers: {len(r.body)} bytes")
    assert len(r.body) < 200 * 1024, len(r.body)
    rows = found_rows(r.text)
    assert len(rows) == 50
    assert rows[0] == ("app-01-01", "host-01")             # host-01's two agents: once
    assert len({n for n, _ in rows}) == 50
    assert attr(r.text, 'data-matched') == FOUND
    # the configured ones in the form, the found ones apart, outside it
    form, _, rest = r.text[r.text.index('class="section-form"'):].partition("</form>")
    assert form.count('name="containers[') and "app-03-07" in form and "app-01-01" not in form
    assert 'id="discovered"' in rest
    assert re.search(r'<input type="search" id="containers-q" name="q"', r.text)
    f = read_form(r.text)
    assert not f.unlabelled(), f.unlabelled()[:5]
    assert any(i[1] == "checkbox" for i in f.inputs)
    # no inline script: only the JSON data block and app.js
    assert not re.search(r"<script(?![^>]*(type=\"application/json\"|src=))", r.text)


def test_search_without_script(scale):
    w, b, http = scale
    page_when_found(http)
    r = http.get("/containers?" + urllib.parse.urlencode({"q": "HOST-07 exited"}))
    assert r.status == 200
    rows = found_rows(r.text)
    assert sorted(rows) == [(f"app-07-{i:02d}", "host-07") for i in (10, 20, 30, 40, 50)]
    assert attr(r.text, "data-matched") == 5 and attr(r.text, "data-total") == FOUND
    assert 'value="HOST-07 exited"' in r.text
    assert "rel=\"next\"" not in r.text
    # the configured rows stay in the form (hidden when they do not match)
    assert re.search(r'<tr hidden><td data-field="containers\[0\]\.active"', r.text)
    assert 'name="containers[0].name" value="app-03-07"' in r.text
    # by an image, nothing found, and the list alone for the script
    r = http.get("/containers?q=img-3")
    assert attr(r.text, "data-matched") == sum(1 for h in range(1, HOSTS + 1)
                                               for i in range(1, PER_HOST + 1)
                                               if i % 7 == 3 and (h, i) not in ((3, 7), (5, 10)))
    r = http.get("/containers?q=%3Cnone%3E")
    assert attr(r.text, "data-matched") == 0 and "&lt;none&gt;" in r.text and "<none>" not in r.text
    r = http.get("/containers?part=discovered&q=app-12-3")
    assert r.status == 200 and r.text.startswith('<section id="discovered"')
    assert "<html" not in r.text and "<form" not in r.text
    assert sorted(n for n, _ in found_rows(r.text)) == [f"app-12-{i}" for i in range(30, 40)]


def test_pages(scale):
    w, b, http = scale
    first = found_rows(page_when_found(http).text)
    seen = list(first)
    pages = (FOUND + 49) // 50
    r = http.get("/containers?page=2")
    assert 'rel="prev"' in r.text and 'href="/containers?page=3#discovered"' in r.text
    for p in range(2, pages + 1):
        r = http.get(f"/containers?page={p}")
        assert r.status == 200 and len(r.body) < 200 * 1024
        seen += found_rows(r.text)
    assert len(seen) == FOUND and len(set(seen)) == FOUND
    assert seen == sorted(seen, key=lambda x: (x[1], x[0]))
    assert ("shared", "twin-a") not in seen                  # configured under twin-b
    assert ("app-03-07", "host-03") not in seen
    # past the end: the last page; nonsense: the first
    assert found_rows(http.get("/containers?page=999").text) == found_rows(r.text)
    assert found_rows(http.get("/containers?page=x").text) == first
    # a search's pages keep the search
    r = http.get("/containers?q=running&page=2")
    assert 'href="/containers?q=running&amp;page=3#discovered"' in r.text


def post_form(http, path, fields):
    return http.post(path, fields)


def test_add_and_save(scale):
    w, b, http = scale
    page_when_found(http)
    rev0, value0 = section(b, "containers")
    r = http.get("/containers?add=" + urllib.parse.quote("host-04/app-04-09", safe=""))
    assert 'name="containers[3].name" value="app-04-09"' in r.text
    f = read_form(r.text)
    fields = dict(f.fields)
    assert fields["rev"] == str(rev0)
    r = post_form(http, "/containers", f.fields)
    assert r.status == 303, r.text[-2000:]
    rev1, value1 = section(b, "containers")
    assert rev1 > rev0
    assert [c["name"] for c in value1] == ["app-03-07", "app-05-10", "shared", "app-04-09"]
    added = value1[3]
    assert added["host"] == "host-04" and added["display_name"] == "app-04-09"
    assert added["active"] is True
    # the others kept as they were
    for before, after in zip(value0, value1):
        for k in ("host", "name", "display_name", "order"):
            assert before[k] == after[k]
    # it is not offered any more
    r = wait_for(lambda: (lambda x: x if attr(x.text, "data-total") == FOUND - 1 else None)(
        http.get("/containers")), timeout=10, what="the added one gone from the found ones")
    assert ("app-04-09", "host-04") not in found_rows(http.get("/containers?q=host-04").text)
    # the form of an older revision: refused, nothing overwritten
    r = post_form(http, "/containers", f.fields)
    assert r.status == 409
    assert section(b, "containers")[0] == rev1
    # a refused value is shown at its input
    f = read_form(http.get("/containers").text)
    bad = [(k, "-5" if k == "containers[1].order" else v) for k, v in f.fields]
    r = post_form(http, "/containers", bad)
    assert r.status == 422
    assert re.search(r'name="containers\[1\]\.order" aria-invalid="true"', r.text)
    assert section(b, "containers")[0] == rev1


def test_a_thousand_configured_still_save(scale):
    """As many configured containers as the configuration allows (up to
    1,000): the page keeps them all in one compact form, and it saves."""
    w, b, http = scale
    page_when_found(http)
    rev0 = section(b, "containers")[0]
    n = HOSTS * PER_HOST
    c = RawClient(b.ctl)
    c.hello()
    try:
        for _ in range(2):
            conf = [{"host": f"host-{h:02d}", "name": f"app-{h:02d}-{i:02d}",
                     "display_name": f"Box {h}-{i}", "order": (h - 1) * PER_HOST + i,
                     "allowed_actions": ["start", "stop", "restart"]}
                    for h in range(1, HOSTS + 1) for i in range(1, PER_HOST + 1)][:n]
            conf[7].update({"roles": {"start": ["123456789012345678", "223456789012345678"]},
                            "info": {"enabled": True, "text": "line one\nline \"two\" <b>"},
                            "alerts": ["crash"], "active": False})
            r = c.save("containers", conf, rev0)
            m = re.search(r"At most (\d+) containers", r[2]) if r[0] == "INVALID" else None
            if not m:
                break
            n = int(m.group(1))                 # the configuration's own limit
        assert r[0] == "OK", r
        rev = int(r[3])
    finally:
        c.close()
    left = HOSTS * PER_HOST + 1 - n             # and the shared one, not configured now

    def all_configured():
        r = http.get("/containers")
        return r if attr(r.text, "data-total") == left else None
    r = wait_for(all_configured, timeout=10, what=f"{n} configured containers on the page")
    print(f"containers page with {n} configured: {len(r.body)} bytes")
    assert len(r.body) < n * 2048, len(r.body)
    f = read_form(r.text)
    assert not f.unlabelled()
    assert r.text.count('<tr class="compact">') == n
    # a search shows the matching rows whole, the others stay in the form
    r2 = http.get("/containers?q=app-01-08+host-01")
    assert r2.text.count('<tr class="compact" hidden>') == n - 1
    assert 'name="containers[7].roles.start" value="123456789012345678, 223456789012345678"' in r2.text
    assert {kv for kv in read_form(r2.text).fields if kv[1]} == {kv for kv in f.fields if kv[1]}
    last = f"containers[{n - 1}].display_name"
    fields = [(k, "Renamed" if k == last else v) for k, v in f.fields]
    body = urllib.parse.urlencode(fields).encode()
    print(f"its form: {len(fields)} fields, {len(body)} bytes")
    t0 = time.monotonic()
    r = post_form(http, "/containers", fields)
    assert r.status == 303, r.text[-2000:]
    print(f"saved in {time.monotonic() - t0:.3f} s")
    rev2, value = section(b, "containers")
    assert rev2 > rev and len(value) == n
    assert value[n - 1]["display_name"] == "Renamed" and value[0]["display_name"] == "Box 1-1"
    assert value[5]["allowed_actions"] == ["start", "stop", "restart"]
    # what the compact rows carry is saved as it was
    assert value[7]["roles"] == {"start": ["123456789012345678", "223456789012345678"]}
    assert value[7]["info"] == {"enabled": True, "text": "line one\nline \"two\" <b>"}
    assert value[7]["alerts"] == ["crash"] and value[7]["active"] is False
    assert value[6]["alerts"] == ["crash", "unhealthy", "restart_loop"] and value[6]["active"] is True
