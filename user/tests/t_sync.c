/* SPDX-License-Identifier: BSD-2-Clause */
/* Waits without a wall-clock bound (t_sync.h). */
#include "t_sync.h"

int t_until_state(L4_ThreadId_t t, L4_Word_t want)
{
	L4_Word_t old, got;

	while ((got = L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, &old)) != want) {
		if (got == L4_SCHEDRESULT_ERROR)
			return 0;
		rt_sleep_us(1000);
	}
	return 1;
}

int t_until_waiting(L4_ThreadId_t t)
{
	return t_until_state(t, L4_SCHEDRESULT_WAITING);
}

void t_until(volatile L4_Word_t *w, L4_Word_t want)
{
	while (*w != want)
		rt_sleep_us(1000);
}

void t_until_at_least(volatile L4_Word_t *w, L4_Word_t want)
{
	while (*w < want)
		rt_sleep_us(1000);
}

/* Spins (does not block: the point is a window in which the thread is
 * still running, as when the host takes QEMU's processor away). */
void t_flaky_delay(L4_Word_t times)
{
#if T_FLAKY_DELAY
	L4_Word_t t0 = rt_now_us();

	while (rt_now_us() - t0 < times * T_FLAKY_DELAY)
		;
#else
	(void)times;
#endif
}
