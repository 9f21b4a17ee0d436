#!/usr/bin/perl
# A second daemon with the same pid file (-I) kills the first one through
# it, takes over the port and writes its own pid.  A stale pid file naming
# a process that is not an smtpserver does not get that process killed.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use SmtpTest qw(wait_until);

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

# A stale pid file whose pid now belongs to another program: that process
# is not signalled, and the pid file is taken over.
my $sleeper;
END { kill('KILL', $sleeper) if $sleeper }	# even when a test dies
$sleeper = fork() // die;
if ($sleeper == 0) {
	exec('sleep', '300') or POSIX::_exit(127);
}
ok(wait_until(sub { (readlink("/proc/$sleeper/exe") // '') =~ m{/sleep$} }),
    'an unrelated process (sleep) runs');
open(my $fh, '>', $pidfile) or die;
print $fh "$sleeper\n";
close($fh);
my $c = SmtpTest->new(conf => \@conf, dir => $a->{dir}, port => $a->{port},
    args => ['-I', 'smtpd.pid']);
$c->start;
is(waitpid($sleeper, POSIX::WNOHANG()), 0,
    'a daemon starting with its pid in the pid file leaves it alone');
is(slurp($pidfile), "$c->{pid}\n", 'and overwrites the pid file');
like($c->log_text, qr/pid $sleeper, which is not an smtpserver/,
    'saying why');
is($c->stop, 0, 'stops cleanly');
kill('KILL', $sleeper);
waitpid($sleeper, 0);
undef $sleeper;
done_testing();

sub slurp {
	open(my $fh, '<', $_[0]) or return '';
	local $/;
	return <$fh>;
}
