/*  hasher: the password hashing thread. See hasher.h. */
#include "hasher.h"

#include <kore/kore.h>

#include "ddc_log.h"
#include "ddc_util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

typedef struct {
    struct kore_event evt; //  first: Kore casts to it
    int fd;
} s_fd_t;

static struct {
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    hasher_job_t *head, *tail; //  queued, guarded by lock
    int queued;                //  queued + in progress
    bool stop;
    int pipe [2]; //  thread -> loop
    s_fd_t ev;
} s = { .pipe = { -1, -1 } };

static char *
s_dup (const char *p)
{
    return p ? ddc_strdup (p) : NULL;
}

static void
s_wipe (char **p)
{
    if (*p) {
        sodium_memzero (*p, strlen (*p));
        free (*p);
        *p = NULL;
    }
}

hasher_job_t *
hasher_job_new (const char *verify_pw, const char *hash, const char *new_pw, bool rehash)
{
    hasher_job_t *job = ddc_calloc (1, sizeof (*job));
    job->verify_pw = s_dup (verify_pw);
    job->hash = s_dup (hash);
    job->new_pw = s_dup (new_pw);
    job->rehash = rehash;
    return job;
}

void
hasher_job_destroy (hasher_job_t **job_p)
{
    if (!job_p || !*job_p)
        return;
    hasher_job_t *job = *job_p;
    s_wipe (&job->verify_pw);
    s_wipe (&job->new_pw);
    s_wipe (&job->hash);
    sodium_memzero (job->out, sizeof (job->out));
    free (job);
    *job_p = NULL;
}

static void
s_work (hasher_job_t *job)
{
    job->rc = 1;
    job->out [0] = '\0';
    if (job->verify_pw) {
        job->rc = ddc_pwhash_verify (job->verify_pw, job->hash ? job->hash : "");
        if (job->rc != 1)
            return;
    }
    const char *pw = job->new_pw;
    if (!pw && job->rehash && job->verify_pw && ddc_pwhash_needs_rehash (job->hash))
        pw = job->verify_pw;
    if (pw && ddc_pwhash_hash (pw, job->out) < 0) {
        job->out [0] = '\0';
        if (job->new_pw)
            job->rc = -1;
    }
    s_wipe (&job->verify_pw);
    s_wipe (&job->new_pw);
}

static void *
s_thread (void *arg)
{
    (void) arg;
    pthread_mutex_lock (&s.lock);
    for (;;) {
        while (!s.head && !s.stop)
            pthread_cond_wait (&s.cond, &s.lock);
        if (s.stop)
            break;
        hasher_job_t *job = s.head;
        s.head = job->next;
        if (!s.head)
            s.tail = NULL;
        pthread_mutex_unlock (&s.lock);
        s_work (job);
        //  hand the pointer back; a pipe write of 8 bytes is atomic
        ssize_t n;
        do
            n = write (s.pipe [1], &job, sizeof (job));
        while (n < 0 && errno == EINTR);
        pthread_mutex_lock (&s.lock);
        if (n != (ssize_t) sizeof (job)) {
            s.queued--;
            hasher_job_destroy (&job);
        }
    }
    pthread_mutex_unlock (&s.lock);
    return NULL;
}

//  The loop side: finished jobs.
static void
s_readable (void *arg, int error)
{
    (void) arg;
    (void) error;
    for (;;) {
        hasher_job_t *job;
        ssize_t n = read (s.pipe [0], &job, sizeof (job));
        if (n != (ssize_t) sizeof (job))
            break;
        pthread_mutex_lock (&s.lock);
        s.queued--;
        pthread_mutex_unlock (&s.lock);
        if (job->done)
            job->done (job);
        else
            hasher_job_destroy (&job);
    }
}

int
hasher_start (void)
{
    if (pipe2 (s.pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
        ddc_error ("hasher: pipe: %s", strerror (errno));
        return -1;
    }
    pthread_mutex_init (&s.lock, NULL);
    pthread_cond_init (&s.cond, NULL);
    s.ev.fd = s.pipe [0];
    s.ev.evt.type = 101;
    s.ev.evt.handle = s_readable;
    kore_platform_event_schedule (s.pipe [0], EPOLLIN | EPOLLET, 0, &s.ev);
    int rc = pthread_create (&s.thread, NULL, s_thread, NULL);
    if (rc != 0) {
        ddc_error ("hasher: cannot start the thread: %s", strerror (rc));
        return -1;
    }
    s.running = true;
    return 0;
}

void
hasher_stop (void)
{
    if (!s.running)
        return;
    pthread_mutex_lock (&s.lock);
    s.stop = true;
    pthread_cond_signal (&s.cond);
    pthread_mutex_unlock (&s.lock);
    pthread_join (s.thread, NULL);
    s.running = false;
    while (s.head) {
        hasher_job_t *job = s.head;
        s.head = job->next;
        hasher_job_destroy (&job);
    }
    //  finished but not delivered
    hasher_job_t *job;
    while (read (s.pipe [0], &job, sizeof (job)) == (ssize_t) sizeof (job))
        hasher_job_destroy (&job);
    kore_platform_disable_read (s.pipe [0]);
    close (s.pipe [0]);
    close (s.pipe [1]);
}

int
hasher_submit (hasher_job_t **job_p)
{
    assert (job_p && *job_p);
    hasher_job_t *job = *job_p;
    *job_p = NULL;
    pthread_mutex_lock (&s.lock);
    if (!s.running || s.queued >= HASHER_QUEUE_MAX) {
        pthread_mutex_unlock (&s.lock);
        hasher_job_destroy (&job);
        return -1;
    }
    job->next = NULL;
    if (s.tail)
        s.tail->next = job;
    else
        s.head = job;
    s.tail = job;
    s.queued++;
    pthread_cond_signal (&s.cond);
    pthread_mutex_unlock (&s.lock);
    return 0;
}
