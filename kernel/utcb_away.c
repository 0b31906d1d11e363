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
			t->utcb = NULL;
			t->utcb_away |= UTCB_AWAY;
		}
}

/* The words of a UTCB the kernel keeps, written again on import: the
 * self-pointer %gs:0 reads and MyGlobalId (X.2: written by the kernel
 * only), ProcessorNo (one processor: 0), and an ErrorCode kept while the
 * page was away. */
void utcb_rederive(tcb_t *t)
{
	t->utcb[UTCB_SELF_OFFSET / 4] = t->utcb_location + UTCB_LOCAL_ID_OFFSET;
	UTCB_TCR(t, TCR_MY_GLOBAL_ID) = t->core->id;
	UTCB_TCR(t, TCR_PROCESSOR_NO) = 0;
	if (t->utcb_away & UTCB_ERROR_PENDING)
		UTCB_TCR(t, TCR_ERROR_CODE) = t->utcb_error;
	t->utcb_away = 0;
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

/*
 * The receiver's page is missing: its kpager is asked, as for any page
 * of its kernel memory a transfer needs (XFER_KMEM), and the transfer
 * goes on once it is lent.  The sender's: it steps aside as at a
 * preemption point (XFER_STOPPED); it re-executes its Ipc when it runs,
 * which asks for its page first, and goes on with the receiver waiting
 * for it.
 */
int utcb_xfer_away(tcb_t *snd, tcb_t *rcv, xfer_fault_t *f)
{
	if (!kmsg_active(rcv) && !rcv->utcb && !utcb_attach(rcv)) {
		if (kpf_take_refusal(rcv))
			return IPC_ERR_OVERFLOW;    /* X.2's outcome for no memory */
		*f = (xfer_fault_t){ .who = rcv };
		f->need = (kmem_need_t){ .space = rcv->space, .kind = KMEM_UTCB,
					 .cid = space_utcb_cid(rcv->space, utcb_page_va(rcv)) };
		return XFER_KMEM;
	}
	if (!kmsg_active(snd) && !snd->utcb && !utcb_attach(snd))
		return XFER_STOPPED;
	return XFER_OK;   /* both are back: the transfer may go on */
}
