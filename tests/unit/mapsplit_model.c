/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The reference model for kernel/mapsplit*.c (see mapsplit_check.h): a
 * plain tree of pointer-linked nodes (the semantics of the tree database
 * that came before, kernel/mapdb.c), the history of every
 * edge ever made, and each operation applied to both it and the
 * database.  The checks run after each operation are
 * mapsplit_model_check.c; a hostile kpager's edits, mapsplit_hostile.c.
 *
 * Honest runs (no edits): every translation is exactly the model's, and
 * resolving everything gives exactly the model's mappings.  Before the
 * few operations that may lose mappings with parts absent (a grant, a
 * map that widens, an unmap that narrows: docs/mapdb-split.md,
 * "Deviations") the harness brings every page back first.
 * Hostile runs (edits): every translation follows an edge that a map or
 * grant once made, from a translation with that frame and at least those
 * rights; and where neither end's kpager edited a page (or had one
 * refused), that edge is the model's now, with the model's frame and at
 * most its rights, unless the translation above it is not the model's
 * either (a difference that came from an edited task further up).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "mapsplit_model.h"

mnode_t msk_model[MSK_NPOS];
bool msk_hist[MSK_NPOS][MSK_NPOS];
bool msk_loose[MSK_NPOS][MSK_NPOS];
static unsigned op_count;
/* The operation running, copied (its caller's may be gone by a later
 * check), or none: a failure after the last says so. */
static msk_op_t op_now;
static bool op_running;
bool msk_hostile;
unsigned msk_edits_accepted, msk_edits_refused, msk_unbacked;

void msk_failf(const char *fmt, ...)
{
	char msg[400], what[120] = "";
	va_list ap;

	if (op_running)
		msk_describe(&op_now, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "after it");
	int n = snprintf(msg, sizeof(msg), "op %u (%s): ", op_count, what);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	msk_fail(msg);
}

void msk_describe(const msk_op_t *op, char *buf, size_t len)
{
	static const char *names[] = { "map", "grant", "unmap", "export-page", "export-table",
				       "import", "resolve", "edit", "kill" };

	snprintf(buf, len, "%s %u:%u -> %u:%u rights %#x%s edit %u/%u/%u", op->kind < MSK_KINDS ?
		 names[op->kind] : "?", op->s1, op->p1, op->s2, op->p2, op->rights,
		 op->flush_self ? " flush-self" : "", op->edit[0], op->edit[1], op->edit[2]);
}

/* ---- the model ---- */

static bool descends(int d, int a)
{
	for (int n = d; n >= 0; n = msk_model[n].parent)
		if (n == a)
			return true;
	return false;
}

/* The bits of the mappings that go stay with the one above them: the
 * kernel may have kept them there when a take-back cut them off. */
static void remove_subtree(int a)
{
	bool gone[MSK_NPOS];
	uint32_t ever = 0;
	int above = msk_model[a].parent;

	for (int n = 0; n < MSK_NPOS; n++)
		gone[n] = msk_model[n].mapped && descends(n, a);
	for (int n = 0; n < MSK_NPOS; n++)
		if (gone[n]) {
			ever |= msk_model[n].ever;
			msk_model[n] = (mnode_t){ .parent = -1 };
		}
	if (above >= 0 && msk_model[above].mapped)
		msk_model[above].ever |= ever;
}

/* The rights an edge keeps after a revoke: on IA-32 a translation that
 * lets a program write lets it read too, so w alone is not kept. */
static uint32_t kept(uint32_t rights)
{
	return (rights & (MS_RIGHT_R | 1u)) ? rights : 0;
}

/* What a mapping with rights was keeps where a revoke leaves it mask:
 * all where nothing of it goes (w alone too, as it was made); else what
 * is left, as kept() says. */
static uint32_t left(uint32_t was, uint32_t mask)
{
	return (was & mask) == was ? was : kept(was & mask);
}

static void revoke_below(int a, uint32_t revoke)
{
	for (int n = 0; n < MSK_NPOS; n++)
		if (n != a && msk_model[n].mapped && descends(n, a))
			msk_model[n].rights = left(msk_model[n].rights, ~revoke);
	for (int n = 0; n < MSK_NPOS; n++)
		if (msk_model[n].mapped && !msk_model[n].rights)
			remove_subtree(n);
}

static void model_map(int src, int dst, uint32_t rights, bool grant)
{
	mnode_t *s = &msk_model[src], *d = &msk_model[dst];
	uint32_t eff = rights & s->rights & MS_RIGHTS;

	if (!s->mapped || !eff)
		return;
	if (s->root)
		grant = false;
	if (d->mapped && d->parent != src && descends(src, dst))
		return;                          /* cycle */
	if (!grant && d->mapped && d->parent == src) {
		d->rights |= eff;
		return;
	}
	if (d->mapped)
		remove_subtree(dst);
	if (!grant) {
		*d = (mnode_t){ true, false, src, s->frame, eff, 0, 0 };
		msk_hist[src][dst] = true;
		return;
	}
	uint32_t src_rights = s->rights;
	*d = (mnode_t){ true, false, s->parent, s->frame, eff, s->bits, s->ever };   /* a grant moves them */
	if (s->parent >= 0)
		msk_hist[s->parent][dst] = true;
	for (int n = 0; n < MSK_NPOS; n++)
		if (msk_model[n].mapped && msk_model[n].parent == src) {
			msk_model[n].parent = dst;
			msk_hist[dst][n] = true;
		}
	*s = (mnode_t){ .parent = -1 };
	if (eff != src_rights)
		revoke_below(dst, src_rights & ~eff);
}

static void model_unmap(int a, uint32_t rights, bool flush_self)
{
	mnode_t *n = &msk_model[a];
	uint32_t keep;

	if (!n->mapped)
		return;
	rights &= MS_RIGHTS;
	keep = flush_self ? left(n->rights, ~rights) : n->rights;
	if (!keep) {
		remove_subtree(a);
		return;
	}
	revoke_below(a, rights);
	n->rights = keep;
}

void msk_reset(bool hostile)
{
	msk_hostile = hostile;
	op_count = 0;
	op_running = false;
	memset(msk_hist, 0, sizeof(msk_hist));
	memset(msk_loose, 0, sizeof(msk_loose));
	for (int n = 0; n < MSK_NPOS; n++)
		msk_model[n] = (mnode_t){ .parent = -1 };
	msk_fake_reset();
	for (unsigned p = 0; p < MSK_NPAGES; p++)
		msk_model[POS(0, p)] = (mnode_t){ true, true, -1, MSK_FRAME0 + p * PAGE_SIZE, MS_RIGHTS, 0, 0 };
}

/* ---- applying an operation to both ---- */

/* Call the database until it is done, supplying what it asks for. */
void (*msk_on_stop)(void);

bool msk_mapped(unsigned ti, unsigned p)
{
	return msk_model[POS(ti, p)].mapped;
}

/* A stopped map or unmap: whatever msk_on_stop does meanwhile; false
 * when it stops too often to be ending. */
static bool stopped(unsigned long *count)
{
	if (msk_on_stop)
		msk_on_stop();
	return ++*count < 1000000;
}

static int drive_map(const msk_op_t *op, bool grant)
{
	ms_need_t need;
	uint32_t phys, rights;
	unsigned long stops = 0;

	for (unsigned tries = 0; tries < 1000; tries++) {
		int err = ms_map_part(msk_space(op->s1), msk_va(op->p1), msk_space(op->s2),
				      msk_va(op->p2), op->rights, grant, msk_stop_pct != 0, &need);

		if (err == MS_STOPPED && stopped(&stops)) {
			tries--;
			continue;
		}
		if (err == MS_UNRESOLVED) {
			if (msk_resolve(op->s1, op->p1, &phys, &rights) != MS_OK)
				return MS_NONE;     /* its chain is gone: nothing to send */
			continue;
		}
		if (err != MS_NEED && err != MS_NOMEM)
			return err;
		if (!msk_supply(&need))
			return MS_NOMEM;
	}
	msk_failf("map does not end");
}

/* The access bits (MS_RIGHT_R/W) an Unmap of a reports, as X.2 has it:
 * a's and those of every mapping derived from it; they are reset.  In
 * *ever, every bit it may report at all (never one that was not set). */
static uint32_t model_status(int a, uint32_t *ever)
{
	uint32_t bits = 0;

	*ever = 0;
	for (int n = 0; n < MSK_NPOS; n++)
		if (msk_model[n].mapped && descends(n, a)) {
			bits |= msk_model[n].bits;
			*ever |= msk_model[n].ever;
			msk_model[n].bits = 0;
		}
	return bits;
}

/* A program in task ti touches its page p where it is mapped: reads it
 * (how & MS_RIGHT_R) or writes it (how & MS_RIGHT_W, which sets both
 * bits, as IA-32 does), as its translation allows. */
static void touch(unsigned ti, unsigned p, uint32_t how)
{
	msk_pte_t *e = &msk_task[ti].pte[p];
	mnode_t *m = &msk_model[POS(ti, p)];
	uint32_t access = (how & MS_RIGHT_W) && (e->rights & MS_RIGHT_W) ?
			  MS_RIGHT_R | MS_RIGHT_W : how & MS_RIGHT_R;

	if (!e->present || !access)
		return;
	e->access |= access;
	if (m->mapped) {
		m->bits |= access;
		m->ever |= access;
	}
}

static int drive_unmap(const msk_op_t *op, uint32_t *access)
{
	ms_need_t need;
	unsigned long stops = 0;
	bool resumed = false;

	for (unsigned tries = 0; tries < 1000; tries++) {
		int err = ms_unmap_part(msk_space(op->s1), msk_va(op->p1), op->rights,
					op->flush_self, access, msk_stop_pct != 0, resumed, &need);

		if (err == MS_STOPPED && stopped(&stops)) {
			resumed = true;
			tries--;
			continue;
		}
		if (err != MS_NEED)
			return err;
		if (!msk_supply(&need))
			return MS_NONE;
	}
	msk_failf("unmap does not end");
}


void msk_apply(const msk_op_t *op)
{
	int src = POS(op->s1, op->p1), dst = POS(op->s2, op->p2);
	msk_task_t *t = &msk_task[op->s1];
	uint32_t phys = 0, rights = 0;
	int err;

	op_count++;
	op_now = *op;
	op_running = true;
	switch (op->kind) {
	case MSK_MAP:
	case MSK_GRANT: {
		bool grant = op->kind == MSK_GRANT;
		bool widens = !grant && msk_model[dst].mapped && msk_model[dst].parent == src;

		if (!msk_hostile && (grant || widens))
			msk_import_all();
		/* Where an edit took the source away, the map is no map (X.2:
		 * nothing to send), and the model must not make one either; where
		 * it narrowed the source, the model sends no more than it. */
		uint32_t send = op->rights;
		if (msk_hostile) {
			if (msk_resolve(op->s1, op->p1, &phys, &rights) != MS_OK)
				break;
			send &= rights;
		}
		/* The edge the database's grant re-makes: from src's parent. */
		ms_ent_t *r = ms_lookup(msk_space(op->s1), msk_va(op->p1), NULL);
		int above = r && !(r->flags & MS_F_ROOT) ? msk_pos_of(r->task, r->pvaddr) : -1;
		err = drive_map(op, grant);
		if (err == MS_OK) {
			model_map(src, dst, send, grant);
			if (!grant)
				msk_hist[src][dst] = true;
			if (grant && above >= 0)
				msk_hist[above][dst] = true;
			if (grant && above >= 0 && msk_task[op->s1].tainted)
				msk_loose[above][dst] = true;
			for (int n = 0; grant && n < MSK_NPOS; n++) {
				msk_hist[dst][n] |= msk_hist[src][n];
				msk_loose[dst][n] |= msk_hist[src][n] && msk_task[op->s1].tainted;
			}
		} else {
			MSK_REQUIRE(err == MS_CYCLE || msk_hostile || err == MS_NONE,
				    "map failed: %d", err);
		}
		if (err == MS_NONE)
			MSK_REQUIRE(msk_hostile || !msk_model[src].mapped, "honest source unresolvable");
		break;
	}
	case MSK_UNMAP: {
		uint32_t keep = op->flush_self ? msk_model[src].rights & ~op->rights : msk_model[src].rights;

		if (!msk_hostile && keep && (op->rights & MS_RIGHTS))
			msk_import_all();
		uint32_t access = 0, ever, want = model_status(src, &ever);

		err = drive_unmap(op, &access);
		MSK_REQUIRE(err == MS_OK || msk_hostile, "unmap failed: %d", err);
		/* Honest: never less than X.2's bits, whatever is away; more
		 * only where a take-back cut a record off between this Unmap
		 * and one that reported them (docs/mapdb-split.md), and never
		 * a bit that no mapping below set. */
		MSK_REQUIRE(msk_hostile || (access & want) == want,
			    "unmap reported access %#x, not all of %#x", access, want);
		MSK_REQUIRE(msk_hostile || (access & ~ever) == 0,
			    "unmap reported access %#x, never set below (%#x)", access, ever);
		model_unmap(src, op->rights, op->flush_self);
		break;
	}
	case MSK_EXPORT_PAGE:
		if (op->s1)
			msk_export_page(op->s1, op->p1 % MSK_MAXPAGES);
		break;
	case MSK_EXPORT_TABLE:
		if (op->s1)
			msk_export_table(op->s1, op->p1 % MSK_NSLOTS);
		break;
	case MSK_IMPORT:
		if (t->stored[op->p1 % MSK_MAXPAGES])
			msk_import_page(op->s1, op->p1 % MSK_MAXPAGES);
		if (t->nt_stored[op->p2 % MSK_NSLOTS])
			msk_import_table(op->s1, op->p2 % MSK_NSLOTS);
		break;
	case MSK_RESOLVE:
		err = msk_resolve(op->s1, op->p1, &phys, &rights);
		msk_check_resolved(op->s1, op->p1, err, phys, rights);
		if (err == MS_OK)
			touch(op->s1, op->p1, op->rights);
		break;
	case MSK_EDIT:
		if (msk_hostile && op->s1)
			msk_edit_page(op);
		break;
	case MSK_KILL:
		if (!op->s1)
			break;
		for (unsigned p = 0; p < MSK_NPAGES; p++)
			if (msk_model[POS(op->s1, p)].mapped)
				remove_subtree(POS(op->s1, p));
		for (int n = 0; n < MSK_NPOS; n++)
			for (unsigned p = 0; p < MSK_NPAGES; p++)
				msk_hist[n][POS(op->s1, p)] = msk_hist[POS(op->s1, p)][n] =
				msk_loose[n][POS(op->s1, p)] = msk_loose[POS(op->s1, p)][n] = false;
		msk_kill(op->s1);
		t->tainted = false;
		break;
	}
	(void)msk_trim();              /* as the kernel after every operation */
	msk_check();
	op_running = false;
}
