/*  op: a request that sleeps while the broker or the hashing thread works
    for it, or until the bridge has applied a revision it saved. The link
    between the two is a small heap "pend" that outlives whichever side
    goes first: when the client disconnects, Kore frees the request
    (s_onfree orphans the pend); when the reply, the hash or the revision
    comes, an orphaned pend is just freed. See web.h. */
#include "web.h"

#include "bridge.h"
#include "hasher.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct http_request *req; //  NULL once orphaned
    web_op_t *op;
} s_pend_t;

//  A request waiting for a section revision (op_await_applied).
typedef struct s_wait {
    s_pend_t pend; //  first: op->pend points here
    char section [32];
    uint64_t rev;
    int64_t deadline; //  mono ms
    struct s_wait *next;
} s_wait_t;

static s_wait_t *s_waits;

static void
s_onfree (struct http_request *req)
{
    web_op_t *op = http_state_get (req);
    if (!op)
        return;
    if (op->pend) {
        s_pend_t *p = op->pend;
        p->req = NULL;
        p->op = NULL;
        op->pend = NULL;
    }
    ddc_msg_destroy (&op->reply);
    form_destroy (&op->form);
    cJSON_Delete (op->value);
    op->value = NULL;
    if (op->body) {
        sodium_memzero (op->body, op->body_len);
        free (op->body);
        op->body = NULL;
    }
    sodium_memzero (op->text2, sizeof (op->text2));
    sodium_memzero (op->new_hash, sizeof (op->new_hash));
}

web_op_t *
op_get (struct http_request *req)
{
    web_op_t *op = http_state_get (req);
    if (!op)
        op = http_state_create (req, sizeof (*op), s_onfree);
    return op;
}

static ddc_msg_t *
s_msg_dup (const ddc_msg_t *m)
{
    ddc_msg_t *c = ddc_calloc (1, sizeof (*c));
    c->type = m->type;
    c->nframes = m->nframes;
    c->topic = m->topic ? ddc_strdup (m->topic) : NULL;
    for (int i = 0; i < m->nframes && i < DDC_MAX_FRAMES; i++) {
        c->frame [i] = m->frame [i] ? ddc_strndup (m->frame [i], m->len [i]) : NULL;
        c->len [i] = m->len [i];
        c->u64 [i] = m->u64 [i];
        c->json [i] = m->json [i] ? cJSON_Duplicate (m->json [i], true) : NULL;
    }
    return c;
}

static void
s_on_reply (void *arg, const ddc_msg_t *reply)
{
    s_pend_t *p = arg;
    if (p->req) {
        web_op_t *op = p->op;
        op->pend = NULL;
        ddc_msg_destroy (&op->reply);
        op->reply = reply ? s_msg_dup (reply) : NULL;
        http_request_wakeup (p->req);
    }
    free (p);
}

int
op_broker (struct http_request *req, web_op_t *op, zmsg_t **msg_p, int64_t timeout_ms)
{
    if (!bridge_up () || op->pend) {
        zmsg_destroy (msg_p);
        return -1;
    }
    s_pend_t *p = ddc_calloc (1, sizeof (*p));
    p->req = req;
    p->op = op;
    ddc_msg_destroy (&op->reply);
    if (ddc_client_request (bridge_client (), msg_p, timeout_ms, 1, s_on_reply, p) < 0) {
        free (p);
        return -1;
    }
    op->pend = p;
    http_request_sleep (req);
    bridge_kick ();
    return 0;
}

static void
s_on_hashed (hasher_job_t *job)
{
    s_pend_t *p = job->arg;
    if (p->req) {
        web_op_t *op = p->op;
        op->pend = NULL;
        op->hash_rc = job->rc;
        ddc_strlcpy (op->new_hash, job->out, sizeof (op->new_hash));
        http_request_wakeup (p->req);
    }
    free (p);
    hasher_job_destroy (&job);
}

int
op_hash (struct http_request *req, web_op_t *op, const char *verify_pw, const char *hash,
         const char *new_pw, bool rehash)
{
    if (op->pend)
        return -1;
    hasher_job_t *job = hasher_job_new (verify_pw, hash, new_pw, rehash);
    s_pend_t *p = ddc_calloc (1, sizeof (*p));
    p->req = req;
    p->op = op;
    job->done = s_on_hashed;
    job->arg = p;
    op->hash_rc = 0;
    op->new_hash [0] = '\0';
    if (hasher_submit (&job) < 0) {
        free (p);
        return -1;
    }
    op->pend = p;
    http_request_sleep (req);
    return 0;
}

bool
op_await_applied (struct http_request *req, web_op_t *op)
{
    const ddc_msg_t *r = op->reply;
    if (op->awaited || op->pend || !r || r->type != DDC_OK || !r->u64 [DDC_OK_CHANGED])
        return false;
    op->awaited = true;
    const char *name = ddc_section_name (op->section);
    uint64_t have = 0;
    bridge_section (name, &have);
    if (!name || have >= r->u64 [DDC_OK_SECTION_REV])
        return false;
    s_wait_t *w = ddc_calloc (1, sizeof (*w));
    w->pend.req = req;
    w->pend.op = op;
    ddc_strlcpy (w->section, name, sizeof (w->section));
    w->rev = r->u64 [DDC_OK_SECTION_REV];
    w->deadline = ddc_mono_ms () + WEB_APPLY_WAIT;
    w->next = s_waits;
    s_waits = w;
    op->pend = &w->pend;
    http_request_sleep (req);
    return true;
}

void
op_applied_check (void)
{
    int64_t now = s_waits ? ddc_mono_ms () : 0;
    for (s_wait_t **pp = &s_waits; *pp;) {
        s_wait_t *w = *pp;
        uint64_t have = 0;
        bridge_section (w->section, &have);
        if (w->pend.req && have < w->rev && now < w->deadline) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        if (w->pend.req) {
            w->pend.op->pend = NULL;
            http_request_wakeup (w->pend.req);
        }
        free (w);
    }
}
