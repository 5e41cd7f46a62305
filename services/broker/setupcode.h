/*  setupcode: the web UI's one-time setup code (proto/ddcp.md section
    5.11). While web.password_hash is empty there is exactly one code per
    data folder; it guards the first password. Owns the code, its file
    DATA/web-setup-code (mode 0600, replaced atomically, so a broker restart
    keeps the code), its making (12 symbols of a 32-letter alphabet without
    look-alikes, 60 bits, shown as XXXX-XXXX-XXXX) and checking a typed code
    against it in constant time (case, spaces and dashes ignored). Logs
    nothing: the broker decides what to tell the operator. Single-threaded. */
#ifndef DDC_SETUPCODE_H
#define DDC_SETUPCODE_H

#include <stdbool.h>
#include <stddef.h>

#define SETUPCODE_LEN 15 //  "ABCD-EFGH-JKLM" + NUL
#define SETUPCODE_FILE "web-setup-code"

typedef struct setupcode_t setupcode_t;

//  The code of data folder dir (none yet: setupcode_sync decides). NULL
//  when libsodium cannot start.
setupcode_t *setupcode_new (const char *dir);
void setupcode_destroy (setupcode_t **self_p);

typedef enum {
    SETUPCODE_KEPT,      //  nothing changed
    SETUPCODE_LOADED,    //  the code in the file is the current one
    SETUPCODE_MADE,      //  a new code was made and written
    SETUPCODE_UNWRITTEN, /* a new code was made; its file could not be
                            written (errno says why): it lives in memory    */
    SETUPCODE_WITHDRAWN  //  a password is set: the code and its file are gone
} setupcode_change_t;

//  Bring the code in line with the configuration: none while a password is
//  set (the file removed), one while none is (the file's at the first call
//  when it holds a well-formed code, else a new one).
setupcode_change_t setupcode_sync (setupcode_t *self, bool password_set);

//  The current code, or NULL while a password is set.
const char *setupcode_get (const setupcode_t *self);
//  The file's path.
const char *setupcode_path (const setupcode_t *self);
//  True when input, as typed, is the current code (constant time).
bool setupcode_matches (const setupcode_t *self, const char *input);

//  A new random code into out (for tests and setupcode_sync).
void setupcode_make (char out [SETUPCODE_LEN]);

#endif
