/*  zap: the broker's ZAP handler. See zap.h. */
#include "zap.h"
#include "ddc_util.h"

#include <string.h>

#define S_RECENT 16      //  refusals kept for the socket events
#define S_RECENT_MS 2000 //  ... that long

typedef struct { //  a subscriber refused for a while
    int64_t until_ms;
    int64_t window_ms; //  its latest window (doubles while it comes back)
} s_window_t;

struct zap_t {
    zsock_t *rep;
    zcertstore_t *certs;
    refused_t *refused;
    zhashx_t *windows; //  "User-Id|address" -> s_window_t
    struct {           //  the latest refusals, oldest first
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
zap_new (refused_t *refused, char *err, size_t errlen)
{
    zap_t *self = ddc_calloc (1, sizeof (*self));
    self->refused = refused;
    self->windows = zhashx_new ();
    zhashx_set_destructor (self->windows, (zhashx_destructor_fn *) zstr_free);
    self->rep = zsock_new (ZMQ_REP);
    if (!self->rep || zsock_bind (self->rep, "inproc://zeromq.zap.01") < 0) {
        snprintf (err, errlen, "cannot start the ZAP handler");
        zap_destroy (&self);
        return NULL;
    }
    zsock_set_linger (self->rep, 0);
    return self;
}

void
zap_clients (zap_t *self, const char *clients_dir)
{
    zcertstore_destroy (&self->certs);
    self->certs = zcertstore_new (clients_dir);
}

//  Forget the windows over long enough not to double any more.
static void
s_windows_expire (zap_t *self, int64_t now)
{
    zlistx_t *keys = zhashx_keys (self->windows);
    for (char *key = zlistx_first (keys); key; key = zlistx_next (keys)) {
        s_window_t *w = zhashx_lookup (self->windows, key);
        if (now - w->until_ms > ZAP_REFUSE_MAX_MS)
            zhashx_delete (self->windows, key);
    }
    zlistx_destroy (&keys);
}

int64_t
zap_refuse (zap_t *self, const char *user_id, const char *address)
{
    int64_t now = ddc_mono_ms ();
    char *key = ddc_asprintf ("%s|%s", user_id ? user_id : "", address);
    s_window_t *w = zhashx_lookup (self->windows, key);
    if (!w && zhashx_size (self->windows) >= ZAP_REFUSE_KEEP)
        s_windows_expire (self, now);
    if (!w && zhashx_size (self->windows) < ZAP_REFUSE_KEEP) {
        w = ddc_calloc (1, sizeof (*w));
        zhashx_insert (self->windows, key, w);
    }
    int64_t window = 0;
    if (w) {
        //  Refused again soon after its last window: twice as long.
        bool again = w->window_ms && now - w->until_ms <= ZAP_REFUSE_MAX_MS;
        window = again ? w->window_ms * 2 : ZAP_REFUSE_MS;
        if (window > ZAP_REFUSE_MAX_MS)
            window = ZAP_REFUSE_MAX_MS;
        if (now + window > w->until_ms) {
            w->until_ms = now + window;
            w->window_ms = window;
        }
    }
    free (key);
    return window;
}

bool
zap_refusing (zap_t *self, const char *user_id, const char *address)
{
    char *key = ddc_asprintf ("%s|%s", user_id ? user_id : "", address);
    s_window_t *w = zhashx_lookup (self->windows, key);
    free (key);
    return w && ddc_mono_ms () < w->until_ms;
}

void
zap_destroy (zap_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zsock_destroy (&(*self_p)->rep);
    zcertstore_destroy (&(*self_p)->certs);
    zhashx_destroy (&(*self_p)->windows);
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
    return self->certs && public_txt && *public_txt ? zcertstore_lookup (self->certs, public_txt)
                                                    : NULL;
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
        char version [8], domain [16], address [80], mechanism [16];
        s_frame_text (req, 0, version, sizeof (version));
        s_frame_text (req, 2, domain, sizeof (domain));
        s_frame_text (req, 3, address, sizeof (address));
        s_frame_text (req, 5, mechanism, sizeof (mechanism));
        zframe_t *id_frame = zmsg_first (req);
        id_frame = id_frame ? zmsg_next (req) : NULL;
        char key [41] = "";
        zframe_t *cred = zmsg_size (req) == 7 ? zmsg_last (req) : NULL;
        if (cred && strcmp (mechanism, "CURVE") == 0 && zframe_size (cred) == 32)
            zmq_z85_encode (key, zframe_data (cred), 32);
        zcert_t *cert = key [0] ? zap_cert (self, key) : NULL;
        //  The PUB socket's local endpoints (no CURVE) ask too: only a
        //  subscriber refused a moment ago is turned away there.
        bool pub = strcmp (domain, ZAP_DOMAIN_PUB) == 0;
        bool plain = pub && strcmp (mechanism, "NULL") == 0;
        bool known = strcmp (version, "1.0") == 0 && (cert || plain);
        bool waiting = known && pub && zap_refusing (self, key, address);
        bool ok = known && !waiting;
        if (!known) {
            char reason [120];
            snprintf (reason, sizeof (reason),
                      "handshake refused: %s key %.8s... is not in the "
                      "broker's clients folder",
                      mechanism [0] ? mechanism : "no", key [0] ? key : "");
            refused_add (self->refused, address, NULL, reason);
        }
        else if (waiting)
            refused_add (self->refused, address, cert ? zcert_meta (cert, "name") : NULL,
                         "handshake refused: this subscriber's subscriptions were refused "
                         "a moment ago (it may connect again after its refusal window)");
        if (!ok)
            s_remember (self, address);
        zmsg_t *reply = zmsg_new ();
        zmsg_addstr (reply, "1.0");
        if (id_frame)
            zmsg_addmem (reply, zframe_data (id_frame), zframe_size (id_frame));
        else
            zmsg_addstr (reply, "");
        zmsg_addstr (reply, ok ? "200" : "400");
        zmsg_addstr (reply, ok ? "OK" : waiting ? "refused for a while" : "unknown key");
        zmsg_addstr (reply, ok ? key : "");
        zmsg_addmem (reply, NULL, 0);
        zmsg_send (&reply, self->rep);
        zmsg_destroy (&req);
    }
}
