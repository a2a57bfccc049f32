/*
 * Binary version signatures: every ELF file's bytes, handed over by the
 * scan driver during its one walk, are matched against every signature of
 * binsig_table.c in one pass.
 *
 *   engine     how                                         when
 *   hyperscan  one block-mode database of all patterns,    libhs found at build
 *              HS_FLAG_SINGLEMATCH (first match of each)
 *   pcre2      each pattern JIT-compiled, first match       otherwise
 *
 * A match gives only where it ends.  The version is then read with PCRE2
 * from a small window: for a strong row, "(?:re)\z" over the
 * TL__BINSIG_MAX_MATCH bytes before the end (the groups are the version);
 * for a near row, every candidate of `ver` within `window` bytes of the
 * anchor, the nearest one winning.  So the long scan is one automaton and
 * the extraction never sees more than a few kilobytes.
 *
 * Limits: identifications kept per scan TL__BINSIG_MAX_HITS (the rest are
 * dropped, counted in n_dropped); a version is at most 64 bytes of
 * [0-9A-Za-z.+~_-] (anything else is not reported).
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#ifdef TL_HAVE_HYPERSCAN
#include <hs/hs.h>
#endif

#include "scan/scan_int.h"

#define MAX_HITS 100000
#define MAX_VERSION 64
#define MAX_TEXT 160

struct tl__binsig {
	pcre2_code **extract;     /* per row: strong "(?:re)\z"; near: ver */
	pcre2_code **full;        /* per row, PCRE2 engine only: re */
	pcre2_match_data *md;
#ifdef TL_HAVE_HYPERSCAN
	hs_database_t *db;
	hs_scratch_t *scratch;
#endif
	uint64_t *ends;           /* per row: end of its first match + 1, 0: none */
	uint64_t base;            /* offset of the block being scanned */
	tl__binsig_hit *hits;     /* recorded by tl__binsig_scan */
	size_t n_hits;
	size_t n_dropped;
	bool shared;              /* a clone: extract, full and db are the original's */
};

const char *tl__binsig_engine(const tl__binsig *bs)
{
#ifdef TL_HAVE_HYPERSCAN
	return bs && bs->db ? "hyperscan" : "pcre2";
#else
	(void)bs;
	return "pcre2";
#endif
}

static tl_err compile_one(pcre2_code **out, const char *re, const char *suffix, size_t row)
{
	tl_buf b = TL_BUF_INIT;
	tl_err err;
	int code;
	PCRE2_SIZE eoff;

	*out = NULL;
	if ((err = tl_buf_printf(&b, "(?:%s)%s", re, suffix)) != TL_OK)
		goto done;
	if (!(*out = pcre2_compile((PCRE2_SPTR)b.ptr, b.len, 0, &code, &eoff, NULL))) {
		PCRE2_UCHAR msg[128];
		pcre2_get_error_message(code, msg, sizeof(msg));
		err = tl__error(TL_EINVAL, "binsig_table.c: row %zu (%s): PCRE2: %s at offset %zu", row,
		                tl__binsig_defs[row].name, (const char *)msg, (size_t)eoff);
		goto done;
	}
	(void)pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE); /* the interpreter is the fallback */
done:
	tl_buf_dispose(&b);
	return err;
}

void tl__binsig_hit_dispose(tl__binsig_hit *h)
{
	if (!h)
		return;
	free(h->version);
	free(h->release);
	free(h->text);
	free(h->path);
	memset(h, 0, sizeof(*h));
}

void tl__binsig_free(tl__binsig *bs)
{
	if (!bs)
		return;
	for (size_t i = 0; !bs->shared && i < tl__binsig_n_defs; i++) {
		if (bs->extract)
			pcre2_code_free(bs->extract[i]);
		if (bs->full)
			pcre2_code_free(bs->full[i]);
	}
	if (!bs->shared) {
		free(bs->extract);
		free(bs->full);
	}
	pcre2_match_data_free(bs->md);
#ifdef TL_HAVE_HYPERSCAN
	hs_free_scratch(bs->scratch);
	if (!bs->shared)
		hs_free_database(bs->db);
#endif
	for (size_t i = 0; i < bs->n_hits; i++)
		tl__binsig_hit_dispose(&bs->hits[i]);
	free(bs->hits);
	free(bs->ends);
	free(bs);
}

#ifdef TL_HAVE_HYPERSCAN
#ifdef TL_HAVE_HSDB
/* The database compiled at build time (tools/binsig_hsdb.c). */
extern const unsigned char tl__binsig_hsdb[];
extern const size_t tl__binsig_hsdb_len, tl__binsig_hsdb_rows;
#endif

static tl_err compile_hs(tl__binsig *bs)
{
	tl_err err = TL_OK;
	const char **pats = NULL;
	unsigned *flags = NULL, *ids = NULL;
	hs_compile_error_t *cerr = NULL;
	size_t n = tl__binsig_n_defs;

#ifdef TL_HAVE_HSDB
	/* the serialised database, unless this CPU lacks a feature it was
	 * built for (HS_DB_PLATFORM_ERROR): then compile, as below */
	if (tl__binsig_hsdb_rows == n &&
	    hs_deserialize_database((const char *)tl__binsig_hsdb, tl__binsig_hsdb_len, &bs->db) != HS_SUCCESS)
		bs->db = NULL;
	if (bs->db)
		goto scratch;
#endif
	if (!(pats = calloc(n, sizeof(*pats))) || !(flags = calloc(n, sizeof(*flags))) || !(ids = calloc(n, sizeof(*ids)))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		pats[i] = tl__binsig_defs[i].re;
		flags[i] = TL__BINSIG_HS_FLAGS;
		ids[i] = (unsigned)i;
	}
	if (hs_compile_multi(pats, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &bs->db, &cerr) != HS_SUCCESS) {
		err = tl__error(TL_EINVAL, "binsig_table.c: row %d: Hyperscan: %s", cerr ? cerr->expression : -1,
		                cerr && cerr->message ? cerr->message : "compile failed");
		goto done;
	}
#ifdef TL_HAVE_HSDB
scratch:
#endif
	if (hs_alloc_scratch(bs->db, &bs->scratch) != HS_SUCCESS) {
		err = tl__nomem();
		goto done;
	}
done:
	hs_free_compile_error(cerr);
	free(pats);
	free(flags);
	free(ids);
	return err;
}

static int on_hs_match(unsigned id, unsigned long long from, unsigned long long to, unsigned fl, void *ctx)
{
	tl__binsig *bs = ctx;

	(void)from;
	(void)fl;
	if (id < tl__binsig_n_defs && !bs->ends[id])
		bs->ends[id] = bs->base + (uint64_t)to + 1;
	return 0;
}
#endif

tl_err tl__binsig_new(tl__binsig **out)
{
	tl_err err = TL_OK;
	tl__binsig *bs = calloc(1, sizeof(*bs));
	size_t n = tl__binsig_n_defs;

	*out = NULL;
	if (!bs || !(bs->extract = calloc(n, sizeof(*bs->extract))) || !(bs->ends = calloc(n, sizeof(*bs->ends))) ||
	    !(bs->md = pcre2_match_data_create(16, NULL))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const tl__binsig_def *d = &tl__binsig_defs[i];
		if ((err = d->ver ? compile_one(&bs->extract[i], d->ver, "", i) : compile_one(&bs->extract[i], d->re, "\\z", i)) !=
		    TL_OK)
			goto done;
	}
#ifdef TL_HAVE_HYPERSCAN
	err = compile_hs(bs);
#else
	if (!(bs->full = calloc(n, sizeof(*bs->full)))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < n && !err; i++)
		err = compile_one(&bs->full[i], tl__binsig_defs[i].re, "", i);
#endif
	if (err)
		goto done;
	*out = bs;
	bs = NULL;
done:
	tl__binsig_free(bs);
	return err;
}

tl_err tl__binsig_clone(tl__binsig **out, const tl__binsig *bs)
{
	tl_err err = TL_OK;
	tl__binsig *c;

	*out = NULL;
	if (!bs)
		return TL_OK;
	if (!(c = calloc(1, sizeof(*c))) || !(c->ends = calloc(tl__binsig_n_defs, sizeof(*c->ends))) ||
	    !(c->md = pcre2_match_data_create(16, NULL))) {
		err = tl__nomem();
		goto done;
	}
	c->shared = true;
	c->extract = bs->extract;
	c->full = bs->full;
#ifdef TL_HAVE_HYPERSCAN
	c->db = bs->db;
	if (c->db && hs_clone_scratch(bs->scratch, &c->scratch) != HS_SUCCESS) {
		err = tl__nomem();
		goto done;
	}
#endif
	*out = c;
	c = NULL;
done:
	tl__binsig_free(c);
	return err;
}

void tl__binsig_take(tl__binsig *bs, tl__binsig_hit **hits, size_t *n)
{
	*hits = NULL;
	*n = 0;
	if (!bs)
		return;
	*hits = bs->hits;
	*n = bs->n_hits;
	bs->hits = NULL;
	bs->n_hits = 0;
}

tl_err tl__binsig_put(tl__binsig *bs, tl__binsig_hit *hits, size_t n)
{
	tl_err err = TL_OK;
	size_t i = 0;

	for (; bs && i < n; i++) {
		tl__binsig_hit *slot;
		if (bs->n_hits >= MAX_HITS) {
			bs->n_dropped++;
			tl__binsig_hit_dispose(&hits[i]);
			continue;
		}
		if ((err = tl__array_grow((void **)&bs->hits, &bs->n_hits, sizeof(*bs->hits), (void **)&slot)) != TL_OK)
			break;
		*slot = hits[i];
	}
	for (; i < n; i++)
		tl__binsig_hit_dispose(&hits[i]);
	free(hits);
	return err;
}

static bool version_ok(const char *s, size_t n)
{
	if (n == 0 || n > MAX_VERSION)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
		      c == '~' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* The version from the groups of the last match of code over subj. */
static tl_err read_version(char **out, const tl__binsig_def *d, pcre2_match_data *md, const uint8_t *subj, int rc)
{
	tl_err err = TL_OK;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	int groups = (d->flags & TL__BINSIG_KERNEL) ? 2 : rc;
	tl_buf b = TL_BUF_INIT;

	*out = NULL;
	for (int g = 1; g < groups; g++) {
		const char *s = (const char *)subj + ov[2 * g];
		size_t n;
		if (ov[2 * g] == PCRE2_UNSET)
			continue;
		n = ov[2 * g + 1] - ov[2 * g];
		if (b.len && (err = tl_buf_putc(&b, '.')) != TL_OK)
			goto done;
		if (d->flags & TL__BINSIG_NUMJOIN) {
			/* a decimal number without its leading zeros ("09" is 9) */
			while (n > 1 && *s == '0') {
				s++;
				n--;
			}
		}
		if ((err = tl_buf_put(&b, s, n)) != TL_OK)
			goto done;
	}
	if (version_ok(b.ptr ? b.ptr : "", b.len))
		*out = tl_buf_detach(&b);
done:
	tl_buf_dispose(&b);
	return err;
}

static tl_err printable(char **out, const uint8_t *p, size_t n)
{
	char *s;

	if (n > MAX_TEXT)
		n = MAX_TEXT;
	if (!(s = malloc(n + 1)))
		return tl__nomem();
	for (size_t i = 0; i < n; i++)
		s[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	s[n] = '\0';
	*out = s;
	return TL_OK;
}

/* Reads the identification of row i, whose first match ends at end. */
static tl_err extract(tl__binsig *bs, size_t i, const uint8_t *data, size_t len, size_t end, tl__binsig_hit *h)
{
	const tl__binsig_def *d = &tl__binsig_defs[i];
	pcre2_code *code = bs->extract[i];
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(bs->md);
	tl_err err = TL_OK;
	int rc;

	memset(h, 0, sizeof(*h));
	h->sig = i;
	if (!d->ver) {
		size_t start = end > TL__BINSIG_MAX_MATCH ? end - TL__BINSIG_MAX_MATCH : 0;
		rc = pcre2_match(code, data + start, end - start, 0, 0, bs->md, NULL);
		if (rc <= 0)
			goto done; /* Hyperscan and PCRE2 disagree: report nothing */
		h->offset = start + ov[0];
		if ((err = read_version(&h->version, d, bs->md, data + start, rc)) != TL_OK ||
		    (err = printable(&h->text, data + start + ov[0], ov[1] - ov[0])) != TL_OK)
			goto done;
		if ((d->flags & TL__BINSIG_KERNEL) && rc > 2 && ov[4] != PCRE2_UNSET) {
			/* vermagic release: "6.1.0" pins the version, "6.1.0-28-amd64" does not */
			size_t n = ov[5] - ov[4];
			if (n) {
				size_t rn = ov[5] - ov[2];
				if (!(h->release = strndup((const char *)data + start + ov[2], rn))) {
					err = tl__nomem();
					goto done;
				}
				free(h->version);
				h->version = NULL;
			}
		}
	} else {
		size_t lo = end > d->window ? end - d->window : 0;
		size_t hi = len - end > d->window ? end + d->window : len;
		size_t off = 0, best = SIZE_MAX, best_s = 0, best_e = 0;
		int best_rc = 0;
		char *best_v = NULL;
		/* every candidate in the window; the nearest to the anchor wins */
		while (off < hi - lo && (rc = pcre2_match(code, data + lo, hi - lo, off, 0, bs->md, NULL)) > 0) {
			size_t s = lo + ov[0], e = lo + ov[1];
			size_t dist = e <= end ? end - e : s >= end ? s - end : 0;
			if (dist < best) {
				char *v = NULL;
				if ((err = read_version(&v, d, bs->md, data + lo, rc)) != TL_OK)
					goto done;
				if (v) {
					free(best_v);
					best_v = v;
					best = dist;
					best_s = s;
					best_e = e;
					best_rc = rc;
				}
			}
			/* candidates may share their delimiting NUL: step one byte past the start */
			off = ov[0] + 1;
		}
		(void)best_rc;
		if (best_v) {
			h->version = best_v;
			h->offset = best_s;
			if ((err = printable(&h->text, data + best_s, best_e - best_s)) != TL_OK)
				goto done;
		}
	}
done:
	if (err)
		tl__binsig_hit_dispose(h);
	return err;
}

tl_err tl__binsig_match(tl__binsig *bs, const uint8_t *data, size_t len, tl__binsig_hit **hits, size_t *n)
{
	tl_err err = TL_OK;
	size_t nd = tl__binsig_n_defs;

	memset(bs->ends, 0, nd * sizeof(*bs->ends));
	if (len == 0)
		return TL_OK;
#ifdef TL_HAVE_HYPERSCAN
	{
		/* Hyperscan takes an unsigned int length: scan in overlapping blocks */
		const size_t block = (size_t)1 << 30;
		size_t off = 0;
		for (;;) {
			size_t n_here = len - off > block ? block : len - off;
			hs_error_t he;
			bs->base = off;
			he = hs_scan(bs->db, (const char *)data + off, (unsigned)n_here, 0, bs->scratch, on_hs_match, bs);
			if (he != HS_SUCCESS)
				return tl__error(TL_EINVAL, "binsig: Hyperscan scan failed (%d)", (int)he);
			if (off + n_here >= len)
				break;
			off += n_here - TL__BINSIG_MAX_MATCH;
		}
	}
#else
	for (size_t i = 0; i < nd; i++) {
		int rc = pcre2_match(bs->full[i], data, len, 0, 0, bs->md, NULL);
		if (rc > 0)
			bs->ends[i] = pcre2_get_ovector_pointer(bs->md)[1] + 1;
	}
#endif
	for (size_t i = 0; i < nd; i++) {
		tl__binsig_hit h, *slot;
		if (!bs->ends[i])
			continue;
		if ((err = extract(bs, i, data, len, (size_t)(bs->ends[i] - 1), &h)) != TL_OK)
			return err;
		if (!h.version && !h.release) {
			tl__binsig_hit_dispose(&h);
			continue;
		}
		if (*n >= MAX_HITS) {
			tl__binsig_hit_dispose(&h);
			bs->n_dropped++;
			continue;
		}
		if ((err = tl__array_grow((void **)hits, n, sizeof(**hits), (void **)&slot)) != TL_OK) {
			tl__binsig_hit_dispose(&h);
			return err;
		}
		*slot = h;
	}
	return err;
}

tl_err tl__binsig_scan(tl__binsig *bs, const tl__node *node, const uint8_t *data, size_t len)
{
	size_t first;
	tl_err err;

	if (!bs)
		return TL_OK;
	first = bs->n_hits;
	if ((err = tl__binsig_match(bs, data, len, &bs->hits, &bs->n_hits)) != TL_OK)
		return err;
	for (size_t i = first; i < bs->n_hits; i++) {
		if (!(bs->hits[i].path = strdup(node->path)))
			return tl__nomem();
	}
	return TL_OK;
}

static tl_err make_ids(const tl__binsig_def *d, const char *version, char **purl, char **cpe)
{
	tl_purl p = { 0 };
	tl_cpe c;
	char any[] = "*";
	tl_err err;

	p.type = (char *)"generic";
	p.name = (char *)d->name;
	p.version = (char *)version;
	if ((err = tl_purl_build(purl, &p)) != TL_OK)
		return err;
	c.part = (char *)(d->type == TL_COMP_OPERATING_SYSTEM ? "o" : "a");
	c.vendor = (char *)d->vendor;
	c.product = (char *)d->product;
	c.version = version ? (char *)version : any;
	c.update = c.edition = c.language = c.sw_edition = c.target_sw = c.target_hw = c.other = any;
	return tl_cpe_build(cpe, &c);
}

static bool has_file(const tl_sbom_component *c, const char *path)
{
	for (size_t i = 0; i < c->n_files; i++) {
		if (!strcmp(c->files[i], path))
			return true;
	}
	return false;
}

/* One identification in a file no package owns: a component per (name, version). */
static tl_err add_identified(tl_sbom *doc, const tl__binsig_hit *h, const char *file)
{
	const tl__binsig_def *d = &tl__binsig_defs[h->sig];
	tl_err err = TL_OK;
	char *purl = NULL, *cpe = NULL;
	tl_sbom_component *comp = NULL;
	tl_buf b = TL_BUF_INIT;

	if ((err = make_ids(d, h->version, &purl, &cpe)) != TL_OK)
		goto done;
	for (size_t i = 0; i < doc->n_components && !comp; i++) {
		if (doc->components[i].ref && !strcmp(doc->components[i].ref, purl))
			comp = &doc->components[i];
	}
	if (!comp) {
		if ((err = tl_sbom_add_component(doc, &comp)) != TL_OK)
			goto done;
		comp->type = d->type;
		if (!(comp->name = strdup(d->name)) || (h->version && !(comp->version = strdup(h->version))) ||
		    !(comp->ref = strdup(purl))) {
			err = tl__nomem();
			goto done;
		}
		comp->purl = purl;
		comp->cpe = cpe;
		purl = cpe = NULL;
		if ((err = tl_sbom_component_add_prop(comp, "trustline:evidence:method", "binary-signature")) != TL_OK)
			goto done;
	}
	if (!has_file(comp, file) && (err = tl_sbom_component_add_file(comp, file)) != TL_OK)
		goto done;
	if ((err = tl_buf_printf(&b, "%s:%llu", file, (unsigned long long)h->offset)) != TL_OK ||
	    (err = tl_sbom_component_add_prop(comp, "trustline:evidence:offset", b.ptr)) != TL_OK)
		goto done;
	tl_buf_clear(&b);
	if ((err = tl_buf_printf(&b, "%s:%llu: %s", file, (unsigned long long)h->offset, h->text ? h->text : "")) !=
	        TL_OK ||
	    (err = tl_sbom_component_add_prop(comp, "trustline:evidence:text", b.ptr)) != TL_OK)
		goto done;
	tl_buf_clear(&b);
	if ((err = tl_buf_printf(&b, "%s: %u.%02u", file, d->confidence / 100, d->confidence % 100)) != TL_OK ||
	    (err = tl_sbom_component_add_prop(comp, "trustline:evidence:confidence", b.ptr)) != TL_OK)
		goto done;
	if (h->release) {
		tl_buf_clear(&b);
		if ((err = tl_buf_printf(&b, "%s: %s", file, h->release)) != TL_OK ||
		    (err = tl_sbom_component_add_prop(comp, "trustline:linux:release", b.ptr)) != TL_OK)
			goto done;
	}
done:
	free(purl);
	free(cpe);
	tl_buf_dispose(&b);
	return err;
}

tl_err tl__binsig_catalog(tl__binsig *bs, tl_sbom *doc, const tl__tree *tree, size_t *n_found)
{
	tl_err err = TL_OK;
	tl_buf file = TL_BUF_INIT, b = TL_BUF_INIT;

	if (n_found)
		*n_found = 0;
	if (!bs)
		return TL_OK;
	for (size_t i = 0; i < bs->n_hits; i++) {
		const tl__binsig_hit *h = &bs->hits[i];
		const tl__binsig_def *d = &tl__binsig_defs[h->sig];
		const tl__node *nd = h->path ? tl__tree_get(tree, h->path) : NULL;
		if (!nd)
			continue;
		tl_buf_clear(&file);
		if ((err = tl_buf_printf(&file, "/%s", h->path)) != TL_OK)
			goto done;
		if (nd->owner >= 0 && (size_t)nd->owner < doc->n_components) {
			/* a packaged binary is reported under its package, not twice */
			tl_buf_clear(&b);
			if ((err = tl_buf_printf(&b, "%s %s %s:%llu", d->name, h->version ? h->version : h->release, file.ptr,
			                         (unsigned long long)h->offset)) != TL_OK ||
			    (err = tl_sbom_component_add_prop(&doc->components[nd->owner], "trustline:binsig:identified",
			                                      b.ptr)) != TL_OK)
				goto done;
		} else if ((err = add_identified(doc, h, file.ptr)) != TL_OK) {
			goto done;
		}
		if (n_found)
			(*n_found)++;
	}
done:
	tl_buf_dispose(&file);
	tl_buf_dispose(&b);
	return err;
}
