/*  live: the bot's view of the live configuration and of the Docker hosts'
    status. Owns copies of the sections it follows (bot, containers,
    channels, admins, spam, docker) turned into lookup-friendly structs,
    each container's key (a hash of host/name used in custom ids, since
    host + name may not fit Discord's 100 characters), the latest
    "status" report of every Docker host, whether each host's agent is
    connected to the broker (from the broker's peers table and its
    mon/peer/ events), and the containers with an action in flight (shown
    as pending). Every render and every interaction reads it, so a change
    applies to the next one. Pure: no I/O, time passed in. Bounded by the
    config limits, LIVE_HOSTS_MAX hosts and LIVE_PENDING_MAX pending
    marks. */
#ifndef DDC_DISCORD_LIVE_H
#define DDC_DISCORD_LIVE_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIVE_HOSTS_MAX 64
#define LIVE_PENDING_MAX 1024 //  >= DDC_CONTAINERS_MAX: every container can be pending
#define LIVE_KEY_LEN 12       //  hex digits of a container key

//  allowed_actions bits
#define ACT_START 1u
#define ACT_STOP 2u
#define ACT_RESTART 4u
#define ACT_LOGS 8u
#define ACT_ADMIN 16u //  not an action: what admins manage (tasks, info)

typedef enum { CHAN_NONE, CHAN_STATUS, CHAN_CONTROL } chan_kind_t;
typedef enum { ST_UNKNOWN, ST_RUNNING, ST_STOPPED, ST_PENDING } ctr_state_t;
//  Why a host's containers are unknown: its agent is not connected to the
//  broker, or the agent cannot reach Docker.
typedef enum { HOST_OK, HOST_AGENT_GONE, HOST_DOCKER_DOWN } host_issue_t;

//  A Discord role allowed some actions on a container (containers[].roles).
typedef struct {
    char id [24];
    unsigned actions; //  ACT_* bits
} live_role_t;

typedef struct {
    char host [64];
    char name [129];
    char display [101];
    int order;
    bool active;
    unsigned allowed;
    bool info_enabled;
    char *info_text; //  owned, "" when none
    char key [LIVE_KEY_LEN + 1];
    live_role_t *roles; //  owned, nroles of them
    size_t nroles;
} live_ctr_t;

typedef struct {
    char id [24];
    char name [101];
    chan_kind_t kind;
    bool post_initial;
    int refresh_minutes;
    int recreate_minutes;
    bool alerts; //  the containers' alerts are posted here
} live_chan_t;

typedef struct {
    ctr_state_t state;
    char raw [24]; //  Docker's state word, "" if none
    char health [24];
    bool has_stats;
    double cpu;       //  percent
    double mem;       //  bytes
    int64_t uptime_s; //  -1 unknown
    bool host_down;   //  host_issue != HOST_OK
    host_issue_t host_issue;
    int64_t host_since; //  wall ms of the issue, 0 unknown
} live_st_t;

typedef struct {
    //  bot
    char token [256];
    char guild [24];
    char language [8];
    char timezone [65];
    int log_lines; //  lines the Logs button asks for
    //  containers, sorted by host, order, display name
    live_ctr_t *ctrs;
    size_t nctrs;
    //  channels
    live_chan_t *chans;
    size_t nchans;
    //  admins
    char (*admins) [24];
    size_t nadmins;
    //  spam
    bool spam_enabled;
    cJSON *command_cd; //  owned object KEY -> seconds
    cJSON *button_cd;
    //  docker
    int stats_interval_s;
    int stop_timeout_s;
    //  status of each Docker host
    struct {
        char host [64];
        cJSON *body;        //  what the bot reads of its report; NULL before one
        int64_t at;         //  mono ms of the report or link news
        bool gone;          //  its agent is not connected
        int64_t gone_since; //  wall ms, 0 unknown
    } hosts [LIVE_HOSTS_MAX];
    size_t nhosts;
    //  containers with an action in flight
    struct {
        char key [LIVE_KEY_LEN + 1];
        int64_t until; //  mono ms
    } pending [LIVE_PENDING_MAX];
    size_t npending;
} live_t;

live_t *live_new (void);
void live_destroy (live_t **self_p);

//  Apply a section value (borrowed). 0, or -1 when it does not have the
//  validated shape (the old value stays; errors gets {field, reason,
//  message} objects when not NULL). Unknown sections are ignored (0).
int live_apply (live_t *self, const char *section, const cJSON *value, cJSON *errors);
//  A status report: peer "docker@HOST", topic "status". A report also
//  says that the host's agent is connected.
void live_status (live_t *self, const char *peer, const char *topic, const cJSON *body, int64_t now);
//  The agent of peer "docker@HOST" connected to or left the broker, at
//  wall time since (ms, 0 unknown). Other peers are ignored.
void live_link (live_t *self, const char *peer, bool connected, int64_t since, int64_t now);
//  Mono ms of the latest report or link news of a host (0: none).
int64_t live_host_at (const live_t *self, const char *host);

//  The key of host/name into out[LIVE_KEY_LEN + 1].
void live_key (const char *host, const char *name, char *out);
const live_chan_t *live_channel (const live_t *self, const char *id);
bool live_is_admin (const live_t *self, const char *user_id);
//  Cooldown in seconds of a command or button key (0: none or disabled).
int live_cooldown (const live_t *self, bool button, const char *key);
//  Milliseconds since the epoch of an ISO 8601 UTC time such as
//  "2026-11-27T09:00:00Z" or "...:00.123Z"; 0 when it is not one.
int64_t live_parse_time (const char *iso);
const live_ctr_t *live_ctr_by_key (const live_t *self, const char *key);
//  By key, "host/name", name or display name (case-insensitive); the first
//  active match.
const live_ctr_t *live_ctr_find (const live_t *self, const char *text);
size_t live_active_count (const live_t *self);
//  The container's status now.
void live_ctr_status (const live_t *self, const live_ctr_t *c, int64_t now, live_st_t *out);
//  An action's result said the container is now in state (a Docker state
//  word): note it in the host's status until the next report.
void live_patch_state (live_t *self, const char *host, const char *name, const char *state,
                       int64_t now);
//  Mark / clear an action in flight on container key.
void live_set_pending (live_t *self, const char *key, int64_t until);
void live_clear_pending (live_t *self, const char *key);
//  Action name <-> bit.
unsigned live_action_bit (const char *action);
const char *live_action_name (unsigned bit);

#endif
