/*
 * Fuzz target for the package-database parsers: dpkg/opkg status (deb822
 * stanzas), apk installed, os-release and DEP-5 copyright, over the same
 * bytes.  Every kept package has a name and a version.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const tl__pkgdb *db)
{
	for (size_t i = 0; i < db->n; i++) {
		if (!db->pkgs[i].name || !*db->pkgs[i].name || !db->pkgs[i].version || !*db->pkgs[i].version)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	tl__pkgdb db = { 0 };
	tl__osrel o = { 0 };
	char *lic = NULL;

	if (tl__dpkg_parse(&db, s, size, "status") == TL_OK)
		check(&db);
	tl__pkgdb_dispose(&db);
	if (tl__apk_parse(&db, s, size, "installed") == TL_OK)
		check(&db);
	tl__pkgdb_dispose(&db);
	if (tl__osrelease_parse(&o, s, size) == TL_OK)
		tl__osrel_dispose(&o);
	if (tl__dep5_license(&lic, s, size) == TL_OK)
		free(lic);
	return 0;
}
