"""Metrics end to end: every service publishes its counters and gauges to
the broker (REPORT "metrics", the broker its own on PUB) and ddc-web's
/metrics serves them all in Prometheus text, with service and host labels,
checked by a strict parser of the format (promtext.py). Real programs: a
broker, ddc-web, a ddc-docker agent with a real Docker engine and busybox
containers, ddc-discord against the fake Discord. /metrics needs the
bearer token web.metrics_token or a signed-in browser; the token is a
secret: never shown, published or logged.
"""
import json
import os
import subprocess

import promtext
from conftest import RawClient, bin_path, wait_for
from test_discord import (CH_CONTROL, CH_STATUS, containers_cfg, key_of, open_panel, ready_overviews, text_of)
from test_web_http import Http, Web, do_setup, stop_clean

TOKEN = "metrics-" + "9f2c" * 8


def scrape(web, token=TOKEN, http=None):
    h = {"Authorization": f"Bearer {token}"} if token else {}
    return (http or Http(web.port)).get("/metrics", headers=h)


def test_every_service_in_one_text(env, docker_env, tmp):
    d = docker_env
    a = d.run()
    broker, fake, bot = env(containers=containers_cfg(d.host, [a]),
                            docker={"stats_interval_seconds": 2, "stop_timeout_seconds": 1})
    agent = d.agent(broker)
    ready_overviews(fake, bot)
    wait_for(lambda: "🟢" in text_of(fake.overviews(CH_STATUS)[-1]), timeout=20,
             what="the running container in the overview")
    w = Web(tmp, broker).start()
    try:
        http = do_setup(w)
        # the token: a secret of the web section, saved like any setting
        c = RawClient(broker.ctl)
        c.hello()
        _, state = c.snapshot("web")
        value = state["sections"]["web"]
        assert value["metrics_token"] == ""
        r = c.save("web", {**value, "password_hash": "***", "metrics_token": "short"})
        assert r[0] == "INVALID" and "web.metrics_token" in r[2]
        assert c.save("web", {**value, "password_hash": "***", "metrics_token": TOKEN})[0] == "OK"
        # refused: no token, a wrong one (even a longer or shorter one)
        wait_for(lambda: scrape(w).status == 200, timeout=5, what="the token at ddc-web")
        for bad in (None, TOKEN + "x", TOKEN[:-1], "", "Bearer " + TOKEN):
            r = scrape(w, bad)
            assert r.status == 401 and "ddc_" not in r.text, bad
            assert r.header("www-authenticate").startswith("Bearer ")
        # served: with the token, and to a signed-in browser without it
        assert scrape(w, None, http).status == 200
        # an action and an interaction, so that there is something to count
        key = key_of(fake, CH_CONTROL, "Box 1")
        panel = open_panel(fake, key)
        r = fake.interaction(kind="button", custom_id=f"pn:restart:{key}", message_id=panel,
                             channel_id=CH_CONTROL)
        fake.answered(r["id"])
        want = {
            ("broker", None): ["ddc_broker_saves_total", "ddc_broker_published_total",
                               "ddc_broker_peers_connected", "ddc_broker_loop_longest_seconds",
                               "ddc_broker_loop_step_seconds_bucket",
                               "ddc_broker_journal_flush_seconds_bucket",
                               "ddc_broker_actions_total", "ddc_broker_rejections_total"],
            ("docker", d.host): ["ddc_docker_actions_total", "ddc_docker_reachable",
                                 "ddc_docker_containers", "ddc_docker_event_lag_seconds"],
            ("discord", bot.instance): ["ddc_discord_gateway_state",
                                        "ddc_discord_gateway_reconnects_total",
                                        "ddc_discord_rest_429_total",
                                        "ddc_discord_interaction_acks_total",
                                        "ddc_discord_interaction_ack_seconds_bucket"],
            ("web", "tweb"): ["ddc_web_requests_total", "ddc_web_logins_total"],
        }

        def complete():
            r = scrape(w)
            if r.status != 200:
                return None
            fams = promtext.parse(r.text)            # strict: raises on any flaw
            samples = [(n, ls) for f in fams.values() for (n, ls, _) in f.samples]
            for (service, host), names in want.items():
                for name in names:
                    if not any(n == name and ls.get("service") == service
                               and (host is None or ls.get("host") == host)
                               for n, ls in samples):
                        return None
            v = promtext.value
            if not (v(fams, "ddc_docker_actions_total", host=d.host, action="restart",
                      result="ok") == 1
                    and v(fams, "ddc_broker_actions_total", service="broker", result="ok") == 1
                    and (v(fams, "ddc_discord_interaction_ack_seconds_count",
                           host=bot.instance) or 0) >= 2):
                return None
            return r.text, fams
        text, fams = wait_for(complete, timeout=40, step=0.5,
                              what="every service's metrics, with the restart counted")
        v = promtext.value
        # every sample is labelled with its service and host
        for fam in fams.values():
            for name, labels, _ in fam.samples:
                assert labels.get("service") in ("broker", "docker", "discord", "web"), name
                assert labels.get("host"), name
        # one family, several services: HELP and TYPE once (the parser checks)
        assert {ls["service"] for (_, ls, _) in fams["ddc_service_info"].samples} == \
            {"broker", "docker", "discord", "web"}
        assert v(fams, "ddc_docker_reachable", host=d.host) == 1
        assert v(fams, "ddc_docker_containers", host=d.host, state="running") == 1
        assert v(fams, "ddc_discord_gateway_state", state="ready") == 1
        assert v(fams, "ddc_discord_gateway_state", state="failed") == 0
        assert v(fams, "ddc_broker_peers_connected", role="docker") >= 1
        assert v(fams, "ddc_broker_config_revision") >= 1
        assert v(fams, "ddc_web_requests_total", code=401, host="tweb") >= 5
        assert fams["ddc_discord_interaction_ack_seconds"].type == "histogram"
        assert fams["ddc_broker_loop_step_seconds"].type == "histogram"
        # the disk's share of the saves: the token's save was flushed
        assert fams["ddc_broker_journal_flush_seconds"].type == "histogram"
        assert v(fams, "ddc_broker_journal_flush_seconds_count", service="broker") >= 1
        assert v(fams, "ddc_metrics_report_age_seconds", service="docker", host=d.host) < 30
        # the token is a secret: not in the text, not on PUB, not in any log
        assert TOKEN not in text
        for p in (broker.proc, w.proc, bot.proc, agent):
            assert TOKEN not in p.text(), p.log_path
        r = subprocess.run([bin_path("ddc-ctl"), "--broker", broker.ctl, "get", "web"],
                           capture_output=True, text=True, timeout=30)
        assert json.loads(r.stdout)["value"]["metrics_token"] == "***"
        r = c.request("HISTORY", "web", 0)
        rev = max(e["rev"] for e in json.loads(r[2]) if "web.metrics_token" in e["changed"])
        r = c.request("HISTORY", "web", rev)
        assert json.loads(r[2])[0]["value"]["metrics_token"] == "***"
        with open(os.path.join(broker.data, "audit.log")) as f:
            assert TOKEN not in f.read()
        # the web UI's settings page: write-only
        page = http.get("/webui").text
        assert 'name="web.metrics_token"' in page and TOKEN not in page
        assert 'data-secret="set"' in page and "web._clear.metrics_token" in page
        c.close()
        stop_clean(w)
    finally:
        w.stop()
