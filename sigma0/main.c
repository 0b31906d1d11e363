/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0, the root pager (thread UserBase, version 1).  It owns all
 * physical memory at boot and hands it out idempotently (virtual ==
 * physical) through two protocols:
 *   page faults (label -2, u = 2: fault address, IP): the faulting 4 KB
 *     page if it is conventional, boot-loader, shared or the client's own;
 *     otherwise no reply (the thread stays blocked, sigma0 logs it);
 *   sigma0 RPC (label -6, u = 2: fpage, attributes): the fpage named, or
 *     with a base of all ones any free conventional fpage of that size;
 *     the answer is one map item, with a nil fpage on refusal.
 * Messages with other labels get no reply.  The kernel builds sigma0's
 * own idempotent mappings, so a map item's send base is the physical
 * address itself.  sigma0 is also the kpager of last resort (kpager.c),
 * and pays for its own kernel memory with frames it gives the kernel
 * (kstore.c).
 */
#include <stdio.h>
#include <l4/kip.h>
#include <l4/ipc.h>
#include <l4/misc.h>
#include <l4/kdebug.h>
#include <l4/arch.h>
#include <lent/kmem.h>
#include "mem.h"
#include "kpager.h"
#include "kstore.h"
#include "io.h"

/* Top 12 bits of the label: the protocol. */
#define PROTO_PAGEFAULT		0xffeu		/* -2 */
#define PROTO_SIGMA0		0xffau		/* -6 */
#define PROTO_SIGMA0_EXT	0xc17u		/* -1001: debugging aids */
#define PROTO_KPF		0xff0u		/* -16: kernel page fault (Lent) */
#define PROTO_IOFAULT		0xff8u		/* -8: I/O fault (IA-32) */

#define EXT_VERBOSE		1
#define EXT_DUMP		2
#define EXT_KSTORE		3

/* How long a reply of sigma0's may wait for its receiver's kpager to
 * lend the kernel memory its map item needs (the transfer's deadline,
 * docs/abi.md §6): sigma0 serves everybody, so a kpager that never
 * answers holds it up this long at most (docs/attack-surface.md).  Long
 * enough that an honest kpager on a loaded machine answers in time (its
 * answer is a few thousand instructions; this is wall-clock time under
 * QEMU without -icount), short enough to bound the harm. */
#define SIGMA0_XFER_US		2000000UL

/* A base of all ones in bits 10..31 of the fpage: "any page". */
#define FPAGE_ANY_BASE		0x3fffffu

#define MAX_COMPLAINTS		32	/* log lines about refused requests */

/* No client: a message sigma0 does not serve (never a page owner). */
#define NO_CLIENT		OWNER_FREE

static L4_KernelInterfacePage_t *kip;
static L4_ThreadId_t self, root;
static L4_Word_t user_base;
static int verbose;
static int complaints;

/* Log a refusal, but not without bound: clients can send garbage. */
static void complain(const char *what, L4_ThreadId_t from, L4_Word_t a, L4_Word_t b)
{
	if (complaints > MAX_COMPLAINTS && !verbose)
		return;
	if (complaints++ == MAX_COMPLAINTS && !verbose) {
		printf("sigma0: further refusals not logged\n");
		return;
	}
	printf("sigma0: %s from %lx (%lx, %lx)\n", what, from.raw, a, b);
}

/*
 * The client a thread counts as.  sigma0's pagees (the root task's threads,
 * or any thread a privileged task gave sigma0 as pager) form one client,
 * the root task, so that they share its memory.  The kernel tells which
 * they are: it lets sigma0 use ExchangeRegisters on a thread of another
 * space only if ThreadControl made sigma0 that thread's pager, which the
 * thread cannot change (neither its Pager TCR nor an ExchangeRegisters
 * counts).  The pager value the call returns is that TCR: it is the
 * thread's to write, so it is not looked at.  Everybody else is a client
 * of its own, named by its global ID (version included).
 */
static L4_Word_t client_of(L4_ThreadId_t t)
{
	L4_Word_t control, sp, ip, flags, handle;
	L4_ThreadId_t pager, r;

	if (L4_IsThreadEqual(t, root))
		return root.raw;
	if (!L4_IsGlobalId(t) || L4_IsNilThread(t))
		return NO_CLIENT;
	r = L4_ExchangeRegisters(t, 1UL << 9, 0, 0, 0, 0, L4_nilthread,
				 &control, &sp, &ip, &flags, &handle, &pager);
	if (!L4_IsNilThread(r))
		return root.raw;
	return t.raw;
}

/*
 * The client a message counts as.  A propagated message names its virtual
 * sender as `from`; the kernel allows that only for a thread of the
 * sender's space or one waiting for the sender, and sigma0's answer goes to
 * the virtual sender.  Still, a message counts only if its actual sender
 * is the same client or the root task (a pager of the root task may
 * forward its pagees' faults): an unprivileged sender never acts as
 * anybody else here.
 */
static L4_Word_t client_of_message(L4_ThreadId_t from, L4_MsgTag_t tag)
{
	L4_Word_t client = client_of(from), actual;

	if (client == NO_CLIENT || !L4_IpcPropagated(tag))
		return client;
	actual = client_of(L4_ActualSender());
	if (actual != client && actual != root.raw)
		return NO_CLIENT;
	return client;
}

/* MR0..MR2 for a reply carrying map item m. */
static void load_map_reply(L4_MapItem_t m)
{
	L4_Msg_t msg;

	L4_MsgClear(&msg);
	L4_MsgAppendMapItem(&msg, m);
	L4_MsgLoad(&msg);
}

static L4_MapItem_t map_of(L4_Word_t base, unsigned log2)
{
	return L4_MapItem(L4_FpageAddRights(L4_FpageLog2(base, log2), L4_FullyAccessible), base);
}

static L4_Word_t last_fault_from, last_fault_page;

/* Page fault: map the page at the fault address.  Returns 1 to reply. */
static int serve_fault(L4_ThreadId_t from, L4_Word_t client, L4_Word_t addr, L4_Word_t ip)
{
	L4_Word_t page = addr & ~0xfffUL;

	if (client == NO_CLIENT || mem_claim(page, 12, client, HOW_FAULT) < 0) {
		/* The thread stays blocked; say why, unless a stranger is
		 * merely sending fault-shaped messages. */
		if (client == root.raw)
			printf("sigma0: unhandled page fault from %lx at %lx, ip %lx\n",
			       from.raw, addr, ip);
		else
			complain("refused page fault", from, addr, ip);
		return 0;
	}
	if (verbose)
		printf("sigma0: page fault from %lx at %lx, ip %lx\n", from.raw, addr, ip);
	/* A fault that comes again at once may be one whose mapping needed
	 * a sender part the store did not have (a page the client also
	 * holds elsewhere, a shared page): top the store up then, rather
	 * than read its level at every fault. */
	if (from.raw == last_fault_from && page == last_fault_page)
		kstore_keep_for_again(from.raw, 12);
	last_fault_from = from.raw;
	last_fault_page = page;
	load_map_reply(map_of(page, 12));
	return 1;
}

/* Memory attributes other than the default go through MemoryControl,
 * which only helps if the kernel offers it. */
static int set_attributes(L4_Word_t base, unsigned log2, L4_Word_t attributes)
{
	if (attributes == 0)
		return 0;
	if (kip->MemoryControl == 0)
		return -1;
	return L4_Set_PageAttribute(L4_FpageLog2(base, log2), attributes) ? 0 : -1;
}

/* sigma0 RPC; always answered, with a nil fpage when refused. */
static void serve_request(L4_ThreadId_t from, L4_Word_t client, L4_MsgTag_t tag,
			  L4_Word_t mr1, L4_Word_t mr2)
{
	L4_Fpage_t f = { .raw = mr1 };
	unsigned log2 = L4_SizeLog2(f);
	L4_Word_t base = L4_Address(f);
	int ok, again = 0;

	if (L4_UntypedWords(tag) != 2 || L4_TypedWords(tag) != 0) {
		complain("malformed request", from, tag.raw, mr1);
		load_map_reply(L4_MapItem(L4_Nilpage, 0));
		return;
	}
	if (L4_IsIoFpage(f)) {
		if (!io_serve(f, client == root.raw, 1))
			complain("refused I/O request", from, mr1, mr2);
		return;
	}
	/* Kernel threads get nothing. */
	if (client == NO_CLIENT || L4_ThreadNo(from) < user_base || log2 < 12 || log2 > 31) {
		complain("refused request", from, mr1, mr2);
		load_map_reply(L4_MapItem(L4_Nilpage, 0));
		return;
	}
	if ((mr1 >> 10) == FPAGE_ANY_BASE) {
		ok = mem_claim_any(log2, client, &base) == 0 ||
		     (kpager_release_spare() && mem_claim_any(log2, client, &base) == 0);
	} else {
		again = mem_held_by(base, log2, client);
		ok = mem_claim(base, log2, client, HOW_FIXED) == 0 ||
		     (mem_is_set_aside(base, log2) && kpager_release_spare() &&
		      mem_claim(base, log2, client, HOW_FIXED) == 0);
	}
	if (ok && set_attributes(base, log2, mr2) < 0)
		ok = 0;		/* the client keeps the memory, as X.2 allows */
	if (!ok) {
		complain("refused request", from, mr1, mr2);
		load_map_reply(L4_MapItem(L4_Nilpage, 0));
		return;
	}
	if (verbose)
		printf("sigma0: %lx gets %lx, %u bits\n", from.raw, base, log2);
	/* Mapping a page that is not RAM makes a root, and mapping again a
	 * page the client holds already a sender part, from our own kernel
	 * memory: have it in the store first. */
	kstore_keep_for(base, log2);
	if (again)
		kstore_keep_for_again(from.raw, log2);
	load_map_reply(map_of(base, log2));
}

/*
 * The test aid for sigma0's kernel-memory store (EXT_KSTORE), answered
 * with three words.  MR2 all ones: give the store one more page the usual
 * way; MR1 its address (0 if none), MR2 the store's free pages, MR3 0.
 * Otherwise MR2 names a page that is not sigma0's to give (not free RAM,
 * not its own): it is offered to the kernel anyway, which must refuse
 * it; MR1..MR3 are what KmemControl SIGMA0_GIVE returned, its ErrorCode
 * and its refusal.  A page that is sigma0's is never offered this way,
 * for the kernel would rightly take it behind sigma0's table's back.
 */
static void serve_kstore(L4_Word_t pa)
{
	L4_Word_t w[3] = { 0, 0, 0 };
	L4_Msg_t msg;

	if (pa == ~0UL) {
		w[0] = kstore_give_one();
		w[1] = kstore_level();
	} else if (!mem_is_sigma0s(pa)) {
		w[0] = lent_kmem_control(0, LENT_KMEM_SIGMA0_GIVE, pa);
		w[1] = L4_ErrorCode();
		L4_StoreMR(1, &w[2]);
	}
	L4_MsgClear(&msg);
	for (int i = 0; i < 3; i++)
		L4_MsgAppendWord(&msg, w[i]);
	L4_MsgLoad(&msg);
}

/* Debugging aids for the root task (and the kernel): MR1 = 1 sets the
 * verbosity to MR2, MR1 = 2 prints the memory table and, if MR2 != 0,
 * replies with an empty message, MR1 = 3 is serve_kstore's.  Returns 1
 * to reply. */
static int serve_ext(L4_ThreadId_t from, L4_Word_t client, L4_Word_t mr1, L4_Word_t mr2)
{
	if (L4_ThreadNo(from) >= user_base && client != root.raw)
		return 0;
	if (mr1 == EXT_VERBOSE)
		verbose = (int)mr2;
	if (mr1 == EXT_KSTORE) {
		serve_kstore(mr2);
		return 1;
	}
	if (mr1 == EXT_DUMP) {
		mem_report(1);
		if (mr2 != 0) {
			L4_Set_MsgTag(L4_Niltag);
			return 1;
		}
	}
	return 0;
}

/* Handle one message; returns 1 when the MRs hold a reply to send. */
static int dispatch(L4_ThreadId_t from, L4_MsgTag_t tag)
{
	L4_Word_t mr1, mr2, client;

	L4_StoreMR(1, &mr1);
	L4_StoreMR(2, &mr2);
	client = client_of_message(from, tag);
	switch (L4_Label(tag) >> 4) {
	case PROTO_PAGEFAULT:
		if (L4_UntypedWords(tag) != 2 || L4_TypedWords(tag) != 0) {
			complain("malformed page fault", from, tag.raw, mr1);
			return 0;
		}
		return serve_fault(from, client, mr1, mr2);
	case PROTO_SIGMA0:
		serve_request(from, client, tag, mr1, mr2);
		return 1;
	case PROTO_IOFAULT:
		if (L4_UntypedWords(tag) != 2 || L4_TypedWords(tag) != 0 ||
		    !io_serve((L4_Fpage_t){ .raw = mr1 }, client == root.raw, 0)) {
			complain("refused I/O fault", from, mr1, mr2);
			return 0;
		}
		return 1;
	case PROTO_KPF:
		return kpager_serve(tag);
	case PROTO_SIGMA0_EXT:
		if (L4_UntypedWords(tag) != 2)
			return 0;
		return serve_ext(from, client, mr1, mr2);
	default:
		complain("unknown request", from, tag.raw, mr1);
		return 0;
	}
}

/* The last reply sent, and one held back by the deadlock rule. */
static L4_ThreadId_t last_to, held_to;
static L4_Word_t last_mr[3], held_mr[3];

static void last_keep(L4_ThreadId_t to)
{
	last_to = to;
	for (int i = 0; i < 3; i++)
		L4_StoreMR(i, &last_mr[i]);
}

/* Did the kernel abort our reply because its receiver needs kernel
 * memory that we, as its kpager, must give first? */
static int reply_deadlocked(void)
{
	L4_Word_t e = L4_ErrorCode();

	return !(e & 1) && ((e >> 1) & 7) == 7 && (e >> 4) == LENT_KPF_DEADLOCK;
}

static void held_keep(void)
{
	held_to = last_to;
	for (int i = 0; i < 3; i++)
		held_mr[i] = last_mr[i];
}

static L4_ThreadId_t held_take(void)
{
	L4_ThreadId_t to = held_to;

	for (int i = 0; i < 3; i++)
		L4_LoadMR(i, held_mr[i]);
	held_to = L4_nilthread;
	return to;
}

int main(void)
{
	L4_Word_t version, flags, kernel_id;
	L4_ThreadId_t from;
	L4_MsgTag_t tag;

	kip = L4_KernelInterface(&version, &flags, &kernel_id);
	user_base = L4_ThreadIdUserBase(kip);
	self = L4_MyGlobalId();
	root = L4_GlobalId(user_base + 2, 1);

	printf("sigma0: Lent root pager, thread %lx, KIP at %p (API %lx, kernel %lx)\n",
	       self.raw, (void *)kip, version, kernel_id);
	mem_init(kip, L4_GlobalId(L4_ThreadIdSystemBase(kip), 1).raw,
		 L4_GlobalId(user_base, 1).raw, L4_GlobalId(user_base + 1, 1).raw, root.raw);
	mem_report(0);
	kstore_init();

	/* sigma0 takes untyped words only. */
	L4_Accept(L4_UntypedWordsAcceptor);
	L4_Set_XferTimeouts(L4_Timeouts(L4_TimePeriod(SIGMA0_XFER_US), L4_Never));
	tag = L4_Wait(&from);
	for (;;) {
		/* A failed reply (the client was not waiting) ends the IPC
		 * before its receive phase: wait afresh.  One the kernel
		 * aborted because the client needs kernel memory from us first
		 * is kept, and sent again after that fault is answered. */
		while (L4_IpcFailed(tag)) {
			if (reply_deadlocked())
				held_keep();
			tag = L4_Wait(&from);
		}
		if (!dispatch(from, tag)) {
			tag = L4_Wait(&from);
			continue;
		}
		if (held_to.raw) {
			L4_Reply(from);          /* the kernel page fault's answer first */
			from = held_take();      /* then the reply it held up */
		}
		last_keep(from);
		tag = L4_ReplyWait(from, &from);
	}
}
