/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UTCB pages taken back as they are (docs/kernel-memory.md, "UTCB
 * pages").  A UTCB holds only what its own threads may read and write:
 * their message and buffer registers, and the thread control registers,
 * of which the kernel writes a few (MyGlobalId, ErrorCode, ActualSender,
 * IntendedReceiver, the self-pointer) and believes none: it reads only
 * words the thread itself may write at any time (Pager,
 * ExceptionHandler, XferTimeout, VirtualSender, PreemptFlags, the
 * message), and checks each as a system call argument.  So the page
 * needs no external form: the kpager that lent it gets it back unchanged,
 * and any bytes it lends back are a UTCB its task could have written,
 * once the words the kernel keeps are written again.
 */
#include <kernel/utcb_away.h>
#include <kernel/ipc_xfer.h>
#include <kernel/kpf.h>
#include <kernel/frame.h>
#include <kernel/mapdb.h>
#include <kernel/sched.h>
#include <kernel/ipc.h>
#include <arch/arch.h>

/* Is t's UTCB in the page at va (page-aligned) of its space? */
static bool in_page(const tcb_t *t, uint32_t va)
{
	return utcb_placed(t) && utcb_page_va(t) == va;
}

static uint32_t page_va_of(const space_t *s, uint32_t cid)
{
	return fpage_base(s->utcb_area) + (cid - LENT_CID_UTCB_BASE);   /* page n at n * 4 KB */
}

void utcb_export(space_t *s, uint32_t cid, uint32_t pa)
{
	uint32_t va = page_va_of(s, cid);
	uint8_t *page = phys_to_virt(pa);

	/* The task's translation first: its threads' next touch faults,
	 * and the fault asks for the page (space_refill()).  With the
	 * directory away, the entry goes from the table that
	 * space_relink_tables() would link again (space_pte.c finds it). */
	space_pte_drop(s, va);
	s->tables_taken = true;
	for (tcb_t *t = s->thread_list; t; t = t->space_next)
		if (t->utcb && (uint8_t *)t->utcb >= page && (uint8_t *)t->utcb < page + PAGE_SIZE) {
			/* What the kernel reads there without the thread's
			 * entry (a partner's transfer, a preemption), kept. */
			t->utcb_xfer = UTCB_TCR(t, TCR_XFER_TIMEOUT);
			t->utcb_pflags = *utcb_preempt_flags(t);
			t->utcb = NULL;
			t->utcb_away |= UTCB_AWAY;
		}
}

/* The words of a UTCB the kernel keeps, written again on import: the
 * self-pointer %gs:0 reads and MyGlobalId (X.2: written by the kernel
 * only), ProcessorNo (one processor: 0), an ErrorCode kept while the
 * page was away, and PreemptFlags' I bit as the kernel left it in the
 * copy (a delay granted meanwhile; the other bits are the page's). */
void utcb_rederive(tcb_t *t)
{
	t->utcb[UTCB_SELF_OFFSET / 4] = t->utcb_location + UTCB_LOCAL_ID_OFFSET;
	UTCB_TCR(t, TCR_MY_GLOBAL_ID) = t->core->id;
	UTCB_TCR(t, TCR_PROCESSOR_NO) = 0;
	if (t->utcb_away & UTCB_ERROR_PENDING)
		UTCB_TCR(t, TCR_ERROR_CODE) = t->utcb_error;
	if (t->utcb_away & UTCB_AWAY) {
		uint8_t *f = utcb_preempt_flags(t);
		*f = (uint8_t)((*f & ~PREEMPT_PENDING) | (t->utcb_pflags & PREEMPT_PENDING));
	}
	t->utcb_away = 0;
	t->utcb_xfer = 0;
	t->utcb_pflags = 0;
}

static bool attach_page(space_t *s, uint32_t va, uint32_t pa)
{
	uint8_t *page = phys_to_virt(pa);
	bool any = false;

	for (tcb_t *t = s->thread_list; t; t = t->space_next)
		if ((t->utcb_away & UTCB_AWAY) && in_page(t, va)) {
			t->utcb = utcb_mr0_in(page, t->utcb_location);
			utcb_rederive(t);
			any = true;
		}
	return any;
}

bool utcb_import(space_t *s, unsigned kind, uint32_t cid, uint32_t pa)
{
	if (!s || kind != KMEM_UTCB || fpage_is_nil(s->utcb_area))
		return false;
	return attach_page(s, page_va_of(s, cid), pa);
}

bool utcb_page_away(const space_t *s, uint32_t va)
{
	for (const tcb_t *t = s->thread_list; t; t = t->space_next)
		if ((t->utcb_away & UTCB_AWAY) && in_page(t, va & PAGE_MASK))
			return true;
	return false;
}

bool utcb_attach(tcb_t *d)
{
	if (!(d->utcb_away & UTCB_AWAY))
		return true;
	uint32_t va = utcb_page_va(d);
	uint32_t pa = frame_find(d->space->id, space_utcb_cid(d->space, va));
	return pa && attach_page(d->space, va, pa) && d->utcb;
}

enum sys_gather utcb_gather(tcb_t *t, tcb_t *d)
{
	if (utcb_attach(d))
		return GATHER_OK;
	return sys_gather_page(t, d->space, KMEM_UTCB,
			       space_utcb_cid(d->space, utcb_page_va(d)), d->core->id);
}

void utcb_set_error(tcb_t *t, word_t code)
{
	if (t->utcb) {
		UTCB_TCR(t, TCR_ERROR_CODE) = code;
	} else if (t->utcb_away & UTCB_AWAY) {
		t->utcb_error = code;
		t->utcb_away |= UTCB_ERROR_PENDING;
	}
}

/* A transfer between two threads' own Ipcs waits for a page while an
 * XferTimeout of theirs is zero (the sender's send half, the receiver's
 * receive half): X.2 fails it at once, as for a page fault. */
static bool xfer_zero(const tcb_t *snd, const tcb_t *rcv)
{
	return !kmsg_active(snd) && !kmsg_active(rcv) &&
	       (timeout_is_zero(timeouts_snd(utcb_xfer_timeout(snd))) ||
		timeout_is_zero(timeouts_rcv(utcb_xfer_timeout(rcv))));
}

/*
 * The message's words wait for a UTCB page: a page fault of the transfer
 * in the space whose page it is, bounded by both XferTimeouts as any
 * (X.2 "IPC": 5 to that side, 6 to the other, the offset the bytes of
 * strings done; the sender's half comes from the copy utcb_export kept).
 * The receiver's page: its kpager is asked, as for any page of its
 * kernel memory a transfer needs (XFER_KMEM), the sender waiting at the
 * head of its queue.  The sender's: it asks its own kpager as for a
 * source page it lacks (XFER_FAULT: its Ipc rewound, retried once the
 * page is back), and the receiver, which took it, waits for it alone.
 * A reply to the receiver's own kernel call keeps no link (xfer_stop).
 */
int utcb_xfer_away(tcb_t *snd, tcb_t *rcv, xfer_fault_t *f)
{
	if (!kmsg_active(rcv) && !rcv->utcb && !utcb_attach(rcv)) {
		if (kpf_take_refusal(rcv))
			return IPC_ERR_OVERFLOW;    /* X.2's outcome for no memory */
		if (xfer_zero(snd, rcv))
			return IPC_ERR_XFER_TIMEOUT_PARTNER;
		*f = (xfer_fault_t){ .who = rcv };
		f->need = (kmem_need_t){ .space = rcv->space, .kind = KMEM_UTCB,
					 .cid = space_utcb_cid(rcv->space, utcb_page_va(rcv)) };
		return XFER_KMEM;
	}
	if (!kmsg_active(snd) && !snd->utcb && !utcb_attach(snd)) {
		if (kmsg_active(rcv))
			return XFER_STOPPED;
		if (xfer_zero(snd, rcv))
			return IPC_ERR_XFER_TIMEOUT_OWN;
		*f = (xfer_fault_t){ .who = snd, .addr = utcb_page_va(snd), .access = RIGHT_R };
		return XFER_FAULT;
	}
	return XFER_OK;   /* both are back: the transfer may go on */
}

bool utcb_trap_report(tcb_t *t)
{
	uint32_t vector = t->utcb_trap;

	if (!vector || !t->utcb)
		return false;
	t->utcb_trap = 0;
	ipc_exception(t, vector, 0);
	return true;
}
