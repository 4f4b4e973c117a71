#pragma once

// The server's counters for operators, read over `serve --metrics-listen HOST:PORT` as
// Prometheus text (docs/server.md, "Metrics and logs"), and the one JSON log line each answered
// request writes. Every counter is a relaxed atomic: counting takes no lock, and reading them all
// for /metrics may see one counter a moment ahead of another, which Prometheus tolerates.

#include "sitevisit/protocol/messages.h"
#include "sitevisit/server/http.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sitevisit::server {

class Metrics {
public:
    // The routes requests are counted under: the path's template, never the path itself, so a
    // scanner sending random paths adds no labels (they all count as `other`).
    enum class Route { Health, Login, Reference, Push, Pull, Blobs, Blob, Other, Count };
    static Route route_of(std::string_view path);
    static const char* label(Route route); // "/v1/blobs/{sha256}", "other", ...

    // The upper bounds of the request duration histogram, in seconds: 5 ms to 60 s (a held pull
    // waits up to 60 s), then +Inf.
    static constexpr std::array<double, 14> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                     1,     2.5,  5,     10,   20,  30,   60};

    void request(Route route, int status, std::chrono::steady_clock::duration took);
    // A push batch's answered results, after its transaction committed.
    void push_result(protocol::OpStatus status) {
        push_ops_[static_cast<int>(status)].fetch_add(1, std::memory_order_relaxed);
    }
    void conflicts(std::int64_t n) { conflicts_.fetch_add(n, std::memory_order_relaxed); }
    void pulled(std::int64_t changes) {
        pull_changes_.fetch_add(changes, std::memory_order_relaxed);
    }
    void blob_bytes(std::int64_t n) { blob_bytes_.fetch_add(n, std::memory_order_relaxed); }

    // Pulls held open waiting for a change (the gauge sitevisit_waiting_pulls). The held-pull
    // code adds one when it parks a pull and takes it away when the pull is answered or dropped;
    // WaitingPull does both for a scope.
    std::atomic<std::int64_t> waiting_pulls{0};
    class WaitingPull {
    public:
        explicit WaitingPull(Metrics* m) : m_(m) {
            if (m_) m_->waiting_pulls.fetch_add(1, std::memory_order_relaxed);
        }
        ~WaitingPull() {
            if (m_) m_->waiting_pulls.fetch_sub(1, std::memory_order_relaxed);
        }
        WaitingPull(const WaitingPull&) = delete;
        WaitingPull& operator=(const WaitingPull&) = delete;

    private:
        Metrics* m_;
    };

    // Everything, in the Prometheus text exposition format 0.0.4.
    std::string render() const;
    static constexpr const char* kContentType = "text/plain; version=0.0.4";

private:
    static constexpr int kRoutes = static_cast<int>(Route::Count);
    static constexpr int kStatuses = 500; // 100 .. 599
    struct RouteCounts {
        std::array<std::atomic<std::uint64_t>, kStatuses> status{};
        std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> bucket{}; // not cumulative
        std::atomic<std::uint64_t> micros{0};
        std::atomic<std::uint64_t> count{0};
    };
    std::array<RouteCounts, kRoutes> routes_{};
    std::array<std::atomic<std::uint64_t>, 4> push_ops_{}; // by protocol::OpStatus
    std::atomic<std::uint64_t> conflicts_{0};
    std::atomic<std::uint64_t> pull_changes_{0};
    std::atomic<std::uint64_t> blob_bytes_{0};
};

// What each answered request leaves behind on the main listener: its count and duration in
// `metrics` (when given) and one JSON line through `write_line` (when given): time, request id,
// method, route template, status, ms, the signed-in user's id (empty otherwise), bytes in and
// out. Never a header, a query, a body or a path beyond its template.
std::function<void(const HttpRequest&, const HttpAnswered&)>
request_observer(Metrics* metrics, std::function<void(const std::string&)> write_line);

// The log line of one request (no newline), as request_observer writes it.
std::string request_log_line(const HttpRequest& request, const HttpAnswered& answered);

// The routes of the metrics listener: GET /metrics, and 404 for anything else.
HttpRoutes metrics_routes(const Metrics& metrics);

} // namespace sitevisit::server
