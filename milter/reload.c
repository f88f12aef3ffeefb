/* SPDX-License-Identifier: MIT */
/* The loaded configuration as a reference-counted snapshot, and its reload on SIGUSR1 (issue 6
 * §2, as OpenDKIM does; libmilter itself stops on SIGHUP and SIGTERM). A dedicated thread waits
 * for the signal with sigwait(): no work runs inside a signal handler. A config that fails to
 * parse or load is refused with its reason and the old one kept (bad-inputs.md MLT-14).
 * Connections keep the snapshot they started with; new ones get the new config. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milter.h"
#include "nameservers.h"

static int open_resolver(milter_snapshot *s, char *why, size_t why_size)
{
    const ms_milterconf *c = s->conf;
    if (c->zone_files.n > 0) {
        ms_resolver *z;
        if (ms_resolver_new_zone(&z) != MS_OK) {
            snprintf(why, why_size, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < c->zone_files.n; i++) {
            ms_zone_error err;
            memset(&err, 0, sizeof(err));
            ms_status st = ms_zone_load_file(z, c->zone_files.items[i], NULL, &err);
            if (st != MS_OK) {
                snprintf(why, why_size, "ZoneFile %s:%u:%u: %s %s", c->zone_files.items[i],
                         err.line, err.column, err.reason ? err.reason : ms_status_str(st),
                         err.detail);
                ms_resolver_free(z);
                return -1;
            }
        }
        s->resolver = z;
        s->serialize_checks = true;
        return 0;
    }
    /* Nameservers: every address is a forwarder; libunbound picks among them and skips the
     * ones that do not answer. */
    size_t n = c->nameservers.n;
    char(*specs)[80] = n > 0 ? calloc(n, sizeof(*specs)) : NULL;
    const char **ptrs = n > 0 ? calloc(n, sizeof(*ptrs)) : NULL;
    if (n > 0 && (specs == NULL || ptrs == NULL)) {
        free(specs);
        free(ptrs);
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (milter_nameserver_spec(c->nameservers.items[i], specs[i], sizeof(specs[i])) != 0) {
            snprintf(why, why_size, "Nameservers: %s: too long", c->nameservers.items[i]);
            free(specs);
            free(ptrs);
            return -1;
        }
        ptrs[i] = specs[i];
    }
    ms_unbound_options uo;
    memset(&uo, 0, sizeof(uo));
    uo.servers = n > 0 ? ptrs : NULL;
    uo.n_servers = n;
    uo.timeout_ms = c->dns_timeout_s * 1000u;
    uo.no_dnssec = n > 0;
    char err[256] = "";
    ms_status st = ms_resolver_new_unbound(&uo, &s->live, err, sizeof(err));
    free(specs);
    free(ptrs);
    if (st != MS_OK) {
        snprintf(why, why_size, "cannot set up DNS: %s", err);
        return -1;
    }
    if (ms_resolver_new_cache(s->live, 0, &s->resolver) != MS_OK) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    s->serialize_checks = false;
    return 0;
}

milter_snapshot *milter_snapshot_load(const char *path, unsigned generation, char *why,
                                      size_t why_size)
{
    milter_snapshot *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->dns_lock, NULL);
    s->generation = generation;
    ms_milterconf_error cerr;
    memset(&cerr, 0, sizeof(cerr));
    if (ms_milterconf_load(path, &s->conf, &cerr) != MS_OK) {
        ms_milterconf_error_format(&cerr, why, why_size);
        milter_snapshot_free(s);
        return NULL;
    }
    if (s->conf->authserv_id != NULL) {
        s->authserv_id = s->conf->authserv_id;
    } else {
        if (gethostname(s->host, sizeof(s->host) - 1) != 0) {
            memcpy(s->host, "localhost", sizeof("localhost"));
        }
        s->authserv_id = s->host;
    }
    if (open_resolver(s, why, why_size) != 0) {
        milter_snapshot_free(s);
        return NULL;
    }
    return s;
}

void milter_snapshot_warn(const milter_snapshot *s)
{
    for (size_t i = 0; i < s->conf->warnings.n; i++) {
        milter_log(MS_MILTERCONF_LOG_WARNING, "%s: %s", milter_g.conf_path,
                   s->conf->warnings.items[i]);
    }
}

void milter_snapshot_free(milter_snapshot *s)
{
    if (s == NULL) {
        return;
    }
    ms_resolver_free(s->resolver);
    ms_resolver_free(s->live);
    ms_milterconf_free(s->conf);
    pthread_mutex_destroy(&s->dns_lock);
    free(s);
}

milter_snapshot *milter_snapshot_acquire(void)
{
    pthread_mutex_lock(&milter_g.snap_lock);
    milter_snapshot *s = milter_g.current;
    if (s != NULL) {
        s->refs++;
    }
    pthread_mutex_unlock(&milter_g.snap_lock);
    return s;
}

void milter_snapshot_release(milter_snapshot *s)
{
    if (s == NULL) {
        return;
    }
    pthread_mutex_lock(&milter_g.snap_lock);
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&milter_g.snap_lock);
    if (last) {
        milter_snapshot_free(s);
    }
}

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Settings read once at start: a change is logged as ignored until a restart. */
static void note_restart_only(const ms_milterconf *old, const ms_milterconf *new)
{
    struct {
        const char *key;
        bool changed;
    } keys[] = {
        {"Socket", !same(old->socket.spec, new->socket.spec)},
        {"UserID", !same(old->user_id, new->user_id)},
        {"PidFile", !same(old->pid_file, new->pid_file)},
        {"Store", !same(old->store, new->store)},
        {"Syslog", old->syslog != new->syslog},
        {"UMask", old->has_umask != new->has_umask || old->umask != new->umask},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (keys[i].changed) {
            milter_log(MS_MILTERCONF_LOG_WARNING,
                       "reload: %s changed: ignored until the daemon is restarted", keys[i].key);
        }
    }
}

void milter_reload(void)
{
    milter_snapshot *old = milter_snapshot_acquire();
    unsigned gen = old != NULL ? old->generation + 1 : 1;
    char why[512] = "";
    milter_snapshot *s = milter_snapshot_load(milter_g.conf_path, gen, why, sizeof(why));
    if (s == NULL) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "reload refused, the old config is kept: %s", why);
        milter_snapshot_release(old);
        return;
    }
    milter_snapshot_warn(s);
    if (old != NULL) {
        note_restart_only(old->conf, s->conf);
    }
    s->refs = 1; /* milter_g.current's */
    pthread_mutex_lock(&milter_g.snap_lock);
    milter_snapshot *prev = milter_g.current;
    milter_g.current = s;
    milter_g.log_level = (int)s->conf->log_level;
    pthread_mutex_unlock(&milter_g.snap_lock);
    milter_snapshot_release(prev); /* current's reference */
    milter_snapshot_release(old);  /* ours */
    milter_log(MS_MILTERCONF_LOG_NOTICE,
               "reloaded %s (config %u: authserv-id %s, %s%s, %zu key%s); connections already "
               "open keep the config they started with",
               milter_g.conf_path, gen, s->authserv_id, s->conf->mode_verify ? "verify" : "",
               s->conf->mode_sign ? " sign" : "", ms_milterconf_keytable_count(s->conf->keys),
               ms_milterconf_keytable_count(s->conf->keys) == 1 ? "" : "s");
}

static pthread_t sig_thread;
static bool sig_started;
static bool sig_stopping; /* under sig_lock */
static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;

static void *signal_main(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) {
            continue;
        }
        pthread_mutex_lock(&sig_lock);
        bool stop = sig_stopping;
        pthread_mutex_unlock(&sig_lock);
        if (stop) {
            return NULL;
        }
        milter_log(MS_MILTERCONF_LOG_NOTICE, "SIGUSR1: reloading %s", milter_g.conf_path);
        milter_reload();
    }
}

int milter_signals_start(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
        return -1;
    }
    /* The thread takes only SIGUSR1: SIGTERM, SIGHUP and SIGINT are libmilter's (its own
     * sigwait thread), so the thread starts with them blocked too. */
    sigset_t more, old;
    sigemptyset(&more);
    sigaddset(&more, SIGTERM);
    sigaddset(&more, SIGHUP);
    sigaddset(&more, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &more, &old) != 0) {
        return -1;
    }
    int rc = pthread_create(&sig_thread, NULL, signal_main, NULL);
    (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        return -1;
    }
    sig_started = true;
    return 0;
}

void milter_signals_stop(void)
{
    if (!sig_started) {
        return;
    }
    pthread_mutex_lock(&sig_lock);
    sig_stopping = true;
    pthread_mutex_unlock(&sig_lock);
    (void)pthread_kill(sig_thread, SIGUSR1);
    (void)pthread_join(sig_thread, NULL);
    sig_started = false;
}
