/*  records: task runs reported to the broker's audit log. See records.h. */
#include "records.h"

#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <string.h>

typedef struct {
    char req [40];
    cJSON *entry;
} s_record_t;

struct _records_t {
    s_record_t queue [RECORDS_MAX]; //  a ring, oldest at head
    size_t head, count;
    bool in_flight;   //  the head is on its way
    int64_t retry_at; //  mono ms: no send before
    size_t dropped;   //  dropped since the last ACK
};

records_t *
records_new (void)
{
    return ddc_calloc (1, sizeof (records_t));
}

void
records_destroy (records_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    records_t *self = *self_p;
    if (self->count)
        ddc_warn ("%zu task run(s) not reported to the broker's audit log (they are in this "
                  "agent's audit file)",
                  self->count);
    for (size_t i = 0; i < RECORDS_MAX; i++)
        cJSON_Delete (self->queue [i].entry);
    free (self);
    *self_p = NULL;
}

cJSON *
records_entry (const job_t *job, const cJSON *result)
{
    cJSON *e = cJSON_CreateObject ();
    cJSON_AddStringToObject (e, "action", job->action);
    cJSON_AddStringToObject (e, "container", job->container);
    cJSON_AddStringToObject (e, "task", job->task_id);
    char when [32];
    ddc_iso_time (job->started_wall ? job->started_wall : ddc_wall_ms (), when);
    cJSON_AddStringToObject (e, "time", when);
    const char *keys [] = { "ok", "error", "message", "state", "duration_ms", NULL };
    for (const char **k = keys; *k; k++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive (result, *k);
        if (item && !cJSON_IsNull (item))
            cJSON_AddItemToObject (e, *k, cJSON_Duplicate (item, 1));
    }
    //  a message longer than the broker keeps is cut here already
    cJSON *message = cJSON_GetObjectItemCaseSensitive (e, "message");
    if (cJSON_IsString (message) && strlen (message->valuestring) > 1000) {
        size_t n = ddc_utf8_cut (message->valuestring, strlen (message->valuestring), 1000);
        message->valuestring [n] = '\0';
    }
    return e;
}

static void
s_pop (records_t *self)
{
    s_record_t *r = &self->queue [self->head];
    cJSON_Delete (r->entry);
    r->entry = NULL;
    self->head = (self->head + 1) % RECORDS_MAX;
    self->count--;
}

void
records_add (records_t *self, const cJSON *entry)
{
    if (self->count == RECORDS_MAX) {
        //  The oldest goes; one on its way stays (its ACK would match the next).
        if (self->in_flight) {
            size_t second = (self->head + 1) % RECORDS_MAX;
            cJSON_Delete (self->queue [second].entry);
            for (size_t i = 1; i + 1 < self->count; i++)
                self->queue [(self->head + i) % RECORDS_MAX] =
                    self->queue [(self->head + i + 1) % RECORDS_MAX];
            self->queue [(self->head + self->count - 1) % RECORDS_MAX].entry = NULL;
            self->count--;
        }
        else
            s_pop (self);
        self->dropped++;
    }
    s_record_t *r = &self->queue [(self->head + self->count) % RECORDS_MAX];
    ddc_req_id (r->req);
    r->entry = cJSON_Duplicate (entry, 1);
    self->count++;
}

static void
s_on_reply (void *arg, const ddc_msg_t *reply)
{
    records_t *self = arg;
    self->in_flight = false;
    if (reply && reply->type == DDC_ACK) {
        s_pop (self);
        self->dropped = 0;
        return;
    }
    uint64_t code = reply && reply->type == DDC_ERROR ? reply->u64 [DDC_ERROR_CODE] : 0;
    if (code == DDC_E_BAD_REQUEST || code == DDC_E_DENIED || code == DDC_E_TOO_LARGE) {
        //  It would never be taken: drop it (the agent's file has it).
        ddc_warn ("the broker refused a task run for its audit log: %s",
                  reply->frame [DDC_ERROR_MESSAGE]);
        s_pop (self);
        return;
    }
    self->retry_at = ddc_mono_ms () + RECORDS_RETRY_MS;
}

void
records_pump (records_t *self, ddc_client_t *client)
{
    if (!self->count || self->in_flight || !client || !ddc_client_connected (client)
        || ddc_mono_ms () < self->retry_at)
        return;
    s_record_t *r = &self->queue [self->head];
    //  Say how many runs before this one were dropped unreported.
    cJSON_DeleteItemFromObjectCaseSensitive (r->entry, "unreported");
    if (self->dropped)
        cJSON_AddNumberToObject (r->entry, "unreported", (double) self->dropped);
    char *text = ddc_json_print (r->entry);
    zmsg_t *msg = ddc_msg_buildv (DDC_RECORD, r->req, text, NULL);
    free (text);
    if (msg && ddc_client_request (client, &msg, RECORDS_TIMEOUT_MS, 1, s_on_reply, self) == 0)
        self->in_flight = true;
    else {
        zmsg_destroy (&msg);
        self->retry_at = ddc_mono_ms () + RECORDS_RETRY_MS;
    }
}

size_t
records_queued (records_t *self)
{
    return self->count;
}
