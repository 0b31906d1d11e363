/* SPDX-License-Identifier: BSD-2-Clause */
/* The KIP as the running kernel uses it: built once at boot. */
#ifndef KERNEL_KIP_RUNTIME_H
#define KERNEL_KIP_RUNTIME_H

#include <kernel/types.h>
#include <kernel/kip.h>
#include <kernel/memregion.h>

/* Build the KIP page; returns its physical address. */
uint32_t kip_setup(const mem_map_t *memory, uint32_t boot_info,
		   const kip_server_t *sigma0, const kip_server_t *root);
uint32_t kip_phys(void);
word_t kip_api_version(void);
word_t kip_api_flags(void);
word_t kip_kernel_id(void);
/* Which system call's stub ends at this offset in the KIP, or -1. */
int kip_syscall_at(uint32_t offset);
uint32_t kip_user_base(void);

#endif
