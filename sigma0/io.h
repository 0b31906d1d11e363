/* SPDX-License-Identifier: BSD-2-Clause */
/* sigma0's I/O ports (io.c). */
#ifndef SIGMA0_IO_H
#define SIGMA0_IO_H

#include <l4/types.h>

/* An I/O fault or (is_request) a sigma0 request for the I/O fpage f, from
 * the root-task client or not.  Returns 1 if the ports are given (the
 * reply, their map item, is loaded); a refused request is answered with
 * a nil fpage (loaded too), a refused fault not at all. */
int io_serve(L4_Fpage_t f, int is_root, int is_request);

#endif
