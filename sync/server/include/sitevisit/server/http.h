#pragma once

// The project's own small HTTP interface. Handlers see only these types; the listener behind
// them (Boost.Beast, beast_server.cpp) bounds every request before a handler sees it.

#include "sitevisit/core/json.h"
#include "sitevisit/core/result.h"

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sitevisit::server {

struct HttpRequest {
    std::string method;
    std::string path; // decoded, without the query
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> headers; // names in lower case
    std::string body;
    std::string remote;     // the peer's address
    std::string request_id; // set by the listener; also sent back as X-Request-Id
    // What the gate learned from the headers (the signed-in caller), for the handler.
    std::any context;

    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct HttpResponse;

// An answer that is not ready yet (a held pull): the request waits with no thread of its own
// until `poll` gives one. The listener calls `poll(false)` on a worker after each wake and
// `poll(true)` once `wait` has passed or the server stops; that last call must answer. A held
// request is exempt from the idle timeout.
struct HttpHold {
    std::chrono::milliseconds wait{0};
    std::function<std::optional<HttpResponse>(bool last)> poll;
    // Called once as the request starts waiting, with the function that wakes it (from any
    // thread, any number of times); returns the function that stops the waking, called once
    // the request is answered.
    std::function<std::function<void()>(std::function<void()> wake)> park;
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // When set, the answer's body is `file_length` bytes of this file from `file_offset`,
    // streamed from disk in small pieces (blob downloads); `body` is then ignored.
    std::string file;
    std::int64_t file_offset = 0;
    std::int64_t file_length = 0;
    // When set, there is no answer yet: the request is held (see HttpHold).
    std::shared_ptr<HttpHold> hold;

    static HttpResponse json(int status, const Json& body);
    static HttpResponse error(int status, const std::string& code, const std::string& message);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Called once a request's headers are in, before any byte of its body is read: an answer to
// send instead (401 for a missing or wrong token, 405 ...), after which the connection is
// closed with the body unread; or nothing, and the body is read and the handler called. The
// gate may leave what it learned in `request.context`.
using HttpGate = std::function<std::optional<HttpResponse>(HttpRequest&)>;

// What the listener knows of a request once its answer is written (or failed to be).
struct HttpAnswered {
    int status = 0;
    std::chrono::steady_clock::duration took{}; // from the request's first byte to the answer sent
    std::uint64_t bytes_in = 0;                 // body bytes read
    std::uint64_t bytes_out = 0;                // body bytes of the answer
};

struct HttpRoutes {
    HttpGate gate; // may be empty: every request goes on
    HttpHandler handler;
    std::function<void(const std::string&)> log; // the server log (may be empty)
    // Called once per answered request, on an I/O thread (keep it quick), for metrics and the
    // request log (metrics.h). May be empty.
    std::function<void(const HttpRequest&, const HttpAnswered&)> answered;
};

struct HttpLimits {
    // Checked against Content-Length before any of the body is read.
    std::uint64_t max_body = 10 * 1024 * 1024;
    // Blob chunks (PATCH /v1/blobs/...) may be larger than JSON bodies.
    std::uint64_t max_chunk = 32 * 1024 * 1024;
    // The request line and headers together (431 past it), and how many header fields.
    std::uint32_t max_header_bytes = 16 * 1024;
    int max_header_fields = 100;
    // A connection that sends nothing between requests is closed after idle_ms; the headers
    // of a request must arrive within header_ms of its first byte; a body must keep moving
    // (no gap of more than body_gap_ms) and arrive within body_base_ms plus one second per
    // min_body_rate bytes.
    int idle_ms = 30000;
    int header_ms = 10000;
    int body_gap_ms = 20000;
    int body_base_ms = 30000;
    std::uint64_t min_body_rate = 16 * 1024;
    // After body_base_ms, a body must have averaged at least this many bytes a second since
    // its headers, so a trickle cannot hold a connection for the length it declared.
    std::uint64_t min_body_average = 4 * 1024;
    // Connections open at once; past it new ones are closed at once. The server raises its
    // open-file limit to fit (see raise_open_file_limit()).
    int max_connections = 4096;
    // Connections open at once from one address: one client cannot take them all.
    int max_connections_per_address = 256;
    // Handlers running at once (they read and write the store). A push's handler waits in the
    // push writer's queue; enough of them that a crowd of pushes waits there, first come first
    // served, and reads still find a handler. Held pulls do not take one while they wait.
    int workers = 32;
    // Proxies in front of the server (their addresses, as the server sees the connection):
    // a request from one of them is taken as from the last address it added to
    // X-Forwarded-For, so sign-in limits count people, not the proxy; their connections are
    // not held to max_connections_per_address.
    std::vector<std::string> trusted_proxies;
    // Both set: serve https only, with this certificate chain and key (PEM files).
    std::string tls_cert;
    std::string tls_key;
};

class HttpServer {
public:
    virtual ~HttpServer() = default;
    // Listens on host:port (port 0: a free port, see port()).
    virtual Status start(const std::string& host, int port) = 0;
    virtual int port() const = 0;
    // Stops accepting, then waits (up to 30 s) for requests in flight to finish. False when
    // some were still running then: the caller should exit without waiting for them.
    virtual bool stop() = 0;
};

// The listener (Boost.Beast). TLS files that cannot be read fail start() with the reason.
std::unique_ptr<HttpServer> make_http_server(HttpRoutes routes, HttpLimits limits);

// Raises this process's soft open-file limit towards `wanted` (up to the hard limit) and
// returns the limit now in force.
int raise_open_file_limit(int wanted);

} // namespace sitevisit::server
