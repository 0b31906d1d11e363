/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Node pages and node tables taken back (issue 7;
 * kernel/space_split_away.c, docs/kernel-memory.md "Mapping nodes and
 * node tables").  Task A's kernel memory is lent by this file's kpager,
 * which keeps the external form of every page the root takes back and
 * gives it back, into another frame of its pool, when the kernel asks
 * for that content identifier (edited, where a test says so).  Task B
 * has t_kpre_kp.c's logging kpager.  Both are agents whose pager is main.
 *
 * Checked: a 100-deep chain root -> A -> B -> A ... -> B whose node pages
 * in A go away still gives its leaf the right data after a fault, and an
 * Unmap at the root still revokes the leaf at once; a node table taken
 * back while its client keeps working; an old node page replayed gives
 * no revoked mapping back; an Unmap while the receiver's part is away
 * revokes it all the same.  The kpager's edits (a forged frame or another
 * task's id in a page: refused or harmless) are t_kpre_map_forged.c.
 */
#include "t_kpre_map.h"
#include "t_kpre_map_int.h"
#include "t_pool.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

#define MK_POOL		40
#define MK_HOPS		50              /* A -> B hops: 100 edges below the root */
#define MK_MAGIC	0x3153534cUL    /* a node page's "LSS1" */
_Static_assert(T_POOL_MK + MK_POOL <= T_POOL_MK_FORMS &&
	       T_POOL_MK_FORMS + MK_FORMS <= T_POOL_PAGES,
	       "t_pool.h's slices for this file overlap");

volatile struct mk_kpager mk;
static L4_ThreadId_t mk_thread;
L4_Word_t mk_who;

L4_Word_t mk_take(void)
{
	for (L4_Word_t i = 0; i < mk.pages; i++) {
		L4_Word_t page = mk.pool + i * RT_PAGE_SIZE;
		if (!lent_kmem_control(0, LENT_KMEM_LENT, page))
			return page;
	}
	return 0;
}

static int mk_form_for(L4_Word_t who, L4_Word_t cid)
{
	for (int i = 0; i < MK_FORMS; i++)
		if (mk.form[i] && mk.cid[i] == cid && mk.who[i] == who)
			return i;
	return -1;
}

int mk_form_of(L4_Word_t cid)
{
	return mk_form_for(mk_who, cid);
}

/* Fill page for who's cid: a copy of its form, edited if edit. */
static void mk_fill(L4_Word_t page, L4_Word_t who, L4_Word_t cid, int edit)
{
	int f = mk_form_for(who, cid);

	if (!page || f < 0)
		return;
	const volatile L4_Word_t *s = (const volatile L4_Word_t *)mk.form[f];
	volatile L4_Word_t *d = (volatile L4_Word_t *)page;
	for (unsigned w = 0; w < RT_PAGE_SIZE / sizeof(L4_Word_t); w++)
		d[w] = s[w];
	if (edit)
		d[mk.edit_at] = mk.edit_val;
}

static void mk_loop(L4_Word_t arg)
{
	L4_ThreadId_t from;

	(void)arg;
	for (;;) {
		L4_MsgTag_t tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		L4_Word_t cid = rt_mr(1), who = rt_mr(3), page = mk_take(), ec = 0;
		int edit = mk.edit_cid && mk.edit_cid == cid && mk_form_for(who, cid) >= 0;
		mk_fill(page, who, cid, edit);
		/* Logged before the answer: the client, and main after it,
		 * may run before this thread runs again. */
		if (edit)
			mk.edit_cid = 0;
		mk.log_cid[mk.n % MK_LOG] = cid;
		mk.log_page[mk.n % MK_LOG] = page;
		mk.log_who[mk.n % MK_LOG] = who;
		mk.n++;
		if (!kpager_answer(from, page, &ec)) {
			/* Not taken (a node page the kernel refuses it takes
			 * as an empty one): the client still waits; a clean
			 * copy. */
			mk.refused++;
			mk.last_ec = ec;
			mk_fill(page, who, cid, 0);
			(void)kpager_answer(from, page, &ec);
		}
	}
}

/* The page of our pool lent now at cid, or 0. */
static L4_Word_t mk_page_of(L4_Word_t cid)
{
	for (L4_Word_t i = 0; i < mk.n && i < MK_LOG; i++)
		if (mk.log_cid[i] == cid && mk.log_who[i] == mk_who && mk.log_page[i] &&
		    lent_kmem_control(0, LENT_KMEM_LENT, mk.log_page[i]))
			return mk.log_page[i];
	return 0;
}

/* Take back the page lent at cid, keeping its external form. */
const char *mk_take_back(L4_Word_t cid)
{
	L4_Word_t page = mk_page_of(cid);
	int f = mk_form_of(cid);

	CHECK(page != 0);
	for (int i = 0; f < 0 && i < MK_FORMS; i++)
		if (!mk.form[i] || mk.cid[i] == ~0UL)
			f = i;
	CHECK(f >= 0);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
	L4_Word_t store = t_pool(T_POOL_MK_FORMS + (L4_Word_t)f, 1);
	CHECK(store != 0);
	const volatile L4_Word_t *s = (const volatile L4_Word_t *)page;
	volatile L4_Word_t *d = (volatile L4_Word_t *)store;
	for (unsigned w = 0; w < RT_PAGE_SIZE / sizeof(L4_Word_t); w++)
		d[w] = s[w];
	mk.cid[f] = cid;
	mk.who[f] = mk_who;
	mk.form[f] = store;
	return 0;
}

/* A copy of kept form f in a fresh page of ours (what a kpager that
 * kept an older export gives back later), or 0. */
static L4_Word_t mk_copy(int f)
{
	L4_Word_t page = f >= 0 ? rt_get_pages(1) : 0;

	for (unsigned w = 0; page && w < RT_PAGE_SIZE / sizeof(L4_Word_t); w++)
		((volatile L4_Word_t *)page)[w] = ((const volatile L4_Word_t *)mk.form[f])[w];
	return page;
}

/* Take back every node page of the task mk_who names (t): *count of them. */
const char *mk_take_pages(L4_ThreadId_t a, L4_Word_t *count)
{
	L4_Word_t before = t_kplog_count(a, LENT_KMEM_MAP);

	*count = 0;
	for (L4_Word_t n = 0; n < 8; n++) {
		L4_Word_t cid = lent_cid_nth(LENT_KMEM_MAP, n);
		if (!mk_page_of(cid))
			continue;
		RUN(mk_take_back(cid));
		const volatile L4_Word_t *form = (const volatile L4_Word_t *)mk.form[mk_form_of(cid)];
		CHECK_EQ(form[0], MK_MAGIC);
		CHECK_EQ(form[2], n);
		++*count;
	}
	CHECK(*count != 0);
	CHECK_EQ(t_kplog_count(a, LENT_KMEM_MAP), before - *count);
	return 0;
}

/* The word of A's kept node pages where A's record of va begins, its
 * CID into *cid; 0 if none. */
L4_Word_t mk_record_of(L4_Word_t va, L4_Word_t *cid)
{
	for (int f = 0; f < MK_FORMS; f++) {
		const volatile L4_Word_t *w = (const volatile L4_Word_t *)mk.form[f];
		if (!w || lent_cid_kind(mk.cid[f]) != LENT_KMEM_MAP || mk.who[f] != mk_who)
			continue;
		for (L4_Word_t k = 1; k < 85; k++)
			if ((w[k * MK_ENT_WORDS] & 0xff) == 1 && w[k * MK_ENT_WORDS + 1] == va) {
				*cid = mk.cid[f];
				return k * MK_ENT_WORDS;
			}
	}
	return 0;
}

/* from sends to one map item of its page at fva, placed at off in to's
 * window. */
const char *mk_pass(L4_ThreadId_t from, L4_ThreadId_t to, L4_Word_t fva, L4_Word_t off)
{
	L4_MapItem_t m = t_map_item(fva, 12, L4_FullyAccessible, off);
	L4_Word_t w[4] = { to.raw, t_tag(0x6d, 0, 2).raw, m.raw[0], m.raw[1] };

	CHECK(rt_agent_post(to, RT_AG_RECV, 0, 0));
	CHECK(rt_agent_post(from, RT_AG_SEND, 4, w));
	CHECK(t_ag_ok(rt_agent_result(from, 0)));
	CHECK_EQ(rt_mr(2), 0);
	CHECK(t_ag_ok(rt_agent_result(to, 0)));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	return 0;
}

/* A (our kpager) and B (t_kpre_kp.c's), with windows; a page of the root's
 * holding MK_MARK mapped to A at MK_AW.  *skip in a kernel that takes
 * no node page back. */
const char *mk_begin(L4_ThreadId_t *a, L4_ThreadId_t *b, L4_Word_t *bdata,
			    L4_Word_t *page, int *skip)
{
	L4_Word_t adata, res[5], sec;

	*skip = !kpre_lends();
	if (*skip) {
		printf("#   skipped: this kernel lends no kernel memory (KMEM=pool)\n");
		return 0;
	}
	if (!mk.pool) {
		mk.pool = t_pool(T_POOL_MK, MK_POOL);
		CHECK(mk.pool != 0);
		mk.pages = MK_POOL;
	}
	RUN(t_pool_unlent(mk.pool, MK_POOL));
	/* A fresh log and no form kept (the pages stay ours). */
	for (int i = 0; i < MK_FORMS; i++)
		mk.cid[i] = ~0UL;
	for (int i = 0; i < MK_LOG; i++)
		mk.log_cid[i] = mk.log_page[i] = mk.log_who[i] = 0;
	mk.n = mk.refused = mk.edit_cid = 0;
	/* A kpager thread per test: the runner ends a test's threads. */
	mk_thread = rt_thread_create(mk_loop, 0);
	CHECK(!L4_IsNilThread(mk_thread));
	RUN(t_kpre_task(a, mk_thread, &adata));
	mk_who = a->raw;
	RUN(kpre_start());
	RUN(kpre_task(b, bdata));
	if (!*page) {
		*page = rt_get_pages(1);
		CHECK(*page != 0);
	}
	*(volatile L4_Word_t *)*page = MK_MARK;
	RUN(t_ag_accept(*a, MK_AW, 22));
	RUN(t_ag_accept(*b, MK_BW, 22));
	RUN(t_ag_give_map(*a, t_map_item(*page, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	return t_ag_reads(*a, MK_AW, MK_MARK);
}

const char *mk_end(L4_ThreadId_t a, L4_ThreadId_t b)
{
	for (int i = 0; i < MK_FORMS; i++)
		mk.cid[i] = ~0UL;
	RUN(kpre_end(b));
	return kpre_end(a);
}

/* The agent's read of va faults to main; main maps page there, and the
 * read then gives MK_MARK. */
const char *mk_faults_then_reads(L4_ThreadId_t t, L4_Word_t va, L4_Word_t page)
{
	RUN(t_ag_faults(t, va, 0));
	CHECK(t_kpre_reply_map(t, L4_FpageLog2(page, 12), va));
	CHECK(t_ag_ok(rt_agent_result(t, 0)));
	CHECK_EQ(rt_mr(1), MK_MARK);
	return 0;
}

static const char *t_kpre_map_chain_page_back(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0, count;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	for (L4_Word_t i = 0; i < MK_HOPS; i++) {
		RUN(mk_pass(a, b, MK_AW + i * RT_PAGE_SIZE, i * RT_PAGE_SIZE));
		if (i + 1 < MK_HOPS)
			RUN(mk_pass(b, a, MK_BW + i * RT_PAGE_SIZE, (i + 1) * RT_PAGE_SIZE));
	}
	L4_Word_t leaf = MK_BW + (MK_HOPS - 1) * RT_PAGE_SIZE, mid, cid;
	RUN(t_ag_reads(b, leaf, MK_MARK));
	RUN(mk_take_pages(a, &count));
	/* The middle of the chain is in a page taken back. */
	CHECK((mid = mk_record_of(MK_AW + MK_HOPS / 2 * RT_PAGE_SIZE, &cid)) != 0);
	L4_Word_t n = mk.n;
	RUN(t_ag_reads(b, leaf, MK_MARK));
	CHECK(mk.n >= n + 1);
	CHECK_EQ(mk.refused, 0);
	CHECK(mk_page_of(cid) != 0);
	/* Revocation from the root reaches the leaf at once. */
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	RUN(mk_faults_then_reads(b, leaf, page));
	return mk_end(a, b);
}

static const char *t_kpre_map_table_back(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	L4_Word_t cid = lent_cid_nt(MK_AW), before = t_kplog_count(a, LENT_KMEM_NT);
	RUN(mk_take_back(cid));
	CHECK_EQ(t_kplog_count(a, LENT_KMEM_NT), before - 1);
	/* Its bytes are references into A's own node pages: one here. */
	CHECK(((const volatile L4_Word_t *)mk.form[mk_form_of(cid)])[0] != 0);
	L4_Word_t n = mk.n;
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	CHECK_EQ(mk.n, n + 1);
	CHECK_EQ(mk.log_cid[n % MK_LOG], cid);
	CHECK_EQ(t_kplog_count(a, LENT_KMEM_NT), before);
	CHECK_EQ(mk.refused, 0);
	/* And the Unmap still reaches A's mapping. */
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	RUN(mk_faults_then_reads(a, MK_AW, page));
	return mk_end(a, b);
}

/* Root -> A -> B; A's pages away while the root revokes: the edge to A
 * goes with its sender part, so A's record, when its page comes back as
 * it left, is dead, and so is B's below it. */
static const char *t_kpre_map_revoked_while_part_away(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0, count;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	RUN(mk_pass(a, b, MK_AW, 0));
	RUN(t_ag_reads(b, MK_BW, MK_MARK));
	RUN(mk_take_pages(a, &count));
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	RUN(mk_faults_then_reads(b, MK_BW, page));
	RUN(mk_faults_then_reads(a, MK_AW, page));
	CHECK_EQ(mk.refused, 0);
	return mk_end(a, b);
}

/* An older node page of A's given back: the mapping revoked since does
 * not return. */
static const char *t_kpre_map_replay_is_stale(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0, count, cid, old = 0;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	RUN(mk_pass(a, b, MK_AW, 0));
	RUN(mk_take_pages(a, &count));
	CHECK(mk_record_of(MK_AW, &cid) != 0);
	CHECK((old = mk_copy(mk_form_of(cid))) != 0);
	RUN(t_ag_reads(b, MK_BW, MK_MARK));
	/* Revoked with every part present, then taken back again. */
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
	RUN(mk_take_back(cid));
	/* The kpager gives the old page back. */
	mk.form[mk_form_of(cid)] = old;
	RUN(mk_faults_then_reads(a, MK_AW, page));
	RUN(mk_faults_then_reads(b, MK_BW, page));
	CHECK_EQ(mk.refused, 0);
	return mk_end(a, b);
}

/*
 * Root -> A -> B.  B's node pages are away (both tasks' kpager is ours)
 * while A unmaps what it gave (its own mapping kept): only A's sender
 * part of the edge to B can go.  Then A's kpager gives back older copies
 * of A's node pages, taken before, which hold that part and its owner as
 * they were.  The edge must stay revoked (A's resident record of edges
 * revoked across an absent receiver part, docs/mapdb-split.md "Replayed
 * parts"): B's access faults to its pager, while A, whose own edge from
 * the root is as it was, still reads the page.
 */
static const char *t_kpre_map_replayed_part_stays_revoked(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0, count, old[MK_FORMS], old_cid[MK_FORMS], olds = 0;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	/* B with our kpager too, so that its node pages come back as they
	 * left (the task mk_begin made with the logging kpager goes). */
	RUN(kpre_end(b));
	RUN(t_kpre_task(&b, mk_thread, &bdata));
	RUN(t_ag_accept(b, MK_BW, 22));
	RUN(mk_pass(a, b, MK_AW, 0));
	RUN(t_ag_reads(b, MK_BW, MK_MARK));
	/* A's node pages as they are now: the edge's part and its owner. */
	RUN(mk_take_pages(a, &count));
	for (int f = 0; f < MK_FORMS; f++) {
		if (!mk.form[f] || mk.who[f] != a.raw || lent_cid_kind(mk.cid[f]) != LENT_KMEM_MAP)
			continue;
		CHECK((old[olds] = mk_copy(f)) != 0);
		old_cid[olds++] = mk.cid[f];
	}
	CHECK_EQ(olds, count);
	RUN(t_ag_reads(b, MK_BW, MK_MARK));        /* A's pages back, unchanged */
	/* B's record away; A revokes what it gave. */
	mk_who = b.raw;
	RUN(mk_take_pages(b, &count));
	mk_who = a.raw;
	L4_Word_t fp = L4_FpageAddRights(L4_FpageLog2(MK_AW, 12), L4_FullyAccessible).raw;
	L4_Word_t w[2] = { 0, fp };
	CHECK(t_ag_ok(rt_agent_cmd(a, RT_AG_UNMAP, 2, w)));
	/* A's pages taken back again; its kpager gives the old ones. */
	RUN(mk_take_pages(a, &count));
	L4_Word_t n = mk.n;
	for (L4_Word_t i = 0; i < olds; i++) {
		int f = mk_form_of(old_cid[i]);
		CHECK(f >= 0);
		mk.form[f] = old[i];
	}
	/* B's access: its page comes back, then A's (the old copy), and the
	 * part in it is dead; B faults to main. */
	RUN(mk_faults_then_reads(b, MK_BW, page));
	CHECK(mk.n >= n + 2);
	CHECK_EQ(mk.refused, 0);
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	return mk_end(a, b);
}

/* A node table taken back keeps A's record in its external form; a
 * frame its kpager lent ahead must not stand in for it: the kernel asks
 * for the content identifier, and the frame stays in the reserve. */
static const char *t_kpre_map_away_table_not_from_reserve(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t bdata, page = 0;
	int skip;

	RUN(mk_begin(&a, &b, &bdata, &page, &skip));
	if (skip)
		return 0;
	L4_Word_t cid = lent_cid_nt(MK_AW);
	RUN(mk_take_back(cid));
	L4_Word_t ahead = mk_take();
	CHECK(ahead != 0);
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_LEND_AHEAD, ahead), 1);
	L4_Word_t n = mk.n;
	RUN(t_ag_reads(a, MK_AW, MK_MARK));
	CHECK_EQ(mk.n, n + 1);
	CHECK_EQ(mk.log_cid[n % MK_LOG], cid);
	CHECK_EQ(mk.refused, 0);
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_WHERE, ahead), 1);
	CHECK_EQ(rt_mr(1), LENT_CID_UNBOUND);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), 0);
	return mk_end(a, b);
}

const struct test kpre_map_tests[] = {
	TEST(kpre_map_chain_page_back),
	TEST(kpre_map_table_back),
	TEST(kpre_map_revoked_while_part_away),
	TEST(kpre_map_replay_is_stale),
	TEST(kpre_map_replayed_part_stays_revoked),
	TEST(kpre_map_forged_refused_or_harmless),
	TEST(kpre_map_away_table_not_from_reserve),
	TEST(kpre_map_remade_part_refused),
	{ 0 }
};
