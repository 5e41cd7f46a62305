/*  docker_parse: Docker Engine API replies into fixed-size structs, the CPU %
    of `docker stats`, and the logs demultiplexer. See docker_parse.h.
    Owns nothing beyond what it returns: docker_list_t (destroy it) and the
    text of docker_logs_text (free it). Pure functions: safe to fuzz. */
#include "docker_parse.h"

#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOCKER_BODY_MAX (64u * 1024 * 1024) //  refuse to parse more

//  --------------------------------------------------------------------------
//  Small helpers

//  A reply's JSON (ddc_json_parse); the reason into err when given.
static cJSON *
s_parse_why (const char *body, size_t len, char *err, size_t errlen)
{
    char why [120];
    cJSON *root = ddc_json_parse (body, len, DOCKER_BODY_MAX, why, sizeof (why));
    if (!root && err)
        snprintf (err, errlen, "not valid JSON: %s", why);
    return root;
}

static cJSON *
s_parse (const char *body, size_t len)
{
    return s_parse_why (body, len, NULL, 0);
}

static cJSON *
s_get (const cJSON *obj, const char *key)
{
    return cJSON_IsObject (obj) ? cJSON_GetObjectItemCaseSensitive (obj, key) : NULL;
}

static const char *
s_str (const cJSON *obj, const char *key)
{
    const cJSON *item = s_get (obj, key);
    return cJSON_IsString (item) ? item->valuestring : NULL;
}

//  Copy src into dst[size]. When it does not fit: truncate (at a UTF-8
//  boundary) if allowed, else fail. Returns 0 or -1 (dst then "").
static int
s_copy (char *dst, size_t size, const char *src, bool truncate)
{
    dst [0] = '\0';
    if (!src)
        return -1;
    size_t len = strlen (src);
    if (len >= size) {
        if (!truncate)
            return -1;
        len = ddc_utf8_cut (src, len, size - 1);
    }
    memcpy (dst, src, len);
    dst [len] = '\0';
    return 0;
}

//  A JSON number that is an integer in [0, 2^64).
static int
s_u64 (const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsNumber (item))
        return -1;
    double d = item->valuedouble;
    if (!(d >= 0.0) || d >= 18446744073709551616.0)
        return -1;
    *out = (uint64_t) d;
    return 0;
}

//  A JSON number that is an integer in [-2^63, 2^63).
static int
s_i64 (const cJSON *item, int64_t *out)
{
    if (!cJSON_IsNumber (item))
        return -1;
    double d = item->valuedouble;
    if (!(d >= -9223372036854775808.0) || d >= 9223372036854775808.0)
        return -1;
    *out = (int64_t) d;
    return 0;
}

static bool
s_is_hex_id (const char *s)
{
    size_t len = strlen (s);
    if (len == 0 || len >= DOCKER_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s [i] >= '0' && s [i] <= '9') || (s [i] >= 'a' && s [i] <= 'f')))
            return false;
    return true;
}

bool
docker_name_valid (const char *name)
{
    if (!name)
        return false;
    size_t len = strnlen (name, DOCKER_NAME_MAX);
    if (len == 0 || len >= DOCKER_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name [i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
            return false;
    }
    return true;
}

//  Copy a name as Docker reports it ("/web") without the leading '/'.
static int
s_copy_name (char *dst, const char *src)
{
    dst [0] = '\0';
    if (!src)
        return -1;
    if (src [0] == '/')
        src++;
    if (!docker_name_valid (src))
        return -1;
    return s_copy (dst, DOCKER_NAME_MAX, src, false);
}

//  --------------------------------------------------------------------------
//  Times and versions

//  Parse exactly n decimal digits at *p into *out and advance.
static int
s_digits (const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p) [i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

//  Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
//  (Howard Hinnant's days_from_civil).
static int64_t
s_days_from_civil (int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
docker_parse_time (const char *s, int64_t *epoch_s)
{
    if (!s || !epoch_s)
        return -1;
    const char *p = s;
    int year, mon, day, hour, min, sec;
    if (s_digits (&p, 4, &year) || *p++ != '-' || s_digits (&p, 2, &mon) || *p++ != '-'
        || s_digits (&p, 2, &day) || (*p != 'T' && *p != 't'))
        return -1;
    p++;
    if (s_digits (&p, 2, &hour) || *p++ != ':' || s_digits (&p, 2, &min) || *p++ != ':'
        || s_digits (&p, 2, &sec))
        return -1;
    static const int mdays [] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (mon < 1 || mon > 12 || day < 1 || day > mdays [mon - 1] || hour > 23 || min > 59 || sec > 60)
        return -1;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (mon == 2 && day == 29 && !leap)
        return -1;
    if (*p == '.') {
        p++;
        int n = 0;
        while (*p >= '0' && *p <= '9' && n < 32) {
            p++;
            n++;
        }
        if (n == 0 || n == 32)
            return -1;
    }
    int offset = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int oh, om;
        if (s_digits (&p, 2, &oh) || *p++ != ':' || s_digits (&p, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = sign * (oh * 3600 + om * 60);
    }
    else
        return -1;
    if (*p != '\0')
        return -1;
    if (year <= 1) { //  Go's zero time: never
        *epoch_s = 0;
        return 0;
    }
    int64_t days = s_days_from_civil (year, mon, day);
    *epoch_s = days * 86400 + hour * 3600 + min * 60 + sec - offset;
    return 0;
}

int
docker_parse_api_version (const char *s, int *major, int *minor)
{
    if (!s)
        return -1;
    int part [2] = { 0, 0 };
    const char *p = s;
    for (int i = 0; i < 2; i++) {
        int n = 0;
        while (*p >= '0' && *p <= '9') {
            if (n == 4)
                return -1;
            part [i] = part [i] * 10 + (*p - '0');
            p++;
            n++;
        }
        if (n == 0)
            return -1;
        if (i == 0 && *p++ != '.')
            return -1;
    }
    if (*p != '\0')
        return -1;
    *major = part [0];
    *minor = part [1];
    return 0;
}

//  --------------------------------------------------------------------------
//  Container list

//  An entry as parsed, before its strings are packed into one block.
typedef struct {
    char id [DOCKER_ID_MAX];
    char name [DOCKER_NAME_MAX];
    char image [DOCKER_IMAGE_MAX];
    char state [DOCKER_STATE_MAX];
    char status [DOCKER_STATUS_MAX];
    int64_t created;
} s_container_t;

static int
s_container (const cJSON *item, s_container_t *c)
{
    memset (c, 0, sizeof (*c));
    const char *id = s_str (item, "Id");
    if (!id || !s_is_hex_id (id))
        return -1;
    s_copy (c->id, sizeof (c->id), id, false);

    //  Like `docker ps`: the first name that is not a legacy link alias
    //  ("/other/alias"); Names[0] is normally the container's own name.
    const cJSON *names = s_get (item, "Names");
    if (!cJSON_IsArray (names))
        names = NULL;
    const cJSON *name;
    cJSON_ArrayForEach (name, names) {
        if (cJSON_IsString (name) && s_copy_name (c->name, name->valuestring) == 0)
            break;
    }
    if (c->name [0] == '\0')
        return -1;

    const char *image = s_str (item, "Image");
    if (!image || !*image)
        image = s_str (item, "ImageID");
    s_copy (c->image, sizeof (c->image), image, true);
    s_copy (c->state, sizeof (c->state), s_str (item, "State"), true);
    s_copy (c->status, sizeof (c->status), s_str (item, "Status"), true);
    if (s_i64 (s_get (item, "Created"), &c->created) || c->created < 0)
        c->created = 0;
    return 0;
}

//  c's strings from p, in one block that starts with the id.
static void
s_pack (docker_container_t *c, const s_container_t *p)
{
    const char *from [5] = { p->id, p->name, p->image, p->state, p->status };
    size_t len [5], total = 0;
    for (int i = 0; i < 5; i++)
        total += (len [i] = strlen (from [i]) + 1);
    char *block = ddc_malloc (total);
    const char **to [5] = { &c->id, &c->name, &c->image, &c->state, &c->status };
    for (int i = 0; i < 5; i++) {
        memcpy (block, from [i], len [i]);
        *to [i] = block;
        block += len [i];
    }
    c->created = p->created;
}

docker_list_t *
docker_list_parse (const char *body, size_t len, char *err, size_t errlen)
{
    cJSON *root = s_parse_why (body, len, err, errlen);
    if (!root)
        return NULL;
    if (!cJSON_IsArray (root)) {
        if (err)
            snprintf (err, errlen, "not a JSON array");
        cJSON_Delete (root);
        return NULL;
    }
    int n = cJSON_GetArraySize (root);
    size_t cap = n > DOCKER_LIST_MAX ? DOCKER_LIST_MAX : (size_t) (n > 0 ? n : 1);
    docker_list_t *self = ddc_calloc (1, sizeof (*self));
    self->items = ddc_calloc (cap, sizeof (*self->items));
    s_container_t parsed;
    const cJSON *item;
    cJSON_ArrayForEach (item, root) {
        if (self->count == DOCKER_LIST_MAX) {
            self->truncated = true;
            break;
        }
        if (s_container (item, &parsed) == 0)
            s_pack (&self->items [self->count++], &parsed);
        else
            self->skipped++;
    }
    cJSON_Delete (root);
    return self;
}

void
docker_list_destroy (docker_list_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (size_t i = 0; i < (*self_p)->count; i++)
        free ((char *) (*self_p)->items [i].id); //  the block s_pack made
    free ((*self_p)->items);
    free (*self_p);
    *self_p = NULL;
}

//  --------------------------------------------------------------------------
//  Inspect

static void s_copy_printable (char *dst, size_t size, const char *src, size_t len);

int
docker_inspect_parse (const char *body, size_t len, docker_inspect_t *out)
{
    memset (out, 0, sizeof (*out));
    cJSON *root = s_parse (body, len);
    int rc = -1;
    const char *id = s_str (root, "Id");
    const cJSON *state = s_get (root, "State");
    const char *status = s_str (state, "Status");
    const cJSON *running = s_get (state, "Running");
    if (!id || !s_is_hex_id (id) || !status || !cJSON_IsBool (running))
        goto done;
    s_copy (out->id, sizeof (out->id), id, false);
    s_copy_name (out->name, s_str (root, "Name"));
    s_copy (out->status, sizeof (out->status), status, true);
    out->running = cJSON_IsTrue (running);
    out->paused = cJSON_IsTrue (s_get (state, "Paused"));
    out->restarting = cJSON_IsTrue (s_get (state, "Restarting"));
    const cJSON *health = s_get (state, "Health");
    s_copy (out->health, sizeof (out->health), s_str (health, "Status"), true);
    const cJSON *log = s_get (health, "Log");
    const char *output =
        cJSON_IsArray (log)
            ? s_str (cJSON_GetArrayItem (log, cJSON_GetArraySize (log) - 1), "Output")
            : NULL;
    if (output)
        s_copy_printable (out->health_output, sizeof (out->health_output), output, strlen (output));
    out->oom_killed = cJSON_IsTrue (s_get (state, "OOMKilled"));
    if (docker_parse_time (s_str (state, "StartedAt"), &out->started_at))
        out->started_at = 0;
    if (docker_parse_time (s_str (state, "FinishedAt"), &out->finished_at))
        out->finished_at = 0;
    if (s_i64 (s_get (state, "ExitCode"), &out->exit_code))
        out->exit_code = 0;
    if (s_i64 (s_get (root, "RestartCount"), &out->restart_count) || out->restart_count < 0)
        out->restart_count = 0;
    const cJSON *config = s_get (root, "Config");
    s_copy (out->image, sizeof (out->image), s_str (config, "Image"), true);
    s_copy (out->image_id, sizeof (out->image_id), s_str (root, "Image"), true);
    out->tty = cJSON_IsTrue (s_get (config, "Tty"));
    rc = 0;
done:
    cJSON_Delete (root);
    return rc;
}

//  --------------------------------------------------------------------------
//  Stats

static void
s_cpu_sample (const cJSON *obj, docker_cpu_sample_t *s)
{
    memset (s, 0, sizeof (*s));
    const cJSON *usage = s_get (obj, "cpu_usage");
    if (s_u64 (s_get (usage, "total_usage"), &s->total_usage))
        s->total_usage = 0;
    if (s_u64 (s_get (obj, "system_cpu_usage"), &s->system_usage))
        s->system_usage = 0;
    uint64_t cpus = 0;
    if (s_u64 (s_get (obj, "online_cpus"), &cpus) || cpus == 0) {
        const cJSON *percpu = s_get (usage, "percpu_usage");
        cpus = cJSON_IsArray (percpu) ? (uint64_t) cJSON_GetArraySize (percpu) : 0;
    }
    s->online_cpus = cpus > 65536 ? 0 : (uint32_t) cpus;
}

//  memory_stats.stats[key] as a uint64; -1 when absent or not a number.
static int
s_mem_stat (const cJSON *stats, const char *key, uint64_t *out)
{
    return s_u64 (s_get (stats, key), out);
}

int
docker_stats_parse (const char *body, size_t len, docker_stats_t *out)
{
    memset (out, 0, sizeof (*out));
    cJSON *root = s_parse (body, len);
    const cJSON *cpu = s_get (root, "cpu_stats");
    if (!cJSON_IsObject (cpu)) {
        cJSON_Delete (root);
        return -1;
    }
    s_cpu_sample (cpu, &out->cpu);
    s_cpu_sample (s_get (root, "precpu_stats"), &out->precpu);
    if (docker_parse_time (s_str (root, "read"), &out->read))
        out->read = 0;
    out->running = out->read != 0;

    const cJSON *mem = s_get (root, "memory_stats");
    if (s_u64 (s_get (mem, "usage"), &out->mem_usage))
        out->mem_usage = 0;
    if (s_u64 (s_get (mem, "limit"), &out->mem_limit))
        out->mem_limit = 0;
    const cJSON *ms = s_get (mem, "stats");
    uint64_t v = 0;
    if (s_mem_stat (ms, "total_inactive_file", &v) == 0 || s_mem_stat (ms, "inactive_file", &v) == 0
        || s_mem_stat (ms, "cache", &v) == 0) {
        if (v < out->mem_usage)
            out->mem_cache = v;
    }
    out->mem_used = out->mem_usage - out->mem_cache;
    if (out->mem_limit > 0)
        out->mem_percent = (double) out->mem_used / (double) out->mem_limit * 100.0;
    out->cpu_percent = docker_cpu_percent (&out->precpu, &out->cpu);
    if (s_u64 (s_get (s_get (root, "pids_stats"), "current"), &out->pids))
        out->pids = 0;
    cJSON_Delete (root);
    return 0;
}

double
docker_cpu_percent (const docker_cpu_sample_t *prev, const docker_cpu_sample_t *cur)
{
    if (!prev || !cur || prev->system_usage == 0)
        return 0.0; //  no previous sample (one-shot)
    double cpu_delta = (double) cur->total_usage - (double) prev->total_usage;
    double sys_delta = (double) cur->system_usage - (double) prev->system_usage;
    double cpus = (double) cur->online_cpus;
    if (!(cpu_delta > 0.0) || !(sys_delta > 0.0) || cpus <= 0.0)
        return 0.0;
    double pct = cpu_delta / sys_delta * cpus * 100.0;
    if (!isfinite (pct) || pct < 0.0)
        return 0.0;
    return pct > cpus * 100.0 ? cpus * 100.0 : pct;
}

bool
docker_stats_cpu (const docker_stats_t *st, const docker_cpu_sample_t *prev, double *pct)
{
    *pct = 0.0;
    if (st->precpu.system_usage || !st->cpu.system_usage) {
        //  Docker's own pair, or no system time to compare at all (as
        //  before one-shot: no wait for a second sample that cannot help)
        *pct = st->cpu_percent;
        return true;
    }
    if (!prev || !prev->system_usage)
        return false;
    *pct = docker_cpu_percent (prev, &st->cpu);
    return true;
}

//  --------------------------------------------------------------------------
//  Events

int
docker_event_parse (const char *line, size_t len, docker_event_t *out)
{
    memset (out, 0, sizeof (*out));
    out->exit_code = -1;
    out->signal = -1;
    cJSON *root = s_parse (line, len);
    int rc = -1;
    const char *type = s_str (root, "Type");
    const char *action = s_str (root, "Action");
    if (!type && !action && s_str (root, "status")) {
        type = "container"; //  API < 1.22 form
        action = s_str (root, "status");
    }
    if (!type || !action || !*type || !*action)
        goto done;
    s_copy (out->type, sizeof (out->type), type, true);

    //  "health_status: healthy", "exec_start: sh -c true": verb + detail.
    const char *colon = strchr (action, ':');
    size_t verb_len = colon ? (size_t) (colon - action) : strlen (action);
    if (verb_len == 0)
        goto done;
    verb_len = ddc_utf8_cut (action, verb_len, sizeof (out->action) - 1);
    memcpy (out->action, action, verb_len);
    out->action [verb_len] = '\0';
    if (colon) {
        const char *detail = colon + 1;
        while (*detail == ' ')
            detail++;
        s_copy (out->detail, sizeof (out->detail), detail, true);
    }

    const cJSON *actor = s_get (root, "Actor");
    const char *id = s_str (actor, "ID");
    if (!id)
        id = s_str (root, "id");
    s_copy (out->id, sizeof (out->id), id, false);
    const cJSON *attrs = s_get (actor, "Attributes");
    s_copy_name (out->name, s_str (attrs, "name"));
    s_copy (out->image, sizeof (out->image), s_str (attrs, "image"), true);
    uint64_t code;
    if (ddc_parse_u64 (s_str (attrs, "exitCode"), &code) == 0 && code <= INT32_MAX)
        out->exit_code = (int64_t) code;
    uint64_t signal;
    out->signal = -1;
    if (ddc_parse_u64 (s_str (attrs, "signal"), &signal) == 0 && signal <= 255)
        out->signal = (int) signal;

    bool have_time = s_i64 (s_get (root, "time"), &out->time) == 0 && out->time >= 0;
    bool have_nano = s_i64 (s_get (root, "timeNano"), &out->time_nano) == 0 && out->time_nano >= 0;
    if (!have_time)
        out->time = have_nano ? out->time_nano / 1000000000 : 0;
    if (!have_nano)
        out->time_nano = out->time <= INT64_MAX / 1000000000 ? out->time * 1000000000 : 0;
    rc = 0;
done:
    cJSON_Delete (root);
    return rc;
}

//  --------------------------------------------------------------------------
//  Errors, version


//  Copy at most size-1 bytes of text: control characters become spaces,
//  invalid UTF-8 becomes '?'.
static void
s_copy_printable (char *dst, size_t size, const char *src, size_t len)
{
    const unsigned char *p = (const unsigned char *) src;
    size_t o = 0, i = 0;
    while (i < len) {
        size_t n = ddc_utf8_seq (p + i, len - i);
        if (n == 0 || p [i] < 0x20 || p [i] == 0x7F) {
            n = 1;
            if (o + 1 >= size)
                break;
            dst [o++] = p [i] < 0x20 || p [i] == 0x7F ? ' ' : '?';
        }
        else {
            if (o + n >= size)
                break;
            memcpy (dst + o, p + i, n);
            o += n;
        }
        i += n;
    }
    dst [o] = '\0';
}

int
docker_error_parse (const char *body, size_t len, char *msg, size_t size)
{
    if (!msg || size == 0)
        return -1;
    msg [0] = '\0';
    cJSON *root = s_parse (body, len);
    const char *text = s_str (root, "message");
    int rc = -1;
    if (text) {
        s_copy_printable (msg, size, text, strlen (text));
        rc = 0;
    }
    else if (body) {
        size_t n = strnlen (body, len);
        while (n > 0 && (body [n - 1] == '\n' || body [n - 1] == '\r'))
            n--;
        s_copy_printable (msg, size, body, n);
    }
    cJSON_Delete (root);
    return rc;
}

int
docker_version_parse (const char *body, size_t len, docker_version_t *out)
{
    memset (out, 0, sizeof (*out));
    cJSON *root = s_parse (body, len);
    const char *api = s_str (root, "ApiVersion");
    int major, minor, rc = -1;
    if (api && docker_parse_api_version (api, &major, &minor) == 0
        && s_copy (out->api_version, sizeof (out->api_version), api, false) == 0) {
        s_copy (out->version, sizeof (out->version), s_str (root, "Version"), true);
        const char *min_api = s_str (root, "MinAPIVersion");
        if (min_api && docker_parse_api_version (min_api, &major, &minor) == 0)
            s_copy (out->min_api_version, sizeof (out->min_api_version), min_api, false);
        s_copy (out->os, sizeof (out->os), s_str (root, "Os"), true);
        s_copy (out->arch, sizeof (out->arch), s_str (root, "Arch"), true);
        rc = 0;
    }
    cJSON_Delete (root);
    return rc;
}

//  --------------------------------------------------------------------------
//  Logs

static bool
s_mux_header (const unsigned char *p)
{
    return p [0] <= 2 && p [1] == 0 && p [2] == 0 && p [3] == 0;
}

//  Append the cleaned form of src[len] to dst (which has room for len).
static size_t
s_clean (char *dst, const unsigned char *src, size_t len)
{
    size_t o = 0, i = 0;
    while (i < len) {
        unsigned char c = src [i];
        if (c == '\r') {
            //  "\r\n" is one line end; a lone "\r" (progress bars) too.
            if (i + 1 < len && src [i + 1] == '\n')
                i++;
            dst [o++] = '\n';
            i++;
        }
        else if (c == 0x1B) {
            i++;
            if (i < len && src [i] == '[') { //  CSI ... final
                i++;
                while (i < len && src [i] >= 0x20 && src [i] <= 0x3F)
                    i++;
                if (i < len && src [i] >= 0x40 && src [i] <= 0x7E)
                    i++;
            }
            else if (i < len && src [i] == ']') { //  OSC ... BEL|ST
                i++;
                while (i < len && src [i] != 0x07 && src [i] != 0x1B && src [i] != '\n')
                    i++;
                if (i < len && src [i] == 0x07)
                    i++;
                else if (i + 1 < len && src [i] == 0x1B && src [i + 1] == '\\')
                    i += 2;
            }
            else if (i < len && src [i] >= 0x40 && src [i] <= 0x5F)
                i++; //  two-byte escape
        }
        else if (c == '\n' || c == '\t')
            dst [o++] = (char) src [i++];
        else if (c < 0x20 || c == 0x7F)
            i++;
        else {
            size_t n = ddc_utf8_seq (src + i, len - i);
            if (n == 0) {
                dst [o++] = '?';
                i++;
            }
            else {
                memcpy (dst + o, src + i, n);
                o += n;
                i += n;
            }
        }
    }
    return o;
}

struct _docker_logs_t {
    int mode; //  RAW, MUX or DETECT until 8 bytes came
    size_t max_lines, max_bytes;
    unsigned char head [8]; //  a frame header (or DETECT's first bytes)
    size_t head_len;
    size_t frame_left; //  MUX: payload bytes left in this frame
    bool bad;          //  a malformed header: everything refused
    bool cut;          //  older text dropped to stay in bounds
    ddc_buf_t *raw;    //  demultiplexed, not yet cleaned
};

docker_logs_t *
docker_logs_new (int mode, size_t max_lines, size_t max_bytes)
{
    docker_logs_t *self = ddc_calloc (1, sizeof (*self));
    self->mode = mode;
    self->max_lines = max_lines;
    self->max_bytes = max_bytes;
    //  Bounded by s_logs_append's cut when max_bytes is set.
    self->raw = ddc_buf_new (DDC_BUF_UNBOUNDED);
    return self;
}

void
docker_logs_destroy (docker_logs_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ddc_buf_destroy (&(*self_p)->raw);
    free (*self_p);
    *self_p = NULL;
}

//  Cleaning is local to a line (no escape sequence spans a "\n"), so the
//  text of whole lines is kept raw and cleaned once at the end. Past
//  4 * max_bytes, everything before the first line start in the last
//  2 * max_bytes is dropped: cleaning never lengthens text, so what is
//  kept still covers the max_bytes the reader can return.
static void
s_logs_append (docker_logs_t *self, const unsigned char *data, size_t n)
{
    if (n == 0)
        return;
    ddc_buf_add (self->raw, (const char *) data, n);
    size_t len = ddc_buf_len (self->raw);
    size_t keep = 2 * self->max_bytes;
    if (self->max_bytes == 0 || len <= 2 * keep)
        return;
    const unsigned char *raw = (const unsigned char *) ddc_buf_text (self->raw);
    size_t from = len - keep;
    const unsigned char *nl = memchr (raw + from - 1, '\n', keep);
    if (nl && (size_t) (nl + 1 - raw) < len)
        from = (size_t) (nl + 1 - raw);
    else
        while (from < len && (raw [from] & 0xC0) == 0x80)
            from++;
    ddc_buf_consume (self->raw, from);
    self->cut = true;
}

int
docker_logs_feed (docker_logs_t *self, const void *data, size_t len)
{
    const unsigned char *p = data;
    if (self->bad)
        return -1;
    if (!p && len > 0) {
        self->bad = true;
        return -1;
    }
    size_t i = 0;
    if (self->mode == DOCKER_LOGS_DETECT) {
        //  Decide on the first 8 bytes (a header, or raw text).
        size_t take = len < 8 - self->head_len ? len : 8 - self->head_len;
        memcpy (self->head + self->head_len, p, take);
        self->head_len += take;
        i = take;
        if (self->head_len < 8)
            return 0;
        self->mode = s_mux_header (self->head) ? DOCKER_LOGS_MUX : DOCKER_LOGS_RAW;
        if (self->mode == DOCKER_LOGS_RAW) {
            s_logs_append (self, self->head, 8);
            self->head_len = 0;
        }
    }
    if (self->mode == DOCKER_LOGS_RAW) {
        s_logs_append (self, p + i, len - i);
        return 0;
    }
    while (i < len || (self->head_len == 8 && self->frame_left == 0)) {
        if (self->head_len == 8) {
            if (!s_mux_header (self->head)) {
                self->bad = true;
                return -1;
            }
            self->frame_left = ((size_t) self->head [4] << 24) | ((size_t) self->head [5] << 16)
                               | ((size_t) self->head [6] << 8) | (size_t) self->head [7];
            self->head_len = 0;
            continue;
        }
        if (self->frame_left > 0) {
            size_t n = len - i < self->frame_left ? len - i : self->frame_left;
            s_logs_append (self, p + i, n);
            self->frame_left -= n;
            i += n;
            continue;
        }
        self->head [self->head_len++] = p [i++];
    }
    return 0;
}

int
docker_logs_finish (docker_logs_t *self, char **text_p, size_t *lines_p, bool *cut_p)
{
    if (!text_p || !lines_p)
        return -1;
    *text_p = NULL;
    *lines_p = 0;
    if (cut_p)
        *cut_p = false;
    if (self->bad)
        return -1;
    //  A partial header (or DETECT's few bytes of raw text) at the end.
    if (self->mode == DOCKER_LOGS_DETECT && self->head_len > 0)
        s_logs_append (self, self->head, self->head_len);
    //  Cleaning never makes text longer, so len + 1 bytes are enough.
    size_t len = ddc_buf_len (self->raw);
    char *text = ddc_malloc (len + 1);
    size_t tlen = s_clean (text, (const unsigned char *) ddc_buf_text (self->raw), len);
    bool cut = self->cut;

    //  Keep the last max_lines lines. A final "\n" ends the last line.
    size_t start = 0;
    if (self->max_lines > 0 && tlen > 0) {
        size_t seen = 0;
        size_t i = tlen - (text [tlen - 1] == '\n' ? 1 : 0);
        while (i > 0) {
            if (text [i - 1] == '\n' && ++seen == self->max_lines)
                break;
            i--;
        }
        start = i;
    }
    //  And at most max_bytes, starting at a line start when one is in range.
    if (self->max_bytes > 0 && tlen - start > self->max_bytes) {
        cut = true;
        size_t from = tlen - self->max_bytes;
        const char *nl = memchr (text + from - 1, '\n', tlen - from);
        if (nl && (size_t) (nl + 1 - text) < tlen)
            start = (size_t) (nl + 1 - text);
        else {
            start = from;
            while (start < tlen && ((unsigned char) text [start] & 0xC0) == 0x80)
                start++;
        }
    }
    size_t out_len = tlen - start;
    memmove (text, text + start, out_len);
    text [out_len] = '\0';
    size_t lines = 0;
    for (size_t i = 0; i < out_len; i++)
        if (text [i] == '\n')
            lines++;
    if (out_len > 0 && text [out_len - 1] != '\n')
        lines++;
    *text_p = text;
    *lines_p = lines;
    if (cut_p)
        *cut_p = cut;
    return 0;
}

int
docker_logs_text (const void *body, size_t len, int mode, size_t max_lines, size_t max_bytes,
                  char **text_p, size_t *lines_p)
{
    if (!text_p || !lines_p)
        return -1;
    *text_p = NULL;
    *lines_p = 0;
    docker_logs_t *logs = docker_logs_new (mode, max_lines, max_bytes);
    int rc = docker_logs_feed (logs, body, len);
    if (rc == 0)
        rc = docker_logs_finish (logs, text_p, lines_p, NULL);
    docker_logs_destroy (&logs);
    return rc;
}
