# TestDNS.pm - a DNS server on 127.0.0.1 (UDP and TCP, one port) for tests
# (Net::DNS::Nameserver): A, AAAA, MX, TXT and PTR records from hashes,
# SERVFAIL for *.fail.test, silence for *.slow.test, a truncated (TC) empty
# answer over UDP and the records over TCP for *.tc.test, NXDOMAIN for the
# rest (negative answers carry an SOA, as real servers' do, so resolvers
# may cache them).  Every query is logged, so tests can count what reached
# the server.  Stopped at exit.
package TestDNS;
use strict;
use warnings;
use File::Temp qw(tempdir);
use IO::Handle;
use IO::Socket::INET;
use POSIX ();

my (@pids, %log);
my @TYPES = qw(A AAAA MX TXT PTR);

# One answer record of the hashes for (name, type), or none.
sub _records {
	my ($z, $q, $type) = @_;
	my $v = $z->{$type} && $z->{$type}{$q};
	return () unless defined $v;
	if ($type eq 'TXT') {
		my $rr = Net::DNS::RR->new(name => $q, type => 'TXT', ttl => 60);
		$rr->txtdata($v);
		return ($rr);
	}
	return (Net::DNS::RR->new("$q 60 IN MX 10 $v")) if $type eq 'MX';
	return (Net::DNS::RR->new("$q 60 IN $type $v"));
}

sub _handler {
	my ($z, $logfh) = @_;
	my %exists = map { lc($_) => 1 } map { keys %{ $z->{$_} || {} } } @TYPES;
	my $soa = Net::DNS::RR->new(
	    '. 60 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60');
	return sub {
		my ($q, undef, $type, undef, undef, $conn) = @_;
		my $tcp = ($conn->{protocol} // 17) == 6;
		$q = lc $q;
		print $logfh ($tcp ? 'tcp' : 'udp'), " $type $q\n";
		return ('SERVFAIL', [], [], []) if $q =~ /(^|\.)fail\.test$/;
		return (undef) if $q =~ /(^|\.)slow\.test$/;
		return ('NOERROR', [], [], [], { aa => 1, tc => 1 })
		    if !$tcp && $q =~ /(^|\.)tc\.test$/;
		return ('NXDOMAIN', [], [$soa], [], { aa => 1 })
		    unless $exists{$q};
		my @ans = _records($z, $q, $type);
		return ('NOERROR', \@ans, @ans ? [] : [$soa], [], { aa => 1 });
	};
}

# A port free for both UDP and TCP on 127.0.0.1 (bounded tries).
sub _free_port {
	for (1 .. 20) {
		my $u = IO::Socket::INET->new(Proto => 'udp',
		    LocalAddr => '127.0.0.1', LocalPort => 0) or die "udp: $!";
		my $port = $u->sockport;
		my $t = IO::Socket::INET->new(Proto => 'tcp', Listen => 1,
		    LocalAddr => '127.0.0.1', LocalPort => $port,
		    ReuseAddr => 1);
		close $u;
		next unless $t;
		close $t;
		return $port;
	}
	die "no free UDP+TCP port on 127.0.0.1\n";
}

# start(A => {name => addr}, AAAA => {...}, MX => {name => host},
#     TXT => {name => text}, PTR => {reverse name => host});
# returns the port once the server answers (bounded wait), or dies.
sub start {
	my (%z) = @_;
	require Net::DNS::Nameserver;
	require Net::DNS::Resolver;
	my $dir = tempdir('testdns-XXXXXX', TMPDIR => 1, CLEANUP => 1);
	my $port = _free_port();
	$log{$port} = "$dir/queries";
	open my $logfh, '>>', $log{$port} or die "$log{$port}: $!";
	$logfh->autoflush(1);
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		my $ns = Net::DNS::Nameserver->new(LocalAddr => ['127.0.0.1'],
		    LocalPort => $port, ReplyHandler => _handler(\%z, $logfh),
		    Verbose => 0) or POSIX::_exit(1);
		my $deadline = time + 300;
		$ns->loop_once(1) while time < $deadline;
		POSIX::_exit(0);
	}
	close $logfh;
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

# The queries the server on port has received, as "udp|tcp TYPE name"
# lines, those matching re (all without it).
sub queries {
	my ($port, $re) = @_;
	open my $fh, '<', $log{$port} or return ();
	my @q = grep { !/ probe\.invalid$/ } map { chomp; $_ } <$fh>;
	return defined $re ? grep { /$re/ } @q : @q;
}

# The log file of the server on port (for programs that count themselves).
sub log_path { return $log{ $_[0] } }

END {
	local $?;
	for my $pid (@pids) {
		kill 'TERM', $pid;
		waitpid($pid, 0);
	}
}

1;
