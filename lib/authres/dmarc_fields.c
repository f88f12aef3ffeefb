/* SPDX-License-Identifier: MIT */
/* The dmarc method of Authentication-Results (RFC 7489 §11.2; RFC 9989 §9.1 registers its
 * properties header.from and policy.dmarc). The comment tells a reader what the record asked
 * (p=, sp=, np=), which tag applied, t=y and RFC 7489 sampling, and the disposition (dis=), in
 * the "p=REJECT dis=NONE" style people grep for. Everything from the message or DNS is printed
 * as a token or a quoted-string, so it cannot add a property or a line. */
#include <string.h>

#include "authres/text.h"
#include "base/buf.h"
#include "mailseal/authres.h"

/* The names live in lib/dmarc (ms_dmarc_result_name ...); this layer keeps its own copy of the
 * tables so that it does not need to link the evaluator. */
static const char *result_name(ms_dmarc_result r)
{
    switch (r) {
#define MS_AR_DMARC_RESULT_CASE(name, text)                                                        \
    case MS_DMARC_##name:                                                                          \
        return text;
        MS_DMARC_RESULT_MAP(MS_AR_DMARC_RESULT_CASE)
#undef MS_AR_DMARC_RESULT_CASE
    }
    return "permerror";
}

static const char *policy_name(ms_dmarc_policy p)
{
    switch (p) {
#define MS_AR_DMARC_POLICY_CASE(name, text)                                                        \
    case MS_DMARC_POLICY_##name:                                                                   \
        return text;
        MS_DMARC_POLICY_MAP(MS_AR_DMARC_POLICY_CASE)
#undef MS_AR_DMARC_POLICY_CASE
    }
    return "none";
}

static const char *tag_name(ms_dmarc_policy_tag t)
{
    switch (t) {
    case MS_DMARC_TAG_P:
        return "p";
    case MS_DMARC_TAG_SP:
        return "sp";
    case MS_DMARC_TAG_NP:
        return "np";
    }
    return "p";
}

/* One level lower, as t=y (RFC 9989 §4.7) and RFC 7489 §6.6.4 sampling ask. */
static ms_dmarc_policy lowered(ms_dmarc_policy p)
{
    return p == MS_DMARC_POLICY_REJECT ? MS_DMARC_POLICY_QUARANTINE : MS_DMARC_POLICY_NONE;
}

/* The policy "applied / to be applied after policy options have been processed" (RFC 9989
 * §9.1, policy.dmarc): on fail what the receiver applies; on pass the published policy of the
 * tag that applied, lowered as t=y or sampling would lower it. */
static ms_dmarc_policy evaluated_policy(const ms_dmarc_verdict *v)
{
    if (v->result == MS_DMARC_FAIL) {
        return v->disposition;
    }
    return (v->testing || v->sampled_out) ? lowered(v->policy) : v->policy;
}

static void put_policy_comment(ms__buf *b, const ms_dmarc_verdict *v)
{
    const ms_dmarc_record *r = v->record;
    ms__buf_puts(b, " (");
    if (r != NULL) {
        ms__buf_printf(b, "p=%s", policy_name(r->p));
        if (r->has_sp) {
            ms__buf_printf(b, " sp=%s", policy_name(r->sp));
        }
        if (r->has_np) {
            ms__buf_printf(b, " np=%s", policy_name(r->np));
        }
    } else {
        ms__buf_printf(b, "%s=%s", tag_name(v->policy_tag), policy_name(v->policy));
    }
    ms__buf_printf(b, " dis=%s", policy_name(v->disposition));
    /* Which tag applied (when not p), then what lowered the policy. */
    const char *sep = "; ";
    if (v->policy_tag != MS_DMARC_TAG_P) {
        ms__buf_printf(b, "%s%s applied", sep, tag_name(v->policy_tag));
        sep = ", ";
    }
    if (v->testing) {
        ms__buf_printf(b, "%stesting t=y", sep);
        sep = ", ";
    }
    if (v->sampled_out) {
        ms__buf_printf(b, "%ssampled out by pct", sep);
    }
    ms__buf_putc(b, ')');
}

ms_status ms_authres_dmarc_format(const ms_dmarc_verdict *v, ms_arena *arena, const char **out)
{
    if (out == NULL) {
        return MS_EINVAL;
    }
    *out = NULL;
    if (v == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    ms__buf b;
    ms__buf_init(&b, arena, 4096);
    ms__buf_printf(&b, "dmarc=%s", result_name(v->result));
    bool has_policy = v->result == MS_DMARC_PASS || v->result == MS_DMARC_FAIL;
    if (has_policy) {
        put_policy_comment(&b, v);
    } else if (v->reason != NULL) {
        ms__buf_puts(&b, " (");
        ms__authres_put_comment(&b, v->reason);
        ms__buf_putc(&b, ')');
    }
    if (v->from_domain != NULL && v->from_domain[0] != '\0') {
        ms__buf_puts(&b, " header.from=");
        ms__authres_put_value(&b, v->from_domain);
    }
    if (has_policy) {
        ms__buf_printf(&b, " policy.dmarc=%s", policy_name(evaluated_policy(v)));
    }
    if (ms__buf_status(&b) != MS_OK) {
        return ms__buf_status(&b);
    }
    *out = ms__buf_str(&b);
    return MS_OK;
}
