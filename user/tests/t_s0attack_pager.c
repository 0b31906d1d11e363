/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Who may act as a thread's pager, and whom sigma0 takes a client for
 * (docs/security.md): writing one's own Pager TCR gives the thread named
 * there no ExchangeRegisters right, the pager ThreadControl gave keeps
 * it, and no pager can pass it on; sigma0 tells a new version of a
 * thread from the old, and a root-task thread whose pager is sigma0
 * shares the root task's pages.  t_s0attack.c has the attacks that try
 * to pass for the root task or another task.
 */
#include "tests.h"
#include "t_sync.h"

/* Where an agent wants sigma0's pages (free in every rt task). */
#define S0A_WINDOW	0x40000000UL

/* Writing one's own Pager TCR does not let the thread named there use
 * ExchangeRegisters on one: only the pager ThreadControl gave may. */
static const char *t_s0a_tcr_gives_no_exregs(void)
{
	L4_ThreadId_t ag = rt_agent_create(rt_pager()), r, p;
	L4_Word_t w[2], dummy;

	CHECK(!L4_IsNilThread(ag));
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SELF, 0, 0)));
	w[0] = rt_mr(4) - 48;		/* the Pager TCR */
	w[1] = L4_Myself().raw;
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_WRITE, 2, w)));
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SELF, 0, 0)));
	CHECK_EQ(rt_mr(2), L4_Myself().raw);
	r = L4_ExchangeRegisters(ag, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &dummy,
				 &dummy, &dummy, &dummy, &dummy, &p);
	CHECK(L4_IsNilThread(r));
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	return 0;
}

/* The pager ThreadControl gave keeps the right when the thread names
 * another in its Pager TCR, and sees that TCR as the thread's pager. */
static const char *t_s0a_assigned_pager_keeps_exregs(void)
{
	L4_ThreadId_t ag = rt_agent_create(L4_Myself()), r, p = L4_nilthread;
	L4_Word_t w[2], dummy;

	CHECK(!L4_IsNilThread(ag));
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SELF, 0, 0)));
	w[0] = rt_mr(4) - 48;
	w[1] = rt_pager().raw;
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_WRITE, 2, w)));
	r = L4_ExchangeRegisters(ag, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &dummy,
				 &dummy, &dummy, &dummy, &dummy, &p);
	CHECK(!L4_IsNilThread(r));
	CHECK_EQ(p.raw, rt_pager().raw);
	return 0;
}

/* A root thread that tries ExchangeRegisters on the thread in arg. */
static void s0a_try_exregs(L4_Word_t arg)
{
	L4_ThreadId_t t = { .raw = arg }, r, p;
	L4_Word_t dummy;

	r = L4_ExchangeRegisters(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &dummy,
				 &dummy, &dummy, &dummy, &dummy, &p);
	t_shared[1] = r.raw;
	t_shared[2] = L4_ErrorCode();
	t_shared[0] = 1;
}

/* A pager that names another pager with ExchangeRegisters' pager flag
 * moves the faults, not the right: the one named may not
 * ExchangeRegisters the thread, the pager ThreadControl gave still may. */
static const char *t_s0a_pager_cannot_pass_the_right(void)
{
	L4_ThreadId_t ag = rt_agent_create(L4_Myself()), r, p = L4_nilthread, other;
	L4_Word_t dummy, sp;

	CHECK(!L4_IsNilThread(ag));
	other = rt_thread_prepare(ag.raw, &sp);
	CHECK(!L4_IsNilThread(other));
	r = L4_ExchangeRegisters(ag, __L4_EXREGS_SET_PAGER, 0, 0, 0, 0, other, &dummy,
				 &dummy, &dummy, &dummy, &dummy, &p);
	CHECK(!L4_IsNilThread(r));
	L4_Start_SpIp(other, sp, (L4_Word_t)s0a_try_exregs);
	t_until(&t_shared[0], 1);
	CHECK_EQ(t_shared[1], L4_nilthread.raw);
	CHECK_EQ(t_shared[2], L4_ErrInvalidThread);
	r = L4_ExchangeRegisters(ag, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &dummy,
				 &dummy, &dummy, &dummy, &dummy, &p);
	CHECK(!L4_IsNilThread(r));
	CHECK_EQ(p.raw, other.raw);
	return 0;
}

/* sigma0 knows a client by its global ID, version included: a thread
 * given a new version (as a deleted thread's number comes back) does not
 * get the pages sigma0 gave the old ID. */
static const char *t_s0a_new_version_new_client(void)
{
	L4_ThreadId_t ag = rt_agent_create(L4_Myself()), ag2;
	L4_Word_t w[2];
	L4_Fpage_t got;

	CHECK(!L4_IsNilThread(ag));
	w[0] = L4_FpageLog2(~0UL, 12).raw;
	w[1] = L4_FpageLog2(S0A_WINDOW, 12).raw;
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SIGMA0, 2, w)));
	got.raw = rt_mr(1);
	CHECK(!L4_IsNilFpage(got));
	/* The same ID asks again: granted, sigma0's answers are idempotent. */
	w[0] = L4_FpageLog2(L4_Address(got), 12).raw;
	CHECK(t_ag_ok(rt_agent_cmd(ag, RT_AG_SIGMA0, 2, w)));
	CHECK_EQ(L4_Address((L4_Fpage_t) { .raw = rt_mr(1) }), L4_Address(got));
	ag2 = L4_GlobalId(L4_ThreadNo(ag), L4_Version(ag) ^ 0x300);
	CHECK_EQ(L4_ThreadControl(ag2, ag, L4_nilthread, L4_nilthread, (void *)~0UL), 1);
	rt_retag(ag, ag2);
	CHECK(t_ag_ok(rt_agent_cmd(ag2, RT_AG_SIGMA0, 2, w)));
	CHECK(L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
	return 0;
}

/* A root-task thread that ThreadControl gave sigma0 as pager still
 * shares the root task's pages. */
static void s0a_root_thread(L4_Word_t v)
{
	t_shared[1] = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(v, 12),
						  L4_FpageLog2(v, 12)).raw;
	t_shared[0] = 1;
}

static const char *t_s0a_root_thread_shares(void)
{
	L4_Word_t v = t_page();
	L4_ThreadId_t t;

	CHECK(v != 0);
	CHECK_EQ(L4_Pager().raw, rt_sigma0().raw);
	t = rt_thread_create(s0a_root_thread, v);
	CHECK(!L4_IsNilThread(t));
	t_until(&t_shared[0], 1);
	CHECK(!L4_IsNilFpage((L4_Fpage_t) { .raw = t_shared[1] }));
	CHECK_EQ(L4_Address((L4_Fpage_t) { .raw = t_shared[1] }), v);
	return 0;
}

const struct test s0attack_pager_tests[] = {
	TEST(s0a_tcr_gives_no_exregs),
	TEST(s0a_assigned_pager_keeps_exregs),
	TEST(s0a_pager_cannot_pass_the_right),
	TEST(s0a_new_version_new_client),
	TEST(s0a_root_thread_shares),
	{ 0 },
};
