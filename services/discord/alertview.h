/*  alertview: a Docker agent's alert report as the bot reads and shows it
    (proto/docker.md, topic "alerts"). Owns the parse of a report into a
    fixed struct (untrusted input: every field type-checked and bounded, a
    report missing what the bot needs refused) and the messages of an
    incident in the bot language: its alert embed (opened or escalated,
    then over: the title, the reason, the last log lines or the health
    check's output, the host and the times as Discord timestamps, held-back
    alerts), and the follow-up reply to it. Pure: no I/O. */
#ifndef DDC_DISCORD_ALERTVIEW_H
#define DDC_DISCORD_ALERTVIEW_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "i18n.h"

#define ALERT_LOGS_MAX (16 * 1024) //  log text read of a report
#define ALERT_TEXT_SHOWN 3000      //  bytes of it kept and shown

typedef enum { ALERT_OPENED, ALERT_ESCALATED, ALERT_RESOLVED } alert_event_t;

typedef struct {
    char host [64];
    char id [64];
    alert_event_t event;
    char container [129];
    char display [404]; //  100 characters of any size
    char kind [16];     //  crash, unhealthy, restart_loop
    char reason [16];   //  exit, oom, unhealthy, restart_loop
    int64_t exit_code;  //  -1: none
    int restarts;
    int window_minutes;
    int64_t opened_ms; //  wall, 0 unknown
    int64_t time_ms;   //  when this report was made, 0 unknown
    bool running;
    int suppressed;
    char resolution [16]; //  recovered, loop_ended, stopped, gone
    int64_t duration_s;
    char health_output [520];
    char logs_error [160];
    char *logs; /* owned, NULL when none; the newest
                                       ALERT_TEXT_SHOWN bytes, cleaned    */
} alert_t;

//  Parse a report (borrowed) of host into out. 0, or -1 when it is not an
//  alert report the bot can show (then out holds nothing to free).
int alertview_parse (const cJSON *body, const char *host, alert_t *out);
//  Free what out owns (its logs).
void alertview_free (alert_t *a);
//  A copy of src into dst (logs duplicated).
void alertview_copy (alert_t *dst, const alert_t *src);

//  The alert message (content and one embed, no mentions) of an incident:
//  opening is its opening or escalation (with the logs), now the latest
//  report (the same, or its end).
cJSON *alertview_message (lang_t lang, const alert_t *opening, const alert_t *now);
//  The follow-up reply to the alert message message_id in channel: the
//  escalation or the end in one line.
cJSON *alertview_followup (lang_t lang, const alert_t *now, const char *channel,
                           const char *message_id);

#endif
