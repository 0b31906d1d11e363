/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which register of a thread's user frame holds what: the instruction and
 * stack pointers, the flags a thread may set, the IPC register
 * conventions, the exception message and the kernel-debugger calls.
 * Generic code reads and writes a thread's registers only through these,
 * so that it names no IA-32 register.  They are static inline: the IPC
 * paths use them, and each is one or two moves.
 */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#include <kernel/types.h>
#include <arch/context.h>

/* ---- instruction pointer, stack pointer, flags ---- */

/*
 * A frame that sysenter built (arch/ia32/sysenter.c) leaves by sysexit,
 * which gives back neither ECX nor EDX.  Meanwhile the thread is seen
 * where the int stub would leave it, as X.2 programs and Pistachio's
 * library expect of a thread waiting in Ipc: at the stub's ret, the
 * return address on its stack (where the stub popped it from).  Once the
 * kernel sets its IP, SP or flags, the frame becomes that, and leaves by
 * iret, which gives back every register.  A new IP also ends a rewind
 * onto the stub's sysenter; a new SP or flags leave the thread there, as
 * they leave an int on its trap.
 */
uint32_t arch_sysenter_trap_at(arch_context_t *c);

static inline void arch_ctx_exact(arch_context_t *c)
{
	if (c->error != ARCH_ERROR_SYSENTER)
		return;
	c->eip = arch_sysenter_trap_at(c) + 2;   /* the stub's ret */
	c->esp -= 4;
	c->eflags |= ARCH_EFLAGS_IF;             /* kept clear while marked */
	c->error = 0;
}
static inline uint32_t arch_ctx_ip(const arch_context_t *c)
{
	if (c->error == ARCH_ERROR_SYSENTER)
		return arch_sysenter_trap_at((arch_context_t *)c) + 2;
	return c->eip;
}
static inline void arch_ctx_set_ip(arch_context_t *c, uint32_t ip)
{
	arch_ctx_exact(c);
	c->eip = ip;
}
static inline uint32_t arch_ctx_sp(const arch_context_t *c)
{
	return c->error == ARCH_ERROR_SYSENTER ? c->esp - 4 : c->esp;
}
static inline void arch_ctx_set_sp(arch_context_t *c, uint32_t sp)
{
	arch_ctx_exact(c);
	c->esp = sp;
}
/* The thread's flags: a marked frame's with IF, which the thread has. */
static inline uint32_t arch_ctx_flags(const arch_context_t *c)
{
	return c->error == ARCH_ERROR_SYSENTER ? c->eflags | ARCH_EFLAGS_IF : c->eflags;
}

/* The EFLAGS bits user level may set (CF, PF, AF, ZF, SF, TF, DF, OF):
 * never IF, IOPL or anything else that would give it the machine. */
#define ARCH_USER_FLAGS 0x00000DD5u

/* Take the user-settable bits from flags, keep the others. */
static inline void arch_ctx_set_user_flags(arch_context_t *c, uint32_t flags)
{
	arch_ctx_exact(c);
	c->eflags = (c->eflags & ~ARCH_USER_FLAGS) | (flags & ARCH_USER_FLAGS);
}

/* ---- the Ipc trap ---- */

/* The Ipc system call is a two-byte int, or the stub's sysenter
 * (arch/ia32/sysenter.c).  Rewinding puts the thread back onto it, so
 * that it makes the call again when it next runs; returns the trap's
 * address.  arch_ipc_trap_skip undoes that. */
#define ARCH_IPC_TRAP_LEN 2u

uint32_t arch_sysenter_rewind(arch_context_t *c);
bool arch_sysenter_skip(arch_context_t *c);

static inline uint32_t arch_ipc_trap_rewind(arch_context_t *c)
{
	if (c->error == ARCH_ERROR_SYSENTER)
		return arch_sysenter_rewind(c);
	c->eip -= ARCH_IPC_TRAP_LEN;
	return c->eip;
}

static inline void arch_ipc_trap_skip(arch_context_t *c)
{
	if (!arch_sysenter_skip(c))
		c->eip += ARCH_IPC_TRAP_LEN;
}

/* ---- IPC register conventions (X.2 ia32: tag in ESI, partner in EAX,
 *      MR1 and MR2 in EBX and EBP) ---- */

static inline word_t arch_ipc_tag(const arch_context_t *c) { return c->esi; }
/* The Ipc trap's arguments: to in EAX, FromSpecifier in EDX, timeouts in
 * ECX (the IPC fast path reads them where the trap left them). */
static inline word_t arch_ipc_to(const arch_context_t *c) { return c->eax; }
static inline word_t arch_ipc_from(const arch_context_t *c) { return c->edx; }
static inline word_t arch_ipc_timeouts(const arch_context_t *c) { return c->ecx; }
static inline void arch_ipc_set_tag(arch_context_t *c, word_t tag) { c->esi = tag; }

/* The outcome of an IPC without message words: tag and partner only. */
static inline void arch_ipc_set_tag_from(arch_context_t *c, word_t tag, word_t from)
{
	c->esi = tag;
	c->eax = from;
}

/* The first two message registers of a message received (its tag and
 * sender: arch_ipc_set_tag_from()). */
static inline void arch_ipc_set_mr12(arch_context_t *c, word_t mr1, word_t mr2)
{
	c->ebx = mr1;
	c->ebp = mr2;
}

/* A message received: tag, sender and the first two message registers. */
static inline void arch_ipc_set_result(arch_context_t *c, word_t tag, word_t from,
				       word_t mr1, word_t mr2)
{
	c->esi = tag;
	c->eax = from;
	c->ebx = mr1;
	c->ebp = mr2;
}

/* ---- the exception message (X.2 ia32) ---- */

/* Words after the tag: EIP, EFLAGS, exception number, error code, then
 * EDI, ESI, EBP, ESP, EBX, EDX, ECX, EAX. */
#define ARCH_EXCEPTION_WORDS 12u

/* Write the message's words 1 to ARCH_EXCEPTION_WORDS (words[0] is the
 * caller's tag). */
static inline void arch_exception_save(const arch_context_t *c, word_t *words,
				       uint32_t vec, uint32_t error)
{
	words[1] = c->eip; words[2] = arch_ctx_flags(c); words[3] = vec; words[4] = error;
	words[5] = c->edi; words[6] = c->esi; words[7] = c->ebp; words[8] = c->esp;
	words[9] = c->ebx; words[10] = c->edx; words[11] = c->ecx; words[12] = c->eax;
}

/* Load the registers from a reply of n words (after the tag); a reply
 * too short to hold them all changes nothing.  Of the flags, only the
 * user-settable ones. */
static inline void arch_exception_load(arch_context_t *c, const word_t *words, uint32_t n)
{
	if (n < ARCH_EXCEPTION_WORDS)
		return;
	c->eip = words[1];
	arch_ctx_set_user_flags(c, words[2]);
	c->edi = words[5]; c->esi = words[6]; c->ebp = words[7]; c->esp = words[8];
	c->ebx = words[9]; c->edx = words[10]; c->ecx = words[11]; c->eax = words[12];
}

/* ---- kernel-debugger calls: the argument is in EAX, a character read
 *      comes back in AL ---- */

static inline uint32_t arch_kdebug_arg(const arch_context_t *c) { return c->eax; }

static inline void arch_kdebug_set_char(arch_context_t *c, uint8_t ch)
{
	c->eax = (c->eax & ~0xFFu) | ch;
}

/*
 * What the instruction bytes after the int3 ask for (code[i] is the byte
 * at the trap's IP + i, -1 if unmapped): a console call, "cmpb $op, %al"
 * (*arg = op), or entering the debugger, "jmp; mov $message, %eax"
 * (*arg = the message's address).
 */
enum arch_kdebug_kind { ARCH_KDEBUG_NONE, ARCH_KDEBUG_CONSOLE, ARCH_KDEBUG_ENTER };
#define ARCH_KDEBUG_CODE_BYTES 7

static inline enum arch_kdebug_kind arch_kdebug_decode(const int *code, uint32_t *arg)
{
	if (code[0] == 0x3C && code[1] >= 0) {          /* cmpb $op, %al */
		*arg = (uint32_t)code[1];
		return ARCH_KDEBUG_CONSOLE;
	}
	if (code[0] == 0xEB && code[2] == 0xB8) {       /* jmp; mov $msg, %eax */
		*arg = 0;
		for (int i = 6; i >= 3; i--)
			*arg = (*arg << 8) | (uint32_t)(code[i] < 0 ? 0 : code[i]);
		return ARCH_KDEBUG_ENTER;
	}
	return ARCH_KDEBUG_NONE;
}

#endif
