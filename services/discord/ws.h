/*  ws: the WebSocket transport of the gateway, libwebsockets 4.1 in a
    thread of its own (kore-zmq-lws-docker-notes.md section 2, pattern 3).
    Owns the lws context and thread, the connections, frame reassembly and
    the two queues between the threads: commands (connect, send, close)
    from the main thread, woken with lws_cancel_service, and events (open,
    message, closed) to the main thread, signalled on an eventfd that the
    main loop polls. It knows nothing of the Discord protocol (gateway.c).

    Threading: every function here is called from the main thread; the lws
    thread only runs inside ws.c. Bounds: a message is at most
    WS_MSG_MAX bytes (larger: closed with 1009), the event queue at most
    WS_QUEUE_MAX bytes (over: the connection is dropped), the send queue
    WS_SENDQ_MAX frames per connection. Errors: 0/-1; nothing is logged
    with message contents. */
#ifndef DDC_DISCORD_WS_H
#define DDC_DISCORD_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_MSG_MAX (4 * 1024 * 1024)
#define WS_QUEUE_MAX (16 * 1024 * 1024)
#define WS_SENDQ_MAX 64

typedef struct _ws_t ws_t;

typedef enum { WS_EV_OPEN, WS_EV_MESSAGE, WS_EV_CLOSED } ws_event_kind_t;

typedef struct {
    ws_event_kind_t kind;
    uint32_t conn; //  the connection it belongs to
    bool binary;   //  MESSAGE: a binary message
    char *data;    //  MESSAGE: the bytes (NUL-terminated), owned
    size_t len;
    int code;          /* CLOSED: the close code (1006: no close frame,
                                connection failed or dropped)              */
    bool by_us;        //  CLOSED: we asked for the close
    char reason [128]; //  CLOSED: reason or connection error text
} ws_event_t;

//  Start the thread. Its lws context is made at the first ws_connect, with
//  TLS when that url is wss:// (the system's CA folder, $SSL_CERT_DIR or
//  OpenSSL's default, read lazily); if lws cannot be set up, connections
//  end with CLOSED 1006. NULL (logged) if the thread cannot start.
ws_t *ws_new (void);
//  Stop the thread (open connections are dropped) and free everything.
void ws_destroy (ws_t **self_p);
//  Readable when events are queued (an eventfd).
int ws_fd (ws_t *self);
//  Open a connection to url (ws:// or wss://, with path and query).
//  Returns its id (> 0), or 0 if the url is unusable. Events follow:
//  OPEN then MESSAGEs then CLOSED, or just CLOSED.
uint32_t ws_connect (ws_t *self, const char *url);
//  Queue one text frame (copied). -1 if the connection is unknown or its
//  send queue is full.
int ws_send (ws_t *self, uint32_t conn, const char *text, size_t len);
//  Close a connection with code and reason (reason at most 100 bytes). A
//  CLOSED event with by_us follows.
void ws_close (ws_t *self, uint32_t conn, int code, const char *reason);
//  The next event (caller frees with ws_event_free), or NULL.
ws_event_t *ws_next (ws_t *self);
void ws_event_free (ws_event_t **ev_p);

#endif
