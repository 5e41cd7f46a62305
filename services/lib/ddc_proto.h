/*  ddc_proto: the codec of DDCP/1, the ddc wire protocol (proto/ddcp.md).
    Owns: the table of every message, its frames and their types, and the
    translation between ZeroMQ multipart messages (zmsg_t) and ddc_msg_t.
    Decoding checks the frame count, every integer, id and JSON frame, and
    the size bounds, so code above it never sees a malformed message.
    Thread-agnostic; no I/O besides zmsg_send/zmsg_recv in the helpers. */
#ifndef DDC_PROTO_H
#define DDC_PROTO_H

#include <cJSON.h>
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#define DDC_PROTO_NAME "DDCP/1"

//  Bounds enforced by the decoder. DDC_MAX_JSON is what every client
//  accepts in a frame; the broker builds every reply within
//  DDC_REPLY_BUDGET (paging and summaries), so the two agree by
//  construction.
#define DDC_MAX_FRAMES 8
#define DDC_MAX_TEXT 256           //  any text frame
#define DDC_MAX_JSON (1024 * 1024) //  any JSON frame
#define DDC_MAX_MSG (4 * 1024 * 1024)
#define DDC_REPLY_BUDGET (DDC_MAX_JSON - 16 * 1024) //  a paged reply's JSON
#define DDC_REPORT_MAX (256 * 1024)                 //  a REPORT body (and its STATUS message)
#define DDC_MON_MAX (16 * 1024)                     //  the body of a mon/ message
#define DDC_AUDIT_QUERY_MAX (4 * 1024)              //  an AUDIT query
#define DDC_RECORD_MAX (16 * 1024)                  //  a RECORD entry

//  Frame kinds.
typedef enum {
    DDC_F_TEXT,   //  printable UTF-8, 0..DDC_MAX_TEXT bytes
    DDC_F_NAME,   //  [A-Za-z0-9._@/:*,-], 1..DDC_MAX_TEXT bytes
    DDC_F_U64,    //  ASCII decimal, fits in uint64
    DDC_F_EPOCH,  //  16 lowercase hex digits
    DDC_F_OBJECT, //  JSON object
    DDC_F_ARRAY,  //  JSON array
    DDC_F_JSON    //  any JSON value
} ddc_frame_kind_t;

//  Every message. CTL = DEALER<->ROUTER, PUB = XPUB->SUB.
typedef enum {
    //  CTL requests (client -> broker)
    DDC_HELLO,
    DDC_SNAPSHOT,
    DDC_SAVE,
    DDC_ROLLBACK,
    DDC_HISTORY,
    DDC_APPLIED,
    DDC_REJECTED,
    DDC_PING,
    DDC_STATUS,
    DDC_ACTION,
    DDC_RESULT,
    DDC_REPORT,
    DDC_BYE,
    DDC_THROTTLE,
    DDC_SETUP,
    DDC_SETUPCODE,
    DDC_AUDIT,
    DDC_RECORD,
    //  CTL replies (broker -> client)
    DDC_WELCOME,
    DDC_STATE,
    DDC_OK,
    DDC_CONFLICT,
    DDC_INVALID,
    DDC_DENIED,
    DDC_ERROR,
    DDC_CHANGES,
    DDC_PONG,
    DDC_PEERS,
    DDC_WAIT,
    DDC_CODE,
    DDC_ENTRIES,
    DDC_ACK,
    //  PUB
    DDC_UPDATE,
    DDC_HUGZ,
    DDC_STATUSPUB,
    DDC_MONPUB,
    DDC_MSG_COUNT
} ddc_msg_type_t;

//  Error codes carried by ERROR (HTTP-like on purpose).
#define DDC_E_BAD_REQUEST 400 //  malformed message
#define DDC_E_HELLO 401       //  unknown peer: send HELLO first
#define DDC_E_DENIED 403      //  role may not do this
#define DDC_E_NOT_FOUND 404   //  unknown target / revision
#define DDC_E_IN_USE 409      //  HELLO: the name is held by a live peer
#define DDC_E_TIMEOUT 408     //  action target did not answer
#define DDC_E_GONE \
    410 /* revision no longer in history; no
                                         setup code (a password is set)     */
#define DDC_E_TOO_LARGE 413
#define DDC_E_BUSY 429     //  target already has too much queued
#define DDC_E_INTERNAL 500 //  e.g. the disk write failed

//  A decoded message. Frames are kept as NUL-terminated strings; integer
//  frames are also parsed into u64[] and JSON frames into json[]. The
//  frame index meaning is given by the DDC_<MSG>_<FIELD> constants below.
typedef struct {
    ddc_msg_type_t type;
    char *topic;                  //  PUB messages only, owned
    int nframes;                  //  frames after the command frame
    char *frame [DDC_MAX_FRAMES]; //  owned
    size_t len [DDC_MAX_FRAMES];
    uint64_t u64 [DDC_MAX_FRAMES]; //  for DDC_F_U64 frames
    cJSON *json [DDC_MAX_FRAMES];  //  owned, for JSON frames
} ddc_msg_t;

//  Frame indexes (after the command/topic frame). Frame 0 of every CTL
//  message is the request id.
enum {
    DDC_REQ = 0,
    //  HELLO req proto role instance
    DDC_HELLO_PROTO = 1,
    DDC_HELLO_ROLE = 2,
    DDC_HELLO_INSTANCE = 3,
    //  WELCOME req epoch rev boot access{role,name,read,secrets,write,...}
    DDC_WELCOME_EPOCH = 1,
    DDC_WELCOME_REV = 2,
    DDC_WELCOME_BOOT = 3,
    DDC_WELCOME_ACCESS = 4,
    //  SNAPSHOT req sections ("*" or "bot,containers")
    DDC_SNAPSHOT_SECTIONS = 1,
    //  STATE req epoch rev {"sections":{..},"revs":{..}}
    DDC_STATE_EPOCH = 1,
    DDC_STATE_REV = 2,
    DDC_STATE_BODY = 3,
    //  SAVE req section expected_rev author value
    DDC_SAVE_SECTION = 1,
    DDC_SAVE_EXPECTED = 2,
    DDC_SAVE_AUTHOR = 3,
    DDC_SAVE_VALUE = 4,
    //  ROLLBACK req section to_rev author
    DDC_ROLLBACK_SECTION = 1,
    DDC_ROLLBACK_REV = 2,
    DDC_ROLLBACK_AUTHOR = 3,
    //  HISTORY req section ("*" for all) rev (0: the list without values;
    //  else that one entry with its value)
    DDC_HISTORY_SECTION = 1,
    DDC_HISTORY_REV = 2,
    //  STATUS req offset full ("-" for summaries only, "*", a peer name or
    //  a "PREFIX*" for the full reports of those peers)
    DDC_STATUS_OFFSET = 1,
    DDC_STATUS_FULL = 2,
    //  APPLIED req section rev
    DDC_APPLIED_SECTION = 1,
    DDC_APPLIED_REV = 2,
    //  REJECTED req section rev running_rev errors
    DDC_REJECTED_SECTION = 1,
    DDC_REJECTED_REV = 2,
    DDC_REJECTED_RUNNING = 3,
    DDC_REJECTED_ERRORS = 4,
    //  PING req applied_rev
    DDC_PING_REV = 1,
    //  ACTION req peer timeout_ms body: peer is the target (client->broker)
    //  or the origin (broker->target)
    DDC_ACTION_PEER = 1,
    DDC_ACTION_TIMEOUT = 2,
    DDC_ACTION_BODY = 3,
    //  RESULT req body
    DDC_RESULT_BODY = 1,
    //  REPORT req topic body
    DDC_REPORT_TOPIC = 1,
    DDC_REPORT_BODY = 2,
    //  THROTTLE req op ("take" | "clear") key
    DDC_THROTTLE_OP = 1,
    DDC_THROTTLE_KEY = 2,
    //  SETUP req code expected author value: SAVE of the web section with
    //  the first password, allowed by the setup code
    DDC_SETUP_CODE = 1,
    DDC_SETUP_EXPECTED = 2,
    DDC_SETUP_AUTHOR = 3,
    DDC_SETUP_VALUE = 4,
    //  SETUPCODE req (no other frame)
    //  AUDIT req query: a page of the audit log (proto/ddcp.md 5.12)
    DDC_AUDIT_QUERY = 1,
    //  RECORD req entry: an action the peer ran by itself, for the audit log
    DDC_RECORD_ENTRY = 1,
    //  ENTRIES req page {"entries", "next", "scanned"}
    DDC_ENTRIES_BODY = 1,
    //  ACK req (no other frame)
    //  OK req rev section_rev changed(0|1)
    DDC_OK_REV = 1,
    DDC_OK_SECTION_REV = 2,
    DDC_OK_CHANGED = 3,
    //  CONFLICT req section_rev value
    DDC_CONFLICT_SECTION_REV = 1,
    DDC_CONFLICT_VALUE = 2,
    //  INVALID req errors
    DDC_INVALID_ERRORS = 1,
    //  DENIED req reason
    DDC_DENIED_REASON = 1,
    //  ERROR req code message
    DDC_ERROR_CODE = 1,
    DDC_ERROR_MESSAGE = 2,
    //  CHANGES req entries
    DDC_CHANGES_BODY = 1,
    //  PONG req epoch rev
    DDC_PONG_EPOCH = 1,
    DDC_PONG_REV = 2,
    //  PEERS req table
    DDC_PEERS_BODY = 1,
    //  WAIT req wait_ms (0: go ahead)
    DDC_WAIT_MS = 1,
    //  CODE req code
    DDC_CODE_CODE = 1,
};
//  PUB messages: frame "topic" is separate (ddc_msg_t.topic is frame 0 of the
//  wire message), the rest are indexed from 0:
//  UPDATE    "cfg/<section>/"        epoch rev prev_rev props value
//  HUGZ      "hugz/"                 epoch rev boot revs time_ms
//  STATUSPUB "status/<peer>/<topic>/" body
//  MONPUB    "mon/<kind>/..."         body (OBJECT): the broker's own events,
//            e.g. "mon/peer/<peer>/" when a peer connects or goes
enum {
    DDC_UPDATE_EPOCH = 0,
    DDC_UPDATE_REV = 1,
    DDC_UPDATE_PREV = 2,
    DDC_UPDATE_PROPS = 3,
    DDC_UPDATE_VALUE = 4,
    DDC_HUGZ_EPOCH = 0,
    DDC_HUGZ_REV = 1,
    DDC_HUGZ_BOOT = 2,
    DDC_HUGZ_REVS = 3,
    DDC_HUGZ_TIME = 4,
    DDC_STATUSPUB_BODY = 0,
    DDC_MONPUB_BODY = 0,
};

//  The name of a message ("HELLO") and its type from a name (-1 if none).
const char *ddc_msg_name (ddc_msg_type_t type);
int ddc_msg_type_from_name (const char *name);

//  Build a message: the frames are given as strings in order (integers as
//  decimal text, JSON as text). Returns NULL (and logs nothing) if the
//  frames do not match the table: a programmer error caught in tests.
//  Caller owns the zmsg. For PUB messages the first string is the topic.
zmsg_t *ddc_msg_build (ddc_msg_type_t type, int nframes, const char *frames []);
//  Convenience: varargs form, frames as const char *, NULL-terminated.
zmsg_t *ddc_msg_buildv (ddc_msg_type_t type, ...);

//  Send a message straight from its frames (as ddc_msg_buildv takes them)
//  on a libzmq socket handle, each frame copied by libzmq (no zmsg made):
//  the path of the messages a service sends per update. flags: 0 or
//  ZMQ_DONTWAIT. Returns 0, or -1 with errno (EINVAL: the frames do not
//  match the table; else zmq_send's, and then nothing was sent, since
//  libzmq takes a message's later frames once it took its first).
int ddc_msg_sendv (void *handle, int flags, ddc_msg_type_t type, ...);

//  The one builder of a config write: SAVE (first: the section) or SETUP
//  (first: the setup code, value: the web section) of value (borrowed,
//  printed unformatted; the text is wiped after use since it may hold a
//  secret) expecting section revision expected, by author. A new request
//  id is made. NULL when value does not print, its text is larger than
//  DDC_MAX_JSON, or type is neither.
zmsg_t *ddc_msg_save (ddc_msg_type_t type, const char *first, uint64_t expected, const char *author,
                      const cJSON *value);

//  Decode a CTL message (command frame first; ROUTER callers pop the
//  routing id before). Destroys nothing: the caller still owns zmsg.
//  Returns a new ddc_msg_t, or NULL with a reason in err[errlen] and errno
//  EMSGSIZE when a frame was over its size bound, else EPROTO.
ddc_msg_t *ddc_msg_decode (zmsg_t *zmsg, char *err, size_t errlen);
//  Decode a PUB message (topic frame first); its type comes from the topic
//  prefix. The topic is available as ddc_msg_topic().
ddc_msg_t *ddc_msg_decode_pub (zmsg_t *zmsg, char *err, size_t errlen);
//  Receive one message from a libzmq socket handle without waiting and
//  decode it (pub: a PUB message, else a CTL one), its frames read into
//  libzmq's own messages and decoded from there (no zmsg made): the path
//  of every UPDATE a service takes. NULL with errno EAGAIN when no message
//  waits (or zmq_msg_recv's errno when it fails otherwise, ETERM, EINTR);
//  NULL with errno EPROTO or EMSGSIZE (as ddc_msg_decode) when it is
//  malformed, every frame of it read. err says why in every case.
ddc_msg_t *ddc_msg_recv (void *handle, bool pub, char *err, size_t errlen);
//  Who sent a request to a ROUTER (ddc_msg_recv_routed).
#define DDC_MAX_REQ_ID 64 //  the longest request id a refusal answers
typedef struct {
    zframe_t *routing;             //  owned by the caller; NULL when nothing was read
    char req [DDC_MAX_REQ_ID + 1]; //  the request id frame's bytes, "" when none or too long
    char user_id [256];            //  a HELLO's: the ZAP User-Id, "" when none
    char address [64];             //  a HELLO's: the Peer-Address, "" when none
} ddc_routed_t;
//  Receive one request from a ROUTER handle without waiting, as
//  ddc_msg_recv does (no zmsg made): its first frame is the routing id,
//  the rest a CTL message. from is filled whenever a message was read,
//  malformed or not (from->req then lets the caller answer it); NULL with
//  errno and err as ddc_msg_recv, from->routing NULL when no message was
//  read. The connection's properties are looked up for a HELLO only.
ddc_msg_t *ddc_msg_recv_routed (void *handle, ddc_routed_t *from, char *err, size_t errlen);
//  Decode from raw frames (used by the fuzz target and both decoders).
ddc_msg_t *ddc_msg_decode_frames (bool pub, int count, const char *const data [],
                                  const size_t lens [], char *err, size_t errlen);

//  PUB topic of a decoded PUB message (borrowed), or NULL.
const char *ddc_msg_topic (const ddc_msg_t *msg);
//  For UPDATE: the section name from "cfg/<section>/" into buf; 0/-1.
int ddc_msg_topic_part (const ddc_msg_t *msg, int index, char *buf, size_t size);

void ddc_msg_destroy (ddc_msg_t **msg_p);

//  Request ids: 16 random hex chars plus a counter; unique per process.
void ddc_req_id (char out [40]);

#endif
