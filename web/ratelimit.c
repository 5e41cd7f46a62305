/*  ratelimit: sliding-window failure counting. See ratelimit.h. */
#include "ratelimit.h"

#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char addr[RATELIMIT_ADDR_MAX];
    int64_t times[RATELIMIT_MAX_FAILS];  /* failure times, oldest first */
    int count;
} s_entry_t;

struct ratelimit_t {
    s_entry_t *entries;
    size_t size, max;
    int max_failures;
    int64_t window;
};

ratelimit_t *
ratelimit_new (size_t max_entries, int max_failures, int64_t window_ms)
{
    ratelimit_t *self = ddc_calloc (1, sizeof *self);
    self->max = max_entries ? max_entries : 1;
    self->max_failures = max_failures < 1 ? 1
                       : max_failures > RATELIMIT_MAX_FAILS ? RATELIMIT_MAX_FAILS : max_failures;
    self->window = window_ms > 0 ? window_ms : 1;
    self->entries = ddc_calloc (self->max, sizeof *self->entries);
    return self;
}

void
ratelimit_destroy (ratelimit_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->entries);
    free (*self_p);
    *self_p = NULL;
}

static s_entry_t *
s_find (ratelimit_t *self, const char *addr)
{
    for (size_t i = 0; i < self->size; i++)
        if (strncmp (self->entries[i].addr, addr, RATELIMIT_ADDR_MAX - 1) == 0)
            return &self->entries[i];
    return NULL;
}

/* Drop the failures that left the window. */
static void
s_expire (ratelimit_t *self, s_entry_t *e, int64_t now)
{
    int keep = 0;
    for (int i = 0; i < e->count; i++)
        if (now - e->times[i] < self->window)
            e->times[keep++] = e->times[i];
    e->count = keep;
}

static void
s_remove (ratelimit_t *self, s_entry_t *e)
{
    size_t i = (size_t) (e - self->entries);
    self->entries[i] = self->entries[--self->size];
}

int64_t
ratelimit_wait_ms (ratelimit_t *self, const char *addr, int64_t now_ms)
{
    s_entry_t *e = s_find (self, addr ? addr : "");
    if (!e)
        return 0;
    s_expire (self, e, now_ms);
    if (e->count == 0) {
        s_remove (self, e);
        return 0;
    }
    if (e->count < self->max_failures)
        return 0;
    /* the oldest failure that keeps the count at the limit */
    int64_t oldest = e->times[e->count - self->max_failures];
    int64_t wait = oldest + self->window - now_ms;
    return wait > 0 ? wait : 0;
}

void
ratelimit_fail (ratelimit_t *self, const char *addr, int64_t now_ms)
{
    addr = addr ? addr : "";
    s_entry_t *e = s_find (self, addr);
    if (!e) {
        if (self->size == self->max) {
            /* forget the address whose last failure is the oldest */
            size_t victim = 0;
            for (size_t i = 1; i < self->size; i++) {
                s_entry_t *a = &self->entries[i], *b = &self->entries[victim];
                int64_t ta = a->count ? a->times[a->count - 1] : INT64_MIN;
                int64_t tb = b->count ? b->times[b->count - 1] : INT64_MIN;
                if (ta < tb)
                    victim = i;
            }
            s_remove (self, &self->entries[victim]);
        }
        e = &self->entries[self->size++];
        memset (e, 0, sizeof *e);
        ddc_strlcpy (e->addr, addr, sizeof e->addr);
    }
    s_expire (self, e, now_ms);
    if (e->count == RATELIMIT_MAX_FAILS) {
        memmove (e->times, e->times + 1, (RATELIMIT_MAX_FAILS - 1) * sizeof e->times[0]);
        e->count--;
    }
    e->times[e->count++] = now_ms;
}

void
ratelimit_success (ratelimit_t *self, const char *addr)
{
    s_entry_t *e = s_find (self, addr ? addr : "");
    if (e)
        s_remove (self, e);
}

size_t
ratelimit_size (const ratelimit_t *self)
{
    return self->size;
}
