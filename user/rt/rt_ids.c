/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread numbers and UTCB slots.  Numbers RT_FIRST_THREAD_NO.. are handed
 * out round robin, each reuse with the next version, so that a stale
 * thread ID never names a newer thread.  Each number has a record of the
 * stack and UTCB slot its thread uses, which rt_release() gives back.
 */
#include "rt.h"

struct rt_rec {
	L4_ThreadId_t tid;      /* nil while the number is free */
	void *stack;
	L4_Word_t utcb;         /* slot in the root's UTCB area, or 0 */
	int persistent;
	L4_Word_t version;      /* last version used with this number */
};

static struct rt_rec recs[RT_THREAD_NOS];
static int cursor;
static unsigned char utcb_used[RT_UTCB_SLOTS];

static struct rt_rec *rec_of(L4_ThreadId_t tid)
{
	L4_Word_t no = L4_ThreadNo(tid);

	if (no < RT_FIRST_THREAD_NO || no >= RT_FIRST_THREAD_NO + RT_THREAD_NOS)
		return 0;
	if (recs[no - RT_FIRST_THREAD_NO].tid.raw != tid.raw)
		return 0;
	return &recs[no - RT_FIRST_THREAD_NO];
}

/* A version's low six bits must not all be zero, or the ID would read
 * as a local thread ID. */
static L4_Word_t next_version(L4_Word_t v)
{
	do
		v = (v + 1) & 0x3fff;
	while ((v & 0x3f) == 0);
	return v;
}

L4_ThreadId_t rt_tid_alloc(void)
{
	int i;

	for (i = 0; i < RT_THREAD_NOS; i++) {
		int k = (cursor + i) % RT_THREAD_NOS;
		struct rt_rec *r = &recs[k];

		if (!L4_IsNilThread(r->tid))
			continue;
		cursor = (k + 1) % RT_THREAD_NOS;
		r->version = next_version(r->version);
		r->tid = L4_GlobalId(RT_FIRST_THREAD_NO + k, r->version);
		r->stack = 0;
		r->utcb = 0;
		r->persistent = 0;
		return r->tid;
	}
	return L4_nilthread;
}

void rt_tid_attach(L4_ThreadId_t tid, void *stack, L4_Word_t utcb)
{
	struct rt_rec *r = rec_of(tid);

	if (r) {
		r->stack = stack;
		r->utcb = utcb;
	}
}

/* The UTCB slot rt gave the thread (0 if none: e.g. a thread in a child). */
L4_Word_t rt_utcb_of(L4_ThreadId_t tid)
{
	struct rt_rec *r = rec_of(tid);

	return r ? r->utcb : 0;
}

/* The thread was re-created under the same number with another version. */
void rt_retag(L4_ThreadId_t old, L4_ThreadId_t tid)
{
	struct rt_rec *r = rec_of(old);

	if (r && L4_ThreadNo(old) == L4_ThreadNo(tid)) {
		r->tid = tid;
		r->version = L4_Version(tid);
	}
}

void rt_persist(L4_ThreadId_t tid)
{
	struct rt_rec *r = rec_of(tid);

	if (r)
		r->persistent = 1;
}

/* Delete the thread (deleting a thread that was never created is
 * harmless) and give back its number, stack and UTCB slot. */
int rt_release(L4_ThreadId_t tid)
{
	struct rt_rec *r = rec_of(tid);

	if (!r)
		return 0;
	(void)L4_ThreadControl(tid, L4_nilthread, L4_nilthread, L4_nilthread,
			       (void *)~0UL);
	if (r->stack)
		rt_stack_free(r->stack);
	if (r->utcb)
		rt_utcb_free(r->utcb);
	r->tid = L4_nilthread;
	r->stack = 0;
	r->utcb = 0;
	r->persistent = 0;
	return 1;
}

void rt_cleanup(void)
{
	int k;

	for (k = RT_THREAD_NOS - 1; k >= 0; k--)
		if (!L4_IsNilThread(recs[k].tid) && !recs[k].persistent)
			rt_release(recs[k].tid);
	rt_agent_reset();
	rt_watch(0, 0);
}

int rt_live_threads(void)
{
	int k, n = 0;

	for (k = 0; k < RT_THREAD_NOS; k++)
		if (!L4_IsNilThread(recs[k].tid) && !recs[k].persistent)
			n++;
	return n;
}

/* Slot 0 belongs to the root's main thread. */
L4_Word_t rt_utcb_alloc(void)
{
	int i;

	for (i = 1; i < RT_UTCB_SLOTS; i++)
		if (!utcb_used[i]) {
			utcb_used[i] = 1;
			return RT_UTCB_AREA_BASE + i * RT_UTCB_SIZE;
		}
	return 0;
}

void rt_utcb_free(L4_Word_t utcb)
{
	L4_Word_t i = (utcb - RT_UTCB_AREA_BASE) / RT_UTCB_SIZE;

	if (utcb >= RT_UTCB_AREA_BASE && i > 0 && i < RT_UTCB_SLOTS)
		utcb_used[i] = 0;
}
