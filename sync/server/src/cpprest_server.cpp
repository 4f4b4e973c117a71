// cpprestsdk behind HttpServer. Its traps, handled here: no body size limit (Content-Length is
// checked before reading), and a shared thread pool that deadlocks if a handler waits on
// another task (handlers run in a continuation and never call .get()/.wait() on pending work).
#include "sitevisit/server/http.h"

#include <cpprest/http_listener.h>
#include <cpprest/uri.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

namespace sitevisit::server {

HttpResponse HttpResponse::json(int status, const Json& body) {
    HttpResponse r;
    r.status = status;
    r.body = body.dump();
    return r;
}

HttpResponse HttpResponse::error(int status, const std::string& code, const std::string& message) {
    return json(status, Json{{"error", {{"code", code}, {"message", message}}}});
}

namespace {

using namespace web;
using namespace web::http;
using namespace web::http::experimental::listener;

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// A free loopback port, for "--listen 127.0.0.1:0".
int free_port(const std::string& host) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    ::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &addr.sin_addr);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
}

class CpprestServer final : public HttpServer {
public:
    CpprestServer(HttpRoutes routes, HttpLimits limits) : routes_(std::move(routes)), limits_(limits) {}
    ~CpprestServer() override { stop(); }

    Status start(const std::string& host, int port) override {
        if (port == 0) port = free_port(host);
        if (port <= 0) return invalid("no free port on " + host);
        port_ = port;
        try {
            http_listener_config config;
            config.set_timeout(std::chrono::seconds(60));
            listener_ = std::make_unique<http_listener>(
                uri("http://" + host + ":" + std::to_string(port)), config);
            listener_->support([this](http_request request) { handle(std::move(request)); });
            // cpprestsdk answers OPTIONS itself unless told otherwise; tus needs ours.
            listener_->support(methods::OPTIONS, [this](http_request request) { handle(std::move(request)); });
            listener_->open().wait(); // on the starting thread, not inside a handler
            open_ = true;
            return ok_status();
        } catch (const std::exception& e) {
            return invalid("cannot listen on " + host + ":" + std::to_string(port) + ": " + e.what());
        }
    }

    int port() const override { return port_; }

    void stop() override {
        if (!open_.exchange(false)) return;
        // Finish what is in flight (answers sent) before closing: cpprestsdk's close() drops
        // open connections. New requests meanwhile get 503.
        draining_ = true;
        for (int i = 0; i < 6000 && in_flight_ > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        try {
            listener_->close().wait();
        } catch (...) {
        }
    }

private:
    // Every request is answered exactly once, through here; it stops counting as in flight
    // once the answer is sent.
    void reply(http_request& request, const HttpResponse& r) {
        http_response response(static_cast<status_code>(r.status));
        for (const auto& [k, v] : r.headers) response.headers().add(k, v);
        // HEAD answers carry headers only, or keep-alive clients read the body as the next answer.
        if (request.method() != methods::HEAD && (!r.body.empty() || r.status != 204)) {
            std::vector<unsigned char> bytes(r.body.begin(), r.body.end());
            response.set_body(std::move(bytes));
            response.headers().set_content_type(r.content_type);
        }
        request.reply(response).then([this](pplx::task<void> t) {
            try {
                t.get(); // already finished: this only collects a failed send
            } catch (...) {
            }
            --in_flight_;
        });
    }

    void handle(http_request request) {
        ++in_flight_;
        if (draining_) {
            reply(request, HttpResponse::error(503, "stopping", "the server is stopping; try again shortly"));
            return;
        }
        auto req = std::make_shared<HttpRequest>();
        try {
            req->method = request.method();
            req->path = uri::decode(request.relative_uri().path());
            for (const auto& [k, v] : uri::split_query(request.relative_uri().query()))
                req->query[uri::decode(k)] = uri::decode(v);
            for (const auto& [k, v] : request.headers()) req->headers[lower(k)] = v;
            req->remote = request.remote_address();
        } catch (const std::exception& e) {
            reply(request, HttpResponse::error(400, "bad_request", std::string("the request line is malformed: ") + e.what()));
            return;
        }
        const bool chunk = req->method == "PATCH";
        // Every method: a GET with a body is read like any other, so it is bounded the same.
        const std::uint64_t limit = req->method == "POST" || chunk ? (chunk ? limits_.max_chunk : limits_.max_body) : 65536;
        const bool has_body = req->method == "POST" || req->method == "PUT" || req->method == "PATCH";
        const auto length = request.headers().content_length();
        if (req->headers.count("transfer-encoding")) {
            reply(request, HttpResponse::error(411, "length_required", "send a Content-Length header, not a chunked body"));
            return;
        }
        if (request.headers().has(header_names::content_length) && length > limit) {
            reply(request, HttpResponse::error(413, "too_large",
                                               "the body is " + std::to_string(length) + " bytes; the limit is " +
                                                   std::to_string(limit) + " bytes"));
            return;
        }
        if (has_body && !request.headers().has(header_names::content_length)) {
            reply(request, HttpResponse::error(411, "length_required", "send a Content-Length header"));
            return;
        }
        auto self = this;
        request.extract_vector().then([self, request, req](pplx::task<std::vector<unsigned char>> body) mutable {
            try {
                auto bytes = body.get(); // finished: this is the continuation
                req->body.assign(bytes.begin(), bytes.end());
            } catch (const std::exception& e) {
                self->reply(request, HttpResponse::error(400, "bad_request", "the body could not be read"));
                return;
            }
            HttpResponse response;
            try {
                if (self->routes_.gate)
                    if (auto early = self->routes_.gate(*req)) {
                        self->reply(request, *early);
                        return;
                    }
                response = self->routes_.handler(*req);
                if (!response.file.empty()) {
                    std::ifstream in(response.file, std::ios::binary);
                    in.seekg(response.file_offset);
                    response.body.resize(static_cast<std::size_t>(response.file_length));
                    in.read(response.body.data(), response.file_length);
                }
            } catch (const std::exception& e) {
                response = HttpResponse::error(500, "internal", std::string("the server failed: ") + e.what());
            }
            self->reply(request, response);
        });
    }

    HttpRoutes routes_;
    HttpLimits limits_;
    std::unique_ptr<http_listener> listener_;
    std::atomic<bool> open_{false};
    std::atomic<bool> draining_{false};
    std::atomic<int> in_flight_{0};
    int port_ = 0;
};

} // namespace

std::unique_ptr<HttpServer> make_http_server(HttpRoutes routes, HttpLimits limits) {
    return std::make_unique<CpprestServer>(std::move(routes), limits);
}

int raise_open_file_limit(int wanted) { return wanted; }

} // namespace sitevisit::server
