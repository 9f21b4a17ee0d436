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
use BenchOurs;

sub usable { return -x '/usr/sbin/smtp-sink' }

sub new {
	my ($class, %o) = @_;
	return bless { %o, name => 'smtp-sink' }, $class;
}

# as root it must be told whose privileges to take (-u)
sub start {
	my ($self) = @_;
	my @u = $> == 0 ? ('-u', 'nobody') : ();
	$self->{pid} = BenchOurs::spawn('/dev/null', '/usr/sbin/smtp-sink',
	    @u, "127.0.0.1:$self->{port}", '1024');
	BenchOurs::wait_greeted($self->{pid}, $self->{port}, 10, 'smtp-sink');
}

sub port     { return $_[0]{port} }
sub root_pid { return $_[0]{pid} }

sub stop {
	my ($self) = @_;
	my $pid = delete($self->{pid}) or return;
	BenchOurs::stop_pid($pid, 10);
}

1;
