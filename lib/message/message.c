/* SPDX-License-Identifier: MIT */
/* One message through the receiver's checks (include/mailseal/message.h): the message layer
 * splits the stream, DKIM hashes the body as it arrives, and at the end SPF, the DKIM key checks
 * and DMARC run, in that order, and Authentication-Results is formatted (RFC 8601). */
#include "mailseal/message.h"

#include <string.h>

#include "mailseal/authres.h"
#include "message/history.h"

struct ms_message {
    ms_resolver *resolver;
    ms_message_options opt;
    ms_arena *arena;
    ms_trace *trace;
    const char *client_ip, *helo, *mail_from;
    bool has_connect, has_envelope;
    ms_msg *msg;
    ms_dkim_verifier *dkim;
    ms_verdicts verdicts;
    bool ended;
    ms__report_scan report_scan; /* is this report mail? (lib/message/history.c) */
};

void ms_message_options_default(ms_message_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    ms_spf_options_default(&opt->spf);
    ms_dkim_verify_options_default(&opt->dkim);
    ms_dmarc_options_default(&opt->dmarc);
    ms_msg_options_default(&opt->msg);
}

ms_status ms_message_new(ms_resolver *resolver, const ms_message_options *opt, ms_arena *arena,
                         ms_trace *trace, ms_message **out)
{
    *out = NULL;
    if (resolver == NULL || opt == NULL || arena == NULL || opt->authserv_id == NULL) {
        return MS_EINVAL;
    }
    ms_message *m = ms_arena_alloc(arena, sizeof(*m));
    if (m == NULL) {
        return ms_arena_status(arena);
    }
    memset(m, 0, sizeof(*m));
    m->resolver = resolver;
    m->opt = *opt;
    m->opt.authserv_id = ms_arena_strdup(arena, opt->authserv_id);
    m->opt.receiver = ms_arena_strdup(arena, opt->receiver ? opt->receiver : opt->authserv_id);
    m->arena = arena;
    m->trace = trace;
    if (m->opt.authserv_id == NULL || m->opt.receiver == NULL) {
        return ms_arena_status(arena);
    }
    ms_status st = ms_msg_new(&m->opt.msg, arena, &m->msg);
    if (st != MS_OK) {
        return st;
    }
    *out = m;
    return MS_OK;
}

/* A copy in the arena, NULL staying NULL; false when the arena is exhausted. */
static bool keep(ms_arena *arena, const char *s, const char **out)
{
    *out = s ? ms_arena_strdup(arena, s) : NULL;
    return s == NULL || *out != NULL;
}

ms_status ms_message_connect(ms_message *m, const char *client_ip, const char *helo)
{
    if (m == NULL || client_ip == NULL || m->ended) {
        return MS_EINVAL;
    }
    if (!keep(m->arena, client_ip, &m->client_ip) || !keep(m->arena, helo, &m->helo)) {
        return ms_arena_status(m->arena);
    }
    m->has_connect = true;
    return MS_OK;
}

ms_status ms_message_envelope(ms_message *m, const char *mail_from)
{
    if (m == NULL || m->ended) {
        return MS_EINVAL;
    }
    if (!keep(m->arena, mail_from ? mail_from : "", &m->mail_from)) {
        return ms_arena_status(m->arena);
    }
    m->has_envelope = true;
    return MS_OK;
}

ms_status ms_message_feed(ms_message *m, const char *chunk, size_t len)
{
    if (m == NULL || (chunk == NULL && len > 0) || m->ended) {
        return MS_EINVAL;
    }
    size_t body_at = len;
    ms_status st = ms_msg_feed(m->msg, chunk, len, &body_at);
    if (st != MS_OK || body_at == len) {
        return st;
    }
    ms__report_scan_feed(&m->report_scan, chunk + body_at, len - body_at);
    /* The header block is complete: signatures are read and keys can be fetched while the
     * body streams in. */
    if (m->dkim == NULL) {
        st = ms_dkim_verifier_new(m->resolver, &m->opt.dkim, m->msg, m->arena, m->trace, &m->dkim);
        if (st != MS_OK) {
            return st;
        }
    }
    return ms_dkim_verifier_body(m->dkim, chunk + body_at, len - body_at);
}

static ms_status run_spf(ms_message *m, ms_spf_identity identity, const ms_spf_verdict **out)
{
    ms_spf_request req = {
        .client_ip = m->client_ip,
        .mail_from = m->mail_from,
        .helo = m->helo,
        .identity = identity,
        .receiver = m->opt.receiver,
    };
    ms_spf_verdict *v = ms_arena_alloc(m->arena, sizeof(*v));
    if (v == NULL) {
        return ms_arena_status(m->arena);
    }
    ms_status st = ms_spf_check(m->resolver, &m->opt.spf, &req, m->arena, v, m->trace);
    *out = v;
    return st;
}

ms_status ms_message_end(ms_message *m)
{
    if (m == NULL || m->ended || !m->has_connect || !m->has_envelope) {
        return MS_EINVAL;
    }
    ms_status st = ms_msg_end(m->msg);
    if (st == MS_OK && m->dkim == NULL) { /* no body at all */
        st = ms_dkim_verifier_new(m->resolver, &m->opt.dkim, m->msg, m->arena, m->trace, &m->dkim);
    }
    if (st != MS_OK) {
        return st;
    }
    ms_verdicts *v = &m->verdicts;
    v->msg = m->msg;
    st = run_spf(m, MS_SPF_IDENTITY_MAILFROM, &v->spf);
    if (st == MS_OK && m->opt.check_helo && m->helo != NULL && m->helo[0] != '\0') {
        st = run_spf(m, MS_SPF_IDENTITY_HELO, &v->spf_helo);
    }
    if (st == MS_OK) {
        st = ms_dkim_verifier_end(m->dkim, &v->dkim, &v->n_dkim);
    }
    ms_dmarc_verdict *dmarc = NULL;
    if (st == MS_OK) {
        dmarc = ms_arena_alloc(m->arena, sizeof(*dmarc));
        st = dmarc ? MS_OK : ms_arena_status(m->arena);
    }
    if (st == MS_OK) {
        ms_dmarc_request req = {.msg = m->msg, .spf = v->spf, .dkim = v->dkim, .n_dkim = v->n_dkim};
        st = ms_dmarc_evaluate(m->resolver, &m->opt.dmarc, &req, m->arena, dmarc, m->trace);
        v->dmarc = dmarc;
    }
    if (st == MS_OK) {
        ms_authres_input in = {
            .authserv_id = m->opt.authserv_id,
            .spf = v->spf,
            .spf_helo = v->spf_helo,
            .dkim = v->dkim,
            .n_dkim = v->n_dkim,
            .dmarc = v->dmarc,
        };
        st = ms_authres_format(&in, m->arena, &v->authentication_results);
    }
    m->ended = st == MS_OK;
    return st;
}

const ms_msg *ms_message_msg(const ms_message *m)
{
    return m != NULL ? m->msg : NULL;
}

const ms_verdicts *ms_message_verdicts(const ms_message *m)
{
    return m != NULL && m->ended ? &m->verdicts : NULL;
}

const ms_msg_error *ms_message_error(const ms_message *m)
{
    return m != NULL ? ms_msg_last_error(m->msg) : NULL;
}

/* ---- what the history row builder reads (lib/message/history.c) ------------------------- */

const char *ms__message_client_ip(const ms_message *m)
{
    return m->client_ip;
}

const char *ms__message_helo(const ms_message *m)
{
    return m->helo;
}

const char *ms__message_mail_from(const ms_message *m)
{
    return m->mail_from;
}

const char *ms__message_authserv_id(const ms_message *m)
{
    return m->opt.authserv_id;
}

int ms__message_dmarc_mode(const ms_message *m)
{
    return (int)m->opt.dmarc.mode;
}

bool ms__message_body_has_report(const ms_message *m)
{
    return m->report_scan.found;
}
