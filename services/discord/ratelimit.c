/*  ratelimit: Discord REST bucket math. See ratelimit.h. */
#include "ratelimit.h"

#include "ddc_util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char key [RL_KEY_MAX];
    int limit; //  -1 until a response said
    int remaining;
    int64_t reset_at; //  mono ms, 0 = unknown
    int inflight;
    int64_t used;
} s_bucket_t;

typedef struct {
    char route [RL_KEY_MAX];
    char bucket [64];
    int64_t used;
} s_map_t;

struct _rl_t {
    s_bucket_t buckets [RL_MAX];
    size_t nbuckets;
    s_map_t routes [RL_MAX];
    size_t nroutes;
    int64_t global_until;
    int64_t window_start;
    int window_count;
};

rl_t *
rl_new (void)
{
    return ddc_calloc (1, sizeof (rl_t));
}

void
rl_destroy (rl_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Routes

static uint32_t
s_fnv (const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char) s [i];
        h *= 16777619u;
    }
    return h;
}

static bool
s_is_id (const char *s, size_t n)
{
    if (n == 0 || n > 20)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s [i] < '0' || s [i] > '9')
            return false;
    return true;
}

void
rl_route (const char *method, const char *path, rl_route_t *out)
{
    memset (out, 0, sizeof (*out));
    char buf [RL_KEY_MAX];
    size_t used = (size_t) snprintf (buf, sizeof (buf), "%.8s ", method ? method : "GET");
    const char *p = path ? path : "";
    size_t plen = strcspn (p, "?#");
    const char *end = p + plen;
    const char *prev = "", *prev2 = "";
    size_t prev_len = 0, prev2_len = 0;
    int index = 0;
    out->exempt = strncmp (p, "/interactions/", 14) == 0 || strncmp (p, "/webhooks/", 10) == 0;
    while (p < end) {
        while (p < end && *p == '/')
            p++;
        if (p >= end)
            break;
        const char *seg = p;
        while (p < end && *p != '/')
            p++;
        size_t n = (size_t) (p - seg);
        char piece [64];
        bool major_param = index == 1
                           && ((prev_len == 8 && memcmp (prev, "channels", 8) == 0)
                               || (prev_len == 6 && memcmp (prev, "guilds", 6) == 0)
                               || (prev_len == 8 && memcmp (prev, "webhooks", 8) == 0)
                               || (prev_len == 12 && memcmp (prev, "interactions", 12) == 0));
        bool token = index == 2
                     && ((prev2_len == 8 && memcmp (prev2, "webhooks", 8) == 0)
                         || (prev2_len == 12 && memcmp (prev2, "interactions", 12) == 0));
        if (major_param) {
            //  The top-level resource splits buckets: kept as is.
            snprintf (piece, sizeof (piece), "%.*s", (int) (n < 24 ? n : 24), seg);
            ddc_strlcpy (out->major, piece, sizeof (out->major));
        }
        else if (token) {
            //  A webhook or interaction token: only its hash is kept.
            snprintf (piece, sizeof (piece), ":token");
            char more [24];
            snprintf (more, sizeof (more), ":%08x", s_fnv (seg, n));
            size_t ml = strlen (out->major);
            if (ml + strlen (more) < sizeof (out->major))
                memcpy (out->major + ml, more, strlen (more) + 1);
        }
        else if (s_is_id (seg, n))
            snprintf (piece, sizeof (piece), ":id");
        else
            snprintf (piece, sizeof (piece), "%.*s", (int) (n < 40 ? n : 40), seg);
        int w = snprintf (buf + used, sizeof (buf) - used, "/%s", piece);
        if (w < 0 || (size_t) w >= sizeof (buf) - used)
            break;
        used += (size_t) w;
        prev2 = prev;
        prev2_len = prev_len;
        prev = seg;
        prev_len = n;
        index++;
    }
    ddc_strlcpy (out->route, buf, sizeof (out->route));
}

void
rl_headers_init (rl_headers_t *h)
{
    memset (h, 0, sizeof (*h));
    h->limit = -1;
    h->remaining = -1;
    h->reset_after = -1;
    h->retry_after = -1;
}

void
rl_header_line (rl_headers_t *h, const char *line, size_t len)
{
    const char *colon = memchr (line, ':', len);
    if (!colon)
        return;
    size_t nlen = (size_t) (colon - line);
    const char *v = colon + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end [-1] == '\r' || end [-1] == '\n' || end [-1] == ' '))
        end--;
    char value [64];
    size_t vlen = (size_t) (end - v);
    if (vlen >= sizeof (value))
        vlen = sizeof (value) - 1;
    memcpy (value, v, vlen);
    value [vlen] = '\0';
#define S_IS(name) (nlen == strlen (name) && strncasecmp (line, name, nlen) == 0)
    char *e = NULL;
    if (S_IS ("X-RateLimit-Limit")) {
        long n = strtol (value, &e, 10);
        if (e != value && n >= 0 && n < 1000000)
            h->limit = (int) n;
    }
    else if (S_IS ("X-RateLimit-Remaining")) {
        long n = strtol (value, &e, 10);
        if (e != value && n >= 0 && n < 1000000)
            h->remaining = (int) n;
    }
    else if (S_IS ("X-RateLimit-Reset-After")) {
        double d = strtod (value, &e);
        if (e != value && d >= 0 && d < 86400)
            h->reset_after = d;
    }
    else if (S_IS ("Retry-After")) {
        double d = strtod (value, &e);
        if (e != value && d >= 0 && d < 86400 && h->retry_after < 0)
            h->retry_after = d;
    }
    else if (S_IS ("X-RateLimit-Global"))
        h->global = strncasecmp (value, "true", 4) == 0;
    else if (S_IS ("X-RateLimit-Bucket")) {
        bool ok = vlen > 0;
        for (size_t i = 0; i < vlen; i++)
            if (!isalnum ((unsigned char) value [i]) && value [i] != '-' && value [i] != '_')
                ok = false;
        if (ok)
            ddc_strlcpy (h->bucket, value, sizeof (h->bucket));
    }
    else if (S_IS ("X-RateLimit-Scope"))
        ddc_strlcpy (h->scope, value, sizeof (h->scope));
#undef S_IS
}

//  --------------------------------------------------------------------------
//  Tables

static s_map_t *
s_map_find (rl_t *self, const char *route)
{
    for (size_t i = 0; i < self->nroutes; i++)
        if (strcmp (self->routes [i].route, route) == 0)
            return &self->routes [i];
    return NULL;
}

static s_bucket_t *
s_bucket_find (rl_t *self, const char *key)
{
    for (size_t i = 0; i < self->nbuckets; i++)
        if (strcmp (self->buckets [i].key, key) == 0)
            return &self->buckets [i];
    return NULL;
}

static s_bucket_t *
s_bucket_get (rl_t *self, const char *key, int64_t now)
{
    s_bucket_t *b = s_bucket_find (self, key);
    if (b)
        return b;
    if (self->nbuckets == RL_MAX) {
        //  Evict the least recently used, idle ones first.
        size_t victim = 0;
        bool idle_found = false;
        for (size_t i = 0; i < self->nbuckets; i++) {
            s_bucket_t *c = &self->buckets [i];
            bool idle = c->inflight == 0;
            bool older = c->used < self->buckets [victim].used;
            if ((idle && !idle_found) || (idle == idle_found && older)) {
                victim = i;
                idle_found = idle_found || idle;
            }
        }
        self->buckets [victim] = self->buckets [--self->nbuckets];
    }
    b = &self->buckets [self->nbuckets++];
    memset (b, 0, sizeof (*b));
    ddc_strlcpy (b->key, key, sizeof (b->key));
    b->limit = -1;
    b->remaining = -1;
    b->used = now;
    return b;
}

static void
s_map_set (rl_t *self, const char *route, const char *bucket, int64_t now)
{
    s_map_t *m = s_map_find (self, route);
    if (!m) {
        if (self->nroutes == RL_MAX) {
            size_t victim = 0;
            for (size_t i = 1; i < self->nroutes; i++)
                if (self->routes [i].used < self->routes [victim].used)
                    victim = i;
            self->routes [victim] = self->routes [--self->nroutes];
        }
        m = &self->routes [self->nroutes++];
        ddc_strlcpy (m->route, route, sizeof (m->route));
    }
    ddc_strlcpy (m->bucket, bucket, sizeof (m->bucket));
    m->used = now;
}

void
rl_state_key (rl_t *self, const rl_route_t *route, char out [RL_KEY_MAX])
{
    s_map_t *m = s_map_find (self, route->route);
    if (m && m->bucket [0])
        snprintf (out, RL_KEY_MAX, "b:%.63s/%.47s", m->bucket, route->major);
    else
        snprintf (out, RL_KEY_MAX, "r:%.150s", route->route);
}

//  --------------------------------------------------------------------------
//  Decisions

static void
s_window (rl_t *self, int64_t now)
{
    if (now - self->window_start >= 1000) {
        self->window_start = now;
        self->window_count = 0;
    }
}

int64_t
rl_wait (rl_t *self, const rl_route_t *route, int64_t now)
{
    if (!route->exempt) {
        if (self->global_until > now)
            return self->global_until - now;
        s_window (self, now);
        if (self->window_count >= RL_GLOBAL_PER_S)
            return self->window_start + 1000 - now;
    }
    char key [RL_KEY_MAX];
    rl_state_key (self, route, key);
    s_bucket_t *b = s_bucket_find (self, key);
    if (!b)
        return 0;
    if (b->reset_at && now >= b->reset_at) {
        if (b->limit > 0)
            b->remaining = b->limit;
        b->reset_at = 0;
    }
    if (b->limit < 0 && b->remaining < 0)
        return b->inflight > 0 ? RL_WAIT_INFLIGHT : 0;
    if (b->remaining - b->inflight > 0)
        return 0;
    if (b->reset_at > now)
        return b->reset_at - now;
    if (b->inflight > 0)
        return RL_WAIT_INFLIGHT;
    return 0;
}

void
rl_sent (rl_t *self, const rl_route_t *route, const char *key, int64_t now)
{
    s_bucket_t *b = s_bucket_get (self, key, now);
    b->inflight++;
    b->used = now;
    if (!route->exempt) {
        s_window (self, now);
        self->window_count++;
    }
}

int64_t
rl_done (rl_t *self, const rl_route_t *route, const char *key, const rl_headers_t *h, int64_t now)
{
    s_bucket_t *b = s_bucket_find (self, key);
    if (b && b->inflight > 0)
        b->inflight--;
    if (!h)
        return 0;
    if (h->bucket [0]) {
        s_map_t *m = s_map_find (self, route->route);
        if (!m || strcmp (m->bucket, h->bucket) != 0)
            s_map_set (self, route->route, h->bucket, now);
        else
            m->used = now;
        char nkey [RL_KEY_MAX];
        rl_state_key (self, route, nkey);
        b = s_bucket_get (self, nkey, now);
    }
    else if (!b)
        b = s_bucket_get (self, key, now);
    b->used = now;
    if (h->status == 429) {
        double ra = h->retry_after >= 0 ? h->retry_after : 1.0;
        int64_t ms = (int64_t) (ra * 1000.0 + 0.5);
        if (ms < 50)
            ms = 50;
        if (h->global || strcmp (h->scope, "global") == 0) {
            if (now + ms > self->global_until)
                self->global_until = now + ms;
        }
        else {
            b->remaining = 0;
            b->reset_at = now + ms;
            if (b->limit < 0 && h->limit >= 0)
                b->limit = h->limit;
        }
        return ms;
    }
    if (h->limit >= 0)
        b->limit = h->limit;
    if (h->remaining >= 0)
        b->remaining = h->remaining;
    if (h->reset_after >= 0)
        b->reset_at = now + (int64_t) (h->reset_after * 1000.0 + 0.5);
    return 0;
}

int64_t
rl_global_until (rl_t *self)
{
    return self->global_until;
}

size_t
rl_bucket_count (rl_t *self)
{
    return self->nbuckets;
}
