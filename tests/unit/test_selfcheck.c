/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests for the self-check's rules (kernel/selfcheck_space.c and
 * kernel/selfcheck_frame.c).  A small world is built by hand in a fake
 * RAM of 64 frames with the real frame table (kernel/frame.c): sigma0
 * with two root pages and a port, from the pool, and a task A whose
 * every page its kpager lent at its content identifier, with a mapping
 * derived from sigma0's, a port, its KIP and a UTCB page.  The whole
 * world passes; each test then breaks one thing and asserts the rule
 * number the check reports first.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/selfcheck_space.h>
#include <kernel/memregion.h>
#include <arch/arch.h>

#define NFRAMES 64u
#define A_ID 2u
#define S0_ID 1u
#define PTE_P 1u
#define PTE_W 2u

typedef struct fake_space {
	sc_space_t v;
	mapnode_t **nt[SC_NODE_PDES];
	uint8_t *bm[IO_BITMAP_PAGES];
	uint32_t bm_phys[IO_BITMAP_PAGES];
	uint32_t kmem[KMEM_KINDS];
	uint32_t tcb_map[SC_TCB_PAGES / 32];
} fake_space_t;

static uint8_t *ram;
static void *table;
static uint32_t next_frame;
static fake_space_t s0, a;
static sc_env_t env;
static sc_counts_t counts;
static uint32_t pool_used, pool_total;
static mapnode_t *root1, *root2, *rootp, *a1, *ap;
static uint32_t u1, u2, u3, kip;

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
static mapnode_t *node(fake_space_t *s, uint32_t va, uint32_t phys, uint32_t rights,
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
static uint32_t *pte(fake_space_t *s, uint32_t va)
{
	uint32_t *pd = (uint32_t *)s->v.pdir;

	if (!pd[va >> 22]) {
		uint8_t *pt = page(s, KMEM_PT, (uint32_t)lent_cid_pt(va));
		pd[va >> 22] = (uint32_t)(pt - ram) | PTE_P;
	}
	return (uint32_t *)(ram + (pd[va >> 22] & PAGE_MASK)) + ((va >> 12) & 1023);
}

static void map(fake_space_t *s, uint32_t va, uint32_t phys, uint32_t rights)
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

static void setup(void)
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

static void teardown(void)
{
	free(ram);
	free(table);
}

/* The whole check, in the kernel's order: 0 or the first rule broken. */
static uint32_t check(void)
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

START_TEST(world_passes)
{
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* Legal states the check must not flag. */
START_TEST(node_without_translation_passes)
{
	*pte(&a, 0x1000) = 0;      /* as while the frame is lent, or exported */
	ck_assert_uint_eq(check(), 0);
}
END_TEST

START_TEST(gathered_page_passes)
{
	frame_lend(u3, A_ID, (uint32_t)lent_cid_pt(5u << 22), KMEM_PT);
	a.kmem[KMEM_PT]++;         /* lent for an operation that has not acted */
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* A's teardown (kernel/space_reap.c) up to the end of phase 1: every
 * mapping gone (its nodes back on its free list, the ports denied). */
static void reap_mappings(void)
{
	mapnode_t *own[] = { a1, ap };

	root1->child = NULL;
	rootp->child = NULL;
	for (unsigned i = 0; i < 2; i++) {
		a.nt[own[i]->vaddr >> 22][(own[i]->vaddr >> 12) & 1023] = NULL;
		memset(own[i], 0, sizeof(*own[i]));
		own[i]->next = a.v.free_nodes;
		a.v.free_nodes = own[i];
		a.v.mapped_pages--;
	}
	*pte(&a, 0x1000) = 0;
	iobm_deny(a.bm[0], 0x60);
	a.v.dying = true;
	a.v.reap_cursor = SC_NODE_PDES * 1024u;
}

/* A page of A's given back (kmem_put): the frame no longer lent, the
 * count down. */
static void give_back(void *page, unsigned kind)
{
	uint32_t pa = (uint32_t)((uint8_t *)page - ram);

	frame_unlend(pa);
	a.kmem[kind]--;
}

/* Phase 2 has freed the tables of the first 4 MB: the directory entry
 * still names the page table it gave back, the UTCB page went with it. */
START_TEST(dying_task_tables_passes)
{
	uint32_t *pd = (uint32_t *)a.v.pdir;

	reap_mappings();
	give_back(ram + (*pte(&a, 0x3F0000) & PAGE_MASK), KMEM_UTCB);
	give_back(ram + (pd[0] & PAGE_MASK), KMEM_PT);
	give_back(a.nt[0], KMEM_NT);
	a.nt[0] = NULL;
	a.v.reap_pde = 1;
	ck_assert_uint_eq(check(), 0);
}
END_TEST

/* Phase 3 gives the node pages back: the list is shorter than the count
 * and the free nodes lie in pages given back.  Only a dying task may be
 * so: the same state in a live one breaks rule 43. */
START_TEST(dying_task_node_pages_passes)
{
	uint32_t *pd = (uint32_t *)a.v.pdir;

	reap_mappings();
	give_back(ram + (*pte(&a, 0x3F0000) & PAGE_MASK), KMEM_UTCB);
	give_back(ram + (pd[0] & PAGE_MASK), KMEM_PT);
	for (unsigned i = 0; i < SC_NODE_PDES; i++)
		if (a.nt[i]) {
			give_back(a.nt[i], KMEM_NT);
			a.nt[i] = NULL;
		}
	give_back(a.bm[0], KMEM_PT);
	a.bm[0] = NULL;
	a.bm_phys[0] = 0;
	a.v.reap_pde = SC_NODE_PDES;
	give_back((void *)a.v.node_pages, KMEM_MAP);
	a.v.node_pages = NULL;
	ck_assert_uint_eq(check(), 0);
	a.v.dying = false;
	ck_assert_uint_eq(check(), LENT_SC_NODE_PAGES);
}
END_TEST

START_TEST(rule_record)
{
	a.v.id = 7;                /* its record is lent to task 2 */
	ck_assert_uint_eq(check(), LENT_SC_RECORD);
}
END_TEST

START_TEST(rule_kpage)
{
	a.v.pdir_phys += PAGE_SIZE;
	ck_assert_uint_eq(check(), LENT_SC_KPAGE);
}
END_TEST

START_TEST(rule_node_ptr)
{
	a1->next = (mapnode_t *)(ram + u3 + sizeof(mapnode_t));   /* not a node page */
	ck_assert_uint_eq(check(), LENT_SC_NODE_PTR);
}
END_TEST

START_TEST(rule_node_slot)
{
	(void)node(&a, 0x3F2000, u1, RIGHT_R, root1);   /* in the UTCB area */
	ck_assert_uint_eq(check(), LENT_SC_NODE_SLOT);
}
END_TEST

START_TEST(rule_node_links)
{
	root1->child = NULL;
	ck_assert_uint_eq(check(), LENT_SC_NODE_LINKS);
}
END_TEST

START_TEST(rule_node_frame)
{
	a1->phys = u2;
	ck_assert_uint_eq(check(), LENT_SC_NODE_FRAME);
}
END_TEST

START_TEST(rule_node_rights)
{
	root1->rights = RIGHT_R;
	map(&s0, u1, u1, RIGHT_R);
	ck_assert_uint_eq(check(), LENT_SC_NODE_RIGHTS);
}
END_TEST

START_TEST(rule_node_root)
{
	root1->child = NULL;
	a1->parent = NULL;
	ck_assert_uint_eq(check(), LENT_SC_NODE_ROOT);
}
END_TEST

/* Two nodes each the other's parent: every link agrees, yet no root
 * leads to them. */
START_TEST(rule_node_tree)
{
	mapnode_t *a2 = node(&a, 0x2000, u1, RIGHT_R | RIGHT_W, NULL);

	root1->child = NULL;
	a1->parent = a2;
	a1->next = a1->prev = NULL;
	a2->child = a1;
	a2->parent = a1;
	a1->child = a2;
	ck_assert_uint_eq(check(), LENT_SC_NODE_TREE);
}
END_TEST

START_TEST(rule_node_count)
{
	a.v.mapped_pages++;
	ck_assert_uint_eq(check(), LENT_SC_NODE_COUNT);
}
END_TEST

START_TEST(rule_free_nodes)
{
	a.v.free_nodes->space = (space_t *)a.v.self;     /* a free node in use */
	ck_assert_uint_eq(check(), LENT_SC_FREE_NODES);
}
END_TEST

START_TEST(rule_free_nodes_lost)
{
	a.v.free_nodes = a.v.free_nodes->next;          /* one free node lost */
	ck_assert_uint_eq(check(), LENT_SC_FREE_NODES);
}
END_TEST

START_TEST(rule_node_pages)
{
	a.v.node_page_count++;
	ck_assert_uint_eq(check(), LENT_SC_NODE_PAGES);
}
END_TEST

START_TEST(rule_pte_node)
{
	map(&a, 0x5000, u2, RIGHT_R);
	ck_assert_uint_eq(check(), LENT_SC_PTE_NODE);
}
END_TEST

START_TEST(rule_pte_rights)
{
	a1->rights = RIGHT_R;
	ck_assert_uint_eq(check(), LENT_SC_PTE_RIGHTS);
}
END_TEST

START_TEST(rule_pte_kip)
{
	map(&a, 0x3FF000, kip, RIGHTS_ALL);
	ck_assert_uint_eq(check(), LENT_SC_PTE_KIP);
}
END_TEST

START_TEST(rule_pte_utcb)
{
	map(&a, 0x3F1000, u3, RIGHTS_ALL);
	ck_assert_uint_eq(check(), LENT_SC_PTE_UTCB);
}
END_TEST

START_TEST(rule_pte_kframe)
{
	/* u2 lent to A (a gathered page, counted): sigma0 still maps it. */
	frame_lend(u2, A_ID, (uint32_t)lent_cid_pt(5u << 22), KMEM_PT);
	a.kmem[KMEM_PT]++;
	ck_assert_uint_eq(check(), LENT_SC_PTE_KFRAME);
}
END_TEST

/* A port's node whose bit the bitmap denies is legal, as a node without
 * a translation: the bitmap is rebuilt from the nodes after a kpager
 * took it back. */
START_TEST(port_denied_passes)
{
	iobm_deny(a.bm[0], 0x60);
	ck_assert_uint_eq(check(), 0);
}
END_TEST

START_TEST(rule_io_bitmap_extra)
{
	iobm_allow(a.bm[0], 0x61);      /* a port allowed without a node */
	ck_assert_uint_eq(check(), LENT_SC_IO_BITMAP);
}
END_TEST

START_TEST(rule_account)
{
	a.kmem[KMEM_NT]++;
	ck_assert_uint_eq(check(), LENT_SC_ACCOUNT);
}
END_TEST

START_TEST(rule_frame_entry)
{
	frame_lend(u3, A_ID, (uint32_t)lent_cid_pt(5u << 22), KMEM_NT);   /* a kind not its CID's */
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ENTRY);
}
END_TEST

START_TEST(rule_frame_chain)
{
	frame_view_t v;
	uint32_t i = a.v.pdir_phys >> PAGE_SHIFT;

	frame_table_view(&v);
	((frame_t *)v.frames)[i].next = i;     /* a chain that loops */
	ck_assert_uint_eq(check(), LENT_SC_FRAME_CHAIN);
}
END_TEST

START_TEST(rule_frame_orphan)
{
	frame_lend(u3, 9, LENT_CID_TASK, KMEM_TASK);     /* a task that is gone */
	ck_assert_uint_eq(check(), LENT_SC_FRAME_ORPHAN);
}
END_TEST

START_TEST(rule_pool)
{
	counts.free_pages--;
	ck_assert_uint_eq(check(), LENT_SC_POOL);
}
END_TEST

START_TEST(rule_store)
{
	counts.store_free = 1;
	counts.store_given = 1;
	ck_assert_uint_eq(check(), LENT_SC_STORE);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("selfcheck");
	TCase *t = tcase_create("rules");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, world_passes);
	tcase_add_test(t, node_without_translation_passes);
	tcase_add_test(t, gathered_page_passes);
	tcase_add_test(t, dying_task_tables_passes);
	tcase_add_test(t, dying_task_node_pages_passes);
	tcase_add_test(t, rule_record);
	tcase_add_test(t, rule_kpage);
	tcase_add_test(t, rule_node_ptr);
	tcase_add_test(t, rule_node_slot);
	tcase_add_test(t, rule_node_links);
	tcase_add_test(t, rule_node_frame);
	tcase_add_test(t, rule_node_rights);
	tcase_add_test(t, rule_node_root);
	tcase_add_test(t, rule_node_tree);
	tcase_add_test(t, rule_node_count);
	tcase_add_test(t, rule_free_nodes);
	tcase_add_test(t, rule_free_nodes_lost);
	tcase_add_test(t, rule_node_pages);
	tcase_add_test(t, rule_pte_node);
	tcase_add_test(t, rule_pte_rights);
	tcase_add_test(t, rule_pte_kip);
	tcase_add_test(t, rule_pte_utcb);
	tcase_add_test(t, rule_pte_kframe);
	tcase_add_test(t, port_denied_passes);
	tcase_add_test(t, rule_io_bitmap_extra);
	tcase_add_test(t, rule_account);
	tcase_add_test(t, rule_frame_entry);
	tcase_add_test(t, rule_frame_chain);
	tcase_add_test(t, rule_frame_orphan);
	tcase_add_test(t, rule_pool);
	tcase_add_test(t, rule_store);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
