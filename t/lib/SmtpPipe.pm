# SmtpPipe.pm - run smtpserver for one session (-i on a pipe, -n on a real
# TCP socket on 127.0.0.1) and look at what it spooled.
package SmtpPipe;
use strict;
use warnings;
use Exporter 'import';
use File::Temp qw(tempdir);
use IO::Socket::INET;
use IO::Select;
use POSIX ();

our @EXPORT = qw(postoffice write_conf run_i spool_files inetd_session
  policy_db  inetd_listen
  smtp_read smtp_cmd $BIN);
our $BIN = ($ENV{SMTPSERVER_BUILD} // 'build') . '/smtpserver';

# A fresh POSTOFFICE with public/, router/ and freezer/.
sub postoffice {
	my $d = tempdir('smtpd-po-XXXXXX', TMPDIR => 1, CLEANUP => 1);
	mkdir "$d/$_" or die "$d/$_: $!" for qw(public router freezer);
	chmod 0755, $d;
	if ($> == 0) {	# -n sessions run as daemon, like the workers
		my ($uid, $gid) = (getpwnam('daemon'))[2, 3];
		chown $uid, $gid, map { "$d/$_" } qw(public router freezer);
	}
	return $d;
}

# Build a policy database in $po/db from conf/db's samples (plus extra
# source files given as name => text; by default 127/8 is a fulltrustnet)
# and return the PARAM lines for it.  DNS goes to 127.0.0.1, port
# dns_port => N (default 9: nothing there), so no test ever asks a real
# nameserver.
sub policy_db {
	my ($po, %files) = @_;
	my $dnsport = delete($files{dns_port}) // 9;
	# a test DNS server answers at once, but a loaded CI machine may
	# starve it: give it room; nothing listens on 9, so keep that short
	my $dnstimeout = $dnsport == 9 ? 2 : 10;
	$files{'smtp-policy.relay'} //= "[127.0.0.0]/8 fulltrustnet +\n"
	    . "[ipv6.::1]/128 fulltrustnet +\n";
	my $db = "$po/db";
	mkdir $db unless -d $db;
	for my $f (glob('conf/db/*')) {
		my $name = (split m{/}, $f)[-1];
		next if exists $files{$name};
		system('cp', $f, "$db/$name") == 0 or die "cp $f: $?";
	}
	for my $name (keys %files) {
		open my $fh, '>', "$db/$name" or die "$db/$name: $!";
		print $fh $files{$name};
		close $fh;
	}
	my $pb = ($ENV{SMTPSERVER_BUILD} // 'build') . '/policy-builder';
	system($pb, '-d', $db) == 0 or die "policy-builder failed: $?";
	return "PARAM policydb gdbm $db/smtp-policy\n"
	    . "PARAM dns-server 127.0.0.1\nPARAM dns-port $dnsport\n"
	    . "PARAM dns-timeout $dnstimeout\n";
}

# Write a config file into dir and return its path.
sub write_conf {
	my ($dir, $text) = @_;
	my $path = "$dir/smtpserver.conf";
	open my $fh, '>', $path or die "$path: $!";
	print $fh $text;
	close $fh;
	return $path;
}

sub _args {
	my (%a) = @_;
	my @args = ('-C', $a{conf}, '-P', $a{po}, '-Z', '/dev/null');
	push @args, @{ $a{args} } if $a{args};
	return @args;
}

# Run `smtpserver -i` with the whole input on stdin; return stdout
# (and the exit code in list context: 128 + N when killed by signal N).
sub run_i {
	my (%a) = @_;
	my $in = "$a{po}/.input";
	open my $fh, '>:raw', $in or die "$in: $!";
	print $fh $a{input};
	close $fh;
	my $pid = open(my $out, '-|') // die "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', $in or die;
		open STDERR, '>', '/dev/null' unless $ENV{TEST_VERBOSE};
		exec 'timeout', '30', $BIN, '-i', _args(%a) or die "exec: $!";
	}
	binmode $out;
	local $/;
	my $got = <$out> // '';
	close $out;
	# a signal (a crash, even through timeout(1)) is 128 + its number
	my $rc = ($? & 127) ? 128 + ($? & 127) : $? >> 8;
	return wantarray ? ($got, $rc) : $got;
}

# Contents of every file in router/ (and its hash subdirs), by name.
sub spool_files {
	my ($po) = @_;
	my @f = sort(glob("$po/router/*"), glob("$po/router/*/*"));
	my @out;
	for my $f (grep { -f } @f) {
		open my $fh, '<:raw', $f or die "$f: $!";
		local $/;
		push @out, scalar <$fh>;
	}
	return @out;
}

# Listen on 127.0.0.1 and start `smtpserver -n` on the first connection
# accepted there (its stderr into the file stderr => path, if given);
# returns (port, pid).
sub inetd_listen {
	my (%a) = @_;
	my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
	    LocalPort => 0, Listen => 1, ReuseAddr => 1) or die "listen: $!";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		my $c = $l->accept or POSIX::_exit(1);
		# sndbuf: the server's send buffer, small to fill it soon
		setsockopt($c, Socket::SOL_SOCKET(), Socket::SO_SNDBUF(),
		    $a{sndbuf}) or POSIX::_exit(1) if $a{sndbuf};
		open STDIN, '<&', $c or POSIX::_exit(1);
		open STDOUT, '>&', $c or POSIX::_exit(1);
		if ($a{stderr}) {
			open STDERR, '>', $a{stderr} or POSIX::_exit(1);
		} elsif (!$ENV{TEST_VERBOSE}) {
			open STDERR, '>', '/dev/null';
		}
		exec { 'timeout' } 'timeout', '30', $BIN, '-n', _args(%a)
		    or POSIX::_exit(1);
	}
	my $port = $l->sockport;
	close $l;
	return ($port, $pid);
}

# inetd_listen, then connect: returns the client socket; the server pid
# goes to ${$a{pidref}}.
sub inetd_session {
	my (%a) = @_;
	my ($port, $pid) = inetd_listen(%a);
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $port, Timeout => 10) or die "connect: $!";
	${ $a{pidref} } = $pid if $a{pidref};
	return $s;
}

# Read one whole (possibly multi-line) reply; what came on EOF or after
# the timeout (default 10 s).  Unread bytes stay in the socket's buffer.
sub smtp_read {
	my ($s, $timeout) = @_;
	my $buf = \${*$s}{smtp_buf};
	$$buf //= '';
	my $deadline = time + ($timeout // 10);
	my $sel = IO::Select->new($s);
	for (;;) {
		my $reply = '';
		while ($$buf =~ /\A(.*?\n)/s) {
			my $line = $1;
			substr($$buf, 0, length $line) = '';
			$reply .= $line;
			return $reply if $line =~ /^\d{3}(?: |\r?\n)/;
		}
		$$buf = $reply . $$buf;
		my $left = $deadline - time;
		return $$buf if $left <= 0 || !$sel->can_read($left);
		my $n = sysread($s, my $chunk, 65536);
		if (!$n) {
			my $rest = $$buf;
			$$buf = '';
			return $rest;
		}
		$$buf .= $chunk;
	}
}

# Send one command line (CRLF added) and read its reply.
sub smtp_cmd {
	my ($s, $line) = @_;
	syswrite($s, "$line\r\n");
	return smtp_read($s);
}

1;
