/*
 * Fuzz target: the vulnerability database import of CISA KEV catalogs;
 * the seed corpus in fuzz/corpus/kev steers it.  The oracle is in
 * import_oracle.h.
 */
#include "import_oracle.h"
