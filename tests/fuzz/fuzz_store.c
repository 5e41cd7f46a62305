/*  libFuzzer target for the broker's store (services/broker/store.c):
    loading DATA/config.json and DATA/history.jsonl as found on disk, and
    a hand edit of config.json while it runs. The input is up to four
    parts separated by 0x1e: config.json (also as config.last-good.json
    when it starts with '{' and the second part is empty: the copy to start
    from), history.jsonl, the hand-edited config.json, config.journal (the
    saves a crash may have kept from config.json). Whatever the bytes,
    the store opens or refuses with a reason, its history stays within its
    bounds, an opened store has taken its journal (emptied), and a hand edit is taken or refused as a whole: a refused one
    is moved aside at the second look and config.json is the store's own
    again. Files live in a tmpfs folder. */
#include "../../services/broker/store.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <czmq.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir [64];

static void
s_put (const char *name, const uint8_t *data, size_t size)
{
    char path [128];
    snprintf (path, sizeof (path), "%s/%s", s_dir, name);
    if (!data) {
        unlink (path);
        return;
    }
    FILE *f = fopen (path, "wb");
    if (!f)
        abort ();
    if (size)
        fwrite (data, 1, size, f);
    fclose (f);
}

//  Remove every file of the folder (the store's copies and refused edits).
static void
s_clear (void)
{
    DIR *dir = opendir (s_dir);
    struct dirent *de;
    while (dir && (de = readdir (dir))) {
        char path [400];
        snprintf (path, sizeof (path), "%s/%s", s_dir, de->d_name);
        if (de->d_name [0] != '.')
            unlink (path);
    }
    if (dir)
        closedir (dir);
}

static void
s_cleanup (void)
{
    s_clear ();
    rmdir (s_dir);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_dir [0]) {
        ddc_log_init ("fuzz_store");
        ddc_log_set_level (DDC_LOG_ERROR + 1);
        snprintf (s_dir, sizeof (s_dir), "/dev/shm/ddc-fuzz-store-%d", (int) getpid ());
        atexit (s_cleanup);
    }
    const uint8_t *part [4] = { NULL, NULL, NULL, NULL };
    size_t len [4] = { 0, 0, 0, 0 };
    const uint8_t *p = data, *end = data + size;
    for (int i = 0; i < 4 && p <= end; i++) {
        const uint8_t *sep = i < 3 ? memchr (p, 0x1e, (size_t) (end - p)) : NULL;
        part [i] = p;
        len [i] = (size_t) ((sep ? sep : end) - p);
        if (!sep)
            break;
        p = sep + 1;
    }
    zsys_dir_create ("%s", s_dir);
    s_put ("config.json", part [0], len [0]);
    if (part [0] && len [0] && part [0][0] == '{' && part [1] && len [1] == 0)
        s_put ("config.last-good.json", part [0], len [0]);
    s_put ("history.jsonl", part [1], len [1]);
    s_put ("audit.log", NULL, 0);
    s_put ("config.journal", part [3], len [3]);
    char err [512];
    store_t *store = store_new (s_dir, err, sizeof (err));
    if (store) {
        char jpath [128];
        snprintf (jpath, sizeof (jpath), "%s/config.journal", s_dir);
        FILE *jf = fopen (jpath, "rb");
        int first = jf ? fgetc (jf) : EOF;
        if (jf)
            fclose (jf);
        if (!jf || (first != EOF && first != 0))
            abort (); //  taken at start (zeros): config.json holds it
        cJSON *all = store_history (store, -1);
        if (cJSON_GetArraySize (all) > STORE_HISTORY_MAX)
            abort ();
        const cJSON *e;
        cJSON_ArrayForEach (e, all) {
            bool gone;
            const cJSON *rev = cJSON_GetObjectItemCaseSensitive (e, "rev");
            cJSON *one =
                store_history_entry (store, -1, (uint64_t) cJSON_GetNumberValue (rev), &gone);
            if (!one)
                abort (); //  a listed entry has its value
            cJSON_Delete (one);
        }
        cJSON_Delete (all);
        if (part [2]) {
            uint64_t before = store_rev (store);
            usleep (1000); //  another mtime than the store's own write
            s_put ("config.json", part [2], len [2]);
            store_change_t changes [DDC_SEC_COUNT];
            memset (changes, 0, sizeof (changes));
            int n = store_poll_file (store, changes);
            if (n > 0 && store_rev (store) != before + (uint64_t) n)
                abort (); //  one revision per changed section
            for (int i = 0; i < n; i++)
                store_change_free (&changes [i]);
            if (n < 0) {
                //  refused: moved aside at the second look, then ours again
                before = store_rev (store);
                if (store_poll_file (store, changes) != -1 || store_rev (store) != before
                    || store_poll_file (store, changes) != 0)
                    abort ();
            }
        }
        store_destroy (&store);
    }
    s_clear ();
    return 0;
}
