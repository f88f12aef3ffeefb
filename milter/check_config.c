/* SPDX-License-Identifier: MIT */
/* `mailseal-milter --check-config -c FILE` (issue 6 §2): validates a config and what it names
 * (socket, user, pid file, store, zone files, InternalHosts, KeyTable keys, SigningTable) and
 * checks that every signing key's public half is what DNS publishes at
 * selector._domainkey.domain (RFC 6376 §3.6.2.1), through the resolver the daemon would use.
 * Every problem is one line naming the config line or the key; the exit code says valid or not.
 * Nothing is created: a missing SQLite store is only checked to be creatable. */
#define _DEFAULT_SOURCE /* getgrouplist */
#include "check_config.h"
#include "nameservers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MS_LIMIT_CHECK_CONFIG_NAMESERVERS 16 /* as MS_LIMIT_DNS_FORWARDERS */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "mailseal/arena.h"
#include "mailseal/dkimkey.h"
#include "mailseal/dns.h"
#include "mailseal/milterconf.h"
#include "mailseal/store.h"

/* ---- the command line ----------------------------------------------------------------------- */

void milter_usage(FILE *f)
{
    fputs("usage: mailseal-milter [-f] -c FILE\n"
          "       mailseal-milter --check-config [--strict] -c FILE\n"
          "\n"
          "A milter that verifies SPF, DKIM and DMARC, adds Authentication-Results, enforces\n"
          "DMARC policy and DKIM-signs outbound mail (mailseal-milter(8), config:\n"
          "mailseal-milter.conf(5)).\n"
          "\n"
          "options:\n"
          "  -c FILE           the config file (required)\n"
          "  -f                stay in the foreground (accepted for OpenDKIM's command line:\n"
          "                    mailseal-milter never forks; use a service manager)\n"
          "  -n, --check-config\n"
          "                    check the config, its files and keys, and that every key is\n"
          "                    the one published in DNS; print one line per problem, then exit\n"
          "  --strict          with --check-config: a DNS lookup that fails (so a key cannot\n"
          "                    be confirmed) is an error, not a warning\n"
          "  -h, --help        this text\n"
          "\n"
          "signals: SIGUSR1 reloads the config, tables and keys; SIGTERM, SIGINT and SIGHUP stop\n"
          "\n"
          "exit status: 0 stopped normally, or --check-config found the config valid (warnings\n"
          "allowed); 1 the daemon could not start or failed, or --check-config found a\n"
          "problem; 2 usage error\n",
          f);
}

bool milter_parse_args(int argc, char **argv, milter_args *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0 && i + 1 < argc) {
            out->conf_path = argv[++i];
        } else if (strcmp(a, "--check-config") == 0 || strcmp(a, "-n") == 0) {
            out->check_config = true;
        } else if (strcmp(a, "--strict") == 0) {
            out->strict = true;
        } else if (strcmp(a, "-f") == 0) {
            out->foreground = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            out->help = true;
            return true;
        } else {
            fprintf(stderr, "mailseal-milter: unknown or incomplete option %s\n", a);
            milter_usage(stderr);
            return false;
        }
    }
    if (out->conf_path == NULL) {
        fprintf(stderr, "mailseal-milter: -c FILE is required\n");
        milter_usage(stderr);
        return false;
    }
    if (out->strict && !out->check_config) {
        fprintf(stderr, "mailseal-milter: --strict goes with --check-config\n");
        return false;
    }
    return true;
}

/* ---- reporting -------------------------------------------------------------------------- */

typedef struct cc {
    FILE *out;
    bool strict;
    unsigned errors, warnings, keys_matched;
    const char *path; /* the config file */
    char *text;       /* its text (lines blanked where a parse error was found) */
    size_t len;
    ms_milterconf *conf;
    /* UserID's user, when set and known */
    bool has_user;
    const char *user_name;
    uid_t uid;
    gid_t gids[64];
    int n_gids;
    ms_resolver *resolver;
    bool zones_ok;
} cc;

__attribute__((format(printf, 5, 6))) static void say(cc *c, bool is_error, const char *file,
                                                      unsigned line, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (is_error) {
        c->errors++;
    } else {
        c->warnings++;
    }
    const char *kind = is_error ? "error" : "warning";
    if (file != NULL && line > 0) {
        fprintf(c->out, "%s: %s:%u: %s\n", kind, file, line, msg);
    } else if (file != NULL) {
        fprintf(c->out, "%s: %s: %s\n", kind, file, msg);
    } else {
        fprintf(c->out, "%s: %s\n", kind, msg);
    }
}

/* A milterconf error as one line; "config" (text parsed directly) becomes the config's path. */
static void say_conf_error(cc *c, const ms_milterconf_error *err)
{
    const char *file = strcmp(err->file, "config") == 0 ? c->path : err->file;
    const char *reason = err->reason ? err->reason : "error";
    say(c, true, file, err->line, "%s%s%s%s", reason, err->detail[0] ? " (" : "", err->detail,
        err->detail[0] ? ")" : "");
}

/* ---- files ---------------------------------------------------------------------------------- */

/* Read a whole file of at most cap bytes (malloc'd, NUL added). NULL with errno set; EFBIG
 * when it is larger. */
static char *read_all(const char *path, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t size = 4096, n = 0;
    char *buf = malloc(size + 1);
    errno = 0;
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, size - n, f);
        n += got;
        if (n < size) {
            break;
        }
        if (size > cap) {
            free(buf);
            fclose(f);
            errno = EFBIG;
            return NULL;
        }
        char *bigger = realloc(buf, 2 * size + 1);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        size *= 2;
    }
    /* fread's own errno (EISDIR for a directory) says more than EIO. */
    int failed = buf == NULL ? ENOMEM : ferror(f) ? (errno != 0 ? errno : EIO) : 0;
    fclose(f);
    if (failed != 0 || n > cap) {
        free(buf);
        errno = failed != 0 ? failed : EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static const char *errno_text(int e)
{
    return e == EFBIG ? "file too large" : strerror(e);
}

/* The directory part of path into buf ("/" for "/x", "." for "x"). */
static void dir_of(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(buf, size, ".");
    } else if (slash == path) {
        snprintf(buf, size, "/");
    } else {
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
    }
}

/* May the UserID user do want (R_OK, W_OK, X_OK bits) on path, by its mode bits alone (no
 * ACLs)? Root may do anything but execute what nobody may. */
static bool user_may(const cc *c, const struct stat *sb, int want)
{
    if (c->uid == 0) {
        return (want & X_OK) == 0 || (sb->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
    }
    mode_t r = S_IROTH, w = S_IWOTH, x = S_IXOTH;
    if (sb->st_uid == c->uid) {
        r = S_IRUSR, w = S_IWUSR, x = S_IXUSR;
    } else {
        for (int i = 0; i < c->n_gids; i++) {
            if (sb->st_gid == c->gids[i]) {
                r = S_IRGRP, w = S_IWGRP, x = S_IXGRP;
                break;
            }
        }
    }
    return ((want & R_OK) == 0 || (sb->st_mode & r) != 0) &&
           ((want & W_OK) == 0 || (sb->st_mode & w) != 0) &&
           ((want & X_OK) == 0 || (sb->st_mode & x) != 0);
}

/* Can the UserID user reach path (search every directory above it) and do want on it? false
 * with the first place that stops it in why. */
static bool user_can(const cc *c, const char *path, int want, char *why, size_t why_size)
{
    char buf[4096];
    if (path[0] != '/' || strlen(path) >= sizeof(buf)) {
        snprintf(why, why_size, "not an absolute path");
        return false;
    }
    memcpy(buf, path, strlen(path) + 1);
    for (char *p = strchr(buf + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
        *p = '\0';
        struct stat sb;
        if (stat(buf, &sb) == 0 && !user_may(c, &sb, X_OK)) {
            snprintf(why, why_size, "directory %s is not searchable by %s", buf, c->user_name);
            *p = '/';
            return false;
        }
        *p = '/';
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(why, why_size, "%s", strerror(errno));
        return false;
    }
    if (!user_may(c, &sb, want)) {
        snprintf(why, why_size, "%s may not %s it (mode %03o, owner uid %ld)", c->user_name,
                 want & W_OK ? "write" : "read", (unsigned)(sb.st_mode & 0777), (long)sb.st_uid);
        return false;
    }
    return true;
}

/* The 1-based line of the config where key is set first (0: not written). */
static unsigned key_line(const cc *c, const char *key)
{
    size_t klen = strlen(key), pos = 0;
    unsigned line = 0;
    while (pos < c->len) {
        line++;
        const char *s = c->text + pos;
        const char *nl = memchr(s, '\n', c->len - pos);
        size_t n = nl != NULL ? (size_t)(nl - s) : c->len - pos;
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }
        if (n - i > klen && strncasecmp(s + i, key, klen) == 0 &&
            (s[i + klen] == ' ' || s[i + klen] == '\t')) {
            return line;
        }
        pos += n + 1;
    }
    return 0;
}

/* Replace line (1-based) of text with spaces so that a parser goes past it. true when found. */
static bool blank_line(char *text, size_t len, unsigned line, bool *was_socket)
{
    size_t pos = 0;
    for (unsigned l = 1; pos < len; l++) {
        char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        if (l == line) {
            if (was_socket != NULL) {
                size_t i = pos;
                while (i < end && (text[i] == ' ' || text[i] == '\t')) {
                    i++;
                }
                *was_socket = end - i >= 6 && strncasecmp(text + i, "socket", 6) == 0;
            }
            memset(text + pos, ' ', end - pos);
            return true;
        }
        pos = end + 1;
    }
    return false;
}

#define MAX_REPORTED 64 /* parse errors reported per file before giving up on it */

/* ---- the config file itself ----------------------------------------------------------------- */

static bool parse_config(cc *c)
{
    c->text = read_all(c->path, 16u * 1024u * 1024u, &c->len);
    if (c->text == NULL) {
        say(c, true, c->path, 0, "cannot read the config: %s", errno_text(errno));
        return false;
    }
    char *copy = malloc(c->len + 1);
    if (copy == NULL) {
        say(c, true, c->path, 0, "out of memory");
        return false;
    }
    memcpy(copy, c->text, c->len + 1);
    bool socket_blanked = false;
    for (unsigned n = 0; n < MAX_REPORTED; n++) {
        ms_milterconf_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms_milterconf_parse(copy, c->len, &c->conf, &err);
        if (st == MS_OK) {
            break;
        }
        /* A bad Socket line was reported already: its absence is no second problem. */
        if (!(err.line == 0 && socket_blanked && err.reason != NULL &&
              strncmp(err.reason, "Socket is required", 18) == 0)) {
            say_conf_error(c, &err);
        }
        bool was_socket = false;
        if (st == MS_ENOMEM || err.line == 0 || !blank_line(copy, c->len, err.line, &was_socket)) {
            break;
        }
        socket_blanked = socket_blanked || was_socket;
    }
    free(copy);
    /* Keys from opendkim.conf/opendmarc.conf that have no effect here: each one a warning
     * ("line 12: SyslogSuccess (OpenDKIM) has no effect ..."). */
    for (size_t i = 0; c->conf != NULL && i < c->conf->warnings.n; i++) {
        say(c, false, c->path, 0, "%s", c->conf->warnings.items[i]);
    }
    return c->conf != NULL;
}

/* ---- Socket, UserID, PidFile ---------------------------------------------------------------- */

static void check_socket(cc *c)
{
    const ms_milterconf_socket *s = &c->conf->socket;
    unsigned line = key_line(c, "Socket");
    if (s->kind == MS_MILTERCONF_SOCKET_UNIX) {
        char dir[4096];
        dir_of(s->path, dir, sizeof(dir));
        struct stat sb;
        if (stat(dir, &sb) != 0) {
            say(c, true, c->path, line,
                "Socket %s: the directory %s does not exist (%s): create it, or with systemd "
                "use RuntimeDirectory=",
                s->spec, dir, strerror(errno));
            return;
        }
        if (!S_ISDIR(sb.st_mode)) {
            say(c, true, c->path, line, "Socket %s: %s is not a directory", s->spec, dir);
            return;
        }
        if (access(dir, W_OK | X_OK) != 0) {
            say(c, true, c->path, line,
                "Socket %s: the socket cannot be created: directory %s is not writable (%s)",
                s->spec, dir, strerror(errno));
        }
        if (lstat(s->path, &sb) == 0 && !S_ISSOCK(sb.st_mode)) {
            say(c, true, c->path, line,
                "Socket %s: %s exists and is not a socket (the daemon does not replace files)",
                s->spec, s->path);
        }
        return;
    }
    /* inet: the host must be an address of this machine (or a name resolving to one). */
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = s->kind == MS_MILTERCONF_SOCKET_INET6 ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[16];
    snprintf(port, sizeof(port), "%u", s->port);
    int rc = getaddrinfo(s->host, port, &hints, &res);
    if (rc != 0) {
        say(c, true, c->path, line, "Socket %s: host %s does not resolve: %s", s->spec,
            s->host != NULL ? s->host : "(any)", gai_strerror(rc));
        return;
    }
    int fd = socket(res->ai_family, SOCK_STREAM, 0);
    if (fd >= 0) {
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
            int e = errno;
            if (e == EADDRNOTAVAIL) {
                say(c, true, c->path, line,
                    "Socket %s: %s is not an address of this host, nothing can listen there",
                    s->spec, s->host != NULL ? s->host : "(any)");
            } else if (e == EADDRINUSE) {
                say(c, false, c->path, line,
                    "Socket %s: port %u is in use now (a running milter?): the daemon cannot "
                    "start while it is",
                    s->spec, s->port);
            } else if (e != EACCES) { /* a port under 1024 as non-root: the daemon may be root */
                say(c, true, c->path, line, "Socket %s: cannot bind: %s", s->spec, strerror(e));
            }
        }
        close(fd);
    }
    freeaddrinfo(res);
}

static void check_user(cc *c)
{
    const char *spec = c->conf->user_id;
    if (spec == NULL) {
        return;
    }
    unsigned line = key_line(c, "UserID");
    static char user[256];
    char group[256] = "";
    const char *colon = strchr(spec, ':');
    size_t ul = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
    if (ul >= sizeof(user) || (colon != NULL && strlen(colon + 1) >= sizeof(group))) {
        say(c, true, c->path, line, "UserID %s: name too long", spec);
        return;
    }
    memcpy(user, spec, ul);
    user[ul] = '\0';
    if (colon != NULL) {
        memcpy(group, colon + 1, strlen(colon + 1) + 1);
    }
    const struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        say(c, true, c->path, line, "UserID %s: no such user %s", spec, user);
        return;
    }
    c->uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (group[0] != '\0') {
        const struct group *gr = getgrnam(group);
        if (gr == NULL) {
            say(c, true, c->path, line, "UserID %s: no such group %s", spec, group);
            return;
        }
        gid = gr->gr_gid;
        c->gids[0] = gid; /* the daemon drops supplementary groups (setgroups(0)) */
        c->n_gids = 1;
    } else {
        c->gids[0] = gid;
        c->n_gids = 1;
    }
    c->has_user = true;
    c->user_name = user;
    if (geteuid() != 0 && geteuid() != c->uid) {
        say(c, false, c->path, line,
            "UserID %s: checked as uid %ld, not root: the daemon must start as root to switch "
            "to %s",
            spec, (long)geteuid(), user);
    }
}

static void check_pid_file(cc *c)
{
    const char *pid = c->conf->pid_file;
    if (pid == NULL) {
        return;
    }
    unsigned line = key_line(c, "PidFile");
    char dir[4096];
    dir_of(pid, dir, sizeof(dir));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        say(c, true, c->path, line, "PidFile %s: the directory %s does not exist", pid, dir);
    } else if (access(dir, W_OK | X_OK) != 0) {
        say(c, true, c->path, line, "PidFile %s: directory %s is not writable (%s)", pid, dir,
            strerror(errno));
    }
}

/* ---- Store ---------------------------------------------------------------------------------- */

static void check_store(cc *c)
{
    const char *uri = c->conf->store;
    unsigned line = key_line(c, "Store");
    if (strncasecmp(uri, "sqlite:", 7) != 0) {
        ms_store *st = NULL;
        char err[512] = "";
        if (ms_store_open(uri, &st, err, sizeof(err)) != MS_OK) {
            say(c, true, c->path, line, "Store: cannot open the store: %s", err);
        }
        ms_store_close(st);
        return;
    }
    const char *path = uri + 7;
    if (strncmp(path, "//", 2) == 0) {
        path += 2; /* sqlite:///abs/path */
    }
    if (path[0] != '/') {
        say(c, false, c->path, line,
            "Store %s: a relative path depends on the daemon's working directory", uri);
    }
    const char *who = c->has_user ? c->user_name : "this user";
    char why[512];
    struct stat sb;
    if (stat(path, &sb) == 0) {
        /* It exists: open it as the daemon would (pending migrations are applied, which the
         * daemon's own start would do too). */
        ms_store *st = NULL;
        char err[512] = "";
        if (ms_store_open(uri, &st, err, sizeof(err)) != MS_OK) {
            say(c, true, c->path, line, "Store %s: cannot open the store: %s", uri, err);
        }
        ms_store_close(st);
        if (c->has_user && !user_can(c, path, R_OK | W_OK, why, sizeof(why))) {
            say(c, true, c->path, line,
                "Store %s: the daemon opens the store as %s (UserID), who cannot use it: %s", uri,
                who, why);
        }
        return;
    }
    /* Not there yet: the daemon creates it (with its -journal/-wal files) in its directory. */
    char dir[4096];
    dir_of(path, dir, sizeof(dir));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        say(c, true, c->path, line,
            "Store %s: the directory %s does not exist, the store cannot be created (with "
            "systemd: StateDirectory=)",
            uri, dir);
        return;
    }
    if (c->has_user) {
        if (dir[0] == '/' && !user_can(c, dir, W_OK | X_OK, why, sizeof(why))) {
            say(c, true, c->path, line, "Store %s: the store cannot be created by %s (UserID): %s",
                uri, who, why);
        }
    } else if (access(dir, W_OK | X_OK) != 0) {
        say(c, true, c->path, line,
            "Store %s: the store cannot be created: directory %s is not writable (%s)", uri, dir,
            strerror(errno));
    }
}

/* ---- DNS ------------------------------------------------------------------------------------ */

static void open_resolver(cc *c)
{
    const ms_milterconf *conf = c->conf;
    unsigned line = key_line(c, "ZoneFile");
    c->zones_ok = true;
    if (conf->zone_files.n > 0) {
        if (ms_resolver_new_zone(&c->resolver) != MS_OK) {
            say(c, true, NULL, 0, "out of memory");
            c->zones_ok = false;
            return;
        }
        for (size_t i = 0; i < conf->zone_files.n; i++) {
            const char *zf = conf->zone_files.items[i];
            ms_zone_error err;
            memset(&err, 0, sizeof(err));
            if (access(zf, R_OK) != 0) {
                say(c, true, c->path, line, "ZoneFile %s cannot be read: %s", zf, strerror(errno));
                c->zones_ok = false;
                continue;
            }
            ms_status st = ms_zone_load_file(c->resolver, zf, NULL, &err);
            if (st != MS_OK) {
                say(c, true, zf, err.line, "ZoneFile: %s%s%s", err.reason ? err.reason : "error",
                    err.detail[0] ? ": " : "", err.detail);
                c->zones_ok = false;
            }
        }
        return;
    }
    ms_unbound_options uo;
    memset(&uo, 0, sizeof(uo));
    /* Every Nameservers entry, as the daemon uses them (reload.c). */
    char specs[MS_LIMIT_CHECK_CONFIG_NAMESERVERS][96];
    const char *ptrs[MS_LIMIT_CHECK_CONFIG_NAMESERVERS];
    size_t n = 0;
    for (size_t i = 0; i < conf->nameservers.n && n < MS_LIMIT_CHECK_CONFIG_NAMESERVERS; i++) {
        if (milter_nameserver_spec(conf->nameservers.items[i], specs[n], sizeof(specs[n])) != 0) {
            say(c, true, c->path, key_line(c, "Nameservers"), "Nameservers: %s: too long",
                conf->nameservers.items[i]);
            continue;
        }
        ptrs[n] = specs[n];
        n++;
    }
    if (n > 0) {
        uo.servers = ptrs;
        uo.n_servers = n;
        uo.no_dnssec = true;
    }
    uo.timeout_ms = conf->dns_timeout_s * 1000u;
    char err[256] = "";
    if (ms_resolver_new_unbound(&uo, &c->resolver, err, sizeof(err)) != MS_OK) {
        say(c, true, c->path, key_line(c, "Nameservers"), "cannot set up DNS: %s", err);
        c->resolver = NULL;
        c->zones_ok = false;
    }
}

/* Does txt look like a DKIM key record at all (rather than some other TXT at that name)? */
static bool looks_dkim(const char *txt, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (txt[i] == 'p' && txt[i + 1] == '=' &&
            (i == 0 || txt[i - 1] == ';' || txt[i - 1] == ' ' || txt[i - 1] == '\t')) {
            return true;
        }
    }
    return len >= 7 && strncmp(txt, "v=DKIM1", 7) == 0;
}

/* The key's record in DNS against the key itself. */
static void check_published(cc *c, const char *kt_path, const ms_milterconf_key *k,
                            const ms_dkim_keypair *kp)
{
    char name[600];
    snprintf(name, sizeof(name), "%s._domainkey.%s", k->selector, k->domain);
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        say(c, true, NULL, 0, "out of memory");
        return;
    }
    const ms_dns_answer *ans = NULL;
    ms_status st = ms_resolver_query(c->resolver, name, MS_DNS_TXT, arena, &ans);
    if (st != MS_OK) {
        say(c, true, kt_path, k->line, "key %s: DNS lookup of %s could not be asked: %s", k->name,
            name, ms_status_str(st));
        ms_arena_free(arena);
        return;
    }
    if (ans->rcode == MS_DNS_TEMPFAIL || ans->rcode == MS_DNS_MALFORMED) {
        say(c, c->strict, kt_path, k->line,
            "key %s: DNS lookup failed: %s for %s TXT (cannot confirm the published key)", k->name,
            ans->why != NULL ? ans->why : ms_dns_rcode_str(ans->rcode), name);
        ms_arena_free(arena);
        return;
    }
    size_t n_dkim = 0, n_other = 0;
    bool matches = false, differs = false, revoked = false, unusable = false;
    const char *differs_why = NULL, *unusable_why = NULL;
    for (size_t i = 0; ans->rcode == MS_DNS_OK && i < ans->n_rr; i++) {
        const ms_dns_rr *rr = &ans->rr[i];
        if (rr->type != MS_DNS_TXT) {
            continue;
        }
        if (!looks_dkim(rr->u.txt.data, rr->u.txt.len)) {
            n_other++;
            continue;
        }
        n_dkim++;
        ms_dkim_record_match m = MS_DKIM_RECORD_UNUSABLE;
        const char *why = NULL;
        if (ms_dkim_keypair_match_record(kp, rr->u.txt.data, rr->u.txt.len, &m, &why) != MS_OK) {
            say(c, true, NULL, 0, "out of memory");
            ms_arena_free(arena);
            return;
        }
        matches = matches || m == MS_DKIM_RECORD_MATCHES;
        revoked = revoked || m == MS_DKIM_RECORD_REVOKED;
        if (m == MS_DKIM_RECORD_DIFFERS && !differs) {
            differs = true;
            differs_why = why;
        }
        if (m == MS_DKIM_RECORD_UNUSABLE && !unusable) {
            unusable = true;
            unusable_why = why;
        }
    }
    if (matches) {
        c->keys_matched++;
        if (n_dkim > 1) {
            say(c, false, kt_path, k->line,
                "key %s: %zu DKIM records at %s: verifiers may pick any one (RFC 6376 §3.6.2.2); "
                "publish only one",
                k->name, n_dkim, name);
        }
    } else if (differs) {
        say(c, true, kt_path, k->line,
            "key %s: published key differs from %s at %s: %s; publish this key's p= (mailseal "
            "dkim keygen prints it) or point the KeyTable at the right file",
            k->name, k->path, name, differs_why != NULL ? differs_why : "another key");
    } else if (revoked) {
        say(c, true, kt_path, k->line,
            "key %s: record is revoked (empty p=) at %s: every signature made with it fails",
            k->name, name);
    } else if (unusable) {
        say(c, true, kt_path, k->line, "key %s: the DKIM record at %s cannot be used: %s", k->name,
            name, unusable_why != NULL ? unusable_why : "bad record");
    } else {
        say(c, true, kt_path, k->line, "key %s: no DKIM record published at %s (%s)", k->name, name,
            n_other > 0 ? "only TXT records that are not DKIM keys" : ms_dns_rcode_str(ans->rcode));
    }
    ms_arena_free(arena);
}

/* ---- KeyTable, SigningTable, InternalHosts -------------------------------------------------- */

static void check_one_key(cc *c, const char *kt_path, const ms_milterconf_key *k, bool *bad)
{
    size_t len = 0;
    char *pem = read_all(k->path, 64u * 1024u, &len);
    if (pem == NULL) {
        say(c, true, kt_path, k->line, "key %s: key file %s cannot be read: %s", k->name, k->path,
            errno_text(errno));
        *bad = true;
        return;
    }
    ms_dkim_keypair *kp = NULL;
    const char *reason = NULL;
    ms_status st = ms_dkim_keypair_from_pem(pem, len, &kp, &reason);
    memset(pem, 0, len);
    free(pem);
    if (st != MS_OK) {
        say(c, true, kt_path, k->line, "key %s: key file %s is no usable private key: %s", k->name,
            k->path, reason != NULL ? reason : ms_status_str(st));
        *bad = true;
        return;
    }
    if (ms_dkim_keypair_type(kp) == MS_DKIM_KEY_RSA && ms_dkim_keypair_bits(kp) < 2048) {
        say(c, false, kt_path, k->line,
            "key %s: RSA key of %u bits in %s: RFC 8301 §3.2 allows 1024 but receivers "
            "increasingly want 2048; make a 2048-bit key",
            k->name, ms_dkim_keypair_bits(kp), k->path);
    }
    char why[512];
    if (c->has_user && !user_can(c, k->path, R_OK, why, sizeof(why))) {
        say(c, false, kt_path, k->line,
            "key %s: key file %s is readable here but not by %s (UserID): %s; a reload after "
            "the switch cannot read it",
            k->name, k->path, c->user_name, why);
    }
    if (c->resolver != NULL && c->zones_ok) {
        check_published(c, kt_path, k, kp);
    }
    ms_dkim_keypair_free(kp);
}

/* Parse a table, blanking each line an error names and trying again, so that every bad line
 * is reported. sign: a SigningTable (kt needed), else a KeyTable. */
static bool parse_table(cc *c, const char *path, bool sign, const ms_milterconf_keytable *kt,
                        ms_arena *arena, ms_milterconf_keytable **kt_out,
                        ms_milterconf_signtable **st_out)
{
    size_t len = 0;
    char *text = read_all(path, 16u * 1024u * 1024u, &len);
    if (text == NULL) {
        say(c, true, c->path, key_line(c, sign ? "SigningTable" : "KeyTable"),
            "%s %s cannot be read: %s", sign ? "SigningTable" : "KeyTable", path,
            errno_text(errno));
        return false;
    }
    bool ok = false;
    for (unsigned n = 0; n < MAX_REPORTED; n++) {
        ms_milterconf_error err;
        memset(&err, 0, sizeof(err));
        ms_status st =
            sign ? ms_milterconf_signtable_parse(text, len, c->conf->signing_table_wildcards, path,
                                                 kt, arena, st_out, &err)
                 : ms_milterconf_keytable_parse(text, len, path, arena, kt_out, &err);
        if (st == MS_OK) {
            ok = true;
            break;
        }
        if (sign && err.reason != NULL && strcmp(err.reason, "key name not in the KeyTable") == 0) {
            say(c, true, path, err.line,
                "SigningTable entry names key %s, which is not in the KeyTable %s", err.detail,
                c->conf->key_table);
        } else {
            say_conf_error(c, &err);
        }
        if (st == MS_ENOMEM || err.line == 0 || !blank_line(text, len, err.line, NULL)) {
            break;
        }
    }
    free(text);
    return ok;
}

static void check_tables(cc *c, ms_arena *arena)
{
    const ms_milterconf *conf = c->conf;
    if (conf->internal_hosts_file != NULL) {
        size_t len = 0;
        char *text = read_all(conf->internal_hosts_file, 16u * 1024u * 1024u, &len);
        if (text == NULL) {
            say(c, true, c->path, key_line(c, "InternalHosts"),
                "InternalHosts %s cannot be read: %s", conf->internal_hosts_file,
                errno_text(errno));
        } else {
            ms_milterconf_hosts hosts;
            ms_milterconf_error err;
            memset(&err, 0, sizeof(err));
            if (ms_milterconf_hosts_parse(text, len, conf->internal_hosts_file, arena, &hosts,
                                          &err) != MS_OK) {
                say_conf_error(c, &err);
            }
            free(text);
        }
    }
    if (conf->signing_table != NULL && conf->key_table == NULL) {
        say(c, true, c->path, key_line(c, "SigningTable"),
            "SigningTable without a KeyTable: its keys are named in a KeyTable");
        return;
    }
    if (conf->key_table == NULL) {
        return;
    }
    if (!conf->mode_sign) {
        say(c, false, c->path, key_line(c, "Mode"),
            "Mode v: the KeyTable and SigningTable are checked but nothing will be signed");
    }
    ms_milterconf_keytable *kt = NULL;
    if (!parse_table(c, conf->key_table, false, NULL, arena, &kt, NULL) && kt == NULL) {
        if (conf->signing_table != NULL) {
            say(c, false, conf->signing_table, 0,
                "SigningTable not checked: the KeyTable could not be read");
        }
        return;
    }
    bool bad_key = false;
    for (size_t i = 0; i < ms_milterconf_keytable_count(kt); i++) {
        check_one_key(c, conf->key_table, ms_milterconf_keytable_get(kt, i), &bad_key);
    }
    if (!bad_key) {
        /* What the daemon does at start: every key made into a signer (catches anything the
         * checks above do not, e.g. a domain the signer refuses). */
        ms_milterconf_error err;
        memset(&err, 0, sizeof(err));
        if (ms_milterconf_keytable_load_keys(kt, &err) != MS_OK) {
            say_conf_error(c, &err);
        }
    }
    if (conf->signing_table != NULL) {
        ms_milterconf_signtable *st = NULL;
        (void)parse_table(c, conf->signing_table, true, kt, arena, NULL, &st);
    }
    ms_milterconf_keytable_free(kt);
}

/* ---- the whole check ------------------------------------------------------------------------ */

int milter_check_config(const char *path, bool strict, FILE *out)
{
    cc c;
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.strict = strict;
    c.path = path;
    if (parse_config(&c)) {
        ms_arena *arena = NULL;
        if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
            say(&c, true, NULL, 0, "out of memory");
        } else {
            check_socket(&c);
            check_user(&c);
            check_pid_file(&c);
            check_store(&c);
            open_resolver(&c);
            if (c.conf->key_table != NULL && !c.zones_ok) {
                say(&c, false, NULL, 0,
                    "published keys not compared with DNS: the resolver could not be set up");
            }
            check_tables(&c, arena);
            ms_arena_free(arena);
        }
    }
    if (c.errors == 0) {
        fprintf(out, "%s: valid (%u key%s match%s the published record%s, %u warning%s)\n", path,
                c.keys_matched, c.keys_matched == 1 ? "" : "s", c.keys_matched == 1 ? "es" : "",
                c.keys_matched == 1 ? "" : "s", c.warnings, c.warnings == 1 ? "" : "s");
    } else {
        fprintf(out, "%s: not valid: %u error%s, %u warning%s\n", path, c.errors,
                c.errors == 1 ? "" : "s", c.warnings, c.warnings == 1 ? "" : "s");
    }
    ms_resolver_free(c.resolver);
    ms_milterconf_free(c.conf);
    free(c.text);
    return c.errors == 0 ? MILTER_EXIT_OK : MILTER_EXIT_FAILURE;
}
