/* SPDX-License-Identifier: MIT */
/* Reports from an IMAP mailbox (RFC 9051 / 3501) over TLS, through libcurl:
 *   STATUS mailbox (UIDVALIDITY)                 the key's UIDVALIDITY (RFC 9051 §2.3.1.1)
 *   UID SEARCH UNKEYWORD $MailsealIngested       what is not done yet
 *   UID FETCH u BODY[]                           one message (libcurl's ;UID=u)
 *   store it (or keep it aside) with key imap://host/mailbox;UIDVALIDITY=v;UID=u
 *   UID STORE u +FLAGS.SILENT ($MailsealIngested) marked only after the store committed
 * A server that takes no keywords gets \Seen instead (searched as UNSEEN). The server's
 * certificate is always verified (the system's CAs, or --cacert); there is no way around it. */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "ingest/internal.h"

#define MS__IMAP_FLAG "$MailsealIngested"

typedef struct {
    uint8_t *data;
    size_t len, cap;
    bool too_big;
} imap_buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *user)
{
    imap_buf *b = user;
    size_t n = size * nmemb;
    if (b->too_big || n > MS_LIMIT_INGEST_SOURCE - b->len) {
        b->too_big = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            return 0;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = 0;
    return n;
}

typedef struct {
    ms__ingest_run *run;
    CURL *curl;
    char *base;    /* imaps://host[:port]/ (no user) */
    char *host;    /* host[:port], for keys */
    char *mailbox; /* as written in the URL path (percent-encoded) */
    char *mailbox_decoded;
    char curl_err[CURL_ERROR_SIZE];
    imap_buf buf;
} imap_ctx;

/* One request: url, an optional custom command; the answer's body in c->buf. */
static ms_status imap_do(imap_ctx *c, const char *url, const char *custom)
{
    c->buf.len = 0;
    c->buf.too_big = false;
    c->curl_err[0] = '\0';
    (void)curl_easy_setopt(c->curl, CURLOPT_URL, url);
    (void)curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, custom);
    CURLcode rc = curl_easy_perform(c->curl);
    if (rc != CURLE_OK) {
        ms__ingest_err(c->run, "imap: %s%s%s: %s", custom ? custom : url, c->buf.too_big ? " " : "",
                       c->buf.too_big ? "(message over the size cap)" : "",
                       c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
        return c->buf.too_big ? MS_ELIMIT : MS_EIO;
    }
    return MS_OK;
}

/* The decimal number after word in the answer ("UIDVALIDITY 123"). */
static bool number_after(const imap_buf *b, const char *word, uint64_t *out)
{
    if (!b->data) {
        return false;
    }
    const char *p = strstr((const char *)b->data, word);
    if (!p) {
        return false;
    }
    p += strlen(word);
    while (*p == ' ') {
        p++;
    }
    char *end = NULL;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

/* The UIDs of "* SEARCH 1 2 3" lines (RFC 9051 §7.3.4 / RFC 3501 §7.2.5), ascending. */
static size_t parse_search(const imap_buf *b, uint64_t *uids, size_t cap)
{
    size_t n = 0;
    const char *p = b->data ? (const char *)b->data : "";
    while ((p = strstr(p, "* SEARCH")) != NULL) {
        p += 8;
        while (*p && *p != '\r' && *p != '\n') {
            while (*p == ' ') {
                p++;
            }
            char *end = NULL;
            unsigned long long v = strtoull(p, &end, 10);
            if (end == p) {
                break;
            }
            if (n < cap) {
                uids[n++] = (uint64_t)v;
            }
            p = end;
        }
    }
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Splits imaps://[user@]host[:port]/mailbox into the context. */
static ms_status parse_url(imap_ctx *c, const char *url)
{
    const char *rest = url + 8; /* after imaps:// */
    const char *slash = strchr(rest, '/');
    if (!slash || !slash[1]) {
        ms__ingest_err(c->run, "%s: name the mailbox (imaps://user@host/INBOX)", url);
        return MS_EINVAL;
    }
    const char *at = memchr(rest, '@', (size_t)(slash - rest));
    const char *hoststart = rest;
    if (at) {
        char *user = curl_easy_unescape(c->curl, rest, (int)(at - rest), NULL);
        if (!user) {
            return MS_ENOMEM;
        }
        (void)curl_easy_setopt(c->curl, CURLOPT_USERNAME, user);
        curl_free(user);
        hoststart = at + 1;
    }
    if (strchr(slash + 1, ';') || strchr(slash + 1, '?')) {
        ms__ingest_err(c->run, "%s: only imaps://user@host[:port]/MAILBOX is understood", url);
        return MS_EINVAL;
    }
    size_t hlen = (size_t)(slash - hoststart);
    c->host = strndup(hoststart, hlen);
    c->mailbox = strdup(slash + 1);
    size_t mlen = strlen(c->mailbox);
    while (mlen > 0 && c->mailbox[mlen - 1] == '/') {
        c->mailbox[--mlen] = '\0';
    }
    size_t blen = hlen + 16;
    c->base = malloc(blen);
    if (!c->host || !c->mailbox || !c->base) {
        return MS_ENOMEM;
    }
    (void)snprintf(c->base, blen, "imaps://%s/", c->host);
    c->mailbox_decoded = curl_easy_unescape(c->curl, c->mailbox, 0, NULL);
    if (!c->mailbox_decoded) {
        return MS_ENOMEM;
    }
    for (const char *p = c->mailbox_decoded; *p; p++) {
        if (*p == '"' || *p == '\\' || *p == '\r' || *p == '\n') {
            ms__ingest_err(c->run, "%s: a mailbox name with quotes or line breaks", url);
            return MS_EINVAL;
        }
    }
    return MS_OK;
}

static ms_status imap_run(imap_ctx *c, const char *url)
{
    ms__ingest_run *run = c->run;
    ms_status st = parse_url(c, url);
    if (st != MS_OK) {
        return st;
    }
    const ms_ingest_options *opt = run->opt;
    CURL *h = c->curl;
    (void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imaps");
    (void)curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    (void)curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (opt && opt->cacert) {
        (void)curl_easy_setopt(h, CURLOPT_CAINFO, opt->cacert);
    }
    if (opt && opt->imap_password) {
        (void)curl_easy_setopt(h, CURLOPT_PASSWORD, opt->imap_password);
    }
    (void)curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
    (void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    (void)curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->buf);
    (void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    (void)curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    (void)curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 120L);
    (void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);

    size_t ulen = strlen(c->base) + strlen(c->mailbox) + 96;
    size_t clen = strlen(c->mailbox_decoded) + 96;
    char *u = malloc(ulen), *cmd = malloc(clen), *key = malloc(ulen), *item = malloc(ulen);
    uint64_t *uids = calloc(MS_LIMIT_INGEST_IMAP_UIDS, sizeof *uids);
    if (!u || !cmd || !key || !item || !uids) {
        st = MS_ENOMEM;
        goto done;
    }
    /* UIDVALIDITY: with the UID, what names a message for good (RFC 9051 §2.3.1.1). */
    (void)snprintf(cmd, clen, "STATUS \"%s\" (UIDVALIDITY)", c->mailbox_decoded);
    st = imap_do(c, c->base, cmd);
    uint64_t validity = 0;
    if (st == MS_OK && !number_after(&c->buf, "UIDVALIDITY", &validity)) {
        ms__ingest_err(run, "imap: %s: the server gave no UIDVALIDITY", url);
        st = MS_EIO;
    }
    if (st != MS_OK) {
        goto done;
    }
    (void)snprintf(u, ulen, "%s%s", c->base, c->mailbox);
    bool keywords = true;
    st = imap_do(c, u, "UID SEARCH UNKEYWORD " MS__IMAP_FLAG);
    if (st != MS_OK) {
        keywords = false;
        st = imap_do(c, u, "UID SEARCH UNSEEN");
    }
    if (st != MS_OK) {
        goto done;
    }
    size_t n = parse_search(&c->buf, uids, MS_LIMIT_INGEST_IMAP_UIDS);
    qsort(uids, n, sizeof *uids, cmp_u64);
    for (size_t k = 0; st == MS_OK && k < n; k++) {
        (void)snprintf(key, ulen, "imap://%s/%s;UIDVALIDITY=%" PRIu64 ";UID=%" PRIu64, c->host,
                       c->mailbox, validity, uids[k]);
        (void)snprintf(item, ulen, "%s%s;UID=%" PRIu64, c->base, c->mailbox, uids[k]);
        bool seen = false;
        st = ms__ingest_seen(run, key, &seen);
        if (st != MS_OK) {
            break;
        }
        if (seen) {
            ms__ingest_report_seen(run, item, key);
        } else {
            /* ;UIDVALIDITY= makes libcurl refuse a mailbox that changed under us. */
            (void)snprintf(u, ulen, "%s%s;UIDVALIDITY=%" PRIu64 "/;UID=%" PRIu64, c->base,
                           c->mailbox, validity, uids[k]);
            st = imap_do(c, u, NULL);
            if (st == MS_ELIMIT) {
                ms_ingest_event ev;
                memset(&ev, 0, sizeof ev);
                ev.item = item;
                ev.source_key = key;
                ev.outcome = MS_INGEST_KEPT_ASIDE;
                (void)snprintf(ev.reason, sizeof ev.reason, "larger than %u bytes",
                               MS_LIMIT_INGEST_SOURCE);
                st = ms_store_kept_aside_add(run->store, key, ev.reason, c->buf.data, c->buf.len);
                if (st == MS_OK) {
                    ms__ingest_report(run, &ev);
                } else {
                    ms__ingest_err(run, "store: cannot keep %s aside", key);
                    st = MS_EIO;
                }
            } else if (st == MS_OK) {
                st = ms__ingest_data(run, item, key, c->buf.data ? c->buf.data : (uint8_t *)"",
                                     c->buf.len);
            }
        }
        if (st == MS_OK) {
            (void)snprintf(u, ulen, "%s%s", c->base, c->mailbox);
            (void)snprintf(cmd, clen, "UID STORE %" PRIu64 " +FLAGS.SILENT (%s)", uids[k],
                           keywords ? MS__IMAP_FLAG : "\\Seen");
            st = imap_do(c, u, cmd);
        }
    }
done:
    free(u);
    free(cmd);
    free(key);
    free(item);
    free(uids);
    return st;
}

ms_status ms__ingest_imap(ms__ingest_run *run, const char *url)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ms__ingest_err(run, "imap: libcurl cannot start");
        return MS_EIO;
    }
    imap_ctx c;
    memset(&c, 0, sizeof c);
    c.run = run;
    c.curl = curl_easy_init();
    ms_status st = c.curl ? imap_run(&c, url) : MS_ENOMEM;
    if (c.curl) {
        curl_easy_cleanup(c.curl);
    }
    free(c.base);
    free(c.host);
    free(c.mailbox);
    curl_free(c.mailbox_decoded);
    free(c.buf.data);
    curl_global_cleanup();
    return st;
}
