/*  zap: the broker's ZAP handler (RFC 27). Owns the
    inproc://zeromq.zap.01 REP socket, the store of client certificates
    (KEYS/clients, read again when the folder changes) and the refusal
    windows of subscribers. On the CURVE endpoints a key found there is
    admitted, with its public key as User-Id; any other is denied, and the
    denial goes to the refusals with the client's address. The PUB socket
    asks on every endpoint (its ZAP domain is ZAP_DOMAIN_PUB, set before
    the local endpoints are bound): a subscriber whose subscriptions were
    refused (subs.h) is denied at the handshake, before libzmq attaches
    the connection to the socket, for ZAP_REFUSE_MS, twice as long each
    time it is refused again within ZAP_REFUSE_MAX_MS of its last window's
    end (at most ZAP_REFUSE_MAX_MS); libzmq 4.3 does not dial again after
    such a denial. A subscriber is "User-Id|address" as subs.h keys it.
    Runs in the broker loop (no thread of its own). */
#ifndef DDC_ZAP_H
#define DDC_ZAP_H

#include <czmq.h>

#include "refused.h"

#define ZAP_DOMAIN "ddc"         //  the CTL socket's CURVE endpoints
#define ZAP_DOMAIN_PUB "ddc-pub" //  every endpoint of the PUB socket
#define ZAP_REFUSE_MS 5000       //  a refused subscriber's first window
#define ZAP_REFUSE_MAX_MS 300000 //  its longest
#define ZAP_REFUSE_KEEP 4096     //  windows kept at once

typedef struct zap_t zap_t;

//  NULL with a reason in err when the handler cannot be set up. No
//  certificate is admitted until zap_clients.
zap_t *zap_new (refused_t *refused, char *err, size_t errlen);
//  Admit the certificates of clients_dir (CURVE on).
void zap_clients (zap_t *self, const char *clients_dir);
//  Deny new PUB connections of the subscriber user_id ("" without CURVE)
//  at address (libzmq's Peer-Address) for its refusal window, which is
//  returned in ms (0: too many windows held, none set).
int64_t zap_refuse (zap_t *self, const char *user_id, const char *address);
//  true while that subscriber's window lasts.
bool zap_refusing (zap_t *self, const char *user_id, const char *address);
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
