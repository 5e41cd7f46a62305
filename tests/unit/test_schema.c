/*  Unit tests of the schema walker (services/lib/ddc_schema.c) over tables
    made here, one flag or rule at a time, and of the section tables' own
    facts: labels, secrets, typed reads and the defaults they give. */
#include "ddc_config.h"
#include "ddc_schema.h"
#include "ddc_test.h"
#include "ddc_test_json.h"

static const char *const s_colours [] = { "red", "green", "blue", NULL };
static const char *const s_red [] = { "red", NULL };

static bool
s_short (const char *s)
{
    return strlen (s) <= 3;
}

static const ddc_field_t s_inner [] = { { .key = "on", .type = DDC_T_BOOL, .def = true },
                                        { .key = NULL } };
static const ddc_table_t s_inner_table = { .name = "inner", .fields = s_inner };

//  A row of every type and flag.
static const ddc_field_t s_row [] = {
    { .key = "id",
      .type = DDC_T_STR,
      .flags = DDC_F_REQUIRED | DDC_F_UNIQUE,
      .max = 8,
      .ok = s_short,
      .bad = "must be at most 3 bytes." },
    { .key = "name", .type = DDC_T_STR, .flags = DDC_F_NONEMPTY, .max = 5, .def_str = "anon" },
    { .key = "size", .type = DDC_T_INT, .min = 1, .max = 10, .def = 4 },
    { .key = "count", .type = DDC_T_INT, .flags = DDC_F_OMIT, .min = 0, .max = 3 },
    { .key = "colour", .type = DDC_T_ENUM, .def_str = "red", .values = s_colours },
    { .key = "paints",
      .type = DDC_T_SET,
      .flags = DDC_F_NONEMPTY,
      .values = s_colours,
      .def_set = s_red,
      .noun = "colours" },
    { .key = "inner", .type = DDC_T_OBJ, .sub = &s_inner_table },
    { .key = "pin", .type = DDC_T_STR, .flags = DDC_F_SECRET, .max = 10, .def_str = "" },
    { .key = NULL }
};

static int s_after_calls;

static void
s_after (ddc_walk_t *walk, const cJSON *value, const char *path)
{
    s_after_calls++;
    if (cJSON_GetArraySize (value) > 2)
        ddc_walk_error (walk, path, "conflict", "no more than two here");
}

static const ddc_table_t s_object = { .name = "thing", .fields = s_row };
static const ddc_table_t s_list = {
    .name = "things", .fields = s_row, .list = true, .max_rows = 3, .noun = "Thing", .after = s_after
};

//  Walk text against t; the normalised text (caller frees) or NULL, the
//  errors in *errors_p (caller deletes).
static char *
s_walk (const ddc_table_t *t, const char *text, cJSON **errors_p)
{
    cJSON *value = ddc_test_json (text);
    cJSON *errors = cJSON_CreateArray ();
    ddc_walk_t walk = { errors, 0, NULL, NULL };
    cJSON *out = ddc_schema_walk (&walk, t, value, t->name);
    CHECK_EQ (walk.count, cJSON_GetArraySize (errors));
    char *printed = out ? cJSON_PrintUnformatted (out) : NULL;
    cJSON_Delete (out);
    cJSON_Delete (value);
    *errors_p = errors;
    return printed;
}

//  True if errors holds exactly one error, at field with reason.
static bool
s_one (const cJSON *errors, const char *field, const char *reason)
{
    const cJSON *e = cJSON_GetArrayItem (errors, 0);
    const char *f = cJSON_GetStringValue (cJSON_GetObjectItem (e, "field"));
    const char *r = cJSON_GetStringValue (cJSON_GetObjectItem (e, "reason"));
    if (cJSON_GetArraySize (errors) == 1 && f && r && strcmp (f, field) == 0
        && strcmp (r, reason) == 0)
        return true;
    char *text = cJSON_PrintUnformatted (errors);
    fprintf (stderr, "wanted %s %s, got %s\n", field, reason, text);
    free (text);
    return false;
}

//  The object text gives exactly one error at field with reason.
static bool
s_refused (const ddc_table_t *t, const char *text, const char *field, const char *reason)
{
    cJSON *errors;
    char *out = s_walk (t, text, &errors);
    bool ok = !out && s_one (errors, field, reason);
    free (out);
    cJSON_Delete (errors);
    return ok;
}

DDC_TEST (test_defaults_and_order)
{
    cJSON *errors;
    char *out = s_walk (&s_object, "{'id': 'a'}", &errors);
    CHECK_STR (out, "{\"id\":\"a\",\"name\":\"anon\",\"size\":4,\"colour\":\"red\","
                    "\"paints\":[\"red\"],\"inner\":{\"on\":true},\"pin\":\"\"}");
    free (out);
    cJSON_Delete (errors);
    //  keys in table order whatever the input's order; OMIT kept when given
    out = s_walk (&s_object, "{'pin': 'x', 'count': 2, 'inner': {'on': false}, 'id': 'b'}", &errors);
    CHECK_STR (out, "{\"id\":\"b\",\"name\":\"anon\",\"size\":4,\"count\":2,\"colour\":\"red\","
                    "\"paints\":[\"red\"],\"inner\":{\"on\":false},\"pin\":\"x\"}");
    free (out);
    cJSON_Delete (errors);
}

DDC_TEST (test_required)
{
    CHECK (s_refused (&s_object, "{}", "thing.id", "required"));
    CHECK (s_refused (&s_object, "{'id': ''}", "thing.id", "required"));
}

DDC_TEST (test_nonempty)
{
    //  optional text: absent gives the default, empty is refused
    CHECK (s_refused (&s_object, "{'id': 'a', 'name': ''}", "thing.name", "invalid"));
    //  a set: at least one entry
    CHECK (s_refused (&s_object, "{'id': 'a', 'paints': []}", "thing.paints", "required"));
}

DDC_TEST (test_limits)
{
    CHECK (s_refused (&s_object, "{'id': 'a', 'name': 'toolong'}", "thing.name", "too_long"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'size': 0}", "thing.size", "out_of_range"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'size': 11}", "thing.size", "out_of_range"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'size': 2.5}", "thing.size", "invalid"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'size': '3'}", "thing.size", "type"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'count': 4}", "thing.count", "out_of_range"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'colour': 'pink'}", "thing.colour", "not_supported"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'paints': ['red', 'red']}", "thing.paints[1]",
                      "duplicate"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'paints': ['pink']}", "thing.paints[0]",
                      "not_supported"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'inner': {'on': 1}}", "thing.inner.on", "type"));
    CHECK (s_refused (&s_object, "{'id': 'a', 'inner': {'off': true}}", "thing.inner.off",
                      "unknown_field"));
    //  the row's format check, with its message after the key
    cJSON *errors;
    char *out = s_walk (&s_object, "{'id': 'abcd'}", &errors);
    CHECK (!out && s_one (errors, "thing.id", "invalid"));
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItem (cJSON_GetArrayItem (errors, 0), "message")),
               "id must be at most 3 bytes.");
    cJSON_Delete (errors);
    CHECK (s_refused (&s_object, "{'id': 'a', 'extra': 1}", "thing.extra", "unknown_field"));
    CHECK (s_refused (&s_object, "[]", "thing", "type"));
}

DDC_TEST (test_unique_and_list)
{
    CHECK (s_refused (&s_list, "[{'id': 'a'}, {'id': 'a'}]", "things[1].id", "duplicate"));
    //  a row with another error still takes part by its key
    cJSON *errors;
    char *out = s_walk (&s_list, "[{'id': 'a'}, {'id': 'a', 'size': 99}]", &errors);
    CHECK (!out && cJSON_GetArraySize (errors) == 2);
    free (out);
    cJSON_Delete (errors);
    CHECK (s_refused (&s_list, "{}", "things", "type"));
    //  too many rows: said once, the first max_rows still walked
    s_after_calls = 0;
    out = s_walk (&s_list, "[{'id': 'a'}, {'id': 'b'}, {'id': 'c'}, {'id': 'd'}]", &errors);
    CHECK (!out);
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItem (cJSON_GetArrayItem (errors, 0), "reason")),
               "too_many");
    cJSON_Delete (errors);
}

DDC_TEST (test_list_hook)
{
    s_after_calls = 0;
    cJSON *errors;
    char *out = s_walk (&s_list, "[{'id': 'a'}, {'id': 'b'}]", &errors);
    CHECK (out && s_after_calls == 1 && cJSON_GetArraySize (errors) == 0);
    free (out);
    cJSON_Delete (errors);
    CHECK (s_refused (&s_list, "[{'id': 'a'}, {'id': 'b'}, {'id': 'c'}]", "things", "conflict"));
}

DDC_TEST (test_error_cap)
{
    //  every error counted, at most DDC_CONFIG_MAX_ERRORS + 1 appended
    cJSON *value = cJSON_CreateObject ();
    char key [16];
    for (int i = 0; i < DDC_CONFIG_MAX_ERRORS + 50; i++) {
        snprintf (key, sizeof (key), "k%d", i);
        cJSON_AddNumberToObject (value, key, i);
    }
    cJSON_AddStringToObject (value, "id", "a");
    cJSON *errors = cJSON_CreateArray ();
    ddc_walk_t walk = { errors, 0, NULL, NULL };
    CHECK (!ddc_schema_walk (&walk, &s_object, value, "thing"));
    CHECK_EQ (walk.count, DDC_CONFIG_MAX_ERRORS + 50);
    CHECK_EQ (cJSON_GetArraySize (errors), DDC_CONFIG_MAX_ERRORS + 1);
    cJSON_Delete (errors);
    cJSON_Delete (value);
}

DDC_TEST (test_sections_have_labels)
{
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const ddc_table_t *t = ddc_schema_section ((ddc_section_t) s);
        CHECK (t && t->fields && strcmp (t->name, ddc_section_name ((ddc_section_t) s)) == 0);
        for (const ddc_field_t *f = t->fields; f->key; f++)
            CHECK (f->label && strncmp (f->label, "f.", 2) == 0);
    }
    CHECK (ddc_schema_section (DDC_SEC_COUNT) == NULL);
    CHECK_STR (ddc_schema_field (DDC_SEC_CONTAINERS, "info.text")->key, "text");
    CHECK (ddc_schema_field (DDC_SEC_CONTAINERS, "info.nope") == NULL);
    CHECK (ddc_schema_field (DDC_SEC_BOT, "nope") == NULL);
}

DDC_TEST (test_secrets_follow_the_flag)
{
    CHECK (ddc_schema_secret (DDC_SEC_BOT, "token"));
    CHECK (ddc_schema_secret (DDC_SEC_WEB, "password_hash"));
    CHECK (ddc_schema_secret (DDC_SEC_WEB, "metrics_token"));
    CHECK (ddc_schema_secret (DDC_SEC_ALERTS, "webhook_url"));
    CHECK (!ddc_schema_secret (DDC_SEC_BOT, "guild_id"));
    //  ddc_section_secrets lists exactly the flagged fields
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        int flagged = 0, listed = 0;
        for (const ddc_field_t *f = ddc_schema_section ((ddc_section_t) s)->fields; f->key; f++)
            flagged += (f->flags & DDC_F_SECRET) != 0;
        for (const char *const *k = ddc_section_secrets ((ddc_section_t) s); *k; k++) {
            listed++;
            CHECK (ddc_schema_secret ((ddc_section_t) s, *k));
        }
        CHECK_EQ (listed, flagged);
    }
    //  redaction: the flagged field becomes "***", others stay
    cJSON *bot = ddc_test_json ("{'token': 'abc.def', 'guild_id': '123456789012345678'}");
    cJSON *red = ddc_config_redact (DDC_SEC_BOT, bot);
    CHECK_STR (cJSON_GetObjectItem (red, "token")->valuestring, "***");
    CHECK_STR (cJSON_GetObjectItem (red, "guild_id")->valuestring, "123456789012345678");
    cJSON_Delete (red);
    cJSON_Delete (bot);
}

DDC_TEST (test_typed_reads)
{
    cJSON *chan = ddc_test_json ("{'id': '123456789012345678', 'refresh_minutes': 7, "
                                 "'recreate_minutes': 99999, 'post_initial': true, "
                                 "'kind': 'control'}");
    CHECK_EQ (ddc_schema_int (DDC_SEC_CHANNELS, chan, "refresh_minutes"), 7);
    //  out of range or absent: the row's default
    CHECK_EQ (ddc_schema_int (DDC_SEC_CHANNELS, chan, "recreate_minutes"), 0);
    CHECK (ddc_schema_bool (DDC_SEC_CHANNELS, chan, "post_initial"));
    CHECK (!ddc_schema_bool (DDC_SEC_CHANNELS, chan, "alerts"));
    CHECK_STR (ddc_schema_str (DDC_SEC_CHANNELS, chan, "kind"), "control");
    CHECK_STR (ddc_schema_str (DDC_SEC_CHANNELS, chan, "name"), "");
    cJSON_Delete (chan);
    cJSON *empty = cJSON_CreateObject ();
    CHECK_EQ (ddc_schema_int (DDC_SEC_CHANNELS, empty, "refresh_minutes"), 5);
    CHECK_EQ (ddc_schema_int (DDC_SEC_DOCKER, empty, "stop_timeout_seconds"), 10);
    CHECK_STR (ddc_schema_str (DDC_SEC_BOT, empty, "timezone"), "UTC");
    CHECK_STR (ddc_schema_str (DDC_SEC_BOT, NULL, "language"), "en");
    CHECK (!ddc_schema_bool (DDC_SEC_CONTAINERS, empty, "info.enabled"));
    CHECK_EQ (ddc_schema_int (DDC_SEC_BOT, empty, "nope"), 0);
    cJSON_Delete (empty);
    //  a nested path
    cJSON *ctr = ddc_test_json ("{'info': {'enabled': true, 'text': 'hi'}}");
    CHECK (ddc_schema_bool (DDC_SEC_CONTAINERS, ctr, "info.enabled"));
    CHECK_STR (ddc_schema_str (DDC_SEC_CONTAINERS, ctr, "info.text"), "hi");
    cJSON_Delete (ctr);
}

//  ddc_schema_decode: a service's struct from a section or a row.
typedef struct {
    const char *host, *display_name, *info_text;
    bool active, info_enabled;
    int order;
    unsigned actions;
} s_row_t;

static const ddc_bind_t s_row_binds [] = { DDC_BIND (s_row_t, host, "host"),
                                           DDC_BIND (s_row_t, display_name, "display_name"),
                                           DDC_BIND (s_row_t, info_text, "info.text"),
                                           DDC_BIND (s_row_t, active, "active"),
                                           DDC_BIND (s_row_t, info_enabled, "info.enabled"),
                                           DDC_BIND (s_row_t, order, "order"),
                                           DDC_BIND (s_row_t, actions, "allowed_actions"),
                                           { NULL, 0 } };

static const char *
s_error_at (const cJSON *errors, int index, const char *member)
{
    return cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (errors, index), member));
}

DDC_TEST (test_decode)
{
    cJSON *errors = cJSON_CreateArray ();
    ddc_walk_t walk = { .errors = errors };
    s_row_t row;
    //  given values; keys not bound (roles, even a bad one) and unknown
    //  keys are not looked at
    cJSON *obj = ddc_test_json ("{'host': 'nas', 'display_name': 'Plex', 'active': false, "
                                "'order': 7, 'allowed_actions': ['logs', 'start'], "
                                "'info': {'enabled': true, 'text': 'hi'}, 'roles': 5, 'x': 1}");
    CHECK_EQ (ddc_schema_decode (&walk, DDC_SEC_CONTAINERS, obj, "containers[0]", s_row_binds, &row),
              0);
    CHECK_STR (row.host, "nas");
    CHECK_STR (row.display_name, "Plex");
    CHECK_STR (row.info_text, "hi");
    CHECK (!row.active && row.info_enabled);
    CHECK_EQ (row.order, 7);
    CHECK_EQ (row.actions, 1u << 0 | 1u << 3); //  start, logs
    CHECK_EQ (walk.count, 0);
    cJSON_Delete (obj);
    //  absent: the rows' defaults (a required one is an error)
    obj = ddc_test_json ("{'host': 'nas'}");
    CHECK_EQ (ddc_schema_decode (&walk, DDC_SEC_CONTAINERS, obj, "c", s_row_binds, &row), 0);
    CHECK_STR (row.display_name, "");
    CHECK_STR (row.info_text, "");
    CHECK (row.active && !row.info_enabled);
    CHECK_EQ (row.order, 0);
    CHECK_EQ (row.actions, 7u); //  start, stop, restart
    cJSON_Delete (obj);
    obj = ddc_test_json ("{'active': true}");
    CHECK_EQ (ddc_schema_decode (&walk, DDC_SEC_CONTAINERS, obj, "c", s_row_binds, &row), -1);
    CHECK_EQ (cJSON_GetArraySize (errors), 1);
    CHECK_STR (s_error_at (errors, 0, "field"), "c.host");
    CHECK_STR (s_error_at (errors, 0, "reason"), "required");
    cJSON_Delete (obj);
    //  every wrong field reported with its path; its member keeps the default
    cJSON_DeleteItemFromArray (errors, 0);
    walk.count = 0;
    obj = ddc_test_json ("{'host': 'bad host', 'display_name': '', 'active': 'yes', "
                         "'order': 10000, 'allowed_actions': ['rm'], 'info': 3}");
    CHECK_EQ (ddc_schema_decode (&walk, DDC_SEC_CONTAINERS, obj, "c", s_row_binds, &row), -1);
    CHECK_EQ (walk.count, 7); //  info is reported for each of its two fields
    CHECK_STR (s_error_at (errors, 0, "field"), "c.host");
    CHECK_STR (s_error_at (errors, 0, "reason"), "invalid");
    CHECK_STR (s_error_at (errors, 1, "field"), "c.display_name");
    CHECK_STR (s_error_at (errors, 2, "field"), "c.info");
    CHECK_STR (s_error_at (errors, 2, "reason"), "type");
    CHECK_STR (s_error_at (errors, 3, "field"), "c.active");
    CHECK_STR (s_error_at (errors, 4, "field"), "c.info");
    CHECK_STR (s_error_at (errors, 5, "field"), "c.order");
    CHECK_STR (s_error_at (errors, 5, "reason"), "out_of_range");
    CHECK_STR (s_error_at (errors, 6, "field"), "c.allowed_actions[0]");
    CHECK_STR (row.host, "");
    CHECK (row.active);
    CHECK_EQ (row.order, 0);
    CHECK_EQ (row.actions, 7u);
    cJSON_Delete (obj);
    //  not an object: reported once, every member its default
    walk.count = 0;
    obj = ddc_test_json ("[]");
    row = (s_row_t){ .order = 5 };
    CHECK_EQ (ddc_schema_decode (&walk, DDC_SEC_CONTAINERS, obj, "c", s_row_binds, &row), -1);
    CHECK_EQ (walk.count, 1);
    CHECK (row.active && row.host && row.info_text);
    CHECK_EQ (row.order, 0);
    CHECK_EQ (row.actions, 7u);
    cJSON_Delete (obj);
    CHECK_EQ (ddc_schema_decode (&walk, DDC_SEC_CONTAINERS, NULL, "c", s_row_binds, &row), -1);
    cJSON_Delete (errors);
}

//  ddc_schema_list_ok: an array of at most the table's rows.
DDC_TEST (test_list_ok)
{
    const ddc_table_t *t = ddc_schema_section (DDC_SEC_ADMINS);
    cJSON *errors = cJSON_CreateArray ();
    ddc_walk_t walk = { .errors = errors };
    cJSON *value = cJSON_CreateArray ();
    CHECK (ddc_schema_list_ok (&walk, t, value, "admins"));
    for (int i = 0; i < t->max_rows; i++)
        cJSON_AddItemToArray (value, cJSON_CreateNumber (i)); //  rows are not looked at
    CHECK (ddc_schema_list_ok (&walk, t, value, "admins"));
    CHECK_EQ (walk.count, 0);
    cJSON_AddItemToArray (value, cJSON_CreateObject ());
    CHECK (!ddc_schema_list_ok (&walk, t, value, "admins"));
    CHECK_STR (s_error_at (errors, 0, "reason"), "too_many");
    cJSON *object = cJSON_CreateObject ();
    CHECK (!ddc_schema_list_ok (&walk, t, object, "admins"));
    cJSON_Delete (object);
    CHECK_STR (s_error_at (errors, 1, "field"), "admins");
    CHECK_STR (s_error_at (errors, 1, "reason"), "type");
    CHECK_EQ (walk.count, 2);
    cJSON_Delete (value);
    cJSON_Delete (errors);
}

//  A redacted secret decodes as its default; "***" is no escape elsewhere.
DDC_TEST (test_decode_redacted)
{
    typedef struct {
        const char *url, *format, *guild;
    } s_t;
    static const ddc_bind_t alert_binds [] = { DDC_BIND (s_t, url, "webhook_url"),
                                               DDC_BIND (s_t, format, "webhook_format"),
                                               { NULL, 0 } };
    static const ddc_bind_t bot_binds [] = { DDC_BIND (s_t, guild, "guild_id"), { NULL, 0 } };
    ddc_walk_t walk = { 0 };
    s_t out;
    cJSON *obj = ddc_test_json ("{'webhook_url': '***', 'guild_id': '***'}");
    CHECK_EQ (ddc_schema_decode (&walk, DDC_SEC_ALERTS, obj, "alerts", alert_binds, &out), 0);
    CHECK_STR (out.url, "");
    CHECK_STR (out.format, "discord");
    CHECK_EQ (ddc_schema_decode (&walk, DDC_SEC_BOT, obj, "bot", bot_binds, &out), -1);
    CHECK_STR (out.guild, "");
    cJSON_Delete (obj);
    obj = ddc_test_json ("{'webhook_url': 'ftp://x', 'webhook_format': 'xml'}");
    walk.count = 0;
    CHECK_EQ (ddc_schema_decode (&walk, DDC_SEC_ALERTS, obj, "alerts", alert_binds, &out), -1);
    CHECK_EQ (walk.count, 2);
    CHECK_STR (out.url, "");
    CHECK_STR (out.format, "discord");
    cJSON_Delete (obj);
}

//  Every section's default is what its rows' defaults say.
DDC_TEST (test_defaults_from_rows)
{
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        const ddc_table_t *t = ddc_schema_section ((ddc_section_t) s);
        if (t->list)
            continue;
        cJSON *def = ddc_config_default_section ((ddc_section_t) s);
        for (const ddc_field_t *f = t->fields; f->key; f++) {
            const cJSON *v = cJSON_GetObjectItem (def, f->key);
            if (f->type == DDC_T_INT)
                CHECK (cJSON_IsNumber (v) && (int) v->valuedouble == f->def);
            if (f->type == DDC_T_BOOL)
                CHECK (cJSON_IsBool (v) && cJSON_IsTrue (v) == (f->def != 0));
            if ((f->type == DDC_T_STR || f->type == DDC_T_ENUM) && f->def_str)
                CHECK (cJSON_IsString (v) && strcmp (v->valuestring, f->def_str) == 0);
        }
        cJSON_Delete (def);
    }
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_defaults_and_order);
    DDC_RUN (test_required);
    DDC_RUN (test_nonempty);
    DDC_RUN (test_limits);
    DDC_RUN (test_unique_and_list);
    DDC_RUN (test_list_hook);
    DDC_RUN (test_error_cap);
    DDC_RUN (test_sections_have_labels);
    DDC_RUN (test_secrets_follow_the_flag);
    DDC_RUN (test_typed_reads);
    DDC_RUN (test_decode);
    DDC_RUN (test_decode_redacted);
    DDC_RUN (test_list_ok);
    DDC_RUN (test_defaults_from_rows);
    DDC_DONE ();
}
