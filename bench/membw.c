// Memory bandwidth reference for bench/engine.sh: what one process can move
// between DRAM and the cores on this machine, to compare decode's weight
// streaming against.
//
//   copy: memcpy between two 512 MiB buffers (bytes copied per second; the
//         memory system moves at least twice that: a read and a write)
//   read: a sum over 512 MiB of 64-bit words, by 1 and by N threads (argv[1], default 2)
//
// Buffers are written once before timing (no page faults inside a run); each
// figure is the best of several runs after a warm-up, as STREAM reports.
// Prints one JSON line. Build: gcc -O3 -march=native -pthread membw.c (-O3 so the
// read loop is vector loads: at -O2 it is scalar and measures the core, not memory)
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUFFER_BYTES ((size_t)512 << 20)
#define RUNS 5
#define MAX_THREADS 64

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct slice {
    const uint64_t* words;
    size_t n;
    uint64_t sum;
};

static void* sum_slice(void* arg) {
    struct slice* s = arg;
    uint64_t a = 0, b = 0, c = 0, d = 0;
    size_t i = 0;
    for (; i + 4 <= s->n; i += 4) {
        a += s->words[i];
        b += s->words[i + 1];
        c += s->words[i + 2];
        d += s->words[i + 3];
    }
    for (; i < s->n; ++i)
        a += s->words[i];
    s->sum = a + b + c + d;
    return NULL;
}

// GB/s of reading the whole buffer with `threads` threads, best of RUNS.
static double read_bandwidth(const uint64_t* words, size_t n, int threads, uint64_t* sink) {
    double best = 0;
    for (int run = 0; run <= RUNS; ++run) {
        pthread_t ids[MAX_THREADS];
        struct slice slices[MAX_THREADS];
        const size_t per = n / (size_t)threads;
        const double t0 = now();
        for (int t = 0; t < threads; ++t) {
            slices[t].words = words + per * (size_t)t;
            slices[t].n = t == threads - 1 ? n - per * (size_t)t : per;
            pthread_create(&ids[t], NULL, sum_slice, &slices[t]);
        }
        for (int t = 0; t < threads; ++t) {
            pthread_join(ids[t], NULL);
            *sink += slices[t].sum;
        }
        const double gbs = (double)(n * sizeof(uint64_t)) / (now() - t0) / 1e9;
        if (run > 0 && gbs > best) best = gbs;
    }
    return best;
}

int main(int argc, char** argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > MAX_THREADS) threads = 2;
    char* src = malloc(BUFFER_BYTES);
    char* dst = malloc(BUFFER_BYTES);
    if (!src || !dst) {
        fprintf(stderr, "membw: cannot allocate 2 x %zu MiB\n", BUFFER_BYTES >> 20);
        return 1;
    }
    for (size_t i = 0; i < BUFFER_BYTES; ++i)
        src[i] = (char)(i * 131u);
    memset(dst, 1, BUFFER_BYTES);

    double copy = 0;
    for (int run = 0; run <= RUNS; ++run) {
        const double t0 = now();
        memcpy(dst, src, BUFFER_BYTES);
        const double gbs = (double)BUFFER_BYTES / (now() - t0) / 1e9;
        if (run > 0 && gbs > copy) copy = gbs;
        src[run] ^= dst[BUFFER_BYTES - 1 - (size_t)run]; // keep the copies observable
    }
    uint64_t sink = 0;
    const size_t n = BUFFER_BYTES / sizeof(uint64_t);
    const double read1 = read_bandwidth((const uint64_t*)src, n, 1, &sink);
    const double readn = read_bandwidth((const uint64_t*)src, n, threads, &sink);
    printf("{\"buffer_mib\":%zu,\"copy_gb_s\":%.2f,\"read_gb_s_1t\":%.2f,\"read_gb_s_nt\":%.2f,"
           "\"threads\":%d,\"checksum\":%llu}\n",
           BUFFER_BYTES >> 20, copy, read1, readn, threads, (unsigned long long)sink);
    free(src);
    free(dst);
    return 0;
}
