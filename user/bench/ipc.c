/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One-way IPC cost: main calls a server that answers with the message it
 * got (same tag, same words) by ReplyWait; one way is half a round trip.
 * The server is a thread of the root's space or a task of its own.  The
 * Lipc variant calls and answers local IDs with Lcall and LreplyWait.
 */
#include "bench.h"

/* Echo the message back unchanged (its MRs are still in our UTCB), by
 * LreplyWait if lipc is set; inlined with a constant, so that each
 * server's loop holds only its own call. */
static inline __attribute__((always_inline)) void echo(int lipc)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	tag = L4_Wait(&from);
	for (;;) {
		if (L4_IpcFailed(tag)) {
			tag = L4_Wait(&from);
			continue;
		}
		tag.X.flags = 0;
		L4_LoadMR(0, tag.raw);
		tag = lipc ? L4_LreplyWait(from, &from) : L4_ReplyWait(from, &from);
	}
}

static void server(L4_Word_t arg)
{
	(void)arg;
	echo(0);
}

static void lserver(L4_Word_t arg)
{
	(void)arg;
	echo(1);
}

static int pingpong(L4_ThreadId_t srv, int words, int lipc, L4_Word_t *result)
{
	L4_MsgTag_t tag = L4_Niltag, r;
	L4_ThreadId_t from;
	L4_Word64_t t0, t1;
	int i;

	if (L4_IsNilThread(srv))
		return 0;
	if (lipc)
		srv = L4_LocalIdOf(srv);
	tag.X.u = words;
	for (i = 1; i <= words; i++)
		L4_LoadMR(i, i);
	for (i = 0; i < BENCH_WARMUP; i++) {
		L4_LoadMR(0, tag.raw);
		r = L4_Ipc(srv, srv, L4_Timeouts(rt_us(2000000), rt_us(2000000)), &from);
		if (L4_IpcFailed(r) || L4_UntypedWords(r) != (L4_Word_t)words) {
			rt_set_last_error(L4_ErrorCode());
			return 0;
		}
	}
	t0 = bench_rdtsc();
	if (lipc) {
		for (i = 0; i < BENCH_ROUNDS; i++) {
			L4_LoadMR(0, tag.raw);
			(void)L4_Lcall(srv);
		}
	} else {
		for (i = 0; i < BENCH_ROUNDS; i++) {
			L4_LoadMR(0, tag.raw);
			(void)L4_Call(srv);
		}
	}
	t1 = bench_rdtsc();
	*result = bench_div(t1 - t0, 2 * BENCH_ROUNDS);
	/* The last word came back unchanged. */
	return words == 0 || rt_mr(words) == (L4_Word_t)words;
}

int bench_ipc_intra(int words, L4_Word_t *result)
{
	return pingpong(rt_thread_create(server, 0), words, 0, result);
}

int bench_ipc_inter(int words, L4_Word_t *result)
{
	return pingpong(rt_task_create(server, 0, rt_pager()), words, 0, result);
}

/* One-way Lipc within one space: Lcall to the server's local ID. */
int bench_lipc_intra(int words, L4_Word_t *result)
{
	return pingpong(rt_thread_create(lserver, 0), words, 1, result);
}
