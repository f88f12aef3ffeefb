#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# dkimpy (python3-dkim) driven through its library API for the interop suite.
#   dkimpy_tool.py sign --alg rsa|ed25519 --domain D --selector S --key FILE
#                       --canon H/B --outdir DIR FILE...
#       writes DIR/<basename> = the signed message (CRLF). RSA keys: PKCS#1 PEM; Ed25519 keys:
#       PKCS#8 PEM (the raw 32-byte seed is taken from it, as dkimpy wants base64 of that).
#   dkimpy_tool.py verify --dns 127.0.0.1:PORT FILE...
#       one line per file: "pass FILE" or "fail FILE REASON". Keys are fetched from the DNS
#       server given, through dnspython with a resolver on that port (dnsfunc= hook).
# Exit status 0 when every file was handled, 2 on a usage or setup error.
import argparse
import base64
import os
import sys

try:
    import dkim
    import dns.resolver
    import nacl  # noqa: F401  (dkimpy needs it for ed25519)
except ImportError as e:
    print("dkimpy_tool: missing module: %s (python3-dkim, python3-dnspython, python3-nacl "
          "are in scripts/install-deps)" % e, file=sys.stderr)
    sys.exit(2)


def pem_der(path):
    lines = open(path, "rb").read().decode().splitlines()
    return base64.b64decode("".join(l for l in lines if not l.startswith("-----")))


def sign(a):
    if a.alg == "rsa":
        key, alg = open(a.key, "rb").read(), b"rsa-sha256"
    else:
        # PKCS#8 Ed25519: the seed is the last 32 bytes of the DER.
        key, alg = base64.b64encode(pem_der(a.key)[-32:]), b"ed25519-sha256"
    h, b = a.canon.split("/")
    for path in a.files:
        data = open(path, "rb").read()
        sig = dkim.sign(data, a.selector.encode(), a.domain.encode(), key,
                        canonicalize=(h.encode(), b.encode()), signature_algorithm=alg,
                        linesep=b"\r\n")
        with open(os.path.join(a.outdir, os.path.basename(path)), "wb") as f:
            f.write(sig + data)


def verify(a):
    host, port = a.dns.rsplit(":", 1)
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = [host]
    res.port = int(port)

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        try:
            ans = res.resolve(name, "TXT", lifetime=timeout, raise_on_no_answer=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers):
            return None
        for rr in ans.response.answer:
            if rr.rdtype == dns.rdatatype.TXT:
                return b"".join(list(rr.items)[0].strings)
        return None

    for path in a.files:
        data = open(path, "rb").read()
        d = dkim.DKIM(data)
        try:
            ok = d.verify(dnsfunc=dnsfunc)
            why = "" if ok else "signature did not verify"
        except dkim.DKIMException as e:
            ok, why = False, str(e)
        print("pass %s" % path if ok else "fail %s %s" % (path, why))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sign")
    s.add_argument("--alg", choices=["rsa", "ed25519"], required=True)
    s.add_argument("--domain", required=True)
    s.add_argument("--selector", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--canon", default="relaxed/relaxed")
    s.add_argument("--outdir", required=True)
    s.add_argument("files", nargs="+")
    v = sub.add_parser("verify")
    v.add_argument("--dns", required=True)
    v.add_argument("files", nargs="+")
    a = p.parse_args()
    sign(a) if a.cmd == "sign" else verify(a)


if __name__ == "__main__":
    main()
