# BenchSink.pm - the ceiling of `make bench`: Postfix's smtp-sink, a test
# server in one process that answers every command at once and stores
# nothing, on a free loopback port.  What it reaches is what the client
# and the loopback network allow on this machine with no disk and almost
# no server work: the room any real server has.  Not a server to compare
# stored mail with (it stores none), and not run without smtp-sink.
# Not for: the servers measured (BenchOurs.pm, BenchPostfix.pm).
package BenchSink;
use strict;
use warnings;
use IO::Socket::INET;
use POSIX qw(:sys_wait_h setpgid);
use Time::HiRes qw(time sleep);

sub usable { return -x '/usr/sbin/smtp-sink' }

sub new {
	my ($class, %o) = @_;
	return bless { %o, name => 'smtp-sink' }, $class;
}

# as root it must be told whose privileges to take (-u)
sub start {
	my ($self) = @_;
	my @u = $> == 0 ? ('-u', 'nobody') : ();
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		setpgid(0, 0);
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>', '/dev/null');
		open(STDERR, '>&', \*STDOUT);
		exec('/usr/sbin/smtp-sink', @u, "127.0.0.1:$self->{port}",
		    '1024') or POSIX::_exit(127);
	}
	$self->{pid} = $pid;
	my $end = time + 10;
	until (greeted($self->{port})) {
		die "bench: smtp-sink exited\n" if waitpid($pid, WNOHANG) == $pid;
		die "bench: smtp-sink did not answer in 10 s\n" if time > $end;
		sleep(0.05);
	}
}

sub greeted {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $_[0], Timeout => 5) or return 0;
	$s->timeout(5);
	my $l = <$s> // '';
	print $s "QUIT\r\n";
	return $l =~ /^220 /;
}

sub port     { return $_[0]{port} }
sub root_pid { return $_[0]{pid} }

sub stop {
	my ($self) = @_;
	my $pid = delete($self->{pid}) or return;
	kill('TERM', $pid);
	my $end = time + 10;
	sleep(0.05) until waitpid($pid, WNOHANG) != 0 || time > $end;
	return if time <= $end;
	kill('KILL', -$pid);
	waitpid($pid, 0);
}

1;
