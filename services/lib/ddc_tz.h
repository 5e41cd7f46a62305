/*  ddc_tz: IANA time zones.
    Owns: deciding whether a zone name names a real zone in the system's
    tz database (/usr/share/zoneinfo), a bounded reader for compiled zone
    files (TZif, RFC 8536, versions 1 to 4) with their POSIX TZ footer
    rules, and UTC <-> local time conversion in a loaded zone, without
    touching the process-global TZ. Civil-date helpers for the schedules.

    Zone files are untrusted input: every count, index and offset is
    checked, sizes are bounded by the limits below, and a malformed file
    gives NULL, never a crash. Nothing here logs; memory comes from
    ddc_malloc (aborts on out-of-memory). A loaded zone is immutable, so
    one zone may be used by several threads at once.

    Conversions cover the instants DDC_TZ_TIME_MIN..DDC_TZ_TIME_MAX (the
    years 1 to 9999, UTC). Before the first transition time type 0 applies
    (RFC 8536); from the last transition on (or always, with no
    transitions) the footer rule applies, evaluated like glibc does
    (year of the instant in UTC; the M.w.d, Jn and n date forms; rule
    times from -167 h to 167 h); with no footer the last type stays in
    effect. A POSIX string with DST but no rule uses the US rule
    M3.2.0,M11.1.0, like glibc. Leap-second records ("right/" zones) are
    honoured by moving transition times onto the POSIX (leap-free) scale. */
#ifndef DDC_TZ_H
#define DDC_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

//  Where the compiled zone files live.
#define DDC_TZ_DIR "/usr/share/zoneinfo"
//  Longest zone name accepted.
#define DDC_TZ_NAME_MAX 64
//  Largest zone file read.
#define DDC_TZ_FILE_MAX (64 * 1024)
//  Limits on a zone file's counts (more is refused).
#define DDC_TZ_TRANS_MAX 4096 //  transitions
#define DDC_TZ_TYPES_MAX 256  //  local time types
#define DDC_TZ_CHARS_MAX 1024 //  abbreviation bytes
#define DDC_TZ_LEAPS_MAX 512  //  leap-second records
//  Longest POSIX TZ footer / rule string.
#define DDC_TZ_FOOTER_MAX 255
//  UT offsets of local time types: at most this many seconds either way.
#define DDC_TZ_OFFSET_MAX 93599
//  Instants that can be converted: 0001-01-01T00:00:00Z and
//  9999-12-31T23:59:59Z.
#define DDC_TZ_TIME_MIN (-62135596800LL)
#define DDC_TZ_TIME_MAX 253402300799LL

//  How ddc_tz_from_local resolved a local time.
#define DDC_TZ_LOCAL_UNIQUE 0 //  exactly one instant has it
#define DDC_TZ_LOCAL_GAP \
    1 /* none (spring forward): first instant
                                   after the gap returned */
#define DDC_TZ_LOCAL_FOLD \
    2 /* several (fall back): the first one
                                   returned */

typedef struct _ddc_tz_t ddc_tz_t;

//  True if name is a real IANA zone name ("UTC", "Europe/Berlin"):
//  1..64 characters from [A-Za-z0-9/_+-], no leading '/', no "..", no "//",
//  and DDC_TZ_DIR/name is a regular file (symlinks followed) that starts
//  with the TZif magic. NULL gives false.
bool ddc_tz_valid (const char *name);

//  The syntax part of ddc_tz_valid only (no file access).
bool ddc_tz_name_ok (const char *name);

//  Load zone name (ddc_tz_name_ok, then DDC_TZ_DIR/name: a regular file of
//  at most DDC_TZ_FILE_MAX bytes that ddc_tz_parse accepts). Returns a new
//  zone (caller destroys) or NULL. Reads the file on every call.
ddc_tz_t *ddc_tz_load (const char *name);

//  Parse a TZif image (data borrowed). For version 2+ the 64-bit block and
//  the footer are used; the footer must be absent-but-framed ("\n\n") or a
//  valid POSIX TZ string. Returns a new zone or NULL if anything is out of
//  format or over a limit.
ddc_tz_t *ddc_tz_parse (const unsigned char *data, size_t len);

//  A zone from a POSIX TZ string alone ("CET-1CEST,M3.5.0,M10.5.0/3",
//  "<+0530>-5:30", "EST5EDT"). NULL if spec is NULL, longer than
//  DDC_TZ_FOOTER_MAX or not valid.
ddc_tz_t *ddc_tz_posix (const char *spec);

//  Destroy a zone and NULL the pointer; NULL or *NULL is fine.
void ddc_tz_destroy (ddc_tz_t **self_p);

//  The name a zone was loaded with; "" for parsed ones, NULL for NULL.
const char *ddc_tz_name (const ddc_tz_t *self);

//  The instant from which the zone's file no longer says what local time
//  is: the last transition of a file without a footer rule (RFC 9636
//  leaves local time after it unspecified; "right/" files whose
//  leap-second table expires end this way), where ddc_tz_to_local keeps
//  the last type, as glibc does. INT64_MAX when the rules go on forever
//  (a footer rule, a POSIX zone, no transitions); INT64_MAX for NULL.
int64_t ddc_tz_rules_end (const ddc_tz_t *self);
//  Local time of instant utc: fills *out like localtime_r (tm_year..tm_sec,
//  tm_wday, tm_yday, tm_isdst; other members zeroed) and *offset (may be
//  NULL) with the UT offset in seconds east. Returns 0, or -1 if an
//  argument is NULL or utc is outside DDC_TZ_TIME_MIN..DDC_TZ_TIME_MAX.
int ddc_tz_to_local (const ddc_tz_t *self, int64_t utc, struct tm *out, int *offset);

//  Instant of the local time local->tm_year..tm_sec (in range: month 0..11,
//  a real day, hour 0..23, minute 0..59, second 0..59, year 1..9999; other
//  members ignored) in *utc_out. A local time that does not exist (gap)
//  gives the first instant after the gap (its transition instant); one
//  that occurs more than once gives the first occurrence. *kind (may be
//  NULL) gets one of DDC_TZ_LOCAL_*. Returns 0, or -1 on NULL arguments,
//  fields out of range, or a result outside the convertible range.
int ddc_tz_from_local (const ddc_tz_t *self, const struct tm *local, int64_t *utc_out, int *kind);

//  Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day
//  1..31; not checked further, any year).
int64_t ddc_tz_days_from_civil (int64_t year, int month, int day);

//  The date of a day count since 1970-01-01; *wday 0 = Sunday. Any
//  pointer may be NULL.
void ddc_tz_civil_from_days (int64_t days, int64_t *year, int *month, int *day, int *wday);

//  Days in month (1..12) of year; 0 for a bad month.
int ddc_tz_days_in_month (int64_t year, int month);

#endif
