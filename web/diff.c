/*  diff: bounded line diff. See diff.h. */
#include "diff.h"

#include "ddc_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t len;
} s_line_t;

//  Split text into lines (a final newline makes no empty last line).
static s_line_t *
s_split (const char *text, size_t *count_p)
{
    size_t n = 0, cap = 16;
    s_line_t *lines = ddc_malloc (cap * sizeof (*lines));
    const char *p = text ? text : "";
    while (*p) {
        const char *nl = strchr (p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen (p);
        if (n == DIFF_MAX_LINES) {
            free (lines);
            return NULL;
        }
        if (n == cap) {
            cap *= 2;
            lines = ddc_realloc (lines, cap * sizeof (*lines));
        }
        lines [n].s = p;
        lines [n].len = len;
        n++;
        p += len + (nl ? 1 : 0);
    }
    *count_p = n;
    return lines;
}

static int
s_eq (const s_line_t *a, const s_line_t *b)
{
    return a->len == b->len && memcmp (a->s, b->s, a->len) == 0;
}

static void
s_push (diff_t *d, size_t *cap, char op, const s_line_t *l)
{
    if (d->count == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        d->lines = ddc_realloc (d->lines, *cap * sizeof (*d->lines));
    }
    d->lines [d->count].op = op;
    d->lines [d->count].line = l->s;
    d->lines [d->count].len = l->len;
    d->count++;
    if (op == '+')
        d->added++;
    else if (op == '-')
        d->removed++;
}

diff_t *
diff_new (const char *old_text, const char *new_text)
{
    size_t na = 0, nb = 0;
    s_line_t *a = s_split (old_text, &na);
    s_line_t *b = a ? s_split (new_text, &nb) : NULL;
    if (!a || !b) {
        free (a);
        free (b);
        return NULL;
    }
    diff_t *d = ddc_calloc (1, sizeof (*d));
    size_t cap = 0;

    size_t pre = 0;
    while (pre < na && pre < nb && s_eq (&a [pre], &b [pre]))
        pre++;
    size_t suf = 0;
    while (suf < na - pre && suf < nb - pre && s_eq (&a [na - 1 - suf], &b [nb - 1 - suf]))
        suf++;
    for (size_t i = 0; i < pre; i++)
        s_push (d, &cap, ' ', &a [i]);

    size_t ma = na - pre - suf, mb = nb - pre - suf;
    const s_line_t *xa = a + pre, *xb = b + pre;
    if (ma && mb && (uint64_t) (ma + 1) * (mb + 1) <= DIFF_MAX_CELLS) {
        //  lcs[i][j]: LCS length of xa[i..] and xb[j..]
        size_t w = mb + 1;
        uint32_t *lcs = ddc_calloc ((ma + 1) * w, sizeof (*lcs));
        for (size_t i = ma; i-- > 0;)
            for (size_t j = mb; j-- > 0;)
                lcs [i * w + j] =
                    s_eq (&xa [i], &xb [j])
                        ? lcs [(i + 1) * w + j + 1] + 1
                        : (lcs [(i + 1) * w + j] >= lcs [i * w + j + 1] ? lcs [(i + 1) * w + j]
                                                                        : lcs [i * w + j + 1]);
        size_t i = 0, j = 0;
        while (i < ma && j < mb) {
            if (s_eq (&xa [i], &xb [j])) {
                s_push (d, &cap, ' ', &xa [i]);
                i++;
                j++;
            }
            else if (lcs [(i + 1) * w + j] >= lcs [i * w + j + 1])
                s_push (d, &cap, '-', &xa [i++]);
            else
                s_push (d, &cap, '+', &xb [j++]);
        }
        while (i < ma)
            s_push (d, &cap, '-', &xa [i++]);
        while (j < mb)
            s_push (d, &cap, '+', &xb [j++]);
        free (lcs);
    }
    else {
        for (size_t i = 0; i < ma; i++)
            s_push (d, &cap, '-', &xa [i]);
        for (size_t j = 0; j < mb; j++)
            s_push (d, &cap, '+', &xb [j]);
    }
    for (size_t i = na - suf; i < na; i++)
        s_push (d, &cap, ' ', &a [i]);
    free (a);
    free (b);
    return d;
}

void
diff_destroy (diff_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->lines);
    free (*self_p);
    *self_p = NULL;
}
