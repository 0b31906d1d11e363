/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel's access to user memory: translate a user address through
 * the space's page table to the kernel's direct map, with the rights the
 * access needs.
 */
#include <kernel/space.h>
#include <arch/arch.h>

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
