/* SPDX-License-Identifier: BSD-2-Clause */
/* Multiboot (version 1) information as GRUB and QEMU hand it to the kernel. */
#ifndef ARCH_MULTIBOOT_H
#define ARCH_MULTIBOOT_H

#include <kernel/types.h>
#include <kernel/memregion.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#define MBI_FLAG_MEM     (1u << 0)
#define MBI_FLAG_CMDLINE (1u << 2)
#define MBI_FLAG_MODS    (1u << 3)
#define MBI_FLAG_MMAP    (1u << 6)

typedef struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;      /* KB below 1 MB / above 1 MB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[6];
} __attribute__((packed)) multiboot_info_t;

typedef struct multiboot_module {
	uint32_t mod_start, mod_end;
	uint32_t string;
	uint32_t reserved;
} __attribute__((packed)) multiboot_module_t;

/* One entry of the memory map; size counts the bytes after itself. */
typedef struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;                      /* 1 = available RAM */
} __attribute__((packed)) multiboot_mmap_entry_t;

/*
 * Fill m from the Multiboot memory map at mmap (length bytes, already
 * readable by the caller), or, without one (flags lack MBI_FLAG_MMAP), from
 * mem_lower/mem_upper.  Entries with a bogus size, zero length or that wrap
 * are skipped.  Returns the number of entries used, or -1 if none.
 */
int multiboot_parse_mmap(const multiboot_info_t *mbi, const void *mmap,
			 mem_map_t *m);

#endif
