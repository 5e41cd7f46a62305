/*  endpoints: the addresses one broker socket listens on (a comma list of
    ipc:// and tcp:// endpoints, as given to --ctl or --pub) and the peer of
    a connection accepted on one of them, read from its file descriptor
    (Linux: getsockname, SO_ACCEPTCONN, SO_PEERCRED on ipc, getpeername on
    tcp). Used to find a subscriber's connections (subs.c) and to name the
    peer of a ZeroMQ socket event (zmon.c). No state beyond the list. */
#ifndef DDC_ENDPOINTS_H
#define DDC_ENDPOINTS_H

#include <stdbool.h>
#include <stddef.h>

#define ENDPOINTS_MAX 8 //  endpoints of each kind looked at

typedef struct endpoints_t endpoints_t;

//  The other end of a connection.
typedef struct {
    bool ipc; //  ipc://: the process; tcp://: the address
    unsigned uid, gid;
    int pid;
    char ip [64]; //  numeric, as libzmq's Peer-Address
    int port;
} endpoints_peer_t;

endpoints_t *endpoints_new (const char *list);
void endpoints_destroy (endpoints_t **self_p);
//  true when fd is a connection (not a listener) to one of the endpoints,
//  with its other end in *peer.
bool endpoints_fd_peer (endpoints_t *self, int fd, endpoints_peer_t *peer);
//  The peer for people: "192.0.2.7:51234", "[2001:db8::7]:51234" or
//  "pid 1234 (uid 1000)", into out[size].
void endpoints_peer_text (const endpoints_peer_t *peer, char *out, size_t size);

#endif
