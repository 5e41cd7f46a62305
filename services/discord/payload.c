/*  payload: gateway payload and dispatch parsing. See payload.h. */
#include "payload.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

//  Make buf valid UTF-8 in place: control characters (but line breaks
//  when lines) become spaces, bytes that do not form a character '?', a
//  sequence cut at the end is dropped.
static void
s_clean (char *buf, bool lines)
{
    unsigned char *p = (unsigned char *) buf;
    size_t len = strlen (buf), i = 0;
    while (i < len) {
        unsigned char c = p [i];
        size_t n = c < 0x80                          ? 1
                   : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 2
                   : (c & 0xf0) == 0xe0              ? 3
                   : (c & 0xf8) == 0xf0 && c <= 0xf4 ? 4
                                                     : 0;
        if (n == 1) {
            if ((c < 0x20 && !(lines && (c == '\n' || c == '\r'))) || c == 0x7f)
                p [i] = ' ';
            i++;
            continue;
        }
        bool ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++)
            ok = (p [i + k] & 0xc0) == 0x80;
        if (ok && n == 3) {
            unsigned cp = ((c & 0x0fu) << 12) | ((p [i + 1] & 0x3fu) << 6);
            ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
        }
        if (ok && n == 4) {
            unsigned cp = ((c & 0x07u) << 18) | ((p [i + 1] & 0x3fu) << 12);
            ok = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (!ok && n > 0 && i + n > len) {
            p [i] = '\0'; //  cut by the truncation
            return;
        }
        if (!ok) {
            p [i++] = '?';
            continue;
        }
        i += n;
    }
}

static void
s_clean_utf8 (char *buf)
{
    s_clean (buf, false);
}

//  A string member into buf (truncated to size, made valid UTF-8 with no
//  control characters). 0 if it was a string, -1 otherwise (buf = "").
static int
s_get_str (const cJSON *obj, const char *key, char *buf, size_t size)
{
    buf [0] = '\0';
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
    if (!cJSON_IsString (v) || !v->valuestring)
        return -1;
    ddc_strlcpy (buf, v->valuestring, size);
    s_clean_utf8 (buf);
    return 0;
}

bool
gw_snowflake_ok (const char *s)
{
    if (!s || !*s)
        return false;
    size_t n = 0;
    for (; s [n]; n++)
        if (s [n] < '0' || s [n] > '9' || n >= 20)
            return false;
    return true;
}

int
gw_get_id (const cJSON *obj, const char *key, char buf [GW_ID_MAX])
{
    buf [0] = '\0';
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
    if (!cJSON_IsString (v) || !gw_snowflake_ok (v->valuestring))
        return -1;
    ddc_strlcpy (buf, v->valuestring, GW_ID_MAX);
    return 0;
}

int
gw_payload_parse (const char *text, size_t len, gw_payload_t *out, char *err, size_t errlen)
{
    memset (out, 0, sizeof (*out));
    out->s = -1;
    char why [120];
    cJSON *root = ddc_json_parse (text, len, GW_PAYLOAD_MAX, why, sizeof (why));
    if (!root) {
        snprintf (err, errlen, "not valid JSON: %s", why);
        return -1;
    }
    if (!cJSON_IsObject (root)) {
        snprintf (err, errlen, "not a JSON object");
        cJSON_Delete (root);
        return -1;
    }
    const cJSON *op = cJSON_GetObjectItemCaseSensitive (root, "op");
    if (!cJSON_IsNumber (op) || op->valuedouble != floor (op->valuedouble) || op->valuedouble < 0
        || op->valuedouble > 255) {
        snprintf (err, errlen, "no integer op from 0 to 255");
        cJSON_Delete (root);
        return -1;
    }
    out->op = (int) op->valuedouble;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive (root, "s");
    if (cJSON_IsNumber (s) && s->valuedouble >= 0 && s->valuedouble < 9e15
        && s->valuedouble == floor (s->valuedouble))
        out->s = (int64_t) s->valuedouble;
    s_get_str (root, "t", out->t, sizeof (out->t));
    out->root = root;
    out->d = cJSON_GetObjectItemCaseSensitive (root, "d");
    return 0;
}

void
gw_payload_free (gw_payload_t *p)
{
    if (!p)
        return;
    cJSON_Delete (p->root);
    p->root = NULL;
    p->d = NULL;
}

int
gw_ready_parse (const cJSON *d, gw_ready_t *out)
{
    memset (out, 0, sizeof (*out));
    if (!cJSON_IsObject (d))
        return -1;
    if (s_get_str (d, "session_id", out->session_id, sizeof (out->session_id)) < 0
        || !out->session_id [0])
        return -1;
    s_get_str (d, "resume_gateway_url", out->resume_url, sizeof (out->resume_url));
    if (strncmp (out->resume_url, "ws://", 5) != 0 && strncmp (out->resume_url, "wss://", 6) != 0)
        out->resume_url [0] = '\0';
    //  The url must not carry a query: the client appends one.
    if (strchr (out->resume_url, '?'))
        *strchr (out->resume_url, '?') = '\0';
    const cJSON *user = cJSON_GetObjectItemCaseSensitive (d, "user");
    if (gw_get_id (user, "id", out->user_id) < 0)
        return -1;
    s_get_str (user, "username", out->username, sizeof (out->username));
    const cJSON *app = cJSON_GetObjectItemCaseSensitive (d, "application");
    if (gw_get_id (app, "id", out->app_id) < 0)
        ddc_strlcpy (out->app_id, out->user_id, sizeof (out->app_id));
    return 0;
}

//  An option value as text.
static void
s_option_value (const cJSON *v, char *buf, size_t size)
{
    buf [0] = '\0';
    if (cJSON_IsString (v) && v->valuestring) {
        ddc_strlcpy (buf, v->valuestring, size);
        s_clean_utf8 (buf);
    }
    else if (cJSON_IsNumber (v)) {
        if (isfinite (v->valuedouble))
            snprintf (buf, size, "%.15g", v->valuedouble);
    }
    else if (cJSON_IsBool (v))
        ddc_strlcpy (buf, cJSON_IsTrue (v) ? "true" : "false", size);
}

//  One text input {type 4, custom_id, value} or string select {type 3,
//  custom_id, values: [first, ...]} into the next free field.
static void
s_text_input (gw_interaction_t *ix, const cJSON *c)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive (c, "type");
    if (ix->nfields >= GW_FIELDS_MAX || !cJSON_IsNumber (type)
        || (type->valuedouble != 4 && type->valuedouble != 3))
        return;
    char id [GW_CUSTOM_ID_MAX];
    if (s_get_str (c, "custom_id", id, sizeof (id)) < 0 || !id [0])
        return;
    ddc_strlcpy (ix->fields [ix->nfields].id, id, sizeof (ix->fields [0].id));
    if (type->valuedouble == 4) {
        //  A paragraph keeps its line breaks.
        const cJSON *v = cJSON_GetObjectItemCaseSensitive (c, "value");
        char *out = ix->fields [ix->nfields].value;
        out [0] = '\0';
        if (cJSON_IsString (v) && v->valuestring) {
            ddc_strlcpy (out, v->valuestring, sizeof (ix->fields [0].value));
            s_clean (out, true);
        }
    }
    else {
        const cJSON *values = cJSON_GetObjectItemCaseSensitive (c, "values");
        const cJSON *first = cJSON_IsArray (values) ? values->child : NULL;
        ix->fields [ix->nfields].value [0] = '\0';
        if (cJSON_IsString (first) && first->valuestring) {
            ddc_strlcpy (ix->fields [ix->nfields].value, first->valuestring,
                         sizeof (ix->fields [0].value));
            s_clean_utf8 (ix->fields [ix->nfields].value);
        }
    }
    ix->nfields++;
}

//  Inputs of a modal submit: rows {type 1, components:[{type 4}]} or labels
//  {type 18, component:{type 4 or 3}}; depth-limited.
static void
s_modal_fields (gw_interaction_t *ix, const cJSON *list, int depth)
{
    if (!cJSON_IsArray (list) || depth > 3)
        return;
    int seen = 0;
    for (const cJSON *c = list->child; c && seen < 50; c = c->next, seen++) {
        if (!cJSON_IsObject (c))
            continue;
        s_text_input (ix, c);
        s_modal_fields (ix, cJSON_GetObjectItemCaseSensitive (c, "components"), depth + 1);
        const cJSON *one = cJSON_GetObjectItemCaseSensitive (c, "component");
        if (cJSON_IsObject (one))
            s_text_input (ix, one);
    }
}

int
gw_interaction_parse (const cJSON *d, gw_interaction_t *ix)
{
    memset (ix, 0, sizeof (*ix));
    if (!cJSON_IsObject (d))
        return -1;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive (d, "type");
    if (!cJSON_IsNumber (type) || type->valuedouble < 1 || type->valuedouble > 5
        || type->valuedouble != floor (type->valuedouble))
        return -1;
    ix->type = (int) type->valuedouble;
    if (gw_get_id (d, "id", ix->id) < 0 || gw_get_id (d, "application_id", ix->app_id) < 0)
        return -1;
    const cJSON *token = cJSON_GetObjectItemCaseSensitive (d, "token");
    if (!cJSON_IsString (token) || !token->valuestring || !token->valuestring [0]
        || strlen (token->valuestring) >= GW_TOKEN_MAX)
        return -1;
    for (const char *p = token->valuestring; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '/' || *p == '?' || *p == '%' || *p == '#')
            return -1; //  it goes into a URL path
    ddc_strlcpy (ix->token, token->valuestring, sizeof (ix->token));
    gw_get_id (d, "guild_id", ix->guild_id);
    const cJSON *channel = cJSON_GetObjectItemCaseSensitive (d, "channel");
    if (gw_get_id (channel, "id", ix->channel_id) < 0)
        gw_get_id (d, "channel_id", ix->channel_id);
    const cJSON *member = cJSON_GetObjectItemCaseSensitive (d, "member");
    const cJSON *user = cJSON_GetObjectItemCaseSensitive (member, "user");
    if (!user)
        user = cJSON_GetObjectItemCaseSensitive (d, "user");
    if (gw_get_id (user, "id", ix->user_id) < 0)
        return -1;
    if (s_get_str (user, "global_name", ix->username, sizeof (ix->username)) < 0
        || !ix->username [0])
        s_get_str (user, "username", ix->username, sizeof (ix->username));
    s_get_str (d, "locale", ix->locale, sizeof (ix->locale));
    //  the member's roles (in a guild): snowflakes only, the first GW_ROLES_MAX
    const cJSON *roles = cJSON_GetObjectItemCaseSensitive (member, "roles");
    for (const cJSON *r = cJSON_IsArray (roles) ? roles->child : NULL;
         r && ix->nroles < GW_ROLES_MAX; r = r->next)
        if (cJSON_IsString (r) && gw_snowflake_ok (r->valuestring))
            ddc_strlcpy (ix->roles [ix->nroles++], r->valuestring, GW_ID_MAX);

    const cJSON *data = cJSON_GetObjectItemCaseSensitive (d, "data");
    if (ix->type == GW_IX_PING)
        return 0;
    if (!cJSON_IsObject (data))
        return -1;
    if (ix->type == GW_IX_COMMAND || ix->type == GW_IX_AUTOCOMPLETE) {
        if (s_get_str (data, "name", ix->name, sizeof (ix->name)) < 0 || !ix->name [0])
            return -1;
        const cJSON *opts = cJSON_GetObjectItemCaseSensitive (data, "options");
        //  A sub-command (option type 1) holds the options given to it.
        const cJSON *first = cJSON_IsArray (opts) ? opts->child : NULL;
        const cJSON *ft = cJSON_GetObjectItemCaseSensitive (first, "type");
        if (cJSON_IsNumber (ft) && ft->valuedouble == 1) {
            if (s_get_str (first, "name", ix->subcommand, sizeof (ix->subcommand)) < 0
                || !ix->subcommand [0])
                return -1;
            opts = cJSON_GetObjectItemCaseSensitive (first, "options");
        }
        int seen = 0;
        for (const cJSON *o = cJSON_IsArray (opts) ? opts->child : NULL;
             o && ix->noptions < GW_OPTIONS_MAX && seen < 25; o = o->next, seen++) {
            gw_option_t *opt = &ix->options [ix->noptions];
            if (!cJSON_IsObject (o) || s_get_str (o, "name", opt->name, sizeof (opt->name)) < 0)
                continue;
            const cJSON *ot = cJSON_GetObjectItemCaseSensitive (o, "type");
            opt->type = cJSON_IsNumber (ot) && ot->valuedouble >= 0 && ot->valuedouble < 100
                            ? (int) ot->valuedouble
                            : 0;
            opt->focused = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (o, "focused"));
            s_option_value (cJSON_GetObjectItemCaseSensitive (o, "value"), opt->value,
                            sizeof (opt->value));
            ix->noptions++;
        }
        return 0;
    }
    if (s_get_str (data, "custom_id", ix->custom_id, sizeof (ix->custom_id)) < 0
        || !ix->custom_id [0])
        return -1;
    const cJSON *message = cJSON_GetObjectItemCaseSensitive (d, "message");
    gw_get_id (message, "id", ix->message_id);
    if (ix->type == GW_IX_COMPONENT) {
        const cJSON *ct = cJSON_GetObjectItemCaseSensitive (data, "component_type");
        ix->component_type = cJSON_IsNumber (ct) && ct->valuedouble >= 0 && ct->valuedouble < 100
                                 ? (int) ct->valuedouble
                                 : 0;
        const cJSON *values = cJSON_GetObjectItemCaseSensitive (data, "values");
        for (const cJSON *v = cJSON_IsArray (values) ? values->child : NULL;
             v && ix->nvalues < GW_VALUES_MAX; v = v->next)
            if (cJSON_IsString (v) && v->valuestring) {
                ddc_strlcpy (ix->values [ix->nvalues], v->valuestring, GW_CUSTOM_ID_MAX);
                s_clean_utf8 (ix->values [ix->nvalues++]);
            }
        return 0;
    }
    s_modal_fields (ix, cJSON_GetObjectItemCaseSensitive (data, "components"), 0);
    return 0;
}

int
gw_message_parse (const cJSON *d, gw_message_t *out)
{
    memset (out, 0, sizeof (*out));
    if (!cJSON_IsObject (d))
        return -1;
    if (gw_get_id (d, "id", out->id) < 0 || gw_get_id (d, "channel_id", out->channel_id) < 0)
        return -1;
    gw_get_id (d, "guild_id", out->guild_id);
    const cJSON *author = cJSON_GetObjectItemCaseSensitive (d, "author");
    gw_get_id (author, "id", out->author_id);
    out->author_bot = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (author, "bot"));
    return 0;
}

const gw_option_t *
gw_option (const gw_interaction_t *ix, const char *name)
{
    for (int i = 0; i < ix->noptions; i++)
        if (strcmp (ix->options [i].name, name) == 0)
            return &ix->options [i];
    return NULL;
}

const gw_option_t *
gw_focused (const gw_interaction_t *ix)
{
    for (int i = 0; i < ix->noptions; i++)
        if (ix->options [i].focused)
            return &ix->options [i];
    return ix->noptions ? &ix->options [0] : NULL;
}

const char *
gw_field (const gw_interaction_t *ix, const char *id)
{
    for (int i = 0; i < ix->nfields; i++)
        if (strcmp (ix->fields [i].id, id) == 0)
            return ix->fields [i].value;
    return NULL;
}
