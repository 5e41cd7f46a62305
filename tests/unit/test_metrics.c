/*  test_metrics: the metrics reports and their Prometheus text
    (services/lib/ddc_metrics.c): the registry and its JSON, histograms,
    and the renderer merging several services' reports into one valid text
    (HELP and TYPE once a family, service and host labels, escaping, what
    it leaves out: bad names and labels, another type, duplicate series,
    broken histograms, negative counters). */
#include "ddc_metrics.h"
#include "ddc_util.h"

#include "ddc_test.h"
#include "ddc_test_json.h"

static char *
s_render1 (const char *service, const char *host, const cJSON *body)
{
    ddc_metrics_source_t src = { service, host, body };
    size_t len;
    char *text = ddc_metrics_render (&src, 1, &len);
    CHECK_EQ (strlen (text), len);
    return text;
}

static int
s_count (const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr (hay, needle); p; p = strstr (p + 1, needle))
        n++;
    return n;
}

DDC_TEST (test_registry_and_text)
{
    ddc_metrics_t *m = ddc_metrics_new ();
    ddc_metrics_counter (m, "ddc_x_actions_total", "Actions by result.", 3, "result", "ok", NULL);
    ddc_metrics_counter (m, "ddc_x_actions_total", "ignored", 1, "result", "error", NULL);
    ddc_metrics_gauge (m, "ddc_x_up", "Up.", 1, NULL);
    ddc_metrics_gauge (m, "ddc_x_actions_total", "another type", 5, NULL);   //  left out
    ddc_metrics_gauge (m, "bad-name", "x", 1, NULL);                         //  left out
    ddc_metrics_gauge (m, "ddc_x_labels", "x", 1, "__reserved", "a", NULL);  //  left out
    ddc_metrics_gauge (m, "ddc_x_labels", "x", 2, "a", "1", "a", "2", NULL); //  twice
    ddc_metrics_gauge (m, "ddc_x_quote", "Help with \\ and\nnewline.", -2.5, "path",
                       "C:\\x \"y\"\nz", NULL);
    cJSON *body = ddc_metrics_json (m);
    ddc_metrics_destroy (&m);
    char *text = s_render1 ("docker", "nas", body);
    CHECK_STR (text, "# HELP ddc_x_actions_total Actions by result.\n"
                     "# TYPE ddc_x_actions_total counter\n"
                     "ddc_x_actions_total{result=\"ok\",service=\"docker\",host=\"nas\"} 3\n"
                     "ddc_x_actions_total{result=\"error\",service=\"docker\",host=\"nas\"} 1\n"
                     "# HELP ddc_x_up Up.\n"
                     "# TYPE ddc_x_up gauge\n"
                     "ddc_x_up{service=\"docker\",host=\"nas\"} 1\n"
                     "# HELP ddc_x_labels x\n"
                     "# TYPE ddc_x_labels gauge\n"
                     "# HELP ddc_x_quote Help with \\\\ and\\nnewline.\n"
                     "# TYPE ddc_x_quote gauge\n"
                     "ddc_x_quote{path=\"C:\\\\x \\\"y\\\"\\nz\",service=\"docker\",host=\"nas\"} "
                     "-2.5\n");
    free (text);
    cJSON_Delete (body);
}

DDC_TEST (test_histogram)
{
    static const double le [] = { 0.1, 0.5, 1 };
    ddc_histogram_t h;
    ddc_histogram_init (&h, le, 3);
    ddc_histogram_observe (&h, 0.05);
    ddc_histogram_observe (&h, 0.1); //  on the bound: in it
    ddc_histogram_observe (&h, 0.7);
    ddc_histogram_observe (&h, 9);
    CHECK_EQ (h.count, 4);
    CHECK_EQ (h.in [0], 2);
    CHECK_EQ (h.in [1], 0);
    CHECK_EQ (h.in [2], 1);
    CHECK_EQ (h.in [3], 1);
    ddc_metrics_t *m = ddc_metrics_new ();
    ddc_metrics_histogram (m, "ddc_x_ack_seconds", "Ack latency.", &h, NULL);
    cJSON *body = ddc_metrics_json (m);
    ddc_metrics_destroy (&m);
    char *text = s_render1 ("discord", "bot", body);
    CHECK_STR (text, "# HELP ddc_x_ack_seconds Ack latency.\n"
                     "# TYPE ddc_x_ack_seconds histogram\n"
                     "ddc_x_ack_seconds_bucket{service=\"discord\",host=\"bot\",le=\"0.1\"} 2\n"
                     "ddc_x_ack_seconds_bucket{service=\"discord\",host=\"bot\",le=\"0.5\"} 2\n"
                     "ddc_x_ack_seconds_bucket{service=\"discord\",host=\"bot\",le=\"1\"} 3\n"
                     "ddc_x_ack_seconds_bucket{service=\"discord\",host=\"bot\",le=\"+Inf\"} 4\n"
                     "ddc_x_ack_seconds_sum{service=\"discord\",host=\"bot\"} 9.85\n"
                     "ddc_x_ack_seconds_count{service=\"discord\",host=\"bot\"} 4\n");
    free (text);
    cJSON_Delete (body);
}

DDC_TEST (test_merge_of_services)
{
    //  two services share a family: HELP and TYPE once, both sets of
    //  samples; a third declares it with another type: left out
    cJSON *a = ddc_test_parse (
        "{\"families\":[{\"name\":\"ddc_service_info\",\"type\":\"gauge\",\"help\":\"Version.\","
        "\"samples\":[{\"labels\":{\"version\":\"0.1.0\"},\"value\":1}]},"
        "{\"name\":\"ddc_a_only\",\"type\":\"counter\",\"help\":\"A.\",\"samples\":["
        "{\"labels\":{},\"value\":7},{\"labels\":{},\"value\":8}]}]}"); //  a duplicate series
    cJSON *b = ddc_test_parse (
        "{\"families\":[{\"name\":\"ddc_service_info\",\"type\":\"gauge\",\"help\":\"Other help.\","
        "\"samples\":[{\"labels\":{\"version\":\"0.1.0\"},\"value\":1}]}]}");
    cJSON *c = ddc_test_parse (
        "{\"families\":[{\"name\":\"ddc_service_info\",\"type\":\"counter\",\"help\":\"x\","
        "\"samples\":[{\"labels\":{},\"value\":1}]},"
        "{\"name\":\"ddc_c_bad\",\"type\":\"counter\",\"help\":\"x\",\"samples\":["
        "{\"labels\":{},\"value\":-1},{\"labels\":{\"host\":\"evil\"},\"value\":1},"
        "{\"labels\":{\"x\":1},\"value\":1},{\"labels\":{\"ok\":\"1\"},\"value\":\"2\"},"
        "{\"labels\":{\"ok\":\"2\"},\"value\":2}]},"
        "{\"name\":\"ddc_c_summary\",\"type\":\"summary\",\"help\":\"x\",\"samples\":[]},"
        "{\"name\":\"9bad\",\"type\":\"gauge\",\"help\":\"x\",\"samples\":[]}]}");
    ddc_metrics_source_t src [] = {
        { "broker", "vm", a }, { "web", "w1", b }, { "docker", "nas", c }, { NULL, "x", a }
    };
    size_t len;
    char *text = ddc_metrics_render (src, 4, &len);
    CHECK_EQ (s_count (text, "# TYPE ddc_service_info gauge\n"), 1);
    CHECK_EQ (s_count (text, "# HELP ddc_service_info Version.\n"), 1);
    CHECK (strstr (text, "ddc_service_info{version=\"0.1.0\",service=\"broker\",host=\"vm\"} 1\n"));
    CHECK (strstr (text, "ddc_service_info{version=\"0.1.0\",service=\"web\",host=\"w1\"} 1\n"));
    CHECK (!strstr (text, "service=\"docker\",host=\"nas\"} 1\nddc_a"));
    CHECK_EQ (s_count (text, "ddc_service_info{"), 2);
    CHECK (s_count (text, "ddc_a_only{") == 1
           && strstr (text, "ddc_a_only{service=\"broker\",host=\"vm\"} 7\n"));
    CHECK_EQ (s_count (text, "ddc_c_bad{"), 1);
    CHECK (strstr (text, "ddc_c_bad{ok=\"2\",service=\"docker\",host=\"nas\"} 2\n"));
    CHECK (!strstr (text, "summary") && !strstr (text, "9bad") && !strstr (text, "evil"));
    free (text);
    cJSON_Delete (a);
    cJSON_Delete (b);
    cJSON_Delete (c);
}

DDC_TEST (test_broken_histograms_are_left_out)
{
    static const char *const bad [] = { "[[0.1,1],[0.5,3]]",              //  no +Inf
                                        "[[0.5,1],[0.1,3],[\"+Inf\",3]]", //  bounds not ascending
                                        "[[0.1,3],[0.5,1],[\"+Inf\",3]]", //  counts going down
                                        "[[0.1,1],[\"+Inf\",2]]",         //  +Inf is not the count
                                        "[[\"+Inf\",3],[0.1,1]]",         //  +Inf first
                                        "[[0.1],[\"+Inf\",3]]",
                                        "[]",
                                        "{}",
                                        NULL };
    for (int i = 0; bad [i]; i++) {
        char *json = ddc_asprintf ("{\"families\":[{\"name\":\"h\",\"type\":\"histogram\","
                                   "\"help\":\"x\",\"samples\":[{\"labels\":{},\"buckets\":%s,"
                                   "\"count\":3,\"sum\":1}]}]}",
                                   bad [i]);
        cJSON *body = ddc_test_parse (json);
        char *text = s_render1 ("s", "h", body);
        CHECK (!strstr (text, "h_bucket") && !strstr (text, "h_count"));
        CHECK (strstr (text, "# TYPE h histogram\n"));
        free (text);
        free (json);
        cJSON_Delete (body);
    }
}

DDC_TEST (test_bounds)
{
    ddc_metrics_t *m = ddc_metrics_new ();
    char name [32];
    for (int i = 0; i < DDC_METRICS_FAMILIES + 10; i++) {
        snprintf (name, sizeof (name), "f%d", i);
        ddc_metrics_gauge (m, name, "x", i, NULL);
    }
    for (int i = 0; i < DDC_METRICS_SAMPLES + 10; i++) {
        snprintf (name, sizeof (name), "%d", i);
        ddc_metrics_gauge (m, "f0", "x", i, "n", name, NULL);
    }
    cJSON *body = ddc_metrics_json (m);
    ddc_metrics_destroy (&m);
    const cJSON *families = cJSON_GetObjectItemCaseSensitive (body, "families");
    CHECK_EQ (cJSON_GetArraySize (families), DDC_METRICS_FAMILIES);
    CHECK (cJSON_GetArraySize (
               cJSON_GetObjectItemCaseSensitive (cJSON_GetArrayItem (families, 0), "samples"))
           == DDC_METRICS_SAMPLES);
    CHECK (ddc_metrics_name_ok ("a:b_c9") && !ddc_metrics_name_ok ("")
           && !ddc_metrics_name_ok ("a b") && !ddc_metrics_name_ok ("1a"));
    cJSON_Delete (body);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_registry_and_text);
    DDC_RUN (test_histogram);
    DDC_RUN (test_merge_of_services);
    DDC_RUN (test_broken_histograms_are_left_out);
    DDC_RUN (test_bounds);
    DDC_DONE ();
}
