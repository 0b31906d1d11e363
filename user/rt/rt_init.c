/* SPDX-License-Identifier: BSD-2-Clause */
/* Runtime start-up: where the KIP is, who sigma0 and the main thread are. */
#include "rt.h"

static void *kip;
static L4_ThreadId_t sigma0_id;
static L4_ThreadId_t main_id;

/* Must run in the root's main thread before any other rt call.  It also
 * puts the main thread at RT_PRIORITY so that the threads it creates run
 * at the same priority (round robin); a refusal is harmless. */
void rt_init(void)
{
	kip = L4_GetKernelInterface();
	sigma0_id = L4_GlobalId(L4_ThreadIdUserBase(kip), 1);
	main_id = L4_MyGlobalId();
	(void)L4_Set_Priority(main_id, RT_PRIORITY);
}

void *rt_kip(void)
{
	return kip;
}

L4_ThreadId_t rt_sigma0(void)
{
	return sigma0_id;
}

L4_ThreadId_t rt_main_thread(void)
{
	return main_id;
}
