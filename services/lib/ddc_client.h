/*  ddc_client: the subscriber and requester every ddc service uses to talk
    to ddc-broker (proto/ddcp.md section 7). Owns one DEALER (CTL) and one
    SUB (PUB) socket, the applied revision of each followed section, the
    resync rules (late join, gaps, epoch or boot change, broker down), the
    pending requests with their timeouts and retries, and an optional cache
    file. Services never see a raw frame: they get callbacks.

    Threading: a ddc_client_t belongs to the thread that created it. It is
    driven either by ddc_client_run (a blocking loop) or, inside another
    event loop, by polling the two sockets (ddc_client_ctl_sock/sub_sock) and
    calling ddc_client_handle and ddc_client_tick when ddc_client_timeout_ms
    says so. Errors: functions return 0/-1; problems are logged with ddc_log
    and reported through the event callback. */
#ifndef DDC_CLIENT_H
#define DDC_CLIENT_H

#include <cJSON.h>
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "ddc_metrics.h"
#include "ddc_proto.h"

typedef struct ddc_client_t ddc_client_t;

typedef enum {
    DDC_EV_CONNECTED,    //  WELCOME received (detail: peer name)
    DDC_EV_SYNCED,       //  a full snapshot has been applied
    DDC_EV_DISCONNECTED, //  broker unreachable; running on last good config
    DDC_EV_RESYNC,       //  a gap/epoch/boot change forced a snapshot (detail: why)
    DDC_EV_CACHE_LOADED, //  started from the cache file (detail: path)
    DDC_EV_ERROR,        //  something the operator should see (detail)
    DDC_EV_REFUSED       /* the broker refused the handshake (detail: "the
                             broker refused this certificate (why) at EP")   */
} ddc_client_event_t;

//  Called for each section revision to apply. value is borrowed (valid for
//  the call; once accepted the client keeps its own copy, so a service
//  keeps only what it needs of it). Return 0 to accept (APPLIED is sent) or -1 to reject: then
//  append {field, reason, message} objects to errors (REJECTED is sent and
//  the previous value stays current). from_cache is true when the value
//  comes from the cache file rather than the broker.
typedef int (ddc_apply_fn) (void *arg, const char *section, const cJSON *value, uint64_t rev,
                            bool from_cache, cJSON *errors);
//  Called on a connection event; detail is borrowed, may be "". The detail
//  of DDC_EV_DISCONNECTED is a whole phrase: "broker unreachable (why)", or
//  the refusal when the broker refused the handshake.
typedef void (ddc_event_fn) (void *arg, ddc_client_event_t event, const char *detail);
//  Called for an ACTION addressed to this peer. Answer it, now or later,
//  with ddc_client_result (req is borrowed; copy it to answer later).
typedef void (ddc_action_fn) (void *arg, const char *req, const char *origin, const cJSON *body);
//  Called for a status message (status/<peer>/<topic>/) when subscribed
//  with ddc_client_follow_status. body borrowed.
typedef void (ddc_status_fn) (void *arg, const char *peer, const char *topic, const cJSON *body);
//  Called for a broker event (mon/<kind>/.../) when subscribed with
//  ddc_client_follow_mon. topic and body borrowed.
typedef void (ddc_mon_fn) (void *arg, const char *topic, const cJSON *body);
//  Called every DDC_METRICS_INTERVAL_MS while connected, to add the
//  service's counters and gauges to its "metrics" report (the client adds
//  its own: version, start time, reconnects, resyncs, applied revision).
typedef void (ddc_metrics_fn) (void *arg, ddc_metrics_t *metrics);
//  Called with the reply to an asynchronous request: reply is NULL on
//  timeout (after the retries), else the decoded reply (borrowed).
typedef void (ddc_reply_fn) (void *arg, const ddc_msg_t *reply);

typedef struct {
    const char *broker;           //  CTL endpoint, e.g. ipc:///srv/ddc/ctl.sock
    const char *role;             //  ctl, web, discord, docker, monitor
    const char *instance;         //  e.g. the Docker host name
    const char *const *sections;  /* NULL-terminated sections to follow; NULL = none
                                    (a pure requester such as ddc-ctl get)     */
    const char *cache_path;       //  optional: last good config (0600)
    const char *cert_path;        //  optional CURVE client cert (with _secret)
    const char *broker_cert_path; //  optional broker public cert
    ddc_apply_fn *on_apply;
    ddc_event_fn *on_event;
    ddc_action_fn *on_action;
    ddc_status_fn *on_status;
    ddc_mon_fn *on_mon;
    ddc_metrics_fn *on_metrics; //  set: the service reports "metrics"
    void *arg;                  //  passed to every callback
    //  Keep each accepted value as its compact JSON text instead of a
    //  tree (1,000 containers: about 250 KB of text, 2 MB of tree). For a
    //  service that keeps what it needs in on_apply and reads
    //  ddc_client_section seldom: each first call after a handle or tick
    //  parses the text again. A value counts as unchanged when its text
    //  is the same (the broker sends a section as it stores it).
    bool compact;
} ddc_client_opts_t;

//  Create and connect (never blocks on the broker). opts and its strings are
//  copied. Returns NULL with a logged reason on a bad option or cert.
ddc_client_t *ddc_client_new (const ddc_client_opts_t *opts);
//  Whether ddc_client_new could load these CURVE certificates (the client's
//  with its _secret file, the broker's public one): for a program that
//  checks its flags before it makes the client. 0, or -1 with the reason
//  in why.
int ddc_client_check_certs (const char *cert_path, const char *broker_cert_path, char *why,
                            size_t whylen);
//  Sends BYE when connected, closes sockets. NULLs *self_p.
void ddc_client_destroy (ddc_client_t **self_p);

//  Event-loop integration.
zsock_t *ddc_client_ctl_sock (ddc_client_t *self);
zsock_t *ddc_client_sub_sock (ddc_client_t *self);
//  Process everything readable on the sockets (never blocks).
void ddc_client_handle (ddc_client_t *self);
//  Run due timers (pings, retries, request timeouts, gap repair).
void ddc_client_tick (ddc_client_t *self);
//  Milliseconds until ddc_client_tick must run next (>= 0).
int64_t ddc_client_timeout_ms (ddc_client_t *self);
//  Blocking convenience: poll, handle and tick for up to timeout_ms
//  (-1 = until ddc_client_stop or zsys_interrupted). Returns 0, or -1 when
//  interrupted.
int ddc_client_run (ddc_client_t *self, int64_t timeout_ms);
void ddc_client_stop (ddc_client_t *self);

//  State.
bool ddc_client_connected (ddc_client_t *self); //  WELCOME and pongs fresh
bool ddc_client_synced (ddc_client_t *self);    //  snapshot applied
//  The subscriptions are in place: a HUGZ came since the SUB socket last
//  connected (the broker answers new subscriptions with one).
bool ddc_client_subscribed (ddc_client_t *self);
const char *ddc_client_name (ddc_client_t *self); //  "docker@nas" once welcomed
const char *ddc_client_epoch (ddc_client_t *self);
uint64_t ddc_client_rev (ddc_client_t *self); //  highest applied global rev
//  Current accepted value of a followed section (borrowed, valid until the
//  next handle/tick) and its revision; NULL if none yet. The client owns
//  it: a tree kept from the accepted revision to the next, or (compact) a
//  tree parsed from the kept text on the first call after a handle or
//  tick and freed at the next one.
const cJSON *ddc_client_section (ddc_client_t *self, const char *section, uint64_t *rev_p);
//  The access object from WELCOME (borrowed) or NULL.
const cJSON *ddc_client_access (ddc_client_t *self);
//  Why the broker refuses the handshake ("the broker refused this
//  certificate (why) at ENDPOINT"; the CTL socket's, else the SUB
//  socket's), or NULL while it accepts it or has not answered. Seen by a
//  ZeroMQ socket monitor on each socket; from the first refusal on, the
//  client also reports the status topic "link" ({"ctl"|"pub": {"refused",
//  "reason", "time"}}). Borrowed, valid until the next handle/tick.
const char *ddc_client_refused (ddc_client_t *self);
//  True when the broker refuses the CTL handshake and has not welcomed
//  the client since: a tool may stop waiting.
bool ddc_client_refused_final (ddc_client_t *self);
//  The CTL socket's TCP/ipc connection is up (connected since the last
//  disconnect, as the monitor saw it; true when there is no monitor).
bool ddc_client_link_up (ddc_client_t *self);
//  Inside on_apply: the props of the UPDATE being applied ({"author",
//  "peer", "time", "changed", "secrets_changed"}, proto/ddcp.md section 6);
//  NULL when the value comes from a snapshot or the cache. Borrowed.
const cJSON *ddc_client_update_props (ddc_client_t *self);

//  Asynchronous requests: msg is the request (its frame 1 must be a request
//  id made with ddc_req_id); it is sent when connected, resent with the same
//  id on timeout (timeout_ms each try, up to `tries`), and reply called once.
//  Takes ownership of *msg_p. Returns 0, or -1 if the queue (256) is full.
int ddc_client_request (ddc_client_t *self, zmsg_t **msg_p, int64_t timeout_ms, int tries,
                        ddc_reply_fn *reply, void *arg);
//  Synchronous request for tools: waits up to timeout_ms for the reply while
//  still handling the subscription. Returns the reply (caller destroys) or
//  NULL on timeout.
ddc_msg_t *ddc_client_call (ddc_client_t *self, zmsg_t **msg_p, int64_t timeout_ms);

//  Answer an ACTION (body borrowed).
int ddc_client_result (ddc_client_t *self, const char *req, const cJSON *body);
//  Publish a status body under a topic (fire and forget; resent on reconnect
//  so the broker always holds the latest). body borrowed. -1 for a body over
//  DDC_REPORT_MAX (256 KiB), which the broker would refuse.
int ddc_client_report (ddc_client_t *self, const char *topic, const cJSON *body);
//  The body of this service's "metrics" report as it stands now (caller
//  owns): the client's families and the service's (on_metrics).
cJSON *ddc_client_metrics (ddc_client_t *self);
//  Subscribe to status messages: prefix "" for all, or "docker@nas/".
int ddc_client_follow_status (ddc_client_t *self, const char *prefix);
//  Subscribe to the broker's events (proto/ddcp.md section 6): prefix
//  "peer/" for peers that connect or go.
int ddc_client_follow_mon (ddc_client_t *self, const char *prefix);

#endif
