/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The self-check's hand-made world over the mapping database, which
 * the host tests test_selfcheck.c, test_selfcheck_frame.c and
 * test_selfcheck_links.c break one way per rule.  In a fake RAM of 64 frames
 * with the real frame table (kernel/frame.c), sigma0 with two root
 * pages and a port, from the pool, and a task A whose every page its
 * kpager lent at its content identifier, with a mapping derived from
 * sigma0's, a port, its KIP and a UTCB page.  The records, parts, node
 * pages and node tables are made by the database itself
 * (kernel/mapsplit*.c) through the ms_* hooks here, which lay them out
 * as kernel/space_split.c does: a lent node page found at its content
 * identifier, one of the pool through the task's index (two levels;
 * here its entries are physical addresses, where the kernel keeps
 * pointers), a node table of 1024 local references in one page.
 */
#ifndef TESTS_SELFCHECK_WORLD_H
#define TESTS_SELFCHECK_WORLD_H

#include <check.h>
#include "unit_runner.h"
#include <kernel/selfcheck_space.h>
#include <kernel/mapsplit_int.h>
#include <kernel/memregion.h>
#include <arch/arch.h>

#define NFRAMES 64u
#define A_ID 2u
#define S0_ID 1u
#define PTE_P 1u
#define PTE_W 2u

typedef struct fake_space {
	sc_space_t v;
	ms_space_t ms;                  /* the resident part (the kernel's space_t.ms) */
	uint32_t *nt[SC_NODE_PDES];     /* node tables */
	uint32_t *index;                /* pages not lent: two levels of 1024 */
	uint8_t *bm[IO_BITMAP_PAGES];
	uint32_t bm_phys[IO_BITMAP_PAGES];
	uint32_t kmem[KMEM_KINDS];
	uint32_t tcb_map[SC_TCB_PAGES / 32];
} fake_space_t;

extern uint8_t *ram;
extern fake_space_t s0, a;
extern sc_counts_t counts;
extern sc_fault_t fault;              /* the last check's first rule broken */
extern uint32_t u1, u2, u3, kip;      /* user frames; the KIP's */
extern uint32_t port_va;              /* the port's page (0x60) */
/* Called with the frame table's view before each check (NULL: none),
 * to break the counts kept beside the table. */
extern void (*view_edit)(frame_view_t *fv);

/* Build the world, and free it: each test's checked fixture
 * (unit_runner.h), so that each runs on a fresh world. */
void world_setup(void);
void world_teardown(void);
/* The record of s at va (NULL: none), found as the database finds it. */
ms_ent_t *rec(fake_space_t *s, uint32_t va);
/* The entry of s at local reference ref. */
ms_ent_t *ent(fake_space_t *s, uint32_t ref);
/* The translation at va in s (a page table made if none); one made. */
uint32_t *pte(fake_space_t *s, uint32_t va);
void map(fake_space_t *s, uint32_t va, uint32_t phys, uint32_t rights);
/* A page of s of kind at cid: lent to A, or the pool's for sigma0. */
void *page(fake_space_t *s, unsigned kind, uint32_t cid);
/* s's count of mapped pages, as kernel/space_split.c counts it: the
 * records that their table names. */
void recount(fake_space_t *s);
/* Database calls, given what they ask for; each must succeed. */
void db_map(fake_space_t *from, uint32_t fva, fake_space_t *to, uint32_t tva, uint32_t rights);
void db_unmap(fake_space_t *s, uint32_t va, uint32_t rights, bool flush_self);
/* A's kpager takes node page n or node table slot back, as
 * kernel/kpreempt.c does: the external form, the frame no longer lent,
 * the charge dropped. */
void take_page(uint32_t n);
void take_table(uint32_t slot);
/* The whole check, in the kernel's order: 0 or the first rule broken. */
uint32_t check(void);
/* It breaks rule, first, at where. */
#define BREAKS(rule, at) do { \
	ck_assert_uint_eq(check(), rule); \
	ck_assert_uint_eq(fault.where, at); \
} while (0)

#endif
