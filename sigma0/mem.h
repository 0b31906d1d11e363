/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigma0's view of physical memory: the 4 GB physical address space as a
 * sorted partition into page-granular regions, each with a kind (what the
 * KIP's memory descriptors say it is) and an owner (the client sigma0 has
 * given it to, or nobody).  A page is given to one client only; the same
 * client may get it again (requests are idempotent).
 */
#ifndef SIGMA0_MEM_H
#define SIGMA0_MEM_H

#include <l4/kip.h>

/* What a region is, which decides who may get it and how. */
typedef enum mem_kind {
	KIND_NONE,	/* undefined type, page 0: never handed out */
	KIND_CONV,	/* conventional RAM: faults, any-page and fixed requests */
	KIND_BOOT,	/* boot-loader memory: faults and fixed requests */
	KIND_DEVICE,	/* dedicated, architecture-specific or undescribed:
			 * fixed requests only */
	KIND_SHARED,	/* shared memory: everybody, never owned */
	KIND_RESERVED,	/* the kernel's: never */
	KIND_COUNT
} mem_kind_t;

/* How a page is asked for. */
typedef enum mem_how {
	HOW_FAULT,	/* page fault at the page's own address */
	HOW_FIXED,	/* sigma0 RPC naming the fpage */
	HOW_ANY,	/* sigma0 RPC for any free fpage of a size */
} mem_how_t;

/* Owner values besides client thread IDs. */
#define OWNER_FREE	0u		/* nobody has it yet */
#define OWNER_ALL	0xffffffffu	/* shared: everybody may have it */
#define OWNER_KMEM	0xfffffffeu	/* set aside to lend to tasks' kernel
					 * memory (kpager.c) */
#define OWNER_KSTORE	0xfffffffdu	/* given to sigma0's own kernel-memory
					 * store (kstore.c): the kernel's for good */

/* Read the KIP's memory descriptors and the images of the kernel
 * debugger, sigma0, sigma1 and the root server (owned by them). */
void mem_init(L4_KernelInterfacePage_t *kip, L4_Word_t kernel, L4_Word_t sigma0,
	      L4_Word_t sigma1, L4_Word_t root);

/* Does client hold a page of the fpage already (its own or shared)? */
int mem_held_by(L4_Word_t base, unsigned log2, L4_Word_t client);

/* Give the 2^log2-byte fpage at base (aligned) to client, all or
 * nothing.  Returns 0, or -1 if any page of it is not available to the
 * client in this way or sigma0's table is full. */
int mem_claim(L4_Word_t base, unsigned log2, L4_Word_t client, mem_how_t how);

/* Give client any free conventional fpage of 2^log2 bytes; its base
 * goes to *base.  Returns 0 or -1.  The highest one below
 * LENT_KMEM_FRAME_LIMIT (memory the kernel can take), else the highest
 * one above it and below 3 GB, else the highest one from 3 GB up. */
int mem_claim_any(unsigned log2, L4_Word_t client, L4_Word_t *base);
/* The same, below LENT_KMEM_FRAME_LIMIT only: pages to lend to the
 * kernel (kpager.c, kstore.c). */
int mem_claim_any_kernel(unsigned log2, L4_Word_t client, L4_Word_t *base);

/* Does the fpage touch memory set aside to lend (kpager.c)? */
int mem_is_set_aside(L4_Word_t base, unsigned log2);
/* A page set aside to lend and not lent now (kpager.c), back to free
 * memory: 0, or -1 if it is not such a page or the table is full. */
int mem_release_unlent(L4_Word_t pa);

/* Pages of the 2^log2-byte fpage at base that are not RAM (no root of
 * sigma0's was built for them at boot: the kernel makes one on demand,
 * from sigma0's kernel memory, when sigma0 maps such a page). */
L4_Word_t mem_pages_off_ram(L4_Word_t base, unsigned log2);

/* Is the page at pa sigma0's to lose: free RAM, or RAM sigma0 holds
 * itself (its image, memory set aside to lend)? */
int mem_is_sigma0s(L4_Word_t pa);

/* Pages of conventional memory, whoever owns them. */
L4_Word_t mem_conventional_pages(void);

/* Print a summary of the memory sigma0 manages; `all` adds the table. */
void mem_report(int all);

#endif
