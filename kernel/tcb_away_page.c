/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A TCB page taken back by its kpager, and brought back (kernel/tcb_away.h;
 * docs/kernel-memory.md "Thread bodies").  Export writes each body in the
 * page in its external form (kernel/tcb_extern.c) in place, sealed under
 * the epoch's key, and leaves the thread's resident part away; import
 * validates every form in the page the kpager gives, then converts it,
 * and puts each thread back where its continuation says.  What a thread
 * away does meanwhile is kernel/tcb_away.c.
 */
#include <kernel/tcb_away.h>
#include <kernel/tcb_away_int.h>
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
	/* The record takes the place of the ready-queue links: a hand-off
	 * noted on them is done first (sched.h). */
	sched_settle();
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
		tcb_away_want(c);
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
		if (s->tcb ? from_matches(t, s->tcb) : tcb_away_takes(t, s, s->away.flags & AWAY_WANTED))
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
			tcb_away_want(r);
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
