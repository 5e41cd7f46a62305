/*  outq: the bytes the broker has handed to libzmq and libzmq has not yet
    written to a connection (or dropped), per CTL connection and for the
    PUB socket. libzmq bounds its queues by message count only; a message
    sent through outq carries a release callback that libzmq's I/O thread
    calls when it is done with the message, so the count is exact: replies
    to a connection are refused once its queued bytes would pass
    OUTQ_REPLY_MAX, and the PUB socket's queued bytes are known (the broker
    disconnects subscribers that do not read when they pass OUTQ_PUB_MAX).
    Frames under OUTQ_SMALL bytes go as plain copies (libzmq's count bound
    covers them). The counts are atomics shared with libzmq's I/O thread;
    everything else is the broker loop's. */
#ifndef DDC_OUTQ_H
#define DDC_OUTQ_H

#include <czmq.h>
#include <stddef.h>

#define OUTQ_REPLY_MAX (4u << 20) //  bytes of replies queued per CTL connection
#define OUTQ_PUB_MAX (8u << 20)   //  bytes of published messages queued
#define OUTQ_SMALL 1024

typedef struct outq_t outq_t;

outq_t *outq_new (void);
void outq_destroy (outq_t **self_p);

//  Send *zmsg_p (destroyed, set to NULL) through ROUTER socket sock to the
//  connection with routing id `to`. 0 when libzmq took it; -1 with errno
//  ENOBUFS when the connection's queued bytes would pass OUTQ_REPLY_MAX, or
//  libzmq's errno (EAGAIN: its queue is full; EHOSTUNREACH: gone).
int outq_send_to (outq_t *self, zsock_t *sock, zframe_t *to, zmsg_t **zmsg_p);
//  Publish *zmsg_p (destroyed, set to NULL) on PUB socket sock; 0 or -1
//  (libzmq's errno).
int outq_publish (outq_t *self, zsock_t *sock, zmsg_t **zmsg_p);
//  Bytes queued now: of published messages; of replies, all connections.
size_t outq_pub_bytes (outq_t *self);
size_t outq_reply_bytes (outq_t *self);
//  Forget the connections that have nothing queued.
void outq_sweep (outq_t *self);

#endif
