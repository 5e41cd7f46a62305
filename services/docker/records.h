/*  records: the runs of this host's scheduled tasks, on their way to the
    broker's audit log (RECORD, proto/ddcp.md 5.12). Task runs do not go
    through the broker, so the agent reports each one itself, attributed
    to itself (docker@HOST, for task ID). Owns the queue of runs not yet
    acknowledged: sent one at a time with its own request id (a retry
    keeps it, so the broker records a run once), kept while the broker is
    unreachable, at most RECORDS_MAX (the oldest are dropped and counted,
    and the next record says how many: "unreported"). The agent's own
    audit file (actions.c) has every run regardless. */
#ifndef RECORDS_H
#define RECORDS_H

#include <cJSON.h>
#include <stddef.h>

#include "actions.h"
#include "ddc_client.h"

#define RECORDS_MAX 256
#define RECORDS_TIMEOUT_MS 5000 //  wait for the ACK
#define RECORDS_RETRY_MS 2000   //  after no ACK, before sending again

typedef struct _records_t records_t;

records_t *records_new (void);
void records_destroy (records_t **self_p);

//  The RECORD entry of a finished task run (job and its result).
cJSON *records_entry (const job_t *job, const cJSON *result);
//  Queue an entry (copied).
void records_add (records_t *self, const cJSON *entry);
//  Send the oldest entry when none is on its way (client borrowed; it
//  must outlive the records or records_destroy come first).
void records_pump (records_t *self, ddc_client_t *client);
size_t records_queued (records_t *self);

#endif
