/*  throttle: sliding-window attempt counting in a bounded table. See
    throttle.h. Entries live in one array, grown (doubled) as keys come, up
    to the maximum; a bucket array of chains finds them (as many buckets as
    entries, rehashed when it grows), a doubly linked recency list (most
    recent first) picks the one to forget, and forgotten entries form a
    free list; entries never used yet are those from `unused` on. Entries
    are named by index, so growing moves none of the links. */
#include "throttle.h"

#include "ddc_util.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define THROTTLE_START 16 //  entries of a new table

typedef struct {
    char key [THROTTLE_KEY_MAX];
    int64_t times [THROTTLE_LIMIT_MAX]; //  ring of attempt times, oldest at head
    uint8_t head, count;
    uint32_t chain;        //  next in the bucket, or in the free list
    uint32_t newer, older; //  recency list
} s_entry_t;

struct throttle_t {
    s_entry_t *entries;
    uint32_t cap; //  entries allocated
    uint32_t max;
    uint32_t *buckets;
    uint32_t mask;           //  buckets - 1 (a power of two)
    uint32_t newest, oldest; //  recency list ends
    uint32_t free;           //  free list
    uint32_t unused;         //  entries from here on never used yet
    size_t size;
    int limit;
    int64_t window;
    unsigned char hash_key [crypto_shorthash_KEYBYTES];
};

throttle_t *
throttle_new (size_t max_entries, int limit, int64_t window_ms)
{
    if (sodium_init () < 0)
        return NULL;
    throttle_t *self = ddc_calloc (1, sizeof (*self));
    if (max_entries < 1)
        max_entries = 1;
    if (max_entries > (1u << 24))
        max_entries = 1u << 24;
    self->max = (uint32_t) max_entries;
    self->limit = limit < 1 ? 1 : limit > THROTTLE_LIMIT_MAX ? THROTTLE_LIMIT_MAX : limit;
    self->window = window_ms > 0 ? window_ms : 1;
    self->mask = THROTTLE_START - 1;
    self->buckets = ddc_malloc (THROTTLE_START * sizeof (*self->buckets));
    for (uint32_t i = 0; i < THROTTLE_START; i++)
        self->buckets [i] = NIL;
    self->free = NIL;
    self->unused = 0;
    self->newest = self->oldest = NIL;
    randombytes_buf (self->hash_key, sizeof (self->hash_key));
    return self;
}

void
throttle_destroy (throttle_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->entries);
    free ((*self_p)->buckets);
    free (*self_p);
    *self_p = NULL;
}

static uint32_t
s_bucket (throttle_t *self, const char *key)
{
    unsigned char out [crypto_shorthash_BYTES];
    crypto_shorthash (out, (const unsigned char *) key, strlen (key), self->hash_key);
    uint32_t h;
    memcpy (&h, out, sizeof (h));
    return h & self->mask;
}

//  The entry of key (its bucket in *bucket_p), or NIL.
static uint32_t
s_find (throttle_t *self, const char *key, uint32_t *bucket_p)
{
    uint32_t b = s_bucket (self, key);
    if (bucket_p)
        *bucket_p = b;
    for (uint32_t i = self->buckets [b]; i != NIL; i = self->entries [i].chain)
        if (strcmp (self->entries [i].key, key) == 0)
            return i;
    return NIL;
}

static void
s_unlink_recency (throttle_t *self, uint32_t i)
{
    s_entry_t *e = &self->entries [i];
    if (e->newer != NIL)
        self->entries [e->newer].older = e->older;
    else
        self->newest = e->older;
    if (e->older != NIL)
        self->entries [e->older].newer = e->newer;
    else
        self->oldest = e->newer;
    e->newer = e->older = NIL;
}

//  Put entry i first in the recency list (a new entry is in no list yet:
//  it is not the newest and has no newer one).
static void
s_make_newest (throttle_t *self, uint32_t i)
{
    if (self->newest == i)
        return;
    s_entry_t *e = &self->entries [i];
    if (e->newer != NIL)
        s_unlink_recency (self, i);
    e->older = self->newest;
    e->newer = NIL;
    if (self->newest != NIL)
        self->entries [self->newest].newer = i;
    self->newest = i;
    if (self->oldest == NIL)
        self->oldest = i;
}

//  Take entry i out of its bucket and the recency list; onto the free list.
static void
s_remove (throttle_t *self, uint32_t i)
{
    s_entry_t *e = &self->entries [i];
    uint32_t *p = &self->buckets [s_bucket (self, e->key)];
    while (*p != i)
        p = &self->entries [*p].chain;
    *p = e->chain;
    s_unlink_recency (self, i);
    memset (e, 0, sizeof (*e));
    e->newer = e->older = NIL;
    e->chain = self->free;
    self->free = i;
    self->size--;
}

//  Room for more entries, up to the maximum: the array doubled, and the
//  buckets too while they are fewer than the entries (every key in use
//  hashed again; a free entry has an empty key).
static void
s_grow (throttle_t *self)
{
    uint32_t cap = self->cap ? 2 * self->cap : THROTTLE_START;
    if (cap > self->max)
        cap = self->max;
    self->entries = ddc_realloc (self->entries, cap * sizeof (*self->entries));
    self->cap = cap;
    if (self->mask + 1 >= cap)
        return;
    uint32_t nbuckets = self->mask + 1;
    while (nbuckets < cap)
        nbuckets <<= 1;
    free (self->buckets);
    self->buckets = ddc_malloc (nbuckets * sizeof (*self->buckets));
    self->mask = nbuckets - 1;
    for (uint32_t i = 0; i < nbuckets; i++)
        self->buckets [i] = NIL;
    for (uint32_t i = 0; i < self->unused; i++) {
        s_entry_t *e = &self->entries [i];
        if (!e->key [0])
            continue;
        uint32_t b = s_bucket (self, e->key);
        e->chain = self->buckets [b];
        self->buckets [b] = i;
    }
}

//  A new entry for key in bucket b; forgets the oldest when full.
static uint32_t
s_add (throttle_t *self, const char *key, uint32_t b)
{
    if (self->free == NIL && self->unused == self->cap && self->cap < self->max) {
        s_grow (self);
        b = s_bucket (self, key);
    }
    if (self->free == NIL && self->unused < self->cap) {
        self->entries [self->unused].chain = NIL; //  a free list of one
        self->free = self->unused++;
    }
    else if (self->free == NIL) {
        s_remove (self, self->oldest);
        b = s_bucket (self, key);
    }
    uint32_t i = self->free;
    s_entry_t *e = &self->entries [i];
    self->free = e->chain;
    memset (e, 0, sizeof (*e));
    ddc_strlcpy (e->key, key, sizeof (e->key));
    e->chain = self->buckets [b];
    self->buckets [b] = i;
    e->newer = e->older = NIL;
    s_make_newest (self, i);
    self->size++;
    return i;
}

//  Drop the attempts that left the window.
static void
s_expire (throttle_t *self, s_entry_t *e, int64_t now)
{
    while (e->count > 0 && now - e->times [e->head] >= self->window) {
        e->head = (uint8_t) ((e->head + 1) % self->limit);
        e->count--;
    }
}

int64_t
throttle_take (throttle_t *self, const char *key, int64_t now_ms)
{
    uint32_t b;
    uint32_t i = s_find (self, key, &b);
    if (i == NIL)
        i = s_add (self, key, b);
    else
        s_make_newest (self, i);
    s_entry_t *e = &self->entries [i];
    s_expire (self, e, now_ms);
    if (e->count >= self->limit) {
        //  until the oldest attempt leaves the window
        int64_t wait = e->times [e->head] + self->window - now_ms;
        return wait > 0 ? wait : 1;
    }
    e->times [(e->head + e->count) % self->limit] = now_ms;
    e->count++;
    return 0;
}

void
throttle_clear (throttle_t *self, const char *key)
{
    uint32_t i = s_find (self, key, NULL);
    if (i != NIL)
        s_remove (self, i);
}

size_t
throttle_size (const throttle_t *self)
{
    return self->size;
}

size_t
throttle_bytes (const throttle_t *self)
{
    return sizeof (*self) + (size_t) self->cap * sizeof (*self->entries)
           + (size_t) (self->mask + 1) * sizeof (*self->buckets);
}
