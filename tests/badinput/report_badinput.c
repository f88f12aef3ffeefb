/* SPDX-License-Identifier: MIT */
/* The report rows of shared/bad-inputs.md §3.5 that concern reading (RPT-01, 02, 04, 05, 07,
 * 08, 10, 11, 13, 14), one named test per row, plus issue 7 §5: dates in the year 99999,
 * negative counts, non-UTF-8, 10 million records, a 1 GB report. Each must end in a clear
 * status and reason, in bounded time and memory. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <cmocka.h>

#include "ms_report_archives.h"
#include "ms_test_util.h"

#include "mailseal/report.h"

#include "base/limits.h"

#define HEAD                                                                                       \
    "<?xml version=\"1.0\"?><feedback><report_metadata><org_name>o</org_name>"                     \
    "<email>e@o.t</email><report_id>1</report_id><date_range><begin>1</begin><end>2</end>"         \
    "</date_range></report_metadata><policy_published><domain>example.t</domain><p>none</p>"       \
    "</policy_published>"
#define RECORD                                                                                     \
    "<record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated>"              \
    "<disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>"     \
    "<identifiers><header_from>example.t</header_from></identifiers><auth_results><spf>"           \
    "<domain>example.t</domain><result>pass</result></spf></auth_results></record>"
#define TAIL "</feedback>"

static const char GOOD[] = HEAD RECORD TAIL;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The aggregate parse of xml ends in want_st with a reason holding want. */
static void agg_refused(const char *row, const char *xml, size_t len, ms_status want_st,
                        const char *want)
{
    ms_arena *a = new_arena(0);
    char *copy = exact(xml, len);
    const ms_report_aggregate *r = NULL;
    ms_report_error err = {0};
    ms_status st = ms_report_parse_aggregate(copy, len, a, &r, &err);
    if (st != want_st || err.reason == NULL || strstr(err.reason, want) == NULL) {
        fail_msg("%s: got %s (%s [%s]), want %s with \"%s\"", row, ms_status_name(st),
                 err.reason ? err.reason : "(null)", err.detail, ms_status_name(want_st), want);
    }
    assert_null(r);
    free(copy);
    ms_arena_free(a);
}

/* The unpack of data ends in want_st with a reason holding want. */
static void unpack_refused(const char *row, const uint8_t *data, size_t len, ms_status want_st,
                           const char *want)
{
    ms_arena *a = new_arena(0);
    const ms_report_payload *p = NULL;
    size_t n = 99;
    ms_report_error err = {0};
    ms_status st = ms_report_unpack(data, len, a, &p, &n, &err);
    if (st != want_st || err.reason == NULL || strstr(err.reason, want) == NULL) {
        fail_msg("%s: got %s (%s [%s]), want %s with \"%s\"", row, ms_status_name(st),
                 err.reason ? err.reason : "(null)", err.detail, ms_status_name(want_st), want);
    }
    assert_null(p);
    assert_int_equal(n, 0);
    /* the whole pipeline agrees: nothing is returned */
    const ms_report *r = NULL;
    assert_int_equal(ms_report_read(data, len, a, &r, &n, &err), want_st);
    assert_null(r);
    assert_int_equal(n, 0);
    ms_arena_free(a);
}

/* data unpacks to exactly the payload types in want (a string of 'X', 'J', 'A'). */
static void unpack_gives(const char *row, const uint8_t *data, size_t len, const char *want)
{
    ms_arena *a = new_arena(0);
    const ms_report_payload *p = NULL;
    size_t n = 0;
    ms_report_error err = {0};
    ms_status st = ms_report_unpack(data, len, a, &p, &n, &err);
    char got[16] = "";
    for (size_t i = 0; st == MS_OK && i < n && i + 1 < sizeof(got); i++) {
        got[i] = p[i].type == MS_REPORT_PAYLOAD_XML    ? 'X'
                 : p[i].type == MS_REPORT_PAYLOAD_JSON ? 'J'
                                                       : 'A';
        got[i + 1] = '\0';
    }
    if (st != MS_OK || strcmp(got, want) != 0) {
        fail_msg("%s: got %s \"%s\" (%s), want MS_OK \"%s\"", row, ms_status_name(st), got,
                 err.reason ? err.reason : "", want);
    }
    ms_arena_free(a);
}

/* ---- RPT-01, RPT-02: DTDs ------------------------------------------------------------------- */

static void rpt_01_external_entity(void **state)
{
    (void)state;
    const char *cases[] = {
        "<?xml version=\"1.0\"?><!DOCTYPE feedback [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        "<feedback>&x;</feedback>",
        "<?xml version=\"1.0\"?><!DOCTYPE feedback SYSTEM \"http://127.0.0.1:9/x.dtd\">" HEAD RECORD
            TAIL,
        "<!DOCTYPE feedback [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>" HEAD TAIL,
        /* a DOCTYPE after a comment, and one with only harmless content, are still refused */
        "<?xml version=\"1.0\"?><!-- c --><!DOCTYPE feedback>" HEAD RECORD TAIL,
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        agg_refused("RPT-01", cases[i], strlen(cases[i]), MS_ESYNTAX, "DOCTYPE");
        unpack_gives("RPT-01 typed as XML", (const uint8_t *)cases[i], strlen(cases[i]), "X");
    }
}

static void rpt_02_billion_laughs(void **state)
{
    (void)state;
    char xml[4096];
    size_t n = (size_t)snprintf(xml, sizeof(xml),
                                "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
                                " <!ENTITY lol \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
        n += (size_t)snprintf(xml + n, sizeof(xml) - n, " <!ENTITY lol%d \"", i);
        for (int j = 0; j < 10; j++) {
            n += (size_t)snprintf(xml + n, sizeof(xml) - n, i == 1 ? "&lol;" : "&lol%d;", i - 1);
        }
        n += (size_t)snprintf(xml + n, sizeof(xml) - n, "\">\n");
    }
    n += (size_t)snprintf(xml + n, sizeof(xml) - n,
                          "]>\n<feedback><report_metadata><org_name>&lol9;</org_name>"
                          "</report_metadata></feedback>");
    double t0 = now();
    ms_arena *a = new_arena(0);
    const ms_report_aggregate *r = NULL;
    ms_report_error err = {0};
    assert_int_equal(ms_report_parse_aggregate(xml, n, a, &r, &err), MS_ESYNTAX);
    assert_non_null(strstr(err.reason, "DOCTYPE"));
    /* memory stays small: nothing was expanded */
    if (ms_arena_used(a) > 256 * 1024) {
        fail_msg("RPT-02: the arena holds %zu bytes after a refused report", ms_arena_used(a));
    }
    assert_true(now() - t0 < 2.0);
    ms_arena_free(a);
}

/* ---- RPT-04: gzip bomb ---------------------------------------------------------------------- */

static ms_test_bytes zeros_deflated(size_t mib, uint32_t *crc, uint64_t *total)
{
    static uint8_t zero[1024 * 1024];
    return tb_deflate_repeat(zero, sizeof(zero), mib, crc, total);
}

static void rpt_04_gzip_bomb(void **state)
{
    (void)state;
    uint32_t crc;
    uint64_t total;
    ms_test_bytes raw = zeros_deflated(1024, &crc, &total); /* 1 GiB of zeros */
    ms_test_bytes gz = tb_gzip_wrap(&raw, crc, total);
    if (gz.len > 2 * 1024 * 1024) {
        fail_msg("RPT-04: the bomb is %zu bytes, want about 1 MiB", gz.len);
    }
    double t0 = now();
    unpack_refused("RPT-04", gz.data, gz.len, MS_ELIMIT, "MS_LIMIT_REPORT_INFLATED");
    /* bounded: stopping at 32 MiB takes far less than inflating 1 GiB */
    if (now() - t0 > 10.0) {
        fail_msg("RPT-04: %.1f s to refuse the bomb", now() - t0);
    }
    free(raw.data);
    free(gz.data);
}

/* ---- RPT-05: zip -------------------------------------------------------------------------- */

static void rpt_05_zip(void **state)
{
    (void)state;
    /* a nested zip is not opened; the XML beside it is read */
    tb_member inner_m = tb_stored("inner.xml", GOOD, strlen(GOOD));
    ms_test_bytes inner = tb_zip(&inner_m, 1);
    tb_member only_nested = tb_stored("nested.zip", inner.data, inner.len);
    ms_test_bytes z1 = tb_zip(&only_nested, 1);
    unpack_refused("RPT-05 nested zip", z1.data, z1.len, MS_ESYNTAX, "no report found");
    ms_test_bytes gz_inner = tb_gzip(GOOD, strlen(GOOD));
    tb_member mixed[3] = {only_nested, tb_stored("report.xml", GOOD, strlen(GOOD)),
                          tb_stored("r.xml.gz", gz_inner.data, gz_inner.len)};
    ms_test_bytes z2 = tb_zip(mixed, 3);
    unpack_gives("RPT-05 zip with a nested zip and gzip beside a report", z2.data, z2.len, "X");

    /* 10,000 members */
    tb_member *many = calloc(10000, sizeof(*many));
    assert_non_null(many);
    char(*names)[16] = calloc(10000, 16);
    assert_non_null(names);
    for (int i = 0; i < 10000; i++) {
        snprintf(names[i], 16, "m%05d.xml", i);
        many[i] = tb_stored(names[i], GOOD, strlen(GOOD));
    }
    ms_test_bytes z3 = tb_zip(many, 10000);
    unpack_refused("RPT-05 10,000 members", z3.data, z3.len, MS_ELIMIT,
                   "MS_LIMIT_REPORT_ZIP_MEMBERS");

    /* a member declaring 1 KB that inflates to 1 GiB: refused on the bytes produced (or as
     * corrupt when the reader trusts the declared size), never read to the end */
    uint32_t crc;
    uint64_t total;
    ms_test_bytes raw = zeros_deflated(1024, &crc, &total);
    tb_member liar = {"bomb.xml", raw.data, raw.len, 8, crc, 1024};
    ms_test_bytes z4 = tb_zip(&liar, 1);
    double t0 = now();
    ms_arena *a = new_arena(0);
    const ms_report_payload *p = NULL;
    size_t n = 0;
    ms_report_error err = {0};
    ms_status st = ms_report_unpack(z4.data, z4.len, a, &p, &n, &err);
    if (st == MS_OK || now() - t0 > 10.0) {
        fail_msg("RPT-05 declared 1 KB, inflates to 1 GiB: got %s in %.1f s", ms_status_name(st),
                 now() - t0);
    }
    ms_arena_free(a);
    /* the same without the lie: refused at the cap */
    tb_member honest = {"bomb.xml", raw.data, raw.len, 8, crc, (uint32_t)total};
    ms_test_bytes z5 = tb_zip(&honest, 1);
    unpack_refused("RPT-05 1 GiB member", z5.data, z5.len, MS_ELIMIT, "MS_LIMIT_REPORT_INFLATED");

    /* overlapping entries: 16 central entries pointing at one 20 MiB member (Fifield's
     * overlap bomb); the cap counts every read */
    ms_test_bytes raw20 = zeros_deflated(20, &crc, &total);
    tb_member one = {"a.xml", raw20.data, raw20.len, 8, crc, (uint32_t)total};
    ms_test_bytes z6 = tb_zip(&one, 1);
    /* rewrite: duplicate the central entry 8 times, all at offset 0 */
    ms_test_bytes over = {0};
    size_t cd_at = 30 + strlen("a.xml") + raw20.len;
    tb_put(&over, z6.data, cd_at);
    size_t cd_len = 46 + strlen("a.xml");
    for (int i = 0; i < 8; i++) {
        uint8_t *entry = malloc(cd_len);
        memcpy(entry, z6.data + cd_at, cd_len);
        entry[46] = (uint8_t)('a' + i); /* distinct names: a.xml b.xml ... */
        tb_put(&over, entry, cd_len);
        free(entry);
    }
    tb_u32(&over, 0x06054b50);
    tb_u16(&over, 0);
    tb_u16(&over, 0);
    tb_u16(&over, 8);
    tb_u16(&over, 8);
    tb_u32(&over, (uint32_t)(cd_len * 8));
    tb_u32(&over, (uint32_t)cd_at);
    tb_u16(&over, 0);
    a = new_arena(0);
    st = ms_report_unpack(over.data, over.len, a, &p, &n, &err);
    if (st == MS_OK) {
        fail_msg("RPT-05 overlapping entries: got MS_OK with %zu payloads", n);
    }
    ms_arena_free(a);

    free(inner.data);
    free(z1.data);
    free(gz_inner.data);
    free(z2.data);
    free(many);
    free(names);
    free(z3.data);
    free(raw.data);
    free(z4.data);
    free(z5.data);
    free(raw20.data);
    free(z6.data);
    free(over.data);
}

/* ---- RPT-07: typed by magic bytes --------------------------------------------------------- */

static char *b64(const uint8_t *d, size_t len)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = malloc(len / 3 * 4 + len / 57 * 2 + 8);
    size_t n = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < len ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < len ? d[i + 2] : 0);
        o[n++] = A[v >> 18 & 63];
        o[n++] = A[v >> 12 & 63];
        o[n++] = i + 1 < len ? A[v >> 6 & 63] : '=';
        o[n++] = i + 2 < len ? A[v & 63] : '=';
        if ((i / 3 + 1) % 19 == 0) {
            o[n++] = '\r';
            o[n++] = '\n';
        }
    }
    o[n] = '\0';
    return o;
}

static uint8_t *mail_with(const char *ctype, const char *fname, const uint8_t *d, size_t len,
                          size_t *out_len)
{
    char *enc = b64(d, len);
    size_t size = strlen(enc) + 1024;
    char *m = malloc(size);
    int n = snprintf(m, size,
                     "From: r@reporter.t\r\nTo: dmarc@example.t\r\nSubject: Report\r\n"
                     "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                     "--b1\r\nContent-Type: text/plain\r\n\r\nThis is a report.\r\n"
                     "--b1\r\nContent-Type: %s\r\nContent-Transfer-Encoding: base64\r\n"
                     "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n%s\r\n--b1--\r\n",
                     ctype, fname, enc);
    free(enc);
    *out_len = (size_t)n;
    return (uint8_t *)m;
}

static void rpt_07_magic(void **state)
{
    (void)state;
    ms_test_bytes gz = tb_gzip(GOOD, strlen(GOOD));
    tb_member m = tb_stored("r.xml", GOOD, strlen(GOOD));
    ms_test_bytes zip = tb_zip(&m, 1);
    size_t len;
    uint8_t *mail = mail_with("text/xml", "r.xml", gz.data, gz.len, &len);
    unpack_gives("RPT-07 text/xml part holding gzip", mail, len, "X");
    free(mail);
    mail = mail_with("application/gzip", "r.xml.gz", zip.data, zip.len, &len);
    unpack_gives("RPT-07 application/gzip part holding zip", mail, len, "X");
    free(mail);
    mail = mail_with("application/gzip", "r.xml.gz", (const uint8_t *)GOOD, strlen(GOOD), &len);
    unpack_gives("RPT-07 .xml.gz named but plain", mail, len, "X");
    free(mail);
    mail = mail_with("application/zip", "r.zip", (const uint8_t *)"just text", 9, &len);
    unpack_refused("RPT-07 application/zip holding text", mail, len, MS_ESYNTAX, "no report found");
    free(mail);
    /* the same bytes as files */
    unpack_gives("RPT-07 plain", (const uint8_t *)GOOD, strlen(GOOD), "X");
    unpack_gives("RPT-07 gzip", gz.data, gz.len, "X");
    unpack_gives("RPT-07 zip", zip.data, zip.len, "X");
    unpack_refused("RPT-07 unknown bytes", (const uint8_t *)"\x00\x01\x02garbage", 10, MS_ESYNTAX,
                   "magic bytes");
    free(gz.data);
    free(zip.data);
}

/* ---- RPT-08: truncated and corrupt streams -------------------------------------------------- */

static void rpt_08_truncated_crc(void **state)
{
    (void)state;
    char big[8192];
    size_t n = 0;
    n += (size_t)snprintf(big, sizeof(big), "%s", HEAD);
    while (n + sizeof(RECORD) + sizeof(TAIL) < sizeof(big)) {
        n += (size_t)snprintf(big + n, sizeof(big) - n, "%s", RECORD);
    }
    n += (size_t)snprintf(big + n, sizeof(big) - n, "%s", TAIL);
    ms_test_bytes gz = tb_gzip(big, n);
    unpack_refused("RPT-08 truncated deflate", gz.data, gz.len / 2, MS_ESYNTAX, "truncated");
    unpack_refused("RPT-08 no trailer", gz.data, gz.len - 8, MS_ESYNTAX, "truncated");
    gz.data[gz.len - 6] ^= 0x55; /* CRC32 */
    unpack_refused("RPT-08 CRC mismatch", gz.data, gz.len, MS_ESYNTAX, "CRC");
    gz.data[gz.len - 6] ^= 0x55;
    gz.data[gz.len - 2] ^= 0x55; /* ISIZE */
    unpack_refused("RPT-08 ISIZE mismatch", gz.data, gz.len, MS_ESYNTAX, "CRC");
    /* a zip member whose CRC is wrong */
    tb_member m = tb_stored("r.xml", big, n);
    m.crc ^= 1;
    ms_test_bytes zip = tb_zip(&m, 1);
    unpack_refused("RPT-08 zip CRC mismatch", zip.data, zip.len, MS_ESYNTAX, "CRC");
    /* a truncated zip */
    unpack_refused("RPT-08 truncated zip", zip.data, zip.len - 30, MS_ESYNTAX, "zip");
    /* an XML report cut short: never a partial report */
    for (size_t cut = strlen(HEAD); cut < n - strlen(TAIL); cut += 97) {
        ms_arena *a = new_arena(0);
        char *copy = exact(big, cut);
        const ms_report_aggregate *r = NULL;
        ms_report_error err = {0};
        ms_status st = ms_report_parse_aggregate(copy, cut, a, &r, &err);
        bool at_record_end = cut >= 9 && memcmp(big + cut - 9, "</record>", 9) == 0;
        if (at_record_end ? st != MS_OK : st != MS_ESYNTAX) {
            fail_msg("RPT-08 XML cut at %zu: got %s, want MS_ESYNTAX", cut, ms_status_name(st));
        }
        free(copy);
        ms_arena_free(a);
    }
    free(gz.data);
    free(zip.data);
}

/* ---- RPT-10: huge fields, many records ------------------------------------------------------ */

static char *records_doc(size_t n_records, size_t *len)
{
    size_t size = strlen(HEAD) + strlen(TAIL) + n_records * 80 + 1;
    char *d = malloc(size);
    assert_non_null(d);
    size_t n = (size_t)snprintf(d, size, "%s", HEAD);
    static const char R[] =
        "<record><row><source_ip>192.0.2.1</source_ip><count>1</count></row></record>";
    for (size_t i = 0; i < n_records; i++) {
        memcpy(d + n, R, sizeof(R) - 1);
        n += sizeof(R) - 1;
    }
    memcpy(d + n, TAIL, strlen(TAIL));
    n += strlen(TAIL);
    *len = n;
    return d;
}

static void rpt_10_huge_field_many_records(void **state)
{
    (void)state;
    /* 100 MiB org_name: refused by size before any parsing */
    size_t big = 100u * 1024 * 1024;
    char *d = malloc(big + 200);
    assert_non_null(d);
    size_t n = (size_t)snprintf(d, 200, "<feedback><report_metadata><org_name>");
    memset(d + n, 'a', big);
    n += big;
    memcpy(d + n, "</org_name></report_metadata></feedback>", 40);
    n += 40;
    ms_arena *a = new_arena(0);
    const ms_report_aggregate *r = NULL;
    ms_report_error err = {0};
    assert_int_equal(ms_report_parse_aggregate(d, n, a, &r, &err), MS_ELIMIT);
    assert_non_null(strstr(err.reason, "cap"));
    free(d);
    /* a field just over MS_LIMIT_REPORT_FIELD in a small report: the field cap */
    char field[MS_LIMIT_REPORT_FIELD + 2];
    memset(field, 'x', sizeof(field) - 1);
    field[sizeof(field) - 1] = '\0';
    char doc[4096];
    int dl = snprintf(doc, sizeof(doc),
                      "<feedback><report_metadata><org_name>%s</org_name></report_metadata>"
                      "</feedback>",
                      field);
    agg_refused("RPT-10 field over the cap", doc, (size_t)dl, MS_ELIMIT, "MS_LIMIT_REPORT_FIELD");
    /* split into many text callbacks by entities: still the cap */
    char ents[8192] = "<feedback><report_metadata><org_name>";
    for (int i = 0; i < 600; i++) {
        strncat(ents, "&amp;&lt;", sizeof(ents) - strlen(ents) - 1);
    }
    strncat(ents, "</org_name></report_metadata></feedback>", sizeof(ents) - strlen(ents) - 1);
    agg_refused("RPT-10 field of entities", ents, strlen(ents), MS_ELIMIT, "MS_LIMIT_REPORT_FIELD");
    /* one record more than the cap */
    d = records_doc(MS_LIMIT_REPORT_RECORDS + 1, &n);
    double t0 = now();
    agg_refused("RPT-10 records over the cap", d, n, MS_ELIMIT, "too many records");
    assert_true(now() - t0 < 30.0);
    free(d);
    /* exactly the cap parses */
    d = records_doc(1000, &n);
    ms_arena_reset(a);
    assert_int_equal(ms_report_parse_aggregate(d, n, a, &r, &err), MS_OK);
    assert_int_equal(r->n_records, 1000);
    assert_int_equal(r->n_messages, 1000);
    free(d);
    ms_arena_free(a);
}

/* ---- RPT-11: no NUL after the buffer -------------------------------------------------------- */

static void rpt_11_exact_buffer(void **state)
{
    (void)state;
    size_t len = strlen(GOOD);
    /* every prefix, each in an exact-size heap block: ASan sees any read past it */
    for (size_t cut = 0; cut <= len; cut++) {
        char *copy = exact(GOOD, cut);
        ms_arena *a = new_arena(0);
        const ms_report_aggregate *r = NULL;
        ms_report_error err = {0};
        ms_status st = ms_report_parse_aggregate(copy, cut, a, &r, &err);
        /* a missing </feedback> right after a </record> is tolerated (bad.com, AOL 2012) */
        bool at_record_end = cut >= 9 && memcmp(GOOD + cut - 9, "</record>", 9) == 0;
        if (cut == len || at_record_end ? st != MS_OK : st == MS_OK) {
            fail_msg("RPT-11 prefix %zu of %zu: got %s", cut, len, ms_status_name(st));
        }
        const ms_report_payload *p = NULL;
        size_t n = 0;
        st = ms_report_unpack((const uint8_t *)copy, cut, a, &p, &n, &err);
        if (cut == 0 ? st != MS_ESYNTAX : st != MS_OK) {
            fail_msg("RPT-11 unpack of prefix %zu: got %s", cut, ms_status_name(st));
        }
        ms_arena_free(a);
        free(copy);
    }
}

/* ---- RPT-13: encodings, NUL, CDATA ---------------------------------------------------------- */

static const ms_report_aggregate *parse_ok(const char *row, ms_arena *a, const char *xml,
                                           size_t len)
{
    char *copy = exact(xml, len);
    const ms_report_aggregate *r = NULL;
    ms_report_error err = {0};
    ms_status st = ms_report_parse_aggregate(copy, len, a, &r, &err);
    free(copy);
    if (st != MS_OK) {
        fail_msg("%s: got %s (%s [%s]), want MS_OK", row, ms_status_name(st), err.reason,
                 err.detail);
    }
    return r;
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80         ? 1
                   : (*p >> 5) == 6  ? 2
                   : (*p >> 4) == 14 ? 3
                   : (*p >> 3) == 30 ? 4
                                     : 0;
        if (n == 0) {
            return false;
        }
        for (size_t i = 1; i < n; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                return false;
            }
        }
        p += n;
    }
    return true;
}

static void rpt_13_encodings(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    /* UTF-16LE with a BOM */
    const char *doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>" HEAD RECORD TAIL;
    size_t dl = strlen(doc);
    uint8_t *u16 = malloc(2 + 2 * dl);
    u16[0] = 0xff;
    u16[1] = 0xfe;
    for (size_t i = 0; i < dl; i++) {
        u16[2 + 2 * i] = (uint8_t)doc[i];
        u16[3 + 2 * i] = 0;
    }
    const ms_report_aggregate *r =
        parse_ok("RPT-13 UTF-16LE BOM", a, (const char *)u16, 2 + 2 * dl);
    if (r != NULL) {
        assert_string_equal(r->org_name, "o");
        assert_int_equal(r->n_records, 1);
    }
    unpack_gives("RPT-13 UTF-16 typed as XML", u16, 2 + 2 * dl, "X");
    free(u16);
    /* invalid UTF-8 in a field: read (as Latin-1 from there, libxml2's recovery); every string
     * handed out is valid UTF-8 */
    static const char bad8[] =
        HEAD "<record><row><source_ip>192.0.2.1</source_ip><count>1</count></row>"
             "<identifiers><header_from>bad\x91\xff</header_from></identifiers></record>" TAIL;
    r = parse_ok("RPT-13 invalid UTF-8", a, bad8, strlen(bad8));
    if (r != NULL && r->n_records == 1 && r->records[0].header_from != NULL) {
        assert_true(valid_utf8(r->records[0].header_from));
    }
    /* CDATA in fields */
    static const char cdata[] =
        "<feedback><report_metadata><org_name><![CDATA[A & B <x>]]></org_name>"
        "<report_id>1</report_id><date_range><begin>1</begin><end>2</end></date_range>"
        "</report_metadata><policy_published><domain>d.t</domain></policy_published>"
        "</feedback>";
    r = parse_ok("RPT-13 CDATA", a, cdata, strlen(cdata));
    if (r != NULL) {
        assert_string_equal(r->org_name, "A & B <x>");
    }
    /* a raw NUL: a defined outcome (an error), the same every time */
    char nul[sizeof(GOOD)];
    memcpy(nul, GOOD, sizeof(GOOD));
    nul[strlen(HEAD) + 30] = '\0';
    ms_report_error e1 = {0}, e2 = {0};
    ms_status s1 = ms_report_parse_aggregate(nul, sizeof(GOOD) - 1, a, &r, &e1);
    ms_status s2 = ms_report_parse_aggregate(nul, sizeof(GOOD) - 1, a, &r, &e2);
    assert_int_equal(s1, s2);
    assert_int_equal(s1, MS_ESYNTAX);
    assert_string_equal(e1.reason, e2.reason);
    ms_arena_free(a);
}

/* ---- RPT-14: formats and required elements -------------------------------------------------- */

static void rpt_14_formats(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    const ms_report_aggregate *r = parse_ok("RPT-14 RFC 7489", a, GOOD, strlen(GOOD));
    if (r != NULL) {
        assert_string_equal(r->format, "rfc7489");
        assert_null(r->np);
    }
    static const char bis[] =
        "<?xml version=\"1.0\"?><feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"
        "<version>1.0</version><report_metadata><org_name>o</org_name><email>e@o.t</email>"
        "<report_id>1</report_id><date_range><begin>1</begin><end>2</end></date_range>"
        "<generator>g 1.0</generator></report_metadata><policy_published><domain>Example.T"
        "</domain><p>reject</p><sp>none</sp><np>Reject</np><testing>n</testing>"
        "<discovery_method>treewalk</discovery_method></policy_published>" RECORD "</feedback>";
    r = parse_ok("RPT-14 RFC 9990", a, bis, strlen(bis));
    if (r != NULL) {
        assert_string_equal(r->format, "rfc9990");
        assert_string_equal(r->np, "reject");
        assert_string_equal(r->domain, "example.t");
        assert_string_equal(r->generator, "g 1.0");
        assert_string_equal(r->discovery_method, "treewalk");
    }
    static const char *const missing[][2] = {
        {"<feedback><policy_published><domain>d.t</domain></policy_published>" RECORD "</feedback>",
         "report_metadata"},
        {"<feedback><report_metadata><org_name>o</org_name><report_id>1</report_id>"
         "</report_metadata><policy_published><domain>d.t</domain></policy_published>"
         "</feedback>",
         "date_range/begin"},
        {"<feedback><report_metadata><org_name>o</org_name><report_id>1</report_id><date_range>"
         "<begin>1</begin><end>2</end></date_range></report_metadata></feedback>",
         "policy_published"},
        {HEAD "<record><row><count>1</count></row></record>" TAIL, "source_ip"},
        {HEAD "<record><row><source_ip>192.0.2.1</source_ip></row></record>" TAIL, "count"},
        {"<report><x/></report>", "<feedback>"},
    };
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        ms_report_error err = {0};
        const ms_report_aggregate *none = NULL;
        ms_status st =
            ms_report_parse_aggregate(missing[i][0], strlen(missing[i][0]), a, &none, &err);
        if (st != MS_ESYNTAX || (strstr(err.detail, missing[i][1]) == NULL &&
                                 strstr(err.reason, missing[i][1]) == NULL)) {
            fail_msg("RPT-14 missing %s: got %s (%s [%s])", missing[i][1], ms_status_name(st),
                     err.reason, err.detail);
        }
    }
    ms_arena_free(a);
}

/* ---- issue 7 §5 ----------------------------------------------------------------------------- */

static void issue7_dates_counts(void **state)
{
    (void)state;
    static const char *const bad_dates[] = {"99999-01-01", "3093527980800", "-1", "1e9", "",
                                            "253402300800"};
    for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
        char doc[2048];
        int n = snprintf(doc, sizeof(doc),
                         "<feedback><report_metadata><org_name>o</org_name><report_id>1"
                         "</report_id><date_range><begin>%s</begin><end>2</end></date_range>"
                         "</report_metadata><policy_published><domain>d.t</domain>"
                         "</policy_published></feedback>",
                         bad_dates[i]);
        agg_refused("issue 7 §5 date", doc, (size_t)n, MS_ESYNTAX, "date_range");
    }
    static const char *const bad_counts[] = {"-1", "-0", "1.5", "abc", "18446744073709551616", ""};
    for (size_t i = 0; i < sizeof(bad_counts) / sizeof(bad_counts[0]); i++) {
        char doc[2048];
        int n = snprintf(doc, sizeof(doc),
                         HEAD "<record><row><source_ip>192.0.2.1</source_ip><count>%s</count>"
                              "</row></record>" TAIL,
                         bad_counts[i]);
        agg_refused("issue 7 §5 count", doc, (size_t)n, MS_ESYNTAX, "count");
    }
    /* counts that overflow the sum */
    static const char sum[] =
        HEAD "<record><row><source_ip>192.0.2.1</source_ip><count>18446744073709551615"
             "</count></row></record><record><row><source_ip>192.0.2.1</source_ip>"
             "<count>1</count></row></record>" TAIL;
    agg_refused("issue 7 §5 count sum", sum, strlen(sum), MS_ESYNTAX, "overflow");
}

static void issue7_non_utf8(void **state)
{
    (void)state;
    /* an encoding libxml2 does not know: refused with the reason */
    static const char unknown[] =
        "<?xml version=\"1.0\" encoding=\"x-no-such-charset\"?>" HEAD RECORD TAIL;
    ms_arena *a = new_arena(0);
    const ms_report_aggregate *r = NULL;
    ms_report_error err = {0};
    ms_status st = ms_report_parse_aggregate(unknown, strlen(unknown), a, &r, &err);
    if (st != MS_ESYNTAX) {
        fail_msg("issue 7 §5 unknown encoding: got %s, want MS_ESYNTAX", ms_status_name(st));
    }
    /* binary junk that is not text at all */
    uint8_t junk[4096];
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(0x80 + (i * 37) % 128);
    }
    unpack_refused("issue 7 §5 binary", junk, sizeof(junk), MS_ESYNTAX, "not a report");
    /* a declared ISO-8859-1 report: transcoded to UTF-8 */
    static const char latin1[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><feedback>"
                                 "<report_metadata><org_name>M\xfcller</org_name><report_id>1"
                                 "</report_id><date_range><begin>1</begin><end>2</end>"
                                 "</date_range></report_metadata><policy_published><domain>d.t"
                                 "</domain></policy_published></feedback>";
    r = parse_ok("issue 7 §5 ISO-8859-1", a, latin1, strlen(latin1));
    if (r != NULL) {
        assert_string_equal(r->org_name, "M\xc3\xbcller");
    }
    ms_arena_free(a);
}

static void issue7_ten_million_records(void **state)
{
    (void)state;
    /* 10 million records, gzipped (about 1 MiB): refused at the inflate cap, fast, without
     * holding more than the cap */
    static const char R[] =
        "<record><row><source_ip>192.0.2.1</source_ip><count>1</count></row></record>";
    size_t per = 1000;
    char *chunk = malloc(per * (sizeof(R) - 1));
    for (size_t i = 0; i < per; i++) {
        memcpy(chunk + i * (sizeof(R) - 1), R, sizeof(R) - 1);
    }
    ms_test_bytes raw = {0};
    uint32_t crc;
    uint64_t total;
    /* head, then the records; the head is tiny so it is deflated with them */
    char *first = malloc(strlen(HEAD) + per * (sizeof(R) - 1));
    memcpy(first, HEAD, strlen(HEAD));
    memcpy(first + strlen(HEAD), chunk, per * (sizeof(R) - 1));
    raw = tb_deflate_repeat(chunk, per * (sizeof(R) - 1), 10000, &crc, &total);
    ms_test_bytes gz = tb_gzip_wrap(&raw, crc, total);
    double t0 = now();
    unpack_refused("issue 7 §5 10 million records", gz.data, gz.len, MS_ELIMIT,
                   "MS_LIMIT_REPORT_INFLATED");
    if (now() - t0 > 10.0) {
        fail_msg("issue 7 §5 10 million records: %.1f s", now() - t0);
    }
    free(first);
    free(chunk);
    free(raw.data);
    free(gz.data);
}

static void issue7_one_gigabyte(void **state)
{
    (void)state;
    size_t len = 1024u * 1024u * 1024u;
    uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    memcpy(m, GOOD, strlen(GOOD)); /* a report, then a gigabyte of NULs: only one page used */
    double t0 = now();
    unpack_refused("issue 7 §5 1 GB report", m, len, MS_ELIMIT, "cap");
    agg_refused("issue 7 §5 1 GB report (parse)", (const char *)m, 64, MS_ESYNTAX, "");
    ms_arena *a = new_arena(0);
    const ms_report_aggregate *r = NULL;
    ms_report_error err = {0};
    assert_int_equal(ms_report_parse_aggregate((const char *)m, len, a, &r, &err), MS_ELIMIT);
    ms_arena_free(a);
    assert_true(now() - t0 < 2.0);
    munmap(m, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rpt_01_external_entity),
        cmocka_unit_test(rpt_02_billion_laughs),
        cmocka_unit_test(rpt_04_gzip_bomb),
        cmocka_unit_test(rpt_05_zip),
        cmocka_unit_test(rpt_07_magic),
        cmocka_unit_test(rpt_08_truncated_crc),
        cmocka_unit_test(rpt_10_huge_field_many_records),
        cmocka_unit_test(rpt_11_exact_buffer),
        cmocka_unit_test(rpt_13_encodings),
        cmocka_unit_test(rpt_14_formats),
        cmocka_unit_test(issue7_dates_counts),
        cmocka_unit_test(issue7_non_utf8),
        cmocka_unit_test(issue7_ten_million_records),
        cmocka_unit_test(issue7_one_gigabyte),
    };
    return cmocka_run_group_tests_name("report bad input, shared/bad-inputs.md §3.5, issue 7 §5",
                                       tests, NULL, NULL);
}
