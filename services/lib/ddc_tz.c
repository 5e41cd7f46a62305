/*  ddc_tz: IANA time zones. See ddc_tz.h. */
#include "ddc_tz.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  True if name is syntactically a zone name (no file access).

static bool
s_name_ok (const char *name)
{
    size_t len = strnlen (name, DDC_TZ_NAME_MAX + 1);
    if (len == 0 || len > DDC_TZ_NAME_MAX || name [0] == '/')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name [i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
               || (c >= '0' && c <= '9')
               || c == '/' || c == '_' || c == '+' || c == '-';
        if (!ok)
            return false;
    }
    if (strstr (name, "..") || strstr (name, "//"))
        return false;
    return true;
}

bool
ddc_tz_valid (const char *name)
{
    if (!name || !s_name_ok (name))
        return false;
    char path [sizeof (DDC_TZ_DIR) + DDC_TZ_NAME_MAX + 2];
    snprintf (path, sizeof (path), "%s/%s", DDC_TZ_DIR, name);

    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st;
    bool valid = false;
    if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode)) {
        char magic [4];
        valid = read (fd, magic, sizeof (magic)) == (ssize_t) sizeof (magic)
             && memcmp (magic, "TZif", 4) == 0;
    }
    close (fd);
    return valid;
}
