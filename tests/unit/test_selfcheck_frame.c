/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the self-check's rules over the frame table and the
 * totals (kernel/selfcheck_frame.c), and over a task stopped in each
 * phase of its teardown, on the hand-made world of selfcheck_world.h.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "selfcheck_world.h"

/* A's teardown (kernel/space_reap.c) up to the end of phase 1: every
 * mapping gone (its nodes back on its free list, the ports denied). */
static void reap_mappings(void)
{
	mapnode_t *own[] = { a1, ap };

	root1->child = NULL;
	rootp->child = NULL;
	for (unsigned i = 0; i < 2; i++) {
		a.nt[own[i]->vaddr >> 22][(own[i]->vaddr >> 12) & 1023] = NULL;
		memset(own[i], 0, sizeof(*own[i]));
		own[i]->next = a.v.free_nodes;
		a.v.free_nodes = own[i];
		a.v.mapped_pages--;
	}
	*pte(&a, 0x1000) = 0;
	iobm_deny(a.bm[0], 0x60);
	a.v.dying = true;
	a.v.reap_cursor = SC_NODE_PDES * 1024u;
}

/* A page of A's given back (kmem_put): the frame no longer lent, the
 * count down. */
static void give_back(void *page, unsigned kind)
{
	uint32_t pa = (uint32_t)((uint8_t *)page - ram);

	frame_unlend(pa);
	a.kmem[kind]--;
}

/* Phase 2 has freed the tables of the first 4 MB: the directory entry
 * still names the page table it gave back, the UTCB page went with it. */
START_TEST(dying_task_tables_passes)
{
	uint32_t *pd = (uint32_t *)a.v.pdir;

	reap_mappings();
	give_back(ram + (*pte(&a, 0x3F0000) & PAGE_MASK), KMEM_UTCB);
	give_back(ram + (pd[0] & PAGE_MASK), KMEM_PT);
	give_back(a.nt[0], KMEM_NT);
	a.nt[0] = NULL;
	a.v.reap_pde = 1;
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* Phase 3 gives the node pages back: the list is shorter than the count
 * and the free nodes lie in pages given back.  Only a dying task may be
 * so: the same state in a live one breaks rule 43. */
START_TEST(dying_task_node_pages_passes)
{
	uint32_t *pd = (uint32_t *)a.v.pdir;

	reap_mappings();
	give_back(ram + (*pte(&a, 0x3F0000) & PAGE_MASK), KMEM_UTCB);
	give_back(ram + (pd[0] & PAGE_MASK), KMEM_PT);
	for (unsigned i = 0; i < SC_NODE_PDES; i++)
		if (a.nt[i]) {
			give_back(a.nt[i], KMEM_NT);
			a.nt[i] = NULL;
		}
	give_back(a.bm[0], KMEM_PT);
	a.bm[0] = NULL;
	a.bm_phys[0] = 0;
	a.v.reap_pde = SC_NODE_PDES;
	give_back((void *)a.v.node_pages, KMEM_MAP);
	a.v.node_pages = NULL;
	ck_assert_uint_eq(check(), 0);
	a.v.dying = false;
	ck_assert_uint_eq(check(), LENT_SC_NODE_PAGES);
}
END_TEST

START_TEST(rule_frame_entry)
{
	frame_lend(u3, A_ID, (uint32_t)lent_cid_pt(5u << 22), KMEM_NT);   /* a kind not its CID's */
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ENTRY);
}
END_TEST

START_TEST(rule_frame_chain)
{
	frame_view_t v;
	uint32_t i = a.v.pdir_phys >> PAGE_SHIFT;

	frame_table_view(&v);
	((frame_t *)v.frames)[i].next = i;     /* a chain that loops */
	ck_assert_uint_eq(check(), LENT_SC_FRAME_CHAIN);
}
END_TEST

START_TEST(rule_frame_orphan)
{
	frame_lend(u3, 9, LENT_CID_TASK, KMEM_TASK);     /* a task that is gone */
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ORPHAN);
}
END_TEST

/* A frame lent ahead to A, unbound (kernel/kmem_ahead.c): at A's first
 * reserve slot, counted by A's record. */
START_TEST(reserve_passes)
{
	frame_lend(u3, A_ID, SC_AHEAD_CID(0), SC_AHEAD_KIND);
	a.v.ahead = 1;
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* One A does not count: held by no task. */
START_TEST(reserve_uncounted_is_orphan)
{
	frame_lend(u3, A_ID, SC_AHEAD_CID(0), SC_AHEAD_KIND);
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ORPHAN);
}
END_TEST

/* A counts one that is not there, or not at its first slot. */
START_TEST(reserve_missing_breaks_account)
{
	a.v.ahead = 1;
	ck_assert_uint_eq(check(), LENT_SC_ACCOUNT);
	frame_lend(u3, A_ID, SC_AHEAD_CID(1), SC_AHEAD_KIND);
	ck_assert_uint_eq(check(), LENT_SC_ACCOUNT);
}
END_TEST

/* A slot past the bound is no reserve slot. */
START_TEST(reserve_past_bound_breaks_entry)
{
	frame_lend(u3, A_ID, SC_AHEAD_CID(LENT_KAHEAD_MAX), SC_AHEAD_KIND);
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ENTRY);
}
END_TEST

/* sigma0's node pages run on past the window (the split database's roots
 * of 3 GB fill about 18,150): a frame lent to sigma0 for node page 12,288
 * is a legal entry (unheld here, so an orphan), one at the end of
 * sigma0's node pages is not (kernel/kmem_sigma0_cid.h). */
START_TEST(sigma0_node_page_past_window)
{
	counts.store_given = 1;
	frame_lend(u3, S0_ID, (uint32_t)lent_cid_nth(LENT_KMEM_MAP, 12288), KMEM_MAP);
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ORPHAN);
	frame_unlend(u3);
	frame_lend(u3, S0_ID, (uint32_t)lent_cid_nth(LENT_KMEM_MAP, KMEM_SIGMA0_MAP_PAGES - 1),
		   KMEM_MAP);
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ORPHAN);
	frame_unlend(u3);
	frame_lend(u3, S0_ID, KMEM_SIGMA0_MAP_END, KMEM_MAP);
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ENTRY);
}
END_TEST

START_TEST(rule_pool)
{
	counts.free_pages--;
	ck_assert_uint_eq(check(), LENT_SC_POOL);
}
END_TEST

START_TEST(rule_store)
{
	counts.store_free = 1;
	counts.store_given = 1;
	ck_assert_uint_eq(check(), LENT_SC_STORE);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("selfcheck_frame");
	TCase *t = tcase_create("rules");

	tcase_add_checked_fixture(t, world_setup, world_teardown);
	tcase_add_test(t, dying_task_tables_passes);
	tcase_add_test(t, dying_task_node_pages_passes);
	tcase_add_test(t, rule_frame_entry);
	tcase_add_test(t, rule_frame_chain);
	tcase_add_test(t, rule_frame_orphan);
	tcase_add_test(t, reserve_passes);
	tcase_add_test(t, reserve_uncounted_is_orphan);
	tcase_add_test(t, reserve_missing_breaks_account);
	tcase_add_test(t, reserve_past_bound_breaks_entry);
	tcase_add_test(t, sigma0_node_page_past_window);
	tcase_add_test(t, rule_pool);
	tcase_add_test(t, rule_store);
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
