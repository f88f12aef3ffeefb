/* SPDX-License-Identifier: MIT */
/* `mailseal dkim sign`: sign a message with one or more keys (RFC 6376 §5, RFC 8463) and print
 * it with its DKIM-Signature fields prepended. Refuses what bad-inputs DKIM-29 forbids. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: mailseal dkim sign --domain D --selector S --key FILE [--selector S2 --key FILE2 ...]\n"
    "                          [options] [FILE]\n"
    "\n"
    "Signs the message in FILE (standard input when FILE is absent or '-') and prints it with\n"
    "one DKIM-Signature field per key prepended (RFC 6376 §5). The algorithm follows the key:\n"
    "rsa-sha256 (RSA, 1024 bits or more; 2048 recommended) or ed25519-sha256 (RFC 8463).\n"
    "Messages whose author is not exactly one From field with one mailbox, or whose From\n"
    "domain is not D or below it, are refused. l= is never written.\n"
    "\n"
    "options:\n"
    "  --domain D           the signing domain (d=)\n"
    "  --selector S         the selector (s=) of the key given in the same position\n"
    "  --key FILE           a PEM private key (RSA or Ed25519); repeat with --selector to sign\n"
    "                       with several keys in one pass\n"
    "  --canon H/B          canonicalization: relaxed/relaxed (default), simple/simple,\n"
    "                       relaxed/simple, simple/relaxed ('relaxed' alone means relaxed/simple)\n"
    "  --headers LIST       fields to sign, colon-separated (default: the RFC 6376 §5.4.1 set);\n"
    "                       From, Subject, Date, To, Cc, Reply-To, Message-ID and Content-Type\n"
    "                       are always oversigned\n"
    "  --identity AUID      i= (\"@D\" or \"user@sub.D\"); none by default\n"
    "  --expire SECONDS     add x= this many seconds after t=\n"
    "  --timestamp T        t= (seconds since 1970) instead of now, for reproducible output\n"
    "  --allow-foreign-from sign even when the From domain is not D or below it\n"
    "\n"
    "exit status: 0 signed, 1 could not sign (refused, unreadable key or message), 2 usage "
    "error\n";

enum {
    OPT_DOMAIN = OPT_FIRST_LOCAL,
    OPT_SELECTOR,
    OPT_KEY,
    OPT_CANON,
    OPT_HEADERS,
    OPT_IDENTITY,
    OPT_EXPIRE,
    OPT_TIMESTAMP,
    OPT_FOREIGN,
};

#define MAX_KEYS 8
#define MAX_KEY_BYTES (64u * 1024u)
#define MAX_MESSAGE_BYTES (64u * 1024u * 1024u)

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "mailseal dkim sign: %s%s%s%s; see 'mailseal dkim sign --help'\n", what,
            arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
    return CLI_USAGE;
}

/* Read all of f up to max bytes into a NUL-terminated malloc'd buffer. NULL when it fails
 * (errno kept) or is too large (errno EFBIG). */
static char *read_all(FILE *f, size_t max, size_t *len)
{
    size_t cap = 64u * 1024u, n = 0;
    char *buf = malloc(cap + 1);
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
        if (n == cap) {
            if (cap >= max) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            cap = cap * 2 > max ? max : cap * 2;
            char *bigger = realloc(buf, cap + 1);
            if (bigger == NULL) {
                free(buf);
                return NULL;
            }
            buf = bigger;
        }
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        return NULL;
    }
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static void wipe(char *p, size_t len)
{
    volatile char *v = p;
    for (size_t i = 0; i < len; i++) {
        v[i] = 0;
    }
}

static bool parse_canon(const char *arg, ms_dkim_signer_options *opt)
{
    const char *slash = strchr(arg, '/');
    size_t hl = slash ? (size_t)(slash - arg) : strlen(arg);
    const char *body = slash ? slash + 1 : "simple"; /* RFC 6376 §3.5 c= */
    ms_dkim_canon *dst[2] = {&opt->canon_header, &opt->canon_body};
    const char *src[2] = {arg, body};
    size_t lens[2] = {hl, strlen(body)};
    for (size_t i = 0; i < 2; i++) {
        if (lens[i] == 7 && strncmp(src[i], "relaxed", 7) == 0) {
            *dst[i] = MS_DKIM_CANON_RELAXED;
        } else if (lens[i] == 6 && strncmp(src[i], "simple", 6) == 0) {
            *dst[i] = MS_DKIM_CANON_SIMPLE;
        } else {
            return false;
        }
    }
    return true;
}

static bool parse_seconds(const char *arg, unsigned long long max, unsigned long long *out)
{
    if (arg[0] < '0' || arg[0] > '9') {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static void print_error(const char *what, const ms_dkim_sign_error *err, ms_status st)
{
    fprintf(stderr, "mailseal dkim sign: %s: %s%s%s%s\n", what,
            err->reason ? err->reason : ms_status_str(st), err->detail[0] ? " (" : "", err->detail,
            err->detail[0] ? ")" : "");
}

/* Read FILE's key and add it under selector: CLI_OK, or the exit status. */
static int add_key(ms_dkim_signer *s, const char *selector, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "mailseal dkim sign: cannot open key %s: %s\n", path, strerror(errno));
        return CLI_FAILED;
    }
    size_t len = 0;
    char *pem = read_all(f, MAX_KEY_BYTES, &len);
    fclose(f);
    if (pem == NULL) {
        fprintf(stderr, "mailseal dkim sign: cannot read key %s: %s\n", path, strerror(errno));
        return CLI_FAILED;
    }
    ms_dkim_sign_error err;
    memset(&err, 0, sizeof(err));
    ms_status st = ms_dkim_signer_add_key(s, selector, pem, len, &err);
    wipe(pem, len);
    free(pem);
    if (st != MS_OK) {
        bool usage = err.kind == MS_DKIM_REFUSAL_OPTIONS;
        fprintf(stderr, "mailseal dkim sign: key %s: %s%s%s%s%s\n", path,
                err.reason ? err.reason : ms_status_str(st), err.detail[0] ? " (" : "", err.detail,
                err.detail[0] ? ")" : "", usage ? "; see 'mailseal dkim sign --help'" : "");
        return usage ? CLI_USAGE : CLI_FAILED;
    }
    return CLI_OK;
}

/* Sign data and print the fields, then the message. */
static int sign_message(const ms_dkim_signer *s, const char *data, size_t len, long long now)
{
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        fputs("mailseal dkim sign: out of memory\n", stderr);
        return CLI_FAILED;
    }
    int rc = CLI_FAILED;
    ms_msg *m = NULL;
    ms_msg_error merr;
    memset(&merr, 0, sizeof(merr));
    ms_status st = ms_msg_parse(data, len, NULL, arena, &m, &merr);
    if (st != MS_OK) {
        fprintf(stderr, "mailseal dkim sign: cannot read the message: %s\n",
                merr.reason ? merr.reason : ms_status_str(st));
        ms_arena_free(arena);
        return CLI_FAILED;
    }
    ms_dkim_sign_error err;
    memset(&err, 0, sizeof(err));
    ms_dkim_signing *g = NULL;
    st = ms_dkim_signing_new(s, m, now, arena, &g, &err);
    if (st != MS_OK) {
        print_error("refused", &err, st);
        ms_arena_free(arena);
        return CLI_FAILED;
    }
    size_t body_len = 0;
    const char *body = ms_msg_body(m, &body_len);
    const char *fields = NULL;
    size_t fields_len = 0;
    st = ms_dkim_signing_body(g, body ? body : "", body ? body_len : 0);
    if (st == MS_OK) {
        st = ms_dkim_signing_end(g, &fields, &fields_len);
    }
    ms_dkim_signing_free(g);
    if (st != MS_OK) {
        fprintf(stderr, "mailseal dkim sign: could not sign: %s\n", ms_status_str(st));
    } else {
        /* A file with LF line ends gets LF fields: mixed line ends make a message ambiguous,
         * and the signature covers the same canonical bytes either way (RFC 6376 §3.4). */
        ms_msg_stats stats;
        ms_msg_get_stats(m, &stats);
        bool lf = stats.header.n_crlf == 0 && stats.header.n_bare_lf > 0;
        for (size_t i = 0; i < fields_len; i++) {
            if (!(lf && fields[i] == '\r')) {
                putchar(fields[i]);
            }
        }
        fwrite(data, 1, len, stdout);
        rc = fflush(stdout) == 0 ? CLI_OK : CLI_FAILED;
    }
    ms_arena_free(arena);
    return rc;
}

int cmd_dkim_sign(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", 0, NULL, 'h'},
        {"domain", 1, NULL, OPT_DOMAIN},
        {"selector", 1, NULL, OPT_SELECTOR},
        {"key", 1, NULL, OPT_KEY},
        {"canon", 1, NULL, OPT_CANON},
        {"headers", 1, NULL, OPT_HEADERS},
        {"identity", 1, NULL, OPT_IDENTITY},
        {"expire", 1, NULL, OPT_EXPIRE},
        {"timestamp", 1, NULL, OPT_TIMESTAMP},
        {"allow-foreign-from", 0, NULL, OPT_FOREIGN},
        {NULL, 0, NULL, 0},
    };
    ms_dkim_signer_options opt;
    ms_dkim_signer_options_default(&opt);
    const char *keys[MAX_KEYS], *selectors[MAX_KEYS];
    size_t n_keys = 0, n_selectors = 0;
    unsigned long long timestamp = 0, expire = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(USAGE, stdout);
            return CLI_OK;
        case OPT_DOMAIN:
            opt.domain = optarg;
            break;
        case OPT_SELECTOR:
        case OPT_KEY:
            if ((c == OPT_KEY ? n_keys : n_selectors) >= MAX_KEYS) {
                return usage_error("at most 8 keys", NULL);
            }
            if (c == OPT_KEY) {
                keys[n_keys++] = optarg;
            } else {
                selectors[n_selectors++] = optarg;
            }
            break;
        case OPT_CANON:
            if (!parse_canon(optarg, &opt)) {
                return usage_error("--canon wants relaxed or simple, as H/B, not", optarg);
            }
            break;
        case OPT_HEADERS:
            opt.headers = optarg;
            break;
        case OPT_IDENTITY:
            opt.auid = optarg;
            break;
        case OPT_EXPIRE:
            if (!parse_seconds(optarg, 99999999999ull, &expire) || expire == 0) {
                return usage_error("--expire wants a number of seconds, not", optarg);
            }
            opt.expire_s = (unsigned long)expire;
            break;
        case OPT_TIMESTAMP:
            if (!parse_seconds(optarg, 99999999999ull, &timestamp) || timestamp == 0) {
                return usage_error("--timestamp wants seconds since 1970, not", optarg);
            }
            break;
        case OPT_FOREIGN:
            opt.allow_foreign_from = true;
            break;
        default:
            return usage_error("unknown option or missing value:",
                               optind > 0 && optind <= argc ? argv[optind - 1] : NULL);
        }
    }
    if (optind + 1 < argc) {
        return usage_error("one message at a time, unexpected", argv[optind + 1]);
    }
    if (opt.domain == NULL || n_keys == 0) {
        return usage_error("--domain and --key (with --selector) are required", NULL);
    }
    if (n_selectors != n_keys) {
        return usage_error("give one --selector for each --key", NULL);
    }
    const char *path = optind < argc ? argv[optind] : "-";
    ms_dkim_signer *s = NULL;
    ms_dkim_sign_error err;
    memset(&err, 0, sizeof(err));
    ms_status st = ms_dkim_signer_new(&opt, &s, &err);
    if (st == MS_EINVAL) {
        fprintf(stderr, "mailseal dkim sign: %s%s%s%s; see 'mailseal dkim sign --help'\n",
                err.reason ? err.reason : "invalid options", err.detail[0] ? " (" : "", err.detail,
                err.detail[0] ? ")" : "");
        return CLI_USAGE;
    }
    if (st != MS_OK) {
        print_error("cannot set up", &err, st);
        return CLI_FAILED;
    }
    for (size_t i = 0; i < n_keys; i++) {
        int rc = add_key(s, selectors[i], keys[i]);
        if (rc != CLI_OK) {
            ms_dkim_signer_free(s);
            return rc;
        }
    }
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) {
        fprintf(stderr, "mailseal dkim sign: cannot open %s: %s\n", path, strerror(errno));
        ms_dkim_signer_free(s);
        return CLI_FAILED;
    }
    size_t len = 0;
    char *data = read_all(in, MAX_MESSAGE_BYTES, &len);
    if (in != stdin) {
        fclose(in);
    }
    int rc = CLI_FAILED;
    if (data == NULL) {
        fprintf(stderr, "mailseal dkim sign: cannot read %s: %s\n", path, strerror(errno));
    } else {
        rc = sign_message(s, data, len, (long long)timestamp);
    }
    free(data);
    ms_dkim_signer_free(s);
    return rc;
}
