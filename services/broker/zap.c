/*  zap: the broker's ZAP handler. See zap.h. */
#include "zap.h"
#include "ddc_util.h"

#include <string.h>

#define S_RECENT 16      //  refusals kept for the socket events
#define S_RECENT_MS 2000 //  ... that long

struct zap_t {
    zsock_t *rep;
    zcertstore_t *certs;
    refused_t *refused;
    struct { //  the latest refusals, oldest first
        char address [80];
        int64_t mono_ms;
    } recent [S_RECENT];
    int nrecent;
};

//  Keep a refusal's address for the socket event that follows it.
static void
s_remember (zap_t *self, const char *address)
{
    if (self->nrecent == S_RECENT) {
        memmove (&self->recent [0], &self->recent [1], (S_RECENT - 1) * sizeof (self->recent [0]));
        self->nrecent--;
    }
    ddc_strlcpy (self->recent [self->nrecent].address, address, sizeof (self->recent [0].address));
    self->recent [self->nrecent++].mono_ms = ddc_mono_ms ();
}

bool
zap_take_refused (zap_t *self, char *out, size_t size)
{
    int64_t now = ddc_mono_ms ();
    while (self && self->nrecent > 0) {
        bool fresh = now - self->recent [0].mono_ms <= S_RECENT_MS;
        if (fresh)
            ddc_strlcpy (out, self->recent [0].address, size);
        memmove (&self->recent [0], &self->recent [1],
                 (size_t) (self->nrecent - 1) * sizeof (self->recent [0]));
        self->nrecent--;
        if (fresh)
            return true;
    }
    return false;
}

zap_t *
zap_new (const char *clients_dir, refused_t *refused, char *err, size_t errlen)
{
    zap_t *self = ddc_calloc (1, sizeof (*self));
    self->refused = refused;
    self->rep = zsock_new (ZMQ_REP);
    if (!self->rep || zsock_bind (self->rep, "inproc://zeromq.zap.01") < 0) {
        snprintf (err, errlen, "cannot start the ZAP handler");
        zap_destroy (&self);
        return NULL;
    }
    zsock_set_linger (self->rep, 0);
    self->certs = zcertstore_new (clients_dir);
    return self;
}

void
zap_destroy (zap_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zsock_destroy (&(*self_p)->rep);
    zcertstore_destroy (&(*self_p)->certs);
    free (*self_p);
    *self_p = NULL;
}

zsock_t *
zap_sock (zap_t *self)
{
    return self->rep;
}

zcert_t *
zap_cert (zap_t *self, const char *public_txt)
{
    return public_txt && *public_txt ? zcertstore_lookup (self->certs, public_txt) : NULL;
}

//  Frame i of a request as text (at most size-1 bytes).
static void
s_frame_text (zmsg_t *msg, int index, char *out, size_t size)
{
    zframe_t *f = zmsg_first (msg);
    for (int i = 0; f && i < index; i++)
        f = zmsg_next (msg);
    size_t n = f ? zframe_size (f) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy (out, zframe_data (f), n);
    out [n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char) out [i] < 0x20 || (unsigned char) out [i] > 0x7e)
            out [i] = '?';
}

void
zap_on_readable (zap_t *self)
{
    for (int budget = 0; budget < 100 && (zsock_events (self->rep) & ZMQ_POLLIN); budget++) {
        zmsg_t *req = zmsg_recv (self->rep);
        if (!req)
            break;
        //  version, request id, domain, address, routing id, mechanism, credentials
        char version [8], address [80], mechanism [16];
        s_frame_text (req, 0, version, sizeof (version));
        s_frame_text (req, 3, address, sizeof (address));
        s_frame_text (req, 5, mechanism, sizeof (mechanism));
        zframe_t *id_frame = zmsg_first (req);
        id_frame = id_frame ? zmsg_next (req) : NULL;
        char key [41] = "";
        zframe_t *cred = zmsg_size (req) == 7 ? zmsg_last (req) : NULL;
        if (cred && strcmp (mechanism, "CURVE") == 0 && zframe_size (cred) == 32)
            zmq_z85_encode (key, zframe_data (cred), 32);
        zcert_t *cert = key [0] ? zap_cert (self, key) : NULL;
        bool ok = strcmp (version, "1.0") == 0 && cert;
        if (!ok) {
            char reason [120];
            snprintf (reason, sizeof (reason),
                      "handshake refused: %s key %.8s... is not in the "
                      "broker's clients folder",
                      mechanism [0] ? mechanism : "no", key [0] ? key : "");
            refused_add (self->refused, address, NULL, reason);
            s_remember (self, address);
        }
        zmsg_t *reply = zmsg_new ();
        zmsg_addstr (reply, "1.0");
        if (id_frame)
            zmsg_addmem (reply, zframe_data (id_frame), zframe_size (id_frame));
        else
            zmsg_addstr (reply, "");
        zmsg_addstr (reply, ok ? "200" : "400");
        zmsg_addstr (reply, ok ? "OK" : "unknown key");
        zmsg_addstr (reply, ok ? key : "");
        zmsg_addmem (reply, NULL, 0);
        zmsg_send (&reply, self->rep);
        zmsg_destroy (&req);
    }
}
