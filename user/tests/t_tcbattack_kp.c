/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The shared part of the hostile thread-creation tests (t_tcbattack.h):
 * a test kpager that logs the kernel page faults it gets and answers
 * them from its pool, or holds the last one until the test has it
 * answered late; a creator thread that makes the ThreadControl calls the
 * test sets up; and the steps and counts the tests use.
 */
#include "t_tcbattack.h"
#include "../../kpager/kpager.h"
#include "t_sync.h"

volatile struct tk_log tk;
static struct t_kp tkh;

L4_Word_t tk_page(L4_Word_t i)
{
	return tkh.pool + i * RT_PAGE_SIZE;
}

static void tk_serve(L4_ThreadId_t to)
{
	L4_Word_t ec;

	(void)kpager_answer(to, tk.next < TK_LATE_PAGE ? tk_page(tk.next++) : 0, &ec);
}

static void tk_kpager(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	for (;;) {
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag))
			continue;
		if (L4_Label(tag) == TK_CMD) {
			L4_Word_t ec = 0, page = rt_mr(1);
			L4_ThreadId_t to = { .raw = rt_mr(2) };
			tk.late_ok = (L4_Word_t)kpager_answer(to, page, &ec);
			tk.late_ec = ec;
			t_load(0, 0, 0, 0, 0);
			(void)L4_Reply(from);
			continue;
		}
		if (L4_Label(tag) != LENT_LABEL_KPF)
			continue;
		L4_Word_t i = tk.n % TK_LOG;
		tk.from[i] = from.raw;
		tk.cid[i] = rt_mr(1);
		tk.kind[i] = rt_mr(2);
		tk.named[i] = rt_mr(3);
		tk.n++;
		if (tk.mode == TK_HOLD)
			tk.held = from.raw;
		else
			tk_serve(from);
	}
}

/* The kpager answers the fault of `to` now, with the pool page `page`
 * (or with none if 0). */
const char *tk_answer_to(L4_ThreadId_t to, L4_Word_t page)
{
	L4_Word_t w[2] = { page, to.raw };

	t_load(TK_CMD, 2, w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Call(tkh.thread)));
	return 0;
}

/* The held fault: answered late with the pool page kept for that. */
const char *tk_answer_late(L4_Word_t page)
{
	return tk_answer_to((L4_ThreadId_t){ .raw = tk.held }, page);
}

void tk_creator(L4_Word_t k)
{
	for (L4_Word_t call = 1;; call++) {
		while (tk.c_go[k] < call)
			rt_sleep_us(1000);
		tk.c_result[k] = L4_ThreadControl((L4_ThreadId_t){ .raw = tk.c_dest[k] },
						  (L4_ThreadId_t){ .raw = tk.c_space[k] },
						  rt_main_thread(), L4_nilthread, (void *)-1);
		tk.c_ec[k] = L4_ErrorCode();
		tk.c_done[k] = call;
	}
}

L4_Word_t tk_lent(void)
{
	return lent_kmem_control(0, LENT_KMEM_LENT_KINDS, 0) & (1UL << LENT_KMEM_TCB);
}

L4_Word_t tk_stat(L4_ThreadId_t t, unsigned mr)
{
	lent_kmem_control(t.raw, LENT_KMEM_STATS, 0);
	return rt_mr(mr);
}

L4_Word_t tk_parts_in_use(void)
{
	lent_kmem_control(0, LENT_KMEM_OWNED, 0);
	return rt_mr(LENT_KMEM_OWN_RESIDENT_PARTS);
}

L4_Word_t tk_make(L4_ThreadId_t t, L4_ThreadId_t space)
{
	return L4_ThreadControl(t, space, rt_main_thread(), L4_nilthread, (void *)-1);
}

L4_Word_t tk_delete(L4_ThreadId_t t)
{
	return L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
}

L4_Word_t tk_is_lent(L4_Word_t page)
{
	return lent_kmem_control(0, LENT_KMEM_LENT, page);
}

/* v's number with another (valid, global) version. */
L4_ThreadId_t tk_other_version(L4_ThreadId_t v)
{
	return L4_GlobalId(L4_ThreadNo(v), (L4_Version(v) + 1) | 1);
}

/* A fresh kpager in mode; task t with u[0..2], its TCB page 0 full (lent
 * by the root's kpager), whose kpager is then the test's. */
const char *tk_task(enum tk_mode mode, L4_ThreadId_t t, L4_ThreadId_t *u)
{
	t_kp_zero(&tk, sizeof(tk));
	tk.mode = mode;
	RUN(t_kp_start(&tkh, TK_POOL, tk_kpager));
	tk.parts = tk_parts_in_use();
	CHECK_EQ(tk_make(t, t), 1);
	for (int i = 0; i < 3; i++) {
		u[i] = rt_tid_alloc();
		CHECK_EQ(tk_make(u[i], t), 1);
	}
	CHECK_EQ(lent_kmem_control(t.raw, LENT_KMEM_SET_KPAGER, tkh.thread.raw), 1);
	return 0;
}

/* The creator asks for v in the space of t; where TCBs are lent it waits
 * for the test's kpager, which holds the fault for TCB page 1 (named by
 * t, the task's thread), and v is half-made. */
const char *tk_create_held(L4_ThreadId_t *c, L4_ThreadId_t v, L4_ThreadId_t t)
{
	tk.c_dest[0] = v.raw;
	tk.c_space[0] = t.raw;
	tk.c_go[0] = 1;
	*c = rt_thread_create(tk_creator, 0);
	CHECK(!L4_IsNilThread(*c));
	if (!tk_lent()) {
		t_until(&tk.c_done[0], 1);
		return 0;
	}
	t_until_at_least(&tk.n, 1);
	CHECK_EQ(tk.n, 1);
	CHECK_EQ(tk.from[0], L4_LocalIdOf(*c).raw);   /* the kpager is in our space */
	CHECK_EQ(tk.kind[0], LENT_KMEM_TCB);
	CHECK_EQ(tk.cid[0], lent_cid_nth(LENT_KMEM_TCB, 1));
	CHECK_EQ(tk.named[0], t.raw);
	CHECK_EQ(lent_kmem_control(c->raw, LENT_KMEM_PENDING, 0), 1);
	CHECK_EQ(tk.c_done[0], 0);
	return 0;
}

/* Where TCBs come from the pool, the creation was made at once. */
const char *tk_pool_outcome(L4_ThreadId_t v, L4_ThreadId_t t, L4_ThreadId_t *u)
{
	CHECK_EQ(tk.c_result[0], 1);
	CHECK_EQ(tk.n, 0);
	CHECK_EQ(tk_delete(v), 1);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(tk_delete(u[i]), 1);
	CHECK_EQ(tk_delete(t), 1);
	return 0;
}

const char *tk_delete_task(L4_ThreadId_t t, L4_ThreadId_t *u)
{
	for (int i = 0; i < 3; i++)
		CHECK_EQ(tk_delete(u[i]), 1);
	CHECK_EQ(tk_delete(t), 1);
	return 0;
}

/* None of the test kpager's pages is still lent. */
const char *tk_all_back(void)
{
	for (L4_Word_t i = 0; i < TK_POOL; i++)
		CHECK_EQ(tk_is_lent(tk_page(i)), 0);
	return 0;
}
