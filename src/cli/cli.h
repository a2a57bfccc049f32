/*
 * Shared helpers of the trustline command.  Only src/cli talks to people.
 */
#ifndef TL_CLI_H
#define TL_CLI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "trustline/common.h"
#include "trustline/core.h"
#include "trustline/sbom.h"

/* Global options, set by main before a subcommand runs. */
typedef struct {
	int verbose;     /* -v/--verbose count */
	bool quiet;      /* -q/--quiet */
	size_t max_input; /* --max-input-size, 0: default */
	unsigned max_depth; /* --max-json-depth, 0: default */
} cli_globals;

extern cli_globals cli_g;

/* Prints "trustline: <last error message>" and returns the exit code for err. */
int cli_fail(tl_err err);
/* Prints "trustline: <formatted message>" and returns 2 (usage error). */
int cli_usage_error(const char *fmt, ...) TL_PRINTF(1, 2);
/* JSON limits from the global options. */
tl_json_limits cli_json_limits(void);
/* Writes buf to path ("-" or NULL: stdout) atomically; returns exit code. */
int cli_write_output(const char *path, const tl_buf *buf);

/*
 * Value of "--opt V" or "--opt=V" at argv[*i], advancing *i past it; NULL
 * when argv[*i] is another option, or (with *missing set) when V is absent.
 */
const char *cli_opt_value(int argc, char **argv, int *i, const char *opt, bool *missing);

/* Subcommands: each gets argv starting at its own name, returns the exit code. */
int cmd_sbom_validate(int argc, char **argv);
int cmd_sbom_convert(int argc, char **argv);
int cmd_sbom_check(int argc, char **argv);
int cmd_sbom_diff(int argc, char **argv);
int cmd_sbom_merge(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_version_compare(int argc, char **argv);
int cmd_key_generate(int argc, char **argv);
int cmd_key_public(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_attest_verify(int argc, char **argv);
int cmd_ca_init(int argc, char **argv);
int cmd_ca_issue(int argc, char **argv);
int cmd_ca_revoke(int argc, char **argv);
int cmd_ca_crl(int argc, char **argv);
int cmd_device_csr(int argc, char **argv);
int cmd_db_import(int argc, char **argv);
int cmd_db_status(int argc, char **argv);
int cmd_db_update(int argc, char **argv);
int cmd_vex(int argc, char **argv);
int cmd_vuln(int argc, char **argv);

/*
 * A function run beside the caller on a second thread: freeing a large
 * model or closing a database while the output is written and synced,
 * which the caller need not wait for.  Without a thread, fn runs at once
 * in cli_beside_start.  cli_beside_wait waits for it (a no-op when it
 * already ran).
 */
typedef struct {
	pthread_t th;
	bool started;
	void (*fn)(void *);
	void *arg;
} cli_beside;

void cli_beside_start(cli_beside *b, void (*fn)(void *), void *arg);
void cli_beside_wait(cli_beside *b);

#endif
