/*
 * Time, logging, progress and small string helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"

tl_err tl_now(int64_t *out)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (sde && *sde) {
		if (!tl_parse_u64(sde, &v) || v > (uint64_t)253402300799) /* 9999-12-31 */
			return tl__error(TL_EINVAL, "SOURCE_DATE_EPOCH: expected seconds since 1970, got \"%.40s\"", sde);
		*out = (int64_t)v;
		return TL_OK;
	}
	*out = (int64_t)time(NULL);
	return TL_OK;
}

void tl_time_iso8601(char out[32], int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	/* Four-digit years always (strftime's %Y does not pad years before 1000,
	 * which RFC 3339 and tl_time_parse require). */
	if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
	else
		snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

size_t tl__rfc3339_date(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int max;

	if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) || s[7] != '-' ||
	    !digits(s + 8, 2, d))
		return 0;
	if (*m < 1 || *m > 12 || *d < 1)
		return 0;
	max = mdays[*m - 1];
	if (*m == 2 && *y % 4 == 0 && (*y % 100 != 0 || *y % 400 == 0))
		max = 29;
	return *d <= max ? 10 : 0;
}

bool tl__rfc3339_time(const char *s, int *h, int *mi, int *sec, int *offset_min)
{
	int oh = 0, om = 0, sign = 0;
	const char *p;

	if (!digits(s, 2, h) || s[2] != ':' || !digits(s + 3, 2, mi) || s[5] != ':' ||
	    !digits(s + 6, 2, sec))
		return false;
	if (*h > 23 || *mi > 59 || *sec > 60)
		return false;
	p = s + 8;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	*offset_min = sign * (oh * 60 + om);
	/* a leap second is 23:59:60 in UTC */
	if (*sec == 60 && ((*h * 60 + *mi) - *offset_min + 2 * 1440) % 1440 != 23 * 60 + 59)
		return false;
	return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

tl_err tl_time_parse(int64_t *out, const char *s)
{
	int y, mo, d, h, mi, sec, off;
	size_t n = tl__rfc3339_date(s, &y, &mo, &d);

	if (!n || (s[n] != 'T' && s[n] != 't') || !tl__rfc3339_time(s + n + 1, &h, &mi, &sec, &off))
		return tl__error(TL_EPARSE, "expected an RFC 3339 date-time, got \"%.40s\"", s);
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - (int64_t)off * 60;
	return TL_OK;
}

static tl_log_fn log_fn;
static void *log_ctx;
static tl_log_level log_level = TL_LOG_WARN;
static tl_progress_fn progress_fn;
static void *progress_ctx;

void tl_log_set_handler(tl_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

void tl_log_set_level(tl_log_level level)
{
	log_level = level;
}

/* Where this thread's messages go instead of the handler (tl__log_capture). */
static _Thread_local tl_buf *log_held;

void tl__log(tl_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!log_fn || level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_held) {
		/* the level as one byte, then the message and its NUL; a
		 * message that does not fit is lost, as a log line may be */
		size_t len = log_held->len;
		if (tl_buf_putc(log_held, (char)('0' + level)) != TL_OK ||
		    tl_buf_put(log_held, msg, strlen(msg) + 1) != TL_OK)
			log_held->len = len;
		return;
	}
	log_fn(level, msg, log_ctx);
}

void tl__log_capture(tl_buf *b)
{
	log_held = b;
}

void tl__log_replay(const tl_buf *b)
{
	for (size_t i = 0; i + 1 < b->len;) {
		const char *msg = b->ptr + i + 1;
		size_t n = strlen(msg);
		if (log_fn)
			log_fn((tl_log_level)(b->ptr[i] - '0'), msg, log_ctx);
		i += n + 2;
	}
}

void tl_progress_set_handler(tl_progress_fn fn, void *ctx)
{
	progress_fn = fn;
	progress_ctx = ctx;
}

void tl__progress(const char *what, uint64_t done, uint64_t total)
{
	if (progress_fn)
		progress_fn(what, done, total, progress_ctx);
}

char *tl_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

bool tl_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return false;
	}
	*out = v;
	return true;
}
