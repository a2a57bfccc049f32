/* placeholder */
#include "trustline/sbom.h"
typedef int tl__placeholder_model;
