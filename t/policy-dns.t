#!/usr/bin/perl
# policy-dns.t - DNS checks against a DNS server on 127.0.0.1 that this test
# starts (t/lib/TestDNS.pm): an RBL zone with TXT reasons, MX records,
# a SERVFAIL zone, a zone that never answers and one whose UDP answers
# are truncated.  The checks themselves are in t/unit/policy_dns_test.c;
# this script serves the zones, runs it and passes its TAP through.
# Nothing but 127.0.0.1 is contacted.
use strict;
use warnings;
use lib 't/lib';

my $build = $ENV{SMTPSERVER_BUILD} || 'build';
my $bin = "$build/t/unit/policy_dns_test";
unless (-x $bin) {
	print "1..0 # SKIP $bin not built\n";
	exit 0;
}
unless (eval { require Net::DNS::Nameserver; 1 }) {
	print "1..0 # SKIP Net::DNS::Nameserver missing (libnet-dns-perl)\n";
	exit 0;
}
require TestDNS;

my $port = TestDNS::start(
	A => {
		'66.2.0.192.rbl.test'  => '127.0.0.2',
		'67.2.0.192.rbl.test'  => '127.255.255.254',
		'114.2.0.192.rbl.test' => '127.0.0.4',
		'130.2.0.192.rbl.test' => '127.0.0.2',
		'69.2.0.192.rbl.test'  => '192.0.2.1',
		join('.', reverse split //, '20010db8000000000000000000000066')
		    . '.rbl.test' => '127.0.0.2',
		'mx.ours.test'     => '192.0.2.25',
		'a-ours.test'      => '192.0.2.25',
		'mx.theirs.test'   => '198.51.100.200',
		'mx.private.test'  => '10.0.0.1',
		'cache.test'       => '192.0.2.26',
	},
	TXT => {
		'66.2.0.192.rbl.test'  => 'Blocked: 192.0.2.66 is a test spammer',
		'114.2.0.192.rbl.test' => "RCPT-time listing\tfor 192.0.2.114",
		'130.2.0.192.rbl.test' => 'second zone lists 192.0.2.130',
		'big.tc.test'          => 'x' x 200,
	},
	MX => {
		'mx-ours.test'    => 'mx.ours.test',
		'mx-theirs.test'  => 'mx.theirs.test',
		'mx-private.test' => 'mx.private.test',
		'sender-ok.test'  => 'mx.theirs.test',
		'rbl-target.test' => 'mx.ours.test',
		'plus-mx.test'    => 'mx.theirs.test',
	});

$ENV{POLICY_TEST_DNS_PORT} = $port;
$ENV{POLICY_TEST_DNS_LOG} = TestDNS::log_path($port);
my $out = `$bin`;
my $rc = $? >> 8;
print $out;
exit $rc;
