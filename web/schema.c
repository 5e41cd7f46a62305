/*  schema: section <-> form mapping. See schema.h. */
#include "schema.h"

#include "ddc_schedule.h"
#include "ddc_util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    SF_STR,     //  text, always sent
    SF_OPT_STR, //  text, left out when empty
    SF_SECRET,  /* write-only text: empty means "***" (keep); the
                        checkbox "<prefix>_clear.<path>" means ""        */
    SF_INT,     //  number, left out when empty
    SF_BOOL,    //  checkbox
    SF_LIST,    //  multi-checkbox: array of the checked values
    SF_OBJ,     //  an object always present (may end up empty)
    SF_TARGET,  //  "host/container" of a task
    SF_IDS,     /* text of ids separated by commas or spaces: an
                        array of strings, left out when empty            */
    SF_MAP      //  a cooldown map: one SF_INT per key of the map
} s_type_t;

typedef struct {
    const char *path; //  inside the section or row: "info.text"
    s_type_t type;
    const char *cycles; //  tasks: only sent for these cycles
    bool strict;        /* a row that was shown sends it even when
                                    empty, so that the broker refuses it  */
} s_sfield_t;

typedef struct {
    bool array;
    const s_sfield_t *fields; //  ends with a NULL path
} s_schema_t;

const char *const *const schema_command_keys = ddc_schema_command_keys;
const char *const *const schema_button_keys = ddc_schema_button_keys;
const char *const *const schema_actions = ddc_schema_actions;
const char *const *const schema_alert_kinds = ddc_schema_alert_kinds;

static const s_sfield_t s_fields_bot [] = { { "token", SF_SECRET, NULL },
                                            { "guild_id", SF_STR, NULL },
                                            { "language", SF_STR, NULL },
                                            { "timezone", SF_STR, NULL },
                                            { NULL, 0, NULL } };
static const s_sfield_t s_fields_containers [] = {
    { "host", SF_STR, NULL },        { "name", SF_STR, NULL },
    { "active", SF_BOOL, NULL },     { "display_name", SF_OPT_STR, NULL, true },
    { "order", SF_INT, NULL, true }, { "allowed_actions", SF_LIST, NULL },
    { "info", SF_OBJ, NULL },        { "info.enabled", SF_BOOL, NULL },
    { "info.text", SF_STR, NULL },   { "alerts", SF_LIST, NULL },
    { "roles", SF_OBJ, NULL },       { "roles.start", SF_IDS, NULL },
    { "roles.stop", SF_IDS, NULL },  { "roles.restart", SF_IDS, NULL },
    { "roles.logs", SF_IDS, NULL },  { NULL, 0, NULL }
};
static const s_sfield_t s_fields_channels [] = { { "id", SF_STR, NULL },
                                                 { "name", SF_STR, NULL },
                                                 { "kind", SF_STR, NULL },
                                                 { "post_initial", SF_BOOL, NULL },
                                                 { "refresh_minutes", SF_INT, NULL },
                                                 { "recreate_minutes", SF_INT, NULL },
                                                 { "alerts", SF_BOOL, NULL },
                                                 { NULL, 0, NULL } };
static const s_sfield_t s_fields_admins [] = { { "id", SF_STR, NULL },
                                               { "note", SF_STR, NULL },
                                               { NULL, 0, NULL } };
static const s_sfield_t s_fields_spam [] = { { "enabled", SF_BOOL, NULL },
                                             { "command_cooldowns", SF_MAP, NULL },
                                             { "button_cooldowns", SF_MAP, NULL },
                                             { NULL, 0, NULL } };
static const s_sfield_t s_fields_tasks [] = { { "id", SF_STR, NULL },
                                              { "target", SF_TARGET, NULL },
                                              { "action", SF_STR, NULL },
                                              { "cycle", SF_STR, NULL },
                                              { "time", SF_STR, "once daily weekly monthly yearly" },
                                              { "date", SF_STR, "once" },
                                              { "weekday", SF_STR, "weekly" },
                                              { "month", SF_INT, "yearly" },
                                              { "day", SF_INT, "monthly yearly" },
                                              { "cron", SF_STR, "cron" },
                                              { "timezone", SF_STR, NULL },
                                              { "active", SF_BOOL, NULL },
                                              { "note", SF_OPT_STR, NULL },
                                              { NULL, 0, NULL } };
static const s_sfield_t s_fields_watchdog [] = { { "enabled", SF_BOOL, NULL },
                                                 { "url", SF_STR, NULL },
                                                 { "fail_url", SF_STR, NULL },
                                                 { "interval_minutes", SF_INT, NULL },
                                                 { NULL, 0, NULL } };
static const s_sfield_t s_fields_web [] = { { "password_hash", SF_SECRET, NULL },
                                            { "session_idle_minutes", SF_INT, NULL },
                                            { "ui_language", SF_STR, NULL },
                                            { "metrics_token", SF_SECRET, NULL },
                                            { NULL, 0, NULL } };
static const s_sfield_t s_fields_docker [] = { { "stats_interval_seconds", SF_INT, NULL },
                                               { "stop_timeout_seconds", SF_INT, NULL },
                                               { NULL, 0, NULL } };

static const s_sfield_t s_fields_alerts [] = { { "enabled", SF_BOOL, NULL },
                                               { "webhook_url", SF_SECRET, NULL },
                                               { "webhook_format", SF_STR, NULL },
                                               { "restart_loop_count", SF_INT, NULL },
                                               { "restart_loop_minutes", SF_INT, NULL },
                                               { "cooldown_minutes", SF_INT, NULL },
                                               { "max_per_hour", SF_INT, NULL },
                                               { "log_lines", SF_INT, NULL },
                                               { NULL, 0, NULL } };

static const s_schema_t s_schemas [DDC_SEC_COUNT] = {
    [DDC_SEC_BOT] = { false, s_fields_bot },
    [DDC_SEC_CONTAINERS] = { true, s_fields_containers },
    [DDC_SEC_CHANNELS] = { true, s_fields_channels },
    [DDC_SEC_ADMINS] = { true, s_fields_admins },
    [DDC_SEC_SPAM] = { false, s_fields_spam },
    [DDC_SEC_TASKS] = { true, s_fields_tasks },
    [DDC_SEC_WATCHDOG] = { false, s_fields_watchdog },
    [DDC_SEC_WEB] = { false, s_fields_web },
    [DDC_SEC_DOCKER] = { false, s_fields_docker },
    [DDC_SEC_ALERTS] = { false, s_fields_alerts },
};

//  ------------------------------------------------------------------------
//  form -> value

//  Set item at a dotted path inside obj, creating objects on the way.
static void
s_set (cJSON *obj, const char *path, cJSON *item)
{
    const char *dot = strchr (path, '.');
    if (!dot) {
        cJSON_DeleteItemFromObjectCaseSensitive (obj, path);
        cJSON_AddItemToObject (obj, path, item);
        return;
    }
    char head [SCHEMA_NAME_MAX];
    size_t n = (size_t) (dot - path);
    if (n >= sizeof (head)) {
        cJSON_Delete (item);
        return;
    }
    memcpy (head, path, n);
    head [n] = '\0';
    cJSON *child = cJSON_GetObjectItemCaseSensitive (obj, head);
    if (!cJSON_IsObject (child)) {
        cJSON_DeleteItemFromObjectCaseSensitive (obj, head);
        child = cJSON_AddObjectToObject (obj, head);
    }
    s_set (child, dot + 1, item);
}

//  A whole number in text (spaces around allowed), else -1.
static int
s_int (const char *text, double *out)
{
    while (*text == ' ')
        text++;
    const char *p = text;
    bool neg = *p == '-';
    if (neg)
        p++;
    long long v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (digits >= 12)
            return -1;
        v = v * 10 + (*p - '0');
    }
    while (*p == ' ')
        p++;
    if (digits == 0 || *p)
        return -1;
    *out = (double) (neg ? -v : v);
    return 0;
}

static bool
s_word_in (const char *word, const char *list)
{
    size_t n = strlen (word);
    for (const char *p = list; *p;) {
        const char *end = strchr (p, ' ');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        if (len == n && strncmp (p, word, n) == 0)
            return true;
        p += len + (end ? 1 : 0);
    }
    return false;
}

static bool s_fill (const s_sfield_t *fields, const form_t *form, const char *prefix, cJSON *obj,
                    bool kept);

//  A cooldown map "<prefix><path>.KEY" for each KEY of the map.
static void
s_fill_map (const s_sfield_t *f, const form_t *form, const char *prefix, cJSON *obj)
{
    if (!cJSON_IsObject (cJSON_GetObjectItemCaseSensitive (obj, f->path)))
        s_set (obj, f->path, cJSON_CreateObject ());
    const char *const *keys = ddc_config_cooldown_keys (f->path);
    for (size_t k = 0; keys && keys [k]; k++) {
        char path [SCHEMA_NAME_MAX];
        snprintf (path, sizeof (path), "%s.%s", f->path, keys [k]);
        s_sfield_t one [2] = { { path, SF_INT, NULL, false }, { NULL, 0, NULL, false } };
        s_fill (one, form, prefix, obj, false);
    }
}

//  The input type of a ddc_schema row that the web renders from the row
//  alone (DDC_F_FORM).
static s_type_t
s_row_type (const ddc_field_t *row)
{
    if (row->flags & DDC_F_SECRET)
        return SF_SECRET;
    return row->type == DDC_T_INT ? SF_INT : row->type == DDC_T_BOOL ? SF_BOOL : SF_STR;
}

//  The DDC_F_FORM rows of section s under prefix into obj.
static void
s_fill_rows (ddc_section_t s, const form_t *form, const char *prefix, cJSON *obj)
{
    for (const ddc_field_t *row = ddc_schema_section (s)->fields; row->key; row++) {
        if (!(row->flags & DDC_F_FORM))
            continue;
        s_sfield_t one [2] = { { row->key, s_row_type (row), NULL, false },
                               { NULL, 0, NULL, false } };
        s_fill (one, form, prefix, obj, false);
    }
}

//  Fill obj from the fields under prefix ("bot." or "tasks[3]."). Returns
//  true when any text-like input of the row was non-empty. kept: the row
//  was shown from the configuration (its strict fields are sent empty).
static bool
s_fill (const s_sfield_t *fields, const form_t *form, const char *prefix, cJSON *obj, bool kept)
{
    bool any_text = false;
    char key [SCHEMA_NAME_MAX + 64];
    const char *cycle = NULL;
    snprintf (key, sizeof (key), "%scycle", prefix);
    cycle = form_get (form, key);
    for (const s_sfield_t *f = fields; f->path; f++) {
        snprintf (key, sizeof (key), "%s%s", prefix, f->path);
        const char *v = form_get (form, key);
        if (f->cycles && cycle && *cycle && !s_word_in (cycle, f->cycles))
            continue;
        switch (f->type) {
            case SF_STR:
                if (v) {
                    s_set (obj, f->path, cJSON_CreateString (v));
                    any_text = any_text || *v;
                }
                break;
            case SF_OPT_STR:
                if (v && *v) {
                    s_set (obj, f->path, cJSON_CreateString (v));
                    any_text = true;
                }
                else if (v && kept && f->strict)
                    s_set (obj, f->path, cJSON_CreateString (""));
                break;
            case SF_SECRET: {
                char clear [SCHEMA_NAME_MAX + 64];
                snprintf (clear, sizeof (clear), "%s_clear.%s", prefix, f->path);
                s_set (obj, f->path,
                       cJSON_CreateString (form_bool (form, clear) ? ""
                                           : v && *v               ? v
                                                                   : "***"));
                break;
            }
            case SF_IDS:
                if (v && *v) {
                    cJSON *arr = cJSON_CreateArray ();
                    for (const char *p = v; *p;) {
                        size_t skip = strspn (p, ", \t\n");
                        p += skip;
                        size_t n = strcspn (p, ", \t\n");
                        if (n == 0)
                            break;
                        char *id = ddc_strndup (p, n);
                        cJSON_AddItemToArray (arr, cJSON_CreateString (id));
                        free (id);
                        p += n;
                    }
                    if (cJSON_GetArraySize (arr)) {
                        s_set (obj, f->path, arr);
                        any_text = true;
                    }
                    else
                        cJSON_Delete (arr);
                }
                break;
            case SF_INT:
                if (v && *v) {
                    double d;
                    s_set (obj, f->path,
                           s_int (v, &d) == 0 ? cJSON_CreateNumber (d) : cJSON_CreateString (v));
                    any_text = true;
                }
                else if (v && kept && f->strict)
                    s_set (obj, f->path, cJSON_CreateString (""));
                break;
            case SF_MAP:
                s_fill_map (f, form, prefix, obj);
                break;
            case SF_BOOL:
                s_set (obj, f->path, cJSON_CreateBool (form_bool (form, key)));
                break;
            case SF_LIST: {
                cJSON *arr = cJSON_CreateArray ();
                for (size_t n = 0; n < 64; n++) {
                    const char *item = form_get_nth (form, key, n);
                    if (!item)
                        break;
                    if (*item)
                        cJSON_AddItemToArray (arr, cJSON_CreateString (item));
                }
                s_set (obj, f->path, arr);
                break;
            }
            case SF_OBJ:
                if (!cJSON_IsObject (cJSON_GetObjectItemCaseSensitive (obj, f->path)))
                    s_set (obj, f->path, cJSON_CreateObject ());
                break;
            case SF_TARGET:
                if (v && *v) {
                    const char *slash = strchr (v, '/');
                    char host [SCHEMA_NAME_MAX];
                    size_t hn = slash ? (size_t) (slash - v) : strlen (v);
                    if (hn >= sizeof (host))
                        hn = sizeof (host) - 1;
                    memcpy (host, v, hn);
                    host [hn] = '\0';
                    cJSON_AddStringToObject (obj, "host", host);
                    cJSON_AddStringToObject (obj, "container", slash ? slash + 1 : "");
                    any_text = true;
                }
                break;
        }
    }
    return any_text;
}

//  "containers[12].name" -> 12 when key starts with "<section>[": -1 else.
static long
s_row_index (const char *key, const char *section)
{
    size_t n = strlen (section);
    if (strncmp (key, section, n) != 0 || key [n] != '[')
        return -1;
    const char *p = key + n + 1;
    long v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (digits >= 7)
            return -2;
        v = v * 10 + (*p - '0');
    }
    if (digits == 0 || *p != ']')
        return -2;
    return v;
}

static int
s_cmp_long (const void *a, const void *b)
{
    long x = *(const long *) a, y = *(const long *) b;
    return x < y ? -1 : x > y;
}

//  A task sent without an id gets one made from its container, action and
//  cycle, unique among the form's tasks ("plex-restart-daily", "-2", ...).
static void
s_task_ids (cJSON *tasks)
{
    cJSON *t;
    cJSON_ArrayForEach (t, tasks) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive (t, "id");
        if (id && (!cJSON_IsString (id) || *id->valuestring))
            continue;
        char made [80];
        ddc_schedule_new_id (tasks,
                             cJSON_GetStringValue (
                                 cJSON_GetObjectItemCaseSensitive (t, "container")),
                             cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (t, "action")),
                             cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (t, "cycle")),
                             made, sizeof (made));
        s_set (t, "id", cJSON_CreateString (made));
    }
}

cJSON *
schema_from_form (ddc_section_t s, const form_t *form, char *err, size_t errlen)
{
    const char *section = ddc_section_name (s);
    if (!section) {
        snprintf (err, errlen, "unknown section");
        return NULL;
    }
    const s_schema_t *schema = &s_schemas [s];
    char prefix [SCHEMA_NAME_MAX];
    if (!schema->array) {
        cJSON *obj = cJSON_CreateObject ();
        snprintf (prefix, sizeof (prefix), "%s.", section);
        s_fill (schema->fields, form, prefix, obj, false);
        s_fill_rows (s, form, prefix, obj);
        return obj;
    }
    //  the distinct row indexes, sorted
    long *rows = NULL;
    size_t nrows = 0;
    for (size_t i = 0; i < form_size (form); i++) {
        long idx = s_row_index (form_key_at (form, i), section);
        if (idx == -1)
            continue;
        if (idx < 0 || idx >= 1000000) {
            snprintf (err, errlen, "a row number of %s is not valid", section);
            free (rows);
            return NULL;
        }
        bool seen = false;
        for (size_t k = 0; k < nrows && !seen; k++)
            seen = rows [k] == idx;
        if (seen)
            continue;
        if (nrows == SCHEMA_MAX_ROWS) {
            snprintf (err, errlen, "more than %d rows", SCHEMA_MAX_ROWS);
            free (rows);
            return NULL;
        }
        rows = ddc_realloc (rows, (nrows + 1) * sizeof (*rows));
        rows [nrows++] = idx;
    }
    if (nrows)
        qsort (rows, nrows, sizeof (*rows), s_cmp_long);
    //  "<section>._kept": the rows 0..N-1 were shown from the configuration
    snprintf (prefix, sizeof (prefix), "%s._kept", section);
    double kept_rows = 0;
    const char *kept_text = form_get (form, prefix);
    if (!kept_text || s_int (kept_text, &kept_rows) < 0)
        kept_rows = 0;
    cJSON *arr = cJSON_CreateArray ();
    for (size_t k = 0; k < nrows; k++) {
        snprintf (prefix, sizeof (prefix), "%s[%ld].", section, rows [k]);
        char key [SCHEMA_NAME_MAX + 16];
        snprintf (key, sizeof (key), "%s_delete", prefix);
        if (form_bool (form, key))
            continue;
        //  a row shown from the configuration is never dropped as blank: an
        //  emptied id is refused by the broker, not taken as a removal
        bool kept = rows [k] < kept_rows;
        cJSON *row = cJSON_CreateObject ();
        bool any = s_fill (schema->fields, form, prefix, row, kept);
        snprintf (key, sizeof (key), "%s_discovered", prefix);
        bool discovered = form_bool (form, key);
        if ((!any && !kept)
            || (discovered && !cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (row, "active")))) {
            cJSON_Delete (row);
            continue;
        }
        cJSON_AddItemToArray (arr, row);
    }
    free (rows);
    if (s == DDC_SEC_TASKS)
        s_task_ids (arr);
    return arr;
}

//  ------------------------------------------------------------------------
//  refusals before a value is built

//  True if key (an input name of section s) is a multi-checkbox.
static bool
s_is_list (ddc_section_t s, const char *key)
{
    const char *dot = strrchr (key, '.');
    const char *field = dot ? dot + 1 : key;
    for (const s_sfield_t *f = s_schemas [s].fields; f->path; f++)
        if (f->type == SF_LIST && strcmp (f->path, field) == 0)
            return true;
    return false;
}

cJSON *
schema_form_errors (ddc_section_t s, const form_t *form)
{
    if (!ddc_section_name (s))
        return NULL;
    cJSON *errors = NULL;
    size_t at = 0;
    for (const char *key; (key = form_repeated (form, &at)) != NULL;) {
        if (s_is_list (s, key))
            continue;
        if (!errors)
            errors = cJSON_CreateArray ();
        if (cJSON_GetArraySize (errors) == 50)
            break;
        cJSON *e = cJSON_CreateObject ();
        char input [SCHEMA_NAME_MAX];
        schema_error_input (s, key, input, sizeof (input));
        cJSON_AddStringToObject (e, "field", *input ? key : "");
        cJSON_AddStringToObject (e, "reason", "duplicate_field");
        char message [SCHEMA_NAME_MAX + 64];
        snprintf (message, sizeof (message), "%s was sent more than once.",
                  *input ? key : "A field");
        cJSON_AddStringToObject (e, "message", message);
        cJSON_AddItemToArray (errors, e);
    }
    return errors;
}

//  ------------------------------------------------------------------------
//  error path -> input

static bool
s_has_field (ddc_section_t s, const s_sfield_t *fields, const char *path, size_t len)
{
    for (const s_sfield_t *f = fields; f->path; f++) {
        size_t n = strlen (f->path);
        if (n == len && strncmp (f->path, path, len) == 0 && f->type != SF_OBJ && f->type != SF_MAP)
            return true;
        //  "command_cooldowns.info"
        if (f->type == SF_MAP && len > n + 1 && strncmp (f->path, path, n) == 0 && path [n] == '.') {
            char key [SCHEMA_NAME_MAX];
            snprintf (key, sizeof (key), "%.*s", (int) (len - n - 1), path + n + 1);
            const char *const *keys = ddc_config_cooldown_keys (f->path);
            for (size_t k = 0; keys && keys [k]; k++)
                if (strcmp (keys [k], key) == 0)
                    return true;
        }
    }
    for (const ddc_field_t *row = ddc_schema_section (s)->fields; row->key; row++)
        if ((row->flags & DDC_F_FORM) && strlen (row->key) == len
            && strncmp (row->key, path, len) == 0)
            return true;
    return false;
}

static bool
s_has_target (const s_sfield_t *fields)
{
    for (const s_sfield_t *f = fields; f->path; f++)
        if (f->type == SF_TARGET)
            return true;
    return false;
}

void
schema_error_input (ddc_section_t s, const char *path, char *out, size_t outlen)
{
    out [0] = '\0';
    const char *section = ddc_section_name (s);
    if (!section || !path || outlen == 0)
        return;
    const s_schema_t *schema = &s_schemas [s];
    size_t n = strlen (section);
    if (strncmp (path, section, n) != 0)
        return;
    const char *rest = path + n;
    char base [SCHEMA_NAME_MAX]; //  "containers[2]" or "bot"
    if (schema->array) {
        if (*rest != '[')
            return;
        const char *close = strchr (rest, ']');
        if (!close || (size_t) (close - path + 1) >= sizeof (base))
            return;
        for (const char *p = rest + 1; p < close; p++)
            if (*p < '0' || *p > '9')
                return;
        if (close == rest + 1)
            return;
        snprintf (base, sizeof (base), "%.*s", (int) (close - path + 1), path);
        rest = close + 1;
        if (*rest == '\0') {
            ddc_strlcpy (out, base, outlen);
            return;
        }
    }
    else
        ddc_strlcpy (base, section, sizeof (base));
    if (*rest != '.')
        return;
    rest++;
    //  tasks[i].host / .container -> tasks[i].target
    if (s_has_target (schema->fields)
        && (strcmp (rest, "host") == 0 || strcmp (rest, "container") == 0)) {
        snprintf (out, outlen, "%s.target", base);
        return;
    }
    //  the longest field path that is rest or a prefix of it at a boundary
    size_t len = strlen (rest);
    while (len > 0) {
        if (s_has_field (s, schema->fields, rest, len)) {
            snprintf (out, outlen, "%s.%.*s", base, (int) len, rest);
            return;
        }
        //  cut the last ".x" or "[n]"
        size_t cut = len;
        while (cut > 0 && rest [cut - 1] != '.' && rest [cut - 1] != '[')
            cut--;
        if (cut == 0)
            break;
        len = cut - 1;
    }
    //  inside a row: the row; otherwise the whole form
    if (schema->array)
        ddc_strlcpy (out, base, outlen);
}
