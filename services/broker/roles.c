/*  roles: the static role table. See roles.h. */
#include "roles.h"

#include <stdlib.h>
#include <string.h>

static const role_t s_roles[] = {
    /* the operator reads the setup code; the web UI checks it and counts
       sign-in attempts */
    { "ctl", true, NULL, true, NULL, false, true, true, false },
    { "web", true, NULL, true, "web.password_hash", true, false, true, false },
    /* /addadmin in Discord adds to the admin list, and nothing else. The
       audit log names people and addresses: the bot has no need of it. */
    { "discord", false, "admins", true, "bot.token", false, false, false, false },
    /* the agent sends the alerts to the webhook itself, and reports the
       actions of its scheduled tasks */
    { "docker", false, NULL, false, "alerts.webhook_url", false, false, false, true },
    { "monitor", false, NULL, false, NULL, false, false, true, false },
};

#define ROLE_COUNT (sizeof s_roles / sizeof s_roles[0])

const role_t *
role_find (const char *name)
{
    for (size_t i = 0; i < ROLE_COUNT; i++)
        if (strcmp (s_roles[i].name, name) == 0)
            return &s_roles[i];
    return NULL;
}

bool
role_writes (const role_t *role, ddc_section_t s)
{
    return role->write || (role->writes && strcmp (role->writes, ddc_section_name (s)) == 0);
}

bool
role_reads_secrets (const role_t *role, ddc_section_t s)
{
    if (!role->secret)
        return false;
    const char *name = ddc_section_name (s);
    size_t n = strlen (name);
    return strncmp (role->secret, name, n) == 0 && role->secret[n] == '.';
}

cJSON *
role_view (const role_t *role, ddc_section_t s, const cJSON *value)
{
    if (role_reads_secrets (role, s))
        return cJSON_Duplicate (value, 1);
    return ddc_config_redact (s, value);
}

cJSON *
role_access (const role_t *role, const char *peer_name, const char *pub_endpoints)
{
    cJSON *access = cJSON_CreateObject ();
    cJSON_AddStringToObject (access, "name", peer_name);
    cJSON_AddStringToObject (access, "role", role->name);
    /* "pub" is the first endpoint; "pubs" all of them, one per transport. */
    cJSON *pubs = cJSON_CreateArray ();
    char *copy = strdup (pub_endpoints), *save = NULL;
    for (char *ep = copy ? strtok_r (copy, ",", &save) : NULL; ep; ep = strtok_r (NULL, ",", &save))
        cJSON_AddItemToArray (pubs, cJSON_CreateString (ep));
    free (copy);
    const cJSON *first = cJSON_GetArrayItem (pubs, 0);
    cJSON_AddStringToObject (access, "pub", first ? first->valuestring : pub_endpoints);
    cJSON_AddItemToObject (access, "pubs", pubs);
    cJSON *read = cJSON_AddArrayToObject (access, "read");
    cJSON *write = cJSON_AddArrayToObject (access, "write");
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        cJSON_AddItemToArray (read, cJSON_CreateString (ddc_section_name ((ddc_section_t) s)));
        if (role_writes (role, (ddc_section_t) s))
            cJSON_AddItemToArray (write, cJSON_CreateString (ddc_section_name ((ddc_section_t) s)));
    }
    cJSON *secrets = cJSON_AddArrayToObject (access, "secrets");
    char *list = role->secret ? strdup (role->secret) : NULL;
    save = NULL;
    for (char *f = list ? strtok_r (list, ",", &save) : NULL; f; f = strtok_r (NULL, ",", &save))
        cJSON_AddItemToArray (secrets, cJSON_CreateString (f));
    free (list);
    cJSON_AddBoolToObject (access, "actions", role->actions);
    cJSON_AddNumberToObject (access, "heartbeat_ms", 1000);
    return access;
}

const char *
role_names (void)
{
    return "ctl, web, discord, docker, monitor";
}
