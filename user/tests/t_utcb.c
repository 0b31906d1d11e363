/* SPDX-License-Identifier: BSD-2-Clause */
/* The UTCB: %gs:0, the thread control registers, private MRs. */
#include "tests.h"
#include "t_sync.h"

/* %gs:0 is the address of MR0, which is the local thread ID; the root's
 * first UTCB is the first slot of its UTCB area, MR0 in its middle. */
static const char *t_utcb_gs0_is_mr0(void)
{
	L4_Word_t gs0 = t_gs0();

	CHECK_EQ(gs0, L4_MyLocalId().raw);
	CHECK_EQ(gs0, RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET);
	CHECK(L4_IsLocalId(L4_MyLocalId()));
	L4_LoadMR(5, 0x12345678);
	CHECK_EQ(((volatile L4_Word_t *)gs0)[5], 0x12345678);
	return 0;
}

static const char *t_utcb_my_global_id(void)
{
	CHECK_EQ(L4_MyGlobalId().raw,
		 L4_GlobalId(L4_ThreadIdUserBase(rt_kip()) + 2, 1).raw);
	CHECK(L4_IsGlobalId(L4_MyGlobalId()));
	return 0;
}

/* The root's pager is sigma0; nobody has set an exception handler. */
static const char *t_utcb_pager_and_handler_tcrs(void)
{
	CHECK_EQ(L4_Pager().raw, rt_sigma0().raw);
	CHECK_EQ(L4_ExceptionHandler().raw, L4_nilthread.raw);
	return 0;
}

static void record_tcrs(L4_Word_t arg)
{
	(void)arg;
	t_shared[0] = L4_MyGlobalId().raw;
	t_shared[1] = L4_Pager().raw;
	t_shared[2] = L4_ExceptionHandler().raw;
	t_shared[3] = L4_ProcessorNo();
	t_shared[4] = t_gs0();
	t_shared[5] = 1;
}

/* A new thread finds its ID, the pager ThreadControl gave it, no
 * exception handler, processor 0, and its UTCB where it was put. */
static const char *t_utcb_new_thread_tcrs(void)
{
	L4_ThreadId_t t = rt_thread_create(record_tcrs, 0);

	CHECK(!L4_IsNilThread(t));
	t_until(&t_shared[5], 1);
	CHECK_EQ(t_shared[0], t.raw);
	CHECK_EQ(t_shared[1], L4_Pager().raw);
	CHECK_EQ(t_shared[2], L4_nilthread.raw);
	CHECK_EQ(t_shared[3], 0);
	CHECK_EQ(t_shared[4], rt_utcb_of(t) + RT_UTCB_MR0_OFFSET);
	return 0;
}

static void check_gs0_while_switching(L4_Word_t expected)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (t_gs0() != expected)
			t_shared[1]++;
		L4_ThreadSwitch(L4_nilthread);
	}
	t_shared[0] = 1;
}

/* The kernel keeps %gs:0 right across thread switches. */
static const char *t_utcb_gs0_follows_thread_switch(void)
{
	L4_Word_t sp, mine = t_gs0(), bad = 0;
	L4_ThreadId_t t = rt_thread_prepare(0, &sp);
	int i;

	CHECK(!L4_IsNilThread(t));
	((L4_Word_t *)sp)[1] = rt_utcb_of(t) + RT_UTCB_MR0_OFFSET;
	L4_Start_SpIp(t, sp, (L4_Word_t)check_gs0_while_switching);
	for (i = 0; i < 200; i++) {
		if (t_gs0() != mine)
			bad++;
		L4_ThreadSwitch(L4_nilthread);
	}
	t_until(&t_shared[0], 1);
	CHECK_EQ(bad, 0);
	CHECK_EQ(t_shared[1], 0);
	return 0;
}

static void scribble_mrs(L4_Word_t arg)
{
	int i, round;

	(void)arg;
	for (round = 0; round < 50; round++) {
		for (i = 0; i < 64; i++)
			L4_LoadMR(i, 0xdead0000 + i);
		L4_ThreadSwitch(L4_nilthread);
	}
	t_shared[0] = 1;
}

/* Message registers are per thread: another thread writing its own MRs
 * does not change ours.  (Only ThreadSwitch here: any IPC, even a
 * failed receive, hands MR0..MR2 back through the library.) */
static const char *t_utcb_mrs_private(void)
{
	L4_ThreadId_t t = rt_thread_create(scribble_mrs, 0);
	int i, round;

	CHECK(!L4_IsNilThread(t));
	for (i = 1; i < 64; i++)
		L4_LoadMR(i, 0x5a000000 + i);
	for (round = 0; round < 100000 && t_shared[0] == 0; round++)
		L4_ThreadSwitch(L4_nilthread);
	for (i = 1; i < 64; i++)
		CHECK_EQ(rt_mr(i), 0x5a000000 + i);
	CHECK_EQ(t_shared[0], 1);
	return 0;
}

const struct test utcb_tests[] = {
	TEST(utcb_gs0_is_mr0),
	TEST(utcb_my_global_id),
	TEST(utcb_pager_and_handler_tcrs),
	TEST(utcb_new_thread_tcrs),
	TEST(utcb_gs0_follows_thread_switch),
	TEST(utcb_mrs_private),
	{ 0 },
};
