/*  roles: what each kind of peer may do (proto/ddcp.md section 9).
    Owns the static role table; the broker asks it before every read of a
    secret, every save, every action, every sign-in request and every read
    of or report to the audit log. */
#ifndef DDC_ROLES_H
#define DDC_ROLES_H

#include <cJSON.h>
#include <stdbool.h>

#include "ddc_config.h"

typedef struct {
    const char *name;
    bool write;         //  SAVE and ROLLBACK of any section
    const char *writes; //  or of these sections ("a,b"), or NULL
    bool info_only;     //  in containers, only containers[].info
    bool actions;       //  may send ACTION
    const char *secret; /* "section.field,..." it may read (all of
                                one section), or NULL               */
    bool signin;        //  THROTTLE and SETUP: the web UI's sign-in
    bool setup_code;    //  SETUPCODE: may read the setup code
    bool audit;         //  AUDIT: may read the audit log
    bool records;       //  RECORD: reports actions it ran itself
} role_t;

//  The role of that name, or NULL.
const role_t *role_find (const char *name);
//  true if the role may save (and roll back) section s.
bool role_writes (const role_t *role, ddc_section_t s);
//  true if the role may replace the current value of section s (NULL:
//  none) with value, beyond role_writes: a role with info_only may change
//  only the info of the containers there are (the same list otherwise).
//  false with the reason in why.
bool role_may_change (const role_t *role, ddc_section_t s, const cJSON *current, const cJSON *value,
                      char *why, size_t size);
//  true if the role may read the secret fields of section s.
bool role_reads_secrets (const role_t *role, ddc_section_t s);
//  The WELCOME access object (caller frees); pub_endpoints is the
//  comma-separated list of PUB endpoints clients may use.
cJSON *role_access (const role_t *role, const char *peer_name, const char *pub_endpoint);
//  "ctl, web, discord, docker, monitor"
const char *role_names (void);

#endif
