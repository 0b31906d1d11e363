/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The self-check's walk (kernel/selfcheck_space.h): it finds every live
 * task through the thread table (each task once, at the resident part
 * of its lowest thread slot) and the list of deleted tasks being freed,
 * checks the thread table, the resident parts and the bodies on its way,
 * and hands each task's view to the rules.  The frame table is checked
 * first, so that the rules may look frames up; the totals last.  Every
 * pointer is checked against the frame table before it is followed.
 * Also the hooks the rules read the hardware's structures through.
 */
#include <kernel/selfcheck.h>
#include <kernel/selfcheck_space.h>
#include <kernel/thread.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/kmem.h>
#include <kernel/kmem_sigma0.h>
#include <kernel/kip_runtime.h>
#include <kernel/boot.h>
#include <kernel/space_split_away.h>
#include <arch/arch.h>

#define BODY_BYTES (PAGE_SIZE / LENT_TCB_PER_PAGE)

static sc_env_t env;

/* ---- the hooks ---- */

void *sc_virt(uint32_t pa)
{
	return phys_to_virt(pa);
}

bool sc_phys(const void *p, uint32_t *pa)
{
	uintptr_t a = (uintptr_t)p;

	if (a < KERNEL_VIRT || a - KERNEL_VIRT >= PHYSMAP_LIMIT ||
	    (a - KERNEL_VIRT) >> PAGE_SHIFT >= env.fv.nframes)
		return false;
	*pa = virt_to_phys(p);
	return true;
}

bool sc_pde(const uint32_t *pdir, uint32_t slot, uint32_t *pt)
{
	uint32_t t = arch_pde_table((uint32_t *)pdir, slot << 22);

	*pt = t;
	if (!t)
		return pdir[slot] == 0;
	return t < PHYSMAP_LIMIT && t >> PAGE_SHIFT < env.fv.nframes;
}

static const frame_t *frame_at(uint32_t pa)
{
	return pa >> PAGE_SHIFT < env.fv.nframes ? &env.fv.frames[pa >> PAGE_SHIFT] : NULL;
}

static bool kernel_owned(const void *p, unsigned why, uint32_t align)
{
	uint32_t pa;
	const frame_t *f;

	return sc_phys(p, &pa) && !(pa & (align - 1)) && (f = frame_at(pa)) &&
	       f->type == FRAME_T_KERNEL && f->kind == why;
}

/* A task record: in the frame lent to that task as its record, or a
 * page of the pool (boot's tasks, KMEM=pool). */
static space_t *record_at(const void *p)
{
	uint32_t pa, task, cid;
	unsigned kind;
	const frame_t *f;

	if (!sc_phys(p, &pa) || (pa & ~PAGE_MASK) || !(f = frame_at(pa)))
		return NULL;
	if (frame_lent_to(pa, &task, &cid, &kind))
		return kind == KMEM_TASK && cid == LENT_CID_TASK &&
		       ((const space_t *)p)->id == task ? (space_t *)p : NULL;
	return f->type == FRAME_T_KERNEL && f->kind == FRAME_OWN_POOL ? (space_t *)p : NULL;
}

/* May s hold pages of the pool?  Every task with KMEM=pool; else
 * sigma0 and the root task, which boot made from it. */
static bool pool_ok(const space_t *s)
{
#ifdef LENT_KMEM_POOL
	(void)s;
	return true;
#else
	return s->privileged;
#endif
}

static void view_of(space_t *s, sc_space_t *v, const uint32_t *tcb_map, uint32_t tcb_pool)
{
	*v = (sc_space_t){
		.self = s, .id = s->id, .sigma0 = s->sigma0, .pool_ok = pool_ok(s),
		.reap_cursor = s->reap_cursor, .reap_pde = s->reap_pde,
		.pdir = s->pdir, .pdir_phys = s->pdir_phys,
		.node_table = (const mapslot_t *const *)s->node_table,
		.io_bitmap = s->io_bitmap, .io_bitmap_phys = s->io_bitmap_phys,
		.free_entries = s->ms.nfree,
		.node_page_count = s->ms.pages, .mapped_pages = space_mapped_pages(s),
		.kmem = s->kmem.pages, .tcb_lent_map = tcb_map, .tcb_pool = tcb_pool,
		.ahead = s->ahead, .lent = s->kmem.lent,
	};
	v->dying = space_dying(s->id);
	v->high_tables = (const mapslot_t *const *)space_split_high_tables_of(s);
	if (!fpage_is_nil(s->kip_area)) {
		v->kip_base = fpage_base(s->kip_area);
		v->kip_size = fpage_size(s->kip_area);
	}
	if (!fpage_is_nil(s->utcb_area)) {
		v->utcb_base = fpage_base(s->utcb_area);
		v->utcb_size = fpage_size(s->utcb_area);
	}
}

/* record_at() of the record the rules are on.  Nothing changes while a
 * check runs (interrupts off, no preemption point), so one pointer's
 * answer holds for the whole check: sc_node_page, asked once per run of
 * records in a page (18,000 times for sigma0 at 3 GB), finds it once
 * per task. */
static struct { const void *p; space_t *s; } known;

static space_t *record_known(const void *p)
{
	if (p != known.p) {
		known.p = p;
		known.s = record_at(p);
	}
	return known.s;
}

const void *sc_node_page(const void *space, uint32_t n)
{
	space_t *s = record_known(space);

	return s && n < s->ms.pages ? ms_page(&s->ms, n) : NULL;
}

bool sc_node_page_away(const void *space, uint32_t n)
{
	space_t *s = record_at(space);

	/* Or a hole: it went back empty (kernel/space_split_trim.c). */
	return s && (space_split_page_away(s, n) || ms_page_hole(&s->ms, n));
}

const void *sc_task(uint32_t id)
{
	ms_space_t *m = ms_space(id);

	return m ? record_at(space_split_space(m)) : NULL;
}

const void *sc_index_page(const void *space, uint32_t i)
{
	space_t *s = record_at(space);

	if (!s || !s->ms_index)
		return NULL;
	return i ? (const void *)s->ms_index[i - 1] : (const void *)s->ms_index;
}

/* ---- the walk ---- */

typedef struct walk {
	sc_sums_t sum;
	uint32_t housed, bodies;       /* resident parts in a task, with a body */
	uint32_t threads, listed;      /* the tasks' thread counts, bodies listed */
	uint32_t unhoused_records;
	uint32_t tcb_map[SC_TCB_PAGES / 32];
	space_t *sigma0;
	sc_fault_t f;
	tid_t who;
	uint32_t task;
} walk_t;

static uint32_t stop(walk_t *w, uint32_t rule, uint32_t where, tid_t who, uint32_t task)
{
	w->f.rule = rule;
	w->f.where = where;
	w->who = who;
	w->task = task;
	return rule;
}

static bool slot_used(const space_t *s, uint32_t slot)
{
	return slot < TCB_SLOTS && (s->tcb_slots[slot / 32] >> (slot % 32) & 1);
}

static uint32_t lowest_slot(const space_t *s)
{
	for (uint32_t w = 0; w < TCB_SLOTS / 32; w++)
		if (s->tcb_slots[w])
			return w * 32 + (uint32_t)__builtin_ctz(s->tcb_slots[w]);
	return TCB_SLOTS;
}

/* A resident part: in the resident reserve, at a part's place. */
static bool core_ok(const tcb_core_t *c)
{
	return kernel_owned(c, FRAME_OWN_RESIDENT, sizeof(tcb_core_t));
}

/* s's bodies, on its list: each in its TCB page at its slot's place,
 * with a resident part that names it and s. */
static uint32_t check_bodies(walk_t *w, space_t *s, sc_space_t *v, tid_t who)
{
	uint32_t n = 0, pa, per = kmem_kind_is_lent(s, KMEM_TCB) ? LENT_TCB_PER_PAGE : 1;

	for (tcb_t *t = s->thread_list; t; t = t->space_next) {
		if (++n > s->threads || !sc_phys(t, &pa) || !core_ok(t->core) ||
		    t->core->tcb != t || t->core->space != s || t->space != s ||
		    !slot_used(s, t->core->slot) || (pa & ~PAGE_MASK) != t->core->slot % per * BODY_BYTES)
			return stop(w, LENT_SC_THREAD, n, who, s->id);
		uint32_t page = t->core->slot / per;
		switch (sc_page_source(&env, v, pa & PAGE_MASK, KMEM_TCB,
				       (uint32_t)lent_cid_nth(LENT_KMEM_TCB, page))) {
		case SC_SRC_LENT:
			w->tcb_map[page / 32] |= 1u << (page % 32);
			break;
		case SC_SRC_POOL:
			v->tcb_pool++;
			break;
		default:
			return stop(w, LENT_SC_KPAGE, (uint32_t)lent_cid_nth(LENT_KMEM_TCB, page),
				    t->core->id, s->id);
		}
	}
	w->listed += n;
	return 0;
}

/* Each UTCB in the UTCB page of its task at the content identifier of
 * its address (or a pool page where the task may have one), and where
 * that address has a translation (page tables checked), in the page it
 * maps; a vacant one is legal. */
static uint32_t check_utcbs(walk_t *w, space_t *s, const sc_space_t *v)
{
	uint32_t pt, pa;
	pte_t entry;

	for (tcb_t *t = s->thread_list; t; t = t->space_next) {
		if (!t->utcb)
			continue;
		uint32_t loc = t->utcb_location, page;
		if ((loc & (UTCB_SIZE - 1)) || !space_in_utcb_area(s, loc, UTCB_SIZE) ||
		    !sc_phys(t->utcb, &pa) || pa - UTCB_LOCAL_ID_OFFSET != (pa & PAGE_MASK) + (loc & ~PAGE_MASK))
			return stop(w, LENT_SC_THREAD_UTCB, loc, t->core->id, s->id);
		page = pa & PAGE_MASK;
		if (sc_page_source(&env, v, page, KMEM_UTCB, space_utcb_cid(s, loc)) == SC_SRC_BAD)
			return stop(w, LENT_SC_THREAD_UTCB, loc, t->core->id, s->id);
		if (s->pdir && sc_pde(s->pdir, loc >> 22, &pt) && pt &&
		    arch_pte_present(entry = ((uint32_t *)sc_virt(pt))[(loc >> 12) & 1023]) &&
		    arch_pte_phys(entry) != page)
			return stop(w, LENT_SC_THREAD_UTCB, loc, t->core->id, s->id);
	}
	return 0;
}

static uint32_t check_task(walk_t *w, space_t *s, tid_t who)
{
	sc_space_t v;
	uint32_t r;

	for (uint32_t i = 0; i < SC_TCB_PAGES / 32; i++)
		w->tcb_map[i] = 0;
	view_of(s, &v, w->tcb_map, 0);
	if ((r = check_bodies(w, s, &v, who)))
		return r;
	if ((r = sc_check_space(&env, &v, &w->sum, &w->f))) {
		w->who = who;
		w->task = s->id;
		return r;
	}
	if ((r = check_utcbs(w, s, &v)))
		return r;
	w->threads += s->threads;
	if (s->sigma0)
		w->sigma0 = s;
	return 0;
}

/* The links between resident parts (queues, partners), each none or
 * another part: the thread rules (kernel/selfcheck.c) follow them. */
static bool links_ok(const tcb_core_t *c)
{
	/* A thread away holds its export's record where the ready-queue
	 * and work-list links were (kernel/tcb_away.h). */
	bool away = c->state == TS_AWAY;
	const tcb_core_t *l[] = { away ? NULL : c->rq_next, away ? NULL : c->rq_prev, c->partner,
				  c->senders, c->sq_next, c->sq_prev,
				  away ? NULL : c->work_next, away ? NULL : c->work_prev,
				  c->space ? c->tq_next : NULL, c->space ? c->tq_prev : NULL };

	for (unsigned i = 0; i < ARRAY_SIZE(l); i++)
		if (l[i] && !core_ok(l[i]))
			return false;
	return true;
}

/* One entry of the thread table: its part, its task (checked once, at
 * its lowest slot's part), its body. */
static uint32_t check_core(walk_t *w, tcb_core_t *c, uint32_t number)
{
	if (!core_ok(c) || tid_number(c->id) != number || !links_ok(c))
		return stop(w, LENT_SC_THREAD, number, TID_NIL, 0);
	if (!c->space) {
		/* A task not made yet: the record lent for it, if any. */
		if (c->tcb)
			return stop(w, LENT_SC_THREAD, number, c->id, c->unhoused.task);
		if (frame_find(c->unhoused.task, LENT_CID_TASK))
			w->unhoused_records++;
		return 0;
	}
	space_t *s = record_at(c->space);
	if (!s)
		return stop(w, LENT_SC_RECORD, number, c->id, 0);
	if (!slot_used(s, c->slot))
		return stop(w, LENT_SC_THREAD, number, c->id, s->id);
	w->housed++;
	w->bodies += c->tcb != NULL;
	return c->slot == lowest_slot(s) ? check_task(w, s, c->id) : 0;
}

static uint32_t walk_threads(walk_t *w)
{
	for (uint32_t d = 0; d < THREAD_DIR_ENTRIES; d++) {
		tcb_core_t **leaf = thread_dir[d];
		if (!leaf)
			continue;
		if (!kernel_owned(leaf, FRAME_OWN_RESIDENT, PAGE_SIZE))
			return stop(w, LENT_SC_THREAD, d * LEAF_ENTRIES, TID_NIL, 0);
		for (uint32_t i = 0; i < LEAF_ENTRIES; i++) {
			uint32_t r = leaf[i] ? check_core(w, leaf[i], d * LEAF_ENTRIES + i) : 0;
			if (r)
				return r;
		}
	}
	return 0;
}

static uint32_t walk_dying(walk_t *w)
{
	uint32_t n = 0;

	for (space_t *s = space_dying_list(); s; s = s->reap_next) {
		if (++n > (1u << 20) || !(s = record_at(s)))
			return stop(w, LENT_SC_RECORD, n, TID_NIL, 0);
		if (s->threads || s->thread_list)
			return stop(w, LENT_SC_THREAD, n, TID_NIL, s->id);
		uint32_t r = check_task(w, s, TID_NIL);
		if (r)
			return r;
	}
	return 0;
}

/* Rule 55 says only that the counts differ.  Where a lent frame's task
 * is gone (no record at its content identifier, and not a record lent
 * for a task being made), name that frame and task instead of the count. */
static void name_orphan(walk_t *w)
{
	const frame_view_t *fv = &env.fv;

	for (uint32_t i = 0; i < fv->nframes; i++) {
		const frame_t *fr = &fv->frames[i];

		if (fr->type != FRAME_T_LENT || fr->kind == SC_STORE_KIND || fr->cid == LENT_CID_TASK ||
		    fr->task == env.sigma0_id || space_of_task(fr->task))
			continue;
		w->f.where = i << PAGE_SHIFT;
		w->task = fr->task;
		return;
	}
}

uint32_t selfcheck_structures(tid_t *first, uint32_t *rule, uint32_t *where, uint32_t *task)
{
	sched_settle();      /* the queues as they are, not as noted (sched.h) */
	static walk_t w;
	sc_frame_sums_t fs;
	kmem_stats_t km;
	tcb_core_t **leaf = thread_dir[SIGMA0_THREAD_NO / LEAF_ENTRIES], *s0 = NULL;
	space_t *s0s;
	uint32_t r;

	w = (walk_t){ .who = TID_NIL };
	known.p = NULL;
	known.s = NULL;
	frame_table_view(&env.fv);
	env.kip_phys = kip_phys();
	env.store_free = kmem_sigma0_free();
	/* sigma0's id, for the frame table's rules: its first thread's task. */
	if (kernel_owned(leaf, FRAME_OWN_RESIDENT, PAGE_SIZE))
		s0 = leaf[SIGMA0_THREAD_NO % LEAF_ENTRIES];
	env.sigma0_id = s0 && core_ok(s0) && (s0s = record_at(s0->space)) ? s0s->id : 0;
	if (!(r = sc_check_frames(&env, &fs, &w.f)) && !(r = walk_threads(&w)) &&
	    !(r = walk_dying(&w))) {
		sc_space_t v0;
		kmem_stats(&km);
		sc_counts_t c = {
#ifdef LENT_KMEM_POOL
			.pool_build = true,
#endif
			.pool_pages = km.pool_pages, .free_pages = km.free_pages,
			.kernel_pages = km.kernel_pages, .boot_task_pages = km.boot_task_pages,
			.store_given = kmem_sigma0_given(), .store_free = kmem_sigma0_free(),
			.unhoused_records = w.unhoused_records,
		};
		if (w.sigma0)
			view_of(w.sigma0, &v0, w.tcb_map, 0);
		if (w.housed != w.threads || w.bodies != w.listed)
			r = stop(&w, LENT_SC_THREAD, w.housed, TID_NIL, 0);
		else if (!(r = sc_check_tree(&env, w.sigma0 ? &v0 : NULL, w.sum.nodes, &w.f)))
			r = sc_check_totals(&env, &w.sum, &fs, &c, &w.f);
		if (r == LENT_SC_FRAME_ORPHAN)
			name_orphan(&w);
	}
	*first = w.who;
	*rule = r;
	*where = w.f.where;
	*task = w.task;
	return r ? 1 : 0;
}
