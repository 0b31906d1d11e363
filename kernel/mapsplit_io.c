/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Export and import of node pages and node tables (kernel/mapsplit.h,
 * docs/mapdb-split.md "External forms").
 *
 * Export flushes what depended on the page, takes its parts off their
 * lists and the other parts off its records' lists (in O(1) a record:
 * they join the orphans whole), and zeroes every in-kernel byte.  It
 * allocates nothing and waits for nobody.
 *
 * Import validates the bytes alone (the page, its index and its task:
 * nothing of any other task), then converts in place.  Whether an edge
 * holds is left to ms_resolve(), when a fault needs it.
 */
#include <kernel/mapsplit_int.h>
#include <kernel/string.h>

/*
 * A part's seal: its external bytes 40-47 (in-kernel, its owner's
 * reference and a spare word), a SipHash under the kernel's key of its
 * bytes 0-31 as they go out and of its task's id.  Only the kernel can
 * make one, so a part comes back only as the kernel wrote it: its edge,
 * rights, generation and epoch as they were at that export.  An older
 * copy still has its own epoch, and is stale if the owner took a new
 * one since (a revocation while the part was away); a part remade or
 * edited (an owner's new epoch written into it: docs/mapdb-split.md,
 * "A part remade under its owner's new epoch") is refused.
 */
static uint64_t part_seal(const ms_space_t *s, const ms_ent_t *e)
{
	uint8_t b[36];

	memcpy(b, e, 32);
	memcpy(b + 32, &s->id, sizeof(s->id));
	return siphash24(ms_seal_key(), b, sizeof(b));
}

void ms_part_seal(const ms_space_t *s, ms_ent_t *e)
{
	uint64_t seal = part_seal(s, e);

	e->k.part.owner = (uint32_t)seal;
	e->k.part.spare = (uint32_t)(seal >> 32);
}

static bool part_seal_ok(const ms_space_t *s, const ms_ent_t *e)
{
	uint64_t seal = part_seal(s, e);

	return !e->k.part.prev && !e->k.part.next && e->k.part.owner == (uint32_t)seal &&
	       e->k.part.spare == (uint32_t)(seal >> 32);
}

/* ---- export ---- */

/* Join list b to the orphans of s. */
static void orphans_splice(ms_space_t *s, uint32_t b)
{
	if (!b)
		return;
	if (!s->orphans) {
		s->orphans = b;
		return;
	}
	ms_ent_t *ah = ms_ent(s, s->orphans), *bh = ms_ent(s, b);
	uint32_t alast = ah->k.part.prev, blast = bh->k.part.prev;

	ms_ent(s, alast)->k.part.next = b;
	bh->k.part.prev = alast;
	ms_ent(s, blast)->k.part.next = s->orphans;
	ah->k.part.prev = blast;
}

/*
 * Access bits of what goes away (docs/mapdb-split.md, "Access bits and
 * memory type").  A record whose node page or node table goes has no
 * translation while it is away, nor has anything below it (I1), so the
 * access bits of all that cannot change until it is back.  They go up
 * now, to the record above that stays: its kept bits, which every Unmap
 * of it or from above it reads, and which stay in the kernel or in a
 * record its own side's kpager holds, never in the one away.  The record
 * that goes keeps them too, as its *own* bits, for its own Unmap alone;
 * so a kpager's edit of the bits in its page reaches only its own
 * client.
 */
typedef struct cut {
	const ms_ent_t *page;      /* the node page going, or NULL */
	ms_space_t *s;             /* its task */
	uint32_t slot;             /* else the node table going */
} cut_t;

/* Does record o of task os stay findable once the page or table goes? */
static bool stays(const cut_t *cut, ms_space_t *os, ms_ent_t *o)
{
	ms_ent_t *f;
	ms_need_t ignored;

	if (os == cut->s && (cut->page ? ms_hdr_of(o) == cut->page : o->vaddr >> 22 == cut->slot))
		return false;
	return ms_find(os, o->vaddr, &f, &ignored) == MS_OK && f == o;
}

/* bits of what hangs from part pp (in ps) go to its owner's kept bits,
 * or, where the owner goes too or cannot be found (its table away), to
 * its own bits and on up.  The way up is checked edge by edge, as
 * ms_parent_part() does, with generations that fall (I3), and is at most
 * MS_ENTS long: beyond, a record's own bits keep them. */
static void bits_up(const cut_t *cut, ms_space_t *ps, ms_ent_t *pp, uint32_t bits)
{
	for (uint32_t hops = 0; bits && pp && hops < MS_ENTS; hops++) {
		ms_ent_t *o = ms_ent(ps, pp->k.part.owner);

		if (!o || o->kind != MS_REC)
			return;
		if (stays(cut, ps, o)) {
			ms_bits_keep(o, bits);
			return;
		}
		ms_own_keep(o, bits);
		ms_space_t *s = ps;
		ms_ent_t *up = ms_parent_part(s, o, &ps);
		ms_ent_t *a = up ? ms_ent(ps, up->k.part.owner) : NULL;

		if (!a || a->gen >= o->gen)
			return;
		pp = up;
	}
}

/* Record r goes (its page or table): its translation and those below
 * go, and their bits, with its kept ones, go up; r keeps them as its
 * own. */
static void rec_cut(const cut_t *cut, ms_space_t *s, ms_ent_t *r)
{
	uint32_t bits = r->flags & MS_F_RESOLVED ? ms_unresolve(s, r) :
			(r->attr & MS_ATTR_BITS) >> MS_ATTR_SHIFT;
	ms_space_t *ps;
	ms_ent_t *pp = bits ? ms_parent_part(s, r, &ps) : NULL;

	ms_own_keep(r, bits);
	r->attr &= (uint8_t)~MS_ATTR_BITS;
	if (pp)
		bits_up(cut, ps, pp, bits);
}

int ms_export_page(ms_space_t *s, uint32_t n)
{
	ms_ent_t *page = s->sigma0 || n >= s->pages ? NULL : ms_page(s, n);
	ms_space_t *ct;

	if (!page)
		return MS_DENIED;
	cut_t cut = { .page = page, .s = s };
	ms_changes++;          /* a page or table goes or comes: a stopped walk starts again */
	/* Holes and pages away are told apart by holes alone (ms_find):
	 * with one away, the holes count as away too, held empty by the
	 * kpager, which gets them back as it gets any page it asks for. */
	s->holes = 0;
	s->hole = 0;
	/* What depends on the page loses its translations (I1): a resolved
	 * record with all below it, and what hangs from a LIVE part; their
	 * access bits go up to what stays. */
	for (uint32_t k = 1; k < MS_ENTS; k++) {
		ms_ent_t *e = &page[k];

		if (e->kind == MS_REC) {
			rec_cut(&cut, s, e);
		} else if (e->kind == MS_PART && (e->flags & MS_F_LIVE)) {
			ms_ent_t *c = ms_child(s, ms_ent(s, e->k.part.owner), e, &ct);

			if (c)
				bits_up(&cut, s, e, ms_unresolve(ct, c));
		}
	}
	/* Lists hold present parts only (I2). */
	for (uint32_t k = 1; k < MS_ENTS; k++)
		if (page[k].kind == MS_PART)
			ms_list_del(s, ms_list_of(s, &page[k]), &page[k]);
	for (uint32_t k = 1; k < MS_ENTS; k++)
		if (page[k].kind == MS_REC) {
			orphans_splice(s, page[k].k.rec.head);
			page[k].k.rec.head = 0;
		}
	s->nfree -= page[0].k.hdr.nfree;
	/* The external form: in-kernel bytes and flags zero, a part's seal,
	 * a record's own access bits where its kept ones were. */
	for (uint32_t k = 0; k < MS_ENTS; k++) {
		ms_ent_t *e = &page[k];

		memset(&e->k, 0, sizeof(e->k));
		if (!k)
			continue;             /* bytes 0-31: the header */
		e->flags = 0;
		if (e->kind == MS_FREE)
			memset(e, 0, sizeof(*e));
		else if (e->kind == MS_PART)
			ms_part_seal(s, e);
		else
			e->attr = (uint8_t)(ms_type(e) | ms_own_take(e) << MS_ATTR_SHIFT);
	}
	memset((uint8_t *)page + MS_ENTS * MS_ENT_SIZE, 0, PAGE_SIZE - MS_ENTS * MS_ENT_SIZE);
	return MS_OK;
}

int ms_export_table(ms_space_t *s, uint32_t slot)
{
	uint32_t *table = s->sigma0 || slot >= 1024 ? NULL : ms_table(s, slot);

	if (!table)
		return MS_DENIED;
	cut_t cut = { .s = s, .slot = slot };
	ms_changes++;          /* a page or table goes or comes: a stopped walk starts again */
	for (uint32_t i = 0; i < MS_NT_ENTS; i++) {
		ms_ent_t *r = ms_ent(s, table[i]);

		if (r && r->kind == MS_REC && r->vaddr == (slot << 22 | i << PAGE_SHIFT))
			rec_cut(&cut, s, r);
	}
	/* Its bytes, local references, are already its external form. */
	return MS_OK;
}

/* ---- import: validate ---- */

static bool zero_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static bool gen_ok(uint64_t g)
{
	return g != 0 && g < ms_gen_next;    /* none from the future */
}

/* A record's byte 3: kept access bits, and a memory type MemoryControl
 * can give on this machine; a part's is 0.  Whether the record's task
 * may hold that type is checked when the record is resolved again
 * (MS_F_TYPECHECK, mapsplit_map.c's resolve_try). */
static bool attr_ok(const ms_ent_t *e)
{
	if (e->kind != MS_REC)
		return e->attr == 0;
	return !(e->attr & ~(MS_ATTR_TYPE | MS_ATTR_BITS)) &&
	       (!ms_type(e) || ms_type_ok(ms_type(e)));
}

/* One entry on its own: only the task's own addresses, rights within
 * RWX, generations already handed out, no in-kernel bytes. */
static bool ent_ok(const ms_space_t *s, const ms_ent_t *e)
{
	if (e->kind == MS_FREE)
		return zero_bytes(e, sizeof(*e));
	if (e->kind >= MS_KINDS || e->flags || !attr_ok(e))
		return false;
	if (e->kind == MS_PART ? !part_seal_ok(s, e) : !zero_bytes(&e->k, sizeof(e->k)))
		return false;
	if (!e->rights || (e->rights & ~MS_RIGHTS))
		return false;
	if ((e->vaddr & ~PAGE_MASK) || !ms_va_ok(s, e->vaddr) || (e->pvaddr & ~PAGE_MASK))
		return false;
	if (!e->task || (e->task == s->id && e->pvaddr == e->vaddr))
		return false;                 /* no partner, or itself */
	return gen_ok(e->gen) && gen_ok(e->egen);
}

/* Two entries that cannot both be: one address's record twice, or one
 * edge's part twice (two parts to one child page with different
 * generations can be: the older one's edge is gone, its part not yet). */
static bool clash(const ms_ent_t *a, const ms_ent_t *b)
{
	if (a->kind != b->kind || a->kind == MS_FREE || a->vaddr != b->vaddr)
		return false;
	return a->kind == MS_REC ||
	       (a->task == b->task && a->pvaddr == b->pvaddr && a->gen == b->gen);
}

int ms_validate_page(const ms_space_t *s, uint32_t n, const void *bytes)
{
	const ms_ent_t *e = bytes;
	const ms_hdr_t *h = bytes;

	if (s->sigma0 || n >= s->pages)
		return MS_REFUSED;
	if (h->magic != MS_MAGIC || h->version != MS_VERSION || h->ent_size != MS_ENT_SIZE ||
	    h->page != n || h->task != s->id || !zero_bytes(h->zero, sizeof(h->zero)) ||
	    !zero_bytes(&e[0].k, sizeof(e[0].k)))
		return MS_REFUSED;
	if (!zero_bytes((const uint8_t *)bytes + MS_ENTS * MS_ENT_SIZE,
			PAGE_SIZE - MS_ENTS * MS_ENT_SIZE))
		return MS_REFUSED;
	for (uint32_t k = 1; k < MS_ENTS; k++)
		if (!ent_ok(s, &e[k]))
			return MS_REFUSED;
	for (uint32_t k = 1; k < MS_ENTS; k++)
		for (uint32_t j = k + 1; j < MS_ENTS; j++)
			if (clash(&e[k], &e[j]))
				return MS_REFUSED;
	return MS_OK;
}

int ms_validate_table(const ms_space_t *s, uint32_t slot, const void *bytes)
{
	const uint32_t *t = bytes;

	if (s->sigma0 || slot >= 1024)
		return MS_REFUSED;
	for (uint32_t i = 0; i < MS_NT_ENTS; i++) {
		uint32_t r = t[i];

		if (!r)
			continue;
		if (!MS_REF_ENT(r) || MS_REF_ENT(r) >= MS_ENTS || MS_REF_PAGE(r) >= s->pages ||
		    !ms_va_ok(s, slot << 22 | i << PAGE_SHIFT))
			return MS_REFUSED;
	}
	/* Two entries naming one record need no check: a lookup counts an
	 * entry only where the record there has the entry's address. */
	return MS_OK;
}

/* ---- import: convert ---- */

/*
 * Each orphan whose owner record can be found now joins it, if it has
 * the owner's epoch and is not a second part for one edge (I4), with
 * its rights narrowed to the owner's; one whose owner is definitely not
 * there, or of another epoch, or dead (ms_part_dead), goes.  The rest
 * wait for their owner.
 */
static void orphans_scan(ms_space_t *s)
{
	uint32_t count = 0, first = s->orphans;
	ms_ent_t *p;

	for (p = ms_ent(s, first); p; p = p->k.part.next == first ? NULL :
	     ms_ent(s, p->k.part.next))
		count++;
	p = ms_ent(s, first);
	for (uint32_t i = 0; i < count; i++) {
		ms_ent_t *next = ms_ent(s, p->k.part.next), *o;
		ms_need_t ignored;
		int err = ms_find(s, p->vaddr, &o, &ignored);

		p->flags &= (uint8_t)~MS_F_ATTACHED;
		if (ms_part_dead(s, p)) {
			/* Its edge may be one revoked while its receiver
			 * part was absent (ms_part_revoke): never again. */
			ms_list_del(s, &s->orphans, p);
			ms_free(s, p);
		} else if (err == MS_OK && o->egen == p->egen && (p->rights & o->rights) &&
		    !ms_part_find(s, o, p->task, p->pvaddr, p->gen)) {
			ms_list_del(s, &s->orphans, p);
			p->rights &= o->rights;
			p->flags |= MS_F_ATTACHED;
			p->k.part.owner = ms_ref_of(o);
			ms_list_add(s, &o->k.rec.head, p, false);
		} else if (err != MS_NEED) {
			ms_list_del(s, &s->orphans, p);
			ms_free(s, p);
		}
		p = next;
	}
}

void ms_convert_page(ms_space_t *s, uint32_t n)
{
	ms_ent_t *page = ms_page(s, n);

	ms_changes++;          /* a page or table goes or comes: a stopped walk starts again */
	for (uint32_t k = MS_ENTS - 1; k >= 1; k--)
		if (page[k].kind == MS_FREE) {
			page[k].k.free.next = page[0].k.hdr.free_head;
			page[0].k.hdr.free_head = k;
			page[0].k.hdr.nfree++;
			s->nfree++;
		}
	/* A record its node table does not name is nobody's: it goes. */
	for (uint32_t k = 1; k < MS_ENTS; k++) {
		ms_ent_t *e = &page[k];
		uint32_t *table = ms_table(s, e->vaddr >> 22);

		if (e->kind == MS_REC && table &&
		    table[(e->vaddr >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] != ms_ref_of(e))
			ms_free(s, e);
		else if (e->kind == MS_REC) {
			if (ms_type(e))
				e->flags |= MS_F_TYPECHECK;
			/* Its bits as its kpager gave them: for its own
			 * Unmap alone (they went up at the export). */
			e->attr = (uint8_t)(ms_type(e) | (e->attr & MS_ATTR_BITS) <<
					    (MS_ATTR_OWN_SHIFT - MS_ATTR_SHIFT));
		}
	}
	for (uint32_t k = 1; k < MS_ENTS; k++)
		if (page[k].kind == MS_PART) {
			page[k].k.part.owner = page[k].k.part.spare = 0;   /* its seal */
			ms_list_add(s, &s->orphans, &page[k], false);
		}
	orphans_scan(s);
}

void ms_convert_table(ms_space_t *s, uint32_t slot)
{
	(void)slot;
	ms_changes++;          /* a page or table goes or comes: a stopped walk starts again */
	orphans_scan(s);
}
