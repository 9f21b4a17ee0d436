#!/usr/bin/perl
# The daemon says "listening on <every bound socket>" on standard error
# (without -d too) once all its listeners are bound, and only then: `make
# run` relies on that line instead of announcing it before the start.  A
# listener that cannot be bound (an address this host does not have, as
# [::1] on a host without IPv6) stops the start-up with the address and
# the reason, and no "listening" line is ever printed.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Select;
use POSIX ();
use SmtpTest qw(wait_until);
use Time::HiRes qw(time);


my @pids;
END { kill('KILL', @pids) if @pids }	# even when a test dies

# Start the daemon in the foreground without -d, its stderr on a pipe.
sub spawn {
	my ($d) = @_;
	my @argv = $d->argv;
	for my $i (reverse 0 .. $#argv - 1) {
		splice(@argv, $i, 2) if $argv[$i] eq '-d';
	}
	pipe(my $r, my $w) or die "pipe: $!";
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		close($r);
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>&', $w);
		open(STDERR, '>&', $w);
		exec(@argv) or POSIX::_exit(127);
	}
	close($w);
	push(@pids, $pid);
	return ($pid, $r);
}

# Lines from fh until one matches re, EOF, or 20 s; (matched, all text).
sub read_until {
	my ($fh, $re) = @_;
	my $sel = IO::Select->new($fh);
	my ($text, $end) = ('', time + 20);
	while ((my $left = $end - time) > 0) {
		last unless $sel->can_read($left);
		my $n = sysread($fh, my $chunk, 4096);
		last unless $n;
		$text .= $chunk;
		return (1, $text) if $text =~ $re;
	}
	return (0, $text);
}

sub finish {
	my ($pid, $sig) = @_;
	kill($sig, $pid) if $sig;
	my $end = time + 30;
	while (time < $end) {
		return $? if waitpid($pid, POSIX::WNOHANG()) == $pid;
		select(undef, undef, undef, 0.02);
	}
	kill('KILL', $pid);
	waitpid($pid, 0);
	return undef;
}

my $d = SmtpTest->new(conf => ['PARAM BindAddress [127.0.0.1]']);
my ($pid, $fh, $seen, $text);
for my $try (1 .. 3) {	# another test may take the free port first
	($pid, $fh) = spawn($d);
	($seen, $text) = read_until($fh, qr/(?:listening on|cannot) .*\n/);
	last unless $text =~ /Address already in use/;
	finish($pid);
	$d->{port} = SmtpTest::free_port();
}
ok($seen, 'without -d the daemon says it is listening') or diag($text);
like($text, qr/^smtpserver\[$pid\]: listening on \[127\.0\.0\.1\]:$d->{port}$/m,
    '  naming the socket it bound');
my $s = $d->connect;
ok($s, 'the port takes a connection as soon as that line is out');
like(SmtpTest::reply($s), qr/^220 /, '  and is served');
close($s) if $s;
is(finish($pid, 'TERM'), 0, 'stops cleanly');

# An address this host does not have (TEST-NET-1 / documentation IPv6),
# alone or beside one that binds: refused, with no "listening" line.
for my $bad ('[192.0.2.1]', '[IPv6.2001:db8::1]') {
	(my $shown = $bad) =~ s/^\[IPv6\./[/;
	my $b = SmtpTest->new(conf => ['PARAM BindAddress [127.0.0.1]',
	    "PARAM BindAddress $bad"]);
	($pid, $fh) = spawn($b);
	my $rc = finish($pid);
	($seen, $text) = read_until($fh, qr/listening/);
	is($rc >> 8, 1, "BindAddress $bad that cannot be bound: exit 1");
	like($text, qr/cannot listen on \Q$shown\E:$b->{port}: /,
	    '  saying which and why');
	unlike($text, qr/listening on/, '  and never "listening"');
}
done_testing();
