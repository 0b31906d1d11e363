/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The boot-time kernel-memory pool: a free list of 4 KB pages.  With
 * KMEM=pool it serves every task under two rules (see
 * docs/architecture.md, "Kernel memory"):
 *  - the last pages are kept for privileged tasks (sigma0, the root task)
 *    and for the kernel's own (the KIP);
 *  - an unprivileged task may hold at most three quarters of the rest, so
 *    that no single task can starve all others.
 * In the default build it is the bounded boot reserve instead: the KIP,
 * what boot makes for sigma0 and the root task, and sigma0's own; every
 * other task's kernel memory, its record too, is lent by its kpager.
 * A second, separate source serves sigma0's root mappings while they are
 * built at boot (kernel/sigma0_roots.c); what that reserve does not use
 * joins the pool.
 */
#include <kernel/kmem.h>
#include <kernel/space.h>
#include <kernel/string.h>
#include <kernel/frame.h>
#include <arch/arch.h>

typedef struct free_page { struct free_page *next; } free_page_t;

static free_page_t *free_list;
static uint32_t kernel_pages;   /* in use for the kernel itself (space NULL) */
static uint32_t boot_task_pages;   /* lent build: in use by sigma0 and the root */
static uint32_t free_pages;
static uint32_t pool_pages;     /* every page the pool was given */
static uint32_t reserve_pages;  /* kept for privileged tasks */
static uint32_t task_limit;     /* the most one unprivileged task may hold */

/* The boot reserve, while open: [boot_next, boot_end) for boot_owner. */
static space_t *boot_owner;
static uint32_t boot_next, boot_end, boot_used;

#define MIN_PRIVILEGED_RESERVE 32

static void set_limits(void)
{
	reserve_pages = pool_pages / 16;
	if (reserve_pages < MIN_PRIVILEGED_RESERVE)
		reserve_pages = MIN_PRIVILEGED_RESERVE;
	task_limit = pool_pages > reserve_pages ? (pool_pages - reserve_pages) / 4 * 3 : 0;
}

static void give(uint32_t phys, uint32_t bytes)
{
	for (uint32_t off = bytes; off >= PAGE_SIZE; off -= PAGE_SIZE) {
		free_page_t *p = phys_to_virt(phys + off - PAGE_SIZE);
		p->next = free_list;
		free_list = p;
		free_pages++;
		pool_pages++;
	}
	set_limits();
}

void kmem_init(uint32_t pool_phys, uint32_t pool_bytes)
{
	give(pool_phys, pool_bytes);
}

uint32_t kmem_task_pages(const space_t *s)
{
	uint32_t n = 0;

	for (unsigned k = 0; k < KMEM_KINDS; k++)
		n += s->kmem_pages[k];
	return n;
}

/* May s have one more page of the pool?  The kernel's own requests (s
 * NULL: the KIP) come only from boot, and count as privileged. */
static bool may_take(const space_t *s)
{
#ifndef LENT_KMEM_POOL
	/* The boot reserve: the kernel's own, boot's tasks while boot sets
	 * them up, and sigma0, which never waits on a kpager.  Every other
	 * task's kernel memory its kpager lends. */
	return !s || s->sigma0 || s->boot_kmem;
#else
	if (!s || s->privileged)
		return true;
	return free_pages > reserve_pages && kmem_task_pages(s) < task_limit;
#endif
}

/* Lent build: is a pool page of s one of the boot reserve's pages of
 * sigma0 and the root task (the only tasks that may have any)? */
static bool counts_as_boot_task(const space_t *s)
{
#ifdef LENT_KMEM_POOL
	(void)s;
	return false;
#else
	return s->privileged;
#endif
}

const char *kmem_pool_name(void)
{
#ifdef LENT_KMEM_POOL
	return "pool";
#else
	return "boot-reserve";
#endif
}

void *kmem_alloc(space_t *s, enum kmem_kind kind)
{
	void *page;

	if (s && s == boot_owner) {
		/* Only the boot reserve: its size is checked, not topped up. */
		if (boot_next >= boot_end)
			return NULL;
		page = phys_to_virt(boot_next);
		boot_next += PAGE_SIZE;
		boot_used++;
	} else {
		free_page_t *p = free_list;

		if (!p || !may_take(s))
			return NULL;
		free_list = p->next;
		free_pages--;
		page = p;
	}
	memset(page, 0, PAGE_SIZE);
	if (s)
		s->kmem_pages[kind]++;
	else
		kernel_pages++;
	if (s && s != boot_owner && counts_as_boot_task(s))
		boot_task_pages++;
	return page;
}

void kmem_free(space_t *s, enum kmem_kind kind, void *page)
{
	free_page_t *p = page;

	if (!p)
		return;
	if (s)
		s->kmem_pages[kind]--;
	else
		kernel_pages--;
	if (s && counts_as_boot_task(s))
		boot_task_pages--;
	p->next = free_list;
	free_list = p;
	free_pages++;
}

void kmem_adopt(space_t *s, enum kmem_kind kind)
{
	kernel_pages--;
#ifndef LENT_KMEM_POOL
	/* Only boot's tasks have a record from the boot reserve. */
	boot_task_pages++;
#endif
	s->kmem_pages[kind]++;
}

/* A lent frame back to its kpager.  Nothing of the kernel's may reach
 * the kpager: it gets the page back empty. */
static void give_back(uint32_t pa)
{
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	frame_unlend(pa);
}

void kmem_free_record(space_t *s)
{
	uint32_t pa = virt_to_phys(s);

	if (frame_is_lent(pa)) {
		give_back(pa);
		return;
	}
	free_page_t *p = (free_page_t *)s;

#ifndef LENT_KMEM_POOL
	boot_task_pages--;
#endif
	p->next = free_list;
	free_list = p;
	free_pages++;
}

void kmem_boot_reserve_open(space_t *owner, uint32_t phys, uint32_t bytes)
{
	boot_owner = owner;
	boot_next = phys;
	boot_end = phys + (uint32_t)ALIGN_DOWN(bytes, PAGE_SIZE);
	boot_used = 0;
}

uint32_t kmem_boot_reserve_close(void)
{
	if (boot_end > boot_next)
		give(boot_next, boot_end - boot_next);
	boot_owner = NULL;
	boot_next = boot_end = 0;
	return boot_used;
}

void kmem_stats(kmem_stats_t *st)
{
	st->pool_pages = pool_pages;
	st->free_pages = free_pages;
	st->reserve_pages = reserve_pages;
	st->task_limit = task_limit;
	st->kernel_pages = kernel_pages;
	st->boot_task_pages = boot_task_pages;
}

const char *kmem_kind_name(enum kmem_kind kind)
{
	static const char *const names[KMEM_KINDS] = {
		[KMEM_TASK] = "task", [KMEM_PDIR] = "page-directory",
		[KMEM_PT] = "page-table", [KMEM_NT] = "node-table", [KMEM_MAP] = "mapping",
		[KMEM_TCB] = "tcb", [KMEM_UTCB] = "utcb", [KMEM_KERNEL] = "kernel",
	};
	return kind < KMEM_KINDS ? names[kind] : "?";
}

/* ---- pages by content identifier ---- */

bool kmem_kind_is_lent(const space_t *s, enum kmem_kind kind)
{
#ifdef LENT_KMEM_POOL
	(void)s;
	(void)kind;
	return false;
#else
	/* sigma0's own kernel memory is the kernel's to take, without IPC:
	 * sigma0 must never wait on itself. */
	if (!s || s->sigma0 || s->boot_kmem)
		return false;
	return kind == KMEM_TASK || kind == KMEM_PDIR || kind == KMEM_PT || kind == KMEM_NT || kind == KMEM_MAP ||
	       kind == KMEM_TCB || kind == KMEM_UTCB;
#endif
}

bool kmem_record_is_lent(void)
{
#ifdef LENT_KMEM_POOL
	return false;
#else
	return true;
#endif
}

void *kmem_record_lent(uint32_t task)
{
	uint32_t pa = frame_find(task, LENT_CID_TASK);

	return pa ? phys_to_virt(pa) : NULL;
}

void kmem_return_record(uint32_t task)
{
	uint32_t pa = frame_find(task, LENT_CID_TASK);

	/* Never counted: the task it was for was never made. */
	if (pa)
		give_back(pa);
}

bool kmem_has(const space_t *s, enum kmem_kind kind, uint32_t cid)
{
	if (kmem_kind_is_lent(s, kind))
		return frame_find(s->id, cid) != 0;
	if (s && s == boot_owner)
		return boot_next < boot_end;
	return free_list && may_take(s);
}

void *kmem_get(space_t *s, enum kmem_kind kind, uint32_t cid)
{
	if (!kmem_kind_is_lent(s, kind))
		return kmem_alloc(s, kind);
	uint32_t pa = frame_find(s->id, cid);
	if (!pa)
		return NULL;
	/* Zeroed when it was accepted, and given back zeroed (kmem_put):
	 * nothing of an earlier use is left in it. */
	return phys_to_virt(pa);
}

void kmem_put(space_t *s, enum kmem_kind kind, void *page)
{
	if (!page)
		return;
	/* By where the page came from, not by the kind: a task made at boot
	 * (boot_kmem) has pages of lent kinds from the pool, the root task's
	 * first UTCB page among them. */
	if (!frame_is_lent(virt_to_phys(page))) {
		kmem_free(s, kind, page);
		return;
	}
	give_back(virt_to_phys(page));
	s->kmem_pages[kind]--;
}

void kmem_return_lent(space_t *s, enum kmem_kind kind, uint32_t cid)
{
	uint32_t pa = frame_find(s->id, cid);

	if (pa)
		kmem_put(s, kind, phys_to_virt(pa));
}

void kmem_return_unused(space_t *s)
{
	if (!kmem_kind_is_lent(s, KMEM_PT))
		return;
	if (s->kmem_pages[KMEM_PT] || s->kmem_pages[KMEM_NT] || s->kmem_pages[KMEM_MAP]) {
		for (uint32_t pde = 0; pde < USER_PDES; pde++) {
			kmem_return_lent(s, KMEM_PT, lent_cid_pt(pde << 22));
			kmem_return_lent(s, KMEM_NT, lent_cid_nt(pde << 22));
		}
		kmem_return_lent(s, KMEM_MAP, lent_cid_nth(LENT_KMEM_MAP, s->node_page_count));
	}
	/* The page directory (lent for a SpaceControl that never acted), and
	 * UTCB and TCB pages lent for a ThreadControl that never acted (a TCB
	 * page whose creation found its thread number taken for another
	 * space): those in use went back with the space's tables and
	 * threads, so the counts say whether any is left to look for. */
	kmem_return_lent(s, KMEM_PDIR, LENT_CID_PDIR);
	for (uint32_t n = 0; s->kmem_pages[KMEM_UTCB] && n < LENT_CID_RANGE_PAGES; n++)
		kmem_return_lent(s, KMEM_UTCB, lent_cid_nth(LENT_KMEM_UTCB, n));
	for (uint32_t n = 0; s->kmem_pages[KMEM_TCB] && n < TCB_SLOTS / LENT_TCB_PER_PAGE; n++)
		kmem_return_lent(s, KMEM_TCB, lent_cid_nth(LENT_KMEM_TCB, n));
}

void kmem_lent(space_t *s, enum kmem_kind kind)
{
	s->kmem_pages[kind]++;
}
