/*  cache: derived data and rendered pages by generation. See cache.h. */
#include "cache.h"

#include "web.h"
#include "bridge.h"
#include "view.h"

#include "ddc_keys.h"

#include <string.h>

#define S_PAGES (CACHE_DASHBOARD + 1)
#define S_LANGS DDC_LANGS //  the locale catalogue's

typedef struct {
    ddc_buf_t *b; //  NULL: none
    uint64_t gen;
} s_page_t;

static struct {
    cJSON *view, *inventory, *states;
    uint64_t view_gen, inventory_gen, states_gen; //  0: not built
    uint64_t hosts_gen;                           //  the reports' generation of the view's hosts
    view_memo_t *memo;                            //  what the view's hosts were built from
    s_page_t pages [S_PAGES][S_LANGS];
} s;

//  The bridge's generation, never 0 (0 marks "not built").
static uint64_t
s_gen (void)
{
    return bridge_gen () + 1;
}

//  *v built again from the table by build once per generation.
static const cJSON *
s_kept (cJSON **v, uint64_t *gen, cJSON *(*build) (const cJSON *table))
{
    if (*gen != s_gen ()) {
        cJSON_Delete (*v);
        *v = build (bridge_table ());
        ddc_keys_share (*v);
        *gen = s_gen ();
    }
    return *v;
}

//  The view of the current generation: its hosts taken over from the
//  view before when nothing they are built from has changed since (the
//  peers' rows polled every second while browsers follow change their
//  counters, not the hosts), and else each host whose peer's report,
//  connection and the containers section are as they were (one agent's
//  report does not build 1,000 containers' rows again).
const cJSON *
cache_view (void)
{
    if (s.view_gen == s_gen ())
        return s.view;
    const cJSON *table = bridge_table ();
    cJSON *v = view_top (bridge_up (), bridge_rev (), table);
    ddc_keys_share (v);
    uint64_t reports = bridge_reports_gen () + 1;
    cJSON *hosts = s.view ? cJSON_DetachItemFromObjectCaseSensitive (s.view, "hosts") : NULL;
    if (!s.memo)
        s.memo = view_memo_new ();
    if (!hosts || s.hosts_gen != reports) {
        uint64_t rev = 0;
        const cJSON *containers = bridge_section ("containers", &rev);
        hosts = view_hosts_memo (table, containers, rev, s.memo, hosts);
        s.hosts_gen = reports;
    }
    cJSON_AddItemToObject (v, "hosts", hosts);
    //  who changed each section last: an open form tells its user at once
    const cJSON *changes = bridge_changes ();
    if (changes) {
        cJSON *sections = cJSON_Duplicate (changes, true);
        ddc_keys_share (sections);
        cJSON_AddItemToObject (v, "sections", sections);
    }
    cJSON_Delete (s.view);
    s.view = v;
    s.view_gen = s_gen ();
    return s.view;
}

uint64_t
cache_view_host (size_t i)
{
    cache_view ();
    return view_memo_id (s.memo, i);
}

static cJSON *
s_build_inventory (const cJSON *table)
{
    return view_inventory (table, bridge_section ("containers", NULL));
}

const cJSON *
cache_inventory (void)
{
    return s_kept (&s.inventory, &s.inventory_gen, s_build_inventory);
}

const cJSON *
cache_states (void)
{
    return s_kept (&s.states, &s.states_gen, view_states);
}

static s_page_t *
s_slot (int page, const char *lang)
{
    if (page < 0 || page >= S_PAGES)
        return NULL;
    int l = ddc_i18n_index (lang);
    return &s.pages [page][l < 0 ? 0 : l];
}

const ddc_buf_t *
cache_page (int page, const char *lang)
{
    s_page_t *p = s_slot (page, lang);
    return p && p->b && p->gen == s_gen () ? p->b : NULL;
}

const ddc_buf_t *
cache_page_put (int page, const char *lang, ddc_buf_t **b_p)
{
    s_page_t *p = s_slot (page, lang);
    if (!p) {
        ddc_buf_destroy (b_p);
        return NULL;
    }
    ddc_buf_destroy (&p->b);
    p->b = *b_p;
    *b_p = NULL;
    p->gen = s_gen ();
    //  kept until the generation moves on: without the room it grew into
    ddc_buf_fit (p->b);
    return p->b;
}

//  *v freed when it was built for an older generation: true if it was.
static bool
s_drop (cJSON **v, uint64_t *gen)
{
    if (!*v || *gen == s_gen ())
        return false;
    cJSON_Delete (*v);
    *v = NULL;
    *gen = 0;
    return true;
}

void
cache_drop_stale (void)
{
    uint64_t gen = s_gen ();
    bool freed = false;
    for (int i = 0; i < S_PAGES; i++)
        for (int l = 0; l < S_LANGS; l++)
            if (s.pages [i][l].b && s.pages [i][l].gen != gen) {
                ddc_buf_destroy (&s.pages [i][l].b);
                freed = true;
            }
    freed = s_drop (&s.inventory, &s.inventory_gen) || freed;
    freed = s_drop (&s.states, &s.states_gen) || freed;
    //  a page and what it was made of: the heap's free pages go back soon
    if (freed)
        bridge_trim_soon ();
}

void
cache_clear (void)
{
    cJSON_Delete (s.view);
    cJSON_Delete (s.inventory);
    cJSON_Delete (s.states);
    view_memo_destroy (&s.memo);
    for (int i = 0; i < S_PAGES; i++)
        for (int l = 0; l < S_LANGS; l++)
            ddc_buf_destroy (&s.pages [i][l].b);
    memset (&s, 0, sizeof (s));
}
