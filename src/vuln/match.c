/*
 * The matcher: SBOM components against the vulnerability database
 * (docs/matching.md states every rule; this file implements them).
 *
 *   component                          data consulted
 *   ---------------------------------  ------------------------------------
 *   pkg:deb  distro=debian-N | ubuntu  OSV "Debian:N" / "Ubuntu:X[:LTS]" and
 *                                      "Ubuntu:Pro:X:LTS", SOURCE package
 *   pkg:apk  distro=alpine-X.Y[.Z]     OSV "Alpine:vX.Y" and alpine_secfixes
 *                                      (distro vX.Y), origin package
 *   pkg:rpm  distro=almalinux-N, ...   OSV "AlmaLinux:N", "Rocky Linux:N", ...
 *   pkg:npm, pypi, maven, golang, ...  OSV by ecosystem and package name
 *   pkg:generic (no namespace)         OSV "OSS-Fuzz" by project name,
 *                                      release tags of the versions list
 *   any non-distro component with CPE  NVD configurations (nvd_cpe)
 *
 * Distro packages are never matched against NVD (backports).  Each
 * candidate record needs a version decision; without one it is counted
 * as undecided, never reported.  Findings are merged per alias group and
 * component, then sorted (severity, id, component ref).
 *
 * Queries are prepared once per run and keyed on indexed columns: one
 * lookup per (component, ecosystem) for OSV, one per (vendor, product)
 * for NVD, and the configuration tree only of a record whose vulnerable
 * CPE already matched the component.
 *
 * Large SBOMs are matched on two threads (tl_match_opts.threads), each
 * with its own read connection, both on one snapshot of the database:
 * the components go out in chunks of CHUNK to whichever thread is free,
 * and each chunk keeps its findings and log messages, which are put back
 * in component order at the end, so the result is that of one thread.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vuln_int.h"

/* ---- prepared statements ------------------------------------------------ */

enum {
	Q_OSV, Q_OSSFUZZ, Q_SECFIX, Q_CPE, Q_NODES, Q_CPES, Q_GROUP, Q_KEV,
	Q_ECO_EXISTS, Q_SECDB_EXISTS, Q_COUNT
};

static const char *const q_sql[Q_COUNT] = {
	/* every range event of every affected entry of (ecosystem, package), and
	 * whether the entry's versions list holds the version exactly */
	[Q_OSV] = "SELECT a.rowid, v.id, x.affected IS NOT NULL, r.rowid, r.type, e.kind, e.version"
	          " FROM affected a JOIN vulns v ON v.rowid = a.vuln"
	          /* a LEFT JOIN, in the loop of the entry: looked up once per entry,
	           * not once per event row as a subquery column was */
	          " LEFT JOIN versions x ON x.affected = a.rowid AND x.version = ?3"
	          " LEFT JOIN ranges r ON r.affected = a.rowid"
	          " LEFT JOIN events e ON e.range = r.rowid"
	          " WHERE a.ecosystem = ?1 AND a.package = ?2 AND v.withdrawn IS NULL"
	          " ORDER BY a.rowid, r.rowid, e.seq",
	[Q_OSSFUZZ] = "SELECT v.id, x.version FROM affected a JOIN vulns v ON v.rowid = a.vuln"
	              " JOIN versions x ON x.affected = a.rowid"
	              " WHERE a.ecosystem = 'OSS-Fuzz' AND a.package = ?1 AND v.withdrawn IS NULL"
	              " ORDER BY a.rowid, x.version",
	/* in index order (no temporary b-tree per call); secdb_lookup sorts the
	 * rows by vuln_id, repo, fixed */
	[Q_SECFIX] = "SELECT vuln_id, fixed, repo FROM alpine_secfixes WHERE distro = ?1 AND package = ?2",
	[Q_CPE] = "SELECT c.vuln, v.id, c.criteria, c.start_incl, c.start_excl, c.end_incl, c.end_excl"
	          " FROM nvd_cpe c JOIN vulns v ON v.rowid = c.vuln"
	          " WHERE c.vendor = ?1 AND c.product = ?2 AND c.vulnerable = 1 AND v.withdrawn IS NULL"
	          " ORDER BY c.node, c.seq", /* index order; a record's nodes are consecutive rowids */
	[Q_NODES] = "SELECT n.rowid, n.config, n.parent, n.operator, n.negate, f.operator, f.negate"
	            " FROM nvd_nodes n JOIN nvd_configs f ON f.rowid = n.config"
	            " WHERE n.vuln = ?1 ORDER BY n.rowid", /* index order: configuration by configuration */
	[Q_CPES] = "SELECT node, vulnerable, criteria, start_incl, start_excl, end_incl, end_excl"
	           " FROM nvd_cpe WHERE vuln = ?1 ORDER BY node, seq",
	/* the alias group of ?1 resolved at import (alias_groups), and of
	 * each member its NVD and OSV records (by the rowids stored with it)
	 * and KEV entry: one statement per group */
	[Q_GROUP] = "SELECT g2.id,"
	            " n.rowid, n.summary, n.severity, n.cvss3_vector, n.cvss3_score, n.cvss4_vector, n.cvss4_score,"
	            " o.rowid, o.summary, o.severity, o.cvss3_vector, o.cvss3_score, o.cvss4_vector, o.cvss4_score,"
	            " k.cve, k.date_added, k.due_date"
	            " FROM alias_groups g1 JOIN alias_groups g2 ON g2.grp = g1.grp"
	            " LEFT JOIN vulns n ON n.rowid = g2.nvd LEFT JOIN vulns o ON o.rowid = g2.osv"
	            " LEFT JOIN kev k ON k.cve = g2.id"
	            " WHERE g1.id = ?1", /* no ORDER BY: group_of sorts (a sorter per call costs more) */
	/* the KEV entry of an id no record names (a secdb CVE) */
	[Q_KEV] = "SELECT cve, date_added, due_date FROM kev WHERE cve = ?1",
	[Q_ECO_EXISTS] = "SELECT EXISTS(SELECT 1 FROM affected WHERE ecosystem = ?1)",
	[Q_SECDB_EXISTS] = "SELECT EXISTS(SELECT 1 FROM alpine_secfixes WHERE distro = ?1)",
};

/* Largest alias group followed (as tl_vulndb_aliases; alias_groups has them whole). */
#define GROUP_MAX 1024
/* Deepest NVD node tree evaluated (the importer stores at most 16). */
#define NODE_DEPTH_MAX 32

typedef struct group group;

/* ---- state of one run --------------------------------------------------- */

/* An alias group and what the records of the group say about it. */
struct group {
	char *rep;          /* the finding id: the group's CVE, else its smallest id */
	char **ids;         /* sorted, rep included */
	size_t n_ids;
	bool info;          /* fields below filled */
	char *summary;
	tl_severity sev;
	double c3, c4;
	char *v3, *v4;
	bool kev;
	char *kev_added, *kev_due;
	struct grec *recs;  /* the group's records, read with the group */
	size_t n_recs;
	group *next;        /* list of all groups, for freeing */
};

/* What one record of a group says (severity, scores, summary). */
struct grec {
	char *id, *summary, *severity, *v3, *v4;
	bool nvd, has3, has4;
	double s3, s4;
};

/* Priority of a candidate's source: the lowest number names the finding. */
enum { P_DISTRO = 0, P_ECOSYSTEM, P_SECDB, P_OSSFUZZ, P_NVD };

/* A record that matched one component. */
typedef struct {
	int prio;
	const char *source;  /* static: "osv", "alpine", "nvd" */
	char *record;
	char *fixed;
	char *evidence;
	group *g;
} cand;

/* A CPE of the SBOM, split and lower-cased, for platform checks. */
typedef struct {
	char *buf;
	char *f[13];
	const char *version;          /* unescaped version compared, or NULL */
	char *vbuf;                   /* owns version when unescaped */
	const tl_sbom_component *comp;
} scpe;

/* Whether an ecosystem (or secdb distro) has records; cached. */
typedef struct {
	char *name;
	bool has;
	bool unmapped;   /* name is "pkg:TYPE distro=..." with no ecosystem */
	uint64_t components;
	size_t first;    /* the component (work item) that first named it, */
	uint64_t seq;    /* and the thread's count of names before it: the
	                  * order one thread would have met them in */
} eco_seen;

typedef struct {
	tl_vulndb *db;
	sqlite3 *h;
	sqlite3_stmt *q[Q_COUNT];
	bool in_tx;
	const tl_sbom *sbom;
	const tl_match_opts *opts;
	tl_match_stats st;
	tl__strtab groups;   /* record id (borrowed from its group) -> group (p) */
	group *all_groups;
	const scpe *cpes;     /* every CPE of the SBOM, sorted by vendor, product (borrowed) */
	size_t n_cpes;
	eco_seen *ecos;
	size_t n_ecos;
	size_t item;          /* the work item being matched */
	uint64_t eco_seq;
	cand *c;              /* candidates of the current component */
	size_t n_c, cap_c;
	tl_findings out;      /* findings of the current chunk */
	/* a worker thread's failure, for the caller's thread */
	tl_err err;
	size_t err_chunk;
	char *errmsg;
	size_t chunks_done;   /* chunks this thread matched */
} mctx;

static tl_err sqlfail(mctx *m, const char *what)
{
	int rc = sqlite3_extended_errcode(m->h);

	return tl__error(rc == SQLITE_NOMEM ? TL_ENOMEM : TL_EIO, "vulnerability database: %s: %s",
	                 what, sqlite3_errmsg(m->h));
}

static sqlite3_stmt *q_start(mctx *m, int q)
{
	sqlite3_reset(m->q[q]);
	sqlite3_clear_bindings(m->q[q]);
	return m->q[q];
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static void cand_dispose(cand *c)
{
	free(c->record);
	free(c->fixed);
	free(c->evidence);
	memset(c, 0, sizeof(*c));
}

static void group_free(group *g)
{
	free(g->rep);
	for (size_t i = 0; i < g->n_ids; i++)
		free(g->ids[i]);
	free(g->ids);
	free(g->summary);
	free(g->v3);
	free(g->v4);
	free(g->kev_added);
	free(g->kev_due);
	for (size_t i = 0; i < g->n_recs; i++) {
		struct grec *r = &g->recs[i];
		free(r->id);
		free(r->summary);
		free(r->severity);
		free(r->v3);
		free(r->v4);
	}
	free(g->recs);
	free(g);
}

/* Appends a candidate; takes record, fixed and evidence (freed on error). */
static tl_err add_cand(mctx *m, int prio, const char *source, char *record, char *fixed, char *evidence)
{
	if (!record || !evidence)
		goto nomem;
	if (m->n_c == m->cap_c) {
		size_t ncap = m->cap_c ? m->cap_c * 2 : 16;
		cand *nc = realloc(m->c, ncap * sizeof(*nc));
		if (!nc)
			goto nomem;
		m->c = nc;
		m->cap_c = ncap;
	}
	m->c[m->n_c++] = (cand){ prio, source, record, fixed, evidence, NULL };
	return TL_OK;
nomem:
	free(record);
	free(fixed);
	free(evidence);
	return tl__nomem();
}

static char *strf(const char *fmt, ...) TL_PRINTF(1, 2);
static char *strf(const char *fmt, ...)
{
	char small[512], *s;
	va_list ap;
	int n;

	/* one formatting pass for the usual short line, two for a longer one */
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if (!(s = malloc((size_t)n + 1)))
		return NULL;
	if ((size_t)n < sizeof(small)) {
		memcpy(s, small, (size_t)n + 1);
		return s;
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* The strings given, up to a NULL, joined into a new string (NULL when
 * out of memory): the evidence lines of thousands of findings are made
 * of %s alone, and a formatting pass costs several times the copy. */
static char *cat(const char *s, ...) __attribute__((sentinel));
static char *cat(const char *s, ...)
{
	va_list ap;
	size_t n = 0;
	char *out, *w;

	va_start(ap, s);
	for (const char *p = s; p; p = va_arg(ap, const char *))
		n += strlen(p);
	va_end(ap);
	if (!(out = malloc(n + 1)))
		return NULL;
	w = out;
	va_start(ap, s);
	for (const char *p = s; p; p = va_arg(ap, const char *)) {
		size_t k = strlen(p);
		memcpy(w, p, k);
		w += k;
	}
	va_end(ap);
	*w = '\0';
	return out;
}
#define CAT(...) cat(__VA_ARGS__, (const char *)NULL)

/* ---- versions ----------------------------------------------------------- */

/* How versions of an ecosystem compare. */
typedef enum {
	VS_DEB, VS_APK, VS_RPM,
	VS_SEMVER,   /* SemVer 2.0 after coercion (leading "v" dropped, X and X.Y padded) */
	VS_NUMERIC,  /* the generic scheme, decided only when both are dotted numbers */
} vscheme;

static const char *vscheme_name(vscheme s)
{
	switch (s) {
	case VS_DEB: return "deb";
	case VS_APK: return "apk";
	case VS_RPM: return "rpm";
	case VS_SEMVER: return "semver";
	case VS_NUMERIC: return "numeric";
	}
	return "?";
}

/* Whether s[0..n) is a dotted number ("1", "1.2"). */
static bool dotted_number_n(const char *s, size_t n)
{
	bool digit = false;

	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = true;
		else if (s[i] == '.' && digit)
			digit = false;
		else
			return false;
	}
	return digit;
}

/* SemVer coercion into out (cap bytes): "v1.2" -> "1.2.0". */
static void semver_coerce(char *out, size_t cap, const char *v)
{
	int dots = 0;
	size_t n;

	if ((v[0] == 'v' || v[0] == 'V') && isdigit((unsigned char)v[1]))
		v++;
	n = strcspn(v, "-+");
	for (size_t i = 0; i < n; i++)
		dots += v[i] == '.';
	if (dots >= 2 || !dotted_number_n(v, n))
		snprintf(out, cap, "%s", v);
	else
		snprintf(out, cap, "%.*s%s%s", (int)n, v, dots == 0 ? ".0.0" : ".0", v + n);
}

/*
 * Compares a and b under s.  Returns TL_OK with *out set, or an error
 * (the versions are not valid in the scheme): no decision.
 */
static tl_err vcmp(vscheme s, const char *a, const char *b, int *out)
{
	char ca[TL_VERSION_MAX_LEN + 8], cb[TL_VERSION_MAX_LEN + 8];

	switch (s) {
	case VS_DEB: return tl_version_compare(out, TL_VSCHEME_DEB, a, b);
	case VS_APK: return tl_version_compare(out, TL_VSCHEME_APK, a, b);
	case VS_RPM: return tl_version_compare(out, TL_VSCHEME_RPM, a, b);
	case VS_SEMVER:
		if (strlen(a) > TL_VERSION_MAX_LEN || strlen(b) > TL_VERSION_MAX_LEN)
			return TL_ELIMIT;
		semver_coerce(ca, sizeof(ca), a);
		semver_coerce(cb, sizeof(cb), b);
		return tl_version_compare(out, TL_VSCHEME_SEMVER, ca, cb);
	case VS_NUMERIC:
		if (!dotted_number_n(a, strlen(a)) || !dotted_number_n(b, strlen(b)))
			return TL_EUNSUPPORTED;
		return tl_version_compare(out, TL_VSCHEME_GENERIC, a, b);
	}
	return TL_EINVAL;
}

/* ---- OSV ranges --------------------------------------------------------- */

typedef struct {
	char kind;   /* 'i' introduced, 'f' fixed, 'l' last_affected, 'm' limit */
	char *ver;
} event;

typedef struct {
	event *v;
	size_t n, cap;
} events;

static void events_clear(events *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].ver);
	e->n = 0;
}

static tl_err events_add(events *e, const char *kind, const char *ver)
{
	char k = !strcmp(kind, "introduced") ? 'i' : !strcmp(kind, "fixed") ? 'f' :
	         !strcmp(kind, "last_affected") ? 'l' : 'm';

	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 8;
		event *nv = realloc(e->v, ncap * sizeof(*nv));
		if (!nv)
			return tl__nomem();
		e->v = nv;
		e->cap = ncap;
	}
	if (!(e->v[e->n].ver = strdup(ver)))
		return tl__nomem();
	e->v[e->n++].kind = k;
	return TL_OK;
}

static bool is_zero_intro(const event *e)
{
	return e->kind == 'i' && !strcmp(e->ver, "0");
}

/* Orders two events by version; "introduced: 0" first.  -2: no decision. */
static int event_cmp(vscheme s, const event *a, const event *b)
{
	int c;

	if (is_zero_intro(a) || is_zero_intro(b))
		return is_zero_intro(b) - is_zero_intro(a);
	if (vcmp(s, a->ver, b->ver, &c) != TL_OK)
		return -2;
	return c;
}

/*
 * The OSV evaluation of one range (the schema's sorted walk): events sorted
 * by version; "introduced" at or below v sets affected, "fixed" at or below
 * v clears it, "last_affected" below v clears it; a "limit" at or below v
 * clears it at the end.  Returns 1 affected, 0 not, -1 no decision (a
 * version does not parse in the scheme).  On 1, *lo is the introduced
 * event and *hi the fixed or last_affected event that ends the branch
 * (NULL when none), both pointing into e.
 */
static int range_eval(vscheme s, const char *v, events *e, const event **lo, const event **hi)
{
	bool aff = false;
	size_t at = 0;
	int c;

	*lo = *hi = NULL;
	/* insertion sort: ranges have a handful of events */
	for (size_t i = 1; i < e->n; i++) {
		event x = e->v[i];
		size_t j = i;
		for (; j > 0; j--) {
			int r = event_cmp(s, &e->v[j - 1], &x);
			if (r == -2)
				return -1;
			if (r <= 0)
				break;
			e->v[j] = e->v[j - 1];
		}
		e->v[j] = x;
	}
	for (size_t i = 0; i < e->n; i++) {
		const event *ev = &e->v[i];
		if (ev->kind == 'm')
			continue;
		if (is_zero_intro(ev)) {
			aff = true;
			at = i;
			continue;
		}
		if (vcmp(s, v, ev->ver, &c) != TL_OK)
			return -1;
		if (ev->kind == 'i' && c >= 0) {
			aff = true;
			at = i;
		} else if ((ev->kind == 'f' && c >= 0) || (ev->kind == 'l' && c > 0)) {
			aff = false;
		}
	}
	for (size_t i = 0; aff && i < e->n; i++) {
		if (e->v[i].kind != 'm')
			continue;
		if (vcmp(s, v, e->v[i].ver, &c) != TL_OK)
			return -1;
		if (c >= 0)
			aff = false;
	}
	if (!aff)
		return 0;
	*lo = &e->v[at];
	for (size_t i = at + 1; i < e->n; i++) {
		if (e->v[i].kind == 'f' || e->v[i].kind == 'l') {
			*hi = &e->v[i];
			break;
		}
	}
	return 1;
}

/* The decision of a matched range, as text: "0 <= V < F" and the like. */
static char *range_evidence(const char *comp_id, const char *eco, const char *pkg, const char *rec,
                            const char *type, vscheme s, const char *v, const event *lo,
                            const event *hi)
{
	/* "%s: %s %s %s: %s range introduced %s%s%s (%s): %s%s%s %s%s" */
	return CAT(comp_id, ": ", eco, " ", pkg, " ", rec, ": ", type, " range introduced ", lo->ver,
	           hi ? (hi->kind == 'f' ? ", fixed " : ", last_affected ") : ", no fix", hi ? hi->ver : "",
	           " (", vscheme_name(s), "): ", is_zero_intro(lo) ? "" : lo->ver,
	           is_zero_intro(lo) ? "" : " <= ", v, " ", hi ? (hi->kind == 'f' ? "< " : "<= ") : "",
	           hi ? hi->ver : "(affected from the introduced version on)");
}

/*
 * OSV records of (eco, pkg) against version v of the component named
 * comp_id.  ECOSYSTEM ranges use s, SEMVER ranges SemVer, GIT ranges only
 * through the versions list (exact string).
 */
static tl_err osv_lookup(mctx *m, const char *comp_id, const char *eco, const char *pkg, const char *v,
                         vscheme s, int prio)
{
	sqlite3_stmt *q = q_start(m, Q_OSV);
	events ev = { 0 };
	int64_t cur_aff = -1, cur_range = -1;
	char *rec = NULL, *rtype = NULL, *evid = NULL, *fixed = NULL;
	bool listed = false, undecided = false;
	tl_err err = TL_OK;
	int rc;

	sqlite3_bind_text(q, 1, eco, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, pkg, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, v, -1, SQLITE_STATIC);
	for (;;) {
		rc = sqlite3_step(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			err = sqlfail(m, "reading OSV records");
			goto done;
		}
		int64_t aff = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -2;
		int64_t range = rc == SQLITE_ROW && sqlite3_column_type(q, 3) != SQLITE_NULL ?
		                sqlite3_column_int64(q, 3) : -1;
		/* end of a range: decide it */
		if (cur_range >= 0 && (range != cur_range || aff != cur_aff)) {
			vscheme rs = !strcmp(rtype, "ECOSYSTEM") ? s : VS_SEMVER;
			if (!evid && (!strcmp(rtype, "ECOSYSTEM") || !strcmp(rtype, "SEMVER"))) {
				const event *lo, *hi;
				int r = range_eval(rs, v, &ev, &lo, &hi);
				if (r < 0) {
					undecided = true;
				} else if (r > 0) {
					if (!(evid = range_evidence(comp_id, eco, pkg, rec, rtype, rs, v, lo, hi)) ||
					    (hi && hi->kind == 'f' && !(fixed = strdup(hi->ver)))) {
						err = tl__nomem();
						goto done;
					}
				}
			}
			events_clear(&ev);
			free(rtype);
			rtype = NULL;
			cur_range = -1;
		}
		/* end of an affected entry: one candidate per matching entry */
		if (cur_aff >= 0 && aff != cur_aff) {
			if (!evid && listed && !(evid = strf("%s: %s %s %s: %s is in the record's versions list",
			                                     comp_id, eco, pkg, rec, v))) {
				err = tl__nomem();
				goto done;
			}
			if (evid) {
				err = add_cand(m, prio, "osv", rec, fixed, evid);
				rec = fixed = evid = NULL;
				if (err != TL_OK)
					goto done;
			} else if (undecided) {
				m->st.undecided++;
				tl__log(TL_LOG_DEBUG, "%s: %s %s %s: no decision (version %s does not parse as %s)",
				        comp_id, eco, pkg, rec, v, vscheme_name(s));
			}
			free(rec);
			rec = NULL;
			listed = undecided = false;
			cur_aff = -1;
		}
		if (rc == SQLITE_DONE)
			break;
		if (cur_aff < 0) {
			cur_aff = aff;
			listed = sqlite3_column_int(q, 2) != 0;
			if (!(rec = tl_strdup(col(q, 1)))) {
				err = tl__nomem();
				goto done;
			}
		}
		if (range >= 0 && cur_range < 0) {
			cur_range = range;
			if (!(rtype = tl_strdup(col(q, 4)))) {
				err = tl__nomem();
				goto done;
			}
		}
		if (range >= 0 && sqlite3_column_type(q, 5) != SQLITE_NULL &&
		    (err = events_add(&ev, col(q, 5), col(q, 6))) != TL_OK)
			goto done;
	}
done:
	sqlite3_reset(q);
	events_clear(&ev);
	free(ev.v);
	free(rec);
	free(rtype);
	free(evid);
	free(fixed);
	return err;
}

/* ---- OSS-Fuzz: release tags of the versions list ------------------------ */

/*
 * The release a tag names, per docs/matching.md: one prefix dropped
 * ("<project>-", "<project>_", "release-", or "v" before a digit), a
 * "-stable" suffix dropped, and what is left must be two or more numbers
 * joined all by "." or all by "_" ("curl-7_88_1" -> "7.88.1").
 */
static bool tag_release(const char *tag, const char *proj, char *out, size_t cap)
{
	size_t pl = strlen(proj), n;
	char sep = 0;
	int parts = 1;

	if (!strncasecmp(tag, proj, pl) && (tag[pl] == '-' || tag[pl] == '_'))
		tag += pl + 1;
	else if (!strncmp(tag, "release-", 8))
		tag += 8;
	else if ((tag[0] == 'v' || tag[0] == 'V') && isdigit((unsigned char)tag[1]))
		tag++;
	n = strlen(tag);
	if (n > 7 && !strcmp(tag + n - 7, "-stable"))
		n -= 7;
	if (n == 0 || n >= cap || !isdigit((unsigned char)tag[0]) || !isdigit((unsigned char)tag[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = tag[i];
		if (isdigit((unsigned char)ch)) {
			out[i] = ch;
			continue;
		}
		if ((ch != '.' && ch != '_') || (sep && ch != sep) || !isdigit((unsigned char)tag[i + 1]))
			return false;
		sep = ch;
		parts++;
		out[i] = '.';
	}
	out[n] = '\0';
	return parts >= 2;
}

static tl_err ossfuzz_lookup(mctx *m, const char *comp_id, const char *proj, const char *version)
{
	sqlite3_stmt *q = q_start(m, Q_OSSFUZZ);
	char rel[256], last[256] = "";
	const char *v = version;
	tl_err err = TL_OK;
	int rc;

	if ((v[0] == 'v' || v[0] == 'V') && isdigit((unsigned char)v[1]))
		v++;
	if (!dotted_number_n(v, strlen(v)) || !strchr(v, '.'))
		return TL_OK; /* only releases compare with release tags */
	sqlite3_bind_text(q, 1, proj, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = col(q, 0), *tag = col(q, 1);
		if (!strcmp(id, last) || !tag_release(tag, proj, rel, sizeof(rel)) || strcmp(rel, v))
			continue;
		snprintf(last, sizeof(last), "%s", id);
		if ((err = add_cand(m, P_OSSFUZZ, "osv", strdup(id), NULL,
		                    strf("%s: OSS-Fuzz %s %s: versions list has tag %s (release %s) = %s",
		                         comp_id, proj, id, tag, rel, version))) != TL_OK)
			break;
	}
	if (err == TL_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = sqlfail(m, "reading OSS-Fuzz records");
	sqlite3_reset(q);
	return err;
}

/* ---- Alpine secdb ------------------------------------------------------- */

/* One row of Q_SECFIX: vuln_id, fixed, repo (one allocation, s[0..2]). */
typedef struct {
	char *s[3];
} secrow;

/* As ORDER BY vuln_id, repo, fixed (BINARY: strcmp on NUL-free text). */
static int secrow_cmp(const void *a, const void *b)
{
	const secrow *x = a, *y = b;
	int c = strcmp(x->s[0], y->s[0]);

	if (!c)
		c = strcmp(x->s[2], y->s[2]);
	return c ? c : strcmp(x->s[1], y->s[1]);
}

static tl_err secdb_lookup(mctx *m, const char *comp_id, const char *distro, const char *pkg,
                           const char *v)
{
	sqlite3_stmt *q = q_start(m, Q_SECFIX);
	const char *id = NULL, *min = NULL, *repo = NULL;
	secrow *rows = NULL;
	size_t n = 0, cap = 0;
	bool never = false, undecided = false;
	tl_err err = TL_OK;
	int rc, c;

	sqlite3_bind_text(q, 1, distro, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, pkg, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		size_t len[3];
		char *p;
		if (n == cap) {
			secrow *nv = realloc(rows, (cap ? cap * 2 : 16) * sizeof(*nv));
			if (!nv) {
				err = tl__nomem();
				goto done;
			}
			rows = nv;
			cap = cap ? cap * 2 : 16;
		}
		for (int k = 0; k < 3; k++)
			len[k] = col(q, k) ? strlen(col(q, k)) : 0;
		if (!(p = malloc(len[0] + len[1] + len[2] + 3))) {
			err = tl__nomem();
			goto done;
		}
		for (int k = 0; k < 3; k++) {
			rows[n].s[k] = p;
			memcpy(p, col(q, k) ? col(q, k) : "", len[k] + 1);
			p += len[k] + 1;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		err = sqlfail(m, "reading Alpine secfixes");
		goto done;
	}
	sqlite3_reset(q);
	qsort(rows, n, sizeof(*rows), secrow_cmp);
	for (size_t i = 0; i <= n; i++) {
		if (id && (i == n || strcmp(rows[i].s[0], id))) {
			/* decide the id: affected below its lowest fixed version */
			if (!never && min) {
				if (vcmp(VS_APK, v, min, &c) != TL_OK) {
					undecided = true;
				} else if (c < 0) {
					err = add_cand(m, P_SECDB, "alpine", strdup(id), strdup(min),
					               CAT(comp_id, ": Alpine secdb ", distro, "/", repo, " ", pkg, " ", id,
					                   ": fixed ", min, " (apk): ", v, " < ", min));
					if (err != TL_OK)
						goto done;
				}
			}
			if (undecided) {
				m->st.undecided++;
				tl__log(TL_LOG_DEBUG, "%s: Alpine secdb %s %s: no decision (apk versions)", comp_id,
				        pkg, id);
			}
			id = min = repo = NULL;
			never = undecided = false;
		}
		if (i == n)
			break;
		const char *fixed = rows[i].s[1];
		if (!id)
			id = rows[i].s[0];
		if (!strcmp(fixed, "0")) {
			never = true; /* secdb: "0" means this branch was never affected */
			continue;
		}
		if (min) {
			if (vcmp(VS_APK, fixed, min, &c) != TL_OK) {
				undecided = true;
				continue;
			}
			if (c >= 0)
				continue;
		}
		min = fixed;
		repo = rows[i].s[2];
	}
done:
	sqlite3_reset(q);
	for (size_t i = 0; i < n; i++)
		free(rows[i].s[0]);
	free(rows);
	return err;
}

/* ---- NVD: CPE configurations -------------------------------------------- */

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The CPE value without its backslash escapes, into out (cap bytes). */
static void unescape(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 1 < cap; s++) {
		if (*s == '\\' && s[1])
			s++;
		out[n++] = *s;
	}
	out[n] = '\0';
}

static void scpe_dispose(scpe *c)
{
	free(c->buf);
	free(c->vbuf);
}

/*
 * Splits the CPE of a component: lower-cased fields, and the version
 * decided on (the CPE's own version, else the component's version when
 * the CPE says "*" or "-").  Returns false when it is not a CPE 2.3 string.
 */
static tl_err scpe_make(scpe *out, const tl_sbom_component *comp, bool *ok)
{
	memset(out, 0, sizeof(*out));
	*ok = false;
	out->comp = comp;
	if (!(out->buf = strdup(comp->cpe)))
		return tl__nomem();
	lower(out->buf);
	if (!tl__cpe_split(out->buf, out->f)) {
		free(out->buf);
		out->buf = NULL;
		return TL_OK;
	}
	if (strcmp(out->f[5], "*") && strcmp(out->f[5], "-")) {
		size_t n = strlen(out->f[5]) + 1;
		if (!(out->vbuf = malloc(n)))
			return tl__nomem();
		unescape(out->vbuf, n, out->f[5]);
		out->version = out->vbuf;
	} else if (comp->version && comp->version[0]) {
		out->version = comp->version;
	}
	*ok = true;
	return TL_OK;
}

/* Version bounds of one cpeMatch (NULL when absent). */
typedef struct {
	const char *si, *se, *ei, *ee;
} bounds;

enum { CPE_NO = 0, CPE_YES = 1, CPE_UNDECIDED = -1 };

/*
 * Whether target t satisfies criteria (split, lower-cased) with bounds b.
 * A vulnerable criteria needs a version decision: a specific version equal
 * under the generic scheme, or "*" with bounds that hold; "*" or "-" with
 * no bounds decides nothing.  A platform (platform=true) with "*" or "-"
 * and no bounds accepts any version of that product.  Other attributes:
 * "*" in the criteria accepts anything; a value needs the same value in
 * the target ("*" there is no decision).  Writes the decision to why.
 */
static int cpe_version(char *const cf[13], const bounds *b, const scpe *t, bool platform, char *why,
                       size_t whylen);

static int cpe_eval(char *const cf[13], const bounds *b, const scpe *t, bool platform, char *why,
                    size_t whylen)
{
	int r;

	if (strcmp(cf[2], t->f[2]) || strcmp(cf[3], t->f[3]) || strcmp(cf[4], t->f[4]))
		return CPE_NO;
	/* the version first, so that a different version is a plain "no" */
	r = cpe_version(cf, b, t, platform, why, whylen);
	if (r != CPE_YES)
		return r;
	for (int i = 6; i < 13; i++) {
		if (!strcmp(cf[i], "*") || !strcmp(cf[i], t->f[i]))
			continue;
		return !strcmp(t->f[i], "*") ? CPE_UNDECIDED : CPE_NO;
	}
	return CPE_YES;
}

/* The version part of cpe_eval. */
static int cpe_version(char *const cf[13], const bounds *b, const scpe *t, bool platform, char *why,
                       size_t whylen)
{
	char cv[TL_VERSION_MAX_LEN + 1];
	bool any_bound = b->si || b->se || b->ei || b->ee;
	int c;

	unescape(cv, sizeof(cv), cf[5]);
	if (strcmp(cv, "*") && strcmp(cv, "-")) {
		if (!t->version)
			return CPE_UNDECIDED;
		if (tl_version_compare(&c, TL_VSCHEME_GENERIC, t->version, cv) != TL_OK)
			return CPE_UNDECIDED;
		if (c != 0)
			return CPE_NO;
		snprintf(why, whylen, "%.200s = %.200s", t->version, cv);
		return CPE_YES;
	}
	if (!any_bound) {
		if (!platform)
			return CPE_UNDECIDED;
		snprintf(why, whylen, "any version");
		return CPE_YES;
	}
	if (!t->version)
		return CPE_UNDECIDED;
	{
		const char *lo = b->si ? b->si : b->se, *hi = b->ei ? b->ei : b->ee;
		if (lo) {
			if (tl_version_compare(&c, TL_VSCHEME_GENERIC, t->version, lo) != TL_OK)
				return CPE_UNDECIDED;
			if (b->si ? c < 0 : c <= 0)
				return CPE_NO;
		}
		if (hi) {
			if (tl_version_compare(&c, TL_VSCHEME_GENERIC, t->version, hi) != TL_OK)
				return CPE_UNDECIDED;
			if (b->ei ? c > 0 : c >= 0)
				return CPE_NO;
		}
		snprintf(why, whylen, "%s%s%s%s%s%s", lo ? lo : "", lo ? (b->si ? " <= " : " < ") : "",
		         t->version, hi ? (b->ei ? " <= " : " < ") : "", hi ? hi : "", "");
	}
	return CPE_YES;
}

/* Bounds as NVD names them, for evidence. */
static void bounds_text(char *out, size_t cap, const bounds *b)
{
	snprintf(out, cap, "%s%s%s%s%s%s%s%s", b->si ? " versionStartIncluding " : "", b->si ? b->si : "",
	         b->se ? " versionStartExcluding " : "", b->se ? b->se : "",
	         b->ei ? " versionEndIncluding " : "", b->ei ? b->ei : "",
	         b->ee ? " versionEndExcluding " : "", b->ee ? b->ee : "");
}

static int scpe_cmp(const void *a, const void *b)
{
	const scpe *x = a, *y = b;
	int c = strcmp(x->f[3], y->f[3]);

	return c ? c : strcmp(x->f[4], y->f[4]);
}

/*
 * Whether some CPE of the SBOM (other than self) satisfies the criteria;
 * sets *who to it.
 */
static bool sbom_has(mctx *m, char *const cf[13], const bounds *b, bool platform, const scpe *self,
                     const scpe **who)
{
	char why[512];
	size_t lo = 0, hi = m->n_cpes;

	/* first entry with (vendor, product) >= the criteria's */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->cpes[mid].f[3], cf[3]);
		if (!c)
			c = strcmp(m->cpes[mid].f[4], cf[4]);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < m->n_cpes; i++) {
		const scpe *t = &m->cpes[i];
		if (strcmp(t->f[3], cf[3]) || strcmp(t->f[4], cf[4]))
			break;
		if (t == self)
			continue;
		if (cpe_eval(cf, b, t, platform, why, sizeof(why)) == CPE_YES) {
			*who = t;
			return true;
		}
	}
	return false;
}

/* One node of a configuration tree, loaded for evaluation. */
typedef struct {
	int64_t id, config, parent;
	bool and, negate, cfg_and, cfg_negate;
} nnode;

typedef struct {
	int64_t node;
	bool vulnerable;
	char *buf;      /* owns the split criteria */
	char *f[13];
	char *criteria;
	bounds b;
	char *bb[4];
} ncpe;

typedef struct {
	mctx *m;
	const scpe *self;
	nnode *nodes;
	size_t n_nodes;
	ncpe *cpes;
	size_t n_cpes;
	bool hit;                 /* a vulnerable CPE matched self */
	const ncpe *hit_cpe;
	char hit_why[512];
	const ncpe *plat_cpe;     /* a non-vulnerable CPE satisfied by the SBOM */
	const scpe *plat_who;
	bool plat_missing;        /* a platform CPE nobody in the SBOM satisfies */
} neval;

static bool node_eval(neval *e, size_t ni, int depth)
{
	const nnode *n = &e->nodes[ni];
	bool acc = n->and, any = false;

	if (depth > NODE_DEPTH_MAX)
		return false;
	for (size_t i = 0; i < e->n_cpes; i++) {
		const ncpe *c = &e->cpes[i];
		bool v = false;
		char why[512];
		const scpe *who = NULL;
		if (c->node != n->id)
			continue;
		if (c->vulnerable && cpe_eval(c->f, &c->b, e->self, false, why, sizeof(why)) == CPE_YES) {
			v = true;
			if (!n->negate && !e->hit) {
				e->hit = true;
				e->hit_cpe = c;
				snprintf(e->hit_why, sizeof(e->hit_why), "%s", why);
			}
		} else if (sbom_has(e->m, c->f, &c->b, !c->vulnerable, e->self, &who)) {
			v = true;
			if (!c->vulnerable && !e->plat_cpe) {
				e->plat_cpe = c;
				e->plat_who = who;
			}
		} else if (!c->vulnerable) {
			e->plat_missing = true;
		}
		any = true;
		acc = n->and ? acc && v : acc || v;
	}
	for (size_t i = 0; i < e->n_nodes; i++) {
		if (e->nodes[i].parent != n->id)
			continue;
		bool v = node_eval(e, i, depth + 1);
		any = true;
		acc = n->and ? acc && v : acc || v;
	}
	if (!any)
		acc = false;
	return n->negate ? !acc : acc;
}

static void ncpe_free(ncpe *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].buf);
		free(c[i].criteria);
		for (int k = 0; k < 4; k++)
			free(c[i].bb[k]);
	}
	free(c);
}

/*
 * Evaluates every configuration of NVD record vuln for component self.
 * *matched when a configuration holds in which a vulnerable CPE matched
 * self; evidence and fixed are then set (new strings).
 */
static tl_err nvd_configs(mctx *m, int64_t vuln, const char *cve, const scpe *self, bool *matched,
                          char **evidence, char **fixed)
{
	sqlite3_stmt *q;
	neval e = { .m = m, .self = self };
	size_t cap_n = 0, cap_c = 0;
	bool plat_missing_any = false;
	tl_err err = TL_OK;
	int rc;

	*matched = false;
	*evidence = *fixed = NULL;
	q = q_start(m, Q_NODES);
	sqlite3_bind_int64(q, 1, vuln);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (e.n_nodes == cap_n) {
			size_t nc = cap_n ? cap_n * 2 : 16;
			nnode *nv = realloc(e.nodes, nc * sizeof(*nv));
			if (!nv) {
				err = tl__nomem();
				goto done;
			}
			e.nodes = nv;
			cap_n = nc;
		}
		const char *fop = col(q, 5);
		e.nodes[e.n_nodes++] = (nnode){
			.id = sqlite3_column_int64(q, 0),
			.config = sqlite3_column_int64(q, 1),
			.parent = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 2),
			.and = !strcmp(col(q, 3), "AND"),
			.negate = sqlite3_column_int(q, 4) != 0,
			.cfg_and = fop && !strcmp(fop, "AND"),
			.cfg_negate = sqlite3_column_int(q, 6) != 0,
		};
	}
	if (rc != SQLITE_DONE) {
		err = sqlfail(m, "reading NVD configurations");
		goto done;
	}
	q = q_start(m, Q_CPES);
	sqlite3_bind_int64(q, 1, vuln);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (e.n_cpes == cap_c) {
			size_t nc = cap_c ? cap_c * 2 : 16;
			ncpe *nv = realloc(e.cpes, nc * sizeof(*nv));
			if (!nv) {
				err = tl__nomem();
				goto done;
			}
			e.cpes = nv;
			cap_c = nc;
		}
		ncpe *c = &e.cpes[e.n_cpes];
		memset(c, 0, sizeof(*c));
		c->node = sqlite3_column_int64(q, 0);
		c->vulnerable = sqlite3_column_int(q, 1) != 0;
		for (int k = 0; k < 4; k++) {
			if (sqlite3_column_type(q, 3 + k) != SQLITE_NULL && !(c->bb[k] = tl_strdup(col(q, 3 + k)))) {
				e.n_cpes++;
				err = tl__nomem();
				goto done;
			}
		}
		c->b = (bounds){ c->bb[0], c->bb[1], c->bb[2], c->bb[3] };
		e.n_cpes++;
		if (!(c->criteria = tl_strdup(col(q, 2))) || !(c->buf = strdup(c->criteria))) {
			err = tl__nomem();
			goto done;
		}
		lower(c->buf);
		if (!tl__cpe_split(c->buf, c->f)) {
			/* the importer checked it; a damaged row never matches */
			c->node = -1;
		}
	}
	if (rc != SQLITE_DONE) {
		err = sqlfail(m, "reading NVD CPE matches");
		goto done;
	}
	/* each configuration: its top-level nodes (parent -1), AND or OR */
	for (size_t i = 0; i < e.n_nodes && !*matched; i++) {
		int64_t cfg = e.nodes[i].config;
		bool and, acc, first = true;
		if (i > 0 && e.nodes[i - 1].config == cfg)
			continue;
		e.hit = false;
		e.plat_cpe = NULL;
		e.plat_missing = false;
		and = e.nodes[i].cfg_and;
		acc = and;
		for (size_t j = i; j < e.n_nodes && e.nodes[j].config == cfg; j++) {
			if (e.nodes[j].parent != -1)
				continue;
			bool v = node_eval(&e, j, 0);
			acc = first ? v : and ? acc && v : acc || v;
			first = false;
		}
		if (e.nodes[i].cfg_negate)
			acc = !acc;
		if (acc && e.hit) {
			char bt[512];
			bounds_text(bt, sizeof(bt), &e.hit_cpe->b);
			*matched = true;
			*evidence = e.plat_cpe ?
				CAT(self->comp->cpe, ": NVD ", cve, " ", e.hit_cpe->criteria, bt, ": ", e.hit_why,
				    "; platform ", e.plat_cpe->criteria, " satisfied by ",
				    e.plat_who->comp->ref ? e.plat_who->comp->ref : e.plat_who->comp->cpe) :
				CAT(self->comp->cpe, ": NVD ", cve, " ", e.hit_cpe->criteria, bt, ": ", e.hit_why);
			if (!*evidence || (e.hit_cpe->b.ee && !(*fixed = strdup(e.hit_cpe->b.ee)))) {
				free(*evidence);
				*evidence = NULL;
				*matched = false;
				err = tl__nomem();
				goto done;
			}
		} else if (e.hit && e.plat_missing) {
			plat_missing_any = true;
		}
	}
	if (!*matched && plat_missing_any) {
		m->st.undecided++;
		tl__log(TL_LOG_INFO, "%s: NVD %s: the vulnerable CPE matches but its configuration needs a "
		        "platform that is not in the SBOM; not reported", self->comp->cpe, cve);
	}
done:
	sqlite3_reset(m->q[Q_NODES]);
	sqlite3_reset(m->q[Q_CPES]);
	free(e.nodes);
	ncpe_free(e.cpes, e.n_cpes);
	return err;
}

/* NVD records naming the component's vendor and product. */
static tl_err nvd_lookup(mctx *m, const scpe *self)
{
	sqlite3_stmt *q = q_start(m, Q_CPE);
	int64_t *hits = NULL, last = -1, cur = -1;
	bool cur_undecided = false;
	char cur_id[64] = "";
	char **ids = NULL;
	size_t n = 0, cap = 0;
	tl_err err = TL_OK;
	int rc;

	sqlite3_bind_text(q, 1, self->f[3], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, self->f[4], -1, SQLITE_STATIC);
	/* first pass: records with a vulnerable CPE that matches the component */
	for (;;) {
		rc = sqlite3_step(q);
		int64_t vuln = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -2;
		char buf[2048], *f[13], why[512];
		int r;
		/* a record none of whose CPEs matched, one of them undecided */
		if (vuln != cur) {
			if (cur_undecided && last != cur) {
				m->st.undecided++;
				tl__log(TL_LOG_DEBUG, "%s: NVD %s: no version decision for this component",
				        self->comp->cpe, cur_id);
			}
			cur = vuln;
			cur_undecided = false;
			if (rc == SQLITE_ROW)
				snprintf(cur_id, sizeof(cur_id), "%s", col(q, 1));
		}
		if (rc != SQLITE_ROW)
			break;
		bounds b = { col(q, 3), col(q, 4), col(q, 5), col(q, 6) };
		if (vuln == last)
			continue;
		snprintf(buf, sizeof(buf), "%s", col(q, 2));
		lower(buf);
		if (!tl__cpe_split(buf, f))
			continue;
		r = cpe_eval(f, &b, self, false, why, sizeof(why));
		if (r == CPE_UNDECIDED) {
			cur_undecided = true;
			tl__log(TL_LOG_DEBUG, "%s: NVD %s: %s decides nothing for this component", self->comp->cpe,
			        col(q, 1), col(q, 2));
		}
		if (r != CPE_YES)
			continue;
		last = vuln;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			int64_t *nh = realloc(hits, nc * sizeof(*nh));
			char **ni = nh ? realloc(ids, nc * sizeof(*ni)) : NULL;
			if (nh)
				hits = nh;
			if (!ni) {
				err = tl__nomem();
				goto done;
			}
			ids = ni;
			cap = nc;
		}
		hits[n] = vuln;
		if (!(ids[n++] = strdup(col(q, 1)))) {
			err = tl__nomem();
			goto done;
		}
	}
	if (rc != SQLITE_DONE) {
		err = sqlfail(m, "reading NVD CPE matches");
		goto done;
	}
	sqlite3_reset(q);
	/* second pass: the whole configuration of each */
	for (size_t i = 0; i < n; i++) {
		bool matched;
		char *ev = NULL, *fx = NULL;
		if ((err = nvd_configs(m, hits[i], ids[i], self, &matched, &ev, &fx)) != TL_OK)
			goto done;
		if (matched && (err = add_cand(m, P_NVD, "nvd", strdup(ids[i]), fx, ev)) != TL_OK)
			goto done;
	}
done:
	sqlite3_reset(q);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(hits);
	return err;
}

/* ---- alias groups and what their records say ----------------------------- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_cve(const char *s)
{
	return !strncmp(s, "CVE-", 4);
}

static bool has_id(char **ids, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], s))
			return true;
	return false;
}

/* Keeps what a record of Q_GROUP says (its columns from base on), for group_info. */
static tl_err grec_add(group *g, const char *id, sqlite3_stmt *q, int base, bool nvd)
{
	struct grec *nv = realloc(g->recs, (g->n_recs + 1) * sizeof(*nv)), *r;

	if (!nv)
		return tl__nomem();
	g->recs = nv;
	r = &g->recs[g->n_recs++];
	memset(r, 0, sizeof(*r));
	r->nvd = nvd;
	r->has3 = sqlite3_column_type(q, base + 4) != SQLITE_NULL;
	r->has4 = sqlite3_column_type(q, base + 6) != SQLITE_NULL;
	r->s3 = sqlite3_column_double(q, base + 4);
	r->s4 = sqlite3_column_double(q, base + 6);
	if (!(r->id = strdup(id)) || (col(q, base + 1) && !(r->summary = strdup(col(q, base + 1)))) ||
	    (col(q, base + 2) && !(r->severity = strdup(col(q, base + 2)))) ||
	    (col(q, base + 3) && !(r->v3 = strdup(col(q, base + 3)))) ||
	    (col(q, base + 5) && !(r->v4 = strdup(col(q, base + 5)))))
		return tl__nomem();
	return TL_OK;
}

static int grec_cmp(const void *a, const void *b)
{
	const struct grec *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (int)y->nvd - (int)x->nvd; /* as ORDER BY source: nvd first */
}

/* Takes the KEV entry (cve, date_added, due_date from column base on) of
 * the group's CVE id when it comes before the one taken so far. */
static tl_err kev_take(group *g, const char *id, sqlite3_stmt *q, int base, const char **kev_id)
{
	if (*kev_id && strcmp(id, *kev_id) > 0)
		return TL_OK;
	free(g->kev_added);
	free(g->kev_due);
	g->kev_added = g->kev_due = NULL;
	if ((col(q, base + 1) && !(g->kev_added = strdup(col(q, base + 1)))) ||
	    (col(q, base + 2) && !(g->kev_due = strdup(col(q, base + 2)))))
		return tl__nomem();
	g->kev = true;
	*kev_id = id;
	return TL_OK;
}

/* Appends a copy of s to g->ids (*cap entries allocated). */
static tl_err ids_push(group *g, size_t *cap, const char *s)
{
	if (g->n_ids == *cap) {
		char **nv = realloc(g->ids, *cap * 2 * sizeof(*nv));
		if (!nv)
			return tl__nomem();
		g->ids = nv;
		*cap *= 2;
	}
	if (!(g->ids[g->n_ids] = strdup(s)))
		return tl__nomem();
	g->n_ids++;
	return TL_OK;
}

/* Adds to g the members of the stored alias group of id (one row each,
 * with their records and KEV entry), or id alone when no record names it. */
static tl_err group_add(mctx *m, group *g, const char *id, size_t *cap, const char **kev_id)
{
	sqlite3_stmt *q = q_start(m, Q_GROUP);
	bool any = false;
	tl_err err = TL_OK;
	int rc;

	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *s = col(q, 0);
		char *dup;
		any = true;
		if (!s || !s[0] || has_id(g->ids, g->n_ids, s))
			continue;
		if (g->n_ids >= GROUP_MAX)
			break;
		if ((err = ids_push(g, cap, s)) != TL_OK)
			goto done;
		dup = g->ids[g->n_ids - 1];
		if ((sqlite3_column_type(q, 1) != SQLITE_NULL && (err = grec_add(g, dup, q, 1, true)) != TL_OK) ||
		    (sqlite3_column_type(q, 8) != SQLITE_NULL && (err = grec_add(g, dup, q, 8, false)) != TL_OK))
			goto done;
		/* the KEV entry of the group's first CVE (in id order) that has one */
		if (sqlite3_column_type(q, 15) != SQLITE_NULL && is_cve(dup) &&
		    (err = kev_take(g, dup, q, 15, kev_id)) != TL_OK)
			goto done;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		err = sqlfail(m, "reading alias groups");
		goto done;
	}
	if (!any && !has_id(g->ids, g->n_ids, id) && g->n_ids < GROUP_MAX) {
		if ((err = ids_push(g, cap, id)) != TL_OK)
			goto done;
		if (is_cve(id)) {
			q = q_start(m, Q_KEV);
			sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
			if ((rc = sqlite3_step(q)) == SQLITE_ROW)
				err = kev_take(g, g->ids[g->n_ids - 1], q, 0, kev_id);
			else if (rc != SQLITE_DONE)
				err = sqlfail(m, "reading the KEV catalog");
		}
	}
done:
	sqlite3_reset(q);
	return err;
}

/* The alias group of record id (cached): its stored group, which holds the
 * CVE a distro record is named after (tl__distro_cve). */
static tl_err group_of(mctx *m, const char *id, group **out)
{
	group *g;
	tl__strtab_slot *e;
	size_t cap = 8;
	const char *kev_id = NULL;
	tl_err err = TL_OK;

	if ((e = tl__strtab_get(&m->groups, id)) != NULL) {
		*out = (group *)e->p;
		return TL_OK;
	}
	if (!(g = calloc(1, sizeof(*g))) || !(g->ids = calloc(cap, sizeof(char *)))) {
		free(g);
		return tl__nomem();
	}
	g->next = m->all_groups;
	m->all_groups = g;
	g->c3 = g->c4 = -1;
	if ((err = group_add(m, g, id, &cap, &kev_id)) != TL_OK)
		return err;
	qsort(g->ids, g->n_ids, sizeof(*g->ids), cmp_strp);
	for (size_t i = 0; i < g->n_ids && !g->rep; i++)
		if (is_cve(g->ids[i]))
			g->rep = g->ids[i];
	if (!g->rep)
		g->rep = g->ids[0];
	if (!(g->rep = strdup(g->rep)))
		return tl__nomem();
	for (size_t i = 0; i < g->n_ids; i++) {
		bool added;
		if ((err = tl__strtab_put(&m->groups, g->ids[i], &e, &added)) != TL_OK)
			return err;
		if (added)
			e->p = g;
	}
	*out = g;
	return TL_OK;
}

static tl_severity sev_of_score(double s)
{
	return s < 0 ? TL_SEV_UNKNOWN : s == 0 ? TL_SEV_NONE : s < 4 ? TL_SEV_LOW : s < 7 ? TL_SEV_MEDIUM :
	       s < 9 ? TL_SEV_HIGH : TL_SEV_CRITICAL;
}

/* Fills the severity, scores and summary of g from every record of the
 * group (its KEV entry came with the group). */
static tl_err group_info(group *g)
{
	tl_severity text = TL_SEV_UNKNOWN;
	const char *osv_summary = NULL, *sum_nvd = NULL;

	if (g->info)
		return TL_OK;
	/* records in id order, NVD before OSV for one id */
	if (g->n_recs > 1)
		qsort(g->recs, g->n_recs, sizeof(*g->recs), grec_cmp);
	for (size_t i = 0; i < g->n_recs; i++) {
		const struct grec *r = &g->recs[i];
		tl_severity sv;
		if (r->summary && r->summary[0]) {
			const char **dst = r->nvd ? &sum_nvd : &osv_summary;
			if (!*dst)
				*dst = r->summary;
		}
		if (r->severity && tl_severity_parse(r->severity, &sv) == TL_OK && sv > text)
			text = sv;
		for (int k = 0; k < 2; k++) {
			double *best = k ? &g->c4 : &g->c3, v = k ? r->s4 : r->s3;
			char **vec = k ? &g->v4 : &g->v3;
			const char *rv = k ? r->v4 : r->v3;
			if (!(k ? r->has4 : r->has3) || v < 0 || v <= *best)
				continue;
			*best = v;
			free(*vec);
			if (!(*vec = tl_strdup(rv)) && rv)
				return tl__nomem();
		}
	}
	if (!(g->summary = tl_strdup(sum_nvd ? sum_nvd : osv_summary)) && (sum_nvd || osv_summary))
		return tl__nomem();
	g->sev = sev_of_score(g->c3 > g->c4 ? g->c3 : g->c4);
	if (g->sev == TL_SEV_UNKNOWN)
		g->sev = text;
	g->info = true;
	return TL_OK;
}

/* ---- components ---------------------------------------------------------- */

static const char *prop(const tl_sbom_component *c, const char *name)
{
	for (size_t i = 0; i < c->n_props; i++)
		if (c->props[i].name && !strcmp(c->props[i].name, name))
			return c->props[i].value;
	return NULL;
}

/* Whether the DB has records for ecosystem eco (and Alpine secdb distro
 * secdb when not NULL); counts the component for the warning. */
static tl_err eco_has(mctx *m, const char *eco, const char *secdb, bool unmapped, bool *has)
{
	eco_seen *e = NULL;
	int rc;

	for (size_t i = 0; i < m->n_ecos && !e; i++)
		if (!strcmp(m->ecos[i].name, eco))
			e = &m->ecos[i];
	if (!e) {
		eco_seen *nv = realloc(m->ecos, (m->n_ecos + 1) * sizeof(*nv));
		if (!nv)
			return tl__nomem();
		m->ecos = nv;
		e = &m->ecos[m->n_ecos];
		memset(e, 0, sizeof(*e));
		if (!(e->name = strdup(eco)))
			return tl__nomem();
		m->n_ecos++;
		e->unmapped = unmapped;
		e->first = m->item;
		e->seq = m->eco_seq++;
		for (int k = 0; k < 2 && !e->has && !unmapped; k++) {
			sqlite3_stmt *q = q_start(m, k ? Q_SECDB_EXISTS : Q_ECO_EXISTS);
			if (k && !secdb)
				break;
			sqlite3_bind_text(q, 1, k ? secdb : eco, -1, SQLITE_STATIC);
			if ((rc = sqlite3_step(q)) != SQLITE_ROW)
				return sqlfail(m, "reading ecosystems");
			e->has = sqlite3_column_int(q, 0) != 0;
			sqlite3_reset(q);
		}
	}
	e->components++;
	*has = e->has;
	return TL_OK;
}

/* "debian-12" -> ("debian", "12"); a codename -> its distro and release. */
static void distro_split(const char *q, char *id, size_t idcap, char *ver, size_t vcap)
{
	static const struct {
		const char *code, *id, *ver;
	} codes[] = {
		{ "wheezy", "debian", "7" },      { "jessie", "debian", "8" },
		{ "stretch", "debian", "9" },     { "buster", "debian", "10" },
		{ "bullseye", "debian", "11" },   { "bookworm", "debian", "12" },
		{ "trixie", "debian", "13" },     { "trusty", "ubuntu", "14.04" },
		{ "xenial", "ubuntu", "16.04" },  { "bionic", "ubuntu", "18.04" },
		{ "focal", "ubuntu", "20.04" },   { "jammy", "ubuntu", "22.04" },
		{ "noble", "ubuntu", "24.04" },
	};
	const char *dash = strrchr(q, '-');

	id[0] = ver[0] = '\0';
	if (dash && isdigit((unsigned char)dash[1])) {
		snprintf(id, idcap, "%.*s", (int)(dash - q), q);
		snprintf(ver, vcap, "%s", dash + 1);
		lower(id);
		return;
	}
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (!strcasecmp(q, codes[i].code)) {
			snprintf(id, idcap, "%s", codes[i].id);
			snprintf(ver, vcap, "%s", codes[i].ver);
			return;
		}
	}
}

/* The first n dot-separated numbers of v ("3.18.4", 2 -> "3.18"); false if fewer. */
static bool release_prefix(const char *v, int n, char *out, size_t cap)
{
	size_t i = 0;
	int parts = 0;

	for (;;) {
		if (!isdigit((unsigned char)v[i]))
			return false;
		while (isdigit((unsigned char)v[i]))
			i++;
		if (++parts == n)
			break;
		if (v[i] != '.')
			return false;
		i++;
	}
	if (i >= cap)
		return false;
	snprintf(out, cap, "%.*s", (int)i, v);
	return true;
}

/* A package name from a purl "upstream" qualifier ("name", "name@ver", "name (ver)"). */
static void upstream_name(const char *u, char *out, size_t cap)
{
	size_t n = strcspn(u, "@ (");

	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), u);
}

/* Language ecosystems by purl type. */
static const struct {
	const char *type, *eco;
	vscheme s;
	char join; /* how namespace and name join: '/', ':' or 0 (name only) */
} lang[] = {
	{ "npm", "npm", VS_SEMVER, '/' },          { "cargo", "crates.io", VS_SEMVER, 0 },
	{ "golang", "Go", VS_SEMVER, '/' },        { "nuget", "NuGet", VS_NUMERIC, 0 },
	{ "pypi", "PyPI", VS_NUMERIC, 0 },         { "maven", "Maven", VS_NUMERIC, ':' },
	{ "gem", "RubyGems", VS_NUMERIC, 0 },      { "composer", "Packagist", VS_NUMERIC, '/' },
	{ "hex", "Hex", VS_SEMVER, 0 },            { "pub", "Pub", VS_SEMVER, 0 },
	{ "hackage", "Hackage", VS_NUMERIC, 0 },   { "cran", "CRAN", VS_NUMERIC, 0 },
	{ "bitnami", "Bitnami", VS_SEMVER, 0 },    { "conan", "ConanCenter", VS_NUMERIC, 0 },
};

/* PEP 503 name normalisation: lower case, runs of "-", "_", "." -> "-". */
static void pep503(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r == '-' || *r == '_' || *r == '.') {
			if (w > s && w[-1] == '-')
				continue;
			*w++ = '-';
		} else {
			*w++ = (char)tolower((unsigned char)*r);
		}
	}
	*w = '\0';
}

/* OSV lookups of a distro package (deb, apk, rpm); *distro set when it is one. */
static tl_err distro_lookup(mctx *m, const tl_sbom_component *c, const tl_purl *p, const char *version,
                            bool *distro, bool *consulted)
{
	char id[64], ver[64], rel[64], eco[3][96], pkg[512], v[TL_VERSION_MAX_LEN + 32], secdb[72] = "";
	const char *q = tl_purl_get_qualifier(p, "distro"), *s;
	const char *up = tl_purl_get_qualifier(p, "upstream");
	int n_eco = 0;
	vscheme vs;
	bool has = false, any = false;
	tl_err err;

	*distro = !strcmp(p->type, "deb") || !strcmp(p->type, "apk") || !strcmp(p->type, "rpm");
	if (!*distro)
		return TL_OK;
	distro_split(q ? q : "", id, sizeof(id), ver, sizeof(ver));
	if (!id[0] && p->namespace) {
		snprintf(id, sizeof(id), "%s", p->namespace);
		lower(id);
	}
	snprintf(pkg, sizeof(pkg), "%s", p->name);
	snprintf(v, sizeof(v), "%s", version);
	if (!strcmp(p->type, "deb")) {
		vs = VS_DEB;
		if ((s = prop(c, "trustline:deb:source")) && s[0])
			snprintf(pkg, sizeof(pkg), "%s", s);
		else if (up && up[0])
			upstream_name(up, pkg, sizeof(pkg));
		if ((s = prop(c, "trustline:deb:source-version")) && s[0])
			snprintf(v, sizeof(v), "%s", s);
		if (!strcmp(id, "debian") && release_prefix(ver, 1, rel, sizeof(rel))) {
			snprintf(eco[n_eco++], sizeof(eco[0]), "Debian:%s", rel);
		} else if (!strcmp(id, "ubuntu") && release_prefix(ver, 2, rel, sizeof(rel))) {
			snprintf(eco[n_eco++], sizeof(eco[0]), "Ubuntu:%s", rel);
			snprintf(eco[n_eco++], sizeof(eco[0]), "Ubuntu:%s:LTS", rel);
			snprintf(eco[n_eco++], sizeof(eco[0]), "Ubuntu:Pro:%s:LTS", rel);
		}
	} else if (!strcmp(p->type, "apk")) {
		vs = VS_APK;
		if ((s = prop(c, "trustline:apk:origin")) && s[0])
			snprintf(pkg, sizeof(pkg), "%s", s);
		else if (up && up[0])
			upstream_name(up, pkg, sizeof(pkg));
		if (!strcmp(id, "alpine") && release_prefix(ver, 2, rel, sizeof(rel))) {
			snprintf(eco[n_eco++], sizeof(eco[0]), "Alpine:v%s", rel);
			snprintf(secdb, sizeof(secdb), "v%s", rel);
		}
	} else {
		static const struct {
			const char *id, *eco;
			int parts; /* release numbers kept: 1 major, 0 as written */
		} rpm[] = {
			{ "almalinux", "AlmaLinux", 1 }, { "rocky", "Rocky Linux", 1 },
			{ "mageia", "Mageia", 1 },       { "photon", "Photon OS", 0 },
		};
		const char *epoch = tl_purl_get_qualifier(p, "epoch");
		vs = VS_RPM;
		if (epoch && epoch[0] && !strchr(version, ':'))
			snprintf(v, sizeof(v), "%s:%s", epoch, version);
		for (size_t i = 0; i < sizeof(rpm) / sizeof(rpm[0]); i++) {
			if (strcmp(id, rpm[i].id))
				continue;
			if (rpm[i].parts ? release_prefix(ver, 1, rel, sizeof(rel)) : (ver[0] != '\0'))
				snprintf(eco[n_eco++], sizeof(eco[0]), "%s:%s", rpm[i].eco, rpm[i].parts ? rel : ver);
		}
	}
	if (!n_eco) {
		m->st.no_data++;
		snprintf(eco[0], sizeof(eco[0]), "pkg:%s %s%s", p->type, q ? "distro=" : "(no distro qualifier)",
		         q ? q : "");
		return eco_has(m, eco[0], NULL, true, &has);
	}
	for (int i = 0; i < n_eco; i++) {
		if ((err = eco_has(m, eco[i], i == 0 && secdb[0] ? secdb : NULL, false, &has)) != TL_OK)
			return err;
		any = any || has;
	}
	if (!any) {
		/* warn once, under the first ecosystem name, for a component none has */
		m->st.no_data++;
		for (size_t i = 0; i < m->n_ecos; i++)
			for (int k = 1; k < n_eco; k++)
				if (!strcmp(m->ecos[i].name, eco[k]))
					m->ecos[i].components--;
		return TL_OK;
	}
	for (size_t i = 0; i < m->n_ecos; i++)
		for (int k = 0; k < n_eco; k++)
			if (!strcmp(m->ecos[i].name, eco[k]) && !m->ecos[i].has)
				m->ecos[i].components--;
	*consulted = true;
	for (int i = 0; i < n_eco; i++)
		if ((err = osv_lookup(m, c->purl, eco[i], pkg, v, vs, P_DISTRO)) != TL_OK)
			return err;
	if (secdb[0] && (err = secdb_lookup(m, c->purl, secdb, pkg, v)) != TL_OK)
		return err;
	return TL_OK;
}

/* OSV lookups of a language package or an OSS-Fuzz project. */
static tl_err lang_lookup(mctx *m, const tl_sbom_component *c, const tl_purl *p, const char *version,
                          bool *consulted)
{
	char pkg[1024], v[TL_VERSION_MAX_LEN + 1];

	if (!strcmp(p->type, "generic")) {
		if (m->opts && m->opts->no_oss_fuzz)
			return TL_OK;
		if (p->namespace && p->namespace[0])
			return TL_OK;
		*consulted = true;
		return ossfuzz_lookup(m, c->purl, p->name, version);
	}
	for (size_t i = 0; i < sizeof(lang) / sizeof(lang[0]); i++) {
		if (strcmp(p->type, lang[i].type))
			continue;
		if (lang[i].join && p->namespace && p->namespace[0])
			snprintf(pkg, sizeof(pkg), "%s%c%s", p->namespace, lang[i].join, p->name);
		else
			snprintf(pkg, sizeof(pkg), "%s", p->name);
		if (!strcmp(p->type, "pypi"))
			pep503(pkg);
		snprintf(v, sizeof(v), "%s", version);
		if (!strcmp(p->type, "golang") && v[0] == 'v')
			memmove(v, v + 1, strlen(v));
		*consulted = true;
		return osv_lookup(m, c->purl, lang[i].eco, pkg, v, lang[i].s, P_ECOSYSTEM);
	}
	return TL_OK;
}

static int cand_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	int c = strcmp(x->g->rep, y->g->rep);

	if (c)
		return c;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return strcmp(x->record, y->record);
}

/* Patch evidence: the changelog property names an id of g as fixed at or before v. */
static tl_err patch_check(const tl_sbom_component *c, const group *g, const char *v, tl_finding *f)
{
	const char *p = prop(c, TL_PROP_CHANGELOG_CVES);
	char tok[512];
	int cmp;

	while (p && *p) {
		size_t n = strcspn(p, " ");
		if (n > 0 && n < sizeof(tok)) {
			char *eq;
			memcpy(tok, p, n);
			tok[n] = '\0';
			if ((eq = strchr(tok, '=')) && eq[1]) {
				*eq = '\0';
				if (has_id(g->ids, g->n_ids, tok) &&
				    tl_version_compare(&cmp, TL_VSCHEME_DEB, eq + 1, v) == TL_OK && cmp <= 0) {
					f->patched = true;
					if (!(f->patch_evidence = strf("changelog.Debian.gz: %s fixed in %s (installed %s)",
					                               tok, eq + 1, v)))
						return tl__nomem();
					return TL_OK;
				}
			}
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return TL_OK;
}

static tl_err push_finding(tl_findings *fs, tl_finding **out)
{
	if (fs->n == fs->cap) {
		size_t nc = fs->cap ? fs->cap * 2 : 32;
		tl_finding *nv = realloc(fs->v, nc * sizeof(*nv));
		if (!nv)
			return tl__nomem();
		fs->v = nv;
		fs->cap = nc;
	}
	*out = &fs->v[fs->n++];
	memset(*out, 0, sizeof(**out));
	return TL_OK;
}

static bool dup_ok(char **dst, const char *src)
{
	if (!src)
		return true;
	return (*dst = strdup(src)) != NULL;
}

/* Turns the candidates of component c into findings, one per alias group. */
static tl_err emit(mctx *m, const tl_sbom_component *c, const char *deb_version)
{
	tl_err err = TL_OK;

	for (size_t i = 0; i < m->n_c; i++)
		if ((err = group_of(m, m->c[i].record, &m->c[i].g)) != TL_OK)
			return err;
	if (m->n_c)
		qsort(m->c, m->n_c, sizeof(*m->c), cand_cmp); /* qsort(NULL, 0) is undefined */
	for (size_t i = 0; i < m->n_c;) {
		size_t j = i + 1;
		cand *best = &m->c[i];
		group *g = best->g;
		tl_finding *f = NULL;
		tl_buf ev = TL_BUF_INIT;
		/* one finding per group id; a record reached by another route
		 * (DEBIAN-CVE-x) may hold a larger view of the same group */
		while (j < m->n_c && !strcmp(m->c[j].g->rep, best->g->rep)) {
			if (m->c[j].g->n_ids > g->n_ids)
				g = m->c[j].g;
			j++;
		}
		if ((err = group_info(g)) != TL_OK || (err = push_finding(&m->out, &f)) != TL_OK)
			return err;
		/* evidence: the best match, and which other records agreed */
		err = tl_buf_puts(&ev, best->evidence);
		for (size_t k = i + 1, more = 0; k < j && err == TL_OK; k++)
			if (strcmp(m->c[k].record, m->c[k - 1].record) || m->c[k].prio != m->c[k - 1].prio)
				err = tl_buf_printf(&ev, "%s %s %s", more++ ? "," : "; also matched by",
				                    m->c[k].source, m->c[k].record);
		if (err == TL_OK)
			err = tl_buf_cstr(&ev);
		f->evidence = err == TL_OK ? tl_buf_detach(&ev) : NULL;
		tl_buf_dispose(&ev);
		if (err != TL_OK)
			return err;
		/* one line, whatever the records and the SBOM hold */
		for (char *p = f->evidence; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		f->severity = g->sev;
		f->cvss3_score = g->c3;
		f->cvss4_score = g->c4;
		f->kev = g->kev;
		if (!dup_ok(&f->id, g->rep) || !dup_ok(&f->summary, g->summary) ||
		    !dup_ok(&f->cvss3_vector, g->v3) || !dup_ok(&f->cvss4_vector, g->v4) ||
		    !dup_ok(&f->kev_date_added, g->kev_added) || !dup_ok(&f->kev_due_date, g->kev_due) ||
		    !dup_ok(&f->component_ref, c->ref) || !dup_ok(&f->component_name, c->name) ||
		    !dup_ok(&f->component_version, c->version) ||
		    !dup_ok(&f->component_id, best->prio == P_NVD ? c->cpe : c->purl) ||
		    !dup_ok(&f->source, best->source) || !dup_ok(&f->record, best->record) ||
		    !dup_ok(&f->fixed_version, best->fixed))
			return tl__nomem();
		if (g->n_ids > 1) {
			if (!(f->aliases = calloc(g->n_ids - 1, sizeof(char *))))
				return tl__nomem();
			for (size_t k = 0; k < g->n_ids; k++) {
				if (!strcmp(g->ids[k], g->rep))
					continue;
				if (!(f->aliases[f->n_aliases++] = strdup(g->ids[k])))
					return tl__nomem();
			}
		}
		if (deb_version && (err = patch_check(c, g, deb_version, f)) != TL_OK)
			return err;
		m->st.findings++;
		i = j;
	}
	return TL_OK;
}

static tl_err match_component(mctx *m, const tl_sbom_component *c)
{
	tl_purl p = { 0 };
	bool have_purl = false, distro = false, consulted = false;
	const char *version;
	char *debv = NULL;
	tl_err err = TL_OK;

	m->st.components++;
	for (size_t i = 0; i < m->n_c; i++)
		cand_dispose(&m->c[i]);
	m->n_c = 0;
	if (c->purl && c->purl[0]) {
		if (tl_purl_parse(&p, c->purl) == TL_OK) {
			have_purl = true;
		} else {
			char qv[96];
			tl__quote(qv, sizeof(qv), c->purl);
			tl__log(TL_LOG_WARN, "component %s: purl \"%s\" does not parse; matched by CPE only",
			        c->ref ? c->ref : c->name ? c->name : "?", qv);
		}
	}
	version = have_purl && p.version ? p.version : c->version;
	if (have_purl && version && version[0]) {
		if ((err = distro_lookup(m, c, &p, version, &distro, &consulted)) != TL_OK)
			goto done;
		if (!distro && (err = lang_lookup(m, c, &p, version, &consulted)) != TL_OK)
			goto done;
		if (distro && !strcmp(p.type, "deb")) {
			const char *sv = prop(c, "trustline:deb:source-version");
			if (!(debv = strdup(sv && sv[0] ? sv : version))) {
				err = tl__nomem();
				goto done;
			}
		}
	}
	/* NVD for every component with a CPE that is not a distro package */
	if (!distro && c->cpe && c->cpe[0]) {
		const scpe *self = NULL;
		for (size_t i = 0; i < m->n_cpes && !self; i++)
			if (m->cpes[i].comp == c)
				self = &m->cpes[i];
		if (self) {
			consulted = true;
			if ((err = nvd_lookup(m, self)) != TL_OK)
				goto done;
		}
	}
	if (consulted)
		m->st.checked++;
	else if (!distro)
		m->st.unmatchable++;
	err = emit(m, c, debv);
done:
	free(debv);
	if (have_purl)
		tl_purl_dispose(&p);
	return err;
}

static int finding_cmp(const void *a, const void *b)
{
	const tl_finding *x = a, *y = b;
	int c;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if ((c = strcmp(x->id, y->id)))
		return c;
	if ((c = strcmp(x->component_ref ? x->component_ref : "", y->component_ref ? y->component_ref : "")))
		return c;
	if ((c = strcmp(x->component_id ? x->component_id : "", y->component_id ? y->component_id : "")))
		return c;
	return strcmp(x->record, y->record);
}

/* ---- a run: threads, chunks, one snapshot -------------------------------- */

/* Components per chunk handed to a thread. */
#define CHUNK 8
/* Fewer work items than this are matched on one thread (automatic mode). */
#define PAR_MIN 64
/* Most threads. */
#define THREADS_MAX 8
_Static_assert(THREADS_MAX - 1 <= TL__VULNDB_READERS, "a read connection per worker");

/* What one chunk of components gave. */
typedef struct {
	tl_findings out;   /* its findings, in component order */
	tl_buf logs;       /* its log messages (tl__log_capture) */
} chunk;

/* The work of a run, shared by its threads. */
typedef struct {
	const tl_sbom_component **items; /* the subject first, then the components */
	size_t n_items;
	size_t n_components;             /* for progress */
	chunk *chunks;
	size_t n_chunks;
	bool capture;                    /* hold log messages per chunk (threads > 1) */
	atomic_size_t next;              /* next chunk to take */
	atomic_size_t done;              /* components done, for progress */
	size_t shown;                    /* the last progress shown (main thread) */
	atomic_bool stop;                /* a thread failed: take no more */
} work;

/* Prepares the statements of m on m->h inside a read transaction (begun
 * here unless m->in_tx says it is), with the memory map. */
static tl_err mctx_begin(mctx *m)
{
	/* reads through a memory map rather than a pread and copy per page
	 * (best effort: without it SQLite reads as before) */
	sqlite3_exec(m->h, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
	/* one read transaction: one snapshot of the database for the whole run
	 * (an import committing meanwhile is not half seen), and one lock
	 * instead of a lock and a WAL check per statement */
	if (!m->in_tx) {
		if (sqlite3_exec(m->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			return sqlfail(m, "starting a read transaction");
		m->in_tx = true;
	}
	for (int i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(m->h, q_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &m->q[i], NULL) != SQLITE_OK)
			return sqlfail(m, "preparing a query");
	return TL_OK;
}

/* Frees what m needs only while matching (its groups, candidates and
 * statements) and ends its read transaction; what the run's end merges
 * (counts, ecosystems, a failure) stays. */
static void mctx_release(mctx *m)
{
	tl_findings_free(&m->out);
	for (size_t i = 0; i < m->n_c; i++)
		cand_dispose(&m->c[i]);
	free(m->c);
	m->c = NULL;
	m->n_c = m->cap_c = 0;
	while (m->all_groups) {
		group *g = m->all_groups;
		m->all_groups = g->next;
		group_free(g);
	}
	tl__strtab_dispose(&m->groups); /* (its keys were the groups' ids) */
	for (int i = 0; i < Q_COUNT; i++) {
		sqlite3_finalize(m->q[i]);
		m->q[i] = NULL;
	}
	if (m->in_tx)
		sqlite3_exec(m->h, "COMMIT", NULL, NULL, NULL);
	m->in_tx = false;
}

/* Frees what m holds (not its connection nor the CPEs it borrows). */
static void mctx_dispose(mctx *m)
{
	mctx_release(m);
	for (size_t i = 0; i < m->n_ecos; i++)
		free(m->ecos[i].name);
	free(m->ecos);
	free(m->errmsg);
	memset(m, 0, sizeof(*m));
}

/* Matches chunks of w until none is left (or a thread failed); on a
 * failure sets m->err, m->err_chunk and m->errmsg. */
static void run_chunks(mctx *m, work *w, bool progress)
{
	while (!atomic_load(&w->stop)) {
		size_t k = atomic_fetch_add(&w->next, 1), end;
		if (k >= w->n_chunks)
			break;
		end = (k + 1) * CHUNK < w->n_items ? (k + 1) * CHUNK : w->n_items;
		if (w->capture)
			tl__log_capture(&w->chunks[k].logs);
		for (size_t i = k * CHUNK; i < end; i++) {
			const tl_sbom_component *c = w->items[i];
			m->item = i;
			if ((m->err = match_component(m, c)) != TL_OK) {
				m->err_chunk = k;
				m->errmsg = strdup(tl_error_last());
				atomic_store(&w->stop, true);
				break;
			}
			if (c != m->sbom->subject) {
				size_t d = atomic_fetch_add(&w->done, 1) + 1;
				if (progress)
					tl__progress("matching", w->shown = d, w->n_components);
			}
		}
		tl__log_capture(NULL);
		m->chunks_done++;
		w->chunks[k].out = m->out;
		memset(&m->out, 0, sizeof(m->out));
		if (m->err != TL_OK)
			break;
	}
}

typedef struct {
	mctx m;
	work *w;
	pthread_t th;
	bool started;
} worker;

/* Adds the ecosystems a worker met to main's (counts summed, the first
 * meeting kept). */
static tl_err ecos_merge(mctx *m, const mctx *x)
{
	for (size_t i = 0; i < x->n_ecos; i++) {
		const eco_seen *s = &x->ecos[i];
		eco_seen *e = NULL;
		for (size_t j = 0; j < m->n_ecos && !e; j++)
			if (!strcmp(m->ecos[j].name, s->name))
				e = &m->ecos[j];
		if (e) {
			e->components += s->components;
			if (s->first < e->first || (s->first == e->first && s->seq < e->seq)) {
				e->first = s->first;
				e->seq = s->seq;
			}
			continue;
		}
		eco_seen *nv = realloc(m->ecos, (m->n_ecos + 1) * sizeof(*nv));
		if (!nv)
			return tl__nomem();
		m->ecos = nv;
		e = &m->ecos[m->n_ecos];
		*e = *s;
		if (!(e->name = strdup(s->name)))
			return tl__nomem();
		m->n_ecos++;
	}
	return TL_OK;
}

/* The order one thread meets ecosystems in: by component, then as met. */
static int eco_cmp(const void *a, const void *b)
{
	const eco_seen *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void *worker_main(void *arg)
{
	worker *wk = arg;

	/* its statements prepared here, alongside main; a worker that cannot
	 * prepare them takes no chunk and main does its share */
	if (mctx_begin(&wk->m) == TL_OK)
		run_chunks(&wk->m, wk->w, false);
	/* its groups freed here, alongside the other threads */
	mctx_release(&wk->m);
	return NULL;
}

/* The data version of connection h ("PRAGMA data_version"), -1 on error. */
static int64_t data_version(sqlite3 *h)
{
	sqlite3_stmt *q = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(h, "PRAGMA data_version", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* How many threads to match on (1 for a small SBOM). */
static unsigned thread_count(const tl_match_opts *opts, size_t n_items)
{
	unsigned n = opts ? opts->threads : 0;
	long cpus;

	if (n == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = n_items >= PAR_MIN && cpus >= 2 ? 2 : 1;
	}
	if (n > THREADS_MAX)
		n = THREADS_MAX;
	/* a thread gets at least one chunk */
	if (n > (n_items + CHUNK - 1) / CHUNK)
		n = (unsigned)((n_items + CHUNK - 1) / CHUNK);
	return n ? n : 1;
}

/*
 * Takes the read connections of n workers (tl__vulndb_reader) and starts
 * the read transactions of all, main's included, on one snapshot: each
 * worker's data version is read before main's transaction starts and
 * again inside its own; a commit in between changes it (SQLite counts
 * commits by other connections), and the run then goes on main alone.
 * Returns how many workers are ready (0 is fine: one thread).
 */
static tl_err workers_open(mctx *main_m, worker *wk, unsigned n, work *w, unsigned *ready)
{
	int64_t before[THREADS_MAX];
	unsigned k;
	tl_err err = TL_OK;

	*ready = 0;
	for (k = 0; k < n; k++) {
		wk[k] = (worker){ .w = w };
		wk[k].m = (mctx){ .db = main_m->db, .sbom = main_m->sbom, .opts = main_m->opts,
		                  .cpes = main_m->cpes, .n_cpes = main_m->n_cpes };
	}
	for (k = 0; k < n; k++) {
		mctx *m = &wk[k].m;
		if (!(m->h = tl__vulndb_reader(main_m->db, k)) || (before[k] = data_version(m->h)) < 0)
			break;
	}
	/* main's snapshot: its transaction and a first read */
	if ((err = mctx_begin(main_m)) != TL_OK)
		goto done;
	if (data_version(main_m->h) < 0) {
		err = sqlfail(main_m, "starting a read transaction");
		goto done;
	}
	for (unsigned i = 0; i < k; i++) {
		mctx *m = &wk[i].m;
		if (sqlite3_exec(m->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			break;
		m->in_tx = true;
		if (data_version(m->h) != before[i]) {
			tl__log(TL_LOG_DEBUG, "vulnerability database changed while the matching threads "
			        "started; matching on one thread");
			break;
		}
		*ready = i + 1;
	}
done:
	/* the workers not ready end their transactions; the ready ones come first */
	for (unsigned i = *ready; i < n; i++)
		mctx_dispose(&wk[i].m);
	return err;
}

tl_err tl_vuln_match(tl_vulndb *db, const tl_sbom *sbom, const tl_match_opts *opts, tl_findings *out)
{
	mctx m = { .db = db, .sbom = sbom, .opts = opts };
	worker wk[THREADS_MAX - 1];
	unsigned n_workers = 0, n_threads;
	work w = { 0 };
	scpe *cpes = NULL;
	size_t n_cpes = 0, total;
	tl_err err = TL_OK;

	if (!db || !sbom || !out)
		return tl__error(TL_EINVAL, "tl_vuln_match: NULL argument");
	m.h = tl_vulndb_handle(db);
	/* every CPE of the SBOM, for the platforms of AND configurations */
	total = sbom->n_components + (sbom->subject ? 1 : 0);
	if (total && (!(cpes = calloc(total, sizeof(*cpes))) || !(w.items = calloc(total, sizeof(*w.items))))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < total; i++) {
		const tl_sbom_component *c = i < sbom->n_components ? &sbom->components[i] : sbom->subject;
		bool ok;
		if (!c->cpe || !c->cpe[0])
			continue;
		if ((err = scpe_make(&cpes[n_cpes], c, &ok)) != TL_OK) {
			scpe_dispose(&cpes[n_cpes]);
			goto done;
		}
		if (ok) {
			n_cpes++;
		} else {
			char qv[96];
			tl__quote(qv, sizeof(qv), c->cpe);
			tl__log(TL_LOG_WARN, "component %s: \"%s\" is not a CPE 2.3 formatted string; not matched by CPE",
			        c->ref ? c->ref : c->name ? c->name : "?", qv);
		}
	}
	if (n_cpes)
		qsort(cpes, n_cpes, sizeof(*cpes), scpe_cmp);
	m.cpes = cpes;
	m.n_cpes = n_cpes;
	/* the work: the subject first, then the components in order */
	if (sbom->subject)
		w.items[w.n_items++] = sbom->subject;
	for (size_t i = 0; i < sbom->n_components; i++)
		w.items[w.n_items++] = &sbom->components[i];
	w.n_components = sbom->n_components;
	w.n_chunks = (w.n_items + CHUNK - 1) / CHUNK;
	if (w.n_chunks && !(w.chunks = calloc(w.n_chunks, sizeof(*w.chunks)))) {
		err = tl__nomem();
		goto done;
	}
	n_threads = thread_count(opts, w.n_items);
	if (n_threads > 1) {
		if ((err = workers_open(&m, wk, n_threads - 1, &w, &n_workers)) != TL_OK)
			goto done;
	} else if ((err = mctx_begin(&m)) != TL_OK) {
		goto done;
	}
	w.capture = n_workers > 0;
	for (unsigned i = 0; i < n_workers; i++) {
		if (pthread_create(&wk[i].th, NULL, worker_main, &wk[i]) != 0)
			break; /* the threads started (and main) do the work */
		wk[i].started = true;
	}
	run_chunks(&m, &w, true);
	/* main's groups freed while the workers finish theirs */
	mctx_release(&m);
	for (unsigned i = 0; i < n_workers; i++)
		if (wk[i].started)
			pthread_join(wk[i].th, NULL);
	/* the first failure in component order, as one thread would have met it */
	{
		mctx *bad = m.err != TL_OK ? &m : NULL;
		for (unsigned i = 0; i < n_workers; i++)
			if (wk[i].m.err != TL_OK && (!bad || wk[i].m.err_chunk < bad->err_chunk))
				bad = &wk[i].m;
		if (bad) {
			/* what one thread would have logged before it failed: the
			 * chunks before the failing one (all finished: chunks are
			 * taken in order and a stop is seen between chunks) and the
			 * failing one up to the failure */
			for (size_t k = 0; w.capture && k <= bad->err_chunk && k < w.n_chunks; k++)
				tl__log_replay(&w.chunks[k].logs);
			err = bad == &m ? m.err : tl__error(bad->err, "%s", bad->errmsg ? bad->errmsg : "matching failed");
			goto done;
		}
	}
	/* the chunks' log messages in order, then everything summed up */
	for (size_t k = 0; w.capture && k < w.n_chunks; k++)
		tl__log_replay(&w.chunks[k].logs);
	m.st.threads = m.chunks_done > 0;
	for (unsigned i = 0; i < n_workers; i++) {
		const mctx *x = &wk[i].m;
		m.st.threads += x->chunks_done > 0;
		m.st.components += x->st.components;
		m.st.checked += x->st.checked;
		m.st.no_data += x->st.no_data;
		m.st.unmatchable += x->st.unmatchable;
		m.st.undecided += x->st.undecided;
		m.st.findings += x->st.findings;
		if ((err = ecos_merge(&m, x)) != TL_OK)
			goto done;
	}
	if (m.n_ecos > 1)
		qsort(m.ecos, m.n_ecos, sizeof(*m.ecos), eco_cmp);
	if (w.n_components && w.shown < w.n_components)
		tl__progress("matching", w.n_components, w.n_components);
	for (size_t i = 0; i < m.n_ecos; i++) {
		const eco_seen *e = &m.ecos[i];
		if (e->unmapped)
			tl__log(TL_LOG_WARN, "%llu component(s) of %s: no vulnerability ecosystem is known for "
			        "this distro; not checked (docs/matching.md lists the distros)",
			        (unsigned long long)e->components, e->name);
		else if (!e->has && e->components)
			tl__log(TL_LOG_WARN, "no records for ecosystem %s in the database: %llu component(s) not "
			        "checked (import its OSV data)", e->name, (unsigned long long)e->components);
	}
	/* the chunks' findings in component order */
	for (size_t k = 0; k < w.n_chunks; k++) {
		tl_findings *c = &w.chunks[k].out;
		size_t need;
		if (!c->n)
			continue;
		if (!tl_size_add(&need, m.out.n, c->n)) {
			err = tl__nomem();
			goto done;
		}
		if (need > m.out.cap) {
			size_t ncap = m.out.cap ? m.out.cap : 64;
			while (ncap < need)
				ncap *= 2;
			tl_finding *nv = realloc(m.out.v, ncap * sizeof(*nv));
			if (!nv) {
				err = tl__nomem();
				goto done;
			}
			m.out.v = nv;
			m.out.cap = ncap;
		}
		memcpy(m.out.v + m.out.n, c->v, c->n * sizeof(*c->v));
		m.out.n = need;
		free(c->v);
		memset(c, 0, sizeof(*c));
	}
	if (m.out.n)
		qsort(m.out.v, m.out.n, sizeof(*m.out.v), finding_cmp);
	/* hand over: append to the caller's list (or give it ours) */
	if (m.out.n && !out->n) {
		free(out->v);
		*out = m.out;
		memset(&m.out, 0, sizeof(m.out));
	} else if (m.out.n) {
		size_t need;
		if (!tl_size_add(&need, out->n, m.out.n)) {
			err = tl__nomem();
			goto done;
		}
		if (need > out->cap) {
			tl_finding *nv = realloc(out->v, need * sizeof(*nv));
			if (!nv) {
				err = tl__nomem();
				goto done;
			}
			out->v = nv;
			out->cap = need;
		}
		memcpy(out->v + out->n, m.out.v, m.out.n * sizeof(*m.out.v));
		out->n = need;
		free(m.out.v);
		m.out.v = NULL;
		m.out.n = m.out.cap = 0;
	}
	if (opts && opts->stats)
		*opts->stats = m.st;
done:
	for (unsigned i = 0; i < n_workers; i++)
		mctx_dispose(&wk[i].m);
	mctx_dispose(&m);
	for (size_t k = 0; k < w.n_chunks; k++) {
		tl_findings_free(&w.chunks[k].out);
		tl_buf_dispose(&w.chunks[k].logs);
	}
	free(w.chunks);
	free(w.items);
	for (size_t i = 0; i < n_cpes; i++)
		scpe_dispose(&cpes[i]);
	free(cpes);
	return err;
}
