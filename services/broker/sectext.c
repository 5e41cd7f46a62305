/*  sectext: the sections' JSON text per revision. See sectext.h. */
#include "sectext.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t rev;
    const cJSON *value; //  the store's tree it was printed from
    char *text;         //  NULL until printed
    size_t len;
} s_text_t;

struct sectext_t {
    s_text_t texts [DDC_SEC_COUNT][2]; //  [section][full]
};

sectext_t *
sectext_new (void)
{
    return ddc_calloc (1, sizeof (sectext_t));
}

void
sectext_destroy (sectext_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sectext_t *self = *self_p;
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        for (int full = 0; full < 2; full++)
            free (self->texts [s][full].text);
    free (self);
    *self_p = NULL;
}

const char *
sectext_get (sectext_t *self, ddc_section_t s, bool full, uint64_t rev, const cJSON *value,
             size_t *len_p)
{
    s_text_t *t = &self->texts [s][full ? 1 : 0];
    if (!t->text || t->rev != rev || t->value != value) {
        free (t->text);
        if (full)
            t->text = ddc_json_print (value);
        else
            t->text = ddc_config_redacted_text (s, value);
        if (!t->text)
            t->text = ddc_strdup ("null");
        t->len = strlen (t->text);
        t->rev = rev;
        t->value = value;
    }
    *len_p = t->len;
    return t->text;
}
