/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every entry from user mode arrives in trap_from_user() with the thread's
 * registers saved in current->ctx.  Nothing here returns: each path ends
 * by choosing the thread to run and leaving through its frame.
 */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/segments.h>
#include <arch/iobitmap.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/sched.h>
#include <kernel/ipc.h>
#include <kernel/syscall.h>
#include <kernel/utcb_away.h>
#include <kernel/kip_runtime.h>
#include <kernel/kprintf.h>
#include <kernel/sigma0_roots.h>

#define VEC_UD 6
#define VEC_BP 3
#define VEC_DB 1
#define VEC_OF 4
#define VEC_NM 7
#define VEC_PF 14
#define VEC_GP 13
#define PF_ERR_WRITE 2u

void arch_syscall(tcb_t *t) __attribute__((noreturn));   /* syscall.c */

/* lock; nop (F0 90) is how X.2 programs find the KIP. */
static bool kernel_interface(tcb_t *t)
{
	arch_context_t *c = &t->ctx;

	if (space_user_byte(t->space, c->eip) != 0xF0 || space_user_byte(t->space, c->eip + 1) != 0x90)
		return false;
	c->eax = fpage_base(t->space->kip_area);
	c->ecx = kip_api_version();
	c->edx = kip_api_flags();
	c->esi = kip_kernel_id();
	c->eip += 2;
	return true;
}

/* int3 (CC) is one byte long; int $n (CD n) two. */
static uint32_t trap_length(tcb_t *t)
{
	if (t->ctx.vector == VEC_BP && space_user_byte(t->space, t->ctx.eip - 1) == 0xCC)
		return 1;
	return 2;
}

uint32_t arch_trap_rewind(tcb_t *t)
{
	if (t->ctx.error == ARCH_ERROR_SYSENTER)
		return arch_ipc_trap_rewind(&t->ctx);
	t->ctx.eip -= trap_length(t);
	return t->ctx.eip;
}

bool arch_trap_reentered(tcb_t *t, uint8_t vector, uint32_t at)
{
	if (t->ctx.error == ARCH_ERROR_SYSENTER)
		return t->ctx.vector == vector && arch_sysenter_trap_at(&t->ctx) == at;
	return t->ctx.vector == vector && t->ctx.eip - trap_length(t) == at;
}

static tcb_t *partner_of(tcb_t *t)
{
	return t->core->partner ? t->core->partner->tcb : NULL;
}

static void __attribute__((noreturn)) user_page_fault(tcb_t *t)
{
	arch_context_t *c = &t->ctx;
	uint32_t addr = read_cr2();
	uint32_t access = (c->error & PF_ERR_WRITE) ? RIGHT_W : RIGHT_R;

	if (t->space->sigma0) {
		/* sigma0 has no pager: the kernel maps physical memory to it
		 * (RAM since boot, kernel/sigma0_roots.c).  A fault the kernel
		 * cannot resolve now is an exception, never a retry: sigma0
		 * runs at the highest priority, so a retry would stop
		 * everybody else. */
		if (sigma0_root_fault(t->space, addr))
			sched_switch_to(t);
		ipc_exception(t, VEC_PF, c->error);
		sched_switch_to(partner_of(t));
	}
	if (addr >= USER_LIMIT) {
		ipc_exception(t, VEC_PF, c->error);
		sched_switch_to(partner_of(t));
	}
	ipc_pagefault(t, addr, access, c->eip);
	sched_switch_to(partner_of(t));
}

static void __attribute__((noreturn)) timer_interrupt(void)
{
	/* Checked on a path every test run takes often but no system call
	 * does: a stack anywhere else overwrites the kernel image. */
	if (!arch_on_kernel_stack(__builtin_frame_address(0)))
		panic("kernel entry off the kernel stack (frame at %p)", __builtin_frame_address(0));
	arch_pic_eoi(0);
	bool give_way = sched_timer_interrupt();
	/* Its total quantum used up: the preemption message stops it. */
	if (current && current->tq_left_us == 0 && sched_quantum_fault(current))
		sched_switch_to(partner_of(current));
	if (current && current->core->state == TS_READY && !give_way)
		sched_switch_to(current);
	sched_return();
}

/* A thread that got into virtual-8086 mode (see entry.asm) continues as a
 * protected-mode thread with the flat user segments; what it was doing
 * there is reported like any other fault. */
static bool leave_vm86(arch_context_t *c)
{
	if (!(c->eflags & EFLAGS_VM))
		return false;
	c->eflags = (c->eflags & ~(EFLAGS_VM | EFLAGS_IOPL | EFLAGS_NT)) | EFLAGS_IF;
	c->cs = SEL_UCODE;
	c->ss = c->ds = c->es = c->fs = SEL_UDATA;
	c->gs = SEL_UTCB;
	return true;
}

void trap_from_user(void)
{
	tcb_t *t = current;
	arch_context_t *c = &t->ctx;

	/* (An Ipc trap has been to the fast path first: entry.asm.)  What
	 * it checked once holds no longer: this entry may change it. */
	ipc_fast_forget();
	/* Progress kept for a system call is only for re-executing it. */
	if (__builtin_expect(t->cont.resume.op != RESUME_NONE, 0) &&
	    (c->vector == VEC_SYSCALL_IPC || c->vector == VEC_SYSCALL_OTHER || c->vector == VEC_BP) &&
	    !arch_trap_reentered(t, t->cont.resume.vector, t->cont.resume.at))
		resume_forget(t);
	/* Its UTCB page taken back (kernel/utcb_away.c): every entry but an
	 * interrupt's asks for it first, as a fault on it.  A system call
	 * or int3 then runs again; any other trap recurs. */
	if (__builtin_expect(t->utcb_away & UTCB_AWAY, 0) && c->vector != VEC_NM &&
	    (c->vector < IRQ_BASE || c->vector >= IRQ_BASE + 16) && !utcb_attach(t)) {
		if (c->vector == VEC_SYSCALL_IPC || c->vector == VEC_SYSCALL_OTHER || c->vector == VEC_BP)
			(void)arch_trap_rewind(t);
		/* A trap reported after its instruction would not recur: it
		 * is kept, and reported once the page is back. */
		if (c->vector == VEC_DB || c->vector == VEC_OF)
			utcb_trap_keep(t, c->vector);
		ipc_pagefault(t, utcb_page_va(t), RIGHT_W, c->eip);
		if (t->core->state == TS_READY)
			sched_switch_to(t);
		sched_return();
	}
	if (leave_vm86(c) && c->vector < IRQ_BASE && c->vector != VEC_NM) {
		ipc_exception(t, c->vector, c->error);
		if (t->core->state == TS_READY)
			sched_switch_to(t);
		sched_switch_to(partner_of(t));
	}

	switch (c->vector) {
	case VEC_SYSCALL_IPC:
		ipc_syscall(t, c->eax, c->edx, c->ecx, c->esi, false);
	case VEC_SYSCALL_OTHER:
		arch_syscall(t);
	case IRQ_BASE:
		timer_interrupt();
	case VEC_PF:
		user_page_fault(t);
	case VEC_UD:
		if (kernel_interface(t))
			sched_switch_to(t);
		break;
	case VEC_GP:
		switch (arch_io_fault(t)) {
		case IO_FAULT_RETRY: sched_switch_to(t);
		case IO_FAULT_SENT: sched_switch_to(partner_of(t));
		case IO_FAULT_NONE: break;
		}
		break;
	case VEC_NM:
		arch_fpu_trap(t);
		sched_switch_to(t);
	case VEC_BP:
		/* A console read that must wait has moved t to the back of its
		 * queue: run whoever is first now. */
		if (kdebug_call(t))
			sched_return();
		break;
	default:
		if (c->vector > IRQ_BASE && c->vector < IRQ_BASE + 16) {
			/* A device interrupt: its handler may now be ready. */
			pic_device_interrupt(c->vector - IRQ_BASE);
			sched_interrupted(t);
		}
		break;
	}
	ipc_exception(t, c->vector, c->error);
	if (t->core->state == TS_READY)
		sched_switch_to(t);
	sched_switch_to(partner_of(t));
}

/* Only the idle loop runs with interrupts on in kernel mode. */
void trap_from_kernel(arch_context_t *frame)
{
	ipc_fast_forget();   /* (as trap_from_user()) */
	/* A user's TF, caught after sysenter's first instruction. */
	if (arch_sysenter_step_trap(frame))
		arch_sysenter_stepped(frame);
	if (frame->vector == IRQ_BASE) {
		arch_pic_eoi(0);
		(void)sched_timer_interrupt();
		return;
	}
	if (frame->vector > IRQ_BASE && frame->vector < IRQ_BASE + 16) {
		pic_device_interrupt(frame->vector - IRQ_BASE);
		return;
	}
	panic("kernel trap %u at %x, error %x, cr2 %x", frame->vector, frame->eip,
	      frame->error, read_cr2());
}
