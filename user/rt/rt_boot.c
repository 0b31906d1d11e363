/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The boot information: the KIP's BootInfo word points at X.2 generic
 * boot-information records (<l4/bootinfo.h>), in boot-loader memory that
 * sigma0 maps idempotently (virtual = physical) on the first touch.
 */
#include "rt.h"
#include <l4/bootinfo.h>
#include <l4/kipaccess.h>

void *rt_bootinfo(void)
{
	void *bi = (void *)L4_BootInfo(rt_kip());

	return bi && L4_BootInfo_Valid(bi) ? bi : 0;
}

/* The first record of the given type, or 0. */
static L4_BootRec_t *rt_bootrec(L4_Word_t type)
{
	void *bi = rt_bootinfo();
	L4_BootRec_t *r;
	L4_Word_t i;

	if (!bi)
		return 0;
	r = L4_BootInfo_FirstEntry(bi);
	for (i = 0; i < L4_BootInfo_Entries(bi); i++, r = L4_BootRec_Next(r))
		if (L4_BootRec_Type(r) == type)
			return r;
	return 0;
}

L4_Word_t rt_multiboot_info(void)
{
	L4_BootRec_t *r = rt_bootrec(L4_BootInfo_Multiboot);

	return r ? L4_MBI_Address(r) : 0;
}
