/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the self-check's rules over the frame table and the
 * totals (kernel/selfcheck_frame.c), and over a task stopped in each
 * phase of its teardown, as the split mapping database's build compiles
 * them, on the world of selfcheck_world.h: one test (at least)
 * for every place these rules fail.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "selfcheck_world.h"

/* The frame table's entries and buckets, to break by hand. */
static frame_t *frames(void)
{
	frame_view_t v;

	frame_table_view(&v);
	return (frame_t *)v.frames;
}

/* ---- a task being torn down (kernel/space_reap.c) ---- */

/* Phase 1: every mapping gone (the ports denied), and the database's
 * own task death (ms_task_delete_part, at phase 2's start). */
static void reap_mappings(void)
{
	db_unmap(&a, 0x1000, RIGHTS_ALL, true);
	db_unmap(&a, port_va, RIGHTS_ALL, true);
	ms_task_delete(&a.ms);
	recount(&a);
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
	a.v.lent--;
}

/* Phase 2 done: every table given back (the directory's entry of the
 * first page table left as it was), the bitmap too, and phase 3's first
 * step: the count of free entries zeroed (it allocates nothing more). */
static void reap_tables(void)
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
	a.ms.nfree = a.ms.room = 0;
}

/* Phase 2 has freed the tables of the first 4 MB: the directory entry
 * still names the page table it gave back, the UTCB page went with it. */
START_TEST(dying_task_tables_passes)
{
	uint32_t *pd = (uint32_t *)a.v.pdir;

	reap_mappings();
	ck_assert_uint_eq(a.v.mapped_pages, 0);
	ck_assert(!iobm_allowed(a.bm[0], 0x60));
	give_back(ram + (*pte(&a, 0x3F0000) & PAGE_MASK), KMEM_UTCB);
	give_back(ram + (pd[0] & PAGE_MASK), KMEM_PT);
	give_back(a.nt[0], KMEM_NT);
	a.nt[0] = NULL;
	a.v.reap_pde = 1;
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* Phase 3 gives the node pages back, the last first, the count going
 * down with them (space_nodes_free): the node pages need no leave from
 * rule 43 in a dying task, as the tree database's do. */
START_TEST(dying_task_node_pages_passes)
{
	uint32_t *pd = (uint32_t *)a.v.pdir;

	reap_tables();
	void *last = ms_page(&a.ms, 0);
	a.ms.pages = a.v.node_page_count = 0;
	give_back(last, KMEM_MAP);
	ck_assert_uint_eq(check(), 0);
	/* Live, only the directory's entry of a table given back breaks a
	 * rule; without it, the node pages' state passes. */
	a.v.dying = false;
	BREAKS(LENT_SC_KPAGE, lent_cid_pt(0));
	pd[0] = 0;
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* Phase 3's first step: the task's count of free entries zeroed, its
 * pages not yet gone.  Only a dying task may be so: the same state in a
 * live one breaks rule 42. */
START_TEST(dying_task_free_entries_pass)
{
	reap_tables();
	((uint32_t *)a.v.pdir)[0] = 0;
	ck_assert_uint_eq(check(), 0);
	a.v.dying = false;
	BREAKS(LENT_SC_FREE_NODES, MS_ENTS - 1);
}
END_TEST

/* ---- the frame table (sc_check_frames) ---- */

START_TEST(rule_frame_chain)
{
	uint32_t i = a.v.pdir_phys >> PAGE_SHIFT;

	frames()[i].next = i;      /* a chain that loops */
	ck_assert_uint_eq(check(), LENT_SC_FRAME_CHAIN);
}
END_TEST

START_TEST(rule_frame_entry_owner)
{
	frames()[kip >> PAGE_SHIFT].kind = FRAME_OWNERS;   /* no such category */
	BREAKS(LENT_SC_FRAME_ENTRY, kip);
}
END_TEST

START_TEST(rule_frame_entry)
{
	frame_lend(u3, A_ID, (uint32_t)lent_cid_pt(5u << 22), KMEM_NT);   /* a kind not its CID's */
	BREAKS(LENT_SC_FRAME_ENTRY, u3);
}
END_TEST

/* A second entry lent at the place of A's directory, first on its chain:
 * a lookup of the directory's place finds the other. */
START_TEST(rule_frame_chain_twin)
{
	frame_view_t v;
	frame_t *fr = frames();
	uint32_t i = u3 >> PAGE_SHIFT, d = a.v.pdir_phys >> PAGE_SHIFT;
	uint32_t b = frame_bucket(A_ID, LENT_CID_PDIR);

	frame_table_view(&v);
	fr[i] = fr[d];
	fr[i].next = v.buckets[b];
	((uint32_t *)v.buckets)[b] = i;
	BREAKS(LENT_SC_FRAME_CHAIN, a.v.pdir_phys);
}
END_TEST

START_TEST(rule_frame_entry_type)
{
	frames()[u3 >> PAGE_SHIFT].type = FRAME_T_LENT + 1;
	BREAKS(LENT_SC_FRAME_ENTRY, u3);
}
END_TEST

static void count_one_more(frame_view_t *fv)
{
	fv->lent_count++;
}

START_TEST(rule_frame_chain_count)
{
	view_edit = count_one_more;   /* the table's count of lent frames */
	ck_assert_uint_eq(check(), LENT_SC_FRAME_CHAIN);
}
END_TEST

/* A kernel frame the table's counts by category do not know. */
START_TEST(rule_frame_entry_count)
{
	frames()[u3 >> PAGE_SHIFT].type = FRAME_T_KERNEL;
	frames()[u3 >> PAGE_SHIFT].kind = FRAME_OWN_OTHER;
	BREAKS(LENT_SC_FRAME_ENTRY, FRAME_OWN_OTHER);
}
END_TEST

/* ---- the totals (sc_check_totals) and a task's reserve ---- */

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

/* The same, the lent frames' sum made up by a record counted as lent
 * for a task being made: the reserves' own sums still differ. */
START_TEST(reserve_uncounted_beside_record)
{
	frame_lend(u3, A_ID, SC_AHEAD_CID(0), SC_AHEAD_KIND);
	counts.unhoused_records = 1;
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ORPHAN);
}
END_TEST

/* A counts one that is not there, or not at its first slot. */
START_TEST(reserve_missing_breaks_account)
{
	a.v.ahead = 1;
	BREAKS(LENT_SC_ACCOUNT, SC_AHEAD_CID(0));
	frame_lend(u3, A_ID, SC_AHEAD_CID(1), SC_AHEAD_KIND);
	BREAKS(LENT_SC_ACCOUNT, SC_AHEAD_CID(0));
}
END_TEST

/* A slot past the bound is no reserve slot. */
START_TEST(reserve_past_bound_breaks_entry)
{
	frame_lend(u3, A_ID, SC_AHEAD_CID(LENT_KAHEAD_MAX), SC_AHEAD_KIND);
	BREAKS(LENT_SC_FRAME_ENTRY, u3);
}
END_TEST

START_TEST(rule_pool)
{
	counts.free_pages--;
	ck_assert_uint_eq(check(), LENT_SC_POOL);
}
END_TEST

/* In the lent build the pool's pages in use are boot's tasks'. */
START_TEST(rule_pool_boot_tasks)
{
	counts.boot_task_pages++;
	ck_assert_uint_eq(check(), LENT_SC_POOL);
}
END_TEST

/* In the pool build no page is counted as boot's. */
START_TEST(rule_pool_build)
{
	counts.pool_build = true;
	ck_assert_uint_eq(check(), LENT_SC_POOL);
}
END_TEST

/* A frame of sigma0's boot reserve that it holds nothing in. */
START_TEST(rule_pool_reserve)
{
	frame_mark_kernel(u3, u3 + PAGE_SIZE, FRAME_OWN_SIGMA0_RESERVE);
	BREAKS(LENT_SC_POOL, 0);
}
END_TEST

START_TEST(rule_store)
{
	counts.store_free = 1;
	counts.store_given = 1;
	ck_assert_uint_eq(check(), LENT_SC_STORE);
}
END_TEST

/* sigma0 was given a frame of its store the table does not hold. */
START_TEST(rule_store_given)
{
	counts.store_given = 1;
	ck_assert_uint_eq(check(), LENT_SC_STORE);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		dying_task_tables_passes, dying_task_node_pages_passes, dying_task_free_entries_pass,
		rule_frame_chain, rule_frame_entry_owner, rule_frame_entry, rule_frame_chain_twin,
		rule_frame_entry_type, rule_frame_chain_count, rule_frame_entry_count,
		rule_frame_orphan, reserve_passes, reserve_uncounted_is_orphan,
		reserve_uncounted_beside_record, reserve_missing_breaks_account,
		reserve_past_bound_breaks_entry, rule_pool, rule_pool_boot_tasks, rule_pool_build,
		rule_pool_reserve, rule_store, rule_store_given,
		NULL
	};

	return unit_run("selfcheck_frame_split", "rules", tests, world_setup, world_teardown);
}
