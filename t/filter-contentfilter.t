#!/usr/bin/perl
# ZMailer's contentfilter (PARAM contentfilter, contentfilter-maxpar,
# debug-contentfilter) against a test filter program: reject, accept with
# and without text, freeze N (the freezer file), garbage, a hang
# (contentfilter-timeout), a crash, a flood, each enforced before the
# reply to the final dot (DATA and BDAT); a hung filter does not stall
# another session; the program is started again when its file changes;
# the AF_UNIX socket form; a path that cannot be run gets 451, and
# contentfilter-fail-open restores ZMailer's accept.
use strict; use warnings;
use FindBin; use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::UNIX;
use POSIX ();
use SmtpTest qw(wait_until);

# The verdict for a message, by its Subject (shared by both forms).
my $judge = <<'EOF';
sub judge {
	my ($path) = @_;
	open(my $m, '<', $path) or return "0 0 cannot read $path: $!";
	my $subj = '';
	while (<$m>) { if (/^Subject: (.*)/) { $subj = $1; last } }
	close $m;
	return "-1 550 5.7.1 spam detected" if $subj eq 'reject';
	return "-1 0 no code" if $subj eq 'reject-nocode';
	return "-1 451 4.7.1 later please" if $subj eq 'temp';
	return "0 250 2.6.0 looks fine" if $subj eq 'accept-text';
	return "-1\n0 ok\n0 0" if $subj eq 'plain';
	return "3 250 2.7.1 held for review" if $subj eq 'freeze';
	return "hello there" if $subj eq 'garbage';
	if ($subj eq 'hang') { sleep 1000 }
	if ($subj eq 'crash') { exit 3 }
	return join("\n", ("x" x 100000) x 20, "-1 550 5.7.1 flooded")
	    if $subj eq 'flood';
	return "0 0";
}
EOF

my $d = SmtpTest->new(conf => []);
my $dir = $d->{dir};
my $fd = "$dir/fd";
mkdir $fd;
chmod 0777, $fd;

sub write_filter {
	my ($path, $tag) = @_;
	open(my $fh, '>', "$path.new") or die;
	print $fh "#!/usr/bin/perl\nuse strict; use warnings;\n\$| = 1;\n",
	    $judge, <<"EOF";
open(my \$st, '>>', '$fd/starts') or die;
print \$st "$tag \$< \$ENV{SMTPSERVER} \@ARGV\\n";
close \$st;
print "#hungry\\n";
while (my \$l = <STDIN>) {
	chomp \$l;
	print judge(\$l), "\\n#hungry\\n";
}
EOF
	close $fh;
	chmod 0755, "$path.new";
	rename("$path.new", $path) or die;
}

sub starts {
	open(my $f, '<', "$fd/starts") or return ();
	return <$f>;
}

# One message with a Subject: the reply to its final dot.
sub send_msg {
	my ($s, $subj) = @_;
	SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>') =~ /^250/
	    or return 'MAIL refused';
	SmtpTest::cmd($s, 'RCPT TO:<b@rcpt.example>') =~ /^250/
	    or return 'RCPT refused';
	SmtpTest::cmd($s, 'DATA') =~ /^354/ or return 'DATA refused';
	print $s "Subject: $subj\r\n\r\nbody\r\n";
	return SmtpTest::cmd($s, '.') // 'no reply';
}

sub session {
	my ($dm) = @_;
	my $s = $dm->connect or die "connect: $!";
	SmtpTest::reply($s);
	SmtpTest::cmd($s, 'EHLO client.example');
	return $s;
}

sub files {
	my ($po, $sub) = @_;
	opendir(my $dh, "$po/$sub") or return ();
	return grep { !/^\./ } readdir($dh);
}

write_filter("$dir/filter", 'v1');
$d->write_conf('PARAM BindAddress [127.0.0.1]',
    "PARAM contentfilter $dir/filter", 'PARAM contentfilter-maxpar 2',
    'PARAM contentfilter-timeout 2', 'PARAM debug-contentfilter', '* ve');
$d->start;
my $s = session($d);
my $r = send_msg($s, 'reject');
like($r, qr/^550 5\.7\.1 Content-Policy reject msg: spam detected; S\S+\r\n\z/,
    'reject: the filter\'s code, status and text, and the spool id');
is(scalar(files($d->{po}, 'router')) + scalar(files($d->{po}, 'public')), 0,
    'reject: no file left in router/ or public/');
like(send_msg($s, 'reject-nocode'),
    qr/^552 5\.7\.1 Content-Policy reject msg: no code; /,
    'reject without a code: 552 5.7.1');
like(send_msg($s, 'temp'), qr/^451 4\.7\.1 Content-Policy reject msg: later please; /,
    'reject with a 4xx code: 451');
like(send_msg($s, 'plain'), qr/^250 2\.0\.0 Message accepted; S\S+\r\n\z/,
    'accept: the last line with two integers wins');
like(send_msg($s, 'accept-text'), qr/^250 2\.6\.0 looks fine; S\S+\r\n\z/,
    'accept with the filter\'s text');
is(scalar(files($d->{po}, 'router')), 2, 'two messages in router/');
like(send_msg($s, 'freeze'),
    qr/^250 2\.7\.1 Content-Policy accept-into-freezer-3 msg: held for review; S\S+\r\n\z/,
    'freeze 3: reply');
my @fz = files($d->{po}, 'freezer');
is(scalar @fz, 1, 'freeze: one file in freezer/');
like($fz[0] // '', qr/^\d+policy-3$/, 'freeze: named <inode>policy-3');
like(send_msg($s, 'garbage'),
    qr/^451 4\.7\.1 Content filter unavailable; try again later; S\S+\r\n\z/,
    'garbage: 451, not accepted');
like(send_msg($s, 'crash'), qr/^451 4\.7\.1 Content filter unavailable/,
    'crash: 451');
like(send_msg($s, 'flood'), qr/^550 5\.7\.1 Content-Policy reject msg: flooded; /,
    'flood: cut, its last line still the verdict');

# a hung filter stalls neither this session's next message nor another
my $other = session($d);
SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>');
SmtpTest::cmd($s, 'RCPT TO:<b@rcpt.example>');
SmtpTest::cmd($s, 'DATA');
print $s "Subject: hang\r\n\r\nbody\r\n.\r\n";
like(send_msg($other, 'plain'), qr/^250 2\.0\.0 /,
    'another session is served while a filter hangs');
like(SmtpTest::reply($s, 30), qr/^451 4\.7\.1 Content filter unavailable/,
    'hang: 451 after contentfilter-timeout');
like(send_msg($s, 'plain'), qr/^250 2\.0\.0 /, 'and the next message passes');
SmtpTest::cmd($other, 'QUIT');
close $other;

# BDAT: the verdict before the reply to LAST
SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>');
SmtpTest::cmd($s, 'RCPT TO:<b@rcpt.example>');
my $msg = "Subject: reject\r\n\r\nbody\r\n";
print $s 'BDAT ' . length($msg) . " LAST\r\n$msg";
like(SmtpTest::reply($s), qr/^550 5\.7\.1 Content-Policy reject msg: spam detected/,
    'BDAT LAST: rejected by the filter');
SmtpTest::cmd($s, 'MAIL FROM:<a@sender.example>');
SmtpTest::cmd($s, 'RCPT TO:<b@rcpt.example>');
$msg = "Subject: freeze\r\n\r\nbody\r\n";
print $s 'BDAT ' . length($msg) . " LAST\r\n$msg";
like(SmtpTest::reply($s), qr/^250 2\.7\.1 Content-Policy accept-into-freezer-3/,
    'BDAT LAST: frozen by the filter');
ok((grep { /^\d+policy$/ } files($d->{po}, 'freezer')),
    'BDAT: the freezer file is <inode>policy, as ZMailer');

# the program's command line, user and environment
my @st = starts();
like($st[0], qr/^v1 (\d+) y -Z \Q$dir\E\/zmailer\.conf$/,
    'filter started as "path -Z $ZCONFIG" with SMTPSERVER=y');
my ($uid) = $st[0] =~ /^v1 (\d+)/;
if ($> == 0) {
	is($uid, (getpwnam('daemon'))[2], 'the filter runs as the daemon user');
} else {
	isnt($uid, 0, 'the filter does not run as root');
}
like($d->log_text, qr/contentfilter \d+: -1 550 5\.7\.1 spam detected/,
    'debug-contentfilter logs the filter\'s lines');

# restart when the program file changes
write_filter("$dir/filter", 'v2');
like(send_msg($s, 'plain'), qr/^250 2\.0\.0 /, 'message after the change');
ok((grep { /^v2 / } starts()), 'the changed program was started');
SmtpTest::cmd($s, 'QUIT');
close $s;
$d->stop;

# the socket form: the PARAM names an AF_UNIX socket (which may come
# after the daemon started)
my $sock = "$dir/filter.sock";
my $d2 = SmtpTest->new(conf => [ 'PARAM BindAddress [127.0.0.1]',
    "PARAM contentfilter $sock", 'PARAM contentfilter-timeout 2', '* ve' ]);
$d2->start;
$s = session($d2);
like(send_msg($s, 'plain'), qr/^451 4\.7\.1 Content filter unavailable/,
    'socket: before the socket exists, 451');
my $lis = IO::Socket::UNIX->new(Local => $sock, Listen => 5) or die "$sock: $!";
chmod 0777, $sock;
my $spid = fork() // die;
if ($spid == 0) {
	POSIX::setpgid(0, 0); # its connections go with it (one hangs)
	eval $judge;
	$SIG{CHLD} = 'IGNORE';
	while (my $c = $lis->accept) {
		next if fork();
		$c->autoflush(1);
		print $c "#hungry\n";
		while (my $l = <$c>) {
			chomp $l;
			print $c judge($l), "\n#hungry\n";
		}
		POSIX::_exit(0);
	}
	POSIX::_exit(0);
}
POSIX::setpgid($spid, $spid);
close $lis;
like(send_msg($s, 'reject'), qr/^550 5\.7\.1 Content-Policy reject msg: spam detected/,
    'socket: reject');
like(send_msg($s, 'plain'), qr/^250 2\.0\.0 Message accepted/, 'socket: accept');
like(send_msg($s, 'hang'), qr/^451 4\.7\.1 /, 'socket: a hang gets 451');
is(scalar(files($d2->{po}, 'router')), 1, 'socket: only the accepted message spooled');
kill 'KILL', -$spid;
waitpid($spid, 0);
$spid = undef;
like(send_msg($s, 'plain'), qr/^451 4\.7\.1 Content filter unavailable/,
    'socket: nobody listening gets 451');
SmtpTest::cmd($s, 'QUIT');
close $s;
$d2->stop;

# a path that cannot be run: 451, never unfiltered; fail-open accepts
open(my $ne, '>', "$dir/not-exec") or die;
print $ne "#!/bin/sh\necho '#hungry'\n";
close $ne;
chmod 0644, "$dir/not-exec";
my $d3 = SmtpTest->new(conf => [ 'PARAM BindAddress [127.0.0.1]',
    "PARAM contentfilter $dir/not-exec", '* ve' ]);
$d3->start;
$s = session($d3);
like(send_msg($s, 'plain'), qr/^451 4\.7\.1 Content filter unavailable/,
    'a filter that is not executable: 451');
is(scalar(files($d3->{po}, 'router')), 0, 'nothing spooled');
like($d3->log_text, qr/neither executable nor a socket; messages will get 451/,
    'and a warning about the path');
SmtpTest::cmd($s, 'QUIT');
close $s;
$d3->stop;

my $d4 = SmtpTest->new(conf => [ 'PARAM BindAddress [127.0.0.1]',
    "PARAM contentfilter $dir/filter", 'PARAM contentfilter-fail-open',
    '* ve' ]);
$d4->start;
$s = session($d4);
like(send_msg($s, 'crash'), qr/^250 2\.0\.0 Message accepted/,
    'contentfilter-fail-open: a crash accepts, as ZMailer');
like(send_msg($s, 'reject'), qr/^550 5\.7\.1 /, 'fail-open still rejects on a verdict');
SmtpTest::cmd($s, 'QUIT');
close $s;
$d4->stop;

done_testing;

END { kill 'KILL', -$spid if $spid }
