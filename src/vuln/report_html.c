/*
 * HTML vulnerability report: one self-contained page (docs/reports.md).
 *
 * Nothing is loaded from anywhere: the style sheet is inline, the chart is
 * inline SVG, there is no script, no image, no font and no link to another
 * origin, and a Content-Security-Policy of default-src 'none' (inline
 * styles only) tells the browser so.  Every string from the findings or
 * the SBOM is HTML-escaped (& < > " ').
 *
 *   header    the SBOM (subject, name, serial), the time (SOURCE_DATE_EPOCH)
 *   summary   counts: findings, open, suppressed (VEX or patch evidence),
 *             known exploited; an SVG bar chart of the findings per
 *             severity, open and suppressed stacked
 *   table     one row per finding in the findings' order: severity,
 *             vulnerability (id, aliases, summary), component, installed
 *             and fixed version, CVSS, KEV, triage, match evidence
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vuln_int.h"

#define N_SEV 6

static const tl_severity order[N_SEV] = { TL_SEV_CRITICAL, TL_SEV_HIGH, TL_SEV_MEDIUM,
	TL_SEV_LOW, TL_SEV_NONE, TL_SEV_UNKNOWN };
static const char *const colour[N_SEV] = { "#b71c1c", "#e65100", "#f9a825", "#2e7d32",
	"#546e7a", "#9e9e9e" };
#define SUPPRESSED_COLOUR "#cfd8dc"

typedef struct {
	tl_buf *out;
	tl_err err;
} w;

static void put(w *o, const char *s)
{
	if (o->err == TL_OK)
		o->err = tl_buf_puts(o->out, s);
}

static void putf(w *o, const char *fmt, ...) TL_PRINTF(2, 3);
static void putf(w *o, const char *fmt, ...)
{
	va_list ap;

	if (o->err != TL_OK)
		return;
	va_start(ap, fmt);
	o->err = tl_buf_vprintf(o->out, fmt, ap);
	va_end(ap);
}

/* Untrusted text, escaped for element content and quoted attributes. */
static void esc(w *o, const char *s)
{
	for (; s && *s && o->err == TL_OK; s++) {
		switch (*s) {
		case '&': put(o, "&amp;"); break;
		case '<': put(o, "&lt;"); break;
		case '>': put(o, "&gt;"); break;
		case '"': put(o, "&quot;"); break;
		case '\'': put(o, "&#39;"); break;
		default: o->err = tl_buf_putc(o->out, *s); break;
		}
	}
}

static size_t sev_index(tl_severity s)
{
	for (size_t i = 0; i < N_SEV; i++)
		if (order[i] == s)
			return i;
	return N_SEV - 1;
}

static const char style[] =
	"body{font:14px/1.4 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;margin:24px;"
	"color:#212121;background:#fff}\n"
	"h1{font-size:22px;margin:0 0 4px}\n"
	".meta{color:#616161;margin:0 0 16px}\n"
	".cards{display:flex;gap:12px;margin:0 0 16px;flex-wrap:wrap}\n"
	".card{border:1px solid #e0e0e0;border-radius:6px;padding:8px 14px;min-width:110px}\n"
	".card b{display:block;font-size:24px}\n"
	"table{border-collapse:collapse;width:100%;margin-top:16px}\n"
	"th,td{border-bottom:1px solid #e0e0e0;padding:6px 8px;text-align:left;vertical-align:top}\n"
	"th{background:#f5f5f5;font-weight:600}\n"
	"tr.suppressed td{color:#757575}\n"
	".sev{display:inline-block;border-radius:4px;padding:1px 6px;color:#fff;font-weight:600;"
	"font-size:12px;text-transform:uppercase}\n"
	".sev-critical{background:#b71c1c}.sev-high{background:#e65100}"
	".sev-medium{background:#f9a825;color:#212121}.sev-low{background:#2e7d32}"
	".sev-none{background:#546e7a}.sev-unknown{background:#9e9e9e}\n"
	".kev{color:#b71c1c;font-weight:600}\n"
	".small{color:#616161;font-size:12px}\n"
	"code{font-size:11px;overflow-wrap:anywhere;color:#424242}\n"
	"td{max-width:30em}td.small{max-width:22em}td.vuln{min-width:20em}\n"
	"details summary{cursor:pointer}details{margin-top:4px}\n";

static void chart(w *o, const size_t open[N_SEV], const size_t sup[N_SEV])
{
	const int label_w = 110, bar_w = 420, row_h = 30, top = 28, width = 760;
	size_t max = 1;

	for (size_t i = 0; i < N_SEV; i++)
		if (open[i] + sup[i] > max)
			max = open[i] + sup[i];
	putf(o, "<svg width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Findings by severity\">\n",
	     width, top + N_SEV * row_h + 10, width, top + N_SEV * row_h + 10);
	putf(o, "<text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"600\">Findings by severity</text>\n"
	        "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" fill=\"#b71c1c\"/>"
	        "<text x=\"%d\" y=\"16\" font-size=\"12\">open</text>"
	        "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" fill=\"%s\"/>"
	        "<text x=\"%d\" y=\"16\" font-size=\"12\">suppressed (VEX, patched)</text>\n",
	     label_w + 180, label_w + 196, label_w + 240, SUPPRESSED_COLOUR, label_w + 256);
	for (size_t i = 0; i < N_SEV; i++) {
		int y = top + (int)i * row_h;
		int wo = (int)((double)open[i] * bar_w / (double)max);
		int ws = (int)((double)sup[i] * bar_w / (double)max);
		putf(o, "<text x=\"0\" y=\"%d\" font-size=\"13\">%s</text>", y + 19,
		     tl_severity_name(order[i]));
		/* the track, so an empty row still shows where its bar would be */
		putf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"#f5f5f5\"/>", label_w,
		     y + 4, bar_w);
		if (wo)
			putf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"%s\"/>", label_w,
			     y + 4, wo, colour[i]);
		if (ws)
			putf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"%s\"/>",
			     label_w + wo, y + 4, ws, SUPPRESSED_COLOUR);
		putf(o, "<text x=\"%d\" y=\"%d\" font-size=\"13\">%zu", label_w + bar_w + 8, y + 19,
		     open[i]);
		if (sup[i])
			putf(o, " + %zu suppressed", sup[i]);
		put(o, "</text>\n");
	}
	put(o, "</svg>\n");
}

static void triage(w *o, const tl_finding *f)
{
	if (f->vex_status != TL_VEX_NONE) {
		put(o, "VEX: ");
		esc(o, tl_vex_status_name(f->vex_status));
		if (f->vex_justification) {
			put(o, " (");
			esc(o, f->vex_justification);
			put(o, ")");
		}
		if (f->vex_impact) {
			put(o, "<br><span class=\"small\">");
			esc(o, f->vex_impact);
			put(o, "</span>");
		}
		if (f->vex_action) {
			put(o, "<br><span class=\"small\">action: ");
			esc(o, f->vex_action);
			put(o, "</span>");
		}
		if (f->vex_source) {
			put(o, "<br><span class=\"small\">from ");
			esc(o, f->vex_source);
			put(o, "</span>");
		}
	}
	if (f->patched) {
		put(o, f->vex_status != TL_VEX_NONE ? "<br>patched" : "patched");
		if (f->patch_evidence) {
			put(o, "<br><span class=\"small\">");
			esc(o, f->patch_evidence);
			put(o, "</span>");
		}
	}
	if (f->vex_status == TL_VEX_NONE && !f->patched)
		put(o, "open");
}

static void row(w *o, const tl_finding *f)
{
	double score = tl__finding_score(f);
	const char *sev = tl_severity_name(f->severity);

	putf(o, "<tr class=\"%s\">", tl_finding_is_active(f) ? "open" : "suppressed");
	putf(o, "<td><span class=\"sev sev-%s\">%s</span></td>", sev, sev);
	put(o, "<td class=\"vuln\"><b>");
	esc(o, f->id);
	put(o, "</b>");
	if (f->n_aliases) {
		put(o, "<br><span class=\"small\">");
		for (size_t i = 0; i < f->n_aliases; i++) {
			if (i)
				put(o, ", ");
			esc(o, f->aliases[i]);
		}
		put(o, "</span>");
	}
	if (f->cvss3_vector || f->cvss4_vector) {
		put(o, "<br><code>");
		esc(o, f->cvss3_vector ? f->cvss3_vector : f->cvss4_vector);
		if (f->cvss3_vector && f->cvss4_vector) {
			put(o, "<br>");
			esc(o, f->cvss4_vector);
		}
		put(o, "</code>");
	}
	if (f->summary) {
		/* the first line shows; the rest opens on a click, without script */
		size_t n = tl__utf8_line(f->summary, 120);
		put(o, "<details><summary>");
		for (size_t i = 0; i < n && o->err == TL_OK; i++) {
			char c[2] = { f->summary[i], 0 };
			esc(o, c);
		}
		put(o, n < strlen(f->summary) ? "&hellip;</summary>" : "</summary>");
		esc(o, f->summary);
		put(o, "</details>");
	}
	put(o, "</td><td>");
	esc(o, f->component_name ? f->component_name : f->component_ref);
	if (f->component_id) {
		put(o, "<br><code>");
		esc(o, f->component_id);
		put(o, "</code>");
	}
	put(o, "</td><td>");
	esc(o, f->component_version);
	put(o, "</td><td>");
	esc(o, f->fixed_version ? f->fixed_version : "-");
	put(o, "</td><td>");
	if (score >= 0)
		putf(o, "%.1f", score);
	put(o, "</td><td>");
	if (f->kev) {
		put(o, "<span class=\"kev\">yes</span>");
		if (f->kev_date_added) {
			put(o, "<br><span class=\"small\">since ");
			esc(o, f->kev_date_added);
			put(o, "</span>");
		}
	}
	put(o, "</td><td>");
	triage(o, f);
	put(o, "</td><td class=\"small\">");
	esc(o, f->evidence);
	put(o, "</td></tr>\n");
}

tl_err tl__report_html(tl_buf *out, const tl_findings *f, const tl_sbom *sbom)
{
	w o = { out, TL_OK };
	size_t open[N_SEV] = { 0 }, sup[N_SEV] = { 0 }, n_open = 0, n_kev = 0;
	const char *title = NULL;
	int64_t now;
	char ts[32];
	tl_err err;

	if (!out || !f)
		return TL_EINVAL;
	if ((err = tl_now(&now)) != TL_OK)
		return err;
	tl_time_iso8601(ts, now);
	for (size_t i = 0; i < f->n; i++) {
		size_t k = sev_index(f->v[i].severity);
		if (tl_finding_is_active(&f->v[i])) {
			open[k]++;
			n_open++;
			n_kev += f->v[i].kev;
		} else {
			sup[k]++;
		}
	}
	if (sbom)
		title = sbom->subject && sbom->subject->name ? sbom->subject->name : sbom->name;

	put(&o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	        "style-src 'unsafe-inline'\">\n"
	        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	        "<title>Vulnerability report");
	if (title) {
		put(&o, ": ");
		esc(&o, title);
	}
	putf(&o, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>Vulnerability report", style);
	if (title) {
		put(&o, ": ");
		esc(&o, title);
		if (sbom->subject && sbom->subject->version) {
			put(&o, " ");
			esc(&o, sbom->subject->version);
		}
	}
	put(&o, "</h1>\n<p class=\"meta\">");
	if (sbom) {
		putf(&o, "SBOM with %zu components", sbom->n_components);
		if (sbom->serial) {
			put(&o, " (");
			esc(&o, sbom->serial);
			put(&o, ")");
		}
		put(&o, "; ");
	}
	putf(&o, "generated %s by trustline %s</p>\n", ts, TL_VERSION);
	putf(&o, "<div class=\"cards\"><div class=\"card\"><b>%zu</b>findings</div>"
	         "<div class=\"card\"><b>%zu</b>open</div>"
	         "<div class=\"card\"><b>%zu</b>suppressed</div>"
	         "<div class=\"card\"><b class=\"kev\">%zu</b>open and known exploited</div></div>\n",
	     f->n, n_open, f->n - n_open, n_kev);
	chart(&o, open, sup);
	if (f->n == 0) {
		put(&o, "<p>No known vulnerabilities were found.</p>\n");
	} else {
		put(&o, "<table>\n<thead><tr><th>Severity</th><th>Vulnerability</th><th>Component</th>"
		        "<th>Installed</th><th>Fixed in</th><th>CVSS</th><th>KEV</th><th>Triage</th>"
		        "<th>Why it matched</th></tr></thead>\n<tbody>\n");
		for (size_t i = 0; i < f->n; i++)
			row(&o, &f->v[i]);
		put(&o, "</tbody>\n</table>\n");
	}
	put(&o, "</body>\n</html>\n");
	return o.err;
}
