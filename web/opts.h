/*  opts: ddc-web's command line (and DDC_BROKER, DDC_CERT,
    DDC_BROKER_CERT, DDC_INSECURE from the environment, ddc_args). Kore-free: Kore does not parse
    argv in single-binary mode, main.c hands it here. */
#ifndef WEB_OPTS_H
#define WEB_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#define OPTS_DEFAULT_LISTEN "127.0.0.1:9374"

typedef struct {
    char broker [512]; //  CTL endpoint
    char host [256];   //  listen address (IPv4, IPv6 or name)
    char port [8];
    char instance [128];         //  peer name web@INSTANCE; "" = host name
    char setup_code_file [1024]; /* --setup-code-file, accepted and ignored:
                                    the broker keeps the setup code          */
    char cert [1024];            //  CURVE client cert, "" = none
    char broker_cert [1024];
    bool insecure;            //  tcp:// without certificates is allowed
    char pidfile [1024];      //  "" = a private temp file
    bool trust_forwarded_for; //  client address from X-Forwarded-For
    int session_idle_s;       //  --session-idle; 0 = the config's minutes
    int log_idle_s;           /* --log-idle: a followed log stops after
                                    so long without a new line (600)         */
    int verbose;
    bool help;
    bool version;
} opts_t;

//  Parse argv (getopt_long; argv may be permuted). 0, or -1 with a message
//  for the user in err[errlen] (usage errors). env values are read with
//  getenv.
int opts_parse (opts_t *o, int argc, char **argv, char *err, size_t errlen);

//  Split "HOST:PORT", "[V6]:PORT" or ":PORT" (all addresses). 0/-1.
int opts_listen (const char *text, char *host, size_t hostlen, char *port, size_t portlen);

//  The --help text.
extern const char opts_usage [];

#endif
