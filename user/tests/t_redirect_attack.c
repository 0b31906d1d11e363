/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Redirection of the kernel's own messages under stress
 * (kernel/ipc_kcall.c, ipc_match.c; docs/abi.md §6 "Redirection"): the
 * faults a redirected thread makes while its own message to its
 * redirector is in transfer.
 *
 * Cast: T, a task that takes commands from main (send a string from a
 * page it never touched); R, its space's redirector, a task that
 * receives strings, forwards a redirected page fault to its intended
 * receiver (propagated, T as virtual sender) and records the rest.
 */
#include "tests.h"
#include "t_sync.h"
#include "t_kpre_utcb_int.h"

#define CMD_LABEL	0x7d22
#define STR_LABEL	0x5354
#define OP_SEND_STR	1
#define OP_READ		2
#define OP_RAISE	3
#define OP_RECV_STR	4
#define OP_READ_REGS	5
#define TAG_R		0x2000	/* redirected */
#define STR_LEN		64
#define RD_LABEL	0x5244	/* main to R: send T (MR1) a string */
#define R_XFER_US	20000	/* R's XferTimeouts then */

/* t_shared words: R's record, */
#define R_ARMED		0	/* receives begun */
#define R_PF		1	/* faults on src's page forwarded: count */
#define R_PF_FWD	2	/*     the last forward's outcome: 1, or 0x100 | error */
#define R_MSG		3	/* other messages: count */
#define R_TAG		4	/*     the last one's tag, */
#define R_INT		5	/*     its IntendedReceiver TCR, */
#define R_WORD		6	/*     its MR1, */
#define R_FIRST		7	/*     the first and last words of its string */
#define R_LAST		8
#define R_FORGE		9	/* 1: answer T's fault or exception in its partner's name first */
#define R_FORGE_EC	10	/*     that answer's outcome: 1, or 0x100 | error */
#define R_EXC		11	/* exceptions received (kept, not forwarded) */
#define R_WATCH		12	/* the page whose faults R_PF counts (0: src's) */
#define R_SENT		13	/* RD_LABEL sends made */
#define R_SEND_EC	14	/*     the last one's outcome: 0, or 0x100 | error */
/* and T's (after t_kpre_utcb_int.h's, which the last test uses too): */
#define T_ARMED		25
#define T_DONE		26
#define T_EC		27	/* its send: 0, or 0x100 | error */
#define T_READ		28	/* the word it read */
#define T_FIRST		29	/* OP_RECV_STR: the first and last words received */
#define T_LAST		30
#define T_REGS		31	/* OP_READ_REGS: 1 if EAX and ESI held across the read */

/* The string T sends: a page T has never touched (main fills it), so
 * that the copy stops on T's page fault. */
static L4_Word_t src[RT_PAGE_SIZE / sizeof(L4_Word_t)] __attribute__((aligned(RT_PAGE_SIZE)));
/* A page T reads first after the redirection (main fills it), and one
 * whose mapping R offers T for it in the pager's name. */
static volatile L4_Word_t fresh[RT_PAGE_SIZE / sizeof(L4_Word_t)]
	__attribute__((aligned(RT_PAGE_SIZE)));
static volatile L4_Word_t forged[RT_PAGE_SIZE / sizeof(L4_Word_t)]
	__attribute__((aligned(RT_PAGE_SIZE)));

/* R answers T in the name of the partner T waits for (the pager or the
 * handler, R's IntendedReceiver), as X.2 propagation would let it if R
 * were in that partner's space or chain of redirectors: a mapping of its
 * own page at the fault's, or the exception's words back with EIP moved
 * on.  The message R received is left as it was. */
static void forge(L4_MsgTag_t tag, L4_ThreadId_t from)
{
	L4_Word_t w[12], n = L4_UntypedWords(tag), i;
	L4_MsgTag_t out = L4_Niltag;

	for (i = 0; i < n && i < 12; i++)
		w[i] = rt_mr(1 + i);
	if (rt_is_pagefault(tag)) {
		L4_Fpage_t fp = L4_FpageLog2((L4_Word_t)forged, 12);
		L4_Set_Rights(&fp, L4_FullyAccessible);
		L4_MapItem_t item = L4_MapItem(fp, w[0] & ~(RT_PAGE_SIZE - 1));
		out.X.t = 2;
		L4_Set_Propagation(&out);
		L4_LoadMR(0, out.raw);
		L4_LoadMR(1, item.raw[0]);
		L4_LoadMR(2, item.raw[1]);
	} else {
		out.X.u = n;
		L4_Set_Propagation(&out);
		L4_LoadMR(0, out.raw);
		for (i = 0; i < n && i < 12; i++)
			L4_LoadMR(1 + i, i == 0 ? w[0] + 2 : w[i]);   /* past ud2 */
	}
	L4_Set_VirtualSender(L4_IntendedReceiver());
	out = L4_Send_Timeout(from, L4_ZeroTime);
	t_shared[R_FORGE_EC] = L4_IpcFailed(out) ? 0x100 | t_ipc_ec() : 1;
	for (i = 0; i < n && i < 12; i++)
		L4_LoadMR(1 + i, w[i]);
}

/* T's receive buffer: a page T has never touched. */
static L4_Word_t tbuf[RT_PAGE_SIZE / sizeof(L4_Word_t)] __attribute__((aligned(RT_PAGE_SIZE)));

/* R's receive buffer: touched before R's first receive. */
static L4_Word_t rbuf[STR_LEN / sizeof(L4_Word_t)];

static void redirector(L4_Word_t arg)
{
	(void)arg;
	for (unsigned i = 0; i < STR_LEN / sizeof(L4_Word_t); i++)
		rbuf[i] = 0;
	for (;;) {
		L4_ThreadId_t from = L4_nilthread;
		L4_StringItem_t buf = L4_StringItem(STR_LEN, (void *)rbuf);
		L4_MsgTag_t tag;

		L4_Accept(L4_StringItemsAcceptor);
		L4_LoadBR(1, buf.raw[0]);
		L4_LoadBR(2, buf.raw[1]);
		t_shared[R_ARMED]++;
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag))
			continue;
		if (L4_Label(tag) == RD_LABEL && !L4_IpcRedirected(tag)) {
			L4_ThreadId_t to = { .raw = rt_mr(1) };
			L4_StringItem_t s = L4_StringItem(STR_LEN, (void *)rbuf);
			L4_Word_t w[1] = { 0x52 }, items[2] = { s.raw[0], s.raw[1] };

			for (unsigned i = 0; i < STR_LEN / sizeof(L4_Word_t); i++)
				rbuf[i] = 0x52530000 + i;
			t_load(STR_LABEL, 1, w, 2, items);
			L4_Set_XferTimeouts(L4_Timeouts(rt_us(R_XFER_US), rt_us(R_XFER_US)));
			tag = L4_Send(to);
			L4_Set_XferTimeouts(0);
			t_shared[R_SEND_EC] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 0;
			t_shared[R_SENT]++;
			continue;
		}
		if (L4_IpcRedirected(tag) && (L4_Label(tag) & 0xfff0) == 0xffb0) {
			if (t_shared[R_FORGE])
				forge(tag, from);
			t_shared[R_EXC]++;
			continue;
		}
		if (rt_is_pagefault(tag) && L4_IpcRedirected(tag)) {
			if (t_shared[R_FORGE] &&
			    (rt_mr(1) & ~(RT_PAGE_SIZE - 1)) == (L4_Word_t)fresh)
				forge(tag, from);
			L4_Word_t watch = t_shared[R_WATCH] ? t_shared[R_WATCH] : (L4_Word_t)src;
			int src_page = (rt_mr(1) & ~(RT_PAGE_SIZE - 1)) == watch;

			tag = t_redir_forward(tag, from, L4_Never);
			if (src_page) {
				t_shared[R_PF_FWD] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 1;
				t_shared[R_PF]++;
			}
			continue;
		}
		t_shared[R_TAG] = tag.raw;
		t_shared[R_INT] = L4_IntendedReceiver().raw;
		t_shared[R_WORD] = rt_mr(1);
		t_shared[R_FIRST] = rbuf[0];
		t_shared[R_LAST] = rbuf[STR_LEN / sizeof(L4_Word_t) - 1];
		t_shared[R_MSG]++;
	}
}

/* T: waits for main's commands. */
static void target_task(L4_Word_t arg)
{
	L4_ThreadId_t main_tid = { .raw = arg };

	t_shared[T_ARMED] = 1;
	for (;;) {
		L4_Accept(L4_UntypedWordsAcceptor);
		if (L4_IpcFailed(L4_Receive(main_tid)))
			continue;
		if (rt_mr(1) == OP_SEND_STR) {
			L4_StringItem_t s = L4_StringItem(STR_LEN, (void *)src);
			L4_Word_t w[1] = { 0x77 }, items[2] = { s.raw[0], s.raw[1] };
			L4_MsgTag_t tag;

			t_load(STR_LABEL, 1, w, 2, items);
			tag = L4_Send(main_tid);
			t_shared[T_EC] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 0;
		} else if (rt_mr(1) == OP_RECV_STR) {
			L4_StringItem_t buf = L4_StringItem(STR_LEN, (void *)tbuf);
			L4_MsgTag_t tag;

			L4_Accept(L4_StringItemsAcceptor);
			L4_LoadBR(1, buf.raw[0]);
			L4_LoadBR(2, buf.raw[1]);
			tag = L4_Receive(rt_mr(2) ? (L4_ThreadId_t) { .raw = rt_mr(2) } : main_tid);
			t_shared[T_EC] = L4_IpcFailed(tag) ? 0x100 | t_ipc_ec() : 0;
			t_shared[T_FIRST] = tbuf[0];
			t_shared[T_LAST] = tbuf[STR_LEN / sizeof(L4_Word_t) - 1];
		} else if (rt_mr(1) == OP_READ_REGS) {
			/* A read (at MR2) that faults, with EAX and ESI (where
			 * a failed IPC's results go) set around it. */
			L4_Word_t a, si, v, at = rt_mr(2);
			__asm__ __volatile__("movl $0x11111111, %%eax\n\t"
					     "movl $0x22222222, %%esi\n\t"
					     "movl (%%ecx), %%edx"
					     : "=a"(a), "=S"(si), "=d"(v)
					     : "c"(at) : "memory");
			t_shared[T_READ] = v;
			t_shared[T_REGS] = a == 0x11111111 && si == 0x22222222;
		} else if (rt_mr(1) == OP_READ) {
			t_shared[T_READ] = fresh[0];
		} else if (rt_mr(1) == OP_RAISE) {
			L4_Set_ExceptionHandler((L4_ThreadId_t) { .raw = rt_mr(2) });
			__asm__ __volatile__("ud2");
		}
		t_shared[T_DONE]++;
	}
}

static L4_ThreadId_t t_tid, r_tid;

static const char *cast(void)
{
	L4_Word_t old;

	r_tid = rt_task_create(redirector, 0, rt_pager());
	t_tid = rt_task_create(target_task, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(r_tid) && !L4_IsNilThread(t_tid));
	t_until(&t_shared[R_ARMED], 1);
	t_until(&t_shared[T_ARMED], 1);
	CHECK(t_until_waiting(r_tid));
	CHECK(t_until_waiting(t_tid));
	CHECK_EQ(L4_SpaceControl(t_tid, 0, L4_Nilpage, L4_Nilpage, r_tid, &old), 1);
	return 0;
}

static const char *command(L4_Word_t op, L4_Word_t w)
{
	return t_command(t_tid, CMD_LABEL, op, w);
}

/*
 * T sends a string to main, from a page it never touched: redirected,
 * the copy goes to R and stops on T's fault, which goes to R too (T's
 * pager is outside both spaces).  R's receive is taken by that fault,
 * not by the stopped transfer: R forwards it, the pager maps the page,
 * and T's send then reaches R whole, as the same send does from a page
 * that is there.
 */
static const char *t_redirect_attack_string_source_fault(void)
{
	for (unsigned i = 0; i < STR_LEN / sizeof(L4_Word_t); i++)
		src[i] = 0x73720000 + i;
	RUN(cast());
	RUN(command(OP_SEND_STR, 0));
	t_until(&t_shared[T_DONE], 1);
	CHECK_EQ(t_shared[T_EC], 0);
	CHECK(t_until_waiting(r_tid));
	CHECK_EQ(t_shared[R_PF], 1);
	CHECK_EQ(t_shared[R_PF_FWD], 1);
	CHECK_EQ(t_shared[R_MSG], 1);
	CHECK_EQ(t_shared[R_TAG] & 0xffff0fff, (STR_LABEL << 16) | (2 << 6) | 1);
	CHECK(t_shared[R_TAG] & TAG_R);
	CHECK_EQ(t_shared[R_INT], L4_Myself().raw);
	CHECK_EQ(t_shared[R_WORD], 0x77);
	CHECK_EQ(t_shared[R_FIRST], 0x73720000);
	CHECK_EQ(t_shared[R_LAST], 0x73720000 + STR_LEN / sizeof(L4_Word_t) - 1);
	return t_selfcheck();
}

/*
 * The redirector holds T's page fault but is not its pager: its answer
 * in the pager's name (propagated, a mapping of a page of its own) is
 * not taken, since R is neither in the pager's space nor in the chain
 * of redirectors of that space.  Its forward then brings the pager's
 * answer, and T reads the page the pager maps.
 */
static const char *t_redirect_attack_redirector_no_pager(void)
{
	fresh[0] = 0x7265616c;
	forged[0] = 0x666f7267;
	t_shared[R_FORGE] = 1;
	RUN(cast());
	RUN(command(OP_READ, 0));
	t_until(&t_shared[T_DONE], 1);
	CHECK_EQ(t_shared[R_FORGE_EC], 0x100 | 2);  /* not taken: timeout, send phase */
	CHECK_EQ(t_shared[T_READ], 0x7265616c);
	return t_selfcheck();
}

/*
 * Nor does it answer an exception in the handler's name (new registers
 * for T): T, whose handler is a thread of ours, raises #UD; R keeps the
 * redirected exception message after its answer, which is refused, and
 * T stays stopped.
 */
static const char *t_redirect_attack_redirector_no_handler(void)
{
	L4_ThreadId_t e = rt_thread_create(t_receive_from_main, 0);

	CHECK(!L4_IsNilThread(e));
	t_shared[R_FORGE] = 1;
	RUN(cast());
	RUN(command(OP_RAISE, e.raw));
	t_until(&t_shared[R_EXC], 1);
	CHECK_EQ(t_shared[R_FORGE_EC], 0x100 | 2);
	CHECK_EQ(t_shared[T_DONE], 0);
	CHECK(t_until_waiting(t_tid));
	return t_selfcheck();
}

/*
 * A receiver's fault in a transfer, redirected (CONT_PF_RECV): main
 * sends T a string, whose buffer lies on a page T never touched.  The
 * copy stops; T's fault goes to R, whose forward brings the pager's
 * answer; the copy goes on, and both IPCs end well.
 */
static const char *t_redirect_attack_receive_buffer_fault(void)
{
	L4_Word_t w[3] = { 0x72, 0, 0 };

	for (unsigned i = 0; i < STR_LEN / sizeof(L4_Word_t); i++)
		src[i] = 0x62750000 + i;
	t_shared[R_WATCH] = (L4_Word_t)tbuf;
	RUN(cast());
	RUN(command(OP_RECV_STR, 0));
	CHECK(t_until_waiting(t_tid));
	L4_StringItem_t s = L4_StringItem(STR_LEN, (void *)src);
	w[1] = s.raw[0];
	w[2] = s.raw[1];
	t_load(STR_LABEL, 1, w, 2, &w[1]);
	L4_MsgTag_t tag = L4_Send(t_tid);
	CHECK(L4_IpcSucceeded(tag));
	t_until(&t_shared[T_DONE], 1);
	CHECK_EQ(t_shared[T_EC], 0);
	CHECK_EQ(t_shared[T_FIRST], 0x62750000);
	CHECK_EQ(t_shared[T_LAST], 0x62750000 + STR_LEN / sizeof(L4_Word_t) - 1);
	CHECK_EQ(t_shared[R_PF], 1);
	CHECK_EQ(t_shared[R_PF_FWD], 1);
	return t_selfcheck();
}

/*
 * The redirector itself sends T a string whose buffer faults: T's fault
 * goes to R, which is in that very send and cannot take it until the
 * send ends.  Nothing else can end it, so R's XferTimeouts do (as they do
 * for any receiver whose pager never answers, X.2); both IPCs end, each
 * with its side of the transfer timeout, and the kernel's records hold.
 * (A kernel that let the transfer complete would pass too.)
 */
static const char *t_redirect_attack_redirector_sends(void)
{
	L4_Word_t w[1] = { 0 };

	t_shared[R_WATCH] = (L4_Word_t)tbuf;
	RUN(cast());
	RUN(command(OP_RECV_STR, r_tid.raw));
	CHECK(t_until_waiting(t_tid));
	w[0] = t_tid.raw;
	t_load(RD_LABEL, 1, w, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(r_tid)));
	t_until(&t_shared[R_SENT], 1);
	t_until(&t_shared[T_DONE], 1);
	if (t_shared[R_SEND_EC] == 0) {
		CHECK_EQ(t_shared[T_EC], 0);
		CHECK_EQ(t_shared[T_FIRST], 0x52530000);
	} else {
		CHECK_EQ(t_shared[R_SEND_EC], 0x100 | (6 << 1));      /* the partner's space */
		CHECK_EQ(t_shared[T_EC], 0x100 | (5 << 1) | 1);     /* its own */
	}
	CHECK(t_until_waiting(r_tid));
	return t_selfcheck();
}

/* T, run once on a page it has (so that every page of code it runs is
 * there), and the UTCB take-back's partner c (t_kpre_utcb_int.h) with T
 * as the thread it waits for. */
static const char *t_warm_and_partner(L4_ThreadId_t *c, int *skip)
{
	t_tid = rt_task_create(target_task, L4_Myself().raw, rt_pager());
	CHECK(!L4_IsNilThread(t_tid));
	t_until(&t_shared[T_ARMED], 1);
	CHECK(t_until_waiting(t_tid));
	RUN(command(OP_READ_REGS, (L4_Word_t)&t_shared[KU_PARTNER]));
	t_until(&t_shared[T_DONE], 1);
	CHECK_EQ(t_shared[T_REGS], 1);
	t_shared[T_REGS] = 0;
	t_shared[KU_PARTNER] = t_tid.raw;
	return ku_begin(c, KU_WAIT, skip);
}

/*
 * The redirector's UTCB page is away (its kpager took it back) when T's
 * fault reaches it: the fault waits, linked to the redirector's receive,
 * while the kpager lends the page again, then is delivered.  The
 * redirector's next Ipc (here its report to main) must not end that
 * "transfer" as a failed IPC of T's: T made no IPC, and failing one
 * would write an IPC error into its EAX and ESI and drop its fault.  T
 * still waits for its pager, to which main, made T's redirector, then
 * forwards the fault in T's name; the pager's answer ends it, T's
 * registers held.
 */
static const char *t_redirect_attack_redirector_utcb_away(void)
{
	L4_ThreadId_t c;
	L4_Word_t old, copy, n = 0, prev;
	int skip;

	fresh[1] = 0x75746362;
	RUN(t_warm_and_partner(&c, &skip));
	CHECK_EQ(L4_SpaceControl(t_tid, 0, L4_Nilpage, L4_Nilpage, c, &prev), 1);
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(c)));
	t_until(&t_shared[KU_SPIN], 1);
	CHECK(t_waiting(c));
	if (!skip)
		RUN(ku_take_back(c, &old, &copy, &n));
	RUN(command(OP_READ_REGS, (L4_Word_t)&fresh[1]));
	RUN(ku_data(c, 2));
	CHECK_EQ(rt_mr(1), 0);                   /* c took T's fault */
	CHECK_EQ(L4_Schedule(t_tid, ~0UL, ~0UL, ~0UL, ~0UL, &prev), L4_SCHEDRESULT_WAITING);
	/* Main, now T's redirector, forwards T's fault to the pager in T's
	 * name; the pager's answer ends it. */
	CHECK_EQ(L4_SpaceControl(t_tid, 0, L4_Nilpage, L4_Nilpage, L4_Myself(), &prev), 1);
	L4_MsgTag_t tag = { .raw = 0 };
	tag.X.label = 0xffe4;                     /* a read fault */
	tag.X.u = 2;
	L4_Set_Propagation(&tag);
	L4_LoadMR(0, tag.raw);
	L4_LoadMR(1, (L4_Word_t)&fresh[1]);
	L4_LoadMR(2, 0);
	L4_Set_VirtualSender(t_tid);
	CHECK(L4_IpcSucceeded(L4_Send(rt_pager())));
	t_until(&t_shared[T_DONE], 2);
	CHECK_EQ(t_shared[T_READ], 0x75746362);
	CHECK_EQ(t_shared[T_REGS], 1);
	if (!skip)
		RUN(ku_came_back(c, n, old, copy));
	CHECK_EQ(L4_ThreadControl(t_tid, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return ku_end(c);
}

/*
 * The same wait ended the other way: the redirector's kpager goes before
 * lending the page (main makes a thread that takes nothing its task's
 * kpager, then deletes it).  The redirector's receive fails for want of
 * memory; T's fault, which was no IPC of T's, is dropped and recurs (its
 * space no longer redirected by then, it goes to its pager), and T's
 * registers hold.
 */
static const char *t_redirect_attack_redirector_kpager_gone(void)
{
	L4_ThreadId_t c, z;
	L4_Word_t old, copy, n = 0, prev;
	int skip;

	fresh[2] = 0x6b70676f;
	RUN(t_warm_and_partner(&c, &skip));
	if (skip) {             /* nothing is lent: no page to take back */
		CHECK_EQ(L4_ThreadControl(t_tid, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)-1), 1);
		return ku_end(c);
	}
	CHECK_EQ(L4_SpaceControl(t_tid, 0, L4_Nilpage, L4_Nilpage, c, &prev), 1);
	L4_LoadMR(0, 0);
	CHECK(L4_IpcSucceeded(L4_Reply(c)));
	t_until(&t_shared[KU_SPIN], 1);
	CHECK(t_waiting(c));
	RUN(ku_take_back(c, &old, &copy, &n));
	z = rt_thread_create(t_receive_from_main, 0);
	CHECK(!L4_IsNilThread(z));
	CHECK(t_until_waiting(z));
	CHECK_EQ(lent_kmem_control(c.raw, LENT_KMEM_SET_KPAGER, z.raw), 1);
	RUN(command(OP_READ_REGS, (L4_Word_t)&fresh[2]));
	/* T's fault waits for c's page, c's kernel page fault for z. */
	CHECK(t_until_state(t_tid, L4_SCHEDRESULT_SENDING));
	CHECK_EQ(L4_SpaceControl(t_tid, 0, L4_Nilpage, L4_Nilpage, L4_anythread, &prev), 1);
	CHECK_EQ(L4_ThreadControl(z, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	t_until(&t_shared[T_DONE], 2);
	CHECK_EQ(t_shared[T_READ], 0x6b70676f);
	CHECK_EQ(t_shared[T_REGS], 1);
	CHECK_EQ(L4_ThreadControl(t_tid, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	CHECK_EQ(L4_ThreadControl(c, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
	return t_selfcheck();
}

const struct test redirect_attack_tests[] = {
	TEST(redirect_attack_string_source_fault),
	TEST(redirect_attack_redirector_no_pager),
	TEST(redirect_attack_redirector_no_handler),
	TEST(redirect_attack_receive_buffer_fault),
	TEST(redirect_attack_redirector_sends),
	TEST(redirect_attack_redirector_utcb_away),
	TEST(redirect_attack_redirector_kpager_gone),
	{ 0 },
};
