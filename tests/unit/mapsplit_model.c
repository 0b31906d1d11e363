/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The reference model for kernel/mapsplit*.c (see mapsplit_check.h): a
 * plain tree of pointer-linked nodes (the semantics of the tree database
 * that came before, kernel/mapdb.c), the history of every
 * edge ever made, and the checks run after each operation.
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
#include "mapsplit_check.h"

typedef struct mnode {
	bool mapped, root;
	int parent;                /* position, or -1 */
	uint32_t frame, rights;
	uint32_t bits;             /* accessed (MS_RIGHT_R/W) since an Unmap reported it */
} mnode_t;

static mnode_t model[MSK_NPOS];
static bool hist[MSK_NPOS][MSK_NPOS];
/* Edges a grant from an edited task re-made between two others: what
 * the edited task held moved there, model or not. */
static bool loose[MSK_NPOS][MSK_NPOS];
static unsigned op_count;
/* The operation running, copied (its caller's may be gone by a later
 * check), or none: a failure after the last says so. */
static msk_op_t op_now;
static bool op_running;
bool msk_hostile;
unsigned msk_edits_accepted, msk_edits_refused, msk_unbacked;

#define POS(t, p) ((int)((t) * MSK_NPAGES + (p)))

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
	for (int n = d; n >= 0; n = model[n].parent)
		if (n == a)
			return true;
	return false;
}

static void remove_subtree(int a)
{
	bool gone[MSK_NPOS];

	for (int n = 0; n < MSK_NPOS; n++)
		gone[n] = model[n].mapped && descends(n, a);
	for (int n = 0; n < MSK_NPOS; n++)
		if (gone[n])
			model[n] = (mnode_t){ .parent = -1 };
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
		if (n != a && model[n].mapped && descends(n, a))
			model[n].rights = left(model[n].rights, ~revoke);
	for (int n = 0; n < MSK_NPOS; n++)
		if (model[n].mapped && !model[n].rights)
			remove_subtree(n);
}

static void model_map(int src, int dst, uint32_t rights, bool grant)
{
	mnode_t *s = &model[src], *d = &model[dst];
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
		*d = (mnode_t){ true, false, src, s->frame, eff, 0 };
		hist[src][dst] = true;
		return;
	}
	uint32_t src_rights = s->rights;
	*d = (mnode_t){ true, false, s->parent, s->frame, eff, s->bits };   /* a grant moves them */
	if (s->parent >= 0)
		hist[s->parent][dst] = true;
	for (int n = 0; n < MSK_NPOS; n++)
		if (model[n].mapped && model[n].parent == src) {
			model[n].parent = dst;
			hist[dst][n] = true;
		}
	*s = (mnode_t){ .parent = -1 };
	if (eff != src_rights)
		revoke_below(dst, src_rights & ~eff);
}

static void model_unmap(int a, uint32_t rights, bool flush_self)
{
	mnode_t *n = &model[a];
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
	memset(hist, 0, sizeof(hist));
	memset(loose, 0, sizeof(loose));
	for (int n = 0; n < MSK_NPOS; n++)
		model[n] = (mnode_t){ .parent = -1 };
	msk_fake_reset();
	for (unsigned p = 0; p < MSK_NPAGES; p++)
		model[POS(0, p)] = (mnode_t){ true, true, -1, MSK_FRAME0 + p * PAGE_SIZE, MS_RIGHTS, 0 };
}

/* ---- applying an operation to both ---- */

/* Call the database until it is done, supplying what it asks for. */
void (*msk_on_stop)(void);

bool msk_mapped(unsigned ti, unsigned p)
{
	return model[POS(ti, p)].mapped;
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
 * a's and those of every mapping derived from it; they are reset. */
static uint32_t model_status(int a)
{
	uint32_t bits = 0;

	for (int n = 0; n < MSK_NPOS; n++)
		if (model[n].mapped && descends(n, a)) {
			bits |= model[n].bits;
			model[n].bits = 0;
		}
	return bits;
}

/* A program in task ti touches its page p where it is mapped: reads it
 * (how & MS_RIGHT_R) or writes it (how & MS_RIGHT_W, which sets both
 * bits, as IA-32 does), as its translation allows. */
static void touch(unsigned ti, unsigned p, uint32_t how)
{
	msk_pte_t *e = &msk_task[ti].pte[p];
	uint32_t access = (how & MS_RIGHT_W) && (e->rights & MS_RIGHT_W) ?
			  MS_RIGHT_R | MS_RIGHT_W : how & MS_RIGHT_R;

	if (!e->present || !access)
		return;
	e->access |= access;
	if (model[POS(ti, p)].mapped)
		model[POS(ti, p)].bits |= access;
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

static void edit_page(const msk_op_t *op);
static void check_resolved(unsigned ti, unsigned p, int err, uint32_t phys, uint32_t rights);
static int pos_of(uint32_t id, uint32_t va);

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
		bool widens = !grant && model[dst].mapped && model[dst].parent == src;

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
		int above = r && !(r->flags & MS_F_ROOT) ? pos_of(r->task, r->pvaddr) : -1;
		err = drive_map(op, grant);
		if (err == MS_OK) {
			model_map(src, dst, send, grant);
			if (!grant)
				hist[src][dst] = true;
			if (grant && above >= 0)
				hist[above][dst] = true;
			if (grant && above >= 0 && msk_task[op->s1].tainted)
				loose[above][dst] = true;
			for (int n = 0; grant && n < MSK_NPOS; n++) {
				hist[dst][n] |= hist[src][n];
				loose[dst][n] |= hist[src][n] && msk_task[op->s1].tainted;
			}
		} else {
			MSK_REQUIRE(err == MS_CYCLE || msk_hostile || err == MS_NONE,
				    "map failed: %d", err);
		}
		if (err == MS_NONE)
			MSK_REQUIRE(msk_hostile || !model[src].mapped, "honest source unresolvable");
		break;
	}
	case MSK_UNMAP: {
		uint32_t keep = op->flush_self ? model[src].rights & ~op->rights : model[src].rights;

		if (!msk_hostile && keep && (op->rights & MS_RIGHTS))
			msk_import_all();
		uint32_t access = 0, want = model_status(src);

		err = drive_unmap(op, &access);
		MSK_REQUIRE(err == MS_OK || msk_hostile, "unmap failed: %d", err);
		/* Honest: never less than X.2's bits, whatever is away (more
		 * only where a record below one away reports again what went
		 * up when that went, docs/mapdb-split.md). */
		MSK_REQUIRE(msk_hostile || (access & want) == want,
			    "unmap reported access %#x, not all of %#x", access, want);
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
		check_resolved(op->s1, op->p1, err, phys, rights);
		if (err == MS_OK)
			touch(op->s1, op->p1, op->rights);
		break;
	case MSK_EDIT:
		if (msk_hostile && op->s1)
			edit_page(op);
		break;
	case MSK_KILL:
		if (!op->s1)
			break;
		for (unsigned p = 0; p < MSK_NPAGES; p++)
			if (model[POS(op->s1, p)].mapped)
				remove_subtree(POS(op->s1, p));
		for (int n = 0; n < MSK_NPOS; n++)
			for (unsigned p = 0; p < MSK_NPAGES; p++)
				hist[n][POS(op->s1, p)] = hist[POS(op->s1, p)][n] =
				loose[n][POS(op->s1, p)] = loose[POS(op->s1, p)][n] = false;
		msk_kill(op->s1);
		t->tainted = false;
		break;
	}
	msk_check();
	op_running = false;
}

/* ---- hostile kpagers ---- */

static uint64_t some_gen(uint8_t b)
{
	uint64_t back = (uint64_t)(b & 63);

	if (b & 0x80)
		return ms_gen_next + back;                /* from the future */
	return ms_gen_next > back + 1 ? ms_gen_next - 1 - back : 1;
}

static uint32_t some_value(uint8_t b, uint8_t v)
{
	switch (b % 8) {
	case 0: return msk_va(v % MSK_NPAGES);
	case 1: return msk_task[v % MSK_NTASKS].ms.id;
	case 2: return MSK_FRAME0 + (v % 16) * PAGE_SIZE;   /* a frame number */
	case 3: return 0xC0100000u + v * 16u;              /* a kernel address */
	case 4: return msk_va(v % MSK_NPAGES) + v % 7;     /* unaligned */
	case 5: return (uint32_t)v << 22;                  /* another slot */
	case 6: return 0;
	default: return 0xFFFFFFFFu - v;
	}
}

/* Export page p1 of task s1 if it is present, change its stored form as
 * edit[] says, import it; an accepted change taints the task. */
static void edit_page(const msk_op_t *op)
{
	msk_task_t *t = &msk_task[op->s1];
	const uint8_t *e = op->edit;
	uint32_t n = op->p1 % (t->ms.pages ? t->ms.pages : 1), slot = op->p1 % MSK_NSLOTS;

	if (e[0] % 8 == 7) {                      /* a node-table entry */
		if (t->nt[slot])
			msk_export_table(op->s1, slot);
		if (!t->nt_stored[slot])
			return;
		t->nt_store[slot][(e[1] | e[2] << 8) % MS_NT_ENTS] =
			e[3] & 1 ? some_value(e[4], e[5]) : MS_REF(e[4] % 8, e[5]);
		msk_import_table(op->s1, slot);
		t->tainted = true;                /* changed, or refused: lost */
		return;
	}
	if (t->pg[n])
		msk_export_page(op->s1, n);
	if (!t->stored[n])
		return;
	uint8_t before[PAGE_SIZE];
	memcpy(before, t->store[n], PAGE_SIZE);
	ms_ent_t *ents = (ms_ent_t *)t->store[n];
	unsigned used[MS_ENTS], nused = 0;
	for (unsigned k = 1; k < MS_ENTS; k++)
		if (ents[k].kind != MS_FREE)
			used[nused++] = k;
	/* Mostly an entry in use (edits of free ones are refused at once). */
	ms_ent_t *a = &ents[nused && e[6] & 3 ? used[e[1] % nused] : 1 + e[1] % (MS_ENTS - 1)];
	ms_ent_t *b = &ents[1 + e[2] % (MS_ENTS - 1)];
	switch (e[0] % 8) {
	case 0:                                   /* a byte */
		t->store[n][(e[1] | e[2] << 8) % PAGE_SIZE] ^= (uint8_t)(e[3] | 1);
		break;
	case 1:                                   /* a field, from the dictionary */
		switch (e[3] % 6) {
		case 0: a->rights = e[4] & 0xF; break;
		case 1: a->vaddr = some_value(e[4], e[5]); break;
		case 2: a->task = some_value(e[4], e[5]); break;
		case 3: a->pvaddr = some_value(e[4], e[5]); break;
		case 4: a->gen = some_gen(e[4]); break;
		default: a->egen = some_gen(e[4]); break;
		}
		break;
	case 2:                                   /* a duplicate */
		*b = *a;
		break;
	case 3:                                   /* two entries swapped */
		{ ms_ent_t tmp = *a; *a = *b; *b = tmp; }
		break;
	case 4:                                   /* in-kernel bytes and flags */
		a->flags = e[3];
		a->k.rec.phys = some_value(e[4], e[5]);
		break;
	case 5:                                   /* a duplicate with another address */
		*b = *a;
		b->vaddr = msk_va(e[3] % MSK_NPAGES);
		b->pvaddr = e[4] & 1 ? a->pvaddr : msk_va(e[5] % MSK_NPAGES);
		break;
	default:
		if (e[3] & 1 && t->exports[n] > 1)       /* a replay of an older export */
			memcpy(t->store[n], t->old[n], PAGE_SIZE);
		else                              /* raw bytes at an entry */
			memcpy((uint8_t *)a + e[3] % 40, e + 4, 4);
		break;
	}
	/* Accepted with a change, or refused (and so lost): the task's
	 * mappings may differ from the model's from now on. */
	bool changed = memcmp(before, t->store[n], PAGE_SIZE) != 0;
	if (msk_import_page(op->s1, n) != MS_OK) {
		msk_edits_refused++;
		t->tainted = true;
	} else if (changed) {
		msk_edits_accepted++;
		t->tainted = true;
	}
}

/* ---- checks ---- */

static int pos_of(uint32_t id, uint32_t va)
{
	ms_space_t *s = ms_space(id);

	if (!s)
		return -1;
	for (unsigned p = 0; p < MSK_NPAGES; p++)
		if (msk_va(p) == va)
			return POS(msk_of(s) - msk_task, p);
	return -1;
}

/* Is the translation at pos the model's own: the model's edge from the
 * parent the database names, its frame, at most its rights?  Else it
 * must come from a kpager's edit: an edited task at one end of its
 * edge, or a translation above it that is not the model's either. */
static bool backed(int pos, int parent, const msk_pte_t *pte)
{
	const mnode_t *m = &model[pos];

	return m->mapped && m->parent == parent && pte->phys == m->frame &&
	       !(pte->rights & ~m->rights);
}

static int parent_of(unsigned ti, unsigned p)
{
	ms_ent_t *r = ms_lookup(msk_space(ti), msk_va(p), NULL);

	MSK_REQUIRE(r, "task %u page %u: translation without record", ti, p);
	return r->flags & MS_F_ROOT ? -1 : pos_of(r->task, r->pvaddr);
}

/* One translation against the model (honest) or the edge rules (hostile). */
static void check_pte(unsigned ti, unsigned p)
{
	const msk_pte_t *pte = &msk_task[ti].pte[p];
	const mnode_t *m = &model[POS(ti, p)];

	if (!pte->present)
		return;
	ms_ent_t *r = ms_lookup(msk_space(ti), msk_va(p), NULL);

	/* Roots (sigma0's frames) and every honest translation: exactly the
	 * model's.  A task's own edits may even reach sigma0 where it took
	 * a mapping from them; that is checked as any other below. */
	if (!msk_hostile || (r && (r->flags & MS_F_ROOT))) {
		MSK_REQUIRE(m->mapped && pte->phys == m->frame && pte->rights == m->rights,
			    "task %u page %u: translation %#x/%#x, the model %s %#x/%#x", ti, p,
			    pte->phys, pte->rights, m->mapped ? "has" : "has nothing", m->frame,
			    m->rights);
		return;
	}
	int parent = parent_of(ti, p);
	MSK_REQUIRE(parent >= 0, "task %u page %u: parent not a task page", ti, p);
	unsigned pt = (unsigned)parent / MSK_NPAGES, pp = (unsigned)parent % MSK_NPAGES;
	const msk_pte_t *ppte = &msk_task[pt].pte[pp];
	MSK_REQUIRE(hist[parent][POS(ti, p)], "task %u page %u: from %u:%u, never mapped so",
		    ti, p, pt, pp);
	MSK_REQUIRE(ppte->present && ppte->phys == pte->phys && !(pte->rights & ~ppte->rights),
		    "task %u page %u: more than its parent %u:%u gives", ti, p, pt, pp);
	if (backed(POS(ti, p), parent, pte))
		return;
	msk_unbacked++;
	if (msk_task[ti].tainted || msk_task[pt].tainted || loose[parent][POS(ti, p)])
		return;
	MSK_REQUIRE(!backed(parent, parent_of(pt, pp), ppte),
		    "task %u page %u: an edge between untouched tasks beyond the model "
		    "(%#x/%#x from %u:%u; the model: %s from %d %#x/%#x; %u:%u %s from %d %#x/%#x)",
		    ti, p, pte->phys, pte->rights, pt, pp, m->mapped ? "mapped" : "nothing",
		    m->parent, m->frame, m->rights, pt, pp,
		    model[parent].mapped ? "mapped" : "nothing", model[parent].parent,
		    model[parent].frame, model[parent].rights);
}

void msk_check(void)
{
	msk_selfcheck();
	for (unsigned ti = 0; ti < MSK_NTASKS; ti++)
		for (unsigned p = 0; p < MSK_NPAGES; p++)
			check_pte(ti, p);
}

static void check_resolved(unsigned ti, unsigned p, int err, uint32_t phys, uint32_t rights)
{
	const mnode_t *m = &model[POS(ti, p)];

	if (msk_hostile)
		return;
	if (m->mapped)
		MSK_REQUIRE(err == MS_OK && phys == m->frame && rights == m->rights,
			    "resolve of %u:%u gave %d %#x/%#x, the model %#x/%#x", ti, p, err, phys,
			    rights, m->frame, m->rights);
	else
		MSK_REQUIRE(err == MS_NONE, "resolve of nothing at %u:%u gave %d", ti, p, err);
}

void msk_check_resolve_all(void)
{
	for (unsigned ti = 0; ti < MSK_NTASKS; ti++)
		for (unsigned p = 0; p < MSK_NPAGES; p++) {
			uint32_t phys = 0, rights = 0;
			int err = msk_resolve(ti, p, &phys, &rights);

			check_resolved(ti, p, err, phys, rights);
		}
	msk_check();
	if (msk_hostile)
		return;
	for (unsigned ti = 0; ti < MSK_NTASKS; ti++)
		for (unsigned p = 0; p < MSK_NPAGES; p++)
			MSK_REQUIRE(msk_task[ti].pte[p].present == model[POS(ti, p)].mapped,
				    "after resolving all, task %u page %u differs", ti, p);
}

/* For debugging a failure: one page in the model and the database. */
void msk_dump(unsigned ti, unsigned p)
{
	const mnode_t *m = &model[POS(ti, p)];
	ms_ent_t *r = ms_lookup(msk_space(ti), msk_va(p), NULL);

	fprintf(stderr, "  %u:%u model %s parent %d frame %#x rights %#x; pte %d %#x/%#x",
		ti, p, m->mapped ? "mapped" : "-", m->parent, m->frame, m->rights,
		msk_task[ti].pte[p].present, msk_task[ti].pte[p].phys, msk_task[ti].pte[p].rights);
	if (r)
		fprintf(stderr, "; record from %u:%#x rights %#x gen %llu flags %#x\n", r->task,
			r->pvaddr, r->rights, (unsigned long long)r->gen, r->flags);
	else
		fprintf(stderr, "; no record\n");
}
