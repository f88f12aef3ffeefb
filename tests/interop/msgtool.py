#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Byte-level helpers for the interop suite, on messages in any line-end form.
#   msgtool.py wire IN OUT          CRLF line ends and a final CRLF: the form SMTP delivers, fed
#                                   to the peers (DATA always ends the content with CRLF, and
#                                   the canonical body is the same with or without it)
#   msgtool.py like ORIG IN OUT     IN (a wire-form signed message) back in ORIG's stored form:
#                                   LF line ends if ORIG has no CRLF, no final line end if ORIG
#                                   has none
#   msgtool.py tamper-body IN OUT   one body character changed (a line added to an empty body)
#   msgtool.py tamper-header IN OUT the Subject field's value changed (first Subject field)
import re
import sys


def body_start(m):
    i = re.search(rb"\r?\n\r?\n", m)
    return i.end() if i else len(m)


def main():
    op, args = sys.argv[1], sys.argv[2:]
    data = open(args[-2], "rb").read()
    if op == "wire":
        out = re.sub(rb"\r?\n", b"\r\n", data)
        if not out.endswith(b"\r\n"):
            out += b"\r\n"
    elif op == "like":
        orig = open(args[0], "rb").read()
        out = data
        if b"\r\n" not in orig:
            out = out.replace(b"\r\n", b"\n")
        if not orig.endswith(b"\n"):
            out = re.sub(rb"\r?\n\Z", b"", out)
    elif op == "tamper-body":
        b = body_start(data)
        m = re.compile(rb"[A-Za-z0-9]").search(data, b)
        if m:
            c = b"y" if m.group() == b"x" else b"x"
            out = data[:m.start()] + c + data[m.end():]
        else:
            eol = b"\r\n" if b"\r\n" in data else b"\n"
            out = data + b"tampered" + eol
    elif op == "tamper-header":
        m = re.compile(rb"^subject[ \t]*:[ \t]*", re.I | re.M).search(data, 0, body_start(data))
        if not m:
            sys.exit("msgtool: no Subject field in %s" % args[-2])
        out = data[:m.end()] + b"X" + data[m.end():]
    else:
        sys.exit("msgtool: unknown operation %s" % op)
    open(args[-1], "wb").write(out)


if __name__ == "__main__":
    main()
