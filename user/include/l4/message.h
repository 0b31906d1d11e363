/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * L4 X.2 messages: the message tag (MR0), typed items (map, grant and
 * string items), message objects built in memory and loaded into the
 * MRs, and acceptors with receive buffers for the BRs.
 */
#ifndef L4_MESSAGE_H
#define L4_MESSAGE_H

#include <l4/types.h>
#include <l4/ia32/vregs.h>
#include <l4/ia32/specials.h>

#define __L4_NUM_MRS	64
#define __L4_NUM_BRS	33

/* MR0: u untyped words, t typed words, 4 flag bits, a 16-bit label. */
typedef union {
	L4_Word_t raw;
	struct {
		L4_Word_t u : 6;
		L4_Word_t t : 6;
		L4_Word_t flags : 4;
		L4_Word_t label : 16;
	} X;
} L4_MsgTag_t;

#define L4_Niltag	((L4_MsgTag_t) { .raw = 0 })

L4_INLINE L4_Bool_t L4_IsMsgTagEqual(const L4_MsgTag_t l, const L4_MsgTag_t r) { return l.raw == r.raw; }
L4_INLINE L4_Bool_t L4_IsMsgTagNotEqual(const L4_MsgTag_t l, const L4_MsgTag_t r) { return l.raw != r.raw; }

L4_INLINE L4_MsgTag_t L4_MsgTagAddLabel(const L4_MsgTag_t t, int label)
{
	L4_MsgTag_t r = t;

	r.X.label = label;
	return r;
}

L4_INLINE L4_MsgTag_t L4_MsgTagAddLabelTo(L4_MsgTag_t *t, int label)
{
	t->X.label = label;
	return *t;
}

L4_INLINE L4_Word_t L4_Label(L4_MsgTag_t t) { return t.X.label; }
L4_INLINE L4_Word_t L4_UntypedWords(L4_MsgTag_t t) { return t.X.u; }
L4_INLINE L4_Word_t L4_TypedWords(L4_MsgTag_t t) { return t.X.t; }
L4_INLINE void L4_Set_Label(L4_MsgTag_t *t, L4_Word_t label) { t->X.label = label; }

L4_INLINE L4_MsgTag_t L4_MsgTag(void)
{
	L4_MsgTag_t t;

	L4_StoreMR(0, &t.raw);
	return t;
}

L4_INLINE void L4_Set_MsgTag(L4_MsgTag_t t) { L4_LoadMR(0, t.raw); }

/*
 * Map and grant items: word 0 holds C (bit 0), the item type (bits 1..3:
 * 100b map, 101b grant) and the send base (bits 10..31); word 1 the fpage.
 */
typedef union {
	L4_Word_t raw[2];
	struct {
		L4_Word_t C : 1;
		L4_Word_t __type : 3;
		L4_Word_t __zeros : 6;
		L4_Word_t snd_base : 22;
		L4_Fpage_t snd_fpage;
	} X;
} L4_MapItem_t;

typedef union {
	L4_Word_t raw[2];
	struct {
		L4_Word_t C : 1;
		L4_Word_t __type : 3;
		L4_Word_t __zeros : 6;
		L4_Word_t snd_base : 22;
		L4_Fpage_t snd_fpage;
	} X;
} L4_GrantItem_t;

_Static_assert(sizeof(L4_MapItem_t) == 8, "map items are two words");

#define __L4_ITEM_MAP	0x4
#define __L4_ITEM_GRANT	0x5

L4_INLINE L4_MapItem_t L4_MapItem(L4_Fpage_t f, L4_Word_t SndBase)
{
	L4_MapItem_t m;

	m.raw[0] = (SndBase & ~0x3ffUL) | (__L4_ITEM_MAP << 1);
	m.raw[1] = f.raw;
	return m;
}

L4_INLINE L4_Bool_t L4_IsMapItem(L4_MapItem_t m) { return m.X.__type == __L4_ITEM_MAP; }
L4_INLINE L4_Fpage_t L4_MapItemSndFpage(L4_MapItem_t m) { return m.X.snd_fpage; }
L4_INLINE L4_Word_t L4_MapItemSndBase(L4_MapItem_t m) { return m.raw[0] & ~0x3ffUL; }

L4_INLINE L4_GrantItem_t L4_GrantItem(L4_Fpage_t f, L4_Word_t SndBase)
{
	L4_GrantItem_t g;

	g.raw[0] = (SndBase & ~0x3ffUL) | (__L4_ITEM_GRANT << 1);
	g.raw[1] = f.raw;
	return g;
}

L4_INLINE L4_Bool_t L4_IsGrantItem(L4_GrantItem_t g) { return g.X.__type == __L4_ITEM_GRANT; }
L4_INLINE L4_Fpage_t L4_GrantItemSndFpage(L4_GrantItem_t g) { return g.X.snd_fpage; }
L4_INLINE L4_Word_t L4_GrantItemSndBase(L4_GrantItem_t g) { return g.raw[0] & ~0x3ffUL; }

/*
 * String items: C (bit 0), type 0hh (bits 1..3, hh = cache hint), j + 1
 * substrings (bits 4..8), c = continued by another string item (bit 9),
 * length (bits 10..31), then j + 1 substring addresses.
 */
typedef union {
	L4_Word_t raw[2];
	struct {
		L4_Word_t C : 1;
		L4_Word_t __type : 3;
		L4_Word_t j : 5;
		L4_Word_t c : 1;
		L4_Word_t string_length : 22;
		union {
			void *string_ptr;
			void *substring_ptr[1];
		} str;
	} X;
} L4_StringItem_t;

L4_INLINE L4_StringItem_t L4_StringItem(int size, void *address)
{
	L4_StringItem_t s;

	s.raw[0] = 0;
	s.X.string_length = size;
	s.X.str.string_ptr = address;
	return s;
}

L4_INLINE L4_Bool_t L4_IsStringItem(L4_StringItem_t *s) { return (s->X.__type & 0x4) == 0; }
L4_INLINE L4_Bool_t L4_CompoundString(L4_StringItem_t *s) { return s->X.c != 0; }
L4_INLINE L4_Word_t L4_Substrings(L4_StringItem_t *s) { return s->X.j + 1; }

/* Substrings are numbered from 1. */
L4_INLINE void *L4_Substring(L4_StringItem_t *s, L4_Word_t n)
{
	return ((void **)&s->raw[1])[n - 1];
}

/* Word just past the string item s and its substring addresses. */
L4_INLINE L4_Word_t *__L4_StringItemEnd(L4_StringItem_t *s)
{
	return &s->raw[1] + s->X.j + 1;
}

/* End of the (possibly compound) string starting at s; *last gets its
 * final string item. */
L4_INLINE L4_StringItem_t *__L4_EndOfString(L4_StringItem_t *s, L4_StringItem_t **last)
{
	L4_StringItem_t *cur;

	do {
		cur = s;
		s = (L4_StringItem_t *)__L4_StringItemEnd(cur);
	} while (cur->X.c);
	if (last)
		*last = cur;
	return s;
}

/* End of a sequence of strings linked by C bits. */
L4_INLINE L4_StringItem_t *__L4_EndOfStrings(L4_StringItem_t *s, L4_StringItem_t **last)
{
	L4_StringItem_t *first;

	do {
		first = s;
		s = __L4_EndOfString(first, 0);
	} while (first->X.C);
	if (last)
		*last = first;
	return s;
}

L4_INLINE void __L4_Copy_String(L4_StringItem_t *d, L4_StringItem_t *s)
{
	L4_Word_t *to = d->raw, *w = s->raw;
	L4_Word_t *end = (L4_Word_t *)__L4_EndOfString(s, 0);

	while (w < end)
		*to++ = *w++;
}

L4_INLINE L4_StringItem_t *L4_AddSubstringTo(L4_StringItem_t *dest, L4_StringItem_t *substr)
{
	L4_StringItem_t *last;
	L4_StringItem_t *end = __L4_EndOfString(dest, &last);

	last->X.c = 1;
	__L4_Copy_String(end, substr);
	return end;
}

L4_INLINE L4_StringItem_t *L4_AddSubstringAddressTo(L4_StringItem_t *dest, void *addr)
{
	L4_StringItem_t *last;

	__L4_EndOfString(dest, &last);
	last->X.j++;
	((void **)&last->raw[1])[last->X.j] = addr;
	return dest;
}

/* Cache allocation hints of string items (bits 1..2 of word 0). */
typedef struct L4_CacheAllocationHint {
	L4_Word_t raw;
} L4_CacheAllocationHint_t;

#define L4_UseDefaultCacheAllocation	((L4_CacheAllocationHint_t) { .raw = 0 })

L4_INLINE L4_CacheAllocationHint_t L4_CacheAlloctionHint(const L4_StringItem_t s)
{
	return (L4_CacheAllocationHint_t) { .raw = s.raw[0] & 0x6 };
}

L4_INLINE L4_Bool_t L4_IsCacheAllocationHintEqual(const L4_CacheAllocationHint_t l,
						  const L4_CacheAllocationHint_t r)
{
	return (l.raw & 0x6) == (r.raw & 0x6);
}

L4_INLINE L4_Bool_t L4_IsCacheAllocationHintNotEqual(const L4_CacheAllocationHint_t l,
						     const L4_CacheAllocationHint_t r)
{
	return (l.raw & 0x6) != (r.raw & 0x6);
}

L4_INLINE L4_StringItem_t L4_AddCacheAllocationHint(const L4_StringItem_t dest,
						    const L4_CacheAllocationHint_t h)
{
	L4_StringItem_t s = dest;

	s.raw[0] |= h.raw & 0x6;
	return s;
}

L4_INLINE L4_StringItem_t L4_AddCacheAllocationHintTo(L4_StringItem_t *dest,
						      const L4_CacheAllocationHint_t h)
{
	dest->raw[0] |= h.raw & 0x6;
	return *dest;
}

#include <l4/msgobj.h>

#endif
