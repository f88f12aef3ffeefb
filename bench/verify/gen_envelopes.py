#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The SMTP inputs of every corpus message, as the receiving MTA saw them (bench/verify).

The bench kit's messages are written as delivered: the topmost Received field is the one the
receiver added, "from HELO (rDNS [CLIENT-IP]) by mx...", and Return-Path carries the
reverse-path (MAIL FROM). So, per message, deterministically:

    client IP = the bracketed address of the topmost Received field
    HELO      = the name after "from" in that field
    MAIL FROM = the address inside Return-Path's angle brackets

Writes "file<TAB>client_ip<TAB>helo<TAB>mail_from" lines, sorted by file name (the order the
harnesses load the messages in). Fails when a message lacks either field.

    gen_envelopes.py CORPUS OUT.tsv
"""
import os
import re
import sys

RECEIVED = re.compile(rb"^from\s+(\S+)\s+\([^)]*\[([0-9A-Fa-f.:]+)\]\)")
RETURN_PATH = re.compile(rb"^\s*<([^>]*)>")


def header_fields(raw):
    """(name, unfolded value) of each header field, in order."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    fields = []
    for line in re.split(rb"\r?\n", head):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += b" " + line.strip()
        elif b":" in line:
            name, value = line.split(b":", 1)
            fields.append([name.strip().lower(), value.strip()])
    return fields


def envelope(raw):
    ip = helo = mail_from = None
    for name, value in header_fields(raw):
        if name == b"received" and ip is None:
            m = RECEIVED.match(value)
            if m is None:
                return None
            helo, ip = m.group(1), m.group(2)
        elif name == b"return-path" and mail_from is None:
            m = RETURN_PATH.match(value)
            if m is None:
                return None
            mail_from = m.group(1)
    if ip is None or mail_from is None:
        return None
    return ip.decode(), helo.decode(), mail_from.decode()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_envelopes.py CORPUS OUT.tsv")
    msgs = os.path.join(sys.argv[1], "msgs")
    names = sorted(n for n in os.listdir(msgs) if not n.startswith("."))
    lines = []
    for n in names:
        with open(os.path.join(msgs, n), "rb") as f:
            env = envelope(f.read())
        if env is None:
            sys.exit("gen_envelopes.py: %s: no Received [ip] or Return-Path <addr>" % n)
        lines.append("\t".join((n,) + env))
    with open(sys.argv[2], "w") as out:
        out.write("\n".join(lines) + "\n")
    print("gen_envelopes.py: %d envelopes -> %s" % (len(lines), sys.argv[2]), file=sys.stderr)


if __name__ == "__main__":
    main()
