/*
 * Alpine secdb (https://secdb.alpinelinux.org/<version>/<repo>.json, and
 * the YAML it is made from in alpinelinux/alpine-secdb).
 *
 *   field                        type                     stored (alpine_secfixes)
 *   distroversion                string, required ("v3.8")  distro
 *   reponame                     string, required ("main")  repo
 *   archs[], urlprefix, apkurl   checked types, not stored
 *   packages[]                   objects (null: none)
 *     pkg.name                   string, required         package
 *     pkg.secfixes               map: fixed version -> list of strings (null: none)
 *       "<version>": ["CVE-2019-10206", "CVE-2018-7540 XSA-252", ...]
 *                                each string split at blanks; one row per id
 *                                (fixed version "0": never affected in this repo)
 * Rows are keyed by (distro, repo, package, fixed, id): importing the same
 * entry again, from JSON or YAML, does not duplicate it.
 *
 * Limits: TL__VULN_MAX_STR per string, TL__VULN_MAX_ITEMS per array or map.
 */
#include <string.h>

#include "vuln_int.h"

/* Longest single id kept from a secfix string. */
#define ID_MAX 256

static tl_err secfix_ids(tl__import *im, const char *distro, const char *repo, const char *pkg,
                         const char *fixed, const char *s, const char *path)
{
	char id[ID_MAX + 1];
	tl_err err;

	while (*s) {
		size_t n = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		while (s[n] && s[n] != ' ' && s[n] != '\t')
			n++;
		if (!n)
			break;
		if (n > ID_MAX)
			return tl__error(TL_ELIMIT, "%s: %s: id longer than %d bytes", im->name, path, ID_MAX);
		memcpy(id, s, n);
		id[n] = '\0';
		if ((err = tl__db_secfix(im, distro, repo, pkg, fixed, id)) != TL_OK)
			return err;
		s += n;
	}
	return TL_OK;
}

tl_err tl__import_alpine(tl__import *im, const json_t *root)
{
	const json_t *pkgs, *archs;
	const char *distro, *repo, *s;
	char p[512], pf[800];
	tl_err err;

	if ((err = tl__jstr(im, root, "$", "distroversion", true, &distro)) != TL_OK ||
	    (err = tl__jstr(im, root, "$", "reponame", true, &repo)) != TL_OK ||
	    (err = tl__jstr(im, root, "$", "urlprefix", false, &s)) != TL_OK ||
	    (err = tl__jstr(im, root, "$", "apkurl", false, &s)) != TL_OK ||
	    (err = tl__jarr(im, root, "$", "archs", false, &archs)) != TL_OK ||
	    (err = tl__jarr(im, root, "$", "packages", false, &pkgs)) != TL_OK)
		return err;
	for (size_t i = 0; pkgs && i < json_array_size(pkgs); i++) {
		const json_t *entry = json_array_get(pkgs, i), *pkg, *fixes, *ids;
		const char *name, *fixed;
		char pp[600];
		tl__pathf(p, sizeof(p), "$.packages[%zu]", i);
		if (!json_is_object(entry))
			return tl__jerr(im, p, "expected an object");
		if ((err = tl__jobj(im, entry, p, "pkg", true, &pkg)) != TL_OK)
			return err;
		tl__pathf(pp, sizeof(pp), "%s.pkg", p);
		if ((err = tl__jstr(im, pkg, pp, "name", true, &name)) != TL_OK ||
		    (err = tl__jobj(im, pkg, pp, "secfixes", false, &fixes)) != TL_OK)
			return err;
		if (!fixes)
			continue;
		if (json_object_size(fixes) > TL__VULN_MAX_ITEMS)
			return tl__error(TL_ELIMIT, "%s: %s.secfixes: more than %u entries", im->name, pp,
			                 TL__VULN_MAX_ITEMS);
		json_object_foreach((json_t *)fixes, fixed, ids) {
			tl__pathf(pf, sizeof(pf), "%s.secfixes[\"%.64s\"]", pp, fixed);
			if (json_is_null(ids))
				continue;
			if (!json_is_array(ids))
				return tl__jerr(im, pf, "expected an array of strings");
			for (size_t k = 0; k < json_array_size(ids); k++) {
				const json_t *v = json_array_get(ids, k);
				char pk[900];
				tl__pathf(pk, sizeof(pk), "%s[%zu]", pf, k);
				if (json_is_null(v))
					continue;
				if (!json_is_string(v))
					return tl__jerr(im, pk, "expected a string");
				if ((err = secfix_ids(im, distro, repo, name, fixed, json_string_value(v), pk)) != TL_OK)
					return err;
			}
		}
	}
	return TL_OK;
}
