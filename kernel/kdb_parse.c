/* SPDX-License-Identifier: BSD-2-Clause */
/* The kernel debugger's input as pure logic: see kernel/kdb_parse.h. */
#include <kernel/kdb_parse.h>

#define KEY_BS  0x08
#define KEY_DEL 0x7F

bool kdb_ring_put(kdb_ring_t *r, uint8_t c)
{
	if (r->count >= KDB_RING_SIZE)
		return false;
	r->buf[(r->head + r->count) % KDB_RING_SIZE] = c;
	r->count++;
	return true;
}

int kdb_ring_get(kdb_ring_t *r)
{
	if (r->count == 0)
		return -1;
	uint8_t c = r->buf[r->head % KDB_RING_SIZE];
	r->head = (r->head + 1) % KDB_RING_SIZE;
	r->count--;
	return c;
}

void kdb_line_reset(kdb_line_t *l)
{
	l->len = 0;
	l->overflow = false;
	l->buf[0] = '\0';
}

enum kdb_key_action kdb_line_key(kdb_line_t *l, int c)
{
	bool after_cr = l->after_cr;

	l->after_cr = false;
	if (c == '\r' || c == '\n') {
		if (c == '\n' && after_cr)
			return KDB_KEY_NONE;
		l->after_cr = c == '\r';
		l->buf[l->len < KDB_LINE_MAX ? l->len : KDB_LINE_MAX - 1] = '\0';
		return KDB_KEY_DONE;
	}
	if (c == KEY_BS || c == KEY_DEL) {
		if (l->len == 0)
			return KDB_KEY_NONE;
		l->len--;
		return KDB_KEY_ERASE;
	}
	if (c < 0x20 || c > 0x7E)
		return KDB_KEY_NONE;
	if (l->len >= KDB_LINE_MAX - 1) {
		l->overflow = true;
		return KDB_KEY_NONE;
	}
	l->buf[l->len++] = (char)c;
	return KDB_KEY_ECHO;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int kdb_split(char *line, char *word[], unsigned max)
{
	unsigned n = 0;
	char *p = line;

	for (;;) {
		while (is_blank(*p))
			*p++ = '\0';
		if (!*p)
			return (int)n;
		if (n == max)
			return -1;
		word[n++] = p;
		while (*p && !is_blank(*p))
			p++;
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool kdb_parse_hex(const char *s, uint32_t *v)
{
	uint32_t x = 0;
	unsigned n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++, n++) {
		int d = hex_digit(*s);
		if (d < 0 || n == 8)
			return false;
		x = (x << 4) | (uint32_t)d;
	}
	if (n == 0)
		return false;
	*v = x;
	return true;
}

bool kdb_parse_dec(const char *s, uint32_t *v)
{
	uint32_t x = 0;
	unsigned n = 0;

	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n == 9)
			return false;
		x = x * 10 + (uint32_t)(*s - '0');
	}
	if (n == 0)
		return false;
	*v = x;
	return true;
}

bool kdb_parse_thread(const char *s, uint32_t *value, bool *by_number)
{
	*by_number = s[0] == '#';
	if (*by_number)
		return kdb_parse_dec(s + 1, value);
	return kdb_parse_hex(s, value);
}

bool kdb_word_is(const char *word, const char *name)
{
	while (*word && *word == *name) {
		word++;
		name++;
	}
	return *word == *name;
}
