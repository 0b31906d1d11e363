/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The messages the kernel makes for a thread (X.2): the page fault, the
 * IA-32 I/O fault and the exception, each a call to the thread's pager or
 * exception handler whose words wait in the continuation's kmsg, sent
 * through the send phase of ipc.c like any other message.  Both partners
 * are TCRs the thread may write itself, so its space's redirector takes
 * these calls as it takes the thread's own Call to the same thread
 * (ipc_redirect.c); the kernel page fault and the preemption message go
 * to partners only a privileged task names, unredirected.
 */
#include <kernel/ipc_internal.h>
#include <kernel/ipc_redirect.h>
#include <kernel/iofpage.h>
#include <kernel/kpf.h>
#include <kernel/space_vacate.h>
#include <kernel/space_split_away.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/kprintf.h>
#include <kernel/utcb_away.h>
#include <arch/arch.h>

static inline __attribute__((always_inline)) void
kernel_call_begin(tcb_t *t, tid_t dest_id, unsigned cont)
{
	/* Only a kernel page fault waits for a kpager's page: any other
	 * kernel call starts with no such wait left over (an answer to it
	 * would lend the frame of whatever its pager sends). */
	if (cont != CONT_KPF && cont != CONT_KPF_FAULT &&
	    !(cont == CONT_PF_RECV && kpf_waiting(t)))
		kcont_kpf_over(&t->cont);
	t->cont.kind = (uint8_t)cont;
	t->cont.ipc_from = dest_id;
	t->cont.ipc_timeouts = 0;
	t->core->state = TS_READY;
}

/* A call to the partner the thread names (its pager or exception
 * handler): redirected as the thread's own send would be, the reply
 * still awaited from that partner (which the redirector may forward the
 * message to, propagated). */
void ipc_kernel_call(tcb_t *t, tid_t dest_id, unsigned cont)
{
	kernel_call_begin(t, dest_id, cont);
	tcb_t *dest = tid_is_nil(dest_id) ? NULL : thread_resolve(t, dest_id);
	if (!dest || dest == t || !(dest = redirect_dest(t, dest))) {
		kernel_ipc_failed(t, IPC_ERR_NOPARTNER);
		return;
	}
	if (!ipc_kernel_send_fast(t, dest))
		send_phase(t, dest);
}

void ipc_kernel_call_to(tcb_t *t, tcb_t *dest, unsigned cont)
{
	kernel_call_begin(t, dest->core->id, cont);
	t->cont.ipc_intended = TID_NIL;       /* never redirected */
	if (!ipc_kernel_send_fast(t, dest))
		send_phase(t, dest);
}

/* The page-fault IPC; in_user: the page lies where a pager may map. */
static inline __attribute__((always_inline)) void
pagefault(tcb_t *t, uint32_t addr, uint32_t access, uint32_t ip, bool in_user, bool kpf_done)
{
	/* Fault order: the task's kernel memory for the page before the
	 * page itself, so that a pager that is also the kpager is never
	 * asked for both at once (docs/kernel-memory.md). */
	kmem_need_t need;
	/* A refusal noted for this fault's last run is over with this run,
	 * even where nothing is missing now (another thread's fault brought
	 * the pages): left, it would refuse a later, unrelated page. */
	bool refused = kpf_take_fault_refusal(t);
	/* Its UTCB page is away: that page first (the pager's ID is in it);
	 * the access runs again afterwards and faults again if it must. */
	if (__builtin_expect(t->utcb_away & UTCB_AWAY, 0) && !utcb_attach(t)) {
		addr = utcb_page_va(t);
		access = RIGHT_W;
		in_user = false;
	}
	/* A page the kernel knows whose table its kpager took back: the
	 * translation goes back without a page-fault IPC, once the table
	 * is lent again (kernel/space_vacate.c). */
	/* A record a node page's take-back left unresolved is
	 * resolved first (kernel/space_split_away.c; space_refill does it
	 * too). */
	switch (t->space->tables_taken ? space_refill(t->space, addr, access, &need) :
		space_split_any_away() ?
		(enum refill)space_split_resolve(t->space, addr, access, &need) : REFILL_NONE) {
	case REFILL_DONE:
		/* A trap taken while its UTCB was away is reported now. */
		if (!utcb_trap_report(t))
			make_ready(t);
		return;
	case REFILL_NEED:
		t->cont.fault.addr = addr;
		t->cont.fault.access = (uint8_t)(access | (in_user ? 0 : FAULT_NOT_USER));
		t->cont.fault.ip = ip;
		/* A partner's node page on the chain is asked for in the
		 * partner's name (kernel/space_split_away.c). */
		if (!refused && kpf_raise(t, &need, need.space && need.space != t->space ?
					  need.sender : t->core->id, CONT_KPF_FAULT))
			return;
		if (need.kind == KMEM_PDIR || need.kind == KMEM_UTCB) {
			/* No user instruction runs without the directory
			 * (or its UTCB): halted, as a thread whose pager is
			 * gone; its pager may start it again, and its first
			 * access asks. */
			kprintf("lent: thread %x: no %s from its kpager, thread halted\n",
				t->core->id, need.kind == KMEM_PDIR ? "page directory" : "UTCB page");
			kcont_kpf_over(&t->cont);
			t->cont.kind = CONT_USER_IPC;
			t->cont.halted = true;
			t->core->state = TS_HALTED;
			sched_dequeue(t);
			return;
		}
		break;
	default:
		break;
	}
	/* Its kernel page fault answered just now, and not refused: every
	 * page it named is lent (kpf_accept()). */
	const kpf_wait_t *lent = kpf_done && !refused ? &t->cont.kpf : NULL;
	if (in_user && !(lent ? kpf_have_for_map_answered(t->space, addr & PAGE_MASK, &need, lent) :
				kpf_have_for_map(t->space, addr & PAGE_MASK, &need))) {
		/* Its kpager lent nothing last time: the fault goes to the
		 * pager, whose map is then refused (the X.2 outcome). */
		t->cont.fault.addr = addr;
		t->cont.fault.access = (uint8_t)access;
		t->cont.fault.ip = ip;
		if (!refused && kpf_raise(t, &need, t->core->id, CONT_KPF_FAULT))
			return;
	}
	/* An I/O fault (ipc_iofault()) is kept as its port's page. */
	bool io = io_va_is(addr);
	t->cont.kmsg[0] = msgtag_make((io ? LABEL_IOFAULT : LABEL_PAGEFAULT) | access, 2, 0, 0);
	t->cont.kmsg[1] = io ? iofault_fpage(addr) : addr;
	t->cont.kmsg[2] = ip;
	ipc_kernel_call(t, thread_pager(t), CONT_PAGEFAULT);
}

void ipc_pagefault(tcb_t *t, uint32_t addr, uint32_t access, uint32_t ip)
{
	pagefault(t, addr, access, ip, space_is_user_range(t->space, addr & PAGE_MASK, PAGE_SIZE),
		  false);
}

/* The X.2 IA-32 I/O fault: as a page fault, with the fpage of the ports
 * in MR1 and label -8 with r and w; the pager's I/O map item ends it. */
void ipc_iofault(tcb_t *t, uint32_t first, uint32_t log2, uint32_t ip)
{
	pagefault(t, iofault_addr(first, log2), RIGHT_R | RIGHT_W, ip, true, false);
}

/* Only a fault in the user range (or an I/O fault) asks its kpager
 * (CONT_KPF_FAULT), and
 * it is still there: a space's KIP and UTCB areas are set once, before
 * its first thread runs, and a thread never changes its space.  The
 * answer was taken just now, nothing in between: the pages it lent need
 * no looking up. */
void ipc_pagefault_kpf_done(tcb_t *t)
{
	uint8_t access = t->cont.fault.access;

	pagefault(t, t->cont.fault.addr, access & ~FAULT_NOT_USER, t->cont.fault.ip,
		  !(access & FAULT_NOT_USER), true);
}

void ipc_exception(tcb_t *t, uint32_t vec, uint32_t error)
{
	const arch_context_t *c = &t->ctx;
	tid_t handler = thread_exc_handler(t);

	if (tid_is_nil(handler) || !thread_resolve(t, handler)) {
		kprintf("lent: thread %x: exception %u at %x (error %x), no handler: halted\n",
			t->core->id, vec, arch_ctx_ip(c), error);
		t->cont.halted = true;
		t->core->state = TS_HALTED;
		sched_dequeue(t);
		return;
	}
	word_t *m = t->cont.kmsg;
	m[0] = msgtag_make(LABEL_EXCEPTION, ARCH_EXCEPTION_WORDS, 0, 0);
	arch_exception_save(c, m, vec, error);
	ipc_kernel_call(t, handler, CONT_EXCEPTION);
}
