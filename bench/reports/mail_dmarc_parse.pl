#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# bench/reports, the peer: Mail::DMARC's aggregate report parser (Debian libmail-dmarc-perl),
# i.e. Mail::DMARC::Report::Receive::handle_body without its final save_aggregate (the SQL
# store): XML::LibXML load_xml, then do_node_report_metadata, do_node_policy_published and
# do_node_record for every record into Mail::DMARC::Report::Aggregate objects. The XML files
# given (the payloads ms_report_bench --dump wrote) are parsed in turn, round after round,
# until --bytes of XML have been parsed. Prints one JSON line like ms_report_bench.
# With --list-ok it only prints the files it parses without dying (run.sh times both sides on
# those as well, so the comparison is on the same, successful work).
#   mail_dmarc_parse.pl [--bytes N | --list-ok] FILE...
use strict;
use warnings;
use Mail::DMARC;
use Mail::DMARC::Report::Receive;
use XML::LibXML;
use Time::HiRes qw(time);

my $target = 16 * 1024 * 1024;
my $list_ok = 0;
if (@ARGV >= 2 && $ARGV[0] eq '--bytes') { shift @ARGV; $target = shift @ARGV; }
if (@ARGV >= 1 && $ARGV[0] eq '--list-ok') { shift @ARGV; $list_ok = 1; }
my @docs;
my $distinct = 0;
for my $f (@ARGV) {
    open my $fh, '<:raw', $f or die "$f: $!";
    local $/;
    my $x = <$fh>;
    push @docs, $x;
    $distinct += length $x;
}
die "no files\n" unless @docs;
sub parse_one {
    my ($x) = @_;
    my $n   = 0;
    my $r   = Mail::DMARC::Report::Receive->new;
    my $dom = XML::LibXML->load_xml(string => $x);
    $r->do_node_report_metadata($dom->findnodes("/feedback/report_metadata"));
    $r->do_node_policy_published($dom->findnodes("/feedback/policy_published"));
    foreach my $rec ($dom->findnodes("/feedback/record")) {
        $r->do_node_record($rec);
        $n++;
    }
    return $n;
}
if ($list_ok) {
    for my $i (0 .. $#docs) {
        print "$ARGV[$i]\n" if eval { parse_one($docs[$i]); 1 };
    }
    exit 0;
}
# Mail::DMARC warns on stderr for records it finds incomplete; that is part of its work.
my ($bytes, $reports, $records, $failed) = (0, 0, 0, 0);
my $t0 = time;
my ($u0, $s0) = times;
while ($bytes < $target) {
    for my $x (@docs) {
        my $ok = eval { $records += parse_one($x); 1 };
        $failed++ unless $ok;
        $bytes += length $x;
        $reports++;
    }
}
my $dt = time - $t0;
my ($u1, $s1) = times;
my $dc = ($u1 - $u0) + ($s1 - $s0);    # CPU seconds, as ms_report_bench quotes
printf "{\"impl\":\"Mail::DMARC %s\",\"distinct_reports\":%d,\"distinct_bytes\":%d,"
    . "\"reports\":%d,\"bytes\":%d,\"records\":%d,\"failed\":%d,\"seconds\":%.3f,"
    . "\"cpu_seconds\":%.3f,\"reports_per_s\":%.1f,\"mb_per_s\":%.3f,\"wall_mb_per_s\":%.3f}\n",
    $Mail::DMARC::VERSION // '?', scalar @docs, $distinct, $reports, $bytes, $records, $failed,
    $dt, $dc, $reports / $dc, $bytes / $dc / 1e6, $bytes / $dt / 1e6;
