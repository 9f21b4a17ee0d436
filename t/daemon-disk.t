#!/usr/bin/perl
# A small spool file system (a 4 MB tmpfs mounted for the test) and
# clients that try to fill it, with maxsize 0 (no size limit): DATA and
# BDAT bigger than the free space get 452 4.3.1, nothing stays in public/
# or router/, the disk keeps min-availspace free at every reply, and the
# next message that fits is accepted; SIZE= beyond the free space gets 452
# 4.3.1 at MAIL.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use Test::More;
use SmtpTest;

# CI runs as root; only root may mount the small file system
plan(skip_all => 'mounting a tmpfs needs root') if $> != 0;

my $dir = tempdir('smtpd-disk-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $po = "$dir/postoffice";
mkdir($po) or die "$po: $!";
my $mounted = system('mount', '-t', 'tmpfs', '-o', 'size=4m,mode=0755',
    'smtpd-test', $po) == 0;
# root that cannot mount (a container without CAP_SYS_ADMIN) is a broken
# test host, not a reason to pass: say so and fail
BAIL_OUT("mount -t tmpfs on $po failed") unless $mounted;
my $d;
END {
	$d->stop if $d;
	system('umount', $po) == 0 or system('umount', '-l', $po)
	    if $mounted;
}

my $min_kb = 1000;	# the smallest min-availspace there is
$d = SmtpTest->new(dir => $dir, conf => [
	'PARAM BindAddress [127.0.0.1]',
	'PARAM maxsize 0',
	"PARAM min-availspace $min_kb",
]);
$d->start;

# Free KB of the spool file system, as statvfs(2) counts it.
sub free_kb {
	my ($avail, $bsize) = split(' ', `stat -f -c '%a %S' $po`);
	return $avail * $bsize / 1024;
}

sub leftovers {
	my @f = (glob("$po/public/*"), glob("$po/router/*"));
	return scalar(@f);
}

my $line = ('x' x 998) . "\r\n";
# lines of 1000 bytes: 1 MB more than the free space
my $toobig = int(free_kb() * 1024 / 1000) + 1024;

my $c = $d->connect;
like(SmtpTest::reply($c), qr/^220 /, 'greeting');
like(SmtpTest::cmd($c, 'EHLO client.example'), qr/^250 /m, 'EHLO');

# 1. SIZE= beyond the free space: 452 4.3.1 at MAIL
my $free = free_kb() * 1024;
like(SmtpTest::cmd($c, "MAIL FROM:<a\@example.org> SIZE=$free"),
    qr/^452 4\.3\.1 /, 'SIZE= above free space minus min-availspace: 452 4.3.1');

# 2. DATA bigger than the disk
like(SmtpTest::cmd($c, 'MAIL FROM:<a@example.org>'), qr/^250 /, 'MAIL');
like(SmtpTest::cmd($c, 'RCPT TO:<b@example.net>'), qr/^250 /, 'RCPT');
like(SmtpTest::cmd($c, 'DATA'), qr/^354 /, 'DATA');
print $c "Subject: big\r\n\r\n";
print $c $line for 1 .. $toobig;
like(SmtpTest::cmd($c, '.'), qr/^452 4\.3\.1 /,
    'DATA bigger than the free space: 452 4.3.1');
is(leftovers(), 0, 'nothing left in public/ or router/');
cmp_ok(free_kb(), '>=', $min_kb, 'min-availspace still free');

# 3. the next message that fits is accepted in the same session
like(SmtpTest::message($c), qr/^250 2\.0\.0 /, 'a small message after it: 250');
is(scalar($d->spooled), 1, 'and it is in router/');
unlink(glob("$po/router/*"));

# 4. BDAT chunks of 256 KB until one is refused: after every reply
# min-availspace is still free; the refused chunk ends the transaction
like(SmtpTest::cmd($c, 'MAIL FROM:<a@example.org>'), qr/^250 /, 'MAIL');
like(SmtpTest::cmd($c, 'RCPT TO:<b@example.net>'), qr/^250 /, 'RCPT');
my $chunk = 'y' x (256 * 1024);
my ($ok, $low, $r) = (0, 1e9, '');
for my $i (1 .. 40) {
	print $c 'BDAT ' . length($chunk) . "\r\n" . $chunk;
	$r = SmtpTest::reply($c) // 'no reply';
	my $f = free_kb();
	$low = $f if $f < $low;
	last unless $r =~ /^250 /;
	$ok++;
}
like($r, qr/^452 4\.3\.1 /, 'BDAT past the free space: 452 4.3.1');
cmp_ok($ok, '>=', 4, "$ok chunks were taken before");
cmp_ok($low, '>=', $min_kb, 'min-availspace free after every BDAT reply');
is(leftovers(), 0, 'nothing left in public/ or router/');
print $c "BDAT 3 LAST\r\nabc";
like(SmtpTest::reply($c) // '', qr/^503 /,
    'transaction over: a pipelined LAST chunk is refused');

# 5. one huge announced BDAT, with the bytes sent: nothing stored
like(SmtpTest::cmd($c, 'MAIL FROM:<a@example.org>'), qr/^250 /, 'MAIL');
like(SmtpTest::cmd($c, 'RCPT TO:<b@example.net>'), qr/^250 /, 'RCPT');
my $huge = $toobig * 1000;
print $c "BDAT $huge LAST\r\n";
print $c $line for 1 .. $toobig;
like(SmtpTest::reply($c) // '', qr/^452 4\.3\.1 /,
    'BDAT n LAST bigger than the disk: 452 4.3.1');
is(leftovers(), 0, 'nothing left behind');

# 6. and the session still takes a message that fits
like(SmtpTest::message($c), qr/^250 2\.0\.0 /, 'a small message: 250');
like(SmtpTest::cmd($c, 'QUIT'), qr/^221 /, 'QUIT');
is(scalar($d->spooled), 1, 'one message in router/');
done_testing();
