# FakeMilter.pm - a scripted milter (protocol 6) on a unix socket for the
# milter tests: one process per connection; what it answers at the end
# of a message is chosen by the first recipient's local part (accept,
# reject, tempfail, replycode, discard, quarantine, edit, body, hang,
# flood, garbage, big, large, inject), at RCPT by rcptreject/rcpttempfail/
# rcptreply, at MAIL by the sender mailreject.  Everything it is told
# (macros, headers, body) is logged to a file, a line each.  Stopped at exit.
package FakeMilter;
use strict; use warnings;
use IO::Socket::UNIX;
use POSIX ();

my @pids;

sub new {
	my ($class, %o) = @_;
	my $self = bless { path => $o{path}, log => "$o{path}.log" }, $class;
	unlink($self->{path});
	my $l = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Listen => 16,
	    Local => $self->{path}) or die "listen $self->{path}: $!";
	chmod(0777, $self->{path});
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		POSIX::setpgid(0, 0);
		eval { require 'syscall.ph'; syscall(&SYS_prctl(), 1, 9) };
		$SIG{CHLD} = 'IGNORE';
		while (1) {
			my $c = $l->accept or next;
			my $k = fork();
			if (defined $k && $k == 0) {
				close($l);
				serve($self, $c);
				POSIX::_exit(0);
			}
			close($c);
		}
	}
	close($l);
	$self->{pid} = $pid;
	push(@pids, $pid);
	return $self;
}

sub spec { return "unix:$_[0]->{path}" }

sub stop {
	my ($self) = @_;
	kill('KILL', -$self->{pid});
	waitpid($self->{pid}, 0);
	@pids = grep { $_ != $self->{pid} } @pids;
	unlink($self->{path});
}

sub log_text {
	my ($self) = @_;
	open(my $fh, '<', $self->{log}) or return '';
	local $/;
	return <$fh>;
}

sub _log {
	my ($self, $line) = @_;
	open(my $fh, '>>', $self->{log}) or return;
	$line =~ s/([\x00-\x1f\x7f])/sprintf('\\x%02x', ord($1))/ge;
	print $fh "$$ $line\n";
	close($fh);
}

sub _send {
	my ($c, $cmd, $data) = @_;
	$data //= '';
	print $c pack('N', length($data) + 1), $cmd, $data;
}

sub _read {
	my ($c, $n) = @_;
	my $buf = '';
	while (length($buf) < $n) {
		my $r = sysread($c, $buf, $n - length($buf), length($buf));
		return undef unless $r;
	}
	return $buf;
}

sub serve {
	my ($self, $c) = @_;
	$c->autoflush(1);
	my (@rcpts, $from, $body);
	while (defined(my $h = _read($c, 4))) {
		my $len = unpack('N', $h);
		last if $len < 1 || $len > 1 << 20;
		my $p = _read($c, $len) // last;
		my ($cmd, $d) = (substr($p, 0, 1), substr($p, 1));
		if ($cmd eq 'O') {
			_send($c, 'O', pack('NNN', 6, 0x1ff, 0));
		} elsif ($cmd eq 'D') {
			my ($st, @kv) = (substr($d, 0, 1), split(/\0/, substr($d, 1)));
			while (@kv) {
				my ($k, $v) = splice(@kv, 0, 2);
				$self->_log("macro $st $k=" . ($v // ''));
			}
		} elsif ($cmd eq 'C' || $cmd eq 'H' || $cmd eq 'T' ||
		    $cmd eq 'N') {
			$self->_log("cmd $cmd " . join('|', split(/\0/, $d)));
			_send($c, 'c');
		} elsif ($cmd eq 'M') {
			($from) = split(/\0/, $d);
			@rcpts = ();
			$body = '';
			$self->_log("mail $from");
			_send($c, $from =~ /^<mailreject@/ ? 'r' : 'c');
		} elsif ($cmd eq 'R') {
			my ($r) = split(/\0/, $d);
			$self->_log("rcpt $r");
			push(@rcpts, $r);
			if ($r =~ /^<rcptreject@/) { _send($c, 'r') }
			elsif ($r =~ /^<rcpttempfail@/) { _send($c, 't') }
			elsif ($r =~ /^<rcptreply@/) {
				_send($c, 'y', "553 5.7.2 Not you\0");
			} else { _send($c, 'c') }
		} elsif ($cmd eq 'L') {
			my ($k, $v) = split(/\0/, $d, -1);
			$self->_log("header $k=$v");
			_send($c, 'c');
		} elsif ($cmd eq 'B') {
			$body .= $d;
			_send($c, 'c');
		} elsif ($cmd eq 'E') {
			$self->_log("body $body");
			$self->eom($c, $rcpts[0] // '');
		} elsif ($cmd eq 'A') {
			$self->_log('abort');
		} elsif ($cmd eq 'Q') {
			last;
		}
	}
}

sub eom {
	my ($self, $c, $r) = @_;
	my ($what) = $r =~ /^<([^@]*)@/;
	$what //= '';
	if ($what eq 'accept') { _send($c, 'a') }
	elsif ($what eq 'reject') { _send($c, 'r') }
	elsif ($what eq 'tempfail') { _send($c, 't') }
	elsif ($what eq 'replycode') { _send($c, 'y', "554 5.7.1 Go away\0") }
	elsif ($what eq 'discard') { _send($c, 'd') }
	elsif ($what eq 'quarantine') {
		_send($c, 'q', "test quarantine\0");
		_send($c, 'c');
	} elsif ($what eq 'edit') {
		_send($c, 'h', "X-Milter\0added\0");
		_send($c, 'i', pack('N', 0) . "X-First\0top\0");
		_send($c, 'm', pack('N', 1) . "Subject\0changed subject\0");
		_send($c, 'm', pack('N', 1) . "X-Remove\0\0");
		_send($c, 'h', "X-Folded\0one\r\n\ttwo\0");
		_send($c, '+', "<added\@example.net>\0");
		_send($c, '-', "<edit\@example.net>\0");
		_send($c, 'c');
	} elsif ($what eq 'body') {
		_send($c, 'b', "new body\r\nsecond line\r\n");
		_send($c, 'c');
	} elsif ($what eq 'large') { # the largest packets there may be
		_send($c, 'b', ('y' x 65533) . "\r\n");
		_send($c, 'h', "X-Large\0" . ('z' x 65525) . "\0");
		_send($c, 'c');
	} elsif ($what eq 'inject') {
		_send($c, 'h', "X-Evil\0a\r\nInjected: yes\0");
		_send($c, 'c');
	} elsif ($what eq 'hang') {
		sleep(3600);
	} elsif ($what eq 'flood') {
		_send($c, 'p') while 1;
	} elsif ($what eq 'garbage') {
		print $c "hello, this is not a milter\r\n";
		sleep(3600);
	} elsif ($what eq 'big') {
		_send($c, 'h', "X-Big\0" . ('x' x 70000) . "\0");
		sleep(3600);
	} else { _send($c, 'c') }
}

END {
	local $?;
	for my $pid (@pids) {
		kill('KILL', -$pid);
		waitpid($pid, 0);
	}
}

1;
