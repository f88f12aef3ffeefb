/* SPDX-License-Identifier: MIT */
/* ms-milterdrv: a client of the Sendmail milter protocol (version 6) for tests and benchmarks,
 * playing the MTA's side against a milter such as mailseal-milter (issue 6 §3-§5).
 *
 *   ms-milterdrv script SOCKET [FILE]        run a script of commands (stdin without FILE)
 *   ms-milterdrv session SOCKET [options] MSG.eml...
 *   ms-milterdrv load SOCKET -c CONNS -n MESSAGES [-k PER_CONN] [-e ENVELOPES.tsv] CORPUS_DIR
 *
 * SOCKET is unix:PATH (or local:PATH) or inet:PORT@HOST (HOST an IPv4 or IPv6 address).
 * Every reply of the milter is printed on one line, "STAGE: REPLY [ARGS]", strings quoted
 * with C escapes (see print_reply), so that shell tests can grep for them. The protocol is
 * the one of libmilter's mfdef.h and Sendmail's doc/op "milter protocol" notes: a packet is
 * a 32-bit big-endian length (command byte included), the command byte, then the data. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Commands (MTA -> milter) and replies (milter -> MTA): libmilter's mfdef.h. */
enum {
    C_ABORT = 'A',
    C_BODY = 'B',
    C_CONNECT = 'C',
    C_MACRO = 'D',
    C_BODYEOB = 'E',
    C_HELO = 'H',
    C_QUIT_NC = 'K',
    C_HEADER = 'L',
    C_MAIL = 'M',
    C_EOH = 'N',
    C_OPTNEG = 'O',
    C_QUIT = 'Q',
    C_RCPT = 'R',
    C_DATA = 'T',
    C_UNKNOWN = 'U',
};
/* Protocol flags (SMFIP_*). */
#define P_NOCONNECT 0x1u
#define P_NOHELO 0x2u
#define P_NOMAIL 0x4u
#define P_NORCPT 0x8u
#define P_NOBODY 0x10u
#define P_NOHDRS 0x20u
#define P_NOEOH 0x40u
#define P_NR_HDR 0x80u
#define P_NOUNKNOWN 0x100u
#define P_NODATA 0x200u
#define P_NR_CONN 0x1000u
#define P_NR_HELO 0x2000u
#define P_NR_MAIL 0x4000u
#define P_NR_RCPT 0x8000u
#define P_NR_DATA 0x10000u
#define P_NR_UNKN 0x20000u
#define P_NR_EOH 0x40000u
#define P_NR_BODY 0x80000u
#define P_HDR_LEADSPC 0x100000u
#define P_MDS_256K 0x10000000u
#define P_MDS_1M 0x20000000u
/* What this driver offers, as Postfix 3.x does: version 6, every action, every protocol
 * step (no "no reply" steps: it waits for a reply unless the milter asks for none). */
#define OFFER_VERSION 6u
#define OFFER_ACTIONS 0x1FFu
#define OFFER_PROTOCOL 0x001FFFFFu

#define BODY_CHUNK 65535u              /* MILTER_CHUNK_SIZE: the largest body packet an MTA sends */
#define REPLY_CAP (4u * 1024u * 1024u) /* bytes of one reply packet read from the milter */
#define SCRIPT_LINE_CAP (1u << 20)     /* bytes of one script line */
#define ARG_CAP (64u * 1024u * 1024u)  /* bytes of one expanded script argument */
#define MAX_ARGS 64u
#define MSG_FILE_CAP (256u * 1024u * 1024u) /* bytes of one .eml read */
#define MAX_FIELDS 200000u                  /* header fields of one .eml */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ms-milterdrv: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- growable byte buffer (capped) ---- */
typedef struct {
    unsigned char *p;
    size_t n, cap;
} buf;

static bool buf_add(buf *b, const void *d, size_t n, size_t limit)
{
    if (n > limit || b->n > limit - n) {
        return false;
    }
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + n) {
            c *= 2;
        }
        unsigned char *q = realloc(b->p, c);
        if (q == NULL) {
            die("out of memory");
        }
        b->p = q;
        b->cap = c;
    }
    if (n > 0) {
        memcpy(b->p + b->n, d, n);
    }
    b->n += n;
    return true;
}

static void buf_byte(buf *b, unsigned char c)
{
    if (!buf_add(b, &c, 1, ARG_CAP)) {
        die("argument over %u bytes", ARG_CAP);
    }
}

/* ---- printing: one line per reply, strings quoted with C escapes ---- */
static void print_str(FILE *f, const unsigned char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        switch (c) {
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                fprintf(f, "\\x%02x", c);
            } else {
                fputc(c, f);
            }
        }
    }
    fputc('"', f);
}

/* ---- connection ---- */
typedef struct {
    int fd;
    bool tcp;                            /* inet socket: TCP_QUICKACK after reads */
    uint32_t version, actions, protocol; /* negotiated (the milter's answer) */
    int timeout_ms;
    unsigned char *rbuf; /* last reply's data */
    size_t rcap;
} conn;

static int open_socket(const char *spec, char *err, size_t errsize)
{
    int fd = -1;
    if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0) {
        const char *path = spec + (spec[0] == 'u' ? 5 : 6);
        struct sockaddr_un sun;
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        if (strlen(path) >= sizeof(sun.sun_path)) {
            snprintf(err, errsize, "%s: path too long", spec);
            return -1;
        }
        memcpy(sun.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
            snprintf(err, errsize, "%s: %s", spec, strerror(errno));
            if (fd >= 0) {
                close(fd);
            }
            return -1;
        }
        return fd;
    }
    if (strncmp(spec, "inet:", 5) == 0 || strncmp(spec, "inet6:", 6) == 0) {
        const char *p = spec + (spec[4] == ':' ? 5 : 6);
        const char *at = strchr(p, '@');
        char host[128] = "127.0.0.1";
        char *end = NULL;
        errno = 0;
        unsigned long port = strtoul(p, &end, 10);
        if (errno != 0 || end == p || (end != at && *end != '\0') || port == 0 || port > 65535) {
            snprintf(err, errsize, "%s: bad port", spec);
            return -1;
        }
        if (at != NULL) {
            size_t hl = strlen(at + 1);
            if (hl == 0 || hl >= sizeof(host)) {
                snprintf(err, errsize, "%s: bad host", spec);
                return -1;
            }
            memcpy(host, at + 1, hl + 1);
        }
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof(ss));
        socklen_t sl;
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
            a4->sin_family = AF_INET;
            a4->sin_port = htons((uint16_t)port);
            sl = sizeof(*a4);
        } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
            a6->sin6_family = AF_INET6;
            a6->sin6_port = htons((uint16_t)port);
            sl = sizeof(*a6);
        } else {
            snprintf(err, errsize, "%s: host must be an IP address", spec);
            return -1;
        }
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        /* Small packets back to back (a macro, then its command) would otherwise wait for
         * delayed ACKs (Nagle): 40 ms per step. */
        int one = 1;
        if (fd >= 0) {
            (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }
        if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) != 0) {
            snprintf(err, errsize, "%s: %s", spec, strerror(errno));
            if (fd >= 0) {
                close(fd);
            }
            return -1;
        }
        return fd;
    }
    snprintf(err, errsize, "%s: want unix:PATH or inet:PORT@HOST", spec);
    return -1;
}

/* Writes all of d; false when the peer is gone (EPIPE, ECONNRESET). */
static bool write_all(int fd, const void *d, size_t n)
{
    const unsigned char *p = d;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* One packet: length = 1 + n (the command byte counts). */
static bool send_packet(conn *c, char cmd, const void *data, size_t n)
{
    if (n > UINT32_MAX - 1) {
        return false;
    }
    unsigned char hdr[5];
    put32(hdr, (uint32_t)(n + 1));
    hdr[4] = (unsigned char)cmd;
    if (n <= 4096) {
        unsigned char tmp[5 + 4096];
        memcpy(tmp, hdr, 5);
        if (n > 0) {
            memcpy(tmp + 5, data, n);
        }
        return write_all(c->fd, tmp, 5 + n);
    }
    return write_all(c->fd, hdr, 5) && write_all(c->fd, data, n);
}

typedef enum { RD_OK, RD_CLOSED, RD_TIMEOUT, RD_ERROR } rd_status;

static rd_status read_exact(conn *c, unsigned char *p, size_t n)
{
    while (n > 0) {
        struct pollfd pf = {.fd = c->fd, .events = POLLIN};
        int pr = poll(&pf, 1, c->timeout_ms);
        if (pr < 0 && errno == EINTR) {
            continue;
        }
        if (pr == 0) {
            return RD_TIMEOUT;
        }
        if (pr < 0) {
            return RD_ERROR;
        }
        ssize_t r = recv(c->fd, p, n, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r > 0 && c->tcp) {
            /* ACK at once: libmilter writes a modification and the final reply as two small
             * writes, the second held by Nagle until our (delayed, 40 ms) ACK. Linux resets
             * this flag, so it is set after every read. */
            int one = 1;
            (void)setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
        }
        if (r == 0 || (r < 0 && errno == ECONNRESET)) {
            return RD_CLOSED;
        }
        if (r < 0) {
            return RD_ERROR;
        }
        p += r;
        n -= (size_t)r;
    }
    return RD_OK;
}

/* Reads one reply: *cmd, c->rbuf[0..*len). A length of 0 or over REPLY_CAP is an error. */
static rd_status read_reply(conn *c, char *cmd, size_t *len, char *err, size_t errsize)
{
    unsigned char hdr[4];
    rd_status st = read_exact(c, hdr, 4);
    if (st != RD_OK) {
        snprintf(err, errsize, "%s",
                 st == RD_CLOSED    ? "connection closed by the milter"
                 : st == RD_TIMEOUT ? "timeout waiting for a reply"
                                    : strerror(errno));
        return st;
    }
    uint32_t l = get32(hdr);
    if (l == 0 || l > REPLY_CAP) {
        snprintf(err, errsize, "bad reply length %" PRIu32, l);
        return RD_ERROR;
    }
    if (c->rcap < l) {
        unsigned char *q = realloc(c->rbuf, l);
        if (q == NULL) {
            die("out of memory");
        }
        c->rbuf = q;
        c->rcap = l;
    }
    st = read_exact(c, c->rbuf, l);
    if (st != RD_OK) {
        snprintf(err, errsize, "reply cut short (%s)",
                 st == RD_CLOSED ? "connection closed" : "timeout or error");
        return st == RD_CLOSED ? RD_ERROR : st;
    }
    *cmd = (char)c->rbuf[0];
    memmove(c->rbuf, c->rbuf + 1, l - 1);
    *len = l - 1;
    return RD_OK;
}

/* A NUL-terminated string at d[*off..n): its length; false when no NUL before n. */
static bool take_str(const unsigned char *d, size_t n, size_t *off, const unsigned char **s,
                     size_t *sl)
{
    if (*off > n) {
        return false;
    }
    const unsigned char *z = memchr(d + *off, '\0', n - *off);
    if (z == NULL) {
        return false;
    }
    *s = d + *off;
    *sl = (size_t)(z - (d + *off));
    *off += *sl + 1;
    return true;
}

/* Reply kinds. Final replies end a command; the others (modifications, progress) come
 * before the final reply of end of message. */
static const char *reply_name(char cmd)
{
    switch (cmd) {
    case '+':
        return "addrcpt";
    case '-':
        return "delrcpt";
    case '2':
        return "addrcpt_par";
    case '4':
        return "shutdown";
    case 'a':
        return "accept";
    case 'b':
        return "replbody";
    case 'c':
        return "continue";
    case 'd':
        return "discard";
    case 'e':
        return "chgfrom";
    case 'f':
        return "conn_fail";
    case 'h':
        return "addheader";
    case 'i':
        return "insheader";
    case 'l':
        return "setsymlist";
    case 'm':
        return "chgheader";
    case 'p':
        return "progress";
    case 'q':
        return "quarantine";
    case 'r':
        return "reject";
    case 's':
        return "skip";
    case 't':
        return "tempfail";
    case 'y':
        return "replycode";
    case 'O':
        return "optneg";
    default:
        return NULL;
    }
}

static bool reply_is_final(char cmd)
{
    return strchr("acdrsty4f", cmd) != NULL;
}

/* Prints "STAGE: NAME ARGS". False when the reply's data is malformed (printed as such). */
static bool print_reply(FILE *f, const char *stage, char cmd, const unsigned char *d, size_t n)
{
    const char *name = reply_name(cmd);
    if (name == NULL) {
        fprintf(f, "%s: unknown-reply 0x%02x len %zu\n", stage, (unsigned char)cmd, n);
        return false;
    }
    fprintf(f, "%s: %s", stage, name);
    size_t off = 0;
    const unsigned char *s1, *s2;
    size_t l1, l2;
    bool ok = true;
    switch (cmd) {
    case 'h': /* name, value */
        ok = take_str(d, n, &off, &s1, &l1) && take_str(d, n, &off, &s2, &l2);
        if (ok) {
            fputc(' ', f);
            print_str(f, s1, l1);
            fputc(' ', f);
            print_str(f, s2, l2);
        }
        break;
    case 'i':
    case 'm': /* index, name, value */
        ok = n >= 4;
        if (ok) {
            off = 4;
            ok = take_str(d, n, &off, &s1, &l1) && take_str(d, n, &off, &s2, &l2);
        }
        if (ok) {
            fprintf(f, " %" PRIu32 " ", get32(d));
            print_str(f, s1, l1);
            fputc(' ', f);
            print_str(f, s2, l2);
        }
        break;
    case 'y':
    case 'q':
    case '+':
    case '-':
    case 'e':
        ok = take_str(d, n, &off, &s1, &l1);
        if (ok) {
            fputc(' ', f);
            print_str(f, s1, l1);
        }
        break;
    case 'b':
        fprintf(f, " %zu bytes", n);
        break;
    default:
        if (n > 0) {
            fprintf(f, " (%zu data bytes)", n);
        }
        break;
    }
    if (!ok) {
        fprintf(f, " MALFORMED (%zu bytes)", n);
    }
    fputc('\n', f);
    return ok;
}

/* ---- the protocol steps ---- */
typedef struct {
    FILE *out;  /* NULL: do not print */
    char final; /* the final reply, 0 when none (closed, timeout) */
    unsigned n_mods;
    unsigned n_ins, n_chg, n_add, n_quar;
    bool eom_done;        /* the end of message got its final reply */
    char reply_text[256]; /* of a replycode */
} outcome;

/* Reads replies until a final one; prints them. Returns false when the connection failed
 * (closed, timeout, malformed). */
static bool read_until_final(conn *c, const char *stage, bool eom, outcome *o)
{
    o->final = 0;
    for (unsigned guard = 0; guard < 1000000u; guard++) {
        char cmd;
        size_t len;
        char err[256];
        rd_status st = read_reply(c, &cmd, &len, err, sizeof(err));
        if (st != RD_OK) {
            if (o->out) {
                fprintf(o->out, "%s: %s\n", stage,
                        st == RD_CLOSED    ? "closed"
                        : st == RD_TIMEOUT ? "timeout"
                                           : err);
            }
            return false;
        }
        if (o->out && !print_reply(o->out, stage, cmd, c->rbuf, len)) {
            return false;
        }
        if (cmd == 'y') {
            size_t k = len < sizeof(o->reply_text) - 1 ? len : sizeof(o->reply_text) - 1;
            memcpy(o->reply_text, c->rbuf, k);
            o->reply_text[k] = '\0';
            o->final = 'y';
            return true;
        }
        if (reply_is_final(cmd)) {
            o->final = cmd;
            return true;
        }
        if (cmd == 'p') {
            continue;
        }
        if (!eom || reply_name(cmd) == NULL || cmd == 'O') {
            if (o->out) {
                fprintf(o->out, "%s: protocol error: reply '%c' out of place\n", stage, cmd);
            }
            return false;
        }
        o->n_mods++;
        o->n_ins += cmd == 'i';
        o->n_chg += cmd == 'm';
        o->n_add += cmd == 'h';
        o->n_quar += cmd == 'q';
    }
    return false;
}

/* Sends one command unless the milter asked not to get it (NO flag) and reads its reply
 * unless the milter asked for none (NR flag). */
static bool step(conn *c, const char *stage, char cmd, const void *d, size_t n, uint32_t no,
                 uint32_t nr, outcome *o)
{
    if (no != 0 && (c->protocol & no) != 0) {
        if (o->out) {
            fprintf(o->out, "%s: not sent (the milter declined it)\n", stage);
        }
        o->final = 'c';
        return true;
    }
    if (!send_packet(c, cmd, d, n)) {
        if (o->out) {
            fprintf(o->out, "%s: send failed: %s\n", stage, strerror(errno));
        }
        o->final = 0;
        return false;
    }
    if (nr != 0 && (c->protocol & nr) != 0) {
        if (o->out) {
            fprintf(o->out, "%s: no reply (negotiated)\n", stage);
        }
        o->final = 'c';
        return true;
    }
    return read_until_final(c, stage, cmd == C_BODYEOB, o);
}

static bool optneg(conn *c, uint32_t version, uint32_t actions, uint32_t protocol, FILE *out)
{
    unsigned char d[12];
    put32(d, version);
    put32(d + 4, actions);
    put32(d + 8, protocol);
    if (!send_packet(c, C_OPTNEG, d, sizeof(d))) {
        if (out) {
            fprintf(out, "optneg: send failed\n");
        }
        return false;
    }
    char cmd;
    size_t len;
    char err[256];
    rd_status st = read_reply(c, &cmd, &len, err, sizeof(err));
    if (st != RD_OK) {
        if (out) {
            fprintf(out, "optneg: %s\n", st == RD_CLOSED ? "closed" : err);
        }
        return false;
    }
    if (cmd != 'O' || len < 12) {
        if (out) {
            fprintf(out, "optneg: unexpected reply '%c' of %zu bytes\n", cmd, len);
        }
        return false;
    }
    c->version = get32(c->rbuf);
    c->actions = get32(c->rbuf + 4);
    c->protocol = get32(c->rbuf + 8);
    if (out) {
        fprintf(out, "optneg: version %" PRIu32 " actions 0x%" PRIx32 " protocol 0x%" PRIx32 "\n",
                c->version, c->actions, c->protocol);
    }
    return true;
}

/* "name\0value\0..." after the stage byte. */
static bool send_macros(conn *c, char stage, const char *const *nv, size_t n_nv)
{
    buf b = {0};
    buf_byte(&b, (unsigned char)stage);
    for (size_t i = 0; i < n_nv; i++) {
        if (!buf_add(&b, nv[i], strlen(nv[i]) + 1, ARG_CAP)) {
            die("macro too long");
        }
    }
    bool ok = send_packet(c, C_MACRO, b.p, b.n);
    free(b.p);
    return ok;
}

/* SMFIC_CONNECT: hostname, family ('4', '6', 'U'), port, address. */
static void connect_data(buf *b, const char *host, const char *ip, uint16_t port)
{
    buf_add(b, host, strlen(host) + 1, ARG_CAP);
    if (ip == NULL || ip[0] == '\0') {
        buf_byte(b, 'U');
        return;
    }
    buf_byte(b, strchr(ip, ':') ? '6' : '4');
    buf_byte(b, (unsigned char)(port >> 8));
    buf_byte(b, (unsigned char)port);
    buf_add(b, ip, strlen(ip) + 1, ARG_CAP);
}

/* ---- messages (.eml) ---- */
typedef struct {
    char *name, *value; /* the MTA's form: value after the colon, folding as LF */
    size_t name_len, value_len;
    size_t lead; /* blanks at the start of value: sent only with SMFIP_HDR_LEADSPC */
} field;

typedef struct {
    char *file;
    field *fields;
    size_t n_fields;
    unsigned char *body; /* CRLF line ends */
    size_t body_len;
    char ip[64], helo[256], mail_from[512];
} message;

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        die("%s: %s", path, strerror(errno));
    }
    buf b = {0};
    unsigned char tmp[65536];
    size_t r;
    while ((r = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        if (!buf_add(&b, tmp, r, MSG_FILE_CAP)) {
            die("%s: over %u bytes", path, MSG_FILE_CAP);
        }
    }
    if (ferror(f)) {
        die("%s: read error", path);
    }
    fclose(f);
    buf_add(&b, "", 1, MSG_FILE_CAP + 1u); /* a NUL after the data, not counted */
    *len = b.n - 1;
    return b.p;
}

/* Splits a message into header fields and body as an MTA hands them to a milter: the value
 * without leading SP/HT, CRLF of folded lines as LF; body line ends as CRLF. */
static void parse_message(message *m, const unsigned char *d, size_t n)
{
    size_t i = 0;
    size_t cap = 64;
    m->fields = calloc(cap, sizeof(field));
    if (m->fields == NULL) {
        die("out of memory");
    }
    while (i < n) {
        if (d[i] == '\n' || (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')) {
            i += d[i] == '\r' ? 2 : 1; /* the empty line */
            break;
        }
        size_t start = i;
        /* the field: up to a line end not followed by SP/HT */
        size_t end = i;
        while (end < n) {
            if (d[end] == '\n' && (end + 1 >= n || (d[end + 1] != ' ' && d[end + 1] != '\t'))) {
                break;
            }
            end++;
        }
        size_t next = end < n ? end + 1 : n;
        size_t fe = end;
        if (fe > start && d[fe - 1] == '\r') {
            fe--;
        }
        const unsigned char *colon = memchr(d + start, ':', fe - start);
        if (colon != NULL) {
            if (m->n_fields == MAX_FIELDS) {
                die("%s: over %u header fields", m->file, MAX_FIELDS);
            }
            if (m->n_fields == cap) {
                cap *= 2;
                field *q = realloc(m->fields, cap * sizeof(field));
                if (q == NULL) {
                    die("out of memory");
                }
                m->fields = q;
            }
            field *fl = &m->fields[m->n_fields++];
            size_t nl = (size_t)(colon - (d + start));
            fl->name = strndup((const char *)d + start, nl);
            size_t v = (size_t)(colon - d) + 1;
            size_t v0 = v;
            while (v < fe && (d[v] == ' ' || d[v] == '\t')) {
                v++;
            }
            fl->lead = v - v0;
            v = v0;
            buf b = {0};
            for (size_t k = v; k < fe; k++) {
                if (d[k] == '\r' && k + 1 < fe && d[k + 1] == '\n') {
                    continue;
                }
                buf_byte(&b, d[k]);
            }
            buf_byte(&b, 0);
            fl->value = (char *)b.p;
            fl->value_len = b.n - 1;
            fl->name_len = nl;
            if (fl->name == NULL) {
                die("out of memory");
            }
        }
        i = next;
    }
    buf b = {0};
    for (size_t k = i; k < n; k++) {
        if (d[k] == '\n' && (k == i || d[k - 1] != '\r')) {
            buf_byte(&b, '\r');
        }
        buf_byte(&b, d[k]);
    }
    m->body = b.p;
    m->body_len = b.n;
}

/* SMFIC_HEADER's data: name, value; the value's leading blanks only when the milter asked
 * for them (SMFIP_HDR_LEADSPC), as Postfix and Sendmail do. */
static void add_field(buf *b, const field *f, uint32_t protocol)
{
    size_t skip = (protocol & P_HDR_LEADSPC) ? 0 : f->lead;
    buf_add(b, f->name, f->name_len + 1, ARG_CAP);
    buf_add(b, f->value + skip, f->value_len - skip + 1, ARG_CAP);
}

static void free_message(message *m)
{
    for (size_t i = 0; i < m->n_fields; i++) {
        free(m->fields[i].name);
        free(m->fields[i].value);
    }
    free(m->fields);
    free(m->body);
    free(m->file);
}

static void load_message(message *m, const char *path)
{
    memset(m, 0, sizeof(*m));
    m->file = strdup(path);
    size_t n;
    unsigned char *d = read_file(path, &n);
    parse_message(m, d, n);
    free(d);
}

/* ---- one message through an open, negotiated connection ---- */
typedef struct {
    const char *mail_from; /* with or without <> */
    const char *const *rcpts;
    size_t n_rcpts;
    const char *auth;     /* {auth_authen} at MAIL, NULL: none */
    const char *queue_id; /* macro i at end of message */
    size_t chunk;         /* body chunk size */
} envelope;

static bool send_fields_and_eom(conn *c, const message *m, const envelope *e, outcome *o,
                                const char *prefix)
{
    char stage[64];
    buf b = {0};
    bool ok = true;
    snprintf(stage, sizeof(stage), "%sdata", prefix);
    if (!step(c, stage, C_DATA, NULL, 0, P_NODATA, P_NR_DATA, o) || o->final != 'c') {
        return false;
    }
    for (size_t i = 0; i < m->n_fields && ok; i++) {
        b.n = 0;
        add_field(&b, &m->fields[i], c->protocol);
        snprintf(stage, sizeof(stage), "%sheader", prefix);
        ok = step(c, stage, C_HEADER, b.p, b.n, P_NOHDRS, P_NR_HDR, o) && o->final == 'c';
    }
    free(b.p);
    if (!ok) {
        return false;
    }
    snprintf(stage, sizeof(stage), "%seoh", prefix);
    if (!step(c, stage, C_EOH, NULL, 0, P_NOEOH, P_NR_EOH, o) || o->final != 'c') {
        return false;
    }
    size_t chunk = e->chunk > 0 && e->chunk <= BODY_CHUNK ? e->chunk : BODY_CHUNK;
    for (size_t off = 0; off < m->body_len; off += chunk) {
        size_t k = m->body_len - off < chunk ? m->body_len - off : chunk;
        snprintf(stage, sizeof(stage), "%sbody", prefix);
        if (!step(c, stage, C_BODY, m->body + off, k, P_NOBODY, P_NR_BODY, o)) {
            return false;
        }
        if (o->final == 's') {
            break; /* skip: the rest of the body is not wanted, the end of message is */
        }
        if (o->final != 'c') {
            return false;
        }
    }
    const char *mv[2] = {"i", e->queue_id ? e->queue_id : "QID"};
    if (!send_macros(c, C_BODYEOB, mv, 2)) {
        return false;
    }
    snprintf(stage, sizeof(stage), "%seom", prefix);
    bool done = step(c, stage, C_BODYEOB, NULL, 0, 0, 0, o);
    o->eom_done = done && o->final != 0;
    return done;
}

static bool send_message(conn *c, const message *m, const envelope *e, outcome *o,
                         const char *prefix)
{
    char stage[64];
    buf b = {0};
    FILE *out = o->out;
    memset(o, 0, sizeof(*o));
    o->out = out;
    const char *mf = e->mail_from ? e->mail_from : "<>";
    char mfb[600];
    if (mf[0] != '<') {
        snprintf(mfb, sizeof(mfb), "<%s>", mf);
        mf = mfb;
    }
    const char *mv[4] = {"{mail_addr}", mf, "{auth_authen}", e->auth ? e->auth : ""};
    if (!send_macros(c, C_MAIL, mv, e->auth ? 4 : 2)) {
        return false;
    }
    snprintf(stage, sizeof(stage), "%smail", prefix);
    buf_add(&b, mf, strlen(mf) + 1, ARG_CAP);
    bool ok = step(c, stage, C_MAIL, b.p, b.n, P_NOMAIL, P_NR_MAIL, o) && o->final == 'c';
    for (size_t i = 0; ok && i < e->n_rcpts; i++) {
        b.n = 0;
        buf_add(&b, e->rcpts[i], strlen(e->rcpts[i]) + 1, ARG_CAP);
        snprintf(stage, sizeof(stage), "%srcpt", prefix);
        ok = step(c, stage, C_RCPT, b.p, b.n, P_NORCPT, P_NR_RCPT, o) && o->final == 'c';
    }
    free(b.p);
    if (!ok) {
        if (o->final != 0) { /* refused before DATA: the MTA ends the transaction */
            send_packet(c, C_ABORT, NULL, 0);
        }
        return o->final != 0;
    }
    ok = send_fields_and_eom(c, m, e, o, prefix);
    if (!o->eom_done && o->final != 0) { /* refused before the end: the MTA aborts */
        send_packet(c, C_ABORT, NULL, 0);
    }
    return ok || o->final != 0;
}

static bool open_session(conn *c, const char *sock, const char *host, const char *ip,
                         const char *helo, FILE *out, char *err, size_t errsize)
{
    c->fd = open_socket(sock, err, errsize);
    c->tcp = strncmp(sock, "inet", 4) == 0;
    if (c->fd < 0) {
        return false;
    }
    if (!optneg(c, OFFER_VERSION, OFFER_ACTIONS, OFFER_PROTOCOL, out)) {
        snprintf(err, errsize, "option negotiation failed");
        return false;
    }
    const char *mv[6] = {"j", "mx.test", "{daemon_name}", "ms-milterdrv", "{client_addr}", ip};
    outcome o = {.out = out};
    buf b = {0};
    connect_data(&b, host, ip, 25);
    bool ok = send_macros(c, C_CONNECT, mv, 6) &&
              step(c, "connect", C_CONNECT, b.p, b.n, P_NOCONNECT, P_NR_CONN, &o) && o.final == 'c';
    if (ok && helo != NULL) {
        b.n = 0;
        buf_add(&b, helo, strlen(helo) + 1, ARG_CAP);
        ok = step(c, "helo", C_HELO, b.p, b.n, P_NOHELO, P_NR_HELO, &o) && o.final == 'c';
    }
    free(b.p);
    if (!ok) {
        snprintf(err, errsize, "connect/helo not accepted");
    }
    return ok;
}

static void close_conn(conn *c, bool quit)
{
    if (c->fd >= 0) {
        if (quit) {
            send_packet(c, C_QUIT, NULL, 0);
        }
        close(c->fd);
        c->fd = -1;
    }
}

/* ---- session mode ---- */
static int cmd_session(int argc, char **argv)
{
    if (argc < 3) {
        die("usage: session SOCKET [-i IP] [-n HOSTNAME] [-H HELO] [-f MAIL_FROM] [-r RCPT]... "
            "[-a AUTH_USER] [-b CHUNK] [-t TIMEOUT_MS] MSG.eml...");
    }
    const char *sock = argv[2];
    const char *ip = "192.0.2.10", *host = "client.test", *helo = "client.test";
    const char *mail_from = NULL, *auth = NULL;
    const char *rcpts[1000];
    size_t n_rcpts = 0, chunk = BODY_CHUNK;
    int timeout_ms = 30000;
    int i = 3;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *o = argv[i];
        if (i + 1 >= argc) {
            die("%s needs a value", o);
        }
        const char *v = argv[++i];
        if (strcmp(o, "-i") == 0) {
            ip = v;
        } else if (strcmp(o, "-n") == 0) {
            host = v;
        } else if (strcmp(o, "-H") == 0) {
            helo = v;
        } else if (strcmp(o, "-f") == 0) {
            mail_from = v;
        } else if (strcmp(o, "-r") == 0) {
            if (n_rcpts == 1000) {
                die("too many -r");
            }
            rcpts[n_rcpts++] = v;
        } else if (strcmp(o, "-a") == 0) {
            auth = v;
        } else if (strcmp(o, "-b") == 0 || strcmp(o, "-t") == 0) {
            char *end;
            errno = 0;
            unsigned long x = strtoul(v, &end, 10);
            if (errno || *end || x == 0 || x > (o[1] == 'b' ? BODY_CHUNK : 3600000u)) {
                die("bad %s %s", o, v);
            }
            if (o[1] == 'b') {
                chunk = x;
            } else {
                timeout_ms = (int)x;
            }
        } else {
            die("unknown option %s", o);
        }
    }
    if (i >= argc) {
        die("no message given");
    }
    if (n_rcpts == 0) {
        rcpts[n_rcpts++] = "<user@rcpt.test>";
    }
    conn c = {.fd = -1, .timeout_ms = timeout_ms};
    char err[256];
    if (!open_session(&c, sock, host, ip, helo, stdout, err, sizeof(err))) {
        printf("session: %s\n", err);
        return 1;
    }
    int rc = 0;
    for (int k = 1; i < argc; i++, k++) {
        message m;
        load_message(&m, argv[i]);
        printf("message %d %s\n", k, argv[i]);
        char qid[32];
        snprintf(qid, sizeof(qid), "Q%04d", k);
        envelope e = {.mail_from = mail_from,
                      .rcpts = rcpts,
                      .n_rcpts = n_rcpts,
                      .auth = auth,
                      .queue_id = qid,
                      .chunk = chunk};
        outcome o = {.out = stdout};
        if (!send_message(&c, &m, &e, &o, "")) {
            free_message(&m);
            rc = 1;
            break;
        }
        printf("result %d %s\n", k, o.final ? reply_name(o.final) : "none");
        free_message(&m);
    }
    close_conn(&c, true);
    free(c.rbuf);
    fflush(stdout);
    return rc;
}

/* ---- script mode ---- */
/* Tokens: bare words, or "quoted" with escapes \n \r \t \0 \\ \" \xNN and \{N,c} (N copies
 * of the byte c, itself possibly \xNN). Adjacent tokens are separate arguments. */
static size_t tokenize(const char *line, size_t n, buf *args, size_t max, size_t lineno)
{
    size_t na = 0, i = 0;
    while (i < n) {
        while (i < n && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        if (i >= n || line[i] == '#') {
            break;
        }
        if (na == max) {
            die("line %zu: over %zu arguments", lineno, max);
        }
        buf *a = &args[na++];
        a->n = 0;
        if (line[i] != '"') {
            while (i < n && line[i] != ' ' && line[i] != '\t') {
                buf_byte(a, (unsigned char)line[i++]);
            }
            buf_byte(a, 0);
            a->n--;
            continue;
        }
        i++;
        bool closed = false;
        while (i < n) {
            char ch = line[i++];
            if (ch == '"') {
                closed = true;
                break;
            }
            if (ch != '\\') {
                buf_byte(a, (unsigned char)ch);
                continue;
            }
            if (i >= n) {
                die("line %zu: lone backslash", lineno);
            }
            char e = line[i++];
            unsigned long x;
            char *end;
            switch (e) {
            case 'n':
                buf_byte(a, '\n');
                break;
            case 'r':
                buf_byte(a, '\r');
                break;
            case 't':
                buf_byte(a, '\t');
                break;
            case '0':
                buf_byte(a, 0);
                break;
            case '\\':
                buf_byte(a, '\\');
                break;
            case '"':
                buf_byte(a, '"');
                break;
            case 'x': {
                char hx[3] = {0, 0, 0};
                if (i + 2 > n) {
                    die("line %zu: bad \\x", lineno);
                }
                memcpy(hx, line + i, 2);
                x = strtoul(hx, &end, 16);
                if (*end != '\0') {
                    die("line %zu: bad \\x%s", lineno, hx);
                }
                buf_byte(a, (unsigned char)x);
                i += 2;
                break;
            }
            case '{': {
                errno = 0;
                x = strtoul(line + i, &end, 10);
                if (errno || end == line + i || *end != ',' || x > ARG_CAP) {
                    die("line %zu: bad \\{N,c}", lineno);
                }
                i = (size_t)(end - line) + 1;
                unsigned char rep;
                if (i + 1 < n && line[i] == '\\' && line[i + 1] == 'x' && i + 4 <= n) {
                    char hx[3] = {line[i + 2], line[i + 3], 0};
                    rep = (unsigned char)strtoul(hx, &end, 16);
                    i += 4;
                } else if (i < n) {
                    rep = (unsigned char)line[i++];
                } else {
                    die("line %zu: bad \\{N,c}", lineno);
                }
                if (i >= n || line[i] != '}') {
                    die("line %zu: \\{N,c} not closed", lineno);
                }
                i++;
                for (unsigned long k = 0; k < x; k++) {
                    buf_byte(a, rep);
                }
                break;
            }
            default:
                die("line %zu: unknown escape \\%c", lineno, e);
            }
        }
        if (!closed) {
            die("line %zu: unterminated string", lineno);
        }
        buf_byte(a, 0);
        a->n--;
    }
    return na;
}

static unsigned long num_arg(const buf *a, size_t lineno, unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul((const char *)a->p, &end, 0);
    if (errno || end == (const char *)a->p || *end != '\0' || x > max) {
        die("line %zu: bad number %s", lineno, (const char *)a->p);
    }
    return x;
}

static const struct {
    const char *name;
    char cmd;
    uint32_t no, nr;
} simple_cmds[] = {
    {"helo", C_HELO, P_NOHELO, P_NR_HELO},          {"mail", C_MAIL, P_NOMAIL, P_NR_MAIL},
    {"rcpt", C_RCPT, P_NORCPT, P_NR_RCPT},          {"data", C_DATA, P_NODATA, P_NR_DATA},
    {"header", C_HEADER, P_NOHDRS, P_NR_HDR},       {"eoh", C_EOH, P_NOEOH, P_NR_EOH},
    {"body", C_BODY, P_NOBODY, P_NR_BODY},          {"eom", C_BODYEOB, 0, 0},
    {"unknown", C_UNKNOWN, P_NOUNKNOWN, P_NR_UNKN},
};

typedef struct {
    conn c;
    const char *sock;
    FILE *out;
    int status; /* 1 when a command failed unexpectedly (send to a closed socket is normal) */
} script_state;

/* One line; args[0] is the command. Returns false to stop the script. */
static void run_line(script_state *st, buf *args, size_t na, size_t lineno)
{
    conn *c = &st->c;
    const char *cmd = (const char *)args[0].p;
    outcome o = {.out = st->out};
    if (strcmp(cmd, "open") == 0) {
        close_conn(c, false);
        char err[256];
        const char *s = na > 1 ? (const char *)args[1].p : st->sock;
        c->fd = open_socket(s, err, sizeof(err));
        c->tcp = strncmp(s, "inet", 4) == 0;
        fprintf(st->out, "open: %s\n", c->fd >= 0 ? "ok" : err);
        if (c->fd < 0) {
            st->status = 1;
        }
        c->protocol = 0;
        return;
    }
    if (strcmp(cmd, "optneg") == 0) {
        uint32_t v = na > 1 ? (uint32_t)num_arg(&args[1], lineno, UINT32_MAX) : OFFER_VERSION;
        uint32_t a = na > 2 ? (uint32_t)num_arg(&args[2], lineno, UINT32_MAX) : OFFER_ACTIONS;
        uint32_t p = na > 3 ? (uint32_t)num_arg(&args[3], lineno, UINT32_MAX) : OFFER_PROTOCOL;
        (void)optneg(c, v, a, p, st->out);
        return;
    }
    if (strcmp(cmd, "macro") == 0) { /* macro STAGE NAME VALUE ... */
        if (na < 2 || args[1].n != 1) {
            die("line %zu: macro STAGE-CHAR NAME VALUE...", lineno);
        }
        const char *nv[MAX_ARGS];
        for (size_t k = 2; k < na; k++) {
            nv[k - 2] = (const char *)args[k].p;
        }
        if (!send_macros(c, (char)args[1].p[0], nv, na - 2)) {
            fprintf(st->out, "macro: send failed\n");
        }
        return;
    }
    if (strcmp(cmd, "connect") == 0) { /* connect HOSTNAME [IP [PORT]] */
        buf b = {0};
        unsigned long port = na > 3 ? num_arg(&args[3], lineno, 65535) : 25;
        connect_data(&b, na > 1 ? (const char *)args[1].p : "client.test",
                     na > 2 ? (const char *)args[2].p : NULL, (uint16_t)port);
        (void)step(c, "connect", C_CONNECT, b.p, b.n, P_NOCONNECT, P_NR_CONN, &o);
        free(b.p);
        return;
    }
    for (size_t k = 0; k < sizeof(simple_cmds) / sizeof(simple_cmds[0]); k++) {
        if (strcmp(cmd, simple_cmds[k].name) != 0) {
            continue;
        }
        /* data: each argument NUL-terminated (helo, mail, rcpt, header name+value), except
         * body/eom/unknown whose single argument is sent as is (unknown: NUL added). */
        buf b = {0};
        char ch = simple_cmds[k].cmd;
        for (size_t j = 1; j < na; j++) {
            buf_add(&b, args[j].p, args[j].n, ARG_CAP);
            if (ch != C_BODY && ch != C_BODYEOB) {
                buf_byte(&b, 0);
            }
        }
        (void)step(c, cmd, ch, b.p, b.n, simple_cmds[k].no, simple_cmds[k].nr, &o);
        free(b.p);
        return;
    }
    if (strcmp(cmd, "headers") == 0) { /* headers N NAME VALUE: N fields, replies counted */
        if (na != 4) {
            die("line %zu: headers N NAME VALUE", lineno);
        }
        unsigned long n = num_arg(&args[1], lineno, 10000000);
        buf b = {0};
        buf_add(&b, args[2].p, args[2].n, ARG_CAP);
        buf_byte(&b, 0);
        buf_add(&b, args[3].p, args[3].n, ARG_CAP);
        buf_byte(&b, 0);
        outcome q = {.out = NULL};
        unsigned long cont = 0, other = 0;
        double t0 = now_s();
        for (unsigned long k = 0; k < n; k++) {
            if (!step(c, "header", C_HEADER, b.p, b.n, P_NOHDRS, P_NR_HDR, &q)) {
                break;
            }
            if (q.final == 'c') {
                cont++;
            } else {
                other++;
                fprintf(st->out, "headers: field %lu: %s\n", k + 1, reply_name(q.final));
            }
        }
        fprintf(st->out, "headers: %lu sent, %lu continue, %lu other, %.3f s\n", cont + other, cont,
                other, now_s() - t0);
        free(b.p);
        return;
    }
    if (strcmp(cmd, "rcpts") == 0) { /* rcpts N PREFIX DOMAIN: <PREFIXk@DOMAIN> */
        if (na != 4) {
            die("line %zu: rcpts N PREFIX DOMAIN", lineno);
        }
        unsigned long n = num_arg(&args[1], lineno, 1000000);
        outcome q = {.out = NULL};
        unsigned long cont = 0;
        for (unsigned long k = 0; k < n; k++) {
            char r[1024];
            int l = snprintf(r, sizeof(r), "<%s%lu@%s>", (const char *)args[2].p, k,
                             (const char *)args[3].p);
            if (l < 0 || (size_t)l >= sizeof(r)) {
                die("line %zu: recipient too long", lineno);
            }
            if (!step(c, "rcpt", C_RCPT, r, (size_t)l + 1, P_NORCPT, P_NR_RCPT, &q)) {
                break;
            }
            cont += q.final == 'c';
        }
        fprintf(st->out, "rcpts: %lu sent, %lu continue\n", n, cont);
        return;
    }
    if (strcmp(cmd, "body-fill") == 0) { /* body-fill TOTAL CHUNK: lines of 'x' + CRLF */
        if (na != 3) {
            die("line %zu: body-fill TOTAL CHUNK", lineno);
        }
        unsigned long long total = strtoull((const char *)args[1].p, NULL, 0);
        unsigned long chunk = num_arg(&args[2], lineno, 1024 * 1024);
        if (chunk == 0) {
            die("line %zu: chunk 0", lineno);
        }
        unsigned char *d = malloc(chunk);
        if (d == NULL) {
            die("out of memory");
        }
        for (unsigned long k = 0; k < chunk; k++) {
            d[k] = (k % 78 == 76) ? '\r' : (k % 78 == 77) ? '\n' : 'x';
        }
        outcome q = {.out = NULL};
        unsigned long long sent = 0;
        double t0 = now_s();
        bool ok = true;
        while (sent < total) {
            size_t k = total - sent < chunk ? (size_t)(total - sent) : chunk;
            if (!step(c, "body", C_BODY, d, k, P_NOBODY, P_NR_BODY, &q) || q.final != 'c') {
                ok = false;
                break;
            }
            sent += k;
        }
        fprintf(st->out, "body-fill: %llu bytes sent%s, %.1f s\n", sent,
                ok ? "" : " (stopped: not continue)", now_s() - t0);
        free(d);
        return;
    }
    if (strcmp(cmd, "eml") == 0) { /* eml FILE [CHUNK]: its header fields, eoh, body (no eom) */
        if (na < 2) {
            die("line %zu: eml FILE [CHUNK]", lineno);
        }
        message m;
        load_message(&m, (const char *)args[1].p);
        size_t chunk = na > 2 ? num_arg(&args[2], lineno, BODY_CHUNK) : BODY_CHUNK;
        buf b = {0};
        bool ok = true;
        for (size_t k = 0; k < m.n_fields && ok; k++) {
            b.n = 0;
            add_field(&b, &m.fields[k], c->protocol);
            ok = step(c, "header", C_HEADER, b.p, b.n, P_NOHDRS, P_NR_HDR, &o) && o.final == 'c';
        }
        free(b.p);
        if (ok) {
            ok = step(c, "eoh", C_EOH, NULL, 0, P_NOEOH, P_NR_EOH, &o) && o.final == 'c';
        }
        for (size_t off = 0; ok && off < m.body_len; off += chunk) {
            size_t k = m.body_len - off < chunk ? m.body_len - off : chunk;
            ok =
                step(c, "body", C_BODY, m.body + off, k, P_NOBODY, P_NR_BODY, &o) && o.final == 'c';
        }
        free_message(&m);
        return;
    }
    if (strcmp(cmd, "abort") == 0 || strcmp(cmd, "quit") == 0 || strcmp(cmd, "quit-nc") == 0) {
        char ch = cmd[0] == 'a' ? C_ABORT : cmd[4] == '-' ? C_QUIT_NC : C_QUIT;
        if (!send_packet(c, ch, NULL, 0)) {
            fprintf(st->out, "%s: send failed\n", cmd);
        }
        return;
    }
    if (strcmp(cmd, "raw") == 0 || strcmp(cmd, "raw-len") == 0) {
        /* raw CMD [DATA]: a packet, no reply read. raw-len LEN CMD [DATA]: the length field
         * says LEN whatever follows. */
        size_t k = 1;
        unsigned char hdr[5];
        if (cmd[3] == '-') {
            if (na < 3) {
                die("line %zu: raw-len LEN CMD [DATA]", lineno);
            }
            put32(hdr, (uint32_t)num_arg(&args[1], lineno, UINT32_MAX));
            k = 2;
        } else if (na < 2) {
            die("line %zu: raw CMD [DATA]", lineno);
        }
        if (args[k].n != 1) {
            die("line %zu: CMD is one character", lineno);
        }
        size_t dl = na > k + 1 ? args[k + 1].n : 0;
        if (cmd[3] != '-') {
            put32(hdr, (uint32_t)(dl + 1));
        }
        hdr[4] = args[k].p[0];
        bool ok = write_all(c->fd, hdr, 5) && (dl == 0 || write_all(c->fd, args[k + 1].p, dl));
        fprintf(st->out, "%s: %s\n", cmd, ok ? "sent" : "send failed");
        return;
    }
    if (strcmp(cmd, "bytes") == 0) { /* bytes DATA: written as is */
        bool ok = na > 1 && write_all(c->fd, args[1].p, args[1].n);
        fprintf(st->out, "bytes: %s\n", ok ? "sent" : "send failed");
        return;
    }
    if (strcmp(cmd, "read") == 0) { /* read one reply, or print closed/timeout */
        (void)read_until_final(c, "read", true, &o);
        return;
    }
    if (strcmp(cmd, "expect-closed") == 0) { /* the milter closes without replying */
        unsigned char x;
        rd_status r = read_exact(c, &x, 1);
        fprintf(st->out, "expect-closed: %s\n",
                r == RD_CLOSED    ? "closed"
                : r == RD_TIMEOUT ? "timeout (still open)"
                : r == RD_OK      ? "got data (still open)"
                                  : "error");
        return;
    }
    if (strcmp(cmd, "close") == 0) {
        close_conn(c, false);
        fprintf(st->out, "close: ok\n");
        return;
    }
    if (strcmp(cmd, "timeout") == 0 && na == 2) {
        c->timeout_ms = (int)num_arg(&args[1], lineno, 3600000);
        return;
    }
    if (strcmp(cmd, "sleep") == 0 && na == 2) {
        unsigned long ms = num_arg(&args[1], lineno, 600000);
        struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        return;
    }
    if (strcmp(cmd, "echo") == 0) {
        for (size_t k = 1; k < na; k++) {
            fprintf(st->out, "%s%s", k > 1 ? " " : "", (const char *)args[k].p);
        }
        fputc('\n', st->out);
        return;
    }
    die("line %zu: unknown command %s", lineno, cmd);
}

static int cmd_script(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        die("usage: script SOCKET [FILE]");
    }
    FILE *f = argc == 4 ? fopen(argv[3], "r") : stdin;
    if (f == NULL) {
        die("%s: %s", argv[3], strerror(errno));
    }
    script_state st = {.c = {.fd = -1, .timeout_ms = 10000}, .sock = argv[2], .out = stdout};
    buf args[MAX_ARGS];
    memset(args, 0, sizeof(args));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t lineno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if ((size_t)n > SCRIPT_LINE_CAP) {
            die("line %zu: over %u bytes", lineno, SCRIPT_LINE_CAP);
        }
        size_t l = (size_t)n;
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r')) {
            l--;
        }
        size_t na = tokenize(line, l, args, MAX_ARGS, lineno);
        if (na == 0) {
            continue;
        }
        run_line(&st, args, na, lineno);
        fflush(stdout);
    }
    free(line);
    for (size_t k = 0; k < MAX_ARGS; k++) {
        free(args[k].p);
    }
    close_conn(&st.c, false);
    free(st.c.rbuf);
    if (f != stdin) {
        fclose(f);
    }
    return st.status;
}

/* ---- load mode ---- */
typedef struct {
    const char *sock;
    message *msgs;
    size_t n_msgs;
    unsigned long total;    /* messages to send */
    unsigned long per_conn; /* messages per connection */
    unsigned long next;     /* next message number (guarded by lock) */
    pthread_mutex_t lock;
    double *lat;               /* per message latency, seconds */
    unsigned long counts[256]; /* final reply kinds (guarded by lock) */
    unsigned long n_ins, n_quar, errors;
} load_state;

static bool take_next(load_state *ls, unsigned long *k)
{
    pthread_mutex_lock(&ls->lock);
    bool ok = ls->next < ls->total;
    if (ok) {
        *k = ls->next++;
    }
    pthread_mutex_unlock(&ls->lock);
    return ok;
}

static void *load_worker(void *arg)
{
    load_state *ls = arg;
    conn c = {.fd = -1, .timeout_ms = 60000};
    unsigned long in_conn = 0, k;
    const char *rcpt[1] = {"<postmaster@rcpt.test>"};
    while (take_next(ls, &k)) {
        const message *m = &ls->msgs[k % ls->n_msgs];
        double t0 = now_s();
        if (c.fd < 0) {
            char err[256];
            if (!open_session(&c, ls->sock, "client.test", m->ip, m->helo, NULL, err,
                              sizeof(err))) {
                pthread_mutex_lock(&ls->lock);
                ls->errors++;
                pthread_mutex_unlock(&ls->lock);
                fprintf(stderr, "load: message %lu: %s\n", k, err);
                close_conn(&c, false);
                ls->lat[k] = -1;
                continue;
            }
            in_conn = 0;
        }
        char qid[32];
        snprintf(qid, sizeof(qid), "L%08lu", k);
        envelope e = {.mail_from = m->mail_from, .rcpts = rcpt, .n_rcpts = 1, .queue_id = qid};
        outcome o = {.out = NULL};
        bool ok = send_message(&c, m, &e, &o, "");
        ls->lat[k] = now_s() - t0;
        pthread_mutex_lock(&ls->lock);
        if (!ok || o.final == 0) {
            ls->errors++;
            ls->lat[k] = -1;
        } else {
            ls->counts[(unsigned char)o.final]++;
            ls->n_ins += o.n_ins;
            ls->n_quar += o.n_quar;
        }
        pthread_mutex_unlock(&ls->lock);
        if (!ok || o.final == 0 || ++in_conn >= ls->per_conn) {
            close_conn(&c, ok);
        }
    }
    close_conn(&c, true);
    free(c.rbuf);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ENVELOPES: "file<TAB>client_ip<TAB>helo<TAB>mail_from" (bench/verify/gen_envelopes.py). */
static void load_envelopes(const char *path, message *msgs, size_t n)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        die("%s: %s", path, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    size_t matched = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        char *col[4] = {line, NULL, NULL, NULL};
        for (int k = 1; k < 4; k++) {
            char *t = col[k - 1] ? strchr(col[k - 1], '\t') : NULL;
            if (t != NULL) {
                *t = '\0';
                col[k] = t + 1;
            }
        }
        if (col[3] == NULL) {
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            const char *base = strrchr(msgs[i].file, '/');
            base = base ? base + 1 : msgs[i].file;
            if (strcmp(base, col[0]) == 0) {
                snprintf(msgs[i].ip, sizeof(msgs[i].ip), "%s", col[1]);
                snprintf(msgs[i].helo, sizeof(msgs[i].helo), "%s", col[2]);
                snprintf(msgs[i].mail_from, sizeof(msgs[i].mail_from), "%s", col[3]);
                matched++;
                break;
            }
        }
    }
    free(line);
    fclose(f);
    fprintf(stderr, "load: envelopes for %zu of %zu messages\n", matched, n);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_load(int argc, char **argv)
{
    if (argc < 3) {
        die("usage: load SOCKET -c CONNS -n MESSAGES [-k PER_CONN] [-e ENVELOPES.tsv] DIR");
    }
    load_state ls;
    memset(&ls, 0, sizeof(ls));
    ls.sock = argv[2];
    unsigned long conns = 1;
    ls.total = 1000;
    ls.per_conn = 1;
    const char *env = NULL, *dir = NULL;
    for (int i = 3; i < argc; i++) {
        if (argv[i][0] != '-') {
            dir = argv[i];
            continue;
        }
        if (i + 1 >= argc) {
            die("%s needs a value", argv[i]);
        }
        const char *o = argv[i], *v = argv[++i];
        if (strcmp(o, "-e") == 0) {
            env = v;
            continue;
        }
        char *end;
        errno = 0;
        unsigned long x = strtoul(v, &end, 10);
        if (errno || *end || x == 0 || x > 100000000ul) {
            die("bad %s %s", o, v);
        }
        if (strcmp(o, "-c") == 0 && x <= 4096) {
            conns = x;
        } else if (strcmp(o, "-n") == 0) {
            ls.total = x;
        } else if (strcmp(o, "-k") == 0) {
            ls.per_conn = x;
        } else {
            die("bad option %s %s", o, v);
        }
    }
    if (dir == NULL) {
        die("no corpus directory");
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        die("%s: %s", dir, strerror(errno));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    const struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            char **q = realloc(names, cap * sizeof(*names));
            if (q == NULL) {
                die("out of memory");
            }
            names = q;
        }
        size_t l = strlen(dir) + strlen(de->d_name) + 2;
        names[n] = malloc(l);
        if (names[n] == NULL) {
            die("out of memory");
        }
        snprintf(names[n], l, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    if (n == 0) {
        die("%s: no messages", dir);
    }
    qsort(names, n, sizeof(*names), cmp_str);
    ls.msgs = calloc(n, sizeof(message));
    if (ls.msgs == NULL) {
        die("out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        load_message(&ls.msgs[i], names[i]);
        snprintf(ls.msgs[i].ip, sizeof(ls.msgs[i].ip), "192.0.2.10");
        snprintf(ls.msgs[i].helo, sizeof(ls.msgs[i].helo), "client.test");
        free(names[i]);
    }
    free(names);
    ls.n_msgs = n;
    if (env != NULL) {
        load_envelopes(env, ls.msgs, n);
    }
    ls.lat = calloc(ls.total, sizeof(double));
    if (ls.lat == NULL) {
        die("out of memory");
    }
    pthread_mutex_init(&ls.lock, NULL);
    pthread_t *th = calloc(conns, sizeof(pthread_t));
    if (th == NULL) {
        die("out of memory");
    }
    double t0 = now_s();
    for (unsigned long i = 0; i < conns; i++) {
        if (pthread_create(&th[i], NULL, load_worker, &ls) != 0) {
            die("cannot start thread %lu", i);
        }
    }
    for (unsigned long i = 0; i < conns; i++) {
        pthread_join(th[i], NULL);
    }
    double secs = now_s() - t0;
    size_t ok = 0;
    for (unsigned long i = 0; i < ls.total; i++) {
        if (ls.lat[i] >= 0) {
            ls.lat[ok++] = ls.lat[i];
        }
    }
    qsort(ls.lat, ok, sizeof(double), cmp_double);
    double p50 = ok ? ls.lat[ok / 2] : 0, p90 = ok ? ls.lat[(ok * 9) / 10] : 0;
    double p99 = ok ? ls.lat[(ok * 99) / 100] : 0, mx = ok ? ls.lat[ok - 1] : 0;
    printf("load: conns=%lu messages=%lu per_conn=%lu corpus=%zu seconds=%.3f msgs_per_s=%.1f "
           "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f continue=%lu accept=%lu "
           "reject=%lu tempfail=%lu replycode=%lu discard=%lu insheader=%lu quarantine=%lu "
           "errors=%lu\n",
           conns, ls.total, ls.per_conn, n, secs, secs > 0 ? (double)ok / secs : 0.0, p50 * 1e3,
           p90 * 1e3, p99 * 1e3, mx * 1e3, ls.counts['c'], ls.counts['a'], ls.counts['r'],
           ls.counts['t'], ls.counts['y'], ls.counts['d'], ls.n_ins, ls.n_quar, ls.errors);
    free(th);
    free(ls.lat);
    for (size_t i = 0; i < n; i++) {
        free_message(&ls.msgs[i]);
    }
    free(ls.msgs);
    pthread_mutex_destroy(&ls.lock);
    return ls.errors ? 1 : 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        die("usage: ms-milterdrv script|session|load SOCKET ...");
    }
    if (strcmp(argv[1], "script") == 0) {
        return cmd_script(argc, argv);
    }
    if (strcmp(argv[1], "session") == 0) {
        return cmd_session(argc, argv);
    }
    if (strcmp(argv[1], "load") == 0) {
        return cmd_load(argc, argv);
    }
    die("unknown mode %s (script, session, load)", argv[1]);
}
