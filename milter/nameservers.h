/* SPDX-License-Identifier: MIT */
/* The config's Nameservers entries in the form the resolver takes. Shared by the daemon's
 * resolver set-up (reload.c) and --check-config (check_config.c). */
#ifndef MAILSEAL_MILTER_NAMESERVERS_H
#define MAILSEAL_MILTER_NAMESERVERS_H

#include <stddef.h>

/* "IP" or "IP@PORT" (the config's form, unbound's forward-addr) as ms_unbound_options wants
 * it: "IP", "IP:PORT" or "[IPV6]:PORT". -1 when it does not fit in size bytes. */
int milter_nameserver_spec(const char *item, char *out, size_t size);

#endif
