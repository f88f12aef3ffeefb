/* SPDX-License-Identifier: MIT */
/* DKIM tag=value lists (RFC 6376 §3.2), shared by signatures, key records and ARC, with the
 * value helpers they need: folding whitespace (§2.8), base64string (§2.10), colon lists. */
#ifndef MS_DKIM_TAGS_H
#define MS_DKIM_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/arena.h"
#include "mailseal/dkim.h"
#include "mailseal/status.h"

/* Where a signature or key record went wrong; filled without allocating. */
typedef struct ms__dkim_error {
    ms_dkim_permfail kind;
    size_t offset;      /* byte offset in the parsed text */
    const char *tag;    /* static name of the tag at fault ("d"), NULL for the list itself */
    const char *reason; /* static text ending in its RFC section */
    char detail[80];    /* the offending bytes, cut to fit, escaped: printable ASCII only */
} ms__dkim_error;

/* One tag-spec. The name and value are arena copies (NUL-terminated); the offsets point into
 * the parsed text, so a verifier can find a value in the raw header (to blank b=, §3.5). */
typedef struct ms__dkim_tag {
    const char *name;  /* as written: names are case-sensitive (§3.2) */
    const char *value; /* tag-value as written: no FWS at its ends, FWS inside kept */
    size_t name_off;   /* offset of the name */
    size_t value_off;  /* offset of the value's first byte (where it would start when empty) */
    size_t value_len;  /* bytes of the value */
    size_t end_off;    /* offset of the ';' ending the tag-spec, or the text's length */
} ms__dkim_tag;

typedef struct ms__dkim_tags {
    size_t n;                 /* tags in order, unknown ones included */
    const ms__dkim_tag *tags; /* arena-owned */
} ms__dkim_tags;

/* Parse text[0..len) as a tag-list: tag-spec *( ";" tag-spec ) [ ";" ], FWS around names,
 * '=' and values; a CR or LF that is not part of FWS, a control byte or DEL is an error, and
 * so is a duplicate name, an empty tag-spec and more than max_tags tags. Bytes >= 0x80 are
 * kept in values (§3.2 note on UTF-8); each tag's own rules decide about them. MS_ESYNTAX
 * with err filled (kind given by kind_syntax) on a bad list; MS_ENOMEM/MS_ELIMIT from the
 * arena. The text is not modified and needs no NUL. */
MS_MUST_CHECK ms_status ms__dkim_tags_parse(const char *text, size_t len, size_t max_tags,
                                            ms_dkim_permfail kind_syntax, ms_arena *arena,
                                            ms__dkim_tags *out, ms__dkim_error *err);

/* The tag with this exact (case-sensitive) name, or NULL. */
const ms__dkim_tag *ms__dkim_tags_find(const ms__dkim_tags *tags, const char *name);

/* Fill err (which may be NULL) and return MS_ESYNTAX. bytes[0..len) becomes the escaped
 * detail. */
ms_status ms__dkim_fail(ms__dkim_error *err, ms_dkim_permfail kind, const char *tag, size_t offset,
                        const char *reason, const char *bytes, size_t len);

/* Write s[0..len) into out (size >= 1) with every byte outside 0x20..0x7e, and '"' and '\',
 * as \xHH; cut at a whole escape to fit; always NUL-terminated. */
void ms__dkim_escape(const char *s, size_t len, char *out, size_t size);

/* Whitespace inside a value the tag-list parser accepted: SP, HTAB, CR, LF (the parser
 * already proved every CR LF is followed by WSP). */
static inline bool ms__dkim_is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* An arena copy of s[0..len) without its folding whitespace, NUL-terminated; NULL when the
 * arena fails. */
char *ms__dkim_strip_fws(ms_arena *arena, const char *s, size_t len, size_t *out_len);

/* Does s[0..len) (a value, FWS inside allowed) match base64string of §2.10:
 * ALPHADIGITPS *([FWS] ALPHADIGITPS) [ [FWS] "=" [ [FWS] "=" ] ], and do its characters,
 * folding removed, come in groups of four? On false, *bad_off is the offset of the first
 * offending byte (len when the length is wrong) and *why says what is wrong. */
bool ms__dkim_base64_check(const char *s, size_t len, size_t *bad_off, const char **why);

/* hyphenated-word = ALPHA [ *(ALPHA / DIGIT / "-") (ALPHA / DIGIT) ], §2.10. */
bool ms__dkim_is_hyphenated_word(const char *s, size_t len);

/* Walk a list of items separated by sep with FWS allowed around each item (h=, q=, and the
 * key's h=, s=, t=). Start with *pos = 0; each call gives the next item, without FWS, and
 * returns 1, or 0 after the last, or -1 on an empty item (also an empty list or a trailing
 * separator) or WSP inside an item; *pos is then the offset of the fault. */
int ms__dkim_list_next(const char *s, size_t len, char sep, size_t *pos, const char **item,
                       size_t *item_len);

#endif
