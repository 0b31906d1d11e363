/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A page fault resolved by a user-level pager: a child task (pager: main)
 * reads one fresh page after another; each read faults to main, which
 * maps the root's page there.  The child times each read with rdtsc.
 */
#include "bench.h"

#define PAGES		64
#define LABEL_DONE	0x600d

static unsigned char area[PAGES + 1][RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));

static void toucher(L4_Word_t arg)
{
	L4_Word64_t t0, total = 0;
	L4_Word_t i, res[2];

	(void)arg;
	/* Warm up: the first fault also brings in code and stack. */
	(void)*(volatile unsigned char *)area[PAGES];
	for (i = 0; i < PAGES; i++) {
		t0 = bench_rdtsc();
		(void)*(volatile unsigned char *)area[i];
		total += bench_rdtsc() - t0;
	}
	res[0] = (L4_Word_t)total;
	res[1] = PAGES;
	rt_msg(LABEL_DONE, 2, res);
	(void)L4_Send(rt_main_thread());
}

int bench_pagefault(L4_Word_t *result)
{
	L4_ThreadId_t c;
	L4_MsgTag_t tag;
	int i;

	/* The root maps the pages first, so only the child faults. */
	for (i = 0; i <= PAGES; i++)
		(void)*(volatile unsigned char *)area[i];
	c = rt_task_create(toucher, 0, L4_Myself());
	if (L4_IsNilThread(c))
		return 0;
	tag = rt_serve(c, 5000000, 0);
	if (L4_IpcFailed(tag) || L4_Label(tag) != LABEL_DONE) {
		rt_set_last_error(L4_IpcFailed(tag) ? L4_ErrorCode() : tag.raw);
		return 0;
	}
	*result = rt_mr(1) / rt_mr(2);
	return 1;
}
