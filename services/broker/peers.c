/*  peers: the peer table. See peers.h. A peer's names are its own strings
    and its reports and remembered answers arrays grown as they come (a
    peer that never sends a report or retries keeps none of their room). */
#include "peers.h"
#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

#define S_TOPIC_MAX 64 //  bytes of a report's topic, NUL included

typedef struct {
    char *req;
    zmsg_t *reply;
    size_t bytes;
} s_answer_t;

typedef struct {
    char topic [S_TOPIC_MAX]; //  "" = free slot
    char *body;               //  JSON text as received
    size_t len;
    int64_t wall_ms;
} s_report_t;

struct peer_t {
    peers_t *table; //  the table it is in
    char *key;      //  routing id in hex
    zframe_t *routing;
    char *name; //  role@instance
    char *instance;
    const role_t *role;
    int64_t last_seen_ms;  //  monotonic
    int64_t since_wall_ms; //  first HELLO
    bool connected;
    bool bye;
    uint64_t applied_rev;
    uint64_t applied [DDC_SEC_COUNT];
    cJSON *rejected;     //  null or {section, rev, running_rev, errors, time}
    s_report_t *reports; //  slots, grown to PEER_TOPICS_MAX
    int report_slots;
    size_t report_bytes;
    s_answer_t *answers; //  the oldest first, at most PEER_REPLIES_MAX
    int answer_n, answer_cap;
    size_t answer_bytes;
};

struct peers_t {
    zhashx_t *by_key;    //  key -> peer_t (owns)
    size_t report_bytes; //  kept reports of all peers
    peers_link_fn *on_link;
    void *link_arg;
};

void
peers_on_link (peers_t *self, peers_link_fn *fn, void *arg)
{
    self->on_link = fn;
    self->link_arg = arg;
}

//  Set a peer's connected flag; the hook hears of every change, and of
//  every HELLO (a new process may hold the name).
static void
s_link (peer_t *peer, bool connected, const char *reason)
{
    bool changed = peer->connected != connected;
    peer->connected = connected;
    peers_t *t = peer->table;
    if (t->on_link && (changed || strcmp (reason, "hello") == 0))
        t->on_link (t->link_arg, peer, connected, reason);
}

static void
s_peer_destroy (peer_t **peer_p)
{
    peer_t *peer = *peer_p;
    if (!peer)
        return;
    zframe_destroy (&peer->routing);
    peer->table->report_bytes -= peer->report_bytes;
    cJSON_Delete (peer->rejected);
    for (int i = 0; i < peer->report_slots; i++)
        free (peer->reports [i].body);
    free (peer->reports);
    for (int i = 0; i < peer->answer_n; i++) {
        free (peer->answers [i].req);
        zmsg_destroy (&peer->answers [i].reply);
    }
    free (peer->answers);
    free (peer->key);
    free (peer->name);
    free (peer->instance);
    free (peer);
    *peer_p = NULL;
}

static void
s_key (zframe_t *routing, char key [512])
{
    static const char hex [] = "0123456789abcdef";
    size_t n = zframe_size (routing);
    if (n > 255)
        n = 255;
    const unsigned char *d = zframe_data (routing);
    for (size_t i = 0; i < n; i++) {
        key [2 * i] = hex [d [i] >> 4];
        key [2 * i + 1] = hex [d [i] & 15];
    }
    key [2 * n] = '\0';
}

peers_t *
peers_new (void)
{
    peers_t *self = ddc_calloc (1, sizeof (*self));
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
    char key [512];
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

static bool
s_quiet (const peer_t *p, int64_t now_ms)
{
    return p->bye || now_ms - p->last_seen_ms > PEER_IDLE_MS;
}

peer_t *
peers_holder (peers_t *self, zframe_t *routing, const char *name, int64_t now_ms)
{
    char key [512];
    s_key (routing, key);
    for (peer_t *p = zhashx_first (self->by_key); p; p = zhashx_next (self->by_key))
        if (strcmp (p->name, name) == 0 && strcmp (p->key, key) != 0 && !s_quiet (p, now_ms))
            return p;
    return NULL;
}

peer_t *
peers_hello (peers_t *self, zframe_t *routing, const role_t *role, const char *instance,
             int64_t now_ms)
{
    char name [320];
    snprintf (name, sizeof (name), "%s@%s", role->name, instance);
    char key [512];
    s_key (routing, key);
    //  The name moves to this connection; the entries of its quiet former
    //  holders go (the broker refuses the HELLO while one is not quiet).
    peer_t *p = zhashx_first (self->by_key);
    while (p) {
        peer_t *next = zhashx_next (self->by_key);
        if (strcmp (p->name, name) == 0 && strcmp (p->key, key) != 0) {
            zhashx_delete (self->by_key, p->key);
            p = zhashx_first (self->by_key); //  iteration restarts after a delete
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
        peer = ddc_calloc (1, sizeof (*peer));
        peer->table = self;
        peer->key = ddc_strdup (key);
        peer->name = ddc_strdup (name);
        peer->instance = ddc_strdup (instance);
        peer->routing = zframe_dup (routing);
        peer->since_wall_ms = ddc_wall_ms ();
        zhashx_insert (self->by_key, key, peer);
    }
    peer->role = role; //  (its name and instance are those of the entry)
    peer->bye = false;
    peer->last_seen_ms = now_ms;
    s_link (peer, true, "hello");
    return peer;
}

static void
s_drop_reports (peer_t *peer)
{
    for (int i = 0; i < peer->report_slots; i++)
        free (peer->reports [i].body);
    free (peer->reports);
    peer->reports = NULL;
    peer->report_slots = 0;
    peer->table->report_bytes -= peer->report_bytes;
    peer->report_bytes = 0;
}

void
peers_bye (peers_t *self, peer_t *peer)
{
    //  Operator tools come and go with every command: forget them. Services
    //  stay listed as disconnected, which is what an operator wants to see.
    s_link (peer, false, "bye");
    if (strcmp (peer->role->name, "ctl") == 0 || strcmp (peer->role->name, "monitor") == 0) {
        zhashx_delete (self->by_key, peer->key);
        return;
    }
    peer->bye = true;
    s_drop_reports (peer);
}

int
peers_sweep (peers_t *self, int64_t now_ms)
{
    int gone = 0;
    for (peer_t *p = zhashx_first (self->by_key); p; p = zhashx_next (self->by_key)) {
        if (p->connected && now_ms - p->last_seen_ms > PEER_IDLE_MS) {
            s_link (p, false, "quiet");
            gone++;
        }
        if (!p->connected && p->report_bytes && now_ms - p->last_seen_ms > PEER_REPORTS_KEEP_MS)
            s_drop_reports (p);
    }
    return gone;
}

static int
s_by_name (const void *a, const void *b)
{
    const peer_t *pa = *(const peer_t *const *) a, *pb = *(const peer_t *const *) b;
    int c = strcmp (pa->name, pb->name);
    return c ? c : strcmp (pa->key, pb->key);
}

//  One row of the table as JSON text into t (the table is built with few
//  copies: a page can hold a megabyte of reports); its report bodies, when full,
//  go in as they came (they were checked as JSON then; topics are names).
static void
s_row (ddc_buf_t *t, const peer_t *p, int64_t now_ms, bool full)
{
    cJSON *row = cJSON_CreateObject ();
    cJSON_AddStringToObject (row, "name", p->name);
    cJSON_AddStringToObject (row, "role", p->role->name);
    cJSON_AddStringToObject (row, "instance", p->instance);
    cJSON_AddBoolToObject (row, "connected", p->connected);
    cJSON_AddNumberToObject (row, "last_seen_ms", (double) (now_ms - p->last_seen_ms));
    char when [32];
    ddc_iso_time (p->since_wall_ms, when);
    cJSON_AddStringToObject (row, "since", when);
    cJSON_AddNumberToObject (row, "applied_rev", (double) p->applied_rev);
    cJSON *applied = cJSON_AddObjectToObject (row, "applied");
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        if (p->applied [s])
            cJSON_AddNumberToObject (applied, ddc_section_name ((ddc_section_t) s),
                                     (double) p->applied [s]);
    cJSON_AddItemToObject (row, "rejected",
                           p->rejected ? cJSON_Duplicate (p->rejected, 1) : cJSON_CreateNull ());
    cJSON *reports = cJSON_AddObjectToObject (row, "reports");
    for (int i = 0; i < p->report_slots; i++) {
        const s_report_t *r = &p->reports [i];
        if (!r->topic [0])
            continue;
        cJSON *sum = cJSON_AddObjectToObject (reports, r->topic);
        cJSON_AddNumberToObject (sum, "bytes", (double) r->len);
        ddc_iso_time (r->wall_ms, when);
        cJSON_AddStringToObject (sum, "time", when);
    }
    char *text = ddc_json_print (row);
    cJSON_Delete (row);
    size_t len = strlen (text);
    if (!full) {
        ddc_buf_add (t, text, len);
        free (text);
        return;
    }
    ddc_buf_add (t, text, len - 1); //  without its closing brace
    free (text);
    ddc_buf_puts (t, ",\"status\":{");
    bool first = true;
    for (int i = 0; i < p->report_slots; i++) {
        const s_report_t *r = &p->reports [i];
        if (!r->topic [0])
            continue;
        ddc_buf_puts (t, first ? "\"" : ",\"");
        ddc_buf_puts (t, r->topic);
        ddc_buf_puts (t, "\":");
        ddc_buf_add (t, r->body, r->len);
        first = false;
    }
    ddc_buf_puts (t, "}}");
}

//  true when one of the comma-separated patterns matches name.
static bool
s_full (const char *patterns, const char *name)
{
    char *copy = ddc_strdup (patterns), *save = NULL;
    bool ok = false;
    for (char *p = strtok_r (copy, ",", &save); p && !ok; p = strtok_r (NULL, ",", &save))
        ok = ddc_name_matches (p, name);
    free (copy);
    return ok;
}

//  The bytes a row takes at most beyond its summary: its report bodies.
static size_t
s_row_bodies (const peer_t *p)
{
    return p->report_bytes + 80 * PEER_TOPICS_MAX;
}

void
peers_table (peers_t *self, ddc_buf_t *t, int64_t now_ms, size_t offset, const char *full,
             size_t budget, size_t *total_p, size_t *next_p)
{
    size_t total = zhashx_size (self->by_key), n = 0;
    peer_t **all = ddc_calloc (total ? total : 1, sizeof (*all));
    for (peer_t *p = zhashx_first (self->by_key); p && n < total; p = zhashx_next (self->by_key))
        all [n++] = p;
    qsort (all, n, sizeof (*all), s_by_name);
    size_t base = ddc_buf_len (t);
    ddc_buf_puts (t, "[");
    size_t i = offset;
    for (; i < n; i++) {
        size_t mark = ddc_buf_len (t);
        if (i > offset)
            ddc_buf_puts (t, ",");
        bool with = full && s_full (full, all [i]->name);
        //  A row that cannot fit waits for the next page (unless it is the
        //  first of this one); the check is exact once it is written.
        if (i > offset && with
            && ddc_buf_len (t) - base + s_row_bodies (all [i]) > budget + 64 * 1024) {
            ddc_buf_truncate (t, mark);
            break;
        }
        s_row (t, all [i], now_ms, with);
        if (i > offset && ddc_buf_len (t) - base + 1 > budget) {
            ddc_buf_truncate (t, mark);
            break;
        }
    }
    ddc_buf_puts (t, "]");
    free (all);
    *total_p = n;
    *next_p = i < n ? i : n;
}

size_t
peers_count (peers_t *self)
{
    return zhashx_size (self->by_key);
}

size_t
peers_connected (peers_t *self, const role_t *role)
{
    size_t n = 0;
    for (peer_t *p = zhashx_first (self->by_key); p; p = zhashx_next (self->by_key))
        n += p->connected && p->role == role;
    return n;
}

size_t
peers_bytes (peers_t *self)
{
    size_t bytes = 0;
    for (peer_t *p = zhashx_first (self->by_key); p; p = zhashx_next (self->by_key))
        bytes += p->report_bytes + p->answer_bytes;
    return bytes;
}

zframe_t *
peer_routing (peer_t *peer)
{
    return peer->routing;
}
const char *
peer_name (peer_t *peer)
{
    return peer->name;
}
const role_t *
peer_role (peer_t *peer)
{
    return peer->role;
}

void
peer_touch (peer_t *peer, int64_t now_ms)
{
    peer->last_seen_ms = now_ms;
    if (!peer->bye && !peer->connected)
        s_link (peer, true, "back");
}

void
peer_applied (peer_t *peer, ddc_section_t s, uint64_t rev)
{
    if (rev > peer->applied [s])
        peer->applied [s] = rev;
    if (rev > peer->applied_rev)
        peer->applied_rev = rev;
    //  A later revision of the rejected section clears the rejection.
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
    //  The peer's errors, cut to a bounded size: the first ones that fit.
    cJSON *errors = *errors_p, *kept = cJSON_CreateArray ();
    *errors_p = NULL;
    size_t used = 2;
    int dropped = 0;
    cJSON *e;
    cJSON_ArrayForEach (e, errors) {
        char *text = ddc_json_print (e);
        size_t len = text ? strlen (text) + 1 : 0;
        free (text);
        if (!text || used + len > PEER_REJECTED_MAX_BYTES) {
            dropped++;
            continue;
        }
        used += len;
        cJSON_AddItemToArray (kept, cJSON_Duplicate (e, 1));
    }
    cJSON_Delete (errors);
    cJSON_AddItemToObject (peer->rejected, "errors", kept);
    if (dropped)
        cJSON_AddNumberToObject (peer->rejected, "errors_omitted", dropped);
    char when [32];
    ddc_iso_time (ddc_wall_ms (), when);
    cJSON_AddStringToObject (peer->rejected, "time", when);
}

int
peer_status (peer_t *peer, const char *topic, const char *body, size_t len)
{
    int slot = -1, free_slot = -1;
    for (int i = 0; i < peer->report_slots; i++) {
        if (!peer->reports [i].topic [0]) {
            if (free_slot < 0)
                free_slot = i;
        }
        else if (strcmp (peer->reports [i].topic, topic) == 0)
            slot = i;
    }
    if (slot < 0)
        slot = free_slot;
    if ((slot < 0 && peer->report_slots == PEER_TOPICS_MAX) || strlen (topic) >= S_TOPIC_MAX)
        return -1;
    size_t old = slot < 0 ? 0 : peer->reports [slot].len, others = peer->report_bytes - old;
    if (others + len > PEER_STATUS_MAX_BYTES
        || peer->table->report_bytes - old + len > PEERS_STATUS_MAX_BYTES)
        return -1;
    if (slot < 0) {
        //  a slot more (doubled: 1, 2, 4 ... PEER_TOPICS_MAX)
        int slots = peer->report_slots ? 2 * peer->report_slots : 1;
        if (slots > PEER_TOPICS_MAX)
            slots = PEER_TOPICS_MAX;
        peer->reports = ddc_realloc (peer->reports, (size_t) slots * sizeof (*peer->reports));
        memset (peer->reports + peer->report_slots, 0,
                (size_t) (slots - peer->report_slots) * sizeof (*peer->reports));
        slot = peer->report_slots;
        peer->report_slots = slots;
    }
    s_report_t *r = &peer->reports [slot];
    free (r->body);
    ddc_strlcpy (r->topic, topic, sizeof (r->topic));
    r->body = ddc_strndup (body, len);
    r->len = len;
    r->wall_ms = ddc_wall_ms ();
    peer->table->report_bytes = peer->table->report_bytes - old + len;
    peer->report_bytes = others + len;
    return 0;
}

static size_t
s_zmsg_bytes (zmsg_t *zmsg)
{
    return zmsg_content_size (zmsg) + 64 * zmsg_size (zmsg);
}

//  Forget the oldest `n` answers.
static void
s_forget_answers (peer_t *peer, int n)
{
    for (int i = 0; i < n; i++) {
        peer->answer_bytes -= peer->answers [i].bytes;
        free (peer->answers [i].req);
        zmsg_destroy (&peer->answers [i].reply);
    }
    peer->answer_n -= n;
    if (n > 0)
        memmove (peer->answers, peer->answers + n,
                 (size_t) peer->answer_n * sizeof (*peer->answers));
}

void
peer_remember (peer_t *peer, const char *req, zmsg_t *reply)
{
    size_t bytes = s_zmsg_bytes (reply) + strlen (req) + 1;
    if (bytes > PEER_ANSWER_MAX_BYTES)
        return; //  a retry is answered anew: the same for these answers
    //  The oldest go first, to keep the newest within the bounds.
    int drop = 0;
    size_t kept = peer->answer_bytes;
    while (drop < peer->answer_n
           && (peer->answer_n - drop == PEER_REPLIES_MAX || kept + bytes > PEER_ANSWERS_MAX_BYTES))
        kept -= peer->answers [drop++].bytes;
    s_forget_answers (peer, drop);
    if (peer->answer_n == peer->answer_cap) {
        //  doubled as retries need them: 4, 8 ... PEER_REPLIES_MAX
        peer->answer_cap = peer->answer_cap ? 2 * peer->answer_cap : 4;
        if (peer->answer_cap > PEER_REPLIES_MAX)
            peer->answer_cap = PEER_REPLIES_MAX;
        peer->answers =
            ddc_realloc (peer->answers, (size_t) peer->answer_cap * sizeof (*peer->answers));
    }
    peer->answers [peer->answer_n++] = (s_answer_t){ ddc_strdup (req), zmsg_dup (reply), bytes };
    peer->answer_bytes += bytes;
}

zmsg_t *
peer_recall (peer_t *peer, const char *req)
{
    for (int i = 0; i < peer->answer_n; i++)
        if (strcmp (peer->answers [i].req, req) == 0)
            return zmsg_dup (peer->answers [i].reply);
    return NULL;
}

peer_t *
peers_first (peers_t *self)
{
    return zhashx_first (self->by_key);
}
peer_t *
peers_next (peers_t *self)
{
    return zhashx_next (self->by_key);
}
bool
peer_connected (peer_t *peer)
{
    return peer->connected;
}

const char *
peer_report (peer_t *peer, const char *topic, size_t *len_p)
{
    for (int i = 0; i < peer->report_slots; i++)
        if (peer->reports [i].topic [0] && strcmp (peer->reports [i].topic, topic) == 0) {
            *len_p = peer->reports [i].len;
            return peer->reports [i].body;
        }
    return NULL;
}
