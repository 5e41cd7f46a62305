/*  setup: the one-time setup code. See setup.h. */
#include "setup.h"

#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char s_alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";   /* 32 symbols */

void
setup_code_new (char out[SETUP_CODE_LEN])
{
    int o = 0;
    for (int i = 0; i < 12; i++) {
        if (i && i % 4 == 0)
            out[o++] = '-';
        out[o++] = s_alphabet[randombytes_uniform (32)];
    }
    out[o] = '\0';
}

/* Upper-case letters and digits of s (at most 31) into out. */
static void
s_normalise (const char *s, char out[32])
{
    int o = 0;
    for (; s && *s && o < 31; s++) {
        char c = *s;
        if (c == '-' || c == ' ' || c == '\t')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char) (c - 'a' + 'A');
        out[o++] = c;
    }
    out[o] = '\0';
}

bool
setup_code_match (const char *code, const char *input)
{
    if (!code || !*code || !input)
        return false;
    char a[32], b[32];
    s_normalise (code, a);
    s_normalise (input, b);
    return session_streq (a, b);
}

int
setup_code_write (const char *path, const char *code)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    char line[SETUP_CODE_LEN + 1];
    int n = snprintf (line, sizeof line, "%s\n", code);
    int rc = 0;
    if (fchmod (fd, 0600) < 0 || write (fd, line, (size_t) n) != n)
        rc = -1;
    int saved = errno;
    if (close (fd) < 0 && rc == 0)
        return -1;
    errno = saved;
    return rc;
}
