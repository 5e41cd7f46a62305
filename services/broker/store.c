/*  store: DATA/config.json with its "_meta" (epoch, revisions), durable
    saves, hand-edit detection and history. See store.h. */
#include "store.h"
#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_FILE_MAX (8 * 1024 * 1024)
#define STORE_HISTORY_FILE_MAX (64 * 1024 * 1024)
#define STORE_SUMMARY_CHANGED 10               /* field names in a history summary */

/* One retained change: its description, and its value as JSON text (a
   parsed tree costs tens of times its size; the text is its size). */
typedef struct {
    uint64_t rev;
    int section;
    cJSON *meta;              /* rev, prev_rev, section, time, author, peer, changed */
    char *value;              /* redacted value, JSON text */
    size_t bytes;
} s_entry_t;

struct store_t {
    char *dir;
    char *path;               /* DATA/config.json                        */
    char *history_path;       /* DATA/history.jsonl                      */
    cJSON *doc;               /* normalised sections, secrets in clear   */
    char epoch[17];
    uint64_t rev;
    uint64_t revs[DDC_SEC_COUNT];
    s_entry_t history[STORE_HISTORY_MAX];   /* oldest first              */
    int history_n;
    size_t history_bytes;     /* of their values                         */
    int history_lines;        /* lines in history.jsonl                  */
    struct stat seen;         /* the file as last written or read        */
    char *seen_text;          /* its content, to tell our writes apart   */
    bool bad_edit_logged;     /* the current invalid edit was reported   */
};

static bool
s_same_stat (const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size
        && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec
        && a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The file text for a document and revisions. Caller frees. */
static char *
s_render (store_t *self, const cJSON *doc, uint64_t rev, const uint64_t revs[DDC_SEC_COUNT])
{
    cJSON *out = cJSON_CreateObject ();
    cJSON *meta = cJSON_AddObjectToObject (out, "_meta");
    cJSON_AddStringToObject (meta, "about",
                             "Managed by ddc-broker. Edits to the sections are applied live; "
                             "leave _meta alone.");
    cJSON_AddStringToObject (meta, "epoch", self->epoch);
    cJSON_AddNumberToObject (meta, "rev", (double) rev);
    cJSON *jrevs = cJSON_AddObjectToObject (meta, "revs");
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        cJSON_AddNumberToObject (jrevs, ddc_section_name ((ddc_section_t) s), (double) revs[s]);
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const char *name = ddc_section_name ((ddc_section_t) s);
        cJSON_AddItemToObject (out, name,
                               cJSON_Duplicate (cJSON_GetObjectItemCaseSensitive (doc, name), 1));
    }
    char *text = cJSON_Print (out);
    cJSON_Delete (out);
    return text;
}

/* Write doc with revisions durably; remember what we wrote. */
static int
s_write (store_t *self, const cJSON *doc, uint64_t rev, const uint64_t revs[DDC_SEC_COUNT])
{
    char *text = s_render (self, doc, rev, revs);
    size_t len = strlen (text);
    char *with_nl = ddc_malloc (len + 2);
    memcpy (with_nl, text, len);
    with_nl[len] = '\n';
    with_nl[len + 1] = '\0';
    free (text);
    if (ddc_write_file_atomic (self->path, with_nl, len + 1, 0600) < 0) {
        free (with_nl);
        return -1;
    }
    free (self->seen_text);
    self->seen_text = with_nl;
    if (stat (self->path, &self->seen) < 0)
        memset (&self->seen, 0, sizeof self->seen);
    self->bad_edit_logged = false;
    return 0;
}

/* Start a new history: a random epoch, every revision 1. Clients that
   see another epoch drop what they know and take a snapshot. */
static void
s_new_epoch (store_t *self)
{
    ddc_random_hex (self->epoch, 8);
    self->rev = 1;
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        self->revs[s] = 1;
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

/* Take epoch and revisions from _meta if they are whole and consistent. */
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
    uint64_t revs[DDC_SEC_COUNT];
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive (jrevs, ddc_section_name ((ddc_section_t) s));
        if (!s_json_u64 (r, &revs[s]) || revs[s] == 0 || revs[s] > rev)
            return false;
    }
    memcpy (self->epoch, epoch->valuestring, 17);
    self->rev = rev;
    memcpy (self->revs, revs, sizeof revs);
    return true;
}

static void
s_errors_summary (const cJSON *errors, char *out, size_t size)
{
    const cJSON *first = cJSON_GetArrayItem (errors, 0);
    const cJSON *field = cJSON_GetObjectItemCaseSensitive (first, "field");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive (first, "message");
    int n = cJSON_GetArraySize (errors);
    snprintf (out, size, "%s: %s%s", cJSON_IsString (field) ? field->valuestring : "?",
              cJSON_IsString (message) ? message->valuestring : "invalid",
              n > 1 ? " (and more errors)" : "");
}

static uint64_t
s_history_max_rev (store_t *self)
{
    uint64_t max = 0;
    for (int i = 0; i < self->history_n; i++)
        if (self->history[i].rev > max)
            max = self->history[i].rev;
    return max;
}

static void
s_history_clear (store_t *self)
{
    for (int i = 0; i < self->history_n; i++) {
        cJSON_Delete (self->history[i].meta);
        free (self->history[i].value);
    }
    self->history_n = 0;
    self->history_bytes = 0;
}

/* Keep an entry (takes meta and value); the oldest go to stay within
   STORE_HISTORY_MAX entries and STORE_HISTORY_BYTES of values. */
static void
s_history_add (store_t *self, uint64_t rev, ddc_section_t s, cJSON *meta, char *value)
{
    size_t bytes = strlen (value);
    while (self->history_n > 0
           && (self->history_n == STORE_HISTORY_MAX
               || self->history_bytes + bytes > STORE_HISTORY_BYTES)) {
        cJSON_Delete (self->history[0].meta);
        free (self->history[0].value);
        self->history_bytes -= self->history[0].bytes;
        memmove (&self->history[0], &self->history[1],
                 (size_t) (self->history_n - 1) * sizeof self->history[0]);
        self->history_n--;
    }
    s_entry_t *e = &self->history[self->history_n++];
    e->rev = rev;
    e->section = (int) s;
    e->meta = meta;
    e->value = value;
    e->bytes = bytes;
    self->history_bytes += bytes;
}

/* The history.jsonl line of entry e (caller frees). */
static char *
s_history_line (store_t *self, const s_entry_t *e)
{
    cJSON *line = cJSON_Duplicate (e->meta, 1);
    cJSON_AddItemToObject (line, "value", cJSON_CreateRaw (e->value));
    cJSON_AddStringToObject (line, "epoch", self->epoch);
    char *text = cJSON_PrintUnformatted (line);
    cJSON_Delete (line);
    return text;
}

/* Rewrite history.jsonl with only the retained entries. */
static void
s_history_compact (store_t *self)
{
    size_t cap = 0, used = 0;
    char *all = NULL;
    for (int i = 0; i < self->history_n; i++) {
        char *line = s_history_line (self, &self->history[i]);
        size_t n = strlen (line);
        if (used + n + 2 > cap) {
            cap = (used + n + 2) * 2;
            all = ddc_realloc (all, cap);
        }
        memcpy (all + used, line, n);
        used += n;
        all[used++] = '\n';
        free (line);
    }
    if (ddc_write_file_atomic (self->history_path, all ? all : "", used, 0600) < 0)
        ddc_warn ("cannot compact %s: %s", self->history_path, strerror (errno));
    else
        self->history_lines = self->history_n;
    free (all);
}

/* One history.jsonl line of this epoch, checked: -1 if it is not one
   (why says why when it is not JSON, else is ""). */
static int
s_history_parse (store_t *self, const char *line, char *why, size_t whylen)
{
    why[0] = '\0';
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
    char *text = cJSON_PrintUnformatted (value);
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
    char first_why[160] = "";
    char *save = NULL;
    for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        lines++;
        char why[128];
        if (s_history_parse (self, line, why, sizeof why) < 0 && why[0] && unreadable++ == 0)
            snprintf (first_why, sizeof first_why, "line %d: %s", lines, why);
    }
    free (text);
    if (unreadable)
        ddc_warn ("%s: %d unreadable line(s) skipped (the first, %s)", self->history_path,
                  unreadable, first_why);
    self->history_lines = lines;
    if (lines > 2 * STORE_HISTORY_MAX)
        s_history_compact (self);
}

store_t *
store_new (const char *dir, char *err, size_t errlen)
{
    if (mkdir (dir, 0700) < 0 && errno != EEXIST) {
        snprintf (err, errlen, "cannot create data folder %s: %s", dir, strerror (errno));
        return NULL;
    }
    store_t *self = ddc_calloc (1, sizeof *self);
    self->dir = ddc_strdup (dir);
    self->path = ddc_asprintf ("%s/config.json", dir);
    self->history_path = ddc_asprintf ("%s/history.jsonl", dir);

    char *text = NULL;
    size_t len = 0;
    if (ddc_read_file (self->path, STORE_FILE_MAX, &text, &len) < 0) {
        if (errno != ENOENT) {
            snprintf (err, errlen, "cannot read %s: %s", self->path, strerror (errno));
            store_destroy (&self);
            return NULL;
        }
        /* First start: a working default. */
        self->doc = ddc_config_default ();
        s_new_epoch (self);
        if (s_write (self, self->doc, self->rev, self->revs) < 0) {
            snprintf (err, errlen, "cannot write %s: %s", self->path, strerror (errno));
            store_destroy (&self);
            return NULL;
        }
        ddc_info ("created %s with the default configuration (epoch %s)", self->path, self->epoch);
        return self;
    }
    char why[160];
    cJSON *parsed = ddc_json_parse (text, len, STORE_FILE_MAX, why, sizeof why);
    if (!parsed) {
        snprintf (err, errlen, "%s is not valid JSON: %s", self->path, why);
        free (text);
        store_destroy (&self);
        return NULL;
    }
    cJSON *errors = cJSON_CreateArray ();
    self->doc = ddc_config_validate_document (parsed, errors);
    if (!self->doc) {
        char summary[512];
        s_errors_summary (errors, summary, sizeof summary);
        snprintf (err, errlen, "%s is invalid: %s", self->path, summary);
        cJSON_Delete (errors);
        cJSON_Delete (parsed);
        free (text);
        store_destroy (&self);
        return NULL;
    }
    cJSON_Delete (errors);
    /* "***" means "keep the current secret" in a save or a hand edit; at
       start there is no current secret to keep. */
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        for (const char *const *f = ddc_section_secrets ((ddc_section_t) s); *f; f++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive (
                store_section (self, (ddc_section_t) s), *f);
            if (cJSON_IsString (v) && strcmp (v->valuestring, "***") == 0) {
                snprintf (err, errlen, "%s is invalid: %s.%s holds the placeholder \"***\"; put the "
                          "real secret or \"\" there", self->path, ddc_section_name ((ddc_section_t) s), *f);
                cJSON_Delete (parsed);
                free (text);
                store_destroy (&self);
                return NULL;
            }
        }
    bool meta_ok = s_load_meta (self, cJSON_GetObjectItemCaseSensitive (parsed, "_meta"));
    cJSON_Delete (parsed);
    if (!meta_ok) {
        /* No trustworthy history: a new epoch tells clients to start over. */
        s_new_epoch (self);
        if (s_write (self, self->doc, self->rev, self->revs) < 0) {
            snprintf (err, errlen, "cannot write %s: %s", self->path, strerror (errno));
            free (text);
            store_destroy (&self);
            return NULL;
        }
        free (text);
        ddc_info ("%s had no revision data: new epoch %s", self->path, self->epoch);
    }
    else {
        self->seen_text = text;
        stat (self->path, &self->seen);
    }
    char *tmp = ddc_asprintf ("%s.tmp", self->path);
    unlink (tmp);   /* a write interrupted by a crash; the real file is whole */
    free (tmp);
    s_history_load (self);
    if (s_history_max_rev (self) > self->rev) {
        /* The history knows revisions this file does not: an older copy was
           put back. Its revisions would be reused, so history starts over. */
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
    ddc_info ("loaded %s: epoch %s, revision %llu", self->path, self->epoch,
              (unsigned long long) self->rev);
    return self;
}

void
store_destroy (store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_t *self = *self_p;
    cJSON_Delete (self->doc);
    s_history_clear (self);
    free (self->seen_text);
    free (self->dir);
    free (self->path);
    free (self->history_path);
    free (self);
    *self_p = NULL;
}

const char *store_epoch (store_t *self) { return self->epoch; }
uint64_t store_rev (store_t *self) { return self->rev; }
uint64_t store_section_rev (store_t *self, ddc_section_t s) { return self->revs[s]; }
const cJSON *store_document (store_t *self) { return self->doc; }

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
        cJSON_AddNumberToObject (out, ddc_section_name ((ddc_section_t) s), (double) self->revs[s]);
    return out;
}

/* Names of secret fields whose value differs. */
static cJSON *
s_secrets_changed (ddc_section_t s, const cJSON *old_value, const cJSON *new_value)
{
    cJSON *out = cJSON_CreateArray ();
    for (const char *const *f = ddc_section_secrets (s); f && *f; f++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive (old_value, *f);
        const cJSON *b = cJSON_GetObjectItemCaseSensitive (new_value, *f);
        if (!ddc_config_equal (a, b)) {
            char *name = ddc_asprintf ("%s.%s", ddc_section_name (s), *f);
            cJSON_AddItemToArray (out, cJSON_CreateString (name));
            free (name);
        }
    }
    return out;
}

/* Record a committed change in the history (memory + file); the broker
   writes it to the audit log (audit.c) as it publishes it. */
static void
s_record (store_t *self, const store_change_t *change, const cJSON *new_value,
          const char *author, const char *peer)
{
    char when[32];
    ddc_iso_time (ddc_wall_ms (), when);
    cJSON *entry = cJSON_CreateObject ();
    cJSON_AddNumberToObject (entry, "rev", (double) change->rev);
    cJSON_AddNumberToObject (entry, "prev_rev", (double) change->prev_rev);
    cJSON_AddStringToObject (entry, "section", ddc_section_name (change->section));
    cJSON_AddStringToObject (entry, "time", when);
    cJSON_AddStringToObject (entry, "author", author ? author : "");
    cJSON_AddStringToObject (entry, "peer", peer ? peer : "");
    cJSON_AddItemToObject (entry, "changed", cJSON_Duplicate (change->changed, 1));
    cJSON *redacted = ddc_config_redact (change->section, new_value);
    char *value = cJSON_PrintUnformatted (redacted);
    cJSON_Delete (redacted);
    s_history_add (self, change->rev, change->section, entry, value);
    char *line = s_history_line (self, &self->history[self->history_n - 1]);
    if (ddc_append_line (self->history_path, line, 0600, false) < 0)
        ddc_warn ("cannot append to %s: %s", self->history_path, strerror (errno));
    free (line);
    if (++self->history_lines > 2 * STORE_HISTORY_MAX)
        s_history_compact (self);
}

/* Commit new values for the sections flagged in `vals` as one durable write,
   one revision per section. Fills changes[]. Returns count or -1. */
static int
s_commit (store_t *self, cJSON *vals[DDC_SEC_COUNT], const char *author, const char *peer,
          store_change_t changes[DDC_SEC_COUNT], char *err, size_t errlen)
{
    cJSON *doc = cJSON_Duplicate (self->doc, 1);
    uint64_t rev = self->rev;
    uint64_t revs[DDC_SEC_COUNT];
    memcpy (revs, self->revs, sizeof revs);
    int count = 0;
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        if (!vals[s])
            continue;
        const char *name = ddc_section_name ((ddc_section_t) s);
        store_change_t *c = &changes[count++];
        c->section = (ddc_section_t) s;
        c->prev_rev = revs[s];
        c->rev = ++rev;
        c->changed = ddc_config_diff ((ddc_section_t) s, store_section (self, (ddc_section_t) s),
                                      vals[s]);
        c->secrets_changed = s_secrets_changed ((ddc_section_t) s,
                                                store_section (self, (ddc_section_t) s), vals[s]);
        revs[s] = rev;
        cJSON_ReplaceItemInObjectCaseSensitive (doc, name, cJSON_Duplicate (vals[s], 1));
    }
    if (s_write (self, doc, rev, revs) < 0) {
        snprintf (err, errlen, "cannot write %s: %s", self->path, strerror (errno));
        cJSON_Delete (doc);
        for (int i = 0; i < count; i++)
            store_change_free (&changes[i]);
        return -1;
    }
    cJSON_Delete (self->doc);
    self->doc = doc;
    self->rev = rev;
    memcpy (self->revs, revs, sizeof revs);
    for (int i = 0; i < count; i++)
        s_record (self, &changes[i], vals[changes[i].section], author, peer);
    return count;
}

store_result_t
store_save (store_t *self, ddc_section_t s, const cJSON *value, uint64_t expected,
            const char *author, const char *peer, cJSON *errors, store_change_t *change,
            char *err, size_t errlen)
{
    cJSON *incoming = cJSON_Duplicate (value, 1);
    ddc_config_keep_secrets (s, incoming, store_section (self, s));
    cJSON *normal = ddc_config_validate_section (s, incoming, self->doc, errors);
    cJSON_Delete (incoming);
    if (!normal)
        return STORE_INVALID;
    if (expected != 0 && expected != self->revs[s]) {
        cJSON_Delete (normal);
        return STORE_CONFLICT;
    }
    if (ddc_config_equal (normal, store_section (self, s))) {
        cJSON_Delete (normal);
        return STORE_UNCHANGED;
    }
    cJSON *vals[DDC_SEC_COUNT] = { 0 };
    vals[s] = normal;
    store_change_t changes[DDC_SEC_COUNT];
    memset (changes, 0, sizeof changes);
    int n = s_commit (self, vals, author, peer, changes, err, errlen);
    cJSON_Delete (normal);
    if (n < 0)
        return STORE_FAILED;
    *change = changes[0];
    return STORE_OK;
}

void
store_change_free (store_change_t *change)
{
    cJSON_Delete (change->changed);
    cJSON_Delete (change->secrets_changed);
    change->changed = change->secrets_changed = NULL;
}

/* The retained entry of section s (or any, s < 0) at revision rev, or NULL
   (gone = true when rev is older than the retained history). */
static const s_entry_t *
s_history_find (store_t *self, int s, uint64_t rev, bool *gone)
{
    *gone = false;
    if (self->history_n == 0 || rev < self->history[0].rev) {
        /* Revision 1 is the created default when nothing older was lost. */
        *gone = rev != 0;
        return NULL;
    }
    for (int i = 0; i < self->history_n; i++)
        if (self->history[i].rev == rev && (s < 0 || self->history[i].section == s))
            return &self->history[i];
    return NULL;
}

cJSON *
store_history_value (store_t *self, ddc_section_t s, uint64_t rev, bool *gone)
{
    const s_entry_t *e = s_history_find (self, (int) s, rev, gone);
    char why[128];
    return e ? ddc_json_parse (e->value, e->bytes, STORE_FILE_MAX, why, sizeof why) : NULL;
}

cJSON *
store_history_entry (store_t *self, int section, uint64_t rev, bool *gone)
{
    const s_entry_t *e = s_history_find (self, section, rev, gone);
    if (!e)
        return NULL;
    cJSON *out = cJSON_Duplicate (e->meta, 1);
    cJSON_AddItemToObject (out, "value", cJSON_CreateRaw (e->value));
    return out;
}

cJSON *
store_history (store_t *self, int section)
{
    cJSON *out = cJSON_CreateArray ();
    for (int i = 0; i < self->history_n; i++) {
        const s_entry_t *e = &self->history[i];
        if (section >= 0 && e->section != section)
            continue;
        cJSON *copy = cJSON_Duplicate (e->meta, 1);
        /* A summary names at most STORE_SUMMARY_CHANGED fields. */
        cJSON *changed = cJSON_GetObjectItemCaseSensitive (copy, "changed");
        if (cJSON_GetArraySize (changed) > STORE_SUMMARY_CHANGED) {
            while (cJSON_GetArraySize (changed) > STORE_SUMMARY_CHANGED)
                cJSON_DeleteItemFromArray (changed, STORE_SUMMARY_CHANGED);
            cJSON_AddItemToArray (changed, cJSON_CreateString ("..."));
        }
        cJSON_AddNumberToObject (copy, "bytes", (double) e->bytes);
        cJSON_AddItemToArray (out, copy);
    }
    return out;
}

int
store_poll_file (store_t *self, store_change_t changes[DDC_SEC_COUNT])
{
    struct stat st;
    if (stat (self->path, &st) < 0) {
        if (!self->bad_edit_logged)
            ddc_warn ("%s is gone: keeping the last good configuration; it is written again "
                      "at the next change", self->path);
        self->bad_edit_logged = true;
        return -1;
    }
    if (s_same_stat (&st, &self->seen))
        return 0;
    char *text = NULL;
    size_t len = 0;
    if (ddc_read_file (self->path, STORE_FILE_MAX, &text, &len) < 0) {
        ddc_warn ("cannot read %s: %s", self->path, strerror (errno));
        self->seen = st;
        return -1;
    }
    if (self->seen_text && strcmp (text, self->seen_text) == 0) {
        self->seen = st;   /* touched, not changed */
        free (text);
        return 0;
    }
    self->seen = st;
    free (self->seen_text);
    self->seen_text = text;
    char why[160];
    cJSON *parsed = ddc_json_parse (text, len, STORE_FILE_MAX, why, sizeof why);
    if (!parsed) {
        ddc_error ("hand edit of %s refused: not valid JSON: %s; keeping revision %llu",
                   self->path, why, (unsigned long long) self->rev);
        return -1;
    }
    /* "***" in a hand edit keeps the current secret, as in a save. */
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive (parsed, ddc_section_name ((ddc_section_t) s));
        if (v)
            ddc_config_keep_secrets ((ddc_section_t) s, v, store_section (self, (ddc_section_t) s));
    }
    cJSON *errors = cJSON_CreateArray ();
    cJSON *doc = ddc_config_validate_document (parsed, errors);
    cJSON_Delete (parsed);
    if (!doc) {
        ddc_error ("hand edit of %s refused: %d error(s); keeping revision %llu",
                   self->path, cJSON_GetArraySize (errors), (unsigned long long) self->rev);
        const cJSON *e;
        int shown = 0;
        cJSON_ArrayForEach (e, errors) {
            if (shown++ == 20)
                break;
            const cJSON *f = cJSON_GetObjectItemCaseSensitive (e, "field");
            const cJSON *m = cJSON_GetObjectItemCaseSensitive (e, "message");
            ddc_error ("  %s: %s", cJSON_IsString (f) ? f->valuestring : "?",
                       cJSON_IsString (m) ? m->valuestring : "?");
        }
        cJSON_Delete (errors);
        return -1;
    }
    cJSON_Delete (errors);
    cJSON *vals[DDC_SEC_COUNT] = { 0 };
    int differing = 0;
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive (doc, ddc_section_name ((ddc_section_t) s));
        if (!ddc_config_equal (v, store_section (self, (ddc_section_t) s))) {
            vals[s] = v;
            differing++;
        }
    }
    int n = 0;
    if (!differing) {
        /* Same sections, other bytes (a changed or restored _meta, layout):
           write the file back so that its revisions are ours again. */
        if (s_write (self, self->doc, self->rev, self->revs) < 0)
            ddc_warn ("cannot rewrite %s: %s", self->path, strerror (errno));
    }
    if (differing) {
        char err[256];
        n = s_commit (self, vals, "file", "config.json", changes, err, sizeof err);
        if (n < 0)
            ddc_error ("hand edit of %s: %s", self->path, err);
        else
            ddc_info ("hand edit of %s applied: %d section(s), now revision %llu", self->path, n,
                      (unsigned long long) self->rev);
    }
    cJSON_Delete (doc);
    return n;
}
