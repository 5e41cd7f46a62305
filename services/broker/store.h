/*  store: the broker's durable configuration document, DATA/config.json.
    Owns: the in-memory document (sections), the store epoch, the global
    revision and each section's revision (kept in the file's "_meta"), the
    durable write path (temp file, fsync, rename, directory fsync), the
    detection of hand edits and the history ring (DATA/history.jsonl);
    history values are kept as JSON text and bounded in count and bytes.
    Every change it commits is given back (store_change_t) for the broker
    to publish and to write to the audit log (audit.c). Single-threaded:
    used by the broker loop. */
#ifndef DDC_STORE_H
#define DDC_STORE_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "ddc_config.h"

#define STORE_HISTORY_MAX 200
#define STORE_HISTORY_BYTES (32 * 1024 * 1024)   /* of retained values */

typedef struct store_t store_t;

/* Open DIR (created 0700 if missing) and load or create config.json
   (0600, working defaults). Returns NULL with a one-line reason in err. */
store_t *store_new (const char *dir, char *err, size_t errlen);
void store_destroy (store_t **self_p);

const char *store_epoch (store_t *self);
uint64_t store_rev (store_t *self);
uint64_t store_section_rev (store_t *self, ddc_section_t s);
/* Borrowed current value of a section (secrets in clear). */
const cJSON *store_section (store_t *self, ddc_section_t s);
const cJSON *store_document (store_t *self);
/* New object {"bot": 3, ...}. */
cJSON *store_revs_json (store_t *self);

typedef enum { STORE_OK, STORE_UNCHANGED, STORE_INVALID, STORE_CONFLICT, STORE_FAILED } store_result_t;

/* One change as committed (history, publish, audit). */
typedef struct {
    ddc_section_t section;
    uint64_t rev, prev_rev;
    cJSON *changed;          /* array of field names (owned by caller of store_save) */
    cJSON *secrets_changed;  /* array of secret field names                          */
} store_change_t;

/* Save a section: value is validated (errors appended to `errors`), secrets
   given as "***" are kept, CAS on expected (0 = none), equality makes no
   revision, else the document is written durably before returning OK.
   On STORE_OK, *change is filled (caller frees its arrays with
   store_change_free). On STORE_FAILED, err holds why and nothing changed. */
store_result_t store_save (store_t *self, ddc_section_t s, const cJSON *value,
                           uint64_t expected, const char *author, const char *peer,
                           cJSON *errors, store_change_t *change, char *err, size_t errlen);
void store_change_free (store_change_t *change);

/* The redacted value of section s at revision rev from the history, or NULL
   (gone = true if older than the retained history). Caller frees. */
cJSON *store_history_value (store_t *self, ddc_section_t s, uint64_t rev, bool *gone);
/* History summaries (section < 0 for all), oldest first: each entry
   without its value ("bytes" gives its size) and with at most 10 changed
   field names (then "..."). Bounded: 200 entries of about 2 KiB. */
cJSON *store_history (store_t *self, int section);
/* One history entry with its redacted value, of section `section` (< 0:
   any) at revision rev, or NULL (gone as for store_history_value). */
cJSON *store_history_entry (store_t *self, int section, uint64_t rev, bool *gone);

/* Check config.json for a hand edit (cheap: stat first). Returns the
   number of sections changed (>= 0) and fills changes[DDC_SEC_COUNT];
   -1 when the file was edited but is invalid (logged, nothing changed). */
int store_poll_file (store_t *self, store_change_t changes[DDC_SEC_COUNT]);

#endif
