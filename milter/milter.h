/* SPDX-License-Identifier: MIT */
/* mailseal-milter's private header (issue 6): the daemon's global state, the per-connection
 * session, and the policy that turns verdicts into the milter's reply. callbacks.c maps
 * libmilter's callbacks one to one onto session.c; only callbacks.c includes libmilter. */
#ifndef MAILSEAL_MILTER_MILTER_H
#define MAILSEAL_MILTER_MILTER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "mailseal/arena.h"
#include "mailseal/dns.h"
#include "mailseal/message.h"
#include "mailseal/milterconf.h"
#include "mailseal/store.h"

/* One loaded configuration (issue 6 §2, reload on SIGUSR1): the config with its tables and
 * keys, the resolver made from it, the authserv-id. Read-only once made; reference-counted: a
 * connection holds the snapshot current when it started until it closes, a reload swaps
 * milter_g.current under milter_g.snap_lock and the old one is freed by its last user. */
typedef struct milter_snapshot {
    ms_milterconf *conf;
    ms_resolver *resolver;
    ms_resolver *live; /* the unbound backend under the cache, NULL with zone files */
    const char *authserv_id;
    char host[256];        /* the host name, when AuthservID is unset */
    bool serialize_checks; /* the zone backend makes no thread-safety promise */
    pthread_mutex_t dns_lock;
    unsigned refs;       /* under milter_g.snap_lock */
    unsigned generation; /* 1 at start, +1 per accepted reload */
} milter_snapshot;

/* Shared by every connection. Settings that cannot change without a restart (Socket, UserID,
 * PidFile, Store, Syslog) live here, fixed at start. */
typedef struct milter_global {
    pthread_mutex_t snap_lock;
    milter_snapshot *current;
    const char *conf_path;
    ms_store *store; /* NULL: no history store */
    bool syslog;
    _Atomic int log_level;       /* ms_milterconf_log_level; written by a reload */
    bool log_ready;              /* false: log everything to stderr (before the config) */
    pthread_mutex_t expire_lock; /* guards last_expire */
    long long last_expire;       /* Unix seconds of the last HistoryDays expiry, 0: never */
} milter_global;

extern milter_global milter_g;

void milter_log(ms_milterconf_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* reload.c. Loads the config file at path with its tables, keys and resolver; NULL with the
 * reason in why when it cannot be loaded. */
milter_snapshot *milter_snapshot_load(const char *path, unsigned generation, char *why,
                                      size_t why_size);
void milter_snapshot_free(milter_snapshot *s);
/* Logs the config's warnings (keys of OpenDKIM/OpenDMARC without effect here). */
void milter_snapshot_warn(const milter_snapshot *s);
/* The current snapshot, one more reference; release it with milter_snapshot_release. */
milter_snapshot *milter_snapshot_acquire(void);
void milter_snapshot_release(milter_snapshot *s);
/* Re-reads milter_g.conf_path: a config that loads replaces the current one for new
 * connections; one that does not is refused, logged, and the old one kept. */
void milter_reload(void);
/* The SIGUSR1 thread: call with SIGUSR1 blocked in every thread (before libmilter starts its
 * threads). _stop ends and joins it. 0: started. */
int milter_signals_start(void);
void milter_signals_stop(void);

/* What the MTA is told at the end of a message. */
typedef enum {
    MILTER_CONTINUE, /* accept (after the header changes) */
    MILTER_TEMPFAIL,
    MILTER_REJECT,
    MILTER_QUARANTINE, /* accept, held */
} milter_action;

/* A header change for the MTA, in the order requested. */
typedef struct milter_change {
    enum { MILTER_CHG_DELETE, MILTER_CHG_INSERT } kind;
    const char *name;
    unsigned index; /* delete: 1-based among fields of that name as received; insert: position */
    const char *value;
} milter_change;

#define MILTER_MAX_CHANGES 64
#define MILTER_MAX_AR_SEEN 256
#define MILTER_MAX_SIGN 8
#define MILTER_HEADER_CAP (1024u * 1024u)
#define MILTER_ARENA_CAP (64u * 1024u * 1024u)

/* An SPF result that a trusted upstream host reported (TrustedAuthservIDs). */
typedef struct milter_upstream_spf {
    bool found;
    ms_spf_result result;
    const char *authserv_id; /* in the arena given to milter_policy_upstream_spf */
    const char *mailfrom;    /* smtp.mailfrom as written */
    const char *domain;      /* its domain */
} milter_upstream_spf;

typedef struct milter_session {
    /* connection */
    milter_snapshot *snap; /* the config this connection started with (a reference) */
    char client_ip[64];
    char client_name[256];
    char helo[256];
    bool internal;
    /* message (reset per message) */
    ms_arena *arena;
    ms_message *msg;
    char *mail_from;
    char *rcpt_domain;
    bool authenticated;
    bool sign; /* outbound: sign instead of verify */
    bool failed;
    const char *fail_reason;
    unsigned n_ar;                        /* Authentication-Results fields seen */
    unsigned ar_ours[MILTER_MAX_AR_SEEN]; /* 1-based indexes of those claiming our authserv-id */
    size_t n_ar_ours;
    const char *from_addr; /* first From mailbox for the SigningTable, arena */
    ms_dkim_signing *signings[MILTER_MAX_SIGN];
    size_t n_signings;
    /* the reply */
    milter_change changes[MILTER_MAX_CHANGES];
    size_t n_changes;
    milter_action action;
    const char *reply;    /* for REJECT/TEMPFAIL: the text; for QUARANTINE: the reason */
    const char *queue_id; /* macro i, as soon as the MTA sends it (RCPT with Postfix) */
    /* TrustedAuthservIDs: the spf= result of the topmost A-R field from a trusted id */
    bool trusted_seen; /* the topmost trusted field was seen (used or not) */
    milter_upstream_spf upstream;
} milter_session;

milter_session *milter_session_new(const char *client_ip, const char *client_name);
void milter_session_free(milter_session *s);
void milter_session_helo(milter_session *s, const char *helo);
/* Starts a message: a fresh arena. false: out of memory (the session fails the message). */
bool milter_session_envfrom(milter_session *s, const char *mail_from, bool authenticated);
void milter_session_envrcpt(milter_session *s, const char *rcpt);
/* The queue id (macro i), when the MTA sends it: RCPT with Postfix, else at the end. */
void milter_session_queue_id(milter_session *s, const char *queue_id);
void milter_session_header(milter_session *s, const char *name, const char *value);
void milter_session_eoh(milter_session *s);
void milter_session_body(milter_session *s, const unsigned char *chunk, size_t len);
/* Runs the checks or the signing, fills changes/action/reply, writes the history row and the
 * log line. */
void milter_session_eom(milter_session *s, const char *queue_id);
void milter_session_abort(milter_session *s);
/* Deletes history rows older than HistoryDays when the last expiry is over an hour old (or
 * never ran); 0 HistoryDays keeps rows forever. Called at start and after each row. */
void milter_history_expire(unsigned history_days, long long now);

/* policy.c: the action for a verified message. */
milter_action milter_policy_decide(const ms_milterconf *conf, const ms_verdicts *v,
                                   const char **reply);
/* Does this Authentication-Results value claim authserv_id? */
bool milter_policy_ar_is_ours(const char *value, size_t len, const char *authserv_id,
                              ms_arena *arena);
/* TrustedAuthservIDs (OpenDMARC's meaning): is this A-R value from a trusted authserv-id (never
 * our own: those are forgeries)? When it is, *out gets its first spf= result that names
 * smtp.mailfrom (found false when it has none, or the result is not an RFC 8601 §2.7.2 SPF
 * result). Returns whether the field is from a trusted id. */
bool milter_policy_upstream_spf(const char *value, size_t len, const ms_milterconf_list *trusted,
                                const char *own_authserv_id, ms_arena *arena,
                                milter_upstream_spf *out);

#endif
