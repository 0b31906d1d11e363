/* SPDX-License-Identifier: BSD-2-Clause */
/* Message transfer: untyped words, map and grant items, string items. */
#include <kernel/ipc_xfer.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/string.h>
#include <kernel/preempt.h>
#include <kernel/kpf.h>
#include <kernel/xfer_offset.h>
#include <kernel/space_vacate.h>
#include <kernel/utcb_away.h>
#include <arch/arch.h>

#define MAX_MRS 64
#define MAX_BRS XFER_MAX_BRS

typedef xfer_seg_t segment_t;

/* Strings may only name user memory; a kernel address could never be
 * paged in, so it fails the message instead of faulting forever. */
static bool segments_in_user(const segment_t *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if ((uint64_t)s[i].addr + s[i].len > USER_LIMIT)
			return false;
	return true;
}

/* Receive buffers must lie where a pager can map memory: not in the
 * kernel, the KIP area or the UTCB area. */
static bool buffers_writable_area(struct tcb *rcv, const segment_t *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (s[i].len && !space_is_user_range(rcv->space, s[i].addr, s[i].len))
			return false;
	return segments_in_user(s, n);
}

#define COPY_COST(n) (32u + (n) / 4)   /* about the instructions n bytes cost */

/* The frame of va in t's space for access.  A translation whose table
 * a kpager took back is put back at once where the table is there (or
 * lent again); where it is not, *f says so: the receiver's kpager is
 * asked (XFER_KMEM), or the sender's page fault asks its own. */
static int user_frame(struct tcb *t, uint32_t va, uint32_t access, uint32_t *pa,
		      bool receiver, xfer_fault_t *f)
{
	kmem_need_t need;

	if (space_user_frame(t->space, va, access, pa))
		return XFER_OK;
	switch (space_refill(t->space, va, access, &need)) {
	case REFILL_DONE:
		if (space_user_frame(t->space, va, access, pa))
			return XFER_OK;
		break;
	case REFILL_NEED:
		if (receiver && !kpf_take_refusal(t)) {
			*f = (xfer_fault_t){ .who = t, .need = need };
			return XFER_KMEM;
		}
		*f = (xfer_fault_t){ .who = t, .addr = va, .access = access, .known = !receiver };
		return XFER_FAULT;
	default:
		break;
	}
	*f = (xfer_fault_t){ .who = t, .addr = va, .access = access };
	return XFER_FAULT;
}

/* Copy bytes cur->done .. len between two segment lists through the page
 * tables (len: what fits the buffer).  A missing page stops the copy and
 * names itself in *f; a preemption point stops it too.  The cursor says
 * how far it got either way: cur->done in this string, cur->bytes in all
 * strings of the message. */
static int copy_string(struct tcb *snd, const segment_t *src, unsigned ns,
		       struct tcb *rcv, const segment_t *dst, unsigned nd,
		       uint32_t len, xfer_cursor_t *cur, xfer_fault_t *f)
{
	uint32_t sva, dva, n;

	while ((n = xfer_piece(src, ns, dst, nd, cur->done, len, PAGE_SIZE, &sva, &dva))) {
		uint32_t sp, dp;   /* physical: the frames may lie above the direct map */
		int r = user_frame(snd, sva, RIGHT_R, &sp, false, f);
		if (r != XFER_OK)
			return r;
		if (space_in_utcb_area(rcv->space, dva, 1)) {
			*f = (xfer_fault_t){ .who = rcv, .addr = dva, .access = RIGHT_W };
			return XFER_FAULT;
		}
		r = user_frame(rcv, dva, RIGHT_W, &dp, true, f);
		if (r != XFER_OK)
			return r;
		space_copy_frames(dp, sp, n);
		cur->done += n;
		cur->bytes += n;
		/* Even after the last chunk: many short strings add up too. */
		if (preempt_due(COPY_COST(n)))
			return XFER_STOPPED;
	}
	return XFER_OK;
}

/* A transfer page fault is allowed to wait unless an XferTimeout (the
 * sender's send half, the receiver's receive half) is zero.  Then it
 * fails at once, X.2's way: the partner in whose space the page is
 * missing gets 5, the other 6 (the code returned is the sender's). */
static int fault_or_timeout(struct tcb *snd, struct tcb *rcv, xfer_fault_t *f)
{
	word_t snd_xt = !kmsg_active(snd) ? utcb_xfer_timeout(snd) : 0;
	word_t rcv_xt = !kmsg_active(rcv) ? utcb_xfer_timeout(rcv) : 0;

	if (f->known)
		return XFER_FAULT;
	if (timeout_is_zero(timeouts_snd(snd_xt)) || timeout_is_zero(timeouts_rcv(rcv_xt)))
		return f->who == snd ? IPC_ERR_XFER_TIMEOUT_OWN : IPC_ERR_XFER_TIMEOUT_PARTNER;
	return XFER_FAULT;
}

int ipc_transfer(struct tcb *snd, struct tcb *rcv, word_t *tag_out, xfer_fault_t *f,
		 xfer_cursor_t *cur)
{
	word_t tag = kmsg_active(snd) ? snd->cont.kmsg[0] : arch_ipc_tag(&snd->ctx);
	unsigned u = msgtag_u(tag), t = msgtag_t(tag), end = u + t + 1;
	const word_t *src = kmsg_active(snd) ? snd->cont.kmsg : snd->utcb;
	word_t *dst = kmsg_active(rcv) ? rcv->cont.kmsg : rcv->utcb;
	/* A UTCB page its kpager took back (kernel/utcb_away.c). */
	if (__builtin_expect(!src || !dst, 0)) {
		int away = utcb_xfer_away(snd, rcv, f);
		if (away != XFER_OK)
			return away;
		src = kmsg_active(snd) ? snd->cont.kmsg : snd->utcb;
		dst = kmsg_active(rcv) ? rcv->cont.kmsg : rcv->utcb;
	}
	unsigned dst_max = kmsg_active(rcv) ? KMSG_WORDS : MAX_MRS;
	word_t acceptor;
	word_t br[MAX_BRS];
	bool br_read = false;

	if (end > MAX_MRS || (kmsg_active(snd) && end > KMSG_WORDS))
		return IPC_ERR_OVERFLOW;
	bool answer_awaited = kmsg_active(rcv) && kpf_waiting(rcv);
	if (t && msgtag_label(tag) == LENT_LABEL_KPF && !answer_awaited) {
		/* Pages meant for the kernel, to a thread that waits for no
		 * kernel page fault's answer: a forged fault's sender would
		 * get the kpager's memory.  Refused before anything is copied. */
		*f = (xfer_fault_t){ .who = snd, .addr = LENT_KPF_NOT_WAITING };
		return XFER_REFUSED;
	}
	if (kmsg_active(rcv)) {
		acceptor = FPAGE_COMPLETE;             /* whole space, no strings */
	} else {
		acceptor = UTCB_BR(rcv, 0);
	}
	/* A transfer that stopped goes on with the item it stopped in. */
	if (cur->item <= u || cur->item >= end || cur->br == 0 ||
	    (cur->br >= MAX_BRS && cur->br != XFER_BR_NONE))
		*cur = (xfer_cursor_t){ .item = (uint8_t)(u + 1), .br = 1 };
	/* Untyped words and the typed items' words as they were sent; the
	 * words of strings already done keep what the receiver was told. */
	unsigned last = end < dst_max ? end : dst_max;
	/* A message to a thread that waits in a kernel call goes to its
	 * kmsg, which holds KMSG_WORDS: the kernel reads no more of it than
	 * that, and must write no more (a pager's reply of 62 words would
	 * run over the rest of the TCB body). */
	arch_copy_words(dst + 1, src + 1, u < dst_max ? u : dst_max - 1);
	if (cur->item < last)
		arch_copy_words(dst + cur->item, src + cur->item, last - cur->item);
	if (answer_awaited) {
		/* A kpager's answer: its pages go to the kernel, all or none. */
		uint32_t why = kpf_accept(snd, rcv, src + u + 1, t);
		if (why) {
			*f = (xfer_fault_t){ .who = snd, .addr = why };
			return XFER_REFUSED;
		}
		*tag_out = tag & ~(MSGTAG_FLAGS_MASK);
		return XFER_OK;
	}
	for (unsigned i = cur->item; i < end;) {
		word_t w0 = src[i];
		cur->item = (uint8_t)i;
		if (item_is_map(w0) || item_is_grant(w0)) {
			if (i + 1 >= end)
				return IPC_ERR_OVERFLOW;
			fpage_t window = acceptor_window(acceptor);
			if (fpage_is_nil(window))
				return IPC_ERR_OVERFLOW;
			kmem_need_t need;
			if (!space_map_fpage(snd->space, src[i + 1], item_snd_base(w0), rcv->space,
					     window, item_is_grant(w0), &cur->done, &need)) {
				/* X.2 ("IPC", ErrorCode 4): a map the kernel
				 * has no memory for is a message overflow.
				 * The pages mapped before it stay mapped. */
				if (cur->done & SPACE_MAP_NOMEM)
					return XFER_MAP_NOMEM;
				if (!need.space)
					return XFER_STOPPED;
				need.sender = snd->core->id;
				if (!kpf_take_refusal(rcv)) {
					*f = (xfer_fault_t){ .who = rcv, .need = need };
					return XFER_KMEM;
				}
				return XFER_MAP_NOMEM;   /* its kpager lent none */
			}
			cur->done = 0;
			i += 2;
			continue;
		}
		segment_t ss[XFER_MAX_SEGS], ds[XFER_MAX_SEGS];
		unsigned ns, nd, bnext;
		unsigned next = xfer_parse_string(src, i, end, ss, &ns);
		/* Message overflow (X.2): a malformed item, or no receive
		 * buffer: BR0's s bit clear, or the last buffer's C bit. */
		if (!next || kmsg_active(rcv) || !acceptor_strings(acceptor) ||
		    cur->br == XFER_BR_NONE)
			return IPC_ERR_OVERFLOW;
		if (!br_read) {
			/* Only strings need the receive buffers: read them once. */
			for (unsigned b = 0; b < MAX_BRS; b++)
				br[b] = UTCB_BR(rcv, b);
			br_read = true;
		}
		if (!xfer_buffer_at(br, cur->br, ds, &nd, &bnext))
			return IPC_ERR_OVERFLOW;
		uint32_t len = xfer_total(ss, ns), cap = xfer_total(ds, nd);
		if (!segments_in_user(ss, ns) || !buffers_writable_area(rcv, ds, nd))
			return IPC_ERR_OVERFLOW;
		/* A string longer than its buffer fills it and is cut there. */
		int r = copy_string(snd, ss, ns, rcv, ds, nd, xfer_fits(len, cap), cur, f);
		if (r == XFER_FAULT)
			return fault_or_timeout(snd, rcv, f);
		if (r == XFER_STOPPED || r == XFER_KMEM)
			return r;
		if (len > cap)
			return IPC_ERR_OVERFLOW;
		/* The receiver learns where its string went and how long it is. */
		dst[i] = (len << 10) | (src[i] & 0x3FF & ~(1u << 9) & ~(0x1Fu << 4));
		if (i + 1 < dst_max)
			dst[i + 1] = ds[0].addr;
		for (unsigned k = i + 2; k < next && k < dst_max; k++)
			dst[k] = 0;
		i = next;
		cur->br = (uint8_t)bnext;
		cur->done = 0;
	}
	*tag_out = tag & ~(MSGTAG_FLAGS_MASK);
	return XFER_OK;
}
