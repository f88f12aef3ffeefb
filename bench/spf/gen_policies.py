#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Deterministic SPF policy set and query list for bench/spf (benchmark tooling only).

  gen_policies.py --out DIR [--queries 5000] [--seed 20241129]

Writes, in the bench-kit corpus layout so bench-kit/libspf2_bench.c, pyspf_bench.py and
spfquery_bench.py run on it unchanged:

  DIR/spf/queries.txt         "ip sender helo" lines (spfquery -file format)
  DIR/spf/expected.tsv        line, ip, sender, expected verdict (tab separated, header line)
  DIR/dns/unbound-local.conf  local-zone/local-data lines for unbound (bench-kit/dns_server.sh)
  DIR/dns/zone.txt            the same records as an RFC 1035 master file (mailseal zone mode)
  DIR/dns/records.tsv         name, type, data
  DIR/SUMMARY.txt             what was generated (policy kinds, verdict mix, look-ups/query)

The policies cover what the project's issue asks for: includes three deep (and deeper),
long ip4/ip6 lists, mx, a, exists with macros (%{i}, %{ir}, %{v}, %{l1r+-}, %{d}) and
redirect.  Every expected verdict comes from a small RFC 7208 evaluator in this file that
walks the generated records, independent of the implementations being measured.  The output
is byte-identical for the same arguments.
"""
import argparse
import collections
import ipaddress
import os
import random
import re
import sys

TTL = 3600
ZONE = "example"

ORGS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka",
        "tyrell", "cyberdyne", "soylent", "aperture", "oscorp", "vandelay", "gringotts",
        "dunder", "prestige", "monarch", "duff", "krusty", "nakatomi", "gekko", "sirius",
        "zorg", "virtucon", "massive", "bluth", "pied-piper"]
KINDS = ["esp", "mx", "exists", "redirect", "lists", "chain"]
LOCALS = ["billing", "news", "noreply", "alice+promo", "bounce-7781", "support", "bob"]
EXISTS_LOCALS = {"billing", "alice"}  # %{l1r+-} values with exists records (T2 domains)


# ---- records ------------------------------------------------------------------------------
class Zone:
    def __init__(self):
        self.rr = collections.OrderedDict()  # (name, type) -> [data]

    def add(self, name, rtype, data):
        self.rr.setdefault((name.lower(), rtype), []).append(data)

    def names(self):
        return {n for n, _ in self.rr}

    def lookup(self, name, rtype):
        """("OK", [data]) / ("NODATA", []) / ("NXDOMAIN", []) like unbound's static zone."""
        name = name.lower().rstrip(".")
        if (name, rtype) in self.rr:
            return "OK", self.rr[(name, rtype)]
        # empty non-terminals exist too (RFC 8020): a name with descendants is NODATA
        for n in self.names():
            if n == name or n.endswith("." + name):
                return "NODATA", []
        return "NXDOMAIN", []


def build_zone(no_exists=False):
    z = Zone()
    z.add(ZONE, "SOA", "ns.example. hostmaster.example. 2024112901 3600 600 86400 300")
    z.add(ZONE, "NS", "ns.example.")
    z.add("ns." + ZONE, "A", "127.0.0.1")
    doms = []

    # ESP 1: a chain three includes deep (what customers include), ip4/ip6 lists.
    # _spf.esp-mailer.example also serves as bench-kit/dns_server.sh's readiness probe.
    esp = "esp-mailer." + ZONE
    z.add(esp, "TXT", "v=spf1 include:_spf.%s -all" % esp)
    z.add("_spf." + esp, "TXT",
          "v=spf1 ip4:198.51.100.0/25 ip4:198.51.100.128/26 ip6:2001:db8:100::/48 "
          "include:_nb1.%s ~all" % esp)
    z.add("_nb1." + esp, "TXT",
          "v=spf1 ip4:203.0.113.0/25 ip4:203.0.113.192/27 ip6:2001:db8:101::/48 "
          "include:_nb2.%s -all" % esp)
    z.add("_nb2." + esp, "TXT",
          "v=spf1 ip4:203.0.113.128/26 ip4:203.0.113.224/28 ip6:2001:db8:102::/48 -all")

    # ESP 2: per-address authorisation through exists with reversed-IP macros.
    bulk = "bulkmail." + ZONE
    if no_exists:
        z.add("_spf." + bulk, "TXT", "v=spf1 ip4:100.64.1.0/26 include:_v6.%s -all" % bulk)
    else:
        z.add("_spf." + bulk, "TXT",
              "v=spf1 exists:%%{ir}.%%{v}._ip.%s include:_v6.%s -all" % (bulk, bulk))
    z.add("_v6." + bulk, "TXT", "v=spf1 ip6:2001:db8:300::/40 ip4:100.64.2.0/24 -all")
    bulk_ips = ["100.64.1.%d" % k for k in range(1, 41)]
    for ip in bulk_ips if not no_exists else []:
        rev = ".".join(reversed(ip.split(".")))
        z.add("%s.in-addr._ip.%s" % (rev, bulk), "A", "127.0.0.2")

    # ESP 3: a and mx of its own hosts.
    relay = "cloudrelay." + ZONE
    z.add("_spf." + relay, "TXT",
          "v=spf1 a:relay.%s mx:%s ip4:100.65.0.0/20 -all" % (relay, relay))
    z.add("relay." + relay, "A", "100.66.0.1")
    z.add("relay." + relay, "A", "100.66.0.2")
    z.add("relay." + relay, "AAAA", "2001:db8:400::1")
    z.add(relay, "MX", "10 mx1.%s." % relay)
    z.add(relay, "MX", "20 mx2.%s." % relay)
    for k in (1, 2):
        z.add("mx%d.%s" % (k, relay), "A", "100.66.1.%d" % k)
        z.add("mx%d.%s" % (k, relay), "AAAA", "2001:db8:401::%d" % k)

    for i, org in enumerate(ORGS):
        d = "%s.%s" % (org, ZONE)
        kind = KINDS[i % len(KINDS)]
        if kind == "exists" and no_exists:
            kind = "a+ip4"  # the same addresses as the exists entries, by ip4
        own1 = "198.18.%d.0/27" % i
        own2 = "198.18.%d.64/28" % i
        own6 = "2001:db8:10:%x::/64" % i
        # hosts every domain has (mx, a); both families so no look-up is void
        z.add(d, "MX", "10 mx1.%s." % d)
        z.add(d, "MX", "20 mx2.%s." % d)
        for k in (1, 2):
            z.add("mx%d.%s" % (k, d), "A", "198.19.%d.%d" % (i, k))
            z.add("mx%d.%s" % (k, d), "AAAA", "2001:db8:20:%x::%d" % (i, k))
        z.add(d, "A", "198.19.%d.80" % i)
        z.add(d, "AAAA", "2001:db8:20:%x::80" % i)
        z.add("smtp." + d, "A", "198.19.%d.25" % i)
        z.add("smtp." + d, "AAAA", "2001:db8:20:%x::25" % i)
        z.add("_dmarc." + d, "TXT", "v=DMARC1; p=%s; rua=mailto:dmarc@%s"
              % (["reject", "quarantine", "none"][i % 3], d))
        if kind == "esp":
            pol = "v=spf1 ip4:%s ip4:%s ip6:%s include:_spf.%s -all" % (own1, own2, own6, esp)
        elif kind == "mx":
            pol = "v=spf1 mx a ip4:%s include:_spf.%s ~all" % (own1, bulk)
        elif kind == "a+ip4":
            pol = ("v=spf1 a:smtp.%%{d} ip4:%s ip4:198.19.%d.100/30 include:_spf.%s -all"
                   % (own1, i, esp))
        elif kind == "exists":
            pol = ("v=spf1 a:smtp.%%{d} exists:%%{i}.%%{l1r+-}._spf.%%{d} ip4:%s "
                   "include:_spf.%s -all" % (own1, esp))
            for k in range(100, 104):
                for loc in sorted(EXISTS_LOCALS):
                    z.add("198.19.%d.%d.%s._spf.%s" % (i, k, loc, d), "A", "127.0.0.2")
        elif kind == "redirect":
            pol = "v=spf1 redirect=_spf.%s" % d
            z.add("_spf." + d, "TXT", "v=spf1 ip4:%s ip6:%s mx include:_spf.%s -all"
                  % (own1, own6, relay))
        elif kind == "lists":
            v4 = ["198.18.%d.%d/29" % (i, 8 * k) for k in range(0, 4)] + \
                 ["198.18.%d.64/28" % i, "198.18.%d.128/27" % i, "198.18.%d.200" % i,
                  "198.18.%d.201" % i, "198.18.%d.250/31" % i]
            v6 = ["2001:db8:10:%x::/64" % i, "2001:db8:11:%x::/64" % i,
                  "2001:db8:12:%x:1::/80" % i, "2001:db8:13::%x/128" % i]
            pol = "v=spf1 %s %s include:_spf.%s ~all" % (
                " ".join("ip4:" + n for n in v4), " ".join("ip6:" + n for n in v6), relay)
        else:  # chain: own includes, then the ESP chain under them (five deep in all)
            pol = "v=spf1 include:_spf.%s ~all" % d
            z.add("_spf." + d, "TXT", "v=spf1 ip4:%s include:_spf2.%s -all" % (own1, d))
            z.add("_spf2." + d, "TXT", "v=spf1 mx:%s ip6:%s include:_spf.%s -all"
                  % (d, own6, esp))
        z.add(d, "TXT", pol)
        doms.append(dict(name=d, index=i, kind=kind))
    return z, doms, bulk_ips


# ---- a small RFC 7208 evaluator (only what the generated policies use, strictly) ------------
class PermError(Exception):
    pass


def split_ip(ip):
    a = ipaddress.ip_address(ip)
    if a.version == 4:
        return a, str(a).split("."), "in-addr"
    return a, list(a.exploded.replace(":", "")), "ip6"


MACRO = re.compile(r"%\{([slodiphcrtv])(\d*)(r?)([.\-+,/_=]*)\}|%%|%_|%-")


def expand(spec, ctx):
    def one(m):
        t = m.group(0)
        if t == "%%":
            return "%"
        if t == "%_":
            return " "
        if t == "%-":
            return "%20"
        letter, digits, rev, delims = m.groups()
        if letter == "i":
            parts = ctx["i_parts"]
        else:
            val = ctx[letter]
            parts = re.split("[" + re.escape(delims or ".") + "]", val)
        if rev:
            parts = list(reversed(parts))
        if digits:
            parts = parts[-int(digits):]
        return ".".join(parts)
    out = MACRO.sub(one, spec)
    if "%" in out:
        raise PermError("bad macro in " + spec)
    return out


class Eval:
    def __init__(self, zone, ip, sender):
        self.zone = zone
        self.ip, self.i_parts, self.v = split_ip(ip)
        local, _, dom = sender.rpartition("@")
        self.sender, self.local, self.odom = sender, local or "postmaster", dom
        self.terms = self.voids = self.queries = 0

    def q(self, name, rtype):
        self.queries += 1
        return self.zone.lookup(name, rtype)

    def ctx(self, d):
        return dict(s=self.sender, l=self.local, o=self.odom, d=d, i_parts=self.i_parts,
                    v=self.v, h="", c="", r="", t="", p="unknown")

    def count(self):
        self.terms += 1
        if self.terms > 10:
            raise PermError("more than 10 DNS terms")

    def void(self):
        self.voids += 1
        if self.voids > 2:
            raise PermError("more than 2 void look-ups")

    def addrs(self, host, prefix4, prefix6, count_void):
        rtype = "A" if self.ip.version == 4 else "AAAA"
        rc, data = self.q(host, rtype)
        if rc != "OK" and count_void:
            self.void()
        pfx = prefix4 if self.ip.version == 4 else prefix6
        return any(self.ip in ipaddress.ip_network("%s/%d" % (a, pfx), strict=False)
                   for a in data)

    def check_host(self, d):
        rc, txt = self.q(d, "TXT")
        recs = [t for t in txt if t == "v=spf1" or t.startswith("v=spf1 ")]
        if len(recs) != 1:
            return "none" if not recs else "permerror"
        terms = recs[0].split()[1:]
        redirect = None
        for t in terms:
            if t.startswith("redirect="):
                redirect = t[len("redirect="):]
                continue
            q = t[0] if t[0] in "+-~?" else "+"
            m = t[1:] if t[0] in "+-~?" else t
            if m == "all":
                hit = True
            elif m.startswith("ip4:") or m.startswith("ip6:"):
                net = ipaddress.ip_network(m[4:], strict=False)
                hit = net.version == self.ip.version and self.ip in net
            elif m.startswith("include:"):
                self.count()
                r = self.check_host(expand(m[8:], self.ctx(d)))
                if r in ("none", "permerror"):
                    raise PermError("include " + m)
                hit = r == "pass"
            elif m == "a" or m.startswith("a:") or m.startswith("a/"):
                self.count()
                host, p4, p6 = self.cidr(m[1:], d)
                hit = self.addrs(host, p4, p6, True)
            elif m == "mx" or m.startswith("mx:") or m.startswith("mx/"):
                self.count()
                host, p4, p6 = self.cidr(m[2:], d)
                rc, mxs = self.q(host, "MX")
                if rc != "OK":
                    self.void()
                hit = any(self.addrs(x.split()[1].rstrip("."), p4, p6, False) for x in mxs)
            elif m.startswith("exists:"):
                self.count()
                rc, data = self.q(expand(m[7:], self.ctx(d)), "A")
                if rc != "OK":
                    self.void()
                hit = bool(data)
            else:
                raise PermError("unsupported term " + t)
            if hit:
                return {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}[q]
        if redirect is not None:
            self.count()
            r = self.check_host(expand(redirect, self.ctx(d)))
            return "permerror" if r == "none" else r
        return "neutral"

    def cidr(self, rest, d):
        host, p4, p6 = d, 32, 128
        if rest.startswith(":"):
            rest = rest[1:]
            host = rest.split("/")[0]
            rest = rest[len(host):]
            host = expand(host, self.ctx(d))
        if rest.startswith("//"):
            p6 = int(rest[2:])
        elif rest.startswith("/"):
            p4, _, r6 = rest[1:].partition("//")
            p4 = int(p4)
            p6 = int(r6) if r6 else 128
        return host, p4, p6


def evaluate(zone, ip, sender):
    ev = Eval(zone, ip, sender)
    try:
        r = ev.check_host(sender.rpartition("@")[2])
    except PermError:
        r = "permerror"
    return r, ev.queries, ev.terms, ev.voids


# ---- queries ------------------------------------------------------------------------------
def candidates(dom, bulk_ips):
    """Client addresses worth trying for a message from dom: its own blocks and hosts, every
    ESP's addresses, addresses no policy lists.  The pools are small and fixed, so the set of
    distinct DNS names (the caches' working set, exists names included) stays a few hundred
    names, not one per query."""
    i = dom["index"]
    c = ["198.18.%d.%d" % (i, k) for k in (1, 9, 20, 70, 130, 200, 201, 250)]
    c += ["2001:db8:10:%x::%x" % (i, k) for k in (1, 5)] + ["2001:db8:11:%x::5" % i]
    c += ["198.19.%d.%d" % (i, k) for k in (1, 2, 25, 80, 100, 101, 102, 103)]
    c += ["2001:db8:20:%x::1" % i, "2001:db8:20:%x::25" % i]
    c += ["198.51.100.%d" % k for k in (3, 17, 77, 130, 150, 188)]          # ESP, level 1
    c += ["203.0.113.%d" % k for k in (5, 60, 200, 210)] + ["2001:db8:101::9"]  # level 2
    c += ["203.0.113.140", "203.0.113.170", "203.0.113.230", "2001:db8:102::25"]  # level 3
    c += bulk_ips[:12] + ["2001:db8:300::7", "100.64.2.9"]                   # exists ESP
    c += ["100.65.3.3", "100.66.0.2", "100.66.1.1", "2001:db8:401::2"]       # a/mx ESP
    c += ["192.0.2.%d" % k for k in range(1, 64)]                            # nobody's
    c += ["2001:db8:ffff::%x" % k for k in range(1, 17)]
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--queries", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=20241129)
    ap.add_argument("--no-exists", action="store_true",
                    help="variant without exists terms (the same addresses authorised by ip4), "
                         "for caches that skip exists answers (libspf2's SPF_DNS_CACHE)")
    ap.add_argument("--pass-share", type=float, default=0.65,
                    help="share of queries drawn from addresses the policy authorises")
    args = ap.parse_args()

    zone, doms, bulk_ips = build_zone(args.no_exists)
    rng = random.Random(args.seed)
    qlines, exp = [], ["line\tip\tsender\texpect"]
    verdicts, kinds = collections.Counter(), collections.Counter()
    nq = nt = 0
    pools = {}  # (domain, local) -> (authorised addresses, the others)
    for dom in doms:
        cands = candidates(dom, bulk_ips)
        for local in LOCALS:
            sender = "%s@%s" % (local, dom["name"])
            ok = [ip for ip in cands if evaluate(zone, ip, sender)[0] == "pass"]
            pools[(dom["name"], local)] = (ok, [ip for ip in cands if ip not in ok])
    for k in range(args.queries):
        dom = rng.choice(doms)
        local = rng.choice(LOCALS)
        sender = "%s@%s" % (local, dom["name"])
        ok, other = pools[(dom["name"], local)]
        ip = rng.choice(ok if rng.random() < args.pass_share else other)
        helo = "mail.%s" % dom["name"]
        v, queries, terms, _ = evaluate(zone, ip, sender)
        if v not in ("pass", "fail", "softfail", "neutral"):
            sys.exit("generator bug: %s for %s %s" % (v, ip, sender))
        verdicts[v] += 1
        kinds[dom["kind"]] += 1
        nq += queries
        nt += terms
        qlines.append("%s %s %s" % (ip, sender, helo))
        exp.append("%d\t%s\t%s\t%s" % (k + 1, ip, sender, v))

    out = args.out
    for sub in ("spf", "dns"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    with open(os.path.join(out, "spf", "queries.txt"), "w") as f:
        f.write("\n".join(qlines) + "\n")
    with open(os.path.join(out, "spf", "expected.tsv"), "w") as f:
        f.write("\n".join(exp) + "\n")

    def txt_strings(data):
        return " ".join('"%s"' % data[j:j + 250] for j in range(0, len(data), 250))

    with open(os.path.join(out, "dns", "records.tsv"), "w") as f:
        for (n, t), datas in zone.rr.items():
            for dta in datas:
                f.write("%s\t%s\t%s\n" % (n, t, dta))
    with open(os.path.join(out, "dns", "unbound-local.conf"), "w") as f:
        f.write('    local-zone: "%s." static\n' % ZONE)
        for (n, t), datas in zone.rr.items():
            for dta in datas:
                f.write("    local-data: '%s. %d IN %s %s'\n"
                        % (n, TTL, t, txt_strings(dta) if t == "TXT" else dta))
    with open(os.path.join(out, "dns", "zone.txt"), "w") as f:
        f.write("; bench/spf/gen_policies.py --seed %d%s\n$TTL %d\n"
                % (args.seed, " --no-exists" if args.no_exists else "", TTL))
        for (n, t), datas in zone.rr.items():
            for dta in datas:
                f.write("%s. IN %s %s\n" % (n, t, txt_strings(dta) if t == "TXT" else dta))
    n = args.queries
    summary = [
        "bench/spf/gen_policies.py --queries %d --seed %d%s"
        % (n, args.seed, " --no-exists" if args.no_exists else ""),
        "sender domains: %d customer (%s) + 3 ESPs; %d DNS names, %d records"
        % (len(doms), ", ".join("%s=%d" % (k, sum(1 for d in doms if d["kind"] == k))
                                for k in sorted({d["kind"] for d in doms})), len(zone.names()),
           sum(len(v) for v in zone.rr.values())),
        "queries: %d (%d distinct client addresses); verdicts %s" % (
            n, len({l.split()[0] for l in qlines}),
            ", ".join("%s %d (%.1f %%)" % (v, c, 100.0 * c / n)
                      for v, c in sorted(verdicts.items()))),
        "per query: %.2f DNS look-ups, %.2f DNS-querying terms (RFC 7208 4.6.4)"
        % (nq / n, nt / n),
        "queries per policy kind: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
    ]
    with open(os.path.join(out, "SUMMARY.txt"), "w") as f:
        f.write("\n".join(summary) + "\n")
    print("\n".join(summary), file=sys.stderr)


if __name__ == "__main__":
    main()
