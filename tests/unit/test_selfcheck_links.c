/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the self-check's rules over the split database's own
 * links (kernel/selfcheck_split.c), on the world
 * of selfcheck_world.h: a node page's free entries, a record's
 * list of sender parts, and a resolved record's chain to its parent.
 * Each test breaks one thing and asserts the rule the check reports
 * first, and where.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "selfcheck_world.h"

#define A1 0x1000u                 /* A's page derived from sigma0's u1 */

/* ---- free entries (check_free) ---- */

START_TEST(rule_free_entries_in_use)
{
	ms_ent_t *p = ms_page(&a.ms, 0);

	p[0].k.hdr.free_head = MS_REF_ENT(a.nt[0][1]);     /* the record of 0x1000 */
	BREAKS(LENT_SC_FREE_NODES, 0);
}
END_TEST

START_TEST(rule_free_entries_loop)
{
	ms_ent_t *p = ms_page(&a.ms, 0);
	uint32_t k = p[0].k.hdr.free_head;

	while (p[k].k.free.next)
		k = p[k].k.free.next;
	p[k].k.free.next = p[0].k.hdr.free_head;
	BREAKS(LENT_SC_FREE_NODES, 0);
}
END_TEST

START_TEST(rule_free_entries_page_count)
{
	ms_page(&s0.ms, 0)[0].k.hdr.nfree--;
	BREAKS(LENT_SC_FREE_NODES, 0);
}
END_TEST

START_TEST(rule_free_entries_count)
{
	a.ms.nfree++;
	BREAKS(LENT_SC_FREE_NODES, MS_ENTS - 1 - 2);
}
END_TEST

/* ---- a record's list of sender parts (check_parts) ---- */

/* sigma0's part of the edge u1 -> A:0x1000. */
static ms_ent_t *part1(void)
{
	return ent(&s0, rec(&s0, u1)->k.rec.head);
}

START_TEST(rule_parts_not_part)
{
	rec(&s0, u1)->k.rec.head = s0.nt[u2 >> 22][(u2 >> 12) & 1023];   /* u2's record */
	BREAKS(LENT_SC_NODE_LINKS, u1);
}
END_TEST

START_TEST(rule_parts_absent)
{
	rec(&s0, u1)->k.rec.head = MS_REF(s0.ms.pages, 1);
	BREAKS(LENT_SC_NODE_LINKS, u1);
}
END_TEST

START_TEST(rule_parts_detached)
{
	part1()->flags &= (uint8_t)~MS_F_ATTACHED;
	BREAKS(LENT_SC_NODE_LINKS, u1);
}
END_TEST

START_TEST(rule_parts_owner)
{
	part1()->k.part.owner = s0.nt[u2 >> 22][(u2 >> 12) & 1023];
	BREAKS(LENT_SC_NODE_LINKS, u1);
}
END_TEST

START_TEST(rule_parts_page)
{
	part1()->vaddr = u2;
	BREAKS(LENT_SC_NODE_LINKS, u1);
}
END_TEST

START_TEST(rule_parts_epoch)
{
	part1()->egen++;
	BREAKS(LENT_SC_NODE_LINKS, u1);
}
END_TEST

START_TEST(rule_parts_links)
{
	part1()->k.part.prev = 0;
	BREAKS(LENT_SC_NODE_LINKS, u1);
}
END_TEST

/* Two parts of u1, the first made idle: a live part after it. */
START_TEST(rule_parts_live_first)
{
	db_map(&s0, u1, &a, 0x2000, RIGHT_R);
	recount(&a);
	ck_assert_uint_eq(check(), 0);
	part1()->flags &= (uint8_t)~MS_F_LIVE;
	BREAKS(LENT_SC_NODE_LINKS, u1);
}
END_TEST

/* ---- a resolved record's chain (check_chain) ---- */

START_TEST(rule_chain_hint)
{
	rec(&a, A1)->k.rec.hint = 0;
	BREAKS(LENT_SC_NODE_TREE, A1);
}
END_TEST

START_TEST(rule_chain_part_idle)
{
	part1()->flags &= (uint8_t)~MS_F_LIVE;
	BREAKS(LENT_SC_NODE_TREE, A1);
}
END_TEST

/* The part names another child, or another edge of this one. */
START_TEST(rule_chain_part_child)
{
	part1()->pvaddr = 0x2000;
	BREAKS(LENT_SC_NODE_TREE, A1);
}
END_TEST

START_TEST(rule_chain_generation)
{
	rec(&a, A1)->gen++;
	BREAKS(LENT_SC_NODE_TREE, A1);
}
END_TEST

START_TEST(rule_chain_parent_task)
{
	rec(&a, A1)->task = 9;
	BREAKS(LENT_SC_NODE_TREE, A1);
}
END_TEST

START_TEST(rule_chain_parent_page)
{
	rec(&a, A1)->pvaddr = u2;
	BREAKS(LENT_SC_NODE_TREE, A1);
}
END_TEST

START_TEST(rule_chain_parent_unresolved)
{
	rec(&s0, u1)->flags &= (uint8_t)~MS_F_RESOLVED;
	*pte(&s0, u1) = 0;
	BREAKS(LENT_SC_NODE_TREE, A1);
}
END_TEST

/* A child maps another frame than its parent. */
START_TEST(rule_chain_frame)
{
	rec(&s0, u1)->k.rec.phys = u3;
	map(&s0, u1, u3, RIGHTS_ALL);
	BREAKS(LENT_SC_NODE_FRAME, A1);
}
END_TEST

/* A child has rights its parent has not. */
START_TEST(rule_chain_rights)
{
	rec(&s0, u1)->rights = RIGHT_R;
	map(&s0, u1, u1, RIGHT_R);
	BREAKS(LENT_SC_NODE_RIGHTS, A1);
}
END_TEST

/* ---- access bits (check_bits) ---- */

/* A's record of A1 with its node table away: its own bits it may keep,
 * kept ones (for others' Unmaps) not: they went up when the table went. */
START_TEST(rule_bits_kept_where_no_table_finds)
{
	uint32_t ref = a.nt[0][1];

	rec(&a, A1)->attr |= MS_ATTR_R;                /* a read kept: legal */
	ck_assert_uint_eq(check(), 0);
	take_table(0);
	ms_ent_t *r = ent(&a, ref);
	ck_assert_uint_eq(r->attr, MS_ATTR_OWN_R);     /* the read, its own now */
	ck_assert_uint_eq(check(), 0);
	r->attr |= MS_ATTR_R;
	BREAKS(LENT_SC_NODE_BITS, A1);
}
END_TEST

START_TEST(rule_bits_beyond)
{
	rec(&a, A1)->attr = 0x80;
	BREAKS(LENT_SC_NODE_BITS, A1);
}
END_TEST

/* A part's byte 3 is 0 (A maps A1 to itself at 0x3000: A's part). */
START_TEST(rule_bits_part)
{
	db_map(&a, A1, &a, 0x3000, RIGHT_R);
	recount(&a);
	ck_assert_uint_eq(check(), 0);
	ent(&a, rec(&a, A1)->k.rec.head)->attr = MS_ATTR_R;
	BREAKS(LENT_SC_NODE_BITS, A1);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		rule_free_entries_in_use, rule_free_entries_loop, rule_free_entries_page_count,
		rule_free_entries_count,
		rule_parts_not_part, rule_parts_absent, rule_parts_detached, rule_parts_owner,
		rule_parts_page, rule_parts_epoch, rule_parts_links, rule_parts_live_first,
		rule_chain_hint, rule_chain_part_idle, rule_chain_part_child, rule_chain_generation,
		rule_chain_parent_task, rule_chain_parent_page, rule_chain_parent_unresolved,
		rule_chain_frame, rule_chain_rights,
		rule_bits_kept_where_no_table_finds, rule_bits_beyond, rule_bits_part,
		NULL
	};

	return unit_run("selfcheck_links_split", "rules", tests, world_setup, world_teardown);
}
