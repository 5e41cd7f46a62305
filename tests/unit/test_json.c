/*  Unit tests of the strict JSON parse entry point (services/lib/ddc_json.c):
    every kind of refusal with its reason and position, and what passes. */
#include "ddc_json.h"
#include "ddc_test.h"

#define MAX (1024 * 1024)

//  Parse text (len bytes) and expect a refusal whose reason is want.
static int
s_refused (const char *text, size_t len, const char *want)
{
    char err [200] = "";
    cJSON *json = ddc_json_parse (text, len, MAX, err, sizeof (err));
    if (json) {
        fprintf (stderr, "accepted: %.*s\n", (int) len, text);
        cJSON_Delete (json);
        return 0;
    }
    if (strcmp (err, want) != 0) {
        fprintf (stderr, "reason \"%s\", wanted \"%s\"\n", err, want);
        return 0;
    }
    return 1;
}

#define REFUSED(lit, want) CHECK (s_refused (lit, sizeof (lit) - 1, want))

DDC_TEST (test_accepts_values)
{
    const char *ok [] = {
        "{}",
        "[]",
        " \t\r\n{\"a\": [1, -0.5e+3, true, false, null, \"x\"]} \n",
        "0",
        "-0",
        "\"caf\xC3\xA9 \xF0\x9F\x90\xB3\"",
        "\"\\ud83d\\udc33 \\u00e9 \\n\\t\\\"\\\\\\/\"",
        "1E9",
        "123456789012345678901234567890",
        "{\"\":\"\"}",
        "[[[[]]]]",
    };
    for (size_t i = 0; i < sizeof (ok) / sizeof (ok [0]); i++) {
        char err [200] = "";
        cJSON *json = ddc_json_parse (ok [i], strlen (ok [i]), MAX, err, sizeof (err));
        if (!json)
            fprintf (stderr, "refused %s: %s\n", ok [i], err);
        CHECK (json != NULL);
        cJSON_Delete (json);
    }
    //  The text need not end in NUL: only len bytes are read.
    const char buf [] = { '[', '1', ']', 'x' };
    cJSON *json = ddc_json_parse (buf, 3, MAX, NULL, 0);
    CHECK (cJSON_IsArray (json));
    cJSON_Delete (json);
    //  Escapes arrive decoded.
    json = ddc_json_parse ("\"\\u00e9\\ud83d\\udc33\"", 20, MAX, NULL, 0);
    CHECK_STR (cJSON_GetStringValue (json), "\xC3\xA9\xF0\x9F\x90\xB3");
    cJSON_Delete (json);
}

DDC_TEST (test_trailing_bytes)
{
    REFUSED ("[]garbage", "trailing bytes after the value at line 1, column 3");
    REFUSED ("{}trailing", "trailing bytes after the value at line 1, column 3");
    REFUSED ("{} {}", "trailing bytes after the value at line 1, column 4");
    REFUSED ("1 2", "trailing bytes after the value at line 1, column 3");
    REFUSED ("{\n}\n,", "trailing bytes after the value at line 3, column 1");
    REFUSED ("\"x\"\"y\"", "trailing bytes after the value at line 1, column 4");
    //  A NUL after the value is a trailing byte too.
    REFUSED ("{}\0", "trailing bytes after the value at line 1, column 3");
}

DDC_TEST (test_nul)
{
    REFUSED ("\"a\\u0000b\"", "\\u0000 (NUL) in a string at line 1, column 3");
    REFUSED ("{\"k\\u0000\": 1}", "\\u0000 (NUL) in a string at line 1, column 4");
    REFUSED ("\"a\0b\"", "a NUL byte in a string at line 1, column 3");
    REFUSED ("[\0]", "a NUL byte at line 1, column 2");
    REFUSED ("\0", "a NUL byte at line 1, column 1");
}

DDC_TEST (test_bad_utf8)
{
    REFUSED ("\"\xff\"", "invalid UTF-8 in a string at line 1, column 2");
    REFUSED ("\"ab\xC3\"", "invalid UTF-8 in a string at line 1, column 4");
    REFUSED ("\"\xC0\xAF\"", "invalid UTF-8 in a string at line 1, column 2");         //  overlong
    REFUSED ("\"\xED\xA0\x80\"", "invalid UTF-8 in a string at line 1, column 2");     //  surrogate
    REFUSED ("\"\xF4\x90\x80\x80\"", "invalid UTF-8 in a string at line 1, column 2"); //  > U+10FFFF
    REFUSED ("[\xff]", "invalid UTF-8 at line 1, column 2");
    //  Columns count characters, not bytes.
    REFUSED ("\"\xC3\xA9\xC3\xA9\xff\"", "invalid UTF-8 in a string at line 1, column 4");
    REFUSED ("\xEF\xBB\xBF{}", "a byte order mark (U+FEFF) at line 1, column 1");
}

DDC_TEST (test_lone_surrogates)
{
    REFUSED ("\"\\ud800\"",
             "a lone surrogate escape (\\uD800-\\uDBFF without a low one) at line 1, column 2");
    REFUSED ("\"\\ud800x\"",
             "a lone surrogate escape (\\uD800-\\uDBFF without a low one) at line 1, column 2");
    REFUSED ("\"\\ud800\\u0041\"",
             "a lone surrogate escape (\\uD800-\\uDBFF without a low one) at line 1, column 2");
    REFUSED ("\"ab\\udc00\"",
             "a lone surrogate escape (\\uDC00-\\uDFFF without a high one) at line 1, column 4");
    REFUSED ("\"\\udbff\\ud800\"",
             "a lone surrogate escape (\\uD800-\\uDBFF without a low one) at line 1, column 2");
    REFUSED ("\"\\u12\"", "a \\u escape without four hex digits at line 1, column 2");
    REFUSED ("\"\\u12g4\"", "a \\u escape without four hex digits at line 1, column 2");
}

DDC_TEST (test_depth)
{
    char deep [2 * DDC_JSON_MAX_DEPTH + 3];
    size_t n = 0;
    for (int i = 0; i < DDC_JSON_MAX_DEPTH; i++)
        deep [n++] = '[';
    for (int i = 0; i < DDC_JSON_MAX_DEPTH; i++)
        deep [n++] = ']';
    cJSON *json = ddc_json_parse (deep, n, MAX, NULL, 0);
    CHECK (json != NULL); //  exactly the limit
    cJSON_Delete (json);

    //  One more level, in objects: {"a":{"a":...}}
    char obj [8 * DDC_JSON_MAX_DEPTH + 8];
    n = 0;
    for (int i = 0; i <= DDC_JSON_MAX_DEPTH; i++)
        n += (size_t) sprintf (obj + n, "{\"a\":");
    n += (size_t) sprintf (obj + n, "1");
    for (int i = 0; i <= DDC_JSON_MAX_DEPTH; i++)
        obj [n++] = '}';
    char err [200];
    CHECK (ddc_json_parse (obj, n, MAX, err, sizeof (err)) == NULL);
    CHECK_STR (err, "nesting deeper than 64 levels at line 1, column 321");

    //  A million open brackets are refused without recursing a million times.
    size_t big = 1000000;
    char *many = malloc (big);
    memset (many, '[', big);
    CHECK (ddc_json_parse (many, big, 2 * big, err, sizeof (err)) == NULL);
    CHECK_STR (err, "nesting deeper than 64 levels at line 1, column 65");
    free (many);
}

DDC_TEST (test_size)
{
    char err [200];
    CHECK (ddc_json_parse ("[1, 2]", 6, 5, err, sizeof (err)) == NULL);
    CHECK_STR (err, "larger than 5 bytes");
    cJSON *json = ddc_json_parse ("[1, 2]", 6, 6, err, sizeof (err));
    CHECK (json != NULL);
    cJSON_Delete (json);
    REFUSED ("", "no JSON value (the input is empty)");
    REFUSED (" \n\t ", "no JSON value (the input is empty)");
    CHECK (ddc_json_parse (NULL, 0, 10, err, sizeof (err)) == NULL);
}

DDC_TEST (test_grammar)
{
    REFUSED ("{\"a\" 1}", "an unexpected character (':' was expected) at line 1, column 6");
    REFUSED ("{\"a\": 1,}",
             "an unexpected character (a member name was expected) at line 1, column 9");
    REFUSED ("[1,]", "an unexpected character (not the start of a value) at line 1, column 4");
    REFUSED ("[1 2]", "an unexpected character (',' or ']' was expected) at line 1, column 4");
    REFUSED ("{'a': 1}",
             "an unexpected character (a member name was expected) at line 1, column 2");
    REFUSED ("[1", "unexpected end of input at line 1, column 3");
    REFUSED ("\"abc", "a string without its closing quote at line 1, column 1");
    REFUSED ("\"a\tb\"",
             "a control character in a string (it must be escaped) at line 1, column 3");
    REFUSED ("\"\\x\"", "an invalid escape in a string at line 1, column 2");
    REFUSED ("tru", "an unexpected character (not the start of a value) at line 1, column 1");
    REFUSED ("nul", "an unexpected character (not the start of a value) at line 1, column 1");
    REFUSED ("NaN", "an unexpected character (not the start of a value) at line 1, column 1");
    REFUSED ("01", "a number with a leading zero at line 1, column 1");
    REFUSED ("[-]", "a malformed number at line 1, column 2");
    REFUSED ("1.", "a malformed number (no digit after the point) at line 1, column 1");
    REFUSED ("1e", "a malformed number (no digit in the exponent) at line 1, column 1");
    REFUSED ("+1", "an unexpected character (not the start of a value) at line 1, column 1");
    REFUSED (".5", "an unexpected character (not the start of a value) at line 1, column 1");
    REFUSED ("1e999", "a number too large for a double at line 1, column 1");
    REFUSED ("1234567890123456789012345678901234567890123456789012345678901234",
             "a number longer than 63 characters at line 1, column 1");
    REFUSED ("[1,\n 2,\n x]",
             "an unexpected character (not the start of a value) at line 3, column 2");
    REFUSED ("\f{}", "an unexpected character (not the start of a value) at line 1, column 1");
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_accepts_values);
    DDC_RUN (test_trailing_bytes);
    DDC_RUN (test_nul);
    DDC_RUN (test_bad_utf8);
    DDC_RUN (test_lone_surrogates);
    DDC_RUN (test_depth);
    DDC_RUN (test_size);
    DDC_RUN (test_grammar);
    DDC_DONE ();
}
