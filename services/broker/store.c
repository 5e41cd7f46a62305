/*  store: DATA/config.json with its "_meta" (epoch, revisions, schema),
    durable saves, hand-edit detection, the last good copy and history.
    See store.h. */
#include "store.h"
#include "journal.h"
#include "packed.h"
#include "schema.h"
#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_FILE_MAX (8 * 1024 * 1024)
#define STORE_HISTORY_FILE_MAX (64 * 1024 * 1024)
#define STORE_SUMMARY_CHANGED 10      //  field names in a history summary
#define STORE_REJECTED_ERRORS 5       //  errors of a refused edit in STATUS
#define STORE_PACK_BYTES (512 * 1024) //  history text deflated in one call

//  One retained change: its description, and its value as JSON text (a
//  parsed tree costs tens of times its size; the text is its size), kept
//  deflated once it is in history.jsonl (s_history_pack: 1,000 containers,
//  300 KB of text, keep about 12 KB).
typedef struct {
    uint64_t rev;
    int section;
    cJSON *meta;     //  rev, prev_rev, section, time, author, peer, changed
    packed_t *value; //  redacted value, JSON text
} s_entry_t;

//  A history entry of a grouped save, kept once the group is durable.
typedef struct {
    uint64_t rev;
    ddc_section_t section;
    cJSON *meta;
    cJSON *value;
} s_pending_t;

struct store_t {
    char *dir;
    char *path;         //  DATA/config.json
    char *history_path; //  DATA/history.jsonl
    cJSON *doc;         //  normalised sections, secrets in clear
    char epoch [17];
    uint64_t rev;
    uint64_t revs [DDC_SEC_COUNT];
    s_entry_t history [STORE_HISTORY_MAX]; //  oldest first
    int history_n;
    size_t history_bytes;  //  of their values' text
    size_t history_held;   //  of their values as kept (text or deflated)
    int history_lines;     //  lines in history.jsonl
    int history_unwritten; //  the newest entries not in history.jsonl yet
    struct stat seen;      //  the file as last written or read
    packed_t *seen_text;   //  its content, to tell our writes apart
    char *last_good_path;  //  DATA/config.last-good.json
    bool last_good_due;    //  config.json was written since the copy
    bool last_good_failed; //  the copy could not be written (logged)
    struct stat pending;   /* an invalid edit seen once: it is moved
                                 aside when it is still there unchanged  */
    bool pending_set;
    bool gone_seen;           //  config.json was found missing once
    cJSON *rejected;          //  the latest refused edit, for STATUS
    cJSON *migrated;          //  the schema migration at start, or NULL
    journal_t *journal;       /* DATA/config.journal: saves since config.json
                                 was last written durably                 */
    int64_t journal_since_ms; //  when it got its first record, or 0
    bool behind;              //  config.json lacks saves the journal holds
    int64_t behind_since_ms;
    int64_t last_commit_ms;
    int checkpoint_failures; //  in a row (logged once)
    //  A group of saves with one flush (store_group_begin/end).
    bool grouping;
    //  The size of each section as the size limits count it, known for
    //  the section's revision in this generation of the document (one
    //  more each time the document is replaced or a change taken back,
    //  after which a revision number can come again with another value)
    uint64_t doc_gen;
    size_t sec_bytes [DDC_SEC_COUNT];
    uint64_t sec_bytes_rev [DDC_SEC_COUNT], sec_bytes_gen [DDC_SEC_COUNT];
    int group_n; //  commits in the group
    //  Per section changed in the group, its value before it (swapped out
    //  of the document: s_swap), to take the group back
    cJSON *group_undo [DDC_SEC_COUNT];
    uint64_t group_rev, group_revs [DDC_SEC_COUNT];
    s_pending_t *group_history; //  their history entries, kept at the end
    int group_history_n, group_history_max;
    uint64_t saves, flushes; //  since start: committed saves, their flushes
};

static int s_journal_recover (store_t *self, char *err, size_t errlen);
static void s_history_write (store_t *self);

static bool
s_same_stat (const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size
           && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec
           && a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

//  The file text for a document and revisions. Caller frees.
static char *
s_render (store_t *self, const cJSON *doc, uint64_t rev, const uint64_t revs [DDC_SEC_COUNT])
{
    cJSON *out = cJSON_CreateObject ();
    cJSON *meta = cJSON_AddObjectToObject (out, "_meta");
    cJSON_AddStringToObject (meta, "about",
                             "Managed by ddc-broker. Edits to the sections are applied live; "
                             "leave _meta alone.");
    cJSON_AddNumberToObject (meta, "schema", SCHEMA_CURRENT);
    cJSON_AddStringToObject (meta, "epoch", self->epoch);
    cJSON_AddNumberToObject (meta, "rev", (double) rev);
    cJSON *jrevs = cJSON_AddObjectToObject (meta, "revs");
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        cJSON_AddNumberToObject (jrevs, ddc_section_name ((ddc_section_t) s), (double) revs [s]);
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const char *name = ddc_section_name ((ddc_section_t) s);
        cJSON_AddItemToObject (out, name,
                               cJSON_Duplicate (cJSON_GetObjectItemCaseSensitive (doc, name), 1));
    }
    char *text = cJSON_Print (out);
    cJSON_Delete (out);
    return text;
}

//  Write doc with revisions (sync: durably, with fsync; else the journal
//  holds the change durably); remember what we wrote.
static int
s_write_mode (store_t *self, const cJSON *doc, uint64_t rev, const uint64_t revs [DDC_SEC_COUNT],
              bool sync)
{
    s_history_write (self); //  first: a revision in config.json is in the history
    char *text = s_render (self, doc, rev, revs);
    size_t len = strlen (text);
    char *with_nl = ddc_malloc (len + 2);
    memcpy (with_nl, text, len);
    with_nl [len] = '\n';
    with_nl [len + 1] = '\0';
    free (text);
    if (ddc_write_file_replace (self->path, with_nl, len + 1, 0600, sync) < 0) {
        free (with_nl);
        return -1;
    }
    packed_destroy (&self->seen_text);
    self->seen_text = packed_new (&with_nl, len + 1);
    if (stat (self->path, &self->seen) < 0)
        memset (&self->seen, 0, sizeof (self->seen));
    self->pending_set = false;
    self->gone_seen = false;
    self->last_good_due = true;
    self->behind = false;
    return 0;
}

//  Write the running document durably: what the journal held is in
//  config.json now, so it is emptied.
static int
s_write (store_t *self, const cJSON *doc, uint64_t rev, const uint64_t revs [DDC_SEC_COUNT])
{
    if (s_write_mode (self, doc, rev, revs, true) < 0)
        return -1;
    if (self->journal && journal_reset (self->journal) == 0)
        self->journal_since_ms = 0;
    return 0;
}

//  Start a new history: a random epoch, every revision 1. Clients that
//  see another epoch drop what they know and take a snapshot.
static void
s_new_epoch (store_t *self)
{
    ddc_random_hex (self->epoch, 8);
    self->rev = 1;
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        self->revs [s] = 1;
}

static bool
s_valid_epoch (const char *s)
{
    return s && strlen (s) == 16 && strspn (s, "0123456789abcdef") == 16;
}

static bool
s_json_u64 (const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsNumber (item) || item->valuedouble < 0 || item->valuedouble > 9.0e15
        || item->valuedouble != (double) (uint64_t) item->valuedouble)
        return false;
    *out = (uint64_t) item->valuedouble;
    return true;
}

//  Take epoch and revisions from _meta if they are whole and consistent.
static bool
s_load_meta (store_t *self, const cJSON *meta)
{
    const cJSON *epoch = cJSON_GetObjectItemCaseSensitive (meta, "epoch");
    const cJSON *jrevs = cJSON_GetObjectItemCaseSensitive (meta, "revs");
    uint64_t rev;
    if (!cJSON_IsString (epoch) || !s_valid_epoch (epoch->valuestring)
        || !s_json_u64 (cJSON_GetObjectItemCaseSensitive (meta, "rev"), &rev) || rev == 0
        || !cJSON_IsObject (jrevs))
        return false;
    uint64_t revs [DDC_SEC_COUNT];
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const cJSON *r =
            cJSON_GetObjectItemCaseSensitive (jrevs, ddc_section_name ((ddc_section_t) s));
        if (!s_json_u64 (r, &revs [s]) || revs [s] == 0 || revs [s] > rev)
            return false;
    }
    memcpy (self->epoch, epoch->valuestring, 17);
    self->rev = rev;
    memcpy (self->revs, revs, sizeof (revs));
    return true;
}

static uint64_t
s_history_max_rev (store_t *self)
{
    uint64_t max = 0;
    for (int i = 0; i < self->history_n; i++)
        if (self->history [i].rev > max)
            max = self->history [i].rev;
    return max;
}

static void
s_entry_free (store_t *self, s_entry_t *e)
{
    self->history_bytes -= packed_len (e->value);
    self->history_held -= packed_held (e->value);
    cJSON_Delete (e->meta);
    packed_destroy (&e->value);
    memset (e, 0, sizeof (*e));
}

static void
s_history_clear (store_t *self)
{
    for (int i = 0; i < self->history_n; i++)
        s_entry_free (self, &self->history [i]);
    self->history_n = 0;
}

//  Keep an entry (takes meta and value); the oldest go to stay within
//  STORE_HISTORY_MAX entries and STORE_HISTORY_BYTES of values. It is
//  written to history.jsonl with config.json (s_history_write).
static void
s_history_add (store_t *self, uint64_t rev, ddc_section_t s, cJSON *meta, char *value)
{
    size_t bytes = strlen (value);
    while (self->history_n > 0
           && (self->history_n == STORE_HISTORY_MAX
               || self->history_bytes + bytes > STORE_HISTORY_BYTES)) {
        s_entry_free (self, &self->history [0]);
        memmove (&self->history [0], &self->history [1],
                 (size_t) (self->history_n - 1) * sizeof (self->history [0]));
        self->history_n--;
    }
    s_entry_t *e = &self->history [self->history_n++];
    *e = (s_entry_t){ rev, (int) s, meta, packed_new (&value, bytes) };
    self->history_bytes += bytes;
    self->history_held += bytes;
}

//  Deflate what is held as text for long: config.json's text, then the
//  values of the entries in history.jsonl, oldest first, until
//  STORE_PACK_BYTES of text were deflated in this call (a few
//  milliseconds of one loop step at most). Returns the bytes of text
//  deflated.
static size_t
s_pack (store_t *self)
{
    packed_stream_t *stream = packed_stream_new ();
    size_t done = self->seen_text ? packed_deflate (self->seen_text, stream) : 0;
    int written = self->history_n - self->history_unwritten;
    for (int i = 0; i < written && done < STORE_PACK_BYTES; i++) {
        s_entry_t *e = &self->history [i];
        self->history_held -= packed_held (e->value);
        done += packed_deflate (e->value, stream);
        self->history_held += packed_held (e->value);
    }
    packed_stream_destroy (&stream);
    return done;
}

//  The history.jsonl line of entry e (caller frees), or NULL when its
//  value cannot be read back (s_entry_text).
static char *
s_history_line (store_t *self, const s_entry_t *e)
{
    char *value = packed_text (e->value, NULL);
    if (!value)
        return NULL;
    cJSON *line = cJSON_Duplicate (e->meta, 1);
    cJSON_AddItemToObject (line, "value", cJSON_CreateRaw (value));
    free (value);
    cJSON_AddStringToObject (line, "epoch", self->epoch);
    char *text = ddc_json_print (line);
    cJSON_Delete (line);
    return text;
}

//  Rewrite history.jsonl with only the retained entries.
static void
s_history_compact (store_t *self)
{
    ddc_buf_t *all = ddc_buf_new (DDC_BUF_UNBOUNDED);
    for (int i = 0; i < self->history_n; i++) {
        char *line = s_history_line (self, &self->history [i]);
        if (!line)
            continue;
        ddc_buf_puts (all, line);
        ddc_buf_add (all, "\n", 1);
        free (line);
    }
    if (ddc_write_file_atomic (self->history_path, ddc_buf_text (all), ddc_buf_len (all), 0600) < 0)
        ddc_warn ("cannot compact %s: %s", self->history_path, strerror (errno));
    else {
        self->history_lines = self->history_n;
        self->history_unwritten = 0;
    }
    ddc_buf_destroy (&all);
}

//  One history.jsonl line of this epoch, checked: -1 if it is not one
//  (why says why when it is not JSON, else is "").
static int
s_history_parse (store_t *self, const char *line, char *why, size_t whylen)
{
    why [0] = '\0';
    cJSON *entry = ddc_json_parse (line, strlen (line), STORE_HISTORY_FILE_MAX, why, whylen);
    const cJSON *epoch = cJSON_GetObjectItemCaseSensitive (entry, "epoch");
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive (entry, "section");
    cJSON *value = cJSON_DetachItemFromObjectCaseSensitive (entry, "value");
    uint64_t rev, prev;
    int s = cJSON_IsString (sec) ? ddc_section_from_name (sec->valuestring) : -1;
    if (!cJSON_IsObject (entry) || !cJSON_IsString (epoch)
        || strcmp (epoch->valuestring, self->epoch) != 0 || s < 0 || !value
        || !s_json_u64 (cJSON_GetObjectItemCaseSensitive (entry, "rev"), &rev)
        || !s_json_u64 (cJSON_GetObjectItemCaseSensitive (entry, "prev_rev"), &prev)) {
        cJSON_Delete (value);
        cJSON_Delete (entry);
        return -1;
    }
    cJSON_DeleteItemFromObjectCaseSensitive (entry, "epoch");
    char *text = ddc_json_print (value);
    cJSON_Delete (value);
    s_history_add (self, rev, (ddc_section_t) s, entry, text);
    return 0;
}

static void
s_history_load (store_t *self)
{
    char *text = NULL;
    size_t len = 0;
    if (ddc_read_file (self->history_path, STORE_HISTORY_FILE_MAX, &text, &len) < 0)
        return;
    int lines = 0, unreadable = 0;
    char first_why [160] = "";
    char *save = NULL;
    for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        lines++;
        char why [128];
        if (s_history_parse (self, line, why, sizeof (why)) < 0 && why [0] && unreadable++ == 0)
            snprintf (first_why, sizeof (first_why), "line %d: %s", lines, why);
    }
    free (text);
    if (unreadable)
        ddc_warn ("%s: %d unreadable line(s) skipped (the first, %s)", self->history_path,
                  unreadable, first_why);
    self->history_lines = lines;
    if (lines > 2 * STORE_HISTORY_MAX)
        s_history_compact (self);
}

//  ------------------------------------------- config.json as found on disk

//  Add one error in the validator's form to errors.
static void
s_error (cJSON *errors, const char *field, const char *reason, const char *message)
{
    cJSON *e = cJSON_CreateObject ();
    cJSON_AddStringToObject (e, "field", field);
    cJSON_AddStringToObject (e, "reason", reason);
    cJSON_AddStringToObject (e, "message", message);
    cJSON_AddItemToArray (errors, e);
}

//  "field: message (and more errors)" of the first error.
static void
s_errors_summary (const cJSON *errors, char *out, size_t size)
{
    const cJSON *first = cJSON_GetArrayItem (errors, 0);
    const char *field = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (first, "field"));
    const char *message =
        cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (first, "message"));
    int n = cJSON_GetArraySize (errors);
    snprintf (out, size, "%s%s%s%s", field ? field : "", field && *field ? ": " : "",
              message ? message : "invalid", n > 1 ? " (and more errors)" : "");
}

//  Read the text of a config.json: JSON, schema (an older one migrated),
//  secrets ("***" keeps the current secret while running; at start there
//  is none to keep), every field. Returns the normalised document (caller
//  owns), with *schema_p the schema found and *meta_p a copy of its _meta
//  (caller frees; may be NULL), or NULL with every error in `errors`;
//  newer is set when the file's schema is newer than this broker's.
static cJSON *
s_check (store_t *self, const char *text, size_t len, bool running, int *schema_p, cJSON **meta_p,
         cJSON *errors, bool *newer)
{
    *newer = false;
    *meta_p = NULL;
    char why [256];
    cJSON *parsed = ddc_json_parse (text, len, STORE_FILE_MAX, why, sizeof (why));
    if (!parsed) {
        char message [300];
        snprintf (message, sizeof (message), "not valid JSON: %s", why);
        s_error (errors, "", "invalid", message);
        return NULL;
    }
    int schema = schema_of (parsed, why, sizeof (why));
    if (schema < 0 || schema_migrate (parsed, schema, why, sizeof (why)) < 0) {
        *newer = schema > SCHEMA_CURRENT;
        s_error (errors, "_meta.schema", *newer ? "not_supported" : "invalid", why);
        cJSON_Delete (parsed);
        return NULL;
    }
    *schema_p = schema;
    if (running)
        for (int s = 0; s < DDC_SEC_COUNT; s++) {
            cJSON *v =
                cJSON_GetObjectItemCaseSensitive (parsed, ddc_section_name ((ddc_section_t) s));
            if (v)
                ddc_config_keep_secrets ((ddc_section_t) s, v,
                                         store_section (self, (ddc_section_t) s));
        }
    cJSON *doc = ddc_config_validate_document (parsed, errors);
    for (int s = 0; doc && !running && s < DDC_SEC_COUNT; s++)
        for (const char *const *f = ddc_section_secrets ((ddc_section_t) s); *f; f++) {
            const cJSON *v =
                cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (doc,
                                                                                    ddc_section_name (
                                                                                        (ddc_section_t)
                                                                                            s)),
                                                  *f);
            if (cJSON_IsString (v) && strcmp (v->valuestring, "***") == 0) {
                char field [64];
                snprintf (field, sizeof (field), "%s.%s", ddc_section_name ((ddc_section_t) s), *f);
                s_error (errors, field, "invalid",
                         "holds the placeholder \"***\"; put the real "
                         "secret or \"\" there");
                cJSON_Delete (doc);
                doc = NULL;
                break;
            }
        }
    if (doc)
        *meta_p = cJSON_DetachItemFromObjectCaseSensitive (parsed, "_meta");
    cJSON_Delete (parsed);
    return doc;
}

//  DATA/config.<kind>-<UTC time>[-N].json, a name not taken yet (caller frees).
static char *
s_aside_path (store_t *self, const char *kind)
{
    char when [32], stamp [32];
    ddc_iso_time (ddc_wall_ms (), when); //  2026-11-27T08:39:37Z
    size_t j = 0;
    for (size_t i = 0; when [i] && j + 1 < sizeof (stamp); i++)
        if (when [i] != '-' && when [i] != ':')
            stamp [j++] = when [i];
    stamp [j] = '\0'; //  20261127T083937Z
    char *path = ddc_asprintf ("%s/config.%s-%s.json", self->dir, kind, stamp);
    for (int n = 2; access (path, F_OK) == 0 && n < 1000; n++) {
        free (path);
        path = ddc_asprintf ("%s/config.%s-%s-%d.json", self->dir, kind, stamp, n);
    }
    return path;
}

//  Keep the STORE_REJECTED_KEEP newest refused files (their names sort by
//  time); the older ones go.
static void
s_prune_rejected (store_t *self)
{
    struct dirent **names = NULL;
    int n = scandir (self->dir, &names, NULL, alphasort);
    int found = 0;
    for (int i = n - 1; i >= 0; i--) {
        const char *name = names [i]->d_name;
        size_t len = strlen (name);
        if (strncmp (name, "config.rejected-", 16) == 0 && len > 21
            && strcmp (name + len - 5, ".json") == 0 && ++found > STORE_REJECTED_KEEP) {
            char *path = ddc_asprintf ("%s/%s", self->dir, name);
            if (unlink (path) == 0)
                ddc_info ("removed %s: the %d newest refused edits are kept", path,
                          STORE_REJECTED_KEEP);
            free (path);
        }
        free (names [i]);
    }
    free (names);
}

//  The basename of a path in the data folder.
static const char *
s_base (const char *path)
{
    const char *slash = strrchr (path, '/');
    return slash ? slash + 1 : path;
}

//  Remember a refused edit for STATUS and log it with its errors.
static void
s_rejected (store_t *self, const char *aside, bool at_start, const cJSON *errors)
{
    char when [32];
    ddc_iso_time (ddc_wall_ms (), when);
    cJSON_Delete (self->rejected);
    self->rejected = cJSON_CreateObject ();
    cJSON_AddStringToObject (self->rejected, "time", when);
    cJSON_AddStringToObject (self->rejected, "file", aside ? s_base (aside) : "");
    cJSON_AddBoolToObject (self->rejected, "at_start", at_start);
    cJSON_AddNumberToObject (self->rejected, "kept_rev", (double) self->rev);
    cJSON_AddNumberToObject (self->rejected, "error_count", cJSON_GetArraySize (errors));
    cJSON *list = cJSON_AddArrayToObject (self->rejected, "errors");
    const cJSON *e;
    int shown = 0;
    cJSON_ArrayForEach (e, errors) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive (e, "field");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive (e, "message");
        if (shown < 20)
            ddc_error ("  %s: %s",
                       cJSON_IsString (f) && *f->valuestring ? f->valuestring : "config.json",
                       cJSON_IsString (m) ? m->valuestring : "?");
        if (shown++ < STORE_REJECTED_ERRORS) {
            cJSON *copy = cJSON_CreateObject ();
            cJSON_AddStringToObject (copy, "field", cJSON_IsString (f) ? f->valuestring : "");
            cJSON_AddStringToObject (copy, "message", cJSON_IsString (m) ? m->valuestring : "");
            cJSON_AddItemToArray (list, copy);
        }
    }
}

//  Keep config.json (the file that `st` describes, when given) aside as
//  config.rejected-T.json: a second name for the same file, so that
//  config.json never goes missing; the caller then writes config.json
//  again. Returns the new path (caller frees), or NULL when it could not be
//  kept or config.json is another file by now (a newer edit, for the next
//  look).
static char *
s_move_aside (store_t *self, const struct stat *st)
{
    char *aside = s_aside_path (self, "rejected");
    if (link (self->path, aside) < 0) {
        ddc_error ("cannot keep %s as %s: %s", self->path, aside, strerror (errno));
        free (aside);
        return NULL;
    }
    struct stat now; //  (a new link changes the ctime, not these)
    if (st
        && (stat (aside, &now) < 0 || now.st_ino != st->st_ino || now.st_dev != st->st_dev
            || now.st_size != st->st_size || now.st_mtim.tv_sec != st->st_mtim.tv_sec
            || now.st_mtim.tv_nsec != st->st_mtim.tv_nsec)) {
        unlink (aside);
        free (aside);
        return NULL;
    }
    s_prune_rejected (self);
    return aside;
}

//  At start, config.json cannot be used (errors, or missing when errors
//  is NULL): start from config.last-good.json when it is there and valid,
//  with the bad file moved aside and config.json written again. 0, or -1
//  with why the copy cannot serve in note[notelen].
static int
s_from_last_good (store_t *self, const cJSON *errors, char *note, size_t notelen)
{
    char *text = NULL;
    size_t len = 0;
    if (ddc_read_file (self->last_good_path, STORE_FILE_MAX, &text, &len) < 0) {
        snprintf (note, notelen, errno == ENOENT ? "no %s to start from" : "%s cannot be read",
                  s_base (self->last_good_path));
        return -1;
    }
    cJSON *problems = cJSON_CreateArray (), *meta = NULL;
    int schema = 0;
    bool newer;
    cJSON *doc = s_check (self, text, len, false, &schema, &meta, problems, &newer);
    free (text);
    if (!doc) {
        char summary [400];
        s_errors_summary (problems, summary, sizeof (summary));
        snprintf (note, notelen, "%s is invalid too: %s", s_base (self->last_good_path), summary);
        cJSON_Delete (problems);
        return -1;
    }
    cJSON_Delete (problems);
    self->doc_gen++;
    self->doc = doc;
    if (!s_load_meta (self, meta))
        s_new_epoch (self);
    cJSON_Delete (meta);
    char *aside = errors ? s_move_aside (self, NULL) : NULL;
    if (errors && !aside) {
        snprintf (note, notelen, "it could not be moved aside");
        return -1;
    }
    if (s_write (self, self->doc, self->rev, self->revs) < 0) {
        snprintf (note, notelen, "cannot write %s: %s", self->path, strerror (errno));
        free (aside);
        return -1;
    }
    if (errors) {
        ddc_error ("%s is invalid: moved aside to %s; started from %s (revision %llu), now "
                   "config.json again:",
                   self->path, aside, s_base (self->last_good_path), (unsigned long long) self->rev);
        s_rejected (self, aside, true, errors);
    }
    else
        ddc_warn ("%s is missing: written again from %s (revision %llu)", self->path,
                  s_base (self->last_good_path), (unsigned long long) self->rev);
    free (aside);
    return 0;
}

//  An older schema was migrated: keep the original text as
//  config.schema-N.json (a name not taken yet).
static int
s_keep_original (store_t *self, int schema, const char *text, size_t len, char *err, size_t errlen)
{
    char kind [32];
    snprintf (kind, sizeof (kind), "schema-%d", schema);
    char *path = ddc_asprintf ("%s/config.%s.json", self->dir, kind);
    if (access (path, F_OK) == 0) {
        free (path);
        path = s_aside_path (self, kind);
    }
    if (ddc_write_file_atomic (path, text, len, 0600) < 0) {
        snprintf (err, errlen, "cannot keep the original of %s as %s: %s", self->path, path,
                  strerror (errno));
        free (path);
        return -1;
    }
    char when [32];
    ddc_iso_time (ddc_wall_ms (), when);
    cJSON_Delete (self->migrated);
    self->migrated = cJSON_CreateObject ();
    cJSON_AddNumberToObject (self->migrated, "from", schema);
    cJSON_AddStringToObject (self->migrated, "original", s_base (path));
    cJSON_AddStringToObject (self->migrated, "time", when);
    ddc_info ("%s had schema %d: migrated to schema %d; the original is kept as %s", self->path,
              schema, SCHEMA_CURRENT, path);
    free (path);
    return 0;
}

//  Write config.last-good.json from the text of config.json; sync: durably.
static void
s_write_last_good (store_t *self, bool sync)
{
    size_t len = 0;
    char *text = self->seen_text ? packed_text (self->seen_text, &len) : NULL;
    if (!text)
        return;
    int rc = ddc_write_file_replace (self->last_good_path, text, len, 0600, sync);
    free (text);
    if (rc < 0) {
        if (!self->last_good_failed)
            ddc_warn ("cannot write %s: %s", self->last_good_path, strerror (errno));
        self->last_good_failed = true;
        return;
    }
    self->last_good_failed = false;
    self->last_good_due = false;
}

//  Load config.json (or start from its last good copy). 0, or -1 with a
//  one-line reason in err.
static int
s_load (store_t *self, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    char note [512];
    if (ddc_read_file (self->path, STORE_FILE_MAX, &text, &len) < 0) {
        if (errno != ENOENT) {
            snprintf (err, errlen, "cannot read %s: %s", self->path, strerror (errno));
            return -1;
        }
        if (access (self->last_good_path, F_OK) == 0) {
            if (s_from_last_good (self, NULL, note, sizeof (note)) == 0)
                return 0;
            snprintf (err, errlen, "%s is missing and %s", self->path, note);
            return -1;
        }
        //  First start: a working default.
        self->doc_gen++;
        self->doc = ddc_config_default ();
        s_new_epoch (self);
        if (s_write (self, self->doc, self->rev, self->revs) < 0) {
            snprintf (err, errlen, "cannot write %s: %s", self->path, strerror (errno));
            return -1;
        }
        ddc_info ("created %s with the default configuration (epoch %s)", self->path, self->epoch);
        return 0;
    }
    cJSON *errors = cJSON_CreateArray (), *meta = NULL;
    int schema = 0;
    bool newer;
    self->doc_gen++;
    self->doc = s_check (self, text, len, false, &schema, &meta, errors, &newer);
    if (!self->doc) {
        //  A newer schema is refused whatever else is there: the copy was
        //  written by the same newer ddc.
        char summary [512];
        s_errors_summary (errors, summary, sizeof (summary));
        const char *message = cJSON_GetStringValue (
            cJSON_GetObjectItemCaseSensitive (cJSON_GetArrayItem (errors, 0), "message"));
        int rc = -1;
        if (newer)
            snprintf (err, errlen, "%s (%s)", message ? message : summary, self->path);
        else if ((rc = s_from_last_good (self, errors, note, sizeof (note))) < 0)
            snprintf (err, errlen, "%s is invalid: %s; %s", self->path, summary, note);
        cJSON_Delete (errors);
        free (text);
        return rc;
    }
    cJSON_Delete (errors);
    bool meta_ok = s_load_meta (self, meta);
    cJSON_Delete (meta);
    if (schema < SCHEMA_CURRENT && s_keep_original (self, schema, text, len, err, errlen) < 0) {
        free (text);
        return -1;
    }
    if (!meta_ok || schema < SCHEMA_CURRENT) {
        //  No trustworthy history: a new epoch tells clients to start over.
        if (!meta_ok)
            s_new_epoch (self);
        if (s_write (self, self->doc, self->rev, self->revs) < 0) {
            snprintf (err, errlen, "cannot write %s: %s", self->path, strerror (errno));
            free (text);
            return -1;
        }
        free (text);
        if (!meta_ok)
            ddc_info ("%s had no revision data: new epoch %s", self->path, self->epoch);
    }
    else {
        self->seen_text = packed_new (&text, len);
        stat (self->path, &self->seen);
    }
    return 0;
}

store_t *
store_new (const char *dir, char *err, size_t errlen)
{
    if (mkdir (dir, 0700) < 0 && errno != EEXIST) {
        snprintf (err, errlen, "cannot create data folder %s: %s", dir, strerror (errno));
        return NULL;
    }
    store_t *self = ddc_calloc (1, sizeof (*self));
    self->dir = ddc_strdup (dir);
    self->path = ddc_asprintf ("%s/config.json", dir);
    self->last_good_path = ddc_asprintf ("%s/config.last-good.json", dir);
    self->history_path = ddc_asprintf ("%s/history.jsonl", dir);
    if (s_load (self, err, errlen) < 0) {
        store_destroy (&self);
        return NULL;
    }
    char *tmp = ddc_asprintf ("%s.tmp", self->path);
    unlink (tmp); //  a write interrupted by a crash; the real file is whole
    free (tmp);
    s_history_load (self);
    char *jpath = ddc_asprintf ("%s/config.journal", dir);
    self->journal = journal_new (jpath, true, err, errlen);
    if (self->journal && !journal_direct (self->journal))
        ddc_info ("%s: the file system refuses O_DIRECT: each save is made durable with "
                  "fdatasync",
                  jpath);
    free (jpath);
    if (!self->journal || s_journal_recover (self, err, errlen) < 0) {
        store_destroy (&self);
        return NULL;
    }
    if (s_history_max_rev (self) > self->rev) {
        //  The history knows revisions this file does not: an older copy was
        //  put back. Its revisions would be reused, so history starts over.
        s_new_epoch (self);
        ddc_warn ("%s is older than its history (restored from a backup?): new epoch %s",
                  self->path, self->epoch);
        s_history_clear (self);
        if (s_write (self, self->doc, self->rev, self->revs) < 0) {
            snprintf (err, errlen, "cannot write %s: %s", self->path, strerror (errno));
            store_destroy (&self);
            return NULL;
        }
    }
    //  The last good copy is config.json as loaded; at start there is time
    //  to write it durably (while running it follows each change cheaply).
    char *copy = NULL;
    size_t copy_len = 0;
    if (ddc_read_file (self->last_good_path, STORE_FILE_MAX, &copy, &copy_len) < 0
        || !self->seen_text || !packed_equals (self->seen_text, copy, copy_len))
        s_write_last_good (self, true);
    else
        self->last_good_due = false;
    free (copy);
    ddc_info ("loaded %s: epoch %s, revision %llu, schema %d", self->path, self->epoch,
              (unsigned long long) self->rev, SCHEMA_CURRENT);
    return self;
}

void
store_destroy (store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_t *self = *self_p;
    if (self->journal)
        store_checkpoint (self, true); //  a clean stop: config.json durable
    if (self->last_good_due)
        s_write_last_good (self, true); //  a clean stop leaves it durable
    journal_destroy (&self->journal);
    assert (!self->grouping);
    free (self->group_history);
    cJSON_Delete (self->doc);
    cJSON_Delete (self->rejected);
    cJSON_Delete (self->migrated);
    s_history_clear (self);
    packed_destroy (&self->seen_text);
    free (self->dir);
    free (self->path);
    free (self->last_good_path);
    free (self->history_path);
    free (self);
    *self_p = NULL;
}

const char *
store_epoch (store_t *self)
{
    return self->epoch;
}
uint64_t
store_rev (store_t *self)
{
    return self->rev;
}
uint64_t
store_section_rev (store_t *self, ddc_section_t s)
{
    return self->revs [s];
}
const cJSON *
store_document (store_t *self)
{
    return self->doc;
}

const cJSON *
store_section (store_t *self, ddc_section_t s)
{
    return cJSON_GetObjectItemCaseSensitive (self->doc, ddc_section_name (s));
}

cJSON *
store_revs_json (store_t *self)
{
    cJSON *out = cJSON_CreateObject ();
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        cJSON_AddNumberToObject (out, ddc_section_name ((ddc_section_t) s), (double) self->revs [s]);
    return out;
}

//  Names of secret fields whose value differs.
static cJSON *
s_secrets_changed (ddc_section_t s, const cJSON *old_value, const cJSON *new_value)
{
    cJSON *out = cJSON_CreateArray ();
    for (const char *const *f = ddc_section_secrets (s); f && *f; f++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive (old_value, *f);
        const cJSON *b = cJSON_GetObjectItemCaseSensitive (new_value, *f);
        if (!ddc_json_equal (a, b)) {
            char *name = ddc_asprintf ("%s.%s", ddc_section_name (s), *f);
            cJSON_AddItemToArray (out, cJSON_CreateString (name));
            free (name);
        }
    }
    return out;
}

//  The history entry's description of a change (caller frees).
static cJSON *
s_change_meta (const store_change_t *change, const char *when, const char *author, const char *peer)
{
    cJSON *entry = cJSON_CreateObject ();
    cJSON_AddNumberToObject (entry, "rev", (double) change->rev);
    cJSON_AddNumberToObject (entry, "prev_rev", (double) change->prev_rev);
    cJSON_AddStringToObject (entry, "section", ddc_section_name (change->section));
    cJSON_AddStringToObject (entry, "time", when);
    cJSON_AddStringToObject (entry, "author", author ? author : "");
    cJSON_AddStringToObject (entry, "peer", peer ? peer : "");
    cJSON_AddItemToObject (entry, "changed", cJSON_Duplicate (change->changed, 1));
    return entry;
}

//  Keep a history entry (takes meta) with the redacted new_value, in
//  memory now and in history.jsonl when config.json is written.
static void
s_history_keep (store_t *self, uint64_t rev, ddc_section_t s, cJSON *meta, const cJSON *new_value)
{
    char *value = ddc_config_redacted_text (s, new_value);
    s_history_add (self, rev, s, meta, value);
    self->history_unwritten++;
}

//  Append the entries kept since the last write to history.jsonl, in one
//  write (those that left the ring before are older than what it keeps).
static void
s_history_write (store_t *self)
{
    int n = self->history_unwritten < self->history_n ? self->history_unwritten : self->history_n;
    if (n == 0)
        return;
    ddc_buf_t *lines = ddc_buf_new (DDC_BUF_UNBOUNDED);
    for (int i = self->history_n - n; i < self->history_n; i++) {
        char *line = s_history_line (self, &self->history [i]);
        if (!line)
            continue;
        if (ddc_buf_len (lines))
            ddc_buf_add (lines, "\n", 1);
        ddc_buf_puts (lines, line);
        free (line);
    }
    if (ddc_append_line (self->history_path, ddc_buf_text (lines), 0600, false) < 0)
        ddc_warn ("cannot append to %s: %s", self->history_path, strerror (errno));
    else {
        self->history_unwritten = 0;
        self->history_lines += n;
    }
    ddc_buf_destroy (&lines);
    if (self->history_lines > 2 * STORE_HISTORY_MAX)
        s_history_compact (self);
}

//  ------------------------------------------------------------ the journal

//  The journal record of one commit: {"epoch", "rev", "revs", "changes":
//  [{history description..., "value": new value, secrets in clear}]}.
//  Caller frees; NULL when a value cannot be printed.
static char *
s_journal_record (store_t *self, uint64_t rev, const uint64_t revs [DDC_SEC_COUNT],
                  const store_change_t *changes, int count, cJSON *const vals [DDC_SEC_COUNT],
                  const char *when, const char *author, const char *peer)
{
    //  Written as text around the printed values: the bytes a tree of it
    //  printed would give (revisions below 10^15), without building and
    //  freeing that tree (a fifth of the broker's instructions on a small
    //  save).
    ddc_buf_t *out = ddc_buf_new (DDC_BUF_UNBOUNDED);
    ddc_buf_puts (out, "{\"epoch\":");
    ddc_json_print_string (out, self->epoch);
    ddc_buf_puts (out, ",\"rev\":");
    ddc_buf_u64 (out, rev);
    ddc_buf_puts (out, ",\"revs\":{");
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        ddc_buf_puts (out, s ? ",\"" : "\"");
        ddc_buf_puts (out, ddc_section_name ((ddc_section_t) s));
        ddc_buf_puts (out, "\":");
        ddc_buf_u64 (out, revs [s]);
    }
    ddc_buf_puts (out, "},\"changes\":[");
    bool ok = true;
    for (int i = 0; i < count && ok; i++) {
        const store_change_t *c = &changes [i];
        ddc_buf_puts (out, i ? ",{\"rev\":" : "{\"rev\":");
        ddc_buf_u64 (out, c->rev);
        ddc_buf_puts (out, ",\"prev_rev\":");
        ddc_buf_u64 (out, c->prev_rev);
        ddc_buf_puts (out, ",\"section\":\"");
        ddc_buf_puts (out, ddc_section_name (c->section));
        ddc_buf_puts (out, "\",\"time\":");
        ddc_json_print_string (out, when);
        ddc_buf_puts (out, ",\"author\":");
        ddc_json_print_string (out, author ? author : "");
        ddc_buf_puts (out, ",\"peer\":");
        ddc_json_print_string (out, peer ? peer : "");
        ddc_buf_puts (out, ",\"changed\":");
        ok = ddc_json_print_to (out, c->changed);
        ddc_buf_puts (out, ",\"value\":");
        ok = ok && ddc_json_print_to (out, vals [c->section]);
        ddc_buf_puts (out, "}");
    }
    ddc_buf_puts (out, "]}");
    char *text = ddc_buf_release (&out, NULL);
    //  A tree cJSON cannot print (none of the validated values is one) is
    //  not written at all.
    if (!ok) {
        free (text);
        return NULL;
    }
    return text;
}

typedef struct {
    store_t *self;
    int applied, skipped;
    char problem [400];
} s_replay_t;

//  One journal record at start: applied when it is newer than config.json
//  (a save acknowledged before a crash took the file's last write).
static int
s_replay_one (void *arg, const char *text, size_t len)
{
    s_replay_t *r = arg;
    store_t *self = r->self;
    char why [160];
    cJSON *rec = ddc_json_parse (text, len, JOURNAL_FILE_MAX, why, sizeof (why));
    const cJSON *epoch = cJSON_GetObjectItemCaseSensitive (rec, "epoch");
    const cJSON *jrevs = cJSON_GetObjectItemCaseSensitive (rec, "revs");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive (rec, "changes");
    uint64_t rev = 0, revs [DDC_SEC_COUNT];
    bool ok = cJSON_IsObject (rec) && cJSON_IsString (epoch) && cJSON_IsObject (jrevs)
              && cJSON_IsArray (list)
              && s_json_u64 (cJSON_GetObjectItemCaseSensitive (rec, "rev"), &rev);
    for (int s = 0; ok && s < DDC_SEC_COUNT; s++)
        ok = s_json_u64 (cJSON_GetObjectItemCaseSensitive (jrevs,
                                                           ddc_section_name ((ddc_section_t) s)),
                         &revs [s])
             && revs [s] <= rev;
    if (!ok) {
        snprintf (r->problem, sizeof (r->problem), "record %d is not a journal record%s%s",
                  r->applied + r->skipped + 1, rec ? "" : ": ", rec ? "" : why);
        cJSON_Delete (rec);
        return -1;
    }
    if (strcmp (epoch->valuestring, self->epoch) != 0 || rev <= self->rev) {
        r->skipped++; //  already in config.json, or of another history
        cJSON_Delete (rec);
        return 0;
    }
    //  Check every change before taking any.
    cJSON *doc = cJSON_Duplicate (self->doc, 1);
    const cJSON *c;
    cJSON_ArrayForEach (c, list) {
        const cJSON *sec = cJSON_GetObjectItemCaseSensitive (c, "section");
        int s = cJSON_IsString (sec) ? ddc_section_from_name (sec->valuestring) : -1;
        cJSON *errors = cJSON_CreateArray ();
        cJSON *normal =
            s < 0 ? NULL
                  : ddc_config_validate_section ((ddc_section_t) s,
                                                 cJSON_GetObjectItemCaseSensitive (c, "value"), doc,
                                                 errors);
        cJSON_Delete (errors);
        if (!normal) {
            snprintf (r->problem, sizeof (r->problem),
                      "revision %llu does not hold a valid section", (unsigned long long) rev);
            cJSON_Delete (doc);
            cJSON_Delete (rec);
            return -1;
        }
        cJSON_ReplaceItemInObjectCaseSensitive (doc, ddc_section_name ((ddc_section_t) s), normal);
    }
    self->doc_gen++;
    cJSON_Delete (self->doc);
    self->doc = doc;
    self->rev = rev;
    memcpy (self->revs, revs, sizeof (revs));
    //  The history may have missed them too (it is not flushed).
    uint64_t known = s_history_max_rev (self);
    cJSON_ArrayForEach (c, list) {
        uint64_t crev = 0;
        const cJSON *sec = cJSON_GetObjectItemCaseSensitive (c, "section");
        int s = ddc_section_from_name (sec->valuestring);
        if (!s_json_u64 (cJSON_GetObjectItemCaseSensitive (c, "rev"), &crev) || crev <= known)
            continue;
        cJSON *meta = cJSON_Duplicate (c, 1);
        cJSON_DeleteItemFromObjectCaseSensitive (meta, "value");
        s_history_keep (self, crev, (ddc_section_t) s, meta,
                        store_section (self, (ddc_section_t) s));
    }
    r->applied++;
    cJSON_Delete (rec);
    return 0;
}

//  At start: take the saves config.json missed, then make it durable and
//  empty the journal. -1 with err when config.json cannot be written.
static int
s_journal_recover (store_t *self, char *err, size_t errlen)
{
    if (journal_bytes (self->journal) == 0)
        return 0;
    s_replay_t r = { .self = self };
    bool torn = false;
    char why [256];
    uint64_t from = self->rev;
    if (journal_read (self->journal, s_replay_one, &r, &torn, why, sizeof (why)) < 0) {
        snprintf (err, errlen, "%s", why);
        return -1;
    }
    if (r.problem [0])
        ddc_error ("%s: %s; the records after it are left out", journal_path (self->journal),
                   r.problem);
    if (torn)
        ddc_warn ("%s: its last record was cut by a crash (never acknowledged): left out",
                  journal_path (self->journal));
    if (r.applied)
        ddc_warn ("%s was behind after an unclean stop: %d save(s) taken from %s, revision "
                  "%llu -> %llu",
                  self->path, r.applied, journal_path (self->journal), (unsigned long long) from,
                  (unsigned long long) self->rev);
    if (s_write (self, self->doc, self->rev, self->revs) < 0) {
        snprintf (err, errlen, "cannot write %s: %s", self->path, strerror (errno));
        return -1;
    }
    return 0;
}

//  Swap the values of two items, each keeping its place and its key: a
//  section's value changes in the document without copying the others.
static void
s_swap (cJSON *a, cJSON *b)
{
    cJSON was = *a;
    a->type = (b->type & ~cJSON_StringIsConst) | (was.type & cJSON_StringIsConst);
    a->child = b->child;
    a->valuestring = b->valuestring;
    a->valueint = b->valueint;
    a->valuedouble = b->valuedouble;
    b->type = (was.type & ~cJSON_StringIsConst) | (b->type & cJSON_StringIsConst);
    b->child = was.child;
    b->valuestring = was.valuestring;
    b->valueint = was.valueint;
    b->valuedouble = was.valuedouble;
}

//  Put value (taken) as section name of doc, where the old value was;
//  returns an item holding the old value (null when doc had none), for
//  s_undo or to be deleted.
static cJSON *
s_put_section (cJSON *doc, const char *name, cJSON *value)
{
    cJSON *slot = cJSON_GetObjectItemCaseSensitive (doc, name);
    if (!slot) {
        slot = cJSON_CreateNull ();
        cJSON_AddItemToObject (doc, name, slot);
    }
    s_swap (slot, value);
    return value;
}

//  Put back into the document the old values s_put_section returned
//  (NULL: none), and free them.
static void
s_undo (store_t *self, cJSON *undo [DDC_SEC_COUNT])
{
    self->doc_gen++;
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        if (!undo [s])
            continue;
        cJSON *slot =
            cJSON_GetObjectItemCaseSensitive (self->doc, ddc_section_name ((ddc_section_t) s));
        if (slot)
            s_swap (slot, undo [s]);
        cJSON_Delete (undo [s]);
        undo [s] = NULL;
    }
}

//  Commit new values for the sections flagged in `vals`, one revision per
//  section: the journal record is written and, outside a group, flushed
//  (the one disk flush of a save; a group's is in store_group_end), and
//  the values are swapped into the document in place: taken (take: each
//  vals [s] is the document's then, freed with it, and set to NULL here,
//  whether the commit succeeds or not) or copied. config.json is written
//  later, when saves pause (store_checkpoint). Fills changes[]. Returns
//  count or -1 (nothing changed).
static int
s_commit (store_t *self, cJSON *vals [DDC_SEC_COUNT], bool take, const char *author,
          const char *peer, store_change_t changes [DDC_SEC_COUNT], char *err, size_t errlen)
{
    uint64_t rev = self->rev;
    uint64_t revs [DDC_SEC_COUNT];
    memcpy (revs, self->revs, sizeof (revs));
    int count = 0;
    cJSON *undo [DDC_SEC_COUNT] = { NULL };
    cJSON *fresh [DDC_SEC_COUNT] = { NULL }; //  the new values, in the document
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        if (!vals [s])
            continue;
        const char *name = ddc_section_name ((ddc_section_t) s);
        store_change_t *c = &changes [count++];
        c->section = (ddc_section_t) s;
        c->prev_rev = revs [s];
        c->rev = ++rev;
        c->changed = ddc_json_diff (ddc_section_name ((ddc_section_t) s),
                                    store_section (self, (ddc_section_t) s), vals [s]);
        c->secrets_changed = s_secrets_changed ((ddc_section_t) s,
                                                store_section (self, (ddc_section_t) s), vals [s]);
        revs [s] = rev;
        //  s_put_section swaps the contents: the item put in holds the
        //  old value after it, and is undo [s]
        undo [s] = s_put_section (self->doc, name, take ? vals [s] : cJSON_Duplicate (vals [s], 1));
        if (take)
            vals [s] = NULL;
        fresh [s] = cJSON_GetObjectItemCaseSensitive (self->doc, name);
    }
    char when [32];
    ddc_iso_time (ddc_wall_ms (), when);
    char *record = s_journal_record (self, rev, revs, changes, count, fresh, when, author, peer);
    const char *failed = NULL;
    if (!record) {
        errno = EINVAL;
        failed = journal_path (self->journal);
    }
    else if (self->grouping) {
        //  Flushed and written with the others in store_group_end.
        if (journal_append (self->journal, record) < 0)
            failed = journal_path (self->journal);
    }
    else if (journal_append (self->journal, record) < 0 || journal_sync (self->journal) < 0)
        failed = journal_path (self->journal);
    free (record);
    if (failed) {
        snprintf (err, errlen, "cannot write %s: %s", failed, strerror (errno));
        s_undo (self, undo);
        for (int i = 0; i < count; i++)
            store_change_free (&changes [i]);
        return -1;
    }
    if (!self->journal_since_ms)
        self->journal_since_ms = ddc_mono_ms ();
    self->last_commit_ms = ddc_mono_ms ();
    if (!self->behind)
        self->behind_since_ms = self->last_commit_ms;
    self->behind = true;
    self->saves++;
    if (!self->grouping)
        self->flushes++;
    if (self->grouping)
        self->group_n++;
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        if (!fresh [s])
            continue;
        //  The value before the group is kept to take the group back; one
        //  from within it, or any outside a group, goes.
        if (self->grouping && !self->group_undo [s])
            self->group_undo [s] = undo [s];
        else
            cJSON_Delete (undo [s]);
    }
    self->rev = rev;
    memcpy (self->revs, revs, sizeof (revs));
    for (int i = 0; i < count; i++) {
        cJSON *meta = s_change_meta (&changes [i], when, author, peer);
        const cJSON *value = fresh [changes [i].section];
        if (!self->grouping) {
            s_history_keep (self, changes [i].rev, changes [i].section, meta, value);
            continue;
        }
        if (self->group_history_n == self->group_history_max) {
            self->group_history_max = self->group_history_max ? 2 * self->group_history_max : 8;
            self->group_history =
                ddc_realloc (self->group_history,
                             (size_t) self->group_history_max * sizeof (*self->group_history));
        }
        self->group_history [self->group_history_n++] =
            (s_pending_t){ changes [i].rev, changes [i].section, meta, cJSON_Duplicate (value, 1) };
    }
    return count;
}

void
store_group_begin (store_t *self)
{
    assert (!self->grouping);
    self->grouping = true;
    self->group_n = 0;
    self->group_rev = self->rev;
    memcpy (self->group_revs, self->revs, sizeof (self->revs));
}

int
store_group_end (store_t *self, char *err, size_t errlen)
{
    assert (self->grouping);
    self->grouping = false;
    if (self->group_n == 0)
        return 0;
    const char *failed = NULL;
    if (journal_sync (self->journal) < 0)
        failed = journal_path (self->journal);
    if (failed) {
        snprintf (err, errlen, "cannot write %s: %s", failed, strerror (errno));
        self->saves -= (uint64_t) self->group_n;
        s_undo (self, self->group_undo);
        self->rev = self->group_rev;
        memcpy (self->revs, self->group_revs, sizeof (self->revs));
    }
    else {
        for (int s = 0; s < DDC_SEC_COUNT; s++)
            cJSON_Delete (self->group_undo [s]);
        self->flushes++;
    }
    memset (self->group_undo, 0, sizeof (self->group_undo));
    for (int i = 0; i < self->group_history_n; i++) {
        s_pending_t *p = &self->group_history [i];
        if (failed)
            cJSON_Delete (p->meta);
        else
            s_history_keep (self, p->rev, p->section, p->meta, p->value);
        cJSON_Delete (p->value);
    }
    self->group_history_n = 0;
    return failed ? -1 : 0;
}

//  The size of section s as the size limits count it (SIZE_MAX: over
//  them), counted once per revision.
static size_t
s_section_bytes (store_t *self, ddc_section_t s)
{
    if (self->sec_bytes_gen [s] != self->doc_gen || self->sec_bytes_rev [s] != self->revs [s]
        || self->doc_gen == 0) {
        self->sec_bytes [s] = ddc_config_json_bytes (store_section (self, s));
        self->sec_bytes_gen [s] = self->doc_gen;
        self->sec_bytes_rev [s] = self->revs [s];
    }
    return self->sec_bytes [s];
}

//  The size of every section but s (past DDC_DOCUMENT_MAX_BYTES when they
//  are over it).
static size_t
s_others_bytes (store_t *self, ddc_section_t s)
{
    size_t total = 0;
    for (int o = 0; o < DDC_SEC_COUNT; o++) {
        if (o == (int) s || !store_section (self, (ddc_section_t) o))
            continue;
        size_t n = s_section_bytes (self, (ddc_section_t) o);
        if (n == SIZE_MAX || total + n > DDC_DOCUMENT_MAX_BYTES)
            return (size_t) DDC_DOCUMENT_MAX_BYTES + 1; //  over the limit
        total += n;
    }
    return total;
}

store_result_t
store_save (store_t *self, ddc_section_t s, const cJSON *value, uint64_t expected,
            const char *author, const char *peer, cJSON *errors, store_change_t *change, char *err,
            size_t errlen)
{
    //  A section with secrets: "***" in a copy stands for the current one.
    cJSON *incoming = ddc_section_secrets (s) [0] ? cJSON_Duplicate (value, 1) : NULL;
    if (incoming)
        ddc_config_keep_secrets (s, incoming, store_section (self, s));
    cJSON *normal = ddc_config_validate_section_sized (s, incoming ? incoming : value, self->doc,
                                                       s_others_bytes (self, s), errors);
    cJSON_Delete (incoming);
    if (!normal)
        return STORE_INVALID;
    if (expected != 0 && expected != self->revs [s]) {
        cJSON_Delete (normal);
        return STORE_CONFLICT;
    }
    if (ddc_json_equal (normal, store_section (self, s))) {
        cJSON_Delete (normal);
        return STORE_UNCHANGED;
    }
    cJSON *vals [DDC_SEC_COUNT] = { 0 };
    vals [s] = normal;
    store_change_t changes [DDC_SEC_COUNT];
    memset (changes, 0, sizeof (changes));
    int n = s_commit (self, vals, true, author, peer, changes, err, errlen);
    if (n < 0)
        return STORE_FAILED;
    *change = changes [0];
    return STORE_OK;
}

void
store_change_free (store_change_t *change)
{
    cJSON_Delete (change->changed);
    cJSON_Delete (change->secrets_changed);
    change->changed = change->secrets_changed = NULL;
}

//  The retained entry of section s (or any, s < 0) at revision rev, or NULL
//  (gone = true when rev is older than the retained history).
static const s_entry_t *
s_history_find (store_t *self, int s, uint64_t rev, bool *gone)
{
    *gone = false;
    if (self->history_n == 0 || rev < self->history [0].rev) {
        //  Revision 1 is the created default when nothing older was lost.
        *gone = rev != 0;
        return NULL;
    }
    for (int i = 0; i < self->history_n; i++)
        if (self->history [i].rev == rev && (s < 0 || self->history [i].section == s))
            return &self->history [i];
    return NULL;
}

cJSON *
store_history_value (store_t *self, ddc_section_t s, uint64_t rev, bool *gone)
{
    const s_entry_t *e = s_history_find (self, (int) s, rev, gone);
    size_t len = 0;
    char *text = e ? packed_text (e->value, &len) : NULL;
    if (!text)
        return NULL;
    char why [128];
    cJSON *value = ddc_json_parse (text, len, STORE_FILE_MAX, why, sizeof (why));
    free (text);
    return value;
}

cJSON *
store_history_entry (store_t *self, int section, uint64_t rev, bool *gone)
{
    const s_entry_t *e = s_history_find (self, section, rev, gone);
    char *text = e ? packed_text (e->value, NULL) : NULL;
    if (!text)
        return NULL;
    cJSON *out = cJSON_Duplicate (e->meta, 1);
    cJSON_AddItemToObject (out, "value", cJSON_CreateRaw (text));
    free (text);
    return out;
}

cJSON *
store_history (store_t *self, int section)
{
    cJSON *out = cJSON_CreateArray ();
    for (int i = 0; i < self->history_n; i++) {
        const s_entry_t *e = &self->history [i];
        if (section >= 0 && e->section != section)
            continue;
        cJSON *copy = cJSON_Duplicate (e->meta, 1);
        //  A summary names at most STORE_SUMMARY_CHANGED fields.
        cJSON *changed = cJSON_GetObjectItemCaseSensitive (copy, "changed");
        if (cJSON_GetArraySize (changed) > STORE_SUMMARY_CHANGED) {
            while (cJSON_GetArraySize (changed) > STORE_SUMMARY_CHANGED)
                cJSON_DeleteItemFromArray (changed, STORE_SUMMARY_CHANGED);
            cJSON_AddItemToArray (changed, cJSON_CreateString ("..."));
        }
        cJSON_AddNumberToObject (copy, "bytes", (double) packed_len (e->value));
        cJSON_AddItemToArray (out, copy);
    }
    return out;
}

//  config.json holds an invalid edit that stayed as it was for one look:
//  move it aside and write the running configuration back, so that a
//  restart starts with it.
static void
s_refuse_edit (store_t *self, const struct stat *st, const cJSON *errors)
{
    char *aside = s_move_aside (self, st);
    if (!aside) {
        self->pending_set = false; //  another file now: look again
        return;
    }
    if (s_write (self, self->doc, self->rev, self->revs) < 0)
        ddc_error ("hand edit of %s refused (%d error(s)) and moved aside to %s; config.json "
                   "cannot be written again: %s",
                   self->path, cJSON_GetArraySize (errors), aside, strerror (errno));
    else
        ddc_error ("hand edit of %s refused: %d error(s); moved aside to %s; config.json holds "
                   "revision %llu again:",
                   self->path, cJSON_GetArraySize (errors), aside, (unsigned long long) self->rev);
    s_rejected (self, aside, false, errors);
    free (aside);
}

int
store_poll_file (store_t *self, store_change_t changes [DDC_SEC_COUNT])
{
    struct stat st;
    if (stat (self->path, &st) < 0) {
        //  Gone (or being replaced): written again once it stays gone.
        if (!self->gone_seen) {
            self->gone_seen = true;
            return 0;
        }
        if (s_write (self, self->doc, self->rev, self->revs) < 0)
            ddc_warn ("%s is gone and cannot be written again: %s", self->path, strerror (errno));
        else
            ddc_warn ("%s was removed: written again with revision %llu", self->path,
                      (unsigned long long) self->rev);
        return -1;
    }
    self->gone_seen = false;
    if (s_same_stat (&st, &self->seen))
        return 0;
    char *text = NULL;
    size_t len = 0;
    if (ddc_read_file (self->path, STORE_FILE_MAX, &text, &len) < 0) {
        ddc_warn ("cannot read %s: %s", self->path, strerror (errno));
        self->seen = st;
        return -1;
    }
    if (self->seen_text && packed_equals (self->seen_text, text, len)) {
        self->seen = st; //  touched, not changed
        free (text);
        return 0;
    }
    cJSON *errors = cJSON_CreateArray (), *meta = NULL;
    int schema = 0;
    bool newer;
    cJSON *doc = s_check (self, text, len, true, &schema, &meta, errors, &newer);
    cJSON_Delete (meta);
    if (!doc) {
        //  An editor may still be writing: the file is judged when it has
        //  stayed the same for one look (FILE_POLL_MS).
        if (self->pending_set && s_same_stat (&st, &self->pending))
            s_refuse_edit (self, &st, errors);
        else {
            self->pending = st;
            self->pending_set = true;
        }
        cJSON_Delete (errors);
        free (text);
        return -1;
    }
    cJSON_Delete (errors);
    //  While config.json is behind the journal, the edit was made to an
    //  older document: a section it leaves as the file had it is not
    //  changed by the edit (the running value is newer).
    cJSON *base = NULL;
    size_t base_len = 0;
    char *base_text =
        self->behind && self->seen_text ? packed_text (self->seen_text, &base_len) : NULL;
    if (base_text) {
        cJSON *base_errors = cJSON_CreateArray (), *base_meta = NULL;
        int base_schema;
        bool base_newer;
        base = s_check (self, base_text, base_len, true, &base_schema, &base_meta, base_errors,
                        &base_newer);
        cJSON_Delete (base_meta);
        cJSON_Delete (base_errors);
        free (base_text);
    }
    self->pending_set = false;
    self->seen = st;
    if (schema < SCHEMA_CURRENT) {
        char err [256];
        if (s_keep_original (self, schema, text, len, err, sizeof (err)) < 0)
            ddc_warn ("%s", err);
    }
    packed_destroy (&self->seen_text);
    self->seen_text = packed_new (&text, len);
    cJSON *vals [DDC_SEC_COUNT] = { 0 };
    int differing = 0;
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const char *name = ddc_section_name ((ddc_section_t) s);
        cJSON *v = cJSON_GetObjectItemCaseSensitive (doc, name);
        if (!ddc_json_equal (v, store_section (self, (ddc_section_t) s))
            && !(base && ddc_json_equal (v, cJSON_GetObjectItemCaseSensitive (base, name)))) {
            vals [s] = v;
            differing++;
        }
    }
    cJSON_Delete (base);
    int n = 0;
    if (!differing) {
        //  Same sections, other bytes (a changed or restored _meta, layout):
        //  write the file back so that its revisions are ours again.
        if (s_write (self, self->doc, self->rev, self->revs) < 0)
            ddc_warn ("cannot rewrite %s: %s", self->path, strerror (errno));
    }
    if (differing) {
        char err [256];
        n = s_commit (self, vals, false, "file", "config.json", changes, err, sizeof (err));
        if (n < 0)
            ddc_error ("hand edit of %s: %s", self->path, err);
        else {
            ddc_info ("hand edit of %s applied: %d section(s), now revision %llu", self->path, n,
                      (unsigned long long) self->rev);
            cJSON_Delete (self->rejected); //  fixed by hand: the warning goes
            self->rejected = NULL;
        }
    }
    cJSON_Delete (doc);
    return n;
}

store_checkpoint_t
store_checkpoint (store_t *self, bool now)
{
    if (journal_bytes (self->journal) == 0)
        return STORE_CHECKPOINT_NONE;
    int64_t mono = ddc_mono_ms ();
    bool durable_due = now || mono - self->last_commit_ms >= STORE_CHECKPOINT_IDLE_MS
                       || mono - self->journal_since_ms >= STORE_CHECKPOINT_MAX_MS
                       || journal_bytes (self->journal) >= STORE_JOURNAL_MAX;
    bool write_due = self->behind
                     && (durable_due || mono - self->last_commit_ms >= STORE_WRITE_IDLE_MS
                         || mono - self->behind_since_ms >= STORE_WRITE_MAX_MS);
    if (!durable_due && !write_due)
        return STORE_CHECKPOINT_NONE;
    //  Only our own write is replaced or made durable: a hand edit waits
    //  for its look.
    struct stat st;
    if (stat (self->path, &st) < 0 || !s_same_stat (&st, &self->seen))
        return STORE_CHECKPOINT_NONE;
    //  config.json first when it is behind; then, when due, durable.
    const char *failed = NULL;
    if (self->behind && s_write_mode (self, self->doc, self->rev, self->revs, false) < 0)
        failed = "write";
    else if (durable_due && (ddc_fsync_path (self->path) < 0 || journal_reset (self->journal) < 0))
        failed = "make durable";
    if (failed) {
        if (self->checkpoint_failures++ == 0)
            ddc_warn ("cannot %s %s (the journal keeps the saves): %s", failed, self->path,
                      strerror (errno));
        return STORE_CHECKPOINT_NONE;
    }
    if (self->checkpoint_failures)
        ddc_info ("%s is written again", self->path);
    self->checkpoint_failures = 0;
    if (!durable_due)
        return STORE_CHECKPOINT_WRITTEN;
    self->journal_since_ms = 0;
    return STORE_CHECKPOINT_DURABLE;
}

bool
store_paused (store_t *self)
{
    return ddc_mono_ms () - self->last_commit_ms >= STORE_CHECKPOINT_IDLE_MS;
}

bool
store_pack (store_t *self)
{
    return s_pack (self) > 0;
}

void
store_keep_last_good (store_t *self)
{
    if (self->last_good_due)
        s_write_last_good (self, false);
}

cJSON *
store_status (store_t *self)
{
    cJSON *out = cJSON_CreateObject ();
    cJSON_AddNumberToObject (out, "schema", SCHEMA_CURRENT);
    cJSON_AddNumberToObject (out, "saves", (double) self->saves);
    cJSON_AddNumberToObject (out, "flushes", (double) self->flushes);
    cJSON_AddNumberToObject (out, "journal_bytes", (double) journal_bytes (self->journal));
    cJSON_AddStringToObject (out, "journal_write",
                             journal_direct (self->journal) ? "direct" : "fdatasync");
    cJSON *history = cJSON_AddObjectToObject (out, "history");
    cJSON_AddNumberToObject (history, "entries", self->history_n);
    cJSON_AddNumberToObject (history, "bytes", (double) self->history_bytes);
    cJSON_AddNumberToObject (history, "held", (double) self->history_held);
    cJSON_AddStringToObject (out, "last_good", s_base (self->last_good_path));
    cJSON_AddBoolToObject (out, "last_good_written", !self->last_good_failed);
    cJSON_AddItemToObject (out, "rejected",
                           self->rejected ? cJSON_Duplicate (self->rejected, 1)
                                          : cJSON_CreateNull ());
    cJSON_AddItemToObject (out, "migrated",
                           self->migrated ? cJSON_Duplicate (self->migrated, 1)
                                          : cJSON_CreateNull ());
    return out;
}

void
store_report (store_t *self, ddc_metrics_t *m)
{
    journal_report (self->journal, m);
}
