/*  test_schedule: ddc_schedule (next run times, DST rules, descriptions)
    and the ddc_tz zone reader it relies on, cross-checked against glibc. */
#include "ddc_schedule.h"
#include "ddc_tz.h"
#include "ddc_util.h"
#include "ddc_test.h"
#include "ddc_test_json.h"

#include <stdint.h>
#include <time.h>

//  Epoch seconds of "YYYY-MM-DDTHH:MM:SSZ" (test input, trusted).

static int64_t
s_utc (const char *iso)
{
    int y, mo, d, h, mi, s;
    if (sscanf (iso, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s) != 6)
        abort ();
    return ddc_tz_days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static const char *
s_iso (int64_t t, char buf [32])
{
    ddc_iso_time (t * 1000, buf);
    return buf;
}

//  Task from JSON written with single quotes.

static cJSON *
s_task (const char *text)
{
    char *json = ddc_strdup (text);
    for (char *p = json; *p; p++)
        if (*p == '\'')
            *p = '"';
    cJSON *task = ddc_test_parse (json);
    free (json);
    if (!task)
        abort ();
    return task;
}

//  Next run (ISO UTC) of task text after instant after, or "none".

static char s_buf [32];

static const char *
s_next (const char *text, const char *after)
{
    cJSON *task = s_task (text);
    int64_t next = 0;
    int rc = ddc_schedule_next (task, s_utc (after), &next);
    cJSON_Delete (task);
    if (rc != 0)
        return "none";
    return s_iso (next, s_buf);
}

#define DAILY(at, zone) "{'cycle':'daily','time':'" at "','timezone':'" zone "'}"

//  Local time of an instant in zone as "YYYY-MM-DD HH:MM:SS".

#define S_LOCAL_MAX 80

static const char *
s_local (const ddc_tz_t *zone, int64_t t, char buf [S_LOCAL_MAX])
{
    struct tm tm;
    if (ddc_tz_to_local (zone, t, &tm, NULL) != 0)
        return "error";
    snprintf (buf, S_LOCAL_MAX, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

static struct tm
s_tm (int y, int mo, int d, int h, int mi, int s)
{
    return (struct tm){
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s
    };
}


//  --------------------------------------------------------------------------
//  Cycles

DDC_TEST (test_daily)
{
    CHECK_STR (s_next (DAILY ("04:00", "UTC"), "2026-01-01T03:59:59Z"), "2026-01-01T04:00:00Z");
    CHECK_STR (s_next (DAILY ("04:00", "UTC"), "2026-01-01T04:00:00Z"), "2026-01-02T04:00:00Z");
    CHECK_STR (s_next (DAILY ("00:00", "UTC"), "2026-12-31T23:59:59Z"), "2027-01-01T00:00:00Z");
    CHECK_STR (s_next (DAILY ("23:59", "UTC"), "2026-02-28T23:59:00Z"), "2026-03-01T23:59:00Z");
    //  Berlin: CET in winter, CEST in summer
    CHECK_STR (s_next (DAILY ("04:00", "Europe/Berlin"), "2026-01-10T12:00:00Z"),
               "2026-01-11T03:00:00Z");
    CHECK_STR (s_next (DAILY ("04:00", "Europe/Berlin"), "2026-07-10T02:00:00Z"),
               "2026-07-11T02:00:00Z");
    //  Local date ahead of the UTC date
    CHECK_STR (s_next (DAILY ("00:30", "Europe/Berlin"), "2026-01-10T23:00:00Z"),
               "2026-01-10T23:30:00Z");
    CHECK_STR (s_next (DAILY ("23:30", "America/New_York"), "2026-01-11T04:00:00Z"),
               "2026-01-11T04:30:00Z");
    CHECK_STR (s_next (DAILY ("23:30", "America/New_York"), "2026-01-11T04:30:00Z"),
               "2026-01-12T04:30:00Z");
    //  Active is not considered here
    CHECK_STR (s_next ("{'cycle':'daily','time':'05:00','timezone':'UTC',"
                       "'active':false}",
                       "2026-01-01T00:00:00Z"),
               "2026-01-01T05:00:00Z");
    //  A full normalised task
    CHECK_STR (s_next ("{'id':'t1','host':'local','container':'web',"
                       "'action':'restart','cycle':'daily','time':'04:00',"
                       "'timezone':'Europe/Berlin','active':true,'note':'x'}",
                       "2026-05-01T00:00:00Z"),
               "2026-05-01T02:00:00Z");
}

DDC_TEST (test_weekly)
{
    //  2026-01-01 is a Thursday
    const char *mon = "{'cycle':'weekly','weekday':'mon','time':'04:00','timezone':'UTC'}";
    CHECK_STR (s_next (mon, "2026-01-01T00:00:00Z"), "2026-01-05T04:00:00Z");
    CHECK_STR (s_next (mon, "2026-01-05T03:59:59Z"), "2026-01-05T04:00:00Z");
    CHECK_STR (s_next (mon, "2026-01-05T04:00:00Z"), "2026-01-12T04:00:00Z");
    const char *thu = "{'cycle':'weekly','weekday':'thu','time':'10:00','timezone':'UTC'}";
    CHECK_STR (s_next (thu, "2026-01-01T09:00:00Z"), "2026-01-01T10:00:00Z");
    CHECK_STR (s_next (thu, "2026-01-01T10:00:01Z"), "2026-01-08T10:00:00Z");
    const char *days [7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
    const char *want [7] = { "2026-01-04T12:00:00Z", "2026-01-05T12:00:00Z", "2026-01-06T12:00:00Z",
                             "2026-01-07T12:00:00Z", "2026-01-08T12:00:00Z", "2026-01-02T12:00:00Z",
                             "2026-01-03T12:00:00Z" };
    for (int i = 0; i < 7; i++) {
        char text [160];
        snprintf (text, sizeof (text),
                  "{'cycle':'weekly','weekday':'%s',"
                  "'time':'12:00','timezone':'UTC'}",
                  days [i]);
        CHECK_STR (s_next (text, "2026-01-01T12:00:00Z"), want [i]);
    }
    //  Local weekday, not the UTC one: Monday 00:30 in Kolkata is Sunday UTC
    CHECK_STR (s_next ("{'cycle':'weekly','weekday':'mon','time':'00:30',"
                       "'timezone':'Asia/Kolkata'}",
                       "2026-01-01T00:00:00Z"),
               "2026-01-04T19:00:00Z");
}

DDC_TEST (test_weekly_across_dst)
{
    const char *sun = "{'cycle':'weekly','weekday':'sun','time':'04:00',"
                      "'timezone':'Europe/Berlin'}";
    CHECK_STR (s_next (sun, "2026-03-15T12:00:00Z"), "2026-03-22T03:00:00Z");
    CHECK_STR (s_next (sun, "2026-03-22T03:00:00Z"), "2026-03-29T02:00:00Z");
    CHECK_STR (s_next (sun, "2026-10-18T02:00:00Z"), "2026-10-25T03:00:00Z");
    const char *ny = "{'cycle':'weekly','weekday':'fri','time':'09:15',"
                     "'timezone':'America/New_York'}";
    CHECK_STR (s_next (ny, "2026-03-06T14:15:00Z"), "2026-03-13T13:15:00Z");
    CHECK_STR (s_next (ny, "2026-10-30T13:15:00Z"), "2026-11-06T14:15:00Z");
}

DDC_TEST (test_monthly)
{
    const char *d15 = "{'cycle':'monthly','day':15,'time':'08:00','timezone':'UTC'}";
    CHECK_STR (s_next (d15, "2026-01-01T00:00:00Z"), "2026-01-15T08:00:00Z");
    CHECK_STR (s_next (d15, "2026-01-15T08:00:00Z"), "2026-02-15T08:00:00Z");
    CHECK_STR (s_next (d15, "2026-12-20T00:00:00Z"), "2027-01-15T08:00:00Z");
    //  Day 31: short months run on their last day
    const char *d31 = "{'cycle':'monthly','day':31,'time':'23:30','timezone':'UTC'}";
    const char *want [] = { "2026-01-31T23:30:00Z", "2026-02-28T23:30:00Z", "2026-03-31T23:30:00Z",
                            "2026-04-30T23:30:00Z", "2026-05-31T23:30:00Z", "2026-06-30T23:30:00Z",
                            "2026-07-31T23:30:00Z", "2026-08-31T23:30:00Z", "2026-09-30T23:30:00Z",
                            "2026-10-31T23:30:00Z", "2026-11-30T23:30:00Z", "2026-12-31T23:30:00Z",
                            "2027-01-31T23:30:00Z" };
    cJSON *task = s_task (d31);
    int64_t t = s_utc ("2026-01-01T00:00:00Z");
    char buf [32];
    for (size_t i = 0; i < sizeof (want) / sizeof (want [0]); i++) {
        CHECK_EQ (ddc_schedule_next (task, t, &t), 0);
        CHECK_STR (s_iso (t, buf), want [i]);
    }
    cJSON_Delete (task);
    //  Leap February
    CHECK_STR (s_next (d31, "2028-02-01T00:00:00Z"), "2028-02-29T23:30:00Z");
    const char *d30 = "{'cycle':'monthly','day':30,'time':'06:00','timezone':'UTC'}";
    CHECK_STR (s_next (d30, "2027-02-01T00:00:00Z"), "2027-02-28T06:00:00Z");
    CHECK_STR (s_next (d30, "2027-02-28T06:00:00Z"), "2027-03-30T06:00:00Z");
    const char *d29 = "{'cycle':'monthly','day':29,'time':'06:00','timezone':'UTC'}";
    CHECK_STR (s_next (d29, "2028-02-01T00:00:00Z"), "2028-02-29T06:00:00Z");
    //  Local month end ahead of UTC: Jan 31 23:30 in Berlin
    CHECK_STR (s_next ("{'cycle':'monthly','day':31,'time':'23:30',"
                       "'timezone':'Europe/Berlin'}",
                       "2026-01-31T22:30:00Z"),
               "2026-02-28T22:30:00Z");
    CHECK_STR (s_next ("{'cycle':'monthly','day':1,'time':'00:00',"
                       "'timezone':'Europe/Berlin'}",
                       "2026-01-31T22:59:59Z"),
               "2026-01-31T23:00:00Z");
}

DDC_TEST (test_yearly)
{
    const char *feb29 = "{'cycle':'yearly','month':2,'day':29,'time':'12:00','timezone':'UTC'}";
    CHECK_STR (s_next (feb29, "2026-06-01T00:00:00Z"), "2027-02-28T12:00:00Z");
    CHECK_STR (s_next (feb29, "2027-02-28T12:00:00Z"), "2028-02-29T12:00:00Z");
    CHECK_STR (s_next (feb29, "2028-02-29T12:00:00Z"), "2029-02-28T12:00:00Z");
    CHECK_STR (s_next (feb29, "2099-03-01T00:00:00Z"), "2100-02-28T12:00:00Z");
    CHECK_STR (s_next (feb29, "2399-03-01T00:00:00Z"), "2400-02-29T12:00:00Z");
    const char *nye = "{'cycle':'yearly','month':12,'day':31,'time':'23:30',"
                      "'timezone':'Europe/Berlin'}";
    CHECK_STR (s_next (nye, "2026-01-01T00:00:00Z"), "2026-12-31T22:30:00Z");
    CHECK_STR (s_next (nye, "2026-12-31T22:30:00Z"), "2027-12-31T22:30:00Z");
    const char *jul4 = "{'cycle':'yearly','month':7,'day':4,'time':'09:00',"
                       "'timezone':'America/New_York'}";
    CHECK_STR (s_next (jul4, "2026-07-04T12:59:59Z"), "2026-07-04T13:00:00Z");
    CHECK_STR (s_next (jul4, "2026-07-04T13:00:00Z"), "2027-07-04T13:00:00Z");
}

DDC_TEST (test_once)
{
    const char *xmas = "{'cycle':'once','date':'2026-12-24','time':'18:00',"
                       "'timezone':'Europe/Berlin'}";
    CHECK_STR (s_next (xmas, "2026-01-01T00:00:00Z"), "2026-12-24T17:00:00Z");
    CHECK_STR (s_next (xmas, "2026-12-24T16:59:59Z"), "2026-12-24T17:00:00Z");
    CHECK_STR (s_next (xmas, "2026-12-24T17:00:00Z"), "none");
    CHECK_STR (s_next (xmas, "2027-01-01T00:00:00Z"), "none");
    CHECK_STR (s_next ("{'cycle':'once','date':'2028-02-29','time':'00:00',"
                       "'timezone':'UTC'}",
                       "2020-01-01T00:00:00Z"),
               "2028-02-29T00:00:00Z");
    //  In a gap, and in a fold
    CHECK_STR (s_next ("{'cycle':'once','date':'2026-03-29','time':'02:30',"
                       "'timezone':'Europe/Berlin'}",
                       "2026-01-01T00:00:00Z"),
               "2026-03-29T01:00:00Z");
    CHECK_STR (s_next ("{'cycle':'once','date':'2026-10-25','time':'02:30',"
                       "'timezone':'Europe/Berlin'}",
                       "2026-10-25T00:30:00Z"),
               "none");
    CHECK_STR (s_next ("{'cycle':'once','date':'9999-12-31','time':'12:00',"
                       "'timezone':'UTC'}",
                       "2026-01-01T00:00:00Z"),
               "9999-12-31T12:00:00Z");
}


//  --------------------------------------------------------------------------
//  DST

DDC_TEST (test_dst_berlin)
{
    //  Spring forward 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC)
    CHECK_STR (s_next (DAILY ("02:30", "Europe/Berlin"), "2026-03-28T12:00:00Z"),
               "2026-03-29T01:00:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "Europe/Berlin"), "2026-03-29T01:00:00Z"),
               "2026-03-30T00:30:00Z");
    CHECK_STR (s_next (DAILY ("02:00", "Europe/Berlin"), "2026-03-28T12:00:00Z"),
               "2026-03-29T01:00:00Z");
    CHECK_STR (s_next (DAILY ("01:59", "Europe/Berlin"), "2026-03-28T12:00:00Z"),
               "2026-03-29T00:59:00Z");
    CHECK_STR (s_next (DAILY ("03:00", "Europe/Berlin"), "2026-03-28T12:00:00Z"),
               "2026-03-29T01:00:00Z");
    CHECK_STR (s_next (DAILY ("03:01", "Europe/Berlin"), "2026-03-28T12:00:00Z"),
               "2026-03-29T01:01:00Z");
    //  Fall back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 runs once
    CHECK_STR (s_next (DAILY ("02:30", "Europe/Berlin"), "2026-10-24T12:00:00Z"),
               "2026-10-25T00:30:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "Europe/Berlin"), "2026-10-25T00:30:00Z"),
               "2026-10-26T01:30:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "Europe/Berlin"), "2026-10-25T01:00:00Z"),
               "2026-10-26T01:30:00Z");
    CHECK_STR (s_next (DAILY ("02:00", "Europe/Berlin"), "2026-10-24T12:00:00Z"),
               "2026-10-25T00:00:00Z");
    CHECK_STR (s_next (DAILY ("03:00", "Europe/Berlin"), "2026-10-24T12:00:00Z"),
               "2026-10-25T02:00:00Z");
    CHECK_STR (s_next (DAILY ("01:59", "Europe/Berlin"), "2026-10-24T12:00:00Z"),
               "2026-10-24T23:59:00Z");

    //  The converter itself
    ddc_tz_t *zone = ddc_tz_load ("Europe/Berlin");
    CHECK (zone);
    int64_t t;
    int kind = -1;
    struct tm tm = s_tm (2026, 3, 29, 2, 30, 0);
    CHECK_EQ (ddc_tz_from_local (zone, &tm, &t, &kind), 0);
    CHECK (t == s_utc ("2026-03-29T01:00:00Z") && kind == DDC_TZ_LOCAL_GAP);
    tm = s_tm (2026, 10, 25, 2, 30, 0);
    CHECK_EQ (ddc_tz_from_local (zone, &tm, &t, &kind), 0);
    CHECK (t == s_utc ("2026-10-25T00:30:00Z") && kind == DDC_TZ_LOCAL_FOLD);
    tm = s_tm (2026, 10, 25, 3, 0, 0);
    CHECK_EQ (ddc_tz_from_local (zone, &tm, &t, &kind), 0);
    CHECK (t == s_utc ("2026-10-25T02:00:00Z") && kind == DDC_TZ_LOCAL_UNIQUE);
    tm = s_tm (2026, 10, 25, 1, 59, 59);
    CHECK_EQ (ddc_tz_from_local (zone, &tm, &t, &kind), 0);
    CHECK (t == s_utc ("2026-10-24T23:59:59Z") && kind == DDC_TZ_LOCAL_UNIQUE);
    int off = 0;
    CHECK_EQ (ddc_tz_to_local (zone, s_utc ("2026-03-29T00:59:59Z"), &tm, &off), 0);
    CHECK_EQ (tm.tm_hour, 1);
    CHECK_EQ (tm.tm_min, 59);
    CHECK_EQ (off, 3600);
    CHECK_EQ (tm.tm_isdst, 0);
    CHECK_EQ (ddc_tz_to_local (zone, s_utc ("2026-03-29T01:00:00Z"), &tm, &off), 0);
    CHECK_EQ (tm.tm_hour, 3);
    CHECK_EQ (tm.tm_min, 0);
    CHECK_EQ (off, 7200);
    CHECK_EQ (tm.tm_isdst, 1);
    CHECK_EQ (tm.tm_wday, 0);
    CHECK_EQ (tm.tm_yday, 87);
    ddc_tz_destroy (&zone);
    CHECK (zone == NULL);
}

DDC_TEST (test_dst_new_york)
{
    //  2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC)
    CHECK_STR (s_next (DAILY ("02:30", "America/New_York"), "2026-03-07T12:00:00Z"),
               "2026-03-08T07:00:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "America/New_York"), "2026-03-08T07:00:00Z"),
               "2026-03-09T06:30:00Z");
    CHECK_STR (s_next (DAILY ("01:30", "America/New_York"), "2026-03-07T12:00:00Z"),
               "2026-03-08T06:30:00Z");
    //  2026-11-01 02:00 EDT -> 01:00 EST: 01:30 runs at 01:30 EDT only
    CHECK_STR (s_next (DAILY ("01:30", "America/New_York"), "2026-10-31T12:00:00Z"),
               "2026-11-01T05:30:00Z");
    CHECK_STR (s_next (DAILY ("01:30", "America/New_York"), "2026-11-01T05:30:00Z"),
               "2026-11-02T06:30:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "America/New_York"), "2026-10-31T12:00:00Z"),
               "2026-11-01T07:30:00Z");
}

DDC_TEST (test_dst_sydney)
{
    //  Ends first Sunday in April: 2026-04-05 03:00 AEDT -> 02:00 AEST
    CHECK_STR (s_next (DAILY ("02:30", "Australia/Sydney"), "2026-04-04T12:00:00Z"),
               "2026-04-04T15:30:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "Australia/Sydney"), "2026-04-04T15:30:00Z"),
               "2026-04-05T16:30:00Z");
    //  Starts first Sunday in October: 2026-10-04 02:00 AEST -> 03:00 AEDT
    CHECK_STR (s_next (DAILY ("02:30", "Australia/Sydney"), "2026-10-03T12:00:00Z"),
               "2026-10-03T16:00:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "Australia/Sydney"), "2026-10-03T16:00:00Z"),
               "2026-10-04T15:30:00Z");
    //  Summer (January) is DST there, winter (July) is not
    CHECK_STR (s_next (DAILY ("12:00", "Australia/Sydney"), "2026-01-10T00:00:00Z"),
               "2026-01-10T01:00:00Z");
    CHECK_STR (s_next (DAILY ("12:00", "Australia/Sydney"), "2026-07-10T00:00:00Z"),
               "2026-07-10T02:00:00Z");
}

DDC_TEST (test_other_zones)
{
    //  Kolkata +05:30, no DST
    CHECK_STR (s_next (DAILY ("04:00", "Asia/Kolkata"), "2026-01-01T00:00:00Z"),
               "2026-01-01T22:30:00Z");
    CHECK_STR (s_next (DAILY ("04:00", "Asia/Kolkata"), "2026-07-01T00:00:00Z"),
               "2026-07-01T22:30:00Z");
    //  Chatham +12:45 / +13:45, changes at 02:45 standard time
    CHECK_STR (s_next (DAILY ("12:00", "Pacific/Chatham"), "2026-01-14T00:00:00Z"),
               "2026-01-14T22:15:00Z");
    CHECK_STR (s_next (DAILY ("12:00", "Pacific/Chatham"), "2026-07-14T00:00:00Z"),
               "2026-07-14T23:15:00Z");
    CHECK_STR (s_next (DAILY ("03:00", "Pacific/Chatham"), "2026-09-26T00:00:00Z"),
               "2026-09-26T14:00:00Z");
    CHECK_STR (s_next (DAILY ("03:00", "Pacific/Chatham"), "2026-04-04T00:00:00Z"),
               "2026-04-04T13:15:00Z");
    CHECK_STR (s_next (DAILY ("03:00", "Pacific/Chatham"), "2026-04-04T13:15:00Z"),
               "2026-04-05T14:15:00Z");
    //  London: GMT/BST at 01:00 UTC
    CHECK_STR (s_next (DAILY ("01:30", "Europe/London"), "2026-03-28T12:00:00Z"),
               "2026-03-29T01:00:00Z");
    CHECK_STR (s_next (DAILY ("01:30", "Europe/London"), "2026-10-24T12:00:00Z"),
               "2026-10-25T00:30:00Z");
    CHECK_STR (s_next (DAILY ("01:30", "Europe/London"), "2026-10-25T00:30:00Z"),
               "2026-10-26T01:30:00Z");
    CHECK_STR (s_next (DAILY ("12:00", "Europe/London"), "2026-01-05T00:00:00Z"),
               "2026-01-05T12:00:00Z");
    //  UTC and an Etc zone
    CHECK_STR (s_next (DAILY ("12:00", "UTC"), "2026-06-30T12:00:00Z"), "2026-07-01T12:00:00Z");
    CHECK_STR (s_next (DAILY ("12:00", "Etc/GMT+5"), "2026-06-30T00:00:00Z"),
               "2026-06-30T17:00:00Z");
}

DDC_TEST (test_far_future)
{
    //  Beyond the last transition of the file: the footer rule decides
    CHECK_STR (s_next (DAILY ("04:00", "Europe/Berlin"), "2090-07-01T00:00:00Z"),
               "2090-07-01T02:00:00Z");
    CHECK_STR (s_next (DAILY ("04:00", "Europe/Berlin"), "2090-01-01T00:00:00Z"),
               "2090-01-01T03:00:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "Europe/Berlin"), "2090-03-25T12:00:00Z"),
               "2090-03-26T01:00:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "Europe/Berlin"), "2090-10-28T12:00:00Z"),
               "2090-10-29T00:30:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "Europe/Berlin"), "2090-10-29T00:30:00Z"),
               "2090-10-30T01:30:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "America/New_York"), "2090-03-11T12:00:00Z"),
               "2090-03-12T07:00:00Z");
    CHECK_STR (s_next (DAILY ("02:30", "Australia/Sydney"), "2090-04-01T12:00:00Z"),
               "2090-04-01T15:30:00Z");
    CHECK_STR (s_next ("{'cycle':'yearly','month':2,'day':29,'time':'12:00',"
                       "'timezone':'Pacific/Chatham'}",
                       "2095-01-01T00:00:00Z"),
               "2095-02-27T22:15:00Z");
    CHECK_STR (s_next ("{'cycle':'yearly','month':2,'day':29,'time':'12:00',"
                       "'timezone':'Pacific/Chatham'}",
                       "2095-02-27T22:15:00Z"),
               "2096-02-28T22:15:00Z");
    //  Near the end of the supported range
    CHECK_STR (s_next (DAILY ("12:00", "UTC"), "9999-12-30T13:00:00Z"), "9999-12-31T12:00:00Z");
    CHECK_STR (s_next (DAILY ("12:00", "UTC"), "9999-12-31T13:00:00Z"), "none");
}

//  800 runs of a daily task across more than two years: each at 04:00
//  local, on consecutive local days.

DDC_TEST (test_long_sequence)
{
    ddc_tz_t *zone = ddc_tz_load ("Europe/Berlin");
    CHECK (zone);
    cJSON *task = s_task (DAILY ("04:00", "Europe/Berlin"));
    int64_t t = s_utc ("2025-12-31T12:00:00Z");
    int64_t prev_day = ddc_tz_days_from_civil (2025, 12, 31);
    int bad = 0, summer = 0;
    for (int i = 0; i < 800; i++) {
        int64_t next;
        if (ddc_schedule_next (task, t, &next) != 0) {
            bad++;
            break;
        }
        struct tm tm;
        int off = 0;
        if (next <= t || ddc_tz_to_local (zone, next, &tm, &off) != 0)
            bad++;
        int64_t day = ddc_tz_days_from_civil (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        if (tm.tm_hour != 4 || tm.tm_min != 0 || tm.tm_sec != 0 || day != prev_day + 1
            || (off != 3600 && off != 7200))
            bad++;
        summer += off == 7200;
        prev_day = day;
        t = next;
    }
    CHECK_EQ (bad, 0);
    CHECK (summer > 400 && summer < 500);
    char buf [32];
    CHECK_STR (s_iso (t, buf), "2028-03-10T03:00:00Z");
    cJSON_Delete (task);
    ddc_tz_destroy (&zone);
}

//  Every schedule result in a DST-heavy year, for each cycle, is strictly
//  increasing and matches its local rule.

DDC_TEST (test_sequences_all_cycles)
{
    const char *zones [] = { "Europe/Berlin",   "America/New_York", "Australia/Sydney",
                             "Pacific/Chatham", "Asia/Kolkata",     "Europe/London" };
    int bad = 0;
    for (size_t z = 0; z < sizeof (zones) / sizeof (zones [0]); z++) {
        ddc_tz_t *zone = ddc_tz_load (zones [z]);
        CHECK (zone);
        char text [200];
        snprintf (text, sizeof (text),
                  "{'cycle':'weekly','weekday':'sun',"
                  "'time':'02:30','timezone':'%s'}",
                  zones [z]);
        cJSON *weekly = s_task (text);
        snprintf (text, sizeof (text),
                  "{'cycle':'monthly','day':31,"
                  "'time':'02:30','timezone':'%s'}",
                  zones [z]);
        cJSON *monthly = s_task (text);
        int64_t t = s_utc ("2026-01-01T00:00:00Z");
        int64_t prev = 0;
        for (int i = 0; i < 110; i++) {
            int64_t next;
            struct tm tm;
            if (ddc_schedule_next (weekly, t, &next) != 0 || next <= t
                || ddc_tz_to_local (zone, next, &tm, NULL) != 0 || tm.tm_wday != 0)
                bad++;
            //  02:30, or the end of a gap (03:00 or later on that day)
            else if (!(tm.tm_hour == 2 && tm.tm_min == 30) && !(tm.tm_hour == 3 && tm.tm_min <= 30))
                bad++;
            if (prev && (next - prev < 6 * 86400 || next - prev > 8 * 86400))
                bad++;
            prev = t = next;
        }
        t = s_utc ("2026-01-01T00:00:00Z");
        for (int i = 0; i < 26; i++) {
            int64_t next;
            struct tm tm;
            if (ddc_schedule_next (monthly, t, &next) != 0 || next <= t
                || ddc_tz_to_local (zone, next, &tm, NULL) != 0)
                bad++;
            else if (tm.tm_mday != ddc_tz_days_in_month (tm.tm_year + 1900, tm.tm_mon + 1))
                bad++;
            t = next;
        }
        cJSON_Delete (weekly);
        cJSON_Delete (monthly);
        ddc_tz_destroy (&zone);
    }
    CHECK_EQ (bad, 0);
}


//  --------------------------------------------------------------------------
//  Bad input

DDC_TEST (test_bad_tasks)
{
    //  Invalid for both; "zone" entries only name a missing zone, which
    //  describe (syntax only) accepts
    struct {
        const char *text;
        bool zone;
    } bad [] = { { "{}", false },
                 { "[]", false },
                 { "'daily'", false },
                 { "{'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'daily','timezone':'UTC'}", false },
                 { "{'cycle':'daily','time':'04:00'}", false },
                 { "{'cycle':'daily','time':'04:00','timezone':''}", false },
                 { "{'cycle':'daily','time':'04:00','timezone':'Mars/Olympus'}", true },
                 { "{'cycle':'daily','time':'04:00','timezone':'../../etc/passwd'}", false },
                 { "{'cycle':'daily','time':'04:00','timezone':'/etc/localtime'}", false },
                 { "{'cycle':'daily','time':'04:00','timezone':'Europe'}", true },
                 { "{'cycle':'daily','time':'04:00','timezone':'zone.tab'}", false },
                 { "{'cycle':'daily','time':'04:00','timezone':42}", false },
                 { "{'cycle':'daily','time':'25:00','timezone':'UTC'}", false },
                 { "{'cycle':'daily','time':'23:60','timezone':'UTC'}", false },
                 { "{'cycle':'daily','time':'4:00','timezone':'UTC'}", false },
                 { "{'cycle':'daily','time':'04:00:00','timezone':'UTC'}", false },
                 { "{'cycle':'daily','time':'04-00','timezone':'UTC'}", false },
                 { "{'cycle':'daily','time':'-4:00','timezone':'UTC'}", false },
                 { "{'cycle':'daily','time':400,'timezone':'UTC'}", false },
                 { "{'cycle':'hourly','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'Daily','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':null,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'weekly','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'weekly','weekday':'monday','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'weekly','weekday':1,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'monthly','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'monthly','day':0,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'monthly','day':32,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'monthly','day':1.5,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'monthly','day':'1','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'monthly','day':1e300,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'yearly','day':1,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'yearly','month':2,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'yearly','month':2,'day':30,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'yearly','month':4,'day':31,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'yearly','month':13,'day':1,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'yearly','month':0,'day':1,'time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'once','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'once','date':'2026-02-29','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'once','date':'2026-13-01','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'once','date':'2026-1-01','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'once','date':'1969-12-31','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'once','date':'2026-12-24T10','time':'04:00','timezone':'UTC'}", false },
                 { "{'cycle':'once','date':'+026-12-24','time':'04:00','timezone':'UTC'}", false },
                 { NULL, false } };
    char buf [128];
    for (int i = 0; bad [i].text; i++) {
        cJSON *task = s_task (bad [i].text);
        int64_t next = 12345;
        if (ddc_schedule_next (task, s_utc ("2026-01-01T00:00:00Z"), &next) != -1 || next != 12345) {
            fprintf (stderr, "accepted: %s\n", bad [i].text);
            CHECK (false);
        }
        if ((ddc_schedule_describe (task, buf, sizeof (buf)) == 0) != bad [i].zone) {
            fprintf (stderr, "described: %s\n", bad [i].text);
            CHECK (false);
        }
        cJSON_Delete (task);
    }
    cJSON *good = s_task (DAILY ("04:00", "UTC"));
    int64_t next;
    CHECK (ddc_schedule_next (NULL, 0, &next) == -1);
    CHECK (ddc_schedule_next (good, 0, NULL) == -1);
    CHECK_EQ (ddc_schedule_next (good, DDC_TZ_TIME_MIN - 1, &next), -1);
    CHECK_EQ (ddc_schedule_next (good, DDC_TZ_TIME_MAX + 1, &next), -1);
    CHECK_EQ (ddc_schedule_next (good, INT64_MIN, &next), -1);
    CHECK_EQ (ddc_schedule_next (good, INT64_MAX, &next), -1);
    CHECK_EQ (ddc_schedule_next (good, -1000000000, &next), 0);
    cJSON_Delete (good);
}

DDC_TEST (test_describe)
{
    struct {
        const char *task, *text;
    } cases [] = {
        { DAILY ("04:00", "Europe/Berlin"), "daily at 04:00 (Europe/Berlin)" },
        { "{'cycle':'weekly','weekday':'mon','time':'04:00','timezone':'UTC'}",
          "weekly on Monday at 04:00 (UTC)" },
        { "{'cycle':'weekly','weekday':'sun','time':'00:05','timezone':'UTC'}",
          "weekly on Sunday at 00:05 (UTC)" },
        { "{'cycle':'monthly','day':31,'time':'23:30','timezone':'America/New_York'}",
          "monthly on day 31 at 23:30 (America/New_York)" },
        { "{'cycle':'yearly','month':2,'day':29,'time':'12:00','timezone':'UTC'}",
          "yearly on February 29 at 12:00 (UTC)" },
        { "{'cycle':'once','date':'2026-12-24','time':'18:00','timezone':'Europe/Berlin'}",
          "once on 2026-12-24 at 18:00 (Europe/Berlin)" },
    };
    char buf [128];
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        cJSON *task = s_task (cases [i].task);
        CHECK_EQ (ddc_schedule_describe (task, buf, sizeof (buf)), 0);
        CHECK_STR (buf, cases [i].text);
        cJSON_Delete (task);
    }
    cJSON *task = s_task (DAILY ("04:00", "Europe/Berlin"));
    CHECK_EQ (ddc_schedule_describe (task, buf, 31), 0);
    CHECK_EQ (ddc_schedule_describe (task, buf, 30), -1);
    CHECK_STR (buf, "");
    CHECK_EQ (ddc_schedule_describe (task, buf, 0), -1);
    CHECK (ddc_schedule_describe (task, NULL, 10) == -1);
    CHECK (ddc_schedule_describe (NULL, buf, sizeof (buf)) == -1);
    cJSON_Delete (task);
}


//  --------------------------------------------------------------------------
//  The zone reader

//  glibc as the reference: localtime_r under TZ=name.

static int
s_glibc_compare (const ddc_tz_t *zone, const char *tz, int64_t t)
{
    struct tm ref, got;
    time_t tt = (time_t) t;
    setenv ("TZ", tz, 1);
    tzset ();
    if (!localtime_r (&tt, &ref))
        return 1;
    int off = 0;
    if (ddc_tz_to_local (zone, t, &got, &off) != 0)
        return 1;
    if (ref.tm_year != got.tm_year || ref.tm_mon != got.tm_mon || ref.tm_mday != got.tm_mday
        || ref.tm_hour != got.tm_hour || ref.tm_min != got.tm_min || ref.tm_sec != got.tm_sec
        || ref.tm_wday != got.tm_wday || ref.tm_yday != got.tm_yday || ref.tm_isdst != got.tm_isdst
        || ref.tm_gmtoff != off) {
        char buf [32], lbuf [S_LOCAL_MAX];
        fprintf (stderr,
                 "%s at %s: glibc %04d-%02d-%02d %02d:%02d:%02d "
                 "off %ld dst %d, ddc %s off %d dst %d\n",
                 tz, s_iso (t, buf), ref.tm_year + 1900, ref.tm_mon + 1, ref.tm_mday, ref.tm_hour,
                 ref.tm_min, ref.tm_sec, ref.tm_gmtoff, ref.tm_isdst, s_local (zone, t, lbuf), off,
                 got.tm_isdst);
        return 1;
    }
    //  Round trip: the local time maps back to t or an earlier occurrence
    //  showing the same local time
    int64_t back;
    int kind;
    struct tm again;
    if (ddc_tz_from_local (zone, &got, &back, &kind) != 0 || back > t
        || (back < t && kind != DDC_TZ_LOCAL_FOLD) || kind == DDC_TZ_LOCAL_GAP
        || ddc_tz_to_local (zone, back, &again, NULL) != 0 || again.tm_hour != got.tm_hour
        || again.tm_min != got.tm_min || again.tm_sec != got.tm_sec || again.tm_mday != got.tm_mday) {
        char buf [32];
        fprintf (stderr, "%s round trip of %s failed\n", tz, s_iso (t, buf));
        return 1;
    }
    return 0;
}

static uint64_t s_rand_state = 0x9E3779B97F4A7C15ULL;

static uint64_t
s_rand (void)
{
    //  xorshift64*
    s_rand_state ^= s_rand_state >> 12;
    s_rand_state ^= s_rand_state << 25;
    s_rand_state ^= s_rand_state >> 27;
    return s_rand_state * 2685821657736338717ULL;
}

#define CRON(expr, zone) "{'cycle':'cron','cron':'" expr "','timezone':'" zone "'}"

//  Cron schedules: fields, lists, ranges, steps, names, the day-of-month
//  or weekday rule, zones and DST, and what is refused.
DDC_TEST (test_cron)
{
    CHECK_STR (s_next (CRON ("* * * * *", "UTC"), "2026-01-01T03:59:59Z"), "2026-01-01T04:00:00Z");
    CHECK_STR (s_next (CRON ("* * * * *", "UTC"), "2026-01-01T04:00:00Z"), "2026-01-01T04:01:00Z");
    CHECK_STR (s_next (CRON ("*/15 * * * *", "UTC"), "2026-01-01T04:01:00Z"),
               "2026-01-01T04:15:00Z");
    CHECK_STR (s_next (CRON ("5/20 * * * *", "UTC"), "2026-01-01T04:26:00Z"),
               "2026-01-01T04:45:00Z");
    CHECK_STR (s_next (CRON ("0,30 9-17/4 * * *", "UTC"), "2026-01-01T13:31:00Z"),
               "2026-01-01T17:00:00Z");
    CHECK_STR (s_next (CRON ("0,30 9-17/4 * * *", "UTC"), "2026-01-01T17:30:00Z"),
               "2026-01-02T09:00:00Z");
    //  weekdays: 2026-01-02 is a Friday; 0 and 7 are Sunday; names
    CHECK_STR (s_next (CRON ("0 4 * * 1-5", "UTC"), "2026-01-02T05:00:00Z"),
               "2026-01-05T04:00:00Z");
    CHECK_STR (s_next (CRON ("0 4 * * 7", "UTC"), "2026-01-02T05:00:00Z"), "2026-01-04T04:00:00Z");
    CHECK_STR (s_next (CRON ("0 4 * * SUN", "UTC"), "2026-01-02T05:00:00Z"),
               "2026-01-04T04:00:00Z");
    CHECK_STR (s_next (CRON ("0 4 * * sat,sun", "UTC"), "2026-01-02T05:00:00Z"),
               "2026-01-03T04:00:00Z");
    //  months by number and name; the 31st skips short months
    CHECK_STR (s_next (CRON ("0 0 1 jul *", "UTC"), "2026-01-02T05:00:00Z"),
               "2026-07-01T00:00:00Z");
    CHECK_STR (s_next (CRON ("0 0 31 * *", "UTC"), "2026-04-01T00:00:00Z"), "2026-05-31T00:00:00Z");
    //  both day fields restricted: either matches (the 13th or a Friday)
    CHECK_STR (s_next (CRON ("0 12 13 * 5", "UTC"), "2026-01-03T00:00:00Z"),
               "2026-01-09T12:00:00Z");
    CHECK_STR (s_next (CRON ("0 12 13 * 5", "UTC"), "2026-01-09T12:00:00Z"),
               "2026-01-13T12:00:00Z");
    //  one restricted, the other "*" or "*/N": only the restricted one
    CHECK_STR (s_next (CRON ("0 12 13 * *", "UTC"), "2026-01-03T00:00:00Z"),
               "2026-01-13T12:00:00Z");
    CHECK_STR (s_next (CRON ("0 12 */10 * 5", "UTC"), "2026-01-03T00:00:00Z"),
               "2026-01-09T12:00:00Z");
    //  Feb 29 waits for a leap year, past 2100 (no leap year) too
    CHECK_STR (s_next (CRON ("0 0 29 2 *", "UTC"), "2026-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
    CHECK_STR (s_next (CRON ("0 0 29 2 *", "UTC"), "2096-03-01T00:00:00Z"), "2104-02-29T00:00:00Z");
    CHECK_STR (s_next (CRON ("0 0 30 2 *", "UTC"), "2026-03-01T00:00:00Z"), "none");
    //  local time in the zone; DST: the gap runs at its end, the fold once
    CHECK_STR (s_next (CRON ("0 4 * * *", "Europe/Berlin"), "2026-07-10T02:00:00Z"),
               "2026-07-11T02:00:00Z");
    CHECK_STR (s_next (CRON ("30 2 * * *", "Europe/Berlin"), "2026-03-28T12:00:00Z"),
               "2026-03-29T01:00:00Z");
    CHECK_STR (s_next (CRON ("30 2 * * *", "Europe/Berlin"), "2026-10-24T12:00:00Z"),
               "2026-10-25T00:30:00Z");
    CHECK_STR (s_next (CRON ("30 2 * * *", "Europe/Berlin"), "2026-10-25T00:30:00Z"),
               "2026-10-26T01:30:00Z");
    CHECK_STR (s_next (CRON ("30 23 * * *", "America/New_York"), "2026-01-11T04:00:00Z"),
               "2026-01-11T04:30:00Z");
    //  spaces and tabs between fields
    CHECK_STR (s_next (CRON ("  0\\t4  * * 1 ", "UTC"), "2026-01-02T05:00:00Z"),
               "2026-01-05T04:00:00Z");

    //  refused: field count, ranges, steps, names, junk, length
    static const char *const bad [] = { "",
                                        "* * * *",
                                        "* * * * * *",
                                        "60 * * * *",
                                        "* 24 * * *",
                                        "* * 0 * *",
                                        "* * 32 * *",
                                        "* * * 0 *",
                                        "* * * 13 *",
                                        "* * * * 8",
                                        "5-1 * * * *",
                                        "*/0 * * * *",
                                        "*/61 * * * *",
                                        "1,,2 * * * *",
                                        "1, * * * *",
                                        "a * * * *",
                                        "* * * foo *",
                                        "* * * * mo",
                                        "@daily",
                                        "0 4 * * 1-5 extra",
                                        "-1 * * * *",
                                        "0004 * * * *",
                                        "1-2-3 * * * *",
                                        "*/5/5 * * * *",
                                        NULL };
    for (int i = 0; bad [i]; i++) {
        if (ddc_schedule_cron_ok (bad [i]))
            fprintf (stderr, "accepted: '%s'\n", bad [i]);
        CHECK (!ddc_schedule_cron_ok (bad [i]));
    }
    CHECK (!ddc_schedule_cron_ok (NULL));
    char longer [DDC_SCHEDULE_CRON_MAX + 8];
    memset (longer, ' ', sizeof (longer) - 1);
    longer [sizeof (longer) - 1] = '\0';
    memcpy (longer, "0 4 * * 1", 9);
    CHECK (!ddc_schedule_cron_ok (longer));
    CHECK (ddc_schedule_cron_ok ("0 4 * * 1-5"));
    CHECK (ddc_schedule_cron_ok ("0-59/7 0,12 1-31 jan-DEC mon-fri"));
    //  no time needed, none wanted; a missing or bad expression is invalid
    CHECK_STR (s_next ("{'cycle':'cron','timezone':'UTC'}", "2026-01-01T00:00:00Z"), "none");
    CHECK_STR (s_next (CRON ("0 4 * *", "UTC"), "2026-01-01T00:00:00Z"), "none");
    //  described as written
    cJSON *task = s_task (CRON ("0 4 * * 1-5", "Europe/Berlin"));
    char desc [80];
    CHECK_EQ (ddc_schedule_describe (task, desc, sizeof (desc)), 0);
    CHECK_STR (desc, "cron 0 4 * * 1-5 (Europe/Berlin)");
    cJSON_Delete (task);
}

//  The next run as local time in the task's zone, and ids for new tasks.
DDC_TEST (test_next_local_and_ids)
{
    cJSON *task = s_task ("{'cycle':'weekly','weekday':'mon','time':'04:15',"
                          "'timezone':'Europe/Berlin'}");
    int64_t next = 0;
    struct tm tm;
    CHECK_EQ (ddc_schedule_next_local (task, s_utc ("2026-12-01T00:00:00Z"), &next, &tm), 0);
    CHECK_STR (s_iso (next, s_buf), "2026-12-07T03:15:00Z");
    CHECK_EQ (tm.tm_year + 1900, 2026);
    CHECK_EQ (tm.tm_mon + 1, 12);
    CHECK_EQ (tm.tm_mday, 7);
    CHECK_EQ (tm.tm_hour, 4);
    CHECK_EQ (tm.tm_min, 15);
    CHECK_EQ (tm.tm_wday, 1);
    CHECK_EQ (ddc_schedule_next_local (task, 0, &next, NULL), -1);
    cJSON_Delete (task);
    task = s_task ("{'cycle':'once','date':'2020-01-01','time':'04:15','timezone':'UTC'}");
    CHECK_EQ (ddc_schedule_next_local (task, s_utc ("2026-12-01T00:00:00Z"), &next, &tm), -1);
    cJSON_Delete (task);

    cJSON *list = s_task ("[{'id':'plex-restart-daily'},{'id':'plex-restart-daily-2'},{'x':1}]");
    char id [80];
    ddc_schedule_new_id (list, "plex", "restart", "daily", id, sizeof (id));
    CHECK_STR (id, "plex-restart-daily-3");
    ddc_schedule_new_id (list, "my.app 1", "stop", "weekly", id, sizeof (id));
    CHECK_STR (id, "my-app-1-stop-weekly");
    ddc_schedule_new_id (NULL, NULL, NULL, NULL, id, sizeof (id));
    CHECK_STR (id, "--");
    CHECK (ddc_schedule_has_id (list, "plex-restart-daily-2"));
    CHECK (!ddc_schedule_has_id (list, "plex"));
    CHECK (!ddc_schedule_has_id (NULL, "plex"));
    cJSON_Delete (list);
}

DDC_TEST (test_glibc_random)
{
    const char *zones [8] = { "Europe/Berlin", "America/New_York", "Australia/Sydney",
                              "Asia/Kolkata",  "Pacific/Chatham",  "Europe/London",
                              "UTC",           "America/Sao_Paulo" };
    int64_t lo = s_utc ("1970-01-01T00:00:00Z");
    int64_t hi = s_utc ("2100-12-31T23:59:59Z");
    int bad = 0;
    for (int z = 0; z < 8; z++) {
        ddc_tz_t *zone = ddc_tz_load (zones [z]);
        CHECK (zone);
        if (!zone)
            continue;
        CHECK_STR (ddc_tz_name (zone), zones [z]);
        for (int i = 0; i < 10000 && bad < 20; i++) {
            int64_t t = lo + (int64_t) (s_rand () % (uint64_t) (hi - lo + 1));
            bad += s_glibc_compare (zone, zones [z], t);
        }
        ddc_tz_destroy (&zone);
    }
    CHECK_EQ (bad, 0);
}

//  Around every transition between 1970 and 2100 (found by bisection on
//  glibc's offsets, per day), both sides agree.

DDC_TEST (test_glibc_transitions)
{
    const char *zones [] = { "Europe/Berlin",     "America/New_York", "Australia/Sydney",
                             "Pacific/Chatham",   "Europe/London",    "America/Santiago",
                             "Africa/Casablanca", "Asia/Tehran",      "Australia/Lord_Howe",
                             "America/St_Johns" };
    int bad = 0, transitions = 0;
    for (size_t z = 0; z < sizeof (zones) / sizeof (zones [0]); z++) {
        ddc_tz_t *zone = ddc_tz_load (zones [z]);
        CHECK (zone);
        if (!zone)
            continue;
        setenv ("TZ", zones [z], 1);
        tzset ();
        int64_t t = s_utc ("1970-01-01T00:00:00Z");
        int64_t end = s_utc ("2100-01-01T00:00:00Z");
        struct tm tm;
        time_t tt = (time_t) t;
        localtime_r (&tt, &tm);
        long prev = tm.tm_gmtoff;
        int prev_dst = tm.tm_isdst;
        for (; t < end && bad < 20; t += 86400) {
            tt = (time_t) (t + 86400);
            localtime_r (&tt, &tm);
            if (tm.tm_gmtoff == prev && tm.tm_isdst == prev_dst)
                continue;
            //  A change within (t, t + 1 day]: find it
            int64_t a = t, b = t + 86400;
            while (b - a > 1) {
                int64_t mid = a + (b - a) / 2;
                tt = (time_t) mid;
                localtime_r (&tt, &tm);
                if (tm.tm_gmtoff == prev && tm.tm_isdst == prev_dst)
                    a = mid;
                else
                    b = mid;
            }
            transitions++;
            for (int64_t d = -2; d <= 1; d++)
                bad += s_glibc_compare (zone, zones [z], b + d);
            tt = (time_t) (t + 86400);
            localtime_r (&tt, &tm);
            prev = tm.tm_gmtoff;
            prev_dst = tm.tm_isdst;
        }
        ddc_tz_destroy (&zone);
    }
    CHECK_EQ (bad, 0);
    CHECK (transitions > 1000);
}

//  POSIX rule strings alone, against glibc reading the same string.

DDC_TEST (test_posix_rules)
{
    const char *specs [] = {
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "EST5EDT,M3.2.0,M11.1.0",
        "AEST-10AEDT,M10.1.0,M4.1.0/3",
        "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
        "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
        "IST-5:30",
        "UTC0",
        "<+0330>-3:30",
        "EST5EDT,J60/2,J300/2",
        "EST5EDT,59/2,299",
        "XXX3YYY,J1/0,J365/25",
        "EST5EDT,0/0,J365/25",
        "NZST-12NZDT,M9.5.0,M4.1.0/3",
        "<-04>4<-03>,M9.1.6/24,M4.1.6/24",
        "ABC+1:02:03DEF-0:30,M1.1.1/1:02:03,M12.5.6/-3:30",
        "AAA-2BBB,M3.5.5/48,M10.5.5/72",
        "GMT0BST,M3.5.0/1,M10.5.0",
        //  No rule: the US one (glibc takes it from posixrules, which has
        //  the same rule since 2007; not a zone file name, so glibc reads
        //  the string)
        "ABC5DEF",
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof (specs) / sizeof (specs [0]); i++) {
        ddc_tz_t *zone = ddc_tz_posix (specs [i]);
        CHECK (zone);
        if (!zone) {
            fprintf (stderr, "refused: %s\n", specs [i]);
            continue;
        }
        CHECK_STR (ddc_tz_name (zone), "");
        int64_t lo = s_utc (strncmp (specs [i], "ABC5", 4) == 0 ? "2008-01-01T00:00:00Z"
                                                                : "1990-01-01T00:00:00Z");
        int64_t hi = s_utc ("2100-12-31T23:59:59Z");
        for (int k = 0; k < 2000 && bad < 20; k++) {
            int64_t t = lo + (int64_t) (s_rand () % (uint64_t) (hi - lo + 1));
            bad += s_glibc_compare (zone, specs [i], t);
        }
        ddc_tz_destroy (&zone);
    }
    CHECK_EQ (bad, 0);

    //  An explicit DST offset without a rule
    ddc_tz_t *zone = ddc_tz_posix ("ABC5DEF4:30");
    struct tm tm;
    int off = 0;
    CHECK (zone);
    CHECK_EQ (ddc_tz_to_local (zone, s_utc ("2026-07-01T12:00:00Z"), &tm, &off), 0);
    CHECK_EQ (off, -16200);
    CHECK_EQ (tm.tm_isdst, 1);
    CHECK_EQ (tm.tm_hour, 7);
    CHECK_EQ (tm.tm_min, 30);
    CHECK_EQ (ddc_tz_to_local (zone, s_utc ("2026-12-01T12:00:00Z"), &tm, &off), 0);
    CHECK_EQ (off, -18000);
    CHECK_EQ (tm.tm_isdst, 0);
    ddc_tz_destroy (&zone);

    const char *invalid [] = { "",
                               "C",
                               "CE-1",
                               "CET",
                               "CET-",
                               "CET-25",
                               "CET-1:60",
                               "CET-1:00:60",
                               "CET-1CEST,",
                               "CET-1CEST,M3.5.0",
                               "CET-1CEST,M3.5.0,",
                               "CET-1CEST,M13.5.0,M10.5.0",
                               "CET-1CEST,M3.6.0,M10.5.0",
                               "CET-1CEST,M3.5.7,M10.5.0",
                               "CET-1CEST,M3.0.0,M10.5.0",
                               "CET-1CEST,M3.5.0,M10.5.0/168",
                               "CET-1CEST,J0,J100",
                               "CET-1CEST,J366,J100",
                               "CET-1CEST,366,100",
                               "CET-1CEST,M3.5.0,M10.5.0,",
                               "CET-1CEST,M3.5.0,M10.5.0x",
                               "<AB>1",
                               "<ABC1",
                               "<A B>1",
                               "CET-1 ",
                               "CET-1CEST-2X",
                               "CET-1CE",
                               "CET-1CEST,M3.5.0/,M10.5.0",
                               "CET-1CEST,M.5.0,M10.5.0",
                               "CET-1000",
                               "CET-1CEST,M3.5.0/1:,M10.5.0",
                               NULL };
    for (int i = 0; invalid [i]; i++) {
        zone = ddc_tz_posix (invalid [i]);
        if (zone) {
            fprintf (stderr, "accepted: '%s'\n", invalid [i]);
            CHECK (false);
        }
        ddc_tz_destroy (&zone);
    }
    CHECK (ddc_tz_posix (NULL) == NULL);
    char longer [300];
    memset (longer, 'A', sizeof (longer) - 1);
    longer [sizeof (longer) - 1] = '\0';
    CHECK (ddc_tz_posix (longer) == NULL);
}

//  Read a zone file for the byte-level tests.

static unsigned char *
s_read_zone (const char *name, size_t *len)
{
    char path [128];
    snprintf (path, sizeof (path), "%s/%s", DDC_TZ_DIR, name);
    char *data = NULL;
    if (ddc_read_file (path, DDC_TZ_FILE_MAX, &data, len) != 0)
        return NULL;
    return (unsigned char *) data;
}

DDC_TEST (test_tzif_parse)
{
    size_t len = 0;
    unsigned char *data = s_read_zone ("Europe/Berlin", &len);
    CHECK (data && len > 100);
    if (!data)
        return;
    ddc_tz_t *zone = ddc_tz_parse (data, len);
    CHECK (zone);
    CHECK_STR (ddc_tz_name (zone), "");
    char buf [S_LOCAL_MAX];
    CHECK_STR (s_local (zone, s_utc ("2026-07-01T12:00:00Z"), buf), "2026-07-01 14:00:00");
    ddc_tz_destroy (&zone);

    //  Every truncation is refused (the footer's final newline is needed)
    int accepted = 0;
    for (size_t n = 0; n < len; n++) {
        zone = ddc_tz_parse (data, n);
        accepted += zone != NULL;
        ddc_tz_destroy (&zone);
    }
    CHECK_EQ (accepted, 0);

    //  Single-byte corruptions never crash; those accepted still convert
    unsigned char *copy = ddc_malloc (len);
    for (size_t i = 0; i < len; i++) {
        memcpy (copy, data, len);
        copy [i] ^= (unsigned char) (1u << (i % 8));
        zone = ddc_tz_parse (copy, len);
        struct tm tm;
        int64_t t;
        if (zone
            && (ddc_tz_to_local (zone, 0, &tm, NULL) != 0
                || ddc_tz_from_local (zone, &tm, &t, NULL) != 0))
            CHECK (false);
        ddc_tz_destroy (&zone);
    }
    //  Specific damage
    memcpy (copy, data, len);
    copy [4] = '1';
    CHECK (ddc_tz_parse (copy, len) == NULL);
    memcpy (copy, data, len);
    copy [0] = 'X';
    CHECK (ddc_tz_parse (copy, len) == NULL);
    memcpy (copy, data, len);
    copy [len - 1] = 'X';
    CHECK (ddc_tz_parse (copy, len) == NULL);
    CHECK (ddc_tz_parse (NULL, 10) == NULL);

    //  Version 1 view: the 32-bit block alone, no footer
    memcpy (copy, data, len);
    copy [4] = 0;
    zone = ddc_tz_parse (copy, len);
    CHECK (zone);
    CHECK_STR (s_local (zone, s_utc ("2026-07-01T12:00:00Z"), buf), "2026-07-01 14:00:00");
    CHECK_STR (s_local (zone, s_utc ("2026-12-01T12:00:00Z"), buf), "2026-12-01 13:00:00");
    ddc_tz_destroy (&zone);
    free (copy);
    free (data);

    //  An empty footer ("\n\n"): the last type stays (UTC file: UTC)
    data = s_read_zone ("UTC", &len);
    CHECK (data && len > 4 && data [len - 1] == '\n');
    if (data) {
        copy = ddc_malloc (len);
        memcpy (copy, data, len);
        size_t at = len - 2;
        while (at > 0 && copy [at] != '\n')
            at--;
        copy [at + 1] = '\n';
        zone = ddc_tz_parse (copy, at + 2);
        CHECK (zone);
        CHECK_STR (s_local (zone, s_utc ("2050-01-01T00:00:00Z"), buf), "2050-01-01 00:00:00");
        ddc_tz_destroy (&zone);
        free (copy);
        free (data);
    }
}

DDC_TEST (test_tz_load)
{
    CHECK (ddc_tz_name_ok ("Europe/Berlin"));
    CHECK (ddc_tz_name_ok ("Etc/GMT+5"));
    CHECK (!ddc_tz_name_ok (NULL));
    CHECK (!ddc_tz_name_ok (""));
    CHECK (!ddc_tz_name_ok ("/etc/passwd"));
    CHECK (!ddc_tz_name_ok ("Europe/../etc"));
    CHECK (!ddc_tz_name_ok ("Europe//Berlin"));
    CHECK (!ddc_tz_name_ok ("Europe/Berlin "));
    const char *refused [] = { "Europe", "Nowhere/City", "zone.tab",       "../etc/passwd",
                               "",       "tzdata.zi",    "Europe/Berlin/", NULL };
    for (int i = 0; refused [i]; i++) {
        ddc_tz_t *zone = ddc_tz_load (refused [i]);
        if (zone) {
            fprintf (stderr, "loaded: %s\n", refused [i]);
            CHECK (false);
        }
        ddc_tz_destroy (&zone);
    }
    CHECK (ddc_tz_load (NULL) == NULL);
    ddc_tz_destroy (NULL);
    CHECK (ddc_tz_name (NULL) == NULL);

    ddc_tz_t *zone = ddc_tz_load ("UTC");
    struct tm tm;
    int64_t t;
    CHECK (zone);
    CHECK (ddc_tz_to_local (NULL, 0, &tm, NULL) == -1);
    CHECK (ddc_tz_to_local (zone, 0, NULL, NULL) == -1);
    CHECK (ddc_tz_to_local (zone, DDC_TZ_TIME_MAX + 1, &tm, NULL) == -1);
    CHECK (ddc_tz_to_local (zone, DDC_TZ_TIME_MIN - 1, &tm, NULL) == -1);
    CHECK (ddc_tz_to_local (zone, DDC_TZ_TIME_MIN, &tm, NULL) == 0);
    CHECK_EQ (tm.tm_year, 1 - 1900);
    CHECK_EQ (tm.tm_mon, 0);
    CHECK_EQ (tm.tm_mday, 1);
    CHECK_EQ (tm.tm_wday, 1);
    CHECK (ddc_tz_to_local (zone, DDC_TZ_TIME_MAX, &tm, NULL) == 0);
    CHECK_EQ (tm.tm_year, 9999 - 1900);
    CHECK_EQ (tm.tm_yday, 364);
    CHECK_EQ (tm.tm_sec, 59);
    tm = s_tm (2026, 2, 29, 0, 0, 0);
    CHECK (ddc_tz_from_local (zone, &tm, &t, NULL) == -1);
    tm = s_tm (2026, 13, 1, 0, 0, 0);
    CHECK (ddc_tz_from_local (zone, &tm, &t, NULL) == -1);
    tm = s_tm (2026, 1, 1, 24, 0, 0);
    CHECK (ddc_tz_from_local (zone, &tm, &t, NULL) == -1);
    tm = s_tm (2026, 1, 1, 0, 0, 60);
    CHECK (ddc_tz_from_local (zone, &tm, &t, NULL) == -1);
    tm = s_tm (10000, 1, 1, 0, 0, 0);
    CHECK (ddc_tz_from_local (zone, &tm, &t, NULL) == -1);
    tm = s_tm (2026, 1, 1, 0, 0, 0);
    CHECK (ddc_tz_from_local (zone, &tm, NULL, NULL) == -1);
    CHECK (ddc_tz_from_local (NULL, &tm, &t, NULL) == -1);
    CHECK (ddc_tz_from_local (zone, NULL, &t, NULL) == -1);
    CHECK (ddc_tz_from_local (zone, &tm, &t, NULL) == 0 && t == s_utc ("2026-01-01T00:00:00Z"));
    ddc_tz_destroy (&zone);

    //  Civil helpers
    CHECK_EQ (ddc_tz_days_from_civil (1970, 1, 1), 0);
    CHECK_EQ (ddc_tz_days_from_civil (2000, 3, 1), 11017);
    CHECK_EQ (ddc_tz_days_from_civil (1969, 12, 31), -1);
    int64_t y;
    int m, d, w;
    ddc_tz_civil_from_days (-1, &y, &m, &d, &w);
    CHECK_EQ (y, 1969);
    CHECK_EQ (m, 12);
    CHECK_EQ (d, 31);
    CHECK_EQ (w, 3);
    ddc_tz_civil_from_days (20567, &y, &m, &d, &w);
    CHECK_EQ (y, 2026);
    CHECK_EQ (m, 4);
    CHECK_EQ (d, 24);
    CHECK_EQ (w, 5);
    ddc_tz_civil_from_days (0, NULL, NULL, NULL, NULL);
    CHECK (ddc_tz_days_in_month (2028, 2) == 29 && ddc_tz_days_in_month (2100, 2) == 28);
    CHECK (ddc_tz_days_in_month (2000, 2) == 29 && ddc_tz_days_in_month (2026, 0) == 0);
}

//  right/ zones count leap seconds; the reader moves them to POSIX time.
//  Where a right/ file defines local time it matches the plain zone; a
//  file whose leap-second table expires stops there (zic writes no footer
//  rule), and what tzdata ships decides when, so the comparison ends at
//  the file's own end.

DDC_TEST (test_leap_second_zone)
{
    ddc_tz_t *right = ddc_tz_load ("right/Europe/Berlin");
    if (!right)
        return; //  not every system ships right/
    ddc_tz_t *plain = ddc_tz_load ("Europe/Berlin");
    CHECK (plain);
    int64_t end = ddc_tz_rules_end (right);
    CHECK_EQ (ddc_tz_rules_end (plain), INT64_MAX);
    char a [S_LOCAL_MAX], b [S_LOCAL_MAX];
    const char *instants [] = { "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z",
                                "2026-10-25T00:59:59Z", "2026-10-25T01:00:00Z",
                                "1996-10-27T01:00:00Z", "2030-07-01T00:00:00Z" };
    for (size_t i = 0; i < sizeof (instants) / sizeof (instants [0]); i++) {
        int64_t t = s_utc (instants [i]);
        if (t < end)
            CHECK_STR (s_local (right, t, a), s_local (plain, t, b));
    }
    //  Every hour from 1996 to the end of the file's data
    int64_t stop = end < s_utc ("2038-01-01T00:00:00Z") ? end : s_utc ("2038-01-01T00:00:00Z");
    int differ = 0;
    for (int64_t t = s_utc ("1996-01-01T00:00:00Z"); t < stop; t += 3600)
        differ += strcmp (s_local (right, t, a), s_local (plain, t, b)) != 0;
    CHECK_EQ (differ, 0);
    //  Past the end the last type stays in effect
    if (end != INT64_MAX) {
        struct tm tm;
        int at_end, later;
        CHECK_EQ (ddc_tz_to_local (right, end, &tm, &at_end), 0);
        CHECK_EQ (ddc_tz_to_local (right, end + 200 * 86400, &tm, &later), 0);
        CHECK_EQ (at_end, later);
    }
    ddc_tz_destroy (&right);
    ddc_tz_destroy (&plain);
}

//  A version 2 TZif image with the given leap-second records and
//  transitions (types 0 = UTC+0, 1 = UTC+1), footer as given ("" for none).

static size_t
s_put32 (unsigned char *p, uint32_t v)
{
    p [0] = (unsigned char) (v >> 24);
    p [1] = (unsigned char) (v >> 16);
    p [2] = (unsigned char) (v >> 8);
    p [3] = (unsigned char) v;
    return 4;
}

static size_t
s_put64 (unsigned char *p, int64_t v)
{
    s_put32 (p, (uint32_t) ((uint64_t) v >> 32));
    s_put32 (p + 4, (uint32_t) v);
    return 8;
}

static size_t
s_tzif_leaps (unsigned char *out, const int64_t *occ, const int32_t *corr, size_t nleap,
              const int64_t *trans, const uint8_t *idx, size_t ntrans, const char *footer)
{
    size_t n = 0;
    //  An empty version 1 block, then the version 2 header and block
    for (int block = 0; block < 2; block++) {
        memcpy (out + n, "TZif2", 5);
        memset (out + n + 5, 0, 15);
        n += 20;
        uint32_t counts [6] = { 0, 0, 0, 0, 0, 0 };
        if (block == 1) {
            //  isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
            counts [2] = (uint32_t) nleap;
            counts [3] = (uint32_t) ntrans;
            counts [4] = 2;
            counts [5] = 4;
        }
        for (int i = 0; i < 6; i++)
            n += s_put32 (out + n, counts [i]);
    }
    for (size_t i = 0; i < ntrans; i++)
        n += s_put64 (out + n, trans [i]);
    for (size_t i = 0; i < ntrans; i++)
        out [n++] = idx [i];
    //  Types: offset, isdst, abbreviation index
    n += s_put32 (out + n, 0);
    out [n++] = 0;
    out [n++] = 0;
    n += s_put32 (out + n, 3600);
    out [n++] = 0;
    out [n++] = 0;
    memcpy (out + n, "UTC", 4);
    n += 4;
    for (size_t i = 0; i < nleap; i++) {
        n += s_put64 (out + n, occ [i]);
        n += s_put32 (out + n, (uint32_t) corr [i]);
    }
    out [n++] = '\n';
    memcpy (out + n, footer, strlen (footer));
    n += strlen (footer);
    out [n++] = '\n';
    return n;
}

DDC_TEST (test_leap_table_end)
{
    //  Leap seconds at 100 and 200 (leap scale); transitions to UTC+1 at
    //  150 and back at 1000, after the table's last record
    const int64_t occ [] = { 100, 200 };
    const int32_t corr [] = { 1, 2 };
    const int64_t trans [] = { 150, 1000 };
    const uint8_t idx [] = { 1, 0 };
    unsigned char image [512];
    size_t len = s_tzif_leaps (image, occ, corr, 2, trans, idx, 2, "");
    ddc_tz_t *zone = ddc_tz_parse (image, len);
    CHECK (zone);
    if (!zone)
        return;
    //  Past the last record the last correction goes on: 1000 - 2
    CHECK_EQ (ddc_tz_rules_end (zone), 998);
    int off;
    struct tm tm;
    CHECK (ddc_tz_to_local (zone, 148, &tm, &off) == 0 && off == 0);
    CHECK (ddc_tz_to_local (zone, 149, &tm, &off) == 0 && off == 3600);
    CHECK (ddc_tz_to_local (zone, 997, &tm, &off) == 0 && off == 3600);
    CHECK (ddc_tz_to_local (zone, 998, &tm, &off) == 0 && off == 0);
    //  No footer rule: the last type stays, years later too
    CHECK (ddc_tz_to_local (zone, s_utc ("2090-06-01T00:00:00Z"), &tm, &off) == 0 && off == 0);
    ddc_tz_destroy (&zone);

    //  With a footer rule the rules never end
    len = s_tzif_leaps (image, occ, corr, 2, trans, idx, 2, "<+01>-1");
    zone = ddc_tz_parse (image, len);
    CHECK (zone && ddc_tz_rules_end (zone) == INT64_MAX);
    CHECK (ddc_tz_to_local (zone, s_utc ("2090-06-01T00:00:00Z"), &tm, &off) == 0 && off == 3600);
    ddc_tz_destroy (&zone);
    CHECK (ddc_tz_rules_end (NULL) == INT64_MAX);

    //  Leap records out of order are refused
    const int64_t bad [] = { 200, 100 };
    len = s_tzif_leaps (image, bad, corr, 2, trans, idx, 2, "");
    CHECK (ddc_tz_parse (image, len) == NULL);
}

DDC_TEST (test_cache)
{
    //  More zones than the cache holds, twice over: still right
    const char *zones [] = { "Europe/Berlin",     "Europe/Paris",     "Europe/Rome",
                             "Europe/Madrid",     "Europe/Vienna",    "Europe/Oslo",
                             "Europe/Prague",     "Europe/Warsaw",    "Europe/Zurich",
                             "Europe/Brussels",   "Europe/Amsterdam", "Europe/Stockholm",
                             "Europe/Copenhagen", "Europe/Budapest",  "Europe/Belgrade",
                             "Europe/Luxembourg", "Europe/Monaco",    "Europe/Malta",
                             "Europe/Andorra",    "Europe/Tirane" };
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof (zones) / sizeof (zones [0]); i++) {
            char text [160];
            snprintf (text, sizeof (text),
                      "{'cycle':'daily','time':'04:00',"
                      "'timezone':'%s'}",
                      zones [i]);
            CHECK_STR (s_next (text, "2026-07-01T00:00:00Z"), "2026-07-01T02:00:00Z");
        }
    ddc_schedule_flush ();
    CHECK_STR (s_next (DAILY ("04:00", "Europe/Berlin"), "2026-07-01T00:00:00Z"),
               "2026-07-01T02:00:00Z");
    ddc_schedule_flush ();
    ddc_schedule_flush ();
}

int
main (int argc, char *argv [])
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_daily);
    DDC_RUN (test_weekly);
    DDC_RUN (test_weekly_across_dst);
    DDC_RUN (test_monthly);
    DDC_RUN (test_yearly);
    DDC_RUN (test_once);
    DDC_RUN (test_dst_berlin);
    DDC_RUN (test_dst_new_york);
    DDC_RUN (test_dst_sydney);
    DDC_RUN (test_other_zones);
    DDC_RUN (test_far_future);
    DDC_RUN (test_long_sequence);
    DDC_RUN (test_sequences_all_cycles);
    DDC_RUN (test_bad_tasks);
    DDC_RUN (test_describe);
    DDC_RUN (test_cron);
    DDC_RUN (test_next_local_and_ids);
    DDC_RUN (test_glibc_random);
    DDC_RUN (test_glibc_transitions);
    DDC_RUN (test_posix_rules);
    DDC_RUN (test_tzif_parse);
    DDC_RUN (test_tz_load);
    DDC_RUN (test_leap_second_zone);
    DDC_RUN (test_leap_table_end);
    DDC_RUN (test_cache);
    DDC_DONE ();
}
