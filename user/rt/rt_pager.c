/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The pager of the tasks rt creates.  A child runs the root image's own
 * code and data, so a fault at an address inside the image is answered
 * with a map item for the root's page at that same address (X.2 page-fault
 * protocol: label -2 with the access in the low bits, MR1 fault address,
 * MR2 faulting IP; the reply carries a map item).  Faults elsewhere are
 * counted and left unanswered: the faulting thread stays blocked.
 */
#include "rt.h"

volatile L4_Word_t rt_pager_unhandled;
volatile L4_Word_t rt_pager_last_unhandled;

static L4_ThreadId_t pager_tid;
static L4_Word_t watch_lo, watch_hi;

/* The image spans from the link base to the end of the bss. */
extern char _start_image[], _end[];

int rt_image_contains(L4_Word_t addr)
{
	return addr >= (L4_Word_t)_start_image && addr < (L4_Word_t)_end;
}

int rt_is_pagefault(L4_MsgTag_t tag)
{
	return (L4_Label(tag) >> 4) == 0xffe && L4_UntypedWords(tag) == 2 &&
	       L4_TypedWords(tag) == 0;
}

/*
 * Make sure the root itself has the page mapped (touching it faults it in
 * from sigma0 if need be: a locked no-op write for a write fault, a read
 * otherwise), then load the reply: one map item with the page at the same
 * address, with all rights (the kernel caps them at the root's own).
 */
void rt_load_page_reply(L4_Word_t addr, L4_Word_t rwx)
{
	volatile L4_Word_t *p = (volatile L4_Word_t *)(addr & ~3UL);
	L4_Word_t page = addr & ~(RT_PAGE_SIZE - 1);
	L4_Fpage_t fp = L4_FpageLog2(page, 12);
	L4_MapItem_t item;
	L4_MsgTag_t tag = L4_Niltag;

	if (rwx & L4_Writable)
		__asm__ __volatile__("lock; orl $0, %0" : "+m"(*p) : : "memory");
	else
		(void)*p;
	L4_Set_Rights(&fp, L4_FullyAccessible);
	item = L4_MapItem(fp, page);
	tag.X.t = 2;
	L4_LoadMR(0, tag.raw);
	L4_LoadMR(1, item.raw[0]);
	L4_LoadMR(2, item.raw[1]);
}

/* Faults in [lo, hi) are handed to rt_serve's caller, not answered. */
void rt_watch(L4_Word_t lo, L4_Word_t hi)
{
	watch_lo = lo;
	watch_hi = hi;
}

/*
 * Receive from `from` (nil: from anyone) for a caller that is itself the
 * pager of a child: image faults outside the watched range are answered
 * and the wait goes on; anything else -- another message, an IPC error, a
 * fault outside the image or inside the watched range -- is returned with
 * the message in the MRs.  The timeout applies to each wait.
 */
L4_MsgTag_t rt_serve(L4_ThreadId_t from, L4_Word_t timeout_us, L4_ThreadId_t *sender)
{
	L4_ThreadId_t spec = L4_IsNilThread(from) ? L4_anythread : from;
	L4_Time_t t = timeout_us == RT_NEVER_US ? L4_Never :
		      timeout_us ? rt_us(timeout_us) : L4_ZeroTime;
	L4_ThreadId_t got = L4_nilthread;
	L4_MsgTag_t tag;

	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Ipc(L4_nilthread, spec, L4_Timeouts(L4_Never, t), &got);
	while (L4_IpcSucceeded(tag) && rt_is_pagefault(tag)) {
		L4_Word_t addr = rt_mr(1);

		if (!rt_image_contains(addr) || (addr >= watch_lo && addr < watch_hi))
			break;
		rt_load_page_reply(addr, L4_Label(tag) & 7);
		tag = L4_Ipc(got, spec, L4_Timeouts(L4_ZeroTime, t), &got);
	}
	if (sender)
		*sender = got;
	return tag;
}

/* Start messages sent, image faults answered, and faults left
 * unanswered (RT_FLAKY_DELAY points, rt_flaky_every). */
static volatile L4_Word_t start_passes, unhandled_passes, fault_passes;

static void pager_loop(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Wait(&from);
	for (;;) {
		if (L4_IpcFailed(tag)) {
			tag = L4_Wait(&from);
			continue;
		}
		if (rt_is_pagefault(tag) && rt_image_contains(rt_mr(1))) {
			rt_flaky_every(&fault_passes, 1, 1);
			rt_load_page_reply(rt_mr(1), L4_Label(tag) & 7);
			tag = L4_ReplyWait(from, &from);
			continue;
		}
		if (L4_Label(tag) == RT_LABEL_START && L4_UntypedWords(tag) == 3) {
			L4_ThreadId_t child = { .raw = rt_mr(1) };
			L4_Word_t ip = rt_mr(2), sp = rt_mr(3), err;

			rt_flaky_every(&start_passes, 1024, 6);
			err = rt_start_message(child, ip, sp) ? 0 : L4_ErrorCode();

			rt_msg(0, 1, &err);
			tag = L4_ReplyWait(from, &from);
			continue;
		}
		if (rt_is_pagefault(tag)) {
			rt_flaky_every(&unhandled_passes, 256, 6);
			rt_pager_unhandled++;
			rt_pager_last_unhandled = rt_mr(1);
		}
		tag = L4_Wait(&from);
	}
}

/* Start the pager thread (once); it survives rt_cleanup(). */
L4_ThreadId_t rt_pager_start(void)
{
	if (L4_IsNilThread(pager_tid)) {
		pager_tid = rt_thread_create(pager_loop, 0);
		rt_persist(pager_tid);
	}
	return pager_tid;
}

L4_ThreadId_t rt_pager(void)
{
	return pager_tid;
}
