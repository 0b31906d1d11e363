/* SPDX-License-Identifier: BSD-2-Clause */
/* SpaceControl: the KIP and UTCB areas of a new space and their errors. */
#include "tests.h"

/* A new space with one inactive thread in it; nil on failure. */
static L4_ThreadId_t fresh_space(void)
{
	L4_ThreadId_t t = rt_tid_alloc();

	if (L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)~0UL) != 1)
		return L4_nilthread;
	return t;
}

static L4_Fpage_t kip_area(void)
{
	return L4_FpageLog2(RT_KIP_AREA_BASE, RT_KIP_AREA_LOG2);
}

static L4_Fpage_t utcb_area(void)
{
	return L4_FpageLog2(RT_UTCB_AREA_BASE, RT_UTCB_AREA_LOG2);
}

static const char *sc_fails(L4_Fpage_t kip, L4_Fpage_t utcb, L4_Word_t want1,
			    L4_Word_t want2)
{
	L4_ThreadId_t t = fresh_space();
	L4_Word_t old;

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_SpaceControl(t, 0, kip, utcb, L4_nilthread, &old), 0);
	CHECK(L4_ErrorCode() == want1 || L4_ErrorCode() == want2);
	return 0;
}

/* Success, and the space can then hold an active thread. */
static const char *t_sc_success_then_activate(void)
{
	L4_ThreadId_t t = fresh_space();
	L4_Word_t old;

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_SpaceControl(t, 0, kip_area(), utcb_area(), L4_nilthread, &old), 1);
	CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(),
				  (void *)RT_UTCB_AREA_BASE), 1);
	return 0;
}

/* Once the UTCB area is set, a UTCB outside it is refused. */
static const char *t_sc_utcb_location_outside_new_area(void)
{
	L4_ThreadId_t t = fresh_space();
	L4_Word_t old;

	CHECK(!L4_IsNilThread(t));
	CHECK_EQ(L4_SpaceControl(t, 0, kip_area(), utcb_area(), L4_nilthread, &old), 1);
	CHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_Myself(),
				  (void *)(RT_UTCB_AREA_BASE - 0x100000)), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
	return 0;
}

static const char *t_sc_kip_area_too_small(void)
{
	return sc_fails(L4_FpageLog2(RT_KIP_AREA_BASE, 10), utcb_area(),
			L4_ErrKipArea, L4_ErrKipArea);
}

static const char *t_sc_kip_area_in_kernel(void)
{
	return sc_fails(L4_FpageLog2(t_kernel_addr(), 12), utcb_area(),
			L4_ErrKipArea, L4_ErrKipArea);
}

static const char *t_sc_utcb_area_too_small(void)
{
	return sc_fails(kip_area(), L4_FpageLog2(RT_UTCB_AREA_BASE, 8),
			L4_ErrUtcbArea, L4_ErrUtcbArea);
}

static const char *t_sc_utcb_area_in_kernel(void)
{
	return sc_fails(kip_area(), L4_FpageLog2(t_kernel_addr(), 16),
			L4_ErrUtcbArea, L4_ErrUtcbArea);
}

/* A UTCB area that covers the KIP area: one of the two is invalid. */
static const char *t_sc_utcb_kip_overlap(void)
{
	return sc_fails(kip_area(), L4_FpageLog2(0xBF000000UL, 24),
			L4_ErrUtcbArea, L4_ErrKipArea);
}

/* The areas are set once: a second SpaceControl with other areas, while
 * no thread of the space is active yet, succeeds but changes nothing. */
static const char *t_sc_areas_fixed_once(void)
{
	L4_ThreadId_t t = fresh_space(), in_old = rt_tid_alloc(), in_new = rt_tid_alloc();
	L4_Word_t old, new_utcb = 0x80000000UL;

	CHECK(!L4_IsNilThread(t) && !L4_IsNilThread(in_old) && !L4_IsNilThread(in_new));
	CHECK_EQ(L4_SpaceControl(t, 0, kip_area(), utcb_area(), L4_nilthread, &old), 1);
	CHECK_EQ(L4_SpaceControl(t, 0, L4_FpageLog2(0x81000000UL, 12),
				 L4_FpageLog2(new_utcb, 16), L4_nilthread, &old), 1);
	CHECK_EQ(L4_ThreadControl(in_new, t, L4_Myself(), L4_nilthread, (void *)new_utcb), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
	CHECK_EQ(L4_ThreadControl(in_old, t, L4_Myself(), L4_nilthread,
				  (void *)(RT_UTCB_AREA_BASE + RT_UTCB_SIZE)), 1);
	return 0;
}

static const char *t_sc_nonexistent_space(void)
{
	L4_Word_t old;

	CHECK_EQ(L4_SpaceControl(t_nonexistent(), 0, kip_area(), utcb_area(),
				 L4_nilthread, &old), 0);
	CHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
	return 0;
}

static const char *t_sc_unprivileged_refused(void)
{
	L4_ThreadId_t ag = rt_agent_create(rt_pager());
	L4_Word_t a[4];
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(ag));
	a[0] = ag.raw;
	a[1] = 0;
	a[2] = kip_area().raw;
	a[3] = utcb_area().raw;
	tag = rt_agent_cmd(ag, RT_AG_SC, 4, a);
	CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == RT_AG_RESULT);
	CHECK_EQ(rt_mr(1), 0);
	CHECK_EQ(rt_mr(2), L4_ErrNoPrivilege);
	return 0;
}

const struct test space_tests[] = {
	TEST(sc_success_then_activate),
	TEST(sc_utcb_location_outside_new_area),
	TEST(sc_kip_area_too_small),
	TEST(sc_kip_area_in_kernel),
	TEST(sc_utcb_area_too_small),
	TEST(sc_utcb_area_in_kernel),
	TEST(sc_utcb_kip_overlap),
	TEST(sc_areas_fixed_once),
	TEST(sc_nonexistent_space),
	TEST(sc_unprivileged_refused),
	{ 0 },
};
