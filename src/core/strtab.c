/*
 * String-keyed hash table for the modules' identifier indexes (bom-refs,
 * SPDXIDs, record ids...): open addressing with linear probing, load at
 * most one half, and each slot keeps its key's 64-bit hash, so a probe
 * compares strings only when the hashes agree.
 *
 * The hash reads eight bytes at a time (an identifier such as a purl is
 * 40-80 bytes: a handful of multiplies instead of one per byte).  It is
 * not keyed: the tables index names from one input, and a crafted input
 * that collides only makes its own lookups slower, as with any such
 * table.  Slot positions are internal; no caller's output depends on them.
 */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

#define MIX1 0xbf58476d1ce4e5b9ull
#define MIX2 0x94d049bb133111ebull

static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MIX1;
	return h ^ (h >> 31);
}

uint64_t tl__strhash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * MIX2), w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = mix(h, w);
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = mix(h, w);
	}
	h ^= h >> 32;
	h *= MIX2;
	return h ^ (h >> 29);
}

tl__strtab_slot *tl__strtab_get(const tl__strtab *t, const char *key)
{
	uint64_t h;

	if (!t->cap || !key)
		return NULL;
	h = tl__strhash(key, strlen(key));
	for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		tl__strtab_slot *e = &t->slots[i];
		if (!e->key)
			return NULL;
		if (e->h == h && strcmp(e->key, key) == 0)
			return e;
	}
}

void tl__strtab_get_batch(const tl__strtab *t, const char *const *keys, size_t n, tl__strtab_slot **out)
{
	enum { BATCH = 16 };
	uint64_t h[BATCH];

	if (!t->cap) {
		for (size_t i = 0; i < n; i++)
			out[i] = NULL;
		return;
	}
	for (size_t at = 0; at < n; at += BATCH) {
		size_t m = n - at < BATCH ? n - at : BATCH;
		/* the hashes, each first slot on its way into the cache */
		for (size_t j = 0; j < m; j++) {
			const char *k = keys[at + j];
			h[j] = k ? tl__strhash(k, strlen(k)) : 0;
			__builtin_prefetch(&t->slots[h[j] & (t->cap - 1)]);
		}
		/* the first slot of the same hash, its key on its way */
		for (size_t j = 0; j < m; j++) {
			tl__strtab_slot *e = NULL;
			if (keys[at + j]) {
				for (size_t i = h[j] & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
					if (!t->slots[i].key)
						break;
					if (t->slots[i].h == h[j]) {
						e = &t->slots[i];
						__builtin_prefetch(e->key);
						break;
					}
				}
			}
			out[at + j] = e;
		}
		/* the keys compared; another key of the same hash (rare) the slow way */
		for (size_t j = 0; j < m; j++)
			if (out[at + j] && strcmp(out[at + j]->key, keys[at + j]) != 0)
				out[at + j] = tl__strtab_get(t, keys[at + j]);
	}
}

static tl_err grow_to(tl__strtab *t, size_t cap)
{
	tl__strtab_slot *slots;

	if (cap < t->cap || cap > SIZE_MAX / sizeof(*slots) || !(slots = calloc(cap, sizeof(*slots))))
		return tl__nomem();
	for (size_t k = 0; k < t->cap; k++) {
		size_t i;
		if (!t->slots[k].key)
			continue;
		for (i = t->slots[k].h & (cap - 1); slots[i].key; i = (i + 1) & (cap - 1))
			;
		slots[i] = t->slots[k];
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return TL_OK;
}

static tl_err grow(tl__strtab *t)
{
	return grow_to(t, t->cap ? t->cap * 2 : 64);
}

tl_err tl__strtab_reserve(tl__strtab *t, size_t n)
{
	size_t cap = t->cap ? t->cap : 64;

	if (n > SIZE_MAX / 2 - t->n)
		return tl__nomem();
	while (cap < 2 * (t->n + n)) {
		if (cap > SIZE_MAX / 2)
			return tl__nomem();
		cap *= 2;
	}
	return cap > t->cap ? grow_to(t, cap) : TL_OK;
}

void tl__strtab_prefetch(const tl__strtab *t, uint64_t h)
{
	if (t->cap)
		__builtin_prefetch(&t->slots[h & (t->cap - 1)]);
}

tl_err tl__strtab_put(tl__strtab *t, const char *key, tl__strtab_slot **out, bool *added)
{
	return tl__strtab_put_hashed(t, key, tl__strhash(key, strlen(key)), out, added);
}

tl_err tl__strtab_put_hashed(tl__strtab *t, const char *key, uint64_t h, tl__strtab_slot **out, bool *added)
{
	size_t i;
	tl_err err;

	*out = NULL;
	if (added)
		*added = false;
	if (t->cap) {
		for (i = h & (t->cap - 1); t->slots[i].key; i = (i + 1) & (t->cap - 1)) {
			if (t->slots[i].h == h && strcmp(t->slots[i].key, key) == 0) {
				*out = &t->slots[i];
				return TL_OK;
			}
		}
	}
	if ((t->n + 1) * 2 > t->cap && (err = grow(t)) != TL_OK)
		return err;
	for (i = h & (t->cap - 1); t->slots[i].key; i = (i + 1) & (t->cap - 1))
		;
	if (t->own_keys && !(key = strdup(key)))
		return tl__nomem();
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	t->slots[i].h = h;
	t->slots[i].key = key;
	t->n++;
	*out = &t->slots[i];
	if (added)
		*added = true;
	return TL_OK;
}

void tl__strtab_dispose(tl__strtab *t)
{
	if (t->own_keys)
		for (size_t i = 0; i < t->cap; i++)
			free((char *)t->slots[i].key);
	free(t->slots);
	t->slots = NULL;
	t->cap = t->n = 0;
}
