/*  render: every message the bot shows, built as Discord JSON (embeds and
    legacy components) from the live view (live.h), in the bot language
    (i18n.h) and time zone. Owns the layouts (server overview, admin
    overview with CPU and RAM, the per-container panel, logs, help, ping,
    confirmations, the /addadmin and info modals, autocomplete choices;
    the task messages are tasks.c's), the custom
    ids of components ("ov:sel", "ov:sel:N", "ov:ref", "ov:help", "ov:rall", "ov:sall",
    "pn:ACTION:KEY" with pn:tasks and pn:edit for admins, "lg:ref|stop:KEY",
    "bk:restart|stop|no", modals "adm:add" and "in:ed:KEY:HASH") and Discord's
    limits: an embed description stays under RENDER_DESC_MAX (an overview
    takes several messages), 25 select options, 5 rows of 5 buttons, text
    is valid UTF-8. Pure: no I/O; the caller owns each result. */
#ifndef DDC_DISCORD_RENDER_H
#define DDC_DISCORD_RENDER_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddc_tz.h"
#include "i18n.h"
#include "live.h"

#define RENDER_DESC_MAX 3900
#define RENDER_NAME_MAX 20   //  characters of a name in the overview
#define RENDER_LOGS_MAX 3800 //  bytes of log text shown
#define RENDER_PART_CTRS \
    100                                                  /* containers in one overview message:
                                       4 selects of 25 and a row of buttons */
#define RENDER_PART_BUDGET (RENDER_DESC_MAX - 120 - 400) //  their lines
#define RENDER_PARTS_MAX 40                              //  messages of one overview
#define FLAG_EPHEMERAL 64

typedef struct {
    const live_t *live;
    lang_t lang;
    const ddc_tz_t *tz; //  NULL: UTC
    int64_t wall_ms;
    int64_t mono_ms;
    //  For comparing what an overview shows (overviews.c): the same clock
    //  and timestamp whatever the time, and no CPU/RAM figures.
    bool no_clock;
    bool no_stats;
} render_ctx_t;

//  The overview of a channel kind: CHAN_STATUS the server overview,
//  CHAN_CONTROL the admin overview (CPU, RAM, bulk buttons), in one message
//  or, with many containers, in several (parts): each at most
//  RENDER_PART_CTRS containers and lines within RENDER_PART_BUDGET bytes
//  as long as they may get in any state, so that a container stays in its
//  part whatever happens to it. Each part repeats the heading of its first
//  host and has selects for its containers; the first one has the counts,
//  the last one the buttons. At most RENDER_PARTS_MAX parts: the last one
//  then ends with "... and N more".
size_t render_overview_parts (const render_ctx_t *r, chan_kind_t kind);
//  Part part (from 0; a part past the last is the last).
cJSON *render_overview (const render_ctx_t *r, chan_kind_t kind, size_t part);
//  The control panel of container c: status box, info text, and the
//  buttons of the actions (ACT_* bits) in may (none while busy): all the
//  allowed ones for an admin, those of their roles for a member (perm_may);
//  with ACT_ADMIN also ⏰ tasks and 📝 the info text. note: a line shown
//  above the embed (may be NULL).
cJSON *render_panel (const render_ctx_t *r, const live_ctr_t *c, unsigned may, const char *note,
                     bool busy);
//  The last lines of a container's logs (text borrowed, any bytes), with a
//  refresh button; while it updates itself (live_until, wall ms, > 0) the
//  footer says until when and a button stops it. note (may be NULL) goes
//  above the embed.
cJSON *render_logs (const render_ctx_t *r, const live_ctr_t *c, const char *text, int lines,
                    int64_t live_until, const char *note);
cJSON *render_help (const render_ctx_t *r);
//  The gateway's heartbeat latency and the latest REST round trip (-1:
//  not measured).
cJSON *render_ping (const render_ctx_t *r, int64_t gateway_ms, int64_t rest_ms);
//  Restart All / Stop All confirmation for the n of the running containers
//  that allow the action; skipped names those that do not (may be NULL
//  when n == running).
cJSON *render_confirm (const render_ctx_t *r, const char *action, size_t n, size_t running,
                       const char *skipped);
cJSON *render_addadmin_modal (const render_ctx_t *r);
//  The form that edits container c's info text: custom id
//  "in:ed:KEY:HASH", HASH (render_info_hash, 8 hex digits) naming the info
//  it was opened on.
cJSON *render_info_modal (const render_ctx_t *r, const live_ctr_t *c);
uint32_t render_info_hash (const live_ctr_t *c);
//  Autocomplete choices of active containers matching query.
cJSON *render_choices (const render_ctx_t *r, const char *query);
//  A message's hash (FNV-1a of its JSON text; never 0): to tell whether
//  what Discord shows would change.
uint64_t render_hash (const cJSON *msg);
//  {content: text, components: []} (text copied).
cJSON *render_text (const char *text);
//  A button (style 1 primary .. 4 danger; emoji may be NULL), and a new
//  action row appended to components, returning the row's list.
cJSON *render_button (const char *custom_id, const char *label, const char *emoji, int style,
                      bool disabled);
cJSON *render_row (cJSON *components);

//  Helpers (also used by the tests).
//  "12.3%"
void render_cpu (double percent, char *buf, size_t size);
//  "512 MB", "1.9 GB" (GB from 1000 MB up)
void render_mem (double bytes, char *buf, size_t size);
//  "2d 3h 5m", "3h 0m", "< 1m"
void render_uptime (int64_t seconds, char *buf, size_t size);
//  At most max characters (code points) of s; "…" appended when cut.
//  Control characters become '?'; render_trunc_text keeps line breaks.
void render_trunc (const char *s, size_t max, char *buf, size_t size);
void render_trunc_text (const char *s, size_t max, char *buf, size_t size);
//  A wall time (ms) in the context's zone: "09:12" today, else
//  "2026-11-27 09:12".
void render_when (const render_ctx_t *r, int64_t wall_ms, char *buf, size_t size);
//  Copy of s as valid UTF-8 with control characters other than \n and \t
//  replaced by '?'; backticks replaced by a look-alike. Caller frees.
char *render_clean (const char *s, size_t len);

#endif
