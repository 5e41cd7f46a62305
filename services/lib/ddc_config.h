/*  ddc_config: the configuration document model and its validator.
    Owns: the section list, the default document, the validation rules
    (every error at once, with field paths), normalisation (defaults filled,
    keys in canonical order) and secret redaction (JSON equality and
    field-level diffs are ddc_json's).
    Nothing here logs, does I/O (except zone lookups via ddc_tz) or asserts
    on input; work and memory stay bounded by the size limits below.

    The document is one JSON object with ten sections:
      bot (object), containers (array), channels (array), admins (array),
      spam (object), tasks (array), watchdog (object), web (object),
      docker (object: the Docker agents' stats interval and stop timeout),
      alerts (object: the crash, health and restart-loop alerts' webhook,
      thresholds and rate limits).
    A top-level "_meta" key belongs to the broker: the document validator
    ignores it and leaves it out of its result.

    Errors are appended to a caller-owned cJSON array as objects
      {"field": "containers[2].name", "reason": "...", "message": "..."}
    "field" starts with the section name ("bot.timezone", "tasks[0].time");
    it is "" for the document itself. "message" is an English sentence for
    a user and never contains a secret value. "reason" is one of:
      "required"      a required field is missing or empty
      "type"          wrong JSON type
      "invalid"       bad format or value (syntax, calendar, URL, UTF-8)
      "not_supported" value (or map key) not in the allowed set
      "out_of_range"  number outside its range
      "too_long"      string, or whole section, longer than its limit
      "too_many"      array longer than its limit (elements beyond the
                      limit are not validated), or too many errors
      "duplicate"     second occurrence of a unique value or of a key
      "unknown_field" key not part of the format
      "not_found"     reference to something missing (task -> container)
      "in_use"        removal of something still referenced
      "conflict"      contradictory entries (channel listed as two kinds, a
                      role for an action not in allowed_actions)
    At most DDC_CONFIG_MAX_ERRORS errors are appended per call; if more are
    found, one last error {"field": "", "reason": "too_many"} says so. */
#ifndef DDC_CONFIG_H
#define DDC_CONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cJSON.h>

#include "ddc_json.h"

typedef enum {
    DDC_SEC_BOT,
    DDC_SEC_CONTAINERS,
    DDC_SEC_CHANNELS,
    DDC_SEC_ADMINS,
    DDC_SEC_SPAM,
    DDC_SEC_TASKS,
    DDC_SEC_WATCHDOG,
    DDC_SEC_WEB,
    DDC_SEC_DOCKER,
    DDC_SEC_ALERTS,
    DDC_SEC_COUNT
} ddc_section_t;

//  A section's JSON text (unformatted) may not exceed this.
#define DDC_SECTION_MAX_BYTES (256 * 1024)
//  Nor all sections together: so that a snapshot of every section fits in
//  one reply (DDC_REPLY_BUDGET, ddc_proto.h), with room for the defaults
//  that validation adds.
#define DDC_DOCUMENT_MAX_BYTES (640 * 1024)
//  Errors appended per validation call, plus one final "too_many".
#define DDC_CONFIG_MAX_ERRORS 200
//  Nesting depth beyond which redact gives up.
#define DDC_CONFIG_MAX_DEPTH DDC_JSON_CMP_DEPTH
//  Array limits.
#define DDC_CONTAINERS_MAX 1000
#define DDC_CHANNELS_MAX 200
#define DDC_ADMINS_MAX 100
#define DDC_TASKS_MAX 500
//  Discord role ids per container and action (containers[].roles).
#define DDC_ROLES_MAX 25

//  "bot", "containers", ...; NULL for an out-of-range value. Static.
const char *ddc_section_name (ddc_section_t s);

//  Section for a name (case-sensitive), or -1 if unknown/NULL.
int ddc_section_from_name (const char *name);

//  NULL-terminated list of the section's secret field names (static):
//  {"token", NULL} for bot, {"password_hash", "metrics_token", NULL} for web,
//  {"webhook_url", NULL} for alerts, {NULL} otherwise (also for an
//  out-of-range value).
const char *const *ddc_section_secrets (ddc_section_t s);

//  The whole default document (no "_meta"). Caller owns.
cJSON *ddc_config_default (void);

//  The default value of one section, or NULL if s is out of range.
//  Caller owns.
cJSON *ddc_config_default_section (ddc_section_t s);

//  Validate one section value (borrowed). On success returns a new
//  normalised copy (missing optional fields filled with defaults, keys in
//  canonical order; caller owns) and appends nothing to errors. On failure
//  returns NULL and appends every error found to errors (a cJSON array,
//  borrowed; may be NULL to only get the verdict).
//  doc (borrowed, may be NULL) is the whole current document for
//  cross-section checks: a tasks value is checked against doc's
//  containers (skipped when doc has none); a containers value is checked
//  against doc's tasks ("in_use" when a task's target would disappear).
cJSON *ddc_config_validate_section (ddc_section_t s, const cJSON *value, const cJSON *doc,
                                    cJSON *errors);

//  ddc_config_validate_section for a caller that knows the size of doc's
//  other sections: others_bytes is the sum of ddc_config_json_bytes of
//  every section of doc but s (SIZE_MAX: not known, counted here). The
//  broker keeps those sizes, so that a save does not walk the whole
//  document to check its size limit.
cJSON *ddc_config_validate_section_sized (ddc_section_t s, const cJSON *value, const cJSON *doc,
                                          size_t others_bytes, cJSON *errors);

//  The size of value (borrowed) as the size limits count it (its compact
//  JSON with numbers as "%1.17g" and a separator after every member), or
//  SIZE_MAX when it is NULL, over DDC_DOCUMENT_MAX_BYTES or nested
//  deeper than DDC_CONFIG_MAX_DEPTH.
size_t ddc_config_json_bytes (const cJSON *value);

//  Validate a whole document (borrowed): every section validated, a
//  missing section defaulted, unknown top-level keys refused ("_meta"
//  ignored), tasks checked against the document's own containers. Returns
//  a new normalised document without "_meta" (caller owns) or NULL with
//  all errors appended (errors may be NULL). A non-object gives one
//  error, field "", reason "type".
cJSON *ddc_config_validate_document (const cJSON *doc, cJSON *errors);

//  New copy of a section value (borrowed) with each secret field that is
//  not the empty string replaced by "***" (duplicate keys included; a
//  non-string secret is replaced too). Non-secret sections: plain copy.
//  Returns NULL if value is NULL or nested deeper than
//  DDC_CONFIG_MAX_DEPTH. Caller owns.
cJSON *ddc_config_redact (ddc_section_t s, const cJSON *value);
//  Its text as ddc_json_print writes it (caller frees), or NULL where
//  ddc_config_redact gives NULL; a section without secrets is printed as
//  it is, without the copy.
char *ddc_config_redacted_text (ddc_section_t s, const cJSON *value);

//  In incoming (a value being saved; modified in place), a secret field
//  whose value is exactly "***" means "keep the current one": it is
//  replaced by the string from current (borrowed), or "" if current is
//  NULL, not an object, or has no string value for that field.
void ddc_config_keep_secrets (ddc_section_t s, cJSON *incoming, const cJSON *current);

//  The keys a cooldown map of the spam section may have (NULL-terminated,
//  static): map "command_cooldowns" or "button_cooldowns"; NULL for any
//  other name.
const char *const *ddc_config_cooldown_keys (const char *map);

//  Append {"field", "reason", "message"} (the message from fmt) to errors
//  (a cJSON array; NULL: nothing), unless it already holds
//  DDC_CONFIG_MAX_ERRORS entries: the one error builder of every module
//  that reports configuration errors in this format.
void ddc_config_error (cJSON *errors, const char *field, const char *reason, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
//  The same with a va_list and no limit on the array's size.
void ddc_config_verror (cJSON *errors, const char *field, const char *reason, const char *fmt,
                        va_list args);

//  The naming rule of the configuration: 1..max characters of
//  [A-Za-z0-9._-], starting with a letter or digit. A ddc host (and a
//  service instance) name has at most 63, a Docker container name 128.
bool ddc_config_name_ok (const char *s, size_t max);
#define DDC_HOST_NAME_MAX 63
#define DDC_CONTAINER_NAME_MAX 128

#endif
