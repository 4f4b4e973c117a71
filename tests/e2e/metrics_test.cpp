// sitevisit-server end to end: /metrics on `serve --metrics-listen` (and nowhere else), the
// counters moving with real pushes, pulls, conflicts and uploads, and the JSON request log.
#include "server_fixture.h"

#include <chrono>
#include <future>
#include <map>
#include <sstream>
#include <thread>

using namespace sitevisit;
using namespace sitevisit::e2e;

namespace {

const char* const kFamilies[][2] = {{"sitevisit_http_requests_total", "counter"},
                                    {"sitevisit_http_request_duration_seconds", "histogram"},
                                    {"sitevisit_push_ops_total", "counter"},
                                    {"sitevisit_pull_changes_total", "counter"},
                                    {"sitevisit_conflicts_total", "counter"},
                                    {"sitevisit_blob_bytes_received_total", "counter"},
                                    {"sitevisit_waiting_pulls", "gauge"}};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

// Samples by their whole name with labels: `name{a="b"}` -> value.
std::map<std::string, double> parse_samples(const std::string& text) {
    std::map<std::string, double> out;
    for (const auto& line : lines_of(text)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        EXPECT_NE(space, std::string::npos) << line;
        if (space == std::string::npos) continue;
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

double at(const std::map<std::string, double>& samples, const std::string& key) {
    auto it = samples.find(key);
    return it == samples.end() ? 0 : it->second;
}

std::string requests(const std::string& route, int status) {
    return "sitevisit_http_requests_total{route=\"" + route + "\",status=\"" +
           std::to_string(status) + "\"}";
}

} // namespace

struct Metered : Demo {
    Metered() { serve_args = {"--metrics-listen", "127.0.0.1:0"}; }

    // The metrics port, from the line the server printed after its main address.
    int metrics_port() {
        const std::string tag = "sitevisit-server metrics on http://127.0.0.1:";
        for (const auto& line : lines_of(server.stdout_text()))
            if (line.rfind(tag, 0) == 0) return std::stoi(line.substr(tag.size()));
        ADD_FAILURE() << "no metrics line in: " << server.stdout_text();
        return 0;
    }

    Response scrape() { return Http(metrics_port()).request("GET", "/metrics"); }

    std::map<std::string, double> samples() {
        auto r = scrape();
        EXPECT_EQ(r.status, 200) << r.body;
        return parse_samples(r.body);
    }

    // A request is counted once its answer is written, which may be a moment after the client
    // has read it: scrape until `key` reaches `want` (or give up after many tries and compare).
    double eventually(const std::string& key, double want) {
        double v = 0;
        for (int i = 0; i < 200; ++i) {
            v = at(samples(), key);
            if (v >= want) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return v;
    }
};

TEST_F(Metered, TheMetricsListenerAnswersPrometheusTextAndOnlyThat) {
    // The main address stays the first line (the harness and scripts read it).
    const auto out = lines_of(server.stdout_text());
    ASSERT_GE(out.size(), 2u);
    EXPECT_EQ(out[0].rfind("sitevisit-server listening on http://127.0.0.1:", 0), 0u) << out[0];
    EXPECT_EQ(out[1].rfind("sitevisit-server metrics on http://127.0.0.1:", 0), 0u) << out[1];
    EXPECT_NE(metrics_port(), server.port());

    auto r = scrape();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4");
    for (const auto& f : kFamilies) {
        EXPECT_NE(r.body.find(std::string("# HELP ") + f[0] + " "), std::string::npos) << f[0];
        EXPECT_NE(r.body.find(std::string("# TYPE ") + f[0] + " " + f[1] + "\n"), std::string::npos)
            << f[0];
    }
    auto s = parse_samples(r.body);
    EXPECT_EQ(s.count("sitevisit_waiting_pulls"), 1u);
    EXPECT_EQ(at(s, "sitevisit_waiting_pulls"), 0);
    for (const char* result : {"applied", "duplicate", "conflict", "rejected"})
        EXPECT_EQ(s.count(std::string("sitevisit_push_ops_total{result=\"") + result + "\"}"), 1u)
            << result;

    // The main port never answers /metrics; the metrics port answers nothing else.
    EXPECT_EQ(http().request("GET", "/metrics").status, 404);
    Http metrics(metrics_port());
    EXPECT_EQ(metrics.request("GET", "/v1/health").status, 404);
    EXPECT_EQ(metrics.request("GET", "/").status, 404);
    EXPECT_EQ(metrics.request("POST", "/metrics", "{}").status, 404);

    // Requests count under their route's template; unknown paths all under one label.
    EXPECT_EQ(http().request("GET", "/v1/health").status, 200);
    for (const char* scan : {"/wp-admin/setup.php", "/.env", "/v1/nothing/here"})
        EXPECT_EQ(http().request("GET", scan).status, 404) << scan;
    EXPECT_EQ(eventually(requests("/v1/health", 200), 1), 1);
    EXPECT_EQ(eventually(requests("other", 404), 4), 4); // the /metrics asked above, and three
    const auto text = scrape().body;
    EXPECT_EQ(text.find("wp-admin"), std::string::npos);
    EXPECT_EQ(text.find(".env"), std::string::npos);
    s = parse_samples(text);
    EXPECT_EQ(at(s, "sitevisit_http_request_duration_seconds_count{route=\"/v1/health\"}"), 1);
    EXPECT_EQ(at(s, "sitevisit_http_request_duration_seconds_bucket{route=\"/v1/health\","
                    "le=\"+Inf\"}"),
              1);
    EXPECT_EQ(s.count("sitevisit_http_request_duration_seconds_bucket{route=\"/v1/health\","
                      "le=\"0.005\"}"),
              1u);
    EXPECT_EQ(s.count("sitevisit_http_request_duration_seconds_sum{route=\"/v1/health\"}"), 1u);
}

TEST_F(Metered, CountersMoveWithPushesPullsConflictsAndUploads) {
    const auto before = samples();
    const std::string a = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-a");
    const std::string b = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-b");
    std::map<std::string, int> results; // as the pushes' answers report them
    int pushes_200 = 0, pushes_400 = 0;
    auto push_counted = [&](const std::string& token, const std::string& device, Json ops) {
        auto r = push(token, device, ops);
        if (r.status == 200) ++pushes_200;
        if (r.status == 400) ++pushes_400;
        const Json answer = r.json();
        for (const auto& res : answer["results"])
            ++results[res["status"].get<std::string>()];
        return r;
    };
    std::size_t pulled = 0;
    std::int64_t cursor_a = 0, cursor_b = 0;
    pulled += pull_all(a, 0, &cursor_a).size();
    pulled += pull_all(b, 0, &cursor_b).size();
    EXPECT_GT(pulled, 0u);

    const std::string visit = new_id(), obs = new_id();
    Json first = Json::array(
        {change("visit", visit, lincoln,
                {{"kind", "walkthrough"},
                 {"rubric", "msv-2026-2027-elementary"},
                 {"start_date", "2026-11-23"}},
                1, "tablet-a"),
         change("observation", obs, lincoln,
                {{"visit", visit}, {"indicator", "msv-2026-2027-elementary/1.1"}, {"rating", 1}}, 2,
                "tablet-a")});
    auto created = push_counted(a, "tablet-a", first);
    ASSERT_EQ(created.status, 200) << created.body;
    const auto base = created.json()["results"][1]["seq"].get<std::int64_t>();
    // The reply was lost: the same batch again answers duplicates.
    EXPECT_EQ(push_counted(a, "tablet-a", first).status, 200);
    pulled += pull_all(b, cursor_b, &cursor_b).size();

    // Both tablets rate the same indicator; B's later clock wins and A's value becomes a
    // conflict record.
    auto ra = push_counted(
        a, "tablet-a",
        Json::array({change("observation", obs, lincoln, {{"rating", 2}}, 3, "tablet-a", base)}));
    ASSERT_EQ(ra.json()["results"][0]["status"], "applied") << ra.body;
    Json late = change("observation", obs, lincoln, {{"rating", 3}}, 1, "tablet-b", base);
    late["hlc"] = Hlc{SystemClock::instance().now_ms() + 1000, 0, "tablet-b"}.to_string();
    auto rb = push_counted(b, "tablet-b", Json::array({late}));
    ASSERT_EQ(rb.json()["results"][0]["status"], "conflict") << rb.body;

    // A rating out of range is refused (and the batch answered 400).
    auto bad = push_counted(
        a, "tablet-a",
        Json::array({change(
            "observation", new_id(), lincoln,
            {{"visit", visit}, {"indicator", "msv-2026-2027-elementary/1.2"}, {"rating", 7}}, 4,
            "tablet-a")}));
    EXPECT_EQ(bad.status, 400) << bad.body;
    pulled += pull_all(a, cursor_a, &cursor_a).size();

    const std::string bytes(1000, 'x');
    EXPECT_LT(upload(http(), a, bytes), 300);

    EXPECT_EQ(results["applied"], 3);
    EXPECT_EQ(results["duplicate"], 2);
    EXPECT_EQ(results["conflict"], 1);
    EXPECT_EQ(results["rejected"], 1);
    const auto after = samples();
    auto moved = [&](const std::string& key) { return at(after, key) - at(before, key); };
    for (const auto& [result, n] : results)
        EXPECT_EQ(moved("sitevisit_push_ops_total{result=\"" + result + "\"}"), n) << result;
    EXPECT_EQ(moved("sitevisit_conflicts_total"), 1);
    EXPECT_EQ(moved("sitevisit_pull_changes_total"), static_cast<double>(pulled));
    EXPECT_EQ(moved("sitevisit_blob_bytes_received_total"), 1000);
    EXPECT_EQ(moved("sitevisit_waiting_pulls"), 0);
    EXPECT_EQ(eventually(requests("/v1/sync/push", 200), pushes_200), pushes_200);
    EXPECT_EQ(eventually(requests("/v1/sync/push", 400), pushes_400), pushes_400);
    EXPECT_EQ(eventually(requests("/v1/blobs/{sha256}", 204), 1), 1);
    EXPECT_GE(eventually(requests("/v1/sync/pull", 200), 3), 3);
    EXPECT_EQ(eventually(requests("/v1/auth/login", 200), 2), 2);
}

TEST_F(Demo, MetricsAreOffWithoutTheFlag) {
    const auto out = lines_of(server.stdout_text());
    ASSERT_EQ(out.size(), 1u) << server.stdout_text();
    EXPECT_EQ(out[0].rfind("sitevisit-server listening on http://", 0), 0u);
    EXPECT_EQ(http().request("GET", "/metrics").status, 404);
    EXPECT_EQ(server.stdout_text().find("metrics"), std::string::npos);
    // A metrics address that is not HOST:PORT is a usage error, before anything starts.
    for (const char* bad : {"nonsense", "127.0.0.1:", "127.0.0.1:70000", ":9464"}) {
        auto r = run({server_binary(), "serve", "--data", server.data().string(), "--listen",
                      "127.0.0.1:0", "--metrics-listen", bad});
        EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
        EXPECT_NE(r.err.find("--metrics-listen"), std::string::npos) << r.err;
    }
}

TEST_F(Demo, EachRequestLogsOneJsonLineWithoutSecrets) {
    const std::string password = "lead-demo-2026";
    auto signed_in = login_request(http(), "lead@demo.sitevisit", password, "tablet-log");
    ASSERT_EQ(signed_in.status, 200) << signed_in.body;
    const std::string token = signed_in.json()["token"];
    const std::string user_id = signed_in.json()["user"]["id"];
    const std::string secret = signed_in.json()["device_secret"];
    ASSERT_FALSE(secret.empty());
    pull_all(token);
    const std::string visit = new_id();
    auto pushed = push(token, "tablet-log",
                       Json::array({change("visit", visit, lincoln,
                                           {{"kind", "walkthrough"},
                                            {"rubric", "msv-2026-2027-elementary"},
                                            {"start_date", "2026-11-23"}},
                                           1, "tablet-log")}));
    ASSERT_EQ(pushed.status, 200) << pushed.body;
    const std::string push_id = pushed.header("x-request-id");
    ASSERT_FALSE(push_id.empty());
    // A wrong password, a made-up token, a path and query with secrets and characters to escape.
    EXPECT_EQ(login_request(http(), "lead@demo.sitevisit", "wrong-guess-123", "tablet-x").status,
              401);
    EXPECT_EQ(
        http()
            .request("GET", "/v1/sync/pull?since=0", {}, bearer("made-up-token-0123456789abcdef"))
            .status,
        401);
    EXPECT_EQ(http().request("GET", "/v1/x%22%5C%0Ay?password=query-secret-42").status, 404);
    ASSERT_EQ(server.stop(), 0); // every answered request has written its line

    const std::string log = server.stderr_text();
    std::vector<Json> lines;
    for (const auto& line : lines_of(log)) {
        if (line.find("\"event\"") == std::string::npos) continue;
        Json j = Json::parse(line, nullptr, false);
        ASSERT_TRUE(j.is_object()) << "not JSON: " << line;
        ASSERT_EQ(j["event"], "request") << line;
        for (const char* field : {"time", "request_id", "method", "route", "status", "ms", "user",
                                  "bytes_in", "bytes_out"})
            EXPECT_TRUE(j.contains(field)) << field << " missing from " << line;
        lines.push_back(j);
    }
    EXPECT_GE(lines.size(), 6u) << log;
    bool saw_push = false, saw_login = false, saw_401 = false, saw_scan = false;
    for (const auto& j : lines) {
        EXPECT_TRUE(j["ms"].is_number());
        EXPECT_GE(j["ms"].get<double>(), 0);
        if (j["request_id"] == push_id) {
            saw_push = true;
            EXPECT_EQ(j["method"], "POST");
            EXPECT_EQ(j["route"], "/v1/sync/push");
            EXPECT_EQ(j["status"], 200);
            EXPECT_EQ(j["user"], user_id);
            EXPECT_GT(j["bytes_in"].get<std::int64_t>(), 0);
            EXPECT_EQ(j["bytes_out"].get<std::size_t>(), pushed.body.size());
        }
        if (j["route"] == "/v1/auth/login" && j["status"] == 200) {
            saw_login = true;
            EXPECT_EQ(j["user"], "");
        }
        if (j["route"] == "/v1/sync/pull" && j["status"] == 401) {
            saw_401 = true;
            EXPECT_EQ(j["user"], "");
        }
        if (j["route"] == "other" && j["status"] == 404) saw_scan = true;
    }
    EXPECT_TRUE(saw_push && saw_login && saw_401 && saw_scan) << log;
    for (const std::string& never : {password, std::string("wrong-guess-123"), token, secret,
                                     std::string("made-up-token-0123456789abcdef"),
                                     std::string("query-secret-42"), std::string("Bearer")})
        EXPECT_EQ(log.find(never), std::string::npos) << "the log holds " << never;
    // The lines the server wrote before keep their form.
    EXPECT_NE(log.find("sitevisit-server: stopping"), std::string::npos) << log;
}

TEST_F(Metered, HeldPullsAreCountedWhileTheyWait) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(token, 0, &cursor);
    EXPECT_EQ(at(samples(), "sitevisit_waiting_pulls"), 0);
    const int port = server.port();
    auto held = std::async(std::launch::async, [port, token, cursor] {
        return Http(port).request("GET",
                                  "/v1/sync/pull?since=" + std::to_string(cursor) + "&wait=3", {},
                                  bearer(token), 20000);
    });
    EXPECT_EQ(eventually("sitevisit_waiting_pulls", 1), 1);
    EXPECT_EQ(held.get().status, 200);
    EXPECT_EQ(eventually("sitevisit_waiting_pulls", 0), 0);
}
