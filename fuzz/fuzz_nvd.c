/*
 * Fuzz target: the vulnerability database import of NVD CVE API 2.0 and 1.1 documents;
 * the seed corpus in fuzz/corpus/nvd steers it.  The oracle is in
 * import_oracle.h.
 */
#include "import_oracle.h"
