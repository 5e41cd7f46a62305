/*  scope: the Docker label scope of the agent. See scope.h. */
#include "scope.h"

#include <cJSON.h>
#include "ddc_json.h"
#include "ddc_util.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _scope_t {
    char labels [SCOPE_LABELS_MAX][SCOPE_LABEL_MAX];
    size_t count;
    char text [SCOPE_LABELS_MAX * (SCOPE_LABEL_MAX + 1)];
};

scope_t *
scope_new (void)
{
    return ddc_calloc (1, sizeof (scope_t));
}

void
scope_destroy (scope_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

int
scope_add (scope_t *self, const char *label, char *err, size_t errlen)
{
    assert (self);
    size_t len = label ? strlen (label) : 0;
    if (len == 0 || label [0] == '=') {
        snprintf (err, errlen, "--label needs KEY or KEY=VALUE");
        return -1;
    }
    if (len >= SCOPE_LABEL_MAX) {
        snprintf (err, errlen, "--label is longer than %d characters", SCOPE_LABEL_MAX - 1);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) label [i] < 0x20 || label [i] == 0x7f) {
            snprintf (err, errlen, "--label must not hold control characters");
            return -1;
        }
    if (self->count == SCOPE_LABELS_MAX) {
        snprintf (err, errlen, "at most %d --label flags", SCOPE_LABELS_MAX);
        return -1;
    }
    memcpy (self->labels [self->count++], label, len + 1);
    self->text [0] = '\0';
    for (size_t i = 0; i < self->count; i++) {
        if (i)
            strcat (self->text, ",");
        strcat (self->text, self->labels [i]);
    }
    return 0;
}

bool
scope_empty (const scope_t *self)
{
    return !self || self->count == 0;
}

const char *
scope_text (const scope_t *self)
{
    return self ? self->text : "";
}

char *
scope_filters (const scope_t *self, const char *base)
{
    cJSON *root = base ? cJSON_Parse (base) : cJSON_CreateObject ();
    if (!cJSON_IsObject (root)) {
        cJSON_Delete (root);
        return NULL;
    }
    if (!scope_empty (self)) {
        cJSON *arr = cJSON_CreateArray ();
        for (size_t i = 0; i < self->count; i++)
            cJSON_AddItemToArray (arr, cJSON_CreateString (self->labels [i]));
        cJSON_DeleteItemFromObjectCaseSensitive (root, "label");
        cJSON_AddItemToObject (root, "label", arr);
    }
    char *text = ddc_json_print (root);
    cJSON_Delete (root);
    return text;
}

//  Whether labels (an object of strings) holds KEY, or KEY with VALUE.
static bool
s_has (const cJSON *labels, const char *label)
{
    const char *eq = strchr (label, '=');
    size_t klen = eq ? (size_t) (eq - label) : strlen (label);
    const cJSON *item;
    cJSON_ArrayForEach (item, labels) {
        if (!item->string || strlen (item->string) != klen
            || memcmp (item->string, label, klen) != 0)
            continue;
        if (!eq)
            return true;
        return cJSON_IsString (item) && strcmp (item->valuestring, eq + 1) == 0;
    }
    return false;
}

bool
scope_match_inspect (const scope_t *self, const char *body, size_t len)
{
    if (scope_empty (self))
        return true;
    //  strict, as docker_inspect_parse reads the same body after it
    cJSON *root = body ? ddc_json_parse (body, len, len, NULL, 0) : NULL;
    const cJSON *config = cJSON_GetObjectItemCaseSensitive (root, "Config");
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive (config, "Labels");
    bool ok = cJSON_IsObject (labels);
    for (size_t i = 0; ok && i < self->count; i++)
        ok = s_has (labels, self->labels [i]);
    cJSON_Delete (root);
    return ok;
}
