/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel's access to user memory: translate a user address through
 * the space's page table to the frame, with the rights the access needs,
 * and reach the frame through the direct map or, above it, the frame
 * window (arch_frame_map).
 */
#include <kernel/space.h>
#include <kernel/string.h>
#include <arch/arch.h>

bool space_user_frame(space_t *s, uint32_t va, uint32_t rights, uint32_t *pa)
{
	if (va >= USER_LIMIT)
		return false;
	pte_t *p = s->pdir ? arch_pte_slot(s->pdir, va) : NULL;
	if (!p || !arch_pte_present(*p))
		return false;
	if ((rights & RIGHT_W) && !(arch_pte_rights(*p) & RIGHT_W))
		return false;
	*pa = arch_pte_phys(*p) | (va & ~PAGE_MASK);
	return true;
}

void *space_user_ptr(space_t *s, uint32_t va, uint32_t rights)
{
	uint32_t pa;

	if (!space_user_frame(s, va, rights, &pa) || pa >= PHYSMAP_LIMIT)
		return NULL;
	return phys_to_virt(pa);
}

int space_user_byte(space_t *s, uint32_t va)
{
	uint32_t pa;

	if (!space_user_frame(s, va, RIGHT_R, &pa))
		return -1;
	const uint8_t *p = arch_frame_map(pa);
	int c = *p;
	arch_frame_unmap(p);
	return c;
}

void space_copy_frames(uint32_t dst, uint32_t src, uint32_t n)
{
	void *d = arch_frame_map(dst);
	const void *sp = arch_frame_map(src);

	memcpy(d, sp, n);
	arch_frame_unmap(sp);
	arch_frame_unmap(d);
}
