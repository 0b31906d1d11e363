/* SPDX-License-Identifier: BSD-2-Clause */
/* Host tests for the keys of sigma0's roots of frames from 3 GB up
 * (kernel/sigma0_high.h), as the split build has them. */
#include <check.h>
#include <kernel/sigma0_high.h>

/* A frame with a key: one of its own, no port's, no user page's, and
 * the frame back from it. */
static void check_key(uint32_t pa)
{
	uint32_t key = s0_high_key(pa);

	ck_assert(s0_high_phys_is(pa));
	ck_assert(s0_high_key_is(key));
	ck_assert(!io_va_is(key));
	ck_assert_uint_ge(key, IO_VA_END);
	ck_assert_uint_eq(key - pa, IO_VA_END - 0xC0000000u);
	ck_assert_uint_eq(s0_high_key_phys(key), pa);
	ck_assert_uint_eq(s0_key_of(pa + 0x123u), key + 0x123u);
}

START_TEST(keys_are_above_the_ports)
{
	ck_assert_uint_eq(s0_high_key(0xC0000000u), 0xD0000000u);
	ck_assert_uint_eq(s0_high_key(0xEFFFF000u), 0xFFFFF000u);
	ck_assert_uint_eq(s0_high_key(0xDABFF000u), 0xEABFF000u);   /* -m 3500's last frame */
	/* a frame every 60 KB (every one takes too long under the
	 * sanitizers), and the last */
	for (uint32_t pa = S0_HIGH_PHYS; pa < S0_HIGH_PHYS_END; pa += 0xF000u)
		check_key(pa);
	check_key(S0_HIGH_PHYS_END - 4096u);
}
END_TEST

START_TEST(frames_without_a_key)
{
	/* below 3 GB: sigma0's own pages; from 0xF0000000: reserved */
	ck_assert(!s0_high_phys_is(0xBFFFF000u));
	ck_assert(!s0_high_phys_is(0));
	ck_assert(!s0_high_phys_is(0xF0000000u));
	ck_assert(!s0_high_phys_is(0xFFFFF000u));
	ck_assert_uint_eq(s0_key_of(0xF0000000u), 0);
	ck_assert_uint_eq(s0_key_of(0xFEE00000u), 0);
	ck_assert_uint_eq(s0_key_of(0xBFFFF000u), 0);
	/* no port's page and no user page is a key */
	ck_assert(!s0_high_key_is(0xBFFFF000u));
	ck_assert(!s0_high_key_is(IO_VA_BASE));
	ck_assert(!s0_high_key_is(IO_VA_END - 4096u));
	ck_assert(!s0_high_key_is(io_va(IO_PORTS - 1)));
	ck_assert(s0_high_key_is(IO_VA_END));
	ck_assert_uint_eq(SIGMA0_RAM_END, 0xF0000000u);
}
END_TEST

START_TEST(slots_follow_the_ports)
{
	/* the node tables of the keys: right after the user's 768 4 MB slots
	 * and the ports' 64, up to the 1,024th */
	ck_assert_uint_eq(S0_HIGH_SLOT, (0xC0000000u >> 22) + IO_NODE_PDES);
	ck_assert_uint_eq(S0_HIGH_SLOT, 832u);
	ck_assert_uint_eq(S0_HIGH_SLOTS, 192u);
	ck_assert_uint_eq(s0_high_key(0xC0000000u) >> 22, S0_HIGH_SLOT);
	ck_assert_uint_eq(s0_high_key(0xEFFFF000u) >> 22, S0_HIGH_SLOT + S0_HIGH_SLOTS - 1);
	/* one 4 MB stretch of frames is one slot */
	ck_assert_uint_eq(s0_high_key(0xC0400000u) >> 22, S0_HIGH_SLOT + 1);
	ck_assert_uint_eq(s0_high_key(0xC07FF000u) >> 22, S0_HIGH_SLOT + 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sigma0_high");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, keys_are_above_the_ports);
	tcase_add_test(tc, frames_without_a_key);
	tcase_add_test(tc, slots_follow_the_ports);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
