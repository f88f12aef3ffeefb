/* SPDX-License-Identifier: MIT */
/* From verdicts to the milter's action: DMARC enforcement per RejectFailures (issue 6 §1). */
#include <string.h>

#include "milter.h"

#include "mailseal/authres.h"

milter_action milter_policy_decide(const ms_milterconf *conf, const ms_verdicts *v,
                                   const char **reply)
{
    *reply = NULL;
    if (v == NULL || v->dmarc == NULL) {
        return MILTER_CONTINUE;
    }
    const ms_dmarc_verdict *d = v->dmarc;
    bool tempfail = conf->on_dns_timeout == MS_MILTERCONF_TEMPFAIL;
    if (d->result == MS_DMARC_TEMPERROR && tempfail) {
        *reply = "4.7.5 DMARC: temporary DNS failure, try again later";
        return MILTER_TEMPFAIL;
    }
    /* DMARC failed, but an SPF check or a DKIM key lookup it rests on had a temporary DNS
     * error (RFC 7208 §2.6.6, RFC 6376 §6.1.2): a retry may well pass, so TemporaryFailure
     * applies to them too (otherwise the message is accepted, temperror marked in A-R). */
    if (d->result == MS_DMARC_FAIL && tempfail) {
        if (v->spf != NULL && v->spf->result == MS_SPF_TEMPERROR) {
            *reply = "4.7.5 SPF: temporary DNS failure, DMARC cannot pass yet; try again later";
            return MILTER_TEMPFAIL;
        }
        for (size_t i = 0; i < v->n_dkim; i++) {
            if (v->dkim[i].result == MS_DKIM_TEMPERROR) {
                *reply = "4.7.5 DKIM: temporary DNS failure (key lookup), DMARC cannot pass yet; "
                         "try again later";
                return MILTER_TEMPFAIL;
            }
        }
    }
    if (!conf->reject_failures || d->result != MS_DMARC_FAIL) {
        return MILTER_CONTINUE;
    }
    /* disposition is already lowered by t=y (RFC 9989 §4.7) and pct (RFC 7489 §6.6.4). The reply
     * text is ASCII: SMTP replies carry no other bytes (RFC 5321 §4.2), Postfix mangles them. */
    switch (d->disposition) {
    case MS_DMARC_POLICY_REJECT:
        *reply = "5.7.1 DMARC policy of the author domain says reject (RFC 9989 section 4.7)";
        return MILTER_REJECT;
    case MS_DMARC_POLICY_QUARANTINE:
        *reply = "DMARC p=quarantine";
        return MILTER_QUARANTINE;
    case MS_DMARC_POLICY_NONE:
    default:
        return MILTER_CONTINUE;
    }
}

bool milter_policy_ar_is_ours(const char *value, size_t len, const char *authserv_id,
                              ms_arena *arena)
{
    const ms_authres *ar = NULL;
    ms_msg_error err;
    memset(&err, 0, sizeof(err));
    if (ms_authres_parse(value, len, arena, &ar, &err) != MS_OK || ar == NULL) {
        return false; /* not even an authserv-id: it claims nothing */
    }
    size_t n = strlen(authserv_id);
    if (strlen(ar->authserv_id) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char a = ar->authserv_id[i], b = authserv_id[i];
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

static bool ieq(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (strlen(b) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') {
            x = (char)(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = (char)(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

/* RFC 8601 §2.7.2: the results an spf method may report. */
static bool spf_result_of(const char *text, ms_spf_result *out)
{
    static const ms_spf_result all[] = {MS_SPF_NONE,     MS_SPF_NEUTRAL,  MS_SPF_PASS,
                                        MS_SPF_FAIL,     MS_SPF_SOFTFAIL, MS_SPF_TEMPERROR,
                                        MS_SPF_PERMERROR};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (ieq(text, ms_spf_result_name(all[i]))) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

bool milter_policy_upstream_spf(const char *value, size_t len, const ms_milterconf_list *trusted,
                                const char *own_authserv_id, ms_arena *arena,
                                milter_upstream_spf *out)
{
    memset(out, 0, sizeof(*out));
    const ms_authres *ar = NULL;
    ms_msg_error err;
    memset(&err, 0, sizeof(err));
    if (trusted == NULL || trusted->n == 0 ||
        ms_authres_parse(value, len, arena, &ar, &err) != MS_OK || ar == NULL ||
        ar->authserv_id[0] == '\0') {
        return false;
    }
    /* Our own id is never believed from incoming mail: such fields are forgeries (removed). */
    if (own_authserv_id != NULL && ieq(ar->authserv_id, own_authserv_id)) {
        return false;
    }
    bool is_trusted = false;
    for (size_t i = 0; i < trusted->n && !is_trusted; i++) {
        is_trusted = ieq(ar->authserv_id, trusted->items[i]);
    }
    if (!is_trusted) {
        return false;
    }
    for (size_t i = 0; i < ar->n_methods; i++) {
        const ms_authres_method *m = &ar->methods[i];
        if (strcmp(m->method, "spf") != 0 || m->version != 1) {
            continue;
        }
        const char *mf = ms_authres_prop_get(m, "smtp", "mailfrom");
        ms_spf_result r;
        if (mf == NULL || mf[0] == '\0' || !spf_result_of(m->result, &r)) {
            continue;
        }
        const char *at = strrchr(mf, '@');
        const char *dom = at != NULL ? at + 1 : mf;
        if (dom[0] == '\0') {
            continue;
        }
        out->found = true;
        out->result = r;
        out->authserv_id = ar->authserv_id;
        out->mailfrom = mf;
        out->domain = dom;
        break;
    }
    return true;
}
