/* SPDX-License-Identifier: MIT */
/* Writing an RFC 9990 aggregate report (RFC 9990 §3.1.1, Appendix A XSD) with libxml2's
 * xmlTextWriter: the namespace urn:ietf:params:xml:ns:dmarc-2.0, <version>1.0</version>, the
 * elements in the order the XSD's sequences require. Values restricted by the XSD (policies,
 * results, override types, alignment) are checked here so that nothing invalid is written:
 * a value outside its enumeration is MS_EINVAL, never a report the schema would refuse. */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "mailseal/report.h"

#define MS__DMARC_NS "urn:ietf:params:xml:ns:dmarc-2.0"

static bool one_of(const char *v, const char *const *set)
{
    for (size_t k = 0; v != NULL && set[k] != NULL; k++) {
        if (strcmp(v, set[k]) == 0) {
            return true;
        }
    }
    return false;
}

/* The XSD's enumerations (RFC 9990 Appendix A). */
static const char *const DISPOSITION[] = {"none", "quarantine", "reject", NULL};
static const char *const ACTION[] = {"none", "pass", "quarantine", "reject", NULL};
static const char *const ALIGN[] = {"r", "s", NULL};
static const char *const TESTING[] = {"n", "y", NULL};
static const char *const DISCOVERY[] = {"psl", "treewalk", NULL};
static const char *const DMARC_RESULT[] = {"pass", "fail", NULL};
static const char *const OVERRIDE[] = {"local_policy",     "mailing_list",      "other",
                                       "policy_test_mode", "trusted_forwarder", NULL};
static const char *const DKIM_RESULT[] = {"none",    "pass",      "fail",      "policy",
                                          "neutral", "temperror", "permerror", NULL};
static const char *const SPF_RESULT[] = {"none",    "pass",      "fail",      "softfail", "policy",
                                         "neutral", "temperror", "permerror", NULL};

/* Optional values must be in their set when present. */
static bool opt_in(const char *v, const char *const *set)
{
    return v == NULL || one_of(v, set);
}

static bool record_ok(const ms_report_record *rec)
{
    if (rec->source_ip == NULL || !one_of(rec->disposition, ACTION) ||
        !one_of(rec->dkim, DMARC_RESULT) || !one_of(rec->spf, DMARC_RESULT) ||
        (rec->n_reasons > 0 && rec->reasons == NULL) ||
        (rec->n_dkim > 0 && rec->dkim_results == NULL) ||
        (rec->n_spf > 0 && rec->spf_results == NULL) || rec->n_spf > 1 ||
        rec->n_dkim > MS_LIMIT_REPORT_WRITE_DKIM) {
        return false; /* at most one spf (AuthResultType), at most 100 signatures (§3.1.3) */
    }
    for (size_t k = 0; k < rec->n_reasons; k++) {
        if (!one_of(rec->reasons[k].type, OVERRIDE)) {
            return false;
        }
    }
    for (size_t k = 0; k < rec->n_dkim; k++) {
        if (rec->dkim_results[k].domain == NULL ||
            !one_of(rec->dkim_results[k].result, DKIM_RESULT)) {
            return false;
        }
    }
    for (size_t k = 0; k < rec->n_spf; k++) {
        const ms_report_spf *s = &rec->spf_results[k];
        if (s->domain == NULL || !one_of(s->result, SPF_RESULT) ||
            (s->scope != NULL && strcmp(s->scope, "mfrom") != 0)) {
            return false; /* SPFDomainScope has only "mfrom" */
        }
    }
    return true;
}

static bool report_ok(const ms_report_aggregate *r)
{
    if (r->org_name == NULL || r->email == NULL || r->report_id == NULL || r->domain == NULL ||
        !one_of(r->p, DISPOSITION) || !opt_in(r->sp, DISPOSITION) || !opt_in(r->np, DISPOSITION) ||
        !opt_in(r->adkim, ALIGN) || !opt_in(r->aspf, ALIGN) || !opt_in(r->testing, TESTING) ||
        !opt_in(r->discovery_method, DISCOVERY) || r->begin < 0 || r->end < r->begin ||
        r->n_records == 0 || r->records == NULL || (r->n_errors > 0 && r->errors == NULL)) {
        return false; /* at least one record (§3.1.1.2) */
    }
    for (size_t k = 0; k < r->n_records; k++) {
        if (!record_ok(&r->records[k])) {
            return false;
        }
    }
    return true;
}

typedef struct {
    xmlTextWriterPtr w;
    bool bad;     /* the writer failed (memory) */
    bool invalid; /* a value is not text XML can carry */
} writer;

/* XML 1.0 §2.2 Char: valid UTF-8 without C0 controls other than tab, LF and CR. */
static bool text_ok(const char *v)
{
    for (const char *c = v; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r') {
            return false;
        }
    }
    return xmlCheckUTF8((const unsigned char *)v) != 0;
}

static void start(writer *x, const char *name)
{
    if (!x->bad && xmlTextWriterStartElement(x->w, (const xmlChar *)name) < 0) {
        x->bad = true;
    }
}

static void end(writer *x)
{
    if (!x->bad && xmlTextWriterEndElement(x->w) < 0) {
        x->bad = true;
    }
}

/* <name>value</name>; nothing when value is NULL. */
static void elem(writer *x, const char *name, const char *value)
{
    if (value != NULL && !x->bad && !text_ok(value)) {
        x->invalid = true;
        x->bad = true;
        return;
    }
    if (value != NULL && !x->bad &&
        xmlTextWriterWriteElement(x->w, (const xmlChar *)name, (const xmlChar *)value) < 0) {
        x->bad = true;
    }
}

static void elem_i64(writer *x, const char *name, int64_t v)
{
    char num[24];
    (void)snprintf(num, sizeof num, "%lld", (long long)v);
    elem(x, name, num);
}

static void write_record(writer *x, const ms_report_record *rec)
{
    start(x, "record");
    start(x, "row");
    elem(x, "source_ip", rec->source_ip);
    char num[24];
    (void)snprintf(num, sizeof num, "%llu", (unsigned long long)rec->count);
    elem(x, "count", num);
    start(x, "policy_evaluated"); /* a sequence: this order (XSD PolicyEvaluatedType) */
    elem(x, "disposition", rec->disposition);
    elem(x, "dkim", rec->dkim);
    elem(x, "spf", rec->spf);
    for (size_t k = 0; k < rec->n_reasons; k++) {
        start(x, "reason");
        elem(x, "type", rec->reasons[k].type);
        elem(x, "comment", rec->reasons[k].comment);
        end(x);
    }
    end(x); /* policy_evaluated */
    end(x); /* row */
    start(x, "identifiers");
    elem(x, "header_from", rec->header_from ? rec->header_from : ""); /* required */
    elem(x, "envelope_from", rec->envelope_from);
    elem(x, "envelope_to", rec->envelope_to);
    end(x);
    start(x, "auth_results"); /* a sequence: every dkim, then the spf */
    for (size_t k = 0; k < rec->n_dkim; k++) {
        const ms_report_dkim *d = &rec->dkim_results[k];
        start(x, "dkim");
        elem(x, "domain", d->domain);
        elem(x, "selector", d->selector ? d->selector : ""); /* required by the XSD */
        elem(x, "result", d->result);
        elem(x, "human_result", d->human_result);
        end(x);
    }
    for (size_t k = 0; k < rec->n_spf; k++) {
        const ms_report_spf *s = &rec->spf_results[k];
        start(x, "spf");
        elem(x, "domain", s->domain);
        elem(x, "scope", s->scope);
        elem(x, "result", s->result);
        elem(x, "human_result", s->human_result);
        end(x);
    }
    end(x); /* auth_results */
    end(x); /* record */
}

static void write_report(writer *x, const ms_report_aggregate *r)
{
    if (xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL) < 0 ||
        xmlTextWriterSetIndent(x->w, 1) < 0 ||
        xmlTextWriterSetIndentString(x->w, BAD_CAST "  ") < 0 ||
        xmlTextWriterStartElementNS(x->w, NULL, BAD_CAST "feedback", BAD_CAST MS__DMARC_NS) < 0) {
        x->bad = true;
        return;
    }
    elem(x, "version", "1.0"); /* RFC 9990 §3.1.1.2: MUST be 1.0 */
    start(x, "report_metadata");
    elem(x, "org_name", r->org_name);
    elem(x, "email", r->email);
    elem(x, "extra_contact_info", r->extra_contact_info);
    elem(x, "report_id", r->report_id);
    start(x, "date_range");
    elem_i64(x, "begin", r->begin);
    elem_i64(x, "end", r->end);
    end(x);
    if (r->n_errors > 0) {
        /* The XSD allows one error element: several are joined. */
        size_t total = 1;
        for (size_t k = 0; k < r->n_errors; k++) {
            total += (r->errors[k] ? strlen(r->errors[k]) : 0) + 2;
        }
        xmlChar *joined = xmlMalloc(total);
        if (joined == NULL) {
            x->bad = true;
        } else {
            size_t at = 0;
            for (size_t k = 0; k < r->n_errors; k++) {
                const char *e = r->errors[k] ? r->errors[k] : "";
                size_t n = strlen(e);
                if (k > 0) {
                    memcpy(joined + at, "; ", 2);
                    at += 2;
                }
                memcpy(joined + at, e, n);
                at += n;
            }
            joined[at] = '\0';
            elem(x, "error", (const char *)joined);
            xmlFree(joined);
        }
    }
    elem(x, "generator", r->generator);
    end(x); /* report_metadata */
    start(x, "policy_published");
    elem(x, "domain", r->domain);
    elem(x, "p", r->p);
    elem(x, "sp", r->sp);
    elem(x, "np", r->np);
    elem(x, "adkim", r->adkim);
    elem(x, "aspf", r->aspf);
    elem(x, "discovery_method", r->discovery_method);
    elem(x, "fo", r->fo);
    elem(x, "testing", r->testing);
    end(x);
    for (size_t k = 0; k < r->n_records; k++) {
        write_record(x, &r->records[k]);
    }
    end(x); /* feedback */
    if (!x->bad && xmlTextWriterEndDocument(x->w) < 0) {
        x->bad = true;
    }
}

ms_status ms_report_write_aggregate(const ms_report_aggregate *r, ms_arena *arena, const char **xml,
                                    size_t *len)
{
    if (xml != NULL) {
        *xml = NULL;
    }
    if (len != NULL) {
        *len = 0;
    }
    if (r == NULL || arena == NULL || xml == NULL || len == NULL || !report_ok(r)) {
        return MS_EINVAL;
    }
    if (r->n_records > MS_LIMIT_REPORT_WRITE_RECORDS) {
        return MS_ELIMIT;
    }
    xmlBufferPtr buf = xmlBufferCreate();
    if (buf == NULL) {
        return MS_ENOMEM;
    }
    writer x = {xmlNewTextWriterMemory(buf, 0), false, false};
    if (x.w == NULL) {
        xmlBufferFree(buf);
        return MS_ENOMEM;
    }
    write_report(&x, r);
    xmlFreeTextWriter(x.w); /* flushes into buf */
    ms_status st = MS_OK;
    if (x.invalid) {
        st = MS_EINVAL; /* a control character or bad UTF-8 in a value */
    } else if (x.bad) {
        st = MS_ENOMEM; /* the writer fails only when it cannot grow its buffer */
    } else {
        size_t n = (size_t)xmlBufferLength(buf);
        char *copy = ms_arena_strndup(arena, (const char *)xmlBufferContent(buf), n);
        if (copy == NULL) {
            st = ms_arena_status(arena);
        } else {
            *xml = copy;
            *len = n;
        }
    }
    xmlBufferFree(buf);
    return st;
}
