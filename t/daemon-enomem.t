#!/usr/bin/perl
# Out of memory in a session ends that worker and nothing else.  The
# t/lib/enomem.c shim makes strdup() fail for any string holding
# "x-enomem" (a HELO name, a sender, an ORCPT): the session gets no
# further reply, the worker logs one line and exits 71, the supervisor
# releases its connection, and the next session delivers a message.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

my $shim = SmtpTest::build() . '/t/lib/enomem.so';
-e $shim or die "$shim is missing: make builds it\n";
local $ENV{LD_PRELOAD} = $shim;
local $ENV{ASAN_OPTIONS} = join(':', grep { defined && length }
    $ENV{ASAN_OPTIONS}, 'verify_asan_link_order=0');

my $d = SmtpTest->new(conf => [ 'PARAM BindAddress [127.0.0.1]' ]);
$d->start(idle => 2);

# name, commands answered 2xx, then the one whose strdup fails
my @cases = (
	[ 'HELO name', [], 'EHLO x-enomem.example' ],
	[ 'sender', [ 'EHLO client.example' ],
	    'MAIL FROM:<x-enomem@example.org>' ],
	[ 'ORCPT', [ 'EHLO client.example', 'MAIL FROM:<a@example.org>' ],
	    'RCPT TO:<b@example.net> ORCPT=rfc822;x-enomem@example.net' ],
);
my $n = 0;
for my $c (@cases) {
	my ($name, $before, $fatal) = @$c;
	my $s = $d->connect;
	like(SmtpTest::reply($s), qr/^220 /, "$name: greeting");
	like(SmtpTest::cmd($s, $_), qr/^2/, "$name: $_") for @$before;
	is(SmtpTest::cmd($s, $fatal), undef,
	    "$name: no reply, the session ends");
	close($s);
	$n++;
	ok(wait_until(sub {
		my @dead = $d->log_text =~ /worker \d+ exited with status 71/g;
		@dead == $n;
	}), "$name: the supervisor sees the worker exit 71");
	my @oom = $d->log_text =~ /(out of memory: xstrdup .*)/g;
	is(scalar(@oom), $n, "$name: the worker said why, once")
	    or diag($d->log_text);
}
ok(wait_until(sub { $d->status->{connections}{now} == 0 }),
    'no connection stays counted');
ok($d->alive, 'the supervisor lives on');
my $s = $d->connect;
like(SmtpTest::reply($s), qr/^220 /, 'a new session is served');
like(SmtpTest::cmd($s, 'EHLO client.example'), qr/^250/, 'EHLO');
like(SmtpTest::message($s), qr/^250/, 'and delivers a message');
like(SmtpTest::cmd($s, 'QUIT'), qr/^221/, 'QUIT');
is(scalar($d->spooled), 1, 'one message in router/');
done_testing();
