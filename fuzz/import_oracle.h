/*
 * The oracle shared by the vulnerability-database import fuzz targets
 * (fuzz_osv.c, fuzz_nvd.c, fuzz_kev.c, fuzz_alpine.c): each feeds
 * tl_vulndb_import_mem (format detection, the JSON/YAML/zip readers and the
 * importers); only their seed corpora differ, which steer them to one format.
 *
 * Oracle, aborting on a violation: an import that fails leaves the record
 * counts exactly as they were (it is one transaction); one that succeeds
 * and is imported again does not change them (records are de-duplicated).
 */
#ifndef TL_FUZZ_IMPORT_ORACLE_H
#define TL_FUZZ_IMPORT_ORACLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sqlite3.h>

#include "trustline/vuln.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tl_vulndb *db;
static unsigned runs;

static long long total(void)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(tl_vulndb_handle(db),
	                       "SELECT (SELECT count(*) FROM vulns) + (SELECT count(*) FROM kev) +"
	                       " (SELECT count(*) FROM alpine_secfixes) + (SELECT count(*) FROM affected) +"
	                       " (SELECT count(*) FROM nvd_cpe)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n < 0)
		abort();
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long before, after;
	tl_err err;

	/* a fresh database now and then, so memory stays flat */
	if (db && ++runs % 256 == 0) {
		tl_vulndb_close(db);
		db = NULL;
	}
	if (!db && tl_vulndb_open(&db, ":memory:") != TL_OK)
		abort();
	before = total();
	err = tl_vulndb_import_mem(db, data, size, "fuzz", NULL);
	after = total();
	if (err != TL_OK) {
		if (after != before)
			abort();
		return 0;
	}
	if (tl_vulndb_import_mem(db, data, size, "fuzz", NULL) != TL_OK || total() != after)
		abort();
	return 0;
}

#endif
