/*
 * Fuzz target for the version comparators (tl_version_compare).
 *
 * Input: one scheme byte (value % 5: deb, apk, rpm, semver, generic),
 * then up to three versions separated by NUL bytes.  Checks, aborting on
 * a violation:
 *   - validity does not depend on the other argument: a comparison
 *     succeeds exactly when both versions pass tl_version_check;
 *   - reflexivity: cmp(a, a) == 0;
 *   - antisymmetry: sign(cmp(a, b)) == -sign(cmp(b, a));
 *   - transitivity: a <= b and b <= c imply a <= c (with equality kept).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* Compares a and b; returns 0 and sets *c, or -1 when either is invalid. */
static int compare(tl_version_scheme s, const char *a, const char *b, int *c)
{
	int ok_a = tl_version_check(s, a) == TL_OK, ok_b = tl_version_check(s, b) == TL_OK;
	tl_err err = tl_version_compare(c, s, a, b);

	if ((err == TL_OK) != (ok_a && ok_b))
		abort();
	if (err != TL_OK)
		return -1;
	*c = sign(*c);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v[3] = { NULL, NULL, NULL };
	const uint8_t *p, *end = data + size;
	tl_version_scheme s;
	int n = 0, c, d, ab, bc, ac;

	if (size < 1)
		return 0;
	s = (tl_version_scheme)(data[0] % 5);
	p = data + 1;
	while (n < 3 && p <= end) {
		const uint8_t *z = memchr(p, 0, (size_t)(end - p));
		size_t len = z ? (size_t)(z - p) : (size_t)(end - p);
		v[n] = malloc(len + 1);
		if (!v[n])
			goto done;
		memcpy(v[n], p, len);
		v[n][len] = '\0';
		n++;
		if (!z)
			break;
		p = z + 1;
	}
	for (int i = 0; i < n; i++) {
		if (compare(s, v[i], v[i], &c) == 0 && c != 0)
			abort();
	}
	if (n >= 2 && compare(s, v[0], v[1], &c) == 0) {
		if (compare(s, v[1], v[0], &d) != 0 || c != -d)
			abort();
	}
	if (n == 3 && compare(s, v[0], v[1], &ab) == 0 && compare(s, v[1], v[2], &bc) == 0 &&
	    compare(s, v[0], v[2], &ac) == 0) {
		if (ab <= 0 && bc <= 0 && ac > 0)
			abort();
		if (ab >= 0 && bc >= 0 && ac < 0)
			abort();
		if (ab == 0 && bc == 0 && ac != 0)
			abort();
	}
done:
	for (int i = 0; i < 3; i++)
		free(v[i]);
	return 0;
}
