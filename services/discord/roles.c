/*  roles: permissions in words. See roles.h. */
#include "roles.h"

#include "ddc_util.h"

#include <stdio.h>
#include <string.h>

//  Append text to out[size] holding *len bytes; false when it did not fit
//  within max bytes in all (nothing is appended then).
static bool
s_cat (char *out, size_t size, size_t *len, size_t max, const char *text)
{
    size_t n = strlen (text);
    if (*len + n >= size || *len + n > max)
        return false;
    memcpy (out + *len, text, n + 1);
    *len += n;
    return true;
}

cJSON *
roles_refusal (const render_ctx_t *r, const live_ctr_t *c, unsigned action)
{
    char list [400] = "", name [128], verb [32], text [800];
    size_t len = 0;
    int shown = 0;
    for (size_t i = 0; i < c->nroles && shown < 10; i++) {
        if (!(c->roles [i].actions & action))
            continue;
        char one [40];
        snprintf (one, sizeof (one), "%s<@&%s>", shown ? ", " : "", c->roles [i].id);
        if (s_cat (list, sizeof (list), &len, sizeof (list) - 1, one))
            shown++;
    }
    render_trunc (c->display, 60, name, sizeof (name));
    snprintf (verb, sizeof (verb), "verb.%s", live_action_name (action));
    i18n_fmt (text, sizeof (text), r->lang, "deny.role", list, i18n_get (r->lang, verb), name, NULL);
    cJSON *data = render_text (text);
    cJSON *mentions = cJSON_AddObjectToObject (data, "allowed_mentions");
    cJSON_AddArrayToObject (mentions, "parse");
    cJSON_AddNumberToObject (data, "flags", FLAG_EPHEMERAL);
    return data;
}

static void
s_help_field (cJSON *embed, const char *name, const char *value)
{
    cJSON *fields = cJSON_GetObjectItemCaseSensitive (embed, "fields");
    if (!fields)
        fields = cJSON_AddArrayToObject (embed, "fields");
    cJSON *f = cJSON_CreateObject ();
    cJSON_AddStringToObject (f, "name", name);
    cJSON_AddStringToObject (f, "value", value);
    cJSON_AddItemToArray (fields, f);
}

//  "start, restart (<@&1>), logs (<@&2>)" of the actions in may.
static void
s_actions (const render_ctx_t *r, unsigned may, const char *granted [4], char *out, size_t size)
{
    size_t len = 0;
    out [0] = '\0';
    for (int i = 0; i < 4; i++) {
        if (!(may & (1u << i)))
            continue;
        char key [32], one [80];
        snprintf (key, sizeof (key), "btn.%s", live_action_name (1u << i));
        if (granted [i])
            snprintf (one, sizeof (one), "%s%s (<@&%s>)", len ? ", " : "", i18n_get (r->lang, key),
                      granted [i]);
        else
            snprintf (one, sizeof (one), "%s%s", len ? ", " : "", i18n_get (r->lang, key));
        s_cat (out, size, &len, size - 1, one);
    }
}

void
roles_help (const render_ctx_t *r, cJSON *help, const char *user, const perm_roles_t *roles,
            const char *channel)
{
    cJSON *embed = cJSON_GetArrayItem (cJSON_GetObjectItemCaseSensitive (help, "embeds"), 0);
    if (!embed)
        return;
    const live_t *live = r->live;
    char text [ROLES_HELP_MAX + 200], line [512], tmp [200];
    size_t len = 0;
    text [0] = '\0';
    if (live_is_admin (live, user))
        s_cat (text, sizeof (text), &len, ROLES_HELP_MAX, i18n_get (r->lang, "help.you.admin"));
    else {
        size_t shown = 0, more = 0;
        for (size_t i = 0; i < live->nctrs; i++) {
            const live_ctr_t *c = &live->ctrs [i];
            const char *granted [4];
            unsigned may = c->active ? perm_may (live, user, roles, c, granted) : 0;
            if (!may)
                continue;
            char name [128], acts [300];
            render_trunc (c->display, 40, name, sizeof (name));
            s_actions (r, may, granted, acts, sizeof (acts));
            snprintf (line, sizeof (line), "%s**%s**: %s", shown ? "\n" : "", name, acts);
            if (!s_cat (text, sizeof (text), &len, ROLES_HELP_MAX, line))
                more++;
            else
                shown++;
        }
        if (more) {
            char n [24];
            snprintf (n, sizeof (n), "%zu", more);
            snprintf (line, sizeof (line), "\n%s",
                      i18n_fmt (tmp, sizeof (tmp), r->lang, "ov.more", n, NULL));
            s_cat (text, sizeof (text), &len, sizeof (text) - 1, line);
        }
        if (!shown && !more)
            s_cat (text, sizeof (text), &len, ROLES_HELP_MAX, i18n_get (r->lang, "help.you.none"));
    }
    s_help_field (embed, i18n_get (r->lang, "help.you"), text);

    //  where: the channels set up for ddc
    len = 0;
    text [0] = '\0';
    size_t listed = 0;
    for (size_t i = 0; i < live->nchans && listed < 20; i++) {
        snprintf (line, sizeof (line), "%s<#%s>", listed ? ", " : "", live->chans [i].id);
        if (s_cat (text, sizeof (text), &len, 600, line))
            listed++;
    }
    char where [900];
    if (!listed)
        ddc_strlcpy (where, i18n_get (r->lang, "help.where.none"), sizeof (where));
    else
        i18n_fmt (where, sizeof (where), r->lang,
                  live_channel (live, channel) ? "help.where.text" : "help.where.other", text, NULL);
    s_help_field (embed, i18n_get (r->lang, "help.where"), where);
    //  roles are mentioned, nobody is pinged
    if (!cJSON_GetObjectItemCaseSensitive (help, "allowed_mentions"))
        cJSON_AddArrayToObject (cJSON_AddObjectToObject (help, "allowed_mentions"), "parse");
}
