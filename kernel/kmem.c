/* SPDX-License-Identifier: BSD-2-Clause */
/* The boot-time kernel-memory pool: a free list of 4 KB pages. */
#include <kernel/kmem.h>
#include <kernel/space.h>
#include <kernel/string.h>
#include <arch/arch.h>

typedef struct free_page { struct free_page *next; } free_page_t;

static free_page_t *free_list;
static uint32_t kernel_pages;   /* in use for KMEM_KERNEL */
static uint32_t free_pages;

/* The last pages of the pool are kept for privileged tasks (sigma0 and
 * the root task): sigma0 needs kernel memory to hand out memory at all,
 * and other tasks must not be able to take that from it. */
#define PRIVILEGED_RESERVE 32

void kmem_init(uint32_t pool_phys, uint32_t pool_bytes)
{
	for (uint32_t off = pool_bytes; off >= PAGE_SIZE; off -= PAGE_SIZE) {
		free_page_t *p = phys_to_virt(pool_phys + off - PAGE_SIZE);
		p->next = free_list;
		free_list = p;
		free_pages++;
	}
}

void *kmem_alloc(space_t *s, enum kmem_kind kind)
{
	free_page_t *p = free_list;

	if (!p || (free_pages <= PRIVILEGED_RESERVE && !(s && s->privileged)))
		return NULL;
	free_list = p->next;
	free_pages--;
	memset(p, 0, PAGE_SIZE);
	if (s)
		s->kmem_pages[kind]++;
	else
		kernel_pages++;
	return p;
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
	p->next = free_list;
	free_list = p;
	free_pages++;
}


const char *kmem_kind_name(enum kmem_kind kind)
{
	static const char *const names[KMEM_KINDS] = {
		[KMEM_PT] = "page-table", [KMEM_NT] = "node-table", [KMEM_MAP] = "mapping",
		[KMEM_TCB] = "tcb", [KMEM_UTCB] = "utcb", [KMEM_KERNEL] = "kernel",
	};
	return kind < KMEM_KINDS ? names[kind] : "?";
}
