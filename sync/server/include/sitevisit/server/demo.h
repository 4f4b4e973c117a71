#pragma once

#include "sitevisit/server/blobs.h"
#include "sitevisit/server/service.h"

#include <ostream>

namespace sitevisit::server {

// Two regions (Coastal, and the Office of Strategic Transformation with the chronically
// underperforming schools in receivership), three districts, seven schools; a plan for every
// designated school with benchmarks and readings on, ahead of and behind their line; two or
// three submitted visits per designated school and one draft; next steps in every state;
// evidence with small real files linked to the benchmarks they support, and reviews; a user for
// each role. Prints what it made, counted from the rows, and who can sign in.
Status seed_demo(Service& service, BlobService& blobs, std::ostream& out);

} // namespace sitevisit::server
