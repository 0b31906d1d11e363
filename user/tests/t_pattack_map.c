/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile tests of the preemption points (kernel/preempt.h), part three:
 * map operations stopped in the middle and poked from outside, caught
 * as t_pattack_xfer.c says: a pager's big reply to a page fault, and a
 * mapping whose walk up a deep tree of ancestors stops at preemption
 * points.
 */
#include "t_preempt.h"
#include "t_sync.h"

/* ---- a pager's big reply stopped, then aborted ---- */

/*
 * Task X's pager P (a low-priority root thread) answers every fault with
 * one map item of the root's 4 MB around its image, which X receives as
 * the kernel's page-fault IPC.  X faults in a loop (on an alias of the
 * image at PF_ALIAS, unmapped again after each read) with known values
 * in ESI and EAX.  Main catches P stopped in the middle of such a reply
 * and sends P elsewhere (ExchangeRegisters, new IP), which ends the
 * transfer.  X made no IPC of its own: its fault simply recurs, and its
 * registers stay as they were.
 */
#define PF_REGION	0x400000UL
#define PF_ALIAS	0x800000UL	/* X: the region again, 4 MB up */
#define PF_TARGET	(PF_ALIAS + (RT_IMAGE_BASE - PF_REGION))
#define PF_ESI		0x5eed5eedUL
#define PF_EAX		0xa11ce000UL
enum { PF_IN = 16, PF_FAULT, PF_MOVED, PF_ROUNDS, PF_STOP, PF_X_DONE, PF_CLOBBERED, PF_BADREAD,
       PF_EXPECT };

static struct { L4_ThreadId_t x; L4_Word_t ip, sp; } pf;

static void pf_reply(L4_Word_t addr)
{
	L4_MapItem_t m = t_map_item(PF_REGION, 22, L4_FullyAccessible, addr);

	t_load(0, 0, 0, 2, m.raw);
	t_shared[PF_IN] = 1;
	(void)L4_Send_Timeout(pf.x, rt_us(200000));
	t_shared[PF_IN] = 0;
}

static void pf_serve(void)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	for (;;) {
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || !rt_is_pagefault(tag) || from.raw != pf.x.raw)
			continue;
		t_shared[PF_FAULT] = rt_mr(1);
		pf_reply(t_shared[PF_FAULT]);
	}
}

static void pf_pager(L4_Word_t arg)
{
	(void)arg;
	if (rt_start_message(pf.x, pf.ip, pf.sp))
		pf_serve();
}

/* Where main sends P: answer the fault again (X may still wait for it),
 * then serve on. */
static void pf_moved(void)
{
	t_shared[PF_MOVED] = 1;
	pf_reply(t_shared[PF_FAULT]);
	pf_serve();
}

static void pf_victim(L4_Word_t arg)
{
	L4_Fpage_t alias = L4_FpageLog2(PF_ALIAS, 22);
	L4_Word_t esi, eax, word;

	(void)arg;
	L4_Set_Rights(&alias, L4_FullyAccessible);
	while (!t_shared[PF_STOP]) {
		__asm__ __volatile__("movl %4, %%esi\n\tmovl %5, %%eax\n\tmovl (%%ecx), %%edx"
				     : "=&S"(esi), "=&a"(eax), "=d"(word)
				     : "c"(PF_TARGET), "i"(PF_ESI), "i"(PF_EAX) : "memory");
		if (esi != PF_ESI || eax != PF_EAX)
			t_shared[PF_CLOBBERED] = esi ^ eax ^ 1;
		if (word != t_shared[PF_EXPECT])
			t_shared[PF_BADREAD] = word | 1;
		t_shared[PF_ROUNDS]++;
		L4_LoadMR(0, alias.raw);
		L4_Unmap(0x40);
	}
	t_shared[PF_X_DONE] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_pattack_pager_reply_stopped_then_aborted(void)
{
	L4_Word_t sp, ip, ctl, start, rounds;
	L4_ThreadId_t p;
	int caught = 0;

	t_shared[PF_EXPECT] = *(volatile L4_Word_t *)RT_IMAGE_BASE;
	p = rt_thread_prepare(0, &sp);
	CHECK(!L4_IsNilThread(p));
	CHECK(L4_Set_Priority(p, PT_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	pf.x = rt_task_prepare(pf_victim, 0, p, &pf.ip, &pf.sp);
	CHECK(!L4_IsNilThread(pf.x));
	CHECK(L4_Set_Priority(pf.x, PT_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	L4_Start_SpIp(p, sp, (L4_Word_t)pf_pager);
	start = rt_now_us();
	while (!caught && rt_now_us() - start < PT_LIMIT_US) {
		rt_sleep_us(PT_LOOK_US);
		if (!t_shared[PF_IN] || t_shared[PF_FAULT] != PF_TARGET)
			continue;
		/* P ready, on the Ipc trap in the KIP: stopped in its reply. */
		(void)__L4_Exregs(p, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &ctl, 0, &ip, 0, 0, 0);
		if ((ctl & (PT_EX_ABORT_SEND | PT_EX_ABORT_RECV | PT_EX_HALT_FLAG)) ||
		    ip - RT_KIP_AREA_BASE >= RT_PAGE_SIZE)
			continue;
		pt_exregs(p, PT_EX_IP, 0, (L4_Word_t)pf_moved);
		caught = 1;
	}
	CHECK(caught);
	rounds = t_shared[PF_ROUNDS];
	CHECK(pt_wait_at_least(&t_shared[PF_ROUNDS], rounds + 3, PT_LIMIT_US));
	t_shared[PF_STOP] = 1;
	CHECK(t_wait_for(&t_shared[PF_X_DONE], 1, PT_LIMIT_US));
	CHECK_EQ(t_shared[PF_MOVED], 1);
	CHECK_EQ(t_shared[PF_CLOBBERED], 0);
	CHECK_EQ(t_shared[PF_BADREAD], 0);
	return 0;
}

/* ---- mapping below a deep tree ---- */

/*
 * Mapping a page onto a slot that already holds the same frame needs a
 * walk up the source's ancestors (a mapping may not replace one of
 * them).  That walk may be as long as the tree is deep, and it stops at
 * preemption points; a stopped walk must still get done.  Main's page is
 * mapped on in a chain DC_DEPTH levels deep inside the root's own space
 * (from a thread of it to another), and to DC_Y directly from the top;
 * then a low-priority thread maps the bottom of the chain onto DC_Y.
 */
#define DC_BASE		0x70000000UL	/* unused in the root's space; 16 MB */
#define DC_DEPTH	2048
#define DC_Y		(DC_BASE + (DC_DEPTH + 16) * RT_PAGE_SIZE)
#define DC_MAGIC	0x0dee9c4aUL
#define DC_LABEL	0x7105
enum { DC_RECEIVED = 24, DC_DONE, DC_EC };

static L4_Word_t dc_addr(L4_Word_t page, L4_Word_t k)
{
	return k == 0 ? page : DC_BASE + (k - 1) * RT_PAGE_SIZE;
}

static void dc_item(L4_Word_t *w, L4_Word_t from, L4_Word_t to)
{
	L4_MapItem_t m = t_map_item(from, 12, L4_Readable, to);

	w[0] = m.raw[0];
	w[1] = m.raw[1];
}

static void dc_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	for (;;) {
		L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
		tag = L4_Wait(&from);
		if (L4_IpcSucceeded(tag) && L4_Label(tag) == DC_LABEL)
			t_shared[DC_RECEIVED]++;
	}
}

static void dc_sender(L4_Word_t arg)
{
	L4_ThreadId_t to = { .raw = arg };
	L4_Word_t w[2];

	dc_item(w, dc_addr(0, DC_DEPTH), DC_Y);
	t_load(DC_LABEL, 0, 0, 2, w);
	if (L4_IpcFailed(L4_Send(to)))
		t_shared[DC_EC] = 0x100 | L4_ErrorCode();
	t_shared[DC_DONE] = 1;
}

static const char *t_pattack_map_onto_sibling_of_deep_chain(void)
{
	L4_Word_t page = t_page(), k = 0, w[62], sent = 0;
	L4_Fpage_t all = L4_FpageLog2(DC_BASE, 24);
	L4_ThreadId_t h, l;
	const char *r = 0;

	CHECK(page);
	*(volatile L4_Word_t *)page = DC_MAGIC;
	h = rt_thread_create(dc_receiver, 0);
	CHECK(!L4_IsNilThread(h));
	while (k < DC_DEPTH) {
		int i;

		for (i = 0; i < 31 && k < DC_DEPTH; i++, k++)
			dc_item(&w[2 * i], dc_addr(page, k), dc_addr(page, k + 1));
		t_load(DC_LABEL, 0, 0, 2 * i, w);
		CHECK(L4_IpcSucceeded(L4_Send(h)));
		sent++;
	}
	dc_item(w, page, DC_Y);
	t_load(DC_LABEL, 0, 0, 2, w);
	CHECK(L4_IpcSucceeded(L4_Send(h)));
	sent++;
	t_until_at_least(&t_shared[DC_RECEIVED], sent);
	CHECK_EQ(t_shared[DC_RECEIVED], sent);
	CHECK_EQ(*(volatile L4_Word_t *)dc_addr(page, DC_DEPTH), DC_MAGIC);
	CHECK_EQ(*(volatile L4_Word_t *)DC_Y, DC_MAGIC);

	l = pt_low_thread(dc_sender, h.raw);
	CHECK(!L4_IsNilThread(l));
	if (!t_wait_for(&t_shared[DC_DONE], 1, PT_LIMIT_US / 2))
		r = "the map below a deep chain never completed";
	else if (t_shared[DC_EC] != 0)
		r = t_fail_eq(__FILE__, __LINE__, "sender's error", t_shared[DC_EC], 0);
	else if (*(volatile L4_Word_t *)DC_Y != DC_MAGIC)
		r = "DC_Y lost its page";
	/* Clean up: the stuck sender first, then the whole chain. */
	rt_release(l);
	rt_release(h);
	L4_Set_Rights(&all, L4_FullyAccessible);
	L4_LoadMR(0, all.raw);
	L4_Unmap(0x40);
	return r;
}

const struct test preempt_attack_map_tests[] = {
	TEST(pattack_pager_reply_stopped_then_aborted),
	TEST(pattack_map_onto_sibling_of_deep_chain),
	{ 0 },
};
