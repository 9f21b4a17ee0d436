#!/usr/bin/perl
# Group commit of router/ under parallel load, with workers killed (-9)
# in the middle: every message that got its 250 is a file in router/
# (named after the inode in its spool id), and nothing else is there.
# Once with PARAM spool-sync fsync (the default), once with syncfs.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use SmtpTest qw(wait_until);

my ($CLIENTS, $EACH) = (8, 15);

sub run_mode {
	my ($mode) = @_;
	note("PARAM spool-sync $mode");
	my $d = SmtpTest->new(conf => [
		"PARAM spool-sync $mode",
		'PARAM BindAddress [127.0.0.1]',
		'PARAM MaxSameIpSource 100',
		'PARAM min-idle-workers 10',
		'PARAM max-idle-workers 12',
	]);
	$d->start(idle => 10);
	my $out = "$d->{dir}/ids";
	mkdir($out);

	# Each client: $EACH messages, a new connection when one is cut; the
	# spool id of every 250 goes into its file as soon as it is read.
	my @kids;
	for my $c (1 .. $CLIENTS) {
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			open(my $f, '>', "$out/$c") or POSIX::_exit(2);
			$f->autoflush(1);
			my ($sent, $tries, $s) = (0, 0, undef);
			while ($sent < $EACH && $tries++ < 4 * $EACH) {
				$s //= $d->connect;
				my $g = $s && SmtpTest::reply($s);
				if (!$g || $g !~ /^220 / ||
				    SmtpTest::cmd($s, 'EHLO c.example') !~ /^250/) {
					$s = undef;
					next;
				}
				my $r = SmtpTest::message($s) // '';
				if ($r =~ /^250 2\.0\.0 Message accepted; S(\d+)/) {
					print $f "$1\n";
					$sent++;
				}
				SmtpTest::cmd($s, 'QUIT');
				close($s);
				$s = undef;
			}
			POSIX::_exit($sent == $EACH ? 0 : 1);
		}
		push(@kids, $pid);
	}
	# Meanwhile kill two busy workers, mid-session or mid-commit.
	my $killed = 0;
	for (1 .. 2) {
		my $victim;
		wait_until(sub {
			($victim) = grep { $_->{pid} > 1 } @{ $d->status->{sessions} };
			$victim;
		}, 10);
		$killed += kill('KILL', $victim->{pid}) if $victim;
	}
	ok($killed >= 1, "$killed busy workers killed (-9)");
	my $fail = 0;
	for (@kids) {
		waitpid($_, 0);
		$fail++ if $?;
	}
	is($fail, 0, "$CLIENTS clients each got $EACH messages accepted");
	my @ids;
	for my $c (1 .. $CLIENTS) {
		open(my $f, '<', "$out/$c") or next;
		push(@ids, map { chomp; $_ } <$f>);
	}
	is(scalar(@ids), $CLIENTS * $EACH, 'every 250 recorded its spool id');
	my %in = map { $_ => 1 } $d->spooled;
	my @lost = grep { !$in{$_} } @ids;
	is(scalar(@lost), 0, "every 250'd message is in router/") or
	    diag("missing: @lost");
	my %acked = map { $_ => 1 } @ids;
	my @extra = grep { !$acked{$_} } keys %in;
	ok(@extra <= $killed, 'at most one unacknowledged file per killed worker')
	    or diag("extra: @extra");
	is($d->stop, 0, "$mode: daemon stops cleanly");
}

run_mode($_) for qw(fsync syncfs);
done_testing();
