/*  fuzz_alerts: libFuzzer target for the alert reports ddc-discord reads
    from the Docker agents (alertview.c): the input is parsed as JSON, read
    as a report, and when accepted rendered in both languages as the alert
    message (against itself and as an end) and the follow-up; everything
    rendered must be valid JSON text again. Built by the top-level
    `make fuzz` with the library sources only. */
#include "../../services/discord/i18n.c"
#include "../../services/discord/live.c"
#include "../../services/discord/render.c"
#include "../../services/discord/alertview.c"

#include "ddc_json.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static void
s_check (cJSON *msg)
{
    char *text = cJSON_PrintUnformatted (msg);
    if (!text)
        abort ();
    cJSON *again = ddc_json_parse (text, strlen (text), SIZE_MAX, NULL, 0);
    if (!again)
        abort ();
    cJSON_Delete (again);
    free (text);
    cJSON_Delete (msg);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        if (i18n_init () < 0)
            abort ();
        ready = true;
    }
    cJSON *body = ddc_json_parse ((const char *) data, size, 1024 * 1024, NULL, 0);
    if (!body)
        return 0;
    alert_t a;
    if (alertview_parse (body, "host", &a) == 0) {
        alert_t end;
        alertview_copy (&end, &a);
        end.event = ALERT_RESOLVED;
        ddc_strlcpy (end.resolution, "recovered", sizeof (end.resolution));
        for (int l = 0; l < LANG_COUNT; l++) {
            s_check (alertview_message ((lang_t) l, &a, &a));
            s_check (alertview_message ((lang_t) l, &a, &end));
            s_check (alertview_followup ((lang_t) l, &a, "1", "2"));
            s_check (alertview_followup ((lang_t) l, &end, NULL, NULL));
        }
        alertview_free (&end);
        alertview_free (&a);
    }
    cJSON_Delete (body);
    return 0;
}
