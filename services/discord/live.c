/*  live: configuration and status view of the bot. See live.h. */
#include "live.h"

#include "ddc_config.h"
#include "ddc_keys.h"
#include "ddc_schema.h"
#include "ddc_tz.h"
#include "ddc_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int s_apply_bot (live_t *self, const cJSON *v, cJSON *errors);
static int s_apply_spam (live_t *self, const cJSON *v, cJSON *errors);
static int s_apply_docker (live_t *self, const cJSON *v, cJSON *errors);

live_t *
live_new (void)
{
    live_t *self = ddc_calloc (1, sizeof (*self));
    //  Until the sections come: the defaults of the schema's rows
    cJSON *empty = cJSON_CreateObject ();
    s_apply_bot (self, empty, NULL);
    s_apply_spam (self, empty, NULL);
    s_apply_docker (self, empty, NULL);
    cJSON_Delete (empty);
    return self;
}

static void
s_ctrs_free (live_ctr_t *ctrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free (ctrs [i].info_text);
        free (ctrs [i].roles);
    }
    free (ctrs);
}

void
live_destroy (live_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    live_t *self = *self_p;
    memset (self->token, 0, sizeof (self->token));
    s_ctrs_free (self->ctrs, self->nctrs);
    free (self->chans);
    free (self->admins);
    cJSON_Delete (self->command_cd);
    cJSON_Delete (self->button_cd);
    for (size_t i = 0; i < self->nhosts; i++)
        cJSON_Delete (self->hosts [i].body);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Helpers

static const char *
s_str (const cJSON *obj, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
    return cJSON_IsString (v) && v->valuestring ? v->valuestring : dflt;
}

void
live_key (const char *host, const char *name, char *out)
{
    //  FNV-1a 64 of "host/name", 12 hex digits (48 bits).
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = host; p && *p; p++)
        h = (h ^ (unsigned char) *p) * 1099511628211ULL;
    h = (h ^ '/') * 1099511628211ULL;
    for (const char *p = name; p && *p; p++)
        h = (h ^ (unsigned char) *p) * 1099511628211ULL;
    snprintf (out, LIVE_KEY_LEN + 1, "%012llx", (unsigned long long) (h & 0xffffffffffffULL));
}

unsigned
live_action_bit (const char *action)
{
    if (!action)
        return 0;
    if (strcmp (action, "start") == 0)
        return ACT_START;
    if (strcmp (action, "stop") == 0)
        return ACT_STOP;
    if (strcmp (action, "restart") == 0)
        return ACT_RESTART;
    if (strcmp (action, "logs") == 0)
        return ACT_LOGS;
    return 0;
}

const char *
live_action_name (unsigned bit)
{
    switch (bit) {
        case ACT_START:
            return "start";
        case ACT_STOP:
            return "stop";
        case ACT_RESTART:
            return "restart";
        case ACT_LOGS:
            return "logs";
        default:
            return "";
    }
}

static int
s_ctr_cmp (const void *a, const void *b)
{
    const live_ctr_t *x = a, *y = b;
    int c = strcmp (x->host, y->host);
    if (c)
        return c;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    c = strcasecmp (x->display, y->display);
    return c ? c : strcmp (x->name, y->name);
}

//  --------------------------------------------------------------------------
//  Sections

static int
s_apply_bot (live_t *self, const cJSON *v, cJSON *errors)
{
    if (!cJSON_IsObject (v)) {
        ddc_config_error (errors, "bot", "type", "bot must be an object");
        return -1;
    }
    ddc_strlcpy (self->token, ddc_schema_str (DDC_SEC_BOT, v, "token"), sizeof (self->token));
    ddc_strlcpy (self->guild, ddc_schema_str (DDC_SEC_BOT, v, "guild_id"), sizeof (self->guild));
    ddc_strlcpy (self->language, ddc_schema_str (DDC_SEC_BOT, v, "language"),
                 sizeof (self->language));
    ddc_strlcpy (self->timezone, ddc_schema_str (DDC_SEC_BOT, v, "timezone"),
                 sizeof (self->timezone));
    self->log_lines = ddc_schema_int (DDC_SEC_BOT, v, "log_lines");
    return 0;
}

//  roles {ACTION: [role id, ...]} into x->roles: one entry per role with
//  the actions it is allowed (at most 4 x DDC_ROLES_MAX of them).
static void
s_roles (live_ctr_t *x, const cJSON *roles)
{
    size_t cap = 4 * DDC_ROLES_MAX, n = 0;
    live_role_t *out = NULL;
    for (const cJSON *a = cJSON_IsObject (roles) ? roles->child : NULL; a; a = a->next) {
        unsigned bit = live_action_bit (a->string);
        int k = 0;
        for (const cJSON *id = cJSON_IsArray (a) && bit ? a->child : NULL; id && k < DDC_ROLES_MAX;
             id = id->next, k++) {
            if (!cJSON_IsString (id) || !*id->valuestring
                || strlen (id->valuestring) >= sizeof (out [0].id))
                continue;
            size_t i = 0;
            while (i < n && strcmp (out [i].id, id->valuestring) != 0)
                i++;
            if (i == n) {
                if (n == cap)
                    continue;
                out = ddc_realloc (out, (n + 1) * sizeof (*out));
                ddc_strlcpy (out [n].id, id->valuestring, sizeof (out [n].id));
                out [n++].actions = 0;
            }
            out [i].actions |= bit;
        }
    }
    x->roles = out;
    x->nroles = n;
}

static int
s_apply_containers (live_t *self, const cJSON *v, cJSON *errors)
{
    if (!cJSON_IsArray (v)) {
        ddc_config_error (errors, "containers", "type", "containers must be an array");
        return -1;
    }
    size_t n = (size_t) cJSON_GetArraySize (v);
    if (n > DDC_CONTAINERS_MAX)
        n = DDC_CONTAINERS_MAX;
    live_ctr_t *ctrs = ddc_calloc (n ? n : 1, sizeof (*ctrs));
    size_t count = 0;
    for (const cJSON *c = v->child; c && count < n; c = c->next) {
        const char *host = s_str (c, "host", NULL), *name = s_str (c, "name", NULL);
        if (!cJSON_IsObject (c) || !host || !name || !*host || !*name) {
            char field [64];
            snprintf (field, sizeof (field), "containers[%zu]", count);
            ddc_config_error (errors, field, "type", "a container needs a host and a name");
            s_ctrs_free (ctrs, count);
            return -1;
        }
        live_ctr_t *x = &ctrs [count++];
        ddc_strlcpy (x->host, host, sizeof (x->host));
        ddc_strlcpy (x->name, name, sizeof (x->name));
        const char *display = ddc_schema_str (DDC_SEC_CONTAINERS, c, "display_name");
        ddc_strlcpy (x->display, *display ? display : name, sizeof (x->display));
        x->order = ddc_schema_int (DDC_SEC_CONTAINERS, c, "order");
        x->active = ddc_schema_bool (DDC_SEC_CONTAINERS, c, "active");
        const cJSON *allowed = cJSON_GetObjectItemCaseSensitive (c, "allowed_actions");
        if (cJSON_IsArray (allowed)) {
            for (const cJSON *a = allowed->child; a; a = a->next)
                if (cJSON_IsString (a))
                    x->allowed |= live_action_bit (a->valuestring);
        }
        else
            x->allowed = ACT_START | ACT_STOP | ACT_RESTART;
        x->info_enabled = ddc_schema_bool (DDC_SEC_CONTAINERS, c, "info.enabled");
        x->info_text = ddc_strdup (ddc_schema_str (DDC_SEC_CONTAINERS, c, "info.text"));
        s_roles (x, cJSON_GetObjectItemCaseSensitive (c, "roles"));
        live_key (x->host, x->name, x->key);
    }
    qsort (ctrs, count, sizeof (*ctrs), s_ctr_cmp);
    s_ctrs_free (self->ctrs, self->nctrs);
    self->ctrs = ctrs;
    self->nctrs = count;
    return 0;
}

static int
s_apply_channels (live_t *self, const cJSON *v, cJSON *errors)
{
    if (!cJSON_IsArray (v)) {
        ddc_config_error (errors, "channels", "type", "channels must be an array");
        return -1;
    }
    size_t n = (size_t) cJSON_GetArraySize (v);
    if (n > DDC_CHANNELS_MAX)
        n = DDC_CHANNELS_MAX;
    live_chan_t *chans = ddc_calloc (n ? n : 1, sizeof (*chans));
    size_t count = 0;
    for (const cJSON *c = v->child; c && count < n; c = c->next) {
        const char *id = s_str (c, "id", NULL), *kind = s_str (c, "kind", "");
        if (!id || !*id || strlen (id) > 20
            || (strcmp (kind, "status") != 0 && strcmp (kind, "control") != 0)) {
            char field [64];
            snprintf (field, sizeof (field), "channels[%zu]", count);
            ddc_config_error (errors, field, "type",
                              "a channel needs an id and a kind (status or control)");
            free (chans);
            return -1;
        }
        live_chan_t *x = &chans [count++];
        ddc_strlcpy (x->id, id, sizeof (x->id));
        ddc_strlcpy (x->name, ddc_schema_str (DDC_SEC_CHANNELS, c, "name"), sizeof (x->name));
        x->kind = strcmp (kind, "control") == 0 ? CHAN_CONTROL : CHAN_STATUS;
        x->post_initial = ddc_schema_bool (DDC_SEC_CHANNELS, c, "post_initial");
        x->refresh_minutes = ddc_schema_int (DDC_SEC_CHANNELS, c, "refresh_minutes");
        x->recreate_minutes = ddc_schema_int (DDC_SEC_CHANNELS, c, "recreate_minutes");
        x->alerts = ddc_schema_bool (DDC_SEC_CHANNELS, c, "alerts");
    }
    free (self->chans);
    self->chans = chans;
    self->nchans = count;
    return 0;
}

static int
s_apply_admins (live_t *self, const cJSON *v, cJSON *errors)
{
    if (!cJSON_IsArray (v)) {
        ddc_config_error (errors, "admins", "type", "admins must be an array");
        return -1;
    }
    size_t n = (size_t) cJSON_GetArraySize (v);
    if (n > DDC_ADMINS_MAX)
        n = DDC_ADMINS_MAX;
    char (*admins) [24] = ddc_calloc (n ? n : 1, sizeof (*admins));
    size_t count = 0;
    for (const cJSON *a = v->child; a && count < n; a = a->next) {
        const char *id = s_str (a, "id", NULL);
        if (id && *id && strlen (id) < sizeof (admins [0]))
            ddc_strlcpy (admins [count++], id, sizeof (admins [0]));
    }
    free (self->admins);
    self->admins = admins;
    self->nadmins = count;
    return 0;
}

static int
s_apply_spam (live_t *self, const cJSON *v, cJSON *errors)
{
    if (!cJSON_IsObject (v)) {
        ddc_config_error (errors, "spam", "type", "spam must be an object");
        return -1;
    }
    self->spam_enabled = ddc_schema_bool (DDC_SEC_SPAM, v, "enabled");
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive (v, "command_cooldowns");
    const cJSON *bc = cJSON_GetObjectItemCaseSensitive (v, "button_cooldowns");
    cJSON_Delete (self->command_cd);
    cJSON_Delete (self->button_cd);
    self->command_cd = cJSON_IsObject (cc) ? cJSON_Duplicate (cc, 1) : NULL;
    self->button_cd = cJSON_IsObject (bc) ? cJSON_Duplicate (bc, 1) : NULL;
    return 0;
}

static int
s_apply_docker (live_t *self, const cJSON *v, cJSON *errors)
{
    if (!cJSON_IsObject (v)) {
        ddc_config_error (errors, "docker", "type", "docker must be an object");
        return -1;
    }
    self->stats_interval_s = ddc_schema_int (DDC_SEC_DOCKER, v, "stats_interval_seconds");
    self->stop_timeout_s = ddc_schema_int (DDC_SEC_DOCKER, v, "stop_timeout_seconds");
    return 0;
}

int
live_apply (live_t *self, const char *section, const cJSON *value, cJSON *errors)
{
    if (!section)
        return -1;
    if (strcmp (section, "bot") == 0)
        return s_apply_bot (self, value, errors);
    if (strcmp (section, "containers") == 0)
        return s_apply_containers (self, value, errors);
    if (strcmp (section, "channels") == 0)
        return s_apply_channels (self, value, errors);
    if (strcmp (section, "admins") == 0)
        return s_apply_admins (self, value, errors);
    if (strcmp (section, "spam") == 0)
        return s_apply_spam (self, value, errors);
    if (strcmp (section, "docker") == 0)
        return s_apply_docker (self, value, errors);
    return 0;
}

//  The entry of host, made when missing (the one heard from least
//  recently goes when the table is full).
static size_t
s_host_entry (live_t *self, const char *host)
{
    size_t i = 0;
    while (i < self->nhosts && strcmp (self->hosts [i].host, host) != 0)
        i++;
    if (i < self->nhosts)
        return i;
    if (self->nhosts == LIVE_HOSTS_MAX) {
        size_t old = 0;
        for (size_t j = 1; j < self->nhosts; j++)
            if (self->hosts [j].at < self->hosts [old].at)
                old = j;
        cJSON_Delete (self->hosts [old].body);
        self->hosts [old] = self->hosts [--self->nhosts];
        i = self->nhosts;
    }
    self->nhosts++;
    memset (&self->hosts [i], 0, sizeof (self->hosts [i]));
    ddc_strlcpy (self->hosts [i].host, host, sizeof (self->hosts [i].host));
    return i;
}

//  The host of peer "docker@HOST", or NULL.
static const char *
s_docker_host (const live_t *self, const char *peer)
{
    if (!peer || strncmp (peer, "docker@", 7) != 0)
        return NULL;
    const char *host = peer + 7;
    return *host && strlen (host) < sizeof (self->hosts [0].host) ? host : NULL;
}

//  Copy the members of from named in keys into to.
static void
s_copy_members (cJSON *to, const cJSON *from, const char *const *keys)
{
    for (; *keys; keys++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive (from, *keys);
        if (v)
            cJSON_AddItemToObject (to, *keys, cJSON_Duplicate (v, 1));
    }
}

//  What live_ctr_status reads of a status report: docker's reachable and
//  unreachable_since, of each container what its line shows (a report
//  carries more: image, limits, times; kept whole, 1,000 containers' would
//  take twice the memory).
static cJSON *
s_status_copy (const cJSON *body)
{
    static const char *const docker_keys [] = { "reachable", "unreachable_since", NULL };
    static const char *const ctr_keys [] = { "exists",      "state",     "health", "uptime_s",
                                             "cpu_percent", "mem_bytes", NULL };
    cJSON *out = cJSON_CreateObject ();
    s_copy_members (cJSON_AddObjectToObject (out, "docker"),
                    cJSON_GetObjectItemCaseSensitive (body, "docker"), docker_keys);
    cJSON *ctrs = cJSON_AddObjectToObject (out, "containers");
    const cJSON *each;
    cJSON_ArrayForEach (each, cJSON_GetObjectItemCaseSensitive (body, "containers")) {
        if (!cJSON_IsObject (each) || !each->string)
            continue;
        cJSON *c = cJSON_CreateObject ();
        s_copy_members (c, each, ctr_keys);
        cJSON_AddItemToObject (ctrs, each->string, c);
    }
    ddc_keys_share (out);
    return out;
}

void
live_status (live_t *self, const char *peer, const char *topic, const cJSON *body, int64_t now)
{
    const char *host = s_docker_host (self, peer);
    if (!host || !topic || strcmp (topic, "status") != 0 || !cJSON_IsObject (body))
        return;
    size_t i = s_host_entry (self, host);
    cJSON_Delete (self->hosts [i].body);
    self->hosts [i].body = s_status_copy (body);
    self->hosts [i].at = now;
    self->hosts [i].gone = false;
    self->hosts [i].gone_since = 0;
}

void
live_link (live_t *self, const char *peer, bool connected, int64_t since, int64_t now)
{
    const char *host = s_docker_host (self, peer);
    if (!host)
        return;
    size_t i = s_host_entry (self, host);
    if (self->hosts [i].gone != !connected)
        self->hosts [i].gone_since = connected ? 0 : since;
    self->hosts [i].gone = !connected;
    self->hosts [i].at = now;
}

int64_t
live_host_at (const live_t *self, const char *host)
{
    for (size_t i = 0; host && i < self->nhosts; i++)
        if (strcmp (self->hosts [i].host, host) == 0)
            return self->hosts [i].at;
    return 0;
}

int64_t
live_parse_time (const char *iso)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (!iso || sscanf (iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6
        || n != 19 || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > ddc_tz_days_in_month (y, mo)
        || h > 23 || mi > 59 || sec > 60)
        return 0;
    const char *rest = iso + n;
    int ms = 0;
    if (*rest == '.') {
        int digits = 0;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
            if (digits < 3)
                ms = ms * 10 + (*rest - '0');
        if (digits == 0)
            return 0;
        for (; digits < 3; digits++)
            ms *= 10;
    }
    if (strcmp (rest, "Z") != 0)
        return 0;
    int64_t days = ddc_tz_days_from_civil (y, mo, d);
    return ((days * 86400 + h * 3600 + mi * 60 + sec) * 1000) + ms;
}

//  --------------------------------------------------------------------------
//  Lookups

const live_chan_t *
live_channel (const live_t *self, const char *id)
{
    for (size_t i = 0; id && i < self->nchans; i++)
        if (strcmp (self->chans [i].id, id) == 0)
            return &self->chans [i];
    return NULL;
}

bool
live_is_admin (const live_t *self, const char *user_id)
{
    for (size_t i = 0; user_id && *user_id && i < self->nadmins; i++)
        if (strcmp (self->admins [i], user_id) == 0)
            return true;
    return false;
}

int
live_cooldown (const live_t *self, bool button, const char *key)
{
    if (!self->spam_enabled || !key)
        return 0;
    const cJSON *map = button ? self->button_cd : self->command_cd;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (map, key);
    if (!cJSON_IsNumber (v) || v->valuedouble <= 0)
        return 0;
    return v->valuedouble > 3600 ? 3600 : (int) v->valuedouble;
}

const live_ctr_t *
live_ctr_by_key (const live_t *self, const char *key)
{
    for (size_t i = 0; key && i < self->nctrs; i++)
        if (self->ctrs [i].active && strcmp (self->ctrs [i].key, key) == 0)
            return &self->ctrs [i];
    return NULL;
}

const live_ctr_t *
live_ctr_find (const live_t *self, const char *text)
{
    if (!text || !*text)
        return NULL;
    const live_ctr_t *c = live_ctr_by_key (self, text);
    if (c)
        return c;
    for (size_t i = 0; i < self->nctrs; i++) {
        const live_ctr_t *x = &self->ctrs [i];
        if (!x->active)
            continue;
        char both [200];
        snprintf (both, sizeof (both), "%s/%s", x->host, x->name);
        if (strcasecmp (x->name, text) == 0 || strcasecmp (both, text) == 0)
            return x;
    }
    for (size_t i = 0; i < self->nctrs; i++)
        if (self->ctrs [i].active && strcasecmp (self->ctrs [i].display, text) == 0)
            return &self->ctrs [i];
    return NULL;
}

size_t
live_active_count (const live_t *self)
{
    size_t n = 0;
    for (size_t i = 0; i < self->nctrs; i++)
        n += self->ctrs [i].active;
    return n;
}

static bool
s_pending (const live_t *self, const char *key, int64_t now)
{
    for (size_t i = 0; i < self->npending; i++)
        if (strcmp (self->pending [i].key, key) == 0 && self->pending [i].until > now)
            return true;
    return false;
}

void
live_ctr_status (const live_t *self, const live_ctr_t *c, int64_t now, live_st_t *out)
{
    memset (out, 0, sizeof (*out));
    out->state = ST_UNKNOWN;
    out->uptime_s = -1;
    const cJSON *body = NULL;
    int64_t at = 0;
    bool gone = false;
    int64_t gone_since = 0;
    for (size_t i = 0; i < self->nhosts; i++)
        if (strcmp (self->hosts [i].host, c->host) == 0) {
            body = self->hosts [i].body;
            at = self->hosts [i].at;
            gone = self->hosts [i].gone;
            gone_since = self->hosts [i].gone_since;
        }
    int64_t stale = 3000LL * self->stats_interval_s + 15000;
    if (stale < 60000)
        stale = 60000;
    if (gone) {
        out->host_down = true;
        out->host_issue = HOST_AGENT_GONE;
        out->host_since = gone_since;
    }
    else if (body && now - at <= stale) {
        const cJSON *docker = cJSON_GetObjectItemCaseSensitive (body, "docker");
        const cJSON *reachable = cJSON_GetObjectItemCaseSensitive (docker, "reachable");
        if (cJSON_IsFalse (reachable)) {
            out->host_down = true;
            out->host_issue = HOST_DOCKER_DOWN;
            out->host_since = live_parse_time (s_str (docker, "unreachable_since", NULL));
        }
        const cJSON *ctrs = cJSON_GetObjectItemCaseSensitive (body, "containers");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive (ctrs, c->name);
        if (cJSON_IsObject (e) && !out->host_down) {
            const char *state = s_str (e, "state", "");
            ddc_strlcpy (out->raw, state, sizeof (out->raw));
            ddc_strlcpy (out->health, s_str (e, "health", ""), sizeof (out->health));
            if (cJSON_IsFalse (cJSON_GetObjectItemCaseSensitive (e, "exists")))
                out->state = ST_STOPPED;
            else if (strcmp (state, "running") == 0)
                out->state = ST_RUNNING;
            else if (strcmp (state, "restarting") == 0 || strcmp (state, "removing") == 0)
                out->state = ST_PENDING;
            else if (strcmp (state, "exited") == 0 || strcmp (state, "created") == 0
                     || strcmp (state, "dead") == 0 || strcmp (state, "paused") == 0
                     || strcmp (state, "missing") == 0)
                out->state = ST_STOPPED;
            const cJSON *cpu = cJSON_GetObjectItemCaseSensitive (e, "cpu_percent");
            const cJSON *mem = cJSON_GetObjectItemCaseSensitive (e, "mem_bytes");
            if (cJSON_IsNumber (cpu) && cJSON_IsNumber (mem) && out->state == ST_RUNNING) {
                out->has_stats = true;
                out->cpu = cpu->valuedouble < 0 ? 0 : cpu->valuedouble;
                out->mem = mem->valuedouble < 0 ? 0 : mem->valuedouble;
            }
            const cJSON *up = cJSON_GetObjectItemCaseSensitive (e, "uptime_s");
            if (cJSON_IsNumber (up) && up->valuedouble >= 0 && up->valuedouble < 1e12)
                out->uptime_s = (int64_t) up->valuedouble;
        }
    }
    if (s_pending (self, c->key, now))
        out->state = ST_PENDING;
}

void
live_patch_state (live_t *self, const char *host, const char *name, const char *state, int64_t now)
{
    (void) now;
    if (!host || !name || !state || !*state)
        return;
    for (size_t i = 0; i < self->nhosts; i++) {
        if (strcmp (self->hosts [i].host, host) != 0)
            continue;
        cJSON *ctrs = cJSON_GetObjectItemCaseSensitive (self->hosts [i].body, "containers");
        cJSON *e = cJSON_GetObjectItemCaseSensitive (ctrs, name);
        if (!cJSON_IsObject (e))
            return;
        cJSON_DeleteItemFromObjectCaseSensitive (e, "state");
        cJSON_AddStringToObject (e, "state", state);
        if (strcmp (state, "running") != 0) {
            cJSON_DeleteItemFromObjectCaseSensitive (e, "uptime_s");
            cJSON_DeleteItemFromObjectCaseSensitive (e, "cpu_percent");
            cJSON_DeleteItemFromObjectCaseSensitive (e, "mem_bytes");
        }
        else {
            //  A restart: the uptime starts again.
            cJSON_DeleteItemFromObjectCaseSensitive (e, "uptime_s");
            cJSON_AddNumberToObject (e, "uptime_s", 0);
        }
        return;
    }
}

void
live_set_pending (live_t *self, const char *key, int64_t until)
{
    for (size_t i = 0; i < self->npending; i++)
        if (strcmp (self->pending [i].key, key) == 0) {
            self->pending [i].until = until;
            return;
        }
    if (self->npending == LIVE_PENDING_MAX) {
        size_t old = 0;
        for (size_t i = 1; i < self->npending; i++)
            if (self->pending [i].until < self->pending [old].until)
                old = i;
        self->pending [old] = self->pending [--self->npending];
    }
    ddc_strlcpy (self->pending [self->npending].key, key, LIVE_KEY_LEN + 1);
    self->pending [self->npending++].until = until;
}

void
live_clear_pending (live_t *self, const char *key)
{
    for (size_t i = 0; i < self->npending; i++)
        if (strcmp (self->pending [i].key, key) == 0) {
            self->pending [i] = self->pending [--self->npending];
            return;
        }
}
