/*  incidents: the alerts' decisions of ddc-docker. See incidents.h. */
#include "incidents.h"

#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

#define S_HOUR_MS 3600000

typedef struct {
    unsigned kinds;
    bool seen_event; //  events taken: inspects no longer set running
    bool running, restarting, has_health;
    int64_t since;        //  when it last started or went down
    int64_t healthy_at;   //  health check passed since the start, 0 = no
    bool down_asked;      //  the last exit was asked for
    int64_t asked_until;  //  ddc's own stop or restart under way
    int64_t signal_until; //  a signal explains an exit until then
    int64_t oom_at;       //  the last oom event, 0 = none
    int64_t last_t;       //  the last event taken
    int last_ev;
    int64_t *exits; //  unexpected exits, a ring of INC_EXITS_MAX made at the first
    size_t exit_head, nexits;
    int64_t last_exit;
    int64_t last_code; //  the last unexpected exit's code
    //  the open incident
    bool open;
    uint64_t id;
    unsigned kind;
    const char *reason;
    int64_t opened;
    bool sent;             //  its opening or an escalation was sent
    int64_t last_sent [3]; //  per kind: when an alert was last sent
    int suppressed;        //  held back since the last one sent
    char name [];          //  its own length (under INC_NAME_MAX)
} s_ctr_t;

static void
s_ctr_free (s_ctr_t *c)
{
    free (c->exits);
    free (c);
}

struct _incidents_t {
    inc_emit_fn *emit;
    void *arg;
    inc_settings_t settings;
    s_ctr_t **ctrs;
    size_t nctrs;
    uint64_t next_id;
    int64_t hour [INC_HOUR_MAX]; //  when the alerts sent lately were, a ring
    size_t hour_head, nhour;
};

incidents_t *
incidents_new (inc_emit_fn *emit, void *arg)
{
    incidents_t *self = ddc_calloc (1, sizeof (*self));
    self->emit = emit;
    self->arg = arg;
    self->settings = (inc_settings_t){ true, 3, 600000, 600000, 30 };
    return self;
}

void
incidents_destroy (incidents_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    incidents_t *self = *self_p;
    for (size_t i = 0; i < self->nctrs; i++)
        s_ctr_free (self->ctrs [i]);
    free (self->ctrs);
    free (self);
    *self_p = NULL;
}

const char *
incidents_kind_name (unsigned kind)
{
    return kind == INC_CRASH       ? "crash"
           : kind == INC_UNHEALTHY ? "unhealthy"
           : kind == INC_LOOP      ? "restart_loop"
                                   : NULL;
}

unsigned
incidents_kind_bit (const char *name)
{
    for (unsigned bit = 1; bit <= INC_LOOP; bit <<= 1)
        if (name && strcmp (name, incidents_kind_name (bit)) == 0)
            return bit;
    return 0;
}

//  --------------------------------------------------------------------------
//  Helpers

static s_ctr_t *
s_find (incidents_t *self, const char *name)
{
    for (size_t i = 0; name && i < self->nctrs; i++)
        if (strcmp (self->ctrs [i]->name, name) == 0)
            return self->ctrs [i];
    return NULL;
}

static int
s_kind_index (unsigned kind)
{
    return kind == INC_CRASH ? 0 : kind == INC_UNHEALTHY ? 1 : 2;
}

//  How bad a kind is: unhealthy < crash < restart loop.
static int
s_rank (unsigned kind)
{
    return kind == INC_UNHEALTHY ? 1 : kind == INC_CRASH ? 2 : 3;
}

static int
s_exits_within (const s_ctr_t *c, int64_t now, int64_t window)
{
    int n = 0;
    for (size_t i = 0; i < c->nexits; i++)
        if (now - c->exits [i] < window)
            n++;
    return n;
}

//  May an alert of kind go out for c now? Records it when it may.
static bool
s_allow (incidents_t *self, s_ctr_t *c, unsigned kind, int64_t now)
{
    int k = s_kind_index (kind);
    if (c->last_sent [k] && now - c->last_sent [k] < self->settings.cooldown_ms)
        return false;
    int recent = 0;
    for (size_t i = 0; i < self->nhour; i++)
        if (now - self->hour [i] < S_HOUR_MS)
            recent++;
    if (recent >= self->settings.max_per_hour)
        return false;
    c->last_sent [k] = now;
    self->hour [self->hour_head] = now;
    self->hour_head = (self->hour_head + 1) % INC_HOUR_MAX;
    if (self->nhour < INC_HOUR_MAX)
        self->nhour++;
    return true;
}

static void
s_emit (incidents_t *self, s_ctr_t *c, inc_what_t what, const char *resolution, bool send,
        int64_t now)
{
    inc_report_t r = {
        .what = what,
        .container = c->name,
        .id = c->id,
        .kind = c->kind,
        .reason = c->reason,
        .exit_code = c->kind != INC_UNHEALTHY && c->nexits ? c->last_code : -1,
        .restarts = s_exits_within (c, now, self->settings.loop_ms),
        .opened_ms = c->opened,
        .at_ms = now,
        .resolution = resolution,
        .running = c->running,
        .has_health = c->has_health,
        .send = send,
    };
    if (what != INC_RESOLVED) {
        if (send) {
            r.suppressed = c->suppressed;
            c->suppressed = 0;
        }
        else
            c->suppressed++;
    }
    if (self->emit)
        self->emit (self->arg, &r);
}

//  Open an incident of kind on c, or make the open one worse.
static void
s_raise (incidents_t *self, s_ctr_t *c, unsigned kind, const char *reason, int64_t now)
{
    if (c->open && s_rank (kind) <= s_rank (c->kind)) {
        if (kind == c->kind)
            c->reason = reason; //  the latest exit's reason
        return;
    }
    bool escalate = c->open;
    if (!escalate) {
        c->open = true;
        c->id = ++self->next_id;
        c->opened = now;
        c->sent = false;
    }
    c->kind = kind;
    c->reason = reason;
    bool send = s_allow (self, c, kind, now);
    c->sent = c->sent || send;
    s_emit (self, c, escalate ? INC_ESCALATED : INC_OPENED, NULL, send, now);
}

static void
s_resolve (incidents_t *self, s_ctr_t *c, const char *resolution, int64_t now)
{
    if (!c->open)
        return;
    c->open = false;
    s_emit (self, c, INC_RESOLVED, resolution, c->sent, now);
}

//  --------------------------------------------------------------------------
//  Configuration

void
incidents_settings (incidents_t *self, const inc_settings_t *s, int64_t now)
{
    inc_settings_t v = *s;
    if (v.loop_count < 2)
        v.loop_count = 2;
    if (v.loop_count > INC_EXITS_MAX)
        v.loop_count = INC_EXITS_MAX;
    if (v.loop_ms < 1000)
        v.loop_ms = 1000;
    if (v.cooldown_ms < 0)
        v.cooldown_ms = 0;
    if (v.max_per_hour < 1)
        v.max_per_hour = 1;
    if (v.max_per_hour > INC_HOUR_MAX)
        v.max_per_hour = INC_HOUR_MAX;
    self->settings = v;
    if (!v.enabled)
        for (size_t i = 0; i < self->nctrs; i++)
            s_resolve (self, self->ctrs [i], "gone", now);
}

void
incidents_follow (incidents_t *self, const char *const *names, const unsigned *kinds, size_t n,
                  int64_t now)
{
    s_ctr_t **old = self->ctrs;
    size_t nold = self->nctrs;
    s_ctr_t **ctrs = ddc_calloc (n ? n : 1, sizeof (*ctrs));
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!names [i] || !(kinds [i] & INC_ALL) || strlen (names [i]) >= INC_NAME_MAX)
            continue;
        bool dup = false;
        for (size_t k = 0; k < count && !dup; k++)
            dup = strcmp (ctrs [k]->name, names [i]) == 0;
        if (dup)
            continue;
        s_ctr_t *c = NULL;
        for (size_t k = 0; k < nold && !c; k++)
            if (old [k] && strcmp (old [k]->name, names [i]) == 0) {
                c = old [k];
                old [k] = NULL; //  taken over
            }
        if (!c) {
            size_t len = strlen (names [i]);
            c = ddc_calloc (1, sizeof (*c) + len + 1);
            memcpy (c->name, names [i], len + 1);
            c->last_code = -1;
        }
        c->kinds = kinds [i] & INC_ALL;
        if (c->open && !(c->kinds & c->kind))
            s_resolve (self, c, "gone", now);
        ctrs [count++] = c;
    }
    self->ctrs = ctrs;
    self->nctrs = count;
    for (size_t k = 0; k < nold; k++)
        if (old [k]) {
            s_resolve (self, old [k], "gone", now);
            s_ctr_free (old [k]);
        }
    free (old);
}

//  --------------------------------------------------------------------------
//  Events

//  Signals that stop a container: INT, QUIT, KILL, TERM (and unknown).
static bool
s_stop_signal (int64_t signal)
{
    return signal < 0 || signal == 2 || signal == 3 || signal == 9 || signal == 15;
}

static void
s_die (incidents_t *self, s_ctr_t *c, int64_t code, int64_t t)
{
    c->running = false;
    c->since = t;
    c->healthy_at = 0;
    bool asked = t <= c->asked_until || t <= c->signal_until;
    c->asked_until = c->signal_until = 0;
    bool oom = c->oom_at && t - c->oom_at <= INC_OOM_MS;
    c->oom_at = 0;
    c->down_asked = asked;
    if (asked)
        return;
    if (!c->exits)
        c->exits = ddc_calloc (INC_EXITS_MAX, sizeof (*c->exits));
    c->exits [c->exit_head] = t;
    c->exit_head = (c->exit_head + 1) % INC_EXITS_MAX;
    if (c->nexits < INC_EXITS_MAX)
        c->nexits++;
    c->last_exit = t;
    c->last_code = code;
    if (!self->settings.enabled)
        return;
    int recent = s_exits_within (c, t, self->settings.loop_ms);
    if ((c->kinds & INC_LOOP) && recent >= self->settings.loop_count)
        s_raise (self, c, INC_LOOP, "restart_loop", t);
    else if ((c->kinds & INC_CRASH) && (code != 0 || oom))
        s_raise (self, c, INC_CRASH, oom ? "oom" : "exit", t);
}

void
incidents_event (incidents_t *self, const char *name, inc_ev_t ev, int64_t code, int64_t t)
{
    s_ctr_t *c = s_find (self, name);
    if (!c)
        return;
    if (c->seen_event && (t < c->last_t || (t == c->last_t && (int) ev == c->last_ev)))
        return;
    c->seen_event = true;
    c->last_t = t;
    c->last_ev = (int) ev;
    switch (ev) {
        case INC_EV_START:
            c->running = true;
            c->restarting = false;
            c->since = t;
            c->healthy_at = 0;
            c->down_asked = false;
            break;
        case INC_EV_DIE:
            s_die (self, c, code, t);
            break;
        case INC_EV_OOM:
            c->oom_at = t;
            //  Docker may send the oom after the die it explains: the open
            //  crash of that exit becomes a memory kill (not the next exit)
            if (!c->running && c->open && c->kind == INC_CRASH && c->last_exit
                && t - c->last_exit <= INC_OOM_MS && strcmp (c->reason, "exit") == 0) {
                c->reason = "oom";
                c->oom_at = 0;
            }
            break;
        case INC_EV_KILL: {
            int64_t until = t + (s_stop_signal (code) ? INC_STOP_MS : INC_SIGNAL_MS);
            if (until > c->signal_until)
                c->signal_until = until;
            break;
        }
        case INC_EV_HEALTHY:
            c->has_health = true;
            c->healthy_at = t;
            break;
        case INC_EV_UNHEALTHY:
            c->has_health = true;
            c->healthy_at = 0;
            //  a check that fails while the container is being stopped says
            //  nothing about its health
            if (self->settings.enabled && (c->kinds & INC_UNHEALTHY) && c->running
                && t > c->asked_until && t > c->signal_until)
                s_raise (self, c, INC_UNHEALTHY, "unhealthy", t);
            break;
        case INC_EV_DESTROY:
            //  removed on purpose: like a stop that was asked for
            c->running = false;
            c->since = t;
            c->down_asked = true;
            break;
    }
}

void
incidents_asked (incidents_t *self, const char *name, int64_t until)
{
    s_ctr_t *c = s_find (self, name);
    if (c && until > c->asked_until)
        c->asked_until = until;
}

void
incidents_inspected (incidents_t *self, const char *name, bool running, bool restarting,
                     const char *health, int64_t t)
{
    s_ctr_t *c = s_find (self, name);
    if (!c)
        return;
    c->has_health = health && *health;
    c->restarting = restarting;
    if (c->seen_event)
        return;
    if (running != c->running || !c->since)
        c->since = t;
    c->running = running;
    c->healthy_at = running && health && strcmp (health, "healthy") == 0 ? t : 0;
}

//  --------------------------------------------------------------------------
//  Ends

void
incidents_tick (incidents_t *self, int64_t now)
{
    for (size_t i = 0; i < self->nctrs; i++) {
        s_ctr_t *c = self->ctrs [i];
        if (!c->open)
            continue;
        bool up_long = c->running && now - c->since >= INC_STABLE_MS;
        bool well = c->running && (c->has_health ? c->healthy_at != 0 : up_long);
        if (!c->running && c->down_asked && now - c->since >= INC_STABLE_MS)
            s_resolve (self, c, "stopped", now);
        else if (c->kind == INC_LOOP) {
            if (well && now - c->last_exit >= self->settings.loop_ms)
                s_resolve (self, c, "loop_ended", now);
            else if (!c->running && !c->restarting && now - c->since >= INC_STABLE_MS)
                s_resolve (self, c, "loop_ended", now);
        }
        else if (well)
            s_resolve (self, c, "recovered", now);
    }
}

size_t
incidents_open (incidents_t *self)
{
    size_t n = 0;
    for (size_t i = 0; i < self->nctrs; i++)
        n += self->ctrs [i]->open;
    return n;
}
