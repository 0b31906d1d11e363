/* SPDX-License-Identifier: BSD-2-Clause */
/* The KIP's system-call stubs. */
#include <arch/arch.h>
#include <arch/segments.h>
#include <arch/clock.h>
#include <kernel/kip.h>

/*
 * Each stub is "int $vector; ret" at a 16-byte slot.  The kernel knows a
 * call by where its trap returns to: stub offset + 2.  SystemClock's
 * field points elsewhere where the CPU has a TSC (kip_clock.c).  With
 * sysenter (sysenter.c), Ipc and Lipc are "pop ebx; mov ebp, esp;
 * sysenter" instead: the return address and the caller's stack pointer
 * in EBX and EBP, which Ipc returns MR1 and MR2 in anyway (Pistachio's
 * ia32 user.cc, user_ipc, has the same registers), and EAX, ECX, EDX,
 * ESI and EDI as the int stub has them.  The ret after the sysenter is
 * for a single-stepped call only (sysenter.c).
 */
static const uint8_t sysenter_stub[] = { 0x5B, 0x89, 0xE5, 0x0F, 0x34, 0xC3 };
#define SYSENTER_STUB_AT 3         /* the sysenter; a ret after it (sysenter.c) */
void arch_kip_stubs(void *kip, uint32_t first_offset, uint32_t *offsets)
{
	uint8_t *page = kip;

	for (unsigned i = 0; i < KIP_SC_COUNT; i++) {
		uint32_t off = first_offset + 16 * i;
		uint8_t vec = (i == KIP_SC_IPC || i == KIP_SC_LIPC) ? VEC_SYSCALL_IPC
									: VEC_SYSCALL_OTHER;
		page[off] = 0xCD;          /* int imm8 */
		page[off + 1] = vec;
		page[off + 2] = 0xC3;      /* ret */
		offsets[i] = off;
		if (vec == VEC_SYSCALL_IPC && arch_sysenter_on) {
			for (unsigned k = 0; k < sizeof(sysenter_stub); k++)
				page[off + k] = sysenter_stub[k];
			if (i == KIP_SC_IPC)
				arch_sysenter_stub_at(off + SYSENTER_STUB_AT);
		}
	}
	/* With a TSC, SystemClock does not trap at all (kip_clock.c). */
	kip_clock_install(page, offsets);
}
