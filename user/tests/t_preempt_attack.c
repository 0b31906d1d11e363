/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hostile tests of the preemption points (kernel/preempt.h): a system
 * call or a transfer stopped in the middle is poked from outside, and the
 * kernel must still do what X.2 says.
 *
 * Each test catches its victim stopped the way t_preempt.c does: a
 * thread of higher priority wakes at every timer tick and looks at state
 * that only exists in the middle of the operation (a receive buffer half
 * written, an Unmap's MRs half answered, a deleted task's thread gone
 * while what it passed on is still there).  When it sees it, the
 * operation is stopped at a preemption point right then, and the test
 * acts on it: ExchangeRegisters (abort, halt, new SP and IP), deletion of
 * a partner or of the deleter, a receive timeout that ends meanwhile.
 * What is asserted is what the kernel did, never how fast.
 */
#include "tests.h"

#define PA_LOW_PRIO	(RT_PRIORITY - 50)
#define PA_LOOK_US	100			/* a sleep that ends at the next tick */
#define PA_LIMIT_US	50000000UL		/* generous: the machine is loaded */
#define PA_LABEL_STR	0x7101
#define PA_LABEL_MAP	0x7102
#define PA_LABEL_GO	0x7103
#define PA_ERR_ABORTED	7
#define PA_ERR_NOPARTNER 2

#define EX_HALT_FLAG	__L4_EXREGS_HALT
#define EX_ABORT_RECV	__L4_EXREGS_ABORT_RECV
#define EX_ABORT_SEND	__L4_EXREGS_ABORT_SEND
#define EX_IP		__L4_EXREGS_SET_IP	/* the thread keeps its stack */
#define EX_SET_HALT	__L4_EXREGS_SET_HALT

static L4_Word_t pa_exregs(L4_ThreadId_t t, L4_Word_t control, L4_Word_t sp, L4_Word_t ip)
{
	L4_Word_t old = 0;

	(void)__L4_Exregs(t, control, sp, ip, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
	return old;
}

/* Wait until *w is at least want (it may pass it between two looks). */
static int pa_wait_at_least(volatile L4_Word_t *w, L4_Word_t want, L4_Word_t us)
{
	L4_Word_t start = rt_now_us();

	while (*w < want) {
		if (rt_now_us() - start > us)
			return 0;
		rt_sleep_us(1000);
	}
	return 1;
}

/* A thread of the root's space below main's priority, running fn(arg). */
static L4_ThreadId_t pa_low_thread(rt_entry_t fn, L4_Word_t arg)
{
	L4_Word_t sp;
	L4_ThreadId_t t = rt_thread_prepare(arg, &sp);

	if (L4_IsNilThread(t))
		return t;
	if (L4_Set_Priority(t, PA_LOW_PRIO) == L4_SCHEDRESULT_ERROR)
		return L4_nilthread;
	L4_Start_SpIp(t, sp, (L4_Word_t)fn);
	return t;
}

/* ---- string transfers stopped in the middle ---- */

/*
 * One message is 31 string items chained into one string, received into
 * a compound buffer of 31 substrings that all lie on the same buffer
 * rcv: item i comes from src[i & 1].  After a whole message rcv holds
 * src[0]'s words only; while one is under way its first and last words
 * differ.  So main, seeing them differ, has caught the transfer stopped.
 */
#define ST_ITEMS	31
#define ST_WORD(i)	(0x6b6b0000UL | ((i) & 1))
#define ST_MSGS		100000UL
enum { ST_SND_EC = 0, ST_SND_DONE, ST_RCV_EC, ST_RCV_DONE, ST_RECEIVED, ST_RCV_BAD,
       ST_MOVED, ST_GO };

static struct {
	L4_Word_t src[2], rcv, len;
	L4_ThreadId_t snd_to, rcv_from;
} st;

static int st_buffers(void)
{
	L4_Word_t log2;

	for (log2 = 3; log2 >= 1; log2--) {
		L4_Word_t n = 1UL << log2;

		if (!st.src[0])
			st.src[0] = rt_get_pages(n);
		if (!st.src[1])
			st.src[1] = rt_get_pages(n);
		if (!st.rcv)
			st.rcv = rt_get_pages(n);
		if (st.src[0] && st.src[1] && st.rcv) {
			st.len = n * RT_PAGE_SIZE;
			return 1;
		}
	}
	return 0;
}

static void st_load_buffers(void)
{
	int i;

	L4_LoadBR(0, L4_StringItemsAcceptor.raw);
	L4_LoadBR(1, (st.len << 10) | ((ST_ITEMS - 1) << 4));
	for (i = 0; i < ST_ITEMS; i++)
		L4_LoadBR(2 + i, st.rcv);
}

static void st_load_message(void)
{
	L4_MsgTag_t tag = L4_Niltag;
	int i;

	for (i = 0; i < ST_ITEMS; i++) {
		L4_LoadMR(1 + 2 * i, (st.len << 10) | (i + 1 < ST_ITEMS ? 1UL << 9 : 0));
		L4_LoadMR(2 + 2 * i, st.src[i & 1]);
	}
	tag.X.label = PA_LABEL_STR;
	tag.X.t = 2 * ST_ITEMS;
	L4_LoadMR(0, tag.raw);
}

/* Receive from st.rcv_from until an IPC fails; record how it failed. */
static void st_receiver(L4_Word_t arg)
{
	L4_MsgTag_t tag;

	(void)arg;
	for (;;) {
		st_load_buffers();
		tag = L4_Receive(st.rcv_from);
		if (L4_IpcFailed(tag)) {
			t_shared[ST_RCV_EC] = L4_ErrorCode() & 0xf;
			break;
		}
		if (L4_Label(tag) != PA_LABEL_STR)
			t_shared[ST_RCV_BAD] = tag.raw | 1;
		t_shared[ST_RECEIVED]++;
	}
	t_shared[ST_RCV_DONE] = 1;
}

/* Send to st.snd_to until an IPC fails; record how it failed. */
static void st_sender(L4_Word_t arg)
{
	L4_Word_t k;

	(void)arg;
	for (k = 0; k < ST_MSGS; k++) {
		st_load_message();
		if (L4_IpcFailed(L4_Send(st.snd_to))) {
			t_shared[ST_SND_EC] = L4_ErrorCode() & 0xf;
			break;
		}
	}
	t_shared[ST_SND_DONE] = 1;
}

/* Where ExchangeRegisters sends the sender: it records that it came here. */
static void st_moved(void)
{
	t_shared[ST_MOVED] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

enum st_action { ST_ABORT_RECEIVER, ST_MOVE_SENDER, ST_DELETE_RECEIVER, ST_DELETE_SENDER,
		 ST_ABORT_SENDER };

/* Buffers filled, a receiver and a sender below main started; wait, a
 * tick at a time, until their transfer is caught in the middle. */
static const char *st_start(L4_ThreadId_t *r, L4_ThreadId_t *s)
{
	volatile L4_Word_t *rcv;
	L4_Word_t i, k, words, start;

	CHECK(st_buffers());
	words = st.len / sizeof(L4_Word_t);
	for (k = 0; k < 2; k++)
		for (i = 0; i < words; i++)
			((volatile L4_Word_t *)st.src[k])[i] = ST_WORD(k);
	rcv = (volatile L4_Word_t *)st.rcv;
	for (i = 0; i < words; i++)
		rcv[i] = ST_WORD(0);
	/* Both are below main: neither runs before main sleeps. */
	*r = pa_low_thread(st_receiver, 0);
	CHECK(!L4_IsNilThread(*r));
	st.snd_to = *r;
	*s = pa_low_thread(st_sender, 0);
	CHECK(!L4_IsNilThread(*s));
	st.rcv_from = *s;
	start = rt_now_us();
	while (!t_shared[ST_SND_DONE] && rt_now_us() - start < PA_LIMIT_US) {
		rt_sleep_us(PA_LOOK_US);
		if (rcv[0] != rcv[words - 1])
			return 0;
	}
	return "the transfer was never caught in the middle";
}

static const char *st_attack(enum st_action action)
{
	volatile L4_Word_t *rcv;
	L4_Word_t k, words, snap[4];
	L4_ThreadId_t r, s;

	RUN(st_start(&r, &s));
	rcv = (volatile L4_Word_t *)st.rcv;
	words = st.len / sizeof(L4_Word_t);
	switch (action) {
	case ST_ABORT_RECEIVER:
		/* X.2: a receive aborted in the middle of a transfer: both
		 * partners fail with "aborted". */
		pa_exregs(r, EX_ABORT_RECV, 0, 0);
		break;
	case ST_ABORT_SENDER:
		pa_exregs(s, EX_ABORT_SEND, 0, 0);
		break;
	case ST_MOVE_SENDER:
		/* The sender's send is stopped and about to be re-executed:
		 * sent elsewhere, it is not re-executed, and the receiver
		 * learns that the transfer was aborted. */
		pa_exregs(s, EX_IP, 0, (L4_Word_t)st_moved);
		break;
	case ST_DELETE_RECEIVER:
		CHECK_EQ(L4_ThreadControl(r, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)~0UL), 1);
		break;
	case ST_DELETE_SENDER:
		CHECK_EQ(L4_ThreadControl(s, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)~0UL), 1);
		break;
	}
	/* Whoever is left learns at once (no timeout is involved). */
	if (action != ST_DELETE_RECEIVER) {
		CHECK(t_wait_for(&t_shared[ST_RCV_DONE], 1, T_WAIT_US));
		if (action == ST_DELETE_SENDER && t_shared[ST_RCV_EC] == EC_RECV(PA_ERR_NOPARTNER))
			t_shared[ST_RCV_EC] = EC_RECV(PA_ERR_ABORTED);
		CHECK_EQ(t_shared[ST_RCV_EC], EC_RECV(PA_ERR_ABORTED));
	}
	if (action == ST_MOVE_SENDER) {
		CHECK(t_wait_for(&t_shared[ST_MOVED], 1, T_WAIT_US));
		CHECK_EQ(t_shared[ST_SND_DONE], 0);
	} else if (action != ST_DELETE_SENDER) {
		CHECK(t_wait_for(&t_shared[ST_SND_DONE], 1, T_WAIT_US));
		if (action == ST_DELETE_RECEIVER && t_shared[ST_SND_EC] == EC_SEND(PA_ERR_NOPARTNER))
			t_shared[ST_SND_EC] = EC_SEND(PA_ERR_ABORTED);
		CHECK_EQ(t_shared[ST_SND_EC], EC_SEND(PA_ERR_ABORTED));
	}
	CHECK_EQ(t_shared[ST_RCV_BAD], 0);
	/* Nothing is copied after the end of the transfer. */
	snap[0] = rcv[0], snap[1] = rcv[words / 3], snap[2] = rcv[2 * words / 3];
	snap[3] = rcv[words - 1];
	for (k = 0; k < 5; k++)
		rt_sleep_us(PA_LOOK_US);
	CHECK_EQ(rcv[0], snap[0]);
	CHECK_EQ(rcv[words / 3], snap[1]);
	CHECK_EQ(rcv[2 * words / 3], snap[2]);
	CHECK_EQ(rcv[words - 1], snap[3]);
	return 0;
}

static const char *t_pattack_abort_receiver_mid_string(void)
{
	return st_attack(ST_ABORT_RECEIVER);
}

static const char *t_pattack_abort_sender_mid_string(void)
{
	return st_attack(ST_ABORT_SENDER);
}

static const char *t_pattack_move_sender_mid_string(void)
{
	return st_attack(ST_MOVE_SENDER);
}

static const char *t_pattack_delete_receiver_mid_string(void)
{
	return st_attack(ST_DELETE_RECEIVER);
}

static const char *t_pattack_delete_sender_mid_string(void)
{
	return st_attack(ST_DELETE_SENDER);
}

/*
 * A halted sender whose transfer is stopped stays stopped: the buffer
 * does not change while it is halted.  Let go again (halt flag cleared,
 * no abort), it goes on where it stopped, and every message arrives.
 */
static const char *t_pattack_halt_sender_mid_string(void)
{
	volatile L4_Word_t *rcv;
	L4_Word_t k, words, snap[3], got;
	L4_ThreadId_t r, s;

	RUN(st_start(&r, &s));
	rcv = (volatile L4_Word_t *)st.rcv;
	words = st.len / sizeof(L4_Word_t);
	pa_exregs(s, EX_SET_HALT | EX_HALT_FLAG, 0, 0);
	got = t_shared[ST_RECEIVED];
	snap[0] = rcv[0], snap[1] = rcv[words / 2], snap[2] = rcv[words - 1];
	for (k = 0; k < 5; k++)
		rt_sleep_us(PA_LOOK_US);
	CHECK_EQ(t_shared[ST_RECEIVED], got);
	CHECK_EQ(rcv[0], snap[0]);
	CHECK_EQ(rcv[words / 2], snap[1]);
	CHECK_EQ(rcv[words - 1], snap[2]);
	CHECK(rcv[0] != rcv[words - 1]);
	/* Let it go: the message in the middle completes. */
	pa_exregs(s, EX_SET_HALT, 0, 0);
	CHECK(pa_wait_at_least(&t_shared[ST_RECEIVED], got + 1, PA_LIMIT_US));
	CHECK_EQ(t_shared[ST_RCV_BAD], 0);
	CHECK_EQ(t_shared[ST_RCV_DONE], 0);
	CHECK_EQ(t_shared[ST_SND_DONE], 0);
	/* Stop the pair: abort the receiver between or during messages. */
	pa_exregs(r, EX_ABORT_RECV, 0, 0);
	CHECK(t_wait_for(&t_shared[ST_RCV_DONE], 1, T_WAIT_US));
	CHECK(t_wait_for(&t_shared[ST_SND_DONE], 1, T_WAIT_US));
	return 0;
}

/*
 * A preemption is not a page fault: a transfer that stops at preemption
 * points must not fail with a transfer timeout, even when both
 * XferTimeouts are zero, nor with a receive timeout that ends while it
 * is stopped (the transfer had begun).  Main receives with a receive
 * timeout of one tick from a sender already blocked sending to it.
 */
#define XT_MSGS		40

static void xt_sender(L4_Word_t arg)
{
	L4_Word_t k;

	(void)arg;
	L4_Set_XferTimeouts(L4_Timeouts(L4_ZeroTime, L4_ZeroTime));
	for (k = 0; k < XT_MSGS; k++) {
		st_load_message();
		if (L4_IpcFailed(L4_Send(st.snd_to))) {
			t_shared[ST_SND_EC] = 0x100 | L4_ErrorCode();
			break;
		}
	}
	t_shared[ST_SND_DONE] = 1;
}

static const char *t_pattack_xfer_timeouts_ignore_preemption(void)
{
	volatile L4_Word_t *rcv;
	L4_Word_t i, k, words, ctl, start;
	L4_ThreadId_t s;
	L4_MsgTag_t tag;

	CHECK(st_buffers());
	words = st.len / sizeof(L4_Word_t);
	for (k = 0; k < 2; k++)
		for (i = 0; i < words; i++)
			((volatile L4_Word_t *)st.src[k])[i] = ST_WORD(k);
	rcv = (volatile L4_Word_t *)st.rcv;
	st.snd_to = L4_Myself();
	s = pa_low_thread(xt_sender, 0);
	CHECK(!L4_IsNilThread(s));
	L4_Set_XferTimeouts(L4_Timeouts(L4_ZeroTime, L4_ZeroTime));
	for (k = 0; k < XT_MSGS; k++) {
		for (i = 0; i < words; i++)
			rcv[i] = 0;
		/* Only once the sender waits in its send phase: then the
		 * transfer begins within this receive, before any timeout. */
		start = rt_now_us();
		do {
			ctl = pa_exregs(s, __L4_EXREGS_DELIVER, 0, 0);
			if (!(ctl & EX_ABORT_SEND))
				rt_sleep_us(PA_LOOK_US);
		} while (!(ctl & EX_ABORT_SEND) && !t_shared[ST_SND_DONE] &&
			 rt_now_us() - start < PA_LIMIT_US);
		CHECK(ctl & EX_ABORT_SEND);
		st_load_buffers();
		tag = L4_Receive_Timeout(s, rt_us(1000));
		if (L4_IpcFailed(tag))
			return t_fail_eq(__FILE__, __LINE__, "receive error code",
					 L4_ErrorCode(), 0);
		CHECK_EQ(L4_Label(tag), PA_LABEL_STR);
		for (i = 0; i < words; i += 61)
			CHECK_EQ(rcv[i], ST_WORD(0));
		CHECK_EQ(rcv[words - 1], ST_WORD(0));
	}
	CHECK(t_wait_for(&t_shared[ST_SND_DONE], 1, T_WAIT_US));
	CHECK_EQ(t_shared[ST_SND_EC], 0);
	return 0;
}

/* ---- Unmap stopped in the middle ---- */

/*
 * A task holds main's page in 32 of the 4 MB regions of a 1 GB fpage and
 * unmaps that fpage 64 times in one Unmap (as in t_preempt.c).  A second
 * thread of the task, above it in priority, catches the Unmap half done
 * (MR1 answered, MR62 not) and then either
 *  - halts the unmapper: its MRs stay as they are while it is halted,
 *    and let go, it finishes with every MR answered; or
 *  - sends it elsewhere with a new IP, where it makes a fresh
 *    Unmap of 64 small fpages through the same KIP stub: that call must
 *    not go on with the old one's progress, so every one of its 64 MRs
 *    is answered (rights replaced by access bits: none, never touched).
 */
#define UM_BASE		0x40000000UL
#define UM_LOG2		30
#define UM_FPAGES	64
#define UM_REGIONS	32
#define UM_FRESH_BASE	0x80000000UL
enum { UM_TID = 8, UM_LOADED, UM_DONE, UM_BAD, UM_CAUGHT, UM_HELD, UM_FRESH, UM_FRESH_BAD,
       UM_SEEN, UM_MODE };

static L4_Word_t um_input(void)
{
	L4_Fpage_t fp = L4_FpageLog2(UM_BASE, UM_LOG2);

	L4_Set_Rights(&fp, L4_FullyAccessible);
	return fp.raw;
}

static void um_fresh(void)
{
	L4_Word_t bad = 0;
	int i;

	for (i = 0; i < UM_FPAGES; i++) {
		L4_Fpage_t fp = L4_FpageLog2(UM_FRESH_BASE + (L4_Word_t)i * RT_PAGE_SIZE, 12);

		L4_Set_Rights(&fp, L4_FullyAccessible);
		L4_LoadMR(i, fp.raw);
	}
	L4_Unmap(UM_FPAGES - 1);
	for (i = 0; i < UM_FPAGES; i++)
		if (rt_mr(i) & L4_FullyAccessible)
			bad |= 1UL << (i / 2);
	t_shared[UM_FRESH_BAD] = bad;
	t_shared[UM_FRESH] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static void um_unmapper(L4_Word_t arg)
{
	L4_MsgTag_t tag;
	L4_Word_t bad = 0;
	int i;

	(void)arg;
	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	do
		tag = L4_Receive(rt_main_thread());
	while (L4_IpcFailed(tag) || L4_Label(tag) != PA_LABEL_GO);
	for (i = 0; i < UM_FPAGES; i++)
		L4_LoadMR(i, um_input());
	t_shared[UM_LOADED] = 1;
	L4_Unmap(UM_FPAGES - 1);
	for (i = 0; i < UM_FPAGES; i++)
		if (rt_mr(i) != (um_input() & ~(L4_Word_t)L4_FullyAccessible))
			bad = rt_mr(i) | 1;
	t_shared[UM_BAD] = bad;
	t_shared[UM_DONE] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static void um_observer(L4_Word_t arg)
{
	volatile L4_Word_t *mr = (volatile L4_Word_t *)(RT_UTCB_AREA_BASE + RT_UTCB_MR0_OFFSET);
	L4_ThreadId_t u = { .raw = t_shared[UM_TID] };
	L4_Word_t snap[UM_FPAGES], k, start = rt_now_us();
	int i, held = 1;

	(void)arg;
	while (!t_shared[UM_DONE] && rt_now_us() - start < PA_LIMIT_US) {
		rt_sleep_us(PA_LOOK_US);
		if (!t_shared[UM_LOADED])
			continue;
		if ((mr[1] & 7) != 7 && (mr[UM_FPAGES - 2] & 7) == 7)
			break;
	}
	if (t_shared[UM_DONE] || !t_shared[UM_LOADED]) {
		t_shared[UM_SEEN] = 1;
		return;
	}
	t_shared[UM_CAUGHT] = 1;
	if (t_shared[UM_MODE] == 0) {
		pa_exregs(u, EX_SET_HALT | EX_HALT_FLAG, 0, 0);
		for (i = 0; i < UM_FPAGES; i++)
			snap[i] = mr[i];
		for (k = 0; k < 5; k++)
			rt_sleep_us(PA_LOOK_US);
		for (i = 0; i < UM_FPAGES; i++)
			if (mr[i] != snap[i])
				held = 0;
		t_shared[UM_HELD] = held && !t_shared[UM_DONE];
		pa_exregs(u, EX_SET_HALT, 0, 0);
	} else {
		pa_exregs(u, EX_IP, 0, (L4_Word_t)um_fresh);
	}
	t_shared[UM_SEEN] = 1;
}

static const char *um_attack(L4_Word_t mode)
{
	L4_Word_t page = t_page(), ip, sp, w[62], i = 0;
	L4_ThreadId_t u, o;
	L4_MsgTag_t tag;

	CHECK(page);
	t_shared[UM_MODE] = mode;
	u = rt_task_create(um_unmapper, 0, rt_pager());
	CHECK(!L4_IsNilThread(u));
	t_shared[UM_TID] = u.raw;
	o = rt_task_thread_prepare(u, RT_UTCB_AREA_BASE + RT_UTCB_SIZE, um_observer, 0,
				   rt_pager(), &ip, &sp);
	CHECK(!L4_IsNilThread(o));
	CHECK(rt_pager_start_thread(o, ip, sp));
	CHECK(L4_Set_Priority(u, PA_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	/* Main's page, read-only, at the start of each region. */
	while (i < UM_REGIONS) {
		int k;

		for (k = 0; k < 31 && i < UM_REGIONS; k++, i++) {
			L4_Fpage_t fp = L4_FpageLog2(page, 12);
			L4_MapItem_t m;

			L4_Set_Rights(&fp, L4_Readable);
			m = L4_MapItem(fp, UM_BASE + (i << 22));
			w[2 * k] = m.raw[0];
			w[2 * k + 1] = m.raw[1];
		}
		t_load(PA_LABEL_MAP, 0, 0, 2 * k, w);
		CHECK(L4_IpcSucceeded(L4_Send_Timeout(u, rt_us(T_WAIT_US))));
	}
	tag = t_tag(PA_LABEL_GO, 0, 0);
	L4_LoadMR(0, tag.raw);
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(u, rt_us(T_WAIT_US))));
	CHECK(t_wait_for(&t_shared[UM_SEEN], 1, PA_LIMIT_US));
	CHECK_EQ(t_shared[UM_CAUGHT], 1);
	if (mode == 0) {
		CHECK_EQ(t_shared[UM_HELD], 1);
		CHECK(t_wait_for(&t_shared[UM_DONE], 1, PA_LIMIT_US));
		CHECK_EQ(t_shared[UM_BAD], 0);
	} else {
		CHECK(t_wait_for(&t_shared[UM_FRESH], 1, PA_LIMIT_US));
		CHECK_EQ(t_shared[UM_FRESH_BAD], 0);
		CHECK_EQ(t_shared[UM_DONE], 0);
	}
	return 0;
}

static const char *t_pattack_unmap_halted_midway_holds_then_finishes(void)
{
	return um_attack(0);
}

static const char *t_pattack_unmap_moved_midway_fresh_call_starts_over(void)
{
	return um_attack(1);
}

/* ---- the deleter of a large task is deleted itself ---- */

/*
 * A low-priority root thread D deletes a task V that holds main's page
 * at many addresses and once more at DL_TOP, which V mapped on to an
 * agent.  Main catches the deletion under way (V's thread gone, D not
 * back yet) and deletes D.  The idle loop must finish V: the agent's
 * copy goes, and every kernel page comes back (where the pool is small
 * enough to count).
 */
#define DL_BASE		0x10000000UL
#define DL_TOP		0xB0000000UL
#define DL_WIN		0x20000000UL
#define DL_MANY		60000
#define DL_PER_PAGE	100
#define DL_SPARE	56
#define DL_LABEL_FWD	0x7104
#define DL_COUNT_NO	3000
#define DL_COUNT_MAX	2000
enum { DL_DONE = 20, DL_FWD };

/* Free pages of the kernel pool, counted as inactive threads (a page
 * each) of one new space until "out of memory"; 0 if too many. */
static L4_Word_t dl_free_pages(void)
{
	L4_ThreadId_t first = L4_GlobalId(DL_COUNT_NO, 1), me = L4_Myself();
	L4_Word_t ec = 0, n, i;

	if (L4_ThreadControl(first, first, me, L4_nilthread, (void *)~0UL) != 1)
		return 0;
	for (n = 1; n < DL_COUNT_MAX; n++)
		if (L4_ThreadControl(L4_GlobalId(DL_COUNT_NO + n, 1), first, me, L4_nilthread,
				     (void *)~0UL) != 1) {
			ec = L4_ErrorCode();
			break;
		}
	for (i = n; i-- > 0;)
		(void)L4_ThreadControl(L4_GlobalId(DL_COUNT_NO + i, 1), L4_nilthread,
				       L4_nilthread, L4_nilthread, (void *)~0UL);
	return ec == L4_ErrNoMem ? n : 0;
}

static const char *dl_map_many(L4_ThreadId_t t, L4_Word_t page, L4_Word_t base, L4_Word_t n)
{
	L4_Word_t i = 0, w[62];

	while (i < n) {
		int k;

		for (k = 0; k < 31 && i < n; k++, i++) {
			L4_Fpage_t fp = L4_FpageLog2(page, 12);
			L4_MapItem_t m;

			L4_Set_Rights(&fp, L4_Readable);
			m = L4_MapItem(fp, base + i * RT_PAGE_SIZE);
			w[2 * k] = m.raw[0];
			w[2 * k + 1] = m.raw[1];
		}
		t_load(PA_LABEL_MAP, 0, 0, 2 * k, w);
		CHECK(L4_IpcSucceeded(L4_Send_Timeout(t, rt_us(T_WAIT_US))));
	}
	return 0;
}

static void dl_victim(L4_Word_t arg)
{
	L4_Fpage_t fp = L4_FpageLog2(DL_TOP, 12);
	L4_ThreadId_t agent;
	L4_MapItem_t m;
	L4_MsgTag_t tag;

	(void)arg;
	L4_Set_Rights(&fp, L4_Readable);
	m = L4_MapItem(fp, DL_WIN);
	L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
	for (;;) {
		tag = L4_Receive(rt_main_thread());
		if (L4_IpcFailed(tag) || L4_Label(tag) != DL_LABEL_FWD)
			continue;
		agent.raw = rt_mr(1);
		t_load(PA_LABEL_MAP, 0, 0, 2, m.raw);
		tag = L4_Send_Timeout(agent, rt_us(T_WAIT_US));
		t_shared[DL_FWD] = L4_IpcFailed(tag) ? 0x100 | L4_ErrorCode() : 1;
	}
}

static void dl_deleter(L4_Word_t victim)
{
	L4_ThreadId_t v = { .raw = victim };

	(void)L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)~0UL);
	t_shared[DL_DONE] = 1;
}

static const char *t_pattack_deleter_deleted_midway(void)
{
	L4_Word_t page = t_page(), n = DL_MANY, addr = DL_WIN, before, after, sp, old;
	L4_Word_t start, state, reads = 0;
	L4_ThreadId_t v, ag, d;
	L4_MsgTag_t tag;
	int caught = 0;

	CHECK(page);
	*(volatile L4_Word_t *)page = 0x5eed1234UL;
	(void)dl_free_pages();
	before = dl_free_pages();
	if (before)
		n = before > DL_SPARE + DL_MANY / DL_PER_PAGE ? DL_MANY :
		    before > DL_SPARE + 40 ? (before - DL_SPARE) * DL_PER_PAGE : 40 * DL_PER_PAGE;
	v = rt_task_create(dl_victim, 0, rt_pager());
	CHECK(!L4_IsNilThread(v));
	RUN(dl_map_many(v, page, DL_TOP, 1));
	ag = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(ag));
	RUN(t_ag_accept(ag, DL_WIN, 12));
	CHECK(rt_agent_post(ag, RT_AG_RECV, 0, 0));
	rt_msg(DL_LABEL_FWD, 1, &ag.raw);
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(v, rt_us(T_WAIT_US))));
	tag = rt_agent_result(ag, 0);
	CHECK(t_ag_ok(tag));
	CHECK(t_wait_for(&t_shared[DL_FWD], 1, T_WAIT_US));
	RUN(t_ag_reads(ag, DL_WIN, 0x5eed1234UL));
	d = rt_thread_prepare(v.raw, &sp);
	CHECK(!L4_IsNilThread(d));
	CHECK(L4_Set_Priority(d, PA_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	RUN(dl_map_many(v, page, DL_BASE, n));

	rt_sleep_us(PA_LOOK_US);
	L4_Start_SpIp(d, sp, (L4_Word_t)dl_deleter);
	start = rt_now_us();
	while (!t_shared[DL_DONE] && rt_now_us() - start < PA_LIMIT_US) {
		rt_sleep_us(PA_LOOK_US);
		state = L4_Schedule(v, ~0UL, ~0UL, ~0UL, ~0UL, &old);
		if (state != L4_SCHEDRESULT_ERROR && state != L4_SCHEDRESULT_DEAD)
			continue;
		/* V's thread is gone and D has not come back: delete D. */
		if (t_shared[DL_DONE])
			break;
		CHECK_EQ(L4_ThreadControl(d, L4_nilthread, L4_nilthread, L4_nilthread,
					  (void *)~0UL), 1);
		caught = 1;
		break;
	}
	CHECK(caught);
	/* The idle loop finishes V: the agent's copy goes with it. */
	start = rt_now_us();
	for (;;) {
		rt_sleep_us(1000);
		tag = rt_agent_cmd(ag, RT_AG_READ, 1, &addr);
		if (rt_is_pagefault(tag))
			break;
		CHECK(t_ag_ok(tag));
		CHECK_EQ(rt_mr(1), 0x5eed1234UL);
		reads++;
		CHECK(rt_now_us() - start < PA_LIMIT_US);
	}
	CHECK_EQ(t_shared[DL_DONE], 0);
	printf("#   %lu mappings; the agent read its copy %lu more times after the deleter died\n",
	       n + 1, reads);
	rt_release(ag);
	rt_release(d);
	rt_release(v);
	rt_agent_reset();
	if (before) {
		after = dl_free_pages();
		CHECK_EQ(after, before);
	}
	return 0;
}

/* ---- mapping below a deep tree ---- */

/*
 * Mapping a page onto a slot that already holds the same frame needs a
 * walk up the source's ancestors (a mapping may not replace one of
 * them).  That walk may be as long as the tree is deep, and it stops at
 * preemption points; a stopped walk must still get done.  Main's page is
 * mapped on in a chain DC_DEPTH levels deep inside the root's own space
 * (from a thread of it to another), and to DC_Y directly from the top;
 * then a low-priority thread maps the bottom of the chain onto DC_Y.
 */
#define DC_BASE		0x70000000UL	/* unused in the root's space; 16 MB */
#define DC_DEPTH	2048
#define DC_Y		(DC_BASE + (DC_DEPTH + 16) * RT_PAGE_SIZE)
#define DC_MAGIC	0x0dee9c4aUL
#define DC_LABEL	0x7105
enum { DC_RECEIVED = 24, DC_DONE, DC_EC };

static L4_Word_t dc_addr(L4_Word_t page, L4_Word_t k)
{
	return k == 0 ? page : DC_BASE + (k - 1) * RT_PAGE_SIZE;
}

static void dc_item(L4_Word_t *w, L4_Word_t from, L4_Word_t to)
{
	L4_Fpage_t fp = L4_FpageLog2(from, 12);
	L4_MapItem_t m;

	L4_Set_Rights(&fp, L4_Readable);
	m = L4_MapItem(fp, to);
	w[0] = m.raw[0];
	w[1] = m.raw[1];
}

static void dc_receiver(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	(void)arg;
	for (;;) {
		L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
		tag = L4_Wait(&from);
		if (L4_IpcSucceeded(tag) && L4_Label(tag) == DC_LABEL)
			t_shared[DC_RECEIVED]++;
	}
}

static void dc_sender(L4_Word_t arg)
{
	L4_ThreadId_t to = { .raw = arg };
	L4_Word_t w[2];

	dc_item(w, dc_addr(0, DC_DEPTH), DC_Y);
	t_load(DC_LABEL, 0, 0, 2, w);
	if (L4_IpcFailed(L4_Send_Timeout(to, rt_us(T_WAIT_US))))
		t_shared[DC_EC] = 0x100 | L4_ErrorCode();
	t_shared[DC_DONE] = 1;
}

static const char *t_pattack_map_onto_sibling_of_deep_chain(void)
{
	L4_Word_t page = t_page(), k = 0, w[62], sent = 0;
	L4_Fpage_t all = L4_FpageLog2(DC_BASE, 24);
	L4_ThreadId_t h, l;
	const char *r = 0;

	CHECK(page);
	*(volatile L4_Word_t *)page = DC_MAGIC;
	h = rt_thread_create(dc_receiver, 0);
	CHECK(!L4_IsNilThread(h));
	while (k < DC_DEPTH) {
		int i;

		for (i = 0; i < 31 && k < DC_DEPTH; i++, k++)
			dc_item(&w[2 * i], dc_addr(page, k), dc_addr(page, k + 1));
		t_load(DC_LABEL, 0, 0, 2 * i, w);
		CHECK(L4_IpcSucceeded(L4_Send_Timeout(h, rt_us(T_WAIT_US))));
		sent++;
	}
	dc_item(w, page, DC_Y);
	t_load(DC_LABEL, 0, 0, 2, w);
	CHECK(L4_IpcSucceeded(L4_Send_Timeout(h, rt_us(T_WAIT_US))));
	sent++;
	CHECK(t_wait_for(&t_shared[DC_RECEIVED], sent, T_WAIT_US));
	CHECK_EQ(*(volatile L4_Word_t *)dc_addr(page, DC_DEPTH), DC_MAGIC);
	CHECK_EQ(*(volatile L4_Word_t *)DC_Y, DC_MAGIC);

	l = pa_low_thread(dc_sender, h.raw);
	CHECK(!L4_IsNilThread(l));
	if (!t_wait_for(&t_shared[DC_DONE], 1, PA_LIMIT_US / 2))
		r = "the map below a deep chain never completed";
	else if (t_shared[DC_EC] != 0)
		r = t_fail_eq(__FILE__, __LINE__, "sender's error", t_shared[DC_EC], 0);
	else if (*(volatile L4_Word_t *)DC_Y != DC_MAGIC)
		r = "DC_Y lost its page";
	/* Clean up: the stuck sender first, then the whole chain. */
	rt_release(l);
	rt_release(h);
	L4_Set_Rights(&all, L4_FullyAccessible);
	L4_LoadMR(0, all.raw);
	L4_Unmap(0x40);
	return r;
}

/* ---- a pager's big reply stopped, then aborted ---- */

/*
 * Task X's pager P (a low-priority root thread) answers every fault with
 * one map item of the root's 4 MB around its image, which X receives as
 * the kernel's page-fault IPC.  X faults in a loop (on an alias of the
 * image at PF_ALIAS, unmapped again after each read) with known values
 * in ESI and EAX.  Main catches P stopped in the middle of such a reply
 * and sends P elsewhere (ExchangeRegisters, new IP), which ends the
 * transfer.  X made no IPC of its own: its fault simply recurs, and its
 * registers stay as they were.
 */
#define PF_REGION	0x400000UL
#define PF_ALIAS	0x800000UL	/* X: the region again, 4 MB up */
#define PF_TARGET	(PF_ALIAS + (RT_IMAGE_BASE - PF_REGION))
#define PF_ESI		0x5eed5eedUL
#define PF_EAX		0xa11ce000UL
enum { PF_IN = 16, PF_FAULT, PF_MOVED, PF_ROUNDS, PF_STOP, PF_X_DONE, PF_CLOBBERED, PF_BADREAD,
       PF_EXPECT };

static struct { L4_ThreadId_t x; L4_Word_t ip, sp; } pf;

static void pf_reply(L4_Word_t addr)
{
	L4_Fpage_t fp = L4_FpageLog2(PF_REGION, 22);
	L4_MapItem_t m;

	L4_Set_Rights(&fp, L4_FullyAccessible);
	m = L4_MapItem(fp, addr);
	t_load(0, 0, 0, 2, m.raw);
	t_shared[PF_IN] = 1;
	(void)L4_Send_Timeout(pf.x, rt_us(200000));
	t_shared[PF_IN] = 0;
}

static void pf_serve(void)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	for (;;) {
		tag = L4_Wait(&from);
		if (L4_IpcFailed(tag) || !rt_is_pagefault(tag) || from.raw != pf.x.raw)
			continue;
		t_shared[PF_FAULT] = rt_mr(1);
		pf_reply(t_shared[PF_FAULT]);
	}
}

static void pf_pager(L4_Word_t arg)
{
	(void)arg;
	if (rt_start_message(pf.x, pf.ip, pf.sp))
		pf_serve();
}

/* Where main sends P: answer the fault again (X may still wait for it),
 * then serve on. */
static void pf_moved(void)
{
	t_shared[PF_MOVED] = 1;
	pf_reply(t_shared[PF_FAULT]);
	pf_serve();
}

static void pf_victim(L4_Word_t arg)
{
	L4_Fpage_t alias = L4_FpageLog2(PF_ALIAS, 22);
	L4_Word_t esi, eax, word;

	(void)arg;
	L4_Set_Rights(&alias, L4_FullyAccessible);
	while (!t_shared[PF_STOP]) {
		__asm__ __volatile__("movl %4, %%esi\n\tmovl %5, %%eax\n\tmovl (%%ecx), %%edx"
				     : "=&S"(esi), "=&a"(eax), "=d"(word)
				     : "c"(PF_TARGET), "i"(PF_ESI), "i"(PF_EAX) : "memory");
		if (esi != PF_ESI || eax != PF_EAX)
			t_shared[PF_CLOBBERED] = esi ^ eax ^ 1;
		if (word != t_shared[PF_EXPECT])
			t_shared[PF_BADREAD] = word | 1;
		t_shared[PF_ROUNDS]++;
		L4_LoadMR(0, alias.raw);
		L4_Unmap(0x40);
	}
	t_shared[PF_X_DONE] = 1;
	for (;;)
		L4_Sleep(L4_Never);
}

static const char *t_pattack_pager_reply_stopped_then_aborted(void)
{
	L4_Word_t sp, ip, ctl, start, rounds;
	L4_ThreadId_t p;
	int caught = 0;

	t_shared[PF_EXPECT] = *(volatile L4_Word_t *)RT_IMAGE_BASE;
	p = rt_thread_prepare(0, &sp);
	CHECK(!L4_IsNilThread(p));
	CHECK(L4_Set_Priority(p, PA_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	pf.x = rt_task_prepare(pf_victim, 0, p, &pf.ip, &pf.sp);
	CHECK(!L4_IsNilThread(pf.x));
	CHECK(L4_Set_Priority(pf.x, PA_LOW_PRIO) != L4_SCHEDRESULT_ERROR);
	L4_Start_SpIp(p, sp, (L4_Word_t)pf_pager);
	start = rt_now_us();
	while (!caught && rt_now_us() - start < PA_LIMIT_US) {
		rt_sleep_us(PA_LOOK_US);
		if (!t_shared[PF_IN] || t_shared[PF_FAULT] != PF_TARGET)
			continue;
		/* P ready, on the Ipc trap in the KIP: stopped in its reply. */
		(void)__L4_Exregs(p, 0, 0, 0, 0, 0, L4_nilthread, &ctl, 0, &ip, 0, 0, 0);
		if ((ctl & (EX_ABORT_SEND | EX_ABORT_RECV | EX_HALT_FLAG)) ||
		    ip - RT_KIP_AREA_BASE >= RT_PAGE_SIZE)
			continue;
		pa_exregs(p, EX_IP, 0, (L4_Word_t)pf_moved);
		caught = 1;
	}
	CHECK(caught);
	rounds = t_shared[PF_ROUNDS];
	CHECK(pa_wait_at_least(&t_shared[PF_ROUNDS], rounds + 3, PA_LIMIT_US));
	t_shared[PF_STOP] = 1;
	CHECK(t_wait_for(&t_shared[PF_X_DONE], 1, PA_LIMIT_US));
	CHECK_EQ(t_shared[PF_MOVED], 1);
	CHECK_EQ(t_shared[PF_CLOBBERED], 0);
	CHECK_EQ(t_shared[PF_BADREAD], 0);
	return 0;
}

const struct test preempt_attack_tests[] = {
	TEST(pattack_abort_receiver_mid_string),
	TEST(pattack_abort_sender_mid_string),
	TEST(pattack_move_sender_mid_string),
	TEST(pattack_delete_receiver_mid_string),
	TEST(pattack_delete_sender_mid_string),
	TEST(pattack_halt_sender_mid_string),
	TEST(pattack_xfer_timeouts_ignore_preemption),
	TEST(pattack_unmap_halted_midway_holds_then_finishes),
	TEST(pattack_unmap_moved_midway_fresh_call_starts_over),
	TEST(pattack_deleter_deleted_midway),
	TEST(pattack_pager_reply_stopped_then_aborted),
	TEST(pattack_map_onto_sibling_of_deep_chain),
	{ 0 },
};
