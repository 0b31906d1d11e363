/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A kpager takes back kernel pages it lent (issue 7, the redundant kinds:
 * docs/kernel-memory.md, "Taking lent memory back").  A test kpager
 * thread of the root task lends marked pages to a task made by hand; the
 * root then unmaps one of them from the kernel with an Unmap of its own
 * page (not flushing its own mapping), while the task's thread is alive.
 * Each test checks that the frame came back vacant and readable, that
 * the task's count dropped, and that the thread goes on as before: the
 * kernel asks the kpager for the same content identifier when it needs
 * the table again, and no page fault reaches the task's pager.  In a
 * KMEM=pool kernel nothing is lent and the tests say so.
 */
#include "t_kpre_kp.h"
#include "t_sync.h"
#include <lent/kmem.h>

/* The page table of the task's code and data (the root image's 4 MB
 * region), taken back while the task lives: vacant, counted off, and
 * asked for again (the same content identifier, once, into another
 * frame) when the task touches the region; its data is all there, with
 * no page fault to its pager. */
static const char *t_kpreempt_page_table_vacant_and_refilled(void)
{
	L4_ThreadId_t t;
	L4_Word_t data;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	if (!skip) {
		L4_Word_t old = kpre_page_of(LENT_KMEM_PT, lent_cid_pt(data));
		RUN(kpre_one_back(t, data, LENT_KMEM_PT, lent_cid_pt(data)));
		CHECK(kpre.page[(kpre.n - 1) % T_KPLOG_LOG] != old);
	}
	return kpre_end(t);
}

/* The page table that holds the KIP and the UTCB page: the thread's
 * next system call (through the KIP's stubs) and its UTCB (through %gs)
 * bring it back. */
static const char *t_kpreempt_kip_and_utcb_table(void)
{
	L4_ThreadId_t t;
	L4_Word_t data;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	if (!skip)
		RUN(kpre_one_back(t, data, LENT_KMEM_PT, lent_cid_pt(RT_KIP_AREA_BASE)));
	return kpre_end(t);
}

/* The page directory of a task whose thread waits for a command: the
 * thread asks for it before it runs again, and only for it (the page
 * tables still lent go back in their slots). */
static const char *t_kpreempt_page_directory_of_live_task(void)
{
	L4_ThreadId_t t;
	L4_Word_t data;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	if (!skip) {
		L4_Word_t pts = t_kplog_count(t, LENT_KMEM_PT);
		RUN(kpre_one_back(t, data, LENT_KMEM_PDIR, LENT_CID_PDIR));
		CHECK_EQ(t_kplog_count(t, LENT_KMEM_PT), pts);
	}
	return kpre_end(t);
}

/* Every page table and the directory at once, twice over: the task
 * still reads its data and the tables come back one fault each. */
static const char *t_kpreempt_all_tables_twice(void)
{
	L4_ThreadId_t t;
	L4_Word_t data;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	if (skip)
		return kpre_end(t);
	for (int round = 0; round < 2; round++) {
		L4_Word_t pages[3] = { kpre_page_of(LENT_KMEM_PDIR, LENT_CID_PDIR),
				       kpre_page_of(LENT_KMEM_PT, lent_cid_pt(data)),
				       kpre_page_of(LENT_KMEM_PT, lent_cid_pt(RT_KIP_AREA_BASE)) };
		L4_Word_t n = kpre.n;
		for (int i = 0; i < 3; i++) {
			CHECK(pages[i] != 0);
			RUN(kpre_take_back(pages[i]));
		}
		CHECK_EQ(t_kplog_count(t, LENT_KMEM_PDIR), 0);
		RUN(kpre_agent_works_unaided(t, data));
		CHECK_EQ(kpre.n, n + 3);
		CHECK_EQ(kpre.fkind[n % T_KPLOG_LOG], LENT_KMEM_PDIR);
	}
	return kpre_end(t);
}

/* The kpager refuses the page directory it took: the thread cannot run
 * and is halted, with nothing else touched; once the kpager serves
 * again, resuming the thread asks again and it goes on. */
static const char *t_kpreempt_refused_directory_halts(void)
{
	L4_ThreadId_t t;
	L4_Word_t data;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	if (skip)
		return kpre_end(t);
	L4_Word_t page = kpre_page_of(LENT_KMEM_PDIR, LENT_CID_PDIR), n = kpre.n;
	CHECK(page != 0);
	kpre.kind = LENT_KMEM_PDIR;
	kpre.mode = T_KPLOG_REFUSE_KIND;
	RUN(kpre_take_back(page));
	/* The command reaches its receive; the thread then asks to run. */
	CHECK(rt_agent_post(t, RT_AG_READ, 1, &data));
	t_until_at_least(&kpre.n, n + 1);
	CHECK_EQ(kpre.n, n + 1);
	RUN(t_kplog_fault_was(&kpre, n % T_KPLOG_LOG, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
	L4_Word_t ctl, dummy;
	L4_ThreadId_t pager;
	(void)L4_ExchangeRegisters(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &ctl,
				   &dummy, &dummy, &dummy, &dummy, &pager);
	CHECK(ctl & __L4_EXREGS_HALT);
	kpre.mode = T_KPLOG_SERVE;
	L4_Start(t);
	L4_MsgTag_t tag = rt_agent_result(t, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(1), T_KPRE_DATA);
	CHECK_EQ(kpre.n, n + 2);
	return kpre_end(t);
}

/* ThreadControl places a new thread's UTCB in a task whose page
 * directory and UTCB page table its kpager took back: it asks for both,
 * in that order, and succeeds (it failed with error 8 before). */
static const char *t_kpreempt_thread_made_after_tables_taken(void)
{
	L4_ThreadId_t t, v = rt_tid_alloc();
	L4_Word_t data;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	if (!skip) {
		L4_Word_t n = kpre.n;
		RUN(kpre_take_back(kpre_page_of(LENT_KMEM_PDIR, LENT_CID_PDIR)));
		RUN(kpre_take_back(kpre_page_of(LENT_KMEM_PT, lent_cid_pt(RT_UTCB_AREA_BASE))));
		CHECK_EQ(L4_ThreadControl(v, t, L4_Myself(), L4_Myself(),
					  (void *)(RT_UTCB_AREA_BASE + RT_UTCB_SIZE)), 1);
		CHECK_EQ(kpre.n, n + 2);
		RUN(t_kplog_fault_was(&kpre, n % T_KPLOG_LOG, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
		RUN(t_kplog_fault_was(&kpre, (n + 1) % T_KPLOG_LOG, t, LENT_KMEM_PT,
				      lent_cid_pt(RT_UTCB_AREA_BASE)));
		CHECK_EQ(L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
		RUN(kpre_agent_works_unaided(t, data));
	}
	return kpre_end(t);
}

/* Pages lent for an operation that has not used them yet: a fault in a
 * fresh region gathers its node table, a page of mapping nodes and its
 * page table before the pager is asked; taken back while the pager has
 * not answered, they come back vacant, and the pager's map then asks for
 * them again and succeeds. */
static const char *t_kpreempt_unused_pages_taken_back(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, fresh = 0x50000000UL;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	L4_Word_t n = kpre.n;
	RUN(t_ag_faults(t, fresh, 0));
	if (!skip) {
		L4_Word_t nt = kpre_page_of(LENT_KMEM_NT, lent_cid_nt(fresh));
		L4_Word_t pt = kpre_page_of(LENT_KMEM_PT, lent_cid_pt(fresh));
		CHECK(nt && pt);
		RUN(kpre_take_back(nt));
		RUN(kpre_take_back(pt));
		n = kpre.n;
	}
	/* The pager's answer: kw's page there; the read goes on. */
	L4_Word_t *page = (L4_Word_t *)rt_get_pages(1);
	CHECK(page != 0);
	page[0] = T_KPRE_DATA + 1;
	CHECK(t_kpre_reply_map(t, L4_FpageLog2((L4_Word_t)page, 12), fresh));
	CHECK(t_ag_ok(rt_agent_result(t, 0)));
	CHECK_EQ(rt_mr(1), T_KPRE_DATA + 1);
	if (!skip) {
		CHECK(kpre.n >= n + 2);
		CHECK(kpre_page_of(LENT_KMEM_NT, lent_cid_nt(fresh)) != 0);
		CHECK(kpre_page_of(LENT_KMEM_PT, lent_cid_pt(fresh)) != 0);
	}
	return kpre_end(t);
}

/* The kpager grants a page it lent to another task (here the client
 * itself, at a page of its own): the kernel keeps it, and the new
 * holder, now where the lender was, takes it back with an Unmap of its
 * own page; it reads the page vacant, and the task it was lent for
 * asks for it again. */
static const char *t_kpreempt_granted_page_taken_back_by_new_holder(void)
{
	L4_ThreadId_t t;
	L4_Word_t data, window = 0x54000000UL, res[5], sec, a[2];
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	if (skip)
		return kpre_end(t);
	L4_Word_t cid = lent_cid_pt(data), page = kpre_page_of(LENT_KMEM_PT, cid);
	L4_Word_t n;
	CHECK(page != 0);
	RUN(t_ag_accept(t, window, 12));
	RUN(t_ag_give(t, L4_GrantItem(L4_FpageAddRights(L4_FpageLog2(page, 12),
							 L4_FullyAccessible), 0).raw[0],
		      L4_GrantItem(L4_FpageAddRights(L4_FpageLog2(page, 12),
						     L4_FullyAccessible), 0).raw[1],
		      res, &sec));
	CHECK_EQ(sec, 0);
	/* Still the kernel's (the window's region took a page table more,
	 * and whatever else its first mapping needed). */
	n = kpre.n;
	a[0] = 0;
	a[1] = L4_FpageAddRights(L4_FpageLog2(window, 12), L4_FullyAccessible).raw;
	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_UNMAP, 2, a)));
	/* Given back: the agent's very next access to its code or stack
	 * asked for that page table again, before it could answer. */
	CHECK_EQ(kpre.n, n + 1);
	RUN(t_kplog_fault_was(&kpre, n % T_KPLOG_LOG, t, LENT_KMEM_PT, cid));
	CHECK(t_ag_ok(rt_agent_cmd(t, RT_AG_READ, 1, &window)));
	CHECK_EQ(rt_mr(1), 0);
	RUN(kpre_agent_works_unaided(t, data));
	CHECK_EQ(kpre.n, n + 1);
	return kpre_end(t);
}

/* A string transfer stopped at a fault on the receiver's buffer: while
 * its pager has not answered, the receiver's kpager takes back its page
 * directory and the page table of its code.  The pager's map, the
 * transfer going on and the receiver's return all bring them back; the
 * string arrives whole and both sides see success. */
static const char *t_kpreempt_tables_taken_mid_transfer(void)
{
	static const char text[] = "a transfer outlives the tables of its receiver";
	L4_ThreadId_t t, from;
	L4_Word_t data, buf = 0x58000000UL, sec;
	int skip;

	RUN(kpre_begin(&t, &data, &skip));
	L4_Word_t *page = (L4_Word_t *)rt_get_pages(1);
	CHECK(page != 0);
	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		page[i] = 0;
	L4_Word_t a[2] = { buf, 64 };
	L4_StringItem_t s = L4_StringItem(sizeof(text), (void *)text);
	L4_Word_t items[2] = { s.raw[0], s.raw[1] };
	CHECK(rt_agent_post(t, RT_AG_RECV_STRING, 2, a));
	CHECK(!L4_IsNilThread(t_send_async(t, t_tag(0x68, 0, 2), items, 0)));
	L4_MsgTag_t tag = rt_agent_result(t, &from);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, t.raw);
	CHECK_EQ(rt_mr(1), buf);
	L4_Word_t n = kpre.n;
	if (!skip) {
		RUN(kpre_take_back(kpre_page_of(LENT_KMEM_PDIR, LENT_CID_PDIR)));
		RUN(kpre_take_back(kpre_page_of(LENT_KMEM_PT, lent_cid_pt(data))));
	}
	CHECK(t_kpre_reply_map(t, L4_FpageLog2((L4_Word_t)page, 12), buf));
	tag = rt_agent_result(t, 0);
	CHECK(t_ag_ok(tag));
	CHECK_EQ(rt_mr(2), 0);                          /* the receive's error: none */
	t_send_async_wait(&tag, &sec);
	CHECK_EQ(sec, 0);
	for (unsigned i = 0; i < sizeof(text); i++)
		CHECK_EQ(((const char *)page)[i], text[i]);
	if (!skip) {
		/* The directory first, then the region's table, once each (and
		 * whatever the buffer's fresh region needed). */
		CHECK(kpre.n >= n + 2);
		RUN(t_kplog_fault_was(&kpre, n % T_KPLOG_LOG, t, LENT_KMEM_PDIR, LENT_CID_PDIR));
	}
	RUN(kpre_agent_works_unaided(t, data));
	return kpre_end(t);
}

/* The task record is not taken back (docs/kernel-memory.md, "Why the
 * record is not taken back"): the Unmap leaves the frame lent and
 * counted, the task works on with no kernel page fault, and the record
 * goes back zeroed only when the task dies. */
static const char *t_kpreempt_task_record_kept(void)
{
	L4_ThreadId_t t;
	L4_Word_t data;

	/* The record is lent by the creator's kpager: ours, for now. */
	RUN(kpre_start());
	t_until(&kpre.up, 1);
	L4_Word_t root_kpager = lent_kmem_control(0, LENT_KMEM_GET_KPAGER, 0);
	CHECK(root_kpager != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SET_KPAGER, kpre_thread.raw), 1);
	const char *made = kpre_task(&t, &data);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SET_KPAGER, root_kpager), 1);
	RUN(made);
	if (!kpre_lends())
		return kpre_end(t);
	L4_Word_t record = kpre_page_of(LENT_KMEM_TASK, LENT_CID_TASK), n = kpre.n;
	CHECK(record != 0);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(record, 12), L4_FullyAccessible));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, record), 1);
	CHECK_EQ(t_kplog_count(t, LENT_KMEM_TASK), 1);
	RUN(kpre_agent_works_unaided(t, data));
	CHECK_EQ(kpre.n, n);
	RUN(kpre_end(t));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, record), 0);
	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		CHECK_EQ(((volatile L4_Word_t *)record)[i], 0);
	return 0;
}

const struct test kpreempt_tests[] = {
	TEST(kpreempt_tables_taken_mid_transfer),
	TEST(kpreempt_granted_page_taken_back_by_new_holder),
	TEST(kpreempt_unused_pages_taken_back),
	TEST(kpreempt_thread_made_after_tables_taken),
	TEST(kpreempt_page_table_vacant_and_refilled),
	TEST(kpreempt_kip_and_utcb_table),
	TEST(kpreempt_page_directory_of_live_task),
	TEST(kpreempt_all_tables_twice),
	TEST(kpreempt_refused_directory_halts),
	TEST(kpreempt_task_record_kept),
	{ 0 }
};
