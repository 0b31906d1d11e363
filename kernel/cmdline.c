/* SPDX-License-Identifier: BSD-2-Clause */
/* The kernel's command line: its options, read at boot (kernel/init.c). */
#include <kernel/cmdline.h>
#include <kernel/string.h>

bool cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cmdline; *p; p++)
		if ((p == cmdline || p[-1] == ' ') && strncmp(p, word, n) == 0 &&
		    (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}
