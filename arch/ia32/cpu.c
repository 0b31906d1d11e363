/* SPDX-License-Identifier: BSD-2-Clause */
/* Descriptor tables (GDT, TSS, IDT), the 8259 PICs and CPU feature probing. */
#include <arch/arch.h>
#include <arch/cpu.h>
#include <arch/segments.h>
#include <arch/iobitmap.h>
#include <kernel/kprintf.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/string.h>
#include <arch/run.h>

typedef struct __attribute__((packed)) { uint16_t limit; uint32_t base; } dtr_t;

typedef struct __attribute__((packed)) {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} idt_gate_t;

uint64_t arch_gdt[GDT_ENTRIES];
static idt_gate_t idt[256];
/* Page-aligned: the CPU reaches it, and the I/O bitmap after it, through
 * the window of arch/iobitmap.h. */
__attribute__((aligned(4096))) arch_tss_t arch_tss;
static char feature_text[96];
static uint32_t cpu_edx_features;

/* SYSENTER_ESP too: entry.asm finds the user's flags in its top word. */
__attribute__((aligned(16))) uint8_t kernel_stack[8192];
_Static_assert(sizeof(kernel_stack) == 8192, "entry.asm: KSTACK_SIZE");
void *kernel_stack_top = kernel_stack + sizeof(kernel_stack);

bool arch_on_kernel_stack(const void *sp)
{
	return (uintptr_t)sp - (uintptr_t)kernel_stack < sizeof(kernel_stack);
}

extern void *isr_table[];

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
	return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
	       ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56);
}

/* The user GS segment's base is the current thread's UTCB self-pointer
 * word, so that %gs:0 yields its UTCB address (X.2 IA-32). */
void arch_set_utcb_segment(uint32_t base)
{
	arch_gdt[SEL_UTCB >> 3] = seg_desc(base, 3, 0xF2, 0x4);
}

/* Worked out once per thread, so that a switch only copies two words. */
void arch_thread_set_utcb(struct tcb *t, uint32_t base)
{
	uint64_t d = seg_desc(base, 3, 0xF2, 0x4);

	t->arch.utcb_desc[0] = (uint32_t)d;
	t->arch.utcb_desc[1] = (uint32_t)(d >> 32);
}

/* A new thread's user frame: flat user segments, interrupts on. */
void arch_context_init(arch_context_t *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cs = SEL_UCODE;
	ctx->ss = ctx->ds = ctx->es = ctx->fs = SEL_UDATA;
	ctx->gs = SEL_UTCB;
	ctx->eflags = EFLAGS_IF;
}

uint32_t arch_loaded_pdir;   /* the page directory in CR3 */

/* Here, next to the GDT and TSS; its body is arch/run.h's, which the IPC
 * fast path has inline. */
void arch_run(struct tcb *t)
{
	arch_run_inline(t);
}

uint32_t arch_pdir_loaded(void)
{
	return arch_loaded_pdir;
}

/* The kernel half alone: what a space whose page directory its kpager
 * took back runs on.  Nothing of user level is mapped in it, so the
 * thread's first access faults, and the fault brings the directory back
 * (kernel/space_vacate.c); it runs no user instruction meanwhile. */
uint32_t arch_pdir_empty(void)
{
	extern uint32_t boot_pdir[];

	return virt_to_phys(boot_pdir);
}

void arch_pdir_release(uint32_t pdir_phys)
{
	extern uint32_t boot_pdir[];

	if (pdir_phys != arch_loaded_pdir)
		return;
	/* The kernel half is the same in boot_pdir; loading it also drops
	 * the dying space's TLB entries. */
	arch_loaded_pdir = virt_to_phys(boot_pdir);
	load_cr3(arch_loaded_pdir);
}

static void set_gate(int vec, int dpl)
{
	uint32_t off = (uint32_t)isr_table[vec];
	idt[vec] = (idt_gate_t){ (uint16_t)off, SEL_KCODE, 0, (uint8_t)(0x8E | (dpl << 5)),
				 (uint16_t)(off >> 16) };
}

static void probe_features(void)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ 0, "fpu" }, { 3, "pse" }, { 4, "tsc" }, { 5, "msr" }, { 6, "pae" },
		{ 8, "cx8" }, { 9, "apic" }, { 11, "sep" }, { 13, "pge" },
		{ 15, "cmov" }, { 23, "mmx" }, { 24, "fxsr" }, { 25, "sse" },
	};
	uint32_t a = 0, b = 0, c = 0, d = 0;
	char *p = feature_text;

	if (cpuid_present())
		cpuid(1, &a, &b, &c, &d);
	cpu_edx_features = d;
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(d & (1u << names[i].bit)))
			continue;
		for (const char *s = names[i].name; *s; s++)
			*p++ = *s;
		*p++ = ' ';
	}
	*p = 0;
}

bool arch_cpu_has(uint32_t edx_bit)
{
	return (cpu_edx_features >> edx_bit) & 1;
}

const char *arch_cpu_features(void)
{
	return feature_text;
}

void arch_cpu_init(void)
{
	dtr_t d;

	arch_gdt[0] = 0;
	arch_gdt[SEL_KCODE >> 3] = seg_desc(0, 0xFFFFF, 0x9A, 0xC);
	arch_gdt[SEL_KDATA >> 3] = seg_desc(0, 0xFFFFF, 0x92, 0xC);
	arch_gdt[SEL_UCODE >> 3] = seg_desc(0, 0xFFFFF, 0xFA, 0xC);
	arch_gdt[SEL_UDATA >> 3] = seg_desc(0, 0xFFFFF, 0xF2, 0xC);
	io_window_init(virt_to_phys(&arch_tss));
	arch_gdt[SEL_TSS >> 3] = seg_desc(IO_WINDOW_TSS, IO_TSS_LIMIT, 0x89, 0x0);
	arch_set_utcb_segment(0);
	arch_tss.ss0 = SEL_KDATA;
	arch_tss.esp0 = (uint32_t)kernel_stack_top;
	arch_tss.iomap = IO_BITMAP_OFFSET;            /* the space's ports, or none */

	d.limit = sizeof(arch_gdt) - 1;
	d.base = (uint32_t)arch_gdt;
	__asm__ volatile("lgdt %0" :: "m"(d));
	__asm__ volatile("ljmp %0, $1f; 1:" :: "i"(SEL_KCODE));
	/* DS and ES are the user's flat data segment in the kernel too (as
	 * every entry loads them: entry.asm), SS the kernel's. */
	__asm__ volatile("mov %0, %%ss; mov %1, %%ds; mov %1, %%es; mov %2, %%fs; mov %2, %%gs"
			 :: "r"(SEL_KDATA), "r"(SEL_UDATA), "r"(0));
	__asm__ volatile("ltr %w0" :: "r"(SEL_TSS));
	/* The LDT register keeps its reset value (base 0, limit 64 KB) until
	 * loaded: user code could then place descriptors of its own at
	 * address 0 and jump through them (a task switch, a call gate).  A
	 * null LDT makes every LDT selector fault. */
	__asm__ volatile("lldt %w0" :: "r"(0));

	for (int v = 0; v < 50; v++)
		set_gate(v, 0);
	set_gate(3, 3);                          /* int3: kernel debugger calls */
	set_gate(VEC_SYSCALL_IPC, 3);
	set_gate(VEC_SYSCALL_OTHER, 3);
	d.limit = sizeof(idt) - 1;
	d.base = (uint32_t)idt;
	__asm__ volatile("lidt %0" :: "m"(d));

	pic_init();
	probe_features();
	arch_fpu_init();
	arch_cache_init();
}

/*
 * The CPU clock in kHz, for the KIP's processor descriptor: time-stamp
 * counter ticks during 10 ms of PIT channel 2 (the speaker channel, free
 * for this since the speaker stays off).  0 if there is no TSC.
 */
uint32_t arch_cpu_khz(void)
{
	static uint32_t khz;
	const uint32_t count = 11932;            /* 10 ms at 1.193182 MHz */

	if (khz || !arch_cpu_has(4))
		return khz;
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xB0);                        /* channel 2, lo/hi, one-shot */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	uint64_t t0 = rdtsc();
	for (uint32_t spin = 0; !(inb(0x61) & 0x20) && spin < 100000000u; spin++)
		;
	khz = (uint32_t)(rdtsc() - t0) / 10;
	return khz;
}
