/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A kpager's edits of the node pages it holds for task A (t_kpre_map.c's
 * kpager, issue 7): a forged frame, another task's id, a part remade to
 * name another page of B's are refused (the page comes back empty) or
 * harmless (B's own data unchanged).
 */
#include "t_kpre_map_int.h"
#include "t_pool.h"
#include <lent/kmem.h>

/* Take back A's node pages, and edit word `at` past the start of the
 * record of MK_AW (a negative-free offset: 0 is the record's first word;
 * MK_HDR for its page's header) to val when the kernel asks for it. */
static L4_Word_t mk_refused_before;

int mk_edit_taken(void)
{
	return mk.edit_cid == 0 && mk.refused == mk_refused_before;
}

const char *mk_edit_record(L4_ThreadId_t a, L4_Word_t at, L4_Word_t val)
{
	L4_Word_t count, cid, rec;

	mk_refused_before = mk.refused;
	RUN(mk_take_pages(a, &count));
	CHECK((rec = mk_record_of(MK_AW, &cid)) != 0);
	mk.edit_at = at == MK_HDR ? 0 : rec;
	mk.edit_at += at == MK_HDR ? 3 : at;
	mk.edit_val = val;
	mk.edit_cid = cid;
	return 0;
}

/* A kpager's edits are refused or harmless.  A frame where the kernel
 * keeps one (bytes 32-35 of a record) and another task's id in a page's
 * header are refused: the page comes back empty, A's mappings in it
 * fault again.  Another task's id as a record's parent is accepted and
 * dead.  A part of A's naming another page of B's is refused (its seal
 * is no longer the kernel's: the page comes back empty) and gives B
 * nothing: B's mapping from A faults, B's own data is unchanged. */
const char *t_kpre_map_forged_refused_or_harmless(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	L4_Word_t bid = lent_kmem_control(b.raw, LENT_KMEM_TASK_ID, 0);
	CHECK(bid != 0);
	RUN(mk_edit_record(a, 8, page));
	RUN(mk_faults_then_reads(a, MK_AW, page));
	CHECK_EQ(mk.edit_cid, 0);
	RUN(mk_edit_record(a, MK_HDR, bid));
	RUN(mk_faults_then_reads(a, MK_AW, page));
	CHECK_EQ(mk.edit_cid, 0);
	RUN(mk_edit_record(a, 2, bid));
	RUN(mk_faults_then_reads(a, MK_AW, page));
	CHECK_EQ(mk.edit_cid, 0);
	/* A's part of the edge to B at MK_BW, made to name B's data page. */
	RUN(mk_pass(a, b, MK_AW, 0));
	RUN(t_ag_reads(b, MK_BW, MK_MARK));
	L4_Word_t count, cid = 0, part = 0;
	RUN(mk_take_pages(a, &count));
	for (int f = 0; !part && f < MK_FORMS; f++) {
		const volatile L4_Word_t *w = (const volatile L4_Word_t *)mk.form[f];
		for (L4_Word_t k = 1; w && lent_cid_kind(mk.cid[f]) == LENT_KMEM_MAP && k < 85; k++)
			if ((w[k * MK_ENT_WORDS] & 0xff) == 2 && w[k * MK_ENT_WORDS + 3] == MK_BW) {
				part = k * MK_ENT_WORDS;
				cid = mk.cid[f];
				break;
			}
	}
	CHECK(part != 0);
	mk.edit_at = part + 3;
	mk.edit_val = bdata & ~(RT_PAGE_SIZE - 1);
	mk.edit_cid = cid;
	RUN(mk_faults_then_reads(b, MK_BW, page));
	RUN(t_kpre_works(b, bdata));
	CHECK_EQ(mk.refused, 0);
	return mk_end(a, b);
}

/* The word of A's kept node pages where the part of A's edge to task
 * bid's page bva begins, its CID into *cid; 0 if none. */
static L4_Word_t mk_part_of(L4_Word_t bid, L4_Word_t bva, L4_Word_t *cid)
{
	for (int f = 0; f < MK_FORMS; f++) {
		const volatile L4_Word_t *w = (const volatile L4_Word_t *)mk.form[f];
		if (!w || lent_cid_kind(mk.cid[f]) != LENT_KMEM_MAP || mk.who[f] != mk_who)
			continue;
		for (L4_Word_t k = 1; k < 85; k++)
			if ((w[k * MK_ENT_WORDS] & 0xff) == 2 && w[k * MK_ENT_WORDS + 2] == bid &&
			    w[k * MK_ENT_WORDS + 3] == bva) {
				*cid = mk.cid[f];
				return k * MK_ENT_WORDS;
			}
	}
	return 0;
}

/*
 * Root -> A -> B, A's record of MK_AW in one node page and the part of
 * its edge to B in another (128 records of pages of the root's fill A's
 * first page before the part is made).  The part's page away, A revokes
 * what it gave (its own mapping kept): A's record takes a new epoch, the
 * part is not reached.  A's kpager then writes that epoch (it reads it
 * in A's record, taken back too) into the part before it gives the page
 * back.  The part's seal no longer matches: the page is refused (taken
 * as an empty one) and B's access faults to its pager.  Before the seal
 * the part attached and B read the page again (docs/mapdb-split.md, "A
 * part remade under its owner's new epoch").
 */
#define MK_FILL_AT	0x61000000UL    /* in A's window: 2 x 64 pages */
#define MK_FILL_LOG2	18
const char *t_kpre_map_remade_part_refused(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0, count, res[5], sec, cid_rec, cid_part, rec, part;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	/* A's code for sending and unmapping run once, so that the records
	 * of the pages it runs on are in its first node page. */
	L4_Word_t bid = lent_kmem_control(b.raw, LENT_KMEM_TASK_ID, 0);
	L4_Word_t nothing[2] = { 0, L4_FpageAddRights(L4_FpageLog2(MK_AW + 2 * RT_PAGE_SIZE, 12),
						      L4_FullyAccessible).raw };
	RUN(mk_pass(a, b, MK_AW, RT_PAGE_SIZE));
	CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_UNMAP, 2, nothing)));
	L4_Word_t fill = t_pool(T_POOL_MK_FILL, 1 << (MK_FILL_LOG2 - 12));
	CHECK(fill && !(fill & ((1UL << MK_FILL_LOG2) - 1)));
	for (L4_Word_t i = 0; i < 2; i++) {
		L4_Word_t at = MK_FILL_AT + (i << MK_FILL_LOG2);
		RUN(t_ag_accept(a, at, MK_FILL_LOG2));
		RUN(t_ag_give_map(a, t_map_item(fill, MK_FILL_LOG2, L4_Readable, 0), res, &sec));
		CHECK_EQ(sec, 0);
	}
	RUN(t_ag_accept(a, MK_AW, 22));
	RUN(mk_pass(a, b, MK_AW, 0));
	RUN(t_ag_reads(b, MK_BW, MK_MARK));
	/* Where the record and the part are. */
	RUN(mk_take_pages(a, &count));
	CHECK((rec = mk_record_of(MK_AW, &cid_rec)) != 0);
	CHECK((part = mk_part_of(bid, MK_BW, &cid_part)) != 0);
	CHECK(cid_rec != cid_part);
	/* Both back (B's access needs them), then the part's page away. */
	RUN(t_ag_reads(b, MK_BW, MK_MARK));
	RUN(mk_take_back(cid_part));
	/* A revokes what it gave, keeping its own mapping. */
	L4_Word_t fp = L4_FpageAddRights(L4_FpageLog2(MK_AW, 12), L4_FullyAccessible).raw;
	L4_Word_t w[2] = { 0, fp };
	CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_UNMAP, 2, w)));
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	/* A's record's new epoch, read in its page taken back. */
	RUN(mk_take_back(cid_rec));
	const volatile L4_Word_t *r = (const volatile L4_Word_t *)mk.form[mk_form_of(cid_rec)];
	const volatile L4_Word_t *pp = (const volatile L4_Word_t *)mk.form[mk_form_of(cid_part)];
	CHECK_EQ(r[rec + 1], MK_AW);
	CHECK_EQ(pp[part + 7], r[rec + 7]);            /* high words alike */
	CHECK(pp[part + 6] != r[rec + 6]);             /* the part's epoch is old */
	mk.edit_at = part + 6;
	mk.edit_val = r[rec + 6];
	mk.edit_cid = cid_part;
	/* B's access: A's pages come back, the part's edited: B faults. */
	RUN(mk_faults_then_reads(b, MK_BW, page));
	CHECK_EQ(mk.edit_cid, 0);
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	return mk_end(a, b);
}
