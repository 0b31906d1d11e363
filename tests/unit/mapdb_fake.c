/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fake space_* hooks for the mapdb harness (see mapdb_check.h).  Nodes
 * come from a static pool: every node is either live (charged to one
 * space) or free and filled with poison, and freed nodes wait in a FIFO
 * queue before reuse, so a stale pointer still finds a free node.  Under
 * ASan free nodes are also poisoned for ASan, which then reports any
 * access to them.
 */
#include <string.h>
#include "mapdb_check.h"

#if defined(__SANITIZE_ADDRESS__)
#define MDB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MDB_ASAN 1
#endif
#endif
#ifdef MDB_ASAN
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#endif

#define POISON 0xA5

space_t mdb_space[MDB_NSPACES];
unsigned mdb_fail_now;
unsigned mdb_stop_every;
static unsigned stop_calls;

/* Preemption points: with mdb_stop_every set, every that-many-th one
 * stops the walk, so that the tests see it continued correctly. */
/* Frames lent to the kernel are not modelled here. */
void space_frame_revoking(uint32_t phys)
{
	(void)phys;
}

bool mapdb_stop_due(unsigned cost)
{
	(void)cost;
	return mdb_stop_every && ++stop_calls % mdb_stop_every == 0;
}

static mapnode_t pool[MDB_POOL];
static space_t *owner[MDB_POOL];         /* NULL: free */
static unsigned fifo[MDB_POOL], fifo_head, fifo_count;

void mdb_fake_reset(void)
{
	memset(mdb_space, 0, sizeof(mdb_space));
	for (int i = 0; i < MDB_NSPACES; i++)
		mdb_space[i].id = i;
	ASAN_UNPOISON_MEMORY_REGION(pool, sizeof(pool));
	memset(pool, POISON, sizeof(pool));
	ASAN_POISON_MEMORY_REGION(pool, sizeof(pool));
	for (unsigned i = 0; i < MDB_POOL; i++) {
		owner[i] = NULL;
		fifo[i] = i;
	}
	fifo_head = 0;
	fifo_count = MDB_POOL;
	mdb_fail_now = 0;
}

/* Index of n in the pool, or -1 if n is no pool node. */
static int pool_index(const mapnode_t *n)
{
	uintptr_t off = (uintptr_t)n - (uintptr_t)pool;

	if ((uintptr_t)n < (uintptr_t)pool || off >= sizeof(pool) ||
	    off % sizeof(mapnode_t) != 0)
		return -1;
	return (int)(off / sizeof(mapnode_t));
}

bool mdb_node_live(const mapnode_t *n)
{
	int i = pool_index(n);

	return i >= 0 && owner[i] != NULL;
}

static bool is_poison(const mapnode_t *n)
{
	const unsigned char *b = (const unsigned char *)n;

	for (size_t i = 0; i < sizeof(*n); i++)
		if (b[i] != POISON)
			return false;
	return true;
}

/*
 * Every live node is charged to the space it names and sits in that
 * space's slot (a live node nowhere is a leak); without ASan, every free
 * node still holds its poison (else something wrote to it after free).
 */
void mdb_fake_check(int live)
{
	int counted = 0, charged[MDB_NSPACES] = { 0 };

	for (int i = 0; i < MDB_POOL; i++) {
		const mapnode_t *n = &pool[i];

		if (!owner[i]) {
#ifndef MDB_ASAN
			MDB_REQUIRE(is_poison(n), "free node %d written after free", i);
#endif
			continue;
		}
		counted++;
		charged[owner[i]->id]++;
		MDB_REQUIRE(n->space, "node %d allocated to space %d but never installed: "
			    "leaked", i, owner[i]->id);
		MDB_REQUIRE(n->space == owner[i], "live node %d charged to space %d names another",
			    i, owner[i]->id);
		MDB_REQUIRE(n->vaddr < MDB_NPAGES * PAGE_SIZE && (n->vaddr & ~PAGE_MASK) == 0,
			    "live node %d has vaddr %#x", i, n->vaddr);
		MDB_REQUIRE(n->space->slot[n->vaddr >> PAGE_SHIFT] == n,
			    "live node %d (space %d page %u) is in no slot: leaked", i,
			    n->space->id, n->vaddr >> PAGE_SHIFT);
	}
	MDB_REQUIRE(counted == live, "%d live nodes in the pool, %d in the tree", counted, live);
	for (int s = 0; s < MDB_NSPACES; s++)
		MDB_REQUIRE(charged[s] == mdb_space[s].nodes,
			    "space %d: %d nodes charged, %d counted", s, mdb_space[s].nodes,
			    charged[s]);
}

/* ---- the hooks ---- */

mapnode_t **space_node_slot(space_t *s, uint32_t vaddr, bool alloc)
{
	uint32_t i = vaddr >> PAGE_SHIFT;

	MDB_REQUIRE(s >= mdb_space && s < mdb_space + MDB_NSPACES, "bad space pointer");
	MDB_REQUIRE((vaddr & ~PAGE_MASK) == 0, "unaligned vaddr %#x", vaddr);
	if (i >= MDB_NPAGES)
		return NULL;
	if (!s->table[i / MDB_NT_PAGES]) {
		if (!alloc || (mdb_fail_now & MDB_FAIL_TABLE))
			return NULL;
		s->table[i / MDB_NT_PAGES] = true;
	}
	return &s->slot[i];
}

mapnode_t *space_node_alloc(space_t *s)
{
	mapnode_t *n;
	unsigned i;

	MDB_REQUIRE(s >= mdb_space && s < mdb_space + MDB_NSPACES, "bad space pointer");
	if (mdb_fail_now & MDB_FAIL_NODE)
		return NULL;
	MDB_REQUIRE(fifo_count > 0, "node pool exhausted: nodes leak");
	i = fifo[fifo_head];
	fifo_head = (fifo_head + 1) % MDB_POOL;
	fifo_count--;
	n = &pool[i];
	ASAN_UNPOISON_MEMORY_REGION(n, sizeof(*n));
	MDB_REQUIRE(is_poison(n), "free node %u written after free", i);
	memset(n, 0, sizeof(*n));
	owner[i] = s;
	s->nodes++;
	return n;
}

void space_node_free(space_t *s, mapnode_t *n)
{
	int i = pool_index(n);

	MDB_REQUIRE(i >= 0, "freeing %p, which is no node", (void *)n);
	MDB_REQUIRE(owner[i] != NULL, "node %d freed twice", i);
	MDB_REQUIRE(owner[i] == s, "node %d charged to space %d freed to space %d", i,
		    owner[i]->id, s->id);
	for (int k = 0; k < MDB_NSPACES; k++)
		for (int p = 0; p < MDB_NPAGES; p++)
			MDB_REQUIRE(mdb_space[k].slot[p] != n,
				    "node %d freed while in slot of space %d page %d", i, k, p);
	owner[i] = NULL;
	s->nodes--;
	memset(n, POISON, sizeof(*n));
	ASAN_POISON_MEMORY_REGION(n, sizeof(*n));
	fifo[(fifo_head + fifo_count) % MDB_POOL] = (unsigned)i;
	fifo_count++;
}

int space_pte_set(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights)
{
	uint32_t i = vaddr >> PAGE_SHIFT;

	MDB_REQUIRE(i < MDB_NPAGES && (vaddr & ~PAGE_MASK) == 0, "PTE set at %#x", vaddr);
	MDB_REQUIRE(rights != 0 && (rights & ~RIGHTS_ALL) == 0, "PTE set with rights %#x", rights);
	MDB_REQUIRE((phys & ~PAGE_MASK) == 0, "PTE set to unaligned frame %#x", phys);
	if (mdb_fail_now & MDB_FAIL_PTE)
		return -1;
	/* A fresh translation, as arch_pte_make writes: no access bits. */
	s->pte[i] = (mdb_pte_t){ .present = true, .phys = phys, .rights = rights };
	return 0;
}

void space_pte_renew(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights)
{
	uint32_t i = vaddr >> PAGE_SHIFT;

	MDB_REQUIRE(i < MDB_NPAGES && (vaddr & ~PAGE_MASK) == 0, "PTE renew at %#x", vaddr);
	if (!s->pte[i].present)
		s->pte[i] = (mdb_pte_t){ .present = true, .phys = phys, .rights = rights };
}

uint32_t space_pte_clear(space_t *s, uint32_t vaddr)
{
	uint32_t i = vaddr >> PAGE_SHIFT, a;

	MDB_REQUIRE(i < MDB_NPAGES && (vaddr & ~PAGE_MASK) == 0, "PTE clear at %#x", vaddr);
	MDB_REQUIRE(s->pte[i].present, "clearing an absent PTE: space %d page %u", s->id, i);
	a = s->pte[i].access;
	s->pte[i] = (mdb_pte_t){ 0 };
	return a;
}

uint32_t space_pte_restrict(space_t *s, uint32_t vaddr, uint32_t rights)
{
	uint32_t i = vaddr >> PAGE_SHIFT, a;

	MDB_REQUIRE(i < MDB_NPAGES && (vaddr & ~PAGE_MASK) == 0, "PTE restrict at %#x", vaddr);
	MDB_REQUIRE(s->pte[i].present, "restricting an absent PTE: space %d page %u", s->id, i);
	MDB_REQUIRE((rights & ~s->pte[i].rights) == 0,
		    "restrict widens space %d page %u from %#x to %#x", s->id, i,
		    s->pte[i].rights, rights);
	MDB_REQUIRE(rights != 0, "restrict to no rights: space %d page %u", s->id, i);
	a = s->pte[i].access;
	s->pte[i].rights = rights;
	s->pte[i].access = 0;
	return a;
}

/* Cache modes are page-table bits the fake does not model; the map
 * must only ask for them after it has set the destination's PTE. */
void space_pte_cache_copy(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr)
{
	uint32_t i = tvaddr >> PAGE_SHIFT;

	(void)from;
	(void)fvaddr;
	MDB_REQUIRE(i < MDB_NPAGES && to->pte[i].present,
		    "cache mode copied to an absent PTE: space %d page %u", to->id, i);
}
