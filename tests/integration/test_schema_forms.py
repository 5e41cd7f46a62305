"""One schema row, seen everywhere, and the strict forms, with a real
ddc-broker, ddc-web and ddc-ctl: bot.log_lines (a row of ddc_schema's bot
table and its locale strings, nothing else) is validated by the broker, shown
by the web's bot form with its label and limits and refused there with a
human message, printed by `ddc-ctl get` beside the redacted token. The forms
refuse at the field, worded with the field's label: an emptied display name,
an emptied order, an emptied admin id (before, the row was dropped, which
removed the admin) and a field sent twice. ddc-discord's use of the setting
is in test_discord.py (test_logs_button_asks_for_bot_log_lines).
"""
import html
import json
import re

from conftest import RawClient
from test_web_http import (broker_rev, ctl, do_setup, form_tokens, save, section,  # noqa: F401
                           web)

TOKEN = "MTIzNDU2Nzg5.FAKE.TOKEN"


def field_errors(page, name):
    """The error texts shown at input name (unescaped)."""
    out = []
    for m in re.finditer(r'<li data-field="([^"]*)">(.*?)</li>', page):
        if html.unescape(m.group(1)) == name:
            out.append(html.unescape(m.group(2)))
    return out


def post_form(http, path, fields):
    csrf, rev = form_tokens(http.get(path).text)
    return http.post(path, [("csrf", csrf), ("rev", rev)] + list(fields))


def test_bot_log_lines_is_one_row_seen_everywhere(web):
    http = do_setup(web)
    # the broker: validated, with its default
    c = RawClient(web.broker.ctl)
    try:
        c.hello()
        r = c.save("bot", {"token": TOKEN, "log_lines": 5}, 0)
        assert r[0] == "INVALID", r
        errors = json.loads(r[2])
        assert [(e["field"], e["reason"]) for e in errors] == [("bot.log_lines", "out_of_range")]
        assert c.save("bot", {"token": TOKEN}, 0)[0] == "OK"
    finally:
        c.close()
    assert section(web.broker, "bot")[1]["log_lines"] == 50

    # the web form: its label, its limits from the row, its value
    page = http.get("/bot").text
    m = re.search(r'<input type="number"[^>]*name="bot.log_lines"[^>]*>', page)
    assert m, page[-4000:]
    assert 'min="10" max="1000"' in m.group(0) and 'value="50"' in m.group(0)
    assert '<label for="f-bot.log_lines">Log lines per Logs button</label>' in page

    # refused at the field, in words, nothing saved; then saved
    fields = [("bot.token", ""), ("bot.guild_id", ""), ("bot.language", "en"),
              ("bot.timezone", "UTC")]
    rev0 = broker_rev(web.broker)
    r = post_form(http, "/bot", fields + [("bot.log_lines", "5")])
    assert r.status == 422
    assert field_errors(r.text, "bot.log_lines") == [
        "Log lines per Logs button must be between 10 and 1000."]
    assert broker_rev(web.broker) == rev0
    r = post_form(http, "/bot", fields + [("bot.log_lines", "120")])
    assert r.status == 303, r.text[-2000:]
    assert section(web.broker, "bot")[1]["log_lines"] == 120
    assert web.broker.config()["bot"]["token"] == TOKEN     # the empty input kept it

    # ddc-ctl: shown, beside the redacted token
    out = ctl(web, "get", "bot")
    assert out.returncode == 0, out.stderr
    value = json.loads(out.stdout)["value"]
    assert value["log_lines"] == 120 and value["token"] == "***"
    assert TOKEN not in out.stdout


def test_forms_refuse_at_the_field(web):
    http = do_setup(web)
    save(web.broker, "containers", [{"host": "h1", "name": "plex", "display_name": "Plex",
                                     "order": 3}])
    save(web.broker, "admins", [{"id": "111111111111111111", "note": "a"},
                                {"id": "222222222222222222", "note": "b"}])
    rev0 = broker_rev(web.broker)
    row = [("containers[0].host", "h1"), ("containers[0].name", "plex"),
           ("containers[0].active", "1"), ("containers[0].allowed_actions", "start"),
           ("containers._kept", "1")]

    # an emptied display name and an emptied order: refused, not defaulted
    r = post_form(http, "/containers", row + [("containers[0].display_name", ""),
                                              ("containers[0].order", "")])
    assert r.status == 422, r.text[-2000:]
    assert field_errors(r.text, "containers[0].display_name") == [
        "Container 1: Display name may not be empty or contain control characters."]
    assert field_errors(r.text, "containers[0].order") == [
        "Container 1: Order must be a whole number."]
    assert broker_rev(web.broker) == rev0

    # an admin row whose id was emptied is refused, not dropped
    r = post_form(http, "/admins", [("admins._kept", "2"),
                                    ("admins[0].id", "111111111111111111"),
                                    ("admins[0].note", "a"),
                                    ("admins[1].id", ""), ("admins[1].note", "")])
    assert r.status == 422, r.text[-2000:]
    assert field_errors(r.text, "admins[1].id") == ["Admin 2: User ID is required."]
    assert len(section(web.broker, "admins")[1]) == 2
    # a blank row added and left empty is still dropped (nothing to save)
    r = post_form(http, "/admins", [("admins._kept", "2"),
                                    ("admins[0].id", "111111111111111111"),
                                    ("admins[0].note", "a"),
                                    ("admins[1].id", "222222222222222222"),
                                    ("admins[1].note", "b"),
                                    ("admins[2].id", ""), ("admins[2].note", "")])
    assert r.status == 303, r.text[-2000:]
    assert broker_rev(web.broker) == rev0

    # a field sent twice: refused at it, the broker never asked
    r = post_form(http, "/bot", [("bot.token", ""), ("bot.guild_id", ""),
                                 ("bot.language", "en"), ("bot.language", "de"),
                                 ("bot.timezone", "UTC")])
    assert r.status == 422, r.text[-2000:]
    assert field_errors(r.text, "bot.language") == [
        "Bot language was sent twice; reload the page and try again."]
    assert broker_rev(web.broker) == rev0
    # the multi-checkboxes repeat by design
    r = post_form(http, "/containers", row + [("containers[0].allowed_actions", "stop"),
                                              ("containers[0].display_name", "Plex"),
                                              ("containers[0].order", "3")])
    assert r.status == 303, r.text[-2000:]
    assert section(web.broker, "containers")[1][0]["allowed_actions"] == ["start", "stop"]
