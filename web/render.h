/*  render: every HTML page and fragment of ddc-web, written into a ddc_buf
    with all data escaped (ddc_buf_html). Kore-free: the handlers gather the
    data (sections, peers, history), these functions only print. No inline
    script or style: behaviour is in /static/app.js, found through data-*
    attributes; data for the script travels in <script type=
    "application/json"> blocks, which CSP does not execute.
    Split by concept: render_core.c (page shell, navigation, inputs, field
    errors, notices), render_sections.c (one form per config section),
    render_pages.c (sign-in, setup, password, dashboard, history, activity,
    errors). */
#ifndef WEB_RENDER_H
#define WEB_RENDER_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "ddc_config.h"
#include "i18n.h"
#include "schema.h"
#include "ddc_buf.h"

typedef struct {
    const i18n_t *i18n;
    const char *lang;    //  "en" or "de"
    const char *csrf;    /* the session's CSRF token; NULL when
                                    signed out (no navigation shown)    */
    const char *nav;     //  the current navigation entry or NULL
    const char *version; //  for static URLs and the footer
    bool csrf_mark;      /* mark the token's places (ddc_buf_mark)
                                    instead of writing csrf: the page is
                                    kept for every session              */
} rctx_t;

//  Validation errors of one form: each error is shown once, at the input
//  schema_error_input names, or in the list at the top when no input took
//  it, each as a sentence of rc's language that names the field by its
//  label (render_error_text). errors is borrowed (an INVALID array) and may
//  be NULL.
typedef struct errs_t errs_t;
errs_t *errs_new (const rctx_t *rc, ddc_section_t s, const cJSON *errors);
void errs_destroy (errs_t **self_p);
size_t errs_count (const errs_t *self);

//  What a section page shows besides the value.
typedef struct {
    const cJSON *value;      //  the section value (may be NULL)
    uint64_t rev;            //  the revision it was rendered from
    errs_t *errs;            //  NULL or the errors of a refused save
    const cJSON *containers; //  tasks: configured containers
    int64_t now;             /* tasks: UTC seconds their next runs
                                    are after (0: the current time)      */
    const cJSON *view;       /* bot: the live view (its gateway state
                                    is shown and kept live), or NULL     */
    const cJSON *inventory;  //  containers: [{host,name,image,state,status}]
    const cJSON *states;     //  containers: {"host/name": "running"}
    const char *notice_html; //  a rendered notice box or NULL
    bool secret_set;         /* the secret is stored: bot.token,
                                    alerts.webhook_url, web.metrics_token */
    //  containers: the search (words that must each be in a container's
    //  name, host, state, image or display name; NULL or "" = all), the
    //  page of the discovered list (1-based; 0 = 1), and "host/name" of a
    //  discovered container to add as a configured row (NULL = none)
    const char *query;
    size_t page;
    const char *add;
} rsection_t;

//  The discovered containers (found by the agents, not configured) shown
//  a page at a time on the containers page.
#define RENDER_DISCOVERED_PAGE 50

//  ---- labels (render_label.c) -----------------------------------------
//  A section by the word the navigation uses ("spam": "Cooldowns").
const char *render_section_label (const rctx_t *rc, const char *section);
//  A field path ("containers[1].display_name", "spam.button_cooldowns.
//  restart_all") by its labels ("Container 2: Display name"), escaped.
void render_field_label (ddc_buf_t *b, const rctx_t *rc, const char *path);
//  The labels of the fields that the services' rejections in a dashboard
//  view (view.h) name, as plain text for the script's acknowledgements:
//  {"containers[1].display_name": "Container 2: Display name", ...}.
//  Caller owns.
cJSON *render_rejected_labels (const rctx_t *rc, const cJSON *view);
//  A cooldown's command ("/ss - short server status") or button ("Restart
//  all") of which ("command_cooldowns" or "button_cooldowns"), escaped.
void render_cooldown_label (ddc_buf_t *b, const rctx_t *rc, const char *which, const char *name);
//  A validation error as a sentence of the page's language naming the
//  field by its label ("e.SECTION.KEY.REASON", else "err.REASON"; {0} the
//  label, {1}.. the numbers of the broker's message), else the broker's
//  message; escaped.
void render_error_text (ddc_buf_t *b, const rctx_t *rc, const char *field, const char *reason,
                        const char *message);
//  A history author with its " (rollback to N)" in the page's language.
void render_author (ddc_buf_t *b, const rctx_t *rc, const char *author);
//  A UTC time ("2026-11-27T08:39:37Z") as <time datetime> that reads
//  "2026-11-27 08:39:37 UTC" without the script and is shown in the
//  browser's time zone (with the zone's name) by it; never wrapped.
void render_time (ddc_buf_t *b, const char *iso);

//  ---- core (render_core.c) --------------------------------------------
const char *T (const rctx_t *rc, const char *key);
void render_begin (ddc_buf_t *b, const rctx_t *rc, const char *title);
void render_end (ddc_buf_t *b, const rctx_t *rc);
//  A reported state in the page's language: the locale text of prefix +
//  value ("state.running", "gateway.ready", "health.healthy"), or value
//  itself when the locale has none.
const char *render_state_text (const rctx_t *rc, const char *prefix, const char *value);
//  Open a table cell "<td class=cls data-label=...>" (cls may be NULL):
//  data-label is the text of its column's header (the locale key
//  label_key), which names the value when a row is shown as a card on a
//  narrow screen (app.css).
void render_td (ddc_buf_t *b, const rctx_t *rc, const char *label_key, const char *cls);
//  A notice box: kind "ok", "warn", "error" or "info"; text escaped.
void render_notice (ddc_buf_t *b, const char *kind, const char *text);
//  The box above a form whose save did not reach the broker (key: the
//  locale text, trusted HTML); the form below keeps the input.
void render_save_failed (ddc_buf_t *b, const rctx_t *rc, const char *key);
//  The hidden CSRF input of rc (or its mark, see rctx_t).
void render_csrf (ddc_buf_t *b, const rctx_t *rc);
//  True when input has errors not shown yet.
bool render_has_errors (const errs_t *errs, const char *input);
//  True when an input named prefix or prefix.* has errors not shown yet.
bool render_has_errors_under (const errs_t *errs, const char *prefix);
//  The errors of one input (marks them shown).
void render_field_errors (ddc_buf_t *b, errs_t *errs, const char *input);
//  The errors no input took, as a list ("" when none).
void render_other_errors (ddc_buf_t *b, const rctx_t *rc, errs_t *errs);
//  "Changes applied (revision N)" with the live acknowledgement list the
//  script fills in for section (data-section/data-rev).
void render_saved (ddc_buf_t *b, const rctx_t *rc, const char *section, uint64_t rev, bool changed);
//  Someone saved first: the newer revision, and a way to reload.
void render_conflict (ddc_buf_t *b, const rctx_t *rc, const char *path, uint64_t their_rev);

//  ---- section forms (render_sections.c) -------------------------------
//  The page body (form) of section s.
void render_section (ddc_buf_t *b, const rctx_t *rc, ddc_section_t s, const rsection_t *d);
//  The containers page's list of discovered containers alone (what the
//  script puts in place when the search changes): d->query's matches, page
//  d->page, each with an "add" control.
void render_discovered (ddc_buf_t *b, const rctx_t *rc, const rsection_t *d);
//  URL path of a section's page ("/bot", "/cooldowns"...) and its title key.
const char *render_section_path (ddc_section_t s);
const char *render_section_title (ddc_section_t s);
//  The section of a page path, or -1.
int render_section_from_path (const char *path);

//  ---- other pages (render_pages.c) ------------------------------------
void render_login (ddc_buf_t *b, const rctx_t *rc, const char *error_key, const char *next);
//  The first-run page; code: the setup code typed before (NULL: none).
void render_setup (ddc_buf_t *b, const rctx_t *rc, const char *error_key, const char *code);
void render_password (ddc_buf_t *b, const rctx_t *rc, uint64_t web_rev, const char *error_key,
                      const char *notice_key);
//  A whole error page: status title, text (escaped) and optional details.
void render_error_page (ddc_buf_t *b, const rctx_t *rc, int status, const char *title_key,
                        const char *text_key, const char *detail);
//  Dashboard: the page, and the four live fragments of a view (view.h).
void render_dashboard (ddc_buf_t *b, const rctx_t *rc, const cJSON *view);
void render_view_broker (ddc_buf_t *b, const rctx_t *rc, const cJSON *view);
void render_view_services (ddc_buf_t *b, const rctx_t *rc, const cJSON *view);
void render_view_gateway (ddc_buf_t *b, const rctx_t *rc, const cJSON *view);
void render_view_hosts (ddc_buf_t *b, const rctx_t *rc, const cJSON *view);
//  One host of the view's "hosts" (its <section class="host" data-host>):
//  render_view_host_open writes its head (up to the rows' <tbody>) and
//  returns false when it has no rows (the section is then complete);
//  then one render_view_host_row per row (<tr data-container="HOST/NAME">)
//  and render_view_host_close. render_view_host writes all of it.
bool render_view_host_open (ddc_buf_t *b, const rctx_t *rc, const cJSON *h);
void render_view_host_row (ddc_buf_t *b, const rctx_t *rc, const cJSON *h, const cJSON *c);
void render_view_host_close (ddc_buf_t *b);
void render_view_host (ddc_buf_t *b, const rctx_t *rc, const cJSON *h);
//  History: the list of CHANGES entries (newest first) and one entry with
//  the diff against the previous value of its section (prev may be NULL
//  when that revision is no longer retained).
void render_history (ddc_buf_t *b, const rctx_t *rc, const cJSON *entries, const char *filter);
void render_history_entry (ddc_buf_t *b, const rctx_t *rc, const cJSON *entry, const cJSON *prev,
                           bool can_rollback);

//  Activity: entries of the broker's audit log (ENTRIES, newest first)
//  with the filters that chose them and a link to the older ones.
typedef struct {
    const char *kind;      //  "", "action" or "config"
    const char *container; //  "" = any
    const char *since;     //  "", "1h", "24h", "7d" or "30d"
    const char *who;       /* "" = anyone; else in the requester,
                                    for whom, or a change's author       */
    const char *result;    //  "", "ok", "error" or "timeout"
    const char *next;      //  the cursor of older entries, or NULL
    bool older;            //  this page is not the newest
} ractivity_t;
void render_activity (ddc_buf_t *b, const rctx_t *rc, const cJSON *entries, const ractivity_t *a);

//  Container actions and logs (render_pages.c). The controls of a
//  configured, active container: a button for each of start, stop and
//  restart that allowed (its allowed_actions; NULL = ddc_config's default:
//  all but logs), each a submit button of the page's form "ctr-action"
//  (do=ACTION:HOST/NAME) labelled with the action, the container and its
//  host, a link to its log when logs are allowed, and a status the script
//  fills in (pending, then the result).
//  action is in allowed (a container's allowed_actions; NULL = ddc_config's
//  default: start, stop and restart).
bool render_action_allowed (const cJSON *allowed, const char *action);
void render_container_controls (ddc_buf_t *b, const rctx_t *rc, const char *host, const char *name,
                                const cJSON *allowed);
//  The form those buttons send (POST /containers/action with the CSRF
//  token), once per page, outside any other form.
void render_container_action_form (ddc_buf_t *b, const rctx_t *rc);
//  The page after an action sent without the script: what was asked, and
//  the agent's RESULT body (result) or why there is none (error).
void render_action_result (ddc_buf_t *b, const rctx_t *rc, const char *host, const char *name,
                           const char *action, const cJSON *result, const char *error);
//  A container's log page: the newest lines (the agent's RESULT body, or
//  why there are none), followed live by the script (/logs/events), a
//  download link and a form to choose how many lines.
typedef struct {
    const char *host, *name;
    const char *display_name; //  NULL = name
    int lines;                //  lines asked for
    const cJSON *result;      //  the RESULT body, or NULL
    const char *error;        //  no RESULT: why (broker), or NULL
} rlogs_t;
void render_logs (ddc_buf_t *b, const rctx_t *rc, const rlogs_t *l);

//  A duration in seconds as "3 d 4 h", "5 min", "12 s" into out[32].
void render_duration (int64_t seconds, char out [32]);
//  Bytes as "1.5 GiB" into out[32].
void render_bytes (double bytes, char out [32]);

#endif
