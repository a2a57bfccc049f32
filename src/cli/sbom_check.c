/* trustline sbom check (placeholder until implemented). */
#include "cli.h"

int cmd_sbom_check(int argc, char **argv)
{
	return cli_usage_error("sbom check: not implemented yet");
}
