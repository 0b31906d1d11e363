/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for kernel/elf.c: elf_load and elf_extent on arbitrary
 * bytes.  Every segment handed to the callback must lie inside the image
 * (every data byte is read, so ASan sees any escape), have filesz <= memsz
 * and end below 4 GB; elf_extent must agree with the segments; a refusing
 * callback must stop the load at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/elf.h>

#define REQUIRE(c, ...) do { if (!(c)) { fprintf(stderr, "fuzz_elf: " __VA_ARGS__); \
	fputc('\n', stderr); abort(); } } while (0)

typedef struct seen {
	const uint8_t *img;
	size_t size;
	unsigned calls, refuse_at;     /* refuse_at: 1-based call that says stop */
	uint32_t lo, hi, sum;
} seen_t;

static int check_segment(void *ctx, const elf_segment_t *seg)
{
	seen_t *s = ctx;
	uintptr_t base = (uintptr_t)s->img, d = (uintptr_t)seg->data;

	s->calls++;
	REQUIRE(seg->memsz != 0, "segment %u with memsz 0", s->calls);
	REQUIRE(seg->filesz <= seg->memsz, "segment %u: filesz %#x > memsz %#x", s->calls,
		seg->filesz, seg->memsz);
	REQUIRE(d >= base && d - base <= s->size && seg->filesz <= s->size - (d - base),
		"segment %u: data at offset %#lx + %#x outside the %zu-byte image", s->calls,
		(unsigned long)(d - base), seg->filesz, s->size);
	REQUIRE((uint64_t)seg->vaddr + seg->memsz <= 0xFFFFFFFFull &&
		(uint64_t)seg->paddr + seg->memsz <= 0xFFFFFFFFull,
		"segment %u wraps: vaddr %#x paddr %#x memsz %#x", s->calls, seg->vaddr,
		seg->paddr, seg->memsz);
	REQUIRE(!(seg->flags & ~(ELF_SEG_R | ELF_SEG_W | ELF_SEG_X)), "flags %#x", seg->flags);
	for (uint32_t i = 0; i < seg->filesz; i++)
		s->sum += ((const uint8_t *)seg->data)[i];
	if (seg->vaddr < s->lo)
		s->lo = seg->vaddr;
	if (seg->vaddr + seg->memsz > s->hi)
		s->hi = seg->vaddr + seg->memsz;
	return s->calls == s->refuse_at;
}

static void one_image(const uint8_t *img, size_t size)
{
	seen_t s = { img, size, 0, 0, 0xFFFFFFFFu, 0, 0 };
	uint32_t entry = 0xDEADBEEF, lo = 1, hi = 2;
	int rc, rc2;

	rc = elf_load(img, size, check_segment, &s, &entry);
	REQUIRE(rc <= ELF_OK && rc >= ELF_ESEGMENT, "elf_load returned %d", rc);
	if (rc != ELF_OK) {
		REQUIRE(s.calls == 0, "elf_load failed (%d) after %u callbacks", rc, s.calls);
		REQUIRE(entry == 0xDEADBEEF, "entry stored on failure");
	} else {
		REQUIRE(s.calls > 0, "a valid image without a loadable segment");
		REQUIRE(entry == (uint32_t)(img[24] | img[25] << 8 | img[26] << 16 |
					    (uint32_t)img[27] << 24), "wrong entry %#x", entry);
	}
	REQUIRE(elf_load(img, size, NULL, NULL, NULL) == rc, "elf_load without callback differs");

	rc2 = elf_extent(img, size, &lo, &hi);
	REQUIRE(rc2 == rc, "elf_extent returned %d, elf_load %d", rc2, rc);
	if (rc == ELF_OK)
		REQUIRE(lo == s.lo && hi == s.hi, "extent [%#x, %#x), segments span [%#x, %#x)",
			lo, hi, s.lo, s.hi);
	else
		REQUIRE(lo == 1 && hi == 2, "elf_extent stored on failure");

	if (rc == ELF_OK) {
		seen_t r = { img, size, 0, 1 + (unsigned)(size % s.calls), 0xFFFFFFFFu, 0, 0 };

		rc = elf_load(img, size, check_segment, &r, NULL);
		REQUIRE(rc == ELF_ECALLBACK && r.calls == r.refuse_at,
			"refusal at call %u: rc %d after %u calls", r.refuse_at, rc, r.calls);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exactly sized copy, and one at an odd address (no alignment is
	 * assumed); ASan then catches a read past either end. */
	uint8_t *copy = malloc(size + 1);

	if (!copy)
		return 0;
	memcpy(copy + 1, data, size);
	one_image(data, size);
	one_image(copy + 1, size);
	free(copy);
	return 0;
}
