/* SPDX-License-Identifier: MIT */
/* The provider table of providers.c seen from outside the domain audit: which sending service a
 * domain name belongs to (lib/summary names the sources of received reports with it). */
#ifndef MS_CHECK_PROVIDERS_H
#define MS_CHECK_PROVIDERS_H

/* The provider whose outgoing mail shows name (a reverse DNS name, a DKIM d= or MAIL FROM
 * domain): name equal to one of its sender domains or below it ("a8-1.smtp-out.amazonses.com"
 * -> "Amazon SES"), any case, trailing dot allowed. NULL when none (or name is NULL/""). */
const char *ms__provider_of(const char *name);

#endif
