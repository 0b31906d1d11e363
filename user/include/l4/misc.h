/* SPDX-License-Identifier: BSD-2-Clause */
/* Memory attributes through MemoryControl (a privileged call). */
#ifndef L4_MISC_H
#define L4_MISC_H

#include <l4/types.h>
#include <l4/ia32/syscalls.h>

#define L4_DefaultMemory	0

/* The fpage's low bits select which of the four attributes applies:
 * with rights 0 it is attribute 0. */
L4_INLINE L4_Word_t L4_Set_PageAttribute(L4_Fpage_t f, L4_Word_t attribute)
{
	L4_Word_t attributes[4] = { attribute, 0, 0, 0 };

	L4_Set_Rights(&f, 0);
	L4_LoadMR(0, f.raw);
	return L4_MemoryControl(0, attributes);
}

L4_INLINE L4_Word_t L4_Set_PageAttributes(L4_Word_t n, L4_Fpage_t *f,
					  const L4_Word_t *attributes)
{
	L4_LoadMRs(0, n, (L4_Word_t *)f);
	return L4_MemoryControl(n - 1, attributes);
}

#endif
