/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for kernel/mapdb.c.  The space_* hooks are faked with plain
 * arrays: each fake space has node-table slots and PTEs for NPAGES pages,
 * node tables that come into existence per NT_PAGES pages, and switches
 * that make each kind of allocation fail.  After every operation the
 * whole database is checked against its invariants.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/mapdb.h>

#define NPAGES   4096          /* 16 MB of virtual space per fake space */
#define NT_PAGES 64            /* pages covered by one node table */
#define NSPACES  6

typedef struct fake_pte {
	uint32_t present;
	uint32_t phys, rights, access;
} fake_pte_t;

struct space {
	int id;
	mapnode_t *slot[NPAGES];
	bool table[NPAGES / NT_PAGES];
	fake_pte_t pte[NPAGES];
	int nodes;                 /* mapping nodes charged to this space */
	bool fail_table, fail_node, fail_pte;
};

/* A cheap assertion for hot paths (ck_assert marks every passing point). */
#define REQUIRE(c, ...) do { if (!(c)) ck_abort_msg(__VA_ARGS__); } while (0)

static space_t *sp[NSPACES];
static int live_nodes;

/* ---- the fake hooks ---- */

mapnode_t **space_node_slot(space_t *s, uint32_t vaddr, bool alloc)
{
	uint32_t i = vaddr >> PAGE_SHIFT;

	REQUIRE((vaddr & (PAGE_SIZE - 1)) == 0, "unaligned vaddr %#x", vaddr);
	if (i >= NPAGES)
		return NULL;
	if (!s->table[i / NT_PAGES]) {
		if (!alloc || s->fail_table)
			return NULL;
		s->table[i / NT_PAGES] = true;
	}
	return &s->slot[i];
}

mapnode_t *space_node_alloc(space_t *s)
{
	mapnode_t *n;

	if (s->fail_node)
		return NULL;
	n = calloc(1, sizeof(*n));
	REQUIRE(n, "calloc");
	s->nodes++;
	live_nodes++;
	return n;
}

void space_node_free(space_t *s, mapnode_t *n)
{
	REQUIRE(n, "freeing NULL");
	REQUIRE(n->space == s || n->space == NULL, "node freed to the wrong space");
	s->nodes--;
	live_nodes--;
	memset(n, 0xA5, sizeof(*n));
	free(n);
}

int space_pte_set(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights)
{
	fake_pte_t *p = &s->pte[vaddr >> PAGE_SHIFT];

	REQUIRE((vaddr >> PAGE_SHIFT) < NPAGES, "vaddr out of range");
	REQUIRE(rights != 0, "PTE without rights");
	if (s->fail_pte)
		return -1;
	/* keep the access bits when only the rights change */
	if (!p->present || p->phys != phys)
		p->access = 0;
	p->present = 1;
	p->phys = phys;
	p->rights = rights;
	return 0;
}

void space_pte_renew(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights)
{
	fake_pte_t *p = &s->pte[vaddr >> PAGE_SHIFT];

	REQUIRE((vaddr >> PAGE_SHIFT) < NPAGES, "vaddr out of range");
	if (p->present)
		return;
	p->present = 1;
	p->phys = phys;
	p->rights = rights;
	p->access = 0;
}

uint32_t space_pte_clear(space_t *s, uint32_t vaddr)
{
	fake_pte_t *p = &s->pte[vaddr >> PAGE_SHIFT];
	uint32_t a = p->access;

	REQUIRE(p->present, "clearing an absent PTE in space %d at %#x",
		      s->id, vaddr);
	memset(p, 0, sizeof(*p));
	return a;
}

/* Preemption points: with stop_all set, every one stops the walk. */
static bool stop_all;

/* The lent-frame hook: which frames the database said it was about to
 * take from a lender, in order. */
static uint32_t revoking[16];
static unsigned revoking_n;

void space_frame_revoking(uint32_t phys)
{
	if (revoking_n < 16)
		revoking[revoking_n] = phys;
	revoking_n++;
}

bool mapdb_stop_due(unsigned cost)
{
	(void)cost;
	return stop_all;
}

uint32_t space_pte_restrict(space_t *s, uint32_t vaddr, uint32_t rights)
{
	fake_pte_t *p = &s->pte[vaddr >> PAGE_SHIFT];
	uint32_t a = p->access;

	REQUIRE(p->present, "restricting an absent PTE");
	REQUIRE((rights & ~p->rights) == 0, "restrict must never widen");
	p->rights &= rights;
	p->access = 0;
	return a;
}

/* Cache modes are page-table bits the fake does not model; the map
 * must only ask for them after it has set the destination's PTE. */
void space_pte_cache_copy(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr)
{
	(void)from;
	(void)fvaddr;
	REQUIRE(to->pte[tvaddr >> PAGE_SHIFT].present, "cache mode copied to an absent PTE");
}

/* ---- helpers ---- */

#define PG(n) ((uint32_t)(n) << PAGE_SHIFT)
#define RWX RIGHTS_ALL
#define RW (RIGHT_R | RIGHT_W)
#define R RIGHT_R

static void setup(void)
{
	for (int i = 0; i < NSPACES; i++) {
		sp[i] = calloc(1, sizeof(*sp[i]));
		sp[i]->id = i;
	}
	live_nodes = 0;
	stop_all = false;
}

/* Remove every mapping through the database itself, then free. */
static void teardown(void)
{
	for (int i = 0; i < NSPACES; i++)
		for (uint32_t p = 0; p < NPAGES; p++)
			if (sp[i]->slot[p])
				mapdb_unmap(sp[i], PG(p), RWX, true);
	ck_assert_int_eq(live_nodes, 0);
	for (int i = 0; i < NSPACES; i++)
		free(sp[i]);
}

static void touch(space_t *s, uint32_t vaddr, uint32_t bits)
{
	REQUIRE(s->pte[vaddr >> PAGE_SHIFT].present, "touching an absent page");
	s->pte[vaddr >> PAGE_SHIFT].access |= bits;
}

static bool in_children(const mapnode_t *parent, const mapnode_t *n)
{
	for (const mapnode_t *c = parent->child; c; c = c->next)
		if (c == n)
			return true;
	return false;
}

/* Check every invariant the database promises; returns the node count. */
static int check_db(void)
{
	int total = 0, charged = 0;

	for (int i = 0; i < NSPACES; i++) {
		space_t *s = sp[i];

		charged += s->nodes;
		for (uint32_t p = 0; p < NPAGES; p++) {
			mapnode_t *n = s->slot[p];
			fake_pte_t *pte = &s->pte[p];

			if (!n) {
				REQUIRE(!pte->present, "PTE without node: space %d page %u", i, p);
				continue;
			}
			total++;
			REQUIRE(n->space == s && n->vaddr == PG(p),
				"node in space %d page %u names another place", i, p);
			REQUIRE(n->rights != 0 && (n->rights & ~RWX) == 0,
				"node rights %#x", n->rights);
			REQUIRE(pte->present && pte->phys == n->phys && pte->rights == n->rights,
				"PTE disagrees with node: space %d page %u", i, p);
			if (n->parent) {
				const mapnode_t *pa = n->parent;

				REQUIRE(in_children(pa, n), "node missing from its parent's list");
				REQUIRE(n->phys == pa->phys, "child maps another frame");
				REQUIRE((n->rights & ~pa->rights) == 0, "child has more rights");
				REQUIRE(pa->space->slot[pa->vaddr >> PAGE_SHIFT] == pa,
					"parent not installed");
			}
			if (n->prev)
				REQUIRE(n->prev->next == n, "prev link broken");
			else if (n->parent)
				REQUIRE(n->parent->child == n, "first-child link broken");
			if (n->next)
				REQUIRE(n->next->prev == n, "next link broken");
			for (mapnode_t *c = n->child; c; c = c->next)
				REQUIRE(c->parent == n, "child's parent link broken");
		}
	}
	ck_assert_int_eq(total, live_nodes);
	ck_assert_int_eq(total, charged);
	return total;
}

/* A snapshot of all state, to prove that a failed operation changed nothing. */
typedef struct snap_node {
	const void *addr, *parent, *child, *next, *prev;
	uint32_t rights, phys;
} snap_node_t;

typedef struct snapshot {
	snap_node_t node[NSPACES][NPAGES];
	fake_pte_t pte[NSPACES][NPAGES];
	int nodes[NSPACES];
} snapshot_t;

static snapshot_t *take(void)
{
	snapshot_t *t = calloc(1, sizeof(*t));

	for (int i = 0; i < NSPACES; i++) {
		t->nodes[i] = sp[i]->nodes;
		for (uint32_t p = 0; p < NPAGES; p++) {
			mapnode_t *n = sp[i]->slot[p];

			t->pte[i][p] = sp[i]->pte[p];
			if (n)
				t->node[i][p] = (snap_node_t){ n, n->parent, n->child, n->next,
							       n->prev, n->rights, n->phys };
		}
	}
	return t;
}

static void assert_same(snapshot_t *a)
{
	snapshot_t *b = take();

	ck_assert_msg(memcmp(a, b, sizeof(*a)) == 0, "state changed");
	free(a);
	free(b);
}

/* sigma0 (space 0) owns frame 0x100000 at the same virtual address. */
#define FRAME 0x00100000u
#define FRAME2 0x00200000u

/* sigma0 root -> A(1) -> B(2) -> C(3), each at its own address. */
static void build_chain(uint32_t ra, uint32_t rb, uint32_t rc)
{
	ck_assert_int_eq(mapdb_root(sp[0], FRAME, FRAME, RWX), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[1], PG(1), ra, false), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[1], PG(1), sp[2], PG(2), rb, false), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[2], PG(2), sp[3], PG(3), rc, false), MAPDB_OK);
	check_db();
}

/* ---- tests ---- */

/* The database tells the kernel before a lender's mapping (a root, or a
 * root's child: where a kpager holds a page it lends) loses read or
 * write, or goes, so that a frame lent to the kernel is taken back
 * first (kernel/kpreempt.c); never for a mapping further down, for an
 * Unmap of execute alone, or for a map that renews the same mapping. */
START_TEST(lender_hook_where_lender_holds)
{
	build_chain(RWX, RWX, RWX);
	revoking_n = 0;
	mapdb_unmap(sp[2], PG(2), RWX, false);           /* depth 2: no */
	mapdb_unmap(sp[1], PG(1), RIGHT_X, false);        /* execute only: no */
	ck_assert_uint_eq(revoking_n, 0);
	ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[1], PG(1), RWX, false), MAPDB_OK);
	ck_assert_uint_eq(revoking_n, 0);                 /* renewed, not replaced */
	mapdb_unmap(sp[1], PG(1), RIGHT_W, false);        /* the lender's: yes */
	ck_assert_uint_eq(revoking_n, 1);
	ck_assert_uint_eq(revoking[0], FRAME);
	mapdb_unmap(sp[0], FRAME, RIGHT_R, false);        /* the root: yes */
	ck_assert_uint_eq(revoking_n, 2);
	/* A map over the lender's page replaces it: yes, for its frame. */
	ck_assert_int_eq(mapdb_root(sp[0], FRAME2, FRAME2, RWX), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[1], PG(1), RWX, false), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[0], FRAME2, sp[1], PG(1), RWX, false), MAPDB_OK);
	ck_assert_uint_eq(revoking_n, 3);
	ck_assert_uint_eq(revoking[2], FRAME);
	check_db();
}
END_TEST

START_TEST(root_and_lookup)
{
	mapnode_t *n;

	ck_assert_ptr_null(mapdb_lookup(sp[0], FRAME));
	ck_assert_int_eq(mapdb_root(sp[0], FRAME + 0x123, FRAME, RW), MAPDB_OK);
	n = mapdb_lookup(sp[0], FRAME + 0xFFF);
	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_null(n->parent);
	ck_assert_uint_eq(n->vaddr, FRAME);
	ck_assert_uint_eq(n->phys, FRAME);
	ck_assert_uint_eq(n->rights, RW);
	ck_assert_uint_eq(mapdb_count_derived(n), 0);
	ck_assert_uint_eq(mapdb_count_derived(NULL), 0);
	ck_assert_int_eq(check_db(), 1);
}
END_TEST

START_TEST(map_chain)
{
	mapnode_t *r, *a, *b, *c;

	build_chain(RWX, RWX, RWX);
	r = mapdb_lookup(sp[0], FRAME);
	a = mapdb_lookup(sp[1], PG(1));
	b = mapdb_lookup(sp[2], PG(2));
	c = mapdb_lookup(sp[3], PG(3));
	ck_assert_ptr_eq(a->parent, r);
	ck_assert_ptr_eq(b->parent, a);
	ck_assert_ptr_eq(c->parent, b);
	ck_assert_uint_eq(c->phys, FRAME);
	ck_assert_uint_eq(sp[3]->pte[3].phys, FRAME);
	ck_assert_uint_eq(mapdb_count_derived(r), 3);
	ck_assert_uint_eq(mapdb_count_derived(b), 1);
	/* each mapping is charged to the space that holds it */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(sp[i]->nodes, 1);
}
END_TEST

START_TEST(map_narrows_to_source)
{
	build_chain(RW, RWX, RWX);
	/* B and C asked for RWX but A only has RW */
	ck_assert_uint_eq(mapdb_lookup(sp[2], PG(2))->rights, RW);
	ck_assert_uint_eq(sp[3]->pte[3].rights, RW);
}
END_TEST

START_TEST(map_unmapped_source_is_noop)
{
	snapshot_t *s = take();

	ck_assert_int_eq(mapdb_map(sp[1], PG(7), sp[2], PG(7), RWX, false), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[1], PG(7), sp[2], PG(7), RWX, true), MAPDB_OK);
	assert_same(s);
}
END_TEST

/* A translation removed behind the database's back (the kernel does so
 * while the frame is lent to it) comes back when the same page is mapped
 * again with the same rights; a present one keeps its access bits. */
START_TEST(remap_renews_missing_translation)
{
	fake_pte_t *p;

	ck_assert_int_eq(mapdb_root(sp[0], FRAME, FRAME, RW), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[1], PG(1), RW, false), MAPDB_OK);
	p = &sp[1]->pte[PG(1) >> PAGE_SHIFT];
	p->access = 4;
	ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[1], PG(1), RW, false), MAPDB_OK);
	ck_assert_uint_eq(p->access, 4);
	*p = (fake_pte_t){ 0 };
	ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[1], PG(1), RW, false), MAPDB_OK);
	ck_assert_int_eq(p->present, 1);
	ck_assert_uint_eq(p->phys, FRAME);
	ck_assert_uint_eq(p->rights, RW);
	ck_assert_int_eq(check_db(), 2);      /* two nodes, consistent */
}
END_TEST

START_TEST(siblings)
{
	mapnode_t *r;

	ck_assert_int_eq(mapdb_root(sp[0], FRAME, FRAME, RWX), MAPDB_OK);
	for (int i = 1; i < NSPACES; i++)
		ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[i], PG(10), RWX, false), MAPDB_OK);
	r = mapdb_lookup(sp[0], FRAME);
	ck_assert_uint_eq(mapdb_count_derived(r), NSPACES - 1);
	/* remove one from the middle of the sibling list, then the ends */
	mapdb_unmap(sp[3], PG(10), RWX, true);
	check_db();
	mapdb_unmap(sp[1], PG(10), RWX, true);
	mapdb_unmap(sp[5], PG(10), RWX, true);
	ck_assert_int_eq(check_db(), 3);
	ck_assert_uint_eq(mapdb_count_derived(r), 2);
	ck_assert_ptr_nonnull(mapdb_lookup(sp[2], PG(10)));
	ck_assert_ptr_nonnull(mapdb_lookup(sp[4], PG(10)));
}
END_TEST

START_TEST(unmap_derived_only)
{
	build_chain(RWX, RWX, RWX);
	mapdb_unmap(sp[1], PG(1), RWX, false);
	ck_assert_int_eq(check_db(), 2);
	ck_assert_ptr_nonnull(mapdb_lookup(sp[1], PG(1)));
	ck_assert_uint_eq(mapdb_lookup(sp[1], PG(1))->rights, RWX);
	ck_assert_ptr_null(mapdb_lookup(sp[2], PG(2)));
	ck_assert_ptr_null(mapdb_lookup(sp[3], PG(3)));
	ck_assert(!sp[3]->pte[3].present);
	ck_assert_int_eq(sp[2]->nodes + sp[3]->nodes, 0);
}
END_TEST

START_TEST(unmap_flush_self)
{
	build_chain(RWX, RWX, RWX);
	ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[4], PG(4), R, false), MAPDB_OK);
	mapdb_unmap(sp[1], PG(1), RWX, true);
	ck_assert_int_eq(check_db(), 2);   /* sigma0 and its other child */
	ck_assert_ptr_null(mapdb_lookup(sp[1], PG(1)));
	ck_assert_ptr_nonnull(mapdb_lookup(sp[4], PG(4)));
	/* unmapping nothing returns nothing */
	ck_assert_uint_eq(mapdb_unmap(sp[1], PG(1), RWX, true), 0);
}
END_TEST

START_TEST(rights_downgrade_chain)
{
	build_chain(RWX, RW, R);
	/* take W below A: B drops to R, C already R, A keeps RWX */
	mapdb_unmap(sp[1], PG(1), RIGHT_W, false);
	check_db();
	ck_assert_uint_eq(mapdb_lookup(sp[1], PG(1))->rights, RWX);
	ck_assert_uint_eq(mapdb_lookup(sp[2], PG(2))->rights, R);
	ck_assert_uint_eq(sp[2]->pte[2].rights, R);
	ck_assert_uint_eq(mapdb_lookup(sp[3], PG(3))->rights, R);
	/* take X from A itself */
	mapdb_unmap(sp[1], PG(1), RIGHT_X, true);
	check_db();
	ck_assert_uint_eq(mapdb_lookup(sp[1], PG(1))->rights, RW);
	ck_assert_uint_eq(sp[1]->pte[1].rights, RW);
	ck_assert_ptr_nonnull(mapdb_lookup(sp[3], PG(3)));
	/* take R below A: B and C have nothing left and vanish */
	mapdb_unmap(sp[1], PG(1), RIGHT_R, false);
	ck_assert_int_eq(check_db(), 2);
	ck_assert_ptr_null(mapdb_lookup(sp[2], PG(2)));
	ck_assert_ptr_null(mapdb_lookup(sp[3], PG(3)));
	ck_assert_uint_eq(mapdb_lookup(sp[1], PG(1))->rights, RW);
}
END_TEST

START_TEST(rights_downgrade_partial_subtree)
{
	/* B has RW with a W-only child C2 and an R-only child C: taking W
	 * removes C2 but keeps C. */
	build_chain(RWX, RW, R);
	ck_assert_int_eq(mapdb_map(sp[2], PG(2), sp[4], PG(4), RIGHT_W, false), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[4], PG(4), sp[5], PG(5), RIGHT_W, false), MAPDB_OK);
	mapdb_unmap(sp[2], PG(2), RIGHT_W, false);
	ck_assert_int_eq(check_db(), 4);
	ck_assert_ptr_null(mapdb_lookup(sp[4], PG(4)));
	ck_assert_ptr_null(mapdb_lookup(sp[5], PG(5)));
	ck_assert_ptr_nonnull(mapdb_lookup(sp[3], PG(3)));
	ck_assert_uint_eq(mapdb_lookup(sp[2], PG(2))->rights, RW);
}
END_TEST

START_TEST(access_bits)
{
	build_chain(RWX, RWX, RWX);
	touch(sp[3], PG(3), RIGHT_W);
	touch(sp[2], PG(2), RIGHT_R);
	/* rights 0: a pure query that collects and clears */
	ck_assert_uint_eq(mapdb_unmap(sp[1], PG(1), 0, false), RIGHT_R | RIGHT_W);
	ck_assert_uint_eq(mapdb_unmap(sp[1], PG(1), 0, false), 0);
	ck_assert_int_eq(check_db(), 4);
	/* the mapping's own bits count too */
	touch(sp[1], PG(1), RIGHT_R);
	ck_assert_uint_eq(mapdb_unmap(sp[1], PG(1), 0, false), RIGHT_R);
	/* bits of mappings that get removed are collected */
	touch(sp[3], PG(3), RIGHT_W);
	ck_assert_uint_eq(mapdb_unmap(sp[2], PG(2), RWX, true), RIGHT_W);
	/* bits above the unmapped node are not */
	touch(sp[0], FRAME, RIGHT_W);
	ck_assert_uint_eq(mapdb_unmap(sp[1], PG(1), RWX, true), 0);
	ck_assert_int_eq(check_db(), 1);
}
END_TEST

START_TEST(grant_moves_node)
{
	mapnode_t *r, *b, *d;

	build_chain(RWX, RWX, RWX);
	r = mapdb_lookup(sp[0], FRAME);
	b = mapdb_lookup(sp[2], PG(2));
	ck_assert_int_eq(mapdb_map(sp[1], PG(1), sp[4], PG(40), RWX, true), MAPDB_OK);
	ck_assert_int_eq(check_db(), 4);
	ck_assert_ptr_null(mapdb_lookup(sp[1], PG(1)));
	ck_assert(!sp[1]->pte[1].present);
	d = mapdb_lookup(sp[4], PG(40));
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_eq(d->parent, r);
	ck_assert_ptr_eq(d->child, b);       /* children stay attached */
	ck_assert_ptr_eq(b->parent, d);
	ck_assert_uint_eq(d->rights, RWX);
	ck_assert_uint_eq(mapdb_count_derived(d), 2);
	/* the receiver pays for the moved node */
	ck_assert_int_eq(sp[1]->nodes, 0);
	ck_assert_int_eq(sp[4]->nodes, 1);
	/* unmapping the new holder still reaches the old children */
	mapdb_unmap(sp[4], PG(40), RWX, false);
	ck_assert_int_eq(check_db(), 2);
}
END_TEST

START_TEST(grant_root_and_siblings)
{
	mapnode_t *r;

	ck_assert_int_eq(mapdb_root(sp[0], FRAME, FRAME, RWX), MAPDB_OK);
	for (int i = 1; i <= 3; i++)
		ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[i], PG(i), RWX, false), MAPDB_OK);
	/* grant the middle sibling and a root */
	ck_assert_int_eq(mapdb_map(sp[2], PG(2), sp[5], PG(5), RWX, true), MAPDB_OK);
	check_db();
	ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[4], PG(4), RWX, true), MAPDB_OK);
	ck_assert_int_eq(check_db(), 4);
	r = mapdb_lookup(sp[4], PG(4));
	ck_assert_ptr_null(r->parent);
	ck_assert_uint_eq(mapdb_count_derived(r), 3);
}
END_TEST

START_TEST(grant_narrowed_rights)
{
	build_chain(RWX, RW, R);
	ck_assert_int_eq(mapdb_map(sp[2], PG(2), sp[5], PG(5), RIGHT_W, false), MAPDB_OK);
	/* A grants only R|X: B loses W, the W-only mapping disappears */
	ck_assert_int_eq(mapdb_map(sp[1], PG(1), sp[4], PG(4), R | RIGHT_X, true), MAPDB_OK);
	ck_assert_int_eq(check_db(), 4);
	ck_assert_uint_eq(mapdb_lookup(sp[4], PG(4))->rights, R | RIGHT_X);
	ck_assert_uint_eq(mapdb_lookup(sp[2], PG(2))->rights, R);
	ck_assert_ptr_nonnull(mapdb_lookup(sp[3], PG(3)));
	ck_assert_ptr_null(mapdb_lookup(sp[5], PG(5)));
}
END_TEST

START_TEST(grant_onto_own_descendant)
{
	/* A grants into the slot where its child B lives: B (and C) are
	 * flushed, the granted node takes B's place. */
	build_chain(RWX, RWX, RWX);
	ck_assert_int_eq(mapdb_map(sp[1], PG(1), sp[2], PG(2), RWX, true), MAPDB_OK);
	ck_assert_int_eq(check_db(), 2);
	ck_assert_ptr_null(mapdb_lookup(sp[1], PG(1)));
	ck_assert_ptr_null(mapdb_lookup(sp[3], PG(3)));
	ck_assert_ptr_eq(mapdb_lookup(sp[2], PG(2))->parent, mapdb_lookup(sp[0], FRAME));
}
END_TEST

START_TEST(cycle)
{
	snapshot_t *s;

	build_chain(RWX, RWX, RWX);
	s = take();
	/* C's page into A's slot (A is an ancestor of C) */
	ck_assert_int_eq(mapdb_map(sp[3], PG(3), sp[1], PG(1), RWX, false), MAPDB_CYCLE);
	ck_assert_int_eq(mapdb_map(sp[3], PG(3), sp[1], PG(1), RWX, true), MAPDB_CYCLE);
	/* into sigma0's root slot */
	ck_assert_int_eq(mapdb_map(sp[2], PG(2), sp[0], FRAME, RWX, false), MAPDB_CYCLE);
	/* onto itself */
	ck_assert_int_eq(mapdb_map(sp[2], PG(2), sp[2], PG(2), RWX, false), MAPDB_CYCLE);
	ck_assert_int_eq(mapdb_map(sp[2], PG(2), sp[2], PG(2), RWX, true), MAPDB_CYCLE);
	assert_same(s);
	check_db();
}
END_TEST

START_TEST(replace_existing)
{
	mapnode_t *n;

	build_chain(RWX, RWX, RWX);
	/* an unrelated frame mapped into space 4, with a derived mapping */
	ck_assert_int_eq(mapdb_root(sp[0], 0x200000, 0x200000, RWX), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[0], 0x200000, sp[4], PG(9), RWX, false), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[4], PG(9), sp[5], PG(9), RWX, false), MAPDB_OK);
	touch(sp[4], PG(9), RIGHT_W);
	/* now map C's page over space 4's page 9 */
	ck_assert_int_eq(mapdb_map(sp[3], PG(3), sp[4], PG(9), R, false), MAPDB_OK);
	ck_assert_int_eq(check_db(), 6);
	n = mapdb_lookup(sp[4], PG(9));
	ck_assert_ptr_eq(n->parent, mapdb_lookup(sp[3], PG(3)));
	ck_assert_uint_eq(n->phys, FRAME);
	ck_assert_uint_eq(sp[4]->pte[9].phys, FRAME);
	ck_assert_uint_eq(sp[4]->pte[9].rights, R);
	ck_assert_uint_eq(sp[4]->pte[9].access, 0);   /* a fresh translation */
	ck_assert_ptr_null(mapdb_lookup(sp[5], PG(9)));
	ck_assert_uint_eq(mapdb_count_derived(mapdb_lookup(sp[0], 0x200000)), 0);
	/* a root over an existing mapping replaces it as well */
	ck_assert_int_eq(mapdb_root(sp[2], PG(2), 0x300000, RW), MAPDB_OK);
	ck_assert_int_eq(check_db(), 4);
	ck_assert_ptr_null(mapdb_lookup(sp[2], PG(2))->parent);
	ck_assert_ptr_null(mapdb_lookup(sp[3], PG(3)));
}
END_TEST

START_TEST(remap_extends_rights)
{
	mapnode_t *b;

	build_chain(RWX, R, R);
	b = mapdb_lookup(sp[2], PG(2));
	touch(sp[2], PG(2), RIGHT_R);
	ck_assert_int_eq(mapdb_map(sp[1], PG(1), sp[2], PG(2), RW, false), MAPDB_OK);
	ck_assert_int_eq(check_db(), 4);
	ck_assert_ptr_eq(mapdb_lookup(sp[2], PG(2)), b);   /* same node */
	ck_assert_uint_eq(b->rights, RW);
	ck_assert_ptr_nonnull(mapdb_lookup(sp[3], PG(3))); /* children kept */
	ck_assert_uint_eq(sp[2]->pte[2].access, RIGHT_R);
	/* never beyond the source */
	mapdb_unmap(sp[1], PG(1), RIGHT_X, true);
	ck_assert_int_eq(mapdb_map(sp[1], PG(1), sp[2], PG(2), RWX, false), MAPDB_OK);
	ck_assert_uint_eq(b->rights, RW);
	check_db();
}
END_TEST

START_TEST(zero_rights_map_is_noop)
{
	snapshot_t *s;

	build_chain(R, R, R);
	s = take();
	ck_assert_int_eq(mapdb_map(sp[1], PG(1), sp[4], PG(4), RIGHT_W, false), MAPDB_OK);
	assert_same(s);
}
END_TEST

START_TEST(oom_leaves_tree_intact)
{
	snapshot_t *s;

	build_chain(RWX, RWX, RWX);
	/* destination with an existing mapping that must survive failures */
	ck_assert_int_eq(mapdb_root(sp[0], 0x200000, 0x200000, RWX), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[0], 0x200000, sp[4], PG(9), RWX, false), MAPDB_OK);
	ck_assert_int_eq(mapdb_map(sp[4], PG(9), sp[5], PG(9), RWX, false), MAPDB_OK);

	for (int kind = 0; kind < 3; kind++) {
		for (int grant = 0; grant < 2; grant++) {
			uint32_t dst[2] = { PG(9), PG(NT_PAGES * 3) }; /* existing / new table */

			for (int d = 0; d < 2; d++) {
				sp[4]->fail_table = kind == 0;
				sp[4]->fail_node = kind == 1;
				sp[4]->fail_pte = kind == 2;
				if (kind == 0 && d == 0)
					continue;   /* the table exists: cannot fail */
				s = take();
				ck_assert_int_eq(mapdb_map(sp[2], PG(2), sp[4], dst[d], RWX, grant),
						 MAPDB_NOMEM);
				assert_same(s);
				check_db();
			}
		}
	}
	sp[4]->fail_table = sp[4]->fail_node = sp[4]->fail_pte = false;

	/* roots fail the same way */
	sp[0]->fail_node = true;
	s = take();
	ck_assert_int_eq(mapdb_root(sp[0], FRAME, FRAME, RW), MAPDB_NOMEM);
	assert_same(s);
	sp[0]->fail_node = false;
	sp[0]->fail_pte = true;
	s = take();
	ck_assert_int_eq(mapdb_root(sp[0], 0x400000, 0x400000, RW), MAPDB_NOMEM);
	assert_same(s);
	sp[0]->fail_pte = false;
	sp[0]->fail_table = true;
	s = take();
	ck_assert_int_eq(mapdb_root(sp[0], 0x800000, 0x800000, RW), MAPDB_NOMEM);
	assert_same(s);
	sp[0]->fail_table = false;

	/* extending rights needs the PTE too */
	mapdb_unmap(sp[1], PG(1), RIGHT_W | RIGHT_X, false);
	sp[2]->fail_pte = true;
	s = take();
	ck_assert_int_eq(mapdb_map(sp[1], PG(1), sp[2], PG(2), RWX, false), MAPDB_NOMEM);
	assert_same(s);
	sp[2]->fail_pte = false;

	/* and after the failures everything works again */
	ck_assert_int_eq(mapdb_map(sp[2], PG(2), sp[4], PG(9), RWX, false), MAPDB_OK);
	check_db();
	ck_assert_ptr_null(mapdb_lookup(sp[5], PG(9)));
}
END_TEST

START_TEST(deep_chain)
{
	/* One long chain inside one space, then torn down from the top:
	 * the walks are iterative, so depth costs no stack. */
	const uint32_t depth = NPAGES - 1;

	ck_assert_int_eq(mapdb_root(sp[1], PG(0), FRAME, RWX), MAPDB_OK);
	for (uint32_t i = 1; i <= depth; i++)
		REQUIRE(mapdb_map(sp[1], PG(i - 1), sp[1], PG(i), RWX, false) == MAPDB_OK,
			"map %u", i);
	ck_assert_uint_eq(mapdb_count_derived(mapdb_lookup(sp[1], PG(0))), depth);
	touch(sp[1], PG(depth), RIGHT_W);
	/* narrowing reaches the bottom */
	ck_assert_uint_eq(mapdb_unmap(sp[1], PG(0), RIGHT_X, false), RIGHT_W);
	ck_assert_uint_eq(mapdb_lookup(sp[1], PG(depth))->rights, RW);
	check_db();
	/* a cycle check far from the root */
	ck_assert_int_eq(mapdb_map(sp[1], PG(depth), sp[1], PG(1), RWX, false), MAPDB_CYCLE);
	mapdb_unmap(sp[1], PG(0), RWX, true);
	ck_assert_int_eq(check_db(), 0);
	ck_assert_int_eq(sp[1]->nodes, 0);
}
END_TEST

/* A chain of `depth` mappings below sp[1]'s root at page 0, all in sp[1]. */
static void build_deep_chain(uint32_t depth)
{
	ck_assert_int_eq(mapdb_root(sp[1], PG(0), FRAME, RWX), MAPDB_OK);
	for (uint32_t i = 1; i <= depth; i++)
		REQUIRE(mapdb_map(sp[1], PG(i - 1), sp[1], PG(i), RWX, false) == MAPDB_OK,
			"map %u", i);
}

START_TEST(deep_chain_way_down_stops)
{
	/* Revoking a deep chain starts at its bottom; the way down is a
	 * stretch of work as long as the chain, so it has preemption points
	 * of its own: the first step stops before anything is removed, and
	 * the continued walk ends as one in a single go would. */
	const uint32_t depth = NPAGES - 1;
	uint32_t access = 0;
	unsigned rounds = 1;

	build_deep_chain(depth);
	touch(sp[1], PG(depth), RIGHT_W);
	stop_all = true;
	ck_assert_int_eq(mapdb_unmap_part(sp[1], PG(0), RWX, false, &access, true, false),
			 MAPDB_STOPPED);
	ck_assert_uint_eq(mapdb_count_derived(mapdb_lookup(sp[1], PG(0))), depth);
	ck_assert_uint_eq(access, 0);
	while (mapdb_unmap_part(sp[1], PG(0), RWX, false, &access, true, true) == MAPDB_STOPPED)
		REQUIRE(++rounds <= 2 * depth, "the walk does not get to the end");
	stop_all = false;
	ck_assert_uint_eq(access, RIGHT_W);
	ck_assert_int_eq(check_db(), 1);
}
END_TEST

START_TEST(deep_chain_changed_between_steps)
{
	/* A change to the tree between two steps of a walk voids the place
	 * it kept (the mapping there may be gone): the walk goes down again
	 * from the top, removes at least one mapping before it stops again,
	 * and ends all the same. */
	const uint32_t depth = NPAGES - 1;
	uint32_t access = 0;
	unsigned rounds = 0, after_change = 0;
	bool resumed = false;

	build_deep_chain(depth);
	stop_all = true;
	while (mapdb_unmap_part(sp[1], PG(0), RWX, false, &access, true, resumed) ==
	       MAPDB_STOPPED) {
		/* The chain is pages 0 .. bottom, each mapped from the one before. */
		uint32_t bottom = mapdb_count_derived(mapdb_lookup(sp[1], PG(0)));

		REQUIRE(++rounds <= 2 * depth, "the walk does not get to the end");
		REQUIRE(!after_change || bottom < after_change,
			"a step after a change removed nothing");
		resumed = true;
		after_change = 0;
		stop_all = false;
		if (rounds % 10 == 0 && bottom > 2) {
			/* The owner cuts the chain where the walk would go on. */
			mapdb_unmap(sp[1], PG(bottom - 1), RWX, true);
			after_change = bottom - 2;
		} else if (rounds % 7 == 0 && bottom + 1 < NPAGES) {
			REQUIRE(mapdb_map(sp[1], PG(bottom), sp[1], PG(bottom + 1), RWX, false) ==
				MAPDB_OK, "map below the bottom");
			after_change = bottom + 1;
		}
		check_db();
		stop_all = true;
	}
	stop_all = false;
	ck_assert_int_eq(check_db(), 1);
}
END_TEST

START_TEST(wide_tree_unmap)
{
	/* root with a fan-out at several levels; unmap removes it all */
	ck_assert_int_eq(mapdb_root(sp[0], FRAME, FRAME, RWX), MAPDB_OK);
	for (uint32_t i = 0; i < 20; i++) {
		ck_assert_int_eq(mapdb_map(sp[0], FRAME, sp[1], PG(i), RWX, false), MAPDB_OK);
		for (uint32_t j = 0; j < 10; j++)
			ck_assert_int_eq(mapdb_map(sp[1], PG(i), sp[2], PG(i * 10 + j),
						   i % 2 ? RW : RWX, false), MAPDB_OK);
	}
	ck_assert_int_eq(check_db(), 1 + 20 + 200);
	ck_assert_uint_eq(mapdb_unmap(sp[0], FRAME, RIGHT_X, false), 0);
	ck_assert_int_eq(check_db(), 221);
	mapdb_unmap(sp[0], FRAME, RWX, false);
	ck_assert_int_eq(check_db(), 1);
}
END_TEST

static Suite *mapdb_suite(void)
{
	Suite *s = suite_create("mapdb");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, root_and_lookup);
	tcase_add_test(tc, lender_hook_where_lender_holds);
	tcase_add_test(tc, map_chain);
	tcase_add_test(tc, map_narrows_to_source);
	tcase_add_test(tc, map_unmapped_source_is_noop);
	tcase_add_test(tc, remap_renews_missing_translation);
	tcase_add_test(tc, siblings);
	tcase_add_test(tc, unmap_derived_only);
	tcase_add_test(tc, unmap_flush_self);
	tcase_add_test(tc, rights_downgrade_chain);
	tcase_add_test(tc, rights_downgrade_partial_subtree);
	tcase_add_test(tc, access_bits);
	tcase_add_test(tc, grant_moves_node);
	tcase_add_test(tc, grant_root_and_siblings);
	tcase_add_test(tc, grant_narrowed_rights);
	tcase_add_test(tc, grant_onto_own_descendant);
	tcase_add_test(tc, cycle);
	tcase_add_test(tc, replace_existing);
	tcase_add_test(tc, remap_extends_rights);
	tcase_add_test(tc, zero_rights_map_is_noop);
	tcase_add_test(tc, oom_leaves_tree_intact);
	tcase_add_test(tc, deep_chain);
	tcase_add_test(tc, wide_tree_unmap);
	tcase_add_test(tc, deep_chain_way_down_stops);
	tcase_add_test(tc, deep_chain_changed_between_steps);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mapdb_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
