/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Impersonation attacks on sigma0 (docs/security.md).  An unprivileged
 * task tries to make sigma0 count it as the root task, or as another
 * task, by writing its own Pager TCR or setting its pager with
 * ExchangeRegisters, and then asks sigma0 for a page that is not its own:
 * by the sigma0 protocol (a fixed fpage or any page), by a message shaped
 * like a page fault, or by a real page fault.  Each attack must fail: no
 * mapping of the other task's page, and the page keeps its value.
 *
 * The attacker is a task of its own whose pager (given by ThreadControl)
 * is main; it runs the root image's code like every rt task, and reports
 * to main with one message.
 */
#include "tests.h"
#include "t_sync.h"

#define S0A_REPORT	0x5a0a		/* label of the attacker's report */
#define S0A_ROOT_WORD	0x0a11ce5eUL	/* what the victim page holds */
#define S0A_EVIL_WORD	0x0badf00dUL	/* what an attacker writes */
/* Where the attacker wants sigma0's pages (free in every rt task). */
#define S0A_WINDOW	0x40000000UL
#define S0A_RECV_US	500000UL	/* sigma0 answers at once, or never */

/* How the attacker sets its pager. */
enum s0a_how {
	S0A_UTCB,		/* writes its Pager TCR (L4_Set_Pager) */
	S0A_EXREGS_SELF,	/* ExchangeRegisters on itself, pager flag */
	S0A_SET_BY_SIBLING,	/* a thread of its own task did it with ExchangeRegisters */
};

/* What it asks sigma0 for. */
enum s0a_ask {
	S0A_FIXED,		/* sigma0 protocol: the target's fpage */
	S0A_ANY,		/* sigma0 protocol: any free page */
	S0A_FAULT_MSG,		/* a page-fault message naming the target */
	S0A_FAULT,		/* a real page fault on the target's address */
};

/* The attack, set by main before the attacker starts; the attacker runs
 * the root image, so it reads these words from main's own page. */
static struct {
	L4_Word_t how, ask, target;
	L4_ThreadId_t claim;		/* the pager it pretends to have */
	L4_ThreadId_t sibling;		/* S0A_SET_BY_SIBLING: the first thread */
} s0a;

/* One request in either protocol to `to` (sigma0); *fp gets the fpage of
 * the answer's map item (nil if none).  Returns the answer's tag. */
static L4_MsgTag_t s0a_request(L4_ThreadId_t to, L4_Word_t label, L4_Word_t w1, L4_Word_t w2,
			       L4_Fpage_t *fp)
{
	L4_Word_t w[2] = { w1, w2 };
	L4_MsgTag_t tag;

	rt_msg(label & 0xffff, 2, w);
	L4_Accept(L4_MapGrantItems(L4_FpageLog2(S0A_WINDOW, 12)));
	tag = L4_Call_Timeouts(to, rt_us(S0A_RECV_US), rt_us(S0A_RECV_US));
	L4_Accept(L4_UntypedWordsAcceptor);
	fp->raw = L4_IpcSucceeded(tag) && L4_TypedWords(tag) >= 2 ? rt_mr(2) : L4_Nilpage.raw;
	return tag;
}

static void s0a_set_pager(L4_Word_t how, L4_ThreadId_t p)
{
	L4_Word_t dummy;
	L4_ThreadId_t old;

	if (how == S0A_UTCB)
		L4_Set_Pager(p);
	else if (how == S0A_EXREGS_SELF)
		(void)L4_ExchangeRegisters(L4_Myself(), __L4_EXREGS_SET_PAGER, 0, 0, 0, 0, p,
					   &dummy, &dummy, &dummy, &dummy, &dummy, &old);
}

/*
 * The attacker.  Everything it needs after changing its pager (code,
 * stack) is touched first, by the same request sent to a thread that does
 * not exist: its faults must still reach main, so that the attack alone
 * decides what happens.  Report: tag of sigma0's answer (0 for a real
 * fault), the fpage mapped, whether it wrote into that page.
 */
static void s0a_attacker(L4_Word_t arg)
{
	L4_Word_t how = s0a.how, ask = s0a.ask, target = s0a.target, res[3] = { 0, 0, 0 };
	L4_ThreadId_t claim = s0a.claim, mine = L4_Pager(), s0 = rt_sigma0();
	L4_ThreadId_t boss = rt_main_thread();
	L4_Word_t label = ask == S0A_FAULT_MSG ? ((L4_Word_t)-2 << 4) | 6 : (L4_Word_t)-6 << 4;
	L4_Word_t want = ask == S0A_ANY ? L4_FpageLog2(~0UL, 12).raw :
		ask == S0A_FAULT_MSG ? target : L4_FpageLog2(target, 12).raw;
	L4_Word_t w2 = ask == S0A_FAULT_MSG ? (L4_Word_t)s0a_attacker : 0;
	L4_Fpage_t fp;
	L4_MsgTag_t tag;

	(void)arg;
	/* While its pager is someone else, a fault on a page not yet
	 * touched would get no answer: none may come. */
	t_touch_image();
	tag = s0a_request(L4_GlobalId(0x3fff0, 1), label, want, w2, &fp);
	if (how == S0A_SET_BY_SIBLING) {
		/* The sibling sets our pager while we wait for its answer. */
		rt_msg(0, 0, 0);
		(void)L4_Call(s0a.sibling);
	} else {
		s0a_set_pager(how, claim);
	}
	if (ask == S0A_FAULT) {
		/* Main sees us blocked here if the fault is refused. */
		*(volatile L4_Word_t *)target = S0A_EVIL_WORD;
		fp = L4_FpageLog2(target, 12);
		tag.raw = 0;
	} else {
		tag = s0a_request(s0, label, want, w2, &fp);
		if (!L4_IsNilFpage(fp))
			*(volatile L4_Word_t *)S0A_WINDOW = S0A_EVIL_WORD;
	}
	if (how == S0A_SET_BY_SIBLING)
		L4_Set_Pager(mine);
	else
		s0a_set_pager(how, mine);
	res[0] = tag.raw;
	res[1] = fp.raw;
	res[2] = !L4_IsNilFpage(fp);
	t_flaky_delay(2);                       /* a slow attacker */
	rt_msg(S0A_REPORT, 3, res);
	(void)L4_Send(boss);            /* main serves us until it comes */
	L4_Sleep(L4_Never);
}

/* The sibling of S0A_SET_BY_SIBLING: when the attacker asks, it sets
 * the attacker's pager with ExchangeRegisters (same space) and answers. */
static void s0a_sibling(L4_Word_t arg)
{
	L4_ThreadId_t victim = { .raw = arg }, old;
	L4_Word_t dummy;

	L4_Accept(L4_UntypedWordsAcceptor);
	(void)L4_Receive(victim);
	(void)L4_ExchangeRegisters(victim, __L4_EXREGS_SET_PAGER, 0, 0, 0, 0, s0a.claim,
				   &dummy, &dummy, &dummy, &dummy, &dummy, &old);
	rt_msg(0, 0, 0);
	(void)L4_Send(victim);
	L4_Sleep(L4_Never);
}

/* Is t blocked in a receive (its refused page fault)?  We are its pager
 * by ThreadControl, so we may look. */
static int s0a_blocked(L4_ThreadId_t t)
{
	L4_Word_t ctl = 0, dummy;
	L4_ThreadId_t r, p;

	r = L4_ExchangeRegisters(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, &ctl,
				 &dummy, &dummy, &dummy, &dummy, &p);
	return !L4_IsNilThread(r) && (ctl & __L4_EXREGS_ABORT_RECV);
}

/*
 * Run one attack by a new task; serve its image faults meanwhile.
 * Returns 1 with res filled if it reported, 0 if it stayed blocked in a
 * refused page fault (one of the two comes, however long the host takes:
 * no clock bound), -1 if the task could not be made.
 */
static int s0a_run(L4_Word_t how, L4_Word_t ask, L4_Word_t target, L4_ThreadId_t claim,
		   L4_Word_t *res)
{
	L4_Word_t ip, sp;
	L4_ThreadId_t a, sib = L4_nilthread, from;
	L4_MsgTag_t tag;
	int i;

	s0a.how = how;
	s0a.ask = ask;
	s0a.target = target;
	s0a.claim = claim;
	if (how != S0A_SET_BY_SIBLING) {
		a = rt_task_create(s0a_attacker, 0, L4_Myself());
		if (L4_IsNilThread(a))
			return -1;
	} else {
		L4_Word_t sip, ssp;

		a = rt_task_prepare(s0a_attacker, 0, L4_Myself(), &ip, &sp);
		if (L4_IsNilThread(a))
			return -1;
		sib = rt_task_thread_prepare(a, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, s0a_sibling,
					     a.raw, L4_Myself(), &sip, &ssp);
		s0a.sibling = sib;
		if (L4_IsNilThread(sib) || !rt_start_message(sib, sip, ssp) ||
		    !rt_start_message(a, ip, sp))
			return -1;
	}
	for (;;) {
		tag = rt_serve(L4_nilthread, 50000, &from);
		if (L4_IpcSucceeded(tag) && L4_Label(tag) == S0A_REPORT && from.raw == a.raw) {
			for (i = 0; i < 3; i++)
				res[i] = rt_mr(i + 1);
			return 1;
		}
		if (ask == S0A_FAULT && s0a_blocked(a))
			return 0;
	}
}

/*
 * An attack on a fresh page of the root task: the attacker must get no
 * mapping of it (a refused real fault leaves it blocked), and the page
 * keeps its value.  With "any page" it may get a page, but one of its
 * own, which the root task in turn cannot get.
 */
static const char *s0a_on_root_page(L4_Word_t how, L4_Word_t ask, L4_ThreadId_t claim)
{
	L4_Word_t v = t_page(), res[3] = { 0, 0, 0 };
	L4_Fpage_t got;
	int r;

	CHECK(v != 0);
	*(volatile L4_Word_t *)v = S0A_ROOT_WORD;
	r = s0a_run(how, ask, ask == S0A_ANY ? 0 : v, claim, res);
	CHECK(r >= 0);
	CHECK_EQ(*(volatile L4_Word_t *)v, S0A_ROOT_WORD);
	got.raw = res[1];
	if (r == 1 && ask == S0A_ANY && res[2]) {
		CHECK(L4_Address(got) != v);
		got = L4_Sigma0_GetPage_RcvWindow(rt_sigma0(), L4_FpageLog2(L4_Address(got), 12),
						  L4_FpageLog2(L4_Address(got), 12));
		CHECK(L4_IsNilFpage(got));
	} else if (r == 1) {
		CHECK_EQ(res[2], 0);
	}
	return 0;
}

/* The Pager TCR set to sigma0 by writing the UTCB: the attack as found. */
static const char *t_s0a_tcr_sigma0_fixed(void)
{
	return s0a_on_root_page(S0A_UTCB, S0A_FIXED, rt_sigma0());
}

static const char *t_s0a_tcr_sigma0_any(void)
{
	return s0a_on_root_page(S0A_UTCB, S0A_ANY, rt_sigma0());
}

static const char *t_s0a_tcr_sigma0_fault_msg(void)
{
	return s0a_on_root_page(S0A_UTCB, S0A_FAULT_MSG, rt_sigma0());
}

static const char *t_s0a_tcr_sigma0_fault(void)
{
	return s0a_on_root_page(S0A_UTCB, S0A_FAULT, rt_sigma0());
}

/* The Pager TCR set to the root task's main thread. */
static const char *t_s0a_tcr_root_fixed(void)
{
	return s0a_on_root_page(S0A_UTCB, S0A_FIXED, L4_Myself());
}

static const char *t_s0a_tcr_root_fault_msg(void)
{
	return s0a_on_root_page(S0A_UTCB, S0A_FAULT_MSG, L4_Myself());
}

/* ExchangeRegisters on itself with the pager flag. */
static const char *t_s0a_exregs_self_fixed(void)
{
	return s0a_on_root_page(S0A_EXREGS_SELF, S0A_FIXED, rt_sigma0());
}

static const char *t_s0a_exregs_self_any(void)
{
	return s0a_on_root_page(S0A_EXREGS_SELF, S0A_ANY, rt_sigma0());
}

static const char *t_s0a_exregs_self_fault(void)
{
	return s0a_on_root_page(S0A_EXREGS_SELF, S0A_FAULT, rt_sigma0());
}

/* ExchangeRegisters by a thread of the attacker's own task. */
static const char *t_s0a_exregs_sibling_fixed(void)
{
	return s0a_on_root_page(S0A_SET_BY_SIBLING, S0A_FIXED, rt_sigma0());
}

/*
 * The page of another unprivileged task B: neither pretending to be B
 * (its Pager TCR naming B) nor to be the root task gets it, by request
 * or by fault; B still reads its own word there.
 */
static const char *t_s0a_other_task_page(void)
{
	L4_ThreadId_t b = rt_agent_create(rt_pager());
	L4_Word_t w[2], res[3], pb, word = 0x0b0b0b0bUL;
	L4_Word_t claims[2], asks[2] = { S0A_FIXED, S0A_FAULT_MSG };
	int i, k, r;

	CHECK(!L4_IsNilThread(b));
	w[0] = L4_FpageLog2(~0UL, 12).raw;
	w[1] = L4_FpageLog2(S0A_WINDOW, 12).raw;
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_SIGMA0, 2, w)));
	CHECK(!L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(1) }));
	pb = L4_Address((L4_Fpage_t) { .raw = rt_mr(1) });
	w[0] = S0A_WINDOW;
	w[1] = word;
	CHECK(t_ag_ok(rt_agent_cmd(b, RT_AG_WRITE, 2, w)));
	claims[0] = b.raw;
	claims[1] = rt_sigma0().raw;
	for (i = 0; i < 2; i++)
		for (k = 0; k < 2; k++) {
			r = s0a_run(S0A_UTCB, asks[k], pb, (L4_ThreadId_t) { .raw = claims[i] }, res);
			CHECK(r == 1);
			CHECK_EQ(res[2], 0);
			RUN(t_ag_reads(b, S0A_WINDOW, word));
		}
	return 0;
}

/* Propagation: the attacker sends a request with the root task's main
 * thread as virtual sender while main waits for it.  The kernel lets it
 * only because main made the attacker its space's redirector (X.2: a
 * redirector may propagate for the threads of the space it serves; the
 * attacker's mere closed wait no longer does, t_redirect.c).  sigma0's
 * answer goes to main, and it is a refusal: an unprivileged actual sender
 * never counts as the root task. */
static void s0a_propagator(L4_Word_t target)
{
	L4_Word_t w[2] = { L4_FpageLog2(target, 12).raw, 0 };
	L4_MsgTag_t tag;

	rt_msg(((L4_Word_t)-6 << 4) & 0xffff, 2, w);
	tag.raw = rt_mr(0);
	L4_Set_Propagation(&tag);
	L4_LoadMR(0, tag.raw);
	L4_Set_VirtualSender(rt_main_thread());
	(void)L4_Send(rt_sigma0());
	L4_Sleep(L4_Never);
}

static const char *s0a_propagate_redirected(L4_ThreadId_t a, L4_Word_t v, L4_Word_t ip,
					    L4_Word_t sp)
{
	L4_Time_t wait = L4_Never;             /* no clock bound: t_sync.h */
	L4_ThreadId_t from = L4_nilthread;
	L4_Word_t old;
	L4_MsgTag_t tag;

	CHECK_EQ(L4_SpaceControl(L4_Myself(), 0, L4_Nilpage, L4_Nilpage, a, &old), 1);
	CHECK(rt_start_message(a, ip, sp));
	/* Wait for the attacker alone, serving its image faults. */
	L4_Accept(L4_MapGrantItems(L4_FpageLog2(S0A_WINDOW, 12)));
	tag = L4_Ipc(L4_nilthread, a, L4_Timeouts(L4_Never, wait), &from);
	while (L4_IpcSucceeded(tag) && rt_is_pagefault(tag) && from.raw == a.raw &&
	       rt_image_contains(rt_mr(1))) {
		rt_load_page_reply(rt_mr(1), L4_Label(tag) & 7);
		tag = L4_Ipc(a, a, L4_Timeouts(L4_ZeroTime, wait), &from);
	}
	L4_Accept(L4_UntypedWordsAcceptor);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, rt_sigma0().raw);
	CHECK_EQ(L4_TypedWords(tag), 2);
	CHECK(L4_IsNilFpage((L4_Fpage_t) { .raw = rt_mr(2) }));
	CHECK_EQ(*(volatile L4_Word_t *)v, S0A_ROOT_WORD);
	return 0;
}

static const char *t_s0a_propagate_as_root(void)
{
	L4_Word_t v = t_page(), ip, sp, old;
	L4_ThreadId_t a;
	const char *r;

	CHECK(v != 0);
	*(volatile L4_Word_t *)v = S0A_ROOT_WORD;
	a = rt_task_prepare(s0a_propagator, v, L4_Myself(), &ip, &sp);
	CHECK(!L4_IsNilThread(a));
	r = s0a_propagate_redirected(a, v, ip, sp);
	/* The root's space goes back to no redirector, whatever happened. */
	CHECK_EQ(L4_SpaceControl(L4_Myself(), 0, L4_Nilpage, L4_Nilpage, L4_anythread, &old), 1);
	return r;
}

const struct test s0attack_tests[] = {
	TEST(s0a_tcr_sigma0_fixed),
	TEST(s0a_tcr_sigma0_any),
	TEST(s0a_tcr_sigma0_fault_msg),
	TEST(s0a_tcr_sigma0_fault),
	TEST(s0a_tcr_root_fixed),
	TEST(s0a_tcr_root_fault_msg),
	TEST(s0a_exregs_self_fixed),
	TEST(s0a_exregs_self_any),
	TEST(s0a_exregs_self_fault),
	TEST(s0a_exregs_sibling_fixed),
	TEST(s0a_other_task_page),
	TEST(s0a_propagate_as_root),
	{ 0 },
};
