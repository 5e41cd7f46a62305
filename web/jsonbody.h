/*  jsonbody: the JSON bodies of ddc-web's API (Content-Type
    application/json). Kore-free, fuzzed. A body must be one JSON object
    (RFC 8259, valid UTF-8, nothing after it) of at most JSONBODY_MAX bytes,
    with exactly the members given here.
    - the save API (POST /api/section/NAME):
        {"rev": 41, "value": <the whole section>}
      "rev" is the section revision the value was based on (SAVE's expected
      revision; 0 = no check), "value" the new section value, nested at
      most JSONBODY_DEPTH deep. The broker validates the value.
    - the action API (POST /api/action):
        {"host": "nas", "container": "plex", "action": "restart", "lines": 50}
      an action of ddc-docker (proto/docker.md) on a container of a host;
      "lines" is for logs only (1 to 1000) and may be left out. The agent
      checks its allow-list. */
#ifndef WEB_JSONBODY_H
#define WEB_JSONBODY_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define JSONBODY_MAX (1024 * 1024)
#define JSONBODY_DEPTH 32

//  0 with *rev_p and *value_p (caller owns) set, or -1 with a reason in
//  err[errlen] (English; the input is never echoed).
int jsonbody_parse (const char *data, size_t len, uint64_t *rev_p, cJSON **value_p, char *err,
                    size_t errlen);

//  An action the web UI sends (proto/docker.md).
typedef struct {
    char host [64];       //  DDC_HOST_NAME_MAX + 1
    char container [129]; //  DDC_CONTAINER_NAME_MAX + 1
    char action [16];     //  start, stop, restart, logs
    int lines;            //  logs: 1..1000, 0 = the agent's default
} jsonbody_action_t;

//  0 with *out filled, or -1 with a reason in err[errlen].
int jsonbody_action_parse (const char *data, size_t len, jsonbody_action_t *out, char *err,
                           size_t errlen);

//  Depth of a JSON value (a scalar is 1). Stops counting at limit + 1.
int jsonbody_depth (const cJSON *item, int limit);

#endif
