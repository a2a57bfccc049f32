/* trustline sbom validate (placeholder until implemented). */
#include "cli.h"

int cmd_sbom_validate(int argc, char **argv)
{
	return cli_usage_error("sbom validate: not implemented yet");
}
