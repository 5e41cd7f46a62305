/*  import_ddc: DockerDiscordControl's folder into ddc's sections. See
    import_ddc.h. The formats read here are DockerDiscordControl's (2.3 and
    older, 1.x), as its loader reads them: config.json, then auth.json and
    web_ui.json over it; containers/<name>.json; channels/<id>.json with
    channels/default.json; the channel_permissions of config.json and of
    channels_config.json when channels/ has none; spam_protection in
    channels_config.json (1.x: config.json); admins.json;
    server_order.json; tasks.json. */
#include "import_ddc.h"
#include "ddc_config.h"
#include "ddc_json.h"
#include "ddc_pwhash.h"
#include "ddc_schedule.h"
#include "ddc_util.h"
#include "fernet.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define S_PATH 256         //  a field path
#define S_SAFE 64          //  user text quoted in a path or a message
#define S_LIST 8           //  names listed in one note, then "..."
#define S_HUGE 1000000000L //  "no upper limit" for a whole number

//  ---- the files ------------------------------------------------------------

typedef struct {
    char *name;
    char *data; //  NULL: present, not read
    size_t len;
    char *problem; //  why it could not be read, or NULL
} s_file_t;

struct _import_files_t {
    s_file_t *files;
    size_t count, cap;
    size_t total;
};

import_files_t *
import_files_new (void)
{
    return ddc_calloc (1, sizeof (import_files_t));
}

void
import_files_destroy (import_files_t **self_p)
{
    import_files_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++) {
        if (self->files [i].data)
            explicit_bzero (self->files [i].data, self->files [i].len);
        free (self->files [i].name);
        free (self->files [i].data);
        free (self->files [i].problem);
    }
    free (self->files);
    free (self);
    *self_p = NULL;
}

int
import_files_add (import_files_t *self, const char *name, const void *data, size_t len,
                  const char *problem)
{
    if (self->count >= IMPORT_FILES_MAX || (data && len > IMPORT_FILE_MAX)
        || (data && self->total + len > IMPORT_TOTAL_MAX))
        return -1;
    if (self->count == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 32;
        self->files = ddc_realloc (self->files, self->cap * sizeof (s_file_t));
    }
    s_file_t *f = &self->files [self->count++];
    f->name = ddc_strdup (name);
    f->data = NULL;
    f->len = 0;
    f->problem = problem ? ddc_strdup (problem) : NULL;
    if (data && !problem) {
        f->data = ddc_malloc (len + 1);
        memcpy (f->data, data, len);
        f->data [len] = '\0';
        f->len = len;
        self->total += len;
    }
    return 0;
}

size_t
import_files_count (const import_files_t *self)
{
    return self->count;
}

const char *
import_files_name (const import_files_t *self, size_t index)
{
    return index < self->count ? self->files [index].name : NULL;
}

static const s_file_t *
s_file (const import_files_t *self, const char *name)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->files [i].name, name) == 0)
            return &self->files [i];
    return NULL;
}

//  The JSON files at the top that the import reads, and the others whose
//  presence gets a note.
static const char *const s_read_files [] = { "config.json",
                                             "auth.json",
                                             "web_ui.json",
                                             "docker_settings.json",
                                             "channels_config.json",
                                             "admins.json",
                                             "server_order.json",
                                             "tasks.json",
                                             NULL };
static const char *const s_seen_files [] = { "auto_actions.json",
                                             "channel_translations.json",
                                             "mech_state.json",
                                             "evolution_mode.json",
                                             "container_timeouts.json",
                                             "bot_config.json",
                                             "docker_config.json",
                                             "web_config.json",
                                             "config_v1.json",
                                             "progress",
                                             NULL };

//  Read dir/name (a regular file) and add it; a file that cannot be read
//  is added with the reason. -1 (err set) only when a limit is reached.
static int
s_read_one (import_files_t *self, const char *dir, const char *name, char *err, size_t errlen)
{
    char *path = ddc_asprintf ("%s/%s", dir, name);
    struct stat st;
    char *data = NULL;
    size_t len = 0;
    const char *problem = NULL;
    char why [128];
    if (stat (path, &st) < 0) {
        snprintf (why, sizeof (why), "%s", strerror (errno));
        problem = why;
    }
    else if (!S_ISREG (st.st_mode))
        problem = "not a regular file";
    else if (st.st_size > IMPORT_FILE_MAX)
        problem = "larger than 1 MiB";
    else if (ddc_read_file (path, IMPORT_FILE_MAX, &data, &len) < 0) {
        snprintf (why, sizeof (why), "%s", errno == EFBIG ? "larger than 1 MiB" : strerror (errno));
        problem = why;
    }
    free (path);
    int rc = 0;
    if (import_files_add (self, name, problem ? NULL : data, len, problem) < 0) {
        snprintf (err, errlen, "%s: the folder holds more than %d files or %d MiB of them", name,
                  IMPORT_FILES_MAX, IMPORT_TOTAL_MAX / (1024 * 1024));
        rc = -1;
    }
    if (data)
        explicit_bzero (data, len);
    free (data);
    return rc;
}

static int
s_cmp_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

//  The *.json files of dir/sub, sorted, read and added as "sub/NAME".
static int
s_read_sub (import_files_t *self, const char *dir, const char *sub, char *err, size_t errlen)
{
    char *path = ddc_asprintf ("%s/%s", dir, sub);
    struct stat st;
    int rc = 0;
    if (stat (path, &st) < 0) {
        free (path);
        return 0; //  no such folder: nothing in it
    }
    if (!S_ISDIR (st.st_mode)) {
        free (path);
        char *name = ddc_asprintf ("%s/", sub);
        if (import_files_add (self, name, NULL, 0, "not a folder") < 0)
            rc = -1;
        free (name);
        return rc;
    }
    DIR *d = opendir (path);
    if (!d) {
        char *name = ddc_asprintf ("%s/", sub);
        if (import_files_add (self, name, NULL, 0, strerror (errno)) < 0)
            rc = -1;
        free (name);
        free (path);
        return rc;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir (d))) {
        size_t n = strlen (e->d_name);
        if (n <= 5 || e->d_name [0] == '.' || strcmp (e->d_name + n - 5, ".json") != 0)
            continue;
        if (count >= IMPORT_FILES_MAX) {
            snprintf (err, errlen, "%s/ holds more than %d .json files", sub, IMPORT_FILES_MAX);
            rc = -1;
            break;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            names = ddc_realloc (names, cap * sizeof (char *));
        }
        names [count++] = ddc_asprintf ("%s/%s", sub, e->d_name);
    }
    closedir (d);
    free (path);
    if (count)
        qsort (names, count, sizeof (char *), s_cmp_names);
    for (size_t i = 0; i < count; i++) {
        if (rc == 0)
            rc = s_read_one (self, dir, names [i], err, errlen);
        free (names [i]);
    }
    free (names);
    return rc;
}

int
import_files_read_dir (import_files_t *self, const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (stat (dir, &st) < 0) {
        snprintf (err, errlen, "%s: %s", dir, strerror (errno));
        return -1;
    }
    if (!S_ISDIR (st.st_mode)) {
        snprintf (err, errlen, "%s is not a folder (give the folder that holds config.json)", dir);
        return -1;
    }
    DIR *d = opendir (dir);
    if (!d) {
        snprintf (err, errlen, "%s: %s", dir, strerror (errno));
        return -1;
    }
    closedir (d);
    for (int i = 0; s_read_files [i]; i++) {
        char *path = ddc_asprintf ("%s/%s", dir, s_read_files [i]);
        bool there = lstat (path, &st) == 0;
        free (path);
        if (there && s_read_one (self, dir, s_read_files [i], err, errlen) < 0)
            return -1;
    }
    for (int i = 0; s_seen_files [i]; i++) {
        char *path = ddc_asprintf ("%s/%s", dir, s_seen_files [i]);
        bool there = lstat (path, &st) == 0;
        free (path);
        if (there && import_files_add (self, s_seen_files [i], NULL, 0, NULL) < 0) {
            snprintf (err, errlen, "the folder holds more than %d files", IMPORT_FILES_MAX);
            return -1;
        }
    }
    if (s_read_sub (self, dir, "containers", err, errlen) < 0
        || s_read_sub (self, dir, "channels", err, errlen) < 0)
        return -1;
    return 0;
}

//  ---- reports --------------------------------------------------------------

void
import_report (cJSON *list, int max, const char *file, const char *field, const char *fmt, ...)
{
    int size = cJSON_GetArraySize (list);
    if (size > max)
        return;
    char message [512];
    if (size == max)
        snprintf (message, sizeof (message), "... and more (only the first %d are listed)", max);
    else {
        va_list ap;
        va_start (ap, fmt);
        vsnprintf (message, sizeof (message), fmt, ap);
        va_end (ap);
    }
    cJSON *item = cJSON_CreateObject ();
    cJSON_AddStringToObject (item, "file", size == max ? "" : file ? file : "");
    cJSON_AddStringToObject (item, "field", size == max ? "" : field ? field : "");
    cJSON_AddStringToObject (item, "message", message);
    cJSON_AddItemToArray (list, item);
}

//  ---- the mapping context --------------------------------------------------

typedef struct {
    const import_files_t *files;
    const import_opts_t *opts;
    import_t *out;
    cJSON *docs; //  file name -> parsed value (null: unusable)
    bool v1;     //  the 1.x single config.json
} s_ctx_t;

#define S_ERR(ctx, file, field, ...) \
    import_report ((ctx)->out->errors, IMPORT_ERRORS_MAX, file, field, __VA_ARGS__)
#define S_NOTE(ctx, file, field, ...) \
    import_report ((ctx)->out->notes, IMPORT_NOTES_MAX, file, field, __VA_ARGS__)

//  User text fit for a path or a message: printable ASCII, others '?',
//  at most S_SAFE characters then "...".
static const char *
s_safe (const char *in, char out [S_SAFE + 4])
{
    size_t o = 0;
    for (size_t i = 0; in && in [i] && o < S_SAFE; i++) {
        unsigned char c = (unsigned char) in [i];
        out [o++] = c >= 0x20 && c < 0x7f ? (char) c : '?';
    }
    if (in && strlen (in) > S_SAFE)
        out [o++] = '.', out [o++] = '.', out [o++] = '.';
    out [o] = '\0';
    return out;
}

//  "prefix.key", or "key" for an empty prefix.
static const char *
s_at (char out [S_PATH], const char *prefix, const char *key)
{
    char safe [S_SAFE + 4];
    if (snprintf (out, S_PATH, "%s%s%s", prefix, *prefix ? "." : "", s_safe (key, safe)) >= S_PATH)
        memcpy (out + S_PATH - 4, "...", 4); //  a path this long is cut
    return out;
}

//  Report each key given twice in the objects of item (recursively).
static void
s_check_dups (s_ctx_t *ctx, const char *file, const cJSON *item, const char *path, int depth)
{
    if (depth > 64 || !(cJSON_IsObject (item) || cJSON_IsArray (item)))
        return;
    size_t n = 0;
    for (const cJSON *c = item->child; c; c = c->next)
        n++;
    if (cJSON_IsObject (item) && n > 1) {
        const char **keys = ddc_malloc (n * sizeof (char *));
        size_t k = 0;
        for (const cJSON *c = item->child; c; c = c->next)
            keys [k++] = c->string ? c->string : "";
        qsort (keys, n, sizeof (char *), s_cmp_names);
        for (size_t i = 1; i < n; i++)
            if (strcmp (keys [i], keys [i - 1]) == 0 && (i < 2 || strcmp (keys [i], keys [i - 2]))) {
                char at [S_PATH];
                S_ERR (ctx, file, s_at (at, path, keys [i]),
                       "given more than once (which one counts is unclear)");
            }
        free (keys);
    }
    int index = 0;
    for (const cJSON *c = item->child; c; c = c->next, index++) {
        char sub [S_PATH];
        if (cJSON_IsObject (item))
            s_at (sub, path, c->string);
        else
            snprintf (sub, sizeof (sub), "%s[%d]", path, index);
        s_check_dups (ctx, file, c, sub, depth + 1);
    }
}

//  The parsed content of a file, or NULL when it is absent or unusable
//  (then the reason is reported, once).
static const cJSON *
s_doc (s_ctx_t *ctx, const char *name)
{
    const cJSON *cached = cJSON_GetObjectItemCaseSensitive (ctx->docs, name);
    if (cached)
        return cJSON_IsNull (cached) ? NULL : cached;
    const s_file_t *f = s_file (ctx->files, name);
    if (!f || (!f->data && !f->problem))
        return NULL;
    cJSON *json = NULL;
    if (f->problem)
        S_ERR (ctx, name, "", "cannot be read: %s", f->problem);
    else {
        char err [256];
        json = ddc_json_parse (f->data, f->len, IMPORT_FILE_MAX, err, sizeof (err));
        if (!json)
            S_ERR (ctx, name, "", "not valid JSON: %s", err);
        else {
            int before = cJSON_GetArraySize (ctx->out->errors);
            //  tasks.json holds a list, every other file an object
            if (strcmp (name, "tasks.json") == 0 ? !cJSON_IsArray (json) : !cJSON_IsObject (json))
                S_ERR (ctx, name, "", "must hold a JSON %s",
                       strcmp (name, "tasks.json") == 0 ? "list of tasks" : "object");
            else
                s_check_dups (ctx, name, json, "", 0);
            if (cJSON_GetArraySize (ctx->out->errors) != before) {
                cJSON_Delete (json);
                json = NULL;
            }
        }
    }
    cJSON_AddItemToObject (ctx->docs, name, json ? json : cJSON_CreateNull ());
    return json;
}

//  ---- typed access: 1 present and of the type (out set), 0 absent or
//  null, -1 of another type (reported) ----------------------------------

static const cJSON *
s_item (const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_IsObject (obj) ? cJSON_GetObjectItemCaseSensitive (obj, key) : NULL;
    return item && !cJSON_IsNull (item) ? item : NULL;
}

static int
s_str (s_ctx_t *ctx, const char *file, const cJSON *obj, const char *prefix, const char *key,
       const char **out)
{
    const cJSON *item = s_item (obj, key);
    *out = NULL;
    if (!item)
        return 0;
    if (!cJSON_IsString (item)) {
        char at [S_PATH];
        S_ERR (ctx, file, s_at (at, prefix, key), "must be a string%s",
               cJSON_IsNumber (item) ? " (write a Discord id in quotes: a JSON number this "
                                       "long loses digits)"
                                     : "");
        return -1;
    }
    *out = item->valuestring;
    return 1;
}

static int
s_bool (s_ctx_t *ctx, const char *file, const cJSON *obj, const char *prefix, const char *key,
        bool *out)
{
    const cJSON *item = s_item (obj, key);
    if (!item)
        return 0;
    if (!cJSON_IsBool (item)) {
        char at [S_PATH];
        S_ERR (ctx, file, s_at (at, prefix, key), "must be true or false");
        return -1;
    }
    *out = cJSON_IsTrue (item);
    return 1;
}

//  A whole number in [lo, hi]; digits: a string of digits counts too.
static int
s_int_item (s_ctx_t *ctx, const char *file, const cJSON *item, const char *at, bool digits, long lo,
            long hi, long *out)
{
    double v;
    if (cJSON_IsNumber (item))
        v = item->valuedouble;
    else if (digits && cJSON_IsString (item) && item->valuestring [0]
             && strspn (item->valuestring, "0123456789") == strlen (item->valuestring)
             && strlen (item->valuestring) < 10)
        v = (double) atol (item->valuestring);
    else {
        S_ERR (ctx, file, at, "must be a whole number");
        return -1;
    }
    if (!isfinite (v) || v != floor (v)) {
        S_ERR (ctx, file, at, "must be a whole number");
        return -1;
    }
    if (v < (double) lo || v > (double) hi) {
        if (hi >= S_HUGE)
            S_ERR (ctx, file, at, "must be at least %ld", lo);
        else
            S_ERR (ctx, file, at, "must be between %ld and %ld", lo, hi);
        return -1;
    }
    *out = (long) v;
    return 1;
}

static int
s_int (s_ctx_t *ctx, const char *file, const cJSON *obj, const char *prefix, const char *key,
       bool digits, long lo, long hi, long *out)
{
    const cJSON *item = s_item (obj, key);
    if (!item)
        return 0;
    char at [S_PATH];
    return s_int_item (ctx, file, item, s_at (at, prefix, key), digits, lo, hi, out);
}

//  A member that must be an object (want_array false) or a list.
static int
s_member (s_ctx_t *ctx, const char *file, const cJSON *obj, const char *prefix, const char *key,
          bool want_array, const cJSON **out)
{
    const cJSON *item = s_item (obj, key);
    *out = NULL;
    if (!item)
        return 0;
    if (want_array ? !cJSON_IsArray (item) : !cJSON_IsObject (item)) {
        char at [S_PATH];
        S_ERR (ctx, file, s_at (at, prefix, key), "must be %s", want_array ? "a list" : "an object");
        return -1;
    }
    *out = item;
    return 1;
}

#define s_obj(ctx, file, obj, prefix, key, out) s_member (ctx, file, obj, prefix, key, false, out)
#define s_arr(ctx, file, obj, prefix, key, out) s_member (ctx, file, obj, prefix, key, true, out)

//  s cut to max code points (a copy, caller frees); *cut tells whether it
//  was longer.
static char *
s_cut (const char *s, size_t max, bool *cut)
{
    size_t len = strlen (s), at = 0, chars = 0, n;
    while (at < len && chars < max && (n = ddc_utf8_seq (s + at, len - at)) > 0) {
        at += n;
        chars++;
    }
    *cut = at < len;
    return ddc_strndup (s, at);
}

//  A note naming the keys of obj that are not in known (a list of at most
//  S_LIST names, then "and N more").
static void
s_note_unknown (s_ctx_t *ctx, const char *file, const char *prefix, const cJSON *obj,
                const char *const *known, const char *why)
{
    char list [S_LIST * (S_SAFE + 6) + 32] = "";
    int count = 0;
    for (const cJSON *c = cJSON_IsObject (obj) ? obj->child : NULL; c; c = c->next) {
        bool is_known = false;
        for (int i = 0; known [i] && !is_known; i++)
            is_known = c->string && strcmp (c->string, known [i]) == 0;
        if (is_known)
            continue;
        if (count++ < S_LIST) {
            char safe [S_SAFE + 4];
            strcat (list, count > 1 ? ", " : "");
            strcat (list, s_safe (c->string, safe));
        }
    }
    if (count > S_LIST)
        snprintf (list + strlen (list), sizeof (list) - strlen (list), " and %d more",
                  count - S_LIST);
    if (count)
        S_NOTE (ctx, file, prefix, "%s: %s", list, why);
}

//  ---- origins --------------------------------------------------------------

//  The origin of an object section's field.
static void
s_origin_field (s_ctx_t *ctx, const char *section, const char *key, const char *file,
                const char *field)
{
    cJSON *sec = cJSON_GetObjectItemCaseSensitive (ctx->out->origins, section);
    if (!sec)
        sec = cJSON_AddObjectToObject (ctx->out->origins, section);
    cJSON_DeleteItemFromObjectCaseSensitive (sec, key);
    cJSON *o = cJSON_AddObjectToObject (sec, key);
    cJSON_AddStringToObject (o, "file", file);
    cJSON_AddStringToObject (o, "field", field);
}

//  A new origin of a list element: {"file", "field", "fields": {}}.
static cJSON *
s_origin_new (const char *file, const char *prefix)
{
    cJSON *o = cJSON_CreateObject ();
    cJSON_AddStringToObject (o, "file", file);
    cJSON_AddStringToObject (o, "field", prefix);
    cJSON_AddObjectToObject (o, "fields");
    return o;
}

//  ddc key -> the DockerDiscordControl field under the element's prefix.
static void
s_origin_map (cJSON *origin, const char *key, const char *field)
{
    cJSON *fields = cJSON_GetObjectItemCaseSensitive (origin, "fields");
    cJSON_DeleteItemFromObjectCaseSensitive (fields, key);
    cJSON_AddStringToObject (fields, key, field);
}

static const char *
s_section_file (const import_t *self, const char *section)
{
    bool v1 = strcmp (self->layout, "1.x") == 0;
    if (strcmp (section, "containers") == 0)
        return v1 ? "config.json" : "containers/";
    if (strcmp (section, "channels") == 0)
        return v1 ? "config.json" : "channels/";
    if (strcmp (section, "admins") == 0)
        return "admins.json";
    if (strcmp (section, "spam") == 0)
        return v1 ? "config.json" : "channels_config.json";
    if (strcmp (section, "tasks") == 0)
        return "tasks.json";
    return "config.json";
}

void
import_origin (const import_t *self, const char *ddc_field, char *file, size_t filelen, char *field,
               size_t fieldlen)
{
    char section [32];
    size_t n = strcspn (ddc_field, ".[");
    snprintf (section, sizeof (section), "%.*s", (int) (n < 31 ? n : 31), ddc_field);
    const char *rest = ddc_field + n;
    snprintf (file, filelen, "%s", s_section_file (self, section));
    snprintf (field, fieldlen, "%s", "");
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive (self->origins, section);
    const cJSON *origin = NULL;
    if (*rest == '.' && cJSON_IsObject (sec)) {
        //  an object section: its field's origin, then the rest of the path
        char key [64];
        size_t k = strcspn (rest + 1, ".[");
        snprintf (key, sizeof (key), "%.*s", (int) (k < 63 ? k : 63), rest + 1);
        origin = cJSON_GetObjectItemCaseSensitive (sec, key);
        if (origin) {
            snprintf (file, filelen, "%s",
                      cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (origin, "file")));
            snprintf (field, fieldlen, "%s%s",
                      cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (origin, "field")),
                      rest + 1 + k);
        }
        return;
    }
    if (*rest != '[' || !cJSON_IsArray (sec))
        return;
    char *end = NULL;
    long index = strtol (rest + 1, &end, 10);
    if (!end || *end != ']' || index < 0)
        return;
    origin = cJSON_GetArrayItem (sec, (int) index);
    if (!origin)
        return;
    const char *ofile = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (origin, "file"));
    const char *prefix = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (origin, "field"));
    snprintf (file, filelen, "%s", ofile ? ofile : "");
    rest = end + 1;
    if (*rest == '.')
        rest++;
    //  the longest mapped start of the rest: "info.text", then "info"
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive (origin, "fields");
    char key [S_PATH];
    snprintf (key, sizeof (key), "%s", rest);
    for (;;) {
        const char *mapped = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (fields, key));
        if (mapped) {
            const char *tail = rest + strlen (key);
            if (*mapped == '/') //  a path of its own, not under the prefix
                snprintf (field, fieldlen, "%s%s", mapped + 1, tail);
            else
                snprintf (field, fieldlen, "%s%s%s%s", prefix ? prefix : "",
                          prefix && *prefix && *mapped ? "." : "", mapped, tail);
            return;
        }
        char *cut = strrchr (key, '.');
        char *bracket = strrchr (key, '[');
        if (bracket && (!cut || bracket > cut))
            cut = bracket;
        if (!cut)
            break;
        *cut = '\0';
    }
    snprintf (field, fieldlen, "%s", prefix ? prefix : "");
}

//  ---- bot, web and watchdog ------------------------------------------------

//  A language code of DockerDiscordControl ("de", "pt_BR", "EN") as ddc's
//  ("en" or "de"): set when it is one of them, else "en" with a note.
static void
s_language (s_ctx_t *ctx, cJSON *section, const char *key, const char *file, const char *field,
            const char *code)
{
    char base [8] = "";
    size_t n = strcspn (code, "-_");
    for (size_t i = 0; i < n && i < sizeof (base) - 1; i++)
        base [i] = (char) (code [i] >= 'A' && code [i] <= 'Z' ? code [i] + 32 : code [i]);
    base [n < sizeof (base) - 1 ? n : sizeof (base) - 1] = '\0';
    bool known = n < sizeof (base) && (strcmp (base, "en") == 0 || strcmp (base, "de") == 0);
    if (!known) {
        char safe [S_SAFE + 4];
        S_NOTE (ctx, file, field, "language '%s': ddc speaks English and German; English is used",
                s_safe (code, safe));
    }
    cJSON_AddStringToObject (section, key, known ? base : "en");
    s_origin_field (ctx, strcmp (key, "ui_language") == 0 ? "web" : "bot", key, file, field);
}

//  The bot token: config.json's bot_token, auth.json's over it; an
//  encrypted one (Fernet) is opened with the web password hash.
static void
s_map_token (s_ctx_t *ctx, cJSON *bot, const cJSON *config, const char *hash)
{
    const char *token = NULL, *from = "config.json", *other = NULL;
    if (s_str (ctx, "config.json", config, "", "bot_token", &token) > 0 && !*token)
        token = NULL;
    const cJSON *auth = s_doc (ctx, "auth.json");
    if (auth) {
        if (s_str (ctx, "auth.json", auth, "", "bot_token", &other) > 0 && *other) {
            if (token && strcmp (token, other) != 0)
                S_NOTE (ctx, "auth.json", "bot_token",
                        "used instead of config.json's bot_token, "
                        "as DockerDiscordControl does");
            token = other;
            from = "auth.json";
        }
    }
    if (!token) {
        S_NOTE (ctx, "config.json", "bot_token",
                "no bot token in the folder (if "
                "DockerDiscordControl had it from DISCORD_BOT_TOKEN, give it to ddc with "
                "`ddc-ctl set bot` or on the web UI's Bot page)");
        return;
    }
    if (!fernet_looks_like (token)) {
        cJSON_AddStringToObject (bot, "token", token);
        s_origin_field (ctx, "bot", "token", from, "bot_token");
        return;
    }
    unsigned char key [FERNET_KEY_BYTES];
    char *plain = NULL;
    size_t len = 0;
    int iterations =
        ctx->opts->kdf_iterations > 0 ? ctx->opts->kdf_iterations : FERNET_DDC_ITERATIONS;
    if (hash && fernet_ddc_key (hash, iterations, key) == 0
        && fernet_decrypt (key, token, &plain, &len) == 0 && ddc_utf8_valid (plain, len)
        && len == strlen (plain)) {
        cJSON_AddStringToObject (bot, "token", plain);
        s_origin_field (ctx, "bot", "token", from, "bot_token");
        ctx->out->token_decrypted = true;
    }
    else
        S_NOTE (ctx, from, "bot_token",
                "encrypted, and the web password hash in the folder does "
                "not open it (neither could DockerDiscordControl): not imported; give ddc the "
                "token with `ddc-ctl set bot` or on the web UI's Bot page");
    explicit_bzero (key, sizeof (key));
    if (plain)
        explicit_bzero (plain, len);
    free (plain);
}

//  The web password hash: config.json's, web_ui.json's over it.
static const char *
s_password_hash (s_ctx_t *ctx, const cJSON *config, const char **from)
{
    const char *hash = NULL, *other = NULL;
    *from = "config.json";
    if (s_str (ctx, "config.json", config, "", "web_ui_password_hash", &hash) > 0 && !*hash)
        hash = NULL;
    const cJSON *web_ui = s_doc (ctx, "web_ui.json");
    if (web_ui && s_str (ctx, "web_ui.json", web_ui, "", "web_ui_password_hash", &other) > 0
        && *other) {
        hash = other;
        *from = "web_ui.json";
    }
    return hash;
}

static void
s_map_bot_web (s_ctx_t *ctx, const cJSON *config)
{
    cJSON *bot = cJSON_AddObjectToObject (ctx->out->sections, "bot");
    cJSON *web = cJSON_AddObjectToObject (ctx->out->sections, "web");
    const char *from;
    const char *hash = s_password_hash (ctx, config, &from);
    s_map_token (ctx, bot, config, hash);

    const char *s;
    if (s_str (ctx, "config.json", config, "", "guild_id", &s) > 0) {
        cJSON_AddStringToObject (bot, "guild_id", s);
        s_origin_field (ctx, "bot", "guild_id", "config.json", "guild_id");
    }
    if (s_str (ctx, "config.json", config, "", "language", &s) > 0)
        s_language (ctx, bot, "language", "config.json", "language", s);
    if (s_str (ctx, "config.json", config, "", "timezone", &s) > 0) {
        cJSON_AddStringToObject (bot, "timezone", s);
        s_origin_field (ctx, "bot", "timezone", "config.json", "timezone");
    }
    if (s_str (ctx, "config.json", config, "", "ui_language", &s) > 0)
        s_language (ctx, web, "ui_language", "config.json", "ui_language", s);

    if (!hash)
        S_NOTE (ctx, from, "web_ui_password_hash",
                "no web password in the folder: ddc's web UI "
                "asks for its setup code (`ddc-ctl setup-code`) at the first visit");
    else if (!ddc_pwhash_usable (hash))
        S_NOTE (ctx, from, "web_ui_password_hash",
                "not a password hash ddc can check (werkzeug "
                "pbkdf2 or scrypt): not imported; ddc's web UI asks for its setup code");
    else {
        cJSON_AddStringToObject (web, "password_hash", hash);
        s_origin_field (ctx, "web", "password_hash", from, "web_ui_password_hash");
    }
    const char *user = NULL;
    const cJSON *web_ui = s_doc (ctx, "web_ui.json");
    static const char *const web_known [] = { "web_ui_user", "web_ui_password_hash", NULL };
    static const char *const auth_known [] = { "bot_token", "encryption_enabled", NULL };
    s_note_unknown (ctx, "web_ui.json", "", web_ui, web_known,
                    "settings with no counterpart in ddc: not imported");
    s_note_unknown (ctx, "auth.json", "", s_doc (ctx, "auth.json"), auth_known,
                    "settings with no counterpart in ddc: not imported");
    if ((s_str (ctx, "web_ui.json", web_ui, "", "web_ui_user", &user) > 0
         || s_str (ctx, "config.json", config, "", "web_ui_user", &user) > 0)
        && strcmp (user, "admin") != 0)
        S_NOTE (ctx, web_ui ? "web_ui.json" : "config.json", "web_ui_user",
                "ddc's web UI has no user name, only the password");
}

static void
s_map_watchdog (s_ctx_t *ctx, const cJSON *config)
{
    const cJSON *hb;
    if (s_obj (ctx, "config.json", config, "", "heartbeat", &hb) <= 0)
        return;
    cJSON *wd = cJSON_AddObjectToObject (ctx->out->sections, "watchdog");
    bool enabled = false;
    const char *url = NULL;
    long interval;
    int has_enabled = s_bool (ctx, "config.json", hb, "heartbeat", "enabled", &enabled);
    if (s_str (ctx, "config.json", hb, "heartbeat", "ping_url", &url) > 0) {
        cJSON_AddStringToObject (wd, "url", url);
        s_origin_field (ctx, "watchdog", "url", "config.json", "heartbeat.ping_url");
    }
    if (has_enabled > 0) {
        if (enabled && (!url || !*url)) {
            S_NOTE (ctx, "config.json", "heartbeat.enabled",
                    "on without a ping_url (so it never "
                    "pinged): imported as off");
            enabled = false;
        }
        cJSON_AddBoolToObject (wd, "enabled", enabled);
        s_origin_field (ctx, "watchdog", "enabled", "config.json", "heartbeat.enabled");
    }
    if (s_int (ctx, "config.json", hb, "heartbeat", "interval", true, 1, 1440, &interval) > 0) {
        cJSON_AddNumberToObject (wd, "interval_minutes", (double) interval);
        s_origin_field (ctx, "watchdog", "interval_minutes", "config.json", "heartbeat.interval");
    }
}

//  ---- containers -----------------------------------------------------------

typedef struct {
    cJSON *value; //  the ddc container
    cJSON *origin;
    double order; //  DockerDiscordControl's
    long pos;     //  in server_order
} s_ctr_t;

typedef struct {
    s_ctr_t *items;
    size_t count, cap;
} s_ctrs_t;

static const char *const s_container_known [] = { "container_name",
                                                  "docker_name",
                                                  "name",
                                                  "display_name",
                                                  "active",
                                                  "allowed_actions",
                                                  "allow_detailed_status",
                                                  "order",
                                                  "info",
                                                  "query_enabled",
                                                  "query_protocol",
                                                  "query_host",
                                                  "query_port",
                                                  "query_token",
                                                  NULL };
static const char *const s_info_known [] = {
    "enabled",           "show_ip",           "custom_ip",          "custom_port", "custom_text",
    "protected_enabled", "protected_content", "protected_password", NULL
};

//  info: the text, with a custom address as its last line.
static cJSON *
s_map_info (s_ctx_t *ctx, const char *file, const char *prefix, const cJSON *obj, cJSON *origin)
{
    cJSON *info = cJSON_CreateObject ();
    const cJSON *in;
    char at [S_PATH];
    s_at (at, prefix, "info");
    if (s_obj (ctx, file, obj, prefix, "info", &in) <= 0) {
        cJSON_AddBoolToObject (info, "enabled", false);
        cJSON_AddStringToObject (info, "text", "");
        return info;
    }
    bool enabled = false, show_ip = false, prot = false;
    const char *text = NULL, *ip = NULL, *port = NULL, *secret = NULL;
    char portbuf [24] = "";
    s_bool (ctx, file, in, at, "enabled", &enabled);
    s_bool (ctx, file, in, at, "show_ip", &show_ip);
    s_str (ctx, file, in, at, "custom_text", &text);
    s_str (ctx, file, in, at, "custom_ip", &ip);
    const cJSON *p = s_item (in, "custom_port");
    if (p && cJSON_IsNumber (p)) {
        long n;
        char pat [S_PATH];
        if (s_int_item (ctx, file, p, s_at (pat, at, "custom_port"), false, 0, 65535, &n) > 0
            && n > 0)
            snprintf (portbuf, sizeof (portbuf), "%ld", n);
        port = portbuf;
    }
    else
        s_str (ctx, file, in, at, "custom_port", &port);
    s_bool (ctx, file, in, at, "protected_enabled", &prot);
    s_str (ctx, file, in, at, "protected_content", &secret);
    s_note_unknown (ctx, file, at, in, s_info_known, "not used by ddc");

    char *full = ddc_strdup (text ? text : "");
    if (show_ip && ip && *ip) {
        char *joined = ddc_asprintf ("%s%s%s%s%s", full, *full ? "\n" : "", ip,
                                     port && *port ? ":" : "", port && *port ? port : "");
        free (full);
        full = joined;
        char ipat [S_PATH];
        S_NOTE (ctx, file, s_at (ipat, at, "custom_ip"),
                "ddc has no address line: the address "
                "is the last line of the info text");
    }
    else if (show_ip) {
        char ipat [S_PATH];
        S_NOTE (ctx, file, s_at (ipat, at, "show_ip"),
                "ddc does not look up and show the "
                "host's public address: not imported");
    }
    if (prot || (secret && *secret)) {
        char pat [S_PATH];
        S_NOTE (ctx, file, s_at (pat, at, "protected_content"),
                "ddc has no password-protected "
                "info: not imported (its text and password are not shown here)");
    }
    bool cut;
    char *text_out = s_cut (full, 2000, &cut);
    if (cut)
        S_NOTE (ctx, file, at, "the info text is longer than ddc's 2000 characters: cut");
    cJSON_AddBoolToObject (info, "enabled", enabled);
    cJSON_AddStringToObject (info, "text", text_out);
    free (text_out);
    free (full);
    s_origin_map (origin, "info", "info");
    char sub [S_PATH];
    s_origin_map (origin, "info.enabled", s_at (sub, "info", "enabled"));
    s_origin_map (origin, "info.text", s_at (sub, "info", "custom_text"));
    return info;
}

static void
s_map_actions (s_ctx_t *ctx, const char *file, const char *prefix, const cJSON *obj, cJSON *out)
{
    const cJSON *list;
    if (s_arr (ctx, file, obj, prefix, "allowed_actions", &list) <= 0)
        return;
    char at [S_PATH];
    s_at (at, prefix, "allowed_actions");
    int index = 0;
    for (const cJSON *a = list->child; a; a = a->next, index++) {
        char item [S_PATH + 16];
        snprintf (item, sizeof (item), "%s[%d]", at, index);
        if (!cJSON_IsString (a)) {
            S_ERR (ctx, file, item, "must be a string");
            continue;
        }
        const char *name = a->valuestring;
        if (strcmp (name, "status") == 0)
            continue; //  ddc always shows the state
        if (strcmp (name, "start") && strcmp (name, "stop") && strcmp (name, "restart")
            && strcmp (name, "logs")) {
            char safe [S_SAFE + 4];
            S_NOTE (ctx, file, item, "'%s' is not an action of ddc: not imported",
                    s_safe (name, safe));
            continue;
        }
        bool seen = false;
        for (const cJSON *o = out->child; o && !seen; o = o->next)
            seen = strcmp (o->valuestring, name) == 0;
        if (!seen)
            cJSON_AddItemToArray (out, cJSON_CreateString (name));
    }
}

//  One container from its object: a file of containers/ (v2) or an
//  element of config.json's servers (v1). stem: the file's name, or NULL.
static void
s_map_container (s_ctx_t *ctx, s_ctrs_t *ctrs, const char *file, const char *prefix,
                 const cJSON *obj, const char *stem)
{
    if (!cJSON_IsObject (obj)) {
        S_ERR (ctx, file, prefix, "must be a JSON object");
        return;
    }
    cJSON *origin = s_origin_new (file, prefix);
    const char *docker = NULL, *cname = NULL, *name = NULL, *display = NULL, *label = NULL;
    int has_docker = s_str (ctx, file, obj, prefix, "docker_name", &docker);
    int has_cname = s_str (ctx, file, obj, prefix, "container_name", &cname);
    if (has_docker > 0 && has_cname > 0 && strcmp (docker, cname) != 0) {
        char at [S_PATH], a [S_SAFE + 4], b [S_SAFE + 4];
        S_ERR (ctx, file, s_at (at, prefix, "container_name"),
               "'%s' differs from docker_name "
               "'%s': which container is meant is unclear",
               s_safe (cname, a), s_safe (docker, b));
    }
    if (has_docker > 0 && *docker) {
        name = docker;
        s_origin_map (origin, "name", "docker_name");
    }
    else if (has_cname > 0 && *cname) {
        name = cname;
        s_origin_map (origin, "name", "container_name");
    }
    else if (stem) {
        name = stem;
        s_origin_map (origin, "name", "");
    }
    else if (has_docker >= 0 && has_cname >= 0) {
        char at [S_PATH];
        S_ERR (ctx, file, s_at (at, prefix, "docker_name"),
               "is missing: the container's name "
               "is not known");
    }
    //  display_name: a string, or (an old form) a list whose first entry counts
    const cJSON *dn = s_item (obj, "display_name");
    char at [S_PATH];
    s_at (at, prefix, "display_name");
    if (cJSON_IsString (dn))
        display = dn->valuestring;
    else if (cJSON_IsArray (dn) && (!dn->child || cJSON_IsString (dn->child)))
        display = dn->child ? dn->child->valuestring : NULL;
    else if (dn)
        S_ERR (ctx, file, at, "must be a string");
    if (display && *display)
        s_origin_map (origin, "display_name", "display_name");
    else if (s_str (ctx, file, obj, prefix, "name", &label) > 0 && *label && name
             && strcmp (label, name) != 0) {
        display = label; //  1.x kept the shown name in "name"
        s_origin_map (origin, "display_name", "name");
    }
    else
        display = NULL;

    bool active = ctx->v1 && !stem; //  1.x listed only the selected ones
    if (s_bool (ctx, file, obj, prefix, "active", &active) > 0)
        s_origin_map (origin, "active", "active");
    long order = 999;
    s_int (ctx, file, obj, prefix, "order", true, -1000000, 1000000, &order);
    s_origin_map (origin, "order", "order");
    cJSON *actions = cJSON_CreateArray ();
    s_map_actions (ctx, file, prefix, obj, actions);
    s_origin_map (origin, "allowed_actions", "allowed_actions");
    cJSON *info = s_map_info (ctx, file, prefix, obj, origin);

    bool query = false;
    if (s_bool (ctx, file, obj, prefix, "query_enabled", &query) > 0 && query) {
        char qat [S_PATH];
        S_NOTE (ctx, file, s_at (qat, prefix, "query_enabled"),
                "ddc has no game-server player "
                "counts: not imported");
    }
    s_note_unknown (ctx, file, prefix, obj, s_container_known, "not used by ddc");

    if (!name) {
        cJSON_Delete (actions);
        cJSON_Delete (info);
        cJSON_Delete (origin);
        return;
    }
    cJSON *c = cJSON_CreateObject ();
    cJSON_AddStringToObject (c, "host", ctx->opts->host);
    cJSON_AddStringToObject (c, "name", name);
    cJSON_AddBoolToObject (c, "active", active);
    bool cut = false;
    char *shown = s_cut (display ? display : name, 100, &cut);
    if (cut)
        S_NOTE (ctx, file, at, "longer than ddc's 100 characters: cut");
    cJSON_AddStringToObject (c, "display_name", shown);
    free (shown);
    cJSON_AddNumberToObject (c, "order", 0);
    cJSON_AddItemToObject (c, "allowed_actions", actions);
    cJSON_AddItemToObject (c, "info", info);
    if (ctrs->count == ctrs->cap) {
        ctrs->cap = ctrs->cap ? ctrs->cap * 2 : 32;
        ctrs->items = ddc_realloc (ctrs->items, ctrs->cap * sizeof (s_ctr_t));
    }
    ctrs->items [ctrs->count++] = (s_ctr_t){ c, origin, (double) order, LONG_MAX };
}

static int
s_cmp_ctr (const void *a, const void *b)
{
    const s_ctr_t *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return strcmp (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (x->value, "name")),
                   cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (y->value, "name")));
}

//  server_order.json's list (1.x: config.json's server_order), into each
//  container's pos.
static void
s_server_order (s_ctx_t *ctx, s_ctrs_t *ctrs, const cJSON *config)
{
    const char *file = "server_order.json";
    const cJSON *list = NULL;
    const cJSON *doc = s_doc (ctx, file);
    if (doc)
        s_arr (ctx, file, doc, "", "server_order", &list);
    else if (s_file (ctx->files, file) == NULL) {
        file = "config.json";
        s_arr (ctx, file, config, "", "server_order", &list);
    }
    long index = 0;
    for (const cJSON *n = list ? list->child : NULL; n; n = n->next, index++) {
        char at [S_PATH];
        snprintf (at, sizeof (at), "server_order[%ld]", index);
        if (!cJSON_IsString (n)) {
            S_ERR (ctx, file, at, "must be a string");
            continue;
        }
        bool found = false;
        for (size_t i = 0; i < ctrs->count; i++) {
            const char *name = cJSON_GetStringValue (
                cJSON_GetObjectItemCaseSensitive (ctrs->items [i].value, "name"));
            if (strcmp (name, n->valuestring) == 0 && ctrs->items [i].pos == LONG_MAX) {
                ctrs->items [i].pos = index;
                found = true;
            }
        }
        if (!found) {
            char safe [S_SAFE + 4];
            S_NOTE (ctx, file, at, "'%s' is not among the containers: ignored",
                    s_safe (n->valuestring, safe));
        }
    }
}

static void
s_map_containers (s_ctx_t *ctx, const cJSON *config)
{
    s_ctrs_t ctrs = { 0 };
    bool any_files = false;
    for (size_t i = 0; i < ctx->files->count; i++) {
        const s_file_t *f = &ctx->files->files [i];
        if (strncmp (f->name, "containers/", 11) != 0)
            continue;
        any_files = true;
        const cJSON *doc = s_doc (ctx, f->name);
        if (!doc)
            continue;
        size_t n = strlen (f->name + 11);
        char *stem = n > 5 ? ddc_strndup (f->name + 11, n - 5) : NULL;
        s_map_container (ctx, &ctrs, f->name, "", doc, stem);
        free (stem);
    }
    const cJSON *servers;
    int has_servers = s_arr (ctx, "config.json", config, "", "servers", &servers);
    if (has_servers > 0 && any_files)
        S_NOTE (ctx, "config.json", "servers",
                "ignored: the containers/ folder is used, as "
                "DockerDiscordControl 2.x does");
    else if (has_servers > 0) {
        int index = 0;
        for (const cJSON *s = servers->child; s; s = s->next, index++) {
            char prefix [32];
            snprintf (prefix, sizeof (prefix), "servers[%d]", index);
            s_map_container (ctx, &ctrs, "config.json", prefix, s, NULL);
        }
    }
    s_server_order (ctx, &ctrs, config);
    if (ctrs.count)
        qsort (ctrs.items, ctrs.count, sizeof (s_ctr_t), s_cmp_ctr);
    cJSON *list = cJSON_AddArrayToObject (ctx->out->sections, "containers");
    cJSON *origins = cJSON_AddArrayToObject (ctx->out->origins, "containers");
    for (size_t i = 0; i < ctrs.count; i++) {
        double order = (double) (i + 1) * 10 > 9999 ? 9999 : (double) (i + 1) * 10;
        cJSON_SetNumberValue (cJSON_GetObjectItemCaseSensitive (ctrs.items [i].value, "order"),
                              order);
        cJSON_AddItemToArray (list, ctrs.items [i].value);
        cJSON_AddItemToArray (origins, ctrs.items [i].origin);
    }
    free (ctrs.items);
}

//  ---- channels -------------------------------------------------------------

static const char *const s_channel_known [] = { "channel_id",
                                                "name",
                                                "commands",
                                                "post_initial",
                                                "enable_auto_refresh",
                                                "update_interval_minutes",
                                                "recreate_messages_on_inactivity",
                                                "inactivity_timeout_minutes",
                                                NULL };

//  A number of minutes for ddc (1 to 1440): more is cut to 1440, with a
//  note; 0 when absent or not valid.
static long
s_minutes (s_ctx_t *ctx, const char *file, const cJSON *obj, const char *prefix, const char *key,
           long def)
{
    long v = def;
    if (s_int (ctx, file, obj, prefix, key, true, 1, S_HUGE, &v) < 0)
        return 0;
    if (v > 1440) {
        char at [S_PATH];
        S_NOTE (ctx, file, s_at (at, prefix, key),
                "%ld is more than ddc's 1440 minutes: 1440 "
                "is used",
                v);
        v = 1440;
    }
    return v;
}

//  One channel; id_field: where its id came from ("" = the prefix, i.e.
//  the file name or the key of a map).
static void
s_map_channel (s_ctx_t *ctx, cJSON *list, cJSON *origins, const char *file, const char *prefix,
               const cJSON *obj, const char *id, const char *id_field, int *kinds)
{
    if (!cJSON_IsObject (obj)) {
        S_ERR (ctx, file, prefix, "must be a JSON object");
        return;
    }
    const char *name = "";
    const cJSON *commands;
    bool control = false, ss = false, serverstatus = false;
    bool post = false, refresh_on = true, recreate_on = false;
    s_str (ctx, file, obj, prefix, "name", &name);
    char cat [S_PATH];
    s_at (cat, prefix, "commands");
    if (s_obj (ctx, file, obj, prefix, "commands", &commands) > 0) {
        s_bool (ctx, file, commands, cat, "control", &control);
        s_bool (ctx, file, commands, cat, "serverstatus", &serverstatus);
        s_bool (ctx, file, commands, cat, "ss", &ss);
    }
    s_bool (ctx, file, obj, prefix, "post_initial", &post);
    s_bool (ctx, file, obj, prefix, "enable_auto_refresh", &refresh_on);
    s_bool (ctx, file, obj, prefix, "recreate_messages_on_inactivity", &recreate_on);
    long refresh = s_minutes (ctx, file, obj, prefix, "update_interval_minutes", 10);
    long recreate = s_minutes (ctx, file, obj, prefix, "inactivity_timeout_minutes", 10);
    s_note_unknown (ctx, file, prefix, obj, s_channel_known, "not used by ddc");
    if (!control && !serverstatus && !ss) {
        S_NOTE (ctx, file, cat,
                "neither a status nor a control channel (no serverstatus or "
                "control command): not imported");
        return;
    }
    if (!refresh_on && refresh)
        S_NOTE (ctx, file, s_at (cat, prefix, "enable_auto_refresh"),
                "off: ddc updates the "
                "overview every update_interval_minutes (%ld) in every channel",
                refresh);
    bool cut;
    char *label = s_cut (name ? name : "", 100, &cut);
    if (cut)
        S_NOTE (ctx, file, s_at (cat, prefix, "name"), "longer than ddc's 100 characters: cut");
    cJSON *c = cJSON_CreateObject ();
    cJSON_AddStringToObject (c, "id", id);
    cJSON_AddStringToObject (c, "name", label);
    free (label);
    cJSON_AddStringToObject (c, "kind", control ? "control" : "status");
    cJSON_AddBoolToObject (c, "post_initial", post);
    cJSON_AddNumberToObject (c, "refresh_minutes", (double) (refresh ? refresh : 5));
    cJSON_AddNumberToObject (c, "recreate_minutes", (double) (recreate_on ? recreate : 0));
    cJSON_AddItemToArray (list, c);
    kinds [control ? 1 : 0]++;
    cJSON *origin = s_origin_new (file, prefix);
    s_origin_map (origin, "id", id_field);
    s_origin_map (origin, "name", "name");
    s_origin_map (origin, "kind", "commands");
    s_origin_map (origin, "post_initial", "post_initial");
    s_origin_map (origin, "refresh_minutes", "update_interval_minutes");
    s_origin_map (origin, "recreate_minutes", "inactivity_timeout_minutes");
    cJSON_AddItemToArray (origins, origin);
}

//  The defaults for channels that are not listed.
static void
s_channel_defaults (s_ctx_t *ctx, const char *file, const char *prefix, const cJSON *obj)
{
    const cJSON *commands = s_item (obj, "commands");
    if (cJSON_IsTrue (s_item (commands, "serverstatus")) || cJSON_IsTrue (s_item (commands, "ss"))
        || cJSON_IsTrue (s_item (commands, "control")))
        S_NOTE (ctx, file, prefix,
                "DockerDiscordControl answered in every channel that is not "
                "listed; ddc answers only in the channels listed (add them to channels)");
}

//  channel_permissions of a file: {"ID": {...}, ...}; false when it has none.
static bool
s_channel_map (s_ctx_t *ctx, cJSON *list, cJSON *origins, const char *file, const cJSON *doc,
               int *kinds)
{
    const cJSON *perms;
    if (s_obj (ctx, file, doc, "", "channel_permissions", &perms) <= 0 || !perms->child)
        return false;
    for (const cJSON *c = perms->child; c; c = c->next) {
        char prefix [S_PATH];
        s_at (prefix, "channel_permissions", c->string);
        s_map_channel (ctx, list, origins, file, prefix, c, c->string ? c->string : "", "", kinds);
    }
    const cJSON *def;
    if (s_obj (ctx, file, doc, "", "default_channel_permissions", &def) > 0)
        s_channel_defaults (ctx, file, "default_channel_permissions", def);
    return true;
}

static void
s_map_channels (s_ctx_t *ctx, const cJSON *config)
{
    cJSON *list = cJSON_AddArrayToObject (ctx->out->sections, "channels");
    cJSON *origins = cJSON_AddArrayToObject (ctx->out->origins, "channels");
    int kinds [2] = { 0, 0 };
    bool any = false;
    for (size_t i = 0; i < ctx->files->count; i++) {
        const s_file_t *f = &ctx->files->files [i];
        if (strncmp (f->name, "channels/", 9) != 0)
            continue;
        const cJSON *doc = s_doc (ctx, f->name);
        if (!doc)
            continue;
        if (strcmp (f->name, "channels/default.json") == 0) {
            s_channel_defaults (ctx, f->name, "commands", doc);
            continue;
        }
        any = true;
        size_t n = strlen (f->name + 9);
        char *stem = ddc_strndup (f->name + 9, n > 5 ? n - 5 : 0);
        const char *id = stem, *id_field = "";
        const char *cid;
        if (s_str (ctx, f->name, doc, "", "channel_id", &cid) > 0) {
            id = cid;
            id_field = "channel_id";
        }
        s_map_channel (ctx, list, origins, f->name, "", doc, id, id_field, kinds);
        free (stem);
    }
    //  no channel files: config.json's copy, then channels_config.json, as
    //  DockerDiscordControl falls back
    if (!any && !s_channel_map (ctx, list, origins, "config.json", config, kinds)) {
        const cJSON *cc = s_doc (ctx, "channels_config.json");
        if (cc)
            s_channel_map (ctx, list, origins, "channels_config.json", cc, kinds);
    }
    if (kinds [1])
        S_NOTE (ctx, "", "channels",
                "in DockerDiscordControl everyone in a control channel "
                "could start, stop and restart; in ddc only the admins can (the admins list)");
    if (kinds [0])
        S_NOTE (ctx, "", "channels",
                "ddc's status channels show the state only; admins act in "
                "control channels (DockerDiscordControl also gave them a panel in status "
                "channels)");
}

//  ---- admins ---------------------------------------------------------------

static void
s_map_admins (s_ctx_t *ctx)
{
    const char *file = "admins.json";
    cJSON *list = cJSON_AddArrayToObject (ctx->out->sections, "admins");
    cJSON *origins = cJSON_AddArrayToObject (ctx->out->origins, "admins");
    const cJSON *doc = s_doc (ctx, file);
    const cJSON *ids = NULL, *notes = NULL;
    if (!doc)
        return;
    s_arr (ctx, file, doc, "", "discord_admin_users", &ids);
    s_obj (ctx, file, doc, "", "admin_notes", &notes);
    int index = 0;
    for (const cJSON *id = ids ? ids->child : NULL; id; id = id->next, index++) {
        char at [S_PATH];
        snprintf (at, sizeof (at), "discord_admin_users[%d]", index);
        if (!cJSON_IsString (id)) {
            S_ERR (ctx, file, at, "must be a string%s",
                   cJSON_IsNumber (id)
                       ? " (write a Discord id in quotes: a JSON number this long loses digits)"
                       : "");
            continue;
        }
        bool dup = false;
        for (const cJSON *a = list->child; a && !dup; a = a->next)
            dup = strcmp (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (a, "id")),
                          id->valuestring)
                  == 0;
        if (dup) {
            S_NOTE (ctx, file, at, "listed twice: imported once");
            continue;
        }
        const char *note = "";
        char nat [S_PATH];
        s_at (nat, "admin_notes", id->valuestring);
        const cJSON *n = s_item (notes, id->valuestring);
        if (n && !cJSON_IsString (n))
            S_ERR (ctx, file, nat, "must be a string");
        else if (n)
            note = n->valuestring;
        bool cut;
        char *text = s_cut (note, 100, &cut);
        if (cut)
            S_NOTE (ctx, file, nat, "longer than ddc's 100 characters: cut");
        cJSON *a = cJSON_CreateObject ();
        cJSON_AddStringToObject (a, "id", id->valuestring);
        cJSON_AddStringToObject (a, "note", text);
        free (text);
        cJSON_AddItemToArray (list, a);
        cJSON *origin = s_origin_new (file, at);
        s_origin_map (origin, "id", "");
        char abs [S_PATH + 1];
        snprintf (abs, sizeof (abs), "/%s", nat);
        s_origin_map (origin, "note", abs);
        cJSON_AddItemToArray (origins, origin);
    }
    for (const cJSON *n = notes ? notes->child : NULL; n; n = n->next) {
        bool listed = false;
        for (const cJSON *a = list->child; a && !listed; a = a->next)
            listed = n->string
                     && strcmp (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (a, "id")),
                                n->string)
                            == 0;
        if (!listed) {
            char at [S_PATH];
            S_NOTE (ctx, file, s_at (at, "admin_notes", n->string),
                    "not in "
                    "discord_admin_users: ignored");
        }
    }
}

//  ---- spam -----------------------------------------------------------------

static void
s_cooldowns (s_ctx_t *ctx, const char *file, const char *prefix, const cJSON *sp, const char *key,
             cJSON *spam)
{
    const cJSON *map;
    if (s_obj (ctx, file, sp, prefix, key, &map) <= 0)
        return;
    char at [S_PATH];
    s_at (at, prefix, key);
    const char *const *allowed = ddc_config_cooldown_keys (key);
    //  ddc's defaults, with DockerDiscordControl's values over them
    cJSON *def = ddc_config_default_section (DDC_SEC_SPAM);
    cJSON *out = cJSON_DetachItemFromObjectCaseSensitive (def, key);
    cJSON_Delete (def);
    char unknown [S_LIST * (S_SAFE + 6) + 32] = "";
    int count = 0;
    for (const cJSON *c = map->child; c; c = c->next) {
        char cat [S_PATH];
        long v;
        if (s_int_item (ctx, file, c, s_at (cat, at, c->string), false, 0, S_HUGE, &v) < 0)
            continue;
        bool known = false;
        for (int i = 0; allowed && allowed [i] && !known; i++)
            known = c->string && strcmp (c->string, allowed [i]) == 0;
        if (!known) {
            if (count++ < S_LIST) {
                char safe [S_SAFE + 4];
                strcat (unknown, count > 1 ? ", " : "");
                strcat (unknown, s_safe (c->string, safe));
            }
            continue;
        }
        if (v > 3600) {
            S_NOTE (ctx, file, cat, "%ld seconds is more than ddc's 3600: 3600 is used", v);
            v = 3600;
        }
        cJSON_DeleteItemFromObjectCaseSensitive (out, c->string);
        cJSON_AddNumberToObject (out, c->string, (double) v);
    }
    if (count > S_LIST)
        snprintf (unknown + strlen (unknown), sizeof (unknown) - strlen (unknown), " and %d more",
                  count - S_LIST);
    if (count)
        S_NOTE (ctx, file, at, "%s: ddc has no such %s: not imported", unknown,
                strcmp (key, "command_cooldowns") == 0 ? "commands" : "buttons");
    cJSON_AddItemToObject (spam, key, out);
    s_origin_field (ctx, "spam", key, file, at);
}

static void
s_map_spam (s_ctx_t *ctx, const cJSON *config)
{
    const char *file = "channels_config.json";
    const cJSON *sp = NULL;
    const cJSON *cc = s_doc (ctx, file);
    if (cc)
        s_obj (ctx, file, cc, "", "spam_protection", &sp);
    if (!sp) {
        file = "config.json";
        s_obj (ctx, file, config, "", "spam_protection", &sp);
    }
    if (!sp)
        return;
    cJSON *spam = cJSON_AddObjectToObject (ctx->out->sections, "spam");
    const cJSON *global;
    bool enabled;
    if (s_obj (ctx, file, sp, "spam_protection", "global_settings", &global) > 0) {
        if (s_bool (ctx, file, global, "spam_protection.global_settings", "enabled", &enabled) > 0) {
            cJSON_AddBoolToObject (spam, "enabled", enabled);
            s_origin_field (ctx, "spam", "enabled", file, "spam_protection.global_settings.enabled");
        }
        static const char *const known [] = { "enabled", "cooldown_message", NULL };
        s_note_unknown (ctx, file, "spam_protection.global_settings", global, known,
                        "not enforced by DockerDiscordControl either; ddc has only the cooldowns");
    }
    s_cooldowns (ctx, file, "spam_protection", sp, "command_cooldowns", spam);
    s_cooldowns (ctx, file, "spam_protection", sp, "button_cooldowns", spam);
}

//  ---- tasks ----------------------------------------------------------------

static const char *const s_weekday_names [] = { "monday", "tuesday",  "wednesday", "thursday",
                                                "friday", "saturday", "sunday",    NULL };
static const char *const s_weekdays [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
static const char *const s_months [] = { "january",  "february", "march",  "april",     "may",
                                         "june",     "july",     "august", "september", "october",
                                         "november", "december", NULL };

//  Index of s in names (whole name or its first three letters, any case),
//  or -1.
static int
s_name_index (const char *const *names, const char *s)
{
    size_t n = strlen (s);
    for (int i = 0; names [i]; i++)
        if (strcasecmp (names [i], s) == 0 || (n == 3 && strncasecmp (names [i], s, 3) == 0))
            return i;
    return -1;
}

//  "4:00" -> "04:00"; anything else unchanged (ddc's validator judges).
static char *
s_time (const char *t)
{
    int h, m, n = 0;
    if (sscanf (t, "%2d:%2d%n", &h, &m, &n) == 2 && t [n] == '\0' && strlen (t) >= 4 && t [0] != '+'
        && t [0] != '-' && t [0] != ' ' && strlen (strchr (t, ':') + 1) == 2)
        return ddc_asprintf ("%02d:%02d", h, m);
    return ddc_strdup (t);
}

//  A task id for ddc: [A-Za-z0-9_-]{1,64}; other characters become '-'.
static char *
s_task_id (const char *id, int index)
{
    if (!id || !*id)
        return ddc_asprintf ("task-%d", index + 1);
    char *out = ddc_strndup (id, 64);
    for (char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || *p == '_' || *p == '-'))
            *p = '-';
    return out;
}

enum { S_ONCE, S_DAILY, S_WEEKLY, S_MONTHLY, S_YEARLY, S_CRON };

//  When a task runs. Its fields are in schedule_details when that has any,
//  else in the task itself (DockerDiscordControl's older form).
typedef struct {
    const cJSON *obj;     //  schedule_details, or the task
    char prefix [S_PATH]; //  its path
    const char *in;       //  "schedule_details." or ""
    int cycle;            //  S_ONCE ...
    char *time;           //  "HH:MM" (owned), NULL when missing
    const char *weekday;  //  "mon" ...
    long day, month, year;
    char date [16];   //  once: "YYYY-MM-DD"
    const char *cron; //  cron: the expression (borrowed)
} s_when_t;

//  A weekly task's weekday: schedule_details' day (a name, or 0 for Monday
//  to 6), or the task's own weekday.
static void
s_task_weekday (s_ctx_t *ctx, const cJSON *t, const char *prefix, s_when_t *w, cJSON *origin)
{
    const char *file = "tasks.json";
    char dat [S_PATH], wat [S_PATH], field [64];
    s_at (dat, w->prefix, "day");
    const cJSON *v = s_item (w->obj, "day");
    const char *at = dat;
    snprintf (field, sizeof (field), "%sday", w->in);
    if (!v && (v = s_item (t, "weekday"))) {
        at = s_at (wat, prefix, "weekday");
        snprintf (field, sizeof (field), "weekday");
    }
    long wd = -1;
    if (!v)
        S_ERR (ctx, file, dat,
               "is missing (a weekly task runs on a weekday, monday to "
               "sunday)");
    else if (cJSON_IsString (v) && s_name_index (s_weekday_names, v->valuestring) >= 0)
        wd = s_name_index (s_weekday_names, v->valuestring);
    else if (cJSON_IsNumber (v)
             || (cJSON_IsString (v) && v->valuestring [0]
                 && !v->valuestring [strspn (v->valuestring, "0123456789")]))
        s_int_item (ctx, file, v, at, true, 0, 6, &wd);
    else
        S_ERR (ctx, file, at, "must be a weekday (monday to sunday, or 0 for monday to 6)");
    if (wd >= 0)
        w->weekday = s_weekdays [wd];
    s_origin_map (origin, "weekday", field);
}

//  One of day, month, year (a number, a string of digits; a month also
//  by its name), into *out.
static void
s_task_part (s_ctx_t *ctx, s_when_t *w, const char *key, long lo, long hi, long *out, cJSON *origin)
{
    char at [S_PATH], field [64];
    s_at (at, w->prefix, key);
    const cJSON *v = s_item (w->obj, key);
    if (!v)
        S_ERR (ctx, "tasks.json", at, "is missing (a %s task needs it)",
               w->cycle == S_ONCE      ? "once"
               : w->cycle == S_MONTHLY ? "monthly"
                                       : "yearly");
    else if (strcmp (key, "month") == 0 && cJSON_IsString (v)
             && s_name_index (s_months, v->valuestring) >= 0)
        *out = s_name_index (s_months, v->valuestring) + 1;
    else
        s_int_item (ctx, "tasks.json", v, at, true, lo, hi, out);
    snprintf (field, sizeof (field), "%s%s", w->in, key);
    s_origin_map (origin, key, field);
}

//  The task's time and the day its cycle needs; true when all are there.
static bool
s_task_when (s_ctx_t *ctx, const cJSON *t, const char *prefix, s_when_t *w, cJSON *origin)
{
    const char *file = "tasks.json";
    char at [S_PATH];
    const cJSON *details = s_item (t, "schedule_details");
    w->obj = t;
    w->in = "";
    snprintf (w->prefix, sizeof (w->prefix), "%s", prefix);
    if (details && !cJSON_IsObject (details))
        S_ERR (ctx, file, s_at (at, prefix, "schedule_details"), "must be an object");
    else if (details && details->child) {
        w->obj = details;
        w->in = "schedule_details.";
        s_at (w->prefix, prefix, "schedule_details");
    }
    //  cron: its cron_string instead of a time (s_task_skipped checked it)
    if (w->cycle == S_CRON) {
        s_str (ctx, file, w->obj, w->prefix, "cron_string", &w->cron);
        s_origin_map (origin, "cron", *w->in ? "schedule_details.cron_string" : "cron_string");
        return w->cron && ddc_schedule_cron_ok (w->cron);
    }
    //  time: "HH:MM", or the older hour and minute
    const char *tstr;
    long hour = -1, minute = -1;
    if (s_str (ctx, file, w->obj, w->prefix, "time", &tstr) > 0) {
        w->time = s_time (tstr);
        s_origin_map (origin, "time", *w->in ? "schedule_details.time" : "time");
    }
    else if (s_int (ctx, file, t, prefix, "hour", true, 0, 23, &hour) > 0
             && s_int (ctx, file, t, prefix, "minute", true, 0, 59, &minute) > 0) {
        w->time = ddc_asprintf ("%02ld:%02ld", hour, minute);
        s_origin_map (origin, "time", "hour");
    }
    else if (hour < 0)
        S_ERR (ctx, file, s_at (at, w->prefix, "time"), "is missing");

    if (w->cycle == S_WEEKLY)
        s_task_weekday (ctx, t, prefix, w, origin);
    if (w->cycle == S_ONCE || w->cycle == S_MONTHLY || w->cycle == S_YEARLY)
        s_task_part (ctx, w, "day", 1, 31, &w->day, origin);
    if (w->cycle == S_ONCE || w->cycle == S_YEARLY)
        s_task_part (ctx, w, "month", 1, 12, &w->month, origin);
    if (w->cycle == S_ONCE) {
        s_task_part (ctx, w, "year", 1970, 9999, &w->year, origin);
        if (w->year && w->month && w->day)
            snprintf (w->date, sizeof (w->date), "%04ld-%02ld-%02ld", w->year, w->month, w->day);
        s_origin_map (origin, "date", *w->in ? "schedule_details" : "");
    }
    return w->time && (w->cycle != S_ONCE || *w->date) && (w->cycle != S_WEEKLY || w->weekday)
           && (w->cycle < S_MONTHLY || w->day) && (w->cycle != S_YEARLY || w->month);
}

//  A task of DockerDiscordControl itself, or one in a cron form ddc does not
//  run (an "@daily" name, six fields...): not imported (a note says why).
static bool
s_task_skipped (s_ctx_t *ctx, const cJSON *t, const char *prefix, const char *id,
                const char *action, const char *cycle)
{
    char safe [S_SAFE + 4], at [S_PATH];
    if ((id && strncmp (id, "SYSTEM_", 7) == 0)
        || (action
            && (strcmp (action, "donation_message") == 0
                || strcmp (action, "system_maintenance") == 0 || strcmp (action, "cleanup") == 0))) {
        S_NOTE (ctx, "tasks.json", prefix,
                "a task of DockerDiscordControl itself (%s): not "
                "imported",
                action ? s_safe (action, safe) : "system");
        return true;
    }
    if (cycle && strcmp (cycle, "cron") == 0) {
        const cJSON *details = s_item (t, "schedule_details");
        const char *cron = cJSON_GetStringValue (s_item (details, "cron_string"));
        if (!cron)
            cron = cJSON_GetStringValue (s_item (t, "cron_string"));
        if (cron && ddc_schedule_cron_ok (cron))
            return false;
        S_NOTE (ctx, "tasks.json", s_at (at, prefix, "cycle"),
                "ddc runs cron schedules of five "
                "fields (minute hour day month weekday): the task%s%s%s is not imported (give "
                "it such a schedule, or make it daily, weekly, monthly or yearly in ddc)",
                cron ? " '" : "", cron ? s_safe (cron, safe) : "", cron ? "'" : "");
        return true;
    }
    return false;
}

static void
s_map_task (s_ctx_t *ctx, cJSON *list, cJSON *origins, const cJSON *t, int index)
{
    const char *file = "tasks.json";
    char prefix [32];
    snprintf (prefix, sizeof (prefix), "[%d]", index);
    if (!cJSON_IsObject (t)) {
        S_ERR (ctx, file, prefix, "must be a JSON object");
        return;
    }
    const char *id = NULL, *container = NULL, *action = NULL, *cycle = NULL, *tz = NULL;
    const char *note = NULL, *id_key = "id", *ctr_key = "container", *tz_key = "_timezone_str";
    const char *note_key = "_description";
    if (s_str (ctx, file, t, prefix, "id", &id) == 0) {
        s_str (ctx, file, t, prefix, "task_id", &id);
        id_key = "task_id";
    }
    if (s_str (ctx, file, t, prefix, "container", &container) == 0) {
        s_str (ctx, file, t, prefix, "container_name", &container);
        ctr_key = "container_name";
    }
    s_str (ctx, file, t, prefix, "action", &action);
    s_str (ctx, file, t, prefix, "cycle", &cycle);
    if (s_str (ctx, file, t, prefix, "_timezone_str", &tz) == 0
        && s_str (ctx, file, t, prefix, "timezone_str", &tz) > 0)
        tz_key = "timezone_str";
    if (s_str (ctx, file, t, prefix, "_description", &note) == 0) {
        s_str (ctx, file, t, prefix, "description", &note);
        note_key = "description";
    }
    bool active = true;
    s_bool (ctx, file, t, prefix, "is_active", &active);
    if (s_task_skipped (ctx, t, prefix, id, action, cycle))
        return;

    char safe [S_SAFE + 4], at [S_PATH];
    if (!container)
        S_ERR (ctx, file, s_at (at, prefix, "container"), "is missing");
    if (!action)
        S_ERR (ctx, file, s_at (at, prefix, "action"), "is missing");
    else if (strcmp (action, "start") && strcmp (action, "stop") && strcmp (action, "restart"))
        S_ERR (ctx, file, s_at (at, prefix, "action"), "'%s' is not start, stop or restart",
               s_safe (action, safe));
    static const char *const cycles [] = { "once",   "daily", "weekly", "monthly",
                                           "yearly", "cron",  NULL };
    s_when_t when = { .cycle = -1 };
    for (int i = 0; cycle && cycles [i]; i++)
        if (strcmp (cycle, cycles [i]) == 0)
            when.cycle = i;
    if (!cycle)
        S_ERR (ctx, file, s_at (at, prefix, "cycle"), "is missing");
    else if (when.cycle < 0)
        S_ERR (ctx, file, s_at (at, prefix, "cycle"),
               "'%s' is not a cycle DockerDiscordControl "
               "runs (once, daily, weekly, monthly, yearly, cron)",
               s_safe (cycle, safe));
    cJSON *origin = s_origin_new (file, prefix);
    bool when_ok = s_task_when (ctx, t, prefix, &when, origin);

    char *task_id = s_task_id (id, index);
    for (const cJSON *o = list->child; o; o = o->next)
        if (strcmp (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "id")), task_id)
            == 0) {
            free (task_id);
            task_id = ddc_asprintf ("task-%d", index + 1);
            break;
        }
    if (id && strcmp (id, task_id) != 0)
        S_NOTE (ctx, file, s_at (at, prefix, id_key),
                "the id '%s' is '%s' in ddc (ids there "
                "are up to 64 of A-Z a-z 0-9 _ -, once each)",
                s_safe (id, safe), task_id);
    char *note_out = NULL;
    if (note && *note) {
        bool cut;
        note_out = s_cut (note, 200, &cut);
        if (cut)
            S_NOTE (ctx, file, s_at (at, prefix, note_key),
                    "longer than ddc's 200 characters: "
                    "cut");
    }
    if (container && action && when.cycle >= 0 && when_ok) {
        cJSON *task = cJSON_CreateObject ();
        cJSON_AddStringToObject (task, "id", task_id);
        cJSON_AddStringToObject (task, "host", ctx->opts->host);
        cJSON_AddStringToObject (task, "container", container);
        cJSON_AddStringToObject (task, "action", action);
        cJSON_AddStringToObject (task, "cycle", cycle);
        if (when.cycle == S_CRON)
            cJSON_AddStringToObject (task, "cron", when.cron);
        else
            cJSON_AddStringToObject (task, "time", when.time);
        if (when.cycle == S_ONCE)
            cJSON_AddStringToObject (task, "date", when.date);
        if (when.cycle == S_WEEKLY)
            cJSON_AddStringToObject (task, "weekday", when.weekday);
        if (when.cycle == S_YEARLY)
            cJSON_AddNumberToObject (task, "month", (double) when.month);
        if (when.cycle == S_MONTHLY || when.cycle == S_YEARLY)
            cJSON_AddNumberToObject (task, "day", (double) when.day);
        cJSON_AddStringToObject (task, "timezone", tz ? tz : "Europe/Berlin");
        cJSON_AddBoolToObject (task, "active", active);
        if (note_out)
            cJSON_AddStringToObject (task, "note", note_out);
        cJSON_AddItemToArray (list, task);
        s_origin_map (origin, "id", id ? id_key : "");
        s_origin_map (origin, "container", ctr_key);
        s_origin_map (origin, "action", "action");
        s_origin_map (origin, "cycle", "cycle");
        s_origin_map (origin, "timezone", tz_key);
        s_origin_map (origin, "active", "is_active");
        s_origin_map (origin, "note", note_key);
        cJSON_AddItemToArray (origins, origin);
    }
    else
        cJSON_Delete (origin);
    free (note_out);
    free (task_id);
    free (when.time);
}

static void
s_map_tasks (s_ctx_t *ctx)
{
    cJSON *list = cJSON_AddArrayToObject (ctx->out->sections, "tasks");
    cJSON *origins = cJSON_AddArrayToObject (ctx->out->origins, "tasks");
    const cJSON *doc = s_doc (ctx, "tasks.json");
    if (!doc)
        return;
    int index = 0;
    bool history = false;
    for (const cJSON *t = doc->child; t; t = t->next, index++) {
        s_map_task (ctx, list, origins, t, index);
        history = history || s_item (t, "_last_run_ts") || s_item (t, "last_run_success");
    }
    if (history)
        S_NOTE (ctx, "tasks.json", "",
                "the tasks' run history (last run, its result, next run) "
                "is not imported: ddc works out the next runs itself");
}

//  ---- what ddc has no home for -----------------------------------------------

static void
s_map_rest (s_ctx_t *ctx, const cJSON *config)
{
    const cJSON *adv;
    if (s_obj (ctx, "config.json", config, "", "advanced_settings", &adv) > 0 && adv->child)
        s_note_unknown (ctx, "config.json", "advanced_settings", adv, (const char *const []){ NULL },
                        "DockerDiscordControl's tuning knobs; ddc has its own defaults and the "
                        "docker section: not imported");
    const char *hb_channel;
    if (s_str (ctx, "config.json", config, "", "heartbeat_channel_id", &hb_channel) > 0
        && *hb_channel)
        S_NOTE (ctx, "config.json", "heartbeat_channel_id",
                "the old heartbeat message channel "
                "is in neither DockerDiscordControl 2.x nor ddc: not imported");
    const char *key;
    if (s_str (ctx, "config.json", config, "", "donation_disable_key", &key) > 0 && *key)
        S_NOTE (ctx, "config.json", "donation_disable_key",
                "ddc has no mech or donations: "
                "nothing to disable");
    static const char *const config_known [] = { "bot_token",
                                                 "guild_id",
                                                 "language",
                                                 "ui_language",
                                                 "timezone",
                                                 "web_ui_user",
                                                 "web_ui_password_hash",
                                                 "heartbeat",
                                                 "heartbeat_channel_id",
                                                 "advanced_settings",
                                                 "channel_permissions",
                                                 "default_channel_permissions",
                                                 "spam_protection",
                                                 "servers",
                                                 "server_order",
                                                 "donation_disable_key",
                                                 "docker_socket_path",
                                                 "container_command_cooldown",
                                                 "docker_api_timeout",
                                                 "max_log_lines",
                                                 "channels",
                                                 "server_selection",
                                                 "bot_token_encrypted",
                                                 "encryption_enabled",
                                                 NULL };
    s_note_unknown (ctx, "config.json", "", config, config_known,
                    "settings with no counterpart in ddc: not imported");

    //  Docker access: the agent's command line
    const char *dfile = "docker_settings.json";
    const cJSON *ds = s_doc (ctx, dfile);
    if (!ds) {
        ds = config;
        dfile = "config.json";
    }
    const char *sock;
    if (s_str (ctx, dfile, ds, "", "docker_socket_path", &sock) > 0
        && strcmp (sock, "/var/run/docker.sock") != 0) {
        char safe [S_SAFE + 4];
        S_NOTE (ctx, dfile, "docker_socket_path",
                "ddc-docker takes the socket on its command "
                "line: ddc-docker --socket %s",
                s_safe (sock, safe));
    }
    if (ds != config) {
        static const char *const known [] = { "docker_socket_path", NULL };
        s_note_unknown (ctx, dfile, "", ds, known,
                        "ddc-docker's own timeouts and limits apply "
                        "(the docker section): not imported");
    }
    static const struct {
        const char *file, *what;
    } seen [] = {
        { "auto_actions.json", "auto-actions (container actions on chat messages): ddc has none" },
        { "channel_translations.json", "channel translations: ddc has none" },
        { "mech_state.json", "the mech and donation state: ddc has no mech or donations" },
        { "evolution_mode.json", "the mech's evolution mode: ddc has no mech" },
        { "container_timeouts.json", "per-container Docker timeouts: ddc-docker has one stop "
                                     "timeout (docker.stop_timeout_seconds)" },
        { "bot_config.json", "a file of DockerDiscordControl 2.0's migration: not read" },
        { "docker_config.json", "a file of DockerDiscordControl 2.0's migration: not read" },
        { "web_config.json", "a file of DockerDiscordControl 2.0's migration: not read" },
        { NULL, NULL }
    };
    for (int i = 0; seen [i].file; i++)
        if (s_file (ctx->files, seen [i].file))
            S_NOTE (ctx, seen [i].file, "", "%s: not imported", seen [i].what);
}

//  ---- the whole mapping ----------------------------------------------------

static bool
s_has_control (const import_t *self)
{
    const cJSON *c;
    cJSON_ArrayForEach (c, cJSON_GetObjectItemCaseSensitive (self->sections, "channels"))
        if (strcmp (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "kind")), "control")
            == 0)
            return true;
    return false;
}

//  Every file that was read is parsed once, so that a broken one is
//  reported even when nothing in it is used.
static void
s_parse_all (s_ctx_t *ctx)
{
    for (size_t i = 0; i < ctx->files->count; i++)
        if (ctx->files->files [i].data || ctx->files->files [i].problem)
            s_doc (ctx, ctx->files->files [i].name);
}

import_t *
import_map (const import_files_t *files, const import_opts_t *opts)
{
    import_t *self = ddc_calloc (1, sizeof (import_t));
    self->layout = "2.x";
    self->sections = cJSON_CreateObject ();
    self->origins = cJSON_CreateObject ();
    self->notes = cJSON_CreateArray ();
    self->errors = cJSON_CreateArray ();
    s_ctx_t ctx = { files, opts, self, cJSON_CreateObject (), false };

    const s_file_t *cf = s_file (files, "config.json");
    const cJSON *config = s_doc (&ctx, "config.json");
    if (!cf) {
        bool old = s_file (files, "bot_config.json") || s_file (files, "docker_config.json");
        S_ERR (&ctx, "config.json", "", "is missing: %s",
               old ? "this folder has DockerDiscordControl 2.0's intermediate files; start "
                     "DockerDiscordControl 2.x once so that it finishes its own migration, then "
                     "import"
                   : "this is not a DockerDiscordControl config folder (give the folder that holds "
                     "config.json, e.g. /app/config)");
    }
    if (!config) {
        s_parse_all (&ctx);
        cJSON_Delete (ctx.docs);
        return self;
    }
    ctx.v1 = s_item (config, "servers") != NULL;
    if (ctx.v1) {
        bool files_there = false;
        for (size_t i = 0; i < files->count && !files_there; i++)
            files_there = strncmp (files->files [i].name, "containers/", 11) == 0;
        ctx.v1 = !files_there;
    }
    self->layout = ctx.v1 ? "1.x" : "2.x";

    s_map_bot_web (&ctx, config);
    s_map_watchdog (&ctx, config);
    s_map_containers (&ctx, config);
    s_map_channels (&ctx, config);
    s_map_admins (&ctx);
    if (cJSON_GetArraySize (cJSON_GetObjectItemCaseSensitive (self->sections, "admins")) == 0
        && s_has_control (self))
        S_NOTE (&ctx, "admins.json", "",
                "no admins: in ddc nobody can start or stop containers "
                "from Discord until there is one (/addadmin in a control channel adds the first)");
    s_map_spam (&ctx, config);
    s_map_tasks (&ctx);
    s_map_rest (&ctx, config);
    s_parse_all (&ctx);
    cJSON_Delete (ctx.docs);
    return self;
}

void
import_destroy (import_t **self_p)
{
    import_t *self = *self_p;
    if (!self)
        return;
    cJSON_Delete (self->sections);
    cJSON_Delete (self->origins);
    cJSON_Delete (self->notes);
    cJSON_Delete (self->errors);
    free (self);
    *self_p = NULL;
}
