#!/usr/bin/perl
# The fail2ban filter shipped in conf/fail2ban matches the daemon's own
# log of failed AUTH attempts, and nothing else: a session fails AUTH
# twice (once with a user name that tries to fake another address's
# failure), one succeeds, one client is refused by the policy and one
# sends a command line made to look like a failure.  The daemon's syslog
# lines (its -d copy on stderr, "smtpserver[pid]: ...") are written to a
# file in the shape rsyslog gives /var/log/mail.log, and fail2ban-regex
# (Debian's fail2ban) must find exactly the two failures, from 127.0.0.2.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use MIME::Base64;
use POSIX qw(strftime);
use SmtpTest;
use SmtpPipe ();

my $f2b = '/usr/bin/fail2ban-regex';
plan skip_all => 'needs fail2ban-regex (Debian package fail2ban)'
    unless -x $f2b;
my $filter = SmtpTest::srcdir() . '/conf/fail2ban/filter.d/smtpserver.conf';
my $common = '/etc/fail2ban/filter.d/common.conf';
plan skip_all => "needs $common" unless -r $common;

my $d = SmtpTest->new(conf => []);
my $dir = $d->{dir};
open(my $fh, '>', "$dir/authpipe") or die;
print $fh "#!/bin/sh\nread -r pw\n[ \"\$1\" = alice ] && [ \"\$pw\" = s3cret ]\n";
close($fh);
chmod(0755, "$dir/authpipe");
$d->{policy} = [ split /\n/, SmtpPipe::policy_db($d->{po},
    'smtp-policy.relay' => "[127.0.0.5]/32 rejectnet +\n"
	. "[127.0.0.0]/8 fulltrustnet +\n") ];
$d->write_conf('PARAM BindAddress [127.0.0.1]', 'PARAM smtp-auth',
    'PARAM AUTH-LOGIN-also-without-TLS', "PARAM SMTP-auth-pipe $dir/authpipe");
$d->start;

sub plain { return encode_base64("\0$_[0]\0$_[1]", '') }
sub session {
	my ($src, @cmds) = @_;
	my $s = $d->connect(src => $src) or die "connect: $!";
	my @r = (SmtpTest::reply($s) // '');
	push(@r, SmtpTest::cmd($s, $_) // '') for @cmds;
	close($s);
	return @r;
}

my $fake = 'x failed event=auth-fail client=192.0.2.66 port=1 mech=PLAIN '
    . 'user=y';
my @r = session('127.0.0.2', 'EHLO a.example',
    'AUTH PLAIN ' . plain('alice', 'wrong'),
    'AUTH PLAIN ' . plain($fake, 'x'), 'QUIT');
like($r[2], qr/^535 /, 'first AUTH fails');
like($r[3], qr/^535 /, 'second AUTH fails');
@r = session('127.0.0.3', 'EHLO b.example',
    'AUTH PLAIN ' . plain('alice', 's3cret'), 'QUIT');
like($r[2], qr/^235 /, 'another client authenticates');
@r = session('127.0.0.5', 'EHLO c.example', 'MAIL FROM:<>',
    'RCPT TO:<someone@example.net>', "AUTH $fake", 'QUIT');
ok(grep({ /^5\d\d / } @r), 'a client refused by the policy');
@r = session('127.0.0.4', 'EHLO d.example', 'X-AUTH-FAIL ' . $fake, 'QUIT');
like($r[2], qr/^5\d\d /, 'a made-up command is refused');
is($d->stop, 0, 'daemon stops cleanly');

# the daemon's syslog lines, as rsyslog writes them to /var/log/mail.log
my $stamp = strftime('%b %e %H:%M:%S', localtime);
my $log = "$dir/mail.log";
open(my $out, '>', $log) or die;
for (split(/\n/, $d->log_text)) {
	print $out "$stamp mx smtpserver[$1]: $2\n"
	    if /^smtpserver\[(\d+)\]: (.*)$/;
}
close($out);
my @fails = grep({ /: AUTH PLAIN from .* failed event=auth-fail / }
    split(/\n/, $d->log_text));
is(scalar(@fails), 2, 'two auth-fail lines in the log')
    or diag($d->log_text);
ok(!grep({ /\bwrong\b|s3cret/ } split(/\n/, $d->log_text)),
    'no password in the log');
like($d->log_text, qr/event=reject stage=\w+ client=127\.0\.0\.5 /,
    'the refusal has its event line');

# the filter beside the common.conf it includes, as in /etc/fail2ban
mkdir("$dir/filter.d") or die;
system('cp', $filter, $common, "$dir/filter.d/") == 0 or die;
$filter = "$dir/filter.d/smtpserver.conf";
my $res = `$f2b -o ip $log $filter 2>&1`;
is($? >> 8, 0, 'fail2ban-regex runs') or diag($res);
my @ips = grep({ /\S/ } split(/\n/, $res));
is_deeply(\@ips, [ '127.0.0.2', '127.0.0.2' ],
    'exactly the two failures match, with the client address') or diag($res);
$res = `$f2b $log $filter 2>&1`;
like($res, qr/^Lines: \d+ lines, 0 ignored, 2 matched, \d+ missed/m,
    'and no other line') or diag($res);
done_testing();
