#include "sitevisit/server/routes.h"

#include "sitevisit/core/time_format.h"
#include "sitevisit/protocol/messages.h"
#include "sitevisit/server/blobs.h"
#include "sitevisit/server/metrics.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <zlib.h>

namespace sitevisit::server {

namespace {

// Storage failures carry the backend's own words (SQL, file names): those go to the server
// log with the request id, and the caller gets a plain sentence and that id.
HttpResponse fail(const Service& service, const HttpRequest& r, const Error& e) {
    if (e.code == ErrorCode::Storage) {
        if (service.log)
            service.log("request " + r.request_id + " " + r.method + " " + r.path + ": " +
                        e.message);
        return HttpResponse::error(500, "storage",
                                   "the server could not read or write its data; try again later");
    }
    auto resp = HttpResponse::error(http_status(e.code), to_string(e.code), e.message);
    if (e.code == ErrorCode::Busy) resp.headers.emplace_back("Retry-After", "2");
    return resp;
}

std::optional<std::int64_t> whole_number(const std::string& text) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
    return v;
}

std::string bearer(const HttpRequest& r) {
    const std::string h = r.header("authorization");
    if (h.size() > 7 && (h.compare(0, 7, "Bearer ") == 0 || h.compare(0, 7, "bearer ") == 0))
        return h.substr(7);
    return {};
}

// Whether an Accept-Encoding header takes gzip: "gzip" (or "*") listed without q=0.
bool accepts_gzip(const std::string& header) {
    std::size_t start = 0;
    while (start < header.size()) {
        std::size_t end = header.find(',', start);
        if (end == std::string::npos) end = header.size();
        std::string item = header.substr(start, end - start);
        start = end + 1;
        std::string name, q;
        const auto semi = item.find(';');
        name = item.substr(0, semi);
        if (semi != std::string::npos) q = item.substr(semi + 1);
        auto trim = [](std::string& x) {
            while (!x.empty() && (x.front() == ' ' || x.front() == '\t'))
                x.erase(x.begin());
            while (!x.empty() && (x.back() == ' ' || x.back() == '\t'))
                x.pop_back();
            for (auto& ch : x)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        };
        trim(name);
        trim(q);
        if (name != "gzip" && name != "x-gzip" && name != "*") continue;
        q.erase(std::remove(q.begin(), q.end(), ' '), q.end());
        if (q.rfind("q=", 0) == 0) {
            const std::string v = q.substr(2);
            if (!v.empty() && v.find_first_not_of("0.") == std::string::npos) continue; // q=0
        }
        return true;
    }
    return false;
}

// The body compressed as gzip (the fastest level: a page is made for one answer), or nothing
// when zlib fails.
std::optional<std::string> gzip(const std::string& body) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return std::nullopt;
    std::string out;
    out.resize(deflateBound(&z, static_cast<uLong>(body.size())) + 32);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    z.avail_in = static_cast<uInt>(body.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    const auto written = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return std::nullopt;
    out.resize(written);
    return out;
}

const char* const kVersion = "0.1.0";
// The longest a pull may be held (GET /v1/sync/pull?wait=S).
constexpr std::int64_t kMaxPullWait = 60;

// A pull that may be held: what it asks, and how far the log has been read for it.
struct HeldPull {
    Caller caller;
    std::int64_t since = 0;
    int limit = 0;
    int schema = 1;
    std::vector<std::string> scope; // the caller's schools, for waking
    HttpRequest request;            // id, method and path, for the log
    bool gzip = false;              // the device accepts a gzipped page
};

// Runs the pull. With `may_wait`, a page with nothing for the caller is not an answer: the
// log was read to its end, so the next run starts there (nothing).
std::optional<HttpResponse> pull_once(Service& service, HeldPull& held, bool may_wait) {
    // The changes as the bytes stored for them, copied into the page (no parse, no encode of
    // each change), and the page gzipped when the device asks for it.
    auto answer = service.pull(held.caller, held.since, held.limit, held.schema, true, &held.scope);
    if (!answer && answer.error().field == "cursor_ahead")
        return HttpResponse::error(409, "cursor_ahead", answer.error().message);
    if (!answer) return fail(service, held.request, answer.error());
    const bool something = answer->encoded_count > 0 || !answer->ops.empty() ||
                           !answer->purge.empty() || answer->more || answer->held > 0;
    if (may_wait && !something) {
        held.since = answer->cursor;
        return std::nullopt;
    }
    HttpResponse resp;
    resp.body = protocol::encode_pull_body(*answer);
    resp.headers.emplace_back("Vary", "Accept-Encoding");
    if (held.gzip && resp.body.size() >= 1024)
        if (auto packed = gzip(resp.body)) {
            resp.body = std::move(*packed);
            resp.headers.emplace_back("Content-Encoding", "gzip");
        }
    return resp;
}
constexpr unsigned long kMaxLoginBody = 8 * 1024;

} // namespace

// The methods each path answers; anything else is 405 before a body byte is read.
const char* allowed_methods(const std::string& path, bool blobs) {
    if (path == "/v1/health" || path == "/v1/reference" || path == "/v1/sync/pull") return "GET";
    if (path == "/v1/auth/login" || path == "/v1/sync/push") return "POST";
    if (blobs && path == "/v1/blobs") return "POST, OPTIONS";
    if (blobs && path.rfind("/v1/blobs/", 0) == 0) return "GET, HEAD, PATCH, OPTIONS";
    return nullptr;
}

bool allows(const char* methods, const std::string& method) {
    std::string list = methods;
    std::size_t start = 0;
    while (start < list.size()) {
        auto end = list.find(", ", start);
        if (end == std::string::npos) end = list.size();
        if (list.compare(start, end - start, method) == 0) return true;
        start = end + 2;
    }
    return false;
}

HttpRoutes make_routes(Service& service, BlobService* blobs) {
    HttpRoutes routes;
    routes.log = service.log;
    routes.gate = [&service, blobs](HttpRequest& r) -> std::optional<HttpResponse> {
        const char* methods = allowed_methods(r.path, blobs != nullptr);
        if (!methods) return HttpResponse::error(404, "not_found", "no such endpoint");
        if (!allows(methods, r.method)) {
            auto resp = HttpResponse::error(405, "method", std::string("use ") + methods);
            resp.headers.emplace_back("Allow", methods);
            return resp;
        }
        if (r.path == "/v1/health") return std::nullopt;
        if (r.path == "/v1/auth/login") {
            // Anyone may sign in, so what they may send is small: an email, a password, two ids.
            const std::string length = r.header("content-length");
            if (length.size() > 6 || (!length.empty() && std::stoul(length) > kMaxLoginBody))
                return HttpResponse::error(413, "too_large",
                                           "a sign-in is at most " + std::to_string(kMaxLoginBody) +
                                               " bytes");
            return std::nullopt;
        }
        if (r.method == "OPTIONS") return std::nullopt; // tus discovery needs no sign-in
        auto caller = service.authenticate(bearer(r));
        if (!caller) return fail(service, r, caller.error());
        r.context = std::move(caller).value();
        return std::nullopt;
    };
    routes.handler = [&service, blobs](const HttpRequest& r) -> HttpResponse {
        const std::string& path = r.path;
        if (path == "/v1/health") {
            if (r.method != "GET") return HttpResponse::error(405, "method", "use GET");
            return HttpResponse::json(200, {{"status", "ok"},
                                            {"version", kVersion},
                                            {"protocol", protocol::kProtocolVersion},
                                            {"schema", kDataSchemaVersion}});
        }
        if (path == "/v1/auth/login") {
            if (r.method != "POST") return HttpResponse::error(405, "method", "use POST");
            auto request = protocol::decode_login_request(r.body);
            if (!request) return fail(service, r, request.error());
            auto answer = service.login(*request, r.remote);
            if (!answer) return fail(service, r, answer.error());
            Json user{{"id", answer->user.id},
                      {"name", answer->user.name},
                      {"email", answer->user.email},
                      {"role", to_string(answer->user.role)},
                      {"schools", answer->schools},
                      {"districts", answer->user.districts},
                      {"region",
                       answer->user.region.empty() ? Json(nullptr) : Json(answer->user.region)}};
            return HttpResponse::json(200, {{"token", answer->token},
                                            {"expires", format_utc_ms(answer->expires_ms)},
                                            {"user", user},
                                            {"device_secret", answer->device_secret.empty()
                                                                  ? Json(nullptr)
                                                                  : Json(answer->device_secret)}});
        }

        // Everything else needs a signed-in caller.
        const bool blob_path = path == "/v1/blobs" || path.rfind("/v1/blobs/", 0) == 0;
        if (blob_path && r.method == "OPTIONS" && blobs) return blobs->options();
        const Caller* caller = std::any_cast<Caller>(&r.context);
        if (!caller)
            return HttpResponse::error(401, "unauthorized",
                                       "sign in first: the request has no valid bearer token");

        if (path == "/v1/reference") {
            if (r.method != "GET") return HttpResponse::error(405, "method", "use GET");
            return HttpResponse::json(200, service.reference());
        }
        if (path == "/v1/sync/push") {
            if (r.method != "POST") return HttpResponse::error(405, "method", "use POST");
            auto request = protocol::decode_push_request(r.body);
            if (!request) return fail(service, r, request.error());
            auto answer = service.push(*caller, std::move(*request));
            if (!answer) return fail(service, r, answer.error());
            // Nothing accepted: a 4xx, still with every op's result so a device can show why.
            Json body = protocol::encode(*answer);
            bool any_accepted = false, forbidden = false;
            std::string first_error;
            for (const auto& r : answer->results) {
                if (r.status != protocol::OpStatus::Rejected)
                    any_accepted = true;
                else if (first_error.empty())
                    first_error = r.error;
                if (r.status == protocol::OpStatus::Rejected && r.forbidden) forbidden = true;
            }
            if (answer->results.empty() || any_accepted) return HttpResponse::json(200, body);
            body["error"] = {{"code", forbidden ? "forbidden" : "invalid"},
                             {"message", first_error}};
            return HttpResponse::json(forbidden ? 403 : 400, body);
        }
        if (path == "/v1/sync/pull") {
            if (r.method != "GET") return HttpResponse::error(405, "method", "use GET");
            std::int64_t since = 0, limit = 0;
            if (auto it = r.query.find("since"); it != r.query.end()) {
                auto v = whole_number(it->second);
                if (!v || *v < 0)
                    return HttpResponse::error(400, "invalid",
                                               "since must be a whole number of at least 0");
                since = *v;
            }
            if (auto it = r.query.find("limit"); it != r.query.end()) {
                auto v = whole_number(it->second);
                if (!v || *v < 1 || *v > 100000)
                    return HttpResponse::error(400, "invalid",
                                               "limit must be a whole number from 1 to 100000");
                limit = *v;
            }
            // The device's data schema; devices made before it was sent read schema 1.
            std::int64_t schema = 1;
            if (auto it = r.query.find("schema"); it != r.query.end()) {
                auto v = whole_number(it->second);
                if (!v || *v < 1 || *v > 1000)
                    return HttpResponse::error(400, "invalid",
                                               "schema must be a whole number from 1 to 1000");
                schema = *v;
            }
            // wait=S: hold the answer until a change the caller may read lands, at most S s.
            std::int64_t wait = 0;
            if (auto it = r.query.find("wait"); it != r.query.end()) {
                auto v = whole_number(it->second);
                if (!v || *v < 0 || *v > kMaxPullWait)
                    return HttpResponse::error(400, "invalid",
                                               "wait must be a whole number of seconds from 0 to " +
                                                   std::to_string(kMaxPullWait));
                wait = *v;
            }
            auto held = std::make_shared<HeldPull>();
            held->caller = *caller;
            held->since = since;
            held->limit = static_cast<int>(limit);
            held->schema = static_cast<int>(schema);
            held->request.request_id = r.request_id;
            held->request.method = r.method;
            held->request.path = r.path;
            held->gzip = accepts_gzip(r.header("accept-encoding"));
            auto answer = pull_once(service, *held, wait > 0);
            if (answer || wait == 0) return answer ? std::move(*answer) : HttpResponse{};
            HttpResponse later;
            later.hold = std::make_shared<HttpHold>();
            later.hold->wait = std::chrono::seconds(wait);
            later.hold->poll = [&service, held](bool last) {
                return pull_once(service, *held, !last);
            };
            later.hold->park = [&service, held](std::function<void()> wake) {
                const auto id = service.waiters().add(
                    Waiters::Interest{held->scope, held->caller.key, held->since}, std::move(wake));
                if (service.metrics) ++service.metrics->waiting_pulls;
                return std::function<void()>([&service, id] {
                    service.waiters().remove(id);
                    if (service.metrics) --service.metrics->waiting_pulls;
                });
            };
            return later;
        }
        if (blob_path && blobs) return blobs->handle(*caller, r);
        return HttpResponse::error(404, "not_found", "no such endpoint");
    };
    return routes;
}

} // namespace sitevisit::server
