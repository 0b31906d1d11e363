/* SPDX-License-Identifier: BSD-2-Clause */
/* Time: the X.2 SystemClock counts microseconds. */
#include "rt.h"

L4_Word_t rt_now_us(void)
{
	return (L4_Word_t)L4_SystemClock().raw;
}

/* Block for about us microseconds: receive from oneself with a timeout. */
void rt_sleep_us(L4_Word_t us)
{
	(void)L4_Receive_Timeout(L4_MyGlobalId(), rt_us(us));
}

/* Test builds with -DRT_FLAKY_DELAY=us (as T_FLAKY_DELAY, user/tests/
 * t_sync.h, but for rt's own points, which every test passes): at a
 * marked point, the first of every `every` passes (counted in *n) spins
 * times that long, as a host that takes QEMU's processor away there
 * would.  Nothing in other builds. */
void rt_flaky_every(volatile L4_Word_t *n, L4_Word_t every, L4_Word_t times)
{
#if defined(RT_FLAKY_DELAY) && RT_FLAKY_DELAY
	L4_Word_t t0;

	if ((*n)++ % every)
		return;
	t0 = rt_now_us();
	while (rt_now_us() - t0 < times * RT_FLAKY_DELAY)
		;
#else
	(void)n;
	(void)every;
	(void)times;
#endif
}
