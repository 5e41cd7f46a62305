/*  plan: what a role of the ddc image runs. See container.h. */
#include "container.h"

#include "ddc_config.h"
#include "ddc_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ct_env_t ct_env [] = {
    { "PUID", "1000", "user id the programs run as (files in the data folder get it)" },
    { "PGID", "1000", "group id the programs run as" },
    { "UMASK", "022", "umask of the programs (octal)" },
    { "DDC_DATA", "/data", "the data folder: config, history, caches, ipc sockets" },
    { "DDC_BROKER", "",
      "the broker's CTL endpoint (default ipc://DDC_DATA/ctl.sock); "
      "an ipc:// one is also where the broker role listens" },
    { "DDC_CERT", "", "CURVE certificate of this service, for a tcp:// broker" },
    { "DDC_BROKER_CERT", "", "the broker's public certificate, for a tcp:// broker" },
    { "DDC_HEALTH_CERT", "",
      "CURVE certificate (role monitor) the health check uses over "
      "tcp:// (default DDC_CERT)" },
    { "DDC_HOST", "local", "docker role: this Docker host's name in the configuration" },
    { "DDC_INSTANCE", "",
      "discord and web roles: the instance name (default: main for the "
      "bot, the container's host name for the web UI)" },
    { "DDC_DOCKER_SOCKET", "/var/run/docker.sock", "docker role: the Docker engine's socket" },
    { "DDC_IMPORT_DIR", "/app/config",
      "a DockerDiscordControl config folder imported on the "
      "first start (when DDC_DATA has no config.json)" },
    { "DDC_BROKER_ARGS", "", "role all: more ddc-broker options (space-separated)" },
    { "DDC_WEB_ARGS", "", "role all: more ddc-web options" },
    { "DDC_DISCORD_ARGS", "", "role all: more ddc-discord options" },
    { "DDC_DOCKER_ARGS", "", "role all: more ddc-docker options" },
    { NULL, NULL, NULL }
};

const char *
ct_env_get (ct_getenv_fn *getenv_fn, const char *name)
{
    for (const ct_env_t *e = ct_env; e->name; e++)
        if (strcmp (e->name, name) == 0) {
            const char *value = getenv_fn (name);
            return value && *value ? value : e->dflt;
        }
    abort (); //  a name missing from the table is a programming error
}

//  ---- argument vectors ----------------------------------------------------

void
ct_vec_push (ct_vec_t *vec, const char *s)
{
    if (vec->n + 2 > vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 16;
        vec->v = ddc_realloc (vec->v, (size_t) vec->cap * sizeof (*vec->v));
    }
    vec->v [vec->n++] = ddc_strdup (s);
    vec->v [vec->n] = NULL;
}

void
ct_vec_pushf (ct_vec_t *vec, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *s = NULL;
    int n = vasprintf (&s, fmt, ap);
    va_end (ap);
    if (n < 0) {
        fprintf (stderr, CT_PROG ": out of memory\n");
        abort ();
    }
    ct_vec_push (vec, s);
    free (s);
}

void
ct_vec_free (ct_vec_t *vec)
{
    for (int i = 0; i < vec->n; i++)
        free (vec->v [i]);
    free (vec->v);
    *vec = (ct_vec_t){ 0 };
}

void
ct_split_words (ct_vec_t *vec, const char *text)
{
    const char *p = text ? text : "";
    while (*p) {
        p += strspn (p, " \t\n");
        size_t n = strcspn (p, " \t\n");
        if (n) {
            char *word = ddc_strndup (p, n);
            ct_vec_push (vec, word);
            free (word);
        }
        p += n;
    }
}

//  ---- roles ---------------------------------------------------------------

static const char *const s_role_names [CT_ROLE_COUNT] = { "broker", "web", "discord", "docker",
                                                          "ctl" };

const char *
ct_role_name (ct_role_t role)
{
    return s_role_names [role];
}

int
ct_role_find (const char *name)
{
    for (int r = 0; r < CT_ROLE_COUNT; r++)
        if (strcmp (s_role_names [r], name) == 0)
            return r;
    return -1;
}

const char *
ct_opt (char *const *args, int nargs, const char *name)
{
    size_t len = strlen (name);
    const char *found = NULL;
    for (int i = 0; i < nargs; i++) {
        if (strcmp (args [i], "--") == 0)
            break;
        if (strncmp (args [i], name, len) != 0)
            continue;
        if (args [i][len] == '=')
            found = args [i] + len + 1;
        else if (args [i][len] == '\0' && i + 1 < nargs)
            found = args [++i];
    }
    return found; //  the last one, as getopt would take it
}

//  The folder of an ipc:// endpoint's socket ("ipc:///run/ddc/ctl.sock" ->
//  "/run/ddc"), or NULL when it is not one. Caller frees.
static char *
s_ipc_dir (const char *endpoint)
{
    if (!endpoint || strncmp (endpoint, "ipc://", 6) != 0)
        return NULL;
    const char *path = endpoint + 6;
    const char *slash = strrchr (path, '/');
    if (!slash || slash == path)
        return NULL;
    return ddc_strndup (path, (size_t) (slash - path));
}

//  The endpoint a local check uses from a broker's --ctl list: the first
//  ipc:// one, else the first with a wildcard host made 127.0.0.1.
static char *
s_local_endpoint (const char *list)
{
    char *copy = ddc_strdup (list), *save = NULL, *out = NULL;
    for (char *ep = strtok_r (copy, ",", &save); ep && !out; ep = strtok_r (NULL, ",", &save))
        if (strncmp (ep, "ipc://", 6) == 0)
            out = ddc_strdup (ep);
    if (!out) {
        free (copy);
        copy = ddc_strdup (list);
        char *first = strtok_r (copy, ",", &save);
        const char *colon = first ? strrchr (first, ':') : NULL;
        if (first && strncmp (first, "tcp://", 6) == 0 && colon) {
            const char *host = first + 6;
            size_t hlen = (size_t) (colon - host);
            bool any = (hlen == 1 && *host == '*') || (hlen == 7 && !strncmp (host, "0.0.0.0", 7));
            out = any ? ddc_asprintf ("tcp://127.0.0.1%s", colon) : ddc_strdup (first);
        }
        else if (first)
            out = ddc_strdup (first);
    }
    free (copy);
    return out;
}

//  --listen ADDR:PORT as ddc-web takes it, into the address to check.
static int
s_listen_check (const char *listen, ct_vec_t *health, char *err, size_t errlen)
{
    const char *colon = strrchr (listen, ':');
    if (!colon || !colon [1]) {
        snprintf (err, errlen, "--listen %s: want ADDR:PORT", listen);
        return -1;
    }
    char *host = ddc_strndup (listen, (size_t) (colon - listen));
    const char *check = host;
    if (!*host || !strcmp (host, "0.0.0.0") || !strcmp (host, "*"))
        check = "127.0.0.1";
    else if (!strcmp (host, "[::]"))
        check = "::1";
    else if (host [0] == '[') {
        host [strlen (host) - 1] = '\0';
        check = host + 1;
    }
    ct_vec_pushf (health, "http %s %s", check, colon + 1);
    free (host);
    return 0;
}

//  The broker endpoint of a client role: --broker, DDC_BROKER, or the ipc
//  socket in the data folder.
static const char *
s_client_broker (ct_getenv_fn *getenv_fn, char *const *args, int nargs, const char *data,
                 char **owned)
{
    const char *broker = ct_opt (args, nargs, "--broker");
    if (!broker)
        broker = ct_env_get (getenv_fn, "DDC_BROKER");
    if (!*broker)
        broker = *owned = ddc_asprintf ("ipc://%s/ctl.sock", data);
    return broker;
}

//  Add "--opt value" unless the user gave --opt.
static void
s_default (ct_vec_t *argv, char *const *args, int nargs, const char *opt, const char *value)
{
    if (value && *value && !ct_opt (args, nargs, opt)) {
        ct_vec_push (argv, opt);
        ct_vec_push (argv, value);
    }
}

int
ct_plan (ct_plan_t *plan, ct_role_t role, ct_getenv_fn *getenv_fn, char *const *args, int nargs,
         char *err, size_t errlen)
{
    *plan = (ct_plan_t){ .role = role };
    const char *data = ct_opt (args, nargs, "--data");
    if (!data || role != CT_BROKER)
        data = ct_env_get (getenv_fn, "DDC_DATA");
    if (data [0] != '/' || strspn (data, "/") == strlen (data)) {
        snprintf (err, errlen, "the data folder must be an absolute path other than /, not '%s'",
                  data);
        return -1;
    }
    plan->data = ddc_strdup (data);
    plan->program = ddc_asprintf ("ddc-%s", ct_role_name (role));
    ct_vec_push (&plan->argv, plan->program);
    char *owned = NULL;
    int rc = 0;

    switch (role) {
        case CT_BROKER: {
            s_default (&plan->argv, args, nargs, "--data", data);
            const char *ctl = ct_opt (args, nargs, "--ctl");
            if (!ctl) {
                const char *env = ct_env_get (getenv_fn, "DDC_BROKER");
                ctl = owned = strncmp (env, "ipc://", 6) == 0
                                  ? ddc_strdup (env)
                                  : ddc_asprintf ("ipc://%s/ctl.sock", data);
                ct_vec_push (&plan->argv, "--ctl");
                ct_vec_push (&plan->argv, ctl);
                char *dir = s_ipc_dir (ctl);
                if (dir && !ct_opt (args, nargs, "--pub")) {
                    ct_vec_push (&plan->argv, "--pub");
                    ct_vec_pushf (&plan->argv, "ipc://%s/pub.sock", dir);
                }
                free (dir);
            }
            char *local = s_local_endpoint (ctl);
            ct_vec_pushf (&plan->health, "ping %s", local ? local : ctl);
            free (local);
            //  An ipc folder outside the data folder is the broker's to own too.
            char *dir = s_ipc_dir (ctl);
            size_t dlen = strlen (data);
            if (dir && !(strncmp (dir, data, dlen) == 0 && (dir [dlen] == '\0' || dir [dlen] == '/')))
                plan->sock_dir = dir;
            else
                free (dir);
            break;
        }
        case CT_WEB: {
            const char *broker = s_client_broker (getenv_fn, args, nargs, data, &owned);
            s_default (&plan->argv, args, nargs, "--broker", broker);
            const char *listen = ct_opt (args, nargs, "--listen");
            s_default (&plan->argv, args, nargs, "--listen", ":9374");
            s_default (&plan->argv, args, nargs, "--instance",
                       ct_env_get (getenv_fn, "DDC_INSTANCE"));
            rc = s_listen_check (listen ? listen : ":9374", &plan->health, err, errlen);
            break;
        }
        case CT_DISCORD:
        case CT_DOCKER: {
            const char *broker = s_client_broker (getenv_fn, args, nargs, data, &owned);
            s_default (&plan->argv, args, nargs, "--broker", broker);
            s_default (&plan->argv, args, nargs, "--cert", ct_env_get (getenv_fn, "DDC_CERT"));
            s_default (&plan->argv, args, nargs, "--broker-cert",
                       ct_env_get (getenv_fn, "DDC_BROKER_CERT"));
            const char *name;
            if (role == CT_DISCORD) {
                name = ct_opt (args, nargs, "--instance");
                if (!name)
                    name = *ct_env_get (getenv_fn, "DDC_INSTANCE")
                               ? ct_env_get (getenv_fn, "DDC_INSTANCE")
                               : "main";
                s_default (&plan->argv, args, nargs, "--instance", name);
                char *cache = ddc_asprintf ("%s/discord.cache.json", data);
                char *state = ddc_asprintf ("%s/discord.state.json", data);
                s_default (&plan->argv, args, nargs, "--cache", cache);
                s_default (&plan->argv, args, nargs, "--state", state);
                free (cache);
                free (state);
            }
            else {
                name = ct_opt (args, nargs, "--host");
                if (!name)
                    name = ct_env_get (getenv_fn, "DDC_HOST");
                s_default (&plan->argv, args, nargs, "--host", name);
                const char *socket = ct_opt (args, nargs, "--docker-socket");
                if (!socket)
                    socket = ct_env_get (getenv_fn, "DDC_DOCKER_SOCKET");
                s_default (&plan->argv, args, nargs, "--docker-socket", socket);
                plan->docker_socket = ddc_strdup (socket);
                char *cache = ddc_asprintf ("%s/docker-%s.cache.json", data, name);
                char *audit = ddc_asprintf ("%s/docker-%s.audit.log", data, name);
                s_default (&plan->argv, args, nargs, "--cache", cache);
                s_default (&plan->argv, args, nargs, "--audit", audit);
                free (cache);
                free (audit);
            }
            if (!ddc_config_name_ok (name, DDC_HOST_NAME_MAX)) {
                snprintf (err, errlen,
                          "'%s' is not a usable %s name (1 to 63 of A-Z a-z 0-9 . _ -, "
                          "starting with a letter or digit)",
                          name, role == CT_DISCORD ? "instance" : "host");
                rc = -1;
                break;
            }
            ct_vec_pushf (&plan->health, "peer %s@%s %s", ct_role_name (role), name, broker);
            break;
        }
        case CT_CTL:
        case CT_ROLE_COUNT:
            break;
    }
    for (int i = 0; i < nargs; i++)
        ct_vec_push (&plan->argv, args [i]);
    free (owned);
    if (rc < 0)
        ct_plan_free (plan);
    return rc;
}

void
ct_plan_free (ct_plan_t *plan)
{
    free (plan->program);
    free (plan->data);
    free (plan->sock_dir);
    free (plan->docker_socket);
    ct_vec_free (&plan->argv);
    ct_vec_free (&plan->health);
    *plan = (ct_plan_t){ 0 };
}
