/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The split, localised mapping database (docs/mapdb-split.md).
 *
 * Every mapping edge  S:X -> T:Y  (task S's page X mapped to task T at Y)
 * is kept as two parts, each in the kernel memory of its own task:
 *   - a receiver part, the record of T:Y ("my page Y came from task S's
 *     page X with rights R, edge generation G"), in T's node pages;
 *   - a sender part ("I mapped my page X to task T at Y with rights R,
 *     generation G"), in S's node pages.
 * Partners are named by task id and virtual address, never by pointer;
 * links inside a task are local references (node page n, entry k).  So a
 * node page or a node table can be handed back to the task's kpager
 * (exported) and taken again (imported) without touching any other task,
 * and an edge counts only when both parts exist with one generation.
 *
 * The kernel keeps a translation (PTE) of T:Y only while T:Y is resolved:
 * every part on its chain to a root is present and confirmed, and the
 * frame and rights were computed along that chain.  Everything here is
 * pure: tasks, pages, node tables and PTEs are reached through the ms_*
 * hooks, which the kernel (kernel/space_*.c) or the host tests implement.
 */
#ifndef KERNEL_MAPSPLIT_H
#define KERNEL_MAPSPLIT_H

#include <kernel/types.h>
#include <kernel/siphash.h>

#define MS_RIGHTS      7u         /* X.2 rights bits: X=1, W=2, R=4 */
#define MS_RIGHT_W     2u
#define MS_RIGHT_R     4u
#define MS_ENT_SIZE    48u
#define MS_ENTS        85u        /* entries per node page; entry 0 is the header */
#define MS_NT_ENTS     1024u      /* node-table entries: one per 4 KB of 4 MB */
#define MS_MAX_PAGES   0xFFFFu    /* node pages a task may have */
#define MS_MAGIC       0x3153534Cu /* "LSS1" read as little-endian bytes */
#define MS_VERSION     1u
#define MS_DEAD        2u         /* edges revoked across an absent receiver, kept */
#define MS_SEEN        3u         /* node pages a task keeps found (ms_space_t.seen) */

/* A local reference: node page n, entry k (1..MS_ENTS-1); 0 is none. */
#define MS_REF(n, k)   ((uint32_t)(n) << 7 | (uint32_t)(k))
#define MS_REF_PAGE(r) ((r) >> 7)
#define MS_REF_ENT(r)  ((r) & 0x7Fu)

enum ms_kind { MS_FREE = 0, MS_REC = 1, MS_PART = 2, MS_KINDS,
	/* In-kernel only (sigma0's pages, never exported): the room a root
	 * keeps for its first sender part, named by the root's k.rec.spare. */
	MS_RESERVED = MS_KINDS };

/* In-kernel flags (byte 2); always 0 in the external form. */
#define MS_F_ROOT      0x01u      /* rec: a root of sigma0 (no parent) */
#define MS_F_RESOLVED  0x02u      /* rec: chain confirmed, phys valid, PTE allowed */
#define MS_F_ATTACHED  0x04u      /* part: on its owner record's list */
#define MS_F_LIVE      0x08u      /* part: its child record is resolved through it */
#define MS_F_TYPECHECK 0x10u      /* rec: imported with a memory type, not yet checked
                                   * against its parent's (resolve_try) */

/* Byte 3 of a record (`attr`, external; 0 in a part): its memory type
 * (MemoryControl, X.2 section 5; a number the kernel's hooks give, 0 the
 * default) and the access bits of translations of it that a take-back
 * flushed (a page table vacated, a node page or node table exported),
 * or that records below it gave up when they went away, kept until an
 * Unmap reports them (docs/mapdb-split.md, "Access bits and memory
 * type"). */
#define MS_ATTR_TYPE   0x07u
#define MS_ATTR_W      0x08u      /* written */
#define MS_ATTR_R      0x10u      /* referenced */
#define MS_ATTR_BITS   (MS_ATTR_R | MS_ATTR_W)
#define MS_ATTR_SHIFT  2u         /* MS_RIGHT_R/W << 2 = MS_ATTR_R/W */
/* In the kernel only: the record's *own* access bits, which only an
 * Unmap of this very record reports (a walk from above resets them
 * unread: they went up when its page or table went).  Its external form
 * carries them in MS_ATTR_BITS, and import puts those back here. */
#define MS_ATTR_OWN_W  0x20u
#define MS_ATTR_OWN_R  0x40u
#define MS_ATTR_OWN    (MS_ATTR_OWN_R | MS_ATTR_OWN_W)
#define MS_ATTR_OWN_SHIFT 4u      /* MS_RIGHT_R/W << 4 = MS_ATTR_OWN_R/W */

/*
 * One entry.  Bytes 0-31 are the external form (little-endian, as IA-32
 * stores them); bytes 32-47 are in-kernel only and exported as zero.
 *   rec:  vaddr = own page Y; task, pvaddr = parent S, X; gen = the
 *         edge's generation; egen = the epoch its sender parts carry.
 *   part: vaddr = own page X (its owner record); task, pvaddr = child T,
 *         Y; gen = the edge's generation; egen = the owner's epoch.
 */
typedef struct ms_ent {
	uint8_t kind;
	uint8_t rights;
	uint8_t flags;
	uint8_t attr;              /* rec: MS_ATTR_*; part: 0 */
	uint32_t vaddr;
	uint32_t task;
	uint32_t pvaddr;
	uint64_t gen;
	uint64_t egen;
	union {
		struct { uint32_t phys, head, hint, spare; } rec;   /* head: parts list */
		struct { uint32_t prev, next, owner, spare; } part; /* owner: rec's ref */
		struct { uint32_t next, spare[3]; } free;
		struct { uint32_t free_head, nfree, spare[2]; } hdr;
	} k;
} ms_ent_t;

/* Entry 0 of a page, external bytes 0-31: magic, version, entry size,
 * page index, owning task id, zeros. */
typedef struct ms_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t ent_size;
	uint32_t page;
	uint32_t task;
	uint32_t zero[4];
} ms_hdr_t;

_Static_assert(sizeof(ms_ent_t) == MS_ENT_SIZE, "entry size");
_Static_assert(sizeof(ms_hdr_t) == 32, "header size");
_Static_assert(MS_ENTS * MS_ENT_SIZE <= PAGE_SIZE, "entries fit a page");
_Static_assert(MS_ENTS <= 0x80, "entry index fits 7 bits");

/* The resident part of a task's database: stays in the kernel (in the
 * task's record) while its node pages and node tables come and go. */
typedef struct ms_space {
	uint32_t id;               /* task id, never reused */
	uint16_t pages;            /* node pages made so far, present or not
	                            * (below MS_MAX_PAGES), and */
	/* holes: page numbers below pages whose page went back empty
	 * (ms_page_gone).  While there is one, no page of the task is away
	 * (ms_export_page folds them into pages away first), so a page
	 * below pages that is absent is a hole exactly when holes != 0. */
	uint16_t holes;
	uint32_t orphans;          /* parts whose owner record is absent */
	uint32_t nfree;            /* free entries in its present node pages */
	uint32_t room;             /* a node page that had a free entry */
	bool sigma0;               /* holds roots; its pages are never exported */
	/* Edges it revoked while their receiver part was absent, known
	 * then only by its sender part, which went: no copy of that part a
	 * kpager gives back attaches again (ms_part_revoke, orphans_scan;
	 * docs/mapdb-split.md, "Replayed parts"); gen is the generation's
	 * low half (the task record has little room).  Past MS_DEAD at
	 * once, none of its parts below floor attaches again. */
	struct ms_dead { uint32_t task, va, gen; } dead[MS_DEAD];
	uint64_t floor;
	/* The node pages the ms_page() hook found last, newest first, with
	 * their indices (below MS_MAX_PAGES): the database reads seen[0]
	 * without calling the hook (ms_page_at, mapsplit_int.h).  Only the
	 * hook writes them, and it forgets a page before it goes (the
	 * kernel's space_split_page_forget); NULL where it keeps none (the
	 * host tests' fake). */
	ms_ent_t *seen[MS_SEEN];
	uint16_t seen_n[MS_SEEN];
	uint16_t hole;             /* no hole below it (ms_page_next) */
} ms_space_t;

/* ---- hooks (kernel/space_*.c or tests/unit/mapsplit_fake.c) ---- */

ms_space_t *ms_space(uint32_t id);                  /* NULL: no such task */
const siphash_key_t *ms_seal_key(void);              /* parts' seals (mapsplit_io.c) */
ms_ent_t *ms_page(ms_space_t *s, uint32_t n);        /* NULL: absent */
uint32_t *ms_table(ms_space_t *s, uint32_t slot);    /* NULL: absent */
bool ms_va_ok(const ms_space_t *s, uint32_t va);     /* inside s's window */
/* Translations: set never fails (the kernel gathered the page table
 * first); clear and restrict flush the TLB entry and return (and clear)
 * its access bits: MS_RIGHT_R when it was referenced, MS_RIGHT_W when
 * written. */
void ms_pte_set(ms_space_t *s, uint32_t va, uint32_t phys, uint32_t rights, uint32_t type);
uint32_t ms_pte_clear(ms_space_t *s, uint32_t va);
uint32_t ms_pte_restrict(ms_space_t *s, uint32_t va, uint32_t rights);
/* Is type (MS_ATTR_TYPE) a memory type MemoryControl can give on this
 * machine?  May s give its own pages one (X.2: MemoryControl is
 * privileged), or only take one with a mapping? */
bool ms_type_ok(uint32_t type);
bool ms_type_own(const ms_space_t *s);
/* A mapping where a frame's lender holds it (a root, or a root's child
 * whose edge checks out) is about to lose read or write, or go: if the
 * kernel holds the frame, it gives it back first.  Cannot fail. */
void ms_frame_revoking(uint32_t phys);
/* Could ms_frame_revoking(phys) do anything: is the frame lent to the
 * kernel?  Lets the database skip finding a resolved record's lender. */
bool ms_frame_lent(uint32_t phys);
/* Node page n of s has just become wholly free: the kernel may give it
 * back once the operation is over (nothing refers into a free entry),
 * wherever it is in s's list.  Cannot fail; may do nothing. */
void ms_page_empty(ms_space_t *s, uint32_t n);
/* A preemption point: cost units (about an instruction each) of work
 * were just done; true when the walk is to stop now and be continued by
 * calling the operation again (kernel/preempt.h). */
bool ms_stop_due(unsigned cost);
#define MS_STEP_COST   512u       /* one step of a walk (down an edge, or an entry gone) */

/* ---- results ---- */

enum ms_error {
	MS_OK = 0,
	MS_NOMEM = -1,     /* no free entry in ms_need_t's task: lend a node page */
	MS_NEED = -2,      /* an absent page or table is needed: see ms_need_t */
	MS_CYCLE = -3,     /* the destination is the source or an ancestor of it */
	MS_NONE = -4,      /* nothing (valid) mapped there */
	MS_UNRESOLVED = -5,/* the source has no confirmed chain: resolve first */
	MS_REFUSED = -6,   /* import: the page or table is not well formed */
	MS_DENIED = -7,    /* export of sigma0's memory, or of nothing */
	MS_STOPPED = -8,   /* stopped at a preemption point: call again to go on */
};

enum ms_need_kind { MS_NEED_TABLE = 1, MS_NEED_PAGE = 2, MS_NEED_ENTRY = 3 };

/* What the kernel must fetch from which task's kpager before retrying:
 * node table `index` (4 MB slot), node page `index`, or a fresh entry. */
typedef struct ms_need {
	uint32_t task;
	uint8_t kind;
	uint32_t index;
} ms_need_t;

/* ---- the database (mapsplit.c, mapsplit_map.c, mapsplit_io.c) ---- */

extern uint64_t ms_gen_next;       /* the global generation counter */

/* Format fresh node page n of s (zeroed memory lent for it): n is
 * ms_page_next(s), the lowest hole or a page past the last, asked before
 * the page was put where the ms_page() hook finds it. */
void ms_page_init(ms_space_t *s, uint32_t n, ms_ent_t *page);
/* The number the next node page of s takes: its lowest hole, else
 * s->pages.  Its search moves s->hole up past the pages present. */
uint32_t ms_page_next(ms_space_t *s);
/* Is node page n of s a hole (went back empty, not away)? */
bool ms_page_hole(ms_space_t *s, uint32_t n);
/* Node page n of s, wholly free, went back (the hook no longer finds
 * it): n becomes a hole, or s ends below it and below the holes that
 * end it. */
void ms_page_gone(ms_space_t *s, uint32_t n);
/* An empty node page n of s in external form: what the kernel imports
 * in place of a page it refused (its mappings are then gone). */
void ms_page_format(const ms_space_t *s, uint32_t n, void *bytes);
/* Format a fresh (absent before, never exported) node table. */
void ms_table_init(uint32_t *table);

/* A root of sigma0: no parent, frame phys.  Replaces what was there.
 * It takes two entries: itself and room for its first sender part, so
 * that sigma0 handing a frame out once never needs memory. */
int ms_root(ms_space_t *s, uint32_t va, uint32_t phys, uint32_t rights, ms_need_t *need);

/* Map (grant moves) s:fva to t:tva with rights narrowed to the source's.
 * The source must be resolved.  MS_NOMEM/MS_NEED say what to fetch. */
int ms_map(ms_space_t *s, uint32_t fva, ms_space_t *t, uint32_t tva, uint32_t rights,
	   bool grant, ms_need_t *need);
/* The same; with may_stop, what hangs below a mapping it replaces, and
 * for a grant that narrows what hangs below the source, are dealt with
 * in steps first, and MS_STOPPED says "call again to go on". */
int ms_map_part(ms_space_t *s, uint32_t fva, ms_space_t *t, uint32_t tva, uint32_t rights,
		bool grant, bool may_stop, ms_need_t *need);

/* ms_map with its two lookups done, as the kernel does them once per
 * operation: src is what ms_find found at s:fva, old what it found at
 * t:tva (NULL: nothing), where t's table is present and tva page-aligned
 * in t's window (ms_va_ok).  Neither may have changed since.  may_stop
 * as for ms_map_part. */
int ms_map_found(ms_space_t *s, ms_ent_t *src, ms_space_t *t, uint32_t tva, ms_ent_t *old,
		 uint32_t rights, bool grant, bool may_stop, ms_need_t *need);

/* Revoke rights from everything derived from s:va (and, flush_self, from
 * s:va itself).  Reaches every present translation at once.  The access
 * bits of s:va and of every translation it changes or removes are OR-ed
 * into *access (X.2's Unmap result). */
int ms_unmap(ms_space_t *s, uint32_t va, uint32_t rights, bool flush_self, uint32_t *access,
	     ms_need_t *need);
/* The same, in steps: with may_stop it returns MS_STOPPED at a
 * preemption point, its place kept (kernel/mapsplit_stop.c); calling it
 * again (resumed: the same Unmap re-executed) goes on, and the end
 * result is that of an unstopped call.  Access bits are OR-ed into
 * *access at every stop. */
int ms_unmap_part(ms_space_t *s, uint32_t va, uint32_t rights, bool flush_self, uint32_t *access,
		  bool may_stop, bool resumed, ms_need_t *need);

/* Walk up from t:va's record to a root (or a resolved record), confirm
 * every edge, and enter the translation.  MS_NEED: fetch need, retry. */
int ms_resolve(ms_space_t *t, uint32_t va, ms_need_t *need, uint32_t *phys, uint32_t *rights);

/* Export: write the external form into the page or table in place (the
 * kernel then drops it); flushes translations that depended on it.
 * Needs no memory, never fails for a present page of a task not sigma0. */
int ms_export_page(ms_space_t *s, uint32_t n);
int ms_export_table(ms_space_t *s, uint32_t slot);

/* Import: validate the external bytes (pure, may refuse), then convert
 * in place (cannot fail).  The caller installs the page (ms_page() finds
 * it) between the two steps, or refuses it. */
int ms_validate_page(const ms_space_t *s, uint32_t n, const void *bytes);
/* Seal part e of s as the export does (its bytes 40-47; the host tests
 * use it to stand for a kpager that could, and find it gains nothing). */
void ms_part_seal(const ms_space_t *s, ms_ent_t *e);
void ms_convert_page(ms_space_t *s, uint32_t n);
int ms_validate_table(const ms_space_t *s, uint32_t slot, const void *bytes);
void ms_convert_table(ms_space_t *s, uint32_t slot);

/* A task dies: revoke everything it holds and derived from it.  Its
 * absent pages are forgotten; their partners fail their checks. */
void ms_task_delete(ms_space_t *s);
/* The same in steps (kernel/mapsplit_reap.c), for a task that can gain
 * no entry any more (no thread left): *cursor, 0 at first, is where it
 * got to; with may_stop, MS_STOPPED says "call again to go on". */
int ms_task_delete_part(ms_space_t *s, uint32_t *cursor, bool may_stop);

/* The record at va (NULL: none, or its table or page absent). */
ms_ent_t *ms_lookup(ms_space_t *s, uint32_t va, ms_need_t *need);

#endif
