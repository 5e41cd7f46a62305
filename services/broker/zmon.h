/*  zmon: the ZeroMQ events of the broker's own sockets, for monitoring
    tools (proto/ddcp.md section 6, mon/zmq/). Runs libzmq's socket monitor
    (zmq_socket_monitor, libzmq 4.3's first event format) on the CTL and PUB
    sockets and publishes on the PUB socket, as mon/zmq/<socket>/, every
    connection accepted (or an accept that failed), every one closed, every
    handshake that succeeded and every one that failed: its certificate
    refused by the ZAP handler, a protocol error (a client without CURVE on a
    CURVE endpoint, a wrong server key), or no detail (the peer went away).
    libzmq's events name the connection's file descriptor only for accepted
    and closed connections, so the peer's address comes from that
    descriptor (endpoints.h), for a failed handshake from the ZAP handler's
    refusal or from the one connection whose handshake was under way. The
    descriptor is read when the broker takes the event, and its answer kept
    only if libzmq had not queued that connection's closing by then (after
    which the number may be another connection's): a connection that is
    gone before the broker looks has no address, never a wrong one. At
    most ZMON_RATE events a second are published per socket (ZMON_RATE at
    once); the others are counted and summed up once a second in one
    "suppressed" event, so a flood of connections cannot flood the
    subscribers. A failed handshake also goes to the refusals (refused.h).
    Every mon/ message of the broker goes out through zmon_publish (the
    peers' events of mon/peer/ too). Owns the monitor sockets, the address of each open connection (at most
    ZMON_CONNS_MAX), the counts for STATUS. Single-threaded: the broker
    loop. */
#ifndef DDC_ZMON_H
#define DDC_ZMON_H

#include <cJSON.h>
#include <czmq.h>

#include "loopstat.h"
#include "refused.h"
#include "zap.h"

#define ZMON_RATE 20        //  events published a second, per socket
#define ZMON_CONNS_MAX 4096 //  open connections whose address is kept
#define ZMON_QUEUE 10000    //  events libzmq may queue for the broker
#define ZMON_STEP_MS 5      //  one turn of reading hands the loop back
#define ZMON_BATCH 512      //  events read at once, a socket

typedef struct zmon_t zmon_t;

//  Events published on pub (borrowed), read in loop (borrowed), their
//  steps measured in loopstat; zap (may be NULL: no CURVE) names the peers
//  of refused certificates; failed handshakes go to refused; every mon/
//  message sent is counted in *sent too (the broker's metrics).
zmon_t *zmon_new (zloop_t *loop, zsock_t *pub, zap_t *zap, refused_t *refused, loopstat_t *loopstat,
                  uint64_t *sent);
//  Stops the monitors. Before the loop is destroyed, and before the
//  sockets watched.
void zmon_destroy (zmon_t **self_p);
//  Watch sock, named name ("ctl", "pub"), listening on endpoints (the
//  comma list it was bound to). 0, or -1 with why in err.
int zmon_watch (zmon_t *self, zsock_t *sock, const char *name, const char *endpoints, char *err,
                size_t errlen);
//  Publish *body_p on topic, a mon/ one (proto/ddcp.md section 6): the one
//  way the broker's events go out; the body is destroyed and *body_p set
//  to NULL. Nothing is published when self is NULL.
void zmon_publish (zmon_t *self, const char *topic, cJSON **body_p);
//  For STATUS: {"ctl": {EVENT: count, ...}, "pub": {...}, "published",
//  "suppressed", "connections"}. Caller frees.
cJSON *zmon_status (zmon_t *self);

#endif
