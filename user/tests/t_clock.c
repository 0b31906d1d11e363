/* SPDX-License-Identifier: BSD-2-Clause */
/* SystemClock: microseconds, monotonic. */
#include "tests.h"

static const char *t_clock_monotonic(void)
{
	L4_Word64_t prev = L4_SystemClock().raw, first = prev, now;
	int i;

	for (i = 0; i < 10000; i++) {
		now = L4_SystemClock().raw;
		CHECK(now >= prev);
		prev = now;
	}
	rt_sleep_us(5000);
	CHECK(L4_SystemClock().raw > first);
	return 0;
}

/* A 100 ms sleep (a receive timeout) takes about 100 ms of clock. */
static const char *t_clock_sleep_100ms(void)
{
	L4_Word64_t t0 = L4_SystemClock().raw, dt;

	rt_sleep_us(100000);
	dt = L4_SystemClock().raw - t0;
	CHECK(dt >= 80000);
	CHECK(dt <= 2000000);
	return 0;
}

const struct test clock_tests[] = {
	TEST(clock_monotonic),
	TEST(clock_sleep_100ms),
	{ 0 },
};
