/*  logtail: the new lines of a log between two reads. See logtail.h. */
#include "logtail.h"

#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *at;
    size_t len;
} s_tline_t;

struct logtail_t {
    char *text;       //  the latest answer (bounded)
    s_tline_t *lines; //  its lines, pointing into text
    size_t count;
    bool fed;
};

logtail_t *
logtail_new (void)
{
    return ddc_calloc (1, sizeof (logtail_t));
}

void
logtail_destroy (logtail_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->text);
    free ((*self_p)->lines);
    free (*self_p);
    *self_p = NULL;
}

//  The newest lines of text[len] (bounded) into a fresh array; the text
//  itself is copied into *copy_p (caller frees both).
static s_tline_t *
s_tsplit (const char *text, size_t len, char **copy_p, size_t *count_p)
{
    if (len > LOGTAIL_MAX_BYTES) {
        //  the newest bytes, from a line's start when there is one
        const char *from = text + len - LOGTAIL_MAX_BYTES;
        const char *nl = memchr (from, '\n', LOGTAIL_MAX_BYTES);
        if (nl && nl + 1 < text + len)
            from = nl + 1;
        else //  one long line: at a character
            while (from < text + len && ((unsigned char) *from & 0xC0) == 0x80)
                from++;
        len -= (size_t) (from - text);
        text = from;
    }
    char *copy = ddc_malloc (len + 1);
    memcpy (copy, text, len);
    copy [len] = '\0';
    //  count lines: a final "\n" ends the last line, it does not start one
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (copy [i] == '\n')
            n++;
    if (len && copy [len - 1] != '\n')
        n++;
    s_tline_t *lines = ddc_malloc ((n ? n : 1) * sizeof (*lines));
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= len; i++)
        if (i == len ? i > start : copy [i] == '\n') {
            lines [k].at = copy + start;
            lines [k].len = i - start;
            k++;
            start = i + 1;
        }
    //  keep the newest LOGTAIL_MAX_LINES
    if (k > LOGTAIL_MAX_LINES) {
        memmove (lines, lines + (k - LOGTAIL_MAX_LINES), LOGTAIL_MAX_LINES * sizeof (*lines));
        k = LOGTAIL_MAX_LINES;
    }
    *copy_p = copy;
    *count_p = k;
    return lines;
}

static bool
s_tsame (const s_tline_t *a, const s_tline_t *b)
{
    return a->len == b->len && memcmp (a->at, b->at, a->len) == 0;
}

static void
s_tadd (cJSON *out, const s_tline_t *l)
{
    char *s = ddc_strndup (l->at, l->len);
    cJSON_AddItemToArray (out, cJSON_CreateString (s));
    free (s);
}

void
logtail_lines (const char *text, size_t len, cJSON *out)
{
    char *copy;
    size_t n;
    s_tline_t *lines = s_tsplit (text ? text : "", text ? len : 0, &copy, &n);
    for (size_t i = 0; i < n; i++)
        s_tadd (out, &lines [i]);
    free (lines);
    free (copy);
}

size_t
logtail_feed (logtail_t *self, const char *text, size_t len, cJSON *out, bool *gap_p)
{
    char *copy;
    size_t n;
    s_tline_t *lines = s_tsplit (text ? text : "", text ? len : 0, &copy, &n);
    *gap_p = false;
    //  the smallest shift k with old[k..] == new[0..old-k): the lines after
    //  that overlap are new
    size_t from = 0;
    if (self->fed && self->count) {
        size_t k = 0, old = self->count;
        for (; k < old; k++) {
            size_t overlap = old - k;
            if (overlap > n)
                continue;
            size_t j = 0;
            while (j < overlap && s_tsame (&self->lines [k + j], &lines [j]))
                j++;
            if (j == overlap)
                break;
        }
        from = old - k; //  k == old: no overlap at all
        *gap_p = k == old && n > 0;
    }
    for (size_t i = from; i < n; i++)
        s_tadd (out, &lines [i]);
    free (self->text);
    free (self->lines);
    self->text = copy;
    self->lines = lines;
    self->count = n;
    self->fed = true;
    return n - from;
}
