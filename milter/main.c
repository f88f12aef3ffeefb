/* SPDX-License-Identifier: MIT */
/* mailseal-milter: `mailseal-milter -c FILE` (issue 6 §2). Reads the config (milterconf.h),
 * sets up the resolver (zone files, or libunbound with a cache) and the history store, then
 * hands the socket to libmilter, which runs one thread per connection. */
/* setgroups(2) is BSD/Linux, not POSIX: dropping supplementary groups needs it. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"
#include "milter.h"

milter_global milter_g;

static int syslog_priority(ms_milterconf_log_level level)
{
    switch (level) {
    case MS_MILTERCONF_LOG_ERROR:
        return LOG_ERR;
    case MS_MILTERCONF_LOG_WARNING:
        return LOG_WARNING;
    case MS_MILTERCONF_LOG_NOTICE:
        return LOG_NOTICE;
    case MS_MILTERCONF_LOG_INFO:
        return LOG_INFO;
    case MS_MILTERCONF_LOG_DEBUG:
    default:
        return LOG_DEBUG;
    }
}

void milter_log(ms_milterconf_log_level level, const char *fmt, ...)
{
    if (milter_g.conf != NULL && level > milter_g.conf->log_level) {
        return;
    }
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (milter_g.conf != NULL && milter_g.conf->syslog) {
        syslog(syslog_priority(level), "%s", line);
    } else {
        fprintf(stderr, "mailseal-milter: %s\n", line);
        fflush(stderr);
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: mailseal-milter -c FILE\n");
}

/* Nameservers takes OpenDKIM's and unbound's "IP@PORT" (milterconf checks it); the resolver
 * wants "IP:PORT" or "[IPV6]:PORT". Without "@" the entry is passed as it is. */
static const char *resolver_server(const char *ns, char *buf, size_t len)
{
    const char *at = strrchr(ns, '@');
    if (at == NULL) {
        return ns;
    }
    int hl = (int)(at - ns);
    bool v6 = memchr(ns, ':', (size_t)hl) != NULL;
    int n = snprintf(buf, len, v6 ? "[%.*s]:%s" : "%.*s:%s", hl, ns, at + 1);
    return (n < 0 || (size_t)n >= len) ? ns : buf;
}

static int open_resolver(const ms_milterconf *c)
{
    if (c->zone_files.n > 0) {
        ms_resolver *z;
        if (ms_resolver_new_zone(&z) != MS_OK) {
            milter_log(MS_MILTERCONF_LOG_ERROR, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < c->zone_files.n; i++) {
            ms_zone_error err;
            memset(&err, 0, sizeof(err));
            ms_status st = ms_zone_load_file(z, c->zone_files.items[i], NULL, &err);
            if (st != MS_OK) {
                milter_log(MS_MILTERCONF_LOG_ERROR, "ZoneFile %s:%u:%u: %s %s",
                           c->zone_files.items[i], err.line, err.column,
                           err.reason ? err.reason : ms_status_str(st), err.detail);
                ms_resolver_free(z);
                return -1;
            }
        }
        milter_g.resolver = z;
        milter_g.serialize_checks = true; /* the zone backend makes no thread-safety promise */
        return 0;
    }
    ms_unbound_options uo;
    memset(&uo, 0, sizeof(uo));
    char server[128];
    uo.server = c->nameservers.n > 0
                    ? resolver_server(c->nameservers.items[0], server, sizeof(server))
                    : NULL;
    uo.timeout_ms = c->dns_timeout_s * 1000u;
    uo.no_dnssec = c->nameservers.n > 0;
    char err[256] = "";
    if (ms_resolver_new_unbound(&uo, &milter_g.live, err, sizeof(err)) != MS_OK) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "cannot set up DNS: %s", err);
        return -1;
    }
    if (ms_resolver_new_cache(milter_g.live, 0, &milter_g.resolver) != MS_OK) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "out of memory");
        return -1;
    }
    milter_g.serialize_checks = false;
    return 0;
}

static void write_pid_file(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        milter_log(MS_MILTERCONF_LOG_WARNING, "PidFile %s: %s", path, strerror(errno));
        return;
    }
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
}

/* UserID USER or USER:GROUP (opendkim.conf(5)): after the socket is open (a unix socket is
 * handed to the user first, so the MTA's group setup keeps working) and before the store is
 * opened, so that the store's files belong to the user. */
static int drop_privileges(const ms_milterconf *c)
{
    char user[256], group[256] = "";
    const char *colon = strchr(c->user_id, ':');
    size_t ul = colon ? (size_t)(colon - c->user_id) : strlen(c->user_id);
    if (ul == 0 || ul >= sizeof(user) || (colon && strlen(colon + 1) >= sizeof(group))) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "UserID %s: bad user", c->user_id);
        return -1;
    }
    memcpy(user, c->user_id, ul);
    user[ul] = '\0';
    if (colon != NULL) {
        memcpy(group, colon + 1, strlen(colon + 1) + 1);
    }
    const struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "UserID %s: no such user", user);
        return -1;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (group[0] != '\0') {
        const struct group *gr = getgrnam(group);
        if (gr == NULL) {
            milter_log(MS_MILTERCONF_LOG_ERROR, "UserID %s: no such group %s", c->user_id, group);
            return -1;
        }
        gid = gr->gr_gid;
    }
    if (c->socket.kind == MS_MILTERCONF_SOCKET_UNIX && c->socket.path != NULL &&
        chown(c->socket.path, uid, gid) != 0) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "UserID: chown %s: %s", c->socket.path,
                   strerror(errno));
        return -1;
    }
    if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "UserID %s: cannot switch: %s", c->user_id,
                   strerror(errno));
        return -1;
    }
    milter_log(MS_MILTERCONF_LOG_INFO, "running as %s", c->user_id);
    return 0;
}

int main(int argc, char **argv)
{
    const char *conf_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf_path = argv[++i];
        } else {
            usage();
            return 2;
        }
    }
    if (conf_path == NULL) {
        usage();
        return 2;
    }
    ms_milterconf_error cerr;
    memset(&cerr, 0, sizeof(cerr));
    ms_milterconf *conf = NULL;
    if (ms_milterconf_load(conf_path, &conf, &cerr) != MS_OK) {
        char msg[512];
        ms_milterconf_error_format(&cerr, msg, sizeof(msg));
        fprintf(stderr, "mailseal-milter: %s\n", msg);
        return 1;
    }
    milter_g.conf = conf;
    if (conf->syslog) {
        openlog("mailseal-milter", LOG_PID, LOG_MAIL);
    }
    static char host[256];
    if (conf->authserv_id != NULL) {
        milter_g.authserv_id = conf->authserv_id;
    } else {
        if (gethostname(host, sizeof(host) - 1) != 0) {
            memcpy(host, "localhost", sizeof("localhost"));
        }
        milter_g.authserv_id = host;
    }
    pthread_mutex_init(&milter_g.dns_lock, NULL);
    pthread_mutex_init(&milter_g.expire_lock, NULL);
    int rc = 1;
    if (open_resolver(conf) != 0) {
        goto out;
    }
    if (smfi_setconn((char *)(uintptr_t)conf->socket.spec) != MI_SUCCESS ||
        milter_callbacks_register() != 0) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "cannot set up the milter socket %s",
                   conf->socket.spec);
        goto out;
    }
    if (smfi_opensocket(true) != MI_SUCCESS) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "cannot open the milter socket %s", conf->socket.spec);
        goto out;
    }
    if (conf->pid_file != NULL) {
        write_pid_file(conf->pid_file);
    }
    if (conf->user_id != NULL && drop_privileges(conf) != 0) {
        goto out;
    }
    if (conf->store != NULL) {
        char err[256] = "";
        if (ms_store_open(conf->store, &milter_g.store, err, sizeof(err)) != MS_OK) {
            milter_log(MS_MILTERCONF_LOG_ERROR, "Store %s: %s", conf->store, err);
            goto out;
        }
        milter_history_expire((long long)time(NULL));
    }
    milter_log(MS_MILTERCONF_LOG_NOTICE, "listening on %s (authserv-id %s, %s%s)",
               conf->socket.spec, milter_g.authserv_id, conf->mode_verify ? "verify" : "",
               conf->mode_sign ? " sign" : "");
    rc = smfi_main() == MI_SUCCESS ? 0 : 1;
out:
    ms_store_close(milter_g.store);
    ms_resolver_free(milter_g.resolver);
    ms_resolver_free(milter_g.live);
    ms_milterconf_free(conf);
    return rc;
}
