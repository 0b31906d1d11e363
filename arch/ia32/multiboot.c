/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Multiboot memory map to mem_map_t.  Pure (no hardware access), so the
 * host unit tests compile it as it is.
 */
#include <kernel/types.h>
#include <arch/multiboot.h>

#define MMAP_ENTRY_MIN 20u   /* addr, len, type: the bytes after size */
#define MB_RAM 1u            /* Multiboot type of available RAM */

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

/* Record one range; returns 1 if it went into the map. */
static int add_range(mem_map_t *m, uint64_t addr, uint64_t len, uint32_t type)
{
	if (len == 0 || addr + len < addr)
		return 0;
	return memmap_add(m, addr, addr + len, type) == 0 ? 1 : 0;
}

int multiboot_parse_mmap(const multiboot_info_t *mbi, const void *mmap,
			 mem_map_t *m)
{
	int used = 0;

	if (!mbi || !m)
		return -1;
	if ((mbi->flags & MBI_FLAG_MMAP) && mmap) {
		const uint8_t *p = mmap;
		uint32_t length = mbi->mmap_length;
		uint32_t off = 0;

		/* Each entry: 4-byte size, then size bytes (addr, len, type...). */
		while (length - off >= 4) {
			uint32_t size = rd32(p + off);
			const uint8_t *e = p + off + 4;

			if (size > length - off - 4)
				break;             /* runs past the map: stop */
			if (size >= MMAP_ENTRY_MIN) {
				uint32_t type = rd32(e + 16) == MB_RAM ? MEM_FREE : MEM_RESERVED;

				used += add_range(m, rd64(e), rd64(e + 8), type);
			}
			off += 4 + size;
		}
	}
	if (used == 0 && (mbi->flags & MBI_FLAG_MEM)) {
		/* No usable map: mem_lower is KB from 0, mem_upper KB from 1 MB. */
		used += add_range(m, 0, (uint64_t)mbi->mem_lower * 1024, MEM_FREE);
		used += add_range(m, 0x100000, (uint64_t)mbi->mem_upper * 1024, MEM_FREE);
	}
	return used ? used : -1;
}
