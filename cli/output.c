/* SPDX-License-Identifier: MIT */
/* Output helpers: JSON (RFC 8259) and the explain trace in words. */
#include <string.h>

#include "cli.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629), 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned cp;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0; /* overlong or surrogate */
    }
    return n;
}

void cli_json_str(FILE *f, const char *s)
{
    if (s == NULL) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            /* Valid UTF-8 passes through; control bytes and bytes that are not UTF-8 (DNS data
             * need not be) are escaped, the latter as the Latin-1 code point, so the output is
             * always valid JSON. */
            if (c >= 0x80) {
                size_t n = utf8_len((const unsigned char *)s);
                if (n) {
                    fwrite(s, 1, n, f);
                    s += n - 1;
                } else {
                    fprintf(f, "\\u%04x", c);
                }
            } else if (c < 0x20 || c == 0x7f) {
                fprintf(f, "\\u%04x", c);
            } else {
                fputc(c, f);
            }
        }
    }
    fputc('"', f);
}

void cli_json_kv_str(FILE *f, const char *key, const char *value, bool comma)
{
    fprintf(f, "%s\"%s\":", comma ? "," : "", key);
    cli_json_str(f, value);
}

void cli_json_kv_uint(FILE *f, const char *key, unsigned long value, bool comma)
{
    fprintf(f, "%s\"%s\":%lu", comma ? "," : "", key, value);
}

void cli_json_trace(FILE *f, const ms_trace *trace)
{
    fputc('[', f);
    for (size_t i = 0; i < ms_trace_count(trace); i++) {
        const ms_trace_step *s = ms_trace_at(trace, i);
        fprintf(f, "%s{", i ? "," : "");
        cli_json_kv_str(f, "step", ms_trace_kind_name(s->kind), false);
        cli_json_kv_uint(f, "depth", s->depth, true);
        cli_json_kv_str(f, "text", s->text, true);
        if (s->rfc) {
            cli_json_kv_str(f, "rfc", s->rfc, true);
        }
        cli_json_kv_uint(f, "dns_lookups", s->n_lookups, true);
        cli_json_kv_uint(f, "void_lookups", s->n_void, true);
        fputc('}', f);
    }
    fputc(']', f);
}

void cli_print_trace(FILE *f, const ms_trace *trace)
{
    for (size_t i = 0; i < ms_trace_count(trace); i++) {
        const ms_trace_step *s = ms_trace_at(trace, i);
        fprintf(f, "%*s%-7s %s", (int)(2 + 2 * s->depth), "", ms_trace_kind_name(s->kind), s->text);
        if (s->kind == MS_TRACE_TERM) {
            fprintf(f, "  [lookups %u/10, void %u/2]", s->n_lookups, s->n_void);
        }
        if (s->rfc) {
            fprintf(f, "  (%s)", s->rfc);
        }
        fputc('\n', f);
    }
}
