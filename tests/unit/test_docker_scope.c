/*  test_docker_scope: the label scope of ddc-docker (scope.c): the flags
    accepted and refused, the Docker filters built from them, and the
    match of an inspect reply's Config.Labels. */
#include "../../services/docker/scope.c"

#include "ddc_test.h"

static void
s_filters_equal (const scope_t *scope, const char *base, const char *want)
{
    char *got = scope_filters (scope, base);
    CHECK (got != NULL);
    if (got)
        CHECK_STR (got, want);
    free (got);
}

DDC_TEST (test_scope)
{
    char err [256];
    scope_t *scope = scope_new ();
    CHECK (scope_empty (scope));
    CHECK_STR (scope_text (scope), "");
    //  Empty: the base as is, every container matches.
    s_filters_equal (scope, NULL, "{}");
    s_filters_equal (scope, "{\"type\":[\"container\"]}", "{\"type\":[\"container\"]}");
    CHECK (scope_match_inspect (scope, "{}", 2));

    //  Refused: nothing changes.
    CHECK (scope_add (scope, "", err, sizeof (err)) < 0);
    CHECK (strstr (err, "--label") != NULL);
    CHECK (scope_add (scope, "=v", err, sizeof (err)) < 0);
    CHECK (scope_add (scope, "a\nb", err, sizeof (err)) < 0);
    char longer [SCOPE_LABEL_MAX + 1];
    memset (longer, 'k', sizeof (longer) - 1);
    longer [sizeof (longer) - 1] = '\0';
    CHECK (scope_add (scope, longer, err, sizeof (err)) < 0);
    CHECK (scope_empty (scope));

    //  KEY=VALUE and KEY: both in the filter, JSON-escaped.
    CHECK (scope_add (scope, "ddc.host=HOST-1", err, sizeof (err)) == 0);
    CHECK (scope_add (scope, "team \"ops\"", err, sizeof (err)) == 0);
    CHECK (!scope_empty (scope));
    CHECK_STR (scope_text (scope), "ddc.host=HOST-1,team \"ops\"");
    s_filters_equal (scope, NULL, "{\"label\":[\"ddc.host=HOST-1\",\"team \\\"ops\\\"\"]}");
    s_filters_equal (scope, "{\"type\":[\"container\"],\"label\":[\"x\"]}",
                     "{\"type\":[\"container\"],\"label\":[\"ddc.host=HOST-1\",\"team "
                     "\\\"ops\\\"\"]}");
    CHECK (scope_filters (scope, "[1]") == NULL);
    CHECK (scope_filters (scope, "{") == NULL);

    //  Match: every label, the value exact, a bare key with any value.
    const char *yes =
        "{\"Config\":{\"Labels\":{\"team \\\"ops\\\"\":\"\",\"ddc.host\":\"HOST-1\"}}}";
    const char *value =
        "{\"Config\":{\"Labels\":{\"team \\\"ops\\\"\":\"x\",\"ddc.host\":\"HOST-10\"}}}";
    const char *key = "{\"Config\":{\"Labels\":{\"ddc.host\":\"HOST-1\"}}}";
    const char *prefix =
        "{\"Config\":{\"Labels\":{\"ddc.hos\":\"HOST-1\",\"team \\\"ops\\\"\":\"\"}}}";
    CHECK (scope_match_inspect (scope, yes, strlen (yes)));
    CHECK (!scope_match_inspect (scope, value, strlen (value)));
    CHECK (!scope_match_inspect (scope, key, strlen (key)));
    CHECK (!scope_match_inspect (scope, prefix, strlen (prefix)));
    CHECK (!scope_match_inspect (scope, "{\"Config\":{\"Labels\":null}}", 27));
    CHECK (!scope_match_inspect (scope, "{\"Config\":{}}", 13));
    CHECK (!scope_match_inspect (scope, "not json", 8));
    //  read strictly: the matching body with bytes after it is no match
    char trailing [256];
    int n = snprintf (trailing, sizeof (trailing), "%s}", yes);
    CHECK (!scope_match_inspect (scope, trailing, (size_t) n));
    CHECK (!scope_match_inspect (scope, NULL, 0));

    //  At most SCOPE_LABELS_MAX.
    for (int i = 2; i < SCOPE_LABELS_MAX; i++)
        CHECK (scope_add (scope, "k", err, sizeof (err)) == 0);
    CHECK (scope_add (scope, "k", err, sizeof (err)) < 0);
    CHECK (strstr (err, "at most") != NULL);
    scope_destroy (&scope);
    scope_destroy (&scope);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_scope);
    DDC_DONE ();
}
