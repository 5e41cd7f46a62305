/*  fuzz_client: libFuzzer target for the subscriber library's handling of
    what the broker sends (services/lib/ddc_client.c, included to reach its
    message handlers). Each input is a sequence of messages handed to the
    client's CTL or PUB handler as if read from its sockets, between ticks:

      message := tag frame...
      tag     := 0xFF: a tick (ddc_client_tick), else
                 bits 0-2: number of frames - 1, bit 3: a PUB message
      frame   := len data      (len: 1 byte, 255 = 2 more bytes, big-endian)

    A frame "$H" stands for the request id of the client's HELLO, "$S" for
    its SNAPSHOT in flight and "$R" for its oldest pending request, so that
    the seeds can answer them. The client follows bot, containers and tasks
    (a value holding "_reject" is rejected by the service), keeping the
    values as text for inputs of an odd length (compact), takes actions,
    follows status/ and has one request of its own pending. Its sockets are
    connected nowhere (zsock_connect is a no-op here): what it sends fails
    with EAGAIN, as with a broker away. Checked: no crash, leak or undefined behaviour; the service is
    asked to apply only the sections it follows, gets only object ACTION
    bodies, and a value it rejected never becomes current. */
#include <czmq.h>

//  The client's sockets are connected nowhere (no network, no inproc
//  connection pending forever in the context): connects succeed without
//  doing anything, so sends fail at once with EAGAIN (ZMQ_IMMEDIATE).
static int
s_no_connect (zsock_t *sock, const char *format, ...)
{
    (void) sock;
    (void) format;
    return 0;
}
#define zsock_connect s_no_connect
#define zsock_disconnect s_no_connect

#include "../../services/lib/ddc_client.c"

#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int
s_apply_cb (void *arg, const char *section, const cJSON *value, uint64_t rev, bool from_cache,
            cJSON *errors)
{
    (void) arg;
    (void) rev;
    (void) from_cache;
    if (strcmp (section, "bot") && strcmp (section, "containers") && strcmp (section, "tasks"))
        abort (); //  never a section it does not follow
    char *text = cJSON_PrintUnformatted (value);
    bool reject = text && strstr (text, "_reject");
    free (text);
    if (!reject)
        return 0;
    cJSON *e = cJSON_CreateObject ();
    cJSON_AddStringToObject (e, "field", section);
    cJSON_AddStringToObject (e, "reason", "invalid");
    cJSON_AddStringToObject (e, "message", "rejected by the fuzzer");
    cJSON_AddItemToArray (errors, e);
    return -1;
}

static void
s_event_cb (void *arg, ddc_client_event_t event, const char *detail)
{
    (void) arg;
    (void) event;
    if (!detail)
        abort ();
}

static void
s_action_cb (void *arg, const char *req, const char *origin, const cJSON *body)
{
    ddc_client_t *client = *(ddc_client_t **) arg;
    (void) origin;
    if (!cJSON_IsObject (body))
        abort (); //  the codec says ACTION bodies are objects
    cJSON *result = cJSON_CreateObject ();
    cJSON_AddBoolToObject (result, "ok", true);
    ddc_client_result (client, req, result);
    cJSON_Delete (result);
}

static void
s_status_cb (void *arg, const char *peer, const char *topic, const cJSON *body)
{
    (void) arg;
    if (!peer || !topic || !body)
        abort ();
}

static int s_replies;

static void
s_reply_cb (void *arg, const ddc_msg_t *reply)
{
    (void) arg;
    (void) reply;
    s_replies++;
}

//  The next frame into *data/*len; false at the end of the input.
static bool
s_frame (const uint8_t **p, const uint8_t *end, const uint8_t **data, size_t *len)
{
    if (*p >= end)
        return false;
    size_t n = *(*p)++;
    if (n == 255) {
        if (end - *p < 2)
            return false;
        n = ((size_t) (*p) [0] << 8) | (*p) [1];
        *p += 2;
    }
    if ((size_t) (end - *p) < n)
        n = (size_t) (end - *p);
    *data = *p;
    *len = n;
    *p += n;
    return true;
}

//  zmq frees a closed socket later, in its reaper thread: every input ends
//  with more mallocs than frees, which makes libFuzzer scan for leaks after
//  each one (most of the time spent). Its per-input check is turned off
//  here, and the target asks LeakSanitizer itself every 256 inputs. For
//  the same reason the context may hold the sockets of many past inputs
//  when the reaper thread waits for a busy core (six per input, 2,500
//  inputs a second): it allows as many sockets as the system does, not
//  libzmq's default of 1,023, whose end made czmq assert in a run beside
//  other work.
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    static char *args [64];
    static char flag [] = "-detect_leaks=0";
    int n = *argc < 62 ? *argc : 62;
    for (int i = 0; i < n; i++)
        args [i] = (*argv) [i];
    args [n++] = flag;
    args [n] = NULL;
    *argc = n;
    *argv = args;
    ddc_log_set_level ((ddc_log_level_t) (DDC_LOG_ERROR + 1));
    zsys_set_max_sockets (0);
    zsys_init ();
    zsys_set_logstream (NULL);
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *input, size_t size)
{
    static const char *const sections [] = { "bot", "containers", "tasks", NULL };
    ddc_client_t *client = NULL;
    ddc_client_opts_t opts = {
        .broker = "ipc:///nonexistent/ddc-fuzz",
        .role = "discord",
        .instance = "fuzz",
        .sections = sections,
        .on_apply = s_apply_cb,
        .on_event = s_event_cb,
        .on_action = s_action_cb,
        .on_status = s_status_cb,
        .arg = &client,
        .compact = size & 1, //  values kept as text, as the bot and the agent keep them
    };
    client = ddc_client_new (&opts);
    if (!client)
        abort ();
    ddc_client_follow_status (client, NULL);
    char req [40];
    ddc_req_id (req);
    zmsg_t *ping = ddc_msg_buildv (DDC_PING, req, "0", NULL);
    if (ddc_client_request (client, &ping, 60000, 1, s_reply_cb, NULL) < 0)
        abort ();

    const uint8_t *p = input, *end = input + size;
    while (p < end) {
        uint8_t tag = *p++;
        if (tag == 0xFF) {
            ddc_client_tick (client);
            continue;
        }
        int nframes = (tag & 7) + 1;
        bool pub = tag & 8;
        zmsg_t *zmsg = zmsg_new ();
        for (int i = 0; i < nframes; i++) {
            const uint8_t *data;
            size_t len;
            if (!s_frame (&p, end, &data, &len))
                break;
            const char *id = NULL;
            if (len == 2 && data [0] == '$')
                id = data [1] == 'H'                    ? client->hello_req
                     : data [1] == 'S'                  ? client->snap_req
                     : data [1] == 'R' && client->nreqs ? client->reqs [0]->id
                                                        : NULL;
            if (id)
                zmsg_addstr (zmsg, id);
            else
                zmsg_addmem (zmsg, data, len);
        }
        char err [128];
        ddc_msg_t *msg = pub ? ddc_msg_decode_pub (zmsg, err, sizeof (err)) : NULL;
        if (msg)
            s_on_pub_msg (client, msg);
        else if (!pub)
            s_on_ctl (client, zmsg);
        zmsg_destroy (&zmsg);
        s_maybe_snapshot (client);
        for (size_t i = 0; i < client->nsections; i++) {
            uint64_t rev = 0;
            const cJSON *v = ddc_client_section (client, client->sections [i].name, &rev);
            if (v) {
                char *text = cJSON_PrintUnformatted (v);
                if (!text || strstr (text, "_reject"))
                    abort (); //  a rejected value never becomes current
                free (text);
            }
        }
    }
    ddc_client_destroy (&client);
    static unsigned runs;
    if (++runs % 256 == 0 && __lsan_do_recoverable_leak_check ())
        abort (); //  a leak in one of the last 256 inputs
    return 0;
}
