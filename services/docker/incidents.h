/*  incidents: when a container of this host is in trouble, for the alerts.
    Owns, per container followed, what Docker's events say about it
    (running, health, its recent unexpected exits, a stop someone asked
    for) and its one open incident; decides when an incident opens (an
    unexpected exit with a code other than 0 or a memory kill, a failing
    health check, N unexpected exits within M minutes), escalates (to a
    worse kind) and ends (running again, and healthy when it has a health
    check, for INC_STABLE_MS; a loop: no exit for M minutes, or staying
    down; stopped on request; no longer followed), and applies the rate
    limits (a quiet time per container and kind, a cap per hour for the
    host). An exit is asked for when ddc's own stop or restart is under
    way, or a stop signal (docker stop, kill, restart, rm -f) came first.
    Pure: no I/O; times are wall-clock ms passed in (Docker's event times). */
#ifndef INCIDENTS_H
#define INCIDENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Kinds (containers[].alerts), as bits.
#define INC_CRASH 1u
#define INC_UNHEALTHY 2u
#define INC_LOOP 4u
#define INC_ALL (INC_CRASH | INC_UNHEALTHY | INC_LOOP)

#define INC_STABLE_MS 10000 //  up (and healthy) this long: recovered
#define INC_STOP_MS 330000  //  a stop signal explains an exit this long after it
#define INC_SIGNAL_MS 5000  //  any other signal explains an exit this long after it
#define INC_OOM_MS 10000    //  an oom event this close before an exit: memory kill
#define INC_EXITS_MAX 100   //  exits remembered (restart_loop_count at most)
#define INC_HOUR_MAX 1000   //  max_per_hour at most
#define INC_NAME_MAX 256

typedef enum {
    INC_EV_START,     //  the container started
    INC_EV_DIE,       //  it exited (code: the exit code)
    INC_EV_OOM,       //  the kernel killed a process of it for memory
    INC_EV_KILL,      //  a signal was sent to it (code: the signal, -1 unknown)
    INC_EV_HEALTHY,   //  its health check passes again
    INC_EV_UNHEALTHY, //  its health check failed
    INC_EV_DESTROY    //  it was removed
} inc_ev_t;

typedef enum { INC_OPENED, INC_ESCALATED, INC_RESOLVED } inc_what_t;

typedef struct {
    bool enabled;        //  alerts.enabled
    int loop_count;      //  restart_loop_count
    int64_t loop_ms;     //  restart_loop_minutes
    int64_t cooldown_ms; //  cooldown_minutes
    int max_per_hour;
} inc_settings_t;

//  What happened to an incident, for the report.
typedef struct {
    inc_what_t what;
    const char *container;
    uint64_t id;            //  the incident's number (from 1)
    unsigned kind;          //  INC_CRASH, INC_UNHEALTHY or INC_LOOP
    const char *reason;     //  "exit", "oom", "unhealthy", "restart_loop"
    int64_t exit_code;      //  the last unexpected exit's, -1 if none
                            //  (and for a health incident)
    int restarts;           //  unexpected exits within the loop window
    int64_t opened_ms;      //  when it opened
    int64_t at_ms;          //  when this happened
    const char *resolution; //  resolved: "recovered", "loop_ended",
                            //  "stopped", "gone"; else NULL
    bool running;           //  the container now
    bool has_health;        //  it has a health check
    int suppressed;         //  alerts of the container held back before this one
    bool send;              //  false: held back by a rate limit
} inc_report_t;

typedef void (inc_emit_fn) (void *arg, const inc_report_t *report);

typedef struct _incidents_t incidents_t;

//  emit is called (from any function below) for every opening, escalation
//  and end, whether it is to be sent or was held back.
incidents_t *incidents_new (inc_emit_fn *emit, void *arg);
void incidents_destroy (incidents_t **self_p);

//  The alerts section's settings (copied; out-of-range values clamped).
//  Turning alerts off ends the open incidents ("gone").
void incidents_settings (incidents_t *self, const inc_settings_t *settings, int64_t now);

//  The containers followed and their kinds (INC_* bits); names[i] are
//  copied. A container left out (or with kinds 0) ends its incident
//  ("gone") and is forgotten; the others keep what they know.
void incidents_follow (incidents_t *self, const char *const *names, const unsigned *kinds, size_t n,
                       int64_t now);

//  A Docker event of container name at time t (an event older than the
//  last one taken for that container, e.g. replayed after the stream was
//  reopened, is ignored).
void incidents_event (incidents_t *self, const char *name, inc_ev_t ev, int64_t code, int64_t t);

//  ddc itself stops or restarts name: an exit until `until` was asked for.
void incidents_asked (incidents_t *self, const char *name, int64_t until);

//  What an inspect of name says (at time t): whether it has a health check
//  and whether Docker is about to restart it; running and healthy only
//  until the first event was taken (the events are newer).
void incidents_inspected (incidents_t *self, const char *name, bool running, bool restarting,
                          const char *health, int64_t t);

//  End what is over by now (call about once a second).
void incidents_tick (incidents_t *self, int64_t now);

//  Incidents open now.
size_t incidents_open (incidents_t *self);

//  "crash", "unhealthy", "restart_loop" for a kind bit; NULL otherwise.
const char *incidents_kind_name (unsigned kind);
//  The bit of a kind name, 0 if unknown.
unsigned incidents_kind_bit (const char *name);

#endif
