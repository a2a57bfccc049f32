/*
 * Helpers shared by the unit tests: a temporary directory per test group.
 * Each test program is its own executable, so the state is file-static.
 */
#ifndef TL_TESTUTIL_H
#define TL_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

/* The group's temporary directory, made by tmpdir_setup. */
static char tmpdir[256];

/* cmocka group set-up: a fresh /tmp/tl-test-XXXXXX in tmpdir. */
static int tmpdir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tl-test-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

/* cmocka group tear-down: removes tmpdir and everything in it. */
static int tmpdir_teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
