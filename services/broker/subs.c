/*  subs: the PUB subscription guard. See subs.h. */
#include "subs.h"
#include "endpoints.h"
#include "roles.h"

#include "ddc_config.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <dirent.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *key;         //  User-Id|Peer-Address
    char *address;     //  Peer-Address as libzmq gives it
    zhashx_t *topics;  //  accepted topics (values unused)
    bool closing;      //  over its limit: its connections close
    int64_t closed_ms; //  when they were last closed
} s_subscriber_t;

struct subs_t {
    zsock_t *pub;
    refused_t *refused;
    zap_t *zap;
    zhashx_t *subscribers;  //  key -> s_subscriber_t
    size_t topics;          //  accepted, over all subscribers
    zhashx_t *distinct;     //  accepted topic -> how many subscribers hold it
    size_t topic_bytes;     //  of the distinct topics
    endpoints_t *endpoints; //  where the PUB socket listens
};

static void
s_subscriber_destroy (s_subscriber_t **sub_p)
{
    s_subscriber_t *sub = *sub_p;
    if (!sub)
        return;
    free (sub->key);
    free (sub->address);
    zhashx_destroy (&sub->topics);
    free (sub);
    *sub_p = NULL;
}

subs_t *
subs_new (zsock_t *pub, const char *pub_endpoints, refused_t *refused, zap_t *zap)
{
    subs_t *self = ddc_calloc (1, sizeof (*self));
    self->pub = pub;
    self->refused = refused;
    self->zap = zap;
    self->subscribers = zhashx_new ();
    zhashx_set_destructor (self->subscribers, (zhashx_destructor_fn *) s_subscriber_destroy);
    zsock_set_xpub_manual (pub, 1);
    zsock_set_maxmsgsize (pub, 1 + SUBS_TOPIC_MAX);
    self->distinct = zhashx_new ();
    zsock_set_rcvhwm (pub, SUBS_RCVHWM);
    self->endpoints = endpoints_new (pub_endpoints);
    return self;
}

void
subs_destroy (subs_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    subs_t *self = *self_p;
    zhashx_destroy (&self->subscribers);
    zhashx_destroy (&self->distinct);
    endpoints_destroy (&self->endpoints);
    free (self);
    *self_p = NULL;
}

//  A name of [A-Za-z0-9._@:,-] (no '/'), 1..max bytes.
static bool
s_part_ok (const char *s, size_t len, size_t max)
{
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s [i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || strchr ("._@:,-", c)))
            return false;
    }
    return true;
}

//  A peer name ROLE@INSTANCE of len bytes: a known role, an instance.
static bool
s_peer_ok (const char *peer, size_t len)
{
    const char *at = memchr (peer, '@', len);
    if (!at || !s_part_ok (peer, len, SUBS_TOPIC_MAX))
        return false;
    char role [16];
    if ((size_t) (at - peer) >= sizeof (role))
        return false;
    memcpy (role, peer, (size_t) (at - peer));
    role [at - peer] = '\0';
    return role_find (role) && at + 1 < peer + len;
}

bool
subs_topic_ok (const char *topic, size_t len)
{
    if (len > SUBS_TOPIC_MAX || strlen (topic) != len)
        return false;
    if (len == 0 || strcmp (topic, "hugz/") == 0 || strcmp (topic, "cfg/") == 0
        || strcmp (topic, "status/") == 0)
        return true;
    if (strncmp (topic, "cfg/", 4) == 0) {
        char name [32];
        size_t n = len - 4;
        if (n < 2 || n >= sizeof (name) || topic [len - 1] != '/')
            return false;
        memcpy (name, topic + 4, n - 1);
        name [n - 1] = '\0';
        return ddc_section_from_name (name) >= 0;
    }
    //  The broker's events: mon/, mon/peer/, mon/peer/ROLE@INSTANCE/,
    //  mon/zmq/, mon/zmq/ctl/, mon/zmq/pub/.
    if (strcmp (topic, "mon/") == 0 || strcmp (topic, "mon/peer/") == 0
        || strcmp (topic, "mon/zmq/") == 0 || strcmp (topic, "mon/zmq/ctl/") == 0
        || strcmp (topic, "mon/zmq/pub/") == 0)
        return true;
    const char *peer;
    if (strncmp (topic, "mon/peer/", 9) == 0 && topic [len - 1] == '/') {
        peer = topic + 9;
        const char *slash = strchr (peer, '/');
        return slash [1] == '\0' && s_peer_ok (peer, (size_t) (slash - peer));
    }
    if (strncmp (topic, "status/", 7) != 0 || topic [len - 1] != '/')
        return false;
    //  status/ROLE@INSTANCE/ or status/ROLE@INSTANCE/TOPIC/
    peer = topic + 7;
    const char *slash = strchr (peer, '/');
    if (!s_peer_ok (peer, (size_t) (slash - peer)))
        return false;
    const char *rest = slash + 1;
    if (!*rest)
        return true;
    const char *end = strchr (rest, '/');
    return end && end [1] == '\0' && s_part_ok (rest, (size_t) (end - rest), 63);
}

//  The peer of fd when it is a connection to one of our PUB endpoints, in
//  the form libzmq gives as Peer-Address (the IP on tcp) or its tail on ipc
//  (":uid:gid:pid" of "host:uid:gid:pid"); false otherwise.
static bool
s_fd_peer (subs_t *self, int fd, char *out, size_t size)
{
    endpoints_peer_t peer;
    if (!endpoints_fd_peer (self->endpoints, fd, &peer))
        return false;
    if (peer.ipc)
        snprintf (out, size, ":%u:%u:%d", peer.uid, peer.gid, peer.pid);
    else
        snprintf (out, size, "%s", peer.ip);
    return true;
}

//  true when a Peer-Address is that fd peer (s_fd_peer's form).
static bool
s_same_peer (const char *address, const char *fd_peer)
{
    if (fd_peer [0] != ':')
        return strcmp (address, fd_peer) == 0;
    size_t n = strlen (address), t = strlen (fd_peer);
    return n >= t && strcmp (address + n - t, fd_peer) == 0;
}

//  Throw away what a closed connection still has queued in the kernel
//  (after shutdown the sender can add nothing): libzmq would otherwise read
//  it, record every subscription in it (one trie node per byte of a topic),
//  and free that record in one piece when the connection ends. A flood of a
//  few thousand long topics made that one step of some 20-40 ms of CPU.
static void
s_discard_queued (int fd)
{
    char buf [16384];
    for (int i = 0; i < 256 && recv (fd, buf, sizeof (buf), MSG_DONTWAIT) > 0; i++)
        ;
}

//  Is fd's kernel send queue at least half full (a reader that does not
//  read)?
static bool
s_stalled (int fd)
{
    int queued = 0, sndbuf = 0;
    socklen_t len = sizeof (sndbuf);
    if (ioctl (fd, SIOCOUTQ, &queued) < 0
        || getsockopt (fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) < 0)
        return false;
    return sndbuf > 0 && (size_t) queued * 2 >= (size_t) sndbuf;
}

//  Walk our PUB connections: close those from `address` (when given), or
//  those that do not read (`stalled`, each reported to `refused`), and put
//  every peer seen in `seen` (when given).
static void
s_connections (subs_t *self, const char *address, bool stalled, zhashx_t *seen)
{
    DIR *dir = opendir ("/proc/self/fd");
    if (!dir)
        return;
    struct dirent *de;
    while ((de = readdir (dir))) {
        char *end = NULL;
        long fd = strtol (de->d_name, &end, 10);
        struct stat st;
        char peer [NI_MAXHOST];
        if (!end || *end || fd < 0 || fd == dirfd (dir) || fstat ((int) fd, &st) < 0
            || !S_ISSOCK (st.st_mode) || !s_fd_peer (self, (int) fd, peer, sizeof (peer)))
            continue;
        if (seen)
            zhashx_update (seen, peer, (void *) 1);
        //  libzmq sees the end of the stream and closes the connection, and
        //  its record of the subscriptions and its queue, itself.
        if ((address && s_same_peer (address, peer)) || (stalled && s_stalled ((int) fd))) {
            shutdown ((int) fd, SHUT_RDWR);
            s_discard_queued ((int) fd);
            if (stalled)
                refused_add (self->refused, peer, NULL,
                             "a subscriber that does not read: "
                             "published messages queued over the broker's bound; "
                             "disconnected");
        }
    }
    closedir (dir);
}

//  Bytes topic counts against SUBS_TOPIC_BYTES_MAX: those naming a peer
//  (status/PEER/..., mon/peer/PEER/); the fixed topics are a few hundred
//  bytes in all and are never refused for room.
static size_t
s_open_bytes (const char *topic)
{
    size_t len = strlen (topic);
    bool named = (strncmp (topic, "status/", 7) == 0 && len > 7)
                 || (strncmp (topic, "mon/peer/", 9) == 0 && len > 9);
    return named ? len : 0;
}

//  A subscriber takes topic, or lets it go: the distinct topics' count.
static void
s_hold (subs_t *self, s_subscriber_t *sub, const char *topic)
{
    zhashx_insert (sub->topics, topic, (void *) 1);
    self->topics++;
    uintptr_t n = (uintptr_t) zhashx_lookup (self->distinct, topic);
    if (n == 0)
        self->topic_bytes += s_open_bytes (topic);
    zhashx_update (self->distinct, topic, (void *) (n + 1));
}

static void
s_release (subs_t *self, const char *topic)
{
    uintptr_t n = (uintptr_t) zhashx_lookup (self->distinct, topic);
    self->topics--;
    if (n > 1)
        zhashx_update (self->distinct, topic, (void *) (n - 1));
    else {
        self->topic_bytes -= s_open_bytes (topic);
        zhashx_delete (self->distinct, topic);
    }
}

static void
s_refuse (subs_t *self, s_subscriber_t *sub, const char *user_id, const char *why)
{
    if (!sub->closing) {
        //  Its new connections are denied at the handshake for a while:
        //  they never reach the PUB socket, which costs the loop nothing.
        int64_t window = zap_refuse (self->zap, user_id, sub->address);
        char *reason = ddc_asprintf ("subscription refused: %s; the subscriber is disconnected "
                                     "and its connections refused for %lld s",
                                     why, (long long) (window / 1000));
        refused_add (self->refused, sub->address, user_id, reason);
        free (reason);
    }
    sub->closing = true;
    sub->closed_ms = ddc_mono_ms ();
    s_connections (self, sub->address, false, NULL);
}

void
subs_curve (subs_t *self)
{
    //  libzmq takes the bound at bind time: the local endpoints keep the
    //  smaller one (with a larger one, 20,000 subscriptions of 200 bytes
    //  from one process grow the broker by some 100 MB)
    zsock_set_maxmsgsize (self->pub, SUBS_CURVE_MSG_MAX);
}

bool
subs_on_readable (subs_t *self)
{
    bool accepted = false;
    void *handle = zsock_resolve (self->pub);
    int64_t begin = ddc_mono_ms ();
    for (int budget = 0; budget < SUBS_STEP_MSGS && (zsock_events (self->pub) & ZMQ_POLLIN)
                         && ddc_mono_ms () - begin < SUBS_STEP_MS;
         budget++) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (zmq_msg_recv (&msg, handle, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&msg);
            break;
        }
        const unsigned char *data = zmq_msg_data (&msg);
        size_t size = zmq_msg_size (&msg);
        const char *address = zmq_msg_gets (&msg, "Peer-Address");
        const char *user_id = zmq_msg_gets (&msg, "User-Id");
        if (size < 1 || (data [0] != 0 && data [0] != 1) || !address) {
            //  Unsubscriptions of a closed connection come without a peer:
            //  libzmq has already dropped its subscriptions.
            zmq_msg_close (&msg);
            continue;
        }
        bool subscribe = data [0] == 1;
        char topic [SUBS_TOPIC_MAX + 1];
        size_t len = size - 1 > SUBS_TOPIC_MAX ? SUBS_TOPIC_MAX : size - 1;
        memcpy (topic, data + 1, len);
        topic [len] = '\0';
        char *key = ddc_asprintf ("%s|%s", user_id ? user_id : "", address);
        s_subscriber_t *sub = zhashx_lookup (self->subscribers, key);
        if (!sub && subscribe) {
            if (zhashx_size (self->subscribers) >= SUBS_SUBSCRIBERS_MAX)
                subs_sweep (self);
            sub = ddc_calloc (1, sizeof (*sub));
            sub->key = ddc_strdup (key);
            sub->address = ddc_strdup (address);
            sub->topics = zhashx_new ();
            zhashx_insert (self->subscribers, key, sub);
        }
        free (key);
        if (sub && sub->closing && !zap_refusing (self->zap, user_id, sub->address))
            sub->closing = false; //  its refusal window is over: a new start
        if (!subscribe) {
            if (sub && zhashx_lookup (sub->topics, topic)) {
                s_release (self, topic);
                zhashx_delete (sub->topics, topic);
            }
            zmq_setsockopt (handle, ZMQ_UNSUBSCRIBE, topic, strlen (topic));
        }
        else if (sub->closing) {
            //  What its closed connections still had queued, or a new one:
            //  closed again, at most once per SUBS_RECLOSE_MS (a walk of our
            //  sockets). Soon, since libzmq records every topic a
            //  connection sends, and frees the record in one piece.
            if (ddc_mono_ms () - sub->closed_ms >= SUBS_RECLOSE_MS) {
                sub->closed_ms = ddc_mono_ms ();
                s_connections (self, sub->address, false, NULL);
            }
        }
        else if (!subs_topic_ok (topic, size - 1))
            s_refuse (self, sub, user_id, "not a topic of the protocol");
        else if (zhashx_lookup (sub->topics, topic)) {
            zmq_setsockopt (handle, ZMQ_SUBSCRIBE, topic,
                            strlen (topic)); //  another connection of it
            accepted = true;
        }
        else if (zhashx_size (sub->topics) >= SUBS_PER_SUBSCRIBER)
            s_refuse (self, sub, user_id, "more than 32 topics");
        else if (!zhashx_lookup (self->distinct, topic)
                 && self->topic_bytes + s_open_bytes (topic) > SUBS_TOPIC_BYTES_MAX)
            s_refuse (self, sub, user_id,
                      "the broker holds 8 KiB of distinct topics over all subscribers");
        else {
            s_hold (self, sub, topic);
            zmq_setsockopt (handle, ZMQ_SUBSCRIBE, topic, strlen (topic));
            accepted = true;
        }
        zmq_msg_close (&msg);
    }
    return accepted;
}

//  The ipc form of a Peer-Address ("host:uid:gid:pid" -> ":uid:gid:pid").
static const char *
s_ipc_tail (const char *address)
{
    const char *p = address + strlen (address);
    for (int colons = 0; p > address; p--)
        if (p [-1] == ':' && ++colons == 3)
            return p - 1;
    return address;
}

void
subs_sweep (subs_t *self)
{
    zhashx_t *seen = zhashx_new ();
    s_connections (self, NULL, false, seen);
    zlistx_t *keys = zhashx_keys (self->subscribers);
    for (char *key = zlistx_first (keys); key; key = zlistx_next (keys)) {
        s_subscriber_t *sub = zhashx_lookup (self->subscribers, key);
        if (!zhashx_lookup (seen, sub->address) && !zhashx_lookup (seen, s_ipc_tail (sub->address))) {
            for (void *one = zhashx_first (sub->topics); one; one = zhashx_next (sub->topics))
                s_release (self, zhashx_cursor (sub->topics));
            zhashx_delete (self->subscribers, key);
        }
    }
    zlistx_destroy (&keys);
    zhashx_destroy (&seen);
}

void
subs_close_stalled (subs_t *self)
{
    s_connections (self, NULL, true, NULL);
}

size_t
subs_subscribers (subs_t *self)
{
    return zhashx_size (self->subscribers);
}
size_t
subs_topics (subs_t *self)
{
    return self->topics;
}
size_t
subs_topic_bytes (subs_t *self)
{
    return self->topic_bytes;
}
