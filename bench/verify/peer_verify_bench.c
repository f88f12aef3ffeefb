/* SPDX-License-Identifier: MIT */
/* peer_verify_bench: the receiver's SPF + DKIM + DMARC verdict per message done in-process by
 * the incumbent C libraries, the counterpart of ms_verify_bench.c (benchmark tooling only):
 *
 *   peer_verify_bench CORPUS ENVELOPES [MIN_SECONDS [DUMP.tsv]]
 *
 * Per message, in the order the OpenDMARC filter runs them (one DMARC_POLICY_T per message):
 *   SPF   libspf2: SPF_request_query_mailfrom(client IP, HELO, MAIL FROM); DNS answered by
 *         SPF_dns_cache (libspf2's in-process cache, what spfquery uses) over SPF_dns_zone loaded
 *         with the corpus's TXT/MX/A records (dns/records.tsv): a warm cache, no network;
 *   DKIM  libopendkim: dkim_verify + dkim_chunk(whole message) + dkim_eom, every signature;
 *         keys by DKIM_QUERY_FILE on dns/keyfile.txt (as the kit's opendkim_bench.c);
 *   From  the From field's address parsed by libopendkim's dkim_mail_parse (what the filter
 *         uses), from the message's header block;
 *   DMARC libopendmarc 1.4: the _dmarc TXT record of the From domain (then of its
 *         organizational domain, opendmarc_get_tld on the Public Suffix List) fetched from an
 *         in-memory table of the corpus records, then connect_init, store_from_domain,
 *         store_dmarc(record text), store_spf, store_dkim (every signature),
 *         get_policy_to_enforce; an Authentication-Results value is formatted with snprintf.
 * ENVELOPES has "file<TAB>client_ip<TAB>helo<TAB>mail_from" lines (gen_envelopes.py), in the
 * sorted order of CORPUS/msgs. Every message is read into memory first; one untimed pass warms
 * every cache, then whole passes are timed until MIN_SECONDS (default 2). Prints one JSON line
 * (the bench kit's keys plus verdict counts); DUMP gets one line per message with the verdicts
 * of the last pass: file, spf, dkim (passing/signatures), dmarc result, disposition. */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <spf2/spf.h>
#include <spf2/spf_dns_cache.h>
#include <spf2/spf_dns_zone.h>

#include <opendkim/dkim.h>

#include <opendmarc/dmarc.h>

/* Exported by libopendmarc, not declared in its header. */
extern int opendmarc_get_tld(u_char *domain, u_char *tld, size_t tld_len);

#define PSL_PATH "/usr/share/publicsuffix/public_suffix_list.dat"

#include "bench_io.h"

typedef struct msg {
    char *name;
    unsigned char *buf;
    size_t len;
    char ip[64], helo[256], mail_from[256];
    /* verdicts of the last pass */
    SPF_result_t spf;
    int dkim_pass, dkim_sigs;
    const char *dmarc, *disposition;
} msg;

/* ---- small helpers ------------------------------------------------------------------------ */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(((const msg *)a)->name, ((const msg *)b)->name);
}

/* Copy at most cap-1 bytes of s (up to len) NUL-terminated; false when it did not fit. */
static bool copy_field(char *dst, size_t cap, const char *s, size_t len)
{
    if (len >= cap) {
        return false;
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
    return true;
}

/* ---- the corpus's DNS records ----------------------------------------------------------- */

/* _dmarc TXT records: a small open-addressing table, name (lowercase) -> record text. */
#define DMARC_SLOTS 256
static struct {
    char *name, *txt;
} g_dmarc[DMARC_SLOTS];

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c + 32);
        }
        h = (h ^ c) * 16777619u;
    }
    return h;
}

static void dmarc_put(const char *name, const char *txt)
{
    uint32_t i = hash_name(name) % DMARC_SLOTS;
    while (g_dmarc[i].name != NULL) {
        i = (i + 1) % DMARC_SLOTS;
    }
    g_dmarc[i].name = strdup(name);
    g_dmarc[i].txt = strdup(txt);
}

static char *dmarc_get(const char *name)
{
    for (uint32_t i = hash_name(name) % DMARC_SLOTS, k = 0; k < DMARC_SLOTS; k++) {
        if (g_dmarc[i].name == NULL) {
            return NULL;
        }
        if (strcasecmp(g_dmarc[i].name, name) == 0) {
            return g_dmarc[i].txt;
        }
        i = (i + 1) % DMARC_SLOTS;
    }
    return NULL;
}

/* records.tsv: "name<TAB>type<TAB>data". TXT/MX/A go to the SPF zone, _dmarc TXT to the table
 * (DKIM keys come from keyfile.txt). */
static int load_records(const char *path, SPF_dns_server_t *zone)
{
    size_t len;
    char *text = slurp("peer_verify_bench", path, &len);
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
            const char *name = line, *type = t1 + 1, *data = t2 + 1;
            ns_type rt = strcmp(type, "TXT") == 0    ? ns_t_txt
                         : strcmp(type, "MX") == 0   ? ns_t_mx
                         : strcmp(type, "A") == 0    ? ns_t_a
                         : strcmp(type, "AAAA") == 0 ? ns_t_aaaa
                                                     : ns_t_invalid;
            if (rt == ns_t_txt && strncasecmp(name, "_dmarc.", 7) == 0) {
                dmarc_put(name, data);
                n++;
            } else if (rt != ns_t_invalid && strstr(name, "._domainkey.") == NULL) {
                char host[256];
                size_t dl = strlen(data);
                if (rt == ns_t_mx && dl > 0 && data[dl - 1] == '.' && dl < sizeof host) {
                    memcpy(host, data, dl - 1); /* libspf2's zone wants no trailing dot */
                    host[dl - 1] = '\0';
                    data = host;
                }
                if (SPF_dns_zone_add_str(zone, name, rt, NETDB_SUCCESS, data) != SPF_E_SUCCESS) {
                    fprintf(stderr, "peer_verify_bench: cannot add %s %s\n", name, type);
                    free(text);
                    return -1;
                }
                n++;
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    free(text);
    return n;
}

/* ---- messages and envelopes --------------------------------------------------------------- */

static msg *load_corpus(const char *corpus, const char *envelopes, size_t *count, size_t *bytes)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/msgs", corpus);
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "peer_verify_bench: %s: %s\n", dir, strerror(errno));
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
            m = realloc(m, cap * sizeof *m);
        }
        memset(&m[n], 0, sizeof m[n]);
        m[n].name = strdup(de->d_name);
        n++;
    }
    closedir(d);
    qsort(m, n, sizeof *m, cmp_names);
    for (size_t i = 0; i < n; i++) {
        char path[4096 + 256];
        snprintf(path, sizeof path, "%s/%s", dir, m[i].name);
        m[i].buf = (unsigned char *)slurp("peer_verify_bench", path, &m[i].len);
        if (m[i].buf == NULL) {
            return NULL;
        }
        total += m[i].len;
    }
    size_t elen;
    char *env = slurp("peer_verify_bench", envelopes, &elen);
    if (env == NULL) {
        return NULL;
    }
    size_t k = 0;
    for (char *line = env; line != NULL && *line != '\0' && k < n; k++) {
        char *eol = strchr(line, '\n');
        if (eol != NULL) {
            *eol = '\0';
        }
        char *f[4];
        f[0] = line;
        for (int j = 1; j < 4; j++) {
            f[j] = f[j - 1] ? strchr(f[j - 1], '\t') : NULL;
            if (f[j] != NULL) {
                *f[j]++ = '\0';
            }
        }
        if (f[3] == NULL || strcmp(f[0], m[k].name) != 0 ||
            !copy_field(m[k].ip, sizeof m[k].ip, f[1], strlen(f[1])) ||
            !copy_field(m[k].helo, sizeof m[k].helo, f[2], strlen(f[2])) ||
            !copy_field(m[k].mail_from, sizeof m[k].mail_from, f[3], strlen(f[3]))) {
            fprintf(stderr, "peer_verify_bench: %s line %zu does not match %s\n", envelopes, k + 1,
                    m[k].name);
            free(env);
            return NULL;
        }
        line = eol ? eol + 1 : NULL;
    }
    free(env);
    if (k != n) {
        fprintf(stderr, "peer_verify_bench: %zu envelopes for %zu messages\n", k, n);
        return NULL;
    }
    *count = n;
    *bytes = total;
    return m;
}

/* The first From field's value, unfolded, into out; false when there is none. */
static bool find_from(const unsigned char *p, size_t len, char *out, size_t cap)
{
    size_t i = 0;
    while (i < len) {
        /* at the start of a line of the header block */
        if (p[i] == '\r' || p[i] == '\n') {
            return false; /* the empty line: end of the header */
        }
        bool is_from = len - i > 5 && strncasecmp((const char *)p + i, "from:", 5) == 0;
        size_t j = i;
        while (j < len && p[j] != '\n') {
            j++;
        }
        if (is_from) {
            size_t o = 0;
            size_t k = i + 5;
            for (;;) {
                for (; k < j; k++) {
                    if (p[k] != '\r' && o + 1 < cap) {
                        out[o++] = (char)p[k];
                    }
                }
                /* folded continuation? */
                if (j + 1 < len && (p[j + 1] == ' ' || p[j + 1] == '\t')) {
                    k = j + 1;
                    j = k;
                    while (j < len && p[j] != '\n') {
                        j++;
                    }
                    continue;
                }
                break;
            }
            out[o] = '\0';
            return true;
        }
        i = j + 1;
    }
    return false;
}

/* ---- one message -------------------------------------------------------------------------- */

static DKIM_LIB *g_dkim;
static SPF_server_t *g_spf;

static const char *spf_name(SPF_result_t r)
{
    switch (r) {
    case SPF_RESULT_PASS:
        return "pass";
    case SPF_RESULT_FAIL:
        return "fail";
    case SPF_RESULT_SOFTFAIL:
        return "softfail";
    case SPF_RESULT_NEUTRAL:
        return "neutral";
    case SPF_RESULT_NONE:
        return "none";
    case SPF_RESULT_TEMPERROR:
        return "temperror";
    case SPF_RESULT_PERMERROR:
        return "permerror";
    default:
        return "invalid";
    }
}

/* 0 when the message was evaluated, -1 on an error of the harness or a library. */
static int verify_one(msg *m, char *ar, size_t arcap)
{
    /* SPF, MAIL FROM identity (RFC 7208 §2.4) */
    SPF_request_t *req = SPF_request_new(g_spf);
    SPF_response_t *resp = NULL;
    if (req == NULL) {
        return -1;
    }
    if (strchr(m->ip, ':') != NULL) {
        SPF_request_set_ipv6_str(req, m->ip);
    } else {
        SPF_request_set_ipv4_str(req, m->ip);
    }
    SPF_request_set_helo_dom(req, m->helo);
    SPF_request_set_env_from(req, m->mail_from);
    SPF_request_query_mailfrom(req, &resp);
    m->spf = resp ? SPF_response_result(resp) : SPF_RESULT_INVALID;
    SPF_response_free(resp);
    SPF_request_free(req);

    /* DKIM, every signature */
    DKIM_STAT st;
    DKIM *dkim = dkim_verify(g_dkim, (unsigned char *)m->name, NULL, &st);
    if (dkim == NULL) {
        return -1;
    }
    st = dkim_chunk(dkim, m->buf, m->len);
    if (st == DKIM_STAT_OK) {
        st = dkim_chunk(dkim, NULL, 0);
    }
    if (st == DKIM_STAT_OK || st == DKIM_STAT_NOSIG) {
        (void)dkim_eom(dkim, NULL);
    }
    DKIM_SIGINFO **sigs = NULL;
    int nsigs = 0;
    if (dkim_getsiglist(dkim, &sigs, &nsigs) != DKIM_STAT_OK) {
        nsigs = 0;
    }

    /* the author domain */
    char from[1024];
    u_char *user = NULL, *from_domain = NULL;
    if (!find_from(m->buf, m->len, from, sizeof from) ||
        dkim_mail_parse((u_char *)from, &user, &from_domain) != 0 || from_domain == NULL ||
        from_domain[0] == '\0') {
        from_domain = NULL;
    }

    /* DMARC (RFC 7489): the record, then the stored results, then the policy */
    DMARC_POLICY_T *pctx =
        opendmarc_policy_connect_init((u_char *)m->ip, strchr(m->ip, ':') != NULL);
    if (pctx == NULL) {
        dkim_free(dkim);
        return -1;
    }
    int policy = DMARC_POLICY_ABSENT;
    if (from_domain != NULL &&
        opendmarc_policy_store_from_domain(pctx, from_domain) == DMARC_PARSE_OKAY) {
        char qname[300];
        u_char org[256] = {0};
        snprintf(qname, sizeof qname, "_dmarc.%s", (char *)from_domain);
        char *rec = dmarc_get(qname);
        u_char *org_arg = NULL;
        if (rec == NULL && opendmarc_get_tld(from_domain, org, sizeof org) == 0 && org[0] != '\0' &&
            strcasecmp((char *)org, (char *)from_domain) != 0) {
            snprintf(qname, sizeof qname, "_dmarc.%s", (char *)org);
            rec = dmarc_get(qname);
            org_arg = org;
        }
        if (rec != NULL && opendmarc_policy_store_dmarc(pctx, (u_char *)rec, from_domain,
                                                        org_arg) == DMARC_PARSE_OKAY) {
            /* SPF outcome as the OpenDMARC filter maps libspf2's result */
            int spf_outcome = m->spf == SPF_RESULT_PASS        ? DMARC_POLICY_SPF_OUTCOME_PASS
                              : m->spf == SPF_RESULT_NONE      ? DMARC_POLICY_SPF_OUTCOME_NONE
                              : m->spf == SPF_RESULT_TEMPERROR ? DMARC_POLICY_SPF_OUTCOME_TMPFAIL
                                                               : DMARC_POLICY_SPF_OUTCOME_FAIL;
            char *at = strrchr(m->mail_from, '@');
            (void)opendmarc_policy_store_spf(pctx, (u_char *)(at ? at + 1 : m->helo), spf_outcome,
                                             DMARC_POLICY_SPF_ORIGIN_MAILFROM, NULL);
            for (int i = 0; i < nsigs; i++) {
                u_char *d = dkim_sig_getdomain(sigs[i]);
                if (d == NULL || (dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) != 0) {
                    continue;
                }
                int outcome = DKIM_SIG_CHECK(sigs[i]) ? DMARC_POLICY_DKIM_OUTCOME_PASS
                                                      : DMARC_POLICY_DKIM_OUTCOME_FAIL;
                (void)opendmarc_policy_store_dkim(pctx, d, dkim_sig_getselector(sigs[i]), outcome,
                                                  NULL);
            }
            policy = opendmarc_get_policy_to_enforce(pctx);
        }
    }
    switch (policy) {
    case DMARC_POLICY_PASS:
        m->dmarc = "pass", m->disposition = "none";
        break;
    case DMARC_POLICY_REJECT:
        m->dmarc = "fail", m->disposition = "reject";
        break;
    case DMARC_POLICY_QUARANTINE:
        m->dmarc = "fail", m->disposition = "quarantine";
        break;
    case DMARC_POLICY_NONE:
        m->dmarc = "fail", m->disposition = "none";
        break;
    default:
        m->dmarc = "none", m->disposition = "none";
        break;
    }

    /* Authentication-Results (RFC 8601), as the filters add it */
    int o = snprintf(ar, arcap, "mx.bench.example; spf=%s smtp.mailfrom=%s", spf_name(m->spf),
                     m->mail_from);
    m->dkim_pass = 0;
    m->dkim_sigs = nsigs;
    for (int i = 0; i < nsigs && o > 0 && (size_t)o < arcap; i++) {
        bool pass = DKIM_SIG_CHECK(sigs[i]);
        m->dkim_pass += pass;
        u_char *d = dkim_sig_getdomain(sigs[i]);
        u_char *s = dkim_sig_getselector(sigs[i]);
        o += snprintf(ar + o, arcap - (size_t)o, ";\r\n\tdkim=%s header.d=%s header.s=%s",
                      pass ? "pass" : "fail", d ? (char *)d : "", s ? (char *)s : "");
    }
    if (o > 0 && (size_t)o < arcap) {
        snprintf(ar + o, arcap - (size_t)o, ";\r\n\tdmarc=%s (p=%s) header.from=%s", m->dmarc,
                 m->disposition, from_domain ? (char *)from_domain : "");
    }
    opendmarc_policy_connect_shutdown(pctx);
    dkim_free(dkim);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: peer_verify_bench CORPUS ENVELOPES [MIN_SECONDS [DUMP.tsv]]\n");
        return 2;
    }
    const char *corpus = argv[1];
    double min_seconds = argc > 3 ? strtod(argv[3], NULL) : 2.0;
    const char *dump = argc > 4 ? argv[4] : NULL;
    char path[4096];

    size_t n, total_bytes;
    msg *msgs = load_corpus(corpus, argv[2], &n, &total_bytes);
    if (msgs == NULL || n == 0) {
        return 1;
    }

    /* SPF: libspf2's cache over its in-memory zone */
    SPF_dns_server_t *zone = SPF_dns_zone_new(NULL, "corpus", 0);
    snprintf(path, sizeof path, "%s/dns/records.tsv", corpus);
    if (zone == NULL || load_records(path, zone) <= 0) {
        fprintf(stderr, "peer_verify_bench: cannot load %s\n", path);
        return 1;
    }
    SPF_dns_server_t *cache = SPF_dns_cache_new(zone, "cache", 0, 8);
    g_spf = cache ? SPF_server_new_dns(cache, 0) : NULL;
    if (g_spf == NULL) {
        fprintf(stderr, "peer_verify_bench: SPF_server_new_dns failed\n");
        return 1;
    }

    /* DKIM: keys from the kit's keyfile */
    g_dkim = dkim_init(NULL, NULL);
    if (g_dkim == NULL) {
        fprintf(stderr, "peer_verify_bench: dkim_init failed\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s/dns/keyfile.txt", corpus);
    dkim_query_t qm = DKIM_QUERY_FILE;
    if (dkim_options(g_dkim, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &qm, sizeof qm) !=
            DKIM_STAT_OK ||
        dkim_options(g_dkim, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, path, strlen(path)) !=
            DKIM_STAT_OK) {
        fprintf(stderr, "peer_verify_bench: dkim_options failed\n");
        return 1;
    }

    /* DMARC: the Public Suffix List, as the filter's PublicSuffixList option */
    OPENDMARC_LIB_T lib;
    memset(&lib, 0, sizeof lib);
    lib.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
    snprintf((char *)lib.tld_source_file, sizeof lib.tld_source_file, "%s", PSL_PATH);
    if (opendmarc_policy_library_init(&lib) != DMARC_PARSE_OKAY) {
        fprintf(stderr, "peer_verify_bench: opendmarc_policy_library_init(%s) failed\n", PSL_PATH);
        return 1;
    }

    char ar[4096];
    size_t ar_bytes = 0;
    for (size_t i = 0; i < n; i++) { /* untimed: warms libspf2's cache and the OS file cache */
        (void)verify_one(&msgs[i], ar, sizeof ar);
    }
    unsigned long passes = 0, errors = 0;
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t1;
    do {
        errors = 0;
        ar_bytes = 0;
        for (size_t i = 0; i < n; i++) {
            errors += verify_one(&msgs[i], ar, sizeof ar) != 0;
            ar_bytes += strlen(ar);
        }
        passes++;
        t1 = clock_s(CLOCK_MONOTONIC);
    } while (t1 - t0 < min_seconds);
    double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double secs = t1 - t0;

    unsigned long spf_pass = 0, dkim_pass = 0, dkim_fail = 0, sigs = 0, sigs_pass = 0;
    unsigned long dmarc_pass = 0, dmarc_fail = 0, dmarc_none = 0, reject = 0, quarantine = 0;
    FILE *df = dump ? fopen(dump, "w") : NULL;
    if (dump != NULL && df == NULL) {
        fprintf(stderr, "peer_verify_bench: %s: %s\n", dump, strerror(errno));
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const msg *m = &msgs[i];
        spf_pass += m->spf == SPF_RESULT_PASS;
        dkim_pass += m->dkim_pass > 0;
        dkim_fail += m->dkim_pass == 0;
        sigs += (unsigned long)m->dkim_sigs;
        sigs_pass += (unsigned long)m->dkim_pass;
        dmarc_pass += strcmp(m->dmarc, "pass") == 0;
        dmarc_fail += strcmp(m->dmarc, "fail") == 0;
        dmarc_none += strcmp(m->dmarc, "none") == 0;
        reject += strcmp(m->disposition, "reject") == 0;
        quarantine += strcmp(m->disposition, "quarantine") == 0;
        if (df != NULL) {
            fprintf(df, "%s\t%s\t%d/%d\t%s\t%s\n", m->name, spf_name(m->spf), m->dkim_pass,
                    m->dkim_sigs, m->dmarc, m->disposition);
        }
    }
    if (df != NULL) {
        fclose(df);
    }
    printf("{\"tool\":\"peers\",\"op\":\"verify-receiver\",\"n\":%zu,\"passes\":%lu,"
           "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"msgs_per_s\":%.1f,\"mib_per_s\":%.1f,"
           "\"pass\":%lu,\"fail\":%lu,\"sigs\":%lu,\"sigs_pass\":%lu,\"spf_pass\":%lu,"
           "\"dmarc_pass\":%lu,\"dmarc_fail\":%lu,\"dmarc_none\":%lu,\"reject\":%lu,"
           "\"quarantine\":%lu,\"errors\":%lu,\"ar_bytes\":%zu}\n",
           n, passes, secs, cpu, (double)n * (double)passes / secs,
           (double)total_bytes * (double)passes / secs / 1048576.0, dkim_pass, dkim_fail, sigs,
           sigs_pass, spf_pass, dmarc_pass, dmarc_fail, dmarc_none, reject, quarantine, errors,
           ar_bytes);
    opendmarc_policy_library_shutdown(&lib);
    dkim_close(g_dkim);
    SPF_server_free(g_spf);
    return 0;
}
