/*  reply: responses to one interaction. See reply.h. */
#include "reply.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _reply_t {
    app_t *app;
    char id [GW_ID_MAX];
    char app_id [GW_ID_MAX];
    char token [GW_TOKEN_MAX];
    int inflight; //  REST requests whose callback is pending
    bool released;
    bool acked;
    bool failed;        //  the callback was refused: no edits
    int64_t created_ms; //  mono: when the interaction came
    bool editing;
    int depth;              //  inside a function of ours: do not free
    cJSON *next_edit;       //  waiting for the ack or the edit in flight
    reply_edit_fn *on_edit; //  told of each edit's answer
    void *on_edit_arg;
};

void
reply_on_edit (reply_t *self, reply_edit_fn *fn, void *arg)
{
    self->on_edit = fn;
    self->on_edit_arg = arg;
}

static void s_send_edit (reply_t *self);

static void
s_enter (reply_t *self)
{
    self->depth++;
}

//  Leave one of our functions; the reply may be freed: touch it no more.
static void
s_leave (reply_t *self)
{
    if (--self->depth > 0)
        return;
    if (!self->released || self->inflight > 0 || (self->next_edit && !self->failed))
        return;
    cJSON_Delete (self->next_edit);
    memset (self->token, 0, sizeof (self->token));
    free (self);
}

reply_t *
reply_new (app_t *app, const gw_interaction_t *ix)
{
    reply_t *self = ddc_calloc (1, sizeof (*self));
    self->app = app;
    ddc_strlcpy (self->id, ix->id, sizeof (self->id));
    ddc_strlcpy (self->app_id, ix->app_id, sizeof (self->app_id));
    ddc_strlcpy (self->token, ix->token, sizeof (self->token));
    self->created_ms = ddc_mono_ms ();
    return self;
}

static void
s_on_ack (void *arg, int status, const cJSON *json, int code)
{
    (void) json;
    reply_t *self = arg;
    s_enter (self);
    self->inflight--;
    app_metrics_t *m = &self->app->metrics;
    if (status != REST_CANCELLED) {
        if (status == 200 || status == 204)
            m->acks_ok++;
        else
            m->acks_failed++;
        ddc_histogram_observe (&m->ack_seconds,
                               (double) (ddc_mono_ms () - self->created_ms) / 1000.0);
    }
    if (status == 200 || status == 204) {
        self->acked = true;
        if (self->next_edit)
            s_send_edit (self);
    }
    else {
        self->failed = true;
        if (status != REST_CANCELLED)
            ddc_warn ("interaction %s: the response was refused (HTTP %d, code %d)", self->id,
                      status, code);
        cJSON_Delete (self->next_edit);
        self->next_edit = NULL;
        if (self->on_edit)
            self->on_edit (self->on_edit_arg, status, NULL);
    }
    s_leave (self);
}

void
reply_ack (reply_t *self, int type, cJSON **data_p)
{
    assert (self);
    cJSON *data = data_p ? *data_p : NULL;
    if (data_p)
        *data_p = NULL;
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddNumberToObject (body, "type", type);
    if (data)
        cJSON_AddItemToObject (body, "data", data);
    char path [GW_TOKEN_MAX + 96];
    snprintf (path, sizeof (path), "/interactions/%s/%s/callback", self->id, self->token);
    s_enter (self);
    self->inflight++;
    rest_call (self->app->rest, "POST", path, &body, REST_NOAUTH, s_on_ack, self);
    s_leave (self);
}

static void
s_on_edit (void *arg, int status, const cJSON *json, int code)
{
    reply_t *self = arg;
    s_enter (self);
    self->inflight--;
    self->editing = false;
    if (self->on_edit)
        self->on_edit (self->on_edit_arg, status, json);
    if (status != 200 && status != REST_CANCELLED)
        ddc_warn ("interaction %s: editing the response failed (HTTP %d, code %d)", self->id,
                  status, code);
    if (status == REST_CANCELLED) {
        self->failed = true;
        cJSON_Delete (self->next_edit);
        self->next_edit = NULL;
    }
    if (self->next_edit)
        s_send_edit (self);
    s_leave (self);
}

static void
s_send_edit (reply_t *self)
{
    if (self->editing || !self->next_edit)
        return;
    cJSON *data = self->next_edit;
    self->next_edit = NULL;
    char path [GW_TOKEN_MAX + 96];
    snprintf (path, sizeof (path), "/webhooks/%s/%s/messages/@original", self->app_id, self->token);
    self->inflight++;
    self->editing = true;
    rest_call (self->app->rest, "PATCH", path, &data, REST_NOAUTH, s_on_edit, self);
}

void
reply_edit (reply_t *self, cJSON **data_p)
{
    assert (self);
    assert (data_p);
    cJSON *data = *data_p;
    *data_p = NULL;
    if (self->failed) {
        cJSON_Delete (data);
        return;
    }
    s_enter (self);
    cJSON_Delete (self->next_edit);
    self->next_edit = data;
    if (self->acked)
        s_send_edit (self);
    s_leave (self);
}

void
reply_edit_text (reply_t *self, const char *text)
{
    cJSON *data = render_text (text);
    reply_edit (self, &data);
}

void
reply_release (reply_t *self)
{
    if (!self)
        return;
    self->released = true;
    s_enter (self);
    s_leave (self);
}

reply_t *
reply_deferred (app_t *app, const gw_interaction_t *ix, int type)
{
    reply_t *r = reply_new (app, ix);
    cJSON *data = NULL;
    if (type == CB_DEFER_MESSAGE) {
        data = cJSON_CreateObject ();
        reply_ephemeral (data);
    }
    reply_ack (r, type, &data);
    return r;
}

void
reply_once (app_t *app, const gw_interaction_t *ix, int type, cJSON **data_p)
{
    reply_t *r = reply_new (app, ix);
    reply_ack (r, type, data_p);
    reply_release (r);
}

void
reply_ephemeral (cJSON *data)
{
    cJSON *flags = cJSON_GetObjectItemCaseSensitive (data, "flags");
    if (flags)
        cJSON_SetNumberValue (flags, (double) ((int) flags->valuedouble | FLAG_EPHEMERAL));
    else
        cJSON_AddNumberToObject (data, "flags", FLAG_EPHEMERAL);
}

perm_roles_t
reply_roles (const gw_interaction_t *ix)
{
    return (perm_roles_t){ (const char (*) [24]) ix->roles, ix->nroles };
}

void
reply_text (app_t *app, const gw_interaction_t *ix, const char *text, bool ephemeral)
{
    cJSON *data = render_text (text);
    if (ephemeral)
        reply_ephemeral (data);
    reply_once (app, ix, CB_MESSAGE, &data);
}

void
reply_update_text (app_t *app, const gw_interaction_t *ix, const char *text)
{
    cJSON *data = render_text (text);
    reply_once (app, ix, CB_UPDATE, &data);
}

void
reply_deny (app_t *app, const gw_interaction_t *ix, perm_t p, const char *arg0, const char *arg1)
{
    const char *key = perm_text_key (p);
    char text [512];
    i18n_fmt (text, sizeof (text), app->lang, key ? key : "err.unknown_command", arg0 ? arg0 : "",
              arg1 ? arg1 : "", NULL);
    reply_text (app, ix, text, true);
}

bool
reply_cooldown_ok (app_t *app, const gw_interaction_t *ix, bool button, const char *key)
{
    int secs = live_cooldown (app->live, button, key);
    if (!button && (strcmp (key, "ss") == 0 || strcmp (key, "serverstatus") == 0)) {
        //  /ss is /serverstatus: one cooldown, the longer of the two, so
        //  that neither gets round the other.
        int a = live_cooldown (app->live, false, "serverstatus");
        int b = live_cooldown (app->live, false, "ss");
        secs = a > b ? a : b;
        key = "serverstatus";
    }
    char k [48];
    snprintf (k, sizeof (k), "%c:%.32s", button ? 'b' : 'c', key);
    int left = cd_check (app->cd, ix->user_id, k, secs, ddc_mono_ms ());
    if (left <= 0)
        return true;
    char n [16], text [256];
    snprintf (n, sizeof (n), "%d", left);
    reply_text (app, ix, i18n_fmt (text, sizeof (text), app->lang, "deny.cooldown", n, NULL), true);
    return false;
}
