/* SPDX-License-Identifier: MIT */
/* ms_report_unpack: finds the report payloads in what arrived at a rua=/ruf= address. Types
 * come from magic bytes only (RPT-07). gzip (RFC 1952) is inflated with zlib as a stream that
 * stops at the bytes-produced cap (RPT-04), checks the CRC and refuses a truncated stream
 * (RPT-08); zip archives are read with libzip from memory, consistency-checked, with a cap on
 * members and on the bytes actually inflated, never recursing into a nested archive (RPT-05);
 * messages are walked as MIME (RFC 2045, 2046) to a capped depth and part count. A message
 * that is a failure report (RFC 5965 §2 multipart/report; report-type=feedback-report, or one
 * carrying a message/feedback-report part) is returned whole as an ARF payload. */
#include <stdlib.h>
#include <string.h>

#include <zip.h>
#include <zlib.h>

#include "mailseal/report.h"

#include "base/limits.h"
#include "base/str.h"
#include "report/internal.h"

typedef struct unpacker {
    ms_arena *arena;
    ms_report_error *err;
    ms_report_payload *items; /* MS_LIMIT_REPORT_PAYLOADS of them */
    size_t n;
    size_t budget; /* inflated bytes still allowed */
    size_t parts;  /* MIME parts walked */
    size_t depth;
    const char *name;
} unpacker;

static ms_status arena_fail(unpacker *u)
{
    ms_status st = ms_arena_status(u->arena);
    return ms__report_fail(u->err, st == MS_OK ? MS_ENOMEM : st, 0, "the arena is full", NULL, 0);
}

static ms_status add(unpacker *u, ms_report_payload_type type, const char *name,
                     const uint8_t *data, size_t len, bool copy)
{
    if (u->n >= MS_LIMIT_REPORT_PAYLOADS) {
        return ms__report_fail(u->err, MS_ELIMIT, 0,
                               "too many reports in one source (MS_LIMIT_REPORT_PAYLOADS)", name,
                               strlen(name));
    }
    if (copy) {
        uint8_t *c = ms_arena_alloc(u->arena, len ? len : 1);
        if (c == NULL) {
            return arena_fail(u);
        }
        memcpy(c, data, len);
        data = c;
    }
    const char *n = ms_arena_strdup(u->arena, name);
    if (n == NULL) {
        return arena_fail(u);
    }
    ms_report_payload *p = &u->items[u->n++];
    p->type = type;
    p->name = n;
    p->data = data;
    p->len = len;
    return MS_OK;
}

/* ---- gzip ------------------------------------------------------------------------------------ */

static ms_status gunzip(unpacker *u, const uint8_t *in, size_t len, const uint8_t **out,
                        size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        return ms__report_fail(u->err, MS_ENOMEM, 0, "zlib could not start", NULL, 0);
    }
    /* The trailer's ISIZE (RFC 1952 §2.3.1) is only a hint for the first allocation. */
    size_t hint = 0;
    if (len >= 18) {
        hint = (size_t)in[len - 4] | (size_t)in[len - 3] << 8 | (size_t)in[len - 2] << 16 |
               (size_t)in[len - 1] << 24;
    }
    size_t size = hint > 0 && hint < u->budget
                      ? hint + 1
                      : (len < u->budget / 4 ? len * 4 + 64 : u->budget + 1);
    if (size > (size_t)u->budget + 1) {
        size = u->budget + 1;
    }
    if (size < 64) {
        size = 64;
    }
    uint8_t *buf = malloc(size);
    if (buf == NULL) {
        inflateEnd(&zs);
        return ms__report_fail(u->err, MS_ENOMEM, 0, "out of memory", NULL, 0);
    }
    size_t have = 0, pos = 0;
    ms_status st = MS_OK;
    const char *reason = NULL;
    const char *detail = NULL;
    for (;;) {
        if (have == size) {
            if (size > u->budget) {
                st = MS_ELIMIT;
                reason = "gzip data inflates past the cap (MS_LIMIT_REPORT_INFLATED, RPT-04)";
                break;
            }
            size_t grown = size * 2 > u->budget + 1 ? u->budget + 1 : size * 2;
            uint8_t *g = realloc(buf, grown);
            if (g == NULL) {
                st = MS_ENOMEM;
                reason = "out of memory";
                break;
            }
            buf = g;
            size = grown;
        }
        size_t in_chunk = len - pos > 1u << 30 ? 1u << 30 : len - pos;
        size_t out_chunk = size - have > 1u << 30 ? 1u << 30 : size - have;
        zs.next_in = (Bytef *)(uintptr_t)(in + pos);
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = buf + have;
        zs.avail_out = (uInt)out_chunk;
        int ret = inflate(&zs, Z_NO_FLUSH);
        pos += in_chunk - zs.avail_in;
        have += out_chunk - zs.avail_out;
        if (ret == Z_STREAM_END) {
            /* RFC 1952 §2.2: members may follow one another; anything else after is ignored */
            if (len - pos >= 2 && in[pos] == 0x1f && in[pos + 1] == 0x8b) {
                if (inflateReset(&zs) != Z_OK) {
                    st = MS_ESYNTAX;
                    reason = "gzip data is corrupt (RFC 1952)";
                    break;
                }
                continue;
            }
            break;
        }
        if (ret == Z_OK) {
            continue;
        }
        if (ret == Z_BUF_ERROR && zs.avail_out == 0) {
            continue; /* the buffer grows on the next turn */
        }
        st = MS_ESYNTAX;
        if (ret == Z_BUF_ERROR) {
            reason = "gzip data is truncated (RFC 1952 §2.2, RPT-08)";
        } else {
            reason = "gzip data is corrupt or fails its CRC (RFC 1952 §2.3.1, RPT-08)";
            detail = zs.msg;
        }
        break;
    }
    inflateEnd(&zs);
    if (st != MS_OK) {
        free(buf);
        return ms__report_fail(u->err, st, pos, reason, detail, detail ? strlen(detail) : 0);
    }
    uint8_t *copy = ms_arena_alloc(u->arena, have ? have : 1);
    if (copy == NULL) {
        free(buf);
        return arena_fail(u);
    }
    memcpy(copy, buf, have);
    free(buf);
    u->budget -= have;
    *out = copy;
    *out_len = have;
    return MS_OK;
}

/* ---- what one decoded blob is ---------------------------------------------------------------- */

/* A document found inside a message part, or an archive: XML only if it looks like a report
 * (an HTML part also starts with '<'), JSON only if it has TLS-RPT's members. */
static bool looks_like(const uint8_t *d, size_t len, ms__report_magic m)
{
    size_t n = len < 8192 ? len : 8192;
    if (m == MS__MAGIC_XML) {
        if (len >= 2 && (d[0] == 0xff || d[0] == 0xfe)) {
            return true; /* UTF-16 */
        }
        /* "<feedback" or "<prefix:feedback" */
        for (size_t i = 1; i + 8 <= n; i++) {
            if (d[i] == 'f' && memcmp(d + i, "feedback", 8) == 0 &&
                (d[i - 1] == '<' || d[i - 1] == ':')) {
                return true;
            }
        }
        return false;
    }
    return ms__mem_find((const char *)d, n, "\"policies\"", 10) != NULL ||
           ms__mem_find((const char *)d, n, "\"organization-name\"", 19) != NULL;
}

static ms_status from_zip(unpacker *u, const uint8_t *data, size_t len, const char *name);

/* A blob: a document is a payload; an archive is opened when archives may be (one level). */
static ms_status blob(unpacker *u, const uint8_t *d, size_t len, const char *name, bool archives,
                      bool strict_docs, bool copy)
{
    ms__report_magic m = ms__report_magic_of(d, len);
    switch (m) {
    case MS__MAGIC_GZIP: {
        if (!archives) {
            return MS_OK; /* no recursion into a nested archive (RPT-05) */
        }
        const uint8_t *in = NULL;
        size_t in_len = 0;
        ms_status st = gunzip(u, d, len, &in, &in_len);
        if (st != MS_OK) {
            return st;
        }
        return blob(u, in, in_len, name, false, false, false);
    }
    case MS__MAGIC_ZIP:
        return archives ? from_zip(u, d, len, name) : MS_OK;
    case MS__MAGIC_XML:
    case MS__MAGIC_JSON:
        if (strict_docs && !looks_like(d, len, m)) {
            return MS_OK;
        }
        return add(u, m == MS__MAGIC_XML ? MS_REPORT_PAYLOAD_XML : MS_REPORT_PAYLOAD_JSON, name, d,
                   len, copy);
    default:
        return MS_OK;
    }
}

/* ---- zip ------------------------------------------------------------------------------------ */

static ms_status from_zip(unpacker *u, const uint8_t *data, size_t len, const char *name)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (src == NULL) {
        zip_error_fini(&ze);
        return ms__report_fail(u->err, MS_ENOMEM, 0, "libzip could not start", NULL, 0);
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (z == NULL) {
        const char *why = zip_error_strerror(&ze);
        ms_status st = ms__report_fail(u->err, MS_ESYNTAX, 0,
                                       "not a readable zip archive (APPNOTE 4.3, RPT-05)", why,
                                       why != NULL ? strlen(why) : 0);
        zip_source_free(src);
        zip_error_fini(&ze);
        return st;
    }
    zip_error_fini(&ze);
    ms_status st = MS_OK;
    zip_int64_t n = zip_get_num_entries(z, 0);
    if (n < 0 || (zip_uint64_t)n > MS_LIMIT_REPORT_ZIP_MEMBERS) {
        st = ms__report_fail(u->err, MS_ELIMIT, 0,
                             "a zip archive with too many members (MS_LIMIT_REPORT_ZIP_MEMBERS, "
                             "RPT-05)",
                             name, strlen(name));
        zip_discard(z);
        return st;
    }
    uint8_t *buf = NULL;
    for (zip_uint64_t i = 0; i < (zip_uint64_t)n && st == MS_OK; i++) {
        zip_stat_t zst;
        zip_stat_init(&zst);
        if (zip_stat_index(z, i, 0, &zst) != 0) {
            st = ms__report_fail(u->err, MS_ESYNTAX, 0, "a zip member cannot be read", name,
                                 strlen(name));
            break;
        }
        const char *mname = (zst.valid & ZIP_STAT_NAME) && zst.name != NULL ? zst.name : "";
        size_t mlen = strlen(mname);
        if ((mlen > 0 && mname[mlen - 1] == '/') || strncmp(mname, "__MACOSX/", 9) == 0) {
            continue; /* folders, macOS resource forks */
        }
        zip_file_t *zf = zip_fopen_index(z, i, 0);
        if (zf == NULL) {
            st = ms__report_fail(u->err, MS_ESYNTAX, 0,
                                 "a zip member cannot be opened (encrypted or unsupported "
                                 "method)",
                                 mname, mlen);
            break;
        }
        /* Sizes are what inflating produces, never what the directory declares (RPT-05). */
        size_t size = 64 * 1024, have = 0;
        buf = malloc(size);
        if (buf == NULL) {
            zip_fclose(zf);
            st = ms__report_fail(u->err, MS_ENOMEM, 0, "out of memory", NULL, 0);
            break;
        }
        for (;;) {
            if (have == size) {
                if (size > u->budget) {
                    st = ms__report_fail(u->err, MS_ELIMIT, 0,
                                         "a zip member inflates past the cap "
                                         "(MS_LIMIT_REPORT_INFLATED, RPT-05)",
                                         mname, mlen);
                    break;
                }
                size_t grown = size * 2 > u->budget + 1 ? u->budget + 1 : size * 2;
                uint8_t *g = realloc(buf, grown);
                if (g == NULL) {
                    st = ms__report_fail(u->err, MS_ENOMEM, 0, "out of memory", NULL, 0);
                    break;
                }
                buf = g;
                size = grown;
            }
            zip_int64_t got = zip_fread(zf, buf + have, size - have);
            if (got < 0) {
                st = ms__report_fail(u->err, MS_ESYNTAX, 0,
                                     "a zip member is corrupt or fails its CRC (RPT-08)", mname,
                                     mlen);
                break;
            }
            if (got == 0) {
                break;
            }
            have += (size_t)got;
        }
        zip_fclose(zf);
        if (st == MS_OK) {
            if (have > u->budget) {
                st = ms__report_fail(u->err, MS_ELIMIT, 0,
                                     "a zip member inflates past the cap "
                                     "(MS_LIMIT_REPORT_INFLATED, RPT-05)",
                                     mname, mlen);
            } else {
                u->budget -= have;
                st = blob(u, buf, have, mname, false, false, true);
            }
        }
        free(buf);
        buf = NULL;
    }
    zip_discard(z);
    return st;
}

/* ---- messages -------------------------------------------------------------------------------- */

typedef struct walk {
    unpacker *u;
    bool saw_feedback; /* a message/feedback-report part */
    bool part_failed;  /* a part's own error (already in err) */
} walk;

static ms_status entity(walk *w, const char *p, size_t len);

static ms_status part_fn(void *user, const char *part, size_t len)
{
    walk *w = user;
    w->u->depth++;
    ms_status st = entity(w, part, len);
    w->u->depth--;
    w->part_failed = st != MS_OK;
    return st;
}

static ms_status entity(walk *w, const char *p, size_t len)
{
    unpacker *u = w->u;
    if (u->depth > MS_LIMIT_REPORT_MIME_DEPTH) {
        return ms__report_fail(u->err, MS_ELIMIT, 0,
                               "MIME parts are nested too deeply (MS_LIMIT_REPORT_MIME_DEPTH)",
                               NULL, 0);
    }
    if (++u->parts > MS_LIMIT_REPORT_MIME_PARTS) {
        return ms__report_fail(u->err, MS_ELIMIT, 0,
                               "a message with too many MIME parts (MS_LIMIT_REPORT_MIME_PARTS)",
                               NULL, 0);
    }
    ms__mime_entity e;
    ms__mime_split(p, len, &e);
    if (e.header_len > MS_LIMIT_REPORT_MIME_HEADER) {
        return ms__report_fail(u->err, MS_ELIMIT, 0,
                               "a MIME header block is over the cap (MS_LIMIT_REPORT_MIME_HEADER)",
                               NULL, 0);
    }
    char ctype[512], type[128], cte[64], name[256];
    ms__mime_header(e.header, e.header_len, "Content-Type", ctype, sizeof(ctype));
    ms__mime_type(ctype, type, sizeof(type));
    if (type[0] == '\0') {
        memcpy(type, "text/plain", sizeof("text/plain")); /* RFC 2045 §5.2 */
    }
    if (strncmp(type, "multipart/", 10) == 0) {
        char boundary[256];
        if (!ms__mime_param(ctype, "boundary", boundary, sizeof(boundary)) || boundary[0] == '\0') {
            return MS_OK; /* RFC 2046 §5.1.1 requires one: nothing to walk */
        }
        ms_status st =
            ms__mime_parts(e.body, e.body_len, boundary, MS_LIMIT_REPORT_MIME_PARTS, part_fn, w);
        if (st == MS_ELIMIT && !w->part_failed) {
            return ms__report_fail(
                u->err, MS_ELIMIT, 0,
                "a message with too many MIME parts (MS_LIMIT_REPORT_MIME_PARTS)", NULL, 0);
        }
        return st;
    }
    if (strcmp(type, "message/feedback-report") == 0) {
        w->saw_feedback = true;
        return MS_OK;
    }
    if (strcmp(type, "message/rfc822") == 0 || strcmp(type, "text/rfc822-headers") == 0) {
        /* the original message of a failure report, or a forwarded report: a forwarded
         * failure report is found by the caller's own check */
        if (strcmp(type, "text/rfc822-headers") == 0) {
            return MS_OK;
        }
        u->depth++;
        walk inner = {u, false, false};
        size_t before = u->n;
        ms_status st = entity(&inner, e.body, e.body_len);
        u->depth--;
        if (st == MS_OK && inner.saw_feedback) {
            u->n = before; /* a forwarded failure report: returned whole */
            st = add(u, MS_REPORT_PAYLOAD_ARF, "", (const uint8_t *)e.body, e.body_len, true);
        }
        return st;
    }
    name[0] = '\0';
    char disp[512];
    if (ms__mime_header(e.header, e.header_len, "Content-Disposition", disp, sizeof(disp))) {
        ms__mime_param(disp, "filename", name, sizeof(name));
    }
    if (name[0] == '\0') {
        ms__mime_param(ctype, "name", name, sizeof(name));
    }
    ms__mime_header(e.header, e.header_len, "Content-Transfer-Encoding", cte, sizeof(cte));
    const uint8_t *d;
    size_t dlen;
    size_t cap = MS_LIMIT_REPORT_XML;
    ms_status st = ms__mime_decode(e.body, e.body_len, cte, cap, u->arena, &d, &dlen);
    if (st == MS_ELIMIT) {
        return ms__report_fail(u->err, MS_ELIMIT, 0,
                               "a MIME part decodes past the cap (MS_LIMIT_REPORT_XML)", name,
                               strlen(name));
    }
    if (st != MS_OK) {
        return arena_fail(u);
    }
    return blob(u, d, dlen, name, true, true, true);
}

/* Is this message itself a failure report (RFC 5965 §2: multipart/report with
 * report-type=feedback-report; a multipart/report without report-type is read the same way,
 * as some MTAs send those)? */
static bool is_feedback_message(const char *p, size_t len, bool *any_report)
{
    ms__mime_entity e;
    ms__mime_split(p, len, &e);
    char ctype[512], type[128], rtype[64];
    ms__mime_header(e.header, e.header_len, "Content-Type", ctype, sizeof(ctype));
    ms__mime_type(ctype, type, sizeof(type));
    *any_report = false;
    if (strcmp(type, "multipart/report") != 0) {
        return false;
    }
    if (!ms__mime_param(ctype, "report-type", rtype, sizeof(rtype))) {
        *any_report = true;
        return false;
    }
    return ms__str_ieq(rtype, strlen(rtype), "feedback-report", 15);
}

static ms_status from_message(unpacker *u, const uint8_t *data, size_t len)
{
    const char *p = (const char *)data;
    bool untyped_report = false;
    if (is_feedback_message(p, len, &untyped_report)) {
        return add(u, MS_REPORT_PAYLOAD_ARF, "", data, len, true);
    }
    walk w = {u, false, false};
    size_t before = u->n;
    ms_status st = entity(&w, p, len);
    if (st != MS_OK) {
        return st;
    }
    if (w.saw_feedback || (untyped_report && u->n == before)) {
        u->n = before;
        return add(u, MS_REPORT_PAYLOAD_ARF, "", data, len, true);
    }
    return MS_OK;
}

ms_status ms_report_unpack(const uint8_t *data, size_t len, ms_arena *arena,
                           const ms_report_payload **out, size_t *n_out, ms_report_error *err)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (n_out != NULL) {
        *n_out = 0;
    }
    if ((data == NULL && len > 0) || arena == NULL || out == NULL || n_out == NULL) {
        return ms__report_fail(err, MS_EINVAL, 0, "invalid argument", NULL, 0);
    }
    if (len == 0) {
        return ms__report_fail(err, MS_ESYNTAX, 0, "the source is empty", NULL, 0);
    }
    unpacker u;
    memset(&u, 0, sizeof(u));
    u.arena = arena;
    u.err = err;
    u.budget = MS_LIMIT_REPORT_INFLATED;
    u.items = ms_arena_alloc(arena, MS_LIMIT_REPORT_PAYLOADS * sizeof(*u.items));
    if (u.items == NULL) {
        return arena_fail(&u);
    }
    ms_status st;
    ms__report_magic m = ms__report_magic_of(data, len);
    switch (m) {
    case MS__MAGIC_GZIP:
    case MS__MAGIC_ZIP:
    case MS__MAGIC_XML:
    case MS__MAGIC_JSON:
        if ((m == MS__MAGIC_XML || m == MS__MAGIC_JSON) && len > MS_LIMIT_REPORT_XML) {
            return ms__report_fail(err, MS_ELIMIT, 0,
                                   "the document is larger than the cap (MS_LIMIT_REPORT_XML)",
                                   NULL, 0);
        }
        st = blob(&u, data, len, "", true, false, true);
        break;
    case MS__MAGIC_MESSAGE:
        st = from_message(&u, data, len);
        break;
    default:
        return ms__report_fail(err, MS_ESYNTAX, 0,
                               "not a report: no XML, JSON, gzip, zip or mail message found "
                               "(typed by magic bytes, RPT-07)",
                               (const char *)data, len < 16 ? len : 16);
    }
    if (st != MS_OK) {
        return st;
    }
    if (u.n == 0) {
        return ms__report_fail(err, MS_ESYNTAX, 0,
                               "no report found (archives nested in archives are not opened, "
                               "RPT-05)",
                               NULL, 0);
    }
    *out = u.items;
    *n_out = u.n;
    return MS_OK;
}
