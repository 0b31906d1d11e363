/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hostile user of kernel page faults (docs/kpager-protocol.md): bad
 * answers, one page for two faults, a task that is its own kpager, two
 * tasks that are each other's, deletions while a client waits, strings
 * into a lent frame and forged answers (KmemControl garbage is in
 * t_kattack_ctl.c).  Each test asserts what the kernel must do: a clear error, or
 * the property still holding afterwards (the lent frame unreachable, the
 * root and other tasks still working).  In a KMEM=pool kernel no kpager
 * is asked; the tests check that instead (ka_lent is 0 there).
 */
#include "tests.h"
#include <lent/kmem.h>

#define KA_POOL		16               /* pages; the first 8 KB pair is kept aside */
#define KA_LOG		8
#define KA_BAD		8
#define KA_WINDOW	0x44000000UL     /* 4 MB regions the agents never used */
#define KA_WINDOW2	0x4c000000UL
#define KA_PEEK		0x54000000UL     /* where an agent asks sigma0 for a lent frame */
#define KA_VALUE	0x6b617474UL

enum ka_mode { KA_SERVE, KA_BAD_FIRST, KA_TWO_AT_ONCE, KA_HOLD };

/* A bad (or odd) answer: the fpage word and the send base of a map item. */
struct ka_item { L4_Word_t fpage, snd_base; };

static volatile struct {
	L4_Word_t mode;
	L4_Word_t n;                         /* faults seen */
	L4_Word_t from[KA_LOG], kind[KA_LOG];
	L4_Word_t nbad;                      /* KA_BAD_FIRST: answers to try first */
	struct ka_item bad[KA_BAD];
	L4_Word_t bad_ec[KA_BAD];            /* ErrorCode of each (0: accepted) */
	L4_Word_t same_page;                 /* KA_TWO_AT_ONCE: the one page */
	L4_Word_t two_ec[3];                 /* its three answers */
	L4_Word_t next;                      /* next pool page to lend */
	L4_Word_t failed;                    /* pool answers that failed */
} ka;

static L4_Word_t ka_pool;                /* KA_POOL pages, 64 KB aligned */
static L4_Word_t ka_lent;

static L4_Word_t ka_send_item(L4_ThreadId_t to, L4_Word_t fpage, L4_Word_t snd_base)
{
	L4_Word_t items[2] = { (snd_base & ~0x3ffUL) | 8, fpage };

	t_load(0, 0, 0, fpage ? 2 : 0, items);
	return L4_IpcFailed(L4_Reply(to)) ? L4_ErrorCode() : 0;
}

static L4_Word_t ka_page_fpage(L4_Word_t page)
{
	return L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible).raw;
}

/* An answer from the pool (pages from index 2 on), or "no memory". */
static void ka_serve(L4_ThreadId_t to)
{
	if (ka.next < KA_POOL) {
		L4_Word_t page = ka_pool + ka.next++ * RT_PAGE_SIZE;
		if (ka_send_item(to, ka_page_fpage(page), page))
			ka.failed++;
	} else {
		(void)ka_send_item(to, 0, 0);
	}
}

static void ka_kpager(L4_Word_t arg)
{
	L4_ThreadId_t from, held = L4_nilthread;
	L4_MsgTag_t tag;

	(void)arg;
	for (;;) {
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		L4_Word_t i = ka.n++;
		ka.from[i % KA_LOG] = from.raw;
		ka.kind[i % KA_LOG] = rt_mr(2);
		if (ka.mode == KA_HOLD)
			continue;
		if (ka.mode == KA_BAD_FIRST && i == 0) {
			for (L4_Word_t b = 0; b < ka.nbad; b++)
				ka.bad_ec[b] = ka_send_item(from, ka.bad[b].fpage, ka.bad[b].snd_base);
			continue;            /* the last one must have been taken */
		}
		if (ka.mode == KA_TWO_AT_ONCE && i == 0) {
			held = from;         /* answered with the second */
			continue;
		}
		if (ka.mode == KA_TWO_AT_ONCE && i == 1) {
			L4_Word_t p = ka.same_page, q = ka_pool + ka.next++ * RT_PAGE_SIZE;
			ka.two_ec[0] = ka_send_item(held, ka_page_fpage(p), p);
			ka.two_ec[1] = ka_send_item(from, ka_page_fpage(p), p);
			ka.two_ec[2] = ka_send_item(from, ka_page_fpage(q), q);
			continue;
		}
		ka_serve(from);
	}
}

static L4_ThreadId_t ka_thread;

static const char *ka_start(enum ka_mode mode)
{
	for (unsigned i = 0; i < sizeof(ka) / sizeof(L4_Word_t); i++)
		((volatile L4_Word_t *)&ka)[i] = 0;
	ka.mode = mode;
	ka.next = 2;
	ka_lent = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	if (!ka_pool) {
		ka_pool = rt_get_pages(KA_POOL);
		CHECK(ka_pool != 0);
	}
	for (L4_Word_t i = 0; i < KA_POOL; i++) {
		/* None may still be lent from an earlier test. */
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka_pool + i * RT_PAGE_SIZE), 0);
		((volatile L4_Word_t *)(ka_pool + i * RT_PAGE_SIZE))[0] = i;
	}
	ka_thread = rt_thread_create(ka_kpager, 0);
	CHECK(!L4_IsNilThread(ka_thread));
	return 0;
}

static const char *ka_agent(L4_ThreadId_t *ag, L4_ThreadId_t kpager)
{
	*ag = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(*ag));
	if (!L4_IsNilThread(kpager))
		CHECK_EQ(lent_kmem_control(ag->raw, LENT_KMEM_SET_KPAGER, kpager.raw), 1);
	return 0;
}

/* Senders of one map item each, so that two clients can fault at once. */
static volatile struct {
	L4_Word_t to, item0, fpage, done, tag, ec;
} snd[2];

static void ka_sender(L4_Word_t k)
{
	L4_Word_t items[2] = { snd[k].item0, snd[k].fpage };
	L4_MsgTag_t tag;

	t_load(0x66, 0, 0, 2, items);
	tag = L4_Send_Timeout((L4_ThreadId_t) { .raw = snd[k].to }, rt_us(T_WAIT_US));
	snd[k].tag = tag.raw;
	snd[k].ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	snd[k].done = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/* The agent waits for one message in window; sender k maps it page. */
static const char *ka_map_async(unsigned k, L4_ThreadId_t ag, L4_Word_t window, L4_Word_t page)
{
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, 0);

	RUN(t_ag_accept(ag, window, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	snd[k].to = ag.raw;
	snd[k].item0 = m.raw[0];
	snd[k].fpage = m.raw[1];
	snd[k].done = 0;
	CHECK(!L4_IsNilThread(rt_thread_create(ka_sender, k)));
	return 0;
}

/* Sender k and its agent's receive both ended well. */
static const char *ka_map_done(unsigned k, L4_ThreadId_t ag)
{
	CHECK(t_wait_for(&snd[k].done, 1, 2 * T_WAIT_US));
	CHECK_EQ(snd[k].ec, 0);
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	return 0;
}

static L4_Word_t ka_value_page(L4_Word_t value)
{
	L4_Word_t p = t_page();

	if (p)
		((volatile L4_Word_t *)p)[0] = value;
	return p;
}

/* The lent frame at page: sigma0 gives it to no one who asks by its
 * address (the root's pool is mapped one to one), and an agent it is
 * mapped to cannot read it. */
static const char *ka_frame_unreachable(L4_Word_t page)
{
	L4_ThreadId_t y;
	L4_Word_t a[2] = { L4_FpageLog2(page, 12).raw, L4_FpageLog2(KA_PEEK, 12).raw };
	L4_Word_t res[5], sec;

	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 1);
	RUN(ka_agent(&y, L4_nilthread));
	CHECK(t_ag_ok(rt_agent_cmd(y, RT_AG_SIGMA0, 2, a)));
	CHECK(L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
	RUN(t_ag_faults(y, KA_PEEK, 0));
	rt_release(y);
	RUN(ka_agent(&y, L4_nilthread));
	RUN(t_ag_accept(y, KA_PEEK, 12));
	RUN(t_ag_give_map(y, t_map_item(page, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_faults(y, KA_PEEK, 1));
	rt_release(y);
	return 0;
}

/* Bad answers to one fault, each refused with its reason while the
 * client waits on: a page the kpager may only read, nothing mapped, a
 * kernel address through the complete fpage, the kpager's KIP and UTCB.
 * Then an 8 KB fpage whose send base lies far outside it: the kernel
 * takes the page that base names within the fpage, and only that one. */
static const char *t_kattack_bad_answers_refused(void)
{
	L4_ThreadId_t ag;
	L4_Word_t ro, value = ka_value_page(KA_VALUE), kip = (L4_Word_t)rt_kip();
	L4_Word_t utcb = L4_MyLocalId().raw & ~(RT_PAGE_SIZE - 1);
	L4_Word_t pair = 0;

	RUN(ka_start(KA_BAD_FIRST));
	pair = ka_pool;                  /* 64 KB aligned: an 8 KB fpage */
	ro = ka_value_page(1);
	CHECK(ro && value);
	(void)L4_Flush(L4_FpageAddRights(L4_FpageLog2(ro, 12), L4_Writable));
	ka.bad[0] = (struct ka_item){ ka_page_fpage(ro), ro };
	ka.bad[1] = (struct ka_item){ L4_FpageAddRights(L4_FpageLog2(0x3f000000UL, 13),
							  L4_FullyAccessible).raw, 0x3f001000UL };
	ka.bad[2] = (struct ka_item){ L4_FpageAddRights(L4_CompleteAddressSpace,
							  L4_FullyAccessible).raw, t_kernel_addr() };
	ka.bad[3] = (struct ka_item){ L4_FpageAddRights(L4_CompleteAddressSpace,
							  L4_FullyAccessible).raw, 0xfffff000UL };
	ka.bad[4] = (struct ka_item){ ka_page_fpage(kip & ~(RT_PAGE_SIZE - 1)), kip };
	ka.bad[5] = (struct ka_item){ ka_page_fpage(utcb), utcb };
	ka.bad[6] = (struct ka_item){ L4_FpageAddRights(L4_FpageLog2(pair, 13),
							  L4_FullyAccessible).raw,
				      0x50000000UL + RT_PAGE_SIZE };
	ka.nbad = 7;
	RUN(ka_agent(&ag, ka_thread));
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	RUN(ka_map_done(0, ag));
	RUN(t_ag_reads(ag, KA_WINDOW, KA_VALUE));
	if (!ka_lent) {
		CHECK_EQ(ka.n, 0);
		return 0;
	}
	CHECK(ka.n >= 2);
	CHECK_EQ(ka.failed, 0);
	CHECK_EQ(ka.bad_ec[0], EC_SEND(4) | (LENT_KPF_NOT_MAPPED << 4));
	CHECK_EQ(ka.bad_ec[1], EC_SEND(4) | (LENT_KPF_NOT_MAPPED << 4));
	CHECK_EQ(ka.bad_ec[2], EC_SEND(4) | (LENT_KPF_NOT_MAPPED << 4));
	CHECK_EQ(ka.bad_ec[3], EC_SEND(4) | (LENT_KPF_NOT_MAPPED << 4));
	for (unsigned b = 4; b < 6; b++) {
		CHECK_EQ(ka.bad_ec[b] & 0xf, EC_SEND(4));
		CHECK(ka.bad_ec[b] >> 4 == LENT_KPF_NOT_MAPPED ||
		      ka.bad_ec[b] >> 4 == LENT_KPF_KERNEL_OWNED);
	}
	CHECK_EQ(ka.bad_ec[6], 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, pair + RT_PAGE_SIZE), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, pair), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ro), 0);
	/* The root still reads its read-only page and the pair's first. */
	CHECK_EQ(((volatile L4_Word_t *)ro)[0], 1);
	CHECK_EQ(((volatile L4_Word_t *)pair)[0], 0);
	RUN(ka_frame_unreachable(pair + RT_PAGE_SIZE));
	rt_release(ag);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, pair + RT_PAGE_SIZE), 0);
	return 0;
}

/* One page for two clients' faults at once: the first takes it, the
 * second answer is refused as lent already and the second client waits
 * for another page.  Each client's death gives back its own page only. */
static const char *t_kattack_one_page_two_faults(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t va = ka_value_page(KA_VALUE), vb = ka_value_page(KA_VALUE + 1);

	RUN(ka_start(KA_TWO_AT_ONCE));
	CHECK(va && vb);
	ka.same_page = ka_pool + RT_PAGE_SIZE;
	L4_Word_t q = ka_pool + ka.next * RT_PAGE_SIZE;     /* the second's page */
	RUN(ka_agent(&a, ka_thread));
	RUN(ka_agent(&b, ka_thread));
	RUN(ka_map_async(0, a, KA_WINDOW, va));
	if (ka_lent)
		CHECK(t_wait_for(&ka.n, 1, T_WAIT_US));
	RUN(ka_map_async(1, b, KA_WINDOW2, vb));
	RUN(ka_map_done(0, a));
	RUN(ka_map_done(1, b));
	RUN(t_ag_reads(a, KA_WINDOW, KA_VALUE));
	RUN(t_ag_reads(b, KA_WINDOW2, KA_VALUE + 1));
	if (!ka_lent) {
		CHECK_EQ(ka.n, 0);
		return 0;
	}
	CHECK_EQ(ka.failed, 0);
	CHECK_EQ(ka.from[0], a.raw);
	CHECK_EQ(ka.from[1], b.raw);
	CHECK_EQ(ka.two_ec[0], 0);
	CHECK_EQ(ka.two_ec[1], EC_SEND(4) | (LENT_KPF_LENT_ALREADY << 4));
	CHECK_EQ(ka.two_ec[2], 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka.same_page), 1);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, q), 1);
	rt_release(a);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, ka.same_page), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, q), 1);
	RUN(t_ag_reads(b, KA_WINDOW2, KA_VALUE + 1));
	rt_release(b);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, q), 0);
	return 0;
}

/* A task that is its own kpager cannot be asked: its receive of a map
 * item fails for want of memory (and the send with it), nothing hangs,
 * and the task works on. */
static const char *t_kattack_own_kpager(void)
{
	L4_ThreadId_t ag;
	L4_Word_t value = ka_value_page(KA_VALUE);

	RUN(ka_start(KA_SERVE));
	CHECK(value != 0);
	RUN(ka_agent(&ag, L4_nilthread));
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPAGER, ag.raw), 1);
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	if (!ka_lent) {
		RUN(ka_map_done(0, ag));
		return t_ag_reads(ag, KA_WINDOW, KA_VALUE);
	}
	/* The receive fails for want of memory, the send with it. */
	CHECK(t_wait_for(&snd[0].done, 1, 2 * T_WAIT_US));
	CHECK_EQ(snd[0].ec & 0xf, EC_SEND(7));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK_EQ(rt_mr(2) & 0xf, EC_RECV(4));
	CHECK_EQ(ka.n, 0);
	RUN(t_ag_faults(ag, KA_WINDOW, 0));
	rt_release(ag);
	/* A fresh one with a real kpager gets the same map. */
	RUN(ka_agent(&ag, ka_thread));
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	RUN(ka_map_done(0, ag));
	RUN(t_ag_reads(ag, KA_WINDOW, KA_VALUE));
	return 0;
}

/* Two agents, each the other's kpager.  The first one's kernel page
 * fault reaches the second as an ordinary message; the first is deleted
 * while it waits, and the second's answer then goes nowhere.  The map's
 * sender, the root and a third task are unharmed. */
static const char *t_kattack_mutual_kpagers_client_deleted(void)
{
	L4_ThreadId_t a, b, c;
	L4_Word_t value = ka_value_page(KA_VALUE), send[4];
	L4_MsgTag_t tag;

	RUN(ka_start(KA_SERVE));
	CHECK(value != 0);
	RUN(ka_agent(&a, L4_nilthread));
	RUN(ka_agent(&b, L4_nilthread));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPAGER, b.raw), 1);
	CHECK_EQ(lent_kmem_control(b.raw, LENT_KMEM_SET_KPAGER, a.raw), 1);
	RUN(t_ag_accept(b, 0, 0));
	CHECK(rt_agent_post(b, RT_AG_RECV, 0, 0));
	RUN(ka_map_async(0, a, KA_WINDOW, value));
	if (!ka_lent) {
		RUN(ka_map_done(0, a));
		return t_ag_reads(a, KA_WINDOW, KA_VALUE);
	}
	tag = rt_agent_result(b, 0);
	CHECK(t_ag_ok(tag));
	L4_MsgTag_t got = { .raw = rt_mr(1) };
	CHECK_EQ(rt_mr(2), 0);
	CHECK_EQ(rt_mr(3), a.raw);
	CHECK_EQ(L4_Label(got), LENT_LABEL_KPF);
	CHECK_EQ(L4_UntypedWords(got), 3);
	/* The client goes while it waits for b's answer. */
	rt_release(a);
	CHECK(t_wait_for(&snd[0].done, 1, 2 * T_WAIT_US));
	CHECK(snd[0].ec != 0);
	/* b answers a thread that is gone: its send fails, nothing else. */
	send[0] = a.raw;
	send[1] = t_tag(0, 0, 0).raw;
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_SEND, 2, send)));
	CHECK(rt_mr(2) != 0);
	RUN(t_ag_faults(b, KA_WINDOW, 0));
	rt_release(b);
	/* A third task with a real kpager maps as usual. */
	RUN(ka_agent(&c, ka_thread));
	RUN(ka_map_async(0, c, KA_WINDOW, value));
	RUN(ka_map_done(0, c));
	RUN(t_ag_reads(c, KA_WINDOW, KA_VALUE));
	return 0;
}

/* The kpager is deleted while its client waits for an answer: the
 * client's operation ends (the map item is refused), nothing hangs, and
 * a task of another kpager never notices. */
static const char *t_kattack_kpager_deleted_while_client_waits(void)
{
	L4_ThreadId_t ag, other;
	L4_Word_t value = ka_value_page(KA_VALUE);

	RUN(ka_start(KA_HOLD));
	CHECK(value != 0);
	RUN(ka_agent(&ag, ka_thread));
	RUN(ka_agent(&other, L4_nilthread));
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	if (!ka_lent) {
		RUN(ka_map_done(0, ag));
		return t_ag_reads(ag, KA_WINDOW, KA_VALUE);
	}
	CHECK(t_wait_for(&ka.n, 1, T_WAIT_US));
	CHECK_EQ(ka.from[0], ag.raw);
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_PENDING, 0), 1);
	rt_release(ka_thread);
	CHECK(t_wait_for(&snd[0].done, 1, 2 * T_WAIT_US));
	CHECK(t_ag_ok(rt_agent_result(ag, 0)));
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_PENDING, 0), 0);
	RUN(t_ag_faults(ag, KA_WINDOW, 0));
	/* The other task, whose kpager is sigma0, maps as usual. */
	RUN(ka_map_async(1, other, KA_WINDOW2, value));
	RUN(ka_map_done(1, other));
	RUN(t_ag_reads(other, KA_WINDOW2, KA_VALUE));
	return 0;
}

/* The kpager unmaps a page it lent, with the client alive.  The kernel
 * keeps the frame until the task dies: the client's mappings in that
 * 4 MB work on and grow, and no one gets the frame meanwhile.  After the
 * task's death the kpager may have it back from sigma0, zeroed. */
static const char *t_kattack_kpager_unmaps_lent_page(void)
{
	L4_ThreadId_t ag, y;
	L4_Word_t value = ka_value_page(KA_VALUE), more = ka_value_page(KA_VALUE + 1);
	L4_Word_t res[5], sec;

	RUN(ka_start(KA_SERVE));
	CHECK(value && more);
	RUN(ka_agent(&ag, ka_thread));
	RUN(ka_map_async(0, ag, KA_WINDOW, value));
	RUN(ka_map_done(0, ag));
	if (!ka_lent)
		return t_ag_reads(ag, KA_WINDOW, KA_VALUE);
	L4_Word_t p = ka_pool + 2 * RT_PAGE_SIZE;           /* the first page lent */
	CHECK_EQ(ka.kind[0], LENT_KMEM_NT);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 1);
	(void)L4_Flush(L4_FpageAddRights(L4_FpageLog2(p, 12), L4_FullyAccessible));
	RUN(t_ag_reads(ag, KA_WINDOW, KA_VALUE));
	RUN(ka_map_async(0, ag, KA_WINDOW + RT_PAGE_SIZE, more));
	RUN(ka_map_done(0, ag));
	RUN(t_ag_reads(ag, KA_WINDOW + RT_PAGE_SIZE, KA_VALUE + 1));
	/* Asked of sigma0 again (the pool is mapped one to one), the frame
	 * comes to no one while it is lent... */
	(void)L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(p, 12), L4_CompleteAddressSpace);
	RUN(ka_agent(&y, L4_nilthread));
	RUN(t_ag_accept(y, KA_PEEK, 12));
	RUN(t_ag_give_map(y, t_map_item(p, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_faults(y, KA_PEEK, 0));
	rt_release(y);
	/* ...and after the task's death it comes back zeroed (it held 2). */
	rt_release(ag);
	L4_Fpage_t back = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(p, 12),
						      L4_CompleteAddressSpace);
	CHECK(!L4_IsNilFpage(back));
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 0);
	RUN(ka_agent(&y, L4_nilthread));
	RUN(t_ag_accept(y, KA_PEEK, 12));
	RUN(t_ag_give_map(y, t_map_item(p, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(y, KA_PEEK, 0));
	return 0;
}

/* A string sent into a lent frame: an agent has the frame mapped (by
 * node only, the kernel holds it) and receives a string into it.  The
 * kernel never writes there: each try is a page fault to the agent's
 * pager, however often the pager maps the frame again.  Deleting the
 * agent ends the send; the kpager's client is unharmed. */
static const char *t_kattack_string_into_lent_frame(void)
{
	L4_ThreadId_t a, y, from;
	L4_Word_t value = ka_value_page(KA_VALUE), src = ka_value_page(KA_VALUE + 2);
	L4_Word_t res[5], sec, ec, buf[2] = { KA_PEEK, 64 };
	L4_MsgTag_t tag;

	RUN(ka_start(KA_SERVE));
	CHECK(value && src);
	RUN(ka_agent(&a, ka_thread));
	RUN(ka_map_async(0, a, KA_WINDOW, value));
	RUN(ka_map_done(0, a));
	L4_Word_t p = ka_pool + 2 * RT_PAGE_SIZE;           /* the first page lent */
	RUN(ka_agent(&y, L4_nilthread));
	RUN(t_ag_accept(y, KA_PEEK, 12));
	RUN(t_ag_give_map(y, t_map_item(p, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	CHECK(rt_agent_post(y, RT_AG_RECV_STRING, 2, buf));
	L4_StringItem_t str = L4_StringItem(64, (void *)src);
	CHECK(!L4_IsNilThread(t_send_async(y, t_tag(0x66, 0, 2), str.raw, 0)));
	if (!ka_lent) {
		CHECK(t_send_async_wait(&tag, &ec));
		CHECK_EQ(ec, 0);
		CHECK(t_ag_ok(rt_agent_result(y, 0)));
		return t_ag_reads(y, KA_PEEK, KA_VALUE + 2);
	}
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 1);
	for (int round = 0; round < 3; round++) {
		tag = rt_agent_result(y, &from);
		CHECK(rt_is_pagefault(tag));
		CHECK_EQ(from.raw, y.raw);
		CHECK_EQ(rt_mr(1) & ~(RT_PAGE_SIZE - 1), KA_PEEK);
		CHECK(L4_Label(tag) & L4_Writable);
		L4_MapItem_t again = t_map_item(p, 12, L4_FullyAccessible, KA_PEEK);
		t_load(0, 0, 0, 2, again.raw);
		CHECK(L4_IpcSucceeded(L4_Send_Timeout(y, rt_us(T_WAIT_US))));
	}
	rt_release(y);
	CHECK(t_send_async_wait(&tag, &ec));
	CHECK(ec != 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 1);
	RUN(t_ag_reads(a, KA_WINDOW, KA_VALUE));
	rt_release(a);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, p), 0);
	return 0;
}

/* Forged answers: while the client waits for its kpager's page, another
 * thread of the kpager's task sends it a map item, plainly and then
 * propagated in the kpager's name.  Neither is taken: the sends time
 * out, no frame is lent, and the client still waits for its kpager. */
static const char *t_kattack_forged_answers_not_taken(void)
{
	L4_ThreadId_t a;
	L4_Word_t value = ka_value_page(KA_VALUE);
	L4_Word_t page = ka_pool + (KA_POOL - 1) * RT_PAGE_SIZE;
	L4_MapItem_t m = t_map_item(page, 12, L4_FullyAccessible, page);
	L4_MsgTag_t tag;

	RUN(ka_start(KA_HOLD));
	CHECK(value != 0);
	RUN(ka_agent(&a, ka_thread));
	RUN(ka_map_async(0, a, KA_WINDOW, value));
	if (!ka_lent) {
		RUN(ka_map_done(0, a));
		return t_ag_reads(a, KA_WINDOW, KA_VALUE);
	}
	CHECK(t_wait_for(&ka.n, 1, T_WAIT_US));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 1);
	for (int propagated = 0; propagated < 2; propagated++) {
		tag = t_tag(0, 0, 2);
		if (propagated) {
			L4_Set_Propagation(&tag);
			L4_Set_VirtualSender(ka_thread);
		}
		L4_LoadMR(0, tag.raw);
		L4_LoadMR(1, m.raw[0]);
		L4_LoadMR(2, m.raw[1]);
		tag = L4_Send_Timeout(a, rt_us(50000));
		L4_Set_VirtualSender(L4_nilthread);
		CHECK(L4_IpcFailed(tag));
		CHECK_EQ(L4_ErrorCode(), EC_SEND(1));
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, page), 0);
		CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_PENDING, 0), 1);
	}
	CHECK_EQ(ka.n, 1);
	CHECK_EQ(((volatile L4_Word_t *)page)[0], KA_POOL - 1);
	rt_release(a);
	CHECK(t_wait_for(&snd[0].done, 1, 2 * T_WAIT_US));
	return 0;
}

/*
 * A kpager may not lend a page that another task only mapped to it, or
 * it would take it from that task (found open by this test, now refused
 * as LENT_KPF_SHARED).  Agent b is a's
 * kpager; the root maps b one page of its own, writable (a buffer they
 * share).  b answers a's kernel page fault with that page: the kernel
 * strips every translation of the frame in its mapping tree, the root's
 * included, and keeps it until a dies.  The root is no client of b, yet
 * it loses its own page, and unmapping it from b does not give it back
 * (docs/kernel-memory.md, "Taking a lent frame").  The brief: a kpager
 * harms only its own clients.
 */
static const char *t_kattack_lend_shared_page_refused(void)
{
	L4_ThreadId_t a, b;
	L4_Word_t shared = ka_value_page(KA_VALUE), value = ka_value_page(KA_VALUE + 1);
	L4_Word_t res[5], sec, send[4], lent_after, lent_unmapped;

	RUN(ka_start(KA_SERVE));
	CHECK(shared && value);
	RUN(ka_agent(&a, L4_nilthread));
	RUN(ka_agent(&b, L4_nilthread));
	if (!ka_lent)
		return 0;
	RUN(t_ag_accept(b, KA_WINDOW2, 12));
	RUN(t_ag_give_map(b, t_map_item(shared, 12, L4_FullyAccessible, 0), res, &sec));
	CHECK_EQ(sec, 0);
	RUN(t_ag_reads(b, KA_WINDOW2, KA_VALUE));
	CHECK_EQ(lent_kmem_control(a.raw, LENT_KMEM_SET_KPAGER, b.raw), 1);
	RUN(t_ag_accept(b, 0, 0));
	CHECK(rt_agent_post(b, RT_AG_RECV, 0, 0));
	RUN(ka_map_async(0, a, KA_WINDOW, value));
	CHECK(t_ag_ok(rt_agent_result(b, 0)));
	CHECK_EQ(L4_Label((L4_MsgTag_t) { .raw = rt_mr(1) }), LENT_LABEL_KPF);
	CHECK_EQ(rt_mr(3), a.raw);
	/* b answers with the root's page. */
	L4_MapItem_t m = t_map_item(KA_WINDOW2, 12, L4_FullyAccessible, KA_WINDOW2);
	send[0] = a.raw;
	send[1] = t_tag(0, 0, 2).raw;
	send[2] = m.raw[0];
	send[3] = m.raw[1];
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_SEND, 4, send)));
	L4_Word_t b_ec = rt_mr(2);
	lent_after = lent_kmem_control(0, LENT_KMEM_LENT, shared);
	(void)L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(shared, 12), L4_FullyAccessible));
	lent_unmapped = lent_kmem_control(0, LENT_KMEM_LENT, shared);
	/* Let a go before judging, so that the root gets its page back. */
	rt_release(a);
	rt_release(b);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, shared), 0);
	CHECK_EQ(b_ec, EC_SEND(4) | ((L4_Word_t)LENT_KPF_SHARED << 4));
	CHECK_EQ(lent_after, 0);
	CHECK_EQ(lent_unmapped, 0);
	CHECK_EQ(((volatile L4_Word_t *)shared)[0], KA_VALUE);   /* the root's, untouched */
	return 0;
}

const struct test kattack_tests[] = {
	TEST(kattack_bad_answers_refused),
	TEST(kattack_one_page_two_faults),
	TEST(kattack_own_kpager),
	TEST(kattack_mutual_kpagers_client_deleted),
	TEST(kattack_kpager_deleted_while_client_waits),
	TEST(kattack_kpager_unmaps_lent_page),
	TEST(kattack_string_into_lent_frame),
	TEST(kattack_forged_answers_not_taken),
	TEST(kattack_lend_shared_page_refused),
	{ 0 }
};
