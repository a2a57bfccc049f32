/*
 * The finding model shared by matching, VEX and reports (vuln.h).
 */
#include <stdlib.h>
#include <strings.h>

#include "vuln_int.h"

const char *tl_severity_name(tl_severity s)
{
	switch (s) {
	case TL_SEV_NONE: return "none";
	case TL_SEV_LOW: return "low";
	case TL_SEV_MEDIUM: return "medium";
	case TL_SEV_HIGH: return "high";
	case TL_SEV_CRITICAL: return "critical";
	case TL_SEV_UNKNOWN: break;
	}
	return "unknown";
}

tl_err tl_severity_parse(const char *name, tl_severity *out)
{
	static const struct {
		const char *name;
		tl_severity sev;
	} names[] = {
		{ "unknown", TL_SEV_UNKNOWN }, { "none", TL_SEV_NONE },
		{ "low", TL_SEV_LOW },         { "medium", TL_SEV_MEDIUM },
		{ "moderate", TL_SEV_MEDIUM }, { "high", TL_SEV_HIGH },
		{ "important", TL_SEV_HIGH },  { "critical", TL_SEV_CRITICAL },
	};

	if (!name || !out)
		return TL_EINVAL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(name, names[i].name)) {
			*out = names[i].sev;
			return TL_OK;
		}
	}
	return TL_EINVAL;
}

const char *tl_vex_status_name(tl_vex_status s)
{
	switch (s) {
	case TL_VEX_AFFECTED: return "affected";
	case TL_VEX_NOT_AFFECTED: return "not_affected";
	case TL_VEX_FIXED: return "fixed";
	case TL_VEX_UNDER_INVESTIGATION: return "under_investigation";
	case TL_VEX_NONE: break;
	}
	return "none";
}

bool tl_finding_is_active(const tl_finding *f)
{
	return !f->patched && f->vex_status != TL_VEX_NOT_AFFECTED && f->vex_status != TL_VEX_FIXED;
}

static void finding_dispose(tl_finding *f)
{
	free(f->id);
	for (size_t i = 0; i < f->n_aliases; i++)
		free(f->aliases[i]);
	free(f->aliases);
	free(f->summary);
	free(f->cvss3_vector);
	free(f->cvss4_vector);
	free(f->kev_date_added);
	free(f->kev_due_date);
	free(f->component_ref);
	free(f->component_name);
	free(f->component_version);
	free(f->component_id);
	free(f->source);
	free(f->record);
	free(f->fixed_version);
	free(f->evidence);
	free(f->patch_evidence);
	free(f->vex_justification);
	free(f->vex_impact);
	free(f->vex_action);
	free(f->vex_source);
}

void tl_findings_free(tl_findings *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		finding_dispose(&f->v[i]);
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
