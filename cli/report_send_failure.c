/* SPDX-License-Identifier: MIT */
/* `mailseal report send`: the failure reports (RFC 9991) queued in the store by
 * mailseal-milter's FailureReports or `verify --failure-reports` (migration 0004), each to the
 * ruf= addresses of the DMARC record it was made for, with the checks aggregate reports get
 * (report_send_deliver.c); outbox entries are named "failure-<id>". A report is marked done
 * once every destination was sent, skipped or given up. */
#include <stdio.h>
#include <string.h>

#include "report_send.h"

/* The address of the report's first line "From: <addr>" (ms_message_failure_reports writes it). */
static bool failure_from(const ms_failure_out *r, char *out, size_t cap)
{
    static const char P[] = "From: <";
    size_t pl = sizeof P - 1;
    if (r->message_len <= pl || memcmp(r->message, P, pl) != 0) {
        return false;
    }
    const char *a = r->message + pl;
    const char *end = memchr(a, '>', r->message_len - pl);
    size_t n = end ? (size_t)(end - a) : 0;
    if (n == 0 || n >= cap) {
        return false;
    }
    memcpy(out, a, n);
    out[n] = '\0';
    return send_address_refused(out) == NULL;
}

/* Is every ruf= destination of the report done with (sent, skipped, given up)? */
static bool failure_finished(send_ctx *c, ms_arena *arena, const report_file *f,
                             const ms_dmarc_record *rec)
{
    for (size_t k = 0; k < rec->n_ruf; k++) {
        const ms_dmarc_uri *u = &rec->ruf[k];
        const char *label = u->address ? u->address : u->uri;
        ms_outbox_entry e;
        bool found = false;
        if (ms_store_outbox_get(c->store, f->name, label, arena, &e, &found) != MS_OK || !found ||
            e.state == MS_OUTBOX_PENDING) {
            return false;
        }
    }
    return true;
}

int send_failure(void *user, const ms_failure_out *r)
{
    send_ctx *c = user;
    report_file f;
    memset(&f, 0, sizeof f);
    f.failure = true;
    f.message = r->message;
    f.message_len = r->message_len;
    (void)snprintf(f.key, sizeof f.key, "failure-%lld", (long long)r->id);
    f.name = f.key;
    (void)snprintf(f.domain, sizeof f.domain, "%s", r->policy_domain);
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        c->n_failed++;
        return 0;
    }
    const ms_dmarc_record *rec = NULL;
    ms_dmarc_parse_error perr;
    if (!failure_from(r, f.failure_from, sizeof f.failure_from) ||
        ms_dmarc_record_parse(r->record, strlen(r->record), arena, &rec, &perr) != MS_OK ||
        rec->n_ruf == 0) {
        printf("%s: not sent: its From field or its DMARC record (%s) cannot be read\n", f.name,
               r->record);
        c->n_failed++;
        if (ms_store_failure_out_done(c->store, r->id) != MS_OK) {
            c->n_failed++;
        }
        ms_arena_free(arena);
        return 0;
    }
    unsigned taken = 0;
    for (size_t k = 0; k < rec->n_ruf; k++) {
        const ms_dmarc_uri *u = &rec->ruf[k];
        const char *label = u->address ? u->address : u->uri;
        if (strcmp(u->scheme, "mailto") != 0) {
            send_skip(c, arena, &f, label, "only mailto: URIs are supported (RFC 9989 §4.7)");
            continue;
        }
        const char *bad = send_address_refused(u->address);
        if (bad != NULL) {
            send_skip(c, arena, &f, label, bad);
            continue;
        }
        send_deliver(c, arena, &f, u, &taken);
    }
    if (failure_finished(c, arena, &f, rec) &&
        ms_store_failure_out_done(c->store, r->id) != MS_OK) {
        c->n_failed++;
    }
    ms_arena_free(arena);
    return 0;
}
