/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0's own kernel memory (issue 6; docs/kernel-memory.md, "sigma0's
 * own kernel memory"): the kernel takes it from a store of frames sigma0
 * gives it (KmemControl SIGMA0_GIVE), without IPC, and only when that is
 * empty from a small floor of its boot reserve.  What uses it is the
 * roots the kernel makes when sigma0 maps a page that is not RAM: a page
 * table and a node table per fresh 4 MB region.  The tests:
 *   - sigma0 makes device roots in more 4 MB regions than the boot
 *     reserve's old fixed share (48 pages, 54 to 74 with what sigma0's
 *     reserve left) could pay for; every one is paid from the store, the
 *     boot reserve's use does not move, nor does the kernel-owned total;
 *   - no task but sigma0 may give (error 1), and the kernel refuses a
 *     page sigma0 does not hold alone, one that is not RAM, one with no
 *     root, one in the store already (error 5, the refusal in MR1).
 * The refusals go through sigma0's test aid (EXT_KSTORE, sigma0/main.c),
 * which offers the kernel a page that is not sigma0's to give.
 */
#include "tests.h"
#include <lent/kmem.h>

#define S0S_LABEL_EXT	0xc170UL	/* sigma0's debugging aids (-1001) */
#define S0S_EXT_KSTORE	3
#define S0S_REGIONS	26		/* 52 pages and more: past the old share of
				 * 48, and not much more, for the pages
				 * sigma0 gives its store for good are
				 * missed on an 8 MB machine */
#define S0S_REGION	0x400000UL
/* Device memory no test uses: from 2.25 GB up, one 4 MB region per root
 * (above RAM at 512 MB, below the PCI hole). */
#define S0S_DEVICE_BASE	0x90000000UL
#define S0S_DEVICE_END	0xC0000000UL
#define S0S_REPORT	0x5053

/* KmemControl OWNED: EAX in w[0], MRi in w[i]. */
struct s0s_owned {
	L4_Word_t w[LENT_KMEM_OWNED_WORDS + 1];
};

static const char *s0s_owned(struct s0s_owned *o)
{
	o->w[0] = lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	CHECK(o->w[0] != 0);
	for (int i = 1; i <= LENT_KMEM_OWNED_WORDS; i++)
		o->w[i] = rt_mr(i);
	return 0;
}

/* KmemControl STATS of task t: its total, and MR `word` in *w. */
static L4_Word_t s0s_stat(L4_ThreadId_t t, int word, L4_Word_t *w)
{
	L4_Word_t total = lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);

	*w = rt_mr(word);
	return total;
}

/* sigma0's test aid: out[0..2] are its three words.  0, or a failure. */
static const char *s0s_aid(L4_Word_t page, L4_Word_t out[3])
{
	L4_Word_t w[2] = { S0S_EXT_KSTORE, page };
	L4_MsgTag_t tag;

	rt_msg(S0S_LABEL_EXT, 2, w);
	tag = L4_Call(rt_sigma0());
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_UntypedWords(tag), 3);
	for (int i = 0; i < 3; i++)
		out[i] = rt_mr(i + 1);
	return 0;
}

/* The aid offers the kernel page: it must refuse it with reason why. */
static const char *s0s_refused(L4_Word_t page, L4_Word_t why)
{
	L4_Word_t r[3];

	RUN(s0s_aid(page, r));
	if (r[0] != 0 || r[2] != why)
		printf("#   page %lx: result %lu, error %lu, reason %lu (want %lu)\n", page, r[0],
		       r[1], r[2], why);
	CHECK_EQ(r[0], 0);
	CHECK_EQ(r[1], L4_ErrInvalidParam);
	CHECK_EQ(r[2], why);
	return 0;
}

/* A window for the root's device pages: a page it got from sigma0 (its
 * page table and node table exist, so receiving there costs the root
 * nothing), emptied. */
static L4_Word_t s0s_window;

static void s0s_clear_window(void)
{
	L4_Fpage_t w = L4_FpageLog2(s0s_window, 12);

	L4_Set_Rights(&w, L4_FullyAccessible);
	L4_Flush(w);
}

/* The root asks sigma0 for the device page at pa into its window; it
 * must arrive (the root has one more mapping) and the window is emptied
 * again, so that sigma0's root of the frame is left with no mapping. */
static const char *s0s_device(L4_Word_t pa)
{
	L4_Word_t before, after;
	L4_Fpage_t got;

	(void)s0s_stat(L4_Myself(), LENT_KMEM_STAT_MAPPED, &before);
	got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(pa, 12),
					  L4_FpageLog2(s0s_window, 12));
	(void)s0s_stat(L4_Myself(), LENT_KMEM_STAT_MAPPED, &after);
	s0s_clear_window();
	CHECK(!L4_IsNilFpage(got));
	CHECK_EQ(L4_Address(got), pa);
	if (after != before + 1)
		printf("#   device page %lx was not mapped\n", pa);
	CHECK_EQ(after, before + 1);
	return 0;
}

/* The n-th device page this file uses: the first page of a 4 MB region
 * no descriptor describes, from S0S_DEVICE_BASE up; 0 if none is left. */
static L4_Word_t s0s_device_page(unsigned n)
{
	for (L4_Word_t pa = S0S_DEVICE_BASE; pa < S0S_DEVICE_END; pa += S0S_REGION)
		if (t_kip_type(pa) == T_KIP_TYPE_NONE &&
		    t_kip_type(pa + S0S_REGION - 1) == T_KIP_TYPE_NONE && n-- == 0)
			return pa;
	return 0;
}

/* Fewer than `need` device regions because RAM fills the range (a 3 GB
 * machine: sigma0 maps idempotently, so a device frame it can give lies
 * below 3 GB): nothing to test.  Where RAM ends below the range, a
 * missing region is a failure as before. */
static int s0s_no_room(unsigned need)
{
	if (s0s_device_page(need - 1) || (t_ram_mb() << 20) <= S0S_DEVICE_BASE)
		return 0;
	printf("#   skipped: RAM (%lu MB) fills the device range %lx-%lx, fewer than %u free 4 MB regions\n",
	       t_ram_mb(), S0S_DEVICE_BASE, S0S_DEVICE_END - 1, need);
	return 1;
}

/*
 * Device roots in S0S_REGIONS fresh 4 MB regions, one page each: sigma0
 * pays for every root (a page table each, and a node table), from its
 * store, which it keeps topped up.  The old kernel paid them from a fixed
 * share of its boot reserve and stopped making roots when it ran out.
 */
static const char *t_s0store_device_roots_past_old_share(void)
{
	struct s0s_owned base, now;
	L4_Word_t pt0, pt1, total0, total1;

	if (s0s_no_room(S0S_REGIONS))
		return 0;
	s0s_window = t_page();
	CHECK(s0s_window != 0);
	s0s_clear_window();
	RUN(s0s_owned(&base));
	total0 = s0s_stat(rt_sigma0(), 1 + LENT_KMEM_PT, &pt0);
	for (unsigned i = 0; i < S0S_REGIONS; i++) {
		L4_Word_t pa = s0s_device_page(i), pt;

		CHECK(pa != 0);
		RUN(s0s_device(pa));
		(void)s0s_stat(rt_sigma0(), 1 + LENT_KMEM_PT, &pt);
		if (pt != pt0 + i + 1)
			printf("#   region %u (%lx): sigma0 has %lu page tables, want %lu\n", i, pa,
			       pt, pt0 + i + 1);
		CHECK_EQ(pt, pt0 + i + 1);
	}
	total1 = s0s_stat(rt_sigma0(), 1 + LENT_KMEM_PT, &pt1);
	CHECK(total1 - total0 >= 2 * S0S_REGIONS);
	RUN(s0s_owned(&now));
	/* Kernel-owned: the same total; the boot reserve (or the pool) not
	 * used for it at all. */
	CHECK_EQ(now.w[0], base.w[0]);
	CHECK_EQ(now.w[LENT_KMEM_OWN_BOOT_TASKS], base.w[LENT_KMEM_OWN_BOOT_TASKS]);
	CHECK_EQ(now.w[LENT_KMEM_OWN_POOL_TASKS], base.w[LENT_KMEM_OWN_POOL_TASKS]);
	/* sigma0's store: every new page of sigma0's came from it. */
	CHECK_EQ(now.w[LENT_KMEM_OWN_SIGMA0_STORE_USED] - base.w[LENT_KMEM_OWN_SIGMA0_STORE_USED],
		 total1 - total0);
	CHECK(now.w[LENT_KMEM_OWN_SIGMA0_STORE] >= now.w[LENT_KMEM_OWN_SIGMA0_STORE_USED]);
	/* It grew with the need: sigma0 gave more while it served. */
	CHECK(now.w[LENT_KMEM_OWN_SIGMA0_STORE] > base.w[LENT_KMEM_OWN_SIGMA0_STORE]);
	CHECK_EQ(now.w[LENT_KMEM_OWN_LENT], base.w[LENT_KMEM_OWN_LENT]);
	/* The same device page again: its root is there, nothing more. */
	RUN(s0s_device(s0s_device_page(0)));
	CHECK_EQ(s0s_stat(rt_sigma0(), 1 + LENT_KMEM_PT, &pt1), total1);
	return 0;
}

/*
 * 8 MB of device memory in one request: 2,048 roots at once.  sigma0
 * tops its store up for them before it answers (a page table and a node
 * table per 4 MB, and node pages at 42 roots a page: each root takes two
 * 48-byte entries, itself and room for its first part), so every page of
 * them comes from the store and none from the boot reserve.  Counting the
 * node pages at 127 roots a page (the 32-byte nodes of the pointer tree
 * that came before) topped it up to 30 pages where about 53 were needed,
 * and the rest came from the boot reserve's floor.  The roots stay as
 * long as sigma0 (about 210 KB), so on a machine of less than 16 MB the
 * test is not run.
 */
#define S0S_BIG_LOG2	23
static const char *t_s0store_device_fpage_8mb(void)
{
	struct s0s_owned base, now;
	L4_Word_t pa = 0, before, after, size = 1UL << S0S_BIG_LOG2;

	if (t_ram_mb() < 16) {
		printf("#   skipped: %lu MB of RAM; the roots stay for good\n", t_ram_mb());
		return 0;
	}
	/* In KMEM=pool sigma0's kernel memory may come from the pool; the
	 * store and the boot reserve's floor are the lent build's. */
	if (!(lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) & (1UL << LENT_KMEM_TCB))) {
		printf("#   skipped: this kernel lends no kernel memory (KMEM=pool)\n");
		return 0;
	}
	/* An 8 MB stretch no descriptor describes, past the regions the
	 * first test took. */
	for (unsigned i = S0S_REGIONS + 1; !pa && s0s_device_page(i); i++) {
		L4_Word_t p = s0s_device_page(i);
		if (!(p & (size - 1)) && t_kip_type(p + size - 1) == T_KIP_TYPE_NONE &&
		    s0s_device_page(i + 1) == p + S0S_REGION)
			pa = p;
	}
	if (!pa) {
		if (s0s_no_room(S0S_REGIONS + 3))
			return 0;
		CHECK(pa != 0);
	}
	RUN(s0s_owned(&base));
	(void)s0s_stat(L4_Myself(), LENT_KMEM_STAT_MAPPED, &before);
	L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(pa, S0S_BIG_LOG2),
						     L4_CompleteAddressSpace);
	(void)s0s_stat(L4_Myself(), LENT_KMEM_STAT_MAPPED, &after);
	RUN(s0s_owned(&now));
	L4_Fpage_t all = L4_FpageLog2(pa, S0S_BIG_LOG2);
	L4_Set_Rights(&all, L4_FullyAccessible);
	L4_Flush(all);
	CHECK(!L4_IsNilFpage(got));
	CHECK_EQ(L4_Address(got), pa);
	CHECK_EQ(L4_SizeLog2(got), S0S_BIG_LOG2);
	CHECK_EQ(after, before + 2048);
	/* Every page of the roots from the store: the boot reserve's use
	 * and the kernel-owned total did not move, and the store gave at
	 * least the roots' node pages (2,048 at 42 a page, less the room
	 * sigma0's last node page had) and two tables per 4 MB.  (The root
	 * task's own records, the receiver's side, come from its kpager,
	 * or in the KMEM=pool build from the pool: not counted here.) */
	CHECK_EQ(now.w[LENT_KMEM_OWN_BOOT_TASKS], base.w[LENT_KMEM_OWN_BOOT_TASKS]);
	CHECK_EQ(now.w[0], base.w[0]);
	CHECK(now.w[LENT_KMEM_OWN_SIGMA0_STORE_USED] - base.w[LENT_KMEM_OWN_SIGMA0_STORE_USED] >=
	      2 * 2 + 2048 / 42 - 1);
	return 0;
}

/* The store's level as sigma0 reads it (STATS MR12) and as OWNED shows
 * it agree, and a page given moves it by one and nothing kernel-owned. */
static const char *t_s0store_give_counts(void)
{
	struct s0s_owned base, now;
	L4_Word_t level0, level1, r[3];

	RUN(s0s_owned(&base));
	(void)s0s_stat(rt_sigma0(), LENT_KMEM_STAT_STORE, &level0);
	CHECK(level0 > 0);   /* its first batch at least */
	CHECK_EQ(level0, base.w[LENT_KMEM_OWN_SIGMA0_STORE] -
		 base.w[LENT_KMEM_OWN_SIGMA0_STORE_USED]);
	RUN(s0s_aid(~0UL, r));
	CHECK(r[0] != 0);
	CHECK_EQ(r[1], level0 + 1);
	(void)s0s_stat(rt_sigma0(), LENT_KMEM_STAT_STORE, &level1);
	CHECK_EQ(level1, level0 + 1);
	RUN(s0s_owned(&now));
	CHECK_EQ(now.w[0], base.w[0]);
	CHECK_EQ(now.w[LENT_KMEM_OWN_SIGMA0_STORE], base.w[LENT_KMEM_OWN_SIGMA0_STORE] + 1);
	CHECK_EQ(now.w[LENT_KMEM_OWN_LENT], base.w[LENT_KMEM_OWN_LENT]);
	/* The root's own STATS word is 0: only sigma0 has a store. */
	(void)s0s_stat(L4_Myself(), LENT_KMEM_STAT_STORE, &level1);
	CHECK_EQ(level1, 0);
	return 0;
}

/* Pages the kernel must refuse from sigma0, each with its reason, and
 * nothing changes: a page the root holds (sigma0's root has a mapping
 * under it), a device page with no root, a device page whose root has no
 * mapping (not RAM), and a page in the store already. */
static const char *t_s0store_bad_frames_refused(void)
{
	struct s0s_owned base;
	L4_Word_t own, fresh, rooted, r[3];

	if (s0s_no_room(S0S_REGIONS + 3))
		return 0;
	own = t_page();
	CHECK(own != 0);
	s0s_window = t_page();
	CHECK(s0s_window != 0);
	s0s_clear_window();
	((volatile L4_Word_t *)own)[0] = 0x5053;
	fresh = s0s_device_page(S0S_REGIONS + 1);
	rooted = s0s_device_page(S0S_REGIONS + 2);
	CHECK(fresh != 0 && rooted != 0);
	RUN(s0s_device(rooted));
	RUN(s0s_aid(~0UL, r));
	CHECK(r[0] != 0);
	RUN(s0s_owned(&base));
	RUN(s0s_refused(own, LENT_KPF_SHARED));
	RUN(s0s_refused(fresh + RT_PAGE_SIZE, LENT_KPF_NOT_MAPPED));
	RUN(s0s_refused(rooted, LENT_KPF_NOT_RAM));
	RUN(s0s_refused(r[0], LENT_KPF_LENT_ALREADY));
	/* Nothing moved, and the root's page is still its own. */
	RUN(s0s_refused(own, LENT_KPF_SHARED));
	CHECK_EQ(((volatile L4_Word_t *)own)[0], 0x5053);
	struct s0s_owned now;
	RUN(s0s_owned(&now));
	for (int i = 0; i <= LENT_KMEM_OWNED_WORDS; i++)
		CHECK_EQ(now.w[i], base.w[i]);
	return 0;
}

/* An unprivileged task's try: its result and error code. */
static void s0s_unpriv_body(L4_Word_t arg)
{
	L4_ThreadId_t root = { .raw = arg };
	L4_Word_t w[2];

	w[0] = lent_kmem_control(0, LENT_KMEM_SIGMA0_GIVE, 0x00700000UL);
	w[1] = L4_ErrorCode();
	rt_msg(S0S_REPORT, 2, w);
	(void)L4_Send(root);
	for (;;)
		L4_Sleep(L4_Never);
}

/* Nobody but sigma0 may give: the root task, privileged as it is, and an
 * unprivileged task get error 1, and the page stays theirs. */
static const char *t_s0store_only_sigma0_gives(void)
{
	struct s0s_owned base, now;
	L4_Word_t own = t_page();
	L4_MsgTag_t tag;

	CHECK(own != 0);
	((volatile L4_Word_t *)own)[0] = 0x5053;
	RUN(s0s_owned(&base));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_SIGMA0_GIVE, own), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrNoPrivilege);
	CHECK_EQ(lent_kmem_control(rt_sigma0().raw, LENT_KMEM_SIGMA0_GIVE, own), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrNoPrivilege);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, own), 0);
	CHECK_EQ(((volatile L4_Word_t *)own)[0], 0x5053);

	L4_ThreadId_t t = rt_task_create(s0s_unpriv_body, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(t));
	tag = L4_Receive(t);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), S0S_REPORT);
	CHECK_EQ(rt_mr(1), 0);
	CHECK_EQ(rt_mr(2), L4_ErrNoPrivilege);
	rt_release(t);
	RUN(s0s_owned(&now));
	for (int i = 0; i <= LENT_KMEM_OWNED_WORDS; i++)
		CHECK_EQ(now.w[i], base.w[i]);
	return 0;
}

const struct test s0store_tests[] = {
	TEST(s0store_only_sigma0_gives),
	TEST(s0store_give_counts),
	TEST(s0store_bad_frames_refused),
	TEST(s0store_device_roots_past_old_share),
	TEST(s0store_device_fpage_8mb),
	{ 0 }
};
