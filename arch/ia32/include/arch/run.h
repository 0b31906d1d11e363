/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Leaving the kernel for a thread: arch_run()'s body (arch/ia32/cpu.c),
 * here so that the IPC fast path (kernel/ipc_fast.c) has it inline, with
 * neither a call nor a frame of its own.
 */
#ifndef ARCH_RUN_H
#define ARCH_RUN_H

#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/segments.h>
#include <arch/iobitmap.h>
#include <kernel/thread.h>
#include <kernel/space.h>

typedef struct __attribute__((packed)) {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} arch_tss_t;
_Static_assert(__builtin_offsetof(arch_tss_t, esp0) == 4, "entry.asm: TSS_ESP0");

/* cpu.c's: the GDT, the TSS and the page directory in CR3. */
extern uint64_t arch_gdt[GDT_ENTRIES];
extern arch_tss_t arch_tss;
extern uint32_t arch_loaded_pdir;

/* Leave the kernel through entry.asm's exit label, ESP at the frame
 * whose end is top (the TSS's ESP0, already in a register): a jump, for
 * neither way comes back (no call, no argument on the stack). */
#define ARCH_LEAVE(label, top) do {					\
	__asm__ volatile("leal %c1(%0), %%esp\n\tjmp " label		\
			 :: "r"(top), "i"(-CTX_SIZE) : "memory");	\
	__builtin_unreachable();					\
} while (0)

/*
 * Make t the thread the CPU runs, and leave for it: its next kernel entry
 * saves into its TCB, %gs:0 finds its UTCB (the exit path reloads GS from
 * the slot), and its address space is loaded, with its I/O bitmap, only
 * where the space changes: within one space CR3 keeps its value and the
 * TLB its entries.
 */
static inline __attribute__((always_inline, noreturn)) void arch_run_inline(struct tcb *t)
{
	const space_t *s = t->space;
	uint32_t pdir = s->pdir_phys;   /* (not read again after the CR3 load) */

	if (pdir != arch_loaded_pdir) {
		/* The new space's I/O bitmap, unless the window shows it (or
		 * neither has one); the CR3 load flushes the old. */
		if (s->io_tag != io_window_tag)
			io_window_map(s->io_bitmap_phys, s->io_tag, false);
		load_cr3(pdir);
		arch_loaded_pdir = pdir;
	}
	uint32_t *utcb_slot = (uint32_t *)&arch_gdt[SEL_UTCB >> 3];

	arch_context_t *top = &t->ctx + 1;

	arch_tss.esp0 = (uint32_t)top;
	utcb_slot[0] = t->arch.utcb_desc[0];
	utcb_slot[1] = t->arch.utcb_desc[1];
	arch_fpu_switch(t);
	/* Entered by sysenter, its frame untouched but for the results (the
	 * mark goes with any other change, and a single-stepped sysenter's
	 * frame never has it): sysexit (arch/ia32/sysenter.c). */
	if (t->ctx.error == ARCH_ERROR_SYSENTER)
		ARCH_LEAVE("arch_sysexit_frame", top);
	ARCH_LEAVE("arch_iret_frame", top);
}

#endif
