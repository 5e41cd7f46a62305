/*  ddc_keys: one copy, per process, of the member names that JSON trees
    share. cJSON gives each member of an object its own copy of its name:
    a tree of 1,000 containers holds some 14,000 copies of a dozen names
    ("host", "name", "display_name", ...), 32 bytes each with malloc's
    header. ddc_keys_share makes a tree's names point into one pool
    instead (cJSON's cJSON_StringIsConst: cJSON_Delete leaves them, and
    cJSON_Duplicate shares them). The pool holds at most DDC_KEYS_MAX names
    of at most DDC_KEYS_LEN bytes, never freed, in a table grown as used
    (names past the bound stay the tree's own). Thread-safe (one lock
    around the pool). */
#ifndef DDC_KEYS_H
#define DDC_KEYS_H

#include <cJSON.h>

#define DDC_KEYS_MAX 4096 //  names in the pool
#define DDC_KEYS_LEN 48   //  bytes of a name the pool takes, its end included

//  Share the member names of tree (every level down to DDC_JSON_MAX_DEPTH)
//  with the pool. tree may be NULL. Names the tree already shares stay.
void ddc_keys_share (cJSON *tree);

//  Names in the pool now (for tests).
size_t ddc_keys_count (void);

#endif
