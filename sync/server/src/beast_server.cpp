// HttpServer on Boost.Beast. Every connection is bounded before a handler sees it:
//  - it waits at most idle_ms for the first byte of a request, then header_ms for the request
//    line and headers, which may hold at most max_header_bytes and max_header_fields (431);
//  - the gate (method, path, token) runs on the headers alone: a refused request is answered
//    and the connection closed with its body unread;
//  - a body is read only up to the limit for its method (413 from Content-Length alone), must
//    keep moving (body_gap_ms) and arrive within body_base_ms plus a second per min_body_rate
//    bytes;
//  - at most max_connections are open; more are closed at once.
// Handlers run on a small pool of worker threads, never on the threads that move bytes, so a
// slow store or password hash never stalls reading and writing other connections.
#include "sitevisit/server/http.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fcntl.h>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace sitevisit::server {

HttpResponse HttpResponse::json(int status, const Json& body) {
    HttpResponse r;
    r.status = status;
    // A message may quote a value cut inside a character: it is sent with a replacement mark
    // where the character was cut, never refused as a whole (which would answer 500).
    r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    return r;
}

HttpResponse HttpResponse::error(int status, const std::string& code, const std::string& message) {
    return json(status, Json{{"error", {{"code", code}, {"message", message}}}});
}

int raise_open_file_limit(int wanted) {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return wanted;
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < static_cast<rlim_t>(wanted)) {
        rlimit want = lim;
        want.rlim_cur = lim.rlim_max == RLIM_INFINITY
                            ? static_cast<rlim_t>(wanted)
                            : std::min<rlim_t>(lim.rlim_max, static_cast<rlim_t>(wanted));
        if (::setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
    }
    return lim.rlim_cur == RLIM_INFINITY ? wanted : static_cast<int>(lim.rlim_cur);
}

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using ms = std::chrono::milliseconds;

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoding; false for a malformed escape. In a query '+' also stands for a space.
bool decode(std::string_view in, std::string& out, bool query) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (query && c == '+') {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

// Splits a request target into a decoded path and query; false when it is not one.
bool parse_target(std::string_view target, HttpRequest& r) {
    if (target.empty() || target.front() != '/') return false;
    const auto q = target.find('?');
    if (!decode(target.substr(0, q), r.path, false)) return false;
    if (r.path.find('\0') != std::string::npos) return false;
    if (q == std::string_view::npos) return true;
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        std::string k, v;
        if (!decode(pair.substr(0, eq), k, true)) return false;
        if (eq != std::string_view::npos && !decode(pair.substr(eq + 1), v, true)) return false;
        r.query[k] = v;
    }
    return true;
}

// The caller's address as a trusted proxy saw it: the last entry of X-Forwarded-For (the one
// the proxy added; entries before it came from the client and prove nothing). Anything that is
// not one IP address leaves the proxy's own.
std::string forwarded_for(const HttpRequest& r, const std::string& proxy) {
    std::string chain = r.header("x-forwarded-for");
    if (chain.empty() || chain.size() > 4096) return proxy;
    const auto comma = chain.rfind(',');
    std::string last = comma == std::string::npos ? chain : chain.substr(comma + 1);
    const auto first = last.find_first_not_of(" \t");
    const auto end = last.find_last_not_of(" \t");
    if (first == std::string::npos) return proxy;
    last = last.substr(first, end - first + 1);
    beast::error_code ec;
    const auto address = asio::ip::make_address(last, ec);
    return ec ? proxy : address.to_string();
}

std::string new_request_id() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    static const char* digits = "0123456789abcdef";
    std::string id(16, '0');
    std::uint64_t v = random();
    for (auto& c : id) {
        c = digits[v & 15];
        v >>= 4;
    }
    return id;
}

// Errors carry the request id in their body too, so a person can quote it to an admin.
void stamp(HttpResponse& r, const std::string& request_id) {
    r.headers.emplace_back("X-Request-Id", request_id);
    if (r.status < 400 || r.content_type != "application/json" || r.body.empty()) return;
    Json j = Json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_object()) {
        j["error"]["request_id"] = request_id;
        r.body = j.dump();
    }
}

struct Shared {
    HttpRoutes routes;
    HttpLimits limits;
    asio::thread_pool* workers = nullptr;
    std::atomic<int> connections{0};
    std::atomic<int> in_flight{0};
    std::atomic<bool> draining{false};
    std::mutex mutex;
    std::condition_variable idle; // in_flight reached 0

    std::mutex addresses_mutex;
    std::map<std::string, int> per_address;
    // Counts a new connection from `address`; false when that address already has its share.
    bool admit(const std::string& address) {
        std::lock_guard lock(addresses_mutex);
        int& n = per_address[address];
        if (n >= limits.max_connections_per_address && !trusted(address)) {
            if (n == 0) per_address.erase(address);
            return false;
        }
        ++n;
        return true;
    }
    bool trusted(const std::string& address) const {
        return std::find(limits.trusted_proxies.begin(), limits.trusted_proxies.end(), address) !=
               limits.trusted_proxies.end();
    }
    void release(const std::string& address) {
        std::lock_guard lock(addresses_mutex);
        auto it = per_address.find(address);
        if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
    }

    void log(const std::string& m) const {
        if (routes.log) routes.log(m);
    }

    // Held requests (HttpHold): how to answer each at once when the server stops.
    std::mutex held_mutex;
    std::map<std::uint64_t, std::function<void()>> held;
    std::uint64_t next_held = 1;
    std::atomic<int> waiting{0};
    std::uint64_t add_held(std::function<void()> finish) {
        std::lock_guard lock(held_mutex);
        held.emplace(next_held, std::move(finish));
        ++waiting;
        return next_held++;
    }
    void remove_held(std::uint64_t id) {
        std::lock_guard lock(held_mutex);
        if (held.erase(id)) --waiting;
    }
    void finish_all_held() {
        std::vector<std::function<void()>> all;
        {
            std::lock_guard lock(held_mutex);
            for (auto& [id, f] : held)
                all.push_back(f);
        }
        for (auto& f : all)
            f();
    }
    void request_done() {
        if (--in_flight == 0) {
            std::lock_guard lock(mutex);
            idle.notify_all();
        }
    }
};

// The plain and TLS connections differ only in their stream and how they start and end.
template <class Stream> class Connection : public std::enable_shared_from_this<Connection<Stream>> {
public:
    Connection(std::shared_ptr<Shared> shared, Stream stream, std::string remote)
        : shared_(std::move(shared)), stream_(std::move(stream)), remote_(std::move(remote)) {}

    ~Connection() {
        --shared_->connections;
        shared_->release(remote_);
    }

    void start() {
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            beast::get_lowest_layer(stream_).expires_after(ms(shared_->limits.header_ms));
            stream_.async_handshake(ssl::stream_base::server,
                                    [self = this->shared_from_this()](beast::error_code ec) {
                                        if (ec) return self->close();
                                        self->wait_for_request();
                                    });
        } else {
            wait_for_request();
        }
    }

private:
    beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

    // Idle: nothing of a next request yet. The first byte starts the header clock, and from then
    // on the request counts as in flight: a stopping server finishes it.
    void wait_for_request() {
        if (shared_->draining && served_) return close();
        if (buffer_.size() > 0) return begin_request();
        // A connection taken from the backlog while stopping gets a moment to send its request.
        tcp().expires_after(ms(late_ ? 1000 : shared_->limits.idle_ms));
        stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](
                                                           beast::error_code ec, std::size_t n) {
            if (ec || n == 0) return self->close();
            self->buffer_.commit(n);
            self->begin_request();
        });
    }

    void begin_request() {
        ++shared_->in_flight;
        counted_ = true;
        started_ = std::chrono::steady_clock::now();
        settle_late();
        read_header();
    }

    void settle_late() {
        if (late_) {
            late_ = false;
            shared_->request_done();
        }
    }

public:
    // Taken from the backlog while stopping: counts as in flight until it sends or goes.
    void mark_late() {
        late_ = true;
        ++shared_->in_flight;
    }

private:
    void read_header() {
        parser_.emplace();
        parser_->header_limit(shared_->limits.max_header_bytes);
        // Content-Length is checked by on_header (Beast 1.74 treats "no limit" as zero here).
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        tcp().expires_after(ms(shared_->limits.header_ms));
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = this->shared_from_this()](
                                    beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
            ec == asio::error::eof || ec == asio::error::connection_reset ||
            ec == asio::error::operation_aborted)
            return close();
        request_ = HttpRequest{};
        request_.request_id = new_request_id();
        request_.remote = remote_;
        if (ec == http::error::header_limit)
            return refuse(431, "header_too_large",
                          "the request line and headers exceed " +
                              std::to_string(shared_->limits.max_header_bytes) + " bytes");
        if (ec == http::error::bad_content_length)
            return refuse(400, "bad_request", "Content-Length must be one whole number of bytes");
        if (ec) {
            shared_->log("request " + request_.request_id + " from " + remote_ +
                         ": unreadable: " + ec.message());
            return refuse(400, "bad_request", "the request could not be read as HTTP/1.1");
        }
        const auto& head = parser_->get();
        std::size_t fields = 0;
        for (const auto& f : head) {
            if (++fields > static_cast<std::size_t>(shared_->limits.max_header_fields))
                return refuse(431, "header_too_large",
                              "the request has more than " +
                                  std::to_string(shared_->limits.max_header_fields) +
                                  " header fields");
            std::string name = lower(std::string(f.name_string()));
            auto [it, fresh] = request_.headers.emplace(name, std::string(f.value()));
            if (!fresh) it->second += ", " + std::string(f.value());
        }
        if (shared_->trusted(remote_)) request_.remote = forwarded_for(request_, remote_);
        request_.method = std::string(head.method_string());
        keep_alive_ = head.keep_alive();
        if (!parse_target(std::string_view(head.target().data(), head.target().size()), request_))
            return refuse(400, "bad_request", "the request target is not a valid path");
        if (shared_->draining) keep_alive_ = false; // answered, then closed
        if (request_.headers.count("transfer-encoding"))
            return refuse(411, "length_required",
                          "send a Content-Length header, not a chunked body");
        const bool has_length = head.find(http::field::content_length) != head.end();
        const std::uint64_t length = parser_->content_length().value_or(0);
        const bool wants_body =
            request_.method == "POST" || request_.method == "PUT" || request_.method == "PATCH";
        if (wants_body && !has_length)
            return refuse(411, "length_required", "send a Content-Length header");
        const std::uint64_t limit = request_.method == "PATCH"  ? shared_->limits.max_chunk
                                    : request_.method == "POST" ? shared_->limits.max_body
                                                                : 65536;
        if (length > limit)
            return refuse(413, "too_large",
                          "the body is " + std::to_string(length) + " bytes; the limit is " +
                              std::to_string(limit) + " bytes");
        body_length_ = length;
        // The gate may read the store (the token): off the I/O threads.
        asio::post(*shared_->workers, [self = this->shared_from_this()] {
            std::optional<HttpResponse> early;
            try {
                if (self->shared_->routes.gate) early = self->shared_->routes.gate(self->request_);
            } catch (const std::exception& e) {
                self->shared_->log("request " + self->request_.request_id +
                                   ": gate failed: " + e.what());
                early = HttpResponse::error(500, "internal", "the server failed; try again later");
            }
            // No body to read between the gate and the handler (a GET, a pull): the handler runs
            // in this same worker turn, sparing two thread hops per request.
            if (!early && self->body_length_ == 0) {
                self->request_.body = std::move(self->parser_->get().body());
                HttpResponse response = self->handle();
                return asio::post(self->tcp().get_executor(),
                                  [self, response = std::move(response)]() mutable {
                                      self->respond(std::move(response));
                                  });
            }
            asio::post(self->tcp().get_executor(), [self, early = std::move(early)]() mutable {
                if (early) {
                    // The body stays unread: this connection cannot carry another request.
                    if (self->body_length_ > 0) self->keep_alive_ = false;
                    return self->respond(std::move(*early));
                }
                self->read_body();
            });
        });
    }

    void read_body() {
        if (body_length_ == 0) return run_handler();
        const auto& head = parser_->get();
        auto expect = head.find(http::field::expect);
        if (expect != head.end() && beast::iequals(expect->value(), "100-continue")) {
            auto interim = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
            tcp().expires_after(ms(shared_->limits.body_gap_ms));
            asio::async_write(
                stream_, asio::buffer(*interim),
                [self = this->shared_from_this(), interim](beast::error_code ec, std::size_t) {
                    if (ec) return self->abandon();
                    self->start_body();
                });
            return;
        }
        start_body();
    }

    void start_body() {
        body_start_ = std::chrono::steady_clock::now();
        body_deadline_ =
            std::chrono::steady_clock::now() + ms(shared_->limits.body_base_ms) +
            ms(body_length_ * 1000 / std::max<std::uint64_t>(1, shared_->limits.min_body_rate));
        read_body_some();
    }

    void read_body_some() {
        if (parser_->is_done()) return run_handler();
        const auto now = std::chrono::steady_clock::now();
        if (now >= body_deadline_) return abandon();
        const auto since = std::chrono::duration_cast<ms>(now - body_start_).count();
        if (since > shared_->limits.body_base_ms) {
            const std::uint64_t received =
                body_length_ - parser_->content_length_remaining().value_or(0);
            if (received * 1000 <
                shared_->limits.min_body_average * static_cast<std::uint64_t>(since)) {
                shared_->log("request " + request_.request_id + " from " + remote_ +
                             ": body too slow, " + std::to_string(received) + " bytes in " +
                             std::to_string(since) + " ms");
                return abandon();
            }
        }
        tcp().expires_after(std::min<std::chrono::steady_clock::duration>(
            ms(shared_->limits.body_gap_ms), body_deadline_ - now));
        http::async_read_some(stream_, buffer_, *parser_,
                              [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (ec) return self->abandon();
                                  self->read_body_some();
                              });
    }

    // Runs on a worker, never on an I/O thread.
    HttpResponse handle() {
        try {
            return shared_->routes.handler(request_);
        } catch (const std::exception& e) {
            shared_->log("request " + request_.request_id + " " + request_.method + " " +
                         request_.path + ": " + e.what());
            return HttpResponse::error(500, "internal", "the server failed; try again later");
        }
    }

    void run_handler() {
        request_.body = std::move(parser_->get().body());
        asio::post(*shared_->workers, [self = this->shared_from_this()] {
            HttpResponse response = self->handle();
            asio::post(self->tcp().get_executor(),
                       [self, response = std::move(response)]() mutable {
                           self->respond(std::move(response));
                       });
        });
    }

    // Answers a request refused before its gate ran; the connection then closes.
    void refuse(int status, const std::string& code, const std::string& message) {
        keep_alive_ = false;
        if (request_.request_id.empty()) request_.request_id = new_request_id();
        respond(HttpResponse::error(status, code, message));
    }

    void respond(HttpResponse r) {
        if (r.hold) return hold(std::move(r.hold));
        stamp(r, request_.request_id);
        answered_.emplace();
        answered_->status = r.status;
        answered_->bytes_in = request_.body.size();
        answered_->bytes_out = request_.method == "HEAD" ? 0
                               : r.file.empty()          ? r.body.size()
                                                : static_cast<std::uint64_t>(r.file_length);
        if (shared_->draining) keep_alive_ = false;
        if (!r.file.empty()) return respond_file(std::move(r));
        auto res = std::make_shared<http::response<http::string_body>>(
            static_cast<http::status>(r.status), 11);
        for (const auto& [k, v] : r.headers)
            res->set(k, v);
        const bool head = request_.method == "HEAD";
        if (!head && (!r.body.empty() || (r.status != 204 && r.status != 304))) {
            res->set(http::field::content_type, r.content_type);
            res->body() = std::move(r.body);
        }
        res->keep_alive(keep_alive_);
        res->prepare_payload();
        if (head) res->content_length(0);
        tcp().expires_after(ms(shared_->limits.body_gap_ms + shared_->limits.body_base_ms));
        http::async_write(stream_, *res,
                          [self = this->shared_from_this(),
                           res](beast::error_code ec, std::size_t) { self->after_write(ec); });
    }

    // A held answer: no thread and no timeout while it waits. The handler's park() hook wakes
    // it; poll() runs on a worker and answers, or it waits on until its time is up.
    void hold(std::shared_ptr<HttpHold> h) {
        hold_ = std::move(h);
        tcp().expires_never();
        hold_timer_.emplace(tcp().get_executor());
        hold_timer_->expires_after(hold_->wait);
        hold_timer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec) self->poll_hold(true);
        });
        std::weak_ptr<Connection> weak = this->shared_from_this();
        auto on_strand = [weak, exec = tcp().get_executor()](bool last) {
            asio::post(exec, [weak, last] {
                if (auto self = weak.lock()) self->poll_hold(last);
            });
        };
        held_id_ = shared_->add_held([on_strand] { on_strand(true); });
        try {
            unpark_ = hold_->park([on_strand] { on_strand(false); });
        } catch (const std::exception& e) {
            shared_->log("request " + request_.request_id + ": cannot wait: " + e.what());
            return poll_hold(true);
        }
        if (shared_->draining) poll_hold(true);
    }

    void poll_hold(bool last) {
        if (!hold_) return;
        if (polling_) {
            repoll_ = true;
            repoll_last_ = repoll_last_ || last;
            return;
        }
        polling_ = true;
        asio::post(*shared_->workers, [self = this->shared_from_this(), h = hold_, last] {
            std::optional<HttpResponse> r;
            try {
                r = h->poll(last);
            } catch (const std::exception& e) {
                self->shared_->log("request " + self->request_.request_id + ": " + e.what());
                r = HttpResponse::error(500, "internal", "the server failed; try again later");
            }
            if (r && r->hold) r->hold.reset();
            if (!r && last)
                r = HttpResponse::error(500, "internal", "the server failed; try again later");
            asio::post(self->tcp().get_executor(), [self, r = std::move(r)]() mutable {
                self->polling_ = false;
                if (!self->hold_) return;
                if (r) return self->finish_hold(std::move(*r));
                if (self->repoll_) {
                    const bool again_last = self->repoll_last_;
                    self->repoll_ = self->repoll_last_ = false;
                    self->poll_hold(again_last);
                }
            });
        });
    }

    void finish_hold(HttpResponse r) {
        if (hold_timer_) hold_timer_->cancel();
        if (unpark_) unpark_();
        unpark_ = nullptr;
        shared_->remove_held(held_id_);
        hold_.reset();
        respond(std::move(r));
    }

    // A file body goes out a piece at a time, so memory stays flat whatever its size.
    void respond_file(HttpResponse r) {
        file_ = ::open(r.file.c_str(), O_RDONLY | O_CLOEXEC);
        if (file_ < 0 || ::lseek(file_, r.file_offset, SEEK_SET) < 0) {
            shared_->log("request " + request_.request_id + ": cannot open " + r.file);
            if (file_ >= 0) ::close(file_);
            file_ = -1;
            keep_alive_ = false;
            return respond(
                HttpResponse::error(500, "storage", "the file could not be read on the server"));
        }
        file_left_ = r.file_length;
        file_res_.emplace(static_cast<http::status>(r.status), 11);
        for (const auto& [k, v] : r.headers)
            file_res_->set(k, v);
        file_res_->set(http::field::content_type, r.content_type);
        file_res_->keep_alive(keep_alive_);
        file_res_->content_length(static_cast<std::uint64_t>(r.file_length));
        file_res_->body().data = nullptr;
        file_res_->body().more = request_.method != "HEAD" && file_left_ > 0;
        file_sr_.emplace(*file_res_);
        tcp().expires_after(ms(shared_->limits.body_gap_ms));
        http::async_write_header(
            stream_, *file_sr_,
            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) return self->after_write(ec);
                if (self->request_.method == "HEAD" || self->file_left_ == 0)
                    return self->after_write({});
                self->write_file_piece();
            });
    }

    void write_file_piece() {
        if (file_piece_.empty()) file_piece_.resize(64 * 1024);
        const auto want = static_cast<std::size_t>(
            std::min<std::int64_t>(file_left_, static_cast<std::int64_t>(file_piece_.size())));
        const ssize_t n = ::read(file_, file_piece_.data(), want);
        if (n <= 0) {
            // The file shrank under us: the length already sent cannot be met.
            shared_->log("request " + request_.request_id + ": the file ended early");
            keep_alive_ = false;
            return after_write(asio::error::eof);
        }
        file_left_ -= n;
        file_res_->body().data = file_piece_.data();
        file_res_->body().size = static_cast<std::size_t>(n);
        file_res_->body().more = file_left_ > 0;
        tcp().expires_after(ms(shared_->limits.body_gap_ms));
        http::async_write(
            stream_, *file_sr_,
            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec == http::error::need_buffer) ec = {};
                if (ec) return self->after_write(ec);
                if (self->file_left_ > 0) return self->write_file_piece();
                // The last piece: let the serializer finish the message.
                if (!self->file_sr_->is_done()) {
                    self->file_res_->body().data = nullptr;
                    self->file_res_->body().size = 0;
                    self->file_res_->body().more = false;
                    return http::async_write(
                        self->stream_, *self->file_sr_,
                        [self](beast::error_code ec2, std::size_t) { self->after_write(ec2); });
                }
                self->after_write({});
            });
    }

    void after_write(beast::error_code ec) {
        if (file_ >= 0) {
            ::close(file_);
            file_ = -1;
        }
        file_sr_.reset();
        file_res_.reset();
        report_answered();
        if (counted_) {
            counted_ = false;
            shared_->request_done();
        }
        served_ = true;
        if (ec) return close();
        if (!keep_alive_ || shared_->draining) return linger_close();
        wait_for_request();
    }

    // Once per answered request, to the routes' hook (metrics, the request log).
    void report_answered() {
        if (!answered_) return;
        answered_->took = std::chrono::steady_clock::now() - started_;
        if (shared_->routes.answered) {
            try {
                shared_->routes.answered(request_, *answered_);
            } catch (const std::exception& e) {
                shared_->log("request " + request_.request_id +
                             ": answered hook failed: " + e.what());
            }
        }
        answered_.reset();
    }

    // Closing with unread bytes makes the kernel reset the connection, which can destroy the
    // answer before the peer reads it. So: stop sending, then read and drop what still comes,
    // for a short while and a bounded amount, and only then close.
    void linger_close() {
        beast::error_code ignored;
        tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
        linger_left_ = 4 * 1024 * 1024;
        tcp().expires_after(ms(2000));
        drain();
    }

    void drain() {
        buffer_.consume(buffer_.size());
        stream_.async_read_some(
            buffer_.prepare(64 * 1024),
            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                if (ec || n == 0 || n >= self->linger_left_) return self->close();
                self->linger_left_ -= n;
                self->drain();
            });
    }

    // A body that stopped moving or broke the rules: no answer can be framed reliably.
    void abandon() { close(); }

    void close() {
        settle_late();
        if (counted_) {
            counted_ = false;
            shared_->request_done();
        }
        beast::error_code ignored;
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            // A TLS close_notify is a courtesy; do not wait on a peer that will not answer.
            tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
        } else {
            tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
        tcp().close();
    }

    std::shared_ptr<Shared> shared_;
    Stream stream_;
    std::string remote_;
    beast::flat_buffer buffer_{64 * 1024};
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpRequest request_;
    bool keep_alive_ = true;
    bool counted_ = false;
    bool served_ = false;
    bool late_ = false;
    std::uint64_t body_length_ = 0;
    std::chrono::steady_clock::time_point body_deadline_;
    std::chrono::steady_clock::time_point body_start_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::optional<HttpAnswered> answered_;
    std::size_t linger_left_ = 0;
    int file_ = -1;
    std::int64_t file_left_ = 0;
    std::string file_piece_;
    std::optional<http::response<http::buffer_body>> file_res_;
    std::optional<http::response_serializer<http::buffer_body>> file_sr_;
    std::shared_ptr<HttpHold> hold_;
    std::optional<asio::steady_timer> hold_timer_;
    std::function<void()> unpark_;
    std::uint64_t held_id_ = 0;
    bool polling_ = false, repoll_ = false, repoll_last_ = false;
};

class BeastServer final : public HttpServer {
public:
    BeastServer(HttpRoutes routes, HttpLimits limits)
        : shared_(std::make_shared<Shared>()),
          workers_(static_cast<std::size_t>(std::max(1, limits.workers))) {
        shared_->routes = std::move(routes);
        shared_->limits = limits;
        shared_->workers = &workers_;
    }
    ~BeastServer() override {
        // A handler that never returned cannot be joined; the process is exiting anyway.
        if (abandoned_) std::_Exit(0);
        stop();
    }

    Status start(const std::string& host, int port) override {
        const auto& limits = shared_->limits;
        if (!limits.tls_cert.empty() || !limits.tls_key.empty()) {
            tls_.emplace(ssl::context::tls_server);
            tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                              ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                              ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
            beast::error_code ec;
            tls_->use_certificate_chain_file(limits.tls_cert, ec);
            if (ec)
                return invalid("cannot use the certificate " + limits.tls_cert + ": " +
                               ec.message());
            tls_->use_private_key_file(limits.tls_key, ssl::context::pem, ec);
            if (ec)
                return invalid("cannot use the private key " + limits.tls_key + ": " +
                               ec.message());
        }
        beast::error_code ec;
        auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
        if (ec) return invalid("cannot listen on " + host + ": not an IP address");
        tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor_.bind(endpoint, ec);
        if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            return invalid("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                           ec.message());
        port_ = acceptor_.local_endpoint().port();
        accept();
        const unsigned threads = 2;
        for (unsigned i = 0; i < threads; ++i)
            threads_.emplace_back([this] { io_.run(); });
        open_ = true;
        return ok_status();
    }

    int port() const override { return port_; }

    bool stop() override {
        if (!open_.exchange(false)) return true;
        // No new connections; requests in flight finish and are answered; then everything closes.
        shared_->draining = true;
        // Connections the kernel already took (in the backlog, perhaps with a whole request in
        // their buffers) are accepted and served too, so a client that sent before the stop is
        // answered rather than reset.
        std::promise<void> closed;
        asio::post(io_, [this, &closed] {
            beast::error_code ec;
            acceptor_.non_blocking(true, ec);
            for (int i = 0; i < 10000 && !ec; ++i) {
                tcp::socket socket(asio::make_strand(io_));
                acceptor_.accept(socket, ec);
                if (!ec) serve(std::move(socket), true);
            }
            acceptor_.close(ec);
            closed.set_value();
        });
        closed.get_future().wait();
        // Held requests answer now with what there is.
        shared_->finish_all_held();
        // Bytes that arrived just before the stop may not have been picked up yet by an I/O
        // thread: give them a moment to become requests in flight before counting.
        std::this_thread::sleep_for(ms(250));
        bool drained = false;
        {
            std::unique_lock lock(shared_->mutex);
            drained = shared_->idle.wait_for(lock, std::chrono::seconds(30),
                                             [this] { return shared_->in_flight.load() == 0; });
        }
        if (!drained) {
            shared_->log(std::to_string(shared_->in_flight.load()) +
                         " request(s) still running after 30 s; not waiting for them");
            abandoned_ = true;
            return false;
        }
        work_.reset();
        io_.stop();
        for (auto& t : threads_)
            t.join();
        threads_.clear();
        workers_.join();
        return true;
    }

private:
    void accept() {
        acceptor_.async_accept(asio::make_strand(io_),
                               [this](beast::error_code ec, tcp::socket socket) {
                                   if (ec == asio::error::operation_aborted || !acceptor_.is_open())
                                       return;
                                   if (shared_->draining) {
                                       if (!ec) serve(std::move(socket), true);
                                       return;
                                   }
                                   if (ec) {
                                       // Out of file descriptors or similar: wait a moment rather
                                       // than spin.
                                       retry_.expires_after(ms(100));
                                       retry_.async_wait([this](beast::error_code) { accept(); });
                                       return;
                                   }
                                   serve(std::move(socket), false);
                                   accept();
                               });
    }

    void serve(tcp::socket socket, bool late) {
        if (shared_->connections.load() >= shared_->limits.max_connections) {
            beast::error_code ignored;
            socket.close(ignored);
            return;
        }
        beast::error_code rec;
        auto peer = socket.remote_endpoint(rec);
        std::string remote = rec ? std::string() : peer.address().to_string();
        if (!shared_->admit(remote)) {
            beast::error_code ignored;
            socket.close(ignored);
            return;
        }
        ++shared_->connections;
        // Answers go out whole in one write; Nagle's algorithm would only hold back the tail of
        // one that is not (a file piece, TLS records) until the peer's delayed ACK.
        beast::error_code nodelay;
        socket.set_option(tcp::no_delay(true), nodelay);
        beast::tcp_stream stream(std::move(socket));
        if (tls_) {
            auto c = std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
                shared_, beast::ssl_stream<beast::tcp_stream>(std::move(stream), *tls_),
                std::move(remote));
            if (late) c->mark_late();
            c->start();
        } else {
            auto c = std::make_shared<Connection<beast::tcp_stream>>(shared_, std::move(stream),
                                                                     std::move(remote));
            if (late) c->mark_late();
            c->start();
        }
    }

    std::shared_ptr<Shared> shared_;
    asio::io_context io_;
    // Keeps the I/O threads running while a connection has no operation pending (its request
    // is with a worker), even after the acceptor closes.
    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    asio::thread_pool workers_;
    tcp::acceptor acceptor_{io_};
    asio::steady_timer retry_{io_};
    std::optional<ssl::context> tls_;
    std::vector<std::thread> threads_;
    std::atomic<bool> open_{false};
    bool abandoned_ = false;
    int port_ = 0;
};

} // namespace

std::unique_ptr<HttpServer> make_http_server(HttpRoutes routes, HttpLimits limits) {
    return std::make_unique<BeastServer>(std::move(routes), limits);
}

} // namespace sitevisit::server
