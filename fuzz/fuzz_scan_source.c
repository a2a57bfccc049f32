/*
 * Fuzz target for the source layer: the bytes are opened as an image
 * (recognised by content: squashfs, ext2/3/4, uImage, FIT, whatever
 * libarchive bids on, else a blob searched for images at any offset) with
 * small limits (2000 entries, 4 MiB, paths of 1024 bytes, 3 levels of
 * nesting, 16 MiB of nested images in memory), walked, and every file
 * read.  Paths handed out must be normalised: no leading '/', no "." or
 * ".." component, never longer than the limit.  Hostile names, link and
 * directory loops, bombs and truncation must end in an error or a limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tl_err on_entry(tl__source *src, const tl__entry *e, void *ctx)
{
	static char buf[4096];
	size_t got, n = strlen(e->path);
	tl__tree *t = ctx;
	tl__node *nd;
	tl_err err;

	(void)ctx;
	if (n > 1024 || e->path[0] == '/' || !strcmp(e->path, ".") || !strncmp(e->path, "./", 2) ||
	    !strncmp(e->path, "../", 3) || strstr(e->path, "/../") || strstr(e->path, "/./") ||
	    strstr(e->path, "//") || (n >= 3 && !strcmp(e->path + n - 3, "/..")))
		abort();
	if ((err = tl__tree_add(t, e->path, &nd)) != TL_OK)
		return err;
	nd->type = e->type;
	if (e->type == TL__ENT_SYMLINK && e->link && !nd->link)
		nd->link = strdup(e->link);
	if (e->type == TL__ENT_FILE) {
		do {
			if ((err = tl__source_read(src, buf, sizeof(buf), &got)) != TL_OK)
				return err;
		} while (got);
	}
	return TL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl__source *src = NULL;
	tl__limits lim = { 2000, 1 << 22, 1024, 3, 1 << 24 };
	tl__tree t;

	tl__tree_init(&t, 8, 1024);
	if (tl__source_open_mem(&src, data, size, "fuzz", &lim) == TL_OK &&
	    tl__source_walk(src, on_entry, &t) == TL_OK) {
		/* every symlink resolves, or is a loop, inside the root */
		for (size_t i = 0; i < t.n; i++) {
			tl__node *nd = NULL;
			tl_err err = tl__tree_resolve(&t, t.nodes[i].path, true, &nd);
			if (err != TL_OK && err != TL_ELIMIT)
				abort();
		}
	}
	tl__source_free(src);
	tl__tree_dispose(&t);
	return 0;
}
