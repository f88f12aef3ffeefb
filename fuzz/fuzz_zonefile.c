/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the RFC 1035 §5 master-file parser: load the bytes into a fresh zone
 * view (origin fuzz.example), ask a few questions of what got in, free everything. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        const char *name;
        uint16_t type;
    } questions[] = {
        {"fuzz.example", MS_DNS_TXT},           {"fuzz.example", MS_DNS_MX},
        {"fuzz.example", MS_DNS_SOA},           {"www.fuzz.example", MS_DNS_A},
        {"www.fuzz.example", MS_DNS_AAAA},      {"a.fuzz.example", MS_DNS_CNAME},
        {"a.fuzz.example", MS_DNS_TXT},         {"x.y.fuzz.example", MS_DNS_SPF},
        {"_spf.fuzz.example", MS_DNS_TXT},      {"fuzz.example", MS_DNS_NS},
        {"1.2.0.192.in-addr.arpa", MS_DNS_PTR},
    };
    ms_resolver *zone = NULL;
    ms_arena *arena = NULL;
    ms_zone_error err;
    if (ms_resolver_new_zone(&zone) != MS_OK) {
        return 0;
    }
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        ms_resolver_free(zone);
        return 0;
    }
    ms_status st = ms_zone_load_text(zone, (const char *)data, size, "fuzz.example", &err);
    if (st != MS_OK && st != MS_ENOMEM) {
        /* Every error is located and explained, with a detail that is a C string. */
        if (err.reason == NULL || memchr(err.detail, '\0', sizeof(err.detail)) == NULL) {
            __builtin_trap();
        }
    }
    /* Partial loads are allowed: ask in any case. */
    for (size_t i = 0; i < sizeof(questions) / sizeof(questions[0]); i++) {
        const ms_dns_answer *a = NULL;
        if (ms_resolver_query(zone, questions[i].name, questions[i].type, arena, &a) != MS_OK) {
            break;
        }
        size_t sum = 0;
        for (size_t k = 0; k < a->n_rr; k++) {
            const ms_dns_rr *rr = &a->rr[k];
            if (rr->type == MS_DNS_TXT || rr->type == MS_DNS_SPF) {
                for (size_t s = 0; s < rr->u.txt.n_strings; s++) {
                    sum += rr->u.txt.lens[s];
                }
                if (sum != rr->u.txt.len || rr->u.txt.data[rr->u.txt.len] != '\0') {
                    __builtin_trap(); /* lens must add up to len, data NUL-terminated */
                }
                sum = 0;
            }
        }
    }
    ms_arena_free(arena);
    ms_resolver_free(zone);
    return 0;
}
