/* SPDX-License-Identifier: MIT */
/* Header fields that carry verdicts: Received-SPF (RFC 7208 §9.1) and the method parts of
 * Authentication-Results (RFC 8601). */
#ifndef MAILSEAL_AUTHRES_H
#define MAILSEAL_AUTHRES_H

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/dkim.h"
#include "mailseal/dmarc.h"
#include "mailseal/spf.h"
#include "mailseal/status.h"

/* The value of a Received-SPF field (without "Received-SPF: "), RFC 7208 §9.1:
 * "pass (example.com: 192.0.2.1 is authorized ...) client-ip=...; envelope-from=...; ...".
 * receiver is the reporting host (NULL = req->receiver or "unknown"). */
MS_API MS_MUST_CHECK ms_status ms_received_spf_format(const ms_spf_verdict *verdict,
                                                      const ms_spf_request *req,
                                                      const char *receiver, ms_arena *arena,
                                                      const char **out);

/* The spf method result of Authentication-Results, RFC 8601 §2.7.2:
 * "spf=pass smtp.mailfrom=user@example.com" or "spf=none smtp.helo=mail.example.com". */
MS_API MS_MUST_CHECK ms_status ms_authres_spf_format(const ms_spf_verdict *verdict, ms_arena *arena,
                                                     const char **out);

/* The dkim method result of Authentication-Results for one signature, RFC 8601 §2.7.1 and
 * RFC 6008: "dkim=pass (2048-bit rsa-sha256 key) header.d=example.com header.s=sel
 * header.i=@example.com header.a=rsa-sha256 header.b=AbCdEfGh". With no signature (NULL),
 * "dkim=none". Values that are not RFC 2045 tokens are quoted; the text is one ASCII line. */
MS_API MS_MUST_CHECK ms_status ms_authres_dkim_format(const ms_dkim_sig_result *sig,
                                                      ms_arena *arena, const char **out);

/* The dmarc method result, RFC 7489 §11.2 / RFC 9989: "dmarc=fail (p=reject dis=reject)
 * header.from=example.com policy.dmarc=reject" (policy.dmarc, on pass and fail only, is the policy
 * "applied / to be applied after policy options have been processed", RFC 9989 §9.1: the
 * disposition on fail, the applying tag's policy lowered by t=y or sampling on pass; the comment
 * gives the published p=/sp=/np=, dis=, and which tag applied, t=y, sampled out). */
MS_API MS_MUST_CHECK ms_status ms_authres_dmarc_format(const ms_dmarc_verdict *verdict,
                                                       ms_arena *arena, const char **out);

/* ---- a whole Authentication-Results field (RFC 8601 §2.2) ------------------------------- */

typedef struct ms_authres_input {
    const char *authserv_id;        /* required: the receiver's name (RFC 8601 §2.5) */
    const ms_spf_verdict *spf;      /* MAIL FROM (or null-sender HELO) check; NULL: left out */
    const ms_spf_verdict *spf_helo; /* a separate HELO check; NULL: left out */
    const ms_dkim_sig_result *dkim; /* one dkim= per signature; n_dkim 0 gives "dkim=none" when
                                     * any other method is present */
    size_t n_dkim;
    const ms_dmarc_verdict *dmarc; /* NULL: left out */
} ms_authres_input;

/* The field value (without "Authentication-Results:"): "mx.example.org; spf=pass ...;
 * dkim=pass ...; dmarc=pass ...", folded before each method with CRLF TAB so that lines stay
 * within 78 columns where the tokens allow; no method at all gives "mx.example.org; none".
 * ASCII only; NUL-terminated, in arena. */
MS_API MS_MUST_CHECK ms_status ms_authres_format(const ms_authres_input *in, ms_arena *arena,
                                                 const char **out);

/* One property of a method result: ptype.property=value (RFC 8601 §2.2). */
typedef struct ms_authres_prop {
    const char *ptype;    /* "smtp", "header", "body", "policy" (lowercased) */
    const char *property; /* "mailfrom", "d", "from" (lowercased) */
    const char *value;    /* unquoted; comments removed */
} ms_authres_prop;

typedef struct ms_authres_method {
    const char *method;  /* "spf", "dkim", "dmarc", "arc" ... lowercased */
    unsigned version;    /* "method/1": 1 when absent */
    const char *result;  /* "pass", lowercased */
    const char *reason;  /* reason= value, NULL when absent */
    const char *comment; /* the first comment after the result, NULL when none */
    size_t n_props;
    const ms_authres_prop *props;
    size_t offset; /* where it starts in the parsed text */
} ms_authres_method;

/* What could not be parsed: the parser goes on at the next ';'. */
typedef struct ms_authres_problem {
    size_t offset;
    const char *reason; /* static text */
    const char *detail; /* the bytes skipped, printable, cut */
} ms_authres_problem;

typedef struct ms_authres {
    const char *authserv_id; /* lowercased; "" when the field starts with a method
                              * (Microsoft's form), which is also listed as a problem */
    unsigned version;        /* authserv-id version, 1 when absent */
    bool none;               /* "no-result" ("; none") */
    size_t n_methods;
    const ms_authres_method *methods;
    size_t n_problems;
    const ms_authres_problem *problems;
} ms_authres;

/* Parse a field value (folded or unfolded, without the field name) tolerantly: real fields
 * break the grammar (unquoted spaces, missing ';', unknown ptypes, stray comments); what can be
 * parsed is returned, what cannot is listed as a problem. MS_ESYNTAX (err filled) only when not
 * even an authserv-id can be read; MS_ELIMIT past MS_LIMIT_AUTHRES_* caps. */
MS_API MS_MUST_CHECK ms_status ms_authres_parse(const char *text, size_t len, ms_arena *arena,
                                                const ms_authres **out, ms_msg_error *err);
/* The first property ptype.property of a method result, NULL when absent. */
MS_API const char *ms_authres_prop_get(const ms_authres_method *method, const char *ptype,
                                       const char *property);

#endif
