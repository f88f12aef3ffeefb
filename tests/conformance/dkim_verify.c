/* SPDX-License-Identifier: MIT */
/* Verifies the public DKIM suites (shared/conformance/dkim, see SOURCES.md §3) end to end
 * through lib/msg and the DKIM verifier, with keys served by the zone resolver:
 *   dkim_verify mail-auth DIR        every signature of NNN.txt passes (time 1667843664)
 *   dkim_verify rfc8463 DIR          the RFC 8463 A.3 pair and the dkimpy pair pass
 *   dkim_verify mail-dkim DIR LIST   the Mail::DKIM corpus against expected-results.tsv,
 *                                    read as RFC 8301 demands (no rsa-sha1, no short keys)
 * Prints failures and a closing "N passed, N failed"; 77 when DIR is absent. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "deliberate.h"
#include "mailseal/mailseal.h"

static unsigned n_pass, n_fail;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n < cap ? n : cap - 1] = '\0';
    }
    *len = n;
    return buf;
}

static void soft(ms_status st)
{
    (void)st;
}

/* One TXT record, split into 255-octet strings as a DNS server would hold it. */
static void add_txt(ms_resolver *z, const char *name, size_t name_len, const char *value,
                    size_t len)
{
    char owner[300];
    if (name_len >= sizeof(owner)) {
        return;
    }
    memcpy(owner, name, name_len);
    owner[name_len] = '\0';
    uint8_t lens[64];
    size_t n = 0;
    for (size_t left = len; (left > 0 || n == 0) && n < 64; left -= lens[n - 1 < 64 ? n - 1 : 0]) {
        lens[n++] = (uint8_t)(left > 255 ? 255 : left);
        if (left <= 255) {
            break;
        }
    }
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = value;
    rr.u.txt.len = len;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = n;
    soft(ms_zone_add(z, owner, &rr));
}

/* Verify one message; *best gets the best result over its signatures (pass > fail > other). */
static bool verify(ms_resolver *z, const char *msg, size_t len, long long now, ms_dkim_result *best,
                   size_t *n_sigs, const ms_dkim_sig_result **res, ms_arena *arena)
{
    ms_msg *m;
    ms_msg_error err;
    if (ms_msg_parse(msg, len, NULL, arena, &m, &err) != MS_OK) {
        printf("  message does not parse: %s\n", err.reason ? err.reason : "?");
        return false;
    }
    ms_dkim_verify_options opt;
    ms_dkim_verify_options_default(&opt);
    opt.now = now;
    ms_dkim_verifier *v;
    if (ms_dkim_verifier_new(z, &opt, m, arena, NULL, &v) != MS_OK) {
        return false;
    }
    size_t body_len;
    const char *body = ms_msg_body(m, &body_len);
    if (ms_dkim_verifier_body(v, body ? body : "", body_len) != MS_OK ||
        ms_dkim_verifier_end(v, res, n_sigs) != MS_OK) {
        return false;
    }
    *best = MS_DKIM_NONE;
    for (size_t i = 0; i < *n_sigs; i++) {
        ms_dkim_result r = (*res)[i].result;
        if (r == MS_DKIM_PASS || (r == MS_DKIM_FAIL && *best != MS_DKIM_PASS) ||
            (*best == MS_DKIM_NONE)) {
            *best = r;
        }
    }
    return true;
}

static void report(bool ok, const char *name, const char *what)
{
    if (ok) {
        n_pass++;
    } else {
        n_fail++;
        printf("FAIL %s: %s\n", name, what);
    }
}

static void print_sigs(const ms_dkim_sig_result *res, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("  sig %zu d=%s s=%s: %s, %s %s\n", i, res[i].domain ? res[i].domain : "-",
               res[i].selector ? res[i].selector : "-", ms_dkim_result_name(res[i].result),
               res[i].reason ? res[i].reason : "", res[i].detail ? res[i].detail : "");
    }
}

/* "DNS lines, a blank line, the message (LF)": every signature must pass. */
static void run_dns_then_message(const char *path, const char *label, long long now,
                                 ms_resolver *extra_dns_from)
{
    size_t len;
    char *text = slurp(path, &len);
    if (text == NULL) {
        report(false, label, "cannot read");
        return;
    }
    ms_resolver *z;
    if (ms_resolver_new_zone(&z) != MS_OK) {
        exit(1);
    }
    (void)extra_dns_from;
    char *p = text, *end = text + len;
    while (p < end && *p != '\n') {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        eol = eol ? eol : end;
        char *sp = memchr(p, ' ', (size_t)(eol - p));
        if (sp) {
            add_txt(z, p, (size_t)(sp - p), sp + 1, (size_t)(eol - sp - 1));
        }
        p = eol + 1;
    }
    p++; /* the blank line */
    /* LF to CRLF, as SOURCES.md says. */
    size_t mlen = (size_t)(end - p);
    char *crlf = malloc(mlen * 2 + 1);
    size_t k = 0;
    for (size_t i = 0; i < mlen; i++) {
        if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r')) {
            crlf[k++] = '\r';
        }
        crlf[k++] = p[i];
    }
    ms_arena *arena;
    soft(ms_arena_new(NULL, 0, &arena));
    ms_dkim_result best;
    size_t n = 0;
    const ms_dkim_sig_result *res = NULL;
    bool ran = verify(z, crlf, k, now, &best, &n, &res, arena);
    bool all_pass = ran && n > 0;
    for (size_t i = 0; ran && i < n; i++) {
        all_pass &= res[i].result == MS_DKIM_PASS;
    }
    report(all_pass, label, "want every signature to pass");
    if (!all_pass && ran) {
        print_sigs(res, n);
    }
    ms_arena_free(arena);
    ms_resolver_free(z);
    free(crlf);
    free(text);
}

static int run_mail_auth(const char *dir)
{
    for (int i = 1; i <= 6; i++) {
        char path[4096], label[64];
        snprintf(path, sizeof(path), "%s/%03d.txt", dir, i);
        snprintf(label, sizeof(label), "mail-auth/%03d.txt", i);
        /* SOURCES.md's fixed time keeps 005 (x=) unexpired; 004 was signed 5 hours later
         * (t=1667862801), so it is checked as on receipt, a minute after its t=. */
        run_dns_then_message(path, label, i == 4 ? 1667862861LL : 1667843664LL, NULL);
    }
    return 0;
}

static int run_rfc8463(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/rfc8463-A2-dns-A3-signed-message.txt", dir);
    run_dns_then_message(path, "rfc8463/A.3", 0, NULL);
    /* The dkimpy variant: same keys (the A.2 records), simple/simple. */
    size_t len, mlen;
    char *dns = slurp(path, &len);
    snprintf(path, sizeof(path), "%s/dkimpy-rfc6376.signed.msg", dir);
    char *msg = slurp(path, &mlen);
    if (dns == NULL || msg == NULL) {
        report(false, "rfc8463/dkimpy", "cannot read");
        free(dns);
        free(msg);
        return 0;
    }
    char *blank = strstr(dns, "\n\n");
    size_t dlen = blank ? (size_t)(blank - dns) + 2 : 0;
    char *combined = malloc(dlen + mlen + 1);
    memcpy(combined, dns, dlen);
    memcpy(combined + dlen, msg, mlen);
    combined[dlen + mlen] = '\0';
    char tmp[] = "/tmp/ms-dkimpy-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        FILE *f = fdopen(fd, "wb");
        fwrite(combined, 1, dlen + mlen, f);
        fclose(f);
        run_dns_then_message(tmp, "rfc8463/dkimpy simple/simple", 0, NULL);
        remove(tmp);
    }
    free(combined);
    free(dns);
    free(msg);
    return 0;
}

/* FAKE_DNS.dat: "name<ws>value"; NXDOMAIN, ~~Query timed out~~ and ~~SERVFAIL~~ as said. */
static ms_resolver *load_fake_dns(const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    ms_resolver *z;
    if (text == NULL || ms_resolver_new_zone(&z) != MS_OK) {
        free(text);
        return NULL;
    }
    char *p = text, *end = text + len;
    while (p < end) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        eol = eol ? eol : end;
        size_t n = (size_t)(eol - p);
        if (n > 0 && p[n - 1] == '\r') {
            n--;
        }
        if (n > 0 && p[0] != '#' && p[0] != ';') {
            size_t k = 0;
            while (k < n && p[k] != ' ' && p[k] != '\t') {
                k++;
            }
            size_t v = k;
            while (v < n && (p[v] == ' ' || p[v] == '\t')) {
                v++;
            }
            char name[300];
            if (k > 0 && k < sizeof(name)) {
                memcpy(name, p, k);
                name[k] = '\0';
                const char *value = p + v;
                size_t vlen = n - v;
                if (vlen == 8 && memcmp(value, "NXDOMAIN", 8) == 0) {
                    /* absent */
                } else if (vlen > 4 && memcmp(value, "~~", 2) == 0) {
                    soft(ms_zone_add_fault(z, name, 0, MS_DNS_TEMPFAIL,
                                           strstr(value, "SERVFAIL") ? "SERVFAIL" : "timeout"));
                } else {
                    add_txt(z, name, k, value, vlen);
                }
            }
        }
        p = eol + 1;
    }
    free(text);
    return z;
}

/* The Mail::DKIM corpus, read as RFC 8301 demands: a signature with rsa-sha1 or an RSA key
 * under 1024 bits never passes; files with only DomainKey-Signature have no DKIM result. */
static int run_mail_dkim(const char *dir, const char *list, const deliberate *dl)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/FAKE_DNS.dat", dir);
    ms_resolver *z = load_fake_dns(path);
    size_t len;
    char *tsv = slurp(list, &len);
    if (z == NULL || tsv == NULL) {
        report(false, "mail-dkim", "cannot read FAKE_DNS.dat or the expected list");
        return 0;
    }
    char *p = tsv, *end = tsv + len;
    while (p < end) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        eol = eol ? eol : end;
        *eol = '\0';
        if (p[0] != '#' && p[0] != '\0') {
            char *cols[7] = {0};
            size_t nc = 0;
            for (char *c = p; c && nc < 7;) {
                cols[nc++] = c;
                c = strchr(c, '\t');
                if (c) {
                    *c++ = '\0';
                }
            }
            if (nc >= 5) {
                const char *file = cols[0], *expected = cols[1], *sigs = cols[4];
                bool historic = strstr(sigs, "rsa-sha1") || strstr(sigs, ":512") ||
                                strstr(sigs, ":768") || strstr(sigs, ":384");
                bool dk_only = strstr(sigs, "DKIM:") == NULL;
                snprintf(path, sizeof(path), "%s/corpus/%s", dir, file);
                size_t mlen;
                char *msg = slurp(path, &mlen);
                ms_arena *arena;
                soft(ms_arena_new(NULL, 0, &arena));
                ms_dkim_result best = MS_DKIM_NONE;
                size_t n = 0;
                const ms_dkim_sig_result *res = NULL;
                bool ran = msg && verify(z, msg, mlen, 1700000000LL, &best, &n, &res, arena);
                const char *want;
                bool ok;
                if (dk_only) {
                    want = "none (DomainKeys only)";
                    ok = ran && n == 0;
                } else if (strstr(file, "badkey_14") || strstr(file, "badkey_15")) {
                    /* DNS timeout / SERVFAIL: temperror, unless the signature is refused
                     * before any query (rsa-sha1, RFC 8301 §3.1). */
                    want = historic ? "permerror (RFC 8301, before DNS)" : "temperror";
                    ok = ran && best == (historic ? MS_DKIM_PERMERROR : MS_DKIM_TEMPERROR);
                } else if (strcmp(expected, "pass") == 0) {
                    want = historic ? "not pass (RFC 8301)" : "pass";
                    ok = ran && (historic ? best != MS_DKIM_PASS : best == MS_DKIM_PASS);
                } else if (strcmp(expected, "fail") == 0) {
                    want = "fail, or permerror for RFC 8301";
                    ok = ran && (best == MS_DKIM_FAIL || (historic && best == MS_DKIM_PERMERROR));
                } else {
                    want = "invalid (permerror, neutral, none)";
                    ok = ran && best != MS_DKIM_PASS && best != MS_DKIM_FAIL;
                }
                char label[256];
                snprintf(label, sizeof(label), "mail-dkim/%s", file);
                char what[256];
                snprintf(what, sizeof(what), "want %s, got %s", want,
                         ran ? ms_dkim_result_name(best) : "(did not run)");
                if (!ok && deliberate_has(dl, file)) {
                    ok = true;
                    printf("deliberate difference: %s: %s (see the list)\n", file, what);
                }
                report(ok, label, what);
                if (!ok && ran) {
                    print_sigs(res, n);
                }
                ms_arena_free(arena);
                free(msg);
            }
        }
        p = eol + 1;
    }
    free(tsv);
    ms_resolver_free(z);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: dkim_verify mail-auth|rfc8463|mail-dkim DIR [LIST]\n");
        return 2;
    }
    struct stat st;
    if (stat(argv[2], &st) != 0) {
        printf("SKIPPED: %s is absent (the shared conformance suites are not beside this "
               "clone; set -DMS_CONFORMANCE_DIR=...)\n",
               argv[2]);
        return 77;
    }
    if (strcmp(argv[1], "mail-auth") == 0) {
        run_mail_auth(argv[2]);
    } else if (strcmp(argv[1], "rfc8463") == 0) {
        run_rfc8463(argv[2]);
    } else if (strcmp(argv[1], "mail-dkim") == 0 && argc > 3) {
        deliberate dl;
        deliberate_load(argc > 4 ? argv[4] : NULL, &dl);
        run_mail_dkim(argv[2], argv[3], &dl);
    } else {
        fprintf(stderr, "unknown suite %s\n", argv[1]);
        return 2;
    }
    printf("%u passed, %u failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
