/* SPDX-License-Identifier: MIT */
/* `mailseal report send`: mails generated aggregate reports (RFC 9990 §3.5.2) through an SMTP
 * relay (libcurl) to the rua= addresses of each report's policy domain:
 *   - the DMARC record of the policy domain is looked up (RFC 9989 §4.10); its rua= URIs are
 *     taken in order, mailto: only, at most --max-destinations [2] of them (bad-inputs RPT-16);
 *   - an address whose domain is not in the policy domain's organizational domain must be
 *     authorised by "<policy-domain>._report._dmarc.<destination-host>" TXT "v=DMARC1..."
 *     (RFC 9990 §4, RFC 7489 §7.1), otherwise it is skipped;
 *   - a report larger than the URI's "!size" is not sent there (RFC 7489 §6.2);
 *   - an address that is not one plain local@domain (percent-encoded CR/LF, several '@',
 *     header injection) is refused (RPT-17);
 *   - failures are retried on later runs with exponential backoff; an address that failed
 *     --give-up-after times in a row over at least --give-up-days days is given up.
 * The state lives in the store (migration 0003: report_outbox, report_destination).
 *
 * Failure reports (RFC 9991) queued by mailseal-milter's FailureReports or `verify
 * --failure-reports` (migration 0004: failure_out) go out on every run the same way, to the
 * ruf= addresses of the record each was made for, with the same checks: external destinations
 * verified (RFC 9991 §5, with ruf= for rua=), !size, at most --max-destinations, backoff and
 * give-up; outbox entries are named "failure-<id>". */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "store_option.h"

static const char USAGE[] =
    "usage: mailseal report send --relay smtp://HOST:PORT [options] [DIR|FILE...]\n"
    "       mailseal report send --list [--store URI]\n"
    "\n"
    "Mails aggregate reports made by `mailseal report generate` (files named\n"
    "receiver!policy-domain!begin!end.xml.gz) to the rua= addresses of each policy domain's\n"
    "DMARC record, as RFC 9990 §3.5.2 describes the message. Destinations outside the policy\n"
    "domain must publish <policy-domain>._report._dmarc.<their-domain> TXT \"v=DMARC1\" (RFC\n"
    "9990 §4). What was sent, what waits for a retry and what was given up is kept in the\n"
    "store, so running it again (from cron) retries with backoff and never sends twice.\n"
    "Each run also mails the failure reports (RFC 9991) mailseal-milter queued in the store\n"
    "(FailureReports yes) to the ruf= addresses of their domains, with the same checks.\n"
    "\n"
    "options:\n"
    "  --relay URL            the SMTP relay: smtp://HOST:PORT (e.g. the local Postfix)\n"
    "  --from ADDR            the sender (default: noreply-dmarc@RECEIVER, RECEIVER from the file\n"
    "                         name; for failure reports, their From address)\n"
    "  --max-destinations N   rua= addresses a report goes to (default 2)\n"
    "  --give-up-after N      consecutive failures before an address is given up (default 5)\n"
    "  --give-up-days M       ... which must span at least M days (default 3)\n"
    "  --retry-base SECONDS   the first retry delay, doubled at each failure (default 900)\n"
    "  --now SECONDS          act as at this time (seconds since 1970; tests)\n"
    "  --list                 only list the outbox: sent, pending, skipped, given "
    "up\n" CLI_STORE_HELP "\n" CLI_GLOBAL_HELP "\n"
    "exit status: 0 nothing failed (sent, skipped or waiting), 1 a delivery or lookup failed,\n"
    "2 usage error\n";

enum {
    OPT_RELAY = OPT_FIRST_LOCAL,
    OPT_FROM,
    OPT_MAX_DEST,
    OPT_GIVE_UP_AFTER,
    OPT_GIVE_UP_DAYS,
    OPT_RETRY_BASE,
    OPT_NOW,
    OPT_LIST,
    OPT_STORE,
};

#define SEND_MAX_FILE (64u * 1024u * 1024u) /* bytes of one report file read */
#define SEND_MAX_RETRY_DELAY 86400          /* the backoff stops doubling at one day */

typedef struct send_args {
    cli_globals g;
    const char *relay, *from, *store;
    unsigned max_dest, give_up_after, give_up_days;
    long long retry_base, now;
    bool list;
} send_args;

typedef struct send_ctx {
    const send_args *a;
    ms_store *store;
    ms_resolver *resolver;
    int64_t now;
    unsigned n_sent, n_failed, n_skipped, n_waiting;
} send_ctx;

/* ---- reading a report file ---------------------------------------------------------------- */

typedef struct report_file {
    const char *path, *name; /* name: the base name */
    char receiver[256], domain[256];
    uint8_t *data; /* the file (gzip or XML) */
    size_t len;
    bool gzip;
    char report_id[256]; /* "" when it could not be read */
    /* A queued failure report instead: name is "failure-<id>", domain its policy domain. */
    bool failure;
    const char *message; /* the ARF mail without its To field */
    size_t message_len;
    char key[64];
    char failure_from[320]; /* the report's From address */
} report_file;

static bool name_part(const char *s, size_t n, char *out, size_t cap)
{
    if (n == 0 || n >= cap) {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_')) {
            return false;
        }
        out[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = '\0';
    return true;
}

/* receiver!policy-domain!begin!end[!unique-id].xml[.gz] (RFC 9990 §3.5.2). */
static bool parse_name(report_file *f)
{
    const char *n = f->name;
    size_t len = strlen(n);
    if (len > 7 && strcmp(n + len - 7, ".xml.gz") == 0) {
        f->gzip = true;
    } else if (!(len > 4 && strcmp(n + len - 4, ".xml") == 0)) {
        return false;
    }
    const char *b1 = strchr(n, '!');
    const char *b2 = b1 ? strchr(b1 + 1, '!') : NULL;
    return b1 && b2 && name_part(n, (size_t)(b1 - n), f->receiver, sizeof f->receiver) &&
           name_part(b1 + 1, (size_t)(b2 - b1 - 1), f->domain, sizeof f->domain);
}

static bool read_all(const char *path, uint8_t **out, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "mailseal: %s: %s\n", path, strerror(errno));
        return false;
    }
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    bool ok = buf != NULL;
    while (ok) {
        if (n == cap) {
            if (cap >= SEND_MAX_FILE) {
                fprintf(stderr, "mailseal: %s: larger than %u bytes\n", path, SEND_MAX_FILE);
                ok = false;
                break;
            }
            uint8_t *b = realloc(buf, cap * 2);
            if (b == NULL) {
                ok = false;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            ok = !ferror(fp);
            break;
        }
    }
    fclose(fp);
    if (!ok) {
        free(buf);
        return false;
    }
    *out = buf;
    *len = n;
    return true;
}

/* The report's report_id (RFC 9990 §3.1.1.3), for the Subject's Report-ID, as mailseal's
 * report reader sees it (gzip inflated with caps, no DTD or entities). "" when unreadable. */
static void find_report_id(report_file *f, ms_arena *arena)
{
    f->report_id[0] = '\0';
    const ms_report *reps = NULL;
    size_t n = 0;
    ms_report_error err;
    memset(&err, 0, sizeof err);
    if (ms_report_read(f->data, f->len, arena, &reps, &n, &err) == MS_OK && n == 1 &&
        reps[0].kind == MS_REPORT_AGGREGATE && reps[0].aggregate->report_id != NULL) {
        (void)snprintf(f->report_id, sizeof f->report_id, "%s", reps[0].aggregate->report_id);
    } else {
        printf("%s: the report does not read back (%s%s%s): sent without a Report-ID\n", f->name,
               err.reason ? err.reason : "not one aggregate report", err.detail[0] ? ": " : "",
               err.detail);
    }
}

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
static const char *address_refused(const char *addr)
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
                    address_refused(o->address) != NULL) {
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
static void skip(send_ctx *c, ms_arena *arena, const report_file *f, const char *dest,
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
static void deliver(send_ctx *c, ms_arena *arena, const report_file *f, const ms_dmarc_uri *u,
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
        skip(c, arena, f, dest, why);
        return;
    }
    if (*taken == a->max_dest) {
        char lim[160];
        (void)snprintf(lim, sizeof lim,
                       "more %s= destinations than the %u this receiver sends a report to "
                       "(RFC 9990 §3.5: the Receiver's limits)",
                       f->failure ? "ruf" : "rua", a->max_dest);
        skip(c, arena, f, dest, lim);
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
        skip(c, arena, f, dest, lim);
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

static void send_report(send_ctx *c, report_file *f)
{
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        c->n_failed++;
        return;
    }
    find_report_id(f, arena);
    ms_dmarc_options opt;
    ms_dmarc_options_default(&opt);
    ms_dmarc_discovery disc;
    ms_status st = ms_dmarc_discover(c->resolver, &opt, f->domain, arena, &disc, NULL);
    if (st != MS_OK || disc.status == MS_DMARC_DISCOVERY_TEMPERROR) {
        printf("%s: the DMARC record of %s could not be read (%s): try again later\n", f->name,
               f->domain,
               st != MS_OK   ? ms_status_str(st)
               : disc.detail ? disc.detail
                             : "DNS");
        c->n_waiting++;
        ms_arena_free(arena);
        return;
    }
    if (disc.record == NULL || disc.record->n_rua == 0) {
        printf("%s: %s asks for no aggregate reports (no rua= in its DMARC record)\n", f->name,
               f->domain);
        ms_arena_free(arena);
        return;
    }
    for (size_t k = 0; k < disc.record->n_notes; k++) {
        printf("%s: %s's DMARC record: %s\n", f->name, f->domain, disc.record->notes[k]);
    }
    unsigned taken = 0;
    for (size_t k = 0; k < disc.record->n_rua; k++) {
        const ms_dmarc_uri *u = &disc.record->rua[k];
        const char *label = u->address ? u->address : u->uri;
        if (strcmp(u->scheme, "mailto") != 0) {
            skip(c, arena, f, label, "only mailto: URIs are supported (RFC 9990 §3.5.3)");
            continue;
        }
        const char *bad = address_refused(u->address);
        if (bad != NULL) {
            skip(c, arena, f, label, bad);
            continue;
        }
        deliver(c, arena, f, u, &taken);
    }
    ms_arena_free(arena);
}

/* ---- queued failure reports (RFC 9991) ------------------------------------------------------ */

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
    return address_refused(out) == NULL;
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

static int send_failure(void *user, const ms_failure_out *r)
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
            skip(c, arena, &f, label, "only mailto: URIs are supported (RFC 9989 §4.7)");
            continue;
        }
        const char *bad = address_refused(u->address);
        if (bad != NULL) {
            skip(c, arena, &f, label, bad);
            continue;
        }
        deliver(c, arena, &f, u, &taken);
    }
    if (failure_finished(c, arena, &f, rec) &&
        ms_store_failure_out_done(c->store, r->id) != MS_OK) {
        c->n_failed++;
    }
    ms_arena_free(arena);
    return 0;
}

/* ---- listing -------------------------------------------------------------------------------- */

static int list_entry(void *user, const ms_outbox_entry *e)
{
    (void)user;
    printf("%-8s %s -> %s attempts=%u", ms_outbox_state_name(e->state), e->report_file,
           e->destination, e->attempts);
    if (e->state == MS_OUTBOX_PENDING) {
        printf(" next=%lld", (long long)e->next_attempt);
    }
    if (e->last_error) {
        printf(" (%s)", e->last_error);
    }
    putchar('\n');
    return 0;
}

static int list_open(void *user, const ms_outbox_entry *e)
{
    if (e->state == MS_OUTBOX_PENDING || e->state == MS_OUTBOX_GAVE_UP) {
        return list_entry(user, e);
    }
    return 0;
}

/* ---- the command ----------------------------------------------------------------------------- */

static bool parse_unsigned(const char *opt, const char *s, unsigned long long max,
                           unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (s[0] == '-' || end == s || *end != '\0' || errno != 0 || v > max) {
        fprintf(stderr, "mailseal: --%s takes a number up to %llu, got '%s'\n", opt, max, s);
        return false;
    }
    *out = v;
    return true;
}

static void send_path(send_ctx *c, const char *path, const char *name)
{
    report_file f;
    memset(&f, 0, sizeof f);
    f.path = path;
    f.name = name;
    if (!parse_name(&f)) {
        fprintf(stderr,
                "mailseal: %s: not a report file name receiver!policy-domain!begin!end.xml.gz "
                "(RFC 9990 §3.5.2)\n",
                path);
        c->n_failed++;
        return;
    }
    if (!read_all(path, &f.data, &f.len)) {
        c->n_failed++;
        return;
    }
    send_report(c, &f);
    free(f.data);
}

static int by_name(const struct dirent **x, const struct dirent **y)
{
    return strcmp((*x)->d_name, (*y)->d_name);
}

static int only_reports(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && ((n > 7 && strcmp(d->d_name + n - 7, ".xml.gz") == 0) ||
                                   (n > 4 && strcmp(d->d_name + n - 4, ".xml") == 0));
}

int cmd_report_send(int argc, char **argv)
{
    static const struct option LONG[] = {
        {"relay", 1, NULL, OPT_RELAY},
        {"from", 1, NULL, OPT_FROM},
        {"max-destinations", 1, NULL, OPT_MAX_DEST},
        {"give-up-after", 1, NULL, OPT_GIVE_UP_AFTER},
        {"give-up-days", 1, NULL, OPT_GIVE_UP_DAYS},
        {"retry-base", 1, NULL, OPT_RETRY_BASE},
        {"now", 1, NULL, OPT_NOW},
        {"list", 0, NULL, OPT_LIST},
        {"store", 1, NULL, OPT_STORE},
        CLI_GLOBAL_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    send_args a;
    memset(&a, 0, sizeof a);
    a.max_dest = 2;
    a.give_up_after = 5;
    a.give_up_days = 3;
    a.retry_base = 900;
    int o;
    optind = 1;
    unsigned long long v = 0;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (o) {
        case OPT_RELAY:
            a.relay = optarg;
            break;
        case OPT_FROM:
            if (address_refused(optarg) != NULL) {
                fprintf(stderr, "mailseal: --from %s: %s\n", optarg, address_refused(optarg));
                return CLI_USAGE;
            }
            a.from = optarg;
            break;
        case OPT_MAX_DEST:
        case OPT_GIVE_UP_AFTER:
        case OPT_GIVE_UP_DAYS:
            if (!parse_unsigned(LONG[o - OPT_RELAY].name, optarg, 10000, &v) || v == 0) {
                return CLI_USAGE;
            }
            *(o == OPT_MAX_DEST        ? &a.max_dest
              : o == OPT_GIVE_UP_AFTER ? &a.give_up_after
                                       : &a.give_up_days) = (unsigned)v;
            break;
        case OPT_RETRY_BASE:
        case OPT_NOW:
            if (!parse_unsigned(LONG[o - OPT_RELAY].name, optarg, (unsigned long long)INT64_MAX / 4,
                                &v)) {
                return CLI_USAGE;
            }
            *(o == OPT_NOW ? &a.now : &a.retry_base) = (long long)v;
            break;
        case OPT_LIST:
            a.list = true;
            break;
        case OPT_STORE:
            a.store = optarg;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return CLI_OK;
        default:
            if (o >= OPT_DNS && o < OPT_FIRST_LOCAL) {
                if (!cli_global_option(&a.g, o, optarg)) {
                    return CLI_USAGE;
                }
                break;
            }
            fputs(USAGE, stderr);
            return CLI_USAGE;
        }
    }
    if (a.list) {
        ms_store *store = cli_store_open("report send", a.store);
        if (store == NULL) {
            return CLI_FAILED;
        }
        ms_status st = ms_store_outbox_each(store, list_entry, NULL);
        uint64_t queued = 0, dropped = 0;
        int64_t now = a.now > 0 ? (int64_t)a.now : (int64_t)time(NULL);
        if (st == MS_OK) {
            st = ms_store_failure_out_counts(store, now - 86400, &queued, &dropped);
        }
        if (st == MS_OK && queued + dropped > 0) {
            printf("failure reports in the last 24 hours: %llu queued, %llu dropped by the rate "
                   "limits\n",
                   (unsigned long long)queued, (unsigned long long)dropped);
        }
        ms_store_close(store);
        return st == MS_OK ? CLI_OK : CLI_FAILED;
    }
    if (a.relay == NULL) {
        fprintf(stderr,
                "mailseal: give --relay smtp://HOST:PORT (and report files or a folder)\n\n");
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    if (strncmp(a.relay, "smtp://", 7) != 0 && strncmp(a.relay, "smtps://", 8) != 0) {
        fprintf(stderr, "mailseal: --relay is smtp://HOST:PORT or smtps://HOST:PORT\n");
        return CLI_USAGE;
    }
    cli_dns dns;
    if (!cli_dns_open(&a.g, &dns)) {
        return CLI_FAILED;
    }
    ms_store *store = cli_store_open("report send", a.store);
    if (store == NULL) {
        cli_dns_close(&dns);
        return CLI_FAILED;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "mailseal: libcurl could not start\n");
        ms_store_close(store);
        cli_dns_close(&dns);
        return CLI_FAILED;
    }
    send_ctx c = {&a, store, dns.resolver, a.now > 0 ? (int64_t)a.now : (int64_t)time(NULL), 0, 0,
                  0,  0};
    for (int k = optind; k < argc; k++) {
        struct stat sb;
        if (stat(argv[k], &sb) != 0) {
            fprintf(stderr, "mailseal: %s: %s\n", argv[k], strerror(errno));
            c.n_failed++;
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            struct dirent **list = NULL;
            int n = scandir(argv[k], &list, only_reports, by_name);
            if (n < 0) {
                fprintf(stderr, "mailseal: %s: %s\n", argv[k], strerror(errno));
                c.n_failed++;
                continue;
            }
            for (int i = 0; i < n; i++) {
                char path[4096];
                int pn = snprintf(path, sizeof path, "%s/%s", argv[k], list[i]->d_name);
                if (pn > 0 && (size_t)pn < sizeof path) {
                    send_path(&c, path, list[i]->d_name);
                }
                free(list[i]);
            }
            free(list);
        } else {
            const char *slash = strrchr(argv[k], '/');
            send_path(&c, argv[k], slash ? slash + 1 : argv[k]);
        }
    }
    if (ms_store_failure_out_each(store, send_failure, &c) != MS_OK) {
        char err[512] = "";
        ms_store_last_error(store, err, sizeof err);
        fprintf(stderr, "mailseal: the queued failure reports could not be read: %s\n", err);
        c.n_failed++;
    }
    printf("sent %u, failed %u, skipped %u, waiting %u\n", c.n_sent, c.n_failed, c.n_skipped,
           c.n_waiting);
    printf("outbox (pending and given up):\n");
    if (ms_store_outbox_each(store, list_open, NULL) != MS_OK) {
        c.n_failed++;
    }
    curl_global_cleanup();
    ms_store_close(store);
    cli_dns_close(&dns);
    return c.n_failed == 0 ? CLI_OK : CLI_FAILED;
}
