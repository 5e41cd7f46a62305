/*  ddc_schema: every configuration setting, declared once.
    Owns: one table per section (and per nested object) whose rows say a
    field's key, type, limits, default, flags (required, secret, unique,
    ...), its format check and the locale key of its label; the walker that
    validates and normalises a value against a table (every error at once,
    with field paths, the reasons of ddc_config.h), the hooks for the rules
    a row cannot say (a task's container must exist, a role needs its
    action allowed) and typed reads of a validated value for the services.
    ddc_config drives the walker per section; ddc-web takes its inputs'
    limits and labels from the rows; redaction follows DDC_F_SECRET.
    Adding a setting is one row here plus its label in the locale files.
    Nothing here logs or does I/O (except zone lookups via ddc_tz); the
    tables are static and read-only, so every call is thread-safe. */
#ifndef DDC_SCHEMA_H
#define DDC_SCHEMA_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "ddc_config.h"

//  A Discord snowflake (an id) has at most this many digits.
#define DDC_SNOWFLAKE_MAX 20

typedef enum {
    DDC_T_STR,  //  text of at most max characters (UTF-8, counted in code points)
    DDC_T_INT,  //  whole number min..max
    DDC_T_BOOL, //  true or false
    DDC_T_ENUM, //  one of values
    DDC_T_SET,  //  list of distinct entries of values, in the order given
    DDC_T_OBJ,  //  nested object of the table sub
    DDC_T_HOOK  //  validated and normalised by hook
} ddc_type_t;

//  Flags of a row.
#define DDC_F_REQUIRED (1u << 0) //  must be given; text may not be empty
#define DDC_F_SECRET (1u << 1)   //  shown as "***"; write-only in the web
#define DDC_F_UNIQUE \
    (1u << 2) /* the UNIQUE fields of a list row are its key:
                                     no two rows may share it ("duplicate")   */
#define DDC_F_NONEMPTY \
    (1u << 3) /* optional, but not empty when given (text),
                                     at least one entry (a set)              */
#define DDC_F_OMIT \
    (1u << 4) /* left out of the normalised value when not
                                     given (no default is filled)            */
#define DDC_F_FORM \
    (1u << 5) /* ddc-web renders its input from this row
                                     alone (label, limits, default)          */

//  A walk's state, shared by the walks of one validation call.
typedef struct {
    cJSON *errors;           //  caller's array, may be NULL
    int count;               //  errors found, including those not appended
    const cJSON *containers; //  the document's lists for the cross-section
    const cJSON *tasks;      //  hooks, or NULL to skip those rules
} ddc_walk_t;
typedef struct ddc_field_s ddc_field_t;
typedef struct ddc_table_s ddc_table_t;

//  A DDC_T_HOOK field: check obj's field f (path is obj's path) and add
//  its normalised value to out (the row being built, fields before f
//  already in it). Reports its errors through ddc_walk_error.
typedef void (ddc_field_hook_fn) (ddc_walk_t *walk, const cJSON *obj, const char *path,
                                  const ddc_field_t *f, cJSON *out);
//  Two rows of a list share their key: report it. The walker's own report
//  is "duplicate" at the last key field, naming the earlier row.
typedef void (ddc_dup_hook_fn) (ddc_walk_t *walk, const char *path, const cJSON *row,
                                const cJSON *earlier, int earlier_index);
//  A list section once every row is walked: rules across rows or across
//  sections (value is the input; walk has the document's lists).
typedef void (ddc_list_hook_fn) (ddc_walk_t *walk, const cJSON *value, const char *path);

struct ddc_field_s {
    const char *key;
    ddc_type_t type;
    unsigned flags;
    int min, max;               /* INT: range; STR: max characters; ENUM/SET:
                                      max unused (entries up to 64 characters);
                                      roles (HOOK): ids per action             */
    int input_max;              /* STR: the longest value ok accepts, when
                                      shorter than max (a form's maxlength)    */
    int def;                    //  INT, BOOL: default
    const char *def_str;        //  STR, ENUM: default (NULL: none)
    const char *const *values;  //  ENUM, SET: the allowed values
    const char *const *def_set; //  SET: the default list
    const ddc_table_t *sub;     //  OBJ: the nested table
    bool (*ok) (const char *);  //  STR: format check of a given value
    const char *bad;            //  STR: the message when ok fails
    ddc_field_hook_fn *hook;    //  HOOK
    const char *label;          //  locale key of the field's label
    const char *noun;           //  what an entry is called in a message
};

struct ddc_table_s {
    const char *name;          //  "bot", "containers", "info"
    const ddc_field_t *fields; //  in canonical order, ends with key NULL
    bool list;                 //  a list section: an array of such rows
    int max_rows;              //  list: at most this many rows
    const char *noun;          //  list: a row in messages ("Container")
    ddc_dup_hook_fn *dup;      //  list: NULL for the walker's own report
    ddc_list_hook_fn *after;   //  list: NULL or the cross-row rules
};

//  Value sets (NULL-terminated) that other modules show or iterate:
//  containers[].allowed_actions, containers[].alerts, and the keys of
//  spam.command_cooldowns and spam.button_cooldowns.
extern const char *const ddc_schema_actions [];
extern const char *const ddc_schema_alert_kinds [];
extern const char *const ddc_schema_command_keys [];
extern const char *const ddc_schema_button_keys [];

//  The table of a section, or NULL if s is out of range.
const ddc_table_t *ddc_schema_section (ddc_section_t s);

//  The row of a field by its path inside the section or row ("token",
//  "info.text", "command_cooldowns"), or NULL.
const ddc_field_t *ddc_schema_field (ddc_section_t s, const char *path);

//  True if path names a secret field of section s.
bool ddc_schema_secret (ddc_section_t s, const char *path);

//  Walk value (borrowed) against table t at path (the section name for a
//  section): the normalised copy (caller owns), or NULL after every error
//  found was reported to walk (whose count then went up).
cJSON *ddc_schema_walk (ddc_walk_t *walk, const ddc_table_t *t, const cJSON *value,
                        const char *path);

//  True when value is an array of at most t's max_rows rows (t a list
//  table); else reported to walk at path ("type" or "too_many") and false.
bool ddc_schema_list_ok (ddc_walk_t *walk, const ddc_table_t *t, const cJSON *value,
                         const char *path);

//  *out_p when walk found no error since its count was before, else NULL
//  (*out_p deleted); *out_p is set to NULL either way (out_p may be NULL).
cJSON *ddc_walk_finish (ddc_walk_t *walk, int before, cJSON **out_p);

//  Report an error (field is a full path, reason one of
//  ddc_config.h's). At most DDC_CONFIG_MAX_ERRORS are appended, then one
//  "too_many".
void ddc_walk_error (ddc_walk_t *walk, const char *field, const char *reason, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

//  Typed reads of a validated section value (or row) for the services:
//  the value at path when it has the row's type (and, for a number, lies
//  within its limits), else the row's default. path is as for
//  ddc_schema_field; an unknown path gives 0, false or "". The string is
//  borrowed from obj or static.
int ddc_schema_int (ddc_section_t s, const cJSON *obj, const char *path);
bool ddc_schema_bool (ddc_section_t s, const cJSON *obj, const char *path);
const char *ddc_schema_str (ddc_section_t s, const cJSON *obj, const char *path);

//  A member of a service's struct that a field decodes into: the field's
//  path as for ddc_schema_field and the member's offset. The member's
//  type follows the row's: int (INT), bool (BOOL), const char * (STR,
//  ENUM, and a HOOK row of text), unsigned (SET: bit i set when the
//  row's values[i] is listed). A list ends with key NULL.
typedef struct {
    const char *key;
    size_t offset;
} ddc_bind_t;
#define DDC_BIND(type, member, key)    \
    {                                  \
        (key), offsetof (type, member) \
    }

//  Decode obj (a section's value or one row of a list section, borrowed)
//  into the struct out through binds: each bound field is checked by its
//  row (type, limits, format check, required; a HOOK row as text with
//  its flags, max and format check, the hook's own rules being the
//  broker's) and its value, or the row's default when absent, goes into
//  the member. Fields not bound and unknown keys are not looked at, so a
//  service checks what it reads. A secret field given as "***" (a copy
//  redacted for a reader without the secret) decodes as its default.
//  Errors go to walk with paths under path (the section name, or
//  "containers[3]"). Returns 0, or -1 when obj is not an object or a
//  bound field was wrong (those members then hold the defaults; every
//  member is always set). Strings are borrowed from obj or are the
//  table's.
int ddc_schema_decode (ddc_walk_t *walk, ddc_section_t s, const cJSON *obj, const char *path,
                       const ddc_bind_t *binds, void *out);

#endif
