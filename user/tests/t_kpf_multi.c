/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel page faults that name several pages (docs/kpager-protocol.md,
 * KmemControl SET_KPF_PAGES): a task's first access to a fresh 4 MB
 * region needs a node table and a page table, and its kpager, which
 * takes several pages per fault, is asked for both in one fault and
 * lends both in one answer.  A test kpager thread logs each fault and
 * answers as the test says; a kpager that answers with more or fewer
 * items, or with one bad item, is refused with an error naming the item,
 * nothing of its answer is lent, and the client waits on for a good one.
 * In a KMEM=pool kernel no kpager is asked at all: each test checks that
 * instead (km_lent is 0 there).
 */
#include "t_kphelp.h"
#include <lent/kmem.h>
#include "../../kpager/kpager.h"

#define KM_LOG		8
#define KM_POOL		16
#define KM_WINDOW	0x50000000UL	/* a 4 MB region the task never used */
#define KM_VALUE	0x6d756c74UL
#define KM_UNMAPPED	0x3f000000UL	/* nothing of the root's there */
#define LABEL_READ	0x6d01

enum km_mode { KM_SERVE, KM_MORE, KM_FEWER, KM_BAD_SECOND, KM_SAME_FRAME, KM_STRING };

static volatile struct {
	L4_Word_t mode;
	L4_Word_t n;                     /* faults for KM_WINDOW seen (the task's
	                                  * image faults are answered, not logged) */
	L4_Word_t u[KM_LOG];             /* their untyped words */
	L4_Word_t mr[KM_LOG][8];         /* and MR1..MR7 */
	L4_Word_t lent[KM_LOG][LENT_KPF_MAX_PAGES];   /* and the pages answered */
	L4_Word_t bad_ec;                /* ErrorCode of the bad answer */
	L4_Word_t bad_pages[4];          /* pages the bad answer named */
	L4_Word_t next;                  /* pool pages used */
	L4_Word_t failed;                /* good answers not taken */
} km;

static L4_Word_t km_pool;
static L4_Word_t km_lent;

static L4_Word_t km_take(void)
{
	return km.next < KM_POOL ? km_pool + km.next++ * RT_PAGE_SIZE : 0;
}

/* Reply to `to` with a map item of each page (0 words: no item); the
 * ErrorCode if the kernel did not take it, else 0. */
static L4_Word_t km_reply(L4_ThreadId_t to, const L4_Word_t *page, unsigned n, int string)
{
	L4_Msg_t msg;

	L4_MsgClear(&msg);
	for (unsigned i = 0; i < n; i++)
		L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page[i], 12),
								       L4_FullyAccessible), page[i]));
	if (string)
		L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(8, (void *)page[0]));
	L4_MsgLoad(&msg);
	return L4_IpcSucceeded(L4_Reply(to)) ? 0 : L4_ErrorCode();
}

/* The bad answer the mode asks for, to a fault naming n pages. */
static void km_bad(L4_ThreadId_t from, unsigned n)
{
	L4_Word_t p[4] = { 0 };
	unsigned items = n;
	int string = 0;

	switch (km.mode) {
	case KM_MORE:
		items = n + 1;
		break;
	case KM_FEWER:
		items = n - 1;
		break;
	case KM_STRING:
		string = 1;
		break;
	default:
		break;
	}
	for (unsigned i = 0; i < items && i < 4; i++)
		p[i] = km_take();
	if (km.mode == KM_BAD_SECOND)
		p[1] = KM_UNMAPPED;
	if (km.mode == KM_SAME_FRAME)
		p[1] = p[0];
	for (unsigned i = 0; i < 4; i++)
		km.bad_pages[i] = p[i];
	km.bad_ec = km_reply(from, p, items, string);
}

static void km_fault(const struct t_kpf *f)
{
	L4_Word_t u = f->u, c1 = f->cid;
	unsigned n = LENT_KPF_PAGES(u);
	L4_Word_t p[LENT_KPF_MAX_PAGES] = { 0 };
	int window = c1 == lent_cid_nt(KM_WINDOW) || c1 == lent_cid_pt(KM_WINDOW);

	if (window) {
		L4_Word_t i = km.n++ % KM_LOG;
		km.u[i] = u;
		for (unsigned w = 1; w < 8; w++)
			km.mr[i][w] = w <= u ? rt_mr(w) : 0;
		if (km.mode != KM_SERVE && km.n == 1 && n >= 2)
			km_bad(f->from, n);
	}
	for (unsigned k = 0; k < n; k++)
		p[k] = km_take();
	if (km_reply(f->from, p, n, 0))
		km.failed++;
	for (unsigned k = 0; window && k < n; k++)
		km.lent[(km.n - 1) % KM_LOG][k] = p[k];
}

static L4_ThreadId_t km_thread;

/* The task: read the word at KM_WINDOW and send it to main. */
static void km_reader(L4_Word_t arg)
{
	L4_Word_t w = *(volatile L4_Word_t *)KM_WINDOW;

	(void)arg;
	rt_msg(LABEL_READ, 1, &w);
	(void)L4_Send(rt_main_thread());
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *km_start(enum km_mode mode)
{
	for (unsigned i = 0; i < sizeof(km) / sizeof(L4_Word_t); i++)
		((volatile L4_Word_t *)&km)[i] = 0;
	km.mode = mode;
	km_lent = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	if (!km_pool) {
		km_pool = rt_get_pages(KM_POOL);
		CHECK(km_pool != 0);
	}
	for (L4_Word_t i = 0; i < KM_POOL; i++)        /* mapped in the root */
		((volatile L4_Word_t *)(km_pool + i * RT_PAGE_SIZE))[0] = i;
	km_thread = t_kp_thread(km_fault);
	CHECK(!L4_IsNilThread(km_thread));
	return 0;
}

/* A task whose kpager is `kp`, named up to `pages` pages per fault, that
 * reads KM_WINDOW; main is its pager and maps a page holding KM_VALUE
 * there.  *got: the word it read. */
static const char *km_run_task(L4_ThreadId_t kp, L4_Word_t pages, L4_ThreadId_t *task,
			       L4_Word_t *got)
{
	L4_Word_t ip, sp, src = t_page();
	L4_ThreadId_t t, from;
	L4_MsgTag_t tag;

	((volatile L4_Word_t *)src)[0] = KM_VALUE;
	t = rt_task_prepare(km_reader, 0, L4_Myself(), &ip, &sp);
	CHECK(!L4_IsNilThread(t));
	*task = t;
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, kp.raw), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPF_PAGES, pages), 1);
	CHECK(rt_start_message(t, ip, sp));
	for (;;) {
		tag = rt_serve(t, RT_NEVER_US, &from);
		CHECK(L4_IpcSucceeded(tag));
		if (!rt_is_pagefault(tag))
			break;
		CHECK_EQ(rt_mr(1) & ~(RT_PAGE_SIZE - 1), KM_WINDOW);
		L4_MapItem_t m = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(src, 12),
							      L4_FullyAccessible), KM_WINDOW);
		t_load(0, 0, 0, 2, m.raw);
		CHECK(L4_IpcSucceeded(L4_Reply(t)));
	}
	CHECK_EQ(L4_Label(tag), LABEL_READ);
	*got = rt_mr(1);
	return 0;
}

/* One fault names the node table, then the page table, of the task's
 * fresh region; one answer lends both, and the read completes. */
static const char *t_kpf_multi_one_fault_two_pages(void)
{
	L4_ThreadId_t t;
	L4_Word_t got;

	RUN(km_start(KM_SERVE));
	RUN(km_run_task(km_thread, LENT_KPF_MAX_PAGES, &t, &got));
	CHECK_EQ(got, KM_VALUE);
	if (!km_lent) {
		CHECK_EQ(km.n, 0);
		CHECK_EQ(km.next, 0);
		return 0;
	}
	CHECK_EQ(km.n, 1);
	CHECK_EQ(km.u[0], LENT_KPF_WORDS(2));
	CHECK_EQ(km.mr[0][LENT_KPF_MR_CID(0)], lent_cid_nt(KM_WINDOW));
	CHECK_EQ(km.mr[0][LENT_KPF_MR_KIND(0)], LENT_KMEM_NT);
	CHECK_EQ(km.mr[0][3], t.raw);
	CHECK_EQ(km.mr[0][LENT_KPF_MR_CID(1)], lent_cid_pt(KM_WINDOW));
	CHECK_EQ(km.mr[0][LENT_KPF_MR_KIND(1)], LENT_KMEM_PT);
	CHECK_EQ(km.failed, 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, km.lent[0][0]), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, km.lent[0][1]), 1);
	return 0;
}

/* Without SET_KPF_PAGES a task's faults name one page each: the node
 * table, then the page table, as before. */
static const char *t_kpf_multi_one_page_by_default(void)
{
	L4_ThreadId_t t;
	L4_Word_t got;

	RUN(km_start(KM_SERVE));
	RUN(km_run_task(km_thread, 1, &t, &got));
	CHECK_EQ(got, KM_VALUE);
	if (!km_lent)
		return km.n == 0 ? 0 : "a pool kernel asked a kpager";
	CHECK_EQ(km.n, 2);
	CHECK_EQ(km.u[0], 3);
	CHECK_EQ(km.mr[0][2], LENT_KMEM_NT);
	CHECK_EQ(km.u[1], 3);
	CHECK_EQ(km.mr[1][2], LENT_KMEM_PT);
	CHECK_EQ(km.mr[1][1], lent_cid_pt(KM_WINDOW));
	CHECK_EQ(km.failed, 0);
	return 0;
}

/* A bad answer to a two-page fault is refused whole: the kpager's send
 * fails with IPC error 4, the offset naming the reason and the item;
 * none of its pages is lent; the client waits for the good answer, and
 * gets on with it. */
static const char *km_refused(enum km_mode mode, L4_Word_t why, L4_Word_t item)
{
	L4_ThreadId_t t;
	L4_Word_t got;

	RUN(km_start(mode));
	RUN(km_run_task(km_thread, LENT_KPF_MAX_PAGES, &t, &got));
	CHECK_EQ(got, KM_VALUE);
	if (!km_lent)
		return km.n == 0 ? 0 : "a pool kernel asked a kpager";
	CHECK_EQ(km.n, 1);
	CHECK_EQ(km.bad_ec, EC_SEND(4) | (LENT_KPF_REFUSAL(why, item) << 4));
	/* Nothing of the bad answer was lent, not even its good items. */
	for (unsigned i = 0; i < 4; i++)
		if (km.bad_pages[i] && km.bad_pages[i] != KM_UNMAPPED)
			CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, km.bad_pages[i]), 0);
	/* The good answer that followed was. */
	CHECK_EQ(km.failed, 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, km.lent[0][0]), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, km.lent[0][1]), 1);
	return 0;
}

static const char *t_kpf_multi_more_items_refused(void)
{
	return km_refused(KM_MORE, LENT_KPF_ITEMS, 3);
}

static const char *t_kpf_multi_fewer_items_refused(void)
{
	return km_refused(KM_FEWER, LENT_KPF_ITEMS, 1);
}

static const char *t_kpf_multi_bad_second_item_refuses_all(void)
{
	return km_refused(KM_BAD_SECOND, LENT_KPF_NOT_MAPPED, 1);
}

static const char *t_kpf_multi_same_frame_twice_refused(void)
{
	return km_refused(KM_SAME_FRAME, LENT_KPF_LENT_ALREADY, 1);
}

static const char *t_kpf_multi_string_item_refused(void)
{
	return km_refused(KM_STRING, LENT_KPF_ITEMS, 3);   /* 6 typed words */
}

/* The library's kpager (FCFS) takes several pages per fault: the task's
 * faults (its image's regions and the window) each named every page
 * missing, one answer each lent them all, and the task's counts agree. */
static const char *t_kpf_multi_fcfs_serves_all(void)
{
	static struct kpager_fcfs f;
	L4_ThreadId_t kp, t;
	L4_Word_t got, base = rt_get_pages(8);

	CHECK(base != 0);
	for (L4_Word_t i = 0; i < 8; i++)
		((volatile L4_Word_t *)(base + i * RT_PAGE_SIZE))[0] = i;
	kp = fcfs_start(&f, base, 8);
	CHECK(!L4_IsNilThread(kp));
	km_lent = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	RUN(km_run_task(kp, LENT_KPF_MAX_PAGES, &t, &got));
	CHECK_EQ(got, KM_VALUE);
	L4_Word_t pages = f.kp.kinds[LENT_KMEM_NT] + f.kp.kinds[LENT_KMEM_PT] +
			  f.kp.kinds[LENT_KMEM_MAP];
	if (!km_lent)
		return f.kp.faults == 0 ? 0 : "a pool kernel asked a kpager";
	CHECK(f.kp.kinds[LENT_KMEM_NT] >= 2);           /* the image's and the window's */
	CHECK(f.kp.faults < pages);
	CHECK_EQ(f.kp.served, f.kp.faults);
	CHECK_EQ(f.kp.refusals, 0);
	CHECK_EQ(fcfs_lent_to(&f, t), pages);
	lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
	CHECK_EQ(rt_mr(1 + LENT_KMEM_NT), f.kp.kinds[LENT_KMEM_NT]);
	return 0;
}

/* sigma0, the kpager of last resort, takes several pages per fault
 * too: a task of the root's (sigma0 its kpager) allowed them reads its
 * fresh region, which needs a node table and a page table from sigma0
 * in one fault; a sigma0 that dropped the fault would leave it waiting. */
static const char *t_kpf_multi_sigma0_serves_both(void)
{
	L4_ThreadId_t t;
	L4_Word_t got;

	km_lent = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	RUN(km_run_task(rt_sigma0(), LENT_KPF_MAX_PAGES, &t, &got));
	CHECK_EQ(got, KM_VALUE);
	lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
	CHECK(rt_mr(1 + LENT_KMEM_NT) >= 2);           /* the image's and the window's */
	CHECK(rt_mr(1 + LENT_KMEM_PT) >= 2);
	return 0;
}

/* SET_KPF_PAGES takes 1..LENT_KPF_MAX_PAGES, not for sigma0, not for
 * an unknown thread. */
static const char *t_kpf_multi_control_checks_arguments(void)
{
	L4_ThreadId_t t = rt_tid_alloc();

	CHECK_EQ(L4_ThreadControl(t, t, rt_main_thread(), L4_nilthread, (void *)-1), 1);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPF_PAGES, 0), 0);
	CHECK_EQ(L4_ErrorCode(), 5);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPF_PAGES, LENT_KPF_MAX_PAGES + 1), 0);
	CHECK_EQ(L4_ErrorCode(), 5);
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPF_PAGES, LENT_KPF_MAX_PAGES), 1);
	CHECK_EQ(lent_kmem_control(rt_sigma0().raw, LENT_KMEM_SET_KPF_PAGES, 2), 0);
	CHECK_EQ(L4_ErrorCode(), 3);
	CHECK_EQ(lent_kmem_control(t_nonexistent().raw, LENT_KMEM_SET_KPF_PAGES, 2), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return 0;
}

const struct test kpf_multi_tests[] = {
	TEST(kpf_multi_one_fault_two_pages),
	TEST(kpf_multi_one_page_by_default),
	TEST(kpf_multi_more_items_refused),
	TEST(kpf_multi_fewer_items_refused),
	TEST(kpf_multi_bad_second_item_refuses_all),
	TEST(kpf_multi_same_frame_twice_refused),
	TEST(kpf_multi_string_item_refused),
	TEST(kpf_multi_fcfs_serves_all),
	TEST(kpf_multi_sigma0_serves_both),
	TEST(kpf_multi_control_checks_arguments),
	{ 0 }
};
