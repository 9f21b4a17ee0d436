# TestDNS.pm - a DNS server on 127.0.0.1 for tests (Net::DNS::Nameserver):
# A, MX and TXT records from hashes, SERVFAIL for *.fail.test, silence
# for *.slow.test, NXDOMAIN for the rest.  Stopped at exit.
package TestDNS;
use strict;
use warnings;
use IO::Socket::INET;
use POSIX ();

my @pids;

# start(A => {name => addr}, MX => {name => host}, TXT => {name => text});
# returns the port once the server answers (bounded wait), or dies.
sub start {
	my (%z) = @_;
	require Net::DNS::Nameserver;
	require Net::DNS::Resolver;
	my %exists = map { lc($_) => 1 } map { keys %{ $z{$_} || {} } } qw(A MX TXT);
	my $reply = sub {
		my ($q, undef, $type) = @_;
		$q = lc $q;
		return ('SERVFAIL', [], [], []) if $q =~ /(^|\.)fail\.test$/;
		return (undef) if $q =~ /(^|\.)slow\.test$/;
		return ('NXDOMAIN', [], [], [], { aa => 1 }) unless $exists{$q};
		my @ans;
		if ($type eq 'A' && $z{A}{$q}) {
			push @ans, Net::DNS::RR->new("$q 60 IN A $z{A}{$q}");
		} elsif ($type eq 'MX' && $z{MX}{$q}) {
			push @ans, Net::DNS::RR->new("$q 60 IN MX 10 $z{MX}{$q}");
		} elsif ($type eq 'TXT' && $z{TXT}{$q}) {
			my $rr = Net::DNS::RR->new(name => $q, type => 'TXT',
			    ttl => 60);
			$rr->txtdata($z{TXT}{$q});
			push @ans, $rr;
		}
		return ('NOERROR', \@ans, [], [], { aa => 1 });
	};
	my $probe = IO::Socket::INET->new(Proto => 'udp',
	    LocalAddr => '127.0.0.1', LocalPort => 0) or die "udp: $!";
	my $port = $probe->sockport;
	close $probe;
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		my $ns = Net::DNS::Nameserver->new(LocalAddr => ['127.0.0.1'],
		    LocalPort => $port, ReplyHandler => $reply, Verbose => 0)
		    or POSIX::_exit(1);
		my $deadline = time + 300;
		$ns->loop_once(1) while time < $deadline;
		POSIX::_exit(0);
	}
	push @pids, $pid;
	my $res = Net::DNS::Resolver->new(nameservers => ['127.0.0.1'],
	    port => $port, udp_timeout => 1, retry => 1, recurse => 0);
	for (1 .. 50) {
		my $p = $res->send('probe.invalid', 'A');
		return $port if $p;
		select(undef, undef, undef, 0.1);
	}
	die "test DNS server on 127.0.0.1:$port did not answer\n";
}

END {
	local $?;
	for my $pid (@pids) {
		kill 'TERM', $pid;
		waitpid($pid, 0);
	}
}

1;
