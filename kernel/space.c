/* SPDX-License-Identifier: BSD-2-Clause */
/* Address spaces: page tables, node tables and mapping nodes of one task. */
#include <kernel/space.h>
#include <kernel/thread.h>
#include <kernel/string.h>
#include <kernel/memregion.h>
#include <kernel/sigma0_roots.h>
#include <arch/arch.h>

static uint32_t next_space_id;

#define NODES_PER_PAGE ((PAGE_SIZE - sizeof(mapnode_t)) / sizeof(mapnode_t))

space_t *space_create(void)
{
	space_t *s = kmem_alloc(NULL, KMEM_NT);

	if (!s)
		return NULL;
	s->pdir = kmem_alloc(s, KMEM_PT);
	if (!s->pdir) {
		kmem_free(NULL, KMEM_NT, s);
		return NULL;
	}
	/* The space object is charged to the space itself from here on. */
	s->kmem_pages[KMEM_NT]++;
	arch_pdir_init(s->pdir);
	s->pdir_phys = virt_to_phys(s->pdir);
	s->id = ++next_space_id;
	return s;
}

bool space_areas_set(space_t *s)
{
	return !fpage_is_nil(s->kip_area) && !fpage_is_nil(s->utcb_area);
}

static bool ranges_overlap(uint32_t a, uint64_t alen, uint32_t b, uint64_t blen)
{
	return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

bool space_in_utcb_area(space_t *s, uint32_t addr, uint32_t size)
{
	if (fpage_is_nil(s->utcb_area))
		return false;
	uint32_t base = fpage_base(s->utcb_area);
	uint64_t len = fpage_size(s->utcb_area);
	return addr >= base && (uint64_t)addr + size <= (uint64_t)base + len;
}

bool space_is_user_range(space_t *s, uint32_t addr, uint32_t size)
{
	if ((uint64_t)addr + size > USER_LIMIT)
		return false;
	if (!fpage_is_nil(s->kip_area) &&
	    ranges_overlap(addr, size, fpage_base(s->kip_area), fpage_size(s->kip_area)))
		return false;
	if (!fpage_is_nil(s->utcb_area) &&
	    ranges_overlap(addr, size, fpage_base(s->utcb_area), fpage_size(s->utcb_area)))
		return false;
	return true;
}

/* ---- hooks for the mapping database ---- */

mapnode_t **space_node_slot(space_t *s, uint32_t vaddr, bool alloc)
{
	if (vaddr >= USER_LIMIT)
		return NULL;
	mapnode_t **table = s->node_table[vaddr >> 22];
	if (!table) {
		if (!alloc)
			return NULL;
		table = kmem_alloc(s, KMEM_NT);
		if (!table)
			return NULL;
		s->node_table[vaddr >> 22] = table;
	}
	return &table[(vaddr >> 12) & 1023];
}

mapnode_t *space_node_alloc(space_t *s)
{
	if (!s->free_nodes) {
		node_page_t *page = kmem_alloc(s, KMEM_MAP);
		if (!page)
			return NULL;
		page->next = s->node_pages;
		s->node_pages = page;
		mapnode_t *n = (mapnode_t *)page + 1;
		for (unsigned i = 0; i < NODES_PER_PAGE; i++, n++) {
			n->next = s->free_nodes;
			s->free_nodes = n;
		}
	}
	mapnode_t *n = s->free_nodes;
	s->free_nodes = n->next;
	memset(n, 0, sizeof(*n));
	return n;
}

void space_node_free(space_t *s, mapnode_t *n)
{
	n->next = s->free_nodes;
	n->space = NULL;
	s->free_nodes = n;
}

static void flush_if_current(space_t *s, uint32_t va)
{
	if (current && current->space == s)
		arch_tlb_flush(va);
}

static pte_t *pte_slot(space_t *s, uint32_t va, bool alloc)
{
	pte_t *p = arch_pte_slot(s->pdir, va);

	if (p || !alloc)
		return p;
	void *pt = kmem_alloc(s, KMEM_PT);
	if (!pt)
		return NULL;
	arch_pde_set(s->pdir, va, virt_to_phys(pt));
	return arch_pte_slot(s->pdir, va);
}

int space_pte_set(space_t *s, uint32_t vaddr, uint32_t phys, uint32_t rights)
{
	pte_t *p = pte_slot(s, vaddr, true);

	if (!p)
		return -1;
	*p = arch_pte_make(phys, rights);
	flush_if_current(s, vaddr);
	return 0;
}

uint32_t space_pte_clear(space_t *s, uint32_t vaddr)
{
	pte_t *p = pte_slot(s, vaddr, false);

	if (!p)
		return 0;
	uint32_t access = arch_pte_access(*p);
	*p = 0;
	flush_if_current(s, vaddr);
	return access;
}

uint32_t space_pte_restrict(space_t *s, uint32_t vaddr, uint32_t rights)
{
	pte_t *p = pte_slot(s, vaddr, false);

	if (!p || !arch_pte_present(*p))
		return 0;
	uint32_t access = arch_pte_access(*p);
	uint32_t keep = arch_pte_rights(*p) & rights;
	*p = arch_pte_make(arch_pte_phys(*p), keep);
	flush_if_current(s, vaddr);
	return access;
}

/* ---- kernel access to user memory ---- */

void *space_user_ptr(space_t *s, uint32_t va, uint32_t rights)
{
	if (va >= USER_LIMIT)
		return NULL;
	pte_t *p = arch_pte_slot(s->pdir, va);
	if (!p || !arch_pte_present(*p))
		return NULL;
	if ((rights & RIGHT_W) && !(arch_pte_rights(*p) & RIGHT_W))
		return NULL;
	uint32_t pa = arch_pte_phys(*p);
	if (pa >= PHYSMAP_LIMIT)
		return NULL;
	return (uint8_t *)phys_to_virt(pa) + (va & ~PAGE_MASK);
}

int space_user_byte(space_t *s, uint32_t va)
{
	const uint8_t *p = space_user_ptr(s, va, RIGHT_R);

	return p ? *p : -1;
}

int space_map_kernel_page(space_t *s, uint32_t va, uint32_t phys, uint32_t rights)
{
	return space_pte_set(s, va & PAGE_MASK, phys, rights);
}

void *space_utcb_page(space_t *s, uint32_t va)
{
	void *page = space_user_ptr(s, va & PAGE_MASK, RIGHT_W);

	if (page)
		return page;
	page = kmem_alloc(s, KMEM_UTCB);
	if (!page)
		return NULL;
	if (space_map_kernel_page(s, va, virt_to_phys(page), RIGHTS_ALL) < 0) {
		kmem_free(s, KMEM_UTCB, page);
		return NULL;
	}
	return page;
}

/* ---- map one page ---- */

/* Map one 4 KB page; from sigma0 only where it has its root mapping
 * (kernel/sigma0_roots.c decides whether a missing one may be made).
 * MAPDB_STOPPED: stopped at a preemption point, call again. */
int space_map_page(space_t *from, uint32_t src, space_t *to, uint32_t dst,
		   uint32_t rights, bool grant)
{
	if (!space_is_user_range(to, dst, PAGE_SIZE) || src >= USER_LIMIT)
		return MAPDB_OK;
	if (from->sigma0 && !sigma0_root_for_map(from, src, to))
		return MAPDB_OK;
	return mapdb_map_part(from, src, to, dst, rights, grant, true);
}
