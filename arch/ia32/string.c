/* SPDX-License-Identifier: BSD-2-Clause */
/* memcpy and memset of kernel/string.h, with the string instructions:
 * words first, then the last bytes. */
#include <kernel/string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	uint32_t d0, d1, d2;

	__asm__ volatile("rep movsl; movl %4, %%ecx; rep movsb"
			 : "=&c"(d0), "=&D"(d1), "=&S"(d2)
			 : "0"(n / 4), "g"(n & 3), "1"(dst), "2"(src) : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint32_t d0, d1, fill = (uint8_t)c * 0x01010101u;

	__asm__ volatile("rep stosl; movl %4, %%ecx; rep stosb"
			 : "=&c"(d0), "=&D"(d1)
			 : "0"(n / 4), "1"(dst), "g"(n & 3), "a"(fill) : "memory");
	return dst;
}
