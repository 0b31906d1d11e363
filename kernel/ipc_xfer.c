/* SPDX-License-Identifier: BSD-2-Clause */
/* Message transfer: untyped words, map and grant items, string items. */
#include <kernel/ipc_xfer.h>
#include <kernel/thread.h>
#include <kernel/space.h>
#include <kernel/string.h>
#include <kernel/preempt.h>
#include <kernel/kpf.h>
#include <arch/arch.h>

#define MAX_MRS 64
#define MAX_BRS 33
#define MAX_SEGS 32

typedef struct segment { uint32_t addr, len; } segment_t;

/* Read one string (an item plus the items chained to it with the c bit)
 * starting at words[i]; returns the index after it, 0 if malformed. */
static unsigned parse_string(const word_t *words, unsigned i, unsigned end,
			     segment_t *segs, unsigned *nsegs)
{
	*nsegs = 0;
	for (;;) {
		if (i >= end)
			return 0;
		word_t hdr = words[i++];
		if (!item_is_string(hdr))
			return 0;
		unsigned j = string_item_substrings(hdr);
		if (i + j > end || *nsegs + j > MAX_SEGS)
			return 0;
		for (unsigned k = 0; k < j; k++)
			segs[(*nsegs)++] = (segment_t){ words[i++], string_item_length(hdr) };
		if (!string_item_compound(hdr))
			return i;
	}
}

static uint32_t total_len(const segment_t *s, unsigned n)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += s[i].len;
	return sum;
}

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

/* Find byte off of a segment list: segment *idx, offset *in there. */
static void seek(const segment_t *s, unsigned n, uint32_t off, unsigned *idx, uint32_t *in)
{
	unsigned i = 0;

	while (i < n && off >= s[i].len) {
		off -= s[i].len;
		i++;
	}
	*idx = i;
	*in = off;
}

#define COPY_COST(n) (32u + (n) / 4)   /* about the instructions n bytes cost */

/* Copy bytes *done .. len between two segment lists through the page
 * tables.  A missing page stops the copy and names itself in *f; a
 * preemption point stops it too.  *done says how far it got either way. */
static int copy_string(struct tcb *snd, const segment_t *src, unsigned ns,
		       struct tcb *rcv, const segment_t *dst, unsigned nd,
		       uint32_t len, uint32_t *done, xfer_fault_t *f)
{
	unsigned si, di;
	uint32_t so, dof;

	seek(src, ns, *done, &si, &so);
	seek(dst, nd, *done, &di, &dof);
	while (*done < len) {
		while (si < ns && so == src[si].len)
			si++, so = 0;
		while (di < nd && dof == dst[di].len)
			di++, dof = 0;
		if (si == ns || di == nd)
			break;
		uint32_t sva = src[si].addr + so, dva = dst[di].addr + dof;
		uint32_t n = len - *done;
		n = n < src[si].len - so ? n : src[si].len - so;
		n = n < dst[di].len - dof ? n : dst[di].len - dof;
		n = n < PAGE_SIZE - (sva & ~PAGE_MASK) ? n : PAGE_SIZE - (sva & ~PAGE_MASK);
		n = n < PAGE_SIZE - (dva & ~PAGE_MASK) ? n : PAGE_SIZE - (dva & ~PAGE_MASK);
		uint32_t sp, dp;   /* physical: the frames may lie above the direct map */
		if (!space_user_frame(snd->space, sva, RIGHT_R, &sp)) {
			*f = (xfer_fault_t){ .who = snd, .addr = sva, .access = RIGHT_R };
			return XFER_FAULT;
		}
		if (!space_user_frame(rcv->space, dva, RIGHT_W, &dp) ||
		    space_in_utcb_area(rcv->space, dva, 1)) {
			*f = (xfer_fault_t){ .who = rcv, .addr = dva, .access = RIGHT_W };
			return XFER_FAULT;
		}
		space_copy_frames(dp, sp, n);
		so += n, dof += n, *done += n;
		/* Even after the last chunk: many short strings add up too. */
		if (preempt_due(COPY_COST(n)))
			return XFER_STOPPED;
	}
	return XFER_OK;
}

/* A transfer page fault is allowed to wait unless an XferTimeout is zero. */
static int fault_or_timeout(struct tcb *snd, struct tcb *rcv, xfer_fault_t *f)
{
	word_t snd_xt = snd->utcb && !kmsg_active(snd) ? UTCB_TCR(snd, TCR_XFER_TIMEOUT) : 0;
	word_t rcv_xt = rcv->utcb && !kmsg_active(rcv) ? UTCB_TCR(rcv, TCR_XFER_TIMEOUT) : 0;

	if (timeout_is_zero(timeouts_snd(snd_xt)))
		return IPC_ERR_XFER_TIMEOUT_OWN;
	if (timeout_is_zero(timeouts_rcv(rcv_xt)))
		return IPC_ERR_XFER_TIMEOUT_PARTNER;
	(void)f;
	return XFER_FAULT;
}

int ipc_transfer(struct tcb *snd, struct tcb *rcv, word_t *tag_out, xfer_fault_t *f,
		 xfer_cursor_t *cur)
{
	word_t tag = kmsg_active(snd) ? snd->cont.kmsg[0] : arch_ipc_tag(&snd->ctx);
	unsigned u = msgtag_u(tag), t = msgtag_t(tag), end = u + t + 1;
	const word_t *src = kmsg_active(snd) ? snd->cont.kmsg : snd->utcb;
	word_t *dst = kmsg_active(rcv) ? rcv->cont.kmsg : rcv->utcb;
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
	if (cur->item <= u || cur->item >= end || cur->br == 0 || cur->br >= MAX_BRS)
		*cur = (xfer_cursor_t){ .item = (uint8_t)(u + 1), .br = 1, .done = 0 };
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
				if (!need.space)
					return XFER_STOPPED;
				/* The kpager would not lend the page: the map
				 * item is refused, the rest goes on. */
				if (!kpf_take_refusal(rcv)) {
					*f = (xfer_fault_t){ .who = rcv, .need = need };
					return XFER_KMEM;
				}
			}
			cur->done = 0;
			i += 2;
			continue;
		}
		segment_t ss[MAX_SEGS], ds[MAX_SEGS];
		unsigned ns, nd;
		unsigned next = parse_string(src, i, end, ss, &ns);
		if (!next || kmsg_active(rcv) || !acceptor_strings(acceptor))
			return IPC_ERR_OVERFLOW;
		if (!br_read) {
			/* Only strings need the receive buffers: read them once. */
			for (unsigned b = 0; b < MAX_BRS; b++)
				br[b] = UTCB_BR(rcv, b);
			br_read = true;
		}
		unsigned bnext = parse_string(br, cur->br, MAX_BRS, ds, &nd);
		if (!bnext)
			return IPC_ERR_OVERFLOW;
		uint32_t len = total_len(ss, ns);
		if (!segments_in_user(ss, ns) || !buffers_writable_area(rcv, ds, nd))
			return IPC_ERR_OVERFLOW;
		if (len > total_len(ds, nd))
			return IPC_ERR_OVERFLOW;
		int r = copy_string(snd, ss, ns, rcv, ds, nd, len, &cur->done, f);
		if (r == XFER_FAULT)
			return fault_or_timeout(snd, rcv, f);
		if (r == XFER_STOPPED)
			return r;
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
