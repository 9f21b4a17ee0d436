#!/usr/bin/perl
# policy-dns.t - DNS checks against a DNS server on 127.0.0.1 that this test
# starts (Net::DNS::Nameserver): an RBL zone with TXT reasons, MX records,
# a SERVFAIL zone and a zone that never answers.  The checks themselves are
# in t/unit/policy_dns_test.c; this script serves the zones, runs it and
# passes its TAP through.  Nothing but 127.0.0.1 is contacted.
use strict;
use warnings;
use IO::Socket::INET;
use POSIX qw(:sys_wait_h);

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

my %A = (
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
);
my %TXT = (
	'66.2.0.192.rbl.test'  => 'Blocked: 192.0.2.66 is a test spammer',
	'114.2.0.192.rbl.test' => "RCPT-time listing\tfor 192.0.2.114",
	'130.2.0.192.rbl.test' => 'second zone lists 192.0.2.130',
);
my %MX = (
	'mx-ours.test'    => 'mx.ours.test',
	'mx-theirs.test'  => 'mx.theirs.test',
	'mx-private.test' => 'mx.private.test',
	'sender-ok.test'  => 'mx.theirs.test',
	'rbl-target.test' => 'mx.ours.test',
	'plus-mx.test'    => 'mx.theirs.test',
);
my %exists = map { $_ => 1 } keys %A, keys %TXT, keys %MX;

sub reply {
	my ($qname, $qclass, $qtype) = @_;
	$qname = lc $qname;
	return ('SERVFAIL', [], [], []) if $qname =~ /(^|\.)fail\.test$/;
	return (undef) if $qname =~ /(^|\.)slow\.test$/;    # never answers
	my @ans;
	if ($qtype eq 'A' && $A{$qname}) {
		push @ans, Net::DNS::RR->new("$qname 60 IN A $A{$qname}");
	} elsif ($qtype eq 'TXT' && $TXT{$qname}) {
		my $rr = Net::DNS::RR->new(name => $qname, type => 'TXT',
		    ttl => 60);
		$rr->txtdata($TXT{$qname});
		push @ans, $rr;
	} elsif ($qtype eq 'MX' && $MX{$qname}) {
		push @ans, Net::DNS::RR->new("$qname 60 IN MX 10 $MX{$qname}");
	}
	return ('NXDOMAIN', [], [], [], { aa => 1 }) unless $exists{$qname};
	return ('NOERROR', \@ans, [], [], { aa => 1 });
}

# A free port: bind UDP to port 0, take its number, let go.
my $probe = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
    LocalPort => 0) or die "udp socket: $!";
my $port = $probe->sockport;
close $probe;

my $pid = fork();
die "fork: $!" unless defined $pid;
if ($pid == 0) {
	my $ns = Net::DNS::Nameserver->new(LocalAddr => ['127.0.0.1'],
	    LocalPort => $port, ReplyHandler => \&reply, Verbose => 0)
	    or exit 1;
	my $deadline = time + 120;    # never outlive a stuck test
	$ns->loop_once(1) while time < $deadline;
	exit 0;
}

# Wait (bounded) until the server answers.
require Net::DNS::Resolver;
my $res = Net::DNS::Resolver->new(nameservers => ['127.0.0.1'],
    port => $port, udp_timeout => 1, retry => 1, recurse => 0);
my $up = 0;
for (1 .. 50) {
	my $p = $res->send('mx-ours.test', 'MX');
	if ($p && $p->header->rcode eq 'NOERROR') { $up = 1; last }
	select(undef, undef, undef, 0.1);
}
unless ($up) {
	kill 'TERM', $pid;
	waitpid($pid, 0);
	print "1..1\nnot ok 1 - test DNS server on 127.0.0.1:$port\n";
	exit 1;
}

$ENV{POLICY_TEST_DNS_PORT} = $port;
my $out = `$bin`;
my $rc = $? >> 8;
kill 'TERM', $pid;
waitpid($pid, 0);
print $out;
exit $rc;
