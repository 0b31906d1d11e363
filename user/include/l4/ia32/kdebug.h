/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IA-32 kernel-debugger console.  Each call is `int $3` followed by an
 * instruction the kernel decodes and skips: `cmpb $op, %al` selects a
 * console operation, `jmp` over `movl $message, %eax` enters the debugger.
 */
#ifndef L4_IA32_KDEBUG_H
#define L4_IA32_KDEBUG_H

/* Enter the debugger with a message (a string literal).  Basic asm, so
 * that a '%' in the message is taken literally. */
#define L4_KDB_Enter(str)						\
	do {								\
		__asm__ __volatile__(					\
			"int	$3\n\t"					\
			"jmp	2f\n\t"					\
			"movl	$1f, %eax\n\t"				\
			".pushsection .rodata\n"			\
			"1:	.asciz \"" str "\"\n\t"			\
			".popsection\n"					\
			"2:");						\
	} while (0)

#define __L4_KDB_OP_PRINTCHAR		0x00
#define __L4_KDB_OP_PRINTSTRING		0x01
#define __L4_KDB_OP_CLEARPAGE		0x02
#define __L4_KDB_OP_READCHAR		0x08
#define __L4_KDB_OP_READCHAR_BLOCKED	0x0d

L4_INLINE void L4_KDB_PrintChar(char c)
{
	__asm__ __volatile__("int $3\n\tcmpb %1, %%al"
			     : : "a"(c), "i"(__L4_KDB_OP_PRINTCHAR) : "cc");
}

/* The kernel reads the string from user memory, hence the memory clobber. */
L4_INLINE void L4_KDB_PrintString(const char *s)
{
	__asm__ __volatile__("int $3\n\tcmpb %1, %%al"
			     : : "a"(s), "i"(__L4_KDB_OP_PRINTSTRING) : "memory", "cc");
}

L4_INLINE void L4_KDB_ClearPage(void)
{
	__asm__ __volatile__("int $3\n\tcmpb %0, %%al"
			     : : "i"(__L4_KDB_OP_CLEARPAGE) : "cc");
}

/* Non-blocking: 0 when no character is waiting. */
L4_INLINE char L4_KDB_ReadChar(void)
{
	L4_Word_t c;

	__asm__ __volatile__("int $3\n\tcmpb %1, %%al"
			     : "=a"(c) : "i"(__L4_KDB_OP_READCHAR) : "cc");
	return (char)c;
}

L4_INLINE char L4_KDB_ReadChar_Blocked(void)
{
	L4_Word_t c;

	__asm__ __volatile__("int $3\n\tcmpb %1, %%al"
			     : "=a"(c) : "i"(__L4_KDB_OP_READCHAR_BLOCKED) : "cc");
	return (char)c;
}

#endif
