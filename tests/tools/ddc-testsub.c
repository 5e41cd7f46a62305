/*  ddc-testsub: a test subscriber for integration tests and benchmarks.
    Follows sections through ddc_client and prints one JSON line per event
    on stdout (flushed), with t_us the CLOCK_MONOTONIC time in microseconds:
      {"event":"apply","section":"bot","rev":12,"from_cache":false,"t_us":..,"value":..}
      {"event":"reject","section":"bot","rev":13,"t_us":..}
      {"event":"connected","name":"monitor@x","t_us":..}
      {"event":"synced","rev":12,"t_us":..}
      {"event":"resync","detail":"...","t_us":..}
      {"event":"disconnected","detail":"...","t_us":..}
      {"event":"cache_loaded","path":"...","t_us":..}
      {"event":"error","detail":"...","t_us":..}
    Exits 0 after --count apply events, or on SIGINT/SIGTERM (sends BYE).
    Owns nothing but its command line; logs go to stderr. */
#include "ddc_client.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_REJECT 16

typedef struct {
    ddc_client_t *client;
    const char *reject [MAX_REJECT];
    int nreject;
    long count; //  exit after this many applies; 0 = never
    long applied;
    long slow_ms; //  sleep this long in each apply (tests of loss)
} app_t;

//  Print *obj_p (destroyed, *obj_p set to NULL) with t_us and, last, a
//  copy of value if any.
static void
s_print (cJSON **obj_p, const cJSON *value)
{
    cJSON *obj = *obj_p;
    *obj_p = NULL;
    cJSON_AddNumberToObject (obj, "t_us", (double) ddc_mono_us ());
    if (value)
        cJSON_AddItemToObject (obj, "value", cJSON_Duplicate (value, true));
    char *text = cJSON_PrintUnformatted (obj);
    if (text) {
        fputs (text, stdout);
        fputc ('\n', stdout);
        fflush (stdout);
        free (text);
    }
    cJSON_Delete (obj);
}

static bool
s_rejects (app_t *app, const char *section)
{
    for (int i = 0; i < app->nreject; i++)
        if (strcmp (app->reject [i], section) == 0)
            return true;
    return false;
}

static int
s_on_apply (void *arg, const char *section, const cJSON *value, uint64_t rev, bool from_cache,
            cJSON *errors)
{
    app_t *app = arg;
    if (app->slow_ms > 0)
        zclock_sleep ((int) app->slow_ms);
    cJSON *obj = cJSON_CreateObject ();
    if (s_rejects (app, section)) {
        cJSON *e = cJSON_CreateObject ();
        cJSON_AddStringToObject (e, "field", section);
        cJSON_AddStringToObject (e, "reason", "invalid");
        cJSON_AddStringToObject (e, "message", "rejected by --reject");
        cJSON_AddItemToArray (errors, e);
        cJSON_AddStringToObject (obj, "event", "reject");
        cJSON_AddStringToObject (obj, "section", section);
        cJSON_AddNumberToObject (obj, "rev", (double) rev);
        cJSON_AddBoolToObject (obj, "from_cache", from_cache);
        s_print (&obj, NULL);
        return -1;
    }
    cJSON_AddStringToObject (obj, "event", "apply");
    cJSON_AddStringToObject (obj, "section", section);
    cJSON_AddNumberToObject (obj, "rev", (double) rev);
    cJSON_AddBoolToObject (obj, "from_cache", from_cache);
    s_print (&obj, value);
    app->applied++;
    if (app->count > 0 && app->applied >= app->count && app->client)
        ddc_client_stop (app->client);
    return 0;
}

static void
s_on_event (void *arg, ddc_client_event_t event, const char *detail)
{
    app_t *app = arg;
    cJSON *obj = cJSON_CreateObject ();
    switch (event) {
        case DDC_EV_CONNECTED:
            cJSON_AddStringToObject (obj, "event", "connected");
            cJSON_AddStringToObject (obj, "name", detail);
            break;
        case DDC_EV_SYNCED:
            cJSON_AddStringToObject (obj, "event", "synced");
            if (app->client)
                cJSON_AddNumberToObject (obj, "rev", (double) ddc_client_rev (app->client));
            break;
        case DDC_EV_DISCONNECTED:
            cJSON_AddStringToObject (obj, "event", "disconnected");
            cJSON_AddStringToObject (obj, "detail", detail);
            break;
        case DDC_EV_RESYNC:
            cJSON_AddStringToObject (obj, "event", "resync");
            cJSON_AddStringToObject (obj, "detail", detail);
            break;
        case DDC_EV_CACHE_LOADED:
            cJSON_AddStringToObject (obj, "event", "cache_loaded");
            cJSON_AddStringToObject (obj, "path", detail);
            break;
        case DDC_EV_REFUSED:
            cJSON_AddStringToObject (obj, "event", "refused");
            cJSON_AddStringToObject (obj, "detail", detail);
            break;
        case DDC_EV_ERROR:
        default:
            cJSON_AddStringToObject (obj, "event", "error");
            cJSON_AddStringToObject (obj, "detail", detail);
            break;
    }
    s_print (&obj, NULL);
}

static void
s_usage (FILE *out)
{
    fprintf (out, "usage: ddc-testsub --broker EP [options] [SECTION...]\n"
                  "Follow configuration sections through ddc-broker and print one JSON line\n"
                  "per event on stdout.\n"
                  "\n"
                  "  --broker EP         CTL endpoint of the broker (default: $DDC_BROKER)\n"
                  "  --role R            role to say in HELLO (default: monitor)\n"
                  "  --slow-ms N         sleep N ms in every apply (to make a slow subscriber)\n"
                  "  --rcvhwm N          receive queue limit of the subscription socket\n"
                  "  --instance NAME     instance name (default: testsub-<pid>)\n"
                  "  --cache FILE        cache file (written 0600, loaded at start)\n"
                  "  --reject SECTION    reject every value of SECTION (repeatable)\n"
                  "  --count N           exit 0 after N apply events\n"
                  "  --cert F            CURVE client certificate (with F_secret)\n"
                  "  --broker-cert F     CURVE public certificate of the broker\n"
                  "  -v, --verbose       debug logs on stderr\n"
                  "  -h, --help          this help\n"
                  "  -V, --version       print the version\n");
}

int
main (int argc, char **argv)
{
    ddc_log_init ("ddc-testsub");
    app_t app = { 0 };
    const char *broker = getenv ("DDC_BROKER");
    const char *role = "monitor", *instance = NULL, *cache = NULL;
    const char *cert = NULL, *broker_cert = NULL;
    int rcvhwm = 0;
    char default_instance [64];
    snprintf (default_instance, sizeof (default_instance), "testsub-%ld", (long) getpid ());

    static const struct option longopts [] = {
        { "broker", required_argument, NULL, 'b' },
        { "role", required_argument, NULL, 'r' },
        { "instance", required_argument, NULL, 'i' },
        { "cache", required_argument, NULL, 'c' },
        { "reject", required_argument, NULL, 'x' },
        { "count", required_argument, NULL, 'n' },
        { "cert", required_argument, NULL, 'C' },
        { "broker-cert", required_argument, NULL, 'B' },
        { "slow-ms", required_argument, NULL, 's' },
        { "rcvhwm", required_argument, NULL, 'H' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "vhV", longopts, NULL)) != -1) {
        switch (opt) {
            case 'b':
                broker = optarg;
                break;
            case 'r':
                role = optarg;
                break;
            case 'i':
                instance = optarg;
                break;
            case 'c':
                cache = optarg;
                break;
            case 'C':
                cert = optarg;
                break;
            case 'B':
                broker_cert = optarg;
                break;
            case 'v':
                ddc_log_set_level (DDC_LOG_DEBUG);
                break;
            case 's':
            case 'H': {
                char *end = NULL;
                long v = strtol (optarg, &end, 10);
                if (!end || *end || v < 1 || v > 1000000) {
                    fprintf (stderr, "ddc-testsub: --%s needs a positive integer\n",
                             opt == 's' ? "slow-ms" : "rcvhwm");
                    return 2;
                }
                if (opt == 's')
                    app.slow_ms = v;
                else
                    rcvhwm = (int) v;
                break;
            }
            case 'x':
                if (app.nreject == MAX_REJECT) {
                    fprintf (stderr, "ddc-testsub: at most %d --reject\n", MAX_REJECT);
                    return 2;
                }
                app.reject [app.nreject++] = optarg;
                break;
            case 'n': {
                char *end = NULL;
                app.count = strtol (optarg, &end, 10);
                if (!end || *end || app.count < 1) {
                    fprintf (stderr, "ddc-testsub: --count needs a positive integer\n");
                    return 2;
                }
                break;
            }
            case 'h':
                s_usage (stdout);
                return 0;
            case 'V':
                printf ("ddc-testsub %s\n", DDC_VERSION);
                return 0;
            default:
                s_usage (stderr);
                return 2;
        }
    }
    if (!broker || !*broker) {
        fprintf (stderr, "ddc-testsub: --broker is required (or DDC_BROKER)\n");
        s_usage (stderr);
        return 2;
    }
    if ((cert == NULL) != (broker_cert == NULL)) {
        fprintf (stderr, "ddc-testsub: --cert and --broker-cert go together\n");
        return 2;
    }
    int nsections = argc - optind;
    const char **sections = ddc_calloc ((size_t) nsections + 1, sizeof (*sections));
    for (int i = 0; i < nsections; i++)
        sections [i] = argv [optind + i];

    ddc_client_opts_t opts = {
        .broker = broker,
        .role = role,
        .instance = instance ? instance : default_instance,
        .sections = nsections ? sections : NULL,
        .cache_path = cache,
        .cert_path = cert,
        .broker_cert_path = broker_cert,
        .on_apply = s_on_apply,
        .on_event = s_on_event,
        .arg = &app,
    };
    zsys_init (); //  catches SIGINT/SIGTERM: zsys_interrupted
    ddc_client_t *client = ddc_client_new (&opts);
    free (sections);
    if (!client)
        return 1;
    app.client = client;
    //  The SUB connects after WELCOME, so a receive limit set now applies.
    if (rcvhwm > 0)
        zsock_set_rcvhwm (ddc_client_sub_sock (client), rcvhwm);
    //  the cache may already satisfy --count
    if (!(app.count > 0 && app.applied >= app.count))
        ddc_client_run (client, -1);
    ddc_client_destroy (&client);
    zsys_shutdown ();
    return 0;
}
