/*  fuzz_metrics: libFuzzer target for the metrics renderer
    (services/lib/ddc_metrics.c), which ddc-web runs over the reports other
    services publish. The input is a JSON array of reports (each rendered
    as the report of its own service) or one report. Checked with abort():
      - the text is valid UTF-8 and ends with a newline (or is empty);
      - every line is a HELP or TYPE line or a sample of a valid metric
        name whose labels end with the source's service and host;
      - each family's TYPE is written once. */
#include "ddc_json.h"
#include "ddc_metrics.h"
#include "ddc_util.h"

#include <czmq.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
s_check (const char *text, size_t len)
{
    if (strlen (text) != len || !ddc_utf8_valid (text, len) || (len && text [len - 1] != '\n'))
        abort ();
    zhashx_t *types = zhashx_new ();
    char *copy = ddc_strdup (text), *save = NULL;
    for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        if (strncmp (line, "# TYPE ", 7) == 0) {
            char *name = line + 7, *sp = strchr (name, ' ');
            if (!sp)
                abort ();
            *sp = '\0';
            if (!ddc_metrics_name_ok (name) || zhashx_insert (types, name, (void *) 1) != 0)
                abort ();
            continue;
        }
        if (strncmp (line, "# HELP ", 7) == 0)
            continue;
        char *brace = strchr (line, '{');
        if (!brace)
            abort (); //  every sample has service and host
        *brace = '\0';
        if (!ddc_metrics_name_ok (line) || !strstr (brace + 1, "service=\"")
            || !strstr (brace + 1, "\",host=\""))
            abort ();
    }
    free (copy);
    zhashx_destroy (&types);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    cJSON *input = ddc_json_parse ((const char *) data, size, 1 << 20, NULL, 0);
    if (!input)
        return 0;
    ddc_metrics_source_t src [16];
    size_t n = 0;
    static const char *const services [] = { "broker", "docker", "discord", "web" };
    if (cJSON_IsArray (input)) {
        const cJSON *r;
        cJSON_ArrayForEach (r, input) {
            if (n == 16)
                break;
            src [n] = (ddc_metrics_source_t){ services [n % 4], n % 2 ? "nas" : "a\"b\\c", r };
            n++;
        }
    }
    else
        src [n++] = (ddc_metrics_source_t){ "web", "w1", input };
    size_t len;
    char *text = ddc_metrics_render (src, n, &len);
    s_check (text, len);
    free (text);
    cJSON_Delete (input);
    return 0;
}
