/*  state: what the bot must remember across restarts, in the --state file
    (JSON, mode 0600, replaced atomically): the overview messages of each
    channel ({"channels": {"ID": {"message": "ID", "more": ["ID", ...],
    "kind": "status"}}}: the first, and the others in order when the
    overview takes several) and
    the scope the slash commands were last registered in ("commands":
    "guild ID" or "global"), so that a guild changed while the bot was down
    still loses its commands. A missing or unreadable file is an empty
    state (logged). Bounded: STATE_CHANNELS_MAX channels, 256 KiB file. */
#ifndef DDC_DISCORD_STATE_H
#define DDC_DISCORD_STATE_H

#include <stdbool.h>
#include <stddef.h>

#define STATE_CHANNELS_MAX 256
#define STATE_PARTS_MAX 40
#define STATE_FILE_MAX (1024 * 1024)
#define STATE_ID_MAX 24

typedef struct _state_t state_t;

//  Load path (NULL: in memory only).
state_t *state_new (const char *path);
void state_destroy (state_t **self_p);
//  The (first) overview message id of a channel, or NULL.
const char *state_message (state_t *self, const char *channel);
//  Set (message non-NULL) or forget (NULL) a channel's overview, and save.
int state_set_message (state_t *self, const char *channel, const char *message, const char *kind);
//  The overview messages of a channel in order: how many (0 none, at most
//  max), copied to ids.
size_t state_messages (state_t *self, const char *channel, char ids [][STATE_ID_MAX], size_t max);
//  Set the n (1 to STATE_PARTS_MAX) messages of a channel's overview, or
//  forget it (n 0), and save; -1 for an id that is not a snowflake.
int state_set_messages (state_t *self, const char *channel, char ids [][STATE_ID_MAX], size_t n,
                        const char *kind);
//  Channel ids with an overview, for iteration: i from 0 while non-NULL.
const char *state_channel_at (state_t *self, size_t i);
const char *state_commands (state_t *self); //  "" if none
int state_set_commands (state_t *self, const char *scope);
//  Write now (0/-1, logged).
int state_save (state_t *self);

#endif
