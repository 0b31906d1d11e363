/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/kdb_parse.c, the kernel debugger's input: the
 * type-ahead keeps keys in order and refuses the one past its size, the
 * line editor keeps printable keys, erases, ends at CR, LF or CR LF and
 * refuses an overlong line, and command words, hexadecimal and decimal
 * numbers and thread IDs are parsed strictly (garbage is refused, never
 * half taken).
 */
#include <check.h>
#include <string.h>
#include <kernel/kdb_parse.h>

START_TEST(typeahead_keeps_order_and_refuses_overflow)
{
	kdb_ring_t r;

	memset(&r, 0, sizeof r);
	ck_assert_int_eq(kdb_ring_get(&r), -1);
	/* Around the wrap more than once. */
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < KDB_RING_SIZE; i++)
			ck_assert(kdb_ring_put(&r, (uint8_t)(i + round)));
		ck_assert(!kdb_ring_put(&r, 0xAA));
		ck_assert_uint_eq(r.count, KDB_RING_SIZE);
		for (unsigned i = 0; i < KDB_RING_SIZE / 2; i++)
			ck_assert_int_eq(kdb_ring_get(&r), (uint8_t)(i + round));
		ck_assert(kdb_ring_put(&r, 0x55));
		for (unsigned i = KDB_RING_SIZE / 2; i < KDB_RING_SIZE; i++)
			ck_assert_int_eq(kdb_ring_get(&r), (uint8_t)(i + round));
		ck_assert_int_eq(kdb_ring_get(&r), 0x55);
		ck_assert_int_eq(kdb_ring_get(&r), -1);
	}
	/* Every byte value comes back as it went in, 0 and 0xFF too. */
	ck_assert(kdb_ring_put(&r, 0));
	ck_assert(kdb_ring_put(&r, 0xFF));
	ck_assert_int_eq(kdb_ring_get(&r), 0);
	ck_assert_int_eq(kdb_ring_get(&r), 0xFF);
}
END_TEST

static enum kdb_key_action feed(kdb_line_t *l, const char *keys)
{
	enum kdb_key_action a = KDB_KEY_NONE;

	for (; *keys; keys++)
		a = kdb_line_key(l, (unsigned char)*keys);
	return a;
}

START_TEST(line_editor_keeps_erases_and_ends)
{
	kdb_line_t l;

	memset(&l, 0, sizeof l);
	kdb_line_reset(&l);
	ck_assert_int_eq(kdb_line_key(&l, 'r'), KDB_KEY_ECHO);
	ck_assert_int_eq(kdb_line_key(&l, 'x'), KDB_KEY_ECHO);
	ck_assert_int_eq(kdb_line_key(&l, 0x7F), KDB_KEY_ERASE);
	ck_assert_int_eq(kdb_line_key(&l, ' '), KDB_KEY_ECHO);
	ck_assert_int_eq(kdb_line_key(&l, 0x01), KDB_KEY_NONE);     /* control key */
	ck_assert_int_eq(kdb_line_key(&l, 0x1B), KDB_KEY_NONE);     /* ESC */
	ck_assert_int_eq(kdb_line_key(&l, 0xC3), KDB_KEY_NONE);     /* not ASCII */
	ck_assert_int_eq(kdb_line_key(&l, '1'), KDB_KEY_ECHO);
	ck_assert_int_eq(kdb_line_key(&l, '\r'), KDB_KEY_DONE);
	ck_assert_str_eq(l.buf, "r 1");
	ck_assert(!l.overflow);
	/* The LF of a CR LF ends nothing more; a lone LF ends a line. */
	kdb_line_reset(&l);
	ck_assert_int_eq(kdb_line_key(&l, '\n'), KDB_KEY_NONE);
	ck_assert_int_eq(kdb_line_key(&l, '\n'), KDB_KEY_DONE);
	ck_assert_str_eq(l.buf, "");
	/* Erasing an empty line shows nothing. */
	kdb_line_reset(&l);
	ck_assert_int_eq(kdb_line_key(&l, 0x08), KDB_KEY_NONE);
	ck_assert_int_eq(feed(&l, "ab\b\bc\n"), KDB_KEY_DONE);
	ck_assert_str_eq(l.buf, "c");
}
END_TEST

START_TEST(line_editor_refuses_an_overlong_line)
{
	kdb_line_t l;
	char keys[KDB_LINE_MAX + 10];

	memset(&l, 0, sizeof l);
	kdb_line_reset(&l);
	memset(keys, 'x', sizeof keys - 1);
	keys[sizeof keys - 1] = '\0';
	ck_assert_int_eq(feed(&l, keys), KDB_KEY_NONE);
	ck_assert(l.overflow);
	ck_assert_uint_eq(l.len, KDB_LINE_MAX - 1);
	ck_assert_int_eq(kdb_line_key(&l, '\r'), KDB_KEY_DONE);
	ck_assert_uint_eq(strlen(l.buf), KDB_LINE_MAX - 1);
	kdb_line_reset(&l);
	ck_assert(!l.overflow);
	ck_assert_uint_eq(l.len, 0);
}
END_TEST

START_TEST(words_are_split_at_blanks)
{
	char line[64];
	char *w[KDB_MAX_WORDS];

	strcpy(line, "  du\t48001  bf3ff000 10 ");
	ck_assert_int_eq(kdb_split(line, w, KDB_MAX_WORDS), 4);
	ck_assert_str_eq(w[0], "du");
	ck_assert_str_eq(w[1], "48001");
	ck_assert_str_eq(w[2], "bf3ff000");
	ck_assert_str_eq(w[3], "10");
	strcpy(line, "   ");
	ck_assert_int_eq(kdb_split(line, w, KDB_MAX_WORDS), 0);
	strcpy(line, "a b c d e f g");
	ck_assert_int_eq(kdb_split(line, w, KDB_MAX_WORDS), -1);
	strcpy(line, "a b c d e f");
	ck_assert_int_eq(kdb_split(line, w, KDB_MAX_WORDS), 6);
	ck_assert(kdb_word_is(w[5], "f"));
	ck_assert(!kdb_word_is(w[5], "ff"));
	ck_assert(!kdb_word_is("shut", "shutdown"));
	ck_assert(!kdb_word_is("shutdownx", "shutdown"));
}
END_TEST

START_TEST(numbers_and_threads_are_parsed_strictly)
{
	uint32_t v = 7;
	bool by_number;

	ck_assert(kdb_parse_hex("bf3ff000", &v) && v == 0xbf3ff000u);
	ck_assert(kdb_parse_hex("0xFFFFFFFF", &v) && v == 0xFFFFFFFFu);
	ck_assert(kdb_parse_hex("0", &v) && v == 0);
	v = 7;
	ck_assert(!kdb_parse_hex("", &v));
	ck_assert(!kdb_parse_hex("0x", &v));
	ck_assert(!kdb_parse_hex("123456789", &v));   /* 33 bits */
	ck_assert(!kdb_parse_hex("12g", &v));
	ck_assert(!kdb_parse_hex("-1", &v));
	ck_assert(!kdb_parse_hex("1 ", &v));
	ck_assert_uint_eq(v, 7);                      /* untouched when refused */
	ck_assert(kdb_parse_dec("999999999", &v) && v == 999999999u);
	ck_assert(!kdb_parse_dec("1000000000", &v));
	ck_assert(!kdb_parse_dec("1a", &v));
	ck_assert(!kdb_parse_dec("", &v));
	ck_assert(kdb_parse_thread("48001", &v, &by_number) && v == 0x48001 && !by_number);
	ck_assert(kdb_parse_thread("#18", &v, &by_number) && v == 18 && by_number);
	ck_assert(!kdb_parse_thread("#", &v, &by_number));
	ck_assert(!kdb_parse_thread("#x", &v, &by_number));
	ck_assert(!kdb_parse_thread("zz", &v, &by_number));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kdb_parse");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, typeahead_keeps_order_and_refuses_overflow);
	tcase_add_test(tc, line_editor_keeps_erases_and_ends);
	tcase_add_test(tc, line_editor_refuses_an_overlong_line);
	tcase_add_test(tc, words_are_split_at_blanks);
	tcase_add_test(tc, numbers_and_threads_are_parsed_strictly);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
