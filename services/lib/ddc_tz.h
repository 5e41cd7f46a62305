/*  ddc_tz: IANA time zones.
    Owns: deciding whether a zone name names a real zone in the system's
    tz database (/usr/share/zoneinfo). Schedule computation will live here
    too. Nothing here allocates or logs. */
#ifndef DDC_TZ_H
#define DDC_TZ_H

#include <stdbool.h>

/* Where the compiled zone files live. */
#define DDC_TZ_DIR "/usr/share/zoneinfo"
/* Longest zone name accepted. */
#define DDC_TZ_NAME_MAX 64

/* True if name is a real IANA zone name ("UTC", "Europe/Berlin"):
   1..64 characters from [A-Za-z0-9/_+-], no leading '/', no "..", no "//",
   and DDC_TZ_DIR/name is a regular file (symlinks followed) that starts
   with the TZif magic. NULL gives false. */
bool ddc_tz_valid (const char *name);

#endif
