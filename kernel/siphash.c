/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SipHash-2-4: two compression rounds per 8-byte word of the message,
 * four finalisation rounds (kernel/siphash.h).  The message is read as
 * little-endian words, the last one padded with zeros and with the
 * message length (mod 256) in its top byte.
 */
#include <kernel/siphash.h>

static inline uint64_t rotl64(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

typedef struct sip_state {
	uint64_t v0, v1, v2, v3;
} sip_state_t;

static void sip_round(sip_state_t *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13) ^ s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16) ^ s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21) ^ s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17) ^ s->v2;
	s->v2 = rotl64(s->v2, 32);
}

static void sip_word(sip_state_t *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

uint64_t siphash24(const siphash_key_t *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	/* "somepseudorandomlygeneratedbytes", as four words. */
	sip_state_t s = {
		.v0 = key->k0 ^ 0x736f6d6570736575ull,
		.v1 = key->k1 ^ 0x646f72616e646f6dull,
		.v2 = key->k0 ^ 0x6c7967656e657261ull,
		.v3 = key->k1 ^ 0x7465646279746573ull,
	};
	size_t whole = len & ~(size_t)7;
	uint64_t last = (uint64_t)(len & 0xFF) << 56;

	for (size_t i = 0; i < whole; i += 8) {
		uint64_t m = 0;
		for (unsigned b = 0; b < 8; b++)
			m |= (uint64_t)p[i + b] << (8 * b);
		sip_word(&s, m);
	}
	for (size_t b = 0; whole + b < len; b++)
		last |= (uint64_t)p[whole + b] << (8 * b);
	sip_word(&s, last);
	s.v2 ^= 0xFF;
	for (unsigned r = 0; r < 4; r++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
