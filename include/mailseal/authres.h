/* SPDX-License-Identifier: MIT */
/* Header fields that carry verdicts: Received-SPF (RFC 7208 §9.1) and the method parts of
 * Authentication-Results (RFC 8601). */
#ifndef MAILSEAL_AUTHRES_H
#define MAILSEAL_AUTHRES_H

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/dkim.h"
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

#endif
