/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The messages the kernel makes for a thread of a redirected space
 * (kernel/ipc_kcall.c, docs/abi.md "Redirection"): its page faults and
 * exceptions go to the partners it names itself (the Pager and
 * ExceptionHandler TCRs), so they are redirected as its own Call to the
 * same thread would be.  Unredirected, any thread could pass its
 * redirector by naming an accomplice as its pager or handler and
 * faulting: two words a page fault, a dozen an exception.
 *
 * Cast: T, a task that waits for commands from main (read a word at an
 * address; raise #UD with a handler it names); R, the redirector, a task
 * of its own that forwards page faults to their intended receiver
 * (propagated, T as virtual sender) and keeps everything else; E, a
 * thread of ours that would be T's accomplice.
 */
#include "tests.h"
#include "t_sync.h"

#define CMD_LABEL	0x7d21
#define OP_READ		1
#define OP_RAISE	2
#define TAG_P		0x1000	/* propagated */
#define TAG_R		0x2000	/* redirected */
#define LABEL_PF	0xffe0	/* -2 << 4, access in the low bits */
#define LABEL_EXC	0xffb0	/* -5 << 4: an IA-32 exception, */
#define EXC_WORDS	12	/* of EIP, EFLAGS, vector, error and 8 registers */

/* t_shared words: a redirector's record at its base, */
#define X_COUNT		0	/* messages received */
#define X_ARMED		1	/* receives begun */
#define X_HIT_TAG	2	/* the one about the target (MR1, or any exception): */
#define X_HIT_FROM	3
#define X_HIT_INT	4	/*     its IntendedReceiver TCR */
#define X_HIT_FWD	5	/*     1 forwarded, 0x100 | error */
#define R_BASE		0
#define E_BASE		8
#define Q_BASE		16	/* a redirector in our own space */
/* and T's: */
#define T_ARMED		24
#define T_DONE		25
#define T_READ		26
#define TARGET		27	/* the address the hit is about */

#define X(base, w)	t_shared[(base) + (w)]

/* A page T has never touched: its first read faults. */
static volatile L4_Word_t fresh[2 * RT_PAGE_SIZE / sizeof(L4_Word_t)]
	__attribute__((aligned(RT_PAGE_SIZE)));

/* Receive from anyone; record; forward a redirected page fault whole
 * to its intended receiver, as its sender, and keep the rest. */
static void redirector(L4_Word_t base)
{
	volatile L4_Word_t *x = &t_shared[base];

	for (;;) {
		L4_ThreadId_t from = L4_nilthread;
		L4_MsgTag_t tag;
		int hit;

		L4_Accept(L4_UntypedWordsAcceptor);
		x[X_ARMED]++;
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag))
			continue;
		hit = (L4_Label(tag) & 0xfff0) == LABEL_EXC || rt_mr(1) == t_shared[TARGET];
		if (hit) {
			x[X_HIT_TAG] = tag.raw;
			x[X_HIT_FROM] = from.raw;
			x[X_HIT_INT] = L4_IntendedReceiver().raw;
		}
		x[X_COUNT]++;
		if ((L4_Label(tag) & 0xfff0) != LABEL_PF || !L4_IpcRedirected(tag))
			continue;
		tag = t_redir_forward(tag, from, L4_Never);
		if (hit)
			x[X_HIT_FWD] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 1;
	}
}

/* T: its first writes map t_shared's page, then it waits for main. */
static void target_task(L4_Word_t arg)
{
	L4_ThreadId_t main_tid = { .raw = arg };

	t_shared[T_ARMED] = 1;
	for (;;) {
		L4_Accept(L4_UntypedWordsAcceptor);
		if (L4_IpcFailed(L4_Receive(main_tid)))
			continue;
		L4_Word_t op = rt_mr(1), w = rt_mr(2);
		if (op == OP_READ) {
			t_shared[T_READ] = *(volatile L4_Word_t *)w;
		} else if (op == OP_RAISE) {
			L4_Set_ExceptionHandler((L4_ThreadId_t) { .raw = w });
			__asm__ __volatile__("ud2");
		}
		t_shared[T_DONE]++;
	}
}

static L4_ThreadId_t t_tid, r_tid;

/* T waiting for main, R (a task, or a thread of ours) waiting, and T's
 * space redirected to R. */
static const char *cast(int r_here, L4_Word_t r_base)
{
	L4_Word_t old;

	r_tid = r_here ? rt_thread_create(redirector, r_base) :
			 rt_task_create(redirector, r_base, rt_pager());
	t_tid = rt_task_create(target_task, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(r_tid) && !L4_IsNilThread(t_tid));
	t_until(&X(r_base, X_ARMED), 1);
	t_until(&t_shared[T_ARMED], 1);
	CHECK(t_until_waiting(t_tid));
	CHECK_EQ(L4_SpaceControl(t_tid, 0, L4_Nilpage, L4_Nilpage, r_tid, &old), 1);
	return 0;
}

static const char *command(L4_Word_t op, L4_Word_t w)
{
	return t_command(t_tid, CMD_LABEL, op, w);
}

/* T's fault on a page it never touched goes to R, with r set, T as
 * sender and its pager as intended receiver; R's forward reaches the
 * pager as from T, whose answer maps the page: T reads what is there. */
static const char *t_redirect_kmsg_pagefault(void)
{
	fresh[0] = 0x6b6d7367;
	t_shared[TARGET] = (L4_Word_t)&fresh[0];
	RUN(cast(0, R_BASE));
	RUN(command(OP_READ, (L4_Word_t)&fresh[0]));
	t_until(&t_shared[T_DONE], 1);
	CHECK_EQ(t_shared[T_READ], 0x6b6d7367);
	CHECK_EQ(X(R_BASE, X_HIT_TAG) & ~(0xfUL << 16), (LABEL_PF << 16) | TAG_R | 2);
	CHECK_EQ(X(R_BASE, X_HIT_FROM), t_tid.raw);
	CHECK_EQ(X(R_BASE, X_HIT_INT), rt_pager().raw);
	CHECK_EQ(X(R_BASE, X_HIT_FWD), 1);
	return t_selfcheck();
}

/* A pager in the redirector's own space is in the allowed set: T's
 * fault goes to it directly, and the redirector sees nothing. */
static const char *t_redirect_kmsg_pager_allowed(void)
{
	fresh[RT_PAGE_SIZE / sizeof(L4_Word_t)] = 0x616c6c77;
	RUN(cast(1, Q_BASE));
	RUN(command(OP_READ, (L4_Word_t)&fresh[RT_PAGE_SIZE / sizeof(L4_Word_t)]));
	t_until(&t_shared[T_DONE], 1);
	CHECK_EQ(t_shared[T_READ], 0x616c6c77);
	CHECK_EQ(X(Q_BASE, X_COUNT), 0);
	return t_selfcheck();
}

/* T names E, a thread outside both spaces, as its exception handler and
 * raises #UD: the exception message goes to R (r set, T as sender, E as
 * intended receiver), which keeps it; E gets nothing, and T waits. */
static const char *t_redirect_kmsg_exception(void)
{
	L4_ThreadId_t e = rt_thread_create(redirector, E_BASE);

	CHECK(!L4_IsNilThread(e));
	t_until(&X(E_BASE, X_ARMED), 1);
	t_shared[TARGET] = ~0UL;
	RUN(cast(0, R_BASE));
	RUN(command(OP_RAISE, e.raw));
	/* Until one of the two has it, for as long as that takes. */
	while (!X(R_BASE, X_HIT_TAG) && !X(E_BASE, X_COUNT))
		rt_sleep_us(1000);
	CHECK_EQ(X(E_BASE, X_COUNT), 0);
	CHECK_EQ(X(R_BASE, X_HIT_TAG), (LABEL_EXC << 16) | TAG_R | EXC_WORDS);
	CHECK_EQ(X(R_BASE, X_HIT_FROM), t_tid.raw);
	CHECK_EQ(X(R_BASE, X_HIT_INT), e.raw);
	CHECK_EQ(t_shared[T_DONE], 0);
	return t_selfcheck();
}

/*
 * A redirected message is never the reply to a call the kernel made for
 * its redirector.  T's pager is Q, a task whose space is redirected to
 * T: while T waits in its page fault for Q, Q's own send to main goes
 * to T, which must not take it as Q's answer (it is no map item, and
 * not meant for T's fault): with a zero send timeout it fails, and Q's
 * answer after it maps the page.  A first round before the redirection
 * has Q fault in everything it runs and touches.
 */
#define Q_ROUND		8	/* faults Q has served */
#define Q_SEND_EC	9	/* its send to main in round 2: 0 or the error */

static void q_pager(L4_Word_t arg)
{
	L4_ThreadId_t main_tid = { .raw = arg }, from;
	L4_MsgTag_t tag;

	(void)fresh[0];
	(void)fresh[RT_PAGE_SIZE / sizeof(L4_Word_t)];
	t_shared[Q_ROUND] = 0;
	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Wait(&from);
	for (;;) {
		L4_Word_t addr = rt_mr(1), rwx = L4_Label(tag) & 7;

		if (L4_IpcFailed(tag) || !rt_is_pagefault(tag)) {
			tag = L4_Wait(&from);
			continue;
		}
		if (t_shared[Q_ROUND] < 2) {
			L4_LoadMR(0, (L4_Word_t)CMD_LABEL << 16);
			tag = L4_Send_Timeout(main_tid, L4_ZeroTime);
			t_shared[Q_SEND_EC] = L4_IpcFailed(tag) ? t_ipc_ec() : 0;
		}
		t_shared[Q_ROUND]++;
		rt_load_page_reply(addr, rwx);
		tag = L4_ReplyWait(from, &from);
	}
}

static const char *t_redirect_kmsg_not_a_kernel_reply(void)
{
	L4_ThreadId_t q;
	L4_Word_t old;

	fresh[0] = 0x71726f31;
	fresh[RT_PAGE_SIZE / sizeof(L4_Word_t)] = 0x71726f32;
	t_tid = rt_task_create(target_task, L4_Myself().raw, rt_pager());
	q = rt_task_create(q_pager, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(t_tid) && !L4_IsNilThread(q));
	t_until(&t_shared[T_ARMED], 1);
	CHECK(t_until_waiting(t_tid));
	CHECK(t_until_waiting(q));
	CHECK_EQ(L4_ThreadControl(t_tid, t_tid, L4_nilthread, q, (void *)-1), 1);
	/* Round 1: Q's send is not redirected; main does not wait for it. */
	RUN(command(OP_READ, (L4_Word_t)&fresh[0]));
	t_until(&t_shared[T_DONE], 1);
	CHECK_EQ(t_shared[T_READ], 0x71726f31);
	CHECK(t_until_waiting(q));
	CHECK_EQ(t_shared[Q_SEND_EC], 2);         /* timeout, send phase */
	/* Round 2: Q's space redirected to T, which waits for Q. */
	CHECK_EQ(L4_SpaceControl(q, 0, L4_Nilpage, L4_Nilpage, t_tid, &old), 1);
	t_shared[Q_SEND_EC] = 0xdead;
	RUN(command(OP_READ, (L4_Word_t)&fresh[RT_PAGE_SIZE / sizeof(L4_Word_t)]));
	t_until(&t_shared[T_DONE], 2);
	CHECK_EQ(t_shared[T_READ], 0x71726f32);
	CHECK_EQ(t_shared[Q_SEND_EC], 2);
	CHECK_EQ(t_shared[Q_ROUND], 2);
	return t_selfcheck();
}

/*
 * A pager whose space is redirected answers a fault through its
 * redirector: P is T's pager, P's space is redirected to F, T is outside
 * both.  P's answer (a map item) goes to F, which receives the page and
 * maps it on to T in P's name (propagated); T, waiting for P's answer,
 * takes it (X.2 propagation: the receiver sees the virtual sender).
 */
#define F_BASE		8	/* F's words: */
#define F_GOT_TAG	(F_BASE + 0)	/* the redirected answer's tag */
#define F_FWD		(F_BASE + 1)	/* its forward: 1, or 0x100 | error */
#define F_ARMED		(F_BASE + 2)
#define P_ARMED		(F_BASE + 3)
#define P_SEND		(F_BASE + 4)	/* P's answer: 1, or 0x100 | error */

static void map_forwarder(L4_Word_t arg)
{
	(void)arg;
	for (;;) {
		L4_ThreadId_t from = L4_nilthread;
		L4_MsgTag_t tag;

		L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
		t_shared[F_ARMED]++;
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || !L4_IpcRedirected(tag))
			continue;
		if (rt_is_pagefault(tag)) {           /* P's own faults */
			(void)t_redir_forward(tag, from, L4_Never);
			continue;
		}
		t_shared[F_GOT_TAG] = tag.raw;
		/* The page is ours now, where P sent it: map it on. */
		rt_load_page_reply(t_shared[TARGET], 7);
		tag = t_redir_forward((L4_MsgTag_t) { .raw = rt_mr(0) }, from, L4_ZeroTime);
		t_shared[F_FWD] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 1;
	}
}

static void p_pager(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	(void)fresh[0];
	t_shared[P_ARMED] = 1;
	for (;;) {
		L4_Accept(L4_UntypedWordsAcceptor);
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || !rt_is_pagefault(tag))
			continue;
		rt_load_page_reply(rt_mr(1), L4_Label(tag) & 7);
		tag = L4_Send(from);
		t_shared[P_SEND] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 1;
	}
}

static const char *t_redirect_kmsg_pager_answer_forwarded(void)
{
	L4_ThreadId_t p, f;
	L4_Word_t old;

	fresh[0] = 0x70616e73;
	t_shared[TARGET] = (L4_Word_t)&fresh[0];
	t_tid = rt_task_create(target_task, L4_Myself().raw, rt_pager());
	p = rt_task_create(p_pager, 0, rt_pager());
	f = rt_task_create(map_forwarder, 0, rt_pager());
	CHECK(!L4_IsNilThread(t_tid) && !L4_IsNilThread(p) && !L4_IsNilThread(f));
	t_until(&t_shared[T_ARMED], 1);
	t_until(&t_shared[P_ARMED], 1);
	t_until(&t_shared[F_ARMED], 1);
	CHECK(t_until_waiting(t_tid));
	CHECK(t_until_waiting(p));
	CHECK_EQ(L4_ThreadControl(t_tid, t_tid, L4_nilthread, p, (void *)-1), 1);
	CHECK_EQ(L4_SpaceControl(p, 0, L4_Nilpage, L4_Nilpage, f, &old), 1);
	RUN(command(OP_READ, (L4_Word_t)&fresh[0]));
	t_until_at_least(&t_shared[F_FWD], 1);
	CHECK_EQ(t_shared[F_GOT_TAG] & 0xffff, TAG_R | (2 << 6));
	CHECK_EQ(t_shared[P_SEND], 1);
	CHECK_EQ(t_shared[F_FWD], 1);
	t_until(&t_shared[T_DONE], 1);
	CHECK_EQ(t_shared[T_READ], 0x70616e73);
	return t_selfcheck();
}

const struct test redirect_kmsg_tests[] = {
	TEST(redirect_kmsg_pagefault),
	TEST(redirect_kmsg_pager_allowed),
	TEST(redirect_kmsg_exception),
	TEST(redirect_kmsg_not_a_kernel_reply),
	TEST(redirect_kmsg_pager_answer_forwarded),
	{ 0 },
};
