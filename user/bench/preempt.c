/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * preempt_restore_<kind>_<n>: what it costs to take one kernel page of a
 * kind back from a task and to have it back, with n live mappings in the
 * task's 4 MB region of PR_BASE.  A child task whose kpager is
 * kpager/preempt.c maps n pages there (main is its pager), then tells
 * main; main has the kpager take back the page lent at the kind's
 * content identifier (an Unmap of its own page: the kernel exports the
 * page, the kpager keeps a copy); the child then touches its n pages
 * again, which brings the page back (the kernel's page fault to the
 * kpager, the kpager's copy into a page and its answer) and puts back
 * what the kernel knows.  The figure is the instructions from main's
 * take-back to the child's last touch, everything in between included
 * (the kpager's copying, the switches, the faults).  No page fault may
 * reach main in the second part: the kernel puts the translations back
 * itself.
 *
 * A page table goes back vacant, so its cost grows with the mappings
 * that fault back in; a page directory does too, but the page tables it
 * held are linked again as they are, so it costs the same at any n.
 */
#include "bench.h"
#include "../../kpager/kpager.h"

#define PR_BASE		0x60000000UL	/* a region no rt task uses */
#define PR_POOL		40
#define LABEL_READY	0xf171
#define LABEL_DONE	0xf172

static struct kpager_preempt pr_kp;
static L4_Word_t pr_pool, pr_store;
static unsigned char pr_src[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));

static void toucher(L4_Word_t n)
{
	L4_Word64_t t;
	L4_Word_t w[2];

	for (L4_Word_t i = 0; i < n; i++)
		(void)*(volatile unsigned char *)(PR_BASE + i * RT_PAGE_SIZE);
	rt_msg(LABEL_READY, 0, 0);
	(void)L4_Call(rt_main_thread());
	for (L4_Word_t i = 0; i < n; i++)
		(void)*(volatile unsigned char *)(PR_BASE + i * RT_PAGE_SIZE);
	/* When the last touch was done: rdtsc counts every thread's
	 * instructions alike under -icount, so main subtracts its start. */
	t = bench_rdtsc();
	w[0] = (L4_Word_t)t;
	w[1] = (L4_Word_t)(t >> 32);
	rt_msg(LABEL_DONE, 2, w);
	(void)L4_Send(rt_main_thread());
}

/* Map what the child touches in PR_BASE's region (the same page at each
 * address), image pages as rt does; return the first other message. */
static L4_MsgTag_t serve(L4_ThreadId_t c, L4_Word_t *faults)
{
	L4_ThreadId_t got;
	L4_MsgTag_t tag;

	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Receive_Timeout(c, rt_us(20000000));
	while (L4_IpcSucceeded(tag) && rt_is_pagefault(tag)) {
		L4_Word_t addr = rt_mr(1);

		if (rt_image_contains(addr)) {
			rt_load_page_reply(addr, L4_Label(tag) & 7);
		} else if (addr >= PR_BASE && addr < PR_BASE + 0x400000UL) {
			bench_load_map_reply((L4_Word_t)pr_src, addr);
			(*faults)++;
		} else {
			break;
		}
		tag = L4_Ipc(c, c, L4_Timeouts(L4_ZeroTime, rt_us(20000000)), &got);
	}
	return tag;
}

int bench_preempt_restore(unsigned kind, L4_Word_t n, L4_Word_t *result)
{
	L4_Word_t ip, sp, faults = 0, cid = kind == LENT_KMEM_PDIR ? LENT_CID_PDIR :
							   lent_cid_pt(PR_BASE);
	L4_ThreadId_t kp, c;
	L4_MsgTag_t tag;

	if (!pr_pool) {
		pr_pool = rt_get_pages(PR_POOL);
		pr_store = rt_get_pages(PREEMPT_RECORDS);
		if (!pr_pool || !pr_store) {
			rt_set_last_error(L4_ErrNoMem);
			return 0;
		}
	}
	pr_src[0] = 1;
	kp = preempt_start(&pr_kp, pr_pool, PR_POOL, pr_store, 1);
	if (L4_IsNilThread(kp))
		return 0;
	c = rt_task_prepare_kpager(toucher, n, L4_Myself(), kp, &ip, &sp);
	if (L4_IsNilThread(c) || !rt_start_message(c, ip, sp))
		return 0;
	tag = serve(c, &faults);
	if (L4_IpcFailed(tag) || L4_Label(tag) != LABEL_READY || faults != n) {
		rt_set_last_error(0xe1);
		return 0;
	}
	L4_Word64_t t0 = bench_rdtsc();
	L4_Word_t taken = preempt_take_back_cid(&pr_kp, 1, cid);
	L4_Word_t take = (L4_Word_t)(bench_rdtsc() - t0);
	L4_LoadMR(0, 0);
	faults = 0;
	tag = L4_Reply(c);
	if (L4_IpcSucceeded(tag))
		tag = serve(c, &faults);
	if (L4_IpcFailed(tag) || L4_Label(tag) != LABEL_DONE || faults || taken != 1 ||
	    pr_kp.restored != 1) {
		rt_set_last_error(0xe2);
		return 0;
	}
	L4_Word64_t end = ((L4_Word64_t)rt_mr(2) << 32) | rt_mr(1);
	*result = (L4_Word_t)(end - t0);
	printf("# preempt_restore %s %lu: take back %lu, then until the last touch %lu "
	       "instructions\n", bench_kind_name(kind), n, take, *result - take);
	return 1;
}
