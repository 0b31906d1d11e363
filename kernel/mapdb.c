/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The recursive mapping database (see kernel/mapdb.h).
 *
 * Invariants the code relies on:
 *  - every node sits in the node-table slot of (space, vaddr) and that
 *    space has a PTE at vaddr for node->phys with node->rights, except
 *    while the frame is lent to the kernel (no user translation of it
 *    exists then, kernel/kpf.c);
 *  - a node's children all map the same frame, with rights that are a
 *    subset of the parent's (so revoking rights never needs to look past
 *    a node that loses all of them: its whole subtree loses them too).
 * Every walk is iterative (parent/next links, no recursion, no stack):
 * the kernel stack is small and the tree may be deep.
 */
#include <kernel/mapdb.h>
#include <arch/arch.h>

/* ---- list and tree primitives ---- */

/* Where a frame's lender to the kernel holds it: a root, or a root's
 * child (kernel/kpf.c lends nothing else). */
static inline bool lender_depth(const mapnode_t *n)
{
	return !n->parent || !n->parent->parent;
}

/* Counts every change of a link in the database, and every right widened:
 * a stopped walk's hint (below) holds while it has not moved.  64 bits
 * never wrap. */
static uint64_t link_changes;

static void link_child(mapnode_t *parent, mapnode_t *n)
{
	link_changes++;
	n->parent = parent;
	n->prev = NULL;
	n->next = parent ? parent->child : NULL;
	if (n->next)
		n->next->prev = n;
	if (parent)
		parent->child = n;
}

static void unlink_node(mapnode_t *n)
{
	link_changes++;
	if (n->prev)
		n->prev->next = n->next;
	else if (n->parent)
		n->parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	n->parent = n->prev = n->next = NULL;
}

/* The next node after n's subtree in pre-order, staying inside top's
 * subtree; NULL when the walk is done. */
static mapnode_t *skip_subtree(const mapnode_t *n, const mapnode_t *top)
{
	while (n != top) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static mapnode_t *preorder_next(const mapnode_t *n, const mapnode_t *top)
{
	return n->child ? n->child : skip_subtree(n, top);
}

/* Unlink a childless node, clear its slot, and free it; with clear_pte
 * also remove its translation.  Returns the translation's access bits. */
static uint32_t drop_leaf(mapnode_t *n, bool clear_pte)
{
	space_t *s = n->space;
	uint32_t vaddr = n->vaddr;
	uint32_t access = 0;
	mapnode_t **slot;

	unlink_node(n);
	if (clear_pte)
		access = space_pte_clear(s, vaddr);
	slot = space_node_slot(s, vaddr, false);
	if (slot && *slot == n)
		*slot = NULL;
	space_node_free(s, n);
	return access;
}

/*
 * Where a walk that removes everything below a node stopped.  Such a walk
 * always works on the first leaf reached by going down first children,
 * so its place is a function of the tree; the way down to it may be as
 * long as the tree is deep, so it is not found again from the top on
 * every continuation but kept here.  One walk at a time keeps its place:
 * the kernel has one processor, and any other walk that makes progress
 * changes links and so voids the hint anyway.
 */
static struct {
	const mapnode_t *top;    /* the walk removes what lies below it */
	mapnode_t *at;           /* a node on its way down first children */
	uint64_t changes;        /* link_changes when it stopped */
} walk_hint, revoke_hint;        /* revoke_hint: revoke_below()'s place */
static uint32_t revoke_hint_rights;

#define DESCENT_LEVELS  128u     /* levels gone down between two stop checks */
#define DESCENT_COST    8u       /* about the instructions one level costs */

static void hint_keep(const mapnode_t *top, mapnode_t *at)
{
	walk_hint.top = top;
	walk_hint.at = at;
	walk_hint.changes = link_changes;
}

/* Where a removal walk below top stopped, if no link has changed since;
 * else NULL. */
static mapnode_t *hint_for(const mapnode_t *top)
{
	if (walk_hint.top == top && walk_hint.changes == link_changes)
		return walk_hint.at;
	return NULL;
}

/* Go down first children from n (below top) to a leaf.  With may_stop
 * it looks for a preemption point every DESCENT_LEVELS levels and,
 * stopping, keeps its place and returns NULL. */
static mapnode_t *descend(const mapnode_t *top, mapnode_t *n, bool may_stop)
{
	while (n->child) {
		for (unsigned left = DESCENT_LEVELS; n->child && left; left--)
			n = n->child;
		if (may_stop && n->child && mapdb_stop_due(DESCENT_LEVELS * DESCENT_COST)) {
			hint_keep(top, n);
			return NULL;
		}
	}
	return n;
}

/* Remove every mapping derived from r, leaves first, collecting their
 * access bits.  With may_stop it returns false at a preemption point:
 * what is left is still a tree, so doing it again continues the work.
 * A walk continued (resumed) stops on the way down only where it kept
 * its place: were the hint void and the way long, a walk started again
 * at every continuation could never get to the end. */
static bool destroy_descendants(mapnode_t *r, uint32_t *access, bool may_stop, bool resumed)
{
	mapnode_t *n = hint_for(r);
	bool stop_down = may_stop && (!resumed || n);

	if (!n)
		n = r;

	while (r->child) {
		n = descend(r, n, stop_down);
		if (!n)
			return false;
		/* n is a leaf below r; after dropping it, its parent may be one */
		mapnode_t *p = n->parent;
		*access |= drop_leaf(n, true);
		n = p;
		stop_down = may_stop;
		if (may_stop && r->child && mapdb_stop_due(MAPDB_NODE_COST)) {
			hint_keep(r, n);
			return false;
		}
	}
	return true;
}

/* Remove r and everything derived from it. */
static bool destroy_subtree(mapnode_t *r, uint32_t *access, bool may_stop, bool resumed)
{
	if (!destroy_descendants(r, access, may_stop, resumed))
		return false;
	*access |= drop_leaf(r, true);
	return true;
}

/* Is n to be visited: does it still hold any of the rights being revoked?
 * A first walk visits every node, for its access bits. */
static bool holds(const mapnode_t *n, uint32_t revoke, bool resumed)
{
	return !resumed || (n->rights & revoke) != 0;
}

/* The first node, in post-order, of the part of n's subtree that is to
 * be visited (n itself when none of its children is).  The way down may
 * be as long as the tree is deep: when every node is to be visited, it
 * costs two loads a level. */
static mapnode_t *first_holding(mapnode_t *n, uint32_t revoke, bool resumed)
{
	if (!resumed || (revoke & RIGHTS_ALL) == RIGHTS_ALL) {
		while (n->child)
			n = n->child;
		return n;
	}
	for (;;) {
		mapnode_t *c = n->child;

		while (c && !holds(c, revoke, resumed))
			c = c->next;
		if (!c)
			return n;
		n = c;
	}
}

/* Where a walk revoking rights below top stopped: the node it takes
 * next, in post-order. */
static void revoke_keep(const mapnode_t *top, mapnode_t *at, uint32_t revoke)
{
	revoke_hint.top = top;
	revoke_hint.at = at;
	revoke_hint.changes = link_changes;
	revoke_hint_rights = revoke;
}

/*
 * Take the rights in `revoke` from every mapping derived from top (not
 * from top itself); mappings left with none disappear with their
 * subtrees.  Collects and clears the access bits of those it changes.
 * The walk is in post-order, a node after everything below it, so at
 * every preemption point a node's children hold no right it lacks, and a
 * node without the revoked rights has nothing below it that holds them.
 * For an Unmap (read_all) a resumed walk goes on where it stopped,
 * reading every node after it, so that it reports all access bits as one
 * not stopped does: every node before that place has lost the revoked
 * rights and was read, while no link changed and no right was widened.
 * Otherwise it passes over the nodes without the revoked rights, which
 * are done (those that never held them too, their access bits left for a
 * later Unmap: a grant, which wants none, never reads them).
 */
static bool revoke_below(mapnode_t *top, uint32_t revoke, uint32_t *access, bool may_stop,
			 bool resumed, bool read_all)
{
	/* Taking every right removes everything below top. */
	if ((revoke & RIGHTS_ALL) == RIGHTS_ALL)
		return destroy_descendants(top, access, may_stop, resumed);

	mapnode_t *n = NULL;

	if (read_all && resumed && revoke_hint.top == top && revoke_hint_rights == revoke &&
	    revoke_hint.changes == link_changes) {
		n = revoke_hint.at;
		resumed = false;        /* every node from there on is read */
	}
	if (!n)
		n = first_holding(top, revoke, resumed);

	while (n != top) {
		mapnode_t *sib = n->next;

		while (sib && !holds(sib, revoke, resumed))
			sib = sib->next;
		mapnode_t *after = sib ? first_holding(sib, revoke, resumed) : n->parent;
		uint32_t keep = arch_rights_kept(n->rights & ~revoke);

		if (keep == 0) {
			if (!destroy_subtree(n, access, may_stop, true)) {
				if (read_all)
					revoke_keep(top, n, revoke);   /* n is still there */
				return false;
			}
		} else {
			n->rights = keep;
			*access |= space_pte_restrict(n->space, n->vaddr, keep);
		}
		n = after;
		if (may_stop && n != top && mapdb_stop_due(MAPDB_NODE_COST)) {
			if (read_all)
				revoke_keep(top, n, revoke);
			return false;
		}
	}
	return true;
}

/*
 * Is a the node n or one of its ancestors?  Only nodes of one frame are
 * related, and a child of n is not.  Otherwise the walk up may be as long
 * as the tree is deep; it is not a preemption point, since it keeps no
 * progress and a walk started again could never get to the end (about
 * two instructions a level: a cost left to the task that built the tree).
 */
static bool ancestor_or_self(const mapnode_t *a, const mapnode_t *n)
{
	if (a->phys != n->phys || a->parent == n)
		return false;
	for (; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}

/* ---- the database ---- */

mapnode_t *mapdb_lookup(space_t *s, uint32_t vaddr)
{
	mapnode_t **slot = space_node_slot(s, vaddr & PAGE_MASK, false);

	return slot ? *slot : NULL;
}

/*
 * Put node n (filled in except for links) at slot, replacing old there.
 * The PTE at (n->space, n->vaddr) already holds the new translation, so
 * old's own PTE is not cleared: only what was derived from old goes.
 */
static void install(mapnode_t **slot, mapnode_t *old, mapnode_t *n,
		    mapnode_t *parent)
{
	if (old) {
		uint32_t access = 0;

		destroy_descendants(old, &access, false, false);
		drop_leaf(old, false);
	}
	link_child(parent, n);
	*slot = n;
}

int mapdb_root(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights)
{
	mapnode_t **slot, *old, *n;

	vaddr &= PAGE_MASK;
	rights &= RIGHTS_ALL;
	slot = space_node_slot(s, vaddr, true);
	if (!slot)
		return MAPDB_NOMEM;
	n = space_node_alloc(s);
	if (!n)
		return MAPDB_NOMEM;
	if (space_pte_set(s, vaddr, phys & PAGE_MASK, rights) != 0) {
		space_node_free(s, n);
		return MAPDB_NOMEM;
	}
	/* Everything that can fail has been done: from here on only act. */
	old = *slot;
	n->child = NULL;
	n->space = s;
	n->vaddr = vaddr;
	n->phys = phys & PAGE_MASK;
	n->rights = rights;
	install(slot, old, n, NULL);
	return MAPDB_OK;
}

int mapdb_map_part(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr,
		   uint32_t rights, bool grant, bool may_stop)
{
	mapnode_t *src, **slot, *old, *n, *c;
	uint32_t r, src_rights;

	fvaddr &= PAGE_MASK;
	tvaddr &= PAGE_MASK;
	src = mapdb_lookup(from, fvaddr);
	if (!src)
		return MAPDB_OK;           /* nothing to send: silently nothing */
	src_rights = src->rights;
	r = rights & src_rights;
	if (r == 0)
		return MAPDB_OK;

	slot = space_node_slot(to, tvaddr, true);
	if (!slot)
		return MAPDB_NOMEM;
	old = *slot;
	if (old && ancestor_or_self(old, src))
		return MAPDB_CYCLE;
	/* A lender's page that goes (replaced), or a grant that takes read
	 * or write from what lies below its source, takes back what the
	 * kernel holds of it first. */
	if (old && lender_depth(old) && !(!grant && old->parent == src && old->phys == src->phys))
		space_frame_revoking(old->phys);
	if (grant && ((src_rights & ~r) & (RIGHT_R | RIGHT_W)) && lender_depth(src))
		space_frame_revoking(src->phys);
	/* A grant that narrows the rights takes them from what was derived
	 * from the source first, in steps (at the end, in one go, when the
	 * caller cannot stop); that may remove the destination too.  Its
	 * access bits are not wanted, so only the mappings that hold those
	 * rights are visited. */
	if (may_stop && grant && r != src_rights) {
		uint32_t access = 0;

		if (!revoke_below(src, src_rights & ~r, &access, true, true, false))
			return MAPDB_STOPPED;
		old = *slot;
	}
	/* What was derived from a mapping that this one replaces goes
	 * first, in steps: that tree may be deep. */
	if (may_stop && old && old->child && (grant || old->parent != src)) {
		uint32_t access = 0;

		if (!destroy_descendants(old, &access, true, true))
			return MAPDB_STOPPED;
	}

	/* Already derived from the source: only widen its rights.  With
	 * the rights as they were, the translation is renewed if it is
	 * gone: it goes while the frame is lent to the kernel, and mapping
	 * the page again is how it comes back (kernel/kpf.c). */
	if (!grant && old && old->parent == src && old->phys == src->phys) {
		uint32_t widened = old->rights | r;

		if (widened == old->rights) {
			space_pte_renew(to, tvaddr, old->phys, widened);
			return MAPDB_OK;
		}
		if (space_pte_set(to, tvaddr, old->phys, widened) != 0)
			return MAPDB_NOMEM;
		old->rights = widened;
		link_changes++;         /* voids a revoking walk's place */
		return MAPDB_OK;
	}

	n = space_node_alloc(to);
	if (!n)
		return MAPDB_NOMEM;
	if (space_pte_set(to, tvaddr, src->phys, r) != 0) {
		space_node_free(to, n);
		return MAPDB_NOMEM;
	}
	space_pte_cache_copy(from, fvaddr, to, tvaddr);

	/* Nothing below can fail. */
	n->child = NULL;
	n->space = to;
	n->vaddr = tvaddr;
	n->phys = src->phys;
	n->rights = r;

	if (!grant) {
		install(slot, old, n, src);
		return MAPDB_OK;
	}

	/*
	 * Grant: n takes src's place in the tree.  Flush the old destination
	 * first (it may lie below src, and it must not be handed over).
	 */
	if (old) {
		uint32_t access = 0;

		destroy_descendants(old, &access, false, false);
		drop_leaf(old, false);
	}
	link_changes++;
	n->parent = src->parent;
	n->prev = src->prev;
	n->next = src->next;
	if (n->prev)
		n->prev->next = n;
	else if (n->parent)
		n->parent->child = n;
	if (n->next)
		n->next->prev = n;
	n->child = src->child;
	for (c = n->child; c; c = c->next)
		c->parent = n;
	src->child = NULL;
	src->parent = src->prev = src->next = NULL;
	*slot = n;
	/* Remove the granter's mapping; its slot and PTE go with it. */
	drop_leaf(src, true);
	/* Derived mappings may not keep rights the grant did not pass on. */
	if (r != src_rights && !may_stop) {
		uint32_t access = 0;

		revoke_below(n, src_rights & ~r, &access, false, true, false);
	}
	return MAPDB_OK;
}

int mapdb_unmap_part(space_t *s, uint32_t vaddr, uint32_t rights, bool flush_self,
		     uint32_t *access, bool may_stop, bool resumed)
{
	mapnode_t *n = mapdb_lookup(s, vaddr);
	uint32_t keep;

	if (!n)
		return MAPDB_OK;
	rights &= RIGHTS_ALL;
	/* The kernel's use of a lent frame counts as derived from its
	 * lender, which holds it at the root or just below. */
	if ((rights & (RIGHT_R | RIGHT_W)) && lender_depth(n))
		space_frame_revoking(n->phys);
	keep = arch_rights_kept(flush_self ? n->rights & ~rights : n->rights);
	if (keep == 0)
		return destroy_subtree(n, access, may_stop, resumed) ? MAPDB_OK : MAPDB_STOPPED;
	if (!revoke_below(n, rights, access, may_stop, resumed, true))
		return MAPDB_STOPPED;
	n->rights = keep;
	/* Narrows n when flushing itself, else only reads its access bits. */
	*access |= space_pte_restrict(s, n->vaddr, keep);
	return MAPDB_OK;
}

uint32_t mapdb_unmap(space_t *s, uint32_t vaddr, uint32_t rights, bool flush_self)
{
	uint32_t access = 0;

	mapdb_unmap_part(s, vaddr, rights, flush_self, &access, false, false);
	return access;
}

int mapdb_map(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr,
	      uint32_t rights, bool grant)
{
	return mapdb_map_part(from, fvaddr, to, tvaddr, rights, grant, false);
}

unsigned mapdb_count_derived(const mapnode_t *n)
{
	const mapnode_t *c;
	unsigned count = 0;

	if (!n)
		return 0;
	for (c = n->child; c; c = preorder_next(c, n))
		count++;
	return count;
}
