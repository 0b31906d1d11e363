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

/*
 * A 300 us sleep ends when its deadline has passed, not at the next
 * scheduling tick.  On the kernel's own clock a sleep is never shorter
 * than asked.  How much longer depends on the host (without -icount QEMU
 * delivers the timer interrupt late when the host is busy), so the bounds
 * are loose: the quickest of 31 wake-ups within 250 us of its deadline,
 * the median within 5 ms.  A kernel that wakes sleepers on a 1 ms tick is
 * at least 699 us late on every one.
 */
#define CS_SLEEPS	31
#define CS_SLEEP_US	300

static const char *t_clock_short_sleep_wakes_on_time(void)
{
	L4_Word_t late[CS_SLEEPS], t;
	int i, j;

	for (i = 0; i < CS_SLEEPS; i++) {
		L4_Word64_t t0 = L4_SystemClock().raw, dt;

		rt_sleep_us(CS_SLEEP_US);
		dt = L4_SystemClock().raw - t0;
		CHECK(dt >= CS_SLEEP_US);
		late[i] = dt - CS_SLEEP_US > 1000000 ? 1000000 : (L4_Word_t)(dt - CS_SLEEP_US);
	}
	for (i = 1; i < CS_SLEEPS; i++)		/* insertion sort */
		for (j = i; j > 0 && late[j - 1] > late[j]; j--) {
			t = late[j];
			late[j] = late[j - 1];
			late[j - 1] = t;
		}
	printf("#   lateness of %d sleeps of %d us: least %lu us, median %lu us, most %lu us\n",
	       CS_SLEEPS, CS_SLEEP_US, late[0], late[CS_SLEEPS / 2], late[CS_SLEEPS - 1]);
	CHECK(late[0] <= 250);
	CHECK(late[CS_SLEEPS / 2] <= 5000);
	return 0;
}

const struct test clock_tests[] = {
	TEST(clock_monotonic),
	TEST(clock_sleep_100ms),
	TEST(clock_short_sleep_wakes_on_time),
	{ 0 },
};
