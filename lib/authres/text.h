/* SPDX-License-Identifier: MIT */
/* Text inside header fields the library writes (Received-SPF, Authentication-Results): header
 * fields are ASCII (RFC 5322 §2.2), and data from DNS or the client must not end a value or
 * a comment early. */
#ifndef MS_AUTHRES_TEXT_H
#define MS_AUTHRES_TEXT_H

#include <stdbool.h>

#include "base/buf.h"

/* An RFC 2045 §5.1 token: printable ASCII except SPACE and tspecials; not empty. */
bool ms__authres_is_token(const char *s);
/* An RFC 5322 §3.2.3 dot-atom-text: atext runs joined by single dots; not empty. */
bool ms__authres_is_dot_atom(const char *s);
/* A value (RFC 8601 §2.2): the text itself when it is a token, else a quoted-string. */
void ms__authres_put_value(ms__buf *b, const char *s);

/* A quoted-string (RFC 5322 §3.2.4): '"' and '\' escaped, bytes outside printable ASCII '?'. */
void ms__authres_put_quoted(ms__buf *b, const char *s);
/* Comment text (RFC 5322 §3.2.2): balanced parentheses stay (comments nest), unbalanced ones
 * are escaped; the section sign becomes the word "section"; other bytes outside printable
 * ASCII become '?'. */
void ms__authres_put_comment(ms__buf *b, const char *s);

#endif
