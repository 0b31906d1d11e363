/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel page faults (docs/kernel-memory.md, docs/kpager-protocol.md).
 * An operation that needs kernel memory first gathers every page it will
 * need, in fault order, without changing anything.  At the first page
 * that is missing it stops, and the thread it runs for sends a kernel
 * page fault to the task's kpager; once the page is lent, the operation
 * starts again from the beginning.  Pages obtained stay with the task, so
 * every restart gets further.
 */
#ifndef KERNEL_KPF_H
#define KERNEL_KPF_H

#include <kernel/types.h>
#include <kernel/kmem.h>
#include <kernel/l4types.h>
#include <kernel/thread.h>

struct tcb;
typedef struct space space_t;

/* What a gather found missing: one page of one task, and where the
 * task's kpager takes several pages per fault (space.kpf_pages), the
 * pages missing after it, in fault order. */
typedef struct kmem_need {
	space_t *space;      /* NULL for a task record: the task is not made */
	uint32_t task;       /* then: the task's id */
	tid_t kpager;        /* and its kpager */
	uint8_t kind;        /* enum kmem_kind */
	uint32_t cid;
	uint8_t more;        /* pages after the first (< LENT_KPF_MAX_PAGES) */
	uint8_t more_kind[LENT_KPF_MAX_PAGES - 1];
	uint32_t more_cid[LENT_KPF_MAX_PAGES - 1];
	tid_t sender;        /* a map's sender, when the page is its task's
	                      * (room for its part of the edge) */
} kmem_need_t;

/* Gather one page: true if s has it (or could take it), else need says
 * which page is missing. */
bool kpf_have(space_t *s, enum kmem_kind kind, uint32_t cid, kmem_need_t *need);
/* Gather what mapping one page at va into s needs, in fault order: the
 * node table, a mapping node, the page table.  need names the first page
 * missing and, up to s->kpf_pages in all, those after it. */
bool kpf_have_for_map(space_t *s, uint32_t va, kmem_need_t *need);
/* The same, where k is the record of a kernel page fault of s's task
 * whose answer has just lent every page it names (its pages are known
 * lent without looking them up). */
struct kpf_wait;
bool kpf_have_for_map_answered(space_t *s, uint32_t va, kmem_need_t *need,
			       const struct kpf_wait *k);

/*
 * t needs the page in need (for a task it names by the thread `named`):
 * send the kernel page fault to that task's kpager, with continuation
 * cont (CONT_KPF: once answered, t goes back to user mode and re-executes
 * what it was doing; CONT_KPF_FAULT: t sends the page fault it was making;
 * CONT_PF_RECV: t takes up its receive again).  A
 * kpager blocked sending to t has that send aborted first (the deadlock
 * rule).  Returns false without sending when the kpager cannot answer:
 * there is none, it is t itself, or it waits on t's own kernel call.
 */
bool kpf_raise(struct tcb *t, const kmem_need_t *need, tid_t named, unsigned cont);
/* Could kpf_raise() send the fault? */
bool kpf_can_raise(const struct tcb *t, const kmem_need_t *need);
/* The kpager of the task in need, or NULL. */
struct tcb *kpf_kpager(const kmem_need_t *need);
/* A transfer from snd to rcv stopped at rcv's missing kernel page. */
struct xfer_fault;
void kpf_in_transfer(struct tcb *snd, struct tcb *rcv, const struct xfer_fault *f);
/* rcv, in its receive phase, asks for the page in need and then takes up
 * the receive again. */
void kpf_receiver_asks(struct tcb *rcv, const kmem_need_t *need);

/*
 * The kpager's answer to the fault rcv waits on: its typed words (items,
 * `words` of them), one map item per page asked for, or none.  Validate
 * every item's frame, then lend them all to the kernel.  Returns 0, or a
 * refusal for the kpager's IPC error (LENT_KPF_REFUSAL: the reason and
 * the item); nothing has changed then.
 */
uint32_t kpf_accept(struct tcb *kpager, struct tcb *rcv, const word_t *items, unsigned words);
/* The same for the fault k records (a thread's, or one made for a
 * thread away from its resident part, kernel/tcb_away.c). */
uint32_t kpf_accept_wait(struct tcb *kpager, struct kpf_wait *k, const word_t *items,
			 unsigned words);
/*
 * The validate step of lending one page (a kpager's answer, or sigma0
 * giving its kernel-memory store a frame, kernel/kmem_sigma0.c): the page
 * at va in s must be mapped readable and writable, held by s alone (a
 * sigma0 root nobody else has, or the only mapping of one), mapped on at
 * most LENT_KPF_MAX_MAPPINGS times in all, and its frame RAM the kernel
 * can address, not kernel-owned and not lent.  Returns 0 with its node
 * in *node, or the refusal (enum lent_kpf_refusal); no side effect.
 */
struct mapnode;
uint32_t kpf_check_page(space_t *s, uint32_t va, struct mapnode **node);
/* The act step that goes with it: remove every user translation of the
 * frame of a node kpf_check_page passed, in every space of its mapping
 * tree (the nodes stay). */
void kpf_strip(space_t *s, struct mapnode *n);
/* rcv's kernel page fault has its answer: with no page lent, the
 * operation ends with X.2's "no memory" once it runs again. */
void kpf_answered(struct tcb *rcv);
/* Is t waiting for the answer to a kernel page fault?  Inline: every
 * delivery asks. */
static inline bool kpf_waiting(const struct tcb *t)
{
	return t->cont.kpf.state == KPF_ASKED || t->cont.kpf.state == KPF_LENT;
}
/* The last kernel page fault of t went unanswered: take that note (the
 * operation fails with "no memory" instead of asking again). */
bool kpf_take_refusal(struct tcb *t);
/* The same for a page fault, which also takes the note a page fault's
 * own kernel page fault left (a note only a page fault may take: the
 * fault may not recur, and then no other operation must fail for it). */
bool kpf_take_fault_refusal(struct tcb *t);
/*
 * A system call that gathers pages (ThreadControl, SpaceControl) returns.
 * A refused kernel page fault makes the call that raised it fail once,
 * when it runs again; that run may end before it asks for a page (the
 * page came meanwhile by another thread's fault, or what the call names
 * changed).  Unless t waits for its kpager's answer or stopped at a
 * preemption point to go on, the note is dropped: it must not make the
 * caller's next, unrelated call fail without asking its kpager.
 */
void kpf_call_returns(struct tcb *t);

#endif
