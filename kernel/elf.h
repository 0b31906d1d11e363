/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ELF32 loader for the boot modules (sigma0, the root task, kpagers).
 * Pure: it validates the image and calls back once per loadable segment;
 * the caller decides where the bytes go.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <kernel/types.h>

#define ELF_SEG_X 1u
#define ELF_SEG_W 2u
#define ELF_SEG_R 4u

typedef struct elf_segment {
	uint32_t vaddr;      /* p_vaddr */
	uint32_t paddr;      /* p_paddr */
	uint32_t memsz;      /* bytes in memory; the tail past filesz is zero */
	uint32_t filesz;     /* bytes taken from the image */
	const void *data;    /* filesz bytes inside the image */
	uint32_t flags;      /* ELF_SEG_* */
} elf_segment_t;

enum elf_error {
	ELF_OK = 0,
	ELF_ETRUNC = -1,     /* image shorter than a header or segment says */
	ELF_EMAGIC = -2,     /* not ELF */
	ELF_ECLASS = -3,     /* not 32-bit little-endian i386 executable */
	ELF_ESEGMENT = -4,   /* a segment wraps, has filesz > memsz, or no PT_LOAD */
	ELF_ECALLBACK = -5,  /* the callback refused a segment */
};

/* Returns 0 from the callback to go on, non-zero to stop the load. */
typedef int (*elf_segment_fn)(void *ctx, const elf_segment_t *seg);

/* Validate image (size bytes) and call fn for each PT_LOAD segment in
 * order.  On success stores the entry point.  Nothing is called back
 * unless the headers are all valid. */
int elf_load(const void *image, size_t size, elf_segment_fn fn, void *ctx,
	     uint32_t *entry);

/* Lowest and highest (exclusive) virtual address of the loadable segments,
 * for describing a module's footprint; returns an elf_error. */
int elf_extent(const void *image, size_t size, uint32_t *lo, uint32_t *hi);

#endif
