/* SPDX-License-Identifier: MIT */
/* Loss-free report ingestion: files, directories, Maildir folders and mbox files (IMAP is in
 * imap.c). The order for every item is: is its key recorded? (then only finish marking it) ->
 * read it -> parse it -> store its reports with its key in one transaction, or keep it aside
 * with the reason -> mark it done (Maildir: new/ -> cur/ with the Seen flag). A crash between
 * any two steps leaves the item to be read again, and reading it again stores nothing twice. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "mailseal/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "crypto/digest.h"
#include "ingest/internal.h"
#include "mailseal/arena.h"
#include "mailseal/report.h"

void ms__ingest_err(ms__ingest_run *run, const char *fmt, ...)
{
    if (run->errlen == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(run->err, run->errlen, fmt, ap);
    va_end(ap);
}

ms_status ms__ingest_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
    uint8_t d[32];
    ms_status st = ms__crypto_digest_once(MS__HASH_SHA256, data, len, d, sizeof d);
    if (st != MS_OK) {
        out[0] = '\0';
        return st;
    }
    static const char digits[] = "0123456789abcdef";
    for (size_t k = 0; k < sizeof d; k++) {
        out[2 * k] = digits[d[k] >> 4];
        out[2 * k + 1] = digits[d[k] & 15];
    }
    out[64] = '\0';
    return MS_OK;
}

void ms__ingest_report(ms__ingest_run *run, const ms_ingest_event *ev)
{
    ms_ingest_stats *s = run->stats;
    s->items++;
    switch (ev->outcome) {
    case MS_INGEST_STORED:
        s->stored++;
        break;
    case MS_INGEST_DUPLICATE:
        s->duplicate++;
        break;
    case MS_INGEST_SEEN:
        s->seen++;
        break;
    default:
        s->kept_aside++;
        break;
    }
    s->reports_added += ev->n_added;
    s->reports_duplicate += ev->n_duplicate;
    if (run->opt && run->opt->on_item) {
        run->opt->on_item(run->opt->user, ev);
    }
}

ms_status ms__ingest_seen(ms__ingest_run *run, const char *key, bool *seen)
{
    ms_status st = ms_store_source_seen(run->store, key, seen);
    if (st != MS_OK) {
        char e[256];
        ms_store_last_error(run->store, e, sizeof e);
        ms__ingest_err(run, "store: %s", e[0] ? e : ms_status_str(st));
        return MS_EIO;
    }
    return MS_OK;
}

void ms__ingest_report_seen(ms__ingest_run *run, const char *item, const char *key)
{
    ms_ingest_event ev;
    memset(&ev, 0, sizeof ev);
    ev.item = item;
    ev.source_key = key;
    ev.outcome = MS_INGEST_SEEN;
    ms__ingest_report(run, &ev);
}

/* Keeps the item aside; ev->reason already says why. */
static ms_status keep_aside(ms__ingest_run *run, const char *key, const uint8_t *data, size_t len,
                            ms_ingest_event *ev)
{
    ev->outcome = MS_INGEST_KEPT_ASIDE;
    ms_status st = ms_store_kept_aside_add(run->store, key, ev->reason, data, len);
    if (st != MS_OK) {
        char e[256];
        ms_store_last_error(run->store, e, sizeof e);
        ms__ingest_err(run, "store: cannot keep %s aside: %s", key ? key : "an item",
                       e[0] ? e : ms_status_str(st));
        return MS_EIO;
    }
    return MS_OK;
}

/* Keeps an item larger than MS_LIMIT_INGEST_SOURCE aside and reports it. */
static ms_status keep_too_big(ms__ingest_run *run, const char *item, const char *key,
                              const uint8_t *data, size_t len)
{
    ms_ingest_event ev;
    memset(&ev, 0, sizeof ev);
    ev.item = item;
    ev.source_key = key;
    (void)snprintf(ev.reason, sizeof ev.reason, "larger than %u bytes", MS_LIMIT_INGEST_SOURCE);
    ms_status st = keep_aside(run, key, data, len, &ev);
    if (st == MS_OK) {
        ms__ingest_report(run, &ev);
    }
    return st;
}

static ms_status ingest_item(ms__ingest_run *run, const char *key, const uint8_t *data, size_t len,
                             ms_ingest_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->source_key = key;
    ms_arena *arena = NULL;
    ms_status st = ms_arena_new(NULL, 0, &arena);
    if (st != MS_OK) {
        ms__ingest_err(run, "out of memory");
        return st;
    }
    const ms_report *reports = NULL;
    size_t n = 0;
    ms_report_error rerr;
    memset(&rerr, 0, sizeof rerr);
    st = ms_report_read(data, len, arena, &reports, &n, &rerr);
    if (st != MS_OK || n == 0) {
        (void)snprintf(ev->reason, sizeof ev->reason, "%s%s%s (byte %zu)",
                       rerr.reason   ? rerr.reason
                       : st == MS_OK ? "no report found"
                                     : ms_status_str(st),
                       rerr.detail[0] ? ": " : "", rerr.detail, rerr.offset);
        ms_arena_free(arena);
        return keep_aside(run, key, data, len, ev);
    }
    ms_store_add_result *res = ms_arena_alloc(arena, n * sizeof *res);
    if (!res) {
        ms_arena_free(arena);
        ms__ingest_err(run, "out of memory");
        return MS_ENOMEM;
    }
    st = ms_store_reports_add(run->store, key, reports, n, res);
    if (st == MS_ELIMIT || st == MS_EINVAL) {
        /* A report the store cannot hold (a field over its cap, text that is not UTF-8) is
         * as unreadable as one that did not parse. */
        char e[256];
        ms_store_last_error(run->store, e, sizeof e);
        (void)snprintf(ev->reason, sizeof ev->reason, "cannot be stored: %s", e);
        ms_arena_free(arena);
        return keep_aside(run, key, data, len, ev);
    }
    if (st != MS_OK) {
        char e[256];
        ms_store_last_error(run->store, e, sizeof e);
        ms__ingest_err(run, "store: %s", e[0] ? e : ms_status_str(st));
        ms_arena_free(arena);
        return MS_EIO;
    }
    bool seen = n > 0 && res[0] == MS_STORE_SEEN;
    for (size_t k = 0; k < n; k++) {
        ev->n_added += res[k] == MS_STORE_ADDED;
        ev->n_duplicate += res[k] == MS_STORE_DUPLICATE;
    }
    ev->outcome = seen ? MS_INGEST_SEEN : ev->n_added > 0 ? MS_INGEST_STORED : MS_INGEST_DUPLICATE;
    ms_arena_free(arena);
    return MS_OK;
}

ms_status ms__ingest_data(ms__ingest_run *run, const char *item, const char *key,
                          const uint8_t *data, size_t len)
{
    ms_ingest_event ev;
    ms_status st = ingest_item(run, key, data, len, &ev);
    if (st == MS_OK) {
        ev.item = item;
        ms__ingest_report(run, &ev);
    }
    return st;
}

ms_status ms_ingest_item(ms_store *store, const char *source_key, const uint8_t *data, size_t len,
                         ms_ingest_event *event, char *err, size_t errlen)
{
    if (!store || !event || (len > 0 && !data)) {
        return MS_EINVAL;
    }
    ms_ingest_stats stats = {0};
    ms__ingest_run run = {store, NULL, &stats, err, errlen};
    bool seen = false;
    ms_status st = source_key ? ms__ingest_seen(&run, source_key, &seen) : MS_OK;
    if (st == MS_OK && seen) {
        memset(event, 0, sizeof *event);
        event->source_key = source_key;
        event->outcome = MS_INGEST_SEEN;
    } else if (st == MS_OK) {
        st = ingest_item(&run, source_key, data ? data : (const uint8_t *)"", len, event);
    }
    event->item = source_key;
    return st;
}

/* ---- files ---- */

/* Reads a whole file (at most MS_LIMIT_INGEST_SOURCE bytes; *too_big past that, with the
 * first bytes read). MS_EIO with run->err set when it cannot be read. */
static ms_status read_file(ms__ingest_run *run, const char *path, uint8_t **out, size_t *len,
                           bool *too_big)
{
    *out = NULL;
    *len = 0;
    *too_big = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ms__ingest_err(run, "%s: %s", path, strerror(errno));
        return MS_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        ms__ingest_err(run, "%s: not a regular file", path);
        (void)close(fd);
        return MS_EIO;
    }
    size_t want = (size_t)sb.st_size;
    if (sb.st_size > (off_t)MS_LIMIT_INGEST_SOURCE) {
        *too_big = true;
        want = MS_LIMIT_STORE_KEPT;
    }
    uint8_t *buf = malloc(want ? want : 1);
    if (!buf) {
        (void)close(fd);
        ms__ingest_err(run, "%s: out of memory", path);
        return MS_ENOMEM;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t r = read(fd, buf + got, want - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            ms__ingest_err(run, "%s: %s", path, strerror(errno));
            free(buf);
            (void)close(fd);
            return MS_EIO;
        }
        if (r == 0) {
            break; /* shrank while read: take what is there */
        }
        got += (size_t)r;
    }
    (void)close(fd);
    *out = buf;
    *len = got;
    return MS_OK;
}

/* A file read whole: one item. The key holds the content's digest, so a file replaced by
 * another at the same path is read again. */
static ms_status ingest_file(ms__ingest_run *run, const char *path, const char *abs)
{
    uint8_t *data = NULL;
    size_t len = 0;
    bool too_big = false;
    ms_status st = read_file(run, path, &data, &len, &too_big);
    if (st != MS_OK) {
        return st;
    }
    char sha[65];
    size_t klen = strlen(abs) + 80;
    char *key = malloc(klen);
    if (!key) {
        free(data);
        return MS_ENOMEM;
    }
    if (too_big) {
        struct stat sb;
        long long size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
        (void)snprintf(key, klen, "file:%s#size=%lld", abs, size);
    } else {
        st = ms__ingest_sha256_hex(data, len, sha);
        (void)snprintf(key, klen, "file:%s#%s", abs, sha);
    }
    bool seen = false;
    if (st == MS_OK) {
        st = ms__ingest_seen(run, key, &seen);
    }
    if (st == MS_OK && seen) {
        ms__ingest_report_seen(run, path, key);
    } else if (st == MS_OK && too_big) {
        st = keep_too_big(run, path, key, data, len);
    } else if (st == MS_OK) {
        st = ms__ingest_data(run, path, key, data, len);
    }
    free(key);
    free(data);
    return st;
}

/* ---- mbox (RFC 4155): messages start at "From " lines; ">From " lines are unescaped ---- */

static bool from_line_at(const uint8_t *d, size_t len, size_t k)
{
    return (k == 0 || d[k - 1] == '\n') && len - k >= 5 && memcmp(d + k, "From ", 5) == 0;
}

/* The message in [start, end) with one '>' taken off each ">...>From " line, into out. */
static size_t unescape_mbox(const uint8_t *d, size_t start, size_t end, uint8_t *out)
{
    size_t n = 0;
    size_t k = start;
    while (k < end) {
        size_t gt = k;
        while (gt < end && d[gt] == '>') {
            gt++;
        }
        if (gt > k && end - gt >= 5 && memcmp(d + gt, "From ", 5) == 0) {
            k++; /* drop one '>' */
        }
        while (k < end) {
            uint8_t c = d[k++];
            out[n++] = c;
            if (c == '\n') {
                break;
            }
        }
    }
    return n;
}

static ms_status ingest_mbox(ms__ingest_run *run, const char *path, const char *abs)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        ms__ingest_err(run, "%s: %s", path, strerror(errno));
        if (fd >= 0) {
            (void)close(fd);
        }
        return MS_EIO;
    }
    size_t len = (size_t)sb.st_size;
    if (len == 0) {
        (void)close(fd);
        return MS_OK;
    }
    const uint8_t *d = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    (void)close(fd);
    if (d == MAP_FAILED) {
        ms__ingest_err(run, "%s: cannot map: %s", path, strerror(errno));
        return MS_EIO;
    }
    ms_status st = MS_OK;
    size_t k = 0, number = 0;
    size_t klen = strlen(abs) + 80, ilen = strlen(path) + 32;
    char *key = malloc(klen), *item = malloc(ilen);
    if (!key || !item) {
        st = MS_ENOMEM;
    }
    while (st == MS_OK && k < len) {
        if (!from_line_at(d, len, k)) {
            ms__ingest_err(run, "%s: not an mbox file (no \"From \" line at byte %zu, RFC 4155)",
                           path, k);
            st = MS_EIO;
            break;
        }
        const uint8_t *nl = memchr(d + k, '\n', len - k);
        size_t start = nl ? (size_t)(nl - d) + 1 : len;
        size_t end = start;
        while (end < len && !from_line_at(d, len, end)) {
            const uint8_t *e = memchr(d + end, '\n', len - end);
            end = e ? (size_t)(e - d) + 1 : len;
        }
        size_t mend = end;
        if (end < len && mend > start && d[mend - 1] == '\n' && mend - start >= 2 &&
            d[mend - 2] == '\n') {
            mend--; /* the empty line that separates messages */
        }
        number++;
        (void)snprintf(item, ilen, "%s#%zu", path, number);
        uint8_t *msg = malloc(mend - start + 1);
        if (!msg) {
            st = MS_ENOMEM;
            break;
        }
        size_t mlen = unescape_mbox(d, start, mend, msg);
        char sha[65];
        st = ms__ingest_sha256_hex(msg, mlen, sha);
        (void)snprintf(key, klen, "mbox:%s#%s", abs, sha);
        bool seen = false;
        if (st == MS_OK) {
            st = ms__ingest_seen(run, key, &seen);
        }
        if (st == MS_OK && seen) {
            ms__ingest_report_seen(run, item, key);
        } else if (st == MS_OK) {
            st = ms__ingest_data(run, item, key, msg, mlen);
        }
        free(msg);
        k = end;
    }
    free(key);
    free(item);
    (void)munmap((void *)(uintptr_t)d, len);
    return st;
}

/* ---- directories and Maildir ---- */

typedef struct {
    char **names;
    size_t n, cap;
} name_list;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(name_list *l)
{
    for (size_t k = 0; k < l->n; k++) {
        free(l->names[k]);
    }
    free(l->names);
}

/* The entries of dir not starting with '.', sorted (a stable order for people and tests). */
static ms_status list_dir(ms__ingest_run *run, const char *dir, name_list *out)
{
    memset(out, 0, sizeof *out);
    DIR *dh = opendir(dir);
    if (!dh) {
        ms__ingest_err(run, "%s: %s", dir, strerror(errno));
        return MS_EIO;
    }
    ms_status st = MS_OK;
    struct dirent *de;
    while (st == MS_OK && (de = readdir(dh)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 64;
            char **names = realloc(out->names, cap * sizeof *names);
            if (!names) {
                st = MS_ENOMEM;
                break;
            }
            out->names = names;
            out->cap = cap;
        }
        out->names[out->n] = strdup(de->d_name);
        if (!out->names[out->n]) {
            st = MS_ENOMEM;
            break;
        }
        out->n++;
    }
    (void)closedir(dh);
    if (st != MS_OK) {
        ms__ingest_err(run, "%s: out of memory", dir);
        free_names(out);
        return st;
    }
    if (out->n > 1) {
        qsort(out->names, out->n, sizeof *out->names, cmp_names);
    }
    return MS_OK;
}

static char *join(const char *a, const char *b)
{
    size_t alen = strlen(a);
    while (alen > 1 && a[alen - 1] == '/') {
        alen--; /* "dir/" given on the command line: no "dir//name" */
    }
    size_t len = alen + strlen(b) + 2;
    char *p = malloc(len);
    if (p) {
        (void)snprintf(p, len, "%.*s/%s", (int)alen, a, b);
    }
    return p;
}

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool is_maildir(const char *dir)
{
    char *cur = join(dir, "cur"), *nw = join(dir, "new");
    bool yes = cur && nw && is_dir(cur) && is_dir(nw);
    free(cur);
    free(nw);
    return yes;
}

/* Marks a Maildir message done: into cur/ with the Seen flag added to its info (the Maildir
 * convention "unique:2,FLAGS", flags in ASCII order). */
static ms_status maildir_mark(ms__ingest_run *run, const char *dir, const char *sub,
                              const char *name)
{
    const char *colon = strstr(name, ":2,");
    size_t ulen = colon ? (size_t)(colon - name) : strlen(name);
    const char *flags = colon ? colon + 3 : "";
    if (strcmp(sub, "cur") == 0 && strchr(flags, 'S')) {
        return MS_OK;
    }
    char nf[64];
    size_t n = 0;
    bool added = false;
    for (const char *f = flags; *f && n + 2 < sizeof nf; f++) {
        if (!added && *f > 'S') {
            nf[n++] = 'S';
            added = true;
        }
        nf[n++] = *f;
    }
    if (!added) {
        nf[n++] = 'S';
    }
    nf[n] = '\0';
    size_t len = strlen(dir) + ulen + n + 16;
    char *from = malloc(strlen(dir) + strlen(name) + 8), *to = malloc(len);
    ms_status st = MS_OK;
    if (!from || !to) {
        st = MS_ENOMEM;
    } else {
        (void)snprintf(from, strlen(dir) + strlen(name) + 8, "%s/%s/%s", dir, sub, name);
        (void)snprintf(to, len, "%s/cur/%.*s:2,%s", dir, (int)ulen, name, nf);
        if (rename(from, to) != 0 && errno != ENOENT) {
            /* ENOENT: another reader moved it meanwhile; the store has the key either way. */
            ms__ingest_err(run, "%s: cannot mark it seen: %s", from, strerror(errno));
            st = MS_EIO;
        }
    }
    free(from);
    free(to);
    return st;
}

static ms_status ingest_maildir(ms__ingest_run *run, const char *dir, const char *abs)
{
    static const char *const subs[] = {"new", "cur"};
    /* Both listed before anything moves, so a message moved to cur/ is not met twice. */
    name_list lists[2];
    memset(lists, 0, sizeof lists);
    ms_status st = MS_OK;
    for (size_t s = 0; st == MS_OK && s < 2; s++) {
        char *subdir = join(dir, subs[s]);
        st = subdir ? list_dir(run, subdir, &lists[s]) : MS_ENOMEM;
        free(subdir);
    }
    for (size_t s = 0; st == MS_OK && s < 2; s++) {
        char *subdir = join(dir, subs[s]);
        if (!subdir) {
            st = MS_ENOMEM;
            break;
        }
        name_list names = lists[s];
        for (size_t k = 0; st == MS_OK && k < names.n; k++) {
            const char *name = names.names[k];
            char *path = join(subdir, name);
            size_t ulen = strcspn(name, ":");
            size_t klen = strlen(abs) + ulen + 16;
            char *key = malloc(klen);
            if (!path || !key) {
                free(path);
                free(key);
                st = MS_ENOMEM;
                break;
            }
            (void)snprintf(key, klen, "maildir:%s/%.*s", abs, (int)ulen, name);
            struct stat sb;
            bool seen = false;
            if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
                free(path);
                free(key);
                continue; /* gone meanwhile, or not a message */
            }
            st = ms__ingest_seen(run, key, &seen);
            if (st == MS_OK && seen) {
                ms__ingest_report_seen(run, path, key);
            } else if (st == MS_OK) {
                uint8_t *data = NULL;
                size_t len = 0;
                bool too_big = false;
                st = read_file(run, path, &data, &len, &too_big);
                if (st == MS_OK && too_big) {
                    st = keep_too_big(run, path, key, data, len);
                } else if (st == MS_OK) {
                    st = ms__ingest_data(run, path, key, data, len);
                }
                free(data);
            }
            /* Only now, with the key durable, is the message marked (also when it was seen on
             * an earlier run that stopped before marking it). */
            if (st == MS_OK) {
                st = maildir_mark(run, dir, subs[s], name);
            }
            free(path);
            free(key);
        }
        free(subdir);
    }
    free_names(&lists[0]);
    free_names(&lists[1]);
    return st;
}

static ms_status ingest_path(ms__ingest_run *run, const char *path, unsigned depth);

static ms_status ingest_dir(ms__ingest_run *run, const char *dir, unsigned depth)
{
    if (depth > MS_LIMIT_INGEST_DIR_DEPTH) {
        ms__ingest_err(run, "%s: more than %u directory levels", dir, MS_LIMIT_INGEST_DIR_DEPTH);
        return MS_ELIMIT;
    }
    name_list names;
    ms_status st = list_dir(run, dir, &names);
    for (size_t k = 0; st == MS_OK && k < names.n; k++) {
        char *path = join(dir, names.names[k]);
        st = path ? ingest_path(run, path, depth + 1) : MS_ENOMEM;
        free(path);
    }
    free_names(&names);
    return st;
}

static bool starts_with_from(const char *path)
{
    char head[5];
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    size_t n = fread(head, 1, sizeof head, f);
    (void)fclose(f);
    return n == 5 && memcmp(head, "From ", 5) == 0;
}

static ms_status ingest_path(ms__ingest_run *run, const char *path, unsigned depth)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        ms__ingest_err(run, "%s: %s", path, strerror(errno));
        return MS_EIO;
    }
    char *abs = realpath(path, NULL);
    if (!abs) {
        ms__ingest_err(run, "%s: %s", path, strerror(errno));
        return MS_EIO;
    }
    ms_status st;
    if (S_ISDIR(sb.st_mode)) {
        st = is_maildir(path) ? ingest_maildir(run, path, abs) : ingest_dir(run, path, depth);
    } else if (S_ISREG(sb.st_mode)) {
        st = starts_with_from(path) ? ingest_mbox(run, path, abs) : ingest_file(run, path, abs);
    } else {
        st = MS_OK; /* sockets, fifos, devices: not reports */
    }
    free(abs);
    return st;
}

ms_status ms_ingest(ms_store *store, const char *source, const ms_ingest_options *options,
                    ms_ingest_stats *stats, char *err, size_t errlen)
{
    if (err && errlen > 0) {
        err[0] = '\0';
    }
    if (!store || !source || !*source || !stats) {
        if (err && errlen > 0) {
            (void)snprintf(err, errlen, "ingest: no store or no source");
        }
        return MS_EINVAL;
    }
    ms__ingest_run run = {store, options, stats, err, err ? errlen : 0};
    if (strncmp(source, "imaps://", 8) == 0) {
        return ms__ingest_imap(&run, source);
    }
    if (strncmp(source, "imap://", 7) == 0) {
        ms__ingest_err(&run, "%s: use imaps:// (the password and reports travel over TLS)", source);
        return MS_EINVAL;
    }
    return ingest_path(&run, source, 0);
}
