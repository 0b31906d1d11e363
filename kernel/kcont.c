/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Validating a continuation record (kernel/kcont.h).  Each rule is one
 * the kernel keeps whenever a thread is at a safe point, so a record that
 * breaks one was not written by the kernel: the self-check reports it,
 * and a kernel that reads records back (docs/kernel-memory.md) refuses it.
 */
#include <kernel/kcont.h>
#include <user/include/lent/kmem.h>

static bool is_flag(uint8_t f)
{
	return f <= 1;
}

/* The pages a kernel page fault named: one to KPF_MAX_PAGES, each at a
 * content identifier of its own kind. */
static bool kpf_pages_valid(const kpf_wait_t *w)
{
	if (w->pages < 1 || w->pages > KPF_MAX_PAGES)
		return false;
	for (unsigned i = 0; i < w->pages; i++)
		if (w->kinds[i] >= LENT_KMEM_KINDS || lent_cid_kind(w->cid[i]) != w->kinds[i])
			return false;
	return true;
}

/* The kinds that wait for a kpager's answer, and the one that may. */
static bool kind_awaits_kpf(uint8_t kind)
{
	return kind == CONT_KPF || kind == CONT_KPF_FAULT;
}

/* A receive that a page fault interrupted was the thread's own, or one
 * of the kernel's made for it (never itself interrupted, never a kernel
 * page fault, whose answer needs no memory of the thread's). */
static bool receive_kind_valid(uint8_t kind)
{
	return kind == CONT_USER_IPC || kind == CONT_PAGEFAULT || kind == CONT_EXCEPTION ||
	       kind == CONT_STARTUP;
}

enum kcont_fault kcont_check(const kcont_t *k, unsigned ts)
{
	if (k->kind >= CONT_KINDS || ts > TS_HALTED)
		return KCONT_BAD_KIND;
	if (!is_flag(k->halted) || !is_flag(k->receive_pending) ||
	    !is_flag(k->xfer.rewound) || !is_flag(k->xfer.fault_snd))
		return KCONT_BAD_FLAG;
	if (k->kpf.state >= KPF_STATES)
		return KCONT_BAD_KPF;
	bool waiting = k->kpf.state == KPF_ASKED || k->kpf.state == KPF_LENT;
	if (waiting && !kpf_pages_valid(&k->kpf))
		return KCONT_BAD_KPF;
	if (kind_awaits_kpf(k->kind) != waiting && !(k->kind == CONT_PF_RECV && waiting))
		return KCONT_KPF_NOT_AWAITED;
	if (k->kind == CONT_PF_RECV && !receive_kind_valid(k->recv.kind))
		return KCONT_BAD_RECV;
	/* A reply held for the kernel's own receive, which no Ipc of the
	 * thread's outlives (xfer_release_held). */
	if (k->held && k->kind == CONT_USER_IPC)
		return KCONT_BAD_RECV;
	if (k->xfer.role > XFER_RECEIVER || (k->xfer.partner && !k->xfer.role))
		return KCONT_BAD_XFER;
	if (k->resume.op >= RESUME_OPS)
		return KCONT_BAD_RESUME;
	if (k->kind != CONT_USER_IPC && ts != TS_SEND && ts != TS_RECV)
		return KCONT_NOT_BLOCKED;
	return KCONT_OK;
}
