/* SPDX-License-Identifier: MIT */
/* Private: DNS wire format to mailseal records. Domain names (RFC 1035 §3.1, compression
 * §4.1.4), the RDATA of the types mailseal reads (RFC 1035 §3.3, RFC 3596 §2.2), and the CNAME
 * chain of a whole message's answer section. No length is trusted. */
#ifndef MS_DNS_RDATA_H
#define MS_DNS_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/dns.h"

/* Decode the wire-format name at wire[*pos..wire_len) into presentation form (dns.h): labels
 * joined by '.', no trailing dot, the root as "", case kept. Bytes outside 0x21-0x7e and any
 * '.' or '\\' inside a label are written \DDD (RFC 1035 §5.1), as zonefile.c writes names, so
 * the text reads back to the same name.
 * Compression pointers (RFC 1035 §4.1.4) are followed only when allow_pointers (wire is then a
 * whole message) and only backwards. On success *pos is just past the name as stored.
 * out receives at most outlen - 1 bytes plus a NUL; MS_LIMIT_DNS_NAME_TEXT + 1 always fits.
 * MS_ESYNTAX with *why (static text) when the name is malformed, MS_ELIMIT when out is short. */
ms_status ms__dns_wire_name(const uint8_t *wire, size_t wire_len, size_t *pos, bool allow_pointers,
                            char *out, size_t outlen, const char **why);

/* Decode one record's RDATA of type into rr (type, union; ttl left as is), strings in arena.
 * Names in RDATA must be uncompressed (what resolvers hand out, RFC 3597 §4). Types mailseal
 * does not read get rr->type only. MS_ESYNTAX with *why when the RDATA does not parse;
 * the arena's status when it runs out. */
ms_status ms__dns_rdata_parse(uint16_t type, const uint8_t *rdata, size_t len, ms_arena *arena,
                              ms_dns_rr *rr, const char **why);

/* The name the answer section of a whole DNS message leads to from qname by following CNAMEs
 * (RFC 1034 §3.6.2), compared without regard to ASCII case; qname itself when there are none.
 * qname is in presentation form without a trailing dot. out as for ms__dns_wire_name.
 * MS_ESYNTAX with *why when the message does not parse. */
ms_status ms__dns_msg_canon_name(const uint8_t *msg, size_t len, const char *qname, char *out,
                                 size_t outlen, const char **why);

#endif
