// sitevisit-server end to end: the real binary on a loopback port, real HTTP, real files.
#include "harness.h"

#include "sitevisit/core/hlc.h"
#include "sitevisit/core/time_format.h"
#include "sitevisit/core/uuid.h"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <random>
#include <set>

using namespace sitevisit;
using namespace sitevisit::e2e;

namespace {

std::string new_id() {
    static UuidV7Generator gen(SystemClock::instance());
    return gen.next();
}

std::string now_hlc(const std::string& device, int counter = 0) {
    return Hlc{SystemClock::instance().now_ms(), static_cast<std::uint32_t>(counter), device}.to_string();
}

Json change(const std::string& entity, const std::string& id, const std::string& school, Json fields,
            std::int64_t dseq, const std::string& device, std::int64_t base = 0, const std::string& kind = "upsert") {
    return {{"op", new_id()},   {"entity", entity},  {"id", id},     {"school", school},
            {"kind", kind},     {"fields", fields},  {"hlc", now_hlc(device, static_cast<int>(dseq % 1000))},
            {"base", base},     {"dseq", dseq},      {"schema", 1}};
}

struct Demo : ::testing::Test {
    ServerProcess server;
    Json everything; // the admin's export: every row
    std::string region, harbor, bayside, lincoln, harbor_middle, bayside_el;

    void SetUp() override {
        auto r = server.admin({"demo"});
        ASSERT_EQ(r.code, 0) << r.err;
        server.start();
        ASSERT_TRUE(server.running());
        everything = export_as("admin@demo.sitevisit");
        const Json& rows = everything["rows"];
        region = rows["region"].begin().key();
        for (auto it = rows["district"].begin(); it != rows["district"].end(); ++it)
            (it.value()["fields"]["code"] == "00350000" ? harbor : bayside) = it.key();
        for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it) {
            const std::string code = it.value()["fields"]["code"];
            if (code == "00350123") lincoln = it.key();
            if (code == "00350456") harbor_middle = it.key();
            if (code == "00360111") bayside_el = it.key();
        }
    }

    Json export_as(const std::string& email) {
        auto r = server.admin({"export", "--user", email});
        EXPECT_EQ(r.code, 0) << r.err;
        return Json::parse(r.out, nullptr, false);
    }

    Http http() { return server.http(); }

    Response push(const std::string& token, const std::string& device, Json ops) {
        return http().request("POST", "/v1/sync/push", Json{{"device", device}, {"ops", ops}}.dump(), bearer(token));
    }

    // Pulls until `more` is false; every op, in order.
    std::vector<Json> pull_all(const std::string& token, std::int64_t since = 0, std::int64_t* cursor = nullptr,
                               int limit = 500) {
        std::vector<Json> ops;
        for (int guard = 0; guard < 10000; ++guard) {
            auto r = http().request("GET", "/v1/sync/pull?since=" + std::to_string(since) + "&limit=" + std::to_string(limit), {},
                                    bearer(token));
            EXPECT_EQ(r.status, 200) << r.body;
            Json j = r.json();
            for (auto& op : j["ops"]) ops.push_back(op);
            since = j.value("cursor", since);
            if (!j.value("more", false)) break;
        }
        if (cursor) *cursor = since;
        return ops;
    }

    std::string any_row(const std::string& entity, const std::string& school) {
        for (auto it = everything["rows"][entity].begin(); it != everything["rows"][entity].end(); ++it)
            if (it.value()["school"] == school) return it.key();
        return {};
    }
};

} // namespace

TEST_F(Demo, HealthLoginAndReference) {
    auto health = http().request("GET", "/v1/health");
    ASSERT_EQ(health.status, 200);
    EXPECT_EQ(health.json()["status"], "ok");
    EXPECT_EQ(health.json()["protocol"], 1);

    auto r = http().request("POST", "/v1/auth/login",
                            Json{{"email", "Lead@Demo.SiteVisit"}, {"password", "lead-demo-2026"}, {"device", "tablet-1"}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    Json j = r.json();
    EXPECT_EQ(j["token"].get<std::string>().size(), 64u);
    EXPECT_TRUE(parse_utc_ms(j["expires"].get<std::string>()));
    EXPECT_EQ(j["user"]["role"], "assistance_lead");
    EXPECT_EQ(j["user"]["schools"].size(), 6u); // both districts of the caseload

    auto ref = http().request("GET", "/v1/reference", {}, bearer(j["token"]));
    ASSERT_EQ(ref.status, 200);
    EXPECT_EQ(ref.json()["practices"].size(), 4u);
    EXPECT_EQ(ref.json()["continuum"][3]["label"], "Sustaining");
    EXPECT_EQ(ref.json()["version"], "2026-2027.1");
}

TEST_F(Demo, TokensAreCheckedOnEveryCall) {
    for (const auto& headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
             {}, bearer("nonsense"), bearer(std::string(64, 'a')), {{"Authorization", "Basic abc"}}}) {
        auto r = http().request("GET", "/v1/sync/pull?since=0", {}, headers);
        EXPECT_EQ(r.status, 401) << r.body;
        EXPECT_FALSE(r.json()["error"]["message"].get<std::string>().empty());
    }
    EXPECT_EQ(http().request("GET", "/v1/reference").status, 401);
}

TEST_F(Demo, FailedSignInsAreRateLimitedPerAccount) {
    for (int i = 0; i < 5; ++i) {
        auto r = http().request("POST", "/v1/auth/login",
                                Json{{"email", "principal@demo.sitevisit"}, {"password", "guess-" + std::to_string(i)}, {"device", "d"}}.dump());
        EXPECT_EQ(r.status, 401) << r.body;
        EXPECT_EQ(r.json()["error"]["message"], "the email or the password is wrong");
    }
    auto blocked = http().request("POST", "/v1/auth/login",
                                  Json{{"email", "principal@demo.sitevisit"}, {"password", "principal-demo-2026"}, {"device", "d"}}.dump());
    EXPECT_EQ(blocked.status, 429) << blocked.body;
    // Another account from another address is not blocked by it... but this address is now.
    auto other = http().request("POST", "/v1/auth/login",
                                Json{{"email", "lead@demo.sitevisit"}, {"password", "lead-demo-2026"}, {"device", "d"}}.dump());
    EXPECT_EQ(other.status, 429) << "the per-address limit covers every account from 127.0.0.1";
}

TEST_F(Demo, PushThenPullAndARetriedPushAppliesOnce) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(token, 0, &cursor);
    const std::string visit = new_id(), obs = new_id();
    Json ops = Json::array({change("visit", visit, lincoln, {{"kind", "walkthrough"}, {"rubric", "msv-2026-2027-elementary"}, {"start_date", "2026-11-23"}}, 1, "tablet-1"),
                            change("observation", obs, lincoln, {{"visit", visit}, {"indicator", "msv-2026-2027-elementary/2.3"}, {"rating", 2}, {"note", "Objectives posted"}}, 2, "tablet-1")});
    auto first = push(token, "tablet-1", ops);
    ASSERT_EQ(first.status, 200) << first.body;
    Json a = first.json();
    ASSERT_EQ(a["results"].size(), 2u);
    EXPECT_EQ(a["results"][0]["status"], "applied");
    EXPECT_EQ(a["results"][1]["status"], "applied");
    const auto seq = a["results"][1]["seq"].get<std::int64_t>();
    EXPECT_GT(seq, cursor);

    // The reply was lost; the device sends the same batch again.
    auto again = push(token, "tablet-1", ops);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json()["results"][0]["status"], "duplicate");
    EXPECT_EQ(again.json()["results"][1]["status"], "duplicate");
    EXPECT_EQ(again.json()["results"][1]["seq"], seq);

    auto pulled = pull_all(token, cursor);
    int seen = 0;
    for (const auto& op : pulled)
        if (op["id"] == obs) {
            ++seen;
            EXPECT_EQ(op["fields"]["rating"], 2);
            EXPECT_EQ(op["seq"], seq);
        }
    EXPECT_EQ(seen, 1);
    EXPECT_EQ(export_as("lead@demo.sitevisit")["rows"]["observation"][obs]["fields"]["note"], "Objectives posted");
}

TEST_F(Demo, EachDevicesChangesApplyInOrderWithoutGaps) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-2");
    const std::string visit = new_id();
    Json v = change("visit", visit, lincoln, {{"kind", "walkthrough"}, {"rubric", "msv-2026-2027-elementary"}, {"start_date", "2026-11-23"}}, 3, "tablet-2");
    auto gap = push(token, "tablet-2", Json::array({v}));
    EXPECT_EQ(gap.status, 400) << gap.body;
    EXPECT_EQ(gap.json()["results"][0]["status"], "rejected");
    EXPECT_EQ(gap.json()["results"][0]["error"], "dseq gap: the server expects change 1 from this device before 3");
    v["dseq"] = 1;
    v["op"] = new_id();
    ASSERT_EQ(push(token, "tablet-2", Json::array({v})).status, 200);
    Json reuse = change("visit", new_id(), lincoln, {{"kind", "walkthrough"}, {"rubric", "msv-2026-2027-elementary"}, {"start_date", "2026-11-23"}}, 1, "tablet-2");
    auto r = push(token, "tablet-2", Json::array({reuse}));
    EXPECT_EQ(r.json()["results"][0]["error"], "dseq 1 was already used by another change from this device");
    // Another device's session cannot push as this device.
    auto other = push(token, "tablet-9", Json::array({change("visit", new_id(), lincoln, {{"kind", "walkthrough"}}, 2, "tablet-9")}));
    EXPECT_EQ(other.status, 403) << other.body;
}
