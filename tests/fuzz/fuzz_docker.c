/*  libFuzzer target for the Docker reply parsers (services/docker/
    docker_parse.c, compiled in): the first input byte selects the parser
    (list, inspect, stats, event, error, version, logs in each mode, in
    one piece and in many, time and API-version strings, names), the rest is
    the reply body. */
#include "../../services/docker/docker_parse.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t which = data [0] % 10;
    const char *body = (const char *) data + 1;
    size_t len = size - 1;

    switch (which) {
        case 0: {
            docker_list_t *list = docker_list_parse (body, len, NULL, 0);
            if (list)
                for (size_t i = 0; i < list->count; i++)
                    if (strlen (list->items [i].name) >= DOCKER_NAME_MAX
                        || !docker_name_valid (list->items [i].name))
                        abort ();
            docker_list_destroy (&list);
            break;
        }
        case 1: {
            docker_inspect_t in;
            docker_inspect_parse (body, len, &in);
            break;
        }
        case 2: {
            docker_stats_t st;
            if (docker_stats_parse (body, len, &st) == 0) {
                if (st.mem_used > st.mem_usage || st.cpu_percent < 0.0
                    || st.cpu_percent > (double) st.cpu.online_cpus * 100.0)
                    abort ();
            }
            break;
        }
        case 3: {
            docker_event_t ev;
            docker_event_parse (body, len, &ev);
            break;
        }
        case 4: {
            char msg [DOCKER_ERRMSG_MAX];
            docker_error_parse (body, len, msg, sizeof (msg));
            if (strlen (msg) >= sizeof (msg))
                abort ();
            break;
        }
        case 5: {
            docker_version_t v;
            docker_version_parse (body, len, &v);
            break;
        }
        case 6:
        case 7:
        case 8: {
            //  Limits from the next two bytes, mode from the selector.
            int mode = which == 6   ? DOCKER_LOGS_MUX
                       : which == 7 ? DOCKER_LOGS_RAW
                                    : DOCKER_LOGS_DETECT;
            size_t max_lines = len > 0 ? (uint8_t) body [0] : 0;
            size_t max_bytes = len > 1 ? (size_t) (uint8_t) body [1] * 16 : 0;
            char *text = NULL;
            size_t lines = 0;
            int rc = docker_logs_text (body, len, mode, max_lines, max_bytes, &text, &lines);
            if (rc == 0) {
                size_t tlen = strlen (text);
                if (tlen > len || (max_bytes && tlen > max_bytes)
                    || (max_lines && lines > max_lines) || !ddc_utf8_valid (text, tlen))
                    abort ();
            }
            //  The same reply read in pieces (as the agent reads it): the
            //  same text when nothing had to be dropped on the way.
            docker_logs_t *reader = docker_logs_new (mode, max_lines, max_bytes);
            unsigned seed = len > 2 ? (uint8_t) body [2] : 1;
            for (size_t off = 0; off < len;) {
                seed = seed * 1103515245u + 12345u;
                size_t piece = 1 + (seed >> 16) % 61;
                if (piece > len - off)
                    piece = len - off;
                docker_logs_feed (reader, body + off, piece);
                off += piece;
            }
            char *text2 = NULL;
            size_t lines2 = 0;
            bool cut = false;
            int rc2 = docker_logs_finish (reader, &text2, &lines2, &cut);
            docker_logs_destroy (&reader);
            if (rc2 != rc)
                abort ();
            if (rc == 0 && max_bytes == 0 && (strcmp (text, text2) != 0 || lines != lines2 || cut))
                abort ();
            if (rc2 == 0
                && ((max_bytes && strlen (text2) > max_bytes)
                    || !ddc_utf8_valid (text2, strlen (text2))))
                abort ();
            free (text);
            free (text2);
            break;
        }
        default: {
            //  NUL-terminated string parsers.
            char *s = ddc_strndup (body, len);
            int64_t t;
            int major, minor;
            docker_parse_time (s, &t);
            docker_parse_api_version (s, &major, &minor);
            docker_name_valid (s);
            free (s);
            break;
        }
    }
    return 0;
}
