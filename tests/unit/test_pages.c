/*  test_pages: services/lib/ddc_pages.c: the resident pages of the
    program's and the libraries' read-only segments go back to the page
    cache and come back unchanged on use; a segment with a page the process
    changed (here: a byte of this program's code, written as a debugger
    writes a breakpoint) and the relocated read-only data keep theirs; the
    once-after-start timing. */
#include "ddc_pages.h"

#include "ddc_test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

//  Relocated when the program is loaded (a position-independent program's
//  pointers), then made read-only: changed pages in a read-only mapping.
static const char *const s_words [] = { "alpha", "beta", "gamma" };

//  Never called: a byte of it is overwritten by the test.
__attribute__ ((noinline, used)) void
pages_test_victim (void)
{
    __asm__ volatile("" ::: "memory");
}

//  The Rss (KiB) of the mapping holding addr, from /proc/self/smaps; -1 if
//  not found.
static long
s_rss_of (const void *addr)
{
    FILE *f = fopen ("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line [1024];
    bool in = false;
    long rss = -1;
    while (fgets (line, sizeof (line), f)) {
        unsigned long lo, hi;
        char perms [8];
        if (sscanf (line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && strlen (perms) == 4
            && (perms [3] == 'p' || perms [3] == 's')) {
            in = (uintptr_t) addr >= lo && (uintptr_t) addr < hi;
            continue;
        }
        if (in && sscanf (line, "Rss: %ld kB", &rss) == 1)
            break;
    }
    fclose (f);
    return rss;
}

DDC_TEST (test_read_only_pages_go_and_come_back)
{
    //  this program's code and libc's are mapped, resident
    long own = s_rss_of ((const void *) &s_rss_of);
    long libc = s_rss_of ((const void *) &memcpy);
    CHECK (own > 0 && libc > 0);
    long kb = ddc_pages_release ();
    CHECK (kb >= own);
    //  gone: only what ran since (fgets, sscanf: a few pages) came back
    long libc_after = s_rss_of ((const void *) &memcpy);
    CHECK (libc_after >= 0 && libc_after < libc);
    //  and they work: code and constants as they were
    char buf [64];
    snprintf (buf, sizeof (buf), "%s-%s-%d", s_words [0], s_words [2], 42);
    CHECK_STR (buf, "alpha-gamma-42");
    CHECK (strcmp (s_words [1], "beta") == 0);
    CHECK (ddc_pages_release () >= 0); //  again: nothing breaks
    CHECK_STR (s_words [2], "gamma");
}

DDC_TEST (test_changed_code_page_is_kept)
{
    long page = sysconf (_SC_PAGESIZE);
    unsigned char *fn = (unsigned char *) (uintptr_t) &pages_test_victim;
    unsigned char *pg = (unsigned char *) ((uintptr_t) fn & ~((uintptr_t) page - 1));
    unsigned char was = fn [0];
    unsigned char now = (unsigned char) (was ^ 0xFF);
    //  as a debugger sets a breakpoint: the page becomes the process's own
    CHECK (mprotect (pg, (size_t) page, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
    fn [0] = now;
    CHECK (mprotect (pg, (size_t) page, PROT_READ | PROT_EXEC) == 0);
    CHECK (ddc_pages_release () >= 0);
    //  let go, the page would be the file's again: the byte as it was
    CHECK (fn [0] == now);
    CHECK (mprotect (pg, (size_t) page, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
    fn [0] = was;
    CHECK (mprotect (pg, (size_t) page, PROT_READ | PROT_EXEC) == 0);
}

DDC_TEST (test_once_after_start)
{
    CHECK (!ddc_pages_after_start (1000));                            //  the start
    CHECK (!ddc_pages_after_start (1000 + DDC_PAGES_SETTLE_MS - 1));  //  not yet
    CHECK (ddc_pages_after_start (1000 + DDC_PAGES_SETTLE_MS));       //  now
    CHECK (!ddc_pages_after_start (1000 + 10 * DDC_PAGES_SETTLE_MS)); //  once
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_read_only_pages_go_and_come_back);
    DDC_RUN (test_changed_code_page_is_kept);
    DDC_RUN (test_once_after_start);
    DDC_DONE ();
}
