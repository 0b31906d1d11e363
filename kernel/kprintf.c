/* SPDX-License-Identifier: BSD-2-Clause */
/* A small printf for the serial console: %s %c %d %u %x %p %llx, width, '0'. */
#include <kernel/kprintf.h>
#include <arch/arch.h>

typedef __builtin_va_list va_list;
#define va_start(v, l) __builtin_va_start(v, l)
#define va_end(v)      __builtin_va_end(v)
#define va_arg(v, t)   __builtin_va_arg(v, t)

void kputs(const char *s)
{
	while (*s)
		arch_console_putc(*s++);
}

/* 64-by-32 division without libgcc: the kernel links nothing else. */
static uint64_t divmod(uint64_t v, uint32_t d, uint32_t *rem)
{
	uint64_t q = 0;
	uint64_t r = 0;

	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((v >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= (uint64_t)1 << i;
		}
	}
	*rem = (uint32_t)r;
	return q;
}

static void put_num(uint64_t v, unsigned base, int width, char pad, bool neg)
{
	char buf[24];
	int n = 0;
	uint32_t digit;

	do {
		v = divmod(v, base, &digit);
		buf[n++] = "0123456789abcdef"[digit];
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (width-- > n)
		arch_console_putc(pad);
	while (n)
		arch_console_putc(buf[--n]);
}

static void vkprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			arch_console_putc(*fmt);
			continue;
		}
		char pad = ' ';
		int width = 0, longs = 0;
		if (*++fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			longs++, fmt++;
		uint64_t u;
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			kputs(s ? s : "(null)");
			break;
		}
		case 'c':
			arch_console_putc((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t d = longs > 1 ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(d < 0 ? (uint64_t)-d : (uint64_t)d, 10, width, pad, d < 0);
			break;
		}
		case 'u':
		case 'x':
			u = longs > 1 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			put_num(u, *fmt == 'u' ? 10 : 16, width, pad, false);
			break;
		case 'p':
			put_num((uint32_t)va_arg(ap, void *), 16, 8, '0', false);
			break;
		case '%':
			arch_console_putc('%');
			break;
		default:
			arch_console_putc('?');
		}
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
}

/* Only kernel bugs and impossible boot configurations end up here: nothing
 * a user program does may call it. */
void panic(const char *fmt, ...)
{
	va_list ap;

	kputs("\nPANIC: ");
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kputs("\n");
	arch_shutdown(0x7F);
}
