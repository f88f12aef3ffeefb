/* SPDX-License-Identifier: MIT */
/* Runs the Stalwart mail-auth SPF cases (shared/conformance/spf/mail-auth, every .yml file) against
 * ms_spf_check (RFC 7208 §4), reading them line by line as upstream does (SOURCES.md §1b):
 * the files are not valid YAML.
 *
 *   spf_mailauth FOLDER [DELIBERATE-LIST]
 *
 * DNS as the upstream harness gives it: one record map per file, shared by its scenarios;
 * a record line replaces the records of that type at that name; "mx:" lines create synthetic
 * exchange names resolving to the listed addresses; "ptr:" lines give reverse DNS; names not
 * listed are NXDOMAIN, and names whose first label is "_dns_error" fail temporarily (upstream's
 * test resolver convention). Each "expect:" builds a fresh zone from the current map.
 *
 * The check is upstream's SpfParameters::verify: the HELO identity first (RFC 7208 §2.3), and
 * only when it passes the MAIL FROM identity, whose result is then the one compared. The
 * receiving host (%{r}) is localdomain.org.
 *
 * Prints one line per failing check and a closing "N passed, N failed" line; exit 1 on any
 * failure not listed in the deliberate list (spf_mailauth.deliberate beside this file), 77
 * when the folder is absent. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "deliberate.h"
#include "mailseal/mailseal.h"

#define MAX_VALUES 64
#define MAX_NAME 512

/* ---- deliberate differences ------------------------------------------------------------ */

/* ---- the record map -------------------------------------------------------------------- */

typedef struct entry {
    char owner[MAX_NAME]; /* lower case, no trailing dot */
    uint16_t type;
    size_t n;
    char *values[MAX_VALUES]; /* TXT text, address text, PTR name, MX exchange */
} entry;

typedef struct record_map {
    entry *e;
    size_t n, size;
    char faults[16][MAX_NAME]; /* "_dns_error..." names seen in the file */
    size_t n_faults;
} record_map;

static void normalize(const char *s, size_t len, char *out)
{
    if (len > 0 && s[len - 1] == '.') {
        len--;
    }
    if (len >= MAX_NAME) {
        len = MAX_NAME - 1;
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[len] = '\0';
}

static void entry_clear(entry *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->values[i]);
    }
    e->n = 0;
}

/* The entry for (owner, type), emptied: a record line replaces what was there. */
static entry *map_replace(record_map *m, const char *owner, size_t owner_len, uint16_t type)
{
    char norm[MAX_NAME];
    normalize(owner, owner_len, norm);
    for (size_t i = 0; i < m->n; i++) {
        if (m->e[i].type == type && strcmp(m->e[i].owner, norm) == 0) {
            entry_clear(&m->e[i]);
            return &m->e[i];
        }
    }
    if (m->n == m->size) {
        size_t size = m->size ? m->size * 2 : 32;
        entry *e = realloc(m->e, size * sizeof(*e));
        if (e == NULL) {
            return NULL;
        }
        m->e = e;
        m->size = size;
    }
    entry *e = &m->e[m->n++];
    memset(e, 0, sizeof(*e));
    memcpy(e->owner, norm, strlen(norm) + 1);
    e->type = type;
    return e;
}

static void entry_add(entry *e, const char *s, size_t len)
{
    if (e == NULL || e->n >= MAX_VALUES) {
        return;
    }
    char *v = malloc(len + 1);
    if (v == NULL) {
        return;
    }
    memcpy(v, s, len);
    v[len] = '\0';
    e->values[e->n++] = v;
}

static void map_free(record_map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        entry_clear(&m->e[i]);
    }
    free(m->e);
    memset(m, 0, sizeof(*m));
}

/* ---- building a zone ------------------------------------------------------------------- */

/* The harness resolver cannot hold every name (labels over 63, names over 253): such records
 * are absent, as the malformed-domain scenarios intend. */
static void soft(ms_status st)
{
    (void)st;
}

static void add_txt(ms_resolver *z, const char *owner, const char *text)
{
    size_t len = strlen(text);
    uint8_t lens[256];
    size_t n = 0;
    for (size_t left = len; left > 0 && n < sizeof(lens); left -= lens[n - 1]) {
        lens[n++] = (uint8_t)(left > 255 ? 255 : left); /* RFC 7208 §3.3: strings of 255 */
    }
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = text;
    rr.u.txt.len = len;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = n;
    soft(ms_zone_add(z, owner, &rr));
}

static ms_resolver *build_zone(const record_map *m)
{
    ms_resolver *z;
    if (ms_resolver_new_zone(&z) != MS_OK) {
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        const entry *e = &m->e[i];
        for (size_t k = 0; k < e->n; k++) {
            ms_dns_rr rr = {.type = e->type, .ttl = 300};
            switch (e->type) {
            case MS_DNS_TXT:
                add_txt(z, e->owner, e->values[k]);
                continue;
            case MS_DNS_A:
                if (inet_pton(AF_INET, e->values[k], rr.u.a) != 1) {
                    continue;
                }
                break;
            case MS_DNS_AAAA:
                if (inet_pton(AF_INET6, e->values[k], rr.u.aaaa) != 1) {
                    continue;
                }
                break;
            case MS_DNS_PTR:
                rr.u.name = e->values[k];
                break;
            case MS_DNS_MX:
                rr.u.mx.preference = (uint16_t)(k + 1);
                rr.u.mx.exchange = e->values[k];
                break;
            default:
                continue;
            }
            soft(ms_zone_add(z, e->owner, &rr));
        }
    }
    for (size_t i = 0; i < m->n_faults; i++) {
        soft(ms_zone_add_fault(z, m->faults[i], 0, MS_DNS_TEMPFAIL, "SERVFAIL"));
    }
    return z;
}

/* ---- lines ----------------------------------------------------------------------------- */

static const char *skip_space(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r')) {
        s++;
    }
    return s;
}

static const char *trim_end(const char *s, const char *end)
{
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) {
        end--;
    }
    return end;
}

/* "name value...": split at the first space. */
static bool split_name(const char *s, const char *end, const char **name, size_t *name_len,
                       const char **value, const char **value_end)
{
    s = skip_space(s, end);
    const char *sp = s;
    while (sp < end && *sp != ' ' && *sp != '\t') {
        sp++;
    }
    if (sp == s) {
        return false;
    }
    *name = s;
    *name_len = (size_t)(sp - s);
    *value = sp < end ? sp + 1 : end;
    *value_end = end;
    return true;
}

/* A comma-separated list of items into e. */
static void add_list(entry *e, const char *s, const char *end)
{
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *item_end = comma ? comma : end;
        const char *a = skip_space(s, item_end);
        const char *b = trim_end(a, item_end);
        if (b > a) {
            entry_add(e, a, (size_t)(b - a));
        }
        s = comma ? comma + 1 : end;
    }
}

static void add_fault_names(record_map *m, const char *text, size_t len)
{
    static const char tag[] = "_dns_error";
    for (size_t i = 0; i + sizeof(tag) - 1 <= len; i++) {
        if (memcmp(text + i, tag, sizeof(tag) - 1) != 0 ||
            (i > 0 && strchr(" \t:@=", text[i - 1]) == NULL)) {
            continue;
        }
        size_t j = i;
        while (j < len && !isspace((unsigned char)text[j])) {
            j++;
        }
        char norm[MAX_NAME];
        normalize(text + i, j - i, norm);
        bool seen = false;
        for (size_t k = 0; k < m->n_faults; k++) {
            seen |= strcmp(m->faults[k], norm) == 0;
        }
        if (!seen && m->n_faults < sizeof(m->faults) / sizeof(m->faults[0])) {
            memcpy(m->faults[m->n_faults++], norm, strlen(norm) + 1);
        }
    }
}

typedef struct state {
    char helo[MAX_NAME];
    char sender[MAX_NAME];
    char ip[64];
    char scenario[128];
    unsigned scenario_no, check_no;
} state;

typedef struct totals {
    unsigned passed, failed, known;
} totals;

static void copy_value(char *dst, size_t size, const char *s, const char *end)
{
    s = skip_space(s, end);
    end = trim_end(s, end);
    size_t n = (size_t)(end - s);
    if (n >= size) {
        n = size - 1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* One check: HELO first, then MAIL FROM when HELO passed (upstream's Sender::Full). */
static ms_status run_check(ms_resolver *z, const state *st, ms_arena *arena, ms_spf_verdict *v)
{
    ms_spf_request req = {
        .client_ip = st->ip,
        .mail_from = st->sender,
        .helo = st->helo,
        .identity = MS_SPF_IDENTITY_HELO,
        .receiver = "localdomain.org",
        .now = 1700000000,
    };
    ms_status s = ms_spf_check(z, NULL, &req, arena, v, NULL);
    if (s != MS_OK || v->result != MS_SPF_PASS) {
        return s;
    }
    req.identity = MS_SPF_IDENTITY_MAILFROM;
    return ms_spf_check(z, NULL, &req, arena, v, NULL);
}

static void expect(const char *file, const record_map *m, state *st, const char *s, const char *end,
                   const deliberate *dl, totals *t)
{
    s = skip_space(s, end);
    end = trim_end(s, end);
    const char *sp = s;
    while (sp < end && *sp != ' ') {
        sp++;
    }
    char want[32];
    copy_value(want, sizeof(want), s, sp);
    char want_exp[1024];
    copy_value(want_exp, sizeof(want_exp), sp, end);

    st->check_no++;
    char id[256];
    snprintf(id, sizeof(id), "%s:%s:%u", file, st->scenario, st->check_no);

    ms_resolver *z = build_zone(m);
    ms_arena *arena = NULL;
    if (z == NULL || ms_arena_new(NULL, 0, &arena) != MS_OK) {
        ms_resolver_free(z);
        t->failed++;
        printf("FAIL %s: could not set up the check\n", id);
        return;
    }
    ms_spf_verdict v;
    ms_status status = run_check(z, st, arena, &v);
    const char *got = status == MS_OK ? ms_spf_result_name(v.result) : ms_status_name(status);
    bool ok = status == MS_OK && strcmp(got, want) == 0;
    if (ok && want_exp[0] && (v.explanation == NULL || strcmp(v.explanation, want_exp) != 0)) {
        ok = false;
    }
    if (ok) {
        t->passed++;
    } else if (deliberate_has(dl, id)) {
        t->known++;
        printf("deliberate difference: %s: got %s, want %s (see spf_mailauth.deliberate)\n", id,
               got, want);
    } else {
        t->failed++;
        printf("FAIL %s: helo %s, sender <%s>, ip %s: got %s, want %s; explanation got \"%s\" "
               "want \"%s\"; reason: %s; detail: %s\n",
               id, st->helo, st->sender, st->ip, got, want, v.explanation ? v.explanation : "",
               want_exp, v.reason ? v.reason : "", v.detail ? v.detail : "");
    }
    ms_arena_free(arena);
    ms_resolver_free(z);
}

static bool prefix(const char **s, const char *end, const char *p)
{
    size_t n = strlen(p);
    if ((size_t)(end - *s) >= n && memcmp(*s, p, n) == 0) {
        *s += n;
        return true;
    }
    return false;
}

/* An "mx:" line: synthetic exchanges "mx.<ip>.<pos>" (':' written as '-'), each with one
 * address record, preference in listed order. */
static void add_mx(record_map *m, const char *name, size_t name_len, const char *s, const char *end)
{
    entry ips, hosts;
    memset(&ips, 0, sizeof(ips));
    memset(&hosts, 0, sizeof(hosts));
    add_list(&ips, s, end);
    for (size_t i = 0; i < ips.n; i++) {
        char host[MAX_NAME];
        int n = snprintf(host, sizeof(host), "mx.%s.%zu", ips.values[i], i);
        for (int k = 0; k < n; k++) {
            host[k] = host[k] == ':' ? '-' : host[k];
        }
        bool v6 = strchr(ips.values[i], ':') != NULL;
        /* Entries move when the map grows: use each right after getting it. */
        entry_add(map_replace(m, host, strlen(host), v6 ? MS_DNS_AAAA : MS_DNS_A), ips.values[i],
                  strlen(ips.values[i]));
        entry_add(&hosts, host, strlen(host));
    }
    entry *mx = map_replace(m, name, name_len, MS_DNS_MX);
    for (size_t i = 0; i < hosts.n; i++) {
        entry_add(mx, hosts.values[i], strlen(hosts.values[i]));
    }
    entry_clear(&ips);
    entry_clear(&hosts);
}

static void add_ptr(record_map *m, const char *ip, size_t ip_len, const char *s, const char *end)
{
    char text[64];
    uint8_t addr[16];
    char rev[128];
    if (ip_len >= sizeof(text)) {
        return;
    }
    memcpy(text, ip, ip_len);
    text[ip_len] = '\0';
    ms_status st;
    if (inet_pton(AF_INET, text, addr) == 1) {
        st = ms_dns_reverse_name(addr, 4, rev, sizeof(rev));
    } else if (inet_pton(AF_INET6, text, addr) == 1) {
        st = ms_dns_reverse_name(addr, 16, rev, sizeof(rev));
    } else {
        return;
    }
    if (st != MS_OK) {
        return;
    }
    add_list(map_replace(m, rev, strlen(rev), MS_DNS_PTR), s, end);
}

static void scenario_name(state *st, const char *s, const char *end)
{
    copy_value(st->scenario, sizeof(st->scenario), s, end);
    for (char *p = st->scenario; *p; p++) {
        *p = (*p == ' ' || *p == '\t') ? '-' : *p; /* ids are one word */
    }
}

static void run_file(const char *dir, const char *file, const deliberate *dl, totals *t)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        printf("FAIL %s: cannot open\n", path);
        t->failed++;
        return;
    }
    record_map m;
    memset(&m, 0, sizeof(m));
    state st;
    memset(&st, 0, sizeof(st));
    snprintf(st.ip, sizeof(st.ip), "127.0.0.1");
    st.scenario_no = 1;
    snprintf(st.scenario, sizeof(st.scenario), "scenario-1");
    char line[8192];
    bool in_scenario_header = true;
    while (fgets(line, sizeof(line), f)) {
        size_t len = strcspn(line, "\n");
        const char *s = line, *end = line + len;
        add_fault_names(&m, line, len);
        if (len == 3 && memcmp(line, "---", 3) == 0) {
            /* A new scenario: the check state resets, the DNS cache does not. */
            st.helo[0] = st.sender[0] = '\0';
            snprintf(st.ip, sizeof(st.ip), "127.0.0.1");
            st.scenario_no++;
            st.check_no = 0;
            snprintf(st.scenario, sizeof(st.scenario), "scenario-%u", st.scenario_no);
            in_scenario_header = true;
            continue;
        }
        s = skip_space(s, end);
        if (s < end && *s == '-') {
            s = skip_space(s + 1, end);
        }
        const char *name, *value, *vend;
        size_t name_len;
        if (prefix(&s, end, "name:")) {
            /* The scenario's name, not the names of the sub-tests inside "tests:". */
            if (in_scenario_header) {
                scenario_name(&st, s, end);
            }
        } else if (prefix(&s, end, "tests:")) {
            in_scenario_header = false;
        } else if (prefix(&s, end, "spf:") || prefix(&s, end, "exp:")) {
            end = trim_end(s, end);
            if (split_name(s, end, &name, &name_len, &value, &vend)) {
                entry_add(map_replace(&m, name, name_len, MS_DNS_TXT), value,
                          (size_t)(vend - value));
            }
        } else if (prefix(&s, end, "aaaa:")) {
            if (split_name(s, end, &name, &name_len, &value, &vend)) {
                add_list(map_replace(&m, name, name_len, MS_DNS_AAAA), value, vend);
            }
        } else if (prefix(&s, end, "a:")) {
            if (split_name(s, end, &name, &name_len, &value, &vend)) {
                add_list(map_replace(&m, name, name_len, MS_DNS_A), value, vend);
            }
        } else if (prefix(&s, end, "ptr:")) {
            if (split_name(s, end, &name, &name_len, &value, &vend)) {
                add_ptr(&m, name, name_len, value, vend);
            }
        } else if (prefix(&s, end, "mx:")) {
            if (split_name(s, end, &name, &name_len, &value, &vend)) {
                add_mx(&m, name, name_len, value, vend);
            }
        } else if (prefix(&s, end, "domain:")) {
            copy_value(st.helo, sizeof(st.helo), s, end);
        } else if (prefix(&s, end, "sender:")) {
            copy_value(st.sender, sizeof(st.sender), s, end);
        } else if (prefix(&s, end, "ip:")) {
            copy_value(st.ip, sizeof(st.ip), s, end);
        } else if (prefix(&s, end, "expect:")) {
            expect(file, &m, &st, s, end, dl, t);
        }
    }
    fclose(f);
    map_free(&m);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The deliberate list beside this source file unless one is given. */
static void default_deliberate(char *buf, size_t size)
{
    const char *src = __FILE__;
    const char *slash = strrchr(src, '/');
    size_t dir = slash ? (size_t)(slash - src) : 0;
    snprintf(buf, size, "%.*s%sspf_mailauth.deliberate", (int)dir, src, slash ? "/" : "");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: spf_mailauth FOLDER [DELIBERATE-LIST]\n");
        return 2;
    }
    struct stat sb;
    if (stat(argv[1], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("SKIPPED: %s is absent because the shared conformance suites are not beside "
               "this clone (set -DMS_CONFORMANCE_DIR=...)\n",
               argv[1]);
        return 77;
    }
    char dl_path[4096];
    if (argc > 2) {
        snprintf(dl_path, sizeof(dl_path), "%s", argv[2]);
    } else {
        default_deliberate(dl_path, sizeof(dl_path));
    }
    deliberate dl;
    deliberate_load(dl_path, &dl);

    DIR *d = opendir(argv[1]);
    if (d == NULL) {
        printf("FAIL: cannot read %s\n", argv[1]);
        return 1;
    }
    char *files[256];
    size_t n_files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n_files < 256) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".yml") == 0) {
            files[n_files] = malloc(len + 1);
            if (files[n_files] != NULL) {
                memcpy(files[n_files++], e->d_name, len + 1);
            }
        }
    }
    closedir(d);
    qsort(files, n_files, sizeof(files[0]), cmp_names);
    totals t = {0, 0, 0};
    for (size_t i = 0; i < n_files; i++) {
        run_file(argv[1], files[i], &dl, &t);
        free(files[i]);
    }
    if (n_files == 0) {
        printf("FAIL: no .yml file in %s\n", argv[1]);
        t.failed++;
    }
    printf("%s: %zu files, %u deliberate differences\n", argv[1], n_files, t.known);
    printf("%u passed, %u failed\n", t.passed, t.failed);
    return t.failed ? 1 : 0;
}
