/* SPDX-License-Identifier: MIT */
/* The client address as SPF sees it: IPv4, IPv6, or IPv4-mapped IPv6 taken as IPv4
 * (RFC 7208 §5: "<ip> ... an IPv4-mapped IPv6 address ... is IPv4"). */
#ifndef MS_SPF_IP_H
#define MS_SPF_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ms__spf_ip {
    int family;       /* 4 or 6 */
    uint8_t addr[16]; /* 4 bytes used for IPv4 */
} ms__spf_ip;

/* Parse client-ip text (NUL-terminated, from the caller). false if it is not an address. */
bool ms__spf_ip_parse(const char *text, ms__spf_ip *out);
/* Strict RFC 7208 §12 ip4-network: four qnum without leading zeros, from (ptr, len). */
bool ms__spf_ip4_parse(const char *s, size_t len, uint8_t out[4]);
/* Is ip inside addr/prefix (same family; prefix in bits)? */
bool ms__spf_ip_match(const ms__spf_ip *ip, const uint8_t *net, unsigned prefix);
/* Does an A/AAAA record's address equal ip within prefix? */
bool ms__spf_ip_in(const ms__spf_ip *ip, int family, const uint8_t *addr, unsigned prefix);
/* %{i}: dotted decimal, or 32 dot-separated nibbles for IPv6 (RFC 7208 §7.3). */
void ms__spf_ip_macro_i(const ms__spf_ip *ip, char *buf, size_t buflen);
/* %{c} and client-ip=: dotted decimal or RFC 5952 text. */
void ms__spf_ip_text(const ms__spf_ip *ip, char *buf, size_t buflen);

#endif
