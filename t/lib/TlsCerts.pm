# TlsCerts.pm - test certificates made with the openssl command line in a
# temporary directory (EC P-256: fast to generate), and a helper that
# runs openssl s_client against a port.
package TlsCerts;
use strict;
use warnings;
use Exporter 'import';
use File::Temp qw(tempdir);

our @EXPORT = qw(make_cert cert_fingerprint s_client);

# (cert, key) paths for a self-signed certificate with CN cn in dir.
sub make_cert {
	my ($dir, $name, $cn) = @_;
	my ($c, $k) = ("$dir/$name.crt", "$dir/$name.key");
	system("openssl req -x509 -newkey ec -pkeyopt "
	    . "ec_paramgen_curve:prime256v1 -nodes -keyout $k -out $c "
	    . "-subj /CN=$cn -days 2 -batch 2>/dev/null") == 0
	    or die "openssl req failed";
	return ($c, $k);
}

sub cert_fingerprint {
	my ($c) = @_;
	my $out = `openssl x509 -in $c -noout -fingerprint -sha256`;
	$out =~ /=([0-9A-F:]+)/ or die "fingerprint of $c";
	return $1;
}

# Run openssl s_client with args, feeding input; returns its stdout+stderr.
sub s_client {
	my ($port, $input, @args) = @_;
	my $dir = tempdir('smtpd-sc-XXXXXX', TMPDIR => 1, CLEANUP => 1);
	open my $fh, '>', "$dir/in" or die;
	print $fh $input;
	close $fh;
	my @cmd = ('timeout', '20', 'openssl', 's_client', '-connect',
	    "127.0.0.1:$port", '-servername', 'localhost', '-ign_eof',
	    @args);
	my $pid = open(my $out, '-|') // die "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', "$dir/in" or die;
		open STDERR, '>&', \*STDOUT or die;
		exec @cmd or die "exec: $!";
	}
	local $/;
	my $got = <$out> // '';
	close $out;
	return $got;
}

1;
