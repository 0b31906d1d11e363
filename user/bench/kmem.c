/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel memory of a task of the paper's Fig. 2 shape: two threads,
 * each of which has touched the task's code, its data and its own stack.
 * Its kpager is the benchmarks' own (kpager.c), from before its first
 * thread runs.  The counts come from KmemControl's STATS
 * (docs/kpager-protocol.md): pages of each kind, and the resident bytes
 * of its threads, which give the resident bytes per thread.
 */
#include "bench.h"

#define LABEL_TOUCHED	0x70c4

/* Data the task's threads write: a page of the image's own data. */
static volatile L4_Word_t kt_data[2] = { 1, 2 };

static void kt_thread(L4_Word_t arg)
{
	volatile L4_Word_t on_stack[64];
	L4_Word_t w[2];

	for (int i = 0; i < 64; i++)
		on_stack[i] = arg + i;
	kt_data[arg & 1] += on_stack[63];
	w[0] = arg;
	w[1] = kt_data[arg & 1];
	rt_msg(LABEL_TOUCHED, 2, w);
	(void)L4_Send(rt_main_thread());
	for (;;)
		L4_Sleep(L4_Never);
}

/* Serve the thread's faults until it says it has touched everything. */
static int touched(L4_ThreadId_t t)
{
	L4_MsgTag_t tag = rt_serve(t, 5000000, 0);

	if (L4_IpcFailed(tag) || L4_Label(tag) != LABEL_TOUCHED) {
		rt_set_last_error(L4_IpcFailed(tag) ? L4_ErrorCode() : tag.raw);
		return 0;
	}
	return 1;
}

int bench_kmem_task(L4_Word_t *pages, L4_Word_t *resident_per_thread)
{
	L4_Word_t ip, sp, total, n[LENT_KMEM_STATS_WORDS + 1];
	L4_ThreadId_t first, second;

	first = bench_task_create(kt_thread, 0, LENT_KPF_MAX_PAGES);
	if (L4_IsNilThread(first) || !touched(first))
		return 0;
	second = rt_task_thread_prepare(first, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, kt_thread, 1,
					L4_Myself(), &ip, &sp);
	if (L4_IsNilThread(second) || !rt_start_message(second, ip, sp) || !touched(second))
		return 0;
	total = lent_kmem_control(first.raw, LENT_KMEM_STATS, 0);
	for (int i = 1; i <= LENT_KMEM_STATS_WORDS; i++)
		n[i] = rt_mr(i);
	if (total == 0 || n[LENT_KMEM_KINDS + 2] != 2) {
		rt_set_last_error(total ? n[LENT_KMEM_KINDS + 2] : L4_ErrorCode());
		return 0;
	}
	printf("# kmem task: 2 threads, kernel pages by kind:");
	for (unsigned k = 0; k < LENT_KMEM_KINDS; k++)
		printf(" %s %lu", bench_kind_name(k), n[1 + k]);
	printf("; %lu in all, lent kinds 0x%lx; resident %lu bytes\n", total,
	       lent_kmem_control(first.raw, LENT_KMEM_LENT_KINDS, 0), n[LENT_KMEM_KINDS + 1]);
	*pages = total;
	*resident_per_thread = n[LENT_KMEM_KINDS + 1] / n[LENT_KMEM_KINDS + 2];
	return 1;
}
