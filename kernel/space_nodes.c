/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mapping database's hooks into a space: the node-table slot of a
 * virtual page, and mapping nodes carved from pages charged to the space.
 */
#include <kernel/space.h>
#include <kernel/string.h>
#include <arch/arch.h>

#define NODES_PER_PAGE ((PAGE_SIZE - sizeof(mapnode_t)) / sizeof(mapnode_t))

mapnode_t **space_node_slot(space_t *s, uint32_t vaddr, bool alloc)
{
	if (vaddr >= USER_LIMIT && !io_va_is(vaddr))
		return NULL;
	mapnode_t **table = s->node_table[vaddr >> 22];
	if (!table) {
		if (!alloc)
			return NULL;
		table = kmem_get(s, KMEM_NT, lent_cid_nt(vaddr));
		if (!table)
			return NULL;
		s->node_table[vaddr >> 22] = table;
	}
	return &table[(vaddr >> 12) & 1023];
}

mapnode_t *space_node_alloc(space_t *s)
{
	if (!s->free_nodes) {
		node_page_t *page = kmem_get(s, KMEM_MAP,
					     lent_cid_nth(LENT_KMEM_MAP, s->node_page_count));
		if (!page)
			return NULL;
		s->node_page_count++;
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
	s->mapped_pages++;
	memset(n, 0, sizeof(*n));
	return n;
}

void space_node_free(space_t *s, mapnode_t *n)
{
	n->next = s->free_nodes;
	n->space = NULL;
	s->free_nodes = n;
	s->mapped_pages--;
}
