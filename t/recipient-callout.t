#!/usr/bin/perl
# Recipient verification by callout (PARAM rcpt-verify) against real next
# hops: Dovecot's LMTP server on a unix socket for the local domain
# example.org, a private Postfix smtpd for the relay target relay.example.
# Known user: 250; unknown: 550 5.1.1; next hop stopped: 450 4.1.1 for a
# new address while the cached answers still hold (no second connection:
# the peers' logs count the callouts); a next hop that never answers:
# 450 4.1.1; no callout for a recipient the policy refused or a domain
# that is neither local nor a relay target; rcpt-verify-rate; bad lines
# refused with file:line at start and reload.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::More;
use SmtpTest;
use CalloutPeers;

my $tmp = tempdir('smtpd-callout-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod(0755, $tmp);
mkdir("$tmp/$_") for qw(dovecot postfix);
my $dove = CalloutPeers::dovecot(dir => "$tmp/dovecot",
    users => ['joe@example.org', 'ann@example.org']);
my $pport = SmtpTest::free_port();
# Postfix's master must start as root (as in t/bench-smoke.t); the CI
# runs as root, elsewhere only the Postfix checks are skipped
my $pfx = $> == 0 ? CalloutPeers::postfix(dir => "$tmp/postfix",
    port => $pport, domain => 'relay.example', users => ['kim', 'lee'])
    : undef;
# a check against Postfix, skipped without it
sub pf {
	my ($code) = @_;
	SKIP: {
		skip('Postfix needs root', 1) unless $pfx;
		$code->();
	}
}
# a next hop that takes the connection and never says a word
my $mute = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
    LocalPort => 0, Proto => 'tcp') or die "listen: $!";
my $mport = $mute->sockport;

my $d = SmtpTest->new(conf => []);
my $db = "$d->{po}/db";
# the client is not trusted: the policy refuses relaying to other domains;
# relay.example is a relay target, slow.example one whose hop is mute
sub policy_file {
	my ($name, $text) = @_;
	open(my $fh, '>', "$db/$name") or die "$db/$name: $!";
	print $fh $text;
	close($fh);
}
policy_file('smtp-policy.relay', "# nobody relays\n");
policy_file('smtp-policy.mx', "relay.example\nslow.example\n");
system(SmtpTest::build() . '/policy-builder', '-d', $db) == 0
    or die 'policy-builder failed';
$d->write_conf('PARAM BindAddress [127.0.0.1]',
    "PARAM rcpt-verify example.org lmtp unix:$dove->{socket}",
    "PARAM rcpt-verify relay.example smtp [127.0.0.1]:$pport",
    "PARAM rcpt-verify slow.example smtp [127.0.0.1]:$mport",
    "PARAM rcpt-verify other.example lmtp unix:$dove->{socket}",
    "PARAM rcpt-verify-cache $d->{po}/callout-cache",
    'PARAM rcpt-verify-reply-timeout 1');
$d->start;

sub session {
	my $s = $d->connect or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO c.example');
	SmtpTest::cmd($s, 'MAIL FROM:<>');
	return $s;
}
sub rcpt { SmtpTest::cmd($_[0], "RCPT TO:<$_[1]>") // '' }
my $unknown = qr/^550 5\.1\.1 <[^>]+>: Recipient address rejected: User unknown\r?$/;
my $unverified = qr/^450 4\.1\.1 <[^>]+>: Recipient address rejected: unverified address, try again later\r?$/;

my $s = session();
like(rcpt($s, 'joe@example.org'), qr/^250 2\.1\.5 /, 'LMTP: known user 250');
like(rcpt($s, 'bob@example.org'), $unknown, 'LMTP: unknown user 550 5.1.1');
pf(sub { like(rcpt($s, 'kim@relay.example'), qr/^250 2\.1\.5 /,
    'SMTP (Postfix): known user 250') });
pf(sub { like(rcpt($s, 'max@relay.example'), $unknown,
    'SMTP (Postfix): unknown user 550 5.1.1') });
like(rcpt($s, 'joe@slow.example'), $unverified,
    'next hop that never answers: 450 4.1.1');
my $r = rcpt($s, 'joe@other.example');
like($r, qr/^[45]\d\d /,
    'a domain neither local nor a relay target: the policy refuses it');
unlike($r, qr/^\d\d\d [45]\.1\.1 /,
    '... with its own refusal, not a callout\'s');
like(rcpt($s, 'postmaster@example.org'), qr/^250 2\.1\.5 /,
    'postmaster is not verified');

# cached: the same answers in a new session, without a connection
my $t = session();
like(rcpt($t, 'joe@EXAMPLE.ORG'), qr/^250 2\.1\.5 /, 'cached known (domain case)');
like(rcpt($t, 'bob@example.org'), $unknown, 'cached unknown');
$dove->stop;
$pfx->stop if $pfx;
like(rcpt($t, 'joe@example.org'), qr/^250 2\.1\.5 /,
    'LMTP hop stopped: the cached known answer holds');
like(rcpt($t, 'bob@example.org'), $unknown, '... and the cached unknown');
pf(sub { like(rcpt($t, 'kim@relay.example'), qr/^250 2\.1\.5 /,
    'Postfix stopped: the cached known answer holds') });
like(rcpt($t, 'ann@example.org'), $unverified,
    'LMTP hop stopped, not cached: 450 4.1.1');
pf(sub { like(rcpt($t, 'lee@relay.example'), $unverified,
    'Postfix stopped, not cached: 450 4.1.1') });
SmtpTest::cmd($_, 'QUIT') for $s, $t;

is($dove->connections, 2, 'Dovecot saw two callouts (joe, bob): cache hits '
    . 'and refused domains made none');
pf(sub { is($pfx->connections, 2, 'Postfix saw two callouts (kim, max)') });
$d->stop;
my $log = $d->log_text;
like($log, qr/callout: <bob\@example\.org> unknown: 550 5\.1\.1 /,
    'the next hop\'s answer is logged');
like($log, qr/callout: <joe\@example\.org> known: 250 2\.1\.5 /,
    'a known answer is logged too');
unlike($log, qr/not cached/, 'every answer was cached');
like($log, qr/callout: <ann\@example\.org> not verified: connect to unix:\S+: /,
    'the failed connection is logged');
like($log, qr/reject: RCPT from \S+: 450 4\.1\.1 Recipient address rejected: unverified address; from=<> to=<ann\@example\.org>/,
    'the 450 has its reject line');

# a trusted client may relay anywhere: a domain that is neither local nor
# a relay target is still never verified; a local one is (no listener: 450)
my $e = SmtpTest->new(conf => []);
my @trusted = ('PARAM BindAddress [127.0.0.1]',
    "PARAM rcpt-verify other.example lmtp unix:$tmp/nobody-listens",
    "PARAM rcpt-verify example.org lmtp unix:$tmp/nobody-listens",
    'PARAM rcpt-verify-rate 1');
$e->write_conf(@trusted);
$e->start;
my $c = $e->connect or die "connect: $!";
SmtpTest::reply($c);
SmtpTest::cmd($c, 'EHLO c.example');
SmtpTest::cmd($c, 'MAIL FROM:<a@example.org>');
like(rcpt($c, 'joe@other.example'), qr/^250 2\.1\.5 /,
    'relayed domain with a rcpt-verify line: no callout');
like(rcpt($c, 'joe@example.org'), $unverified,
    'local domain, no cache, nobody listening: 450 4.1.1');
# rcpt-verify-rate 1: of quick callouts (each fails at connect at once),
# some fall in one second; the second of those is not made
my $limited;
for my $i (1 .. 30) {
	like(rcpt($c, "u$i\@example.org"), $unverified, "u$i: 450 4.1.1")
	    or last;
	last if ($limited = $e->log_text =~
	    /callout: <u\d+\@example\.org> not verified: more than 1 callouts a second/);
}
ok($limited, 'rcpt-verify-rate: a callout over the bound is not made');
SmtpTest::cmd($c, 'QUIT');
# a bad line: the reload is refused with the reason, the daemon goes on
$e->write_conf(@trusted, 'PARAM rcpt-verify bad.example ftp [127.0.0.1]:21');
$e->ctl('reload');
ok(SmtpTest::wait_until(sub { $e->log_text =~ /reload failed: \S+smtpserver\.conf:\d+: PARAM rcpt-verify bad\.example: the protocol must be smtp or lmtp/ }, 20),
    'bad rcpt-verify line: reload refused with file:line and the reason');
ok($e->alive, 'the daemon still runs');
$e->stop;
$e->write_conf(@trusted, 'PARAM rcpt-verify bad.example smtp mx.bad.example:25');
ok(!eval { $e->start; 1 }, 'bad rcpt-verify line at start: no daemon');
like($e->log_text, qr/smtpserver\.conf:\d+: PARAM rcpt-verify bad\.example: the target must be/,
    '... and file:line and the reason are said');
done_testing();
