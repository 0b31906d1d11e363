/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.2 generic boot information, as Pistachio's loader (kickstart) lays it
 * out and its user/include/l4/bootinfo.h reads it: a header (magic,
 * version, total size, offset of the first record, number of records,
 * three reserved words), then records that each begin with type,
 * version and the offset of the next.  Lent writes one Module record per
 * boot module (start, size, offset of its command line, which follows
 * the record) and one Multiboot record (the physical address of the
 * Multiboot information).  Offsets are in bytes from the structure that
 * holds them.  Pure: the host unit tests build it.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include <kernel/types.h>
#include <kernel/boot.h>

#define BOOTINFO_MAGIC          0x14b0021du
#define BOOTINFO_VERSION        1u
#define BOOTINFO_TYPE_MODULE    0x0001u
#define BOOTINFO_TYPE_MULTIBOOT 0x0102u
#define BOOTINFO_HEADER_BYTES   32u    /* 8 words */
#define BOOTINFO_MODULE_BYTES   24u    /* 6 words, then the command line */
#define BOOTINFO_MBI_BYTES      16u    /* 4 words */

/* Bytes the records of these n modules and the Multiboot record need. */
uint32_t bootinfo_size(const boot_module_t *mods, unsigned n);

/* Write them at buf (word-aligned, size bytes, bootinfo_size() or more):
 * the modules in order, then the Multiboot record for mbi_phys.  Every
 * module record is followed by its command line (NUL-terminated; "" for
 * a module without one).  Returns the bytes written, or 0 if they do not
 * fit. */
uint32_t bootinfo_build(void *buf, uint32_t size, const boot_module_t *mods, unsigned n,
			uint32_t mbi_phys);

#endif
