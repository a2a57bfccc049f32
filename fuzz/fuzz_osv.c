/*
 * Fuzz target: the vulnerability database import of OSV records (JSON, YAML, all.zip);
 * the seed corpus in fuzz/corpus/osv steers it.  The oracle is in
 * import_oracle.h.
 */
#include "import_oracle.h"
