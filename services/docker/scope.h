/*  scope: which of a shared Docker engine's containers this agent owns,
    chosen by Docker labels (ddc-docker --label KEY or KEY=VALUE). A
    container is in scope when it carries every label of the scope; an
    empty scope holds every container. Builds the engine's filters and
    checks an inspect reply's Config.Labels. No I/O. */
#ifndef DDC_DOCKER_SCOPE_H
#define DDC_DOCKER_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#define SCOPE_LABELS_MAX 8
#define SCOPE_LABEL_MAX 256 //  KEY=VALUE with its terminator

typedef struct _scope_t scope_t;

scope_t *scope_new (void);
void scope_destroy (scope_t **self_p);

//  Adds KEY or KEY=VALUE (KEY not empty, no control characters). Returns
//  0, or -1 with a one-line reason in err.
int scope_add (scope_t *self, const char *label, char *err, size_t errlen);

//  True when no label was added (every container is in scope).
bool scope_empty (const scope_t *self);

//  The labels as given, comma-separated, for the log ("" when empty).
const char *scope_text (const scope_t *self);

//  The Docker filters JSON (a "filters" query value, not yet URL-encoded):
//  base (a JSON object's text, or NULL for {}) with "label" set to the
//  scope's labels when there are any. Returns a new string (free it), or
//  NULL when base is not a JSON object.
char *scope_filters (const scope_t *self, const char *base);

//  Whether the container of an inspect reply (GET /containers/{id}/json)
//  carries every label of the scope. Always true for an empty scope.
bool scope_match_inspect (const scope_t *self, const char *body, size_t len);

#endif
