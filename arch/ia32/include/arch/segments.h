/* SPDX-License-Identifier: BSD-2-Clause */
/* GDT selectors and interrupt vectors of the IA-32 port. */
#ifndef ARCH_SEGMENTS_H
#define ARCH_SEGMENTS_H

#include <kernel/types.h>

struct tcb;

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x1B
#define SEL_UDATA 0x23
#define SEL_TSS   0x28
#define SEL_UTCB  0x33
#define GDT_ENTRIES 7

#define IRQ_BASE          0x20
#define VEC_SYSCALL_IPC   0x30   /* Ipc and Lipc */
#define VEC_SYSCALL_OTHER 0x31   /* every other call, told apart by the stub address */

#define EFLAGS_IF   0x200u
#define EFLAGS_IOPL 0x3000u
#define EFLAGS_NT   0x4000u
#define EFLAGS_VM   0x20000u
#define EFLAGS_USER_MASK 0x00000DD5u  /* CF PF AF ZF SF TF DF OF: what user may set */

void arch_set_utcb_segment(uint32_t base);
void arch_pic_eoi(unsigned irq);
bool arch_cpu_has(uint32_t edx_bit);
void arch_fpu_init(void);
void arch_cache_init(void);
/* The thread whose state the FPU holds, and whether CR0.TS is clear now
 * (only while that thread runs); fpu.c keeps both, so that the switch
 * below, on every IPC, neither calls nor reads CR0. */
extern struct tcb *arch_fpu_owner;
extern bool arch_fpu_ts_clear;
void arch_fpu_set_ts(bool clear);
/* On every switch: only the owner may use the FPU without a trap. */
static inline void arch_fpu_switch(struct tcb *t)
{
	bool clear = t == arch_fpu_owner;

	if (clear != arch_fpu_ts_clear)
		arch_fpu_set_ts(clear);
}
void arch_fpu_trap(struct tcb *t);

#endif
