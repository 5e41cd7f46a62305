/*  libFuzzer target for the DDCP/1 decoder: the input is split into frames
    at each 0xFF byte and decoded both as a CTL and as a PUB message. */
#include "ddc_proto.h"

#include <stdint.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *frames [DDC_MAX_FRAMES + 2];
    size_t lens [DDC_MAX_FRAMES + 2];
    int count = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && count < DDC_MAX_FRAMES + 2; i++) {
        if (i == size || data [i] == 0xFF) {
            frames [count] = (const char *) data + start;
            lens [count] = i - start;
            count++;
            start = i + 1;
        }
    }
    char err [160];
    for (int pub = 0; pub < 2; pub++) {
        ddc_msg_t *msg = ddc_msg_decode_frames (pub, count, frames, lens, err, sizeof (err));
        if (msg) {
            char part [64];
            ddc_msg_topic_part (msg, 1, part, sizeof (part));
            ddc_msg_name (msg->type);
        }
        ddc_msg_destroy (&msg);
    }
    return 0;
}
