/*
 * unix_chat: asks a model through edgeai's Unix socket with the frame
 * protocol and prints the streamed answer as it comes. The same calls work
 * on a UART: replace the socket with the serial port's read and write.
 *
 *   cc -std=c99 -I clients/c clients/c/edgeai_frame.c clients/c/example/unix_chat.c -o unix_chat
 *   ./unix_chat /run/edgeai/edgeai.sock MODEL "Say hello." [API_KEY]
 */
#define _POSIX_C_SOURCE 200809L
#include "edgeai_frame.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static uint8_t body[4096];
static uint8_t wire[EDGEAI_FRAME_ENCODED_MAX(sizeof body)];
static uint8_t reader_buf[EDGEAI_FRAME_ENCODED_MAX(65536)];

/* Prints each string that is the value of a "content" key, wherever it is
 * in the event: the text of a streamed chat chunk. */
static void print_content(const uint8_t *p, size_t n) {
    edgeai_mp_reader r;
    edgeai_mp_item item;
    int after_content_key = 0;
    edgeai_mp_reader_init(&r, p, n);
    while (edgeai_mp_next(&r, &item) == 0) {
        if (after_content_key && item.type == EDGEAI_MP_STR)
            fwrite(item.bytes, 1, item.size, stdout);
        after_content_key = edgeai_mp_is_str(&item, "content");
    }
    fflush(stdout);
}

/* The "status" of a head message. */
static long head_status(const uint8_t *p, size_t n) {
    edgeai_mp_reader r;
    edgeai_mp_item item;
    int next_is_status = 0;
    edgeai_mp_reader_init(&r, p, n);
    while (edgeai_mp_next(&r, &item) == 0) {
        if (next_is_status && item.type == EDGEAI_MP_UINT) return (long)item.u;
        next_is_status = edgeai_mp_is_str(&item, "status");
    }
    return -1;
}

int main(int argc, char **argv) {
    struct sockaddr_un addr;
    edgeai_mp_writer w;
    edgeai_frame_reader reader;
    edgeai_frame frame;
    uint8_t in[512];
    size_t n;
    int fd;
    if (argc < 4) {
        fprintf(stderr, "usage: %s SOCKET MODEL PROMPT [API_KEY]\n", argv[0]);
        return 2;
    }
    edgeai_mp_writer_init(&w, body, sizeof body);
    edgeai_mp_map(&w, 4);
    edgeai_mp_cstr(&w, "method");
    edgeai_mp_cstr(&w, "POST");
    edgeai_mp_cstr(&w, "path");
    edgeai_mp_cstr(&w, "/v1/chat/completions");
    edgeai_mp_cstr(&w, "headers");
    if (argc > 4) {
        char auth[512];
        snprintf(auth, sizeof auth, "Bearer %s", argv[4]);
        edgeai_mp_map(&w, 1);
        edgeai_mp_cstr(&w, "authorization");
        edgeai_mp_cstr(&w, auth);
    } else {
        edgeai_mp_map(&w, 0);
    }
    edgeai_mp_cstr(&w, "body");
    edgeai_mp_map(&w, 3);
    edgeai_mp_cstr(&w, "model");
    edgeai_mp_cstr(&w, argv[2]);
    edgeai_mp_cstr(&w, "stream");
    edgeai_mp_bool(&w, 1);
    edgeai_mp_cstr(&w, "messages");
    edgeai_mp_array(&w, 1);
    edgeai_mp_map(&w, 2);
    edgeai_mp_cstr(&w, "role");
    edgeai_mp_cstr(&w, "user");
    edgeai_mp_cstr(&w, "content");
    edgeai_mp_cstr(&w, argv[3]);
    if (w.overflow) {
        fprintf(stderr, "the request does not fit in %u bytes\n", (unsigned)sizeof body);
        return 2;
    }
    n = edgeai_frame_encode(wire, sizeof wire, EDGEAI_FRAME_REQUEST, 0, 1, body, w.len);

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("connect");
        return 1;
    }
    /* A zero first: whatever was on the line before is not taken for a frame. */
    if (write(fd, "", 1) != 1 || write(fd, wire, n) != (ssize_t)n) {
        perror("write");
        return 1;
    }
    edgeai_frame_reader_init(&reader, reader_buf, sizeof reader_buf);
    for (;;) {
        ssize_t got = read(fd, in, sizeof in);
        ssize_t i;
        if (got <= 0) {
            fprintf(stderr, "the gateway closed the connection\n");
            return 1;
        }
        for (i = 0; i < got; ++i) {
            int r = edgeai_frame_reader_push(&reader, in[i], &frame);
            if (r < 0) fprintf(stderr, "dropped a broken frame (%d)\n", r);
            if (r != 1 || frame.id != 1) continue;
            switch (frame.type) {
            case EDGEAI_FRAME_HEAD: printf("status %ld\n", head_status(frame.payload, frame.len)); break;
            case EDGEAI_FRAME_DATA: print_content(frame.payload, frame.len); break;
            case EDGEAI_FRAME_END: printf("\nend\n"); return 0;
            case EDGEAI_FRAME_ERROR:
                printf("error ");
                print_content(frame.payload, frame.len); /* no "content": prints nothing */
                fwrite(frame.payload, 1, frame.len, stdout);
                printf("\n");
                return 1;
            default: break;
            }
        }
    }
}
