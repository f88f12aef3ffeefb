/* SPDX-License-Identifier: MIT */
/* ms_report_unpack on messages (RFC 2045 §6.7, §6.8 transfer encodings; RFC 2046 §5.1
 * multipart; RFC 5965 §2 failure reports returned whole) and its MIME caps; the archive and
 * bomb rows live in tests/badinput/report_badinput.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "mailseal/report.h"

#include "base/limits.h"

#include "ms_expect.h"

#define XML                                                                                        \
    "<?xml version=\"1.0\"?><feedback><report_metadata><org_name>o</org_name><report_id>1"         \
    "</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata>"          \
    "<policy_published><domain>d.t</domain></policy_published></feedback>"
/* base64 of XML, folded */
#define XML_B64                                                                                    \
    "PD94bWwgdmVyc2lvbj0iMS4wIj8+PGZlZWRiYWNrPjxyZXBvcnRfbWV0YWRhdGE+PG9yZ19uYW1l\r\n"             \
    "Pm88L29yZ19uYW1lPjxyZXBvcnRfaWQ+MTwvcmVwb3J0X2lkPjxkYXRlX3JhbmdlPjxiZWdpbj4x\r\n"             \
    "PC9iZWdpbj48ZW5kPjI8L2VuZD48L2RhdGVfcmFuZ2U+PC9yZXBvcnRfbWV0YWRhdGE+PHBvbGlj\r\n"             \
    "eV9wdWJsaXNoZWQ+PGRvbWFpbj5kLnQ8L2RvbWFpbj48L3BvbGljeV9wdWJsaXNoZWQ+PC9mZWVk\r\n"             \
    "YmFjaz4=\r\n"
#define JSON                                                                                       \
    "{\"organization-name\":\"o\",\"date-range\":{\"start-datetime\":\"2016-04-01T00:00:00Z\","    \
    "\"end-datetime\":\"2016-04-01T23:59:59Z\"},\"report-id\":\"r\",\"policies\":[]}"

typedef struct unpack_case {
    const char *name, *input;
    ms_status want;
    const char *want_types; /* MS_OK: 'X' XML, 'J' JSON, 'A' ARF per payload; else reason */
    const char *want_name;  /* of the first payload, or NULL */
} unpack_case;

static const unpack_case CASES[] = {
    {"plain XML", XML, MS_OK, "X", ""},
    {"plain JSON", JSON, MS_OK, "J", ""},
    {"base64 attachment with a name",
     "From: a@b.t\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\npreamble\r\n--xx\r\n"
     "Content-Type: text/plain\r\n\r\nhello <feedback> in text is not XML\r\n--xx\r\n"
     "Content-Type: application/octet-stream; name=\"r.xml\"\r\n"
     "Content-Transfer-Encoding: Base64\r\n\r\n" XML_B64 "--xx--\r\nepilogue\r\n",
     MS_OK, "X", "r.xml"},
    {"quoted-printable XML part, filename from Content-Disposition",
     "From: a@b.t\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/xml\n"
     "Content-Transfer-Encoding: quoted-printable\nContent-Disposition: attachment;\n"
     " filename=\"q.xml\"\n\n<?xml version=3D\"1.0\"?><feedback><report_metadata><org_name>o=\n"
     "</org_name></report_metadata></feedback>\n--b--\n",
     MS_OK, "X", "q.xml"},
    {"HTML part is not a report",
     "From: a@b.t\nContent-Type: text/html\n\n<html><body>DMARC feedback</body></html>\n",
     MS_ESYNTAX, "no report found", NULL},
    {"TLS-RPT JSON attachment",
     "From: a@b.t\nContent-Type: multipart/report; report-type=tlsrpt; boundary=b\n\n--b\n"
     "Content-Type: text/plain\n\nreport\n--b\nContent-Type: application/tlsrpt+json\n\n" JSON
     "\n--b--\n",
     MS_OK, "J", ""},
    {"two reports in one mail",
     "From: a@b.t\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/xml\n\n" XML
     "\n--b\nContent-Type: application/json\n\n" JSON "\n--b--\n",
     MS_OK, "XJ", ""},
    {"nested multipart and a forwarded message",
     "From: a@b.t\nContent-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: "
     "message/rfc822\n\nFrom: r@r.t\nContent-Type: multipart/alternative; boundary=i\n\n--i\n"
     "Content-Type: text/xml; name=n.xml\n\n" XML "\n--i--\n--o--\n",
     MS_OK, "X", "n.xml"},
    {"ARF returned whole",
     "From: a@b.t\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
     "--b\nContent-Type: text/plain\n\nx\n--b\nContent-Type: message/feedback-report\n\n"
     "Feedback-Type: auth-failure\n--b--\n",
     MS_OK, "A", ""},
    {"feedback-report part in multipart/mixed",
     "From: a@b.t\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: "
     "message/feedback-report\n\nFeedback-Type: auth-failure\n--b--\n",
     MS_OK, "A", ""},
    {"no closing boundary (truncated mail)",
     "From: a@b.t\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/xml\n\n" XML
     "\n",
     MS_OK, "X", ""},
    {"boundary prefix is not a boundary",
     "From: a@b.t\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/xml\n\n" XML
     "\n--bb\n--b--\n",
     MS_OK, "X", ""},
    {"multipart without a boundary", "From: a@b.t\nContent-Type: multipart/mixed\n\n" XML "\n",
     MS_ESYNTAX, "no report found", NULL},
    {"mbox From line",
     "From a@b.t Mon Jan  1 00:00:00 2024\nFrom: a@b.t\nContent-Type: text/xml\n\n" XML, MS_OK, "X",
     ""},
    {"empty", "", MS_ESYNTAX, "empty", NULL},
};

static void unpack_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const unpack_case *c = &CASES[i];
        ms_arena *a = new_arena(0);
        size_t len = strlen(c->input);
        char *copy = exact(c->input, len);
        const ms_report_payload *p = NULL;
        size_t n = 0;
        ms_report_error err = {0};
        ms_status st = ms_report_unpack((const uint8_t *)copy, len, a, &p, &n, &err);
        char got[16] = "";
        for (size_t k = 0; st == MS_OK && k < n && k + 1 < sizeof(got); k++) {
            got[k] = p[k].type == MS_REPORT_PAYLOAD_XML    ? 'X'
                     : p[k].type == MS_REPORT_PAYLOAD_JSON ? 'J'
                                                           : 'A';
        }
        if (c->want == MS_OK) {
            EXPECT(st == MS_OK && strcmp(got, c->want_types) == 0,
                   "%s: got %s \"%s\" (%s), want MS_OK \"%s\"", c->name, ms_status_name(st), got,
                   err.reason ? err.reason : "", c->want_types);
            if (st == MS_OK && c->want_name != NULL) {
                EXPECT(strcmp(p[0].name, c->want_name) == 0, "%s: name got \"%s\", want \"%s\"",
                       c->name, p[0].name, c->want_name);
            }
        } else {
            EXPECT(st == c->want && err.reason != NULL && strstr(err.reason, c->want_types),
                   "%s: got %s (%s), want %s with \"%s\"", c->name, ms_status_name(st),
                   err.reason ? err.reason : "(null)", ms_status_name(c->want), c->want_types);
        }
        free(copy);
        ms_arena_free(a);
    }
    assert_int_equal(n_bad, 0);
}

/* The decoded payload is the document: base64 decoding and the ARF copy are byte exact. */
static void unpack_bytes(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    static const char mail[] = "From: a@b.t\r\nContent-Type: text/xml\r\n"
                               "Content-Transfer-Encoding: base64\r\n\r\n" XML_B64;
    const ms_report_payload *p = NULL;
    size_t n = 0;
    ms_report_error err = {0};
    assert_int_equal(ms_report_unpack((const uint8_t *)mail, strlen(mail), a, &p, &n, &err), MS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(p[0].len, strlen(XML));
    assert_memory_equal(p[0].data, XML, strlen(XML));
    ms_arena_free(a);
}

/* MIME nesting past MS_LIMIT_REPORT_MIME_DEPTH and parts past MS_LIMIT_REPORT_MIME_PARTS. */
static void unpack_mime_caps(void **state)
{
    (void)state;
    char *m = malloc(1 << 20);
    size_t n = (size_t)snprintf(m, 1 << 20, "From: a@b.t\n");
    for (unsigned d = 0; d <= MS_LIMIT_REPORT_MIME_DEPTH + 1; d++) {
        n += (size_t)snprintf(m + n, (1 << 20) - n,
                              "Content-Type: multipart/mixed; boundary=b%u\n\n--b%u\n", d, d);
    }
    n += (size_t)snprintf(m + n, (1 << 20) - n, "Content-Type: text/xml\n\n" XML "\n");
    ms_arena *a = new_arena(0);
    const ms_report_payload *p = NULL;
    size_t np = 0;
    ms_report_error err = {0};
    ms_status st = ms_report_unpack((const uint8_t *)m, n, a, &p, &np, &err);
    EXPECT(st == MS_ELIMIT && strstr(err.reason, "MS_LIMIT_REPORT_MIME_DEPTH") != NULL,
           "depth: got %s (%s)", ms_status_name(st), err.reason);
    n = (size_t)snprintf(m, 1 << 20, "From: a@b.t\nContent-Type: multipart/mixed; boundary=b\n\n");
    for (unsigned i = 0; i <= MS_LIMIT_REPORT_MIME_PARTS; i++) {
        n += (size_t)snprintf(m + n, (1 << 20) - n, "--b\nContent-Type: text/plain\n\nx\n");
    }
    n += (size_t)snprintf(m + n, (1 << 20) - n, "--b--\n");
    st = ms_report_unpack((const uint8_t *)m, n, a, &p, &np, &err);
    EXPECT(st == MS_ELIMIT && strstr(err.reason, "MS_LIMIT_REPORT_MIME_PARTS") != NULL,
           "parts: got %s (%s)", ms_status_name(st), err.reason);
    /* more reports than MS_LIMIT_REPORT_PAYLOADS */
    n = (size_t)snprintf(m, 1 << 20, "From: a@b.t\nContent-Type: multipart/mixed; boundary=b\n\n");
    for (unsigned i = 0; i <= MS_LIMIT_REPORT_PAYLOADS; i++) {
        n += (size_t)snprintf(m + n, (1 << 20) - n, "--b\nContent-Type: text/xml\n\n" XML "\n");
    }
    n += (size_t)snprintf(m + n, (1 << 20) - n, "--b--\n");
    st = ms_report_unpack((const uint8_t *)m, n, a, &p, &np, &err);
    EXPECT(st == MS_ELIMIT && strstr(err.reason, "MS_LIMIT_REPORT_PAYLOADS") != NULL,
           "payloads: got %s (%s)", ms_status_name(st), err.reason);
    free(m);
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unpack_cases),
        cmocka_unit_test(unpack_bytes),
        cmocka_unit_test(unpack_mime_caps),
    };
    return cmocka_run_group_tests_name("report unpack", tests, NULL, NULL);
}
