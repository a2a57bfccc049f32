/*
 * Fuzz target: the VEX reader (OpenVEX JSON and YAML, CycloneDX VEX) and
 * tl_vex_apply.  The seed corpus in fuzz/corpus/vex holds real OpenVEX
 * documents (go-vex, vexctl) and a CycloneDX VEX.
 *
 * Oracle, aborting on a violation:
 *   - a document that fails leaves the set empty and sets a one-line message;
 *   - applying the set twice gives the same triage as applying it once
 *     (also with the SBOM-aware tl_vex_apply_sbom);
 *   - whatever tl_vex_write_openvex writes from the triaged findings reads
 *     back, and applied to untriaged copies gives each the same status.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trustline/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Vulnerabilities and components the corpus talks about; no purl here
 * covers another, so a statement written for one finding is about it alone. */
static const char *const ids[][3] = {
	{ "CVE-2023-12345", "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7", NULL },
	{ "CVE-1234-5678", "pkg:apk/wolfi/bash@1.0.0", NULL },
	{ "CVE-2023-3446", "pkg:apk/alpine/libssl3@3.0.8-r3", NULL },
	{ "GHSA-0000-0000-0000", "pkg:oci/nginx@sha256%3A13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0", "CVE-2023-27103" },
	{ "CVE-2018-7489", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4", NULL },
	{ "CVE-2023-38545", "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*", NULL },
};
#define N (sizeof(ids) / sizeof(ids[0]))

static tl_sbom *sbom; /* made once, kept */

static void make(tl_findings *f)
{
	f->v = calloc(N, sizeof(*f->v));
	if (!f->v)
		abort();
	f->n = f->cap = N;
	for (size_t i = 0; i < N; i++) {
		tl_finding *x = &f->v[i];
		x->id = strdup(ids[i][0]);
		x->component_id = strdup(ids[i][1]);
		x->component_ref = strdup(i == 4 ? "jackson" : ids[i][1]);
		x->cvss3_score = x->cvss4_score = -1;
		if (ids[i][2]) {
			x->aliases = calloc(1, sizeof(char *));
			x->aliases[0] = strdup(ids[i][2]);
			x->n_aliases = 1;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tl_vex *vex = NULL, *back = NULL;
	tl_findings f = { 0 }, g = { 0 }, h = { 0 };
	tl_json_limits lim = { .max_bytes = 1 << 20, .max_depth = 64 };
	tl_vex_out_opts o = { .author = "fuzz", .timestamp = 1700000000 };
	tl_buf out = TL_BUF_INIT;
	tl_err err;

	if (tl_vex_new(&vex) != TL_OK)
		abort();
	err = tl_vex_add_mem(vex, data, size, "fuzz", &lim);
	if (err != TL_OK) {
		const char *m = tl_error_last();
		if (tl_vex_count(vex) != 0 || !*m || strchr(m, '\n'))
			abort();
		goto done;
	}
	make(&f);
	make(&g);
	if (!sbom) { /* components with a purl and a CPE: the SBOM-aware apply */
		tl_sbom_component *c;
		if (tl_sbom_new(&sbom) != TL_OK || tl_sbom_add_component(sbom, &c) != TL_OK)
			abort();
		c->ref = strdup("jackson");
		c->name = strdup("jackson-databind");
		c->purl = strdup(ids[4][1]);
		c->cpe = strdup("cpe:2.3:a:fasterxml:jackson-databind:2.9.4:*:*:*:*:*:*:*");
	}
	if (tl_vex_apply(vex, &f) != TL_OK || tl_vex_apply(vex, &g) != TL_OK ||
	    tl_vex_apply(vex, &g) != TL_OK)
		abort();
	for (size_t i = 0; i < N; i++)
		if (f.v[i].vex_status != g.v[i].vex_status)
			abort();
	/* knowing the SBOM adds identifiers; applying that twice is stable too */
	if (tl_vex_apply_sbom(vex, &g, sbom) != TL_OK)
		abort();
	{
		tl_vex_status once[N];
		for (size_t i = 0; i < N; i++)
			once[i] = g.v[i].vex_status;
		if (tl_vex_apply_sbom(vex, &g, sbom) != TL_OK)
			abort();
		for (size_t i = 0; i < N; i++)
			if (once[i] != g.v[i].vex_status)
				abort();
	}
	if (tl_vex_write_openvex(&out, &f, &o) != TL_OK)
		goto done; /* nothing triaged, or a statement OpenVEX does not allow */
	if (tl_vex_new(&back) != TL_OK)
		abort();
	if (tl_vex_add_mem(back, out.ptr, out.len, "written", NULL) != TL_OK)
		abort();
	make(&h);
	if (tl_vex_apply(back, &h) != TL_OK)
		abort();
	for (size_t i = 0; i < N; i++)
		if (h.v[i].vex_status != f.v[i].vex_status)
			abort();
done:
	tl_buf_dispose(&out);
	tl_findings_free(&f);
	tl_findings_free(&g);
	tl_findings_free(&h);
	tl_vex_free(vex);
	tl_vex_free(back);
	return 0;
}
