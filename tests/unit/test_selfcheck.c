/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the self-check's rules over a task
 * (kernel/selfcheck_space.c), on the world of selfcheck_world.h: the world passes, so do the states the
 * kernel may leave a task in (a record without a translation, a node
 * page or table its kpager took back), and each test then breaks one
 * thing and asserts the rule the check reports first, and where.  One
 * test (at least) for every place the rules fail; those
 * over the database's own links are test_selfcheck_links.c's.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "selfcheck_world.h"

#define A1 0x1000u                 /* A's page derived from sigma0's u1 */

START_TEST(world_passes)
{
	ms_ent_t *r = rec(&a, A1);

	ck_assert_uint_eq(check(), 0);
	/* The world is what it says. */
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->flags, MS_F_RESOLVED);
	ck_assert_uint_eq(r->k.rec.phys, u1);
	ck_assert_uint_eq(*pte(&a, A1), u1 | PTE_P | PTE_W);
	ck_assert(iobm_allowed(a.bm[0], 0x60));
	ck_assert_uint_eq(a.v.mapped_pages, 2);
	ck_assert_uint_eq(s0.v.mapped_pages, 3);
	ck_assert_uint_eq(s0.kmem[KMEM_MAP], 3);      /* a node page, the index's two */
	ck_assert_uint_eq(a.kmem[KMEM_MAP], 1);
}
END_TEST

/* ---- legal states the check must not flag ---- */

START_TEST(record_without_translation_passes)
{
	*pte(&a, A1) = 0;          /* as while the frame is lent */
	ck_assert_uint_eq(check(), 0);
}
END_TEST

START_TEST(unresolved_record_passes)
{
	ms_unresolve(&a.ms, rec(&a, A1));     /* its translation goes with it */
	ck_assert_uint_eq(*pte(&a, A1), 0);
	ck_assert_uint_eq(check(), 0);
}
END_TEST

START_TEST(node_page_away_passes)
{
	take_page(0);
	ck_assert_uint_eq(*pte(&a, A1), 0);
	ck_assert(!iobm_allowed(a.bm[0], 0x60));
	ck_assert_uint_eq(a.v.mapped_pages, 0);
	ck_assert_uint_eq(check(), 0);
}
END_TEST

START_TEST(node_table_away_passes)
{
	take_table(0);
	ck_assert_uint_eq(*pte(&a, A1), 0);
	ck_assert_uint_eq(a.v.mapped_pages, 1);
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* A table entry naming no record of its address (a table its kpager
 * edited) is nothing mapped. */
START_TEST(entry_naming_no_record_passes)
{
	a.nt[0][5] = MS_REF(0, MS_ENTS - 1);        /* a free entry */
	a.nt[0][6] = a.nt[0][1];                    /* the record of 0x1000 */
	ck_assert_uint_eq(check(), 0);
}
END_TEST

START_TEST(gathered_page_passes)
{
	frame_lend(u3, A_ID, (uint32_t)lent_cid_pt(5u << 22), KMEM_PT);
	a.kmem[KMEM_PT]++;         /* lent for an operation that has not acted */
	a.v.lent++;
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* A port's record whose bit the bitmap denies is legal, as a record
 * without a translation. */
START_TEST(port_denied_passes)
{
	iobm_deny(a.bm[0], 0x60);
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* ---- the task's kernel pages (check_pages) ---- */

START_TEST(rule_record)
{
	a.v.id = 7;                /* its record is lent to task 2 */
	ck_assert_uint_eq(check(), LENT_SC_RECORD);
}
END_TEST

START_TEST(rule_kpage)
{
	a.v.pdir_phys += PAGE_SIZE;
	BREAKS(LENT_SC_KPAGE, LENT_CID_PDIR);
}
END_TEST

START_TEST(rule_kpage_node_table)
{
	uint32_t pa;

	sc_phys(a.nt[0], &pa);     /* lent at another slot's table */
	frame_unlend(pa);
	frame_lend(pa, A_ID, (uint32_t)lent_cid_nt(5u << 22), KMEM_NT);
	BREAKS(LENT_SC_KPAGE, lent_cid_nt(0));
}
END_TEST

/* sigma0's node pages are never taken back: one missing is lost. */
START_TEST(rule_node_pages_missing)
{
	((uint32_t *)(ram + s0.index[0]))[0] = 0;
	BREAKS(LENT_SC_NODE_PAGES, 0);
}
END_TEST

START_TEST(rule_node_pages_not_pool)
{
	memcpy(ram + u3, ms_page(&s0.ms, 0), PAGE_SIZE);
	((uint32_t *)(ram + s0.index[0]))[0] = u3;  /* a user frame */
	BREAKS(LENT_SC_NODE_PAGES, 0);
}
END_TEST

START_TEST(rule_node_pages_index)
{
	memcpy(ram + u3, s0.index, PAGE_SIZE);
	s0.index = (uint32_t *)(ram + u3);          /* the index in a user frame */
	BREAKS(LENT_SC_NODE_PAGES, s0.ms.pages);
}
END_TEST

/* References are made from a page's header: it names its page and task. */
START_TEST(rule_node_pages_header)
{
	((ms_hdr_t *)ms_page(&a.ms, 0))->page = 1;
	BREAKS(LENT_SC_NODE_PAGES, 0);
}
END_TEST

START_TEST(rule_node_pages_header_task)
{
	((ms_hdr_t *)ms_page(&s0.ms, 0))->task = A_ID;
	BREAKS(LENT_SC_NODE_PAGES, 0);
}
END_TEST

/* ---- records (check_node) ---- */

/* The record of 0x1000 moved into the UTCB area. */
START_TEST(rule_node_slot)
{
	uint32_t va = 0x3F2000, ref = a.nt[0][1];

	ent(&a, ref)->vaddr = va;
	a.nt[0][1] = 0;
	a.nt[0][(va >> 12) & 1023] = ref;
	*pte(&a, A1) = 0;
	BREAKS(LENT_SC_NODE_SLOT, va);
}
END_TEST

START_TEST(rule_node_rights)
{
	rec(&a, A1)->rights = 0;
	BREAKS(LENT_SC_NODE_RIGHTS, A1);
}
END_TEST

START_TEST(rule_node_rights_wide)
{
	rec(&a, A1)->rights |= 8;
	BREAKS(LENT_SC_NODE_RIGHTS, A1);
}
END_TEST

START_TEST(rule_node_root)
{
	rec(&a, A1)->flags |= MS_F_ROOT;
	BREAKS(LENT_SC_NODE_ROOT, A1);
}
END_TEST

START_TEST(rule_node_frame_kernel)
{
	rec(&a, A1)->k.rec.phys = kip;              /* a frame of the pool */
	BREAKS(LENT_SC_NODE_FRAME, A1);
}
END_TEST

START_TEST(rule_node_frame_unaligned)
{
	rec(&a, A1)->k.rec.phys |= 0x10;
	BREAKS(LENT_SC_NODE_FRAME, A1);
}
END_TEST

START_TEST(rule_node_frame_port)
{
	rec(&a, port_va)->k.rec.phys = io_va(0x61);
	BREAKS(LENT_SC_NODE_FRAME, port_va);
}
END_TEST

/* An unresolved record's frame is no frame: not looked at. */
START_TEST(unresolved_frame_passes)
{
	ms_unresolve(&a.ms, rec(&a, A1));
	rec(&a, A1)->k.rec.phys = kip;
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* ---- translations (check_pte) ---- */

START_TEST(rule_pte_node)
{
	map(&a, 0x5000, u2, RIGHT_R);
	BREAKS(LENT_SC_PTE_NODE, 0x5000);
}
END_TEST

START_TEST(rule_pte_node_frame)
{
	map(&a, A1, u2, RIGHT_R | RIGHT_W);
	BREAKS(LENT_SC_PTE_NODE, A1);
}
END_TEST

START_TEST(rule_pte_unresolved)
{
	rec(&a, A1)->flags &= (uint8_t)~MS_F_RESOLVED;
	BREAKS(LENT_SC_PTE_NODE, A1);
}
END_TEST

START_TEST(rule_pte_rights)
{
	rec(&a, A1)->rights = RIGHT_R;
	BREAKS(LENT_SC_PTE_RIGHTS, A1);
}
END_TEST

START_TEST(rule_pte_kip)
{
	map(&a, 0x3FF000, kip, RIGHTS_ALL);
	BREAKS(LENT_SC_PTE_KIP, 0x3FF000);
}
END_TEST

START_TEST(rule_pte_utcb)
{
	map(&a, 0x3F1000, u3, RIGHTS_ALL);
	BREAKS(LENT_SC_PTE_UTCB, 0x3F1000);
}
END_TEST

START_TEST(rule_pte_kframe)
{
	/* u2 lent to A (a gathered page, counted): sigma0 still maps it. */
	frame_lend(u2, A_ID, (uint32_t)lent_cid_pt(5u << 22), KMEM_PT);
	a.kmem[KMEM_PT]++;
	a.v.lent++;
	BREAKS(LENT_SC_PTE_KFRAME, u2);
}
END_TEST

/* ---- tables and counts (check_slots) ---- */

START_TEST(rule_kpage_pde)
{
	((uint32_t *)a.v.pdir)[5] = 5u << 22;      /* not present, not empty */
	BREAKS(LENT_SC_KPAGE, lent_cid_pt(5u << 22));
}
END_TEST

START_TEST(rule_kpage_page_table)
{
	((uint32_t *)a.v.pdir)[0] = u3 | PTE_P;    /* a user frame */
	BREAKS(LENT_SC_KPAGE, lent_cid_pt(0));
}
END_TEST

START_TEST(rule_node_count)
{
	a.v.mapped_pages++;
	BREAKS(LENT_SC_NODE_COUNT, 2);
}
END_TEST

/* A record its table names at another address than its own: the
 * database counts it, no lookup finds it. */
START_TEST(rule_node_count_misplaced)
{
	rec(&a, A1)->vaddr |= 0x10;
	*pte(&a, A1) = 0;
	recount(&a);
	BREAKS(LENT_SC_NODE_COUNT, 1);
}
END_TEST

/* ---- the I/O bitmap (check_io) ---- */

START_TEST(rule_kpage_io_bitmap)
{
	a.bm_phys[0] += PAGE_SIZE;
	BREAKS(LENT_SC_KPAGE, lent_cid_pt(IO_BITMAP_PT_SLOT << 22));
}
END_TEST

START_TEST(rule_io_bitmap_extra)
{
	iobm_allow(a.bm[0], 0x61);      /* a port allowed without a record */
	BREAKS(LENT_SC_IO_BITMAP, 0x61);
}
END_TEST

/* A port allowed is a translation: its record must be one the database
 * finds there, resolved, as for a page (rule 44). */
START_TEST(rule_io_bitmap_unresolved)
{
	rec(&a, port_va)->flags &= (uint8_t)~MS_F_RESOLVED;
	BREAKS(LENT_SC_IO_BITMAP, 0x60);
}
END_TEST

START_TEST(rule_io_bitmap_no_record)
{
	a.nt[port_va >> 22][0x61] = MS_REF(0, MS_ENTS - 1);    /* a free entry */
	iobm_allow(a.bm[0], 0x61);
	BREAKS(LENT_SC_IO_BITMAP, 0x61);
}
END_TEST

/* ---- accounting (check_account) ---- */

START_TEST(rule_account)
{
	a.kmem[KMEM_NT]++;
	BREAKS(LENT_SC_ACCOUNT, KMEM_NT);
}
END_TEST

/* The lent count STATS reads: one frame more or less than the frames
 * lent to the task, or any for sigma0, whose frames are its store's. */
START_TEST(rule_account_lent)
{
	a.v.lent--;
	BREAKS(LENT_SC_ACCOUNT, KMEM_KINDS);
	a.v.lent += 2;
	BREAKS(LENT_SC_ACCOUNT, KMEM_KINDS);
	a.v.lent--;
	ck_assert_uint_eq(check(), 0);
	s0.v.lent = 1;
	BREAKS(LENT_SC_ACCOUNT, KMEM_KINDS);
}
END_TEST

/* sigma0's index pages count as its node pages. */
START_TEST(rule_account_index)
{
	s0.kmem[KMEM_MAP]--;
	BREAKS(LENT_SC_ACCOUNT, KMEM_MAP);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		world_passes, record_without_translation_passes, unresolved_record_passes,
		node_page_away_passes, node_table_away_passes, entry_naming_no_record_passes,
		gathered_page_passes, port_denied_passes,
		rule_record, rule_kpage, rule_kpage_node_table, rule_node_pages_missing,
		rule_node_pages_not_pool, rule_node_pages_index, rule_node_pages_header,
		rule_node_pages_header_task,
		rule_node_slot, rule_node_rights, rule_node_rights_wide, rule_node_root,
		rule_node_frame_kernel, rule_node_frame_unaligned, rule_node_frame_port,
		unresolved_frame_passes,
		rule_pte_node, rule_pte_node_frame, rule_pte_unresolved, rule_pte_rights, rule_pte_kip,
		rule_pte_utcb, rule_pte_kframe,
		rule_kpage_pde, rule_kpage_page_table, rule_node_count, rule_node_count_misplaced,
		rule_kpage_io_bitmap, rule_io_bitmap_extra, rule_io_bitmap_unresolved,
		rule_io_bitmap_no_record,
		rule_account, rule_account_lent, rule_account_index,
		NULL
	};

	return unit_run("selfcheck_split", "rules", tests, world_setup, world_teardown);
}
