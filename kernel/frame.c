/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lent frames, in a small linear table (at most LENT_MAX frames): the
 * first step.  The resident frame table sized in proportion to RAM, with
 * frame types and an O(1) lookup, replaces it (docs/kernel-memory.md).
 * RAM is what the boot memory map calls free, boot-loader or root-task
 * memory below the direct map's end.
 */
#include <kernel/frame.h>
#include <kernel/memregion.h>
#include <arch/arch.h>
typedef struct { uint32_t pa, task, cid; uint8_t kind, used; } lent_t;
#define LENT_MAX 4096
static lent_t lent[LENT_MAX];
extern mem_map_t boot_memory;
static int slot(uint32_t pa) { for (int i = 0; i < LENT_MAX; i++) if (lent[i].used && lent[i].pa == pa) return i; return -1; }
uint32_t frame_table_bytes(uint64_t t) { (void)t; return 0; }
void frame_table_init(void *t, uint64_t r, const mem_map_t *m) { (void)t; (void)r; (void)m; }
bool frame_is_ram(uint32_t pa) {
	for (unsigned i = 0; i < boot_memory.n; i++)
		if (pa >= boot_memory.r[i].start && pa < boot_memory.r[i].end)
			return boot_memory.r[i].type <= MEM_ROOTTASK && pa < PHYSMAP_LIMIT;
	return false;
}
int frame_check_lendable(uint32_t pa) {
	if (pa >= PHYSMAP_LIMIT) return FRAME_NOT_ADDRESSABLE;
	for (unsigned i = 0; i < boot_memory.n; i++)
		if (pa >= boot_memory.r[i].start && pa < boot_memory.r[i].end) {
			if (boot_memory.r[i].type == MEM_KERNEL) return FRAME_KERNEL_OWNED;
			if (boot_memory.r[i].type > MEM_ROOTTASK) return FRAME_NOT_RAM;
			if (slot(pa) >= 0)
				return FRAME_LENT_ALREADY;
			/* A full table cannot record one more: refuse it. */
			return frame_lent_count() < LENT_MAX ? FRAME_OK : FRAME_NOT_ADDRESSABLE;
		}
	return FRAME_NOT_RAM;
}
bool frame_is_lent(uint32_t pa) { return slot(pa & ~0xFFFu) >= 0; }
bool frame_lent_to(uint32_t pa, uint32_t *task, uint32_t *cid, unsigned *kind) {
	int i = slot(pa); if (i < 0) return false; *task = lent[i].task; *cid = lent[i].cid; *kind = lent[i].kind; return true;
}
uint32_t frame_find(uint32_t task, uint32_t cid) {
	for (int i = 0; i < LENT_MAX; i++) if (lent[i].used && lent[i].task == task && lent[i].cid == cid) return lent[i].pa;
	return 0;
}
void frame_lend(uint32_t pa, uint32_t task, uint32_t cid, unsigned kind) {
	for (int i = 0; i < LENT_MAX; i++) if (!lent[i].used) { lent[i] = (lent_t){ pa, task, cid, (uint8_t)kind, 1 }; return; }
}
void frame_unlend(uint32_t pa) { int i = slot(pa); if (i >= 0) lent[i].used = 0; }
uint32_t frame_lent_count(void) { uint32_t n = 0; for (int i = 0; i < LENT_MAX; i++) n += lent[i].used; return n; }
