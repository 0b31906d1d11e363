/* SPDX-License-Identifier: BSD-2-Clause */
/* Loading sigma0 and the root task, and creating their first threads. */
#include <kernel/boot.h>
#include <kernel/elf.h>
#include <kernel/space.h>
#include <kernel/sigma0_roots.h>
#include <kernel/thread.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/kprintf.h>
#include <kernel/kip_runtime.h>
#include <arch/arch.h>

mem_map_t boot_memory;

static uint32_t type_at(uint64_t pa)
{
	for (unsigned i = 0; i < boot_memory.n; i++)
		if (pa >= boot_memory.r[i].start && pa < boot_memory.r[i].end)
			return boot_memory.r[i].type;
	return MEM_RESERVED;
}

bool boot_phys_available_to_sigma0(uint32_t pa)
{
	return pa >= PAGE_SIZE && type_at(pa) != MEM_KERNEL;
}

typedef struct load_ctx {
	const boot_module_t *all;
	unsigned count;
	uint32_t low, high;
} load_ctx_t;

/* A segment goes to physical == virtual memory that is free RAM and
 * touches neither the kernel nor any boot module. */
static int place_segment(void *arg, const elf_segment_t *seg)
{
	load_ctx_t *c = arg;
	uint64_t start = seg->vaddr & PAGE_MASK, end = ALIGN_UP((uint64_t)seg->vaddr + seg->memsz, PAGE_SIZE);

	if (end > PHYSMAP_LIMIT || end > USER_LIMIT)
		return -1;
	for (uint64_t pa = start; pa < end; pa += PAGE_SIZE)
		if (type_at(pa) != MEM_FREE && type_at(pa) != MEM_ROOTTASK)
			return -1;
	for (unsigned i = 0; i < c->count; i++)
		if (start < c->all[i].end && c->all[i].start < end)
			return -1;
	memcpy(phys_to_virt(seg->vaddr), seg->data, seg->filesz);
	memset((uint8_t *)phys_to_virt(seg->vaddr) + seg->filesz, 0, seg->memsz - seg->filesz);
	memmap_add(&boot_memory, start, end, MEM_ROOTTASK);
	if (start < c->low)
		c->low = (uint32_t)start;
	if (end > c->high)
		c->high = (uint32_t)end;
	return 0;
}

int boot_load_module(const boot_module_t *m, uint32_t *entry, uint32_t *low, uint32_t *high,
		     const boot_module_t *all, unsigned count)
{
	load_ctx_t c = { all, count, 0xFFFFFFFFu, 0 };
	int r = elf_load(phys_to_virt(m->start), m->end - m->start, place_segment, &c, entry);

	*low = c.low;
	*high = c.high;
	return r;
}

static tcb_t *start_task(uint32_t number, uint32_t entry, bool sigma0, tid_t pager)
{
	space_t *s = space_create();
	if (!s)
		panic("no kernel memory for the initial tasks");
	s->privileged = true;
	s->sigma0 = sigma0;
	space_register_boot(s);
	/* What boot itself maps (KIP, first UTCB page) comes from the boot
	 * pool: there is no kpager to ask yet. */
	s->boot_kmem = true;
	s->kip_area = fpage_make(INITIAL_KIP_AREA, 12, 0);
	s->utcb_area = fpage_make(INITIAL_UTCB_AREA, INITIAL_UTCB_LOG2, 0);
	if (space_map_kernel_page(s, INITIAL_KIP_AREA, kip_phys(), RIGHT_R | RIGHT_X) < 0)
		panic("no kernel memory for the KIP mapping");
	if (sigma0)
		sigma0_roots_build(s);
	tid_t id = tid_make(number, 1);
	tcb_t *t = thread_create(id, s, id);
	if (!t || thread_set_utcb(t, INITIAL_UTCB_AREA) < 0)
		panic("no kernel memory for the initial threads");
	t->pager = pager;
	UTCB_TCR(t, TCR_PAGER) = pager;
	t->core->prio = ROOT_PRIO;
	arch_ctx_set_ip(&t->ctx, entry);
	t->activated = true;
	s->active_threads++;
	sched_enqueue(t);
	s->boot_kmem = false;
	return t;
}

void boot_start_tasks(uint32_t sigma0_entry, uint32_t root_entry)
{
	tcb_t *s0 = start_task(SIGMA0_THREAD_NO, sigma0_entry, true, TID_NIL);
	tcb_t *root = start_task(ROOT_THREAD_NO, root_entry, false, s0->core->id);
	/* sigma0 is the kpager of last resort: the root task's, and so by
	 * inheritance every task's that nobody gives another. */
	root->space->kpager = s0->core->id;
}
