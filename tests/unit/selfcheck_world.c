/* SPDX-License-Identifier: BSD-2-Clause */
/* The self-check's hand-made world (selfcheck_world.h): the hooks the
 * rules read it through, and its building. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "selfcheck_world.h"

uint8_t *ram;
static void *table;
static uint32_t next_frame;
fake_space_t s0, a;
static sc_env_t env;
sc_counts_t counts;
static uint32_t pool_used, pool_total;
mapnode_t *root1, *root2, *rootp, *a1, *ap;
uint32_t u1, u2, u3, kip;

/* ---- the hooks, over the fake RAM ---- */

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

mapnode_t *const *sc_node_table(const void *space, uint32_t pde)
{
	fake_space_t *s = space == s0.v.self ? &s0 : space == a.v.self ? &a : NULL;

	return s && pde < SC_NODE_PDES ? s->nt[pde] : NULL;
}

/* ---- building the world ---- */

static uint32_t frame(void)
{
	uint32_t pa = next_frame++ * PAGE_SIZE;

	ck_assert_uint_lt(next_frame, NFRAMES);
	memset(ram + pa, 0, PAGE_SIZE);
	return pa;
}

/* A page of the pool for s (sigma0), or lent to A at cid. */
static void *page(fake_space_t *s, unsigned kind, uint32_t cid)
{
	uint32_t pa = frame();

	if (s == &a) {
		frame_lend(pa, A_ID, cid, kind);
	} else {
		frame_mark_kernel(pa, pa + PAGE_SIZE, FRAME_OWN_POOL);
		pool_used++;
	}
	s->kmem[kind]++;
	return ram + pa;
}

static void space_init(fake_space_t *s, uint32_t id)
{
	memset(s, 0, sizeof(*s));
	s->v.id = id;
	s->v.node_table = (mapnode_t *const *const *)s->nt;
	s->v.io_bitmap = s->bm;
	s->v.io_bitmap_phys = s->bm_phys;
	s->v.kmem = s->kmem;
	s->v.tcb_lent_map = s->tcb_map;
	s->v.self = page(s, KMEM_TASK, LENT_CID_TASK);
	s->v.pdir = page(s, KMEM_PDIR, LENT_CID_PDIR);
	sc_phys(s->v.pdir, &s->v.pdir_phys);
}

#define NODES_PER_PAGE ((PAGE_SIZE - sizeof(mapnode_t)) / sizeof(mapnode_t))

/* A node of s in slot va, carved as space_nodes.c does. */
mapnode_t *node(fake_space_t *s, uint32_t va, uint32_t phys, uint32_t rights,
	       mapnode_t *parent)
{
	if (!s->v.free_nodes) {
		void **pg = page(s, KMEM_MAP, (uint32_t)lent_cid_nth(LENT_KMEM_MAP, s->v.node_page_count));
		*pg = (void *)s->v.node_pages;
		s->v.node_pages = pg;
		s->v.node_page_count++;
		mapnode_t *n = (mapnode_t *)pg + 1;
		for (unsigned i = 0; i < NODES_PER_PAGE; i++, n++) {
			n->next = s->v.free_nodes;
			s->v.free_nodes = n;
		}
	}
	mapnode_t *n = s->v.free_nodes;
	s->v.free_nodes = n->next;
	memset(n, 0, sizeof(*n));
	s->v.mapped_pages++;
	if (!s->nt[va >> 22]) {
		s->nt[va >> 22] = page(s, KMEM_NT, (uint32_t)lent_cid_nt(va));
		/* 1024 host pointers take two pages: the second is only room. */
		(void)frame();
	}
	s->nt[va >> 22][(va >> 12) & 1023] = n;
	*n = (mapnode_t){ .parent = parent, .space = (space_t *)s->v.self, .vaddr = va,
			  .phys = phys, .rights = rights };
	if (parent) {
		n->next = parent->child;
		if (n->next)
			n->next->prev = n;
		parent->child = n;
	}
	return n;
}

/* The translation at va in s. */
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

static void port(fake_space_t *s, uint32_t p)
{
	if (!s->bm[0]) {
		s->bm[0] = page(s, KMEM_PT, (uint32_t)lent_cid_pt(IO_BITMAP_PT_SLOT << 22));
		memset(s->bm[0], 0xFF, PAGE_SIZE);
		sc_phys(s->bm[0], &s->bm_phys[0]);
	}
	iobm_allow(s->bm[0], p);
}

void world_setup(void)
{
	mem_map_t m;

	ram = aligned_alloc(PAGE_SIZE, NFRAMES * PAGE_SIZE);
	memmap_init(&m);
	ck_assert_int_eq(memmap_add(&m, PAGE_SIZE, NFRAMES * PAGE_SIZE, MEM_FREE), 0);
	table = malloc(frame_table_bytes(NFRAMES * PAGE_SIZE));
	frame_table_init(table, NFRAMES * PAGE_SIZE, &m);
	next_frame = 1;
	pool_used = 0;
	/* The pool: frames 1..16, some used below. */
	frame_mark_kernel(PAGE_SIZE, 17 * PAGE_SIZE, FRAME_OWN_POOL);
	pool_total = 16;
	kip = frame();
	pool_used++;

	space_init(&s0, S0_ID);
	s0.v.sigma0 = true;
	s0.v.pool_ok = true;
	next_frame = 17;
	space_init(&a, A_ID);
	/* User frames. */
	u1 = 40 * PAGE_SIZE;
	u2 = 41 * PAGE_SIZE;
	u3 = 42 * PAGE_SIZE;
	/* sigma0's pages came from the pool: frames 2..16. */
	uint32_t keep = next_frame;
	next_frame = 1 + pool_used;
	root1 = node(&s0, u1, u1, RIGHTS_ALL, NULL);
	root2 = node(&s0, u2, u2, RIGHTS_ALL, NULL);
	rootp = node(&s0, io_va(0x60), io_va(0x60), RIGHTS_ALL, NULL);
	map(&s0, u1, u1, RIGHTS_ALL);
	map(&s0, u2, u2, RIGHTS_ALL);
	port(&s0, 0x60);
	next_frame = keep;

	/* A: KIP at 0x3FF000, 16 UTCB pages at 0x3F0000. */
	a.v.kip_base = 0x3FF000;
	a.v.kip_size = PAGE_SIZE;
	a.v.utcb_base = 0x3F0000;
	a.v.utcb_size = 16 * PAGE_SIZE;
	a1 = node(&a, 0x1000, u1, RIGHT_R | RIGHT_W, root1);
	ap = node(&a, io_va(0x60), io_va(0x60), RIGHTS_ALL, rootp);
	map(&a, 0x1000, u1, RIGHT_R | RIGHT_W);
	port(&a, 0x60);
	map(&a, 0x3FF000, kip, RIGHT_R | RIGHT_X);
	map(&a, 0x3F0000, (uint32_t)((uint8_t *)page(&a, KMEM_UTCB,
			   (uint32_t)lent_cid_nth(LENT_KMEM_UTCB, 0)) - ram), RIGHTS_ALL);

	frame_table_view(&env.fv);
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
	sc_fault_t f = { 0 };
	uint32_t r;

	frame_table_view(&env.fv);
	if ((r = sc_check_frames(&env, &fs, &f)) || (r = sc_check_space(&env, &s0.v, &sum, &f)) ||
	    (r = sc_check_space(&env, &a.v, &sum, &f)) ||
	    (r = sc_check_tree(&env, &s0.v, sum.nodes, &f)) ||
	    (r = sc_check_totals(&env, &sum, &fs, &counts, &f)))
		return r;
	return 0;
}
