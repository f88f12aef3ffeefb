/* SPDX-License-Identifier: MIT */
/* ms_verify_bench: the receiver's verdict per message (SPF of MAIL FROM, every DKIM signature,
 * DMARC with alignment, the Authentication-Results value) through mailseal's public pipeline,
 * include/mailseal/message.h, on the bench kit's corpus; the counterpart of
 * peer_verify_bench.c (benchmark tooling only):
 *
 *   ms_verify_bench CORPUS ENVELOPES [MIN_SECONDS [DUMP.tsv]] [--rfc7489] [--no-key-cache]
 *
 * Per message: ms_message_new, connect(client IP, HELO), envelope(MAIL FROM), feed(the whole
 * message), end, verdicts; one arena, reset between messages. DNS: ms_resolver_new_cache over
 * ms_resolver_new_zone loaded with every record of CORPUS/dns/records.tsv (SPF TXT, MX, A,
 * _dmarc TXT, DKIM keys): warm after the untimed pass, no network. The parsed-key cache
 * (ms_dkim_key_cache) is on unless --no-key-cache. DMARC runs in the library's default
 * RFC 9989 mode (DNS tree walk), or with --rfc7489 in RFC 7489 mode on the system's Public
 * Suffix List (what libopendmarc implements).
 * ENVELOPES has "file<TAB>client_ip<TAB>helo<TAB>mail_from" lines (gen_envelopes.py), in the
 * sorted order of CORPUS/msgs. Every message is read into memory first; one untimed pass warms
 * the caches, then whole passes are timed until MIN_SECONDS (default 2). Prints one JSON line
 * (the bench kit's keys plus verdict counts); DUMP gets one line per message with the verdicts
 * of the last pass: file, spf, dkim (passing/signatures), dmarc result, disposition. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailseal/mailseal.h"

#include "bench_io.h"

typedef struct msg {
    char *name;
    char *data;
    size_t len;
    char *ip, *helo, *mail_from; /* point into the loaded envelope file */
    /* verdicts of the last pass */
    ms_spf_result spf;
    unsigned dkim_pass, dkim_sigs;
    ms_dmarc_result dmarc;
    ms_dmarc_policy disposition;
    int status; /* ms_status of the pipeline; MS_OK when the verdicts are there */
} msg;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(((const msg *)a)->name, ((const msg *)b)->name);
}

/* ---- the corpus's DNS records into the zone view ----------------------------------------- */

/* One record of records.tsv ("name<TAB>type<TAB>data"); false when it could not be added. */
static bool add_record(ms_resolver *zone, const char *name, const char *type, const char *data)
{
    ms_dns_rr rr = {.ttl = 3600};
    char host[256];
    uint8_t lens[64];
    if (strcmp(type, "TXT") == 0) {
        size_t len = strlen(data), n = 0;
        for (size_t left = len; n < sizeof lens; left -= 255) { /* 255-byte strings */
            lens[n++] = (uint8_t)(left > 255 ? 255 : left);
            if (left <= 255) {
                break;
            }
        }
        rr.type = MS_DNS_TXT;
        rr.u.txt.data = data;
        rr.u.txt.len = len;
        rr.u.txt.lens = lens;
        rr.u.txt.n_strings = n;
    } else if (strcmp(type, "MX") == 0) {
        char *end;
        unsigned long pref = strtoul(data, &end, 10);
        while (*end == ' ') {
            end++;
        }
        size_t hl = strlen(end);
        if (end == data || pref > 65535 || hl == 0 || hl >= sizeof host) {
            return false;
        }
        memcpy(host, end, hl + 1);
        if (host[hl - 1] == '.') {
            host[hl - 1] = '\0';
        }
        rr.type = MS_DNS_MX;
        rr.u.mx.preference = (uint16_t)pref;
        rr.u.mx.exchange = host;
    } else if (strcmp(type, "A") == 0) {
        rr.type = MS_DNS_A;
        if (inet_pton(AF_INET, data, rr.u.a) != 1) {
            return false;
        }
    } else if (strcmp(type, "AAAA") == 0) {
        rr.type = MS_DNS_AAAA;
        if (inet_pton(AF_INET6, data, rr.u.aaaa) != 1) {
            return false;
        }
    } else {
        return false;
    }
    return ms_zone_add(zone, name, &rr) == MS_OK;
}

static int load_records(ms_resolver *zone, const char *path)
{
    size_t len;
    char *text = slurp("ms_verify_bench", path, &len);
    if (text == NULL) {
        return -1;
    }
    int n = 0;
    for (char *line = text; line != NULL && *line != '\0';) {
        char *eol = strchr(line, '\n');
        if (eol != NULL) {
            *eol = '\0';
        }
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (t1 != NULL && t2 != NULL) {
            *t1 = *t2 = '\0';
            if (!add_record(zone, line, t1 + 1, t2 + 1)) {
                fprintf(stderr, "ms_verify_bench: cannot add %s %s\n", line, t1 + 1);
                free(text);
                return -1;
            }
            n++;
        }
        line = eol ? eol + 1 : NULL;
    }
    free(text);
    return n;
}

/* ---- messages and envelopes --------------------------------------------------------------- */

static char *g_envelopes; /* the envelope file, split in place */

static msg *load_corpus(const char *corpus, const char *envelopes, size_t *count, size_t *bytes)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/msgs", corpus);
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "ms_verify_bench: %s: %s\n", dir, strerror(errno));
        return NULL;
    }
    msg *m = NULL;
    size_t n = 0, cap = 0, total = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            msg *bigger = realloc(m, cap * sizeof *m);
            if (bigger == NULL) {
                closedir(d);
                return NULL;
            }
            m = bigger;
        }
        memset(&m[n], 0, sizeof m[n]);
        size_t nl = strlen(de->d_name);
        m[n].name = malloc(nl + 1);
        if (m[n].name == NULL) {
            closedir(d);
            return NULL;
        }
        memcpy(m[n].name, de->d_name, nl + 1);
        n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "ms_verify_bench: no messages in %s\n", dir);
        return NULL;
    }
    qsort(m, n, sizeof *m, cmp_names);
    for (size_t i = 0; i < n; i++) {
        char path[4096 + 256];
        snprintf(path, sizeof path, "%s/%s", dir, m[i].name);
        m[i].data = slurp("ms_verify_bench", path, &m[i].len);
        if (m[i].data == NULL) {
            return NULL;
        }
        total += m[i].len;
    }
    size_t elen;
    g_envelopes = slurp("ms_verify_bench", envelopes, &elen);
    if (g_envelopes == NULL) {
        return NULL;
    }
    size_t k = 0;
    for (char *line = g_envelopes; line != NULL && *line != '\0' && k < n; k++) {
        char *eol = strchr(line, '\n');
        if (eol != NULL) {
            *eol = '\0';
        }
        char *f[4] = {line, NULL, NULL, NULL};
        for (size_t j = 1; j < 4; j++) {
            f[j] = f[j - 1] ? strchr(f[j - 1], '\t') : NULL;
            if (f[j] != NULL) {
                *f[j]++ = '\0';
            }
        }
        if (f[3] == NULL || strcmp(f[0], m[k].name) != 0) {
            fprintf(stderr, "ms_verify_bench: %s line %zu does not match %s\n", envelopes, k + 1,
                    m[k].name);
            return NULL;
        }
        m[k].ip = f[1];
        m[k].helo = f[2];
        m[k].mail_from = f[3];
        line = eol ? eol + 1 : NULL;
    }
    if (k != n) {
        fprintf(stderr, "ms_verify_bench: %zu envelopes for %zu messages\n", k, n);
        return NULL;
    }
    *count = n;
    *bytes = total;
    return m;
}

/* ---- one message -------------------------------------------------------------------------- */

/* The verdicts of one message into m; *ar_len the length of its Authentication-Results value.
 * MS_OK when the pipeline ran to the end. */
static ms_status verify_one(ms_resolver *r, const ms_message_options *opt, msg *m, ms_arena *arena,
                            size_t *ar_len)
{
    ms_message *mm;
    ms_status st = ms_message_new(r, opt, arena, NULL, &mm);
    if (st == MS_OK) {
        st = ms_message_connect(mm, m->ip, m->helo);
    }
    if (st == MS_OK) {
        st = ms_message_envelope(mm, m->mail_from);
    }
    if (st == MS_OK) {
        st = ms_message_feed(mm, m->data, m->len);
    }
    if (st == MS_OK) {
        st = ms_message_end(mm);
    }
    const ms_verdicts *v = st == MS_OK ? ms_message_verdicts(mm) : NULL;
    m->status = (int)st;
    if (v == NULL) {
        return st != MS_OK ? st : MS_EINVAL;
    }
    m->spf = v->spf->result;
    m->dkim_sigs = (unsigned)v->n_dkim;
    m->dkim_pass = 0;
    for (size_t i = 0; i < v->n_dkim; i++) {
        m->dkim_pass += v->dkim[i].result == MS_DKIM_PASS;
    }
    m->dmarc = v->dmarc->result;
    m->disposition = v->dmarc->disposition;
    *ar_len = strlen(v->authentication_results);
    return MS_OK;
}

int main(int argc, char **argv)
{
    const char *pos[4] = {NULL, NULL, NULL, NULL};
    size_t n_pos = 0;
    bool rfc7489 = false, key_cache = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rfc7489") == 0) {
            rfc7489 = true;
        } else if (strcmp(argv[i], "--no-key-cache") == 0) {
            key_cache = false;
        } else if (n_pos < 4) {
            pos[n_pos++] = argv[i];
        }
    }
    if (n_pos < 2) {
        fprintf(stderr, "usage: ms_verify_bench CORPUS ENVELOPES [MIN_SECONDS [DUMP.tsv]] "
                        "[--rfc7489] [--no-key-cache]\n");
        return 2;
    }
    const char *corpus = pos[0];
    double min_seconds = pos[2] ? strtod(pos[2], NULL) : 2.0;
    const char *dump = pos[3];

    size_t n, total_bytes;
    msg *msgs = load_corpus(corpus, pos[1], &n, &total_bytes);
    if (msgs == NULL) {
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/dns/records.tsv", corpus);
    ms_resolver *zone, *cache;
    if (ms_resolver_new_zone(&zone) != MS_OK || load_records(zone, path) <= 0 ||
        ms_resolver_new_cache(zone, 0, &cache) != MS_OK) {
        fprintf(stderr, "ms_verify_bench: cannot load %s\n", path);
        return 1;
    }
    ms_dkim_key_cache *keys = NULL;
    if (key_cache && ms_dkim_key_cache_new(0, &keys) != MS_OK) {
        return 1;
    }
    ms_psl *psl = NULL;
    char err[256] = "";
    if (rfc7489 && ms_psl_load(NULL, &psl, err, sizeof err) != MS_OK) {
        fprintf(stderr, "ms_verify_bench: the Public Suffix List: %s\n", err);
        return 1;
    }
    ms_message_options opt;
    ms_message_options_default(&opt);
    opt.authserv_id = "mx.bench.example";
    opt.dkim.now = 1709251200 + 86400; /* the corpus signs with t=1709251200 */
    opt.dkim.key_cache = keys;
    if (rfc7489) {
        opt.dmarc.mode = MS_DMARC_MODE_RFC7489;
        opt.dmarc.psl = psl;
    }

    ms_arena *arena;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 1;
    }
    size_t ar_len = 0, ar_bytes = 0;
    for (size_t i = 0; i < n; i++) { /* untimed: fills the DNS and key caches */
        if (verify_one(cache, &opt, &msgs[i], arena, &ar_len) != MS_OK) {
            fprintf(stderr, "ms_verify_bench: %s: %s\n", msgs[i].name,
                    ms_status_name((ms_status)msgs[i].status));
        }
        ms_arena_reset(arena);
    }
    unsigned long passes = 0, errors = 0;
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t1;
    do {
        errors = 0;
        ar_bytes = 0;
        for (size_t i = 0; i < n; i++) {
            errors += verify_one(cache, &opt, &msgs[i], arena, &ar_len) != MS_OK;
            ar_bytes += ar_len;
            ms_arena_reset(arena);
        }
        passes++;
        t1 = clock_s(CLOCK_MONOTONIC);
    } while (t1 - t0 < min_seconds);
    double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double secs = t1 - t0;

    unsigned long spf_pass = 0, dkim_pass = 0, dkim_fail = 0, sigs = 0, sigs_pass = 0;
    unsigned long dmarc_pass = 0, dmarc_fail = 0, dmarc_none = 0, dmarc_other = 0;
    unsigned long reject = 0, quarantine = 0;
    FILE *df = dump ? fopen(dump, "w") : NULL;
    if (dump != NULL && df == NULL) {
        fprintf(stderr, "ms_verify_bench: %s: %s\n", dump, strerror(errno));
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const msg *m = &msgs[i];
        if (m->status != MS_OK) {
            if (df != NULL) {
                fprintf(df, "%s\terror\t0/0\terror\t%s\n", m->name,
                        ms_status_name((ms_status)m->status));
            }
            continue;
        }
        spf_pass += m->spf == MS_SPF_PASS;
        dkim_pass += m->dkim_pass > 0;
        dkim_fail += m->dkim_pass == 0;
        sigs += m->dkim_sigs;
        sigs_pass += m->dkim_pass;
        dmarc_pass += m->dmarc == MS_DMARC_PASS;
        dmarc_fail += m->dmarc == MS_DMARC_FAIL;
        dmarc_none += m->dmarc == MS_DMARC_NONE;
        dmarc_other +=
            m->dmarc != MS_DMARC_PASS && m->dmarc != MS_DMARC_FAIL && m->dmarc != MS_DMARC_NONE;
        reject += m->disposition == MS_DMARC_POLICY_REJECT;
        quarantine += m->disposition == MS_DMARC_POLICY_QUARANTINE;
        if (df != NULL) {
            fprintf(df, "%s\t%s\t%u/%u\t%s\t%s\n", m->name, ms_spf_result_name(m->spf),
                    m->dkim_pass, m->dkim_sigs, ms_dmarc_result_name(m->dmarc),
                    ms_dmarc_policy_name(m->disposition));
        }
    }
    if (df != NULL) {
        fclose(df);
    }
    const char *tool = rfc7489 ? (key_cache ? "mailseal-rfc7489" : "mailseal-rfc7489-no-key-cache")
                               : (key_cache ? "mailseal" : "mailseal-no-key-cache");
    printf("{\"tool\":\"%s\",\"op\":\"verify-receiver\",\"n\":%zu,\"passes\":%lu,"
           "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"msgs_per_s\":%.1f,\"mib_per_s\":%.1f,"
           "\"pass\":%lu,\"fail\":%lu,\"sigs\":%lu,\"sigs_pass\":%lu,\"spf_pass\":%lu,"
           "\"dmarc_pass\":%lu,\"dmarc_fail\":%lu,\"dmarc_none\":%lu,\"dmarc_other\":%lu,"
           "\"reject\":%lu,\"quarantine\":%lu,\"errors\":%lu,\"ar_bytes\":%zu,"
           "\"dns_questions\":%llu,\"dns_backend\":%llu}\n",
           tool, n, passes, secs, cpu, (double)n * (double)passes / secs,
           (double)total_bytes * (double)passes / secs / 1048576.0, dkim_pass, dkim_fail, sigs,
           sigs_pass, spf_pass, dmarc_pass, dmarc_fail, dmarc_none, dmarc_other, reject, quarantine,
           errors, ar_bytes, (unsigned long long)ms_resolver_queries(cache),
           (unsigned long long)ms_resolver_queries(zone));
    ms_arena_free(arena);
    ms_resolver_free(cache);
    ms_resolver_free(zone);
    ms_dkim_key_cache_free(keys);
    ms_psl_free(psl);
    for (size_t i = 0; i < n; i++) {
        free(msgs[i].name);
        free(msgs[i].data);
    }
    free(msgs);
    free(g_envelopes);
    return 0;
}
