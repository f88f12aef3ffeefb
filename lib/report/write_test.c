/* SPDX-License-Identifier: MIT */
/* ms_report_write_aggregate, ms_report_gzip and ms_report_filename. The XSD validation of what
 * is written lives in tests/report (it needs the conformance directory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <string.h>
#define ZLIB_CONST
#include <zlib.h>

#include "mailseal/report.h"
#include "ms_expect.h"
#include "ms_test_util.h"

static const ms_report_dkim DKIM2[] = {
    {"example.com", "sel1", "pass", NULL},
    {"other.example", NULL, "fail", "body hash did not verify"},
};
static const ms_report_spf SPF1[] = {{"example.com", "mfrom", "pass", NULL}};
static const ms_report_reason REASON[] = {{"local_policy", "marked only"}};

static ms_report_record base_record(void)
{
    ms_report_record r = {0};
    r.source_ip = "192.0.2.1";
    r.count = 3;
    r.disposition = "none";
    r.dkim = "pass";
    r.spf = "pass";
    r.header_from = "example.com";
    r.envelope_from = "example.com";
    r.envelope_to = "receiver.example";
    r.dkim_results = DKIM2;
    r.n_dkim = 2;
    r.spf_results = SPF1;
    r.n_spf = 1;
    return r;
}

static ms_report_aggregate base_report(const ms_report_record *recs, size_t n)
{
    ms_report_aggregate a = {0};
    a.org_name = "Receiver & Co <test>";
    a.email = "dmarc@receiver.example";
    a.report_id = "1700000000.example.com@receiver.example";
    a.generator = "mailseal test";
    a.begin = 1700000000;
    a.end = 1700086399;
    a.domain = "example.com";
    a.p = "quarantine";
    a.sp = "none";
    a.adkim = "r";
    a.aspf = "s";
    a.testing = "n";
    a.discovery_method = "treewalk";
    a.fo = "0:d";
    a.pct = -1;
    a.records = recs;
    a.n_records = n;
    return a;
}

/* The text of the first node the XPath (prefix d: the DMARC namespace) selects; "" when none. */
static void xpath_text(xmlDocPtr doc, const char *expr, char *out, size_t len)
{
    out[0] = '\0';
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    assert_non_null(ctx);
    assert_int_equal(
        xmlXPathRegisterNs(ctx, BAD_CAST "d", BAD_CAST "urn:ietf:params:xml:ns:dmarc-2.0"), 0);
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (o != NULL && o->type == XPATH_NUMBER) {
        (void)snprintf(out, len, "%g", o->floatval);
    } else if (o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr > 0) {
        xmlChar *t = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
        (void)snprintf(out, len, "%s", t ? (const char *)t : "");
        xmlFree(t);
    }
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
}

static void test_write_content(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    ms_report_record recs[2] = {base_record(), base_record()};
    recs[1].source_ip = "2001:db8::1";
    recs[1].count = 7;
    recs[1].disposition = "quarantine";
    recs[1].dkim = "fail";
    recs[1].spf = "fail";
    recs[1].reasons = REASON;
    recs[1].n_reasons = 1;
    recs[1].n_dkim = 0;
    recs[1].envelope_to = NULL;
    ms_report_aggregate a = base_report(recs, 2);
    const char *errs[] = {"rua URI dropped", "sp= invalid"};
    a.errors = errs;
    a.n_errors = 2;
    const char *xml = NULL;
    size_t len = 0;
    assert_int_equal(ms_report_write_aggregate(&a, arena, &xml, &len), MS_OK);
    assert_non_null(xml);
    assert_int_equal(strlen(xml), len);
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "r.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    static const struct {
        const char *name, *xpath, *want;
    } CASES[] = {
        {"namespace root", "count(/d:feedback)", "1"},
        {"version", "/d:feedback/d:version", "1.0"},
        {"org_name escaped", "//d:report_metadata/d:org_name", "Receiver & Co <test>"},
        {"report_id", "//d:report_metadata/d:report_id", "1700000000.example.com@receiver.example"},
        {"begin", "//d:date_range/d:begin", "1700000000"},
        {"end", "//d:date_range/d:end", "1700086399"},
        {"errors joined into one", "//d:report_metadata/d:error", "rua URI dropped; sp= invalid"},
        {"one error element", "count(//d:report_metadata/d:error)", "1"},
        {"domain", "//d:policy_published/d:domain", "example.com"},
        {"p", "//d:policy_published/d:p", "quarantine"},
        {"np absent", "count(//d:policy_published/d:np)", "0"},
        {"discovery", "//d:policy_published/d:discovery_method", "treewalk"},
        {"records", "count(//d:record)", "2"},
        {"ipv6 record count", "//d:record[d:row/d:source_ip='2001:db8::1']/d:row/d:count", "7"},
        {"reason type", "//d:record[2]//d:reason/d:type", "local_policy"},
        {"dkim results first record", "count(//d:record[1]/d:auth_results/d:dkim)", "2"},
        {"missing selector written empty",
         "count(//d:record[1]/d:auth_results/d:dkim[2]/d:selector)", "1"},
        {"human_result", "//d:record[1]/d:auth_results/d:dkim[2]/d:human_result",
         "body hash did not verify"},
        {"no envelope_to", "count(//d:record[2]/d:identifiers/d:envelope_to)", "0"},
        {"spf scope", "//d:record[1]/d:auth_results/d:spf/d:scope", "mfrom"},
    };
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        char got[256];
        xpath_text(doc, CASES[k].xpath, got, sizeof got);
        EXPECT(strcmp(got, CASES[k].want) == 0, "%s: got '%s', want '%s'", CASES[k].name, got,
               CASES[k].want);
    }
    xmlFreeDoc(doc);
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

static void test_write_refuses(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    static const char *const NAMES[] = {
        "no records",
        "p outside DispositionType",
        "disposition outside its set",
        "dkim result bad",
        "spf scope helo",
        "two spf results",
        "override type bad",
        "control character",
        "invalid UTF-8",
        "end before begin",
        "policy_evaluated spf none",
        "no report_id",
    };
    for (size_t k = 0; k < sizeof NAMES / sizeof NAMES[0]; k++) {
        ms_report_record rec = base_record();
        ms_report_reason bad_reason = {"forwarded", NULL};
        ms_report_spf helo = {"example.com", "helo", "pass", NULL};
        ms_report_spf two[2] = {SPF1[0], SPF1[0]};
        ms_report_dkim bad_dkim = {"example.com", "s", "ok", NULL};
        ms_report_aggregate a = base_report(&rec, 1);
        switch (k) {
        case 0:
            a.n_records = 0;
            break;
        case 1:
            a.p = "monitor";
            break;
        case 2:
            rec.disposition = "discard";
            break;
        case 3:
            rec.dkim_results = &bad_dkim;
            rec.n_dkim = 1;
            break;
        case 4:
            rec.spf_results = &helo;
            break;
        case 5:
            rec.spf_results = two;
            rec.n_spf = 2;
            break;
        case 6:
            rec.reasons = &bad_reason;
            rec.n_reasons = 1;
            break;
        case 7:
            rec.header_from = "exa\001mple.com";
            break;
        case 8:
            a.org_name = "Org \xff\xfe";
            break;
        case 9:
            a.end = a.begin - 1;
            break;
        case 10:
            rec.spf = "none";
            break;
        default:
            a.report_id = NULL;
            break;
        }
        const char *xml = "unset";
        size_t len = 99;
        ms_status st = ms_report_write_aggregate(&a, arena, &xml, &len);
        EXPECT(st == MS_EINVAL && xml == NULL && len == 0,
               "%s: got %s (xml %s), want MS_EINVAL and nothing", NAMES[k], ms_status_name(st),
               xml ? "set" : "NULL");
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

static void test_gzip_roundtrip(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    static const struct {
        const char *name;
        size_t len;
    } CASES[] = {{"empty", 0}, {"short", 5}, {"64 KiB repetitive", 65536}, {"300 KiB", 300000}};
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        size_t n = CASES[k].len;
        uint8_t *in = malloc(n ? n : 1);
        assert_non_null(in);
        for (size_t i = 0; i < n; i++) {
            in[i] = (uint8_t)("<record>abc</record>"[i % 20] + (i % 977 == 0 ? 1 : 0));
        }
        const uint8_t *gz = NULL;
        size_t gz_len = 0;
        ms_status st = ms_report_gzip(in, n, arena, &gz, &gz_len);
        EXPECT(st == MS_OK, "%s: got %s, want MS_OK", CASES[k].name, ms_status_name(st));
        if (st == MS_OK) {
            EXPECT(gz_len >= 18 && gz[0] == 0x1f && gz[1] == 0x8b,
                   "%s: got no gzip magic (len %zu), want 1f 8b (RFC 1952 §2.3.1)", CASES[k].name,
                   gz_len);
            uint8_t *back = malloc(n + 16);
            assert_non_null(back);
            z_stream z = {0};
            assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
            z.next_in = gz;
            z.avail_in = (uInt)gz_len;
            z.next_out = back;
            z.avail_out = (uInt)(n + 16);
            int rc = inflate(&z, Z_FINISH);
            EXPECT(rc == Z_STREAM_END && z.total_out == n && memcmp(back, in, n) == 0,
                   "%s: got inflate %d with %lu bytes, want the %zu input bytes", CASES[k].name, rc,
                   (unsigned long)z.total_out, n);
            (void)inflateEnd(&z);
            free(back);
        }
        free(in);
    }
    const uint8_t *gz = NULL;
    size_t gz_len = 0;
    EXPECT(ms_report_gzip(NULL, 3, arena, &gz, &gz_len) == MS_EINVAL, "NULL data: want MS_EINVAL");
    ms_arena *tiny = new_arena(256);
    uint8_t big[4096] = {0};
    EXPECT(ms_report_gzip(big, sizeof big, tiny, &gz, &gz_len) == MS_ELIMIT && gz == NULL,
           "arena cap: want MS_ELIMIT and nothing");
    ms_arena_free(tiny);
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

static void test_filename(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    static const struct {
        const char *name, *receiver, *domain;
        int64_t begin, end;
        const char *unique, *ext, *want; /* want NULL: refused */
    } CASES[] = {
        {"RFC 9990 §3.5.2 example", "mail.receiver.example", "example.com", 1013662812, 1013749130,
         NULL, "xml.gz", "mail.receiver.example!example.com!1013662812!1013749130.xml.gz"},
        {"with unique-id", "mx.example", "example.org", 0, 86399, "ab12", "xml",
         "mx.example!example.org!0!86399!ab12.xml"},
        {"slash in domain", "mx.example", "a/b.example", 0, 1, NULL, "xml.gz", NULL},
        {"dot-dot", "mx.example", "..", 0, 1, NULL, "xml.gz", NULL},
        {"empty label", "mx..example", "example.com", 0, 1, NULL, "xml.gz", NULL},
        {"quote", "mx.example", "ex\"ample.com", 0, 1, NULL, "xml.gz", NULL},
        {"unique-id not alnum", "mx.example", "example.com", 0, 1, "a-b", "xml.gz", NULL},
        {"empty unique-id", "mx.example", "example.com", 0, 1, "", "xml.gz", NULL},
        {"bad extension", "mx.example", "example.com", 0, 1, NULL, "zip", NULL},
        {"end before begin", "mx.example", "example.com", 5, 1, NULL, "xml", NULL},
        {"negative begin", "mx.example", "example.com", -1, 1, NULL, "xml", NULL},
        {"NULL receiver", NULL, "example.com", 0, 1, NULL, "xml", NULL},
    };
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        const char *got = ms_report_filename(CASES[k].receiver, CASES[k].domain, CASES[k].begin,
                                             CASES[k].end, CASES[k].unique, CASES[k].ext, arena);
        if (CASES[k].want == NULL) {
            EXPECT(got == NULL, "%s: got '%s', want refused", CASES[k].name, got);
        } else {
            EXPECT(got != NULL && strcmp(got, CASES[k].want) == 0, "%s: got '%s', want '%s'",
                   CASES[k].name, got ? got : "(null)", CASES[k].want);
        }
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_content),
        cmocka_unit_test(test_write_refuses),
        cmocka_unit_test(test_gzip_roundtrip),
        cmocka_unit_test(test_filename),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
