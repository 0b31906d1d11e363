/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Agents: child tasks that run rt_agent_loop and carry out commands for
 * the root's main thread (see rt.h for the commands).  An agent shares the
 * root image's pages, so it keeps all its state on its own stack.
 */
#include "rt.h"
#include <l4/sigma0.h>

/* The send timeout of an agent's RT_AG_SEND: the command's own, which
 * tests use to end a send nobody takes.  Main's waits for its agents
 * have none: a command, and an agent's start, take as long as the host
 * lets them (docs/team-conventions.md, "Test output"); an agent that
 * never reports is a hang, which the harness names. */
#define RT_AG_TIMEOUT_US	2000000UL

static L4_Word_t gs0(void)
{
	L4_Word_t v;

	__asm__ __volatile__("movl %%gs:0, %0" : "=r"(v));
	return v;
}

/* Receive one message from anyone with acceptor acc; report how it went. */
static int agent_recv(L4_Word_t acc, L4_Word_t *res)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag;

	L4_LoadBR(0, acc);
	tag = L4_Wait(&from);
	res[0] = tag.raw;
	res[1] = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	res[2] = from.raw;
	res[3] = rt_mr(L4_UntypedWords(tag) + 1);
	res[4] = rt_mr(L4_UntypedWords(tag) + 2);
	return 5;
}

static int agent_do(L4_Word_t op, const L4_Word_t *a, L4_Word_t *res, L4_Word_t *acc)
{
	L4_ThreadId_t t0 = { .raw = a[0] };
	L4_Word_t dummy;
	L4_MsgTag_t tag;

	switch (op) {
	case RT_AG_ACCEPT:
		*acc = a[0];
		return 0;
	case RT_AG_RECV:
		return agent_recv(*acc, res);
	case RT_AG_RECV_STRING: {
		L4_StringItem_t buf = L4_StringItem((int)a[1], (void *)a[0]);

		L4_LoadBR(1, buf.raw[0]);
		L4_LoadBR(2, buf.raw[1]);
		return agent_recv(*acc | 1, res);
	}
	case RT_AG_READ:
		res[0] = *(volatile L4_Word_t *)a[0];
		return 1;
	case RT_AG_WRITE:
		*(volatile L4_Word_t *)a[0] = a[1];
		return 0;
	case RT_AG_SEND: {
		L4_MsgTag_t out = { .raw = a[1] };
		int i, n = (int)(out.X.u + out.X.t);

		for (i = 0; i < n && i < RT_AG_MAXW - 2; i++)
			L4_LoadMR(i + 1, a[i + 2]);
		L4_LoadMR(0, out.raw);
		tag = L4_Send_Timeout(t0, rt_us(RT_AG_TIMEOUT_US));
		res[0] = tag.raw;
		res[1] = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
		return 2;
	}
	case RT_AG_UNMAP:
		L4_LoadMR(0, a[1]);
		L4_Unmap(a[0]);
		res[0] = rt_mr(0);
		return 1;
	case RT_AG_SIGMA0: {
		L4_Fpage_t fp = { .raw = a[0] }, win = { .raw = a[1] };

		*__L4_TCR(__L4_TCR_ERROR_CODE) = 0;
		res[0] = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), fp, win).raw;
		res[1] = L4_ErrorCode();       /* 0 unless the IPC failed */
		return 2;
	}
	case RT_AG_TC: {
		L4_ThreadId_t sp = { .raw = a[1] }, sc = { .raw = a[2] }, pg = { .raw = a[3] };

		res[0] = L4_ThreadControl(t0, sp, sc, pg, (void *)a[4]);
		break;
	}
	case RT_AG_SC: {
		L4_Fpage_t kip = { .raw = a[2] }, utcb = { .raw = a[3] };

		res[0] = L4_SpaceControl(t0, a[1], kip, utcb, L4_nilthread, &dummy);
		break;
	}
	case RT_AG_PROC:
		res[0] = L4_ProcessorControl(0, ~0UL, ~0UL, ~0UL);
		break;
	case RT_AG_MEM: {
		L4_Word_t attr[4] = { 0, 0, 0, 0 };

		L4_LoadMR(0, L4_Nilpage.raw);
		res[0] = L4_MemoryControl(0, attr);
		break;
	}
	case RT_AG_SCHED:
		res[0] = L4_Schedule(t0, ~0UL, ~0UL, a[1], ~0UL, &dummy);
		break;
	case RT_AG_EXREG: {
		L4_ThreadId_t pg;

		res[0] = L4_ExchangeRegisters(t0, a[1], 0, 0, 0, 0, L4_nilthread, &dummy,
					      &dummy, &dummy, &dummy, &dummy, &pg).raw;
		break;
	}
	case RT_AG_XFER:
		L4_Set_XferTimeouts(a[0]);
		return 0;
	case RT_AG_SELF:
		res[0] = L4_UserDefinedHandle();
		res[1] = L4_Pager().raw;
		res[2] = L4_MyGlobalId().raw;
		res[3] = gs0();
		return 4;
	default:
		return 0;
	}
	res[1] = L4_ErrorCode();
	return 2;
}

/* Agents started (an RT_FLAKY_DELAY point before the first report,
 * rt_flaky_every; the counter is in the image, which agents share). */
static volatile L4_Word_t agent_starts;

/* The agent's body: call main with the last result, execute the command
 * that comes back, repeat.  The first call (no result) says "ready". */
void rt_agent_loop(L4_Word_t arg)
{
	L4_ThreadId_t boss = rt_main_thread();
	L4_Word_t res[RT_AG_MAXW], cmd[RT_AG_MAXW], acc = 0;
	int i, n = 0;

	(void)arg;
	L4_Set_XferTimeouts(0);		/* never: the partner's timeout decides */
	/* Every command's code is there before the first one: a command
	 * must not fault on the image's code while main, its pager perhaps,
	 * is busy talking to it (each function is shorter than a page).  Nor
	 * on read-only data: this file is built without jump tables (the
	 * Makefile), whose page a command could be the first to touch. */
	(void)*(volatile const char *)(L4_Word_t)agent_recv;
	(void)*(volatile const char *)((L4_Word_t)agent_recv + RT_PAGE_SIZE - 1);
	(void)*(volatile const char *)(L4_Word_t)rt_agent_loop;
	(void)*(volatile const char *)((L4_Word_t)rt_agent_loop + RT_PAGE_SIZE - 1);
	rt_flaky_every(&agent_starts, 1024, 6);
	for (;;) {
		L4_MsgTag_t tag;

		L4_Accept(L4_UntypedWordsAcceptor);
		rt_msg(RT_AG_RESULT, n, res);
		tag = L4_Call(boss);
		n = 0;
		if (L4_IpcFailed(tag)) {
			rt_sleep_us(10000);
			continue;
		}
		for (i = 0; i < RT_AG_MAXW; i++)
			cmd[i] = i < (int)L4_UntypedWords(tag) ? rt_mr(i + 1) : 0;
		n = agent_do(L4_Label(tag), cmd, res, &acc);
	}
}

/*
 * Results that arrived while main waited for another agent: the sender
 * stays blocked in its call, its message is kept here until asked for.
 */
static struct {
	L4_ThreadId_t tid;
	L4_Word_t mr[RT_AG_MAXW + 1];
} kept[4];

static void keep(L4_ThreadId_t tid, L4_MsgTag_t tag)
{
	int i;

	for (i = 0; i < 4; i++)
		if (L4_IsNilThread(kept[i].tid)) {
			kept[i].tid = tid;
			kept[i].mr[0] = tag.raw;
			L4_StoreMRs(1, RT_AG_MAXW, &kept[i].mr[1]);
			return;
		}
}

static int unkeep(L4_ThreadId_t tid, L4_MsgTag_t *tag)
{
	int i;

	for (i = 0; i < 4; i++)
		if (kept[i].tid.raw == tid.raw) {
			tag->raw = kept[i].mr[0];
			L4_LoadMRs(0, RT_AG_MAXW + 1, kept[i].mr);
			kept[i].tid = L4_nilthread;
			return 1;
		}
	return 0;
}

/*
 * Wait for the agent's next call, with no clock bound.  Image faults of
 * any child paged by main are served meanwhile; a fault rt_serve does not
 * answer is returned as it is (with *sender naming the faulting thread),
 * and so is an error.
 */
L4_MsgTag_t rt_agent_result(L4_ThreadId_t agent, L4_ThreadId_t *sender)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag;

	if (unkeep(agent, &tag)) {
		if (sender)
			*sender = agent;
		return tag;
	}
	for (;;) {
		tag = rt_serve(L4_nilthread, RT_NEVER_US, &from);
		if (L4_IpcFailed(tag) || rt_is_pagefault(tag) || from.raw == agent.raw)
			break;
		if (L4_Label(tag) == RT_AG_RESULT)
			keep(from, tag);
	}
	if (sender)
		*sender = from;
	return tag;
}

/* Forget kept results (their agents are gone after rt_cleanup). */
void rt_agent_reset(void)
{
	int i;

	for (i = 0; i < 4; i++)
		kept[i].tid = L4_nilthread;
}

/* Answer the agent's pending call with a command (the agent waits in
 * its call's receive from main, or is on its way there). */
int rt_agent_post(L4_ThreadId_t agent, L4_Word_t op, int n, const L4_Word_t *args)
{
	rt_msg(op, n, args);
	return L4_IpcSucceeded(L4_Send(agent));
}

L4_MsgTag_t rt_agent_cmd(L4_ThreadId_t agent, L4_Word_t op, int n, const L4_Word_t *args)
{
	if (!rt_agent_post(agent, op, n, args))
		return (L4_MsgTag_t) { .raw = 1UL << 15 };   /* error flag */
	return rt_agent_result(agent, 0);
}

/* Start an agent and wait until it is ready for its first command. */
L4_ThreadId_t rt_agent_create(L4_ThreadId_t pager)
{
	L4_ThreadId_t agent = rt_task_create(rt_agent_loop, 0, pager);
	L4_MsgTag_t tag;

	if (L4_IsNilThread(agent))
		return agent;
	tag = rt_agent_result(agent, 0);
	if (L4_IpcFailed(tag) || L4_Label(tag) != RT_AG_RESULT) {
		rt_release(agent);
		return L4_nilthread;
	}
	return agent;
}
