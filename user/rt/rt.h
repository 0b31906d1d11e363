/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Root-task runtime shared by the test suite, the demo and the benchmarks:
 * thread numbers, UTCB slots and stacks for new threads, threads in the
 * root's own space, new tasks whose code and data are the root image's own
 * pages, a pager thread that maps those pages, and memory from sigma0.
 *
 * Every thread created through rt is remembered; rt_cleanup() deletes all
 * of them except the ones marked persistent (the pager thread).
 */
#ifndef RT_RT_H
#define RT_RT_H

#include <l4/types.h>
#include <l4/kip.h>
#include <l4/thread.h>
#include <l4/message.h>
#include <l4/ipc.h>
#include <l4/schedule.h>

/* Address-space layout of every task rt creates (docs/team-conventions.md:
 * the same as the root task's, so the KIP stubs sit at the same address:
 * a task runs the root image's code and data, and with them the stub
 * addresses libl4 took from the root's KIP).  The KIP is the last page of
 * the UTCB area's 4 MB region, so one page table holds both. */
#define RT_KIP_AREA_BASE	0xBF3FF000UL
#define RT_KIP_AREA_LOG2	12
#define RT_UTCB_AREA_BASE	0xBF000000UL
#define RT_UTCB_AREA_LOG2	16
#define RT_UTCB_SIZE		512UL
#define RT_UTCB_SLOTS		128
/* %gs:0 (MR0) lies this far into a thread's 512-byte UTCB. */
#define RT_UTCB_MR0_OFFSET	256UL

/* Thread numbers rt hands out: above the root task's (18). */
#define RT_FIRST_THREAD_NO	32
#define RT_THREAD_NOS		256

/* Where the root image is linked (ROOT_BASE in the Makefile). */
#define RT_IMAGE_BASE		0x00600000UL

#define RT_PAGE_SIZE		4096UL
#define RT_STACK_SIZE		8192UL
#define RT_STACKS		40
/* Small stacks, for tests that need many threads with shallow bodies. */
#define RT_SMALL_STACK_SIZE	1024UL
#define RT_SMALL_STACKS		256

/* Priority rt gives the root's main thread and every thread it creates. */
#define RT_PRIORITY		100

/* Label of the request "send this new thread its start message" that
 * rt_task_create sends to the pager thread. */
#define RT_LABEL_START		0x5701

/* A thread body; it may return, the thread then sleeps forever. */
typedef void (*rt_entry_t)(L4_Word_t arg);

/* rt_init.c: call once from main() before anything else. */
void rt_init(void);
void *rt_kip(void);
L4_ThreadId_t rt_sigma0(void);
L4_ThreadId_t rt_main_thread(void);

/* rt_ids.c: thread numbers (with a fresh version on every reuse) and the
 * bookkeeping record of each; UTCB slots of the root's own UTCB area. */
L4_ThreadId_t rt_tid_alloc(void);
void rt_tid_attach(L4_ThreadId_t tid, void *stack, L4_Word_t utcb);
void rt_persist(L4_ThreadId_t tid);
void rt_retag(L4_ThreadId_t old, L4_ThreadId_t tid);
L4_Word_t rt_utcb_of(L4_ThreadId_t tid);
int rt_release(L4_ThreadId_t tid);
void rt_cleanup(void);
int rt_live_threads(void);
L4_Word_t rt_utcb_alloc(void);
void rt_utcb_free(L4_Word_t utcb);

/* rt_stack.c: stacks from static pools in the root image (rt_stack_free
 * and rt_stack_frame take a stack of either size). */
void *rt_stack_alloc(void);
void *rt_small_stack_alloc(void);
void rt_stack_free(void *base);
L4_Word_t rt_stack_frame(void *base, L4_Word_t arg);
void rt_thread_exit(void) __attribute__((noreturn));

/* rt_thread.c: threads in the root's own address space. */
L4_ThreadId_t rt_thread_prepare(L4_Word_t arg, L4_Word_t *sp);
L4_ThreadId_t rt_thread_create(rt_entry_t fn, L4_Word_t arg);
L4_Word_t rt_last_error(void);
void rt_set_last_error(L4_Word_t err);

/* rt_task.c: a thread in a new address space. */
L4_ThreadId_t rt_task_prepare(rt_entry_t fn, L4_Word_t arg, L4_ThreadId_t pager,
			      L4_Word_t *ip, L4_Word_t *sp);
L4_ThreadId_t rt_task_create(rt_entry_t fn, L4_Word_t arg, L4_ThreadId_t pager);
/* rt_task_prepare with kpager set before SpaceControl, so that every page
 * of the task's kernel memory comes from it. */
L4_ThreadId_t rt_task_prepare_kpager(rt_entry_t fn, L4_Word_t arg, L4_ThreadId_t pager,
				     L4_ThreadId_t kpager, L4_Word_t *ip, L4_Word_t *sp);
L4_ThreadId_t rt_task_prepare_area(rt_entry_t fn, L4_Word_t arg, L4_ThreadId_t pager,
				   int utcb_log2, L4_Word_t *ip, L4_Word_t *sp);
L4_ThreadId_t rt_task_thread_prepare(L4_ThreadId_t space, L4_Word_t utcb, rt_entry_t fn,
				     L4_Word_t arg, L4_ThreadId_t pager,
				     L4_Word_t *ip, L4_Word_t *sp);
int rt_start_message(L4_ThreadId_t tid, L4_Word_t ip, L4_Word_t sp);
int rt_pager_start_thread(L4_ThreadId_t tid, L4_Word_t ip, L4_Word_t sp);

/* rt_pager.c: the pager thread and the same service for callers that
 * act as a child's pager themselves. */
L4_ThreadId_t rt_pager_start(void);
L4_ThreadId_t rt_pager(void);
int rt_image_contains(L4_Word_t addr);
int rt_is_pagefault(L4_MsgTag_t tag);
void rt_load_page_reply(L4_Word_t addr, L4_Word_t rwx);
void rt_watch(L4_Word_t lo, L4_Word_t hi);
/* rt_serve's receive timeout in us: 0 zero, RT_NEVER_US never. */
#define RT_NEVER_US	(~0UL)
L4_MsgTag_t rt_serve(L4_ThreadId_t from, L4_Word_t timeout_us, L4_ThreadId_t *sender);
extern volatile L4_Word_t rt_pager_unhandled;
extern volatile L4_Word_t rt_pager_last_unhandled;

/*
 * rt_agent.c: an agent is a task that executes commands for the root's
 * main thread.  It calls main with the result of its last command and
 * gets the next command in the reply, so main never blocks sending to
 * it.  Results come back in MR1.. of the agent's next call (label
 * RT_AG_RESULT).  Command labels and their words:
 */
#define RT_AG_RESULT	0x7a7f
enum rt_agent_op {
	RT_AG_ACCEPT = 0x7a01,	/* acceptor word                -> -        */
	RT_AG_RECV,		/* -  (one message from anyone) -> tag, error, from, first two typed words */
	RT_AG_RECV_STRING,	/* buffer, length               -> as RT_AG_RECV */
	RT_AG_READ,		/* address                      -> word     */
	RT_AG_WRITE,		/* address, word                -> -        */
	RT_AG_SEND,		/* dest, tag, words...          -> tag, error */
	RT_AG_UNMAP,		/* control, fpage               -> MR0 after Unmap */
	RT_AG_SIGMA0,		/* fpage, receive window        -> fpage, error */
	RT_AG_TC,		/* dest, space, scheduler, pager, utcb -> result, error */
	RT_AG_SC,		/* space, control, KIP area, UTCB area -> result, error */
	RT_AG_PROC,		/* -                            -> result, error */
	RT_AG_MEM,		/* -                            -> result, error */
	RT_AG_SCHED,		/* dest, priority               -> result, error */
	RT_AG_EXREG,		/* dest, control                -> result, error */
	RT_AG_SELF,		/* -  -> user handle, pager, global ID, %gs:0 */
	RT_AG_XFER,		/* XferTimeouts word            -> -        */
};
#define RT_AG_MAXW	8

void rt_agent_loop(L4_Word_t arg);
L4_ThreadId_t rt_agent_create(L4_ThreadId_t pager);
int rt_agent_post(L4_ThreadId_t agent, L4_Word_t op, int n, const L4_Word_t *args);
L4_MsgTag_t rt_agent_result(L4_ThreadId_t agent, L4_ThreadId_t *sender);
L4_MsgTag_t rt_agent_cmd(L4_ThreadId_t agent, L4_Word_t op, int n, const L4_Word_t *args);
void rt_agent_reset(void);

/* rt_mem.c: fresh memory through the sigma0 protocol. */
L4_Word_t rt_get_pages(L4_Word_t n);

/* rt_boot.c: the X.2 boot-information records (KIP BootInfo). */
void *rt_bootinfo(void);                 /* the header, 0 if not valid */
/* The physical (= virtual, through sigma0) address of the Multiboot
 * information, from its record; 0 if there is none. */
L4_Word_t rt_multiboot_info(void);

/* rt_time.c */
L4_Word_t rt_now_us(void);
void rt_sleep_us(L4_Word_t us);
/* An RT_FLAKY_DELAY point of rt (rt_time.c); nothing in ordinary builds. */
void rt_flaky_every(volatile L4_Word_t *n, L4_Word_t every, L4_Word_t times);

/* Small message helpers. */
static inline void rt_msg(L4_Word_t label, int u, const L4_Word_t *words)
{
	L4_MsgTag_t tag = L4_Niltag;
	int i;

	tag.X.label = label;
	tag.X.u = u;
	for (i = 0; i < u; i++)
		L4_LoadMR(i + 1, words[i]);
	L4_LoadMR(0, tag.raw);
}

static inline L4_Word_t rt_mr(int i)
{
	L4_Word_t w;

	L4_StoreMR(i, &w);
	return w;
}

static inline L4_Time_t rt_us(L4_Word_t us)
{
	return L4_TimePeriod(us);
}

/* The library's Ipc and Lipc by "int $0x30" (on) or by the KIP's stubs
 * (off), for the whole space; whether the KIP's stubs use sysenter
 * (rt_ipcentry.c). */
void rt_ipc_entry_int(int on);
int rt_ipc_kip_sysenter(void);

#endif
