/*  ddc_pages: the pages of the program and its shared libraries that this
    process has mapped. Owns letting go, once a service has started, of
    the resident pages of its read-only file mappings (code, constants,
    symbol tables): loading the libraries and starting touch several
    times more of them than a running service uses. A page let go stays in the page cache, shared with every
    other process, and is mapped again, without reading the disk, on its
    next use; the resident and proportional set sizes then count what the
    service uses while it runs. A mapping with a page the process changed
    (relocation tables made read-only after the loader wrote them, a
    debugger's breakpoint) keeps all its pages. */
#ifndef DDC_PAGES_H
#define DDC_PAGES_H

#include <stdbool.h>
#include <stdint.h>

//  How long after its start (the first call of ddc_pages_after_start) a
//  service lets go of its start's pages: connected, configured, its first
//  rounds of work done.
#define DDC_PAGES_SETTLE_MS 10000

//  The resident pages of every read-only file mapping of this process
//  without a changed page go back to the page cache (madvise
//  MADV_DONTNEED). The KiB that were resident in them, or -1 when
//  /proc/self/smaps cannot be read (nothing is let go then).
long ddc_pages_release (void);

//  ddc_pages_release, logged (once a service has started).
void ddc_pages_let_go (void);

//  Called from a service's loop (now_ms: ddc_mono_ms): the first call
//  marks the start; once DDC_PAGES_SETTLE_MS have passed, ddc_pages_release
//  runs (once per process), logged. true on the call that did it.
bool ddc_pages_after_start (int64_t now_ms);

#endif
