#pragma once

#include "sitevisit/server/http.h"
#include "sitevisit/server/service.h"

namespace sitevisit::server {

class BlobService;

// Maps SYNC.md's endpoints onto the service: parse, call, encode. Nothing else lives here.
HttpHandler make_routes(Service& service, BlobService* blobs);

} // namespace sitevisit::server
