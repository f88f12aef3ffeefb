/* SPDX-License-Identifier: MIT */
/* What the two harnesses of bench/verify share (ms_verify_bench.c links mailseal,
 * peer_verify_bench.c the incumbents' libraries; neither links the other): a clock and a whole
 * file read. Benchmark tooling only. */
#ifndef MS_BENCH_VERIFY_IO_H
#define MS_BENCH_VERIFY_IO_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double clock_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole file, NUL-terminated, its length in *len; NULL (said on stderr as prog) on error. */
static inline char *slurp(const char *prog, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return NULL;
    }
    size_t cap = (size_t)1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n + 1 < cap) {
            break;
        }
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

#endif
