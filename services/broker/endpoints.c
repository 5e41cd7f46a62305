/*  endpoints: a broker socket's endpoints and the peers of its
    connections. See endpoints.h. */
#include "endpoints.h"
#include "ddc_util.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

struct endpoints_t {
    char *ipc_paths [ENDPOINTS_MAX];
    int nipc;
    int tcp_ports [ENDPOINTS_MAX];
    int ntcp;
};

endpoints_t *
endpoints_new (const char *list)
{
    endpoints_t *self = ddc_calloc (1, sizeof (*self));
    char *copy = ddc_strdup (list ? list : ""), *save = NULL;
    for (char *ep = strtok_r (copy, ",", &save); ep; ep = strtok_r (NULL, ",", &save)) {
        if (strncmp (ep, "ipc://", 6) == 0 && self->nipc < ENDPOINTS_MAX)
            self->ipc_paths [self->nipc++] = ddc_strdup (ep + 6);
        else if (strncmp (ep, "tcp://", 6) == 0 && self->ntcp < ENDPOINTS_MAX) {
            const char *colon = strrchr (ep, ':');
            self->tcp_ports [self->ntcp++] = colon ? atoi (colon + 1) : 0;
        }
    }
    free (copy);
    return self;
}

void
endpoints_destroy (endpoints_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    endpoints_t *self = *self_p;
    for (int i = 0; i < self->nipc; i++)
        free (self->ipc_paths [i]);
    free (self);
    *self_p = NULL;
}

bool
endpoints_fd_peer (endpoints_t *self, int fd, endpoints_peer_t *peer)
{
    memset (peer, 0, sizeof (*peer));
    struct sockaddr_storage local, remote;
    socklen_t llen = sizeof (local), rlen = sizeof (remote);
    int listening = 0;
    socklen_t olen = sizeof (listening);
    if (getsockname (fd, (struct sockaddr *) &local, &llen) < 0
        || getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &olen) < 0 || listening)
        return false;
    if (local.ss_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *) &local;
        bool ours = false;
        for (int i = 0; i < self->nipc && !ours; i++)
            ours = strncmp (un->sun_path, self->ipc_paths [i], sizeof (un->sun_path)) == 0;
        struct ucred cred;
        socklen_t clen = sizeof (cred);
        if (!ours || getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0)
            return false;
        peer->ipc = true;
        peer->uid = (unsigned) cred.uid;
        peer->gid = (unsigned) cred.gid;
        peer->pid = (int) cred.pid;
        return true;
    }
    if (local.ss_family != AF_INET && local.ss_family != AF_INET6)
        return false;
    int port = ntohs (local.ss_family == AF_INET ? ((struct sockaddr_in *) &local)->sin_port
                                                 : ((struct sockaddr_in6 *) &local)->sin6_port);
    bool ours = false;
    for (int i = 0; i < self->ntcp && !ours; i++)
        ours = self->tcp_ports [i] == port;
    char service [16];
    if (!ours || getpeername (fd, (struct sockaddr *) &remote, &rlen) < 0
        || getnameinfo ((struct sockaddr *) &remote, rlen, peer->ip, sizeof (peer->ip), service,
                        sizeof (service), NI_NUMERICHOST | NI_NUMERICSERV)
               != 0)
        return false;
    peer->port = atoi (service);
    return true;
}

void
endpoints_peer_text (const endpoints_peer_t *peer, char *out, size_t size)
{
    if (peer->ipc)
        snprintf (out, size, "pid %d (uid %u)", peer->pid, peer->uid);
    else if (strchr (peer->ip, ':'))
        snprintf (out, size, "[%s]:%d", peer->ip, peer->port);
    else
        snprintf (out, size, "%s:%d", peer->ip, peer->port);
}
