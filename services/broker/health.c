/*  health: is the ddc system well (for the watchdog). See health.h. */
#include "health.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <stdio.h>
#include <string.h>

#define S_HOSTS_MAX 64 //  distinct hosts looked at

//  A string member of a report's JSON object (a copy into out), or "".
static void
s_report_field (peer_t *peer, const char *topic, const char *object, const char *key, char *out,
                size_t size, bool *flag)
{
    out [0] = '\0';
    size_t len = 0;
    const char *text = peer_report (peer, topic, &len);
    char why [64];
    cJSON *body = text ? ddc_json_parse (text, len, len + 1, why, sizeof (why)) : NULL;
    const cJSON *in = object ? cJSON_GetObjectItemCaseSensitive (body, object) : body;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (in, key);
    if (cJSON_IsString (v))
        snprintf (out, size, "%s", v->valuestring);
    if (flag)
        *flag = !cJSON_IsFalse (cJSON_GetObjectItemCaseSensitive (in, "reachable"));
    cJSON_Delete (body);
}

//  The bot: fine without a token; else a connected discord peer whose
//  gateway is ready.
static bool
s_bot_ok (const cJSON *bot, peers_t *peers, char *why, size_t size, char *ready, size_t rsize)
{
    const char *token = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (bot, "token"));
    ready [0] = '\0';
    if (!token || !*token)
        return true;
    char state [64] = "", first [400] = "";
    for (peer_t *p = peers_first (peers); p; p = peers_next (peers)) {
        if (strcmp (peer_role (p)->name, "discord") != 0 || !peer_connected (p))
            continue;
        s_report_field (p, "gateway", NULL, "state", state, sizeof (state), NULL);
        if (strcmp (state, "ready") == 0) {
            snprintf (ready, rsize, "%s ready", peer_name (p));
            return true;
        }
        if (!first [0]) {
            char error [200];
            s_report_field (p, "gateway", NULL, "error", error, sizeof (error), NULL);
            snprintf (first, sizeof (first), "%.100s: the Discord gateway is %s%s%.200s",
                      peer_name (p), state [0] ? state : "not reported yet", error [0] ? ": " : "",
                      error);
        }
    }
    snprintf (why, size, "%s",
              first [0] ? first : "no ddc-discord is connected (a bot token is set)");
    return false;
}

bool
health_judge (const cJSON *bot, const cJSON *containers, peers_t *peers, char *reason, size_t size)
{
    char first [600] = "", ready [340];
    int wrong = 0;
    if (!s_bot_ok (bot, peers, first, sizeof (first), ready, sizeof (ready)))
        wrong++;
    //  Each host with an active container, once.
    const char *hosts [S_HOSTS_MAX];
    int nhosts = 0;
    const cJSON *c;
    cJSON_ArrayForEach (c, containers) {
        const char *host = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "host"));
        if (!host || cJSON_IsFalse (cJSON_GetObjectItemCaseSensitive (c, "active")))
            continue;
        bool seen = false;
        for (int i = 0; i < nhosts && !seen; i++)
            seen = strcmp (hosts [i], host) == 0;
        if (seen || nhosts == S_HOSTS_MAX)
            continue;
        hosts [nhosts++] = host;
        char name [320], why [600] = "";
        snprintf (name, sizeof (name), "docker@%.300s", host);
        peer_t *agent = peers_by_name (peers, name);
        if (!agent)
            snprintf (why, sizeof (why), "%s is not connected", name);
        else {
            bool reachable = true;
            char error [300];
            s_report_field (agent, "status", "docker", "error", error, sizeof (error), &reachable);
            if (!reachable)
                snprintf (why, sizeof (why), "%.300s: Docker is unreachable%s%.200s", name,
                          error [0] ? ": " : "", error);
        }
        if (why [0] && wrong++ == 0)
            snprintf (first, sizeof (first), "%s", why);
    }
    if (wrong) {
        if (wrong > 1)
            snprintf (reason, size, "%s (and %d more)", first, wrong - 1);
        else
            snprintf (reason, size, "%s", first);
        return false;
    }
    char hosts_text [64] = "";
    if (nhosts)
        snprintf (hosts_text, sizeof (hosts_text), ", %d Docker host%s connected", nhosts,
                  nhosts == 1 ? "" : "s");
    snprintf (reason, size, "all well: broker up%s%s%s", ready [0] ? ", " : "", ready, hosts_text);
    return true;
}
