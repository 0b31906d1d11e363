/* SPDX-License-Identifier: BSD-2-Clause */
/* Fresh memory for the root task through the sigma0 protocol. */
#include "rt.h"
#include <l4/sigma0.h>

/*
 * Ask sigma0 for any free, naturally aligned block of at least n pages
 * (rounded up to a power of two).  The receive window is the whole
 * address space, so the block appears at its physical address.  Returns
 * that address, or 0 if sigma0 refused.
 */
L4_Word_t rt_get_pages(L4_Word_t n)
{
	int log2 = 12;
	L4_Fpage_t fp;

	while ((1UL << (log2 - 12)) < n)
		log2++;
	fp = L4_Sigma0_GetAny(rt_sigma0(), log2, L4_CompleteAddressSpace);
	if (L4_IsNilFpage(fp))
		return 0;
	return L4_Address(fp);
}
