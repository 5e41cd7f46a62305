/*  roles: the static role table. See roles.h. */
#include "roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const role_t s_roles [] = {
    //  the operator reads the setup code; the web UI checks it and counts
    //  sign-in attempts
    { "ctl", true, NULL, false, true, NULL, false, true, true, false },
    { "web", true, NULL, false, true, "web.password_hash,web.metrics_token", true, false, true,
      false },
    //  From Discord: /addadmin, scheduled tasks (/task and the panel's
    //  button) and a container's info text, nothing else of the
    //  containers. The audit log names people and addresses: the bot has
    //  no need of it.
    { "discord", false, "admins,tasks,containers", true, true, "bot.token", false, false, false,
      false },
    //  the agent sends the alerts to the webhook itself, and reports the
    //  actions of its scheduled tasks
    { "docker", false, NULL, false, false, "alerts.webhook_url", false, false, false, true },
    { "monitor", false, NULL, false, false, NULL, false, false, true, false },
};

#define ROLE_COUNT (sizeof (s_roles) / sizeof (s_roles [0]))

const role_t *
role_find (const char *name)
{
    for (size_t i = 0; i < ROLE_COUNT; i++)
        if (strcmp (s_roles [i].name, name) == 0)
            return &s_roles [i];
    return NULL;
}

bool
role_writes (const role_t *role, ddc_section_t s)
{
    if (role->write)
        return true;
    const char *name = ddc_section_name (s);
    size_t n = strlen (name);
    for (const char *p = role->writes; p && *p; p = strchr (p, ',') ? strchr (p, ',') + 1 : NULL)
        if (strncmp (p, name, n) == 0 && (p [n] == ',' || p [n] == '\0'))
            return true;
    return false;
}

//  A container without its info (a copy, caller frees).
static cJSON *
s_without_info (const cJSON *c)
{
    cJSON *copy = cJSON_Duplicate (c, 1);
    cJSON_DeleteItemFromObjectCaseSensitive (copy, "info");
    return copy;
}

bool
role_may_change (const role_t *role, ddc_section_t s, const cJSON *current, const cJSON *value,
                 char *why, size_t size)
{
    if (!role->info_only || s != DDC_SEC_CONTAINERS)
        return true;
    int n = cJSON_GetArraySize (current);
    bool same = cJSON_IsArray (value) && cJSON_GetArraySize (value) == n;
    for (int i = 0; same && i < n; i++) {
        cJSON *a = s_without_info (cJSON_GetArrayItem (current, i));
        cJSON *b = s_without_info (cJSON_GetArrayItem (value, i));
        same = cJSON_Compare (a, b, true);
        cJSON_Delete (a);
        cJSON_Delete (b);
    }
    if (!same)
        snprintf (why, size, "the %s role may change only the containers' info", role->name);
    return same;
}

bool
role_reads_secrets (const role_t *role, ddc_section_t s)
{
    if (!role->secret)
        return false;
    const char *name = ddc_section_name (s);
    size_t n = strlen (name);
    return strncmp (role->secret, name, n) == 0 && role->secret [n] == '.';
}

cJSON *
role_access (const role_t *role, const char *peer_name, const char *pub_endpoints)
{
    cJSON *access = cJSON_CreateObject ();
    cJSON_AddStringToObject (access, "name", peer_name);
    cJSON_AddStringToObject (access, "role", role->name);
    //  "pub" is the first endpoint; "pubs" all of them, one per transport.
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
