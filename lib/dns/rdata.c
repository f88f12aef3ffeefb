/* SPDX-License-Identifier: MIT */
/* DNS wire format to mailseal records: names (RFC 1035 §3.1, §4.1.4), RDATA of A, NS, CNAME,
 * SOA, PTR, MX, TXT (RFC 1035 §3.3), AAAA (RFC 3596 §2.2) and SPF (RFC 7208 §3.1), and the
 * CNAME chain of an answer section (RFC 1034 §3.6.2). */
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "dns/rdata.h"

#define WIRE_NAME_MAX 255u /* octets, the root label included (RFC 1035 §3.1) */

static bool put(char *out, size_t outlen, size_t *o, char c)
{
    if (*o + 1 >= outlen) {
        return false;
    }
    out[(*o)++] = c;
    return true;
}

/* One label byte in presentation form (RFC 1035 §5.1), the form zonefile.c gives names too. */
static bool put_byte(char *out, size_t outlen, size_t *o, uint8_t b)
{
    if (b <= 0x20 || b >= 0x7f || b == '.' || b == '\\') {
        return put(out, outlen, o, '\\') && put(out, outlen, o, (char)('0' + b / 100)) &&
               put(out, outlen, o, (char)('0' + b / 10 % 10)) &&
               put(out, outlen, o, (char)('0' + b % 10));
    }
    return put(out, outlen, o, (char)b);
}

ms_status ms__dns_wire_name(const uint8_t *wire, size_t wire_len, size_t *pos, bool allow_pointers,
                            char *out, size_t outlen, const char **why)
{
    size_t p = *pos;
    size_t end = 0;        /* where the name ends as stored, once a pointer was taken */
    size_t limit = p;      /* a pointer must point before this: every jump goes backwards */
    size_t wire_total = 0; /* octets of the name, pointers resolved */
    size_t o = 0;
    bool jumped = false;
    *why = NULL;
    if (outlen == 0) {
        return MS_ELIMIT;
    }
    for (;;) {
        if (p >= wire_len) {
            *why = "domain name runs past the end of the data (RFC 1035 §3.1)";
            return MS_ESYNTAX;
        }
        uint8_t c = wire[p];
        if ((c & 0xc0) == 0xc0) {
            if (!allow_pointers) {
                *why = "compression pointer where names must be uncompressed (RFC 3597 §4)";
                return MS_ESYNTAX;
            }
            if (p + 1 >= wire_len) {
                *why = "compression pointer runs past the end of the message (RFC 1035 §4.1.4)";
                return MS_ESYNTAX;
            }
            size_t target = ((size_t)(c & 0x3f) << 8) | wire[p + 1];
            if (target >= limit) {
                *why = "compression pointer does not point to an earlier name (RFC 1035 §4.1.4)";
                return MS_ESYNTAX;
            }
            if (!jumped) {
                end = p + 2;
                jumped = true;
            }
            limit = target;
            p = target;
            continue;
        }
        if (c & 0xc0) {
            *why = "reserved label type in a domain name (RFC 6891 §5)";
            return MS_ESYNTAX;
        }
        p++;
        wire_total += (size_t)c + 1;
        if (wire_total > WIRE_NAME_MAX) {
            *why = "domain name longer than 255 octets (RFC 1035 §3.1)";
            return MS_ESYNTAX;
        }
        if (c == 0) {
            break;
        }
        if (c > wire_len - p) {
            *why = "label runs past the end of the data (RFC 1035 §3.1)";
            return MS_ESYNTAX;
        }
        if (o > 0 && !put(out, outlen, &o, '.')) {
            return MS_ELIMIT;
        }
        for (size_t i = 0; i < c; i++) {
            if (!put_byte(out, outlen, &o, wire[p + i])) {
                return MS_ELIMIT;
            }
        }
        p += c;
    }
    out[o] = '\0';
    *pos = jumped ? end : p;
    return MS_OK;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A name taking up rdata[*pos..) into the arena. */
static ms_status name_in_arena(const uint8_t *rdata, size_t len, size_t *pos, ms_arena *arena,
                               const char **name, const char **why)
{
    char buf[MS_LIMIT_DNS_NAME_TEXT + 1];
    ms_status st = ms__dns_wire_name(rdata, len, pos, false, buf, sizeof(buf), why);
    if (st != MS_OK) {
        return st;
    }
    *name = ms_arena_strdup(arena, buf);
    return *name ? MS_OK : ms_arena_status(arena);
}

static ms_status parse_txt(const uint8_t *rdata, size_t len, ms_arena *arena, ms_dns_rr *rr,
                           const char **why)
{
    size_t n_strings = 0, total = 0;
    if (len == 0) {
        *why = "TXT RDATA without a character-string (RFC 1035 §3.3.14)";
        return MS_ESYNTAX;
    }
    for (size_t p = 0; p < len; p += (size_t)rdata[p] + 1) {
        if (rdata[p] > len - p - 1) {
            *why = "character-string runs past the end of the RDATA (RFC 1035 §3.3)";
            return MS_ESYNTAX;
        }
        n_strings++;
        total += rdata[p];
    }
    if (total > MS_LIMIT_DNS_TXT) {
        *why = "TXT record longer than MS_LIMIT_DNS_TXT";
        return MS_ESYNTAX;
    }
    char *data = ms_arena_alloc(arena, total + 1);
    uint8_t *lens = ms_arena_alloc(arena, n_strings);
    if (data == NULL || lens == NULL) {
        return ms_arena_status(arena);
    }
    size_t o = 0, k = 0;
    for (size_t p = 0; p < len; p += (size_t)rdata[p] + 1) {
        memcpy(data + o, rdata + p + 1, rdata[p]);
        o += rdata[p];
        lens[k++] = rdata[p];
    }
    data[o] = '\0';
    rr->u.txt.data = data;
    rr->u.txt.len = total;
    rr->u.txt.lens = lens;
    rr->u.txt.n_strings = n_strings;
    return MS_OK;
}

ms_status ms__dns_rdata_parse(uint16_t type, const uint8_t *rdata, size_t len, ms_arena *arena,
                              ms_dns_rr *rr, const char **why)
{
    size_t pos = 0;
    ms_status st;
    *why = NULL;
    memset(&rr->u, 0, sizeof(rr->u));
    rr->type = type;
    switch (type) {
    case MS_DNS_A:
        if (len != 4) {
            *why = "A RDATA is not 4 octets (RFC 1035 §3.4.1)";
            return MS_ESYNTAX;
        }
        memcpy(rr->u.a, rdata, 4);
        return MS_OK;
    case MS_DNS_AAAA:
        if (len != 16) {
            *why = "AAAA RDATA is not 16 octets (RFC 3596 §2.2)";
            return MS_ESYNTAX;
        }
        memcpy(rr->u.aaaa, rdata, 16);
        return MS_OK;
    case MS_DNS_NS:
    case MS_DNS_CNAME:
    case MS_DNS_PTR:
        st = name_in_arena(rdata, len, &pos, arena, &rr->u.name, why);
        break;
    case MS_DNS_MX:
        if (len < 3) {
            *why = "MX RDATA shorter than a preference and a name (RFC 1035 §3.3.9)";
            return MS_ESYNTAX;
        }
        rr->u.mx.preference = get16(rdata);
        pos = 2;
        st = name_in_arena(rdata, len, &pos, arena, &rr->u.mx.exchange, why);
        break;
    case MS_DNS_SOA:
        st = name_in_arena(rdata, len, &pos, arena, &rr->u.soa.mname, why);
        if (st == MS_OK) {
            st = name_in_arena(rdata, len, &pos, arena, &rr->u.soa.rname, why);
        }
        if (st == MS_OK) {
            if (len - pos != 20) {
                *why = "SOA RDATA does not end with five 32-bit numbers (RFC 1035 §3.3.13)";
                return MS_ESYNTAX;
            }
            rr->u.soa.serial = get32(rdata + pos);
            rr->u.soa.refresh = get32(rdata + pos + 4);
            rr->u.soa.retry = get32(rdata + pos + 8);
            rr->u.soa.expire = get32(rdata + pos + 12);
            rr->u.soa.minimum = get32(rdata + pos + 16);
            return MS_OK;
        }
        return st;
    case MS_DNS_TXT:
    case MS_DNS_SPF:
        return parse_txt(rdata, len, arena, rr, why);
    default:
        return MS_OK; /* kept as a count only: mailseal reads no other type */
    }
    if (st == MS_OK && pos != len) {
        *why = "bytes left in the RDATA after the domain name (RFC 1035 §3.3)";
        return MS_ESYNTAX;
    }
    return st;
}

static bool name_ieq(const char *a, const char *b)
{
    size_t alen = strlen(a), blen = strlen(b);
    return ms__str_ieq(a, alen, b, blen);
}

/* RFC 1035 §4.1.1 header, §4.1.2 question, §4.1.3 resource record. */
ms_status ms__dns_msg_canon_name(const uint8_t *msg, size_t len, const char *qname, char *out,
                                 size_t outlen, const char **why)
{
    char owner[MS_LIMIT_DNS_NAME_TEXT + 1];
    char target[MS_LIMIT_DNS_NAME_TEXT + 1];
    size_t qlen = strlen(qname);
    *why = NULL;
    if (qlen + 1 > outlen) {
        return MS_ELIMIT;
    }
    memcpy(out, qname, qlen + 1);
    if (len < 12) {
        *why = "DNS message shorter than its header (RFC 1035 §4.1.1)";
        return MS_ESYNTAX;
    }
    unsigned qdcount = get16(msg + 4), ancount = get16(msg + 6);
    size_t pos = 12;
    for (unsigned i = 0; i < qdcount; i++) {
        ms_status st = ms__dns_wire_name(msg, len, &pos, true, owner, sizeof(owner), why);
        if (st != MS_OK) {
            return st;
        }
        if (len - pos < 4) {
            *why = "question runs past the end of the message (RFC 1035 §4.1.2)";
            return MS_ESYNTAX;
        }
        pos += 4;
    }
    size_t answers = pos;
    /* Each pass follows one CNAME; a chain longer than the section is a loop. */
    for (unsigned hop = 0; hop <= ancount; hop++) {
        bool moved = false;
        pos = answers;
        for (unsigned i = 0; i < ancount && !moved; i++) {
            ms_status st = ms__dns_wire_name(msg, len, &pos, true, owner, sizeof(owner), why);
            if (st != MS_OK) {
                return st;
            }
            if (len - pos < 10) {
                *why = "resource record runs past the end of the message (RFC 1035 §4.1.3)";
                return MS_ESYNTAX;
            }
            uint16_t type = get16(msg + pos);
            size_t rdlen = get16(msg + pos + 8);
            pos += 10;
            if (rdlen > len - pos) {
                *why = "RDATA runs past the end of the message (RFC 1035 §4.1.3)";
                return MS_ESYNTAX;
            }
            if (type == MS_DNS_CNAME && name_ieq(owner, out)) {
                size_t tpos = pos;
                st = ms__dns_wire_name(msg, len, &tpos, true, target, sizeof(target), why);
                if (st != MS_OK) {
                    return st;
                }
                if (tpos != pos + rdlen) {
                    *why = "CNAME RDATA is not exactly one domain name (RFC 1035 §3.3.1)";
                    return MS_ESYNTAX;
                }
                size_t tlen = strlen(target);
                if (tlen + 1 > outlen) {
                    return MS_ELIMIT;
                }
                memcpy(out, target, tlen + 1);
                moved = true;
            }
            pos += rdlen;
        }
        if (!moved) {
            return MS_OK;
        }
    }
    return MS_OK; /* a loop: the name reached last stands */
}
