/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Taking tables back, around the mapping primitives (issue 7): a
 * translation the kernel puts back by itself must be exactly the one the
 * mapping database still holds, with its rights, never one an Unmap took
 * away while the table was gone; a map into a task whose tables are gone
 * gathers them; a task dies cleanly with its tables away; and the calls
 * that do not touch a task's memory do not ask for its tables.  The test
 * kpager and the task are t_kpre_kp.c's.  In a KMEM=pool kernel nothing
 * is taken back, and each test checks the plain behaviour only.
 */
#include "t_kpre_kp.h"
#include <lent/kmem.h>

#define KM_WINDOW	0x58000000UL
#define KM_MARK		0x4b4d4f52UL

/* A page of the root's holding KM_MARK, mapped to the agent at
 * KM_WINDOW with rights; the agent reads the mark. */
static const char *km_give(L4_ThreadId_t t, L4_Word_t *page, L4_Word_t rights)
{
	L4_Word_t res[5], sec;

	if (!*page) {
		*page = rt_get_pages(1);
		CHECK(*page != 0);
		*(volatile L4_Word_t *)*page = KM_MARK;
	}
	RUN(t_ag_accept(t, KM_WINDOW, 12));
	RUN(t_ag_give_map(t, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(*page, 12), rights),
					 KM_WINDOW), res, &sec));
	CHECK_EQ(sec, 0);
	return t_ag_reads(t, KM_WINDOW, KM_MARK);
}

/* Take back the page table of the window, if this kernel lends. */
static const char *km_take_window_table(int skip)
{
	if (skip)
		return 0;
	L4_Word_t pt = kpre_page_of(LENT_KMEM_PT, lent_cid_pt(KM_WINDOW));
	CHECK(pt != 0);
	return kpre_take_back(pt);
}

/* The root unmaps its page while the agent's page table for it is gone:
 * the agent's next read must fault to its pager, not get the revoked
 * translation back from the kernel; the pager's fresh map then serves. */
static const char *t_kpreempt_revoked_mapping_not_put_back(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, page = 0;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	RUN(km_give(t, &page, L4_FullyAccessible));
	RUN(km_take_window_table(skip));
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	RUN(t_ag_faults(t, KM_WINDOW, 0));
	CHECK(t_kpre_reply_map(t, L4_FpageLog2(page, 12), KM_WINDOW));
	CHECK(t_ag_ok(rt_agent_result(t, 0)));
	CHECK_EQ(rt_mr(1), KM_MARK);
	return kpre_end(t);
}

/* A read-only mapping whose page table was taken comes back read-only:
 * the read is served by the kernel, the write faults to the pager. */
static const char *t_kpreempt_read_only_stays_read_only(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, page = 0;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	RUN(km_give(t, &page, L4_Readable));
	RUN(km_take_window_table(skip));
	L4_Word_t n = kpre.n;
	rt_watch(KM_WINDOW, KM_WINDOW + RT_PAGE_SIZE);
	const char *r = t_ag_reads(t, KM_WINDOW, KM_MARK);
	rt_watch(0, 0);
	RUN(r);
	if (!skip) {
		CHECK_EQ(kpre.n, n + 1);
		RUN(t_kplog_fault_was(&kpre, n % T_KPLOG_LOG, t, LENT_KMEM_PT,
				      lent_cid_pt(KM_WINDOW)));
	}
	RUN(t_ag_faults(t, KM_WINDOW, 1));
	CHECK(t_kpre_reply_map(t, L4_FpageLog2(page, 12), KM_WINDOW));
	CHECK(t_ag_ok(rt_agent_result(t, 0)));
	CHECK_EQ(*(volatile L4_Word_t *)page, 0x77);
	return kpre_end(t);
}

/* A map into a task whose page directory and the window's page table
 * were taken: the map asks for the directory, then the table, and the
 * page arrives with no error to either side. */
static const char *t_kpreempt_map_gathers_taken_tables(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, page = 0;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	RUN(km_give(t, &page, L4_FullyAccessible));
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	L4_Word_t n = kpre.n;
	if (!skip) {
		RUN(km_take_window_table(skip));
		RUN(kpre_take_back(kpre_page_of(LENT_KMEM_PDIR, LENT_CID_PDIR)));
		n = kpre.n;
	}
	RUN(km_give(t, &page, L4_FullyAccessible));
	if (!skip) {
		CHECK(kpre.n >= n + 2);
		RUN(t_kplog_fault_was(&kpre, n % T_KPLOG_LOG, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
		CHECK(kpre_page_of(LENT_KMEM_PT, lent_cid_pt(KM_WINDOW)) != 0);
	}
	RUN(kpre_agent_works_unaided(t, data));
	return kpre_end(t);
}

/* A task deleted while its directory and tables are with the kpager:
 * it dies cleanly, every page it had goes back, nothing stays lent. */
static const char *t_kpreempt_task_dies_with_tables_taken(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, page = 0;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	RUN(km_give(t, &page, L4_FullyAccessible));
	if (!skip) {
		RUN(km_take_window_table(skip));
		RUN(kpre_take_back(kpre_page_of(LENT_KMEM_PT, lent_cid_pt(data))));
		RUN(kpre_take_back(kpre_page_of(LENT_KMEM_PDIR, LENT_CID_PDIR)));
	}
	RUN(kpre_end(t));
	for (L4_Word_t p = 0; p < kpre.pages; p++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kpre.pool + p * RT_PAGE_SIZE), 0);
	/* The root's page is the root's again, whole. */
	CHECK_EQ(*(volatile L4_Word_t *)page, KM_MARK);
	return 0;
}

/* ExchangeRegisters and Schedule on a thread whose task has no page
 * directory need none: no kernel page fault; the thread's own next run
 * asks for it, once. */
static const char *t_kpreempt_thread_calls_need_no_directory(void)
{
	L4_ThreadId_t t, pager;
	L4_Word_t data, ctl, sp, ip, flags, handle;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	if (skip)
		return kpre_end(t);
	RUN(kpre_take_back(kpre_page_of(LENT_KMEM_PDIR, LENT_CID_PDIR)));
	L4_Word_t n = kpre.n;
	L4_ThreadId_t r = L4_ExchangeRegisters(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread,
					       &ctl, &sp, &ip, &flags, &handle, &pager);
	CHECK(!L4_IsNilThread(r) && L4_IsLocalId(r));
	CHECK_EQ(ctl & __L4_EXREGS_HALT, 0);
	CHECK(sp != 0 && ip != 0);
	L4_Word_t old;
	CHECK(L4_Schedule(t, ~0UL, ~0UL, RT_PRIORITY, ~0UL, &old) != 0);
	CHECK_EQ(kpre.n, n);
	RUN(kpre_agent_works_unaided(t, data));
	CHECK_EQ(kpre.n, n + 1);
	RUN(t_kplog_fault_was(&kpre, n % T_KPLOG_LOG, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
	return kpre_end(t);
}

/* An Unmap that takes only write from the lender's page takes it back
 * too (the kernel's use needs both): vacant, and the lender still reads
 * it. */
static const char *t_kpreempt_write_revoked_takes_back(void)
{
	L4_ThreadId_t t;
	L4_Word_t data;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	if (!skip)
		RUN(kpre_one_back_rights(t, data, LENT_KMEM_PT, lent_cid_pt(data), L4_Writable));
	return kpre_end(t);
}

const struct test kpreempt_more_tests[] = {
	TEST(kpreempt_revoked_mapping_not_put_back),
	TEST(kpreempt_read_only_stays_read_only),
	TEST(kpreempt_map_gathers_taken_tables),
	TEST(kpreempt_task_dies_with_tables_taken),
	TEST(kpreempt_thread_calls_need_no_directory),
	TEST(kpreempt_write_revoked_takes_back),
	{ 0 }
};
