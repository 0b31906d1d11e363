/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resident frame table: one 16-byte entry per 4 KB physical frame up
 * to the top of RAM, built at boot from the boot memory map in memory the
 * kernel owns.  It says what each frame is (not RAM, RAM that user level
 * owns, kernel-owned, or lent to the kernel) and, for a frame lent to the
 * kernel, to which task, at which content identifier and of which kind.
 * A hash on (task, content identifier), chained through the entries by
 * frame index, finds the frame lent at a content identifier in expected
 * O(1).  Nothing in the table is a kernel pointer: frames are named by
 * index, tasks by id.  See docs/kernel-memory.md, "The frame table".
 *
 * Queries are validate steps (no side effect); frame_lend and
 * frame_unlend are act steps that cannot fail once the caller validated.
 */
#ifndef KERNEL_FRAME_H
#define KERNEL_FRAME_H

#include <kernel/types.h>
#include <kernel/memregion.h>

/* Why a frame cannot be lent to the kernel (frame_check_lendable). */
enum frame_refusal {
	FRAME_OK = 0,
	FRAME_NOT_RAM = 1,          /* a hole, a device, firmware, page 0 */
	FRAME_NOT_ADDRESSABLE = 2,  /* RAM at or above the direct map's end */
	FRAME_KERNEL_OWNED = 3,     /* image, pool, boot reserve, this table... */
	FRAME_LENT_ALREADY = 4,     /* lent to the kernel now (to any task) */
};

/* What a frame is (frame_t.type).  Zero is "not RAM", so that memory
 * the boot map does not describe reads as such. */
enum frame_type {
	FRAME_T_NONE = 0,      /* not RAM: a hole or a device (undescribed) */
	FRAME_T_FIRMWARE = 1,  /* not RAM for anybody: reserved by the firmware
			        * or the boot loader's map, and page 0 */
	FRAME_T_HIGH = 2,      /* RAM user level owns, above the direct map:
			        * never lent to the kernel (arch_frame_map
			        * reaches it for a moment, for user data) */
	FRAME_T_USER = 3,      /* RAM user level owns (through sigma0) */
	FRAME_T_KERNEL = 4,    /* kernel-owned; kind holds the category */
	FRAME_T_LENT = 5,      /* RAM lent to the kernel by a task's kpager */
};

/* Why the kernel owns a frame (the kind field of a kernel-owned frame).
 * The boot log prints the kernel-owned memory in these categories. */
enum frame_owner {
	FRAME_OWN_OTHER = 0,        /* kernel memory of the boot map, no category */
	FRAME_OWN_IMAGE,            /* the kernel image: code, data, stacks, per-CPU */
	FRAME_OWN_TABLE,            /* this table and its hash buckets */
	FRAME_OWN_SIGMA0_RESERVE,   /* sigma0's root mappings (sigma0_roots.c) */
	FRAME_OWN_POOL,             /* the in-kernel pool (kmem.c), KIP page included */
	FRAME_OWN_RESIDENT,         /* resident thread parts (thread_core.c) */
	FRAME_OWNERS
};

/* One entry.  task, cid and next mean something only while lent. */
typedef struct frame {
	uint32_t task;      /* the task it is lent to (space id) */
	uint32_t cid;       /* the content identifier in that task's window */
	uint32_t next;      /* next frame index in its hash chain, FRAME_NIL */
	uint8_t type;       /* enum frame_type */
	uint8_t kind;       /* lent: the kernel-memory kind; kernel: enum frame_owner */
	uint16_t spare;
} frame_t;

_Static_assert(sizeof(frame_t) <= 16, "a frame-table entry is at most 16 bytes");

#define FRAME_NIL 0xFFFFFFFFu   /* end of a hash chain (no frame has this index) */

/* ---- boot ---- */
/* Bytes to reserve for the table of a machine whose RAM ends at ram_top
 * (exclusive): the entries up to ram_top (at most 4 GB) and the hash
 * buckets, a power of two about a quarter of the addressable frames. */
uint32_t frame_table_bytes(uint64_t ram_top);
/* Build the table in table (frame_table_bytes(ram_top) bytes, any
 * content) from the types of m: free, boot-loader and root-task memory
 * is user RAM (or FRAME_T_HIGH at or above PHYSMAP_LIMIT), kernel memory
 * is kernel-owned (FRAME_OWN_OTHER until a category is marked), the rest
 * and frame 0 are not RAM.  Nothing is lent. */
void frame_table_init(void *table, uint64_t ram_top, const mem_map_t *m);
/* Boot: record [start, end) as kernel-owned for the given reason.  Only
 * RAM the kernel may address changes (user or kernel-owned frames). */
void frame_mark_kernel(uint64_t start, uint64_t end, enum frame_owner why);

/* ---- queries (pa: any address inside the frame) ---- */
/* RAM user level may own (not kernel-owned, not a device; above the
 * direct map too), or such RAM lent to the kernel now. */
bool frame_is_ram(uint32_t pa);
/* FRAME_OK if the frame may be lent to the kernel, or why not. */
int  frame_check_lendable(uint32_t pa);
bool frame_is_lent(uint32_t pa);
/* Whether the frame is lent; if so, to whom, where and of which kind
 * (each out pointer may be NULL). */
bool frame_lent_to(uint32_t pa, uint32_t *task, uint32_t *cid, unsigned *kind);
/* The frame lent to task at cid, or 0 (frame 0 is never lent). */
uint32_t frame_find(uint32_t task, uint32_t cid);

/* ---- acts (cannot fail once validated) ---- */
/* Lend the frame: frame_check_lendable(pa) == FRAME_OK, and nothing is
 * lent to task at cid yet (frame_find(task, cid) == 0). */
void frame_lend(uint32_t pa, uint32_t task, uint32_t cid, unsigned kind);
/* Give a lent frame back to user level (no effect on any other frame). */
void frame_unlend(uint32_t pa);
uint32_t frame_lent_count(void);             /* frames lent now, all tasks */

/* ---- figures ---- */
uint32_t frame_count(void);                  /* entries in the table */
uint32_t frame_bucket_count(void);
/* The hash bucket (task, cid) falls in: for tests and figures. */
uint32_t frame_bucket(uint32_t task, uint32_t cid);
/* Bytes the kernel owns for this reason; FRAME_OWNERS gives the total. */
uint32_t frame_kernel_bytes(unsigned why);
const char *frame_owner_name(unsigned why);

/* ---- the self-check (kernel/selfcheck_frame.c) ---- */
/* The table as it is, read-only: its entries and hash buckets, and the
 * counts kept beside them. */
typedef struct frame_view {
	const frame_t *frames;
	uint32_t nframes;
	const uint32_t *buckets;
	uint32_t nbuckets;
	uint32_t lent_count;
	uint32_t kernel_frames[FRAME_OWNERS];
} frame_view_t;
void frame_table_view(frame_view_t *v);

#endif
