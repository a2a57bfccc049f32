/*
 * Reports of findings: the format dispatch, the aligned table and the
 * JSON document ("trustline-findings/1", docs/matching.md).  SARIF,
 * CycloneDX VDR and HTML live in their own files (report_sarif.c,
 * report_cdx.c, report_html.c; docs/reports.md).
 *
 * JSON document:
 *   { "format": "trustline-findings", "version": 1,
 *     "summary": { "findings": N, "active": N, "kev": N,
 *                  "by_severity": { "critical": N, ... "unknown": N } },   (active ones)
 *     "findings": [ { every field of tl_finding; absent values are null,
 *                     scores < 0 are null, aliases an array } ... ] }
 * Keys sorted, two-space indentation: the same findings give the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln_int.h"

tl_err tl_report_format_parse(const char *name, tl_report_format *out)
{
	static const struct {
		const char *name;
		tl_report_format fmt;
	} names[] = {
		{ "table", TL_REPORT_TABLE },   { "json", TL_REPORT_JSON }, { "sarif", TL_REPORT_SARIF },
		{ "cyclonedx", TL_REPORT_CYCLONEDX }, { "html", TL_REPORT_HTML },
	};

	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i].name)) {
			*out = names[i].fmt;
			return TL_OK;
		}
	}
	return tl__error(TL_EINVAL, "unknown report format \"%.40s\" (expected table, json, sarif, cyclonedx or html)",
	                 name ? name : "");
}

/* The status column: patched, a VEX status, or open. */
static const char *status_of(const tl_finding *f)
{
	if (f->patched)
		return "patched";
	if (f->vex_status != TL_VEX_NONE)
		return tl_vex_status_name(f->vex_status);
	return "open";
}

static double best_score(const tl_finding *f)
{
	return f->cvss4_score > f->cvss3_score ? f->cvss4_score : f->cvss3_score;
}

/* Counts of active findings by severity (index tl_severity). */
static void counts(const tl_findings *f, size_t by_sev[6], size_t *active, size_t *kev)
{
	memset(by_sev, 0, 6 * sizeof(size_t));
	*active = *kev = 0;
	for (size_t i = 0; i < f->n; i++) {
		const tl_finding *x = &f->v[i];
		if (!tl_finding_is_active(x))
			continue;
		(*active)++;
		if ((unsigned)x->severity < 6)
			by_sev[x->severity]++;
		if (x->kev)
			(*kev)++;
	}
}

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

/* One table cell padded to width w and two spaces; w 0: the last cell and a newline. */
static tl_err cell_put(tl_buf *out, const char *s, size_t w)
{
	static const char spaces[] = "                                                                ";
	size_t n = strlen(s);
	tl_err err = tl_buf_put(out, s, n);

	if (w == 0)
		return err == TL_OK ? tl_buf_putc(out, '\n') : err;
	for (n = w - n + 2; err == TL_OK && n > 0;) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		err = tl_buf_put(out, spaces, k);
		n -= k;
	}
	return err;
}

static tl_err report_table(tl_buf *out, const tl_findings *f)
{
	static const char *const head[8] = { "ID", "SEVERITY", "CVSS", "KEV", "COMPONENT", "VERSION",
	                                     "FIXED", "STATUS" };
	size_t w[8], by_sev[6], active, kev;
	char score[16];
	tl_err err = TL_OK;

	for (int k = 0; k < 8; k++)
		w[k] = strlen(head[k]);
	for (int pass = 0; pass < 2 && err == TL_OK; pass++) {
		if (pass == 1 && f->n) {
			for (int k = 0; k < 8 && err == TL_OK; k++)
				err = cell_put(out, head[k], k < 7 ? w[k] : 0);
		}
		for (size_t i = 0; i < f->n && err == TL_OK; i++) {
			const tl_finding *x = &f->v[i];
			const char *cell[8];
			double s = best_score(x);
			if (s >= 0)
				snprintf(score, sizeof(score), "%.1f", s);
			else
				snprintf(score, sizeof(score), "-");
			cell[0] = x->id;
			cell[1] = tl_severity_name(x->severity);
			cell[2] = score;
			cell[3] = x->kev ? "yes" : "-";
			cell[4] = or_dash(x->component_name ? x->component_name : x->component_ref);
			cell[5] = or_dash(x->component_version);
			cell[6] = or_dash(x->fixed_version);
			cell[7] = status_of(x);
			for (int k = 0; k < 8 && err == TL_OK; k++) {
				if (pass == 0) {
					size_t n = strlen(cell[k]);
					w[k] = n > w[k] ? n : w[k];
				} else {
					err = cell_put(out, cell[k], k < 7 ? w[k] : 0);
				}
			}
		}
	}
	if (err != TL_OK)
		return err;
	counts(f, by_sev, &active, &kev);
	return tl_buf_printf(out,
	                     "%zu active finding%s (critical %zu, high %zu, medium %zu, low %zu, none %zu,"
	                     " unknown %zu; %zu in KEV); %zu patched or resolved by VEX\n",
	                     active, active == 1 ? "" : "s", by_sev[TL_SEV_CRITICAL], by_sev[TL_SEV_HIGH],
	                     by_sev[TL_SEV_MEDIUM], by_sev[TL_SEV_LOW], by_sev[TL_SEV_NONE],
	                     by_sev[TL_SEV_UNKNOWN], kev, f->n - active);
}

/*
 * The JSON report is written directly, not built as jansson values and
 * dumped: for thousands of findings the tree, its key hashing, sorting
 * and freeing cost several times the matching itself.  The bytes are the
 * ones json_dumps(JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(4))
 * gives for that tree: keys written in sorted (strcmp) order, ": " and
 * ",\n" with two spaces per level, "[]" for an empty array, strings
 * escaped as jansson does (\" \\ \b \f \n \r \t, other control characters
 * \u00XX, UTF-8 kept), and strings that are not valid UTF-8 refused as
 * json_string() refuses them.
 */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* The end of the run of bytes from p (before end) that go out as they
 * are: printable ASCII other than '"' and '\\'.  The summaries and
 * evidence of thousands of findings are most of a report's bytes. */
static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
	return p + tl__json_ascii_len((const char *)p, (size_t)(end - p));
}

/* s as a JSON string, or null when s is NULL. */
static tl_err put_str(tl_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run, *end;
	tl_err err = TL_OK;

	if (!s)
		return tl_buf_put(out, "null", 4);
	end = p + strlen(s);
	if (plain_run(p, end) == end) {
		/* nothing to escape: the quotes and the bytes in one go */
		size_t n = (size_t)(end - p);
		char *w;
		if (n > SIZE_MAX - 2 || (err = tl__buf_reserve(out, n + 2)) != TL_OK)
			return err != TL_OK ? err : tl__nomem();
		w = out->ptr + out->len;
		w[0] = '"';
		memcpy(w + 1, s, n);
		w[n + 1] = '"';
		w[n + 2] = '\0';
		out->len += n + 2;
		return TL_OK;
	}
	if ((err = tl_buf_putc(out, '"')) != TL_OK)
		return err;
	for (run = p; *p && err == TL_OK;) {
		const char *esc = NULL;
		char u[8];
		size_t k;

		p = plain_run(p, end); /* the common case: printable ASCII */
		if (p == end)
			break;
		if (*p >= 0x80) {
			if (!(k = utf8_seq(p, (size_t)(end - p))))
				return tl__error(TL_EINVAL, "finding: string is not valid UTF-8 (offset %zu)",
				                 (size_t)(p - (const unsigned char *)s));
			p += k;
			continue;
		}
		switch (*p) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			snprintf(u, sizeof(u), "\\u%04X", (unsigned)*p);
			esc = u;
			break;
		}
		err = tl_buf_put(out, run, (size_t)(p - run));
		if (err == TL_OK)
			err = tl_buf_puts(out, esc);
		run = ++p;
	}
	if (err == TL_OK)
		err = tl_buf_put(out, run, (size_t)(p - run));
	return err == TL_OK ? tl_buf_putc(out, '"') : err;
}

/* A score as jansson prints a real with precision 4 ("%.4g", ".0" added
 * when that has neither '.' nor 'e'), or null when v < 0. */
static tl_err put_score(tl_buf *out, double v)
{
	char t[32];
	int n;

	if (v < 0)
		return tl_buf_put(out, "null", 4);
	n = snprintf(t, sizeof(t) - 2, "%.4g", v);
	if (n < 0 || (size_t)n >= sizeof(t) - 2)
		return tl__error(TL_EINVAL, "finding: score out of range");
	if (!strchr(t, '.') && !strchr(t, 'e'))
		memcpy(t + n, ".0", 3);
	return tl_buf_puts(out, t);
}

static tl_err put_bool(tl_buf *out, bool v)
{
	return v ? tl_buf_put(out, "true", 4) : tl_buf_put(out, "false", 5);
}

/* One finding at level 2 (the array's items); keys in strcmp order. */
static tl_err finding_put(tl_buf *out, const tl_finding *x)
{
	tl_err err;

#define TRY(e)                          \
	do {                                \
		if ((err = (e)) != TL_OK)       \
			return err;                 \
	} while (0)
#define KEY(k) TRY(tl_buf_put(out, ",\n      \"" k "\": ", sizeof(",\n      \"" k "\": ") - 1))
	TRY(tl_buf_puts(out, "    {\n      \"active\": "));
	TRY(put_bool(out, tl_finding_is_active(x)));
	KEY("aliases");
	if (!x->n_aliases) {
		TRY(tl_buf_put(out, "[]", 2));
	} else {
		TRY(tl_buf_putc(out, '['));
		for (size_t k = 0; k < x->n_aliases; k++) {
			TRY(tl_buf_puts(out, k ? ",\n        " : "\n        "));
			TRY(put_str(out, x->aliases[k]));
		}
		TRY(tl_buf_puts(out, "\n      ]"));
	}
	KEY("component_id");
	TRY(put_str(out, x->component_id));
	KEY("component_name");
	TRY(put_str(out, x->component_name));
	KEY("component_ref");
	TRY(put_str(out, x->component_ref));
	KEY("component_version");
	TRY(put_str(out, x->component_version));
	KEY("cvss3_score");
	TRY(put_score(out, x->cvss3_score));
	KEY("cvss3_vector");
	TRY(put_str(out, x->cvss3_vector));
	KEY("cvss4_score");
	TRY(put_score(out, x->cvss4_score));
	KEY("cvss4_vector");
	TRY(put_str(out, x->cvss4_vector));
	KEY("evidence");
	TRY(put_str(out, x->evidence));
	KEY("fixed_version");
	TRY(put_str(out, x->fixed_version));
	KEY("id");
	TRY(put_str(out, x->id));
	KEY("kev");
	TRY(put_bool(out, x->kev));
	KEY("kev_date_added");
	TRY(put_str(out, x->kev_date_added));
	KEY("kev_due_date");
	TRY(put_str(out, x->kev_due_date));
	KEY("patch_evidence");
	TRY(put_str(out, x->patch_evidence));
	KEY("patched");
	TRY(put_bool(out, x->patched));
	KEY("record");
	TRY(put_str(out, x->record));
	KEY("severity");
	TRY(put_str(out, tl_severity_name(x->severity)));
	KEY("source");
	TRY(put_str(out, x->source));
	KEY("summary");
	TRY(put_str(out, x->summary));
	KEY("vex_action");
	TRY(put_str(out, x->vex_action));
	KEY("vex_impact");
	TRY(put_str(out, x->vex_impact));
	KEY("vex_justification");
	TRY(put_str(out, x->vex_justification));
	KEY("vex_source");
	TRY(put_str(out, x->vex_source));
	KEY("vex_status");
	TRY(put_str(out, tl_vex_status_name(x->vex_status)));
	return tl_buf_puts(out, "\n    }");
#undef KEY
#undef TRY
}

static tl_err report_json(tl_buf *out, const tl_findings *f)
{
	size_t by_sev[6], active, kev;
	tl_err err;

	counts(f, by_sev, &active, &kev);
	/* root keys: findings, format, summary, version */
	if ((err = tl_buf_puts(out, "{\n  \"findings\": ")) != TL_OK)
		return err;
	if (!f->n) {
		err = tl_buf_put(out, "[]", 2);
	} else {
		err = tl_buf_put(out, "[\n", 2);
		for (size_t i = 0; i < f->n && err == TL_OK; i++) {
			if (i)
				err = tl_buf_put(out, ",\n", 2);
			if (err == TL_OK)
				err = finding_put(out, &f->v[i]);
		}
		if (err == TL_OK)
			err = tl_buf_puts(out, "\n  ]");
	}
	if (err != TL_OK)
		return err;
	/* summary keys: active, by_severity (critical, high, low, medium, none,
	 * unknown), findings, kev */
	return tl_buf_printf(out,
	                     ",\n  \"format\": \"trustline-findings\",\n  \"summary\": {\n"
	                     "    \"active\": %zu,\n    \"by_severity\": {\n"
	                     "      \"critical\": %zu,\n      \"high\": %zu,\n      \"low\": %zu,\n"
	                     "      \"medium\": %zu,\n      \"none\": %zu,\n      \"unknown\": %zu\n    },\n"
	                     "    \"findings\": %zu,\n    \"kev\": %zu\n  },\n  \"version\": 1\n}\n",
	                     active, by_sev[TL_SEV_CRITICAL], by_sev[TL_SEV_HIGH], by_sev[TL_SEV_LOW],
	                     by_sev[TL_SEV_MEDIUM], by_sev[TL_SEV_NONE], by_sev[TL_SEV_UNKNOWN], f->n, kev);
}

tl_err tl_vuln_report(tl_buf *out, tl_report_format fmt, const tl_findings *f, const tl_sbom *sbom)
{
	if (!out || !f)
		return tl__error(TL_EINVAL, "tl_vuln_report: NULL argument");
	switch (fmt) {
	case TL_REPORT_TABLE:
		return report_table(out, f);
	case TL_REPORT_JSON:
		return report_json(out, f);
	case TL_REPORT_SARIF:
		return tl__report_sarif(out, f, sbom);
	case TL_REPORT_CYCLONEDX:
		return tl__report_cyclonedx(out, f, sbom);
	case TL_REPORT_HTML:
		return tl__report_html(out, f, sbom);
	}
	return tl__error(TL_EUNSUPPORTED, "report format %d is not known", (int)fmt);
}
