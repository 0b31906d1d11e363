/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One step of the system-call fuzz, and the fuzz threads' body.  A step
 * is one of the eleven X.2 calls through the KIP stubs, a raw `int $N`
 * (N = 0..255, including 0x30 and 0x31 from outside the KIP), `int3`
 * followed by random bytes, `lock; nop` (or lock on an instruction that
 * must raise #UD), a user-mode `iret` with a random EFLAGS, or random
 * writes to the thread's own BRs and TCRs (besides random UTCB writes
 * before one step in ten).
 *
 * Debugging: build with -DFZ_TRACE (every call is printed before it is
 * made: thread, step, op, code, registers), -DFZ_OPMASK=bits (only the
 * ops whose bits are set), -DFZ_NO_VM86 (no EFLAGS.VM in the iret op),
 * e.g. make CC='gcc -DFZ_NO_VM86' after touching this file.
 */
#include "t_fuzz.h"

struct fz_rw fz_rw __attribute__((aligned(4096)));

/*
 * fz_invoke(r, target): load all seven general registers from *r, call
 * target (a KIP stub or a code buffer), store the seven back.
 * fz_start: the entry and re-entry point of every fuzz thread; its stack
 * pointer (the top of its stack in fz_rw, less 16) names the thread.
 */
__asm__(
	".text\n"
	".globl fz_invoke\n"
	"fz_invoke:\n"
	"	pushl %ebp\n"
	"	pushl %ebx\n"
	"	pushl %esi\n"
	"	pushl %edi\n"
	"	movl 20(%esp), %eax\n"
	"	pushl %eax\n"
	"	pushl 28(%esp)\n"
	"	movl 4(%eax), %ebx\n"
	"	movl 8(%eax), %ecx\n"
	"	movl 12(%eax), %edx\n"
	"	movl 16(%eax), %esi\n"
	"	movl 20(%eax), %edi\n"
	"	movl 24(%eax), %ebp\n"
	"	movl 0(%eax), %eax\n"
	"	call *(%esp)\n"
	"	xchgl %eax, 4(%esp)\n"
	"	movl %ebx, 4(%eax)\n"
	"	movl %ecx, 8(%eax)\n"
	"	movl %edx, 12(%eax)\n"
	"	movl %esi, 16(%eax)\n"
	"	movl %edi, 20(%eax)\n"
	"	movl %ebp, 24(%eax)\n"
	"	addl $4, %esp\n"
	"	popl %ecx\n"
	"	movl %ecx, 0(%eax)\n"
	"	popl %edi\n"
	"	popl %esi\n"
	"	popl %ebx\n"
	"	popl %ebp\n"
	"	ret\n"
	".globl fz_start\n"
	"fz_start:\n"
	"	cld\n"
	"	movl %esp, %ecx\n"
	"	movl %esp, %eax\n"
	"	subl $fz_rw, %eax\n"
	"	shrl $12, %eax\n"
	"	andl $-16, %esp\n"
	"	subl $8, %esp\n"
	"	pushl %ecx\n"
	"	pushl %eax\n"
	"	call fz_main\n"
	"1:	jmp 1b\n");

_Static_assert(FZ_STACK_LOG2 == 12, "fz_start shifts by 12");

static W *utcb_of(int idx)
{
	return (W *)fz.local[idx];
}

static W stack_pointer(void)
{
	W sp;

	__asm__ __volatile__("movl %%esp, %0" : "=r"(sp));
	return sp;
}

/* A failed check records what a replay needs: the step, and whether the
 * thread still runs on the stack it made the call on (a sibling's
 * ExchangeRegisters may set its SP alone). */
static void priv_check(struct fz_thread *me, W res, W *u, W op, W want_ec, W step)
{
	if (res != 0 || u[U_ERROR] != want_ec) {
		me->priv_bad++;
		me->priv_bad_what = (op << 24) | ((res & 0xff) << 8) | (u[U_ERROR] & 0xff);
		me->priv_bad_error = u[U_ERROR];
		me->priv_bad_step = step;
		me->priv_bad_sp[0] = me->call_sp;
		me->priv_bad_sp[1] = stack_pointer();
	}
}

/* Whether a privileged MemoryControl or ProcessorControl with these
 * registers is one the kernel honours (docs/abi.md section 5): then it
 * must succeed, else fail with "invalid parameter". */
static int attr_ok(W a)
{
	return a <= 4 || ((a == 5 || a == 8) && t_cpu_has_pat());
}

static int honoured(W op, const struct fz_regs *in, const W *u)
{
	const W attr[4] = { in->ecx, in->edx, in->ebx, in->ebp };
	L4_KernelInterfacePage_t *k = rt_kip();
	W i, khz = ((W *)((W)k + k->ProcDescPtr))[1];

	if (op == OP_PROC)
		return in->eax == 0 && in->edx == ~0UL && in->esi == ~0UL &&
		       (in->ecx == ~0UL || (khz && in->ecx == khz));
	if (in->eax > 63)
		return 0;
	for (i = 0; i <= in->eax; i++) {
		W f = i ? u[i] : in->esi;

		if (f != 0 && !attr_ok(attr[f & 3]))
			return 0;
	}
	return 1;
}

static const unsigned char op_weight[OP_N] = {
	[OP_IPC] = 14, [OP_LIPC] = 4, [OP_EXREG] = 6, [OP_TC] = 5, [OP_SC] = 3,
	[OP_SCHED] = 3, [OP_SWITCH] = 2, [OP_UNMAP] = 4, [OP_CLOCK] = 2, [OP_PROC] = 1,
	[OP_MEM] = 1, [OP_INTN] = 4, [OP_INT30] = 2, [OP_INT31] = 1, [OP_INT3] = 3,
	[OP_KI] = 1, [OP_UTCB] = 3, [OP_IRET] = 1,
};

/* Debugging aids: -DFZ_OPMASK=bits limits the ops (bit i: op i), and
 * -DFZ_TRACE prints every call before it is made. */
#ifndef FZ_OPMASK
#define FZ_OPMASK	((1UL << OP_N) - 1)
#endif

static W weight(W i)
{
	return (FZ_OPMASK >> i) & 1 ? op_weight[i] : 0;
}

static W pick_op(W *s)
{
	W total = 0, r, i;

	for (i = 0; i < OP_N; i++)
		total += weight(i);
	r = below(s, total);
	for (i = 0; r >= weight(i); i++)
		r -= weight(i);
	return i;
}

#ifdef FZ_TRACE
static void tr_hex(char *p, W v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
}

/* "F<thread> step op target code[0..3] eax ebx ecx edx esi edi ebp" */
static void trace(int idx, W step, W op, const struct fz_regs *r, W target)
{
	char *b = (char *)fz_rw.sbuf[idx] + FZ_SBUF - 128;
	W w[11] = { step, op, target, *(W *)fz_rw.th[idx].code,
		    r->eax, r->ebx, r->ecx, r->edx, r->esi, r->edi, r->ebp };
	int i, n = 0;

	b[n++] = 'F';
	b[n++] = (char)('a' + idx);
	for (i = 0; i < 11; i++, n += 8) {
		b[n++] = ' ';
		tr_hex(b + n, w[i]);
	}
	b[n++] = '\n';
	b[n] = 0;
	__asm__ __volatile__("int $3\n\tcmpb $1, %%al" : : "a"(b) : "memory", "cc");
}
#endif

/* push imm32 */
static unsigned char *push_imm(unsigned char *p, W v)
{
	*p++ = 0x68;
	*p++ = (unsigned char)v;
	*p++ = (unsigned char)(v >> 8);
	*p++ = (unsigned char)(v >> 16);
	*p++ = (unsigned char)(v >> 24);
	return p;
}

/* Registers and MRs of an Ipc (also used for int $0x30 from anywhere). */
static void ipc_regs(int idx, W *s, W *u, struct fz_regs *r)
{
	if (below(s, 4) == 0)
		fz_w_brs(idx, s, u);
	if (below(s, 2))
		u[U_XFER] = fz_w_timeouts(s);
	r->esi = u[0] = fz_w_message(idx, s, u);
	r->eax = fz_safe_id(fz_w_id(idx, s));
	r->edx = fz_safe_id(fz_w_id(idx, s));
	r->ecx = fz_w_timeouts(s);
	r->edi = below(s, 8) ? fz.local[idx] : fz_w_any(idx, s);
	fz_sanitize_items(u, r->esi);
	fz_sanitize_brs(idx, u);
}

/* Root phase: a thread ID for ThreadControl / SpaceControl: reserved
 * numbers, number 17 (sigma1, not created) or IDs the kernel refuses. */
static W tc_dest(W *s)
{
	switch (below(s, 12)) {
	case 0: return 0;
	case 1: return ~0UL;
	case 2: return 0xffffffc0UL;
	case 3: return fz_gid(below(s, 16), 1);
	case 4: return fz_gid(17, 1 + below(s, FZ_RES_VERS));
	case 5: return fz_gid(FZ_RES_NO + below(s, FZ_RES_NOS), 0);	/* local form */
	default: return fz_reserved_id(s);
	}
}

/* A random word that names no thread of the root (ThreadControl args). */
static W tc_word(W *s)
{
	W w = rnd(s), no = w >> 14;

	if (no < 20 || (no >= RT_FIRST_THREAD_NO && no < RT_FIRST_THREAD_NO + RT_THREAD_NOS) ||
	    (no >= FZ_RES_NO && no < FZ_RES_NO + FZ_RES_NOS) || (no == 0x3ffff) ||
	    in(w, FZ_UTCB, FZ_UTCB + 0x10000))
		return fz.nonexist;
	return w;
}

static void fz_step(int idx, struct fz_thread *me, W step)
{
	W s0 = fz_seed_of(idx, step), *s = &s0, *u = utcb_of(idx), op;
	struct fz_regs r, in;
	W target = 0;
	int j;

	r.eax = fz_w_any(idx, s);
	r.ebx = fz_w_any(idx, s);
	r.ecx = fz_w_any(idx, s);
	r.edx = fz_w_any(idx, s);
	r.esi = fz_w_any(idx, s);
	r.edi = fz_w_any(idx, s);
	r.ebp = fz_w_any(idx, s);
	op = pick_op(s);
	me->op = op;
	if (below(s, 10) == 0)
		fz_w_utcb(idx, s, u, 1 + below(s, 4));

	switch (op) {
	case OP_IPC:
	case OP_LIPC:
		ipc_regs(idx, s, u, &r);
		target = fz.stub[op == OP_IPC ? SC_IPC : SC_LIPC];
		break;
	case OP_EXREG:
		r.eax = fz_safe_target(fz_w_id(idx, s));
		r.ecx = below(s, 8) ? rnd(s) & 0x3ff : rnd(s);
		r.ebp = fz_w_pager(idx, s);
		j = fz_own_space_thread(idx, r.eax);
		if (j >= 0) {
			r.edx = fz_sp(j);
			r.esi = (W)fz_start;
			r.edi &= ~0x400UL;			/* DF would confuse C */
			/* SP and IP together or neither: an IP alone
			 * restarted the sibling deeper in its stack each
			 * time, until it ran into the next thread's stack;
			 * an SP alone left its C code reading the locals of
			 * no frame.  Either made a thread misjudge a call
			 * (a ThreadControl's error taken as ProcessorControl's). */
			if (r.ecx & (X_S | X_I))
				r.ecx |= X_S | X_I;
		}
		target = fz.stub[SC_EXREG];
		break;
	case OP_TC:
		if (fz.root) {
			r.eax = tc_dest(s);
			switch (below(s, 5)) {
			case 0: r.esi = 0; break;
			case 1: r.esi = r.eax; break;
			case 2: r.esi = tc_word(s); break;
			default: r.esi = tc_dest(s); break;
			}
			r.edx = below(s, 3) ? fz.main : below(s, 2) ? tc_dest(s) : tc_word(s);
			r.ecx = below(s, 2) ? fz_w_pager(idx, s) : below(s, 2) ? tc_dest(s) : tc_word(s);
			switch (below(s, 5)) {
			case 0: r.edi = ~0UL; break;
			case 1: r.edi = FZ_UTCB + below(s, RT_UTCB_SLOTS) * RT_UTCB_SIZE; break;
			case 2: r.edi = rnd(s) & ~0x1ffUL; break;
			case 3: r.edi = fz_w_addr(idx, s); break;
			default: r.edi = rnd(s); break;
			}
		}
		target = fz.stub[SC_THREAD];
		break;
	case OP_SC:
		if (fz.root) {
			r.eax = tc_dest(s);
			r.edx = below(s, 2) ? fz_fpage(FZ_KIP, 12, 0) : fz_w_fpage(idx, s);
			r.esi = below(s, 2) ? fz_fpage(FZ_UTCB, 12 + below(s, 8), 0) : fz_w_fpage(idx, s);
			r.edi = fz_w_any(idx, s);
		}
		target = fz.stub[SC_SPACE];
		break;
	case OP_SCHED:
		r.eax = fz_safe_target(fz_w_id(idx, s));
		if (below(s, 2))
			r.ecx = below(s, 2) ? ~0UL : below(s, 256);
		if (below(s, 2))
			r.edx = below(s, 2) ? ~0UL : rnd(s);
		if (below(s, 2))
			r.esi = below(s, 2) ? ~0UL : 0;
		target = fz.stub[SC_SCHED];
		break;
	case OP_SWITCH:
		r.eax = fz_safe_id(fz_w_id(idx, s));
		target = fz.stub[SC_SWITCH];
		break;
	case OP_UNMAP: {
		W k = below(s, 4) ? below(s, 4) : below(s, 64), i;

		r.eax = below(s, 6) ? (k | (below(s, 2) << 6)) : rnd(s);
		for (i = 0; i < 64; i++)
			if (i <= k || below(s, 8) == 0)
				u[i] = fz_w_fpage(idx, s);
		r.esi = u[0];
		r.edi = below(s, 8) ? fz.local[idx] : fz_w_any(idx, s);
		target = fz.stub[SC_UNMAP];
		break;
	}
	case OP_CLOCK:
		target = fz.stub[SC_CLOCK];
		break;
	case OP_PROC:
		target = fz.stub[SC_PROC];
		break;
	case OP_MEM:
		if (below(s, 2))
			u[0] = fz_w_fpage(idx, s);
		target = fz.stub[SC_MEM];
		break;
	case OP_INTN:
	case OP_INT30:
	case OP_INT31: {
		W n = op == OP_INT30 ? 0x30 : op == OP_INT31 ? 0x31 : below(s, 256);

		if (n == 0x30)
			ipc_regs(idx, s, u, &r);
		me->code[0] = 0xcd;
		me->code[1] = (unsigned char)n;
		me->code[2] = 0xc3;
		target = (W)me->code;
		break;
	}
	case OP_INT3: {
		unsigned char b1 = (unsigned char)rnd(s), b2 = (unsigned char)rnd(s);

		if (below(s, 3) == 0) {
			static const unsigned char ops[] = { 0x02, 0x08, 0x08, 0x02, 0x0d, 0x77 };

			b1 = 0x3c;
			b2 = ops[below(s, sizeof(ops))];
		}
		if (b1 == 0x3c && (b2 == 0x00 || b2 == 0x01))
			b2 = 0x02;		/* no printing: it would garble the TAP output */
		me->code[0] = 0xcc;
		me->code[1] = b1;
		me->code[2] = b2;
		me->code[3] = 0xc3;		/* never 0xb8: no "jmp; mov $msg" */
		target = (W)me->code;
		break;
	}
	case OP_KI: {
		/* lock; nop (KernelInterface), or lock on something that
		 * must raise #UD (or, where a CPU ignores the prefix, does
		 * no harm): no other instruction is ever executed. */
		static const unsigned char seq[][3] = {
			{ 0x90, 0xc3 }, { 0x90, 0xc3 }, { 0x90, 0xc3 }, { 0x0f, 0x0b },
			{ 0xc3 }, { 0x40, 0xc3 }, { 0xf0, 0x90, 0xc3 }, { 0x66, 0x90, 0xc3 },
		};
		const unsigned char *q = seq[below(s, sizeof(seq) / sizeof(seq[0]))];

		me->code[0] = 0xf0;
		me->code[1] = q[0];
		me->code[2] = q[1] ? q[1] : 0xc3;
		me->code[3] = q[2] ? q[2] : 0xc3;
		me->code[4] = 0xc3;
		target = (W)me->code;
		break;
	}
	case OP_IRET: {
		/*
		 * iret from user mode with a random EFLAGS (and, now and
		 * then, a random CS): a frame for the return to virtual-8086
		 * mode too (GS FS DS ES SS ESP EFLAGS CS EIP), though at
		 * CPL 3 a CPU ignores EFLAGS.VM.  EIP is the landing below,
		 * which drops the six words a same-level iret leaves.
		 */
		unsigned char *p = me->code;
		W land = (W)me->code + 9 * 5 + 1, fl = rnd(s), i;

		if (below(s, 2))
			fl = (fl & 0x00274fd5UL) | 0x202;	/* arithmetic, TF, DF, NT, RF, VM, AC, ID */
#ifdef FZ_NO_VM86
		fl &= ~0x20000UL;
#endif
		for (i = 0; i < 6; i++)
			p = push_imm(p, below(s, 2) ? rnd(s) & 0xffff : 0x23);
		p = push_imm(p, fl);
		p = push_imm(p, below(s, 4) ? 0x1b : rnd(s) & 0xffff);
		p = push_imm(p, land);
		*p++ = 0xcf;				/* iret */
		*p++ = 0x83; *p++ = 0xc4; *p++ = 0x18;	/* add $24, %esp */
		*p++ = 0xc3;
		target = (W)me->code;
		break;
	}
	default:
		fz_w_utcb(idx, s, u, 1 + below(s, 8));
		return;
	}
	/* Whatever else happened, receive buffers stay safe. */
	fz_sanitize_brs(idx, u);
	me->calls++;
	me->by_op[op]++;
#ifdef FZ_TRACE
	trace(idx, step, op, &r, target);
#endif
	in = r;
	if (op == OP_TC || op == OP_SC || op == OP_PROC || op == OP_MEM)
		u[U_ERROR] = FZ_EC_UNWRITTEN;
	me->call_sp = stack_pointer();
	(void)fz_invoke(&r, target);

	switch (op) {
	case OP_TC:
	case OP_SC:
		if (!fz.root)
			priv_check(me, r.eax, u, op, L4_ErrNoPrivilege, step);
		break;
	case OP_PROC:
	case OP_MEM:
		if (!fz.root)
			priv_check(me, r.eax, u, op, L4_ErrNoPrivilege, step);
		else if (!honoured(op, &in, u))
			priv_check(me, r.eax, u, op, L4_ErrInvalidParam, step);
		else if (r.eax != 1) {
			me->priv_bad++;
			me->priv_bad_what = (op << 24) | ((r.eax & 0xff) << 8) | (u[U_ERROR] & 0xff);
			me->priv_bad_error = u[U_ERROR];
			me->priv_bad_step = step;
		}
		break;
	case OP_CLOCK:
		if (r.edx < me->clock_hi || (r.edx == me->clock_hi && r.eax < me->clock_lo))
			me->clock_back++;
		me->clock_lo = r.eax;
		me->clock_hi = r.edx;
		break;
	default:
		break;
	}
}

void fz_main(W idx, W entry_sp)
{
	struct fz_thread *me;

	if (idx >= FZ_MAX)
		for (;;)
			;
	me = &fz_rw.th[idx];
	me->entries++;
	/* Every (re)start sets SP and IP together, at the top of the
	 * thread's own stack; one below it nests a run in an abandoned one,
	 * and enough of them run into the next thread's stack. */
	if (entry_sp != fz_sp((int)idx)) {
		me->entries_off_top++;
		me->entry_sp_off = entry_sp;
	}
	for (;;) {
		W *u = utcb_of((int)idx);

		u[U_MYID] = fz.tid[idx];
		u[U_EXCH] = fz.main;
		u[U_PAGER] = fz.main;
		if (fz.stop) {
			struct fz_regs r = { .edx = fz.tid[idx] };

			(void)fz_invoke(&r, fz.stub[SC_IPC]);	/* receive from self: for ever */
			continue;
		}
		fz_step((int)idx, me, ++me->steps);
	}
}
