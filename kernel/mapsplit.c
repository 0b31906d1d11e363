/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The split mapping database's core (kernel/mapsplit.h): entries, lists,
 * lookups and the walk that flushes derived translations (the walks that
 * remove and narrow them, which stop at preemption points, are in
 * kernel/mapsplit_stop.c).
 *
 * Invariants the code relies on (docs/mapdb-split.md, "Invariants"):
 *  I1 a record is resolved only if its parent is resolved (or it is a
 *     root), the part of its edge is present, attached and LIVE, and its
 *     hint names that part; only a resolved record has a translation;
 *  I2 the members of every list are present; a present part is attached
 *     to its owner exactly when that record is present and findable,
 *     else it is on its task's orphan list; LIVE parts come first;
 *  I3 along every edge that checks out, generations increase downwards,
 *     so no walk along valid edges can meet a record twice;
 *  I4 no record has two attached parts for one child.
 * Every walk is iterative: the kernel stack is small, chains may be deep.
 * Walks keep their way back up in the in-kernel word k.rec.spare.
 */
#include <kernel/mapsplit_int.h>
#include <kernel/string.h>

uint64_t ms_gen_next = 1;

/* Counts every change that can move a stopped walk's place: entries
 * made or freed, lists changed, ways written, pages and tables gone or
 * back (kernel/mapsplit_stop.c).  64 bits never wrap. */
uint64_t ms_changes;

/* ---- entries ---- */

void ms_page_format(const ms_space_t *s, uint32_t n, void *bytes)
{
	ms_hdr_t *h = bytes;

	memset(bytes, 0, PAGE_SIZE);
	h->magic = MS_MAGIC;
	h->version = MS_VERSION;
	h->ent_size = MS_ENT_SIZE;
	h->page = n;
	h->task = s->id;
}

/*
 * Holes.  An empty node page may go back from anywhere in a task's list
 * (ms_page_gone), not only from its end: one record made late in a high
 * page would otherwise pin every empty page below it for good.  Its
 * number stays taken as a hole: nothing refers into it (it was empty),
 * a reference that names it finds nothing (ms_ent, ms_find), and the
 * next node page the task needs takes the lowest hole's number.
 */
bool ms_page_hole(ms_space_t *s, uint32_t n)
{
	return s->holes && n < s->pages && !ms_page(s, n);
}

uint32_t ms_page_next(ms_space_t *s)
{
	if (!s->holes)
		return s->pages;
	/* A hole is below the last page (ms_page_gone): the search ends. */
	while (s->hole < s->pages && ms_page(s, s->hole))
		s->hole++;
	return s->hole;
}

void ms_page_gone(ms_space_t *s, uint32_t n)
{
	/* No ms_changes: an empty page holds no entry, so no stopped
	 * walk's place (mapsplit_stop.c) names it.  Voiding that place
	 * would make a revoke stopped in a long chain, whose trim gives
	 * back the pages it emptied, walk down the chain again from its
	 * top before it can stop: BENCH wakeup_late_max_revoke. */
	s->nfree -= MS_ENTS - 1;
	if (s->room == n)
		s->room = 0;
	if (n + 1 < s->pages) {
		/* The first hole is the lowest: ms_page_next then finds it
		 * at once, not after a walk up over every page below it. */
		if (!s->holes++ || n < s->hole)
			s->hole = (uint16_t)n;
		return;
	}
	/* The last page: the list ends below it, and below the holes that
	 * now end it (a page list never ends in a hole).  The pages below
	 * hole are all there (none is away while a task has holes): when
	 * they are all the pages left, every page from hole up is a hole,
	 * and the list ends at hole without a look at each (a revoke that
	 * emptied a task's pages in order left hundreds of them). */
	s->pages = n;
	if (s->holes && n - s->holes == s->hole) {
		s->pages = s->hole;
		s->holes = 0;
	}
	while (s->holes && s->pages && !ms_page(s, s->pages - 1)) {
		s->pages--;
		s->holes--;
	}
	if (s->room >= s->pages)
		s->room = 0;
	if (!s->holes)
		s->hole = 0;
}

/* Page n was the room and is no longer.  A trim keeps the lent page that
 * is the room when it looks (kernel/space_split_trim.c): one it kept
 * empty so is looked at once more, or a trim between two steps of a
 * stopped walk would leave it for good once the walk frees lower down. */
static void room_left(ms_space_t *s, uint32_t n)
{
	ms_ent_t *page = n < s->pages ? ms_page_at(s, n) : NULL;

	if (page && page[0].k.hdr.nfree == MS_ENTS - 1)
		ms_page_empty(s, n);
}

void ms_page_init(ms_space_t *s, uint32_t n, ms_ent_t *page)
{
	if (n < s->pages) {
		s->holes--;
		s->hole = (uint16_t)(s->holes ? n + 1 : 0);
	} else {
		s->pages++;
	}
	ms_page_format(s, n, page);
	for (uint32_t k = MS_ENTS - 1; k >= 1; k--) {
		page[k].k.free.next = page[0].k.hdr.free_head;
		page[0].k.hdr.free_head = k;
	}
	page[0].k.hdr.nfree = MS_ENTS - 1;
	s->nfree += MS_ENTS - 1;
	uint32_t was = s->room;
	s->room = n;
	if (was != n)
		room_left(s, was);
}

void ms_table_init(uint32_t *table)
{
	memset(table, 0, MS_NT_ENTS * sizeof(uint32_t));
}

/* A free entry: from the page that last had one, else the first
 * present page with one (O(node pages), only when that page is full). */
ms_ent_t *ms_alloc(ms_space_t *s)
{
	if (!s->nfree)
		return NULL;
	for (uint32_t i = 0; i <= s->pages; i++) {
		uint32_t n = i ? i - 1 : s->room;
		ms_ent_t *page = n < s->pages ? ms_page_at(s, n) : NULL;

		if (!page || !page[0].k.hdr.nfree)
			continue;
		ms_ent_t *e = &page[page[0].k.hdr.free_head];
		ms_changes++;
		page[0].k.hdr.free_head = e->k.free.next;
		page[0].k.hdr.nfree--;
		s->nfree--;
		s->room = n;
		*e = (ms_ent_t){ 0 };        /* inline: no call for 48 bytes */
		return e;
	}
	return NULL;
}

void ms_free(ms_space_t *s, ms_ent_t *e)
{
	ms_ent_t *h = ms_hdr_of(e);

	ms_changes++;
	*e = (ms_ent_t){ 0 };
	e->k.free.next = h->k.hdr.free_head;
	h->k.hdr.free_head = (uint32_t)(e - h);
	h->k.hdr.nfree++;
	s->nfree++;
	/* The lowest page with room is used first, so that the pages above
	 * it empty out and can go back (ms_page_empty), from anywhere in
	 * the list: an empty page below a full one goes back too, leaving
	 * a hole. */
	uint32_t n = ((ms_hdr_t *)h)->page;
	if (n < s->room) {
		uint32_t was = s->room;

		s->room = n;
		room_left(s, was);
	}
	if (h->k.hdr.nfree == MS_ENTS - 1)
		ms_page_empty(s, n);
}

uint32_t ms_free_count(ms_space_t *s)
{
	return s->nfree;
}

/* ---- lists ---- */

void ms_list_add(ms_space_t *s, uint32_t *head, ms_ent_t *e, bool front)
{
	uint32_t r = ms_ref_of(e);

	ms_changes++;
	if (!*head) {
		e->k.part.prev = e->k.part.next = r;
		*head = r;
		return;
	}
	ms_ent_t *h = ms_ent(s, *head);
	ms_ent_t *last = ms_ent(s, h->k.part.prev);

	e->k.part.next = *head;
	e->k.part.prev = h->k.part.prev;
	last->k.part.next = r;
	h->k.part.prev = r;
	if (front)
		*head = r;
}

void ms_list_del(ms_space_t *s, uint32_t *head, ms_ent_t *e)
{
	uint32_t r = ms_ref_of(e);

	ms_changes++;
	if (e->k.part.next == r) {
		*head = 0;
	} else {
		ms_ent(s, e->k.part.prev)->k.part.next = e->k.part.next;
		ms_ent(s, e->k.part.next)->k.part.prev = e->k.part.prev;
		if (*head == r)
			*head = e->k.part.next;
	}
	e->k.part.prev = e->k.part.next = 0;
}

/* An attached part whose owner's page is absent was spliced onto the
 * orphans with its owner's list (export); the next import clears it. */
uint32_t *ms_list_of(ms_space_t *s, ms_ent_t *part)
{
	if (part->flags & MS_F_ATTACHED) {
		ms_ent_t *o = ms_ent(s, part->k.part.owner);

		if (o && o->kind == MS_REC)
			return &o->k.rec.head;
	}
	return &s->orphans;
}

/* A part of a root that has given its room away gives its own back. */
void ms_part_delete(ms_space_t *s, ms_ent_t *part)
{
	ms_ent_t *o = ms_ent(s, part->k.part.owner);
	/* ms_list_of(), with the owner found once. */
	uint32_t *head = (part->flags & MS_F_ATTACHED) && o && o->kind == MS_REC ?
			 &o->k.rec.head : &s->orphans;

	ms_list_del(s, head, part);
	if (o && head == &o->k.rec.head && (o->flags & MS_F_ROOT) && !o->k.rec.spare) {
		memset(part, 0, sizeof(*part));
		part->kind = MS_RESERVED;
		o->k.rec.spare = ms_ref_of(part);
		return;
	}
	ms_free(s, part);
}

/*
 * An edge revoked while its receiver part is absent is known only by its
 * sender part, which goes now; the receiver part, when it comes back,
 * finds no partner.  But the sender's kpager may give back an older copy
 * of the sender's page with that part (and its owner, in one epoch), or
 * make it anew, and the edge would count again.  So the sender keeps the
 * edge, resident, as dead, and orphans_scan (mapsplit_io.c) lets no part
 * of it attach.  A kept edge is let go once its receiver's record is
 * seen gone or other (a resolve removes it once back: nothing of that
 * edge is left to match).  With all MS_DEAD kept still needed, the floor
 * rises past every generation handed out so far, and no part of the
 * sender's below it attaches again: edges it made before, whose page (or
 * owner's) goes and comes back, fault again.  Only the sender's own
 * parts are ever affected.
 */
static bool dead_done(const ms_space_t *s, const struct ms_dead *d)
{
	ms_need_t ignored;
	ms_ent_t *c;

	if (!d->task)
		return true;                  /* an empty slot */
	switch (ms_find(ms_space(d->task), d->va, &c, &ignored)) {
	case MS_NEED:
		return false;
	case MS_OK:
		/* Back, and not yet found dead by a resolve. */
		return c->task != s->id || (uint32_t)c->gen != d->gen;
	default:
		return true;
	}
}

void ms_part_revoke(ms_space_t *s, ms_ent_t *part)
{
	struct ms_dead now = { part->task, part->pvaddr, (uint32_t)part->gen };
	unsigned i = 0;

	if (part->gen >= s->floor && !dead_done(s, &now)) {
		while (i < MS_DEAD && !dead_done(s, &s->dead[i]))
			i++;
		if (i < MS_DEAD) {
			s->dead[i] = now;
		} else {
			/* Above every generation handed out so far. */
			s->floor = ms_gen_next;
			for (i = 0; i < MS_DEAD; i++)
				s->dead[i] = (struct ms_dead){ 0 };
		}
	}
	ms_part_delete(s, part);
}

bool ms_part_dead(const ms_space_t *s, const ms_ent_t *part)
{
	if (part->gen < s->floor)
		return true;
	for (unsigned i = 0; i < MS_DEAD; i++)
		if (s->dead[i].gen == (uint32_t)part->gen && s->dead[i].task == part->task &&
		    s->dead[i].va == part->pvaddr)
			return true;
	return false;
}

/* Move a part to the front (live) or the back of its list. */
static void part_set_live(ms_space_t *s, ms_ent_t *part, bool live)
{
	uint32_t *head = ms_list_of(s, part);

	ms_list_del(s, head, part);
	part->flags = (uint8_t)(live ? part->flags | MS_F_LIVE : part->flags & ~MS_F_LIVE);
	ms_list_add(s, head, part, live);
}

/* ---- lookups ---- */

int ms_find(ms_space_t *s, uint32_t va, ms_ent_t **rec, ms_need_t *need)
{
	uint32_t *table, ref;
	ms_ent_t *page, *e;

	*rec = NULL;
	va &= PAGE_MASK;
	if (!s)
		return MS_NONE;
	/* Every record's address is in its task's window (map and import
	 * check it), so a record found answers the window check too: it is
	 * asked only where nothing is found, to tell "none" from "fetch". */
	table = ms_table(s, va >> 22);
	if (!table) {
		if (!ms_va_ok(s, va))
			return MS_NONE;
		*need = (ms_need_t){ .task = s->id, .kind = MS_NEED_TABLE, .index = va >> 22 };
		return MS_NEED;
	}
	ref = table[(va >> PAGE_SHIFT) & (MS_NT_ENTS - 1)];
	if (!ref || MS_REF_PAGE(ref) >= s->pages || !MS_REF_ENT(ref) || MS_REF_ENT(ref) >= MS_ENTS)
		return MS_NONE;
	page = ms_page_at(s, MS_REF_PAGE(ref));
	if (!page) {
		/* A hole went back empty: a reference into it is a bad one. */
		if (s->holes || !ms_va_ok(s, va))
			return MS_NONE;
		*need = (ms_need_t){ .task = s->id, .kind = MS_NEED_PAGE, .index = MS_REF_PAGE(ref) };
		return MS_NEED;
	}
	/* The table is the task's own word: it counts only where it names
	 * a record of that very page. */
	e = &page[MS_REF_ENT(ref)];
	if (e->kind != MS_REC || e->vaddr != va)
		return MS_NONE;
	*rec = e;
	return MS_OK;
}

ms_ent_t *ms_lookup(ms_space_t *s, uint32_t va, ms_need_t *need)
{
	ms_ent_t *rec;
	ms_need_t ignored;

	ms_find(s, va, &rec, need ? need : &ignored);
	return rec;
}

/* Does rec (in task tid) stand at the lower end of owner's part? */
static bool edge_holds(uint32_t sid, const ms_ent_t *owner, const ms_ent_t *part,
		       const ms_ent_t *rec)
{
	return rec->kind == MS_REC && !(rec->flags & MS_F_ROOT) && rec->task == sid &&
	       rec->pvaddr == part->vaddr && rec->gen == part->gen && rec->gen > owner->gen;
}

ms_ent_t *ms_child(ms_space_t *s, const ms_ent_t *owner, const ms_ent_t *part, ms_space_t **ct)
{
	ms_need_t ignored;
	ms_ent_t *c;

	*ct = ms_space(part->task);
	if (ms_find(*ct, part->pvaddr, &c, &ignored) != MS_OK)
		return NULL;
	return edge_holds(s->id, owner, part, c) ? c : NULL;
}

ms_ent_t *ms_part_find(ms_space_t *s, ms_ent_t *owner, uint32_t tid, uint32_t va, uint64_t gen)
{
	uint32_t first = owner->k.rec.head;
	ms_ent_t *p = ms_ent(s, first);

	while (p) {
		if (p->task == tid && p->pvaddr == va && p->gen == gen)
			return p;
		if (p->k.part.next == first)
			break;
		p = ms_ent(s, p->k.part.next);
	}
	return NULL;
}

/* The part in r's parent that r's edge hangs from, if present: the hint
 * when r is resolved (I1), else a search of the parent's list. */
ms_ent_t *ms_parent_part(ms_space_t *s, ms_ent_t *r, ms_space_t **ps)
{
	ms_ent_t *pr, *pp;
	ms_need_t ignored;

	*ps = NULL;
	if (r->flags & MS_F_ROOT)
		return NULL;
	*ps = ms_space(r->task);
	if (!*ps)
		return NULL;
	pp = ms_ent(*ps, r->k.rec.hint);
	if (pp && pp->kind == MS_PART && (pp->flags & MS_F_ATTACHED) && pp->task == s->id &&
	    pp->pvaddr == r->vaddr && pp->gen == r->gen)
		return pp;
	if (ms_find(*ps, r->pvaddr, &pr, &ignored) != MS_OK)
		return NULL;
	return ms_part_find(*ps, pr, s->id, r->vaddr, r->gen);
}

/* ---- walks ---- */

/* Post-order over the LIVE parts (the resolved subtree): each step
 * either goes down one edge or flushes one translation. */
uint32_t ms_unresolve(ms_space_t *s, ms_ent_t *r)
{
	ms_space_t *cs = s, *ps, *ct;
	ms_ent_t *cur = r;
	uint32_t bits = 0;

	if (!(r->flags & MS_F_RESOLVED))
		return 0;
	for (;;) {
		ms_ent_t *p = ms_ent(cs, cur->k.rec.head);

		if (p && (p->flags & MS_F_LIVE)) {
			ms_ent_t *c = ms_child(cs, cur, p, &ct);

			if (c && (c->flags & MS_F_RESOLVED) && c->k.rec.hint == ms_ref_of(p)) {
				c->k.rec.spare = ms_ref_of(p);
				cs = ct;
				cur = c;
			} else {
				part_set_live(cs, p, false);   /* cannot happen (I1) */
			}
			continue;
		}
		/* No Unmap reads these bits now: the record keeps them. */
		ms_bits_keep(cur, ms_pte_clear(cs, cur->vaddr));
		bits |= (cur->attr & MS_ATTR_BITS) >> MS_ATTR_SHIFT;
		cur->flags &= (uint8_t)~MS_F_RESOLVED;
		ms_ent_t *pp = ms_parent_part(cs, cur, &ps);
		if (pp && (pp->flags & MS_F_LIVE))
			part_set_live(ps, pp, false);
		if (cur == r || !pp)
			return bits;
		cs = ps;
		cur = ms_ent(ps, pp->k.part.owner);
	}
}

void ms_epoch_renew(ms_space_t *s, ms_ent_t *r)
{
	uint32_t first = r->k.rec.head;

	r->egen = ms_gen_take();
	for (ms_ent_t *p = ms_ent(s, first); p; p = p->k.part.next == first ? NULL :
	     ms_ent(s, p->k.part.next))
		p->egen = r->egen;
}

/* ---- the kernel's own use of lent frames ---- */

/* A frame's lender to the kernel holds it at a root or just below (the
 * kernel lends nothing else).  Below a root, the edge must check out, so
 * that a record a kpager forged cannot name another lender's frame. */
void ms_lender_revoking(ms_space_t *s, ms_ent_t *r)
{
	ms_space_t *ps;
	ms_ent_t *root;

	if (r->flags & MS_F_ROOT) {
		ms_frame_revoking(r->k.rec.phys);
		return;
	}
	/* A resolved record has its root's frame (I1): most frames are lent
	 * to nobody, and then there is no lender to find. */
	if ((r->flags & MS_F_RESOLVED) && !ms_frame_lent(r->k.rec.phys))
		return;
	/* Most records are resolved: their hint names the part, and the
	 * part its owner, without a lookup or a search of the root's parts. */
	ms_ent_t *pp = ms_parent_part(s, r, &ps);

	if (!pp || !ps->sigma0)
		return;
	root = ms_ent(ps, pp->k.part.owner);
	if (!root || root->kind != MS_REC || !(root->flags & MS_F_ROOT) ||
	    root->vaddr != r->pvaddr || root->gen >= r->gen)
		return;
	ms_frame_revoking(root->k.rec.phys);
}

/* Task death: kernel/mapsplit_reap.c. */
