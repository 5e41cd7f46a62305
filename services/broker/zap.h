/*  zap: the broker's ZAP handler (RFC 27) for its CURVE endpoints. Owns
    the inproc://zeromq.zap.01 REP socket and the store of client
    certificates (KEYS/clients, read again when the folder changes). A key
    found there is admitted, with its public key as User-Id; any other is
    denied, and the denial goes to the refusals with the client's address.
    Runs in the broker loop (no thread of its own). */
#ifndef DDC_ZAP_H
#define DDC_ZAP_H

#include <czmq.h>

#include "refused.h"

typedef struct zap_t zap_t;

//  NULL with a reason in err when the handler cannot be set up.
zap_t *zap_new (const char *clients_dir, refused_t *refused, char *err, size_t errlen);
void zap_destroy (zap_t **self_p);
zsock_t *zap_sock (zap_t *self);
//  Answer the pending requests.
void zap_on_readable (zap_t *self);
//  The certificate with that public key (Z85 text), borrowed, or NULL.
zcert_t *zap_cert (zap_t *self, const char *public_txt);

//  The address of the oldest handshake refused in the last 2 s that no one
//  has taken yet, into out[size] (libzmq's events of a refused handshake do
//  not name the peer; they follow the refusal). false when there is none.
bool zap_take_refused (zap_t *self, char *out, size_t size);

#endif
