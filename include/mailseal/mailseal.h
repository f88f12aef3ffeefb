/* SPDX-License-Identifier: MIT */
/* The whole public API of libmailseal. */
#ifndef MAILSEAL_MAILSEAL_H
#define MAILSEAL_MAILSEAL_H

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/authres.h"
#include "mailseal/check.h"
#include "mailseal/dkim.h"
#include "mailseal/dkimkey.h"
#include "mailseal/dmarc.h"
#include "mailseal/message.h"
#include "mailseal/dns.h"
#include "mailseal/msg.h"
#include "mailseal/report.h"
#include "mailseal/spf.h"
#include "mailseal/status.h"
#include "mailseal/trace.h"

#define MS_VERSION "0.1.0"

#endif
