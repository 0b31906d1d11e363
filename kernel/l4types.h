/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * L4 X.2 data encodings on IA-32 (32-bit words), as pure inline helpers.
 * Bit positions checked against the X.2 reference manual and Pistachio's
 * user/include/l4/types.h, user/include/l4/message.h, user/include/l4/ipc.h
 * and kernel/src/api/v4/ipc.h, kernel/src/api/v4/types.h (l4ka/pistachio).
 */
#ifndef KERNEL_L4TYPES_H
#define KERNEL_L4TYPES_H

#include <kernel/types.h>

/* ---- thread IDs --------------------------------------------------------
 * Global: thread number in bits 14..31, version in bits 0..13.
 * Local: bits 0..5 zero (the rest is the UTCB address). */
typedef uint32_t tid_t;

#define TID_NIL        0x00000000u
#define TID_ANY        0xFFFFFFFFu
#define TID_ANYLOCAL   0xFFFFFFC0u
#define TID_VERSION_BITS 14
#define TID_VERSION_MASK ((1u << TID_VERSION_BITS) - 1)
#define TID_LOCAL_MASK   0x3Fu

static inline uint32_t tid_number(tid_t t) { return t >> TID_VERSION_BITS; }
static inline uint32_t tid_version(tid_t t) { return t & TID_VERSION_MASK; }
static inline tid_t tid_make(uint32_t number, uint32_t version)
{
	return (number << TID_VERSION_BITS) | (version & TID_VERSION_MASK);
}
static inline bool tid_is_nil(tid_t t) { return t == TID_NIL; }
static inline bool tid_is_any(tid_t t) { return t == TID_ANY; }
static inline bool tid_is_anylocal(tid_t t) { return t == TID_ANYLOCAL; }
/* A concrete local ID: not nil and not the anylocal wildcard. */
static inline bool tid_is_local(tid_t t)
{
	return (t & TID_LOCAL_MASK) == 0 && t != TID_NIL && t != TID_ANYLOCAL;
}
/* A concrete global ID: not the anythread wildcard. */
static inline bool tid_is_global(tid_t t)
{
	return (t & TID_LOCAL_MASK) != 0 && t != TID_ANY;
}

/* ---- fpages ------------------------------------------------------------
 * rwx in bits 0..2, bit 3 reserved, s (log2 size) in bits 4..9, base in
 * bits 10..31.  Nil fpage: 0.  Complete address space: s == 1, base 0. */
typedef uint32_t fpage_t;

#define FPAGE_RIGHTS_MASK 0x7u
#define FPAGE_SIZE_SHIFT  4
#define FPAGE_SIZE_MASK   0x3Fu
#define FPAGE_BASE_MASK   0xFFFFFC00u
#define FPAGE_NIL         0x0u
#define FPAGE_COMPLETE    (1u << FPAGE_SIZE_SHIFT)
#define FPAGE_MIN_LOG2    12   /* smallest page IA-32 can map */
#define FPAGE_MAX_LOG2    32

static inline uint32_t fpage_size_field(fpage_t f)
{
	return (f >> FPAGE_SIZE_SHIFT) & FPAGE_SIZE_MASK;
}
static inline bool fpage_is_nil(fpage_t f) { return f == FPAGE_NIL; }
static inline bool fpage_is_complete(fpage_t f)
{
	return fpage_size_field(f) == 1 && (f & FPAGE_BASE_MASK) == 0;
}
/* log2 of the size in bytes; the complete fpage covers all 2^32 bytes. */
static inline uint32_t fpage_size_log2(fpage_t f)
{
	return fpage_is_complete(f) ? FPAGE_MAX_LOG2 : fpage_size_field(f);
}
static inline uint32_t fpage_rights(fpage_t f) { return f & FPAGE_RIGHTS_MASK; }
/* Base address, masked to the fpage's own size alignment. */
static inline uint32_t fpage_base(fpage_t f)
{
	uint32_t s = fpage_size_log2(f);

	if (s >= 32)
		return 0;
	return f & FPAGE_BASE_MASK & ~((1u << s) - 1);
}
/* Size in bytes as a 64-bit value (2^32 for the complete fpage). */
static inline uint64_t fpage_size(fpage_t f)
{
	uint32_t s = fpage_size_log2(f);

	return s > 63 ? 0 : (uint64_t)1 << s;
}
static inline fpage_t fpage_make(uint32_t base, uint32_t log2, uint32_t rights)
{
	uint32_t b = log2 >= 32 ? 0 : base & ~((1u << log2) - 1);

	return (b & FPAGE_BASE_MASK) | ((log2 & FPAGE_SIZE_MASK) << FPAGE_SIZE_SHIFT) |
	       (rights & FPAGE_RIGHTS_MASK);
}
/* Usable as a memory fpage on IA-32: nil, complete, or 4 KB .. 4 GB. */
static inline bool fpage_is_valid(fpage_t f)
{
	uint32_t s = fpage_size_field(f);

	if (fpage_is_nil(f) || fpage_is_complete(f))
		return true;
	return s >= FPAGE_MIN_LOG2 && s <= FPAGE_MAX_LOG2;
}

/* ---- message tags (MR0) -----------------------------------------------
 * u in bits 0..5, t in bits 6..11, flags in bits 12..15, label 16..31. */
#define MSGTAG_PROPAGATED (1u << 12)
#define MSGTAG_REDIRECTED (1u << 13)
#define MSGTAG_XCPU       (1u << 14)
#define MSGTAG_ERROR      (1u << 15)
#define MSGTAG_FLAGS_MASK 0xF000u

/* Protocol labels (the label's top 12 bits hold a negative number). */
#define LABEL_INTERRUPT   0xFFF0u   /* -1 << 4 */
#define LABEL_PAGEFAULT   0xFFE0u   /* -2 << 4, low bits: rwx of the access */
#define LABEL_PREEMPTION  0xFFD0u   /* -3 << 4 */
#define LABEL_SIGMA0      0xFFA0u   /* -6 << 4 */

/* Tags are plain words: msgtag_t() names the typed-word count, so there is
 * deliberately no msgtag_t type. */
static inline uint32_t msgtag_u(uint32_t m) { return m & 0x3Fu; }
static inline uint32_t msgtag_t(uint32_t m) { return (m >> 6) & 0x3Fu; }
static inline uint32_t msgtag_flags(uint32_t m) { return m & MSGTAG_FLAGS_MASK; }
static inline uint32_t msgtag_label(uint32_t m) { return m >> 16; }
/* flags are given as MSGTAG_* bits. */
static inline uint32_t msgtag_make(uint32_t label, uint32_t u, uint32_t t,
				   uint32_t flags)
{
	return ((label & 0xFFFFu) << 16) | (flags & MSGTAG_FLAGS_MASK) | ((t & 0x3Fu) << 6) |
	       (u & 0x3Fu);
}

/* ---- typed items --------------------------------------------------------
 * First word of every item: C (another item follows) in bit 0, type in
 * bits 1..3.  Map item 100b, grant item 101b, string item 0xxb (the two
 * low type bits then are the cache hints).  Map and grant items carry the
 * send base in bits 10..31 and the send fpage in the second word.
 * String items: hh cache hints bits 1..2, j (substrings - 1) bits 4..8,
 * c (compound: another string item continues this string) bit 9, length
 * bits 10..31; the second and following words are substring addresses. */
#define ITEM_TYPE_MAP       4u
#define ITEM_TYPE_GRANT     5u
#define ITEM_TYPE_CTRLXFER  6u   /* Pistachio extension; unsupported here */

static inline uint32_t item_type(uint32_t w) { return (w >> 1) & 7u; }
static inline bool item_continue(uint32_t w) { return (w & 1u) != 0; }
static inline bool item_is_map(uint32_t w) { return item_type(w) == ITEM_TYPE_MAP; }
static inline bool item_is_grant(uint32_t w) { return item_type(w) == ITEM_TYPE_GRANT; }
static inline bool item_is_string(uint32_t w) { return (item_type(w) & 4u) == 0; }
static inline uint32_t item_snd_base(uint32_t w) { return w & 0xFFFFFC00u; }
static inline uint32_t map_item_make(uint32_t snd_base, bool grant, bool more)
{
	return (snd_base & 0xFFFFFC00u) |
	       ((grant ? ITEM_TYPE_GRANT : ITEM_TYPE_MAP) << 1) | (more ? 1u : 0u);
}
static inline uint32_t string_item_length(uint32_t w) { return w >> 10; }
static inline uint32_t string_item_substrings(uint32_t w) { return ((w >> 4) & 0x1Fu) + 1; }
static inline bool string_item_compound(uint32_t w) { return (w & (1u << 9)) != 0; }
static inline uint32_t string_item_cache_hints(uint32_t w) { return (w >> 1) & 3u; }
static inline uint32_t string_item_make(uint32_t length, uint32_t substrings,
					bool compound, bool more)
{
	return (length << 10) | (compound ? 1u << 9 : 0u) |
	       (((substrings - 1) & 0x1Fu) << 4) | (more ? 1u : 0u);
}

/* ---- acceptor (BR0) ----------------------------------------------------
 * s (accept string items) in bit 0; receive window fpage in bits 4..31
 * (its rights bits read as zero). */
#define ACCEPTOR_STRINGS 1u

static inline fpage_t acceptor_window(uint32_t a) { return a & ~0xFu; }
static inline bool acceptor_strings(uint32_t a) { return (a & ACCEPTOR_STRINGS) != 0; }

/* ---- timeouts -----------------------------------------------------------
 * 16 bits.  Relative period (bit 15 clear): e in bits 10..14, m in bits
 * 0..9, 2^e * m µs; 0 is "never", e = 1 m = 0 (0x0400) is "zero".
 * Absolute point (bit 15 set): e in bits 11..14, c in bit 10, m 0..9.
 * The IPC timeouts word holds the send timeout in bits 16..31 and the
 * receive timeout in bits 0..15. */
typedef uint16_t timeout_t;

#define TIMEOUT_NEVER 0x0000u
#define TIMEOUT_ZERO  0x0400u
#define TIMEOUT_POINT 0x8000u

static inline bool timeout_is_never(timeout_t t) { return t == TIMEOUT_NEVER; }
static inline bool timeout_is_zero(timeout_t t) { return t == TIMEOUT_ZERO; }
static inline bool timeout_is_point(timeout_t t) { return (t & TIMEOUT_POINT) != 0; }
static inline bool timeout_is_period(timeout_t t) { return !timeout_is_point(t); }
static inline uint32_t timeout_mantissa(timeout_t t) { return t & 0x3FFu; }
static inline uint32_t timeout_period_exp(timeout_t t) { return (t >> 10) & 0x1Fu; }
static inline uint32_t timeout_point_exp(timeout_t t) { return (t >> 11) & 0xFu; }
static inline uint32_t timeout_point_carry(timeout_t t) { return (t >> 10) & 1u; }
/* Length of a relative timeout in µs; "never" yields UINT64 all-ones.
 * Only meaningful for periods (a point yields 0). */
static inline uint64_t timeout_relative_us(timeout_t t)
{
	if (timeout_is_never(t))
		return ~(uint64_t)0;
	if (timeout_is_point(t))
		return 0;
	return (uint64_t)timeout_mantissa(t) << timeout_period_exp(t);
}
static inline timeout_t timeouts_snd(uint32_t w) { return (timeout_t)(w >> 16); }
static inline timeout_t timeouts_rcv(uint32_t w) { return (timeout_t)(w & 0xFFFFu); }

/* ---- IPC error codes (ErrorCode TCR) ------------------------------------
 * bit 0: 1 = error in the receive phase; bits 1..3 code; bits 4.. offset
 * (bytes of strings transferred before the error, for codes 4..7;
 * kernel/xfer_offset.h). */
enum ipc_errcode {
	IPC_ERR_TIMEOUT = 1,
	IPC_ERR_NOPARTNER = 2,
	IPC_ERR_CANCELED = 3,
	IPC_ERR_OVERFLOW = 4,
	IPC_ERR_XFER_TIMEOUT_OWN = 5,
	IPC_ERR_XFER_TIMEOUT_PARTNER = 6,
	IPC_ERR_ABORTED = 7,
};

static inline uint32_t ipc_error(uint32_t code, bool receive_phase, uint32_t offset)
{
	return (offset << 4) | ((code & 7u) << 1) | (receive_phase ? 1u : 0u);
}
static inline uint32_t ipc_error_code(uint32_t e) { return (e >> 1) & 7u; }
static inline bool ipc_error_is_receive(uint32_t e) { return (e & 1u) != 0; }
static inline uint32_t ipc_error_offset(uint32_t e) { return e >> 4; }

#endif
