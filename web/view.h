/*  view: what the dashboard and the save feedback show, computed from the
    broker's peers table (STATUS -> PEERS, kept fresh by the status/ PUB
    messages) and the live config. Kore-free. A view is a compact JSON
    object sent to browsers as it changes (Server-Sent Events) and rendered
    into HTML by render_view_* :
      {"up": true, "rev": 57,
       "broker":  {"config": {...}, "watchdog": {...}} (STATUS broker.config and
                  broker.watchdog as they are, or null),
       "peers":   [{"name", "role", "connected", "last_seen_ms", "applied_rev",
                    "applied": {"bot": 3, ...}, "rejected": null | {...}}],
       "gateway": [{"peer", "connected", "state", "detail", "time"}],
       "hosts":   [{"peer", "host", "connected", "reachable", "version", "error",
                    "time", "containers": [{"name", "display_name", "active",
                    "configured", "exists", "state", "health", "uptime_s",
                    "cpu_percent", "mem_bytes", "mem_limit"}]}],
       "sections": {"bot": {"rev", "author", "peer", "time"}, ...}}
    ("sections", who changed each section last, is added by cache.c from
    the bridge: an open form tells its user when its section changed.)
    Secrets never appear: the peers table holds none. */
#ifndef WEB_VIEW_H
#define WEB_VIEW_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

//  The view (caller owns). table (PEERS body) and containers (the section)
//  are borrowed and may be NULL.
cJSON *view_build (bool up, uint64_t rev, const cJSON *table, const cJSON *containers);
//  Its two parts: the view without "hosts", and the "hosts" array (caller
//  owns each; view_build is the first with the second added as "hosts").
//  The hosts read only the docker peers' names, roles, instances,
//  connection and "status" reports, and the containers section: a caller
//  that knows none of those changed may keep its hosts and build the rest.
cJSON *view_top (bool up, uint64_t rev, const cJSON *table);
cJSON *view_hosts (const cJSON *table, const cJSON *containers);

//  The hosts as view_hosts builds them, each host taken over from old (the
//  hosts the last call returned, taken; may be NULL) when what it is built
//  from is as it was then: its peer's name, instance and connection and
//  its "status" report (compared by a hash of them), and the
//  containers section (by its revision, containers_rev). memo holds what
//  the last call's hosts were built from and an id of each host's build:
//  view_memo_id, the same as long as a host is taken over. A new host's
//  member names are shared (ddc_keys_share).
typedef struct view_memo_t view_memo_t;
view_memo_t *view_memo_new (void);
void view_memo_destroy (view_memo_t **self_p);
cJSON *view_hosts_memo (const cJSON *table, const cJSON *containers, uint64_t containers_rev,
                        view_memo_t *memo, cJSON *old);
//  The id of the build of host i of the last view_hosts_memo (never 0), or 0.
uint64_t view_memo_id (const view_memo_t *self, size_t i);

//  Every container the Docker agents list ("inventory" reports), as
//  [{"host", "name", "image", "state", "status"[, "agents"]}] sorted by host
//  and name (caller owns): one row per host and name however many agents
//  of that host list it, and one row per Docker id when agents sharing an
//  engine list it under several host names (the configured ones, or else
//  the first host's; "agents" says how many listed it). containers (the
//  section, borrowed, may be NULL) says which are configured.
cJSON *view_inventory (const cJSON *table, const cJSON *containers);

//  An agent's "inventory" body as the peers table keeps it (caller owns):
//  its plain members, and each container one string
//  "name<TAB>id<TAB>image<TAB>state<TAB>status" (what view_inventory
//  reads, an empty value as none; a row with a tab in a value is left out), a fifth of the memory
//  of its objects: 20 agents sharing one Docker engine list its 1,000
//  containers each. view_inventory reads both forms.
cJSON *view_inventory_compact (const cJSON *body);
//  Every peer's inventory in table (a PEERS body) kept so.
void view_table_compact (cJSON *table);

//  {"host/name": "running", ...} from the agents' "status" reports (caller owns).
cJSON *view_states (const cJSON *table);

//  Put a status body (borrowed) into table under peer/topic (an inventory
//  kept compact), adding the peer when unknown. Returns 0, or -1 when the table is full or a name is bad.
int view_table_status (cJSON *table, const char *peer, const char *topic, const cJSON *body);

#endif
