/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Map and unmap one page: main sends a task a map item for one of its
 * pages (a Call whose reply is empty), then unmaps the page again.  The
 * figure is one map Call plus one Unmap.
 */
#include "bench.h"

#define WINDOW	0x20000000UL

static void sink(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_MapGrantItems(L4_FpageLog2(WINDOW, 12)));
	tag = L4_Wait(&from);
	for (;;) {
		if (L4_IpcFailed(tag)) {
			tag = L4_Wait(&from);
			continue;
		}
		L4_LoadMR(0, 0);
		tag = L4_ReplyWait(from, &from);
	}
}

static int round_trip(L4_ThreadId_t s, L4_MapItem_t m, L4_Fpage_t fp)
{
	L4_MsgTag_t tag = L4_Niltag;

	tag.X.t = 2;
	L4_LoadMR(0, tag.raw);
	L4_LoadMR(1, m.raw[0]);
	L4_LoadMR(2, m.raw[1]);
	tag = L4_Call(s);
	(void)L4_UnmapFpage(fp);
	return L4_IpcSucceeded(tag);
}

int bench_map_unmap(L4_Word_t *result)
{
	L4_Word_t page = rt_get_pages(1);
	L4_ThreadId_t s = rt_task_create(sink, 0, rt_pager());
	L4_Word64_t t0, t1;
	L4_Fpage_t fp;
	L4_MapItem_t m;
	int i;

	if (!page || L4_IsNilThread(s))
		return 0;
	*(volatile L4_Word_t *)page = 1;
	fp = L4_FpageLog2(page, 12);
	L4_Set_Rights(&fp, L4_ReadWriteOnly);
	m = L4_MapItem(fp, 0);
	for (i = 0; i < BENCH_WARMUP; i++)
		if (!round_trip(s, m, fp)) {
			rt_set_last_error(L4_ErrorCode());
			return 0;
		}
	t0 = bench_rdtsc();
	for (i = 0; i < BENCH_ROUNDS; i++)
		(void)round_trip(s, m, fp);
	t1 = bench_rdtsc();
	*result = bench_div(t1 - t0, BENCH_ROUNDS);
	return 1;
}
