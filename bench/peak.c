// Compute peak reference for bench/engine.sh: how many int8 multiply-adds per
// second this machine's cores can do with the instructions the engine's
// quantized kernels use, to set prompt processing (which is compute-bound)
// against, as membw.c sets generation against memory.
//
//   AVX-512 VNNI (VPDPBUSD on 64-byte vectors: 64 u8 x s8 products summed four
//   at a time into int32) when the compiler targets it (-march=native on such a
//   CPU), else AVX2 (VPMADDUBSW + VPMADDWD + VPADDD: 32 products per three
//   instructions), else plain C (the compiler's best).
//
// Independent accumulators hide the instructions' latency; the inputs stay in
// registers, so this is the core's arithmetic only, not memory. Each figure is
// the best of several runs of at least 0.1 s, by 1 thread and by N threads
// (argv[1], default 2), each thread on its own accumulators.
// Prints one JSON line. Build: gcc -O2 -march=native -pthread peak.c
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512VNNI__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#define RUNS 5
#define MAX_THREADS 64

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct job {
    long iterations;
    int seed;
    int64_t result; // kept so the work cannot be dropped
};

#if defined(__AVX512VNNI__)
static const char* kIsa = "avx512-vnni (VPDPBUSD zmm)";
enum { kMacsPerStep = 12 * 64 };
static void* run(void* arg) {
    struct job* j = arg;
    const __m512i u = _mm512_set1_epi8((char)(j->seed | 1));
    const __m512i s = _mm512_set1_epi8((char)-3);
    __m512i a[12];
    for (int k = 0; k < 12; ++k)
        a[k] = _mm512_set1_epi32(k);
    for (long i = 0; i < j->iterations; ++i) {
#pragma GCC unroll 12
        for (int k = 0; k < 12; ++k)
            a[k] = _mm512_dpbusd_epi32(a[k], u, s);
        __asm__ volatile("" : "+v"(a[0]), "+v"(a[1]), "+v"(a[2]), "+v"(a[3]), "+v"(a[4]),
                         "+v"(a[5]), "+v"(a[6]), "+v"(a[7]), "+v"(a[8]), "+v"(a[9]), "+v"(a[10]),
                         "+v"(a[11]));
    }
    __m512i sum = a[0];
    for (int k = 1; k < 12; ++k)
        sum = _mm512_add_epi32(sum, a[k]);
    j->result = _mm512_reduce_add_epi32(sum);
    return NULL;
}
#elif defined(__AVX2__)
static const char* kIsa = "avx2 (VPMADDUBSW + VPMADDWD ymm)";
enum { kMacsPerStep = 6 * 32 };
static void* run(void* arg) {
    struct job* j = arg;
    const __m256i u = _mm256_set1_epi8((char)(j->seed | 1));
    const __m256i s = _mm256_set1_epi8((char)-3);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i a[6];
    for (int k = 0; k < 6; ++k)
        a[k] = _mm256_set1_epi32(k);
    for (long i = 0; i < j->iterations; ++i) {
#pragma GCC unroll 6
        for (int k = 0; k < 6; ++k)
            a[k] = _mm256_add_epi32(a[k], _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), ones));
        __asm__ volatile("" : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]), "+x"(a[4]),
                         "+x"(a[5]));
    }
    __m256i sum = a[0];
    for (int k = 1; k < 6; ++k)
        sum = _mm256_add_epi32(sum, a[k]);
    int32_t lanes[8];
    _mm256_storeu_si256((__m256i*)lanes, sum);
    j->result = 0;
    for (int k = 0; k < 8; ++k)
        j->result += lanes[k];
    return NULL;
}
#else
static const char* kIsa = "portable C";
enum { kMacsPerStep = 64 };
static void* run(void* arg) {
    struct job* j = arg;
    int8_t x[64], y[64];
    for (int k = 0; k < 64; ++k) {
        x[k] = (int8_t)(k + j->seed);
        y[k] = (int8_t)(3 - k);
    }
    int32_t acc = 0;
    for (long i = 0; i < j->iterations; ++i) {
        for (int k = 0; k < 64; ++k)
            acc += x[k] * y[k];
        __asm__ volatile("" : "+r"(acc));
    }
    j->result = acc;
    return NULL;
}
#endif

// Best int8 multiply-adds per second over RUNS runs, with `threads` threads.
static double measure(int threads, long iterations) {
    double best = 0;
    for (int r = 0; r <= RUNS; ++r) { // run 0 is the warm-up
        pthread_t tid[MAX_THREADS];
        struct job jobs[MAX_THREADS];
        const double t0 = now();
        for (int t = 0; t < threads; ++t) {
            jobs[t].iterations = iterations;
            jobs[t].seed = t + r;
            pthread_create(&tid[t], NULL, run, &jobs[t]);
        }
        for (int t = 0; t < threads; ++t)
            pthread_join(tid[t], NULL);
        const double rate = (double)threads * (double)iterations * kMacsPerStep / (now() - t0);
        if (r > 0 && rate > best) best = rate;
    }
    return best;
}

int main(int argc, char** argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    // Iterations for a run of at least 0.1 s on one thread.
    long iterations = 1000;
    for (;;) {
        struct job j = {iterations, 1, 0};
        const double t0 = now();
        run(&j);
        if (now() - t0 >= 0.1) break;
        iterations *= 2;
    }
    const double one = measure(1, iterations);
    const double many = threads > 1 ? measure(threads, iterations) : one;
    printf("{\"isa\":\"%s\",\"threads\":%d,\"int8_macs_per_s_1t\":%.4g,\"int8_macs_per_s_nt\":%.4g}\n",
           kIsa, threads, one, many);
    return 0;
}
