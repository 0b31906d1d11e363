/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The debugger's commands on threads and spaces: the thread list, a
 * thread's registers and kernel state, its UTCB, the list of spaces.
 * Every record is read only after kdb_readable() said it can be: a
 * thread may have no body yet (ThreadControl gathering its TCB page), no
 * space yet (its task record being gathered) or no UTCB.
 */
#include <kernel/kdb_internal.h>
#include <kernel/kprintf.h>
#include <kernel/sched.h>
#include <arch/arch.h>

static const char *state_name(uint8_t s)
{
	static const char *const names[] = {
		[TS_INACTIVE] = "inactive", [TS_READY] = "ready", [TS_SEND] = "send",
		[TS_RECV] = "recv", [TS_HALTED] = "halted", [TS_AWAY] = "away",
	};
	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

static const char *cont_name(uint8_t k)
{
	static const char *const names[CONT_KINDS] = {
		[CONT_USER_IPC] = "ipc", [CONT_PAGEFAULT] = "pagefault",
		[CONT_PF_RECV] = "pagefault-in-receive", [CONT_EXCEPTION] = "exception",
		[CONT_STARTUP] = "startup", [CONT_KPF] = "kernel-pagefault",
		[CONT_KPF_FAULT] = "kernel-pagefault-for-pagefault",
	};
	return k < CONT_KINDS ? names[k] : "?";
}

/* A thread specifier as the list shows it. */
static void print_tid(tid_t id)
{
	if (tid_is_nil(id))
		kprintf("-");
	else if (tid_is_any(id))
		kprintf("any");
	else if (tid_is_anylocal(id))
		kprintf("anylocal");
	else
		kprintf("%x", id);
}

/* The thread c waits for: the receiver of a send, the specifier of a
 * receive (with the kind of kernel-made IPC, if it is one). */
static void print_partner(const tcb_core_t *c)
{
	if (c->state == TS_SEND) {
		if (c->partner && kdb_readable(c->partner, sizeof(*c->partner)))
			kprintf("%x", c->partner->id);
		else
			kprintf("?");
	} else if (c->state == TS_RECV && c->tcb && kdb_readable(c->tcb, sizeof(tcb_t))) {
		print_tid(c->tcb->cont.ipc_from);
	} else {
		kprintf("-");
	}
	if ((c->state == TS_SEND || c->state == TS_RECV) && c->tcb &&
	    kdb_readable(c->tcb, sizeof(tcb_t)) && c->tcb->cont.kind != CONT_USER_IPC)
		kprintf(" (%s)", cont_name(c->tcb->cont.kind));
}

/* Call fn on every resident part the thread table holds. */
static void for_each_core(void (*fn)(tcb_core_t *c, void *arg), void *arg)
{
	for (uint32_t d = 0; d < THREAD_DIR_ENTRIES; d++) {
		tcb_core_t **leaf = thread_dir[d];
		if (!leaf)
			continue;
		if (!kdb_readable(leaf, LEAF_ENTRIES * sizeof(*leaf))) {
			kprintf("thread-table leaf %u at %p unreadable\n", d, leaf);
			continue;
		}
		for (uint32_t i = 0; i < LEAF_ENTRIES; i++) {
			tcb_core_t *c = leaf[i];
			if (!c)
				continue;
			if (!kdb_readable(c, sizeof(*c))) {
				kprintf("thread #%u: resident part at %p unreadable\n",
					d * LEAF_ENTRIES + i, c);
				continue;
			}
			fn(c, arg);
		}
	}
}

static void list_one(tcb_core_t *c, void *arg)
{
	unsigned *n = arg;

	(*n)++;
	kprintf("%c %08x %5u ", current && current->core == c ? '*' : ' ', c->id,
		tid_number(c->id));
	kdb_left(state_name(c->state), 9);
	kprintf("%3u ", c->prio);
	if (!c->space) {
		kputs("new:");
		kdb_left_u(c->unhoused.task, 5);
	} else if (kdb_readable(c->space, sizeof(space_t))) {
		kdb_left_u(c->space->id, 9);
	} else {
		kdb_left("?", 9);
	}
	kdb_left(!c->tcb ? "no" : kdb_readable(c->tcb, sizeof(tcb_t)) ? "yes" : "bad", 5);
	print_partner(c);
	kprintf("\n");
}

bool kdb_cmd_threads(int argc, char **word, tcb_t *here)
{
	unsigned n = 0;

	(void)word; (void)here;
	if (argc != 1)
		return kdb_usage("t");
	kprintf("  thread   number state    pri space    body partner\n");
	for_each_core(list_one, &n);
	kprintf("%u threads\n", n);
	return false;
}

bool kdb_cmd_regs(int argc, char **word, tcb_t *here)
{
	(void)here;
	if (argc != 2)
		return kdb_usage("r <thread>");
	tcb_core_t *c = kdb_thread_arg(word[1]);
	if (!c)
		return false;
	kprintf("thread %x: %s, priority %u, TCB slot %u\n", c->id, state_name(c->state),
		c->prio, c->slot);
	tcb_t *t = kdb_body(c);
	if (!t)
		return false;
	arch_kdb_print_regs(&t->ctx);
	kprintf("continuation %s, receive from ", cont_name(t->cont.kind));
	print_tid(t->cont.ipc_from);
	kprintf(", timeout at %u us, halted %u\n", (uint32_t)c->wakeup_us, t->cont.halted);
	kprintf("pager %x, scheduler %x, time slice %u us (%u left), UTCB %x\n", t->pager,
		t->scheduler, t->timeslice_us, t->ts_left_us, t->utcb_location);
	return false;
}

bool kdb_cmd_utcb(int argc, char **word, tcb_t *here)
{
	static const struct { int off; const char *name; } tcrs[] = {
		{ TCR_MY_GLOBAL_ID, "MyGlobalId" }, { TCR_PROCESSOR_NO, "ProcessorNo" },
		{ TCR_USER_HANDLE, "UserDefinedHandle" }, { TCR_PAGER, "Pager" },
		{ TCR_EXC_HANDLER, "ExceptionHandler" }, { TCR_ERROR_CODE, "ErrorCode" },
		{ TCR_XFER_TIMEOUT, "XferTimeout" }, { TCR_INTENDED_RCV, "IntendedReceiver" },
		{ TCR_ACTUAL_SENDER, "ActualSender" },
	};
	(void)here;
	if (argc != 2)
		return kdb_usage("u <thread>");
	tcb_core_t *c = kdb_thread_arg(word[1]);
	tcb_t *t = c ? kdb_body(c) : NULL;
	if (!t)
		return false;
	if (!t->utcb) {
		kprintf("thread %x has no UTCB%s\n", c->id, t->utcb_away ? " here (taken back)" : "");
		return false;
	}
	/* From the first control register to MR7. */
	if (!kdb_readable(t->utcb + TCR_MY_GLOBAL_ID / 4, (uint32_t)(-TCR_MY_GLOBAL_ID) + 8 * 4)) {
		kprintf("thread %x: UTCB at %p unreadable\n", c->id, t->utcb);
		return false;
	}
	kprintf("UTCB of %x at user %x (MR0 at %x)\n", c->id, t->utcb_location,
		t->utcb_location + UTCB_LOCAL_ID_OFFSET);
	for (unsigned i = 0; i < ARRAY_SIZE(tcrs); i++)
	{
		kputs("  ");
		kdb_left(tcrs[i].name, 19);
		kprintf("%08x\n", UTCB_TCR(t, tcrs[i].off));
	}
	kprintf("  MR0-MR7           ");
	for (unsigned i = 0; i < 8; i++)
		kprintf(" %08x", t->utcb[i]);
	kprintf("\n");
	return false;
}

static void space_one(tcb_core_t *c, void *arg)
{
	unsigned *n = arg;
	space_t *s = c->space;

	if (!s || !c->tcb || !kdb_readable(s, sizeof(*s)) || s->thread_list != c->tcb)
		return;
	(*n)++;
	kprintf("space %u%s: %u threads (%u active), first %x; KIP area %x, UTCB area %x/%u; "
		"%u pages mapped, %u kernel pages; kpager ", s->id,
		s->sigma0 ? " (sigma0)" : s->privileged ? " (privileged)" : "", s->threads,
		s->active_threads, c->id, fpage_base(s->kip_area), fpage_base(s->utcb_area),
		fpage_size_log2(s->utcb_area), space_mapped_pages(s), kmem_charge_total(&s->kmem));
	print_tid(s->kpager);
	kprintf("\n");
}

bool kdb_cmd_spaces(int argc, char **word, tcb_t *here)
{
	unsigned n = 0;

	(void)word; (void)here;
	if (argc != 1)
		return kdb_usage("s");
	for_each_core(space_one, &n);
	kprintf("%u spaces\n", n);
	return false;
}
