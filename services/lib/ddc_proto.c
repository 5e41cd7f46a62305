/*  ddc_proto: DDCP/1 codec. The table below is the protocol: one row per
    message with the kind of each frame. proto/ddcp.md is its prose. */
#include "ddc_proto.h"
#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdarg.h>
#include <string.h>

typedef struct {
    const char *name; //  command, or topic prefix for PUB
    bool pub;
    int nframes;
    ddc_frame_kind_t kind [DDC_MAX_FRAMES];
    size_t json_max; //  of its JSON frames; 0 = DDC_MAX_JSON
} s_spec_t;

#define T DDC_F_TEXT
#define N DDC_F_NAME
#define U DDC_F_U64
#define E DDC_F_EPOCH
#define O DDC_F_OBJECT
#define A DDC_F_ARRAY
#define J DDC_F_JSON

static const s_spec_t s_specs [DDC_MSG_COUNT] = {
    [DDC_HELLO] = { "HELLO", false, 4, { N, N, N, N } },
    [DDC_SNAPSHOT] = { "SNAPSHOT", false, 2, { N, N } },
    [DDC_SAVE] = { "SAVE", false, 5, { N, N, U, T, J } },
    [DDC_ROLLBACK] = { "ROLLBACK", false, 4, { N, N, U, T } },
    [DDC_HISTORY] = { "HISTORY", false, 3, { N, N, U } },
    [DDC_APPLIED] = { "APPLIED", false, 3, { N, N, U } },
    [DDC_REJECTED] = { "REJECTED", false, 5, { N, N, U, U, A } },
    [DDC_PING] = { "PING", false, 2, { N, U } },
    [DDC_STATUS] = { "STATUS", false, 3, { N, U, N } },
    [DDC_ACTION] = { "ACTION", false, 4, { N, N, U, O } },
    [DDC_RESULT] = { "RESULT", false, 2, { N, O } },
    [DDC_REPORT] = { "REPORT", false, 3, { N, N, J }, DDC_REPORT_MAX },
    [DDC_BYE] = { "BYE", false, 1, { N } },
    [DDC_THROTTLE] = { "THROTTLE", false, 3, { N, N, T } },
    [DDC_SETUP] = { "SETUP", false, 5, { N, T, U, T, O } },
    [DDC_SETUPCODE] = { "SETUPCODE", false, 1, { N } },
    [DDC_AUDIT] = { "AUDIT", false, 2, { N, O }, DDC_AUDIT_QUERY_MAX },
    [DDC_RECORD] = { "RECORD", false, 2, { N, O }, DDC_RECORD_MAX },
    [DDC_WELCOME] = { "WELCOME", false, 5, { N, E, U, E, O } },
    [DDC_STATE] = { "STATE", false, 4, { N, E, U, O } },
    [DDC_OK] = { "OK", false, 4, { N, U, U, U } },
    [DDC_CONFLICT] = { "CONFLICT", false, 3, { N, U, J } },
    [DDC_INVALID] = { "INVALID", false, 2, { N, A } },
    [DDC_DENIED] = { "DENIED", false, 2, { N, T } },
    [DDC_ERROR] = { "ERROR", false, 3, { N, U, T } },
    [DDC_CHANGES] = { "CHANGES", false, 2, { N, A } },
    [DDC_PONG] = { "PONG", false, 3, { N, E, U } },
    [DDC_PEERS] = { "PEERS", false, 2, { N, O } },
    [DDC_WAIT] = { "WAIT", false, 2, { N, U } },
    [DDC_CODE] = { "CODE", false, 2, { N, T } },
    [DDC_ENTRIES] = { "ENTRIES", false, 2, { N, O } },
    [DDC_ACK] = { "ACK", false, 1, { N } },
    [DDC_UPDATE] = { "cfg/", true, 5, { E, U, U, O, J } },
    [DDC_HUGZ] = { "hugz/", true, 5, { E, U, E, O, U } },
    [DDC_STATUSPUB] = { "status/", true, 1, { J }, DDC_REPORT_MAX },
    [DDC_MONPUB] = { "mon/", true, 1, { O }, DDC_MON_MAX },
};

#undef T
#undef N
#undef U
#undef E
#undef O
#undef A
#undef J

const char *
ddc_msg_name (ddc_msg_type_t type)
{
    return type < DDC_MSG_COUNT ? s_specs [type].name : "?";
}

int
ddc_msg_type_from_name (const char *name)
{
    for (int i = 0; i < DDC_MSG_COUNT; i++)
        if (!s_specs [i].pub && strcmp (s_specs [i].name, name) == 0)
            return i;
    return -1;
}

static bool
s_is_name_char (unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || strchr ("._@/:*,-", c) != NULL;
}

//  Check one frame against its kind; fills u64/json of msg at index i.
static int
s_check_frame (ddc_msg_t *msg, int i, ddc_frame_kind_t kind, size_t json_max, char *err,
               size_t errlen)
{
    const char *s = msg->frame [i];
    size_t len = msg->len [i];
    char why [120];
    if (strlen (s) != len) {
        snprintf (err, errlen, "frame %d contains a NUL byte", i + 1);
        return -1;
    }
    switch (kind) {
        case DDC_F_TEXT:
            if (len > DDC_MAX_TEXT) {
                snprintf (err, errlen, "frame %d is longer than %d bytes", i + 1, DDC_MAX_TEXT);
                return -1;
            }
            {
                bool not_utf8;
                size_t bad = ddc_utf8_printable (s, len, &not_utf8);
                if (bad < len) {
                    snprintf (err, errlen,
                              not_utf8 ? "frame %d is not valid UTF-8 (byte %zu)"
                                       : "frame %d has a control character (byte %zu)",
                              i + 1, bad + 1);
                    return -1;
                }
                return 0;
            }
        case DDC_F_NAME:
            if (len == 0 || len > DDC_MAX_TEXT) {
                snprintf (err, errlen, "frame %d must be a name of 1 to %d characters", i + 1,
                          DDC_MAX_TEXT);
                return -1;
            }
            for (size_t k = 0; k < len; k++)
                if (!s_is_name_char ((unsigned char) s [k])) {
                    snprintf (err, errlen, "frame %d has a character not allowed in a name", i + 1);
                    return -1;
                }
            return 0;
        case DDC_F_U64:
            if (ddc_parse_u64 (s, &msg->u64 [i]) < 0) {
                snprintf (err, errlen, "frame %d must be a decimal integer", i + 1);
                return -1;
            }
            return 0;
        case DDC_F_EPOCH:
            if (len != 16 || strspn (s, "0123456789abcdef") != 16) {
                snprintf (err, errlen, "frame %d must be 16 lowercase hex digits", i + 1);
                return -1;
            }
            return 0;
        case DDC_F_OBJECT:
        case DDC_F_ARRAY:
        case DDC_F_JSON:
            if (len > json_max) {
                snprintf (err, errlen, "frame %d is larger than %zu bytes", i + 1, json_max);
                errno = EMSGSIZE;
                return -1;
            }
            msg->json [i] = ddc_json_parse (s, len, json_max, why, sizeof (why));
            if (!msg->json [i]) {
                snprintf (err, errlen, "frame %d is not valid JSON: %s", i + 1, why);
                return -1;
            }
            if (kind == DDC_F_OBJECT && !cJSON_IsObject (msg->json [i])) {
                snprintf (err, errlen, "frame %d must be a JSON object", i + 1);
                return -1;
            }
            if (kind == DDC_F_ARRAY && !cJSON_IsArray (msg->json [i])) {
                snprintf (err, errlen, "frame %d must be a JSON array", i + 1);
                return -1;
            }
            return 0;
    }
    return -1;
}

static int
s_find_type (bool pub, const char *head, size_t head_len)
{
    for (int i = 0; i < DDC_MSG_COUNT; i++) {
        if (s_specs [i].pub != pub)
            continue;
        size_t n = strlen (s_specs [i].name);
        if (pub ? (head_len >= n && memcmp (head, s_specs [i].name, n) == 0)
                : (head_len == n && memcmp (head, s_specs [i].name, n) == 0))
            return i;
    }
    return -1;
}

ddc_msg_t *
ddc_msg_decode_frames (bool pub, int count, const char *const data [], const size_t lens [],
                       char *err, size_t errlen)
{
    errno = EPROTO;
    if (count < 1) {
        snprintf (err, errlen, "empty message");
        return NULL;
    }
    int type = s_find_type (pub, data [0], lens [0]);
    if (type < 0) {
        snprintf (err, errlen, pub ? "unknown topic" : "unknown command");
        return NULL;
    }
    const s_spec_t *spec = &s_specs [type];
    if (count - 1 != spec->nframes) {
        snprintf (err, errlen, "%s takes %d frames, got %d", spec->name, spec->nframes, count - 1);
        return NULL;
    }
    ddc_msg_t *msg = ddc_calloc (1, sizeof (*msg));
    msg->type = (ddc_msg_type_t) type;
    msg->nframes = spec->nframes;
    if (pub) {
        msg->topic = ddc_strndup (data [0], lens [0]);
        size_t tl = lens [0];
        bool ok =
            tl <= DDC_MAX_TEXT && strlen (msg->topic) == tl && tl > 0 && msg->topic [tl - 1] == '/';
        for (size_t k = 0; ok && k < tl; k++)
            ok = s_is_name_char ((unsigned char) msg->topic [k]);
        if (!ok) {
            snprintf (err, errlen, "malformed topic");
            ddc_msg_destroy (&msg);
            return NULL;
        }
    }
    for (int i = 0; i < spec->nframes; i++) {
        msg->frame [i] = ddc_malloc (lens [i + 1] + 1);
        memcpy (msg->frame [i], data [i + 1], lens [i + 1]);
        msg->frame [i][lens [i + 1]] = '\0';
        msg->len [i] = lens [i + 1];
    }
    for (int i = 0; i < spec->nframes; i++)
        if (s_check_frame (msg, i, spec->kind [i], spec->json_max ? spec->json_max : DDC_MAX_JSON,
                           err, errlen)
            < 0) {
            ddc_msg_destroy (&msg);
            return NULL;
        }
    return msg;
}

//  A whole message's bounds: at most DDC_MAX_FRAMES + 1 frames (at least
//  one) and DDC_MAX_MSG bytes. false with the reason in err and errno
//  EPROTO, or EMSGSIZE when it is too large.
static bool
s_within_bounds (size_t frames, size_t bytes, char *err, size_t errlen)
{
    errno = EPROTO;
    if (frames == 0 || frames > DDC_MAX_FRAMES + 1) {
        snprintf (err, errlen, "message has %zu frames", frames);
        return false;
    }
    if (bytes > DDC_MAX_MSG) {
        snprintf (err, errlen, "message larger than %d bytes", DDC_MAX_MSG);
        errno = EMSGSIZE;
        return false;
    }
    return true;
}

static ddc_msg_t *
s_decode_zmsg (bool pub, zmsg_t *zmsg, char *err, size_t errlen)
{
    if (!s_within_bounds (zmsg_size (zmsg), zmsg_content_size (zmsg), err, errlen))
        return NULL;
    const char *data [DDC_MAX_FRAMES + 1];
    size_t lens [DDC_MAX_FRAMES + 1];
    int i = 0;
    for (zframe_t *f = zmsg_first (zmsg); f; f = zmsg_next (zmsg), i++) {
        data [i] = (const char *) zframe_data (f);
        lens [i] = zframe_size (f);
        if (!data [i])
            data [i] = "";
    }
    return ddc_msg_decode_frames (pub, i, data, lens, err, errlen);
}

//  One message's frames read from handle into parts (at most cap kept, the
//  rest read and dropped), without waiting for the first. 0 with *count
//  kept, *frames read and *bytes in all; -1 with errno (EAGAIN when none
//  waits, EPROTO when a message was cut short) and err, nothing kept.
static int
s_read_parts (void *handle, zmq_msg_t parts [], int cap, int *count, size_t *frames, size_t *bytes,
              char *err, size_t errlen)
{
    *count = 0;
    *frames = *bytes = 0;
    bool more = true;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        //  The first frame may not be there yet; a message's others are.
        if (zmq_msg_recv (&part, handle, *frames ? 0 : ZMQ_DONTWAIT) < 0) {
            int e = errno;
            zmq_msg_close (&part);
            for (int i = 0; i < *count; i++)
                zmq_msg_close (&parts [i]);
            snprintf (err, errlen, "%s: %s", *frames ? "message cut short" : "no message",
                      zmq_strerror (e));
            errno = *frames ? EPROTO : e;
            *count = 0;
            return -1;
        }
        more = zmq_msg_more (&part);
        (*frames)++;
        *bytes += zmq_msg_size (&part);
        if (*count < cap)
            parts [(*count)++] = part;
        else
            zmq_msg_close (&part);
    }
    return 0;
}

//  Decode parts [first, count) when frames and bytes are within bounds,
//  then close every part (errno kept).
static ddc_msg_t *
s_decode_parts (bool pub, zmq_msg_t parts [], int first, int count, size_t frames, size_t bytes,
                char *err, size_t errlen)
{
    const char *data [DDC_MAX_FRAMES + 1];
    size_t lens [DDC_MAX_FRAMES + 1];
    ddc_msg_t *msg = NULL;
    if (s_within_bounds (frames, bytes, err, errlen)) {
        for (int i = first; i < count; i++) {
            data [i - first] =
                zmq_msg_size (&parts [i]) ? (const char *) zmq_msg_data (&parts [i]) : "";
            lens [i - first] = zmq_msg_size (&parts [i]);
        }
        msg = ddc_msg_decode_frames (pub, count - first, data, lens, err, errlen);
    }
    int e = errno;
    for (int i = 0; i < count; i++)
        zmq_msg_close (&parts [i]);
    errno = e;
    return msg;
}

ddc_msg_t *
ddc_msg_recv (void *handle, bool pub, char *err, size_t errlen)
{
    zmq_msg_t parts [DDC_MAX_FRAMES + 1];
    int count;
    size_t frames, bytes;
    if (s_read_parts (handle, parts, DDC_MAX_FRAMES + 1, &count, &frames, &bytes, err, errlen) < 0)
        return NULL;
    return s_decode_parts (pub, parts, 0, count, frames, bytes, err, errlen);
}

//  A property of the connection a frame came from, copied into buf ("" when
//  it has none).
static void
s_meta (zmq_msg_t *part, const char *property, char *buf, size_t size)
{
    const char *value = zmq_msg_gets (part, property);
    snprintf (buf, size, "%s", value ? value : "");
}

static bool
s_is_command (zmq_msg_t *part, ddc_msg_type_t type)
{
    const char *name = ddc_msg_name (type);
    return zmq_msg_size (part) == strlen (name)
           && memcmp (zmq_msg_data (part), name, strlen (name)) == 0;
}

ddc_msg_t *
ddc_msg_recv_routed (void *handle, ddc_routed_t *from, char *err, size_t errlen)
{
    assert (from);
    memset (from, 0, sizeof (*from));
    zmq_msg_t parts [DDC_MAX_FRAMES + 2];
    int count;
    size_t frames, bytes;
    if (s_read_parts (handle, parts, DDC_MAX_FRAMES + 2, &count, &frames, &bytes, err, errlen) < 0)
        return NULL;
    from->routing = zframe_new (zmq_msg_data (&parts [0]), zmq_msg_size (&parts [0]));
    if (count > 2 && zmq_msg_size (&parts [2]) <= DDC_MAX_REQ_ID) {
        memcpy (from->req, zmq_msg_data (&parts [2]), zmq_msg_size (&parts [2]));
        from->req [zmq_msg_size (&parts [2])] = '\0';
    }
    //  The connection's properties are a HELLO's only: each look-up is a
    //  search of libzmq's metadata map, which a flood of APPLIED need not
    //  pay for.
    if (count > 1 && s_is_command (&parts [1], DDC_HELLO)) {
        s_meta (&parts [1], "User-Id", from->user_id, sizeof (from->user_id));
        s_meta (&parts [1], "Peer-Address", from->address, sizeof (from->address));
    }
    return s_decode_parts (false, parts, 1, count, frames - 1, bytes - zmq_msg_size (&parts [0]),
                           err, errlen);
}

ddc_msg_t *
ddc_msg_decode (zmsg_t *zmsg, char *err, size_t errlen)
{
    return s_decode_zmsg (false, zmsg, err, errlen);
}

ddc_msg_t *
ddc_msg_decode_pub (zmsg_t *zmsg, char *err, size_t errlen)
{
    return s_decode_zmsg (true, zmsg, err, errlen);
}

const char *
ddc_msg_topic (const ddc_msg_t *msg)
{
    return msg->topic;
}

int
ddc_msg_topic_part (const ddc_msg_t *msg, int index, char *buf, size_t size)
{
    if (!msg->topic)
        return -1;
    const char *p = msg->topic;
    for (int i = 0; i < index; i++) {
        p = strchr (p, '/');
        if (!p)
            return -1;
        p++;
    }
    const char *end = strchr (p, '/');
    if (!end || end == p || (size_t) (end - p) >= size)
        return -1;
    memcpy (buf, p, (size_t) (end - p));
    buf [end - p] = '\0';
    return 0;
}

void
ddc_msg_destroy (ddc_msg_t **msg_p)
{
    if (!msg_p || !*msg_p)
        return;
    ddc_msg_t *msg = *msg_p;
    for (int i = 0; i < DDC_MAX_FRAMES; i++) {
        free (msg->frame [i]);
        cJSON_Delete (msg->json [i]);
    }
    free (msg->topic);
    free (msg);
    *msg_p = NULL;
}

//  true when nframes strings are what the table gives type (PUB messages
//  carry the topic as an extra first string).
static bool
s_frames_fit (ddc_msg_type_t type, int nframes)
{
    return type < DDC_MSG_COUNT && nframes == s_specs [type].nframes + (s_specs [type].pub ? 1 : 0);
}

zmsg_t *
ddc_msg_build (ddc_msg_type_t type, int nframes, const char *frames [])
{
    if (!s_frames_fit (type, nframes))
        return NULL;
    const s_spec_t *spec = &s_specs [type];
    zmsg_t *zmsg = zmsg_new ();
    if (!spec->pub)
        zmsg_addstr (zmsg, spec->name);
    for (int i = 0; i < nframes; i++)
        zmsg_addmem (zmsg, frames [i], strlen (frames [i]));
    return zmsg;
}

//  The frames of a varargs call (NULL-terminated) into frames[]; their
//  count (more than DDC_MAX_FRAMES + 1 are cut there).
static int
s_frames_of (va_list ap, const char *frames [DDC_MAX_FRAMES + 1])
{
    int n = 0;
    const char *s;
    while (n < DDC_MAX_FRAMES + 1 && (s = va_arg (ap, const char *)) != NULL)
        frames [n++] = s;
    return n;
}

zmsg_t *
ddc_msg_buildv (ddc_msg_type_t type, ...)
{
    const char *frames [DDC_MAX_FRAMES + 1];
    va_list ap;
    va_start (ap, type);
    int n = s_frames_of (ap, frames);
    va_end (ap);
    return ddc_msg_build (type, n, frames);
}

int
ddc_msg_sendv (void *handle, int flags, ddc_msg_type_t type, ...)
{
    const char *frames [DDC_MAX_FRAMES + 1];
    va_list ap;
    va_start (ap, type);
    int n = s_frames_of (ap, frames);
    va_end (ap);
    if (!s_frames_fit (type, n)) {
        errno = EINVAL;
        return -1;
    }
    const s_spec_t *spec = &s_specs [type];
    if (!spec->pub && zmq_send (handle, spec->name, strlen (spec->name), flags | ZMQ_SNDMORE) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (zmq_send (handle, frames [i], strlen (frames [i]), flags | (i + 1 < n ? ZMQ_SNDMORE : 0))
            < 0)
            return -1;
    return 0;
}

zmsg_t *
ddc_msg_save (ddc_msg_type_t type, const char *first, uint64_t expected, const char *author,
              const cJSON *value)
{
    char *text = ddc_json_print (value);
    if (!text)
        return NULL;
    size_t len = strlen (text);
    zmsg_t *msg = NULL;
    if (len <= DDC_MAX_JSON && (type == DDC_SAVE || type == DDC_SETUP)) {
        char req [40], rev [24];
        ddc_req_id (req);
        snprintf (rev, sizeof (rev), "%llu", (unsigned long long) expected);
        msg = ddc_msg_buildv (type, req, first, rev, author, text, NULL);
    }
    explicit_bzero (text, len);
    cJSON_free (text);
    return msg;
}

void
ddc_req_id (char out [40])
{
    static char prefix [17];
    static uint64_t counter;
    if (!prefix [0])
        ddc_random_hex (prefix, 8);
    char digits [24];
    size_t n = ddc_buf_fmt_u64 (++counter, digits);
    memcpy (out, prefix, 16);
    out [16] = '-';
    memcpy (out + 17, digits, n + 1); //  at most 20 digits and the NUL
}
