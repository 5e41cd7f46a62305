/*  Unit tests of the DDCP/1 codec (services/lib/ddc_proto.c). */
#include "ddc_proto.h"
#include "ddc_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static ddc_msg_t *
s_decode (zmsg_t *zmsg, char *err)
{
    ddc_msg_t *msg = ddc_msg_decode (zmsg, err, 160);
    zmsg_destroy (&zmsg);
    return msg;
}

DDC_TEST (test_roundtrip_save)
{
    zmsg_t *z =
        ddc_msg_buildv (DDC_SAVE, "r-1", "bot", "42", "alice", "{\"language\":\"de\"}", NULL);
    CHECK (z != NULL);
    CHECK_EQ (zmsg_size (z), 6);
    char err [160];
    ddc_msg_t *m = s_decode (z, err);
    CHECK (m != NULL);
    CHECK (m->type == DDC_SAVE);
    CHECK_STR (m->frame [DDC_REQ], "r-1");
    CHECK_STR (m->frame [DDC_SAVE_SECTION], "bot");
    CHECK (m->u64 [DDC_SAVE_EXPECTED] == 42);
    CHECK (cJSON_IsObject (m->json [DDC_SAVE_VALUE]));
    ddc_msg_destroy (&m);
    CHECK (m == NULL);
}

DDC_TEST (test_build_rejects_wrong_count)
{
    CHECK (ddc_msg_buildv (DDC_SAVE, "r", "bot", NULL) == NULL);
    CHECK (ddc_msg_buildv (DDC_PING, "r", "1", "extra", NULL) == NULL);
    zmsg_t *z = ddc_msg_buildv (DDC_PING, "r", "1", NULL);
    CHECK (z != NULL);
    zmsg_destroy (&z);
}

DDC_TEST (test_unknown_command)
{
    char err [160] = "";
    zmsg_t *z = zmsg_new ();
    zmsg_addstr (z, "FROB");
    zmsg_addstr (z, "r");
    CHECK (s_decode (z, err) == NULL);
    CHECK_STR (err, "unknown command");
}

DDC_TEST (test_bad_integer)
{
    const char *bad [] = { "", "-1", "1.5", "18446744073709551616", "12a", " 1" };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++) {
        char err [160] = "";
        zmsg_t *z = zmsg_new ();
        zmsg_addstr (z, "PING");
        zmsg_addstr (z, "r");
        zmsg_addstr (z, bad [i]);
        CHECK (s_decode (z, err) == NULL);
        CHECK (strstr (err, "decimal integer") != NULL);
    }
    char err [160];
    zmsg_t *z = zmsg_new ();
    zmsg_addstr (z, "PING");
    zmsg_addstr (z, "r");
    zmsg_addstr (z, "18446744073709551615");
    ddc_msg_t *m = s_decode (z, err);
    CHECK (m && m->u64 [DDC_PING_REV] == UINT64_MAX);
    ddc_msg_destroy (&m);
}

DDC_TEST (test_json_kinds)
{
    char err [160] = "";
    //  REJECTED's errors frame must be an array
    CHECK (s_decode (ddc_msg_buildv (DDC_REJECTED, "r", "bot", "2", "1", "{}", NULL), err) == NULL);
    CHECK (strstr (err, "JSON array") != NULL);
    CHECK (s_decode (ddc_msg_buildv (DDC_SAVE, "r", "bot", "0", "a", "{\"x\":", NULL), err) == NULL);
    CHECK (strstr (err, "not valid JSON") != NULL);
    CHECK (s_decode (ddc_msg_buildv (DDC_ACTION, "r", "docker@nas", "100", "[]", NULL), err) == NULL);
    ddc_msg_t *m =
        s_decode (ddc_msg_buildv (DDC_SAVE, "r", "containers", "0", "a", "[]", NULL), err);
    CHECK (m && cJSON_IsArray (m->json [DDC_SAVE_VALUE]));
    ddc_msg_destroy (&m);
}

DDC_TEST (test_json_strict)
{
    char err [160] = "";
    //  an ACTION body with bytes after the object is refused, not forwarded
    CHECK (s_decode (ddc_msg_buildv (DDC_ACTION, "r", "docker@nas", "100", "{}trailing", NULL), err)
           == NULL);
    CHECK_STR (err,
               "frame 4 is not valid JSON: trailing bytes after the value at line 1, column 3");
    CHECK (s_decode (ddc_msg_buildv (DDC_SAVE, "r", "containers", "0", "a", "[]garbage", NULL), err)
           == NULL);
    CHECK_STR (err,
               "frame 5 is not valid JSON: trailing bytes after the value at line 1, column 3");
    CHECK (s_decode (ddc_msg_buildv (DDC_SAVE, "r", "bot", "0", "a", "{\"prefix\":\"a\\u0000b\"}",
                                     NULL),
                     err)
           == NULL);
    CHECK_STR (err, "frame 5 is not valid JSON: \\u0000 (NUL) in a string at line 1, column 13");
    CHECK (s_decode (ddc_msg_buildv (DDC_REPORT, "r", "state", "\"\\udc00\"", NULL), err) == NULL);
    CHECK_EQ (strstr (err, "frame 3 is not valid JSON: a lone surrogate"), err);
    CHECK (s_decode (ddc_msg_buildv (DDC_RESULT, "r", "{\"x\":\"\xc3\"}", NULL), err) == NULL);
    CHECK_STR (err, "frame 2 is not valid JSON: invalid UTF-8 in a string at line 1, column 7");
    //  whitespace around the value is fine
    ddc_msg_t *m =
        s_decode (ddc_msg_buildv (DDC_ACTION, "r", "docker@nas", "100", " {} \n", NULL), err);
    CHECK (m && cJSON_IsObject (m->json [DDC_ACTION_BODY]));
    ddc_msg_destroy (&m);
}

DDC_TEST (test_text_utf8)
{
    char err [160] = "";
    //  an author in UTF-8 passes; bytes that are not UTF-8 or controls do not
    ddc_msg_t *m = s_decode (ddc_msg_buildv (DDC_SAVE, "r", "bot", "0",
                                             "J\xc3\xbcrgen \xf0\x9f\x90\xb3", "{}", NULL),
                             err);
    CHECK (m && strcmp (m->frame [DDC_SAVE_AUTHOR], "J\xc3\xbcrgen \xf0\x9f\x90\xb3") == 0);
    ddc_msg_destroy (&m);
    const char *bad [] = { "J\xfcrgen",
                           "ab\xc3",
                           "\xc0\xaf",
                           "\xed\xa0\x80",
                           "a\x1b[31m",
                           "a\x7f",
                           "a\xc2\x85"
                           "b",
                           NULL };
    for (int i = 0; bad [i]; i++) {
        CHECK (s_decode (ddc_msg_buildv (DDC_SAVE, "r", "bot", "0", bad [i], "{}", NULL), err)
               == NULL);
        CHECK_EQ (strstr (err, "frame 4 "), err);
    }
    CHECK (s_decode (ddc_msg_buildv (DDC_ROLLBACK, "r", "bot", "3", "ab\xff", NULL), err) == NULL);
    CHECK_STR (err, "frame 4 is not valid UTF-8 (byte 3)");
    CHECK (s_decode (ddc_msg_buildv (DDC_ROLLBACK, "r", "bot", "3", "a\xc2\x9b", NULL), err) == NULL);
    CHECK_STR (err, "frame 4 has a control character (byte 2)");
}

DDC_TEST (test_names_and_text)
{
    char err [160] = "";
    CHECK (s_decode (ddc_msg_buildv (DDC_HELLO, "r", "DDCP/1", "ctl", "bad host", NULL), err)
           == NULL);
    CHECK (s_decode (ddc_msg_buildv (DDC_HELLO, "", "DDCP/1", "ctl", "x", NULL), err) == NULL);
    CHECK (s_decode (ddc_msg_buildv (DDC_DENIED, "r", "tab\there", NULL), err) == NULL);
    ddc_msg_t *m =
        s_decode (ddc_msg_buildv (DDC_HELLO, "r", "DDCP/1", "docker", "nas-1.lan", NULL), err);
    CHECK (m != NULL);
    ddc_msg_destroy (&m);
    //  a NUL inside a frame
    zmsg_t *z = zmsg_new ();
    zmsg_addstr (z, "STATUS");
    zmsg_addmem (z, "a\0b", 3);
    zmsg_addstr (z, "0");
    zmsg_addstr (z, "-");
    CHECK (s_decode (z, err) == NULL);
    CHECK (strstr (err, "NUL") != NULL);
}

DDC_TEST (test_report_body_bound)
{
    char err [160] = "";
    size_t n = DDC_REPORT_MAX + 1;
    char *big = malloc (n + 1);
    memset (big, ' ', n);
    big [0] = '"';
    big [n - 1] = '"';
    big [n] = '\0';
    errno = 0;
    CHECK (s_decode (ddc_msg_buildv (DDC_REPORT, "r", "status", big, NULL), err) == NULL);
    CHECK_EQ (errno, EMSGSIZE);
    CHECK (strstr (err, "larger") != NULL);
    big [n - 2] = '"';
    big [n - 1] = '\0';
    ddc_msg_t *m = s_decode (ddc_msg_buildv (DDC_REPORT, "r", "status", big, NULL), err);
    CHECK (m != NULL);
    ddc_msg_destroy (&m);
    //  other JSON frames keep the 1 MiB bound
    m = s_decode (ddc_msg_buildv (DDC_RESULT, "r", "{}", NULL), err);
    CHECK (m != NULL);
    ddc_msg_destroy (&m);
    free (big);
}

DDC_TEST (test_epoch)
{
    char err [160] = "";
    CHECK (s_decode (ddc_msg_buildv (DDC_PONG, "r", "ABCDEF0123456789", "1", NULL), err) == NULL);
    CHECK (s_decode (ddc_msg_buildv (DDC_PONG, "r", "abc", "1", NULL), err) == NULL);
    ddc_msg_t *m = s_decode (ddc_msg_buildv (DDC_PONG, "r", "abcdef0123456789", "7", NULL), err);
    CHECK (m && m->u64 [DDC_PONG_REV] == 7);
    ddc_msg_destroy (&m);
}

DDC_TEST (test_pub_update)
{
    char err [160] = "";
    zmsg_t *z = ddc_msg_buildv (DDC_UPDATE, "cfg/containers/", "0123456789abcdef", "9", "4",
                                "{\"author\":\"a\"}", "[]", NULL);
    CHECK (z != NULL);
    ddc_msg_t *m = ddc_msg_decode_pub (z, err, sizeof (err));
    zmsg_destroy (&z);
    CHECK (m != NULL);
    CHECK (m->type == DDC_UPDATE);
    CHECK_STR (ddc_msg_topic (m), "cfg/containers/");
    char section [32];
    CHECK_EQ (ddc_msg_topic_part (m, 1, section, sizeof (section)), 0);
    CHECK_STR (section, "containers");
    CHECK (m->u64 [DDC_UPDATE_REV] == 9 && m->u64 [DDC_UPDATE_PREV] == 4);
    ddc_msg_destroy (&m);
    //  topic must end with '/'
    z = ddc_msg_buildv (DDC_STATUSPUB, "status/docker@nas", "{}", NULL);
    CHECK (ddc_msg_decode_pub (z, err, sizeof (err)) == NULL);
    zmsg_destroy (&z);
    z = ddc_msg_buildv (DDC_STATUSPUB, "status/docker@nas/containers/", "{}", NULL);
    m = ddc_msg_decode_pub (z, err, sizeof (err));
    CHECK (m && m->type == DDC_STATUSPUB);
    char peer [64];
    CHECK_EQ (ddc_msg_topic_part (m, 1, peer, sizeof (peer)), 0);
    CHECK_STR (peer, "docker@nas");
    ddc_msg_destroy (&m);
    zmsg_destroy (&z);
    //  mon/: the broker's events, an object of at most DDC_MON_MAX bytes
    z = ddc_msg_buildv (DDC_MONPUB, "mon/peer/docker@nas/",
                        "{\"name\":\"docker@nas\",\"connected\":false}", NULL);
    m = ddc_msg_decode_pub (z, err, sizeof (err));
    CHECK (m && m->type == DDC_MONPUB);
    CHECK (m && ddc_msg_topic_part (m, 2, peer, sizeof (peer)) == 0);
    CHECK_STR (peer, "docker@nas");
    CHECK (m && cJSON_IsFalse (cJSON_GetObjectItem (m->json [DDC_MONPUB_BODY], "connected")));
    ddc_msg_destroy (&m);
    zmsg_destroy (&z);
    z = ddc_msg_buildv (DDC_MONPUB, "mon/peer/docker@nas/", "[]", NULL);
    CHECK (z == NULL || ddc_msg_decode_pub (z, err, sizeof (err)) == NULL); //  not an object
    zmsg_destroy (&z);
    char *big = malloc (DDC_MON_MAX + 100);
    memset (big, ' ', DDC_MON_MAX + 99);
    big [0] = '{';
    big [DDC_MON_MAX + 98] = '}';
    big [DDC_MON_MAX + 99] = '\0';
    z = zmsg_new ();
    zmsg_addstr (z, "mon/peer/docker@nas/");
    zmsg_addstr (z, big);
    CHECK (ddc_msg_decode_pub (z, err, sizeof (err)) == NULL);
    zmsg_destroy (&z);
    free (big);
}

DDC_TEST (test_too_many_frames)
{
    char err [160] = "";
    zmsg_t *z = zmsg_new ();
    for (int i = 0; i < 12; i++)
        zmsg_addstr (z, "STATUS");
    CHECK (s_decode (z, err) == NULL);
}

//  Messages sent with ddc_msg_sendv and read with ddc_msg_recv over a
//  real pair of sockets: decoded as the zmsg path decodes them; nothing
//  waiting is EAGAIN; a malformed message is refused with its reason and
//  read whole, so the next one is read cleanly after it.
DDC_TEST (test_send_and_receive_frames)
{
    zsock_t *out = zsock_new_pair ("@inproc://test-proto-frames");
    zsock_t *in = zsock_new_pair (">inproc://test-proto-frames");
    CHECK (out && in);
    void *tx = zsock_resolve (out), *rx = zsock_resolve (in);
    char err [160] = "";
    errno = 0;
    CHECK (ddc_msg_recv (rx, false, err, sizeof (err)) == NULL);
    CHECK_EQ (errno, EAGAIN);
    CHECK (strncmp (err, "no message: ", 12) == 0);
    //  a CTL message: the command frame comes from the table
    CHECK_EQ (ddc_msg_sendv (tx, 0, DDC_APPLIED, "r-1", "containers", "42", NULL), 0);
    ddc_msg_t *m = ddc_msg_recv (rx, false, err, sizeof (err));
    CHECK (m && m->type == DDC_APPLIED);
    CHECK (m && strcmp (m->frame [DDC_APPLIED_SECTION], "containers") == 0
           && m->u64 [DDC_APPLIED_REV] == 42);
    ddc_msg_destroy (&m);
    //  the wrong frames for the table: refused, nothing sent
    errno = 0;
    CHECK_EQ (ddc_msg_sendv (tx, 0, DDC_APPLIED, "r-2", "containers", NULL), -1);
    CHECK_EQ (errno, EINVAL);
    //  a PUB message, its JSON frames parsed
    CHECK_EQ (ddc_msg_sendv (tx, 0, DDC_UPDATE, "cfg/containers/", "0123456789abcdef", "9", "4",
                             "{\"author\":\"a\"}", "[{\"id\":\"x\"}]", NULL),
              0);
    m = ddc_msg_recv (rx, true, err, sizeof (err));
    CHECK (m && m->type == DDC_UPDATE && m->u64 [DDC_UPDATE_REV] == 9);
    CHECK (m && cJSON_IsArray (m->json [DDC_UPDATE_VALUE]));
    CHECK_STR (m ? ddc_msg_topic (m) : "", "cfg/containers/");
    ddc_msg_destroy (&m);
    //  malformed: bad JSON, too many frames, a frame over the message
    //  bound; each followed by a good one that must come through
    zmsg_t *z = zmsg_new ();
    zmsg_addstr (z, "cfg/containers/");
    zmsg_addstr (z, "0123456789abcdef");
    zmsg_addstr (z, "9");
    zmsg_addstr (z, "4");
    zmsg_addstr (z, "{}");
    zmsg_addstr (z, "[1,]");
    zmsg_send (&z, out);
    z = zmsg_new ();
    for (int i = 0; i < 12; i++)
        zmsg_addstr (z, "cfg/");
    zmsg_send (&z, out);
    z = zmsg_new ();
    zmsg_addstr (z, "cfg/containers/");
    zframe_t *huge = zframe_new (NULL, DDC_MAX_MSG + 1);
    memset (zframe_data (huge), 'x', DDC_MAX_MSG + 1);
    zmsg_append (z, &huge);
    zmsg_send (&z, out);
    const char *why [] = { "frame 5", "message has 12 frames", "larger than" };
    const int errnos [] = { EPROTO, EPROTO, EMSGSIZE };
    for (int k = 0; k < 3; k++) {
        err [0] = '\0';
        errno = 0;
        CHECK (ddc_msg_recv (rx, true, err, sizeof (err)) == NULL);
        CHECK_EQ (errno, errnos [k]);
        if (!strstr (err, why [k]))
            fprintf (stderr, "reason \"%s\", wanted \"%s\"\n", err, why [k]);
        CHECK (strstr (err, why [k]) != NULL);
    }
    CHECK_EQ (ddc_msg_sendv (tx, 0, DDC_HUGZ, "hugz/", "0123456789abcdef", "9", "0123456789abcdef",
                             "{}", "1", NULL),
              0);
    m = ddc_msg_recv (rx, true, err, sizeof (err));
    CHECK (m && m->type == DDC_HUGZ);
    ddc_msg_destroy (&m);
    errno = 0;
    CHECK (ddc_msg_recv (rx, true, err, sizeof (err)) == NULL);
    CHECK_EQ (errno, EAGAIN);
    zsock_destroy (&in);
    zsock_destroy (&out);
}

//  A ROUTER's requests: the routing id and the request id come back with
//  every message read, malformed or not; a HELLO's connection properties
//  only with a HELLO.
DDC_TEST (test_receive_routed)
{
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    CHECK (router && dealer);
    int port = zsock_bind (router, "tcp://127.0.0.1:*");
    CHECK (port > 0);
    zsock_set_identity (dealer, "peer-1");
    CHECK_EQ (zsock_connect (dealer, "tcp://127.0.0.1:%d", port), 0);
    void *rx = zsock_resolve (router), *tx = zsock_resolve (dealer);
    ddc_routed_t from;
    char err [160] = "";
    errno = 0;
    CHECK (ddc_msg_recv_routed (rx, &from, err, sizeof (err)) == NULL);
    CHECK_EQ (errno, EAGAIN);
    CHECK (from.routing == NULL);
    CHECK_EQ (ddc_msg_sendv (tx, 0, DDC_HELLO, "r-1", DDC_PROTO_NAME, "docker", "nas", NULL), 0);
    zsock_set_rcvtimeo (router, 2000);
    zpoller_t *poller = zpoller_new (router, NULL);
    CHECK (zpoller_wait (poller, 2000) == router);
    ddc_msg_t *m = ddc_msg_recv_routed (rx, &from, err, sizeof (err));
    CHECK (m && m->type == DDC_HELLO);
    CHECK (from.routing && zframe_streq (from.routing, "peer-1"));
    CHECK_STR (from.req, "r-1");
    CHECK_STR (from.address, "127.0.0.1");
    CHECK_STR (from.user_id, "");
    ddc_msg_destroy (&m);
    zframe_destroy (&from.routing);
    //  not a HELLO: no look-up of the connection's properties
    CHECK_EQ (ddc_msg_sendv (tx, 0, DDC_APPLIED, "r-2", "containers", "42", NULL), 0);
    CHECK (zpoller_wait (poller, 2000) == router);
    m = ddc_msg_recv_routed (rx, &from, err, sizeof (err));
    CHECK (m && m->type == DDC_APPLIED && m->u64 [DDC_APPLIED_REV] == 42);
    CHECK_STR (from.address, "");
    ddc_msg_destroy (&m);
    zframe_destroy (&from.routing);
    //  malformed, with a request id to answer; then one whose request id
    //  is too long to be one; then one over the bound
    zmsg_t *z = zmsg_new ();
    zmsg_addstr (z, "APPLIED");
    zmsg_addstr (z, "r-3");
    zmsg_addstr (z, "containers");
    zmsg_addstr (z, "x");
    zmsg_send (&z, dealer);
    char longreq [DDC_MAX_REQ_ID + 2];
    memset (longreq, 'a', sizeof (longreq) - 1);
    longreq [sizeof (longreq) - 1] = '\0';
    z = zmsg_new ();
    zmsg_addstr (z, "PING");
    zmsg_addstr (z, longreq);
    zmsg_send (&z, dealer);
    z = zmsg_new ();
    zmsg_addstr (z, "PING");
    zmsg_addstr (z, "r-5");
    zframe_t *huge = zframe_new (NULL, DDC_MAX_MSG + 1);
    memset (zframe_data (huge), 'x', DDC_MAX_MSG + 1);
    zmsg_append (z, &huge);
    zmsg_send (&z, dealer);
    const char *reqs [] = { "r-3", "", "r-5" };
    const int errnos [] = { EPROTO, EPROTO, EMSGSIZE };
    for (int k = 0; k < 3; k++) {
        CHECK (zpoller_wait (poller, 2000) == router);
        errno = 0;
        CHECK (ddc_msg_recv_routed (rx, &from, err, sizeof (err)) == NULL);
        CHECK_EQ (errno, errnos [k]);
        CHECK (from.routing && zframe_streq (from.routing, "peer-1"));
        CHECK_STR (from.req, reqs [k]);
        zframe_destroy (&from.routing);
    }
    errno = 0;
    CHECK (ddc_msg_recv_routed (rx, &from, err, sizeof (err)) == NULL);
    CHECK_EQ (errno, EAGAIN);
    zpoller_destroy (&poller);
    zsock_destroy (&dealer);
    zsock_destroy (&router);
}

DDC_TEST (test_names_table)
{
    for (int t = 0; t < DDC_UPDATE; t++)
        CHECK_EQ (ddc_msg_type_from_name (ddc_msg_name ((ddc_msg_type_t) t)), t);
    CHECK_EQ (ddc_msg_type_from_name ("cfg/"), -1);
    char a [40], b [40];
    ddc_req_id (a);
    ddc_req_id (b);
    CHECK (strcmp (a, b) != 0);
}

//  Request ids: the process's 16 hex digits, '-', a counter from 1.
DDC_TEST (test_req_id)
{
    char a [40], b [40];
    ddc_req_id (a);
    ddc_req_id (b);
    CHECK (strlen (a) >= 18 && strspn (a, "0123456789abcdef") == 16 && a [16] == '-');
    CHECK (strncmp (a, b, 17) == 0);
    unsigned long long na = strtoull (a + 17, NULL, 10), nb = strtoull (b + 17, NULL, 10);
    CHECK (na >= 1 && nb == na + 1);
    char digits [24];
    snprintf (digits, sizeof (digits), "%llu", nb);
    CHECK_STR (b + 17, digits);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_roundtrip_save);
    DDC_RUN (test_build_rejects_wrong_count);
    DDC_RUN (test_unknown_command);
    DDC_RUN (test_bad_integer);
    DDC_RUN (test_json_kinds);
    DDC_RUN (test_json_strict);
    DDC_RUN (test_text_utf8);
    DDC_RUN (test_names_and_text);
    DDC_RUN (test_report_body_bound);
    DDC_RUN (test_epoch);
    DDC_RUN (test_pub_update);
    DDC_RUN (test_too_many_frames);
    DDC_RUN (test_send_and_receive_frames);
    DDC_RUN (test_receive_routed);
    DDC_RUN (test_names_table);
    DDC_RUN (test_req_id);
    DDC_DONE ();
}
