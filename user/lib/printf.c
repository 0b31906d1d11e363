/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small printf family for user programs.  Formatting goes through an
 * output callback so that vsnprintf (into a buffer) and printf (to the
 * kernel-debugger console, a line buffer at a time) share one engine.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <l4io.h>
#include <l4/kdebug.h>

typedef struct out {
	void (*put)(struct out *o, char c);
	char *buf;		/* vsnprintf: destination */
	size_t size, len;	/* capacity, characters produced so far */
} out_t;

#define FLAG_LEFT	1	/* '-': pad on the right */
#define FLAG_ZERO	2	/* '0': pad numbers with zeros */

static void out_pad(out_t *o, char c, int n)
{
	while (n-- > 0)
		o->put(o, c);
}

/* Digits of v in the given base, least significant first; v is split
 * into 16-bit pieces so that no 64-bit division helper is needed. */
static int format_digits(char *tmp, uint64_t v, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		uint32_t part[4] = { v >> 48, (v >> 32) & 0xffff, (v >> 16) & 0xffff, v & 0xffff };
		uint32_t rem = 0;
		int i;

		for (i = 0; i < 4; i++) {
			uint32_t cur = (rem << 16) | part[i];

			part[i] = cur / base;
			rem = cur % base;
		}
		v = ((uint64_t)part[0] << 48) | ((uint64_t)part[1] << 32) |
		    ((uint64_t)part[2] << 16) | part[3];
		tmp[n++] = digits[rem];
	} while (v);
	return n;
}

static void out_number(out_t *o, uint64_t v, unsigned base, int negative, int upper,
		       int flags, int width, const char *prefix)
{
	char tmp[24];
	int n = format_digits(tmp, v, base, upper);
	int plen = (int)strlen(prefix) + (negative ? 1 : 0);
	int pad = width - n - plen;

	if (!(flags & (FLAG_LEFT | FLAG_ZERO)))
		out_pad(o, ' ', pad);
	if (negative)
		o->put(o, '-');
	while (*prefix)
		o->put(o, *prefix++);
	if ((flags & FLAG_ZERO) && !(flags & FLAG_LEFT))
		out_pad(o, '0', pad);
	while (n > 0)
		o->put(o, tmp[--n]);
	if (flags & FLAG_LEFT)
		out_pad(o, ' ', pad);
}

static void out_string(out_t *o, const char *s, int flags, int width, int precision)
{
	int n;

	if (!s)
		s = "(null)";
	n = precision >= 0 ? (int)strnlen(s, precision) : (int)strlen(s);
	if (!(flags & FLAG_LEFT))
		out_pad(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		o->put(o, s[i]);
	if (flags & FLAG_LEFT)
		out_pad(o, ' ', width - n);
}

static void format(out_t *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int flags = 0, width = 0, precision = -1, longs = 0;
		uint64_t v;
		int64_t sv;
		char c;

		if (*fmt != '%') {
			o->put(o, *fmt);
			continue;
		}
		for (;; fmt++) {
			if (fmt[1] == '-')
				flags |= FLAG_LEFT;
			else if (fmt[1] == '0')
				flags |= FLAG_ZERO;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= FLAG_LEFT;
				width = -width;
			}
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		if (*fmt == '.') {
			precision = 0;
			for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				precision = precision * 10 + (*fmt - '0');
		}
		for (; *fmt == 'l' || *fmt == 'h' || *fmt == 'z'; fmt++)
			if (*fmt == 'l')
				longs++;
		c = *fmt;
		switch (c) {
		case 'd':
		case 'i':
			sv = longs >= 2 ? va_arg(ap, long long) :
			     longs ? va_arg(ap, long) : va_arg(ap, int);
			v = sv < 0 ? -(uint64_t)sv : (uint64_t)sv;
			out_number(o, v, 10, sv < 0, 0, flags, width, "");
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			v = longs >= 2 ? va_arg(ap, unsigned long long) :
			    longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			out_number(o, v, c == 'u' ? 10 : c == 'o' ? 8 : 16, 0, c == 'X',
				   flags, width, "");
			break;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			out_number(o, v, 16, 0, 0, flags | FLAG_ZERO, width ? width : 10, "0x");
			break;
		case 's':
			out_string(o, va_arg(ap, const char *), flags, width, precision);
			break;
		case 'c':
			o->put(o, (char)va_arg(ap, int));
			break;
		case '%':
			o->put(o, '%');
			break;
		case 0:			/* format ends inside a conversion */
			return;
		default:		/* unknown: show it as written */
			o->put(o, '%');
			o->put(o, c);
			break;
		}
	}
}

static void put_buffer(out_t *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* Like C99: returns the length the full output would have had. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	out_t o = { put_buffer, buf, size, 0 };

	format(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Console output collects up to a line (or a full buffer) and hands it
 * to the kernel in one PrintString call. */
#define CONSOLE_CHUNK 128

typedef struct console_out {
	out_t o;
	char line[CONSOLE_CHUNK + 1];
	size_t used;
} console_out_t;

static void console_flush(console_out_t *c)
{
	if (c->used) {
		c->line[c->used] = 0;
		L4_KDB_PrintString(c->line);
		c->used = 0;
	}
}

static void put_console(out_t *o, char ch)
{
	console_out_t *c = (console_out_t *)o;

	c->line[c->used++] = ch;
	o->len++;
	if (ch == '\n' || c->used == CONSOLE_CHUNK)
		console_flush(c);
}

int vprintf(const char *fmt, va_list ap)
{
	console_out_t c;

	c.o.put = put_console;
	c.o.len = 0;
	c.used = 0;
	format(&c.o, fmt, ap);
	console_flush(&c);
	return (int)c.o.len;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int putchar(int c)
{
	L4_KDB_PrintChar((char)c);
	return (unsigned char)c;
}

int puts(const char *s)
{
	L4_KDB_PrintString(s);
	L4_KDB_PrintChar('\n');
	return 0;
}

void putc(int c)
{
	L4_KDB_PrintChar((char)c);
}

int getc(void)
{
	return (unsigned char)L4_KDB_ReadChar_Blocked();
}
