/*  ddc-web main: the process around Kore. Kore 4.1.0 is built into this
    binary (single-binary mode, see web/Makefile); it calls the hooks here:
      kore_parent_configure  command line, --help/--version, the listening
                             socket (--listen), the pidfile
      kore_seccomp_hook      what libzmq, czmq, the hashing thread and
                             libsodium need beyond Kore's own allow-list
      kore_worker_configure  per worker, after fork and after seccomp is on:
                             czmq's signal handler off, locale tables, the
                             broker bridge and the hashing thread
      kore_worker_teardown   BYE to the broker, thread stopped
      kore_parent_teardown   exit status 1 when a worker could not start
    Owns the process state shared by the handlers (web.h). The setup code
    and the sign-in limit are the broker's (proto/ddcp.md 5.10, 5.11), so
    any number of ddc-web processes are interchangeable. */
#include "web.h"

#include "bridge.h"
#include "cache.h"
#include "hasher.h"
#include "logstream.h"
#include "sse.h"

#include "ddc_fdlimit.h"
#include "ddc_log.h"
#include "ddc_pages.h"
#include "ddc_util.h"

#include <kore/hooks.h>
#include <kore/seccomp.h>

#include <errno.h>
#include <openssl/opensslv.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define S_PARENT_NOFILE 1024

//  Shared with the workers (made before they fork): set by one that could
//  not start. Kore stops then, with exit status 0; the parent's teardown
//  makes it 1.
static volatile int *s_worker_failed;

opts_t web_opts;
i18n_t *web_i18n;
metrics_t web_metrics;

//  libzmq (sockets, its I/O thread, eventfd/epoll), czmq, the hashing
//  thread, glibc's realloc of big blocks, CURVE over tcp:// (libzmq keeps
//  the keys in libsodium's locked memory: mlock; the ASan build never calls
//  it, its interceptor does nothing) and glibc's DNS resolver (a broker
//  endpoint by host name: the A and AAAA queries go out in one sendmmsg);
//  Kore's list (4.1.0 src/seccomp.c) has none of these.
//  Under AddressSanitizer the worker's leak check at exit stops the world
//  with a ptrace()ing thread that lists /proc/self/task.
#if defined(__SANITIZE_ADDRESS__)
#define S_SANITIZER_SYSCALLS                                                                \
    KORE_SYSCALL_ALLOW (ptrace), KORE_SYSCALL_ALLOW (wait4), KORE_SYSCALL_ALLOW (getdents), \
        KORE_SYSCALL_ALLOW (getdents64), KORE_SYSCALL_ALLOW (getppid),                      \
        KORE_SYSCALL_ALLOW (readlinkat), KORE_SYSCALL_ALLOW (sched_getparam),               \
        KORE_SYSCALL_ALLOW (process_vm_readv),
#else
#define S_SANITIZER_SYSCALLS
#endif

#if defined(__SANITIZE_ADDRESS__)
//  Kore 4.1.0's own one-time allocations that it never frees (the seccomp
//  program, the access-log buffer); every other leak still fails a test.
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
    return "leak:kore_seccomp_enable\nleak:kore_accesslog_gather\n";
}
#endif

KORE_SECCOMP_FILTER (
    "ddc-web", KORE_SYSCALL_ALLOW (clone), KORE_SYSCALL_ALLOW (clone3), KORE_SYSCALL_ALLOW (rseq),
    KORE_SYSCALL_ALLOW (set_robust_list), KORE_SYSCALL_ALLOW (eventfd2),
    KORE_SYSCALL_ALLOW (epoll_create1), KORE_SYSCALL_ALLOW (socket), KORE_SYSCALL_ALLOW (connect),
    KORE_SYSCALL_ALLOW (getsockopt), KORE_SYSCALL_ALLOW (getsockname),
    KORE_SYSCALL_ALLOW (getpeername), KORE_SYSCALL_ALLOW (socketpair), KORE_SYSCALL_ALLOW (shutdown),
    KORE_SYSCALL_ALLOW (recvmsg), KORE_SYSCALL_ALLOW (sendmsg), KORE_SYSCALL_ALLOW (prctl),
    KORE_SYSCALL_ALLOW (sched_getaffinity), KORE_SYSCALL_ALLOW (sched_getscheduler),
    KORE_SYSCALL_ALLOW (sched_setscheduler), KORE_SYSCALL_ALLOW (sched_getparam),
    KORE_SYSCALL_ALLOW (sched_yield), KORE_SYSCALL_ALLOW (newfstatat), KORE_SYSCALL_ALLOW (pipe2),
    KORE_SYSCALL_ALLOW (uname), KORE_SYSCALL_ALLOW (mremap), KORE_SYSCALL_ALLOW (poll),
    KORE_SYSCALL_ALLOW (gettid), KORE_SYSCALL_ALLOW (tgkill), KORE_SYSCALL_ALLOW (getrlimit),
    KORE_SYSCALL_ALLOW (prlimit64), KORE_SYSCALL_ALLOW (sendmmsg), KORE_SYSCALL_ALLOW (mlock),
    KORE_SYSCALL_ALLOW (munlock), S_SANITIZER_SYSCALLS);

//  ------------------------------------------------------------------------
//  parent

static void
s_version (void)
{
    int zmaj, zmin, zpat, cmaj, cmin, cpat;
    zmq_version (&zmaj, &zmin, &zpat);
    zsys_version (&cmaj, &cmin, &cpat);
    printf ("ddc-web %s (kore %s, libzmq %d.%d.%d, czmq %d.%d.%d, libsodium %s, %s)\n", DDC_VERSION,
            kore_version, zmaj, zmin, zpat, cmaj, cmin, cpat, sodium_version_string (),
            OPENSSL_VERSION_TEXT);
}

//  The parent, told by its worker: its own start-up pages go too.
static void
s_parent_pages (struct kore_msg *msg, const void *data)
{
    (void) msg;
    (void) data;
    ddc_pages_let_go ();
}

void
kore_parent_configure (int argc, char **argv)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    //  the parent shows no text: the worker parses what it shows
    ddc_locale_release ();
    ddc_malloc_policy ();
    ddc_malloc_big_apart ();
    ddc_log_init ("ddc-web");
    char err [512];
    if (opts_parse (&web_opts, argc, argv, err, sizeof (err)) < 0) {
        fprintf (stderr, "ddc-web: %s\n(ddc-web --help lists the options)\n", err);
        exit (2);
    }
    if (web_opts.help) {
        fputs (opts_usage, stdout);
        exit (0);
    }
    if (web_opts.version) {
        s_version ();
        exit (0);
    }
    ddc_log_set_level (web_opts.verbose >= 2 ? DDC_LOG_DEBUG : DDC_LOG_INFO);
    if (web_opts.setup_code_file [0])
        ddc_warn ("--setup-code-file is ignored: ddc-broker keeps the setup code (in its data "
                  "folder as web-setup-code; ddc-ctl setup-code prints it)");
    //  Kore's worker counts its open descriptors with one fcntl() per
    //  possible descriptor below the soft limit, then sets its own limit
    //  (worker_rlimit_nofiles in kore.conf, plus those): under Docker's
    //  usual 1048576 that is a million system calls, most of a second,
    //  before the worker serves anything. The parent needs a few dozen.
    struct rlimit nofile;
    if (getrlimit (RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur > S_PARENT_NOFILE) {
        nofile.rlim_cur = S_PARENT_NOFILE;
        setrlimit (RLIMIT_NOFILE, &nofile);
    }
    //  The worker's client takes them; a bad one is refused here, with its
    //  reason, rather than when the worker starts
    if (web_opts.cert [0]
        && ddc_client_check_certs (web_opts.cert,
                                   web_opts.broker_cert [0] ? web_opts.broker_cert : NULL, err,
                                   sizeof (err))
               < 0) {
        fprintf (stderr, "ddc-web: %s\n", err);
        exit (1);
    }
    //  The worker's broker client: czmq and libzmq abort when a socket gets
    //  no descriptor, and a worker that cannot start stops Kore quietly.
    char why [256];
    if (ddc_fdlimit_ensure (DDC_FDLIMIT_SERVICE, why, sizeof (why)) < 0) {
        fprintf (stderr, "ddc-web: %s\n", why);
        exit (1);
    }
    void *shared =
        mmap (NULL, sizeof (int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    s_worker_failed = shared == MAP_FAILED ? NULL : shared;
    kore_foreground = 1; //  a service manager supervises us
    skip_chroot = 1;
    skip_runas = 1; //  run as the user we are started as
    kore_quiet = web_opts.verbose ? 0 : 1;

    if (ddc_pwhash_init () < 0) {
        fprintf (stderr, "ddc-web: libsodium cannot start\n");
        exit (1);
    }
    //  Kore writes its PID into a file and removes it at exit: never in the
    //  working directory by default
    if (web_opts.pidfile [0])
        kore_pidfile = kore_strdup (web_opts.pidfile);
    else {
        const char *dir = getenv ("TMPDIR");
        char path [1024];
        snprintf (path, sizeof (path), "%s/ddc-web.XXXXXX", dir && *dir ? dir : "/tmp");
        int fd = mkstemp (path);
        if (fd < 0) {
            fprintf (stderr, "ddc-web: cannot create a pidfile in %s: %s\n",
                     dir && *dir ? dir : "/tmp", strerror (errno));
            exit (1);
        }
        close (fd);
        kore_pidfile = kore_strdup (path);
    }


    struct kore_server *srv = kore_server_create ("web");
    srv->tls = 0;
    if (!kore_server_bind (srv, web_opts.host, web_opts.port, NULL)) {
        fprintf (stderr, "ddc-web: cannot listen on %s:%s\n", web_opts.host, web_opts.port);
        exit (1);
    }
    kore_server_finalize (srv);
    kore_msg_register (WEB_MSG_PAGES, s_parent_pages);
    ddc_info ("ddc-web %s listening on http://%s%s%s:%s/ (broker %s)", DDC_VERSION,
              strchr (web_opts.host, ':') ? "[" : "", web_opts.host,
              strchr (web_opts.host, ':') ? "]" : "", web_opts.port, web_opts.broker);
}

void
kore_parent_teardown (void)
{
    if (s_worker_failed && *s_worker_failed) {
        unlink (kore_pidfile);
        exit (1);
    }
}

//  ------------------------------------------------------------------------
//  worker

//  The bridge's hooks: the live view, requests waiting for a revision,
//  the metrics and the first-run hint.
static void
s_bridge_changed (void *arg)
{
    (void) arg;
    sse_changed ();
}

static void
s_bridge_turned (void *arg)
{
    (void) arg;
    op_applied_check ();
}

static void
s_bridge_tick (void *arg)
{
    (void) arg;
    sse_tick ();
    logstream_tick ();
    cache_drop_stale ();
}

static size_t
s_bridge_followers (void *arg)
{
    (void) arg;
    return sse_count ();
}

static void
s_bridge_broker (void *arg, bool up, uint64_t rev)
{
    (void) arg;
    web_metrics.broker_up = up;
    web_metrics.revision = rev;
}

static void
s_bridge_metrics (void *arg, ddc_metrics_t *m)
{
    (void) arg;
    web_metrics.broker_up = bridge_up ();
    web_metrics.revision = bridge_rev ();
    web_metrics.sse_clients = (uint64_t) sse_count ();
    metrics_report (&web_metrics, m);
}

static void
s_bridge_stopped (void *arg)
{
    (void) arg;
    logstream_stop ();
}

static void
s_bridge_no_password (void *arg)
{
    (void) arg;
    //  the code itself is the broker's: it logs it
    ddc_info ("first run: no web password is set. Open http://%s%s%s:%s/setup and enter "
              "the setup code (ddc-ctl setup-code prints it; ddc-broker logs it and keeps "
              "it in its data folder as web-setup-code)",
              strchr (web_opts.host, ':') ? "[" : "", web_opts.host,
              strchr (web_opts.host, ':') ? "]" : "", web_opts.port);
}

static void
s_worker_fails (void)
{
    if (s_worker_failed)
        *s_worker_failed = 1;
}

void
kore_worker_configure (void)
{
    //  czmq must not take SIGTERM from Kore (the parent would wait forever)
    zsys_handler_set (NULL);
    web_i18n = i18n_new ();
    char err [200];
    if (i18n_load_builtin (web_i18n, err, sizeof (err)) < 0) {
        s_worker_fails ();
        fatalx ("locale %s", err);
    }
    if (hasher_start () < 0) {
        s_worker_fails ();
        fatalx ("cannot start the password hashing thread");
    }
    static const bridge_hooks_t hooks = {
        .changed = s_bridge_changed,
        .turned = s_bridge_turned,
        .tick = s_bridge_tick,
        .followers = s_bridge_followers,
        .broker = s_bridge_broker,
        .metrics = s_bridge_metrics,
        .no_password = s_bridge_no_password,
        .stopped = s_bridge_stopped,
    };
    if (bridge_start (&web_opts, &hooks) < 0) {
        s_worker_fails ();
        fatalx ("cannot set up the broker client (see the log above)");
    }
}

void
kore_worker_teardown (void)
{
    bridge_stop ();
    cache_clear ();
    hasher_stop ();
    i18n_destroy (&web_i18n);
}
