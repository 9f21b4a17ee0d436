/* buf_test.c - the capped growable buffer and its sticky failure. */
#include "buf.h"
#include "tap.h"

/* After a refused append every append is refused, even one that fits. */
static void
sticky(void)
{
	struct buf b;

	buf_init(&b, 8);
	ok(!buf_failed(&b), "a new buffer has not failed");
	buf_puts(&b, "abcdef");
	ok(buf_puts(&b, "ghi") < 0, "append past max is refused");
	ok(buf_failed(&b), "and the buffer says it failed");
	ok(buf_putc(&b, 'x') < 0, "then putc is a no-op, though it would fit");
	ok(buf_append(&b, "y", 1) < 0, "append too");
	ok(buf_printf(&b, "%d", 7) < 0, "printf too");
	ok(buf_reserve(&b, 0) < 0, "reserve too");
	is_str(
	    b.data, "abcdef", "contents intact: what came before the failure");
	is_int(b.len, 6, "length intact");
	ok(buf_failed(&b), "still failed");
	buf_consume(&b, 2);
	ok(buf_failed(&b) && buf_putc(&b, 'x') < 0,
	    "consume keeps the failure");
	buf_reset(&b);
	ok(!buf_failed(&b), "reset clears it");
	ok(buf_puts(&b, "12345678") == 0, "and appends work again up to max");
	buf_fail(&b);
	ok(buf_failed(&b) && buf_putc(&b, 'x') < 0,
	    "buf_fail makes it failed, for a writer's own error");
	buf_free(&b);
	ok(!buf_failed(&b), "free clears it too");
	ok(buf_puts(&b, "again") == 0 && buf_failed(&b) == 0,
	    "a freed buffer is usable again");
	buf_free(&b);
}

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
	buf_reset(&b);
	ok(buf_puts(&b, "helloworld") == 0, "reset: room again");
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
	ok(!buf_failed(&b), "no append failed");
	buf_free(&b);
	sticky();
	return tap_done();
}
