/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Kernel Interface Page, laid out as L4 X.2 defines it for IA-32
 * (32-bit words).  One page, built once at boot, mapped read-only into the
 * KIP area of every address space.  The system-call stubs live inside it;
 * the arch layer supplies their code and their offsets.
 */
#ifndef KERNEL_KIP_H
#define KERNEL_KIP_H

#include <kernel/types.h>
#include <kernel/memregion.h>

/* Order of the syscall offset fields in the KIP (X.2). */
enum kip_syscall {
	KIP_SC_SPACE_CONTROL,
	KIP_SC_THREAD_CONTROL,
	KIP_SC_PROCESSOR_CONTROL,
	KIP_SC_MEMORY_CONTROL,
	KIP_SC_IPC,
	KIP_SC_LIPC,
	KIP_SC_UNMAP,
	KIP_SC_EXCHANGE_REGISTERS,
	KIP_SC_SYSTEM_CLOCK,
	KIP_SC_THREAD_SWITCH,
	KIP_SC_SCHEDULE,
	KIP_SC_KMEM_CONTROL,   /* Lent's extension, at 0xFC (<lent/kmem.h>) */
	KIP_SC_COUNT
};

/* The bootstrap servers' descriptors: sigma0, sigma1, root server. */
typedef struct kip_server {
	uint32_t sp, ip;
	uint32_t mem_low, mem_high;    /* the image's extent, for the KIP */
} kip_server_t;

typedef struct kip_config {
	uint32_t kernel_id;            /* X.2 KernelId word */
	uint32_t kernel_version;       /* kernel-specific version word */
	const char *kernel_name;       /* kernel version string (supplier, name) */
	const char *const *features;   /* X.2 kernel feature strings, NULL-ended */
	uint32_t thread_user_base;     /* first user thread number */
	uint32_t thread_system_base;   /* first system thread number */
	uint32_t thread_bits;          /* valid thread-number bits (ThreadInfo t) */
	uint32_t utcb_min_log2;        /* UtcbAreaInfo s: smallest UTCB area */
	uint32_t utcb_align_log2;      /* UtcbAreaInfo a */
	uint32_t utcb_size;            /* bytes per UTCB (multiplier m * 2^a) */
	uint32_t kip_area_log2;        /* KipAreaInfo s */
	uint32_t page_sizes;           /* PageInfo: bit n set = 2^n bytes supported */
	uint32_t page_rwx;             /* PageInfo rwx bits supported */
	uint32_t clock_schedule_prec;  /* ClockInfo: schedule precision (µs) */
	uint32_t clock_read_prec;      /* ClockInfo: read precision (µs) */
	uint32_t processor_khz;        /* ProcDesc internal frequency */
	uint32_t boot_info;            /* BootInfo word handed to the root task */
	kip_server_t sigma0, sigma1, root;
	uint32_t syscall_offset[KIP_SC_COUNT];  /* offsets of stubs in the page */
	const mem_map_t *memory;       /* physical memory, published as descriptors */
	uint32_t virtual_start, virtual_end;    /* user-accessible virtual range */
} kip_config_t;

/*
 * Fill the zeroed page kip (4096 bytes) from cfg.  The stub code is copied
 * in by the arch layer afterwards at the offsets named in cfg, which must
 * lie past the area kip_build uses; kip_build reports that area's end.
 * Returns the number of memory descriptors written, or -1 if they (and
 * the strings) do not fit below the first stub offset.
 */
int kip_build(void *kip, const kip_config_t *cfg, uint32_t *used_end);

/* Offsets within the KIP that the kernel itself reads or patches later. */
uint32_t kip_offset_boot_info(void);
uint32_t kip_offset_clock(void);   /* none in X.2: 0 */

#endif
