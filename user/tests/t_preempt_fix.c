/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Regression tests for the review fixes to the preemption points
 * (docs/architecture.md "Preemption points"): each one drives the kernel
 * into a state that only exists while an operation is stopped half done,
 * and checks what must hold from there on.  With the boot option
 * preempt=always (build/lent-tests-preempt.iso) every long operation
 * stops every few thousand instructions, so these states are reached
 * every run; elsewhere a thread that looks at every timer tick finds them.
 */
#include "t_preempt.h"
#include "t_sync.h"

#define FX_BIG_LOG2	4			/* 64 KB: its copy stops under preempt=always */
#define FX_LABEL	0x7101
#define FX_LABEL_MAP	0x7102
#define FX_LABEL_GO	0x7103
#define FX_LABEL_OTHER	0x7104

/* Large buffers (the string load's), taken once from sigma0 and used by
 * several tests; all of 2^FX_BIG_LOG2 pages, none smaller. */
static struct pt_str fx;

static L4_Word_t fx_string0(L4_Word_t len, int substrings)
{
	L4_StringItem_t s = L4_StringItem((int)len, 0);

	s.X.j = substrings - 1;
	return s.raw[0];
}

/* ---- 1: strings done before a stop keep what the receiver was told ---- */

/*
 * A small string, then a 64 KB one whose copy stops at preemption points.
 * When the transfer goes on, the MRs of the small string must still say
 * what the kernel wrote for it -- the length received and the receiver's
 * buffer address (docs/abi.md, "Deviations from X.2", implementation choice 10) -- not the sender's words.
 */
static unsigned char fx_small_src[100], fx_small_rcv[256];

static const char *t_preempt_fix_resumed_string_words(void)
{
	L4_Word_t big, items[4], ec, i;
	L4_ThreadId_t s, from = L4_nilthread;
	volatile unsigned char *src, *rcv;
	L4_MsgTag_t tag = L4_Niltag, stag;

	CHECK(pt_str_buffers(&fx, FX_BIG_LOG2, FX_BIG_LOG2));
	big = fx.len;
	src = (volatile unsigned char *)fx.src[0];
	rcv = (volatile unsigned char *)fx.rcv;
	for (i = 0; i < sizeof(fx_small_src); i++)
		fx_small_src[i] = (unsigned char)(i * 5 + 1);
	for (i = 0; i < big; i++) {
		src[i] = (unsigned char)(i * 11 + (i >> 12));
		rcv[i] = 0;
	}
	items[0] = fx_string0(sizeof(fx_small_src), 1);
	items[1] = (L4_Word_t)fx_small_src;
	items[2] = fx_string0(big, 1);
	items[3] = fx.src[0];
	tag.X.label = FX_LABEL;
	tag.X.t = 4;
	s = t_send_async(L4_Myself(), tag, items, 0);
	CHECK(!L4_IsNilThread(s));
	L4_LoadBR(0, L4_StringItemsAcceptor.raw);
	/* C (bit 0): the second buffer follows (X.2). */
	L4_LoadBR(1, fx_string0(sizeof(fx_small_rcv), 1) | 1);
	L4_LoadBR(2, (L4_Word_t)fx_small_rcv);
	L4_LoadBR(3, fx_string0(big, 1));
	L4_LoadBR(4, fx.rcv);
	tag = L4_Wait_Timeout(rt_us(PT_LIMIT_US), &from);
	CHECK(L4_IpcSucceeded(tag));
	CHECK_EQ(from.raw, L4_LocalIdOf(s).raw);   /* X.2: local within a space */
	CHECK_EQ(L4_Label(tag), FX_LABEL);
	CHECK_EQ(L4_TypedWords(tag), 4);
	/* The first string: its length, and where it went (not the source). */
	CHECK_EQ(rt_mr(1) >> 10, sizeof(fx_small_src));
	CHECK_EQ(rt_mr(2), (L4_Word_t)fx_small_rcv);
	CHECK_EQ(rt_mr(3) >> 10, big);
	CHECK_EQ(rt_mr(4), fx.rcv);
	for (i = 0; i < sizeof(fx_small_src); i++)
		CHECK_EQ(fx_small_rcv[i], fx_small_src[i]);
	for (i = 0; i < big; i += 251)
		CHECK_EQ(rcv[i], src[i]);
	CHECK_EQ(rcv[big - 1], src[big - 1]);
	t_send_async_wait(&stag, &ec);
	CHECK(L4_IpcSucceeded(stag));
	return 0;
}

/* ---- 3: a stopped reply to a fault keeps the faulted transfer's link ---- */

/*
 * An agent A (main is its pager) sends R a string from a page of the
 * image it never touched, so the copy faults and main gets A's page
 * fault.  main answers with the whole 4 MB fpage around the page: a
 * mapping of hundreds of pages, which stops at preemption points.  While
 * it is stopped, a thread T keeps trying to send R a message with no
 * timeout: R is in the middle of A's transfer and must take nothing else,
 * and in the end it gets A's message, complete.
 */
#define PF_LEN		3000
#define PF_REGION_LOG2	22
enum { PF_FAULTED, PF_R_DONE, PF_R_FROM, PF_R_TAG, PF_R_EC, PF_R_MR1, PF_R_MR2,
	PF_T_SENT, PF_T_TRIES };

static unsigned char pf_src[RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));
static unsigned char pf_rcv[RT_PAGE_SIZE];

static void pf_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from = L4_nilthread;
	L4_MsgTag_t tag;

	(void)arg;
	L4_LoadBR(0, L4_StringItemsAcceptor.raw);
	L4_LoadBR(1, fx_string0(sizeof(pf_rcv), 1));
	L4_LoadBR(2, (L4_Word_t)pf_rcv);
	tag = L4_Wait_Timeout(rt_us(PT_LIMIT_US), &from);
	t_shared[PF_R_FROM] = from.raw;
	t_shared[PF_R_TAG] = tag.raw;
	t_shared[PF_R_EC] = L4_IpcFailed(tag) ? L4_ErrorCode() & 0xf : 0;
	t_shared[PF_R_MR1] = rt_mr(1);
	t_shared[PF_R_MR2] = rt_mr(2);
	t_shared[PF_R_DONE] = 1;
}

/* T: from the fault on, offer R a message it may only take when free. */
static void pf_intruder(L4_Word_t r_raw)
{
	L4_ThreadId_t r = { .raw = r_raw };

	while (!t_shared[PF_FAULTED])
		L4_ThreadSwitch(L4_nilthread);
	while (!t_shared[PF_R_DONE]) {
		t_load(FX_LABEL_OTHER, 0, 0, 0, 0);
		t_shared[PF_T_TRIES]++;
		if (L4_IpcSucceeded(L4_Send_Timeout(r, L4_ZeroTime))) {
			t_shared[PF_T_SENT]++;
			break;
		}
		L4_ThreadSwitch(L4_nilthread);
	}
}

static const char *t_preempt_fix_fault_reply_keeps_transfer(void)
{
	L4_Word_t a[4], i, region = (L4_Word_t)pf_src & ~((1UL << PF_REGION_LOG2) - 1);
	L4_ThreadId_t ag, r, t, from = L4_nilthread;
	L4_Fpage_t fp = L4_FpageLog2(region, PF_REGION_LOG2);
	L4_MapItem_t m;
	L4_MsgTag_t tag;

	for (i = 0; i < sizeof(pf_src); i++)
		pf_src[i] = (unsigned char)(i * 13 + 7);
	for (i = 0; i < sizeof(pf_rcv); i++)
		pf_rcv[i] = 0x5a;
	ag = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(ag));
	r = rt_thread_create(pf_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	t = rt_thread_create(pf_intruder, r.raw);
	CHECK(!L4_IsNilThread(t));
	rt_watch((L4_Word_t)pf_src, (L4_Word_t)pf_src + sizeof(pf_src));
	a[0] = r.raw;
	a[1] = t_tag(FX_LABEL, 0, 2).raw;
	a[2] = fx_string0(PF_LEN, 1);
	a[3] = (L4_Word_t)pf_src;
	CHECK(rt_agent_post(ag, RT_AG_SEND, 4, a));
	/* The agent's own faults are answered; the one in pf_src comes back. */
	tag = rt_agent_result(ag, &from);
	rt_watch(0, 0);
	CHECK(rt_is_pagefault(tag));
	CHECK_EQ(from.raw, ag.raw);
	CHECK(rt_mr(1) >= (L4_Word_t)pf_src && rt_mr(1) < (L4_Word_t)pf_src + sizeof(pf_src));
	t_shared[PF_FAULTED] = 1;
	/* Everything main has in the 4 MB around it, at the same place. */
	L4_Set_Rights(&fp, L4_FullyAccessible);
	m = L4_MapItem(fp, region);
	t_load(0, 0, 0, 2, m.raw);
	CHECK(L4_IpcSucceeded(L4_Send(ag)));
	CHECK(t_wait_for(&t_shared[PF_R_DONE], 1, PT_LIMIT_US));
	printf("#   the intruder tried %lu times, R took %lu of its messages\n",
	       t_shared[PF_T_TRIES], t_shared[PF_T_SENT]);
	CHECK_EQ(t_shared[PF_R_EC], 0);
	CHECK_EQ(t_shared[PF_R_FROM], ag.raw);
	CHECK_EQ(t_shared[PF_T_SENT], 0);
	tag.raw = t_shared[PF_R_TAG];
	CHECK_EQ(L4_Label(tag), FX_LABEL);
	CHECK_EQ(L4_TypedWords(tag), 2);
	CHECK_EQ(t_shared[PF_R_MR1] >> 10, PF_LEN);
	CHECK_EQ(t_shared[PF_R_MR2], (L4_Word_t)pf_rcv);
	for (i = 0; i < PF_LEN; i++)
		CHECK_EQ(pf_rcv[i], pf_src[i]);
	CHECK_EQ(pf_rcv[PF_LEN], 0x5a);
	/* And the agent's send succeeded. */
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK(L4_IpcSucceeded((L4_MsgTag_t) { .raw = rt_mr(1) }));
	return 0;
}

/* ---- 4: halting a stopped sender starts the receiver's XferTimeout ---- */

/*
 * The string load of t_preempt.h with the 64 KB buffers, so that a first
 * buffer word unlike the last shows a copy halfway.  The sender sends such messages
 * until it fails; the receiver, with a 50 ms XferTimeout, receives until
 * it fails.  main stops the sender as soon as it sees a copy halfway: the
 * receiver must then get a transfer timeout, not wait for good.
 */
#define HT_WORD		0x6b6b0000UL
#define HT_XFER_US	50000
enum { HT_RECEIVED, HT_R_DONE, HT_R_EC, HT_S_DONE, HT_S_EC };

static void ht_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	L4_Set_XferTimeouts(L4_Timeouts(rt_us(HT_XFER_US), rt_us(HT_XFER_US)));
	for (;;) {
		pt_str_load_buffers(&fx);
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag)) {
			t_shared[HT_R_EC] = L4_ErrorCode() & 0xf;
			break;
		}
		t_shared[HT_RECEIVED]++;
	}
	t_shared[HT_R_DONE] = 1;
}

static void ht_sender(L4_Word_t to_raw)
{
	L4_ThreadId_t to = { .raw = to_raw };
	L4_MsgTag_t tag;

	for (;;) {
		pt_str_load_message(&fx, FX_LABEL);
		tag = L4_Send_Timeout(to, rt_us(PT_LIMIT_US));
		if (L4_IpcFailed(tag)) {
			t_shared[HT_S_EC] = L4_ErrorCode() & 0xf;
			break;
		}
	}
	t_shared[HT_S_DONE] = 1;
}

static const char *t_preempt_fix_halted_sender_xfer_timeout(void)
{
	L4_Word_t looks = 0;
	L4_ThreadId_t r, s;
	int halfway = 0;

	CHECK(pt_str_buffers(&fx, FX_BIG_LOG2, FX_BIG_LOG2));
	pt_str_fill(&fx, HT_WORD);
	r = rt_thread_create(ht_receiver, 0);
	CHECK(!L4_IsNilThread(r));
	s = pt_low_thread(ht_sender, r.raw);
	CHECK(!L4_IsNilThread(s));
	if (pt_str_catch_halfway(&fx, &t_shared[HT_S_DONE], &looks)) {
		/* The copy is halfway, so the sender is stopped in it. */
		(void)L4_Stop(s);
		halfway = 1;
	}
	printf("#   %lu messages received; %s after %lu looks\n", t_shared[HT_RECEIVED],
	       halfway ? "stopped the sender halfway" : "never saw a copy halfway", looks);
	CHECK(halfway);
	t_until(&t_shared[HT_R_DONE], 1);    /* its xfer timeout ends it */
	CHECK(t_shared[HT_R_EC] == EC_RECV(L4_ErrXferTimeoutOwn) ||
	      t_shared[HT_R_EC] == EC_RECV(L4_ErrXferTimeoutPartner));
	return 0;
}

/* ---- 5: ExchangeRegisters with a new SP keeps a stopped Unmap's progress ---- */

/*
 * As preempt_unmap_observed in t_preempt.c, the Unmap load of
 * t_preempt.h (no flush: its own mappings stay; their access bits are read
 * and cleared).  It has read every page first, so the first fpage's
 * result holds "referenced" and the others' none.  A thread of the task
 * above it sees the Unmap halfway and sets its SP (to the same value):
 * the Unmap must go on from where it was, not start again from the
 * results, which would take the first fpage's result for its input and
 * report its access bits as gone.
 */
enum { XS_LOADED = 8, XS_DONE, XS_MR0, XS_BAD, XS_SEEN, XS_SET, XS_LOOKS, XS_UNMAPPER };

static void xs_unmapper(L4_Word_t arg)
{
	L4_Word_t bad = 0;
	int i;

	(void)arg;
	pt_take_maps_until(FX_LABEL_GO);
	for (i = 0; i < PT_UM_REGIONS; i++)
		(void)*(volatile L4_Word_t *)(PT_UM_BASE + ((L4_Word_t)i << 22));
	t_shared[XS_UNMAPPER] = L4_Myself().raw;
	for (i = 0; i < PT_UM_FPAGES; i++)
		L4_LoadMR(i, pt_um_input());
	t_shared[XS_LOADED] = 1;
	L4_Unmap(PT_UM_FPAGES - 1);
	t_shared[XS_MR0] = rt_mr(0);
	for (i = 1; i < PT_UM_FPAGES; i++)
		if (rt_mr(i) != (pt_um_input() & ~(L4_Word_t)L4_FullyAccessible))
			bad = rt_mr(i) | 1;	/* never 0 */
	t_shared[XS_BAD] = bad;
	t_shared[XS_DONE] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

/* The unmapper's MRs: its UTCB is the first of the task's UTCB area. */
static void xs_observer(L4_Word_t arg)
{
	volatile L4_Word_t *mr = (volatile L4_Word_t *)(RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET);
	L4_ThreadId_t u;
	L4_Word_t looks = 0, sp = 0;

	(void)arg;
	while (!t_shared[XS_DONE]) {
		rt_sleep_us(PT_LOOK_US);
		if (!t_shared[XS_LOADED])
			continue;
		looks++;
		if (!pt_um_halfway(mr))
			continue;
		/* Halfway: a new SP, the one it has. */
		u.raw = t_shared[XS_UNMAPPER];
		(void)__L4_Exregs(u, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread,
				  0, &sp, 0, 0, 0, 0);
		(void)__L4_Exregs(u, __L4_EXREGS_SET_SP, sp, 0, 0, 0, L4_nilthread,
				  0, 0, 0, 0, 0, 0);
		t_shared[XS_SET] = 1;
		break;
	}
	t_shared[XS_LOOKS] = looks;
	t_shared[XS_SEEN] = 1;
}

static const char *t_preempt_fix_exreg_sp_keeps_unmap(void)
{
	L4_Word_t page = t_page();

	CHECK(page);
	*(volatile L4_Word_t *)page = 0x5eed;
	RUN(pt_um_start(xs_unmapper, xs_observer, page, FX_LABEL_MAP, FX_LABEL_GO, 0));
	CHECK(t_wait_for(&t_shared[XS_DONE], 1, PT_LIMIT_US));
	t_until(&t_shared[XS_SEEN], 1);
	printf("#   %s after %lu looks\n",
	       t_shared[XS_SET] ? "set the SP halfway" : "never saw the Unmap halfway",
	       t_shared[XS_LOOKS]);
	CHECK(t_shared[XS_SET]);
	/* The first fpage found the pages referenced; the others, cleared. */
	CHECK_EQ(t_shared[XS_MR0], (pt_um_input() & ~(L4_Word_t)L4_FullyAccessible) |
		 L4_Readable | L4_eXecutable);
	CHECK_EQ(t_shared[XS_BAD], 0);
	return 0;
}

const struct test preempt_fix_tests[] = {
	TEST(preempt_fix_resumed_string_words),
	TEST(preempt_fix_fault_reply_keeps_transfer),
	TEST(preempt_fix_halted_sender_xfer_timeout),
	TEST(preempt_fix_exreg_sp_keeps_unmap),
	{ 0 },
};
