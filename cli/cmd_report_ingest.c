/* SPDX-License-Identifier: MIT */
/* `mailseal report ingest SOURCE...`: receive DMARC aggregate and failure reports and SMTP TLS
 * reports into the store, loss-free (lib/ingest, include/mailseal/ingest.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mailseal/ingest.h"
#include "store_option.h"

static const char USAGE[] =
    "usage: mailseal report ingest [options] SOURCE...\n"
    "\n"
    "Stores the DMARC aggregate reports (RFC 9990, RFC 7489), failure reports (RFC 6591) and\n"
    "SMTP TLS reports (RFC 8460) found in each SOURCE:\n"
    "  FILE                 .xml, .xml.gz, .zip, .json, or a message (.eml) carrying them\n"
    "  DIRECTORY            every file in it, Maildir folders in it read as Maildir\n"
    "  MAILDIR              new/ and cur/; a message done is moved to cur/ with the Seen flag\n"
    "  MBOX                 a file of \"From \"-separated messages (left as it is)\n"
    "  imaps://USER@HOST[:PORT]/MAILBOX\n"
    "                       messages not yet flagged $MailsealIngested; flagged once stored\n"
    "A report is marked done only after the store committed it; one that cannot be read is\n"
    "kept aside with the reason (printed) and not read again on the next run.\n"
    "\n"
    "options:\n" CLI_STORE_HELP
    "  --password-file F    the IMAP password is the first line of F (else the environment\n"
    "                       variable MAILSEAL_IMAP_PASSWORD)\n"
    "  --cacert FILE        trust the CAs in FILE (PEM) for the IMAP server's certificate\n"
    "                       (the certificate is always verified)\n"
    "  -q, --quiet          print only what was kept aside and the summary\n"
    "\n"
    "exit status: 0 everything was stored (or was already), 3 something was kept aside,\n"
    "1 a source could not be read or the store failed, 2 usage error\n";

enum { OPT_STORE = OPT_FIRST_LOCAL, OPT_PASSWORD_FILE, OPT_CACERT };

typedef struct {
    bool quiet;
    bool progress; /* stderr is a terminal: one updating line */
    bool progress_shown;
    const ms_ingest_stats *stats;
} ingest_ui;

static void clear_progress(ingest_ui *ui)
{
    if (ui->progress_shown) {
        fputs("\r\033[K", stderr);
        ui->progress_shown = false;
    }
}

static void on_item(void *user, const ms_ingest_event *ev)
{
    ingest_ui *ui = user;
    bool show =
        ev->outcome == MS_INGEST_KEPT_ASIDE || (!ui->quiet && ev->outcome != MS_INGEST_SEEN);
    if (show) {
        clear_progress(ui);
        switch (ev->outcome) {
        case MS_INGEST_STORED:
            printf("stored      %s: %zu new, %zu duplicate\n", ev->item, ev->n_added,
                   ev->n_duplicate);
            break;
        case MS_INGEST_DUPLICATE:
            printf("duplicate   %s: %zu already stored\n", ev->item, ev->n_duplicate);
            break;
        default:
            printf("kept-aside  %s: %s\n", ev->item, ev->reason);
            break;
        }
        fflush(stdout);
    }
    if (ui->progress) {
        const ms_ingest_stats *s = ui->stats;
        fprintf(stderr,
                "\r\033[Kingest: %llu items: %llu stored, %llu duplicate, %llu kept aside, %llu "
                "done before",
                (unsigned long long)s->items, (unsigned long long)s->stored,
                (unsigned long long)s->duplicate, (unsigned long long)s->kept_aside,
                (unsigned long long)s->seen);
        ui->progress_shown = true;
    }
}

/* The first line of path, without its line end, into buf. */
static bool read_password(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return false;
    }
    bool ok = fgets(buf, (int)len, f) != NULL;
    (void)fclose(f);
    if (!ok) {
        fprintf(stderr, "mailseal report ingest: %s is empty\n", path);
        return false;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return true;
}

int cmd_report_ingest(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"store", 1, NULL, OPT_STORE},   {"password-file", 1, NULL, OPT_PASSWORD_FILE},
        {"cacert", 1, NULL, OPT_CACERT}, {"quiet", 0, NULL, 'q'},
        {"help", 0, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *store_uri = NULL, *password_file = NULL, *cacert = NULL;
    ingest_ui ui = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_STORE:
            store_uri = optarg;
            break;
        case OPT_PASSWORD_FILE:
            password_file = optarg;
            break;
        case OPT_CACERT:
            cacert = optarg;
            break;
        case 'q':
            ui.quiet = true;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return CLI_OK;
        default:
            fputs(USAGE, stderr);
            return CLI_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("mailseal report ingest: no SOURCE given\n\n", stderr);
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    static char password[1024];
    const char *pw = getenv("MAILSEAL_IMAP_PASSWORD");
    if (password_file) {
        if (!read_password(password_file, password, sizeof password)) {
            return CLI_FAILED;
        }
        pw = password;
    }
    ms_store *store = cli_store_open("report ingest", store_uri);
    if (!store) {
        return CLI_FAILED;
    }
    ms_ingest_stats stats = {0};
    ui.stats = &stats;
    ui.progress = isatty(STDERR_FILENO) == 1;
    ms_ingest_options opt = {pw, cacert, on_item, &ui};
    int rc = CLI_OK;
    for (int k = optind; k < argc; k++) {
        char err[512] = "";
        ms_status st = ms_ingest(store, argv[k], &opt, &stats, err, sizeof err);
        if (st != MS_OK) {
            clear_progress(&ui);
            fprintf(stderr, "mailseal report ingest: %s: %s\n", argv[k],
                    err[0] ? err : ms_status_str(st));
            rc = CLI_FAILED;
        }
    }
    clear_progress(&ui);
    printf("ingest: %llu items: %llu stored, %llu duplicate, %llu kept aside, %llu done before; "
           "%llu reports new, %llu duplicate\n",
           (unsigned long long)stats.items, (unsigned long long)stats.stored,
           (unsigned long long)stats.duplicate, (unsigned long long)stats.kept_aside,
           (unsigned long long)stats.seen, (unsigned long long)stats.reports_added,
           (unsigned long long)stats.reports_duplicate);
    ms_store_close(store);
    memset(password, 0, sizeof password);
    if (rc == CLI_OK && stats.kept_aside > 0) {
        rc = 3;
    }
    return rc;
}
