/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes the synthetic seed corpus of the fuzz targets:
 *   gen_seeds DIR  writes seeds into DIR/elf, DIR/multiboot, DIR/tcb_import
 *                  and DIR/mapsplit_import
 * (the directories must exist).  The thread-body seeds are pages the
 * kernel's own export makes (kernel/tcb_extern.c, linked in).  The Makefile adds the tree's own ELF
 * programs, stripped, when they have been built.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tcbx_fuzz.h"

static uint8_t buf[8192];
static size_t len;

static void put(const void *p, size_t n) { memcpy(buf + len, p, n); len += n; }
static void put8(uint8_t v) { put(&v, 1); }
static void put16(uint16_t v) { put8((uint8_t)v); put8((uint8_t)(v >> 8)); }
static void put32(uint32_t v) { put16((uint16_t)v); put16((uint16_t)(v >> 16)); }
static void put64(uint64_t v) { put32((uint32_t)v); put32((uint32_t)(v >> 32)); }

static void save(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	len = 0;
}

/* ---- ELF: header, program headers right after it, then the data ---- */

static void elf_header(uint32_t entry, uint16_t phnum)
{
	static const uint8_t ident[16] = { 0x7F, 'E', 'L', 'F', 1, 1, 1 };

	put(ident, sizeof(ident));
	put16(2);                  /* ET_EXEC */
	put16(3);                  /* EM_386 */
	put32(1);
	put32(entry);
	put32(52);                 /* phoff */
	put32(0);                  /* shoff */
	put32(0);
	put16(52);
	put16(32);
	put16(phnum);
	put16(40);
	put16(0);
	put16(0);
}

static void phdr(uint32_t type, uint32_t off, uint32_t vaddr, uint32_t filesz,
		 uint32_t memsz, uint32_t flags)
{
	put32(type);
	put32(off);
	put32(vaddr);
	put32(vaddr);
	put32(filesz);
	put32(memsz);
	put32(flags);
	put32(0x1000);
}

static void elf_seeds(const char *dir)
{
	/* text, a note to skip, data with bss */
	elf_header(0x400010, 3);
	phdr(1, 0x100, 0x400000, 0x40, 0x40, 5);
	phdr(4, 0x140, 0, 0x10, 0x10, 4);
	phdr(1, 0x140, 0x401000, 0x20, 0x1000, 6);
	while (len < 0x160)
		put8((uint8_t)len);
	save(dir, "three-segments");

	/* bss only, and a segment ending at the very top of the 4 GB space */
	elf_header(0xFFFFF000, 2);
	phdr(1, 0, 0x800000, 0, 0x2000, 6);
	phdr(1, 0x74, 0xFFFFF000, 0x8, 0xFFF, 5);
	put64(0x9090909090909090ull);
	save(dir, "bss-and-top");
}

/* ---- Multiboot: header, memory map, then memregion operations ---- */

static void mb_entry(uint32_t size, uint64_t addr, uint64_t n, uint32_t type)
{
	put32(size);
	put64(addr);
	put64(n);
	put32(type);
	for (uint32_t i = 20; i < size; i++)
		put8(0);
}

static void mb_op(uint8_t kind, uint32_t type, uint64_t a, uint64_t b, uint64_t c)
{
	put8((uint8_t)(kind | type << 2));
	put64(a);
	put64(b);
	put64(c);
}

static void multiboot_seeds(const char *dir)
{
	size_t at;

	/* QEMU's map for -m 128, then the kernel's boot-time carving */
	put8(3);
	put32(639);
	put32(130048);
	at = len;
	put16(0);
	mb_entry(20, 0, 0x9FC00, 1);
	mb_entry(20, 0x9FC00, 0x400, 2);
	mb_entry(20, 0xF0000, 0x10000, 2);
	mb_entry(20, 0x100000, 0x7EE0000, 1);
	mb_entry(20, 0x7FE0000, 0x20000, 2);
	mb_entry(20, 0xFFFC0000, 0x40000, 2);
	buf[at] = 6 * 24;
	mb_op(0, 4, 0x100000, 0x140000, 0);            /* kernel image */
	mb_op(0, 2, 0x140000, 0x151234, 0);            /* modules */
	mb_op(1, 3, 0x400000, 0x20000, 0);             /* sigma0 */
	mb_op(3, 4, 0x10, 12, 0x100000000ull);         /* boot reserve */
	mb_op(2, 4, 0x3000, 0x10000, 0x8000000);       /* aligned alloc */
	mb_op(0, 1, 0x200000, 0x300000, 0);            /* free over used */
	save(dir, "qemu-128m");

	/* no map: mem_lower / mem_upper only */
	put8(2);
	put32(639);
	put32(15360);
	put16(0);
	mb_op(3, 4, 0x4, 0, 0x1000000);
	save(dir, "mem-only");

	/* odd entry sizes, a zero-length, a wrapping and an unaligned one */
	put8(1);
	put32(0);
	put32(0);
	at = len;
	put16(0);
	mb_entry(24, 0x1000, 0x5000, 1);
	mb_entry(8, 0, 0, 0);
	mb_entry(20, 0x10000, 0, 1);
	mb_entry(20, 0xFFFFFFFFFFFFF000ull, 0x2000, 2);
	mb_entry(20, 0x20123, 0x30000, 1);
	mb_entry(20, 0x21000, 0x800, 3);
	buf[at] = (uint8_t)(len - at - 2);
	save(dir, "odd-entries");
}

/* ---- thread bodies: a mode byte, then an exported page ---- */

static void tcb_seed(const char *dir, uint8_t mode, uint8_t kind)
{
	static uint8_t form[TCBX_BYTES];
	struct tcb_import_ctx c;
	tcb_core_t core, partner;
	tcb_export_ctx_t x;
	tcb_t t;
	char name[64];

	fz_ctx(&c, mode, &core, &partner);
	fz_body(&t, &core, kind, c.fpu.fxsr);
	fz_export_ctx(&x, c.fpu.fxsr, &t.cont);
	tcb_export(&t, &core, &x, form);
	/* A seed the import refuses would teach the fuzzer nothing. */
	int r = tcb_import_check(form, &c);
	if (r != TCBX_OK) {
		fprintf(stderr, "gen_seeds: thread body (mode %02x, kind %u) refused: %d\n",
			mode, kind, r);
		exit(1);
	}
	put8(mode);
	put(form, sizeof(form));
	snprintf(name, sizeof(name), "body-%02x-%u", mode, kind);
	save(dir, name);
}

static void tcb_seeds(const char *dir)
{
	tcb_seed(dir, TS_INACTIVE, CONT_USER_IPC);
	tcb_seed(dir, TS_READY | FZ_MODE_FXSR, CONT_USER_IPC);
	tcb_seed(dir, TS_READY | FZ_MODE_FXSR | FZ_MODE_RESEAL, CONT_USER_IPC);
	tcb_seed(dir, TS_HALTED, CONT_USER_IPC);
	for (uint8_t kind = 0; kind < CONT_KINDS; kind++) {
		uint8_t fx = kind & 1 ? 0 : FZ_MODE_FXSR;
		tcb_seed(dir, TS_SEND | fx, kind);
		tcb_seed(dir, TS_RECV | fx | (kind == CONT_USER_IPC ? FZ_MODE_PENDING : 0), kind);
	}
}

/* ---- mapsplit_import: 16-byte operations, see fuzz_mapsplit_import.c ---- */

enum { MS_MAP, MS_GRANT, MS_UNMAP, MS_EXPORT_PAGE, MS_EXPORT_TABLE, MS_IMPORT, MS_RESOLVE,
       MS_EDIT, MS_KILL, MS_RAW = 0xF };

static void ms(uint8_t b0, uint8_t s1, uint8_t p1, uint8_t s2, uint8_t p2, uint8_t r,
	       uint8_t e0, uint8_t e1, uint8_t e2, uint8_t e3)
{
	put8(b0);
	put8(s1);
	put8(p1);
	put8(s2);
	put8(p2);
	put8(r);
	put8(e0);
	put8(e1);
	put8(e2);
	put8(e3);
	put32(0x5A3C1E07u);
	put16(0x6B4D);
}

/* One entry of the external form (docs/mapdb-split.md), for raw seeds. */
static void ent(uint8_t kind, uint8_t rights, uint8_t flags, uint32_t va, uint32_t task,
		uint32_t pva, uint64_t gen, uint64_t egen)
{
	put8(kind);
	put8(rights);
	put8(flags);
	put8(0);
	put32(va);
	put32(task);
	put32(pva);
	put64(gen);
	put64(egen);
	put32(0);
	put32(0);
	put32(0);
	put32(0);
}

/* A chain sigma0 -> 1 -> 2 -> 3, another branch to 4. */
static void ms_chain(void)
{
	ms(MS_MAP, 0, 1, 1, 1, 7, 0, 0, 0, 0);
	ms(MS_MAP, 1, 1, 2, 2, 6, 0, 0, 0, 0);
	ms(MS_MAP, 2, 2, 3, 3, 4, 0, 0, 0, 0);
	ms(MS_MAP, 2, 2, 4, 12, 6, 0, 0, 0, 0);
}

static void mapsplit_seeds(const char *dir)
{
	ms_chain();
	ms(MS_EXPORT_PAGE, 2, 0, 0, 0, 0, 0, 0, 0, 0);
	ms(MS_RESOLVE, 3, 3, 0, 0, 0, 0, 0, 0, 0);
	ms(MS_EXPORT_TABLE, 2, 0, 0, 0, 0, 0, 0, 0, 0);
	ms(MS_UNMAP, 0, 1, 0, 0, 2, 0, 0, 0, 0);
	ms(MS_IMPORT, 2, 0, 0, 0, 0, 0, 0, 0, 0);
	ms(MS_GRANT, 2, 2, 4, 9, 6, 0, 0, 0, 0);
	ms(MS_RESOLVE, 3, 3, 0, 0, 0, 0, 0, 0, 0);
	save(dir, "chain");

	/* Structure-aware edits of each kind (fuzz harness: edit[0] % 8). */
	ms_chain();
	for (uint8_t k = 0; k < 8; k++)
		ms(MS_EDIT, (uint8_t)(1 + k % 4), (uint8_t)(k * 5), 0, 0, 0, k, (uint8_t)(k * 37),
		   (uint8_t)(k * 11), (uint8_t)(k + 3));
	ms(MS_UNMAP | 0x10, 1, 1, 0, 0, 7, 0, 0, 0, 0);
	save(dir, "edits");

	/* Raw entries: a forged record claiming sigma0's page, a part to
	 * task 1, a record with in-kernel flags and a frame, a table run. */
	ms_chain();
	ms(MS_RAW, 2, 1, 0, 0, 0, 0, 0, 0, 0);
	ent(1, 7, 0, 0x6000, 1, 0x9000, 2, 2);
	ms(MS_RAW, 2, 2, 0, 0, 0, 0, 0, 0, 0);
	ent(2, 7, 0, 0x3000, 2, 0x2000, 3, 3);
	ms(MS_RAW, 3, 1, 0, 0, 0, 0, 0, 0, 0);
	ent(1, 7, 3, 0x4000, 1, 0x2000, 9, 9);
	ms(MS_RAW, 2, 3, 0, 1, 0, 0, 0, 0, 0);
	ent(1, 7, 0, 0x5000, 1, 0x5000, 1, 1);
	ms(MS_RESOLVE, 2, 5, 0, 0, 0, 0, 0, 0, 0);
	ms(MS_RESOLVE, 1, 1, 0, 0, 0, 0, 0, 0, 0);
	save(dir, "raw");

	/* A mapping into sigma0 from a task whose page its kpager edited. */
	ms_chain();
	ms(MS_MAP, 0, 0, 2, 14, 1, 0, 0, 0, 0);
	ms(MS_EDIT, 2, 11, 0, 0, 0, 0, 7, 30, 0);
	ms(MS_MAP, 0, 0, 2, 14, 0x3c, 0, 0, 0, 0);
	ms(MS_MAP, 2, 14, 0, 10, 0x4d, 0, 0, 0, 0);
	ms(MS_GRANT, 2, 2, 0, 11, 6, 0, 0, 0, 0);
	save(dir, "into_sigma0");
}

int main(int argc, char **argv)
{
	char dir[512];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/elf", argv[1]);
	elf_seeds(dir);
	snprintf(dir, sizeof(dir), "%s/multiboot", argv[1]);
	multiboot_seeds(dir);
	snprintf(dir, sizeof(dir), "%s/tcb_import", argv[1]);
	tcb_seeds(dir);
	snprintf(dir, sizeof(dir), "%s/mapsplit_import", argv[1]);
	mapsplit_seeds(dir);
	return 0;
}
