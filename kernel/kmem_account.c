/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel-memory accounting (kernel/kmem_account.h): the pool's limits,
 * the boot reserve's bookkeeping and the kinds' names, the parts that
 * run only at boot or for a report.  Counters and addresses only; no
 * page is touched here.
 */
#include <kernel/kmem_account.h>

void kmem_account_grow(kmem_stats_t *p, uint32_t pages)
{
	p->pool_pages += pages;
	p->free_pages += pages;
	p->reserve_pages = p->pool_pages / 16;
	if (p->reserve_pages < KMEM_MIN_PRIVILEGED_RESERVE)
		p->reserve_pages = KMEM_MIN_PRIVILEGED_RESERVE;
	p->task_limit = p->pool_pages > p->reserve_pages ?
			(p->pool_pages - p->reserve_pages) / 4 * 3 : 0;
}

void kmem_boot_open(kmem_boot_t *b, uint32_t phys, uint32_t bytes)
{
	b->next = phys;
	b->end = phys + (uint32_t)ALIGN_DOWN(bytes, PAGE_SIZE);
	b->used = 0;
}

bool kmem_boot_has(const kmem_boot_t *b)
{
	return b->next < b->end;
}

bool kmem_boot_take(kmem_boot_t *b, uint32_t *phys)
{
	/* Only the reserve: its size is checked, not topped up. */
	if (!kmem_boot_has(b))
		return false;
	*phys = b->next;
	b->next += PAGE_SIZE;
	b->used++;
	return true;
}

uint32_t kmem_boot_close(kmem_boot_t *b, uint32_t *rest_phys, uint32_t *rest_bytes)
{
	uint32_t used = b->used;

	*rest_phys = b->next;
	*rest_bytes = b->end > b->next ? b->end - b->next : 0;
	*b = (kmem_boot_t){ 0, 0, 0 };
	return used;
}

const char *kmem_kind_name(enum kmem_kind kind)
{
	static const char *const names[KMEM_KINDS] = {
		[KMEM_TASK] = "task", [KMEM_PDIR] = "page-directory",
		[KMEM_PT] = "page-table", [KMEM_NT] = "node-table", [KMEM_MAP] = "mapping",
		[KMEM_TCB] = "tcb", [KMEM_UTCB] = "utcb", [KMEM_KERNEL] = "kernel",
	};
	return (unsigned)kind < KMEM_KINDS ? names[kind] : "?";
}
