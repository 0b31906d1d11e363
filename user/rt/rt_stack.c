/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Stacks for new threads, from static pools in the root image (8 KB
 * stacks, and 1 KB ones for tests that need hundreds of threads).  Child
 * tasks run on the root's own pages, so a child's stack is one of these
 * too: the pager maps it like any other page of the image.
 */
#include "rt.h"

static unsigned char pool[RT_STACKS][RT_STACK_SIZE]
	__attribute__((aligned(RT_PAGE_SIZE)));
static unsigned char used[RT_STACKS];
static unsigned char small_pool[RT_SMALL_STACKS][RT_SMALL_STACK_SIZE]
	__attribute__((aligned(RT_SMALL_STACK_SIZE)));
static unsigned char small_used[RT_SMALL_STACKS];

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

void *rt_small_stack_alloc(void)
{
	int i;

	for (i = 0; i < RT_SMALL_STACKS; i++)
		if (!small_used[i]) {
			small_used[i] = 1;
			return small_pool[i];
		}
	return 0;
}

/* Which pool base is from: its slot there, or -1. */
static int slot_in(void *base, void *pool0, L4_Word_t size, int n)
{
	L4_Word_t off = (L4_Word_t)base - (L4_Word_t)pool0;

	if ((L4_Word_t)base < (L4_Word_t)pool0 || off % size || off / size >= (L4_Word_t)n)
		return -1;
	return (int)(off / size);
}

void rt_stack_free(void *base)
{
	int i = slot_in(base, pool, RT_STACK_SIZE, RT_STACKS);

	if (i >= 0)
		used[i] = 0;
	i = slot_in(base, small_pool, RT_SMALL_STACK_SIZE, RT_SMALL_STACKS);
	if (i >= 0)
		small_used[i] = 0;
}

/*
 * Lay out the initial frame of a thread whose body is called with arg: as
 * if it had been called from rt_thread_exit, with ESP + 4 16-byte aligned as
 * the i386 ABI wants at a function's entry.  Returns the initial ESP.
 */
L4_Word_t rt_stack_frame(void *base, L4_Word_t arg)
{
	L4_Word_t size = slot_in(base, small_pool, RT_SMALL_STACK_SIZE, RT_SMALL_STACKS) >= 0 ?
			 RT_SMALL_STACK_SIZE : RT_STACK_SIZE;
	L4_Word_t top = (L4_Word_t)base + size;
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
