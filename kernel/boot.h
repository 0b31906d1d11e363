/* SPDX-License-Identifier: BSD-2-Clause */
/* Bringing up the first tasks from the boot modules. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <kernel/types.h>
#include <kernel/memregion.h>

#define SIGMA0_THREAD_NO 16
#define ROOT_THREAD_NO   18
/* The KIP in the last page of the UTCB area's 4 MB region: one page
 * table serves both (docs/kernel-memory.md, kmem_task_pages). */
#define INITIAL_KIP_AREA  0xBF3FF000u
#define INITIAL_UTCB_AREA 0xBF000000u
#define INITIAL_UTCB_LOG2 16

typedef struct boot_module {
	uint32_t start, end;       /* physical, end exclusive */
	const char *name;
} boot_module_t;

extern mem_map_t boot_memory;

/* May sigma0 have the physical page pa?  Everything but the kernel's. */
bool boot_phys_available_to_sigma0(uint32_t pa);
/* Load an ELF module at its link address; fills the KIP server fields. */
int boot_load_module(const boot_module_t *m, uint32_t *entry, uint32_t *low, uint32_t *high,
		     const boot_module_t *all, unsigned count);
/* Create sigma0 and the root task and queue them to run. */
void boot_start_tasks(uint32_t sigma0_entry, uint32_t root_entry);

#endif
