#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# bench/reports, the peer: Mail::DMARC's aggregate report parser (Debian libmail-dmarc-perl),
# i.e. Mail::DMARC::Report::Receive::handle_body without its final save_aggregate (the SQL
# store): XML::LibXML load_xml, then do_node_report_metadata, do_node_policy_published and
# do_node_record for every record into Mail::DMARC::Report::Aggregate objects. The XML files
# given (the payloads ms_report_bench --dump wrote) are parsed in turn, round after round,
# until --bytes of XML have been parsed. Prints one JSON line like ms_report_bench.
#   mail_dmarc_parse.pl [--bytes N] FILE...
use strict;
use warnings;
use Mail::DMARC;
use Mail::DMARC::Report::Receive;
use XML::LibXML;
use Time::HiRes qw(time);

my $target = 16 * 1024 * 1024;
if (@ARGV >= 2 && $ARGV[0] eq '--bytes') { shift @ARGV; $target = shift @ARGV; }
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
# Mail::DMARC warns on stderr for records it finds incomplete; that is part of its work.
my ($bytes, $reports, $records, $failed) = (0, 0, 0, 0);
my $t0 = time;
while ($bytes < $target) {
    for my $x (@docs) {
        my $ok = eval {
            my $r   = Mail::DMARC::Report::Receive->new;
            my $dom = XML::LibXML->load_xml(string => $x);
            $r->do_node_report_metadata($dom->findnodes("/feedback/report_metadata"));
            $r->do_node_policy_published($dom->findnodes("/feedback/policy_published"));
            foreach my $rec ($dom->findnodes("/feedback/record")) {
                $r->do_node_record($rec);
                $records++;
            }
            1;
        };
        $failed++ unless $ok;
        $bytes += length $x;
        $reports++;
    }
}
my $dt = time - $t0;
printf "{\"impl\":\"Mail::DMARC %s\",\"distinct_reports\":%d,\"distinct_bytes\":%d,"
    . "\"reports\":%d,\"bytes\":%d,\"records\":%d,\"failed\":%d,\"seconds\":%.3f,"
    . "\"reports_per_s\":%.1f,\"mb_per_s\":%.3f}\n",
    $Mail::DMARC::VERSION // '?', scalar @docs, $distinct, $reports, $bytes, $records, $failed,
    $dt, $reports / $dt, $bytes / $dt / 1e6;
