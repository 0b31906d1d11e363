/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one interface between the generic kernel and the IA-32 hardware.
 * Generic code includes this header only; everything behind it lives in
 * arch/ia32/.
 */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <kernel/types.h>
#include <arch/context.h>
#include <arch/regs.h>
#include <arch/frame_window.h>

/* The top gigabyte of every address space maps physical memory 1:1. */
#define KERNEL_VIRT      0xC0000000u
#define USER_LIMIT       0xC0000000u
#define PHYSMAP_LIMIT    0x38000000u     /* 896 MB of RAM reachable */
#define phys_to_virt(pa) ((void *)((uintptr_t)(pa) + KERNEL_VIRT))
#define virt_to_phys(va) ((uint32_t)((uintptr_t)(va) - KERNEL_VIRT))

struct tcb;

/* ---- console and machine ---- */
void arch_console_init(void);
void arch_console_putc(char c);
int  arch_console_getc(void);                 /* -1 if no key waiting */
void arch_shutdown(int code) __attribute__((noreturn));
void arch_halt(void) __attribute__((noreturn));
void arch_idle_wait(void);                     /* wait for an interrupt */
void arch_interrupt_window(void);              /* take one that waits, if any */

/* ---- boot ---- */
/* Refuse (in words on the console, then stop) a CPU that lacks what Lent
 * needs; then switch on what the kernel uses (4 MB pages).  First of all,
 * before arch_paging_init. */
void arch_cpu_check(void);
void arch_cpu_init(void);                      /* GDT, TSS, IDT, PIC, features */
void arch_paging_init(uint64_t ram_top);       /* physmap for all of RAM */
const char *arch_cpu_features(void);
uint32_t arch_cpu_khz(void);

/* ---- time: microseconds since arch_timer_init ---- */
/* Start the clock and the timer interrupt; hz is the scheduling tick. */
void arch_timer_init(unsigned hz);
/* A free-running counter in microseconds: monotonic, and it keeps
 * counting while interrupts are off. */
uint64_t arch_time_us(void);
/* The next timer interrupt comes at when_us (or as soon as possible if
 * that has passed), but no later than arch_timer_event_max_us() from now;
 * it replaces the one asked for before.  Returns when it will come. */
uint64_t arch_timer_event_at(uint64_t when_us);
uint64_t arch_timer_event_max_us(void);
/* How late, at most, the interrupt comes after the time asked for. */
unsigned arch_timer_precision_us(void);
unsigned arch_timer_period_us(void);           /* the scheduling tick */

/* ---- page tables (two-level, 4 KB pages for user memory) ---- */
typedef uint32_t pte_t;
#define ARCH_PTE_CACHE_BITS 0x098u   /* PWT, PCD and PAT of a 4 KB entry */
void arch_pdir_init(uint32_t *pdir);           /* copy the kernel half */
pte_t *arch_pte_slot(uint32_t *pdir, uint32_t va);   /* NULL: no page table */
/* va's entry in the page table at pt_phys, linked in no directory now. */
static inline pte_t *arch_pte_in_table(uint32_t pt_phys, uint32_t va)
{
	return (pte_t *)phys_to_virt(pt_phys) + ((va >> 12) & 1023);
}
void arch_pde_set(uint32_t *pdir, uint32_t va, uint32_t pt_phys);
uint32_t arch_pde_table(uint32_t *pdir, uint32_t va); /* phys of PT or 0 */
pte_t arch_pte_make(uint32_t phys, uint32_t rights);  /* RIGHT_* from mapdb.h */
/* Inline: every map and page fault reads entries through these. */
static inline bool arch_pte_present(pte_t p) { return (p & 0x001u) != 0; }
static inline uint32_t arch_pte_phys(pte_t p) { return p & PAGE_MASK; }
uint32_t arch_pte_rights(pte_t p);
/* The rights of a mapping left after a revoke (X.2 bits: r 4, w 2, x 1),
 * as a translation can hold them: 0 when none can (the mapping goes).  A
 * present entry always lets the program read and execute: one that lets
 * it write cannot keep it from reading, so w alone is not kept (Intel SDM
 * vol. 3A, 4.6: R/W only tells writes apart). */
static inline uint32_t arch_rights_kept(uint32_t rights)
{
	return (rights & 5u) ? rights : 0;
}
uint32_t arch_pte_access(pte_t p);             /* RIGHT_R referenced, RIGHT_W dirty */
/* Cache modes of user pages (MemoryControl, kernel/sys_memctl.c): the
 * mode an X.2 IA-32 memory attribute asks for, in *mode; -1 where this
 * CPU set-up cannot give it.  A mode is carried from entry to entry. */
int arch_cache_mode(uint32_t attribute, uint32_t *mode);
static inline uint32_t arch_pte_cache(pte_t p) { return p & ARCH_PTE_CACHE_BITS; }
static inline pte_t arch_pte_with_cache(pte_t p, uint32_t mode)   /* an empty entry stays empty */
{
	return arch_pte_present(p) ? (p & ~ARCH_PTE_CACHE_BITS) | (mode & ARCH_PTE_CACHE_BITS) : p;
}
void arch_cache_flush(void);                   /* write back and drop every cache line */
/* A mode as a number of three bits and back (0 the default), and
 * whether a number is a mode this CPU set-up gives (arch_cache_mode). */
uint32_t arch_cache_type(uint32_t mode);
uint32_t arch_cache_type_mode(uint32_t type);
bool arch_cache_type_ok(uint32_t type);
/* The kernel's address of the aligned word at user va in the space whose
 * page directory is pdir, or NULL where no page (below PHYSMAP_LIMIT) is
 * present there: for the IPC fast path, a walk without calls. */
static inline const uint32_t *arch_user_word(const uint32_t *pdir, uint32_t va)
{
	uint32_t pde = pdir[va >> 22];

	if ((pde & 0x81u) != 0x01u)            /* present, and not a 4 MB page */
		return NULL;
	uint32_t pte = ((const uint32_t *)phys_to_virt(pde & ~0xFFFu))[(va >> 12) & 1023];
	if (!(pte & 0x01u) || (pte & ~0xFFFu) >= PHYSMAP_LIMIT)
		return NULL;
	return (const uint32_t *)phys_to_virt((pte & ~0xFFFu) | (va & 0xFFCu));
}
void arch_tlb_flush(uint32_t va);              /* in the current space */
void arch_tlb_flush_all(void);

/* ---- reaching any physical frame (arch/ia32/frame_window.c) ---- */
/* A kernel pointer to physical address pa, valid until arch_frame_unmap
 * of it: the direct map's below PHYSMAP_LIMIT, else a page of the frame
 * window mapped for it.  At most FRAME_WINDOW_SLOTS (4) window pages are
 * held at once; every arch_frame_map is paired with an arch_frame_unmap
 * before the kernel leaves to user mode or blocks. */
void *arch_frame_map_high(uint32_t pa);
void arch_frame_unmap_high(const void *p);

static inline void *arch_frame_map(uint32_t pa)
{
	return pa < PHYSMAP_LIMIT ? phys_to_virt(pa) : arch_frame_map_high(pa);
}

static inline void arch_frame_unmap(const void *p)
{
	if ((uintptr_t)p >= FRAME_WINDOW_BASE)
		arch_frame_unmap_high(p);
}

/* Copy n words; for the message registers on the IPC fast path. */
static inline void arch_copy_words(uint32_t *dst, const uint32_t *src, uint32_t n)
{
	__asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) :: "memory");
}

/* ---- device interrupts: X.2 interrupt threads (kernel/irq.c) ---- */
/* Interrupt lines, numbered as the interrupt threads 0 .. ARCH_IRQ_LINES - 1
 * (the KIP's SystemBase). */
#define ARCH_IRQ_LINES 16
/* May a user handler have line irq?  Not the kernel's timer, not the
 * cascade. */
bool arch_irq_usable(unsigned irq);
/* Keep line irq's interrupts out, or let them in (a request that came
 * while it was masked then arrives). */
void arch_irq_mask(unsigned irq);
void arch_irq_unmask(unsigned irq);
bool arch_irq_masked(unsigned irq);

/* ---- preemption points (kernel/preempt.h) ---- */
/* Is a device interrupt waiting for the kernel to let it in? */
bool arch_irq_pending(void);
/* Move t back onto the trap instruction it entered by, so that it runs
 * it again; returns the trap's address. */
uint32_t arch_trap_rewind(struct tcb *t);
/* Did t enter now by running that trap again? */
bool arch_trap_reentered(struct tcb *t, uint8_t vector, uint32_t at);

/* ---- threads ---- */
/* Run t in user mode: its next kernel entry saves into its frame, %gs:0
 * finds its UTCB, and its address space is loaded.  One call, as every
 * IPC pays for it. */
void arch_run(struct tcb *t) __attribute__((noreturn));
/* A page directory with the kernel half only (no user mapping): the
 * directory of a space whose own its kpager took back. */
uint32_t arch_pdir_empty(void);
/* The page directory at pdir_phys is about to be freed: stop using it,
 * and let the next switch to a space load its directory afresh (a freed
 * frame may come back as another space's). */
void arch_pdir_release(uint32_t pdir_phys);
/* The page directory in CR3 now. */
uint32_t arch_pdir_loaded(void);
/* The I/O permission bitmap of the space with pdir_phys is now in the
 * frames bm[0], bm[1] (0: none, every port denied), and tag (non-zero,
 * unique to the space) names it: if that space is loaded, the CPU sees
 * them at once (arch/ia32/iobitmap.c). */
void arch_io_bitmap_update(uint32_t pdir_phys, const uint32_t bm[2], uint32_t tag);
/* The bitmap frame phys is about to be freed: the CPU stops using it. */
void arch_io_bitmap_drop(uint32_t phys);
/* ---- sysenter/sysexit (arch/ia32/sysenter.c) ---- */
extern bool arch_sysenter_on;            /* the KIP's Ipc stubs use sysenter */
void arch_sysenter_init(bool allowed);   /* CPUID, the MSRs; at boot */
bool arch_sep_usable(uint32_t cpuid1_eax, uint32_t cpuid1_edx);
void arch_sysenter_stub_at(uint32_t kip_offset);
uint32_t arch_sysenter_trap_at(arch_context_t *c);
bool arch_sysenter_step_trap(const arch_context_t *k);
void arch_sysenter_stepped(const arch_context_t *k) __attribute__((noreturn));
void arch_context_init(arch_context_t *ctx);   /* fresh user frame */
void arch_thread_exit(struct tcb *t);          /* forget t's hardware state */
void arch_thread_set_utcb(struct tcb *t, uint32_t utcb_location);
/* A thread body goes out (arch/ia32/tcb_arch.c): its FPU state saved
 * into it if the FPU holds it, and the task-nesting flag cleared (the
 * kernel never gives it; an external form must not hold it). */
void arch_thread_away(struct tcb *t);
/* What FPU image a body's external form holds, on this CPU. */
struct arch_fpu_caps;
void arch_fpu_caps(struct arch_fpu_caps *caps);
/* 128 bits drawn from what the machine offers at boot: the TSC and
 * CPUID data (the seal's key, kernel/tcb_away.c). */
void arch_boot_key(uint32_t key[4]);
/* The syscall entry stubs copied into the KIP, and their offsets. */
void arch_kip_stubs(void *kip, uint32_t first_offset, uint32_t *offsets);

/* ---- kernel debugger (arch/ia32/kdb_arch.c) ---- */
/* Can the kernel read the byte at va without a fault (kernel half)? */
bool arch_kernel_readable(uint32_t va);
void arch_kdb_print_regs(const arch_context_t *c);
void arch_cpu_relax(void);                     /* while polling */

#endif
