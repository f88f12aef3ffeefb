/* SPDX-License-Identifier: MIT */
/* Text inside header fields the library writes (Received-SPF, Authentication-Results): header
 * fields are ASCII (RFC 5322 §2.2), and data from DNS or the client must not end a value or
 * a comment early. */
#ifndef MS_AUTHRES_TEXT_H
#define MS_AUTHRES_TEXT_H

#include "base/buf.h"

/* A quoted-string (RFC 5322 §3.2.4): '"' and '\' escaped, bytes outside printable ASCII '?'. */
void ms__authres_put_quoted(ms__buf *b, const char *s);
/* Comment text (RFC 5322 §3.2.2): balanced parentheses stay (comments nest), unbalanced ones
 * are escaped; the section sign becomes the word "section"; other bytes outside printable
 * ASCII become '?'. */
void ms__authres_put_comment(ms__buf *b, const char *s);

#endif
