/*
 * trustline db update: downloads the configured feeds and imports them,
 * all in one transaction with the update's own state.
 *
 *   OSV   <base>/<ecosystem, percent-encoded>/all.zip   per ecosystem;
 *         conditional (If-None-Match with the ETag stored at the last
 *         import), resumable (Range + If-Range), x-goog-hash checked
 *   KEV   the catalog JSON; conditional and resumable the same way
 *   NVD   CVE API 2.0 pages (resultsPerPage, startIndex), following the
 *         server's own page size until startIndex reaches totalResults;
 *         after the first full download only what changed:
 *         lastModStartDate/lastModEndDate from the end of the last window
 *         to now, in windows of at most 120 days (the API's limit), with
 *         a pause between requests (NVD's published rate limits) and
 *         patient retries on 403/429/503
 *
 * Staging: <db>.update/ (mode 0700, locked with flock so two updates do
 * not share it) holds each download as FILE.part until it is complete and
 * checked, then FILE (and FILE.etag, so an interrupted update reuses it
 * when the server still has the same entity).  The database is written
 * only by tl__vulndb_import_meta, once, at the end.
 *
 * NVD page envelope read here (tl__nvd_envelope_read):
 *   {"resultsPerPage": N, "startIndex": N, "totalResults": N,
 *    "format": "NVD_CVE", "version": "2.0", "timestamp": "...",
 *    "vulnerabilities": [{"cve": {...}}, ...]}
 * Paging follows the entries received, not resultsPerPage (a server may
 * send fewer than it was asked for).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feed_int.h"

#define NVD_WINDOW_SECONDS (120 * 86400)  /* the API's longest date range */
#define NVD_MAX_PAGE_SIZE 2000u           /* the API's largest resultsPerPage */
#define NVD_MAX_PAGES 100000u             /* a bound on one update's paging */
#define NVD_MAX_RESULTS 10000000u         /* totalResults accepted */
#define NVD_RATE_RETRIES 5                /* retries after 403/429/503 */
#define NVD_RETRY_AFTER_MAX 300u          /* seconds of Retry-After honoured */
#define ECOSYSTEM_MAX 128                 /* bytes of an OSV ecosystem name */

/* ---- NVD page envelope ------------------------------------------------ */

static tl_err env_u64(const json_t *root, const char *key, const char *name, uint64_t *out)
{
	const json_t *v = json_object_get(root, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return tl__error(TL_EPARSE, "%s: $.%s: expected a non-negative integer", name, key);
	*out = (uint64_t)json_integer_value(v);
	return TL_OK;
}

tl_err tl__nvd_envelope_read(tl__nvd_envelope *out, const char *data, size_t len,
                             const char *name)
{
	json_t *root = NULL;
	const json_t *v;
	tl__nvd_envelope e;
	tl_err err;

	memset(&e, 0, sizeof(e));
	if ((err = tl_json_parse(&root, data, len, name, NULL)) != TL_OK)
		return err;
	if (!json_is_object(root)) {
		err = tl__error(TL_EPARSE, "%s: $: expected an NVD API response object", name);
		goto done;
	}
	if ((err = env_u64(root, "resultsPerPage", name, &e.results_per_page)) != TL_OK ||
	    (err = env_u64(root, "startIndex", name, &e.start_index)) != TL_OK ||
	    (err = env_u64(root, "totalResults", name, &e.total_results)) != TL_OK)
		goto done;
	v = json_object_get(root, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), "NVD_CVE") != 0) {
		err = tl__error(TL_EPARSE, "%s: $.format: expected \"NVD_CVE\"", name);
		goto done;
	}
	v = json_object_get(root, "vulnerabilities");
	if (!json_is_array(v)) {
		err = tl__error(TL_EPARSE, "%s: $.vulnerabilities: expected an array", name);
		goto done;
	}
	e.count = json_array_size(v);
	if (e.total_results > NVD_MAX_RESULTS) {
		err = tl__error(TL_ELIMIT, "%s: $.totalResults: more than %u", name, NVD_MAX_RESULTS);
		goto done;
	}
	*out = e;
done:
	json_decref(root);
	return err;
}

/* ---- the update ------------------------------------------------------- */

typedef struct {
	tl_vulndb *db;
	const tl_vulndb_update_opts *o;
	tl_vulndb_update_stats *st;
	char *stage;                  /* <db>.update */
	char **files;                 /* downloads to import (owned) */
	size_t n_files;
	char **owned;                 /* meta keys and values (owned) */
	size_t n_owned;
	tl__meta_kv *meta;
	size_t n_meta;
	char now[32];                 /* the update's start, RFC 3339 */
	int64_t now_t;
	uint64_t max_bytes;
	unsigned timeout_s, retries;
	bool nvd_requested;           /* an NVD request was made (pause before the next) */
} upd;

static tl_err own(upd *u, const char *s, const char **out)
{
	char **slot;
	tl_err err;

	*out = NULL;
	if (!s)
		return TL_OK;
	if ((err = tl__array_grow((void **)&u->owned, &u->n_owned, sizeof(*u->owned),
	                          (void **)&slot)) != TL_OK)
		return err;
	if (!(*slot = tl_strdup(s)))
		return tl__nomem();
	*out = *slot;
	return TL_OK;
}

/* Queues a meta row (key "<prefix><name>"), written with the import. */
static tl_err add_meta(upd *u, const char *prefix, const char *name, const char *value)
{
	tl__meta_kv *kv;
	tl_buf k = TL_BUF_INIT;
	tl_err err;

	if ((err = tl_buf_printf(&k, "%s%s", prefix, name)) != TL_OK)
		goto done;
	if ((err = tl__array_grow((void **)&u->meta, &u->n_meta, sizeof(*u->meta),
	                          (void **)&kv)) != TL_OK)
		goto done;
	if ((err = own(u, k.ptr, &kv->key)) != TL_OK || (err = own(u, value, &kv->value)) != TL_OK)
		goto done;
done:
	tl_buf_dispose(&k);
	return err;
}

static tl_err add_file(upd *u, const char *path)
{
	char **slot;
	tl_err err;

	if ((err = tl__array_grow((void **)&u->files, &u->n_files, sizeof(*u->files),
	                          (void **)&slot)) != TL_OK)
		return err;
	if (!(*slot = tl_strdup(path)))
		return tl__nomem();
	return TL_OK;
}

/* Percent-encodes everything but RFC 3986 unreserved characters. */
static tl_err escape(tl_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	tl_err err = TL_OK;

	for (; *s && err == TL_OK; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			err = tl_buf_putc(out, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			err = tl_buf_put(out, e, 3);
		}
	}
	return err;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Reads a small text file (a staged ETag) into a new string, or NULL. */
static char *read_small(const char *path)
{
	tl_buf b = TL_BUF_INIT;
	char *s = NULL;

	if (tl_file_read(&b, path, TL__HTTP_VALIDATOR_MAX) == TL_OK && b.len > 0)
		s = tl_buf_detach(&b);
	tl_buf_dispose(&b);
	return s;
}

/*
 * One conditional, resumable file feed (an OSV all.zip, the KEV catalog):
 * url to <stage>/<file>.  A complete download left by an interrupted
 * update is reused when the server still has the same entity (304 to its
 * ETag); otherwise the ETag stored with the last import makes an
 * unchanged feed a 304 with nothing to import.
 */
static tl_err fetch_file(upd *u, const char *url, const char *file, const char *label)
{
	tl_buf dest = TL_BUF_INIT, etag_path = TL_BUF_INIT, name = TL_BUF_INIT;
	char *db_etag = NULL, *staged_etag = NULL;
	tl__fetch_req q;
	tl__fetch_res res;
	struct stat sb;
	bool staged;
	tl_err err;

	if ((err = tl_buf_printf(&dest, "%s/%s", u->stage, file)) != TL_OK ||
	    (err = tl_buf_printf(&etag_path, "%s/%s.etag", u->stage, file)) != TL_OK ||
	    (err = tl_buf_printf(&name, "downloading %s", label)) != TL_OK)
		goto done;
	staged = stat(dest.ptr, &sb) == 0 && S_ISREG(sb.st_mode) &&
	         (staged_etag = read_small(etag_path.ptr)) != NULL;
	if (!staged) {
		unlink(dest.ptr);
		unlink(etag_path.ptr);
	}
	if (!u->o->full) {
		tl_buf key = TL_BUF_INIT;
		if ((err = tl_buf_printf(&key, "etag.%s", url)) == TL_OK)
			err = tl__vulndb_meta_get(u->db, key.ptr, &db_etag);
		tl_buf_dispose(&key);
		if (err != TL_OK)
			goto done;
	}
	memset(&q, 0, sizeof(q));
	q.url = url;
	q.dest = dest.ptr;
	q.name = name.ptr;
	q.if_none_match = staged ? staged_etag : db_etag;
	q.resume = true;
	q.max_bytes = u->max_bytes;
	q.timeout_s = u->timeout_s;
	q.retries = u->retries;
	if ((err = tl__fetch(&q, &res)) != TL_OK)
		goto done;
	u->st->bytes += res.received;
	if (res.not_modified) {
		if (!staged) {
			u->st->unchanged++;
			tl__log(TL_LOG_INFO, "%s: unchanged (304)", url);
			goto done;
		}
		tl__log(TL_LOG_INFO, "%s: unchanged since the interrupted update; using %s", url,
		        dest.ptr);
	} else {
		u->st->downloads++;
		if (res.resumed)
			u->st->resumed++;
		tl__log(TL_LOG_INFO, "%s: %llu bytes%s%s%s", url, (unsigned long long)res.bytes,
		        res.resumed ? " (resumed)" : "", res.checked_crc32c ? ", crc32c ok" : "",
		        res.checked_md5 ? ", md5 ok" : "");
		unlink(etag_path.ptr);
		if (res.etag[0] &&
		    (err = tl_file_write_atomic(etag_path.ptr, res.etag, strlen(res.etag))) != TL_OK)
			goto done;
		free(staged_etag);
		staged_etag = res.etag[0] ? tl_strdup(res.etag) : NULL;
	}
	if ((err = add_file(u, dest.ptr)) != TL_OK ||
	    (err = add_meta(u, "etag.", url, staged_etag)) != TL_OK)
		goto done;
done:
	free(db_etag);
	free(staged_etag);
	tl_buf_dispose(&dest);
	tl_buf_dispose(&etag_path);
	tl_buf_dispose(&name);
	return err;
}

static tl_err update_osv(upd *u)
{
	/* TL_OSV_DEFAULT_ECOSYSTEMS */
	static const char *const defaults[] = { "Alpine", "Debian", "OSS-Fuzz" };
	const char *base = u->o->osv_base_url ? u->o->osv_base_url : TL_OSV_DEFAULT_BASE;
	const char *const *ecos = u->o->n_osv_ecosystems ? u->o->osv_ecosystems : defaults;
	size_t n = u->o->n_osv_ecosystems ? u->o->n_osv_ecosystems : 3;
	tl_buf url = TL_BUF_INIT, esc = TL_BUF_INIT, file = TL_BUF_INIT;
	tl_err err = TL_OK;

	for (size_t i = 0; i < n; i++) {
		size_t bl = strlen(base);
		const char *e = ecos[i];
		size_t el = strlen(e);
		bool printable = el > 0 && el <= ECOSYSTEM_MAX;
		for (size_t k = 0; k < el && printable; k++)
			printable = (unsigned char)e[k] >= 0x20 && (unsigned char)e[k] < 0x7f;
		if (!printable) {
			err = tl__error(TL_EINVAL, "OSV ecosystem name: expected 1 to %d printable"
			                " characters", ECOSYSTEM_MAX);
			goto done;
		}
		bool again = false;
		for (size_t k = 0; k < i && !again; k++)
			again = !strcmp(ecos[k], e);
		if (again)
			continue; /* named twice: fetched once */
		tl_buf_clear(&url);
		tl_buf_clear(&esc);
		tl_buf_clear(&file);
		while (bl && base[bl - 1] == '/')
			bl--;
		if ((err = escape(&esc, e)) != TL_OK ||
		    (err = tl_buf_printf(&url, "%.*s/%s/all.zip", (int)bl, base, esc.ptr)) != TL_OK ||
		    (err = tl_buf_printf(&file, "osv-%s.zip", esc.ptr)) != TL_OK ||
		    (err = fetch_file(u, url.ptr, file.ptr, e)) != TL_OK)
			goto done;
	}
	err = add_meta(u, "last_update.", "osv", u->now);
done:
	tl_buf_dispose(&url);
	tl_buf_dispose(&esc);
	tl_buf_dispose(&file);
	return err;
}

/* NVD's date parameter form: extended ISO-8601 with an explicit offset. */
static void nvd_date(char out[48], int64_t t)
{
	char iso[32];

	tl_time_iso8601(iso, t); /* YYYY-MM-DDTHH:MM:SSZ */
	snprintf(out, 48, "%.19s.000%%2B00:00", iso);
}

/* One NVD request, patient with the rate limit (403/429/503). */
static tl_err nvd_get(upd *u, const char *url, const char *dest, const char *name)
{
	int64_t delay = u->o->nvd_delay_ms >= 0 ? u->o->nvd_delay_ms :
	                u->o->nvd_api_key ? 600 : 6000;
	tl__fetch_req q;
	tl__fetch_res res;
	tl_err err;

	memset(&q, 0, sizeof(q));
	q.url = url;
	q.dest = dest;
	q.name = name;
	q.api_key = u->o->nvd_api_key;
	q.max_bytes = u->max_bytes;
	q.timeout_s = u->timeout_s;
	q.retries = u->retries;
	for (int attempt = 0;; attempt++) {
		if (u->nvd_requested)
			sleep_ms(delay);
		u->nvd_requested = true;
		err = tl__fetch(&q, &res);
		if (err == TL_OK)
			break;
		if (attempt >= NVD_RATE_RETRIES ||
		    (res.status != 403 && res.status != 429 && res.status != 503))
			return err;
		{
			int64_t wait = res.has_retry_after ?
				(int64_t)(res.retry_after > NVD_RETRY_AFTER_MAX ? NVD_RETRY_AFTER_MAX :
				          res.retry_after) * 1000 :
				(delay > 1000 ? delay : 1000) * (attempt + 1);
			tl__log(TL_LOG_WARN, "%s: HTTP %ld (rate limit); waiting %lld s", url, res.status,
			        (long long)(wait / 1000));
			sleep_ms(wait);
		}
	}
	u->st->bytes += res.received;
	u->st->downloads++;
	return TL_OK;
}

/* Pages of one query (a window, or everything when from is NULL). */
static tl_err nvd_pages(upd *u, unsigned window, const char *from, const char *to)
{
	const char *base = u->o->nvd_url ? u->o->nvd_url : TL_NVD_DEFAULT_URL;
	unsigned per = u->o->nvd_page_size ? u->o->nvd_page_size : NVD_MAX_PAGE_SIZE;
	tl_buf url = TL_BUF_INIT, dest = TL_BUF_INIT, data = TL_BUF_INIT, name = TL_BUF_INIT;
	uint64_t start = 0;
	tl_err err = TL_OK;

	if (per > NVD_MAX_PAGE_SIZE)
		per = NVD_MAX_PAGE_SIZE;
	for (unsigned page = 0;; page++) {
		tl__nvd_envelope env;
		if (page >= NVD_MAX_PAGES) {
			err = tl__error(TL_ELIMIT, "%s: more than %u pages", base, NVD_MAX_PAGES);
			goto done;
		}
		tl_buf_clear(&url);
		tl_buf_clear(&dest);
		tl_buf_clear(&name);
		tl_buf_clear(&data);
		if ((err = tl_buf_printf(&url, "%s%cresultsPerPage=%u&startIndex=%llu", base,
		                         strchr(base, '?') ? '&' : '?', per,
		                         (unsigned long long)start)) != TL_OK ||
		    (from && (err = tl_buf_printf(&url, "&lastModStartDate=%s&lastModEndDate=%s", from,
		                                  to)) != TL_OK) ||
		    (err = tl_buf_printf(&dest, "%s/nvd-%03u-%08llu.json", u->stage, window,
		                         (unsigned long long)start)) != TL_OK ||
		    (err = tl_buf_printf(&name, "downloading NVD from %llu",
		                         (unsigned long long)start)) != TL_OK)
			goto done;
		if ((err = nvd_get(u, url.ptr, dest.ptr, name.ptr)) != TL_OK ||
		    (err = tl_file_read(&data, dest.ptr, u->max_bytes)) != TL_OK ||
		    (err = tl__nvd_envelope_read(&env, data.ptr ? data.ptr : "", data.len,
		                                 url.ptr)) != TL_OK)
			goto done;
		if (env.start_index != start) {
			err = tl__error(TL_EPARSE, "%s: $.startIndex: %llu, expected %llu", url.ptr,
			                (unsigned long long)env.start_index, (unsigned long long)start);
			goto done;
		}
		if (env.count == 0) {
			unlink(dest.ptr);
			if (start < env.total_results) {
				err = tl__error(TL_EIO, "%s: an empty page at startIndex %llu of %llu results",
				                url.ptr, (unsigned long long)start,
				                (unsigned long long)env.total_results);
				goto done;
			}
			break;
		}
		if ((err = add_file(u, dest.ptr)) != TL_OK)
			goto done;
		start += env.count;
		tl__log(TL_LOG_INFO, "NVD: %llu of %llu%s%s%s", (unsigned long long)start,
		        (unsigned long long)env.total_results, from ? " modified from " : "",
		        from ? from : "", from ? "" : "");
		if (start >= env.total_results)
			break;
	}
done:
	tl_buf_dispose(&url);
	tl_buf_dispose(&dest);
	tl_buf_dispose(&data);
	tl_buf_dispose(&name);
	return err;
}

static tl_err update_nvd(upd *u)
{
	char *last = NULL;
	tl_err err = TL_OK;

	if (!u->o->full && (err = tl__vulndb_meta_get(u->db, "nvd.last_mod_end", &last)) != TL_OK)
		return err;
	if (last) {
		int64_t from;
		unsigned w = 0;
		if ((err = tl_time_parse(&from, last)) != TL_OK) {
			err = tl__error(TL_EPARSE, "%s: meta nvd.last_mod_end: not a date-time (\"%.40s\");"
			                " use --full", tl__vulndb_path(u->db), last);
			goto done;
		}
		/* windows of at most 120 days from the end of the last one to now */
		while (from < u->now_t) {
			int64_t to = u->now_t - from > NVD_WINDOW_SECONDS ? from + NVD_WINDOW_SECONDS :
			             u->now_t;
			char a[48], b[48];
			nvd_date(a, from);
			nvd_date(b, to);
			if ((err = nvd_pages(u, w++, a, b)) != TL_OK)
				goto done;
			from = to;
		}
	} else if ((err = nvd_pages(u, 0, NULL, NULL)) != TL_OK) {
		goto done;
	}
	/* the next update asks for what changed since this one started */
	if ((err = add_meta(u, "nvd.", "last_mod_end", u->now)) != TL_OK ||
	    (err = add_meta(u, "last_update.", "nvd", u->now)) != TL_OK)
		goto done;
done:
	free(last);
	return err;
}

/* Removes NVD pages of an earlier, interrupted update (not resumed). */
static void remove_old_pages(const char *stage)
{
	DIR *d = opendir(stage);
	struct dirent *de;
	tl_buf p = TL_BUF_INIT;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "nvd-", 4) != 0)
			continue;
		tl_buf_clear(&p);
		if (tl_buf_printf(&p, "%s/%s", stage, de->d_name) == TL_OK)
			unlink(p.ptr);
	}
	tl_buf_dispose(&p);
	closedir(d);
}

tl_err tl_vulndb_update(tl_vulndb *db, const tl_vulndb_update_opts *opts,
                        tl_vulndb_update_stats *st)
{
	tl_vulndb_update_opts dflt;
	tl_vulndb_update_stats local;
	upd u;
	unsigned feeds;
	tl_buf lock = TL_BUF_INIT;
	int lockfd = -1;
	tl_err err = TL_OK;

	memset(&dflt, 0, sizeof(dflt));
	dflt.nvd_delay_ms = -1;
	memset(&u, 0, sizeof(u));
	u.db = db;
	u.o = opts ? opts : &dflt;
	u.st = st ? st : &local;
	memset(u.st, 0, sizeof(*u.st));
	feeds = u.o->feeds ? u.o->feeds : TL_FEED_ALL;
	u.max_bytes = u.o->max_bytes ? u.o->max_bytes : TL_FILE_DEFAULT_MAX;
	u.timeout_s = u.o->timeout_s ? u.o->timeout_s : 30;
	u.retries = u.o->retries > 0 ? (unsigned)u.o->retries : u.o->retries < 0 ? 0 : 3;
	if (feeds & ~TL_FEED_ALL)
		return tl__error(TL_EINVAL, "unknown feed bits 0x%x", feeds);
	if (!strcmp(tl__vulndb_path(db), ":memory:"))
		return tl__error(TL_EINVAL, "db update needs a database file, not :memory:");
	/* wall-clock time, not SOURCE_DATE_EPOCH: it bounds the NVD window */
	u.now_t = (int64_t)time(NULL);
	tl_time_iso8601(u.now, u.now_t);

	if (!(u.stage = malloc(strlen(tl__vulndb_path(db)) + 8))) {
		err = tl__nomem();
		goto done;
	}
	memcpy(u.stage, tl__vulndb_path(db), strlen(tl__vulndb_path(db)));
	memcpy(u.stage + strlen(tl__vulndb_path(db)), ".update", 8);
	if (mkdir(u.stage, 0700) != 0 && errno != EEXIST) {
		err = tl__error(TL_EIO, "%s: cannot create: %s", u.stage, strerror(errno));
		goto done;
	}
	{
		struct stat sb;
		if (lstat(u.stage, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			err = tl__error(TL_EIO, "%s: not a directory (a symbolic link is not followed)",
			                u.stage);
			goto done;
		}
	}
	if ((err = tl_buf_printf(&lock, "%s/lock", u.stage)) != TL_OK)
		goto done;
	if ((lockfd = open(lock.ptr, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		err = tl__error(TL_EIO, "%s: %s", lock.ptr, strerror(errno));
		goto done;
	}
	if (flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
		err = tl__error(TL_EINVAL, "%s: another db update is running on this database",
		                tl__vulndb_path(db));
		goto done;
	}
	remove_old_pages(u.stage);

	if ((feeds & TL_FEED_OSV) && (err = update_osv(&u)) != TL_OK)
		goto done;
	if (feeds & TL_FEED_KEV) {
		const char *url = u.o->kev_url ? u.o->kev_url : TL_KEV_DEFAULT_URL;
		if ((err = fetch_file(&u, url, "kev.json", "KEV")) != TL_OK ||
		    (err = add_meta(&u, "last_update.", "kev", u.now)) != TL_OK)
			goto done;
	}
	if ((feeds & TL_FEED_NVD) && (err = update_nvd(&u)) != TL_OK)
		goto done;

	/* one transaction: every record downloaded and the state describing it */
	tl__progress("importing", 0, 0);
	err = tl__vulndb_import_meta(db, (const char *const *)u.files, u.n_files, u.meta, u.n_meta,
	                             &u.st->import);
	/* imported, or refused by the importer (downloading it again would
	 * not help): the staged files have served */
	for (size_t i = 0; i < u.n_files; i++) {
		tl_buf e = TL_BUF_INIT;
		unlink(u.files[i]);
		if (tl_buf_printf(&e, "%s.etag", u.files[i]) == TL_OK)
			unlink(e.ptr);
		tl_buf_dispose(&e);
	}
done:
	if (err != TL_OK)
		remove_old_pages(u.stage ? u.stage : "");
	if (lockfd >= 0)
		close(lockfd);
	for (size_t i = 0; i < u.n_files; i++)
		free(u.files[i]);
	free(u.files);
	for (size_t i = 0; i < u.n_owned; i++)
		free(u.owned[i]);
	free(u.owned);
	free(u.meta);
	free(u.stage);
	tl_buf_dispose(&lock);
	return err;
}
