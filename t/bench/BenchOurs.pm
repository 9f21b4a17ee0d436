# BenchOurs.pm - the project's daemon as `make bench` runs it: a private
# POSTOFFICE, policy database and configuration in the bench's directory,
# on a free loopback port, started in the foreground and stopped at the end.
# Not for: the tests' daemons (t/lib/SmtpTest.pm), measuring (ProcStat.pm).
package BenchOurs;
use strict;
use warnings;
use IO::Socket::INET;
use POSIX qw(:sys_wait_h setpgid);
use Time::HiRes qw(time sleep);

# The tuning the bench runs with (printed in its header and explained in
# doc/smtpserver-tuning.7): workers never exit during a run, so that their
# context switches are not lost with them.
our @TUNING = (
	'PARAM min-idle-workers 16',
	'PARAM max-idle-workers 128',
	'PARAM max-worker-sessions 100000',
);
# BENCH_SPOOL_SYNC=syncfs measures PARAM spool-sync syncfs
push(@TUNING, "PARAM spool-sync $1")
    if ($ENV{BENCH_SPOOL_SYNC} // '') =~ /^(fsync|syncfs)$/;

sub new {
	my ($class, %o) = @_;
	my $self = bless { %o, name => 'ours' }, $class;
	my $d = $self->{dir};
	$self->{po} = "$d/postoffice";
	mkdir($d) or die "$d: $!";
	mkdir($_) or die "$_: $!" for $self->{po}, "$d/db",
	    map { "$self->{po}/$_" } qw(public router freezer);
	chmod(0755, $d, $self->{po});
	if ($> == 0) {
		my ($uid, $gid) = (getpwnam('daemon'))[2, 3];
		chown($uid, $gid, map { "$self->{po}/$_" }
		    qw(public router freezer));
	}
	$self->policy_db;
	$self->write_conf;
	return $self;
}

sub spew {
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh $text;
	close($fh) or die "$path: $!";
}

# conf/db's samples plus 127/8 as a fully trusted network
sub policy_db {
	my ($self) = @_;
	my $db = "$self->{dir}/db";
	system('cp', glob("$self->{src}/conf/db/*"), $db) == 0
	    or die "bench: cannot copy conf/db\n";
	spew("$db/smtp-policy.relay.manual", "[127.0.0.0]/8 fulltrustnet +\n");
	system("$self->{build}/policy-builder -d $db >/dev/null") == 0
	    or die "bench: policy-builder failed\n";
}

# DNS goes to 127.0.0.1:9, where nothing listens: the bench asks no
# nameserver (127.0.0.1's own name is answered locally).
sub write_conf {
	my ($self) = @_;
	my $d = $self->{dir};
	spew("$d/smtpserver.conf", join("\n",
	    "PARAM policydb gdbm $d/db/smtp-policy",
	    'PARAM dns-server 127.0.0.1', 'PARAM dns-port 9',
	    'PARAM dns-timeout 2', 'PARAM BindAddress [127.0.0.1]',
	    'PARAM MaxSameIpSource 1000', 'PARAM MaxParallelConnections 1000',
	    'PARAM min-availspace 1000', @TUNING, '* * ve', ''));
	spew("$d/zmailer.conf", "POSTOFFICE=$self->{po}\n");
}

sub start {
	my ($self) = @_;
	my $d = $self->{dir};
	$self->{pid} = spawn("$d/daemon.log", "$self->{build}/smtpserver",
	    '-F', '-C', "$d/smtpserver.conf", '-P', $self->{po},
	    '-Z', "$d/zmailer.conf", '-p', $self->{port});
	wait_greeted($self->{pid}, $self->{port}, 30, 'our daemon',
	    sub { $self->log_tail });
}

# cmd in a process group of its own, its output appended to log; the pid
# (BenchSink.pm uses it too)
sub spawn {
	my ($log, @cmd) = @_;
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		setpgid(0, 0);
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>>', $log);
		open(STDERR, '>&', \*STDOUT);
		exec(@cmd) or POSIX::_exit(127);
	}
	return $pid;
}

# until port greets: die when pid exits (with what tail() says) or after
# secs
sub wait_greeted {
	my ($pid, $port, $secs, $what, $tail) = @_;
	my $end = time + $secs;
	until (greeted($port)) {
		die "bench: $what exited:\n" . ($tail ? $tail->() : '')
		    if waitpid($pid, WNOHANG) == $pid;
		die "bench: $what did not answer in $secs s\n" if time > $end;
		sleep(0.05);
	}
}

# one connection that gets its 220 and says QUIT (BenchSink.pm too)
sub greeted {
	my ($port) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $port, Timeout => 5) or return 0;
	$s->timeout(5);
	my $l = <$s> // '';
	print $s "QUIT\r\n";
	return $l =~ /^220 /;
}

sub log_tail {
	my ($self) = @_;
	open(my $fh, '<', "$self->{dir}/daemon.log") or return '';
	my @l = <$fh>;
	return join('', @l[ ($#l > 9 ? $#l - 9 : 0) .. $#l ]);
}

sub root_pid { return $_[0]{pid} }
sub port     { return $_[0]{port} }

# messages in router/ (each a file; names starting with a dot are not)
sub stored {
	my ($self) = @_;
	opendir(my $d, "$self->{po}/router") or return 0;
	return scalar(grep { !/^\./ } readdir($d));
}

sub version {
	my ($self) = @_;
	my $v = `$self->{build}/smtpserver -V 2>/dev/null` // '';
	return $v =~ /(\d+\.\d+\S*)/ ? "smtpserver $1" : 'smtpserver';
}

sub stop {
	my ($self) = @_;
	my $pid = delete($self->{pid}) or return;
	stop_pid($pid, 40);
}

# TERM to a process that leads its own group, then KILL to the group
# when it has not gone within secs (BenchSink.pm uses it too)
sub stop_pid {
	my ($pid, $secs) = @_;
	kill('TERM', $pid);
	my $end = time + $secs;
	sleep(0.05) until waitpid($pid, WNOHANG) != 0 || time > $end;
	return if time <= $end;
	kill('KILL', -$pid);
	waitpid($pid, 0);
}

1;
