/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread bodies taken back by their kpager, and brought back
 * (kernel/tcb_away.h).  The codec is kernel/tcb_extern.c; this file is
 * its wiring: what the kernel does with a thread whose body is out.
 *
 * A thread away keeps its resident part (64 bytes), in state TS_AWAY
 * with the state it left in, its export's serial and the ID of a send's
 * receiver (core->away, core->away_to, which reuse the ready-queue and
 * work-list links it cannot be on).  It stays where IPC partners look
 * for it: on its receiver's queue of senders while it sends, with its
 * timeout armed.  What needs it to run makes it ask its own task's
 * kpager for its TCB page, by a kernel page fault the kernel makes from
 * the resident part (MR1 the page's CID, MR2 KMEM_TCB, MR3 the thread,
 * from the thread itself), queued on the kpager like any sender's.  The
 * kpager's answer to the thread is taken as for any kernel page fault
 * (kpf_accept_wait), whose validate step checks each form in the page.
 */
#include <kernel/tcb_away.h>
#include <kernel/utcb_away.h>
#include <kernel/tcb_extern.h>
#include <kernel/tcb_serial.h>
#include <kernel/ipc_internal.h>
#include <kernel/kpf.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/frame.h>
#include <kernel/syscall.h>
#include <kernel/string.h>
#include <kernel/irq.h>
#include <arch/arch.h>

#define BODY_BYTES (PAGE_SIZE / LENT_TCB_PER_PAGE)
_Static_assert(BODY_BYTES == TCBX_BYTES, "an external form is one slot");
_Static_assert(sizeof(tcb_core_t) <= 64 || sizeof(void *) != 4, "the resident part stays 64 bytes");

static siphash_key_t key;
static arch_fpu_caps_t fpu_caps;
static tcb_serial_t exports;       /* the last serial given */
/* One form at a time: the kernel runs on one CPU with interrupts off,
 * and the body it is made from is the slot it goes into. */
static uint8_t form[TCBX_BYTES] __attribute__((aligned(16)));

void tcb_away_init(void)
{
	uint32_t k[4];

	arch_boot_key(k);
	key.k0 = (uint64_t)k[1] << 32 | k[0];
	key.k1 = (uint64_t)k[3] << 32 | k[2];
	arch_fpu_caps(&fpu_caps);
}

static uint8_t *slot_of(const tcb_core_t *c, uint32_t pa)
{
	return (uint8_t *)phys_to_virt(pa) + c->slot % LENT_TCB_PER_PAGE * BODY_BYTES;
}

#define ANY_PAGE (~0u)

/* The next thread away of s whose body is in the TCB page at cid (any
 * page: ANY_PAGE), from thread number *no on; NULL after the last.  A
 * walk of the thread table: taking a page back and bringing it back are
 * rare. */
static tcb_core_t *next_away(const space_t *s, uint32_t cid, uint32_t *no)
{
	for (; *no < THREAD_DIR_ENTRIES * LEAF_ENTRIES; (*no)++) {
		tcb_core_t **leaf = thread_dir[*no / LEAF_ENTRIES];
		if (!leaf) {
			*no |= LEAF_ENTRIES - 1;
			continue;
		}
		tcb_core_t *c = leaf[*no % LEAF_ENTRIES];
		if (c && thread_away(c) && c->space == s &&
		    (cid == ANY_PAGE || thread_body_cid(c) == cid)) {
			(*no)++;
			return c;
		}
	}
	return NULL;
}

#define FOR_EACH_AWAY(c, s, cid, no) \
	for (uint32_t no = 0; ((c) = next_away((s), (cid), &no)) != NULL;)

/* Is id, as a thread of space s names it, the local ID of c (away)?  Its
 * local ID is in its body, so the resident part keeps a copy while it is
 * away (away_to.local, set by go_away). */
static bool local_id_of(const space_t *s, const tcb_core_t *c, tid_t id)
{
	return tid_is_local(id) && s == c->space && id == c->away_to.local;
}

/* A walk of the thread table, as above: only a name that no whole thread
 * of s has gets here. */
tcb_core_t *tcb_away_resolve(const space_t *s, tid_t id)
{
	if (tid_is_global(id)) {
		tcb_core_t *c = thread_core_lookup(id);
		return c && thread_away(c) ? c : NULL;
	}
	tcb_core_t *c;

	if (!tid_is_local(id))
		return NULL;
	FOR_EACH_AWAY(c, s, ANY_PAGE, no)
		if (local_id_of(s, c, id))
			return c;
	return NULL;
}

/* ---- asking for the body ---- */

/* Does rcv, in a receive phase, take a message from c?  (c's local ID
 * is the copy its resident part keeps.) */
static bool takes(const tcb_t *rcv, const tcb_core_t *c, bool user_only)
{
	tid_t from = rcv->cont.ipc_from;

	if (rcv->core->state != TS_RECV || rcv->cont.receive_pending ||
	    (xfer_linked(rcv) && !kmsg_active(rcv)) || (user_only && kmsg_active(rcv)))
		return false;
	if (from == c->id)
		return true;
	if (kmsg_active(rcv))
		return false;
	if (tid_is_local(from))
		return local_id_of(rcv->space, c, from);
	return tid_is_any(from) || (tid_is_anylocal(from) && rcv->space == c->space);
}

/* The kernel page fault of c, away, delivered to kp, its kpager. */
static void deliver_fault(tcb_t *kp, tcb_core_t *c)
{
	c->away.flags = (uint8_t)((c->away.flags & ~AWAY_WANTED) | AWAY_ASKED);
	kp->utcb[1] = thread_body_cid(c);
	kp->utcb[2] = KMEM_TCB;
	kp->utcb[3] = c->id;
	finish_receive(kp, c->id, msgtag_make(LENT_LABEL_KPF, LENT_KPF_WORDS(1), 0, 0));
}

/* c, away, must run: it asks its kpager for its page, at once if the
 * kpager waits, else queued on it.  A send it was in leaves its
 * receiver's queue; it is sent again when the body is back. */
static void want(tcb_core_t *c)
{
	if (c->away.flags & (AWAY_WANTED | AWAY_ASKED | AWAY_HALTED))
		return;
	if (c->partner)
		senders_unlink(c);
	tcb_t *kp = thread_lookup(c->space->kpager);
	if (!kp || !kp->utcb) {
		c->away.flags |= AWAY_ORPHAN;    /* asked again by a system call */
		return;
	}
	c->away.flags = (uint8_t)((c->away.flags & ~AWAY_ORPHAN) | AWAY_WANTED);
	/* The deadlock rule (kpf_raise): a kpager blocked sending to c
	 * would never receive the fault. */
	if (kp->core->state == TS_SEND && kp->core->partner == c)
		fail_ipc_at(kp, IPC_ERR_ABORTED, false, LENT_KPF_DEADLOCK);
	if (takes(kp, c, true))
		deliver_fault(kp, c);
	else
		senders_link(kp->core, c, false);
}

int tcb_away_met(tcb_t *rcv, tcb_core_t *c)
{
	if (c->away.flags & AWAY_WANTED) {
		/* Its kernel page fault, queued on rcv, its kpager. */
		if (!takes(rcv, c, true))
			return AWAY_SKIP;
		senders_unlink(c);
		deliver_fault(rcv, c);
		return AWAY_DELIVERED;
	}
	/* A send: rcv would take it, so c must run. */
	if (!takes(rcv, c, false))
		return AWAY_SKIP;
	want(c);
	return rcv->core->state == TS_RECV ? AWAY_RESCAN : AWAY_DELIVERED;
}

void tcb_away_kpager_set(space_t *s)
{
	tcb_core_t *c;

	FOR_EACH_AWAY(c, s, ANY_PAGE, no) {
		uint8_t f = c->away.flags;
		if (!(f & (AWAY_ORPHAN | AWAY_WANTED | AWAY_ASKED)) || (f & AWAY_HALTED))
			continue;
		if ((f & AWAY_WANTED) && c->partner)
			senders_unlink(c);      /* off the old kpager's queue */
		c->away.flags = (uint8_t)(f & ~(AWAY_ORPHAN | AWAY_WANTED | AWAY_ASKED));
		want(c);
	}
}

void tcb_away_wake(tcb_core_t *c)
{
	if (c->away.state == TS_RECV)
		want(c);
}

void tcb_away_timeout(tcb_core_t *c)
{
	timeout_unlink_core(c);
	if (c->away.state != TS_SEND && c->away.state != TS_RECV)
		return;
	c->away.outcome = IPC_ERR_TIMEOUT;
	want(c);
}

void tcb_away_detach(tcb_core_t *c, tcb_core_t *dying)
{
	senders_unlink(c);
	if (c->away.flags & AWAY_WANTED) {
		/* Its kpager is deleted: nobody to ask now. */
		c->away.flags = (uint8_t)((c->away.flags & ~AWAY_WANTED) | AWAY_ORPHAN);
		return;
	}
	/* Its receiver is deleted: X.2's "no partner" when it is back. */
	if (c->wakeup_us)
		timeout_unlink_core(c);
	c->away.outcome = IPC_ERR_NOPARTNER;
	if (c->space->kpager != dying->id)
		want(c);
	else
		c->away.flags |= AWAY_ORPHAN;
}

/* The kpager t answers c's kernel page fault: its pages are taken (and
 * the bodies converted back) or refused, as for any kernel page fault. */
static void answer(tcb_t *t, tcb_core_t *c, word_t tag)
{
	unsigned u = msgtag_u(tag), typed = msgtag_t(tag);
	kpf_wait_t k = { .state = KPF_ASKED, .pages = 1, .kinds = { KMEM_TCB },
			 .cid = { thread_body_cid(c) }, .task = c->space->id, .named = c->id };

	if (u + typed + 1 > 64) {
		fail_ipc(t, IPC_ERR_OVERFLOW, false);
		return;
	}
	uint32_t why = kpf_accept_wait(t, &k, t->utcb + u + 1, typed);
	if (why) {
		fail_ipc_at(t, IPC_ERR_OVERFLOW, false, why);
		return;
	}
	/* No page: the thread is halted; a system call naming it asks again. */
	if (k.state != KPF_LENT && thread_away(c))
		c->away.flags = (uint8_t)((c->away.flags & AWAY_ACTIVE) | AWAY_HALTED);
	ipc_finish_send(t);
}

bool tcb_away_send(tcb_t *t, tid_t to, word_t tag)
{
	tcb_core_t *c = tcb_away_resolve(t->space, to);

	if (!c)
		return false;
	if (msgtag_label(tag) == LENT_LABEL_KPF && (c->away.flags & AWAY_ASKED) &&
	    t->core->id == c->space->kpager) {
		answer(t, c, tag);
		return true;
	}
	/* X.2: c does not receive now; t waits, as long as its timeout
	 * says.  A receiver must run: the message may be the one it waits
	 * for (a kpager's answer with a zero timeout is lost, and c asks
	 * again once back: back()).  Pages for a thread that waits for no
	 * kernel page fault's answer are refused when delivered, as ever. */
	ipc_queue_send(t, c);
	tcb_away_wake(c);
	return true;
}

/* A receiver that waits for exactly the deleted thread c (by its global
 * ID, or by the local ID its resident part keeps) fails, as
 * thread_destroy's do. */
static void fail_waiting_for(tcb_t *w, void *arg)
{
	const tcb_core_t *c = arg;
	tid_t from = w->cont.ipc_from;

	if (w->core->state == TS_RECV && (from == c->id || local_id_of(w->space, c, from)))
		ipc_fail_no_partner(w);
}

void tcb_away_delete(tcb_core_t *c)
{
	space_t *s = c->space;

	if (c->partner)
		senders_unlink(c);
	if (c->wakeup_us)
		timeout_unlink_core(c);
	while (c->senders) {
		tcb_core_t *q = c->senders;
		if (!q->tcb) {
			tcb_away_detach(q, c);
			continue;
		}
		senders_remove(q->tcb);
		q->state = TS_READY;
		fail_ipc(q->tcb, IPC_ERR_NOPARTNER, false);
	}
	irq_handler_gone(c->id);
	thread_for_each(fail_waiting_for, c);
	if (c->away.flags & AWAY_ACTIVE)
		s->active_threads--;
	thread_core_destroy(c);
}

int tcb_away_gather(tcb_t *t, tid_t id)
{
	tcb_core_t *c = tcb_away_resolve(t->space, id);

	if (!c)
		return GATHER_OK;
	return sys_gather_page(t, c->space, KMEM_TCB, thread_body_cid(c), c->id);
}

/* ---- taking the page ---- */

/* May t's body leave now?  Not the thread the kernel works for, nor one
 * whose state links it to another thread by more than a queue: those
 * pages the kernel keeps (docs/kernel-memory.md, "Thread bodies"). */
static bool may_go(const tcb_t *t)
{
	const tcb_core_t *c = t->core;

	if (t == current || t == sched_donee || t->cont.receive_pending || xfer_linked(t) ||
	    t->cont.held || c->state > TS_HALTED)
		return false;
	/* An ErrorCode, the XferTimeouts and PreemptFlags or a trap kept
	 * for a UTCB page that is away have no place in the external form
	 * (kernel/utcb_away.c): the body stays until the UTCB is back. */
	if (utcb_kept_state(t))
		return false;
	/* A held reply's sender is TS_SEND but off its receiver's queue. */
	return c->state != TS_SEND || (c->partner && c->sq_next);
}

static void go_away(tcb_t *t)
{
	tcb_core_t *c = t->core;
	uint8_t st = c->state;
	tcb_serial_next(&exports);         /* room checked: tcb_away_export */
	tcb_export_ctx_t x = { .key = tcb_serial_key(&key, exports.epoch), .serial = exports.count,
			       .fpu = fpu_caps, .held = TID_NIL, .xfer_partner = TID_NIL };
	tid_t to = st == TS_SEND ? c->partner->id : TID_NIL;
	tid_t local = thread_local_id(t);

	arch_thread_away(t);
	if (st == TS_READY)
		sched_dequeue(t);
	tcb_export(t, c, &x, form);
	memcpy(t, form, TCBX_BYTES);     /* t is the slot */
	c->tcb = NULL;
	c->state = TS_AWAY;
	c->away.serial = x.serial;
	c->away.state = st;
	c->away.flags = t->activated ? AWAY_ACTIVE : 0;
	c->away.outcome = 0;
	c->away.epoch = exports.epoch;
	c->away_to.send_to = to;
	c->away_to.local = local;
	if (st == TS_READY)
		want(c);
}

bool tcb_away_export(space_t *s, uint32_t cid, uint32_t pa)
{
	uint8_t *page = phys_to_virt(pa);
	uint32_t bodies = 0;

	(void)cid;
	for (tcb_t *t = s->thread_list; t; t = t->space_next) {
		if (((uintptr_t)t & PAGE_MASK) != (uintptr_t)page)
			continue;
		if (!may_go(t))
			return false;
		bodies++;
	}
	/* No serial left (never in practice: 2^40 exports): the kernel
	 * keeps the page rather than give a serial twice. */
	if (!tcb_serial_room(&exports, bodies))
		return false;
	for (tcb_t **pp = &s->thread_list; *pp;) {
		tcb_t *t = *pp;
		if (((uintptr_t)t & PAGE_MASK) != (uintptr_t)page) {
			pp = &t->space_next;
			continue;
		}
		*pp = t->space_next;
		go_away(t);
	}
	return true;
}

/* ---- bringing it back ---- */

static void import_ctx(struct tcb_import_ctx *x, tcb_core_t *c)
{
	space_t *s = c->space;

	*x = (struct tcb_import_ctx){
		.cont = { .id = c->id, .task = s->id, .state = c->away.state,
			  .send_partner = c->away.state == TS_SEND ? c->away_to.send_to : TID_NIL,
			  .user_limit = USER_LIMIT, .kip_area = s->kip_area,
			  .utcb_area = s->utcb_area },
		.fpu = fpu_caps, .key = tcb_serial_key(&key, c->away.epoch),
		.serial = c->away.serial,
		.core = c, .space = s,
	};
}

bool tcb_away_in_page(space_t *s, uint32_t cid)
{
	tcb_core_t *c;

	FOR_EACH_AWAY(c, s, cid, no)
		return true;
	return false;
}

uint32_t tcb_away_check(space_t *s, uint32_t cid, uint32_t pa)
{
	tcb_core_t *c;
	struct tcb_import_ctx x;

	FOR_EACH_AWAY(c, s, cid, no) {
		import_ctx(&x, c);
		int r = tcb_import_check(slot_of(c, pa), &x);
		if (r)
			return LENT_KPF_BAD_CONTENT | (uint32_t)r << 16;
	}
	return 0;
}

void tcb_away_refused(space_t *s, uint32_t cid, uint32_t pa)
{
	tcb_core_t *c;
	struct tcb_import_ctx x;

	FOR_EACH_AWAY(c, s, cid, no) {
		import_ctx(&x, c);
		if (!tcb_import_check(slot_of(c, pa), &x))
			continue;
		if ((c->away.flags & AWAY_WANTED) && c->partner)
			senders_unlink(c);
		c->away.flags = (uint8_t)((c->away.flags & AWAY_ACTIVE) | AWAY_HALTED);
	}
}

/* The kernel address of the UTCB at location loc of s: in the frame lent
 * at its content identifier, or NULL. */
static word_t *utcb_of(space_t *s, uint32_t loc)
{
	if (loc == ~0u || fpage_is_nil(s->utcb_area))
		return NULL;
	uint32_t pa = frame_find(s->id, space_utcb_cid(s, loc));
	return pa ? utcb_mr0_in(phys_to_virt(pa), loc) : NULL;
}

/* t, back in a receive, has on its queue a sender its receive takes, or
 * an interrupt waits for it.  If not (it came back for a send it does not
 * wait for: its from-specifier was in its body), it waits on as it was,
 * its timeout armed with its first deadline: running its receive phase
 * again would start a relative timeout anew. */
static bool receive_wanted(tcb_t *t)
{
	tcb_core_t *first = t->core->senders;

	for (tcb_core_t *s = first; s; s = s->sq_next == first ? NULL : s->sq_next)
		if (s->tcb ? from_matches(t, s->tcb) : takes(t, s, s->away.flags & AWAY_WANTED))
			return true;
	return !kmsg_active(t) && irq_waits_for(t->core->id);
}

/* t is back: it takes up where it left, and meets what happened meanwhile. */
static void back(tcb_core_t *c, tcb_t *t)
{
	uint8_t st = c->away.state, outcome = c->away.outcome, flags = c->away.flags;
	tid_t to = c->away_to.send_to;

	if ((flags & AWAY_WANTED) && c->partner)
		senders_unlink(c);          /* off its kpager's queue */
	c->rq_next = c->rq_prev = NULL;
	c->work_next = c->work_prev = NULL;
	c->tcb = t;
	c->state = st;
	if (outcome == IPC_ERR_TIMEOUT) {
		ipc_timeout(t);
		return;
	}
	if (outcome) {
		c->state = TS_READY;
		fail_ipc(t, outcome, false);
		return;
	}
	if (st == TS_READY) {
		sched_enqueue(t);
	} else if (st == TS_SEND && !c->partner) {
		/* It left its receiver's queue to come back: it goes first. */
		tcb_core_t *r = thread_core_lookup(to);
		if (!r) {
			c->state = TS_READY;
			fail_ipc(t, IPC_ERR_NOPARTNER, false);
			return;
		}
		senders_link(r, c, true);
		if (r->tcb && r->state == TS_RECV)
			ipc_work_add(r->tcb);
		else if (thread_away(r) && r->away.state == TS_RECV)
			want(r);
	} else if (st == TS_RECV && receive_wanted(t)) {
		ipc_work_add(t);            /* its receive phase takes them */
	} else if (st == TS_RECV && kmsg_active(t) && t->cont.kpf.state == KPF_ASKED) {
		/* It waited for its kpager's answer to a kernel page fault,
		 * which could not reach it away: it asks again (the kernel
		 * page fault's send point). */
		tcb_t *kp = thread_lookup(t->cont.ipc_from);
		if (!kp || kp == t) {
			kernel_ipc_failed(t, IPC_ERR_NOPARTNER);
			return;
		}
		c->state = TS_SEND;
		senders_link(kp->core, c, false);
		if (kp->core->state == TS_RECV)
			ipc_work_add(kp);
	}
}

void tcb_away_import(space_t *s, uint32_t cid, uint32_t pa)
{
	tcb_core_t *c;
	struct tcb_import_ctx x;

	FOR_EACH_AWAY(c, s, cid, no) {
		tcb_t *t = (tcb_t *)slot_of(c, pa);
		memcpy(form, t, TCBX_BYTES);
		import_ctx(&x, c);
		x.utcb = utcb_of(s, tcbx_utcb_location(form));
		x.space_next = s->thread_list;
		tcb_import_apply(form, &x, t);
		if (!t->utcb && t->activated && t->utcb_location != ~0u &&
		    !fpage_is_nil(s->utcb_area))
			t->utcb_away = UTCB_AWAY;   /* its UTCB page is away too */
		if (t->utcb)
			utcb_rederive(t);
		if (t->utcb || t->utcb_away)
			arch_thread_set_utcb(t, t->utcb_location);
		s->thread_list = t;
		back(c, t);
	}
}
