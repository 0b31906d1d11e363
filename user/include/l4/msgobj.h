/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Message objects (an in-memory image of MR0..MR63) and acceptors with
 * receive buffers.  Part of <l4/message.h>; include that instead.
 */
#ifndef L4_MSGOBJ_H
#define L4_MSGOBJ_H

#include <l4/message.h>

typedef union {
	L4_Word_t raw[__L4_NUM_MRS];
	L4_Word_t msg[__L4_NUM_MRS];
	L4_MsgTag_t tag;
} L4_Msg_t;

/* Words of a message beyond MR0. */
L4_INLINE int __L4_MsgWords(const L4_Msg_t *msg)
{
	return msg->tag.X.u + msg->tag.X.t;
}

L4_INLINE void L4_MsgPut(L4_Msg_t *msg, L4_Word_t label, int u, L4_Word_t *Untyped,
			 int t, void *Items)
{
	int i;

	for (i = 0; i < u; i++)
		msg->msg[1 + i] = Untyped[i];
	for (i = 0; i < t; i++)
		msg->msg[1 + u + i] = ((L4_Word_t *)Items)[i];
	msg->tag.raw = 0;
	msg->tag.X.label = label;
	msg->tag.X.u = u;
	msg->tag.X.t = t;
}

L4_INLINE void L4_MsgGet(const L4_Msg_t *msg, L4_Word_t *Untyped, void *Items)
{
	int i, u = msg->tag.X.u, t = msg->tag.X.t;

	for (i = 0; i < u; i++)
		Untyped[i] = msg->msg[1 + i];
	for (i = 0; i < t; i++)
		((L4_Word_t *)Items)[i] = msg->msg[1 + u + i];
}

L4_INLINE L4_MsgTag_t L4_MsgMsgTag(const L4_Msg_t *msg) { return msg->tag; }
L4_INLINE void L4_Set_MsgMsgTag(L4_Msg_t *msg, L4_MsgTag_t t) { msg->tag = t; }
L4_INLINE L4_Word_t L4_MsgLabel(const L4_Msg_t *msg) { return msg->tag.X.label; }
L4_INLINE void L4_Set_MsgLabel(L4_Msg_t *msg, L4_Word_t label) { msg->tag.X.label = label; }

/* Copy the message into MR0..MR(u+t). */
L4_INLINE void L4_MsgLoad(L4_Msg_t *msg)
{
	L4_LoadMRs(0, 1 + __L4_MsgWords(msg), msg->msg);
}

/* Copy a received message (tag t) out of MR1..MR(u+t). */
L4_INLINE void L4_MsgStore(L4_MsgTag_t t, L4_Msg_t *msg)
{
	L4_StoreMRs(1, t.X.u + t.X.t, &msg->msg[1]);
	msg->tag = t;
}

L4_INLINE void L4_MsgClear(L4_Msg_t *msg) { msg->msg[0] = 0; }

/* Untyped words precede the typed ones, so appending a word moves any
 * typed words up by one. */
L4_INLINE void L4_MsgAppendWord(L4_Msg_t *msg, L4_Word_t w)
{
	int first_typed = 1 + msg->tag.X.u;
	int i;

	for (i = first_typed + msg->tag.X.t; i > first_typed; i--)
		msg->msg[i] = msg->msg[i - 1];
	msg->msg[first_typed] = w;
	msg->tag.X.u++;
}

L4_INLINE void __L4_MsgAppend2(L4_Msg_t *msg, L4_Word_t w0, L4_Word_t w1)
{
	int end = 1 + __L4_MsgWords(msg);

	msg->msg[end] = w0;
	msg->msg[end + 1] = w1;
	msg->tag.X.t += 2;
}

L4_INLINE void L4_MsgAppendMapItem(L4_Msg_t *msg, L4_MapItem_t m) { __L4_MsgAppend2(msg, m.raw[0], m.raw[1]); }
L4_INLINE void L4_MsgAppendGrantItem(L4_Msg_t *msg, L4_GrantItem_t g) { __L4_MsgAppend2(msg, g.raw[0], g.raw[1]); }

L4_INLINE void L4_MsgAppendSimpleStringItem(L4_Msg_t *msg, L4_StringItem_t s)
{
	s.X.c = 0;
	s.X.j = 0;
	__L4_MsgAppend2(msg, s.raw[0], s.raw[1]);
}

L4_INLINE void L4_MsgAppendStringItem(L4_Msg_t *msg, L4_StringItem_t *s)
{
	L4_Word_t *end = (L4_Word_t *)__L4_EndOfString(s, 0);

	__L4_Copy_String((L4_StringItem_t *)&msg->msg[1 + __L4_MsgWords(msg)], s);
	msg->tag.X.t += end - s->raw;
}

/* Put*: overwrite untyped word u or the typed words from typed index t. */
L4_INLINE void L4_MsgPutWord(L4_Msg_t *msg, L4_Word_t u, L4_Word_t w) { msg->msg[1 + u] = w; }

L4_INLINE void __L4_MsgPut2(L4_Msg_t *msg, L4_Word_t t, L4_Word_t w0, L4_Word_t w1)
{
	msg->msg[1 + msg->tag.X.u + t] = w0;
	msg->msg[2 + msg->tag.X.u + t] = w1;
}

L4_INLINE void L4_MsgPutMapItem(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t m) { __L4_MsgPut2(msg, t, m.raw[0], m.raw[1]); }
L4_INLINE void L4_MsgPutGrantItem(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t g) { __L4_MsgPut2(msg, t, g.raw[0], g.raw[1]); }

L4_INLINE void L4_MsgPutSimpleStringItem(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t s)
{
	s.X.c = 0;
	s.X.j = 0;
	__L4_MsgPut2(msg, t, s.raw[0], s.raw[1]);
}

L4_INLINE void L4_MsgPutStringItem(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t *s)
{
	__L4_Copy_String((L4_StringItem_t *)&msg->msg[1 + msg->tag.X.u + t], s);
}

L4_INLINE L4_Word_t L4_MsgWord(L4_Msg_t *msg, L4_Word_t u) { return msg->msg[1 + u]; }
L4_INLINE void L4_MsgGetWord(L4_Msg_t *msg, L4_Word_t u, L4_Word_t *w) { *w = msg->msg[1 + u]; }

/* Get*: read the item at typed index t; return the words it occupies. */
L4_INLINE L4_Word_t L4_MsgGetMapItem(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t *m)
{
	m->raw[0] = msg->msg[1 + msg->tag.X.u + t];
	m->raw[1] = msg->msg[2 + msg->tag.X.u + t];
	return 2;
}

L4_INLINE L4_Word_t L4_MsgGetGrantItem(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t *g)
{
	g->raw[0] = msg->msg[1 + msg->tag.X.u + t];
	g->raw[1] = msg->msg[2 + msg->tag.X.u + t];
	return 2;
}

L4_INLINE L4_Word_t L4_MsgGetStringItem(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t *s)
{
	L4_StringItem_t *item = (L4_StringItem_t *)&msg->msg[1 + msg->tag.X.u + t];
	L4_Word_t *end = (L4_Word_t *)__L4_EndOfString(item, 0);

	__L4_Copy_String(s, item);
	return end - item->raw;
}

/*
 * Acceptors (BR0): s (bit 0) accepts string items, bits 4..31 are the
 * receive window for map and grant items (an fpage without its rights).
 */
typedef union {
	L4_Word_t raw;
	struct {
		L4_Word_t s : 1;
		L4_Word_t c : 1;
		L4_Word_t __zeros : 2;
		L4_Word_t RcvWindow : 28;
	} X;
} L4_Acceptor_t;

/* BR1..BR32 as a sequence of receive string items. */
typedef union {
	L4_Word_t raw[__L4_NUM_BRS - 1];
	L4_StringItem_t string[1];
} L4_MsgBuffer_t;

#define L4_UntypedWordsAcceptor	((L4_Acceptor_t) { .raw = 0 })
#define L4_StringItemsAcceptor	((L4_Acceptor_t) { .raw = 1 })

L4_INLINE L4_Acceptor_t L4_MapGrantItems(L4_Fpage_t RcvWindow)
{
	return (L4_Acceptor_t) { .raw = RcvWindow.raw & ~0xfUL };
}

L4_INLINE L4_Acceptor_t L4_AddAcceptor(const L4_Acceptor_t l, const L4_Acceptor_t r)
{
	L4_Acceptor_t a;

	a.raw = 0;
	a.X.s = l.X.s | r.X.s;
	a.X.RcvWindow = r.X.RcvWindow ? r.X.RcvWindow : l.X.RcvWindow;
	return a;
}

L4_INLINE L4_Acceptor_t L4_AddAcceptorTo(L4_Acceptor_t l, const L4_Acceptor_t r)
{
	return L4_AddAcceptor(l, r);
}

L4_INLINE L4_Acceptor_t L4_RemoveAcceptor(const L4_Acceptor_t l, const L4_Acceptor_t r)
{
	L4_Acceptor_t a = l;

	if (r.X.s)
		a.X.s = 0;
	if (r.X.RcvWindow)
		a.X.RcvWindow = 0;
	return a;
}

L4_INLINE L4_Acceptor_t L4_RemoveAcceptorFrom(L4_Acceptor_t l, const L4_Acceptor_t r)
{
	return L4_RemoveAcceptor(l, r);
}

L4_INLINE L4_Bool_t L4_HasStringItems(const L4_Acceptor_t a) { return (a.raw & 1) != 0; }
L4_INLINE L4_Bool_t L4_HasMapGrantItems(const L4_Acceptor_t a) { return (a.raw & ~0xfUL) != 0; }

L4_INLINE L4_Fpage_t L4_RcvWindow(const L4_Acceptor_t a)
{
	return (L4_Fpage_t) { .raw = a.raw & ~0xfUL };
}

L4_INLINE void L4_Accept(const L4_Acceptor_t a) { L4_LoadBR(0, a.raw); }

/* Load BR0 with the acceptor and BR1.. with the buffer's string items. */
L4_INLINE void L4_AcceptStrings(const L4_Acceptor_t a, L4_MsgBuffer_t *b)
{
	L4_StringItem_t *end = __L4_EndOfStrings(&b->string[0], 0);

	L4_LoadBR(0, a.raw);
	L4_LoadBRs(1, (L4_Word_t *)end - b->raw, b->raw);
}

L4_INLINE L4_Acceptor_t L4_Accepted(void)
{
	L4_Acceptor_t a;

	L4_StoreBR(0, &a.raw);
	return a;
}

/* An empty buffer has words 0 and 2 clear; a buffer holding one simple
 * string item marks word 2 so that a zero item still counts. */
L4_INLINE void L4_MsgBufferClear(L4_MsgBuffer_t *b) { b->raw[0] = b->raw[2] = 0; }

L4_INLINE L4_Bool_t __L4_MsgBufferEmpty(L4_MsgBuffer_t *b)
{
	return b->raw[0] == 0 && b->raw[2] == 0;
}

L4_INLINE void L4_MsgBufferAppendSimpleRcvString(L4_MsgBuffer_t *b, L4_StringItem_t s)
{
	L4_StringItem_t *last, *end;

	s.X.j = 0;
	s.X.c = 0;
	s.X.C = 0;
	if (__L4_MsgBufferEmpty(b)) {
		b->raw[2] = ~0UL;
		b->string[0] = s;
		return;
	}
	end = __L4_EndOfStrings(&b->string[0], &last);
	last->X.C = 1;
	*end = s;
}

L4_INLINE void L4_MsgBufferAppendRcvString(L4_MsgBuffer_t *b, L4_StringItem_t *s)
{
	L4_StringItem_t *last, *end = &b->string[0];

	if (!__L4_MsgBufferEmpty(b)) {
		end = __L4_EndOfStrings(&b->string[0], &last);
		last->X.C = 1;
	}
	__L4_Copy_String(end, s);
	end->X.C = 0;
}

#endif
