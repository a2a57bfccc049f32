/*
 * CISA Known Exploited Vulnerabilities catalog (JSON feed).
 *
 *   field                              type              stored (kev)
 *   catalogVersion, dateReleased       string            checked
 *   count                              number            checked when present: = entries
 *   vulnerabilities[]                  objects, required
 *     cveID                            string, required  cve (key: re-import replaces)
 *     dateAdded                        string, required  date_added (YYYY-MM-DD)
 *     vendorProject, product           string            vendor, product
 *     vulnerabilityName                string            name
 *     dueDate                          string            due_date
 *     knownRansomwareCampaignUse       string            ransomware ("Known"/"Unknown")
 *     requiredAction, notes            string            required_action, notes
 *     shortDescription                 string            checked
 *     cwes[]                           strings           checked
 *
 * Limits: TL__VULN_MAX_STR per string, TL__VULN_MAX_ITEMS entries.
 */
#include <string.h>

#include "vuln_int.h"

tl_err tl__import_kev(tl__import *im, const json_t *root)
{
	const json_t *arr, *cwes;
	const char *s;
	double n;
	bool present;
	char p[512];
	tl_err err;

	if ((err = tl__jstr(im, root, "$", "catalogVersion", true, &s)) != TL_OK ||
	    (err = tl__jstr(im, root, "$", "dateReleased", false, &s)) != TL_OK ||
	    (err = tl__jnum(im, root, "$", "count", &n, &present)) != TL_OK ||
	    (err = tl__jarr(im, root, "$", "vulnerabilities", true, &arr)) != TL_OK)
		return err;
	if (present && n != (double)json_array_size(arr))
		return tl__jerr(im, "$.count", "does not equal the number of vulnerabilities");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *v = json_array_get(arr, i);
		const char *cve, *vendor, *product, *name, *added, *due, *ransom, *action, *notes, *desc;
		tl__pathf(p, sizeof(p), "$.vulnerabilities[%zu]", i);
		if (!json_is_object(v))
			return tl__jerr(im, p, "expected an object");
		if ((err = tl__jstr(im, v, p, "cveID", true, &cve)) != TL_OK ||
		    (err = tl__jstr(im, v, p, "dateAdded", true, &added)) != TL_OK ||
		    (err = tl__jstr(im, v, p, "vendorProject", false, &vendor)) != TL_OK ||
		    (err = tl__jstr(im, v, p, "product", false, &product)) != TL_OK ||
		    (err = tl__jstr(im, v, p, "vulnerabilityName", false, &name)) != TL_OK ||
		    (err = tl__jstr(im, v, p, "dueDate", false, &due)) != TL_OK ||
		    (err = tl__jstr(im, v, p, "knownRansomwareCampaignUse", false, &ransom)) != TL_OK ||
		    (err = tl__jstr(im, v, p, "requiredAction", false, &action)) != TL_OK ||
		    (err = tl__jstr(im, v, p, "notes", false, &notes)) != TL_OK ||
		    (err = tl__jstr(im, v, p, "shortDescription", false, &desc)) != TL_OK ||
		    (err = tl__jarr(im, v, p, "cwes", false, &cwes)) != TL_OK)
			return err;
		if (strncmp(cve, "CVE-", 4))
			return tl__error(TL_EPARSE, "%s: %s.cveID: expected a CVE id (\"CVE-YYYY-N\")",
			                 im->name, p);
		for (size_t k = 0; cwes && k < json_array_size(cwes); k++) {
			if (!json_is_string(json_array_get(cwes, k))) {
				char pc[600];
				tl__pathf(pc, sizeof(pc), "%s.cwes[%zu]", p, k);
				return tl__jerr(im, pc, "expected a string");
			}
		}
		if ((err = tl__db_kev(im, cve, vendor, product, name, added, due, ransom, action,
		                      notes)) != TL_OK)
			return err;
	}
	return TL_OK;
}
