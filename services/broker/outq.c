/*  outq: queued bytes per connection, counted by libzmq's release of each
    message. See outq.h. */
#include "outq.h"
#include "ddc_util.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

//  The count of one connection (or of the PUB socket). Shared by the loop
//  (which adds) and libzmq's I/O thread (which subtracts as it releases):
//  freed by whichever drops the last reference.
typedef struct {
    atomic_size_t bytes;
    atomic_int refs;
} s_account_t;

//  One frame handed to libzmq: released when libzmq is done with it.
typedef struct {
    zframe_t *frame;
    s_account_t *account;
    size_t bytes;
} s_tracked_t;

struct outq_t {
    zhashx_t *conns; //  routing id (hex) -> s_account_t
    s_account_t *pub;
};

static s_account_t *
s_account_new (void)
{
    s_account_t *a = ddc_calloc (1, sizeof (*a));
    atomic_init (&a->bytes, 0);
    atomic_init (&a->refs, 1);
    return a;
}

static void
s_account_drop (s_account_t *a)
{
    if (a && atomic_fetch_sub (&a->refs, 1) == 1)
        free (a);
}

static void
s_account_destructor (void **item)
{
    s_account_drop (*item);
    *item = NULL;
}

//  libzmq's I/O thread (or the loop, for a message libzmq refused).
static void
s_release (void *data, void *hint)
{
    (void) data;
    s_tracked_t *t = hint;
    atomic_fetch_sub (&t->account->bytes, t->bytes);
    s_account_drop (t->account);
    zframe_destroy (&t->frame);
    free (t);
}

outq_t *
outq_new (void)
{
    outq_t *self = ddc_calloc (1, sizeof (*self));
    self->conns = zhashx_new ();
    zhashx_set_destructor (self->conns, s_account_destructor);
    self->pub = s_account_new ();
    return self;
}

void
outq_destroy (outq_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    outq_t *self = *self_p;
    zhashx_destroy (&self->conns);
    s_account_drop (self->pub);
    free (self);
    *self_p = NULL;
}

static size_t
s_msg_bytes (zmsg_t *zmsg)
{
    size_t n = 0;
    for (zframe_t *f = zmsg_first (zmsg); f; f = zmsg_next (zmsg))
        n += zframe_size (f);
    return n;
}

//  Send one frame, *frame_p (destroyed or handed to libzmq, *frame_p set
//  to NULL), counted on account when it is not small.
static int
s_send_frame (void *handle, zframe_t **frame_p, s_account_t *account, int flags)
{
    zframe_t *frame = *frame_p;
    *frame_p = NULL;
    zmq_msg_t msg;
    size_t size = zframe_size (frame);
    if (size < OUTQ_SMALL) {
        zmq_msg_init_size (&msg, size);
        if (size)
            memcpy (zmq_msg_data (&msg), zframe_data (frame), size);
        zframe_destroy (&frame);
    }
    else {
        s_tracked_t *t = ddc_calloc (1, sizeof (*t));
        t->frame = frame;
        t->account = account;
        t->bytes = size;
        atomic_fetch_add (&account->refs, 1);
        atomic_fetch_add (&account->bytes, size);
        zmq_msg_init_data (&msg, zframe_data (frame), size, s_release, t);
    }
    if (zmq_msg_send (&msg, handle, flags) < 0) {
        int e = errno;
        zmq_msg_close (&msg);
        errno = e;
        return -1;
    }
    return 0;
}

//  Send the frames of *zmsg_p after *first_p (a frame of more to come;
//  first_p may be NULL): both destroyed, set to NULL.
static int
s_send (void *handle, zframe_t **first_p, zmsg_t **zmsg_p, s_account_t *account)
{
    zmsg_t *zmsg = *zmsg_p;
    int rc = 0;
    if (first_p && s_send_frame (handle, first_p, account, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        rc = -1;
    zframe_t *frame;
    while (rc == 0 && (frame = zmsg_pop (zmsg)))
        if (s_send_frame (handle, &frame, account,
                          (zmsg_size (zmsg) ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT)
            < 0)
            rc = -1;
    int e = errno;
    zmsg_destroy (zmsg_p);
    errno = e;
    return rc;
}

int
outq_send_to (outq_t *self, zsock_t *sock, zframe_t *to, zmsg_t **zmsg_p)
{
    char *key = zframe_strhex (to);
    s_account_t *account = zhashx_lookup (self->conns, key);
    if (!account) {
        account = s_account_new ();
        zhashx_insert (self->conns, key, account);
    }
    free (key);
    if (atomic_load (&account->bytes) + s_msg_bytes (*zmsg_p) > OUTQ_REPLY_MAX) {
        zmsg_destroy (zmsg_p);
        errno = ENOBUFS;
        return -1;
    }
    zframe_t *first = zframe_dup (to);
    return s_send (zsock_resolve (sock), &first, zmsg_p, account);
}

int
outq_publish (outq_t *self, zsock_t *sock, zmsg_t **zmsg_p)
{
    return s_send (zsock_resolve (sock), NULL, zmsg_p, self->pub);
}

size_t
outq_pub_bytes (outq_t *self)
{
    return atomic_load (&self->pub->bytes);
}

size_t
outq_reply_bytes (outq_t *self)
{
    size_t n = 0;
    for (s_account_t *a = zhashx_first (self->conns); a; a = zhashx_next (self->conns))
        n += atomic_load (&a->bytes);
    return n;
}

void
outq_sweep (outq_t *self)
{
    zlistx_t *keys = zhashx_keys (self->conns);
    for (char *key = zlistx_first (keys); key; key = zlistx_next (keys)) {
        s_account_t *a = zhashx_lookup (self->conns, key);
        if (atomic_load (&a->bytes) == 0)
            zhashx_delete (self->conns, key);
    }
    zlistx_destroy (&keys);
}
