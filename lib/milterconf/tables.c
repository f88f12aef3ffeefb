/* SPDX-License-Identifier: MIT */
/* InternalHosts, KeyTable and SigningTable (include/mailseal/milterconf.h), in the formats of
 * OpenDKIM's opendkim.conf(5) datasets. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mailseal/milterconf.h"

#include "base/limits.h"
#include "base/str.h"
#include "milterconf/lines.h"

_Static_assert(MS_LIMIT_MILTERCONF_SIGN_KEYS == 8u, "ms_milterconf_sign_keys.keys holds 8");

/* ---- InternalHosts ---------------------------------------------------------------------- */

static char *lower_dup(ms_arena *arena, const char *s, size_t n);
static void *grow(ms_arena *arena, void *old, size_t n, size_t *cap, size_t elem);

/* A host name entry: letters, digits, '-', '_', '.', with a letter somewhere or a leading
 * "*." / "." (RFC 1123 §2.1 names; an all-digit entry is a bad address, not a name). */
static bool is_host_name(const char *s, size_t n)
{
    size_t b = 0;
    bool wild = false;
    if (n >= 2 && s[0] == '*' && s[1] == '.') {
        b = 1;
        wild = true;
    } else if (n >= 1 && s[0] == '.') {
        wild = true;
    }
    if (n - b < 2 || n - b > 254 || (wild && (s[b] != '.' || !ms__is_alnum(s[b + 1])))) {
        return false;
    }
    bool letter = false;
    for (size_t i = b + (wild ? 1 : 0); i < n; i++) {
        if ((!ms__is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.') ||
            (s[i] == '.' && s[i - 1] == '.')) {
            return false; /* a bad byte or an empty label */
        }
        letter = letter || ms__is_alpha(s[i]);
    }
    return letter || wild;
}

static void mask_bits(uint8_t *addr, size_t n_bytes, unsigned bits)
{
    for (size_t i = 0; i < n_bytes; i++) {
        unsigned have = bits > i * 8 ? bits - (unsigned)(i * 8) : 0;
        if (have >= 8) {
            continue;
        }
        addr[i] = (uint8_t)(addr[i] & (uint8_t)(0xffu << (8 - have)));
    }
}

/* a.b.c.d[/n] or IPv6[/n]; NULL, or the reason it is not. */
static const char *parse_cidr(const char *tok, size_t n, ms_milterconf_cidr *out)
{
    char buf[64];
    const char *slash = memchr(tok, '/', n);
    size_t alen = slash != NULL ? (size_t)(slash - tok) : n;
    if (alen == 0 || alen >= sizeof(buf)) {
        return "not an IP address or CIDR";
    }
    memcpy(buf, tok, alen);
    buf[alen] = '\0';
    memset(out, 0, sizeof(*out));
    unsigned max;
    if (memchr(buf, ':', alen) != NULL) {
        if (inet_pton(AF_INET6, buf, out->addr) != 1) {
            return "not an IPv6 address";
        }
        out->family = AF_INET6;
        max = 128;
    } else {
        if (inet_pton(AF_INET, buf, out->addr) != 1) {
            return "not an IPv4 address";
        }
        out->family = AF_INET;
        max = 32;
    }
    out->bits = max;
    if (slash != NULL) {
        size_t blen = n - alen - 1;
        unsigned long v = 0;
        size_t used = 0;
        if (blen == 0 || blen > 3 || !ms__parse_uint(slash + 1, blen, max, &v, &used) ||
            used != blen) {
            return max == 32 ? "bad prefix length (0..32)" : "bad prefix length (0..128)";
        }
        out->bits = (unsigned)v;
    }
    mask_bits(out->addr, max / 8, out->bits);
    return NULL;
}

ms_status ms_milterconf_hosts_parse(const char *text, size_t len, const char *file, ms_arena *arena,
                                    ms_milterconf_hosts *out, ms_milterconf_error *err)
{
    memset(out, 0, sizeof(*out));
    if (arena == NULL || (text == NULL && len > 0)) {
        return ms__mc_fail(err, MS_EINVAL, file, 0, "no arena or no text", NULL, 0);
    }
    size_t cap = 16, n = 0, names_cap = 4, n_names = 0;
    ms_milterconf_cidr *v = ms_arena_alloc(arena, cap * sizeof(*v));
    const char **names = ms_arena_alloc(arena, names_cap * sizeof(*names));
    if (v == NULL || names == NULL) {
        return ms__mc_fail(err, ms_arena_status(arena), file, 0, "out of memory", NULL, 0);
    }
    ms__mc_lines it;
    ms__mc_lines_init(&it, text, len);
    const char *s, *reason = NULL;
    size_t sn;
    int r;
    while ((r = ms__mc_next_line(&it, &s, &sn, &reason)) == 1) {
        size_t pos = 0;
        const char *tok;
        size_t tn;
        while (ms__mc_token(s, sn, &pos, true, &tok, &tn)) {
            if (n + n_names == MS_LIMIT_MILTERCONF_HOSTS) {
                return ms__mc_fail(err, MS_ELIMIT, file, it.line,
                                   "more than MS_LIMIT_MILTERCONF_HOSTS entries", tok, tn);
            }
            if (n == cap) {
                ms_milterconf_cidr *bigger = ms_arena_alloc(arena, 2 * cap * sizeof(*v));
                if (bigger == NULL) {
                    return ms__mc_fail(err, ms_arena_status(arena), file, it.line, "out of memory",
                                       NULL, 0);
                }
                memcpy(bigger, v, n * sizeof(*v));
                v = bigger;
                cap *= 2;
            }
            if (tok[0] == '!') {
                return ms__mc_fail(err, MS_ESYNTAX, file, it.line,
                                   "'!' exclusions are not supported", tok, tn);
            }
            if (is_host_name(tok, tn)) {
                if (n_names == names_cap &&
                    (names = grow(arena, names, n_names, &names_cap, sizeof(*names))) == NULL) {
                    return ms__mc_fail(err, ms_arena_status(arena), file, it.line, "out of memory",
                                       NULL, 0);
                }
                /* Kept without the root's '.', as names are matched. */
                size_t kept = tok[tn - 1] == '.' ? tn - 1 : tn;
                if ((names[n_names++] = lower_dup(arena, tok, kept)) == NULL) {
                    return ms__mc_fail(err, ms_arena_status(arena), file, it.line, "out of memory",
                                       NULL, 0);
                }
                continue;
            }
            const char *why = parse_cidr(tok, tn, &v[n]);
            if (why != NULL) {
                return ms__mc_fail(err, MS_ESYNTAX, file, it.line, why, tok, tn);
            }
            n++;
        }
    }
    if (r < 0) {
        return ms__mc_fail(err, MS_ESYNTAX, file, it.line, reason, NULL, 0);
    }
    out->cidrs = v;
    out->n = n;
    out->names = names;
    out->n_names = n_names;
    return MS_OK;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *net, unsigned bits)
{
    size_t full = bits / 8;
    if (memcmp(a, net, full) != 0) {
        return false;
    }
    unsigned rest = bits % 8;
    if (rest == 0) {
        return true;
    }
    uint8_t m = (uint8_t)(0xffu << (8 - rest));
    return (a[full] & m) == (net[full] & m);
}

bool ms_milterconf_hosts_match(const ms_milterconf_hosts *hosts, const char *ip, size_t len)
{
    char buf[64];
    if (hosts == NULL || ip == NULL || len == 0 || len >= sizeof(buf) ||
        memchr(ip, '\0', len) != NULL) {
        return false;
    }
    memcpy(buf, ip, len);
    buf[len] = '\0';
    uint8_t a6[16], a4[4];
    bool has4 = false, has6 = false;
    if (inet_pton(AF_INET, buf, a4) == 1) {
        has4 = true;
    } else if (inet_pton(AF_INET6, buf, a6) == 1) {
        has6 = true;
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a6, mapped, sizeof(mapped)) == 0) {
            memcpy(a4, a6 + 12, 4);
            has4 = true;
        }
    } else {
        return false;
    }
    for (size_t i = 0; i < hosts->n; i++) {
        const ms_milterconf_cidr *c = &hosts->cidrs[i];
        if ((c->family == AF_INET && has4 && prefix_equal(a4, c->addr, c->bits)) ||
            (c->family == AF_INET6 && has6 && prefix_equal(a6, c->addr, c->bits))) {
            return true;
        }
    }
    return false;
}

bool ms_milterconf_hosts_match_name(const ms_milterconf_hosts *hosts, const char *name, size_t len)
{
    if (hosts == NULL || name == NULL) {
        return false;
    }
    if (len > 0 && name[len - 1] == '.') {
        len--;
    }
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < hosts->n_names; i++) {
        const char *p = hosts->names[i];
        size_t pn = strlen(p);
        if (p[0] == '*') { /* "*.example.com": as ".example.com" */
            p++;
            pn--;
        }
        if (p[0] == '.') { /* every name below the domain, not the domain itself */
            if (len > pn && ms__str_ieq(name + len - pn, pn, p, pn)) {
                return true;
            }
        } else if (ms__str_ieq(name, len, p, pn)) {
            return true;
        }
    }
    return false;
}

/* ---- KeyTable ------------------------------------------------------------------------------ */

struct ms_milterconf_keytable {
    ms_milterconf_key *keys;
    size_t n;
    const ms_milterconf_key **by_name; /* sorted by name, for the SigningTable */
    ms_dkim_signer **signers;          /* made by _load_keys; n entries */
    const char *file;
    bool canon_set; /* else relaxed/relaxed */
    ms_dkim_canon canon_header, canon_body;
};

void ms__mc_keytable_set_canon(ms_milterconf_keytable *kt, ms_dkim_canon header, ms_dkim_canon body)
{
    kt->canon_set = true;
    kt->canon_header = header;
    kt->canon_body = body;
}

/* Letters, digits, '-', '_' and '.' (a domain or selector as OpenDKIM's tables hold them; the
 * DKIM signer checks them fully when the keys are loaded, RFC 6376 §3.1, §3.5). */
static bool is_name_text(const char *s, size_t n)
{
    if (n == 0 || n > 253) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!ms__is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.') {
            return false;
        }
    }
    return true;
}

static char *lower_dup(ms_arena *arena, const char *s, size_t n)
{
    char *d = ms_arena_strndup(arena, s, n);
    if (d != NULL) {
        for (size_t i = 0; i < n; i++) {
            d[i] = ms__lower(d[i]);
        }
    }
    return d;
}

static int by_name_cmp(const void *a, const void *b)
{
    const ms_milterconf_key *x = *(const ms_milterconf_key *const *)a;
    const ms_milterconf_key *y = *(const ms_milterconf_key *const *)b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : (x->line < y->line ? -1 : x->line > y->line);
}

/* Grow an arena array of elem-sized items from cap to 2*cap. */
static void *grow(ms_arena *arena, void *old, size_t n, size_t *cap, size_t elem)
{
    void *bigger = ms_arena_alloc(arena, 2 * *cap * elem);
    if (bigger != NULL) {
        memcpy(bigger, old, n * elem);
        *cap *= 2;
    }
    return bigger;
}

ms_status ms_milterconf_keytable_parse(const char *text, size_t len, const char *file,
                                       ms_arena *arena, ms_milterconf_keytable **out,
                                       ms_milterconf_error *err)
{
    *out = NULL;
    if (file == NULL) {
        file = "KeyTable";
    }
    if (arena == NULL || (text == NULL && len > 0)) {
        return ms__mc_fail(err, MS_EINVAL, file, 0, "no arena or no text", NULL, 0);
    }
    ms_milterconf_keytable *kt = ms_arena_alloc(arena, sizeof(*kt));
    size_t cap = 16;
    ms_milterconf_key *keys = ms_arena_alloc(arena, cap * sizeof(*keys));
    const char *fcopy = ms_arena_strdup(arena, file);
    if (kt == NULL || keys == NULL || fcopy == NULL) {
        return ms__mc_fail(err, ms_arena_status(arena), file, 0, "out of memory", NULL, 0);
    }
    memset(kt, 0, sizeof(*kt));
    kt->file = fcopy;
    size_t n = 0;
    ms__mc_lines it;
    ms__mc_lines_init(&it, text, len);
    const char *s, *reason = NULL;
    size_t sn;
    int r;
    while ((r = ms__mc_next_line(&it, &s, &sn, &reason)) == 1) {
        size_t pos = 0;
        const char *name, *value, *extra;
        size_t nn, vn, xn;
        if (!ms__mc_token(s, sn, &pos, false, &name, &nn)) {
            continue; /* blank or comment */
        }
        if (!ms__mc_token(s, sn, &pos, false, &value, &vn)) {
            return ms__mc_fail(err, MS_ESYNTAX, file, it.line,
                               "want NAME DOMAIN:SELECTOR:PATH, found no value", name, nn);
        }
        if (ms__mc_token(s, sn, &pos, false, &extra, &xn)) {
            return ms__mc_fail(err, MS_ESYNTAX, file, it.line,
                               "want NAME DOMAIN:SELECTOR:PATH, found more", extra, xn);
        }
        const char *c1 = memchr(value, ':', vn);
        const char *c2 = c1 != NULL ? memchr(c1 + 1, ':', vn - (size_t)(c1 + 1 - value)) : NULL;
        if (c2 == NULL) {
            return ms__mc_fail(err, MS_ESYNTAX, file, it.line,
                               "want DOMAIN:SELECTOR:PATH (two colons)", value, vn);
        }
        size_t dn = (size_t)(c1 - value), seln = (size_t)(c2 - c1 - 1);
        size_t pn = vn - (size_t)(c2 + 1 - value);
        if (!is_name_text(value, dn)) {
            return ms__mc_fail(err, MS_ESYNTAX, file, it.line,
                               "bad domain (\"%\" and inline keys are not supported)", value, dn);
        }
        if (!is_name_text(c1 + 1, seln)) {
            return ms__mc_fail(err, MS_ESYNTAX, file, it.line, "bad selector", c1 + 1, seln);
        }
        if (pn == 0 || c2[1] != '/') {
            return ms__mc_fail(err, MS_ESYNTAX, file, it.line,
                               "the key must be an absolute path (inline keys are not supported)",
                               c2 + 1, pn);
        }
        if (n == MS_LIMIT_MILTERCONF_TABLE) {
            return ms__mc_fail(err, MS_ELIMIT, file, it.line,
                               "more than MS_LIMIT_MILTERCONF_TABLE lines", name, nn);
        }
        if (n == cap && (keys = grow(arena, keys, n, &cap, sizeof(*keys))) == NULL) {
            return ms__mc_fail(err, ms_arena_status(arena), file, it.line, "out of memory", NULL,
                               0);
        }
        ms_milterconf_key *k = &keys[n];
        k->name = lower_dup(arena, name, nn);
        k->domain = lower_dup(arena, value, dn);
        k->selector = ms_arena_strndup(arena, c1 + 1, seln);
        k->path = ms_arena_strndup(arena, c2 + 1, pn);
        k->line = it.line;
        k->signer = NULL;
        if (k->name == NULL || k->domain == NULL || k->selector == NULL || k->path == NULL) {
            return ms__mc_fail(err, ms_arena_status(arena), file, it.line, "out of memory", NULL,
                               0);
        }
        n++;
    }
    if (r < 0) {
        return ms__mc_fail(err, MS_ESYNTAX, file, it.line, reason, NULL, 0);
    }
    const ms_milterconf_key **by_name = ms_arena_alloc(arena, (n ? n : 1) * sizeof(*by_name));
    if (by_name == NULL) {
        return ms__mc_fail(err, ms_arena_status(arena), file, 0, "out of memory", NULL, 0);
    }
    for (size_t i = 0; i < n; i++) {
        by_name[i] = &keys[i];
    }
    qsort(by_name, n, sizeof(*by_name), by_name_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(by_name[i - 1]->name, by_name[i]->name) == 0) {
            return ms__mc_fail(err, MS_ESYNTAX, file, by_name[i]->line,
                               "key name given twice in the KeyTable", by_name[i]->name,
                               strlen(by_name[i]->name));
        }
    }
    kt->keys = keys;
    kt->n = n;
    kt->by_name = by_name;
    *out = kt;
    return MS_OK;
}

size_t ms_milterconf_keytable_count(const ms_milterconf_keytable *kt)
{
    return kt == NULL ? 0 : kt->n;
}

const ms_milterconf_key *ms_milterconf_keytable_get(const ms_milterconf_keytable *kt, size_t i)
{
    return kt == NULL || i >= kt->n ? NULL : &kt->keys[i];
}

static const ms_milterconf_key *find_key(const ms_milterconf_keytable *kt, const char *name)
{
    size_t lo = 0, hi = kt->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(kt->by_name[mid]->name, name);
        if (c == 0) {
            return kt->by_name[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

static void wipe(char *p, size_t n)
{
    volatile char *v = p;
    for (size_t i = 0; i < n; i++) {
        v[i] = 0;
    }
}

ms_status ms_milterconf_keytable_load_keys(ms_milterconf_keytable *kt, ms_milterconf_error *err)
{
    if (kt == NULL) {
        return ms__mc_fail(err, MS_EINVAL, NULL, 0, "no KeyTable", NULL, 0);
    }
    if (kt->signers == NULL && kt->n > 0) {
        kt->signers = calloc(kt->n, sizeof(*kt->signers));
        if (kt->signers == NULL) {
            return ms__mc_fail(err, MS_ENOMEM, kt->file, 0, "out of memory", NULL, 0);
        }
    }
    for (size_t i = 0; i < kt->n; i++) {
        ms_milterconf_key *k = &kt->keys[i];
        if (kt->signers[i] != NULL) {
            continue;
        }
        char *pem = NULL;
        size_t pem_len = 0;
        ms_milterconf_error ferr;
        ms_status st = ms__mc_read_file(k->path, MS_LIMIT_MILTERCONF_KEY_FILE, "key file", &pem,
                                        &pem_len, &ferr);
        if (st != MS_OK) {
            /* The KeyTable line is the place to fix; the reason says what went wrong. */
            const char *why = st == MS_ELIMIT ? "key file larger than MS_LIMIT_MILTERCONF_KEY_FILE"
                              : ferr.reason != NULL && strcmp(ferr.reason, "file not found") == 0
                                  ? "key file not found"
                              : st == MS_EIO ? "key file cannot be read"
                                             : "out of memory";
            return ms__mc_fail(err, st, kt->file, k->line, why, k->path, strlen(k->path));
        }
        ms_dkim_signer_options opt;
        ms_dkim_signer_options_default(&opt);
        opt.domain = k->domain;
        if (kt->canon_set) {
            opt.canon_header = kt->canon_header;
            opt.canon_body = kt->canon_body;
        }
        ms_dkim_sign_error serr;
        ms_dkim_signer *signer = NULL;
        st = ms_dkim_signer_new(&opt, &signer, &serr);
        if (st == MS_OK) {
            st = ms_dkim_signer_add_key(signer, k->selector, pem, pem_len, &serr);
            if (st != MS_OK) {
                ms_dkim_signer_free(signer);
                signer = NULL;
            }
        }
        wipe(pem, pem_len);
        free(pem);
        if (st != MS_OK) {
            const char *why = st == MS_ENOMEM ? "out of memory"
                              : serr.kind == MS_DKIM_REFUSAL_KEY
                                  ? "not a usable RSA (1024..8192 bits) or Ed25519 private key "
                                    "(RFC 8301 §3.2, RFC 8463)"
                                  : "bad domain or selector for a DKIM signer (RFC 6376 §3.1)";
            return ms__mc_fail(err, st == MS_ENOMEM ? MS_ENOMEM : MS_ESYNTAX, kt->file, k->line,
                               why, k->path, strlen(k->path));
        }
        kt->signers[i] = signer;
        k->signer = signer;
    }
    return MS_OK;
}

void ms_milterconf_keytable_free(ms_milterconf_keytable *kt)
{
    if (kt == NULL || kt->signers == NULL) {
        return;
    }
    for (size_t i = 0; i < kt->n; i++) {
        ms_dkim_signer_free(kt->signers[i]);
        kt->keys[i].signer = NULL;
    }
    free(kt->signers);
    kt->signers = NULL;
}

/* ---- SigningTable ------------------------------------------------------------------------- */

typedef struct sign_line {
    const char *pattern; /* lower case */
    size_t plen;
    bool is_address; /* plain table: holds '@' */
    const ms_milterconf_key *key;
} sign_line;

struct ms_milterconf_signtable {
    sign_line *lines;
    size_t n;
    bool wildcards;
};

ms_status ms_milterconf_signtable_parse(const char *text, size_t len, bool wildcards,
                                        const char *file, const ms_milterconf_keytable *kt,
                                        ms_arena *arena, ms_milterconf_signtable **out,
                                        ms_milterconf_error *err)
{
    *out = NULL;
    if (file == NULL) {
        file = "SigningTable";
    }
    if (arena == NULL || kt == NULL || (text == NULL && len > 0)) {
        return ms__mc_fail(err, MS_EINVAL, file, 0, "no arena, KeyTable or text", NULL, 0);
    }
    ms_milterconf_signtable *st = ms_arena_alloc(arena, sizeof(*st));
    size_t cap = 16, n = 0;
    sign_line *lines = ms_arena_alloc(arena, cap * sizeof(*lines));
    if (st == NULL || lines == NULL) {
        return ms__mc_fail(err, ms_arena_status(arena), file, 0, "out of memory", NULL, 0);
    }
    ms__mc_lines it;
    ms__mc_lines_init(&it, text, len);
    const char *s, *reason = NULL;
    size_t sn;
    int r;
    while ((r = ms__mc_next_line(&it, &s, &sn, &reason)) == 1) {
        size_t pos = 0;
        const char *pat, *name, *extra;
        size_t pn, nn, xn;
        if (!ms__mc_token(s, sn, &pos, false, &pat, &pn)) {
            continue;
        }
        if (!ms__mc_token(s, sn, &pos, false, &name, &nn)) {
            return ms__mc_fail(err, MS_ESYNTAX, file, it.line,
                               "want PATTERN KEYNAME, found no key name", pat, pn);
        }
        if (ms__mc_token(s, sn, &pos, false, &extra, &xn)) {
            return ms__mc_fail(err, MS_ESYNTAX, file, it.line, "want PATTERN KEYNAME, found more",
                               extra, xn);
        }
        const char *at = memchr(pat, '@', pn);
        if (!wildcards) {
            if (memchr(pat, '*', pn) != NULL) {
                return ms__mc_fail(err, MS_ESYNTAX, file, it.line,
                                   "'*' patterns need a refile: SigningTable", pat, pn);
            }
            size_t dn = at != NULL ? pn - (size_t)(at + 1 - pat) : pn;
            if ((at != NULL && (at == pat || memchr(at + 1, '@', dn) != NULL)) ||
                !is_name_text(at != NULL ? at + 1 : pat, dn)) {
                return ms__mc_fail(err, MS_ESYNTAX, file, it.line,
                                   "want an address (user@domain) or a domain", pat, pn);
            }
        }
        char *lname = lower_dup(arena, name, nn);
        if (lname == NULL) {
            return ms__mc_fail(err, ms_arena_status(arena), file, it.line, "out of memory", NULL,
                               0);
        }
        const ms_milterconf_key *key = find_key(kt, lname);
        if (key == NULL) {
            return ms__mc_fail(err, MS_ESYNTAX, file, it.line, "key name not in the KeyTable", name,
                               nn);
        }
        if (n == MS_LIMIT_MILTERCONF_TABLE) {
            return ms__mc_fail(err, MS_ELIMIT, file, it.line,
                               "more than MS_LIMIT_MILTERCONF_TABLE lines", pat, pn);
        }
        if (n == cap && (lines = grow(arena, lines, n, &cap, sizeof(*lines))) == NULL) {
            return ms__mc_fail(err, ms_arena_status(arena), file, it.line, "out of memory", NULL,
                               0);
        }
        lines[n].pattern = lower_dup(arena, pat, pn);
        lines[n].plen = pn;
        lines[n].is_address = at != NULL;
        lines[n].key = key;
        if (lines[n].pattern == NULL) {
            return ms__mc_fail(err, ms_arena_status(arena), file, it.line, "out of memory", NULL,
                               0);
        }
        n++;
    }
    if (r < 0) {
        return ms__mc_fail(err, MS_ESYNTAX, file, it.line, reason, NULL, 0);
    }
    st->lines = lines;
    st->n = n;
    st->wildcards = wildcards;
    *out = st;
    return MS_OK;
}

/* Does the glob pattern ('*': any run, empty included) match s, ignoring case? The classic
 * one-backtrack-point walk: O(len(p) * len(s)) at worst, no recursion. */
static bool glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star = SIZE_MAX, mark = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && p[pi] == ms__lower(s[si])) {
            pi++;
            si++;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < pn && p[pi] == '*') {
        pi++;
    }
    return pi == pn;
}

static void add_key(ms_milterconf_sign_keys *out, const ms_milterconf_key *k)
{
    for (size_t i = 0; i < out->n; i++) {
        if (out->keys[i] == k) {
            return; /* each key once */
        }
    }
    if (out->n < MS_LIMIT_MILTERCONF_SIGN_KEYS) {
        out->keys[out->n++] = k;
    }
}

void ms_milterconf_signtable_lookup(const ms_milterconf_signtable *st, bool multiple,
                                    const char *from, size_t len, ms_milterconf_sign_keys *out)
{
    memset(out, 0, sizeof(*out));
    char shown[200];
    ms__mc_escape(shown, sizeof(shown), from != NULL ? from : "", from != NULL ? len : 0);
    const char *at = NULL;
    for (size_t i = from != NULL ? len : 0; i > 0; i--) {
        if (from[i - 1] == '@') {
            at = from + i - 1;
            break;
        }
    }
    if (st == NULL) {
        snprintf(out->reason, sizeof(out->reason), "no SigningTable configured");
        return;
    }
    if (at == NULL || at == from || at + 1 == from + len) {
        snprintf(out->reason, sizeof(out->reason), "From address <%s> is not user@domain", shown);
        return;
    }
    if (len > MS_LIMIT_MILTERCONF_ADDRESS) {
        snprintf(out->reason, sizeof(out->reason),
                 "From address longer than MS_LIMIT_MILTERCONF_ADDRESS bytes: <%s>", shown);
        return;
    }
    const char *dom = at + 1;
    size_t dn = len - (size_t)(dom - from);
    if (st->wildcards) {
        for (size_t i = 0; i < st->n && (multiple || out->n == 0); i++) {
            const sign_line *l = &st->lines[i];
            if (glob_match(l->pattern, l->plen, from, len) ||
                glob_match(l->pattern, l->plen, dom, dn)) {
                add_key(out, l->key);
            }
        }
    } else {
        for (int pass = 0; pass < 2; pass++) { /* the address first, then the domain */
            for (size_t i = 0; i < st->n && (multiple || out->n == 0); i++) {
                const sign_line *l = &st->lines[i];
                if (pass == 0 ? (l->is_address && ms__str_ieq(l->pattern, l->plen, from, len))
                              : (!l->is_address && ms__str_ieq(l->pattern, l->plen, dom, dn))) {
                    add_key(out, l->key);
                }
            }
        }
    }
    if (out->n == 0) {
        snprintf(out->reason, sizeof(out->reason), "no SigningTable match for <%s>", shown);
    }
}
