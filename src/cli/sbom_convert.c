/* trustline sbom convert (placeholder until implemented). */
#include "cli.h"

int cmd_sbom_convert(int argc, char **argv)
{
	return cli_usage_error("sbom convert: not implemented yet");
}
