#!/usr/bin/perl
# Policy attributes that need the daemon's shared scoreboard:
# ratelimitmsgs of a relaycustnet network, counted across sessions and
# workers (two messages pass, the third MAIL gets 451, another network is
# not affected), and a per-network maxsameipsource; the syslog "reject:"
# line of each policy refusal (client strings escaped) and the one
# disconnect summary per connection.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);
use SmtpPipe ();
use TestDNS;

my $dns = TestDNS::start(A => { 'mx.sender.example' => '198.51.100.200' },
    MX => { 'sender.example' => 'mx.sender.example' });
my $d = SmtpTest->new(conf => []);
$d->{policy} = [ split /\n/, SmtpPipe::policy_db($d->{po}, dns_port => $dns,
    'smtp-policy.relay' => "[127.0.0.2]/32 ratelimitmsgs 2\n"
	. "[127.0.0.3]/32\n[127.0.0.1]/32 fulltrustnet +\n"
	. "[127.0.0.4]/32 maxsameipsource 1\n") ];
$d->write_conf('PARAM BindAddress [127.0.0.1]', 'PARAM min-idle-workers 2',
    'PARAM max-idle-workers 4');
$d->start(idle => 2);

sub mail_from {
	my ($src) = @_;
	my $s = $d->connect(src => $src) or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO c.example');
	my $r = SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>');
	SmtpTest::cmd($s, 'QUIT');
	close $s;
	return $r // '';
}

like(mail_from('127.0.0.2'), qr/^250 /, '127.0.0.2: first MAIL');
like(mail_from('127.0.0.2'), qr/^250 /, '127.0.0.2: second MAIL (another session)');
like(mail_from('127.0.0.2'),
    qr/^451 4\.7\.1 .*You are sending too much mail\/rcpts per time interval/,
    '127.0.0.2: third MAIL over ratelimitmsgs 2');
like(mail_from('127.0.0.3'), qr/^250 /, '127.0.0.3 (no limit) still served');
# maxsameipsource 1 for 127.0.0.4: the second open session is told 421
my $first = $d->connect(src => '127.0.0.4');
like(SmtpTest::reply($first), qr/^220 /, '127.0.0.4: first session');
my $second = $d->connect(src => '127.0.0.4');
like(SmtpTest::reply($second) // '',
    qr/^421 4\.7\.0 \S+ Too many simultaneous connections from this IP address \(2 of 1\)/,
    '127.0.0.4: second session over maxsameipsource 1');
close $second;
like(SmtpTest::cmd($first, 'QUIT'), qr/^221 /, 'the first one goes on');
close $first;

# one "reject:" line per policy refusal, in Postfix's shape
my @rej = $d->log_text =~ /^.*: reject: MAIL from .*127\.0\.0\.2\].*$/mg;
is(scalar @rej, 1, 'one reject line for the one refused MAIL') or diag(@rej);
like($rej[0] // '', qr/smtpserver\[\d+\]: \S{7}: reject: MAIL from unknown\[127\.0\.0\.2\]: 451 4\.7\.1 .*You are sending too much mail.*; from=<a\@sender\.example> proto=ESMTP helo=<c\.example> event=reject stage=MAIL client=127\.0\.0\.2 port=\d+ code=451 enh=4\.7\.1 reason=policy$/,
    'reject line: tag, stage, client, reply, from, proto, helo, then the fields');
my $s = $d->connect(src => '127.0.0.5') or die "connect: $!";
SmtpTest::reply($s);
SmtpTest::cmd($s, "EHLO c\x01\\x.example");
SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>');
like(SmtpTest::cmd($s, 'RCPT TO:<user@[192.0.2.1]>') // '', qr/^5\d\d /,
    '127.0.0.5: relaying refused');
SmtpTest::cmd($s, 'QUIT');
close $s;
ok(wait_until(sub { $d->log_text =~ /disconnect from \S*\[127\.0\.0\.5\]/ }),
    'the session of 127.0.0.5 ended');
@rej = $d->log_text =~ /^.*: reject: RCPT from .*127\.0\.0\.5\].*$/mg;
is(scalar @rej, 1, 'one reject line for the one refused RCPT') or diag(@rej);
like($rej[0] // '', qr/: reject: RCPT from unknown\[127\.0\.0\.5\]: 5\d\d \d\.\d\.\d+ .*; from=<a\@sender\.example> to=<user\@\[192\.0\.2\.1\]> proto=ESMTP helo=<c\\x01\\\\x\.example> event=reject stage=RCPT client=127\.0\.0\.5 port=\d+ code=5\d\d enh=5\.\d\.\d+ reason=policy$/,
    'RCPT reject line: to=, and the control character and backslash of HELO escaped');

# exactly one summary line per connection, with the session tag
$d->stop;
my @sum = $d->log_text =~ /^.*\b(?:disconnect|connection) from .*$/mg;
is(scalar(@sum), 7, 'seven connections, seven summary lines') or diag(@sum);
is(scalar(grep { /: \S{7}: disconnect from \S+\[127\.0\.0\.\d\] .*commands=\d+ messages=\d+ rejects=\d+ secs=\d+ listener=\S+ same_ip=\d+ event=disconnect client=127\.0\.0\.\d port=\d+ tls=none$/ } @sum),
    7, 'each with tag, client, counts and listener');
done_testing();
