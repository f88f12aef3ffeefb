/* SPDX-License-Identifier: MIT */
/* InternalHosts CIDR matching, KeyTable and SigningTable parsing and lookups in OpenDKIM's
 * formats, and key loading through the DKIM signer (RFC 6376 §3.3, RFC 8463). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mailseal/milterconf.h"

#include "base/limits.h"
#include "ms_expect.h"
#include "ms_test_util.h"

/* ---- CIDR matching ------------------------------------------------------------------------ */

typedef struct match_case {
    const char *name, *list, *ip;
    bool want;
} match_case;

static const match_case MATCH[] = {
    {"v4 exact", "192.0.2.1", "192.0.2.1", true},
    {"v4 other", "192.0.2.1", "192.0.2.2", false},
    {"v4 /24 inside", "192.0.2.0/24", "192.0.2.255", true},
    {"v4 /24 outside", "192.0.2.0/24", "192.0.3.0", false},
    {"v4 /32 edge", "10.0.0.1/32", "10.0.0.1", true},
    {"v4 /32 next", "10.0.0.1/32", "10.0.0.2", false},
    {"v4 /0 everything", "0.0.0.0/0", "203.0.113.9", true},
    {"v4 /0 not v6", "0.0.0.0/0", "2001:db8::1", false},
    {"v4 /31 odd", "10.0.0.0/31", "10.0.0.1", true},
    {"v4 /31 past", "10.0.0.0/31", "10.0.0.2", false},
    {"v4 host bits masked", "192.0.2.77/24", "192.0.2.1", true},
    {"v4 /9 inside", "10.128.0.0/9", "10.255.1.1", true},
    {"v4 /9 outside", "10.128.0.0/9", "10.127.1.1", false},
    {"v4-mapped v6 client", "192.0.2.0/24", "::ffff:192.0.2.8", true},
    {"v6 exact", "2001:db8::1", "2001:db8::1", true},
    {"v6 upper case client", "2001:db8::ab", "2001:DB8::AB", true},
    {"v6 /128 next", "2001:db8::1/128", "2001:db8::2", false},
    {"v6 /32 inside", "2001:db8::/32", "2001:db8:ffff::1", true},
    {"v6 /32 outside", "2001:db8::/32", "2001:db9::1", false},
    {"v6 /0 everything", "::/0", "fe80::1", true},
    {"v6 /0 not v4", "::/0", "127.0.0.1", false},
    {"v6 /127", "2001:db8::/127", "2001:db8::1", true},
    {"v6 /65 outside", "2001:db8:0:0:8000::/65", "2001:db8::1", false},
    {"list with commas", "10.0.0.0/8, 192.168.0.0/16,::1", "::1", true},
    {"list second", "10.0.0.0/8 192.168.0.0/16", "192.168.4.4", true},
    {"list none", "10.0.0.0/8 192.168.0.0/16", "172.16.0.1", false},
    {"client not an address", "0.0.0.0/0", "localhost", false},
    {"client with port", "0.0.0.0/0", "1.2.3.4:25", false},
    {"client empty", "0.0.0.0/0", "", false},
    {"empty list", "", "127.0.0.1", false},
};

static void test_hosts_match(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(MATCH) / sizeof(MATCH[0]); i++) {
        const match_case *c = &MATCH[i];
        ms_arena *arena = new_arena(0);
        ms_milterconf_hosts hosts;
        ms_milterconf_error err;
        char *text = exact(c->list, strlen(c->list));
        ms_status st =
            ms_milterconf_hosts_parse(text, strlen(c->list), "hosts", arena, &hosts, &err);
        EXPECT(st == MS_OK, "%s: parse got %s (%s), want MS_OK", c->name, ms_status_name(st),
               err.reason);
        if (st == MS_OK) {
            char *ip = exact(c->ip, strlen(c->ip));
            bool got = ms_milterconf_hosts_match(&hosts, ip, strlen(c->ip));
            EXPECT(got == c->want, "%s: %s in %s: got %d, want %d", c->name, c->ip, c->list, got,
                   c->want);
            free(ip);
        }
        free(text);
        ms_arena_free(arena);
    }
    assert_int_equal(n_bad, 0);
}

typedef struct bad_case {
    const char *name, *text;
    unsigned line;
    const char *reason_part;
} bad_case;

static const bad_case BAD_HOSTS[] = {
    {"exclusion", "10.0.0.0/8\n!10.0.0.1", 2, "exclusions are not supported"},
    {"bad name byte", "mail!.example.com", 1, "not an IPv4 address"},
    {"bare star", "*", 1, "not an IPv4 address"},
    {"star dot dot", "*..example", 1, "not an IPv4 address"},
    {"empty label", "mx..example.com", 1, "not an IPv4 address"},
    {"v4 prefix 33", "10.0.0.0/33", 1, "0..32"},
    {"v6 prefix 129", "::/129", 1, "0..128"},
    {"empty prefix", "10.0.0.0/", 1, "prefix"},
    {"signed prefix", "10.0.0.0/+8", 1, "prefix"},
    {"bad v6", "2001:db8:::1", 1, "IPv6"},
    {"leading zero v4", "010.0.0.1", 1, "IPv4"},
    {"error on line 3", "# internal\n10.0.0.0/8\n\n300.1.1.1\n", 4, "IPv4"},
    {"NUL byte", "10.0.0.1\n10.0.0.2\0\n", 2, "NUL"},
};

static void test_hosts_bad(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(BAD_HOSTS) / sizeof(BAD_HOSTS[0]); i++) {
        const bad_case *c = &BAD_HOSTS[i];
        size_t len = strlen(c->text);
        if (strcmp(c->name, "NUL byte") == 0) {
            len = 20;
        }
        ms_arena *arena = new_arena(0);
        ms_milterconf_hosts hosts;
        ms_milterconf_error err;
        char *text = exact(c->text, len);
        ms_status st = ms_milterconf_hosts_parse(text, len, "hosts", arena, &hosts, &err);
        EXPECT(st == MS_ESYNTAX, "%s: got %s, want MS_ESYNTAX", c->name, ms_status_name(st));
        if (st != MS_OK) {
            EXPECT(err.line == c->line, "%s: line got %u, want %u", c->name, err.line, c->line);
            EXPECT(err.reason != NULL && strstr(err.reason, c->reason_part) != NULL,
                   "%s: reason got \"%s\", want it to hold \"%s\"", c->name, err.reason,
                   c->reason_part);
            EXPECT(strcmp(err.file, "hosts") == 0, "%s: file got %s, want hosts", c->name,
                   err.file);
        }
        free(text);
        ms_arena_free(arena);
    }
    assert_int_equal(n_bad, 0);
}

typedef struct name_case {
    const char *list, *name;
    bool want;
} name_case;

/* Host name entries, as OpenDKIM's InternalHosts files hold them next to addresses. */
static void test_hosts_names(void **state)
{
    (void)state;
    n_bad = 0;
    const name_case cases[] = {
        {"localhost", "localhost", true},
        {"localhost", "LOCALHOST.", true},
        {"localhost", "localhost.example", false},
        {"mx.example.com", "mx.example.com", true},
        {"mx.example.com", "mx2.example.com", false},
        {"*.example.com", "a.example.com", true},
        {"*.example.com", "a.b.example.com", true},
        {"*.example.com", "example.com", false},
        {"*.example.com", "badexample.com", false},
        {".example.com", "a.example.com", true},
        {".example.com", "example.com", false},
        {"127.0.0.1, mx.example.com", "127.0.0.1", false}, /* addresses are not names */
        {"mx.example.com", "", false},
        {"mx.example.com", ".", false},
        {"mx.example.com.", "mx.example.com", true}, /* the root's '.' dropped on both sides */
        {"*.example.com.", "a.example.com.", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const name_case *c = &cases[i];
        ms_arena *arena = new_arena(0);
        ms_milterconf_hosts hosts;
        ms_milterconf_error err;
        assert_int_equal(
            ms_milterconf_hosts_parse(c->list, strlen(c->list), "hosts", arena, &hosts, &err),
            MS_OK);
        char *name = exact(c->name, strlen(c->name));
        bool got = ms_milterconf_hosts_match_name(&hosts, name, strlen(c->name));
        EXPECT(got == c->want, "%s in %s: got %d, want %d", c->name, c->list, got, c->want);
        EXPECT(!ms_milterconf_hosts_match(&hosts, name, strlen(c->name)) ||
                   strcmp(c->name, "127.0.0.1") == 0,
               "%s: a name matched as an address", c->name);
        free(name);
        ms_arena_free(arena);
    }
    /* A typical OpenDKIM TrustedHosts file: both kinds, counted apart. */
    const char file[] = "127.0.0.1\nlocalhost\n192.168.0.1/24\n*.example.pw\n";
    ms_arena *arena = new_arena(0);
    ms_milterconf_hosts hosts;
    ms_milterconf_error err;
    assert_int_equal(
        ms_milterconf_hosts_parse(file, sizeof(file) - 1, "TrustedHosts", arena, &hosts, &err),
        MS_OK);
    assert_int_equal(hosts.n, 2);
    assert_int_equal(hosts.n_names, 2);
    assert_string_equal(hosts.names[1], "*.example.pw");
    assert_true(ms_milterconf_hosts_match(&hosts, "192.168.0.77", 12));
    assert_true(ms_milterconf_hosts_match_name(&hosts, "mail.example.pw", 15));
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* ---- tables ----------------------------------------------------------------------------- */

static char rsa_path[1024], ed_path[1024], readme_path[1024], missing_path[1024], dir_path[1024];

static void set_paths(void)
{
    const char *src = getenv("MS_SOURCE_DIR");
    src = src ? src : ".";
    snprintf(rsa_path, sizeof(rsa_path), "%s/tests/cli/keys/rsa2048.private", src);
    snprintf(ed_path, sizeof(ed_path), "%s/tests/cli/keys/ed.private", src);
    snprintf(readme_path, sizeof(readme_path), "%s/tests/cli/keys/README", src);
    snprintf(missing_path, sizeof(missing_path), "%s/tests/cli/keys/no-such.private", src);
    snprintf(dir_path, sizeof(dir_path), "%s/tests/cli/keys", src);
}

static ms_milterconf_keytable *keytable(ms_arena *arena, const char *text)
{
    ms_milterconf_keytable *kt = NULL;
    ms_milterconf_error err;
    char *copy = exact(text, strlen(text));
    ms_status st = ms_milterconf_keytable_parse(copy, strlen(text), "KeyTable", arena, &kt, &err);
    free(copy);
    if (st != MS_OK) {
        char msg[512];
        ms_milterconf_error_format(&err, msg, sizeof(msg));
        print_error("keytable: %s\n", msg);
    }
    assert_int_equal(st, MS_OK);
    return kt;
}

static ms_milterconf_signtable *signtable(ms_arena *arena, const ms_milterconf_keytable *kt,
                                          const char *text, bool wild)
{
    ms_milterconf_signtable *st = NULL;
    ms_milterconf_error err;
    char *copy = exact(text, strlen(text));
    ms_status s = ms_milterconf_signtable_parse(copy, strlen(text), wild, "SigningTable", kt, arena,
                                                &st, &err);
    free(copy);
    if (s != MS_OK) {
        char msg[512];
        ms_milterconf_error_format(&err, msg, sizeof(msg));
        print_error("signtable: %s\n", msg);
    }
    assert_int_equal(s, MS_OK);
    return st;
}

static const char KEYTABLE[] = "# OpenDKIM KeyTable\n"
                               "rsa      example.com:sel2024:/etc/k/rsa.private\n"
                               "ed\texample.com:ed2024:/etc/k/ed.private   # Ed25519\n"
                               "other    other.example:s1:/etc/k/other.private\r\n"
                               "sub      sub.example.com:s:/etc/k/sub.private\n"
                               "ceo      example.com:ceo:/etc/k/ceo.private\n";

typedef struct lookup_case {
    const char *name;
    const char *table;
    bool wild, multiple;
    const char *from;
    const char *want; /* key names joined by ',' or "" */
    const char *reason_part;
} lookup_case;

static const char PLAIN[] = "ceo@example.com   ceo\n"
                            "example.com       rsa\n"
                            "example.com       ed\n"
                            "other.example     other\n";

static const char WILD[] = "# refile: patterns\n"
                           "ceo@example.com  ceo\n"
                           "*@example.com    rsa\n"
                           "*@example.com    ed\n"
                           "*.example.com    sub\n"
                           "*@other.example  other\n";

static const lookup_case LOOKUP[] = {
    {"plain domain, first only", PLAIN, false, false, "bob@example.com", "rsa", NULL},
    {"plain domain, dual signing", PLAIN, false, true, "bob@example.com", "rsa,ed", NULL},
    {"plain exact address first", PLAIN, false, false, "ceo@example.com", "ceo", NULL},
    {"plain exact address then domain", PLAIN, false, true, "CEO@Example.COM", "ceo,rsa,ed", NULL},
    {"plain domain ignores case", PLAIN, false, false, "x@OTHER.example", "other", NULL},
    {"plain no subdomain", PLAIN, false, true, "bob@mail.example.com", "",
     "no SigningTable match for <bob@mail.example.com>"},
    {"plain no match", PLAIN, false, true, "eve@attacker.test", "",
     "no SigningTable match for <eve@attacker.test>"},
    {"not an address", PLAIN, false, true, "example.com", "", "is not user@domain"},
    {"empty domain", PLAIN, false, true, "bob@", "", "is not user@domain"},
    {"empty local part", PLAIN, false, true, "@example.com", "", "is not user@domain"},
    {"control bytes escaped", PLAIN, false, true, "a\x01@x.test", "", "<a\\x01@x.test>"},
    {"wild *@domain first", WILD, true, false, "bob@example.com", "rsa", NULL},
    {"wild *@domain dual", WILD, true, true, "bob@example.com", "rsa,ed", NULL},
    {"wild exact first", WILD, true, false, "ceo@example.com", "ceo", NULL},
    {"wild exact and domain", WILD, true, true, "ceo@example.com", "ceo,rsa,ed", NULL},
    {"wild subdomain", WILD, true, true, "bob@mail.example.com", "sub", NULL},
    {"wild deep subdomain", WILD, true, true, "bob@a.b.example.com", "sub", NULL},
    {"wild *.example.com is not example.com", "*.example.com sub\n", true, true, "bob@example.com",
     "", "no SigningTable match for <bob@example.com>"},
    {"wild suffix lookalike", WILD, true, true, "bob@badexample.com", "", "no SigningTable match"},
    {"wild case", WILD, true, false, "Bob@Other.Example", "other", NULL},
    {"wild star matches all", "*  other\n", true, false, "a@b.c", "other", NULL},
    {"wild many stars", "*a*b*c*@*  other\n", true, false, "xaybzc@d.e", "other", NULL},
    {"wild many stars miss", "*a*b*c*@*  other\n", true, false, "xcybza@d.e", "",
     "no SigningTable match"},
    {"same key twice listed once", "example.com rsa\nexample.com rsa\n", false, true,
     "a@example.com", "rsa", NULL},
    {"empty table", "", false, true, "a@example.com", "", "no SigningTable match"},
};

static void join_keys(const ms_milterconf_sign_keys *k, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < k->n; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? "," : "", k->keys[i]->name);
        if (w < 0 || (size_t)w >= size - used) {
            break;
        }
        used += (size_t)w;
    }
}

static void test_lookup(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(LOOKUP) / sizeof(LOOKUP[0]); i++) {
        const lookup_case *c = &LOOKUP[i];
        ms_arena *arena = new_arena(0);
        ms_milterconf_keytable *kt = keytable(arena, KEYTABLE);
        ms_milterconf_signtable *st = signtable(arena, kt, c->table, c->wild);
        ms_milterconf_sign_keys out;
        char *from = exact(c->from, strlen(c->from));
        ms_milterconf_signtable_lookup(st, c->multiple, from, strlen(c->from), &out);
        free(from);
        char got[256];
        join_keys(&out, got, sizeof(got));
        EXPECT(strcmp(got, c->want) == 0, "%s: keys got \"%s\", want \"%s\"", c->name, got,
               c->want);
        if (c->reason_part != NULL) {
            EXPECT(strstr(out.reason, c->reason_part) != NULL,
                   "%s: reason got \"%s\", want it to hold \"%s\"", c->name, out.reason,
                   c->reason_part);
        } else {
            EXPECT(out.reason[0] == '\0', "%s: reason got \"%s\", want none", c->name, out.reason);
        }
        ms_arena_free(arena);
    }
    assert_int_equal(n_bad, 0);
}

static void test_lookup_key_fields(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    ms_milterconf_keytable *kt = keytable(arena, KEYTABLE);
    assert_int_equal(ms_milterconf_keytable_count(kt), 5);
    const ms_milterconf_key *k = ms_milterconf_keytable_get(kt, 1);
    assert_string_equal(k->name, "ed");
    assert_string_equal(k->domain, "example.com");
    assert_string_equal(k->selector, "ed2024");
    assert_string_equal(k->path, "/etc/k/ed.private");
    assert_int_equal(k->line, 3);
    assert_null(k->signer);
    assert_string_equal(ms_milterconf_keytable_get(kt, 2)->path, "/etc/k/other.private");
    assert_null(ms_milterconf_keytable_get(kt, 5));
    /* At most MS_LIMIT_MILTERCONF_SIGN_KEYS keys for one message. */
    char big[2048], table[1024];
    size_t bu = 0, tu = 0;
    for (int i = 0; i < 12; i++) {
        bu += (size_t)snprintf(big + bu, sizeof(big) - bu, "k%d example.com:s%d:/k/%d\n", i, i, i);
        tu += (size_t)snprintf(table + tu, sizeof(table) - tu, "example.com k%d\n", i);
    }
    ms_milterconf_keytable *kt12 = keytable(arena, big);
    ms_milterconf_signtable *st = signtable(arena, kt12, table, false);
    ms_milterconf_sign_keys out;
    ms_milterconf_signtable_lookup(st, true, "a@example.com", 13, &out);
    assert_int_equal(out.n, MS_LIMIT_MILTERCONF_SIGN_KEYS);
    assert_string_equal(out.keys[7]->name, "k7");
    /* No table at all. */
    ms_milterconf_signtable_lookup(NULL, true, "a@example.com", 13, &out);
    assert_int_equal(out.n, 0);
    assert_string_equal(out.reason, "no SigningTable configured");
    ms_arena_free(arena);
}

typedef struct table_bad_case {
    const char *name;
    bool signing, wild;
    const char *text;
    unsigned line;
    const char *reason_part;
} table_bad_case;

static const table_bad_case BAD_TABLES[] = {
    {"key: no value", false, false, "# c\nrsa\n", 2, "found no value"},
    {"key: one colon", false, false, "rsa example.com:/k\n", 1, "two colons"},
    {"key: extra field", false, false, "rsa example.com:s:/k extra\n", 1, "found more"},
    {"key: inline key data", false, false, "rsa example.com:s:MIIEvQIBADANBgkq\n", 1,
     "absolute path"},
    {"key: percent domain", false, false, "rsa %:s:/k\n", 1, "bad domain"},
    {"key: bad selector", false, false, "rsa example.com:s/x:/k\n", 1, "bad selector"},
    {"key: empty selector", false, false, "rsa example.com::/k\n", 1, "bad selector"},
    {"key: duplicate name", false, false, "rsa a.test:s:/k\ned a.test:e:/k\nRSA b.test:s:/k\n", 3,
     "given twice"},
    {"sign: unknown key", true, false, "example.com nokey\n", 1, "not in the KeyTable"},
    {"sign: no key name", true, false, "\n\nexample.com\n", 3, "no key name"},
    {"sign: star in plain table", true, false, "*@example.com rsa\n", 1, "refile:"},
    {"sign: two @", true, false, "a@b@example.com rsa\n", 1, "address"},
    {"sign: extra field", true, true, "*@example.com rsa ed\n", 1, "found more"},
    {"sign: long line", true, false, NULL, 1, "longer than"},
};

static void test_tables_bad(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(BAD_TABLES) / sizeof(BAD_TABLES[0]); i++) {
        const table_bad_case *c = &BAD_TABLES[i];
        ms_arena *arena = new_arena(0);
        char *text;
        size_t len;
        if (c->text == NULL) { /* a 1 MiB line */
            len = 1024u * 1024u;
            text = malloc(len);
            assert_non_null(text);
            memset(text, 'a', len);
        } else {
            len = strlen(c->text);
            text = exact(c->text, len);
        }
        ms_milterconf_error err;
        ms_status st;
        if (c->signing) {
            ms_milterconf_keytable *kt = keytable(arena, KEYTABLE);
            ms_milterconf_signtable *stab = NULL;
            st = ms_milterconf_signtable_parse(text, len, c->wild, "signing.table", kt, arena,
                                               &stab, &err);
        } else {
            ms_milterconf_keytable *kt = NULL;
            st = ms_milterconf_keytable_parse(text, len, "key.table", arena, &kt, &err);
        }
        EXPECT(st == MS_ESYNTAX, "%s: got %s, want MS_ESYNTAX", c->name, ms_status_name(st));
        if (st != MS_OK) {
            EXPECT(err.line == c->line, "%s: line got %u, want %u", c->name, err.line, c->line);
            EXPECT(err.reason != NULL && strstr(err.reason, c->reason_part) != NULL,
                   "%s: reason got \"%s\", want it to hold \"%s\"", c->name, err.reason,
                   c->reason_part);
            EXPECT(strcmp(err.file, c->signing ? "signing.table" : "key.table") == 0,
                   "%s: file got %s", c->name, err.file);
        }
        free(text);
        ms_arena_free(arena);
    }
    assert_int_equal(n_bad, 0);
}

/* 100,000 lines: refused at MS_LIMIT_MILTERCONF_TABLE, naming the first line past it. */
static void test_tables_too_many(void **state)
{
    (void)state;
    const size_t lines = 100000;
    size_t size = lines * 32, used = 0;
    char *text = malloc(size);
    assert_non_null(text);
    for (size_t i = 0; i < lines; i++) {
        used += (size_t)snprintf(text + used, size - used, "k%zu a.test:s:/k\n", i);
    }
    ms_arena *arena = new_arena(0);
    ms_milterconf_keytable *kt = NULL;
    ms_milterconf_error err;
    assert_int_equal(ms_milterconf_keytable_parse(text, used, "kt", arena, &kt, &err), MS_ELIMIT);
    assert_int_equal(err.line, MS_LIMIT_MILTERCONF_TABLE + 1);
    used = 0;
    for (size_t i = 0; i < lines; i++) {
        used += (size_t)snprintf(text + used, size - used, "%zu.test rsa\n", i);
    }
    kt = keytable(arena, KEYTABLE);
    ms_milterconf_signtable *st = NULL;
    assert_int_equal(ms_milterconf_signtable_parse(text, used, false, "st", kt, arena, &st, &err),
                     MS_ELIMIT);
    assert_int_equal(err.line, MS_LIMIT_MILTERCONF_TABLE + 1);
    used = 0;
    for (size_t i = 0; i < lines; i++) {
        used +=
            (size_t)snprintf(text + used, size - used, "10.%zu.%zu.0/24\n", i / 256 % 256, i % 256);
    }
    ms_milterconf_hosts hosts;
    assert_int_equal(ms_milterconf_hosts_parse(text, used, "h", arena, &hosts, &err), MS_ELIMIT);
    assert_int_equal(err.line, MS_LIMIT_MILTERCONF_HOSTS + 1);
    free(text);
    ms_arena_free(arena);
}

typedef struct key_case {
    const char *name;
    const char *path; /* one of the paths above */
    const char *domain, *selector;
    ms_status want;
    const char *reason_part;
} key_case;

static void test_load_keys(void **state)
{
    (void)state;
    n_bad = 0;
    const key_case cases[] = {
        {"rsa key", rsa_path, "example.com", "rsa", MS_OK, NULL},
        {"ed25519 key", ed_path, "example.com", "ed", MS_OK, NULL},
        {"missing file", missing_path, "example.com", "s", MS_EIO, "not found"},
        {"a directory", dir_path, "example.com", "s", MS_EIO, "cannot be read"},
        {"not a key", readme_path, "example.com", "s", MS_ESYNTAX, "RSA"},
        {"bad domain", rsa_path, "-bad-.example", "s", MS_ESYNTAX, "domain"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const key_case *c = &cases[i];
        char text[2048];
        snprintf(text, sizeof(text), "# keys\n\nmykey %s:%s:%s\n", c->domain, c->selector, c->path);
        ms_arena *arena = new_arena(0);
        ms_milterconf_keytable *kt = keytable(arena, text);
        ms_milterconf_error err;
        ms_status st = ms_milterconf_keytable_load_keys(kt, &err);
        EXPECT(st == c->want, "%s: got %s, want %s", c->name, ms_status_name(st),
               ms_status_name(c->want));
        const ms_milterconf_key *k = ms_milterconf_keytable_get(kt, 0);
        if (st == MS_OK) {
            EXPECT(k->signer != NULL, "%s: no signer", c->name);
        } else {
            EXPECT(k->signer == NULL, "%s: a signer for a refused key", c->name);
            EXPECT(err.line == 3, "%s: line got %u, want 3", c->name, err.line);
            EXPECT(strcmp(err.file, "KeyTable") == 0, "%s: file got %s", c->name, err.file);
            EXPECT(strstr(err.reason, c->reason_part) != NULL,
                   "%s: reason got \"%s\", want it to hold \"%s\"", c->name, err.reason,
                   c->reason_part);
            EXPECT(strstr(err.detail, "tests/cli/keys") != NULL,
                   "%s: detail got \"%s\", want the key's path", c->name, err.detail);
        }
        ms_milterconf_keytable_free(kt);
        ms_arena_free(arena);
    }
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    set_paths();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hosts_match),       cmocka_unit_test(test_hosts_bad),
        cmocka_unit_test(test_hosts_names),       cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_lookup_key_fields), cmocka_unit_test(test_tables_bad),
        cmocka_unit_test(test_tables_too_many),   cmocka_unit_test(test_load_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
