/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mapdb harness proper (see mapdb_check.h): one operation is applied to
 * kernel/mapdb.c and to a reference model, then the real tree is checked
 * against its structural invariants and against the model.
 *
 * The model keeps, per position (space, page), only what the X.2 contract
 * speaks of: present, frame, rights, the position of the parent and the
 * PTE's access bits.  It has no sibling order and no pointers, so it is
 * written from mapdb.h's contract, not from mapdb.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mapdb_check.h"

#define NONE (-1)
#define PG(p) ((uint32_t)(p) << PAGE_SHIFT)

typedef struct mpos {
	bool present;
	int parent;                /* position, or NONE for a root */
	uint32_t phys, rights, access;
} mpos_t;

static mpos_t model[MDB_NPOS];
static unsigned long op_count;
static char context[128];
static bool trace;

void mdb_failf(const char *fmt, ...)
{
	char msg[512];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "op %lu (%s): ", op_count, context);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	mdb_fail(msg);
}

static const char *rights_str(uint32_t r, char *b)
{
	b[0] = r & RIGHT_R ? 'r' : '-';
	b[1] = r & RIGHT_W ? 'w' : '-';
	b[2] = r & RIGHT_X ? 'x' : '-';
	b[3] = 0;
	return b;
}

void mdb_describe(const mdb_op_t *op, char *buf, size_t len)
{
	static const char *const fail[8] = { "", " FAIL=t", " FAIL=n", " FAIL=tn",
					      " FAIL=p", " FAIL=tp", " FAIL=np", " FAIL=tnp" };
	char r[4];
	unsigned s1 = op->s1 % MDB_NSPACES, s2 = op->s2 % MDB_NSPACES;
	unsigned p1 = op->p1 % (MDB_NPAGES + 1), p2 = op->p2 % (MDB_NPAGES + 1);
	unsigned off = op->offset & ~PAGE_MASK;
	const char *f = fail[op->fail & 7];

	switch (op->kind % MDB_KINDS) {
	case MDB_ROOT:
		snprintf(buf, len, "root s%u:p%u+%#x frame %u %s%s", s1, p1, off,
			 op->frame % MDB_NFRAMES, rights_str(op->rights, r), f);
		break;
	case MDB_MAP:
	case MDB_GRANT:
		snprintf(buf, len, "%s s%u:p%u+%#x -> s%u:p%u %s%s",
			 op->kind % MDB_KINDS == MDB_MAP ? "map" : "grant", s1, p1, off, s2, p2, rights_str(op->rights, r), f);
		break;
	case MDB_UNMAP:
		snprintf(buf, len, "unmap s%u:p%u+%#x %s%s", s1, p1, off,
			 rights_str(op->rights, r), op->flush_self ? " flush_self" : "");
		break;
	default:
		snprintf(buf, len, "touch s%u:p%u %s", s1, p1, rights_str(op->rights, r));
		break;
	}
}

/* ---- the real tree ---- */

static int pos_of(const mapnode_t *n)
{
	return n->space->id * MDB_NPAGES + (int)(n->vaddr >> PAGE_SHIFT);
}

static void check_link(const mapnode_t *l, const char *what, int s, int p)
{
	MDB_REQUIRE(!l || mdb_node_live(l), "space %d page %d: %s link to a freed node",
		    s, p, what);
}

/* Each node's links and its slot, PTE, frame and rights; returns the count. */
static int check_nodes(void)
{
	int total = 0;

	for (int s = 0; s < MDB_NSPACES; s++) {
		space_t *sp = &mdb_space[s];

		for (int p = 0; p < MDB_NPAGES; p++) {
			const mapnode_t *n = sp->slot[p], *c;
			const mdb_pte_t *pte = &sp->pte[p];
			int k;

			if (!n) {
				MDB_REQUIRE(!pte->present, "PTE without node: space %d page %d", s, p);
				continue;
			}
			total++;
			MDB_REQUIRE(sp->table[p / MDB_NT_PAGES], "node in a missing table");
			MDB_REQUIRE(mdb_node_live(n), "space %d page %d: slot holds a freed node", s, p);
			MDB_REQUIRE(n->space == sp && n->vaddr == PG(p),
				    "node in slot of space %d page %d names another place", s, p);
			MDB_REQUIRE(n->rights && !(n->rights & ~RIGHTS_ALL) && !(n->phys & ~PAGE_MASK),
				    "space %d page %d: rights %#x frame %#x", s, p, n->rights, n->phys);
			MDB_REQUIRE(pte->present && pte->phys == n->phys && pte->rights == n->rights,
				    "space %d page %d: PTE (%d %#x %#x) disagrees with node (%#x %#x)",
				    s, p, pte->present, pte->phys, pte->rights, n->phys, n->rights);
			check_link(n->parent, "parent", s, p);
			check_link(n->child, "child", s, p);
			check_link(n->next, "next", s, p);
			check_link(n->prev, "prev", s, p);
			if (n->parent) {
				MDB_REQUIRE(n->phys == n->parent->phys, "space %d page %d: child maps "
					    "frame %#x, parent %#x", s, p, n->phys, n->parent->phys);
				MDB_REQUIRE(!(n->rights & ~n->parent->rights), "space %d page %d: "
					    "rights %#x exceed parent's %#x", s, p, n->rights,
					    n->parent->rights);
				for (c = n->parent->child, k = 0; c && c != n && k < MDB_NPOS; c = c->next)
					k++;
				MDB_REQUIRE(c == n, "space %d page %d: not in its parent's child list",
					    s, p);
			} else {
				MDB_REQUIRE(!n->prev && !n->next, "root space %d page %d has siblings",
					    s, p);
			}
			if (n->prev)
				MDB_REQUIRE(n->prev->next == n, "space %d page %d: prev->next broken", s, p);
			else if (n->parent)
				MDB_REQUIRE(n->parent->child == n, "space %d page %d: first child "
					    "not its parent's child", s, p);
			if (n->next)
				MDB_REQUIRE(n->next->prev == n && n->next->parent == n->parent,
					    "space %d page %d: next link broken", s, p);
			for (c = n->child, k = 0; c && k < MDB_NPOS; c = c->next, k++)
				MDB_REQUIRE(c->parent == n, "space %d page %d: child's parent "
					    "link broken", s, p);
			MDB_REQUIRE(!c, "space %d page %d: child list loops", s, p);
		}
	}
	return total;
}

/* Walk every root's tree in pre-order: each node once, from one root. */
static int check_reachable(int total)
{
	static bool seen[MDB_NPOS];
	int reached = 0;

	memset(seen, 0, sizeof(seen));
	for (int s = 0; s < MDB_NSPACES; s++) {
		for (int p = 0; p < MDB_NPAGES; p++) {
			const mapnode_t *root = mdb_space[s].slot[p], *n;
			int before = reached;

			if (!root || root->parent)
				continue;
			for (n = root; n;) {
				int pos = pos_of(n);

				MDB_REQUIRE(!seen[pos], "space %d page %d reached twice",
					    pos / MDB_NPAGES, pos % MDB_NPAGES);
				seen[pos] = true;
				MDB_REQUIRE(++reached <= total, "tree walk found more nodes than slots");
				if (n->child) {
					n = n->child;
					continue;
				}
				for (int k = 0; n != root; k++) {
					MDB_REQUIRE(k < MDB_NPOS, "parent links loop");
					if (n->next)
						break;
					n = n->parent;
				}
				n = n == root ? NULL : n->next;
			}
			MDB_REQUIRE(mapdb_count_derived(root) == (unsigned)(reached - before - 1),
				    "count_derived of space %d page %d is %u, walk found %d", s, p,
				    mapdb_count_derived(root), reached - before - 1);
		}
	}
	MDB_REQUIRE(reached == total, "%d nodes reachable from no root", total - reached);
	return reached;
}

void mdb_check(void)
{
	int total = check_nodes();

	check_reachable(total);
	mdb_fake_check(total);
}

/* ---- the reference model ---- */

static void check_model(void)
{
	for (int i = 0; i < MDB_NPOS; i++) {
		const mapnode_t *n = mdb_space[i / MDB_NPAGES].slot[i % MDB_NPAGES];
		const mpos_t *m = &model[i];
		int s = i / MDB_NPAGES, p = i % MDB_NPAGES;

		MDB_REQUIRE(!!n == m->present, "space %d page %d: mapped %d, model says %d",
			    s, p, !!n, m->present);
		if (!n)
			continue;
		MDB_REQUIRE(n->phys == m->phys && n->rights == m->rights,
			    "space %d page %d: frame %#x rights %#x, model %#x %#x", s, p,
			    n->phys, n->rights, m->phys, m->rights);
		MDB_REQUIRE((n->parent ? pos_of(n->parent) : NONE) == m->parent,
			    "space %d page %d: parent %d, model %d", s, p,
			    n->parent ? pos_of(n->parent) : NONE, m->parent);
		MDB_REQUIRE(mdb_space[s].pte[p].access == m->access,
			    "space %d page %d: access bits %#x, model %#x", s, p,
			    mdb_space[s].pte[p].access, m->access);
	}
}

static bool m_ancestor_or_self(int a, int x)
{
	for (int k = 0; x != NONE && k <= MDB_NPOS; x = model[x].parent, k++)
		if (x == a)
			return true;
	return false;
}

/* Mark top and everything derived from it. */
static void m_mark(int top, bool *mark)
{
	bool changed = true;

	memset(mark, 0, MDB_NPOS * sizeof(*mark));
	mark[top] = true;
	while (changed) {
		changed = false;
		for (int i = 0; i < MDB_NPOS; i++)
			if (model[i].present && !mark[i] && model[i].parent != NONE &&
			    mark[model[i].parent])
				mark[i] = changed = true;
	}
}

/* Access bits of top and everything derived from it. */
static uint32_t m_access(int top)
{
	bool mark[MDB_NPOS];
	uint32_t a = 0;

	m_mark(top, mark);
	for (int i = 0; i < MDB_NPOS; i++)
		if (mark[i])
			a |= model[i].access;
	return a;
}

/* The rights a mapping keeps after a revoke: on IA-32 a translation that
 * lets a program write lets it read too, so w alone is not kept. */
static uint32_t m_kept(uint32_t rights)
{
	return (rights & (RIGHT_R | RIGHT_X)) ? rights : 0;
}

/* Take revoke from every mapping derived from top (with self, top too);
 * those left with nothing (or w alone) vanish, the others lose their
 * access bits. */
static bool only_holders;   /* m_revoke leaves the others alone */

static void m_revoke(int top, uint32_t revoke, bool self)
{
	bool mark[MDB_NPOS], gone[MDB_NPOS] = { false }, more = true;

	m_mark(top, mark);
	for (int i = 0; i < MDB_NPOS; i++) {
		if (!mark[i] || (i == top && !self))
			continue;
		if (only_holders && !(model[i].rights & revoke))
			continue;
		model[i].rights = m_kept(model[i].rights & ~revoke);
		model[i].access = 0;
		gone[i] = !model[i].rights;
	}
	/* One that goes takes everything derived from it: below one left
	 * with w alone there may be mappings that held none of revoke. */
	while (more) {
		more = false;
		for (int i = 0; i < MDB_NPOS; i++)
			if (mark[i] && !gone[i] && model[i].parent != NONE && gone[model[i].parent])
				gone[i] = more = true;
	}
	for (int i = 0; i < MDB_NPOS; i++)
		if (gone[i])
			model[i] = (mpos_t){ .parent = NONE };
}

static bool has_table(int s, int p)
{
	return mdb_space[s].table[p / MDB_NT_PAGES];
}

/* Expected result of root or map, from the model; updates the model. */
static int m_root(int s, int p, uint32_t phys, uint32_t rights)
{
	int pos = s * MDB_NPAGES + p;

	if (p >= MDB_NPAGES || (!has_table(s, p) && (mdb_fail_now & MDB_FAIL_TABLE)) ||
	    (mdb_fail_now & (MDB_FAIL_NODE | MDB_FAIL_PTE)))
		return MAPDB_NOMEM;
	if (model[pos].present)
		m_revoke(pos, RIGHTS_ALL, false);
	model[pos] = (mpos_t){ true, NONE, phys, rights, 0 };
	return MAPDB_OK;
}

static int m_map(int s1, int p1, int s2, int p2, uint32_t rights, bool grant)
{
	int src = s1 * MDB_NPAGES + p1, dst = s2 * MDB_NPAGES + p2;
	uint32_t r, src_rights;
	mpos_t *d = &model[dst];

	if (p1 >= MDB_NPAGES || !model[src].present)
		return MAPDB_OK;
	src_rights = model[src].rights;
	r = rights & src_rights;
	if (r == 0)
		return MAPDB_OK;
	if (p2 >= MDB_NPAGES || (!has_table(s2, p2) && (mdb_fail_now & MDB_FAIL_TABLE)))
		return MAPDB_NOMEM;
	if (d->present && m_ancestor_or_self(dst, src))
		return MAPDB_CYCLE;
	if (!grant && d->present && d->parent == src && d->phys == model[src].phys) {
		if ((d->rights | r) != d->rights) {
			if (mdb_fail_now & MDB_FAIL_PTE)
				return MAPDB_NOMEM;
			d->rights |= r;
			d->access = 0;
		}
		return MAPDB_OK;
	}
	if (mdb_fail_now & (MDB_FAIL_NODE | MDB_FAIL_PTE))
		return MAPDB_NOMEM;
	if (d->present)
		m_revoke(dst, RIGHTS_ALL, false);
	*d = (mpos_t){ true, grant ? model[src].parent : src, model[src].phys, r, 0 };
	if (grant) {
		for (int i = 0; i < MDB_NPOS; i++)
			if (model[i].present && model[i].parent == src)
				model[i].parent = dst;
		model[src] = (mpos_t){ .parent = NONE };
		if (r != src_rights) {
			/* A grant that narrows the rights touches only the
			 * derived mappings that held the rights it takes. */
			only_holders = true;
			m_revoke(dst, src_rights & ~r, false);
			only_holders = false;
		}
	}
	return MAPDB_OK;
}

/* The brief's reference check: after unmap without flush_self, nothing
 * derived from the page keeps any of the revoked rights, anywhere. */
static void check_unmapped(space_t *s, uint32_t vaddr, uint32_t rights)
{
	const mapnode_t *n = mapdb_lookup(s, vaddr);

	MDB_REQUIRE(n, "unmap without flush_self removed the page itself");
	for (int i = 0; i < MDB_NPOS; i++) {
		const mapnode_t *m = mdb_space[i / MDB_NPAGES].slot[i % MDB_NPAGES], *a;

		if (!m || m == n)
			continue;
		for (a = m->parent; a && a != n; a = a->parent)
			;
		MDB_REQUIRE(!a || !(m->rights & rights), "space %d page %d still derived from "
			    "the unmapped page with rights %#x", i / MDB_NPAGES, i % MDB_NPAGES,
			    m->rights);
	}
	if (rights == RIGHTS_ALL)
		MDB_REQUIRE(!n->child && mapdb_count_derived(n) == 0, "derived mappings left");
}

void mdb_apply(const mdb_op_t *op)
{
	int s1 = op->s1 % MDB_NSPACES, s2 = op->s2 % MDB_NSPACES;
	int p1 = op->p1 % (MDB_NPAGES + 1), p2 = op->p2 % (MDB_NPAGES + 1);
	int pos = s1 * MDB_NPAGES + p1;
	uint32_t off = op->offset & ~PAGE_MASK, rights = op->rights & RIGHTS_ALL;
	space_t *a = &mdb_space[s1], *b = &mdb_space[s2];
	int want, got;

	op_count++;
	mdb_describe(op, context, sizeof(context));
	if (trace)
		fprintf(stderr, "mdb op %lu: %s", op_count, context);
	got = 0;
	mdb_fail_now = op->fail & 7;

	switch (op->kind % MDB_KINDS) {
	case MDB_ROOT: {
		uint32_t phys = MDB_FRAME0 + PG(op->frame % MDB_NFRAMES);

		/* Roots always carry rights: space.c makes them RIGHTS_ALL. */
		rights = rights ? rights : RIGHTS_ALL;
		want = m_root(s1, p1, phys, rights);
		got = mapdb_root(a, PG(p1) | off, phys | off, rights);
		MDB_REQUIRE(got == want, "mapdb_root returned %d, expected %d", got, want);
		break;
	}
	case MDB_MAP:
	case MDB_GRANT: {
		bool grant = op->kind % MDB_KINDS == MDB_GRANT;

		want = m_map(s1, p1, s2, p2, rights, grant);
		if (!op->fail && (op->p1 + op->p2) % 2 == 0) {
			/* Stopped and continued at preemption points (without
			 * injected failures: a map that fails after freeing
			 * the replaced tree keeps it freed), the same end. */
			int rounds = 0;

			mdb_stop_every = 1 + (op->rights & 3);
			while ((got = mapdb_map_part(a, PG(p1) | off, b, PG(p2) | off, op->rights,
						     grant, true)) == MAPDB_STOPPED)
				MDB_REQUIRE(++rounds < 1000000, "map never finishes");
			mdb_stop_every = 0;
		} else {
			got = mapdb_map(a, PG(p1) | off, b, PG(p2) | off, op->rights, grant);
		}
		MDB_REQUIRE(got == want, "mapdb_map returned %d, expected %d", got, want);
		break;
	}
	case MDB_UNMAP: {
		uint32_t access = 0, keep;

		mdb_fail_now = 0;     /* unmap allocates nothing */
		if (p1 < MDB_NPAGES && model[pos].present) {
			access = m_access(pos);
			keep = m_kept(op->flush_self ? model[pos].rights & ~rights :
				      model[pos].rights);
			if (keep == 0) {
				m_revoke(pos, RIGHTS_ALL, true);
			} else {
				m_revoke(pos, rights, false);
				model[pos].rights = keep;
				model[pos].access = 0;
			}
		}
		if ((op->rights & RIGHTS_ALL) == RIGHTS_ALL || (op->p1 + op->p2) % 2 == 0) {
			/* Stopped and continued at preemption points, an
			 * unmap ends as it would in one go: the same rights
			 * taken, and the access bits of every mapping below
			 * reported, those that hold none of the rights too. */
			uint32_t acc = 0;
			int r, rounds = 0;

			mdb_stop_every = 1 + (op->rights & 3);
			for (bool resumed = false;
			     (r = mapdb_unmap_part(a, PG(p1) | off, op->rights, op->flush_self,
						   &acc, true, resumed)) == MAPDB_STOPPED;
			     resumed = true)
				MDB_REQUIRE(++rounds < 1000000, "unmap never finishes");
			mdb_stop_every = 0;
			MDB_REQUIRE(r == MAPDB_OK, "stepped unmap returned %d", r);
			got = (int)acc;
		} else {
			got = (int)mapdb_unmap(a, PG(p1) | off, op->rights, op->flush_self);
		}
		MDB_REQUIRE((uint32_t)got == access, "mapdb_unmap returned access %#x, "
			    "expected %#x", (uint32_t)got, access);
		if (!op->flush_self && p1 < MDB_NPAGES && model[pos].present)
			check_unmapped(a, PG(p1), rights);
		break;
	}
	default:
		/* The hardware sets access bits on a present translation. */
		if (p1 < MDB_NPAGES && a->pte[p1].present) {
			a->pte[p1].access |= op->rights & (RIGHT_R | RIGHT_W);
			model[pos].access = a->pte[p1].access;
		}
		break;
	}
	mdb_fail_now = 0;
	if (trace)
		fprintf(stderr, " -> %d\n", got);
	mdb_check();
	check_model();
}

void mdb_reset(void)
{
	mdb_fake_reset();
	for (int i = 0; i < MDB_NPOS; i++)
		model[i] = (mpos_t){ .parent = NONE };
	op_count = 0;
	context[0] = 0;
	trace = getenv("MDB_TRACE") != NULL;
}

void mdb_clear_all(void)
{
	for (int i = 0; i < MDB_NPOS; i++) {
		mdb_op_t op = { .kind = MDB_UNMAP, .s1 = (uint8_t)(i / MDB_NPAGES),
				.p1 = (uint8_t)(i % MDB_NPAGES), .rights = RIGHTS_ALL,
				.flush_self = true };

		if (mdb_space[i / MDB_NPAGES].slot[i % MDB_NPAGES])
			mdb_apply(&op);
	}
	for (int s = 0; s < MDB_NSPACES; s++)
		MDB_REQUIRE(mdb_space[s].nodes == 0, "space %d keeps %d nodes after clearing",
			    s, mdb_space[s].nodes);
}
