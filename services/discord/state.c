/*  state: the bot's state file. See state.h. */
#include "state.h"

#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"
#include "payload.h"

#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char channel [GW_ID_MAX];
    char (*ids) [STATE_ID_MAX]; //  owned, nids of them (at least 1)
    size_t nids;
    char kind [12];
} s_entry_t;

struct _state_t {
    char *path;
    s_entry_t entries [STATE_CHANNELS_MAX];
    size_t count;
    char commands [32];
};

static void
s_load (state_t *self)
{
    char *data = NULL;
    size_t len = 0;
    if (ddc_read_file (self->path, STATE_FILE_MAX, &data, &len) < 0) {
        if (errno != ENOENT)
            ddc_warn ("state: cannot read %s (%s): starting without it", self->path,
                      strerror (errno));
        return;
    }
    char why [160];
    cJSON *root = ddc_json_parse (data, len, STATE_FILE_MAX, why, sizeof (why));
    free (data);
    if (!root) {
        ddc_warn ("state: %s is not valid JSON (%s): starting without it", self->path, why);
        return;
    }
    if (!cJSON_IsObject (root)) {
        ddc_warn ("state: %s is not a JSON object: starting without it", self->path);
        cJSON_Delete (root);
        return;
    }
    const cJSON *chans = cJSON_GetObjectItemCaseSensitive (root, "channels");
    for (const cJSON *c = cJSON_IsObject (chans) ? chans->child : NULL;
         c && self->count < STATE_CHANNELS_MAX; c = c->next) {
        s_entry_t *e = &self->entries [self->count];
        char first [GW_ID_MAX];
        if (!gw_snowflake_ok (c->string) || gw_get_id (c, "message", first) < 0)
            continue;
        //  The other messages of an overview in several; an entry that is
        //  not an id ends the list.
        const cJSON *more = cJSON_GetObjectItemCaseSensitive (c, "more");
        e->ids = ddc_calloc (STATE_PARTS_MAX, sizeof (*e->ids));
        ddc_strlcpy (e->ids [0], first, sizeof (e->ids [0]));
        e->nids = 1;
        for (const cJSON *m = cJSON_IsArray (more) ? more->child : NULL;
             m && e->nids < STATE_PARTS_MAX && cJSON_IsString (m) && gw_snowflake_ok (m->valuestring);
             m = m->next)
            ddc_strlcpy (e->ids [e->nids++], m->valuestring, sizeof (e->ids [0]));
        ddc_strlcpy (e->channel, c->string, sizeof (e->channel));
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive (c, "kind");
        ddc_strlcpy (e->kind, cJSON_IsString (kind) ? kind->valuestring : "", sizeof (e->kind));
        self->count++;
    }
    const cJSON *cmds = cJSON_GetObjectItemCaseSensitive (root, "commands");
    if (cJSON_IsString (cmds)
        && (gw_snowflake_ok (cmds->valuestring) || strcmp (cmds->valuestring, "global") == 0))
        ddc_strlcpy (self->commands, cmds->valuestring, sizeof (self->commands));
    cJSON_Delete (root);
}

state_t *
state_new (const char *path)
{
    state_t *self = ddc_calloc (1, sizeof (*self));
    if (path && *path) {
        self->path = ddc_strdup (path);
        s_load (self);
    }
    return self;
}

void
state_destroy (state_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (size_t i = 0; i < (*self_p)->count; i++)
        free ((*self_p)->entries [i].ids);
    free ((*self_p)->path);
    free (*self_p);
    *self_p = NULL;
}

int
state_save (state_t *self)
{
    if (!self->path)
        return 0;
    cJSON *root = cJSON_CreateObject ();
    cJSON_AddNumberToObject (root, "version", 1);
    cJSON_AddStringToObject (root, "commands", self->commands);
    cJSON *chans = cJSON_AddObjectToObject (root, "channels");
    for (size_t i = 0; i < self->count; i++) {
        cJSON *e = cJSON_AddObjectToObject (chans, self->entries [i].channel);
        cJSON_AddStringToObject (e, "message", self->entries [i].ids [0]);
        if (self->entries [i].nids > 1) {
            cJSON *more = cJSON_AddArrayToObject (e, "more");
            for (size_t k = 1; k < self->entries [i].nids; k++)
                cJSON_AddItemToArray (more, cJSON_CreateString (self->entries [i].ids [k]));
        }
        cJSON_AddStringToObject (e, "kind", self->entries [i].kind);
    }
    char *text = cJSON_Print (root);
    cJSON_Delete (root);
    int rc = ddc_write_file_atomic (self->path, text, strlen (text), 0600);
    if (rc < 0)
        ddc_warn ("state: cannot write %s: %s", self->path, strerror (errno));
    free (text);
    return rc;
}

static s_entry_t *
s_find (state_t *self, const char *channel)
{
    for (size_t i = 0; channel && i < self->count; i++)
        if (strcmp (self->entries [i].channel, channel) == 0)
            return &self->entries [i];
    return NULL;
}

const char *
state_message (state_t *self, const char *channel)
{
    s_entry_t *e = s_find (self, channel);
    return e ? e->ids [0] : NULL;
}

size_t
state_messages (state_t *self, const char *channel, char ids [][STATE_ID_MAX], size_t max)
{
    s_entry_t *e = s_find (self, channel);
    size_t n = 0;
    for (; e && n < e->nids && n < max; n++)
        ddc_strlcpy (ids [n], e->ids [n], STATE_ID_MAX);
    return n;
}

int
state_set_messages (state_t *self, const char *channel, char ids [][STATE_ID_MAX], size_t n,
                    const char *kind)
{
    if (!gw_snowflake_ok (channel) || n > STATE_PARTS_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!gw_snowflake_ok (ids [i]))
            return -1;
    s_entry_t *e = s_find (self, channel);
    if (n == 0) {
        if (!e)
            return 0;
        free (e->ids);
        *e = self->entries [--self->count];
        return state_save (self);
    }
    if (!e) {
        if (self->count == STATE_CHANNELS_MAX)
            return -1;
        e = &self->entries [self->count++];
        memset (e, 0, sizeof (*e));
        ddc_strlcpy (e->channel, channel, sizeof (e->channel));
        e->ids = ddc_calloc (STATE_PARTS_MAX, sizeof (*e->ids));
    }
    else if (e->nids == n && strcmp (e->kind, kind ? kind : "") == 0) {
        size_t same = 0;
        while (same < n && strcmp (e->ids [same], ids [same]) == 0)
            same++;
        if (same == n)
            return 0;
    }
    for (size_t i = 0; i < n; i++)
        ddc_strlcpy (e->ids [i], ids [i], sizeof (e->ids [i]));
    e->nids = n;
    ddc_strlcpy (e->kind, kind ? kind : "", sizeof (e->kind));
    return state_save (self);
}

int
state_set_message (state_t *self, const char *channel, const char *message, const char *kind)
{
    char ids [1][STATE_ID_MAX];
    if (!message)
        return state_set_messages (self, channel, ids, 0, kind);
    if (strlen (message) >= sizeof (ids [0]))
        return -1;
    ddc_strlcpy (ids [0], message, sizeof (ids [0]));
    return state_set_messages (self, channel, ids, 1, kind);
}

const char *
state_channel_at (state_t *self, size_t i)
{
    return i < self->count ? self->entries [i].channel : NULL;
}

const char *
state_commands (state_t *self)
{
    return self->commands;
}

int
state_set_commands (state_t *self, const char *scope)
{
    if (strcmp (self->commands, scope ? scope : "") == 0)
        return 0;
    ddc_strlcpy (self->commands, scope ? scope : "", sizeof (self->commands));
    return state_save (self);
}
