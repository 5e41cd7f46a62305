/*  schema: the version of config.json's shape (_meta.schema) and the
    migration of an older file to the shape this broker writes. Schema 1
    is every file without _meta.schema (written before the number existed);
    SCHEMA_CURRENT is what the broker writes. Step N turns a schema-N
    document into a schema-N+1 one, in place; a file of a newer schema than
    this broker knows is refused (its fields cannot be read safely).
    Owns the step table and the messages. Logs nothing, no I/O: the store
    keeps the copy of the original. Pure functions. */
#ifndef DDC_SCHEMA_H
#define DDC_SCHEMA_H

#include <cJSON.h>
#include <stddef.h>

#define SCHEMA_CURRENT 2

//  The schema of a parsed config.json (doc borrowed): _meta.schema, or 1
//  when _meta or its schema is absent. -1 with why in err[errlen] when
//  _meta.schema is there but not a whole number from 1.
int schema_of (const cJSON *doc, char *err, size_t errlen);

//  Bring doc (a parsed config.json, changed in place) from schema `from`
//  to SCHEMA_CURRENT, setting _meta.schema. 0; or -1 with why in err when
//  `from` is newer than SCHEMA_CURRENT ("config.json has schema 7; this
//  ddc-broker knows up to 2: upgrade ddc") or a step cannot read the
//  document.
int schema_migrate (cJSON *doc, int from, char *err, size_t errlen);

#endif
