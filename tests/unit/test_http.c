/*  test_http: outgoing requests as services/lib/ddc_http.c sets them up:
    only http and https (a file:// URL is refused by libcurl before
    anything is read), a connection nobody accepts fails within the
    connect time with libcurl's reason in the error buffer, the body goes
    to the write callback, a multi for an outside loop tells its socket and
    timer, and the CA folder follows $SSL_CERT_DIR; libcurl loaded
    (ddc_curl_load) makes the same handles as libcurl linked. */
#include "ddc_http.h"
#include "ddc_util.h"

#include "ddc_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

DDC_TEST (test_only_http_and_https)
{
    char errbuf [CURL_ERROR_SIZE] = "old";
    ddc_http_opts_t opts = {
        .url = "file:///etc/hostname", .timeout_ms = 2000, .connect_ms = 1000, .errbuf = errbuf
    };
    CURL *easy = ddc_http_easy (&ddc_curl_linked, &opts);
    CHECK (easy != NULL);
    CHECK_STR (errbuf, ""); //  emptied for this request
    CHECK_EQ (curl_easy_perform (easy), CURLE_UNSUPPORTED_PROTOCOL);
    CHECK (errbuf [0] != '\0');
    curl_easy_cleanup (easy);
}

//  A socket listening on 127.0.0.1, and the URL of /x there.
static int
s_listen (char *url, size_t size)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    socklen_t len = sizeof (sa);
    CHECK (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) == 0 && listen (fd, 1) == 0
           && getsockname (fd, (struct sockaddr *) &sa, &len) == 0);
    snprintf (url, size, "http://127.0.0.1:%d/x", ntohs (sa.sin_port));
    return fd;
}

//  Answer one request on the listening socket with a body.
static void *
s_serve (void *arg)
{
    int fd = *(int *) arg;
    int c = accept (fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char req [2048];
    ssize_t n = read (c, req, sizeof (req));
    (void) n;
    const char *reply = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    ssize_t w = write (c, reply, strlen (reply));
    (void) w;
    close (c);
    return NULL;
}

typedef struct {
    char text [64];
    size_t len;
} s_body_t;

static size_t
s_on_body (char *data, size_t size, size_t nmemb, void *arg)
{
    s_body_t *b = arg;
    size_t n = size * nmemb;
    if (b->len + n < sizeof (b->text)) {
        memcpy (b->text + b->len, data, n);
        b->len += n;
    }
    return n;
}

DDC_TEST (test_body_and_refused_connection)
{
    char url [64];
    int fd = s_listen (url, sizeof (url));
    pthread_t thread;
    CHECK_EQ (pthread_create (&thread, NULL, s_serve, &fd), 0);
    char errbuf [CURL_ERROR_SIZE];
    s_body_t body = { .len = 0 };
    ddc_http_opts_t opts = { .url = url,
                             .timeout_ms = 5000,
                             .connect_ms = 2000,
                             .user_agent = "test",
                             .on_body = s_on_body,
                             .body_arg = &body,
                             .errbuf = errbuf };
    CURL *easy = ddc_http_easy (&ddc_curl_linked, &opts);
    CHECK_EQ (curl_easy_perform (easy), CURLE_OK);
    curl_easy_cleanup (easy);
    pthread_join (thread, NULL);
    CHECK_EQ (body.len, (size_t) 5);
    CHECK (memcmp (body.text, "hello", 5) == 0);
    //  the port is closed now: refused, with libcurl's reason
    close (fd);
    easy = ddc_http_easy (&ddc_curl_linked, &opts);
    int64_t start = ddc_mono_ms ();
    CHECK_EQ (curl_easy_perform (easy), CURLE_COULDNT_CONNECT);
    CHECK (ddc_mono_ms () - start < 2500);
    CHECK (errbuf [0] != '\0');
    curl_easy_cleanup (easy);
}

//  What a multi for an outside event loop is told.
typedef struct {
    int sockets; //  on_socket calls
    curl_socket_t fd;
    int what;
    int timers;
    long timeout_ms;
} s_told_t;

static int
s_on_socket (CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
    (void) easy;
    (void) sockp;
    s_told_t *t = arg;
    t->sockets++;
    t->fd = fd;
    t->what = what;
    return 0;
}

static int
s_on_timer (CURLM *multi, long timeout_ms, void *arg)
{
    (void) multi;
    s_told_t *t = arg;
    t->timers++;
    t->timeout_ms = timeout_ms;
    return 0;
}

DDC_TEST (test_multi_tells_sockets_and_timer)
{
    char url [64];
    int fd = s_listen (url, sizeof (url));
    s_told_t told = { .fd = CURL_SOCKET_BAD };
    CURLM *multi = ddc_http_multi (&ddc_curl_linked, s_on_socket, s_on_timer, &told);
    CHECK (multi != NULL);
    ddc_http_opts_t opts = { .url = url, .timeout_ms = 5000, .connect_ms = 2000 };
    CURL *easy = ddc_http_easy (&ddc_curl_linked, &opts);
    CHECK_EQ (curl_multi_add_handle (multi, easy), CURLM_OK);
    CHECK (told.timers >= 1 && told.timeout_ms >= 0); //  "call me soon"
    int running = 0;
    for (int i = 0; i < 50 && told.sockets == 0; i++)
        curl_multi_socket_action (multi, CURL_SOCKET_TIMEOUT, 0, &running);
    CHECK (told.sockets >= 1 && told.fd != CURL_SOCKET_BAD);
    CHECK (told.what & (CURL_POLL_IN | CURL_POLL_OUT));
    curl_multi_remove_handle (multi, easy);
    curl_easy_cleanup (easy);
    curl_multi_cleanup (multi);
    close (fd);
}

DDC_TEST (test_ca_dir)
{
    unsetenv ("SSL_CERT_DIR");
    char *dir = ddc_http_ca_dir ();
    CHECK_STR (dir, "/etc/ssl/certs");
    free (dir);
    setenv ("SSL_CERT_DIR", "/tmp/certs", 1);
    dir = ddc_http_ca_dir ();
    CHECK_STR (dir, "/tmp/certs");
    free (dir);
    setenv ("SSL_CERT_DIR", "", 1);
    dir = ddc_http_ca_dir ();
    CHECK_STR (dir, "/etc/ssl/certs");
    free (dir);
}

//  libcurl.so.4 loaded: the same library as the linked one here (loaded
//  once, started again: curl_global_init counts), its functions in the
//  table make and run handles.
DDC_TEST (test_loaded_libcurl)
{
    char err [256] = "";
    const ddc_curl_t *curl = ddc_curl_load (err, sizeof (err));
    CHECK (curl != NULL);
    CHECK_STR (err, "");
    CHECK (ddc_curl_load (NULL, 0) == curl);
    CHECK_STR (curl->easy_strerror (CURLE_COULDNT_CONNECT),
               curl_easy_strerror (CURLE_COULDNT_CONNECT));
    char errbuf [CURL_ERROR_SIZE];
    ddc_http_opts_t opts = {
        .url = "file:///etc/hostname", .timeout_ms = 2000, .connect_ms = 1000, .errbuf = errbuf
    };
    CURL *easy = ddc_http_easy (curl, &opts);
    CHECK (easy != NULL);
    CHECK_EQ (curl_easy_perform (easy), CURLE_UNSUPPORTED_PROTOCOL);
    long code = -1;
    CHECK_EQ (curl->easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &code), CURLE_OK);
    CHECK_EQ (code, 0);
    curl->easy_cleanup (easy);
    ddc_curl_unload ();
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    curl_global_init (CURL_GLOBAL_DEFAULT);
    DDC_RUN (test_only_http_and_https);
    DDC_RUN (test_body_and_refused_connection);
    DDC_RUN (test_multi_tells_sockets_and_timer);
    DDC_RUN (test_ca_dir);
    DDC_RUN (test_loaded_libcurl);
    DDC_DONE ();
}
