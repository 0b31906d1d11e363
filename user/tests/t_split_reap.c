/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A task with many mappings is deleted (kernel/space_reap.c,
 * kernel/mapsplit_reap.c, and the node pages given back in steps, docs/mapdb-split.md "Preemption
 * points").  Booted with preempt=always (lent-tests-preempt.iso) the
 * deletion stops at every preemption point and the ThreadControl is
 * re-executed until the task is gone.  Right afterwards: what the dead
 * task mapped on is gone from its clients (two levels down), what its
 * pager holds and mapped elsewhere is untouched, its thread is gone for
 * IPC, and the kernel's self-check finds nothing wrong.
 *
 * V gets 1,024 mappings from main (64 map items, each of main's 16-page
 * block), maps 256 of them on to C, and C 16 of those on to D; E gets
 * the block from main beside V.
 */
#include "tests.h"

#define WV	0x20000000UL	/* V's 4 MB window */
#define WC	0x30000000UL	/* C's 1 MB window */
#define WD	0x34000000UL	/* D's 64 KB window */
#define WE	0x38000000UL	/* E's 64 KB window */
#define BLOCK_LOG2	16	/* main's block: 16 pages */
#define BLOCK_PAGES	(1UL << (BLOCK_LOG2 - 12))
#define ITEMS	8		/* map items in one message (t_send_async) */

/* Main's block: the first 64 KB of its own image (text), which it holds
 * already: the test takes no memory that the tests after it need. */
static L4_Word_t block;

static const char *get_block(void)
{
	extern char _start_image[], _end[];
	L4_Word_t i;

	block = (L4_Word_t)_start_image;
	CHECK((block & ((1UL << BLOCK_LOG2) - 1)) == 0);
	CHECK(block + (BLOCK_PAGES << 12) <= (L4_Word_t)_end);
	for (i = 0; i < BLOCK_PAGES; i++)
		(void)*(volatile L4_Word_t *)(block + i * RT_PAGE_SIZE);
	return 0;
}

static L4_MapItem_t block_item(L4_Word_t snd_base)
{
	return t_map_item(block, BLOCK_LOG2, L4_Readable, snd_base);
}

/* Main sends ag one message of n map items (n <= ITEMS); the agent
 * receives it in the window it accepts. */
static const char *give_items(L4_ThreadId_t ag, const L4_MapItem_t *m, int n)
{
	L4_Word_t w[2 * ITEMS];
	int i;

	for (i = 0; i < n; i++) {
		w[2 * i] = m[i].raw[0];
		w[2 * i + 1] = m[i].raw[1];
	}
	return t_ag_give_words(ag, 0x66, 2 * n, w);
}

/* from maps its fpage (base, log2) to `to`, into to's window at off. */
static const char *pass_on(L4_ThreadId_t from, L4_ThreadId_t to, L4_Word_t base, int log2,
			   L4_Word_t off)
{
	return t_ag_pass_map(from, to, t_map_item(base, log2, L4_ReadWriteOnly, off));
}

/* The word of main's block that lands at window + off. */
static L4_Word_t magic_at(L4_Word_t off)
{
	return *(volatile L4_Word_t *)(block + off % (BLOCK_PAGES << 12));
}

static const char *t_split_reap_task_with_many_mappings(void)
{
	L4_ThreadId_t v, c, d, e, f;
	L4_MapItem_t m[ITEMS];
	L4_Word_t off;
	int msg, i;

	RUN(get_block());
	v = rt_agent_create(L4_Myself());
	c = rt_agent_create(L4_Myself());
	d = rt_agent_create(L4_Myself());
	e = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(v) && !L4_IsNilThread(c) && !L4_IsNilThread(d) &&
	      !L4_IsNilThread(e));
	RUN(t_ag_accept(v, WV, 22));
	RUN(t_ag_accept(c, WC, 20));
	RUN(t_ag_accept(d, WD, BLOCK_LOG2));
	RUN(t_ag_accept(e, WE, BLOCK_LOG2));
	/* 4 MB of V: 64 blocks, 1,024 mappings of main's 16 pages. */
	for (msg = 0; msg < 8; msg++) {
		for (i = 0; i < ITEMS; i++)
			m[i] = block_item((L4_Word_t)(msg * ITEMS + i) << BLOCK_LOG2);
		RUN(give_items(v, m, ITEMS));
	}
	RUN(t_ag_reads(v, WV + 0x3ff000UL, magic_at(0x3ff000UL)));
	/* V's first 1 MB on to C (256 mappings), C's 64 KB at 128 KB on to D. */
	RUN(pass_on(v, c, WV, 20, 0));
	RUN(pass_on(c, d, WC + 0x20000UL, BLOCK_LOG2, 0));
	RUN(t_ag_reads(c, WC + 0x11000UL, magic_at(0x11000UL)));
	RUN(t_ag_reads(d, WD + 0x5000UL, magic_at(0x25000UL)));
	/* E: the block from main, beside V. */
	m[0] = block_item(0);
	RUN(give_items(e, m, 1));

	CHECK_EQ(L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);

	/* V's thread is gone for IPC. */
	t_load(1, 0, 0, 0, 0);
	CHECK(L4_IpcFailed(L4_Send_Timeout(v, L4_ZeroTime)));
	CHECK_EQ(t_ipc_ec(), EC_SEND(L4_ErrNonExist));
	/* What V mapped on is gone: C and D fault where they read before
	 * (an agent that faulted waits for its pager: one look each). */
	RUN(t_ag_faults(c, WC + 0x11000UL, 0));
	RUN(t_ag_faults(d, WD + 0x5000UL, 0));
	/* E's mappings of main's block are untouched. */
	for (off = 0; off < BLOCK_PAGES * RT_PAGE_SIZE; off += 3 * RT_PAGE_SIZE)
		RUN(t_ag_reads(e, WE + off, magic_at(off)));
	/* Main maps the block again, to a task made afterwards. */
	f = rt_agent_create(L4_Myself());
	CHECK(!L4_IsNilThread(f));
	RUN(t_ag_accept(f, WV, 22));
	m[0] = block_item(0x40000UL);
	RUN(give_items(f, m, 1));
	RUN(t_ag_reads(f, WV + 0x43000UL, magic_at(0x3000UL)));
	CHECK(t_selfcheck() == NULL);
	return 0;
}

const struct test split_reap_tests[] = {
	TEST(split_reap_task_with_many_mappings),
	{ 0 },
};
