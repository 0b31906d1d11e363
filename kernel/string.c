/* SPDX-License-Identifier: BSD-2-Clause */
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

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
