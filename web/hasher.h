/*  hasher: one background thread per worker for the slow password work
    (argon2id ~0.1 s, a legacy werkzeug PBKDF2 hash up to seconds), so the
    event loop never waits on it. Jobs go in through a bounded queue;
    finished jobs come back through a pipe registered in Kore's epoll and
    their done callback runs on the event loop. The thread touches nothing
    but its job. */
#ifndef WEB_HASHER_H
#define WEB_HASHER_H

#include <stdbool.h>

#include "ddc_pwhash.h"

#define HASHER_QUEUE_MAX 16

typedef struct hasher_job hasher_job_t;
struct hasher_job {
    //  in (owned by the job; passwords are wiped after use)
    char *verify_pw; //  verify this against hash, or NULL
    char *hash;
    char *new_pw; //  hash this when verified (or no verify)
    bool rehash;  /* no new_pw: hash verify_pw again when
                                    hash needs a rehash                    */
    //  out
    int rc;                    /* verify: 1 match, 0 no, -1 bad hash; 1
                                    when there was nothing to verify       */
    char out [DDC_PWHASH_MAX]; //  the new hash or ""
    //  completion, on the event loop
    void (*done) (hasher_job_t *job);
    void *arg;
    hasher_job_t *next;
};

int hasher_start (void);
//  Stops the thread; queued jobs are dropped without done.
void hasher_stop (void);
//  New job with copies of the strings (NULLs allowed).
hasher_job_t *hasher_job_new (const char *verify_pw, const char *hash, const char *new_pw,
                              bool rehash);
void hasher_job_destroy (hasher_job_t **job_p);
//  Queue *job_p (*job_p set to NULL; the job is destroyed when it cannot
//  be queued). 0, or -1 when the queue is full.
int hasher_submit (hasher_job_t **job_p);

#endif
