/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Mapping database: for every 4 KB page mapped in any address space, one
 * mapping node that records where the mapping came from (its parent) and
 * which mappings were derived from it (its children).  Unmap walks this
 * tree.  sigma0's idempotent mappings are the roots.
 *
 * The database knows nothing of page tables or of where its nodes live:
 * it reaches both through the space_* hooks below, which kernel/space_pte.c
 * and kernel/space_nodes.c implement for real and tests/unit/ implements with plain arrays.
 * Nodes are allocated from the kernel memory of the space that holds the
 * mapping, so a task pays for its own mappings.
 */
#ifndef KERNEL_MAPDB_H
#define KERNEL_MAPDB_H

#include <kernel/types.h>

/* X.2 access rights as encoded in the low bits of an fpage. */
#define RIGHT_X 1u
#define RIGHT_W 2u
#define RIGHT_R 4u
#define RIGHTS_ALL 7u

typedef struct space space_t;

#ifdef LENT_MAPDB_SPLIT
/* MAPDB=split: the split database (kernel/mapsplit.h) serves the kernel
 * through kernel/space_split.c.  A "node" is a task's record of one
 * mapped page (its first member, so the two pointers convert); a node
 * table holds local references. */
#include <kernel/mapsplit.h>
typedef struct mapnode { ms_ent_t rec; } mapnode_t;
typedef uint32_t mapslot_t;
static inline uint32_t mapnode_phys(const mapnode_t *n) { return n->rec.k.rec.phys; }
static inline uint32_t mapnode_rights(const mapnode_t *n) { return n->rec.rights; }
#else
typedef struct mapnode {
	struct mapnode *parent;
	struct mapnode *child;   /* first derived mapping */
	struct mapnode *next;    /* siblings: same parent */
	struct mapnode *prev;
	space_t *space;          /* address space holding this mapping */
	uint32_t vaddr;          /* page-aligned virtual address in space */
	uint32_t phys;           /* page-aligned frame address */
	uint32_t rights;         /* RIGHT_* */
} mapnode_t;
typedef mapnode_t *mapslot_t;     /* a node-table entry */
static inline uint32_t mapnode_phys(const mapnode_t *n) { return n->phys; }
static inline uint32_t mapnode_rights(const mapnode_t *n) { return n->rights; }
#endif

/* ---- hooks the database calls (kernel/space_nodes.c and space_pte.c,
 *      or a fake in the tests) ---- */

/* The node-table slot that belongs to vaddr in s.  With alloc, missing
 * node tables are allocated; returns NULL if that is impossible. */
mapnode_t **space_node_slot(space_t *s, uint32_t vaddr, bool alloc);
/* Allocate / free one zeroed mapping node charged to s. NULL if none. */
mapnode_t *space_node_alloc(space_t *s);
void space_node_free(space_t *s, mapnode_t *n);
/* Enter phys with rights at vaddr (allocating a page table if needed).
 * Returns 0, or -1 when no page table can be had. */
int space_pte_set(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights);
/* Write the translation at vaddr back if it is missing (it goes while
 * the frame is lent to the kernel); a present one stays as it is, with
 * its access bits.  Never allocates, cannot fail. */
void space_pte_renew(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights);
/* Make sure the page table of vaddr (a port's bitmap page) is there,
 * taking it as space_pte_set() would: 0, or -1 when none can be had. */
int space_pte_prepare(space_t *s, uint32_t vaddr);
/* Remove the translation at vaddr; return its access bits (RIGHT_R when it
 * was referenced, RIGHT_W when written) and flush the TLB entry. */
uint32_t space_pte_clear(space_t *s, uint32_t vaddr);
/* The same without the access bits, and without a TLB flush where there
 * was no translation. */
void space_pte_drop(space_t *s, uint32_t vaddr);
/* Narrow the translation at vaddr to rights (never widens); return and
 * clear its access bits. */
uint32_t space_pte_restrict(space_t *s, uint32_t vaddr, uint32_t rights);
/* Cache modes (MemoryControl): a derived mapping takes its source's;
 * space_pte_cache_set() gives a range of present entries one. */
void space_pte_cache_copy(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr);
void space_pte_cache_set(space_t *s, uint32_t va, uint64_t pages, uint32_t mode);

/* A mapping where a frame's lender holds it (a root, or a root's child)
 * is about to lose rights or go: if the kernel holds the frame, it gives
 * it back first (kernel/kpreempt.c).  Cannot fail. */
void space_frame_revoking(uint32_t phys);
/* Preemption point: cost units of work were just done; true when the
 * walk should stop now and be continued later (kernel/preempt.h). */
bool mapdb_stop_due(unsigned cost);
#define MAPDB_NODE_COST 192      /* about the instructions a node costs */

/* ---- the database ---- */

enum mapdb_error {
	MAPDB_OK = 0,
	MAPDB_NOMEM = -1,   /* a node, node table or page table could not be had */
	MAPDB_CYCLE = -2,   /* destination is the source itself or an ancestor of it */
	MAPDB_STOPPED = -3, /* stopped at a preemption point: call again to go on */
};

/* Create a root mapping (no parent): sigma0's idempotent memory. */
int mapdb_root(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights);

/* The node for vaddr in s, or NULL if nothing is mapped there. */
mapnode_t *mapdb_lookup(space_t *s, uint32_t vaddr);

/*
 * Map (or with grant, move) the page at fvaddr in from to tvaddr in to,
 * with rights narrowed to those of the source.  An unmapped source is a
 * silent no-op (X.2).  An existing mapping at the destination is first
 * flushed with everything derived from it, unless it is already a child of
 * the source on the same frame, in which case its rights are extended (up
 * to the source's).  Granting removes the source mapping and hands its
 * children to the new node.
 */
int mapdb_map(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr,
	      uint32_t rights, bool grant);

/* The same; with may_stop, a replaced mapping's derived tree (and, for a
 * grant that narrows the rights, the source's) is dealt with in steps,
 * and MAPDB_STOPPED says "call again to go on". */
int mapdb_map_part(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr,
		   uint32_t rights, bool grant, bool may_stop);

/*
 * Revoke rights from every mapping derived from the page at vaddr in s,
 * and with flush_self from that mapping too; a mapping left with no rights
 * is removed.  Returns the access bits collected from the mapping and all
 * mappings derived from it (and clears them).  Nothing mapped: returns 0.
 */
uint32_t mapdb_unmap(space_t *s, uint32_t vaddr, uint32_t rights, bool flush_self);

/*
 * The same, in steps: with may_stop it returns MAPDB_STOPPED at a
 * preemption point, having done part of the work; calling it again with
 * resumed set continues.  Access bits are OR-ed into *access.
 */
int mapdb_unmap_part(space_t *s, uint32_t vaddr, uint32_t rights, bool flush_self,
		     uint32_t *access, bool may_stop, bool resumed);

/* Number of mappings derived (transitively) from the node: for tests and
 * for the kernel-memory report. */
unsigned mapdb_count_derived(const mapnode_t *n);

#endif
