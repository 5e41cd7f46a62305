/*  docker_parse: pure parsers of Docker Engine API replies (API 1.24-1.41)
    into small fixed-size structs: container list, inspect, stats (+ the
    CPU % of `docker stats`), events, error bodies, version, and the logs
    stream demultiplexer. No I/O, no globals; every parser validates JSON
    types, bounds every string and count, and never asserts on input. */
#ifndef DOCKER_PARSE_H
#define DOCKER_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOCKER_ID_MAX 65             //  64 hex digits + NUL
#define DOCKER_NAME_MAX 256          //  container name, no leading '/'
#define DOCKER_IMAGE_MAX 512         //  image reference or "sha256:<id>"
#define DOCKER_STATE_MAX 16          //  "running", "exited", ...
#define DOCKER_STATUS_MAX 128        //  "Up 3 seconds (healthy)"
#define DOCKER_HEALTH_MAX 16         //  "healthy", "unhealthy", "starting"
#define DOCKER_LIST_MAX 4096         //  containers kept from one list reply
#define DOCKER_ERRMSG_MAX 512        //  error message text
#define DOCKER_HEALTH_OUTPUT_MAX 512 //  a health check's output kept

//  --------------------------------------------------------------------------
//  Names and times

//  True when name is a Docker container name or id usable in an API path:
//  1..255 chars of [A-Za-z0-9_.-], the first alphanumeric (Docker's own rule
//  is [a-zA-Z0-9][a-zA-Z0-9_.-]+). A leading '/' is not accepted.
bool docker_name_valid (const char *name);

//  RFC 3339 time as Docker writes it ("2026-11-27T08:53:37.629603226Z",
//  offsets "+01:00" accepted) into epoch seconds (fraction dropped).
//  Docker's zero time "0001-01-01T00:00:00Z" (any year 1) gives 0 = never.
//  Returns 0, or -1 when s is not such a time.
int docker_parse_time (const char *s, int64_t *epoch_s);

//  "1.41" into major 1, minor 41. Returns 0, or -1 on anything else.
int docker_parse_api_version (const char *s, int *major, int *minor);

//  --------------------------------------------------------------------------
//  GET /containers/json?all=1

//  The strings of an entry are one block of the list's, each at most its
//  DOCKER_*_MAX - 1 bytes long.
typedef struct {
    const char *id;     //  full id, lowercase hex (the block's start)
    const char *name;   //  first name without '/'
    const char *image;  //  as listed; an image id when the image was
                        //  deleted; may be truncated
    const char *state;  //  "running", "exited", "created"...
    const char *status; //  human text; may be truncated
    int64_t created;    //  epoch seconds, 0 if absent
} docker_container_t;

typedef struct {
    docker_container_t *items; //  count entries, in reply order
    size_t count;
    size_t skipped; //  entries that failed validation
    bool truncated; //  more than DOCKER_LIST_MAX entries
} docker_list_t;

//  Parse a list reply. Entries without a valid id or name are skipped (one
//  odd container never empties the list). Returns a new list (caller
//  destroys) or NULL when the body is not a JSON array (the reason in err
//  when err is not NULL).
docker_list_t *docker_list_parse (const char *body, size_t len, char *err, size_t errlen);
void docker_list_destroy (docker_list_t **self_p);

//  --------------------------------------------------------------------------
//  GET /containers/{name}/json

typedef struct {
    char id [DOCKER_ID_MAX];
    char name [DOCKER_NAME_MAX];      //  "Name" without '/'
    char status [DOCKER_STATE_MAX];   //  State.Status
    bool running;                     //  State.Running
    bool paused;                      //  State.Paused (false if absent)
    bool restarting;                  //  State.Restarting (false if absent)
    char health [DOCKER_HEALTH_MAX];  //  State.Health.Status, "" if none
    int64_t started_at;               //  epoch s, 0 = never started
    int64_t finished_at;              //  epoch s, 0 = never finished
    int64_t exit_code;                //  State.ExitCode
    int64_t restart_count;            //  RestartCount
    char image [DOCKER_IMAGE_MAX];    //  Config.Image (may be truncated)
    char image_id [DOCKER_IMAGE_MAX]; //  Image ("sha256:...")
    bool tty;                         //  Config.Tty
    bool oom_killed;                  //  State.OOMKilled
    char health_output [DOCKER_HEALTH_OUTPUT_MAX];
    //  the last health check's Output
    //  (control characters as spaces), or ""
} docker_inspect_t;

//  Required: an object with Id, State.Status and State.Running. Optional
//  fields of the wrong type are treated as absent. Returns 0 or -1.
int docker_inspect_parse (const char *body, size_t len, docker_inspect_t *out);

//  --------------------------------------------------------------------------
//  GET /containers/{name}/stats?stream=false[&one-shot=true]

typedef struct {
    uint64_t total_usage;  //  cpu_usage.total_usage (ns)
    uint64_t system_usage; //  system_cpu_usage (ns)
    uint32_t online_cpus;  //  online_cpus, else len(percpu_usage)
} docker_cpu_sample_t;

typedef struct {
    docker_cpu_sample_t cpu;    //  cpu_stats
    docker_cpu_sample_t precpu; //  precpu_stats (zero with one-shot)
    bool running;               //  "read" is not the zero time
    int64_t read;               //  epoch s of the sample, 0 if none
    uint64_t mem_usage;         //  memory_stats.usage (raw)
    uint64_t mem_cache;         //  the part subtracted (see below)
    uint64_t mem_used;          //  usage - cache, as `docker stats`
    uint64_t mem_limit;         //  memory_stats.limit
    double mem_percent;         //  mem_used / mem_limit * 100
    double cpu_percent;         //  from cpu and precpu, 0 if unknown
    uint64_t pids;              //  pids_stats.current
} docker_stats_t;

//  Parse one stats sample. The cache subtracted from usage follows the
//  docker CLI: stats.total_inactive_file (cgroup v1), else inactive_file
//  (v2), else cache (older CLIs) - each only when smaller than usage.
//  Returns 0, or -1 when the body is not an object with cpu_stats.
int docker_stats_parse (const char *body, size_t len, docker_stats_t *out);

//  CPU % of two consecutive samples like `docker stats`:
//  (dcpu / dsystem) * online_cpus * 100 (online_cpus of cur), 0 when prev
//  is empty (system_usage 0, as precpu of a one-shot sample) or either
//  delta is not positive; clamped to [0, online_cpus * 100].
double docker_cpu_percent (const docker_cpu_sample_t *prev, const docker_cpu_sample_t *cur);
//  The CPU % of sample st into *pct: from its own precpu when Docker sent
//  one (stream=false without one-shot, or a daemon before API 1.41 that
//  ignores one-shot) or when the sample has no system_cpu_usage to compare
//  (*pct is then st's own cpu_percent), else from prev, the same
//  container's previous sample (NULL or empty: none). true when *pct is
//  known, false when the sample stands alone (*pct 0): a second one is
//  needed.
bool docker_stats_cpu (const docker_stats_t *st, const docker_cpu_sample_t *prev, double *pct);

//  --------------------------------------------------------------------------
//  GET /events (one JSON object per line)

typedef struct {
    char type [16];                //  "container", "network", "image"...
    char action [32];              //  verb: "start", "health_status"...
    char detail [64];              //  after ": " ("healthy"), or ""
    char id [128];                 //  Actor.ID (container id, ...)
    char name [DOCKER_NAME_MAX];   //  Actor.Attributes.name, or ""
    char image [DOCKER_IMAGE_MAX]; //  Actor.Attributes.image, or ""
    int64_t exit_code;             //  Attributes.exitCode, -1 if absent
    int signal;                    //  Attributes.signal (kill), -1 if absent
    int64_t time;                  //  epoch s
    int64_t time_nano;             //  epoch ns (time * 1e9 if absent)
} docker_event_t;

//  Parse one event line. Required: Type (or the pre-1.22 "status" form)
//  and Action strings. Returns 0 or -1.
int docker_event_parse (const char *line, size_t len, docker_event_t *out);

//  --------------------------------------------------------------------------
//  Error bodies, version

//  Copy the "message" of a {"message": "..."} error body into msg[size].
//  Returns 0; or -1 when there is none, and msg then holds a printable
//  prefix of the raw body (maybe empty) so a caller always has some text.
int docker_error_parse (const char *body, size_t len, char *msg, size_t size);

typedef struct {
    char version [64];         //  "20.10.24+dfsg1"
    char api_version [16];     //  "1.41"
    char min_api_version [16]; //  "1.12", or ""
    char os [32];              //  "linux"
    char arch [32];            //  "amd64"
} docker_version_t;

//  GET /version. Required: ApiVersion in the "1.41" form. Returns 0 or -1.
int docker_version_parse (const char *body, size_t len, docker_version_t *out);

//  --------------------------------------------------------------------------
//  GET /containers/{name}/logs?stdout=1&stderr=1&tail=N

#define DOCKER_LOGS_RAW 0       //  container has a TTY: raw bytes
#define DOCKER_LOGS_MUX 1       //  8-byte framed stdout/stderr
#define DOCKER_LOGS_DETECT (-1) //  decide by the first header

//  Turn a logs reply into text: demultiplex the frames
//  [stream 0|1|2, 0, 0, 0, size uint32 big-endian] unless mode is RAW
//  (inspect's Config.Tty); DETECT takes MUX when the body starts with a
//  valid header. Strips "\r" before "\n", ANSI CSI sequences and other
//  control characters, replaces invalid UTF-8 with '?', and keeps only the
//  last max_lines lines and at most max_bytes bytes (cut at a line start;
//  0 = no limit).
//  A frame longer than the data left is taken as far as it goes.
//  *text_p gets a new NUL-terminated string (caller frees), *lines_p the
//  number of lines in it. Returns 0, or -1 on a malformed frame header.
int docker_logs_text (const void *body, size_t len, int mode, size_t max_lines, size_t max_bytes,
                      char **text_p, size_t *lines_p);

//  The same for a reply read piece by piece (any size): feed each piece as
//  it arrives, then finish. Memory stays within about 4 * max_bytes of
//  text plus one piece: older whole lines are dropped on the way (*cut_p
//  then says that text was left out to fit max_bytes, at the end too).
//  feed returns 0, or -1 on a malformed frame header (and finish then
//  fails too); finish returns what docker_logs_text does.
typedef struct _docker_logs_t docker_logs_t;
docker_logs_t *docker_logs_new (int mode, size_t max_lines, size_t max_bytes);
void docker_logs_destroy (docker_logs_t **self_p);
int docker_logs_feed (docker_logs_t *self, const void *data, size_t len);
int docker_logs_finish (docker_logs_t *self, char **text_p, size_t *lines_p, bool *cut_p);

#endif
