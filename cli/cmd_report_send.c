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

#include "report_send.h"
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

/* ---- reading a report file ---------------------------------------------------------------- */

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
            send_skip(c, arena, f, label, "only mailto: URIs are supported (RFC 9990 §3.5.3)");
            continue;
        }
        const char *bad = send_address_refused(u->address);
        if (bad != NULL) {
            send_skip(c, arena, f, label, bad);
            continue;
        }
        send_deliver(c, arena, f, u, &taken);
    }
    ms_arena_free(arena);
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
            if (send_address_refused(optarg) != NULL) {
                fprintf(stderr, "mailseal: --from %s: %s\n", optarg, send_address_refused(optarg));
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
