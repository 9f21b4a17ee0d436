#!/usr/bin/perl
# ZMailer's interactive router (PARAM enable-router, -R, style flags v e F
# T h) against a test router program: its answers to hello, from, to,
# verify and expand; a router that dies (restarted), hangs (450 after
# enable-router-timeout), answers nothing (ZMailer's "letting this thru"),
# cannot be started (440), and the session that ends after 20 failures.
# The program runs as the daemon user with ZMailer's command line, and
# the spool file carries only what the router allowed.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);
use SmtpPipe ();

my $d = SmtpTest->new(conf => []);
my $dir = $d->{dir};
my $rt = "$dir/rt";
mkdir $rt;
chmod 0777, $rt;

# The router: one request a line, answers then "#hungry".
open(my $fh, '>', "$dir/router") or die;
my $prog = <<'EOF';
#!/usr/bin/perl
use strict; use warnings;
$| = 1;
open(my $st, '>>', '__RT__/starts') or die;
print $st "$< @ARGV\n";
close $st;
print "#hungry\n";
while (my $l = <STDIN>) {
	chomp $l;
	open(my $lg, '>>', '__RT__/requests'); print $lg "$l\n"; close $lg;
	my ($k, $a) = split /\t/, $l, 2;
	if ($k eq 'hello') {
		print -e '__RT__/helo-reject' ? "550 5.7.1 not you\n" : "250 2.0.0 hi\n";
	} elsif ($k eq 'from') {
		print $a =~ /^spammer@/ ? "553 5.7.1 go away\n" : "250 2.1.0 ok\n";
	} elsif ($k eq 'to') {
		if ($a =~ /^nobody@/) { print "550 5.1.1 no such user here\n" }
		elsif ($a =~ /^later@/) { print "451 4.3.0 try later\n" }
		elsif ($a =~ /^die@/) { exit 1 }
		elsif ($a =~ /^hang@/) { sleep 1000 }
		elsif ($a =~ /^empty@/) { }
		elsif ($a =~ /^junk@/) { print "what?\n" }
		elsif ($a =~ /^flood@/) { print "x" x 100000, "\n" for 1 .. 20; print "550 5.1.1 flood\n" }
		else { print "250 2.1.5 ok\n" }
	} elsif ($k eq 'verify') {
		print $a =~ /nobody/ ? "550 5.1.1 <$a> unknown\n"
		    : $a =~ /empty/ ? "" : "250 2.1.5 <$a\@local> is a local user\n";
	} elsif ($k eq 'expand') {
		print "250-2.1.5 <one\@local>\n250 2.1.5 <two\@local>\n";
	} else {
		print "500 5.5.1 what\n";
	}
	print "#hungry\n";
}
EOF
$prog =~ s/__RT__/$rt/g;
print $fh $prog;
close $fh;
chmod 0755, "$dir/router";

sub starts {
	open(my $f, '<', "$rt/starts") or return ();
	return <$f>;
}

$d->write_conf('PARAM BindAddress [127.0.0.1]', 'PARAM enable-router',
    'PARAM enable-router-maxpar 2', 'PARAM enable-router-timeout 2',
    'PARAM VRFYcmd', 'PARAM EXPNcmd', 'notouch.example veFT',
    'helo.example veh', '* ve');
$d->{args} = [ '-R', "$dir/router" ];
my $dpid = $d->start;

# The daemon's children named name (the keepers: smtpd-router, ...).
sub keepers {
	my ($name) = @_;
	my @k;
	for my $p (glob('/proc/[0-9]*')) {
		open(my $f, '<', "$p/stat") or next;
		my $st = <$f> // next;
		push @k, $1 if $st =~ /^(\d+) \(\Q$name\E\) \S+ (\d+)/ && $2 == $dpid;
	}
	return @k;
}

my $s = $d->connect or die "connect: $!";
like(SmtpTest::reply($s), qr/^220 /, 'greeting');
like(SmtpTest::cmd($s, 'EHLO client.example'), qr/^250[ -]/, 'EHLO');
like(SmtpTest::cmd($s, 'MAIL FROM:<spammer@bad.example>'),
    qr/^553 5\.7\.1 go away\r\n\z/, 'MAIL: the router refuses the sender');
like(SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>'), qr/^250 2\.1\.0 /,
    'MAIL: the router allows the sender');
like(SmtpTest::cmd($s, 'RCPT TO:<nobody@local.example>'),
    qr/^550 5\.1\.1 no such user here\r\n\z/, 'RCPT: 550 from the router');
like(SmtpTest::cmd($s, 'RCPT TO:<later@local.example>'),
    qr/^451 4\.3\.0 try later\r\n\z/, 'RCPT: 451 from the router');
like(SmtpTest::cmd($s, 'RCPT TO:<user@local.example>'),
    qr/^250 2\.1\.5 Recipient address syntax Ok; rcpt=<user\@local\.example>/,
    'RCPT: the router allows the recipient');
like(SmtpTest::cmd($s, 'RCPT TO:<empty@local.example>'), qr/^250 2\.1\.5 /,
    'RCPT: an empty answer lets it through, as ZMailer');
like(SmtpTest::cmd($s, 'RCPT TO:<junk@local.example>'),
    qr/^450 4\.5\.0 Interactive router failed/,
    'RCPT: an answer that is no reply line is a failure (450)');
like(SmtpTest::cmd($s, 'RCPT TO:<flood@local.example>'),
    qr/^550 5\.1\.1 flood\r\n\z/, 'RCPT: a flood of output is cut, the verdict kept');
like(SmtpTest::cmd($s, 'DATA'), qr/^354 /, 'DATA');
print $s "Subject: router\r\n\r\nbody\r\n";
like(SmtpTest::cmd($s, '.'), qr/^250 2\.0\.0 /, 'message accepted');
my @files = $d->spooled;
is(scalar @files, 1, 'one spool file');
my $env = do { local $/; open(my $f, '<', "$d->{po}/router/$files[0]") or die; <$f> };
like($env, qr/^to <user\@local\.example>$/m, 'spool: the allowed recipient');
like($env, qr/^to <empty\@local\.example>$/m, 'spool: the let-through one');
unlike($env, qr/^to <(nobody|later|junk|flood)\@/m, 'spool: no refused recipient');

# VRFY and EXPN through the router (style v, e; VRFYcmd, EXPNcmd)
like(SmtpTest::cmd($s, 'VRFY joe'),
    qr/^250 2\.1\.5 <joe\@local> is a local user\r\n\z/, 'VRFY: the router answers');
like(SmtpTest::cmd($s, 'VRFY nobody'), qr/^550 5\.1\.1 <nobody> unknown/,
    'VRFY: the router refuses');
like(SmtpTest::cmd($s, 'VRFY empty'),
    qr/^250 2\.7\.1 Interactive policy router failed, letting this thru\.\.\.\r\n\z/,
    'VRFY: an empty answer');
is(SmtpTest::cmd($s, 'EXPN list'),
    "250-2.1.5 <one\@local>\r\n250 2.1.5 <two\@local>\r\n",
    'EXPN: the router expands, multi-line');

# a router that dies: 450, and the next request gets a new one
my $before = () = starts();
like(SmtpTest::cmd($s, 'MAIL FROM:<c@sender.example>'), qr/^250 /, 'MAIL');
like(SmtpTest::cmd($s, 'RCPT TO:<die@local.example>'), qr/^450 4\.5\.0 /,
    'a router that dies: 450');
like(SmtpTest::cmd($s, 'RCPT TO:<user@local.example>'), qr/^250 /,
    'the next request is answered');
ok(scalar(() = starts()) > $before, 'by a router started again');
# a router that hangs: 450 after enable-router-timeout, then a new one
like(SmtpTest::cmd($s, 'RCPT TO:<hang@local.example>'),
    qr/^450 4\.5\.0 Interactive router timed out!/, 'a hanging router: 450');
like(SmtpTest::cmd($s, 'RCPT TO:<user2@local.example>'), qr/^250 /,
    'the next request after a hang is answered');

# the keeper itself dies: the supervisor starts another behind the door
my @k = keepers('smtpd-router');
is(scalar @k, 1, 'one router keeper, a child of the daemon');
kill 'KILL', $k[0];
ok(wait_until(sub { my @n = keepers('smtpd-router'); @n == 1 && $n[0] != $k[0] }),
    'a new keeper is started');
like(SmtpTest::cmd($s, 'RCPT TO:<user3@local.example>'), qr/^250 /,
    'and the same session reaches it');
like(SmtpTest::cmd($s, 'RCPT TO:<nobody@local.example>'), qr/^550 5\.1\.1 /,
    'its router answers');
SmtpTest::cmd($s, 'QUIT');
close $s;

# ZMailer's command line, as the daemon user
my @st = starts();
my $daemon = (getpwnam('daemon'))[2];
like($st[0], qr/^(\d+) -Z \Q$dir\E\/zmailer\.conf -io-i -Ismtpserver$/,
    'the router gets -Z $ZCONFIG -io-i -Ismtpserver');
my ($uid) = $st[0] =~ /^(\d+)/;
if ($> == 0) {
	is($uid, $daemon, 'the router runs as the daemon user, not root');
} else {
	isnt($uid, 0, 'the router does not run as root');
}

# style F and T: no router at MAIL and RCPT; style h: HELO to the router
$s = $d->connect or die;
SmtpTest::reply($s);
SmtpTest::cmd($s, 'EHLO notouch.example');
like(SmtpTest::cmd($s, 'MAIL FROM:<spammer@bad.example>'), qr/^250 /,
    'style F: MAIL not asked');
like(SmtpTest::cmd($s, 'RCPT TO:<nobody@local.example>'), qr/^250 /,
    'style T: RCPT not asked');
open(my $t, '>', "$rt/helo-reject");
close $t;
like(SmtpTest::cmd($s, 'EHLO helo.example'), qr/^550 5\.7\.1 not you/,
    'style h: the router refuses the HELO');
unlink "$rt/helo-reject";
like(SmtpTest::cmd($s, 'EHLO helo.example'), qr/^250[ -]/,
    'style h: the router allows the HELO');
SmtpTest::cmd($s, 'QUIT');
close $s;
my @req = do { open(my $f, '<', "$rt/requests") or die; <$f> };
ok((grep { /^hello\t\[127\.0\.0\.1\] / } @req), 'hello request: [ip] rhost');
ok(!(grep { /^from\tspammer/ } @req[-4 .. -1]), 'no from request under style F');

# SIGHUP without enable-router: no router any more, no keeper
$d->write_conf('PARAM BindAddress [127.0.0.1]', '* ve');
my ($out) = $d->ctl('reload');
ok(wait_until(sub { $d->log_text =~ /generation 2/ }), 'reloaded') or diag($out);
# (a worker of the old generation may still take a connection or two
# before it goes: ask new sessions until one is of the new generation)
sub rcpt_nobody {
	my $c = $d->connect or return '';
	SmtpTest::reply($c);
	SmtpTest::cmd($c, 'EHLO client.example');
	SmtpTest::cmd($c, 'MAIL FROM:<spammer@bad.example>');
	my $r = SmtpTest::cmd($c, 'RCPT TO:<nobody@local.example>') // '';
	SmtpTest::cmd($c, 'QUIT');
	close $c;
	return $r;
}
ok(wait_until(sub { rcpt_nobody() =~ /^250 / }),
    'after the reload the router is not asked');
ok(wait_until(sub { keepers('smtpd-router') == 0 }), 'and its keeper is gone');
$d->stop;

# a -i session starts a keeper of its own
my $po = SmtpPipe::postoffice();
my $out2 = SmtpPipe::run_i(po => $po,
    conf => SmtpPipe::write_conf($po, "PARAM enable-router\n* ve\n"),
    args => [ '-R', "$dir/router" ],
    input => "EHLO x.example\r\nMAIL FROM:<a\@b.example>\r\n"
	. "RCPT TO:<nobody\@local.example>\r\nRCPT TO:<u\@local.example>\r\n"
	. "QUIT\r\n");
like($out2, qr/^550 5\.1\.1 no such user here\r$/m, '-i: the router refuses');
like($out2, qr/^250 2\.1\.5 Recipient address syntax Ok; rcpt=<u\@local\.example>/m,
    '-i: and allows');
like($out2, qr/^221 /m, '-i: the session ends normally');

# a router that cannot be started: 440; after 20 failures the session ends
my $d2 = SmtpTest->new(conf => [ 'PARAM BindAddress [127.0.0.1]',
    'PARAM enable-router', '* ve' ], args => [ '-R', "$dir/no-such-router" ]);
$d2->start;
$s = $d2->connect or die;
SmtpTest::reply($s);
SmtpTest::cmd($s, 'EHLO client.example');
like(SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>'),
    qr/^440 4\.4\.0 I am sick: Failed to init interactive router subsystem/,
    'no router program: 440');
my ($n, $r) = (1);
while ($n < 30) {
	$r = SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>');
	last unless defined $r && $r =~ /^440 /;
	$n++;
}
is($n, 21, 'the 21st failure ends the session');
ok(!defined $r, 'connection closed');
close $s;
$d2->stop;

done_testing;
