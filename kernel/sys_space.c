/* SPDX-License-Identifier: BSD-2-Clause */
/* SpaceControl and Unmap (X.2). */
#include <kernel/syscall.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/preempt.h>
#include <kernel/kpf.h>
#include <kernel/space_split_away.h>
#include <kernel/kip_runtime.h>
#include <arch/arch.h>

#define UNMAP_FLUSH     (1u << 6)
#define UNMAP_COUNT_MASK 0x3Fu

static bool area_in_user(fpage_t f)
{
	return !fpage_is_complete(f) && fpage_size_log2(f) >= PAGE_SHIFT &&
	       fpage_size_log2(f) < 32 &&
	       (uint64_t)fpage_base(f) + fpage_size(f) <= USER_LIMIT;
}

static bool overlap(fpage_t a, fpage_t b)
{
	return (uint64_t)fpage_base(a) < (uint64_t)fpage_base(b) + fpage_size(b) &&
	       (uint64_t)fpage_base(b) < (uint64_t)fpage_base(a) + fpage_size(a);
}

static word_t space_control(tcb_t *t, tid_t space_spec, word_t control, fpage_t kip_area,
			    fpage_t utcb_area, tid_t redirector, word_t *old_control);

/* SpaceControl's Redirector as the space keeps it: nil leaves the
 * space's redirector as it is (*keep), anythread means none (kept as
 * nil), any other value must be the global ID of an existing thread.
 * False: no such thread (error 2, a code X.2 does not name for this). */
static bool redirector_valid(tid_t redirector, tid_t *keep)
{
	if (tid_is_nil(redirector))
		return true;
	if (tid_is_any(redirector)) {
		*keep = TID_NIL;
		return true;
	}
	if (!thread_lookup(redirector))
		return false;
	*keep = redirector;
	return true;
}

/* The refusal note of the call's last run ends with it (kpf_call_returns):
 * the run may end before it asks for a page, when the space was deleted
 * meanwhile or another caller set its areas. */
word_t sys_space_control(tcb_t *t, tid_t space_spec, word_t control, fpage_t kip_area,
			 fpage_t utcb_area, tid_t redirector, word_t *old_control)
{
	word_t r = space_control(t, space_spec, control, kip_area, utcb_area, redirector,
				 old_control);

	kpf_call_returns(t);
	return r;
}

static word_t space_control(tcb_t *t, tid_t space_spec, word_t control, fpage_t kip_area,
			    fpage_t utcb_area, tid_t redirector, word_t *old_control)
{
	*old_control = 0;
	if (!t->space->privileged)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	tcb_t *st = thread_lookup(space_spec);
	if (!st)
		return sys_fail(t, ERR_INVALID_SPACE);
	space_t *s = st->space;
	tid_t redir = s->redirector;
	if (!redirector_valid(redirector, &redir))
		return sys_fail(t, ERR_INVALID_THREAD);
	/* The areas are fixed once set: UTCBs may already live there.  The
	 * redirector may change at any time. */
	if (s->active_threads || space_areas_set(s)) {
		s->redirector = redir;
		return 1;
	}
	/* At most UTCB_AREA_MAX_LOG2: each UTCB page has a content
	 * identifier, its index in the area. */
	if (!area_in_user(utcb_area) || fpage_size_log2(utcb_area) < 12 ||
	    fpage_size_log2(utcb_area) > UTCB_AREA_MAX_LOG2)
		return sys_fail(t, ERR_UTCB_AREA);
	if (!area_in_user(kip_area) || fpage_size_log2(kip_area) != 12 ||
	    overlap(kip_area, utcb_area))
		return sys_fail(t, ERR_KIP_AREA);
	/* Nothing may be mapped where the areas go: check, then act. */
	for (uint64_t off = 0; off < fpage_size(utcb_area); off += PAGE_SIZE)
		if (mapdb_lookup(s, fpage_base(utcb_area) + (uint32_t)off))
			return sys_fail(t, ERR_UTCB_AREA);
	if (mapdb_lookup(s, fpage_base(kip_area)))
		return sys_fail(t, ERR_KIP_AREA);
	/* Gather, in fault order: the page directory (the first use of one:
	 * a new space whose kpager lends it has none yet), then the page
	 * table the KIP goes in.  A restart builds nothing anew: the space
	 * is there already, and what was lent stays with it. */
	enum sys_gather g = GATHER_OK;
	if (!s->pdir)
		g = sys_gather_page(t, s, KMEM_PDIR, LENT_CID_PDIR, st->core->id);
	if (g == GATHER_OK)
		g = sys_gather_page(t, s, KMEM_PT, lent_cid_pt(fpage_base(kip_area)), st->core->id);
	switch (g) {
	case GATHER_OK: break;
	case GATHER_FAULTED: *old_control = control; return space_spec;
	case GATHER_NO_MEMORY: return sys_fail(t, ERR_NO_MEMORY);
	}
	if (space_map_kernel_page(s, fpage_base(kip_area), kip_phys(), RIGHT_R | RIGHT_X) < 0)
		return sys_fail(t, ERR_NO_MEMORY);
	s->kip_area = fpage_make(fpage_base(kip_area), 12, 0);
	s->utcb_area = fpage_make(fpage_base(utcb_area), fpage_size_log2(utcb_area), 0);
	s->redirector = redir;
	return 1;
}

/*
 * Unmap the fpages in MR0..MRn.  Each is done in steps: at a preemption
 * point the call stops with its progress kept (the fpage it is at, the
 * pages done, the access bits found so far) and goes on when the caller
 * re-executes it.  An fpage's MR gets its result when the fpage is done;
 * the inputs of the others stay as they were until then.
 */
word_t sys_unmap(tcb_t *t, word_t control, word_t mr0)
{
	unsigned count = (control & UNMAP_COUNT_MASK) + 1;
	bool flush = (control & UNMAP_FLUSH) != 0;
	resume_t *r = resume_of(t, RESUME_UNMAP);
	resume_t progress = { .op = RESUME_UNMAP };

	if (r && r->a < count)
		progress = *r;
	t->cont.resume.op = RESUME_NONE;
	/* Its kpager did not give a node page or table back: this Unmap
	 * goes on without (what hangs from those records stays). */
	bool refused = !space_split_any_away() || kpf_take_refusal(t);
	for (unsigned i = progress.a; i < count; i++) {
		/* The caller's UTCB is here (kernel/utcb_away.c), unless this
		 * Unmap took its page back from its own task. */
		if (i && !t->utcb)
			break;
		word_t fp = i == 0 ? mr0 : t->utcb[i];
		/* The node tables and pages of the caller's own
		 * records in fp first, or what derives from them would stay;
		 * the call goes on from here once its kpager lent them. */
		kmem_need_t need;
		if (!refused && !space_split_have_for_unmap(t->space, fp, &need) &&
		    kpf_can_raise(t, &need)) {
			progress.a = i;
			preempt_restart(t, &progress);
			kpf_raise(t, &need, t->core->id, CONT_KPF);
			return mr0;
		}
		if (!space_unmap_fpage(t->space, fp, flush, &progress.b, &progress.c)) {
			progress.a = i;
			preempt_restart(t, &progress);
			return mr0;
		}
		fp = (fp & ~RIGHTS_ALL) | (progress.c & RIGHTS_ALL);
		progress.b = progress.c = 0;
		if (t->utcb)
			t->utcb[i] = fp;
		else if (i == 0)
			mr0 = fp;
	}
	return t->utcb ? t->utcb[0] : mr0;
}
