// The metrics' labels and text format, and the request log line, without a server.
#include "sitevisit/server/metrics.h"
#include "sitevisit/server/service.h"

#include <gtest/gtest.h>
#include <sstream>

using namespace sitevisit;
using namespace sitevisit::server;

TEST(Metrics, PathsCountUnderTheirTemplateAndUnknownOnesAsOther) {
    EXPECT_STREQ(Metrics::label(Metrics::route_of("/v1/sync/push")), "/v1/sync/push");
    EXPECT_STREQ(Metrics::label(Metrics::route_of("/v1/sync/pull")), "/v1/sync/pull");
    EXPECT_STREQ(Metrics::label(Metrics::route_of("/v1/blobs")), "/v1/blobs");
    EXPECT_STREQ(Metrics::label(Metrics::route_of("/v1/blobs/" + std::string(64, 'a'))),
                 "/v1/blobs/{sha256}");
    EXPECT_STREQ(Metrics::label(Metrics::route_of("/v1/health")), "/v1/health");
    EXPECT_STREQ(Metrics::label(Metrics::route_of("/v1/auth/login")), "/v1/auth/login");
    EXPECT_STREQ(Metrics::label(Metrics::route_of("/v1/reference")), "/v1/reference");
    for (const char* p : {"/", "/metrics", "/wp-admin/setup.php", "/v1/sync/push/x", "/v1/blobsx"})
        EXPECT_STREQ(Metrics::label(Metrics::route_of(p)), "other") << p;
}

TEST(Metrics, TheHistogramIsCumulativeAndItsCountIsItsInfBucket) {
    Metrics m;
    using std::chrono::milliseconds;
    m.request(Metrics::Route::Push, 200, milliseconds(3));     // <= 0.005
    m.request(Metrics::Route::Push, 200, milliseconds(70));    // <= 0.1
    m.request(Metrics::Route::Push, 400, milliseconds(7000));  // <= 10
    m.request(Metrics::Route::Pull, 200, milliseconds(61000)); // +Inf only
    const std::string text = m.render();
    auto has = [&](const std::string& line) {
        return text.find("\n" + line + "\n") != std::string::npos;
    };
    EXPECT_TRUE(has("sitevisit_http_requests_total{route=\"/v1/sync/push\",status=\"200\"} 2"))
        << text;
    EXPECT_TRUE(has("sitevisit_http_requests_total{route=\"/v1/sync/push\",status=\"400\"} 1"));
    const std::string b = "sitevisit_http_request_duration_seconds_bucket{route=\"/v1/sync/push\",";
    EXPECT_TRUE(has(b + "le=\"0.005\"} 1")) << text;
    EXPECT_TRUE(has(b + "le=\"0.05\"} 1"));
    EXPECT_TRUE(has(b + "le=\"0.1\"} 2"));
    EXPECT_TRUE(has(b + "le=\"5\"} 2"));
    EXPECT_TRUE(has(b + "le=\"10\"} 3"));
    EXPECT_TRUE(has(b + "le=\"60\"} 3"));
    EXPECT_TRUE(has(b + "le=\"+Inf\"} 3"));
    EXPECT_TRUE(has("sitevisit_http_request_duration_seconds_count{route=\"/v1/sync/push\"} 3"));
    EXPECT_TRUE(has("sitevisit_http_request_duration_seconds_sum{route=\"/v1/sync/push\"} 7.073"))
        << text;
    EXPECT_TRUE(has("sitevisit_http_request_duration_seconds_bucket{route=\"/v1/sync/pull\","
                    "le=\"60\"} 0"));
    EXPECT_TRUE(has("sitevisit_http_request_duration_seconds_bucket{route=\"/v1/sync/pull\","
                    "le=\"+Inf\"} 1"));
    // Routes no request reached have no series.
    EXPECT_EQ(text.find("route=\"/v1/health\""), std::string::npos);
}

TEST(Metrics, EveryFamilyHasHelpAndTypeAndEverySampleAValue) {
    Metrics m;
    m.push_result(protocol::OpStatus::Applied);
    m.push_result(protocol::OpStatus::Applied);
    m.push_result(protocol::OpStatus::Rejected);
    m.conflicts(3);
    m.pulled(12);
    m.blob_bytes(4096);
    {
        Metrics::WaitingPull one(&m), two(&m);
        EXPECT_EQ(m.waiting_pulls.load(), 2);
        Metrics::WaitingPull none(nullptr); // no metrics: nothing to count
    }
    EXPECT_EQ(m.waiting_pulls.load(), 0);
    const std::string text = m.render();
    for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
             {"sitevisit_http_requests_total", "counter"},
             {"sitevisit_http_request_duration_seconds", "histogram"},
             {"sitevisit_push_ops_total", "counter"},
             {"sitevisit_pull_changes_total", "counter"},
             {"sitevisit_conflicts_total", "counter"},
             {"sitevisit_blob_bytes_received_total", "counter"},
             {"sitevisit_waiting_pulls", "gauge"}}) {
        EXPECT_NE(text.find("# HELP " + name + " "), std::string::npos) << name;
        EXPECT_NE(text.find("# TYPE " + name + " " + type + "\n"), std::string::npos) << name;
    }
    EXPECT_NE(text.find("\nsitevisit_push_ops_total{result=\"applied\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("\nsitevisit_push_ops_total{result=\"duplicate\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("\nsitevisit_push_ops_total{result=\"rejected\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("\nsitevisit_conflicts_total 3\n"), std::string::npos);
    EXPECT_NE(text.find("\nsitevisit_pull_changes_total 12\n"), std::string::npos);
    EXPECT_NE(text.find("\nsitevisit_blob_bytes_received_total 4096\n"), std::string::npos);
    EXPECT_NE(text.find("\nsitevisit_waiting_pulls 0\n"), std::string::npos);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("# ", 0) == 0) continue;
        const auto space = line.rfind(' ');
        ASSERT_NE(space, std::string::npos) << line;
        const std::string value = line.substr(space + 1);
        EXPECT_NO_THROW((void)std::stod(value)) << line;
    }
}

TEST(Metrics, TheLogLineIsJsonWhateverTheRequestHeld) {
    HttpRequest r;
    r.method = "GE\"T\\\n\x01";
    r.path = "/x\"\\\n\xff\xfe";
    r.request_id = "0123456789abcdef";
    r.headers["authorization"] = "Bearer secret-token-value";
    r.query["since"] = "query-secret";
    r.body = R"({"password":"hunter2-hunter2"})";
    HttpAnswered a{404, std::chrono::microseconds(1500), 31, 80};
    const std::string line = request_log_line(r, a);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    const Json j = Json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_EQ(j["event"], "request");
    EXPECT_EQ(j["request_id"], "0123456789abcdef");
    EXPECT_EQ(j["method"], "GE\"T\\\n\x01");
    EXPECT_EQ(j["route"], "other"); // the path itself is never written
    EXPECT_EQ(j["status"], 404);
    EXPECT_DOUBLE_EQ(j["ms"].get<double>(), 1.5);
    EXPECT_EQ(j["user"], "");
    EXPECT_EQ(j["bytes_in"], 31);
    EXPECT_EQ(j["bytes_out"], 80);
    EXPECT_TRUE(j["time"].is_string());
    for (const char* secret : {"secret-token-value", "hunter2", "since", "query-secret", "/x"})
        EXPECT_EQ(line.find(secret), std::string::npos) << secret << " in " << line;

    // A signed-in caller is named by their id, never their email or name.
    Caller caller;
    caller.user.id = "user-1";
    caller.user.email = "lead@example.org";
    caller.user.name = "Lena Lead";
    r.method = "POST";
    r.path = "/v1/sync/push";
    r.context = caller;
    const Json k = Json::parse(request_log_line(r, a), nullptr, false);
    ASSERT_TRUE(k.is_object());
    EXPECT_EQ(k["user"], "user-1");
    EXPECT_EQ(k["route"], "/v1/sync/push");
    EXPECT_EQ(k.dump().find("lead@example.org"), std::string::npos);
}

TEST(Metrics, TheListenerAnswersGetMetricsOnly) {
    Metrics m;
    m.pulled(5);
    HttpRoutes routes = metrics_routes(m);
    HttpRequest get;
    get.method = "GET";
    get.path = "/metrics";
    EXPECT_FALSE(routes.gate(get).has_value());
    HttpResponse answer = routes.handler(get);
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.content_type, "text/plain; version=0.0.4");
    EXPECT_NE(answer.body.find("sitevisit_pull_changes_total 5\n"), std::string::npos);
    for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/"}, {"GET", "/v1/health"}, {"POST", "/metrics"}, {"GET", "/metrics/x"}}) {
        HttpRequest r;
        r.method = method;
        r.path = path;
        auto refused = routes.gate(r);
        ASSERT_TRUE(refused.has_value()) << method << " " << path;
        EXPECT_EQ(refused->status, 404);
    }
}
