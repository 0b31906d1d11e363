/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resident reserve (kernel/thread_core.h): a boot-sized array of
 * 64-byte resident thread parts and a free list through it.  Its rules
 * are the pool's: the last sixteenth is kept for privileged tasks, and
 * an unprivileged space may hold at most three quarters of the rest, so
 * one task that has threads made without end gets ThreadControl's error
 * 8 while every other task can still have threads made.
 */
#include <kernel/thread_core.h>
#include <kernel/string.h>

/* One resident part per 16 KB of RAM: a thread costs at least a TCB page
 * and a UTCB share besides, lent by its kpager. */
#define RAM_PER_THREAD (16u * 1024)
#define MIN_THREADS 512u
#define MAX_THREADS 32768u
#define MIN_PRIVILEGED 32u

static tcb_core_t *free_list;   /* linked through rq_next */
static uint32_t total, free_count, privileged, space_limit;

/* The thread table's leaves (kernel/thread.c), a page each, come from
 * the resident reserve too: one per 64 resident parts, so that the
 * leaves weigh what the parts do, at least 16, and at most one per leaf
 * the table has.  Only privileged tasks name thread numbers, so only
 * they make leaves; when none is left ThreadControl fails with error 8. */
#define PARTS_PER_LEAF 64u
#define MIN_LEAVES 16u

typedef struct free_leaf { struct free_leaf *next; } free_leaf_t;
static free_leaf_t *leaf_list;
static uint32_t leaves_total, leaves_free;

uint32_t thread_core_reserve_bytes(uint64_t ram_bytes)
{
	uint64_t n = ram_bytes / RAM_PER_THREAD;

	if (n < MIN_THREADS)
		n = MIN_THREADS;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	return (uint32_t)ALIGN_UP(n * sizeof(tcb_core_t), (uint64_t)PAGE_SIZE);
}

void thread_core_init(void *reserve, uint32_t bytes)
{
	tcb_core_t *c = reserve;

	total = bytes / sizeof(tcb_core_t);
	for (uint32_t i = total; i-- > 0;) {
		c[i].rq_next = free_list;
		free_list = &c[i];
	}
	free_count = total;
	privileged = total / 16 > MIN_PRIVILEGED ? total / 16 : MIN_PRIVILEGED;
	space_limit = (total - privileged) / 4 * 3;
}

static bool may_take(bool is_privileged, uint32_t threads)
{
	if (is_privileged)
		return free_count > 0;
	return free_count > privileged && threads < space_limit;
}

tcb_core_t *thread_core_alloc(bool is_privileged, uint32_t threads)
{
	tcb_core_t *c = free_list;

	if (!c || !may_take(is_privileged, threads))
		return NULL;
	free_list = c->rq_next;
	free_count--;
	memset(c, 0, sizeof *c);
	return c;
}

void thread_core_free(tcb_core_t *c)
{
	memset(c, 0, sizeof *c);
	c->rq_next = free_list;
	free_list = c;
	free_count++;
}

uint32_t thread_leaf_reserve_bytes(uint64_t ram_bytes)
{
	uint32_t n = thread_core_reserve_bytes(ram_bytes) / sizeof(tcb_core_t) / PARTS_PER_LEAF;

	if (n < MIN_LEAVES)
		n = MIN_LEAVES;
	if (n > THREAD_DIR_ENTRIES)
		n = THREAD_DIR_ENTRIES;
	return n * PAGE_SIZE;
}

void thread_leaf_init(void *area, uint32_t bytes)
{
	for (uint32_t off = bytes; off >= PAGE_SIZE; off -= PAGE_SIZE) {
		free_leaf_t *l = (free_leaf_t *)((uint8_t *)area + off - PAGE_SIZE);
		l->next = leaf_list;
		leaf_list = l;
		leaves_total++;
		leaves_free++;
	}
}

void *thread_leaf_alloc(void)
{
	free_leaf_t *l = leaf_list;

	if (!l)
		return NULL;
	leaf_list = l->next;
	leaves_free--;
	memset(l, 0, PAGE_SIZE);
	return l;
}

void thread_leaf_free(void *leaf)
{
	free_leaf_t *l = leaf;

	l->next = leaf_list;
	leaf_list = l;
	leaves_free++;
}

void thread_core_stats(thread_core_stats_t *st)
{
	*st = (thread_core_stats_t){ total, free_count, privileged, space_limit,
				     leaves_total, leaves_free };
}
