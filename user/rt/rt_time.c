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
