/* SPDX-License-Identifier: MIT */
/* `mailseal dkim keygen`: make a key pair (RSA, RFC 8301 §3.2; Ed25519, RFC 8463 §4), keep the
 * private key in S.private (mode 0600, never replaced) and print the key record to publish at
 * S._domainkey.D (RFC 6376 §3.6.1, §3.6.2.1), split in 255-octet strings (RFC 1035 §3.3.14). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char USAGE[] =
    "usage: mailseal dkim keygen --domain D --selector S [--type rsa|ed25519] [--bits N]\n"
    "                            [--out DIR]\n"
    "\n"
    "Makes a DKIM key pair. Writes DIR/S.private (the private key, PEM, mode 0600) and\n"
    "DIR/S.txt (the zone-file line, as opendkim-genkey does); an existing file is never\n"
    "replaced. Prints the TXT record to publish at S._domainkey.D, as a zone-file line and as\n"
    "the plain value a DNS console wants.\n"
    "\n"
    "options:\n"
    "  --domain D      the signing domain (d=)\n"
    "  --selector S    the selector (s=): names the files and the record\n"
    "  --type T        rsa (default) or ed25519 (RFC 8463: not every verifier knows it yet;\n"
    "                  sign with both)\n"
    "  --bits N        RSA modulus size, 1024..8192 (default 2048, RFC 8301 §3.2)\n"
    "  --out DIR       where to write the files (default: the current directory)\n"
    "\n"
    "exit status: 0 written, 1 could not (a file exists, I/O), 2 usage error\n";

enum { OPT_DOMAIN = OPT_FIRST_LOCAL, OPT_SELECTOR, OPT_TYPE, OPT_BITS, OPT_OUT };

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "mailseal dkim keygen: %s%s%s%s; see 'mailseal dkim keygen --help'\n", what,
            arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
    return CLI_USAGE;
}

/* Letters, digits, '-' in dot-separated labels: safe as a file name and a DNS name. */
static bool is_dns_name(const char *s)
{
    size_t label = 0, len = strlen(s);
    if (len == 0 || len > 253) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-') {
                return false;
            }
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   (c == '-' && label > 0)) {
            if (++label > 63) {
                return false;
            }
        } else {
            return false;
        }
    }
    return label > 0 && s[len - 1] != '-';
}

/* The record as zone-file strings: "v=DKIM1; k=T; " then p= in strings of at most 255. */
static void print_strings(FILE *f, const char *type, const char *p, size_t p_len)
{
    fprintf(f, "( \"v=DKIM1; k=%s; \"", type);
    size_t first = p_len < 253 ? p_len : 253;
    fprintf(f, " \"p=%.*s\"", (int)first, p);
    for (size_t at = first; at < p_len; at += 255) {
        size_t n = p_len - at < 255 ? p_len - at : 255;
        fprintf(f, " \"%.*s\"", (int)n, p + at);
    }
    fputs(" )", f);
}

static void print_zone_line(FILE *f, const char *selector, const char *domain, const char *type,
                            const char *p, size_t p_len)
{
    fprintf(f, "%s._domainkey.%s. IN TXT ", selector, domain);
    print_strings(f, type, p, p_len);
    fprintf(f, " ; DKIM key %s for %s\n", selector, domain);
}

static bool write_zone_file(const char *path, const char *selector, const char *domain,
                            const char *type, const char *p, size_t p_len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        return false;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int e = errno;
        close(fd);
        unlink(path);
        errno = e;
        return false;
    }
    print_zone_line(f, selector, domain, type, p, p_len);
    if (fclose(f) != 0) {
        int e = errno;
        unlink(path);
        errno = e;
        return false;
    }
    return true;
}

int cmd_dkim_keygen(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", 0, NULL, 'h'},
        {"domain", 1, NULL, OPT_DOMAIN},
        {"selector", 1, NULL, OPT_SELECTOR},
        {"type", 1, NULL, OPT_TYPE},
        {"bits", 1, NULL, OPT_BITS},
        {"out", 1, NULL, OPT_OUT},
        {NULL, 0, NULL, 0},
    };
    const char *domain = NULL, *selector = NULL, *dir = ".";
    ms_dkim_key_type type = MS_DKIM_KEY_RSA;
    unsigned long bits = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(USAGE, stdout);
            return CLI_OK;
        case OPT_DOMAIN:
            domain = optarg;
            break;
        case OPT_SELECTOR:
            selector = optarg;
            break;
        case OPT_TYPE:
            if (ms_dkim_key_type_parse(optarg, &type) != MS_OK) {
                return usage_error("--type is rsa or ed25519, not", optarg);
            }
            break;
        case OPT_BITS: {
            char *end;
            errno = 0;
            bits = strtoul(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || errno || *end != '\0' || bits < 1024 ||
                bits > 8192) {
                return usage_error("--bits wants 1024..8192, not", optarg);
            }
            break;
        }
        case OPT_OUT:
            dir = optarg;
            break;
        default:
            return usage_error("unknown option or missing value:",
                               optind > 0 && optind <= argc ? argv[optind - 1] : NULL);
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument", argv[optind]);
    }
    if (domain == NULL || selector == NULL) {
        return usage_error("--domain and --selector are required", NULL);
    }
    if (!is_dns_name(domain) || strchr(domain, '.') == NULL) {
        return usage_error("--domain wants a domain name (A-labels), not", domain);
    }
    if (!is_dns_name(selector)) {
        return usage_error("--selector wants letters, digits, '-' and '.', not", selector);
    }
    if (type == MS_DKIM_KEY_ED25519 && bits != 0) {
        return usage_error("--bits is for RSA keys only", NULL);
    }
    char priv_path[4096], txt_path[4096];
    int n1 = snprintf(priv_path, sizeof(priv_path), "%s/%s.private", dir, selector);
    int n2 = snprintf(txt_path, sizeof(txt_path), "%s/%s.txt", dir, selector);
    if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(priv_path) || (size_t)n2 >= sizeof(txt_path)) {
        return usage_error("--out path too long", NULL);
    }
    struct stat st_buf;
    const char *paths[] = {priv_path, txt_path};
    for (size_t i = 0; i < 2; i++) {
        if (lstat(paths[i], &st_buf) == 0) {
            fprintf(stderr, "mailseal dkim keygen: %s exists; not replacing it\n", paths[i]);
            return CLI_FAILED;
        }
    }
    ms_dkim_keypair *kp = NULL;
    ms_status st = ms_dkim_keypair_generate(type, (unsigned)bits, &kp);
    if (st != MS_OK) {
        fprintf(stderr, "mailseal dkim keygen: cannot make a key: %s\n", ms_status_str(st));
        return CLI_FAILED;
    }
    int rc = CLI_FAILED;
    size_t p_len = 0;
    const char *p = ms_dkim_keypair_public_b64(kp, &p_len);
    const char *type_name = ms_dkim_key_type_name(type);
    if (ms_dkim_keypair_write_private(kp, priv_path) != MS_OK) {
        fprintf(stderr, "mailseal dkim keygen: cannot write %s: %s\n", priv_path,
                errno == EEXIST ? "it exists; not replacing it" : strerror(errno));
    } else if (!write_zone_file(txt_path, selector, domain, type_name, p, p_len)) {
        fprintf(stderr, "mailseal dkim keygen: cannot write %s: %s\n", txt_path, strerror(errno));
        unlink(priv_path); /* no half-made pair */
    } else {
        printf("private key: %s (%s, %u bits, mode 0600: keep it secret)\n", priv_path, type_name,
               ms_dkim_keypair_bits(kp));
        printf("zone line:   %s\n", txt_path);
        printf("publish a TXT record at %s._domainkey.%s:\n", selector, domain);
        print_zone_line(stdout, selector, domain, type_name, p, p_len);
        printf("value (for a DNS console):\nv=DKIM1; k=%s; p=%s\n", type_name, p);
        rc = CLI_OK;
    }
    ms_dkim_keypair_free(kp);
    return rc;
}
