/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ELF32 loader (see kernel/elf.h).  The image comes from a boot module and
 * is not trusted: every header field is checked against the image size
 * before it is used, in 64-bit arithmetic so that nothing wraps, and all
 * reads go byte by byte (the image need not be aligned).
 */
#include <kernel/elf.h>

#define EHDR_SIZE   52u   /* sizeof(Elf32_Ehdr) */
#define PHDR_SIZE   32u   /* sizeof(Elf32_Phdr) */

/* e_ident[] and Elf32_Ehdr / Elf32_Phdr field offsets */
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define E_TYPE      16
#define E_MACHINE   18
#define E_VERSION   20
#define E_ENTRY     24
#define E_PHOFF     28
#define E_EHSIZE    40
#define E_PHENTSIZE 42
#define E_PHNUM     44

#define P_TYPE      0
#define P_OFFSET    4
#define P_VADDR     8
#define P_PADDR     12
#define P_FILESZ    16
#define P_MEMSZ     20
#define P_FLAGS     24

#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_386      3
#define PT_LOAD     1

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

typedef struct elf_headers {
	const uint8_t *ph;      /* first program header */
	uint32_t phnum, phentsize;
	uint32_t entry;
} elf_headers_t;

/* Decode a program header; PT_LOAD segments with memsz 0 are skipped
 * (returns false for them and for other segment types). */
static bool read_load(const uint8_t *image, const uint8_t *ph, elf_segment_t *seg)
{
	if (rd32(ph + P_TYPE) != PT_LOAD || rd32(ph + P_MEMSZ) == 0)
		return false;
	seg->vaddr = rd32(ph + P_VADDR);
	seg->paddr = rd32(ph + P_PADDR);
	seg->memsz = rd32(ph + P_MEMSZ);
	seg->filesz = rd32(ph + P_FILESZ);
	seg->data = image + rd32(ph + P_OFFSET);
	seg->flags = rd32(ph + P_FLAGS) & (ELF_SEG_R | ELF_SEG_W | ELF_SEG_X);
	return true;
}

/* Check the whole image without acting on it. */
static int elf_check(const uint8_t *img, size_t size, elf_headers_t *h)
{
	uint64_t phend;
	uint32_t i, loads = 0;

	if (!img || size < EHDR_SIZE)
		return ELF_ETRUNC;
	if (img[0] != 0x7F || img[1] != 'E' || img[2] != 'L' || img[3] != 'F')
		return ELF_EMAGIC;
	if (img[EI_CLASS] != ELFCLASS32 || img[EI_DATA] != ELFDATA2LSB ||
	    img[EI_VERSION] != EV_CURRENT || rd16(img + E_TYPE) != ET_EXEC ||
	    rd16(img + E_MACHINE) != EM_386 || rd32(img + E_VERSION) != EV_CURRENT)
		return ELF_ECLASS;
	/* Headers smaller than ELF32 defines cannot be an ELF32 file. */
	if (rd16(img + E_EHSIZE) < EHDR_SIZE || rd16(img + E_PHENTSIZE) < PHDR_SIZE)
		return ELF_ECLASS;

	h->entry = rd32(img + E_ENTRY);
	h->phnum = rd16(img + E_PHNUM);
	h->phentsize = rd16(img + E_PHENTSIZE);
	if (h->phnum == 0)
		return ELF_ESEGMENT;
	phend = (uint64_t)rd32(img + E_PHOFF) + (uint64_t)h->phnum * h->phentsize;
	if (phend > size)
		return ELF_ETRUNC;
	h->ph = img + rd32(img + E_PHOFF);

	for (i = 0; i < h->phnum; i++) {
		const uint8_t *ph = h->ph + (size_t)i * h->phentsize;
		uint32_t off = rd32(ph + P_OFFSET);
		uint32_t filesz = rd32(ph + P_FILESZ);
		uint32_t memsz = rd32(ph + P_MEMSZ);

		if (rd32(ph + P_TYPE) != PT_LOAD)
			continue;
		if (filesz > memsz)
			return ELF_ESEGMENT;
		if ((uint64_t)off + filesz > size)
			return ELF_ETRUNC;
		/* The segment must end at or below the top of the 4 GB space,
		 * in virtual and in physical terms. */
		if ((uint64_t)rd32(ph + P_VADDR) + memsz > 0xFFFFFFFFull ||
		    (uint64_t)rd32(ph + P_PADDR) + memsz > 0xFFFFFFFFull)
			return ELF_ESEGMENT;
		if (memsz)
			loads++;
	}
	return loads ? ELF_OK : ELF_ESEGMENT;
}

int elf_load(const void *image, size_t size, elf_segment_fn fn, void *ctx,
	     uint32_t *entry)
{
	const uint8_t *img = image;
	elf_headers_t h;
	elf_segment_t seg;
	uint32_t i;
	int rc = elf_check(img, size, &h);

	if (rc != ELF_OK)
		return rc;
	for (i = 0; i < h.phnum; i++) {
		if (!read_load(img, h.ph + (size_t)i * h.phentsize, &seg))
			continue;
		if (fn && fn(ctx, &seg) != 0)
			return ELF_ECALLBACK;
	}
	if (entry)
		*entry = h.entry;
	return ELF_OK;
}

typedef struct extent { uint32_t lo, hi; } extent_t;

static int widen_extent(void *ctx, const elf_segment_t *seg)
{
	extent_t *e = ctx;

	if (seg->vaddr < e->lo)
		e->lo = seg->vaddr;
	if (seg->vaddr + seg->memsz > e->hi)   /* no wrap: checked */
		e->hi = seg->vaddr + seg->memsz;
	return 0;
}

int elf_extent(const void *image, size_t size, uint32_t *lo, uint32_t *hi)
{
	extent_t e = { 0xFFFFFFFFu, 0 };
	int rc = elf_load(image, size, widen_extent, &e, NULL);

	if (rc != ELF_OK)
		return rc;
	if (lo)
		*lo = e.lo;
	if (hi)
		*hi = e.hi;
	return ELF_OK;
}
