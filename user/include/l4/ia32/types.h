/* SPDX-License-Identifier: BSD-2-Clause */
/* IA-32 word types of the L4 X.2 user API: 32-bit words, little endian. */
#ifndef L4_IA32_TYPES_H
#define L4_IA32_TYPES_H

#define L4_32BIT
#define L4_LITTLE_ENDIAN

typedef unsigned long long	L4_Word64_t;
typedef unsigned int		L4_Word32_t;
typedef unsigned short		L4_Word16_t;
typedef unsigned char		L4_Word8_t;
typedef unsigned long		L4_Word_t;

typedef signed long long	L4_SignedWord64_t;
typedef signed int		L4_SignedWord32_t;
typedef signed short		L4_SignedWord16_t;
typedef signed char		L4_SignedWord8_t;
typedef signed long		L4_SignedWord_t;

typedef unsigned int		L4_Size_t;
typedef L4_Word64_t		L4_Paddr_t;

/* Pistachio's headers provide size_t here; <stddef.h> shares the guard. */
#ifndef LENT_SIZE_T_DEFINED
#define LENT_SIZE_T_DEFINED
typedef unsigned int size_t;
#endif

_Static_assert(sizeof(L4_Word_t) == 4, "L4_Word_t must be 32 bits on IA-32");
_Static_assert(sizeof(L4_Word64_t) == 8, "L4_Word64_t must be 64 bits");
_Static_assert(sizeof(void *) == 4, "IA-32 pointers are 32 bits");

#endif
