/*  import_ddc: a DockerDiscordControl configuration folder, read and
    turned into ddc's configuration sections (ddc-ctl import-ddc).
    Owns: the folder's files in memory (import_files_t: bounded in count
    and size), the strict reading of each file (UTF-8, exactly one JSON
    value, no key given twice, every type checked) and the mapping of every
    setting that has a home in ddc, with a note for each one that has not
    and an error, naming the file and the field, for each one that is not
    valid. Both layouts: DockerDiscordControl 2.x (config.json,
    containers/, channels/, admins.json, tasks.json, ...) and the 1.x
    single config.json with "servers".
    No broker and no output here: import_plan.c compares the result with a
    running ddc and cmd_import.c talks to the broker and prints. Secrets
    (the bot token, the password hash, protected info) never appear in a
    note or an error. */
#ifndef CTL_IMPORT_DDC_H
#define CTL_IMPORT_DDC_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define IMPORT_FILE_MAX (1024 * 1024)       //  bytes of one file
#define IMPORT_FILES_MAX 1200               //  files read from a folder
#define IMPORT_TOTAL_MAX (64 * 1024 * 1024) //  bytes read from a folder
#define IMPORT_ERRORS_MAX 100               //  errors kept, then one "more"
#define IMPORT_NOTES_MAX 200                //  notes kept, then one "more"

typedef struct _import_files_t import_files_t;

import_files_t *import_files_new (void);
void import_files_destroy (import_files_t **self_p);

//  Add a copy of a file under its name relative to the folder
//  ("config.json", "containers/plex.json"). data NULL: the file is there
//  but was not read (a folder, or a file only its presence matters for).
//  problem non-NULL: it could not be read, and why (reported by
//  import_map as an error of that file). -1 when a limit is reached (the
//  file is not added).
int import_files_add (import_files_t *self, const char *name, const void *data, size_t len,
                      const char *problem);

//  Read the files of a DockerDiscordControl folder that the import uses
//  (the JSON files at its top and in containers/ and channels/), and note
//  which others are there. 0, or -1 with a one-line reason in err (dir is
//  not a readable folder, or holds more than the limits).
int import_files_read_dir (import_files_t *self, const char *dir, char *err, size_t errlen);

//  The names added, in order (import_files_read_dir sorts them).
size_t import_files_count (const import_files_t *self);
const char *import_files_name (const import_files_t *self, size_t index);

typedef struct {
    const char *host;   //  the ddc host of every container and task
    int kdf_iterations; //  the token key's rounds; 0: DockerDiscordControl's
} import_opts_t;

//  The result. sections: ddc sections; an object section holds only the
//  fields the folder sets (the plan keeps the others), a list section is
//  whole (a list the folder does not have is empty, as it was in
//  DockerDiscordControl). origins: where each part came from, for
//  import_origin. notes and errors: [{"file", "field", "message"}].
typedef struct {
    const char *layout; //  "2.x" or "1.x" (static)
    cJSON *sections;
    cJSON *origins;
    cJSON *notes;
    cJSON *errors;        //  not empty: the folder must not be imported
    bool token_decrypted; //  bot.token came from an encrypted bot_token
} import_t;

//  Map the files (borrowed) with opts (borrowed; host must be set). Never
//  NULL. Caller destroys.
import_t *import_map (const import_files_t *files, const import_opts_t *opts);
void import_destroy (import_t **self_p);

//  Where a ddc field path of the result came from: "containers[2].name"
//  gives file "containers/valheim.json" and field "docker_name";
//  "tasks[0].time" gives "tasks.json" and "[0].schedule_details.time".
//  A path the import did not set gives its section's usual file.
void import_origin (const import_t *self, const char *ddc_field, char *file, size_t filelen,
                    char *field, size_t fieldlen);

//  Append {"file", "field", "message"} to list (bounded by max, then one
//  last "more" entry).
void import_report (cJSON *list, int max, const char *file, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

#endif
