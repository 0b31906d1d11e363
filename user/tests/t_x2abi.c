/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ThreadControl, SpaceControl and ExchangeRegisters as X.2 programs use
 * them (Pistachio's api/v4/thread.cc, space.cc, exregs.cc):
 *  - a new space's first thread may be given its UTCB location before
 *    SpaceControl sets the UTCB area; the location is checked when the
 *    thread is activated, against the area set by then (6 if outside);
 *  - SpaceControl on a space with an active thread answers 1 and
 *    changes nothing;
 *  - ThreadControl's codes: a nil scheduler on creation is 2, a dest
 *    that is not a global ID 3;
 *  - ExchangeRegisters delivers the old SP, IP, FLAGS, UserDefinedHandle
 *    and pager only with the d bit; without it those registers come back
 *    as the caller passed them.
 */
#include "tests.h"

#define HELLO_LABEL	0x7a01
#define OTHER_KIP	0xB0000000UL
#define OTHER_UTCB	0xB1000000UL

/* ErrorCode cleared, so that a value there afterwards is the kernel's. */
static void set_ec(L4_Word_t v)
{
	*__L4_TCR(__L4_TCR_ERROR_CODE) = v;
}

/* A task's first words: MR1 = arg, MR2 = its local ID, to main. */
static void x2_hello(L4_Word_t arg)
{
	L4_Word_t w[2] = { arg, L4_MyLocalId().raw };

	t_load(HELLO_LABEL, 2, w, 0, 0);
	(void)L4_Send(rt_main_thread());
}

/* A thread number with a stack, for a thread made by hand. */
static L4_ThreadId_t new_tid(void **stack)
{
	L4_ThreadId_t tid = rt_tid_alloc();

	if (L4_IsNilThread(tid))
		return tid;
	*stack = rt_stack_alloc();
	rt_tid_attach(tid, *stack, 0);
	if (!*stack) {
		rt_release(tid);
		return L4_nilthread;
	}
	return tid;
}

static L4_Word_t space_control(L4_ThreadId_t tid, L4_Word_t kip, L4_Word_t utcb, int utcb_log2,
			       L4_Word_t *old)
{
	return L4_SpaceControl(tid, 0, L4_FpageLog2(kip, RT_KIP_AREA_LOG2),
			       L4_FpageLog2(utcb, utcb_log2), L4_nilthread, old);
}

/* Start tid (pager: rt's pager thread) and take its hello: MR1 must be
 * arg and its local ID the one its UTCB location gives. */
static const char *hello_from(L4_ThreadId_t tid, void *stack, L4_Word_t arg, L4_Word_t utcb)
{
	L4_MsgTag_t tag;

	CHECK(rt_pager_start_thread(tid, (L4_Word_t)x2_hello, rt_stack_frame(stack, arg)));
	tag = L4_Receive(tid);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), HELLO_LABEL);
	CHECK_EQ(rt_mr(1), arg);
	CHECK_EQ(rt_mr(2), utcb + RT_UTCB_MR0_OFFSET);
	return 0;
}

/* TC(create, no pager, no UTCB) -> SC -> TC(activate with UTCB). */
static const char *t_x2_tc_sc_tc(void)
{
	void *stack;
	L4_ThreadId_t tid = new_tid(&stack);
	L4_Word_t old = 1;

	CHECK(!L4_IsNilThread(tid));
	CHECK_EQ(L4_ThreadControl(tid, tid, L4_Myself(), L4_nilthread, (void *)~0UL), 1);
	CHECK_EQ(space_control(tid, RT_KIP_AREA_BASE, RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2, &old), 1);
	CHECK_EQ(old, 0);
	CHECK_EQ(L4_ThreadControl(tid, tid, L4_nilthread, rt_pager(), (void *)RT_UTCB_AREA_BASE), 1);
	return hello_from(tid, stack, 0x11, RT_UTCB_AREA_BASE);
}

/* TC(create with UTCB, no pager) -> SC -> TC(activate, UTCB -1): the
 * order Pistachio's pingpong uses. */
static const char *t_x2_utcb_before_sc(void)
{
	void *stack;
	L4_ThreadId_t tid = new_tid(&stack);
	L4_Word_t utcb = RT_UTCB_AREA_BASE + 3 * RT_UTCB_SIZE, old = 1;

	CHECK(!L4_IsNilThread(tid));
	CHECK_EQ(L4_ThreadControl(tid, tid, L4_Myself(), L4_nilthread, (void *)utcb), 1);
	CHECK_EQ(space_control(tid, RT_KIP_AREA_BASE, RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2, &old), 1);
	CHECK_EQ(old, 0);
	CHECK_EQ(L4_ThreadControl(tid, tid, L4_nilthread, rt_pager(), (void *)~0UL), 1);
	return hello_from(tid, stack, 0x22, utcb);
}

/* The same with the location given again at activation. */
static const char *t_x2_utcb_twice(void)
{
	void *stack;
	L4_ThreadId_t tid = new_tid(&stack);
	L4_Word_t utcb = RT_UTCB_AREA_BASE + RT_UTCB_SIZE, old;

	CHECK(!L4_IsNilThread(tid));
	CHECK_EQ(L4_ThreadControl(tid, tid, L4_Myself(), L4_nilthread, (void *)utcb), 1);
	CHECK_EQ(space_control(tid, RT_KIP_AREA_BASE, RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2, &old), 1);
	CHECK_EQ(L4_ThreadControl(tid, tid, L4_nilthread, rt_pager(), (void *)utcb), 1);
	return hello_from(tid, stack, 0x23, utcb);
}

/* A location outside the area set later, or not UTCB-aligned, fails at
 * activation with 6 and changes nothing; a good one then activates. */
static const char *t_x2_utcb_outside(void)
{
	static const L4_Word_t bad[] = {
		RT_UTCB_AREA_BASE - RT_UTCB_SIZE,               /* below the area */
		RT_UTCB_AREA_BASE + (1UL << RT_UTCB_AREA_LOG2),  /* just past it */
		RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET,          /* not 512-aligned */
	};
	L4_Word_t old;
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *stack;
		L4_ThreadId_t tid = new_tid(&stack);

		CHECK(!L4_IsNilThread(tid));
		CHECK_EQ(L4_ThreadControl(tid, tid, L4_Myself(), L4_nilthread, (void *)bad[i]), 1);
		CHECK_EQ(space_control(tid, RT_KIP_AREA_BASE, RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2,
				       &old), 1);
		set_ec(0);
		CHECK_EQ(L4_ThreadControl(tid, tid, L4_nilthread, rt_pager(), (void *)~0UL), 0);
		CHECK_EQ(L4_ErrorCode(), 6);
		/* Still there, inactive: ExchangeRegisters does not know it. */
		CHECK(L4_IsNilThread(L4_LocalIdOf(tid)));
		if (i == 0) {
			CHECK_EQ(L4_ThreadControl(tid, tid, L4_nilthread, rt_pager(),
						  (void *)RT_UTCB_AREA_BASE), 1);
			RUN(hello_from(tid, stack, 0x33, RT_UTCB_AREA_BASE));
		}
	}
	return 0;
}

/* SpaceControl on a space with an active thread: 1, old control 0, and
 * the areas stay as they were (a UTCB in the new area is refused, one in
 * the old area taken). */
static const char *t_x2_sc_after_activation(void)
{
	void *stack;
	L4_ThreadId_t tid = new_tid(&stack), t2;
	L4_Word_t old = 1;

	CHECK(!L4_IsNilThread(tid));
	CHECK_EQ(L4_ThreadControl(tid, tid, L4_Myself(), L4_nilthread, (void *)RT_UTCB_AREA_BASE), 1);
	CHECK_EQ(space_control(tid, RT_KIP_AREA_BASE, RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2, &old), 1);
	CHECK_EQ(L4_ThreadControl(tid, tid, L4_nilthread, rt_pager(), (void *)~0UL), 1);
	RUN(hello_from(tid, stack, 0x44, RT_UTCB_AREA_BASE));
	set_ec(0);
	CHECK_EQ(space_control(tid, OTHER_KIP, OTHER_UTCB, RT_UTCB_AREA_LOG2, &old), 1);
	CHECK_EQ(old, 0);
	CHECK_EQ(L4_ErrorCode(), 0);
	t2 = new_tid(&stack);
	CHECK(!L4_IsNilThread(t2));
	CHECK_EQ(L4_ThreadControl(t2, tid, L4_Myself(), L4_nilthread, (void *)OTHER_UTCB), 0);
	CHECK_EQ(L4_ErrorCode(), 6);
	CHECK_EQ(L4_ThreadControl(t2, tid, L4_Myself(), rt_pager(),
				  (void *)(RT_UTCB_AREA_BASE + RT_UTCB_SIZE)), 1);
	return hello_from(t2, stack, 0x45, RT_UTCB_AREA_BASE + RT_UTCB_SIZE);
}

/* ThreadControl's error codes where they were Lent's own. */
static const char *t_x2_tc_codes(void)
{
	static const L4_Word_t not_global[] = {
		RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET,  /* a local ID */
		0xFFFFFFC0UL,                            /* anylocalthread */
		0xFFFFFFFFUL,                            /* anythread */
	};
	void *stack;
	L4_ThreadId_t tid = new_tid(&stack), d;
	unsigned i;

	CHECK(!L4_IsNilThread(tid));
	/* Creation with a nil scheduler: invalid thread. */
	set_ec(0);
	CHECK_EQ(L4_ThreadControl(tid, tid, L4_nilthread, L4_nilthread, (void *)~0UL), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	CHECK_EQ(L4_ThreadControl(tid, L4_Myself(), L4_nilthread, L4_nilthread, (void *)~0UL), 0);
	CHECK_EQ(L4_ErrorCode(), 2);
	/* One that does not exist stays invalid scheduler. */
	CHECK_EQ(L4_ThreadControl(tid, tid, t_nonexistent(), L4_nilthread, (void *)~0UL), 0);
	CHECK_EQ(L4_ErrorCode(), 4);
	/* A dest that is not a global ID: invalid space, for every kind. */
	for (i = 0; i < sizeof(not_global) / sizeof(not_global[0]); i++) {
		d.raw = not_global[i];
		set_ec(0);
		CHECK_EQ(L4_ThreadControl(d, L4_Myself(), L4_Myself(), L4_nilthread, (void *)~0UL), 0);
		CHECK_EQ(L4_ErrorCode(), 3);
		CHECK_EQ(L4_ThreadControl(d, L4_nilthread, L4_nilthread, L4_nilthread, (void *)~0UL), 0);
		CHECK_EQ(L4_ErrorCode(), 3);
	}
	return 0;
}

/* ExchangeRegisters without d leaves the five value registers as the
 * caller passed them; with d it delivers the old values.  The thread is
 * first seen blocked in its receive, so its IP is known whatever the
 * timer did: the Ipc stub's, in the KIP. */
static const char *t_x2_exregs_d(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0), pg, res;
	L4_Word_t c, sp, ip, fl, h;

	CHECK(!L4_IsNilThread(t));
	CHECK(t_waiting(t));
	pg.raw = 0x12345678;
	res = L4_ExchangeRegisters(t, 0, 0x1110, 0x2220, 0x3330, 0x4440, pg, &c, &sp, &ip, &fl, &h, &pg);
	CHECK_EQ(res.raw, L4_LocalIdOf(t).raw);
	CHECK_EQ(sp, 0x1110);
	CHECK_EQ(ip, 0x2220);
	CHECK_EQ(fl, 0x3330);
	CHECK_EQ(h, 0x4440);
	CHECK_EQ(pg.raw, 0x12345678);
	/* Old control (the thread's state) comes back either way. */
	CHECK_EQ(c & 1, 0);
	/* Set the handle without d: nothing delivered, the handle set. */
	pg.raw = 0x12345678;
	(void)L4_ExchangeRegisters(t, 1 << 6, 0x1110, 0x2220, 0x3330, 0x5550, pg,
				   &c, &sp, &ip, &fl, &h, &pg);
	CHECK_EQ(h, 0x5550);
	CHECK_EQ(sp, 0x1110);
	/* With d: the old values. */
	pg = L4_nilthread;
	(void)L4_ExchangeRegisters(t, 1 << 9, 0x1110, 0x2220, 0x3330, 0x4440, pg,
				   &c, &sp, &ip, &fl, &h, &pg);
	CHECK_EQ(h, 0x5550);
	CHECK_EQ(pg.raw, L4_Pager().raw);
	CHECK(sp != 0x1110 && sp != 0);
	CHECK(ip - (L4_Word_t)rt_kip() < 4096);   /* the Ipc stub it waits in */
	CHECK(fl & (1 << 9));   /* IF: user flags as the thread runs */
	CHECK_EQ(L4_UserDefinedHandleOf(t), 0x5550);
	CHECK_EQ(L4_PagerOf(t).raw, L4_Pager().raw);
	return 0;
}

const struct test x2abi_tests[] = {
	TEST(x2_tc_sc_tc),
	TEST(x2_utcb_before_sc),
	TEST(x2_utcb_twice),
	TEST(x2_utcb_outside),
	TEST(x2_sc_after_activation),
	TEST(x2_tc_codes),
	TEST(x2_exregs_d),
	{ 0, 0 },
};
