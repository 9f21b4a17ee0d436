#!/usr/bin/perl
# A daemon started as root in directories the daemon user owns (as `make
# run` makes them): that user plants symbolic links where root will open,
# create or chmod a file at the next start -- the -l transcript, the pid
# file's temp name $POSTOFFICE/.pid.smtpserver.<pid>, the pid file and the
# control socket -- and a hard link for the transcript.  No target is
# written, chowned or chmodded, and the daemon still serves.  The router/X
# directories ROUTERDIRHASH=1 needs are made by the workers.  A -i session
# started as root runs as the daemon user.  Root only.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);
use SmtpPipe ();

plan(skip_all => 'needs root') unless $> == 0;
my ($duid, $dgid) = (getpwnam('daemon'))[2, 3];
plan(skip_all => 'needs a user daemon') unless defined $duid;

# The pid file's temp name holds the daemon's pid: sh plants the link
# under its own pid and execs the daemon, which keeps that pid.
package PlantTest {
	our @ISA = ('SmtpTest');
	sub argv {
		my ($self) = @_;
		return @{ $self->{wrap} } ? ('/bin/sh', '-c',
		    'ln -s "$1" "$2.$$" && chown -h daemon "$2.$$" && shift 2 '
		    . '&& exec "$@"', 'sh', @{ $self->{wrap} },
		    $self->SUPER::argv()) : $self->SUPER::argv();
	}
}

sub victim {
	my ($path) = @_;
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh "precious\n";
	close($fh);
	chmod(0600, $path);
	return $path;
}

# content, mode and owner of a file
sub state {
	my ($path) = @_;
	my @st = stat($path) or return 'missing';
	open(my $fh, '<', $path) or return 'unreadable';
	local $/;
	my $text = <$fh>;
	return sprintf('%s mode %04o uid %d', $text, $st[2] & 07777, $st[4]);
}

sub plant {
	my ($target, $link) = @_;
	symlink($target, $link) or die "$link: $!";
	system('chown', '-h', 'daemon', $link) == 0 or die;
}

my @conf = ('PARAM BindAddress [127.0.0.1]', 'PARAM shutdown-grace 5');
my $d = PlantTest->new(conf => \@conf, wrap => []);
my $dir = $d->{dir};
my $po = $d->{po};
my $logdir = "$dir/log";
mkdir($logdir) or die;
chown($duid, $dgid, $logdir, $po);
my $log = "$logdir/smtpserver.log";
$d->{args} = ['-l', $log];
my %v = map { $_ => victim("$dir/victim-$_") } qw(log tmp pid ctl);
my %before = map { $_ => state($v{$_}) } keys %v;
plant($v{log}, $log);
plant($v{pid}, "$po/.pid.smtpserver");
plant($v{ctl}, "$po/.smtpserver.ctl");
$d->{wrap} = [ $v{tmp}, "$po/.pid.smtpserver" ];

# the victims are checked even when the daemon does not come up
ok(eval { $d->start(nowait => 1); $d->wait_ready(1) },
    'the daemon starts among the planted links') or diag($@);
SKIP: {
	skip('the daemon is not running', 7) unless $d->alive;
	ok(-S "$po/.smtpserver.ctl", 'the control socket replaced its link');
	ok(-f "$po/.pid.smtpserver" && !-l "$po/.pid.smtpserver",
	    'the pid file is a file of its own');
	ok(!lstat("$po/.pid.smtpserver.$d->{pid}"),
	    'the planted temp name is gone');
	my $s = $d->connect;
	like(SmtpTest::reply($s), qr/^220 /, 'a session is served');
	like(SmtpTest::cmd($s, 'EHLO client.example'), qr/^250[ -]/, 'EHLO');
	like(SmtpTest::message($s), qr/^250 /, 'and a message accepted');
	close($s);
	is($d->stop, 0, 'stops cleanly');
}
$d->stop;
is(state($v{$_}), $before{$_}, "the $_ victim is untouched") for sort keys %v;
like($d->log_text, qr/log file \Q$log\E: a symbolic link, refused/,
    'the linked transcript is refused, saying why');
ok(-l $log, 'and left as it was');

# The transcript as a hard link to someone else's file (as a system
# without protected_hardlinks allows): neither chowned nor appended to.
unlink($log);
link($v{log}, $log) or die;
$d->{wrap} = [];
$d->start;
my $s = $d->connect;
like(SmtpTest::reply($s), qr/^220 /, 'hard link: a session is served');
close($s);
is($d->stop, 0, 'stops cleanly');
is(state($v{log}), $before{log}, 'the hard-linked victim is untouched');
like($d->log_text, qr/log file \Q$log\E: has 2 links, refused/,
    'saying why');
unlink($log);

# Nothing planted: the transcript is made for the workers, who write it.
# With ROUTERDIRHASH=1 and no router/A..Z, the one a message needs is
# made by the worker (it used to be 451 for every message).
open(my $z, '>>', "$dir/zmailer.conf") or die;
print $z "ROUTERDIRHASH=1\n";
close($z);
chmod(0750, "$po/router");
$d->start;
$s = $d->connect;
like(SmtpTest::reply($s), qr/^220 /, 'no link: a session is served');
like(SmtpTest::cmd($s, 'EHLO client.example'), qr/^250[ -]/, 'EHLO');
like(SmtpTest::message($s), qr/^250 2\.0\.0 /,
    'ROUTERDIRHASH=1 without router/A..Z: the message is accepted');
like(SmtpTest::cmd($s, 'QUIT'), qr/^221 /, 'QUIT');
close($s);
is($d->stop, 0, 'stops cleanly');
is((stat($log))[4], $duid, 'the transcript belongs to the daemon user');
ok(-s $log, 'and the workers wrote it');
my @hashed = grep { -f } glob("$po/router/[A-Z]/*");
is(scalar(@hashed), 1, 'the message is in router/X/');
my ($hd) = $hashed[0] =~ m{^(.*)/[^/]+$};
my @st = stat($hd);
is($st[4], $duid, 'router/X belongs to the daemon user');
is(sprintf('%04o', $st[2] & 07777), '0750', "with router/'s mode");

# -i as root: the session runs as TRUSTEDUSER (default daemon).
my $ipo = SmtpPipe::postoffice();
my $conf = SmtpPipe::write_conf($ipo, "* 999 ve\n");
my $out = SmtpPipe::run_i(po => $ipo, conf => $conf,
    input => "HELO x\r\nMAIL FROM:<a\@example.org>\r\n"
    . "RCPT TO:<b\@example.org>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n");
like($out, qr/^250 2\.0\.0 /m, '-i as root: message accepted');
my @files = grep { -f } glob("$ipo/router/*");
is(scalar(@files), 1, 'one spool file');
is((stat($files[0]))[4], $duid, 'written as the daemon user, not root');
done_testing();
