/*  ddc-container: the entrypoint of the ddc container image. What its
    modules share.
    - plan.c: which program a role runs and with which arguments, from the
      environment (the table of variables the image reads) and the user's
      own arguments; what its health check is. Pure: no I/O.
    - privs.c: PUID/PGID/UMASK, the ownership of the data folders, the
      Docker socket's group, dropping root.
    - health.c: the health spec file and the checks (HTTP /health of the
      web UI, ddc-ctl health through the broker).
    - first_run.c: the import of a DockerDiscordControl config folder on
      the first start, through a temporary broker.
    - supervise.c: the "all" role, four programs in one container.
    Error convention: functions return 0 or -1 after logging why (ddc_log);
    plan.c returns -1 with the reason in an error buffer. */
#ifndef CONTAINER_H
#define CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CT_PROG "ddc-container"

//  ---- plan.c ------------------------------------------------------------

//  The environment variables the image reads: name, default ("" = unset)
//  and what it is for. Ends with a NULL name.
typedef struct {
    const char *name;
    const char *dflt;
    const char *help;
} ct_env_t;
extern const ct_env_t ct_env [];

//  The value of one of ct_env's variables: the environment's when set and
//  not empty, else the default. name must be in the table.
typedef const char *(ct_getenv_fn) (const char *name);
const char *ct_env_get (ct_getenv_fn *getenv_fn, const char *name);

//  A growing NULL-terminated argument vector.
typedef struct {
    char **v;
    int n;
    int cap;
} ct_vec_t;
void ct_vec_push (ct_vec_t *vec, const char *s);
void ct_vec_pushf (ct_vec_t *vec, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void ct_vec_free (ct_vec_t *vec);

//  The roles a container runs (the first argument).
typedef enum { CT_BROKER, CT_WEB, CT_DISCORD, CT_DOCKER, CT_CTL, CT_ROLE_COUNT } ct_role_t;
const char *ct_role_name (ct_role_t role);
//  The role named, or -1.
int ct_role_find (const char *name);

//  What one role runs. Strings are owned.
typedef struct {
    ct_role_t role;
    char *program;       //  "ddc-web"
    ct_vec_t argv;       //  argv[0] = program, then the arguments
    char *data;          //  the folder whose owner is set (never "/")
    char *sock_dir;      //  the ipc folder when not inside data, or NULL
    char *docker_socket; //  docker role: the socket whose group it joins
    ct_vec_t health;     /* health spec lines ("http HOST PORT", "ping EP",
                             "peer NAME EP"); empty for ctl                */
} ct_plan_t;

//  Build the plan of role from the environment and the user's arguments
//  (args[0..nargs), given after the role; they win over every default).
//  0, or -1 with the reason in err.
int ct_plan (ct_plan_t *plan, ct_role_t role, ct_getenv_fn *getenv_fn, char *const *args, int nargs,
             char *err, size_t errlen);
void ct_plan_free (ct_plan_t *plan);

//  The value of --NAME in args ("--name V" or "--name=V"), or NULL.
const char *ct_opt (char *const *args, int nargs, const char *name);

//  Split a space-separated list (DDC_WEB_ARGS...) onto vec.
void ct_split_words (ct_vec_t *vec, const char *text);

//  ---- privs.c -----------------------------------------------------------

typedef struct {
    uid_t uid;
    gid_t gid;
    mode_t umask;
    bool root; //  started as root: ownership and the drop apply
} ct_ids_t;

//  PUID, PGID, UMASK: decimal ids up to 2^31-1, an octal umask up to 0777.
//  0, or -1 with the reason in err.
int ct_ids_parse (ct_ids_t *ids, const char *puid, const char *pgid, const char *umask_text,
                  char *err, size_t errlen);
//  Create dir (0700) if missing and, when root, give every file under it
//  (this file system only, symbolic links themselves) to uid:gid.
int ct_own_tree (const ct_ids_t *ids, const char *dir);
//  The group of the Docker socket at path: its gid, or -1 (logged) when
//  there is no socket or it is open to everyone.
long ct_socket_group (const char *path);
//  In a child or before exec: umask, then (when root) the groups (PGID plus
//  extra_gid when >= 0), PGID and PUID. 0, or -1 after logging.
int ct_drop (const ct_ids_t *ids, long extra_gid);

//  ---- health.c ----------------------------------------------------------

#define CT_HEALTH_FILE "/tmp/ddc-health"

//  Record the health spec of the service this container runs.
int ct_health_write (const char *path, const ct_vec_t *lines);
//  `ddc-container health`: run every check of the spec; 0 healthy, 1 not.
int ct_health_run (const char *path, const ct_ids_t *ids);

//  ---- programs (main.c) -----------------------------------------------

//  The folder of this program, where the other ddc programs are.
const char *ct_bin_dir (void);
//  Start argv (argv[0] a program name in ct_bin_dir) in a child that drops
//  privileges first; its pid, or -1 after logging.
pid_t ct_spawn (const ct_ids_t *ids, long extra_gid, char *const *argv);
//  Wait for pid up to timeout_ms; its wait status, or -1 on timeout.
int ct_wait_pid (pid_t pid, int timeout_ms);

//  ---- first_run.c -------------------------------------------------------

//  When data has no config.json and import_dir holds a DockerDiscordControl
//  config.json: import it through a temporary broker and move the result
//  into data. 0 when done or nothing to do, -1 (logged) when the import
//  failed and data was left as it was.
int ct_first_run_import (const ct_ids_t *ids, const char *data, const char *import_dir);

//  ---- supervise.c -------------------------------------------------------

//  The "all" role: broker, docker, discord and web in one container. Never
//  returns: exits with 0 after SIGTERM, else with the status of the first
//  program that stopped.
void ct_supervise (const ct_ids_t *ids, ct_getenv_fn *getenv_fn) __attribute__ ((noreturn));

#endif
