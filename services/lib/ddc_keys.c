/*  ddc_keys: the pool of shared member names. See ddc_keys.h. */
#include "ddc_keys.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_SLOTS_MIN 64 //  open addressing, at most half full: grown as used

static struct {
    pthread_mutex_t lock;
    char **slots; //  nslots of them, NULL or a name
    size_t nslots;
    size_t count;
} s = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t
s_hash (const char *name)
{
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char) *p) * 1099511628211ULL;
    return h;
}

//  The free slot or the slot holding name. Locked.
static size_t
s_slot (char **slots, size_t nslots, const char *name)
{
    size_t i = (size_t) (s_hash (name) % nslots);
    while (slots [i] && strcmp (slots [i], name) != 0)
        i = (i + 1) % nslots;
    return i;
}

//  Twice the slots (S_SLOTS_MIN at first), the names placed again. Locked.
static void
s_grow (void)
{
    size_t nslots = s.nslots ? s.nslots * 2 : S_SLOTS_MIN;
    char **slots = ddc_calloc (nslots, sizeof (*slots));
    for (size_t i = 0; i < s.nslots; i++)
        if (s.slots [i])
            slots [s_slot (slots, nslots, s.slots [i])] = s.slots [i];
    free (s.slots);
    s.slots = slots;
    s.nslots = nslots;
}

//  The pool's copy of name (added when there is room), or NULL. Locked.
static char *
s_pooled (const char *name)
{
    if (strlen (name) >= DDC_KEYS_LEN)
        return NULL;
    if (s.nslots) {
        size_t i = s_slot (s.slots, s.nslots, name);
        if (s.slots [i])
            return s.slots [i];
    }
    if (s.count == DDC_KEYS_MAX)
        return NULL;
    if ((s.count + 1) * 2 > s.nslots)
        s_grow ();
    size_t i = s_slot (s.slots, s.nslots, name);
    s.slots [i] = ddc_strdup (name);
    s.count++;
    return s.slots [i];
}

//  Point c's name into the pool when it can. Locked.
static void
s_share_name (cJSON *c)
{
    if (!c->string || (c->type & cJSON_StringIsConst))
        return;
    char *pooled = s_pooled (c->string);
    if (pooled) {
        free (c->string);
        c->string = pooled;
        c->type |= cJSON_StringIsConst;
    }
}

//  The names of item, its siblings after it and everything below. Locked.
static void
s_share (cJSON *item, int depth)
{
    for (cJSON *c = item; c; c = c->next) {
        s_share_name (c);
        if (c->child && depth < DDC_JSON_MAX_DEPTH)
            s_share (c->child, depth + 1);
    }
}

void
ddc_keys_share (cJSON *tree)
{
    if (!tree)
        return;
    pthread_mutex_lock (&s.lock);
    //  the root's own name, and below it (its siblings are not the tree's)
    s_share_name (tree);
    if (tree->child)
        s_share (tree->child, 1);
    pthread_mutex_unlock (&s.lock);
}

size_t
ddc_keys_count (void)
{
    pthread_mutex_lock (&s.lock);
    size_t n = s.count;
    pthread_mutex_unlock (&s.lock);
    return n;
}
