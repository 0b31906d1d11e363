/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path's "checked once" (kernel/ipc_fast.c, docs/
 * ipc-fast-path.md): a caller the fast IPC before the last left waiting,
 * and a partner the last one left waiting, are not checked again, for
 * nothing but fast IPCs ran since.  Any other kernel entry must make
 * the fast path forget them: here a halt of the waiting partner between
 * two fast Calls.  A halted thread takes a message but does not run
 * (make_ready()), so the Call waits for an answer until it is started.
 * The suite runs again with ipcfast=off, where the same must hold.
 */
#include "tests.h"
#include "t_sync.h"

#define FO_LABEL	0x7c40

/*
 * The caller: waits for the coordinator's start (from any thread: no
 * other sends to it), makes two Calls to the
 * server (the fast path's shape, and what lets it remember both sides),
 * waits for the coordinator's go, then makes one more Call;
 * t_shared[FO_DONE]: 1 when that one came back answered, 2 if not.
 */
enum { FO_SERVER = 10, FO_DONE, FO_OVER, FO_ERROR };

static void fo_caller(L4_Word_t arg)
{
	L4_ThreadId_t s = { .raw = t_shared[FO_SERVER] }, from;
	L4_MsgTag_t tag;

	(void)arg;
	if (L4_IpcFailed(L4_Wait(&from)))
		return;
	for (int i = 0; i < 2; i++) {
		t_load(FO_LABEL + i, 0, 0, 0, 0);
		if (L4_IpcFailed(L4_Call(s)))
			return;
	}
	if (L4_IpcFailed(L4_Wait(&from)))
		return;
	t_load(FO_LABEL + 2, 0, 0, 0, 0);
	tag = L4_Call(s);
	t_shared[FO_DONE] = L4_IpcSucceeded(tag) && L4_Label(tag) == ((FO_LABEL + 2) ^ 0xff) ? 1 : 2;
}

static const char *fo_go(L4_ThreadId_t h)
{
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(h)));
	return 0;
}

/*
 * The coordinator, one priority below server and caller, so that each
 * step of theirs is over when it goes on, and the kernel is not idle in
 * between (no interrupt from its idle loop, whose entry also forgets).
 * The server is left waiting by its fast ReplyWait, then halted (an
 * ExchangeRegisters), then called again by the same caller: the call
 * reaches it, but it does not run until started; then it answers.  With
 * the fast path trusting what it checked before the halt, the halted
 * server ran at once and answered.
 */
static const char *fo_halted_partner(L4_ThreadId_t s, L4_ThreadId_t h)
{
	const char *err;

	CHECK(L4_Set_Priority(L4_Myself(), RT_PRIORITY - 1) != L4_SCHEDRESULT_ERROR);
	if ((err = fo_go(h)))
		return err;
	CHECK_EQ(t_shared[4], 2);        /* h waits for the go */
	(void)L4_Stop(s);
	if ((err = fo_go(h)))
		return err;
	/* h's third Call waits for its answer; s has its message, halted. */
	CHECK(t_ipc_blocked(h, __L4_EXREGS_ABORT_RECV));
	CHECK_EQ(t_shared[4], 2);
	CHECK_EQ(t_shared[FO_DONE], 0);
	L4_Start(s);
	CHECK_EQ(t_shared[FO_DONE], 1);
	CHECK_EQ(t_shared[4], 3);
	CHECK_EQ(t_shared[5], L4_LocalIdOf(h).raw);   /* the same space: by local ID */
	return 0;
}

static void fo_coordinator(L4_Word_t h)
{
	L4_ThreadId_t s = { .raw = t_shared[FO_SERVER] };

	t_shared[FO_ERROR] = (L4_Word_t)fo_halted_partner(s, (L4_ThreadId_t){ .raw = h });
	t_shared[FO_OVER] = 1;
}

static const char *t_fo_halted_partner(void)
{
	L4_ThreadId_t s = rt_thread_create(t_echo, 4), h, c;

	CHECK(!L4_IsNilThread(s));
	CHECK(t_waiting(s));
	t_shared[FO_SERVER] = s.raw;
	t_shared[FO_DONE] = t_shared[FO_OVER] = t_shared[FO_ERROR] = 0;
	h = rt_thread_create(fo_caller, 0);
	CHECK(!L4_IsNilThread(h));
	c = rt_thread_create(fo_coordinator, h.raw);
	CHECK(!L4_IsNilThread(c));
	t_until(&t_shared[FO_OVER], 1);
	CHECK(rt_release(c));
	CHECK(rt_release(h));
	CHECK(rt_release(s));
	return (const char *)t_shared[FO_ERROR];
}

const struct test ipc_fast_once_tests[] = {
	TEST(fo_halted_partner),
	{ 0, 0 },
};
