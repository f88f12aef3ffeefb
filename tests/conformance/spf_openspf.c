/* SPDX-License-Identifier: MIT */
/* Runs the openspf RFC 7208 / RFC 4408 YAML suites (shared/conformance/spf/openspf) against
 * ms_spf_check, reproducing pyspf's harness DNS (see SOURCES.md §1a): names not listed are
 * NXDOMAIN, SPF records are served as TXT unless a TXT entry exists, TIMEOUT items are
 * temporary failures, a list of acceptable results accepts any of them, and the explanation
 * is compared where given (the default explanation is the string "DEFAULT").
 *
 *   spf_openspf SUITE.yml [--skip-list FILE]
 *
 * Prints one line per failing test and a closing "N passed, N failed" line; exit 1 on any
 * failure that is not listed as a deliberate difference (spf_openspf_SUITE.deliberate beside this
 * file). */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliberate.h"
#include "mailseal/mailseal.h"
#include "yamltree.h"

/* The harness resolver cannot hold every name (labels over 63): such records are absent. */
static void soft(ms_status st)
{
    (void)st;
}

static bool add_txt(ms_resolver *z, const char *name, uint16_t type, yaml_document_t *doc,
                    yaml_node_t *v)
{
    char data[8192];
    uint8_t lens[64];
    size_t len = 0, n = 0;
    if (v->type == YAML_SCALAR_NODE) {
        size_t l = yt_len(v);
        if (l > 255 || l >= sizeof(data)) {
            l = l < sizeof(data) ? l : sizeof(data) - 1; /* the suite has no such strings */
        }
        memcpy(data, yt_str(v), l);
        len = l;
        lens[n++] = (uint8_t)(l > 255 ? 255 : l);
    } else if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = v->data.sequence.items.start;
             it < v->data.sequence.items.top && n < 64; it++) {
            yaml_node_t *s = yaml_document_get_node(doc, *it);
            size_t l = yt_len(s);
            if (len + l >= sizeof(data)) {
                break;
            }
            memcpy(data + len, yt_str(s), l);
            len += l;
            lens[n++] = (uint8_t)(l > 255 ? 255 : l);
        }
    }
    data[len] = '\0';
    ms_dns_rr rr = {.type = type, .ttl = 300};
    rr.u.txt.data = data;
    rr.u.txt.len = len;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = n;
    return ms_zone_add(z, name, &rr) == MS_OK;
}

/* Build the zone view of one scenario. */
static ms_resolver *build_zone(yaml_document_t *doc, yaml_node_t *zonedata)
{
    ms_resolver *z;
    if (ms_resolver_new_zone(&z) != MS_OK) {
        return NULL;
    }
    if (zonedata == NULL || zonedata->type != YAML_MAPPING_NODE) {
        return z;
    }
    for (yaml_node_pair_t *p = zonedata->data.mapping.pairs.start;
         p < zonedata->data.mapping.pairs.top; p++) {
        const char *name = yt_str(yaml_document_get_node(doc, p->key));
        yaml_node_t *items = yaml_document_get_node(doc, p->value);
        if (name == NULL || items == NULL || items->type != YAML_SEQUENCE_NODE) {
            continue;
        }
        bool has_txt = false;
        for (yaml_node_item_t *it = items->data.sequence.items.start;
             it < items->data.sequence.items.top; it++) {
            yaml_node_t *item = yaml_document_get_node(doc, *it);
            if (yt_get(doc, item, "TXT")) {
                has_txt = true;
            }
        }
        for (yaml_node_item_t *it = items->data.sequence.items.start;
             it < items->data.sequence.items.top; it++) {
            yaml_node_t *item = yaml_document_get_node(doc, *it);
            const char *bare = yt_str(item);
            if (bare && strcmp(bare, "TIMEOUT") == 0) {
                soft(ms_zone_add_fault(z, name, 0, MS_DNS_TEMPFAIL, "timeout"));
                continue;
            }
            if (item == NULL || item->type != YAML_MAPPING_NODE) {
                continue;
            }
            yaml_node_pair_t *kv = item->data.mapping.pairs.start;
            const char *type = yt_str(yaml_document_get_node(doc, kv->key));
            yaml_node_t *val = yaml_document_get_node(doc, kv->value);
            const char *sval = yt_str(val);
            if (type == NULL) {
                continue;
            }
            uint16_t t = 0;
            if (strcmp(type, "A") == 0) {
                t = MS_DNS_A;
            } else if (strcmp(type, "AAAA") == 0) {
                t = MS_DNS_AAAA;
            } else if (strcmp(type, "MX") == 0) {
                t = MS_DNS_MX;
            } else if (strcmp(type, "PTR") == 0) {
                t = MS_DNS_PTR;
            } else if (strcmp(type, "CNAME") == 0) {
                t = MS_DNS_CNAME;
            } else if (strcmp(type, "TXT") == 0) {
                t = MS_DNS_TXT;
            } else if (strcmp(type, "SPF") == 0) {
                t = MS_DNS_SPF;
            } else {
                continue;
            }
            if (sval && strcmp(sval, "TIMEOUT") == 0) {
                soft(ms_zone_add_fault(z, name, t, MS_DNS_TEMPFAIL, "timeout"));
                if (t == MS_DNS_SPF && !has_txt) {
                    soft(ms_zone_add_fault(z, name, MS_DNS_TXT, MS_DNS_TEMPFAIL, "timeout"));
                }
                continue;
            }
            if (sval && strcmp(sval, "NONE") == 0) {
                continue;
            }
            ms_dns_rr rr = {.type = t, .ttl = 300};
            switch (t) {
            case MS_DNS_A:
                if (sval == NULL || inet_pton(AF_INET, sval, rr.u.a) != 1) {
                    continue;
                }
                break;
            case MS_DNS_AAAA:
                if (sval == NULL || inet_pton(AF_INET6, sval, rr.u.aaaa) != 1) {
                    continue;
                }
                break;
            case MS_DNS_MX: {
                if (val->type != YAML_SEQUENCE_NODE) {
                    continue;
                }
                yaml_node_item_t *mi = val->data.sequence.items.start;
                const char *pref = yt_str(yaml_document_get_node(doc, mi[0]));
                const char *ex = yt_str(yaml_document_get_node(doc, mi[1]));
                rr.u.mx.preference = (uint16_t)strtoul(pref ? pref : "0", NULL, 10);
                rr.u.mx.exchange = ex ? ex : "";
                break;
            }
            case MS_DNS_PTR:
            case MS_DNS_CNAME:
                rr.u.name = sval ? sval : "";
                break;
            case MS_DNS_TXT:
            case MS_DNS_SPF:
                (void)add_txt(z, name, MS_DNS_TXT == t ? MS_DNS_TXT : MS_DNS_SPF, doc, val);
                if (t == MS_DNS_SPF && !has_txt) {
                    (void)add_txt(z, name, MS_DNS_TXT, doc, val); /* SPF -> TXT copying */
                }
                continue;
            }
            /* Names the harness resolver cannot hold (labels over 63) are simply absent. */
            soft(ms_zone_add(z, name, &rr));
        }
    }
    return z;
}

static bool result_ok(yaml_node_t *want, yaml_document_t *doc, const char *got)
{
    const char *s = yt_str(want);
    if (s) {
        return strcmp(s, got) == 0;
    }
    if (want && want->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = want->data.sequence.items.start;
             it < want->data.sequence.items.top; it++) {
            const char *w = yt_str(yaml_document_get_node(doc, *it));
            if (w && strcmp(w, got) == 0) {
                return true;
            }
        }
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: spf_openspf SUITE.yml [DELIBERATE-LIST]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        printf("SKIPPED: %s is absent (the shared conformance suites are not beside this "
               "clone; set -DMS_CONFORMANCE_DIR=...)\n",
               argv[1]);
        return 77;
    }
    deliberate dl;
    deliberate_load(argc > 2 ? argv[2] : NULL, &dl);
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    unsigned passed = 0, failed = 0, known = 0, scenarios = 0;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            fprintf(stderr, "YAML error: %s at line %zu\n", parser.problem,
                    parser.problem_mark.line + 1);
            failed++;
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL) {
            yaml_document_delete(&doc);
            break;
        }
        scenarios++;
        yaml_node_t *tests = yt_get(&doc, root, "tests");
        ms_resolver *zone = build_zone(&doc, yt_get(&doc, root, "zonedata"));
        for (yaml_node_pair_t *p = tests ? tests->data.mapping.pairs.start : NULL;
             tests && p < tests->data.mapping.pairs.top; p++) {
            const char *id = yt_str(yaml_document_get_node(&doc, p->key));
            yaml_node_t *t = yaml_document_get_node(&doc, p->value);
            ms_spf_request req = {
                .client_ip = yt_str(yt_get(&doc, t, "host")),
                .mail_from = yt_str(yt_get(&doc, t, "mailfrom")),
                .helo = yt_str(yt_get(&doc, t, "helo")),
                .identity = MS_SPF_IDENTITY_MAILFROM,
                .receiver = "receiver.example",
                .now = 1700000000,
            };
            ms_spf_options opt;
            ms_spf_options_default(&opt);
            opt.default_explanation = "DEFAULT";
            ms_arena *arena;
            if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
                return 1;
            }
            ms_spf_verdict v;
            ms_status st = ms_spf_check(zone, &opt, &req, arena, &v, NULL);
            const char *got = st == MS_OK ? ms_spf_result_name(v.result) : ms_status_name(st);
            yaml_node_t *want = yt_get(&doc, t, "result");
            bool ok = st == MS_OK && result_ok(want, &doc, got);
            const char *want_exp = yt_str(yt_get(&doc, t, "explanation"));
            if (ok && want_exp && v.result == MS_SPF_FAIL &&
                (v.explanation == NULL || strcmp(v.explanation, want_exp) != 0)) {
                ok = false;
            }
            if (ok) {
                passed++;
            } else if (deliberate_has(&dl, id)) {
                known++;
                printf("deliberate difference: %s: got %s (listed as a deliberate difference)\n",
                       id, got);
            } else {
                failed++;
                const char *ws = yt_str(want);
                printf("FAIL %s: got %s, want %s; explanation got \"%s\" want \"%s\"; "
                       "reason: %s; detail: %s\n",
                       id, got, ws ? ws : "(one of a list)", v.explanation ? v.explanation : "",
                       want_exp ? want_exp : "", v.reason ? v.reason : "",
                       v.detail ? v.detail : "");
            }
            ms_arena_free(arena);
        }
        ms_resolver_free(zone);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    printf("%s: %u scenarios, %u deliberate differences\n", argv[1], scenarios, known);
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
