/* SPDX-License-Identifier: MIT */
/* DMARC aggregate reports: RFC 9990 (namespace urn:ietf:params:xml:ns:dmarc-2.0, §3.1 and
 * Appendix A), RFC 7489 Appendix C (no namespace) and the older draft format, read with
 * libxml2's SAX2 interface (no tree). DTDs are refused outright (RPT-01/02): the internalSubset
 * callback stops the parser, and entities, DTD loading and network access are never enabled.
 * What real reporters send is tolerated: upper-case result words, white space around values,
 * optional elements missing, empty <reason>, stray '<' in text (recovered, up to a cap), bytes
 * that are not UTF-8 (libxml2 reads the rest as Latin-1). Required elements missing, counts
 * and dates out of range and caps passed are errors, never a partial report. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <threads.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "mailseal/report.h"

#include "base/limits.h"
#include "base/str.h"
#include "base/utf8.h"
#include "report/internal.h"

#define NS_RFC9990 "urn:ietf:params:xml:ns:dmarc-2.0"

typedef enum {
    E_OTHER,
    E_WRAPPER, /* a root around <feedback> (some reporters wrap it in <xs:schema>) */
    E_FEEDBACK,
    E_VERSION,
    E_REPORT_METADATA,
    E_ORG_NAME,
    E_EMAIL,
    E_EXTRA_CONTACT_INFO,
    E_REPORT_ID,
    E_DATE_RANGE,
    E_BEGIN,
    E_END,
    E_ERROR,
    E_GENERATOR,
    E_POLICY_PUBLISHED,
    E_DOMAIN,
    E_ADKIM,
    E_ASPF,
    E_P,
    E_SP,
    E_NP,
    E_PCT,
    E_FO,
    E_TESTING,
    E_DISCOVERY_METHOD,
    E_RECORD,
    E_ROW,
    E_SOURCE_IP,
    E_COUNT,
    E_POLICY_EVALUATED,
    E_DISPOSITION,
    E_DKIM,
    E_SPF,
    E_REASON,
    E_TYPE,
    E_COMMENT,
    E_IDENTIFIERS,
    E_HEADER_FROM,
    E_ENVELOPE_FROM,
    E_ENVELOPE_TO,
    E_AUTH_RESULTS,
    E_SELECTOR,
    E_RESULT,
    E_HUMAN_RESULT,
    E_SCOPE,
} elem_id;

static const struct {
    const char *name;
    elem_id id;
} ELEMS[] = {
    {"feedback", E_FEEDBACK},
    {"version", E_VERSION},
    {"report_metadata", E_REPORT_METADATA},
    {"org_name", E_ORG_NAME},
    {"email", E_EMAIL},
    {"extra_contact_info", E_EXTRA_CONTACT_INFO},
    {"report_id", E_REPORT_ID},
    {"date_range", E_DATE_RANGE},
    {"begin", E_BEGIN},
    {"end", E_END},
    {"error", E_ERROR},
    {"generator", E_GENERATOR},
    {"policy_published", E_POLICY_PUBLISHED},
    {"domain", E_DOMAIN},
    {"adkim", E_ADKIM},
    {"aspf", E_ASPF},
    {"p", E_P},
    {"sp", E_SP},
    {"np", E_NP},
    {"pct", E_PCT},
    {"fo", E_FO},
    {"testing", E_TESTING},
    {"discovery_method", E_DISCOVERY_METHOD},
    {"record", E_RECORD},
    {"row", E_ROW},
    {"source_ip", E_SOURCE_IP},
    {"count", E_COUNT},
    {"policy_evaluated", E_POLICY_EVALUATED},
    {"disposition", E_DISPOSITION},
    {"dkim", E_DKIM},
    {"spf", E_SPF},
    {"reason", E_REASON},
    {"type", E_TYPE},
    {"comment", E_COMMENT},
    {"identifiers", E_IDENTIFIERS},
    {"identities", E_IDENTIFIERS}, /* the older draft's name */
    {"header_from", E_HEADER_FROM},
    {"envelope_from", E_ENVELOPE_FROM},
    {"envelope_to", E_ENVELOPE_TO},
    {"auth_results", E_AUTH_RESULTS},
    {"selector", E_SELECTOR},
    {"result", E_RESULT},
    {"human_result", E_HUMAN_RESULT},
    {"scope", E_SCOPE},
};

static elem_id elem_lookup_slow(const char *n)
{
    for (size_t i = 0; i < sizeof(ELEMS) / sizeof(ELEMS[0]); i++) {
        if (ELEMS[i].name[0] == n[0] && strcmp(ELEMS[i].name, n) == 0) {
            return ELEMS[i].id;
        }
    }
    return E_OTHER;
}

/* libxml2 interns names in the parser's dictionary, so within one parse a name is always the
 * same pointer: a small direct-mapped cache keyed by it skips the string compares. */
#define NAME_CACHE 64u

typedef struct name_cache {
    const xmlChar *key[NAME_CACHE];
    elem_id id[NAME_CACHE];
} name_cache;

static elem_id elem_lookup(name_cache *c, const xmlChar *name)
{
    size_t h = ((uintptr_t)name >> 3) % NAME_CACHE;
    if (c->key[h] == name) {
        return c->id[h];
    }
    elem_id id = elem_lookup_slow((const char *)name);
    c->key[h] = name;
    c->id[h] = id;
    return id;
}

/* Words reports use, interned so the common values cost no allocation. */
static const struct {
    const char *word;
    size_t len;
} WORDS[] = {
#define W(s)                                                                                       \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
    W("pass"),
    W("fail"),
    W("none"),
    W("neutral"),
    W("softfail"),
    W("temperror"),
    W("permerror"),
    W("policy"),
    W("quarantine"),
    W("reject"),
    W("r"),
    W("s"),
    W("y"),
    W("n"),
    W("mfrom"),
    W("helo"),
    W("other"),
    W("forwarded"),
    W("sampled_out"),
    W("trusted_forwarder"),
    W("mailing_list"),
    W("local_policy"),
    W("policy_test_mode"),
    W("psl"),
    W("treewalk"),
#undef W
};

typedef struct state {
    xmlParserCtxtPtr ctxt;
    ms_arena *arena;
    ms_report_error *err;
    ms_status status; /* the first failure */
    bool failed;
    size_t depth;
    elem_id stack[MS_LIMIT_REPORT_XML_DEPTH];
    bool root_seen, root_closed, ns9990, saw_scope, saw_identifiers;
    unsigned recovered;
    char first_xml_error[96];
    /* text of the current leaf */
    bool collecting;
    char text[MS_LIMIT_REPORT_FIELD + 1];
    size_t text_len;
    /* the report */
    ms_report_aggregate *r;
    bool have_metadata, have_policy, have_begin, have_end;
    const char *errors[MS_LIMIT_REPORT_ERRORS];
    size_t n_errors;
    ms_report_record *records;
    size_t n_records, records_size;
    /* the record being read */
    ms_report_record rec;
    bool have_ip, have_count;
    ms_report_dkim dkim[MS_LIMIT_REPORT_RESULTS];
    ms_report_spf spf[MS_LIMIT_REPORT_RESULTS];
    ms_report_reason reasons[MS_LIMIT_REPORT_RESULTS];
    size_t n_dkim, n_spf, n_reasons;
    name_cache names;
    elem_id last_end; /* the element that ended last */
} state;

static size_t offset_of(const state *s)
{
    long n = s->ctxt != NULL ? xmlByteConsumed(s->ctxt) : 0;
    return n > 0 ? (size_t)n : 0;
}

static void fail(state *s, ms_status st, const char *reason, const char *detail)
{
    if (s->failed) {
        return;
    }
    s->failed = true;
    s->status = ms__report_fail(s->err, st, offset_of(s), reason, detail,
                                detail != NULL ? strlen(detail) : 0);
    xmlStopParser(s->ctxt);
}

static void fail_arena(state *s)
{
    ms_status st = ms_arena_status(s->arena);
    fail(s, st == MS_OK ? MS_ENOMEM : st, "the arena is full", NULL);
}

static elem_id parent(const state *s, size_t up)
{
    return s->depth > up ? s->stack[s->depth - 1 - up] : E_OTHER;
}

/* ---- values --------------------------------------------------------------------------------- */

/* The trimmed text (XML white space, RFC 9990 values never need it). */
static const char *trimmed(state *s, size_t *len)
{
    size_t b = 0, e = s->text_len;
    while (b < e &&
           (s->text[b] == ' ' || s->text[b] == '\t' || s->text[b] == '\r' || s->text[b] == '\n')) {
        b++;
    }
    while (e > b && (s->text[e - 1] == ' ' || s->text[e - 1] == '\t' || s->text[e - 1] == '\r' ||
                     s->text[e - 1] == '\n')) {
        e--;
    }
    *len = e - b;
    return s->text + b;
}

/* Bytes that are not UTF-8 (libxml2 hands them on after a recovered encoding error) are read
 * as Latin-1, so every string handed out is UTF-8 (RPT-13: a defined outcome). */
static const char *copy_latin1(state *s, const char *p, size_t len)
{
    char *c = ms_arena_alloc(s->arena, len * 2 + 1);
    if (c == NULL) {
        fail_arena(s);
        return NULL;
    }
    size_t n = 0;
    const unsigned char *u = (const unsigned char *)p;
    for (size_t i = 0; i < len;) {
        size_t k = ms__utf8_seq(p + i, len - i);
        if (k == 0) {
            c[n++] = (char)(0xc0 | (u[i] >> 6));
            c[n++] = (char)(0x80 | (u[i] & 0x3f));
            i++;
            continue;
        }
        memcpy(c + n, u + i, k);
        n += k;
        i += k;
    }
    c[n] = '\0';
    return c;
}

static const char *copy(state *s, const char *p, size_t len)
{
    const unsigned char *u = (const unsigned char *)p;
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = ms__utf8_seq(p + i, len - i);
        if (k == 0) {
            return copy_latin1(s, p, len);
        }
        i += k;
    }
    char *c = ms_arena_strndup(s->arena, p, len);
    if (c == NULL) {
        fail_arena(s);
    }
    return c;
}

/* The text as written (NULL when empty and optional). */
static const char *text_value(state *s, bool optional)
{
    size_t len;
    const char *p = trimmed(s, &len);
    if (len == 0 && optional) {
        return NULL;
    }
    return copy(s, p, len);
}

/* The text lower-cased (ASCII), interned when it is a common word. */
static const char *lower_value(state *s, bool optional)
{
    size_t len;
    const char *p = trimmed(s, &len);
    if (len == 0) {
        return optional ? NULL : "";
    }
    char low[32];
    if (len < sizeof(low)) {
        for (size_t i = 0; i < len; i++) {
            low[i] = ms__lower(p[i]);
        }
        for (size_t i = 0; i < sizeof(WORDS) / sizeof(WORDS[0]); i++) {
            if (WORDS[i].len == len && memcmp(WORDS[i].word, low, len) == 0) {
                return WORDS[i].word;
            }
        }
    }
    char *c = (char *)(uintptr_t)copy(s, p, len);
    if (c == NULL) {
        return NULL;
    }
    for (size_t i = 0; c[i] != '\0'; i++) {
        c[i] = ms__lower(c[i]);
    }
    return c;
}

/* A non-negative decimal integer up to max, white space around it allowed. */
static bool number_value(state *s, uint64_t max, uint64_t *out)
{
    size_t len;
    const char *p = trimmed(s, &len);
    if (len == 0 || len > 20) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!ms__is_digit(p[i])) {
            return false;
        }
        uint64_t d = (uint64_t)(p[i] - '0');
        if (v > (max - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static void date_value(state *s, int64_t *out)
{
    size_t len;
    const char *p = trimmed(s, &len);
    /* Unix seconds; some reporters (2012 AOL, 163.com) write "1337270400.0": the fraction is
     * dropped */
    size_t int_len = len;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '.') {
            bool digits = i + 1 < len;
            for (size_t j = i + 1; j < len; j++) {
                digits = digits && ms__is_digit(p[j]);
            }
            if (digits) {
                int_len = i;
            }
            break;
        }
    }
    uint64_t v;
    bool ok = int_len > 0 && int_len <= 20;
    v = 0;
    for (size_t i = 0; ok && i < int_len; i++) {
        if (!ms__is_digit(p[i])) {
            ok = false;
            break;
        }
        v = v * 10 + (uint64_t)(p[i] - '0');
        if (v > (uint64_t)MS_LIMIT_REPORT_DATE) {
            ok = false;
        }
    }
    if (!ok) {
        char detail[64];
        size_t n = len < sizeof(detail) - 1 ? len : sizeof(detail) - 1;
        memcpy(detail, p, n);
        detail[n] = '\0';
        fail(s, MS_ESYNTAX,
             "a date_range time is not Unix seconds between 1970 and 9999 (RFC 9990 §3.1.1.2)",
             detail);
        return;
    }
    *out = (int64_t)v;
}

/* The address as written; one that is not an IPv4/IPv6 address (AOL's 2012 "108r.166.27.220")
 * keeps its record, marked source_ip_invalid, rather than losing the report. */
static void source_ip_value(state *s)
{
    size_t len;
    const char *p = trimmed(s, &len);
    char buf[64];
    unsigned char addr[16];
    bool valid = false;
    if (len > 0 && len < sizeof(buf)) {
        memcpy(buf, p, len);
        buf[len] = '\0';
        valid = inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
    }
    s->rec.source_ip = copy(s, p, len);
    s->rec.source_ip_invalid = !valid;
    s->have_ip = true;
}

/* ---- SAX callbacks -------------------------------------------------------------------------- */

/* In recovery libxml2 drops an element whose start tag it could not finish without calling
 * endElementNs; its own name stack is the truth. In startElementNs it holds the elements open
 * before this one, in endElementNs those open including the one ending. */
static void resync(state *s)
{
    if (s->ctxt != NULL && s->ctxt->nameNr >= 0 && s->depth > (size_t)s->ctxt->nameNr) {
        for (size_t i = (size_t)s->ctxt->nameNr; i < s->depth; i++) {
            if (s->stack[i] == E_RECORD && i > 0 && s->stack[i - 1] == E_FEEDBACK) {
                /* never a report with a record silently missing */
                fail(s, MS_ESYNTAX, "a <record> is not well-formed XML and cannot be recovered",
                     "record");
                return;
            }
        }
        s->depth = (size_t)s->ctxt->nameNr;
        s->collecting = false;
    }
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
    (void)prefix;
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_attributes;
    (void)nb_defaulted;
    (void)attributes;
    state *s = ctx;
    if (s->failed) {
        return;
    }
    resync(s);
    if (s->depth >= MS_LIMIT_REPORT_XML_DEPTH) {
        fail(s, MS_ELIMIT, "elements are nested too deeply", (const char *)localname);
        return;
    }
    elem_id id = elem_lookup(&s->names, localname);
    elem_id up = s->depth > 0 ? s->stack[s->depth - 1] : E_OTHER;
    s->collecting = false;
    if (s->depth == 0 && id != E_FEEDBACK) {
        id = E_WRAPPER;
    } else if ((s->depth == 0 || up == E_WRAPPER) && id == E_FEEDBACK) {
        if (s->root_seen) {
            fail(s, MS_ESYNTAX, "a second <feedback> element (RFC 9990 §3.1.1)",
                 (const char *)localname);
            return;
        }
        s->root_seen = true;
        s->ns9990 = uri != NULL && strcmp((const char *)uri, NS_RFC9990) == 0;
    } else if (up == E_OTHER || up == E_WRAPPER || (s->depth == 1 && up != E_FEEDBACK)) {
        id = E_OTHER; /* inside something unknown (<extension>): ignored whole */
    }
    s->stack[s->depth++] = id;
    s->text_len = 0;
    switch (id) {
    case E_REPORT_METADATA:
        s->have_metadata = up == E_FEEDBACK ? true : s->have_metadata;
        break;
    case E_POLICY_PUBLISHED:
        s->have_policy = up == E_FEEDBACK ? true : s->have_policy;
        break;
    case E_RECORD:
        if (up != E_FEEDBACK) {
            break;
        }
        if (s->n_records >= MS_LIMIT_REPORT_RECORDS) {
            fail(s, MS_ELIMIT, "too many records in one report (RFC 9990 §3.1.1)", "record");
            return;
        }
        memset(&s->rec, 0, sizeof(s->rec));
        s->have_ip = s->have_count = false;
        s->n_dkim = s->n_spf = s->n_reasons = 0;
        break;
    case E_IDENTIFIERS:
        s->saw_identifiers = true;
        break;
    case E_DKIM:
    case E_SPF:
        if (up == E_AUTH_RESULTS) {
            size_t *n = id == E_DKIM ? &s->n_dkim : &s->n_spf;
            if (*n >= MS_LIMIT_REPORT_RESULTS) {
                fail(s, MS_ELIMIT, "too many auth_results in one record (RFC 9990 §3.1.1.4)",
                     (const char *)localname);
                return;
            }
            if (id == E_DKIM) {
                memset(&s->dkim[*n], 0, sizeof(s->dkim[0]));
            } else {
                memset(&s->spf[*n], 0, sizeof(s->spf[0]));
            }
            (*n)++;
        } else {
            s->collecting = up == E_POLICY_EVALUATED;
        }
        break;
    case E_REASON:
        if (up == E_POLICY_EVALUATED) {
            if (s->n_reasons >= MS_LIMIT_REPORT_RESULTS) {
                fail(s, MS_ELIMIT, "too many reasons in one record (RFC 9990 §3.1.1.4)", "reason");
                return;
            }
            memset(&s->reasons[s->n_reasons++], 0, sizeof(s->reasons[0]));
        }
        break;
    case E_OTHER:
    case E_FEEDBACK:
    case E_DATE_RANGE:
    case E_ROW:
    case E_POLICY_EVALUATED:
    case E_AUTH_RESULTS:
        break;
    default:
        s->collecting = true; /* a leaf: its place is checked when it ends */
        break;
    }
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    state *s = ctx;
    if (s->failed || !s->collecting || len <= 0) {
        return;
    }
    size_t n = (size_t)len;
    if (n > MS_LIMIT_REPORT_FIELD - s->text_len) {
        fail(s, MS_ELIMIT, "a field is longer than the cap (MS_LIMIT_REPORT_FIELD)",
             s->depth > 0 ? "text" : NULL);
        return;
    }
    memcpy(s->text + s->text_len, ch, n);
    s->text_len += n;
}

static void end_record(state *s)
{
    if (!s->have_ip) {
        fail(s, MS_ESYNTAX, "a record without row/source_ip (RFC 9990 §3.1.1.4)", "record");
        return;
    }
    if (!s->have_count) {
        fail(s, MS_ESYNTAX, "a record without row/count (RFC 9990 §3.1.1.4)", "record");
        return;
    }
    ms_report_record *rec = &s->rec;
    /* fill what an entry left out (also when recovery dropped its end tag) */
    for (size_t i = 0; i < s->n_dkim; i++) {
        s->dkim[i].domain = s->dkim[i].domain != NULL ? s->dkim[i].domain : "";
        s->dkim[i].result = s->dkim[i].result != NULL ? s->dkim[i].result : "none";
    }
    for (size_t i = 0; i < s->n_spf; i++) {
        s->spf[i].domain = s->spf[i].domain != NULL ? s->spf[i].domain : "";
        s->spf[i].result = s->spf[i].result != NULL ? s->spf[i].result : "none";
    }
    if (s->n_dkim > 0) {
        ms_report_dkim *d = ms_arena_alloc(s->arena, s->n_dkim * sizeof(*d));
        if (d == NULL) {
            fail_arena(s);
            return;
        }
        memcpy(d, s->dkim, s->n_dkim * sizeof(*d));
        rec->dkim_results = d;
        rec->n_dkim = s->n_dkim;
    }
    if (s->n_spf > 0) {
        ms_report_spf *d = ms_arena_alloc(s->arena, s->n_spf * sizeof(*d));
        if (d == NULL) {
            fail_arena(s);
            return;
        }
        memcpy(d, s->spf, s->n_spf * sizeof(*d));
        rec->spf_results = d;
        rec->n_spf = s->n_spf;
    }
    size_t n_reasons = 0;
    for (size_t i = 0; i < s->n_reasons; i++) {
        /* <reason><type></type><comment></comment></reason>: nothing said, dropped */
        if ((s->reasons[i].type != NULL && s->reasons[i].type[0] != '\0') ||
            s->reasons[i].comment != NULL) {
            s->reasons[n_reasons] = s->reasons[i];
            if (s->reasons[n_reasons].type == NULL) {
                s->reasons[n_reasons].type = "";
            }
            n_reasons++;
        }
    }
    if (n_reasons > 0) {
        ms_report_reason *d = ms_arena_alloc(s->arena, n_reasons * sizeof(*d));
        if (d == NULL) {
            fail_arena(s);
            return;
        }
        memcpy(d, s->reasons, n_reasons * sizeof(*d));
        rec->reasons = d;
        rec->n_reasons = n_reasons;
    }
    if (s->r->n_messages > UINT64_MAX - rec->count) {
        fail(s, MS_ESYNTAX, "the record counts overflow (RFC 9990 §3.1.1.4)", "count");
        return;
    }
    s->r->n_messages += rec->count;
    if (s->n_records == s->records_size) {
        size_t size = s->records_size ? s->records_size * 2 : 16;
        if (size > MS_LIMIT_REPORT_RECORDS) {
            size = MS_LIMIT_REPORT_RECORDS;
        }
        ms_report_record *grown = ms_arena_alloc(s->arena, size * sizeof(*grown));
        if (grown == NULL) {
            fail_arena(s);
            return;
        }
        if (s->n_records > 0) {
            memcpy(grown, s->records, s->n_records * sizeof(*grown));
        }
        s->records = grown;
        s->records_size = size;
    }
    s->records[s->n_records++] = *rec;
}

static void end_leaf(state *s, elem_id id, elem_id up, elem_id up2)
{
    ms_report_aggregate *r = s->r;
    ms_report_record *rec = &s->rec;
    uint64_t v;
    switch (up) {
    case E_FEEDBACK:
        if (id == E_VERSION) {
            r->version = text_value(s, true);
        }
        return;
    case E_REPORT_METADATA:
        if (up2 != E_FEEDBACK) {
            return;
        }
        switch (id) {
        case E_ORG_NAME:
            r->org_name = text_value(s, false);
            break;
        case E_EMAIL:
            r->email = text_value(s, true);
            break;
        case E_EXTRA_CONTACT_INFO:
            r->extra_contact_info = text_value(s, true);
            break;
        case E_REPORT_ID:
            r->report_id = text_value(s, false);
            break;
        case E_GENERATOR:
            r->generator = text_value(s, true);
            break;
        case E_ERROR:
            if (s->n_errors < MS_LIMIT_REPORT_ERRORS) {
                const char *e = text_value(s, true);
                if (e != NULL) {
                    s->errors[s->n_errors++] = e;
                }
            }
            break;
        default:
            break;
        }
        return;
    case E_DATE_RANGE:
        if (id == E_BEGIN) {
            date_value(s, &r->begin);
            s->have_begin = true;
        } else if (id == E_END) {
            date_value(s, &r->end);
            s->have_end = true;
        }
        return;
    case E_POLICY_PUBLISHED:
        switch (id) {
        case E_DOMAIN:
            r->domain = lower_value(s, false);
            break;
        case E_ADKIM:
            r->adkim = lower_value(s, true);
            break;
        case E_ASPF:
            r->aspf = lower_value(s, true);
            break;
        case E_P:
            r->p = lower_value(s, true);
            break;
        case E_SP:
            r->sp = lower_value(s, true);
            break;
        case E_NP:
            r->np = lower_value(s, true);
            break;
        case E_FO:
            r->fo = text_value(s, true);
            break;
        case E_TESTING:
            r->testing = lower_value(s, true);
            break;
        case E_DISCOVERY_METHOD:
            r->discovery_method = lower_value(s, true);
            break;
        case E_PCT:
            /* tolerated when unreadable: pct is gone from RFC 9990 */
            r->pct = number_value(s, 100, &v) ? (int)v : -1;
            break;
        default:
            break;
        }
        return;
    case E_ROW:
        if (id == E_SOURCE_IP) {
            source_ip_value(s);
        } else if (id == E_COUNT) {
            if (!number_value(s, UINT64_MAX, &v)) {
                size_t len;
                const char *p = trimmed(s, &len);
                char detail[32];
                size_t n = len < sizeof(detail) - 1 ? len : sizeof(detail) - 1;
                memcpy(detail, p, n);
                detail[n] = '\0';
                fail(s, MS_ESYNTAX, "count is not a non-negative integer (RFC 9990 §3.1.1.4)",
                     detail);
                return;
            }
            rec->count = v;
            s->have_count = true;
        }
        return;
    case E_POLICY_EVALUATED:
        if (id == E_DISPOSITION) {
            rec->disposition = lower_value(s, false);
        } else if (id == E_DKIM) {
            rec->dkim = lower_value(s, false);
        } else if (id == E_SPF) {
            rec->spf = lower_value(s, false);
        }
        return;
    case E_REASON:
        if (up2 == E_POLICY_EVALUATED && s->n_reasons > 0) {
            ms_report_reason *rs = &s->reasons[s->n_reasons - 1];
            if (id == E_TYPE) {
                rs->type = lower_value(s, true);
            } else if (id == E_COMMENT) {
                rs->comment = text_value(s, true);
            }
        }
        return;
    case E_IDENTIFIERS:
        if (id == E_HEADER_FROM) {
            rec->header_from = lower_value(s, true);
        } else if (id == E_ENVELOPE_FROM) {
            rec->envelope_from = text_value(s, true);
        } else if (id == E_ENVELOPE_TO) {
            rec->envelope_to = text_value(s, true);
        }
        return;
    case E_DKIM:
        if (up2 == E_AUTH_RESULTS && s->n_dkim > 0) {
            ms_report_dkim *d = &s->dkim[s->n_dkim - 1];
            if (id == E_DOMAIN) {
                d->domain = lower_value(s, false);
            } else if (id == E_SELECTOR) {
                d->selector = text_value(s, true);
            } else if (id == E_RESULT) {
                d->result = lower_value(s, false);
            } else if (id == E_HUMAN_RESULT) {
                d->human_result = text_value(s, true);
            }
        }
        return;
    case E_SPF:
        if (up2 == E_AUTH_RESULTS && s->n_spf > 0) {
            ms_report_spf *d = &s->spf[s->n_spf - 1];
            if (id == E_DOMAIN) {
                d->domain = lower_value(s, false);
            } else if (id == E_SCOPE) {
                d->scope = lower_value(s, true);
                s->saw_scope = true;
            } else if (id == E_RESULT) {
                d->result = lower_value(s, false);
            } else if (id == E_HUMAN_RESULT) {
                d->human_result = text_value(s, true);
            }
        }
        return;
    default:
        return;
    }
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    (void)localname;
    (void)prefix;
    (void)uri;
    state *s = ctx;
    if (s->failed) {
        return;
    }
    resync(s);
    if (s->depth == 0) {
        return;
    }
    elem_id id = s->stack[s->depth - 1];
    elem_id up = parent(s, 1), up2 = parent(s, 2);
    if (s->collecting) {
        end_leaf(s, id, up, up2);
        s->collecting = false;
    } else if (id == E_RECORD && up == E_FEEDBACK) {
        end_record(s);
    }
    if (id == E_FEEDBACK) {
        s->root_closed = true;
    }
    s->last_end = id;
    s->depth--;
}

static void on_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                      const xmlChar *system_id)
{
    (void)external_id;
    (void)system_id;
    fail(ctx, MS_ESYNTAX, "a DOCTYPE is not allowed in a report (RPT-01)",
         name != NULL ? (const char *)name : "DOCTYPE");
}

static xmlEntityPtr on_entity(void *ctx, const xmlChar *name)
{
    (void)ctx;
    (void)name;
    return NULL; /* only the five predefined entities, which libxml2 handles itself */
}

static void on_error(void *ctx, xmlErrorPtr e)
{
    state *s = ctx;
    if (e == NULL || e->level < XML_ERR_ERROR) {
        return;
    }
    if (s->recovered == 0) {
        const char *m = e->message != NULL ? e->message : "?";
        size_t n = strlen(m);
        while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' ')) {
            n--;
        }
        if (n >= sizeof(s->first_xml_error)) {
            n = sizeof(s->first_xml_error) - 1;
        }
        memcpy(s->first_xml_error, m, n);
        s->first_xml_error[n] = '\0';
    }
    s->recovered++;
    if (s->recovered > MS_LIMIT_REPORT_XML_RECOVERED && !s->failed) {
        fail(s, MS_ESYNTAX, "not well-formed XML: too many errors to recover from",
             s->first_xml_error);
    }
}

static once_flag xml_once = ONCE_FLAG_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static const char *format_of(const state *s)
{
    const ms_report_aggregate *r = s->r;
    if (s->ns9990 || r->np != NULL || r->testing != NULL || r->discovery_method != NULL ||
        r->generator != NULL) {
        return "rfc9990";
    }
    if (r->version != NULL || s->saw_scope || s->saw_identifiers) {
        return "rfc7489";
    }
    return "draft";
}

ms_status ms_report_parse_aggregate(const char *xml, size_t len, ms_arena *arena,
                                    const ms_report_aggregate **out, ms_report_error *err)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (xml == NULL || arena == NULL || out == NULL) {
        return ms__report_fail(err, MS_EINVAL, 0, "invalid argument", NULL, 0);
    }
    if (len == 0) {
        return ms__report_fail(err, MS_ESYNTAX, 0, "the report is empty (RFC 9990 §3.1.1)", NULL,
                               0);
    }
    if (len > MS_LIMIT_REPORT_XML) {
        return ms__report_fail(err, MS_ELIMIT, 0,
                               "the report is larger than the cap (MS_LIMIT_REPORT_XML)", NULL, 0);
    }
    call_once(&xml_once, xml_init);

    state *s = ms_arena_alloc(arena, sizeof(*s));
    ms_report_aggregate *r = ms_arena_alloc(arena, sizeof(*r));
    if (s == NULL || r == NULL) {
        ms_status st = ms_arena_status(arena);
        return ms__report_fail(err, st == MS_OK ? MS_ENOMEM : st, 0, "the arena is full", NULL, 0);
    }
    memset(s, 0, sizeof(*s));
    memset(r, 0, sizeof(*r));
    r->pct = -1;
    s->arena = arena;
    s->err = err;
    s->r = r;

    xmlSAXHandler sax;
    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_text;
    sax.cdataBlock = on_text;
    sax.internalSubset = on_subset;
    sax.getEntity = on_entity;
    sax.serror = on_error;

    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(xml, (int)len);
    if (ctxt == NULL) {
        return ms__report_fail(err, MS_ENOMEM, 0, "libxml2 could not start", NULL, 0);
    }
    /* No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities are never substituted, no DTD is
     * read, libxml2's own size limits stay on. */
    (void)xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOWARNING |
                                      XML_PARSE_NOERROR);
    xmlSAXHandlerPtr old = ctxt->sax;
    ctxt->sax = &sax;
    ctxt->userData = s;
    s->ctxt = ctxt;
    (void)xmlParseDocument(ctxt);
    ctxt->sax = old;
    s->ctxt = NULL;
    size_t consumed = 0;
    long c = xmlByteConsumed(ctxt);
    consumed = c > 0 ? (size_t)c : 0;
    xmlFreeParserCtxt(ctxt);

    if (s->failed) {
        return s->status;
    }
    if (!s->root_seen) {
        return ms__report_fail(err, MS_ESYNTAX, 0, "not an XML document with a <feedback> root",
                               s->first_xml_error, strlen(s->first_xml_error));
    }
    /* A missing </feedback> right after a </record> that ends the document is tolerated (AOL's
     * 2012 reports, OpenDMARC's bad.com sample); ending anywhere else is truncation. */
    size_t last = len;
    while (last > 0 && (xml[last - 1] == ' ' || xml[last - 1] == '\t' || xml[last - 1] == '\r' ||
                        xml[last - 1] == '\n' || xml[last - 1] == '\0')) {
        last--;
    }
    if (last == 0 || xml[last - 1] != '>') {
        /* libxml2 recovers "</feedb" as an end tag: a document must end with a tag */
        return ms__report_fail(err, MS_ESYNTAX, last,
                               "the report ends before </feedback> (truncated?)",
                               s->first_xml_error, strlen(s->first_xml_error));
    }
    bool ends_after_record = s->last_end == E_RECORD && last > 0 && xml[last - 1] == '>' &&
                             s->depth > 0 && s->stack[s->depth - 1] == E_FEEDBACK;
    if (!s->root_closed && !ends_after_record) {
        return ms__report_fail(err, MS_ESYNTAX, consumed,
                               "the report ends before </feedback> (truncated?)",
                               s->first_xml_error, strlen(s->first_xml_error));
    }
    const char *missing = NULL;
    if (!s->have_metadata) {
        missing = "report_metadata";
    } else if (r->org_name == NULL) {
        missing = "report_metadata/org_name";
    } else if (r->report_id == NULL) {
        missing = "report_metadata/report_id";
    } else if (!s->have_begin) {
        missing = "report_metadata/date_range/begin";
    } else if (!s->have_end) {
        missing = "report_metadata/date_range/end";
    } else if (!s->have_policy) {
        missing = "policy_published";
    } else if (r->domain == NULL || r->domain[0] == '\0') {
        missing = "policy_published/domain";
    }
    if (missing != NULL) {
        return ms__report_fail(err, MS_ESYNTAX, 0,
                               "a required element is missing (RFC 9990 §3.1.1, Appendix A)",
                               missing, strlen(missing));
    }
    if (s->n_errors > 0) {
        const char **e = ms_arena_alloc(arena, s->n_errors * sizeof(*e));
        if (e == NULL) {
            ms_status st = ms_arena_status(arena);
            return ms__report_fail(err, st == MS_OK ? MS_ENOMEM : st, 0, "the arena is full", NULL,
                                   0);
        }
        memcpy(e, s->errors, s->n_errors * sizeof(*e));
        r->errors = e;
        r->n_errors = s->n_errors;
    }
    r->records = s->records;
    r->n_records = s->n_records;
    r->format = format_of(s);
    *out = r;
    return MS_OK;
}
