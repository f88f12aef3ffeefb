/* SPDX-License-Identifier: MIT */
/* Client addresses, CIDR matching and the %{i} / %{c} forms (RFC 7208 §5.6, §7.3). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "spf/ip.h"

bool ms__spf_ip_parse(const char *text, ms__spf_ip *out)
{
    memset(out, 0, sizeof(*out));
    if (text == NULL) {
        return false;
    }
    if (inet_pton(AF_INET, text, out->addr) == 1) {
        out->family = 4;
        return true;
    }
    uint8_t v6[16];
    if (inet_pton(AF_INET6, text, v6) != 1) {
        return false;
    }
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(v6, mapped, sizeof(mapped)) == 0) {
        out->family = 4;
        memcpy(out->addr, v6 + 12, 4);
        return true;
    }
    out->family = 6;
    memcpy(out->addr, v6, 16);
    return true;
}

bool ms__spf_ip4_parse(const char *s, size_t len, uint8_t out[4])
{
    size_t pos = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (pos >= len || s[pos] != '.') {
                return false;
            }
            pos++;
        }
        size_t start = pos;
        unsigned v = 0;
        while (pos < len && ms__is_digit(s[pos]) && pos - start < 3) {
            v = v * 10 + (unsigned)(s[pos] - '0');
            pos++;
        }
        size_t digits = pos - start;
        if (digits == 0 || v > 255 || (digits > 1 && s[start] == '0')) {
            return false;
        }
        out[part] = (uint8_t)v;
    }
    return pos == len;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
    unsigned whole = prefix / 8, rest = prefix % 8;
    if (memcmp(a, b, whole) != 0) {
        return false;
    }
    if (rest == 0) {
        return true;
    }
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

bool ms__spf_ip_match(const ms__spf_ip *ip, const uint8_t *net, unsigned prefix)
{
    unsigned max = ip->family == 4 ? 32u : 128u;
    if (prefix > max) {
        return false;
    }
    return prefix_equal(ip->addr, net, prefix);
}

bool ms__spf_ip_in(const ms__spf_ip *ip, int family, const uint8_t *addr, unsigned prefix)
{
    return ip->family == family && ms__spf_ip_match(ip, addr, prefix);
}

void ms__spf_ip_macro_i(const ms__spf_ip *ip, char *buf, size_t buflen)
{
    if (ip->family == 4) {
        snprintf(buf, buflen, "%u.%u.%u.%u", ip->addr[0], ip->addr[1], ip->addr[2], ip->addr[3]);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    size_t pos = 0;
    for (size_t i = 0; i < 16 && pos + 4 < buflen; i++) {
        if (i) {
            buf[pos++] = '.';
        }
        buf[pos++] = hex[ip->addr[i] >> 4];
        buf[pos++] = '.';
        buf[pos++] = hex[ip->addr[i] & 0xf];
    }
    buf[pos] = '\0';
}

void ms__spf_ip_text(const ms__spf_ip *ip, char *buf, size_t buflen)
{
    if (inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->addr, buf, (socklen_t)buflen) == NULL) {
        if (buflen) {
            buf[0] = '\0';
        }
    }
}
