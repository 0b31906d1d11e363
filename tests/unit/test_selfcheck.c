/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the self-check's rules over a task
 * (kernel/selfcheck_space.c), on the hand-made world of
 * selfcheck_world.h: the world passes, so do the states the kernel may
 * leave a task in, and each test then breaks one thing and asserts the
 * rule number the check reports first.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "selfcheck_world.h"

START_TEST(world_passes)
{
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* Legal states the check must not flag. */
START_TEST(node_without_translation_passes)
{
	*pte(&a, 0x1000) = 0;      /* as while the frame is lent, or exported */
	ck_assert_uint_eq(check(), 0);
}
END_TEST

START_TEST(gathered_page_passes)
{
	frame_lend(u3, A_ID, (uint32_t)lent_cid_pt(5u << 22), KMEM_PT);
	a.kmem[KMEM_PT]++;         /* lent for an operation that has not acted */
	ck_assert_uint_eq(check(), 0);
}
END_TEST

START_TEST(rule_record)
{
	a.v.id = 7;                /* its record is lent to task 2 */
	ck_assert_uint_eq(check(), LENT_SC_RECORD);
}
END_TEST

START_TEST(rule_kpage)
{
	a.v.pdir_phys += PAGE_SIZE;
	ck_assert_uint_eq(check(), LENT_SC_KPAGE);
}
END_TEST

START_TEST(rule_node_ptr)
{
	a1->next = (mapnode_t *)(ram + u3 + sizeof(mapnode_t));   /* not a node page */
	ck_assert_uint_eq(check(), LENT_SC_NODE_PTR);
}
END_TEST

START_TEST(rule_node_slot)
{
	(void)node(&a, 0x3F2000, u1, RIGHT_R, root1);   /* in the UTCB area */
	ck_assert_uint_eq(check(), LENT_SC_NODE_SLOT);
}
END_TEST

START_TEST(rule_node_links)
{
	root1->child = NULL;
	ck_assert_uint_eq(check(), LENT_SC_NODE_LINKS);
}
END_TEST

START_TEST(rule_node_frame)
{
	a1->phys = u2;
	ck_assert_uint_eq(check(), LENT_SC_NODE_FRAME);
}
END_TEST

START_TEST(rule_node_rights)
{
	root1->rights = RIGHT_R;
	map(&s0, u1, u1, RIGHT_R);
	ck_assert_uint_eq(check(), LENT_SC_NODE_RIGHTS);
}
END_TEST

START_TEST(rule_node_root)
{
	root1->child = NULL;
	a1->parent = NULL;
	ck_assert_uint_eq(check(), LENT_SC_NODE_ROOT);
}
END_TEST

/* Two nodes each the other's parent: every link agrees, yet no root
 * leads to them. */
START_TEST(rule_node_tree)
{
	mapnode_t *a2 = node(&a, 0x2000, u1, RIGHT_R | RIGHT_W, NULL);

	root1->child = NULL;
	a1->parent = a2;
	a1->next = a1->prev = NULL;
	a2->child = a1;
	a2->parent = a1;
	a1->child = a2;
	ck_assert_uint_eq(check(), LENT_SC_NODE_TREE);
}
END_TEST

START_TEST(rule_node_count)
{
	a.v.mapped_pages++;
	ck_assert_uint_eq(check(), LENT_SC_NODE_COUNT);
}
END_TEST

START_TEST(rule_free_nodes)
{
	a.v.free_nodes->space = (space_t *)a.v.self;     /* a free node in use */
	ck_assert_uint_eq(check(), LENT_SC_FREE_NODES);
}
END_TEST

START_TEST(rule_free_nodes_lost)
{
	a.v.free_nodes = a.v.free_nodes->next;          /* one free node lost */
	ck_assert_uint_eq(check(), LENT_SC_FREE_NODES);
}
END_TEST

START_TEST(rule_node_pages)
{
	a.v.node_page_count++;
	ck_assert_uint_eq(check(), LENT_SC_NODE_PAGES);
}
END_TEST

START_TEST(rule_pte_node)
{
	map(&a, 0x5000, u2, RIGHT_R);
	ck_assert_uint_eq(check(), LENT_SC_PTE_NODE);
}
END_TEST

START_TEST(rule_pte_rights)
{
	a1->rights = RIGHT_R;
	ck_assert_uint_eq(check(), LENT_SC_PTE_RIGHTS);
}
END_TEST

START_TEST(rule_pte_kip)
{
	map(&a, 0x3FF000, kip, RIGHTS_ALL);
	ck_assert_uint_eq(check(), LENT_SC_PTE_KIP);
}
END_TEST

START_TEST(rule_pte_utcb)
{
	map(&a, 0x3F1000, u3, RIGHTS_ALL);
	ck_assert_uint_eq(check(), LENT_SC_PTE_UTCB);
}
END_TEST

START_TEST(rule_pte_kframe)
{
	/* u2 lent to A (a gathered page, counted): sigma0 still maps it. */
	frame_lend(u2, A_ID, (uint32_t)lent_cid_pt(5u << 22), KMEM_PT);
	a.kmem[KMEM_PT]++;
	ck_assert_uint_eq(check(), LENT_SC_PTE_KFRAME);
}
END_TEST

/* A port's node whose bit the bitmap denies is legal, as a node without
 * a translation: the bitmap is rebuilt from the nodes after a kpager
 * took it back. */
START_TEST(port_denied_passes)
{
	iobm_deny(a.bm[0], 0x60);
	ck_assert_uint_eq(check(), 0);
}
END_TEST

START_TEST(rule_io_bitmap_extra)
{
	iobm_allow(a.bm[0], 0x61);      /* a port allowed without a node */
	ck_assert_uint_eq(check(), LENT_SC_IO_BITMAP);
}
END_TEST

START_TEST(rule_account)
{
	a.kmem[KMEM_NT]++;
	ck_assert_uint_eq(check(), LENT_SC_ACCOUNT);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("selfcheck");
	TCase *t = tcase_create("rules");

	tcase_add_checked_fixture(t, world_setup, world_teardown);
	tcase_add_test(t, world_passes);
	tcase_add_test(t, node_without_translation_passes);
	tcase_add_test(t, gathered_page_passes);
	tcase_add_test(t, rule_record);
	tcase_add_test(t, rule_kpage);
	tcase_add_test(t, rule_node_ptr);
	tcase_add_test(t, rule_node_slot);
	tcase_add_test(t, rule_node_links);
	tcase_add_test(t, rule_node_frame);
	tcase_add_test(t, rule_node_rights);
	tcase_add_test(t, rule_node_root);
	tcase_add_test(t, rule_node_tree);
	tcase_add_test(t, rule_node_count);
	tcase_add_test(t, rule_free_nodes);
	tcase_add_test(t, rule_free_nodes_lost);
	tcase_add_test(t, rule_node_pages);
	tcase_add_test(t, rule_pte_node);
	tcase_add_test(t, rule_pte_rights);
	tcase_add_test(t, rule_pte_kip);
	tcase_add_test(t, rule_pte_utcb);
	tcase_add_test(t, rule_pte_kframe);
	tcase_add_test(t, port_denied_passes);
	tcase_add_test(t, rule_io_bitmap_extra);
	tcase_add_test(t, rule_account);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
