/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sysenter/sysexit entry of Ipc and Lipc (docs/abi.md §1).
 *
 * Where the CPU has SEP, the KIP's Ipc and Lipc stubs are
 * "pop ebx; mov ebp, esp; sysenter" (kip_stubs.c): the caller's return
 * address in EBX, its stack pointer in EBP, the IPC's own registers
 * (EAX, ECX, EDX, ESI, EDI) as the int path has them, and EBX and EBP are
 * outputs of Ipc (MR1, MR2) anyway.  sysenter_entry (entry.asm) builds the
 * thread's frame as an int $0x30 would, with ARCH_ERROR_SYSENTER in the
 * error slot; the rest of the kernel sees an Ipc trap.  Leaving,
 * arch_run takes sysexit for such a frame; everything that changes the
 * frame otherwise (a later trap, a rewind, ExchangeRegisters, a
 * single-stepped sysenter) replaces the mark, so that iret restores the
 * frame exactly.  The kernel never trusts EBX or EBP: they become the thread's
 * EIP and ESP, which the thread could have jumped to anyway.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/segments.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/kprintf.h>

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define CPUID_SEP 11
#define EFLAGS_TF 0x100u

extern char sysenter_entry[], sysenter_stepped[];
extern void *kernel_stack_top;
void trap_from_user(void) __attribute__((noreturn));

bool arch_sysenter_on;
/* KIP offset of the Ipc stub's sysenter instruction (kip_stubs.c). */
static uint32_t sysenter_at_offset;

/*
 * Intel's rule (SDM vol. 2B, SYSENTER, "Operation"/notes; vol. 3A §5.8.7):
 * the SEP bit is set on the first Pentium Pro steppings, which lack the
 * instructions: family 6, model below 3, stepping below 3 means no
 * sysenter.  Other vendors' family-6 parts of those numbers lose nothing
 * but speed by it.
 */
bool arch_sep_usable(uint32_t cpuid1_eax, uint32_t cpuid1_edx)
{
	uint32_t family = (cpuid1_eax >> 8) & 0xF, model = (cpuid1_eax >> 4) & 0xF;
	uint32_t stepping = cpuid1_eax & 0xF;

	if (!((cpuid1_edx >> CPUID_SEP) & 1))
		return false;
	return !(family == 6 && model < 3 && stepping < 3);
}

/*
 * SYSENTER_ESP is the kernel stack, which is empty whenever user code
 * runs: a #DB or an NMI on the entry's first instruction, before it moves
 * to the thread's frame, lands there like any kernel trap.
 */
void arch_sysenter_init(bool allowed)
{
	uint32_t a = 0, b, c, d = 0;

	if (cpuid_present())
		cpuid(1, &a, &b, &c, &d);
	arch_sysenter_on = allowed && arch_sep_usable(a, d);
	kprintf("ipc entry: %s\n", arch_sysenter_on ? "sysenter" :
		allowed ? "int $0x30 (no usable SEP)" : "int $0x30 (sysenter=off)");
	if (!arch_sysenter_on)
		return;   /* SYSENTER_CS stays 0: a sysenter is #GP(0), exception 13 */
	wrmsr(MSR_SYSENTER_CS, SEL_KCODE);
	wrmsr(MSR_SYSENTER_ESP, (uint32_t)kernel_stack_top);
	wrmsr(MSR_SYSENTER_EIP, (uint32_t)sysenter_entry);
}

void arch_sysenter_stub_at(uint32_t kip_offset)
{
	sysenter_at_offset = kip_offset;
}

static tcb_t *tcb_of(arch_context_t *c)
{
	return (tcb_t *)((char *)c - __builtin_offsetof(tcb_t, ctx));
}

/* Where a sysenter Ipc "trapped": the Ipc stub's sysenter, whichever stub
 * (or other code) ran it; the int path's trap address plays that part. */
uint32_t arch_sysenter_trap_at(arch_context_t *c)
{
	return fpage_base(tcb_of(c)->space->kip_area) + sysenter_at_offset;
}

/* Back onto the stub's sysenter: EBX and EBP still hold the return
 * address and stack pointer it needs, and iret (not sysexit: the mark
 * goes) gives the thread ECX and EDX, the Ipc's timeouts and
 * FromSpecifier, again. */
uint32_t arch_sysenter_rewind(arch_context_t *c)
{
	c->eflags |= EFLAGS_IF;         /* kept clear while marked: context.h */
	c->error = 0;
	c->eip = arch_sysenter_trap_at(c);
	return c->eip;
}

/*
 * Undo that rewind, if the thread is still on the stub's sysenter: told
 * by its IP, not by its frame, for a thread put back there may have run
 * as far as the sysenter and been interrupted on it, before it ran.  It
 * does so whenever its transfer stopped at a preemption point: that is
 * an interrupt pending, taken as soon as the thread runs, and the frame
 * is then that interrupt's.  (The int stub needs no such care: eip + 2
 * is its ret, the return address still on the stack.)  Only the kernel
 * writes the KIP, so no int $0x30 can be at that address.
 */
bool arch_sysenter_skip(arch_context_t *c)
{
	if (!arch_sysenter_on || c->eip != arch_sysenter_trap_at(c))
		return false;
	c->eip = c->ebx;                /* by iret: ECX and EDX come back too */
	c->esp = c->ebp;
	return true;
}

/*
 * A #DB after the entry's first instruction: the thread ran sysenter with
 * EFLAGS.TF set, which sysenter does not clear.  k is the kernel-mode
 * frame of that trap, holding the user's registers and flags.  The call
 * goes on as the int stub's would: at the stub's ret, the return address
 * on the stack (where the stub popped it from), flags with TF, and no
 * mark, so that the thread leaves by iret and steps on from there.
 * Nothing of the kernel ran but one push.
 */
void arch_sysenter_stepped(const arch_context_t *k)
{
	arch_context_t *c = &current->ctx;

	c->eax = k->eax; c->ebx = k->ebx; c->ecx = k->ecx; c->edx = k->edx;
	c->esi = k->esi; c->edi = k->edi; c->ebp = k->ebp;
	c->gs = SEL_UTCB;
	c->fs = c->es = c->ds = c->ss = SEL_UDATA;
	c->cs = SEL_UCODE;
	c->vector = VEC_SYSCALL_IPC;
	c->error = 0;
	c->eip = arch_sysenter_trap_at(c) + 2;     /* the ret after it */
	c->esp = k->ebp - 4;
	c->eflags = (k->eflags & ~(EFLAGS_IOPL | EFLAGS_VM)) | EFLAGS_IF | EFLAGS_TF;
	trap_from_user();
}

bool arch_sysenter_step_trap(const arch_context_t *k)
{
	return arch_sysenter_on && k->vector == 1 && current &&
	       (k->eip == (uint32_t)sysenter_entry || k->eip == (uint32_t)sysenter_stepped);
}
