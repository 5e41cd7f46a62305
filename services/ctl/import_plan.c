/*  import_plan: the saves of an import. See import_plan.h. */
#include "import_plan.h"
#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

//  The saves' order: sections nothing refers to first; containers before
//  the tasks that name them; the secrets' sections last, so that a failed
//  save before them leaves ddc's secrets untouched.
static const ddc_section_t s_order [] = { DDC_SEC_ADMINS,   DDC_SEC_SPAM,       DDC_SEC_WATCHDOG,
                                          DDC_SEC_CHANNELS, DDC_SEC_CONTAINERS, DDC_SEC_TASKS,
                                          DDC_SEC_BOT,      DDC_SEC_WEB,        DDC_SEC_DOCKER };

static bool
s_is_secret (ddc_section_t s, const char *key)
{
    for (const char *const *f = ddc_section_secrets (s); *f; f++)
        if (strcmp (*f, key) == 0)
            return true;
    return false;
}

static const char *
s_kind_name (ddc_section_t s)
{
    return s == DDC_SEC_BOT ? "bot token" : "web password";
}

//  The current tasks whose containers are in containers.
static cJSON *
s_tasks_kept (const cJSON *tasks, const cJSON *containers)
{
    cJSON *kept = cJSON_CreateArray ();
    const cJSON *t;
    cJSON_ArrayForEach (t, tasks) {
        const char *host = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (t, "host"));
        const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (t, "container"));
        bool found = false;
        const cJSON *c;
        cJSON_ArrayForEach (c, containers) {
            const char *h = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "host"));
            const char *n = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "name"));
            if (host && name && h && n && strcmp (host, h) == 0 && strcmp (name, n) == 0) {
                found = true;
                break;
            }
        }
        if (found)
            cJSON_AddItemToArray (kept, cJSON_Duplicate (t, 1));
    }
    return kept;
}

static void
s_add_step (plan_t *self, ddc_section_t s, const cJSON *value, const cJSON *before,
            uint64_t expected, bool interim)
{
    plan_step_t *step = &self->steps [self->nsteps++];
    step->section = s;
    step->value = cJSON_Duplicate (value, 1);
    step->before = cJSON_Duplicate (before, 1);
    step->expected = expected;
    step->interim = interim;
}

static uint64_t
s_rev (const cJSON *current, const char *name)
{
    const cJSON *r =
        cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (current, "revs"), name);
    return cJSON_IsNumber (r) && r->valuedouble > 0 ? (uint64_t) r->valuedouble : 0;
}

plan_t *
plan_new (const import_t *imp, const cJSON *current, bool force)
{
    plan_t *self = ddc_calloc (1, sizeof (plan_t));
    self->result = cJSON_CreateObject ();
    self->unchanged = cJSON_CreateArray ();
    self->existing = cJSON_CreateArray ();
    self->errors = cJSON_CreateArray ();
    self->notes = cJSON_CreateArray ();

    cJSON *defaults = ddc_config_default ();
    const cJSON *cur_all = cJSON_GetObjectItemCaseSensitive (current, "sections");
    //  the document after the import: the current one, imported sections merged in
    cJSON *doc = cJSON_CreateObject ();
    for (int i = 0; i < DDC_SEC_COUNT; i++) {
        const char *name = ddc_section_name ((ddc_section_t) i);
        const cJSON *cur = cJSON_GetObjectItemCaseSensitive (cur_all, name);
        if (!cur)
            cur = cJSON_GetObjectItemCaseSensitive (defaults, name);
        cJSON_AddItemToObject (doc, name, cJSON_Duplicate (cur, 1));
    }
    const cJSON *imported;
    cJSON_ArrayForEach (imported, imp->sections) {
        int s = ddc_section_from_name (imported->string);
        if (s < 0)
            continue;
        const char *name = imported->string;
        const cJSON *def = cJSON_GetObjectItemCaseSensitive (defaults, name);
        cJSON *merged = cJSON_GetObjectItemCaseSensitive (doc, name);
        if (cJSON_IsObject (imported)) {
            const cJSON *f;
            cJSON_ArrayForEach (f, imported) {
                const cJSON *cur = cJSON_GetObjectItemCaseSensitive (merged, f->string);
                const char *cur_text = cJSON_GetStringValue (cur);
                if (s_is_secret ((ddc_section_t) s, f->string)) {
                    if (cur_text && *cur_text && !force) {
                        import_report (self->notes, IMPORT_NOTES_MAX, "", "",
                                       "%s.%s: ddc already has a %s: kept (--force replaces it "
                                       "with DockerDiscordControl's)",
                                       name, f->string, s_kind_name ((ddc_section_t) s));
                        continue;
                    }
                }
                else if (!ddc_json_equal (cur, cJSON_GetObjectItemCaseSensitive (def, f->string))
                         && !ddc_json_equal (cur, f)) {
                    char *path = ddc_asprintf ("%s.%s", name, f->string);
                    cJSON_AddItemToArray (self->existing, cJSON_CreateString (path));
                    free (path);
                }
                cJSON_DeleteItemFromObjectCaseSensitive (merged, f->string);
                cJSON_AddItemToObject (merged, f->string, cJSON_Duplicate (f, 1));
            }
        }
        else {
            //  compared in ddc's normal form; an invalid list shows below
            cJSON *norm = ddc_config_validate_section ((ddc_section_t) s, imported, NULL, NULL);
            if (!ddc_json_equal (merged, def) && !ddc_json_equal (merged, norm ? norm : imported))
                cJSON_AddItemToArray (self->existing, cJSON_CreateString (name));
            cJSON_Delete (norm);
            cJSON_ReplaceItemInObjectCaseSensitive (doc, name, cJSON_Duplicate (imported, 1));
        }
    }

    //  every imported section, as ddc's validator sees it in the new document
    cJSON *normals [DDC_SEC_COUNT] = { NULL };
    cJSON_ArrayForEach (imported, imp->sections) {
        int s = ddc_section_from_name (imported->string);
        if (s < 0)
            continue;
        cJSON *errors = cJSON_CreateArray ();
        //  the imported containers are not checked against the imported
        //  tasks: a task without its container is reported as the task's
        bool both =
            s == DDC_SEC_CONTAINERS && cJSON_GetObjectItemCaseSensitive (imp->sections, "tasks");
        normals [s] =
            ddc_config_validate_section ((ddc_section_t) s,
                                         cJSON_GetObjectItemCaseSensitive (doc, imported->string),
                                         both ? NULL : doc, errors);
        const cJSON *e;
        cJSON_ArrayForEach (e, errors) {
            const char *field =
                cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "field"));
            const char *msg =
                cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "message"));
            char file [128], at [512];
            import_origin (imp, field ? field : "", file, sizeof (file), at, sizeof (at));
            //  where in ddc, when the folder has no field for it
            if (*at || !field || !*field)
                import_report (self->errors, IMPORT_ERRORS_MAX, file, at, "%s",
                               msg ? msg : "invalid");
            else
                import_report (self->errors, IMPORT_ERRORS_MAX, file, at, "%s (ddc: %s)",
                               msg ? msg : "invalid", field);
        }
        cJSON_Delete (errors);
    }

    if (cJSON_GetArraySize (self->errors) == 0) {
        for (int s = 0; s < DDC_SEC_COUNT; s++)
            if (normals [s])
                cJSON_AddItemToObject (self->result, ddc_section_name ((ddc_section_t) s),
                                       cJSON_Duplicate (normals [s], 1));
        int interim = -1;
        for (size_t i = 0; i < sizeof (s_order) / sizeof (s_order [0]); i++) {
            ddc_section_t s = s_order [i];
            if (!normals [s])
                continue;
            const char *name = ddc_section_name (s);
            const cJSON *cur = cJSON_GetObjectItemCaseSensitive (cur_all, name);
            if (!cur)
                cur = cJSON_GetObjectItemCaseSensitive (defaults, name);
            if (ddc_json_equal (cur, normals [s])) {
                cJSON_AddItemToArray (self->unchanged, cJSON_CreateString (name));
                continue;
            }
            if (s == DDC_SEC_CONTAINERS && normals [DDC_SEC_TASKS]) {
                //  the current tasks must keep their containers through this save
                const cJSON *tasks = cJSON_GetObjectItemCaseSensitive (cur_all, "tasks");
                cJSON *kept = s_tasks_kept (tasks, normals [s]);
                if (cJSON_GetArraySize (kept) != cJSON_GetArraySize (tasks)) {
                    interim = self->nsteps;
                    s_add_step (self, DDC_SEC_TASKS, kept, tasks, s_rev (current, "tasks"), true);
                }
                cJSON_Delete (kept);
            }
            const cJSON *before = cur;
            uint64_t expected = s_rev (current, name);
            if (s == DDC_SEC_TASKS && interim >= 0) {
                before = self->steps [interim].value;
                expected = 0; //  the interim save's revision, known then
            }
            s_add_step (self, s, normals [s], before, expected, false);
        }
    }
    for (int i = 0; i < DDC_SEC_COUNT; i++)
        cJSON_Delete (normals [i]);
    cJSON_Delete (doc);
    cJSON_Delete (defaults);
    return self;
}

void
plan_destroy (plan_t **self_p)
{
    plan_t *self = *self_p;
    if (!self)
        return;
    for (int i = 0; i < self->nsteps; i++) {
        cJSON_Delete (self->steps [i].value);
        cJSON_Delete (self->steps [i].before);
    }
    cJSON_Delete (self->result);
    cJSON_Delete (self->unchanged);
    cJSON_Delete (self->existing);
    cJSON_Delete (self->errors);
    cJSON_Delete (self->notes);
    free (self);
    *self_p = NULL;
}
