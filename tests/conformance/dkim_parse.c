/* SPDX-License-Identifier: MIT */
/* Parses every DKIM-Signature field and every key record of the DKIM conformance suites
 * (shared/conformance/dkim: Mail::DKIM corpus + FAKE_DNS.dat, mail-auth, RFC 8463 A.2/A.3 and
 * dkimpy) with the RFC 6376 §3.5 and §3.6.1 parsers, and checks the result of each against an
 * expectation list (dkim_parse.expected beside this file):
 *
 *   sig:<suite>/<file>#<n>  the n-th DKIM-Signature field: ms__dkim_sig_parse, then
 *                           ms__dkim_sig_usable ("ok" or a permfail kind name). By default
 *                           "ok", or HISTORIC_ALGORITHM for a=rsa-sha1 (RFC 8301 §3.1).
 *   key:<owner>             a key record: ms__dkim_key_parse. By default "ok".
 *   match:<suite>/<file>#<n> the key the n-th signature names (s._domainkey.d from its tags
 *                           even when the signature is refused): NO_KEY, TEMPERROR, the key's
 *                           parse error, or ms__dkim_key_usable when both parsed. Default "ok".
 *
 * and, for the Mail::DKIM corpus, that each file Mail::DKIM calls "invalid"
 * (expected-results.tsv) gets no "ok" signature here (tsv:<file> lines list the deliberate
 * differences). Files with only DomainKey-Signature fields (RFC 4870) hold no DKIM signature.
 *
 *   dkim_parse DKIM-DIR EXPECTED-FILE
 *
 * Prints one line per failing check and a closing "N passed, N failed" line; exit 1 on any
 * failure, 77 when the folder is absent. */
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/limits.h"
#include "dkim/key.h"
#include "dkim/signature.h"

#define MAX_LIST 512
#define MAX_DNS 64

/* ---- expectations ------------------------------------------------------------------------ */

typedef struct expect {
    char id[160];
    char outcome[40];
    bool used;
} expect;

static expect expects[MAX_LIST];
static size_t n_expects;
static unsigned n_pass, n_fail;

static void load_expectations(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "dkim_parse: cannot open %s\n", path);
        exit(1);
    }
    char line[4096];
    while (fgets(line, sizeof(line), f) && n_expects < MAX_LIST) {
        if (line[0] == '#' || line[0] == '\n') {
            continue;
        }
        expect *e = &expects[n_expects];
        size_t i = 0, k = 0;
        while (line[i] && !isspace((unsigned char)line[i]) && k + 1 < sizeof(e->id)) {
            e->id[k++] = line[i++];
        }
        e->id[k] = '\0';
        while (line[i] == ' ' || line[i] == '\t') {
            i++;
        }
        k = 0;
        while (line[i] && !isspace((unsigned char)line[i]) && k + 1 < sizeof(e->outcome)) {
            e->outcome[k++] = line[i++];
        }
        e->outcome[k] = '\0';
        if (e->id[0] && e->outcome[0]) {
            n_expects++;
        }
    }
    fclose(f);
}

static const char *expected(const char *id, const char *fallback)
{
    for (size_t i = 0; i < n_expects; i++) {
        if (strcmp(expects[i].id, id) == 0) {
            expects[i].used = true;
            return expects[i].outcome;
        }
    }
    return fallback;
}

static void check(const char *id, const char *got, const char *want, const char *detail)
{
    if (strcmp(got, want) == 0) {
        n_pass++;
        return;
    }
    n_fail++;
    printf("FAIL %s: got %s, want %s%s%s\n", id, got, want, detail ? ": " : "",
           detail ? detail : "");
}

/* ---- files ------------------------------------------------------------------------------- */

/* The whole file with every bare LF made CRLF (mail-auth and some Mail::DKIM files are LF). */
static char *read_crlf(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *raw = malloc((size_t)size + 1);
    char *out = malloc(2 * (size_t)size + 1);
    size_t n = raw ? fread(raw, 1, (size_t)size, f) : 0;
    fclose(f);
    size_t o = 0;
    for (size_t i = 0; out && i < n; i++) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) {
            out[o++] = '\r';
        }
        out[o++] = raw[i];
    }
    free(raw);
    if (out) {
        out[o] = '\0';
    }
    *len = o;
    return out;
}

/* ---- DNS data ----------------------------------------------------------------------------- */

typedef struct dns_entry {
    char name[256];
    char *value; /* NULL for NXDOMAIN */
    bool is_error;
} dns_entry;

typedef struct dns_data {
    dns_entry e[MAX_DNS];
    size_t n;
} dns_data;

/* "<name><whitespace><value>" (FAKE_DNS.dat, mail-auth); NXDOMAIN, ~~error~~ and "" as
 * SOURCES.md describes. */
static void dns_add(dns_data *dns, const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && !isspace((unsigned char)line[i])) {
        i++;
    }
    if (i == 0 || i >= sizeof(dns->e[0].name) || dns->n == MAX_DNS) {
        return;
    }
    dns_entry *e = &dns->e[dns->n++];
    memcpy(e->name, line, i);
    e->name[i] = '\0';
    while (i < len && isspace((unsigned char)line[i])) {
        i++;
    }
    const char *v = line + i;
    size_t vlen = len - i;
    while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n')) {
        vlen--;
    }
    e->is_error = vlen >= 4 && strncmp(v, "~~", 2) == 0;
    if (vlen == 8 && strncmp(v, "NXDOMAIN", 8) == 0) {
        e->value = NULL;
        return;
    }
    if (vlen == 2 && strncmp(v, "\"\"", 2) == 0) {
        vlen = 0;
    }
    e->value = malloc(vlen + 1);
    memcpy(e->value, v, vlen);
    e->value[vlen] = '\0';
}

static const dns_entry *dns_find(const dns_data *dns, const char *name)
{
    for (size_t i = 0; i < dns->n; i++) {
        if (strcasecmp(dns->e[i].name, name) == 0) {
            return &dns->e[i];
        }
    }
    return NULL;
}

static void dns_free(dns_data *dns)
{
    for (size_t i = 0; i < dns->n; i++) {
        free(dns->e[i].value);
    }
    dns->n = 0;
}

static void check_keys(const char *suite, const dns_data *dns, ms_arena *arena)
{
    for (size_t i = 0; i < dns->n; i++) {
        const dns_entry *e = &dns->e[i];
        if (e->value == NULL || e->is_error) {
            continue;
        }
        char id[320];
        snprintf(id, sizeof(id), "key:%s/%s", suite, e->name);
        const ms__dkim_key *key = NULL;
        ms__dkim_error err;
        ms_status st = ms__dkim_key_parse(e->value, strlen(e->value), arena, &key, &err);
        const char *got = st == MS_OK ? "ok" : ms_dkim_permfail_name(err.kind);
        check(id, got, expected(id, "ok"), st == MS_OK ? NULL : err.reason);
    }
}

/* ---- signatures --------------------------------------------------------------------------- */

typedef struct file_result {
    unsigned n_sigs;
    unsigned n_ok; /* signature and key both usable: crypto would decide */
    unsigned n_historic;
} file_result;

static void check_match(const char *suite, const char *file, unsigned k, const char *value,
                        size_t len, const ms__dkim_sig *sig, const dns_data *dns, ms_arena *arena,
                        const char **out)
{
    char id[320];
    snprintf(id, sizeof(id), "match:%s/%s#%u", suite, file, k);
    ms__dkim_tags tags;
    ms__dkim_error err;
    *out = "NO_TAGS";
    if (ms__dkim_tags_parse(value, len, MS_LIMIT_DKIM_TAGS, MS_DKIM_PERMFAIL_SYNTAX, arena, &tags,
                            &err) != MS_OK) {
        return; /* no d= or s= to look up: nothing more to check */
    }
    const ms__dkim_tag *d = ms__dkim_tags_find(&tags, "d");
    const ms__dkim_tag *s = ms__dkim_tags_find(&tags, "s");
    if (d == NULL || s == NULL) {
        return;
    }
    char name[600];
    snprintf(name, sizeof(name), "%s._domainkey.%s", s->value, d->value);
    const dns_entry *e = dns_find(dns, name);
    const char *got = "ok";
    const char *why = NULL;
    const ms__dkim_key *key = NULL;
    if (e == NULL || e->value == NULL) {
        got = "NO_KEY";
    } else if (e->is_error) {
        got = "TEMPERROR";
    } else if (ms__dkim_key_parse(e->value, strlen(e->value), arena, &key, &err) != MS_OK) {
        got = ms_dkim_permfail_name(err.kind);
        why = err.reason;
    } else if (sig && !ms__dkim_key_usable(key, sig, &err)) {
        got = ms_dkim_permfail_name(err.kind);
        why = err.reason;
    }
    *out = got;
    check(id, got, expected(id, "ok"), why);
}

/* Every DKIM-Signature field of the message text (CRLF, header block up to the first empty
 * line). */
static file_result check_message(const char *suite, const char *file, const char *text, size_t len,
                                 const dns_data *dns, ms_arena *arena)
{
    file_result r = {0, 0, 0};
    size_t pos = 0;
    while (pos < len && !(text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n')) {
        size_t start = pos, end = pos;
        for (;;) { /* one field: a line and its continuation lines */
            const char *crlf = strstr(text + end, "\r\n");
            end = crlf ? (size_t)(crlf - text) : len;
            if (end + 2 < len && (text[end + 2] == ' ' || text[end + 2] == '\t')) {
                end += 2;
                continue;
            }
            break;
        }
        pos = end + 2 <= len ? end + 2 : len;
        if (end - start < 15 || strncasecmp(text + start, "DKIM-Signature:", 15) != 0) {
            continue;
        }
        unsigned k = ++r.n_sigs;
        const char *value = text + start + 15;
        size_t vlen = end - start - 15;
        char id[320];
        snprintf(id, sizeof(id), "sig:%s/%s#%u", suite, file, k);
        const ms__dkim_sig *sig = NULL;
        ms__dkim_error err;
        const char *got = "ok";
        const char *why = NULL;
        ms_status st = ms__dkim_sig_parse(value, vlen, arena, &sig, &err);
        if (st != MS_OK) {
            got = ms_dkim_permfail_name(err.kind);
            why = err.reason;
            sig = NULL;
        } else if (!ms__dkim_sig_usable(sig, &err)) {
            got = ms_dkim_permfail_name(err.kind);
            why = err.reason;
        }
        bool is_historic = sig && sig->alg == MS_DKIM_ALG_RSA_SHA1;
        check(id, got, expected(id, is_historic ? "HISTORIC_ALGORITHM" : "ok"), why);
        const char *match = "ok";
        if (dns) {
            check_match(suite, file, k, value, vlen, sig, dns, arena, &match);
        }
        r.n_historic += is_historic;
        r.n_ok += strcmp(got, "ok") == 0 && strcmp(match, "ok") == 0;
    }
    return r;
}

/* ---- suites ------------------------------------------------------------------------------- */

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted .txt names of a folder. */
static size_t list_txt(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && n < max) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0) {
            names[n++] = strdup(e->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
    qsort(names, n, sizeof(names[0]), by_name);
    return n;
}

/* Mail::DKIM's verdicts: file -> pass | fail | invalid. */
static const char *tsv_expected(const char *tsv, size_t tsv_len, const char *file)
{
    static char out[16];
    size_t flen = strlen(file);
    for (size_t i = 0; i < tsv_len;) {
        const char *nl = memchr(tsv + i, '\n', tsv_len - i);
        size_t end = nl ? (size_t)(nl - tsv) : tsv_len;
        if (tsv[i] != '#' && end - i > flen + 1 && strncmp(tsv + i, file, flen) == 0 &&
            tsv[i + flen] == '\t') {
            size_t j = i + flen + 1, k = 0;
            while (j < end && tsv[j] != '\t' && k + 1 < sizeof(out)) {
                out[k++] = tsv[j++];
            }
            out[k] = '\0';
            return out;
        }
        i = end + 1;
    }
    return NULL;
}

static void run_mail_dkim(const char *root, ms_arena *arena)
{
    char path[1024];
    size_t len = 0;
    dns_data dns = {.n = 0};
    snprintf(path, sizeof(path), "%s/mail-dkim/FAKE_DNS.dat", root);
    char *text = read_crlf(path, &len);
    for (size_t i = 0; text && i < len;) {
        const char *nl = strstr(text + i, "\r\n");
        size_t end = nl ? (size_t)(nl - text) : len;
        if (end > i && text[i] != '#' && text[i] != ';') {
            dns_add(&dns, text + i, end - i);
        }
        i = end + 2;
    }
    free(text);
    check_keys("mail-dkim", &dns, arena);

    snprintf(path, sizeof(path), "%s/mail-dkim/expected-results.tsv", root);
    size_t tsv_len = 0;
    char *tsv = read_crlf(path, &tsv_len);
    char *names[256];
    snprintf(path, sizeof(path), "%s/mail-dkim/corpus", root);
    size_t n = list_txt(path, names, 256);
    unsigned n_historic_files = 0, n_dk_only = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/mail-dkim/corpus/%s", root, names[i]);
        text = read_crlf(path, &len);
        file_result r = check_message("mail-dkim", names[i], text, len, &dns, arena);
        free(text);
        const char *want = tsv ? tsv_expected(tsv, tsv_len, names[i]) : NULL;
        char id[320];
        snprintf(id, sizeof(id), "tsv:%s", names[i]);
        if (r.n_sigs == 0) {
            n_dk_only++; /* DomainKey-Signature only (RFC 4870): no DKIM signature here */
        } else if (want && strcmp(want, "invalid") == 0) {
            /* Mail::DKIM refuses it: so must the parsers, before any cryptography. */
            check(id, r.n_ok ? "ok" : "invalid", expected(id, "invalid"), NULL);
        } else if (want && r.n_historic == r.n_sigs) {
            n_historic_files++; /* every signature is rsa-sha1: never pass (RFC 8301 §3.1) */
        }
        free(names[i]);
    }
    free(tsv);
    dns_free(&dns);
    printf("mail-dkim: %zu files, %u with DomainKey-Signature only, %u whose Mail::DKIM "
           "pass/fail rests on rsa-sha1 alone (refused, RFC 8301 §3.1)\n",
           n, n_dk_only, n_historic_files);
}

/* "<name> <TXT>" lines, an empty line, then the message (mail-auth, RFC 8463 A.2/A.3). */
static void run_dns_message(const char *suite, const char *dir, const char *file, ms_arena *arena)
{
    char path[1024];
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    char *text = read_crlf(path, &len);
    if (text == NULL) {
        check(path, "missing", "present", NULL);
        return;
    }
    dns_data dns = {.n = 0};
    size_t i = 0;
    while (i < len) {
        const char *nl = strstr(text + i, "\r\n");
        size_t end = nl ? (size_t)(nl - text) : len;
        if (end == i) {
            i += 2;
            break;
        }
        dns_add(&dns, text + i, end - i);
        i = end + 2;
    }
    char id[256];
    snprintf(id, sizeof(id), "%s/%s", suite, file);
    check_keys(id, &dns, arena);
    file_result r = check_message(suite, file, text + i, len - i, &dns, arena);
    snprintf(id, sizeof(id), "count:%s/%s", suite, file);
    char got[16];
    snprintf(got, sizeof(got), "%u", r.n_ok);
    check(id, got, expected(id, "?"), "signatures whose signature and key are both usable");
    dns_free(&dns);
    free(text);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: dkim_parse DKIM-DIR EXPECTED-FILE\n");
        return 2;
    }
    const char *root = argv[1];
    if (!is_dir(root)) {
        printf("dkim_parse: %s is absent, suite skipped\n", root);
        return 77;
    }
    load_expectations(argv[2]);
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 1;
    }
    run_mail_dkim(root, arena);
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/mail-auth", root);
    char *names[64];
    size_t n = list_txt(dir, names, 64);
    for (size_t i = 0; i < n; i++) {
        run_dns_message("mail-auth", dir, names[i], arena);
        free(names[i]);
    }
    snprintf(dir, sizeof(dir), "%s/rfc8463", root);
    run_dns_message("rfc8463", dir, "rfc8463-A2-dns-A3-signed-message.txt", arena);
    /* dkimpy's variant has no DNS lines: its keys are A.2's. */
    size_t len = 0;
    char path[1100];
    snprintf(path, sizeof(path), "%s/dkimpy-rfc6376.signed.msg", dir);
    char *text = read_crlf(path, &len);
    file_result r = {0, 0, 0};
    if (text) {
        r = check_message("rfc8463", "dkimpy-rfc6376.signed.msg", text, len, NULL, arena);
        free(text);
    }
    check("count:rfc8463/dkimpy-rfc6376.signed.msg", r.n_ok == 2 ? "2" : "not 2", "2", NULL);
    for (size_t i = 0; i < n_expects; i++) {
        if (!expects[i].used) {
            check(expects[i].id, "unused", "used", "an expectation that matched no check");
        }
    }
    ms_arena_free(arena);
    printf("%u passed, %u failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
