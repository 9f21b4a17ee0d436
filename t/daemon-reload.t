#!/usr/bin/perl
# SIGHUP while 20 clients are sending: no session is cut, every message
# that got 250 is in the spool, new sessions see the new hdr220.  Then a
# broken config: smtpserverctl reload fails with the error, which is also
# logged, and the old config keeps serving.  A good one reports its
# generation.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Handle;
use JSON::PP;
use SmtpTest qw(wait_until);

my @base = ('PARAM BindAddress [127.0.0.1]', 'PARAM min-idle-workers 4',
	'PARAM max-idle-workers 30');
my $d = SmtpTest->new(conf => [@base, 'PARAM hdr220 banner-one']);
$d->start(idle => 4);
my $K = 20;
my $MSGS = 3;

# Each client: a session, one message, wait for the go, more messages,
# QUIT; it writes how many 250s it got and exits 0 only if nothing was cut.
pipe(my $go_r, my $go_w) or die;
my @kids;
for my $i (1 .. $K) {
	my $pid = fork() // die;
	if ($pid == 0) {
		close($go_w);
		my $s = $d->connect(src => '127.0.0.' . (10 + $i)) or exit(2);
		SmtpTest::reply($s) =~ /^220 / or exit(3);
		SmtpTest::cmd($s, "EHLO c$i.example") =~ /^250/ or exit(4);
		my $ok = SmtpTest::message($s) =~ /^250/ ? 1 : 0;
		sysread($go_r, my $c, 1);	# the parent's go (or EOF)
		for (2 .. $MSGS) {
			$ok += SmtpTest::message($s) =~ /^250/ ? 1 : 0;
		}
		my $q = SmtpTest::cmd($s, 'QUIT') // '';
		open(my $f, '>', "$d->{dir}/kid$i") or exit(5);
		print $f "$ok\n";
		close($f);
		POSIX::_exit($q =~ /^221/ ? 0 : 6);
	}
	push(@kids, $pid);
}
close($go_r);
ok(wait_until(sub { $d->status->{messages}{accepted} >= $K }, 20),
    "$K sessions each have a message in");
is($d->status->{workers}{busy}, $K, "$K sessions in flight");
$d->write_conf(@base, 'PARAM hdr220 banner-two');
kill('HUP', $d->{pid});
ok(wait_until(sub { $d->status->{config}{generation} == 2 }),
    'SIGHUP: generation 2');
ok(wait_until(sub { $d->status->{workers}{old_generation} == $K }),
    'idle workers of generation 1 are gone, busy ones stay');
my $n = $d->connect(src => '127.0.0.5');
like(SmtpTest::reply($n), qr/banner-two/, 'a new session sees the new hdr220');
close($n);
close($go_w);	# the clients go on sending
my $cut = 0;
for my $pid (@kids) {
	waitpid($pid, 0);
	$cut++ if $? != 0;
}
is($cut, 0, 'no session was cut');
my $acked = 0;
for my $i (1 .. $K) {
	open(my $f, '<', "$d->{dir}/kid$i") or next;
	$acked += <$f>;
}
is($acked, $K * $MSGS, 'every message got 250');
is(scalar($d->spooled), $acked, 'every acknowledged message is in router/');

# A broken config: logged with file:line, the old one keeps serving.
$d->write_raw_conf("PARAM BindAddress [127.0.0.1]\nPARAM hdr220 three\n" .
    "PARAM MaxSameIpSource many\n* * ve\n");
my ($out, $rc) = $d->ctl('reload');
isnt($rc, 0, 'smtpserverctl reload of a broken config exits non-zero');
like($out, qr/^smtpserverctl: reload failed: .*smtpserver\.conf:3/m,
    'and prints the error with file:line');
my $j = $d->control('reload');
is($j && $j->{ok}, JSON::PP::false, 'the control socket answers ok false');
like($j && $j->{error}, qr/smtpserver\.conf:3/, 'with the error');
is($j && $j->{generation}, 2, 'and the generation still running');
ok($d->log_text =~ /reload failed: .*smtpserver\.conf:3/,
    'the error is logged with file:line');
is($d->status->{config}{generation}, 2, 'generation unchanged');
$n = $d->connect;
like(SmtpTest::reply($n), qr/banner-two/, 'still serving the old config');
SmtpTest::cmd($n, 'EHLO again.example');
like(SmtpTest::message($n), qr/^250/, 'and accepting mail');
close($n);
# Listeners follow the config: a new one opens, a dropped one closes,
# the unchanged one stays open throughout.
# (This reload through smtpserverctl: it answers once it is done.)
my $p2 = SmtpTest::free_port();
$d->write_conf('PARAM BindSmtp [127.0.0.1] ' . $p2, 'PARAM hdr220 four');
($out, $rc) = $d->ctl('reload');
is($rc, 0, 'smtpserverctl reload of a good config exits 0');
like($out, qr/"ok":true.*"generation":3/, 'and reports generation 3');
is($d->status->{config}{generation}, 3,
    'reload with other listeners: generation 3');
$n = $d->connect(port => $p2);
like(SmtpTest::reply($n) // '', qr/four/, 'the new listener serves');
close($n);
ok(wait_until(sub { !$d->connect }), 'the dropped listener is closed');
is($d->stop, 0, 'daemon stops cleanly');
done_testing();
