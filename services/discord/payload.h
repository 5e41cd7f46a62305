/*  payload: parsing what the Discord gateway sends. Owns the envelope
    {op, d, s, t} and the dispatches the bot reads (READY, INTERACTION_CREATE,
    MESSAGE_CREATE/DELETE/DELETE_BULK, GUILD_CREATE) into fixed-size structs.
    All input is untrusted: every field is type-checked and length-bounded,
    ids must be snowflakes (1-20 digits), and a dispatch missing what the
    bot needs is refused (-1), never asserted on. No I/O, no logging. */
#ifndef DDC_DISCORD_PAYLOAD_H
#define DDC_DISCORD_PAYLOAD_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_PAYLOAD_MAX (8 * 1024 * 1024) //  a gateway payload's JSON text
#define GW_ID_MAX 24                     //  snowflake + NUL (20 digits)
#define GW_TOKEN_MAX 600                 //  interaction token + NUL
#define GW_NAME_MAX 100                  //  user names, guild names
#define GW_OPTIONS_MAX 8
#define GW_OPTION_VALUE 256
#define GW_VALUES_MAX 25
#define GW_CUSTOM_ID_MAX 101 //  100 chars + NUL
#define GW_FIELDS_MAX 5
#define GW_FIELD_VALUE 8192 //  2000 characters of text + NUL
#define GW_ROLES_MAX 250    //  a member's roles kept (a guild's most)

//  Gateway opcodes.
enum {
    GW_OP_DISPATCH = 0,
    GW_OP_HEARTBEAT = 1,
    GW_OP_IDENTIFY = 2,
    GW_OP_RESUME = 6,
    GW_OP_RECONNECT = 7,
    GW_OP_INVALID_SESSION = 9,
    GW_OP_HELLO = 10,
    GW_OP_HEARTBEAT_ACK = 11
};

//  Interaction types.
enum {
    GW_IX_PING = 1,
    GW_IX_COMMAND = 2,
    GW_IX_COMPONENT = 3,
    GW_IX_AUTOCOMPLETE = 4,
    GW_IX_MODAL = 5
};

typedef struct {
    int op;
    int64_t s;      //  -1 when null or absent
    char t [64];    //  "" unless a dispatch
    cJSON *root;    //  owned
    const cJSON *d; //  borrowed from root; may be NULL
} gw_payload_t;

typedef struct {
    char session_id [128];
    char resume_url [512]; //  "" when absent
    char user_id [GW_ID_MAX];
    char username [GW_NAME_MAX];
    char app_id [GW_ID_MAX]; //  application.id, else the user id
} gw_ready_t;

typedef struct {
    char name [33];
    int type;
    bool focused;
    char value [GW_OPTION_VALUE]; //  strings as is, numbers/bools as text
} gw_option_t;

typedef struct {
    char id [GW_ID_MAX];
    char token [GW_TOKEN_MAX];
    char app_id [GW_ID_MAX];
    char guild_id [GW_ID_MAX]; //  "" in a DM
    char channel_id [GW_ID_MAX];
    char user_id [GW_ID_MAX];
    char username [GW_NAME_MAX];
    char locale [16];
    char roles [GW_ROLES_MAX][GW_ID_MAX]; //  member.roles (guild only)
    int nroles;
    int type;
    //  type 2 and 4
    char name [33];
    char subcommand [33]; //  "" unless the command has sub-commands
    gw_option_t options [GW_OPTIONS_MAX];
    int noptions;
    //  type 3 and 5
    char custom_id [GW_CUSTOM_ID_MAX];
    int component_type;
    char message_id [GW_ID_MAX]; //  the message the component is on
    char values [GW_VALUES_MAX][GW_CUSTOM_ID_MAX];
    int nvalues;
    //  type 5: text inputs and selects (the first value)
    struct {
        char id [GW_CUSTOM_ID_MAX];
        char value [GW_FIELD_VALUE];
    } fields [GW_FIELDS_MAX];
    int nfields;
} gw_interaction_t;

typedef struct {
    char id [GW_ID_MAX];
    char channel_id [GW_ID_MAX];
    char guild_id [GW_ID_MAX];
    char author_id [GW_ID_MAX]; //  "" for MESSAGE_DELETE
    bool author_bot;
} gw_message_t;

//  Parse one payload (text need not be NUL-terminated; ddc_json_parse). 0,
//  or -1 with the reason in err when it is not a JSON object with an
//  integer op. Free with gw_payload_free.
int gw_payload_parse (const char *text, size_t len, gw_payload_t *out, char *err, size_t errlen);
void gw_payload_free (gw_payload_t *p);

//  True if s is a snowflake: 1 to 20 digits.
bool gw_snowflake_ok (const char *s);
//  Copy obj[key] into buf[GW_ID_MAX] if it is a snowflake string (0), else
//  buf = "" and -1.
int gw_get_id (const cJSON *obj, const char *key, char buf [GW_ID_MAX]);

int gw_ready_parse (const cJSON *d, gw_ready_t *out);
int gw_interaction_parse (const cJSON *d, gw_interaction_t *out);
//  MESSAGE_CREATE / MESSAGE_UPDATE / MESSAGE_DELETE.
int gw_message_parse (const cJSON *d, gw_message_t *out);
//  The option named name, or NULL.
const gw_option_t *gw_option (const gw_interaction_t *ix, const char *name);
//  The focused option of an autocomplete, or NULL.
const gw_option_t *gw_focused (const gw_interaction_t *ix);
//  The modal field with this custom id, or NULL.
const char *gw_field (const gw_interaction_t *ix, const char *id);

#endif
