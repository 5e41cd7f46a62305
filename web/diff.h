/*  diff: a line diff of two texts for the history page (a revision's
    section value against the previous one, both pretty-printed JSON).
    Kore-free. Common leading and trailing lines are matched first; the rest
    is a longest-common-subsequence diff while it stays within
    DIFF_MAX_CELLS of work, beyond that shown as removed then added. */
#ifndef WEB_DIFF_H
#define WEB_DIFF_H

#include <stddef.h>

#define DIFF_MAX_LINES 20000
#define DIFF_MAX_CELLS (2u * 1000u * 1000u)

typedef struct {
    char op;          //  ' ' same, '-' only in old, '+' only in new
    const char *line; //  borrowed from the texts given
    size_t len;       //  without the newline
} diff_line_t;

typedef struct {
    diff_line_t *lines;
    size_t count;
    size_t added, removed;
} diff_t;

//  Diff old_text against new_text (either may be NULL = empty). The result
//  borrows from both texts: keep them alive. Returns NULL when a text has
//  more than DIFF_MAX_LINES lines.
diff_t *diff_new (const char *old_text, const char *new_text);
void diff_destroy (diff_t **self_p);

#endif
