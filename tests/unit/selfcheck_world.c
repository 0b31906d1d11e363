/* SPDX-License-Identifier: BSD-2-Clause */
/* The self-check's hand-made world over the split database
 * (selfcheck_world.h): the hooks the rules and the database read
 * it through, and its building. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "selfcheck_world.h"

#define INDEX_FAN 1024u
/* sigma0's node pages may run on to the window's end (space_split.c). */
#define SIGMA0_CID_PAGES ((LENT_CID_WINDOW_END - LENT_CID_MAP_BASE) >> PAGE_SHIFT)

uint8_t *ram;
static void *table;
static uint32_t pool_next, lent_next;
fake_space_t s0, a;
static sc_env_t env;
sc_counts_t counts;
sc_fault_t fault;
static uint32_t pool_used, pool_total;
uint32_t u1, u2, u3, kip, port_va;
void (*view_edit)(frame_view_t *fv);

static fake_space_t *of_ms(const ms_space_t *m)
{
	return m == &s0.ms ? &s0 : m == &a.ms ? &a : NULL;
}

static fake_space_t *of_record(const void *space)
{
	return space && space == s0.v.self ? &s0 : space && space == a.v.self ? &a : NULL;
}

static void *at(uint32_t pa)
{
	return pa ? ram + pa : NULL;
}

/* ---- the self-check's hooks, over the fake RAM ---- */

void *sc_virt(uint32_t pa) { return ram + pa; }

bool sc_phys(const void *p, uint32_t *pa)
{
	const uint8_t *b = p;

	if (b < ram || b >= ram + NFRAMES * PAGE_SIZE)
		return false;
	*pa = (uint32_t)(b - ram);
	return true;
}

bool sc_pde(const uint32_t *pdir, uint32_t slot, uint32_t *pt)
{
	uint32_t e = pdir[slot];

	*pt = e & PAGE_MASK;
	return !e || ((e & PTE_P) && *pt < NFRAMES * PAGE_SIZE);
}

/* arch/ia32/paging.c's entries, which the rules read through arch.h. */
pte_t arch_pte_make(uint32_t phys, uint32_t rights)
{
	return rights & RIGHTS_ALL ? (phys & PAGE_MASK) | PTE_P | ((rights & RIGHT_W) ? PTE_W : 0) : 0;
}

uint32_t arch_pte_rights(pte_t e)
{
	return e & PTE_P ? RIGHT_R | RIGHT_X | ((e & PTE_W) ? RIGHT_W : 0) : 0;
}

/* As kernel/selfcheck_walk.c's, over the database's own hooks. */
const void *sc_node_page(const void *space, uint32_t n)
{
	fake_space_t *s = of_record(space);

	return s && n < s->ms.pages ? ms_page(&s->ms, n) : NULL;
}

/* space_split_page_away() or a hole (ms_page_hole): a page missing of a
 * task not sigma0. */
bool sc_node_page_away(const void *space, uint32_t n)
{
	fake_space_t *s = of_record(space);

	return s && !s->ms.sigma0 && n < s->ms.pages && !ms_page(&s->ms, n);
}

const void *sc_task(uint32_t id)
{
	fake_space_t *s = of_ms(ms_space(id));

	return s ? s->v.self : NULL;
}

const void *sc_index_page(const void *space, uint32_t i)
{
	fake_space_t *s = of_record(space);

	if (!s || !s->index)
		return NULL;
	return i ? at(s->index[i - 1]) : s->index;
}

/* ---- the database's hooks (kernel/space_split.c's, in small) ---- */

ms_space_t *ms_space(uint32_t id)
{
	return id == s0.ms.id ? &s0.ms : id == a.ms.id ? &a.ms : NULL;
}

/* Through the index (pages not lent), else at its content identifier. */
ms_ent_t *ms_page(ms_space_t *m, uint32_t n)
{
	fake_space_t *s = of_ms(m);
	uint32_t *leaf = s->index && n / INDEX_FAN < INDEX_FAN ? at(s->index[n / INDEX_FAN]) : NULL;

	if (leaf && leaf[n % INDEX_FAN])
		return at(leaf[n % INDEX_FAN]);
	if (n >= (m->sigma0 ? SIGMA0_CID_PAGES : LENT_CID_RANGE_PAGES))
		return NULL;
	return at(frame_find(m->id, (uint32_t)lent_cid_nth(LENT_KMEM_MAP, n)));
}

uint32_t *ms_table(ms_space_t *m, uint32_t slot)
{
	return slot < SC_NODE_PDES ? of_ms(m)->nt[slot] : NULL;
}

bool ms_va_ok(const ms_space_t *m, uint32_t va)
{
	const sc_space_t *v = &of_ms(m)->v;

	if (va >= SC_USER_PDES << 22)
		return io_va_is(va);
	return !(v->kip_size && va >= v->kip_base && va - v->kip_base < v->kip_size) &&
	       !(v->utcb_size && va >= v->utcb_base && va - v->utcb_base < v->utcb_size);
}

static void port_set(fake_space_t *s, uint32_t port, bool allow)
{
	if (!s->bm[0] && allow) {
		s->bm[0] = page(s, KMEM_PT, (uint32_t)lent_cid_pt(IO_BITMAP_PT_SLOT << 22));
		memset(s->bm[0], 0xFF, PAGE_SIZE);
		sc_phys(s->bm[0], &s->bm_phys[0]);
	}
	if (s->bm[0])
		(allow ? iobm_allow : iobm_deny)(s->bm[0], port);
}

void ms_pte_set(ms_space_t *m, uint32_t va, uint32_t phys, uint32_t rights, uint32_t type)
{
	(void)type;             /* the world's pages all have the default */
	if (io_va_is(va))
		port_set(of_ms(m), io_va_port(va), true);
	else
		map(of_ms(m), va, phys, rights);
}

bool ms_type_ok(uint32_t type) { return type == 0; }
bool ms_type_own(const ms_space_t *m) { return of_ms(m)->v.sigma0; }

/* The parts' seal (kernel/mapsplit_io.c): any fixed key will do here. */
const siphash_key_t *ms_seal_key(void)
{
	static const siphash_key_t key = { 0x1716151413121110ull, 0x1f1e1d1c1b1a1918ull };

	return &key;
}

uint32_t ms_pte_clear(ms_space_t *m, uint32_t va)
{
	return ms_pte_restrict(m, va, 0);
}

uint32_t ms_pte_restrict(ms_space_t *m, uint32_t va, uint32_t rights)
{
	fake_space_t *s = of_ms(m);
	uint32_t *pd = (uint32_t *)s->v.pdir;

	if (io_va_is(va)) {
		if (!rights)
			port_set(s, io_va_port(va), false);
	} else if (pd[va >> 22]) {
		uint32_t *e = pte(s, va);
		*e = rights ? *e & ~((rights & RIGHT_W) ? 0 : PTE_W) : 0;
	}
	return 0;
}

void ms_frame_revoking(uint32_t phys) { (void)phys; }
bool ms_frame_lent(uint32_t phys) { return frame_is_lent(phys); }
void ms_page_empty(ms_space_t *s, uint32_t n) { (void)s; (void)n; }
bool ms_stop_due(unsigned cost) { (void)cost; return false; }

/* ---- building the world ---- */

static uint32_t frame(fake_space_t *s)
{
	uint32_t pa = (s == &a ? lent_next++ : pool_next++) * PAGE_SIZE;

	ck_assert_uint_lt(s == &a ? lent_next : pool_next, s == &a ? 40 : 17);
	memset(ram + pa, 0, PAGE_SIZE);
	return pa;
}

void *page(fake_space_t *s, unsigned kind, uint32_t cid)
{
	uint32_t pa = frame(s);

	if (s == &a) {
		frame_lend(pa, A_ID, cid, kind);
		s->v.lent++;
	} else
		pool_used++;
	s->kmem[kind]++;
	return ram + pa;
}

/* One more node page (space_split_mapdb.c's page_add): lent at its content
 * identifier, or the pool's and then in the index. */
static void node_page(fake_space_t *s)
{
	uint32_t n = s->ms.pages, pa;
	ms_ent_t *p = page(s, KMEM_MAP, (uint32_t)lent_cid_nth(LENT_KMEM_MAP, n));

	if (s != &a) {
		if (!s->index)
			s->index = page(s, KMEM_MAP, 0);
		if (!s->index[n / INDEX_FAN])
			sc_phys(page(s, KMEM_MAP, 0), &s->index[n / INDEX_FAN]);
		sc_phys(p, &pa);
		((uint32_t *)at(s->index[n / INDEX_FAN]))[n % INDEX_FAN] = pa;
	}
	ms_page_init(&s->ms, s->ms.pages, p);
	s->v.node_page_count = s->ms.pages;
}

/* Give the database what it asks for. */
static void supply(int err, const ms_need_t *need)
{
	fake_space_t *s = of_ms(ms_space(need->task));

	ck_assert_ptr_nonnull(s);
	if (err == MS_NEED && need->kind == MS_NEED_TABLE) {
		s->nt[need->index] = page(s, KMEM_NT, (uint32_t)lent_cid_nt(need->index << 22));
		return;
	}
	ck_assert_int_eq(err, MS_NOMEM);
	do
		node_page(s);
	while (s->ms.nfree < need->index);
}

static void db_root(uint32_t va, uint32_t phys)
{
	ms_need_t need;
	int err;

	while ((err = ms_root(&s0.ms, va, phys, RIGHTS_ALL, &need)) != MS_OK)
		supply(err, &need);
}

void db_map(fake_space_t *from, uint32_t fva, fake_space_t *to, uint32_t tva, uint32_t rights)
{
	ms_need_t need;
	uint32_t phys, got;
	int err;

	while ((err = ms_map(&from->ms, fva, &to->ms, tva, rights, false, &need)) != MS_OK)
		supply(err, &need);
	while ((err = ms_resolve(&to->ms, tva, &need, &phys, &got)) != MS_OK)
		supply(err, &need);
}

void db_unmap(fake_space_t *s, uint32_t va, uint32_t rights, bool flush_self)
{
	ms_need_t need;
	uint32_t access = 0;

	ck_assert_int_eq(ms_unmap(&s->ms, va, rights, flush_self, &access, &need), MS_OK);
}

ms_ent_t *rec(fake_space_t *s, uint32_t va)
{
	return ms_lookup(&s->ms, va, NULL);
}

ms_ent_t *ent(fake_space_t *s, uint32_t ref)
{
	return ms_ent(&s->ms, ref);
}

uint32_t *pte(fake_space_t *s, uint32_t va)
{
	uint32_t *pd = (uint32_t *)s->v.pdir;

	if (!pd[va >> 22]) {
		uint8_t *pt = page(s, KMEM_PT, (uint32_t)lent_cid_pt(va));
		pd[va >> 22] = (uint32_t)(pt - ram) | PTE_P;
	}
	return (uint32_t *)(ram + (pd[va >> 22] & PAGE_MASK)) + ((va >> 12) & 1023);
}

void map(fake_space_t *s, uint32_t va, uint32_t phys, uint32_t rights)
{
	*pte(s, va) = phys | PTE_P | ((rights & RIGHT_W) ? PTE_W : 0);
}

void recount(fake_space_t *s)
{
	uint32_t count = 0;

	for (uint32_t n = 0; n < s->ms.pages; n++) {
		const ms_ent_t *p = ms_page(&s->ms, n);

		for (uint32_t k = 1; p && k < MS_ENTS; k++) {
			const uint32_t *t = p[k].kind == MS_REC ? ms_table(&s->ms, p[k].vaddr >> 22) : NULL;
			count += t && t[(p[k].vaddr >> PAGE_SHIFT) & (MS_NT_ENTS - 1)] == ms_ref_of(&p[k]);
		}
	}
	s->v.mapped_pages = count;
}

void take_page(uint32_t n)
{
	uint32_t pa;

	ck_assert_int_eq(ms_export_page(&a.ms, n), MS_OK);
	sc_phys(ms_page(&a.ms, n), &pa);
	frame_unlend(pa);
	a.kmem[KMEM_MAP]--;
	a.v.lent--;
	recount(&a);
}

void take_table(uint32_t slot)
{
	uint32_t pa;

	ck_assert_int_eq(ms_export_table(&a.ms, slot), MS_OK);
	sc_phys(a.nt[slot], &pa);
	frame_unlend(pa);
	a.nt[slot] = NULL;
	a.kmem[KMEM_NT]--;
	a.v.lent--;
	recount(&a);
}

static void space_init(fake_space_t *s, uint32_t id, bool sigma0)
{
	memset(s, 0, sizeof(*s));
	s->v.id = s->ms.id = id;
	s->v.sigma0 = s->v.pool_ok = s->ms.sigma0 = sigma0;
	s->v.node_table = (const mapslot_t *const *)s->nt;
	s->v.io_bitmap = s->bm;
	s->v.io_bitmap_phys = s->bm_phys;
	s->v.kmem = s->kmem;
	s->v.tcb_lent_map = s->tcb_map;
	s->v.self = page(s, KMEM_TASK, LENT_CID_TASK);
	s->v.pdir = page(s, KMEM_PDIR, LENT_CID_PDIR);
	sc_phys(s->v.pdir, &s->v.pdir_phys);
}

void world_setup(void)
{
	mem_map_t m;

	ram = aligned_alloc(PAGE_SIZE, NFRAMES * PAGE_SIZE);
	memmap_init(&m);
	ck_assert_int_eq(memmap_add(&m, PAGE_SIZE, NFRAMES * PAGE_SIZE, MEM_FREE), 0);
	table = malloc(frame_table_bytes(NFRAMES * PAGE_SIZE));
	frame_table_init(table, NFRAMES * PAGE_SIZE, &m);
	/* The pool: frames 1..16; A's pages from 17 on. */
	frame_mark_kernel(PAGE_SIZE, 17 * PAGE_SIZE, FRAME_OWN_POOL);
	pool_total = 16;
	pool_used = 0;
	pool_next = 1;
	lent_next = 17;
	view_edit = NULL;
	kip = frame(&s0);
	pool_used++;
	u1 = 40 * PAGE_SIZE;
	u2 = 41 * PAGE_SIZE;
	u3 = 42 * PAGE_SIZE;
	port_va = io_va(0x60);

	space_init(&s0, S0_ID, true);
	space_init(&a, A_ID, false);
	/* A: KIP at 0x3FF000, 16 UTCB pages at 0x3F0000. */
	a.v.kip_base = 0x3FF000;
	a.v.kip_size = PAGE_SIZE;
	a.v.utcb_base = 0x3F0000;
	a.v.utcb_size = 16 * PAGE_SIZE;

	db_root(u1, u1);
	db_root(u2, u2);
	db_root(port_va, port_va);
	db_map(&s0, u1, &a, 0x1000, RIGHT_R | RIGHT_W);
	db_map(&s0, port_va, &a, port_va, RIGHTS_ALL);
	map(&a, 0x3FF000, kip, RIGHT_R | RIGHT_X);
	map(&a, 0x3F0000, (uint32_t)((uint8_t *)page(&a, KMEM_UTCB,
			   (uint32_t)lent_cid_nth(LENT_KMEM_UTCB, 0)) - ram), RIGHTS_ALL);
	recount(&s0);
	recount(&a);

	env.kip_phys = kip;
	env.sigma0_id = S0_ID;
	env.store_free = 0;
	counts = (sc_counts_t){ .pool_pages = pool_total, .free_pages = pool_total - pool_used,
				.kernel_pages = 1, .boot_task_pages = pool_used - 1 };
}

void world_teardown(void)
{
	free(ram);
	free(table);
}

/* The whole check, in the kernel's order: 0 or the first rule broken. */
uint32_t check(void)
{
	sc_frame_sums_t fs;
	sc_sums_t sum = { 0 };
	uint32_t r;

	fault = (sc_fault_t){ 0 };
	s0.v.free_entries = s0.ms.nfree;     /* as view_of reads them */
	a.v.free_entries = a.ms.nfree;
	frame_table_view(&env.fv);
	if (view_edit)
		view_edit(&env.fv);
	if ((r = sc_check_frames(&env, &fs, &fault)) || (r = sc_check_space(&env, &s0.v, &sum, &fault)) ||
	    (r = sc_check_space(&env, &a.v, &sum, &fault)) ||
	    (r = sc_check_tree(&env, &s0.v, sum.nodes, &fault)) ||
	    (r = sc_check_totals(&env, &sum, &fs, &counts, &fault)))
		return r;
	return 0;
}
