/* SPDX-License-Identifier: BSD-2-Clause */
/* The block of pages the kpager tests lend from in turn (t_pool.h). */
#include "t_pool.h"
#include <lent/kmem.h>

static L4_Word_t block;

L4_Word_t t_pool(L4_Word_t first, L4_Word_t pages)
{
	if (first > T_POOL_PAGES || pages > T_POOL_PAGES - first)
		return 0;
	if (!block)
		block = rt_get_pages(T_POOL_PAGES);
	return block ? block + first * RT_PAGE_SIZE : 0;
}

const char *t_pool_unlent(L4_Word_t addr, L4_Word_t pages)
{
	CHECK(addr != 0);
	for (L4_Word_t i = 0; i < pages; i++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, addr + i * RT_PAGE_SIZE), 0);
	return 0;
}
