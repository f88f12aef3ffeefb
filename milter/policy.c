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
    if (d->result == MS_DMARC_TEMPERROR && conf->on_dns_timeout == MS_MILTERCONF_TEMPFAIL) {
        *reply = "4.7.5 DMARC: temporary DNS failure, try again later";
        return MILTER_TEMPFAIL;
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
