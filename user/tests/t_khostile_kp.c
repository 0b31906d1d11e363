/* SPDX-License-Identifier: BSD-2-Clause */
/* The attacker tests' kpager (t_khostile.h). */
#include "t_khostile.h"
#include "t_kattack.h"
#include "t_sync.h"

volatile struct kh_log kh;
L4_Word_t kh_pool, kh_lent_kinds;
L4_ThreadId_t kh_thread;

L4_Word_t kh_take(void)
{
	while (kh.next < KH_POOL) {
		L4_Word_t page = kh_pool + kh.next++ * RT_PAGE_SIZE;
		if (!lent_kmem_control(0, LENT_KMEM_LENT, page))
			return page;
	}
	return 0;
}

L4_Word_t kh_answer(L4_ThreadId_t to, const L4_Word_t *page, unsigned n, int label)
{
	L4_MsgTag_t tag = L4_Niltag;

	tag.X.label = label ? LENT_LABEL_KPF : 0;
	tag.X.t = 2 * n;
	L4_LoadMR(0, tag.raw);
	for (unsigned i = 0; i < n; i++) {
		L4_MapItem_t m = L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page[i], 12),
							      L4_FullyAccessible), page[i]);
		L4_LoadMR(1 + 2 * i, m.raw[0]);
		L4_LoadMR(2 + 2 * i, m.raw[1]);
	}
	return L4_IpcFailed(L4_Reply(to)) ? L4_ErrorCode() : 0;
}

/* Answer fault i of the log from the pool. */
static void kh_serve(L4_Word_t i, int label)
{
	L4_ThreadId_t to = { .raw = kh.from[i % KH_LOG] };
	unsigned n = LENT_KPF_PAGES(kh.u[i % KH_LOG]);
	L4_Word_t p[LENT_KPF_MAX_PAGES] = { 0 };

	for (unsigned k = 0; k < n; k++)
		kh.page[i % KH_LOG][k] = p[k] = kh_take();
	kh.answer_ec[i % KH_LOG] = kh_answer(to, p, n, label);
}

static void kh_raw_answers(L4_ThreadId_t to)
{
	for (L4_Word_t b = 0; b < kh.nraw && b < KH_RAW; b++) {
		L4_LoadMR(0, kh.raw[b].tag);
		for (unsigned w = 0; w < 7; w++)
			L4_LoadMR(1 + w, kh.raw[b].w[w]);
		kh.raw_ec[b] = L4_IpcFailed(L4_Reply(to)) ? L4_ErrorCode() : 0;
	}
}

static void kh_loop(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	kh.up = 1;
	for (;;) {
		L4_Accept(L4_UntypedWordsAcceptor);
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag))
			continue;
		if (L4_Label(tag) == KH_LABEL_GO) {
			for (L4_Word_t i = kh.late_done; i < kh.n; i++)
				kh_serve(i, (int)kh.late_label);
			kh.late_done = kh.n;
			L4_LoadMR(0, 0);
			(void)L4_Reply(from);
			continue;
		}
		unsigned n = LENT_KPF_PAGES(L4_UntypedWords(tag));
		if (L4_Label(tag) != LENT_LABEL_KPF || !n)
			continue;
		L4_Word_t i = kh.n % KH_LOG;
		kh.from[i] = from.raw;
		kh.u[i] = L4_UntypedWords(tag);
		kh.cid[i] = rt_mr(1);
		kh.kind[i] = rt_mr(2);
		kh.n++;
		if (kh.mode == KH_HOLD)
			continue;
		if (kh.mode == KH_RAW_FIRST && kh.n == (kh.raw_at ? kh.raw_at : 1))
			kh_raw_answers(from);
		kh_serve(kh.n - 1, 1);
		kh.late_done = kh.n;
	}
}

const char *kh_start(enum kh_mode mode)
{
	for (L4_Word_t i = 0; i < sizeof(kh) / sizeof(L4_Word_t); i++)
		((volatile L4_Word_t *)&kh)[i] = 0;
	kh.mode = mode;
	kh_lent_kinds = lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0);
	if (!kh_pool) {
		kh_pool = rt_get_pages(KH_POOL);
		CHECK(kh_pool != 0);
	}
	RUN(kh_pool_back());
	kh_thread = rt_thread_create(kh_loop, 0);
	CHECK(!L4_IsNilThread(kh_thread));
	return 0;
}

const char *kh_go(int label)
{
	L4_MsgTag_t tag;

	kh.late_label = (L4_Word_t)label;
	L4_LoadMR(0, t_tag(KH_LABEL_GO, 0, 0).raw);
	tag = L4_Call(kh_thread);
	CHECK(L4_IpcSucceeded(tag));
	return 0;
}

const char *kh_pool_back(void)
{
	for (L4_Word_t i = 0; i < KH_POOL; i++)
		CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, kh_pool + i * RT_PAGE_SIZE), 0);
	return 0;
}

L4_Word_t kh_lent_now(void)
{
	(void)lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	L4_Word_t all = rt_mr(LENT_KMEM_OWN_LENT);
	(void)lent_kmem_control(0, LENT_KMEM_STATS, 0);
	return all - rt_mr(LENT_KMEM_STAT_LENT);
}

L4_Word_t kh_value_page(L4_Word_t value)
{
	L4_Word_t p = t_page();

	if (p)
		((volatile L4_Word_t *)p)[0] = value;
	return p;
}

const char *kh_client_in_receive_kpf(L4_ThreadId_t *a, int *waits)
{
	L4_Word_t value = kh_value_page(KH_VALUE);

	*waits = 0;
	CHECK(value != 0);
	RUN(kh_start(KH_HOLD));
	RUN(t_kp_agent(a, kh_thread));
	RUN(ka_map_async(0, *a, KH_WINDOW, value));
	if (!kh_lent_kinds)
		return ka_map_done(0, *a);
	t_until_at_least(&kh.n, 1);
	CHECK_EQ(kh.n, 1);
	CHECK_EQ(kh.from[0], a->raw);
	CHECK_EQ(lent_kmem_control(a->raw, LENT_KMEM_PENDING, 0), 1);
	*waits = 1;
	return 0;
}

const char *kh_second_agent(L4_ThreadId_t ag, L4_ThreadId_t *t)
{
	L4_Word_t ip, sp;

	*t = rt_task_thread_prepare(ag, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, rt_agent_loop, 0,
				    rt_main_thread(), &ip, &sp);
	CHECK(!L4_IsNilThread(*t));
	CHECK(rt_start_message(*t, ip, sp));
	CHECK(t_ag_ok(rt_agent_result(*t, 0)));
	return 0;
}

const char *kh_wait_state(L4_ThreadId_t t, L4_Word_t bit)
{
	if (t_ipc_blocked(t, bit))
		return 0;
	return t_fail(__FILE__, __LINE__, "the thread never blocks so");
}

void kh_tc_body(L4_Word_t arg)
{
	L4_ThreadId_t dest = { .raw = t_shared[0] }, space = { .raw = t_shared[1] };

	(void)arg;
	t_shared[3] = L4_ThreadControl(dest, space, rt_main_thread(), rt_main_thread(),
				       (void *)t_shared[2]);
	t_shared[4] = L4_ErrorCode();
	t_shared[5] = 1;
	while (!t_shared[6])
		rt_sleep_us(1000);
	dest.raw = t_shared[10];
	space.raw = t_shared[11];
	t_shared[7] = L4_ThreadControl(dest, space, rt_main_thread(), rt_main_thread(),
				       (void *)t_shared[12]);
	t_shared[8] = L4_ErrorCode();
	t_shared[9] = 1;
}
