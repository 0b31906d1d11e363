/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel-memory accounting: the kinds of kernel data, a task's pages by
 * kind, the pool's counts and its limits, the boot reserve's
 * bookkeeping, and which kinds a kpager lends.  Arithmetic over counters
 * only: kernel/kmem.c moves the pages and calls these, so that the host
 * tests can check the rules (tests/unit/test_kmem_account.c).
 *
 * The rules differ between the two builds (docs/kernel-memory.md); each
 * takes the build as pool_build, which the kernel passes as a constant.
 * The rules asked per page are inline, for they are on the path of every
 * page an operation takes.
 */
#ifndef KERNEL_KMEM_ACCOUNT_H
#define KERNEL_KMEM_ACCOUNT_H

#include <kernel/types.h>
#include <user/include/lent/kmem.h>

/* The kinds of kernel data, in the order of <lent/kmem.h> (a kernel page
 * fault names them so), plus the kernel's own global indexes. */
enum kmem_kind {
	KMEM_TASK = LENT_KMEM_TASK,   /* the space object, the task's record */
	KMEM_PDIR = LENT_KMEM_PDIR,   /* page directory */
	KMEM_PT = LENT_KMEM_PT,       /* page tables (P) */
	KMEM_NT = LENT_KMEM_NT,       /* node tables (N) */
	KMEM_MAP = LENT_KMEM_MAP,     /* mapping-database nodes (M) */
	KMEM_TCB = LENT_KMEM_TCB,     /* thread control blocks (U) */
	KMEM_UTCB = LENT_KMEM_UTCB,   /* UTCB pages (user-visible part of threads) */
	KMEM_KERNEL,                  /* the kernel's own (the KIP); space is NULL */
	KMEM_KINDS
};

/* A task's kernel memory, pages by kind: what KmemControl STATS reads
 * (a space embeds it). */
typedef struct kmem_charge {
	uint32_t pages[KMEM_KINDS];
	/* Of them, frames a kpager lent (the rest are the boot reserve's,
	 * the pool's or sigma0's store's): what the task's death or a
	 * take-back gives back to kpagers, so a kpager can tell its
	 * clients' frames from others' in the global count. */
	uint32_t lent;
} kmem_charge_t;

/* Who a page is for, as the rules see it: the kernel's own (charge
 * NULL), or a task with its charge and what the rules ask of it. */
typedef struct kmem_payer {
	const kmem_charge_t *charge;
	bool privileged;   /* sigma0 and the root task */
	bool no_kpager;    /* sigma0, which must never wait on one, or a
	                    * task boot is making, which has none yet */
} kmem_payer_t;

/* The pool's counts (in the lent build: the boot reserve's), in pages. */
typedef struct kmem_stats {
	uint32_t pool_pages;      /* the pool's size */
	uint32_t free_pages;
	uint32_t reserve_pages;   /* kept for privileged tasks */
	uint32_t task_limit;      /* the most an unprivileged task may hold */
	uint32_t kernel_pages;    /* held by the kernel itself */
	uint32_t boot_task_pages; /* lent build: held by sigma0 and the root */
} kmem_stats_t;

/* The privileged reserve is a sixteenth of the pool, at least this. */
#define KMEM_MIN_PRIVILEGED_RESERVE 32u

/* ---- counters that never go below zero ---- */

/* Take one off *n; false, and *n left at 0, if it was 0 already: a page
 * given back that was never counted leaves the counts as they were,
 * rather than making them about four billion. */
static inline bool kmem_count_drop(uint32_t *n)
{
	if (*n == 0)
		return false;
	(*n)--;
	return true;
}

/* ---- a task's pages by kind ---- */

static inline void kmem_charge_add(kmem_charge_t *c, enum kmem_kind kind)
{
	c->pages[kind]++;
}

/* False if no page of kind was charged (the counts stay as they were). */
static inline bool kmem_charge_drop(kmem_charge_t *c, enum kmem_kind kind)
{
	return kmem_count_drop(&c->pages[kind]);
}

/* A frame a kpager lent, now a page of kind; and one given back. */
static inline void kmem_charge_add_lent(kmem_charge_t *c, enum kmem_kind kind)
{
	c->pages[kind]++;
	c->lent++;
}

static inline bool kmem_charge_drop_lent(kmem_charge_t *c, enum kmem_kind kind)
{
	(void)kmem_count_drop(&c->lent);
	return kmem_charge_drop(c, kind);
}

/* The task's pages, all kinds together. */
static inline uint32_t kmem_charge_total(const kmem_charge_t *c)
{
	uint32_t n = 0;

	for (unsigned k = 0; k < KMEM_KINDS; k++)
		n += c->pages[k];
	return n;
}

/* ---- the rules ---- */

/* Pages join the pool: its size, free count and limits grow with them.
 * The last sixteenth (at least KMEM_MIN_PRIVILEGED_RESERVE pages) is
 * kept for privileged tasks; an unprivileged task may hold three times
 * a quarter of the rest, so that a quarter is always left to others. */
void kmem_account_grow(kmem_stats_t *p, uint32_t pages);

/* May who have one more page of the pool (given that it has one)?  The
 * kernel's own requests (the KIP) come only from boot, and count as
 * privileged.  Lent build: only the kernel, sigma0 (which never waits on
 * a kpager) and boot's tasks while boot makes them; every other task's
 * kernel memory its kpager lends. */
static inline bool kmem_account_may_take(const kmem_stats_t *p, kmem_payer_t who,
					 bool pool_build)
{
	if (!who.charge)
		return true;
	if (!pool_build)
		return who.no_kpager;
	if (who.privileged)
		return true;
	return p->free_pages > p->reserve_pages && kmem_charge_total(who.charge) < p->task_limit;
}

/* Is kind one a kpager lends for who?  Lent build: every kind of a task
 * of its own, but not the kernel's, sigma0's (the kernel takes those
 * without IPC: sigma0 must never wait on itself) nor those of a task
 * boot is making.  Pool build: none. */
static inline bool kmem_account_kind_is_lent(kmem_payer_t who, enum kmem_kind kind,
					     bool pool_build)
{
	if (pool_build || !who.charge || who.no_kpager)
		return false;
	return (unsigned)kind < KMEM_KERNEL;
}

/* Lent build: is a pool page of who one of the boot reserve's pages of
 * sigma0 and the root task (the only tasks that may have any)? */
static inline bool kmem_account_boot_task(kmem_payer_t who, bool pool_build)
{
	return !pool_build && who.charge && who.privileged;
}

/* ---- the counts as pages come and go ---- */

/* A page of kind for c (NULL: the kernel's own) is in use; boot_task:
 * it counts among the boot tasks' (kmem_account_boot_task). */
static inline void kmem_account_charge(kmem_stats_t *p, kmem_charge_t *c, enum kmem_kind kind,
				       bool boot_task)
{
	if (c)
		kmem_charge_add(c, kind);
	else
		p->kernel_pages++;
	if (c && boot_task)
		p->boot_task_pages++;
}

/* A page charged so is no longer in use.  False, and no count moved,
 * if nothing of kind was charged to c (to the kernel, for c NULL), or,
 * boot_task, no boot task's page is counted. */
static inline bool kmem_account_uncharge(kmem_stats_t *p, kmem_charge_t *c, enum kmem_kind kind,
					 bool boot_task)
{
	if (!c)
		return kmem_count_drop(&p->kernel_pages);
	if (!c->pages[kind] || (boot_task && !p->boot_task_pages))
		return false;
	c->pages[kind]--;
	if (boot_task)
		p->boot_task_pages--;
	return true;
}

/* A page leaves the pool's free list (kmem_account_charge says whose),
 * or joins it again.  The count is that of the list, and a page is taken
 * only off a list that has one: it is at least 1 here. */
static inline void kmem_account_take(kmem_stats_t *p)
{
	p->free_pages--;
}

static inline void kmem_account_back(kmem_stats_t *p)
{
	p->free_pages++;
}

/* A task record, taken from the pool as the kernel's own before the
 * task existed, is charged to the task c now. */
static inline void kmem_account_adopt(kmem_stats_t *p, kmem_charge_t *c, enum kmem_kind kind,
				      bool boot_task)
{
	(void)kmem_count_drop(&p->kernel_pages);
	if (boot_task)
		p->boot_task_pages++;
	kmem_charge_add(c, kind);
}

/* The pool record of a task that is gone is back in the pool (its own
 * charge went with it). */
static inline void kmem_account_record_back(kmem_stats_t *p, bool boot_task)
{
	if (boot_task)
		(void)kmem_count_drop(&p->boot_task_pages);
	kmem_account_back(p);
}

/* ---- the boot reserve for sigma0's root mappings ---- */

/* [next, end) is still to give; used pages were given. */
typedef struct kmem_boot {
	uint32_t next, end, used;
} kmem_boot_t;

/* The reserve is the whole pages of [phys, phys + bytes). */
void kmem_boot_open(kmem_boot_t *b, uint32_t phys, uint32_t bytes);
/* Has it a page left? */
bool kmem_boot_has(const kmem_boot_t *b);
/* Its next page into *phys; false when none is left. */
bool kmem_boot_take(kmem_boot_t *b, uint32_t *phys);
/* Close it: the pages used, and the unused rest in *rest_phys and
 * *rest_bytes (0 bytes: none) for the pool. */
uint32_t kmem_boot_close(kmem_boot_t *b, uint32_t *rest_phys, uint32_t *rest_bytes);

const char *kmem_kind_name(enum kmem_kind kind);

#endif
