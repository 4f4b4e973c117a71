// Counters for operators (Prometheus text over `serve --metrics-listen`) and the request log.

#include "sitevisit/server/metrics.h"

#include "sitevisit/core/time_format.h"
#include "sitevisit/server/service.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace sitevisit::server {

namespace {

constexpr std::memory_order relaxed = std::memory_order_relaxed;

// A number as Prometheus reads it: whole numbers without a fraction, others shortest.
std::string number(double v) {
    if (std::isinf(v)) return "+Inf";
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(std::string& out, const std::string& name, const std::string& labels,
            std::uint64_t value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    out += std::to_string(value);
    out += '\n';
}

std::string route_label(Metrics::Route route) {
    return std::string("route=\"") + Metrics::label(route) + "\"";
}

} // namespace

Metrics::Route Metrics::route_of(std::string_view path) {
    if (path == "/v1/sync/pull") return Route::Pull;
    if (path == "/v1/sync/push") return Route::Push;
    if (path.rfind("/v1/blobs/", 0) == 0) return Route::Blob;
    if (path == "/v1/blobs") return Route::Blobs;
    if (path == "/v1/health") return Route::Health;
    if (path == "/v1/auth/login") return Route::Login;
    if (path == "/v1/reference") return Route::Reference;
    return Route::Other;
}

const char* Metrics::label(Route route) {
    switch (route) {
    case Route::Health:
        return "/v1/health";
    case Route::Login:
        return "/v1/auth/login";
    case Route::Reference:
        return "/v1/reference";
    case Route::Push:
        return "/v1/sync/push";
    case Route::Pull:
        return "/v1/sync/pull";
    case Route::Blobs:
        return "/v1/blobs";
    case Route::Blob:
        return "/v1/blobs/{sha256}";
    case Route::Other:
    case Route::Count:
        break;
    }
    return "other";
}

void Metrics::request(Route route, int status, std::chrono::steady_clock::duration took) {
    RouteCounts& r = routes_[static_cast<int>(route)];
    // A status outside 100..599 cannot come from the listener; counted as 500 if it ever did.
    const int index = status >= 100 && status <= 599 ? status - 100 : 400;
    r.status[static_cast<std::size_t>(index)].fetch_add(1, relaxed);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
    const double seconds = static_cast<double>(micros) / 1e6;
    std::size_t b = 0;
    while (b < kBuckets.size() && seconds > kBuckets[b])
        ++b;
    r.bucket[b].fetch_add(1, relaxed);
    r.micros.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, micros)), relaxed);
    r.count.fetch_add(1, relaxed);
}

std::string Metrics::render() const {
    std::string out;
    out.reserve(8192);

    family(out, "sitevisit_http_requests_total", "counter",
           "Requests answered on the main listener, by route template and status.");
    for (int i = 0; i < kRoutes; ++i) {
        const auto route = static_cast<Route>(i);
        for (int s = 0; s < kStatuses; ++s) {
            const std::uint64_t n =
                routes_[static_cast<std::size_t>(i)].status[static_cast<std::size_t>(s)].load(
                    relaxed);
            if (n == 0) continue;
            sample(out, "sitevisit_http_requests_total",
                   route_label(route) + ",status=\"" + std::to_string(100 + s) + "\"", n);
        }
    }

    family(out, "sitevisit_http_request_duration_seconds", "histogram",
           "Time from a request's first byte to its answer written, by route template.");
    for (int i = 0; i < kRoutes; ++i) {
        const RouteCounts& r = routes_[static_cast<std::size_t>(i)];
        const std::uint64_t count = r.count.load(relaxed);
        if (count == 0) continue;
        const std::string route = route_label(static_cast<Route>(i));
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
            cumulative += r.bucket[b].load(relaxed);
            const double le = b < kBuckets.size() ? kBuckets[b] : INFINITY;
            sample(out, "sitevisit_http_request_duration_seconds_bucket",
                   route + ",le=\"" + number(le) + "\"", cumulative);
        }
        out += "sitevisit_http_request_duration_seconds_sum{" + route + "} " +
               number(static_cast<double>(r.micros.load(relaxed)) / 1e6) + "\n";
        // The count is the +Inf bucket, read above, so the two always agree.
        sample(out, "sitevisit_http_request_duration_seconds_count", route, cumulative);
    }

    family(out, "sitevisit_push_ops_total", "counter",
           "Pushed changes answered, by result (applied, duplicate, conflict, rejected).");
    for (auto status : {protocol::OpStatus::Applied, protocol::OpStatus::Duplicate,
                        protocol::OpStatus::Conflict, protocol::OpStatus::Rejected})
        sample(out, "sitevisit_push_ops_total",
               std::string("result=\"") + protocol::to_string(status) + "\"",
               push_ops_[static_cast<std::size_t>(status)].load(relaxed));

    family(out, "sitevisit_pull_changes_total", "counter", "Changes sent to devices in pulls.");
    sample(out, "sitevisit_pull_changes_total", {}, pull_changes_.load(relaxed));

    family(out, "sitevisit_conflicts_total", "counter",
           "Conflict records made (one per field whose concurrent value lost).");
    sample(out, "sitevisit_conflicts_total", {}, conflicts_.load(relaxed));

    family(out, "sitevisit_blob_bytes_received_total", "counter",
           "Evidence file bytes received in upload chunks and written to disk.");
    sample(out, "sitevisit_blob_bytes_received_total", {}, blob_bytes_.load(relaxed));

    family(out, "sitevisit_waiting_pulls", "gauge", "Pulls held open waiting for a change.");
    out += "sitevisit_waiting_pulls " + std::to_string(waiting_pulls.load(relaxed)) + "\n";
    return out;
}

std::string request_log_line(const HttpRequest& request, const HttpAnswered& answered) {
    const Caller* caller = std::any_cast<Caller>(&request.context);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(answered.took).count();
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    // Built by the JSON library, so every string is escaped; the method is the only text the
    // client chose, and bytes that are not UTF-8 are replaced rather than failing the line.
    Json line{{"time", format_utc_ms(now)},
              {"event", "request"},
              {"request_id", request.request_id},
              {"method", request.method},
              {"route", Metrics::label(Metrics::route_of(request.path))},
              {"status", answered.status},
              {"ms", static_cast<double>(micros) / 1000.0},
              {"user", caller ? caller->user.id : std::string()},
              {"bytes_in", answered.bytes_in},
              {"bytes_out", answered.bytes_out}};
    return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::function<void(const HttpRequest&, const HttpAnswered&)>
request_observer(Metrics* metrics, std::function<void(const std::string&)> write_line) {
    return [metrics, write_line = std::move(write_line)](const HttpRequest& request,
                                                         const HttpAnswered& answered) {
        if (metrics)
            metrics->request(Metrics::route_of(request.path), answered.status, answered.took);
        if (write_line) write_line(request_log_line(request, answered));
    };
}

HttpRoutes metrics_routes(const Metrics& metrics) {
    HttpRoutes routes;
    routes.gate = [](HttpRequest& r) -> std::optional<HttpResponse> {
        if (r.method == "GET" && r.path == "/metrics") return std::nullopt;
        return HttpResponse::error(404, "not_found", "this listener answers GET /metrics only");
    };
    routes.handler = [&metrics](const HttpRequest&) {
        HttpResponse r;
        r.content_type = Metrics::kContentType;
        r.body = metrics.render();
        return r;
    };
    return routes;
}

} // namespace sitevisit::server
