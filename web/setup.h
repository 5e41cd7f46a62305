/*  setup: the one-time setup code that guards the first-run page. ddc-web
    has no default password: while web.password_hash is empty, /setup asks
    for this code, which ddc-web logs at start (and whenever a new one is
    made) and writes to --setup-code-file (mode 0600) for ddc-ctl or an
    operator to read. Kore-free. Codes are 12 characters of an alphabet
    without look-alikes, shown as XXXX-XXXX-XXXX; input is compared without
    case, spaces or dashes, in constant time. */
#ifndef WEB_SETUP_H
#define WEB_SETUP_H

#include <stdbool.h>

#define SETUP_CODE_LEN 15               /* "ABCD-EFGH-JKLM" + NUL = 15 */

/* A new random code into out. */
void setup_code_new (char out[SETUP_CODE_LEN]);
/* True when input (as typed) is code. */
bool setup_code_match (const char *code, const char *input);
/* Write code and a newline to path, replacing it, mode 0600, never
   following a symlink. 0/-1 with errno. */
int setup_code_write (const char *path, const char *code);

#endif
