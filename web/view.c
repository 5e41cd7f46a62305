/*  view: dashboard data from the peers table. See view.h. */
#include "view.h"

#include "ddc_keys.h"
#include "ddc_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_PEERS 1024
#define S_MAX_ROWS 4096
#define S_MAX_SEEN 65536 //  inventory entries looked at

static const cJSON *
s_v_get (const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive (obj, key);
}

static const char *
s_v_str (const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue (s_v_get (obj, key));
}

static void
s_v_copy (cJSON *to, const char *key, const cJSON *from)
{
    const cJSON *v = s_v_get (from, key);
    cJSON_AddItemToObject (to, key, v ? cJSON_Duplicate (v, true) : cJSON_CreateNull ());
}

static bool
s_role (const cJSON *peer, const char *role)
{
    const char *r = s_v_str (peer, "role");
    const char *name = s_v_str (peer, "name");
    size_t n = strlen (role);
    return (r && strcmp (r, role) == 0)
           || (!r && name && strncmp (name, role, n) == 0 && name [n] == '@');
}

//  The configured entries of the containers section, sorted by host and
//  name, for a binary search per row (a view of 1,000 containers looked
//  each one up in the whole section: a million string compares).
typedef struct {
    const char *host, *name;
    const cJSON *entry;
    size_t at; //  its place in the section
} s_conf_t;

static int
s_conf_key (const void *a, const void *b)
{
    const s_conf_t *x = a, *y = b;
    int c = strcmp (x->host, y->host);
    return c ? c : strcmp (x->name, y->name);
}

static int
s_conf_cmp (const void *a, const void *b)
{
    const s_conf_t *x = a, *y = b;
    int c = s_conf_key (a, b);
    return c ? c : x->at < y->at ? -1 : x->at > y->at;
}

//  The index of containers (caller frees), its size in *n_p.
static s_conf_t *
s_conf_index (const cJSON *containers, size_t *n_p)
{
    size_t n = 0, at = 0, cap = (size_t) cJSON_GetArraySize (containers);
    s_conf_t *index = ddc_malloc ((cap ? cap : 1) * sizeof (*index));
    const cJSON *each;
    cJSON_ArrayForEach (each, containers) {
        const char *h = s_v_str (each, "host"), *nm = s_v_str (each, "name");
        if (h && nm && n < cap)
            index [n++] = (s_conf_t){ h, nm, each, at };
        at++;
    }
    if (n)
        qsort (index, n, sizeof (*index), s_conf_cmp);
    *n_p = n;
    return index;
}

//  The configured entry of host/name (the first in the section when it
//  names one twice), or NULL.
static const cJSON *
s_v_configured (const s_conf_t *index, size_t n, const char *host, const char *name)
{
    if (!host || !name || !n)
        return NULL;
    s_conf_t key = { host, name, NULL, 0 };
    const s_conf_t *at = bsearch (&key, index, n, sizeof (*index), s_conf_key);
    while (at && at > index && s_conf_key (at - 1, &key) == 0)
        at--;
    return at ? at->entry : NULL;
}

static double
s_order (const cJSON *row)
{
    const cJSON *o = s_v_get (row, "order");
    return cJSON_IsNumber (o) ? o->valuedouble : 1e9;
}

static int
s_cmp_rows (const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *) a, *y = *(const cJSON *const *) b;
    double ox = s_v_get (x, "_order")->valuedouble, oy = s_v_get (y, "_order")->valuedouble;
    if (ox != oy)
        return ox < oy ? -1 : 1;
    const char *nx = s_v_str (x, "name"), *ny = s_v_str (y, "name");
    return strcmp (nx ? nx : "", ny ? ny : "");
}

//  Sort an array of objects carrying "_order", then drop that member.
static void
s_sort (cJSON *arr)
{
    int n = cJSON_GetArraySize (arr);
    if (n <= 0)
        return;
    cJSON **items = ddc_malloc ((size_t) n * sizeof (*items));
    for (int i = n - 1; i >= 0; i--)
        items [i] = cJSON_DetachItemFromArray (arr, i);
    qsort (items, (size_t) n, sizeof (*items), s_cmp_rows);
    for (int i = 0; i < n; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive (items [i], "_order");
        cJSON_AddItemToArray (arr, items [i]);
    }
    free (items);
}

static cJSON *
s_host (const cJSON *peer, const cJSON *body, const s_conf_t *conf_index, size_t nconf)
{
    cJSON *h = cJSON_CreateObject ();
    const char *host = s_v_str (body, "host");
    if (!host)
        host = s_v_str (peer, "instance");
    cJSON_AddStringToObject (h, "peer", s_v_str (peer, "name") ? s_v_str (peer, "name") : "");
    cJSON_AddStringToObject (h, "host", host ? host : "");
    cJSON_AddBoolToObject (h, "connected", cJSON_IsTrue (s_v_get (peer, "connected")));
    const cJSON *docker = s_v_get (body, "docker");
    cJSON_AddBoolToObject (h, "reachable", cJSON_IsTrue (s_v_get (docker, "reachable")));
    s_v_copy (h, "version", docker);
    s_v_copy (h, "error", docker);
    s_v_copy (h, "unreachable_since", docker);
    s_v_copy (h, "time", body);
    cJSON *rows = cJSON_AddArrayToObject (h, "containers");
    const cJSON *c;
    int count = 0;
    cJSON_ArrayForEach (c, s_v_get (body, "containers")) {
        if (!c->string || ++count > S_MAX_ROWS)
            break;
        const cJSON *conf = s_v_configured (conf_index, nconf, host, c->string);
        cJSON *r = cJSON_CreateObject ();
        cJSON_AddStringToObject (r, "name", c->string);
        const char *dn = s_v_str (conf, "display_name");
        cJSON_AddStringToObject (r, "display_name", dn && *dn ? dn : c->string);
        cJSON_AddBoolToObject (r, "configured", conf != NULL);
        cJSON_AddBoolToObject (r, "active",
                               conf ? !cJSON_IsFalse (s_v_get (conf, "active"))
                                    : cJSON_IsTrue (s_v_get (c, "active")));
        //  what the web may ask of it: a configured, active container's
        //  allowed_actions (absent: ddc_config's default)
        bool controls = conf && !cJSON_IsFalse (s_v_get (conf, "active"));
        cJSON_AddBoolToObject (r, "controls", controls);
        if (controls)
            s_v_copy (r, "allowed_actions", conf);
        s_v_copy (r, "exists", c);
        s_v_copy (r, "state", c);
        s_v_copy (r, "health", c);
        s_v_copy (r, "uptime_s", c);
        s_v_copy (r, "cpu_percent", c);
        s_v_copy (r, "mem_bytes", c);
        s_v_copy (r, "mem_limit", c);
        cJSON_AddNumberToObject (r, "_order", s_order (conf));
        cJSON_AddItemToArray (rows, r);
    }
    s_sort (rows);
    return h;
}

//  The peers of table the view shows: the first S_MAX_PEERS, those with a
//  name (caller frees the array; their number in *n_p).
static const cJSON **
s_named_peers (const cJSON *table, size_t *n_p)
{
    const cJSON *rows = s_v_get (table, "peers");
    size_t n = 0, most = (size_t) cJSON_GetArraySize (rows);
    if (most > S_MAX_PEERS)
        most = S_MAX_PEERS;
    const cJSON **out = ddc_malloc ((most ? most : 1) * sizeof (*out));
    const cJSON *peer;
    size_t seen = 0;
    cJSON_ArrayForEach (peer, rows) {
        if (seen++ == most)
            break;
        if (s_v_str (peer, "name"))
            out [n++] = peer;
    }
    *n_p = n;
    return out;
}

cJSON *
view_top (bool up, uint64_t rev, const cJSON *table)
{
    cJSON *v = cJSON_CreateObject ();
    cJSON_AddBoolToObject (v, "up", up);
    cJSON_AddNumberToObject (v, "rev", (double) rev);
    //  what the broker says of its configuration file and its watchdog
    cJSON *broker = cJSON_AddObjectToObject (v, "broker");
    s_v_copy (broker, "config", s_v_get (table, "broker"));
    s_v_copy (broker, "watchdog", s_v_get (table, "broker"));
    cJSON *peers = cJSON_AddArrayToObject (v, "peers");
    cJSON *gateway = cJSON_AddArrayToObject (v, "gateway");
    size_t npeers = 0;
    const cJSON **named = s_named_peers (table, &npeers);
    for (size_t k = 0; k < npeers; k++) {
        const cJSON *peer = named [k];
        const char *name = s_v_str (peer, "name");
        cJSON *p = cJSON_CreateObject ();
        cJSON_AddStringToObject (p, "name", name);
        s_v_copy (p, "role", peer);
        cJSON_AddBoolToObject (p, "connected", cJSON_IsTrue (s_v_get (peer, "connected")));
        s_v_copy (p, "last_seen_ms", peer);
        s_v_copy (p, "applied_rev", peer);
        s_v_copy (p, "applied", peer);
        s_v_copy (p, "rejected", peer);
        cJSON_AddItemToArray (peers, p);

        if (s_role (peer, "discord")) {
            const cJSON *g = s_v_get (s_v_get (peer, "status"), "gateway");
            cJSON *gw = cJSON_CreateObject ();
            cJSON_AddStringToObject (gw, "peer", name);
            cJSON_AddBoolToObject (gw, "connected", cJSON_IsTrue (s_v_get (peer, "connected")));
            const char *state = s_v_str (g, "state");
            cJSON_AddStringToObject (gw, "state", state ? state : g ? "reported" : "unknown");
            //  the reason or detail, whichever the service reports
            static const char *const details [] = { "detail", "error", "reason", "message", NULL };
            const char *detail = NULL;
            for (int i = 0; details [i] && !detail; i++)
                detail = s_v_str (g, details [i]);
            if (detail)
                cJSON_AddStringToObject (gw, "detail", detail);
            else
                cJSON_AddNullToObject (gw, "detail");
            s_v_copy (gw, "user", g);
            s_v_copy (gw, "guild", g);
            s_v_copy (gw, "time", g);
            cJSON_AddItemToArray (gateway, gw);
        }
    }
    free (named);
    return v;
}

//  What a host was built from, as a hash (view_memo_t).
#define S_KEY 16

typedef struct {
    char *peer;
    unsigned char key [S_KEY];
    uint64_t id;
} s_memo_host_t;

struct view_memo_t {
    s_memo_host_t *hosts; //  in the order of the hosts last built
    size_t n;
    uint64_t last_id;
};

view_memo_t *
view_memo_new (void)
{
    return ddc_calloc (1, sizeof (view_memo_t));
}

static void
s_memo_clear (s_memo_host_t *hosts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free (hosts [i].peer);
    free (hosts);
}

void
view_memo_destroy (view_memo_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    s_memo_clear ((*self_p)->hosts, (*self_p)->n);
    free (*self_p);
    *self_p = NULL;
}

uint64_t
view_memo_id (const view_memo_t *self, size_t i)
{
    return self && i < self->n ? self->hosts [i].id : 0;
}

static void
s_key_text (crypto_generichash_state *st, const char *text)
{
    crypto_generichash_update (st, (const unsigned char *) (text ? text : ""),
                               text ? strlen (text) + 1 : 0);
    crypto_generichash_update (st, (const unsigned char *) (text ? "t" : "n"), 1);
}

//  A JSON tree into st as it is (no text made): each item's type, name,
//  value and children, lengths first, so that two trees hash alike only
//  when they are alike.
static void
s_key_tree (crypto_generichash_state *st, const cJSON *item, int depth)
{
    for (; item; item = item->next) {
        unsigned char type = (unsigned char) (item->type & 0xff);
        crypto_generichash_update (st, &type, 1);
        s_key_text (st, item->string);
        if (cJSON_IsString (item))
            s_key_text (st, item->valuestring);
        else if (cJSON_IsNumber (item))
            crypto_generichash_update (st, (const unsigned char *) &item->valuedouble,
                                       sizeof (item->valuedouble));
        else if ((cJSON_IsArray (item) || cJSON_IsObject (item)) && depth < 64)
            s_key_tree (st, item->child, depth + 1);
        crypto_generichash_update (st, (const unsigned char *) "}", 1);
    }
}

//  What s_host reads of peer, and which containers section it looks up.
static void
s_host_key (const cJSON *peer, const cJSON *body, uint64_t containers_rev, unsigned char key [S_KEY])
{
    crypto_generichash_state st;
    crypto_generichash_init (&st, NULL, 0, S_KEY);
    s_key_text (&st, s_v_str (peer, "name"));
    s_key_text (&st, s_v_str (peer, "instance"));
    s_key_text (&st, cJSON_IsTrue (s_v_get (peer, "connected")) ? "1" : "0");
    unsigned char rev [8];
    for (int i = 0; i < 8; i++)
        rev [i] = (unsigned char) (containers_rev >> (8 * i));
    crypto_generichash_update (&st, rev, sizeof (rev));
    if (body) {
        //  the body alone, not its siblings in the peer's reports
        unsigned char type = (unsigned char) (body->type & 0xff);
        crypto_generichash_update (&st, &type, 1);
        if (cJSON_IsString (body))
            s_key_text (&st, body->valuestring);
        else if (cJSON_IsNumber (body))
            crypto_generichash_update (&st, (const unsigned char *) &body->valuedouble,
                                       sizeof (body->valuedouble));
        else
            s_key_tree (&st, body->child, 0);
    }
    else
        s_key_text (&st, NULL);
    crypto_generichash_final (&st, key, S_KEY);
}

cJSON *
view_hosts_memo (const cJSON *table, const cJSON *containers, uint64_t containers_rev,
                 view_memo_t *memo, cJSON *old)
{
    //  the hosts built before, by their place in memo
    size_t nold = memo->n;
    cJSON **was = ddc_calloc (nold ? nold : 1, sizeof (*was));
    for (size_t i = 0; i < nold && cJSON_GetArraySize (old) > 0; i++)
        was [i] = cJSON_DetachItemFromArray (old, 0);
    cJSON_Delete (old);

    cJSON *hosts = cJSON_CreateArray ();
    size_t n = 0, cap = 16;
    s_memo_host_t *next = ddc_malloc (cap * sizeof (*next));
    s_conf_t *conf = NULL;
    size_t nconf = 0;
    size_t npeers = 0;
    const cJSON **named = s_named_peers (table, &npeers);
    for (size_t k = 0; k < npeers; k++) {
        const cJSON *peer = named [k];
        const char *name = s_v_str (peer, "name");
        if (!s_role (peer, "docker"))
            continue;
        const cJSON *body = s_v_get (s_v_get (peer, "status"), "status");
        if (n == cap) {
            cap *= 2;
            next = ddc_realloc (next, cap * sizeof (*next));
        }
        s_memo_host_t *h = &next [n];
        s_host_key (peer, body, containers_rev, h->key);
        //  the same place first, then any other
        size_t found = nold;
        for (size_t step = 0; step < nold && found == nold; step++) {
            size_t j = (n + step) % nold;
            if (was [j] && strcmp (memo->hosts [j].peer, name) == 0
                && memcmp (memo->hosts [j].key, h->key, S_KEY) == 0)
                found = j;
        }
        cJSON *built = NULL;
        if (found < nold) {
            built = was [found];
            was [found] = NULL;
            h->id = memo->hosts [found].id;
        }
        else {
            if (!conf)
                conf = s_conf_index (containers, &nconf);
            built = s_host (peer, body, conf, nconf);
            ddc_keys_share (built);
            h->id = ++memo->last_id;
        }
        h->peer = ddc_strdup (name);
        cJSON_AddItemToArray (hosts, built);
        n++;
    }
    free (conf);
    free (named);
    for (size_t i = 0; i < nold; i++)
        cJSON_Delete (was [i]);
    free (was);
    s_memo_clear (memo->hosts, memo->n);
    memo->hosts = next;
    memo->n = n;
    return hosts;
}

cJSON *
view_hosts (const cJSON *table, const cJSON *containers)
{
    view_memo_t *memo = view_memo_new ();
    cJSON *hosts = view_hosts_memo (table, containers, 0, memo, NULL);
    view_memo_destroy (&memo);
    return hosts;
}

cJSON *
view_build (bool up, uint64_t rev, const cJSON *table, const cJSON *containers)
{
    cJSON *v = view_top (up, rev, table);
    cJSON_AddItemToObject (v, "hosts", view_hosts (table, containers));
    return v;
}

//  One container an agent listed: borrowed from the table (or from the
//  scratch copy of a kept row).
typedef struct {
    const char *host, *name, *id, *image, *state, *status;
    size_t agents; //  how many agents listed its id
    bool configured, drop;
} s_seen_t;

//  The members of an inventory row the view uses, and their order in a
//  kept row.
static const char *const s_inv_keys [] = { "name", "id", "image", "state", "status" };
#define S_INV_KEYS 5

cJSON *
view_inventory_compact (const cJSON *body)
{
    cJSON *out = cJSON_CreateObject ();
    const cJSON *m;
    cJSON_ArrayForEach (m, body) {
        if (!m->string || strcmp (m->string, "containers") != 0) {
            if (m->string && !cJSON_IsArray (m) && !cJSON_IsObject (m))
                cJSON_AddItemToObject (out, m->string, cJSON_Duplicate (m, false));
            continue;
        }
        cJSON *rows = cJSON_AddArrayToObject (out, "containers");
        const cJSON *c;
        cJSON_ArrayForEach (c, m) {
            if (cJSON_IsString (c)) { //  kept already
                cJSON_AddItemToArray (rows, cJSON_CreateString (c->valuestring));
                continue;
            }
            const char *v [S_INV_KEYS];
            size_t len = 0;
            bool ok = true;
            for (int k = 0; k < S_INV_KEYS; k++) {
                v [k] = s_v_str (c, s_inv_keys [k]);
                if (!v [k])
                    v [k] = "";
                //  a tab cannot be told from the separator: such a row goes
                ok = ok && !strchr (v [k], '\t');
                len += strlen (v [k]) + 1;
            }
            if (!ok || !*v [0])
                continue;
            char *row = ddc_malloc (len), *at = row;
            for (int k = 0; k < S_INV_KEYS; k++) {
                size_t n = strlen (v [k]);
                memcpy (at, v [k], n);
                at [n] = k + 1 < S_INV_KEYS ? '\t' : '\0';
                at += n + 1;
            }
            cJSON_AddItemToArray (rows, cJSON_CreateString (row));
            free (row);
        }
    }
    return out;
}

void
view_table_compact (cJSON *table)
{
    cJSON *peer;
    cJSON_ArrayForEach (peer, cJSON_GetObjectItemCaseSensitive (table, "peers")) {
        cJSON *status = cJSON_GetObjectItemCaseSensitive (peer, "status");
        const cJSON *inv = cJSON_GetObjectItemCaseSensitive (status, "inventory");
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive (inv, "containers");
        if (cJSON_IsObject (inv) && !(rows && cJSON_IsString (rows->child))) //  not kept yet
            cJSON_ReplaceItemInObjectCaseSensitive (status, "inventory",
                                                    view_inventory_compact (inv));
    }
}

static int
s_seen_host_name (const void *a, const void *b)
{
    const s_seen_t *x = a, *y = b;
    int c = strcmp (x->host, y->host);
    return c ? c : strcmp (x->name, y->name);
}

//  By Docker id (none last), configured ones first, then host and name.
static int
s_seen_id (const void *a, const void *b)
{
    const s_seen_t *x = a, *y = b;
    int c = strcmp (x->id, y->id);
    if (c)
        return !*x->id ? 1 : !*y->id ? -1 : c;
    if (x->configured != y->configured)
        return x->configured ? -1 : 1;
    return s_seen_host_name (a, b);
}

cJSON *
view_inventory (const cJSON *table, const cJSON *containers)
{
    size_t n = 0, cap = 0;
    s_seen_t *seen = NULL;
    //  the kept rows' scratch copies, their tabs made string ends
    size_t ncopies = 0, copies_cap = 0;
    char **copies = NULL;
    const cJSON *peer;
    cJSON_ArrayForEach (peer, s_v_get (table, "peers")) {
        const cJSON *inv = s_v_get (s_v_get (peer, "status"), "inventory");
        const char *host = s_v_str (inv, "host");
        if (!host)
            host = s_v_str (peer, "instance");
        if (!host)
            continue;
        const cJSON *c;
        cJSON_ArrayForEach (c, s_v_get (inv, "containers")) {
            if (n == S_MAX_SEEN)
                break;
            const char *v [S_INV_KEYS] = { NULL };
            if (cJSON_IsString (c)) {
                if (ncopies == copies_cap) {
                    copies_cap = copies_cap ? 2 * copies_cap : 256;
                    copies = ddc_realloc (copies, copies_cap * sizeof (*copies));
                }
                char *row = copies [ncopies++] = ddc_strdup (c->valuestring);
                for (int k = 0; k < S_INV_KEYS && row; k++) {
                    v [k] = row;
                    row = strchr (row, '\t');
                    if (row)
                        *row++ = '\0';
                }
            }
            else
                for (int k = 0; k < S_INV_KEYS; k++)
                    v [k] = s_v_str (c, s_inv_keys [k]);
            if (!v [0] || !*v [0])
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 256;
                seen = ddc_realloc (seen, cap * sizeof (*seen));
            }
            seen [n++] =
                (s_seen_t){ host, v [0], v [1] ? v [1] : "", v [2], v [3], v [4], 1, false, false };
        }
    }
    //  one row per host and name, however many agents of that host list it
    if (n)
        qsort (seen, n, sizeof (*seen), s_seen_host_name);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || s_seen_host_name (&seen [m - 1], &seen [i]) != 0)
            seen [m++] = seen [i];
    n = m;
    //  configured: the section's host and name, looked up
    size_t nconf = 0;
    s_conf_t *conf = s_conf_index (containers, &nconf);
    for (size_t i = 0; i < n; i++)
        seen [i].configured = s_v_configured (conf, nconf, seen [i].host, seen [i].name) != NULL;
    free (conf);
    //  agents sharing one Docker engine under different host names all list
    //  its containers: one row per id, the configured ones (or else the
    //  first host's) kept
    if (n)
        qsort (seen, n, sizeof (*seen), s_seen_id);
    for (size_t i = 0, j; i < n && *seen [i].id; i = j) {
        for (j = i + 1; j < n && strcmp (seen [j].id, seen [i].id) == 0; j++)
            if (!seen [j].configured)
                seen [j].drop = true;
        seen [i].agents = j - i;
    }
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (!seen [i].drop)
            seen [m++] = seen [i];
    n = m < S_MAX_ROWS ? m : S_MAX_ROWS;
    if (n)
        qsort (seen, n, sizeof (*seen), s_seen_host_name);
    cJSON *out = cJSON_CreateArray ();
    for (size_t i = 0; i < n; i++) {
        cJSON *r = cJSON_CreateObject ();
        cJSON_AddStringToObject (r, "host", seen [i].host);
        cJSON_AddStringToObject (r, "name", seen [i].name);
        const char *vals [] = { seen [i].image, seen [i].state, seen [i].status };
        for (int k = 0; k < 3; k++)
            if (vals [k] && *vals [k]) //  a kept row cannot tell "" from none
                cJSON_AddStringToObject (r, s_inv_keys [k + 2], vals [k]);
            else
                cJSON_AddNullToObject (r, s_inv_keys [k + 2]);
        if (seen [i].agents > 1)
            cJSON_AddNumberToObject (r, "agents", (double) seen [i].agents);
        cJSON_AddItemToArray (out, r);
    }
    free (seen);
    for (size_t i = 0; i < ncopies; i++)
        free (copies [i]);
    free (copies);
    return out;
}

cJSON *
view_states (const cJSON *table)
{
    cJSON *out = cJSON_CreateObject ();
    const cJSON *peer;
    cJSON_ArrayForEach (peer, s_v_get (table, "peers")) {
        const cJSON *body = s_v_get (s_v_get (peer, "status"), "status");
        const char *host = s_v_str (body, "host");
        if (!host)
            host = s_v_str (peer, "instance");
        if (!host)
            continue;
        const cJSON *c;
        cJSON_ArrayForEach (c, s_v_get (body, "containers")) {
            const char *state = s_v_str (c, "state");
            if (!c->string || !state)
                continue;
            char *key = ddc_asprintf ("%s/%s", host, c->string);
            cJSON_DeleteItemFromObjectCaseSensitive (out, key);
            cJSON_AddStringToObject (out, key, state);
            free (key);
        }
    }
    return out;
}

int
view_table_status (cJSON *table, const char *peer, const char *topic, const cJSON *body)
{
    if (!table || !peer || !*peer || !topic || !*topic || !body)
        return -1;
    cJSON *peers = cJSON_GetObjectItemCaseSensitive (table, "peers");
    if (!cJSON_IsArray (peers)) {
        cJSON_DeleteItemFromObjectCaseSensitive (table, "peers");
        peers = cJSON_AddArrayToObject (table, "peers");
    }
    cJSON *p = NULL, *each;
    cJSON_ArrayForEach (each, peers) {
        const char *name = s_v_str (each, "name");
        if (name && strcmp (name, peer) == 0) {
            p = each;
            break;
        }
    }
    if (!p) {
        if (cJSON_GetArraySize (peers) >= S_MAX_PEERS)
            return -1;
        p = cJSON_CreateObject ();
        cJSON_AddStringToObject (p, "name", peer);
        const char *at = strchr (peer, '@');
        if (at) {
            char role [64];
            size_t n =
                (size_t) (at - peer) < sizeof (role) - 1 ? (size_t) (at - peer) : sizeof (role) - 1;
            memcpy (role, peer, n);
            role [n] = '\0';
            cJSON_AddStringToObject (p, "role", role);
            cJSON_AddStringToObject (p, "instance", at + 1);
        }
        cJSON_AddBoolToObject (p, "connected", true);
        cJSON_AddItemToArray (peers, p);
    }
    cJSON *status = cJSON_GetObjectItemCaseSensitive (p, "status");
    if (!cJSON_IsObject (status)) {
        cJSON_DeleteItemFromObjectCaseSensitive (p, "status");
        status = cJSON_AddObjectToObject (p, "status");
    }
    cJSON_DeleteItemFromObjectCaseSensitive (status, topic);
    cJSON_AddItemToObject (status, topic,
                           strcmp (topic, "inventory") == 0 && cJSON_IsObject (body)
                               ? view_inventory_compact (body)
                               : cJSON_Duplicate (body, true));
    return 0;
}
