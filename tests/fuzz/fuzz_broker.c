/*  libFuzzer target for the broker's request handling (services/broker/
    broker.c, compiled in, with the rest of the broker): each input is a
    series of requests from up to four peers, decoded with the codec as
    the broker does and handed to its dispatch (HELLO, SNAPSHOT, SAVE,
    ROLLBACK, HISTORY, STATUS, ACTION, RESULT, REPORT, BYE...), then the
    sweeps run. One broker lives in a tmpfs folder for the whole run, so
    state (peers, reports, history, remembered answers) carries from one
    input to the next, as it would under a hostile peer.
    Format: requests separated by 0x1e; the first byte of a request picks
    the peer, its other bytes are the frames separated by 0x1f. */
#include "../../services/broker/broker.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static broker_t *s_broker;
static zframe_t *s_routing [4];
static char s_dir [64];

//  The broker's folder goes with the run.
static void
s_cleanup (void)
{
    broker_destroy (&s_broker);
    for (int i = 0; i < 4; i++)
        zframe_destroy (&s_routing [i]);
    static const char *const files [] = {
        "config.json", "config.json.tmp", "history.jsonl",      "history.jsonl.tmp",
        "audit.log",   "audit.log.1",     "broker.lock",        "ctl.sock",
        "pub.sock",    "web-setup-code",  "web-setup-code.tmp", NULL
    };
    for (int i = 0; files [i]; i++) {
        char path [128];
        snprintf (path, sizeof (path), "%s/%s", s_dir, files [i]);
        unlink (path);
    }
    rmdir (s_dir);
}

static void
s_init (void)
{
    ddc_log_init ("fuzz_broker");
    ddc_log_set_level (DDC_LOG_ERROR);
    zsys_init ();
    zsys_set_logstream (NULL);
    static char ctl [96], pub [96];
    snprintf (s_dir, sizeof (s_dir), "/dev/shm/ddc-fuzz-broker-%d", (int) getpid ());
    snprintf (ctl, sizeof (ctl), "ipc://%s/ctl.sock", s_dir);
    snprintf (pub, sizeof (pub), "ipc://%s/pub.sock", s_dir);
    broker_opts_t opts = { .data_dir = s_dir, .ctl_endpoint = ctl, .pub_endpoint = pub };
    char err [256];
    s_broker = broker_new (&opts, err, sizeof (err));
    if (!s_broker) {
        fprintf (stderr, "fuzz_broker: %s\n", err);
        abort ();
    }
    for (int i = 0; i < 4; i++) {
        char id [8];
        snprintf (id, sizeof (id), "peer%d", i);
        s_routing [i] = zframe_new (id, strlen (id));
    }
    atexit (s_cleanup);
}

static void
s_request (const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    zframe_t *routing = s_routing [data [0] % 4];
    const char *frames [DDC_MAX_FRAMES + 1];
    size_t lens [DDC_MAX_FRAMES + 1];
    int n = 0;
    const uint8_t *p = data + 1, *end = data + size;
    while (p <= end && n < DDC_MAX_FRAMES + 1) {
        const uint8_t *sep = memchr (p, 0x1f, (size_t) (end - p));
        const uint8_t *stop = sep ? sep : end;
        frames [n] = (const char *) p;
        lens [n++] = (size_t) (stop - p);
        if (!sep)
            break;
        p = sep + 1;
    }
    char err [160];
    ddc_msg_t *msg = ddc_msg_decode_frames (false, n, frames, lens, err, sizeof (err));
    if (msg) {
        loopstat_step_t start = loopstat_begin ();
        s_handle (s_broker, routing, msg, NULL, "fuzz");
        loopstat_done (s_broker->loopstat, &start, ddc_msg_name (msg->type));
    }
    ddc_msg_destroy (&msg);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_broker)
        s_init ();
    const uint8_t *p = data, *end = data + size;
    while (p < end) {
        const uint8_t *sep = memchr (p, 0x1e, (size_t) (end - p));
        const uint8_t *stop = sep ? sep : end;
        s_request (p, (size_t) (stop - p));
        p = sep ? sep + 1 : end;
    }
    peers_sweep (s_broker->peers, ddc_mono_ms ());
    s_on_action_tick (NULL, 0, s_broker);
    return 0;
}
