/* SPDX-License-Identifier: BSD-2-Clause */
/* kernel_main: from the boot loader's hand-over to the first user thread. */
#include <kernel/boot.h>
#include <kernel/bootinfo.h>
#include <kernel/preempt.h>
#include <kernel/ipc.h>
#include <kernel/kdb.h>
#include <kernel/kmem.h>
#include <kernel/frame.h>
#include <kernel/thread_core.h>
#include <kernel/kmem_owned.h>
#include <kernel/sigma0_roots.h>
#include <kernel/sigma0_high.h>
#include <kernel/kip_runtime.h>
#include <kernel/thread.h>
#include <kernel/sched.h>
#include <kernel/tcb_away.h>
#include <kernel/kprintf.h>
#include <kernel/cmdline.h>
#include <arch/arch.h>
#include <arch/multiboot.h>

#define TIMER_HZ 1000
#define MAX_MODULES 16

extern char __kernel_end[];

static const char *mem_type_name(uint32_t type)
{
	static const char *const names[] = { "?", "free", "boot loader", "root tasks",
					     "kernel", "reserved" };
	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

static void print_memory(void)
{
	kprintf("memory map:\n");
	for (unsigned i = 0; i < boot_memory.n; i++)
		kprintf("  %08llx-%08llx %s\n", (unsigned long long)boot_memory.r[i].start,
			(unsigned long long)boot_memory.r[i].end - 1,
			mem_type_name(boot_memory.r[i].type));
}

/* Record a region; the kernel must know what is its own, so a full table
 * is fatal at boot. */
static void mark(uint64_t start, uint64_t end, uint32_t type)
{
	if (memmap_add(&boot_memory, start, end, type) < 0)
		panic("memory map too fragmented to record %llx-%llx",
		      (unsigned long long)start, (unsigned long long)end);
}

/*
 * The kernel-memory pool of this build.  KMEM=pool: an eighth of RAM, 1
 * to 16 MB, for every kind of every task.  The default (lent) build: the
 * bounded boot reserve, for what no kpager can lend: the KIP, the pages
 * boot makes for sigma0 and the root task before either runs (a record,
 * a page directory, the page tables of the KIP's and the UTCB area's
 * 4 MB, a UTCB page and a TCB page, at most eight each), and a floor for
 * sigma0's own kernel memory at run time.  sigma0 pays for that memory
 * with frames of its own (kernel/kmem_sigma0.c); the floor is what it
 * takes when its store is empty: the device roots of two fresh 4 MB
 * regions (a page table, a node table and a page of nodes each) and two
 * pages more (docs/kernel-memory.md, "sigma0's own kernel memory").
 */
#define BOOT_TASK_PAGES 8u
#define SIGMA0_FLOOR_PAGES 8u
#define BOOT_RESERVE_PAGES (1u + 2u * BOOT_TASK_PAGES + SIGMA0_FLOOR_PAGES)

static uint32_t pool_size(void)
{
#ifndef LENT_KMEM_POOL
	return BOOT_RESERVE_PAGES * PAGE_SIZE;
#else
	uint64_t ram = memmap_total(&boot_memory, MEM_FREE);
	uint64_t size = ram / 8;

	if (size < 0x100000)
		size = 0x100000;
	if (size > 0x1000000)
		size = 0x1000000;
	return (uint32_t)ALIGN_DOWN(size, (uint64_t)PAGE_SIZE);
#endif
}

/* The frame table, from RAM below the direct map's end, before anything
 * else is carved from RAM: its size depends on the top of RAM only.
 * The image and the table are the first kernel-owned categories. */
static void build_frame_table(uint64_t ram_top)
{
	uint32_t bytes = frame_table_bytes(ram_top);
	uint32_t table = (uint32_t)memmap_alloc(&boot_memory, bytes, PAGE_SIZE, PHYSMAP_LIMIT,
						MEM_KERNEL);

	if (!table)
		panic("no memory for the frame table (%u KB)", bytes / 1024);
	frame_table_init(phys_to_virt(table), ram_top, &boot_memory);
	frame_mark_kernel(0x100000, virt_to_phys(__kernel_end), FRAME_OWN_IMAGE);
	frame_mark_kernel(table, (uint64_t)table + bytes, FRAME_OWN_TABLE);
	kprintf("frame table: %u KB at %08x for %u frames, %u hash buckets\n", bytes / 1024,
		table, frame_count(), frame_bucket_count());
}

/*
 * The X.2 boot-information records for the KIP's BootInfo word
 * (kernel/bootinfo.c): in whole pages of free RAM, from the top, marked
 * boot-loader memory, so that sigma0 maps them (idempotently) like the
 * modules themselves.  Built before the modules are loaded, while their
 * command lines (which may lie in free memory) are still intact; the
 * loader keeps off boot-loader memory.
 */
static uint32_t build_boot_info(const boot_module_t *mods, unsigned n, uint32_t mbi_phys)
{
	uint32_t size = bootinfo_size(mods, n);
	uint32_t at = (uint32_t)memmap_alloc(&boot_memory, ALIGN_UP(size, PAGE_SIZE), PAGE_SIZE,
					     PHYSMAP_LIMIT, MEM_BOOTLOADER);

	if (!at || !bootinfo_build(phys_to_virt(at), size, mods, n, mbi_phys))
		panic("no memory for the boot information (%u bytes)", size);
	kprintf("boot information: %u records, %u bytes at %08x\n", n + 1, size, at);
	return at;
}

void kernel_main(uint32_t magic, uint32_t mbi_phys)
{
	arch_console_init();
	kprintf("\nLent L4 X.2 microkernel for IA-32\n");
	arch_cpu_check();
	arch_paging_init(PHYSMAP_LIMIT);
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not started by a Multiboot loader (magic %x)", magic);
	arch_cpu_init();
	kprintf("cpu features: %s\n", arch_cpu_features());
	kprintf("cpu clock: %u kHz\n", arch_cpu_khz());
	tcb_away_init();           /* the seal's key, after the clock's calibration */

	const multiboot_info_t *mbi = phys_to_virt(mbi_phys);
	bool sysenter = true;
	if (mbi->flags & MBI_FLAG_CMDLINE) {
		preempt_configure(phys_to_virt(mbi->cmdline));
		ipc_fast_configure(phys_to_virt(mbi->cmdline));
		kdb_configure(phys_to_virt(mbi->cmdline));
		sysenter = !cmdline_has(phys_to_virt(mbi->cmdline), "sysenter=off");
	}
	arch_sysenter_init(sysenter);   /* before the KIP's stubs are made */
	memmap_init(&boot_memory);
	if (multiboot_parse_mmap(mbi, (mbi->flags & MBI_FLAG_MMAP) ? phys_to_virt(mbi->mmap_addr) : NULL,
				 &boot_memory) < 0)
		panic("the boot loader gave no memory map");
	/* Page 0 stays unmapped for null pointers. */
	mark(0, PAGE_SIZE, MEM_RESERVED);
	uint64_t ram_top = memmap_top(&boot_memory);
	mark(0x100000, virt_to_phys(__kernel_end), MEM_KERNEL);
	mark(mbi_phys, mbi_phys + sizeof(*mbi), MEM_BOOTLOADER);

	boot_module_t mods[MAX_MODULES];
	unsigned nmods = 0;
	if (mbi->flags & MBI_FLAG_MODS) {
		const multiboot_module_t *m = phys_to_virt(mbi->mods_addr);
		mark(mbi->mods_addr, mbi->mods_addr + mbi->mods_count * sizeof(*m), MEM_BOOTLOADER);
		for (unsigned i = 0; i < mbi->mods_count && i < MAX_MODULES; i++, nmods++) {
			mods[i] = (boot_module_t){ m[i].mod_start, m[i].mod_end,
						   m[i].string ? phys_to_virt(m[i].string) : "" };
			mark(m[i].mod_start, m[i].mod_end, MEM_BOOTLOADER);
			kprintf("module %u: %08x-%08x %s\n", i, m[i].mod_start, m[i].mod_end - 1,
				mods[i].name);
		}
	}
	if (nmods < 2)
		panic("need two boot modules (sigma0, root task), got %u", nmods);

	uint32_t boot_info = build_boot_info(mods, nmods, mbi_phys);
	kip_server_t s0 = { 0 }, root = { 0 };
	if (boot_load_module(&mods[0], &s0.ip, &s0.mem_low, &s0.mem_high, mods, nmods) < 0)
		panic("cannot load sigma0: not an ELF image that fits free memory at its link address");
	if (boot_load_module(&mods[1], &root.ip, &root.mem_low, &root.mem_high, mods, nmods) < 0)
		panic("cannot load the root task: not an ELF image that fits free memory at its link address");

	/* sigma0 hands out all RAM below SIGMA0_RAM_END, above the direct
	 * map too (the kernel reaches it through arch_frame_map): below 3 GB
	 * at virtual = physical in its space, from there up under keys of
	 * their own (kernel/sigma0_high.h).  RAM above is nobody's,
	 * published as reserved. */
	if (memmap_reserve_from(&boot_memory, SIGMA0_RAM_END) < 0)
		panic("memory map too fragmented to reserve RAM from %08x", SIGMA0_RAM_END);
	build_frame_table(ram_top);

	/* sigma0's root mappings over all RAM get a reserve of their own,
	 * sized from the RAM itself, before the pool (sigma0_roots.c). */
	(void)sigma0_roots_reserve(&boot_memory);
	uint32_t pool_bytes = pool_size();
	uint32_t pool = (uint32_t)memmap_alloc(&boot_memory, pool_bytes, PAGE_SIZE,
					       PHYSMAP_LIMIT, MEM_KERNEL);
	if (!pool)
		panic("no memory for the kernel-memory pool");
	frame_mark_kernel(pool, (uint64_t)pool + pool_bytes, FRAME_OWN_POOL);
	kmem_init(pool, pool_bytes);
	/* The resident reserve: every thread's resident part and the thread
	 * table's leaves, sized from RAM. */
	uint64_t free_ram = memmap_total(&boot_memory, MEM_FREE);
	uint32_t parts_bytes = thread_core_reserve_bytes(free_ram);
	uint32_t resident_bytes = parts_bytes + thread_leaf_reserve_bytes(free_ram);
	uint32_t resident = (uint32_t)memmap_alloc(&boot_memory, resident_bytes, PAGE_SIZE,
						   PHYSMAP_LIMIT, MEM_KERNEL);
	if (!resident)
		panic("no memory for the resident thread parts");
	frame_mark_kernel(resident, (uint64_t)resident + resident_bytes, FRAME_OWN_RESIDENT);
	thread_core_init(phys_to_virt(resident), parts_bytes);
	thread_leaf_init(phys_to_virt(resident + parts_bytes), resident_bytes - parts_bytes);
	print_memory();
	kprintf("kernel memory %s: %u KB at %08x\n", kmem_pool_name(), pool_bytes / 1024, pool);

	arch_timer_init(TIMER_HZ);
	kip_setup(&boot_memory, boot_info, &s0, &root);
	boot_start_tasks(s0.ip, root.ip);
	kmem_stats_t km;
	kmem_stats(&km);
#ifdef LENT_KMEM_POOL
	kprintf("kernel memory: %u pool pages, %u kept for privileged tasks, at most %u per task\n",
		km.pool_pages, km.reserve_pages, km.task_limit);
#else
	kprintf("kernel memory: %u boot-reserve pages, for the KIP, sigma0 and the root task only\n",
		km.pool_pages);
#endif
	thread_core_stats_t tc;
	thread_core_stats(&tc);
	kprintf("resident thread parts: %u of %u bytes, %u kept for privileged tasks, at most %u per task; %u thread-table leaves\n",
		tc.total, (uint32_t)sizeof(tcb_core_t), tc.privileged, tc.space_limit, tc.leaves);
	kmem_owned_print();
	kprintf("starting sigma0 at %08x, root task at %08x\n", s0.ip, root.ip);
	sched_return();
}
