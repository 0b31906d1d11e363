/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Stacks for new threads, from a static pool in the root image.  Child
 * tasks run on the root's own pages, so a child's stack is one of these
 * too: the pager maps it like any other page of the image.
 */
#include "rt.h"

static unsigned char pool[RT_STACKS][RT_STACK_SIZE]
	__attribute__((aligned(RT_PAGE_SIZE)));
static unsigned char used[RT_STACKS];

void *rt_stack_alloc(void)
{
	int i;

	for (i = 0; i < RT_STACKS; i++)
		if (!used[i]) {
			used[i] = 1;
			return pool[i];
		}
	return 0;
}

void rt_stack_free(void *base)
{
	L4_Word_t i = ((unsigned char *)base - &pool[0][0]) / RT_STACK_SIZE;

	if (i < RT_STACKS && base == pool[i])
		used[i] = 0;
}

/*
 * Lay out the initial frame of a thread whose body is called with arg: as
 * if it had been called from rt_thread_exit, with ESP + 4 16-byte aligned as
 * the i386 ABI wants at a function's entry.  Returns the initial ESP.
 */
L4_Word_t rt_stack_frame(void *base, L4_Word_t arg)
{
	L4_Word_t top = (L4_Word_t)base + RT_STACK_SIZE;
	L4_Word_t *sp = (L4_Word_t *)(top - 20);

	sp[0] = (L4_Word_t)rt_thread_exit;
	sp[1] = arg;
	return (L4_Word_t)sp;
}

/* Where a thread body returns to: wait for a message from oneself, which
 * never comes. */
void rt_thread_exit(void)
{
	for (;;)
		(void)L4_Receive(L4_MyGlobalId());
}
