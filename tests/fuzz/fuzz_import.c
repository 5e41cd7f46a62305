/*  libFuzzer target for ddc-ctl import-ddc's reading and mapping of a
    DockerDiscordControl folder (services/ctl/import_ddc.c, import_plan.c,
    and fernet.c compiled in). The input is a whole folder:
    files follow each other, each started by a line "==> NAME <==" (what
    comes before the first such line is config.json), so that a seed reads
    like `head` output of a real folder. The folder is mapped (the token
    key with one round, so that encrypted tokens are cheap), its plan is
    made against ddc's defaults and against the mapped sections themselves
    as the current configuration, every error and note is traced back with
    import_origin, and these must hold (abort otherwise):
    - a plan without errors gives sections that ddc's validator accepts as
      a whole document;
    - the lists of errors and notes stay within their limits. */
#include "../../services/ctl/fernet.c"
#include "../../services/ctl/import_ddc.c"
#include "../../services/ctl/import_plan.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

//  Split the input into files.
static import_files_t *
s_folder (const char *data, size_t size)
{
    import_files_t *files = import_files_new ();
    char name [128] = "config.json";
    size_t start = 0, at = 0;
    while (at <= size) {
        bool marker = (at == 0 || data [at - 1] == '\n') && size - at >= 9
                      && memcmp (data + at, "==> ", 4) == 0;
        const char *end = marker ? memchr (data + at, '\n', size - at) : NULL;
        if (at == size
            || (marker && end && end - (data + at) >= 8 && memcmp (end - 4, " <==", 4) == 0)) {
            if (at > start || start > 0)
                import_files_add (files, name, data + start, at - start, NULL);
            if (at == size)
                break;
            size_t n = (size_t) (end - 4 - (data + at + 4));
            snprintf (name, sizeof (name), "%.*s", (int) (n < 127 ? n : 127), data + at + 4);
            at = start = (size_t) (end - data) + 1;
            continue;
        }
        at++;
    }
    return files;
}

static void
s_trace (const import_t *imp, const cJSON *list)
{
    const cJSON *e;
    cJSON_ArrayForEach (e, list) {
        char file [128], field [512];
        const char *f = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "field"));
        import_origin (imp, f ? f : "", file, sizeof (file), field, sizeof (field));
    }
}

static void
s_check_plan (const import_t *imp, const cJSON *current)
{
    plan_t *plan = plan_new (imp, current, current != NULL);
    if (cJSON_GetArraySize (plan->errors) > IMPORT_ERRORS_MAX + 1
        || cJSON_GetArraySize (plan->notes) > IMPORT_NOTES_MAX + 1)
        abort ();
    if (cJSON_GetArraySize (plan->errors) == 0) {
        cJSON *doc = ddc_config_default ();
        const cJSON *v;
        cJSON_ArrayForEach (v, plan->result)
            cJSON_ReplaceItemInObjectCaseSensitive (doc, v->string, cJSON_Duplicate (v, 1));
        cJSON *norm = ddc_config_validate_document (doc, NULL);
        if (!norm)
            abort ();
        cJSON_Delete (norm);
        cJSON_Delete (doc);
    }
    plan_destroy (&plan);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        ddc_pwhash_init ();
        init = true;
    }
    import_files_t *files = s_folder ((const char *) data, size);
    import_opts_t opts = { .host = "fuzz", .kdf_iterations = 1 };
    import_t *imp = import_map (files, &opts);
    if (cJSON_GetArraySize (imp->errors) > IMPORT_ERRORS_MAX + 1
        || cJSON_GetArraySize (imp->notes) > IMPORT_NOTES_MAX + 1)
        abort ();
    s_trace (imp, imp->errors);
    s_trace (imp, imp->notes);
    if (cJSON_GetArraySize (imp->errors) == 0) {
        s_check_plan (imp, NULL);
        //  the import's own sections as ddc's current configuration
        cJSON *current = cJSON_CreateObject ();
        cJSON *all = ddc_config_default ();
        const cJSON *v;
        cJSON_ArrayForEach (v, imp->sections) {
            cJSON *norm =
                ddc_config_validate_section ((ddc_section_t) ddc_section_from_name (v->string), v,
                                             NULL, NULL);
            if (norm && cJSON_IsArray (norm))
                cJSON_ReplaceItemInObjectCaseSensitive (all, v->string, norm);
            else
                cJSON_Delete (norm);
        }
        cJSON_AddItemToObject (current, "sections", all);
        s_check_plan (imp, current);
        cJSON_Delete (current);
    }
    import_destroy (&imp);
    import_files_destroy (&files);
    return 0;
}
