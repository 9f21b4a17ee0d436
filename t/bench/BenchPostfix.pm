# BenchPostfix.pm - the yardstick of `make bench`: a private Postfix
# instance (its own main.cf, master.cf, queue and data directories in the
# bench's directory) on a free loopback port.  It takes mail for anybody
# from 127.0.0.0/8 and keeps it in its hold queue: smtpd, cleanup, queue
# file fsync'd, then 250; nothing is delivered.  Nothing under /etc is
# touched; the instance is stopped at the end.
# Not for: installing Postfix (t/bench/run), measuring (ProcStat.pm).
package BenchPostfix;
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

my $MASTER_DIST = '/usr/share/postfix/master.cf.dist';

# As ours (BenchOurs.pm @TUNING): processes live through the whole bench.
our @TUNING = ('default_process_limit = 200', 'max_use = 100000',
	'max_idle = 3600');

sub usable {
	return $> == 0 && -x '/usr/sbin/postfix' && -r $MASTER_DIST;
}

sub new {
	my ($class, %o) = @_;
	my $self = bless { %o, name => 'Postfix' }, $class;
	my $d = $self->{dir};
	mkdir($_) or die "$_: $!" for $d, "$d/etc", "$d/queue", "$d/data";
	chmod(0755, $d);
	my ($uid) = (getpwnam('postfix'))[2];
	chown($uid, -1, "$d/data") if defined $uid;
	$self->write_main_cf;
	$self->write_master_cf;
	return $self;
}

# Logging goes to syslog, as ours does (no postlogd to count).
sub write_main_cf {
	my ($self) = @_;
	my $d = $self->{dir};
	open(my $fh, '>', "$d/etc/main.cf") or die "$d/etc/main.cf: $!";
	print $fh "$_\n" for ('compatibility_level = 3.6',
	    "config_directory = $d/etc", "queue_directory = $d/queue",
	    "data_directory = $d/data", 'inet_interfaces = 127.0.0.1',
	    'inet_protocols = ipv4', 'myhostname = bench-peer.test',
	    'mydestination =', 'alias_maps =', 'alias_database =',
	    'local_recipient_maps =', 'mynetworks = 127.0.0.0/8',
	    'smtpd_client_restrictions = check_client_access static:HOLD',
	    'smtpd_relay_restrictions = permit_mynetworks, reject',
	    'smtpd_client_connection_count_limit = 0',
	    'smtpd_client_connection_rate_limit = 0',
	    'biff = no', 'syslog_name = postfix-bench', @TUNING);
	close($fh) or die "$d/etc/main.cf: $!";
}

# Debian's master.cf with the SMTP service on our port, and no chroot
# (the private queue directory holds no copy of /etc).
sub write_master_cf {
	my ($self) = @_;
	my $d = $self->{dir};
	open(my $in, '<', $MASTER_DIST) or die "$MASTER_DIST: $!";
	open(my $out, '>', "$d/etc/master.cf") or die "$d/etc/master.cf: $!";
	while (my $l = <$in>) {
		if ($l =~ /^smtp\s+inet\s/) {
			$l = "127.0.0.1:$self->{port} inet n - n - 200 smtpd\n";
		} elsif ($l =~ /^(\S+\s+\S+\s+\S+\s+\S+\s+)y(\s.*)$/s) {
			$l = "$1n$2";
		}
		print $out $l;
	}
	close($out) or die "$d/etc/master.cf: $!";
}

# `postfix start` tells why it failed only on a terminal: give it one.
sub start {
	my ($self) = @_;
	my $d = $self->{dir};
	my $out = `script -qec 'postfix -c $d/etc start' /dev/null </dev/null 2>&1`;
	if ($? != 0) {
		$out =~ tr/\r//d;
		die "bench: Postfix did not start:\n$out";
	}
	my $end = time + 30;
	until ($self->root_pid && BenchOurs::greeted($self->{port})) {
		die "bench: Postfix did not answer in 30 s\n" if time > $end;
		sleep(0.05);
	}
}

sub root_pid {
	my ($self) = @_;
	open(my $fh, '<', "$self->{dir}/queue/pid/master.pid") or return undef;
	my $pid = <$fh> // '';
	return $pid =~ /(\d+)/ && -e "/proc/$1" ? $1 : undef;
}

sub port { return $_[0]{port} }

sub stored {
	my ($self) = @_;
	opendir(my $d, "$self->{dir}/queue/hold") or return 0;
	return scalar(grep { !/^\./ } readdir($d));
}

sub version {
	my $v = `postconf -d -h mail_version 2>/dev/null` // '';
	chomp($v);
	return "Postfix $v";
}

sub alive {
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/stat") or return 0;
	my $s = <$fh> // '';
	return $s !~ /\)\s+Z/;
}

# `postfix stop`, then wait for the master to go (SIGKILL after 30 s).
sub stop {
	my ($self) = @_;
	my $pid = $self->root_pid or return;
	system("postfix -c $self->{dir}/etc stop >/dev/null 2>&1");
	my $end = time + 30;
	sleep(0.05) while alive($pid) && time < $end;
	return unless alive($pid);
	kill('KILL', $_) for reverse ProcStat::tree($pid);
}

1;
