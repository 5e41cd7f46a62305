/*  ddc_pages: lets go of the start's program and library pages.
    See ddc_pages.h. */
#include "ddc_pages.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <ctype.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
    uintptr_t lo, hi;
    long rss_kb;
    bool done;
} s_range_t;

typedef struct {
    s_range_t *ranges;
    size_t n;
    uintptr_t page;
    long kb;
} s_ctx_t;

//  "7f12-7f34 r-xp 00000000 08:01 1234   /usr/lib/x.so": a mapping's first
//  line; the lines of its fields start with a name and a colon.
static bool
s_mapping_line (const char *line, uintptr_t *lo, uintptr_t *hi, bool *candidate)
{
    unsigned long a, b;
    char perms [8];
    int path = 0;
    if (!isxdigit ((unsigned char) line [0])
        || sscanf (line, "%lx-%lx %7s %*s %*s %*s %n", &a, &b, perms, &path) != 3 || path == 0)
        return false;
    *lo = a;
    *hi = b;
    //  a file's (a path; not [vdso], [heap] or an anonymous mapping),
    //  never written through this mapping
    *candidate = line [path] == '/' && !strchr (perms, 'w') && b > a;
    return true;
}

//  A field that rules a mapping out: a changed (anonymous) page, a locked one.
static bool
s_rules_out (const char *line)
{
    size_t kb = 0;
    return (sscanf (line, "Anonymous: %zu kB", &kb) == 1
            || sscanf (line, "Locked: %zu kB", &kb) == 1)
           && kb > 0;
}

static void
s_add (s_range_t **ranges, size_t *n, size_t *cap, const s_range_t *r)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *ranges = ddc_realloc (*ranges, *cap * sizeof (**ranges));
    }
    (*ranges) [(*n)++] = *r;
}

//  The read-only file mappings with no changed or locked page, from
//  /proc/self/smaps, in address order; -1 if it cannot be read.
static int
s_read_smaps (s_range_t **ranges, size_t *n)
{
    FILE *f = fopen ("/proc/self/smaps", "re");
    if (!f)
        return -1;
    size_t cap = 0;
    s_range_t cur = { 0 };
    bool candidate = false, whole = true;
    char line [512];
    for (;;) {
        bool more = fgets (line, sizeof (line), f) != NULL;
        bool continued = !whole; //  the rest of a line longer than the buffer
        whole = !more || strchr (line, '\n');
        if (continued)
            continue;
        uintptr_t lo, hi;
        bool cand;
        bool header = more && s_mapping_line (line, &lo, &hi, &cand);
        if (!more || header) {
            if (candidate)
                s_add (ranges, n, &cap, &cur);
            if (!more)
                break;
            cur = (s_range_t){ lo, hi, 0, false };
            candidate = cand;
        }
        else if (candidate && s_rules_out (line))
            candidate = false;
        else if (candidate)
            sscanf (line, "Rss: %ld kB", &cur.rss_kb);
    }
    fclose (f);
    return 0;
}

//  Per loaded object, with the loader's lock held (no library comes or
//  goes meanwhile): its segments that are never writable, as far as
//  /proc/self/smaps showed them with no changed page, are let go.
static int
s_object (struct dl_phdr_info *info, size_t size, void *arg)
{
    (void) size;
    s_ctx_t *ctx = arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW (Phdr) *ph = &info->dlpi_phdr [i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_memsz == 0)
            continue;
        uintptr_t lo = (info->dlpi_addr + ph->p_vaddr) & ~(ctx->page - 1);
        uintptr_t hi =
            (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + ctx->page - 1) & ~(ctx->page - 1);
        for (size_t k = 0; k < ctx->n; k++) {
            s_range_t *r = &ctx->ranges [k];
            uintptr_t a = r->lo > lo ? r->lo : lo;
            uintptr_t b = r->hi < hi ? r->hi : hi;
            if (a >= b || madvise ((void *) a, b - a, MADV_DONTNEED) != 0)
                continue;
            if (!r->done)
                ctx->kb += r->rss_kb;
            r->done = true;
        }
    }
    return 0;
}

long
ddc_pages_release (void)
{
    s_ctx_t ctx = { .page = (uintptr_t) sysconf (_SC_PAGESIZE) };
    if (s_read_smaps (&ctx.ranges, &ctx.n) != 0)
        return -1;
    dl_iterate_phdr (s_object, &ctx);
    free (ctx.ranges);
    return ctx.kb;
}

void
ddc_pages_let_go (void)
{
    int64_t began = ddc_mono_us ();
    long kb = ddc_pages_release ();
    if (kb < 0)
        ddc_info ("start-up pages: /proc/self/smaps cannot be read: all stay mapped");
    else
        ddc_info ("start-up pages let go: %ld KiB of program and library pages, in %.1f ms (they "
                  "stay in the page cache)",
                  kb, (double) (ddc_mono_us () - began) / 1000.0);
}

bool
ddc_pages_after_start (int64_t now_ms)
{
    static int64_t s_started;
    static bool s_done;
    if (s_done)
        return false;
    if (!s_started) {
        s_started = now_ms ? now_ms : 1;
        return false;
    }
    if (now_ms - s_started < DDC_PAGES_SETTLE_MS)
        return false;
    s_done = true;
    ddc_pages_let_go ();
    return true;
}
