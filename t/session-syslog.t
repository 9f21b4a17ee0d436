#!/usr/bin/perl
# -l SYSLOG and the syslog events, caught on /dev/log by the test (root,
# and only where no syslog daemon owns /dev/log): the session transcript
# at LOG_DEBUG, one line per accepted message with its spool id, and the
# disconnect summary, all with facility mail, with their key=value fields.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);
use SmtpPipe;
use POSIX ();

plan skip_all => 'needs root and a free /dev/log' if $> != 0 || -e '/dev/log';
my $log = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => '/dev/log')
    or plan skip_all => "cannot bind /dev/log: $!";
END { unlink '/dev/log' if $log }
$SIG{INT} = $SIG{TERM} = sub { unlink '/dev/log'; exit 1 };

# a reader drains /dev/log into a file while the session runs (a full
# datagram queue would block the server's syslog())
my $po = postoffice();
my $file = "$po/syslog.txt";
my $reader = fork // die;
if ($reader == 0) {
	open my $fh, '>', $file or POSIX::_exit(1);
	$fh->autoflush(1);
	my $end = time + 60;
	while (time < $end) {
		my $b;
		last unless defined $log->recv($b, 65536);
		last if $b =~ /END-OF-TEST/;
		print $fh "$b\n";
	}
	POSIX::_exit(0);
}
my $conf = write_conf($po, "* 999 ve\n");
my $out = run_i(conf => $conf, po => $po, args => ['-l', 'SYSLOG'],
    input => "EHLO a.example\r\nMAIL FROM:<a\@b.example>\r\n"
    . "RCPT TO:<c\@d.example>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n");
my ($id) = $out =~ /Message accepted; (S[\w=-]+)/;
ok($id, 'message accepted');
my $tell = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Peer => '/dev/log') or die;
$tell->send('END-OF-TEST');
waitpid($reader, 0);
unlink '/dev/log';	# other tests running now must not queue up on it
close $log;
my $all = do { local (@ARGV, $/) = $file; <> } // '';
# <PRI>: facility mail (2) * 8 + priority; debug 7, info 6
like($all, qr/<23>.*smtpserver\[\d+\]: \S+ r EHLO a\.example/,
    'transcript line at mail.debug');
like($all, qr/<23>.*smtpserver\[\d+\]: \S+ w 250 2\.0\.0 Message accepted/,
    'reply line at mail.debug');
like($all, qr/<22>.*smtpserver\[\d+\]: \S+: \Q$id\E: accepted from .* size=\d+ from=<a\@b\.example> nrcpt=1/,
    'one mail.info line per accepted message');
like($all, qr/<22>.*disconnect from .* commands=\d+/, 'disconnect summary');
# the same events' key=value fields (smtpserver(8) LOGGING)
like($all, qr/<22>.*: connect from \S+ event=connect client=127\.0\.0\.1 port=\d+ name=\S+$/m,
    'a connect line with its fields');
like($all, qr/<22>.*: accepted from .* event=accepted id=\Q$id\E client=127\.0\.0\.1 port=\d+ size=\d+ rcpts=1 tls=none from=a\@b\.example$/m,
    'the accepted line carries id, size, rcpts and tls fields');
like($all, qr/<22>.*disconnect from .* event=disconnect client=127\.0\.0\.1 port=\d+ tls=none$/m,
    'the disconnect line carries its fields');
done_testing();
