#!/usr/bin/perl
# Configuration files must be regular files: smtpserver.conf (-C, with -K
# and for the daemon), the ZENV file (-Z; /dev/null stays "no ZENV") and
# the policy sources read by policy-builder.  /dev/zero used to spin the
# reader for ever and a FIFO to block it; now each is refused at once with
# the path in the error.  Every run is bounded by timeout(1).
use strict;
use warnings;
use lib 't/lib';
use File::Temp qw(tempdir);
use POSIX qw(mkfifo);
use Test::More;
use SmtpPipe;

my $po = postoffice();
my $build = $ENV{SMTPSERVER_BUILD} // 'build';

# Output and exit status; 124 when timeout(1) had to stop it.
sub run_cmd {
	my @cmd = ('timeout', '20', @_);
	my $pid = open(my $fh, '-|') // die;
	if ($pid == 0) {
		open STDERR, '>&', \*STDOUT;
		exec { $cmd[0] } @cmd or die;
	}
	local $/;
	my $out = <$fh> // '';
	close $fh;
	return ($out, $? >> 8);
}

my $good = write_conf($po, policy_db($po) . "* 999 ve\n");
my $fifo = "$po/conf.fifo";
mkfifo($fifo, 0600) or die "mkfifo: $!";
mkdir("$po/conf.d") or die;

for my $case (['/dev/zero', '/dev/zero'], ['a FIFO', $fifo],
    ['a directory', "$po/conf.d"]) {
	my ($what, $path) = @$case;
	my ($out, $rc) = run_cmd($BIN, '-K', '-C', $path, '-Z', '/dev/null');
	is($rc, 1, "-K -C $what: exit 1, at once");
	like($out, qr/^smtpserver: \Q$path\E: not a regular file$/m,
	    '  with the path and why');
}
my ($out, $rc) = run_cmd($BIN, '-F', '-C', '/dev/zero', '-Z', '/dev/null',
    '-P', $po);
is($rc, 2, 'the daemon with -C /dev/zero: exit 2');
like($out, qr{/dev/zero: not a regular file}, '  saying why');

($out, $rc) = run_cmd($BIN, '-K', '-C', $good, '-Z', '/dev/zero');
is($rc, 1, '-Z /dev/zero: exit 1');
like($out, qr{^smtpserver: /dev/zero: not a regular file$}m, '  saying why');
($out, $rc) = run_cmd($BIN, '-K', '-C', $good, '-Z', $fifo);
is($rc, 1, '-Z a FIFO: exit 1');
($out, $rc) = run_cmd($BIN, '-K', '-C', $good, '-Z', '/dev/null');
is($rc, 0, '-Z /dev/null is still an empty ZENV') or diag($out);

# policy-builder: a source that is /dev/zero (through a link) or a FIFO
my $pb = "$build/policy-builder";
my $db = tempdir('policy-src-XXXXXX', TMPDIR => 1, CLEANUP => 1);
system('cp', glob('conf/db/*'), $db) == 0 or die;
unlink("$db/localnames");
symlink('/dev/zero', "$db/localnames") or die;
($out, $rc) = run_cmd($pb, '-d', $db);
isnt($rc, 0, 'policy-builder: localnames linked to /dev/zero fails');
isnt($rc, 124, '  at once');
like($out, qr{\Q$db\E/localnames: not a regular file}, '  saying why');
unlink("$db/localnames");
mkfifo("$db/localnames", 0600) or die;
($out, $rc) = run_cmd($pb, '-d', $db);
ok($rc != 0 && $rc != 124, 'a FIFO source fails at once');
like($out, qr{localnames: not a regular file}, '  saying why');
ok(!-e "$db/smtp-policy.gdbm", 'no database written');
done_testing();
