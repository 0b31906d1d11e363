/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lending ahead: a task's reserve of frames its kpager lent before they
 * were needed (kernel/kmem_ahead.h).  The frames are kept in the frame
 * table at the task's reserve slots, so that the reserve costs no kernel
 * memory and holds no kernel pointer; the task record counts them.
 * Taking one (the top slot's) and putting one back are O(1): one
 * frame_find() and a move in the hash chains.
 *
 * Single CPU, and the callers hold the kernel: no locking.
 */
#include <kernel/kmem_ahead.h>
#include <kernel/kmem_order.h>
#include <kernel/kpf.h>
#include <kernel/space.h>
#include <kernel/mapdb.h>
#include <kernel/frame.h>
#include <kernel/syscall.h>
#include <kernel/selfcheck_space.h>
#include <kernel/space_split_away.h>
#include <kernel/string.h>
#include <arch/arch.h>

_Static_assert(KMEM_AHEAD_KIND == SC_AHEAD_KIND && KMEM_AHEAD_CID(1) == SC_AHEAD_CID(1),
	       "the self-check knows the reserve's slots");
_Static_assert(LENT_KAHEAD_MAX <= 255, "space.ahead is a byte");
_Static_assert(KMEM_AHEAD_KIND < 256, "the frame table keeps the kind in a byte");

/* Does the reserve serve kind at cid?  The kinds whose content is new
 * whenever the kernel asks for one: the page directory, page tables
 * (the I/O bitmap's too), node tables and pages of mapping nodes.  A
 * TCB or UTCB page asked for again may be one whose external form only
 * the kpager can bring back, and the task record comes before the task.
 * In the split build a node page or table its kpager took back keeps
 * its records in its external form (kernel/space_split_away.c): asked
 * for again, it must be that form, so a blank frame never serves it. */
static bool ahead_serves(space_t *s, unsigned kind, uint32_t cid)
{
	if (kind != KMEM_PDIR && kind != KMEM_PT && kind != KMEM_NT && kind != KMEM_MAP)
		return false;
	return !space_split_is_import(s, kind, cid);
}

/* Move the frame lent to s at one content identifier to another (act
 * steps: a frame lent now, a place nothing is lent at). */
static void relend(uint32_t pa, const space_t *s, uint32_t cid, unsigned kind)
{
	frame_unlend(pa);
	frame_lend(pa, s->id, cid, kind);
}

bool kmem_ahead_bind(space_t *s, unsigned kind, uint32_t cid)
{
	if (!s->ahead || !ahead_serves(s, kind, cid))
		return false;
	uint32_t pa = frame_find(s->id, KMEM_AHEAD_CID(s->ahead - 1));
	if (!pa)
		return false;   /* cannot be: the self-check's rule 52 */
	s->ahead--;
	/* Zeroed when it was lent ahead, and reachable by nobody since. */
	relend(pa, s, cid, kind);
	kmem_lent(s, (enum kmem_kind)kind);
	return true;
}

unsigned kmem_ahead_bind_for_map(space_t *s, uint32_t va, unsigned missing)
{
	kmem_page_t page[LENT_KPF_MAX_PAGES];
	unsigned n = kmem_order_for_map(va, s->node_page_count, missing, LENT_KPF_MAX_PAGES, page);

	/* In fault order, while the reserve lasts; the rest is asked for. */
	for (unsigned i = 0; i < n && kmem_ahead_bind(s, page[i].kind, page[i].cid); i++)
		missing &= ~KMEM_ORDER_BIT(page[i].kind);
	return missing;
}

/*
 * LEND_AHEAD: the page at va of the caller's goes into s's reserve.
 * Only a thread of the task's kpager's task may lend for it: the frames
 * are what that kpager would lend for the task's faults.  The page is
 * validated as an answer's item is (kpf_check_page), and the act is the
 * same: every user translation removed, the frame recorded as lent.
 */
word_t kmem_ahead_lend(tcb_t *t, space_t *s, word_t va)
{
	struct mapnode *node;

	if (s->sigma0)
		return sys_fail(t, ERR_INVALID_SPACE);
	tcb_t *kp = thread_lookup(s->kpager);
	if (!kp || kp->space != t->space)
		return sys_fail(t, ERR_NO_PRIVILEGE);
	uint32_t why = !kmem_kind_is_lent(s, KMEM_PT) ? LENT_KPF_NOT_LENT_HERE :
		       s->ahead >= LENT_KAHEAD_MAX ? LENT_KPF_AHEAD_FULL :
		       kpf_check_page(t->space, va & PAGE_MASK, &node);
	if (why) {
		t->utcb[1] = why;
		return sys_fail(t, ERR_INVALID_PARAM);
	}
	uint32_t pa = mapnode_phys(node);
	kpf_strip(t->space, node);
	frame_lend(pa, s->id, KMEM_AHEAD_CID(s->ahead), KMEM_AHEAD_KIND);
	/* Once, here: binding writes nothing into it. */
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	s->ahead++;
	return s->ahead;
}

word_t kmem_ahead_where(tcb_t *t, space_t *s, word_t va)
{
	mapnode_t *n = mapdb_lookup(t->space, va & PAGE_MASK);
	uint32_t task, cid;
	unsigned kind;

	if (!n || !frame_lent_to(mapnode_phys(n), &task, &cid, &kind) || task != s->id)
		return 0;
	bool unbound = kind == KMEM_AHEAD_KIND;
	t->utcb[1] = unbound ? LENT_CID_UNBOUND : cid;
	t->utcb[2] = unbound ? LENT_KMEM_KINDS : kind;
	return 1;
}

bool kmem_ahead_revoke(space_t *s, unsigned kind, uint32_t cid, uint32_t pa)
{
	if (kind != KMEM_AHEAD_KIND || !s->ahead)
		return false;
	uint32_t top = KMEM_AHEAD_CID(s->ahead - 1);

	/* Nothing to export: zeroed when lent, written by nobody since. */
	frame_unlend(pa);
	if (cid != top) {
		uint32_t moved = frame_find(s->id, top);
		if (moved)
			relend(moved, s, cid, KMEM_AHEAD_KIND);
	}
	s->ahead--;
	return true;
}

void kmem_ahead_return_all(space_t *s)
{
	while (s->ahead) {
		s->ahead--;
		uint32_t pa = frame_find(s->id, KMEM_AHEAD_CID(s->ahead));
		if (pa)
			frame_unlend(pa);
	}
}
