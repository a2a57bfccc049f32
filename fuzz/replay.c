/*
 * Replays fuzz inputs: every file in every directory named on the command
 * line is fed to LLVMFuzzerTestOneInput once.  A crash fails the test;
 * a missing directory is skipped (a target may have no regressions yet).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	size_t count = 0;

	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		if (!d)
			continue;
		while ((e = readdir(d)) != NULL) {
			tl_buf b = TL_BUF_INIT;
			char path[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (tl_file_read(&b, path, 0) != TL_OK) {
				tl_buf_dispose(&b);
				continue;
			}
			LLVMFuzzerTestOneInput((const uint8_t *)(b.ptr ? b.ptr : ""), b.len);
			tl_buf_dispose(&b);
			count++;
		}
		closedir(d);
	}
	printf("replayed %zu inputs\n", count);
	return count ? 0 : 1;
}
