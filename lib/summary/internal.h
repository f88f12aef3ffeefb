/* SPDX-License-Identifier: MIT */
/* What the parts of the report summary share: the tallies summary.c collects while reports are
 * fed, and the helpers the advice (advice.c) and the formats (text.c, json.c, html.c) use. */
#ifndef MS_SUMMARY_INTERNAL_H
#define MS_SUMMARY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/limits.h"
#include "mailseal/summary.h"

/* A short list of names with counts, at most MS_LIMIT_SUMMARY_NAMES (more are dropped). */
typedef struct ms__sum_names {
    ms_summary_count *items;
    size_t n;
} ms__sum_names;

typedef struct ms__sum_source {
    struct ms__sum_source *next_hash, *next_all;
    ms_summary_source pub; /* the counters; the name lists below become its arrays */
    ms__sum_names header_from, dkim_domains, spf_domains, reporters;
    bool looked_up;
} ms__sum_source;

struct ms_summary {
    ms_arena *arena;
    ms_summary_options opt;
    /* sources: a chained hash table on the normalised IP, and a list in arrival order */
    ms__sum_source **buckets;
    size_t n_buckets, n_sources;
    ms__sum_source *all;
    uint64_t other_sources, other_messages;
    /* the report the last record came from, to count reports */
    char last_org[MS_LIMIT_SUMMARY_FIELD + 1], last_id[MS_LIMIT_SUMMARY_FIELD + 1];
    int64_t last_begin;
    bool have_last;
    ms_summary_day *days;
    size_t n_days, cap_days;
    ms_summary_reporter *reporters;
    size_t n_reporters, cap_reporters;
    ms_summary_domain *domains;
    int64_t *domain_end; /* the end of the newest report each domain's policy came from */
    size_t n_domains, cap_domains;
    ms_summary_failure_source *fsources;
    size_t n_fsources, cap_fsources;
    ms_summary_tls_domain *tls_domains;
    size_t n_tls_domains, cap_tls_domains;
    ms_summary_tls_failure *tls_failures;
    size_t n_tls_failures, cap_tls_failures;
    ms_summary_result result;
    uint64_t reports, messages, dmarc_pass, dkim_aligned, spf_aligned, quarantined, rejected;
    uint64_t failure_reports, failure_incidents, tls_reports;
    int64_t first_seen, last_seen;
};

/* The advice for a computed result (advice.c): into s->arena. */
ms_status ms__summary_advise(ms_arena *arena, ms_summary_result *r);

/* Formats (text.c, json.c, html.c), each appending to b. */
void ms__summary_text(ms__buf *b, const ms_summary_result *r, bool colour);
void ms__summary_csv(ms__buf *b, const ms_summary_result *r);
ms_status ms__summary_json(ms__buf *b, const ms_summary_result *r);
void ms__summary_html(ms__buf *b, const ms_summary_result *r);

/* Helpers (text.c). */
/* "1,204" into buf. */
const char *ms__summary_num(uint64_t n, char *buf, size_t len);
/* "98.7%" ("100%", "0%") of part in whole into buf; "-" when whole is 0. */
const char *ms__summary_pct(uint64_t part, uint64_t whole, char *buf, size_t len);
/* What a source is called in words: "203.0.113.9 (mail.example.net, Amazon SES)". */
const char *ms__summary_source_words(ms_arena *arena, const ms_summary_source *s);
/* s with every byte that is not valid UTF-8 replaced by U+FFFD (json.c); NULL for NULL. */
const char *ms__summary_utf8(ms_arena *arena, const char *s);
/* A string from a report made safe for a terminal: control bytes and non-ASCII shown as '?'. */
const char *ms__summary_clean(ms_arena *arena, const char *s);

#endif
