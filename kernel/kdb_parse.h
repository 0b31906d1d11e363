/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel debugger's input, as pure logic (host-tested in
 * tests/unit/test_kdb_parse.c): the type-ahead ring that keeps the keys
 * the break-in poll read while looking for ESC, the line editor, and the
 * parsing of a command line into words, hexadecimal numbers and thread
 * IDs.  Nothing here touches hardware or kernel objects.
 */
#ifndef KERNEL_KDB_PARSE_H
#define KERNEL_KDB_PARSE_H

#include <kernel/types.h>

#define KDB_KEY_ESC   0x1B

/* ---- type-ahead: keys read from the serial line, in order ---- */
#define KDB_RING_SIZE 256u
typedef struct kdb_ring {
	uint8_t buf[KDB_RING_SIZE];
	uint32_t head;                 /* next to take */
	uint32_t count;
} kdb_ring_t;

/* Keep c; false (and c dropped) when the ring is full. */
bool kdb_ring_put(kdb_ring_t *r, uint8_t c);
/* The oldest key, or -1 when there is none. */
int kdb_ring_get(kdb_ring_t *r);

/* ---- the line editor ---- */
#define KDB_LINE_MAX 80u
typedef struct kdb_line {
	char buf[KDB_LINE_MAX];        /* NUL-terminated once done */
	uint32_t len;
	bool overflow;                 /* keys were dropped: the line is refused */
	bool after_cr;                 /* the last key ended a line with CR */
} kdb_line_t;

enum kdb_key_action {
	KDB_KEY_NONE,                  /* nothing to show */
	KDB_KEY_ECHO,                  /* show the key */
	KDB_KEY_ERASE,                 /* rub out the last character shown */
	KDB_KEY_DONE,                  /* the line is complete (buf, len) */
};

void kdb_line_reset(kdb_line_t *l);
/* Feed one key: printable characters are kept (up to KDB_LINE_MAX - 1),
 * backspace and DEL erase, CR or LF end the line (an LF right after a
 * CR is the same end), anything else is ignored. */
enum kdb_key_action kdb_line_key(kdb_line_t *l, int c);

/* ---- command lines ---- */
#define KDB_MAX_WORDS 6u
/* Split line in place at blanks into at most KDB_MAX_WORDS words;
 * returns their number, or -1 when there are more. */
int kdb_split(char *line, char *word[], unsigned max);
/* A hexadecimal number of 1 to 8 digits, with or without 0x: true and
 * *v set, or false for anything else. */
bool kdb_parse_hex(const char *s, uint32_t *v);
/* A decimal number of 1 to 9 digits. */
bool kdb_parse_dec(const char *s, uint32_t *v);
/* A thread: a global ID in hex (number << 14 | version, as the kernel
 * prints them), or #N, the thread number N in decimal (*by_number set). */
bool kdb_parse_thread(const char *s, uint32_t *value, bool *by_number);
/* Does word equal name? */
bool kdb_word_is(const char *word, const char *name);

#endif
