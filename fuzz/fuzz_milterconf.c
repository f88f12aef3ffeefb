/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the mailseal-milter configuration (include/mailseal/milterconf.h). The
 * first byte picks the parser: 0 the config text, 1 an InternalHosts list, 2 a KeyTable and a
 * plain SigningTable, 3 the same with a refile: (wildcard) SigningTable; for 2 and 3 the two
 * tables are separated by a line "--". Checks what a parse promises: an error has a reason, a
 * line inside the text and C-string file and detail; a config holds its ranges; a lookup
 * gives at most MS_LIMIT_MILTERCONF_SIGN_KEYS keys, a reason exactly when it gives none. No
 * file is read. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "mailseal/milterconf.h"

#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned count_lines(const char *s, size_t n)
{
    unsigned lines = 1;
    for (size_t i = 0; i < n; i++) {
        lines += s[i] == '\n';
    }
    return lines;
}

static void check_error(ms_status st, const ms_milterconf_error *err, const char *s, size_t n)
{
    if (st != MS_ESYNTAX && st != MS_ELIMIT && st != MS_ENOMEM) {
        __builtin_trap();
    }
    if (err->reason == NULL || err->line > count_lines(s, n) ||
        memchr(err->detail, '\0', sizeof(err->detail)) == NULL ||
        memchr(err->file, '\0', sizeof(err->file)) == NULL) {
        __builtin_trap();
    }
    char msg[512];
    ms_milterconf_error_format(err, msg, sizeof(msg));
}

static const char *const IPS[] = {"127.0.0.1",   "::1",     "10.1.2.3",        "::ffff:192.0.2.1",
                                  "2001:db8::1", "0.0.0.0", "255.255.255.255", "not-an-ip"};

static void match_all(const ms_milterconf_hosts *h)
{
    for (size_t i = 0; i < sizeof(IPS) / sizeof(IPS[0]); i++) {
        bool m = ms_milterconf_hosts_match(h, IPS[i], strlen(IPS[i]));
        if (m && i == sizeof(IPS) / sizeof(IPS[0]) - 1) {
            __builtin_trap(); /* text that is no address matches nothing */
        }
    }
    for (size_t i = 0; i < h->n; i++) {
        const ms_milterconf_cidr *c = &h->cidrs[i];
        if ((c->family == AF_INET && c->bits > 32) || (c->family == AF_INET6 && c->bits > 128) ||
            (c->family != AF_INET && c->family != AF_INET6)) {
            __builtin_trap();
        }
    }
}

static void fuzz_config(const char *s, size_t n)
{
    ms_milterconf *c = NULL;
    ms_milterconf_error err;
    ms_status st = ms_milterconf_parse(s, n, &c, &err);
    if (st != MS_OK) {
        check_error(st, &err, s, n);
        if (c != NULL) {
            __builtin_trap();
        }
        return;
    }
    const ms_milterconf_socket *so = &c->socket;
    if (so->spec == NULL ||
        (so->kind == MS_MILTERCONF_SOCKET_UNIX ? (so->path == NULL || so->path[0] != '/')
                                               : (so->port < 1 || so->port > 65535)) ||
        c->dns_timeout_s < 1 || c->dns_timeout_s > 300 || c->history_days > 36500 ||
        (c->internal_hosts.n + c->internal_hosts.n_names == 0) !=
            (c->internal_hosts_file != NULL) ||
        c->nameservers.n > MS_LIMIT_MILTERCONF_LIST || c->zone_files.n > MS_LIMIT_MILTERCONF_LIST ||
        c->keys != NULL || c->signing != NULL) {
        __builtin_trap();
    }
    match_all(&c->internal_hosts);
    ms_milterconf_sign_keys out;
    ms_milterconf_sign_lookup(c, "a@example.com", 13, &out);
    if (out.n != 0 || out.reason[0] == '\0') {
        __builtin_trap(); /* no table is loaded by a parse */
    }
    ms_milterconf_free(c);
}

static void fuzz_hosts(const char *s, size_t n, ms_arena *arena)
{
    ms_milterconf_hosts h;
    ms_milterconf_error err;
    ms_status st = ms_milterconf_hosts_parse(s, n, "hosts", arena, &h, &err);
    if (st != MS_OK) {
        check_error(st, &err, s, n);
        return;
    }
    if (h.n + h.n_names > MS_LIMIT_MILTERCONF_HOSTS) {
        __builtin_trap();
    }
    match_all(&h);
    /* The input's own first line as a client address. */
    const char *nl = memchr(s, '\n', n);
    (void)ms_milterconf_hosts_match(&h, s, nl != NULL ? (size_t)(nl - s) : n);
    (void)ms_milterconf_hosts_match_name(&h, s, nl != NULL ? (size_t)(nl - s) : n);
    for (size_t i = 0; i < h.n_names; i++) {
        if (!ms_milterconf_hosts_match_name(&h, h.names[i], strlen(h.names[i])) &&
            h.names[i][0] != '*' && h.names[i][0] != '.') {
            __builtin_trap(); /* a plain name entry matches itself */
        }
    }
}

static void lookup(const ms_milterconf_signtable *st, const char *from, size_t n)
{
    for (int multiple = 0; multiple < 2; multiple++) {
        ms_milterconf_sign_keys out;
        ms_milterconf_signtable_lookup(st, multiple != 0, from, n, &out);
        if (out.n > MS_LIMIT_MILTERCONF_SIGN_KEYS || (out.n == 0) != (out.reason[0] != '\0') ||
            (!multiple && out.n > 1) || memchr(out.reason, '\0', sizeof(out.reason)) == NULL) {
            __builtin_trap();
        }
        for (size_t i = 0; i < out.n; i++) {
            if (out.keys[i] == NULL || out.keys[i]->name == NULL || out.keys[i]->signer != NULL) {
                __builtin_trap();
            }
        }
    }
}

static void fuzz_tables(const char *s, size_t n, bool wild, ms_arena *arena)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 3 < n; i++) { /* "\n--\n" */
        if (s[i] == '\n' && s[i + 1] == '-' && s[i + 2] == '-' && s[i + 3] == '\n') {
            sep = s + i;
            break;
        }
    }
    size_t kn = sep != NULL ? (size_t)(sep - s) + 1 : n;
    const char *t = sep != NULL ? sep + 4 : s + n;
    size_t tn = (size_t)(s + n - t);
    ms_milterconf_keytable *kt = NULL;
    ms_milterconf_error err;
    ms_status st = ms_milterconf_keytable_parse(s, kn, "kt", arena, &kt, &err);
    if (st != MS_OK) {
        check_error(st, &err, s, kn);
        return;
    }
    if (ms_milterconf_keytable_count(kt) > MS_LIMIT_MILTERCONF_TABLE) {
        __builtin_trap();
    }
    ms_milterconf_signtable *sig = NULL;
    st = ms_milterconf_signtable_parse(t, tn, wild, "st", kt, arena, &sig, &err);
    if (st != MS_OK) {
        check_error(st, &err, t, tn);
        return;
    }
    static const char *const FROM[] = {
        "a@example.com", "b@sub.example.com", "@", "a@", "x", "CEO@EXAMPLE.COM", "a@b@c.d"};
    for (size_t i = 0; i < sizeof(FROM) / sizeof(FROM[0]); i++) {
        lookup(sig, FROM[i], strlen(FROM[i]));
    }
    /* The signing table's first line as a From address. */
    const char *nl = memchr(t, '\n', tn);
    lookup(sig, t, nl != NULL ? (size_t)(nl - t) : tn);
    ms_milterconf_keytable_free(kt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    switch (data[0] % 4) {
    case 0:
        fuzz_config(s, n);
        break;
    case 1:
        fuzz_hosts(s, n, arena);
        break;
    default:
        fuzz_tables(s, n, data[0] % 4 == 3, arena);
        break;
    }
    ms_arena_free(arena);
    return 0;
}
