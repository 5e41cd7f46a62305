/*  test_discord_render: every message of ddc-discord rendered to JSON
    (render.c) and checked against Discord's limits (embed sizes, 5 rows,
    5 buttons a row, 25 select options, unique custom ids of at most 100
    characters, valid UTF-8), with the overview and panel contents, many
    containers, several hosts, German, the admin and busy variants, logs
    from hostile bytes; the text helpers; and the locale tables (i18n.c:
    English and German have the same keys, placeholders). */
#include "../../services/discord/i18n.c"
#include "../../services/discord/live.c"
#include "../../services/discord/render.c"

#include "ddc_test.h"
#include "ddc_test_json.h"
#include "ddc_test_text.h"

static void
s_apply (live_t *live, const char *section, cJSON *v)
{
    if (live_apply (live, section, v, NULL) < 0)
        abort ();
    cJSON_Delete (v);
}

//  Every string in v is valid UTF-8.
static bool
s_all_utf8 (const cJSON *v)
{
    if (cJSON_IsString (v) && !ddc_test_utf8_ok (v->valuestring))
        return false;
    for (const cJSON *c = v ? v->child : NULL; c; c = c->next)
        if (!s_all_utf8 (c))
            return false;
    return true;
}

//  Discord's limits on a message body (legacy components).
static int
s_check_message (const cJSON *msg)
{
    int bad = 0;
    if (!s_all_utf8 (msg))
        bad++;
    const cJSON *content = cJSON_GetObjectItem (msg, "content");
    if (content && ddc_test_chars (content->valuestring) > 2000)
        bad++;
    const cJSON *embeds = cJSON_GetObjectItem (msg, "embeds");
    size_t total = 0;
    if (cJSON_GetArraySize (embeds) > 10)
        bad++;
    for (const cJSON *e = embeds ? embeds->child : NULL; e; e = e->next) {
        const char *title = cJSON_GetStringValue (cJSON_GetObjectItem (e, "title"));
        const char *desc = cJSON_GetStringValue (cJSON_GetObjectItem (e, "description"));
        if (ddc_test_chars (title) > 256 || ddc_test_chars (desc) > 4096)
            bad++;
        total += ddc_test_chars (title) + ddc_test_chars (desc);
        const cJSON *fields = cJSON_GetObjectItem (e, "fields");
        if (cJSON_GetArraySize (fields) > 25)
            bad++;
        for (const cJSON *f = fields ? fields->child : NULL; f; f = f->next) {
            const char *n = cJSON_GetStringValue (cJSON_GetObjectItem (f, "name"));
            const char *v = cJSON_GetStringValue (cJSON_GetObjectItem (f, "value"));
            if (!n || !v || !*n || !*v || ddc_test_chars (n) > 256 || ddc_test_chars (v) > 1024)
                bad++;
            total += ddc_test_chars (n) + ddc_test_chars (v);
        }
        const cJSON *footer = cJSON_GetObjectItem (e, "footer");
        if (footer)
            total += ddc_test_chars (cJSON_GetStringValue (cJSON_GetObjectItem (footer, "text")));
    }
    if (total > 6000)
        bad++;
    const cJSON *rows = cJSON_GetObjectItem (msg, "components");
    if (cJSON_GetArraySize (rows) > 5)
        bad++;
    const char *ids [64];
    int nids = 0;
    for (const cJSON *row = rows ? rows->child : NULL; row; row = row->next) {
        const cJSON *list = cJSON_GetObjectItem (row, "components");
        int n = cJSON_GetArraySize (list);
        if (cJSON_GetObjectItem (row, "type")->valueint != 1 || n < 1 || n > 5)
            bad++;
        for (const cJSON *c = list ? list->child : NULL; c; c = c->next) {
            const char *id = cJSON_GetStringValue (cJSON_GetObjectItem (c, "custom_id"));
            if (!id || strlen (id) > 100 || !*id)
                bad++;
            for (int i = 0; id && i < nids; i++)
                if (strcmp (ids [i], id) == 0)
                    bad++;
            if (id && nids < 64)
                ids [nids++] = id;
            int type = cJSON_GetObjectItem (c, "type")->valueint;
            if (type == 2) {
                const char *label = cJSON_GetStringValue (cJSON_GetObjectItem (c, "label"));
                if (!label || ddc_test_chars (label) > 80)
                    bad++;
            }
            else if (type == 3) {
                if (n != 1)
                    bad++;
                const cJSON *opts = cJSON_GetObjectItem (c, "options");
                int no = cJSON_GetArraySize (opts);
                if (no < 1 || no > 25)
                    bad++;
                for (const cJSON *o = opts ? opts->child : NULL; o; o = o->next) {
                    const char *l = cJSON_GetStringValue (cJSON_GetObjectItem (o, "label"));
                    const char *v = cJSON_GetStringValue (cJSON_GetObjectItem (o, "value"));
                    const char *d = cJSON_GetStringValue (cJSON_GetObjectItem (o, "description"));
                    if (!l || !v || !*l || !*v || ddc_test_chars (l) > 100 || strlen (v) > 100
                        || ddc_test_chars (d) > 100)
                        bad++;
                }
            }
            else
                bad++;
        }
    }
    return bad;
}

static const char *
s_desc (const cJSON *msg)
{
    const cJSON *e = cJSON_GetArrayItem (cJSON_GetObjectItem (msg, "embeds"), 0);
    return cJSON_GetStringValue (cJSON_GetObjectItem (e, "description"));
}

static bool
s_has_id (const cJSON *msg, const char *prefix)
{
    char *text = cJSON_PrintUnformatted (msg);
    char needle [128];
    snprintf (needle, sizeof (needle), "\"custom_id\":\"%s", prefix);
    bool found = strstr (text, needle) != NULL;
    free (text);
    return found;
}

static live_t *
s_live (void)
{
    live_t *live = live_new ();
    s_apply (live, "containers",
             ddc_test_json (
                 "[{'host':'nas','name':'plex','display_name':'Plex Media Server For The Family',"
                 "'allowed_actions':['start','stop','restart','logs'],'info':{'enabled':true,"
                 "'text':'Movies\\nhttps://plex.example'}},"
                 "{'host':'nas','name':'valheim','display_name':'Valheim','allowed_actions':[]},"
                 "{'host':'pi','name':'web','display_name':'Wëb ☕'}]"));
    cJSON *body = ddc_test_json ("{'docker':{'reachable':true},'containers':{"
                                 "'plex':{'state':'running','uptime_s':200000,'cpu_percent':12.34,"
                                 "'mem_bytes':2040109465},'valheim':{'state':'exited'}}}");
    live_status (live, "docker@nas", "status", body, 1000);
    cJSON_Delete (body);
    return live;
}

static render_ctx_t
s_ctx (live_t *live, lang_t lang)
{
    render_ctx_t r = { live, lang, NULL, 1795774415790LL, 2000 };
    return r;
}

DDC_TEST (test_overviews)
{
    CHECK_EQ (i18n_init (), 0);
    live_t *live = s_live ();
    render_ctx_t r = s_ctx (live, LANG_EN);
    cJSON *m = render_overview (&r, CHAN_STATUS, 0);
    CHECK_EQ (s_check_message (m), 0);
    const char *d = s_desc (m);
    CHECK (strstr (d, "Last update: 10:13") != NULL);          //  UTC
    CHECK (strstr (d, "┌── nas") && strstr (d, "┌── pi"));     //  grouped by host
    CHECK (strstr (d, "🟢 Plex Media Server F…") != NULL); //  20 characters
    CHECK (strstr (d, "ℹ️") != NULL);
    CHECK (strstr (d, "🔴 Valheim") && strstr (d, "🔄 Wëb ☕"));
    CHECK (!strstr (d, "12.3%")); //  no stats here
    CHECK (s_has_id (m, "ov:sel") && s_has_id (m, "ov:ref") && !s_has_id (m, "ov:rall"));
    cJSON_Delete (m);
    m = render_overview (&r, CHAN_CONTROL, 0);
    CHECK_EQ (s_check_message (m), 0);
    d = s_desc (m);
    CHECK (strstr (d, "Containers: 3 • Online: 1 • Offline: 1 • Unknown: 1\n") != NULL);
    CHECK (strstr (d, "12.3% • 1.9 GB") != NULL);
    CHECK (strstr (d, "Valheim · offline") != NULL);
    CHECK (s_has_id (m, "ov:rall") && s_has_id (m, "ov:sall"));
    cJSON_Delete (m);
    //  Pending is counted too; every container once.
    live_set_pending (live, live_ctr_find (live, "plex")->key, 99999);
    m = render_overview (&r, CHAN_CONTROL, 0);
    CHECK (strstr (s_desc (m), "Containers: 3 • Online: 0 • Offline: 1 • Pending: 1 • "
                               "Unknown: 1\n")
           != NULL);
    cJSON_Delete (m);
    live_clear_pending (live, live_ctr_find (live, "plex")->key);
    //  A host whose agent is gone: its containers unknown, the host marked.
    live_link (live, "docker@nas", false, 1795774415790LL - 600000, 3000);
    m = render_overview (&r, CHAN_CONTROL, 0);
    d = s_desc (m);
    CHECK (strstr (d, "**nas** ⚠️ Docker agent offline since 10:03") != NULL);
    CHECK (strstr (d, "Online: 0 • Offline: 0 • Unknown: 3") != NULL);
    CHECK (strstr (d, "🔄 Valheim") != NULL);
    cJSON_Delete (m);
    m = render_overview (&r, CHAN_STATUS, 0);
    CHECK (strstr (s_desc (m), "┌── nas ⚠️\n│ Docker agent offline since 10:03\n")
           != NULL);
    CHECK_EQ (s_check_message (m), 0);
    cJSON_Delete (m);
    m = render_panel (&r, live_ctr_find (live, "plex"), true, NULL, false);
    CHECK (strstr (s_desc (m), "│ 🔄 Unknown\n│ ⚠️ Docker agent offline since 10:03")
           != NULL);
    cJSON_Delete (m);
    live_link (live, "docker@nas", true, 0, 3000);
    //  Docker itself down: said the same way, with the agent's time.
    cJSON *down = ddc_test_json ("{'docker':{'reachable':false,'unreachable_since':"
                                 "'2026-11-26T09:00:00Z'},'containers':{}}");
    live_status (live, "docker@nas", "status", down, 3000);
    cJSON_Delete (down);
    m = render_panel (&r, live_ctr_find (live, "plex"), true, NULL, false);
    CHECK (strstr (s_desc (m), "│ ⚠️ Docker unreachable since 2026-11-26 09:00") != NULL);
    cJSON_Delete (m);
    live_destroy (&live);
    live = s_live ();
    //  Compared as shown: the same without the clock, CPU and RAM.
    render_ctx_t a = s_ctx (live, LANG_EN), b = a;
    a.no_clock = b.no_clock = a.no_stats = b.no_stats = true;
    b.wall_ms += 3600000;
    cJSON *ma = render_overview (&a, CHAN_CONTROL, 0), *mb = render_overview (&b, CHAN_CONTROL, 0);
    char *ta = cJSON_PrintUnformatted (ma), *tb = cJSON_PrintUnformatted (mb);
    CHECK_STR (ta, tb);
    CHECK (!strstr (ta, "12.3%"));
    free (ta);
    free (tb);
    cJSON_Delete (ma);
    cJSON_Delete (mb);
    //  German, and a time zone.
    ddc_tz_t *tz = ddc_tz_load ("Europe/Berlin");
    r = s_ctx (live, LANG_DE);
    r.tz = tz;
    m = render_overview (&r, CHAN_CONTROL, 0);
    CHECK (strstr (s_desc (m), "Letzte Aktualisierung: 11:13") != NULL);
    CHECK_STR (cJSON_GetObjectItem (cJSON_GetArrayItem (cJSON_GetObjectItem (m, "embeds"), 0),
                                    "title")
                   ->valuestring,
               "Admin-Übersicht");
    cJSON_Delete (m);
    ddc_tz_destroy (&tz);
    //  No containers.
    live_t *empty = live_new ();
    r = s_ctx (empty, LANG_EN);
    m = render_overview (&r, CHAN_STATUS, 0);
    CHECK (s_check_message (m) == 0 && strstr (s_desc (m), "No containers") != NULL);
    CHECK (!s_has_id (m, "ov:sel"));
    cJSON_Delete (m);
    live_destroy (&empty);
    live_destroy (&live);
}

//  n containers on hosts host0..host(hosts-1), named NAME-i, displayed as
//  display (NULL: the name).
static void
s_many (live_t *live, int n, int hosts, const char *host_prefix, const char *display)
{
    cJSON *list = cJSON_CreateArray ();
    for (int i = 0; i < n; i++) {
        cJSON *c = cJSON_CreateObject ();
        char host [80], name [64];
        snprintf (host, sizeof (host), "%s%d", host_prefix, i % hosts);
        snprintf (name, sizeof (name), "container-with-a-long-name-%03d", i);
        cJSON_AddStringToObject (c, "host", host);
        cJSON_AddStringToObject (c, "name", name);
        if (display)
            cJSON_AddStringToObject (c, "display_name", display);
        cJSON_AddItemToArray (list, c);
    }
    s_apply (live, "containers", list);
}

//  Every part of an overview within Discord's limits, "(k/n)" in the titles
//  when there are several, the buttons under the last one only, and how
//  many containers the selects list (each once); *more: a part says
//  "... and N more".
static size_t
s_check_parts (const render_ctx_t *r, chan_kind_t kind, size_t *nparts, bool *more)
{
    size_t n = render_overview_parts (r, kind), listed = 0;
    *nparts = n;
    *more = false;
    char **seen = ddc_calloc (r->live->nctrs + 1, sizeof (*seen));
    for (size_t p = 0; p < n; p++) {
        cJSON *m = render_overview (r, kind, p);
        CHECK_EQ (s_check_message (m), 0);
        CHECK (ddc_test_chars (s_desc (m)) <= 4096 && strlen (s_desc (m)) <= RENDER_DESC_MAX);
        const char *title =
            cJSON_GetObjectItem (cJSON_GetArrayItem (cJSON_GetObjectItem (m, "embeds"), 0), "title")
                ->valuestring;
        char part [64];
        snprintf (part, sizeof (part), "(%zu/%zu)", p + 1, n);
        CHECK ((n > 1) == (strstr (title, part) != NULL));
        CHECK (s_has_id (m, "ov:ref") == (p + 1 == n));
        CHECK (s_has_id (m, "ov:help") == (p + 1 == n));
        if (strstr (s_desc (m), "more"))
            *more = true;
        const cJSON *rows = cJSON_GetObjectItem (m, "components");
        for (const cJSON *row = rows->child; row; row = row->next) {
            const cJSON *sel = cJSON_GetArrayItem (cJSON_GetObjectItem (row, "components"), 0);
            const cJSON *opts = cJSON_GetObjectItem (sel, "options");
            for (const cJSON *o = opts ? opts->child : NULL; o; o = o->next) {
                const char *v = cJSON_GetObjectItem (o, "value")->valuestring;
                for (size_t i = 0; i < listed; i++)
                    CHECK (strcmp (seen [i], v) != 0);
                if (listed < r->live->nctrs)
                    seen [listed++] = ddc_strdup (v);
            }
        }
        cJSON_Delete (m);
    }
    //  A part past the last is the last.
    cJSON *a = render_overview (r, kind, n - 1), *b = render_overview (r, kind, n + 5);
    CHECK_EQ (render_hash (a), render_hash (b));
    cJSON_Delete (a);
    cJSON_Delete (b);
    for (size_t i = 0; i < listed; i++)
        free (seen [i]);
    free (seen);
    return listed;
}

//  The part whose selects list key.
static size_t
s_part_of_key (const render_ctx_t *r, chan_kind_t kind, const char *key)
{
    size_t n = render_overview_parts (r, kind);
    char needle [64];
    snprintf (needle, sizeof (needle), "\"value\":\"%s\"", key);
    for (size_t p = 0; p < n; p++) {
        cJSON *m = render_overview (r, kind, p);
        char *text = cJSON_PrintUnformatted (m);
        bool found = strstr (text, needle) != NULL;
        free (text);
        cJSON_Delete (m);
        if (found)
            return p;
    }
    return SIZE_MAX;
}

DDC_TEST (test_overview_limits)
{
    CHECK_EQ (i18n_init (), 0);
    live_t *live = live_new ();
    s_many (live, DDC_CONTAINERS_MAX, 7, "host", "Ünïcödé名前が長いコンテナの表示名です!!");
    CHECK_EQ (live->nctrs, DDC_CONTAINERS_MAX);
    for (int lang = 0; lang < 2; lang++) {
        render_ctx_t r = s_ctx (live, lang ? LANG_DE : LANG_EN);
        for (int k = 0; k < 2; k++) {
            size_t n;
            bool more;
            //  Every container listed once, in some part; none left out.
            CHECK (s_check_parts (&r, k ? CHAN_CONTROL : CHAN_STATUS, &n, &more)
                   == DDC_CONTAINERS_MAX);
            CHECK (!more && n > 1 && n < RENDER_PARTS_MAX);
        }
    }
    render_ctx_t r = s_ctx (live, LANG_EN);
    //  A container stays in its part whatever its state.
    const live_ctr_t *c = &live->ctrs [DDC_CONTAINERS_MAX / 2];
    size_t parts = render_overview_parts (&r, CHAN_CONTROL);
    size_t at = s_part_of_key (&r, CHAN_CONTROL, c->key);
    CHECK (at != SIZE_MAX && at > 0);
    live_set_pending (live, c->key, 99999);
    CHECK_EQ (render_overview_parts (&r, CHAN_CONTROL), parts);
    CHECK_EQ (s_part_of_key (&r, CHAN_CONTROL, c->key), at);
    live_clear_pending (live, c->key);
    cJSON *c2 = render_choices (&r, "");
    CHECK_EQ (cJSON_GetArraySize (cJSON_GetObjectItem (c2, "choices")), 25);
    cJSON_Delete (c2);
    c2 = render_choices (&r, "-499");
    CHECK_EQ (cJSON_GetArraySize (cJSON_GetObjectItem (c2, "choices")), 1);
    cJSON_Delete (c2);
    //  Short names: fewer, fuller messages (a select of 25 a row, 4 rows).
    s_many (live, DDC_CONTAINERS_MAX, 2, "h", "x");
    size_t n;
    bool more;
    CHECK_EQ (s_check_parts (&r, CHAN_STATUS, &n, &more), DDC_CONTAINERS_MAX);
    CHECK (!more && n == (DDC_CONTAINERS_MAX + RENDER_PART_CTRS - 1) / RENDER_PART_CTRS);
    //  Every container on a host of its own with the longest names: more
    //  than RENDER_PARTS_MAX messages would be needed; the last one says
    //  how many more there are, and every message stays within the limits.
    s_many (live, DDC_CONTAINERS_MAX, DDC_CONTAINERS_MAX, "ホストの名前がとても長いホストの名前が",
            "名前が長いコンテナの表示名です名前が長いコンテナの表示名です");
    s_check_parts (&r, CHAN_CONTROL, &n, &more);
    CHECK (more && n == RENDER_PARTS_MAX);
    //  One container: one message, as it always was.
    s_many (live, 1, 1, "h", NULL);
    CHECK_EQ (s_check_parts (&r, CHAN_CONTROL, &n, &more), 1);
    CHECK (n == 1 && !more);
    live_destroy (&live);
}

DDC_TEST (test_panels)
{
    CHECK_EQ (i18n_init (), 0);
    live_t *live = s_live ();
    render_ctx_t r = s_ctx (live, LANG_EN);
    const live_ctr_t *plex = live_ctr_find (live, "plex");
    const live_ctr_t *val = live_ctr_find (live, "valheim");
    const live_ctr_t *web = live_ctr_find (live, "web");
    cJSON *m = render_panel (&r, plex, plex->allowed, "✅ Plex restarted.", false);
    CHECK_EQ (s_check_message (m), 0);
    CHECK_STR (cJSON_GetObjectItem (m, "content")->valuestring, "✅ Plex restarted.");
    const char *d = s_desc (m);
    CHECK (strstr (d, "Online") && strstr (d, "CPU: 12.3%") && strstr (d, "RAM: 1.9 GB"));
    CHECK (strstr (d, "Uptime: 2d 7h 33m") != NULL);
    char id [64];
    snprintf (id, sizeof (id), "pn:stop:%s", plex->key);
    CHECK (s_has_id (m, id));
    snprintf (id, sizeof (id), "pn:restart:%s", plex->key);
    CHECK (s_has_id (m, id));
    snprintf (id, sizeof (id), "pn:start:%s", plex->key);
    CHECK (!s_has_id (m, id)); //  it runs
    CHECK (s_has_id (m, "pn:logs:") && s_has_id (m, "pn:ref:"));
    char *text = cJSON_PrintUnformatted (m);
    CHECK (strstr (text, "Movies\\nhttps://plex.example") != NULL); //  info text, 2 lines
    free (text);
    cJSON_Delete (m);
    m = render_panel (&r, plex, plex->allowed | ACT_ADMIN, NULL, false); //  admins manage
    CHECK (s_has_id (m, "pn:tasks:") && s_has_id (m, "pn:edit:") && s_check_message (m) == 0);
    cJSON_Delete (m);
    //  Not an admin: view only.
    m = render_panel (&r, plex, 0, NULL, false);
    CHECK (!s_has_id (m, "pn:stop") && !s_has_id (m, "pn:logs") && s_has_id (m, "pn:ref"));
    CHECK (!s_has_id (m, "pn:tasks:") && !s_has_id (m, "pn:edit:"));
    cJSON_Delete (m);
    //  The info form: the text as it is, and which info it was opened on.
    m = render_info_modal (&r, plex);
    char want [64];
    snprintf (want, sizeof (want), "in:ed:%s:%08x", plex->key, render_info_hash (plex));
    CHECK_STR (cJSON_GetObjectItem (m, "custom_id")->valuestring, want);
    CHECK (strlen (want) <= 100
           && ddc_test_chars (cJSON_GetObjectItem (m, "title")->valuestring) <= 45);
    text = cJSON_PrintUnformatted (m);
    CHECK (strstr (text, "\"value\":\"Movies\\nhttps://plex.example\"") != NULL);
    CHECK (strstr (text, "\"custom_id\":\"show\"") != NULL);
    free (text);
    cJSON_Delete (m);
    live_ctr_t other = *plex;
    other.info_text = (char *) "changed";
    CHECK (render_info_hash (&other) != render_info_hash (plex));
    other = *plex;
    other.info_enabled = !plex->info_enabled;
    CHECK (render_info_hash (&other) != render_info_hash (plex));
    //  Busy: no buttons at all.
    m = render_panel (&r, plex, plex->allowed, "⏳", true);
    CHECK_EQ (cJSON_GetArraySize (cJSON_GetObjectItem (m, "components")), 0);
    cJSON_Delete (m);
    //  Nothing allowed, stopped.
    m = render_panel (&r, val, val->allowed, NULL, false);
    CHECK (!s_has_id (m, "pn:start") && strstr (s_desc (m), "Offline"));
    cJSON_Delete (m);
    //  Unknown state: what is allowed.
    m = render_panel (&r, web, web->allowed, NULL, false);
    CHECK (s_has_id (m, "pn:start") && s_has_id (m, "pn:stop") && s_has_id (m, "pn:restart"));
    CHECK_EQ (s_check_message (m), 0);
    cJSON_Delete (m);
    live_destroy (&live);
}

DDC_TEST (test_other_messages)
{
    CHECK_EQ (i18n_init (), 0);
    live_t *live = s_live ();
    render_ctx_t r = s_ctx (live, LANG_EN);
    const live_ctr_t *plex = live_ctr_find (live, "plex");
    //  Logs: hostile bytes come out as valid UTF-8, no code-block escape.
    char logs [20000];
    size_t n = 0;
    while (n < sizeof (logs) - 200) {
        n += (size_t) snprintf (logs + n, sizeof (logs) - n, "line %zu ```\xff\xfe\x01 ok é\n", n);
    }
    cJSON *m = render_logs (&r, plex, logs, 50, 0, NULL);
    CHECK_EQ (s_check_message (m), 0);
    const char *d = s_desc (m);
    CHECK (strncmp (d, "```\n", 4) == 0 && strstr (d + 3, "```") == d + strlen (d) - 3);
    CHECK (strlen (d) < 4096);
    CHECK (s_has_id (m, "lg:ref:") && !s_has_id (m, "lg:stop:"));
    char *text = cJSON_PrintUnformatted (m);
    CHECK (strstr (text, "Last 50 lines • as of 10:13:35") != NULL);
    free (text);
    cJSON_Delete (m);
    m = render_logs (&r, plex, "", 0, 0, NULL);
    CHECK (strstr (s_desc (m), "(no output)") != NULL);
    cJSON_Delete (m);
    //  Updating itself: until when, and a button that stops it.
    m = render_logs (&r, plex, "a\nb\n", 2, 1795774415790LL + 120000, "⚠️ note");
    CHECK (s_check_message (m) == 0 && s_has_id (m, "lg:ref:") && s_has_id (m, "lg:stop:"));
    text = cJSON_PrintUnformatted (m);
    CHECK (strstr (text, "Last 2 lines • updating every 5 s until 10:15") != NULL);
    CHECK (strstr (text, "\"content\":\"⚠️ note\"") != NULL);
    free (text);
    cJSON_Delete (m);
    m = render_help (&r);
    CHECK_EQ (s_check_message (m), 0);
    cJSON_Delete (m);
    m = render_ping (&r, 42, 17);
    CHECK (strstr (s_desc (m), "Latency: 42 ms") && strstr (s_desc (m), "REST round trip: 17 ms"));
    cJSON_Delete (m);
    //  Before the first heartbeat ACK: the REST round trip, never "not
    //  measured" when there is one.
    m = render_ping (&r, -1, 120);
    CHECK (strstr (s_desc (m), "REST round trip: 120 ms") && !strstr (s_desc (m), "Latency"));
    cJSON_Delete (m);
    m = render_ping (&r, -1, -1);
    CHECK (strstr (s_desc (m), "not measured") != NULL);
    cJSON_Delete (m);
    m = render_confirm (&r, "restart", 3, 3, NULL);
    CHECK (s_check_message (m) == 0 && s_has_id (m, "bk:restart") && s_has_id (m, "bk:no"));
    CHECK (strstr (cJSON_GetObjectItem (m, "content")->valuestring,
                   "Restart all 3 running containers?")
           != NULL);
    cJSON_Delete (m);
    //  Some running containers do not allow it: said, with their names.
    m = render_confirm (&r, "stop", 2, 3, "Box 3");
    CHECK (s_check_message (m) == 0 && s_has_id (m, "bk:stop"));
    CHECK_STR (cJSON_GetObjectItem (m, "content")->valuestring,
               "Stop 2 of the 3 running containers? 1 of them do not allow stop and will keep "
               "running: Box 3");
    cJSON_Delete (m);
    m = render_addadmin_modal (&r);
    CHECK_STR (cJSON_GetObjectItem (m, "custom_id")->valuestring, "adm:add");
    CHECK (ddc_test_chars (cJSON_GetObjectItem (m, "title")->valuestring) <= 45);
    cJSON_Delete (m);
    m = render_choices (&r, "PLE");
    cJSON *choices = cJSON_GetObjectItem (m, "choices");
    CHECK_EQ (cJSON_GetArraySize (choices), 1);
    CHECK_STR (cJSON_GetObjectItem (cJSON_GetArrayItem (choices, 0), "value")->valuestring,
               plex->key);
    cJSON_Delete (m);
    char big [5000];
    memset (big, 'x', sizeof (big) - 1);
    big [sizeof (big) - 1] = '\0';
    m = render_text (big);
    CHECK_EQ (s_check_message (m), 0);
    cJSON_Delete (m);
    live_destroy (&live);
}

DDC_TEST (test_text_helpers)
{
    char buf [64];
    render_cpu (12.345, buf, sizeof (buf));
    CHECK_STR (buf, "12.3%");
    render_cpu (-1, buf, sizeof (buf));
    CHECK_STR (buf, "0.0%");
    render_mem (512.0 * 1024 * 1024, buf, sizeof (buf));
    CHECK_STR (buf, "512 MB");
    render_mem (2040109465.0, buf, sizeof (buf));
    CHECK_STR (buf, "1.9 GB");
    render_mem (1000.0 * 1024 * 1024, buf, sizeof (buf)); //  GB from 1000 MB up
    CHECK_STR (buf, "1.0 GB");
    render_mem (999.0 * 1024 * 1024, buf, sizeof (buf));
    CHECK_STR (buf, "999 MB");
    render_uptime (30, buf, sizeof (buf));
    CHECK_STR (buf, "< 1m");
    render_uptime (3 * 3600, buf, sizeof (buf));
    CHECK_STR (buf, "3h 0m");
    render_uptime (86400 * 2 + 3600 * 3 + 300, buf, sizeof (buf));
    CHECK_STR (buf, "2d 3h 5m");
    render_trunc ("abcdef", 4, buf, sizeof (buf));
    CHECK_STR (buf, "abc…");
    render_trunc ("äöüß", 4, buf, sizeof (buf));
    CHECK_STR (buf, "äöüß");
    render_trunc ("äöüßx", 4, buf, sizeof (buf));
    CHECK_STR (buf, "äöü…");
    render_trunc ("a\xff"
                  "b",
                  10, buf, sizeof (buf));
    CHECK_STR (buf, "a?b");
    render_trunc ("a\nb\x01", 10, buf, sizeof (buf));
    CHECK_STR (buf, "a?b?");
    render_trunc_text ("a\nb\x01", 10, buf, sizeof (buf)); //  line breaks kept
    CHECK_STR (buf, "a\nb?");
    char tiny [6];
    render_trunc ("ééééééé", 100, tiny, sizeof (tiny));
    CHECK (ddc_test_utf8_ok (tiny));
    char *c = render_clean ("a`b\r\n\x01\xc3\xa9\xe2\x82", 10);
    CHECK_STR (c, "a\xcb\x8b"
                  "b\n?é??");
    free (c);
}

DDC_TEST (test_locales)
{
    CHECK_EQ (i18n_init (), 0);
    //  Every language has every key with the same placeholders
    //  (test_i18n checks the catalogue in full).
    for (int l = 0; l < LANG_COUNT; l++)
        CHECK_EQ (ddc_i18n_check (i18n_catalogue (), l, stderr), 0);
    char buf [64];
    CHECK_STR (i18n_fmt (buf, sizeof (buf), LANG_DE, "ping.latency", "7", NULL), "Latenz: 7 ms");
    CHECK_STR (i18n_fmt (buf, sizeof (buf), LANG_EN, "no.such.key", NULL), "no.such.key");
    CHECK_STR (i18n_fmt (buf, sizeof (buf), LANG_EN, "deny.action", "Restart", NULL),
               "⛔ Restart is not allowed for .");
    char small [8];
    i18n_fmt (small, sizeof (small), LANG_DE, "help.title", NULL);
    CHECK (ddc_test_utf8_ok (small));
    CHECK (i18n_lang ("de") == LANG_DE && i18n_lang ("xx") == LANG_EN);
    CHECK (i18n_lang (NULL) == LANG_EN);
    i18n_shutdown ();
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_overviews);
    DDC_RUN (test_overview_limits);
    DDC_RUN (test_panels);
    DDC_RUN (test_other_messages);
    DDC_RUN (test_text_helpers);
    DDC_RUN (test_locales);
    DDC_DONE ();
}
