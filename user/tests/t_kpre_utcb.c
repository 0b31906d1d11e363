/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A kpager takes back a UTCB page it lent (docs/kernel-memory.md, "UTCB
 * pages"): the kernel gives the page back as it is, with the UTCBs of
 * the threads in it, and asks for it again, at the same content
 * identifier, when a thread of the page enters the kernel, touches its
 * UTCB, or is the partner of an IPC.  The test kpager (a thread of the
 * root) then lends a copy of what it got, in another frame, edited where
 * a test says so.  No page fault for the UTCB reaches the task's pager
 * (main, which rt_serve()s the child with the UTCB area watched, or rt's
 * pager thread, which counts faults outside the image), and no message
 * word is lost.  In a KMEM=pool kernel nothing is lent and the tests say so.
 * The page taken back around IPC is t_kpre_utcb_ipc.c.
 */
#include "t_kpreempt.h"
#include "t_kplog.h"
#include "t_kpre_utcb_int.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"
#include "t_sync.h"

#define KU_POOL		16
volatile struct t_kplog ku;
static volatile L4_Word_t ku_restore;    /* a UTCB fault gets this page */
static L4_Word_t ku_count;               /* the task's UTCB pages before */
static L4_ThreadId_t ku_kpager;
static L4_Word_t ku_unhandled;           /* rt's pager's count at the start */

/* The logging kpager of t_kplog.c, but a UTCB page is answered with the
 * copy the test prepared in ku_restore, once. */
static void ku_loop(L4_Word_t arg)
{
	(void)arg;
	L4_ThreadId_t from;
	L4_Word_t ec;

	ku.up = 1;
	for (;;) {
		L4_MsgTag_t tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		L4_Word_t i = ku.n % T_KPLOG_LOG, kind = rt_mr(2);
		ku.cid[i] = rt_mr(1);
		ku.fkind[i] = kind;
		ku.task[i] = rt_mr(3);
		ku.n++;
		if (kind == LENT_KMEM_UTCB && ku_restore) {
			ku.page[i] = ku_restore;
			ku_restore = 0;
		} else {
			ku.page[i] = t_kplog_take(&ku);
		}
		if (!kpager_answer(from, ku.page[i], &ec))
			ku.failed++;
	}
}

/* The child: says hello to main with MR1..8 (and MR9) set, then per
 * mode. */
static void ku_child(L4_Word_t arg)
{
	(void)arg;
	L4_Word_t mode = t_shared[KU_MODE], w[KU_WORDS + 2];
	L4_ThreadId_t main_thread = { .raw = t_shared[KU_MAIN] };

	for (unsigned i = 1; i <= KU_WORDS; i++)
		L4_LoadMR(i, KU_OLD(i));
	L4_LoadMR(9, KU_MR9);
	L4_LoadMR(0, L4_MsgTagAddLabel((L4_MsgTag_t){ .X.u = KU_WORDS }, KU_HELLO).raw);
	L4_MsgTag_t tag = L4_Call(main_thread);
	if (mode == KU_WAIT) {
		/* Receive from a partner that goes meanwhile: its error, and
		 * the ErrorCode that says which. */
		t_shared[KU_SPIN] = 1;
		tag = L4_Receive((L4_ThreadId_t){ .raw = t_shared[KU_PARTNER] });
		w[0] = L4_IpcFailed(tag);
		w[1] = L4_ErrorCode();
		L4_LoadMRs(1, 2, w);
		L4_LoadMR(0, L4_MsgTagAddLabel((L4_MsgTag_t){ .X.u = 2 }, KU_DATA).raw);
		(void)L4_Call(main_thread);
		for (;;)
			L4_Sleep(L4_Never);
	}
	if (mode == KU_IDLE) {
		t_shared[KU_SPIN] = 1;
		while (!t_shared[KU_GO])
			;
	}
	if (mode == KU_RECV) {
		/* Echo what the reply brought, MR9 and MyGlobalId. */
		for (unsigned i = 1; i <= KU_WORDS; i++)
			L4_StoreMR(i, &w[i - 1]);
		L4_StoreMR(9, &w[KU_WORDS]);
		w[KU_WORDS + 1] = L4_MyGlobalId().raw;
		L4_LoadMRs(1, KU_WORDS + 2, w);
		L4_LoadMR(0, L4_MsgTagAddLabel((L4_MsgTag_t){ .X.u = KU_WORDS + 2 }, KU_DATA).raw);
	} else {
		for (unsigned i = 1; i <= KU_WORDS; i++)
			L4_LoadMR(i, KU_NEW(i));
		L4_LoadMR(0, L4_MsgTagAddLabel((L4_MsgTag_t){ .X.u = KU_WORDS }, KU_DATA).raw);
	}
	(void)tag;
	if (mode == KU_SEND) {
		t_shared[KU_SPIN] = 1;
		(void)L4_Send(main_thread);
	}
	else
		(void)L4_Call(main_thread);
	for (;;)
		L4_Sleep(L4_Never);
}

/* A UTCB page is lent in this kernel (not KMEM=pool). */
static int ku_lends(void)
{
	return (lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) >> LENT_KMEM_UTCB) & 1;
}

/* The page our kpager lent for the page of kind at cid, or 0. */
static L4_Word_t ku_lent_for(unsigned kind, L4_Word_t cid)
{
	L4_Word_t n = ku.n < T_KPLOG_LOG ? ku.n : T_KPLOG_LOG;

	for (L4_Word_t i = 0; i < n; i++)
		if (ku.fkind[i] == kind && ku.cid[i] == cid && ku.page[i] &&
		    lent_kmem_control(0, LENT_KMEM_LENT, ku.page[i]))
			return ku.page[i];
	return 0;
}

static L4_Word_t ku_page_of(L4_Word_t cid)
{
	return ku_lent_for(LENT_KMEM_UTCB, cid);
}

static L4_ThreadId_t ku_pager(L4_Word_t mode)
{
	return mode == KU_RECV ? L4_Myself() : rt_pager_start();
}

/* Kpager, child in mode, its hello received (MR1..8 = KU_OLD). */
const char *ku_begin(L4_ThreadId_t *c, enum ku_mode mode, int *skip)
{
	L4_ThreadId_t from;

	t_kplog_reset(&ku, T_KPLOG_SERVE, 0);
	ku_restore = 0;
	if (!ku.pool) {
		ku.pool = rt_get_pages(KU_POOL);
		CHECK(ku.pool != 0);
		ku.pages = KU_POOL;
	}
	ku_kpager = rt_thread_create(ku_loop, 0);
	CHECK(!L4_IsNilThread(ku_kpager));
	t_shared[KU_MODE] = mode;
	t_shared[KU_MAIN] = L4_Myself().raw;
	/* Its pager: main where it blocks in its hello (KU_RECV); else rt's
	 * pager thread, which serves its faults on new code while main waits
	 * for it to block, and counts any other (rt_pager_unhandled). */
	ku_unhandled = rt_pager_unhandled;
	RUN(t_kpre_start_paged(c, ku_kpager, ku_pager(mode), ku_child));
	rt_watch(RT_UTCB_AREA_BASE, RT_UTCB_AREA_BASE + (1UL << RT_UTCB_AREA_LOG2));
	L4_MsgTag_t tag = rt_serve(*c, RT_NEVER_US, &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), KU_HELLO);
	CHECK_EQ(L4_UntypedWords(tag), KU_WORDS);
	for (unsigned i = 1; i <= KU_WORDS; i++)
		CHECK_EQ(rt_mr(i), KU_OLD(i));
	*skip = !ku_lends();
	return 0;
}

/* Take the child's UTCB page back: no longer lent, counted off, and
 * holding the child's UTCB as it was (its self-pointer, MyGlobalId and
 * the MRs it loaded).  *copy: another page of the pool with the same
 * bytes, which the kpager lends when the UTCB is asked for again; *n:
 * the kpager's log entry that will be. */
const char *ku_take_back(L4_ThreadId_t c, L4_Word_t *old, L4_Word_t *copy, L4_Word_t *n)
{
	*old = ku_page_of(KU_UTCB_CID);
	CHECK(*old != 0);
	ku_count = t_kplog_count(c, LENT_KMEM_UTCB);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(*old, 12), L4_FullyAccessible));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, *old), 0);
	CHECK_EQ(t_kplog_count(c, LENT_KMEM_UTCB), ku_count - 1);
	const volatile L4_Word_t *u = (const volatile L4_Word_t *)(*old + 256);  /* MR0 */
	CHECK_EQ(u[-64], RT_UTCB_AREA_BASE + 256);         /* self-pointer */
	CHECK_EQ(u[-60 / 4], c.raw);                       /* MyGlobalId */
	CHECK_EQ(u[-48 / 4], ku_pager(t_shared[KU_MODE]).raw);   /* Pager */
	CHECK_EQ(u[9], KU_MR9);
	/* MR1..8: what it sent last (KU_NEW in KU_SEND), or its hello's. */
	for (unsigned i = 1; i <= KU_WORDS; i++)
		CHECK_EQ(u[i], t_shared[KU_MODE] == KU_SEND ? KU_NEW(i) : KU_OLD(i));
	*copy = t_kplog_take(&ku);
	CHECK(*copy != 0 && *copy != *old);
	for (unsigned i = 0; i < RT_PAGE_SIZE / sizeof(L4_Word_t); i++)
		((volatile L4_Word_t *)*copy)[i] = ((const volatile L4_Word_t *)*old)[i];
	*n = ku.n;
	ku_restore = *copy;
	return 0;
}

/* The kpager lent the copy, in place of the old frame, for exactly the
 * UTCB page, once since log entry n; the count is back. */
const char *ku_came_back(L4_ThreadId_t c, L4_Word_t n, L4_Word_t old, L4_Word_t copy)
{
	CHECK_EQ(ku.n, n + 1);
	RUN(t_kplog_fault_was(&ku, n % T_KPLOG_LOG, c, LENT_KMEM_UTCB, KU_UTCB_CID));
	CHECK_EQ(ku.page[n % T_KPLOG_LOG], copy);
	CHECK_EQ(ku.failed, 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, copy), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, old), 0);
	CHECK_EQ(t_kplog_count(c, LENT_KMEM_UTCB), ku_count);
	return 0;
}

/* A message from c of label KU_DATA, no page fault before it. */
const char *ku_data(L4_ThreadId_t c, L4_Word_t words)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag = rt_serve(c, RT_NEVER_US, &from);

	CHECK(L4_IpcSucceeded(tag));
	CHECK(!rt_is_pagefault(tag));
	CHECK_EQ(L4_Label(tag), KU_DATA);
	CHECK_EQ(L4_UntypedWords(tag), words);
	CHECK_EQ(from.raw, c.raw);
	return 0;
}

const char *ku_end(L4_ThreadId_t c)
{
	rt_watch(0, 0);
	CHECK_EQ(rt_pager_unhandled, ku_unhandled);
	CHECK_EQ(L4_ThreadControl(c, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return 0;
}

/* Reply to c's call with KU_NEW(1..8). */
static int ku_reply8(L4_ThreadId_t c)
{
	for (unsigned i = 1; i <= KU_WORDS; i++)
		L4_LoadMR(i, KU_NEW(i));
	L4_LoadMR(0, (L4_MsgTag_t){ .X.u = KU_WORDS }.raw);
	return L4_IpcSucceeded(L4_Reply(c));
}

/* main replies KU_NEW(1..8) to c (KU_RECV), which echoes them with its
 * MR9 and MyGlobalId. */
const char *ku_echo(L4_ThreadId_t c)
{
	CHECK(ku_reply8(c));
	RUN(ku_data(c, KU_WORDS + 2));
	for (unsigned i = 1; i <= KU_WORDS; i++)
		CHECK_EQ(rt_mr(i), KU_NEW(i));
	return 0;
}

/* A child in KU_RECV waiting for main's reply; skip: nothing is lent. */
const char *ku_recv_begin(L4_ThreadId_t *c, int *skip)
{
	RUN(ku_begin(c, KU_RECV, skip));
	CHECK(t_waiting(*c));
	return 0;
}

/* In a kernel that lends nothing: the child echoes, and goes. */
const char *ku_skipped(L4_ThreadId_t c)
{
	RUN(ku_echo(c));
	return ku_end(c);
}

/* The kpager changes MR9 in the page it lends back (the thread sees it:
 * its own data) and forges MyGlobalId and the self-pointer (the kernel
 * writes both again: the thread still knows itself, and its message
 * comes from its real ID). */
static const char *t_kpre_utcb_kpager_edits(void)
{
	L4_ThreadId_t c;
	L4_Word_t old, copy;
	int skip;

	RUN(ku_recv_begin(&c, &skip));
	if (skip)
		return ku_skipped(c);
	L4_Word_t n;
	RUN(ku_take_back(c, &old, &copy, &n));
	volatile L4_Word_t *u = (volatile L4_Word_t *)(copy + 256);
	u[9] = KU_EDIT;
	u[-60 / 4] = rt_main_thread().raw;
	u[-64] = 0x1000;
	RUN(ku_echo(c));
	CHECK_EQ(rt_mr(KU_WORDS + 1), KU_EDIT);
	CHECK_EQ(rt_mr(KU_WORDS + 2), c.raw);
	RUN(ku_came_back(c, n, old, copy));
	return ku_end(c);
}

/* Taken back twice: each time the kernel gives back the frame it holds
 * now, and takes the UTCB in yet another one; the thread goes on. */
static const char *t_kpre_utcb_back_in_other_frames(void)
{
	L4_ThreadId_t c;
	L4_Word_t old, copy, again, copy2;
	int skip;

	RUN(ku_recv_begin(&c, &skip));
	if (skip)
		return ku_skipped(c);
	L4_Word_t n;
	RUN(ku_take_back(c, &old, &copy, &n));
	/* Lend the copy back through ExchangeRegisters on c (main is its
	 * pager): reading its UserDefinedHandle needs its UTCB. */
	L4_Word_t ctl, sp, ip, fl, handle;
	L4_ThreadId_t pager;
	(void)L4_ExchangeRegisters(c, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &ctl, &sp,
				   &ip, &fl, &handle, &pager);
	CHECK_EQ(pager.raw, L4_Myself().raw);
	RUN(ku_came_back(c, n, old, copy));
	/* Again, from the copy. */
	RUN(ku_take_back(c, &again, &copy2, &n));
	CHECK_EQ(again, copy);
	RUN(ku_echo(c));
	CHECK_EQ(rt_mr(KU_WORDS + 1), KU_MR9);
	RUN(ku_came_back(c, n, copy, copy2));
	return ku_end(c);
}

/* A second thread of the task with its UTCB in the next page: while the
 * first one's page is away it makes an IPC of 8 words with no kernel
 * page fault at all. */
static const char *t_kpre_utcb_other_threads_unaffected(void)
{
	L4_ThreadId_t c, c2, from;
	L4_Word_t old, copy;
	int skip;

	RUN(ku_recv_begin(&c, &skip));
	c2 = rt_tid_alloc();
	CHECK(!L4_IsNilThread(c2));
	CHECK_EQ(L4_ThreadControl(c2, c, L4_Myself(), L4_Myself(), (void *)KU_UTCB2), 1);
	void *stack = rt_stack_alloc();
	CHECK(stack != 0);
	rt_tid_attach(c2, stack, 0);
	(void)L4_Set_Priority(c2, RT_PRIORITY);
	L4_Word_t n = ku.n, count = t_kplog_count(c, LENT_KMEM_UTCB), back = 0;
	if (!skip)
		RUN(ku_take_back(c, &old, &copy, &back));
	/* c2 says hello with 8 words and waits for its reply. */
	t_shared[KU_MODE] = KU_IDLE;
	CHECK(rt_start_message(c2, (L4_Word_t)ku_child, rt_stack_frame(stack, 0)));
	L4_MsgTag_t tag = rt_serve(c2, RT_NEVER_US, &from);
	CHECK(L4_IpcSucceeded(tag) && !rt_is_pagefault(tag));
	CHECK_EQ(L4_Label(tag), KU_HELLO);
	CHECK_EQ(from.raw, c2.raw);
	for (unsigned i = 1; i <= KU_WORDS; i++)
		CHECK_EQ(rt_mr(i), KU_OLD(i));
	CHECK_EQ(ku.n, n);                /* no kernel page fault */
	CHECK_EQ(t_kplog_count(c, LENT_KMEM_UTCB), count - !skip);
	CHECK_EQ(L4_ThreadControl(c2, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	/* The first thread gets its page back with its reply. */
	RUN(ku_echo(c));
	if (!skip)
		RUN(ku_came_back(c, back, old, copy));
	return ku_end(c);
}

/* The page directory taken back first, then the UTCB page: the entry
 * of the UTCB page in its page table (still lent, linked again when the
 * directory comes back) must go too, or the thread would reach the old
 * frame, the kpager's now.  Its reply's words reach it in the new one,
 * and the task's end gives back only what is lent. */
static const char *t_kpre_utcb_with_page_directory(void)
{
	L4_ThreadId_t c;
	L4_Word_t old, copy;
	int skip;

	RUN(ku_recv_begin(&c, &skip));
	if (skip)
		return ku_skipped(c);
	L4_Word_t pdir = ku_lent_for(LENT_KMEM_PDIR, LENT_CID_PDIR);
	CHECK(pdir != 0);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(pdir, 12), L4_FullyAccessible));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, pdir), 0);
	L4_Word_t n;
	RUN(ku_take_back(c, &old, &copy, &n));
	RUN(ku_echo(c));
	CHECK_EQ(rt_mr(KU_WORDS + 2), c.raw);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, old), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, copy), 1);
	/* The old frame holds the UTCB as it went, untouched since. */
	CHECK_EQ(((volatile L4_Word_t *)old)[64 + 1], KU_OLD(1));
	return ku_end(c);
}

/* The thread's receive fails while its UTCB page is away (its partner
 * is deleted): ErrorCode is kept, and the thread reads it from its UTCB
 * once the page is back. */
static const char *t_kpre_utcb_error_while_away(void)
{
	L4_ThreadId_t c, x;
	L4_Word_t old, copy, n = 0;
	int skip;

	/* The partner: a thread of the root that never runs. */
	x = rt_tid_alloc();
	CHECK(!L4_IsNilThread(x));
	CHECK_EQ(L4_ThreadControl(x, L4_Myself(), L4_Myself(), L4_nilthread, (void *)-1), 1);
	t_shared[KU_PARTNER] = x.raw;
	RUN(ku_begin(&c, KU_WAIT, &skip));
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(c)));
	t_until(&t_shared[KU_SPIN], 1);
	CHECK(t_waiting(c));
	if (!skip)
		RUN(ku_take_back(c, &old, &copy, &n));
	CHECK_EQ(L4_ThreadControl(x, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	RUN(ku_data(c, 2));
	CHECK_EQ(rt_mr(1), 1);
	CHECK_EQ(rt_mr(2), EC_RECV(2));          /* non-existing partner */
	if (!skip)
		RUN(ku_came_back(c, n, old, copy));
	return ku_end(c);
}

const struct test kpre_utcb_tests[] = {
	TEST(kpre_utcb_idle_then_ipc_8_words),
	TEST(kpre_utcb_taken_in_receive),
	TEST(kpre_utcb_sender_blocked),
	TEST(kpre_utcb_kpager_edits),
	TEST(kpre_utcb_back_in_other_frames),
	TEST(kpre_utcb_other_threads_unaffected),
	TEST(kpre_utcb_with_page_directory),
	TEST(kpre_utcb_error_while_away),
	{ 0 }
};
