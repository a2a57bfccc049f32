/* trustline sbom merge (placeholder until implemented). */
#include "cli.h"

int cmd_sbom_merge(int argc, char **argv)
{
	return cli_usage_error("sbom merge: not implemented yet");
}
