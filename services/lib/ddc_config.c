/*  ddc_config: the configuration document model and validator.
    Owns: section names and secrets, defaults, per-section validation and
    normalisation, whole-document validation, redaction, diff and equality.
    See ddc_config.h for the format, the reasons and the ownership rules. */
#include "ddc_config.h"
#include "ddc_i18n.h"
#include "ddc_schedule.h"
#include "ddc_tz.h"
#include "ddc_util.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_PATH_MAX  128       //  path of an object (containers[12].info)
#define S_FIELD_MAX 256       //  path of a field in it
#define S_SAFE_MAX  64        //  user text quoted in fields and messages
#define S_ACTIONS_MAX 16      //  allowed_actions entries examined
#define S_EQUAL_SLOW_MAX 1024 //  object size for order-independent compare

static const char *const s_section_names [DDC_SEC_COUNT] = {
    "bot", "containers", "channels", "admins",
    "spam", "tasks", "watchdog", "web", "docker", "alerts"
};

static const char *const s_bot_secrets [] = { "token", NULL };
static const char *const s_web_secrets [] = { "password_hash", "metrics_token", NULL };
static const char *const s_alerts_secrets [] = { "webhook_url", NULL };
static const char *const s_no_secrets [] = { NULL };

//  Keys of each object, in canonical order.
static const char *const s_bot_keys [] = {
    "token", "guild_id", "language", "timezone", NULL
};
static const char *const s_container_keys [] = {
    "host", "name", "active", "display_name", "order", "allowed_actions",
    "info", "alerts", "roles", NULL
};
static const char *const s_info_keys [] = { "enabled", "text", NULL };
static const char *const s_channel_keys [] = {
    "id", "name", "kind", "post_initial", "refresh_minutes",
    "recreate_minutes", "alerts", NULL
};
static const char *const s_admin_keys [] = { "id", "note", NULL };
static const char *const s_spam_keys [] = {
    "enabled", "command_cooldowns", "button_cooldowns", NULL
};
static const char *const s_task_keys [] = {
    "id", "host", "container", "action", "cycle", "time", "date",
    "weekday", "day", "month", "cron", "timezone", "active", "note", NULL
};
static const char *const s_watchdog_keys [] = {
    "enabled", "url", "fail_url", "interval_minutes", NULL
};
static const char *const s_docker_keys [] = {
    "stats_interval_seconds", "stop_timeout_seconds", NULL
};
static const char *const s_alerts_keys [] = {
    "enabled", "webhook_url", "webhook_format", "restart_loop_count",
    "restart_loop_minutes", "cooldown_minutes", "max_per_hour", "log_lines", NULL
};
static const char *const s_web_keys [] = {
    "password_hash", "session_idle_minutes", "ui_language", "metrics_token", NULL
};

//  Value sets.
//  The languages are the locale catalogue's (ddc_i18n_codes).
static const char *const s_container_actions [] = {
    "start", "stop", "restart", "logs", NULL
};
static const char *const s_channel_kinds [] = { "status", "control", NULL };
static const char *const s_alert_kinds [] = {
    "crash", "unhealthy", "restart_loop", NULL
};
static const char *const s_webhook_formats [] = { "discord", "json", NULL };
static const char *const s_task_actions [] = {
    "start", "stop", "restart", NULL
};
static const char *const s_cycles [] = {
    "once", "daily", "weekly", "monthly", "yearly", "cron", NULL
};
static const char *const s_weekdays [] = {
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL
};
static const char *const s_default_actions [] = {
    "start", "stop", "restart", NULL
};

//  Cooldown maps: allowed keys in canonical order, and the default map.
typedef struct {
    const char *key;
    int value;
} s_cooldown_t;

static const char *const s_command_keys [] = {
    "serverstatus", "ss", "control", "info", "help", "ping", "addadmin", NULL
};
static const s_cooldown_t s_command_defaults [] = {
    { "serverstatus", 30 }, { "control", 5 }, { "info", 5 }, { NULL, 0 }
};
static const char *const s_button_keys [] = {
    "start", "stop", "restart", "info", "logs", "refresh", "restart_all",
    "stop_all", NULL
};
static const s_cooldown_t s_button_defaults [] = {
    { "start", 10 }, { "stop", 10 }, { "restart", 20 }, { "info", 3 },
    { "logs", 10 }, { NULL, 0 }
};

enum { S_CYCLE_ONCE, S_CYCLE_DAILY, S_CYCLE_WEEKLY, S_CYCLE_MONTHLY,
       S_CYCLE_YEARLY, S_CYCLE_CRON };


//  --------------------------------------------------------------------------
//  Sections

const char *
ddc_section_name (ddc_section_t s)
{
    if ((unsigned) s >= DDC_SEC_COUNT)
        return NULL;
    return s_section_names [s];
}

int
ddc_section_from_name (const char *name)
{
    if (!name)
        return -1;
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        if (strcmp (s_section_names [s], name) == 0)
            return s;
    return -1;
}

const char *const *
ddc_section_secrets (ddc_section_t s)
{
    if (s == DDC_SEC_BOT)
        return s_bot_secrets;
    if (s == DDC_SEC_WEB)
        return s_web_secrets;
    if (s == DDC_SEC_ALERTS)
        return s_alerts_secrets;
    return s_no_secrets;
}


//  --------------------------------------------------------------------------
//  Small helpers

//  Index of str in a NULL-terminated list, or -1.

static int
s_index (const char *const *list, const char *str)
{
    if (!str)
        return -1;
    for (int i = 0; list [i]; i++)
        if (strcmp (list [i], str) == 0)
            return i;
    return -1;
}

//  Copy user text for quoting in a field or message: printable ASCII only
//  (others become '?'), at most S_SAFE_MAX characters then "...".

static void
s_safe (char *out, size_t size, const char *in)
{
    size_t o = 0;
    if (!in)
        in = "";
    for (size_t i = 0; in [i] && o + 4 < size; i++) {
        if (i == S_SAFE_MAX) {
            memcpy (out + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char) in [i];
        out [o++] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
    }
    out [o] = 0;
}

//  Number of code points in s, or -1 if s is not valid UTF-8 (overlong
//  forms, surrogates and values above U+10FFFF are refused).

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
    const unsigned char *p = (const unsigned char *) s;
    for (; *p; p++) {
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
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9');
}

static bool
s_is_digit (char c)
{
    return c >= '0' && c <= '9';
}

//  Discord snowflake: 17 to 20 digits, no leading zero, fits in 64 bits.

static bool
s_snowflake_ok (const char *s)
{
    size_t len = strnlen (s, 21);
    if (len < 17 || len > 20 || s [0] == '0')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!s_is_digit (s [i]))
            return false;
    uint64_t value;
    return ddc_parse_u64 (s, &value) == 0;
}

bool
ddc_config_name_ok (const char *s, size_t max)
{
    size_t len = strnlen (s, max + 1);
    if (len < 1 || len > max || !s_is_alnum (s [0]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!s_is_alnum (s [i]) && s [i] != '.' && s [i] != '_' && s [i] != '-')
            return false;
    return true;
}

static bool s_host_ok (const char *s) { return ddc_config_name_ok (s, DDC_HOST_NAME_MAX); }
static bool s_docker_name_ok (const char *s)
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

//  Printable ASCII only (may be empty).

static bool
s_printable_ascii (const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

//  "HH:MM", 00:00 to 23:59, exactly 5 characters.

static bool
s_time_ok (const char *s)
{
    if (strnlen (s, 6) != 5 || s [2] != ':')
        return false;
    if (!s_is_digit (s [0]) || !s_is_digit (s [1])
    ||  !s_is_digit (s [3]) || !s_is_digit (s [4]))
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

//  https:// (or, with http_too, http://) URL with a non-empty host and no
//  whitespace/control chars.

static bool
s_url_ok (const char *s, bool http_too)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    if (s_has_control (s))
        return false;
    size_t scheme = strncasecmp (s, "https://", 8) == 0 ? 8
                  : http_too && strncasecmp (s, "http://", 7) == 0 ? 7 : 0;
    if (!scheme)
        return false;
    const char *auth = s + scheme;
    size_t auth_len = strcspn (auth, "/?#");
    //  Host follows any userinfo and precedes any port
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


//  --------------------------------------------------------------------------
//  Error collection

typedef struct {
    cJSON *errors;      //  caller's array, may be NULL
    int count;          //  errors found, including those not appended
} s_ctx_t;

static void
s_err (s_ctx_t *ctx, const char *field, const char *reason,
       const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

static void
s_err (s_ctx_t *ctx, const char *field, const char *reason,
       const char *fmt, ...)
{
    ctx->count++;
    if (!ctx->errors)
        return;
    if (ctx->count > DDC_CONFIG_MAX_ERRORS + 1)
        return;
    char message [512];
    if (ctx->count == DDC_CONFIG_MAX_ERRORS + 1) {
        field = "";
        reason = "too_many";
        snprintf (message, sizeof (message),
                  "There are more errors; only the first %d are listed.",
                  DDC_CONFIG_MAX_ERRORS);
    }
    else {
        va_list args;
        va_start (args, fmt);
        vsnprintf (message, sizeof (message), fmt, args);
        va_end (args);
    }
    cJSON *error = cJSON_CreateObject ();
    cJSON_AddStringToObject (error, "field", field);
    cJSON_AddStringToObject (error, "reason", reason);
    cJSON_AddStringToObject (error, "message", message);
    cJSON_AddItemToArray (ctx->errors, error);
}

//  Report unknown keys ("unknown_field") and repeated keys ("duplicate")
//  of obj, whose field path is path. allowed has at most 32 entries.

static void
s_check_keys (s_ctx_t *ctx, const cJSON *obj, const char *path,
              const char *const *allowed)
{
    uint32_t seen = 0;
    for (const cJSON *item = obj->child; item; item = item->next) {
        char safe [S_SAFE_MAX + 8], field [S_FIELD_MAX];
        s_safe (safe, sizeof (safe), item->string);
        snprintf (field, sizeof (field), "%s.%s", path, safe);
        int index = s_index (allowed, item->string);
        if (index < 0)
            s_err (ctx, field, "unknown_field",
                   "'%s' is not a known setting here.", safe);
        else
        if (seen & (1u << index))
            s_err (ctx, field, "duplicate", "%s is given more than once.", safe);
        else
            seen |= 1u << index;
    }
}


//  --------------------------------------------------------------------------
//  Typed field access. Each reports its own errors and returns 0 on success
//  (with *out set, to the default when the field is absent) or -1.

static int
s_check_str (s_ctx_t *ctx, const cJSON *item, const char *field,
             const char *name, size_t max_chars, const char **out)
{
    if (!cJSON_IsString (item) || !item->valuestring) {
        s_err (ctx, field, "type", "%s must be a string.", name);
        return -1;
    }
    long chars = s_utf8_len (item->valuestring);
    if (chars < 0) {
        s_err (ctx, field, "invalid", "%s must be valid UTF-8 text.", name);
        return -1;
    }
    if ((size_t) chars > max_chars) {
        s_err (ctx, field, "too_long", "%s may be at most %zu characters long.",
               name, max_chars);
        return -1;
    }
    *out = item->valuestring;
    return 0;
}

static int
s_get_str (s_ctx_t *ctx, const cJSON *obj, const char *path, const char *key,
           bool required, const char *def, size_t max_chars, const char **out)
{
    char field [S_FIELD_MAX];
    snprintf (field, sizeof (field), "%s.%s", path, key);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    *out = def;
    if (!item) {
        if (!required)
            return 0;
        s_err (ctx, field, "required", "%s is required.", key);
        return -1;
    }
    if (s_check_str (ctx, item, field, key, max_chars, out))
        return -1;
    if (required && !**out) {
        s_err (ctx, field, "required", "%s is required and may not be empty.", key);
        return -1;
    }
    return 0;
}

//  A string from a fixed set; reports "not_supported" with the set listed.

static int
s_get_enum (s_ctx_t *ctx, const cJSON *obj, const char *path, const char *key,
            bool required, const char *def, const char *const *set,
            const char **out)
{
    if (s_get_str (ctx, obj, path, key, required, def, 64, out))
        return -1;
    if (!*out || s_index (set, *out) >= 0)
        return 0;
    char field [S_FIELD_MAX], list [256] = "";
    snprintf (field, sizeof (field), "%s.%s", path, key);
    for (int i = 0; set [i]; i++) {
        strncat (list, i ? ", " : "", sizeof (list) - strlen (list) - 1);
        strncat (list, set [i], sizeof (list) - strlen (list) - 1);
    }
    s_err (ctx, field, "not_supported", "%s must be one of: %s.", key, list);
    return -1;
}

static int
s_check_int (s_ctx_t *ctx, const cJSON *item, const char *field,
             const char *name, int lo, int hi, int *out)
{
    if (!cJSON_IsNumber (item)) {
        s_err (ctx, field, "type", "%s must be a number.", name);
        return -1;
    }
    double value = item->valuedouble;
    if (isnan (value) || (isfinite (value) && value != floor (value))) {
        s_err (ctx, field, "invalid", "%s must be a whole number.", name);
        return -1;
    }
    if (!(value >= lo && value <= hi)) {
        s_err (ctx, field, "out_of_range", "%s must be between %d and %d.",
               name, lo, hi);
        return -1;
    }
    *out = (int) value;
    return 0;
}

static int
s_get_int (s_ctx_t *ctx, const cJSON *obj, const char *path, const char *key,
           bool required, int def, int lo, int hi, int *out)
{
    char field [S_FIELD_MAX];
    snprintf (field, sizeof (field), "%s.%s", path, key);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    *out = def;
    if (!item) {
        if (!required)
            return 0;
        s_err (ctx, field, "required", "%s is required.", key);
        return -1;
    }
    return s_check_int (ctx, item, field, key, lo, hi, out);
}

static int
s_get_bool (s_ctx_t *ctx, const cJSON *obj, const char *path, const char *key,
            bool def, bool *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    *out = def;
    if (!item)
        return 0;
    if (!cJSON_IsBool (item)) {
        char field [S_FIELD_MAX];
        snprintf (field, sizeof (field), "%s.%s", path, key);
        s_err (ctx, field, "type", "%s must be true or false.", key);
        return -1;
    }
    *out = cJSON_IsTrue (item);
    return 0;
}

//  Report a format error on path.key.

static void
s_bad (s_ctx_t *ctx, const char *path, const char *key, const char *reason,
       const char *message)
{
    char field [S_FIELD_MAX];
    snprintf (field, sizeof (field), "%s.%s", path, key);
    s_err (ctx, field, reason, "%s", message);
}

//  True if a container (host, name) is in a containers array (first
//  DDC_CONTAINERS_MAX elements; malformed elements are skipped).

static bool
s_has_container (const cJSON *containers, const char *host, const char *name)
{
    int index = 0;
    for (const cJSON *c = containers ? containers->child : NULL;
         c && index < DDC_CONTAINERS_MAX; c = c->next, index++) {
        const char *h = cJSON_GetStringValue (
            cJSON_GetObjectItemCaseSensitive (c, "host"));
        const char *n = cJSON_GetStringValue (
            cJSON_GetObjectItemCaseSensitive (c, "name"));
        if (h && n && strcmp (h, host) == 0 && strcmp (n, name) == 0)
            return true;
    }
    return false;
}


//  --------------------------------------------------------------------------
//  Section size: the unformatted JSON length, bounded in work.

static size_t
s_json_str_len (const char *s, size_t budget)
{
    size_t n = 2;
    for (const unsigned char *p = (const unsigned char *) s; *p && n <= budget; p++) {
        if (*p == '"' || *p == '\\' || *p == '\b' || *p == '\f'
        ||  *p == '\n' || *p == '\r' || *p == '\t')
            n += 2;
        else
        if (*p < 0x20)
            n += 6;
        else
            n += 1;
    }
    return n;
}

//  Adds item's length to *total. Returns 0, -1 once *total is over limit,
//  -2 if nested deeper than DDC_CONFIG_MAX_DEPTH.

static int
s_json_size (const cJSON *item, int depth, size_t *total, size_t limit)
{
    if (depth > DDC_CONFIG_MAX_DEPTH)
        return -2;
    size_t budget = limit + 1;
    if (item->string)
        *total += s_json_str_len (item->string, budget) + 1;
    switch (item->type & 0xFF) {
        case cJSON_Number: {
            char buf [64];
            int len = snprintf (buf, sizeof (buf), "%1.17g", item->valuedouble);
            *total += len > 0 ? (size_t) len : 4;
            break;
        }
        case cJSON_String:
            *total += s_json_str_len (item->valuestring ? item->valuestring : "",
                                      budget);
            break;
        case cJSON_Raw:
            *total += item->valuestring ? strnlen (item->valuestring, budget) : 0;
            break;
        case cJSON_False:
            *total += 5;
            break;
        case cJSON_Array:
        case cJSON_Object:
            *total += 2;
            for (const cJSON *c = item->child; c; c = c->next) {
                int rc = s_json_size (c, depth + 1, total, limit);
                if (rc)
                    return rc;
                *total += 1;
            }
            break;
        default:
            *total += 4;
            break;
    }
    return *total > limit ? -1 : 0;
}

//  The size of the sections of doc other than skip (< 0: none skipped),
//  added to *total. Returns -1 once *total is over DDC_DOCUMENT_MAX_BYTES.

static int
s_doc_size (const cJSON *doc, int skip, size_t *total)
{
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const cJSON *v = s == skip ? NULL
                       : cJSON_GetObjectItemCaseSensitive (doc, ddc_section_name ((ddc_section_t) s));
        if (v && s_json_size (v, 0, total, DDC_DOCUMENT_MAX_BYTES) == -1)
            return -1;
    }
    return *total > DDC_DOCUMENT_MAX_BYTES ? -1 : 0;
}

//  Nesting no deeper than DDC_CONFIG_MAX_DEPTH.

static bool
s_depth_ok (const cJSON *item, int depth)
{
    if (depth > DDC_CONFIG_MAX_DEPTH)
        return false;
    for (const cJSON *c = item->child; c; c = c->next)
        if ((c->type & (cJSON_Array | cJSON_Object)) && !s_depth_ok (c, depth + 1))
            return false;
    return true;
}


//  --------------------------------------------------------------------------
//  Sections. Each s_check_X validates a value and returns its normalised
//  copy, or NULL after reporting every error.

static bool
s_want_object (s_ctx_t *ctx, const cJSON *value, const char *path)
{
    if (cJSON_IsObject (value))
        return true;
    s_err (ctx, path, "type", "%s must be a JSON object.", path);
    return false;
}

//  Finish a section: the copy if no error was found since `before`.

static cJSON *
s_finish (s_ctx_t *ctx, int before, cJSON *out)
{
    if (ctx->count == before)
        return out;
    cJSON_Delete (out);
    return NULL;
}

static cJSON *
s_check_bot (s_ctx_t *ctx, const cJSON *value)
{
    const char *path = "bot";
    if (!s_want_object (ctx, value, path))
        return NULL;
    int before = ctx->count;
    s_check_keys (ctx, value, path, s_bot_keys);

    const char *token, *guild_id, *language, *tz;
    if (s_get_str (ctx, value, path, "token", false, "", 200, &token) == 0
    &&  !s_token_ok (token))
        s_bad (ctx, path, "token", "invalid",
               "token may not contain spaces or control characters.");
    if (s_get_str (ctx, value, path, "guild_id", false, "", 64, &guild_id) == 0
    &&  *guild_id && !s_snowflake_ok (guild_id))
        s_bad (ctx, path, "guild_id", "invalid",
               "guild_id must be a Discord snowflake: 17 to 20 digits.");
    s_get_enum (ctx, value, path, "language", false, "en", ddc_i18n_codes, &language);
    if (s_get_str (ctx, value, path, "timezone", false, "UTC", 64, &tz) == 0
    &&  !ddc_tz_valid (tz))
        s_bad (ctx, path, "timezone", "invalid",
               "timezone must be an IANA time zone name such as Europe/Berlin.");
    if (ctx->count != before)
        return NULL;

    cJSON *out = cJSON_CreateObject ();
    cJSON_AddStringToObject (out, "token", token);
    cJSON_AddStringToObject (out, "guild_id", guild_id);
    cJSON_AddStringToObject (out, "language", language);
    cJSON_AddStringToObject (out, "timezone", tz);
    return out;
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

//  obj.key: a list of unique strings from set (at most 32 entries), in the
//  order given; dflt (NULL-terminated) when absent. noun names the entries
//  in a message ("actions"), item one of them ("each allowed action").

static cJSON *
s_check_set (s_ctx_t *ctx, const cJSON *obj, const char *path, const char *key,
             const char *const *set, const char *const *dflt, const char *noun,
             const char *item_name)
{
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (obj, key);
    char field [S_FIELD_MAX], list [128];
    snprintf (field, sizeof (field), "%s.%s", path, key);
    s_join (set, list, sizeof (list));
    if (!value) {
        int count = 0;
        while (dflt [count])
            count++;
        return cJSON_CreateStringArray (dflt, count);
    }
    if (!cJSON_IsArray (value)) {
        s_err (ctx, field, "type", "%s must be a list of %s.", key, noun);
        return NULL;
    }
    int before = ctx->count;
    cJSON *out = cJSON_CreateArray ();
    uint32_t seen = 0;
    int index = 0;
    for (const cJSON *item = value->child; item; item = item->next, index++) {
        if (index == S_ACTIONS_MAX) {
            s_err (ctx, field, "too_many", "%s may list each of %s once.", key, list);
            break;
        }
        char item_field [S_FIELD_MAX + 16];
        snprintf (item_field, sizeof (item_field), "%s[%d]", field, index);
        const char *entry;
        if (s_check_str (ctx, item, item_field, item_name, 64, &entry))
            continue;
        int which = s_index (set, entry);
        if (which < 0)
            s_err (ctx, item_field, "not_supported", "%s entries must be one of: %s.", key,
                   list);
        else
        if (seen & (1u << which))
            s_err (ctx, item_field, "duplicate", "%s lists %s more than once.", key, entry);
        else {
            seen |= 1u << which;
            cJSON_AddItemToArray (out, cJSON_CreateString (entry));
        }
    }
    return s_finish (ctx, before, out);
}

//  roles: {ACTION: [role id, ...]} for actions in allowed (the entry's
//  normalised allowed_actions, NULL when it had errors): at most
//  DDC_ROLES_MAX unique snowflakes each; empty lists are dropped.

static cJSON *
s_check_roles (s_ctx_t *ctx, const cJSON *obj, const char *path, const cJSON *allowed)
{
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (obj, "roles");
    char roles_path [S_PATH_MAX + 8];
    snprintf (roles_path, sizeof (roles_path), "%s.roles", path);
    cJSON *out = cJSON_CreateObject ();
    if (!value)
        return out;
    if (!s_want_object (ctx, value, roles_path)) {
        cJSON_Delete (out);
        return NULL;
    }
    int before = ctx->count;
    s_check_keys (ctx, value, roles_path, s_container_actions);
    for (int a = 0; s_container_actions [a]; a++) {
        const char *action = s_container_actions [a];
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive (value, action);
        if (!ids)
            continue;
        char field [S_FIELD_MAX];
        snprintf (field, sizeof (field), "%s.%s", roles_path, action);
        if (!cJSON_IsArray (ids)) {
            s_err (ctx, field, "type", "roles.%s must be a list of Discord role ids.", action);
            continue;
        }
        int count = cJSON_GetArraySize (ids);
        if (count > DDC_ROLES_MAX) {
            s_err (ctx, field, "too_many", "At most %d roles may be given per action.",
                   DDC_ROLES_MAX);
            continue;
        }
        if (count && allowed) {
            bool listed = false;
            for (const cJSON *x = allowed->child; x && !listed; x = x->next)
                listed = strcmp (x->valuestring, action) == 0;
            if (!listed)
                s_err (ctx, field, "conflict", "%s is not in allowed_actions, so no role "
                       "can be allowed to do it; allow it or remove these roles.", action);
        }
        cJSON *list = cJSON_CreateArray ();
        int index = 0;
        for (const cJSON *id = ids->child; id; id = id->next, index++) {
            char item_field [S_FIELD_MAX + 16];
            snprintf (item_field, sizeof (item_field), "%s[%d]", field, index);
            const char *text;
            if (s_check_str (ctx, id, item_field, "each role id", 64, &text))
                continue;
            if (!s_snowflake_ok (text)) {
                s_err (ctx, item_field, "invalid",
                       "A role id must be a Discord snowflake: 17 to 20 digits (Discord: "
                       "Server Settings, Roles, right-click a role, Copy Role ID).");
                continue;
            }
            bool dup = false;
            for (const cJSON *x = list->child; x && !dup; x = x->next)
                dup = strcmp (x->valuestring, text) == 0;
            if (dup)
                s_err (ctx, item_field, "duplicate", "Role %s is listed twice for %s.", text,
                       action);
            else
                cJSON_AddItemToArray (list, cJSON_CreateString (text));
        }
        if (cJSON_GetArraySize (list))
            cJSON_AddItemToObject (out, action, list);
        else
            cJSON_Delete (list);
    }
    return s_finish (ctx, before, out);
}

static cJSON *
s_check_info (s_ctx_t *ctx, const cJSON *obj, const char *path)
{
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (obj, "info");
    char info_path [S_PATH_MAX + 8];
    snprintf (info_path, sizeof (info_path), "%s.info", path);
    bool enabled = false;
    const char *text = "";
    if (value) {
        if (!s_want_object (ctx, value, info_path))
            return NULL;
        int before = ctx->count;
        s_check_keys (ctx, value, info_path, s_info_keys);
        s_get_bool (ctx, value, info_path, "enabled", false, &enabled);
        s_get_str (ctx, value, info_path, "text", false, "", 2000, &text);
        if (ctx->count != before)
            return NULL;
    }
    cJSON *out = cJSON_CreateObject ();
    cJSON_AddBoolToObject (out, "enabled", enabled);
    cJSON_AddStringToObject (out, "text", text);
    return out;
}

static cJSON *
s_check_container (s_ctx_t *ctx, const cJSON *value, const char *path,
                   const char **host_p, const char **name_p)
{
    *host_p = *name_p = NULL;
    if (!s_want_object (ctx, value, path))
        return NULL;
    int before = ctx->count;
    s_check_keys (ctx, value, path, s_container_keys);

    const char *host, *name, *display_name;
    bool active;
    int order;
    if (s_get_str (ctx, value, path, "host", true, NULL, 63, &host) == 0) {
        if (s_host_ok (host))
            *host_p = host;
        else
            s_bad (ctx, path, "host", "invalid",
                   "host must be 1 to 63 characters from A-Z, a-z, 0-9, '.', "
                   "'_' and '-', starting with a letter or digit.");
    }
    if (s_get_str (ctx, value, path, "name", true, NULL, 128, &name) == 0) {
        if (s_docker_name_ok (name))
            *name_p = name;
        else
            s_bad (ctx, path, "name", "invalid",
                   "name must be a Docker container name: letters, digits, "
                   "'_', '.' and '-', starting with a letter or digit.");
    }
    s_get_bool (ctx, value, path, "active", true, &active);
    if (s_get_str (ctx, value, path, "display_name", false, NULL, 100,
                   &display_name) == 0 && display_name) {
        if (!*display_name)
            s_bad (ctx, path, "display_name", "invalid",
                   "display_name may not be empty.");
        else
        if (s_has_control (display_name))
            s_bad (ctx, path, "display_name", "invalid",
                   "display_name may not contain control characters.");
    }
    s_get_int (ctx, value, path, "order", false, 0, 0, 9999, &order);
    cJSON *actions = s_check_set (ctx, value, path, "allowed_actions", s_container_actions,
                                  s_default_actions, "actions", "each allowed action");
    cJSON *info = s_check_info (ctx, value, path);
    cJSON *alerts = s_check_set (ctx, value, path, "alerts", s_alert_kinds, s_alert_kinds,
                                 "alert kinds", "each alert kind");
    cJSON *roles = s_check_roles (ctx, value, path, actions);
    if (ctx->count != before) {
        cJSON_Delete (actions);
        cJSON_Delete (info);
        cJSON_Delete (alerts);
        cJSON_Delete (roles);
        return NULL;
    }
    cJSON *out = cJSON_CreateObject ();
    cJSON_AddStringToObject (out, "host", host);
    cJSON_AddStringToObject (out, "name", name);
    cJSON_AddBoolToObject (out, "active", active);
    cJSON_AddStringToObject (out, "display_name", display_name ? display_name : name);
    cJSON_AddNumberToObject (out, "order", order);
    cJSON_AddItemToObject (out, "allowed_actions", actions);
    cJSON_AddItemToObject (out, "info", info);
    cJSON_AddItemToObject (out, "alerts", alerts);
    cJSON_AddItemToObject (out, "roles", roles);
    return out;
}

//  The start of a list section (path is its name): false after "type" when
//  value is not an array; "too_many" when it has more than max items (the
//  first max are still checked, so that their errors show too).

static bool
s_list_start (s_ctx_t *ctx, const cJSON *value, const char *path, int max)
{
    if (!cJSON_IsArray (value)) {
        s_err (ctx, path, "type", "%s must be a JSON array.", path);
        return false;
    }
    int count = 0;
    for (const cJSON *c = value->child; c; c = c->next)
        if (++count > max) {
            s_err (ctx, path, "too_many", "At most %d %s are allowed.", max, path);
            break;
        }
    return true;
}

static cJSON *
s_check_containers (s_ctx_t *ctx, const cJSON *value, const cJSON *tasks)
{
    const char *path = "containers";
    int before = ctx->count;
    if (!s_list_start (ctx, value, path, DDC_CONTAINERS_MAX))
        return NULL;
    cJSON *out = cJSON_CreateArray ();
    const char **hosts = ddc_calloc (DDC_CONTAINERS_MAX, sizeof (char *));
    const char **names = ddc_calloc (DDC_CONTAINERS_MAX, sizeof (char *));
    int index = 0;
    for (const cJSON *item = value->child; item && index < DDC_CONTAINERS_MAX;
         item = item->next, index++) {
        char item_path [S_PATH_MAX];
        snprintf (item_path, sizeof (item_path), "%s[%d]", path, index);
        cJSON *norm = s_check_container (ctx, item, item_path,
                                         &hosts [index], &names [index]);
        if (norm)
            cJSON_AddItemToArray (out, norm);
        if (!hosts [index] || !names [index])
            continue;
        for (int other = 0; other < index; other++)
            if (hosts [other] && names [other]
            &&  strcmp (hosts [other], hosts [index]) == 0
            &&  strcmp (names [other], names [index]) == 0) {
                char field [S_FIELD_MAX];
                snprintf (field, sizeof (field), "%s.name", item_path);
                s_err (ctx, field, "duplicate",
                       "Container %s/%s is listed twice (also as containers[%d]).",
                       hosts [index], names [index], other);
                break;
            }
    }
    free (hosts);
    free (names);

    //  Tasks of the current document must keep their targets
    index = 0;
    for (const cJSON *task = tasks ? tasks->child : NULL;
         task && index < DDC_TASKS_MAX; task = task->next, index++) {
        const char *id = cJSON_GetStringValue (
            cJSON_GetObjectItemCaseSensitive (task, "id"));
        const char *host = cJSON_GetStringValue (
            cJSON_GetObjectItemCaseSensitive (task, "host"));
        const char *name = cJSON_GetStringValue (
            cJSON_GetObjectItemCaseSensitive (task, "container"));
        if (!host || !name || s_has_container (value, host, name))
            continue;
        char safe_id [S_SAFE_MAX + 8], safe_host [S_SAFE_MAX + 8],
             safe_name [S_SAFE_MAX + 8];
        s_safe (safe_id, sizeof (safe_id), id);
        s_safe (safe_host, sizeof (safe_host), host);
        s_safe (safe_name, sizeof (safe_name), name);
        s_err (ctx, path, "in_use",
               "Task '%s' targets container %s/%s, which this change removes; "
               "change or delete the task first.", safe_id, safe_host, safe_name);
    }
    return s_finish (ctx, before, out);
}

static cJSON *
s_check_channel (s_ctx_t *ctx, const cJSON *value, const char *path,
                 const char **id_p, int *kind_p)
{
    *id_p = NULL;
    *kind_p = -1;
    if (!s_want_object (ctx, value, path))
        return NULL;
    int before = ctx->count;
    s_check_keys (ctx, value, path, s_channel_keys);

    const char *id, *name, *kind;
    bool post_initial, alerts;
    int refresh, recreate;
    if (s_get_str (ctx, value, path, "id", true, NULL, 64, &id) == 0) {
        if (s_snowflake_ok (id))
            *id_p = id;
        else
            s_bad (ctx, path, "id", "invalid",
                   "id must be a Discord snowflake: 17 to 20 digits.");
    }
    s_get_str (ctx, value, path, "name", false, "", 100, &name);
    if (s_get_enum (ctx, value, path, "kind", true, NULL, s_channel_kinds, &kind) == 0)
        *kind_p = s_index (s_channel_kinds, kind);
    s_get_bool (ctx, value, path, "post_initial", false, &post_initial);
    s_get_int (ctx, value, path, "refresh_minutes", false, 5, 1, 1440, &refresh);
    s_get_int (ctx, value, path, "recreate_minutes", false, 0, 0, 1440, &recreate);
    s_get_bool (ctx, value, path, "alerts", false, &alerts);
    if (ctx->count != before)
        return NULL;

    cJSON *out = cJSON_CreateObject ();
    cJSON_AddStringToObject (out, "id", id);
    cJSON_AddStringToObject (out, "name", name);
    cJSON_AddStringToObject (out, "kind", kind);
    cJSON_AddBoolToObject (out, "post_initial", post_initial);
    cJSON_AddNumberToObject (out, "refresh_minutes", refresh);
    cJSON_AddNumberToObject (out, "recreate_minutes", recreate);
    cJSON_AddBoolToObject (out, "alerts", alerts);
    return out;
}

static cJSON *
s_check_channels (s_ctx_t *ctx, const cJSON *value)
{
    const char *path = "channels";
    int before = ctx->count;
    if (!s_list_start (ctx, value, path, DDC_CHANNELS_MAX))
        return NULL;
    cJSON *out = cJSON_CreateArray ();
    const char *ids [DDC_CHANNELS_MAX];
    int kinds [DDC_CHANNELS_MAX];
    int index = 0;
    for (const cJSON *item = value->child; item && index < DDC_CHANNELS_MAX;
         item = item->next, index++) {
        char item_path [S_PATH_MAX];
        snprintf (item_path, sizeof (item_path), "%s[%d]", path, index);
        cJSON *norm = s_check_channel (ctx, item, item_path,
                                       &ids [index], &kinds [index]);
        if (norm)
            cJSON_AddItemToArray (out, norm);
        if (!ids [index])
            continue;
        for (int other = 0; other < index; other++) {
            if (!ids [other] || strcmp (ids [other], ids [index]) != 0)
                continue;
            char field [S_FIELD_MAX];
            snprintf (field, sizeof (field), "%s.id", item_path);
            if (kinds [other] >= 0 && kinds [index] >= 0
            &&  kinds [other] != kinds [index])
                s_err (ctx, field, "conflict",
                       "Channel %s is listed as both %s and %s; a channel "
                       "can be of one kind only.", ids [index],
                       s_channel_kinds [kinds [other]],
                       s_channel_kinds [kinds [index]]);
            else
                s_err (ctx, field, "duplicate",
                       "Channel %s is listed twice (also as channels[%d]).",
                       ids [index], other);
            break;
        }
    }
    return s_finish (ctx, before, out);
}

static cJSON *
s_check_admins (s_ctx_t *ctx, const cJSON *value)
{
    const char *path = "admins";
    int before = ctx->count;
    if (!s_list_start (ctx, value, path, DDC_ADMINS_MAX))
        return NULL;
    cJSON *out = cJSON_CreateArray ();
    const char *ids [DDC_ADMINS_MAX];
    int index = 0;
    for (const cJSON *item = value->child; item && index < DDC_ADMINS_MAX;
         item = item->next, index++) {
        char item_path [S_PATH_MAX];
        snprintf (item_path, sizeof (item_path), "%s[%d]", path, index);
        ids [index] = NULL;
        if (!s_want_object (ctx, item, item_path))
            continue;
        int item_before = ctx->count;
        s_check_keys (ctx, item, item_path, s_admin_keys);
        const char *id, *note;
        if (s_get_str (ctx, item, item_path, "id", true, NULL, 64, &id) == 0) {
            if (s_snowflake_ok (id))
                ids [index] = id;
            else
                s_bad (ctx, item_path, "id", "invalid",
                       "id must be a Discord user snowflake: 17 to 20 digits.");
        }
        s_get_str (ctx, item, item_path, "note", false, "", 100, &note);
        for (int other = 0; ids [index] && other < index; other++)
            if (ids [other] && strcmp (ids [other], ids [index]) == 0) {
                s_bad (ctx, item_path, "id", "duplicate",
                       "This user is already listed as an admin.");
                break;
            }
        if (ctx->count != item_before)
            continue;
        cJSON *norm = cJSON_CreateObject ();
        cJSON_AddStringToObject (norm, "id", id);
        cJSON_AddStringToObject (norm, "note", note);
        cJSON_AddItemToArray (out, norm);
    }
    return s_finish (ctx, before, out);
}

//  A cooldown map spam.KEY: keys from `keys` (at most 16), values 0..3600.

static cJSON *
s_check_cooldowns (s_ctx_t *ctx, const cJSON *obj, const char *key,
                   const char *const *keys, const s_cooldown_t *defaults)
{
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (obj, key);
    char path [S_PATH_MAX];
    snprintf (path, sizeof (path), "spam.%s", key);
    cJSON *out = cJSON_CreateObject ();
    if (!value) {
        for (int i = 0; defaults [i].key; i++)
            cJSON_AddNumberToObject (out, defaults [i].key, defaults [i].value);
        return out;
    }
    if (!s_want_object (ctx, value, path)) {
        cJSON_Delete (out);
        return NULL;
    }
    int before = ctx->count;
    int values [16];
    uint32_t seen = 0;
    char list [256] = "";
    for (int i = 0; keys [i]; i++) {
        strncat (list, i ? ", " : "", sizeof (list) - strlen (list) - 1);
        strncat (list, keys [i], sizeof (list) - strlen (list) - 1);
    }
    for (const cJSON *item = value->child; item; item = item->next) {
        char safe [S_SAFE_MAX + 8], field [S_FIELD_MAX];
        s_safe (safe, sizeof (safe), item->string);
        snprintf (field, sizeof (field), "%s.%s", path, safe);
        int index = s_index (keys, item->string);
        if (index < 0) {
            s_err (ctx, field, "not_supported",
                   "'%s' has no cooldown; allowed: %s.", safe, list);
            continue;
        }
        if (seen & (1u << index)) {
            s_err (ctx, field, "duplicate", "%s is given more than once.", safe);
            continue;
        }
        seen |= 1u << index;
        if (s_check_int (ctx, item, field, "A cooldown", 0, 3600, &values [index]))
            seen &= ~(1u << index);
    }
    for (int i = 0; keys [i]; i++)
        if (seen & (1u << i))
            cJSON_AddNumberToObject (out, keys [i], values [i]);
    return s_finish (ctx, before, out);
}

const char *const *
ddc_config_cooldown_keys (const char *map)
{
    if (map && strcmp (map, "command_cooldowns") == 0)
        return s_command_keys;
    if (map && strcmp (map, "button_cooldowns") == 0)
        return s_button_keys;
    return NULL;
}

static cJSON *
s_check_spam (s_ctx_t *ctx, const cJSON *value)
{
    const char *path = "spam";
    if (!s_want_object (ctx, value, path))
        return NULL;
    int before = ctx->count;
    s_check_keys (ctx, value, path, s_spam_keys);
    bool enabled;
    s_get_bool (ctx, value, path, "enabled", true, &enabled);
    cJSON *commands = s_check_cooldowns (ctx, value, "command_cooldowns",
                                         s_command_keys, s_command_defaults);
    cJSON *buttons = s_check_cooldowns (ctx, value, "button_cooldowns",
                                        s_button_keys, s_button_defaults);
    cJSON *out = cJSON_CreateObject ();
    cJSON_AddBoolToObject (out, "enabled", enabled);
    if (commands)
        cJSON_AddItemToObject (out, "command_cooldowns", commands);
    if (buttons)
        cJSON_AddItemToObject (out, "button_cooldowns", buttons);
    return s_finish (ctx, before, out);
}

static cJSON *
s_check_task (s_ctx_t *ctx, const cJSON *value, const char *path,
              const cJSON *containers, const char **id_p)
{
    *id_p = NULL;
    if (!s_want_object (ctx, value, path))
        return NULL;
    int before = ctx->count;
    s_check_keys (ctx, value, path, s_task_keys);

    const char *id, *host, *container, *action, *cycle, *at, *tz, *note;
    const char *date = NULL, *weekday = NULL, *cron = NULL;
    int day = 0, month = 0;
    bool active;
    if (s_get_str (ctx, value, path, "id", true, NULL, 64, &id) == 0) {
        if (s_task_id_ok (id))
            *id_p = id;
        else
            s_bad (ctx, path, "id", "invalid",
                   "id must be 1 to 64 characters from A-Z, a-z, 0-9, '_' and '-'.");
    }
    bool target_ok = true;
    if (s_get_str (ctx, value, path, "host", true, NULL, 63, &host) != 0)
        target_ok = false;
    else
    if (!s_host_ok (host)) {
        s_bad (ctx, path, "host", "invalid",
               "host must be 1 to 63 characters from A-Z, a-z, 0-9, '.', "
               "'_' and '-', starting with a letter or digit.");
        target_ok = false;
    }
    if (s_get_str (ctx, value, path, "container", true, NULL, 128, &container) != 0)
        target_ok = false;
    else
    if (!s_docker_name_ok (container)) {
        s_bad (ctx, path, "container", "invalid",
               "container must be a Docker container name: letters, digits, "
               "'_', '.' and '-', starting with a letter or digit.");
        target_ok = false;
    }
    if (target_ok && containers && !s_has_container (containers, host, container)) {
        char field [S_FIELD_MAX];
        snprintf (field, sizeof (field), "%s.container", path);
        s_err (ctx, field, "not_found",
               "Container %s/%s is not in the containers list.", host, container);
    }
    s_get_enum (ctx, value, path, "action", true, NULL, s_task_actions, &action);
    int which = -1;
    if (s_get_enum (ctx, value, path, "cycle", true, NULL, s_cycles, &cycle) == 0)
        which = s_index (s_cycles, cycle);
    //  A cron schedule names its own minutes and hours
    at = NULL;
    if (which != S_CYCLE_CRON
    &&  s_get_str (ctx, value, path, "time", true, NULL, 64, &at) == 0
    &&  !s_time_ok (at))
        s_bad (ctx, path, "time", "invalid",
               "time must be HH:MM between 00:00 and 23:59.");

    //  Fields the cycle needs; fields it does not use are dropped
    if (which == S_CYCLE_CRON) {
        if (s_get_str (ctx, value, path, "cron", true, NULL, DDC_SCHEDULE_CRON_MAX, &cron) == 0
        &&  !ddc_schedule_cron_ok (cron))
            s_bad (ctx, path, "cron", "invalid",
                   "cron must be five fields MIN HOUR DAY MONTH WEEKDAY, each *, a number, "
                   "a range a-b or a list a,b, with an optional step /n (e.g. 0 4 * * 1-5).");
    }
    else
    if (which == S_CYCLE_ONCE) {
        if (s_get_str (ctx, value, path, "date", true, NULL, 64, &date) == 0
        &&  !s_date_ok (date))
            s_bad (ctx, path, "date", "invalid",
                   "date must be a real calendar date YYYY-MM-DD (years 1970 to 9999).");
    }
    else
    if (which == S_CYCLE_WEEKLY)
        s_get_enum (ctx, value, path, "weekday", true, NULL, s_weekdays, &weekday);
    else
    if (which == S_CYCLE_MONTHLY)
        s_get_int (ctx, value, path, "day", true, 0, 1, 31, &day);
    else
    if (which == S_CYCLE_YEARLY) {
        bool month_ok = s_get_int (ctx, value, path, "month", true, 0, 1, 12, &month) == 0;
        if (s_get_int (ctx, value, path, "day", true, 0, 1, 31, &day) == 0
        &&  month_ok && day > s_days_in_month (2000, month)) {
            char field [S_FIELD_MAX];
            snprintf (field, sizeof (field), "%s.day", path);
            s_err (ctx, field, "out_of_range",
                   "day must exist in month %d: 1 to %d.", month,
                   s_days_in_month (2000, month));
        }
    }
    if (s_get_str (ctx, value, path, "timezone", false, "UTC", 64, &tz) == 0
    &&  !ddc_tz_valid (tz))
        s_bad (ctx, path, "timezone", "invalid",
               "timezone must be an IANA time zone name such as Europe/Berlin.");
    s_get_bool (ctx, value, path, "active", true, &active);
    s_get_str (ctx, value, path, "note", false, NULL, 200, &note);
    if (ctx->count != before)
        return NULL;

    cJSON *out = cJSON_CreateObject ();
    cJSON_AddStringToObject (out, "id", id);
    cJSON_AddStringToObject (out, "host", host);
    cJSON_AddStringToObject (out, "container", container);
    cJSON_AddStringToObject (out, "action", action);
    cJSON_AddStringToObject (out, "cycle", cycle);
    if (at)
        cJSON_AddStringToObject (out, "time", at);
    if (cron)
        cJSON_AddStringToObject (out, "cron", cron);
    if (date)
        cJSON_AddStringToObject (out, "date", date);
    if (weekday)
        cJSON_AddStringToObject (out, "weekday", weekday);
    if (month)
        cJSON_AddNumberToObject (out, "month", month);
    if (day)
        cJSON_AddNumberToObject (out, "day", day);
    cJSON_AddStringToObject (out, "timezone", tz);
    cJSON_AddBoolToObject (out, "active", active);
    if (note)
        cJSON_AddStringToObject (out, "note", note);
    return out;
}

static cJSON *
s_check_tasks (s_ctx_t *ctx, const cJSON *value, const cJSON *containers)
{
    const char *path = "tasks";
    int before = ctx->count;
    if (!s_list_start (ctx, value, path, DDC_TASKS_MAX))
        return NULL;
    cJSON *out = cJSON_CreateArray ();
    const char **ids = ddc_calloc (DDC_TASKS_MAX, sizeof (char *));
    int index = 0;
    for (const cJSON *item = value->child; item && index < DDC_TASKS_MAX;
         item = item->next, index++) {
        char item_path [S_PATH_MAX];
        snprintf (item_path, sizeof (item_path), "%s[%d]", path, index);
        cJSON *norm = s_check_task (ctx, item, item_path, containers, &ids [index]);
        if (norm)
            cJSON_AddItemToArray (out, norm);
        for (int other = 0; ids [index] && other < index; other++)
            if (ids [other] && strcmp (ids [other], ids [index]) == 0) {
                char field [S_FIELD_MAX];
                snprintf (field, sizeof (field), "%s.id", item_path);
                s_err (ctx, field, "duplicate",
                       "Task id %s is used twice (also by tasks[%d]).",
                       ids [index], other);
                break;
            }
    }
    free (ids);
    return s_finish (ctx, before, out);
}

static cJSON *
s_check_watchdog (s_ctx_t *ctx, const cJSON *value)
{
    const char *path = "watchdog";
    if (!s_want_object (ctx, value, path))
        return NULL;
    int before = ctx->count;
    s_check_keys (ctx, value, path, s_watchdog_keys);
    bool enabled;
    const char *url, *fail_url;
    int interval;
    bool enabled_ok = s_get_bool (ctx, value, path, "enabled", false, &enabled) == 0;
    if (s_get_str (ctx, value, path, "url", false, "", 2048, &url) == 0) {
        if (*url && !s_url_ok (url, true))
            s_bad (ctx, path, "url", "invalid",
                   "url must be an http:// or https:// URL with a host and no spaces.");
        else
        if (!*url && enabled_ok && enabled)
            s_bad (ctx, path, "url", "required",
                   "url is required when the watchdog is enabled.");
    }
    if (s_get_str (ctx, value, path, "fail_url", false, "", 2048, &fail_url) == 0
    &&  *fail_url && !s_url_ok (fail_url, true))
        s_bad (ctx, path, "fail_url", "invalid",
               "fail_url must be an http:// or https:// URL with a host and no spaces, "
               "or empty.");
    s_get_int (ctx, value, path, "interval_minutes", false, 5, 1, 1440, &interval);
    if (ctx->count != before)
        return NULL;
    cJSON *out = cJSON_CreateObject ();
    cJSON_AddBoolToObject (out, "enabled", enabled);
    cJSON_AddStringToObject (out, "url", url);
    cJSON_AddStringToObject (out, "fail_url", fail_url);
    cJSON_AddNumberToObject (out, "interval_minutes", interval);
    return out;
}

static cJSON *
s_check_web (s_ctx_t *ctx, const cJSON *value)
{
    const char *path = "web";
    if (!s_want_object (ctx, value, path))
        return NULL;
    int before = ctx->count;
    s_check_keys (ctx, value, path, s_web_keys);
    const char *hash, *ui_language;
    int idle;
    if (s_get_str (ctx, value, path, "password_hash", false, "", 512, &hash) == 0
    &&  !s_printable_ascii (hash))
        s_bad (ctx, path, "password_hash", "invalid",
               "password_hash must be printable ASCII text.");
    s_get_int (ctx, value, path, "session_idle_minutes", false, 30, 1, 1440, &idle);
    s_get_enum (ctx, value, path, "ui_language", false, "en", ddc_i18n_codes,
                &ui_language);
    //  The bearer token of /metrics: "" (sign-in only) or 16 to 256
    //  printable ASCII characters without spaces.
    const char *token;
    if (s_get_str (ctx, value, path, "metrics_token", false, "", 256, &token) == 0
    &&  *token && (strlen (token) < 16 || !s_printable_ascii (token) || strchr (token, ' ')))
        s_bad (ctx, path, "metrics_token", "invalid",
               "metrics_token must be empty or 16 to 256 printable ASCII characters without "
               "spaces.");
    if (ctx->count != before)
        return NULL;
    cJSON *out = cJSON_CreateObject ();
    cJSON_AddStringToObject (out, "password_hash", hash);
    cJSON_AddNumberToObject (out, "session_idle_minutes", idle);
    cJSON_AddStringToObject (out, "ui_language", ui_language);
    cJSON_AddStringToObject (out, "metrics_token", token);
    return out;
}

static cJSON *
s_check_docker (s_ctx_t *ctx, const cJSON *value)
{
    const char *path = "docker";
    if (!s_want_object (ctx, value, path))
        return NULL;
    int before = ctx->count;
    s_check_keys (ctx, value, path, s_docker_keys);
    int stats, stop;
    s_get_int (ctx, value, path, "stats_interval_seconds", false, 10, 2, 3600, &stats);
    s_get_int (ctx, value, path, "stop_timeout_seconds", false, 10, 0, 300, &stop);
    if (ctx->count != before)
        return NULL;
    cJSON *out = cJSON_CreateObject ();
    cJSON_AddNumberToObject (out, "stats_interval_seconds", stats);
    cJSON_AddNumberToObject (out, "stop_timeout_seconds", stop);
    return out;
}

static cJSON *
s_check_alerts (s_ctx_t *ctx, const cJSON *value)
{
    const char *path = "alerts";
    if (!s_want_object (ctx, value, path))
        return NULL;
    int before = ctx->count;
    s_check_keys (ctx, value, path, s_alerts_keys);
    bool enabled;
    const char *url, *format;
    int loop_count, loop_minutes, cooldown, per_hour, log_lines;
    s_get_bool (ctx, value, path, "enabled", true, &enabled);
    if (s_get_str (ctx, value, path, "webhook_url", false, "", 2048, &url) == 0
    &&  *url && !s_url_ok (url, true))
        s_bad (ctx, path, "webhook_url", "invalid",
               "webhook_url must be an http:// or https:// URL with a host and no spaces.");
    s_get_enum (ctx, value, path, "webhook_format", false, "discord", s_webhook_formats,
                &format);
    s_get_int (ctx, value, path, "restart_loop_count", false, 3, 2, 100, &loop_count);
    s_get_int (ctx, value, path, "restart_loop_minutes", false, 10, 1, 1440, &loop_minutes);
    s_get_int (ctx, value, path, "cooldown_minutes", false, 10, 0, 1440, &cooldown);
    s_get_int (ctx, value, path, "max_per_hour", false, 30, 1, 1000, &per_hour);
    s_get_int (ctx, value, path, "log_lines", false, 20, 0, 100, &log_lines);
    if (ctx->count != before)
        return NULL;
    cJSON *out = cJSON_CreateObject ();
    cJSON_AddBoolToObject (out, "enabled", enabled);
    cJSON_AddStringToObject (out, "webhook_url", url);
    cJSON_AddStringToObject (out, "webhook_format", format);
    cJSON_AddNumberToObject (out, "restart_loop_count", loop_count);
    cJSON_AddNumberToObject (out, "restart_loop_minutes", loop_minutes);
    cJSON_AddNumberToObject (out, "cooldown_minutes", cooldown);
    cJSON_AddNumberToObject (out, "max_per_hour", per_hour);
    cJSON_AddNumberToObject (out, "log_lines", log_lines);
    return out;
}

//  Validate one section. containers (for tasks) and tasks (for
//  containers) are cross-reference arrays, NULL to skip those checks.

static cJSON *
s_validate (s_ctx_t *ctx, ddc_section_t s, const cJSON *value,
            const cJSON *containers, const cJSON *tasks)
{
    const char *name = ddc_section_name (s);
    if (!name) {
        s_err (ctx, "", "not_supported", "There is no such configuration section.");
        return NULL;
    }
    if (!value) {
        s_err (ctx, name, "required", "The %s section is missing.", name);
        return NULL;
    }
    size_t size = 0;
    int rc = s_json_size (value, 0, &size, DDC_SECTION_MAX_BYTES);
    if (rc == -1) {
        s_err (ctx, name, "too_long", "The %s section is larger than %d KiB.",
               name, DDC_SECTION_MAX_BYTES / 1024);
        return NULL;
    }
    if (rc == -2) {
        s_err (ctx, name, "invalid", "The %s section is nested too deeply.", name);
        return NULL;
    }
    switch (s) {
        case DDC_SEC_BOT:        return s_check_bot (ctx, value);
        case DDC_SEC_CONTAINERS: return s_check_containers (ctx, value, tasks);
        case DDC_SEC_CHANNELS:   return s_check_channels (ctx, value);
        case DDC_SEC_ADMINS:     return s_check_admins (ctx, value);
        case DDC_SEC_SPAM:       return s_check_spam (ctx, value);
        case DDC_SEC_TASKS:      return s_check_tasks (ctx, value, containers);
        case DDC_SEC_WATCHDOG:   return s_check_watchdog (ctx, value);
        case DDC_SEC_WEB:        return s_check_web (ctx, value);
        case DDC_SEC_DOCKER:     return s_check_docker (ctx, value);
        case DDC_SEC_ALERTS:     return s_check_alerts (ctx, value);
        default:                 return NULL;
    }
}


//  --------------------------------------------------------------------------
//  Public: defaults and validation

cJSON *
ddc_config_default_section (ddc_section_t s)
{
    switch (s) {
        case DDC_SEC_CONTAINERS:
        case DDC_SEC_CHANNELS:
        case DDC_SEC_ADMINS:
        case DDC_SEC_TASKS:
            return cJSON_CreateArray ();
        case DDC_SEC_BOT:
        case DDC_SEC_SPAM:
        case DDC_SEC_WATCHDOG:
        case DDC_SEC_WEB:
        case DDC_SEC_DOCKER:
        case DDC_SEC_ALERTS: {
            //  The defaults are what an empty object normalises to
            s_ctx_t ctx = { NULL, 0 };
            cJSON *empty = cJSON_CreateObject ();
            cJSON *out = s_validate (&ctx, s, empty, NULL, NULL);
            cJSON_Delete (empty);
            return out;
        }
        default:
            return NULL;
    }
}

cJSON *
ddc_config_default (void)
{
    cJSON *doc = cJSON_CreateObject ();
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        cJSON_AddItemToObject (doc, s_section_names [s],
                               ddc_config_default_section ((ddc_section_t) s));
    return doc;
}

cJSON *
ddc_config_validate_section (ddc_section_t s, const cJSON *value,
                             const cJSON *doc, cJSON *errors)
{
    s_ctx_t ctx = { errors, 0 };
    const cJSON *containers = NULL, *tasks = NULL;
    size_t total = 0;
    if (cJSON_IsObject (doc) && value && s_depth_ok (value, 0)
        && s_json_size (value, 0, &total, DDC_SECTION_MAX_BYTES) == 0
        && s_doc_size (doc, (int) s, &total) < 0) {
        s_err (&ctx, ddc_section_name (s) ? ddc_section_name (s) : "", "too_long",
               "The whole configuration would be larger than %d KiB.",
               DDC_DOCUMENT_MAX_BYTES / 1024);
        return s_finish (&ctx, 0, NULL);
    }
    if (cJSON_IsObject (doc)) {
        containers = cJSON_GetObjectItemCaseSensitive (doc, "containers");
        tasks = cJSON_GetObjectItemCaseSensitive (doc, "tasks");
        if (!cJSON_IsArray (containers))
            containers = NULL;
        if (!cJSON_IsArray (tasks))
            tasks = NULL;
    }
    return s_validate (&ctx, s, value, containers, tasks);
}

cJSON *
ddc_config_validate_document (const cJSON *doc, cJSON *errors)
{
    s_ctx_t ctx = { errors, 0 };
    if (!cJSON_IsObject (doc)) {
        s_err (&ctx, "", "type", "The configuration must be a JSON object.");
        return NULL;
    }
    size_t total = 0;
    if (s_depth_ok (doc, 0) && s_doc_size (doc, -1, &total) < 0) {
        s_err (&ctx, "", "too_long", "The whole configuration is larger than %d KiB.",
               DDC_DOCUMENT_MAX_BYTES / 1024);
        return NULL;
    }
    uint32_t seen = 0;
    for (const cJSON *item = doc->child; item; item = item->next) {
        if (item->string && strcmp (item->string, "_meta") == 0)
            continue;
        char safe [S_SAFE_MAX + 8];
        s_safe (safe, sizeof (safe), item->string);
        int s = ddc_section_from_name (item->string);
        if (s < 0)
            s_err (&ctx, safe, "unknown_field",
                   "'%s' is not a configuration section.", safe);
        else
        if (seen & (1u << s))
            s_err (&ctx, safe, "duplicate", "The %s section is given twice.", safe);
        seen |= s >= 0 ? 1u << s : 0;
    }
    //  Tasks are checked against the candidate's own containers; with no
    //  containers section that list is the (empty) default.
    const cJSON *containers = cJSON_GetObjectItemCaseSensitive (doc, "containers");
    cJSON *no_containers = NULL;
    if (!containers)
        containers = no_containers = cJSON_CreateArray ();
    else
    if (!cJSON_IsArray (containers))
        containers = NULL;

    cJSON *out = cJSON_CreateObject ();
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const char *name = s_section_names [s];
        const cJSON *value = cJSON_GetObjectItemCaseSensitive (doc, name);
        cJSON *norm = value
            ? s_validate (&ctx, (ddc_section_t) s, value, containers, NULL)
            : ddc_config_default_section ((ddc_section_t) s);
        if (norm)
            cJSON_AddItemToObject (out, name, norm);
    }
    cJSON_Delete (no_containers);
    return s_finish (&ctx, 0, out);
}


//  --------------------------------------------------------------------------
//  Public: secrets

cJSON *
ddc_config_redact (ddc_section_t s, const cJSON *value)
{
    if (!value || !s_depth_ok (value, 0))
        return NULL;
    const char *const *secrets = ddc_section_secrets (s);
    if (!secrets [0] || !cJSON_IsObject (value))
        return cJSON_Duplicate (value, 1);
    cJSON *out = cJSON_CreateObject ();
    for (const cJSON *item = value->child; item; item = item->next) {
        const char *key = item->string ? item->string : "";
        bool empty = cJSON_IsString (item) && item->valuestring
                  && !*item->valuestring;
        cJSON *copy = s_index (secrets, key) >= 0 && !empty
            ? cJSON_CreateString ("***")
            : cJSON_Duplicate (item, 1);
        cJSON_AddItemToObject (out, key, copy);
    }
    return out;
}

void
ddc_config_keep_secrets (ddc_section_t s, cJSON *incoming, const cJSON *current)
{
    const char *const *secrets = ddc_section_secrets (s);
    if (!secrets [0] || !cJSON_IsObject (incoming))
        return;
    for (cJSON *item = incoming->child; item; item = item->next) {
        if (s_index (secrets, item->string) < 0 || !cJSON_IsString (item)
        ||  !item->valuestring || strcmp (item->valuestring, "***") != 0)
            continue;
        const cJSON *cur = cJSON_IsObject (current)
            ? cJSON_GetObjectItemCaseSensitive (current, item->string) : NULL;
        const char *keep = cJSON_IsString (cur) && cur->valuestring
            ? cur->valuestring : "";
        size_t len = strlen (keep);
        char *copy = cJSON_malloc (len + 1);
        if (!copy) {
            fprintf (stderr, "ddc: out of memory allocating %zu bytes\n", len + 1);
            abort ();
        }
        memcpy (copy, keep, len + 1);
        if (!(item->type & cJSON_IsReference))
            cJSON_free (item->valuestring);
        item->type &= ~cJSON_IsReference;
        item->valuestring = copy;
    }
}


//  --------------------------------------------------------------------------
//  Public: equality and diff

static bool
s_equal (const cJSON *a, const cJSON *b, int depth)
{
    if (a == b)
        return true;
    if (!a || !b || (a->type & 0xFF) != (b->type & 0xFF))
        return false;
    if (depth > DDC_CONFIG_MAX_DEPTH)
        return false;
    switch (a->type & 0xFF) {
        case cJSON_False:
        case cJSON_True:
        case cJSON_NULL:
            return true;
        case cJSON_Number: {
            double x = a->valuedouble, y = b->valuedouble;
            double max = fabs (x) > fabs (y) ? fabs (x) : fabs (y);
            return fabs (x - y) <= max * DBL_EPSILON;
        }
        case cJSON_String:
        case cJSON_Raw:
            return a->valuestring && b->valuestring
                && strcmp (a->valuestring, b->valuestring) == 0;
        case cJSON_Array: {
            const cJSON *x = a->child, *y = b->child;
            for (; x && y; x = x->next, y = y->next)
                if (!s_equal (x, y, depth + 1))
                    return false;
            return !x && !y;
        }
        case cJSON_Object: {
            //  Fast path: same keys in the same order
            const cJSON *x = a->child, *y = b->child;
            int count = 0;
            for (; x && y; x = x->next, y = y->next, count++) {
                if (!x->string || !y->string || strcmp (x->string, y->string) != 0)
                    break;
                if (!s_equal (x, y, depth + 1))
                    return false;
            }
            if (!x && !y)
                return true;
            //  Sizes must match, then compare by lookup both ways
            int size_a = count, size_b = count;
            for (; x; x = x->next)
                size_a++;
            for (; y; y = y->next)
                size_b++;
            if (size_a != size_b || size_a > S_EQUAL_SLOW_MAX)
                return false;
            for (x = a->child; x; x = x->next) {
                const cJSON *other = x->string
                    ? cJSON_GetObjectItemCaseSensitive (b, x->string) : NULL;
                if (!s_equal (x, other, depth + 1))
                    return false;
            }
            for (y = b->child; y; y = y->next) {
                const cJSON *other = y->string
                    ? cJSON_GetObjectItemCaseSensitive (a, y->string) : NULL;
                if (!s_equal (other, y, depth + 1))
                    return false;
            }
            return true;
        }
        default:
            return false;
    }
}

bool
ddc_config_equal (const cJSON *a, const cJSON *b)
{
    return s_equal (a, b, 0);
}

typedef struct {
    cJSON *out;
    int count;
    bool full;
} s_diff_t;

static void
s_diff_add (s_diff_t *diff, const char *path)
{
    if (diff->full)
        return;
    if (diff->count == DDC_DIFF_MAX) {
        cJSON_AddItemToArray (diff->out, cJSON_CreateString ("..."));
        diff->full = true;
        return;
    }
    cJSON_AddItemToArray (diff->out, cJSON_CreateString (path));
    diff->count++;
}

static void
s_diff (s_diff_t *diff, const char *path, const cJSON *a, const cJSON *b,
        int depth)
{
    if (diff->full || s_equal (a, b, depth))
        return;
    int before = diff->count;
    bool both_objects = cJSON_IsObject (a) && cJSON_IsObject (b);
    bool both_arrays = cJSON_IsArray (a) && cJSON_IsArray (b);
    if (depth < DDC_CONFIG_MAX_DEPTH && both_objects) {
        for (const cJSON *x = a->child; x && !diff->full; x = x->next) {
            char safe [S_SAFE_MAX + 8];
            s_safe (safe, sizeof (safe), x->string);
            char *child = ddc_asprintf ("%s.%s", path, safe);
            const cJSON *y = x->string
                ? cJSON_GetObjectItemCaseSensitive (b, x->string) : NULL;
            if (y)
                s_diff (diff, child, x, y, depth + 1);
            else
                s_diff_add (diff, child);
            free (child);
        }
        for (const cJSON *y = b->child; y && !diff->full; y = y->next) {
            if (y->string && cJSON_GetObjectItemCaseSensitive (a, y->string))
                continue;
            char safe [S_SAFE_MAX + 8];
            s_safe (safe, sizeof (safe), y->string);
            char *child = ddc_asprintf ("%s.%s", path, safe);
            s_diff_add (diff, child);
            free (child);
        }
    }
    else
    if (depth < DDC_CONFIG_MAX_DEPTH && both_arrays) {
        const cJSON *x = a->child, *y = b->child;
        for (int index = 0; (x || y) && !diff->full; index++) {
            char *child = ddc_asprintf ("%s[%d]", path, index);
            if (x && y)
                s_diff (diff, child, x, y, depth + 1);
            else
                s_diff_add (diff, child);
            free (child);
            x = x ? x->next : NULL;
            y = y ? y->next : NULL;
        }
    }
    //  Unequal but nothing below was named (other type, or duplicate keys)
    if (diff->count == before)
        s_diff_add (diff, path);
}

cJSON *
ddc_config_diff (ddc_section_t s, const cJSON *old_value, const cJSON *new_value)
{
    s_diff_t diff = { cJSON_CreateArray (), 0, false };
    const char *name = ddc_section_name (s);
    s_diff (&diff, name ? name : "", old_value, new_value, 0);
    return diff.out;
}
