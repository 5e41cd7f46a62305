/*  audit: the broker's audit log, DATA/audit.log, one JSON object a line
    (proto/ddcp.md 5.12): every configuration change, every action the
    broker routed (who from the requesting peer's connection, what it says
    it acts for, what, where, the result and how long it took) and every
    action an agent ran by itself and reported. Rotated to audit.log.1
    past AUDIT_FILE_MAX. Owns the record builders (pure: unit-tested), the
    appending, and the reading of pages for AUDIT: backwards from the
    newest line or a cursor, filtered, each page bounded in bytes of file
    read, in entries, in reply bytes and in time, so that one request
    never holds the loop for long. Single-threaded: the broker loop. */
#ifndef DDC_AUDIT_H
#define DDC_AUDIT_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_FILE_MAX (16 * 1024 * 1024) //  then audit.log becomes audit.log.1
#define AUDIT_PAGE_LIMIT 100              //  entries in a page by default
#define AUDIT_PAGE_MAX 500                //  ... at most
#define AUDIT_SCAN_MAX (1024 * 1024)      //  bytes of the files read for a page
#define AUDIT_LINE_MAX (1024 * 1024)      //  a longer line is skipped
#define AUDIT_TEXT_MAX 256                //  a message, a user name: cut here
#define AUDIT_ID_MAX 64                   //  an id, an address
#define AUDIT_LATE_MS \
    (130 * 1000) /* an action line is written at most
                                                 this long after its "time"          */

typedef struct audit_t audit_t;

audit_t *audit_new (const char *dir);
void audit_destroy (audit_t **self_p);
const char *audit_path (audit_t *self);

//  Append an entry as one line. -1 when it could not be written (warned
//  about once until a line goes in again).
int audit_append (audit_t *self, const cJSON *entry);

//  ---- records (caller owns the results) ----------------------------

//  A configuration change: {"kind": "config", "rev", "prev_rev", "section",
//  "time", "author", "peer", "changed"}. changed is copied.
cJSON *audit_config_entry (uint64_t rev, uint64_t prev_rev, const char *section, const char *author,
                           const char *peer, const cJSON *changed, int64_t wall_ms);
//  An action as the broker takes it: who (peer and role, from the
//  connection), what the body says it acts for ("for", its known fields
//  only, cut), the action and container the body names (cut), the target
//  and its host (the target's instance). The result comes later.
cJSON *audit_action_begin (const char *peer, const char *role, const char *target,
                           const cJSON *body, int64_t wall_ms);
//  True if an action body is a later read of a log followed live (action
//  "logs", "follow": true): such reads come every few seconds while a log
//  is followed, and only the follow's first read is recorded.
bool audit_action_follow (const cJSON *body);
//  The target's RESULT body: "result" ok, timeout (its "error" said so)
//  or error, with "error", "message" and "state" as the body gives them
//  (cut), and the duration.
void audit_action_result (cJSON *entry, const cJSON *result, int64_t duration_ms);
//  No RESULT: result "error" or "timeout", an error code and a reason.
void audit_action_failed (cJSON *entry, const char *result, const char *error, const char *message,
                          int64_t duration_ms);
//  An action peer ran by itself (RECORD), attributed to it: NULL with the
//  reason in err when body is not a record (proto/ddcp.md 5.12).
cJSON *audit_reported_entry (const char *peer, const char *role, const char *instance,
                             const cJSON *body, int64_t now_ms, char *err, size_t errlen);

//  ---- reading -------------------------------------------------------

enum { AUDIT_ALL, AUDIT_ACTIONS, AUDIT_CONFIG };

typedef struct {
    int kind;             //  AUDIT_ALL, AUDIT_ACTIONS or AUDIT_CONFIG
    int64_t since_ms;     //  wall ms; 0 = from the beginning
    char container [129]; //  "" = any
    char host [129];      //  "" = any
    char who [129];       /* "" = any; else in peer, for.user or author
                                   (ASCII letters in any case)              */
    char result [16];     /* "" = any; "ok", "error" or "timeout" (a
                                   configuration change is "ok")            */
    bool cursor;          //  continue at cursor_ino:cursor_off
    uint64_t cursor_ino, cursor_off;
    int limit; //  entries in the page
} audit_query_t;

//  An AUDIT query object ({"kind", "since", "container", "host", "who",
//  "result", "cursor", "limit"}, every field optional) into q: 0, or -1 with the reason.
int audit_query_parse (const cJSON *query, audit_query_t *q, char *err, size_t errlen);

//  One page, newest first, as JSON text {"entries": [...], "next": CURSOR
//  or null, "scanned": BYTES} (caller frees): the entries that match, read
//  backwards from the cursor (or the end), until limit entries, `budget`
//  bytes of entries, AUDIT_SCAN_MAX bytes read or max_us microseconds;
//  "next" is null once the beginning of audit.log.1 (or of the entries
//  since q->since_ms) is reached. A config entry's "changed" is cut to 10
//  names and "...", as in HISTORY.
char *audit_page (audit_t *self, const audit_query_t *q, size_t budget, int64_t max_us);

#endif
