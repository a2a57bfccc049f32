/*
 * Fuzz target: the vulnerability database import of Alpine secdb documents (JSON, YAML);
 * the seed corpus in fuzz/corpus/alpine steers it.  The oracle is in
 * import_oracle.h.
 */
#include "import_oracle.h"
