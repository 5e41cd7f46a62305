/*  Unit tests of the broker's part in the web UI's sign-in: the attempt
    limit table (services/broker/throttle.c), checked against a plain model
    under random use, and the setup code (services/broker/setupcode.c): its
    form, its file, a restart, its withdrawal and the typed-code check. */
#include "../../services/broker/setupcode.c"
#include "../../services/broker/throttle.c"
#include "ddc_test.h"

#include <sys/stat.h>

//  ---- throttle ------------------------------------------------------------

DDC_TEST (test_throttle_window)
{
    throttle_t *t = throttle_new (8, 5, 300000);
    CHECK (t != NULL);
    int64_t t0 = 1000000;
    for (int i = 0; i < 5; i++)
        CHECK_EQ (throttle_take (t, "10.0.0.1", t0 + i * 1000), 0);
    //  the sixth waits until the first attempt leaves the window
    CHECK_EQ (throttle_take (t, "10.0.0.1", t0 + 6000), 300000 - 6000);
    CHECK_EQ (throttle_take (t, "10.0.0.2", t0 + 6000), 0); //  per key
    CHECK_EQ (throttle_take (t, "10.0.0.1", t0 + 299999), 1);
    //  refused attempts are not counted: the first slides out, one more goes
    CHECK_EQ (throttle_take (t, "10.0.0.1", t0 + 300000), 0);
    CHECK_EQ (throttle_take (t, "10.0.0.1", t0 + 300001), 1000 - 1);
    //  a success forgets the key
    throttle_clear (t, "10.0.0.1");
    CHECK_EQ (throttle_size (t), 1);
    for (int i = 0; i < 5; i++)
        CHECK_EQ (throttle_take (t, "10.0.0.1", t0 + 300002), 0);
    CHECK_EQ (throttle_take (t, "10.0.0.1", t0 + 300002), 300000);
    throttle_clear (t, "nobody"); //  no-op
    CHECK_EQ (throttle_size (t), 2);
    throttle_destroy (&t);
    CHECK (t == NULL);
    throttle_destroy (&t);
}

DDC_TEST (test_throttle_bounded)
{
    throttle_t *t = throttle_new (8, 2, 60000);
    char key [THROTTLE_KEY_MAX];
    size_t bytes = 0;
    for (int i = 0; i < 100; i++) {
        if (i == 8)
            bytes = throttle_bytes (t); //  full: it grows no more

        snprintf (key, sizeof (key), "192.168.0.%d", i);
        CHECK_EQ (throttle_take (t, key, 1000 + i), 0);
        CHECK_EQ (throttle_take (t, key, 1000 + i), 0);
        //  one key is refused all along: it is never the oldest
        CHECK_EQ ((throttle_take (t, "2001:db8::1", 1000 + i) == 0), (i < 2));
    }
    CHECK_EQ (throttle_size (t), 8);
    CHECK (bytes < 8 * 256 + 1024);
    CHECK_EQ (throttle_bytes (t), bytes);
    CHECK (throttle_take (t, "2001:db8::1", 2000) > 0);   //  remembered
    CHECK (throttle_take (t, "192.168.0.99", 2000) > 0);  //  the newest
    CHECK_EQ (throttle_take (t, "192.168.0.0", 2000), 0); //  forgotten first
    //  the longest key there may be
    memset (key, 'k', sizeof (key) - 1);
    key [sizeof (key) - 1] = '\0';
    CHECK_EQ (throttle_take (t, key, 3000), 0);
    CHECK_EQ (throttle_take (t, key, 3000), 0);
    CHECK_EQ (throttle_take (t, key, 3000), 60000);
    CHECK_EQ (throttle_size (t), 8);
    throttle_destroy (&t);
    //  the broker's table: a few hundred bytes while no one signs in, grown
    //  as addresses come, 4096 addresses in about 0.6 MiB at most (proto 10)
    t = throttle_new (4096, 5, 300000);
    CHECK (throttle_bytes (t) < 1024);
    CHECK_EQ (throttle_take (t, "192.0.2.1", 1000), 0);
    CHECK (throttle_bytes (t) < 4096);
    for (int i = 0; i < 10000; i++) {
        snprintf (key, sizeof (key), "10.0.%d.%d", i / 256, i % 256);
        CHECK_EQ (throttle_take (t, key, 2000 + i), 0);
        if (i == 2000)
            CHECK (throttle_bytes (t) < 400 * 1024);
    }
    CHECK_EQ (throttle_size (t), 4096);
    CHECK (throttle_bytes (t) > 512 * 1024 && throttle_bytes (t) < 640 * 1024);
    //  the oldest went; the newest are all there with their attempt,
    //  each found: its fifth attempt goes, its sixth waits
    CHECK_EQ (throttle_take (t, "192.0.2.1", 20000), 0);
    int refused = 0;
    for (int i = 10000 - 4095; i < 10000; i++) {
        snprintf (key, sizeof (key), "10.0.%d.%d", i / 256, i % 256);
        for (int k = 0; k < 4; k++)
            CHECK_EQ (throttle_take (t, key, 20000), 0);
        refused += throttle_take (t, key, 20000) > 0;
    }
    CHECK_EQ (refused, 4095);
    CHECK_EQ (throttle_size (t), 4096);
    throttle_destroy (&t);
}

//  The table against a plain model: every key's attempt times in a list,
//  the least recently used forgotten past the size.
typedef struct {
    char key [16];
    int64_t times [THROTTLE_LIMIT_MAX];
    int count;
    uint64_t used; //  0 = free
} s_model_t;

#define MODEL_MAX 100 //  the table grows 16, 32, 64, 100 on the way

static int64_t
s_model_take (s_model_t *m, int limit, int64_t window, const char *key, int64_t now, uint64_t tick)
{
    s_model_t *e = NULL, *oldest = NULL, *free_slot = NULL;
    for (int i = 0; i < MODEL_MAX; i++) {
        if (!m [i].used) {
            if (!free_slot)
                free_slot = &m [i];
            continue;
        }
        if (strcmp (m [i].key, key) == 0)
            e = &m [i];
        if (!oldest || m [i].used < oldest->used)
            oldest = &m [i];
    }
    if (!e) {
        e = free_slot ? free_slot : oldest;
        memset (e, 0, sizeof (*e));
        snprintf (e->key, sizeof (e->key), "%s", key);
    }
    e->used = tick;
    int keep = 0;
    for (int i = 0; i < e->count; i++)
        if (now - e->times [i] < window)
            e->times [keep++] = e->times [i];
    e->count = keep;
    if (e->count >= limit)
        return e->times [0] + window - now;
    e->times [e->count++] = now;
    return 0;
}

DDC_TEST (test_throttle_against_model)
{
    const int limit = 3;
    const int64_t window = 500;
    throttle_t *t = throttle_new (MODEL_MAX, limit, window);
    s_model_t model [MODEL_MAX];
    memset (model, 0, sizeof (model));
    srand (42);
    int64_t now = 0;
    for (uint64_t tick = 1; tick <= 200000; tick++) {
        now += rand () % 3;
        char key [16];
        snprintf (key, sizeof (key), "k%d", rand () % 250);
        if (rand () % 10 == 0) {
            throttle_clear (t, key);
            for (int i = 0; i < MODEL_MAX; i++)
                if (model [i].used && strcmp (model [i].key, key) == 0)
                    memset (&model [i], 0, sizeof (model [i]));
            continue;
        }
        int64_t want = s_model_take (model, limit, window, key, now, tick);
        int64_t got = throttle_take (t, key, now);
        if (got != want) {
            fprintf (stderr, "tick %llu key %s: table %lld, model %lld\n",
                     (unsigned long long) tick, key, (long long) got, (long long) want);
            CHECK_EQ (got, want);
            break;
        }
    }
    size_t in_model = 0;
    for (int i = 0; i < MODEL_MAX; i++)
        in_model += model [i].used != 0;
    CHECK_EQ (throttle_size (t), in_model);
    throttle_destroy (&t);
}

//  ---- setup code ----------------------------------------------------------

static char *
s_tempdir (void)
{
    char tmpl [] = "/tmp/ddc-setupcode-XXXXXX";
    char *dir = mkdtemp (tmpl);
    CHECK (dir != NULL);
    return ddc_strdup (dir ? dir : "/nonexistent");
}

static char *
s_file (const char *dir)
{
    char *path = ddc_asprintf ("%s/%s", dir, SETUPCODE_FILE);
    char *data = NULL;
    size_t len = 0;
    if (ddc_read_file (path, 100, &data, &len) < 0)
        data = NULL;
    free (path);
    return data;
}

DDC_TEST (test_setupcode_form_and_match)
{
    CHECK (sodium_init () >= 0);
    char c1 [SETUPCODE_LEN], c2 [SETUPCODE_LEN];
    setupcode_make (c1);
    setupcode_make (c2);
    CHECK (strlen (c1) == 14 && c1 [4] == '-' && c1 [9] == '-');
    CHECK (strcmp (c1, c2) != 0);
    for (int i = 0; c1 [i]; i++)
        CHECK (c1 [i] == '-' || strchr ("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", c1 [i]));
    char *dir = s_tempdir ();
    setupcode_t *sc = setupcode_new (dir);
    CHECK (!setupcode_matches (sc, "")); //  none before the first sync
    CHECK_EQ (setupcode_sync (sc, false), SETUPCODE_MADE);
    const char *code = setupcode_get (sc);
    CHECK (code && strlen (code) == 14);
    CHECK (setupcode_matches (sc, code));
    //  case, dashes and spaces do not matter
    char typed [40];
    int o = 0;
    for (int i = 0; code [i]; i++) {
        if (code [i] == '-') {
            typed [o++] = ' ';
            continue;
        }
        typed [o++] = (char) (code [i] >= 'A' && code [i] <= 'Z' ? code [i] - 'A' + 'a' : code [i]);
    }
    typed [o] = '\0';
    CHECK (setupcode_matches (sc, typed));
    //  anything else does not
    char other [SETUPCODE_LEN];
    memcpy (other, code, sizeof (other));
    other [0] = other [0] == 'A' ? 'B' : 'A';
    CHECK (!setupcode_matches (sc, other));
    CHECK (!setupcode_matches (sc, ""));
    CHECK (!setupcode_matches (sc, NULL));
    char longer [40];
    snprintf (longer, sizeof (longer), "%sA", code);
    CHECK (!setupcode_matches (sc, longer));
    CHECK (!setupcode_matches (sc, code + 1));
    snprintf (longer, sizeof (longer), "%s!", code);
    CHECK (!setupcode_matches (sc, longer));
    memset (longer, 'A', sizeof (longer) - 1);
    longer [sizeof (longer) - 1] = '\0';
    CHECK (!setupcode_matches (sc, longer));
    setupcode_destroy (&sc);
    CHECK (sc == NULL);
    char *cmd = ddc_asprintf ("rm -rf '%s'", dir);
    CHECK_EQ (system (cmd), 0);
    free (cmd);
    free (dir);
}

DDC_TEST (test_setupcode_lifecycle)
{
    char *dir = s_tempdir ();
    char *path = ddc_asprintf ("%s/%s", dir, SETUPCODE_FILE);
    setupcode_t *sc = setupcode_new (dir);
    CHECK_STR (setupcode_path (sc), path);
    CHECK_EQ (setupcode_sync (sc, false), SETUPCODE_MADE);
    char first [SETUPCODE_LEN];
    snprintf (first, sizeof (first), "%s", setupcode_get (sc));
    //  in the file, one line, mode 0600
    char *data = s_file (dir);
    CHECK (data && strlen (data) == 15 && strncmp (data, first, 14) == 0 && data [14] == '\n');
    free (data);
    struct stat st;
    CHECK (stat (path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK_EQ (setupcode_sync (sc, false), SETUPCODE_KEPT);
    setupcode_destroy (&sc);

    //  a restart keeps it (and the file's mode)
    chmod (path, 0644);
    sc = setupcode_new (dir);
    CHECK_EQ (setupcode_sync (sc, false), SETUPCODE_LOADED);
    CHECK_STR (setupcode_get (sc), first);
    CHECK (stat (path, &st) == 0 && (st.st_mode & 0777) == 0600);

    //  a password is set: the code is used up, its file gone
    CHECK_EQ (setupcode_sync (sc, true), SETUPCODE_WITHDRAWN);
    CHECK (setupcode_get (sc) == NULL);
    CHECK (!setupcode_matches (sc, first));
    CHECK (access (path, F_OK) != 0);
    CHECK_EQ (setupcode_sync (sc, true), SETUPCODE_KEPT);

    //  the password is removed: a new code
    CHECK_EQ (setupcode_sync (sc, false), SETUPCODE_MADE);
    CHECK (strcmp (setupcode_get (sc), first) != 0);
    CHECK (!setupcode_matches (sc, first));
    setupcode_destroy (&sc);

    //  a start with a password set removes a stale file
    sc = setupcode_new (dir);
    CHECK_EQ (setupcode_sync (sc, true), SETUPCODE_WITHDRAWN);
    CHECK (access (path, F_OK) != 0);
    setupcode_destroy (&sc);

    //  a damaged file is replaced by a new code
    const char *bad [] = { "",
                           "ABCD-EFGH-JKL\n",
                           "abcd-efgh-jkmn\n",
                           "ABCD-EFGH-JKLM-\n",
                           "ABCD EFGH JKLM\n",
                           "ABCD-EFGH-JKL1\n" };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++) {
        CHECK_EQ (ddc_write_file_atomic (path, bad [i], strlen (bad [i]), 0600), 0);
        sc = setupcode_new (dir);
        CHECK_EQ (setupcode_sync (sc, false), SETUPCODE_MADE);
        CHECK (!setupcode_matches (sc, bad [i]));
        setupcode_destroy (&sc);
    }
    //  a file the broker cannot write: the code lives in memory
    char *gone = ddc_asprintf ("%s/missing", dir);
    sc = setupcode_new (gone);
    CHECK_EQ (setupcode_sync (sc, false), SETUPCODE_UNWRITTEN);
    CHECK (setupcode_get (sc) && setupcode_matches (sc, setupcode_get (sc)));
    setupcode_destroy (&sc);
    free (gone);

    char *cmd = ddc_asprintf ("rm -rf '%s'", dir);
    CHECK_EQ (system (cmd), 0);
    free (cmd);
    free (path);
    free (dir);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_throttle_window);
    DDC_RUN (test_throttle_bounded);
    DDC_RUN (test_throttle_against_model);
    DDC_RUN (test_setupcode_form_and_match);
    DDC_RUN (test_setupcode_lifecycle);
    DDC_DONE ();
}
