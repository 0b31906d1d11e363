/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address spaces (tasks).  A space owns its page directory and page tables,
 * the node tables that lead from a virtual page to its mapping node, and
 * the mapping nodes themselves: all of it kernel memory charged to the
 * space.  The space is the resource principal for kernel memory.
 */
#ifndef KERNEL_SPACE_H
#define KERNEL_SPACE_H

#include <kernel/types.h>
#include <kernel/kmem.h>
#include <kernel/mapdb.h>
#include <kernel/l4types.h>
#include <kernel/iofpage.h>

/* The most threads one space has: the slots of its TCB pages. */
#define TCB_SLOTS   4096u
#define USER_PDES   (0xC0000000u >> 22)   /* page-directory slots below the kernel */
#define UTCB_SIZE   512u
/* Node tables: the user's 4 MB slots, then the I/O ports' (iofpage.h). */
#define SPACE_NODE_PDES (USER_PDES + IO_NODE_PDES)
/* Node tables taken back are noted by groups of this many 4 MB slots,
 * one bit a group (kernel/space_split_away.c): the task record has no
 * room for a bit a slot, and a fixed list would let a kpager take back
 * only so many. */
#define SPACE_NT_GROUP 8u
#define SPACE_NT_GROUPS ((SPACE_NODE_PDES + SPACE_NT_GROUP - 1) / SPACE_NT_GROUP)

struct tcb;

/* Mapping nodes are carved from KMEM_MAP pages; each page starts with a
 * link to the next page of the same space. */
typedef struct node_page { struct node_page *next; } node_page_t;

struct space {
	uint32_t *pdir;                    /* page directory (KMEM_PDIR); NULL
	                                    * until the first use of one */
	uint32_t pdir_phys;
	mapslot_t *node_table[SPACE_NODE_PDES]; /* per 4 MB: 1024 node slots
	                                    * (KMEM_NT); the last 64 for ports */
	uint8_t *io_bitmap[IO_BITMAP_PAGES]; /* I/O permission bitmap (KMEM_PT,
	                                    * space_io.c); NULL: all denied */
	uint32_t io_bitmap_phys[IO_BITMAP_PAGES]; /* their frames, 0 if none */
	uint32_t io_tag;                   /* 0 without a bitmap, else unique to
	                                    * the space: what a switch compares */
	bool io_gathered;                  /* kernel memory was gathered for a
	                                    * port: look for lent pages at death */
	fpage_t kip_area;
	fpage_t utcb_area;
	uint16_t threads;                  /* threads living in this space, with
	                                    * those still waiting for a body (one
	                                    * slot of tcb_slots each) */
	uint16_t active_threads;           /* of those, activated ones */
	struct tcb *thread_list;           /* every thread in the space */
	kmem_charge_t kmem;                /* kernel memory charged to us, by kind */
	ms_space_t ms;                     /* the split database's resident part */
	void ***ms_index;                  /* node pages not lent (pool, boot
	                                    * reserve): 1024 leaves of 1024 */
	struct space *pool_next;           /* spaces from the pool, by id */
	uint32_t ms_reap;                  /* task death: where the last pass
	                                    * got to (ms_task_delete_part) */
	uint8_t ms_nt_away[(SPACE_NT_GROUPS + 7) / 8]; /* bit g: a node table of
	                                    * slots g * SPACE_NT_GROUP on that
	                                    * has none may be away with its
	                                    * kpager (space_split_away.c) */
	uint8_t ms_nt_marked;              /* bits set in ms_nt_away */
	uint16_t imports_refused;          /* external forms its kpagers gave
	                                    * back that the kernel refused, and */
	uint32_t imports_taken;            /* those it took (KmemControl STATS) */
	uint32_t ms_away;                  /* node pages taken back */
	uint32_t node_page_count;          /* the next node page's number (its
	                                    * CID): the lowest hole, else past
	                                    * the last (space_node_next) */
	uint32_t mapped_pages;             /* mapping nodes in use: user pages mapped */
	tid_t kpager;                      /* receives the task's kernel page faults */
	tid_t child_kpager;                /* the tasks it makes get this kpager
	                                    * (nil: its own; KmemControl
	                                    * SET_CHILD_KPAGER) */
	/* Some entry of this space has had a cache mode other than the
	 * default (MemoryControl, or a map from such a space): only then does
	 * a map into or out of it look at the modes (space_pte.c). */
	bool cache_modes;
	/* Its kpager has taken back a page table, the page directory or an
	 * I/O bitmap page: a fault may be one the kernel puts back itself
	 * (space_vacate.c).  Until then no fault asks. */
	bool tables_taken;
	tid_t redirector;                  /* global ID of the thread our threads'
	                                    * IPC out of the allowed set goes to
	                                    * (SpaceControl); nil: no redirection */
	uint32_t tcb_slots[TCB_SLOTS / 32];  /* thread slots in use (thread.c) */
	uint8_t kpf_pages;                 /* most pages one such fault may name
	                                    * (0 or 1: one; KmemControl SET_KPF_PAGES) */
	uint8_t ahead;                     /* unbound frames lent ahead (kmem_ahead.c) */
	timeout_t kpf_wait;                /* how long a thread of ours waits for a
	                                    * kpager's answer, each phase (never;
	                                    * KmemControl SET_KPF_WAIT) */
	bool privileged;                   /* sigma0 and the root task */
	bool sigma0;                       /* idempotent root mappings on demand */
	bool boot_kmem;                    /* being set up at boot: no kpager yet */
	uint32_t id;                       /* never reused: names a space being freed */
	/* Teardown (space_reap.c): how far it got, and the list of the
	 * deleted spaces being freed. */
	uint32_t reap_cursor;              /* next node slot to unmap */
	uint32_t reap_pde;                 /* next 4 MB stretch to free */
	struct space *reap_next;
};

_Static_assert(sizeof(struct space) <= PAGE_SIZE, "space object must fit its page");
_Static_assert(TCB_SLOTS <= 0xFFFFu, "a space's thread counts are 16 bits");

/* An external form its kpager gave back for s: refused, or taken in
 * (kpf_accept, the kernel's word; KmemControl STATS reads the counts). */
static inline void space_import_count(space_t *s, bool refused)
{
	if (refused)
		s->imports_refused++;
	else
		s->imports_taken++;
}

/* Has s a free mapping node (for a map into or out of it)? */
static inline bool space_node_room(const space_t *s)
{
	return s->ms.nfree >= 2;           /* a record, and a part if s maps to itself */
}

struct kmem_need;
/* The mapping database's side of a space (kernel/space_split*.c): a space made from the pool is
 * found by id through this list; the sender of a map gathers room for
 * its part of the edge; teardown. */
void space_split_register(space_t *s);
void space_split_forget(space_t *s);
/* Node page n of s is no longer where it was (gone back, or taken
 * back): forget where ms_page() last found it. */
void space_split_page_forget(space_t *s, uint32_t n);
/* Give back the empty node pages of every space noted since the last
 * call (ms_page_empty, kernel/space_split_trim.c), up to a preemption
 * point; after every operation of mapdb.h's, and at the end of an Unmap
 * and of a task's death.  False when it stopped with spaces still
 * noted. */
bool space_split_trim_all(void);
/* The number the next node page of s takes (ms_page_next): what
 * node_page_count is set to whenever s's pages or holes change. */
uint32_t space_node_next(space_t *s);
bool space_have_for_send(space_t *from, struct kmem_need *need);
/* Teardown in steps (kernel/space_reap.c): the database's last pass over
 * a dead task, then its node pages and index back; false: stopped at a
 * preemption point, call again. */
bool space_split_task_delete(space_t *s, bool may_stop);
space_t *space_split_space(ms_space_t *m);
bool space_nodes_free(space_t *s, bool may_stop);
/* Pages mapped in s: its records. */
uint32_t space_mapped_pages(space_t *s);
/* sigma0's node tables of its keys from 3 GB up (S0_HIGH_SLOTS of them,
 * kernel/sigma0_high.h); NULL for any other space. */
mapslot_t *const *space_split_high_tables_of(const space_t *s);

/* ---- lifecycle (space.c, teardown in space_reap.c) ---- */

/* A new space with its record from the pool (KMEM=pool, and boot's
 * tasks), or NULL. */
space_t *space_create(void);
/* The space of task id, or NULL (not made yet, or gone): its record,
 * lent at the task's CID 0, or one of boot's tasks. */
space_t *space_of_task(uint32_t id);
/* Boot: sigma0 and the root task, whose records are the kernel's. */
void space_register_boot(space_t *s);
/* A new task's id: taken before its record is gathered, never reused. */
uint32_t space_id_take(void);
/* The space of task id, built in the record page its kpager lent
 * (kmem_record_lent); it cannot fail.  Its page directory comes with
 * SpaceControl. */
space_t *space_create_in(void *record, uint32_t id);
/* Make sure s has its page directory (a lent one: gathered at
 * LENT_CID_PDIR before); false if there is none to take. */
bool space_take_pdir(space_t *s);
/* Free a space with no threads and everything it holds, in one go (an
 * unused space, or at boot). */
void space_destroy(space_t *s);
/* The same in steps: false when stopped at a preemption point (with
 * may_stop); call again to go on.  True: s is gone. */
bool space_reap(space_t *s, bool may_stop);
/* Put a deleted space on the list of those being freed. */
void space_reap_later(space_t *s);
/* The first of them (the self-check walks the list). */
space_t *space_dying_list(void);
/* Is the space with this id still on it? */
bool space_dying(uint32_t id);
/* Free the spaces on the list, in steps: true when stopped at a
 * preemption point with some left, false when the list is empty. */
bool space_reap_dying(void);
bool space_areas_set(space_t *s);
/* Is [addr, addr+size) inside user memory and clear of KIP and UTCB areas? */
bool space_is_user_range(space_t *s, uint32_t addr, uint32_t size);
bool space_in_utcb_area(const space_t *s, uint32_t addr, uint32_t size);

/* ---- kernel access to user memory (space_user.c) ---- */

/* The physical address of the byte at user address va into *pa, or false
 * when it is not mapped with the wanted rights.  The frame may lie
 * anywhere in RAM, above the direct map too. */
bool space_user_frame(space_t *s, uint32_t va, uint32_t rights, uint32_t *pa);
/* Translate a user address for the kernel through the direct map: the
 * kernel address of the byte, or NULL when not mapped with the wanted
 * rights or not in the direct map.  For pages that are the kernel's
 * memory (UTCB pages, lent or from the pool, always in the direct map);
 * ordinary user memory is reached with space_user_frame and
 * arch_frame_map, or the two helpers below. */
void *space_user_ptr(space_t *s, uint32_t va, uint32_t rights);
/* One byte of user memory at va, or -1 when it is not readable. */
int space_user_byte(space_t *s, uint32_t va);
/* Copy n bytes from physical address src to physical address dst, each
 * run of bytes within one frame, wherever in RAM the frames are. */
void space_copy_frames(uint32_t dst, uint32_t src, uint32_t n);

/* ---- KIP and UTCB pages (space_utcb.c) ---- */

/* Map the kernel-owned frame phys at va (KIP, UTCB pages): no mapping node. */
int space_map_kernel_page(space_t *s, uint32_t va, uint32_t phys, uint32_t rights);
/* Make sure the UTCB page holding va exists; returns its kernel address.
 * A lent one must have been gathered (at space_utcb_cid(s, va)). */
void *space_utcb_page(space_t *s, uint32_t va);
/* Is the UTCB page holding va there (mapped in s)? */
bool space_utcb_page_present(space_t *s, uint32_t va);
/* The content identifier of the UTCB page holding va, which lies in s's
 * UTCB area: the page's index within the area. */
uint32_t space_utcb_cid(const space_t *s, uint32_t va);
/* The one user translation of a lent frame the kernel makes: a UTCB page
 * lent to s, at the address its content identifier names. */
bool space_utcb_frame_at(const space_t *s, uint32_t va, uint32_t phys);
/* The largest UTCB area, so that each of its pages has a content
 * identifier: LENT_CID_RANGE_PAGES pages (16 MB, 32768 UTCBs). */
#define UTCB_AREA_MAX_LOG2 24u

/* ---- map and unmap (space_map.c); page-table entries (space_pte.c)
 *      are the mapping database's hooks, declared in kernel/mapdb.h ---- */

/* Map one 4 KB page (from sigma0: where it has its root); MAPDB_STOPPED
 * when stopped at a preemption point. */
int space_map_page(space_t *from, uint32_t src, space_t *to, uint32_t dst,
		   uint32_t rights, bool grant);
/* Map/grant an fpage from one space to another (the typed-item transfer),
 * from page *done on (0 to start).  False: stopped at a preemption point,
 * or (need->space set) at a page of to's kernel memory that is missing;
 * *done says how far it got; call again with it to go on.  False with
 * SPACE_MAP_NOMEM in *done: a mapping could not be made for want of
 * kernel memory (the pool's), which X.2 makes a message overflow. */
#define SPACE_MAP_NOMEM 0x40000000u
struct kmem_need;
bool space_map_fpage(space_t *from, fpage_t snd, uint32_t snd_base,
		     space_t *to, fpage_t window, bool grant, uint32_t *done,
		     struct kmem_need *need);
/* Unmap the rights in fp from the fpage, from page *done on, OR-ing the
 * access bits found into *access.  False: stopped, as above. */
bool space_unmap_fpage(space_t *s, fpage_t fp, bool flush_self, uint32_t *done,
		       uint32_t *access);

/* ---- I/O ports (space_io.c): ports are pages at io_va(port) to the
 *      mapping database; the page-table hooks of those pages write the
 *      space's I/O permission bitmap ---- */

/* space_map_fpage() and space_unmap_fpage() for an I/O fpage. */
bool space_map_iofpage(space_t *from, fpage_t snd, space_t *to, fpage_t window,
		       bool grant, uint32_t *done, struct kmem_need *need);
bool space_unmap_iofpage(space_t *s, fpage_t fp, bool flush_self, uint32_t *done);
/* The page-table hooks (mapdb.h) for a port's page. */
int space_io_set(space_t *s, uint32_t va, uint32_t rights);
void space_io_deny(space_t *s, uint32_t va);
/* May s use every port of first .. first + count - 1 now? */
bool space_io_allowed(const space_t *s, uint32_t first, uint32_t count);
/* Bitmap page k (frame pa) taken back by its kpager: ports denied. */
void space_io_vacate(space_t *s, uint32_t k, uint32_t pa);
/* Give the bitmap pages back (teardown). */
void space_io_free(space_t *s);

#endif
