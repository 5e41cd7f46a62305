/*  ddc_config: the configuration document model and validator.
    Owns: section names and secrets, defaults, the size and nesting bounds,
    per-section and whole-document validation (driving ddc_schema's walker
    over the section's table), redaction and keeping secrets on save.
    See ddc_config.h for the format, the reasons and the ownership rules. */
#include "ddc_config.h"
#include "ddc_json.h"
#include "ddc_schema.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SAFE_MAX DDC_JSON_SAFE_MAX
#define S_SECRETS_MAX 4 //  secret fields of one section

static const char *const s_section_names [DDC_SEC_COUNT] = { "bot",      "containers", "channels",
                                                             "admins",   "spam",       "tasks",
                                                             "watchdog", "web",        "docker",
                                                             "alerts" };

//  The secret fields of each section, from the schema's DDC_F_SECRET.
static const char *s_secrets [DDC_SEC_COUNT][S_SECRETS_MAX + 1];
static pthread_once_t s_secrets_once = PTHREAD_ONCE_INIT;

static void
s_secrets_init (void)
{
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        int n = 0;
        for (const ddc_field_t *f = ddc_schema_section ((ddc_section_t) s)->fields;
             f->key && n < S_SECRETS_MAX; f++)
            if (f->flags & DDC_F_SECRET)
                s_secrets [s][n++] = f->key;
    }
}


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
    static const char *const none [] = { NULL };
    if ((unsigned) s >= DDC_SEC_COUNT)
        return none;
    pthread_once (&s_secrets_once, s_secrets_init);
    return s_secrets [s];
}


//  --------------------------------------------------------------------------
//  Small helpers

static bool
s_is_alnum (char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

void
ddc_config_verror (cJSON *errors, const char *field, const char *reason, const char *fmt,
                   va_list args)
{
    if (!errors)
        return;
    char message [512];
    vsnprintf (message, sizeof (message), fmt, args);
    cJSON *error = cJSON_CreateObject ();
    cJSON_AddStringToObject (error, "field", field);
    cJSON_AddStringToObject (error, "reason", reason);
    cJSON_AddStringToObject (error, "message", message);
    cJSON_AddItemToArray (errors, error);
}

void
ddc_config_error (cJSON *errors, const char *field, const char *reason, const char *fmt, ...)
{
    if (!errors || cJSON_GetArraySize (errors) >= DDC_CONFIG_MAX_ERRORS)
        return;
    va_list args;
    va_start (args, fmt);
    ddc_config_verror (errors, field, reason, fmt, args);
    va_end (args);
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


//  --------------------------------------------------------------------------
//  Section size: the unformatted JSON length, bounded in work.

static size_t
s_json_str_len (const char *s, size_t budget)
{
    size_t n = 2;
    for (const unsigned char *p = (const unsigned char *) s; *p && n <= budget; p++) {
        if (*p == '"' || *p == '\\' || *p == '\b' || *p == '\f' || *p == '\n' || *p == '\r'
            || *p == '\t')
            n += 2;
        else if (*p < 0x20)
            n += 6;
        else
            n += 1;
    }
    return n;
}

//  The length of d printed with "%1.17g": counted for a whole number of
//  at most 15 digits (every number of a configuration but a rare
//  fraction), printed for the others.

static size_t
s_number_len (double d)
{
    if (d > -1e15 && d < 1e15 && d == (double) (int64_t) d) {
        int64_t v = (int64_t) d;
        size_t len = signbit (d) ? 2 : 1; //  -0 prints as "-0"
        for (v = v < 0 ? -v : v; v >= 10; v /= 10)
            len++;
        return len;
    }
    char buf [64];
    int len = snprintf (buf, sizeof (buf), "%1.17g", d);
    return len > 0 ? (size_t) len : 4;
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
        case cJSON_Number:
            *total += s_number_len (item->valuedouble);
            break;
        case cJSON_String:
            *total += s_json_str_len (item->valuestring ? item->valuestring : "", budget);
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
        const cJSON *v =
            s == skip ? NULL
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


//  Validate one section. containers (for tasks) and tasks (for
//  containers) are cross-reference arrays, NULL to skip those checks.

static cJSON *
s_validate (ddc_walk_t *ctx, ddc_section_t s, const cJSON *value, const cJSON *containers,
            const cJSON *tasks)
{
    const char *name = ddc_section_name (s);
    if (!name) {
        ddc_walk_error (ctx, "", "not_supported", "There is no such configuration section.");
        return NULL;
    }
    if (!value) {
        ddc_walk_error (ctx, name, "required", "The %s section is missing.", name);
        return NULL;
    }
    size_t size = 0;
    int rc = s_json_size (value, 0, &size, DDC_SECTION_MAX_BYTES);
    if (rc == -1) {
        ddc_walk_error (ctx, name, "too_long", "The %s section is larger than %d KiB.", name,
                        DDC_SECTION_MAX_BYTES / 1024);
        return NULL;
    }
    if (rc == -2) {
        ddc_walk_error (ctx, name, "invalid", "The %s section is nested too deeply.", name);
        return NULL;
    }
    //  Each list is checked against the other only where the caller gave it
    ctx->containers = s == DDC_SEC_TASKS ? containers : NULL;
    ctx->tasks = s == DDC_SEC_CONTAINERS ? tasks : NULL;
    cJSON *out = ddc_schema_walk (ctx, ddc_schema_section (s), value, name);
    //  The limit holds for the section as stored, its defaults filled in:
    //  what is accepted here is what the next start loads again.
    size = 0;
    if (out && s_json_size (out, 0, &size, DDC_SECTION_MAX_BYTES) == -1) {
        ddc_walk_error (ctx, name, "too_long",
                        "The %s section is larger than %d KiB with its defaults filled in.", name,
                        DDC_SECTION_MAX_BYTES / 1024);
        cJSON_Delete (out);
        return NULL;
    }
    return out;
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
            ddc_walk_t ctx = { NULL, 0, NULL, NULL };
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

size_t
ddc_config_json_bytes (const cJSON *value)
{
    size_t total = 0;
    if (!value || s_json_size (value, 0, &total, DDC_DOCUMENT_MAX_BYTES) != 0)
        return SIZE_MAX;
    return total;
}

//  The size of doc's sections other than s added to *total: others_bytes
//  when the caller knows it (not SIZE_MAX), else counted. -1 once over
//  DDC_DOCUMENT_MAX_BYTES.
static int
s_others_size (const cJSON *doc, ddc_section_t s, size_t others_bytes, size_t *total)
{
    if (others_bytes == SIZE_MAX)
        return s_doc_size (doc, (int) s, total);
    *total += others_bytes < DDC_DOCUMENT_MAX_BYTES ? others_bytes : DDC_DOCUMENT_MAX_BYTES + 1;
    return *total > DDC_DOCUMENT_MAX_BYTES ? -1 : 0;
}

cJSON *
ddc_config_validate_section (ddc_section_t s, const cJSON *value, const cJSON *doc, cJSON *errors)
{
    return ddc_config_validate_section_sized (s, value, doc, SIZE_MAX, errors);
}

cJSON *
ddc_config_validate_section_sized (ddc_section_t s, const cJSON *value, const cJSON *doc,
                                   size_t others_bytes, cJSON *errors)
{
    ddc_walk_t ctx = { errors, 0, NULL, NULL };
    const cJSON *containers = NULL, *tasks = NULL;
    size_t total = 0;
    if (cJSON_IsObject (doc) && value && s_depth_ok (value, 0)
        && s_json_size (value, 0, &total, DDC_SECTION_MAX_BYTES) == 0
        && s_others_size (doc, s, others_bytes, &total) < 0) {
        ddc_walk_error (&ctx, ddc_section_name (s) ? ddc_section_name (s) : "", "too_long",
                        "The whole configuration would be larger than %d KiB.",
                        DDC_DOCUMENT_MAX_BYTES / 1024);
        return ddc_walk_finish (&ctx, 0, NULL);
    }
    if (cJSON_IsObject (doc)) {
        containers = cJSON_GetObjectItemCaseSensitive (doc, "containers");
        tasks = cJSON_GetObjectItemCaseSensitive (doc, "tasks");
        if (!cJSON_IsArray (containers))
            containers = NULL;
        if (!cJSON_IsArray (tasks))
            tasks = NULL;
    }
    cJSON *out = s_validate (&ctx, s, value, containers, tasks);
    //  And the whole document as stored, with this section's defaults
    total = 0;
    if (out && cJSON_IsObject (doc)
        && (s_json_size (out, 0, &total, DDC_SECTION_MAX_BYTES) != 0
            || s_others_size (doc, s, others_bytes, &total) < 0)) {
        ddc_walk_error (&ctx, ddc_section_name (s), "too_long",
                        "The whole configuration would be larger than %d KiB.",
                        DDC_DOCUMENT_MAX_BYTES / 1024);
        cJSON_Delete (out);
        return NULL;
    }
    return out;
}

cJSON *
ddc_config_validate_document (const cJSON *doc, cJSON *errors)
{
    ddc_walk_t ctx = { errors, 0, NULL, NULL };
    if (!cJSON_IsObject (doc)) {
        ddc_walk_error (&ctx, "", "type", "The configuration must be a JSON object.");
        return NULL;
    }
    size_t total = 0;
    if (s_depth_ok (doc, 0) && s_doc_size (doc, -1, &total) < 0) {
        ddc_walk_error (&ctx, "", "too_long", "The whole configuration is larger than %d KiB.",
                        DDC_DOCUMENT_MAX_BYTES / 1024);
        return NULL;
    }
    uint32_t seen = 0;
    for (const cJSON *item = doc->child; item; item = item->next) {
        if (item->string && strcmp (item->string, "_meta") == 0)
            continue;
        char safe [S_SAFE_MAX + 8];
        ddc_json_safe (safe, sizeof (safe), item->string);
        int s = ddc_section_from_name (item->string);
        if (s < 0)
            ddc_walk_error (&ctx, safe, "unknown_field", "'%s' is not a configuration section.",
                            safe);
        else if (seen & (1u << s))
            ddc_walk_error (&ctx, safe, "duplicate", "The %s section is given twice.", safe);
        seen |= s >= 0 ? 1u << s : 0;
    }
    //  Tasks are checked against the candidate's own containers; with no
    //  containers section that list is the (empty) default.
    const cJSON *containers = cJSON_GetObjectItemCaseSensitive (doc, "containers");
    cJSON *no_containers = NULL;
    if (!containers)
        containers = no_containers = cJSON_CreateArray ();
    else if (!cJSON_IsArray (containers))
        containers = NULL;

    cJSON *out = cJSON_CreateObject ();
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const char *name = s_section_names [s];
        const cJSON *value = cJSON_GetObjectItemCaseSensitive (doc, name);
        cJSON *norm = value ? s_validate (&ctx, (ddc_section_t) s, value, containers, NULL)
                            : ddc_config_default_section ((ddc_section_t) s);
        if (norm)
            cJSON_AddItemToObject (out, name, norm);
    }
    cJSON_Delete (no_containers);
    return ddc_walk_finish (&ctx, 0, &out);
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
        bool empty = cJSON_IsString (item) && item->valuestring && !*item->valuestring;
        cJSON *copy = ddc_schema_secret (s, key) && !empty ? cJSON_CreateString ("***")
                                                           : cJSON_Duplicate (item, 1);
        cJSON_AddItemToObject (out, key, copy);
    }
    return out;
}

char *
ddc_config_redacted_text (ddc_section_t s, const cJSON *value)
{
    if (!value || !s_depth_ok (value, 0))
        return NULL;
    if (!ddc_section_secrets (s) [0] || !cJSON_IsObject (value))
        return ddc_json_print (value);
    cJSON *redacted = ddc_config_redact (s, value);
    char *text = ddc_json_print (redacted);
    cJSON_Delete (redacted);
    return text;
}

void
ddc_config_keep_secrets (ddc_section_t s, cJSON *incoming, const cJSON *current)
{
    const char *const *secrets = ddc_section_secrets (s);
    if (!secrets [0] || !cJSON_IsObject (incoming))
        return;
    for (cJSON *item = incoming->child; item; item = item->next) {
        if (!item->string || !ddc_schema_secret (s, item->string) || !cJSON_IsString (item)
            || !item->valuestring || strcmp (item->valuestring, "***") != 0)
            continue;
        const cJSON *cur = cJSON_IsObject (current)
                               ? cJSON_GetObjectItemCaseSensitive (current, item->string)
                               : NULL;
        const char *keep = cJSON_IsString (cur) && cur->valuestring ? cur->valuestring : "";
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
