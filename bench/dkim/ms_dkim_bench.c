/* SPDX-License-Identifier: MIT */
/* ms_dkim_bench: in-process DKIM verification and signing throughput of libmailseal over the
 * bench kit's corpus, the same loops as the kit's peer harnesses (benchmark tooling, never a test):
 *
 *   ms_dkim_bench verify MSGDIR KEYFILE [MIN_SECONDS [--no-key-cache]]
 *   ms_dkim_bench sign UNSIGNEDDIR KEY.pem rsa|ed25519 DOMAIN SELECTOR [MIN_SECONDS [KEYFILE]]
 *
 * sign: the PEM key is read once (ms_dkim_signer_add_key), then every message of UNSIGNEDDIR is
 * signed once per pass, relaxed/relaxed, t=1709251200 (parse + signing_new/body/end; the
 * signature is not prepended). With KEYFILE, the first 20 messages, signed and prepended, are
 * then verified by libmailseal's verifier against it ("verified":"k/20" in the JSON line).
 *
 * KEYFILE has "selector._domainkey.domain <TXT data>" lines (the kit's dns/keyfile.txt); the
 * keys are served by the zone resolver (a warm in-process cache). Every message is read into
 * memory first, 50 are verified untimed, then whole passes are timed until MIN_SECONDS (default
 * 3). A message passes when one of its signatures passes. Prints one JSON line with the kit's
 * keys: tool, op, n, passes, seconds, cpu_seconds, msgs_per_s, mib_per_s, pass, fail. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailseal/mailseal.h"

typedef struct msg_buf {
    char *data;
    size_t len;
} msg_buf;

static double now_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[size] = '\0';
    *len = (size_t)size;
    return buf;
}

static int load_keys(ms_resolver *z, const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    if (text == NULL) {
        return -1;
    }
    for (char *line = text; line && *line;) {
        char *eol = strchr(line, '\n');
        if (eol) {
            *eol = '\0';
        }
        char *sp = strchr(line, ' ');
        if (sp && line[0] != '#') {
            *sp = '\0';
            const char *value = sp + 1;
            size_t vlen = strlen(value);
            uint8_t lens[64];
            size_t n = 0;
            for (size_t left = vlen; n < 64;) {
                lens[n++] = (uint8_t)(left > 255 ? 255 : left);
                if (left <= 255) {
                    break;
                }
                left -= 255;
            }
            ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 3600};
            rr.u.txt.data = value;
            rr.u.txt.len = vlen;
            rr.u.txt.lens = lens;
            rr.u.txt.n_strings = n;
            if (ms_zone_add(z, line, &rr) != MS_OK) {
                fprintf(stderr, "ms_dkim_bench: bad key line for %s\n", line);
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    free(text);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file of dir (sorted by name) read into memory; NULL when dir cannot be read. */
static msg_buf *load_dir(const char *dir, size_t *count, size_t *bytes)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "ms_dkim_bench: cannot open %s\n", dir);
        return NULL;
    }
    char **names = NULL;
    size_t n_names = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n_names == cap) {
            cap = cap ? cap * 2 : 256;
            names = realloc(names, cap * sizeof(*names));
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n_names] = malloc(len);
        snprintf(names[n_names++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n_names, sizeof(*names), cmp_names);
    msg_buf *msgs = calloc(n_names ? n_names : 1, sizeof(*msgs));
    size_t total_bytes = 0;
    for (size_t i = 0; i < n_names; i++) {
        msgs[i].data = slurp(names[i], &msgs[i].len);
        if (msgs[i].data == NULL) {
            msgs[i].data = calloc(1, 1);
            msgs[i].len = 0;
        }
        total_bytes += msgs[i].len;
        free(names[i]);
    }
    free(names);
    *count = n_names;
    *bytes = total_bytes;
    return msgs;
}

static void free_msgs(msg_buf *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(msgs[i].data);
    }
    free(msgs);
}

/* 1 when a signature passed, 0 when none did, -1 when the message could not be checked. */
static ms_dkim_key_cache *g_keys; /* NULL with --no-key-cache */

static int verify_one(ms_resolver *r, const msg_buf *m, ms_arena *arena)
{
    ms_msg *msg;
    ms_msg_error err;
    if (ms_msg_parse(m->data, m->len, NULL, arena, &msg, &err) != MS_OK) {
        return -1;
    }
    ms_dkim_verify_options opt;
    ms_dkim_verify_options_default(&opt);
    opt.now = 1709251200 + 86400; /* the corpus signs with t=1709251200 */
    opt.key_cache = g_keys;
    ms_dkim_verifier *v;
    if (ms_dkim_verifier_new(r, &opt, msg, arena, NULL, &v) != MS_OK) {
        return -1;
    }
    size_t blen;
    const char *body = ms_msg_body(msg, &blen);
    const ms_dkim_sig_result *res;
    size_t n;
    if (ms_dkim_verifier_body(v, body ? body : "", blen) != MS_OK ||
        ms_dkim_verifier_end(v, &res, &n) != MS_OK) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (res[i].result == MS_DKIM_PASS) {
            return 1;
        }
    }
    return 0;
}

#define SIGN_T 1709251200LL /* the corpus's t=, so that the verifier's clock fits */
#define SIGN_SAMPLE 20

/* 1 when the message was signed (*fields and *flen set when fields is not NULL), 0 when refused,
 * -1 on an error. */
static int sign_one(const ms_dkim_signer *signer, const msg_buf *m, ms_arena *arena,
                    const char **fields, size_t *flen)
{
    ms_msg *msg;
    ms_msg_error err;
    if (ms_msg_parse(m->data, m->len, NULL, arena, &msg, &err) != MS_OK) {
        return -1;
    }
    ms_dkim_signing *g;
    ms_dkim_sign_error serr;
    if (ms_dkim_signing_new(signer, msg, SIGN_T, arena, &g, &serr) != MS_OK) {
        return 0;
    }
    size_t blen;
    const char *body = ms_msg_body(msg, &blen);
    const char *f;
    size_t fl;
    if (ms_dkim_signing_body(g, body ? body : "", blen) != MS_OK ||
        ms_dkim_signing_end(g, &f, &fl) != MS_OK) {
        ms_dkim_signing_free(g);
        return -1;
    }
    if (fields != NULL) {
        *fields = f;
        *flen = fl;
    }
    return 1;
}

static int sign_main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: ms_dkim_bench sign UNSIGNEDDIR KEY.pem rsa|ed25519 DOMAIN "
                        "SELECTOR [MIN_SECONDS [KEYFILE]]\n");
        return 2;
    }
    const char *alg = argv[4];
    double min_seconds = argc > 7 ? strtod(argv[7], NULL) : 3.0;
    const char *keyfile = argc > 8 ? argv[8] : NULL;
    size_t pem_len;
    char *pem = slurp(argv[3], &pem_len);
    if (pem == NULL) {
        fprintf(stderr, "ms_dkim_bench: cannot read %s\n", argv[3]);
        return 1;
    }
    ms_dkim_signer_options so;
    ms_dkim_signer_options_default(&so);
    so.domain = argv[5];
    so.canon_header = MS_DKIM_CANON_RELAXED;
    so.canon_body = MS_DKIM_CANON_RELAXED;
    so.allow_foreign_from = true; /* corpus From domains vary; the kit's peers sign them all */
    ms_dkim_signer *signer;
    ms_dkim_sign_error serr;
    if (ms_dkim_signer_new(&so, &signer, &serr) != MS_OK ||
        ms_dkim_signer_add_key(signer, argv[6], pem, pem_len, &serr) != MS_OK) {
        fprintf(stderr, "ms_dkim_bench: signer: %s (%s)\n", serr.reason ? serr.reason : "?",
                serr.detail);
        return 1;
    }
    free(pem);
    size_t n, total_bytes;
    msg_buf *msgs = load_dir(argv[2], &n, &total_bytes);
    if (msgs == NULL) {
        return 1;
    }
    ms_arena *arena;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 1;
    }
    for (size_t i = 0; i < n && i < 50; i++) {
        (void)sign_one(signer, &msgs[i], arena, NULL, NULL);
        ms_arena_reset(arena);
    }
    unsigned long passes = 0, n_ok = 0, n_refused = 0, n_error = 0;
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID), t1;
    do {
        n_ok = n_refused = n_error = 0;
        for (size_t i = 0; i < n; i++) {
            int r = sign_one(signer, &msgs[i], arena, NULL, NULL);
            ms_arena_reset(arena);
            n_ok += r == 1;
            n_refused += r == 0;
            n_error += r < 0;
        }
        passes++;
        t1 = now_s(CLOCK_MONOTONIC);
    } while (t1 - t0 < min_seconds);
    double cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double secs = t1 - t0;
    /* untimed: the first SIGN_SAMPLE signatures, prepended, through the verifier */
    unsigned long sampled = 0, verified = 0;
    ms_resolver *zone = NULL;
    if (keyfile != NULL) {
        if (ms_resolver_new_zone(&zone) != MS_OK || load_keys(zone, keyfile) != 0) {
            fprintf(stderr, "ms_dkim_bench: cannot load %s\n", keyfile);
            return 1;
        }
        for (size_t i = 0; i < n && sampled < SIGN_SAMPLE; i++) {
            const char *f;
            size_t fl;
            if (sign_one(signer, &msgs[i], arena, &f, &fl) != 1) {
                ms_arena_reset(arena);
                continue;
            }
            msg_buf signed_msg = {.len = fl + msgs[i].len};
            signed_msg.data = malloc(signed_msg.len + 1);
            memcpy(signed_msg.data, f, fl);
            memcpy(signed_msg.data + fl, msgs[i].data, msgs[i].len);
            signed_msg.data[signed_msg.len] = '\0';
            ms_arena_reset(arena);
            sampled++;
            verified += verify_one(zone, &signed_msg, arena) == 1;
            ms_arena_reset(arena);
            free(signed_msg.data);
        }
    }
    printf("{\"tool\":\"mailseal\",\"op\":\"sign\",\"alg\":\"%s\",\"n\":%zu,\"passes\":%lu,"
           "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"msgs_per_s\":%.1f,\"mib_per_s\":%.1f,"
           "\"pass\":%lu,\"fail\":%lu,\"errors\":%lu,\"verified\":\"%lu/%lu\"}\n",
           alg, n, passes, secs, cpu, (double)n * (double)passes / secs,
           (double)total_bytes * (double)passes / secs / 1048576.0, n_ok, n_refused, n_error,
           verified, sampled);
    ms_arena_free(arena);
    ms_resolver_free(zone);
    ms_dkim_signer_free(signer);
    free_msgs(msgs, n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sign") == 0) {
        return sign_main(argc, argv);
    }
    if (argc < 4 || strcmp(argv[1], "verify") != 0) {
        fprintf(stderr,
                "usage: ms_dkim_bench verify MSGDIR KEYFILE [MIN_SECONDS [--no-key-cache]]\n"
                "       ms_dkim_bench sign UNSIGNEDDIR KEY.pem rsa|ed25519 DOMAIN SELECTOR "
                "[MIN_SECONDS [KEYFILE]]\n");
        return 2;
    }
    double min_seconds = argc > 4 ? strtod(argv[4], NULL) : 3.0;
    bool use_key_cache = argc <= 5 || strcmp(argv[5], "--no-key-cache") != 0;
    if (use_key_cache && ms_dkim_key_cache_new(0, &g_keys) != MS_OK) {
        return 1;
    }
    ms_resolver *zone;
    if (ms_resolver_new_zone(&zone) != MS_OK || load_keys(zone, argv[3]) != 0) {
        fprintf(stderr, "ms_dkim_bench: cannot load %s\n", argv[3]);
        return 1;
    }
    size_t n_names, total_bytes;
    msg_buf *msgs = load_dir(argv[2], &n_names, &total_bytes);
    if (msgs == NULL) {
        return 1;
    }
    ms_arena *arena;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 1;
    }
    for (size_t i = 0; i < n_names && i < 50; i++) {
        (void)verify_one(zone, &msgs[i], arena);
        ms_arena_reset(arena);
    }
    unsigned long passes = 0, n_pass = 0, n_fail = 0, n_error = 0;
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID), t1;
    do {
        n_pass = n_fail = n_error = 0;
        for (size_t i = 0; i < n_names; i++) {
            int r = verify_one(zone, &msgs[i], arena);
            ms_arena_reset(arena);
            n_pass += r == 1;
            n_fail += r == 0;
            n_error += r < 0;
        }
        passes++;
        t1 = now_s(CLOCK_MONOTONIC);
    } while (t1 - t0 < min_seconds);
    double cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double secs = t1 - t0;
    printf("{\"tool\":\"%s\",\"op\":\"verify\",\"n\":%zu,\"passes\":%lu,\"seconds\":%.3f,"
           "\"cpu_seconds\":%.3f,\"msgs_per_s\":%.1f,\"mib_per_s\":%.1f,\"pass\":%lu,"
           "\"fail\":%lu,\"errors\":%lu}\n",
           use_key_cache ? "mailseal" : "mailseal-no-key-cache", n_names, passes, secs, cpu,
           (double)n_names * (double)passes / secs,
           (double)total_bytes * (double)passes / secs / 1048576.0, n_pass, n_fail, n_error);
    ms_arena_free(arena);
    ms_resolver_free(zone);
    ms_dkim_key_cache_free(g_keys);
    free_msgs(msgs, n_names);
    return 0;
}
