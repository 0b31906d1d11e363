/* SPDX-License-Identifier: BSD-2-Clause */
/* ThreadControl (X.2), validate first, then act (ExchangeRegisters:
 * kernel/sys_exregs.c). */
#include <kernel/syscall.h>
#include <kernel/tcb_away.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/preempt.h>
#include <kernel/sched.h>
#include <kernel/ipc.h>
#include <kernel/kpf.h>
#include <kernel/kip_runtime.h>
#include <kernel/irq.h>
#include <kernel/utcb_away.h>
#include <kernel/thread_migrate.h>
#include <arch/arch.h>

#define NO_UTCB 0xFFFFFFFFu
#define GATHERING 2u      /* modify() stopped for a kernel page fault */

static bool utcb_location_ok(space_t *s, word_t loc)
{
	return (loc & (UTCB_SIZE - 1)) == 0 && space_in_utcb_area(s, loc, UTCB_SIZE);
}

/* No other thread has its UTCB there (a location only kept for an
 * inactive thread, below, takes no place until it is activated). */
static bool utcb_location_free(space_t *s, word_t loc, tcb_t *self)
{
	for (tcb_t *o = s->thread_list; o; o = o->space_next)
		if (o != self && utcb_placed(o) && o->utcb_location == loc)
			return false;
	return true;
}

/* Gather what placing a UTCB at loc in s needs, in fault order: the
 * page directory if its kpager took it back, the page table of its page,
 * then the UTCB page, unless it is there. */
static enum sys_gather gather_utcb(tcb_t *t, space_t *s, word_t loc, tid_t named)
{
	enum sys_gather g = GATHER_OK;

	if (!s->pdir && s->tables_taken)
		g = sys_gather_page(t, s, KMEM_PDIR, LENT_CID_PDIR, named);
	if (g == GATHER_OK)
		g = sys_gather_page(t, s, KMEM_PT, lent_cid_pt(loc), named);

	if (g != GATHER_OK || space_utcb_page_present(s, loc))
		return g;
	return sys_gather_page(t, s, KMEM_UTCB, space_utcb_cid(s, loc), named);
}

/* A thread with pager and UTCB in an initialised space starts running
 * (or rather waiting for its start message). */
static void maybe_activate(tcb_t *d)
{
	if (!d->activated && d->utcb && !tid_is_nil(d->pager))
		thread_activate(d);
}

/*
 * A UTCB location given to a thread that is not activated while its space
 * has no UTCB area yet (SpaceControl comes later) is only kept, as
 * Pistachio does; it is checked, and the UTCB placed, when a pager
 * activates the thread, against the area set by then (X.2 allows
 * ThreadControl and SpaceControl in either order).
 *
 * `to` other than d's space moves d there (kernel/thread_migrate.h),
 * checked and gathered with the rest, the pages in `to` asked of its
 * kpager by faults naming `named`, a thread of `to`.  d's body then has
 * a new place: the caller finds it through d's resident part.
 */
static word_t modify(tcb_t *t, tcb_t *d, space_t *to, tid_t named, tid_t scheduler,
		     tid_t pager, word_t utcb)
{
	bool moving = to != d->space;

	/* d's UTCB page taken back: it comes first, whatever changes. */
	switch (utcb_gather(t, d)) {
	case GATHER_OK: break;
	case GATHER_FAULTED: return GATHERING;
	case GATHER_NO_MEMORY: return sys_fail(t, ERR_NO_MEMORY);
	}
	/* An inactive thread that moves leaves its UTCB behind, its
	 * location kept. */
	bool placed = d->utcb && !(moving && !d->activated);
	/* Activation places the location kept earlier, if any. */
	if (utcb == NO_UTCB && !placed && !tid_is_nil(pager))
		utcb = d->utcb_location;
	bool keep = utcb != NO_UTCB && tid_is_nil(pager) && !space_areas_set(to);

	if (utcb != NO_UTCB && !keep) {
		if (d->activated && utcb != d->utcb_location)
			return sys_fail(t, ERR_UTCB_AREA);
		if (!space_areas_set(to) || !utcb_location_ok(to, utcb) ||
		    !utcb_location_free(to, utcb, d))
			return sys_fail(t, ERR_UTCB_AREA);
	}
	/* An active thread keeps its UTCB location: it must be valid, and
	 * free, in the new space (X.2; Pistachio answers 6 as well). */
	word_t moved_utcb = moving && d->activated ? d->utcb_location : NO_UTCB;
	if (moved_utcb != NO_UTCB &&
	    (!space_areas_set(to) || !utcb_location_ok(to, moved_utcb) ||
	     !utcb_location_free(to, moved_utcb, d)))
		return sys_fail(t, ERR_UTCB_AREA);
	/* A pager alone cannot activate a thread that has nowhere for its UTCB. */
	if (!tid_is_nil(pager) && utcb == NO_UTCB && !placed)
		return sys_fail(t, ERR_UTCB_AREA);
	if (!tid_is_nil(scheduler) && !thread_lookup(scheduler))
		return sys_fail(t, ERR_INVALID_SCHEDULER);
	word_t refusal = moving ? thread_migrate_refusal(to) : 0;
	if (refusal)
		return sys_fail(t, refusal);
	bool place = utcb != NO_UTCB && !keep && (!placed || utcb != d->utcb_location);
	word_t gather_at = place ? utcb : moved_utcb;
	if (gather_at != NO_UTCB)
		switch (gather_utcb(t, to, gather_at, named)) {
		case GATHER_OK: break;
		case GATHER_FAULTED: return GATHERING;
		case GATHER_NO_MEMORY: return sys_fail(t, ERR_NO_MEMORY);
		}
	if (moving) {
		switch (thread_migrate_gather(t, to, named)) {
		case GATHER_OK: break;
		case GATHER_FAULTED: return GATHERING;
		case GATHER_NO_MEMORY: return sys_fail(t, ERR_NO_MEMORY);
		}
		/* The pages, before anything changes; then nothing fails. */
		void *page = place && !space_utcb_page(to, utcb) ? NULL : thread_migrate_take(d, to);
		if (!page)
			return sys_fail(t, ERR_NO_MEMORY);
		d = thread_migrate(d, to, page);
	}
	if (place && thread_set_utcb(d, utcb) < 0)
		return sys_fail(t, ERR_NO_MEMORY);
	if (keep)
		d->utcb_location = utcb;
	if (!tid_is_nil(scheduler))
		d->scheduler = scheduler;
	if (!tid_is_nil(pager)) {
		d->pager = pager;
		if (d->utcb)
			UTCB_TCR(d, TCR_PAGER) = pager;
	}
	maybe_activate(d);
	return 1;
}

/*
 * Wait until the deleted task with this id (never 0) is freed, freeing it
 * (and any other on the list) in steps.  At a preemption point the caller's
 * ThreadControl stops, keeping the id as its progress, and goes on when
 * re-executed; it answers as it would have.  `unchanged` is the value
 * that leaves the caller's result register as it was, so that the call
 * is re-executed with the same arguments.
 */
static word_t reap(tcb_t *t, uint32_t id, word_t unchanged)
{
	while (space_dying(id)) {
		if (space_reap_dying()) {
			preempt_restart(t, &(resume_t){ .op = RESUME_REAP, .a = id });
			return unchanged;
		}
	}
	return 1;
}

/* Delete every resident part of s still waiting for its body (slow: for
 * a task whose last thread with a body is gone). */
static void drop_unmade(space_t *s)
{
	for (uint32_t d = 0; d < THREAD_DIR_ENTRIES && s->threads; d++)
		for (uint32_t i = 0; thread_dir[d] && i < LEAF_ENTRIES; i++) {
			tcb_core_t *c = thread_dir[d][i];
			if (c && c->space == s && !c->tcb && !thread_away(c))
				thread_core_destroy(c);
		}
}

/*
 * A thread left task s (deleted, or moved to another): with the last
 * thread ThreadControl can name the task is gone.  A creation still
 * waiting for its TCB page in it goes too, or it would keep the dead
 * task's space, mappings and kpager for whoever makes that thread number
 * again as a new task.
 */
static word_t thread_left(tcb_t *t, space_t *s, tid_t dest)
{
	if (s->threads && !s->thread_list)
		drop_unmade(s);
	if (s->threads)
		return 1;
	space_reap_later(s);
	return reap(t, s->id, dest);
}

static void destroy_thread(tcb_t *d)
{
	space_t *s = d->space;

	thread_destroy(d);
	if (!s->threads)
		space_destroy(s);
}

/* No memory for a thread being made: its resident part goes (dc, if it
 * was made), and a new space with no other thread goes with it, or, if
 * the space was never built (s NULL), the record lent for it. */
static word_t unmake(tcb_t *t, tcb_core_t *dc, space_t *s)
{
	if (dc)
		thread_core_destroy(dc);
	if (s && !s->threads)
		space_destroy(s);
	return sys_fail(t, ERR_NO_MEMORY);
}

/*
 * The task of a new thread dest, which is its first, into *sp.  From the
 * pool: at once.  Lent by a kpager: the record is gathered before the
 * space exists, so dest's resident part is made first, unhoused, with
 * the task's id (never reused) and the creator's kpager, which the new
 * task inherits; the record is asked for at (that id, LENT_CID_TASK),
 * the fault naming dest.  ThreadControl runs again once it is lent and
 * finds the part (*dcp); then the space is built in the record and the
 * part moved into it, neither of which can fail.
 */
static enum sys_gather new_task(tcb_t *t, tcb_core_t **dcp, tid_t dest, space_t **sp)
{
	space_t *s;
	/* A new task inherits its creator's kpager, or the one its creator
	 * named for the tasks it makes (SET_CHILD_KPAGER), which then lends
	 * its record and first TCB page too. */
	tid_t kpager = t->space->child_kpager;
	uint8_t kpf_pages = 1;

	if (tid_is_nil(kpager)) {
		kpager = t->space->kpager;
		kpf_pages = t->space->kpf_pages;
	}
	if (!kmem_record_is_lent()) {
		s = space_create();
		if (!s)
			return GATHER_NO_MEMORY;
		s->kpager = kpager;
		s->kpf_pages = kpf_pages;
		*sp = s;
		return GATHER_OK;
	}
	tcb_core_t *dc = *dcp;
	if (!dc) {
		dc = thread_core_create_unhoused(dest, space_id_take(), kpager, kpf_pages);
		if (!dc)
			return GATHER_NO_MEMORY;
		*dcp = dc;
	}
	dc->id = dest;
	enum sys_gather g = sys_gather_record(t, dc);
	if (g != GATHER_OK)
		return g;
	s = space_create_in(kmem_record_lent(dc->unhoused.task), dc->unhoused.task);
	s->kpager = dc->unhoused.kpager;
	s->kpf_pages = dc->unhoused.kpf_pages;
	thread_core_house(dc, s);
	*sp = s;
	return GATHER_OK;
}

/*
 * Create, in two steps (kernel/thread.h): the resident part first, then
 * the body in a TCB page gathered from the task's kpager.  While that
 * page is asked for, the resident part names the thread and holds the
 * new space (or, before it, the new task's id while its record is
 * gathered: new_task); ThreadControl runs again from the start and finds
 * it (dc).  Nothing is undone but that resident part, and what was lent
 * for it, if no page comes.
 */
static word_t create(tcb_t *t, tcb_core_t *dc, tid_t dest, tid_t space_spec, tcb_t *sp,
		     tid_t scheduler, tid_t pager, word_t utcb)
{
	space_t *s;
	bool new_space = space_spec == dest;

	/* Pistachio answers a nil scheduler with "invalid thread". */
	if (tid_is_nil(scheduler))
		return sys_fail(t, ERR_INVALID_THREAD);
	if (!thread_lookup(scheduler))
		return sys_fail(t, ERR_INVALID_SCHEDULER);
	if (dc) {                      /* its task record or body is being gathered */
		s = dc->space;
		if (!s ? !new_space :
		    new_space ? s->threads != 1 || s->thread_list : !sp || sp->space != s)
			return sys_fail(t, ERR_INVALID_SPACE);
	} else if (new_space) {
		s = NULL;
	} else {
		if (!sp)
			return sys_fail(t, ERR_INVALID_SPACE);
		s = sp->space;
	}
	/* A location in a space without a UTCB area is checked later (modify). */
	bool areas = s && s->thread_list && space_areas_set(s);
	if (areas && utcb != NO_UTCB &&
	    (!utcb_location_ok(s, utcb) || !utcb_location_free(s, utcb, NULL)))
		return sys_fail(t, ERR_UTCB_AREA);
	/* Gather before creating the body: the UTCB's page table and page. */
	if (areas && utcb != NO_UTCB)
		switch (gather_utcb(t, s, utcb, sp->core->id)) {
		case GATHER_OK: break;
		case GATHER_FAULTED: return dest;
		case GATHER_NO_MEMORY: return sys_fail(t, ERR_NO_MEMORY);
		}
	if (!s)
		switch (new_task(t, &dc, dest, &s)) {
		case GATHER_OK: break;
		case GATHER_FAULTED: return dest;
		case GATHER_NO_MEMORY: return unmake(t, dc, NULL);
		}
	if (!dc && !(dc = thread_core_create(dest, s)))
		return unmake(t, NULL, s);
	dc->id = dest;
	/* The fault names the task by a thread its kpager may know: the
	 * space's, or the new one if it is the first. */
	switch (sys_gather_page(t, s, KMEM_TCB, thread_body_cid(dc), sp ? sp->core->id : dest)) {
	case GATHER_OK: break;
	case GATHER_FAULTED: return dest;
	case GATHER_NO_MEMORY: return unmake(t, dc, s);
	}
	tcb_t *d = thread_body_create(dc, scheduler);
	if (!d)                        /* the pool had no page (KMEM=pool) */
		return unmake(t, dc, s);
	word_t ok = modify(t, d, s, d->core->id, TID_NIL, pager, utcb);
	if (ok == GATHERING)
		return dest;
	if (!ok)
		destroy_thread(d);   /* a new thread: nothing mapped, quick */
	return ok;
}

static word_t thread_control(tcb_t *t, tid_t dest, tid_t space_spec, tid_t scheduler,
			     tid_t pager, word_t utcb);

/* The refusal note of the call's last run ends with it (kpf_call_returns). */
word_t sys_thread_control(tcb_t *t, tid_t dest, tid_t space_spec, tid_t scheduler,
			  tid_t pager, word_t utcb)
{
	tcb_core_t *self = t->core;
	word_t r = thread_control(t, dest, space_spec, scheduler, pager, utcb);

	kpf_call_returns(self->tcb);   /* the caller's body, wherever it went */
	return r;
}

/* A creation stopped to gather its pages: the call that runs again
 * goes on with it, and does not move a thread that someone else made
 * with that number meanwhile (it fails with 3, as it always did). */
static word_t creation_stopped(tcb_t *t, tid_t dest)
{
	t->cont.resume = (resume_t){ .op = RESUME_CREATE, .vector = (uint8_t)t->ctx.vector,
				     .at = arch_ctx_ip(&t->ctx), .a = tid_number(dest) };
	return dest;
}

static word_t thread_control(tcb_t *t, tid_t dest, tid_t space_spec, tid_t scheduler,
			     tid_t pager, word_t utcb)
{
	resume_t *cr = resume_of(t, RESUME_CREATE);
	bool creating = cr && cr->a == tid_number(dest);

	if (cr)
		resume_forget(t);
	resume_t *r = resume_of(t, RESUME_REAP);

	if (r) {
		uint32_t id = r->a;
		t->cont.resume.op = RESUME_NONE;
		if (id)
			return reap(t, id, dest);
	}
	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	/* The memory of deleted tasks comes back before ThreadControl asks
	 * for any or counts on any being free (progress 0: none of ours). */
	if (space_reap_dying()) {
		preempt_restart(t, &(resume_t){ .op = RESUME_REAP, .a = 0 });
		return dest;
	}
	if (tid_is_global(dest) && tid_number(dest) < ARCH_IRQ_LINES)   /* SystemBase */
		return irq_thread_control(t, dest, pager);
	if (!tid_is_global(dest))
		return sys_fail(t, ERR_INVALID_SPACE);   /* as Pistachio answers */
	if (tid_number(dest) < kip_user_base())
		return sys_fail(t, ERR_INVALID_THREAD);
	tcb_core_t *dc = thread_core_by_number(tid_number(dest));
	tcb_t *d = dc ? dc->tcb : NULL;

	/* A thread away comes back first (kernel/tcb_away.c), but to be
	 * deleted, which needs nothing of its body. */
	if (dc && thread_away(dc) && !tid_is_nil(space_spec)) {
		int g = tcb_away_gather(t, dc->id);
		return g == GATHER_NO_MEMORY ? sys_fail(t, ERR_NO_MEMORY) : dest;
	}

	if (tid_is_nil(space_spec)) {                  /* delete */
		if (!dc || dc->id != dest || d == t)
			return sys_fail(t, ERR_INVALID_THREAD);
		space_t *s = dc->space;
		if (d)
			thread_destroy(d);
		else if (thread_away(dc))
			tcb_away_delete(dc);
		else
			thread_core_destroy(dc);   /* a creation that never finished */
		if (!s)
			return 1;   /* its task was never made: the record went back */
		return thread_left(t, s, dest);
	}
	tcb_t *sp = thread_lookup(space_spec);
	if (d) {                                       /* modify */
		/* Another space moves d there (not a thread made meanwhile
		 * by the number this call creates). */
		if (!sp || (sp->space != d->space && creating))
			return sys_fail(t, ERR_INVALID_SPACE);
		bool self = d == t;
		space_t *from = d->space;
		tid_t named = from != sp->space ? sp->core->id : d->core->id;
		word_t r = modify(t, d, sp->space, named, scheduler, pager, utcb);
		if (r == GATHERING)
			return dest;            /* runs again once the page is lent */
		d = dc->tcb;                    /* its body may have moved */
		if (self)
			t = d;                  /* the caller moved itself */
		if (r && dc->id != dest)
			thread_set_version(d, dest);   /* same number, new version */
		return !r || from == d->space ? r : thread_left(t, from, dest);
	}
	word_t made = create(t, dc, dest, space_spec, sp, scheduler, pager, utcb);
	return made == dest ? creation_stopped(t, dest) : made;
}
