/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mapping database as the rest of the kernel sees it: for every 4 KB
 * page mapped in any address space, where the mapping came from and
 * which mappings were derived from it.  Unmap walks that tree; sigma0's
 * idempotent mappings are the roots.
 *
 * The database is the split, localised one (kernel/mapsplit*.c,
 * docs/mapdb-split.md), served to the kernel through kernel/space_split*.c:
 * each edge is a record in the receiver's kernel memory and a part in the
 * sender's, so each task pays for, and its kpager pages, its own side.
 * It reaches page tables through the space_pte_* hooks below
 * (kernel/space_pte.c).
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

/* A "node" is a task's record of one mapped page (its first member, so
 * the two pointers convert); a node table holds local references. */
#include <kernel/mapsplit.h>
typedef struct mapnode { ms_ent_t rec; } mapnode_t;
typedef uint32_t mapslot_t;
static inline uint32_t mapnode_phys(const mapnode_t *n) { return n->rec.k.rec.phys; }
static inline uint32_t mapnode_rights(const mapnode_t *n) { return n->rec.rights; }

/* ---- page-table hooks the database calls (kernel/space_pte.c) ---- */

/* Enter phys with rights at vaddr (allocating a page table if needed).
 * Returns 0, or -1 when no page table can be had. */
int space_pte_set(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights);
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

/* ---- the database ---- */

enum mapdb_error {
	MAPDB_OK = 0,
	MAPDB_NOMEM = -1,   /* a record, part, node table or page table could not be had */
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
 * children to the new node.  With may_stop, a replaced mapping's derived
 * tree (and, for a grant that narrows the rights, the source's) is dealt
 * with in steps, and MAPDB_STOPPED says "call again to go on".
 */
int mapdb_map_part(space_t *from, uint32_t fvaddr, space_t *to, uint32_t tvaddr,
		   uint32_t rights, bool grant, bool may_stop);

/*
 * Revoke rights from every mapping derived from the page at vaddr in s,
 * and with flush_self from that mapping too; a mapping left with no
 * rights, or with w alone, is removed.  The access bits collected from
 * the mapping and all mappings derived from it are OR-ed into *access
 * (and cleared).  With may_stop it returns MAPDB_STOPPED at a preemption
 * point, having done part of the work; calling it again with resumed set
 * continues.
 */
int mapdb_unmap_part(space_t *s, uint32_t vaddr, uint32_t rights, bool flush_self,
		     uint32_t *access, bool may_stop, bool resumed);

#endif
