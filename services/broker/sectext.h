/*  sectext: each section's value as JSON text in the two views a peer can
    get (redacted, or with the secrets its role reads), printed once per
    revision and kept until the section changes. SNAPSHOT replies and
    published updates are put together from these texts rather than by
    copying and printing the section's tree for every request (a 250 KB
    section took some 5 ms of the loop's CPU per SNAPSHOT). Single-threaded:
    the broker loop. */
#ifndef DDC_SECTEXT_H
#define DDC_SECTEXT_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddc_config.h"

typedef struct sectext_t sectext_t;

sectext_t *sectext_new (void);
void sectext_destroy (sectext_t **self_p);
//  The text of section s, whose value (the store's) is at revision rev:
//  with its secrets (full) or redacted; its length in *len_p. Kept by
//  self until the section's revision or value changes.
const char *sectext_get (sectext_t *self, ddc_section_t s, bool full, uint64_t rev,
                         const cJSON *value, size_t *len_p);

#endif
