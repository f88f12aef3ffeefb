#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# Reads generated aggregate reports back with Mail::DMARC (Debian libmail-dmarc-perl) and prints
# what it understood, one line per fact, for the test to compare with what was recorded:
#   meta ORG EMAIL REPORT_ID BEGIN END                  (fields tab-separated)
#   policy DOMAIN P SP ADKIM ASPF
#   record IP COUNT DISPOSITION DKIM SPF HEADER_FROM ENVELOPE_FROM ENVELOPE_TO SPF_RESULT DKIM_RESULTS REASONS
# Mail::DMARC 1.x reads reports with namespace-less XPath (/feedback/...), the RFC 7489 shape:
# the RFC 9990 default namespace is taken off first; every element name is the same.
# Mail::DMARC 1.x's do_node_record_auth reads every <dkim> of a record through the record node
# ("./auth_results/dkim/domain"), so each signature comes back as a copy of the first:
# expected.report records that as it is (the number of signatures is still checked).
use strict;
use warnings;
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use Mail::DMARC::Report::Receive;

no warnings 'redefine';
*Mail::DMARC::Report::save_aggregate = sub { return 1 };    # no Mail::DMARC store needed
use warnings 'redefine';

for my $file (@ARGV) {
    my $xml;
    if ($file =~ /\.gz$/) {
        gunzip($file => \$xml) or die "$file: $GunzipError\n";
    } else {
        local $/;
        open my $fh, '<', $file or die "$file: $!\n";
        $xml = <$fh>;
    }
    $xml =~ s/ xmlns="urn:ietf:params:xml:ns:dmarc-2\.0"//
        or die "$file: no RFC 9990 namespace on <feedback>\n";
    my $recv = Mail::DMARC::Report::Receive->new;
    $recv->handle_body($xml);
    my $agg = $recv->report->aggregate;
    my $m = $agg->metadata;
    print join("\t", 'meta', map { defined $_ && $_ ne '' ? $_ : '-' }
        $m->org_name, $m->email, $m->report_id, $m->begin, $m->end), "\n";
    my $p = $agg->policy_published;
    print join("\t", 'policy', map { defined $_ && $_ ne '' ? $_ : '-' }
        $p->domain, $p->p, $p->sp, $p->adkim, $p->aspf), "\n";
    for my $rec (@{ $agg->record }) {
        my $row = $rec->row;
        my $pe = $row->policy_evaluated;
        my $id = $rec->identifiers;
        my $ar = $rec->auth_results;
        my @spf = map { $_->{domain} . ':' . $_->{result} } @{ $ar->spf || [] };
        my @dkim = map { $_->{domain} . '/' . ($_->{selector} // '') . ':' . $_->{result} }
            @{ $ar->dkim || [] };
        my @reasons = map { $_->{type} } @{ $pe->reason || [] };
        print join("\t", 'record', map { defined $_ && $_ ne '' ? $_ : '-' }
            $row->source_ip, $row->count, $pe->disposition, $pe->dkim, $pe->spf,
            $id->header_from, $id->envelope_from, $id->envelope_to,
            join(',', @spf), join(',', @dkim), join(',', @reasons)), "\n";
    }
}
