/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel-owned memory by category (kernel/kmem_owned.h).  The fixed
 * categories come from the frame table, which marks every kernel-owned
 * frame with the reason the kernel owns it; the use of the pool comes
 * from the pool's own counts.
 */
#include <kernel/kmem_owned.h>
#include <kernel/frame.h>
#include <kernel/kmem.h>
#include <kernel/kmem_sigma0.h>
#include <kernel/thread_core.h>
#include <kernel/kprintf.h>

static uint32_t owned_pages(unsigned why)
{
	return frame_kernel_bytes(why) / PAGE_SIZE;
}

/*
 * Resident thread parts: the part of each thread the kernel keeps
 * resident whatever its kpager does, in the resident reserve
 * (kernel/thread_core.c), whose frames the frame table marks as such.
 */
static void resident_thread_parts(uint32_t *reserve, uint32_t *in_use, uint32_t *leaves)
{
	thread_core_stats_t st;

	thread_core_stats(&st);
	*reserve = owned_pages(FRAME_OWN_RESIDENT);
	*in_use = st.total - st.free;
	*leaves = st.leaves - st.leaves_free;
}

void kmem_owned(kmem_owned_t *o)
{
	kmem_stats_t km;

	kmem_stats(&km);
	o->image = owned_pages(FRAME_OWN_IMAGE);
	o->frame_table = owned_pages(FRAME_OWN_TABLE);
	o->sigma0_reserve = owned_pages(FRAME_OWN_SIGMA0_RESERVE);
	o->pool = km.pool_pages;
	resident_thread_parts(&o->resident, &o->resident_parts, &o->leaves);
	o->total = o->image + o->frame_table + o->sigma0_reserve + o->pool + o->resident;
	o->pool_kernel = km.kernel_pages;
	o->boot_tasks = km.boot_task_pages;
	o->pool_tasks = km.pool_pages - km.free_pages - km.kernel_pages - km.boot_task_pages;
	/* sigma0's store is lent too, by sigma0 to its own kernel memory:
	 * counted apart, so that LENT stays what the kpagers lend tasks. */
	o->sigma0_store = kmem_sigma0_given();
	o->sigma0_store_used = kmem_sigma0_given() - kmem_sigma0_free();
	o->lent = frame_lent_count() - o->sigma0_store;
}

#define KB(pages) ((pages) * (PAGE_SIZE / 1024))

void kmem_owned_print(void)
{
	kmem_owned_t o;

	kmem_owned(&o);
	kprintf("kmem owned: image %u KB\n", KB(o.image));
	kprintf("kmem owned: frame-table %u KB\n", KB(o.frame_table));
	kprintf("kmem owned: sigma0-reserve %u KB\n", KB(o.sigma0_reserve));
	kprintf("kmem owned: %s %u KB\n", kmem_pool_name(), KB(o.pool));
	kprintf("kmem owned: resident-threads %u KB\n", KB(o.resident));
	kprintf("kmem owned: total %u KB\n", KB(o.total));
	kprintf("kmem %s in use: kernel %u KB, tasks %u KB, sigma0 and root %u KB; "
		"%u resident thread parts, %u thread-table leaves\n", kmem_pool_name(),
		KB(o.pool_kernel), KB(o.pool_tasks), KB(o.boot_tasks), o.resident_parts, o.leaves);
	kprintf("kmem not owned: sigma0's store %u KB (%u KB in use), lent %u KB\n",
		KB(o.sigma0_store), KB(o.sigma0_store_used), KB(o.lent));
	/* Every kernel-owned frame has a category, and the categories are
	 * the pool and the rest: anything else is a bug in the boot path. */
	if (owned_pages(FRAME_OWN_OTHER) != 0)
		panic("%u KB of kernel memory without a category in the frame table",
		      KB(owned_pages(FRAME_OWN_OTHER)));
	if (owned_pages(FRAME_OWN_POOL) != o.pool)
		panic("the frame table has %u KB of pool, the pool %u KB",
		      KB(owned_pages(FRAME_OWN_POOL)), KB(o.pool));
	if (owned_pages(FRAME_OWNERS) != o.total)
		panic("the frame table has %u KB kernel-owned, the categories %u KB",
		      KB(owned_pages(FRAME_OWNERS)), KB(o.total));
}
