/*
 * Fuzz target for the Debian files the dpkg cataloger reads beside the
 * status database: changelog.Debian.gz (gzip, then the changelog parser)
 * and info/<pkg>.md5sums.  Input that starts with the gzip magic is
 * inflated first (at most 1 MiB here); the text is parsed with and without
 * a source name.  Checked: the result is "CVE-YYYY-N=VERSION" tokens in
 * strictly increasing id order, and the md5sums reader does not move on an
 * error and always moves on success.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_cves(const char *s)
{
	char prev[32] = "";

	while (s && *s) {
		const char *sp = strchr(s, ' '), *eq = strchr(s, '=');
		size_t n = sp ? (size_t)(sp - s) : strlen(s);
		size_t idn;
		if (!eq || eq > s + n || strncmp(s, "CVE-", 4) != 0)
			abort();
		idn = (size_t)(eq - s);
		if (idn < 13 || idn > 18 || eq + 1 == s + n)
			abort();
		{
			char id[32];
			memcpy(id, s, idn);
			id[idn] = '\0';
			if (strcmp(prev, id) >= 0)
				abort();
			memcpy(prev, id, idn + 1);
		}
		s = sp ? sp + 1 : s + n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl_buf text = TL_BUF_INIT;
	const char *s = (const char *)data;
	size_t len = size;
	bool trunc = false;
	char *out = NULL;
	tl_reader r;

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if (tl__gunzip(&text, data, size, (size_t)1 << 20, &trunc) != TL_OK)
			goto done;
		if (text.len > ((size_t)1 << 20))
			abort();
		s = text.ptr ? text.ptr : "";
		len = text.len;
	}
	if (tl__changelog_cves(&out, s, len, NULL, &trunc) == TL_OK)
		check_cves(out);
	free(out);
	out = NULL;
	{
		/* without a source and with the first entry's name (the walk's
		 * worker): where that name is "curl" or there is none, the same
		 * answer as with the source "curl", success, failure or nothing
		 * found alike; CVEs for "curl" only where the first entry is its */
		char *any = NULL, *first = NULL;
		bool trunc_any = false;
		tl_err named = tl__changelog_cves(&out, s, len, "curl", &trunc);
		tl_err unnamed = tl__changelog_cves_any(&any, s, len, &trunc_any, &first);
		if (named == TL_OK)
			check_cves(out);
		if (!first || strcmp(first, "curl") == 0) {
			if ((named == TL_OK) != (unnamed == TL_OK))
				abort();
			if (named == TL_OK && ((!any) != (!out) || (any && strcmp(any, out) != 0) || trunc_any != trunc))
				abort();
		} else if (named == TL_OK && out) {
			abort();
		}
		free(any);
		free(first);
	}
	free(out);
	out = NULL;

	tl_reader_init(&r, s, len, "md5sums");
	for (;;) {
		uint8_t md5[16];
		const char *p;
		size_t n, before = r.off;
		tl_err err = tl__md5sums_next(&r, md5, &p, &n);
		if (err == TL_ENOTFOUND)
			break;
		if (err) {
			if (r.off < before)
				abort();
			break;
		}
		if (r.off <= before || p < s || p + n > s + len)
			abort();
	}
done:
	tl_buf_dispose(&text);
	return 0;
}
