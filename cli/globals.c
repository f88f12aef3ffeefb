/* SPDX-License-Identifier: MIT */
/* Global options (--dns, --zone, --timeout, --trust-anchor, --json, --explain) and the
 * resolver they select. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool cli_global_option(cli_globals *g, int opt, const char *arg)
{
    switch (opt) {
    case OPT_DNS:
        g->dns = arg;
        return true;
    case OPT_ZONE:
        if (g->n_zones >= CLI_MAX_ZONES) {
            fprintf(stderr, "mailseal: at most %d --zone files\n", CLI_MAX_ZONES);
            return false;
        }
        g->zones[g->n_zones++] = arg;
        return true;
    case OPT_TIMEOUT: {
        char *end;
        errno = 0;
        double s = strtod(arg, &end);
        if (errno || end == arg || *end != '\0' || !(s > 0) || s > 600) {
            fprintf(stderr, "mailseal: --timeout wants seconds between 0 and 600, not '%s'\n", arg);
            return false;
        }
        g->timeout_ms = (unsigned)(s * 1000.0);
        if (g->timeout_ms == 0) {
            g->timeout_ms = 1;
        }
        return true;
    }
    case OPT_TRUST_ANCHOR:
        g->trust_anchor = arg;
        return true;
    case OPT_JSON:
        g->json = true;
        return true;
    case OPT_EXPLAIN:
        g->explain = true;
        return true;
    default:
        return false;
    }
}

bool cli_dns_open(const cli_globals *g, cli_dns *dns)
{
    dns->resolver = NULL;
    dns->live = NULL;
    if (g->n_zones > 0) {
        if (g->dns) {
            fprintf(stderr, "mailseal: --zone (offline) and --dns cannot be used together\n");
            return false;
        }
        ms_resolver *z;
        if (ms_resolver_new_zone(&z) != MS_OK) {
            fprintf(stderr, "mailseal: out of memory\n");
            return false;
        }
        for (size_t i = 0; i < g->n_zones; i++) {
            ms_zone_error err;
            memset(&err, 0, sizeof(err));
            ms_status st = ms_zone_load_file(z, g->zones[i], NULL, &err);
            if (st != MS_OK) {
                fprintf(stderr, "mailseal: %s:%u:%u: %s%s%s%s\n", g->zones[i], err.line, err.column,
                        err.reason ? err.reason : ms_status_str(st),
                        err.detail[0] ? " (near '" : "", err.detail, err.detail[0] ? "')" : "");
                ms_resolver_free(z);
                return false;
            }
        }
        dns->resolver = z;
        return true;
    }
    ms_unbound_options uo;
    memset(&uo, 0, sizeof(uo));
    uo.server = g->dns;
    uo.timeout_ms = g->timeout_ms;
    uo.trust_anchor_file = g->trust_anchor;
    char err[256] = "";
    ms_resolver *live;
    if (ms_resolver_new_unbound(&uo, &live, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "mailseal: cannot set up DNS: %s\n", err[0] ? err : "unknown error");
        return false;
    }
    ms_resolver *cache;
    if (ms_resolver_new_cache(live, 0, &cache) != MS_OK) {
        ms_resolver_free(live);
        fprintf(stderr, "mailseal: out of memory\n");
        return false;
    }
    dns->live = live;
    dns->resolver = cache;
    return true;
}

void cli_dns_close(cli_dns *dns)
{
    ms_resolver_free(dns->resolver); /* the cache first: it borrows the live resolver */
    ms_resolver_free(dns->live);
    dns->resolver = NULL;
    dns->live = NULL;
}
