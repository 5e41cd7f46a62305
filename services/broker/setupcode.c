/*  setupcode: the web UI's one-time setup code. See setupcode.h. */
#include "setupcode.h"

#include "ddc_util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char s_alphabet [] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; //  32 symbols

#define S_SYMBOLS 12
#define S_NORMAL 32 //  a normalised input, NUL included

struct setupcode_t {
    char *path;
    char code [SETUPCODE_LEN]; //  "" while a password is set
    bool synced;               //  setupcode_sync ran once
};

void
setupcode_make (char out [SETUPCODE_LEN])
{
    int o = 0;
    for (int i = 0; i < S_SYMBOLS; i++) {
        if (i && i % 4 == 0)
            out [o++] = '-';
        out [o++] = s_alphabet [randombytes_uniform (32)];
    }
    out [o] = '\0';
}

//  The letters and digits of s, upper-cased, zero-padded to S_NORMAL bytes;
//  false when s has other characters than those, spaces and dashes, or more
//  than S_NORMAL - 1 of them.
static bool
s_normalise (const char *s, char out [S_NORMAL])
{
    memset (out, 0, S_NORMAL);
    int o = 0;
    for (; *s; s++) {
        char c = *s;
        if (c == '-' || c == ' ' || c == '\t')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char) (c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || o == S_NORMAL - 1)
            return false;
        out [o++] = c;
    }
    return true;
}

//  True when text (a file's content) is one well-formed code and a line
//  break; the code goes to out.
static bool
s_parse (const char *text, char out [SETUPCODE_LEN])
{
    size_t len = strcspn (text, "\r\n");
    if (len != SETUPCODE_LEN - 1 || strspn (text + len, "\r\n") != strlen (text + len))
        return false;
    for (size_t i = 0; i < len; i++) {
        bool dash = i % 5 == 4;
        if (dash ? text [i] != '-' : !strchr (s_alphabet, text [i]))
            return false;
    }
    memcpy (out, text, len);
    out [len] = '\0';
    return true;
}

setupcode_t *
setupcode_new (const char *dir)
{
    if (sodium_init () < 0)
        return NULL;
    setupcode_t *self = ddc_calloc (1, sizeof (*self));
    self->path = ddc_asprintf ("%s/%s", dir, SETUPCODE_FILE);
    return self;
}

void
setupcode_destroy (setupcode_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sodium_memzero ((*self_p)->code, sizeof (*self_p)->code);
    free ((*self_p)->path);
    free (*self_p);
    *self_p = NULL;
}

setupcode_change_t
setupcode_sync (setupcode_t *self, bool password_set)
{
    bool first = !self->synced;
    self->synced = true;
    if (password_set) {
        bool had = self->code [0] != '\0';
        sodium_memzero (self->code, sizeof (self->code));
        if (unlink (self->path) == 0)
            had = true;
        return had ? SETUPCODE_WITHDRAWN : SETUPCODE_KEPT;
    }
    if (self->code [0])
        return SETUPCODE_KEPT;
    if (first) {
        //  the code of the last run survives a restart
        char *text = NULL;
        size_t len = 0;
        if (ddc_read_file (self->path, 64, &text, &len) == 0) {
            bool ok = s_parse (text, self->code);
            sodium_memzero (text, len);
            free (text);
            if (ok) {
                chmod (self->path, 0600);
                return SETUPCODE_LOADED;
            }
        }
    }
    setupcode_make (self->code);
    char line [SETUPCODE_LEN + 1];
    snprintf (line, sizeof (line), "%s\n", self->code);
    int rc = ddc_write_file_atomic (self->path, line, strlen (line), 0600);
    sodium_memzero (line, sizeof (line));
    return rc == 0 ? SETUPCODE_MADE : SETUPCODE_UNWRITTEN;
}

const char *
setupcode_get (const setupcode_t *self)
{
    return self->code [0] ? self->code : NULL;
}

const char *
setupcode_path (const setupcode_t *self)
{
    return self->path;
}

bool
setupcode_matches (const setupcode_t *self, const char *input)
{
    if (!self->code [0] || !input)
        return false;
    char want [S_NORMAL], got [S_NORMAL];
    s_normalise (self->code, want);
    bool ok = s_normalise (input, got);
    //  every byte compared, whatever the input
    bool same = sodium_memcmp (want, got, S_NORMAL) == 0;
    sodium_memzero (want, sizeof (want));
    sodium_memzero (got, sizeof (got));
    return ok && same;
}
