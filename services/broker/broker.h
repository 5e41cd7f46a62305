/*  broker: the ddc-broker reactor. Owns the CTL ROUTER and PUB XPUB sockets,
    the CURVE authenticator, the store, the peer table, the pending actions,
    the web UI's setup code and its sign-in limit, the watchdog, and runs
    them in one zloop: requests (proto/ddcp.md section 5), publishing
    (section 6), heartbeats, hand-edit polling, action routing and
    timeouts, the watchdog's checks and requests.
    Single-threaded. */
#ifndef DDC_BROKER_H
#define DDC_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *data_dir; //  config.json, history, audit, sockets
    const char *ctl_endpoint;
    const char *pub_endpoint;
    const char *advertise_pub;  //  PUB endpoint told to clients (or NULL)
    const char *keys_dir;       //  CURVE: broker.cert + clients/ (or NULL)
    bool insecure;              //  allow tcp:// without CURVE
    int pub_hwm;                //  PUB send high-water mark (0 = 256)
    const char *watchdog_ca;    //  CA file (PEM) for https monitors, or NULL
    int64_t watchdog_minute_ms; //  a watchdog minute (0 = 60000; tests)
} broker_opts_t;

typedef struct broker_t broker_t;

//  Open the store, bind the sockets. NULL with a one-line reason in err.
broker_t *broker_new (const broker_opts_t *opts, char *err, size_t errlen);
//  Run until SIGINT/SIGTERM. Returns 0.
int broker_run (broker_t *self);
void broker_destroy (broker_t **self_p);

#endif
