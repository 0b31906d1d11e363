/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The debugger's memory commands: dumps of kernel virtual memory (only
 * what the kernel half maps) and of a task's memory (only pages its page
 * tables hold present: nothing is faulted in), a space's mappings from
 * its node tables, and kernel memory by kind.
 */
#include <kernel/kdb_internal.h>
#include <kernel/kdb_parse.h>
#include <kernel/kmem.h>
#include <kernel/kmem_owned.h>
#include <kernel/kprintf.h>
#include <arch/arch.h>

#define DUMP_DEFAULT 64u
#define DUMP_MAX     4096u
#define MAP_LINES_MAX 200u
#define KB(pages) ((pages) * (PAGE_SIZE / 1024))

/* The kernel address of the page holding va, or NULL: how a dump reads. */
typedef const uint8_t *(*page_fn)(space_t *s, uint32_t va);

static const uint8_t *kernel_page(space_t *s, uint32_t va)
{
	(void)s;
	va &= PAGE_MASK;
	return va >= KERNEL_VIRT && arch_kernel_readable(va) ? (const uint8_t *)(uintptr_t)va : NULL;
}

/* Through s's page directory and page table, present pages only. */
static const uint8_t *user_page(space_t *s, uint32_t va)
{
	if (va >= USER_LIMIT || !s->pdir || !kdb_readable(s->pdir, PAGE_SIZE))
		return NULL;
	pte_t *p = arch_pte_slot(s->pdir, va);
	if (!p || !kdb_readable(p, sizeof(*p)) || !arch_pte_present(*p))
		return NULL;
	uint32_t pa = arch_pte_phys(*p);
	if (pa >= PHYSMAP_LIMIT || !kdb_readable(phys_to_virt(pa), PAGE_SIZE))
		return NULL;
	return phys_to_virt(pa);
}

/* Words from va on (rounded down to a word), 16 bytes a line with
 * their characters; a page that cannot be read is one line. */
static void dump(space_t *s, uint32_t va, uint32_t bytes, page_fn page_of, const char *absent)
{
	uint64_t at = va & ~3u, end = (uint64_t)va + bytes;

	while (at < end) {
		const uint8_t *page = page_of(s, (uint32_t)at);
		uint64_t page_end = (at | (PAGE_SIZE - 1)) + 1;
		if (!page) {
			kprintf("%08x  %s\n", (uint32_t)at, absent);
			at = page_end;
			continue;
		}
		while (at < end && at < page_end) {
			const uint8_t *p = page + (at & (PAGE_SIZE - 1));
			uint64_t left = (end < page_end ? end : page_end) - at;
			uint32_t n = left < 16 ? (uint32_t)(left + 3) / 4 : 4;
			kprintf("%08x ", (uint32_t)at);
			for (uint32_t i = 0; i < 4; i++) {
				if (i < n)
					kprintf(" %08x", ((const uint32_t *)p)[i]);
				else
					kprintf("         ");
			}
			kprintf("  ");
			for (uint32_t i = 0; i < n * 4; i++)
				kprintf("%c", p[i] >= 0x20 && p[i] < 0x7F ? p[i] : '.');
			kprintf("\n");
			at += 4 * n;
		}
	}
}

/* addr [bytes]: false after saying why if they are no good. */
static bool dump_args(int argc, char **word, uint32_t *va, uint32_t *bytes)
{
	*bytes = DUMP_DEFAULT;
	if (!kdb_parse_hex(word[0], va)) {
		kprintf("error: '%s' is no hex address\n", word[0]);
		return false;
	}
	if (argc > 1 && (!kdb_parse_hex(word[1], bytes) || *bytes == 0 || *bytes > DUMP_MAX)) {
		kprintf("error: bytes: hex, 1 to %x\n", DUMP_MAX);
		return false;
	}
	return true;
}

bool kdb_cmd_dump(int argc, char **word, tcb_t *here)
{
	uint32_t va, bytes;

	(void)here;
	if (argc < 2 || argc > 3)
		return kdb_usage("d <addr> [bytes]");
	if (!dump_args(argc - 1, word + 1, &va, &bytes))
		return false;
	if (va < KERNEL_VIRT) {
		kprintf("error: %x is below the kernel half (%x); du <thread> <addr> for user memory\n",
			va, KERNEL_VIRT);
		return false;
	}
	dump(NULL, va, bytes, kernel_page, "not mapped");
	return false;
}

bool kdb_cmd_dump_user(int argc, char **word, tcb_t *here)
{
	uint32_t va, bytes;

	(void)here;
	if (argc < 3 || argc > 4)
		return kdb_usage("du <thread> <addr> [bytes]");
	tcb_core_t *c = kdb_thread_arg(word[1]);
	space_t *s = c ? kdb_space_of(c) : NULL;
	if (!s || !dump_args(argc - 2, word + 2, &va, &bytes))
		return false;
	if (va >= USER_LIMIT) {
		kprintf("error: %x is in the kernel half; d <addr> for kernel memory\n", va);
		return false;
	}
	dump(s, va, bytes, user_page, "not present");
	return false;
}

/* A run of mappings: consecutive pages on consecutive frames with the
 * same rights, derived from the same space. */
typedef struct map_run {
	uint32_t va, pa, pages, rights;
	uint32_t from;          /* the parent's space id, ~0 for a root */
	uint32_t lines;
} map_run_t;

static void run_print(map_run_t *r)
{
	if (!r->pages)
		return;
	r->lines++;
	kprintf("  %08x-%08x -> %08x %c%c%c %6u pages ", r->va, r->va + r->pages * PAGE_SIZE - 1,
		r->pa, r->rights & RIGHT_R ? 'r' : '-', r->rights & RIGHT_W ? 'w' : '-',
		r->rights & RIGHT_X ? 'x' : '-', r->pages);
	if (r->from == ~0u)
		kprintf("root\n");
	else
		kprintf("from space %u\n", r->from);
	r->pages = 0;
}

static void run_add(map_run_t *r, uint32_t va, const mapnode_t *n)
{
	uint32_t from = ~0u, phys = mapnode_phys(n), rights = mapnode_rights(n);

	if (!(n->rec.flags & MS_F_ROOT))
		from = n->rec.task;
	if (r->pages && va == r->va + r->pages * PAGE_SIZE &&
	    phys == r->pa + r->pages * PAGE_SIZE && rights == r->rights && from == r->from) {
		r->pages++;
		return;
	}
	run_print(r);
	*r = (map_run_t){ va, phys, 1, rights, from, r->lines };
}

bool kdb_cmd_mappings(int argc, char **word, tcb_t *here)
{
	uint32_t from = 0, to = USER_LIMIT - 1;

	(void)here;
	if (argc < 2 || argc > 4)
		return kdb_usage("m <thread> [from [to]]");
	tcb_core_t *c = kdb_thread_arg(word[1]);
	space_t *s = c ? kdb_space_of(c) : NULL;
	if (!s)
		return false;
	if ((argc > 2 && !kdb_parse_hex(word[2], &from)) || (argc > 3 && !kdb_parse_hex(word[3], &to)) ||
	    from > to || from >= USER_LIMIT) {
		kprintf("error: from and to: hex user addresses, from <= to\n");
		return false;
	}
	if (to >= USER_LIMIT)
		to = USER_LIMIT - 1;
	kprintf("space %u: %u pages mapped; KIP area %x, UTCB area %x (kernel pages, no mapping nodes)\n",
		s->id, space_mapped_pages(s), fpage_base(s->kip_area), fpage_base(s->utcb_area));
	map_run_t run = { 0 };
	for (uint32_t slot = from >> 22; slot <= to >> 22; slot++) {
		mapslot_t *nt = s->node_table[slot];
		if (!nt)
			continue;
		if (!kdb_readable(nt, PAGE_SIZE)) {
			kprintf("  node table of %08x at %p unreadable\n", slot << 22, nt);
			continue;
		}
		for (uint32_t i = 0; i < 1024; i++) {
			uint32_t va = (slot << 22) | (i << 12);
			if (!nt[i] || va < (from & PAGE_MASK) || va > to)
				continue;
			mapnode_t *n = mapdb_lookup(s, va);   /* found only where it is */
			if (!n)
				continue;
			if (!kdb_readable(n, sizeof(*n))) {
				run_print(&run);
				kprintf("  %08x: node at %p unreadable\n", va, n);
				continue;
			}
			run_add(&run, va, n);
			if (run.lines >= MAP_LINES_MAX) {
				kprintf("  ... more: m %s %x\n", word[1], va);
				return false;
			}
		}
	}
	run_print(&run);
	return false;
}

bool kdb_cmd_kmem(int argc, char **word, tcb_t *here)
{
	(void)here;
	if (argc > 2)
		return kdb_usage("k [<thread>]");
	if (argc == 2) {
		tcb_core_t *c = kdb_thread_arg(word[1]);
		space_t *s = c ? kdb_space_of(c) : NULL;
		if (!s)
			return false;
		kprintf("space %u: kernel pages by kind\n", s->id);
		for (unsigned k = 0; k <= KMEM_KINDS; k++) {
			kputs("  ");
			kdb_left(k < KMEM_KINDS ? kmem_kind_name((enum kmem_kind)k) : "total", 16);
			kprintf("%u\n", k < KMEM_KINDS ? s->kmem.pages[k] : kmem_charge_total(&s->kmem));
		}
		return false;
	}
	kmem_owned_t o;
	kmem_owned(&o);
	kprintf("kernel-owned: image %u KB, frame-table %u KB, sigma0-reserve %u KB, %s %u KB, "
		"resident-threads %u KB; total %u KB\n", KB(o.image), KB(o.frame_table),
		KB(o.sigma0_reserve), kmem_pool_name(), KB(o.pool), KB(o.resident), KB(o.total));
	kprintf("%s in use: kernel %u KB, tasks %u KB, sigma0 and root %u KB; "
		"%u resident thread parts, %u thread-table leaves\n", kmem_pool_name(),
		KB(o.pool_kernel), KB(o.pool_tasks), KB(o.boot_tasks), o.resident_parts, o.leaves);
	kprintf("not owned: sigma0's store %u KB (%u KB in use), lent by kpagers %u KB\n",
		KB(o.sigma0_store), KB(o.sigma0_store_used), KB(o.lent));
	return false;
}
