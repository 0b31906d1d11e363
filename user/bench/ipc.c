/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One-way IPC cost: main calls a server that answers with the message it
 * got (same tag, same words) by ReplyWait; one way is half a round trip.
 * The server is a thread of the root's space or a task of its own.  The
 * Lipc variant calls and answers local IDs with Lcall and LreplyWait.
 * Each figure has a server of its own (main's report() ends it).  Whether the
 * calls enter by the KIP's stubs (sysenter where the kernel uses it) or
 * by int $0x30 is main's choice (rt_ipc_entry_int); a task of its own
 * makes the same choice for itself, by its argument.
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

static void server(L4_Word_t use_int)
{
	if (use_int)
		rt_ipc_entry_int(1);
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

/* A thread of this space shares main's entry; a task makes its own. */
int bench_ipc_intra(int words, L4_Word_t *result)
{
	return pingpong(rt_thread_create(server, 0), words, 0, result);
}

int bench_ipc_inter(int words, int use_int, L4_Word_t *result)
{
	return pingpong(rt_task_create(server, (L4_Word_t)use_int, rt_pager()), words, 0, result);
}

/* One-way Lipc within one space: Lcall to the server's local ID. */
int bench_lipc_intra(int words, L4_Word_t *result)
{
	return pingpong(rt_thread_create(lserver, 0), words, 1, result);
}

/*
 * A round trip whose call carries one string item of `bytes` bytes to a
 * task of its own, which answers with an empty message.  Both buffers
 * are touched before, and the warm-up rounds take any fault left: the
 * rounds counted copy without a page fault.
 */
#define STRING_MAX 4096
static unsigned char string_src[STRING_MAX] __attribute__((aligned(4096)));
static unsigned char string_dst[STRING_MAX] __attribute__((aligned(4096)));

static void string_server(L4_Word_t bytes)
{
	L4_StringItem_t it;
	L4_ThreadId_t from;
	L4_MsgTag_t tag;
	unsigned i;

	for (i = 0; i < STRING_MAX; i++)
		string_dst[i] = 0;
	it = L4_StringItem((int)bytes, string_dst);
	L4_LoadBR(0, 1);
	L4_LoadBR(1, it.raw[0]);
	L4_LoadBR(2, it.raw[1]);
	tag = L4_Wait(&from);
	for (;;) {
		if (L4_IpcFailed(tag)) {
			tag = L4_Wait(&from);
			continue;
		}
		L4_LoadMR(0, L4_Niltag.raw);
		tag = L4_ReplyWait(from, &from);
	}
}

int bench_ipc_string(unsigned bytes, L4_Word_t *result)
{
	L4_ThreadId_t srv = rt_task_create(string_server, bytes, rt_pager());
	L4_StringItem_t it = L4_StringItem((int)bytes, string_src);
	L4_MsgTag_t tag = L4_Niltag, r;
	L4_Word64_t t0, t1;
	int i;

	if (L4_IsNilThread(srv) || bytes > STRING_MAX)
		return 0;
	for (i = 0; i < STRING_MAX; i++)
		string_src[i] = (unsigned char)i;
	tag.X.t = 2;
	for (i = 0; i < BENCH_WARMUP; i++) {
		L4_LoadMR(0, tag.raw);
		L4_LoadMR(1, it.raw[0]);
		L4_LoadMR(2, it.raw[1]);
		r = L4_Call_Timeouts(srv, rt_us(2000000), rt_us(2000000));
		if (L4_IpcFailed(r)) {
			rt_set_last_error(L4_ErrorCode());
			return 0;
		}
	}
	t0 = bench_rdtsc();
	for (i = 0; i < BENCH_ROUNDS; i++) {
		L4_LoadMR(0, tag.raw);
		L4_LoadMR(1, it.raw[0]);
		L4_LoadMR(2, it.raw[1]);
		(void)L4_Call(srv);
	}
	t1 = bench_rdtsc();
	*result = bench_div(t1 - t0, BENCH_ROUNDS);
	return 1;
}
