/* SPDX-License-Identifier: MIT */
/* mailseal-milter: `mailseal-milter -c FILE` (issue 6 §2). Reads the config (milterconf.h),
 * sets up the resolver (zone files, or libunbound with a cache) and the history store, then
 * hands the socket to libmilter, which runs one thread per connection. */
/* setgroups(2) is BSD/Linux, not POSIX: dropping supplementary groups needs it. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"
#include "check_config.h"
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
    if (milter_g.log_ready && (int)level > milter_g.log_level) {
        return;
    }
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (milter_g.log_ready && milter_g.syslog) {
        syslog(syslog_priority(level), "%s", line);
    } else {
        fprintf(stderr, "mailseal-milter: %s\n", line);
        fflush(stderr);
    }
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
    milter_args args;
    if (!milter_parse_args(argc, argv, &args)) {
        return MILTER_EXIT_USAGE;
    }
    if (args.help) {
        milter_usage(stdout);
        return MILTER_EXIT_OK;
    }
    if (args.check_config) {
        return milter_check_config(args.conf_path, args.strict, stdout);
    }
    const char *conf_path = args.conf_path;
    /* SIGUSR1 stays pending until the reload thread takes it (its default action would end
     * the daemon); every thread started from here on inherits the mask. */
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    (void)pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    pthread_mutex_init(&milter_g.snap_lock, NULL);
    pthread_mutex_init(&milter_g.expire_lock, NULL);
    milter_g.conf_path = conf_path;
    char why[512] = "";
    milter_snapshot *snap = milter_snapshot_load(conf_path, 1, why, sizeof(why));
    if (snap == NULL) {
        fprintf(stderr, "mailseal-milter: %s\n", why);
        return 1;
    }
    snap->refs = 1; /* milter_g.current's */
    milter_g.current = snap;
    const ms_milterconf *conf = snap->conf; /* the start-up config: Socket, UserID, ... */
    milter_g.syslog = conf->syslog;
    milter_g.log_level = (int)conf->log_level;
    milter_g.log_ready = true;
    if (conf->syslog) {
        openlog("mailseal-milter", LOG_PID, LOG_MAIL);
    }
    milter_snapshot_warn(snap);
    if (conf->has_umask) {
        (void)umask((mode_t)conf->umask); /* OpenDKIM's UMask: the socket and every file made */
    }
    int rc = 1;
    bool signals = false;
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
        milter_history_expire(conf->history_days, (long long)time(NULL));
    }
    /* SIGUSR1 blocked here is blocked in every thread libmilter starts; one thread takes it. */
    if (milter_signals_start() != 0) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "cannot start the SIGUSR1 thread");
        goto out;
    }
    signals = true;
    milter_log(MS_MILTERCONF_LOG_NOTICE, "listening on %s (authserv-id %s, %s%s; SIGUSR1 reloads)",
               conf->socket.spec, snap->authserv_id, conf->mode_verify ? "verify" : "",
               conf->mode_sign ? " sign" : "");
    rc = smfi_main() == MI_SUCCESS ? 0 : 1;
out:
    if (signals) {
        milter_signals_stop();
    }
    ms_store_close(milter_g.store);
    pthread_mutex_lock(&milter_g.snap_lock);
    snap = milter_g.current;
    milter_g.current = NULL;
    pthread_mutex_unlock(&milter_g.snap_lock);
    milter_snapshot_release(snap);
    return rc;
}
