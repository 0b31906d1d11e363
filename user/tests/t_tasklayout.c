/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The layout rt gives every task (user/rt/rt.h): the KIP in the last page
 * of the UTCB area's 4 MB region, so that one page table holds the KIP's
 * entry and the UTCB pages' (docs/kernel-memory.md, kmem_task_pages).
 * A task of the paper's Fig. 2 shape then holds one page table for its
 * image and one for its UTCBs and KIP; what is mapped, unmapped or torn
 * down around them in that shared page table leaves both working.
 */
#include "tests.h"
#include <lent/kmem.h>

#define TL_TOUCHED	0x71a0
#define TL_MAGIC	0x7a1e0a7bUL
#define TL_REGION	22			/* log2 of what one page table maps */
#define TL_HOLE		0x200000UL		/* between the UTCB area and the KIP */

static L4_Word_t region(L4_Word_t va)
{
	return va >> TL_REGION;
}

/* Data both threads write: a page of the image's own data. */
static volatile L4_Word_t tl_data[2];

/* Touch the code (this function), the data and the own stack, then say
 * so to main, the pager. */
static void tl_thread(L4_Word_t arg)
{
	volatile L4_Word_t on_stack[64];

	for (int i = 0; i < 64; i++)
		on_stack[i] = arg + i;
	tl_data[arg & 1] += on_stack[63];
	rt_msg(TL_TOUCHED, 1, &arg);
	(void)L4_Send(rt_main_thread());
	for (;;)
		L4_Sleep(L4_Never);
}

/* Answer t's faults on the image until it says it has touched all. */
static const char *tl_touched(L4_ThreadId_t t)
{
	L4_MsgTag_t tag = rt_serve(t, 5000000, 0);

	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), TL_TOUCHED);
	return 0;
}

extern char _start_image[], _end[];

/* A task of rt's layout after its first two threads ran, each having
 * touched the task's code, its data and its own stack: one page table
 * for the image (it lies in one 4 MB region) and one for the UTCB area
 * and the KIP together, in either build. */
static const char *t_tasklayout_kip_and_utcbs_share_a_page_table(void)
{
	L4_ThreadId_t first, second;
	L4_Word_t ip, sp;

	CHECK_EQ(region(RT_KIP_AREA_BASE), region(RT_UTCB_AREA_BASE));
	CHECK(RT_KIP_AREA_BASE >= RT_UTCB_AREA_BASE + (1UL << RT_UTCB_AREA_LOG2));
	CHECK_EQ(region((L4_Word_t)_start_image), region((L4_Word_t)_end - 1));
	first = rt_task_prepare(tl_thread, 0, L4_Myself(), &ip, &sp);
	CHECK(!L4_IsNilThread(first));
	CHECK(rt_start_message(first, ip, sp));
	RUN(tl_touched(first));
	second = rt_task_thread_prepare(first, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, tl_thread, 1,
					L4_Myself(), &ip, &sp);
	CHECK(!L4_IsNilThread(second));
	CHECK(rt_start_message(second, ip, sp));
	RUN(tl_touched(second));
	CHECK(lent_kmem_control(first.raw, LENT_KMEM_STATS, 0) != 0);
	CHECK_EQ(rt_mr(LENT_KMEM_STAT_THREADS), 2);
	CHECK_EQ(rt_mr(1 + LENT_KMEM_PT), 2);
	/* Only the image is mapped through mapping nodes: the KIP and the
	 * UTCB pages have none, so their region has no node table. */
	CHECK_EQ(rt_mr(1 + LENT_KMEM_NT), 1);
	CHECK_EQ(rt_mr(1 + LENT_KMEM_UTCB), 1);
	return 0;
}

/* A page mapped into the hole of the shared region, between the UTCB
 * area and the KIP, arrives there; the pages of the same map that would
 * land on a UTCB page or on the KIP are skipped.  Unmap of the whole
 * region by the task itself takes that page and nothing of the kernel's:
 * the KIP still reads, the UTCB still works. */
static const char *t_tasklayout_unmap_of_shared_region(void)
{
	L4_Word_t p = rt_get_pages(4), res[5], sec, u[2];
	L4_Word_t base = RT_UTCB_AREA_BASE & ~((1UL << TL_REGION) - 1);
	L4_Word_t kip_word = *(volatile L4_Word_t *)rt_kip();
	L4_ThreadId_t a = rt_agent_create(L4_Myself());
	L4_Fpage_t whole = L4_FpageLog2(base, TL_REGION);

	CHECK(p && !L4_IsNilThread(a));
	for (L4_Word_t i = 0; i < 4; i++)
		*(volatile L4_Word_t *)(p + i * RT_PAGE_SIZE) = TL_MAGIC + i;
	RUN(t_ag_accept(a, base, TL_REGION));
	RUN(t_ag_give_map(a, t_map_item(p, 12, L4_ReadWriteOnly, TL_HOLE), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_give_map(a, t_map_item(p + RT_PAGE_SIZE, 12, L4_ReadWriteOnly,
					RT_KIP_AREA_BASE - base), res, &sec));
	RUN(t_ag_give_map(a, t_map_item(p + 2 * RT_PAGE_SIZE, 12, L4_ReadWriteOnly,
					RT_UTCB_AREA_BASE - base), res, &sec));
	RUN(t_ag_reads(a, base + TL_HOLE, TL_MAGIC));
	RUN(t_ag_reads(a, RT_KIP_AREA_BASE, kip_word));
	L4_MsgTag_t tag = rt_agent_cmd(a, RT_AG_SELF, 0, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(4), RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET);
	L4_Set_Rights(&whole, L4_FullyAccessible);
	u[0] = 0x40;
	u[1] = whole.raw;
	CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_UNMAP, 2, u)));
	RUN(t_ag_reads(a, RT_KIP_AREA_BASE, kip_word));
	tag = rt_agent_cmd(a, RT_AG_SELF, 0, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(3), a.raw);
	CHECK_EQ(rt_mr(4), RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET);
	return t_ag_faults(a, base + TL_HOLE, 0);
}

/* SpaceControl takes the layout: the UTCB area may grow up to the KIP
 * (2 MB at RT_UTCB_AREA_BASE), and one that would cover it is refused
 * (X.2: the areas must not overlap) with the KIP area's error. */
static const char *t_tasklayout_utcb_area_up_to_the_kip(void)
{
	L4_ThreadId_t t = rt_tid_alloc(), u = rt_tid_alloc();
	L4_Fpage_t kip = L4_FpageLog2(RT_KIP_AREA_BASE, RT_KIP_AREA_LOG2);
	L4_Word_t old;

	CHECK(!L4_IsNilThread(t) && !L4_IsNilThread(u));
	CHECK_EQ(L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_SpaceControl(t, 0, kip, L4_FpageLog2(RT_UTCB_AREA_BASE, TL_REGION),
				 L4_nilthread, &old), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrKipArea);
	CHECK_EQ(L4_SpaceControl(t, 0, kip, L4_FpageLog2(RT_UTCB_AREA_BASE, TL_REGION - 1),
				 L4_nilthread, &old), 1);
	/* The last UTCB below the KIP, in the KIP's page table. */
	CHECK_EQ(L4_ThreadControl(u, t, rt_main_thread(), L4_nilthread,
				  (void *)(RT_UTCB_AREA_BASE + (1UL << (TL_REGION - 1)) - RT_UTCB_SIZE)),
		 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_STATS, 0) != 0, 1);
	CHECK_EQ(rt_mr(1 + LENT_KMEM_PT), 1);
	CHECK_EQ(rt_mr(1 + LENT_KMEM_UTCB), 1);
	return 0;
}

const struct test tasklayout_tests[] = {
	TEST(tasklayout_utcb_area_up_to_the_kip),
	TEST(tasklayout_kip_and_utcbs_share_a_page_table),
	TEST(tasklayout_unmap_of_shared_region),
	{ 0, 0 },
};
