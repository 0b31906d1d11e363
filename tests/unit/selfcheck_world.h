/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hand-made world the self-check's host tests break one way per
 * rule (test_selfcheck.c: a task's structures; test_selfcheck_frame.c:
 * the frame table, the totals, a task being torn down).  In a fake RAM
 * of 64 frames with the real frame table (kernel/frame.c): sigma0 with
 * two root pages and a port, from the pool, and a task A whose every
 * page its kpager lent at its content identifier, with a mapping derived
 * from sigma0's, a port, its KIP and a UTCB page.
 */
#ifndef TESTS_SELFCHECK_WORLD_H
#define TESTS_SELFCHECK_WORLD_H

#include <kernel/selfcheck_space.h>
#include <kernel/memregion.h>
#include <arch/arch.h>

#define NFRAMES 64u
#define A_ID 2u
#define S0_ID 1u
#define PTE_P 1u
#define PTE_W 2u

typedef struct fake_space {
	sc_space_t v;
	mapnode_t **nt[SC_NODE_PDES];
	uint8_t *bm[IO_BITMAP_PAGES];
	uint32_t bm_phys[IO_BITMAP_PAGES];
	uint32_t kmem[KMEM_KINDS];
	uint32_t tcb_map[SC_TCB_PAGES / 32];
} fake_space_t;

extern uint8_t *ram;
extern fake_space_t s0, a;
extern sc_counts_t counts;
extern mapnode_t *root1, *root2, *rootp, *a1, *ap;
extern uint32_t u1, u2, u3, kip;

/* Build the world (a Check fixture), and free it. */
void world_setup(void);
void world_teardown(void);
/* A node of s in slot va (under parent, or a root), carved as
 * kernel/space_nodes.c does; the translation at va in s; a translation
 * made; a port allowed in s's bitmap. */
mapnode_t *node(fake_space_t *s, uint32_t va, uint32_t phys, uint32_t rights, mapnode_t *parent);
uint32_t *pte(fake_space_t *s, uint32_t va);
void map(fake_space_t *s, uint32_t va, uint32_t phys, uint32_t rights);
/* The whole check, in the kernel's order: 0 or the first rule broken. */
uint32_t check(void);

#endif
