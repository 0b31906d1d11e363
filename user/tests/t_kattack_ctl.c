/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * KmemControl (docs/kpager-protocol.md) with garbage: an unprivileged
 * task may set no kpager and read no counts but its own; a privileged
 * caller's nil, local, wildcard or dead arguments get a clear error and
 * change nothing.
 */
#include "tests.h"
#include <lent/kmem.h>

#define KC_WINDOW	0x44000000UL     /* a 4 MB region the agents never used */
#define KC_REPORT	0x7a61
#define KC_UNPRIV_WORDS	20

/* KmemControl from an unprivileged task: it may set no kpager, its own
 * or another's, and read no counts or kpager but its own. */
static void kc_unpriv_body(L4_Word_t arg)
{
	L4_ThreadId_t root = { .raw = arg }, me = L4_MyGlobalId();
	L4_Word_t w[KC_UNPRIV_WORDS], n = 0;

#define KC_TRY(task, op, a)						\
	do {								\
		w[n++] = lent_kmem_control((task), (op), (a));		\
		w[n++] = L4_ErrorCode();				\
	} while (0)
	KC_TRY(0, LENT_KMEM_SET_KPAGER, me.raw);
	KC_TRY(root.raw, LENT_KMEM_SET_KPAGER, me.raw);
	KC_TRY(root.raw, LENT_KMEM_STATS, 0);
	KC_TRY(root.raw, LENT_KMEM_GET_KPAGER, 0);
	KC_TRY(rt_sigma0().raw, LENT_KMEM_STATS, 0);
	KC_TRY(root.raw, LENT_KMEM_PENDING, 0);
	KC_TRY(0, 0xffffffffUL, 0);
	KC_TRY(0, LENT_KMEM_LENT_MASK, 0xffffffffUL);
	KC_TRY(0, LENT_KMEM_LENT, 0xfffff000UL);
	w[n++] = lent_kmem_control(L4_MyLocalId().raw, LENT_KMEM_STATS, 0) != 0 &&
		 rt_mr(LENT_KMEM_STAT_PRIVILEGED) == 0 && rt_mr(LENT_KMEM_STAT_THREADS) == 1;
#undef KC_TRY
	rt_msg(KC_REPORT, (int)n, w);
	(void)L4_Send(root);
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_kattack_unprivileged_control(void)
{
	L4_ThreadId_t t, from;
	L4_MsgTag_t tag;
	L4_Word_t mine = lent_kmem_control(0, LENT_KMEM_GET_KPAGER, 0);

	t = rt_task_create(kc_unpriv_body, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(t));
	tag = L4_Receive(t);
	from = t;
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), KC_REPORT);
	CHECK_EQ(L4_UntypedWords(tag), 19);
	L4_Word_t w[19];
	for (int i = 0; i < 19; i++)
		w[i] = rt_mr(i + 1);
	CHECK_EQ(w[0], 0);  CHECK_EQ(w[1], 1);          /* no privilege */
	CHECK_EQ(w[2], 0);  CHECK_EQ(w[3], 1);
	CHECK_EQ(w[4], 0);  CHECK_EQ(w[5], 1);
	CHECK_EQ(w[6], 0);  CHECK_EQ(w[7], 1);
	CHECK_EQ(w[8], 0);  CHECK_EQ(w[9], 1);
	CHECK_EQ(w[10], 0);                             /* no fault of its own pending */
	CHECK_EQ(w[12], 0); CHECK_EQ(w[13], 5);         /* no such op */
	CHECK_EQ(w[14], 0);                             /* kernel addresses: nothing lent */
	CHECK_EQ(w[16], 0);
	CHECK_EQ(w[18], 1);                             /* its own counts by local ID */
	/* Nothing changed: the root's kpager, and the task's own. */
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_GET_KPAGER, 0), mine);
	CHECK_EQ(lent_kmem_control(from.raw, LENT_KMEM_GET_KPAGER, 0), mine);
	rt_release(t);
	return 0;
}

/* KmemControl with garbage from the root: a nil, local, wildcard or dead
 * kpager is refused and the task's kpager stays; lookups of kernel
 * addresses say nothing is lent. */
static const char *t_kattack_privileged_control_garbage(void)
{
	L4_ThreadId_t ag;
	L4_Word_t dead = t_nonexistent().raw, kp;

	ag = rt_agent_create(rt_main_thread());
	CHECK(!L4_IsNilThread(ag));
	kp = lent_kmem_control(ag.raw, LENT_KMEM_GET_KPAGER, 0);
	CHECK(kp != 0);
	const L4_Word_t bad[] = { 0, L4_MyLocalId().raw, L4_anythread.raw, L4_anylocalthread.raw,
				  dead, 0xffffffc0UL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_SET_KPAGER, bad[i]), 0);
		CHECK_EQ(L4_ErrorCode(), 2);
		CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_GET_KPAGER, 0), kp);
	}
	CHECK_EQ(lent_kmem_control(L4_anythread.raw, LENT_KMEM_STATS, 0), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(lent_kmem_control(dead, LENT_KMEM_SET_KPAGER, ag.raw), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, t_kernel_addr()), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT, 0xffffffffUL), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_LENT_MASK, 0xffffffffUL), 0);
	CHECK_EQ(lent_kmem_control(0, LENT_KMEM_PENDING, 0), 0);
	CHECK_EQ(lent_kmem_control(ag.raw, LENT_KMEM_PENDING, 0), 0);
	/* The agent works on, and so does the root's own STATS. */
	RUN(t_ag_faults(ag, KC_WINDOW, 0));
	CHECK(lent_kmem_control(L4_MyLocalId().raw, LENT_KMEM_STATS, 0) >= 2);
	CHECK_EQ(rt_mr(LENT_KMEM_STAT_PRIVILEGED), 1);
	return 0;
}

const struct test kattack_ctl_tests[] = {
	TEST(kattack_unprivileged_control),
	TEST(kattack_privileged_control_garbage),
	{ 0 }
};
