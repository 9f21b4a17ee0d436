#!/usr/bin/perl
# filter-policyd.t - Postfix policy delegation (PARAM policy-service)
# through the real program in -i -T sessions: against the real postgrey
# (greylisting: 450 first, 250 once the delay has passed, its X-Greylist
# PREPEND in the spool file), the real policyd-spf (postfix-policyd-spf-
# python, asking the DNS test server: SPF fail => 550), and a small policy
# server of this test for each action, the request's attributes,
# connection reuse, a service that hangs, talks garbage or is down.
# Everything runs on unix sockets or 127.0.0.1.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::UNIX;
use POSIX ();
use SmtpPipe;
use SmtpTest ();

unless (eval { require Net::DNS::Nameserver; 1 }) {
	plan skip_all => 'Net::DNS::Nameserver missing (libnet-dns-perl)';
}
require TestDNS;

my $tmp = tempdir('smtpd-policyd-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod(0755, $tmp);
my (@kids, @bad_rc);
END { local $?; kill('TERM', $_) for @kids; waitpid($_, 0) for @kids; }

my $dns = TestDNS::start(
    TXT => { 'spf-fail.test' => 'v=spf1 -all',
	'spf-pass.test' => 'v=spf1 ip4:192.0.2.10 -all' },
    A => { 'spf-fail.test' => '192.0.2.250', 'spf-pass.test' => '192.0.2.250',
	'sender.test' => '192.0.2.250' });
my $po = postoffice();
my $pol = policy_db($po, dns_port => $dns);

sub conf_with {
	return write_conf($po, $pol . join('', map { "PARAM $_\n" } @_)
	    . "* 999 ve\n");
}

# One session; its replies (greeting first) as a list.
sub session {
	my ($conf, %o) = @_;
	my @cmds = ('EHLO client.test', 'MAIL FROM:<' . ($o{from} //
	    'a@sender.test') . '>', map { "RCPT TO:<$_>" } @{ $o{to} });
	push @cmds, 'DATA', 'Subject: policy', '', 'body', '.' if $o{data};
	my $in = join('', map { "$_\r\n" } @cmds, 'QUIT');
	my ($out, $rc) = run_i(conf => $conf, po => $po, input => $in,
	    args => ['-T', '[' . ($o{ip} // '192.0.2.10') . ']']);
	push @bad_rc, "@{ $o{to} }: $rc" if $rc != 0;
	diag($out) if $ENV{DEBUG_POLICYD};
	return $out =~ /^(\d{3} [^\r\n]*)\r?\n/mg;
}

sub spooled {
	my @f = spool_files($po);
	unlink(glob("$po/router/*"), glob("$po/freezer/*"));
	return $f[0] // '';
}

sub wait_socket {
	my ($path, $pid) = @_;
	return SmtpTest::wait_until(sub {
		die "the service exited\n" if waitpid($pid, POSIX::WNOHANG()) == $pid;
		my $s = IO::Socket::UNIX->new(Peer => $path) or return 0;
		close($s);
		return 1;
	}, 20);
}

# --- 1. a policy server of this test: the action by recipient local part
my $mock = "$tmp/mock.sock";
my $reqlog = "$tmp/requests";
my %act = (
	ok => 'OK', dunno => 'DUNNO', reject => 'REJECT go away',
	defer => 'DEFER busy', dip => 'DEFER_IF_PERMIT later please',
	dir => 'DEFER_IF_REJECT maybe', code => '521 5.7.9 custom text',
	badenh => '554 4.1.1 class fixed', prepend => 'PREPEND X-Policy: seen',
	hold => 'HOLD look at it', discard => 'DISCARD', warn => 'WARN noted',
	filter => 'FILTER smtp:x', garbage => 'BOGUS');
# mock_server(path, local part => action...): another table's actions
sub mock_server {
	my ($path, %over) = @_;
	my $l = IO::Socket::UNIX->new(Local => $path, Listen => 5)
	    or die "$path: $!";
	chmod(0666, $path);
	my $pid = fork() // die;
	return $pid if $pid;
	$SIG{CHLD} = 'IGNORE';
	my $n = 0;
	while (my $c = $l->accept) {
		$n++;
		next if fork();
		open(my $log, '>>', $reqlog) or die;
		$log->autoflush(1);
		my %r;
		while (my $line = <$c>) {
			if ($line ne "\n") {
				chomp($line);
				my ($k, $v) = split(/=/, $line, 2);
				$r{$k} = $v;
				next;
			}
			print $log "conn=$n " . join(' ',
			    map { "$_=$r{$_}" } sort keys %r) . "\n";
			my ($lp) = ($r{recipient} // '') =~ /^([^@+]+)/;
			$lp = $r{protocol_state} eq 'RCPT' ? ($lp // '') : 'dunno';
			if ($lp eq 'hang') { sleep(30); POSIX::_exit(0) }
			if ($lp eq 'drop') { POSIX::_exit(0) }
			if ($lp eq 'flood') { print $c 'x' x 100000; next }
			my $a = $over{$lp} // $act{$lp} // 'DUNNO';
			print $c "action=$a\n\n";
			%r = ();
		}
		POSIX::_exit(0);
	}
	POSIX::_exit(0);
}
push @kids, mock_server($mock);

my $c = conf_with("policy-service mock unix:$mock",
    'policy-service-timeout 3');
my @r = session($c, to => [map { "$_\@localhost" } qw(ok dunno reject
    defer code badenh dip)]);
like($r[3], qr/^250 /, 'OK: accepted');
like($r[4], qr/^250 /, 'DUNNO: accepted');
is($r[5], '550 5.7.1 <reject@localhost>: Recipient address rejected: go away',
    'REJECT text: 550 5.7.1');
like($r[6], qr/^450 4\.7\.1 <defer\@localhost>: Recipient address rejected: busy/,
    'DEFER: 450 4.7.1');
like($r[7], qr/^521 5\.7\.9 .*: custom text$/, '5xx with its own status');
like($r[8], qr/^554 5\.1\.1 .*class fixed$/, 'a status of the wrong class is mended');
like($r[9], qr/^450 4\.7\.1 .*later please$/, 'DEFER_IF_PERMIT alone: 450');

open(my $lf, '<', $reqlog) or die;
my @req = <$lf>;
close($lf);
my %conns = map { /^conn=(\d+)/ ? ($1 => 1) : () } @req;
is(scalar(keys %conns), 1, 'one connection for the whole session');
like($req[0], qr/ client_address=192\.0\.2\.10 /, 'client_address');
like($req[0], qr/ helo_name=client\.test /, 'helo_name');
like($req[0], qr/ protocol_name=ESMTP /, 'protocol_name');
like($req[0], qr/ protocol_state=RCPT /, 'protocol_state');
like($req[0], qr/ recipient=ok\@localhost /, 'recipient');
like($req[0], qr/ request=smtpd_access_policy /, 'request');
like($req[0], qr/ sender=a\@sender\.test /, 'sender');
like($req[0], qr/ instance=\S+ /, 'instance');
like($req[0], qr/ recipient_count=0 /, 'recipient_count');
like($req[0], qr/ sasl_method= sasl_sender= sasl_username= /,
    'sasl_* empty for a client that did not authenticate');
unlink($reqlog);

# sasl_*: a client that authenticated (AUTH LOGIN, SMTP-auth-pipe) and
# gave MAIL FROM AUTH=
my $authpipe = "$tmp/authpipe";
open(my $apf, '>', $authpipe) or die;
print $apf "#!/bin/sh\nread -r pw\n[ \"\$1\" = alice ] && [ \"\$pw\" = s3cret ] && exit 0\nexit 1\n";
close($apf);
chmod(0755, $authpipe);
my $ac = conf_with("policy-service mock unix:$mock", 'smtp-auth',
    'AUTH-LOGIN-also-without-TLS', "SMTP-auth-pipe $authpipe");
my ($aout) = run_i(conf => $ac, po => $po, args => ['-T', '[192.0.2.10]'],
    input => join('', map { "$_\r\n" } 'EHLO client.test', 'AUTH LOGIN',
	'YWxpY2U=', 'czNjcmV0', 'MAIL FROM:<a@sender.test> AUTH=<a@sender.test>',
	'RCPT TO:<ok@localhost>', 'QUIT'));
like($aout, qr/^235 /m, 'AUTH LOGIN accepted') or diag($aout);
open($lf, '<', $reqlog) or die;
my ($areq) = grep { / recipient=ok\@localhost / } <$lf>;
close($lf);
like($areq // '', qr/ sasl_method=LOGIN sasl_sender=<a\@sender\.test> sasl_username=alice /,
    'sasl_method, sasl_sender and sasl_username of the authenticated client');
unlink($reqlog);

# PREPEND, HOLD, DISCARD, WARN and the unsupported ones
@r = session($c, to => ['prepend@localhost', 'warn@localhost',
    'filter@localhost'], data => 1);
like($r[-2], qr/^250 2\.0\.0 Message accepted/, 'PREPEND: accepted');
like(spooled(), qr/\nenv-end\n(?:.*\n)*X-Policy: seen\n(?:.*\n)*Subject: policy\n/,
    'PREPEND: the header on top of the message');
@r = session($c, to => ['hold@localhost'], data => 1);
like($r[-2], qr/^250 2\.0\.0 Message accepted/, 'HOLD: accepted');
ok(glob("$po/freezer/*") && !glob("$po/router/*"), 'HOLD: in the freezer');
spooled();
@r = session($c, to => ['discard@localhost'], data => 1);
like($r[-2], qr/^250 2\.0\.0 .*discarded/, 'DISCARD: 250');
is(spooled(), '', 'DISCARD: nothing spooled');
@r = session($c, to => ['dip@localhost', 'dir@localhost', 'reject@localhost']);
like($r[3], qr/^450 /, 'DEFER_IF_PERMIT then nothing: 450');

# DEFER_IF_REJECT makes a later 5xx a 450; DEFER_IF_PERMIT waits for
# the others (a second server answering REJECT, DUNNO for them)
my $mock2 = "$tmp/mock2.sock";
push @kids, mock_server($mock2, dir => 'REJECT later no', dip => 'DUNNO',
    ok => 'REJECT not ok here');
my $pair = conf_with("policy-service one unix:$mock",
    "policy-service two unix:$mock2");
@r = session($pair, to => ['dir@localhost', 'dip@localhost', 'ok@localhost']);
like($r[3], qr/^450 4\.7\.1 .*: maybe$/,
    'DEFER_IF_REJECT, then REJECT: 450 with the first text');
like($r[4], qr/^450 4\.7\.1 .*: later please$/,
    'DEFER_IF_PERMIT, then DUNNO: 450');
like($r[5], qr/^250 /, 'OK from the first: the second is not asked');

# the service fails: hangs, drops, floods, garbage, is not there
for my $lp (qw(hang drop flood garbage)) {
	@r = session($c, to => ["$lp\@localhost"]);
	is($r[3], '451 4.3.0 <' . $lp . '@localhost>: Recipient address '
	    . 'rejected: Server configuration problem', "$lp: 451 4.3.0");
}
my $gone = conf_with("policy-service gone unix:$tmp/nothing.sock");
@r = session($gone, to => ['ok@localhost']);
like($r[3], qr/^451 4\.3\.0 /, 'no service: 451 4.3.0');
my $open = conf_with("policy-service gone unix:$tmp/nothing.sock",
    'policy-service-failure dunno');
@r = session($open, to => ['ok@localhost']);
like($r[3], qr/^250 /, 'policy-service-failure dunno: accepted');

# several services in order; DATA and END-OF-MESSAGE
my $two = conf_with("policy-service gone unix:$tmp/nothing.sock",
    "policy-service mock unix:$mock", 'policy-service-failure dunno',
    'policy-service-data');
@r = session($two, to => ['reject@localhost']);
like($r[3], qr/^550 .*go away/, 'the second service is asked');
@r = session($two, to => ['ok@localhost'], data => 1);
like($r[-2], qr/^250 2\.0\.0 Message accepted/, 'asked at DATA and end of data');
spooled();
open($lf, '<', $reqlog) or die;
my $all = join('', <$lf>);
close($lf);
like($all, qr/protocol_state=DATA .*recipient_count=1/, 'DATA asked');
like($all, qr/protocol_state=END-OF-MESSAGE .*size=\d+/, 'END-OF-MESSAGE asked');

# the daemon: workers (not root) reach the service; one session waiting
# for a service that hangs does not hold up another session
{
	my $d = SmtpTest->new(conf => []);
	$d->{policy} = [ split(/\n/, SmtpPipe::policy_db($d->{po},
	    dns_port => $dns)) ];
	$d->write_conf('PARAM BindAddress [127.0.0.1]',
	    'PARAM min-idle-workers 2', "PARAM policy-service mock unix:$mock",
	    'PARAM policy-service-timeout 5');
	$d->start(idle => 2);
	my ($a, $b) = map { $d->connect or die "connect: $!" } 1 .. 2;
	for my $s ($a, $b) {
		SmtpTest::reply($s);
		SmtpTest::cmd($s, 'EHLO client.test');
		SmtpTest::cmd($s, 'MAIL FROM:<a@sender.test>');
	}
	unlink($reqlog);
	print $a "RCPT TO:<hang\@localhost>\r\n";
	like(SmtpTest::cmd($b, 'RCPT TO:<ok@localhost>'), qr/^250 /,
	    'daemon: a second session is served while the first waits');
	# the addresses the worker took from accept4 and from the listener
	open(my $dl, '<', $reqlog) or die "$reqlog: $!";
	my ($okreq) = grep { / recipient=ok\@localhost / } <$dl>;
	close($dl);
	my ($bport, $dport) = ($b->sockport, $d->{port});
	like($okreq // '', qr/ client_address=127\.0\.0\.1 .* client_port=$bport /,
	    'daemon: the client address and port');
	like($okreq // '', qr/ server_address=127\.0\.0\.1 server_port=$dport /,
	    'daemon: the server address and port of the listener');
	ok(!IO::Select->new($a)->can_read(0),
	    'daemon: ... before the first has its answer');
	like(SmtpTest::reply($a, 20), qr/^451 4\.3\.0 /,
	    'daemon: the waiting one gets 451 4.3.0 after the timeout');
	like(SmtpTest::cmd($a, 'RCPT TO:<reject@localhost>'), qr/^550 .*go away/,
	    'daemon: and the service is asked again on a new connection');
	close($_) for $a, $b;
	$d->stop;
}

# --- 2. postgrey
SKIP: {
	my $pg = -x '/usr/sbin/postgrey' ? '/usr/sbin/postgrey' : undef;
	skip('postgrey is not installed', 4) unless $pg;
	my $gdir = "$tmp/postgrey";
	mkdir($gdir);
	for my $f (qw(wl_clients wl_recipients)) {
		open(my $fh, '>', "$gdir/$f") or die;
		close($fh);
	}
	my $user = getpwuid($>);
	if ($> == 0) {
		$user = 'postgrey';
		my ($uid, $gid) = (getpwnam('postgrey'))[2, 3];
		defined($uid) or skip('no postgrey user', 4);
		chown($uid, $gid, $gdir);
	}
	my $group = getgrgid((getpwnam($user))[3]);
	my $sock = "$gdir/postgrey.sock";
	my $pid = fork() // die;
	if ($pid == 0) {
		open(STDOUT, '>', "$tmp/postgrey.log");
		open(STDERR, '>&', \*STDOUT);
		exec($pg, "--unix=$sock", "--dbdir=$gdir", '--delay=2',
		    "--user=$user", "--group=$group",
		    "--whitelist-clients=$gdir/wl_clients",
		    "--whitelist-recipients=$gdir/wl_recipients",
		    '--auto-whitelist-clients=0', '--hostname=mx.test')
		    or POSIX::_exit(127);
	}
	push @kids, $pid;
	wait_socket($sock, $pid) or die "postgrey did not start";
	my $g = conf_with("policy-service postgrey unix:$sock");
	@r = session($g, to => ['grey@localhost']);
	like($r[3], qr/^450 4\.\d\.\d <grey\@localhost>: Recipient address rejected: Greylisted/,
	    'postgrey: the first attempt is greylisted (450)');
	# retried as a client would, until the delay has passed (bounded)
	my $tries = 0;
	do {
		sleep(1);
		@r = session($g, to => ['grey@localhost'], data => 1);
	} while ($r[3] =~ /^450 / && ++$tries < 30);
	like($r[3], qr/^250 /, 'postgrey: a retry after the delay is accepted');
	like($r[-2], qr/^250 2\.0\.0 Message accepted/, 'postgrey: message accepted');
	like(spooled(), qr/^X-Greylist: delayed \d+ seconds by postgrey/m,
	    'postgrey: its PREPEND (X-Greylist:) in the spool file');
}

# --- 3. policyd-spf (postfix-policyd-spf-python) with the DNS test server
SKIP: {
	my $spf = '/usr/bin/policyd-spf';
	skip('policyd-spf is not installed', 3) unless -x $spf;
	my ($socat) = grep { -x } map { "$_/socat" } split(/:/, $ENV{PATH});
	skip('socat is not installed', 3) unless $socat;
	# pydns (or dnspython) asks the DNS test server, not resolv.conf
	my $site = "$tmp/site";
	mkdir($site);
	open(my $sc, '>', "$site/sitecustomize.py") or die;
	print $sc <<"PY";
try:
    import DNS
    DNS.defaults['server'] = ['127.0.0.1']
    DNS.defaults['port'] = $dns
    DNS.DiscoverNameServers = lambda *a, **k: None
except ImportError:
    pass
try:
    import dns.resolver
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ['127.0.0.1']
    r.port = $dns
    dns.resolver.default_resolver = r
except ImportError:
    pass
PY
	close($sc);
	open(my $cf, '>', "$tmp/policyd-spf.conf") or die;
	print $cf "debugLevel = 1\nTestOnly = 1\nHELO_reject = Fail\n",
	    "Mail_From_reject = Fail\nPermError_reject = False\n",
	    "TempError_Defer = False\nskip_addresses = 127.0.0.0/8,::1\n";
	close($cf);
	my $sock = "$tmp/policyd-spf.sock";
	my $pid = fork() // die;
	if ($pid == 0) {
		$ENV{PYTHONPATH} = $site;
		open(STDOUT, '>', "$tmp/policyd-spf.log");
		open(STDERR, '>&', \*STDOUT);
		exec($socat, "UNIX-LISTEN:$sock,fork,mode=666",
		    "EXEC:$spf $tmp/policyd-spf.conf") or POSIX::_exit(127);
	}
	push @kids, $pid;
	wait_socket($sock, $pid) or die "socat did not start";
	my $s = conf_with("policy-service spf unix:$sock");
	@r = session($s, from => 'a@spf-fail.test', to => ['u@localhost']);
	like($r[3], qr/^550 5\.7\.23 <u\@localhost>: Recipient address rejected: Message rejected due to: SPF fail/,
	    'policyd-spf: SPF fail => 550 5.7.23');
	@r = session($s, from => 'a@spf-pass.test', to => ['u@localhost'],
	    data => 1);
	like($r[-2], qr/^250 2\.0\.0 Message accepted/, 'policyd-spf: pass accepted');
	like(spooled(), qr/^Received-SPF: Pass \(/m,
	    "policyd-spf: its Received-SPF: PREPEND in the spool file");
}

is(join(", ", @bad_rc), "", "every session ended with status 0");
done_testing();
