/* SPDX-License-Identifier: MIT */
/* Private: turning a libunbound result into an answer, apart from the network so unit tests
 * can feed it made-up results. */
#ifndef MS_DNS_UNBOUND_H
#define MS_DNS_UNBOUND_H

#include "mailseal/dns.h"

struct ub_result;

/* Fill out (rcode, ttl, flags, records, canon_name, why) from what libunbound delivered: err is
 * the callback's error code, res may then be NULL. qname is the name asked, normalized. Records
 * and strings go to arena; MS_OK unless the arena ran out. */
ms_status ms__unbound_answer(const struct ub_result *res, int err, const char *qname,
                             ms_arena *arena, ms_dns_answer *out);

#endif
