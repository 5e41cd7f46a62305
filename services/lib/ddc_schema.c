/*  ddc_schema: the tables of every section, the walker and its hooks.
    See ddc_schema.h. The format checks (snowflake, URL, time, date) are
    the rows' `ok` functions; the rules across fields, rows or sections
    are the hooks at the end of the tables' section. */
#include "ddc_schema.h"
#include "ddc_i18n.h"
#include "ddc_json.h"
#include "ddc_schedule.h"
#include "ddc_tz.h"
#include "ddc_util.h"

#include <assert.h>
#include <czmq.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_PATH_MAX 128  //  path of an object (containers[12].info)
#define S_FIELD_MAX 256 //  path of a field in it
#define S_SAFE_MAX DDC_JSON_SAFE_MAX
#define S_SET_MAX 16    //  entries of a set examined
#define S_KEYS_MAX 32   //  fields of one table
#define S_ENUM_CHARS 64 //  an enum or set entry's length

//  ---- value sets ----------------------------------------------------------

//  The languages are the locale catalogue's (ddc_i18n_codes).
const char *const ddc_schema_actions [] = { "start", "stop", "restart", "logs", NULL };
static const char *const s_default_actions [] = { "start", "stop", "restart", NULL };
static const char *const s_channel_kinds [] = { "status", "control", NULL };
const char *const ddc_schema_alert_kinds [] = { "crash", "unhealthy", "restart_loop", NULL };
static const char *const s_webhook_formats [] = { "discord", "json", NULL };
static const char *const s_task_actions [] = { "start", "stop", "restart", NULL };
static const char *const s_cycles [] = { "once",   "daily", "weekly", "monthly",
                                         "yearly", "cron",  NULL };
static const char *const s_weekdays [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };
const char *const ddc_schema_command_keys [] = { "serverstatus", "ss",   "control",  "info",
                                                 "help",         "ping", "addadmin", NULL };
const char *const ddc_schema_button_keys [] = { "start",       "stop",     "restart",
                                                "info",        "logs",     "refresh",
                                                "restart_all", "stop_all", NULL };

//  Default cooldowns in seconds, by key (0: no default entry).
typedef struct {
    const char *key;
    int value;
} s_cooldown_t;

static const s_cooldown_t s_command_defaults [] = {
    { "serverstatus", 30 }, { "control", 5 }, { "info", 5 }, { NULL, 0 }
};
static const s_cooldown_t s_button_defaults [] = { { "start", 10 },   { "stop", 10 },
                                                   { "restart", 20 }, { "info", 3 },
                                                   { "logs", 10 },    { NULL, 0 } };

//  ---- small helpers ---------------------------------------------------------

//  Index of str in a NULL-terminated list, or -1.
static int
s_index (const char *const *list, const char *str)
{
    if (!str || !list)
        return -1;
    for (int i = 0; list [i]; i++)
        if (strcmp (list [i], str) == 0)
            return i;
    return -1;
}

//  "a, b, c" of a NULL-terminated list into out[size].
static void
s_join (const char *const *set, char *out, size_t size)
{
    out [0] = 0;
    for (int i = 0; set [i]; i++) {
        strncat (out, i ? ", " : "", size - strlen (out) - 1);
        strncat (out, set [i], size - strlen (out) - 1);
    }
}

//  Number of code points in s, or -1 if s is not valid UTF-8.
static long
s_utf8_len (const char *s)
{
    size_t len = strlen (s);
    long count = 0;
    for (size_t i = 0, n; i < len; i += n, count++)
        if ((n = ddc_utf8_seq (s + i, len - i)) == 0)
            return -1;
    return count;
}

//  True if s contains a control character (C0, DEL or C1).
static bool
s_has_control (const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return true;
        if (*p == 0xC2 && p [1] >= 0x80 && p [1] <= 0x9F)
            return true;
    }
    return false;
}

static bool
s_is_alnum (char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
s_is_digit (char c)
{
    return c >= '0' && c <= '9';
}

//  ---- format checks (the rows' ok) ------------------------------------------

//  Discord snowflake: 17 to 20 digits, no leading zero, fits in 64 bits.
static bool
s_snowflake_ok (const char *s)
{
    size_t len = strnlen (s, DDC_SNOWFLAKE_MAX + 1);
    if (len < 17 || len > DDC_SNOWFLAKE_MAX || s [0] == '0')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!s_is_digit (s [i]))
            return false;
    uint64_t value;
    return ddc_parse_u64 (s, &value) == 0;
}

static bool
s_snowflake_or_empty (const char *s)
{
    return !*s || s_snowflake_ok (s);
}

static bool
s_host_ok (const char *s)
{
    return ddc_config_name_ok (s, DDC_HOST_NAME_MAX);
}

static bool
s_docker_name_ok (const char *s)
{
    return ddc_config_name_ok (s, DDC_CONTAINER_NAME_MAX);
}

//  Task id: [A-Za-z0-9_-]{1,64}.
static bool
s_task_id_ok (const char *s)
{
    size_t len = strnlen (s, 65);
    if (len < 1 || len > 64)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!s_is_alnum (s [i]) && s [i] != '_' && s [i] != '-')
            return false;
    return true;
}

//  Bot token: no whitespace or control characters (may be empty).
static bool
s_token_ok (const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return !s_has_control (s);
}

static bool
s_no_control (const char *s)
{
    return !s_has_control (s);
}

//  Printable ASCII only (may be empty).
static bool
s_printable_ascii (const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

//  The bearer token of /metrics: "" or 16 to 256 printable ASCII
//  characters without spaces.
static bool
s_metrics_token_ok (const char *s)
{
    return !*s || (strlen (s) >= 16 && s_printable_ascii (s) && !strchr (s, ' '));
}

//  "HH:MM", 00:00 to 23:59, exactly 5 characters.
static bool
s_time_ok (const char *s)
{
    if (strnlen (s, 6) != 5 || s [2] != ':')
        return false;
    if (!s_is_digit (s [0]) || !s_is_digit (s [1]) || !s_is_digit (s [3]) || !s_is_digit (s [4]))
        return false;
    int hh = (s [0] - '0') * 10 + (s [1] - '0');
    int mm = (s [3] - '0') * 10 + (s [4] - '0');
    return hh <= 23 && mm <= 59;
}

static int
s_days_in_month (int year, int month)
{
    static const int days [12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month == 2) {
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return leap ? 29 : 28;
    }
    return days [month - 1];
}

//  "YYYY-MM-DD", a real calendar date in the years 1970..9999.
static bool
s_date_ok (const char *s)
{
    if (strnlen (s, 11) != 10 || s [4] != '-' || s [7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !s_is_digit (s [i]))
            return false;
    int year = atoi (s);
    int month = (s [5] - '0') * 10 + (s [6] - '0');
    int day = (s [8] - '0') * 10 + (s [9] - '0');
    if (year < 1970 || month < 1 || month > 12 || day < 1)
        return false;
    return day <= s_days_in_month (year, month);
}

//  "" or an http:// or https:// URL with a non-empty host and no
//  whitespace or control characters.
static bool
s_url_or_empty (const char *s)
{
    if (!*s)
        return true;
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    if (s_has_control (s))
        return false;
    size_t scheme = strncasecmp (s, "https://", 8) == 0  ? 8
                    : strncasecmp (s, "http://", 7) == 0 ? 7
                                                         : 0;
    if (!scheme)
        return false;
    const char *auth = s + scheme;
    size_t auth_len = strcspn (auth, "/?#");
    //  The host follows any userinfo and precedes any port
    const char *host = auth;
    for (size_t i = 0; i < auth_len; i++)
        if (auth [i] == '@')
            host = auth + i + 1;
    size_t host_len = auth_len - (size_t) (host - auth);
    if (host_len > 0 && host [0] == '[') {
        const char *close = memchr (host, ']', host_len);
        return close && close > host + 1;
    }
    size_t name_len = 0;
    while (name_len < host_len && host [name_len] != ':')
        name_len++;
    return name_len > 0;
}

//  ---- errors ------------------------------------------------------------------

//  The last error of a walk: "too_many" for the whole value.
static void s_too_many (cJSON *errors, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
s_too_many (cJSON *errors, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    ddc_config_verror (errors, "", "too_many", fmt, args);
    va_end (args);
}

void
ddc_walk_error (ddc_walk_t *walk, const char *field, const char *reason, const char *fmt, ...)
{
    walk->count++;
    if (!walk->errors || walk->count > DDC_CONFIG_MAX_ERRORS + 1)
        return;
    va_list args;
    va_start (args, fmt);
    if (walk->count == DDC_CONFIG_MAX_ERRORS + 1)
        s_too_many (walk->errors, "There are more errors; only the first %d are listed.",
                    DDC_CONFIG_MAX_ERRORS);
    else
        ddc_config_verror (walk->errors, field, reason, fmt, args);
    va_end (args);
}

//  The field path path.key into out[S_FIELD_MAX].
static void
s_field (char *out, const char *path, const char *key)
{
    if (snprintf (out, S_FIELD_MAX, "%s.%s", path, key) >= S_FIELD_MAX)
        out [S_FIELD_MAX - 1] = 0;
}

cJSON *
ddc_walk_finish (ddc_walk_t *walk, int before, cJSON **out_p)
{
    assert (walk);
    cJSON *out = out_p ? *out_p : NULL;
    if (out_p)
        *out_p = NULL;
    if (walk->count == before)
        return out;
    cJSON_Delete (out);
    return NULL;
}

static bool
s_want_object (ddc_walk_t *walk, const cJSON *value, const char *path)
{
    if (cJSON_IsObject (value))
        return true;
    ddc_walk_error (walk, path, "type", "%s must be a JSON object.", path);
    return false;
}

//  ---- typed fields ---------------------------------------------------------

//  item as text of at most max_chars characters into *out; 0 or -1.
static int
s_check_str (ddc_walk_t *walk, const cJSON *item, const char *field, const char *name,
             size_t max_chars, const char **out)
{
    if (!cJSON_IsString (item) || !item->valuestring) {
        ddc_walk_error (walk, field, "type", "%s must be a string.", name);
        return -1;
    }
    long chars = s_utf8_len (item->valuestring);
    if (chars < 0) {
        ddc_walk_error (walk, field, "invalid", "%s must be valid UTF-8 text.", name);
        return -1;
    }
    if ((size_t) chars > max_chars) {
        ddc_walk_error (walk, field, "too_long", "%s may be at most %zu characters long.", name,
                        max_chars);
        return -1;
    }
    *out = item->valuestring;
    return 0;
}

static int
s_check_int (ddc_walk_t *walk, const cJSON *item, const char *field, const char *name, int lo,
             int hi, int *out)
{
    if (!cJSON_IsNumber (item)) {
        ddc_walk_error (walk, field, "type", "%s must be a number.", name);
        return -1;
    }
    double value = item->valuedouble;
    if (isnan (value) || (isfinite (value) && value != floor (value))) {
        ddc_walk_error (walk, field, "invalid", "%s must be a whole number.", name);
        return -1;
    }
    if (!(value >= lo && value <= hi)) {
        ddc_walk_error (walk, field, "out_of_range", "%s must be between %d and %d.", name, lo, hi);
        return -1;
    }
    *out = (int) value;
    return 0;
}

//  A STR or ENUM row of obj: the value (the default when absent and not
//  required, NULL when absent without one) into *out; 0 or -1.
static int
s_get_str (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f,
           const char **out)
{
    char field [S_FIELD_MAX];
    s_field (field, path, f->key);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, f->key);
    bool required = f->flags & DDC_F_REQUIRED;
    *out = f->def_str;
    if (!item) {
        if (!required)
            return 0;
        ddc_walk_error (walk, field, "required", "%s is required.", f->key);
        return -1;
    }
    size_t max = f->type == DDC_T_ENUM ? S_ENUM_CHARS : (size_t) f->max;
    if (s_check_str (walk, item, field, f->key, max, out))
        return -1;
    if (required && !**out) {
        ddc_walk_error (walk, field, "required", "%s is required and may not be empty.", f->key);
        return -1;
    }
    if ((f->flags & DDC_F_NONEMPTY) && !**out) {
        ddc_walk_error (walk, field, "invalid", "%s may not be empty.", f->key);
        return -1;
    }
    if (f->type == DDC_T_ENUM && s_index (f->values, *out) < 0) {
        char list [256];
        s_join (f->values, list, sizeof (list));
        ddc_walk_error (walk, field, "not_supported", "%s must be one of: %s.", f->key, list);
        return -1;
    }
    if (f->ok && !f->ok (*out)) {
        ddc_walk_error (walk, field, "invalid", "%s %s", f->key, f->bad);
        return -1;
    }
    return 0;
}

static int
s_get_int (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f, int *out)
{
    char field [S_FIELD_MAX];
    s_field (field, path, f->key);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, f->key);
    *out = f->def;
    if (!item) {
        if (!(f->flags & DDC_F_REQUIRED))
            return 0;
        ddc_walk_error (walk, field, "required", "%s is required.", f->key);
        return -1;
    }
    return s_check_int (walk, item, field, f->key, f->min, f->max, out);
}

static int
s_get_bool (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f, bool *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, f->key);
    *out = f->def != 0;
    if (!item)
        return 0;
    if (!cJSON_IsBool (item)) {
        char field [S_FIELD_MAX];
        s_field (field, path, f->key);
        ddc_walk_error (walk, field, "type", "%s must be true or false.", f->key);
        return -1;
    }
    *out = cJSON_IsTrue (item);
    return 0;
}

//  A SET row: a list of distinct entries of f->values (at most S_SET_MAX
//  examined) in the order given; f->def_set when absent.
static cJSON *
s_get_set (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f)
{
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (obj, f->key);
    char field [S_FIELD_MAX], list [128];
    s_field (field, path, f->key);
    s_join (f->values, list, sizeof (list));
    if (!value) {
        int count = 0;
        while (f->def_set [count])
            count++;
        return cJSON_CreateStringArray (f->def_set, count);
    }
    if (!cJSON_IsArray (value)) {
        ddc_walk_error (walk, field, "type", "%s must be a list of %s.", f->key, f->noun);
        return NULL;
    }
    int before = walk->count;
    cJSON *out = cJSON_CreateArray ();
    uint32_t seen = 0;
    int index = 0;
    for (const cJSON *item = value->child; item; item = item->next, index++) {
        if (index == S_SET_MAX) {
            ddc_walk_error (walk, field, "too_many", "%s may list each of %s once.", f->key, list);
            break;
        }
        char item_field [S_FIELD_MAX + 16];
        snprintf (item_field, sizeof (item_field), "%s[%d]", field, index);
        const char *entry;
        if (s_check_str (walk, item, item_field, "each entry", S_ENUM_CHARS, &entry))
            continue;
        int which = s_index (f->values, entry);
        if (which < 0)
            ddc_walk_error (walk, item_field, "not_supported", "%s entries must be one of: %s.",
                            f->key, list);
        else if (seen & (1u << which))
            ddc_walk_error (walk, item_field, "duplicate", "%s lists %s more than once.", f->key,
                            entry);
        else {
            seen |= 1u << which;
            cJSON_AddItemToArray (out, cJSON_CreateString (entry));
        }
    }
    if (walk->count == before && (f->flags & DDC_F_NONEMPTY) && !seen)
        ddc_walk_error (walk, field, "required", "%s must list at least one of: %s.", f->key, list);
    return ddc_walk_finish (walk, before, &out);
}

//  Report unknown keys ("unknown_field") and repeated keys ("duplicate")
//  of obj against the table's fields (at most S_KEYS_MAX).
static void
s_check_keys (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *fields)
{
    uint32_t seen = 0;
    for (const cJSON *item = obj->child; item; item = item->next) {
        char safe [S_SAFE_MAX + 8], field [S_FIELD_MAX];
        ddc_json_safe (safe, sizeof (safe), item->string);
        s_field (field, path, safe);
        int index = -1;
        for (int i = 0; fields [i].key && i < S_KEYS_MAX && index < 0; i++)
            if (item->string && strcmp (fields [i].key, item->string) == 0)
                index = i;
        if (index < 0)
            ddc_walk_error (walk, field, "unknown_field", "'%s' is not a known setting here.", safe);
        else if (seen & (1u << index))
            ddc_walk_error (walk, field, "duplicate", "%s is given more than once.", safe);
        else
            seen |= 1u << index;
    }
}

//  ---- the walker ---------------------------------------------------------------

static cJSON *s_walk_object (ddc_walk_t *walk, const ddc_table_t *t, const cJSON *value,
                             const char *path);

//  One field of obj into out; false when it had an error.
static void
s_walk_field (ddc_walk_t *walk, const ddc_field_t *f, const cJSON *obj, const char *path, cJSON *out)
{
    switch (f->type) {
        case DDC_T_STR:
        case DDC_T_ENUM: {
            const char *text;
            if (s_get_str (walk, obj, path, f, &text) == 0 && text)
                cJSON_AddStringToObject (out, f->key, text);
            break;
        }
        case DDC_T_INT: {
            int number;
            if (s_get_int (walk, obj, path, f, &number) == 0
                && (!(f->flags & DDC_F_OMIT) || cJSON_GetObjectItemCaseSensitive (obj, f->key)))
                cJSON_AddNumberToObject (out, f->key, number);
            break;
        }
        case DDC_T_BOOL: {
            bool flag;
            if (s_get_bool (walk, obj, path, f, &flag) == 0)
                cJSON_AddBoolToObject (out, f->key, flag);
            break;
        }
        case DDC_T_SET: {
            cJSON *set = s_get_set (walk, obj, path, f);
            if (set)
                cJSON_AddItemToObject (out, f->key, set);
            break;
        }
        case DDC_T_OBJ: {
            const cJSON *value = cJSON_GetObjectItemCaseSensitive (obj, f->key);
            char sub_path [S_FIELD_MAX];
            s_field (sub_path, path, f->key);
            cJSON *empty = value ? NULL : cJSON_CreateObject ();
            cJSON *norm = s_walk_object (walk, f->sub, value ? value : empty, sub_path);
            cJSON_Delete (empty);
            if (norm)
                cJSON_AddItemToObject (out, f->key, norm);
            break;
        }
        case DDC_T_HOOK:
            f->hook (walk, obj, path, f, out);
            break;
    }
}

static cJSON *
s_walk_object (ddc_walk_t *walk, const ddc_table_t *t, const cJSON *value, const char *path)
{
    if (!s_want_object (walk, value, path))
        return NULL;
    int before = walk->count;
    s_check_keys (walk, value, path, t->fields);
    cJSON *out = cJSON_CreateObject ();
    for (const ddc_field_t *f = t->fields; f->key; f++)
        s_walk_field (walk, f, value, path, out);
    return ddc_walk_finish (walk, before, &out);
}

//  The key of a row (its UNIQUE fields' text, '/' between) into out, or
//  false when the row has none or one of them is not a valid string.
static bool
s_row_key (const ddc_table_t *t, const cJSON *row, char *out, size_t size)
{
    out [0] = 0;
    bool any = false;
    for (const ddc_field_t *f = t->fields; f->key; f++) {
        if (!(f->flags & DDC_F_UNIQUE))
            continue;
        const char *text = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (row, f->key));
        if (!text)
            return false;
        if (any)
            strncat (out, "/", size - strlen (out) - 1);
        strncat (out, text, size - strlen (out) - 1);
        any = true;
    }
    return any;
}

//  The last UNIQUE field of a table (where a duplicate is reported).
static const char *
s_key_field (const ddc_table_t *t)
{
    const char *key = NULL;
    for (const ddc_field_t *f = t->fields; f->key; f++)
        if (f->flags & DDC_F_UNIQUE)
            key = f->key;
    return key;
}

bool
ddc_schema_list_ok (ddc_walk_t *walk, const ddc_table_t *t, const cJSON *value, const char *path)
{
    assert (walk);
    assert (t && t->list);
    if (!cJSON_IsArray (value)) {
        ddc_walk_error (walk, path, "type", "%s must be a JSON array.", path);
        return false;
    }
    int count = 0;
    for (const cJSON *c = value->child; c; c = c->next)
        if (++count > t->max_rows) {
            ddc_walk_error (walk, path, "too_many", "At most %d %s are allowed.", t->max_rows, path);
            return false;
        }
    return true;
}

//  A list section: every row (the first max_rows) walked, then the rows'
//  keys compared, then the table's cross-row hook.
static cJSON *
s_walk_list (ddc_walk_t *walk, const ddc_table_t *t, const cJSON *value, const char *path)
{
    int before = walk->count;
    if (!ddc_schema_list_ok (walk, t, value, path) && !cJSON_IsArray (value))
        return NULL;
    cJSON *out = cJSON_CreateArray ();
    //  The normalised rows by index, NULL where a row had errors; the
    //  first row of each key (its index + 1), so that a thousand rows are
    //  compared in one pass rather than in pairs.
    const cJSON **rows = ddc_calloc ((size_t) t->max_rows, sizeof (*rows));
    zhashx_t *first = zhashx_new ();
    const char *key_field = s_key_field (t);
    int index = 0;
    for (const cJSON *item = value->child; item && index < t->max_rows; item = item->next, index++) {
        char item_path [S_PATH_MAX];
        snprintf (item_path, sizeof (item_path), "%s[%d]", path, index);
        int row_before = walk->count;
        cJSON *norm = s_walk_object (walk, t, item, item_path);
        if (norm)
            cJSON_AddItemToArray (out, norm);
        //  A row with errors still takes part by the key fields that are
        //  well formed, so that a duplicate shows with the other errors.
        rows [index] = norm ? norm : NULL;
        char key [512];
        const cJSON *keyed = norm ? norm : NULL;
        if (!keyed && walk->count != row_before && cJSON_IsObject (item)) {
            //  keyed by its raw fields when they pass their own checks
            bool fine = true;
            for (const ddc_field_t *f = t->fields; f->key && fine; f++) {
                if (!(f->flags & DDC_F_UNIQUE))
                    continue;
                const char *text =
                    cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (item, f->key));
                fine = text && *text && (!f->ok || f->ok (text));
            }
            keyed = fine ? item : NULL;
            rows [index] = keyed;
        }
        if (!key_field || !keyed || !s_row_key (t, keyed, key, sizeof (key)))
            continue;
        uintptr_t seen = (uintptr_t) zhashx_lookup (first, key);
        if (!seen)
            zhashx_insert (first, key, (void *) (uintptr_t) (index + 1));
        else {
            int other = (int) seen - 1;
            if (t->dup)
                t->dup (walk, item_path, keyed, rows [other], other);
            else {
                char field [S_FIELD_MAX], safe [S_SAFE_MAX * 2 + 8];
                s_field (field, item_path, key_field);
                ddc_json_safe (safe, sizeof (safe), key);
                ddc_walk_error (walk, field, "duplicate", "%s %s is listed twice (also as %s[%d]).",
                                t->noun, safe, path, other);
            }
        }
    }
    zhashx_destroy (&first);
    free (rows);
    if (t->after)
        t->after (walk, value, path);
    return ddc_walk_finish (walk, before, &out);
}

cJSON *
ddc_schema_walk (ddc_walk_t *walk, const ddc_table_t *t, const cJSON *value, const char *path)
{
    if (!path)
        path = "";
    if (!t || !value) {
        ddc_walk_error (walk, path, "required", "The %s section is missing.", path);
        return NULL;
    }
    return t->list ? s_walk_list (walk, t, value, path) : s_walk_object (walk, t, value, path);
}

//  ---- messages ---------------------------------------------------------------

//  What a row's format check says when it fails ("KEY " + message).
// clang-format off
#define S_HOST_BAD "must be 1 to 63 characters from A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit."
#define S_TZ_BAD "must be an IANA time zone name such as Europe/Berlin."
#define S_URL_BAD "must be an http:// or https:// URL with a host and no spaces."
#define S_URL_OR_EMPTY_BAD "must be an http:// or https:// URL with a host and no spaces, or empty."
#define S_NAME_BAD "must be a Docker container name: letters, digits, '_', '.' and '-', starting with a letter or digit."
#define S_TOKEN_BAD "may not contain spaces or control characters."
#define S_SNOWFLAKE_BAD "must be a Discord snowflake: 17 to 20 digits."
#define S_USER_ID_BAD "must be a Discord user snowflake: 17 to 20 digits."
#define S_TASK_ID_BAD "must be 1 to 64 characters from A-Z, a-z, 0-9, '_' and '-'."
#define S_ASCII_BAD "must be printable ASCII text."
#define S_METRICS_TOKEN_BAD "must be empty or 16 to 256 printable ASCII characters without spaces."
// clang-format on

//  ---- hooks ------------------------------------------------------------------

//  containers[].display_name: the name when not given.
static void
s_display_name (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f,
                cJSON *out)
{
    static const ddc_field_t text = { .key = "display_name",
                                      .type = DDC_T_STR,
                                      .flags = DDC_F_NONEMPTY,
                                      .max = 100,
                                      .ok = s_no_control,
                                      .bad = "may not contain control characters." };
    (void) f;
    const char *display;
    if (s_get_str (walk, obj, path, &text, &display))
        return;
    const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, "name"));
    cJSON_AddStringToObject (out, "display_name", display ? display : name ? name : "");
}

//  containers[].roles: {ACTION: [role id, ...]} for actions in the row's
//  allowed_actions: at most the row's max (DDC_ROLES_MAX) distinct snowflakes each; empty
//  lists are dropped.
static void
s_roles (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f, cJSON *out)
{
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (obj, "roles");
    const cJSON *allowed = cJSON_GetObjectItemCaseSensitive (out, "allowed_actions");
    char roles_path [S_FIELD_MAX];
    s_field (roles_path, path, "roles");
    cJSON *roles = cJSON_CreateObject ();
    if (!value) {
        cJSON_AddItemToObject (out, "roles", roles);
        return;
    }
    if (!s_want_object (walk, value, roles_path)) {
        cJSON_Delete (roles);
        return;
    }
    static const ddc_field_t actions [] = { { .key = "start" },
                                            { .key = "stop" },
                                            { .key = "restart" },
                                            { .key = "logs" },
                                            { .key = NULL } };
    int before = walk->count;
    s_check_keys (walk, value, roles_path, actions);
    for (int a = 0; ddc_schema_actions [a]; a++) {
        const char *action = ddc_schema_actions [a];
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive (value, action);
        if (!ids)
            continue;
        char field [S_FIELD_MAX];
        s_field (field, roles_path, action);
        if (!cJSON_IsArray (ids)) {
            ddc_walk_error (walk, field, "type", "roles.%s must be a list of Discord role ids.",
                            action);
            continue;
        }
        int count = cJSON_GetArraySize (ids);
        if (count > f->max) {
            ddc_walk_error (walk, field, "too_many", "At most %d roles may be given per action.",
                            f->max);
            continue;
        }
        if (count && cJSON_IsArray (allowed)) {
            bool listed = false;
            for (const cJSON *x = allowed->child; x && !listed; x = x->next)
                listed = strcmp (x->valuestring, action) == 0;
            if (!listed)
                ddc_walk_error (walk, field, "conflict",
                                "%s is not in allowed_actions, so no role can be allowed to do "
                                "it; allow it or remove these roles.",
                                action);
        }
        cJSON *list = cJSON_CreateArray ();
        int index = 0;
        for (const cJSON *id = ids->child; id; id = id->next, index++) {
            char item_field [S_FIELD_MAX + 16];
            snprintf (item_field, sizeof (item_field), "%s[%d]", field, index);
            const char *text;
            if (s_check_str (walk, id, item_field, "each role id", 64, &text))
                continue;
            if (!s_snowflake_ok (text)) {
                ddc_walk_error (walk, item_field, "invalid",
                                "A role id must be a Discord snowflake: 17 to 20 digits "
                                "(Discord: Server Settings, Roles, right-click a role, Copy "
                                "Role ID).");
                continue;
            }
            bool dup = false;
            for (const cJSON *x = list->child; x && !dup; x = x->next)
                dup = strcmp (x->valuestring, text) == 0;
            if (dup)
                ddc_walk_error (walk, item_field, "duplicate", "Role %s is listed twice for %s.",
                                text, action);
            else
                cJSON_AddItemToArray (list, cJSON_CreateString (text));
        }
        if (cJSON_GetArraySize (list))
            cJSON_AddItemToObject (roles, action, list);
        else
            cJSON_Delete (list);
    }
    roles = ddc_walk_finish (walk, before, &roles);
    if (roles)
        cJSON_AddItemToObject (out, "roles", roles);
}

//  containers: the tasks of the current document keep their targets.
static bool
s_has_container (const cJSON *containers, const char *host, const char *name)
{
    int index = 0;
    for (const cJSON *c = containers ? containers->child : NULL; c && index < DDC_CONTAINERS_MAX;
         c = c->next, index++) {
        const char *h = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "host"));
        const char *n = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "name"));
        if (h && n && strcmp (h, host) == 0 && strcmp (n, name) == 0)
            return true;
    }
    return false;
}

static void
s_containers_in_use (ddc_walk_t *walk, const cJSON *value, const char *path)
{
    int index = 0;
    for (const cJSON *task = walk->tasks ? walk->tasks->child : NULL; task && index < DDC_TASKS_MAX;
         task = task->next, index++) {
        const char *id = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (task, "id"));
        const char *host = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (task, "host"));
        const char *name =
            cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (task, "container"));
        if (!host || !name || s_has_container (value, host, name))
            continue;
        char safe_id [S_SAFE_MAX + 8], safe_host [S_SAFE_MAX + 8], safe_name [S_SAFE_MAX + 8];
        ddc_json_safe (safe_id, sizeof (safe_id), id);
        ddc_json_safe (safe_host, sizeof (safe_host), host);
        ddc_json_safe (safe_name, sizeof (safe_name), name);
        ddc_walk_error (walk, path, "in_use",
                        "Task '%s' targets container %s/%s, which this change removes; change "
                        "or delete the task first.",
                        safe_id, safe_host, safe_name);
    }
}

//  channels: the same id twice is a conflict when the kinds differ.
static void
s_channel_dup (ddc_walk_t *walk, const char *path, const cJSON *row, const cJSON *earlier,
               int earlier_index)
{
    char field [S_FIELD_MAX];
    s_field (field, path, "id");
    const char *id = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (row, "id"));
    const char *kind = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (row, "kind"));
    const char *other = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (earlier, "kind"));
    if (s_index (s_channel_kinds, kind) >= 0 && s_index (s_channel_kinds, other) >= 0
        && strcmp (kind, other) != 0)
        ddc_walk_error (walk, field, "conflict",
                        "Channel %s is listed as both %s and %s; a channel can be of one kind "
                        "only.",
                        id, other, kind);
    else
        ddc_walk_error (walk, field, "duplicate",
                        "Channel %s is listed twice (also as "
                        "channels[%d]).",
                        id, earlier_index);
}

//  tasks[].container: the target must be in the containers list.
static void
s_task_target (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f,
               cJSON *out)
{
    static const ddc_field_t text = { .key = "container",
                                      .type = DDC_T_STR,
                                      .flags = DDC_F_REQUIRED,
                                      .max = 128,
                                      .ok = s_docker_name_ok,
                                      .bad = S_NAME_BAD };
    (void) f;
    const char *name;
    if (s_get_str (walk, obj, path, &text, &name))
        return;
    cJSON_AddStringToObject (out, "container", name);
    const char *host = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (out, "host"));
    if (host && walk->containers && !s_has_container (walk->containers, host, name)) {
        char field [S_FIELD_MAX];
        s_field (field, path, "container");
        ddc_walk_error (walk, field, "not_found",
                        "Container %s/%s is not in the containers "
                        "list.",
                        host, name);
    }
}

//  tasks[].time, or with the cron cycle tasks[].cron instead (a cron
//  schedule names its own minutes and hours).
static void
s_task_time (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f, cJSON *out)
{
    static const ddc_field_t time = { .key = "time",
                                      .type = DDC_T_STR,
                                      .flags = DDC_F_REQUIRED,
                                      .max = 64,
                                      .ok = s_time_ok,
                                      .bad = "must be HH:MM between 00:00 and 23:59." };
    static const ddc_field_t cron = {
        .key = "cron",
        .type = DDC_T_STR,
        .flags = DDC_F_REQUIRED,
        .max = DDC_SCHEDULE_CRON_MAX,
        .ok = ddc_schedule_cron_ok,
        .bad = "must be five fields MIN HOUR DAY MONTH WEEKDAY, each *, a number, a range a-b "
               "or a list a,b, with an optional step /n (e.g. 0 4 * * 1-5)."
    };
    (void) f;
    const char *cycle = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (out, "cycle"));
    const ddc_field_t *row = cycle && strcmp (cycle, "cron") == 0 ? &cron : &time;
    const char *text;
    if (s_get_str (walk, obj, path, row, &text) == 0)
        cJSON_AddStringToObject (out, row->key, text);
}

//  The tasks row key as its hook checks it: a required whole number
//  within the row's limits.
static ddc_field_t
s_task_number (const char *key)
{
    const ddc_field_t *row = ddc_schema_field (DDC_SEC_TASKS, key);
    assert (row);
    return (ddc_field_t){
        .key = row->key, .type = DDC_T_INT, .flags = DDC_F_REQUIRED, .min = row->min, .max = row->max
    };
}

//  tasks[]: the date, weekday, month and day the cycle uses (the others
//  are dropped); the hook of "date" handles all four.
static void
s_task_when (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f, cJSON *out)
{
    static const ddc_field_t date = {
        .key = "date",
        .type = DDC_T_STR,
        .flags = DDC_F_REQUIRED,
        .max = 64,
        .ok = s_date_ok,
        .bad = "must be a real calendar date YYYY-MM-DD (years 1970 to 9999)."
    };
    static const ddc_field_t weekday = {
        .key = "weekday", .type = DDC_T_ENUM, .flags = DDC_F_REQUIRED, .values = s_weekdays
    };
    if (strcmp (f->key, "date") != 0)
        return;
    const ddc_field_t month = s_task_number ("month"), day = s_task_number ("day");
    const char *cycle = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (out, "cycle"));
    const char *text;
    int number, month_number = 0;
    if (!cycle)
        return;
    if (strcmp (cycle, "once") == 0) {
        if (s_get_str (walk, obj, path, &date, &text) == 0)
            cJSON_AddStringToObject (out, "date", text);
    }
    else if (strcmp (cycle, "weekly") == 0) {
        if (s_get_str (walk, obj, path, &weekday, &text) == 0)
            cJSON_AddStringToObject (out, "weekday", text);
    }
    else if (strcmp (cycle, "monthly") == 0) {
        if (s_get_int (walk, obj, path, &day, &number) == 0)
            cJSON_AddNumberToObject (out, "day", number);
    }
    else if (strcmp (cycle, "yearly") == 0) {
        bool month_ok = s_get_int (walk, obj, path, &month, &month_number) == 0;
        if (month_ok)
            cJSON_AddNumberToObject (out, "month", month_number);
        if (s_get_int (walk, obj, path, &day, &number) == 0) {
            if (month_ok && number > s_days_in_month (2000, month_number)) {
                char field [S_FIELD_MAX];
                s_field (field, path, "day");
                ddc_walk_error (walk, field, "out_of_range",
                                "day must exist in month %d: 1 to "
                                "%d.",
                                month_number, s_days_in_month (2000, month_number));
            }
            else
                cJSON_AddNumberToObject (out, "day", number);
        }
    }
}

//  watchdog.url: required when the watchdog is enabled.
static void
s_watchdog_url (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f,
                cJSON *out)
{
    const char *url;
    if (s_get_str (walk, obj, path, f, &url))
        return;
    if (!*url && cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (out, "enabled"))) {
        char field [S_FIELD_MAX];
        s_field (field, path, "url");
        ddc_walk_error (walk, field, "required", "url is required when the watchdog is enabled.");
        return;
    }
    cJSON_AddStringToObject (out, "url", url);
}

//  spam.command_cooldowns and spam.button_cooldowns: {KEY: seconds} with
//  keys from the map's list, values 0..3600; the defaults when absent.
static void
s_cooldowns (ddc_walk_t *walk, const cJSON *obj, const char *path, const ddc_field_t *f, cJSON *out)
{
    const char *const *keys = f->values;
    const s_cooldown_t *defaults =
        strcmp (f->key, "command_cooldowns") == 0 ? s_command_defaults : s_button_defaults;
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (obj, f->key);
    char map_path [S_FIELD_MAX];
    s_field (map_path, path, f->key);
    cJSON *map = cJSON_CreateObject ();
    if (!value) {
        for (int i = 0; defaults [i].key; i++)
            cJSON_AddNumberToObject (map, defaults [i].key, defaults [i].value);
        cJSON_AddItemToObject (out, f->key, map);
        return;
    }
    if (!s_want_object (walk, value, map_path)) {
        cJSON_Delete (map);
        return;
    }
    int before = walk->count;
    int values [16];
    uint32_t seen = 0;
    char list [256];
    s_join (keys, list, sizeof (list));
    for (const cJSON *item = value->child; item; item = item->next) {
        char safe [S_SAFE_MAX + 8], field [S_FIELD_MAX];
        ddc_json_safe (safe, sizeof (safe), item->string);
        s_field (field, map_path, safe);
        int index = s_index (keys, item->string);
        if (index < 0) {
            ddc_walk_error (walk, field, "not_supported", "'%s' has no cooldown; allowed: %s.",
                            safe, list);
            continue;
        }
        if (seen & (1u << index)) {
            ddc_walk_error (walk, field, "duplicate", "%s is given more than once.", safe);
            continue;
        }
        seen |= 1u << index;
        if (s_check_int (walk, item, field, "A cooldown", f->min, f->max, &values [index]))
            seen &= ~(1u << index);
    }
    for (int i = 0; keys [i]; i++)
        if (seen & (1u << i))
            cJSON_AddNumberToObject (map, keys [i], values [i]);
    map = ddc_walk_finish (walk, before, &map);
    if (map)
        cJSON_AddItemToObject (out, f->key, map);
}

const char *const *
ddc_config_cooldown_keys (const char *map)
{
    if (map && strcmp (map, "command_cooldowns") == 0)
        return ddc_schema_command_keys;
    if (map && strcmp (map, "button_cooldowns") == 0)
        return ddc_schema_button_keys;
    return NULL;
}

//  ---- the tables ---------------------------------------------------------------

// clang-format off
static const ddc_field_t s_bot [] = {
    { .key = "token",     .type = DDC_T_STR,  .flags = DDC_F_SECRET,            .max = 200,                                             .def_str = "",                              .ok = s_token_ok,           .bad = S_TOKEN_BAD,     .label = "f.bot.token" },
    { .key = "guild_id",  .type = DDC_T_STR,                                    .max = 64,              .input_max = DDC_SNOWFLAKE_MAX, .def_str = "",                              .ok = s_snowflake_or_empty, .bad = S_SNOWFLAKE_BAD, .label = "f.bot.guild_id" },
    { .key = "language",  .type = DDC_T_ENUM,                                                                                           .def_str = "en",  .values = ddc_i18n_codes,                                                     .label = "f.bot.language" },
    { .key = "timezone",  .type = DDC_T_STR,                                    .max = 64,                                              .def_str = "UTC",                           .ok = ddc_tz_valid,         .bad = S_TZ_BAD,        .label = "f.bot.timezone" },
    { .key = "log_lines", .type = DDC_T_INT,  .flags = DDC_F_FORM,   .min = 10, .max = 1000, .def = 50,                                                                                                                                 .label = "f.bot.log_lines" },
    { .key = NULL }
};

static const ddc_field_t s_info [] = {
    { .key = "enabled", .type = DDC_T_BOOL,              .def = false,                .label = "f.containers.info_enabled" },
    { .key = "text",    .type = DDC_T_STR,  .max = 2000,               .def_str = "", .label = "f.containers.info" },
    { .key = NULL }
};
static const ddc_table_t s_info_table = { .name = "info", .fields = s_info };

static const ddc_field_t s_container [] = {
    { .key = "host",            .type = DDC_T_STR,  .flags = DDC_F_REQUIRED | DDC_F_UNIQUE,           .max = 63,                                                                                                           .ok = s_host_ok,        .bad = S_HOST_BAD,                                                .label = "f.containers.host" },
    { .key = "name",            .type = DDC_T_STR,  .flags = DDC_F_REQUIRED | DDC_F_UNIQUE,           .max = 128,                                                                                                          .ok = s_docker_name_ok, .bad = S_NAME_BAD,                                                .label = "f.containers.name" },
    { .key = "active",          .type = DDC_T_BOOL,                                                                .def = true,                                                                                                                                                                                      .label = "f.containers.active" },
    { .key = "display_name",    .type = DDC_T_HOOK, .flags = DDC_F_NONEMPTY,                          .max = 100,                                                                                                                                                     .hook = s_display_name,                        .label = "f.containers.display_name" },
    { .key = "order",           .type = DDC_T_INT,                                          .min = 0, .max = 9999, .def = 0,                                                                                                                                                                                         .label = "f.containers.order" },
    { .key = "allowed_actions", .type = DDC_T_SET,                                                                              .values = ddc_schema_actions,     .def_set = s_default_actions,                                                                                               .noun = "actions",     .label = "f.containers.allowed_actions" },
    { .key = "info",            .type = DDC_T_OBJ,                                                                                                                                                   .sub = &s_info_table,                                                                                           .label = "f.containers.info" },
    { .key = "alerts",          .type = DDC_T_SET,                                                                              .values = ddc_schema_alert_kinds, .def_set = ddc_schema_alert_kinds,                                                                                          .noun = "alert kinds", .label = "f.containers.alerts" },
    { .key = "roles",           .type = DDC_T_HOOK,                                                   .max = DDC_ROLES_MAX,                                                                                                                                           .hook = s_roles,                               .label = "f.containers.roles" },
    { .key = NULL }
};

static const ddc_field_t s_channel [] = {
    { .key = "id",               .type = DDC_T_STR,  .flags = DDC_F_REQUIRED | DDC_F_UNIQUE,           .max = 64,                                                           .input_max = DDC_SNOWFLAKE_MAX, .ok = s_snowflake_ok, .bad = S_SNOWFLAKE_BAD, .label = "f.channels.id" },
    { .key = "name",             .type = DDC_T_STR,                                                    .max = 100,                .def_str = "",                                                                                                          .label = "f.channels.name" },
    { .key = "kind",             .type = DDC_T_ENUM, .flags = DDC_F_REQUIRED,                                                                    .values = s_channel_kinds,                                                                               .label = "f.channels.kind" },
    { .key = "post_initial",     .type = DDC_T_BOOL,                                                                .def = false,                                                                                                                         .label = "f.channels.post_initial" },
    { .key = "refresh_minutes",  .type = DDC_T_INT,                                          .min = 1, .max = 1440, .def = 5,                                                                                                                             .label = "f.channels.refresh_minutes" },
    { .key = "recreate_minutes", .type = DDC_T_INT,                                          .min = 0, .max = 1440, .def = 0,                                                                                                                             .label = "f.channels.recreate_minutes" },
    { .key = "alerts",           .type = DDC_T_BOOL,                                                                .def = false,                                                                                                                         .label = "f.channels.alerts" },
    { .key = NULL }
};

static const ddc_field_t s_admin [] = {
    { .key = "id",   .type = DDC_T_STR, .flags = DDC_F_REQUIRED | DDC_F_UNIQUE, .max = 64,                 .input_max = DDC_SNOWFLAKE_MAX, .ok = s_snowflake_ok, .bad = S_USER_ID_BAD, .label = "f.admins.id" },
    { .key = "note", .type = DDC_T_STR,                                         .max = 100, .def_str = "",                                                                             .label = "f.admins.note" },
    { .key = NULL }
};

static const ddc_field_t s_spam [] = {
    { .key = "enabled",           .type = DDC_T_BOOL,                        .def = true,                                                         .label = "f.spam.enabled" },
    { .key = "command_cooldowns", .type = DDC_T_HOOK, .min = 0, .max = 3600,              .values = ddc_schema_command_keys, .hook = s_cooldowns, .label = "f.spam.command_cooldowns" },
    { .key = "button_cooldowns",  .type = DDC_T_HOOK, .min = 0, .max = 3600,              .values = ddc_schema_button_keys,  .hook = s_cooldowns, .label = "f.spam.button_cooldowns" },
    { .key = NULL }
};

static const ddc_field_t s_task [] = {
    { .key = "id",        .type = DDC_T_STR,  .flags = DDC_F_REQUIRED | DDC_F_UNIQUE,           .max = 64,                                                                             .ok = s_task_id_ok, .bad = S_TASK_ID_BAD,                        .label = "f.tasks.id" },
    { .key = "host",      .type = DDC_T_STR,  .flags = DDC_F_REQUIRED,                          .max = 63,                                                                             .ok = s_host_ok,    .bad = S_HOST_BAD,                           .label = "f.tasks.host" },
    { .key = "container", .type = DDC_T_HOOK, .flags = DDC_F_REQUIRED,                          .max = 128,                                                                                                                      .hook = s_task_target, .label = "f.tasks.target" },
    { .key = "action",    .type = DDC_T_ENUM, .flags = DDC_F_REQUIRED,                                                                                       .values = s_task_actions,                                                                  .label = "f.tasks.action" },
    { .key = "cycle",     .type = DDC_T_ENUM, .flags = DDC_F_REQUIRED,                                                                                       .values = s_cycles,                                                                        .label = "f.tasks.cycle" },
    { .key = "time",      .type = DDC_T_HOOK,                                                                                                                                                                                    .hook = s_task_time,   .label = "f.tasks.time" },
    { .key = "date",      .type = DDC_T_HOOK,                                                                                                                                                                                    .hook = s_task_when,   .label = "f.tasks.date" },
    { .key = "weekday",   .type = DDC_T_HOOK,                                                                                                                                                                                    .hook = s_task_when,   .label = "f.tasks.weekday" },
    { .key = "day",       .type = DDC_T_HOOK,                                         .min = 1, .max = 31,                                                                                                                       .hook = s_task_when,   .label = "f.tasks.day" },
    { .key = "month",     .type = DDC_T_HOOK,                                         .min = 1, .max = 12,                                                                                                                       .hook = s_task_when,   .label = "f.tasks.month" },
    { .key = "cron",      .type = DDC_T_HOOK,                                                   .max = DDC_SCHEDULE_CRON_MAX,                                                                                                    .hook = s_task_when,   .label = "f.tasks.cron" },
    { .key = "timezone",  .type = DDC_T_STR,                                                    .max = 64,                                 .def_str = "UTC",                           .ok = ddc_tz_valid, .bad = S_TZ_BAD,                             .label = "f.tasks.timezone" },
    { .key = "active",    .type = DDC_T_BOOL,                                                                                 .def = true,                                                                                                              .label = "f.tasks.active" },
    { .key = "note",      .type = DDC_T_STR,  .flags = DDC_F_OMIT,                              .max = 200,                                                                                                                                             .label = "f.tasks.note" },
    { .key = NULL }
};

static const ddc_field_t s_watchdog [] = {
    { .key = "enabled",          .type = DDC_T_BOOL,                        .def = false,                                                                                         .label = "f.watchdog.enabled" },
    { .key = "url",              .type = DDC_T_HOOK,           .max = 2048,               .def_str = "", .ok = s_url_or_empty, .bad = S_URL_BAD,          .hook = s_watchdog_url, .label = "f.watchdog.url" },
    { .key = "fail_url",         .type = DDC_T_STR,            .max = 2048,               .def_str = "", .ok = s_url_or_empty, .bad = S_URL_OR_EMPTY_BAD,                         .label = "f.watchdog.fail_url" },
    { .key = "interval_minutes", .type = DDC_T_INT,  .min = 1, .max = 1440, .def = 5,                                                                                             .label = "f.watchdog.interval_minutes" },
    { .key = NULL }
};

static const ddc_field_t s_web [] = {
    { .key = "password_hash",        .type = DDC_T_STR,  .flags = DDC_F_SECRET,           .max = 512,             .def_str = "",                             .ok = s_printable_ascii,  .bad = S_ASCII_BAD,         .label = "f.web.password_hash" },
    { .key = "session_idle_minutes", .type = DDC_T_INT,                         .min = 1, .max = 1440, .def = 30,                                                                                                  .label = "f.web.session_idle_minutes" },
    { .key = "ui_language",          .type = DDC_T_ENUM,                                                          .def_str = "en", .values = ddc_i18n_codes,                                                       .label = "f.web.ui_language" },
    { .key = "metrics_token",        .type = DDC_T_STR,  .flags = DDC_F_SECRET,           .max = 256,             .def_str = "",                             .ok = s_metrics_token_ok, .bad = S_METRICS_TOKEN_BAD, .label = "f.web.metrics_token" },
    { .key = NULL }
};

static const ddc_field_t s_docker [] = {
    { .key = "stats_interval_seconds", .type = DDC_T_INT, .min = 2, .max = 3600, .def = 10, .label = "f.docker.stats_interval_seconds" },
    { .key = "stop_timeout_seconds",   .type = DDC_T_INT, .min = 0, .max = 300,  .def = 10, .label = "f.docker.stop_timeout_seconds" },
    { .key = NULL }
};

static const ddc_field_t s_alerts [] = {
    { .key = "enabled",              .type = DDC_T_BOOL,                                               .def = true,                                                                                            .label = "f.alerts.enabled" },
    { .key = "webhook_url",          .type = DDC_T_STR,  .flags = DDC_F_SECRET,           .max = 2048,              .def_str = "",                                     .ok = s_url_or_empty, .bad = S_URL_BAD, .label = "f.alerts.webhook_url" },
    { .key = "webhook_format",       .type = DDC_T_ENUM,                                                            .def_str = "discord", .values = s_webhook_formats,                                         .label = "f.alerts.webhook_format" },
    { .key = "restart_loop_count",   .type = DDC_T_INT,                         .min = 2, .max = 100,  .def = 3,                                                                                               .label = "f.alerts.restart_loop_count" },
    { .key = "restart_loop_minutes", .type = DDC_T_INT,                         .min = 1, .max = 1440, .def = 10,                                                                                              .label = "f.alerts.restart_loop_minutes" },
    { .key = "cooldown_minutes",     .type = DDC_T_INT,                         .min = 0, .max = 1440, .def = 10,                                                                                              .label = "f.alerts.cooldown_minutes" },
    { .key = "max_per_hour",         .type = DDC_T_INT,                         .min = 1, .max = 1000, .def = 30,                                                                                              .label = "f.alerts.max_per_hour" },
    { .key = "log_lines",            .type = DDC_T_INT,                         .min = 0, .max = 100,  .def = 20,                                                                                              .label = "f.alerts.log_lines" },
    { .key = NULL }
};

static const ddc_table_t s_tables [DDC_SEC_COUNT] = {
    [DDC_SEC_BOT] =        { .name = "bot",        .fields = s_bot },
    [DDC_SEC_CONTAINERS] = { .name = "containers", .fields = s_container, .list = true, .max_rows = DDC_CONTAINERS_MAX, .noun = "Container",                       .after = s_containers_in_use },
    [DDC_SEC_CHANNELS] =   { .name = "channels",   .fields = s_channel,   .list = true, .max_rows = DDC_CHANNELS_MAX,   .noun = "Channel",   .dup = s_channel_dup },
    [DDC_SEC_ADMINS] =     { .name = "admins",     .fields = s_admin,     .list = true, .max_rows = DDC_ADMINS_MAX,     .noun = "Admin" },
    [DDC_SEC_SPAM] =       { .name = "spam",       .fields = s_spam },
    [DDC_SEC_TASKS] =      { .name = "tasks",      .fields = s_task,      .list = true, .max_rows = DDC_TASKS_MAX,      .noun = "Task id" },
    [DDC_SEC_WATCHDOG] =   { .name = "watchdog",   .fields = s_watchdog },
    [DDC_SEC_WEB] =        { .name = "web",        .fields = s_web },
    [DDC_SEC_DOCKER] =     { .name = "docker",     .fields = s_docker },
    [DDC_SEC_ALERTS] =     { .name = "alerts",     .fields = s_alerts }
};
// clang-format on

//  ---- lookups and typed reads -----------------------------------------------

const ddc_table_t *
ddc_schema_section (ddc_section_t s)
{
    if ((unsigned) s >= DDC_SEC_COUNT)
        return NULL;
    return &s_tables [s];
}

const ddc_field_t *
ddc_schema_field (ddc_section_t s, const char *path)
{
    const ddc_table_t *t = ddc_schema_section (s);
    if (!t || !path)
        return NULL;
    while (t) {
        size_t len = strcspn (path, ".");
        const ddc_field_t *found = NULL;
        for (const ddc_field_t *f = t->fields; f->key && !found; f++)
            if (strlen (f->key) == len && strncmp (f->key, path, len) == 0)
                found = f;
        if (!found || !path [len])
            return found;
        path += len + 1;
        t = found->type == DDC_T_OBJ ? found->sub : NULL;
    }
    return NULL;
}

bool
ddc_schema_secret (ddc_section_t s, const char *path)
{
    const ddc_field_t *f = ddc_schema_field (s, path);
    return f && (f->flags & DDC_F_SECRET);
}

//  The item at a dotted path inside obj, or NULL.
static const cJSON *
s_at (const cJSON *obj, const char *path)
{
    char key [S_FIELD_MAX];
    while (obj && path) {
        size_t len = strcspn (path, ".");
        if (len >= sizeof (key))
            return NULL;
        memcpy (key, path, len);
        key [len] = 0;
        obj = cJSON_IsObject (obj) ? cJSON_GetObjectItemCaseSensitive (obj, key) : NULL;
        path = path [len] ? path + len + 1 : NULL;
    }
    return obj;
}

int
ddc_schema_int (ddc_section_t s, const cJSON *obj, const char *path)
{
    const ddc_field_t *f = ddc_schema_field (s, path);
    if (!f)
        return 0;
    const cJSON *item = s_at (obj, path);
    if (cJSON_IsNumber (item) && item->valuedouble >= f->min && item->valuedouble <= f->max)
        return (int) item->valuedouble;
    return f->def;
}

bool
ddc_schema_bool (ddc_section_t s, const cJSON *obj, const char *path)
{
    const ddc_field_t *f = ddc_schema_field (s, path);
    if (!f)
        return false;
    const cJSON *item = s_at (obj, path);
    return cJSON_IsBool (item) ? cJSON_IsTrue (item) : f->def != 0;
}

const char *
ddc_schema_str (ddc_section_t s, const cJSON *obj, const char *path)
{
    const ddc_field_t *f = ddc_schema_field (s, path);
    if (!f)
        return "";
    const char *text = cJSON_GetStringValue (s_at (obj, path));
    if (text && (f->type != DDC_T_ENUM || s_index (f->values, text) >= 0))
        return text;
    return f->def_str ? f->def_str : "";
}

//  ---- decoding into a service's struct ---------------------------------------

//  The object holding the field at a dotted key inside obj (obj itself
//  for a plain key; NULL when a level is absent, so the default applies)
//  into *holder, its path into at[S_FIELD_MAX]. False when a level is
//  given but is not an object (reported).
static bool
s_holder (ddc_walk_t *walk, const cJSON *obj, const char *path, const char *key,
          const cJSON **holder, char *at)
{
    snprintf (at, S_FIELD_MAX, "%s", path);
    const char *dot;
    while (obj && (dot = strchr (key, '.'))) {
        char level [S_FIELD_MAX], sub [S_FIELD_MAX];
        snprintf (level, sizeof (level), "%.*s", (int) (dot - key), key);
        s_field (sub, at, level);
        snprintf (at, S_FIELD_MAX, "%s", sub);
        obj = cJSON_GetObjectItemCaseSensitive (obj, level);
        if (obj && !s_want_object (walk, obj, at))
            return false;
        key = dot + 1;
    }
    *holder = obj;
    return true;
}

//  The bits of a SET's members: bit i for values[i] in list.
static unsigned
s_set_bits (const char *const *values, const cJSON *list, const char *const *def)
{
    unsigned bits = 0;
    if (list) {
        const cJSON *each;
        cJSON_ArrayForEach (each, list) {
            int i = s_index (values, cJSON_GetStringValue (each));
            if (i >= 0)
                bits |= 1u << i;
        }
    }
    else
        for (int k = 0; def && def [k]; k++)
            if (s_index (values, def [k]) >= 0)
                bits |= 1u << s_index (values, def [k]);
    return bits;
}

//  One bound field of holder (at is its path) into member.
static void
s_decode_field (ddc_walk_t *walk, const ddc_field_t *f, const cJSON *holder, const char *at,
                void *member)
{
    switch (f->type) {
        case DDC_T_INT:
            s_get_int (walk, holder, at, f, (int *) member);
            break;
        case DDC_T_BOOL:
            s_get_bool (walk, holder, at, f, (bool *) member);
            break;
        case DDC_T_STR:
        case DDC_T_ENUM:
        case DDC_T_HOOK: {
            const cJSON *item = cJSON_GetObjectItemCaseSensitive (holder, f->key);
            const char *text = f->def_str;
            //  "***": a secret redacted for this reader, as if not given
            bool redacted = (f->flags & DDC_F_SECRET) && cJSON_IsString (item)
                            && strcmp (item->valuestring, "***") == 0;
            if (!redacted && s_get_str (walk, holder, at, f, &text))
                text = f->def_str;
            *(const char **) member = text ? text : "";
            break;
        }
        case DDC_T_SET: {
            int before = walk->count;
            cJSON *list = s_get_set (walk, holder, at, f);
            *(unsigned *) member =
                s_set_bits (f->values, walk->count == before ? list : NULL, f->def_set);
            cJSON_Delete (list);
            break;
        }
        case DDC_T_OBJ:
            assert (!"an object is decoded by its fields' dotted keys");
            break;
    }
}

int
ddc_schema_decode (ddc_walk_t *walk, ddc_section_t s, const cJSON *obj, const char *path,
                   const ddc_bind_t *binds, void *out)
{
    assert (walk);
    assert (binds);
    assert (out);
    if (!path)
        path = "";
    int before = walk->count;
    ddc_walk_t quiet = { 0 };
    if (!s_want_object (walk, obj, path)) {
        obj = NULL; //  every member its default, nothing more reported
        walk = &quiet;
    }
    for (const ddc_bind_t *b = binds; b->key; b++) {
        const ddc_field_t *f = ddc_schema_field (s, b->key);
        assert (f && f->type != DDC_T_OBJ);
        const cJSON *holder;
        char at [S_FIELD_MAX];
        void *member = (char *) out + b->offset;
        if (s_holder (walk, obj, path, b->key, &holder, at))
            s_decode_field (walk, f, holder, at, member);
        else
            s_decode_field (&quiet, f, NULL, at, member); //  the level was reported
    }
    return obj && walk->count == before ? 0 : -1;
}
