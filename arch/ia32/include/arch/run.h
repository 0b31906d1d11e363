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

/* Leave for t, whose space and FPU are the CPU's now: its next kernel
 * entry saves into its TCB, and %gs:0 finds its UTCB (the exit path
 * reloads GS from the slot). */
static inline __attribute__((always_inline, noreturn)) void arch_leave_to(struct tcb *t)
{
	uint32_t *utcb_slot = (uint32_t *)&arch_gdt[SEL_UTCB >> 3];
	arch_context_t *top = &t->ctx + 1;

	arch_tss.esp0 = (uint32_t)top;
	utcb_slot[0] = t->arch.utcb_desc[0];
	utcb_slot[1] = t->arch.utcb_desc[1];
	/* Entered by sysenter, its frame untouched but for the results (the
	 * mark goes with any other change, and a single-stepped sysenter's
	 * frame never has it): sysexit (arch/ia32/sysenter.c). */
	if (t->ctx.error == ARCH_ERROR_SYSENTER)
		ARCH_LEAVE("arch_sysexit_frame", top);
	ARCH_LEAVE("arch_iret_frame", top);
}

/* Load s's address space, and its I/O bitmap unless the window shows it
 * (or neither has one); the CR3 load flushes the old. */
static inline __attribute__((always_inline)) void arch_space_load(const space_t *s)
{
	uint32_t pdir = s->pdir_phys;   /* (not read again after the CR3 load) */

	if (s->io_tag != io_window_tag)
		io_window_map(s->io_bitmap_phys, s->io_tag, false);
	load_cr3(pdir);
	arch_loaded_pdir = pdir;
}

/*
 * Make t the thread the CPU runs, and leave for it: its address space is
 * loaded, with its I/O bitmap, only where the space changes (within one
 * space CR3 keeps its value and the TLB its entries), and CR0.TS says
 * whether it owns the FPU.
 */
static inline __attribute__((always_inline, noreturn)) void arch_run_inline(struct tcb *t)
{
	if (t->space->pdir_phys != arch_loaded_pdir)
		arch_space_load(t->space);
	arch_fpu_switch(t);
	arch_leave_to(t);
}

/*
 * Would a switch between a and b, either way, need nothing of the CPU but
 * the space and the stack: neither owns the FPU (CR0.TS stays set), and
 * their spaces' I/O bitmaps are the same (both none, or one space's)?
 * Holds until the FPU changes hands or a bitmap is made or dropped, all
 * of which the kernel does only in a system call or a trap.
 */
static inline bool arch_switch_plain(const struct tcb *a, const struct tcb *b)
{
	return arch_fpu_owner != a && arch_fpu_owner != b && a->space->io_tag == b->space->io_tag;
}

/*
 * Leave for t from a thread u with arch_switch_plain(t, u) since the
 * last switch between the two, which has left the window showing their
 * bitmap: only the space, and that only if other is set (t's is not the
 * one loaded: u runs in it).
 */
static inline __attribute__((always_inline, noreturn)) void arch_run_plain(struct tcb *t, bool other)
{
	if (other) {
		uint32_t pdir = t->space->pdir_phys;
		load_cr3(pdir);
		arch_loaded_pdir = pdir;
	}
	arch_leave_to(t);
}

#endif
