/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Access bits and memory type across kernel pages taken back
 * (docs/abi.md, "Unmap" and "MemoryControl"; docs/mapdb-split.md, "Access
 * bits and memory type").  Task A has t_kpre_map.c's kpager, which keeps
 * the external form of every page the root takes back and gives it back
 * when the kernel asks.  The root maps A its page P1 at MK_AW (and P2 at
 * MK_AW + 4 KB); A touches P1; the root takes back A's page table, node
 * pages or node table, then asks for P1's status (Unmap, rights 0).
 *
 * Checked: the status reports exactly what A did (read: referenced, not
 * written; written: both; untouched: neither) as if the table had
 * stayed, and the next status reports nothing.  While A's record of P1
 * is itself away (its node page or node table with the kpager) the same
 * holds: its bits went up to the root's record when it went
 * (docs/mapdb-split.md, "Access bits and memory type"), and once it is
 * back (A touches P2, whose record shares the page or table) there is
 * nothing more to report.  A kpager that writes both bits into A's
 * record in the page it gives back changes nothing the root sees.
 * A page the root gave a memory
 * type (MemoryControl, write-through) before mapping it keeps that type
 * in A's translation when the kernel puts it back (the self-check's rule
 * LENT_SC_PTE_TYPE compares every translation with its record).  A
 * record's byte 3 that a kpager made a type or bits the kernel never
 * writes is refused.
 */
#include "t_kpre_map.h"
#include <lent/kmem.h>

#define AB_P2		(MK_AW + RT_PAGE_SIZE)
#define AB_MARK2	0x61623232UL
#define AB_WT		2               /* X.2 IA-32 memory attribute: write-through */
#define AB_DEFAULT	0

/* The status of the root's page p: Unmap with no rights. */
static L4_Fpage_t ab_status(L4_Word_t p)
{
	return L4_GetStatus(L4_FpageLog2(p, 12));
}

/* p's status is exactly referenced r, written w. */
static const char *ab_bits(L4_Word_t p, int r, int w)
{
	L4_Fpage_t st = ab_status(p);

	CHECK_EQ(!!L4_WasReferenced(st), r);
	CHECK_EQ(!!L4_WasWritten(st), w);
	return 0;
}

/* A and its kpager, P1 mapped at MK_AW, and a second page *p2 of the
 * root's (holding AB_MARK2, memory type attr) mapped at AB_P2; both
 * pages' bits reset.  *skip where nothing is taken back. */
static const char *ab_begin(L4_ThreadId_t *a, L4_ThreadId_t *b, L4_Word_t *p1, L4_Word_t *p2,
			    L4_Word_t attr, int *skip)
{
	L4_Word_t bdata, res[5], sec, at[4] = { attr, 0, 0, 0 };

	*p1 = 0;
	RUN(mk_begin(a, b, &bdata, p1, skip));
	if (*skip)
		return 0;
	*p2 = rt_get_pages(1);
	CHECK(*p2 != 0);
	*(volatile L4_Word_t *)*p2 = AB_MARK2;
	L4_LoadMR(0, L4_FpageLog2(*p2, 12).raw);
	CHECK_EQ(L4_MemoryControl(0, at), 1);
	RUN(t_ag_give_map(*a, t_map_item(*p2, 12, L4_FullyAccessible, RT_PAGE_SIZE), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(*a, AB_P2, AB_MARK2));
	(void)ab_status(*p1);
	(void)ab_status(*p2);
	RUN(ab_bits(*p1, 0, 0));
	return 0;
}

static const char *ab_end(L4_ThreadId_t a, L4_ThreadId_t b, L4_Word_t p2)
{
	L4_Word_t at[4] = { AB_DEFAULT, 0, 0, 0 };

	L4_LoadMR(0, L4_FpageLog2(p2, 12).raw);
	CHECK_EQ(L4_MemoryControl(0, at), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return mk_end(a, b);
}

static const char *ab_write(L4_ThreadId_t a, L4_Word_t va, L4_Word_t v)
{
	L4_Word_t w[2] = { va, v };

	CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_WRITE, 2, w)));
	return 0;
}

/* P1 with A's record of it away, read (w 0) or written (w 1) by A
 * before: exactly that, once; then A reads P2, whose record shares the
 * page or table, which brings it back: nothing more.  A's read of P1
 * then (resolved again) is reported once more, alone. */
static const char *ab_away_then_back(L4_ThreadId_t a, L4_Word_t p1, int w)
{
	RUN(ab_bits(p1, 1, w));
	RUN(ab_bits(p1, 0, 0));
	RUN(t_ag_reads(a, AB_P2, AB_MARK2));
	RUN(ab_bits(p1, 0, 0));
	RUN(t_ag_reads(a, MK_AW, MK_MARK + (L4_Word_t)w));
	RUN(ab_bits(p1, 1, 0));
	return ab_bits(p1, 0, 0);
}

/* A's page table of MK_AW taken back: written, then read only. */
static const char *t_accessbits_away_page_table(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t p1, p2;
	int skip;

	RUN(ab_begin(&a, &b, &p1, &p2, AB_DEFAULT, &skip));
	if (skip)
		return 0;
	RUN(ab_write(a, MK_AW, MK_MARK + 1));
	RUN(mk_take_back(lent_cid_pt(MK_AW)));
	RUN(ab_bits(p1, 1, 1));
	RUN(ab_bits(p1, 0, 0));
	/* Read only: the table comes back with the read, goes again. */
	RUN(t_ag_reads(a, MK_AW, MK_MARK + 1));
	RUN(mk_take_back(lent_cid_pt(MK_AW)));
	RUN(ab_bits(p1, 1, 0));
	RUN(ab_bits(p1, 0, 0));
	RUN(t_ag_reads(a, MK_AW, MK_MARK + 1));
	RUN(ab_bits(p1, 1, 0));
	return ab_end(a, b, p2);
}

/* Take back A's node pages (all of them), or the node table of MK_AW's
 * slot. */
static const char *ab_take_node_pages(L4_ThreadId_t a)
{
	L4_Word_t count;

	return mk_take_pages(a, &count);
}

static const char *ab_take_node_table(L4_ThreadId_t a)
{
	(void)a;
	return mk_take_back(lent_cid_nt(MK_AW));
}

/* What A's record keeps, taken away by take after a read of P1, after a
 * write, and untouched: exactly that while it is away, and nothing again
 * once it is back. */
static const char *ab_away_read_write_untouched(const char *(*take)(L4_ThreadId_t))
{
	L4_ThreadId_t a, b;
	L4_Word_t p1, p2;
	int skip;

	RUN(ab_begin(&a, &b, &p1, &p2, AB_DEFAULT, &skip));
	if (skip)
		return 0;
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	RUN(take(a));
	RUN(ab_away_then_back(a, p1, 0));
	RUN(ab_write(a, MK_AW, MK_MARK + 1));
	RUN(take(a));
	RUN(ab_away_then_back(a, p1, 1));
	/* Untouched since the last status: nothing, away or back. */
	RUN(take(a));
	RUN(ab_bits(p1, 0, 0));
	RUN(t_ag_reads(a, AB_P2, AB_MARK2));
	RUN(ab_bits(p1, 0, 0));
	return ab_end(a, b, p2);
}

/* A's node pages taken back. */
static const char *t_accessbits_away_node_page(void)
{
	return ab_away_read_write_untouched(ab_take_node_pages);
}

/* A's node table of MK_AW's slot taken back. */
static const char *t_accessbits_away_node_table(void)
{
	return ab_away_read_write_untouched(ab_take_node_table);
}

/* A's kpager gives A's node page back with both access bits set in A's
 * record of MK_AW (byte 3: 0x18; the kernel takes the page): the root,
 * whose Unmap reads A's bits, sees only what A did, whether its status
 * comes before the edited page is back or after. */
static const char *t_accessbits_away_edited_bits(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t p1, p2;
	int skip;

	RUN(ab_begin(&a, &b, &p1, &p2, AB_DEFAULT, &skip));
	if (skip)
		return 0;
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	RUN(mk_edit_record(a, 0, 0x18000701UL));
	RUN(ab_bits(p1, 1, 0));
	RUN(t_ag_reads(a, AB_P2, AB_MARK2));
	CHECK(mk_edit_taken());
	RUN(ab_bits(p1, 0, 0));
	/* Untouched: the edited page back before any status. */
	RUN(mk_edit_record(a, 0, 0x18000701UL));
	RUN(t_ag_reads(a, AB_P2, AB_MARK2));
	CHECK(mk_edit_taken());
	RUN(ab_bits(p1, 0, 0));
	/* Read: the edited page back, then the status. */
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	RUN(mk_edit_record(a, 0, 0x18000701UL));
	RUN(t_ag_reads(a, AB_P2, AB_MARK2));
	CHECK(mk_edit_taken());
	RUN(ab_bits(p1, 1, 0));
	RUN(ab_bits(p1, 0, 0));
	return ab_end(a, b, p2);
}

/* P2 write-through before it was mapped: A's translation of it is
 * write-through, and stays so when the kernel puts it back after its
 * page table, its node pages or its node table went. */
static const char *t_accessbits_away_memory_type(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t p1, p2, count;
	int skip;

	RUN(ab_begin(&a, &b, &p1, &p2, AB_WT, &skip));
	if (skip)
		return 0;
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	RUN(mk_take_back(lent_cid_pt(AB_P2)));
	RUN(t_ag_reads(a, AB_P2, AB_MARK2));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	RUN(mk_take_pages(a, &count));
	RUN(t_ag_reads(a, AB_P2, AB_MARK2));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	RUN(mk_take_back(lent_cid_nt(AB_P2)));
	RUN(t_ag_reads(a, AB_P2, AB_MARK2));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return ab_end(a, b, p2);
}

/* Byte 3 of A's record of MK_AW (its word 0: kind 1, rights 7): a
 * memory type the kernel never writes (5), or a bit outside the type
 * and the two access bits, is refused: the page comes back empty, and
 * A's read faults to its pager.  Write-through, a type MemoryControl
 * gives, is taken; A's parent's page has the default and A may not set
 * one (MemoryControl is privileged), so A's record resolves with the
 * default (the self-check compares its translation with it). */
static const char *t_accessbits_away_byte3_checked(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t p1, p2;
	int skip;

	RUN(ab_begin(&a, &b, &p1, &p2, AB_DEFAULT, &skip));
	if (skip)
		return 0;
	RUN(mk_edit_record(a, 0, 0x05000701UL));
	RUN(mk_faults_then_reads(a, MK_AW, p1));
	RUN(mk_edit_record(a, 0, 0x20000701UL));
	RUN(mk_faults_then_reads(a, MK_AW, p1));
	RUN(mk_edit_record(a, 0, 0x01000701UL));
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return ab_end(a, b, p2);
}

const struct test accessbits_away_tests[] = {
	TEST(accessbits_away_page_table),
	TEST(accessbits_away_node_page),
	TEST(accessbits_away_node_table),
	TEST(accessbits_away_edited_bits),
	TEST(accessbits_away_memory_type),
	TEST(accessbits_away_byte3_checked),
	{ 0 }
};
