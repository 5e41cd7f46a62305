/*  subs: the guard of the PUB socket's subscriptions (proto/ddcp.md
    sections 6 and 10). The XPUB runs in manual mode (ZMQ_XPUB_MANUAL), so
    libzmq matches messages only against the subscriptions this module
    accepts. Owns the topic rule ("" for everything, hugz/, cfg/,
    cfg/SECTION/, status/, status/PEER/, status/PEER/TOPIC/, mon/,
    mon/peer/, mon/peer/PEER/, mon/zmq/, mon/zmq/ctl/, mon/zmq/pub/, at most
    SUBS_TOPIC_MAX bytes), the
    count of distinct topics per subscriber (SUBS_PER_SUBSCRIBER; a
    subscriber is the connecting process on ipc://, the certificate and
    address on CURVE, the address on plain tcp://), and the disconnection of
    a subscriber that asks for more or for another topic: libzmq keeps a
    record of every subscription a connection sends, even a refused one,
    until the connection closes, so closing it is what bounds that memory.
    Its new connections are then refused at the handshake for its refusal
    window (zap.h), so that they cost the loop nothing.
    The distinct topics that name a peer (status/PEER/..., mon/peer/PEER/)
    are bounded in bytes over all subscribers (SUBS_TOPIC_BYTES_MAX; the
    fixed topics are a few hundred bytes): libzmq 4.3 walks every
    subscription of every connection when any one connection closes, so
    that bound keeps a disconnection, in whatever loop step it lands, to a
    millisecond or so.
    Linux: a subscriber's connections are found among the process's
    sockets (/proc/self/fd) by their local PUB address and their peer.
    Single-threaded: the broker loop. */
#ifndef DDC_SUBS_H
#define DDC_SUBS_H

#include <czmq.h>
#include <stdbool.h>

#include "refused.h"
#include "zap.h"

#define SUBS_TOPIC_MAX \
    200 /* bytes of a topic; longer messages close
                                      the connection (ZMQ_MAXMSGSIZE)        */
#define SUBS_CURVE_MSG_MAX \
    1024                       /* the same bound on CURVE endpoints, whose
                                      handshake needs more: a client's
                                      INITIATE command is some 300 bytes;
                                      a topic over SUBS_TOPIC_MAX is refused
                                      there and its subscriber disconnected  */
#define SUBS_PER_SUBSCRIBER 32 //  distinct topics of one subscriber
#define SUBS_TOPIC_BYTES_MAX \
    (8 * 1024)                    /* distinct accepted topics that name a
                                      peer, bytes over all subscribers (each
                                      once): a disconnection's CPU follows it */
#define SUBS_SUBSCRIBERS_MAX 4096 //  subscribers tracked at once
#define SUBS_STEP_MS 2            //  one call hands the loop back after this
#define SUBS_STEP_MSGS 256        //  ... or after this many messages
#define SUBS_RCVHWM 16            //  subscriptions libzmq reads ahead per connection
#define SUBS_RECLOSE_MS \
    2 /* a refused subscriber's new connections
                                      are closed again after this at most  */

typedef struct subs_t subs_t;

//  Guard pub (sets its manual mode and bounds; call before binding; the
//  CURVE endpoints are bound after subs_curve); pub_endpoints is the comma
//  list it binds. Refusals go to `refused`; a refused subscriber's new
//  connections are denied by `zap` for its refusal window.
subs_t *subs_new (zsock_t *pub, const char *pub_endpoints, refused_t *refused, zap_t *zap);
void subs_destroy (subs_t **self_p);
//  The bounds of the endpoints bound from now on, which use CURVE.
void subs_curve (subs_t *self);
//  Take every pending (un)subscription from the PUB socket. Returns true
//  when a subscription was accepted (the broker then sends HUGZ).
bool subs_on_readable (subs_t *self);
//  Forget subscribers that have no connection left (every few seconds).
void subs_sweep (subs_t *self);
//  Close the PUB connections whose subscribers do not read (their kernel
//  send queue at least half full), each logged as refused.
void subs_close_stalled (subs_t *self);
//  Subscribers tracked now, and topics accepted in all.
size_t subs_subscribers (subs_t *self);
size_t subs_topics (subs_t *self);
//  Bytes of the distinct accepted topics that name a peer (each once).
size_t subs_topic_bytes (subs_t *self);
//  true when topic is one the protocol documents (a NUL-free string).
bool subs_topic_ok (const char *topic, size_t len);

#endif
