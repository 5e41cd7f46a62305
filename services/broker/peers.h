/*  peers: the broker's table of the services that said HELLO.
    Owns each peer's routing id, name (role@instance), liveness, applied
    revisions, last rejection, latest status reports and the cache of its
    last answers (so a retried save gets its first answer), and who may
    hold a name (a connected name is not taken over); a hook hears when a
    peer connects or goes. Bounded in count and
    bytes (proto/ddcp.md section 10): at most PEERS_MAX peers, each with at
    most PEER_REPLIES_MAX answers in PEER_ANSWERS_MAX_BYTES, PEER_TOPICS_MAX
    reports in PEER_STATUS_MAX_BYTES, kept as the JSON text received (their
    memory is their size), and a rejection cut to PEER_REJECTED_MAX_BYTES.
    Single-threaded: the broker loop. */
#ifndef DDC_PEERS_H
#define DDC_PEERS_H

#include <cJSON.h>
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "ddc_buf.h"
#include "ddc_config.h"
#include "roles.h"

#define PEERS_MAX 1024
#define PEER_REPLIES_MAX 256
#define PEER_TOPICS_MAX 16
#define PEER_STATUS_MAX_BYTES (512 * 1024)        //  all kept reports of one peer
#define PEERS_STATUS_MAX_BYTES (64 * 1024 * 1024) //  kept reports of all peers
#define PEER_ANSWERS_MAX_BYTES (64 * 1024)        //  all remembered answers of one
#define PEER_ANSWER_MAX_BYTES (16 * 1024)         //  a larger answer is not kept
#define PEER_REJECTED_MAX_BYTES 4096              //  a rejection's errors, as JSON
#define PEER_IDLE_MS \
    5000                           /* no message for this long: disconnected, and
                                    its name may be taken by a new connection */
#define PEER_REPORTS_KEEP_MS 60000 //  a disconnected peer's reports go after this

typedef struct peers_t peers_t;
typedef struct peer_t peer_t;

peers_t *peers_new (void);
void peers_destroy (peers_t **self_p);
//  Called when a peer says HELLO (connected, reason "hello"), comes back
//  after it went quiet ("back"), says BYE ("bye", before a tool's entry
//  goes) or goes quiet ("quiet", found by peers_sweep).
typedef void (peers_link_fn) (void *arg, peer_t *peer, bool connected, const char *reason);
void peers_on_link (peers_t *self, peers_link_fn *fn, void *arg);

//  The peer with this routing id, or NULL.
peer_t *peers_by_routing (peers_t *self, zframe_t *routing);
//  The connected peer with this name, or NULL.
peer_t *peers_by_name (peers_t *self, const char *name);
//  The peer that holds the name role@instance through another routing id
//  and is not quiet yet (a message within PEER_IDLE_MS, no BYE), or NULL:
//  a HELLO under that name from this routing id is then refused.
peer_t *peers_holder (peers_t *self, zframe_t *routing, const char *name, int64_t now_ms);
//  Register (or re-register) a peer after HELLO. The entries of a quiet
//  holder of the name go. Never fails: evicts the longest-idle peer.
peer_t *peers_hello (peers_t *self, zframe_t *routing, const role_t *role, const char *instance,
                     int64_t now_ms);
//  A peer said BYE: ctl and monitor peers are forgotten (peer is then
//  invalid), services are kept as disconnected, without their reports.
void peers_bye (peers_t *self, peer_t *peer);
//  Update connected flags and drop the reports of peers disconnected for
//  PEER_REPORTS_KEEP_MS; returns how many turned disconnected.
int peers_sweep (peers_t *self, int64_t now_ms);
//  The rows of the STATUS table (proto/ddcp.md 5.6), sorted by name, from
//  index `offset`, each rendered as JSON text, while their total stays
//  within `budget` bytes (at least one row is given when any is left).
//  Reports are summarised ({"bytes", "time"}); their bodies are included
//  as "status" for the peers that `full` matches ("*", "NAME", "PREFIX*" or
//  a comma list of those; NULL for none). Appends the rows to out as a
//  JSON array; total_p gets the number of peers, *next_p the index after the last row
//  given (== total when none are left).
void peers_table (peers_t *self, ddc_buf_t *out, int64_t now_ms, size_t offset, const char *full,
                  size_t budget, size_t *total_p, size_t *next_p);
//  The number of peers and the bytes of all kept reports and answers.
size_t peers_count (peers_t *self);
//  The number of connected peers of a role.
size_t peers_connected (peers_t *self, const role_t *role);
size_t peers_bytes (peers_t *self);

//  Every peer, in no order: peers_first, then peers_next until NULL (the
//  table unchanged in between).
peer_t *peers_first (peers_t *self);
peer_t *peers_next (peers_t *self);

zframe_t *peer_routing (peer_t *peer); //  borrowed
bool peer_connected (peer_t *peer);
//  The report kept under topic (its JSON text as received, borrowed, with
//  its length in *len_p), or NULL.
const char *peer_report (peer_t *peer, const char *topic, size_t *len_p);
const char *peer_name (peer_t *peer);
const role_t *peer_role (peer_t *peer);
void peer_touch (peer_t *peer, int64_t now_ms);
void peer_applied (peer_t *peer, ddc_section_t s, uint64_t rev);
void peer_applied_rev (peer_t *peer, uint64_t rev);
//  Takes ownership of *errors_p.
void peer_rejected (peer_t *peer, ddc_section_t s, uint64_t rev, uint64_t running, cJSON **errors_p);
//  Keep a status body (its JSON text, copied). -1 if the peer has too many
//  topics, a topic name over 63 bytes, or its reports would exceed
//  PEER_STATUS_MAX_BYTES together (or all peers' PEERS_STATUS_MAX_BYTES).
int peer_status (peer_t *peer, const char *topic, const char *body, size_t len);
//  Remember the answer to request req (copied; one over PEER_ANSWER_MAX_BYTES
//  is not kept, and the oldest go to stay within PEER_ANSWERS_MAX_BYTES),
//  and find it again.
void peer_remember (peer_t *peer, const char *req, zmsg_t *reply);
zmsg_t *peer_recall (peer_t *peer, const char *req); //  a copy, or NULL

#endif
