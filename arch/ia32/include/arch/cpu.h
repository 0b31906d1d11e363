/* SPDX-License-Identifier: BSD-2-Clause */
/* Privileged IA-32 instructions as inline C, for arch/ia32 only. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <kernel/types.h>

/* Whether sp lies in the one kernel stack every entry from user mode runs
 * on (entry.asm loads the value of kernel_stack_top into ESP). */
bool arch_on_kernel_stack(const void *sp);

/* The 8259 pair (pic.c): program it with every device line masked; a
 * device interrupt on line irq (vector IRQ_BASE + irq, not the timer's). */
void pic_init(void);
void pic_device_interrupt(unsigned irq);

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }

static inline void load_cr3(uint32_t pa) { __asm__ volatile("mov %0, %%cr3" :: "r"(pa) : "memory"); }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v)); }
static inline void wbinvd(void) { __asm__ volatile("wbinvd" ::: "memory"); }
static inline void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline uint64_t rdtsc(void) { uint64_t v; __asm__ volatile("rdtsc" : "=A"(v)); return v; }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void sti_hlt_cli(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }
static inline void wrmsr(uint32_t msr, uint64_t v) { __asm__ volatile("wrmsr" :: "c"(msr), "A"(v)); }

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* EFLAGS.ID can be toggled only where CPUID exists (every Pentium; not a 486 DX). */
static inline bool cpuid_present(void)
{
	uint32_t a, b;
	__asm__ volatile("pushfl; pushfl; popl %0; movl %0, %1; xorl $0x200000, %0;"
			 "pushl %0; popfl; pushfl; popl %0; popfl"
			 : "=&r"(a), "=&r"(b));
	return ((a ^ b) & 0x200000) != 0;
}

#endif
