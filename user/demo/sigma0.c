/* SPDX-License-Identifier: BSD-2-Clause */
/* Step 1: memory from sigma0, "any page" and a specific page. */
#include "demo.h"

int demo_sigma0(void)
{
	L4_Fpage_t one = L4_Sigma0_GetAny(rt_sigma0(), 12, L4_CompleteAddressSpace);
	L4_Fpage_t four = L4_Sigma0_GetAny(rt_sigma0(), 14, L4_CompleteAddressSpace);
	volatile L4_Word_t *w;

	if (L4_IsNilFpage(one) || L4_IsNilFpage(four)) {
		printf("demo:     sigma0 refused a request\n");
		return 0;
	}
	printf("demo:     any 4 KB page:  %08lx, size %lu\n", L4_Address(one), L4_Size(one));
	printf("demo:     any 16 KB block: %08lx, size %lu\n", L4_Address(four), L4_Size(four));
	w = (volatile L4_Word_t *)L4_Address(one);
	w[0] = 0x51a0;
	printf("demo:     wrote %lx to the page and read back %lx\n", 0x51a0UL, w[0]);
	one = L4_Sigma0_GetPage(rt_sigma0(), L4_FpageLog2(L4_Address(one), 12));
	printf("demo:     asked for the same page again: %08lx (%s)\n", L4_Address(one),
	       L4_IsNilFpage(one) ? "refused" : "granted again");
	return w[0] == 0x51a0 && !L4_IsNilFpage(one);
}
