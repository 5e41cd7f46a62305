/*  render_pages: sign-in, first-run setup, password change, error pages,
    the dashboard with its live fragments, the history with diffs, and the
    activity (the broker's audit log). See render.h. */
#include "render.h"

#include "diff.h"
#include "ddc_util.h"
#include "ddc_pwhash.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *
s_pg_get (const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive (obj, key);
}

static const char *
s_pg_str (const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue (s_pg_get (obj, key));
}

static double
s_pg_num (const cJSON *obj, const char *key, double dflt)
{
    const cJSON *v = s_pg_get (obj, key);
    return cJSON_IsNumber (v) ? v->valuedouble : dflt;
}

//  A paragraph of locale text (trusted HTML) with an optional class.
static void
s_para (ddc_buf_t *b, const rctx_t *rc, const char *cls, const char *key)
{
    if (cls)
        ddc_buf_printf (b, "<p class=\"%s\">", cls);
    else
        ddc_buf_puts (b, "<p>");
    ddc_buf_puts (b, T (rc, key));
    ddc_buf_puts (b, "</p>");
}

static void
s_error_box (ddc_buf_t *b, const rctx_t *rc, const char *error_key)
{
    if (!error_key)
        return;
    ddc_buf_puts (b, "<div class=\"notice error\" role=\"alert\" id=\"form-error\"><p>");
    ddc_buf_html (b, T (rc, error_key));
    ddc_buf_puts (b, "</p></div>");
}

static void
s_password_input (ddc_buf_t *b, const rctx_t *rc, const char *name, const char *label_key,
                  const char *autocomplete)
{
    ddc_buf_puts (b, "<div class=\"field\"><label for=\"f-");
    ddc_buf_puts (b, name);
    ddc_buf_puts (b, "\">");
    ddc_buf_html (b, T (rc, label_key));
    ddc_buf_puts (b, "</label><input type=\"password\" id=\"f-");
    ddc_buf_puts (b, name);
    ddc_buf_puts (b, "\" name=\"");
    ddc_buf_puts (b, name);
    ddc_buf_printf (b, "\" maxlength=\"%d\" autocomplete=\"%s\" required></div>",
                    DDC_PWHASH_PASS_MAX, autocomplete);
}

//  ------------------------------------------------------------------------
//  sign-in, setup, password

void
render_login (ddc_buf_t *b, const rctx_t *rc, const char *error_key, const char *next)
{
    render_begin (b, rc, T (rc, "login.title"));
    s_error_box (b, rc, error_key);
    ddc_buf_puts (b, "<form method=\"post\" action=\"/login\" class=\"narrow-form\" "
                     "id=\"login-form\">");
    if (next && *next) {
        ddc_buf_puts (b, "<input type=\"hidden\" name=\"next\" value=\"");
        ddc_buf_html (b, next);
        ddc_buf_puts (b, "\">");
    }
    s_password_input (b, rc, "password", "login.password", "current-password");
    ddc_buf_puts (b,
                  "<div class=\"actions\"><button type=\"submit\" class=\"primary\" id=\"login\">");
    ddc_buf_html (b, T (rc, "login.button"));
    ddc_buf_puts (b, "</button></div></form>");
    render_end (b, rc);
}

void
render_setup (ddc_buf_t *b, const rctx_t *rc, const char *error_key, const char *code)
{
    render_begin (b, rc, T (rc, "setup.title"));
    s_para (b, rc, NULL, "setup.intro");
    s_error_box (b, rc, error_key);
    ddc_buf_puts (b,
                  "<form method=\"post\" action=\"/setup\" class=\"narrow-form\" id=\"setup-form\">"
                  "<div class=\"field\"><label for=\"f-code\">");
    ddc_buf_html (b, T (rc, "setup.code"));
    ddc_buf_puts (b, "</label><input type=\"text\" id=\"f-code\" name=\"code\" maxlength=\"32\" "
                     "autocomplete=\"off\" spellcheck=\"false\" required");
    //  a code is printable ASCII: anything else is not shown again
    bool keep = code && *code && strlen (code) <= 32;
    for (const char *c = code; keep && *c; c++)
        keep = *c >= 0x20 && *c < 0x7f;
    if (keep)
        ddc_buf_attr (b, "value", code);
    ddc_buf_puts (b, "><p class=\"hint\">");
    ddc_buf_puts (b, T (rc, "setup.code_hint"));
    ddc_buf_puts (b, "</p></div>");
    s_password_input (b, rc, "password", "setup.password", "new-password");
    s_password_input (b, rc, "confirm", "setup.confirm", "new-password");
    s_para (b, rc, "hint", "pw.policy");
    ddc_buf_puts (b,
                  "<div class=\"actions\"><button type=\"submit\" class=\"primary\" id=\"setup\">");
    ddc_buf_html (b, T (rc, "setup.button"));
    ddc_buf_puts (b, "</button></div></form>");
    render_end (b, rc);
}

void
render_password (ddc_buf_t *b, const rctx_t *rc, uint64_t web_rev, const char *error_key,
                 const char *notice_key)
{
    render_begin (b, rc, T (rc, "nav.password"));
    if (notice_key)
        render_notice (b, "ok", T (rc, notice_key));
    s_error_box (b, rc, error_key);
    ddc_buf_puts (b, "<form method=\"post\" action=\"/password\" class=\"narrow-form\" "
                     "id=\"password-form\">");
    render_csrf (b, rc);
    ddc_buf_printf (b, "<input type=\"hidden\" name=\"rev\" value=\"%" PRIu64 "\">", web_rev);
    s_password_input (b, rc, "old", "password.old", "current-password");
    s_password_input (b, rc, "new", "password.new", "new-password");
    s_password_input (b, rc, "confirm", "password.confirm", "new-password");
    s_para (b, rc, "hint", "pw.policy");
    s_para (b, rc, "hint", "password.signout");
    ddc_buf_puts (b, "<div class=\"actions\"><button type=\"submit\" class=\"primary\" "
                     "id=\"change\">");
    ddc_buf_html (b, T (rc, "password.button"));
    ddc_buf_puts (b, "</button></div></form>");
    render_end (b, rc);
}

void
render_error_page (ddc_buf_t *b, const rctx_t *rc, int status, const char *title_key,
                   const char *text_key, const char *detail)
{
    render_begin (b, rc, T (rc, title_key));
    ddc_buf_printf (b, "<div class=\"notice error\" role=\"alert\" data-status=\"%d\"><p>", status);
    ddc_buf_puts (b, T (rc, text_key));
    ddc_buf_puts (b, "</p>");
    if (detail && *detail) {
        ddc_buf_puts (b, "<p class=\"detail\">");
        ddc_buf_html (b, detail);
        ddc_buf_puts (b, "</p>");
    }
    ddc_buf_puts (b, "</div><p><a href=\"/\">");
    ddc_buf_html (b, T (rc, "error.home"));
    ddc_buf_puts (b, "</a></p>");
    render_end (b, rc);
}

//  ------------------------------------------------------------------------
//  dashboard

static void
s_badge (ddc_buf_t *b, const char *kind, const char *text)
{
    ddc_buf_puts (b, "<span class=\"badge ");
    ddc_buf_html (b, kind);
    ddc_buf_puts (b, "\">");
    ddc_buf_html (b, text);
    ddc_buf_puts (b, "</span>");
}

//  A number as a cell shows it: a count, a share, a duration, a size.
typedef void (s_number_fmt_fn) (double value, char out [32]);

static void
s_fmt_count (double value, char out [32])
{
    snprintf (out, 32, "%.0f", value);
}

static void
s_fmt_percent (double value, char out [32])
{
    snprintf (out, 32, "%.1f %%", value);
}

static void
s_fmt_duration (double seconds, char out [32])
{
    render_duration ((int64_t) seconds, out);
}

//  A labelled cell with value shown by fmt, or a dash when the value is
//  not a number (not reported yet).
static void
s_number_td (ddc_buf_t *b, const rctx_t *rc, const char *label_key, const cJSON *value,
             s_number_fmt_fn *fmt)
{
    render_td (b, rc, label_key, NULL);
    if (cJSON_IsNumber (value)) {
        char text [32];
        fmt (value->valuedouble, text);
        ddc_buf_html (b, text);
    }
    else
        ddc_buf_puts (b, "\xE2\x80\x94");
    ddc_buf_puts (b, "</td>");
}

//  The first `most` {field, message} errors, each as open <code>field</code>
//  message close.
static void
s_errors (ddc_buf_t *b, const cJSON *errors, int most, const char *open, const char *close)
{
    const cJSON *e;
    int n = 0;
    cJSON_ArrayForEach (e, errors) {
        if (n++ == most)
            break;
        const char *f = s_pg_str (e, "field"), *m = s_pg_str (e, "message");
        ddc_buf_puts (b, open);
        if (f && *f) {
            ddc_buf_puts (b, "<code>");
            ddc_buf_html (b, f);
            ddc_buf_puts (b, "</code> ");
        }
        ddc_buf_html (b, m ? m : "");
        ddc_buf_puts (b, close);
    }
}

void
render_view_services (ddc_buf_t *b, const rctx_t *rc, const cJSON *view)
{
    const cJSON *peers = s_pg_get (view, "peers");
    if (cJSON_GetArraySize (peers) == 0) {
        ddc_buf_puts (b, "<p class=\"muted\">");
        ddc_buf_puts (b, T (rc, "dash.no_services")); //  locale HTML: links
        ddc_buf_puts (b, "</p>");
        return;
    }
    ddc_buf_puts (b, "<table class=\"list\"><thead><tr><th>");
    ddc_buf_html (b, T (rc, "dash.service"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "dash.connection"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "dash.applied"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "dash.rejection"));
    ddc_buf_puts (b, "</th></tr></thead><tbody>");
    const cJSON *p;
    cJSON_ArrayForEach (p, peers) {
        const char *name = s_pg_str (p, "name");
        bool connected = cJSON_IsTrue (s_pg_get (p, "connected"));
        ddc_buf_puts (b, "<tr data-peer=\"");
        ddc_buf_html (b, name);
        ddc_buf_puts (b, "\"><td class=\"mono\">");
        ddc_buf_html (b, name);
        ddc_buf_puts (b, "</td>");
        render_td (b, rc, "dash.connection", NULL);
        s_badge (b, connected ? "ok" : "off",
                 T (rc, connected ? "dash.connected" : "dash.disconnected"));
        ddc_buf_puts (b, "</td>");
        s_number_td (b, rc, "dash.applied", s_pg_get (p, "applied_rev"), s_fmt_count);
        render_td (b, rc, "dash.rejection", "wide");
        const cJSON *rej = s_pg_get (p, "rejected");
        if (cJSON_IsObject (rej)) {
            const char *sec = s_pg_str (rej, "section");
            ddc_buf_puts (b, "<span class=\"badge bad\">");
            ddc_buf_html (b, sec ? sec : "?");
            ddc_buf_printf (b, " %.0f</span> ", s_pg_num (rej, "rev", 0));
            s_errors (b, s_pg_get (rej, "errors"), 3, "<br><small>", "</small>");
        }
        else
            ddc_buf_puts (b, "\xE2\x80\x94");
        ddc_buf_puts (b, "</td></tr>");
    }
    ddc_buf_puts (b, "</tbody></table>");
}

void
render_view_gateway (ddc_buf_t *b, const rctx_t *rc, const cJSON *view)
{
    const cJSON *gws = s_pg_get (view, "gateway");
    if (cJSON_GetArraySize (gws) == 0) {
        ddc_buf_puts (b, "<p class=\"muted\">");
        ddc_buf_puts (b, T (rc, "dash.no_gateway")); //  locale HTML: links
        ddc_buf_puts (b, "</p>");
        return;
    }
    ddc_buf_puts (b, "<ul class=\"gateways\">");
    const cJSON *g;
    cJSON_ArrayForEach (g, gws) {
        const char *state = s_pg_str (g, "state");
        //  A ready gateway with an error (a guild that refused the slash
        //  commands) is a warning too.
        bool ok = state && (strcmp (state, "connected") == 0 || strcmp (state, "ready") == 0)
                  && !s_pg_str (g, "detail");
        ddc_buf_puts (b, "<li data-peer=\"");
        ddc_buf_html (b, s_pg_str (g, "peer"));
        ddc_buf_puts (b, "\"");
        ddc_buf_attr (b, "data-state", state ? state : "unknown");
        ddc_buf_puts (b, "><span class=\"mono\">");
        ddc_buf_html (b, s_pg_str (g, "peer"));
        ddc_buf_puts (b, "</span> ");
        s_badge (b, ok ? "ok" : "warn",
                 render_state_text (rc, "gateway.", state ? state : "unknown"));
        const char *user = s_pg_str (g, "user"), *guild = s_pg_str (g, "guild");
        if (user && *user) {
            ddc_buf_puts (b, " <span class=\"mono\">");
            ddc_buf_html (b, user);
            ddc_buf_puts (b, "</span>");
        }
        if (guild && *guild) {
            ddc_buf_puts (b, " ");
            ddc_buf_html (b, T (rc, "dash.guild"));
            ddc_buf_puts (b, " <code>");
            ddc_buf_html (b, guild);
            ddc_buf_puts (b, "</code>");
        }
        const char *detail = s_pg_str (g, "detail");
        if (detail) {
            ddc_buf_puts (b, " <span class=\"detail\">");
            ddc_buf_html (b, detail);
            ddc_buf_puts (b, "</span>");
        }
        if (!cJSON_IsTrue (s_pg_get (g, "connected"))) {
            ddc_buf_puts (b, " ");
            s_badge (b, "off", T (rc, "dash.disconnected"));
        }
        ddc_buf_puts (b, "</li>");
    }
    ddc_buf_puts (b, "</ul>");
}

static const char *
s_state_kind (const char *state)
{
    if (!state)
        return "off";
    if (strcmp (state, "running") == 0)
        return "ok";
    if (strcmp (state, "restarting") == 0 || strcmp (state, "paused") == 0
        || strcmp (state, "created") == 0 || strcmp (state, "unknown") == 0)
        return "warn";
    if (strcmp (state, "missing") == 0 || strcmp (state, "dead") == 0)
        return "bad";
    return "off";
}

void
render_view_host_row (ddc_buf_t *b, const rctx_t *rc, const cJSON *h, const cJSON *c)
{
    const char *state = s_pg_str (c, "state");
    const char *health = s_pg_str (c, "health");
    ddc_buf_puts (b, "<tr data-container=\"");
    ddc_buf_html (b, s_pg_str (h, "host"));
    ddc_buf_puts (b, "/");
    ddc_buf_html (b, s_pg_str (c, "name"));
    ddc_buf_puts (b, "\"");
    if (cJSON_IsFalse (s_pg_get (c, "active")))
        ddc_buf_puts (b, " class=\"inactive\"");
    ddc_buf_puts (b, "><td>");
    ddc_buf_html (b, s_pg_str (c, "display_name"));
    ddc_buf_puts (b, " <small class=\"mono muted\">");
    ddc_buf_html (b, s_pg_str (c, "name"));
    ddc_buf_puts (b, "</small></td><td class=\"state-cell\"");
    ddc_buf_attr (b, "data-label", T (rc, "dash.state"));
    ddc_buf_puts (b, " data-state=\"");
    ddc_buf_html (b, state ? state : "unknown");
    ddc_buf_puts (b, "\">");
    s_badge (b, s_state_kind (state), render_state_text (rc, "state.", state ? state : "unknown"));
    if (health) {
        ddc_buf_puts (b, " ");
        s_badge (b, strcmp (health, "healthy") == 0 ? "ok" : "warn",
                 render_state_text (rc, "health.", health));
    }
    ddc_buf_puts (b, "</td>");
    s_number_td (b, rc, "dash.uptime", s_pg_get (c, "uptime_s"), s_fmt_duration);
    s_number_td (b, rc, "dash.cpu", s_pg_get (c, "cpu_percent"), s_fmt_percent);
    s_number_td (b, rc, "dash.memory", s_pg_get (c, "mem_bytes"), render_bytes);
    render_td (b, rc, "dash.actions", "wide");
    if (cJSON_IsTrue (s_pg_get (c, "controls"))) {
        const cJSON *allowed = s_pg_get (c, "allowed_actions");
        render_container_controls (b, rc, s_pg_str (h, "host"), s_pg_str (c, "name"),
                                   cJSON_IsArray (allowed) ? allowed : NULL);
    }
    ddc_buf_puts (b, "</td></tr>");
}

bool
render_view_host_open (ddc_buf_t *b, const rctx_t *rc, const cJSON *h)
{
    bool reachable = cJSON_IsTrue (s_pg_get (h, "reachable"));
    bool connected = cJSON_IsTrue (s_pg_get (h, "connected"));
    ddc_buf_puts (b, "<section class=\"host\" data-host=\"");
    ddc_buf_html (b, s_pg_str (h, "host"));
    ddc_buf_puts (b, "\"><h3>");
    ddc_buf_html (b, s_pg_str (h, "host"));
    ddc_buf_puts (b, " <small class=\"mono\">");
    ddc_buf_html (b, s_pg_str (h, "peer"));
    ddc_buf_puts (b, "</small> ");
    if (!connected)
        s_badge (b, "off", T (rc, "dash.agent_gone"));
    else
        s_badge (b, reachable ? "ok" : "bad",
                 T (rc, reachable ? "dash.docker_ok" : "dash.docker_down"));
    const char *version = s_pg_str (h, "version");
    if (version) {
        ddc_buf_puts (b, " <small>Docker ");
        ddc_buf_html (b, version);
        ddc_buf_puts (b, "</small>");
    }
    ddc_buf_puts (b, "</h3>");
    const char *err = s_pg_str (h, "error");
    const char *since = s_pg_str (h, "unreachable_since");
    if (!reachable && (err || since)) {
        ddc_buf_puts (b, "<p class=\"detail\">");
        if (since) {
            //  the containers' states read "unknown" from then on
            ddc_buf_html (b, T (rc, "dash.down_since"));
            ddc_buf_puts (b, " <span class=\"mono\">");
            ddc_buf_html (b, since);
            ddc_buf_puts (b, "</span>");
            if (err)
                ddc_buf_puts (b, ": ");
        }
        if (err)
            ddc_buf_html (b, err);
        ddc_buf_puts (b, "</p>");
    }
    const cJSON *rows = s_pg_get (h, "containers");
    if (cJSON_GetArraySize (rows) == 0) {
        //  the next step: choose the host's containers
        ddc_buf_puts (b, "<p class=\"muted empty\">");
        ddc_buf_t *q = ddc_buf_new (256); //  the host as a query value
        ddc_buf_url (q, s_pg_str (h, "host") ? s_pg_str (h, "host") : "");
        const char *args [] = { ddc_buf_overflow (q) ? "" : ddc_buf_text (q) };
        ddc_buf_tmpl (b, T (rc, "dash.no_containers"), 1, args);
        ddc_buf_destroy (&q);
        ddc_buf_puts (b, "</p></section>");
        return false;
    }
    ddc_buf_puts (b, "<table class=\"list\"><thead><tr><th>");
    ddc_buf_html (b, T (rc, "dash.container"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "dash.state"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "dash.uptime"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "dash.cpu"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "dash.memory"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "dash.actions"));
    ddc_buf_puts (b, "</th></tr></thead><tbody>");
    return true;
}

void
render_view_host_close (ddc_buf_t *b)
{
    ddc_buf_puts (b, "</tbody></table></section>");
}

void
render_view_host (ddc_buf_t *b, const rctx_t *rc, const cJSON *h)
{
    if (!render_view_host_open (b, rc, h))
        return;
    const cJSON *c;
    cJSON_ArrayForEach (c, s_pg_get (h, "containers"))
        render_view_host_row (b, rc, h, c);
    render_view_host_close (b);
}

void
render_view_hosts (ddc_buf_t *b, const rctx_t *rc, const cJSON *view)
{
    const cJSON *hosts = s_pg_get (view, "hosts");
    if (cJSON_GetArraySize (hosts) == 0) {
        ddc_buf_puts (b, "<p class=\"muted\">");
        ddc_buf_puts (b, T (rc, "dash.no_hosts")); //  locale HTML: links
        ddc_buf_puts (b, "</p>");
        return;
    }
    const cJSON *h;
    cJSON_ArrayForEach (h, hosts)
        render_view_host (b, rc, h);
}

//  One line of locale text (a template of up to 3 arguments, escaped);
//  the arguments whose bit is set in times are UTC times, shown as
//  render_time does (in the browser's time zone).
static void
s_line_at (ddc_buf_t *b, const rctx_t *rc, const char *cls, const char *key, int argc,
           const char *const argv [], unsigned times)
{
    assert (argc <= 3);
    ddc_buf_t *arg [3] = { NULL, NULL, NULL };
    const char *html [3] = { NULL, NULL, NULL };
    for (int i = 0; i < argc; i++) {
        arg [i] = ddc_buf_new (4096);
        if (times & (1u << i))
            render_time (arg [i], argv [i]);
        else
            ddc_buf_html (arg [i], argv [i]);
        html [i] = ddc_buf_text (arg [i]);
    }
    ddc_buf_printf (b, "<p class=\"%s\">", cls);
    ddc_buf_tmpl_html (b, T (rc, key), argc, html);
    ddc_buf_puts (b, "</p>");
    for (int i = 0; i < argc; i++)
        ddc_buf_destroy (&arg [i]);
}

static void
s_line (ddc_buf_t *b, const rctx_t *rc, const char *cls, const char *key, int argc,
        const char *const argv [])
{
    s_line_at (b, rc, cls, key, argc, argv, 0);
}

//  The broker's config.json: a refused edit kept aside, a migration.
static void
s_view_config (ddc_buf_t *b, const rctx_t *rc, const cJSON *config)
{
    char num [24];
    const cJSON *rej = s_pg_get (config, "rejected");
    if (cJSON_IsObject (rej)) {
        snprintf (num, sizeof (num), "%.0f", s_pg_num (rej, "kept_rev", 0));
        const char *args [] = { s_pg_str (rej, "time") ? s_pg_str (rej, "time") : "?",
                                s_pg_str (rej, "file") ? s_pg_str (rej, "file") : "?", num };
        ddc_buf_puts (b, "<div class=\"notice warn\" id=\"config-rejected\">");
        s_line_at (b, rc, "",
                   cJSON_IsTrue (s_pg_get (rej, "at_start")) ? "dash.config_rejected_start"
                                                             : "dash.config_rejected",
                   3, args, 1u << 0);
        ddc_buf_puts (b, "<ul>");
        s_errors (b, s_pg_get (rej, "errors"), 5, "<li>", "</li>");
        ddc_buf_puts (b, "</ul></div>");
    }
    const cJSON *mig = s_pg_get (config, "migrated");
    if (cJSON_IsObject (mig)) {
        snprintf (num, sizeof (num), "%.0f", s_pg_num (mig, "from", 0));
        const char *args [] = { num, s_pg_str (mig, "time") ? s_pg_str (mig, "time") : "?",
                                s_pg_str (mig, "original") ? s_pg_str (mig, "original") : "?" };
        s_line_at (b, rc, "detail", "dash.config_migrated", 3, args, 1u << 1);
    }
    if (cJSON_IsObject (config) && !cJSON_IsObject (rej)) {
        snprintf (num, sizeof (num), "%.0f", s_pg_num (config, "schema", 0));
        const char *args [] = { num, s_pg_str (config, "last_good") ? s_pg_str (config, "last_good")
                                                                    : "?" };
        s_line (b, rc, "muted", "dash.config_ok", 2, args);
    }
}

//  The watchdog: off, or its last check and what was sent.
static void
s_view_watchdog (ddc_buf_t *b, const rctx_t *rc, const cJSON *wd)
{
    if (!cJSON_IsObject (wd))
        return;
    ddc_buf_puts (b, "<div id=\"watchdog\"><h3>");
    ddc_buf_html (b, T (rc, "dash.watchdog"));
    ddc_buf_puts (b, " ");
    if (!cJSON_IsTrue (s_pg_get (wd, "enabled"))) {
        s_badge (b, "off", T (rc, "dash.watchdog_off"));
        ddc_buf_puts (b, "</h3></div>");
        return;
    }
    const cJSON *last = s_pg_get (wd, "last");
    const char *outcome = s_pg_str (last, "outcome");
    const char *kind = !outcome                          ? "off"
                       : strcmp (outcome, "pinged") == 0 ? "ok"
                       : strcmp (outcome, "error") == 0  ? "bad"
                                                         : "warn";
    char key [48];
    snprintf (key, sizeof (key), "dash.watchdog_%s", outcome ? outcome : "waiting");
    ddc_buf_puts (b, "<span data-outcome=\"");
    ddc_buf_html (b, outcome ? outcome : "waiting");
    ddc_buf_puts (b, "\">");
    s_badge (b, kind, T (rc, key));
    ddc_buf_puts (b, "</span></h3>");
    char every [24];
    snprintf (every, sizeof (every), "%.0f", s_pg_num (wd, "interval_minutes", 0));
    const char *to [] = { every, s_pg_str (wd, "url") ? s_pg_str (wd, "url") : "" };
    s_line (b, rc, "detail", "dash.watchdog_every", 2, to);
    if (cJSON_IsObject (last)) {
        const char *args [] = { s_pg_str (last, "time") ? s_pg_str (last, "time") : "?",
                                s_pg_str (last, "reason") ? s_pg_str (last, "reason") : "",
                                s_pg_str (last, "result") ? s_pg_str (last, "result") : "" };
        s_line_at (b, rc, "detail", "dash.watchdog_last", 3, args, 1u << 0);
    }
    const char *next = s_pg_str (wd, "next");
    if (next) {
        const char *args [] = { next };
        s_line_at (b, rc, "muted", "dash.watchdog_next", 1, args, 1u << 0);
    }
    ddc_buf_puts (b, "</div>");
}

void
render_view_broker (ddc_buf_t *b, const rctx_t *rc, const cJSON *view)
{
    const cJSON *broker = s_pg_get (view, "broker");
    s_view_config (b, rc, s_pg_get (broker, "config"));
    s_view_watchdog (b, rc, s_pg_get (broker, "watchdog"));
}

void
render_dashboard (ddc_buf_t *b, const rctx_t *rc, const cJSON *view)
{
    render_begin (b, rc, T (rc, "nav.dashboard"));
    ddc_buf_printf (b, "<p class=\"muted\" id=\"dash-rev\">");
    char rev [24];
    snprintf (rev, sizeof (rev), "%.0f", s_pg_num (view, "rev", 0));
    const char *args [] = { rev };
    ddc_buf_tmpl (b, T (rc, "dash.revision"), 1, args);
    ddc_buf_puts (b, "</p><div id=\"dashboard\" data-live=\"1\">"
                     "<section class=\"panel\"><h2>");
    ddc_buf_html (b, T (rc, "dash.broker"));
    ddc_buf_puts (b, "</h2><div id=\"view-broker\">");
    render_view_broker (b, rc, view);
    ddc_buf_puts (b, "</div></section><section class=\"panel\"><h2>");
    ddc_buf_html (b, T (rc, "dash.hosts"));
    ddc_buf_puts (b, "</h2><div id=\"view-hosts\">");
    render_view_hosts (b, rc, view);
    ddc_buf_puts (b, "</div>");
    render_container_action_form (b, rc);
    ddc_buf_puts (b, "</section><section class=\"panel\"><h2>");
    ddc_buf_html (b, T (rc, "dash.gateway"));
    ddc_buf_puts (b, "</h2><div id=\"view-gateway\">");
    render_view_gateway (b, rc, view);
    ddc_buf_puts (b, "</div></section><section class=\"panel\"><h2>");
    ddc_buf_html (b, T (rc, "dash.services"));
    ddc_buf_puts (b, "</h2><div id=\"view-services\">");
    render_view_services (b, rc, view);
    ddc_buf_puts (b, "</div></section></div>");
    render_end (b, rc);
}

//  ------------------------------------------------------------------------
//  history

//  cJSON's pretty print with two spaces per level instead of tabs (JSON
//  strings hold no raw tab: every tab is layout). Caller frees; NULL for
//  NULL.
static char *
s_pretty (const cJSON *value)
{
    char *text = value ? cJSON_Print (value) : NULL;
    if (!text)
        return NULL;
    size_t tabs = 0;
    for (const char *p = text; *p; p++)
        tabs += *p == '\t';
    char *out = ddc_malloc (strlen (text) + tabs + 1);
    char *o = out;
    bool line_start = true;
    for (const char *p = text; *p; p++) {
        if (*p == '\t') {
            if (line_start) {
                *o++ = ' ';
                *o++ = ' ';
            }
            else
                *o++ = ' ';
            continue;
        }
        line_start = *p == '\n';
        *o++ = *p;
    }
    *o = '\0';
    free (text);
    return out;
}

static void
s_changed_list (ddc_buf_t *b, const rctx_t *rc, const cJSON *changed)
{
    const cJSON *c;
    int n = 0;
    cJSON_ArrayForEach (c, changed) {
        if (!cJSON_IsString (c))
            continue;
        if (n++ == 8) {
            ddc_buf_puts (b, " \xE2\x80\xA6");
            break;
        }
        if (n > 1)
            ddc_buf_puts (b, ", ");
        ddc_buf_puts (b, "<span class=\"field\" title=\"");
        ddc_buf_html (b, c->valuestring);
        ddc_buf_puts (b, "\">");
        render_field_label (b, rc, c->valuestring);
        ddc_buf_puts (b, "</span>");
    }
}

void
render_history (ddc_buf_t *b, const rctx_t *rc, const cJSON *entries, const char *filter)
{
    render_begin (b, rc, T (rc, "nav.history"));
    ddc_buf_puts (b, "<form method=\"get\" action=\"/history\" class=\"inline\"><label "
                     "for=\"f-section\">");
    ddc_buf_html (b, T (rc, "history.filter"));
    ddc_buf_puts (b, "</label> <select id=\"f-section\" name=\"section\"><option value=\"\">");
    ddc_buf_html (b, T (rc, "history.all"));
    ddc_buf_puts (b, "</option>");
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const char *name = ddc_section_name ((ddc_section_t) s);
        ddc_buf_puts (b, "<option value=\"");
        ddc_buf_html (b, name);
        ddc_buf_puts (b, "\"");
        if (filter && strcmp (filter, name) == 0)
            ddc_buf_puts (b, " selected");
        ddc_buf_puts (b, ">");
        ddc_buf_html (b, render_section_label (rc, name));
        ddc_buf_puts (b, "</option>");
    }
    ddc_buf_puts (b, "</select> <button type=\"submit\">");
    ddc_buf_html (b, T (rc, "history.show"));
    ddc_buf_puts (b, "</button></form>");
    int n = cJSON_GetArraySize (entries);
    if (n == 0) {
        ddc_buf_puts (b, "<p class=\"muted\">");
        ddc_buf_puts (b, T (rc, "history.none")); //  locale HTML: links
        ddc_buf_puts (b, "</p>");
        render_end (b, rc);
        return;
    }
    ddc_buf_puts (b, "<table class=\"list\" id=\"history\"><thead><tr><th>");
    ddc_buf_html (b, T (rc, "history.rev"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "history.time"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "history.section"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "history.author"));
    ddc_buf_puts (b, "</th><th>");
    ddc_buf_html (b, T (rc, "history.changed"));
    ddc_buf_puts (b, "</th></tr></thead><tbody>");
    for (int i = n - 1; i >= 0; i--) { //  newest first
        const cJSON *e = cJSON_GetArrayItem (entries, i);
        double rev = s_pg_num (e, "rev", 0);
        ddc_buf_printf (b, "<tr data-rev=\"%.0f\">", rev);
        render_td (b, rc, "history.rev", NULL);
        ddc_buf_printf (b, "<a href=\"/history/%.0f\">%.0f</a></td>", rev, rev);
        render_td (b, rc, "history.time", NULL);
        render_time (b, s_pg_str (e, "time"));
        ddc_buf_puts (b, "</td>");
        render_td (b, rc, "history.section", NULL);
        ddc_buf_html (b, render_section_label (rc, s_pg_str (e, "section")));
        ddc_buf_puts (b, "</td>");
        render_td (b, rc, "history.author", NULL);
        render_author (b, rc, s_pg_str (e, "author"));
        const char *peer = s_pg_str (e, "peer");
        if (peer) {
            ddc_buf_puts (b, " <small class=\"mono muted\">");
            ddc_buf_html (b, peer);
            ddc_buf_puts (b, "</small>");
        }
        ddc_buf_puts (b, "</td>");
        render_td (b, rc, "history.changed", "wide");
        s_changed_list (b, rc, s_pg_get (e, "changed"));
        ddc_buf_puts (b, "</td></tr>");
    }
    ddc_buf_puts (b, "</tbody></table>");
    render_end (b, rc);
}

void
render_history_entry (ddc_buf_t *b, const rctx_t *rc, const cJSON *entry, const cJSON *prev,
                      bool can_rollback)
{
    char title [96], rev [24];
    double r = s_pg_num (entry, "rev", 0);
    snprintf (rev, sizeof (rev), "%.0f", r);
    const char *targs [] = { rev };
    ddc_buf_t *t = ddc_buf_new (sizeof (title));
    ddc_buf_tmpl (t, T (rc, "history.entry_title"), 1, targs);
    ddc_strlcpy (title, ddc_buf_text (t), sizeof (title));
    ddc_buf_destroy (&t);
    render_begin (b, rc, title);
    const char *section = s_pg_str (entry, "section");
    ddc_buf_puts (b, "<dl class=\"facts\"><dt>");
    ddc_buf_html (b, T (rc, "history.section"));
    ddc_buf_puts (b, "</dt><dd>");
    ddc_buf_html (b, render_section_label (rc, section));
    ddc_buf_puts (b, "</dd><dt>");
    ddc_buf_html (b, T (rc, "history.time"));
    ddc_buf_puts (b, "</dt><dd>");
    render_time (b, s_pg_str (entry, "time"));
    ddc_buf_puts (b, "</dd><dt>");
    ddc_buf_html (b, T (rc, "history.author"));
    ddc_buf_puts (b, "</dt><dd>");
    render_author (b, rc, s_pg_str (entry, "author"));
    ddc_buf_puts (b, " <small class=\"mono muted\">");
    ddc_buf_html (b, s_pg_str (entry, "peer"));
    ddc_buf_puts (b, "</small></dd><dt>");
    ddc_buf_html (b, T (rc, "history.changed"));
    ddc_buf_puts (b, "</dt><dd>");
    s_changed_list (b, rc, s_pg_get (entry, "changed"));
    ddc_buf_puts (b, "</dd></dl>");

    double prev_rev = s_pg_num (entry, "prev_rev", 0);
    char *new_text = s_pretty (s_pg_get (entry, "value"));
    char *old_text = prev ? s_pretty (s_pg_get (prev, "value")) : NULL;
    ddc_buf_puts (b, "<h2>");
    if (prev) {
        char pr [24];
        snprintf (pr, sizeof (pr), "%.0f", prev_rev);
        const char *args [] = { pr, rev };
        ddc_buf_tmpl (b, T (rc, "history.diff_title"), 2, args);
    }
    else
        ddc_buf_html (b, T (rc, prev_rev > 0 ? "history.no_prev" : "history.first"));
    ddc_buf_puts (b, "</h2>");
    diff_t *d = diff_new (old_text ? old_text : "", new_text ? new_text : "");
    if (!d) {
        ddc_buf_puts (b, "<p class=\"muted\">");
        ddc_buf_html (b, T (rc, "history.too_large"));
        ddc_buf_puts (b, "</p>");
    }
    else {
        ddc_buf_printf (b, "<p class=\"muted\">+%zu \xE2\x88\x92%zu</p><pre class=\"diff\" id=\"diff\">",
                        d->added, d->removed);
        for (size_t i = 0; i < d->count; i++) {
            const diff_line_t *l = &d->lines [i];
            const char *cls = l->op == '+' ? "add" : l->op == '-' ? "del" : "same";
            ddc_buf_printf (b, "<span class=\"%s\">%c ", cls, l->op);
            ddc_buf_html_n (b, l->line, l->len);
            ddc_buf_puts (b, "</span>\n");
        }
        ddc_buf_puts (b, "</pre>");
        diff_destroy (&d);
    }
    free (new_text);
    free (old_text);

    if (can_rollback && section) {
        ddc_buf_puts (b, "<form method=\"post\" action=\"/history/rollback\" class=\"rollback\" "
                         "id=\"rollback-form\">");
        render_csrf (b, rc);
        ddc_buf_puts (b, "<input type=\"hidden\" name=\"section\" value=\"");
        ddc_buf_html (b, section);
        ddc_buf_printf (b,
                        "\"><input type=\"hidden\" name=\"rev\" value=\"%.0f\"><p class=\"hint\">",
                        r);
        const char *args [] = { render_section_label (rc, section), rev };
        ddc_buf_tmpl (b, T (rc, "history.rollback_hint"), 2, args);
        ddc_buf_puts (b, "</p><button type=\"submit\" class=\"danger\" id=\"rollback\" "
                         "data-confirm=\"");
        ddc_buf_html (b, T (rc, "history.rollback_confirm"));
        ddc_buf_puts (b, "\">");
        ddc_buf_html (b, T (rc, "history.rollback"));
        ddc_buf_puts (b, "</button></form>");
    }
    else if (section) {
        ddc_buf_puts (b, "<p class=\"hint\" id=\"rollback-current\">");
        ddc_buf_html (b, T (rc, "history.current"));
        ddc_buf_puts (b, "</p>");
    }
    ddc_buf_puts (b, "<p><a href=\"/history\">");
    ddc_buf_html (b, T (rc, "history.back"));
    ddc_buf_puts (b, "</a></p>");
    render_end (b, rc);
}

//  ------------------------------------------------------------------------
//  activity

static void
s_option (ddc_buf_t *b, const char *value, const char *current, const char *text)
{
    ddc_buf_puts (b, "<option value=\"");
    ddc_buf_html (b, value);
    ddc_buf_puts (b, "\"");
    if (strcmp (value, current ? current : "") == 0)
        ddc_buf_puts (b, " selected");
    ddc_buf_puts (b, ">");
    ddc_buf_html (b, text);
    ddc_buf_puts (b, "</option>");
}

static void
s_activity_filters (ddc_buf_t *b, const rctx_t *rc, const ractivity_t *a)
{
    ddc_buf_puts (b, "<form method=\"get\" action=\"/activity\" class=\"inline\" "
                     "id=\"activity-filter\">"
                     "<label for=\"f-kind\">");
    ddc_buf_html (b, T (rc, "activity.kind"));
    ddc_buf_puts (b, "</label> <select id=\"f-kind\" name=\"kind\">");
    s_option (b, "", a->kind, T (rc, "activity.kind_all"));
    s_option (b, "action", a->kind, T (rc, "activity.kind_action"));
    s_option (b, "config", a->kind, T (rc, "activity.kind_config"));
    ddc_buf_puts (b, "</select> <label for=\"f-container\">");
    ddc_buf_html (b, T (rc, "activity.container"));
    ddc_buf_puts (b, "</label> <input id=\"f-container\" name=\"container\" size=\"16\" value=\"");
    ddc_buf_html (b, a->container ? a->container : "");
    ddc_buf_puts (b, "\"> <label for=\"f-since\">");
    ddc_buf_html (b, T (rc, "activity.since"));
    ddc_buf_puts (b, "</label> <select id=\"f-since\" name=\"since\">");
    static const char *const spans [] = { "", "1h", "24h", "7d", "30d", NULL };
    for (int i = 0; spans [i]; i++) {
        char key [40];
        snprintf (key, sizeof (key), "activity.since_%s", spans [i][0] ? spans [i] : "all");
        s_option (b, spans [i], a->since, T (rc, key));
    }
    ddc_buf_puts (b, "</select> <label for=\"f-who\">");
    ddc_buf_html (b, T (rc, "activity.who_filter"));
    ddc_buf_puts (b, "</label> <input id=\"f-who\" name=\"who\" size=\"14\" maxlength=\"128\"");
    ddc_buf_attr (b, "value", a->who ? a->who : "");
    ddc_buf_puts (b, "> <label for=\"f-result\">");
    ddc_buf_html (b, T (rc, "activity.result"));
    ddc_buf_puts (b, "</label> <select id=\"f-result\" name=\"result\">");
    s_option (b, "", a->result, T (rc, "activity.result_any"));
    s_option (b, "ok", a->result, T (rc, "activity.result_ok"));
    s_option (b, "error", a->result, T (rc, "activity.result_error"));
    s_option (b, "timeout", a->result, T (rc, "activity.result_timeout"));
    ddc_buf_puts (b, "</select> <button type=\"submit\" id=\"activity-show\">");
    ddc_buf_html (b, T (rc, "activity.show"));
    ddc_buf_puts (b, "</button></form>");
}

//  Whom an action was for, and where from, as the requester said.
static void
s_activity_who (ddc_buf_t *b, const rctx_t *rc, const cJSON *e, bool action)
{
    const cJSON *claimed = s_pg_get (e, "for");
    const char *user = s_pg_str (claimed, "user"), *id = s_pg_str (claimed, "user_id");
    const char *task = s_pg_str (claimed, "task");
    render_td (b, rc, "activity.who", "who");
    if (!action)
        render_author (b, rc, s_pg_str (e, "author"));
    else if (user || id) {
        ddc_buf_html (b, user ? user : id);
        if (user && id) {
            ddc_buf_puts (b, " <small class=\"mono muted\">");
            ddc_buf_html (b, id);
            ddc_buf_puts (b, "</small>");
        }
    }
    else if (task) {
        const char *args [] = { task };
        ddc_buf_tmpl (b, T (rc, "activity.task"), 1, args);
    }
    ddc_buf_puts (b, "<br><small class=\"mono muted\">");
    ddc_buf_html (b, s_pg_str (e, "peer") ? s_pg_str (e, "peer") : "");
    ddc_buf_puts (b, "</small></td>");
    render_td (b, rc, "activity.from", "from");
    const char *address = s_pg_str (claimed, "address"),
               *channel = s_pg_str (claimed, "channel_id");
    //  else the kind of service that asked: the role, which a change gives
    //  only as its peer's name (role@instance; "config.json" for a hand edit)
    char role [32] = "";
    const char *peer = s_pg_str (e, "peer");
    if (s_pg_str (e, "role"))
        snprintf (role, sizeof (role), "%s", s_pg_str (e, "role"));
    else if (peer && strchr (peer, '@') && (size_t) (strchr (peer, '@') - peer) < sizeof (role))
        snprintf (role, sizeof (role), "%.*s", (int) (strchr (peer, '@') - peer), peer);
    if (address)
        ddc_buf_html (b, address);
    else if (channel) {
        const char *args [] = { channel };
        ddc_buf_tmpl (b, T (rc, "activity.channel"), 1, args);
    }
    else if (role [0]) {
        char key [48];
        snprintf (key, sizeof (key), "activity.via_%s", role);
        const char *text = T (rc, key);
        ddc_buf_html (b, strcmp (text, key) == 0 ? role : text);
    }
    else if (peer && strcmp (peer, "config.json") == 0)
        ddc_buf_html (b, T (rc, "activity.via_file"));
    ddc_buf_puts (b, "</td>");
}

static void
s_activity_row (ddc_buf_t *b, const rctx_t *rc, const cJSON *e)
{
    const char *kind = s_pg_str (e, "kind");
    bool action = kind && strcmp (kind, "action") == 0;
    const char *result = action ? s_pg_str (e, "result") : "ok";
    ddc_buf_puts (b, "<tr data-kind=\"");
    ddc_buf_html (b, action ? "action" : "config");
    ddc_buf_puts (b, "\" data-result=\"");
    ddc_buf_html (b, result ? result : "");
    ddc_buf_puts (b, "\">");
    render_td (b, rc, "activity.time", NULL);
    render_time (b, s_pg_str (e, "time"));
    ddc_buf_puts (b, "</td>");
    render_td (b, rc, "activity.type", NULL);
    ddc_buf_html (b, T (rc, action ? "activity.kind_action" : "activity.kind_config"));
    ddc_buf_puts (b, "</td>");
    render_td (b, rc, "activity.what", "what wide");
    if (action) {
        ddc_buf_puts (b, "<strong>");
        ddc_buf_html (b, s_pg_str (e, "action") ? s_pg_str (e, "action") : "?");
        ddc_buf_puts (b, "</strong> <span class=\"container\">");
        ddc_buf_html (b, s_pg_str (e, "container") ? s_pg_str (e, "container") : "");
        ddc_buf_puts (b, "</span> <small class=\"muted\">@ ");
        ddc_buf_html (b, s_pg_str (e, "host") ? s_pg_str (e, "host") : "");
        ddc_buf_puts (b, "</small>");
    }
    else {
        const char *section = s_pg_str (e, "section");
        double rev = s_pg_num (e, "rev", 0);
        ddc_buf_puts (b, "<strong>");
        ddc_buf_html (b, section ? render_section_label (rc, section) : "?");
        ddc_buf_printf (b, "</strong> <a href=\"/history/%.0f\">%.0f</a><br>", rev, rev);
        s_changed_list (b, rc, s_pg_get (e, "changed"));
    }
    ddc_buf_puts (b, "</td>");
    s_activity_who (b, rc, e, action);
    render_td (b, rc, "activity.result", "result");
    if (action) {
        char key [48];
        snprintf (key, sizeof (key), "activity.result_%s", result ? result : "");
        const char *text = T (rc, key);
        ddc_buf_printf (b, "<span class=\"badge %s\">",
                        result && strcmp (result, "ok") == 0 ? "ok" : "bad");
        ddc_buf_html (b, strcmp (text, key) == 0 ? (result ? result : "?") : text);
        ddc_buf_puts (b, "</span>");
        const char *state = s_pg_str (e, "state"), *message = s_pg_str (e, "message");
        if (state && (!result || strcmp (result, "ok") == 0)) {
            ddc_buf_puts (b, " <small>");
            ddc_buf_html (b, render_state_text (rc, "state.", state));
            ddc_buf_puts (b, "</small>");
        }
        if (message) {
            ddc_buf_puts (b, "<br><small class=\"muted\">");
            ddc_buf_html (b, message);
            ddc_buf_puts (b, "</small>");
        }
    }
    else {
        ddc_buf_puts (b, "<span class=\"badge ok\">");
        ddc_buf_html (b, T (rc, "activity.result_saved"));
        ddc_buf_puts (b, "</span>");
    }
    ddc_buf_puts (b, "</td>");
    render_td (b, rc, "activity.duration", "num");
    if (action)
        ddc_buf_printf (b, "%.1f s", s_pg_num (e, "duration_ms", 0) / 1000.0);
    ddc_buf_puts (b, "</td></tr>");
}

//  A link to the activity with the same filters, from cursor on (or the
//  newest entries).
static void
s_activity_link (ddc_buf_t *b, const rctx_t *rc, const char *id, const ractivity_t *a,
                 const char *cursor, const char *text_key)
{
    ddc_buf_printf (b, "<a id=\"%s\" href=\"/activity?kind=", id);
    ddc_buf_url (b, a->kind ? a->kind : "");
    ddc_buf_puts (b, "&amp;container=");
    ddc_buf_url (b, a->container ? a->container : "");
    ddc_buf_puts (b, "&amp;since=");
    ddc_buf_url (b, a->since ? a->since : "");
    if (a->who && *a->who) {
        ddc_buf_puts (b, "&amp;who=");
        ddc_buf_url (b, a->who);
    }
    if (a->result && *a->result) {
        ddc_buf_puts (b, "&amp;result=");
        ddc_buf_url (b, a->result);
    }
    if (cursor) {
        ddc_buf_puts (b, "&amp;cursor=");
        ddc_buf_url (b, cursor);
    }
    ddc_buf_puts (b, "\">");
    ddc_buf_html (b, T (rc, text_key));
    ddc_buf_puts (b, "</a> ");
}

void
render_activity (ddc_buf_t *b, const rctx_t *rc, const cJSON *entries, const ractivity_t *a)
{
    render_begin (b, rc, T (rc, "nav.activity"));
    s_para (b, rc, "muted", "activity.intro");
    s_activity_filters (b, rc, a);
    if (cJSON_GetArraySize (entries) == 0) {
        ddc_buf_puts (b, "<p class=\"muted\" id=\"activity-none\">");
        ddc_buf_html (b, T (rc, "activity.none"));
        ddc_buf_puts (b, "</p>");
    }
    else {
        ddc_buf_puts (b, "<table class=\"list\" id=\"activity\"><thead><tr>");
        static const char *const heads [] = { "activity.time",     "activity.type",
                                              "activity.what",     "activity.who",
                                              "activity.from",     "activity.result",
                                              "activity.duration", NULL };
        for (int i = 0; heads [i]; i++) {
            ddc_buf_puts (b, "<th>");
            ddc_buf_html (b, T (rc, heads [i]));
            ddc_buf_puts (b, "</th>");
        }
        ddc_buf_puts (b, "</tr></thead><tbody>");
        const cJSON *e;
        cJSON_ArrayForEach (e, entries)
            s_activity_row (b, rc, e);
        ddc_buf_puts (b, "</tbody></table>");
    }
    if (a->next || a->older) {
        ddc_buf_puts (b, "<p class=\"pager\">");
        if (a->older)
            s_activity_link (b, rc, "activity-newest", a, NULL, "activity.newest");
        if (a->next)
            s_activity_link (b, rc, "activity-older", a, a->next, "activity.older");
        ddc_buf_puts (b, "</p>");
    }
    render_end (b, rc);
}

//  ------------------------------------------------------------------------
//  container actions and logs

static const char *const s_ctl_actions [] = { "start", "stop", "restart", NULL };

bool
render_action_allowed (const cJSON *allowed, const char *action)
{
    if (!allowed) //  ddc_config's default
        return strcmp (action, "logs") != 0;
    const cJSON *a;
    cJSON_ArrayForEach (a, allowed)
        if (cJSON_IsString (a) && strcmp (a->valuestring, action) == 0)
            return true;
    return false;
}

//  ?host=H&name=N
static void
s_logs_query (ddc_buf_t *b, const char *host, const char *name)
{
    ddc_buf_puts (b, "?host=");
    ddc_buf_url (b, host);
    ddc_buf_puts (b, "&amp;name=");
    ddc_buf_url (b, name);
}

void
render_container_controls (ddc_buf_t *b, const rctx_t *rc, const char *host, const char *name,
                           const cJSON *allowed)
{
    const char *args [] = { name, host };
    ddc_buf_puts (b, "<div class=\"ctr-controls\" data-target=\"");
    ddc_buf_html (b, host);
    ddc_buf_puts (b, "/");
    ddc_buf_html (b, name);
    ddc_buf_puts (b, "\">");
    for (int i = 0; s_ctl_actions [i]; i++) {
        if (!render_action_allowed (allowed, s_ctl_actions [i]))
            continue;
        char key [48];
        snprintf (key, sizeof (key), "ctr.do.%s", s_ctl_actions [i]);
        ddc_buf_puts (b, "<button type=\"submit\" form=\"ctr-action\" name=\"do\" class=\"small\"");
        ddc_buf_attr (b, "data-action", s_ctl_actions [i]);
        ddc_buf_puts (b, " value=\"");
        ddc_buf_html (b, s_ctl_actions [i]);
        ddc_buf_puts (b, ":");
        ddc_buf_html (b, host);
        ddc_buf_puts (b, "/");
        ddc_buf_html (b, name);
        ddc_buf_puts (b, "\" aria-label=\"");
        snprintf (key, sizeof (key), "ctr.label.%s", s_ctl_actions [i]);
        ddc_buf_tmpl (b, T (rc, key), 2, args);
        ddc_buf_puts (b, "\">");
        snprintf (key, sizeof (key), "ctr.do.%s", s_ctl_actions [i]);
        ddc_buf_html (b, T (rc, key));
        ddc_buf_puts (b, "</button>");
    }
    if (render_action_allowed (allowed, "logs")) {
        ddc_buf_puts (b, "<a class=\"log-link\" href=\"/logs");
        s_logs_query (b, host, name);
        ddc_buf_puts (b, "\" aria-label=\"");
        ddc_buf_tmpl (b, T (rc, "ctr.label.logs"), 2, args);
        ddc_buf_puts (b, "\">");
        ddc_buf_html (b, T (rc, "ctr.do.logs"));
        ddc_buf_puts (b, "</a>");
    }
    ddc_buf_puts (b,
                  "<span class=\"ctr-status\" role=\"status\" aria-live=\"polite\"></span></div>");
}

void
render_container_action_form (ddc_buf_t *b, const rctx_t *rc)
{
    ddc_buf_puts (b, "<form id=\"ctr-action\" method=\"post\" action=\"/containers/action\">");
    render_csrf (b, rc);
    ddc_buf_puts (b, "</form>");
}

void
render_action_result (ddc_buf_t *b, const rctx_t *rc, const char *host, const char *name,
                      const char *action, const cJSON *result, const char *error)
{
    char key [48];
    snprintf (key, sizeof (key), "ctr.label.%s", action);
    const char *args [] = { name, host };
    ddc_buf_t *title = ddc_buf_new (1024);
    ddc_buf_tmpl (title, T (rc, key), 2, args);
    //  the template's arguments are escaped: it is HTML already
    render_begin (b, rc, T (rc, "ctr.result_title"));
    bool ok = result && cJSON_IsTrue (s_pg_get (result, "ok"));
    const char *message = error ? error : s_pg_str (result, "message");
    ddc_buf_puts (
        b,
        ok ? "<div class=\"notice ok\" role=\"status\" id=\"action-result\" data-ok=\"1\"><p>"
           : "<div class=\"notice error\" role=\"alert\" id=\"action-result\" data-ok=\"0\"><p>");
    ddc_buf_puts (b, "<strong>");
    ddc_buf_puts (b, ddc_buf_text (title));
    ddc_buf_puts (b, ":</strong> ");
    ddc_buf_html (b, T (rc, ok ? "ctr.result_ok" : "ctr.result_failed"));
    const char *state = ok ? s_pg_str (result, "state") : NULL;
    if (state) {
        ddc_buf_puts (b, " (");
        ddc_buf_html (b, render_state_text (rc, "state.", state));
        ddc_buf_puts (b, ")");
    }
    ddc_buf_puts (b, "</p>");
    if (!ok && message) {
        ddc_buf_puts (b, "<p class=\"detail\">");
        ddc_buf_html (b, message);
        ddc_buf_puts (b, "</p>");
    }
    ddc_buf_puts (b, "</div><p><a href=\"/containers\">");
    ddc_buf_html (b, T (rc, "ctr.back"));
    ddc_buf_puts (b, "</a> \xC2\xB7 <a href=\"/activity?kind=action&amp;container=");
    ddc_buf_url (b, name);
    ddc_buf_puts (b, "\">");
    ddc_buf_html (b, T (rc, "nav.activity"));
    ddc_buf_puts (b, "</a></p>");
    ddc_buf_destroy (&title);
    render_end (b, rc);
}

void
render_logs (ddc_buf_t *b, const rctx_t *rc, const rlogs_t *l)
{
    const char *shown = l->display_name && *l->display_name ? l->display_name : l->name;
    render_begin (b, rc, T (rc, "logview.title"));
    ddc_buf_puts (b, "<p><strong id=\"log-container\">");
    ddc_buf_html (b, shown);
    ddc_buf_puts (b, "</strong> <span class=\"mono muted\">");
    ddc_buf_html (b, l->host);
    ddc_buf_puts (b, " / ");
    ddc_buf_html (b, l->name);
    ddc_buf_puts (b, "</span></p>");
    //  how many lines, without the script as well
    ddc_buf_puts (b, "<form method=\"get\" action=\"/logs\" class=\"log-tools\">"
                     "<input type=\"hidden\" name=\"host\"");
    ddc_buf_attr (b, "value", l->host);
    ddc_buf_puts (b, "><input type=\"hidden\" name=\"name\"");
    ddc_buf_attr (b, "value", l->name);
    ddc_buf_puts (b, "><label for=\"log-lines\">");
    ddc_buf_html (b, T (rc, "logview.lines"));
    ddc_buf_puts (b, "</label> <select id=\"log-lines\" name=\"lines\">");
    static const int choices [] = { 50, 100, 200, 500, 1000 };
    for (size_t i = 0; i < sizeof (choices) / sizeof (choices [0]); i++)
        ddc_buf_printf (b, "<option value=\"%d\"%s>%d</option>", choices [i],
                        choices [i] == l->lines ? " selected" : "", choices [i]);
    ddc_buf_puts (b, "</select> <button type=\"submit\">");
    ddc_buf_html (b, T (rc, "logview.show"));
    ddc_buf_puts (b, "</button> <a id=\"log-download\" href=\"/logs/download");
    s_logs_query (b, l->host, l->name);
    ddc_buf_puts (b, "&amp;lines=1000\">");
    ddc_buf_html (b, T (rc, "logview.download"));
    ddc_buf_puts (b, "</a> <a href=\"/containers\">");
    ddc_buf_html (b, T (rc, "ctr.back"));
    ddc_buf_puts (b, "</a></form>");
    bool ok = l->result && cJSON_IsTrue (s_pg_get (l->result, "ok"));
    if (!ok) {
        const char *why = l->error ? l->error : s_pg_str (l->result, "message");
        ddc_buf_puts (b, "<div class=\"notice error\" role=\"alert\" id=\"log-error\"><p>");
        ddc_buf_html (b, T (rc, "logview.unavailable"));
        ddc_buf_puts (b, "</p>");
        if (why) {
            ddc_buf_puts (b, "<p class=\"detail\">");
            ddc_buf_html (b, why);
            ddc_buf_puts (b, "</p>");
        }
        ddc_buf_puts (b, "</div>");
    }
    const char *note = ok ? s_pg_str (l->result, "note") : NULL;
    if (note) {
        ddc_buf_puts (b, "<p class=\"muted\">");
        ddc_buf_html (b, note);
        ddc_buf_puts (b, "</p>");
    }
    //  following: the script's (a checkbox it shows, and its status)
    ddc_buf_puts (b,
                  "<p class=\"log-follow\" hidden><label class=\"check\"><input type=\"checkbox\" "
                  "id=\"log-follow\" checked><span>");
    ddc_buf_html (b, T (rc, "logview.follow"));
    ddc_buf_puts (b, "</span></label> <span id=\"log-status\" role=\"status\" aria-live=\"polite\">"
                     "</span></p><pre id=\"log\" class=\"log\" role=\"log\" tabindex=\"0\"");
    ddc_buf_attr (b, "aria-label", T (rc, "logview.lines_label"));
    ddc_buf_attr (b, "data-host", l->host);
    ddc_buf_attr (b, "data-name", l->name);
    ddc_buf_puts (b, ">");
    const char *text = ok ? s_pg_str (l->result, "logs") : NULL;
    if (text)
        ddc_buf_html (b, text);
    ddc_buf_puts (b, "</pre>");
    if (ok && (!text || !*text)) {
        ddc_buf_puts (b, "<p class=\"muted\" id=\"log-empty\">");
        ddc_buf_html (b, T (rc, "logview.empty"));
        ddc_buf_puts (b, "</p>");
    }
    render_end (b, rc);
}
