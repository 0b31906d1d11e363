/* SPDX-License-Identifier: BSD-2-Clause */
/* Step 3: two tasks talk: "ping" calls "pong", which answers n + 1. */
#include "demo.h"

#define ROUNDS		10
#define LABEL_PING	0x9196
#define LABEL_DONE	0x600d

static L4_ThreadId_t pong_id;

static void pong(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	tag = L4_Wait(&from);
	for (;;) {
		L4_Word_t w = rt_mr(1) + 1;

		if (L4_IpcFailed(tag)) {
			tag = L4_Wait(&from);
			continue;
		}
		rt_msg(LABEL_PING, 1, &w);
		tag = L4_ReplyWait(from, &from);
	}
}

static void ping(L4_Word_t arg)
{
	L4_Word_t i, good = 0, last = 0, res[2];

	(void)arg;
	for (i = 1; i <= ROUNDS; i++) {
		rt_msg(LABEL_PING, 1, &i);
		if (L4_IpcSucceeded(L4_Call(pong_id))) {
			last = rt_mr(1);
			if (last == i + 1)
				good++;
		}
	}
	res[0] = good;
	res[1] = last;
	rt_msg(LABEL_DONE, 2, res);
	(void)L4_Send(rt_main_thread());
}

int demo_ipc(void)
{
	L4_ThreadId_t pinger;
	L4_MsgTag_t tag;

	pong_id = rt_task_create(pong, 0, rt_pager());
	pinger = rt_task_create(ping, 0, rt_pager());
	if (L4_IsNilThread(pong_id) || L4_IsNilThread(pinger)) {
		printf("demo:     could not create the tasks (error %lu)\n", rt_last_error());
		return 0;
	}
	printf("demo:     task ping " TID_FMT " calls task pong " TID_FMT " %u times\n",
	       TID_ARGS(pinger), TID_ARGS(pong_id), ROUNDS);
	tag = L4_Receive_Timeout(pinger, rt_us(3000000));
	if (L4_IpcFailed(tag)) {
		printf("demo:     ping did not report (error %lx)\n", L4_ErrorCode());
		return 0;
	}
	printf("demo:     ping: %lu of %u answers right, the last one %lu\n",
	       rt_mr(1), ROUNDS, rt_mr(2));
	return rt_mr(1) == ROUNDS && rt_mr(2) == ROUNDS + 1;
}
