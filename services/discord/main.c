/*  ddc-discord: the Discord bot service of ddc. It connects out to
    ddc-broker as discord@INSTANCE, follows the bot, containers, channels,
    admins, spam and docker sections live (nothing needs a restart, not
    even a new token or guild), hears every Docker agent's status, and
    talks to Discord: the gateway (gateway.c over ws.c, a libwebsockets
    thread) and REST (rest.c, libcurl multi). This file owns the command
    line, signals (a self-pipe), the wiring of the modules and the parts of
    the one main loop (ddc_loop): curl_multi_poll over curl's sockets, the
    broker client's two ZMQ_FDs, the WebSocket thread's eventfd and the
    signal pipe; then gateway events, broker messages, timers and REST
    completions. It also publishes the "gateway" status report. */
#include "alerts.h"
#include "app.h"
#include "commands.h"
#include "ddc_args.h"
#include "ddc_config.h"
#include "ddc_curl.h"
#include "ddc_fdlimit.h"
#include "ddc_log.h"
#include "ddc_loop.h"
#include "ddc_signal.h"
#include "ddc_util.h"
#include "hosts.h"
#include "livelogs.h"
#include "overviews.h"
#include "panels.h"
#include "payload.h"
#include "saves.h"
#include "taskflow.h"

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_REPORT_EVERY_MS 30000
#define S_EVENTS_PER_LOOP 256

static uint64_t s_fetch_gen;

static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: ddc-discord --broker ENDPOINT [options]\n"
             "\n"
             "The Discord bot of ddc: connects out to ddc-broker as discord@INSTANCE, takes\n"
             "its token, guild, language and time zone from the live bot section, registers\n"
             "the slash commands (/serverstatus, /ss, /control, /info, /help, /ping,\n"
             "/addadmin, /task), keeps one overview message per configured channel up to\n"
             "date, runs container actions through the Docker agents (for admins and the\n"
             "Discord roles allowed per container and action), posts the agents' alerts in\n"
             "the channels that ask for them and saves what admins change in Discord\n"
             "(admins, tasks, info texts) through the broker. Every configuration change\n"
             "applies at once; a new token or guild needs no restart.\n"
             "\n"
             "  --broker ENDPOINT     CTL endpoint of the broker, ipc://PATH or\n"
             "                        tcp://HOST:PORT (env DDC_BROKER)\n"
             "  --cert FILE           CURVE certificate of this bot, for tcp://; FILE_secret\n"
             "                        is read too (env DDC_CERT)\n"
             "  --broker-cert FILE    the broker's public certificate (env DDC_BROKER_CERT)\n"
             "  --insecure            allow tcp:// without certificates, as plain TCP\n"
             "                        (env DDC_INSECURE=1)\n"
             "  --discord-api URL     Discord REST base (default https://discord.com/api);\n"
             "                        the gateway url comes from GET /gateway/bot\n"
             "  --data DIR            the folder of the bot's files (env DDC_DATA; default\n"
             "                        /var/lib/ddc when writable, else $XDG_STATE_HOME/ddc or\n"
             "                        ~/.local/state/ddc), created with mode 0700\n"
             "  --cache FILE          last good configuration, used when the broker is down\n"
             "                        at start (default DIR/discord.cache.json, mode 0600)\n"
             "  --state FILE          overview message ids and the command scope, kept\n"
             "                        across restarts (default DIR/discord.state.json)\n"
             "  --instance NAME       this bot's name at the broker (default: host name)\n"
             "  --no-compress         no zlib-stream compression on the gateway\n"
             "  -v, --verbose         debug logging\n"
             "  -h, --help            this text\n"
             "  -V, --version         version\n"
             "\n"
             "A flag wins over its environment variable. A tcp:// broker without\n"
             "certificates is refused unless --insecure is given.\n"
             "The gateway state (connecting, ready, resuming, waiting_for_token, failed, with\n"
             "the error) is published as the status topic \"gateway\" (ddc-ctl status).\n"
             "Stops cleanly on SIGTERM or SIGINT.\n");
}

//  --------------------------------------------------------------------------
//  What overviews and commands ask of the process (their hooks)

static void
s_render_ctx (void *arg, render_ctx_t *r)
{
    app_render_ctx (arg, r);
}

static bool
s_synced (void *arg)
{
    app_t *app = arg;
    return app->synced;
}

static const char *
s_user_id (void *arg)
{
    app_t *app = arg;
    return gateway_user_id (app->gw);
}

static const char *
s_app_id (void *arg)
{
    app_t *app = arg;
    return gateway_is_ready (app->gw) ? gateway_app_id (app->gw) : "";
}

static int
s_rest_call (void *arg, const char *method, const char *path, cJSON **body_p, rest_done_fn *cb,
             void *cb_arg)
{
    app_t *app = arg;
    return rest_call (app->rest, method, path, body_p, 0, cb, cb_arg);
}

static void
s_report (app_t *app)
{
    cJSON *body = gateway_report (app->gw, app->live->guild);
    cJSON_AddStringToObject (body, "commands", commands_scope (app->commands));
    //  A registration that failed is the report's error while the gateway
    //  itself is fine (a guild that answers 403).
    const char *cmd_error = commands_error (app->commands);
    if (cmd_error [0]) {
        cJSON_AddStringToObject (body, "commands_error", cmd_error);
        if (cJSON_IsNull (cJSON_GetObjectItemCaseSensitive (body, "error")))
            cJSON_ReplaceItemInObjectCaseSensitive (body, "error", cJSON_CreateString (cmd_error));
    }
    else
        cJSON_AddNullToObject (body, "commands_error");
    cJSON_AddStringToObject (body, "language", i18n_code (app->lang));
    if (ddc_client_report (app->client, "gateway", body) < 0)
        ddc_warn ("cannot publish the gateway report");
    cJSON_Delete (body);
    app->report_due = false;
    app->report_at = ddc_mono_ms () + S_REPORT_EVERY_MS;
}

//  --------------------------------------------------------------------------
//  Gateway callbacks

static uint32_t
s_gw_connect (void *arg, const char *url)
{
    app_t *app = arg;
    zstream_reset (app->z);
    return ws_connect (app->ws, url);
}

static void
s_gw_send (void *arg, uint32_t conn, const char *text, size_t len)
{
    app_t *app = arg;
    ws_send (app->ws, conn, text, len);
}

static void
s_gw_close (void *arg, uint32_t conn, int code, const char *reason)
{
    app_t *app = arg;
    ws_close (app->ws, conn, code, reason);
}

static void
s_on_gateway_url (void *arg, int status, const cJSON *json, int code)
{
    (void) code;
    uint64_t *gen = arg;
    app_t *app = (app_t *) (uintptr_t) gen [1];
    bool current = gen [0] == s_fetch_gen;
    free (gen);
    if (status == REST_CANCELLED || !current)
        return;
    const char *url = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (json, "url"));
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive (json, "session_start_limit");
    const cJSON *remaining = cJSON_GetObjectItemCaseSensitive (limit, "remaining");
    if (status == 200 && cJSON_IsNumber (remaining)) {
        ddc_debug ("gateway: %d session starts left today", (int) remaining->valuedouble);
        if (remaining->valuedouble < 1) {
            //  Identifying now would cost the token: wait (retried with backoff).
            ddc_warn ("gateway: no session starts left today: waiting");
            gateway_url_result (app->gw, 429, NULL, ddc_mono_ms ());
            return;
        }
    }
    gateway_url_result (app->gw, status, url, ddc_mono_ms ());
}

static void
s_gw_fetch_url (void *arg)
{
    app_t *app = arg;
    uint64_t *gen = ddc_malloc (2 * sizeof (*gen));
    gen [0] = ++s_fetch_gen;
    gen [1] = (uint64_t) (uintptr_t) app;
    rest_call (app->rest, "GET", "/gateway/bot", NULL, 0, s_on_gateway_url, gen);
}

//  The bot's metrics (ddc_client calls it every DDC_METRICS_INTERVAL_MS).
static void
s_on_metrics (void *arg, ddc_metrics_t *m)
{
    app_t *app = arg;
    gateway_state_t now = gateway_state (app->gw);
    for (int st = GATEWAY_WAITING_TOKEN; st <= GATEWAY_FAILED; st++)
        ddc_metrics_gauge (m, "ddc_discord_gateway_state", "1 for the gateway's current state.",
                           st == (int) now ? 1 : 0, "state",
                           gateway_state_name ((gateway_state_t) st), NULL);
    uint64_t connects = gateway_connects (app->gw);
    ddc_metrics_counter (m, "ddc_discord_gateway_reconnects_total",
                         "Gateway connections "
                         "opened after the first (resumes, new sessions, token changes).",
                         (double) (connects ? connects - 1 : 0), NULL);
    int64_t latency = gateway_latency_ms (app->gw);
    if (latency >= 0)
        ddc_metrics_gauge (m, "ddc_discord_gateway_latency_seconds",
                           "The gateway's heartbeat "
                           "round trip.",
                           (double) latency / 1000.0, NULL);
    ddc_metrics_counter (m, "ddc_discord_rest_429_total", "REST answers 429 (rate limited).",
                         (double) rest_limited (app->rest), NULL);
    ddc_metrics_gauge (m, "ddc_discord_rest_queued", "REST requests waiting.",
                       (double) rest_queued (app->rest), NULL);
    ddc_metrics_counter (m, "ddc_discord_interactions_total",
                         "Interactions received (commands, "
                         "buttons, menus, forms).",
                         (double) app->metrics.interactions, NULL);
    static const char *const acks_help = "First responses to interactions, by Discord's answer.";
    ddc_metrics_counter (m, "ddc_discord_interaction_acks_total", acks_help,
                         (double) app->metrics.acks_ok, "result", "ok", NULL);
    ddc_metrics_counter (m, "ddc_discord_interaction_acks_total", acks_help,
                         (double) app->metrics.acks_failed, "result", "failed", NULL);
    ddc_metrics_histogram (m, "ddc_discord_interaction_ack_seconds",
                           "From an interaction to "
                           "Discord's answer to its first response (Discord wants it within "
                           "3 s).",
                           &app->metrics.ack_seconds, NULL);
}

static void
s_gw_dispatch (void *arg, const char *t, const cJSON *d)
{
    app_t *app = arg;
    if (strcmp (t, "INTERACTION_CREATE") == 0) {
        app->metrics.interactions++;
        gw_interaction_t *ix = ddc_malloc (sizeof (*ix));
        if (gw_interaction_parse (d, ix) == 0)
            commands_on_interaction (app->commands, ix);
        else
            ddc_warn ("gateway: an INTERACTION_CREATE without the fields the bot needs: "
                      "ignored");
        free (ix);
    }
    else if (strncmp (t, "MESSAGE_", 8) == 0)
        overviews_on_dispatch (app->overviews, t, d);
    else if (strcmp (t, "READY") == 0) {
        app->report_due = true;
        commands_sync (app->commands);
        overviews_sync (app->overviews);
    }
    else if (strcmp (t, "GUILD_CREATE") == 0) {
        const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (d, "name"));
        char id [GW_ID_MAX];
        gw_get_id (d, "id", id);
        ddc_info ("gateway: in guild %s (%.100s)%s", id, name ? name : "?",
                  app->live->guild [0] && strcmp (id, app->live->guild) != 0
                      ? " (not the configured guild)"
                      : "");
    }
}

//  The gateway's state or the commands' registration changed.
static void
s_report_due (void *arg)
{
    app_t *app = arg;
    app->report_due = true;
}

//  --------------------------------------------------------------------------
//  Between the feature modules (commands hands on, panels tells)

static void
s_to_panel (void *arg, const gw_interaction_t *ix)
{
    app_t *app = arg;
    if (ix->type == GW_IX_MODAL)
        panels_on_modal (app->panels, ix);
    else
        panels_on_component (app->panels, ix);
}

static void
s_to_task (void *arg, const gw_interaction_t *ix)
{
    app_t *app = arg;
    if (ix->type == GW_IX_MODAL)
        taskflow_on_modal (app->tasks, ix);
    else if (ix->type == GW_IX_AUTOCOMPLETE)
        taskflow_on_autocomplete (app->tasks, ix);
    else if (ix->type == GW_IX_COMPONENT)
        taskflow_on_component (app->tasks, ix);
    else
        taskflow_on_command (app->tasks, ix);
}

static void
s_overviews_changed (void *arg)
{
    app_t *app = arg;
    overviews_dirty (app->overviews);
}

static int
s_overview_part (void *arg, const char *channel, const char *message)
{
    app_t *app = arg;
    return overviews_part (app->overviews, channel, message);
}

static void
s_overview_refreshed (void *arg, const char *channel, const char *message)
{
    app_t *app = arg;
    overviews_touched (app->overviews, channel, message);
}

static int
s_broker_request (void *arg, zmsg_t **msg_p, int64_t timeout_ms, ddc_reply_fn *cb, void *cb_arg)
{
    app_t *app = arg;
    return ddc_client_request (app->client, msg_p, timeout_ms, 1, cb, cb_arg);
}

static void
s_to_logs (void *arg, const gw_interaction_t *ix, const live_ctr_t *c)
{
    app_t *app = arg;
    if (c)
        livelogs_start (app->livelogs, ix, c);
    else
        livelogs_on_component (app->livelogs, ix);
}

static void
s_repost (void *arg, const char *channel)
{
    app_t *app = arg;
    overviews_repost (app->overviews, channel);
}

//  --------------------------------------------------------------------------
//  Broker client callbacks

static void
s_load_tz (app_t *app)
{
    if (strcmp (app->tz_name, app->live->timezone) == 0 && app->tz)
        return;
    ddc_tz_t *tz = ddc_tz_load (app->live->timezone);
    if (!tz) {
        ddc_warn ("time zone %s cannot be loaded: showing UTC", app->live->timezone);
        tz = ddc_tz_load ("UTC");
    }
    ddc_tz_destroy (&app->tz);
    app->tz = tz;
    ddc_strlcpy (app->tz_name, app->live->timezone, sizeof (app->tz_name));
}

static int
s_on_apply (void *arg, const char *section, const cJSON *value, uint64_t rev, bool from_cache,
            cJSON *errors)
{
    app_t *app = arg;
    live_t *live = app->live;
    char old_token [256], old_guild [24], old_lang [8], old_tz [65];
    ddc_strlcpy (old_token, live->token, sizeof (old_token));
    ddc_strlcpy (old_guild, live->guild, sizeof (old_guild));
    ddc_strlcpy (old_lang, live->language, sizeof (old_lang));
    ddc_strlcpy (old_tz, live->timezone, sizeof (old_tz));
    if (live_apply (live, section, value, errors) < 0) {
        ddc_warn ("%s rev %llu rejected: it does not have the expected shape", section,
                  (unsigned long long) rev);
        memset (old_token, 0, sizeof (old_token));
        return -1;
    }
    ddc_info ("applied %s rev %llu%s", section, (unsigned long long) rev,
              from_cache ? " (from the cache)" : "");
    int64_t now = ddc_mono_ms ();
    if (strcmp (section, "bot") == 0) {
        if (strcmp (old_token, live->token) != 0 || !app->synced) {
            rest_set_token (app->rest, live->token);
            gateway_set_token (app->gw, live->token, now);
            if (!live->token [0] && !app->synced)
                ddc_info ("no bot token in the configuration (bot.token): waiting for one");
        }
        if (strcmp (old_lang, live->language) != 0) {
            app->lang = i18n_lang (live->language);
            overviews_force (app->overviews);
        }
        if (strcmp (old_tz, live->timezone) != 0 || !app->tz) {
            s_load_tz (app);
            overviews_force (app->overviews);
        }
        if (strcmp (old_guild, live->guild) != 0)
            ddc_info ("guild is now %s", live->guild [0] ? live->guild : "(none: global commands)");
        commands_sync (app->commands);
        app->report_due = true;
    }
    else if (strcmp (section, "containers") == 0)
        overviews_dirty (app->overviews);
    else if (strcmp (section, "channels") == 0 && app->synced)
        overviews_sync (app->overviews);
    memset (old_token, 0, sizeof (old_token));
    return 0;
}

static void
s_on_event (void *arg, ddc_client_event_t event, const char *detail)
{
    app_t *app = arg;
    switch (event) {
        case DDC_EV_CONNECTED:
            ddc_info ("connected to the broker as %s", detail);
            //  What every Docker agent reported last, and which are connected:
            //  no container waits for its agent's next report.
            hosts_on_connected (app->hosts);
            break;
        case DDC_EV_SYNCED:
            ddc_info ("configuration in sync");
            if (!app->synced) {
                app->synced = true;
                overviews_sync (app->overviews);
            }
            break;
        case DDC_EV_DISCONNECTED:
            ddc_warn ("%s; running on the last good configuration", detail);
            break;
        case DDC_EV_RESYNC:
            ddc_info ("resync: %s", detail);
            break;
        case DDC_EV_CACHE_LOADED:
            ddc_info ("started from the cache %s", detail);
            if (!app->synced) {
                app->synced = true;
                overviews_sync (app->overviews);
            }
            break;
        case DDC_EV_ERROR:
            ddc_warn ("%s", detail);
            break;
        case DDC_EV_REFUSED:
            break; //  logged by the client; shown in the "link" report
    }
}

static void
s_on_status (void *arg, const char *peer, const char *topic, const cJSON *body)
{
    app_t *app = arg;
    if (strncmp (peer, "docker@", 7) == 0 && strcmp (topic, "alerts") == 0) {
        alerts_on_report (app->alerts, peer, body);
        return;
    }
    hosts_on_status (app->hosts, peer, topic, body);
}

static void
s_on_mon (void *arg, const char *topic, const cJSON *body)
{
    app_t *app = arg;
    hosts_on_mon (app->hosts, topic, body);
}

//  --------------------------------------------------------------------------
//  Loop

static void
s_ws_events (app_t *app)
{
    ws_event_t *ev;
    int n = 0;
    while (n++ < S_EVENTS_PER_LOOP && (ev = ws_next (app->ws))) {
        int64_t now = ddc_mono_ms ();
        switch (ev->kind) {
            case WS_EV_OPEN:
                gateway_on_open (app->gw, ev->conn, now);
                break;
            case WS_EV_MESSAGE:
                if (ev->conn != gateway_conn (app->gw))
                    break;
                if (ev->binary) {
                    char *text = NULL;
                    size_t len = 0;
                    int rc = zstream_push (app->z, ev->data, ev->len, &text, &len);
                    if (rc < 0)
                        gateway_drop (app->gw, "undecodable compressed gateway data", now);
                    else if (rc > 0)
                        gateway_on_text (app->gw, ev->conn, text, len, now);
                    free (text);
                }
                else
                    gateway_on_text (app->gw, ev->conn, ev->data, ev->len, now);
                break;
            case WS_EV_CLOSED:
                gateway_on_close (app->gw, ev->conn, ev->code, ev->reason, now);
                break;
        }
        ws_event_free (&ev);
    }
}

static int64_t
s_min (int64_t a, int64_t b)
{
    return a < b ? a : b;
}

//  The parts of the main loop (ddc_loop): the WebSocket thread's events,
//  the broker client, then the timers, REST completions and the report.
static size_t
s_ws_fds (void *arg, struct curl_waitfd *fds, size_t max)
{
    app_t *app = arg;
    if (max < 1)
        return 0;
    fds [0] = (struct curl_waitfd){ .fd = ws_fd (app->ws), .events = CURL_WAIT_POLLIN };
    return 1;
}

static void
s_ws_run (void *arg, const struct curl_waitfd *fds, size_t n)
{
    (void) fds;
    (void) n;
    s_ws_events (arg);
}

static int64_t
s_timers_next (void *arg, int64_t now)
{
    app_t *app = arg;
    if (app->report_due)
        return 0;
    int64_t wait = app->report_at - now;
    wait = s_min (wait, gateway_next_ms (app->gw, now));
    wait = s_min (wait, overviews_next_ms (app->overviews, now));
    wait = s_min (wait, commands_next_ms (app->commands, now));
    wait = s_min (wait, livelogs_next_ms (app->livelogs, now));
    int64_t rt = rest_timeout_ms (app->rest);
    if (rt >= 0)
        wait = s_min (wait, rt);
    return wait;
}

static void
s_timers_run (void *arg, const struct curl_waitfd *fds, size_t n)
{
    (void) fds;
    (void) n;
    app_t *app = arg;
    int64_t now = ddc_mono_ms ();
    gateway_tick (app->gw, now);
    commands_tick (app->commands, now);
    livelogs_tick (app->livelogs, now);
    overviews_tick (app->overviews, now);
    rest_perform (app->rest);
    if (app->report_due || now >= app->report_at)
        s_report (app);
}

//  The wait of a turn: curl_multi_poll over REST's sockets and the fds.
static int
s_poll (void *arg, struct curl_waitfd *fds, unsigned n, int timeout_ms)
{
    app_t *app = arg;
    return rest_poll (app->rest, fds, n, timeout_ms) < 0 ? -1 : 0;
}

static void
s_loop (app_t *app)
{
    ddc_loop_t *loop = ddc_loop_new (s_poll, app);
    ddc_loop_add (loop, &(ddc_loop_part_t){ .fds = s_ws_fds, .run = s_ws_run, .arg = app });
    ddc_loop_add_client (loop, app->client);
    ddc_loop_add (loop,
                  &(ddc_loop_part_t){ .next_ms = s_timers_next, .run = s_timers_run, .arg = app });
    ddc_loop_run (loop);
    ddc_loop_destroy (&loop);
}

//  Close the gateway (1000) and give the close frame a moment to leave.
static void
s_goodbye (app_t *app)
{
    uint32_t conn = gateway_conn (app->gw);
    gateway_shutdown (app->gw);
    if (!conn)
        return;
    int64_t end = ddc_mono_ms () + 1000;
    struct curl_waitfd fd = { .fd = ws_fd (app->ws), .events = CURL_WAIT_POLLIN };
    while (ddc_mono_ms () < end) {
        fd.revents = 0;
        rest_poll (app->rest, &fd, 1, 100);
        ws_event_t *ev;
        bool closed = false;
        while ((ev = ws_next (app->ws))) {
            closed = closed || (ev->kind == WS_EV_CLOSED && ev->conn == conn);
            ws_event_free (&ev);
        }
        if (closed)
            break;
    }
}

//  --------------------------------------------------------------------------
//  Main


int
main (int argc, char **argv)
{
    ddc_malloc_policy ();
    ddc_log_init ("ddc-discord");
    static const struct option longopts [] = {
        { "broker", required_argument, NULL, 'b' },
        { "discord-api", required_argument, NULL, 'a' },
        { "cache", required_argument, NULL, 'c' },
        { "state", required_argument, NULL, 's' },
        { "instance", required_argument, NULL, 'i' },
        { "cert", required_argument, NULL, 'C' },
        { "broker-cert", required_argument, NULL, 'B' },
        { "insecure", no_argument, NULL, 'I' },
        { "data", required_argument, NULL, 'D' },
        { "no-compress", no_argument, NULL, 'n' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    ddc_args_conn_t conn;
    char err [512];
    if (ddc_args_conn_env (&conn, err, sizeof (err)) < 0) {
        fprintf (stderr, "ddc-discord: %s\n", err);
        return DDC_ARGS_USAGE;
    }
    const char *api = "https://discord.com/api";
    const char *cache = NULL, *state_arg = NULL, *data = NULL;
    const char *instance = NULL;
    bool compress = true;
    opterr = 0;
    int c;
    while ((c = getopt_long (argc, argv, ":vhV", longopts, NULL)) != -1) {
        switch (c) {
            case 'b':
                conn.broker = optarg;
                break;
            case 'a':
                api = optarg;
                break;
            case 'c':
                cache = optarg;
                break;
            case 's':
                state_arg = optarg;
                break;
            case 'i':
                instance = optarg;
                break;
            case 'C':
                conn.cert = optarg;
                break;
            case 'B':
                conn.broker_cert = optarg;
                break;
            case 'I':
                conn.insecure = true;
                break;
            case 'D':
                data = optarg;
                break;
            case 'n':
                compress = false;
                break;
            case 'v':
                ddc_log_set_level (DDC_LOG_DEBUG);
                break;
            case 'h':
                s_usage (stdout);
                return 0;
            case 'V': {
                char why [300];
                const ddc_curl_t *curl = ddc_curl_load (why, sizeof (why));
                printf ("ddc-discord %s (libzmq %d.%d.%d, czmq %d.%d.%d, %s, libwebsockets %s)\n",
                        DDC_VERSION, ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH,
                        CZMQ_VERSION_MAJOR, CZMQ_VERSION_MINOR, CZMQ_VERSION_PATCH,
                        curl ? curl->version () : why, lws_get_library_version ());
                ddc_curl_unload ();
                return 0;
            }
            default:
                return ddc_args_bad_option ("ddc-discord", c, argv);
        }
    }
    if (ddc_args_no_more ("ddc-discord", argc, argv) || ddc_args_connection ("ddc-discord", &conn))
        return DDC_ARGS_USAGE;
    if (strncmp (api, "http://", 7) != 0 && strncmp (api, "https://", 8) != 0) {
        fprintf (stderr, "ddc-discord: --discord-api must be an http:// or https:// url\n");
        return 2;
    }
    char hostbuf [256] = "";
    if (!instance) {
        ddc_args_host_name (hostbuf, sizeof (hostbuf));
        instance = ddc_config_name_ok (hostbuf, DDC_HOST_NAME_MAX) ? hostbuf : "main";
    }
    if (!ddc_config_name_ok (instance, DDC_HOST_NAME_MAX)) {
        fprintf (stderr,
                 "ddc-discord: instance name '%s' is not usable: 1 to 63 characters "
                 "from A-Z, a-z, 0-9, '.', '_' and '-'\n",
                 instance);
        return 2;
    }
    if (i18n_init () < 0) {
        fprintf (stderr, "ddc-discord: the compiled-in locale tables are broken\n");
        return 1;
    }
    //  libcurl loaded and started before any thread (ddc_curl.h).
    if (!ddc_curl_load (err, sizeof (err))) {
        fprintf (stderr, "ddc-discord: cannot use libcurl: %s\n", err);
        return 1;
    }
    //  czmq and libzmq abort when a socket gets no descriptor.
    if (ddc_fdlimit_ensure (DDC_FDLIMIT_SERVICE, err, sizeof (err)) < 0) {
        fprintf (stderr, "ddc-discord: %s\n", err);
        return 1;
    }
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL);
    if (ddc_signal_open () < 0) {
        fprintf (stderr, "ddc-discord: cannot set up signals: %s\n", strerror (errno));
        return 1;
    }

    //  The files go to the data folder unless each is given.
    char *data_dir = NULL, *state_path = NULL;
    char *cache_path =
        ddc_args_data_file (cache, data, &data_dir, "discord.cache.json", err, sizeof (err));
    if (cache_path)
        state_path = ddc_args_data_file (state_arg, data, &data_dir, "discord.state.json", err,
                                         sizeof (err));
    if (!state_path) {
        fprintf (stderr, "ddc-discord: %s\n", err);
        free (cache_path);
        return 1;
    }

    app_t app_ = { 0 };
    app_t *app = &app_;
    app->lang = LANG_EN;
    app->live = live_new ();
    app->cd = cd_new ();
    app->state = state_new (state_path);
    app->rest = rest_new (api);
    app->z = zstream_new ();
    app->ws = ws_new ();
    int rc = 0;
    if (!app->rest || !app->ws) {
        fprintf (stderr, "ddc-discord: cannot set up %s\n", app->ws ? "libcurl" : "libwebsockets");
        rc = 1;
    }
    gateway_ops_t ops = {
        .connect = s_gw_connect,
        .send = s_gw_send,
        .close = s_gw_close,
        .fetch_url = s_gw_fetch_url,
        .dispatch = s_gw_dispatch,
        .changed = s_report_due,
    };
    app->gw = gateway_new (&ops, app, compress);
    commands_hooks_t commands_hooks = {
        .panel = s_to_panel,
        .task = s_to_task,
        .repost = s_repost,
        .changed = s_report_due,
        .app_id = s_app_id,
        .call = s_rest_call,
        .arg = app,
    };
    app->commands = commands_new (app, &commands_hooks);
    panels_hooks_t panels_hooks = {
        .changed = s_overviews_changed,
        .overview_part = s_overview_part,
        .refreshed = s_overview_refreshed,
        .logs = s_to_logs,
        .task = s_to_task,
        .request = s_broker_request,
        .arg = app,
    };
    app->panels = panels_new (app, &panels_hooks);
    overviews_hooks_t overviews_hooks = {
        .render_ctx = s_render_ctx,
        .synced = s_synced,
        .user_id = s_user_id,
        .call = s_rest_call,
        .arg = app,
    };
    app->overviews = overviews_new (app->live, app->state, &overviews_hooks);
    app->hosts = hosts_new (app);
    app->alerts = alerts_new (app);
    app->saves = saves_new (app);
    app->tasks = taskflow_new (app);
    app->livelogs = livelogs_new (app);
    s_load_tz (app);

    static const char *const sections [] = { "bot",  "containers", "channels", "admins",
                                             "spam", "docker",     "tasks",    NULL };
    static const double ack_le [] = { 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5 };
    ddc_histogram_init (&app->metrics.ack_seconds, ack_le,
                        (int) (sizeof (ack_le) / sizeof (ack_le [0])));
    ddc_client_opts_t opts = {
        .broker = conn.broker,
        .role = "discord",
        .instance = instance,
        .sections = sections,
        .cache_path = cache_path,
        .cert_path = conn.cert,
        .broker_cert_path = conn.broker_cert,
        .on_apply = s_on_apply,
        .on_event = s_on_event,
        .on_status = s_on_status,
        .on_mon = s_on_mon,
        .on_metrics = s_on_metrics,
        .arg = app,
        .compact = true, //  live_apply keeps what the bot reads
    };
    if (rc == 0) {
        app->client = ddc_client_new (&opts);
        if (!app->client) {
            fprintf (stderr,
                     "ddc-discord: cannot connect to %s (bad endpoint or certificate; "
                     "-v tells why)\n",
                     conn.broker);
            rc = 1;
        }
    }
    if (rc == 0) {
        ddc_client_follow_status (app->client, "");
        ddc_client_follow_mon (app->client, "peer/");
        ddc_info ("discord@%s starting: broker %s%s, Discord %s, data %s, state %s, cache %s",
                  instance, conn.broker, conn.cert ? " (CURVE)" : "", api,
                  data_dir ? data_dir : "(not used)", state_path, cache_path);
        app->report_due = true;
        s_loop (app);
        ddc_info ("stopping");
        s_goodbye (app);
    }
    //  Shutdown: the WebSocket thread first, then REST (pending callbacks
    //  are cancelled), then the broker client (says BYE), then the rest.
    ws_destroy (&app->ws);
    rest_destroy (&app->rest);
    ddc_client_destroy (&app->client);
    livelogs_destroy (&app->livelogs);
    taskflow_destroy (&app->tasks);
    saves_destroy (&app->saves);
    hosts_destroy (&app->hosts);
    alerts_destroy (&app->alerts);
    overviews_destroy (&app->overviews);
    panels_destroy (&app->panels);
    commands_destroy (&app->commands);
    gateway_destroy (&app->gw);
    zstream_destroy (&app->z);
    state_destroy (&app->state);
    cd_destroy (&app->cd);
    live_destroy (&app->live);
    ddc_tz_destroy (&app->tz);
    i18n_shutdown ();
    ddc_curl_unload ();
    ddc_signal_close ();
    zsys_shutdown ();
    free (cache_path);
    free (state_path);
    free (data_dir);
    return rc;
}
