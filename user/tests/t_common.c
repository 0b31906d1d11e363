/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the tests. */
#include "tests.h"
#include "t_sync.h"
#include <lent/kmem.h>

volatile L4_Word_t t_shared[T_SHARED];

const char *t_fail(const char *file, int line, const char *what)
{
	printf("#   %s:%d: failed: %s\n", file, line, what);
	return what;
}

const char *t_fail_eq(const char *file, int line, const char *what,
		      L4_Word_t got, L4_Word_t want)
{
	printf("#   %s:%d: %s: got 0x%lx, want 0x%lx\n", file, line, what, got, want);
	return what;
}

L4_Word_t t_ipc_ec(void)
{
	return L4_ErrorCode() & 0xf;
}

/* t in X.2 state want (the kernel's Schedule says so), polled with a
 * bound; 0 if it never got there. */
int t_sched_state(L4_ThreadId_t t, L4_Word_t want)
{
	return t_until_state(t, want);
}

/* t blocked in its receive. */
int t_waiting(L4_ThreadId_t t)
{
	return t_until_waiting(t);
}

int t_ipc_blocked(L4_ThreadId_t t, L4_Word_t bit)
{
	for (;;) {
		L4_Word_t ctl = 0, d;
		L4_ThreadId_t p;

		if (L4_IsNilThread(__L4_Exregs(t, __L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread,
					       &ctl, &d, &d, &d, &d, &p)))
			return 0;
		if (ctl & bit)
			return 1;
		rt_sleep_us(1000);
	}
}

/* A global ID no thread has: a user thread number rt never hands out. */
L4_ThreadId_t t_nonexistent(void)
{
	return L4_GlobalId(RT_FIRST_THREAD_NO + RT_THREAD_NOS + 77, 1);
}

/*
 * An address user level may not touch: the first page above the
 * user-accessible virtual memory the KIP describes (0xC0000000 if the
 * KIP says nothing useful).
 */
L4_Word_t t_kernel_addr(void)
{
	void *kip = rt_kip();
	L4_Word_t i, top = 0;

	for (i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
		L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);

		if (L4_IsMemoryDescVirtual(d) &&
		    L4_MemoryDescType(d) == L4_ConventionalMemoryType &&
		    L4_MemoryDescHigh(d) > top)
			top = L4_MemoryDescHigh(d);
	}
	if (top < 0x10000000UL || top >= 0xfffff000UL)
		return 0xC0000000UL;
	return (top + 1 + RT_PAGE_SIZE - 1) & ~(RT_PAGE_SIZE - 1);
}

/* Fault in every page of the test image (code, data, the stack pools): a
 * task about to name a pager that serves it nothing runs on afterwards
 * whatever the layout of the code. */
void t_touch_image(void)
{
	extern char _start_image[], _end[];
	const volatile char *p;

	for (p = _start_image; p < _end; p += RT_PAGE_SIZE)
		(void)*p;
	(void)*(const volatile char *)((L4_Word_t)_end - 1);
}

/* Megabytes of conventional memory the KIP describes. */
L4_Word_t t_ram_mb(void)
{
	void *kip = rt_kip();
	L4_Word_t i, top = 0;

	for (i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
		L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);

		if (!L4_IsMemoryDescVirtual(d) &&
		    L4_MemoryDescType(d) == L4_ConventionalMemoryType &&
		    L4_MemoryDescHigh(d) > top)
			top = L4_MemoryDescHigh(d);
	}
	return (top >> 20) + 1;
}

/* The KIP's type for physical address pa: that of the last physical
 * descriptor covering it (later ones override), T_KIP_TYPE_NONE if none. */
L4_Word_t t_kip_type(L4_Word_t pa)
{
	L4_MemoryDesc_t *md;
	L4_Word_t n, type = T_KIP_TYPE_NONE;

	for (n = 0; (md = L4_MemoryDesc(rt_kip(), n)) != 0; n++)
		if (!L4_IsMemoryDescVirtual(md) && pa >= L4_MemoryDescLow(md) &&
		    pa <= L4_MemoryDescHigh(md))
			type = L4_MemoryDescType(md) & 0xf;
	return type;
}

/* A fresh page from sigma0, zeroed; 0 if there is none. */
L4_Word_t t_page(void)
{
	L4_Word_t p = rt_get_pages(1), i;

	for (i = 0; p && i < RT_PAGE_SIZE / 4; i++)
		((volatile L4_Word_t *)p)[i] = 0;
	return p;
}

/* Microseconds of an X.2 time period (m * 2^e); ~0 for Never. */
L4_Word_t t_time_us(L4_Time_t t)
{
	if (t.raw == 0)
		return ~0UL;
	return (L4_Word_t)t.period.m << t.period.e;
}

/* Poll *w (sleeping 1 ms between looks) until it equals v (equal) or
 * differs from it (!equal), for at most us. */
static int wait_until(volatile L4_Word_t *w, L4_Word_t v, int equal, L4_Word_t us)
{
	L4_Word_t start = rt_now_us();

	while ((*w == v) != equal) {
		if (rt_now_us() - start > us)
			return 0;
		rt_sleep_us(1000);
	}
	return 1;
}

int t_wait_for(volatile L4_Word_t *w, L4_Word_t want, L4_Word_t us)
{
	return wait_until(w, want, 1, us);
}

int t_wait_change(volatile L4_Word_t *w, L4_Word_t old, L4_Word_t us)
{
	return wait_until(w, old, 0, us);
}

L4_Word_t t_gs0(void)
{
	L4_Word_t v;

	__asm__ __volatile__("movl %%gs:0, %0" : "=r"(v));
	return v;
}

/* Create an active thread in the root's space with the given scheduler
 * and UTCB slot; it waits for a start message.  Nil on failure. */
L4_ThreadId_t t_sched_new(L4_ThreadId_t scheduler, L4_Word_t utcb)
{
	L4_ThreadId_t tid = rt_tid_alloc();

	rt_tid_attach(tid, 0, utcb);
	if (L4_ThreadControl(tid, L4_Myself(), scheduler, L4_Pager(), (void *)utcb) != 1)
		return L4_nilthread;
	return tid;
}

#define EXC_LABEL	0xffb            /* -5 << 4 >> 4, an exception message */

const char *t_exception(L4_ThreadId_t t, L4_Word_t us, L4_Word_t *w)
{
	L4_MsgTag_t tag = L4_Receive_Timeout(t, us == RT_NEVER_US ? L4_Never : rt_us(us));
	int i;

	if (L4_IpcFailed(tag))
		return "no exception message";
	CHECK_EQ(L4_Label(tag) >> 4, EXC_LABEL);
	CHECK_EQ(L4_UntypedWords(tag), 12);
	for (i = 0; i < 12; i++)
		w[i] = rt_mr(i + 1);
	return 0;
}

void t_load(L4_Word_t label, int u, const L4_Word_t *w, int t, const L4_Word_t *items)
{
	L4_MsgTag_t tag = L4_Niltag;
	int i;

	tag.X.label = label;
	tag.X.u = u;
	tag.X.t = t;
	for (i = 0; i < u; i++)
		L4_LoadMR(1 + i, w[i]);
	for (i = 0; i < t; i++)
		L4_LoadMR(1 + u + i, items[i]);
	L4_LoadMR(0, tag.raw);
}

void t_sleeper(L4_Word_t arg)
{
	(void)arg;
	rt_thread_exit();
}

/*
 * Echo server: answers each message with the label XOR 0xff and every
 * untyped word complemented; it counts the requests in t_shared[arg] and
 * remembers the last sender in t_shared[arg + 1].
 */
void t_echo(L4_Word_t arg)
{
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	L4_Accept(L4_UntypedWordsAcceptor);
	tag = L4_Wait(&from);
	for (;;) {
		L4_Word_t *mr = __L4_X86_Utcb();
		L4_Word_t i, u;

		if (L4_IpcFailed(tag)) {
			tag = L4_Wait(&from);
			continue;
		}
		t_shared[arg]++;
		t_shared[arg + 1] = from.raw;
		u = L4_UntypedWords(tag);
		for (i = 1; i <= u; i++)
			mr[i] = ~mr[i];
		tag.X.label ^= 0xff;
		tag.X.t = 0;
		tag.X.flags = 0;
		L4_LoadMR(0, tag.raw);
		tag = L4_ReplyWait(from, &from);
	}
}

/* Count in t_shared[index] for ever. */
void t_spinner(L4_Word_t index)
{
	for (;;)
		t_shared[index]++;
}

/* Set t_shared[index] to 1 and stop. */
void t_flagger(L4_Word_t index)
{
	t_shared[index] = 1;
}

static struct {
	L4_ThreadId_t to;
	L4_Word_t tag, xfer, w[16];
	volatile L4_Word_t out_tag, out_ec, done;
} async;

static void async_body(L4_Word_t arg)
{
	L4_MsgTag_t tag = { .raw = async.tag };
	int i, n = (int)(tag.X.u + tag.X.t);

	(void)arg;
	L4_Set_XferTimeouts(async.xfer);
	for (i = 0; i < n && i < 16; i++)
		L4_LoadMR(i + 1, async.w[i]);
	L4_LoadMR(0, tag.raw);
	tag = L4_Send(async.to);
	async.out_tag = tag.raw;
	async.out_ec = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
	async.done = 1;
}

L4_ThreadId_t t_send_async(L4_ThreadId_t to, L4_MsgTag_t tag, const L4_Word_t *w,
			   L4_Word_t xfer)
{
	int i, n = (int)(tag.X.u + tag.X.t);

	async.to = to;
	async.tag = tag.raw;
	async.xfer = xfer;
	for (i = 0; i < n && i < 16; i++)
		async.w[i] = w[i];
	async.done = 0;
	return rt_thread_create(async_body, 0);
}

/* Wait for the async send to end, for as long as it takes (t_sync.h):
 * its tag and ErrorCode (bits 0-3). */
void t_send_async_wait(L4_MsgTag_t *tag, L4_Word_t *ec)
{
	t_until(&async.done, 1);
	tag->raw = async.out_tag;
	*ec = async.out_ec & 0xf;
}

void t_receive_from_main(L4_Word_t arg)
{
	(void)arg;
	(void)L4_Receive(rt_main_thread());
}

void t_send_to_main(L4_Word_t arg)
{
	(void)arg;
	t_load(5, 0, 0, 0, 0);
	(void)L4_Send(rt_main_thread());
}

/* The kernel's self-check (KmemControl SELF_CHECK), run after every test
 * while its threads are still where it left them: every kernel structure
 * must hold its invariants, and each thread's kernel state must be one
 * the kernel could have put it in. */
const char *t_selfcheck(void)
{
	L4_Word_t bad = lent_kmem_control(0, LENT_KMEM_SELF_CHECK, 0), first, rule, where, task;

	if (bad == 0)
		return NULL;
	L4_StoreMR(1, &first);
	L4_StoreMR(2, &rule);
	L4_StoreMR(3, &where);
	L4_StoreMR(4, &task);
	if (rule >= LENT_SC_RECORD) {
		printf("#   self-check: kernel structure breaks rule %lu (<lent/kmem.h>) at %lx, "
		       "task %lu, thread %lx\n", rule, where, task, first);
		return "self-check: a kernel structure breaks a rule";
	}
	printf("#   self-check: %lu thread(s) in a state the kernel never makes; "
	       "the first %lx breaks rule %lu (kernel/kcont.h)\n", bad, first, rule);
	return "self-check: a thread's kernel state breaks a rule";
}

/* Send one propagated word w with virtual sender vs (send timeout us). */
L4_MsgTag_t t_prop_send(L4_ThreadId_t to, L4_ThreadId_t vs, L4_Word_t label, L4_Word_t w,
			L4_Word_t us)
{
	L4_MsgTag_t tag = L4_Niltag;

	tag.X.label = label;
	tag.X.u = 1;
	L4_Set_Propagation(&tag);
	L4_Set_VirtualSender(vs);
	L4_LoadMR(1, w);
	L4_LoadMR(0, tag.raw);
	return L4_Send_Timeout(to, us == RT_NEVER_US ? L4_Never : rt_us(us));
}

/* A redirector's forward of the message in the MRs (tag; the words of
 * the one just received, or its own) for from: propagated with from as
 * virtual sender, to the intended receiver, with send timeout snd. */
L4_MsgTag_t t_redir_forward(L4_MsgTag_t tag, L4_ThreadId_t from, L4_Time_t snd)
{
	tag.X.flags = 0;
	L4_Set_Propagation(&tag);
	L4_LoadMR(0, tag.raw);
	L4_Set_VirtualSender(from);
	return L4_Send_Timeout(L4_IntendedReceiver(), snd);
}

/* Send thread to the command label with op and w in MR1 and MR2. */
const char *t_command(L4_ThreadId_t to, L4_Word_t label, L4_Word_t op, L4_Word_t w)
{
	L4_Word_t words[2] = { op, w };

	t_load(label, 2, words, 0, 0);
	CHECK(L4_IpcSucceeded(L4_Send(to)));
	return 0;
}
