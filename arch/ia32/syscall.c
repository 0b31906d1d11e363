/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IA-32 register conventions of the non-IPC system calls (X.2 / the ia32
 * user library), decoded into calls of the generic handlers.  The stub a
 * program called is found from the return address the trap left.
 */
#include <arch/arch.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/kip_runtime.h>
#include <kernel/ipc.h>
#include <arch/segments.h>

/* The #GP error code an int to a gate the caller may not use would give. */
#define VEC_OTHER_ERROR ((VEC_SYSCALL_OTHER << 3) | 2)

typedef void (*syscall_fn)(tcb_t *t, arch_context_t *c);

static void sc_space_control(tcb_t *t, arch_context_t *c)
{
	word_t old = 0;

	c->eax = sys_space_control(t, c->eax, c->ecx, c->edx, c->esi, c->edi, &old);
	c->ecx = old;
}

static void sc_thread_control(tcb_t *t, arch_context_t *c)
{
	tcb_core_t *self = t->core;
	word_t r = sys_thread_control(t, c->eax, c->esi, c->edx, c->ecx, c->edi);

	/* The caller moved itself to another space: its body (and frame)
	 * is elsewhere now, and it returns there, in the new space. */
	if (self->tcb != t) {
		self->tcb->ctx.eax = r;
		sched_switch_to(self->tcb);
	}
	c->eax = r;
}

static void sc_processor_control(tcb_t *t, arch_context_t *c)
{
	c->eax = sys_processor_control(t, c->eax, c->ecx, c->edx, c->esi);
}

/* Attributes 0-3 in ECX, EDX, EBX, EBP; MR0 in ESI (Pistachio's ia32
 * L4_MemoryControl). */
static void sc_memory_control(tcb_t *t, arch_context_t *c)
{
	const word_t attr[4] = { c->ecx, c->edx, c->ebx, c->ebp };

	c->eax = sys_memory_control(t, c->eax, c->esi, attr);
}

static void sc_unmap(tcb_t *t, arch_context_t *c)
{
	c->esi = sys_unmap(t, c->eax, c->esi);
}

static void sc_exchange_registers(tcb_t *t, arch_context_t *c)
{
	exregs_args_t io = { c->ecx, c->edx, c->esi, c->edi, c->ebx, c->ebp };

	c->eax = sys_exchange_registers(t, c->eax, &io);
	c->ecx = io.control;
	c->edx = io.sp;
	c->esi = io.ip;
	c->edi = io.flags;
	c->ebx = io.user_handle;
	c->ebp = io.pager;
}

static void sc_system_clock(tcb_t *t, arch_context_t *c)
{
	uint64_t now = sys_system_clock();

	(void)t;
	c->eax = (uint32_t)now;
	c->edx = (uint32_t)(now >> 32);
}

static void sc_thread_switch(tcb_t *t, arch_context_t *c)
{
	sys_thread_switch(t, c->eax);
}

static void sc_schedule(tcb_t *t, arch_context_t *c)
{
	word_t old = 0;

	c->eax = sys_schedule(t, c->eax, c->edx, c->esi, c->ecx, c->edi, &old);
	c->edx = old;
}

static void sc_kmem_control(tcb_t *t, arch_context_t *c)
{
	c->eax = sys_kmem_control(t, c->eax, c->ecx, c->edx);
}

static const syscall_fn syscalls[KIP_SC_COUNT] = {
	[KIP_SC_SPACE_CONTROL] = sc_space_control,
	[KIP_SC_THREAD_CONTROL] = sc_thread_control,
	[KIP_SC_PROCESSOR_CONTROL] = sc_processor_control,
	[KIP_SC_MEMORY_CONTROL] = sc_memory_control,
	[KIP_SC_UNMAP] = sc_unmap,
	[KIP_SC_EXCHANGE_REGISTERS] = sc_exchange_registers,
	[KIP_SC_SYSTEM_CLOCK] = sc_system_clock,
	[KIP_SC_THREAD_SWITCH] = sc_thread_switch,
	[KIP_SC_SCHEDULE] = sc_schedule,
	[KIP_SC_KMEM_CONTROL] = sc_kmem_control,
};

void arch_syscall(tcb_t *t)
{
	arch_context_t *c = &t->ctx;
	uint32_t kip = fpage_base(t->space->kip_area);
	int n = kip_syscall_at(c->eip - kip);

	if (n < 0 || !syscalls[n]) {
		/* Not from a stub in the KIP: treat the int as a protection fault. */
		ipc_exception(t, 13, (VEC_OTHER_ERROR));
	} else {
		syscalls[n](t, c);
	}
	if (t->core->state == TS_READY)
		sched_switch_to(t);
	sched_return();
}
