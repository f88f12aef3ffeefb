#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Writes the interop corpus: unsigned messages covering what DKIM canonicalization and header
# selection are sensitive to (plain, multipart with attachments, 8-bit, empty body, trailing
# blank lines, long and folded headers, LF and CRLF files). Deterministic: the same bytes on
# every run. Usage: gen_corpus.py OUTDIR. Files whose name ends in "-lf.eml" have LF line ends,
# the others CRLF; nothing else tells them apart.
import base64
import os
import random
import sys

DOMAIN = "interop.test"


def headers(subject, extra=()):
    h = [
        "Received: from mx.example.net (mx.example.net [192.0.2.1]) by mail.interop.test",
        "\twith ESMTP id 4711; Mon, 2 Jan 2023 10:00:00 +0000",
        "From: Alice Sender <alice@%s>" % DOMAIN,
        "To: Bob Receiver <bob@example.net>",
        "Subject: " + subject,
        "Date: Mon, 2 Jan 2023 10:00:00 +0000",
        "Message-ID: <%s@%s>" % (subject.split()[0].lower().strip(":"), DOMAIN),
        "MIME-Version: 1.0",
    ]
    h.extend(extra)
    return h


def msg(hdrs, body_lines, final_newline=True):
    """Header lines, a blank line, body lines; returns a list of lines (no line ends)."""
    return list(hdrs) + [""] + list(body_lines), final_newline


def write(outdir, name, lines_nl, eol):
    lines, final_newline = lines_nl
    data = eol.join(lines)
    if final_newline:
        data += eol
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data.encode("utf-8", "surrogateescape"))


def write_raw(outdir, name, data):
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    rnd = random.Random(20230102)
    text = ["Hello Bob,", "", "this is a plain message, signed for the interop suite.",
            "It has a few lines.", "", "-- ", "Alice"]
    ct_plain = ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 7bit"]

    plain = msg(headers("Plain text", ct_plain), text)
    write(outdir, "01-plain.eml", plain, "\r\n")
    write(outdir, "02-plain-lf.eml", plain, "\n")

    empty = msg(headers("Empty body", ct_plain), [], final_newline=False)
    # Headers, the blank separator line, nothing after it.
    write_raw(outdir, "03-empty-body.eml", ("\r\n".join(empty[0][:-1]) + "\r\n\r\n").encode())
    write_raw(outdir, "04-empty-body-lf.eml", ("\n".join(empty[0][:-1]) + "\n\n").encode())

    blank_only = msg(headers("Only blank lines", ct_plain), ["", "", ""])
    write(outdir, "05-blank-lines-only.eml", blank_only, "\r\n")

    trailing = msg(headers("Trailing blank lines", ct_plain),
                   ["Body with trailing blank lines and trailing white space.  ",
                    "tab\tinside and spaces   in  between\t ", "", "", "", ""])
    write(outdir, "06-trailing-blank.eml", trailing, "\r\n")
    write(outdir, "07-trailing-blank-lf.eml", trailing, "\n")

    no_eol = msg(headers("No final line end", ct_plain), ["last line has no line end"],
                 final_newline=False)
    write(outdir, "08-no-final-newline.eml", no_eol, "\r\n")

    # Multipart/mixed with a text part and a base64 attachment (deterministic bytes).
    att = bytes(rnd.getrandbits(8) for _ in range(3000))
    b64 = base64.b64encode(att).decode()
    b64_lines = [b64[i:i + 76] for i in range(0, len(b64), 76)]
    bnd = "=_interop_boundary_1"
    mixed = msg(headers("Multipart with attachment",
                        ['Content-Type: multipart/mixed; boundary="%s"' % bnd]),
                ["This is a multi-part message in MIME format.", "", "--" + bnd,
                 "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit",
                 "", "See the attachment.", "", "--" + bnd,
                 'Content-Type: application/octet-stream; name="data.bin"',
                 "Content-Transfer-Encoding: base64",
                 'Content-Disposition: attachment; filename="data.bin"', ""]
                + b64_lines + ["", "--" + bnd + "--", ""])
    write(outdir, "09-multipart-attachment.eml", mixed, "\r\n")
    write(outdir, "10-multipart-attachment-lf.eml", mixed, "\n")

    # Nested: mixed( alternative(text, html), PDF-ish attachment ).
    inner, outer = "=_alt_2", "=_mixed_2"
    pdf = base64.b64encode(b"%PDF-1.4\n" + bytes(rnd.getrandbits(8) for _ in range(1200))).decode()
    nested = msg(headers("Nested multipart", ['Content-Type: multipart/mixed; boundary="%s"' % outer]),
                 ["--" + outer, 'Content-Type: multipart/alternative; boundary="%s"' % inner, "",
                  "--" + inner, "Content-Type: text/plain; charset=utf-8",
                  "Content-Transfer-Encoding: quoted-printable", "",
                  "Caf=C3=A9 au lait, soft line break here =", "and a long line", "",
                  "--" + inner, "Content-Type: text/html; charset=utf-8", "",
                  "<html><body><p>Caf&eacute; au lait</p></body></html>", "", "--" + inner + "--",
                  "", "--" + outer, 'Content-Type: application/pdf; name="doc.pdf"',
                  "Content-Transfer-Encoding: base64", ""]
                 + [pdf[i:i + 76] for i in range(0, len(pdf), 76)] + ["--" + outer + "--"])
    write(outdir, "11-nested-multipart.eml", nested, "\r\n")

    # 8-bit: UTF-8 body, Latin-1 body, raw UTF-8 in a header (RFC 6532).
    eightbit = msg(headers("8-bit UTF-8 body", ["Content-Type: text/plain; charset=utf-8",
                                                 "Content-Transfer-Encoding: 8bit"]),
                   ["Grüße aus Köln — naïve café, 日本語, emoji 🎉.", "Zweite Zeile: ÄÖÜß"])
    write(outdir, "12-8bit-utf8.eml", eightbit, "\r\n")
    write(outdir, "13-8bit-utf8-lf.eml", eightbit, "\n")
    latin1_body = "Latin-1 bytes: caf\xe9 na\xefve \xfcber \xa9\r\nline two \xe0 la carte\r\n"
    latin1 = "\r\n".join(headers("8-bit Latin-1 body", ["Content-Type: text/plain; charset=iso-8859-1",
                                                      "Content-Transfer-Encoding: 8bit"])) + "\r\n\r\n"
    write_raw(outdir, "14-8bit-latin1.eml", latin1.encode() + latin1_body.encode("latin-1"))
    utf8hdr = msg(headers("UTF-8 header: Grüße für Zoë", ["Content-Type: text/plain; charset=utf-8",
                                                         "Content-Transfer-Encoding: 8bit"]),
                  ["Raw UTF-8 in the Subject (RFC 6532)."])
    write(outdir, "15-8bit-header.eml", utf8hdr, "\r\n")

    # Long and folded headers.
    refs = " ".join("<ref-%03d.%s@lists.%s>" % (i, "x" * 10, DOMAIN) for i in range(40))
    refs_folded = ["References: " + refs[:70]]
    rest = refs[70:]
    while rest:
        refs_folded.append("\t" + rest[:70].strip())
        rest = rest[70:]
    long_subject = ("Long and folded headers: " + "word " * 30).strip()
    folded = msg(["Received: from a (a [192.0.2.2])", "  by b with   SMTP;\tMon, 2 Jan 2023 10:00:00 +0000",
                  "From: Alice Sender", "  <alice@%s>" % DOMAIN,
                  "To: bob@example.net,", "\tcarol@example.net,", "    dave@example.net",
                  "Subject: " + long_subject[:60], "\t" + long_subject[60:],
                  "Date: Mon, 2 Jan 2023 10:00:00 +0000",
                  "Message-ID: <folded@%s>" % DOMAIN,
                  "X-Long-Unfolded: " + "a" * 900,
                  "MIME-Version: 1.0"] + refs_folded + ct_plain,
                 ["Folded headers above.", "Body line with 998 characters follows:", "b" * 998])
    write(outdir, "16-long-folded-headers.eml", folded, "\r\n")
    write(outdir, "17-long-folded-headers-lf.eml", folded, "\n")

    # Header spelling and white space: odd case, white space around the colon and values,
    # duplicate headers.
    odd = msg(["FROM: alice@%s" % DOMAIN, "to:   bob@example.net  ", "Subject:no space after colon",
               "sUbJeCt-Extra: ignored", "Date:    Mon, 2 Jan 2023 10:00:00 +0000   ",
               "Message-ID: <odd@%s>" % DOMAIN, "Comments: first", "Comments: second",
               "Received: by x; Mon, 2 Jan 2023 10:00:00 +0000", "Received: by y; Mon, 2 Jan 2023 09:59:00 +0000"],
              ["Odd header spelling.", "  leading spaces", "\tleading tab", "trailing \t \t"])
    write(outdir, "18-header-case-space.eml", odd, "\r\n")

    # Body lines SMTP cares about, and a large quoted-printable body.
    smtpish = msg(headers("SMTP-sensitive lines", ct_plain),
                  [".", "..", "From the start of a line", ">From quoted", "", " ", "\t", "end"])
    write(outdir, "19-smtp-lines.eml", smtpish, "\r\n")
    words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "élit"]
    qp_lines = []
    for i in range(2000):
        line = " ".join(rnd.choice(words) for _ in range(10))
        qp_lines.append(line.replace("é", "=C3=A9") + ("=" if i % 3 == 0 else ""))
    big = msg(headers("Large quoted-printable body", ["Content-Type: text/plain; charset=utf-8",
                                                       "Content-Transfer-Encoding: quoted-printable"]),
              qp_lines)
    write(outdir, "20-large-qp.eml", big, "\r\n")
    write(outdir, "21-large-qp-lf.eml", big, "\n")


if __name__ == "__main__":
    main()
