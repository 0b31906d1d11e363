/* SPDX-License-Identifier: BSD-2-Clause */
/* Which physical frames are RAM, and which are lent to the kernel, to
 * which task and at which content identifier (kernel/frame.c). */
#ifndef KERNEL_FRAME_H
#define KERNEL_FRAME_H
#include <kernel/types.h>
#include <kernel/memregion.h>
enum frame_refusal { FRAME_OK = 0, FRAME_NOT_RAM = 1, FRAME_NOT_ADDRESSABLE = 2, FRAME_KERNEL_OWNED = 3, FRAME_LENT_ALREADY = 4 };
uint32_t frame_table_bytes(uint64_t ram_top);
void frame_table_init(void *table, uint64_t ram_top, const mem_map_t *m);
bool frame_is_ram(uint32_t pa);
int  frame_check_lendable(uint32_t pa);
bool frame_is_lent(uint32_t pa);
bool frame_lent_to(uint32_t pa, uint32_t *task, uint32_t *cid, unsigned *kind);
uint32_t frame_find(uint32_t task, uint32_t cid);
void frame_lend(uint32_t pa, uint32_t task, uint32_t cid, unsigned kind);
void frame_unlend(uint32_t pa);
uint32_t frame_lent_count(void);
#endif
