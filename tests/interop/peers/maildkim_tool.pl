#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# Mail::DKIM (libmail-dkim-perl) driven through its library API for the interop suite.
# Debian 12's Mail::DKIM signs and verifies rsa-sha256 only (no ed25519-sha256).
#   maildkim_tool.pl sign [--alg rsa] --domain D --selector S --key FILE --canon H/B --outdir DIR FILE...
#       writes DIR/<basename> = the signed message (CRLF)
#   maildkim_tool.pl verify --dns 127.0.0.1:PORT FILE...
#       one line per file: "pass FILE" or "fail FILE REASON"; keys come from that DNS server
#       through a Net::DNS::Resolver on that port (Mail::DKIM::DNS::resolver hook).
use strict;
use warnings;
use Getopt::Long qw(GetOptionsFromArray);
use File::Basename qw(basename);

for my $m (qw(Mail::DKIM::Signer Mail::DKIM::Verifier Mail::DKIM::DNS Net::DNS::Resolver)) {
    eval "require $m; 1" or do {
        print STDERR "maildkim_tool: missing $m (libmail-dkim-perl is in scripts/install-deps)\n";
        exit 2;
    };
}

sub slurp {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or die "maildkim_tool: $path: $!\n";
    local $/;
    my $d = <$fh>;
    close $fh;
    return $d;
}

my $cmd = shift @ARGV // '';
my %o = (canon => 'relaxed/relaxed', alg => 'rsa');
GetOptionsFromArray(\@ARGV, \%o, 'alg=s', 'domain=s', 'selector=s', 'key=s', 'canon=s',
    'outdir=s', 'dns=s') or exit 2;
if ($o{alg} ne 'rsa') {
    print STDERR "maildkim_tool: this Mail::DKIM signs rsa-sha256 only\n";
    exit 2;
}

if ($cmd eq 'sign') {
    for my $path (@ARGV) {
        my $data = slurp($path);
        my $s = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256', Method => $o{canon},
            Domain => $o{domain}, Selector => $o{selector}, KeyFile => $o{key});
        $s->PRINT($data);
        $s->CLOSE;
        my $out = $o{outdir} . '/' . basename($path);
        open(my $fh, '>:raw', $out) or die "maildkim_tool: $out: $!\n";
        print $fh $s->signature->as_string . "\r\n" . $data;
        close $fh;
    }
} elsif ($cmd eq 'verify') {
    my ($host, $port) = $o{dns} =~ /^(.*):(\d+)$/ or die "maildkim_tool: --dns HOST:PORT\n";
    Mail::DKIM::DNS::resolver(Net::DNS::Resolver->new(nameservers => [$host], port => $port,
        recurse => 1, udp_timeout => 5, tcp_timeout => 5, retry => 2));
    for my $path (@ARGV) {
        my $v = Mail::DKIM::Verifier->new();
        $v->PRINT(slurp($path));
        $v->CLOSE;
        if ($v->result eq 'pass') {
            print "pass $path\n";
        } else {
            print "fail $path " . $v->result_detail . "\n";
        }
    }
} else {
    print STDERR "usage: maildkim_tool.pl sign|verify ...\n";
    exit 2;
}
