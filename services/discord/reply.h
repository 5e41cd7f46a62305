/*  reply: answering one interaction. Owns the interaction's id and token
    for as long as answers are pending, the first response (the callback,
    which must reach Discord within 3 s: callers send it before any slow
    work) and the later edits of the original response (PATCH
    /webhooks/APP/TOKEN/messages/@original), which wait until the callback
    has been accepted and go out one at a time, latest content winning.
    A reply frees itself once released and idle. */
#ifndef DDC_DISCORD_REPLY_H
#define DDC_DISCORD_REPLY_H

#include <cJSON.h>
#include <stdbool.h>

#include "app.h"
#include "payload.h"
#include "perms.h"

//  Callback types.
enum {
    CB_MESSAGE = 4,
    CB_DEFER_MESSAGE = 5,
    CB_DEFER_UPDATE = 6,
    CB_UPDATE = 7,
    CB_AUTOCOMPLETE = 8,
    CB_MODAL = 9
};

typedef struct _reply_t reply_t;

reply_t *reply_new (app_t *app, const gw_interaction_t *ix);
//  The first response: type and the data *data_p (destroyed, *data_p set
//  to NULL; data_p or *data_p may be NULL).
void reply_ack (reply_t *self, int type, cJSON **data_p);
//  Edit the original response to *data_p (destroyed, *data_p set to NULL).
void reply_edit (reply_t *self, cJSON **data_p);
//  Edit the original response to a plain text message.
void reply_edit_text (reply_t *self, const char *text);
//  Be told of the answer to each edit (status, the message as json or
//  NULL) and of a refused first response (its status, NULL). NULL stops.
typedef void (reply_edit_fn) (void *arg, int status, const cJSON *json);
void reply_on_edit (reply_t *self, reply_edit_fn *fn, void *arg);
//  The caller is done with it.
void reply_release (reply_t *self);

//  A reply acknowledged at once with a deferral: CB_DEFER_MESSAGE (an
//  ephemeral "thinking…" message) or CB_DEFER_UPDATE (the component's
//  message, edited later). The caller releases it.
reply_t *reply_deferred (app_t *app, const gw_interaction_t *ix, int type);
//  One-shot answers: ack with type and *data_p (as reply_ack), release.
void reply_once (app_t *app, const gw_interaction_t *ix, int type, cJSON **data_p);
//  A text message (type 4), ephemeral or not.
void reply_text (app_t *app, const gw_interaction_t *ix, const char *text, bool ephemeral);
//  The component's message replaced by a text message (type 7).
void reply_update_text (app_t *app, const gw_interaction_t *ix, const char *text);
//  An ephemeral refusal in the bot language for p; arg0/arg1 fill {0}/{1}.
void reply_deny (app_t *app, const gw_interaction_t *ix, perm_t p, const char *arg0,
                 const char *arg1);
//  True when the user may use key (a command, or with button a button
//  action) now, by the live cooldowns; else answers with an ephemeral
//  "wait N s" and returns false.
bool reply_cooldown_ok (app_t *app, const gw_interaction_t *ix, bool button, const char *key);
//  Set the ephemeral flag on a message body.
void reply_ephemeral (cJSON *data);
//  The roles of the interaction's member, for perms.h (borrowed from ix).
perm_roles_t reply_roles (const gw_interaction_t *ix);

#endif
