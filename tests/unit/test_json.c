/*  Unit tests of the strict JSON parse entry point (services/lib/ddc_json.c):
    every kind of refusal with its reason and position, and what passes,
    as the tree cJSON's own parser builds from the same text; and of its
    printer, byte for byte against cJSON's. */
#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_test.h"
#include "ddc_test_json.h"

#include <math.h>

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

//  What ddc_json_parse builds is what cJSON's parser builds from the same
//  text, item by item: escapes, numbers (valueint too), duplicate names,
//  links.
DDC_TEST (test_tree_as_cjson)
{
    const char *texts [] = {
        "{\"a\": [1, -0.5e+3, true, false, null, \"x\"], \"b\": {}, \"c\": []}",
        "[0, -0, 1, -1, 12, 2147483647, 2147483648, -2147483648, -2147483649]",
        "[999999999999999, 1000000000000000, 9007199254740993, -123456789012345]",
        "[0.1, 1e-400, 1E+2, 1e2, -1.5E-3, 123456789012345678901234567890, 4.9e-324]",
        "[1.7976931348623157e308, 0.30000000000000004, 100000000000000000000000]",
        "\"\\ud83d\\udc33 \\u00e9 \\u0800 \\uffff \\n\\t\\b\\f\\r\\\"\\\\\\/ caf\xC3\xA9\"",
        "{\"k\": 1, \"k\": 2, \"\": \"\", \"\\u00e9\\n\": [[], {}, [null]]}",
        "[\"\", \"a\", [\"b\"], {\"c\": {\"d\": [true]}}]",
        " \t\r\n{ \"x\" : [ 1 , 2 ] } \n",
        "true",
        "null",
        "\"plain\"",
        "-7",
    };
    for (size_t i = 0; i < sizeof (texts) / sizeof (texts [0]); i++) {
        cJSON *ours = ddc_json_parse (texts [i], strlen (texts [i]), MAX, NULL, 0);
        cJSON *theirs = cJSON_ParseWithLength (texts [i], strlen (texts [i]));
        CHECK (ours != NULL && theirs != NULL);
        const char *why = ours && theirs ? ddc_test_same_items (ours, theirs) : "parse";
        if (why)
            fprintf (stderr, "%s: differs from cJSON's tree in its %s\n", texts [i], why);
        CHECK (why == NULL);
        cJSON_Delete (ours);
        cJSON_Delete (theirs);
    }
    //  The links let cJSON append to a parsed list.
    cJSON *list = ddc_json_parse ("[1, 2]", 6, MAX, NULL, 0);
    cJSON_AddItemToArray (list, cJSON_CreateNumber (3));
    char *text = cJSON_PrintUnformatted (list);
    CHECK_STR (text, "[1,2,3]");
    free (text);
    cJSON_Delete (list);
}

//  An allocator that fails after a number of allocations.
static int s_allocs_left;

static void *
s_failing_malloc (size_t size)
{
    return s_allocs_left-- > 0 ? malloc (size) : NULL;
}

//  Memory running out at any allocation gives a refusal that says so and
//  leaks nothing (the sanitizers' leak check runs at exit).
DDC_TEST (test_out_of_memory)
{
    const char *text = "{\"a\": [1, \"x\\n\", {\"b\": null}], \"c\": true, \"d\": \"e\"}";
    cJSON_Hooks hooks = { .malloc_fn = s_failing_malloc, .free_fn = free };
    int refused = 0;
    for (int n = 0; n < 100; n++) {
        s_allocs_left = n;
        cJSON_InitHooks (&hooks);
        char err [200] = "";
        cJSON *json = ddc_json_parse (text, strlen (text), MAX, err, sizeof (err));
        cJSON_InitHooks (NULL);
        if (json) {
            cJSON_Delete (json);
            break;
        }
        CHECK_STR (err, "cannot be read (out of memory)");
        refused++;
    }
    CHECK (refused == 14); //  one per item and one per string or name
}

//  ddc_json_print gives what cJSON_PrintUnformatted gives (both NULL, or
//  the same bytes); item is deleted.
static int
s_prints_as_cjson (cJSON *item)
{
    char *want = cJSON_PrintUnformatted (item), *got = ddc_json_print (item);
    int ok = (!want && !got) || (want && got && strcmp (want, got) == 0);
    if (!ok)
        fprintf (stderr, "printed \"%s\", cJSON printed \"%s\"\n", got ? got : "(NULL)",
                 want ? want : "(NULL)");
    //  appended after text already in a buffer: the same bytes after it
    ddc_buf_t *out = ddc_buf_new (DDC_BUF_UNBOUNDED);
    ddc_buf_puts (out, "{\"x\":");
    bool appended = ddc_json_print_to (out, item);
    if (appended != (want != NULL)
        || (want
            && (strncmp (ddc_buf_text (out), "{\"x\":", 5) != 0
                || strcmp (ddc_buf_text (out) + 5, want) != 0))) {
        fprintf (stderr, "appended \"%s\" (%s)\n", ddc_buf_text (out), appended ? "true" : "false");
        ok = 0;
    }
    ddc_buf_destroy (&out);
    free (want);
    free (got);
    cJSON_Delete (item);
    return ok;
}

DDC_TEST (test_print_numbers)
{
    const double numbers [] = { 0,
                                -0.0,
                                1,
                                -1,
                                42,
                                2147483647,
                                2147483648.0,
                                -2147483649.0,
                                1733580000000.0,
                                999999999999999.0,
                                -999999999999999.0,
                                1e15,
                                -1e15,
                                1e15 + 1,
                                9007199254740992.0,
                                9007199254740993.0,
                                1e17,
                                1e300,
                                -1e300,
                                0.1,
                                -0.5,
                                1.5,
                                123456.789,
                                1.0 / 3.0,
                                5e-324,
                                2.2250738585072014e-308,
                                1.7976931348623157e308,
                                NAN,
                                INFINITY,
                                -INFINITY };
    for (size_t i = 0; i < sizeof (numbers) / sizeof (numbers [0]); i++)
        CHECK (s_prints_as_cjson (cJSON_CreateNumber (numbers [i])));
    //  every whole number around the shortcut's edges and the int range
    const double edges [] = { 1e15, 1e9, 2147483648.0, 1e6 };
    for (size_t e = 0; e < sizeof (edges) / sizeof (edges [0]); e++)
        for (double d = edges [e] - 3; d <= edges [e] + 3; d++) {
            CHECK (s_prints_as_cjson (cJSON_CreateNumber (d)));
            CHECK (s_prints_as_cjson (cJSON_CreateNumber (-d)));
        }
}

DDC_TEST (test_print_strings)
{
    const char *strings [] = { "",
                               "plain",
                               "quote \" backslash \\ slash /",
                               "\b\f\n\r\t",
                               "\x01\x02\x1f\x7f",
                               "caf\xC3\xA9 \xF0\x9F\x90\xB3",
                               "</script>",
                               "\xff\xfe not UTF-8" };
    for (size_t i = 0; i < sizeof (strings) / sizeof (strings [0]); i++) {
        CHECK (s_prints_as_cjson (cJSON_CreateString (strings [i])));
        //  a string written alone is quoted as in a tree
        cJSON *alone = cJSON_CreateString (strings [i]);
        char *want = cJSON_PrintUnformatted (alone);
        ddc_buf_t *out = ddc_buf_new (DDC_BUF_UNBOUNDED);
        ddc_json_print_string (out, strings [i]);
        CHECK (want && strcmp (ddc_buf_text (out), want) == 0);
        ddc_buf_destroy (&out);
        free (want);
        cJSON_Delete (alone);
        cJSON *obj = cJSON_CreateObject ();
        cJSON_AddNumberToObject (obj, strings [i], 1);
        CHECK (s_prints_as_cjson (obj));
    }
    cJSON *null_string = cJSON_CreateString ("x");
    free (null_string->valuestring);
    null_string->valuestring = NULL;
    CHECK (s_prints_as_cjson (null_string));
    ddc_buf_t *out = ddc_buf_new (DDC_BUF_UNBOUNDED);
    ddc_json_print_string (out, NULL);
    CHECK (strcmp (ddc_buf_text (out), "\"\"") == 0);
    ddc_buf_destroy (&out);
}

DDC_TEST (test_print_trees)
{
    const char *texts [] = {
        "{}",
        "[]",
        "null",
        "true",
        "false",
        "[{},[],[[]],{\"a\":{}}]",
        "{\"epoch\":\"7363b70d54f7ec45\",\"rev\":21,\"revs\":{\"bot\":3,\"web\":0},"
        "\"changes\":[{\"rev\":21,\"prev_rev\":20,\"changed\":[\"admins[0].note\"],"
        "\"value\":[{\"id\":\"334455667788990011\",\"note\":\"x\"}]}]}",
        "{\"a\":1,\"a\":2,\"\":null,\"n\":[1.5,-0,1e-7,12345678901234567890]}",
    };
    for (size_t i = 0; i < sizeof (texts) / sizeof (texts [0]); i++) {
        cJSON *tree = ddc_json_parse (texts [i], strlen (texts [i]), MAX, NULL, 0);
        CHECK (tree != NULL);
        CHECK (s_prints_as_cjson (tree));
    }
    //  raw items, references, and what cJSON cannot print
    cJSON *shared = cJSON_CreateArray ();
    cJSON_AddItemToArray (shared, cJSON_CreateNumber (7));
    cJSON *obj = cJSON_CreateObject ();
    cJSON_AddRawToObject (obj, "raw", "[1, 2]");
    cJSON_AddItemReferenceToObject (obj, "ref", shared);
    CHECK (s_prints_as_cjson (obj));
    cJSON_Delete (shared);
    cJSON *bad_raw = cJSON_CreateArray ();
    cJSON *raw = cJSON_CreateRaw ("1");
    free (raw->valuestring);
    raw->valuestring = NULL;
    cJSON_AddItemToArray (bad_raw, raw);
    CHECK (s_prints_as_cjson (bad_raw));
    cJSON *invalid = cJSON_CreateObject ();
    cJSON *child = cJSON_CreateNull ();
    child->type = cJSON_Invalid;
    cJSON_AddItemToObject (invalid, "x", child);
    CHECK (s_prints_as_cjson (invalid));
    CHECK (ddc_json_print (NULL) == NULL);
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
    DDC_RUN (test_tree_as_cjson);
    DDC_RUN (test_out_of_memory);
    DDC_RUN (test_print_numbers);
    DDC_RUN (test_print_strings);
    DDC_RUN (test_print_trees);
    DDC_DONE ();
}
