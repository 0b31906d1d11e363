/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The continuation's external form (kernel/kcont_extern.h).  The paper's
 * section 3.4: a thread's kernel state leaves the kernel as a digest of
 * the safe point it is at, which the kernel revalidates when the page
 * comes back, so that an edited page yields another state the thread
 * could have been in, or a refusal.  Partners leave as global IDs, never
 * as pointers or thread numbers alone.
 */
#include <kernel/kcont_extern.h>
#include <kernel/extern_le.h>
#include <kernel/iofpage.h>
#include <kernel/string.h>
#include <kernel/xfer_offset.h>
#include <user/include/lent/kmem.h>

static uint8_t point_of(uint8_t kind, unsigned ts)
{
	if (kind >= CONT_KINDS)
		return KX_PT_NONE;      /* no record the kernel makes */
	switch (ts) {
	case TS_INACTIVE: return KX_PT_INACTIVE;
	case TS_READY:    return KX_PT_READY;
	case TS_HALTED:   return KX_PT_HALTED;
	case TS_SEND:     return KX_PT_SEND_OF(kind);
	case TS_RECV:     return KX_PT_RECV_OF(kind);
	default:          return KX_PT_NONE;
	}
}

/* A point's continuation and scheduling state (pt is a point). */
static uint8_t kind_of(uint8_t pt)
{
	return pt < KX_PT_IPC_SEND ? CONT_USER_IPC : (uint8_t)((pt - KX_PT_IPC_SEND) / 2);
}

static uint8_t state_of(uint8_t pt)
{
	if (pt == KX_PT_INACTIVE)
		return TS_INACTIVE;
	if (pt == KX_PT_READY)
		return TS_READY;
	if (pt == KX_PT_HALTED)
		return TS_HALTED;
	return (pt - KX_PT_IPC_SEND) % 2 ? TS_RECV : TS_SEND;
}

static tid_t id_of(tid_t id)
{
	return tid_is_global(id) ? id : TID_NIL;
}

void kcont_export(const kcont_t *k, unsigned ts, const kx_links_t *links,
		  uint8_t *f, uint8_t *s)
{
	uint8_t pages = k->kpf.pages <= KPF_MAX_PAGES ? k->kpf.pages : 0;

	memset(f, 0, KX_FREE_BYTES);
	memset(s, 0, KXS_BYTES);
	f[KX_POINT] = point_of(k->kind, ts);
	f[KX_HALTED] = k->halted;
	f[KX_KPF_STATE] = k->kpf.state;
	f[KX_KPF_PAGES] = pages;
	le32_put(f + KX_PARTNER, ts == TS_SEND ? links->send_partner : TID_NIL);
	le32_put(f + KX_IPC_FROM, k->ipc_from);
	le32_put(f + KX_IPC_TIMEOUTS, k->ipc_timeouts);
	for (unsigned i = 0; i < KMSG_WORDS; i++)
		le32_put(f + KX_KMSG + 4 * i, k->kmsg[i]);
	/* The union: what the continuation uses of it, zeros otherwise. */
	if (k->kind == CONT_KPF_FAULT) {
		le32_put(f + KX_ARG_A, k->fault.addr);
		le32_put(f + KX_ARG_B, k->fault.ip);
		f[KX_ARG_C] = k->fault.access;
	} else if (k->kind == CONT_PF_RECV) {
		le32_put(f + KX_ARG_A, k->recv.from);
		le32_put(f + KX_ARG_B, k->recv.timeouts);
		f[KX_ARG_C] = k->recv.kind;
		le32_put(f + KX_ARG_D, k->recv.again);
	}
	for (unsigned i = 0; i < pages; i++) {
		f[KX_KPF_KINDS + i] = k->kpf.kinds[i];
		le32_put(f + KX_KPF_CIDS + 4 * i, k->kpf.cid[i]);
	}
	f[KX_XFER_FAULT_SND] = k->xfer.fault_snd;
	f[KX_XFER_REWOUND] = k->xfer.rewound;
	f[KX_CUR_ITEM] = k->xfer.cur.item;
	f[KX_CUR_BR] = k->xfer.cur.br;
	le32_put(f + KX_CUR_DONE, k->xfer.cur.done);
	le32_put(f + KX_CUR_BYTES, k->xfer.cur.bytes);
	le64_put(f + KX_DEADLINE, k->xfer.deadline_us);

	le32_put(s + KXS_INTENDED, k->ipc_intended);
	le32_put(s + KXS_KPF_TASK, k->kpf.task);
	le32_put(s + KXS_KPF_NAMED, k->kpf.named);
	le32_put(s + KXS_HELD, k->held ? id_of(links->held) : TID_NIL);
	le32_put(s + KXS_XFER_PARTNER, k->xfer.partner ? id_of(links->xfer_partner) : TID_NIL);
	le32_put(s + KXS_XFER_CUR_TO, k->xfer.cur_to);
	s[KXS_XFER_ROLE] = k->xfer.role;
	s[KXS_RESUME_OP] = k->resume.op;
	s[KXS_RESUME_VECTOR] = k->resume.vector;
	le32_put(s + KXS_RESUME_AT, k->resume.at);
	le32_put(s + KXS_RESUME_AT + 4, k->resume.a);
	le32_put(s + KXS_RESUME_AT + 8, k->resume.b);
	le32_put(s + KXS_RESUME_AT + 12, k->resume.c);
}

static bool overlaps(uint32_t page, fpage_t area)
{
	if (fpage_is_nil(area))
		return false;
	uint64_t base = fpage_base(area);
	return (uint64_t)page + PAGE_SIZE > base && page < base + fpage_size(area);
}

/* A user page fault's address: an I/O port's page, or a page of user
 * space outside the KIP and UTCB areas (what space_is_user_range() says
 * when the kernel first sends such a fault to a kpager). */
static bool user_fault_addr(const kx_ctx_t *c, uint32_t addr)
{
	uint32_t page = addr & PAGE_MASK;

	if (io_va_is(addr))
		return true;
	return page < c->user_limit && (uint64_t)page + PAGE_SIZE <= c->user_limit &&
	       !overlaps(page, c->kip_area) && !overlaps(page, c->utcb_area);
}

/* The kernel page fault's pages: in the count's range, each a CID of
 * its own kind in the task's window, and nothing past the count. */
static bool kpf_pages_ok(const uint8_t *f)
{
	uint8_t pages = f[KX_KPF_PAGES];

	if (pages > KPF_MAX_PAGES || f[KX_KPF_KINDS + KPF_MAX_PAGES])
		return false;
	for (unsigned i = 0; i < KPF_MAX_PAGES; i++) {
		uint8_t kind = f[KX_KPF_KINDS + i];
		uint32_t cid = le32_get(f + KX_KPF_CIDS + 4 * i);
		if (i >= pages ? kind || cid : kind >= LENT_KMEM_KINDS || lent_cid_kind(cid) != kind)
			return false;
	}
	return true;
}

/* A link to another thread: none, or a global ID of a thread with a
 * number (number 0 is the record's "none"). */
static bool link_ok(tid_t id)
{
	return tid_is_nil(id) || (tid_is_global(id) && tid_number(id) != 0);
}

static bool nil_or_global(tid_t id)
{
	return tid_is_nil(id) || tid_is_global(id);
}

/* The fields the point keeps in the record's union. */
static int union_check(const uint8_t *f, uint8_t kind, const kx_ctx_t *c)
{
	if (f[KX_ARG_C + 1] || f[KX_ARG_C + 2] || f[KX_ARG_C + 3])
		return KX_BAD_UNUSED;
	if (kind == CONT_PF_RECV)
		return KX_OK;            /* the receive: kcont_check() */
	if (kind != CONT_KPF_FAULT)
		return le32_get(f + KX_ARG_A) || le32_get(f + KX_ARG_B) || f[KX_ARG_C] ||
		       le32_get(f + KX_ARG_D) ? KX_BAD_UNUSED : KX_OK;
	if (le32_get(f + KX_ARG_D))
		return KX_BAD_UNUSED;
	/* The access is rights bits (r, w, x). */
	if (f[KX_ARG_C] > 7 || !user_fault_addr(c, le32_get(f + KX_ARG_A)))
		return KX_BAD_FAULT;
	return KX_OK;
}

static int links_check(const uint8_t *s, const kx_ctx_t *c)
{
	tid_t held = le32_get(s + KXS_HELD), partner = le32_get(s + KXS_XFER_PARTNER);

	if (!link_ok(held) || !link_ok(partner) || !nil_or_global(le32_get(s + KXS_INTENDED)) ||
	    !nil_or_global(le32_get(s + KXS_XFER_CUR_TO)))
		return KX_BAD_ID;
	/* A link keeps only a thread number (kcont_import_apply): the
	 * thread itself under any version is itself. */
	if ((!tid_is_nil(held) && tid_number(held) == tid_number(c->id)) ||
	    (!tid_is_nil(partner) && tid_number(partner) == tid_number(c->id)))
		return KX_SELF_LINK;
	if (s[KXS_PAD])
		return KX_BAD_UNUSED;
	/* Whom a kernel page fault named: nobody yet, or a thread; if the
	 * thread itself, then for its own task. */
	tid_t named = le32_get(s + KXS_KPF_NAMED);
	if (!nil_or_global(named))
		return KX_BAD_ID;
	if (named == c->id && le32_get(s + KXS_KPF_TASK) != c->task)
		return KX_BAD_KPF_TASK;
	return KX_OK;
}

int kcont_import_check(const uint8_t *f, const uint8_t *s, const kx_ctx_t *c)
{
	uint8_t pt = f[KX_POINT];

	if (pt == KX_PT_NONE || pt >= KX_POINTS)
		return KX_BAD_POINT;
	if (state_of(pt) != c->state)
		return KX_STATE_MISMATCH;
	tid_t partner = le32_get(f + KX_PARTNER);
	if (c->state == TS_SEND ? partner != c->send_partner : !tid_is_nil(partner))
		return KX_WRONG_PARTNER;
	uint8_t kind = kind_of(pt);
	int r = union_check(f, kind, c);
	if (r)
		return r;
	if (!kpf_pages_ok(f))
		return KX_BAD_KPF_PAGES;
	/* A kernel-made message about to be sent fits its record. */
	word_t tag = le32_get(f + KX_KMSG);
	if (kind != CONT_USER_IPC && c->state == TS_SEND &&
	    msgtag_u(tag) + msgtag_t(tag) + 1 > KMSG_WORDS)
		return KX_BAD_KMSG;
	uint8_t br = f[KX_CUR_BR];
	if (f[KX_CUR_ITEM] >= KX_MAX_MRS || (br >= XFER_MAX_BRS && br != XFER_BR_NONE) ||
	    le32_get(f + KX_CUR_DONE) >= (1u << 22))
		return KX_BAD_CURSOR;
	if (le32_get(f + KX_PAD))
		return KX_BAD_UNUSED;
	r = links_check(s, c);
	if (r)
		return r;
	/* Last, every rule the kernel keeps for a record at a safe point. */
	kcont_t k;
	kcont_import_apply(f, s, c, &k);
	enum kcont_fault kf = kcont_check(&k, c->state);
	return kf == KCONT_OK ? KX_OK : KX_KCONT(kf);
}

void kcont_import_apply(const uint8_t *f, const uint8_t *s, const kx_ctx_t *c, kcont_t *k)
{
	uint8_t kind = kind_of(f[KX_POINT]);
	tid_t held = le32_get(s + KXS_HELD), partner = le32_get(s + KXS_XFER_PARTNER);

	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->halted = f[KX_HALTED];
	k->receive_pending = c->receive_pending;
	k->ipc_from = le32_get(f + KX_IPC_FROM);
	k->ipc_timeouts = le32_get(f + KX_IPC_TIMEOUTS);
	k->ipc_intended = le32_get(s + KXS_INTENDED);
	for (unsigned i = 0; i < KMSG_WORDS; i++)
		k->kmsg[i] = le32_get(f + KX_KMSG + 4 * i);
	if (kind == CONT_KPF_FAULT) {
		k->fault.addr = le32_get(f + KX_ARG_A);
		k->fault.ip = le32_get(f + KX_ARG_B);
		k->fault.access = f[KX_ARG_C];
	} else if (kind == CONT_PF_RECV) {
		k->recv.from = le32_get(f + KX_ARG_A);
		k->recv.timeouts = le32_get(f + KX_ARG_B);
		k->recv.kind = f[KX_ARG_C];
		k->recv.again = le32_get(f + KX_ARG_D);
	}
	k->kpf.state = f[KX_KPF_STATE];
	k->kpf.pages = f[KX_KPF_PAGES];
	for (unsigned i = 0; i < KPF_MAX_PAGES; i++) {
		k->kpf.kinds[i] = f[KX_KPF_KINDS + i];
		k->kpf.cid[i] = le32_get(f + KX_KPF_CIDS + 4 * i);
	}
	k->kpf.task = le32_get(s + KXS_KPF_TASK);
	k->kpf.named = le32_get(s + KXS_KPF_NAMED);
	k->held = tid_is_nil(held) ? 0 : tid_number(held);
	k->xfer.partner = tid_is_nil(partner) ? 0 : tid_number(partner);
	k->xfer.role = s[KXS_XFER_ROLE];
	k->xfer.fault_snd = f[KX_XFER_FAULT_SND];
	k->xfer.rewound = f[KX_XFER_REWOUND];
	k->xfer.deadline_us = le64_get(f + KX_DEADLINE);
	k->xfer.cur.item = f[KX_CUR_ITEM];
	k->xfer.cur.br = f[KX_CUR_BR];
	k->xfer.cur.done = le32_get(f + KX_CUR_DONE);
	k->xfer.cur.bytes = le32_get(f + KX_CUR_BYTES);
	k->xfer.cur_to = le32_get(s + KXS_XFER_CUR_TO);
	k->resume.op = s[KXS_RESUME_OP];
	k->resume.vector = s[KXS_RESUME_VECTOR];
	k->resume.at = le32_get(s + KXS_RESUME_AT);
	k->resume.a = le32_get(s + KXS_RESUME_AT + 4);
	k->resume.b = le32_get(s + KXS_RESUME_AT + 8);
	k->resume.c = le32_get(s + KXS_RESUME_AT + 12);
}
