/*  health: the image's HEALTHCHECK. The entrypoint records, in one small
    file, how the service it started is checked; `ddc-container health`
    runs those checks:
      http HOST PORT   GET /health of ddc-web answers (200, or 503 while
                       the broker is away: the web UI itself is alive)
      ping EP          the broker answers (ddc-ctl health)
      peer NAME EP     the broker sees NAME connected (ddc-ctl health NAME);
                       a broker that does not answer says nothing about
                       NAME, which keeps running on its cached config, so
                       that counts as healthy
    See container.h. */
#include "container.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_TIMEOUT_MS 3000
#define S_CTL_EXIT_UNREACHABLE 5 //  ddc-ctl's exit code for "no broker"

int
ct_health_write (const char *path, const ct_vec_t *lines)
{
    char *text = ddc_strdup ("");
    for (int i = 0; i < lines->n; i++) {
        char *next = ddc_asprintf ("%s%s\n", text, lines->v [i]);
        free (text);
        text = next;
    }
    unlink (path); //  never write through a link someone left there
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    int rc = -1;
    if (fd >= 0) {
        size_t len = strlen (text);
        rc = write (fd, text, len) == (ssize_t) len ? 0 : -1;
        close (fd);
    }
    if (rc < 0)
        ddc_warn ("cannot write the health spec %s: %s", path, strerror (errno));
    free (text);
    return rc;
}

//  GET /health on host:port; 0 when ddc-web answers 200 or 503.
static int
s_http (const char *host, const char *port)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo (host, port, &hints, &ai);
    if (gai != 0) {
        printf ("web: bad address %s port %s: %s\n", host, port, gai_strerror (gai));
        return -1;
    }
    int fd = socket (ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int rc = -1;
    int64_t deadline = ddc_mono_ms () + S_TIMEOUT_MS;
    if (fd < 0 || (connect (fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
        printf ("web: cannot connect to %s:%s: %s\n", host, port, strerror (errno));
        goto done;
    }
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int err = 0;
    socklen_t elen = sizeof (err);
    if (poll (&pfd, 1, S_TIMEOUT_MS) != 1 || getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0
        || err) {
        printf ("web: cannot connect to %s:%s: %s\n", host, port,
                err ? strerror (err) : "timed out");
        goto done;
    }
    static const char request [] = "GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (send (fd, request, sizeof (request) - 1, MSG_NOSIGNAL) != (ssize_t) sizeof (request) - 1) {
        printf ("web: cannot send the request: %s\n", strerror (errno));
        goto done;
    }
    char reply [4096];
    size_t len = 0;
    pfd.events = POLLIN;
    while (len < sizeof (reply) - 1) {
        int64_t left = deadline - ddc_mono_ms ();
        if (left <= 0 || poll (&pfd, 1, (int) left) != 1)
            break;
        ssize_t n = recv (fd, reply + len, sizeof (reply) - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t) n;
    }
    reply [len] = '\0';
    int status = 0;
    if (sscanf (reply, "HTTP/1.%*d %d", &status) != 1) {
        printf ("web: no HTTP answer from %s:%s within %d s\n", host, port, S_TIMEOUT_MS / 1000);
        goto done;
    }
    const char *body = strstr (reply, "\r\n\r\n");
    printf ("web: %d %s\n", status, body ? body + 4 : "");
    rc = status == 200 || status == 503 ? 0 : -1;
done:
    if (fd >= 0)
        close (fd);
    freeaddrinfo (ai);
    return rc;
}

//  ddc-ctl [certs] --broker EP --timeout 3 health [NAME]: its exit code.
static int
s_ctl_health (const ct_ids_t *ids, const char *endpoint, const char *name)
{
    ct_vec_t argv = { 0 };
    ct_vec_push (&argv, "ddc-ctl");
    ct_vec_push (&argv, "--broker");
    ct_vec_push (&argv, endpoint);
    ct_vec_push (&argv, "--timeout");
    ct_vec_push (&argv, "3");
    if (strncmp (endpoint, "tcp://", 6) == 0) {
        //  A read-only monitor certificate keeps the checks out of the
        //  services' names; without one the service's own is used.
        const char *cert = getenv ("DDC_HEALTH_CERT");
        if (cert && *cert) {
            ct_vec_push (&argv, "--cert");
            ct_vec_push (&argv, cert);
        }
    }
    else {
        unsetenv ("DDC_CERT"); //  ipc:// has no CURVE
        unsetenv ("DDC_BROKER_CERT");
    }
    ct_vec_push (&argv, "health");
    if (name)
        ct_vec_push (&argv, name);
    fflush (stdout);
    pid_t pid = ct_spawn (ids, -1, argv.v);
    ct_vec_free (&argv);
    if (pid < 0)
        return 1;
    //  ddc-ctl gives up after its --timeout; a name lookup that hangs
    //  (a broker task not yet in the cluster's DNS) can hold it longer.
    int status = ct_wait_pid (pid, S_TIMEOUT_MS + 4000);
    if (status < 0) {
        kill (pid, SIGKILL);
        waitpid (pid, NULL, 0);
        printf ("ddc-ctl health: no answer from %s\n", endpoint);
        return S_CTL_EXIT_UNREACHABLE;
    }
    return WIFEXITED (status) ? WEXITSTATUS (status) : 1;
}

int
ct_health_run (const char *path, const ct_ids_t *ids)
{
    char *text = NULL;
    size_t len = 0;
    if (ddc_read_file (path, 64 * 1024, &text, &len) < 0) {
        printf ("no service started yet (%s: %s)\n", path, strerror (errno));
        return 1;
    }
    int failed = 0;
    char *save = NULL;
    for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        char kind [8] = "", a [512] = "", b [512] = "";
        int n = sscanf (line, "%7s %511s %511s", kind, a, b);
        if (n == 3 && strcmp (kind, "http") == 0)
            failed += s_http (a, b) < 0;
        else if (n == 2 && strcmp (kind, "ping") == 0)
            failed += s_ctl_health (ids, a, NULL) != 0;
        else if (n == 3 && strcmp (kind, "peer") == 0) {
            int rc = s_ctl_health (ids, b, a);
            if (rc == S_CTL_EXIT_UNREACHABLE)
                printf ("%s: the broker does not answer; %s runs on its cached configuration\n", a,
                        a);
            else
                failed += rc != 0;
        }
        else {
            printf ("bad line in %s: %s\n", path, line);
            failed++;
        }
    }
    free (text);
    fflush (stdout);
    return failed ? 1 : 0;
}
