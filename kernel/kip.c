/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Kernel Interface Page (see kernel/kip.h).  Field offsets and
 * encodings follow the L4 X.2 reference manual for 32-bit words, as
 * Pistachio's user library reads them (user/include/l4/kip.h,
 * kernel/src/api/v4/kernelinterface.h, memdesc.h in l4ka/pistachio).
 *
 * Page layout built here:
 *   0x000..0x11f  the fixed X.2 fields
 *   0x120         one processor descriptor (16 bytes)
 *   0x130         kernel descriptor, version string, feature strings
 *   then          memory descriptors (8 bytes each, 8-byte aligned)
 * The system-call stubs follow at the offsets the arch layer chose.
 */
#include <kernel/kip.h>
#include <kernel/string.h>

/* Word offsets (bytes) of the X.2 fields on a 32-bit KIP. */
#define KIP_MAGIC            0x00
#define KIP_API_VERSION      0x04
#define KIP_API_FLAGS        0x08
#define KIP_KERNEL_DESC_PTR  0x0C
#define KIP_SIGMA0           0x20   /* sp, ip, low, high */
#define KIP_SIGMA1           0x30
#define KIP_ROOT_SERVER      0x40
#define KIP_MEMORY_INFO      0x54
#define KIP_UTCB_INFO        0xA8
#define KIP_KIP_AREA_INFO    0xAC
#define KIP_BOOT_INFO        0xB8
#define KIP_PROC_DESC_PTR    0xBC
#define KIP_CLOCK_INFO       0xC0
#define KIP_THREAD_INFO      0xC4
#define KIP_PAGE_INFO        0xC8
#define KIP_PROCESSOR_INFO   0xCC
#define KIP_SYSCALLS         0xD0   /* SpaceControl ... Schedule, 11 words, then
				     * Lent's KmemControl at 0xFC */
#define KIP_FIXED_END        0x120

#define PROC_DESC_LOG2       4      /* 16-byte processor descriptors */
#define KERNEL_DESC_WORDS    4      /* id, date, version, supplier */
#define MEMDESC_SIZE         8

/* "L4\xE6K" in memory order. */
#define L4_KIP_MAGIC   (('K' << 24) | (0xE6u << 16) | ('4' << 8) | 'L')
/* API version word: version in bits 24..31, subversion in 16..23.
 * X.2 is 0x84; Pistachio's X.2 kernels report subversion 0x05. */
#define L4_API_X2      0x84u
#define L4_API_X2_SUB  0x05u
/* API flags: ee = 0 little endian, ww = 0 32-bit. */
#define L4_API_FLAGS_LE32 0u
/* Supplier "Lent", in memory order. */
#define LENT_SUPPLIER  (('t' << 24) | ('n' << 16) | ('e' << 8) | 'L')

/* X.2 memory descriptor types. */
#define MD_CONVENTIONAL  0x1u
#define MD_RESERVED      0x2u
#define MD_BOOTLOADER    0xEu
/* Boot-loader specific subtypes, as Pistachio's kickstart assigns them. */
#define MD_SUB_INIT_SERVER 2u
#define MD_SUB_BOOT_MODULE 3u
#define MD_VIRTUAL       (1u << 9)

static const char *const default_name = "Lent";

static void put(void *kip, uint32_t off, uint32_t val)
{
	((uint32_t *)kip)[off / 4] = val;
}

/* Kernel generation date from __DATE__ ("Mmm dd yyyy"), as X.2 wants it:
 * day in bits 0..4, month in 5..8, year - 2000 in 9..15. */
static uint32_t build_date(void)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *d = __DATE__;
	uint32_t month = 0, day, year, i;

	for (i = 0; i < 12; i++)
		if (d[0] == months[3 * i] && d[1] == months[3 * i + 1] &&
		    d[2] == months[3 * i + 2])
			month = i + 1;
	day = (d[4] == ' ' ? 0 : (uint32_t)(d[4] - '0') * 10) + (uint32_t)(d[5] - '0');
	year = (uint32_t)(d[7] - '0') * 1000 + (uint32_t)(d[8] - '0') * 100 +
	       (uint32_t)(d[9] - '0') * 10 + (uint32_t)(d[10] - '0');
	return (day & 0x1F) | ((month & 0xF) << 5) | (((year - 2000) & 0x7F) << 9);
}

/* One X.2 memory descriptor for the inclusive range [low, high]. */
static void put_memdesc(void *kip, uint32_t off, uint32_t type, uint32_t sub,
			bool virt, uint32_t low, uint32_t high)
{
	put(kip, off, (low & ~0x3FFu) | (virt ? MD_VIRTUAL : 0) |
		      ((sub & 0xF) << 4) | (type & 0xF));
	put(kip, off + 4, high & ~0x3FFu);
}

/* How the kernel publishes each kind of region (X.2 types; kernel memory
 * is reserved as in Pistachio, boot images are boot-loader specific). */
static void region_type(uint32_t mem_type, uint32_t *type, uint32_t *sub)
{
	*sub = 0;
	switch (mem_type) {
	case MEM_FREE:
		*type = MD_CONVENTIONAL;
		break;
	case MEM_BOOTLOADER:
		*type = MD_BOOTLOADER;
		*sub = MD_SUB_BOOT_MODULE;
		break;
	case MEM_ROOTTASK:
		*type = MD_BOOTLOADER;
		*sub = MD_SUB_INIT_SERVER;
		break;
	default:   /* MEM_KERNEL, MEM_RESERVED */
		*type = MD_RESERVED;
		break;
	}
}

/* A region the 32-bit descriptors can express (below 4 GB, clipped). */
static bool region_visible(const mem_region_t *r, uint32_t *low, uint32_t *high)
{
	uint64_t end = r->end > 0x100000000ull ? 0x100000000ull : r->end;

	if (r->start >= end)
		return false;
	*low = (uint32_t)r->start;
	*high = (uint32_t)(end - 1);
	return true;
}

static void put_server(void *kip, uint32_t off, const kip_server_t *s)
{
	put(kip, off, s->sp);
	put(kip, off + 4, s->ip);
	put(kip, off + 8, s->mem_low);
	put(kip, off + 12, s->mem_high);
}

int kip_build(void *kip, const kip_config_t *cfg, uint32_t *used_end)
{
	const char *name = cfg->kernel_name ? cfg->kernel_name : default_name;
	uint32_t limit = PAGE_SIZE, kdesc, memdesc, end, off, i;
	uint32_t ndesc = 0, low, high, type, sub, utcb_m;
	size_t name_len = strlen(name), features_len = 0;

	for (i = 0; i < KIP_SC_COUNT; i++) {
		if (cfg->syscall_offset[i] >= PAGE_SIZE)
			return -1;
		if (cfg->syscall_offset[i] != 0 && cfg->syscall_offset[i] < limit)
			limit = cfg->syscall_offset[i];
	}

	/* Size everything before writing anything. */
	if (cfg->virtual_end > cfg->virtual_start)
		ndesc++;
	if (cfg->memory)
		for (i = 0; i < cfg->memory->n && i < ARRAY_SIZE(cfg->memory->r); i++)
			if (region_visible(&cfg->memory->r[i], &low, &high))
				ndesc++;
	for (i = 0; cfg->features && cfg->features[i]; i++)
		features_len += strlen(cfg->features[i]) + 1;
	if (name_len > PAGE_SIZE || features_len > PAGE_SIZE)
		return -1;
	kdesc = KIP_FIXED_END + (1u << PROC_DESC_LOG2);
	/* version string, its NUL, the feature strings with theirs, and the
	 * empty string ending the features */
	memdesc = ALIGN_UP(kdesc + KERNEL_DESC_WORDS * 4 + (uint32_t)name_len + 1 +
			   (uint32_t)features_len + 1,
			   (uint32_t)MEMDESC_SIZE);
	end = memdesc + ndesc * MEMDESC_SIZE;
	if (end > limit || ndesc > 0xFFFF)
		return -1;

	memset(kip, 0, end);
	put(kip, KIP_MAGIC, L4_KIP_MAGIC);
	put(kip, KIP_API_VERSION, (L4_API_X2 << 24) | (L4_API_X2_SUB << 16));
	put(kip, KIP_API_FLAGS, L4_API_FLAGS_LE32);
	put(kip, KIP_KERNEL_DESC_PTR, kdesc);

	put_server(kip, KIP_SIGMA0, &cfg->sigma0);
	put_server(kip, KIP_SIGMA1, &cfg->sigma1);
	put_server(kip, KIP_ROOT_SERVER, &cfg->root);

	/* MemoryInfo: descriptor offset in the upper half, count in the lower. */
	put(kip, KIP_MEMORY_INFO, (memdesc << 16) | ndesc);

	utcb_m = cfg->utcb_align_log2 < 32 ? cfg->utcb_size >> cfg->utcb_align_log2 : 0;
	put(kip, KIP_UTCB_INFO, (utcb_m & 0x3FF) | ((cfg->utcb_align_log2 & 0x3F) << 10) |
				((cfg->utcb_min_log2 & 0x3F) << 16));
	put(kip, KIP_KIP_AREA_INFO, cfg->kip_area_log2 & 0x3F);
	put(kip, KIP_BOOT_INFO, cfg->boot_info);
	put(kip, KIP_PROC_DESC_PTR, KIP_FIXED_END);
	put(kip, KIP_CLOCK_INFO, (cfg->clock_read_prec & 0xFFFF) |
				 ((cfg->clock_schedule_prec & 0xFFFF) << 16));
	put(kip, KIP_THREAD_INFO, (cfg->thread_bits & 0xFF) |
				  ((cfg->thread_system_base & 0xFFF) << 8) |
				  ((cfg->thread_user_base & 0xFFF) << 20));
	put(kip, KIP_PAGE_INFO, (cfg->page_sizes & ~0x3FFu) | (cfg->page_rwx & 7));
	/* ProcessorInfo: processors - 1 in bits 0..15, log2 desc size in 28..31. */
	put(kip, KIP_PROCESSOR_INFO, 0 | ((uint32_t)PROC_DESC_LOG2 << 28));
	for (i = 0; i < KIP_SC_COUNT; i++)
		put(kip, KIP_SYSCALLS + 4 * i, cfg->syscall_offset[i]);

	/* Processor descriptor: external (bus) frequency unknown, internal. */
	put(kip, KIP_FIXED_END + 4, cfg->processor_khz);

	/* Kernel descriptor, then the version string and the feature strings
	 * (memset left every terminating NUL in place). */
	put(kip, kdesc, cfg->kernel_id);
	put(kip, kdesc + 4, build_date());
	put(kip, kdesc + 8, cfg->kernel_version);
	put(kip, kdesc + 12, LENT_SUPPLIER);
	memcpy((uint8_t *)kip + kdesc + KERNEL_DESC_WORDS * 4, name, name_len);
	off = kdesc + KERNEL_DESC_WORDS * 4 + (uint32_t)name_len + 1;
	for (i = 0; cfg->features && cfg->features[i]; i++) {
		size_t len = strlen(cfg->features[i]);
		memcpy((uint8_t *)kip + off, cfg->features[i], len);
		off += (uint32_t)len + 1;
	}

	/* Memory descriptors: the user-visible virtual range first. */
	off = memdesc;
	if (cfg->virtual_end > cfg->virtual_start) {
		put_memdesc(kip, off, MD_CONVENTIONAL, 0, true, cfg->virtual_start,
			    cfg->virtual_end - 1);
		off += MEMDESC_SIZE;
	}
	if (cfg->memory) {
		for (i = 0; i < cfg->memory->n && i < ARRAY_SIZE(cfg->memory->r); i++) {
			if (!region_visible(&cfg->memory->r[i], &low, &high))
				continue;
			region_type(cfg->memory->r[i].type, &type, &sub);
			put_memdesc(kip, off, type, sub, false, low, high);
			off += MEMDESC_SIZE;
		}
	}

	if (used_end)
		*used_end = end;
	return (int)ndesc;
}

uint32_t kip_offset_boot_info(void)
{
	return KIP_BOOT_INFO;
}

uint32_t kip_offset_clock(void)
{
	return 0;
}
