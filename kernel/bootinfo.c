/* SPDX-License-Identifier: BSD-2-Clause */
/* The X.2 generic boot-information records handed to the root task. */
#include <kernel/bootinfo.h>
#include <kernel/string.h>

static const char *cmdline(const boot_module_t *m)
{
	return m->name ? m->name : "";
}

/* A module record with its command line and NUL, padded to a word.
 * Like kickstart, every module gets a command line, if only "". */
static uint32_t module_bytes(const boot_module_t *m)
{
	return ALIGN_UP(BOOTINFO_MODULE_BYTES + (uint32_t)strlen(cmdline(m)) + 1, 4u);
}

uint32_t bootinfo_size(const boot_module_t *mods, unsigned n)
{
	uint32_t size = BOOTINFO_HEADER_BYTES + BOOTINFO_MBI_BYTES;

	for (unsigned i = 0; i < n; i++)
		size += module_bytes(&mods[i]);
	return size;
}

static void put(uint8_t *at, uint32_t off, uint32_t v)
{
	memcpy(at + off, &v, sizeof(v));
}

/* type, version, offset_next: the head every record starts with. */
static void put_head(uint8_t *rec, uint32_t type, uint32_t next)
{
	put(rec, 0, type);
	put(rec, 4, 1);
	put(rec, 8, next);
}

uint32_t bootinfo_build(void *buf, uint32_t size, const boot_module_t *mods, unsigned n,
			uint32_t mbi_phys)
{
	uint32_t need = bootinfo_size(mods, n), off = BOOTINFO_HEADER_BYTES;
	uint8_t *b = buf;

	if (size < need)
		return 0;
	memset(b, 0, need);
	put(b, 0, BOOTINFO_MAGIC);
	put(b, 4, BOOTINFO_VERSION);
	put(b, 8, need);
	put(b, 12, BOOTINFO_HEADER_BYTES);
	put(b, 16, n + 1);
	for (unsigned i = 0; i < n; i++) {
		uint32_t bytes = module_bytes(&mods[i]);
		uint8_t *rec = b + off;

		put_head(rec, BOOTINFO_TYPE_MODULE, bytes);
		put(rec, 12, mods[i].start);
		put(rec, 16, mods[i].end - mods[i].start);
		put(rec, 20, BOOTINFO_MODULE_BYTES);
		memcpy(rec + BOOTINFO_MODULE_BYTES, cmdline(&mods[i]), strlen(cmdline(&mods[i])));
		off += bytes;
	}
	put_head(b + off, BOOTINFO_TYPE_MULTIBOOT, BOOTINFO_MBI_BYTES);
	put(b + off, 12, mbi_phys);
	return need;
}
