package SmtpTest;
# The harness of the daemon tests: a temporary POSTOFFICE and config, the
# real daemon in the foreground on free loopback ports, SMTP clients bound
# to chosen 127.0.0.x sources, the control socket, and cleanup in END.
# Waiting is always for a condition, with a deadline; never a bare sleep.
use strict;
use warnings;
use Exporter 'import';
use File::Temp qw(tempdir);
use FindBin;
use IO::Select;
use IO::Socket::INET;
use IO::Socket::UNIX;
use JSON::PP;
use POSIX qw(:sys_wait_h setpgid);
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time sleep);

our @EXPORT_OK = qw(wait_until);
my @daemons;
$SIG{PIPE} = 'IGNORE';	# a daemon going away must not kill the test

sub srcdir { return "$FindBin::Bin/.." }
sub build  { return $ENV{SMTPSERVER_BUILD} // srcdir() . '/build' }
sub binary { return $ENV{SMTPSERVER_DAEMON} // build() . '/smtpserver' }

# Poll cond every 20 ms until it is true or timeout seconds pass.
sub wait_until {
	my ($cond, $timeout) = @_;
	my $end = time + ($timeout // 10);
	while (time < $end) {
		my $r = $cond->();
		return $r if $r;
		sleep(0.02);
	}
	return $cond->();
}

sub free_port {
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
	    LocalPort => 0, Proto => 'tcp', ReuseAddr => 1) or die "port: $!";
	my $p = $s->sockport;
	close($s);
	return $p;
}

# new(conf => [lines], args => [extra options], dir => reuse a postoffice)
sub new {
	my ($class, %o) = @_;
	my $self = bless { %o }, $class;
	my $dir = $o{dir} // tempdir('smtpd-daemon-XXXXXX', TMPDIR => 1,
	    CLEANUP => 1);
	$self->{dir} = $dir;
	$self->{po} = "$dir/postoffice";
	mkdir($self->{po});
	mkdir("$self->{po}/$_") for qw(public router freezer);
	chmod(0755, $dir, $self->{po});
	if ($> == 0) {
		my ($uid, $gid) = (getpwnam('daemon'))[2, 3];
		chown($uid, $gid, $self->{po}, map { "$self->{po}/$_" }
		    qw(public router freezer));
	}
	$self->{fixed} = defined $self->{port};
	$self->{port} //= free_port();
	$self->{ctl} = "$self->{po}/.smtpserver.ctl";
	$self->{log} = "$dir/daemon.log";
	# a policy database (127/8 and ::1 may relay); DNS to 127.0.0.1:9
	require SmtpPipe;
	$self->{policy} = [ split(/\n/, SmtpPipe::policy_db($self->{po})) ];
	$self->write_conf(@{ $o{conf} // [] });
	open(my $z, '>', "$dir/zmailer.conf") or die;
	print $z "POSTOFFICE=$self->{po}\nTRUSTEDUSER=daemon\n";
	close($z);
	return $self;
}

sub write_conf {
	my ($self, @lines) = @_;
	open(my $fh, '>', "$self->{dir}/smtpserver.conf") or die;
	print $fh "$_\n" for @{ $self->{policy} }, @lines;
	print $fh "* * ve\n" unless grep { /^\*/ } @lines;
	close($fh);
}

sub write_raw_conf {
	my ($self, $text) = @_;
	open(my $fh, '>', "$self->{dir}/smtpserver.conf") or die;
	print $fh $text;
	close($fh);
}

sub argv {
	my ($self) = @_;
	return (binary(), '-F', '-C', "$self->{dir}/smtpserver.conf",
	    '-P', $self->{po}, '-Z', "$self->{dir}/zmailer.conf",
	    '-p', $self->{port}, '-d', '1', @{ $self->{args} // [] });
}

# Start the daemon; returns the pid once the control socket answers and
# min_idle workers are idle.  Dies if it exits first.
sub start {
	my ($self, %o) = @_;
	for my $try (1 .. 3) {
		my $pid = eval { $self->start_once(%o) };
		return $pid if $pid;
		# another test took our free port between probe and bind
		die $@ unless $@ =~ /Address already in use/ && !$self->{fixed};
		$self->{port} = free_port();
	}
	die "daemon did not start\n";
}

sub start_once {
	my ($self, %o) = @_;
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		setpgid(0, 0);
		# die with the test even when it is killed (PR_SET_PDEATHSIG)
		eval { require 'syscall.ph'; syscall(&SYS_prctl(), 1, 9) };
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>>', $self->{log});
		open(STDERR, '>&', \*STDOUT);
		exec($self->argv) or POSIX::_exit(127);
	}
	setpgid($pid, $pid);
	$self->{pid} = $pid;
	push(@daemons, $pid);
	return $pid if $o{nowait};
	$self->wait_ready($o{idle} // 1) or die "daemon not ready:\n" .
	    $self->log_text;
	return $pid;
}

sub alive {
	my ($self) = @_;
	return 0 unless $self->{pid};
	my $r = waitpid($self->{pid}, WNOHANG);
	if ($r == $self->{pid}) {
		$self->{status} = $?;
		delete $self->{pid};
		return 0;
	}
	return 1;
}

sub wait_ready {
	my ($self, $idle) = @_;
	return wait_until(sub {
		die "daemon exited:\n" . $self->log_text unless $self->alive;
		my $s = $self->control('status') or return 0;
		return $s->{pid} == $self->{pid} && $s->{workers}{idle} >= $idle;
	}, 20);
}

# Wait for the daemon to exit; its wait status, or undef on timeout.
sub wait_exit {
	my ($self, $timeout) = @_;
	wait_until(sub { !$self->alive }, $timeout // 10) or return undef;
	return $self->{status};
}

sub stop {
	my ($self) = @_;
	return unless $self->{pid};
	kill('TERM', $self->{pid});
	return $self->wait_exit(40);
}

sub log_text {
	my ($self) = @_;
	open(my $fh, '<', $self->{log}) or return '';
	local $/;
	return <$fh>;
}

# One request to the control socket; decoded JSON or undef.
sub control {
	my ($self, $req) = @_;
	my $s = IO::Socket::UNIX->new(Peer => $self->{ctl},
	    Type => SOCK_STREAM) or return undef;
	print $s "$req\n";
	local $/;
	my $txt = <$s>;
	return undef unless defined $txt && length $txt;
	my $j = eval { decode_json($txt) };
	return $j;
}

# The status object; retried for a while, since the daemon gives a slow
# client only a second to send its request (a loaded CI host can be slower).
sub status {
	my ($self) = @_;
	my $end = time + 10;
	my $j;
	until (($j = $self->control('status')) || time > $end
	    || !$self->alive) {
		sleep(0.05);
	}
	return $j;
}

sub ctl {
	my ($self, @args) = @_;
	my $bin = build() . '/smtpserverctl';
	my $out = `$bin -s $self->{ctl} @args 2>&1`;
	return wantarray ? ($out, $? >> 8) : $out;
}

# A client connection; src picks the source address (127.0.0.x).
sub connect {
	my ($self, %o) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => $o{host} // '127.0.0.1',
	    PeerPort => $o{port} // $self->{port}, Proto => 'tcp',
	    Timeout => 5, ($o{src} ? (LocalAddr => $o{src}) : ()));
	return $s;
}

# Read one reply (all lines up to "NNN "); undef on EOF/timeout.  Reads
# with sysread into a buffer kept on the socket (PerlIO's own buffer would
# hide lines from select).
sub reply {
	my ($sock, $timeout) = @_;
	my $sel = IO::Select->new($sock);
	my $end = time + ($timeout // 10);
	my $buf = \${*$sock}{smtptest_buf};
	$$buf //= '';
	my $text = '';
	while (1) {
		while ($$buf =~ s/^([^\n]*\n)//) {
			my $line = $1;
			$text .= $line;
			return $text if $line =~ /^\d{3}(?: |\r?\n)/;
		}
		my $left = $end - time;
		return undef if $left <= 0 || !$sel->can_read($left);
		my $n = sysread($sock, my $chunk, 65536);
		return length($text) ? $text : undef unless $n;
		$$buf .= $chunk;
	}
}

sub cmd {
	my ($sock, $line) = @_;
	print $sock "$line\r\n";
	return reply($sock);
}

# MAIL/RCPT/DATA of one message; the reply to the final dot.
sub message {
	my ($sock, %o) = @_;
	my $from = $o{from} // 'sender@example.org';
	my $to = $o{to} // 'rcpt@example.net';
	cmd($sock, "MAIL FROM:<$from>") =~ /^250/ or return 'MAIL refused';
	cmd($sock, "RCPT TO:<$to>") =~ /^250/ or return 'RCPT refused';
	cmd($sock, 'DATA') =~ /^354/ or return 'DATA refused';
	my $body = $o{body} // "Subject: test\r\n\r\nhello\r\n";
	print $sock $body;
	return cmd($sock, '.');
}

sub spooled {
	my ($self) = @_;
	opendir(my $d, "$self->{po}/router") or return ();
	return grep { !/^\./ } readdir($d);
}

END {
	local $?;
	for my $pid (@daemons) {
		kill('KILL', -$pid);
		waitpid($pid, 0);
	}
}

1;
