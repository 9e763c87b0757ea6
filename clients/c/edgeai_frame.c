/* edgeai_frame: see edgeai_frame.h and docs/protocol.md. */
#include "edgeai_frame.h"

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
#endif

uint32_t edgeai_crc32(uint32_t crc, const uint8_t *bytes, size_t n) {
    /* Bit by bit: no 1 KiB table in a small device's flash. */
    size_t i;
    int bit;
    crc = ~crc;
    for (i = 0; i < n; ++i) {
        crc ^= bytes[i];
        for (bit = 0; bit < 8; ++bit) crc = (crc & 1u) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return ~crc;
}

static void put_u32(uint8_t *at, uint32_t v) {
    at[0] = (uint8_t)v;
    at[1] = (uint8_t)(v >> 8);
    at[2] = (uint8_t)(v >> 16);
    at[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *at) {
    return (uint32_t)at[0] | ((uint32_t)at[1] << 8) | ((uint32_t)at[2] << 16) |
           ((uint32_t)at[3] << 24);
}

/* COBS written as the bytes come, so header, payload and CRC need no
 * buffer of their own. */
typedef struct {
    uint8_t *out;
    size_t pos;
    size_t code_at;
    uint8_t code;
} cobs_writer;

static void cobs_put(cobs_writer *c, uint8_t b) {
    if (b == 0) {
        c->out[c->code_at] = c->code;
        c->code_at = c->pos++;
        c->code = 1;
        return;
    }
    c->out[c->pos++] = b;
    if (++c->code == 0xFF) {
        c->out[c->code_at] = c->code;
        c->code_at = c->pos++;
        c->code = 1;
    }
}

size_t edgeai_frame_encode(uint8_t *out, size_t cap, uint8_t type, uint8_t flags, uint32_t id,
                           const uint8_t *payload, size_t len) {
    uint8_t head[14];
    uint8_t crc_bytes[4];
    uint32_t crc;
    cobs_writer c;
    size_t i;
    if (cap < EDGEAI_FRAME_ENCODED_MAX(len) || len > 0xFFFFFFFFu) return 0;
    head[0] = 'E';
    head[1] = 'A';
    head[2] = 1;
    head[3] = type;
    head[4] = flags;
    head[5] = 0;
    put_u32(head + 6, id);
    put_u32(head + 10, (uint32_t)len);
    crc = edgeai_crc32(0, head, sizeof head);
    crc = edgeai_crc32(crc, payload, len);
    put_u32(crc_bytes, crc);
    c.out = out;
    c.pos = 1;
    c.code_at = 0;
    c.code = 1;
    for (i = 0; i < sizeof head; ++i) cobs_put(&c, head[i]);
    for (i = 0; i < len; ++i) cobs_put(&c, payload[i]);
    for (i = 0; i < 4; ++i) cobs_put(&c, crc_bytes[i]);
    out[c.code_at] = c.code;
    out[c.pos++] = 0;
    return c.pos;
}

void edgeai_frame_reader_init(edgeai_frame_reader *r, uint8_t *buf, size_t cap) {
    r->buf = buf;
    r->cap = cap;
    r->len = 0;
    r->skipping = 0;
}

/* Decodes buf[0..n) in place (the output never overtakes the input);
 * returns the decoded length or -1. */
static long cobs_decode_in_place(uint8_t *buf, size_t n) {
    size_t at = 0, out = 0, i;
    while (at < n) {
        const uint8_t code = buf[at];
        if (code == 0 || code - 1u > n - at - 1u) return -1;
        for (i = 1; i < code; ++i) {
            if (buf[at + i] == 0) return -1;
            buf[out++] = buf[at + i];
        }
        at += code;
        if (code != 0xFF && at < n) buf[out++] = 0;
    }
    return (long)out;
}

int edgeai_frame_reader_push(edgeai_frame_reader *r, uint8_t byte, edgeai_frame *out) {
    long n;
    uint32_t len;
    if (byte != 0) {
        if (r->skipping) return 0;
        if (r->len == r->cap) {
            r->skipping = 1;
            r->len = 0;
            return EDGEAI_FRAME_E_OVERSIZE;
        }
        r->buf[r->len++] = byte;
        return 0;
    }
    if (r->skipping || r->len == 0) { /* the end of a dropped frame, or a flush */
        r->skipping = 0;
        r->len = 0;
        return 0;
    }
    n = cobs_decode_in_place(r->buf, r->len);
    r->len = 0;
    if (n < 0) return EDGEAI_FRAME_E_ENCODING;
    if (n < (long)EDGEAI_FRAME_OVERHEAD) return EDGEAI_FRAME_E_SHORT;
    if (r->buf[0] != 'E' || r->buf[1] != 'A') return EDGEAI_FRAME_E_MAGIC;
    len = get_u32(r->buf + 10);
    if ((long)len != n - (long)EDGEAI_FRAME_OVERHEAD) return EDGEAI_FRAME_E_LENGTH;
    if (edgeai_crc32(0, r->buf, 14u + len) != get_u32(r->buf + 14 + len))
        return EDGEAI_FRAME_E_CHECKSUM;
    if (r->buf[2] != 1) return EDGEAI_FRAME_E_VERSION;
    out->type = r->buf[3];
    out->flags = r->buf[4];
    out->id = get_u32(r->buf + 6);
    out->payload = r->buf + 14;
    out->len = len;
    return 1;
}

/* MessagePack writer. */

void edgeai_mp_writer_init(edgeai_mp_writer *w, uint8_t *buf, size_t cap) {
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->overflow = 0;
}

static int room(edgeai_mp_writer *w, size_t n) {
    if (w->overflow || w->cap - w->len < n) {
        w->overflow = 1;
        return 0;
    }
    return 1;
}

static void put_be(edgeai_mp_writer *w, uint8_t lead, uint64_t v, int bytes) {
    int i;
    if (!room(w, 1u + (size_t)bytes)) return;
    w->buf[w->len++] = lead;
    for (i = bytes - 1; i >= 0; --i) w->buf[w->len++] = (uint8_t)(v >> (8 * i));
}

static void put_byte(edgeai_mp_writer *w, uint8_t b) {
    if (room(w, 1)) w->buf[w->len++] = b;
}

void edgeai_mp_nil(edgeai_mp_writer *w) { put_byte(w, 0xC0); }
void edgeai_mp_bool(edgeai_mp_writer *w, int b) { put_byte(w, b ? 0xC3 : 0xC2); }

void edgeai_mp_uint(edgeai_mp_writer *w, uint64_t u) {
    if (u < 128) put_byte(w, (uint8_t)u);
    else if (u <= 0xFF) put_be(w, 0xCC, u, 1);
    else if (u <= 0xFFFF) put_be(w, 0xCD, u, 2);
    else if (u <= 0xFFFFFFFFu) put_be(w, 0xCE, u, 4);
    else put_be(w, 0xCF, u, 8);
}

void edgeai_mp_int(edgeai_mp_writer *w, int64_t i) {
    if (i >= 0) {
        edgeai_mp_uint(w, (uint64_t)i);
    } else if (i >= -32) {
        put_byte(w, (uint8_t)(int8_t)i);
    } else if (i >= -128) {
        put_be(w, 0xD0, (uint64_t)i, 1);
    } else if (i >= -32768) {
        put_be(w, 0xD1, (uint64_t)i, 2);
    } else if (i >= -2147483647 - 1) {
        put_be(w, 0xD2, (uint64_t)i, 4);
    } else {
        put_be(w, 0xD3, (uint64_t)i, 8);
    }
}

void edgeai_mp_double(edgeai_mp_writer *w, double d) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    put_be(w, 0xCB, bits, 8);
}

void edgeai_mp_str(edgeai_mp_writer *w, const char *s, size_t n) {
    if (n < 32) put_byte(w, (uint8_t)(0xA0 | n));
    else if (n <= 0xFF) put_be(w, 0xD9, n, 1);
    else if (n <= 0xFFFF) put_be(w, 0xDA, n, 2);
    else put_be(w, 0xDB, n, 4);
    if (room(w, n)) {
        memcpy(w->buf + w->len, s, n);
        w->len += n;
    }
}

void edgeai_mp_cstr(edgeai_mp_writer *w, const char *s) {
    size_t n = 0;
    while (s[n] != 0) ++n;
    edgeai_mp_str(w, s, n);
}

void edgeai_mp_array(edgeai_mp_writer *w, uint32_t n) {
    if (n < 16) put_byte(w, (uint8_t)(0x90 | n));
    else if (n <= 0xFFFF) put_be(w, 0xDC, n, 2);
    else put_be(w, 0xDD, n, 4);
}

void edgeai_mp_map(edgeai_mp_writer *w, uint32_t pairs) {
    if (pairs < 16) put_byte(w, (uint8_t)(0x80 | pairs));
    else if (pairs <= 0xFFFF) put_be(w, 0xDE, pairs, 2);
    else put_be(w, 0xDF, pairs, 4);
}

/* MessagePack reader. */

void edgeai_mp_reader_init(edgeai_mp_reader *r, const uint8_t *p, size_t len) {
    r->p = p;
    r->len = len;
    r->at = 0;
}

static int take_be(edgeai_mp_reader *r, int bytes, uint64_t *v) {
    int i;
    if (r->len - r->at < (size_t)bytes) return -1;
    *v = 0;
    for (i = 0; i < bytes; ++i) *v = (*v << 8) | r->p[r->at++];
    return 0;
}

static int take_bytes(edgeai_mp_reader *r, int len_bytes, uint32_t n, edgeai_mp_item *item) {
    uint64_t v = n;
    if (len_bytes > 0 && take_be(r, len_bytes, &v) != 0) return -1;
    if (r->len - r->at < v) return -1;
    item->bytes = r->p + r->at;
    item->size = (uint32_t)v;
    r->at += (size_t)v;
    return 0;
}

static int take_count(edgeai_mp_reader *r, int len_bytes, edgeai_mp_item *item) {
    uint64_t v;
    if (take_be(r, len_bytes, &v) != 0) return -1;
    item->count = (uint32_t)v;
    return 0;
}

static int64_t sign_extend(uint64_t v, int bytes) {
    const uint64_t sign = (uint64_t)1 << (8 * bytes - 1);
    if (bytes == 8) return (int64_t)v;
    return (int64_t)((v ^ sign) - sign);
}

int edgeai_mp_next(edgeai_mp_reader *r, edgeai_mp_item *item) {
    uint8_t lead;
    uint64_t v;
    if (r->at >= r->len) return -1;
    lead = r->p[r->at++];
    item->count = 0;
    item->size = 0;
    item->bytes = 0;
    if (lead < 0x80) {
        item->type = EDGEAI_MP_UINT;
        item->u = lead;
        return 0;
    }
    if (lead >= 0xE0) {
        item->type = EDGEAI_MP_INT;
        item->i = (int8_t)lead;
        return 0;
    }
    if ((lead & 0xF0) == 0x80) {
        item->type = EDGEAI_MP_MAP;
        item->count = lead & 0x0Fu;
        return 0;
    }
    if ((lead & 0xF0) == 0x90) {
        item->type = EDGEAI_MP_ARRAY;
        item->count = lead & 0x0Fu;
        return 0;
    }
    if ((lead & 0xE0) == 0xA0) {
        item->type = EDGEAI_MP_STR;
        return take_bytes(r, 0, lead & 0x1Fu, item);
    }
    switch (lead) {
    case 0xC0: item->type = EDGEAI_MP_NIL; return 0;
    case 0xC2:
    case 0xC3:
        item->type = EDGEAI_MP_BOOL;
        item->boolean = lead == 0xC3;
        return 0;
    case 0xC4: item->type = EDGEAI_MP_BIN; return take_bytes(r, 1, 0, item);
    case 0xC5: item->type = EDGEAI_MP_BIN; return take_bytes(r, 2, 0, item);
    case 0xC6: item->type = EDGEAI_MP_BIN; return take_bytes(r, 4, 0, item);
    case 0xCA: {
        float f;
        uint32_t bits;
        if (take_be(r, 4, &v) != 0) return -1;
        bits = (uint32_t)v;
        memcpy(&f, &bits, sizeof f);
        item->type = EDGEAI_MP_FLOAT;
        item->f = f;
        return 0;
    }
    case 0xCB:
        if (take_be(r, 8, &v) != 0) return -1;
        memcpy(&item->f, &v, sizeof item->f);
        item->type = EDGEAI_MP_FLOAT;
        return 0;
    case 0xCC:
    case 0xCD:
    case 0xCE:
    case 0xCF:
        if (take_be(r, 1 << (lead - 0xCC), &item->u) != 0) return -1;
        item->type = EDGEAI_MP_UINT;
        return 0;
    case 0xD0:
    case 0xD1:
    case 0xD2:
    case 0xD3:
        if (take_be(r, 1 << (lead - 0xD0), &v) != 0) return -1;
        item->i = sign_extend(v, 1 << (lead - 0xD0));
        item->type = item->i < 0 ? EDGEAI_MP_INT : EDGEAI_MP_UINT;
        item->u = (uint64_t)item->i;
        return 0;
    case 0xD9: item->type = EDGEAI_MP_STR; return take_bytes(r, 1, 0, item);
    case 0xDA: item->type = EDGEAI_MP_STR; return take_bytes(r, 2, 0, item);
    case 0xDB: item->type = EDGEAI_MP_STR; return take_bytes(r, 4, 0, item);
    case 0xDC: item->type = EDGEAI_MP_ARRAY; return take_count(r, 2, item);
    case 0xDD: item->type = EDGEAI_MP_ARRAY; return take_count(r, 4, item);
    case 0xDE: item->type = EDGEAI_MP_MAP; return take_count(r, 2, item);
    case 0xDF: item->type = EDGEAI_MP_MAP; return take_count(r, 4, item);
    case 0xD4: case 0xD5: case 0xD6: case 0xD7: case 0xD8: /* fixext 1..16 */
        item->type = EDGEAI_MP_EXT;
        return take_bytes(r, 0, 1u + (1u << (lead - 0xD4)), item);
    case 0xC7:
    case 0xC8:
    case 0xC9:
        /* The length counts the data only; the type byte comes first. */
        if (take_be(r, 1 << (lead - 0xC7), &v) != 0 || v > 0xFFFFFFFEu) return -1;
        item->type = EDGEAI_MP_EXT;
        return take_bytes(r, 0, (uint32_t)v + 1u, item);
    default: return -1; /* 0xC1 is never used */
    }
}

int edgeai_mp_is_str(const edgeai_mp_item *item, const char *s) {
    uint32_t i;
    if (item->type != EDGEAI_MP_STR) return 0;
    for (i = 0; i < item->size; ++i)
        if (s[i] == 0 || (uint8_t)s[i] != item->bytes[i]) return 0;
    return s[item->size] == 0;
}
