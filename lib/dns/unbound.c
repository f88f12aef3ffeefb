/* SPDX-License-Identifier: MIT */
/* The live resolver: libunbound, one context shared by every thread, each query bounded by a
 * deadline. Answers keep NXDOMAIN, NODATA (RFC 2308 §2), failures and bogus DNSSEC apart. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "base/limits.h"
#include "base/str.h"
#include "dns/rdata.h"
#include "dns/resolver.h"
#include "dns/unbound.h"

/* Debian's dns-root-data: the root zone's trust anchor (RFC 5011 format, read only). */
#define ROOT_KEY_FILE "/usr/share/dns/root.key"

/* One question in flight. Written by the callback under ub->mu; freed by the asker, or by the
 * callback when the asker gave up and could not cancel. */
typedef struct slot {
    struct ub_result *result;
    int err;
    bool is_done;
    bool is_abandoned;
} slot;

/* Threads share one context. libunbound delivers answers only from ub_process(), so one thread
 * at a time (is_polling) waits on the context's fd and runs ub_process() under mu; its callbacks
 * fill other threads' slots, and cv wakes them. ub_cancel() also runs under mu, so a cancelled
 * query's callback can never run afterwards (it would write into freed memory). */
typedef struct ub {
    ms_resolver base;
    struct ub_ctx *ctx;
    int fd;
    unsigned timeout_ms;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a poller finished a round: slots may be done, the fd is free */
    bool is_polling;
} ub;

static const ms_resolver_ops ub_ops;

MS_PRINTF(3, 4)
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* "HOST", "HOST:PORT", "[V6]", "[V6]:PORT", or a bare IPv6 address; HOST must be an IP
 * address (a forwarder's name would need a resolver). Writes unbound's "ADDR@PORT". */
static ms_status parse_server(const char *s, char *fwd, size_t fwdlen, char *err, size_t errlen)
{
    char host[INET6_ADDRSTRLEN];
    unsigned char addr[16];
    const char *h = s, *port = NULL;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
            set_err(err, errlen, "server \"%s\": want [IPV6]:PORT", s);
            return MS_EINVAL;
        }
        h = s + 1;
        hlen = (size_t)(close - h);
        port = close[1] == ':' ? close + 2 : NULL;
    } else {
        const char *colon = strchr(s, ':');
        if (colon != NULL && strchr(colon + 1, ':') == NULL) {
            hlen = (size_t)(colon - s);
            port = colon + 1;
        } else {
            hlen = strlen(s); /* no port, or a bare IPv6 address */
        }
    }
    if (hlen == 0 || hlen >= sizeof(host)) {
        set_err(err, errlen, "server \"%s\": no IP address", s);
        return MS_EINVAL;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1) {
        set_err(err, errlen, "server \"%s\": \"%s\" is not an IP address", s, host);
        return MS_EINVAL;
    }
    unsigned long port_num = 53;
    if (port != NULL) {
        size_t plen = strlen(port), used = 0;
        if (!ms__parse_uint(port, plen, 65535, &port_num, &used) || used != plen || port_num == 0) {
            set_err(err, errlen, "server \"%s\": port must be 1 to 65535", s);
            return MS_EINVAL;
        }
    }
    int n = snprintf(fwd, fwdlen, "%s@%lu", host, port_num);
    return (n < 0 || (size_t)n >= fwdlen) ? MS_EINVAL : MS_OK;
}

static ms_status ub_fail(ub *u, ms_status st, const char *what, int rc, char *err, size_t errlen)
{
    set_err(err, errlen, "libunbound: %s: %s", what, ub_strerror(rc));
    ub_ctx_delete(u->ctx);
    free(u);
    return st;
}

ms_status ms_resolver_new_unbound(const ms_unbound_options *opt, ms_resolver **out, char *err,
                                  size_t errlen)
{
    ms_unbound_options o = {0};
    char fwd[MS_LIMIT_DNS_FORWARDERS][INET6_ADDRSTRLEN + 8];
    size_t n_fwd = 0;
    int rc;
    *out = NULL;
    set_err(err, errlen, "%s", "");
    if (opt != NULL) {
        o = *opt;
    }
    if (o.n_servers > 0 && o.servers == NULL) {
        set_err(err, errlen, "n_servers without servers");
        return MS_EINVAL;
    }
    if (o.n_servers > MS_LIMIT_DNS_FORWARDERS ||
        (o.server != NULL ? 1u : 0u) + o.n_servers > MS_LIMIT_DNS_FORWARDERS) {
        set_err(err, errlen, "more than %u servers", MS_LIMIT_DNS_FORWARDERS);
        return MS_ELIMIT;
    }
    for (size_t i = 0; i < (o.server != NULL ? 1u : 0u) + o.n_servers; i++) {
        const char *srv = o.server != NULL ? (i == 0 ? o.server : o.servers[i - 1]) : o.servers[i];
        if (srv == NULL) {
            set_err(err, errlen, "server %zu is NULL", i);
            return MS_EINVAL;
        }
        ms_status st = parse_server(srv, fwd[n_fwd], sizeof(fwd[n_fwd]), err, errlen);
        if (st != MS_OK) {
            return st;
        }
        n_fwd++;
    }
    if (o.trust_anchor_file != NULL && !o.no_dnssec && access(o.trust_anchor_file, R_OK) != 0) {
        set_err(err, errlen, "cannot read trust anchor file %s", o.trust_anchor_file);
        return MS_EIO;
    }
    ub *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        return MS_ENOMEM;
    }
    u->timeout_ms = o.timeout_ms ? o.timeout_ms : MS_LIMIT_DNS_TIMEOUT_MS_DEFAULT;
    u->ctx = ub_ctx_create();
    if (u->ctx == NULL) {
        free(u);
        set_err(err, errlen, "libunbound: cannot create a context");
        return MS_ENOMEM;
    }
    /* Threads, not a forked process: a milter runs many threads over one resolver. */
    if ((rc = ub_ctx_async(u->ctx, 1)) != 0) {
        return ub_fail(u, MS_EDNS, "async", rc, err, errlen);
    }
    static const char *const settings[][2] = {
        {"do-not-query-localhost:", "no"}, /* a forwarder or resolv.conf on 127.0.0.1 */
        {"infra-keep-probing:", "yes"},    /* a server back up is found before its 900 s */
        {"use-syslog:", "no"},
        {"logfile:", "/dev/null"}, /* the library never prints (design.md §4) */
        /* Every question goes to the forwarder, which decides: libunbound's built-in local
         * zones would answer NXDOMAIN for "test." (RFC 6761 §6.2), home.arpa (RFC 8375) and
         * private reverse zones (RFC 6303) that a test or site server may well serve.
         * localhost, invalid and onion keep their fixed answers. ("nodefault" given through
         * ub_ctx_set_option does not lift the default in 1.17; "transparent" replaces it.) */
        {"local-zone:", "test. transparent"},
        {"local-zone:", "home.arpa. transparent"},
        {"unblock-lan-zones:", "yes"},
        {"insecure-lan-zones:", "yes"},
    };
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        if ((rc = ub_ctx_set_option(u->ctx, settings[i][0], settings[i][1])) != 0) {
            return ub_fail(u, MS_EDNS, settings[i][0], rc, err, errlen);
        }
    }
    /* The retransmit timer starts at the measured RTT but never below this. libunbound's 50 ms
     * floor suits authoritative servers; a forwarder (or a loaded host) may take longer, and
     * five "timeouts" in a row make libunbound answer SERVFAIL while the answer is on its way.
     * A quarter of the deadline still leaves room to retry a lost packet. (The setting is
     * process-wide inside libunbound.) */
    char min_rtt[16];
    unsigned min_rtt_ms = u->timeout_ms / 4;
    min_rtt_ms = min_rtt_ms < 50 ? 50 : min_rtt_ms > 2000 ? 2000 : min_rtt_ms;
    (void)snprintf(min_rtt, sizeof(min_rtt), "%u", min_rtt_ms);
    if ((rc = ub_ctx_set_option(u->ctx, "infra-cache-min-rtt:", min_rtt)) != 0) {
        return ub_fail(u, MS_EDNS, "infra-cache-min-rtt", rc, err, errlen);
    }
    if (n_fwd > 0) {
        /* Called once per address, libunbound adds each to the forwarders of ".". */
        for (size_t i = 0; i < n_fwd; i++) {
            if ((rc = ub_ctx_set_fwd(u->ctx, fwd[i])) != 0) {
                return ub_fail(u, MS_EDNS, fwd[i], rc, err, errlen);
            }
        }
    } else if ((rc = ub_ctx_resolvconf(u->ctx, NULL)) != 0) {
        return ub_fail(u, MS_EDNS, "/etc/resolv.conf", rc, err, errlen);
    }
    /* Validate with an anchor given, or with the system resolver and the root anchor when
     * dns-root-data is there; otherwise run the iterator alone (is_secure stays false). */
    const char *anchor = NULL;
    if (!o.no_dnssec) {
        if (o.trust_anchor_file != NULL) {
            anchor = o.trust_anchor_file;
        } else if (n_fwd == 0 && access(ROOT_KEY_FILE, R_OK) == 0) {
            anchor = ROOT_KEY_FILE;
        }
    }
    if (anchor != NULL) {
        if ((rc = ub_ctx_add_ta_file(u->ctx, anchor)) != 0) {
            return ub_fail(u, MS_EDNS, anchor, rc, err, errlen);
        }
        bool permissive = o.dnssec_permissive || o.trust_anchor_file == NULL;
        if (permissive && (rc = ub_ctx_set_option(u->ctx, "val-permissive-mode:", "yes")) != 0) {
            return ub_fail(u, MS_EDNS, "val-permissive-mode", rc, err, errlen);
        }
    } else if ((rc = ub_ctx_set_option(u->ctx, "module-config:", "iterator")) != 0) {
        return ub_fail(u, MS_EDNS, "module-config", rc, err, errlen);
    }
    /* Settle the configuration now (modules, trust anchors) so a bad one fails here rather
     * than on every query: removing a zone that is not there finalizes the context. */
    if ((rc = ub_ctx_zone_remove(u->ctx, "mailseal-setup.invalid.")) != 0) {
        return ub_fail(u, MS_EDNS, anchor ? anchor : "setup", rc, err, errlen);
    }
    if ((u->fd = ub_fd(u->ctx)) < 0) {
        return ub_fail(u, MS_EDNS, "fd", UB_SOCKET, err, errlen);
    }
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) {
        return ub_fail(u, MS_ENOMEM, "condition variable", UB_NOMEM, err, errlen);
    }
    (void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_cond_init(&u->cv, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        return ub_fail(u, MS_ENOMEM, "condition variable", UB_NOMEM, err, errlen);
    }
    pthread_condattr_destroy(&ca);
    if (pthread_mutex_init(&u->mu, NULL) != 0) {
        pthread_cond_destroy(&u->cv);
        return ub_fail(u, MS_ENOMEM, "mutex", UB_NOMEM, err, errlen);
    }
    ms__resolver_init(&u->base, &ub_ops);
    *out = &u->base;
    return MS_OK;
}

static void ub_destroy(ms_resolver *r)
{
    ub *u = (ub *)r;
    ub_ctx_delete(u->ctx); /* stops the worker thread; pending queries are dropped */
    pthread_cond_destroy(&u->cv);
    pthread_mutex_destroy(&u->mu);
    free(u);
}

/* Runs inside ub_process(), under ub->mu. */
static void on_result(void *arg, int err, struct ub_result *result)
{
    slot *s = arg;
    if (s->is_abandoned) {
        if (result != NULL) {
            ub_resolve_free(result);
        }
        free(s);
        return;
    }
    s->result = result;
    s->err = err;
    s->is_done = true;
}

static void wait_until(ub *u, uint64_t deadline_ms)
{
    struct timespec ts = {(time_t)(deadline_ms / 1000u), (long)(deadline_ms % 1000u) * 1000000L};
    (void)pthread_cond_timedwait(&u->cv, &u->mu, &ts);
}

/* Wait for s under u->mu until done or the deadline; then cancel. Returns with mu held. */
static void wait_for(ub *u, slot *s, int id, uint64_t deadline_ms)
{
    while (!s->is_done) {
        uint64_t now = now_ms();
        if (now >= deadline_ms) {
            if (ub_cancel(u->ctx, id) != 0) {
                s->is_abandoned = true; /* the callback will come and free it */
            }
            return;
        }
        if (u->is_polling) {
            wait_until(u, deadline_ms);
            continue;
        }
        u->is_polling = true;
        pthread_mutex_unlock(&u->mu);
        struct pollfd pfd = {.fd = u->fd, .events = POLLIN, .revents = 0};
        uint64_t left = deadline_ms - now;
        int ready = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
        pthread_mutex_lock(&u->mu);
        if (ready > 0) {
            (void)ub_process(u->ctx); /* on a broken pipe the queries run into their deadline */
        }
        u->is_polling = false;
        pthread_cond_broadcast(&u->cv);
    }
}

static ms_status ub_query(ms_resolver *r, const char *name, uint16_t type, ms_arena *arena,
                          ms_dns_answer *out)
{
    ub *u = (ub *)r;
    uint64_t deadline_ms = now_ms() + u->timeout_ms;
    slot *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return MS_ENOMEM;
    }
    int id = 0;
    int rc = ub_resolve_async(u->ctx, name, type, 1 /* IN */, s, on_result, &id);
    if (rc != 0) {
        free(s);
        out->rcode = rc == UB_SYNTAX ? MS_DNS_MALFORMED : MS_DNS_TEMPFAIL;
        out->why = rc == UB_SYNTAX ? "libunbound cannot parse the name" : ub_strerror(rc);
        return MS_OK;
    }
    pthread_mutex_lock(&u->mu);
    wait_for(u, s, id, deadline_ms);
    bool is_done = s->is_done, is_abandoned = s->is_abandoned;
    struct ub_result *result = s->result;
    int err = s->err;
    pthread_mutex_unlock(&u->mu);
    if (!is_abandoned) {
        free(s);
    }
    if (!is_done) {
        out->rcode = MS_DNS_TEMPFAIL;
        out->why = "timeout";
        return MS_OK;
    }
    ms_status st = ms__unbound_answer(result, err, name, arena, out);
    if (result != NULL) {
        ub_resolve_free(result);
    }
    return st;
}

static const char *rcode_why(int rcode)
{
    switch (rcode) {
    case 1:
        return "FORMERR";
    case 2:
        return "SERVFAIL";
    case 4:
        return "NOTIMP";
    case 5:
        return "REFUSED";
    default:
        return "unexpected DNS rcode";
    }
}

/* canon_name: the end of the CNAME chain in the answer packet (exact bytes, \DDD escapes),
 * else libunbound's canonname (which writes odd bytes as '?'). NULL when it is qname. */
static ms_status set_canon(const struct ub_result *res, const char *qname, ms_arena *arena,
                           ms_dns_answer *out)
{
    char buf[MS_LIMIT_DNS_NAME_TEXT + 1];
    const char *why;
    const char *canon = NULL;
    size_t len = 0;
    if (res->qtype == MS_DNS_CNAME) {
        return MS_OK; /* the CNAME itself was asked for: nothing was followed */
    }
    if (res->answer_packet != NULL && res->answer_len > 0 &&
        ms__dns_msg_canon_name(res->answer_packet, (size_t)res->answer_len, qname, buf, sizeof(buf),
                               &why) == MS_OK) {
        canon = buf;
        len = strlen(buf);
    } else if (res->canonname != NULL) {
        canon = res->canonname;
        len = strlen(canon);
        if (len > 0 && canon[len - 1] == '.') {
            len--;
        }
    }
    if (canon == NULL || ms__str_ieq(canon, len, qname, strlen(qname))) {
        return MS_OK;
    }
    out->canon_name = ms_arena_strndup(arena, canon, len);
    return out->canon_name ? MS_OK : ms_arena_status(arena);
}

ms_status ms__unbound_answer(const struct ub_result *res, int err, const char *qname,
                             ms_arena *arena, ms_dns_answer *out)
{
    out->n_rr = 0;
    out->rr = NULL;
    if (err != 0 || res == NULL) {
        out->rcode = MS_DNS_TEMPFAIL;
        out->why = err ? ub_strerror(err) : "no result from libunbound";
        return MS_OK;
    }
    out->ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;
    if (res->bogus) {
        out->rcode = MS_DNS_TEMPFAIL;
        out->is_bogus = true;
        out->why = "DNSSEC validation failed (bogus)";
        if (res->why_bogus != NULL) {
            out->why = ms_arena_strdup(arena, res->why_bogus);
            if (out->why == NULL) {
                return ms_arena_status(arena);
            }
        }
        return MS_OK;
    }
    out->is_secure = res->secure != 0;
    if (res->rcode != 0 && res->rcode != 3) {
        out->rcode = MS_DNS_TEMPFAIL;
        out->why = rcode_why(res->rcode);
        return MS_OK;
    }
    ms_status st = set_canon(res, qname, arena, out);
    if (st != MS_OK) {
        return st;
    }
    if (res->rcode == 3 || res->nxdomain) {
        out->rcode = MS_DNS_NXDOMAIN;
        return MS_OK;
    }
    size_t n = 0;
    while (res->havedata && res->data != NULL && res->data[n] != NULL) {
        if (++n > MS_LIMIT_DNS_RRS) {
            out->rcode = MS_DNS_MALFORMED;
            out->why = "more records than MS_LIMIT_DNS_RRS in one answer";
            return MS_OK;
        }
    }
    if (n == 0) {
        out->rcode = MS_DNS_NODATA;
        return MS_OK;
    }
    ms_dns_rr *rr = ms_arena_alloc(arena, n * sizeof(*rr));
    if (rr == NULL) {
        return ms_arena_status(arena);
    }
    for (size_t i = 0; i < n; i++) {
        const char *why = "negative RDATA length";
        st = res->len[i] < 0
                 ? MS_ESYNTAX
                 : ms__dns_rdata_parse((uint16_t)res->qtype, (const uint8_t *)res->data[i],
                                       (size_t)res->len[i], arena, &rr[i], &why);
        if (st == MS_ESYNTAX) {
            out->rcode = MS_DNS_MALFORMED;
            out->why = why;
            return MS_OK;
        }
        if (st != MS_OK) {
            return st;
        }
        rr[i].ttl = out->ttl;
    }
    out->rcode = MS_DNS_OK;
    out->rr = rr;
    out->n_rr = n;
    return MS_OK;
}

static const ms_resolver_ops ub_ops = {"unbound", ub_query, ub_destroy};
