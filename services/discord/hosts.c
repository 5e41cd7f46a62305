/*  hosts: the Docker hosts as the broker sees them. See hosts.h. */
#include "hosts.h"

#include "ddc_log.h"
#include "ddc_proto.h"
#include "ddc_util.h"
#include "overviews.h"

#include <stdlib.h>
#include <string.h>

#define S_STATUS_TIMEOUT_MS 5000

struct _hosts_t {
    app_t *app;
    uint64_t asking; //  generation of the STATUS in flight, 0 none
    uint64_t generation;
    int64_t asked_at; //  mono ms the first page was asked for
    int known;        //  Docker hosts in the pages so far
};

static int s_ask (hosts_t *self, uint64_t offset);

typedef struct {
    hosts_t *owner;
    uint64_t generation;
} s_ask_t;

hosts_t *
hosts_new (app_t *app)
{
    hosts_t *self = ddc_calloc (1, sizeof (*self));
    self->app = app;
    return self;
}

void
hosts_destroy (hosts_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

//  One row of the peers table: a docker peer's link and latest report,
//  unless something newer came meanwhile.
static bool
s_row (hosts_t *self, const cJSON *row, int64_t now)
{
    const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (row, "name"));
    if (!name || strncmp (name, "docker@", 7) != 0
        || live_host_at (self->app->live, name + 7) > self->asked_at)
        return false;
    bool connected = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (row, "connected"));
    const cJSON *seen = cJSON_GetObjectItemCaseSensitive (row, "last_seen_ms");
    int64_t since = 0;
    if (!connected && cJSON_IsNumber (seen) && seen->valuedouble >= 0)
        since = ddc_wall_ms () - (int64_t) seen->valuedouble;
    const cJSON *status = cJSON_GetObjectItemCaseSensitive (row, "status");
    const cJSON *report = cJSON_GetObjectItemCaseSensitive (status, "status");
    if (cJSON_IsObject (report))
        live_status (self->app->live, name, "status", report, now);
    live_link (self->app->live, name, connected, since, now);
    return true;
}

static void
s_on_peers (void *arg, const ddc_msg_t *reply)
{
    s_ask_t *ask = arg;
    hosts_t *self = ask->owner;
    bool current = ask->generation == self->asking;
    free (ask);
    if (!current)
        return;
    if (!reply || reply->type != DDC_PEERS) {
        ddc_warn ("hosts: the broker did not give its peers table (%s): the containers show "
                  "their state at the agents' next reports",
                  reply ? ddc_msg_name (reply->type) : "no answer");
        return;
    }
    const cJSON *table = reply->json [DDC_PEERS_BODY];
    const cJSON *peers = cJSON_GetObjectItemCaseSensitive (table, "peers");
    int64_t now = ddc_mono_ms ();
    for (const cJSON *row = cJSON_IsArray (peers) ? peers->child : NULL; row; row = row->next)
        self->known += s_row (self, row, now);
    overviews_dirty (self->app->overviews);
    //  The table comes in pages (proto/ddcp.md 5.6).
    const cJSON *next = cJSON_GetObjectItemCaseSensitive (table, "next");
    if (cJSON_IsNumber (next) && next->valuedouble > 0 && next->valuedouble < 1e9) {
        s_ask (self, (uint64_t) next->valuedouble);
        return;
    }
    ddc_info ("hosts: %d Docker host%s known from the broker's table", self->known,
              self->known == 1 ? "" : "s");
}

//  Ask for the page of the peers table from offset, with the Docker
//  agents' reports.
static int
s_ask (hosts_t *self, uint64_t offset)
{
    char req [40], off [24];
    ddc_req_id (req);
    snprintf (off, sizeof (off), "%llu", (unsigned long long) offset);
    zmsg_t *msg = ddc_msg_buildv (DDC_STATUS, req, off, "docker@*", NULL);
    s_ask_t *ask = ddc_calloc (1, sizeof (*ask));
    ask->owner = self;
    ask->generation = self->asking;
    if (!msg
        || ddc_client_request (self->app->client, &msg, S_STATUS_TIMEOUT_MS, 2, s_on_peers, ask)
               < 0) {
        zmsg_destroy (&msg);
        free (ask);
        self->asking = 0;
        ddc_warn ("hosts: cannot ask the broker for its peers table (request queue full)");
        return -1;
    }
    return 0;
}

void
hosts_on_connected (hosts_t *self)
{
    self->asking = ++self->generation;
    self->asked_at = ddc_mono_ms ();
    self->known = 0;
    s_ask (self, 0);
}

void
hosts_on_status (hosts_t *self, const char *peer, const char *topic, const cJSON *body)
{
    if (strncmp (peer, "docker@", 7) != 0 || strcmp (topic, "status") != 0)
        return;
    live_status (self->app->live, peer, topic, body, ddc_mono_ms ());
    overviews_dirty (self->app->overviews);
}

void
hosts_on_mon (hosts_t *self, const char *topic, const cJSON *body)
{
    //  mon/peer/<name>/: {"name", "role", "connected", "time", "reason"}
    if (strncmp (topic, "mon/peer/docker@", 16) != 0)
        return;
    const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "name"));
    const cJSON *connected = cJSON_GetObjectItemCaseSensitive (body, "connected");
    if (!name || strncmp (topic + 9, name, strlen (name)) != 0
        || strcmp (topic + 9 + strlen (name), "/") != 0 || !cJSON_IsBool (connected))
        return;
    const char *reason = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "reason"));
    int64_t since =
        live_parse_time (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "time")));
    live_link (self->app->live, name, cJSON_IsTrue (connected), since ? since : ddc_wall_ms (),
               ddc_mono_ms ());
    ddc_info ("hosts: %s %s (%s)", name, cJSON_IsTrue (connected) ? "connected" : "is gone",
              reason ? reason : "?");
    overviews_dirty (self->app->overviews);
}
