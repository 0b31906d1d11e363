/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A thread's kernel state, as one record: its continuation.  The kernel
 * has one stack, so a thread blocked inside it keeps none; what it was
 * doing is this record instead, saying which safe point the thread is at
 * and holding what going on from that point needs, and nothing else.
 *
 * It lives in the thread's body (kernel/thread.h), so it is lent memory
 * like the rest of the body; the resident part (tcb_core_t) keeps only
 * the scheduling state and the queue links.  The record holds no kernel
 * pointer: a partner is named by its thread number.  kcont_check() is
 * the validation of the record that a kernel reading it back
 * (docs/kernel-memory.md) runs first.
 */
#ifndef KERNEL_KCONT_H
#define KERNEL_KCONT_H

#include <kernel/types.h>
#include <kernel/l4types.h>
#include <kernel/preempt.h>
#include <kernel/xfer_cursor.h>

struct tcb;

enum thread_state {
	TS_INACTIVE,     /* exists, not activated (no pager/UTCB yet) */
	TS_READY,        /* runnable (maybe running) */
	TS_SEND,         /* blocked in the send phase on partner */
	TS_RECV,         /* blocked in the receive phase */
	TS_HALTED,       /* stopped: no handler for an exception, or by exregs */
	TS_AWAY,         /* its body is out with the kpager (kernel/tcb_away.h):
	                  * never runs; core->away says the state it left in */
};

/* What a thread does once the IPC it is blocked in completes. */
enum continuation {
	CONT_USER_IPC,   /* an Ipc/Lipc system call: return its results to user */
	CONT_PAGEFAULT,  /* a kernel-made page-fault IPC: retry the user access */
	CONT_PF_RECV,    /* a page fault on a receive buffer, or a kernel page
	                  * fault in a receive: take up the receive (recv) */
	CONT_EXCEPTION,  /* a kernel-made exception IPC: load registers from reply */
	CONT_STARTUP,    /* first message from the pager: start at MR1/MR2 */
	CONT_KPF,        /* a kernel page fault: once answered, back to user
	                  * mode to re-execute what needed the page */
	CONT_KPF_FAULT,  /* a kernel page fault for a user page fault: once
	                  * answered, the page-fault IPC (fault) */
	CONT_KINDS
};

/* Where the thread's last kernel page fault stands. */
enum kpf_state {
	KPF_IDLE,        /* none sent, or its outcome is used up */
	KPF_ASKED,       /* sent; the kpager has not answered */
	KPF_LENT,        /* answered with pages, and the thread not yet woken */
	KPF_REFUSED,     /* answered with none: the operation that asked
	                  * fails with "no memory" when it runs again */
	KPF_REFUSED_FAULT, /* the same for a page fault: only the thread's
	                  * next page fault takes it (the fault may not
	                  * recur; nothing else must fail for it) */
	KPF_STATES
};

#define KMSG_WORDS 14
/* In fault.access: the faulting page is the KIP's or a UTCB page (its
 * translation comes back from what the kernel keeps), not one a pager
 * maps. */
#define FAULT_NOT_USER 0x80u
#define KPF_MAX_PAGES 3  /* pages one kernel page fault may name (kernel/kpf.c) */
#define XFER_SENDER 1
#define XFER_RECEIVER 2

/* The pages a kernel page fault named, and for which task. */
typedef struct kpf_wait {
	uint8_t state;                 /* enum kpf_state */
	uint8_t pages;                 /* pages asked for (1..KPF_MAX_PAGES) */
	uint8_t kinds[KPF_MAX_PAGES];  /* their kinds, in fault order */
	uint32_t cid[KPF_MAX_PAGES];   /* and their content identifiers */
	uint32_t task;                 /* the task's space id */
	tid_t named;                   /* the thread that named it */
} kpf_wait_t;

/* A transfer stopped by a page fault or at a preemption point
 * (kernel/ipc_xfault.c): the two partners are linked until it ends. */
typedef struct xfer_state {
	uint32_t partner;              /* the partner's thread number (0: no
	                                * transfer stopped); a body holds no
	                                * kernel pointer */
	uint8_t role;                  /* XFER_SENDER or XFER_RECEIVER */
	uint8_t fault_snd;             /* the last fault was in the sender's space */
	uint8_t rewound;               /* sender's trap rewound to retry the Ipc */
	uint64_t deadline_us;          /* end of the transfer, from its first fault
	                                * (0: none armed yet) */
	xfer_cursor_t cur;             /* as sender: how far the transfer got */
	tid_t cur_to;                  /* and to whom (nil: no transfer kept) */
} xfer_state_t;

typedef struct kcont {
	uint8_t kind;                  /* enum continuation.  Any kind but
	                                * CONT_USER_IPC: the IPC is the kernel's,
	                                * sent from and received into kmsg */
	uint8_t halted;                /* ExchangeRegisters halt: never runs user code */
	uint8_t receive_pending;       /* on the receive work list (ipc.c) */
	tid_t ipc_from;                /* the receive phase's specifier */
	uint32_t ipc_timeouts;
	tid_t ipc_intended;            /* a redirected send's intended receiver
	                                * (global ID; nil: not redirected), or
	                                * the interrupt thread a blocked send
	                                * waits for in vain (kernel/ipc.c) */
	word_t kmsg[KMSG_WORDS];       /* kernel-made message and its reply */
	union {
		/* CONT_KPF_FAULT: the user page fault to send once the
		 * kernel page fault is answered. */
		struct {
			uint32_t addr, ip;
			uint8_t access;        /* RIGHT_*, and FAULT_NOT_USER */
		} fault;
		/* CONT_PF_RECV: the receive to take up once its page is
		 * there.  again: a kernel page fault came in the middle of
		 * the pager's answer for the buffer, so first that answer
		 * is received again, from this pager. */
		struct {
			tid_t from;
			uint32_t timeouts;
			uint8_t kind;          /* its continuation: never CONT_PF_RECV */
			tid_t again;
		} recv;
	};
	kpf_wait_t kpf;                /* the last kernel page fault sent */
	uint32_t held;                 /* a reply the kernel asked for (its pager's)
	                                * stopped for a page of ours, its sender
	                                * queued on us unlinked: its thread number,
	                                * 0 if none (ipc_xfault.c) */
	xfer_state_t xfer;
	resume_t resume;               /* a system call stopped at a preemption point */
} kcont_t;

/* The kernel page fault k waited on is over (answered, cancelled, or
 * its IPC dropped); a refusal it left stays for the operation to take. */
static inline void kcont_kpf_over(kcont_t *k)
{
	if (k->kpf.state == KPF_ASKED || k->kpf.state == KPF_LENT)
		k->kpf.state = KPF_IDLE;
}

/* The note a kernel page fault that ends with no page leaves, by the
 * continuation that waited for it: a page fault's is its own. */
static inline uint8_t kcont_refusal_note(uint8_t kind)
{
	return kind == CONT_KPF_FAULT ? KPF_REFUSED_FAULT : KPF_REFUSED;
}

/* Why kcont_check() refused a record. */
enum kcont_fault {
	KCONT_OK,
	KCONT_BAD_KIND,          /* not a continuation */
	KCONT_BAD_FLAG,          /* a flag neither 0 nor 1 */
	KCONT_BAD_KPF,           /* the kernel page fault's pages or state */
	KCONT_KPF_NOT_AWAITED,   /* a kernel page fault awaited, yet the kind
	                          * does not wait for one, or the reverse */
	KCONT_BAD_RECV,          /* the receive to take up */
	KCONT_BAD_XFER,          /* the stopped transfer's role */
	KCONT_BAD_RESUME,        /* the stopped system call */
	KCONT_NOT_BLOCKED,       /* a kernel IPC in a thread not blocked in one */
	KCONT_BAD_LINK,          /* the self-check: a link to another thread
	                          * that thread does not return */
};

/*
 * Is k a state the kernel could have left a thread in, for a thread in
 * scheduling state ts (enum thread_state)?  Pure: it reads the record
 * only (not what its pointer names), so it builds and is tested on the
 * host (tests/unit/test_kcont.c).  Returns KCONT_OK or the first rule
 * broken.
 */
enum kcont_fault kcont_check(const kcont_t *k, unsigned ts);

#endif
