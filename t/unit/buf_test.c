/* buf_test.c - the capped growable buffer. */
#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct buf b;
	int i;

	buf_init(&b, 10);
	ok(buf_puts(&b, "hello") == 0, "append within cap");
	ok(buf_puts(&b, "world") == 0, "append up to cap");
	ok(buf_putc(&b, 'x') < 0, "append past cap fails");
	is_str(b.data, "helloworld", "buffer intact after refused append");
	buf_consume(&b, 5);
	is_str(b.data, "world", "consume drops the head");
	ok(buf_printf(&b, "%d", 12345) == 0, "printf fits");
	ok(buf_printf(&b, "%d", 1) < 0, "printf past cap fails");
	is_int(b.len, 10, "length unchanged");
	buf_free(&b);
	buf_init(&b, 100000);
	for (i = 0; i < 1000; i++)
		buf_puts(&b, "0123456789");
	is_int(b.len, 10000, "grows geometrically to 10000");
	ok(b.data[b.len] == '\0', "spare NUL");
	buf_free(&b);
	return tap_done();
}
