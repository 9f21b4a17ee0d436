#!/usr/bin/perl
# The command table's row flags through the real program (-i): HELO's lax
# characters, DATA out of sequence ending the transaction, and the
# junk-command limit (PARAM max-junk-commands) with its reset after a
# message.  QUIT after a refused connect: t/policy-session.t; pipelining
# before EHLO: t/session-inetd.t; QUIT's event: t/daemon-quit.t.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use SmtpPipe;

my $po = postoffice();
sub lines { join('', map { "$_\r\n" } @_) }
sub conf { write_conf(postoffice(), join('', map { "$_\n" } @_, '* 999 ve')) }
sub run {
	my ($conf, @cmds) = @_;
	return scalar run_i(conf => $conf, po => $po, input => lines(@cmds));
}
sub codes { join(' ', map { /^(\d{3}) / ? $1 : () } split(/\r\n/, $_[0])) }

my $plain = conf();

# 1. HELO/EHLO arguments may hold control bytes (V_LAXCHARS); not -s strict
my $out = run($plain, "HELO a\x01b.example", "EHLO c\x02d.example", 'QUIT');
unlike($out, qr/Control chars/, 'HELO and EHLO are lax about control bytes');
like($out, qr/^250 \S+ Hello a b\.example\r\n/m, 'HELO with a control byte');
$out = scalar run_i(conf => $plain, po => $po, args => ['-s', 'strict'],
    input => lines("HELO a\x01b.example", 'QUIT'));
like($out, qr/^500 5\.5\.2 Illegal input characters: Control chars/m,
    '-s strict: HELO is not lax');
$out = run($plain, "NOOP a\x01b", "HELO a\0b", 'QUIT');
is(codes($out), '220 500 500 221', 'NOOP is not lax, NUL never passes');

# 2. DATA out of sequence ends the transaction (V_ABORTS_TXN)
$out = run($plain, 'EHLO a.example', 'MAIL FROM:<a@b.example>', 'DATA',
    'RCPT TO:<c@d.example>', 'QUIT');
like($out, qr/^554 5\.5\.1 No valid recipients.*\r\n503 5\.5\.1 .*MAIL command/m,
    'refused DATA drops MAIL: RCPT then needs MAIL');

# 3. the junk limit: N junk commands run, the next gets 421 and the end
my $junk = conf('PARAM max-junk-commands 5');
$out = run($junk, 'EHLO a.example', ('NOOP') x 4, 'NOOP', 'NOOP', 'QUIT');
is(codes($out), '220 250 250 250 250 250 421',
    'EHLO + 4 NOOP are 5 junk commands; the 6th gets 421, QUIT is not read');
like($out, qr/^421 4\.7\.0 \S+ Too many commands without mail, closing connection\r\n\z/m,
    'the 421 text, and nothing after it');
$out = run($junk, 'RSET', 'HELP', 'VRFY x', 'EXPN x', 'VERB', 'RSET');
like($out, qr/\r\n421 4\.7\.0 /, 'RSET, HELP, VRFY, EXPN, VERB are junk');

# 4. an accepted message forgives the junk commands before it
$out = run($junk, 'EHLO a.example', ('NOOP') x 4, 'MAIL FROM:<a@b.example>',
    'RCPT TO:<c@d.example>', 'DATA', 'x', '.', ('NOOP') x 5, 'QUIT');
unlike($out, qr/^421 /m, 'junk count restarts after a message');
like($out, qr/\r\n221 /, 'QUIT answered');

# 5. the default is 100; 0 means no limit
$out = run($plain, ('NOOP') x 100, 'QUIT');
like($out, qr/\r\n221 /, '100 NOOPs pass by default');
$out = run($plain, ('NOOP') x 101, 'QUIT');
like($out, qr/\r\n421 4\.7\.0 \S+ Too many commands without mail/,
    'the 101st gets 421');
$out = run(conf('PARAM max-junk-commands 0'), ('NOOP') x 300, 'QUIT');
unlike($out, qr/^421 /m, 'max-junk-commands 0: no limit');
done_testing();
