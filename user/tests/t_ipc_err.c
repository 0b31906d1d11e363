/* SPDX-License-Identifier: BSD-2-Clause */
/* IPC error codes (X.2: ErrorCode bit 0 = phase, bits 1-3 = code):
 * timeouts, non-existing partners, cancellation, bad arguments. */
#include "tests.h"
#include "t_sync.h"

static const char *t_ipc_send_zero_timeout_no_partner(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0);
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	rt_sleep_us(10000);
	t_load(1, 0, 0, 0, 0);
	tag = L4_Send_Timeout(t, L4_ZeroTime);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrTimeout));
	return 0;
}

static const char *t_ipc_receive_zero_timeout_no_partner(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0), from = { .raw = 0 };
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	tag = L4_Receive_Timeout(t, L4_ZeroTime);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_RECV(L4_ErrTimeout));
	tag = L4_Wait_Timeout(L4_ZeroTime, &from);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_RECV(L4_ErrTimeout));
	return 0;
}

/* A relative receive timeout expires after about its period. */
static const char *t_ipc_receive_timeout_expires(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0);
	L4_Word64_t t0, dt;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	t0 = L4_SystemClock().raw;
	tag = L4_Receive_Timeout(t, rt_us(50000));
	dt = L4_SystemClock().raw - t0;
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_RECV(L4_ErrTimeout));
	CHECK(dt >= 40000);
	CHECK(dt <= 2050000);
	return 0;
}

static const char *t_ipc_send_timeout_expires(void)
{
	L4_ThreadId_t t = rt_thread_create(t_sleeper, 0);
	L4_Word64_t t0, dt;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	t_load(1, 0, 0, 0, 0);
	t0 = L4_SystemClock().raw;
	tag = L4_Send_Timeout(t, rt_us(50000));
	dt = L4_SystemClock().raw - t0;
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrTimeout));
	CHECK(dt >= 40000);
	CHECK(dt <= 2050000);
	return 0;
}

/* Non-existing partners fail at once, whatever the timeout. */
static const char *t_ipc_send_nonexistent_partner(void)
{
	L4_MsgTag_t tag;

	t_load(1, 0, 0, 0, 0);
	tag = L4_Send_Timeout(t_nonexistent(), rt_us(T_WAIT_US));
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrNonExist));
	return 0;
}

static const char *t_ipc_receive_nonexistent_partner(void)
{
	L4_MsgTag_t tag = L4_Receive_Timeout(t_nonexistent(), rt_us(T_WAIT_US));

	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_RECV(L4_ErrNonExist));
	return 0;
}

/* The right thread number with the wrong version names no thread. */
static const char *t_ipc_wrong_version_is_nonexistent(void)
{
	L4_ThreadId_t t = rt_thread_create(t_echo, 0), stale;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	stale = L4_GlobalId(L4_ThreadNo(t), L4_Version(t) ^ 0x100);
	t_load(1, 0, 0, 0, 0);
	tag = L4_Call_Timeouts(stale, rt_us(T_WAIT_US), rt_us(T_WAIT_US));
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrNonExist));
	CHECK_EQ(t_shared[0], 0);
	return 0;
}

/* Garbage destinations: an absurd thread number and the wildcards. */
static const char *t_ipc_garbage_destination(void)
{
	L4_ThreadId_t bad[3] = { { .raw = 0xdeadbeef }, L4_anythread, L4_anylocalthread };
	L4_MsgTag_t tag;
	int i;

	for (i = 0; i < 3; i++) {
		t_load(1, 0, 0, 0, 0);
		tag = L4_Send_Timeout(bad[i], rt_us(100000));
		CHECK(L4_IpcFailed(tag));
		CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrNonExist));
	}
	tag = L4_Receive_Timeout(bad[0], rt_us(100000));
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_RECV(L4_ErrNonExist));
	return 0;
}

/* More untyped plus typed words than there are MRs (1..63): message
 * overflow, nothing delivered. */
static const char *t_ipc_too_many_words(void)
{
	L4_ThreadId_t srv = rt_thread_create(t_echo, 0);
	L4_MsgTag_t tag = L4_Niltag;
	int i;

	CHECK(!L4_IsNilThread(srv));
	for (i = 1; i < 64; i++)
		L4_LoadMR(i, 0);
	tag.X.label = 0x70;
	tag.X.u = 40;
	tag.X.t = 30;
	L4_LoadMR(0, tag.raw);
	tag = L4_Call(srv);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrMsgOverflow));
	CHECK_EQ(t_shared[0], 0);
	return 0;
}

static void blocked_receive(L4_Word_t arg)
{
	L4_MsgTag_t tag;

	(void)arg;
	t_shared[3] = 1;
	tag = L4_Receive(rt_main_thread());
	t_shared[0] = tag.raw;
	t_shared[1] = L4_ErrorCode() & 0xf;
	t_shared[2] = 1;
}

static void blocked_send(L4_Word_t arg)
{
	L4_MsgTag_t tag;

	(void)arg;
	t_load(3, 0, 0, 0, 0);
	t_shared[3] = 1;
	tag = L4_Send(rt_main_thread());
	t_shared[0] = tag.raw;
	t_shared[1] = L4_ErrorCode() & 0xf;
	t_shared[2] = 1;
}

static const char *cancel(rt_entry_t body, L4_Word_t control, L4_Word_t want)
{
	L4_ThreadId_t t = rt_thread_create(body, 0);
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	t_until(&t_shared[3], 1);
	CHECK(t_ipc_blocked(t, control));
	CHECK_EQ(t_shared[2], 0);
	(void)__L4_Exregs(t, control, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0);
	t_until(&t_shared[2], 1);
	tag.raw = t_shared[0];
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_shared[1], want);
	return 0;
}

/* ExchangeRegisters cancels a blocked receive and a blocked send; the
 * thread goes on with error "cancelled" in the right phase. */
static const char *t_ipc_cancel_receive_by_exreg(void)
{
	return cancel(blocked_receive, __L4_EXREGS_ABORT_RECV, EC_RECV(L4_ErrCanceled));
}

static const char *t_ipc_cancel_send_by_exreg(void)
{
	return cancel(blocked_send, __L4_EXREGS_ABORT_SEND, EC_SEND(L4_ErrCanceled));
}

const struct test ipc_error_tests[] = {
	TEST(ipc_send_zero_timeout_no_partner),
	TEST(ipc_receive_zero_timeout_no_partner),
	TEST(ipc_receive_timeout_expires),
	TEST(ipc_send_timeout_expires),
	TEST(ipc_send_nonexistent_partner),
	TEST(ipc_receive_nonexistent_partner),
	TEST(ipc_wrong_version_is_nonexistent),
	TEST(ipc_garbage_destination),
	TEST(ipc_too_many_words),
	TEST(ipc_cancel_receive_by_exreg),
	TEST(ipc_cancel_send_by_exreg),
	{ 0 },
};
