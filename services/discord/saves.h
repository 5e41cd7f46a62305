/*  saves: the configuration changes made from Discord (/addadmin, tasks,
    a container's info text), each a compare-and-swap SAVE of one whole
    section through the broker, validated there like every other save.
    Owns the saves in flight: the change is made by the caller's edit
    function on the section as the bot has it, sent with that revision,
    and made again on the newer value a CONFLICT brings (at most
    SAVES_TRIES times), so that a concurrent change elsewhere is neither
    lost nor overwritten; the edit function decides whether its change
    still applies to the newer value. The outcome goes to the caller's
    done function, once. Bounded: SAVES_MAX in flight. */
#ifndef DDC_DISCORD_SAVES_H
#define DDC_DISCORD_SAVES_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "payload.h"

#define SAVES_MAX 32
#define SAVES_TRIES 3
#define SAVES_TIMEOUT_MS 5000

typedef struct _saves_t saves_t;

//  What an edit made of the current value.
typedef enum {
    SAVE_EDIT_OK,   //  *out is the new value
    SAVE_EDIT_SAME, //  nothing to change
    SAVE_EDIT_FAIL  //  the change does not apply (why says so)
} save_edit_t;

//  The outcome of a save.
typedef enum {
    SAVE_DONE,    //  saved as revision rev
    SAVE_SAME,    //  the edit said there was nothing to change
    SAVE_FAILED,  //  the edit refused (why), or gave up on conflicts
    SAVE_INVALID, //  the broker's validation: errors, why = the first
    SAVE_DENIED,  //  the broker's refusal (why)
    SAVE_ERROR    //  no answer, queue full, broker error (why)
} save_outcome_t;

typedef struct {
    save_outcome_t outcome;
    uint64_t rev;
    const char *why;     //  for people, "" when DONE or SAME
    const cJSON *errors; //  INVALID: [{field, reason, message}]
} save_result_t;

//  Make the new value from current (borrowed; NULL when the section is not
//  known yet) into *out (owned by saves.c then). why[size] for FAIL.
typedef save_edit_t (save_edit_fn) (void *arg, const cJSON *current, cJSON **out, char *why,
                                    size_t size);
//  The outcome; arg is the caller's to free now.
typedef void (save_done_fn) (void *arg, const save_result_t *result);

saves_t *saves_new (app_t *app);
//  Saves in flight are dropped: their done is not called (shutdown).
void saves_destroy (saves_t **self_p);
//  Change section by edit, as author. done is always called, maybe before
//  saves_start returns (SAME, FAILED, or ERROR when SAVES_MAX are in
//  flight).
void saves_start (saves_t *self, const char *section, const char *author, save_edit_fn *edit,
                  save_done_fn *done, void *arg);
size_t saves_running (saves_t *self);
//  The author of a change made by the user of ix: "discord:NAME (ID)",
//  printable ASCII (a TEXT frame).
void saves_author (const gw_interaction_t *ix, char *buf, size_t size);

#endif
