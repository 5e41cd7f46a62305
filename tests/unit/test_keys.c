/*  Unit tests of the shared member names (services/lib/ddc_keys.c): a
    tree's names point into the pool and read as before, cJSON's copies,
    deletes and replacements keep working on such trees, long names and
    names past the pool's bound stay the tree's own. */
#include "ddc_keys.h"
#include "ddc_test.h"
#include "ddc_test_json.h"

#include <stdio.h>
#include <string.h>

static bool
s_shared (const cJSON *item)
{
    return item && (item->type & cJSON_StringIsConst);
}

DDC_TEST (test_shared_names)
{
    cJSON *a = ddc_test_json ("[{'host':'nas','name':'plex','alerts':{'crash':true}},"
                              " {'host':'box','name':'web'}]");
    cJSON *b = ddc_test_json ("{'host':'x','deep':[[{'name':'n'}]]}");
    ddc_keys_share (a);
    ddc_keys_share (b);
    const cJSON *a0 = cJSON_GetArrayItem (a, 0), *a1 = cJSON_GetArrayItem (a, 1);
    //  the names read as before, and one copy serves both trees
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (a0, "host")), "nas");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (a1, "name")), "web");
    CHECK (s_shared (cJSON_GetObjectItem (a0, "host")));
    CHECK (cJSON_GetObjectItem (a0, "host")->string == cJSON_GetObjectItem (a1, "host")->string);
    CHECK (cJSON_GetObjectItem (a0, "host")->string == cJSON_GetObjectItem (b, "host")->string);
    const cJSON *deep =
        cJSON_GetArrayItem (cJSON_GetArrayItem (cJSON_GetObjectItem (b, "deep"), 0), 0);
    CHECK (cJSON_GetObjectItem (deep, "name")->string == cJSON_GetObjectItem (a0, "name")->string);
    CHECK (s_shared (cJSON_GetObjectItem (cJSON_GetObjectItem (a0, "alerts"), "crash")));
    //  the value is the same JSON
    char *text = cJSON_PrintUnformatted (a);
    CHECK_STR (text, "[{\"host\":\"nas\",\"name\":\"plex\",\"alerts\":{\"crash\":true}},"
                     "{\"host\":\"box\",\"name\":\"web\"}]");
    free (text);
    size_t count = ddc_keys_count ();
    ddc_keys_share (a); //  again: nothing new
    CHECK_EQ (ddc_keys_count (), count);

    //  a copy shares them; deleting either leaves the other whole
    cJSON *copy = cJSON_Duplicate (a, 1);
    CHECK (s_shared (cJSON_GetObjectItem (cJSON_GetArrayItem (copy, 0), "host")));
    CHECK (cJSON_Compare (a, copy, 1));
    cJSON_Delete (a);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (copy, 1), "host")),
               "box");
    //  replaced, detached, added again under another name: each as cJSON
    //  does it (the new names are the tree's own)
    cJSON *e = cJSON_GetArrayItem (copy, 0);
    cJSON_ReplaceItemInObjectCaseSensitive (e, "host", cJSON_CreateString ("pi"));
    CHECK (!s_shared (cJSON_GetObjectItem (e, "host")));
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (e, "host")), "pi");
    cJSON *name = cJSON_DetachItemFromObjectCaseSensitive (e, "name");
    cJSON_AddItemToObject (e, "renamed", name);
    CHECK (!s_shared (name));
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (e, "renamed")), "plex");
    cJSON_DeleteItemFromObjectCaseSensitive (e, "alerts");
    cJSON_Delete (copy);
    cJSON_Delete (b);
    ddc_keys_share (NULL);
}

DDC_TEST (test_bounds)
{
    //  a name of DDC_KEYS_LEN bytes or more stays the tree's own
    char longname [DDC_KEYS_LEN + 1];
    memset (longname, 'k', DDC_KEYS_LEN);
    longname [DDC_KEYS_LEN] = '\0';
    cJSON *o = cJSON_CreateObject ();
    cJSON_AddTrueToObject (o, longname);
    cJSON_AddTrueToObject (o, "short");
    ddc_keys_share (o);
    CHECK (!s_shared (cJSON_GetObjectItem (o, longname)));
    CHECK (s_shared (cJSON_GetObjectItem (o, "short")));
    cJSON_Delete (o);
    //  the pool fills up to DDC_KEYS_MAX names, then names stay their own
    o = cJSON_CreateObject ();
    for (int i = 0; i < DDC_KEYS_MAX + 10; i++) {
        char key [32];
        snprintf (key, sizeof (key), "key-%d", i);
        cJSON_AddNumberToObject (o, key, i);
    }
    ddc_keys_share (o);
    CHECK_EQ (ddc_keys_count (), DDC_KEYS_MAX); //  "short" and 4095 of these
    int own = 0;
    const cJSON *each;
    cJSON_ArrayForEach (each, o)
        own += !s_shared (each);
    CHECK (own >= 10);
    CHECK_EQ (cJSON_GetNumberValue (cJSON_GetObjectItem (o, "key-4100")), 4100);
    //  names already in the pool are still shared
    cJSON *again = ddc_test_json ("{'short':1,'key-7':2,'other':3}");
    ddc_keys_share (again);
    CHECK (s_shared (cJSON_GetObjectItem (again, "short")));
    CHECK (s_shared (cJSON_GetObjectItem (again, "key-7")));
    CHECK (!s_shared (cJSON_GetObjectItem (again, "other")));
    cJSON_Delete (again);
    cJSON_Delete (o);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_shared_names);
    DDC_RUN (test_bounds);
    DDC_DONE ();
}
