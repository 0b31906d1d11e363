/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hostile run's shared mappings (t_kpreempt_work.c): the hostile
 * kpager's client A and the other subsystem's task O (under an FCFS
 * kpager of its own) map pages to each other, so that a node page or
 * table of A's that the hostile kpager edits holds real edges to O:
 *   main -> A at KS_A_SHARE (the share page, all rights),
 *   A -> O at KS_FROM_A (read-only): A's sender part, O's record;
 *   O -> A at KS_FROM_O (read-only, O's page with the sentinel): O's
 *   sender part, A's record.
 * After each step O checks that none of its mappings appeared (KS_EMPTY
 * faults), widened (a write to KS_FROM_A faults, the share page keeps its
 * word) or, but for the one from A, went (t_kpreempt_work.c reads its
 * sentinel page); the one from A may go (A could have unmapped it: that
 * is counted, not a failure) but reads only the share page's word; A's
 * write to O's page faults, and O's page keeps the sentinel.  Faults are
 * answered with a scratch page, which main unmaps again at the end.
 */
#include "t_kpreempt_share.h"
#include "t_kpreempt.h"
#include <lent/kmem.h>
#include "t_pool.h"

#define KS_WORD		0x5a4a12e5UL     /* the share page's first word */
#define KS_WRITE	0x77UL           /* what t_ag_faults writes */

static L4_Word_t ks_share, ks_scratch;

L4_Word_t ks_stash(void)
{
	return t_pool(T_POOL_KW_STASH, 1);
}

const char *ks_start(void)
{
	ks_share = t_pool(T_POOL_KW_SHARE, 1);
	ks_scratch = t_pool(T_POOL_KW_SCRATCH, 1);
	CHECK(ks_share && ks_scratch);
	*(volatile L4_Word_t *)ks_share = KS_WORD;
	*(volatile L4_Word_t *)ks_scratch = 0;
	return 0;
}

/* from sends its page at fva, read-only, to to's window at tva.  A
 * send that fails (the hostile kpager's client may have lost what it
 * sends, or its kernel memory) is counted; to's receive is ended. */
static const char *ks_pass(L4_ThreadId_t from, L4_ThreadId_t to, L4_Word_t fva, L4_Word_t tva,
			   L4_Word_t *failed)
{
	L4_MapItem_t m = t_map_item(fva, 12, L4_Readable, 0);
	L4_Word_t w[4] = { to.raw, t_tag(0x6b, 0, 2).raw, m.raw[0], m.raw[1] };

	RUN(t_ag_accept(to, tva, 12));
	CHECK(rt_agent_post(to, RT_AG_RECV, 0, 0));
	CHECK(rt_agent_post(from, RT_AG_SEND, 4, w));
	CHECK(t_ag_ok(rt_agent_result(from, 0)));
	if (rt_mr(2)) {
		++*failed;
		rt_msg(0x6c, 0, 0);
		(void)L4_Send(to);
	}
	CHECK(t_ag_ok(rt_agent_result(to, 0)));
	return 0;
}

/* ag accesses va (a write of KS_WRITE if write): *faulted says whether it
 * faulted to main, which answers with page (the rights the access needs
 * only: a read's answer must not let a later write through); the word
 * read is in *word. */
static const char *ks_access_page(L4_ThreadId_t ag, L4_Word_t va, int write, L4_Word_t page,
				  int *faulted, L4_Word_t *word)
{
	L4_Word_t a[2] = { va, KS_WRITE };
	L4_MsgTag_t tag;

	CHECK(rt_agent_post(ag, write ? RT_AG_WRITE : RT_AG_READ, write ? 2 : 1, a));
	tag = rt_agent_result(ag, 0);
	*faulted = rt_is_pagefault(tag);
	if (*faulted) {
		L4_MapItem_t m = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12),
							      write ? L4_ReadWriteOnly : L4_Readable), va);
		CHECK_EQ(rt_mr(1) & ~(RT_PAGE_SIZE - 1), va);
		L4_LoadMR(0, (L4_MsgTag_t){ .X.t = 2 }.raw);
		L4_LoadMR(1, m.raw[0]);
		L4_LoadMR(2, m.raw[1]);
		CHECK(L4_IpcSucceeded(L4_Reply(ag)));
		tag = rt_agent_result(ag, 0);
	}
	CHECK(t_ag_ok(tag));
	*word = rt_mr(1);
	return 0;
}

static const char *ks_access(L4_ThreadId_t ag, L4_Word_t va, int write, int *faulted,
			     L4_Word_t *word)
{
	return ks_access_page(ag, va, write, ks_scratch, faulted, word);
}

const char *ks_link(L4_ThreadId_t a, L4_ThreadId_t o, struct ks_count *c)
{
	L4_Word_t word;
	int faulted;

	/* A's share page: where it is gone, its pager (main) maps it again
	 * at A's fault. */
	RUN(ks_access_page(a, KS_A_SHARE, 0, ks_share, &faulted, &word));
	CHECK_EQ(word, KS_WORD);
	RUN(ks_pass(a, o, KS_A_SHARE, KS_FROM_A, &c->link_failed));
	return ks_pass(o, a, KS_O_PAGE, KS_FROM_O, &c->link_failed);
}

const char *ks_check(L4_ThreadId_t a, L4_ThreadId_t o, L4_Word_t o_page, struct ks_count *c)
{
	L4_Word_t word;
	int faulted;

	/* O's mapping from A: the share page's word, or gone. */
	RUN(ks_access(o, KS_FROM_A, 0, &faulted, &word));
	if (faulted)
		c->lost++;
	else if (word != KS_WORD)
		c->foreign++;
	/* Never writable; the share page keeps its word. */
	RUN(ks_access(o, KS_FROM_A, 1, &faulted, &word));
	if (!faulted)
		c->foreign++;
	/* Nothing appears where O accepted nothing. */
	RUN(ks_access(o, KS_EMPTY, 0, &faulted, &word));
	if (!faulted)
		c->foreign++;
	/* A's mapping from O: O's sentinel page or gone, never writable. */
	RUN(ks_access(a, KS_FROM_O, 0, &faulted, &word));
	if (!faulted && word != *(volatile L4_Word_t *)o_page)
		c->foreign++;
	RUN(ks_access(a, KS_FROM_O, 1, &faulted, &word));
	if (!faulted)
		c->foreign++;
	if (*(volatile L4_Word_t *)ks_share != KS_WORD)
		c->foreign++;
	c->checks++;
	/* The scratch page's mappings go again. */
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(ks_scratch, 12), L4_FullyAccessible));
	return 0;
}

void ks_foreign(L4_ThreadId_t o, L4_Word_t root_page, L4_Word_t *task, L4_Word_t *va)
{
	L4_Word_t oid = lent_kmem_control(o.raw, LENT_KMEM_TASK_ID, 0);

	task[0] = task[1] = task[2] = oid;
	va[0] = KS_FROM_A;
	va[1] = KS_EMPTY;
	va[2] = KS_O_PAGE;
	task[3] = lent_kmem_control(L4_Myself().raw, LENT_KMEM_TASK_ID, 0);
	va[3] = root_page;
}
