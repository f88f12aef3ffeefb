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

/* DKIM, RFC 6376 §3.2, §3.5, §3.6.1 (bad-inputs DKIM-11, DKIM-23) */
#define MS_LIMIT_DKIM_SIG_BYTES 65536u /* one DKIM-Signature value, folding included */
#define MS_LIMIT_DKIM_KEY_BYTES 8192u  /* one key record, its TXT strings joined */
#define MS_LIMIT_DKIM_TAGS 128u        /* tag=value pairs in one tag-list */
#define MS_LIMIT_DKIM_H_ITEMS 1000u    /* field names in h= */
#define MS_LIMIT_DKIM_H_BYTES 16384u   /* bytes of the h= value */
#define MS_LIMIT_DKIM_BASE64 4096u     /* b= and bh= characters, folding removed */
#define MS_LIMIT_DKIM_KEY_P 4096u      /* p= characters, folding removed, checked before decoding */
#define MS_LIMIT_DKIM_LOCAL_PART 64u   /* i= local-part once decoded, RFC 5321 §4.5.3.1.1 */
#define MS_LIMIT_DKIM_TIMESTAMP_DIGITS 12u /* t= and x=: 1*12DIGIT, RFC 6376 §3.5 */
#define MS_LIMIT_DKIM_LENGTH_DIGITS 76u    /* l=: 1*76DIGIT; the value must also fit 64 bits */
#define MS_LIMIT_DKIM_KEY_CACHE 1024u      /* parsed public keys kept */
#define MS_LIMIT_DKIM_KEYS_PER_NAME 4u     /* key records tried at one selector (DKIM-20) */
#define MS_LIMIT_DKIM_SIGNATURES 10u       /* examined per message (DKIM-22) */
#define MS_LIMIT_DKIM_CLOCK_SKEW_S 300u    /* t= this far in the future is accepted (DKIM-08) */
#define MS_LIMIT_DKIM_SIGN_KEYS 8u         /* keys (signatures per message) of one signer */
#define MS_LIMIT_DKIM_SIGN_HEADERS 64u     /* names in a signer's header list */
#define MS_LIMIT_DKIM_SIGN_LINE 78u        /* columns of a DKIM-Signature line (RFC 5322 §2.1.1) */

/* Base64, RFC 4648 §4 */
#define MS_LIMIT_BASE64_DECODED (64u * 1024u) /* bytes one decode may produce by default */

/* Keys and signatures, RFC 6376 §3.6.1, RFC 8301 §3.2, RFC 8463 §4 (bad-inputs DKIM-11) */
#define MS_LIMIT_DKIM_KEY_B64                                                                      \
    MS_LIMIT_DKIM_KEY_P                /* p= text the key decoder takes, folding included */
#define MS_LIMIT_DKIM_KEY_DER 3072u    /* bytes p= may decode to (4096 / 4 * 3) */
#define MS_LIMIT_RSA_BITS 8192u        /* largest RSA modulus parsed, signed with or made */
#define MS_LIMIT_RSA_EXPONENT_BITS 64u /* OpenSSL's own cap above 3072 bits; keys use 65537 */
#define MS_LIMIT_SIGNATURE 1024u       /* bytes of one signature (RSA-8192) */
#define MS_LIMIT_PRIVATE_KEY_PEM (64u * 1024u) /* bytes of one PEM private key */
#define MS_LIMIT_RSA_KEYGEN_MIN_BITS 1024u     /* RFC 8301 §3.2: signers use at least 1024 */
#define MS_LIMIT_RSA_KEYGEN_DEFAULT_BITS 2048u /* RFC 8301 §3.2: SHOULD be at least 2048 */

/* Messages, RFC 5322 (lib/msg). The parse cap is well above the policy cap so that policy (not
 * the parser) decides on a large header block and can say by how much it was over. */
#define MS_LIMIT_MSG_HEADER_BYTES (1024u * 1024u) /* header block parsed at most */
#define MS_LIMIT_MSG_HEADER_POLICY (64u * 1024u)  /* larger sets MS_MSG_OVERSIZE (DKIM-25) */
#define MS_LIMIT_MSG_FIELDS                                                                        \
    20000u                                      /* fields parsed (MLT-10); the policy cap          \
                                                 * on bytes decides before this one */
#define MS_LIMIT_MSG_FIELD_BYTES (256u * 1024u) /* one field, folding included */
#define MS_LIMIT_MSG_LINE 998u                  /* §2.1.1; longer lines are flagged */
#define MS_LIMIT_MSG_ADDRESSES 100u             /* mailboxes + groups in one field (DMARC-31) */
#define MS_LIMIT_MSG_COMMENT_DEPTH 16u          /* nested comments, §3.2.2 */
#define MS_LIMIT_MSG_LOCAL_PART 256u            /* bytes; RFC 5321 §4.5.3.1.1 says 64 */

/* Traces */
#define MS_LIMIT_TRACE_STEPS 4096u
#define MS_LIMIT_TRACE_LINE 512u

/* Authentication-Results parsing, RFC 8601 §2.2 (lib/authres) */
#define MS_LIMIT_AUTHRES_BYTES (64u * 1024u) /* one field value, folding included */
#define MS_LIMIT_AUTHRES_METHODS 64u         /* resinfo entries in one field */
#define MS_LIMIT_AUTHRES_PROPS 32u           /* ptype.property=value in one method result */
#define MS_LIMIT_AUTHRES_COMMENT_DEPTH 8u    /* nested comments, RFC 5322 §3.2.2 */
#define MS_LIMIT_AUTHRES_PROBLEMS 32u        /* problems listed; the parse stops at the last */
#define MS_LIMIT_AUTHRES_DETAIL 64u          /* bytes of a problem's detail */
#define MS_LIMIT_AUTHRES_LINE 78u            /* columns of a formatted line (RFC 5322 §2.1.1) */

/* DMARC, RFC 9989 / RFC 7489 (lib/dmarc) */
#define MS_LIMIT_DMARC_RECORD 4096u      /* bytes of one policy record; longer is invalid */
#define MS_LIMIT_DMARC_URIS 16u          /* rua= / ruf= URIs kept each; more are dropped */
#define MS_LIMIT_DMARC_NOTES 32u         /* notes one record parse keeps */
#define MS_LIMIT_DMARC_TREE_QUERIES 8u   /* one DNS tree walk, RFC 9989 §4.10 */
#define MS_LIMIT_DMARC_AUTHOR_DOMAINS 4u /* distinct From domains evaluated (DMARC-31) */
#define MS_LIMIT_DMARC_WALK_CACHE 64u    /* _dmarc answers remembered in one evaluation */
#define MS_LIMIT_DMARC_TXT_RECORDS 16u   /* TXT strings looked at under one _dmarc name */

/* The domain audit (lib/check) */
#define MS_LIMIT_CHECK_FINDINGS 512u  /* findings in one report */
#define MS_LIMIT_CHECK_SPF_NODES 256u /* records in one SPF include tree */
#define MS_LIMIT_CHECK_SELECTORS 64u  /* DKIM selectors looked at */

/* The domain audit's SPF, DMARC, provider and bulk-sender parts (lib/check/spf.c ...) */
#define MS_LIMIT_CHECK_SPF_DEPTH 10u    /* include/redirect levels followed (§4.6.4 stops at 10) */
#define MS_LIMIT_CHECK_SPF_QUERIES 200u /* DNS questions the SPF tree walk asks at most */
#define MS_LIMIT_CHECK_REPORT_URIS 8u   /* rua/ruf destinations whose authorization is looked up */
#define MS_LIMIT_CHECK_SPF_FINDINGS 16u /* findings about records in one SPF tree */
#define MS_LIMIT_CHECK_DNS_ERRORS                                                                  \
    4u /* DNS failures one part reports; more only mark it incomplete */

/* The domain audit's DKIM, extras and message parts (lib/check/dkim.c, extras.c, message.c) */
#define MS_LIMIT_CHECK_RECORD_SHOWN 400u /* characters of a record quoted in a finding */
#define MS_LIMIT_CHECK_GUESS_FAILURES 2u /* failed well-known selector lookups before giving up */
#define MS_LIMIT_CHECK_MX_SHOWN 16u      /* MX hosts kept in the facts */
#define MS_LIMIT_CHECK_TAGS 32u          /* tags read from one MTA-STS, TLS-RPT or BIMI record */

/* The store: history rows, migrations, backends (lib/store) */
#define MS_LIMIT_STORE_URI 4096u      /* bytes of a store URI */
#define MS_LIMIT_STORE_FIELD 1024u    /* bytes of one string field of a history row */
#define MS_LIMIT_STORE_DKIM 32u       /* DKIM results kept per message */
#define MS_LIMIT_STORE_OVERRIDES 8u   /* policy override reasons per message */
#define MS_LIMIT_STORE_PAGE 256u      /* history rows read per query page */
#define MS_LIMIT_STORE_BUSY_MS 10000u /* SQLite busy_timeout: wait this long for the lock */
#define MS_LIMIT_STORE_PARAMS 40u     /* parameters of one SQL statement */

/* mailseal-milter's configuration: config file, InternalHosts, KeyTable, SigningTable
 * (lib/milterconf) */
#define MS_LIMIT_MILTERCONF_LINE 4096u                 /* bytes of one line of any of its files */
#define MS_LIMIT_MILTERCONF_FILE (16u * 1024u * 1024u) /* bytes of one file read */
#define MS_LIMIT_MILTERCONF_HOSTS 4096u                /* InternalHosts entries */
#define MS_LIMIT_MILTERCONF_TABLE 65536u               /* lines of a KeyTable or SigningTable */
#define MS_LIMIT_MILTERCONF_LIST 64u                   /* items of a list value; ZoneFile lines */
#define MS_LIMIT_MILTERCONF_SIGN_KEYS 8u               /* keys one message is signed with */
#define MS_LIMIT_MILTERCONF_KEY_FILE (64u * 1024u)     /* bytes of one private key file */
#define MS_LIMIT_MILTERCONF_ADDRESS 320u               /* bytes of a From address looked up */

/* mailseal-milter features: reload, Nameservers (lib/dns, milter) */
#define MS_LIMIT_DNS_FORWARDERS 16u /* resolver addresses of one libunbound context */

/* Received reports: unpacking, DMARC aggregate/failure and TLS-RPT parsing (lib/report) */
/* bytes one source may unpack to, all payloads together, counted as produced (RPT-04, 05) */
#define MS_LIMIT_REPORT_INFLATED (32u * 1024u * 1024u)
#define MS_LIMIT_REPORT_XML (32u * 1024u * 1024u) /* bytes of one XML or JSON document */
#define MS_LIMIT_REPORT_FIELD 1024u               /* bytes of one text field (RPT-10) */
#define MS_LIMIT_REPORT_RECORDS 100000u           /* <record> elements in one aggregate report */
#define MS_LIMIT_REPORT_RESULTS 32u       /* auth_results dkim/spf entries, reasons per record */
#define MS_LIMIT_REPORT_ERRORS 32u        /* <error> elements kept from report_metadata */
#define MS_LIMIT_REPORT_XML_DEPTH 32u     /* element nesting in a report */
#define MS_LIMIT_REPORT_XML_RECOVERED 16u /* well-formedness errors recovered before giving up */
#define MS_LIMIT_REPORT_PAYLOADS 64u      /* payloads found in one source */
#define MS_LIMIT_REPORT_ZIP_MEMBERS 16u   /* entries of one zip archive (RPT-05) */
#define MS_LIMIT_REPORT_MIME_PARTS 256u   /* MIME parts walked in one message */
#define MS_LIMIT_REPORT_MIME_DEPTH 8u     /* multipart / message/rfc822 nesting */
#define MS_LIMIT_REPORT_MIME_HEADER (256u * 1024u) /* bytes of one part's header block */
#define MS_LIMIT_REPORT_ARF_FIELDS 256u            /* fields of a message/feedback-report part */
#define MS_LIMIT_REPORT_JSON_DEPTH 16u             /* nesting of a TLS-RPT JSON document */
#define MS_LIMIT_REPORT_TLSRPT_ITEMS 10000u /* policies, failure details, strings, MX hosts */
#define MS_LIMIT_REPORT_DATE 253402300799   /* latest date accepted: 9999-12-31T23:59:59Z */

/* Writing and sending aggregate reports (lib/report/write.c, gzip.c; cli report generate/send) */
#define MS_LIMIT_REPORT_WRITE_RECORDS                                                              \
    100000u                             /* records in one generated report (as many as are read) */
#define MS_LIMIT_REPORT_WRITE_DKIM 100u /* signatures per record (RFC 9990 §3.1.3) */
#define MS_LIMIT_REPORT_WRITE_BYTES (512u * 1024u * 1024u) /* XML bytes gzip-compressed at once */

/* Received reports in the store and their ingestion (lib/store/reports.c, lib/ingest) */
#define MS_LIMIT_STORE_REPORT_FIELD 8192u            /* bytes of one string of a report */
#define MS_LIMIT_STORE_REPORT_HEADERS (256u * 1024u) /* bytes of a failure report's headers */
/* DKIM and SPF results and reasons per record; errors per report */
#define MS_LIMIT_STORE_REPORT_ITEMS 64u
#define MS_LIMIT_STORE_TLSRPT_POLICIES 10000u         /* policies of one TLS report */
#define MS_LIMIT_STORE_TLSRPT_ITEMS 10000u            /* strings, MX hosts, failures per policy */
#define MS_LIMIT_STORE_REPORT_PAGE 256u               /* reports or records read per page */
#define MS_LIMIT_STORE_KEY 4096u                      /* bytes of a source key */
#define MS_LIMIT_STORE_KEPT 4096u                     /* bytes kept of an unreadable source */
#define MS_LIMIT_STORE_REASON 1024u                   /* bytes of a kept-aside reason */
#define MS_LIMIT_INGEST_SOURCE (256u * 1024u * 1024u) /* bytes of one source (file, message) */
#define MS_LIMIT_INGEST_DIR_DEPTH 8u                  /* directory levels walked */
#define MS_LIMIT_INGEST_IMAP_UIDS 100000u             /* messages fetched per mailbox per run */

/* Failure reports the receiver makes (lib/message/failure_report.c, lib/store/failure_out.c) */
#define MS_LIMIT_FAILURE_HEADERS (128u * 1024u) /* bytes of the reported message's header copied */
#define MS_LIMIT_FAILURE_MESSAGE (256u * 1024u) /* bytes of one failure report mail */
#define MS_LIMIT_FAILURE_PER_MESSAGE 8u /* reports made for one message (dmarc, spf, signatures) */

/* Received reports summarised for a person (lib/summary) */
#define MS_LIMIT_SUMMARY_ARENA (512u * 1024u * 1024u) /* bytes one summary may hold */
#define MS_LIMIT_SUMMARY_SOURCES 100000u              /* source IPs kept; more are counted only */
#define MS_LIMIT_SUMMARY_NAMES 16u       /* header_from/DKIM/SPF domains, reporters per source */
#define MS_LIMIT_SUMMARY_FIELD 255u      /* bytes of a name kept from a report (cut past it) */
#define MS_LIMIT_SUMMARY_DAYS 3700u      /* days kept for the per-day totals (ten years) */
#define MS_LIMIT_SUMMARY_REPORTERS 1024u /* reporters kept; more are counted as "(others)" */
#define MS_LIMIT_SUMMARY_DOMAINS 256u    /* policy domains kept */
#define MS_LIMIT_SUMMARY_FAILURES 4096u  /* failure-report source IPs and TLS failure kinds */
#define MS_LIMIT_SUMMARY_PTR_LOOKUPS 64u /* sources whose reverse DNS name is looked up */
#define MS_LIMIT_SUMMARY_PTR_FAILURES 3u /* PTR timeouts in a row before giving up on DNS */
#define MS_LIMIT_SUMMARY_LISTED 5u       /* sources named in one piece of advice */
#define MS_LIMIT_SUMMARY_CHART 20u       /* bars in one chart of the HTML page */
#define MS_LIMIT_SUMMARY_OUTPUT (64u * 1024u * 1024u) /* bytes of one formatted summary */

#endif
