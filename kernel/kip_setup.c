/* SPDX-License-Identifier: BSD-2-Clause */
/* Building the one KIP at boot, and the facts the kernel reads back. */
#include <kernel/kip_runtime.h>
#include <kernel/kmem.h>
#include <kernel/l4types.h>
#include <kernel/mapdb.h>
#include <kernel/kprintf.h>
#include <arch/arch.h>

#define STUBS_OFFSET   0x800
#define LENT_KERNEL_ID 0x4C010000u   /* id 'L' (0x4C), subid 1 */
#define LENT_VERSION   0x00010000u
#define USER_BASE_THREAD 16

/* "pagerexregs": a thread's pager may ExchangeRegisters it (the X.2
 * extension Pistachio advertises under this name); "ioflexpages": IA-32
 * I/O fpages (Pistachio's name, glue/v4-x86/io_space.cc). */
static const char *const features[] = { "pagerexregs", "ioflexpages", NULL };

static uint32_t kip_pa;
static uint32_t stub_offset[KIP_SC_COUNT];

uint32_t kip_setup(const mem_map_t *memory, uint32_t boot_info,
		   const kip_server_t *sigma0, const kip_server_t *root)
{
	void *kip = kmem_alloc(NULL, KMEM_KERNEL);
	kip_config_t cfg = {
		.kernel_id = LENT_KERNEL_ID,
		.kernel_version = LENT_VERSION,
		.kernel_name = "Lent L4 X.2 microkernel for IA-32",
		.features = features,
		.thread_user_base = USER_BASE_THREAD,
		.thread_system_base = ARCH_IRQ_LINES,   /* interrupt threads below */
		.thread_bits = 32 - TID_VERSION_BITS,
		.utcb_min_log2 = 12,
		.utcb_align_log2 = 9,
		.utcb_size = 512,
		.kip_area_log2 = 12,
		.page_sizes = 1u << 12,
		.page_rwx = RIGHT_R | RIGHT_W,
		/* SystemClock counts whole microseconds of a free-running
		 * counter; a timeout ends at the first microsecond after its
		 * deadline, by a timer interrupt asked for that moment. */
		.clock_schedule_prec = arch_timer_precision_us() + 1,
		.clock_read_prec = 1,
		.processor_khz = arch_cpu_khz(),
		.boot_info = boot_info,
		.sigma0 = *sigma0,
		.root = *root,
		.memory = memory,
		.virtual_start = 0,
		.virtual_end = USER_LIMIT,
	};

	if (!kip)
		panic("no page for the KIP");
	arch_kip_stubs(kip, STUBS_OFFSET, stub_offset);
	for (unsigned i = 0; i < KIP_SC_COUNT; i++)
		cfg.syscall_offset[i] = stub_offset[i];
	if (kip_build(kip, &cfg, NULL) < 0)
		panic("KIP does not fit its page");
	/* kip_build cleared only its own area; the stubs are still there. */
	kip_pa = virt_to_phys(kip);
	return kip_pa;
}

uint32_t kip_phys(void) { return kip_pa; }
word_t kip_api_version(void) { return ((word_t *)phys_to_virt(kip_pa))[1]; }
word_t kip_api_flags(void) { return ((word_t *)phys_to_virt(kip_pa))[2]; }
word_t kip_kernel_id(void) { return LENT_KERNEL_ID; }
uint32_t kip_user_base(void) { return USER_BASE_THREAD; }

int kip_syscall_at(uint32_t offset)
{
	for (int i = 0; i < KIP_SC_COUNT; i++)
		if (offset == stub_offset[i] + 2)
			return i;
	return -1;
}
