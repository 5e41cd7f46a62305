/*  refused: the broker's refusals list and their rate-limited log. See
    refused.h. */
#include "refused.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <czmq.h>
#include <string.h>

typedef struct {
    int64_t wall_ms;
    char address [80];
    char cert [80];
    char reason [200];
    uint64_t count;
} s_refusal_t;

struct refused_t {
    s_refusal_t list [REFUSED_KEEP]; //  ring, list[last] the newest
    int n, last;
    zhashx_t *logged;  //  source|reason -> last log ms
    int64_t window_ms; //  start of the current window
    int window_lines;
    uint64_t unlogged;
};

refused_t *
refused_new (void)
{
    refused_t *self = ddc_calloc (1, sizeof (*self));
    self->logged = zhashx_new ();
    zhashx_set_destructor (self->logged, (zhashx_destructor_fn *) zstr_free);
    zhashx_set_duplicator (self->logged, (zhashx_duplicator_fn *) strdup);
    self->last = -1;
    return self;
}

void
refused_destroy (refused_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->logged);
    free (*self_p);
    *self_p = NULL;
}

//  true when this source and reason may be logged now.
static bool
s_may_log (refused_t *self, const char *key, int64_t now)
{
    if (now - self->window_ms >= REFUSED_LOG_MS) {
        if (self->unlogged)
            ddc_warn ("%llu more refusal(s) in the last minute were not logged",
                      (unsigned long long) self->unlogged);
        self->window_ms = now;
        self->window_lines = 0;
        self->unlogged = 0;
        //  Sources not seen for a window may log again; the table stays small.
        zhashx_purge (self->logged);
    }
    if (zhashx_lookup (self->logged, key) || self->window_lines >= REFUSED_LOG_BURST) {
        self->unlogged++;
        return false;
    }
    zhashx_insert (self->logged, key, "1");
    self->window_lines++;
    return true;
}

void
refused_add (refused_t *self, const char *address, const char *cert, const char *reason)
{
    address = address ? address : "";
    cert = cert ? cert : "";
    int64_t now = ddc_wall_ms ();
    s_refusal_t *top = self->last >= 0 ? &self->list [self->last] : NULL;
    if (top && strncmp (top->address, address, sizeof (top->address) - 1) == 0
        && strncmp (top->cert, cert, sizeof (top->cert) - 1) == 0
        && strncmp (top->reason, reason, sizeof (top->reason) - 1) == 0) {
        top->wall_ms = now;
        top->count++;
    }
    else {
        self->last = (self->last + 1) % REFUSED_KEEP;
        if (self->n < REFUSED_KEEP)
            self->n++;
        top = &self->list [self->last];
        top->wall_ms = now;
        ddc_strlcpy (top->address, address, sizeof (top->address));
        ddc_strlcpy (top->cert, cert, sizeof (top->cert));
        ddc_strlcpy (top->reason, reason, sizeof (top->reason));
        top->count = 1;
    }
    char *key = ddc_asprintf ("%.80s|%.80s|%.200s", address, cert, reason);
    if (s_may_log (self, key, now))
        ddc_warn ("refused: %s (address %s, certificate %s)", reason, *address ? address : "?",
                  *cert ? cert : "none");
    free (key);
}

cJSON *
refused_json (refused_t *self)
{
    cJSON *out = cJSON_CreateArray ();
    for (int k = 0; k < self->n; k++) {
        const s_refusal_t *r = &self->list [(self->last - k + REFUSED_KEEP) % REFUSED_KEEP];
        cJSON *o = cJSON_CreateObject ();
        char when [32];
        ddc_iso_time (r->wall_ms, when);
        cJSON_AddStringToObject (o, "time", when);
        cJSON_AddStringToObject (o, "address", r->address);
        cJSON_AddStringToObject (o, "certificate", r->cert);
        cJSON_AddStringToObject (o, "reason", r->reason);
        cJSON_AddNumberToObject (o, "count", (double) r->count);
        cJSON_AddItemToArray (out, o);
    }
    return out;
}
