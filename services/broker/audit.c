/*  audit: DATA/audit.log, its records and its pages. See audit.h. */
#include "audit.h"

#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_CHUNK (64 * 1024)  //  read backwards this much at a time
#define S_SUMMARY_CHANGED 10 //  field names of a config entry shown
#define S_ACTION_MAX 32
#define S_CONTAINER_MAX 128

struct audit_t {
    char *path;     //  DATA/audit.log
    char *old_path; //  DATA/audit.log.1
    bool warned;    //  the last append failed and was logged
};

audit_t *
audit_new (const char *dir)
{
    audit_t *self = ddc_calloc (1, sizeof (*self));
    self->path = ddc_asprintf ("%s/audit.log", dir);
    self->old_path = ddc_asprintf ("%s/audit.log.1", dir);
    return self;
}

void
audit_destroy (audit_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->path);
    free ((*self_p)->old_path);
    free (*self_p);
    *self_p = NULL;
}

const char *
audit_path (audit_t *self)
{
    return self->path;
}

int
audit_append (audit_t *self, const cJSON *entry)
{
    char *text = ddc_json_print (entry);
    int rc = ddc_append_rotated (self->path, text, AUDIT_FILE_MAX, 0600);
    if (rc < 0 && !self->warned)
        ddc_warn ("cannot append to %s: %s (warned once until it works again)", self->path,
                  strerror (errno));
    self->warned = rc < 0;
    free (text);
    return rc;
}

//  ------------------------------------------------------------- records

//  A copy of s cut to max bytes (on a UTF-8 boundary), control characters
//  turned into spaces: what a peer sends is shown to people as it is kept.
static char *
s_clean (const char *s, size_t max)
{
    size_t len = ddc_utf8_cut (s, strlen (s), max);
    char *out = ddc_strndup (s, len);
    for (unsigned char *p = (unsigned char *) out; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return out;
}

static void
s_add_clean (cJSON *obj, const char *key, const char *value, size_t max)
{
    char *clean = s_clean (value, max);
    cJSON_AddStringToObject (obj, key, clean);
    free (clean);
}

static const char *
s_str (const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
}

//  What a requester says it acts for: the known fields, strings only, cut.
static const struct {
    const char *key;
    size_t max;
} s_for_fields [] = {
    { "user", 128 },                //  a person's name: Discord user, web user, ctl author
    { "user_id", AUDIT_ID_MAX },    //  Discord user id
    { "address", AUDIT_ID_MAX },    //  the web client's address
    { "channel_id", AUDIT_ID_MAX }, //  the Discord channel of the button or command
    { "task", AUDIT_ID_MAX },       //  a scheduled task's id
};

static cJSON *
s_for (const cJSON *claimed)
{
    cJSON *out = cJSON_CreateObject ();
    for (size_t i = 0; i < sizeof (s_for_fields) / sizeof (s_for_fields [0]); i++) {
        const char *v = s_str (claimed, s_for_fields [i].key);
        if (v && *v)
            s_add_clean (out, s_for_fields [i].key, v, s_for_fields [i].max);
    }
    return out;
}

cJSON *
audit_config_entry (uint64_t rev, uint64_t prev_rev, const char *section, const char *author,
                    const char *peer, const cJSON *changed, int64_t wall_ms)
{
    char when [32];
    ddc_iso_time (wall_ms, when);
    cJSON *e = cJSON_CreateObject ();
    cJSON_AddStringToObject (e, "kind", "config");
    cJSON_AddNumberToObject (e, "rev", (double) rev);
    cJSON_AddNumberToObject (e, "prev_rev", (double) prev_rev);
    cJSON_AddStringToObject (e, "section", section);
    cJSON_AddStringToObject (e, "time", when);
    cJSON_AddStringToObject (e, "author", author ? author : "");
    cJSON_AddStringToObject (e, "peer", peer ? peer : "");
    cJSON_AddItemToObject (e, "changed",
                           changed ? cJSON_Duplicate (changed, 1) : cJSON_CreateArray ());
    return e;
}

//  What every action entry starts with: its kind, time and requester.
static cJSON *
s_action_head (const char *peer, const char *role, int64_t wall_ms)
{
    char when [32];
    ddc_iso_time (wall_ms, when);
    cJSON *e = cJSON_CreateObject ();
    cJSON_AddStringToObject (e, "kind", "action");
    cJSON_AddStringToObject (e, "time", when);
    cJSON_AddStringToObject (e, "peer", peer);
    cJSON_AddStringToObject (e, "role", role);
    return e;
}

cJSON *
audit_action_begin (const char *peer, const char *role, const char *target, const cJSON *body,
                    int64_t wall_ms)
{
    cJSON *e = s_action_head (peer, role, wall_ms);
    cJSON *claimed = s_for (cJSON_GetObjectItemCaseSensitive (body, "for"));
    if (cJSON_GetArraySize (claimed) > 0)
        cJSON_AddItemToObject (e, "for", claimed);
    else
        cJSON_Delete (claimed);
    const char *action = s_str (body, "action");
    s_add_clean (e, "action", action && *action ? action : "?", S_ACTION_MAX);
    cJSON_AddStringToObject (e, "target", target);
    const char *at = strchr (target, '@');
    cJSON_AddStringToObject (e, "host", at ? at + 1 : target);
    const char *container = s_str (body, "container");
    if (container && *container)
        s_add_clean (e, "container", container, S_CONTAINER_MAX);
    return e;
}

bool
audit_action_follow (const cJSON *body)
{
    const char *action = s_str (body, "action");
    return action && strcmp (action, "logs") == 0
           && cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (body, "follow"));
}

static void
s_outcome (cJSON *entry, const char *result, const char *error, const char *message,
           const char *state, int64_t duration_ms)
{
    cJSON_AddStringToObject (entry, "result", result);
    if (error && *error)
        s_add_clean (entry, "error", error, S_ACTION_MAX);
    if (message && *message)
        s_add_clean (entry, "message", message, AUDIT_TEXT_MAX);
    if (state && *state)
        s_add_clean (entry, "state", state, S_ACTION_MAX);
    cJSON_AddNumberToObject (entry, "duration_ms", (double) (duration_ms > 0 ? duration_ms : 0));
}

void
audit_action_result (cJSON *entry, const cJSON *result, int64_t duration_ms)
{
    bool ok = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (result, "ok"));
    const char *error = s_str (result, "error");
    const char *kind = ok ? "ok" : error && strcmp (error, "timeout") == 0 ? "timeout" : "error";
    s_outcome (entry, kind,
               ok      ? NULL
               : error ? error
                       : "failed",
               ok ? NULL : s_str (result, "message"), s_str (result, "state"), duration_ms);
}

void
audit_action_failed (cJSON *entry, const char *result, const char *error, const char *message,
                     int64_t duration_ms)
{
    s_outcome (entry, result, error, message, NULL, duration_ms);
}

//  The first member of obj whose name is not in known, or NULL.
static const char *
s_unknown_field (const cJSON *obj, const char *const *known)
{
    const cJSON *item;
    cJSON_ArrayForEach (item, obj) {
        bool found = false;
        for (const char *const *k = known; *k && !found; k++)
            found = strcmp (*k, item->string) == 0;
        if (!found)
            return item->string;
    }
    return NULL;
}

//  A string field of a RECORD: -1 (err set) when present and not a string
//  of 1..max bytes, or absent while required.
static int
s_record_str (const cJSON *body, const char *key, size_t max, bool required, const char **out,
              char *err, size_t errlen)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (body, key);
    *out = NULL;
    if (!item || cJSON_IsNull (item)) {
        if (required)
            snprintf (err, errlen, "\"%s\" is required", key);
        return required ? -1 : 0;
    }
    if (!cJSON_IsString (item) || (required && !*item->valuestring)
        || strlen (item->valuestring) > max) {
        snprintf (err, errlen, "\"%s\" must be a string of at most %zu bytes", key, max);
        return -1;
    }
    *out = item->valuestring;
    return 0;
}

cJSON *
audit_reported_entry (const char *peer, const char *role, const char *instance, const cJSON *body,
                      int64_t now_ms, char *err, size_t errlen)
{
    static const char *const known [] = { "action",      "container",  "task",    "time",
                                          "ok",          "error",      "message", "state",
                                          "duration_ms", "unreported", NULL };
    const char *unknown = s_unknown_field (body, known);
    if (unknown) {
        snprintf (err, errlen, "unknown field \"%.40s\"", unknown);
        return NULL;
    }
    const char *action, *container, *task, *time_s, *error, *message, *state;
    if (s_record_str (body, "action", S_ACTION_MAX, true, &action, err, errlen) < 0
        || s_record_str (body, "container", S_CONTAINER_MAX, true, &container, err, errlen) < 0
        || s_record_str (body, "task", AUDIT_ID_MAX, true, &task, err, errlen) < 0
        || s_record_str (body, "time", 40, false, &time_s, err, errlen) < 0
        || s_record_str (body, "error", S_ACTION_MAX, false, &error, err, errlen) < 0
        || s_record_str (body, "message", 4 * AUDIT_TEXT_MAX, false, &message, err, errlen) < 0
        || s_record_str (body, "state", S_ACTION_MAX, false, &state, err, errlen) < 0)
        return NULL;
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive (body, "ok");
    if (!cJSON_IsBool (ok)) {
        snprintf (err, errlen, "\"ok\" must be true or false");
        return NULL;
    }
    double numbers [2] = { 0, 0 };
    const char *const number_keys [2] = { "duration_ms", "unreported" };
    for (int i = 0; i < 2; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive (body, number_keys [i]);
        if (n && (!cJSON_IsNumber (n) || n->valuedouble < 0 || n->valuedouble > 1e12)) {
            snprintf (err, errlen, "\"%s\" must be a number from 0", number_keys [i]);
            return NULL;
        }
        numbers [i] = n ? n->valuedouble : 0;
    }
    //  The time the agent ran it (it may have been cut off from the broker
    //  then); a time in the future is the broker's now.
    int64_t ran = now_ms;
    if (time_s && (ddc_iso_parse (time_s, &ran) < 0)) {
        snprintf (err, errlen, "\"time\" must be an ISO-8601 UTC time");
        return NULL;
    }
    if (ran > now_ms)
        ran = now_ms;
    cJSON *e = s_action_head (peer, role, ran);
    cJSON *claimed = cJSON_AddObjectToObject (e, "for");
    s_add_clean (claimed, "task", task, AUDIT_ID_MAX);
    s_add_clean (e, "action", action, S_ACTION_MAX);
    cJSON_AddStringToObject (e, "target", peer);
    cJSON_AddStringToObject (e, "host", instance);
    s_add_clean (e, "container", container, S_CONTAINER_MAX);
    const char *kind = cJSON_IsTrue (ok)                         ? "ok"
                       : error && strcmp (error, "timeout") == 0 ? "timeout"
                                                                 : "error";
    s_outcome (e, kind,
               cJSON_IsTrue (ok) ? NULL
               : error           ? error
                                 : "failed",
               cJSON_IsTrue (ok) ? NULL : message, state, (int64_t) numbers [0]);
    cJSON_AddTrueToObject (e, "reported");
    if (numbers [1] >= 1)
        cJSON_AddNumberToObject (e, "unreported", (double) (uint64_t) numbers [1]);
    return e;
}

//  --------------------------------------------------------------- query

static int
s_query_str (const cJSON *query, const char *key, char *out, size_t size, char *err, size_t errlen)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (query, key);
    out [0] = '\0';
    if (!item || cJSON_IsNull (item))
        return 0;
    if (!cJSON_IsString (item) || strlen (item->valuestring) >= size) {
        snprintf (err, errlen, "\"%s\" must be a string of at most %zu bytes", key, size - 1);
        return -1;
    }
    ddc_strlcpy (out, item->valuestring, size);
    return 0;
}

int
audit_query_parse (const cJSON *query, audit_query_t *q, char *err, size_t errlen)
{
    static const char *const known [] = { "kind",   "since",  "container", "host", "who",
                                          "result", "cursor", "limit",     NULL };
    memset (q, 0, sizeof (*q));
    q->limit = AUDIT_PAGE_LIMIT;
    const char *unknown = s_unknown_field (query, known);
    if (unknown) {
        snprintf (err, errlen,
                  "unknown field \"%.40s\" (fields: kind, since, container, "
                  "host, who, result, cursor, limit)",
                  unknown);
        return -1;
    }
    char kind [16], since [40], cursor [48];
    if (s_query_str (query, "kind", kind, sizeof (kind), err, errlen) < 0
        || s_query_str (query, "since", since, sizeof (since), err, errlen) < 0
        || s_query_str (query, "container", q->container, sizeof (q->container), err, errlen) < 0
        || s_query_str (query, "host", q->host, sizeof (q->host), err, errlen) < 0
        || s_query_str (query, "who", q->who, sizeof (q->who), err, errlen) < 0
        || s_query_str (query, "result", q->result, sizeof (q->result), err, errlen) < 0
        || s_query_str (query, "cursor", cursor, sizeof (cursor), err, errlen) < 0)
        return -1;
    if (!kind [0] || strcmp (kind, "all") == 0)
        q->kind = AUDIT_ALL;
    else if (strcmp (kind, "action") == 0)
        q->kind = AUDIT_ACTIONS;
    else if (strcmp (kind, "config") == 0)
        q->kind = AUDIT_CONFIG;
    else {
        snprintf (err, errlen, "\"kind\" is all, action or config");
        return -1;
    }
    if (q->result [0] && strcmp (q->result, "ok") != 0 && strcmp (q->result, "error") != 0
        && strcmp (q->result, "timeout") != 0) {
        snprintf (err, errlen, "\"result\" is ok, error or timeout");
        return -1;
    }
    if (since [0] && ddc_iso_parse (since, &q->since_ms) < 0) {
        snprintf (err, errlen,
                  "\"since\" must be an ISO-8601 UTC time such as "
                  "2026-11-27T08:00:00Z");
        return -1;
    }
    if (cursor [0]) {
        char *colon = strchr (cursor, ':');
        if (!colon) {
            snprintf (err, errlen, "\"cursor\" is the \"next\" of an earlier page");
            return -1;
        }
        *colon = '\0';
        if (ddc_parse_u64 (cursor, &q->cursor_ino) < 0
            || ddc_parse_u64 (colon + 1, &q->cursor_off) < 0) {
            snprintf (err, errlen, "\"cursor\" is the \"next\" of an earlier page");
            return -1;
        }
        q->cursor = true;
    }
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive (query, "limit");
    if (limit && !cJSON_IsNull (limit)) {
        if (!cJSON_IsNumber (limit) || limit->valuedouble < 1 || limit->valuedouble > AUDIT_PAGE_MAX
            || limit->valuedouble != (int) limit->valuedouble) {
            snprintf (err, errlen, "\"limit\" is a whole number from 1 to %d", AUDIT_PAGE_MAX);
            return -1;
        }
        q->limit = (int) limit->valuedouble;
    }
    return 0;
}

//  ---------------------------------------------------------------- pages

//  What a page scan has and may still spend.
typedef struct {
    const audit_query_t *q;
    char *container_needle; //  "container":"NAME" as in the file, or NULL
    char *host_needle;
    ddc_buf_t *out; //  the entries, comma-separated
    int entries;
    size_t budget;  //  bytes of entries
    size_t scanned; //  bytes read
    int64_t deadline_us;
    bool done;        //  nothing older can match: since
    ddc_buf_t *chunk; //  the bytes read last (S_CHUNK, more for a long line)
} s_scan_t;

static char *
s_needle (const char *key, const char *value)
{
    if (!*value)
        return NULL;
    cJSON *s = cJSON_CreateString (value);
    char *quoted = ddc_json_print (s);
    cJSON_Delete (s);
    char *needle = ddc_asprintf ("\"%s\":%s", key, quoted);
    free (quoted);
    return needle;
}

//  The top-level "time" of a line (each record writes it before any nested
//  object, and a quote inside a string is escaped), or -1.
static int64_t
s_line_time (const char *line)
{
    const char *t = strstr (line, "\"time\":\"");
    if (!t)
        return -1;
    t += 8;
    const char *end = strchr (t, '"');
    char iso [40];
    if (!end || end - t >= (ptrdiff_t) sizeof (iso))
        return -1;
    memcpy (iso, t, (size_t) (end - t));
    iso [end - t] = '\0';
    int64_t ms;
    return ddc_iso_parse (iso, &ms) == 0 ? ms : -1;
}

//  The page is full, or its time or reading is spent (never before a
//  first chunk was read: each page moves on).
static bool
s_full (const s_scan_t *sc)
{
    return sc->entries >= sc->q->limit || ddc_buf_len (sc->out) >= sc->budget
           || (sc->scanned > 0
               && (sc->scanned >= AUDIT_SCAN_MAX || ddc_mono_us () >= sc->deadline_us));
}

//  who (ASCII letters in any case) is in the entry's requester, the person
//  it acted for or a change's author.
static bool
s_who (const cJSON *e, const char *who)
{
    const char *places [] = { s_str (e, "peer"),
                              s_str (cJSON_GetObjectItemCaseSensitive (e, "for"), "user"),
                              s_str (e, "author") };
    for (size_t i = 0; i < sizeof (places) / sizeof (places [0]); i++)
        if (places [i] && strcasestr (places [i], who))
            return true;
    return false;
}

//  Look at one line (NUL-terminated in place); add it when it matches.
static void
s_line (s_scan_t *sc, char *line, size_t len)
{
    const audit_query_t *q = sc->q;
    if (!len)
        return;
    bool action = strstr (line, "\"kind\":\"action\"") != NULL;
    if ((q->kind == AUDIT_ACTIONS && !action) || (q->kind == AUDIT_CONFIG && action))
        return;
    if (q->since_ms) {
        int64_t t = s_line_time (line);
        if (t >= 0 && t < q->since_ms) {
            //  Lines are written in time order, an action's when it ends (at
            //  most AUDIT_LATE_MS after its start); a reported one may be
            //  older still.
            if (!strstr (line, "\"reported\":true") && t < q->since_ms - AUDIT_LATE_MS)
                sc->done = true;
            return;
        }
    }
    if ((sc->container_needle && !strstr (line, sc->container_needle))
        || (sc->host_needle && !strstr (line, sc->host_needle)))
        return;
    char why [80];
    cJSON *e = ddc_json_parse (line, len, AUDIT_LINE_MAX, why, sizeof (why));
    if (!cJSON_IsObject (e)) {
        cJSON_Delete (e);
        return;
    }
    const char *container = s_str (e, "container"), *host = s_str (e, "host");
    const char *result = action ? s_str (e, "result") : "ok";
    if ((q->container [0] && (!container || strcmp (container, q->container) != 0))
        || (q->host [0] && (!host || strcmp (host, q->host) != 0))
        || (q->result [0] && (!result || strcmp (result, q->result) != 0))
        || (q->who [0] && !s_who (e, q->who))) {
        cJSON_Delete (e);
        return;
    }
    if (!action) {
        //  lines from before the kind was written are configuration changes
        if (!cJSON_GetObjectItemCaseSensitive (e, "kind"))
            cJSON_AddStringToObject (e, "kind", "config");
        cJSON *changed = cJSON_GetObjectItemCaseSensitive (e, "changed");
        if (cJSON_GetArraySize (changed) > S_SUMMARY_CHANGED) {
            while (cJSON_GetArraySize (changed) > S_SUMMARY_CHANGED)
                cJSON_DeleteItemFromArray (changed, S_SUMMARY_CHANGED);
            cJSON_AddItemToArray (changed, cJSON_CreateString ("..."));
        }
    }
    char *text = ddc_json_print (e);
    cJSON_Delete (e);
    if (sc->entries)
        ddc_buf_add (sc->out, ",", 1);
    ddc_buf_puts (sc->out, text);
    free (text);
    sc->entries++;
}

//  Read backwards from *pos (a line boundary) in fd. 0: the beginning was
//  reached; 1: stopped by the page's bounds at *pos.
static int
s_scan_file (s_scan_t *sc, int fd, uint64_t *pos)
{
    size_t want = S_CHUNK;
    bool skipping = false; //  inside a line longer than AUDIT_LINE_MAX
    while (*pos > 0 && !sc->done) {
        if (s_full (sc))
            return 1;
        size_t n = *pos < want ? (size_t) *pos : want;
        uint64_t start = *pos - n;
        ddc_buf_reset (sc->chunk);
        char *buf = ddc_buf_room (sc->chunk, n);
        ssize_t got = pread (fd, buf, n, (off_t) start);
        if (got != (ssize_t) n)
            return 0; //  shortened under us: stop here
        ddc_buf_commit (sc->chunk, n);
        sc->scanned += n;
        size_t end = n;
        if (skipping && buf [n - 1] == '\n')
            skipping = false; //  the long line began right there
        if (end && buf [end - 1] == '\n')
            end--;
        bool progress = false;
        while (!sc->done) {
            //  the line that ends at `end`
            size_t k = end;
            while (k > 0 && buf [k - 1] != '\n')
                k--;
            if (k == 0 && start > 0)
                break; //  it starts before this chunk
            if (skipping)
                skipping = false; //  the rest of the long line: dropped
            else {
                buf [end] = '\0';
                s_line (sc, buf + k, end - k);
            }
            progress = true;
            *pos = start + k;
            if (k == 0)
                break;
            end = k - 1; //  before the '\n' of the line above
            if (s_full (sc))
                return *pos > 0 ? 1 : 0;
        }
        if (progress) {
            want = S_CHUNK;
            continue;
        }
        //  No whole line in the chunk: a longer one.
        if (want < AUDIT_LINE_MAX && !skipping) {
            want *= 2;
            continue;
        }
        skipping = true; //  over the bound: drop it up to its start
        *pos = start;
        want = S_CHUNK;
    }
    return 0;
}

typedef struct {
    int fd;
    uint64_t ino, size;
} s_file_t;

static s_file_t
s_open (const char *path)
{
    s_file_t f = { -1, 0, 0 };
    struct stat st;
    f.fd = open (path, O_RDONLY | O_CLOEXEC);
    if (f.fd >= 0 && fstat (f.fd, &st) == 0) {
        f.ino = (uint64_t) st.st_ino;
        f.size = (uint64_t) st.st_size;
    }
    else if (f.fd >= 0) {
        close (f.fd);
        f.fd = -1;
    }
    return f;
}

char *
audit_page (audit_t *self, const audit_query_t *q, size_t budget, int64_t max_us)
{
    s_scan_t sc = { .q = q, .budget = budget, .deadline_us = ddc_mono_us () + max_us };
    sc.container_needle = s_needle ("container", q->container);
    sc.host_needle = s_needle ("host", q->host);
    sc.out = ddc_buf_new (DDC_BUF_UNBOUNDED);
    sc.chunk = ddc_buf_new (DDC_BUF_UNBOUNDED); //  bounded by s_scan_file's want
    s_file_t files [2] = { s_open (self->path), s_open (self->old_path) };
    int at = -1; //  the file to read, its position
    uint64_t pos = 0;
    bool gone = false;
    if (!q->cursor) {
        at = files [0].fd >= 0 ? 0 : files [1].fd >= 0 ? 1 : -1;
        pos = at >= 0 ? files [at].size : 0;
    }
    else {
        for (int i = 0; i < 2 && at < 0; i++)
            if (files [i].fd >= 0 && files [i].ino == q->cursor_ino)
                at = i;
        gone = at < 0;
        pos = at >= 0 ? (q->cursor_off < files [at].size ? q->cursor_off : files [at].size) : 0;
    }
    char next [64] = "";
    while (at >= 0 && at < 2) {
        if (s_scan_file (&sc, files [at].fd, &pos) == 1) {
            snprintf (next, sizeof (next), "%" PRIu64 ":%" PRIu64, files [at].ino, pos);
            break;
        }
        if (sc.done || at == 1 || files [1].fd < 0)
            break;
        at = 1;
        pos = files [1].size;
        if (s_full (&sc)) {
            snprintf (next, sizeof (next), "%" PRIu64 ":%" PRIu64, files [1].ino, pos);
            break;
        }
    }
    for (int i = 0; i < 2; i++)
        if (files [i].fd >= 0)
            close (files [i].fd);
    char *page = ddc_asprintf ("{\"entries\":[%s],\"next\":%s%s%s,\"scanned\":%zu%s}",
                               ddc_buf_text (sc.out), next [0] ? "\"" : "", next [0] ? next : "null",
                               next [0] ? "\"" : "", sc.scanned, gone ? ",\"gone\":true" : "");
    ddc_buf_destroy (&sc.out);
    ddc_buf_destroy (&sc.chunk);
    free (sc.container_needle);
    free (sc.host_needle);
    return page;
}
