/*  schema: how each configuration section maps to an HTML form, both
    ways. Kore-free, fuzzed. Input names ARE the broker's field paths:
    "bot.guild_id", "containers[2].info.text", "spam.command_cooldowns.info",
    so a validation error {"field": "containers[2].name"} lands on the input
    named "containers[2].name". Building a value from a form:
      - text inputs give strings ("" kept) or, for optional fields, are left
        out when empty so that the broker fills the default;
      - number inputs give numbers; text that is not a whole number is sent
        as a string so that the broker reports a type error at that field;
      - checkboxes give true when present and false when absent;
      - multi-checkboxes (allowed_actions) give the checked values in order;
      - the secret inputs (bot.token, alerts.webhook_url) give "***" (keep)
        when left empty, and "" when the checkbox "<section>._clear.<key>"
        is ticked;
      - id lists (containers[N].roles.ACTION) split their text at commas
        and white space into an array of strings, left out when empty;
      - rows of list sections come from "<section>[N]." keys in N order;
        a row with "<section>[N]._delete" set, a discovered container row
        not made active, and a row whose text inputs are all empty are
        dropped, unless "<section>._kept" (a number of rows) says row N
        was shown from the configuration: then its emptied inputs are sent (a container's
        display_name and order as "", so that the broker refuses them at
        their field instead of filling the default);
      - the rows of ddc_schema marked DDC_F_FORM in an object section are
        read by their type like the fields listed here;
      - a task's "target" ("host/container") gives "host" and "container",
        and its date/weekday/day/month only when its cycle uses them. */
#ifndef WEB_SCHEMA_H
#define WEB_SCHEMA_H

#include <cJSON.h>
#include <stddef.h>

#include "ddc_config.h"
#include "ddc_schema.h"
#include "form.h"

#define SCHEMA_MAX_ROWS 1000
#define SCHEMA_NAME_MAX 160

//  The value of section s built from form (caller owns), or NULL with a
//  reason in err (a row index out of range, too many rows).
cJSON *schema_from_form (ddc_section_t s, const form_t *form, char *err, size_t errlen);

//  The input an error field path belongs to, into out[outlen]:
//  the field's own input, the input of the field it is part of
//  ("containers[2].allowed_actions[1]" -> "containers[2].allowed_actions"),
//  the row ("containers[7]") when no input matches inside a row, or "" for
//  the form as a whole.
void schema_error_input (ddc_section_t s, const char *path, char *out, size_t outlen);

//  Refusals of a form before its value is built: a field sent more than
//  once (other than the multi-checkboxes) gives {"field": its input name,
//  "reason": "duplicate_field", "message"}. A new array (caller owns), or
//  NULL when there is none.
cJSON *schema_form_errors (ddc_section_t s, const form_t *form);

//  The allowed keys of the spam maps (NULL-terminated, static; ddc_schema's).
extern const char *const *const schema_command_keys;
extern const char *const *const schema_button_keys;
//  allowed_actions values in display order (NULL-terminated, static).
extern const char *const *const schema_actions;
//  containers[].alerts values in display order (NULL-terminated, static).
extern const char *const *const schema_alert_kinds;

#endif
