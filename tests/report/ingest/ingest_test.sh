#!/bin/sh
# SPDX-License-Identifier: MIT
# ingest_test.sh MAILSEAL FIXTURES [CONFORMANCE_DIR]: `mailseal report ingest` from files, a
# directory, a Maildir and an mbox into a fresh SQLite store: golden output lines, store
# contents (sqlite3), duplicates counted once, a broken report kept aside (exit 3) with the
# rest of the batch stored, reruns that read nothing again; then an ingester killed (SIGKILL)
# in the middle of a large Maildir and run again: every report stored exactly once. The
# conformance samples, when present, are ingested too (skipped with a message when absent).
set -u
ms=$(realpath "$1")
fx=$(realpath "$2")
conf=${3:-}
command -v sqlite3 >/dev/null 2>&1 || { echo "ingest_test: FAIL: sqlite3 (Debian package sqlite3) is needed"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ms-ingest.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
q() { sqlite3 "$1" "$2"; }
expect_eq() { # name got want
    if [ "$2" != "$3" ]; then fail "$1: got '$2', want '$3'"; else echo "ok: $1"; fi
}
# The output with the temp dir and fixture dir taken out, so it compares as text.
norm() { sed -e "s|$tmp|TMP|g" -e "s|$fx|FX|g" "$1"; }
expect_out() { # name file want-text
    got=$(norm "$2")
    if [ "$got" != "$3" ]; then
        fail "$1: output differs"
        printf '%s\n--- got\n%s\n--- want\n%s\n' "$1" "$got" "$3"
    else
        echo "ok: $1"
    fi
}

# ---- files and a directory: duplicates counted once, a broken one kept aside, exit 3 ----
"$ms" report ingest --store "sqlite:$tmp/files.db" "$fx" >out1 2>err1
expect_eq "files: exit status" "$?" 3
expect_out "files: output" out1 "kept-aside  FX/broken.xml: the report ends before </feedback> (truncated?): Premature end of data in tag report_metadata line 2 (byte 77)
stored      FX/r1-0001-again.xml: 1 new, 0 duplicate
duplicate   FX/r1-0001.xml: 1 already stored
stored      FX/r1-0002.xml: 1 new, 0 duplicate
stored      FX/r2-0001.xml.gz: 1 new, 0 duplicate
stored      FX/r3-0001.eml: 1 new, 0 duplicate
stored      FX/tlsrpt-0001.json: 1 new, 0 duplicate
ingest: 7 items: 5 stored, 1 duplicate, 1 kept aside, 0 done before; 5 reports new, 1 duplicate"
expect_eq "files: aggregate reports stored" "$(q files.db 'select count(*) from report_aggregate')" 4
expect_eq "files: distinct (org, id)" \
    "$(q files.db 'select count(distinct org_key || char(9) || report_id) from report_aggregate')" 4
expect_eq "files: records" "$(q files.db 'select count(*), sum(count) from report_record')" "4|11"
expect_eq "files: TLS report" "$(q files.db "select t.organization_name, p.policy_domain, p.total_failure, count(f.seq) from report_tlsrpt t join report_tlsrpt_policy p on p.tlsrpt_id = t.id join report_tlsrpt_failure f on f.policy_id = p.id group by 1, 2, 3")" "Company-X|ingest.example|303|2"
expect_eq "files: kept aside" "$(q files.db "select count(*) from report_kept where reason like '%before </feedback>%' and data_len = 77")" 1
"$ms" report kept-aside --store "$tmp/files.db" >kept1 2>&1
expect_eq "kept-aside: exit status" "$?" 0
expect_eq "kept-aside: the source and its reason" "$(norm kept1 | sed -e '1s/^[0-9-]* [0-9:]* UTC  /WHEN  /' -e '1s/#[0-9a-f]\{64\}$/#SHA256/')" "WHEN  file:FX/broken.xml#SHA256
    the report ends before </feedback> (truncated?): Premature end of data in tag report_metadata line 2 (byte 77)
1 source kept aside"
"$ms" report ingest --store "$tmp/files.db" "$fx" >out2 2>err2
expect_eq "files again: exit status" "$?" 0
expect_out "files again: output" out2 "ingest: 7 items: 0 stored, 0 duplicate, 0 kept aside, 7 done before; 0 reports new, 0 duplicate"
expect_eq "files again: still 4 reports" "$(q files.db 'select count(*) from report_aggregate')" 4

# ---- a Maildir: messages marked Seen and moved to cur/ only once stored ----
mkdir -p md/new md/cur md/tmp
cp "$fx/r3-0001.eml" md/new/1735700000.M1P1.host
for f in r1-0001 r1-0002 broken; do
    { printf 'From: reports@reporter.example\nSubject: %s\nMIME-Version: 1.0\nContent-Type: text/xml\n\n' "$f"; cat "$fx/$f.xml"; } >"md/new/1735700001.$f.host"
done
{ printf 'From: reports@reporter.example\nSubject: gz\nMIME-Version: 1.0\nContent-Type: application/gzip\nContent-Transfer-Encoding: base64\n\n'; base64 "$fx/r2-0001.xml.gz"; } >"md/cur/1735600000.gz.host:2,F"
"$ms" report ingest --store "sqlite:$tmp/md.db" md >out3 2>err3
expect_eq "maildir: exit status" "$?" 3
expect_out "maildir: output" out3 "stored      md/new/1735700000.M1P1.host: 1 new, 0 duplicate
kept-aside  md/new/1735700001.broken.host: the report ends before </feedback> (truncated?): Premature end of data in tag report_metadata line 2 (byte 77)
stored      md/new/1735700001.r1-0001.host: 1 new, 0 duplicate
stored      md/new/1735700001.r1-0002.host: 1 new, 0 duplicate
stored      md/cur/1735600000.gz.host:2,F: 1 new, 0 duplicate
ingest: 5 items: 4 stored, 0 duplicate, 1 kept aside, 0 done before; 4 reports new, 0 duplicate"
expect_eq "maildir: new/ is empty" "$(ls md/new | wc -l)" 0
expect_eq "maildir: cur/ with the Seen flag" "$(ls md/cur | tr '\n' ' ')" \
    "1735600000.gz.host:2,FS 1735700000.M1P1.host:2,S 1735700001.broken.host:2,S 1735700001.r1-0001.host:2,S 1735700001.r1-0002.host:2,S "
expect_eq "maildir: source keys" "$(q md.db "select count(*) from report_source where source_key like 'maildir:$tmp/md/%'")" 5
"$ms" report ingest --store "sqlite:$tmp/md.db" md >out4 2>err4
expect_eq "maildir again: exit status" "$?" 0
expect_out "maildir again: output" out4 "ingest: 5 items: 0 stored, 0 duplicate, 0 kept aside, 5 done before; 0 reports new, 0 duplicate"
# Stored before but not yet marked (a crash between the commit and the rename): marked now.
mv "md/cur/1735700001.r1-0002.host:2,S" "md/new/1735700001.r1-0002.host"
"$ms" report ingest --store "sqlite:$tmp/md.db" md >out5 2>err5
expect_eq "maildir, stored but unmarked: nothing new" "$(norm out5)" "ingest: 5 items: 0 stored, 0 duplicate, 0 kept aside, 5 done before; 0 reports new, 0 duplicate"
expect_eq "maildir, stored but unmarked: marked" "$(ls md/new | wc -l) $(ls md/cur | grep -c 'r1-0002.host:2,S')" "0 1"

# ---- an mbox: "From " lines split it, ">From " is unescaped, the file is left as it is ----
{
    printf 'From reports@reporter.example Wed Jan  1 00:00:00 2025\n'; cat "$fx/r3-0001.eml"; printf '\n'
    printf 'From reports@reporter.example Wed Jan  1 00:00:01 2025\nFrom: reports@reporter.example\nSubject: r1\nContent-Type: text/xml\n\n'
    cat "$fx/r1-0002.xml"; printf '\n'
    printf 'From reports@reporter.example Wed Jan  1 00:00:02 2025\nFrom: x@reporter.example\nSubject: text only\n\n>From the desk of nobody: no report here.\n'
} >mbox
cp mbox mbox.orig
"$ms" report ingest --store "sqlite:$tmp/mbox.db" mbox >out6 2>err6
expect_eq "mbox: exit status" "$?" 3
expect_eq "mbox: lines" "$(norm out6 | cut -c1-30 | tr '\n' '|')" \
    "stored      mbox#1: 1 new, 0 d|stored      mbox#2: 1 new, 0 d|kept-aside  mbox#3: no report |ingest: 3 items: 2 stored, 0 d|"
expect_eq "mbox: left as it was" "$(cmp mbox mbox.orig && echo same)" same
"$ms" report ingest --store "sqlite:$tmp/mbox.db" mbox >out7 2>err7
expect_eq "mbox again" "$? $(norm out7)" "0 ingest: 3 items: 0 stored, 0 duplicate, 0 kept aside, 3 done before; 0 reports new, 0 duplicate"

# ---- kill -9 in the middle of a large Maildir, then run again: each report exactly once ----
n=200
mkdir -p big/new big/cur big/tmp
i=0
while [ $i -lt $n ]; do
    sed -e "s|<report_id>r1-0001</report_id>|<report_id>big-$i</report_id>|" "$fx/r1-0001.xml" >"big/new/17357$i.big.host"
    i=$((i + 1))
done
cp big/new/173570.big.host big/new/zz-a-duplicate.host # the same report in another message
"$ms" report ingest --store "sqlite:$tmp/big.db" big >out8 2>err8 &
pid=$!
# Kill it once it has stored something (but not everything, usually).
tries=0
while [ $tries -lt 600 ]; do
    got=$(sqlite3 big.db 'select count(*) from report_source' 2>/dev/null || echo 0)
    [ "${got:-0}" -ge 20 ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
    tries=$((tries + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
before=$(q big.db 'select count(*) from report_aggregate')
echo "killed after $before of $((n + 1)) reports"
"$ms" report ingest -q --store "sqlite:$tmp/big.db" big >out9 2>err9
expect_eq "killed, rerun: exit status" "$?" 0
expect_eq "killed, rerun: each report once" "$(q big.db 'select count(*), count(distinct report_id) from report_aggregate')" "$n|$n"
expect_eq "killed, rerun: sources" "$(q big.db 'select count(*) from report_source')" $((n + 1))
expect_eq "killed, rerun: new/ empty" "$(ls big/new | wc -l)" 0
expect_eq "killed, rerun: all marked" "$(ls big/cur | grep -c ':2,S$')" $((n + 1))

# ---- the conformance samples: every file is stored, found a duplicate or kept aside ----
if [ -n "$conf" ] && [ -d "$conf/dmarc/parsedmarc/samples/aggregate" ]; then
    d="$conf/dmarc/parsedmarc/samples/aggregate"
    files=$(find "$d" -type f | wc -l)
    "$ms" report ingest -q --store "sqlite:$tmp/conf.db" "$d" >out10 2>err10
    rc=$?
    case $rc in 0|3) echo "ok: samples: exit status $rc" ;; *) fail "samples: exit status $rc: $(cat err10)" ;; esac
    expect_eq "samples: every file accounted for" "$(tail -1 out10 | sed 's/ items:.*//')" "ingest: $files"
    expect_eq "samples: stored + kept = sources" \
        "$(q conf.db "select count(*) from report_source")" "$files"
else
    echo "SKIP: samples: no conformance directory (${conf:-unset}/dmarc): see MS_CONFORMANCE_DIR"
fi

if [ $failures -ne 0 ]; then
    echo "$failures failed"
    exit 1
fi
echo "all passed"
