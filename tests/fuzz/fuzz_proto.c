/*  libFuzzer target for the DDCP/1 decoder: the input is split into frames
    at each 0xFF byte and decoded both as a CTL and as a PUB message. The
    same frames are also sent from a DEALER to a ROUTER (inproc) and read
    with ddc_msg_recv_routed, which must decode them as the CTL decoder
    did, give their request id and read the whole message. */
#include "ddc_proto.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#define S_MAX_SENT 16 //  more frames than a message may have

static zsock_t *s_router_sock, *s_dealer_sock; //  kept: reachable, not leaks
static void *s_router, *s_dealer;

static void
s_sockets (void)
{
    if (s_router)
        return;
    zsys_init ();
    zsys_set_max_sockets (0);
    //  czmq's sockets: closed at exit, so that the context ends
    s_router_sock = zsock_new_router ("inproc://fuzz-proto");
    s_dealer_sock = zsock_new_dealer (">inproc://fuzz-proto");
    assert (s_router_sock && s_dealer_sock);
    s_router = zsock_resolve (s_router_sock);
    s_dealer = zsock_resolve (s_dealer_sock);
}

//  Send the frames, read them back as a ROUTER's request and compare with
//  what the CTL decoder made of them (ctl, or NULL).
static void
s_routed (int count, const char *const frames [], const size_t lens [], const ddc_msg_t *ctl)
{
    s_sockets ();
    for (int i = 0; i < count; i++)
        assert (zmq_send (s_dealer, frames [i], lens [i], i + 1 < count ? ZMQ_SNDMORE : 0)
                == (int) lens [i]);
    ddc_routed_t from;
    char err [160];
    ddc_msg_t *msg = ddc_msg_recv_routed (s_router, &from, err, sizeof (err));
    assert (from.routing);
    assert ((msg == NULL) == (ctl == NULL));
    assert (!msg || msg->type == ctl->type);
    if (count > 1 && lens [1] <= DDC_MAX_REQ_ID)
        assert (memcmp (from.req, frames [1], lens [1]) == 0 && from.req [lens [1]] == '\0');
    else
        assert (from.req [0] == '\0');
    ddc_msg_destroy (&msg);
    zframe_destroy (&from.routing);
    //  nothing of that message is left
    assert (ddc_msg_recv_routed (s_router, &from, err, sizeof (err)) == NULL && !from.routing);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *frames [S_MAX_SENT];
    size_t lens [S_MAX_SENT];
    int count = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && count < S_MAX_SENT; i++) {
        if (i == size || data [i] == 0xFF) {
            frames [count] = (const char *) data + start;
            lens [count] = i - start;
            count++;
            start = i + 1;
        }
    }
    char err [160];
    for (int pub = 0; pub < 2; pub++) {
        ddc_msg_t *msg = count <= DDC_MAX_FRAMES + 1
                             ? ddc_msg_decode_frames (pub, count, frames, lens, err, sizeof (err))
                             : NULL;
        if (msg) {
            char part [64];
            ddc_msg_topic_part (msg, 1, part, sizeof (part));
            ddc_msg_name (msg->type);
        }
        if (!pub)
            s_routed (count, frames, lens, msg);
        ddc_msg_destroy (&msg);
    }
    return 0;
}
