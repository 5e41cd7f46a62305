/*  test_buf: the growable bounded text buffer of services/lib/ddc_buf.c:
    appends and escapers, the bound and what happens past it, marks,
    truncation, a buffer that only memory bounds, room filled by a writer
    (room, commit) and a reader at the front (consume). */
#include "ddc_buf.h"

#include "ddc_test.h"

#include <stdlib.h>
#include <string.h>

DDC_TEST (test_escaping_and_bounds)
{
    ddc_buf_t *b = ddc_buf_new (1000);
    ddc_buf_html (b, "<a href=\"x\">'&'</a>");
    CHECK_STR (ddc_buf_text (b), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    ddc_buf_reset (b);
    ddc_buf_json_script (b, "{\"a\":\"</script><!--\xE2\x80\xA8&\"}");
    CHECK_STR (ddc_buf_text (b), "{\"a\":\"\\u003c/script\\u003e\\u003c!--\\u2028\\u0026\"}");
    ddc_buf_reset (b);
    ddc_buf_url (b, "/bot?x=1 &y");
    CHECK_STR (ddc_buf_text (b), "%2Fbot%3Fx%3D1%20%26y");
    ddc_buf_reset (b);
    const char *args [] = { "<b>", "2" };
    ddc_buf_tmpl (b, "<em>{0}</em> {1} {2} {x", 2, args);
    CHECK_STR (ddc_buf_text (b), "<em>&lt;b&gt;</em> 2  {x");
    ddc_buf_reset (b);
    ddc_buf_tmpl_html (b, "<em>{0}</em> {1} {2}", 2, args);
    CHECK_STR (ddc_buf_text (b), "<em><b></em> 2 ");
    ddc_buf_reset (b);
    ddc_buf_attr (b, "data-x", "a\"<b>");
    ddc_buf_u64 (b, 0);
    ddc_buf_u64 (b, 18446744073709551615ull);
    ddc_buf_attr (b, "v", NULL);
    CHECK_STR (ddc_buf_text (b), " data-x=\"a&quot;&lt;b&gt;\"018446744073709551615 v=\"\"");
    ddc_buf_reset (b);
    ddc_buf_printf (b, "%0500d", 7);
    CHECK (ddc_buf_len (b) == 500 && !ddc_buf_overflow (b));
    ddc_buf_printf (b, "%0501d", 7);
    CHECK (ddc_buf_overflow (b) && ddc_buf_len (b) == 500);
    ddc_buf_puts (b, "more");
    CHECK_EQ (ddc_buf_len (b), 500);
    size_t len;
    char *text = ddc_buf_release (&b, &len);
    CHECK (b == NULL && len == 500 && strlen (text) == 500);
    free (text);
    ddc_buf_destroy (&b);
}

DDC_TEST (test_marks)
{
    ddc_buf_t *a = ddc_buf_new (100), *b = ddc_buf_new (100);
    const size_t *at;
    ddc_buf_puts (a, "x=");
    ddc_buf_mark (a);
    ddc_buf_puts (a, ";");
    ddc_buf_puts (b, "<p>");
    ddc_buf_mark (b);
    ddc_buf_append (b, a);
    ddc_buf_mark (b);
    CHECK (ddc_buf_marks (b, &at) == 3 && at [0] == 3 && at [1] == 5 && at [2] == 6);
    ddc_buf_reset (b);
    CHECK_EQ (ddc_buf_marks (b, &at), 0);
    //  no mark past an overflow
    ddc_buf_t *small = ddc_buf_new (4);
    ddc_buf_puts (small, "12345");
    ddc_buf_mark (small);
    CHECK (ddc_buf_overflow (small) && ddc_buf_marks (small, &at) == 0);
    ddc_buf_append (small, a);
    CHECK_EQ (ddc_buf_marks (small, &at), 0);
    ddc_buf_destroy (&small);
    ddc_buf_destroy (&a);
    ddc_buf_destroy (&b);
}

DDC_TEST (test_truncate_and_unbounded)
{
    ddc_buf_t *b = ddc_buf_new (DDC_BUF_UNBOUNDED);
    CHECK_STR (ddc_buf_text (b), "");
    for (int i = 0; i < 100000; i++)
        ddc_buf_printf (b, "%05d,", i);
    CHECK (!ddc_buf_overflow (b));
    CHECK_EQ (ddc_buf_len (b), (size_t) 600000);
    CHECK (strncmp (ddc_buf_text (b) + 599994, "99999,", 6) == 0);
    ddc_buf_printf (b, "%0700d", 1); //  past the small printf buffer
    CHECK_EQ (ddc_buf_len (b), (size_t) 600700);
    ddc_buf_truncate (b, 6);
    CHECK_STR (ddc_buf_text (b), "00000,");
    ddc_buf_truncate (b, 100); //  not longer: nothing
    CHECK_EQ (ddc_buf_len (b), (size_t) 6);
    ddc_buf_destroy (&b);
    CHECK (b == NULL);
    ddc_buf_destroy (&b); //  idempotent

    //  a bounded buffer that overflowed takes appends again once cut back
    b = ddc_buf_new (8);
    ddc_buf_puts (b, "abc");
    ddc_buf_mark (b);
    ddc_buf_puts (b, "defgh");
    ddc_buf_mark (b);
    ddc_buf_puts (b, "i");
    CHECK (ddc_buf_overflow (b) && ddc_buf_len (b) == 8);
    ddc_buf_truncate (b, 4);
    const size_t *at;
    CHECK (!ddc_buf_overflow (b) && ddc_buf_marks (b, &at) == 1 && at [0] == 3);
    ddc_buf_puts (b, "XY");
    CHECK_STR (ddc_buf_text (b), "abcdXY");
    ddc_buf_destroy (&b);
}

DDC_TEST (test_fit)
{
    //  a large text cut back, then fitted: the text and marks stay, and
    //  appends (and marks) still work, up to the bound
    ddc_buf_t *b = ddc_buf_new (100000);
    for (int i = 0; i < 10000; i++)
        ddc_buf_puts (b, "0123456789");
    ddc_buf_truncate (b, 5);
    ddc_buf_mark (b);
    ddc_buf_fit (b);
    const size_t *at;
    CHECK_STR (ddc_buf_text (b), "01234");
    CHECK (ddc_buf_marks (b, &at) == 1 && at [0] == 5);
    ddc_buf_puts (b, "abc");
    ddc_buf_mark (b);
    CHECK_STR (ddc_buf_text (b), "01234abc");
    CHECK (ddc_buf_marks (b, &at) == 2 && at [0] == 5 && at [1] == 8);
    for (int i = 0; i < 10000; i++)
        ddc_buf_puts (b, "0123456789");
    CHECK (ddc_buf_overflow (b) && ddc_buf_len (b) == 99998); //  the last piece did not fit
    ddc_buf_destroy (&b);

    //  no marks, and an empty buffer
    b = ddc_buf_new (64);
    ddc_buf_fit (b);
    CHECK_STR (ddc_buf_text (b), "");
    CHECK_EQ (ddc_buf_marks (b, &at), (size_t) 0);
    ddc_buf_puts (b, "x");
    ddc_buf_mark (b);
    ddc_buf_fit (b);
    ddc_buf_puts (b, "y");
    CHECK_STR (ddc_buf_text (b), "xy");
    CHECK (ddc_buf_marks (b, &at) == 1 && at [0] == 1);
    ddc_buf_destroy (&b);
}

DDC_TEST (test_room_commit)
{
    ddc_buf_t *b = ddc_buf_new (3000);
    ddc_buf_puts (b, "ab");
    //  room past the first allocation, filled in two writes
    char *p = ddc_buf_room (b, 2000);
    CHECK (p != NULL && p == ddc_buf_text (b) + 2);
    memset (p, 'x', 1500);
    ddc_buf_commit (b, 1500);
    CHECK_EQ (ddc_buf_len (b), (size_t) 1502);
    CHECK (ddc_buf_text (b) [1502] == '\0' && ddc_buf_text (b) [1501] == 'x');
    p = ddc_buf_room (b, 10);
    CHECK (p != NULL);
    ddc_buf_commit (b, 0); //  nothing written
    CHECK_EQ (ddc_buf_len (b), (size_t) 1502);
    //  up to the bound exactly, then nothing more
    p = ddc_buf_room (b, 1498);
    CHECK (p != NULL && !ddc_buf_overflow (b));
    memset (p, 'y', 1498);
    ddc_buf_commit (b, 1498);
    CHECK_EQ (ddc_buf_len (b), (size_t) 3000);
    CHECK (ddc_buf_room (b, 0) != NULL);
    CHECK (ddc_buf_room (b, 1) == NULL && ddc_buf_overflow (b));
    CHECK_EQ (ddc_buf_len (b), (size_t) 3000);
    ddc_buf_destroy (&b);

    //  past the bound at once: nothing reserved, the text kept
    b = ddc_buf_new (16);
    ddc_buf_puts (b, "0123456789");
    CHECK (ddc_buf_room (b, 7) == NULL && ddc_buf_overflow (b));
    CHECK_STR (ddc_buf_text (b), "0123456789");
    ddc_buf_destroy (&b);
}

DDC_TEST (test_consume)
{
    ddc_buf_t *b = ddc_buf_new (10);
    ddc_buf_puts (b, "abc");
    ddc_buf_mark (b);
    ddc_buf_puts (b, "def");
    ddc_buf_mark (b);
    ddc_buf_puts (b, "ghij");
    ddc_buf_puts (b, "k");
    CHECK (ddc_buf_overflow (b));
    ddc_buf_consume (b, 4);
    CHECK_STR (ddc_buf_text (b), "efghij");
    const size_t *at;
    CHECK_EQ (ddc_buf_marks (b, &at), (size_t) 1); //  the one at 3 went
    CHECK_EQ (at [0], (size_t) 2);
    //  room again, up to the bound
    CHECK (!ddc_buf_overflow (b));
    ddc_buf_puts (b, "klmn");
    CHECK_STR (ddc_buf_text (b), "efghijklmn");
    ddc_buf_puts (b, "o");
    CHECK (ddc_buf_overflow (b) && ddc_buf_len (b) == 10);
    ddc_buf_consume (b, 0);
    CHECK_STR (ddc_buf_text (b), "efghijklmn");
    ddc_buf_consume (b, 99); //  more than there is: all
    CHECK (ddc_buf_len (b) == 0 && ddc_buf_marks (b, &at) == 0);
    CHECK_STR (ddc_buf_text (b), "");
    ddc_buf_puts (b, "z");
    CHECK_STR (ddc_buf_text (b), "z");
    ddc_buf_destroy (&b);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_escaping_and_bounds);
    DDC_RUN (test_marks);
    DDC_RUN (test_truncate_and_unbounded);
    DDC_RUN (test_fit);
    DDC_RUN (test_room_commit);
    DDC_RUN (test_consume);
    DDC_DONE ();
}
