/* SPDX-License-Identifier: MIT */
/* One milter connection and its messages: the adapter onto ms_message (design.md section 1).
 * Each message lives in its own arena, made at MAIL FROM and freed at the end or abort. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "milter.h"

#include "mailseal/authres.h"

static void copy_cut(char *dst, size_t size, const char *src)
{
    if (size == 0) {
        return;
    }
    size_t n = src ? strlen(src) : 0;
    if (n >= size) {
        n = size - 1;
    }
    if (n > 0) {
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
}

/* printf into the arena; NULL when out of memory. */
__attribute__((format(printf, 2, 3))) static char *arena_printf(ms_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *out = ms_arena_alloc(a, (size_t)n + 1);
    if (out == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    (void)vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

static bool name_is(const char *name, const char *want)
{
    size_t n = strlen(want);
    if (strlen(name) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char a = name[i], b = want[i];
        if (a >= 'A' && a <= 'Z') {
            a = (char)(a - 'A' + 'a');
        }
        if (b >= 'A' && b <= 'Z') {
            b = (char)(b - 'A' + 'a');
        }
        if (a != b) {
            return false;
        }
    }
    return true;
}

milter_session *milter_session_new(const char *client_ip, const char *client_name)
{
    milter_session *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    /* The connection keeps the config current now until it closes (a reload in between
     * applies to the next connection). */
    s->snap = milter_snapshot_acquire();
    if (s->snap == NULL) {
        free(s);
        return NULL;
    }
    copy_cut(s->client_ip, sizeof(s->client_ip), client_ip ? client_ip : "");
    copy_cut(s->client_name, sizeof(s->client_name), client_name ? client_name : "");
    const ms_milterconf *c = s->snap->conf;
    s->internal = (client_ip != NULL &&
                   ms_milterconf_hosts_match(&c->internal_hosts, client_ip, strlen(client_ip)));
    return s;
}

static void message_reset(milter_session *s)
{
    for (size_t i = 0; i < s->n_signings; i++) {
        ms_dkim_signing_free(s->signings[i]);
    }
    ms_arena_free(s->arena);
    char ip[64], name[256], helo[256];
    bool internal = s->internal;
    milter_snapshot *snap = s->snap;
    memcpy(ip, s->client_ip, sizeof(ip));
    memcpy(name, s->client_name, sizeof(name));
    memcpy(helo, s->helo, sizeof(helo));
    memset(s, 0, sizeof(*s));
    memcpy(s->client_ip, ip, sizeof(ip));
    memcpy(s->client_name, name, sizeof(name));
    memcpy(s->helo, helo, sizeof(helo));
    s->internal = internal;
    s->snap = snap;
}

void milter_session_free(milter_session *s)
{
    if (s == NULL) {
        return;
    }
    message_reset(s);
    milter_snapshot_release(s->snap);
    free(s);
}

void milter_session_helo(milter_session *s, const char *helo)
{
    copy_cut(s->helo, sizeof(s->helo), helo ? helo : "");
}

static void fail(milter_session *s, const char *reason)
{
    if (!s->failed) {
        s->failed = true;
        s->fail_reason = reason;
    }
}

bool milter_session_envfrom(milter_session *s, const char *mail_from, bool authenticated)
{
    message_reset(s);
    const ms_milterconf *c = s->snap->conf;
    s->authenticated = authenticated;
    s->sign = c->mode_sign && (s->internal || authenticated);
    if (ms_arena_new(NULL, MILTER_ARENA_CAP, &s->arena) != MS_OK) {
        fail(s, "out of memory");
        return false;
    }
    s->mail_from = ms_arena_strdup(s->arena, mail_from ? mail_from : "");
    if (s->mail_from == NULL) {
        fail(s, "out of memory");
        return false;
    }
    if (s->sign || !c->mode_verify || (authenticated && c->ignore_authenticated_clients)) {
        return true; /* outbound, or not checked: no ms_message */
    }
    ms_message_options opt;
    ms_message_options_default(&opt);
    opt.authserv_id = s->snap->authserv_id;
    if (ms_message_new(s->snap->resolver, &opt, s->arena, NULL, &s->msg) != MS_OK) {
        fail(s, "cannot start the checks");
        return false;
    }
    if (ms_message_connect(s->msg, s->client_ip, s->helo[0] ? s->helo : NULL) != MS_OK ||
        ms_message_envelope(s->msg, s->mail_from) != MS_OK) {
        fail(s, "bad client address or envelope");
        return false;
    }
    return true;
}

void milter_session_envrcpt(milter_session *s, const char *rcpt)
{
    if (s->rcpt_domain != NULL || rcpt == NULL || s->arena == NULL) {
        return;
    }
    const char *at = strrchr(rcpt, '@');
    if (at == NULL) {
        return;
    }
    const char *d = at + 1;
    size_t n = strcspn(d, ">");
    s->rcpt_domain = ms_arena_strndup(s->arena, d, n);
}

void milter_session_queue_id(milter_session *s, const char *queue_id)
{
    if (s->queue_id != NULL || s->arena == NULL || queue_id == NULL || queue_id[0] == '\0') {
        return;
    }
    s->queue_id = ms_arena_strdup(s->arena, queue_id);
}

/* The queue id for log lines: "-" until the MTA sent one. */
static const char *qid_of(const milter_session *s)
{
    return s->queue_id != NULL ? s->queue_id : "-";
}

/* The bytes of one header field as on the wire: "Name: value\r\n", bare LFs of folded values
 * made CRLF (libmilter hands folding as LF), so that signing never meets mixed line ends. */
static char *rebuild_field(ms_arena *a, const char *name, const char *value, size_t *len)
{
    size_t nn = strlen(name), vn = strlen(value);
    if (nn + vn > MILTER_HEADER_CAP) {
        return NULL;
    }
    char *out = ms_arena_alloc(a, nn + 2 + 2 * vn + 3);
    if (out == NULL) {
        return NULL;
    }
    size_t k = 0;
    memcpy(out, name, nn);
    k += nn;
    out[k++] = ':';
    out[k++] = ' ';
    for (size_t i = 0; i < vn; i++) {
        if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) {
            out[k++] = '\r';
        }
        out[k++] = value[i];
    }
    out[k++] = '\r';
    out[k++] = '\n';
    out[k] = '\0';
    *len = k;
    return out;
}

/* The addr-spec of a From value: inside <...> when present, else the trimmed value. */
static const char *from_address(ms_arena *a, const char *value)
{
    const char *lt = strchr(value, '<');
    const char *start = value, *end = value + strlen(value);
    if (lt != NULL) {
        const char *gt = strchr(lt, '>');
        if (gt != NULL) {
            start = lt + 1;
            end = gt;
        }
    }
    while (start < end && (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')) {
        start++;
    }
    while (end > start &&
           (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n')) {
        end--;
    }
    return ms_arena_strndup(a, start, (size_t)(end - start));
}

/* RFC 5322 §3.6.8: field-name = 1*ftext, ftext = %d33-57 / %d59-126. */
static bool field_name_ok(const char *name)
{
    if (name[0] == '\0') {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
        if (*p < 33 || *p > 126 || *p == ':') {
            return false;
        }
    }
    return true;
}

void milter_session_header(milter_session *s, const char *name, const char *value)
{
    if (s->failed || s->arena == NULL) {
        return;
    }
    /* A name the MTA should never send (empty, ':', controls, blanks): "Name: value" could
     * not be rebuilt as delivered, so the checks would judge another message. */
    if (!field_name_ok(name)) {
        fail(s, "malformed header field name from the MTA (RFC 5322 section 3.6.8)");
        return;
    }
    if (name_is(name, "Authentication-Results")) {
        s->n_ar++;
        if (!s->sign &&
            milter_policy_ar_is_ours(value, strlen(value), s->snap->authserv_id, s->arena)) {
            /* Each needs a deletion, and our own field one more change: more than that
             * fails the message rather than leave a forged field in place. */
            if (s->n_ar_ours >= MILTER_MAX_AR_SEEN || s->n_ar_ours + 1 >= MILTER_MAX_CHANGES) {
                fail(s, "too many Authentication-Results fields claiming our authserv-id");
                return;
            }
            s->ar_ours[s->n_ar_ours++] = s->n_ar;
        } else if (!s->sign && s->internal && !s->trusted_seen &&
                   s->snap->conf->trusted_authserv_ids.n > 0) {
            /* The topmost field from a trusted authserv-id: a relay of ours checked SPF
             * against the real client (TrustedAuthservIDs). Fields below it are older. */
            s->trusted_seen = milter_policy_upstream_spf(
                value, strlen(value), &s->snap->conf->trusted_authserv_ids, s->snap->authserv_id,
                s->arena, &s->upstream);
        }
    }
    if (name_is(name, "From") && s->from_addr == NULL) {
        s->from_addr = from_address(s->arena, value);
    }
    size_t len = 0;
    char *field = rebuild_field(s->arena, name, value, &len);
    if (field == NULL) {
        fail(s, "header field too large");
        return;
    }
    if (!s->sign && s->msg != NULL && ms_message_feed(s->msg, field, len) != MS_OK) {
        fail(s, "message broke a parse limit");
        return;
    }
    if (s->sign) {
        /* Signing needs an ms_msg of the header: keep the fields in a second message reader
         * made lazily at the first field (verification is off for outbound mail). */
        if (s->msg == NULL) {
            ms_message_options opt;
            ms_message_options_default(&opt);
            opt.authserv_id = s->snap->authserv_id;
            if (ms_message_new(s->snap->resolver, &opt, s->arena, NULL, &s->msg) != MS_OK) {
                fail(s, "out of memory");
                return;
            }
        }
        if (ms_message_feed(s->msg, field, len) != MS_OK) {
            fail(s, "message broke a parse limit");
        }
    }
}

static void start_signing(milter_session *s)
{
    const char *from = s->from_addr;
    if (from == NULL || from[0] == '\0') {
        milter_log(MS_MILTERCONF_LOG_NOTICE,
                   "%s: from %s: not signed: no From address in the message", qid_of(s),
                   s->client_ip);
        return;
    }
    ms_milterconf_sign_keys keys;
    ms_milterconf_sign_lookup(s->snap->conf, from, strlen(from), &keys);
    if (keys.n == 0) {
        milter_log(MS_MILTERCONF_LOG_NOTICE, "%s: from %s: not signed: %s", qid_of(s), s->client_ip,
                   keys.reason);
        return;
    }
    const ms_msg *m = ms_message_msg(s->msg);
    for (size_t i = 0; i < keys.n && s->n_signings < MILTER_MAX_SIGN; i++) {
        const ms_milterconf_key *k = keys.keys[i];
        if (k->signer == NULL) {
            milter_log(MS_MILTERCONF_LOG_NOTICE,
                       "%s: from %s: not signed with key %s: key not loaded", qid_of(s),
                       s->client_ip, k->name);
            continue;
        }
        ms_dkim_sign_error err;
        memset(&err, 0, sizeof(err));
        ms_dkim_signing *g = NULL;
        ms_status st = ms_dkim_signing_new(k->signer, m, 0, s->arena, &g, &err);
        if (st != MS_OK) {
            milter_log(
                MS_MILTERCONF_LOG_NOTICE, "%s: from %s: not signed with key %s (d=%s s=%s): %s%s%s",
                qid_of(s), s->client_ip, k->name, k->domain, k->selector,
                err.reason ? err.reason : ms_status_str(st), err.detail[0] ? ": " : "", err.detail);
            continue;
        }
        s->signings[s->n_signings++] = g;
    }
}

void milter_session_eoh(milter_session *s)
{
    if (s->failed || s->msg == NULL) {
        if (s->sign && !s->failed) {
            milter_log(MS_MILTERCONF_LOG_NOTICE,
                       "%s: from %s: not signed: the message has no header", qid_of(s),
                       s->client_ip);
        }
        return;
    }
    if (ms_message_feed(s->msg, "\r\n", 2) != MS_OK) {
        fail(s, "message broke a parse limit");
        return;
    }
    if (s->sign) {
        start_signing(s);
    }
}

void milter_session_body(milter_session *s, const unsigned char *chunk, size_t len)
{
    if (s->failed) {
        return;
    }
    if (s->sign) {
        for (size_t i = 0; i < s->n_signings; i++) {
            if (ms_dkim_signing_body(s->signings[i], (const char *)chunk, len) != MS_OK) {
                fail(s, "signing failed");
                return;
            }
        }
        return;
    }
    if (s->msg != NULL && ms_message_feed(s->msg, (const char *)chunk, len) != MS_OK) {
        fail(s, "message broke a parse limit");
    }
}

static void add_change(milter_session *s, int kind, const char *name, unsigned index,
                       const char *value)
{
    if (s->n_changes >= MILTER_MAX_CHANGES) {
        return;
    }
    milter_change *c = &s->changes[s->n_changes++];
    c->kind = kind == MILTER_CHG_DELETE ? MILTER_CHG_DELETE : MILTER_CHG_INSERT;
    c->name = name;
    c->index = index;
    c->value = value;
}

/* "DKIM-Signature: v...\r\n\tb=...\r\n" (several fields) into insertions at the top, first
 * field on top: inserted last at index 0. Line ends become LF, as libmilter expects. */
static void add_signature_fields(milter_session *s, const char *fields, size_t len)
{
    const char *starts[MILTER_MAX_SIGN];
    size_t lens[MILTER_MAX_SIGN], n = 0;
    size_t i = 0;
    while (i < len && n < MILTER_MAX_SIGN) {
        size_t start = i;
        while (i < len) {
            if (fields[i] == '\n' &&
                (i + 1 >= len || (fields[i + 1] != ' ' && fields[i + 1] != '\t'))) {
                i++;
                break;
            }
            i++;
        }
        starts[n] = fields + start;
        lens[n] = i - start;
        n++;
    }
    for (size_t j = n; j-- > 0;) {
        const char *f = starts[j];
        size_t fl = lens[j];
        const char *colon = memchr(f, ':', fl);
        if (colon == NULL) {
            continue;
        }
        char *name = ms_arena_strndup(s->arena, f, (size_t)(colon - f));
        const char *v = colon + 1;
        while (v < f + fl && *v == ' ') {
            v++;
        }
        size_t vl = (size_t)(f + fl - v);
        char *value = ms_arena_alloc(s->arena, vl + 1);
        if (name == NULL || value == NULL) {
            fail(s, "out of memory");
            return;
        }
        size_t k = 0;
        for (size_t x = 0; x < vl; x++) {
            if (v[x] != '\r') {
                value[k++] = v[x];
            }
        }
        while (k > 0 && value[k - 1] == '\n') {
            k--;
        }
        value[k] = '\0';
        add_change(s, MILTER_CHG_INSERT, name, 0, value);
    }
}

static void write_history(milter_session *s, const ms_verdicts *v, const char *disposition)
{
    if (milter_g.store == NULL || v == NULL) {
        return;
    }
    /* The row is built by the library (ms_message_history_row), as `mailseal verify --store`
     * builds it. */
    ms_history_override ov = {"local_policy", "RejectFailures no: marked only"};
    ms_history_input in = {.received = (int64_t)time(NULL),
                           .queue_id = s->queue_id,
                           .envelope_to = s->rcpt_domain,
                           .disposition = disposition,
                           .verdicts = v};
    if (v->dmarc != NULL && v->dmarc->disposition != MS_DMARC_POLICY_NONE &&
        !s->snap->conf->reject_failures) {
        in.overrides = &ov;
        in.n_overrides = 1;
    }
    ms_history_row r;
    ms_status st = ms_message_history_row(s->msg, &in, s->arena, &r);
    if (st == MS_OK) {
        st = ms_store_history_add(milter_g.store, &r);
    }
    if (st != MS_OK) {
        char err[256] = "";
        ms_store_last_error(milter_g.store, err, sizeof(err));
        milter_log(MS_MILTERCONF_LOG_ERROR, "%s: history row not written: %s",
                   s->queue_id ? s->queue_id : "-", err[0] ? err : ms_status_str(st));
    }
    milter_history_expire(s->snap->conf->history_days, (long long)in.received);
}

/* FailureReports: the reports the message's ruf= and fo= ask for (RFC 9991), queued in the
 * store for `mailseal report send`, within the store's rate limits (RFC 9991 §2, §8.1), which
 * count across every process sharing the store. The recipient address is left out of the
 * report (RFC 9991 §7.1: mailing lists and forwarding would expose it); the header copy is
 * the message's own. */
static void queue_failure_reports(milter_session *s, const ms_verdicts *v, const char *qid)
{
    const ms_milterconf *conf = s->snap->conf;
    const ms_dmarc_verdict *d = v->dmarc;
    if (!conf->failure_reports || milter_g.store == NULL || d == NULL || d->record == NULL ||
        d->record->n_ruf == 0 ||
        (d->policy == MS_DMARC_POLICY_NONE && !conf->failure_reports_on_none)) {
        return;
    }
    const char *from = conf->failure_reports_sent_by
                           ? conf->failure_reports_sent_by
                           : arena_printf(s->arena, "dmarc-noreply@%s", s->snap->authserv_id);
    ms_failure_input in = {.arrival = (int64_t)time(NULL),
                           .from = from,
                           .reporting_mta = s->snap->authserv_id,
                           .queue_id = s->queue_id,
                           .delivery_result = s->action == MILTER_REJECT       ? "reject"
                                              : s->action == MILTER_QUARANTINE ? "policy"
                                                                               : "delivered",
                           .verdicts = v};
    const ms_failure_report *r = NULL;
    size_t n = 0;
    ms_status st = from ? ms_message_failure_reports(s->msg, &in, s->arena, &r, &n) : MS_ENOMEM;
    if (st != MS_OK) {
        milter_log(MS_MILTERCONF_LOG_ERROR, "%s: failure reports not made: %s", qid,
                   ms_status_str(st));
        return;
    }
    ms_failure_limits lim = {conf->failure_reports_per_domain, conf->failure_reports_per_hour,
                             3600};
    for (size_t k = 0; k < n; k++) {
        ms_failure_out o = {0,           in.arrival,   r[k].policy_domain, r[k].auth_failure,
                            r[k].record, r[k].message, r[k].message_len};
        bool queued = false;
        st = ms_store_failure_out_queue(milter_g.store, &o, &lim, &queued);
        if (st != MS_OK) {
            char err[256] = "";
            ms_store_last_error(milter_g.store, err, sizeof(err));
            milter_log(MS_MILTERCONF_LOG_ERROR, "%s: %s failure report for %s not queued: %s", qid,
                       r[k].auth_failure, r[k].policy_domain, err[0] ? err : ms_status_str(st));
        } else {
            milter_log(MS_MILTERCONF_LOG_INFO, "%s: %s failure report for %s %s", qid,
                       r[k].auth_failure, r[k].policy_domain,
                       queued ? "queued" : "dropped: the hourly rate limit was reached");
        }
    }
}

void milter_history_expire(unsigned days, long long now)
{
    if (milter_g.store == NULL || days == 0) {
        return;
    }
    pthread_mutex_lock(&milter_g.expire_lock);
    bool due = milter_g.last_expire == 0 || now - milter_g.last_expire >= 3600;
    if (due) {
        milter_g.last_expire = now;
    }
    pthread_mutex_unlock(&milter_g.expire_lock);
    if (!due) {
        return;
    }
    uint64_t n = 0;
    int64_t older_than = (int64_t)now - (int64_t)days * 86400;
    if (ms_store_history_expire(milter_g.store, older_than, &n) != MS_OK) {
        char err[256] = "";
        ms_store_last_error(milter_g.store, err, sizeof(err));
        milter_log(MS_MILTERCONF_LOG_ERROR, "history expiry failed: %s", err);
        return;
    }
    milter_log(MS_MILTERCONF_LOG_INFO, "history: %llu row%s older than %u days expired",
               (unsigned long long)n, n == 1 ? "" : "s", days);
    /* Failure reports already sent (or given up), and old rate windows, go with the history. */
    if (ms_store_failure_out_expire(milter_g.store, older_than, &n) != MS_OK) {
        char err[256] = "";
        ms_store_last_error(milter_g.store, err, sizeof(err));
        milter_log(MS_MILTERCONF_LOG_ERROR, "failure report expiry failed: %s", err);
    }
}

static milter_action internal_error_action(milter_session *s)
{
    switch (s->snap->conf->on_internal_error) {
    case MS_MILTERCONF_ACCEPT:
        return MILTER_CONTINUE;
    case MS_MILTERCONF_REJECT:
        s->reply = "5.7.0 internal error in the mail authentication filter";
        return MILTER_REJECT;
    case MS_MILTERCONF_TEMPFAIL:
    default:
        s->reply = "4.7.0 internal error in the mail authentication filter, try again later";
        return MILTER_TEMPFAIL;
    }
}

static const char *action_name(milter_action a)
{
    switch (a) {
    case MILTER_TEMPFAIL:
        return "tempfail";
    case MILTER_REJECT:
        return "reject";
    case MILTER_QUARANTINE:
        return "quarantine";
    case MILTER_CONTINUE:
    default:
        return "accept";
    }
}

static void eom_sign(milter_session *s, const char *qid)
{
    size_t signed_n = 0;
    for (size_t i = 0; i < s->n_signings; i++) {
        const char *fields = NULL;
        size_t len = 0;
        if (ms_dkim_signing_end(s->signings[i], &fields, &len) != MS_OK) {
            milter_log(MS_MILTERCONF_LOG_ERROR, "%s: not signed: signing failed", qid);
            continue;
        }
        add_signature_fields(s, fields, len);
        signed_n++;
    }
    s->n_signings = 0;
    milter_log(MS_MILTERCONF_LOG_INFO, "%s: outbound from %s (%s): %zu signature%s added", qid,
               s->client_ip, s->internal ? "internal" : "authenticated", signed_n,
               signed_n == 1 ? "" : "s");
}

/* The envelope sender's domain (MAIL FROM without its brackets), NULL for the null sender. */
static const char *envelope_domain(const milter_session *s)
{
    const char *at = s->mail_from ? strrchr(s->mail_from, '@') : NULL;
    if (at == NULL || at[1] == '\0') {
        return NULL;
    }
    size_t n = strcspn(at + 1, ">");
    return ms_arena_strndup(s->arena, at + 1, n);
}

/* TrustedAuthservIDs: the client is a relay of ours (InternalHosts), so our SPF check saw the
 * relay's address, not the sender's; the trusted relay's spf= result (smtp.mailfrom) is used
 * for DMARC instead, and our Authentication-Results says so. 0: eff now holds it; -1: not used
 * (logged), eff unchanged. */
static int use_upstream_spf(milter_session *s, const ms_verdicts *mv, ms_verdicts *eff,
                            ms_spf_verdict *spf, ms_dmarc_verdict *dmarc, const char *qid)
{
    const milter_upstream_spf *u = &s->upstream;
    const char *env = envelope_domain(s);
    if (env == NULL || !name_is(env, u->domain)) {
        milter_log(MS_MILTERCONF_LOG_NOTICE,
                   "%s: from %s: trusted Authentication-Results of %s not used: its "
                   "smtp.mailfrom %s is not the envelope sender's domain %s",
                   qid, s->client_ip, u->authserv_id, u->mailfrom, env ? env : "(null sender)");
        return -1;
    }
    memset(spf, 0, sizeof(*spf));
    spf->result = u->result;
    spf->identity = MS_SPF_IDENTITY_MAILFROM;
    spf->sender = u->mailfrom;
    spf->domain = u->domain;
    spf->reason = "reported by a trusted authserv-id (TrustedAuthservIDs)";
    ms_dmarc_request req;
    memset(&req, 0, sizeof(req));
    req.msg = mv->msg;
    req.spf = spf;
    req.dkim = mv->dkim;
    req.n_dkim = mv->n_dkim;
    ms_dmarc_options dopt;
    ms_dmarc_options_default(&dopt);
    memset(dmarc, 0, sizeof(*dmarc));
    if (s->snap->serialize_checks) {
        pthread_mutex_lock(&s->snap->dns_lock);
    }
    ms_status st = ms_dmarc_evaluate(s->snap->resolver, &dopt, &req, s->arena, dmarc, NULL);
    if (s->snap->serialize_checks) {
        pthread_mutex_unlock(&s->snap->dns_lock);
    }
    ms_authres_input in;
    memset(&in, 0, sizeof(in));
    in.authserv_id = s->snap->authserv_id;
    in.spf = spf;
    in.spf_helo = mv->spf_helo;
    in.dkim = mv->dkim;
    in.n_dkim = mv->n_dkim;
    in.dmarc = dmarc;
    const char *text = NULL;
    if (st == MS_OK) {
        st = ms_authres_format(&in, s->arena, &text);
    }
    if (st != MS_OK) {
        milter_log(MS_MILTERCONF_LOG_WARNING,
                   "%s: from %s: trusted Authentication-Results of %s not used: %s", qid,
                   s->client_ip, u->authserv_id, ms_status_str(st));
        return -1;
    }
    /* "spf=RESULT" gets a comment naming where the result came from (RFC 8601 §2.2 CFWS). */
    const char *semi = strchr(text, ';');
    const char *at = semi ? strstr(semi, "spf=") : NULL;
    if (at != NULL) {
        size_t head = (size_t)(at - text) + 4 + strlen(ms_spf_result_name(spf->result));
        char *out =
            arena_printf(s->arena,
                         "%.*s (from trusted authserv-id %s: the client %s is an "
                         "internal relay, our own check gave %s)%s",
                         (int)head, text, u->authserv_id, s->client_ip,
                         mv->spf ? ms_spf_result_name(mv->spf->result) : "none", text + head);
        if (out != NULL) {
            text = out;
        }
    }
    eff->spf = spf;
    eff->dmarc = dmarc;
    eff->authentication_results = text;
    return 0;
}

void milter_session_eom(milter_session *s, const char *queue_id)
{
    milter_session_queue_id(s, queue_id);
    const char *qid = qid_of(s);
    s->action = MILTER_CONTINUE;
    s->reply = NULL;
    if (s->failed) {
        s->action = internal_error_action(s);
        milter_log(MS_MILTERCONF_LOG_ERROR, "%s: from %s: internal error: %s; action %s", qid,
                   s->client_ip, s->fail_reason, action_name(s->action));
        return;
    }
    if (s->sign) {
        eom_sign(s, qid);
        return;
    }
    if (s->msg == NULL) {
        milter_log(MS_MILTERCONF_LOG_INFO, "%s: from %s: not checked (%s)", qid, s->client_ip,
                   s->authenticated ? "authenticated client" : "verification off");
        return;
    }
    if (s->snap->serialize_checks) {
        pthread_mutex_lock(&s->snap->dns_lock);
    }
    ms_status st = ms_message_end(s->msg);
    if (s->snap->serialize_checks) {
        pthread_mutex_unlock(&s->snap->dns_lock);
    }
    const ms_verdicts *mv = st == MS_OK ? ms_message_verdicts(s->msg) : NULL;
    if (mv == NULL) {
        s->action = internal_error_action(s);
        milter_log(MS_MILTERCONF_LOG_ERROR, "%s: from %s: checks did not run: %s; action %s", qid,
                   s->client_ip, ms_status_str(st), action_name(s->action));
        return;
    }
    /* The verdicts acted on: ours, or with a trusted relay's SPF result (TrustedAuthservIDs). */
    ms_verdicts eff = *mv;
    ms_spf_verdict up_spf;
    ms_dmarc_verdict up_dmarc;
    const char *spf_note = "";
    if (s->upstream.found && use_upstream_spf(s, mv, &eff, &up_spf, &up_dmarc, qid) == 0) {
        spf_note = arena_printf(s->arena, " (trusted %s; own check of the relay: %s)",
                                s->upstream.authserv_id,
                                mv->spf ? ms_spf_result_name(mv->spf->result) : "none");
        if (spf_note == NULL) {
            spf_note = "";
        }
    }
    const ms_verdicts *v = &eff;
    /* Deletions first, indexes as received (issue 6 §1), then our field on top. Highest
     * index first: Postfix's cleanup stops counting a field once it is deleted (Sendmail
     * keeps counting it), so deleting upwards would hit the wrong field after the first
     * deletion in Postfix (CVE-2022-48521); downwards, both count the same. */
    for (size_t i = s->n_ar_ours; i-- > 0;) {
        add_change(s, MILTER_CHG_DELETE, "Authentication-Results", s->ar_ours[i], NULL);
    }
    char *ar = ms_arena_strdup(s->arena, v->authentication_results);
    if (ar != NULL) {
        size_t k = 0;
        for (size_t i = 0; ar[i] != '\0'; i++) {
            if (ar[i] != '\r') {
                ar[k++] = ar[i];
            }
        }
        ar[k] = '\0';
        add_change(s, MILTER_CHG_INSERT, "Authentication-Results", 0, ar);
    }
    s->action = milter_policy_decide(s->snap->conf, v, &s->reply);
    const char *disposition = s->action == MILTER_REJECT       ? "reject"
                              : s->action == MILTER_QUARANTINE ? "quarantine"
                                                               : "none";
    write_history(s, v, disposition);
    queue_failure_reports(s, v, qid);
    const ms_dmarc_verdict *d = v->dmarc;
    milter_log(MS_MILTERCONF_LOG_INFO,
               "%s: from %s: spf=%s%s dkim=%zu dmarc=%s (%s) p=%s%s forged-ar-removed=%zu "
               "action=%s",
               qid, s->client_ip, v->spf ? ms_spf_result_name(v->spf->result) : "none", spf_note,
               v->n_dkim, d ? ms_dmarc_result_name(d->result) : "none",
               d && d->from_domain ? d->from_domain : "-",
               d && d->record ? ms_dmarc_policy_name(d->policy) : "-",
               d && d->testing ? " t=y" : "", s->n_ar_ours, action_name(s->action));
}

void milter_session_abort(milter_session *s)
{
    message_reset(s);
}
