/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Physical memory as a sorted list of page-aligned, non-overlapping regions,
 * each with a type.  Built at boot from the boot loader's memory map, then
 * carved up (kernel image, modules, boot reserve) and finally published in
 * the KIP's memory descriptors.
 */
#ifndef KERNEL_MEMREGION_H
#define KERNEL_MEMREGION_H

#include <kernel/types.h>

/* Region types, in rising precedence: where two overlap, the higher wins. */
enum mem_type {
	MEM_FREE = 1,       /* conventional memory sigma0 may hand out */
	MEM_BOOTLOADER = 2, /* boot modules and their information */
	MEM_ROOTTASK = 3,   /* images of sigma0 and the root task */
	MEM_KERNEL = 4,     /* kernel image and its boot reserve */
	MEM_RESERVED = 5,   /* firmware, ACPI, holes */
};

typedef struct mem_region {
	uint64_t start;     /* page-aligned */
	uint64_t end;       /* exclusive, page-aligned */
	uint32_t type;      /* enum mem_type */
} mem_region_t;

typedef struct mem_map {
	mem_region_t r[64];
	unsigned n;
} mem_map_t;

void memmap_init(mem_map_t *m);

/*
 * Record [start, end) as type.  Free memory is shrunk inward to whole
 * pages, every other type is widened outward.  Where the range overlaps
 * regions of lower precedence it takes them over; where it overlaps ones
 * of higher precedence it yields.  Adjacent regions of one type merge.
 * Returns 0, or -1 if the table is full (the map is then unchanged).
 */
int memmap_add(mem_map_t *m, uint64_t start, uint64_t end, uint32_t type);

/* Take size bytes (page multiple) of MEM_FREE memory, aligned to align,
 * below limit, from the top down; mark it as type.  Returns the start or
 * 0 when none fits (page 0 is never handed out). */
uint64_t memmap_alloc(mem_map_t *m, uint64_t size, uint64_t align,
		      uint64_t limit, uint32_t type);

/* Make the RAM (free, boot-loader and root-task memory) at or above
 * limit reserved: memory user level cannot be given.  Returns 0, or -1
 * if the table is full (the map then holds what was done so far). */
int memmap_reserve_from(mem_map_t *m, uint64_t limit);

/* Bytes of memory of the given type. */
uint64_t memmap_total(const mem_map_t *m, uint32_t type);

/* End of the highest region of MEM_FREE type (the top of usable RAM). */
uint64_t memmap_top(const mem_map_t *m);

#endif
