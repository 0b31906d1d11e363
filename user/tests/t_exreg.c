/* SPDX-License-Identifier: BSD-2-Clause */
/* ExchangeRegisters: SP, IP, flags, user handle, pager, halting, the
 * reported state, ID conversion, and who may use it. */
#include "tests.h"
#include "t_sync.h"

#define STOP	(__L4_EXREGS_SET_HALT | __L4_EXREGS_HALT | \
		 __L4_EXREGS_ABORT_RECV | __L4_EXREGS_ABORT_SEND)
#define SET_ALL	(__L4_EXREGS_SET_SP | __L4_EXREGS_SET_IP | __L4_EXREGS_SET_FLAGS)
/* Arithmetic flags user level may set: CF PF AF ZF SF DF OF. */
#define UFLAGS	0xcd5UL

static L4_ThreadId_t exregs(L4_ThreadId_t t, L4_Word_t control, L4_Word_t sp,
			    L4_Word_t ip, L4_Word_t flags, L4_Word_t *o_ctl,
			    L4_Word_t *o_sp, L4_Word_t *o_ip, L4_Word_t *o_flags)
{
	return __L4_Exregs(t, control, sp, ip, flags, 0, L4_nilthread,
			   o_ctl, o_sp, o_ip, o_flags, 0, 0);
}

/* Values written into a halted thread are the values read back. */
static const char *t_exreg_write_read_sp_ip_flags(void)
{
	L4_Word_t sp, o_ctl = 0, o_sp = 0, o_ip = 0, o_fl = 0;
	L4_ThreadId_t t = rt_thread_prepare(5, &sp);

	CHECK(!L4_IsNilThread(t));
	(void)exregs(t, STOP | SET_ALL, sp, (L4_Word_t)t_flagger, 0x2c7, 0, 0, 0, 0);
	(void)exregs(t, __L4_EXREGS_DELIVER, 0, 0, 0, &o_ctl, &o_sp, &o_ip, &o_fl);
	CHECK(o_ctl & __L4_EXREGS_HALT);
	CHECK_EQ(o_sp, sp);
	CHECK_EQ(o_ip, (L4_Word_t)t_flagger);
	CHECK_EQ(o_fl & UFLAGS, 0xc5);
	CHECK_EQ(t_shared[5], 0);
	return 0;
}

/* Resuming the halted thread runs it at the IP and SP we wrote. */
static const char *t_exreg_resume_runs_at_new_ip(void)
{
	L4_Word_t sp;
	L4_ThreadId_t t = rt_thread_prepare(5, &sp);

	CHECK(!L4_IsNilThread(t));
	(void)exregs(t, STOP | SET_ALL, sp, (L4_Word_t)t_flagger, 0x202, 0, 0, 0, 0);
	rt_sleep_us(10000);
	CHECK_EQ(t_shared[5], 0);
	(void)exregs(t, __L4_EXREGS_SET_HALT, 0, 0, 0, 0, 0, 0, 0);
	t_until(&t_shared[5], 1);
	return 0;
}

/* Flags user level may not set (IOPL, VM, NT, IF off) stay as they are. */
static const char *t_exreg_flags_masked(void)
{
	L4_Word_t sp, fl = 0;
	L4_ThreadId_t t = rt_thread_prepare(5, &sp);

	CHECK(!L4_IsNilThread(t));
	(void)exregs(t, STOP | __L4_EXREGS_SET_FLAGS, 0, 0, ~0UL, 0, 0, 0, 0);
	(void)exregs(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, 0, 0, &fl);
	CHECK_EQ(fl & 0x3000, 0);	/* IOPL 0 */
	CHECK_EQ(fl & 0x24000, 0);	/* no VM86, no NT */
	CHECK(fl & 0x200);		/* interrupts stay enabled */
	return 0;
}

static void read_handle(L4_Word_t arg)
{
	(void)arg;
	t_shared[0] = L4_UserDefinedHandle();
	t_shared[1] = 1;
}

/* The user-defined handle set by ExchangeRegisters is the thread's TCR. */
static const char *t_exreg_user_handle(void)
{
	L4_Word_t sp;
	L4_ThreadId_t t = rt_thread_prepare(0, &sp);

	CHECK(!L4_IsNilThread(t));
	L4_Set_UserDefinedHandleOf(t, 0xfeed1234);
	CHECK_EQ(L4_UserDefinedHandleOf(t), 0xfeed1234);
	L4_Start_SpIp(t, sp, (L4_Word_t)read_handle);
	t_until(&t_shared[1], 1);
	CHECK_EQ(t_shared[0], 0xfeed1234);
	return 0;
}

static void wait_for_pager(L4_Word_t want)
{
	while (L4_Pager().raw != want)
		;
	t_shared[0] = 1;
}

/* Setting the pager by ExchangeRegisters changes the thread's Pager TCR. */
static const char *t_exreg_pager(void)
{
	L4_ThreadId_t t = rt_thread_create(wait_for_pager, L4_Myself().raw);

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_PagerOf(t).raw, L4_Pager().raw);
	rt_sleep_us(10000);
	L4_Set_PagerOf(t, L4_Myself());
	CHECK_EQ(L4_PagerOf(t).raw, L4_Myself().raw);
	t_until(&t_shared[0], 1);
	return 0;
}

/* A halted thread does not run until it is resumed. */
static const char *t_exreg_halt_resume(void)
{
	L4_ThreadId_t t = rt_thread_create(t_spinner, 2);
	L4_Word_t c1, ctl = 0;

	CHECK(!L4_IsNilThread(t));
	t_until_at_least(&t_shared[2], 1);
	(void)exregs(t, __L4_EXREGS_SET_HALT | __L4_EXREGS_HALT, 0, 0, 0, 0, 0, 0, 0);
	c1 = t_shared[2];
	rt_sleep_us(30000);
	CHECK_EQ(t_shared[2], c1);
	(void)exregs(t, __L4_EXREGS_DELIVER, 0, 0, 0, &ctl, 0, 0, 0);
	CHECK(ctl & __L4_EXREGS_HALT);
	(void)exregs(t, __L4_EXREGS_SET_HALT, 0, 0, 0, 0, 0, 0, 0);
	t_until_at_least(&t_shared[2], c1 + 1);
	return 0;
}

/* The old control word tells a receiving thread from a sending one. */
static const char *t_exreg_reports_ipc_state(void)
{
	L4_ThreadId_t r = rt_thread_create(t_receive_from_main, 0);
	L4_ThreadId_t s = rt_thread_create(t_send_to_main, 0);
	L4_Word_t cr = 0, cs = 0;

	CHECK(!L4_IsNilThread(r) && !L4_IsNilThread(s));
	CHECK(t_ipc_blocked(r, __L4_EXREGS_ABORT_RECV));
	CHECK(t_ipc_blocked(s, __L4_EXREGS_ABORT_SEND));
	(void)exregs(r, __L4_EXREGS_DELIVER, 0, 0, 0, &cr, 0, 0, 0);
	(void)exregs(s, __L4_EXREGS_DELIVER, 0, 0, 0, &cs, 0, 0, 0);
	CHECK(L4_ThreadWasReceiving((L4_ThreadState_t) { .raw = cr }));
	CHECK(!L4_ThreadWasSending((L4_ThreadState_t) { .raw = cr }));
	CHECK(L4_ThreadWasSending((L4_ThreadState_t) { .raw = cs }));
	CHECK(!L4_ThreadWasHalted((L4_ThreadState_t) { .raw = cs }));
	return 0;
}

/* The result names dest the other way: local for global and back. */
static const char *t_exreg_local_global_conversion(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0), l, g;

	CHECK(!L4_IsNilThread(t));
	l = exregs(t, 0, 0, 0, 0, 0, 0, 0, 0);
	CHECK_EQ(l.raw, rt_utcb_of(t) + RT_UTCB_MR0_OFFSET);
	g = exregs(l, 0, 0, 0, 0, 0, 0, 0, 0);
	CHECK_EQ(g.raw, t.raw);
	CHECK(L4_SameThreads(l, t));
	return 0;
}

static const char *t_exreg_invalid_thread(void)
{
	L4_ThreadId_t r = exregs(t_nonexistent(), __L4_EXREGS_DELIVER, 0, 0, 0, 0, 0, 0, 0);

	CHECK(L4_IsNilThread(r));
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	return 0;
}

/* A thread of another space is off limits unless we are its pager. */
static const char *t_exreg_other_space_refused(void)
{
	L4_ThreadId_t c = rt_task_create(t_sleeper, 0, rt_pager()), r;

	CHECK(!L4_IsNilThread(c));
	r = exregs(c, __L4_EXREGS_DELIVER, 0, 0, 0, 0, 0, 0, 0);
	CHECK(L4_IsNilThread(r));
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
	return 0;
}

/* X.2 extension: a thread's pager may ExchangeRegisters it. */
static const char *t_exreg_by_pager_allowed(void)
{
	L4_ThreadId_t ag = rt_agent_create(L4_Myself()), r;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(ag));
	r = __L4_Exregs(ag, __L4_EXREGS_SET_HANDLE | __L4_EXREGS_DELIVER, 0, 0, 0,
			0x77aa55cc, L4_nilthread, 0, 0, 0, 0, 0, 0);
	CHECK(!L4_IsNilThread(r));
	tag = rt_agent_cmd(ag, RT_AG_SELF, 0, 0);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT);
	CHECK_EQ(rt_mr(1), 0x77aa55cc);
	CHECK_EQ(rt_mr(2), L4_Myself().raw);
	CHECK_EQ(rt_mr(3), ag.raw);
	return 0;
}

const struct test exreg_tests[] = {
	TEST(exreg_write_read_sp_ip_flags),
	TEST(exreg_resume_runs_at_new_ip),
	TEST(exreg_flags_masked),
	TEST(exreg_user_handle),
	TEST(exreg_pager),
	TEST(exreg_halt_resume),
	TEST(exreg_reports_ipc_state),
	TEST(exreg_local_global_conversion),
	TEST(exreg_invalid_thread),
	TEST(exreg_other_space_refused),
	TEST(exreg_by_pager_allowed),
	{ 0 },
};
