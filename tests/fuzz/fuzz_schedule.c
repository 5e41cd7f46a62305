/*  fuzz_schedule: libFuzzer target for ddc_schedule's cron expressions.
    The input, NUL-terminated, is a cron expression. A task with it (in
    UTC and in Europe/Berlin) has a description exactly when
    ddc_schedule_cron_ok accepts it, and a next run only then, strictly
    after the instant asked for and on a whole minute. */
#include "ddc_schedule.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size > 200)
        return 0;
    char text [201];
    memcpy (text, data, size);
    text [size] = '\0';
    bool ok = ddc_schedule_cron_ok (text);
    static const char *const zones [] = { "UTC", "Europe/Berlin" };
    static const int64_t instants [] = { 0, 1774746000LL, 1792890000LL, 4102444800LL };
    for (int z = 0; z < 2; z++) {
        cJSON *task = cJSON_CreateObject ();
        cJSON_AddStringToObject (task, "cycle", "cron");
        cJSON_AddStringToObject (task, "cron", text);
        cJSON_AddStringToObject (task, "timezone", zones [z]);
        char desc [300];
        if ((ddc_schedule_describe (task, desc, sizeof (desc)) == 0) != ok)
            abort ();
        for (size_t i = 0; i < sizeof (instants) / sizeof (instants [0]); i++) {
            int64_t next = 0;
            struct tm local;
            int rc = ddc_schedule_next_local (task, instants [i], &next, &local);
            if (rc == 0 && (!ok || next <= instants [i] || local.tm_sec != 0))
                abort ();
        }
        cJSON_Delete (task);
    }
    return 0;
}
