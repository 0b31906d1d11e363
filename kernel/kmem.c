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
 * joins the pool.  The counts and the rules' arithmetic are in
 * kernel/kmem_account.h; this file moves the pages.
 */
#include <kernel/kmem.h>
#include <kernel/space.h>
#include <kernel/string.h>
#include <kernel/frame.h>
#include <kernel/kmem_sigma0.h>
#include <kernel/kmem_ahead.h>
#include <arch/arch.h>

typedef struct free_page { struct free_page *next; } free_page_t;

static free_page_t *free_list;
static kmem_stats_t pool;       /* the counts (kernel/kmem_account.h) */

/* The boot reserve, while open: its pages for boot_owner. */
static space_t *boot_owner;
static kmem_boot_t boot;

#ifdef LENT_KMEM_POOL
#define POOL_BUILD true
#else
#define POOL_BUILD false
#endif

/* s as the accounting rules see it (NULL: the kernel's own). */
static inline kmem_payer_t payer(const space_t *s)
{
	if (!s)
		return (kmem_payer_t){ .charge = NULL };
	return (kmem_payer_t){ .charge = &s->kmem, .privileged = s->privileged,
			       .no_kpager = s->sigma0 || s->boot_kmem };
}

static void give(uint32_t phys, uint32_t bytes)
{
	uint32_t pages = 0;

	for (uint32_t off = bytes; off >= PAGE_SIZE; off -= PAGE_SIZE) {
		free_page_t *p = phys_to_virt(phys + off - PAGE_SIZE);
		p->next = free_list;
		free_list = p;
		pages++;
	}
	kmem_account_grow(&pool, pages);
}

void kmem_init(uint32_t pool_phys, uint32_t pool_bytes)
{
	give(pool_phys, pool_bytes);
}

uint32_t kmem_task_pages(const space_t *s)
{
	return kmem_charge_total(&s->kmem);
}

/* May s have one more page of the pool?  The rule is the build's
 * (kmem_account_may_take); inline, for it runs for every page the pool
 * gives. */
static inline bool may_take(const space_t *s)
{
	return kmem_account_may_take(&pool, payer(s), POOL_BUILD);
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
	bool boot_task = false;

	if (s && s == boot_owner) {
		uint32_t pa;

		if (!kmem_boot_take(&boot, &pa))
			return NULL;
		page = phys_to_virt(pa);
	} else {
		free_page_t *p = free_list;

		if (!p || !may_take(s))
			return NULL;
		free_list = p->next;
		kmem_account_take(&pool);
		page = p;
		boot_task = kmem_account_boot_task(payer(s), POOL_BUILD);
	}
	memset(page, 0, PAGE_SIZE);
	kmem_account_charge(&pool, s ? &s->kmem : NULL, kind, boot_task);
	return page;
}

void kmem_free(space_t *s, enum kmem_kind kind, void *page)
{
	free_page_t *p = page;

	if (!p)
		return;
	(void)kmem_account_uncharge(&pool, s ? &s->kmem : NULL, kind,
				    kmem_account_boot_task(payer(s), POOL_BUILD));
	p->next = free_list;
	free_list = p;
	kmem_account_back(&pool);
}

/* Lent build: only boot's tasks have a record from the boot reserve. */
void kmem_adopt(space_t *s, enum kmem_kind kind)
{
	kmem_account_adopt(&pool, &s->kmem, kind, !POOL_BUILD);
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

	p->next = free_list;
	free_list = p;
	kmem_account_record_back(&pool, !POOL_BUILD);
}

void kmem_boot_reserve_open(space_t *owner, uint32_t phys, uint32_t bytes)
{
	boot_owner = owner;
	kmem_boot_open(&boot, phys, bytes);
}

uint32_t kmem_boot_reserve_close(void)
{
	uint32_t rest_phys, rest_bytes, used = kmem_boot_close(&boot, &rest_phys, &rest_bytes);

	if (rest_bytes)
		give(rest_phys, rest_bytes);
	boot_owner = NULL;
	return used;
}

void kmem_stats(kmem_stats_t *st)
{
	*st = pool;
}

/* ---- pages by content identifier ---- */

bool kmem_kind_is_lent(const space_t *s, enum kmem_kind kind)
{
	return kmem_account_kind_is_lent(payer(s), kind, POOL_BUILD);
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
		return kmem_boot_has(&boot);
	/* sigma0's own store first (kernel/kmem_sigma0.c), then the pool. */
	return kmem_sigma0_has(s, cid) || (free_list && may_take(s));
}

void *kmem_get(space_t *s, enum kmem_kind kind, uint32_t cid)
{
	if (!kmem_kind_is_lent(s, kind)) {
		if (s != boot_owner && kmem_sigma0_has(s, cid))
			return kmem_sigma0_take(s, kind, cid);
		return kmem_alloc(s, kind);
	}
	uint32_t pa = frame_find(s->id, cid);
	if (!pa)
		return NULL;
	/* Zeroed when it was accepted, and given back zeroed (kmem_put):
	 * nothing of an earlier use is left in it. */
	return phys_to_virt(pa);
}

void kmem_put(space_t *s, enum kmem_kind kind, void *page)
{
	if (!page || kmem_sigma0_put(s, kind, page))
		return;
	/* By where the page came from, not by the kind: a task made at boot
	 * (boot_kmem) has pages of lent kinds from the pool, the root task's
	 * first UTCB page among them. */
	if (!frame_is_lent(virt_to_phys(page))) {
		kmem_free(s, kind, page);
		return;
	}
	give_back(virt_to_phys(page));
	(void)kmem_charge_drop_lent(&s->kmem, kind);
}

unsigned kmem_put_cost(const void *page)
{
	return frame_is_lent(virt_to_phys(page)) ? PAGE_SIZE / 4u : 32u;
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
	kmem_ahead_return_all(s);      /* frames lent ahead, never bound */
	if (s->kmem.pages[KMEM_PT] || s->kmem.pages[KMEM_NT] || s->kmem.pages[KMEM_MAP]) {
		/* The ports' node tables and bitmap only where any was
		 * gathered: 128 more lookups in every teardown otherwise. */
		uint32_t pdes = s->io_gathered ? SPACE_NODE_PDES : USER_PDES;
		for (uint32_t pde = 0; pde < pdes; pde++) {
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
	for (uint32_t n = 0; s->kmem.pages[KMEM_UTCB] && n < LENT_CID_RANGE_PAGES; n++)
		kmem_return_lent(s, KMEM_UTCB, lent_cid_nth(LENT_KMEM_UTCB, n));
	for (uint32_t n = 0; s->kmem.pages[KMEM_TCB] && n < TCB_SLOTS / LENT_TCB_PER_PAGE; n++)
		kmem_return_lent(s, KMEM_TCB, lent_cid_nth(LENT_KMEM_TCB, n));
}

void kmem_lent(space_t *s, enum kmem_kind kind)
{
	kmem_charge_add_lent(&s->kmem, kind);
}
