#pragma once

#include "sitevisit/server/http.h"
#include "sitevisit/server/service.h"

namespace sitevisit::server {

class BlobService;

// Maps SYNC.md's endpoints onto the service: the gate checks method, path and token from the
// headers; the handler parses, calls, encodes. Nothing else lives here.
HttpRoutes make_routes(Service& service, BlobService* blobs);

} // namespace sitevisit::server
