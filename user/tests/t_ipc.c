/* SPDX-License-Identifier: BSD-2-Clause */
/* IPC between threads of one space and of two: send, receive, call,
 * reply-and-wait, open and closed waits, untyped words, labels, Lipc. */
#include "tests.h"
#include "t_sync.h"

static void recv_then_answer(L4_Word_t arg)
{
	L4_MsgTag_t tag = L4_Receive(rt_main_thread());
	L4_Word_t w = rt_mr(1) + 1;

	(void)arg;
	t_shared[0] = tag.raw;
	t_load(L4_Label(tag) + 1, 1, &w, 0, 0);
	(void)L4_Send(rt_main_thread());
}

static const char *t_ipc_send_receive_intra_space(void)
{
	L4_ThreadId_t t = rt_thread_create(recv_then_answer, 0), from = { .raw = 0 };
	L4_Word_t w = 0xcafe;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	t_load(0x77, 1, &w, 0, 0);
	tag = L4_Send(t);
	CHECK(L4_IpcSucceeded(tag));
	tag = L4_Ipc(L4_nilthread, t, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, L4_LocalIdOf(t).raw);   /* X.2: local within a space */
	CHECK_EQ(L4_Label(tag), 0x78);
	CHECK_EQ(L4_UntypedWords(tag), 1);
	CHECK_EQ(rt_mr(1), 0xcaff);
	CHECK_EQ(L4_Label((L4_MsgTag_t) { .raw = t_shared[0] }), 0x77);
	CHECK_EQ(L4_UntypedWords((L4_MsgTag_t) { .raw = t_shared[0] }), 1);
	return 0;
}

/* Call the echo server with n words and check the answer. */
static const char *echo_round(L4_ThreadId_t srv, int n, L4_Word_t label)
{
	L4_Word_t w[63];
	L4_MsgTag_t tag;
	int i;

	for (i = 0; i < n; i++)
		w[i] = 0xa5a5a5a5UL ^ (i * 0x01010101UL);
	t_load(label, n, w, 0, 0);
	tag = L4_Call(srv);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(L4_Label(tag), label ^ 0xff);
	CHECK_EQ(L4_UntypedWords(tag), n);
	CHECK_EQ(L4_TypedWords(tag), 0);
	for (i = 0; i < n; i++)
		CHECK_EQ(rt_mr(i + 1), ~w[i]);
	return 0;
}

static const char *t_ipc_call_reply_intra_space(void)
{
	L4_ThreadId_t srv = rt_thread_create(t_echo, 0);

	CHECK(!L4_IsNilThread(srv));
	return echo_round(srv, 2, 0x123);
}

static const char *t_ipc_call_inter_space(void)
{
	L4_ThreadId_t srv = rt_task_create(t_echo, 0, rt_pager());
	const char *r;

	CHECK(!L4_IsNilThread(srv));
	r = echo_round(srv, 3, 0x321);
	if (r)
		return r;
	/* The echo server saw us under our global ID. */
	CHECK_EQ(t_shared[1], L4_Myself().raw);
	return 0;
}

static const char *t_ipc_untyped_0(void)
{
	L4_ThreadId_t srv = rt_thread_create(t_echo, 0);

	CHECK(!L4_IsNilThread(srv));
	return echo_round(srv, 0, 0x40);
}

static const char *t_ipc_untyped_1(void)
{
	L4_ThreadId_t srv = rt_thread_create(t_echo, 0);

	CHECK(!L4_IsNilThread(srv));
	return echo_round(srv, 1, 0x41);
}

static const char *t_ipc_untyped_8(void)
{
	L4_ThreadId_t srv = rt_thread_create(t_echo, 0);

	CHECK(!L4_IsNilThread(srv));
	return echo_round(srv, 8, 0x48);
}

static const char *t_ipc_untyped_63(void)
{
	L4_ThreadId_t srv = rt_thread_create(t_echo, 0);

	CHECK(!L4_IsNilThread(srv));
	return echo_round(srv, 63, 0x7f);
}

static const char *t_ipc_untyped_63_inter_space(void)
{
	L4_ThreadId_t srv = rt_task_create(t_echo, 0, rt_pager());

	CHECK(!L4_IsNilThread(srv));
	return echo_round(srv, 63, 0xbeef);
}

/* The whole 16-bit label travels unchanged. */
static const char *t_ipc_label_passed(void)
{
	L4_ThreadId_t srv = rt_thread_create(t_echo, 0);
	const char *r;

	CHECK(!L4_IsNilThread(srv));
	r = echo_round(srv, 1, 0xabcd);
	return r ? r : echo_round(srv, 0, 0x0001);
}

static void client(L4_Word_t i)
{
	L4_ThreadId_t srv = { .raw = t_shared[10] };
	L4_MsgTag_t tag;

	t_load(0x10, 1, &i, 0, 0);
	tag = L4_Call(srv);
	t_shared[12 + i] = L4_IpcSucceeded(tag) ? rt_mr(1) : 0;
	t_shared[14 + i] = 1;
}

/* One ReplyWait answers the caller and takes the next request. */
static const char *t_ipc_reply_wait_two_clients(void)
{
	L4_ThreadId_t srv = rt_thread_create(t_echo, 0);

	CHECK(!L4_IsNilThread(srv));
	t_shared[10] = srv.raw;
	CHECK(!L4_IsNilThread(rt_thread_create(client, 0)));
	CHECK(!L4_IsNilThread(rt_thread_create(client, 1)));
	t_until(&t_shared[14], 1);
	t_until(&t_shared[15], 1);
	CHECK_EQ(t_shared[12], ~0UL);
	CHECK_EQ(t_shared[13], ~1UL);
	CHECK_EQ(t_shared[0], 2);
	return 0;
}

static void send_word(L4_Word_t w)
{
	t_load(0x31, 1, &w, 0, 0);
	(void)L4_Send(rt_main_thread());
}

/* An open wait receives from another space and names the sender by its
 * global ID. */
static const char *t_ipc_open_wait_reports_sender(void)
{
	L4_ThreadId_t child = rt_task_create(send_word, 0x5151, rt_pager()), from = { .raw = 0 };
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(child));
	tag = L4_Wait(&from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, child.raw);
	CHECK_EQ(L4_Label(tag), 0x31);
	CHECK_EQ(rt_mr(1), 0x5151);
	return 0;
}

/* Waiting for any local thread receives from a thread of our space. */
static const char *t_ipc_anylocal_accepts_local_sender(void)
{
	L4_ThreadId_t t = rt_thread_create(send_word, 0x6161), from = { .raw = 0 };
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	tag = L4_Ipc(L4_nilthread, L4_anylocalthread, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(rt_mr(1), 0x6161);
	CHECK(from.raw == t.raw ||
	      from.raw == rt_utcb_of(t) + RT_UTCB_MR0_OFFSET);
	return 0;
}

/* ... but not from a thread of another space. */
static const char *t_ipc_anylocal_ignores_remote(void)
{
	L4_ThreadId_t child = rt_task_create(send_word, 0x7171, rt_pager()), from = { .raw = 0 };
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(child));
	CHECK(t_sched_state(child, L4_SCHEDRESULT_PENDING_SEND));   /* its send waits */
	tag = L4_Ipc(L4_nilthread, L4_anylocalthread,
		     L4_Timeouts(L4_Never, rt_us(300000)), &from);
	CHECK(L4_IpcFailed(tag));
	CHECK_EQ(t_ipc_ec(), EC_RECV(L4_ErrTimeout));
	tag = L4_Receive(child);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(rt_mr(1), 0x7171);
	return 0;
}

static void late_sender(L4_Word_t w)
{
	rt_sleep_us(50000);
	t_load(0x41, 1, &w, 0, 0);
	(void)L4_Send(rt_main_thread());
}

static void timed_sender(L4_Word_t w)
{
	L4_MsgTag_t tag;

	t_load(0x42, 1, &w, 0, 0);
	tag = L4_Send_Timeout(rt_main_thread(), rt_us(300000));
	t_shared[3] = L4_IpcFailed(tag) ? t_ipc_ec() : 0x99;
	t_shared[4] = 1;
}

/* A closed wait takes only the named sender; another sender's message
 * is not delivered and its send times out. */
static const char *t_ipc_closed_wait_ignores_others(void)
{
	L4_ThreadId_t a = rt_thread_create(late_sender, 0xaaaa);
	L4_ThreadId_t b = rt_thread_create(timed_sender, 0xbbbb), from = { .raw = 0 };
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
	tag = L4_Ipc(L4_nilthread, a, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, L4_LocalIdOf(a).raw);   /* X.2: local within a space */
	CHECK_EQ(rt_mr(1), 0xaaaa);
	t_until(&t_shared[4], 1);
	CHECK_EQ(t_shared[3], EC_SEND(L4_ErrTimeout));
	return 0;
}

/* A receive with timeout "never" completes when the partner arrives. */
static const char *t_ipc_never_timeout_partner_arrives(void)
{
	L4_ThreadId_t a = rt_thread_create(late_sender, 0x1234);
	L4_Word_t t0 = rt_now_us();
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(a));
	tag = L4_Receive(a);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(rt_mr(1), 0x1234);
	CHECK(rt_now_us() - t0 >= 40000);
	return 0;
}

static void recv_record(L4_Word_t arg)
{
	L4_MsgTag_t tag = L4_Receive(rt_main_thread());

	(void)arg;
	t_shared[0] = rt_mr(1);
	t_shared[2] = tag.raw;
	t_shared[1] = 1;
}

/* A thread of our own space can be addressed by its local ID (on IA-32
 * the address of its UTCB, i.e. of its MR0). */
static const char *t_ipc_send_by_local_id(void)
{
	L4_ThreadId_t t = rt_thread_create(recv_record, 0), local;
	L4_Word_t w = 0x10ca1;

	CHECK(!L4_IsNilThread(t));
	local.raw = rt_utcb_of(t) + RT_UTCB_MR0_OFFSET;
	CHECK(L4_IsLocalId(local));
	t_load(0x50, 1, &w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(local)));
	t_until(&t_shared[1], 1);
	CHECK_EQ(t_shared[0], 0x10ca1);
	return 0;
}

/* Lipc server: add one to MR1 and answer, using local IDs only. */
static void lipc_server(L4_Word_t arg)
{
	L4_ThreadId_t from = { .raw = 0 };
	L4_MsgTag_t tag;

	(void)arg;
	tag = L4_Lipc(L4_nilthread, L4_anylocalthread, L4_Timeouts(L4_Never, L4_Never), &from);
	for (;;) {
		L4_Word_t w = rt_mr(1) + 1;

		if (L4_IpcFailed(tag)) {
			tag = L4_Lipc(L4_nilthread, L4_anylocalthread,
				      L4_Timeouts(L4_Never, L4_Never), &from);
			continue;
		}
		/* Answer main by its local ID, whatever form `from` has. */
		from.raw = t_shared[8];
		t_load(0, 1, &w, 0, 0);
		tag = L4_Lipc(from, L4_anylocalthread, L4_Timeouts(L4_ZeroTime, L4_Never), &from);
	}
}

static const char *t_ipc_lipc_call_reply(void)
{
	L4_ThreadId_t t = rt_thread_create(lipc_server, 0), local, from = { .raw = 0 };
	L4_Word_t w = 41;
	L4_MsgTag_t tag;

	CHECK(!L4_IsNilThread(t));
	t_shared[8] = L4_MyLocalId().raw;
	local.raw = rt_utcb_of(t) + RT_UTCB_MR0_OFFSET;
	t_load(0x60, 1, &w, 0, 0);
	tag = L4_Lipc(local, local, L4_Timeouts(L4_Never, L4_Never), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(rt_mr(1), 42);
	return 0;
}

const struct test ipc_tests[] = {
	TEST(ipc_send_receive_intra_space),
	TEST(ipc_call_reply_intra_space),
	TEST(ipc_call_inter_space),
	TEST(ipc_untyped_0),
	TEST(ipc_untyped_1),
	TEST(ipc_untyped_8),
	TEST(ipc_untyped_63),
	TEST(ipc_untyped_63_inter_space),
	TEST(ipc_label_passed),
	TEST(ipc_reply_wait_two_clients),
	TEST(ipc_open_wait_reports_sender),
	TEST(ipc_anylocal_accepts_local_sender),
	TEST(ipc_anylocal_ignores_remote),
	TEST(ipc_closed_wait_ignores_others),
	TEST(ipc_never_timeout_partner_arrives),
	TEST(ipc_send_by_local_id),
	TEST(ipc_lipc_call_reply),
	{ 0 },
};
