#!/usr/bin/perl
# AUTH under the daemon, where the sessions run in workers and passwords
# are checked by the supervisor's AUTH helper: (1) the helper killed with
# -9 is replaced and the workers forked before it reach the new one at
# once; (2) auth-fail-limit holds for many parallel sessions from one
# address: no more checks reach the authenticator than the limit.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Select;
use MIME::Base64;
use SmtpTest qw(wait_until);


sub plain { return encode_base64("\0$_[0]\0$_[1]", '') }

# The checker: alice / s3cret; it records each call in $dir/calls and,
# while $dir/hold exists, waits (at most 15 s) before it answers.
sub checker {
	my ($dir) = @_;
	open(my $fh, '>', "$dir/authpipe") or die;
	print $fh "#!/bin/sh\nread -r pw\necho \"\$1\" >>$dir/calls\n"
	    . "i=0\nwhile [ -e $dir/hold ] && [ \$i -lt 300 ]; do\n"
	    . "\tsleep 0.05; i=\$((i + 1))\ndone\n"
	    . "[ \"\$1\" = alice ] && [ \"\$pw\" = s3cret ]\n";
	close($fh);
	chmod(0755, "$dir/authpipe");
	open($fh, '>', "$dir/calls") or die;
	close($fh);
	chmod(0666, "$dir/calls");
}

sub calls {
	my ($dir) = @_;
	open(my $fh, '<', "$dir/calls") or return 0;
	my @l = <$fh>;
	return scalar(@l);
}

sub daemon {
	my (@conf) = @_;
	my $d = SmtpTest->new(conf => []);
	checker($d->{dir});
	$d->write_conf('PARAM BindAddress [127.0.0.1]', 'PARAM smtp-auth',
	    'PARAM AUTH-LOGIN-also-without-TLS', 'PARAM auth-pipe-timeout 60',
	    "PARAM SMTP-auth-pipe $d->{dir}/authpipe", @conf);
	return $d;
}

# A session from src, after EHLO.
sub session {
	my ($d, $src) = @_;
	my $s = $d->connect(src => $src) or return;
	(SmtpTest::reply($s) // '') =~ /^220 / or return;
	(SmtpTest::cmd($s, 'EHLO client.example') // '') =~ /^250 /m
	    or return;
	return $s;
}

# Children of ppid: pid => command name.
sub children {
	my ($ppid) = @_;
	my %c;
	for my $stat (glob('/proc/[0-9]*/stat')) {
		open(my $fh, '<', $stat) or next;
		my $l = <$fh> // next;
		$c{$1} = $2 if $l =~ /^(\d+) \((.*)\) [^ZX] (\d+) / && $3 == $ppid;
	}
	return %c;
}

sub helper_of {
	my ($d) = @_;
	my %c = children($d->{pid});
	my @h = grep { $c{$_} eq 'smtpserver-auth' } keys %c;
	return @h == 1 ? $h[0] : undef;
}

# 1. kill -9 of the helper: workers forked before reach the new one
my $d = daemon('PARAM auth-fail-limit 1000', 'PARAM min-idle-workers 4',
    'PARAM max-idle-workers 30');
my $dir = $d->{dir};
$d->start(idle => 4);
my @s = map { session($d, "127.0.0.$_") } 31 .. 40;
is(scalar(grep { defined } @s), 10, 'ten sessions open before the kill');
ok(wait_until(sub { $d->status->{workers}{idle} >= 4 }),
    'and the idle pool refilled');
my $helper = helper_of($d);
ok($helper, 'the AUTH helper is a child of the supervisor');
my %before = children($d->{pid});
delete $before{$helper} if $helper;
my $st = $d->status;
my @busy = map { $_->{pid} } @{ $st->{sessions} };
is(scalar(grep { $before{$_} } @busy), 10,
    'the ten sessions are served by workers forked before the kill');
like(SmtpTest::cmd($s[0], 'AUTH PLAIN ' . plain('alice', 'bad0')) // '',
    qr/^535 5\.7\.8 /, 'AUTH answered before the kill');
kill('KILL', $helper) if $helper;
my $new;
ok(wait_until(sub {
	$d->log_text =~ /AUTH helper \Q$helper\E died.*\n(?:.*\n)*?.*AUTH helper (\d+) started behind the same door/
	    or return 0;
	$new = $1;
	return helper_of($d) // 0;
}), 'the supervisor logs the death and a new helper');
isnt($new, $helper, 'a new helper process');
my (%got, $n);
for my $s (@s) {
	for my $try (1 .. 4) {
		my $r = SmtpTest::cmd($s, 'AUTH PLAIN ' . plain('alice', "bad$try"));
		$n++;
		$got{ ($r // '') =~ /^535 5\.7\.8 / ? 'right' : $r // 'none' }++;
	}
	my $r = SmtpTest::cmd($s, 'AUTH PLAIN ' . plain('alice', 's3cret'));
	$n++;
	$got{ ($r // '') =~ /^235 2\.7\.0 / ? 'right' : $r // 'none' }++;
}
is($n, 50, '50 attempts after the kill');
is($got{right} // 0, 50, 'all of them answered right (535 bad, 235 good)')
    or diag(explain(\%got));
is(calls($dir), 51, 'and every one reached the authenticator');
my $f = session($d, '127.0.0.41');
like(SmtpTest::cmd($f, 'AUTH PLAIN ' . plain('alice', 's3cret')) // '',
    qr/^235 /, 'a new session authenticates too');
SmtpTest::cmd($_, 'QUIT') for grep { defined } @s, $f;
is($d->stop, 0, 'clean stop');

# 2. 40 parallel sessions from one address with a wrong password, limit
# 5: while the checks are held, the others must be refused (454), so no
# more than 5 reach the authenticator
$d = daemon('PARAM auth-fail-limit 5', 'PARAM min-idle-workers 10',
    'PARAM max-idle-workers 50', 'PARAM MaxSameIpSource 100');
$dir = $d->{dir};
$d->start(idle => 10);
@s = map { session($d, '127.0.0.50') } 1 .. 40;
is(scalar(grep { defined } @s), 40, '40 sessions from 127.0.0.50');
open(my $hold, '>', "$dir/hold") or die;
close($hold);
print $_ 'AUTH PLAIN ' . plain('alice', 'wrong') . "\r\n" for @s;
my %reply;
my $sel = IO::Select->new(@s);
# read what is there; the held checks answer only once the hold is gone
my $collect = sub {
	for my $s ($sel->can_read(0.05)) {
		my $r = SmtpTest::reply($s, 1) // next;
		$reply{$s} = $r;
		$sel->remove($s);
	}
};
ok(wait_until(sub {
	$collect->();
	return calls($dir) > 5 || calls($dir) + keys(%reply) >= 40;
}, 30), 'every attempt was checked or refused while the checks are held');
unlink("$dir/hold");
wait_until(sub { $collect->(); keys(%reply) >= 40 }, 30);
my %code;
$code{ substr($_, 0, 3) }++ for values %reply;
is(keys(%reply), 40, 'all 40 answered');
ok(calls($dir) <= 5, 'at most auth-fail-limit (5) checks reached the '
    . 'authenticator: ' . calls($dir));
is($code{535} // 0, calls($dir), 'each of them 535');
is($code{454} // 0, 40 - calls($dir), 'the others 454');
like(SmtpTest::cmd($s[0], 'AUTH PLAIN ' . plain('alice', 's3cret')) // '',
    qr/^454 4\.7\.0 .*too many authentication failures/,
    'the right password from that address: 454 now');
$f = session($d, '127.0.0.51');
like(SmtpTest::cmd($f, 'AUTH PLAIN ' . plain('alice', 's3cret')) // '',
    qr/^235 /, 'the right password from another address: 235');
SmtpTest::cmd($_, 'QUIT') for grep { defined } @s, $f;
is($d->stop, 0, 'clean stop');
done_testing();
