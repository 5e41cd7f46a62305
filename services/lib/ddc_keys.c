/*  ddc_keys: the pool of shared member names. See ddc_keys.h. */
#include "ddc_keys.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_SLOTS (DDC_KEYS_MAX * 2) //  open addressing: at most half full

static struct {
    pthread_mutex_t lock;
    char *slots [S_SLOTS];
    size_t count;
} s = { .lock = PTHREAD_MUTEX_INITIALIZER };

//  The pool's copy of name (added when there is room), or NULL. Locked.
static char *
s_pooled (const char *name)
{
    size_t len = strlen (name);
    if (len >= DDC_KEYS_LEN)
        return NULL;
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char) *p) * 1099511628211ULL;
    for (size_t i = (size_t) (h % S_SLOTS);; i = (i + 1) % S_SLOTS) {
        if (!s.slots [i]) {
            if (s.count == DDC_KEYS_MAX)
                return NULL;
            s.slots [i] = ddc_strdup (name);
            s.count++;
            return s.slots [i];
        }
        if (strcmp (s.slots [i], name) == 0)
            return s.slots [i];
    }
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
