/*
 * Output helpers of the command line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

cli_globals cli_g;

int cli_fail(tl_err err)
{
	const char *msg = tl_error_last();

	fprintf(stderr, "trustline: %s\n", *msg ? msg : tl_err_name(err));
	return tl_err_exit_code(err);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("trustline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

tl_json_limits cli_json_limits(void)
{
	tl_json_limits lim = { cli_g.max_input, cli_g.max_depth };
	return lim;
}

int cli_write_output(const char *path, const tl_buf *buf)
{
	tl_err err = tl_file_write_atomic(path ? path : "-", buf->ptr ? buf->ptr : "", buf->len);

	return err ? cli_fail(err) : 0;
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);

	*missing = false;
	if (strncmp(argv[*i], opt, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], opt) != 0)
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static void *beside_main(void *arg)
{
	cli_beside *b = arg;

	b->fn(b->arg);
	return NULL;
}

void cli_beside_start(cli_beside *b, void (*fn)(void *), void *arg)
{
	b->fn = fn;
	b->arg = arg;
	b->started = pthread_create(&b->th, NULL, beside_main, b) == 0;
	if (!b->started)
		fn(arg);
}

void cli_beside_wait(cli_beside *b)
{
	if (b->started)
		pthread_join(b->th, NULL);
	b->started = false;
}
