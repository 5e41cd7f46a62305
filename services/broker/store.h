/*  store: the broker's durable configuration document, DATA/config.json.
    Owns: the in-memory document (sections), the store epoch, the global
    revision and each section's revision (kept in the file's "_meta", with
    the file's schema, schema.h), the durable save path (a record in the
    journal, DATA/config.journal, flushed once: journal.h, and nothing else
    on a save's path; config.json, with history.jsonl, is replaced without
    a flush when saves pause, made durable by a checkpoint when they pause
    longer and at a clean stop, and at start brought up to date from the
    journal after a crash, before anyone is served), the detection of hand
    edits (one made while config.json is behind changes only the sections
    it changes), the files kept
    beside config.json so that a restart always starts (config.last-good.json,
    a copy of each accepted revision; config.rejected-TIME.json, an invalid
    edit moved aside; config.schema-N.json, the original of a migrated
    file) and the history ring (DATA/history.jsonl); history values are
    kept as JSON text, deflated once they are in history.jsonl
    (store_pack, packed.h), and bounded in count and in bytes of text.
    Every change it
    commits is given back (store_change_t) for the broker to publish and to
    write to the audit log (audit.c). Single-threaded: used by the broker
    loop. */
#ifndef DDC_STORE_H
#define DDC_STORE_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "ddc_config.h"
#include "ddc_metrics.h"

#define STORE_HISTORY_MAX 200
#define STORE_HISTORY_BYTES (32 * 1024 * 1024) //  of retained values' text
#define STORE_REJECTED_KEEP 20                 //  config.rejected-*.json kept, the newest
#define STORE_WRITE_IDLE_MS 100
#define STORE_WRITE_MAX_MS 1000
#define STORE_CHECKPOINT_IDLE_MS 1000
#define STORE_CHECKPOINT_MAX_MS 10000
#define STORE_JOURNAL_MAX (4 * 1024 * 1024)

typedef struct store_t store_t;

//  Open DIR (created 0700 if missing) and load or create config.json
//  (0600, working defaults). An older schema is migrated (the original kept
//  as config.schema-N.json). An invalid or missing config.json is replaced
//  by config.last-good.json when that is valid (the invalid file moved aside
//  as config.rejected-TIME.json). Returns NULL with a one-line reason in
//  err: the field at fault, or a schema newer than this broker's.
store_t *store_new (const char *dir, char *err, size_t errlen);
void store_destroy (store_t **self_p);

const char *store_epoch (store_t *self);
uint64_t store_rev (store_t *self);
uint64_t store_section_rev (store_t *self, ddc_section_t s);
//  Borrowed current value of a section (secrets in clear).
const cJSON *store_section (store_t *self, ddc_section_t s);
const cJSON *store_document (store_t *self);
//  New object {"bot": 3, ...}.
cJSON *store_revs_json (store_t *self);

typedef enum {
    STORE_OK,
    STORE_UNCHANGED,
    STORE_INVALID,
    STORE_CONFLICT,
    STORE_FAILED
} store_result_t;

//  One change as committed (history, publish, audit).
typedef struct {
    ddc_section_t section;
    uint64_t rev, prev_rev;
    cJSON *changed;         //  array of field names (owned by caller of store_save)
    cJSON *secrets_changed; //  array of secret field names
} store_change_t;

//  Save a section: value is validated (errors appended to `errors`), secrets
//  given as "***" are kept, CAS on expected (0 = none), equality makes no
//  revision, else the change is durable (its journal record flushed)
//  before returning OK; config.json follows when saves pause
//  (store_checkpoint).
//  On STORE_OK, *change is filled (caller frees its arrays with
//  store_change_free). On STORE_FAILED, err holds why and nothing changed.
store_result_t store_save (store_t *self, ddc_section_t s, const cJSON *value, uint64_t expected,
                           const char *author, const char *peer, cJSON *errors,
                           store_change_t *change, char *err, size_t errlen);
void store_change_free (store_change_t *change);

//  Group commit: between store_group_begin and store_group_end, a save
//  that returns STORE_OK is committed in memory and its journal record
//  appended, but it is durable only at store_group_end, with one flush for the whole group; the caller holds
//  back its answers until then. store_group_end returns 0 when every save
//  of the group is durable, or -1 with err: then none of them happened
//  (the document, revisions and history are as before the group). Other
//  calls of the store (hand edits, checkpoints) wait until the group ends.
void store_group_begin (store_t *self);
int store_group_end (store_t *self, char *err, size_t errlen);

//  The redacted value of section s at revision rev from the history, or NULL
//  (gone = true if older than the retained history). Caller frees.
cJSON *store_history_value (store_t *self, ddc_section_t s, uint64_t rev, bool *gone);
//  History summaries (section < 0 for all), oldest first: each entry
//  without its value ("bytes" gives its size) and with at most 10 changed
//  field names (then "..."). Bounded: 200 entries of about 2 KiB.
cJSON *store_history (store_t *self, int section);
//  One history entry with its redacted value, of section `section` (< 0:
//  any) at revision rev, or NULL (gone as for store_history_value).
cJSON *store_history_entry (store_t *self, int section, uint64_t rev, bool *gone);

//  Check config.json for a hand edit (cheap: stat first). Returns the
//  number of sections changed (>= 0) and fills changes[DDC_SEC_COUNT];
//  -1 when the file was edited but is invalid: nothing changes, and once
//  it has stayed the same for one more call it is moved aside
//  (config.rejected-TIME.json, logged with its errors, store_status) and
//  config.json is written again with the running revision; a removed
//  config.json is written again the same way.
int store_poll_file (store_t *self, store_change_t changes [DDC_SEC_COUNT]);

//  Replace config.json (without a flush) and append the new history
//  entries to history.jsonl when saves the journal holds are not in it
//  and none came for STORE_WRITE_IDLE_MS, or the oldest of them is
//  STORE_WRITE_MAX_MS old. Make config.json durable (fsync of the file and
//  its folder) and empty the journal, when the journal holds saves and
//  none came for STORE_CHECKPOINT_IDLE_MS, or it is STORE_CHECKPOINT_MAX_MS
//  old or STORE_JOURNAL_MAX bytes big; now: both, whenever it holds saves.
//  Skipped while config.json holds a hand edit not looked at yet. Called
//  by a timer and at a clean stop. Says what it did (a failure is logged,
//  once, and is NONE).
typedef enum {
    STORE_CHECKPOINT_NONE,
    STORE_CHECKPOINT_WRITTEN, //  config.json replaced, not flushed yet
    STORE_CHECKPOINT_DURABLE  //  config.json durable, the journal emptied
} store_checkpoint_t;
store_checkpoint_t store_checkpoint (store_t *self, bool now);
//  true when no save was committed for STORE_CHECKPOINT_IDLE_MS.
bool store_paused (store_t *self);

//  Deflate what is kept for long and read seldom, while it is still held
//  as text: config.json's text as last written (to tell our writes from
//  hand edits) and the history values that are in history.jsonl, the
//  oldest first; about 512 KiB of text at most (some 2 ms). false when
//  none was left. Called by a timer, in a step of its own.
bool store_pack (store_t *self);

//  Bring config.last-good.json up to date with config.json when a write
//  made it due (no fsync: it is a copy of a durable file; the copy is made
//  durable at start and at a clean stop). Cheap; called by a timer.
void store_keep_last_good (store_t *self);

//  For STATUS: {"schema", "saves", "flushes" (since start: saves committed
//  and the journal flushes they took; saves that came together share one),
//  "journal_bytes", "history": {"entries", "bytes" (their values' text),
//  "held" (the memory those values take)}, "last_good", "last_good_written",
//  "rejected": null | {"time", "file", "at_start", "kept_rev",
//  "error_count", "errors": [{"field", "message"}] (at most 5)},
//  "migrated": null | {"from", "original", "time"}}. Caller frees.
cJSON *store_status (store_t *self);
//  The store's metric families: the journal's flush times (journal.h).
void store_report (store_t *self, ddc_metrics_t *m);

#endif
