/*
 * The tree index: every entry of one walk, by normalised path, with what
 * the walk learnt about it (digest, ELF facts, kept content, owner), and
 * symlink resolution that never leaves the image root.
 *
 * Hash table: open addressing, FNV-1a, linear probing, load <= 1/2; each
 * slot keeps 32 bits of its path's hash, so a probe compares a path only
 * when those agree.
 * Resolution: a namei-style loop over the remaining components; each
 * symlink met costs one hop (max_hops, a loop ends there); an absolute
 * target restarts at the image root, ".." stops at the root.  A component
 * ending in '!' is the root of a nested image ("rootfs.tar!/usr/bin/x",
 * source.c): links inside it resolve inside it.
 */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

#define FNV_START 1469598103934665603ull

/* FNV-1a of n more bytes, from h (FNV_START for a whole string). */
static uint64_t fnv1a_more(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static size_t fnv1a(const char *s)
{
	return (size_t)fnv1a_more(FNV_START, s, strlen(s));
}

void tl__tree_init(tl__tree *t, unsigned max_hops, size_t max_path)
{
	memset(t, 0, sizeof(*t));
	t->max_hops = max_hops ? max_hops : TL_SCAN_DEFAULT_MAX_LINK_HOPS;
	t->max_path = max_path ? max_path : TL_SCAN_DEFAULT_MAX_PATH;
}

void tl__tree_dispose(tl__tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->nodes[i].path);
		free(t->nodes[i].link);
		tl__elf_info_free(t->nodes[i].elf);
		tl__changelog_pre_free(t->nodes[i].cl);
		tl_buf_dispose(&t->nodes[i].content);
	}
	free(t->nodes);
	free(t->slots);
	free(t->hashes);
	memset(t, 0, sizeof(*t));
}

/* The slot of path (hash h), or the empty one where it would go. */
static size_t slot_of(const tl__tree *t, const char *path, size_t h)
{
	size_t mask = t->n_slots - 1, i = h & mask;

	for (;;) {
		size_t s = t->slots[i];
		if (s == 0 || (t->hashes[i] == (uint32_t)h && strcmp(t->nodes[s - 1].path, path) == 0))
			return i;
		i = (i + 1) & mask;
	}
}

static tl_err rehash(tl__tree *t)
{
	size_t n = t->n_slots ? t->n_slots * 2 : 1024, *old = t->slots, old_n = t->n_slots;
	uint32_t *old_h = t->hashes;

	if (!tl_size_mul(&(size_t){ 0 }, n, sizeof(size_t)) || !(t->slots = calloc(n, sizeof(size_t))) ||
	    !(t->hashes = calloc(n, sizeof(uint32_t)))) {
		free(t->slots);
		t->slots = old;
		t->hashes = old_h;
		return tl__nomem();
	}
	t->n_slots = n;
	for (size_t i = 0; i < old_n; i++) {
		if (old[i]) {
			/* the low bits place it: those of the kept hash, as the table is at most 2^32 */
			size_t h = n <= ((size_t)1 << 32) ? old_h[i] : fnv1a(t->nodes[old[i] - 1].path);
			size_t j = slot_of(t, t->nodes[old[i] - 1].path, h);
			t->slots[j] = old[i];
			t->hashes[j] = (uint32_t)h;
		}
	}
	free(old);
	free(old_h);
	return TL_OK;
}

tl_err tl__tree_add(tl__tree *t, const char *path, tl__node **out)
{
	tl_err err = TL_OK;
	size_t slot, h = fnv1a(path);
	tl__node *nd;
	char *copy = NULL;

	if (t->n_slots == 0 || t->n + 1 > t->n_slots / 2) {
		if ((err = rehash(t)) != TL_OK)
			goto done;
	}
	slot = slot_of(t, path, h);
	if (t->slots[slot]) {
		*out = &t->nodes[t->slots[slot] - 1];
		goto done;
	}
	if (!(copy = strdup(path))) {
		err = tl__nomem();
		goto done;
	}
	if ((err = tl__array_grow((void **)&t->nodes, &t->n, sizeof(tl__node), (void **)&nd)) != TL_OK)
		goto done;
	nd->path = copy;
	copy = NULL;
	nd->owner = -1;
	t->slots[slot] = t->n;
	t->hashes[slot] = (uint32_t)h;
	*out = nd;
done:
	free(copy);
	return err;
}

/* tl__tree_get with the path's hash already made. */
static tl__node *get_hashed(const tl__tree *t, const char *path, size_t h)
{
	size_t s;

	if (t->n_slots == 0)
		return NULL;
	s = t->slots[slot_of(t, path, h)];
	return s ? &t->nodes[s - 1] : NULL;
}

tl__node *tl__tree_get(const tl__tree *t, const char *path)
{
	return get_hashed(t, path, fnv1a(path));
}

/* Drops the last component of cur. */
static void pop(tl_buf *cur)
{
	char *slash = strrchr(cur->ptr, '/');

	cur->len = slash ? (size_t)(slash - cur->ptr) : 0;
	cur->ptr[cur->len] = '\0';
}

tl_err tl__tree_resolve(const tl__tree *t, const char *path, bool follow_last, tl__node **out)
{
	tl_err err = TL_OK;
	tl_buf cur = TL_BUF_INIT, rest = TL_BUF_INIT, tmp = TL_BUF_INIT;
	unsigned hops = 0;
	size_t pos = 0, root = 0; /* cur[0, root) is the innermost image root */
	uint64_t h = FNV_START;   /* of cur, while cur only grows; remade after it shrinks */
	bool h_ok = true;

	*out = NULL;
	cur.max = rest.max = tmp.max = t->max_path * 2 + 16;
	if ((err = tl_buf_cstr(&cur)) != TL_OK || (err = tl_buf_puts(&rest, path)) != TL_OK)
		goto done;
	for (;;) {
		const char *s;
		size_t n;
		bool last;
		tl__node *nd;

		while (rest.ptr[pos] == '/')
			pos++;
		if (!rest.ptr[pos])
			break;
		s = rest.ptr + pos;
		for (n = 0; s[n] && s[n] != '/'; n++)
			;
		pos += n;
		if (n == 1 && s[0] == '.')
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (cur.len > root) {
				pop(&cur);
				h_ok = false;
			}
			continue;
		}
		if (!h_ok) {
			h = fnv1a_more(FNV_START, cur.ptr, cur.len);
			h_ok = true;
		}
		if (cur.len) {
			if ((err = tl_buf_putc(&cur, '/')) != TL_OK)
				goto done;
			h = fnv1a_more(h, "/", 1);
		}
		if ((err = tl_buf_put(&cur, s, n)) != TL_OK)
			goto done;
		h = fnv1a_more(h, s, n);
		if (s[n - 1] == '!')
			root = cur.len;
		if (cur.len > t->max_path)
			goto done; /* no such entry can exist */
		{
			size_t p2 = pos;
			while (rest.ptr[p2] == '/')
				p2++;
			last = rest.ptr[p2] == '\0';
		}
		nd = get_hashed(t, cur.ptr, (size_t)h);
		if (!nd) {
			if (last)
				goto done;
			continue; /* an archive may name files without their directories */
		}
		if (nd->type == TL__ENT_SYMLINK && nd->link && (!last || follow_last)) {
			if (++hops > t->max_hops) {
				err = tl__error(TL_ELIMIT, "%s: more than %u symbolic links (a loop?)", path, t->max_hops);
				goto done;
			}
			tl_buf_clear(&tmp);
			if ((err = tl_buf_puts(&tmp, nd->link)) != TL_OK || (err = tl_buf_putc(&tmp, '/')) != TL_OK ||
			    (err = tl_buf_puts(&tmp, rest.ptr + pos)) != TL_OK)
				goto done;
			if (nd->link[0] == '/') {
				cur.len = root;
				cur.ptr[root] = '\0';
			} else {
				pop(&cur);
			}
			h_ok = false;
			tl_buf_clear(&rest);
			if ((err = tl_buf_put(&rest, tmp.ptr, tmp.len)) != TL_OK)
				goto done;
			pos = 0;
			continue;
		}
		if (!last && nd->type != TL__ENT_DIR)
			goto done; /* a file in the middle of a path */
	}
	*out = tl__tree_get(t, cur.ptr);
done:
	tl_buf_dispose(&cur);
	tl_buf_dispose(&rest);
	tl_buf_dispose(&tmp);
	return err;
}
