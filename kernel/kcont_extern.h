/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A thread's continuation (kernel/kcont.h) in the external form of its
 * body (kernel/tcb_extern.h): one enumerated safe point, and what going
 * on from it needs, with every other thread named by its global ID.
 * Two blocks: the free one a kpager may edit (validated on import), and
 * the continuation's part of the sealed one (its links to other threads,
 * the task a kernel page fault is for, a stopped system call), which the
 * body's seal covers.  Pure C: built for the kernel and the host.
 * docs/tcb-external-form.md gives the layout byte by byte.
 */
#ifndef KERNEL_KCONT_EXTERN_H
#define KERNEL_KCONT_EXTERN_H

#include <kernel/types.h>
#include <kernel/l4types.h>
#include <kernel/kcont.h>

/*
 * The safe points.  A thread at a safe point runs no kernel code: it is
 * not yet activated, runs (or may run) user code, is halted, or is
 * blocked in one phase of an IPC, its own or one the kernel made for it
 * (enum continuation).  0 is no point, so a zeroed page is refused.
 */
enum kx_point {
	KX_PT_NONE,
	KX_PT_INACTIVE,          /* made, not activated */
	KX_PT_READY,             /* runs user code, or will */
	KX_PT_HALTED,            /* stopped, runs nothing */
	KX_PT_IPC_SEND,          /* its own Ipc, send phase, to the partner */
	KX_PT_IPC_RECV,          /* its own Ipc, receive phase */
	KX_PT_PAGEFAULT_SEND,    /* a page fault to its pager: sending */
	KX_PT_PAGEFAULT_RECV,    /* waiting for the pager's map */
	KX_PT_PF_RECV_SEND,      /* a receive stopped for a buffer's page or a
	                          * kernel page: the fault being sent */
	KX_PT_PF_RECV_RECV,      /* and waiting for its answer */
	KX_PT_EXCEPTION_SEND,    /* an exception message to its handler */
	KX_PT_EXCEPTION_RECV,    /* waiting for the handler's reply */
	KX_PT_STARTUP_SEND,      /* the start-up protocol (X.2): sending */
	KX_PT_STARTUP_RECV,      /* waiting for the pager's start message */
	KX_PT_KPF_SEND,          /* a kernel page fault for a system call */
	KX_PT_KPF_RECV,          /* waiting for the kpager's pages */
	KX_PT_KPF_FAULT_SEND,    /* a kernel page fault for a user page fault */
	KX_PT_KPF_FAULT_RECV,    /* waiting for the kpager's pages */
	KX_POINTS
};

/* The point of a blocked thread, by continuation and phase. */
#define KX_PT_SEND_OF(kind) ((uint8_t)(KX_PT_IPC_SEND + 2 * (kind)))
#define KX_PT_RECV_OF(kind) ((uint8_t)(KX_PT_IPC_RECV + 2 * (kind)))
_Static_assert(KX_PT_SEND_OF(CONT_KPF_FAULT) == KX_PT_KPF_FAULT_SEND &&
	       KX_PT_RECV_OF(CONT_KINDS - 1) == KX_POINTS - 1, "one send and one receive point per kind");

/* The free block: byte offsets. */
#define KX_POINT          0     /* u8: enum kx_point */
#define KX_HALTED         1     /* u8: 0 or 1 */
#define KX_KPF_STATE      2     /* u8: enum kpf_state */
#define KX_KPF_PAGES      3     /* u8: 0..KPF_MAX_PAGES */
#define KX_PARTNER        4     /* u32: the receiver a send waits on (nil otherwise) */
#define KX_IPC_FROM       8     /* u32: the receive specifier */
#define KX_IPC_TIMEOUTS   12    /* u32 */
#define KX_KMSG           16    /* KMSG_WORDS x u32 */
#define KX_ARG_A          72    /* u32: fault address, or receive specifier */
#define KX_ARG_B          76    /* u32: fault IP, or receive timeouts */
#define KX_ARG_C          80    /* u8: fault access, or receive's kind; 3 zero */
#define KX_ARG_D          84    /* u32: a receive's "again" pager */
#define KX_KPF_KINDS      88    /* KPF_MAX_PAGES x u8, one zero */
#define KX_KPF_CIDS       92    /* KPF_MAX_PAGES x u32 */
#define KX_XFER_FAULT_SND 104   /* u8 */
#define KX_XFER_REWOUND   105   /* u8 */
#define KX_CUR_ITEM       106   /* u8 */
#define KX_CUR_BR         107   /* u8 */
#define KX_CUR_DONE       108   /* u32 */
#define KX_CUR_BYTES      112   /* u32 */
#define KX_DEADLINE       116   /* u64: the stopped transfer's end, us */
#define KX_PAD            124   /* u32, zero */
#define KX_FREE_BYTES     128

/* The continuation's sealed fields: byte offsets in their block. */
#define KXS_INTENDED      0     /* u32: a redirected send's intended receiver */
#define KXS_KPF_TASK      4     /* u32: the task a kernel page fault is for */
#define KXS_KPF_NAMED     8     /* u32: the thread that named it */
#define KXS_HELD          12    /* u32: a held reply's sender (nil: none) */
#define KXS_XFER_PARTNER  16    /* u32: a stopped transfer's partner (nil: none) */
#define KXS_XFER_CUR_TO   20    /* u32: to whom the kept cursor goes */
#define KXS_XFER_ROLE     24    /* u8; then u8 resume op, u8 resume vector, u8 zero */
#define KXS_RESUME_OP     25
#define KXS_RESUME_VECTOR 26
#define KXS_PAD           27
#define KXS_RESUME_AT     28    /* u32, then a, b, c: u32 each */
#define KXS_BYTES         44

/* The message registers of a message (X.2): a transfer's cursor stays
 * inside them. */
#define KX_MAX_MRS 64

/* The global IDs of the threads a body names by resident link or by
 * number, which the kernel looks up on export. */
typedef struct kx_links {
	tid_t send_partner;    /* TS_SEND: the receiver (core->partner) */
	tid_t held;            /* cont.held's thread, nil if none */
	tid_t xfer_partner;    /* cont.xfer.partner's thread, nil if none */
} kx_links_t;

/* What the kernel knows of the thread, and the page cannot change. */
typedef struct kx_ctx {
	tid_t id;               /* the thread */
	uint32_t task;          /* its task's id (space->id) */
	uint8_t state;          /* its resident scheduling state */
	uint8_t receive_pending;   /* on the receive work list (resident links) */
	tid_t send_partner;     /* TS_SEND: its receiver's ID (core->partner) */
	uint32_t user_limit;    /* the end of user space (USER_LIMIT) */
	fpage_t kip_area, utcb_area;   /* the space's areas, no user page */
} kx_ctx_t;

/* Why an imported continuation was refused. */
enum kx_fault {
	KX_OK,
	KX_BAD_POINT,           /* not a safe point */
	KX_STATE_MISMATCH,      /* not the resident state's point */
	KX_WRONG_PARTNER,       /* a send's receiver not the resident one, or
	                         * one named where no send waits */
	KX_BAD_KPF_PAGES,       /* more than KPF_MAX_PAGES, a CID outside the
	                         * task's window or of another kind, or
	                         * entries past the count */
	KX_BAD_KPF_TASK,        /* a kernel page fault for another task */
	KX_BAD_FAULT,           /* a user fault outside user space, or bad access */
	KX_BAD_UNUSED,          /* fields the point does not use not zero */
	KX_BAD_KMSG,            /* a kernel message longer than kmsg */
	KX_BAD_CURSOR,          /* a transfer cursor outside its message */
	KX_BAD_ID,              /* not a global ID where one is needed */
	KX_SELF_LINK,           /* the thread linked to itself */
	KX_KCONT_BASE = 32      /* + enum kcont_fault: kcont_check() refused */
};
#define KX_KCONT(f) (KX_KCONT_BASE + (f))

/* Write k (of a thread in state ts) into the free block and the sealed
 * part.  Cannot fail. */
void kcont_export(const kcont_t *k, unsigned ts, const kx_links_t *links,
		  uint8_t *free_blk, uint8_t *sealed);
/* Validate both blocks for the thread ctx describes: KX_OK or a reason.
 * Pure; a record it accepts passes kcont_check(). */
int kcont_import_check(const uint8_t *free_blk, const uint8_t *sealed, const kx_ctx_t *ctx);
/* Build the record from blocks kcont_import_check() accepted.  Cannot
 * fail; every byte of *k is written. */
void kcont_import_apply(const uint8_t *free_blk, const uint8_t *sealed, const kx_ctx_t *ctx,
			kcont_t *k);

#endif
