/*  import_plan: what ddc-ctl import-ddc saves, decided from an import
    (import_ddc.h) and ddc's current configuration before anything is
    saved. Owns:
    - merging: an imported object section replaces only the fields the
      folder sets and keeps ddc's others; a list section is replaced;
    - ddc's own configuration: a setting that ddc already has, that
      differs from ddc's default and from the import, is listed in
      `existing` and replaced only with force; a secret that ddc already
      has (the bot token, the web password hash) is kept unless force;
    - validation of every resulting section with ddc's own validator
      (ddc_config) against the whole resulting document, its errors
      translated back to the folder's files and fields;
    - the saves, in an order in which each one is valid when it is made:
      when replacing the containers would leave current tasks without
      their containers, a first tasks step keeps only the current tasks
      that still have theirs.
    Pure: no broker, no output. */
#ifndef CTL_IMPORT_PLAN_H
#define CTL_IMPORT_PLAN_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "ddc_config.h"
#include "import_ddc.h"

#define PLAN_STEPS_MAX (DDC_SEC_COUNT + 1)

typedef struct {
    ddc_section_t section;
    cJSON *value;      //  what to save (a secret "***": keep ddc's)
    cJSON *before;     /* the section before this step (secrets as "***"
                               when set), to put back if a later save fails     */
    uint64_t expected; //  its section revision now (0: no check)
    bool interim;      //  the first of two tasks steps
} plan_step_t;

typedef struct {
    cJSON *result; /* {section: value after the import} of every
                               section the folder sets (secrets in clear)       */
    plan_step_t steps [PLAN_STEPS_MAX];
    int nsteps;
    cJSON *unchanged; //  sections that already are as imported
    cJSON *existing;  //  ["bot.language", "containers"]: ddc's own
    cJSON *errors;    //  [{"file", "field", "message"}]
    cJSON *notes;     //  the same form: secrets kept
} plan_t;

//  current: {"sections": {...}, "revs": {...}} as the broker's STATE body
//  has them (secrets redacted), or NULL to compare with ddc's defaults.
//  Never NULL. Caller destroys.
plan_t *plan_new (const import_t *imp, const cJSON *current, bool force);
void plan_destroy (plan_t **self_p);

#endif
