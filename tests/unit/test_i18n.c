/*  Unit tests of the locale catalogue (services/lib/ddc_i18n.c,
    ddc_locale.c): every language compiled in has every English key, no
    other key, no key twice, and the same placeholders and HTML tags as
    English (the problems are listed one a line, file and key, so a
    translator sees what to add); lookups and their fallbacks; {0}
    formatting; the matching of Discord locales and Accept-Language; the
    compiled-in texts, a mapping of their own, none of whose pages stays
    in the process once a language is parsed. */
#include "ddc_i18n.h"
#include "ddc_test.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static ddc_i18n_t *
s_catalogue (void)
{
    ddc_i18n_t *cat = ddc_i18n_new ();
    char err [200] = "";
    if (ddc_i18n_load_builtin (cat, err, sizeof (err)) < 0)
        fprintf (stderr, "%s\n", err);
    return cat;
}

DDC_TEST (test_every_language_is_complete)
{
    //  every file loads (the reason shown when not)
    for (int l = 0; l < DDC_LANGS; l++) {
        ddc_i18n_t *one = ddc_i18n_new ();
        char err [200] = "";
        const char *json = ddc_locale_source (l);
        int rc = ddc_i18n_load (one, l, json, strlen (json), err, sizeof (err));
        if (rc < 0)
            fprintf (stderr, "services/locale/%s.json: %s\n", ddc_i18n_codes [l], err);
        CHECK_EQ (rc, 0);
        ddc_i18n_destroy (&one);
    }
    ddc_i18n_t *cat = s_catalogue ();
    CHECK (cJSON_GetArraySize (ddc_i18n_table (cat, DDC_LANG_en)) > 500);
    size_t problems = 0;
    for (int l = 0; l < DDC_LANGS; l++) {
        CHECK (ddc_i18n_table (cat, l) != NULL);
        problems += ddc_i18n_check (cat, l, stderr);
    }
    if (problems)
        fprintf (stderr, "%zu problems in services/locale (see above)\n", problems);
    CHECK_EQ (problems, 0);
    //  every code and name is set, and the codes are distinct
    for (int l = 0; l < DDC_LANGS; l++) {
        CHECK (ddc_i18n_codes [l] && *ddc_i18n_codes [l] && ddc_i18n_names [l]);
        CHECK_EQ (ddc_i18n_index (ddc_i18n_codes [l]), l);
        CHECK (ddc_locale_source (l) != NULL);
    }
    CHECK (ddc_i18n_codes [DDC_LANGS] == NULL && ddc_locale_source (DDC_LANGS) == NULL);
    ddc_i18n_destroy (&cat);
}

//  The compiled-in catalogue parses English at once and another language
//  only when a lookup or a table asks for it; a text that does not load
//  leaves its language English.
static const char *
s_broken_source (int lang)
{
    return lang == DDC_LANG_en ? "{\"k\":\"K\"}" : lang == DDC_LANG_de ? "{\"k\":1}" : NULL;
}

static const char *
s_no_english (int lang)
{
    return lang == DDC_LANG_en ? "[]" : "{}";
}

DDC_TEST (test_languages_load_on_first_use)
{
    ddc_i18n_t *cat = s_catalogue ();
    CHECK (ddc_i18n_loaded (cat, DDC_LANG_en));
    for (int l = 1; l < DDC_LANGS; l++)
        CHECK (!ddc_i18n_loaded (cat, l));
    const ddc_i18n_t *ro = cat;
    CHECK_STR (ddc_i18n_get (ro, DDC_LANG_de, "nav.history"), "Verlauf");
    CHECK (ddc_i18n_loaded (cat, DDC_LANG_de));
    CHECK (!ddc_i18n_loaded (cat, DDC_LANG_fr));
    CHECK (ddc_i18n_table (ro, DDC_LANG_fr) != NULL);
    CHECK (ddc_i18n_loaded (cat, DDC_LANG_fr));
    CHECK (!ddc_i18n_loaded (cat, DDC_LANG_ru));
    //  a language dropped again loads on its next use; English stays
    ddc_i18n_unload (cat, DDC_LANG_de);
    ddc_i18n_unload (cat, DDC_LANG_en);
    ddc_i18n_unload (cat, -1);
    ddc_i18n_unload (cat, DDC_LANGS);
    CHECK (!ddc_i18n_loaded (cat, DDC_LANG_de) && ddc_i18n_loaded (cat, DDC_LANG_fr));
    CHECK (ddc_i18n_loaded (cat, DDC_LANG_en));
    CHECK_STR (ddc_i18n_get (ro, DDC_LANG_de, "nav.history"), "Verlauf");
    CHECK (ddc_i18n_loaded (cat, DDC_LANG_de));
    ddc_i18n_destroy (&cat);

    char err [200] = "";
    cat = ddc_i18n_new ();
    CHECK_EQ (ddc_i18n_use_source (cat, s_broken_source, NULL, err, sizeof (err)), 0);
    CHECK_STR (ddc_i18n_get (cat, DDC_LANG_de, "k"), "K");
    CHECK_STR (ddc_i18n_get (cat, DDC_LANG_fr, "k"), "K");
    CHECK (!ddc_i18n_loaded (cat, DDC_LANG_de) && !ddc_i18n_loaded (cat, DDC_LANG_fr));
    CHECK (ddc_i18n_table (cat, DDC_LANG_de) == NULL);
    CHECK_EQ (ddc_i18n_check (cat, DDC_LANG_de, NULL), 1);
    //  without a usable English nothing is taken
    CHECK_EQ (ddc_i18n_use_source (cat, s_no_english, NULL, err, sizeof (err)), -1);
    CHECK (strstr (err, "not a JSON object") != NULL);
    CHECK_STR (ddc_i18n_get (cat, DDC_LANG_en, "k"), "K");
    ddc_i18n_destroy (&cat);
}

DDC_TEST (test_check_reports_problems)
{
    ddc_i18n_t *cat = ddc_i18n_new ();
    char err [200];
    const char *en = "{\"a\":\"A {0}\",\"b\":\"<code>B</code>\",\"c\":\"C\",\"d\":\"D\","
                     "\"w\":\"/info <container>\"}";
    const char *de = "{\"a\":\"A\",\"b\":\"B\",\"c\":\"C\",\"c\":\"C2\",\"x\":\"X\","
                     "\"w\":\"/info <\u5bb9\u5668>\"}";
    CHECK_EQ (ddc_i18n_load (cat, DDC_LANG_en, en, strlen (en), err, sizeof (err)), 0);
    CHECK_EQ (ddc_i18n_load (cat, DDC_LANG_de, de, strlen (de), err, sizeof (err)), 0);
    CHECK_EQ (ddc_i18n_check (cat, DDC_LANG_en, NULL), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&text, &len);
    //  a: placeholder gone, b: tags gone, c: twice, d: missing, x: extra;
    //  w: "<container>" is a word, not a tag
    CHECK_EQ (ddc_i18n_check (cat, DDC_LANG_de, out), 5);
    fclose (out);
    CHECK (strstr (text, "de.json lacks \"d\" (English: \"D\")") != NULL);
    CHECK (strstr (text, "de.json \"a\": other placeholders") != NULL);
    CHECK (strstr (text, "de.json \"b\": other HTML tags") != NULL);
    CHECK (strstr (text, "de.json has \"c\" twice") != NULL);
    CHECK (strstr (text, "de.json has \"x\", which en.json lacks") != NULL);
    free (text);
    ddc_i18n_destroy (&cat);
}

DDC_TEST (test_lookup_and_fallbacks)
{
    ddc_i18n_t *cat = s_catalogue ();
    CHECK_STR (ddc_i18n_get (cat, DDC_LANG_de, "nav.history"), "Verlauf");
    CHECK_STR (ddc_i18n_get (cat, DDC_LANG_en, "nav.history"), "History");
    CHECK_STR (ddc_i18n_get (cat, -1, "nav.history"), "History");
    CHECK_STR (ddc_i18n_get (cat, DDC_LANGS, "nav.history"), "History");
    CHECK_STR (ddc_i18n_get (cat, DDC_LANG_de, "no.such.key"), "no.such.key");
    CHECK_STR (ddc_i18n_get (cat, DDC_LANG_de, NULL), "");
    CHECK (ddc_i18n_find (cat, DDC_LANG_de, "no.such.key") == NULL);
    //  every key of every language is found through the hash table
    for (int l = 0; l < DDC_LANGS; l++) {
        const cJSON *each;
        cJSON_ArrayForEach (each, ddc_i18n_table (cat, l))
            CHECK (ddc_i18n_get (cat, l, each->string) == each->valuestring);
    }
    //  a key only English has is English in every language
    char err [200];
    const char *en = "{\"only\":\"in English\"}", *de = "{}";
    ddc_i18n_t *small = ddc_i18n_new ();
    CHECK_EQ (ddc_i18n_load (small, DDC_LANG_en, en, strlen (en), err, sizeof (err)), 0);
    CHECK_EQ (ddc_i18n_load (small, DDC_LANG_de, de, strlen (de), err, sizeof (err)), 0);
    CHECK_STR (ddc_i18n_get (small, DDC_LANG_de, "only"), "in English");
    //  refused loads keep the table
    CHECK_EQ (ddc_i18n_load (small, DDC_LANG_en, "[]", 2, err, sizeof (err)), -1);
    CHECK_EQ (ddc_i18n_load (small, DDC_LANG_en, "{\"a\": 1}", 8, err, sizeof (err)), -1);
    CHECK (strstr (err, "not a string") != NULL);
    CHECK_EQ (ddc_i18n_load (small, DDC_LANG_en, "{", 1, err, sizeof (err)), -1);
    CHECK_EQ (ddc_i18n_load (small, DDC_LANGS, "{}", 2, err, sizeof (err)), -1);
    CHECK_STR (ddc_i18n_get (small, DDC_LANG_en, "only"), "in English");
    ddc_i18n_destroy (&small);
    ddc_i18n_destroy (&cat);
    ddc_i18n_destroy (&cat); //  a second destroy is a no-op
}

DDC_TEST (test_format)
{
    ddc_i18n_t *cat = ddc_i18n_new ();
    char err [200], buf [64];
    const char *en = "{\"k\":\"{1} and {0}, {2}!\",\"u\":\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\"}";
    CHECK_EQ (ddc_i18n_load (cat, DDC_LANG_en, en, strlen (en), err, sizeof (err)), 0);
    const char *args [] = { "a", "b" };
    CHECK_STR (ddc_i18n_fmt (cat, buf, sizeof (buf), DDC_LANG_de, "k", args, 2), "b and a, !");
    CHECK_STR (ddc_i18n_fmt (cat, buf, 6, DDC_LANG_en, "k", args, 2), "b and");
    //  never cut inside a UTF-8 sequence
    CHECK_STR (ddc_i18n_fmt (cat, buf, 6, DDC_LANG_en, "u", NULL, 0), "\xC3\xA9\xC3\xA9");
    CHECK_STR (ddc_i18n_fmt (cat, buf, sizeof (buf), DDC_LANG_en, "none", NULL, 0), "none");
    ddc_i18n_destroy (&cat);
}

DDC_TEST (test_language_matching)
{
    CHECK_EQ (ddc_i18n_index ("de"), DDC_LANG_de);
    CHECK_EQ (ddc_i18n_index ("DE"), -1);
    CHECK_EQ (ddc_i18n_index (NULL), -1);
    CHECK_EQ (ddc_i18n_match ("de"), DDC_LANG_de);
    CHECK_EQ (ddc_i18n_match ("de-AT"), DDC_LANG_de);
    CHECK_EQ (ddc_i18n_match ("DE_ch"), DDC_LANG_de);
    CHECK_EQ (ddc_i18n_match ("en-US"), DDC_LANG_en);
    CHECK_EQ (ddc_i18n_match ("en-GB"), DDC_LANG_en);
    //  Discord's locales of the catalogue's languages
    CHECK_EQ (ddc_i18n_match ("fr"), DDC_LANG_fr);
    CHECK_EQ (ddc_i18n_match ("es-ES"), DDC_LANG_es);
    CHECK_EQ (ddc_i18n_match ("es-419"), DDC_LANG_es);
    CHECK_EQ (ddc_i18n_match ("it"), DDC_LANG_it);
    CHECK_EQ (ddc_i18n_match ("nl"), DDC_LANG_nl);
    CHECK_EQ (ddc_i18n_match ("pl"), DDC_LANG_pl);
    CHECK_EQ (ddc_i18n_match ("pt-BR"), DDC_LANG_pt_BR);
    CHECK_EQ (ddc_i18n_match ("pt-PT"), DDC_LANG_pt_BR);
    CHECK_EQ (ddc_i18n_match ("ru"), DDC_LANG_ru);
    CHECK_EQ (ddc_i18n_match ("sv-SE"), DDC_LANG_sv);
    CHECK_EQ (ddc_i18n_match ("tr"), DDC_LANG_tr);
    CHECK_EQ (ddc_i18n_match ("zh-CN"), DDC_LANG_zh_CN);
    CHECK_EQ (ddc_i18n_match ("zh-TW"), DDC_LANG_zh_CN);
    CHECK_EQ (ddc_i18n_match ("ja"), -1);
    CHECK_EQ (ddc_i18n_match ("xx"), -1);
    CHECK_EQ (ddc_i18n_match ("-de"), -1);
    CHECK_EQ (ddc_i18n_match (""), -1);
    CHECK_EQ (ddc_i18n_match ("d"), -1);
    CHECK_EQ (ddc_i18n_match (NULL), -1);
    CHECK_EQ (ddc_i18n_accept ("de-DE,de;q=0.9,en;q=0.8"), DDC_LANG_de);
    CHECK_EQ (ddc_i18n_accept ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"), DDC_LANG_fr);
    CHECK_EQ (ddc_i18n_accept ("ja, zh-CN;q=0.8, en;q=0.6"), DDC_LANG_zh_CN);
    CHECK_EQ (ddc_i18n_accept ("xx, en;q=0.5, de;q=0.7"), DDC_LANG_de);
    CHECK_EQ (ddc_i18n_accept ("de;q=0, en;q=0.1"), DDC_LANG_en);
    CHECK_EQ (ddc_i18n_accept ("de;q=0"), -1);
    CHECK_EQ (ddc_i18n_accept ("*"), -1);
    CHECK_EQ (ddc_i18n_accept (""), -1);
    CHECK_EQ (ddc_i18n_accept (NULL), -1);
    CHECK_EQ (ddc_i18n_accept (" ,;;q=,de ; q=0.3"), DDC_LANG_de);
}

//  How many pages of [from, to) are in the process (/proc/self/pagemap:
//  bit 63 of each page's entry), or -1 when it cannot be read.
static long
s_present (uintptr_t from, uintptr_t to)
{
    long page = sysconf (_SC_PAGESIZE);
    int fd = open ("/proc/self/pagemap", O_RDONLY);
    if (fd < 0)
        return -1;
    long n = 0;
    for (uintptr_t p = from; p < to; p += (uintptr_t) page) {
        uint64_t entry = 0;
        off_t at = (off_t) (p / (uintptr_t) page * sizeof (entry));
        if (pread (fd, &entry, sizeof (entry), at) != (ssize_t) sizeof (entry)) {
            close (fd);
            return -1;
        }
        n += (entry >> 63) & 1;
    }
    close (fd);
    return n;
}

//  Whether a line of /proc/self/maps starts at from and ends at or after
//  to: the texts are a mapping of their own, from their first page.
static bool
s_own_mapping (uintptr_t from, uintptr_t to)
{
    FILE *f = fopen ("/proc/self/maps", "r");
    if (!f)
        return false;
    bool found = false;
    unsigned long long lo, hi;
    char line [512];
    while (!found && fgets (line, sizeof (line), f))
        if (sscanf (line, "%llx-%llx", &lo, &hi) == 2 && lo == from && hi >= to)
            found = true;
    fclose (f);
    return found;
}

DDC_TEST (test_parsed_texts_leave_no_page_behind)
{
    long page = sysconf (_SC_PAGESIZE);
    uintptr_t from = (uintptr_t) ddc_locale_source (DDC_LANG_en);
    const char *last = ddc_locale_source (DDC_LANGS - 1);
    uintptr_t to = (uintptr_t) last + strlen (last) + 1;
    to = (to + (uintptr_t) page - 1) / (uintptr_t) page * (uintptr_t) page;
    CHECK_EQ (from % (uintptr_t) page, (uintptr_t) 0);
    ddc_i18n_t *cat = s_catalogue ();
    CHECK (s_own_mapping (from, to));
    CHECK_EQ (s_present (from, to), 0L);
    //  a language parsed later: its pages and its neighbours' go again
    CHECK_STR (ddc_i18n_get (cat, DDC_LANG_fr, "nav.history"), "Historique");
    CHECK (ddc_i18n_loaded (cat, DDC_LANG_fr));
    CHECK_EQ (s_present (from, to), 0L);
    //  read again from the program file when asked for
    CHECK (strncmp (ddc_locale_source (DDC_LANG_de), "{", 1) == 0);
    CHECK (s_present (from, to) > 0);
    ddc_i18n_destroy (&cat);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_every_language_is_complete);
    DDC_RUN (test_languages_load_on_first_use);
    DDC_RUN (test_parsed_texts_leave_no_page_behind);
    DDC_RUN (test_check_reports_problems);
    DDC_RUN (test_lookup_and_fallbacks);
    DDC_RUN (test_format);
    DDC_RUN (test_language_matching);
    DDC_DONE ();
}
