/* SPDX-License-Identifier: MIT */
/* ms_spf_bench: in-process SPF throughput of mailseal's ms_spf_check() (RFC 7208 check_host)
 * on a query list, the counterpart of bench-kit/libspf2_bench.c. Benchmark tooling only. */
/*
 *   ms_spf_bench [-s HOST:PORT] [-z ZONEFILE] [-t MIN_SECONDS] [-v] QUERIES EXPECTED MODE
 *
 * MODE is one of
 *   cache    ms_resolver_new_cache() in front of ms_resolver_new_unbound(-s) (the product's
 *            set-up: answers kept in-process for their TTL)
 *   unbound  ms_resolver_new_unbound(-s) alone: every look-up goes through libunbound (its
 *            own cache answers, after a hand-off to its worker thread)
 *   zone     ms_resolver_new_zone() loaded from -z: no DNS at all, pure evaluation cost
 * -s defaults to /etc/resolv.conf. QUERIES has "ip sender helo" lines, EXPECTED the
 * generator's expected.tsv (header, then line ip sender verdict). One untimed warm-up pass over
 * all queries (fills the DNS server's and the in-process caches), then whole passes are timed
 * until MIN_SECONDS (default 2). Prints one JSON line on stdout with the bench-kit keys; the
 * first mismatches go to stderr (all of them with -v).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailseal/arena.h"
#include "mailseal/dns.h"
#include "mailseal/spf.h"

typedef struct query {
    char *ip, *sender, *helo; /* point into the loaded file */
    const char *expect;       /* "" when the expected file has no line for it */
    ms_spf_result got;
} query;

static double clock_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "ms_spf_bench: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len + 1 < cap) {
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
    if (buf != NULL) {
        buf[len] = '\0';
    }
    fclose(f);
    return buf;
}

/* Split the line at *cur into at most max whitespace-separated words (NUL-terminated in
 * place); advances *cur past the line. Returns the number of words. */
static size_t split_line(char **cur, char **words, size_t max)
{
    char *p = *cur;
    char *eol = strchr(p, '\n');
    if (eol != NULL) {
        *eol = '\0';
        *cur = eol + 1;
    } else {
        *cur = p + strlen(p);
    }
    size_t n = 0;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == '\r') {
            *p++ = '\0';
        }
        if (*p == '\0') {
            break;
        }
        if (n < max) {
            words[n++] = p;
        }
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r') {
            p++;
        }
    }
    return n;
}

static query *load_queries(char *qtext, char *etext, size_t *n_out)
{
    size_t cap = 1024, n = 0;
    query *qs = malloc(cap * sizeof(*qs));
    char *cur = qtext, *w[4];
    while (qs != NULL && *cur != '\0') {
        if (split_line(&cur, w, 3) != 3) {
            continue;
        }
        if (n == cap) {
            query *bigger = realloc(qs, 2 * cap * sizeof(*qs));
            if (bigger == NULL) {
                free(qs);
                return NULL;
            }
            qs = bigger;
            cap *= 2;
        }
        qs[n++] = (query){.ip = w[0], .sender = w[1], .helo = w[2], .expect = ""};
    }
    if (qs != NULL && etext != NULL) {
        size_t k = 0;
        cur = etext;
        (void)split_line(&cur, w, 4); /* header */
        while (k < n && *cur != '\0') {
            if (split_line(&cur, w, 4) == 4) {
                qs[k++].expect = w[3];
            }
        }
    }
    *n_out = n;
    return qs;
}

/* One pass over every query. Returns the number of checks that could not run. */
static long run_pass(ms_resolver *res, const ms_spf_options *opt, ms_arena *arena, query *qs,
                     size_t n)
{
    long errors = 0;
    for (size_t i = 0; i < n; i++) {
        ms_spf_request req = {
            .client_ip = qs[i].ip,
            .mail_from = qs[i].sender,
            .helo = qs[i].helo,
            .identity = MS_SPF_IDENTITY_MAILFROM,
        };
        ms_spf_verdict v;
        ms_arena_reset(arena);
        if (ms_spf_check(res, opt, &req, arena, &v, NULL) != MS_OK) {
            errors++;
            qs[i].got = MS_SPF_TEMPERROR;
            continue;
        }
        qs[i].got = v.result;
    }
    return errors;
}

static void usage(void)
{
    fprintf(stderr, "usage: ms_spf_bench [-s HOST:PORT] [-z ZONEFILE] [-t MIN_SECONDS] [-v] "
                    "QUERIES EXPECTED cache|unbound|zone\n");
}

int main(int argc, char **argv)
{
    const char *server = NULL, *zonefile = NULL;
    double min_seconds = 2.0;
    int verbose = 0, opt_c;
    while ((opt_c = getopt(argc, argv, "s:z:t:v")) != -1) {
        switch (opt_c) {
        case 's':
            server = optarg;
            break;
        case 'z':
            zonefile = optarg;
            break;
        case 't':
            min_seconds = strtod(optarg, NULL);
            break;
        case 'v':
            verbose = 1;
            break;
        default:
            usage();
            return 1;
        }
    }
    if (argc - optind != 3) {
        usage();
        return 1;
    }
    const char *mode = argv[optind + 2];
    int use_cache = strcmp(mode, "cache") == 0, use_zone = strcmp(mode, "zone") == 0;
    if (!use_cache && !use_zone && strcmp(mode, "unbound") != 0) {
        usage();
        return 1;
    }
    if (use_zone && zonefile == NULL) {
        fprintf(stderr, "ms_spf_bench: zone mode needs -z ZONEFILE\n");
        return 1;
    }

    char *qtext = slurp(argv[optind]);
    char *etext = slurp(argv[optind + 1]);
    size_t n = 0;
    query *qs = qtext ? load_queries(qtext, etext, &n) : NULL;
    if (qs == NULL || n == 0) {
        fprintf(stderr, "ms_spf_bench: no queries in %s\n", argv[optind]);
        return 2;
    }

    /* The backend (counted: questions that left the process, or reached the zone view) and
     * what the checks use (the cache in front of it, or the backend itself). */
    ms_resolver *backend = NULL, *res = NULL;
    char err[256] = "";
    ms_status st;
    if (use_zone) {
        ms_zone_error zerr = {0};
        st = ms_resolver_new_zone(&backend);
        if (st == MS_OK) {
            st = ms_zone_load_file(backend, zonefile, NULL, &zerr);
        }
        if (st != MS_OK) {
            fprintf(stderr, "ms_spf_bench: %s:%u:%u: %s (%s) %s\n", zonefile, zerr.line,
                    zerr.column, zerr.reason ? zerr.reason : "", zerr.detail, ms_status_name(st));
            return 3;
        }
    } else {
        ms_unbound_options uo = {.server = server, .no_dnssec = true};
        st = ms_resolver_new_unbound(&uo, &backend, err, sizeof(err));
        if (st != MS_OK) {
            fprintf(stderr, "ms_spf_bench: unbound resolver: %s (%s)\n", err, ms_status_name(st));
            return 3;
        }
    }
    res = backend;
    if (use_cache) {
        st = ms_resolver_new_cache(backend, 0, &res);
        if (st != MS_OK) {
            fprintf(stderr, "ms_spf_bench: cache: %s\n", ms_status_name(st));
            return 3;
        }
    }
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        fprintf(stderr, "ms_spf_bench: arena: out of memory\n");
        return 3;
    }
    ms_spf_options opt;
    ms_spf_options_default(&opt);

    long errors = run_pass(res, &opt, arena, qs, n); /* warm-up, untimed */
    uint64_t q0 = ms_resolver_queries(backend);
    long passes = 0, done = 0;
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), elapsed;
    do {
        errors += run_pass(res, &opt, arena, qs, n);
        passes++;
        done += (long)n;
        elapsed = clock_s(CLOCK_MONOTONIC) - t0;
    } while (elapsed < min_seconds);
    double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    uint64_t backend_queries = ms_resolver_queries(backend) - q0;

    long counts[MS_SPF_PERMERROR + 1] = {0}, mismatches = 0;
    for (size_t i = 0; i < n; i++) {
        const char *got = ms_spf_result_name(qs[i].got);
        counts[qs[i].got]++;
        if (qs[i].expect[0] != '\0' && strcmp(got, qs[i].expect) != 0) {
            if (verbose || mismatches < 10) {
                fprintf(stderr, "mismatch: query %zu: %s %s: got %s, want %s\n", i + 1, qs[i].ip,
                        qs[i].sender, got, qs[i].expect);
            }
            mismatches++;
        }
    }
    long other = (long)n - counts[MS_SPF_PASS] - counts[MS_SPF_FAIL] - counts[MS_SPF_SOFTFAIL];
    printf("{\"tool\":\"mailseal%s\",\"op\":\"spf\",\"n\":%zu,\"passes\":%ld,"
           "\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"msgs_per_s\":%.2f,"
           "\"results\":{\"pass\":%ld,\"fail\":%ld,\"softfail\":%ld,\"other\":%ld},"
           "\"mismatches\":%ld,\"check_errors\":%ld,\"backend_queries_per_check\":%.3f}\n",
           use_cache  ? "+cache"
           : use_zone ? "-zone"
                      : "",
           n, passes, elapsed, cpu, (double)done / elapsed, counts[MS_SPF_PASS],
           counts[MS_SPF_FAIL], counts[MS_SPF_SOFTFAIL], other, mismatches, errors,
           (double)backend_queries / (double)done);

    ms_arena_free(arena);
    if (res != backend) {
        ms_resolver_free(res);
    }
    ms_resolver_free(backend);
    free(qs);
    free(qtext);
    free(etext);
    return 0;
}
