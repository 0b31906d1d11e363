/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Step 2: main is the pager of a child task that runs the root image's
 * own code.  Every page the child touches faults to main, which maps the
 * root's page at the same address and says so.
 */
#include "demo.h"

#define TABLE_WORDS	3000
#define LABEL_DONE	0x600d

static L4_Word_t table[TABLE_WORDS];

static void summer(L4_Word_t n)
{
	L4_Word_t i, sum = 0;

	for (i = 0; i < n; i++)
		sum += table[i];
	rt_msg(LABEL_DONE, 1, &sum);
	(void)L4_Send(rt_main_thread());
}

static const char *kind(L4_Word_t rwx)
{
	return (rwx & L4_Writable) ? "write" : "read/execute";
}

int demo_pager(void)
{
	L4_Word_t i, want = 0, faults = 0;
	L4_ThreadId_t child;
	L4_MsgTag_t tag;

	for (i = 0; i < TABLE_WORDS; i++) {
		table[i] = i * 3;
		want += i * 3;
	}
	child = rt_task_create(summer, TABLE_WORDS, L4_Myself());
	if (L4_IsNilThread(child)) {
		printf("demo:     could not create the child (error %lu)\n", rt_last_error());
		return 0;
	}
	printf("demo:     child task " TID_FMT " started, its pager is main (" TID_FMT ")\n",
	       TID_ARGS(child), TID_ARGS(L4_Myself()));
	for (;;) {
		tag = L4_Receive_Timeout(child, rt_us(2000000));
		if (L4_IpcFailed(tag)) {
			printf("demo:     no word from the child (error %lx)\n", L4_ErrorCode());
			return 0;
		}
		if (!rt_is_pagefault(tag))
			break;
		faults++;
		printf("demo:     page fault at %08lx, ip %08lx, %s -> map the root's page\n",
		       rt_mr(1), rt_mr(2), kind(L4_Label(tag)));
		if (!rt_image_contains(rt_mr(1))) {
			printf("demo:     that is outside the image; giving up\n");
			return 0;
		}
		rt_load_page_reply(rt_mr(1), L4_Label(tag) & 7);
		(void)L4_Send_Timeout(child, rt_us(1000000));
	}
	printf("demo:     %lu faults resolved; the child's sum of the table: %lu (expected %lu)\n",
	       faults, rt_mr(1), want);
	return L4_Label(tag) == LABEL_DONE && rt_mr(1) == want;
}
