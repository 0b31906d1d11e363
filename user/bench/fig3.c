/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The paper's Fig. 3: a page fault at an untouched address in a 4 MB
 * region of a task that has no page table and no node table there yet,
 * resolved by a user-level pager (main) that maps one page.  A child task
 * whose kpager is the benchmarks' FCFS kpager (kpager.c) reads one word
 * in each of FIG3_FAULTS fresh regions and times each read with rdtsc,
 * from the faulting access to its completion.
 *
 * In a KMEM=pool kernel the page table and the node table come from the
 * kernel's pool: one fault, one IPC to the pager.  In a KMEM=lent kernel
 * the kernel first asks the kpager for the node table and the page
 * table, and only then sends the page fault to the pager.  With one page
 * per kernel page fault (the paper's protocol) that is three faults; with
 * several (KmemControl SET_KPF_PAGES) one kernel page fault names both
 * pages and one answer lends both: two faults.  The kpager's counts
 * check that each timed fault asked for exactly those two pages, in the
 * expected number of kernel page faults.
 *
 * With a kpager that lends ahead (bench_fig3_ahead), the task asks it to
 * top its reserve up before each timed fault, outside the timed part;
 * the kernel then binds the reserve's frames as the node table and the
 * page table, and the kpager must see no kernel page fault at all.
 *
 * The figure is the median of the faults: a timer tick that lands in
 * one of them (at most one in many) does not move it.
 */
#include "bench.h"
#include "../../kpager/kpager.h"

#define FIG3_FAULTS	15
#define FIG3_BASE	0x40000000UL	/* regions no task of rt's uses */
#define FIG3_REGION	0x00400000UL
#define LABEL_READY	0xf162
#define LABEL_DONE	0xf163

static unsigned char fig3_src[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));

/* arg: 1 to have the kpager top the reserve up before each fault. */
static void toucher(L4_Word_t arg)
{
	L4_Word_t cost[FIG3_FAULTS];
	L4_ThreadId_t kp = { .raw = lent_kmem_control(0, LENT_KMEM_GET_KPAGER, 0) };
	L4_Word64_t t0;
	int i;

	/* Its code, stack and message path are touched, and its first
	 * mapping-node page exists, before the first timed fault: the timed
	 * faults need a page table and a node table, nothing else.  The
	 * call tells main where the timed part begins. */
	for (i = 0; i < FIG3_FAULTS; i++)
		cost[i] = 0;
	rt_msg(LABEL_READY, 0, cost);
	(void)L4_Call(rt_main_thread());
	for (i = 0; i < FIG3_FAULTS; i++) {
		volatile unsigned char *p =
			(volatile unsigned char *)(FIG3_BASE + i * FIG3_REGION + 0x1234);

		if (arg && kpager_ahead_request(kp) < 2)
			cost[i] = ~0UL;        /* no reserve: main sees it */
		t0 = bench_rdtsc();
		(void)*p;
		if (!cost[i])
			cost[i] = (L4_Word_t)(bench_rdtsc() - t0);
	}
	rt_msg(LABEL_DONE, FIG3_FAULTS, cost);
	(void)L4_Send(rt_main_thread());
}

/* Answer the child's faults as its pager: image pages as rt does, the
 * timed regions with fig3_src, until its report comes.  When it says it
 * is ready, the kpager's counts so far go to before[]. */
/* The child's node tables and page tables now. */
static void child_tables(L4_ThreadId_t c, L4_Word_t *nt, L4_Word_t *pt)
{
	(void)lent_kmem_control(c.raw, LENT_KMEM_STATS, 0);
	*nt = rt_mr(1 + LENT_KMEM_NT);
	*pt = rt_mr(1 + LENT_KMEM_PT);
}

static L4_MsgTag_t serve_child(L4_ThreadId_t c, L4_Word_t *regions, L4_Word_t *before)
{
	L4_ThreadId_t got;
	L4_MsgTag_t tag;

	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Receive_Timeout(c, rt_us(5000000));
	while (L4_IpcSucceeded(tag)) {
		L4_Word_t addr = rt_mr(1);

		if (L4_Label(tag) == LABEL_READY && !rt_is_pagefault(tag)) {
			bench_kpager_faults(before);
			child_tables(c, &before[LENT_KMEM_KINDS + 1], &before[LENT_KMEM_KINDS + 2]);
			L4_LoadMR(0, 0);
		} else if (!rt_is_pagefault(tag)) {
			break;
		} else if (rt_image_contains(addr)) {
			rt_load_page_reply(addr, L4_Label(tag) & 7);
		} else if (addr >= FIG3_BASE && addr < FIG3_BASE + FIG3_FAULTS * FIG3_REGION) {
			bench_load_map_reply((L4_Word_t)fig3_src, addr);
			(*regions)++;
		} else {
			break;
		}
		tag = L4_Ipc(c, c, L4_Timeouts(L4_ZeroTime, rt_us(5000000)), &got);
	}
	return tag;
}

static void sort(L4_Word_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			L4_Word_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
}

static int fig3(L4_Word_t pages, L4_Word_t ahead, L4_Word_t *result)
{
	L4_Word_t before[LENT_KMEM_KINDS + 3], after[LENT_KMEM_KINDS + 3], cost[FIG3_FAULTS];
	L4_Word_t regions = 0, lent, kpfs;
	L4_Word64_t sum = 0;
	L4_ThreadId_t c;
	L4_MsgTag_t tag;
	int i;

	fig3_src[0] = 1;
	c = bench_task_create(toucher, ahead, pages);
	if (L4_IsNilThread(c))
		return 0;
	lent = lent_kmem_control(c.raw, LENT_KMEM_LENT_KINDS, 0);
	tag = serve_child(c, &regions, before);
	if (L4_IpcFailed(tag) || L4_Label(tag) != LABEL_DONE ||
	    L4_UntypedWords(tag) != FIG3_FAULTS) {
		rt_set_last_error(L4_IpcFailed(tag) ? L4_ErrorCode() : tag.raw);
		return 0;
	}
	for (i = 0; i < FIG3_FAULTS; i++) {
		cost[i] = rt_mr(1 + i);
		sum += cost[i];
	}
	bench_kpager_faults(after);
	child_tables(c, &after[LENT_KMEM_KINDS + 1], &after[LENT_KMEM_KINDS + 2]);
	sort(cost, FIG3_FAULTS);
	printf("# fig3%s, up to %lu page(s) per kernel page fault: %u faults in fresh 4 MB regions, "
	       "min %lu median %lu mean %lu max %lu\n", ahead ? " lent ahead" : "", pages,
	       FIG3_FAULTS, cost[0], cost[FIG3_FAULTS / 2], bench_div(sum, FIG3_FAULTS),
	       cost[FIG3_FAULTS - 1]);
	kpfs = after[LENT_KMEM_KINDS] - before[LENT_KMEM_KINDS];
	printf("# fig3: pages lent while timed:");
	for (i = 0; i < LENT_KMEM_KINDS; i++)
		printf(" %s %lu", bench_kind_name(i), after[i] - before[i]);
	printf(", in %lu kernel page faults\n", kpfs);
	if (regions != FIG3_FAULTS) {
		rt_set_last_error(regions);
		return 0;
	}
	/* Each timed fault needed a node table and a page table: lent by
	 * the kpager in a KMEM=lent kernel (one kernel page fault for both,
	 * or one each), from the pool otherwise. */
	L4_Word_t want_kpfs = 0;
	for (i = 0; i < LENT_KMEM_KINDS; i++) {
		L4_Word_t want = 0;

		if (!ahead && (lent & (1UL << i)) && (i == LENT_KMEM_NT || i == LENT_KMEM_PT)) {
			want = FIG3_FAULTS;
			want_kpfs += pages > 1 && want_kpfs ? 0 : FIG3_FAULTS;
		}
		if (after[i] - before[i] != want) {
			printf("# fig3: %lu %s pages, not %lu\n", after[i] - before[i],
			       bench_kind_name(i), want);
			rt_set_last_error(0xf3);
			return 0;
		}
	}
	if (kpfs != want_kpfs) {
		printf("# fig3: %lu kernel page faults, not %lu\n", kpfs, want_kpfs);
		rt_set_last_error(0xf4);
		return 0;
	}
	/* Whoever lent them, the task got a node table and a page table
	 * per timed fault. */
	if (after[LENT_KMEM_KINDS + 1] - before[LENT_KMEM_KINDS + 1] != FIG3_FAULTS ||
	    after[LENT_KMEM_KINDS + 2] - before[LENT_KMEM_KINDS + 2] != FIG3_FAULTS) {
		printf("# fig3: the task got %lu node tables and %lu page tables, not %u\n",
		       after[LENT_KMEM_KINDS + 1] - before[LENT_KMEM_KINDS + 1],
		       after[LENT_KMEM_KINDS + 2] - before[LENT_KMEM_KINDS + 2], FIG3_FAULTS);
		rt_set_last_error(0xf5);
		return 0;
	}
	*result = cost[FIG3_FAULTS / 2];
	return 1;
}

int bench_fig3(L4_Word_t pages, L4_Word_t *result)
{
	return fig3(pages, 0, result);
}

int bench_fig3_ahead(L4_Word_t *result)
{
	int ok;

	/* Two frames: a node table and a page table per fault. */
	bench_kpager_ahead(2);
	ok = fig3(LENT_KPF_MAX_PAGES, 1, result);
	bench_kpager_ahead(0);
	return ok;
}
