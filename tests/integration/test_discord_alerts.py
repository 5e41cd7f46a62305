"""ddc-discord's alerts and Discord roles end to end: a real broker, the bot,
the fake Discord (tests/fake-discord), a real ddc-docker and Docker engine
with busybox containers. The agent's own detection and webhook are in
test_alerts.py; here: the alert posted in the channels that ask for it,
edited and answered when the container recovers, and the role checks on
real interactions (buttons, /help) with the member's roles in the payload.
"""
import json

from conftest import wait_for
from conftest import sh
from test_discord import (ADMIN, CH_CONTROL, CH_STATUS, OTHER, containers_cfg, custom_ids,
                          key_of, open_panel, ready_overviews, response_text, text_of)

ROLE_MODS = "1100000000000000601"
ROLE_OTHER = "1100000000000000602"


def alert_messages(fake, channel):
    """The bot's alert messages in a channel (oldest first)."""
    out = []
    for m in fake.state()["messages"]:
        title = ((m.get("embeds") or [{}])[0]).get("title", "")
        footer = ((m.get("embeds") or [{}])[0]).get("footer", {}).get("text", "")
        if m["channel_id"] == channel and footer.startswith("ddc •") and "Overview" not in title:
            out.append(m)
    return out


def replies_to(fake, message_id):
    return [m for m in fake.state()["messages"]
            if (m.get("message_reference") or {}).get("message_id") == message_id]


def test_alert_posted_edited_and_followed_up(env, docker_env):
    d = docker_env
    crash = d.run("sh", "-c", "if [ -e /ran ]; then exec sleep 100000; fi; "
                  "while [ ! -e /go ]; do sleep 0.2; done; touch /ran; "
                  "echo world loaded; echo 'Segmentation fault' >&2; exit 3")
    channels = [
        {"id": CH_STATUS, "name": "status", "kind": "status", "post_initial": True,
         "alerts": True},
        {"id": CH_CONTROL, "name": "control", "kind": "control", "post_initial": True}]
    broker, fake, bot = env(containers=containers_cfg(d.host, [crash]), channels=channels,
                            docker={"stats_interval_seconds": 3600, "stop_timeout_seconds": 1})
    bot.save("alerts", {"cooldown_minutes": 0, "log_lines": 10})
    d.agent(broker)
    ready_overviews(fake, bot)
    wait_for(lambda: "🟢" in text_of(fake.overviews(CH_STATUS)[-1]), timeout=20,
             what="the container running in the overview")
    sh("docker", "exec", crash, "touch", "/go")
    m = wait_for(lambda: (alert_messages(fake, CH_STATUS) or [None])[0], timeout=30,
                 what="the alert posted")
    embed = m["embeds"][0]
    assert embed["title"] == "🚨 Box 1 crashed"
    assert "It exited with code 3 without anyone asking." in embed["description"]
    assert "Segmentation fault" in embed["description"] and "world loaded" in embed["description"]
    assert any(f["value"] == f"{d.host} / {crash}" for f in embed["fields"])
    assert m["author"]["id"] == "1100000000000000001"
    assert not alert_messages(fake, CH_CONTROL)            # that channel did not ask
    # it recovers: the alert is edited and answered
    sh("docker", "start", crash)
    edited = wait_for(lambda: (lambda x: x if x["embeds"][0]["title"].startswith("✅") else None)(
        fake.message(m["id"])), timeout=40, what="the alert edited")
    assert edited["embeds"][0]["title"] == "✅ Box 1 recovered"
    assert "It lasted" in edited["embeds"][0]["description"]
    assert "Segmentation fault" in edited["embeds"][0]["description"]   # the logs stay
    reply = wait_for(lambda: (replies_to(fake, m["id"]) or [None])[0], timeout=10,
                     what="the follow-up reply")
    assert reply["content"].startswith("✅ Box 1 recovered after")
    assert reply["channel_id"] == CH_STATUS
    assert len(alert_messages(fake, CH_STATUS)) == 1
    # every Discord call was accepted (no 4xx on the way)
    bad = [e for e in fake.log() if e.get("type") == "rest"
           and f"/channels/{CH_STATUS}/messages" in e.get("path", "")
           and e.get("status", 200) >= 400 and e.get("status") != 429]
    assert not bad, bad[:3]


def test_roles_allow_actions_per_container(env, docker_env):
    d = docker_env
    box = d.run()
    other = d.run()
    cfg = containers_cfg(d.host, [box, other])
    cfg[0]["roles"] = {"restart": [ROLE_MODS], "logs": [ROLE_MODS]}
    broker, fake, bot = env(containers=cfg,
                            docker={"stats_interval_seconds": 3600, "stop_timeout_seconds": 1})
    d.agent(broker)
    ready_overviews(fake, bot)
    wait_for(lambda: text_of(fake.overviews(CH_STATUS)[-1]).count("🟢") == 2, timeout=20,
             what="running containers in the overview")
    key = key_of(fake, CH_STATUS, "Box 1")
    # a member with the role sees the buttons of the role's actions only
    r = fake.interaction(kind="select", custom_id="ov:sel", values=[key], channel_id=CH_STATUS,
                         user_id=OTHER, roles=[ROLE_OTHER, ROLE_MODS])
    i = fake.answered(r["id"])
    ids = custom_ids(i["response"]["data"])
    assert f"pn:restart:{key}" in ids and f"pn:logs:{key}" in ids
    assert f"pn:stop:{key}" not in ids and f"pn:start:{key}" not in ids
    panel = i["original_message_id"]
    before = d.started_at(box)
    r = fake.interaction(kind="button", custom_id=f"pn:restart:{key}", message_id=panel,
                         channel_id=CH_STATUS, user_id=OTHER, roles=[ROLE_MODS])
    i = fake.answered(r["id"])
    assert i["response"]["type"] == 7 and "Restarting Box 1" in response_text(i)
    wait_for(lambda: "restarted" in (fake.message(panel).get("content") or ""), timeout=60,
             what="restarted by the role's member")
    assert d.started_at(box) != before
    # the same member may not stop it (a button of an admin's panel, say one
    # that was an admin's until now); without the role, not restart either
    admin_panel = open_panel(fake, key, channel=CH_STATUS)
    r = fake.interaction(kind="button", custom_id=f"pn:stop:{key}", message_id=admin_panel,
                         channel_id=CH_STATUS, user_id=OTHER, roles=[ROLE_MODS])
    assert "Only ddc admins" in response_text(fake.answered(r["id"]))
    r = fake.interaction(kind="button", custom_id=f"pn:restart:{key}", message_id=panel,
                         channel_id=CH_STATUS, user_id=OTHER, roles=[ROLE_OTHER])
    i = fake.answered(r["id"])
    text = response_text(i)
    assert f"Only ddc admins and members of <@&{ROLE_MODS}> may restart Box 1." in text
    assert i["response"]["data"]["flags"] & 64
    assert i["response"]["data"]["allowed_mentions"] == {"parse": []}
    # the role gives nothing on the other container
    ko = key_of(fake, CH_STATUS, "Box 2")
    r = fake.interaction(kind="select", custom_id="ov:sel", values=[ko], channel_id=CH_STATUS,
                         user_id=OTHER, roles=[ROLE_MODS])
    assert not [c for c in custom_ids(fake.answered(r["id"])["response"]["data"])
                if not c.startswith("pn:ref:")]
    # /help says what the member may do, where and through which role
    r = fake.interaction(kind="command", name="help", channel_id=CH_STATUS, user_id=OTHER,
                         roles=[ROLE_MODS])
    text = response_text(fake.answered(r["id"]))
    assert f"**Box 1**: Restart (<@&{ROLE_MODS}>), Logs (<@&{ROLE_MODS}>)" in text
    assert "Box 2" not in text.split("Your permissions")[1]
    assert f"<#{CH_STATUS}>, <#{CH_CONTROL}>" in text
    r = fake.interaction(kind="command", name="help", channel_id=CH_STATUS, user_id=ADMIN)
    assert "You are a ddc admin" in response_text(fake.answered(r["id"]))
    # roles change live: taken away, the member is refused at once
    cfg[0]["roles"] = {}
    rev = bot.save("containers", cfg)
    # (once the bot has applied it: a click before would still restart)
    wait_for(lambda: bot.applied("containers") >= rev, timeout=10, what="the change applied")
    r = fake.interaction(kind="button", custom_id=f"pn:restart:{key}", message_id=panel,
                         channel_id=CH_STATUS, user_id=OTHER, roles=[ROLE_MODS])
    assert "Only ddc admins can do this" in response_text(fake.answered(r["id"]))
    assert json.loads(sh("docker", "inspect", box))[0]["State"]["Running"] is True
