/* SPDX-License-Identifier: MIT */
/* Private: the zone view's record store, used by the master-file parser. */
#ifndef MS_DNS_ZONE_H
#define MS_DNS_ZONE_H

#include "mailseal/dns.h"

/* Is r a zone-backed resolver (ms_resolver_new_zone)? */
int ms__zone_is_zone(const ms_resolver *r);

#endif
