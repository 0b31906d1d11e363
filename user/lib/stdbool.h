/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef LENT_STDBOOL_H
#define LENT_STDBOOL_H

#define bool	_Bool
#define true	1
#define false	0

#endif
