#pragma once

#include "sitevisit/server/blobs.h"
#include "sitevisit/server/service.h"

#include <ostream>

namespace sitevisit::server {

// One region, two districts, six schools, plans with benchmarks and readings, past visits with
// ratings, evidence with small real files, and a user for each role. Prints who can sign in.
Status seed_demo(Service& service, BlobService& blobs, std::ostream& out);

} // namespace sitevisit::server
