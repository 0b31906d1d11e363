/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The external form of a thread body (tcb_t, kernel/thread.h): what a
 * 1 KB slot of a TCB page holds while the task's kpager holds the page
 * (issue 7; the paper, section 3.4).  A fixed little-endian layout,
 * docs/tcb-external-form.md byte by byte:
 *
 *   0    header: magic, version, size, the thread's global ID, the
 *        export's serial number
 *   16   the user registers and the FPU image (arch/regs_extern.h)
 *   592  the continuation: the safe point, free fields (kcont_extern.h)
 *   720  the sealed block: the thread's scheduling parameters, pager,
 *        scheduler and UTCB location, and the continuation's links
 *   800  the seal: SipHash-2-4 of the header and the sealed block under
 *        the kernel's key
 *   808  zero to the end of the slot
 *
 * Nothing in it is a kernel address, a frame number or another thread's
 * data.  What a kpager may change (registers, FPU, the continuation's
 * free fields) is validated on import; what it may read but not change
 * is sealed; what only the kernel knows stays resident or is rebuilt.
 * Pure C: built for the kernel and the host (tests/unit/test_tcb_extern.c,
 * tests/fuzz/fuzz_tcb_import.c).
 */
#ifndef KERNEL_TCB_EXTERN_H
#define KERNEL_TCB_EXTERN_H

#include <kernel/types.h>
#include <kernel/thread.h>
#include <kernel/kcont_extern.h>
#include <kernel/siphash.h>
#include <arch/regs_extern.h>

#define TCBX_BYTES     1024u          /* one slot of a TCB page */
#define TCBX_MAGIC     0x5842434Cu    /* "LCBX" in its bytes */
#define TCBX_VERSION   1u

/* Byte offsets. */
#define TCBX_O_MAGIC    0             /* u32 */
#define TCBX_O_VERSION  4             /* u16 */
#define TCBX_O_SIZE     6             /* u16: TCBX_O_END */
#define TCBX_O_ID       8             /* u32: the thread's global ID */
#define TCBX_O_SERIAL   12            /* u32: which export this is */
#define TCBX_O_REGS     16            /* ARCH_REGS_XBYTES */
#define TCBX_O_CONT     (TCBX_O_REGS + ARCH_REGS_XBYTES)   /* 592: KX_FREE_BYTES */
#define TCBX_O_SEALED   (TCBX_O_CONT + KX_FREE_BYTES)      /* 720 */
#define TCBX_O_SEAL     (TCBX_O_SEALED + TCBX_SEALED_BYTES) /* 800: u64 */
#define TCBX_O_END      (TCBX_O_SEAL + 8)                   /* 808 */

/* The sealed block: the body's own fields, then the continuation's. */
#define TCBX_S_PAGER       0          /* u32: the pager ThreadControl gave */
#define TCBX_S_SCHEDULER   4          /* u32 */
#define TCBX_S_UTCB        8          /* u32: utcb_location */
#define TCBX_S_TIMESLICE   12         /* u32: us */
#define TCBX_S_TS_LEFT     16         /* u32: us */
#define TCBX_S_TQ_LEFT     20         /* u64: us, ~0: no limit */
#define TCBX_S_MAX_DELAY   28         /* u16: us */
#define TCBX_S_DELAY_LEFT  30         /* u16: us */
#define TCBX_S_SENS_PRIO   32         /* u8 */
#define TCBX_S_DELAYING    33         /* u8: 0 or 1 */
#define TCBX_S_ACTIVATED   34         /* u8: 0 or 1 */
#define TCBX_S_PAD         35         /* u8: zero */
#define TCBX_S_CONT        36         /* KXS_BYTES */
#define TCBX_SEALED_BYTES  (TCBX_S_CONT + KXS_BYTES)        /* 80 */
/* The seal covers the header and the sealed block. */
#define TCBX_SEAL_INPUT    (TCBX_O_REGS + TCBX_SEALED_BYTES)

_Static_assert(TCBX_O_END <= TCBX_BYTES, "the form fits its slot");

/* What the kernel gives an export besides the body. */
typedef struct tcb_export_ctx {
	siphash_key_t key;            /* the kernel's sealing key */
	uint32_t serial;              /* this export's number, kept resident */
	arch_fpu_caps_t fpu;          /* which FPU image the CPU makes */
	tid_t held, xfer_partner;     /* the IDs of the threads cont.held and
	                               * cont.xfer.partner number (nil: none) */
} tcb_export_ctx_t;

/* What the kernel knows of the thread it imports, which the page cannot
 * change, and the kernel-only fields the body gets. */
struct tcb_import_ctx {
	kx_ctx_t cont;                /* ID, task, resident state and links,
	                               * the space's user range */
	arch_fpu_caps_t fpu;
	siphash_key_t key;
	uint32_t serial;              /* the serial the export left resident */
	/* The body's kernel-only fields, as the kernel rebuilds them. */
	tcb_core_t *core;
	struct space *space;
	word_t *utcb;                 /* from tcbx_utcb_location(), checked */
	struct tcb *space_next;
};

/* Why an import was refused.  The register block's and the
 * continuation's reasons are their own enums, offset. */
enum tcbx_refusal {
	TCBX_OK,
	TCBX_BAD_MAGIC,
	TCBX_BAD_VERSION,        /* another version, or another size */
	TCBX_WRONG_ID,           /* another thread's body, or another slot's */
	TCBX_STALE,              /* an earlier export's page */
	TCBX_BAD_SEAL,           /* the sealed block or header was changed */
	TCBX_BAD_PAD,            /* a byte the form leaves zero is not */
	TCBX_BAD_FLAG,           /* activated or delaying neither 0 nor 1 */
	TCBX_BAD_ID,             /* pager or scheduler not a global ID or nil */
	TCBX_REGS_BASE = 16,     /* + enum arch_regs_fault */
	TCBX_CONT_BASE = 32,     /* + enum kx_fault (itself + kcont_fault) */
};
#define TCBX_REGS(f) (TCBX_REGS_BASE + (f))
#define TCBX_CONT(f) (TCBX_CONT_BASE + (f))

/* Write t's body (core: its resident part) into the TCBX_BYTES at out.
 * Cannot fail.  The caller saved the FPU into the body if t owned it. */
void tcb_export(const tcb_t *t, const tcb_core_t *core, const tcb_export_ctx_t *x, void *out);
/* Validate the TCBX_BYTES at in as ctx's thread: TCBX_OK or a reason.
 * Pure: reads in and ctx only. */
int tcb_import_check(const void *in, const struct tcb_import_ctx *ctx);
/* The UTCB location a checked form holds (sealed: the kernel's own), for
 * the caller to find ctx->utcb before it applies. */
uint32_t tcbx_utcb_location(const void *in);
/* Turn a form tcb_import_check() accepted into the body t.  Cannot
 * fail.  Writes every field of t but arch.utcb_desc (the caller sets it
 * from the UTCB location, arch_thread_set_utcb()). */
void tcb_import_apply(const void *in, const struct tcb_import_ctx *ctx, tcb_t *t);

#endif
