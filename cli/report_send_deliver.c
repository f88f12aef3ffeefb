/* SPDX-License-Identifier: MIT */
/* `mailseal report send`: one report (an aggregate report file or a queued failure report) to
 * one destination: the address checked (RFC 6068, RPT-17), the destination's consent verified
 * (RFC 9990 §4, RFC 9991 §5), the message made (RFC 9990 §3.5.2; the failure report as queued
 * with a To field), mailed through the relay with libcurl, and the outcome kept in the store's
 * outbox with backoff and give-up (migration 0003). */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_send.h"

/* ---- destinations ------------------------------------------------------------------------- */

/* RFC 5322 §3.2.3 atext. */
static bool is_atext(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$&'*+-/=?^_`{|}~", c) != NULL);
}

/* dot-atom-text (RFC 5322 §3.2.3): what a Report-ID and an address's local part may be. */
static bool dot_atom(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.') {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '.' ? (k > 0 && s[k - 1] == '.') : !is_atext(s[k])) {
            return false;
        }
    }
    return true;
}

/* The address of a mailto: URI (RFC 6068) must be one plain local@domain: no percent-encoding
 * (a %0d%0a would put a line end into the SMTP command or the To field), no hfields, one '@'.
 * NULL when acceptable, else why not (bad-inputs RPT-17). */
const char *send_address_refused(const char *addr)
{
    if (addr == NULL || addr[0] == '\0') {
        return "an empty mailto: address (RFC 6068 §2)";
    }
    if (strchr(addr, '%') != NULL || strchr(addr, '\r') != NULL || strchr(addr, '\n') != NULL) {
        return "a percent-encoded or control character in the address (RFC 6068 §5: no header "
               "injection)";
    }
    const char *at = strchr(addr, '@');
    if (at == NULL || strchr(at + 1, '@') != NULL) {
        return "not one address local@domain (RFC 6068 §2)";
    }
    if (!dot_atom(addr, (size_t)(at - addr)) || at[1] == '\0') {
        return "the local part is not a dot-atom (RFC 5322 §3.4.1)";
    }
    for (const char *c = at + 1; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '.')) {
            return "the domain is not a host name (RFC 6068 §2)";
        }
    }
    return NULL;
}

typedef enum { AUTH_YES, AUTH_NO, AUTH_TEMP } auth_result;

/* RFC 9990 §4: is dest_domain willing to receive reports for policy_domain? *override gets
 * the address its confirming record's rua= names instead (step 9), or stays NULL. */
static auth_result authorised(send_ctx *c, ms_arena *arena, const char *policy_domain,
                              const char *dest_domain, bool failure, const char **override,
                              char *why, size_t why_len)
{
    *override = NULL;
    ms_dmarc_options opt;
    ms_dmarc_options_default(&opt);
    const char *org_policy = NULL, *org_dest = NULL;
    if (ms_dmarc_org_domain(c->resolver, &opt, policy_domain, arena, &org_policy, NULL) != MS_OK ||
        ms_dmarc_org_domain(c->resolver, &opt, dest_domain, arena, &org_dest, NULL) != MS_OK ||
        org_policy == NULL || org_dest == NULL) {
        (void)snprintf(why, why_len, "the organizational domains could not be determined");
        return AUTH_TEMP;
    }
    if (strcmp(org_policy, org_dest) == 0) {
        return AUTH_YES; /* the same organization: no verification (RFC 9990 §4) */
    }
    char name[600];
    int n = snprintf(name, sizeof name, "%s._report._dmarc.%s", policy_domain, dest_domain);
    if (n <= 0 || (size_t)n >= sizeof name || n > 253) {
        (void)snprintf(why, why_len,
                       "%s._report._dmarc.%s is longer than DNS allows (RFC 9990 "
                       "§4 step 4)",
                       policy_domain, dest_domain);
        return AUTH_NO;
    }
    const ms_dns_answer *ans = NULL;
    if (ms_resolver_query(c->resolver, name, 16 /* TXT */, arena, &ans) != MS_OK) {
        (void)snprintf(why, why_len, "%.260s: the query could not be asked", name);
        return AUTH_TEMP;
    }
    if (ans->rcode == MS_DNS_TEMPFAIL) {
        (void)snprintf(why, why_len, "%.260s: DNS temporary failure (%.60s)", name,
                       ans->why ? ans->why : "?");
        return AUTH_TEMP;
    }
    for (size_t k = 0; k < ans->n_rr; k++) {
        const char *txt = ans->rr[k].u.txt.data;
        size_t len = ans->rr[k].u.txt.len;
        if (!ms_dmarc_is_record(txt, len)) {
            continue;
        }
        /* Step 9: a rua= here replaces the domain owner's, on the same destination host only;
         * naming another host voids both (no report to either). For failure reports, ruf=
         * (RFC 9991 §5). */
        const ms_dmarc_record *rec = NULL;
        ms_dmarc_parse_error perr;
        if (ms_dmarc_record_parse(txt, len, arena, &rec, &perr) == MS_OK &&
            (failure ? rec->n_ruf : rec->n_rua) > 0) {
            const ms_dmarc_uri *uris = failure ? rec->ruf : rec->rua;
            size_t n_uris = failure ? rec->n_ruf : rec->n_rua;
            for (size_t i = 0; i < n_uris; i++) {
                const ms_dmarc_uri *o = &uris[i];
                if (o->domain == NULL || strcmp(o->domain, dest_domain) != 0 ||
                    send_address_refused(o->address) != NULL) {
                    (void)snprintf(why, why_len,
                                   "%.260s overrides the destination with %.80s, not an address "
                                   "at %.60s: no report to either (RFC 9990 §4)",
                                   name, o->uri, dest_domain);
                    return AUTH_NO;
                }
            }
            *override = uris[0].address;
        }
        return AUTH_YES;
    }
    (void)snprintf(
        why, why_len,
        "%.260s has no TXT \"v=DMARC1\": %.60s did not agree to receive reports for %.60s (RFC "
        "9990 §4)",
        name, dest_domain, policy_domain);
    return AUTH_NO;
}

/* ---- the message (RFC 9990 §3.5.2) ---------------------------------------------------------- */

typedef struct strbuf {
    char *p;
    size_t n;
    FILE *f;
} strbuf;

static void b64_lines(FILE *f, const uint8_t *d, size_t n)
{
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t col = 0;
    for (size_t k = 0; k < n; k += 3) {
        uint32_t v = (uint32_t)d[k] << 16;
        if (k + 1 < n) {
            v |= (uint32_t)d[k + 1] << 8;
        }
        if (k + 2 < n) {
            v |= d[k + 2];
        }
        char q[4] = {T[(v >> 18) & 63], T[(v >> 12) & 63], k + 1 < n ? T[(v >> 6) & 63] : '=',
                     k + 2 < n ? T[v & 63] : '='};
        fwrite(q, 1, 4, f);
        col += 4;
        if (col == 76) { /* RFC 2045 §6.8: at most 76 characters a line */
            fputs("\r\n", f);
            col = 0;
        }
    }
    if (col > 0) {
        fputs("\r\n", f);
    }
}

/* Closes the memory stream; false (and nothing kept) when it could not be written. */
static bool strbuf_close(strbuf *out)
{
    if (fclose(out->f) != 0) {
        free(out->p);
        out->p = NULL;
        out->f = NULL;
        return false;
    }
    out->f = NULL;
    return true;
}

static bool build_message(const report_file *f, const char *from, const char *to, int64_t now,
                          strbuf *out)
{
    out->p = NULL;
    out->n = 0;
    out->f = open_memstream(&out->p, &out->n);
    if (out->f == NULL) {
        return false;
    }
    FILE *m = out->f;
    if (f->failure) {
        /* Made whole by the milter (ms_message_failure_reports) but for the To field. */
        fprintf(m, "To: <%s>\r\n", to);
        fwrite(f->message, 1, f->message_len, m);
        return strbuf_close(out);
    }
    char date[64];
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    (void)strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    const char *at = strchr(f->report_id, '@');
    bool rid_ok =
        f->report_id[0] != '\0' && (at ? dot_atom(f->report_id, (size_t)(at - f->report_id)) &&
                                             dot_atom(at + 1, strlen(at + 1))
                                       : dot_atom(f->report_id, strlen(f->report_id)));
    fprintf(m, "From: <%s>\r\nTo: <%s>\r\nDate: %s\r\n", from, to, date);
    /* RFC 9990 §3.5.2 dmarc-subject, folded as its example is. */
    fprintf(m, "Subject: Report Domain: %s\r\n Submitter: %s", f->domain, f->receiver);
    if (rid_ok) {
        fprintf(m, "\r\n Report-ID: <%s>", f->report_id);
    }
    fputs("\r\n", m);
    if (rid_ok && at != NULL) {
        fprintf(m, "Message-ID: <%s>\r\n", f->report_id); /* §3.5.2: may reuse the ridtxt */
    } else {
        fprintf(m, "Message-ID: <%lld.%s!%s@%s>\r\n", (long long)now, f->domain, "report",
                f->receiver);
    }
    static const char B[] = "mailseal-report-boundary-9990";
    fprintf(m,
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
            "This is a DMARC aggregate report in MIME format.\r\n\r\n--%s\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
            "DMARC aggregate report for %s from %s (RFC 9990).\r\n\r\n--%s\r\n",
            B, B, f->domain, f->receiver, B);
    fprintf(m,
            "Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; "
            "filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            f->gzip ? "application/gzip" : "text/xml", f->name, f->name);
    b64_lines(m, f->data, f->len);
    fprintf(m, "\r\n--%s--\r\n", B);
    return strbuf_close(out);
}

typedef struct upload {
    const char *p;
    size_t n, at;
} upload;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *user)
{
    upload *u = user;
    size_t room = size * nitems;
    size_t left = u->n - u->at;
    size_t k = left < room ? left : room;
    memcpy(buf, u->p + u->at, k);
    u->at += k;
    return k;
}

/* SMTP through the relay; false with why filled on failure. */
static bool smtp_send(const send_args *a, const char *from, const char *to, const strbuf *msg,
                      char *why, size_t why_len)
{
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        (void)snprintf(why, why_len, "libcurl could not start");
        return false;
    }
    char from_arg[600], to_arg[600];
    (void)snprintf(from_arg, sizeof from_arg, "<%s>", from);
    (void)snprintf(to_arg, sizeof to_arg, "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, to_arg);
    upload u = {msg->p, msg->n, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    (void)curl_easy_setopt(curl, CURLOPT_URL, a->relay);
    (void)curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from_arg);
    (void)curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    (void)curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    (void)curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    (void)curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    (void)curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    (void)curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
    (void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, 300L);
    (void)curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    /* RFC 9990 §3.5: TLS when the relay offers it. */
    (void)curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    CURLcode rc = rcpt ? curl_easy_perform(curl) : CURLE_OUT_OF_MEMORY;
    if (rc != CURLE_OK) {
        long code = 0;
        (void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        if (code > 0) {
            (void)snprintf(why, why_len, "%s (SMTP reply %ld)",
                           errbuf[0] ? errbuf : curl_easy_strerror(rc), code);
        } else {
            (void)snprintf(why, why_len, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        }
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK;
}

/* ---- one report, one destination ---------------------------------------------------------- */

static int64_t retry_delay(const send_args *a, unsigned attempts)
{
    int64_t d = a->retry_base;
    for (unsigned k = 1; k < attempts && d < SEND_MAX_RETRY_DELAY; k++) {
        d *= 2;
    }
    return d < SEND_MAX_RETRY_DELAY ? d : SEND_MAX_RETRY_DELAY;
}

static void put_entry(send_ctx *c, ms_outbox_entry *e)
{
    if (ms_store_outbox_put(c->store, e) != MS_OK) {
        char err[512] = "";
        ms_store_last_error(c->store, err, sizeof err);
        fprintf(stderr, "mailseal: the outbox was not updated: %s\n", err);
        c->n_failed++;
    }
}

static void say(const report_file *f, const char *dest, const char *what, const char *why)
{
    printf("%s -> %s: %s%s%s\n", f->name, dest, what, why && why[0] ? ": " : "", why ? why : "");
}

/* Records a destination that is not to be sent this report, once. */
void send_skip(send_ctx *c, ms_arena *arena, const report_file *f, const char *dest,
               const char *why)
{
    ms_outbox_entry e;
    bool found = false;
    if (ms_store_outbox_get(c->store, f->name, dest, arena, &e, &found) == MS_OK && found &&
        e.state == MS_OUTBOX_SKIPPED) {
        return; /* already said */
    }
    ms_outbox_entry n = {f->name, f->domain, dest, MS_OUTBOX_SKIPPED, 0, c->now, 0, c->now, why};
    put_entry(c, &n);
    say(f, dest, "skipped", why);
    c->n_skipped++;
}

/* One destination of a report. *taken counts the destinations this report goes to (sent,
 * waiting or tried now); a destination past max_dest is skipped. Not authorised, refused and
 * given-up destinations do not count. */
void send_deliver(send_ctx *c, ms_arena *arena, const report_file *f, const ms_dmarc_uri *u,
                  unsigned *taken)
{
    const send_args *a = c->a;
    const char *dest = u->address;
    ms_outbox_entry e;
    bool found = false;
    if (ms_store_outbox_get(c->store, f->name, dest, arena, &e, &found) != MS_OK) {
        c->n_failed++;
        return;
    }
    if (found && e.state == MS_OUTBOX_SENT) {
        (*taken)++;
        return; /* done with in an earlier run */
    }
    if (found && (e.state == MS_OUTBOX_SKIPPED || e.state == MS_OUTBOX_GAVE_UP)) {
        return;
    }
    if (!found) {
        ms_outbox_entry n = {f->name, f->domain, dest, MS_OUTBOX_PENDING, 0, c->now,
                             0,       c->now,    NULL};
        e = n;
    }
    ms_outbox_destination d;
    if (ms_store_destination_get(c->store, dest, &d) == MS_OK && d.gave_up != 0) {
        e.state = MS_OUTBOX_GAVE_UP;
        e.last_error = "the address was given up after repeated failures";
        put_entry(c, &e);
        say(f, dest, "given up", e.last_error);
        return;
    }
    char why[512] = "";
    const char *override = NULL;
    auth_result auth = u->domain ? authorised(c, arena, f->domain, u->domain, f->failure, &override,
                                              why, sizeof why)
                                 : AUTH_NO;
    const char *to = override ? override : dest; /* where the mail goes */
    if (auth == AUTH_NO) {
        send_skip(c, arena, f, dest, why);
        return;
    }
    if (*taken == a->max_dest) {
        char lim[160];
        (void)snprintf(lim, sizeof lim,
                       "more %s= destinations than the %u this receiver sends a report to "
                       "(RFC 9990 §3.5: the Receiver's limits)",
                       f->failure ? "ruf" : "rua", a->max_dest);
        send_skip(c, arena, f, dest, lim);
        return;
    }
    (*taken)++;
    if (e.next_attempt > c->now) {
        printf("%s -> %s: waiting until %lld (attempt %u failed: %s)\n", f->name, dest,
               (long long)e.next_attempt, e.attempts, e.last_error ? e.last_error : "?");
        c->n_waiting++;
        return;
    }
    if (auth == AUTH_TEMP) {
        /* RFC 9990 §4 step 5: a temporary DNS failure may defer the delivery; it does not
         * count against the address. */
        e.next_attempt = c->now + a->retry_base;
        e.last_error = why;
        put_entry(c, &e);
        say(f, dest, "deferred", why);
        c->n_waiting++;
        return;
    }
    const char *from = a->from ? a->from : f->failure ? f->failure_from : NULL;
    char from_buf[300];
    if (from == NULL) {
        (void)snprintf(from_buf, sizeof from_buf, "noreply-dmarc@%s", f->receiver);
        from = from_buf;
    }
    strbuf msg;
    if (!build_message(f, from, to, c->now, &msg)) {
        fprintf(stderr, "mailseal: out of memory\n");
        c->n_failed++;
        return;
    }
    if (u->max_bytes > 0 && msg.n > u->max_bytes) {
        char lim[160];
        (void)snprintf(lim, sizeof lim,
                       "the report message is %zu bytes, over the %llu bytes the URI's \"!size\" "
                       "allows (RFC 7489 §6.2)",
                       msg.n, (unsigned long long)u->max_bytes);
        free(msg.p);
        (*taken)--;
        send_skip(c, arena, f, dest, lim);
        return;
    }
    bool ok = smtp_send(a, from, to, &msg, why, sizeof why);
    free(msg.p);
    e.attempts++;
    e.last_attempt = c->now;
    ms_outbox_destination nd;
    memset(&nd, 0, sizeof nd);
    if (ms_store_destination_result(c->store, dest, ok, c->now, a->give_up_after,
                                    (int64_t)a->give_up_days * 86400, &nd) != MS_OK) {
        c->n_failed++;
    }
    if (ok) {
        e.state = MS_OUTBOX_SENT;
        e.last_error = NULL;
        char note[400] = "";
        if (override != NULL) {
            (void)snprintf(note, sizeof note,
                           "to %.300s, as the destination's confirming record asks (RFC 9990 §4 "
                           "step 9)",
                           override);
        }
        say(f, dest, "sent", note);
        c->n_sent++;
    } else if (nd.gave_up != 0) {
        e.state = MS_OUTBOX_GAVE_UP;
        e.last_error = why;
        char gave[700];
        (void)snprintf(gave, sizeof gave, "%u failures in a row since %lld, the last: %s",
                       nd.consecutive_failures, (long long)nd.first_failure, why);
        say(f, dest, "given up", gave);
        c->n_failed++;
    } else {
        e.next_attempt = c->now + retry_delay(a, e.attempts);
        e.last_error = why;
        char again[700];
        (void)snprintf(again, sizeof again, "%s; retry after %lld", why, (long long)e.next_attempt);
        say(f, dest, "failed", again);
        c->n_failed++;
    }
    put_entry(c, &e);
}
