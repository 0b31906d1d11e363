/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread control blocks, in two parts: a resident part the kernel owns
 * (tcb_core_t, what the queues link) and a body in a page the task's
 * kpager lends (tcb_t, what code passes around; t->core is its resident
 * part).  There is one kernel stack for the whole kernel: a thread that
 * blocks inside the kernel keeps no stack, only its state and a
 * continuation (what to do when the awaited event comes).  Its user
 * registers live in the body's ctx, which the trap entry fills directly.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <kernel/types.h>
#include <kernel/l4types.h>
#include <arch/context.h>
#include <kernel/kcont.h>

struct space;

/*
 * The resident part of a thread: what the scheduler, the IPC queues and
 * the timeout queue must reach while the rest of the TCB (its body, in a
 * page the task's kpager lent) could be absent.  It lives in the kernel's
 * resident reserve (kernel/thread_core.c), and the queues link resident
 * parts, never bodies.  docs/kernel-memory.md argues each field.
 */
typedef struct tcb_core {
	tid_t id;                          /* global thread ID */
	uint8_t state;                     /* enum thread_state */
	uint8_t prio;
	uint16_t slot;                     /* TCB page n of the task: its CID */
	struct space *space;               /* NULL: unhoused (below) */
	struct tcb *tcb;                   /* the body, NULL while absent */
	union {
		struct {
			struct tcb_core *rq_next, *rq_prev;     /* ready queue */
		};
		/* state TS_AWAY: the body is out in its external form, and
		 * never on a ready queue (kernel/tcb_away.c). */
		struct {
			uint32_t serial;       /* its export's: no other page comes back */
			uint8_t state;         /* the state it left in */
			uint8_t flags;         /* AWAY_* (kernel/tcb_away.h) */
			uint8_t outcome;       /* an IPC error it meets when back, 0: none */
			uint8_t epoch;         /* its serial's (kernel/tcb_serial.h) */
		} away;
	};
	struct tcb_core *partner;               /* TS_SEND: the receiver */
	struct tcb_core *senders;               /* circular list of TS_SEND on us */
	struct tcb_core *sq_next, *sq_prev;
	union {
		struct {
			uint64_t wakeup_us;                 /* absolute timeout, 0 = none */
			struct tcb_core *tq_next, *tq_prev; /* timeout queue */
		};
		/* space NULL: the first thread of a new task whose record
		 * ThreadControl still gathers.  Such a part has no body and
		 * so no timeout; thread_core_house() clears this. */
		struct {
			uint32_t task;          /* the task's id, taken already */
			tid_t kpager;           /* its kpager: the creator's */
			uint8_t kpf_pages;      /* and the creator's pages per fault */
		} unhoused;
	};
	union {
		struct {
			struct tcb_core *work_next, *work_prev; /* receive phases waiting to be run */
		};
		/* TS_AWAY (never on that list): a send's receiver, by ID,
		 * and its own local ID (TID_NIL: none), which its body holds. */
		struct {
			tid_t send_to;
			tid_t local;
		} away_to;
	};
} tcb_core_t;

/* On the kernel's 32-bit target (host unit tests build it with wider
 * pointers, and check the rule, not the size). */
_Static_assert(sizeof(void *) != 4 || sizeof(tcb_core_t) <= 64,
	       "a thread's resident part is at most 64 bytes");

/* The body: everything else, in a page lent as KMEM_TCB at the task's
 * TCB page core->slot (or from the pool where that kind is not lent). */
typedef struct tcb {
	/* Room below the frame: a trap from virtual-8086 mode pushes four
	 * more words, so its frame starts here (see entry.asm). */
	uint32_t vm86_slack[4];
	arch_context_t ctx;          /* the user registers: see arch_switch_to */
	tcb_core_t *core;            /* the resident part */
	uint8_t activated;           /* has had a pager and UTCB: counted active */
	uint8_t utcb_away;           /* its UTCB page is with the kpager
	                              * (kernel/utcb_away.h); utcb is NULL */
	struct space *space;
	uint32_t utcb_location;      /* user address of the 512-byte UTCB, or ~0;
	                              * without utcb: where ThreadControl asked
	                              * for it before the space had a UTCB area */
	word_t *utcb;                /* kernel address of MR0, NULL if none */
	tid_t pager;                 /* the pager ThreadControl gave: the one
	                              * that may ExchangeRegisters the thread
	                              * (faults go to the Pager TCR) */
	tid_t scheduler;
	tid_t peer_local, peer_id;   /* the IPC fast path's last partner: the
	                              * local ID it was named by (nil: by its
	                              * global ID), and its global ID (nil:
	                              * none, peer_core is void) */
	struct tcb_core *peer_core;  /* and its resident part then */
	uint32_t timeslice_us, ts_left_us;
	uint64_t tq_left_us;         /* total quantum left, TQ_NEVER: no limit */
	uint16_t max_delay_us;       /* PreemptionControl: longest delay */
	uint16_t delay_left_us;      /* what is left of it until ThreadSwitch */
	uint8_t sens_prio;           /* PreemptionControl: sensitive priority */
	uint8_t delaying;            /* running on a granted delay */
	struct tcb *space_next;            /* threads of one space */
	kcont_t cont;                /* its kernel state (kernel/kcont.h) */
	word_t utcb_error;           /* ErrorCode kept while the UTCB is away */
	word_t utcb_xfer;            /* XferTimeouts, kept while it is away */
	uint8_t utcb_pflags;         /* PreemptFlags, kept while it is away */
	uint8_t utcb_trap;           /* a trap taken while it was away, to report
	                              * once it is back (kernel/utcb_away.h) */
	arch_thread_t arch;                /* FPU state and the like */
} tcb_t;

/* The partner of t's stopped transfer (kernel/ipc_xfault.c): the record
 * names it by thread number, so a body holds no kernel pointer. */
static inline bool xfer_linked(const tcb_t *t)
{
	return t->cont.xfer.partner != 0;
}

static inline bool xfer_linked_to(const tcb_t *t, const tcb_t *p)
{
	return t->cont.xfer.partner != 0 && t->cont.xfer.partner == tid_number(p->core->id);
}

/* Is t's IPC the kernel's own (sent from and received into kmsg)? */
static inline bool kmsg_active(const tcb_t *t)
{
	return t->cont.kind != CONT_USER_IPC;
}

/* What stays in the kernel of a thread while the rest could be absent. */
#define TCB_RESIDENT_BYTES ((uint32_t)sizeof(tcb_core_t))

#define UTCB_TCR(t, off) ((t)->utcb[(off) / 4])
#define TCR_MY_GLOBAL_ID   (-60)
#define TCR_PROCESSOR_NO   (-56)
#define TCR_USER_HANDLE    (-52)
#define TCR_PAGER          (-48)
#define TCR_EXC_HANDLER    (-44)
#define TCR_PREEMPT_FLAGS  (-40)   /* a byte (kernel/sched_x2.c) */
#define TCR_ERROR_CODE     (-36)
#define TCR_XFER_TIMEOUT   (-32)
#define TCR_INTENDED_RCV   (-28)
#define TCR_ACTUAL_SENDER  (-24)
#define UTCB_BR(t, i)      ((t)->utcb[-16 - (int)(i)])
#define UTCB_SELF_OFFSET   (-256)
/* A local ID is the address of MR0: this far into the 512-byte UTCB. */
#define UTCB_LOCAL_ID_OFFSET 256u

extern tcb_t *current;

/* Thread number -> resident part, two levels: directory slots of 1024
 * entries. */
#define LEAF_ENTRIES 1024
#define THREAD_DIR_ENTRIES ((1u << (32 - TID_VERSION_BITS)) / LEAF_ENTRIES)
extern tcb_core_t **thread_dir[THREAD_DIR_ENTRIES];

/* The resident part of thread `number`, whatever its body's state. */
static inline tcb_core_t *thread_core_by_number(uint32_t number)
{
	tcb_core_t **leaf = thread_dir[number / LEAF_ENTRIES];

	return leaf ? leaf[number % LEAF_ENTRIES] : NULL;
}

/* A resident part by global ID, exact version, with or without body. */
static inline tcb_core_t *thread_core_lookup(tid_t id)
{
	if (!tid_is_global(id))
		return NULL;
	tcb_core_t *c = thread_core_by_number(tid_number(id));
	return c && c->id == id ? c : NULL;
}

/* A whole thread by number: NULL while it has no body yet (being made
 * by a ThreadControl waiting for its TCB page). */
static inline tcb_t *thread_by_number(uint32_t number)
{
	tcb_core_t *c = thread_core_by_number(number);

	return c ? c->tcb : NULL;
}

/* The partner of t's stopped transfer, or NULL. */
static inline tcb_t *xfer_partner(const tcb_t *t)
{
	return xfer_linked(t) ? thread_by_number(t->cont.xfer.partner) : NULL;
}

/* By global ID, exact version. */
static inline tcb_t *thread_lookup(tid_t id)
{
	if (!tid_is_global(id))
		return NULL;
	tcb_core_t *c = thread_core_by_number(tid_number(id));
	return c && c->id == id ? c->tcb : NULL;
}
tcb_t *thread_lookup_local(struct space *s, tid_t local);
/* Resolve a thread specifier as seen from caller: global or local ID. */
tcb_t *thread_resolve(tcb_t *caller, tid_t id);
/*
 * A thread is made in two steps, so that ThreadControl can gather its
 * body's page with the thread already named: its resident part (NULL if
 * the resident reserve refuses, kernel/thread_core.h), then its body, in
 * the TCB page at thread_body_cid() (NULL only where kmem_has() said no).
 */
tcb_core_t *thread_core_create(tid_t id, struct space *s);
/* The first thread of a task not yet made: its resident part holds the
 * task's id and kpager (unhoused) while ThreadControl gathers the task
 * record; NULL if the resident reserve refuses.  Once the record is
 * there and the space built in it, thread_core_house() moves the part
 * into the space, which cannot fail. */
tcb_core_t *thread_core_create_unhoused(tid_t id, uint32_t task, tid_t kpager,
					uint8_t kpf_pages);
void thread_core_house(tcb_core_t *c, struct space *s);
uint32_t thread_body_cid(const tcb_core_t *c);
tcb_t *thread_body_create(tcb_core_t *c, tid_t scheduler);
/* Delete a resident part whose body was never made (an unhoused one
 * gives back the task record lent for it). */
void thread_core_destroy(tcb_core_t *c);
/* Both steps at once, where nothing is gathered (boot). */
tcb_t *thread_create(tid_t id, struct space *s, tid_t scheduler);
/* Delete t; its space stays, even with no thread left (the caller frees it). */
void thread_destroy(tcb_t *t);
int thread_set_utcb(tcb_t *t, uint32_t location);
void thread_set_version(tcb_t *t, tid_t id);
tid_t thread_local_id(const tcb_t *t);
tid_t thread_exc_handler(const tcb_t *t);
/* Call fn for every thread (slow: for deletion only). */
void thread_for_each(void (*fn)(tcb_t *t, void *arg), void *arg);
/* The Pager TCR: where the thread's page faults go.  The thread writes
 * it at will, so it never proves anything about the thread. */
tid_t thread_pager(const tcb_t *t);

/*
 * May `by` use ExchangeRegisters on t as its pager (the X.2 pager
 * extension)?  Only the pager a privileged task gave t by ThreadControl
 * may: neither t's UTCB nor an ExchangeRegisters by anyone changes that
 * pager, so sigma0 can tell its pagees by it (docs/security.md).
 */
static inline bool thread_is_assigned_pager(const tcb_t *t, const tcb_t *by)
{
	return t->pager == by->core->id;
}
void thread_activate(tcb_t *t);
/* Moving a body to another task (kernel/thread_migrate.c): the slot it
 * would take there (-1: none free), the content identifier of that
 * slot's TCB page, and the move itself, into that page (from kmem_get),
 * which cannot fail; it returns the body at its new place. */
int thread_slot_free(const struct space *s);
uint32_t thread_slot_cid(const struct space *s, uint32_t slot);
tcb_t *thread_body_move(tcb_t *t, struct space *to, void *page);

#endif
