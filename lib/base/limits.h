/* SPDX-License-Identifier: MIT */
/* Every cap in one place (design.md section 5). Overflowing one is MS_ELIMIT or the verdict
 * the RFC gives, never a truncated result. */
#ifndef MS_BASE_LIMITS_H
#define MS_BASE_LIMITS_H

/* Arenas */
#define MS_LIMIT_ARENA_DEFAULT (64u * 1024u * 1024u) /* bytes one arena may hand out */
#define MS_LIMIT_ARENA_BLOCK (16u * 1024u)           /* first block size */

/* DNS names, RFC 1035 §2.3.4 */
#define MS_LIMIT_DNS_NAME 253u /* presentation form, no trailing dot */
#define MS_LIMIT_DNS_LABEL 63u
#define MS_LIMIT_DNS_NAME_TEXT 1024u /* presentation with \DDD escapes */

/* DNS answers and resolvers */
#define MS_LIMIT_DNS_CNAME_CHAIN 8u           /* CNAMEs followed for one question */
#define MS_LIMIT_DNS_RRS 1000u                /* records kept from one answer */
#define MS_LIMIT_DNS_TXT 65535u               /* bytes of one TXT record's strings joined */
#define MS_LIMIT_DNS_TIMEOUT_MS_DEFAULT 5000u /* one query */
#define MS_LIMIT_DNS_CACHE_ENTRIES 65536u     /* answers kept by the cache */
#define MS_LIMIT_DNS_CACHE_MAX_TTL 86400u     /* longest a cached answer is trusted */

/* Zone files */
#define MS_LIMIT_ZONE_FILE_BYTES (64u * 1024u * 1024u)
#define MS_LIMIT_ZONE_RECORDS 1000000u
#define MS_LIMIT_ZONE_TOKEN 65535u /* one token (a TXT string before unescaping) */

/* SPF, RFC 7208 §4.6.4 and §11.1 */
#define MS_LIMIT_SPF_DNS_TERMS 10u
#define MS_LIMIT_SPF_VOID_LOOKUPS 2u
#define MS_LIMIT_SPF_MX_NAMES 10u
#define MS_LIMIT_SPF_PTR_NAMES 10u
#define MS_LIMIT_SPF_QUERIES 111u /* 1 + 10 terms x (1 + 10 addresses) */
#define MS_LIMIT_SPF_TIME_MS 20000u
#define MS_LIMIT_SPF_TERMS 1024u       /* terms in one record */
#define MS_LIMIT_SPF_RECORD 4096u      /* bytes of one record; §3.4 keeps it under 450 */
#define MS_LIMIT_SPF_EXPANSION 4096u   /* bytes one macro expansion may build */
#define MS_LIMIT_SPF_EXPLANATION 1024u /* bytes of an exp= explanation kept */
#define MS_LIMIT_SPF_LOCAL_PART 64u    /* RFC 5321 §4.5.3.1.1 */

/* Messages, RFC 5322 (lib/msg). The parse cap is well above the policy cap so that policy (not
 * the parser) decides on a large header block and can say by how much it was over. */
#define MS_LIMIT_MSG_HEADER_BYTES (1024u * 1024u) /* header block parsed at most */
#define MS_LIMIT_MSG_HEADER_POLICY (64u * 1024u)  /* larger sets MS_MSG_OVERSIZE (DKIM-25) */
#define MS_LIMIT_MSG_FIELDS 1000u                 /* fields in one header (MLT-10) */
#define MS_LIMIT_MSG_FIELD_BYTES (256u * 1024u)   /* one field, folding included */
#define MS_LIMIT_MSG_LINE 998u                    /* §2.1.1; longer lines are flagged */
#define MS_LIMIT_MSG_ADDRESSES 100u               /* mailboxes + groups in one field (DMARC-31) */
#define MS_LIMIT_MSG_COMMENT_DEPTH 16u            /* nested comments, §3.2.2 */
#define MS_LIMIT_MSG_LOCAL_PART 256u              /* bytes; RFC 5321 §4.5.3.1.1 says 64 */

/* Traces */
#define MS_LIMIT_TRACE_STEPS 4096u
#define MS_LIMIT_TRACE_LINE 512u

#endif
