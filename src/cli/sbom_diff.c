/* trustline sbom diff (placeholder until implemented). */
#include "cli.h"

int cmd_sbom_diff(int argc, char **argv)
{
	return cli_usage_error("sbom diff: not implemented yet");
}
