# PamTest.pm - PAM for tests without real users: pam_wrapper with a
# pam_matrix service "smtpauth-login" whose one user is bob / pam-pw.
package PamTest;
use strict;
use warnings;

# Write the service and password files under dir; returns the environment
# the server must run with (a hash ref), or undef when libpam-wrapper is
# not installed.  Callers do: local @ENV{keys %$e} = values %$e;
sub setup {
	my ($dir) = @_;
	my @libs = qw(/usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib);
	my ($wrap) = grep { -e } map { "$_/libpam_wrapper.so" } @libs;
	my ($matrix) = grep { -e } map { "$_/pam_wrapper/pam_matrix.so" } @libs;
	return undef unless $wrap && $matrix;
	mkdir "$dir/pam.d";
	open my $fh, '>', "$dir/passdb" or die "$dir/passdb: $!";
	print $fh "bob:pam-pw:smtpauth-login\n";
	close $fh;
	open $fh, '>', "$dir/pam.d/smtpauth-login" or die "pam.d: $!";
	print $fh "auth required $matrix passdb=$dir/passdb\n"
	    . "account required $matrix passdb=$dir/passdb\n";
	close $fh;
	return {
		LD_PRELOAD => $wrap,
		PAM_WRAPPER => 1,
		PAM_WRAPPER_SERVICE_DIR => "$dir/pam.d",
		# ASan refuses dlopen(RTLD_DEEPBIND); pam_wrapper 1.1.4 reads
		# the switch under uid_wrapper's name, later ones under its own
		UID_WRAPPER_DISABLE_DEEPBIND => 1,
		PAM_WRAPPER_DISABLE_DEEPBIND => 1,
		ASAN_OPTIONS => join(':', grep { defined && length }
		    $ENV{ASAN_OPTIONS}, 'verify_asan_link_order=0'),
	};
}

1;
