#!/usr/bin/perl
# A second daemon with the same pid file (-I) kills the first one through
# it, takes over the port and writes its own pid.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use SmtpTest qw(wait_until);

SmtpTest::skip_unless_wired();
my @conf = ('PARAM BindAddress [127.0.0.1]', 'PARAM shutdown-grace 5');
my $a = SmtpTest->new(conf => \@conf, args => ['-I', 'smtpd.pid']);
$a->start;
my $pidfile = "$a->{po}/smtpd.pid";
is(slurp($pidfile), "$a->{pid}\n", '-I names the pid file in POSTOFFICE');
my $b = SmtpTest->new(conf => \@conf, dir => $a->{dir}, port => $a->{port},
    args => ['-I', 'smtpd.pid']);
$b->start;
is($a->wait_exit(10), 0, 'the first daemon was told to stop, and did');
is(slurp($pidfile), "$b->{pid}\n", 'the pid file holds the new pid');
my $s = $b->connect;
like(SmtpTest::reply($s), qr/^220 /, 'the new daemon serves the port');
close($s);
is($b->stop, 0, 'stops cleanly');
ok(!-e $pidfile, 'pid file removed');
done_testing();

sub slurp {
	open(my $fh, '<', $_[0]) or return '';
	local $/;
	return <$fh>;
}
