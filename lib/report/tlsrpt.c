/* SPDX-License-Identifier: MIT */
/* SMTP TLS reports, RFC 8460 §4 (JSON, §4.4 the example): json-c with a nesting cap
 * (MS_LIMIT_REPORT_JSON_DEPTH), the document size capped (MS_LIMIT_REPORT_XML), every array
 * capped (MS_LIMIT_REPORT_TLSRPT_ITEMS) and every string at MS_LIMIT_REPORT_FIELD. Required
 * members missing, wrong types and unreadable dates are errors. */
#define _DEFAULT_SOURCE /* timegm */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "mailseal/report.h"

#include "base/limits.h"
#include "base/str.h"
#include "report/internal.h"

typedef struct tstate {
    ms_arena *arena;
    ms_report_error *err;
} tstate;

static ms_status bad(tstate *s, const char *reason, const char *member)
{
    return ms__report_fail(s->err, MS_ESYNTAX, 0, reason, member, member ? strlen(member) : 0);
}

static ms_status arena_fail(tstate *s)
{
    ms_status st = ms_arena_status(s->arena);
    return ms__report_fail(s->err, st == MS_OK ? MS_ENOMEM : st, 0, "the arena is full", NULL, 0);
}

/* A string member: MS_OK with *out NULL when absent and optional. */
static ms_status str(tstate *s, json_object *o, const char *name, bool required, bool lower,
                     const char **out)
{
    json_object *v = NULL;
    *out = NULL;
    if (o == NULL || !json_object_object_get_ex(o, name, &v) || v == NULL) {
        return required ? bad(s, "a required member is missing (RFC 8460 §4.3)", name) : MS_OK;
    }
    if (!json_object_is_type(v, json_type_string)) {
        return bad(s, "a member is not a string (RFC 8460 §4.3)", name);
    }
    size_t len = (size_t)json_object_get_string_len(v);
    if (len > MS_LIMIT_REPORT_FIELD) {
        return ms__report_fail(s->err, MS_ELIMIT, 0,
                               "a field is longer than the cap (MS_LIMIT_REPORT_FIELD)", name,
                               strlen(name));
    }
    char *c = ms_arena_strndup(s->arena, json_object_get_string(v), len);
    if (c == NULL) {
        return arena_fail(s);
    }
    if (lower) {
        for (size_t i = 0; i < len; i++) {
            c[i] = ms__lower(c[i]);
        }
    }
    *out = c;
    return MS_OK;
}

static ms_status count(tstate *s, json_object *o, const char *name, bool required, uint64_t *out)
{
    json_object *v = NULL;
    *out = 0;
    if (o == NULL || !json_object_object_get_ex(o, name, &v) || v == NULL) {
        return required ? bad(s, "a required member is missing (RFC 8460 §4.3)", name) : MS_OK;
    }
    if (!json_object_is_type(v, json_type_int)) {
        return bad(s, "a count is not an integer (RFC 8460 §4.3)", name);
    }
    int64_t n = json_object_get_int64(v);
    if (n < 0) {
        return bad(s, "a count is negative (RFC 8460 §4.3)", name);
    }
    *out = (uint64_t)n;
    return MS_OK;
}

/* RFC 3339 §5.6 date-time: "2016-04-01T00:00:00Z", fraction and offset allowed. */
static bool rfc3339(const char *t, int64_t *out)
{
    size_t len = strlen(t);
    if (len < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
        t[13] != ':' || t[16] != ':') {
        return false;
    }
    int v[6];
    static const size_t at[6] = {0, 5, 8, 11, 14, 17};
    static const size_t w[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0; i < 6; i++) {
        v[i] = 0;
        for (size_t j = 0; j < w[i]; j++) {
            char c = t[at[i] + j];
            if (!ms__is_digit(c)) {
                return false;
            }
            v[i] = v[i] * 10 + (c - '0');
        }
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60) {
        return false;
    }
    size_t i = 19;
    if (i < len && t[i] == '.') {
        i++;
        while (i < len && ms__is_digit(t[i])) {
            i++;
        }
    }
    long off = 0;
    if (i < len && (t[i] == 'Z' || t[i] == 'z')) {
        i++;
    } else if (i + 6 == len && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':' &&
               ms__is_digit(t[i + 1]) && ms__is_digit(t[i + 2]) && ms__is_digit(t[i + 4]) &&
               ms__is_digit(t[i + 5])) {
        off = ((t[i + 1] - '0') * 10 + (t[i + 2] - '0')) * 3600 +
              ((t[i + 4] - '0') * 10 + (t[i + 5] - '0')) * 60;
        if (t[i] == '-') {
            off = -off;
        }
        i += 6;
    } else {
        return false;
    }
    if (i != len) {
        return false;
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    time_t tt = timegm(&tm);
    if (tt == (time_t)-1) {
        return false;
    }
    *out = (int64_t)tt - off;
    return true;
}

static ms_status date(tstate *s, json_object *range, const char *name, int64_t *out)
{
    const char *t;
    ms_status st = str(s, range, name, true, false, &t);
    if (st != MS_OK) {
        return st;
    }
    if (!rfc3339(t, out)) {
        return bad(s, "a date-range time is not an RFC 3339 date-time (RFC 8460 §4.3)", t);
    }
    return MS_OK;
}

/* An array of strings; absent is empty. */
static ms_status strings(tstate *s, json_object *o, const char *name, const char *const **out,
                         size_t *n_out)
{
    json_object *a = NULL;
    *out = NULL;
    *n_out = 0;
    if (o == NULL || !json_object_object_get_ex(o, name, &a) || a == NULL) {
        return MS_OK;
    }
    if (!json_object_is_type(a, json_type_array)) {
        return bad(s, "a member is not an array (RFC 8460 §4.3)", name);
    }
    size_t n = json_object_array_length(a);
    if (n > MS_LIMIT_REPORT_TLSRPT_ITEMS) {
        return ms__report_fail(s->err, MS_ELIMIT, 0,
                               "an array is longer than the cap (MS_LIMIT_REPORT_TLSRPT_ITEMS)",
                               name, strlen(name));
    }
    if (n == 0) {
        return MS_OK;
    }
    const char **v = ms_arena_alloc(s->arena, n * sizeof(*v));
    if (v == NULL) {
        return arena_fail(s);
    }
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        if (!json_object_is_type(e, json_type_string)) {
            return bad(s, "an array item is not a string (RFC 8460 §4.3)", name);
        }
        size_t len = (size_t)json_object_get_string_len(e);
        if (len > MS_LIMIT_REPORT_FIELD) {
            return ms__report_fail(s->err, MS_ELIMIT, 0,
                                   "a field is longer than the cap (MS_LIMIT_REPORT_FIELD)", name,
                                   strlen(name));
        }
        v[i] = ms_arena_strndup(s->arena, json_object_get_string(e), len);
        if (v[i] == NULL) {
            return arena_fail(s);
        }
    }
    *out = v;
    *n_out = n;
    return MS_OK;
}

static ms_status failure(tstate *s, json_object *o, ms_tlsrpt_failure *f)
{
    if (!json_object_is_type(o, json_type_object)) {
        return bad(s, "a failure-details item is not an object (RFC 8460 §4.3)", "failure-details");
    }
    ms_status st;
    if ((st = str(s, o, "result-type", true, true, &f->result_type)) != MS_OK ||
        (st = str(s, o, "sending-mta-ip", false, false, &f->sending_mta_ip)) != MS_OK ||
        (st = str(s, o, "receiving-mx-hostname", false, true, &f->receiving_mx_hostname)) !=
            MS_OK ||
        (st = str(s, o, "receiving-mx-helo", false, false, &f->receiving_mx_helo)) != MS_OK ||
        (st = str(s, o, "receiving-ip", false, false, &f->receiving_ip)) != MS_OK ||
        (st = str(s, o, "additional-information", false, false, &f->additional_information)) !=
            MS_OK ||
        (st = str(s, o, "failure-reason-code", false, false, &f->failure_reason_code)) != MS_OK ||
        (st = count(s, o, "failed-session-count", true, &f->failed_session_count)) != MS_OK) {
        return st;
    }
    return MS_OK;
}

static ms_status policy(tstate *s, json_object *o, ms_tlsrpt_policy *p)
{
    if (!json_object_is_type(o, json_type_object)) {
        return bad(s, "a policies item is not an object (RFC 8460 §4.3)", "policies");
    }
    json_object *pol = NULL, *sum = NULL, *fd = NULL;
    if (!json_object_object_get_ex(o, "policy", &pol) ||
        !json_object_is_type(pol, json_type_object)) {
        return bad(s, "a required member is missing (RFC 8460 §4.3)", "policy");
    }
    if (!json_object_object_get_ex(o, "summary", &sum) ||
        !json_object_is_type(sum, json_type_object)) {
        return bad(s, "a required member is missing (RFC 8460 §4.3)", "summary");
    }
    ms_status st;
    if ((st = str(s, pol, "policy-type", true, true, &p->policy_type)) != MS_OK ||
        (st = str(s, pol, "policy-domain", true, true, &p->policy_domain)) != MS_OK ||
        (st = strings(s, pol, "policy-string", &p->policy_strings, &p->n_policy_strings)) !=
            MS_OK ||
        (st = strings(s, pol, "mx-host", &p->mx_hosts, &p->n_mx_hosts)) != MS_OK ||
        (st = count(s, sum, "total-successful-session-count", true, &p->total_successful)) !=
            MS_OK ||
        (st = count(s, sum, "total-failure-session-count", true, &p->total_failure)) != MS_OK) {
        return st;
    }
    if (json_object_object_get_ex(o, "failure-details", &fd) && fd != NULL) {
        if (!json_object_is_type(fd, json_type_array)) {
            return bad(s, "a member is not an array (RFC 8460 §4.3)", "failure-details");
        }
        size_t n = json_object_array_length(fd);
        if (n > MS_LIMIT_REPORT_TLSRPT_ITEMS) {
            return ms__report_fail(s->err, MS_ELIMIT, 0,
                                   "an array is longer than the cap "
                                   "(MS_LIMIT_REPORT_TLSRPT_ITEMS)",
                                   "failure-details", 15);
        }
        if (n > 0) {
            ms_tlsrpt_failure *f = ms_arena_alloc(s->arena, n * sizeof(*f));
            if (f == NULL) {
                return arena_fail(s);
            }
            memset(f, 0, n * sizeof(*f));
            for (size_t i = 0; i < n; i++) {
                if ((st = failure(s, json_object_array_get_idx(fd, i), &f[i])) != MS_OK) {
                    return st;
                }
            }
            p->failures = f;
            p->n_failures = n;
        }
    }
    return MS_OK;
}

static ms_status report(tstate *s, json_object *root, ms_tlsrpt_report *r)
{
    if (!json_object_is_type(root, json_type_object)) {
        return bad(s, "the report is not a JSON object (RFC 8460 §4.3)", NULL);
    }
    ms_status st;
    json_object *range = NULL, *pols = NULL;
    if ((st = str(s, root, "organization-name", true, false, &r->organization_name)) != MS_OK ||
        (st = str(s, root, "contact-info", false, false, &r->contact_info)) != MS_OK ||
        (st = str(s, root, "report-id", true, false, &r->report_id)) != MS_OK) {
        return st;
    }
    if (!json_object_object_get_ex(root, "date-range", &range) ||
        !json_object_is_type(range, json_type_object)) {
        return bad(s, "a required member is missing (RFC 8460 §4.3)", "date-range");
    }
    if ((st = date(s, range, "start-datetime", &r->begin)) != MS_OK ||
        (st = date(s, range, "end-datetime", &r->end)) != MS_OK) {
        return st;
    }
    if (!json_object_object_get_ex(root, "policies", &pols) ||
        !json_object_is_type(pols, json_type_array)) {
        return bad(s, "a required member is missing (RFC 8460 §4.3)", "policies");
    }
    size_t n = json_object_array_length(pols);
    if (n > MS_LIMIT_REPORT_TLSRPT_ITEMS) {
        return ms__report_fail(s->err, MS_ELIMIT, 0,
                               "an array is longer than the cap (MS_LIMIT_REPORT_TLSRPT_ITEMS)",
                               "policies", 8);
    }
    if (n > 0) {
        ms_tlsrpt_policy *p = ms_arena_alloc(s->arena, n * sizeof(*p));
        if (p == NULL) {
            return arena_fail(s);
        }
        memset(p, 0, n * sizeof(*p));
        for (size_t i = 0; i < n; i++) {
            if ((st = policy(s, json_object_array_get_idx(pols, i), &p[i])) != MS_OK) {
                return st;
            }
        }
        r->policies = p;
        r->n_policies = n;
    }
    return MS_OK;
}

ms_status ms_tlsrpt_parse(const char *json, size_t len, ms_arena *arena,
                          const ms_tlsrpt_report **out, ms_report_error *err)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (json == NULL || arena == NULL || out == NULL) {
        return ms__report_fail(err, MS_EINVAL, 0, "invalid argument", NULL, 0);
    }
    if (len == 0) {
        return ms__report_fail(err, MS_ESYNTAX, 0, "the TLS report is empty (RFC 8460 §4)", NULL,
                               0);
    }
    if (len > MS_LIMIT_REPORT_XML || len > 0x7fffffffu) {
        return ms__report_fail(err, MS_ELIMIT, 0,
                               "the TLS report is larger than the cap (MS_LIMIT_REPORT_XML)", NULL,
                               0);
    }
    tstate s = {arena, err};
    json_tokener *tok = json_tokener_new_ex((int)MS_LIMIT_REPORT_JSON_DEPTH);
    if (tok == NULL) {
        return ms__report_fail(err, MS_ENOMEM, 0, "json-c could not start", NULL, 0);
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, json, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t offset = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (root == NULL || jerr != json_tokener_success) {
        json_object_put(root);
        const char *why = jerr == json_tokener_continue ? "the document ends early"
                                                        : json_tokener_error_desc(jerr);
        return ms__report_fail(err, jerr == json_tokener_error_depth ? MS_ELIMIT : MS_ESYNTAX,
                               offset, "the TLS report is not valid JSON (RFC 8259, RFC 8460 §4)",
                               why, strlen(why));
    }
    /* only white space may follow the document */
    for (size_t i = offset; i < len; i++) {
        if (json[i] != ' ' && json[i] != '\t' && json[i] != '\r' && json[i] != '\n') {
            json_object_put(root);
            return ms__report_fail(err, MS_ESYNTAX, i, "data after the JSON document (RFC 8259 §2)",
                                   NULL, 0);
        }
    }
    ms_tlsrpt_report *r = ms_arena_alloc(arena, sizeof(*r));
    if (r == NULL) {
        json_object_put(root);
        return arena_fail(&s);
    }
    memset(r, 0, sizeof(*r));
    ms_status st = report(&s, root, r);
    json_object_put(root);
    if (st != MS_OK) {
        return st;
    }
    *out = r;
    return MS_OK;
}
