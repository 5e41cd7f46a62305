/*  saves: compare-and-swap saves from Discord. See saves.h. */
#include "saves.h"

#include "ddc_log.h"
#include "ddc_proto.h"
#include "ddc_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct s_save {
    struct s_save *next;
    saves_t *owner;
    char section [16];
    char author [160];
    save_edit_fn *edit;
    save_done_fn *done;
    void *arg;
    int tries;
} s_save_t;

struct _saves_t {
    app_t *app;
    s_save_t *list;
    size_t count;
};

saves_t *
saves_new (app_t *app)
{
    saves_t *self = ddc_calloc (1, sizeof (*self));
    self->app = app;
    return self;
}

void
saves_destroy (saves_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    saves_t *self = *self_p;
    while (self->list) {
        s_save_t *s = self->list;
        self->list = s->next;
        free (s);
    }
    free (self);
    *self_p = NULL;
}

size_t
saves_running (saves_t *self)
{
    return self->count;
}

void
saves_author (const gw_interaction_t *ix, char *buf, size_t size)
{
    char who [64];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *) ix->username; *p && o + 1 < sizeof (who);
         p++)
        who [o++] = *p >= 0x20 && *p < 0x7f ? (char) *p : '?';
    who [o] = '\0';
    snprintf (buf, size, "discord:%s (%s)", who, ix->user_id);
}

//  The end of s: the outcome to the caller, and s freed.
static void
s_finish (s_save_t *s, save_outcome_t outcome, uint64_t rev, const char *why, const cJSON *errors)
{
    saves_t *self = s->owner;
    s_save_t **pp = &self->list;
    while (*pp && *pp != s)
        pp = &(*pp)->next;
    if (*pp) {
        *pp = s->next;
        self->count--;
    }
    if (outcome == SAVE_DONE)
        ddc_info ("saves: %s saved by %s (rev %llu)", s->section, s->author,
                  (unsigned long long) rev);
    else if (outcome != SAVE_SAME && outcome != SAVE_FAILED)
        ddc_warn ("saves: %s by %s not saved: %s", s->section, s->author, why);
    save_result_t r = { outcome, rev, why ? why : "", errors };
    s->done (s->arg, &r);
    free (s);
}

static void s_send (s_save_t *s, const cJSON *current, uint64_t rev);

static void
s_on_reply (void *arg, const ddc_msg_t *reply)
{
    s_save_t *s = arg;
    if (!reply) {
        s_finish (s, SAVE_ERROR, 0, "the broker did not answer", NULL);
        return;
    }
    switch (reply->type) {
        case DDC_OK:
            s_finish (s, SAVE_DONE, reply->u64 [DDC_OK_REV], "", NULL);
            return;
        case DDC_CONFLICT:
            //  Someone else saved first: make the change again on their value.
            if (s->tries >= SAVES_TRIES) {
                s_finish (s, SAVE_FAILED, 0, "other changes kept coming in between", NULL);
                return;
            }
            s_send (s, reply->json [DDC_CONFLICT_VALUE], reply->u64 [DDC_CONFLICT_SECTION_REV]);
            return;
        case DDC_DENIED:
            s_finish (s, SAVE_DENIED, 0, reply->frame [DDC_DENIED_REASON], NULL);
            return;
        case DDC_INVALID: {
            const cJSON *errors = reply->json [DDC_INVALID_ERRORS];
            const cJSON *m =
                cJSON_GetObjectItemCaseSensitive (cJSON_GetArrayItem (errors, 0), "message");
            s_finish (s, SAVE_INVALID, 0, cJSON_IsString (m) ? m->valuestring : "invalid", errors);
            return;
        }
        case DDC_ERROR:
            s_finish (s, SAVE_ERROR, 0, reply->frame [DDC_ERROR_MESSAGE], NULL);
            return;
        default:
            s_finish (s, SAVE_ERROR, 0, "an unexpected answer from the broker", NULL);
            return;
    }
}

//  Edit current (of section revision rev) and send it.
static void
s_send (s_save_t *s, const cJSON *current, uint64_t rev)
{
    app_t *app = s->owner->app;
    s->tries++;
    cJSON *value = NULL;
    char why [300] = "";
    save_edit_t e = s->edit (s->arg, current, &value, why, sizeof (why));
    if (e != SAVE_EDIT_OK) {
        cJSON_Delete (value);
        s_finish (s, e == SAVE_EDIT_SAME ? SAVE_SAME : SAVE_FAILED, 0, why, NULL);
        return;
    }
    zmsg_t *msg = ddc_msg_save (DDC_SAVE, s->section, rev, s->author, value);
    cJSON_Delete (value);
    if (!msg || ddc_client_request (app->client, &msg, SAVES_TIMEOUT_MS, 3, s_on_reply, s) < 0) {
        zmsg_destroy (&msg);
        s_finish (s, SAVE_ERROR, 0, "the request queue is full", NULL);
    }
}

void
saves_start (saves_t *self, const char *section, const char *author, save_edit_fn *edit,
             save_done_fn *done, void *arg)
{
    s_save_t *s = ddc_calloc (1, sizeof (*s));
    s->owner = self;
    ddc_strlcpy (s->section, section, sizeof (s->section));
    ddc_strlcpy (s->author, author, sizeof (s->author));
    s->edit = edit;
    s->done = done;
    s->arg = arg;
    if (self->count >= SAVES_MAX) {
        save_result_t r = { SAVE_ERROR, 0, "too many changes at once; try again", NULL };
        free (s);
        done (arg, &r);
        return;
    }
    s->next = self->list;
    self->list = s;
    self->count++;
    uint64_t rev = 0;
    const cJSON *current = ddc_client_section (self->app->client, section, &rev);
    if (!current || rev == 0) {
        //  Never a save without its revision: that would be no CAS at all.
        s_finish (s, SAVE_ERROR, 0, "the bot has not received the configuration yet", NULL);
        return;
    }
    s_send (s, current, rev);
}
