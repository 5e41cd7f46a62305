/*  cache: what ddc-web's pages derive from the bridge (the peers table,
    the configuration, the broker's state), kept until bridge_gen changes:
    the live view (view.h), the containers page's inventory and states,
    and whole rendered pages per (page, language). A kept page is rendered
    for every signed-in session at once, with the places of the session's
    CSRF token marked (rctx_t.csrf_mark); web_page_marked puts each
    session's token there. So a page is rendered again only when something
    it shows has changed, not for every request; what a generation left
    behind is freed once the next one has begun. Runs on the worker's
    event loop. */
#ifndef WEB_CACHE_H
#define WEB_CACHE_H

#include <cJSON.h>

#include "ddc_config.h"
#include "ddc_buf.h"

//  The page number of the dashboard; a section page's number is its
//  ddc_section_t.
#define CACHE_DASHBOARD DDC_SEC_COUNT

//  The view, the inventory and the states (view.h) of the current table,
//  built once per generation (borrowed until the bridge's next change).
const cJSON *cache_view (void);
const cJSON *cache_inventory (void);
const cJSON *cache_states (void);
//  Which build of host i of the current view it holds: the same number as
//  long as the host is taken over from view to view (nothing it shows
//  changed), another once it was built again; 0 for none.
uint64_t cache_view_host (size_t i);

//  The kept rendering of page in lang (a language code) for the current
//  generation (borrowed), or NULL.
const ddc_buf_t *cache_page (int page, const char *lang);
//  Keep *b_p (set to NULL) as that rendering; returns it (borrowed).
const ddc_buf_t *cache_page_put (int page, const char *lang, ddc_buf_t **b_p);

//  Free what an older generation left: its pages, inventory and states can
//  never be sent again (the view stays: the live view asks for it again at once), and the
//  heap's free pages go back to the system soon after. Not while a request borrows
//  them: from the event loop's timer.
void cache_drop_stale (void);
//  Drop everything (worker teardown).
void cache_clear (void);

#endif
