// SPDX-License-Identifier: MIT
// libopendkim driven through its library API for the interop suite; compiled at test time
// with `cc opendkim_tool.c $(pkg-config --cflags --libs opendkim)` (libopendkim-dev).
//   opendkim_tool sign --alg rsa|ed25519 --domain D --selector S --key FILE --canon H/B
//                      --outdir DIR FILE...      writes DIR/<basename>, the signed message;
//       a message the library refuses to sign prints "refused FILE REASON" and is skipped
//   opendkim_tool verify --dns 127.0.0.1:PORT FILE...
//       one line per file: "pass FILE" or "fail FILE REASON". Keys are fetched from that DNS
//       server: the library's DNS query service hook (dkim_dns_set_query_*) sends each query
//       there with res_nsend, and libopendkim parses the raw answer as it would its own.
// Input messages must have CRLF line ends. Exit status 0 when every file was handled, 2 on a
// usage or setup error.
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

static struct __res_state res;

struct query {
    int len;
};

static int q_start(void *srv, int type, unsigned char *name, unsigned char *buf, size_t buflen,
                   void **qh)
{
    (void)srv;
    unsigned char q[512];
    struct query *x = calloc(1, sizeof *x);
    if (x == NULL)
        return DKIM_DNS_ERROR;
    int qlen = res_nmkquery(&res, ns_o_query, (const char *)name, ns_c_in, type, NULL, 0, NULL, q,
                            sizeof q);
    x->len = qlen < 0 ? -1 : res_nsend(&res, q, qlen, buf, (int)buflen);
    *qh = x;
    return DKIM_DNS_SUCCESS;
}

static int q_cancel(void *srv, void *qh)
{
    (void)srv;
    free(qh);
    return DKIM_DNS_SUCCESS;
}

static int q_wait(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error, int *dnssec)
{
    (void)srv;
    (void)to;
    struct query *x = qh;
    if (dnssec != NULL)
        *dnssec = DKIM_DNSSEC_UNKNOWN;
    if (x->len < 0) {
        if (error != NULL)
            *error = 1;
        return DKIM_DNS_ERROR;
    }
    if (bytes != NULL)
        *bytes = (size_t)x->len;
    if (error != NULL)
        *error = 0;
    return DKIM_DNS_SUCCESS;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap + 1);
    size_t r;
    while (b != NULL && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap + 1);
        }
    }
    fclose(f);
    if (b != NULL)
        b[n] = 0;
    *len = n;
    return b;
}

// Feeds the message's header fields (as they are, folding kept, without the final CRLF),
// end of header, body and end of message to D; returns the status of dkim_eom, or the first
// failing status before it.
static DKIM_STAT feed(DKIM *d, unsigned char *m, size_t len)
{
    size_t i = 0;
    DKIM_STAT st;
    while (i < len) {
        if (m[i] == '\r' && i + 1 < len && m[i + 1] == '\n') { // blank line: end of header
            i += 2;
            break;
        }
        size_t start = i;
        for (;;) {
            unsigned char *e = (unsigned char *)strstr((char *)m + i, "\r\n");
            size_t end = e ? (size_t)(e - m) : len;
            i = e ? end + 2 : len;
            if (i >= len || (m[i] != ' ' && m[i] != '\t')) {
                st = dkim_header(d, m + start, end - start);
                if (st != DKIM_STAT_OK)
                    return st;
                break;
            }
        }
    }
    st = dkim_eoh(d);
    if (st != DKIM_STAT_OK)
        return st;
    if (i < len && (st = dkim_body(d, m + i, len - i)) != DKIM_STAT_OK)
        return st;
    return dkim_eom(d, NULL);
}

static const char *arg(int *i, int argc, char **argv)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "opendkim_tool: %s needs a value\n", argv[*i]);
        exit(2);
    }
    return argv[++*i];
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: opendkim_tool sign|verify ...\n");
        return 2;
    }
    const char *alg = "rsa", *domain = NULL, *selector = NULL, *keyfile = NULL;
    const char *canon = "relaxed/relaxed", *outdir = NULL, *dnsarg = NULL;
    int i = 2;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (!strcmp(argv[i], "--alg"))
            alg = arg(&i, argc, argv);
        else if (!strcmp(argv[i], "--domain"))
            domain = arg(&i, argc, argv);
        else if (!strcmp(argv[i], "--selector"))
            selector = arg(&i, argc, argv);
        else if (!strcmp(argv[i], "--key"))
            keyfile = arg(&i, argc, argv);
        else if (!strcmp(argv[i], "--canon"))
            canon = arg(&i, argc, argv);
        else if (!strcmp(argv[i], "--outdir"))
            outdir = arg(&i, argc, argv);
        else if (!strcmp(argv[i], "--dns"))
            dnsarg = arg(&i, argc, argv);
        else {
            fprintf(stderr, "opendkim_tool: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    DKIM_LIB *lib = dkim_init(NULL, NULL);
    if (lib == NULL) {
        fprintf(stderr, "opendkim_tool: dkim_init failed\n");
        return 2;
    }
    bool ed = !strcmp(alg, "ed25519");
    if (ed && !dkim_libfeature(lib, DKIM_FEATURE_ED25519)) {
        fprintf(stderr, "opendkim_tool: this libopendkim has no ed25519\n");
        return 2;
    }
    if (!strcmp(argv[1], "sign")) {
        size_t klen;
        unsigned char *key = keyfile ? slurp(keyfile, &klen) : NULL;
        if (key == NULL || domain == NULL || selector == NULL || outdir == NULL) {
            fprintf(stderr, "opendkim_tool sign: --domain, --selector, --outdir and a readable "
                            "--key are needed\n");
            return 2;
        }
        dkim_canon_t hc = strncmp(canon, "simple", 6) == 0 ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
        const char *slash = strchr(canon, '/');
        dkim_canon_t bc =
            slash && !strcmp(slash + 1, "simple") ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
        for (; i < argc; i++) {
            size_t len;
            unsigned char *m = slurp(argv[i], &len);
            DKIM_STAT st;
            DKIM *d = m ? dkim_sign(lib, (unsigned char *)"interop", NULL, (dkim_sigkey_t)key,
                                    (unsigned char *)selector, (unsigned char *)domain, hc, bc,
                                    ed ? DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256, -1L, &st)
                        : NULL;
            if (d == NULL || (st = feed(d, m, len)) != DKIM_STAT_OK) {
                // A refusal of this input (e.g. a body not ending in CRLF, which SMTP cannot
                // carry) is reported, not fatal: the suite lists it.
                const char *e = d && dkim_geterror(d) ? dkim_geterror(d) : "";
                printf("refused %s %s%s%s\n", argv[i], dkim_getresultstr(st), *e ? ": " : "", e);
                if (d != NULL)
                    dkim_free(d);
                free(m);
                continue;
            }
            unsigned char *hdr;
            size_t hlen;
            st = dkim_getsighdr_d(d, strlen(DKIM_SIGNHEADER) + 2, &hdr, &hlen);
            if (st != DKIM_STAT_OK) {
                fprintf(stderr, "opendkim_tool: dkim_getsighdr_d: %s\n", dkim_getresultstr(st));
                return 2;
            }
            const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
            char out[4096];
            snprintf(out, sizeof out, "%s/%s", outdir, base);
            FILE *f = fopen(out, "wb");
            if (f == NULL) {
                perror(out);
                return 2;
            }
            fprintf(f, "%s: ", DKIM_SIGNHEADER);
            for (size_t k = 0; k < hlen; k++) { // the library folds with bare LF
                if (hdr[k] == '\n' && (k == 0 || hdr[k - 1] != '\r'))
                    fputc('\r', f);
                fputc(hdr[k], f);
            }
            fputs("\r\n", f);
            fwrite(m, 1, len, f);
            fclose(f);
            dkim_free(d);
            free(m);
        }
        return 0;
    }
    if (!strcmp(argv[1], "verify")) {
        const char *colon = dnsarg ? strrchr(dnsarg, ':') : NULL;
        if (colon == NULL) {
            fprintf(stderr, "opendkim_tool verify: --dns HOST:PORT is needed\n");
            return 2;
        }
        char host[64];
        snprintf(host, sizeof host, "%.*s", (int)(colon - dnsarg), dnsarg);
        if (res_ninit(&res) != 0) {
            fprintf(stderr, "opendkim_tool: res_ninit failed\n");
            return 2;
        }
        res.nscount = 1;
        res.nsaddr_list[0].sin_family = AF_INET;
        res.nsaddr_list[0].sin_port = htons((unsigned short)strtoul(colon + 1, NULL, 10));
        if (inet_pton(AF_INET, host, &res.nsaddr_list[0].sin_addr) != 1) {
            fprintf(stderr, "opendkim_tool: %s is not an IPv4 address\n", host);
            return 2;
        }
        res._u._ext.nsaddrs[0] = NULL; // use nsaddr_list[0], not an IPv6 server from resolv.conf
        res.retrans = 2;
        res.retry = 2;
        dkim_dns_set_query_service(lib, &res);
        dkim_dns_set_query_start(lib, q_start);
        dkim_dns_set_query_cancel(lib, q_cancel);
        dkim_dns_set_query_waitreply(lib, q_wait);
        for (; i < argc; i++) {
            size_t len;
            unsigned char *m = slurp(argv[i], &len);
            DKIM_STAT st = DKIM_STAT_NORESOURCE;
            DKIM *d = m ? dkim_verify(lib, (unsigned char *)"interop", NULL, &st) : NULL;
            if (d != NULL)
                st = feed(d, m, len);
            DKIM_SIGINFO *sig = d ? dkim_getsignature(d) : NULL;
            bool ok = st == DKIM_STAT_OK && sig != NULL &&
                      (dkim_sig_getflags(sig) & DKIM_SIGFLAG_PASSED) &&
                      dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH;
            if (ok)
                printf("pass %s\n", argv[i]);
            else
                printf("fail %s %s%s%s\n", argv[i], dkim_getresultstr(st),
                       d && dkim_geterror(d) ? ": " : "",
                       d && dkim_geterror(d) ? dkim_geterror(d) : "");
            if (d != NULL)
                dkim_free(d);
            free(m);
        }
        return 0;
    }
    fprintf(stderr, "usage: opendkim_tool sign|verify ...\n");
    return 2;
}
