/*
 * edgeai_frame: a client of edgeai's frame protocol (docs/protocol.md) for
 * microcontrollers. C99, no heap, nothing from the C library but memcpy: the
 * caller owns every buffer. It builds request frames, splits received bytes
 * into frames, and reads and writes the MessagePack inside them.
 *
 *   uint8_t body[256], wire[EDGEAI_FRAME_ENCODED_MAX(256)];
 *   edgeai_mp_writer w;
 *   edgeai_mp_writer_init(&w, body, sizeof body);
 *   edgeai_mp_map(&w, 3);
 *   edgeai_mp_cstr(&w, "method"); edgeai_mp_cstr(&w, "GET");
 *   edgeai_mp_cstr(&w, "path");   edgeai_mp_cstr(&w, "/v1/models");
 *   edgeai_mp_cstr(&w, "headers"); edgeai_mp_map(&w, 0);
 *   size_t n = edgeai_frame_encode(wire, sizeof wire, EDGEAI_FRAME_REQUEST, 0, 1, body, w.len);
 *   uart_write(wire, n);
 *   ... then each byte read: edgeai_frame_reader_push(&reader, byte, &frame)
 */
#ifndef EDGEAI_FRAME_H
#define EDGEAI_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Frame types. */
enum {
    EDGEAI_FRAME_REQUEST = 1, /* client: {method, path, headers, body} */
    EDGEAI_FRAME_CANCEL = 2,  /* client: abandon a request */
    EDGEAI_FRAME_PING = 3,
    EDGEAI_FRAME_PONG = 4,
    EDGEAI_FRAME_HEAD = 5,  /* server: {status, headers} */
    EDGEAI_FRAME_DATA = 6,  /* server: body bytes, one event per message */
    EDGEAI_FRAME_END = 7,   /* server: the answer is complete */
    EDGEAI_FRAME_ERROR = 8  /* server: {code, message}; the request is over */
};

#define EDGEAI_FRAME_MORE 0x01u    /* the message goes on in the next frame */
#define EDGEAI_FRAME_OVERHEAD 18u  /* header (14) and CRC (4) */
/* Wire bytes of a frame with `len` payload bytes at most: COBS adds one byte
 * per 254 and one more, the delimiter one. */
#define EDGEAI_FRAME_ENCODED_MAX(len) \
    ((len) + EDGEAI_FRAME_OVERHEAD + ((len) + EDGEAI_FRAME_OVERHEAD) / 254u + 2u)

/* CRC-32 as zlib computes it; pass 0 to start, the last result to go on. */
uint32_t edgeai_crc32(uint32_t crc, const uint8_t *bytes, size_t n);

/* One frame, COBS-encoded and ending in a zero byte, into `out`. Returns the
 * bytes written, or 0 when `cap` is less than EDGEAI_FRAME_ENCODED_MAX(len). */
size_t edgeai_frame_encode(uint8_t *out, size_t cap, uint8_t type, uint8_t flags, uint32_t id,
                           const uint8_t *payload, size_t len);

/* Why a received frame was dropped (edgeai_frame_reader_push < 0). */
enum {
    EDGEAI_FRAME_E_OVERSIZE = -1, /* longer than the reader's buffer */
    EDGEAI_FRAME_E_ENCODING = -2, /* not valid COBS */
    EDGEAI_FRAME_E_SHORT = -3,
    EDGEAI_FRAME_E_MAGIC = -4,
    EDGEAI_FRAME_E_LENGTH = -5,
    EDGEAI_FRAME_E_CHECKSUM = -6,
    EDGEAI_FRAME_E_VERSION = -7
};

typedef struct {
    uint8_t type;
    uint8_t flags;
    uint32_t id;
    const uint8_t *payload; /* inside the reader's buffer: valid until the next push */
    size_t len;
} edgeai_frame;

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int skipping; /* in a frame too long for buf, until its zero */
} edgeai_frame_reader;

/* `buf` holds one encoded frame: EDGEAI_FRAME_ENCODED_MAX of the largest
 * payload expected (the gateway's server.max_frame_bytes bounds it). */
void edgeai_frame_reader_init(edgeai_frame_reader *r, uint8_t *buf, size_t cap);
/* One byte from the line: 1 when *out holds a whole, checked frame; 0 when
 * more bytes are needed; a negative EDGEAI_FRAME_E_* when a frame was dropped
 * (the reader is ready for the next one). */
int edgeai_frame_reader_push(edgeai_frame_reader *r, uint8_t byte, edgeai_frame *out);

/* MessagePack writing into a fixed buffer; `overflow` is set (and nothing
 * more written) once it is full. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflow;
} edgeai_mp_writer;

void edgeai_mp_writer_init(edgeai_mp_writer *w, uint8_t *buf, size_t cap);
void edgeai_mp_nil(edgeai_mp_writer *w);
void edgeai_mp_bool(edgeai_mp_writer *w, int b);
void edgeai_mp_uint(edgeai_mp_writer *w, uint64_t u);
void edgeai_mp_int(edgeai_mp_writer *w, int64_t i);
void edgeai_mp_double(edgeai_mp_writer *w, double d);
void edgeai_mp_str(edgeai_mp_writer *w, const char *s, size_t n);
void edgeai_mp_cstr(edgeai_mp_writer *w, const char *s);
void edgeai_mp_array(edgeai_mp_writer *w, uint32_t n);
void edgeai_mp_map(edgeai_mp_writer *w, uint32_t pairs);

/* MessagePack reading, one item at a time (a container's header gives its
 * count; its elements are the next items). */
enum {
    EDGEAI_MP_NIL,
    EDGEAI_MP_BOOL,
    EDGEAI_MP_INT, /* negative: i */
    EDGEAI_MP_UINT,
    EDGEAI_MP_FLOAT,
    EDGEAI_MP_STR,
    EDGEAI_MP_BIN,
    EDGEAI_MP_ARRAY,
    EDGEAI_MP_MAP,
    EDGEAI_MP_EXT
};

typedef struct {
    uint8_t type;
    int boolean;
    int64_t i;
    uint64_t u;
    double f;
    const uint8_t *bytes; /* str, bin, ext (its type byte, then its data): inside the input */
    uint32_t size;        /* their length */
    uint32_t count;       /* array elements, map pairs */
} edgeai_mp_item;

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t at;
} edgeai_mp_reader;

void edgeai_mp_reader_init(edgeai_mp_reader *r, const uint8_t *p, size_t len);
/* 0 and the next item, or -1 at the end of the input or on a malformed or
 * truncated one. */
int edgeai_mp_next(edgeai_mp_reader *r, edgeai_mp_item *item);
/* 1 when `item` is the string `s`. */
int edgeai_mp_is_str(const edgeai_mp_item *item, const char *s);

#ifdef __cplusplus
}
#endif

#endif
