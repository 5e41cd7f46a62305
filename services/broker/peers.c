/*  peers: the peer table. See peers.h. */
#include "peers.h"
#include "ddc_util.h"

#include <string.h>

typedef struct {
    char *req;
    zmsg_t *reply;
} s_answer_t;

struct peer_t {
    char key[512];              /* routing id in hex                        */
    zframe_t *routing;
    char name[320];
    char instance[260];
    const role_t *role;
    int64_t last_seen_ms;       /* monotonic                                */
    int64_t since_wall_ms;      /* first HELLO                              */
    bool connected;
    bool bye;
    uint64_t applied_rev;
    uint64_t applied[DDC_SEC_COUNT];
    cJSON *rejected;            /* null or {section, rev, running_rev, errors, time} */
    cJSON *status;              /* topic -> body                            */
    struct {
        char topic[64];
        size_t bytes;
    } sizes[PEER_TOPICS_MAX];   /* JSON size of each kept body              */
    s_answer_t answers[PEER_REPLIES_MAX];
    int answer_next;
};

struct peers_t {
    zhashx_t *by_key;           /* key -> peer_t (owns)                     */
};

static void
s_peer_destroy (peer_t **peer_p)
{
    peer_t *peer = *peer_p;
    if (!peer)
        return;
    zframe_destroy (&peer->routing);
    cJSON_Delete (peer->rejected);
    cJSON_Delete (peer->status);
    for (int i = 0; i < PEER_REPLIES_MAX; i++) {
        free (peer->answers[i].req);
        zmsg_destroy (&peer->answers[i].reply);
    }
    free (peer);
    *peer_p = NULL;
}

static void
s_key (zframe_t *routing, char key[512])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = zframe_size (routing);
    if (n > 255)
        n = 255;
    const unsigned char *d = zframe_data (routing);
    for (size_t i = 0; i < n; i++) {
        key[2 * i] = hex[d[i] >> 4];
        key[2 * i + 1] = hex[d[i] & 15];
    }
    key[2 * n] = '\0';
}

peers_t *
peers_new (void)
{
    peers_t *self = ddc_calloc (1, sizeof *self);
    self->by_key = zhashx_new ();
    zhashx_set_destructor (self->by_key, (zhashx_destructor_fn *) s_peer_destroy);
    return self;
}

void
peers_destroy (peers_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->by_key);
    free (*self_p);
    *self_p = NULL;
}

peer_t *
peers_by_routing (peers_t *self, zframe_t *routing)
{
    char key[512];
    s_key (routing, key);
    return zhashx_lookup (self->by_key, key);
}

peer_t *
peers_by_name (peers_t *self, const char *name)
{
    for (peer_t *p = zhashx_first (self->by_key); p; p = zhashx_next (self->by_key))
        if (p->connected && strcmp (p->name, name) == 0)
            return p;
    return NULL;
}

static void
s_evict_one (peers_t *self)
{
    peer_t *victim = NULL;
    for (peer_t *p = zhashx_first (self->by_key); p; p = zhashx_next (self->by_key))
        if (!victim || (victim->connected && !p->connected)
            || (victim->connected == p->connected && p->last_seen_ms < victim->last_seen_ms))
            victim = p;
    if (victim)
        zhashx_delete (self->by_key, victim->key);
}

peer_t *
peers_hello (peers_t *self, zframe_t *routing, const role_t *role, const char *instance,
             int64_t now_ms)
{
    char name[320];
    snprintf (name, sizeof name, "%s@%s", role->name, instance);
    char key[512];
    s_key (routing, key);
    /* The name moves to the newest connection; other entries with it go. */
    peer_t *p = zhashx_first (self->by_key);
    while (p) {
        peer_t *next = zhashx_next (self->by_key);
        if (strcmp (p->name, name) == 0 && strcmp (p->key, key) != 0) {
            zhashx_delete (self->by_key, p->key);
            p = zhashx_first (self->by_key);   /* iteration restarts after a delete */
            continue;
        }
        p = next;
    }
    peer_t *peer = zhashx_lookup (self->by_key, key);
    if (peer && strcmp (peer->name, name) != 0) {
        zhashx_delete (self->by_key, key);
        peer = NULL;
    }
    if (!peer) {
        if (zhashx_size (self->by_key) >= PEERS_MAX)
            s_evict_one (self);
        peer = ddc_calloc (1, sizeof *peer);
        memcpy (peer->key, key, sizeof key);
        peer->routing = zframe_dup (routing);
        peer->status = cJSON_CreateObject ();
        peer->since_wall_ms = ddc_wall_ms ();
        zhashx_insert (self->by_key, key, peer);
    }
    peer->role = role;
    ddc_strlcpy (peer->name, name, sizeof peer->name);
    ddc_strlcpy (peer->instance, instance, sizeof peer->instance);
    peer->bye = false;
    peer_touch (peer, now_ms);
    return peer;
}

void
peers_bye (peers_t *self, peer_t *peer)
{
    /* Operator tools come and go with every command: forget them. Services
       stay listed as disconnected, which is what an operator wants to see. */
    if (strcmp (peer->role->name, "ctl") == 0 || strcmp (peer->role->name, "monitor") == 0) {
        zhashx_delete (self->by_key, peer->key);
        return;
    }
    peer->connected = false;
    peer->bye = true;
}

int
peers_sweep (peers_t *self, int64_t now_ms)
{
    int gone = 0;
    for (peer_t *p = zhashx_first (self->by_key); p; p = zhashx_next (self->by_key))
        if (p->connected && now_ms - p->last_seen_ms > PEER_IDLE_MS) {
            p->connected = false;
            gone++;
        }
    return gone;
}

cJSON *
peers_table (peers_t *self, int64_t now_ms)
{
    cJSON *rows = cJSON_CreateArray ();
    for (peer_t *p = zhashx_first (self->by_key); p; p = zhashx_next (self->by_key)) {
        cJSON *row = cJSON_CreateObject ();
        cJSON_AddStringToObject (row, "name", p->name);
        cJSON_AddStringToObject (row, "role", p->role->name);
        cJSON_AddStringToObject (row, "instance", p->instance);
        cJSON_AddBoolToObject (row, "connected", p->connected);
        cJSON_AddNumberToObject (row, "last_seen_ms", (double) (now_ms - p->last_seen_ms));
        char since[32];
        ddc_iso_time (p->since_wall_ms, since);
        cJSON_AddStringToObject (row, "since", since);
        cJSON_AddNumberToObject (row, "applied_rev", (double) p->applied_rev);
        cJSON *applied = cJSON_AddObjectToObject (row, "applied");
        for (int s = 0; s < DDC_SEC_COUNT; s++)
            if (p->applied[s])
                cJSON_AddNumberToObject (applied, ddc_section_name ((ddc_section_t) s),
                                         (double) p->applied[s]);
        cJSON_AddItemToObject (row, "rejected",
                               p->rejected ? cJSON_Duplicate (p->rejected, 1) : cJSON_CreateNull ());
        cJSON_AddItemToObject (row, "status", cJSON_Duplicate (p->status, 1));
        cJSON_AddItemToArray (rows, row);
    }
    return rows;
}

zframe_t *peer_routing (peer_t *peer) { return peer->routing; }
const char *peer_name (peer_t *peer) { return peer->name; }
const role_t *peer_role (peer_t *peer) { return peer->role; }

void
peer_touch (peer_t *peer, int64_t now_ms)
{
    peer->last_seen_ms = now_ms;
    if (!peer->bye)
        peer->connected = true;
}

void
peer_applied (peer_t *peer, ddc_section_t s, uint64_t rev)
{
    if (rev > peer->applied[s])
        peer->applied[s] = rev;
    if (rev > peer->applied_rev)
        peer->applied_rev = rev;
    /* A later revision of the rejected section clears the rejection. */
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive (peer->rejected, "section");
    const cJSON *rrev = cJSON_GetObjectItemCaseSensitive (peer->rejected, "rev");
    if (cJSON_IsString (sec) && strcmp (sec->valuestring, ddc_section_name (s)) == 0
        && cJSON_IsNumber (rrev) && (double) rev >= rrev->valuedouble) {
        cJSON_Delete (peer->rejected);
        peer->rejected = NULL;
    }
}

void
peer_applied_rev (peer_t *peer, uint64_t rev)
{
    if (rev > peer->applied_rev)
        peer->applied_rev = rev;
}

void
peer_rejected (peer_t *peer, ddc_section_t s, uint64_t rev, uint64_t running, cJSON **errors_p)
{
    cJSON_Delete (peer->rejected);
    peer->rejected = cJSON_CreateObject ();
    cJSON_AddStringToObject (peer->rejected, "section", ddc_section_name (s));
    cJSON_AddNumberToObject (peer->rejected, "rev", (double) rev);
    cJSON_AddNumberToObject (peer->rejected, "running_rev", (double) running);
    cJSON_AddItemToObject (peer->rejected, "errors", *errors_p);
    *errors_p = NULL;
    char when[32];
    ddc_iso_time (ddc_wall_ms (), when);
    cJSON_AddStringToObject (peer->rejected, "time", when);
}

int
peer_status (peer_t *peer, const char *topic, const cJSON *body, size_t bytes)
{
    int slot = -1, free_slot = -1;
    size_t total = 0;
    for (int i = 0; i < PEER_TOPICS_MAX; i++) {
        if (!peer->sizes[i].topic[0]) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (strcmp (peer->sizes[i].topic, topic) == 0)
            slot = i;
        else
            total += peer->sizes[i].bytes;
    }
    if (slot < 0)
        slot = free_slot;
    if (slot < 0 || strlen (topic) >= sizeof peer->sizes[0].topic
        || total + bytes > PEER_STATUS_MAX_BYTES)
        return -1;
    ddc_strlcpy (peer->sizes[slot].topic, topic, sizeof peer->sizes[slot].topic);
    peer->sizes[slot].bytes = bytes;
    cJSON *copy = cJSON_Duplicate (body, 1);
    if (cJSON_GetObjectItemCaseSensitive (peer->status, topic))
        cJSON_ReplaceItemInObjectCaseSensitive (peer->status, topic, copy);
    else
        cJSON_AddItemToObject (peer->status, topic, copy);
    return 0;
}

void
peer_remember (peer_t *peer, const char *req, zmsg_t *reply)
{
    s_answer_t *a = &peer->answers[peer->answer_next];
    peer->answer_next = (peer->answer_next + 1) % PEER_REPLIES_MAX;
    free (a->req);
    zmsg_destroy (&a->reply);
    a->req = ddc_strdup (req);
    a->reply = zmsg_dup (reply);
}

zmsg_t *
peer_recall (peer_t *peer, const char *req)
{
    for (int i = 0; i < PEER_REPLIES_MAX; i++)
        if (peer->answers[i].req && strcmp (peer->answers[i].req, req) == 0)
            return zmsg_dup (peer->answers[i].reply);
    return NULL;
}
