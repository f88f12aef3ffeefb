/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the domain audit's SPF, DMARC, provider and bulk-sender parts
 * (lib/check): the bytes, split at '\n', are TXT records: the first at shop.example, the second
 * at _dmarc.shop.example, the others at a.example, b.example, c.example... (which the first
 * can include), then at the same names again. The parts run over that zone; checks that they
 * never stop the audit, that every finding has an id, an area and a message, that the report's
 * caps hold, and that bulk-sender rules are all there. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "check/audit.h"
#include "mailseal/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const OWNERS[] = {"shop.example", "_dmarc.shop.example", "a.example",
                                     "b.example",    "c.example",           "mail.shop.example"};

static void add_txt(ms_resolver *z, const char *owner, const uint8_t *s, size_t len)
{
    uint8_t lens[260];
    size_t n = 0;
    for (size_t done = 0; n < sizeof(lens) && (done < len || n == 0); n++) {
        size_t l = len - done > 255 ? 255 : len - done;
        lens[n] = (uint8_t)l;
        done += l;
    }
    ms_dns_rr rr;
    memset(&rr, 0, sizeof(rr));
    rr.type = MS_DNS_TXT;
    rr.ttl = 300;
    rr.u.txt.data = (const char *)s;
    rr.u.txt.len = len;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = n;
    if (ms_zone_add(z, owner, &rr) != MS_OK) {
        return; /* too long for a TXT record: left out */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_resolver *z = NULL;
    if (size > 256 * 1024 || ms_resolver_new_zone(&z) != MS_OK) {
        return 0;
    }
    size_t start = 0, line = 0;
    for (size_t i = 0; i <= size && line < 24; i++) {
        if (i == size || data[i] == '\n') {
            const char *owner = OWNERS[line % (sizeof(OWNERS) / sizeof(OWNERS[0]))];
            add_txt(z, owner, data + start, i - start);
            line++;
            start = i + 1;
        }
    }
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        ms_resolver_free(z);
        return 0;
    }
    ms_check_options opt;
    ms_check_options_default(&opt);
    ms_check_report report;
    ms__check_ctx c;
    memset(&report, 0, sizeof(report));
    memset(&c, 0, sizeof(c));
    c.resolver = z;
    c.opt = &opt;
    c.arena = arena;
    c.domain = "shop.example";
    c.report = &report;
    report.domain = c.domain;
    void (*const parts[])(ms__check_ctx *) = {ms__check_spf, ms__check_dmarc, ms__check_providers,
                                              ms__check_bulk};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        parts[i](&c);
        if (c.fatal != MS_OK) {
            __builtin_trap(); /* the default arena holds any report of these zones */
        }
    }
    if (report.n_findings > MS_LIMIT_CHECK_FINDINGS ||
        report.n_spf_nodes > MS_LIMIT_CHECK_SPF_NODES || report.n_rules != 14) {
        __builtin_trap();
    }
    for (size_t i = 0; i < report.n_findings; i++) {
        const ms_check_finding *f = &report.findings[i];
        if (f->id == NULL || f->message == NULL || f->message[0] == '\0' ||
            (unsigned)f->area > MS_CHECK_AREA_MESSAGE || (unsigned)f->severity > MS_CHECK_ERROR) {
            __builtin_trap();
        }
        for (const char *p = f->record; p != NULL && *p != '\0'; p++) {
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
                __builtin_trap(); /* quoted records are printable */
            }
        }
    }
    for (size_t i = 0; i < report.n_spf_nodes; i++) {
        const ms_check_spf_node *n = &report.spf_tree[i];
        if (n->domain == NULL || n->lookups_total < n->lookups_own ||
            n->depth > MS_LIMIT_CHECK_SPF_DEPTH || (i == 0) != (n->depth == 0)) {
            __builtin_trap();
        }
    }
    if (report.n_spf_nodes > 0 && c.facts.spf_lookups != report.spf_tree[0].lookups_total) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    ms_resolver_free(z);
    return 0;
}
