/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel-debugger console calls of the X.2 user library: a trap
 * whose following instructions the architecture decodes
 * (arch_kdebug_decode) as a console call (print a character or a
 * string, read a key) or as entering the debugger with a message, which
 * prints the message and, for "shutdown..." from a privileged task, ends
 * the machine (how test runs stop QEMU); otherwise the interactive
 * debugger (kernel/kdb.c) decides whether it is entered.
 */
#include <kernel/syscall.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/kprintf.h>
#include <kernel/string.h>
#include <kernel/sched.h>
#include <kernel/preempt.h>
#include <kernel/kdb.h>
#include <arch/arch.h>

#define OP_PUTC       0x00
#define OP_PUTS       0x01
#define OP_CLEARPAGE  0x02
#define OP_GETC       0x08
#define OP_GETC_BLOCK 0x0D
#define MAX_STRING    4096

/*
 * Print a user string from character *done on; it ends at NUL or at an
 * unmapped byte.  A character may take 87 µs on a real 115200-baud line,
 * so every one is a preemption point: false means stopped there, with
 * *done telling how far it got.
 */
static bool print_user_string(tcb_t *t, uint32_t va, uint32_t *done)
{
	while (*done < MAX_STRING) {
		int c = space_user_byte(t->space, va + *done);
		if (c <= 0)
			return true;
		arch_console_putc((char)c);
		++*done;
		if (preempt_due(PREEMPT_POLL_COST))
			return false;
	}
	return true;
}

/* Print the string; at a preemption point stop the call, to go on with
 * the rest when t re-executes its int3.  True when all is printed. */
static bool print_or_stop(tcb_t *t, uint32_t va)
{
	resume_t *r = resume_of(t, RESUME_PRINT);
	uint32_t done = r ? r->a : 0;

	t->cont.resume.op = RESUME_NONE;
	if (print_user_string(t, va, &done))
		return true;
	preempt_restart(t, &(resume_t){ .op = RESUME_PRINT, .a = done });
	return false;
}

static bool user_string_starts(tcb_t *t, uint32_t va, const char *prefix)
{
	for (size_t i = 0; prefix[i]; i++)
		if (space_user_byte(t->space, va + (uint32_t)i) != (uint8_t)prefix[i])
			return false;
	return true;
}

bool kdebug_call(tcb_t *t)
{
	arch_context_t *c = &t->ctx;
	uint32_t ip = arch_ctx_ip(c), arg;
	int code[ARCH_KDEBUG_CODE_BYTES];

	for (uint32_t i = 0; i < ARCH_KDEBUG_CODE_BYTES; i++)
		code[i] = space_user_byte(t->space, ip + i);
	enum arch_kdebug_kind kind = arch_kdebug_decode(code, &arg);
	if (kind == ARCH_KDEBUG_CONSOLE) {
		switch (arg) {
		case OP_PUTC:
			arch_console_putc((char)arch_kdebug_arg(c));
			return true;
		case OP_PUTS:
			print_or_stop(t, arch_kdebug_arg(c));
			return true;
		case OP_CLEARPAGE:
			return true;
		case OP_GETC: {
			int k = kdb_console_getc();
			arch_kdebug_set_char(c, (uint8_t)(k < 0 ? 0 : k));
			return true;
		}
		case OP_GETC_BLOCK: {
			/* No key yet: ask again after the other threads of this
			 * priority had their turn, rather than stall the kernel
			 * on the serial line. */
			int k = kdb_console_getc();
			if (k < 0) {
				(void)arch_trap_rewind(t);   /* back onto the trap */
				sched_rotate(t);
				return true;
			}
			arch_kdebug_set_char(c, (uint8_t)k);
			return true;
		}
		default:
			return false;
		}
	}
	if (kind == ARCH_KDEBUG_ENTER) {
		uint32_t msg = arg;
		if (!resume_of(t, RESUME_PRINT))
			kputs("KD# ");
		if (!print_or_stop(t, msg))
			return true;
		kputs("\n");
		if (t->space->privileged && user_string_starts(t, msg, "shutdown"))
			arch_shutdown(0);
		kdb_enter_call(t);
		return true;
	}
	if (kind == ARCH_KDEBUG_NONE)
		return kdb_breakpoint(t);
	return false;
}
