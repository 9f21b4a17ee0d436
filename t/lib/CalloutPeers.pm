package CalloutPeers;
# The real next hops of t/recipient-callout.t, each a private instance in
# a directory of its own, reachable only on loopback or a unix socket:
#   dovecot(dir => D, users => [addr...])  Dovecot's LMTP server on the
#       unix socket D/lmtp (passwd-file userdb; no other protocol)
#   postfix(dir => D, port => P, domain => dom, users => [local...])
#       a Postfix smtpd on 127.0.0.1:P, final destination for dom, whose
#       local_recipient_maps knows users (others get 550 5.1.1)
# Each returns an object with ->stop and ->connections (sessions the
# peer logged so far; readiness checks are not counted).
use strict; use warnings;
use POSIX ();

sub wait_until {
	my ($cond, $secs) = @_;
	for (1 .. ($secs // 20) * 20) {
		return 1 if $cond->();
		select(undef, undef, undef, 0.05);
	}
	return 0;
}

sub slurp {
	my ($f) = @_;
	open(my $fh, '<', $f) or return '';
	local $/;
	return <$fh>;
}

sub dovecot {
	my (%o) = @_;
	my $d = $o{dir};
	mkdir("$d/$_") for qw(run state home);
	chmod(0755, $d);
	# the mailbox owner: us, or nobody when we are root (Dovecot refuses
	# uid 0 for mail); only RCPT is asked, nothing is written there
	my ($uid, $gid) = $> == 0 ? (65534, 65534) : ($>, $) + 0);
	my $user = getpwuid($>) // 'root';
	my $group = getgrgid($) + 0) // 'root';
	open(my $u, '>', "$d/users") or die "$d/users: $!";
	print $u "$_:{PLAIN}secret::::::\n" for @{ $o{users} };
	close($u);
	open(my $c, '>', "$d/dovecot.conf") or die "$d/dovecot.conf: $!";
	print $c <<"EOT";
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
instance_name = callout-test-$$
protocols = lmtp
ssl = no
default_internal_user = $user
default_internal_group = $group
default_login_user = $user
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = $d/users
}
userdb {
  driver = passwd-file
  args = $d/users
  default_fields = uid=$uid gid=$gid home=$d/home/%n
}
service lmtp {
  unix_listener $d/lmtp {
    mode = 0666
  }
}
service anvil {
  chroot =
}
EOT
	close($c);
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		POSIX::setsid();
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>>', "$d/dovecot.out");
		open(STDERR, '>&', \*STDOUT);
		exec('dovecot', '-F', '-c', "$d/dovecot.conf")
		    or POSIX::_exit(127);
	}
	my $self = bless { kind => 'dovecot', dir => $d, pid => $pid,
	    socket => "$d/lmtp", log => "$d/dovecot.log" }, __PACKAGE__;
	wait_until(sub { -S "$d/lmtp" })
	    or die "dovecot did not start:\n" . slurp("$d/dovecot.out")
	    . slurp("$d/dovecot.log");
	return $self;
}

sub postfix {
	my (%o) = @_;
	my $d = $o{dir};
	mkdir("$d/$_") for qw(etc queue data);
	chmod(0755, $d);
	chown(scalar(getpwnam('postfix')), -1, "$d/data");
	my $users = join(', ', map { "$_=ok" } @{ $o{users} });
	open(my $in, '<', '/usr/share/postfix/master.cf.dist')
	    or die "master.cf.dist: $!";
	open(my $m, '>', "$d/etc/master.cf") or die "$d/etc/master.cf: $!";
	while (<$in>) {
		s/^smtp\s+inet\s.*$/127.0.0.1:$o{port} inet n - n - - smtpd/;
		print $m $_;
	}
	close($m);
	open(my $c, '>', "$d/etc/main.cf") or die "$d/etc/main.cf: $!";
	print $c <<"EOT";
compatibility_level = 3.6
config_directory = $d/etc
queue_directory = $d/queue
data_directory = $d/data
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = peer.test
mydestination = $o{domain}
local_recipient_maps = inline:{ $users }
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
maillog_file_prefixes = $d
maillog_file = $d/maillog
EOT
	close($c);
	my $self = bless { kind => 'postfix', dir => $d, port => $o{port},
	    log => "$d/maillog" }, __PACKAGE__;
	system('postfix', '-c', "$d/etc", 'start') == 0
	    or die "postfix did not start:\n" . slurp("$d/maillog");
	$self->{up} = 1;
	# ready once master logged its start and the port takes connections
	# (that probe is no session: connections() counts sessions only)
	wait_until(sub {
		IO::Socket::INET->new(PeerAddr => '127.0.0.1',
		    PeerPort => $o{port}, Proto => 'tcp')
	}) or die "postfix not listening:\n" . slurp("$d/maillog");
	return $self;
}

# Sessions that got as far as MAIL: the callouts, not readiness checks.
sub connections {
	my ($self) = @_;
	my $log = slurp($self->{log});
	if ($self->{kind} eq 'dovecot') {
		return scalar(() = $log =~ /lmtp\(\d+\): Info: Connect from local/g);
	}
	return scalar(() = $log =~ /disconnect from \S+ .*\bmail=1\b/g);
}

sub stop {
	my ($self) = @_;
	if ($self->{kind} eq 'postfix') {
		system('postfix', '-c', "$self->{dir}/etc", 'stop') if $self->{up};
		$self->{up} = 0;
		# its log is written by postlogd: wait until the stop is in it
		wait_until(sub { slurp($self->{log}) =~ /stopping the Postfix/ });
		return;
	}
	return unless $self->{pid};
	kill('TERM', $self->{pid});
	waitpid($self->{pid}, 0);
	$self->{pid} = undef;
}

sub DESTROY {
	my ($self) = @_;
	local $?;
	$self->stop;
}

require IO::Socket::INET;
1;
