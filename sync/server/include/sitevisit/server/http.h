#pragma once

// The project's own small HTTP interface. Handlers see only these types, so the transport
// (cpprestsdk today, archived upstream) can be replaced without touching them.

#include "sitevisit/core/json.h"
#include "sitevisit/core/result.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sitevisit::server {

struct HttpRequest {
    std::string method;
    std::string path; // decoded, without the query
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> headers; // names in lower case
    std::string body;
    std::string remote; // the peer's address

    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    static HttpResponse json(int status, const Json& body);
    static HttpResponse error(int status, const std::string& code, const std::string& message);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpLimits {
    // Checked against Content-Length before any of the body is read.
    std::uint64_t max_body = 10 * 1024 * 1024;
    // Blob chunks (PATCH /v1/blobs/...) may be larger than JSON bodies.
    std::uint64_t max_chunk = 32 * 1024 * 1024;
};

class HttpServer {
public:
    virtual ~HttpServer() = default;
    // Listens on host:port (port 0: a free port, see port()).
    virtual Status start(const std::string& host, int port) = 0;
    virtual int port() const = 0;
    // Stops accepting, then waits for requests in flight to finish.
    virtual void stop() = 0;
};

std::unique_ptr<HttpServer> make_cpprest_server(HttpHandler handler, HttpLimits limits);

} // namespace sitevisit::server
