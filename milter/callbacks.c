/* SPDX-License-Identifier: MIT */
/* libmilter's callbacks, each a thin call into session.c (issue 6 §2). */
#include <arpa/inet.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "callbacks.h"
#include "milter.h"

static milter_session *sess(SMFICTX *ctx)
{
    return (milter_session *)smfi_getpriv(ctx);
}

/* The protocol steps whose callback always continues (a failure is answered at the end of the
 * message) are negotiated "no reply" (milter protocol 6, SMFIP_NR_*): the MTA does not wait for
 * an answer to every header field and body chunk, which halves the round trips of a message.
 * libmilter sends the "continue" itself to an MTA that does not offer a flag. */
#define MILTER_NOREPLY_STEPS                                                                       \
    (SMFIP_NR_HELO | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long actions, unsigned long steps,
                             unsigned long f2, unsigned long f3, unsigned long *want_actions,
                             unsigned long *want_steps, unsigned long *pf2, unsigned long *pf3)
{
    (void)ctx;
    (void)actions; /* libmilter refuses an MTA that cannot do what *want_actions asks */
    (void)f2;
    (void)f3;
    *want_actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
    *want_steps |= steps & MILTER_NOREPLY_STEPS; /* keeps libmilter's NODATA, NOUNKNOWN */
    *pf2 = 0;
    *pf3 = 0;
    return SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *addr)
{
    /* The address libmilter got from the MTA; else the macro {client_addr}. */
    char buf[INET6_ADDRSTRLEN] = "";
    const char *ip = NULL;
    if (addr != NULL && addr->sa_family == AF_INET) {
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)(const void *)addr;
        ip = inet_ntop(AF_INET, &a4->sin_addr, buf, sizeof(buf));
    } else if (addr != NULL && addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)(const void *)addr;
        ip = inet_ntop(AF_INET6, &a6->sin6_addr, buf, sizeof(buf));
    }
    if (ip == NULL) {
        ip = smfi_getsymval(ctx, "{client_addr}");
    }
    milter_session *s = milter_session_new(ip ? ip : "", hostname);
    if (s == NULL) {
        return SMFIS_TEMPFAIL;
    }
    if (smfi_setpriv(ctx, s) != MI_SUCCESS) {
        milter_session_free(s);
        return SMFIS_TEMPFAIL;
    }
    return SMFIS_CONTINUE;
}

static sfsistat cb_helo(SMFICTX *ctx, char *helo)
{
    milter_session *s = sess(ctx);
    if (s != NULL) {
        milter_session_helo(s, helo);
    }
    return SMFIS_NOREPLY;
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
    milter_session *s = sess(ctx);
    if (s == NULL) {
        return SMFIS_TEMPFAIL;
    }
    const char *auth = smfi_getsymval(ctx, "{auth_authen}");
    (void)milter_session_envfrom(s, argv && argv[0] ? argv[0] : "", auth != NULL && auth[0]);
    /* Postfix sends the queue id (macro i) with MAIL only when it opens its queue file early
     * (smtpd_delay_open_until_valid_rcpt = no), else with RCPT (milter_rcpt_macros). */
    milter_session_queue_id(s, smfi_getsymval(ctx, "i"));
    return SMFIS_CONTINUE; /* a failure is answered at the end of the message */
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
    milter_session *s = sess(ctx);
    if (s != NULL && argv && argv[0]) {
        milter_session_envrcpt(s, argv[0]);
    }
    if (s != NULL) {
        milter_session_queue_id(s, smfi_getsymval(ctx, "i"));
    }
    return SMFIS_NOREPLY;
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
    milter_session *s = sess(ctx);
    if (s != NULL) {
        milter_session_header(s, name, value ? value : "");
    }
    return SMFIS_NOREPLY;
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
    milter_session *s = sess(ctx);
    if (s != NULL) {
        milter_session_queue_id(s, smfi_getsymval(ctx, "i"));
        milter_session_eoh(s);
    }
    return SMFIS_NOREPLY;
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    milter_session *s = sess(ctx);
    if (s != NULL) {
        milter_session_body(s, chunk, len);
    }
    return SMFIS_NOREPLY;
}

/* reply is "X.Y.Z text" (session.c, policy.c): the enhanced status code (RFC 3463) apart. */
static void set_reply(SMFICTX *ctx, const char *rcode, const char *reply)
{
    char xcode[16] = "";
    const char *text = reply ? reply : "";
    const char *sp = strchr(text, ' ');
    if (sp != NULL && (size_t)(sp - text) < sizeof(xcode) && text[0] >= '2' && text[0] <= '5' &&
        text[1] == '.') {
        memcpy(xcode, text, (size_t)(sp - text));
        xcode[sp - text] = '\0';
        text = sp + 1;
    }
    if (smfi_setreply(ctx, (char *)(uintptr_t)rcode, xcode[0] ? xcode : NULL,
                      (char *)(uintptr_t)text) != MI_SUCCESS) {
        milter_log(MS_MILTERCONF_LOG_WARNING, "reply text refused by libmilter");
    }
}

static sfsistat cb_eom(SMFICTX *ctx)
{
    milter_session *s = sess(ctx);
    if (s == NULL) {
        return SMFIS_TEMPFAIL;
    }
    milter_session_eom(s, smfi_getsymval(ctx, "i"));
    /* The history row is already committed (session.c) before this final reply. */
    for (size_t i = 0; i < s->n_changes; i++) {
        const milter_change *c = &s->changes[i];
        int r = c->kind == MILTER_CHG_DELETE
                    ? smfi_chgheader(ctx, (char *)(uintptr_t)c->name, (int)c->index, NULL)
                    : smfi_insheader(ctx, (int)c->index, (char *)(uintptr_t)c->name,
                                     (char *)(uintptr_t)c->value);
        if (r != MI_SUCCESS) {
            milter_log(MS_MILTERCONF_LOG_WARNING, "header change on %s refused by the MTA",
                       c->name);
        }
    }
    sfsistat ret = SMFIS_CONTINUE;
    switch (s->action) {
    case MILTER_REJECT:
        set_reply(ctx, "550", s->reply);
        ret = SMFIS_REJECT;
        break;
    case MILTER_TEMPFAIL:
        set_reply(ctx, "451", s->reply);
        ret = SMFIS_TEMPFAIL;
        break;
    case MILTER_QUARANTINE:
        if (smfi_quarantine(ctx, (char *)(uintptr_t)s->reply) != MI_SUCCESS) {
            milter_log(MS_MILTERCONF_LOG_WARNING, "quarantine refused by the MTA");
        }
        break;
    case MILTER_CONTINUE:
    default:
        break;
    }
    milter_session_abort(s); /* the message is over: free its arena */
    return ret;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
    milter_session *s = sess(ctx);
    if (s != NULL) {
        milter_session_abort(s);
    }
    return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
    milter_session *s = sess(ctx);
    if (s != NULL) {
        milter_session_free(s);
        (void)smfi_setpriv(ctx, NULL);
    }
    return SMFIS_CONTINUE;
}

static struct smfiDesc milter_desc = {
    .xxfi_name = (char *)"mailseal-milter",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
    .xxfi_connect = cb_connect,
    .xxfi_helo = cb_helo,
    .xxfi_envfrom = cb_envfrom,
    .xxfi_envrcpt = cb_envrcpt,
    .xxfi_header = cb_header,
    .xxfi_eoh = cb_eoh,
    .xxfi_body = cb_body,
    .xxfi_eom = cb_eom,
    .xxfi_abort = cb_abort,
    .xxfi_close = cb_close,
    .xxfi_negotiate = cb_negotiate,
};

int milter_callbacks_register(void)
{
    return smfi_register(milter_desc) == MI_SUCCESS ? 0 : -1;
}
