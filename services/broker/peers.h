/*  peers: the broker's table of the services that said HELLO.
    Owns each peer's routing id, name (role@instance), liveness, applied
    revisions, last rejection, latest status reports and the cache of its
    last answers (so a retried save gets its first answer). Bounded: at
    most PEERS_MAX peers, PEER_REPLIES_MAX answers and PEER_TOPICS_MAX
    status topics each. Single-threaded: the broker loop. */
#ifndef DDC_PEERS_H
#define DDC_PEERS_H

#include <cJSON.h>
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "ddc_config.h"
#include "roles.h"

#define PEERS_MAX         1024
#define PEER_REPLIES_MAX  256
#define PEER_TOPICS_MAX   16
#define PEER_STATUS_MAX_BYTES (4 * 1024 * 1024)   /* all kept reports of one peer */
#define PEER_IDLE_MS      5000   /* no message for this long: disconnected */

typedef struct peers_t peers_t;
typedef struct peer_t peer_t;

peers_t *peers_new (void);
void peers_destroy (peers_t **self_p);

/* The peer with this routing id, or NULL. */
peer_t *peers_by_routing (peers_t *self, zframe_t *routing);
/* The connected peer with this name, or NULL. */
peer_t *peers_by_name (peers_t *self, const char *name);
/* Register (or re-register) a peer after HELLO. A name in use by another
   routing id is taken over. Never fails: evicts the longest-idle peer. */
peer_t *peers_hello (peers_t *self, zframe_t *routing, const role_t *role,
                     const char *instance, int64_t now_ms);
/* A peer said BYE: ctl and monitor peers are forgotten (peer is then
   invalid), services are kept as disconnected. */
void peers_bye (peers_t *self, peer_t *peer);
/* Update connected flags; returns how many turned disconnected. */
int peers_sweep (peers_t *self, int64_t now_ms);
/* {"peers": [...]} rows as documented in proto/ddcp.md 5.6. */
cJSON *peers_table (peers_t *self, int64_t now_ms);

zframe_t *peer_routing (peer_t *peer);          /* borrowed */
const char *peer_name (peer_t *peer);
const role_t *peer_role (peer_t *peer);
void peer_touch (peer_t *peer, int64_t now_ms);
void peer_applied (peer_t *peer, ddc_section_t s, uint64_t rev);
void peer_applied_rev (peer_t *peer, uint64_t rev);
/* Takes ownership of *errors_p. */
void peer_rejected (peer_t *peer, ddc_section_t s, uint64_t rev, uint64_t running,
                    cJSON **errors_p);
/* Keep a status body (copied; bytes is its JSON size). -1 if the peer
   has too many topics, a topic name over 63 bytes, or its reports would
   exceed PEER_STATUS_MAX_BYTES together. */
int peer_status (peer_t *peer, const char *topic, const cJSON *body, size_t bytes);
/* Remember the answer to request req (copied), and find it again. */
void peer_remember (peer_t *peer, const char *req, zmsg_t *reply);
zmsg_t *peer_recall (peer_t *peer, const char *req);   /* a copy, or NULL */

#endif
