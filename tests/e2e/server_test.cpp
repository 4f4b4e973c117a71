// sitevisit-server end to end: the real binary on a loopback port, real HTTP, real files.
#include "harness.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/time_format.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/server/blobs.h"
#include "sitevisit/server/crypto.h"
#include "sitevisit/server/demo.h"
#include "sitevisit/server/routes.h"
#include "sitevisit/server/service.h"
#include "sitevisit/server/sqlite_store.h"

#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <gtest/gtest.h>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

using namespace sitevisit;
using namespace sitevisit::e2e;

namespace {

std::string new_id() {
    static UuidV7Generator gen(SystemClock::instance());
    return gen.next();
}

std::string now_hlc(const std::string& device, int counter = 0) {
    return Hlc{SystemClock::instance().now_ms(), static_cast<std::uint32_t>(counter), device}
        .to_string();
}

Json change(const std::string& entity, const std::string& id, const std::string& school,
            Json fields, std::int64_t dseq, const std::string& device, std::int64_t base = 0,
            const std::string& kind = "upsert") {
    return {{"op", new_id()},
            {"entity", entity},
            {"id", id},
            {"school", school},
            {"kind", kind},
            {"fields", fields},
            {"hlc", now_hlc(device, static_cast<int>(dseq % 1000))},
            {"base", base},
            {"dseq", dseq},
            {"schema", 1}};
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
        return http().request("POST", "/v1/sync/push",
                              Json{{"device", device}, {"ops", ops}}.dump(), bearer(token));
    }

    // Pulls until `more` is false; every op, in order.
    std::vector<Json> pull_all(const std::string& token, std::int64_t since = 0,
                               std::int64_t* cursor = nullptr, int limit = 500) {
        std::vector<Json> ops;
        for (int guard = 0; guard < 10000; ++guard) {
            auto r = http().request("GET",
                                    "/v1/sync/pull?since=" + std::to_string(since) +
                                        "&limit=" + std::to_string(limit),
                                    {}, bearer(token));
            EXPECT_EQ(r.status, 200) << r.body;
            Json j = r.json();
            for (auto& op : j["ops"])
                ops.push_back(op);
            since = j.value("cursor", since);
            if (!j.value("more", false)) break;
        }
        if (cursor) *cursor = since;
        return ops;
    }

    std::string any_row(const std::string& entity, const std::string& school) {
        for (auto it = everything["rows"][entity].begin(); it != everything["rows"][entity].end();
             ++it)
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
                            Json{{"email", "Lead@Demo.SiteVisit"},
                                 {"password", "lead-demo-2026"},
                                 {"device", "tablet-1"}}
                                .dump());
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
             {},
             bearer("nonsense"),
             bearer(std::string(64, 'a')),
             {{"Authorization", "Basic abc"}}}) {
        auto r = http().request("GET", "/v1/sync/pull?since=0", {}, headers);
        EXPECT_EQ(r.status, 401) << r.body;
        EXPECT_FALSE(r.json()["error"]["message"].get<std::string>().empty());
    }
    EXPECT_EQ(http().request("GET", "/v1/reference").status, 401);
}

TEST_F(Demo, FailedSignInsAreRateLimitedPerAccount) {
    for (int i = 0; i < 5; ++i) {
        auto r = http().request("POST", "/v1/auth/login",
                                Json{{"email", "principal@demo.sitevisit"},
                                     {"password", "guess-" + std::to_string(i)},
                                     {"device", "d"}}
                                    .dump());
        EXPECT_EQ(r.status, 401) << r.body;
        EXPECT_EQ(r.json()["error"]["message"], "the email or the password is wrong");
    }
    auto blocked = http().request("POST", "/v1/auth/login",
                                  Json{{"email", "principal@demo.sitevisit"},
                                       {"password", "principal-demo-2026"},
                                       {"device", "d"}}
                                      .dump());
    EXPECT_EQ(blocked.status, 429) << blocked.body;
    // Another account at the same address (a school's devices share one) still signs in ...
    auto other = http().request(
        "POST", "/v1/auth/login",
        Json{{"email", "lead@demo.sitevisit"}, {"password", "lead-demo-2026"}, {"device", "d"}}
            .dump());
    EXPECT_EQ(other.status, 200) << "five guesses at one account locked out a whole address: "
                                 << other.body;
    // ... until the address itself has guessed 50 times, across any emails.
    int answered = 0;
    for (int i = 0; i < 60 && answered != 429; ++i)
        answered = http()
                       .request("POST", "/v1/auth/login",
                                Json{{"email", "nobody" + std::to_string(i) + "@demo.sitevisit"},
                                     {"password", "x"},
                                     {"device", "d"}}
                                    .dump())
                       .status;
    EXPECT_EQ(answered, 429) << "sixty guesses from one address were never limited";
    auto after = http().request("POST", "/v1/auth/login",
                                Json{{"email", "receiver@demo.sitevisit"},
                                     {"password", "receiver-demo-2026"},
                                     {"device", "d"}}
                                    .dump());
    EXPECT_EQ(after.status, 429) << "the address limit covers every account from 127.0.0.1";
}

TEST_F(Demo, PushThenPullAndARetriedPushAppliesOnce) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-1");
    std::int64_t cursor = 0;
    pull_all(token, 0, &cursor);
    const std::string visit = new_id(), obs = new_id();
    Json ops = Json::array({change("visit", visit, lincoln,
                                   {{"kind", "walkthrough"},
                                    {"rubric", "msv-2026-2027-elementary"},
                                    {"start_date", "2026-11-23"}},
                                   1, "tablet-1"),
                            change("observation", obs, lincoln,
                                   {{"visit", visit},
                                    {"indicator", "msv-2026-2027-elementary/2.3"},
                                    {"rating", 2},
                                    {"note", "Objectives posted"}},
                                   2, "tablet-1")});
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
    EXPECT_EQ(export_as("lead@demo.sitevisit")["rows"]["observation"][obs]["fields"]["note"],
              "Objectives posted");
}

TEST_F(Demo, EachDevicesChangesApplyInOrderWithoutGaps) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-2");
    const std::string visit = new_id();
    Json v = change("visit", visit, lincoln,
                    {{"kind", "walkthrough"},
                     {"rubric", "msv-2026-2027-elementary"},
                     {"start_date", "2026-11-23"}},
                    3, "tablet-2");
    auto gap = push(token, "tablet-2", Json::array({v}));
    EXPECT_EQ(gap.status, 400) << gap.body;
    EXPECT_EQ(gap.json()["results"][0]["status"], "rejected");
    EXPECT_EQ(gap.json()["results"][0]["error"],
              "dseq gap: the server expects change 1 from this device before 3");
    v["dseq"] = 1;
    v["op"] = new_id();
    ASSERT_EQ(push(token, "tablet-2", Json::array({v})).status, 200);
    Json reuse = change("visit", new_id(), lincoln,
                        {{"kind", "walkthrough"},
                         {"rubric", "msv-2026-2027-elementary"},
                         {"start_date", "2026-11-23"}},
                        1, "tablet-2");
    auto r = push(token, "tablet-2", Json::array({reuse}));
    EXPECT_EQ(r.json()["results"][0]["error"],
              "dseq 1 was already used by another change from this device");
    // Another device's session cannot push as this device.
    auto other = push(token, "tablet-9",
                      Json::array({change("visit", new_id(), lincoln, {{"kind", "walkthrough"}}, 2,
                                          "tablet-9")}));
    EXPECT_EQ(other.status, 403) << other.body;
}

TEST_F(Demo, BadInputGetsA4xxAndChangesNothing) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-3");
    const Json before = export_as("admin@demo.sitevisit");
    const std::string visit = new_id();
    const Json good_visit = change("visit", visit, lincoln,
                                   {{"kind", "walkthrough"},
                                    {"rubric", "msv-2026-2027-elementary"},
                                    {"start_date", "2026-11-23"}},
                                   1, "tablet-3");
    auto with = [&](const std::function<void(Json&)>& edit) {
        Json op = good_visit;
        op["op"] = new_id(); // a refused op keeps its answer; each case is a new change
        op["dseq"] = 1;      // each case runs as a device of its own
        edit(op);
        return Json{{"device", "tablet-3"}, {"ops", Json::array({op})}}.dump();
    };
    struct Case {
        const char* what;
        std::string body;
        int status;
        const char* message_part;
    };
    const std::vector<Case> cases = {
        {"malformed JSON", "{\"device\": \"tablet-3\", \"ops\": [", 400, "not valid JSON"},
        {"truncated JSON", with([](Json&) {}).substr(0, 40), 400, "not valid JSON"},
        {"not an object", "[1,2,3]", 400, "must be a JSON object"},
        {"wrong type", with([](Json& o) { o["dseq"] = "one"; }), 400,
         "dseq must be a whole number"},
        {"unknown entity", with([](Json& o) { o["entity"] = "party"; }), 400,
         "unknown entity \"party\""},
        {"id not a UUID", with([](Json& o) { o["id"] = "visit-1"; }), 400,
         "visit id must be a UUID"},
        {"op not a UUID", with([](Json& o) { o["op"] = "1"; }), 400, "op must be a UUID"},
        {"unknown field", with([](Json& o) { o["fields"]["weather"] = "rain"; }), 400,
         "visit has no field \"weather\""},
        {"value out of range", with([](Json& o) { o["fields"]["start_date"] = "2026-02-30"; }), 400,
         "start_date must be a date"},
        {"outside scope",
         with([&](Json& o) { o["school"] = "0190a000-0000-7000-8000-0000000000c9"; }), 400,
         "does not exist"},
        {"wrong role", with([&](Json& o) {
             o["entity"] = "plan";
             o["fields"] = {{"kind", "sip"},
                            {"title", "Mine"},
                            {"first_year", "2026-2027"},
                            {"last_year", "2028-2029"}};
         }),
         403, "may not change plan records"},
    };
    int n = 0;
    for (const auto& c : cases) {
        const std::string device = "case-" + std::to_string(++n);
        const std::string case_token =
            login(http(), "lead@demo.sitevisit", "lead-demo-2026", device);
        std::string body = c.body;
        Json j = Json::parse(body, nullptr, false);
        if (j.is_object() && j.contains("device")) {
            j["device"] = device;
            body = j.dump();
        }
        auto r = http().request("POST", "/v1/sync/push", body, bearer(case_token));
        EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
        const std::string message = r.json()["error"].value("message", "");
        EXPECT_NE(message.find(c.message_part), std::string::npos) << c.what << ": " << message;
    }
    // Over the body limit: refused from the headers alone, before any byte of the body.
    auto big = http().raw("POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          token + "\r\nContent-Length: 20000000\r\n\r\n{");
    EXPECT_EQ(big.status, 413) << big.body;
    EXPECT_NE(big.json()["error"]["message"].get<std::string>().find("the limit is 10485760 bytes"),
              std::string::npos);
    auto bad_since = http().request("GET", "/v1/sync/pull?since=abc", {}, bearer(token));
    EXPECT_EQ(bad_since.status, 400);
    auto bad_blob = http().request("HEAD", "/v1/blobs/not-a-hash", {}, bearer(token));
    EXPECT_EQ(bad_blob.status, 400);
    auto nowhere = http().request("GET", "/v1/nowhere", {}, bearer(token));
    EXPECT_EQ(nowhere.status, 404);

    EXPECT_EQ(export_as("admin@demo.sitevisit"), before);
    EXPECT_EQ(http().request("GET", "/v1/health").status, 200); // still serving
}

TEST_F(Demo, AConflictIsRecordedOnceAndSeenFromBothDevices) {
    const std::string a = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-a");
    const std::string b = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tablet-b");
    std::int64_t cursor_a = 0, cursor_b = 0;
    pull_all(a, 0, &cursor_a);
    pull_all(b, 0, &cursor_b);
    // A draft visit both tablets hold.
    const std::string visit = new_id(), obs = new_id();
    auto created = push(a, "tablet-a",
                        Json::array({change("visit", visit, lincoln,
                                            {{"kind", "walkthrough"},
                                             {"rubric", "msv-2026-2027-elementary"},
                                             {"start_date", "2026-11-23"}},
                                            1, "tablet-a"),
                                     change("observation", obs, lincoln,
                                            {{"visit", visit},
                                             {"indicator", "msv-2026-2027-elementary/1.1"},
                                             {"rating", 1}},
                                            2, "tablet-a")}));
    ASSERT_EQ(created.status, 200) << created.body;
    const auto base = created.json()["results"][1]["seq"].get<std::int64_t>();
    pull_all(b, cursor_b, &cursor_b);

    // Both rate the same indicator offline; A syncs first, B later with a later clock.
    auto ra = push(
        a, "tablet-a",
        Json::array({change("observation", obs, lincoln, {{"rating", 2}}, 3, "tablet-a", base)}));
    ASSERT_EQ(ra.json()["results"][0]["status"], "applied") << ra.body;
    Json late = change("observation", obs, lincoln, {{"rating", 3}, {"note", "Strong routines"}}, 1,
                       "tablet-b", base);
    late["hlc"] = Hlc{SystemClock::instance().now_ms() + 1000, 0, "tablet-b"}.to_string();
    auto rb = push(b, "tablet-b", Json::array({late}));
    ASSERT_EQ(rb.status, 200) << rb.body;
    EXPECT_EQ(rb.json()["results"][0]["status"], "conflict");

    auto conflicts_seen_by = [&](const std::string& token, std::int64_t since) {
        std::vector<Json> found;
        for (const auto& op : pull_all(token, since))
            if (op["entity"] == "conflict" && op["fields"]["row"] == obs) found.push_back(op);
        return found;
    };
    auto seen_a = conflicts_seen_by(a, cursor_a), seen_b = conflicts_seen_by(b, cursor_b);
    ASSERT_EQ(seen_a.size(), 1u);
    ASSERT_EQ(seen_b.size(), 1u);
    EXPECT_EQ(seen_a[0]["id"], seen_b[0]["id"]);
    const Json& f = seen_a[0]["fields"];
    EXPECT_EQ(f["field"], "rating");
    EXPECT_EQ(f["winner_value"], 3); // the later clock wins
    EXPECT_EQ(f["loser_value"], 2);  // and nothing is lost
    EXPECT_EQ(f["status"], "open");
    const Json row = export_as("lead@demo.sitevisit")["rows"]["observation"][obs]["fields"];
    EXPECT_EQ(row["rating"], 3);
    EXPECT_EQ(row["note"], "Strong routines"); // the field nobody else touched simply applies

    // Resolving it: the lead keeps A's value.
    auto resolve =
        push(a, "tablet-a",
             Json::array({change("observation", obs, lincoln, {{"rating", 2}}, 4, "tablet-a",
                                 rb.json()["results"][0]["seq"].get<std::int64_t>()),
                          change("conflict", seen_a[0]["id"], lincoln,
                                 {{"status", "resolved"}, {"resolution", 2}}, 5, "tablet-a",
                                 seen_a[0]["seq"].get<std::int64_t>())}));
    ASSERT_EQ(resolve.status, 200) << resolve.body;
    EXPECT_EQ(resolve.json()["results"][1]["status"], "applied") << resolve.body;
    EXPECT_EQ(
        export_as("lead@demo.sitevisit")["rows"]["conflict"][seen_a[0]["id"].get<std::string>()]
                                        ["fields"]["status"],
        "resolved");
}

TEST_F(Demo, APrincipalReadsAndWritesNothingOfAnotherSchool) {
    const std::string token =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-p");
    std::set<std::string> schools_seen;
    std::map<std::string, std::string> visit_status;
    for (const auto& op : pull_all(token)) {
        const std::string entity = op["entity"];
        if (entity == "region" || entity == "district" || entity == "user") continue;
        schools_seen.insert(op["school"].get<std::string>());
        if (entity == "visit" && op["fields"].contains("status"))
            visit_status[op["id"]] = op["fields"]["status"];
    }
    EXPECT_EQ(schools_seen, (std::set<std::string>{lincoln}));
    EXPECT_EQ(visit_status.size(), 2u); // Lincoln's two submitted visits
    for (const auto& [id, status] : visit_status)
        EXPECT_EQ(status, "submitted") << "a draft visit reached a principal";
    const Json mine = export_as("principal@demo.sitevisit")["rows"];
    EXPECT_FALSE(mine["plan"].empty());
    for (auto it = mine["plan"].begin(); it != mine["plan"].end(); ++it)
        EXPECT_EQ(it.value()["school"], lincoln);

    const std::string bm_b = any_row("benchmark", bayside_el);
    ASSERT_FALSE(bm_b.empty());
    auto w = push(token, "laptop-p",
                  Json::array({change("reading", new_id(), bayside_el,
                                      {{"benchmark", bm_b}, {"date", "2026-11-20"}, {"value", 10}},
                                      1, "laptop-p")}));
    EXPECT_EQ(w.status, 403) << w.body;
    EXPECT_NE(w.json()["error"]["message"].get<std::string>().find(
                  "outside the scope of principal@demo.sitevisit"),
              std::string::npos)
        << w.body;
    const std::string bm_a = any_row("benchmark", lincoln);
    auto ok =
        push(token, "laptop-p",
             Json::array({change("reading", new_id(), lincoln,
                                 {{"benchmark", bm_a}, {"date", "2026-11-20"}, {"value", 38.5}}, 2,
                                 "laptop-p")}));
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.json()["results"][0]["status"], "applied");
}

TEST_F(Demo, AReceiverReviewsEvidenceAndThePrincipalSeesIt) {
    const std::string receiver =
        login(http(), "receiver@demo.sitevisit", "receiver-demo-2026", "laptop-r");
    const std::string principal =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-p");
    std::int64_t cursor = 0;
    pull_all(principal, 0, &cursor);
    const std::string evidence = any_row("evidence", lincoln);
    const std::string review = new_id();
    auto r = push(receiver, "laptop-r",
                  Json::array({change("review", review, lincoln,
                                      {{"evidence", evidence},
                                       {"decision", "needs_more"},
                                       {"comment", "Add the sign-in sheets."},
                                       {"at", "2026-11-23T10:00:00Z"}},
                                      1, "laptop-r")}));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["results"][0]["status"], "applied");
    bool seen = false;
    for (const auto& op : pull_all(principal, cursor))
        if (op["id"] == review) {
            seen = true;
            EXPECT_EQ(op["fields"]["decision"], "needs_more");
            EXPECT_EQ(op["fields"]["reviewer"],
                      r.json()["results"][0].contains("seq") ? op["fields"]["reviewer"] : Json());
        }
    EXPECT_TRUE(seen);
    // A principal may not review.
    auto p =
        push(principal, "laptop-p",
             Json::array({change(
                 "review", new_id(), lincoln,
                 {{"evidence", evidence}, {"decision", "accepted"}, {"at", "2026-11-23T10:00:00Z"}},
                 1, "laptop-p")}));
    EXPECT_EQ(p.status, 403) << p.body;
}

TEST_F(Demo, ScopeGainDeliversTheSchoolAndScopeLossPurgesIt) {
    const std::string lead2 = login(http(), "lead2@demo.sitevisit", "lead2-demo-2026", "t2");
    std::int64_t cursor = 0;
    for (const auto& op : pull_all(lead2, 0, &cursor))
        EXPECT_NE(op["school"], lincoln);

    // An admin moves Leo's caseload from Bayside to Harbor City.
    const std::string admin = login(http(), "admin@demo.sitevisit", "admin-demo-2026", "admin-1");
    std::string leo;
    for (auto it = everything["rows"]["user"].begin(); it != everything["rows"]["user"].end(); ++it)
        if (it.value()["fields"]["email"] == "lead2@demo.sitevisit") leo = it.key();
    ASSERT_FALSE(leo.empty());
    std::int64_t leo_seq = 0;
    for (const auto& op : pull_all(admin))
        if (op["id"] == leo) leo_seq = op["seq"];
    auto moved = push(
        admin, "admin-1",
        Json::array({change("user", leo, "", {{"districts", {harbor}}}, 1, "admin-1", leo_seq)}));
    ASSERT_EQ(moved.status, 200) << moved.body;
    ASSERT_EQ(moved.json()["results"][0]["status"], "applied") << moved.body;

    auto first = http().request(
        "GET", "/v1/sync/pull?since=" + std::to_string(cursor) + "&limit=100", {}, bearer(lead2));
    ASSERT_EQ(first.status, 200);
    const Json first_page = first.json();
    std::set<std::string> purged;
    for (const auto& s : first_page["purge"])
        purged.insert(s.get<std::string>());
    EXPECT_EQ(purged.size(), 3u); // Bayside's three schools
    EXPECT_TRUE(purged.count(bayside_el));
    std::set<std::string> gained_schools, deleted_schools;
    for (const auto& op : pull_all(lead2, cursor)) {
        if (op["entity"] == "school" && op["kind"] == "delete")
            deleted_schools.insert(op["id"].get<std::string>());
        else if (op["entity"] != "user" && op["entity"] != "region" && op["entity"] != "district")
            gained_schools.insert(op["school"].get<std::string>());
    }
    EXPECT_EQ(deleted_schools, purged);
    EXPECT_TRUE(gained_schools.count(lincoln));
    EXPECT_TRUE(gained_schools.count(harbor_middle));
    EXPECT_FALSE(gained_schools.count(bayside_el));
    // The gained school's plan came with it, though it was written long before the cursor.
    bool plan = false;
    for (const auto& op : pull_all(lead2, cursor))
        if (op["entity"] == "plan" && op["school"] == lincoln) plan = true;
    EXPECT_TRUE(plan);
    // And the server now refuses Leo's writes at Bayside.
    auto refused = push(lead2, "t2",
                        Json::array({change("visit", new_id(), bayside_el,
                                            {{"kind", "walkthrough"},
                                             {"rubric", "msv-2026-2027-elementary"},
                                             {"start_date", "2026-11-23"}},
                                            1, "t2")}));
    EXPECT_EQ(refused.status, 403) << refused.body;
}

namespace {

std::string base64(const std::string& in) {
    static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int val = 0, bits = -6;
    for (unsigned char c : in) {
        val = (val << 8) + c;
        bits += 8;
        while (bits >= 0) {
            out.push_back(chars[(val >> bits) & 0x3f]);
            bits -= 6;
        }
    }
    if (bits > -6) out.push_back(chars[((val << 8) >> (bits + 8)) & 0x3f]);
    while (out.size() % 4)
        out.push_back('=');
    return out;
}

std::vector<std::pair<std::string, std::string>>
tus(const std::string& token, std::vector<std::pair<std::string, std::string>> more = {}) {
    auto h = bearer(token);
    h.emplace_back("Tus-Resumable", "1.0.0");
    h.insert(h.end(), more.begin(), more.end());
    return h;
}

} // namespace

TEST_F(Demo, BlobsUploadInResumableChunksAndAreReadOnlyByThoseWhoMaySeeThem) {
    const std::string principal =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-p");
    auto options = http().request("OPTIONS", "/v1/blobs");
    EXPECT_EQ(options.status, 204);
    EXPECT_EQ(options.header("tus-version"), "1.0.0");
    EXPECT_EQ(options.header("tus-max-size"), "104857600");

    std::mt19937 rng(7);
    std::string bytes(300000, '\0');
    for (auto& c : bytes)
        c = static_cast<char>(rng());
    const std::string sha = server::sha256_hex(bytes);
    const std::string path = "/v1/blobs/" + sha;

    auto created = http().request(
        "POST", "/v1/blobs", {},
        tus(principal,
            {{"Upload-Length", std::to_string(bytes.size())},
             {"Upload-Metadata", "filename " + base64("notes.bin") + ",sha256 " + base64(sha)}}));
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.header("location"), path);
    EXPECT_EQ(created.header("tus-resumable"), "1.0.0");
    auto chunk = [&](std::size_t from, std::size_t n, std::size_t claimed) {
        return http().request(
            "PATCH", path, bytes.substr(from, n),
            tus(principal, {{"Upload-Offset", std::to_string(claimed)},
                            {"Content-Type", "application/offset+octet-stream"}}));
    };
    auto c1 = chunk(0, 100000, 0);
    ASSERT_EQ(c1.status, 204) << c1.body;
    EXPECT_EQ(c1.header("upload-offset"), "100000");
    auto wrong = chunk(0, 100000, 0); // resent after a lost answer: the offset moved on
    EXPECT_EQ(wrong.status, 409);
    EXPECT_EQ(wrong.header("upload-offset"), "100000");
    auto head = http().request("HEAD", path, {}, tus(principal));
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("upload-offset"), "100000");
    EXPECT_EQ(head.header("upload-length"), "300000");
    // Not visible before it is complete.
    const std::string receiver =
        login(http(), "receiver@demo.sitevisit", "receiver-demo-2026", "laptop-r");
    EXPECT_EQ(http().request("GET", path, {}, bearer(receiver)).status, 404);
    auto c2 = chunk(100000, 200000, 100000);
    ASSERT_EQ(c2.status, 204) << c2.body;
    EXPECT_EQ(c2.header("upload-offset"), "300000");

    // Evidence may now reference it; the receiver of that school can read it, others cannot.
    const std::string evidence = new_id();
    auto ev = push(principal, "laptop-p",
                   Json::array({change("evidence", evidence, lincoln,
                                       {{"title", "Walkthrough photos"},
                                        {"kind", "photo"},
                                        {"sha256", sha},
                                        {"size", 300000},
                                        {"media_type", "image/jpeg"}},
                                       1, "laptop-p")}));
    ASSERT_EQ(ev.status, 200) << ev.body;
    EXPECT_EQ(ev.json()["results"][0]["status"], "applied") << ev.body;
    auto got = http().request("GET", path, {}, bearer(receiver));
    ASSERT_EQ(got.status, 200);
    EXPECT_TRUE(got.body == bytes);
    auto part = http().request("GET", path, {},
                               {{"Authorization", "Bearer " + receiver}, {"Range", "bytes=10-19"}});
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.body, bytes.substr(10, 10));
    EXPECT_EQ(part.header("content-range"), "bytes 10-19/300000");
    const std::string other =
        login(http(), "principal2@demo.sitevisit", "principal2-demo-2026", "laptop-q");
    EXPECT_EQ(http().request("GET", path, {}, bearer(other)).status, 404);

    // Knowing a hash is not owning the file.
    const std::string theirs = any_row("evidence", lincoln);
    ASSERT_FALSE(theirs.empty());
    const std::string demo_sha = everything["rows"]["evidence"][theirs]["fields"]["sha256"];
    auto borrowed = push(other, "laptop-q",
                         Json::array({change("evidence", new_id(), bayside_el,
                                             {{"title", "Not mine"},
                                              {"kind", "document"},
                                              {"sha256", demo_sha},
                                              {"size", 10},
                                              {"media_type", "text/plain"}},
                                             1, "laptop-q")}));
    EXPECT_EQ(borrowed.status, 400) << borrowed.body;
    EXPECT_NE(borrowed.body.find("was not uploaded in full by you"), std::string::npos)
        << borrowed.body;

    // Bytes that do not match their name are discarded (422), whole or created by a first PATCH.
    const std::string fake = std::string(63, '0') + "1";
    auto made =
        http().request("PATCH", "/v1/blobs/" + fake, "hello",
                       tus(principal, {{"Upload-Offset", "0"},
                                       {"Upload-Length", "5"},
                                       {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(made.status, 422) << made.body;
    EXPECT_EQ(http().request("HEAD", "/v1/blobs/" + fake, {}, tus(principal)).status, 404);
    // Too large: refused at creation.
    auto huge = http().request("POST", "/v1/blobs", {},
                               tus(principal, {{"Upload-Length", "104857601"},
                                               {"Upload-Metadata", "sha256 " + base64(sha)}}));
    EXPECT_EQ(huge.status, 413) << huge.body;
    EXPECT_NE(huge.body.find("the limit is 104857600 bytes"), std::string::npos);
}

TEST_F(Demo, TheDeviceWhoseEditLostGetsTheWinningValueBack) {
    const std::string a = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-a");
    const std::string b = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-b");
    const std::string visit = new_id(), obs = new_id();
    auto created = push(a, "tab-a",
                        Json::array({change("visit", visit, lincoln,
                                            {{"kind", "walkthrough"},
                                             {"rubric", "msv-2026-2027-elementary"},
                                             {"start_date", "2026-11-23"}},
                                            1, "tab-a"),
                                     change("observation", obs, lincoln,
                                            {{"visit", visit},
                                             {"indicator", "msv-2026-2027-elementary/1.2"},
                                             {"rating", 1}},
                                            2, "tab-a")}));
    const auto base = created.json()["results"][1]["seq"].get<std::int64_t>();
    std::int64_t cursor_b = 0;
    pull_all(b, 0, &cursor_b);
    // B's edit is older (by clock) than A's, but reaches the server later.
    Json older = change("observation", obs, lincoln, {{"rating", 0}}, 1, "tab-b", base);
    older["hlc"] = Hlc{SystemClock::instance().now_ms() - 60000, 0, "tab-b"}.to_string();
    ASSERT_EQ(
        push(a, "tab-a",
             Json::array({change("observation", obs, lincoln, {{"rating", 3}}, 3, "tab-a", base)}))
            .status,
        200);
    auto lost = push(b, "tab-b", Json::array({older}));
    ASSERT_EQ(lost.status, 200) << lost.body;
    EXPECT_EQ(lost.json()["results"][0]["status"], "conflict");
    // B pulls after its push: the last word on the field is A's 3, whatever B skipped before.
    Json last_rating;
    for (const auto& op : pull_all(b, cursor_b))
        if (op["id"] == obs && op["fields"].contains("rating"))
            last_rating = op["fields"]["rating"];
    EXPECT_EQ(last_rating, 3);
    EXPECT_EQ(export_as("lead@demo.sitevisit")["rows"]["observation"][obs]["fields"]["rating"], 3);
}

TEST_F(Demo, KilledMidStreamTheServerKeepsEveryAcknowledgedOpOnceAndNoHalfBatch) {
    std::uint64_t seed = std::random_device{}();
    if (const char* s = std::getenv("SITEVISIT_SEED")) seed = std::stoull(s);
    std::cout << "server kill test seed: " << seed << "\n";
    std::mt19937_64 rng(seed);

    std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "kill-tab");
    const std::string visit = new_id();
    ASSERT_EQ(push(token, "kill-tab",
                   Json::array({change("visit", visit, lincoln,
                                       {{"kind", "walkthrough"},
                                        {"rubric", "msv-2026-2027-elementary"},
                                        {"start_date", "2026-11-23"}},
                                       1, "kill-tab")}))
                  .status,
              200);

    struct Batch {
        Json ops;
        bool acknowledged = false;
    };
    std::vector<Batch> batches;
    std::int64_t dseq = 1;
    for (int b = 0; b < 40; ++b) {
        Json ops = Json::array();
        for (int i = 0; i < 25; ++i)
            ops.push_back(change("observation", new_id(), lincoln,
                                 {{"visit", visit},
                                  {"indicator", "msv-2026-2027-elementary/1.1"},
                                  {"rating", i % 4},
                                  {"note", "batch " + std::to_string(b)}},
                                 ++dseq, "kill-tab"));
        batches.push_back({ops});
    }

    // Send the batches in order; kill the server at random moments (from another thread, so
    // some kills land while a batch is being applied) and restart it; a batch whose answer
    // was lost is sent again, as a device would.
    int kills = 0;
    std::size_t next = 0;
    while (next < batches.size()) {
        std::thread killer;
        const bool kill_now = kills < 5 && rng() % 4 == 0;
        if (kill_now) {
            const auto delay = std::chrono::microseconds(rng() % 30000);
            killer = std::thread([&, delay] {
                std::this_thread::sleep_for(delay);
                server.kill9();
            });
        }
        auto r = push(token, "kill-tab", batches[next].ops);
        if (killer.joinable()) killer.join();
        if (r.status == 200) {
            const Json answer = r.json();
            for (const auto& res : answer["results"])
                ASSERT_NE(res["status"], "rejected") << res.dump();
            batches[next].acknowledged = true;
            ++next;
        }
        if (!server.running()) {
            ++kills;
            server.start();
            ASSERT_TRUE(server.running());
            // Nothing half applied: the in-flight batch is all there or not at all.
            const Json rows = export_as("lead@demo.sitevisit")["rows"]["observation"];
            int present = 0;
            for (const auto& op : batches[next < batches.size() ? next : batches.size() - 1].ops)
                present += rows.contains(op["id"].get<std::string>()) ? 1 : 0;
            EXPECT_TRUE(present == 0 || present == 25)
                << "batch " << next << " half applied: " << present;
        }
    }
    std::cout << "server kill test: " << kills << " kills, " << batches.size() << " batches\n";
    EXPECT_GE(kills, 1);

    // Every acknowledged op exactly once in the change log.
    std::map<std::string, int> seen;
    for (const auto& op : pull_all(token, 0, nullptr, 2000))
        seen[op["op"].get<std::string>()]++;
    for (const auto& b : batches) {
        ASSERT_TRUE(b.acknowledged);
        for (const auto& op : b.ops)
            EXPECT_EQ(seen[op["op"].get<std::string>()], 1) << op["op"];
    }
}

TEST_F(Demo, SigtermFinishesTheRequestInFlightThenExits) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "term-tab");
    const std::string visit = new_id();
    Json ops = Json::array({change("visit", visit, lincoln,
                                   {{"kind", "walkthrough"},
                                    {"rubric", "msv-2026-2027-elementary"},
                                    {"start_date", "2026-11-23"}},
                                   1, "term-tab")});
    for (int i = 0; i < 4000; ++i)
        ops.push_back(change(
            "observation", new_id(), lincoln,
            {{"visit", visit}, {"indicator", "msv-2026-2027-elementary/3.1"}, {"rating", i % 4}},
            i + 2, "term-tab"));
    Response answer;
    std::promise<void> sent;
    std::thread client([&] {
        answer = http().request_then("POST", "/v1/sync/push",
                                     Json{{"device", "term-tab"}, {"ops", ops}}.dump(),
                                     bearer(token), [&] { sent.set_value(); });
    });
    sent.get_future().wait(); // the server holds the whole push: it is being read or applied
    server.signal_term();
    client.join();
    EXPECT_EQ(server.stop(), 0);
    ASSERT_EQ(answer.status, 200) << "the push in flight was cut off: " << answer.body
                                  << server.stderr_text();
    EXPECT_EQ(answer.json()["results"].size(), 4001u);
    server.start();
    const Json rows = export_as("lead@demo.sitevisit")["rows"]["observation"];
    EXPECT_TRUE(rows.contains(ops[4000]["id"].get<std::string>()));
}

TEST_F(Demo, ANewerDataSchemaIsRefusedWholeAsUpgradeRequired) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "old-tab");
    Json op = change("visit", new_id(), lincoln,
                     {{"kind", "walkthrough"},
                      {"rubric", "msv-2026-2027-elementary"},
                      {"start_date", "2026-11-23"}},
                     1, "old-tab");
    op["schema"] = 2;
    auto r = push(token, "old-tab", Json::array({op}));
    EXPECT_EQ(r.status, 426) << r.body;
    EXPECT_NE(r.json()["error"]["message"].get<std::string>().find("upgrade required"),
              std::string::npos);
    op["schema"] = 1;
    EXPECT_EQ(push(token, "old-tab", Json::array({op})).status, 200); // dseq 1 was not used up
}

TEST(ServerAdmin, UsersAreAddedListedAndRevoked) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"init"}).code, 0);
    auto import = server.admin({"school", "import", "/dev/null"});
    EXPECT_EQ(import.code, 1);
    EXPECT_NE(import.err.find("no school rows"), std::string::npos) << import.err;

    auto bad_role =
        server.admin({"user", "add", "--email", "x@y.org", "--name", "X", "--role", "janitor"},
                     "long-enough-pw\n");
    EXPECT_EQ(bad_role.code, 1);
    EXPECT_NE(bad_role.err.find("role must be one of"), std::string::npos) << bad_role.err;
    auto short_pw = server.admin(
        {"user", "add", "--email", "a@y.org", "--name", "A", "--role", "admin"}, "short\n");
    EXPECT_EQ(short_pw.code, 1);
    EXPECT_NE(short_pw.err.find("at least 8 characters"), std::string::npos);
    auto added =
        server.admin({"user", "add", "--email", "Ada@Y.org", "--name", "Ada", "--role", "admin"},
                     "a-long-password\n");
    ASSERT_EQ(added.code, 0) << added.err;
    EXPECT_NE(added.out.find("added ada@y.org (admin)"), std::string::npos) << added.out;
    auto twice =
        server.admin({"user", "add", "--email", "ada@y.org", "--name", "Ada", "--role", "admin"},
                     "a-long-password\n");
    EXPECT_EQ(twice.code, 1);
    EXPECT_NE(twice.err.find("exists already"), std::string::npos);
    auto missing_school =
        server.admin({"user", "add", "--email", "p@y.org", "--name", "P", "--role", "principal",
                      "--school", "0190a000-0000-7000-8000-0000000000c9"},
                     "a-long-password\n");
    EXPECT_EQ(missing_school.code, 1);
    EXPECT_NE(missing_school.err.find("does not exist"), std::string::npos);

    server.start();
    const std::string token = login(server.http(), "ada@y.org", "a-long-password", "d1");
    EXPECT_EQ(server.http().request("GET", "/v1/reference", {}, bearer(token)).status, 200);
    auto list = server.admin({"user", "list"});
    EXPECT_EQ(list.code, 0);
    EXPECT_NE(list.out.find("ada@y.org  admin  Ada"), std::string::npos) << list.out;
    auto revoked = server.admin({"user", "revoke", "--email", "ada@y.org"});
    ASSERT_EQ(revoked.code, 0) << revoked.err;
    EXPECT_NE(revoked.out.find("ended 1 session(s)"), std::string::npos) << revoked.out;
    EXPECT_EQ(server.http().request("GET", "/v1/reference", {}, bearer(token)).status, 401);
    auto again = server.http().request(
        "POST", "/v1/auth/login",
        Json{{"email", "ada@y.org"}, {"password", "a-long-password"}, {"device", "d1"}}.dump());
    EXPECT_EQ(again.status, 401);
    EXPECT_NE(again.body.find("revoked"), std::string::npos);
    EXPECT_NE(server.admin({"user", "list"}).out.find("(revoked)"), std::string::npos);
    EXPECT_EQ(server.admin({"user", "frobnicate"}).code, 2);
}

TEST(ServerAdmin, SchoolImportIsAllOrNothingWithTheLineOfTheBadRow) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"init"}).code, 0);
    const auto csv = server.data().parent_path() / "schools.csv";
    {
        std::ofstream f(csv);
        f << "org code,name,district code,district name,region,level,designation\n"
          << "00350123,Lincoln Elementary,00350000,Harbor City,Coastal,elementary,chronically "
             "underperforming\n"
          << "00350456,\"Harbor Middle, East\",00350000,Harbor "
             "City,Coastal,middle,underperforming\n"
          << "0035x789,Harbor High,00350000,Harbor City,Coastal,high,none\n";
    }
    auto bad = server.admin({"school", "import", csv.string()});
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(
        bad.err.find(
            "line 4: org code must be up to 8 digits, got \"0035x789\"; nothing was imported"),
        std::string::npos)
        << bad.err;
    ASSERT_EQ(server
                  .admin({"user", "add", "--email", "a@y.org", "--name", "A", "--role", "admin"},
                         "a-long-password\n")
                  .code,
              0);
    Json rows = Json::parse(server.admin({"export", "--user", "a@y.org"}).out)["rows"];
    EXPECT_FALSE(rows.contains("school"));

    {
        std::ofstream f(csv);
        f << "00350123,Lincoln Elementary,00350000,Harbor City,Coastal,elementary,chronically "
             "underperforming\n"
          << "00350456,\"Harbor Middle, East\",00350000,Harbor "
             "City,Coastal,middle,underperforming\n"
          << "00360789,Bayside High,00360000,Bayside,Coastal,high,none\n";
    }
    auto good = server.admin({"school", "import", csv.string()});
    ASSERT_EQ(good.code, 0) << good.err;
    EXPECT_NE(good.out.find("imported 3 school(s)"), std::string::npos);
    rows = Json::parse(server.admin({"export", "--user", "a@y.org"}).out)["rows"];
    EXPECT_EQ(rows["school"].size(), 3u);
    EXPECT_EQ(rows["district"].size(), 2u);
    EXPECT_EQ(rows["region"].size(), 1u);
    bool comma = false;
    for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it) {
        if (it.value()["fields"]["name"] == "Harbor Middle, East") comma = true;
        if (it.value()["fields"]["code"] == "00360789") {
            EXPECT_EQ(it.value()["fields"]["level"], "secondary");
        }
    }
    EXPECT_TRUE(comma);
    // Importing again updates in place.
    ASSERT_EQ(server.admin({"school", "import", csv.string()}).code, 0);
    EXPECT_EQ(
        Json::parse(server.admin({"export", "--user", "a@y.org"}).out)["rows"]["school"].size(),
        3u);
}

TEST_F(Demo, ADeviceIdNamesADeviceOfOneUserOnly) {
    // The receiver signs in with the lead's device id (device ids are visible in clocks).
    const std::string lead = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "shared-id");
    std::int64_t cursor = 0;
    pull_all(lead, 0, &cursor);
    const std::string receiver =
        login(http(), "receiver@demo.sitevisit", "receiver-demo-2026", "shared-id");
    for (const auto& op : pull_all(receiver)) {
        if (op["entity"] == "visit") {
            EXPECT_NE(op["school"], bayside_el)
                << "the lead's draft at Bayside reached the receiver";
        }
    }
    // The receiver's pushes do not use up the lead's numbering.
    const std::string evidence = any_row("evidence", lincoln);
    ASSERT_EQ(
        push(receiver, "shared-id",
             Json::array({change(
                 "review", new_id(), lincoln,
                 {{"evidence", evidence}, {"decision", "accepted"}, {"at", "2026-11-23T10:00:00Z"}},
                 1, "shared-id")}))
            .status,
        200);
    auto mine = push(lead, "shared-id",
                     Json::array({change("visit", new_id(), lincoln,
                                         {{"kind", "walkthrough"},
                                          {"rubric", "msv-2026-2027-elementary"},
                                          {"start_date", "2026-11-23"}},
                                         1, "shared-id")}));
    EXPECT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(http()
                  .request("POST", "/v1/auth/login",
                           Json{{"email", "lead@demo.sitevisit"},
                                {"password", "lead-demo-2026"},
                                {"device", "server"}}
                               .dump())
                  .status,
              400);
}

TEST_F(Demo, NoOneWritesConflictRecordsOrResolutionsWhereTheyMayNotRead) {
    const std::string lead = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-l");
    const std::string principal2 =
        login(http(), "principal2@demo.sitevisit", "principal2-demo-2026", "tab-p2");
    const std::string principal =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "tab-p");
    std::int64_t p2_cursor = 0;
    pull_all(principal2, 0, &p2_cursor);
    // The lead's draft visit at Bayside El, then deleted.
    const std::string visit = new_id();
    ASSERT_EQ(push(lead, "tab-l",
                   Json::array({change("visit", visit, bayside_el,
                                       {{"kind", "walkthrough"},
                                        {"rubric", "msv-2026-2027-elementary"},
                                        {"start_date", "2026-11-23"}},
                                       1, "tab-l")}))
                  .status,
              200);
    auto del = push(
        lead, "tab-l",
        Json::array({change("visit", visit, bayside_el, Json::object(), 2, "tab-l", 0, "delete")}));
    ASSERT_EQ(del.status, 200) << del.body;
    // A principal of another school "edits" it: refused, and no conflict record appears.
    auto forged =
        push(principal, "tab-p",
             Json::array({change("visit", visit, bayside_el, {{"kind", "targeted"}}, 1, "tab-p")}));
    EXPECT_EQ(forged.status, 403) << forged.body;
    for (const auto& op : pull_all(principal2, p2_cursor))
        EXPECT_NE(op["entity"], "conflict") << op.dump();
    // Deleting a conflict record is an admin's alone.
    Json row = export_as("admin@demo.sitevisit")["rows"];
    EXPECT_FALSE(row.contains("conflict")); // none were made
    // Nested too deep: refused, and the server stays up.
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    auto nested =
        http().request("POST", "/v1/sync/push",
                       "{\"device\":\"tab-l\",\"ops\":[{\"base\":" + deep + "}]}", bearer(lead));
    EXPECT_EQ(nested.status, 400);
    EXPECT_NE(nested.body.find("nested more than"), std::string::npos)
        << nested.body.substr(0, 200);
    EXPECT_EQ(http().request("GET", "/v1/health").status, 200);
}

TEST_F(Demo, BodiesAreBoundedOnEveryMethodAndHeadHasNoBody) {
    auto get_body =
        http().raw("GET /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n" +
                   std::string(300000, 'x'));
    EXPECT_EQ(get_body.status, 413);
    auto chunked = http().raw("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                              "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(chunked.status, 411);
    const std::string token = login(http(), "principal@demo.sitevisit", "principal-demo-2026", "p");
    auto head = http().raw("HEAD /v1/blobs/" + std::string(64, '0') +
                           " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                           "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(head.status, 404);
    EXPECT_TRUE(head.body.empty()) << head.body;
}

TEST_F(Demo, ALeadAddedToADraftsTeamReceivesTheWholeVisit) {
    const std::string lena = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-lena");
    const std::string leo = login(http(), "lead2@demo.sitevisit", "lead2-demo-2026", "tab-leo");
    std::int64_t cursor = 0;
    pull_all(leo, 0, &cursor);
    std::string leo_id, lena_id;
    for (auto it = everything["rows"]["user"].begin(); it != everything["rows"]["user"].end();
         ++it) {
        if (it.value()["fields"]["email"] == "lead2@demo.sitevisit") leo_id = it.key();
        if (it.value()["fields"]["email"] == "lead@demo.sitevisit") lena_id = it.key();
    }
    const std::string visit = new_id(), obs = new_id();
    auto created = push(lena, "tab-lena",
                        Json::array({change("visit", visit, bayside_el,
                                            {{"kind", "walkthrough"},
                                             {"rubric", "msv-2026-2027-elementary"},
                                             {"start_date", "2026-11-23"}},
                                            1, "tab-lena"),
                                     change("observation", obs, bayside_el,
                                            {{"visit", visit},
                                             {"indicator", "msv-2026-2027-elementary/1.3"},
                                             {"rating", 2}},
                                            2, "tab-lena")}));
    ASSERT_EQ(created.status, 200);
    for (const auto& op : pull_all(leo, cursor, &cursor))
        EXPECT_NE(op["id"], obs) << "a draft reached someone off its team";
    auto added = push(lena, "tab-lena",
                      Json::array({change("visit", visit, bayside_el, {{"team", {lena_id, leo_id}}},
                                          3, "tab-lena", created.json()["results"][0]["seq"])}));
    ASSERT_EQ(added.status, 200) << added.body;
    bool got_visit = false, got_obs = false;
    for (const auto& op : pull_all(leo, cursor)) {
        if (op["id"] == visit && op["fields"].contains("rubric")) got_visit = true;
        if (op["id"] == obs) got_obs = true;
    }
    EXPECT_TRUE(got_visit);
    EXPECT_TRUE(got_obs);
}

// ---- hardening: sign-in ----------------------------------------------------------------------

TEST_F(Demo, SixtyParallelWrongPasswordsGetAtMostFiveAnswers) {
    std::vector<int> statuses(60);
    std::vector<std::thread> threads;
    for (int i = 0; i < 60; ++i)
        threads.emplace_back([&, i] {
            statuses[i] = login_request(http(), "principal@demo.sitevisit",
                                        "guess-" + std::to_string(i), "bot")
                              .status;
        });
    for (auto& t : threads)
        t.join();
    std::map<int, int> count;
    for (int s : statuses)
        count[s]++;
    for (const auto& [status, n] : count)
        std::cout << "parallel wrong passwords: " << n << " x " << status << "\n";
    EXPECT_LE(count[401] + count[200], 5);
    EXPECT_EQ(count[401] + count[200] + count[429] + count[503], 60);
    EXPECT_EQ(count[200], 0);
}

TEST_F(Demo, TheOwnersDeviceSignsInDuringALockoutWithItsSecret) {
    auto first =
        login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-own");
    ASSERT_EQ(first.status, 200) << first.body;
    ASSERT_TRUE(first.json()["device_secret"].is_string()) << first.body;
    const std::string secret = first.json()["device_secret"];
    EXPECT_EQ(secret.size(), 64u);
    auto again = login_request(http(), "principal@demo.sitevisit", "principal-demo-2026",
                               "laptop-own", secret);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_TRUE(again.json()["device_secret"].is_null())
        << "the secret is given at the first sign-in only";
    auto other_device =
        login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "phone-own");
    EXPECT_TRUE(other_device.json()["device_secret"].is_string()) << "each device gets its own";
    EXPECT_NE(other_device.json().value("device_secret", ""), secret);

    // Someone guesses until the account is locked.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(
            login_request(http(), "principal@demo.sitevisit", "guess-" + std::to_string(i), "bot")
                .status,
            401);
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "bot").status,
        429);
    // The device id alone proves nothing (it travels in every clock); a wrong secret neither.
    EXPECT_EQ(login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-own")
                  .status,
              429);
    EXPECT_EQ(login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-own",
                            std::string(64, 'a'))
                  .status,
              429);
    // The owner's device with its secret and the right password signs in.
    auto owner = login_request(http(), "principal@demo.sitevisit", "principal-demo-2026",
                               "laptop-own", secret);
    EXPECT_EQ(owner.status, 200) << owner.body;
    // The secret is no key by itself: a wrong password with it is still wrong, and counted.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(login_request(http(), "principal@demo.sitevisit", "stolen-" + std::to_string(i),
                                "laptop-own", secret)
                      .status,
                  401);
    EXPECT_EQ(login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-own",
                            secret)
                  .status,
              429);
}

TEST_F(Demo, AdminsSetAPasswordUnlockAndRestoreUsers) {
    const std::string token =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-p");
    auto short_pw =
        server.admin({"user", "password", "--email", "principal@demo.sitevisit"}, "short\n");
    EXPECT_EQ(short_pw.code, 1);
    EXPECT_NE(short_pw.err.find("at least 8 characters"), std::string::npos) << short_pw.err;
    auto set = server.admin({"user", "password", "--email", "principal@demo.sitevisit"},
                            "a-new-password-2026\n");
    ASSERT_EQ(set.code, 0) << set.err;
    EXPECT_NE(set.out.find("ended 1 session(s)"), std::string::npos) << set.out;
    EXPECT_EQ(http().request("GET", "/v1/reference", {}, bearer(token)).status, 401)
        << "sessions end with the old password";
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-p").status,
        401);
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p").status,
        200);
    EXPECT_EQ(server
                  .admin({"user", "password", "--email", "nobody@demo.sitevisit"},
                         "a-new-password-2026\n")
                  .code,
              1);

    for (int i = 0; i < 5; ++i)
        login_request(http(), "principal@demo.sitevisit", "guess-" + std::to_string(i), "bot");
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p").status,
        429);
    auto unlock = server.admin({"user", "unlock", "--email", "principal@demo.sitevisit"});
    ASSERT_EQ(unlock.code, 0) << unlock.err;
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p").status,
        200);

    ASSERT_EQ(server.admin({"user", "revoke", "--email", "principal@demo.sitevisit"}).code, 0);
    EXPECT_EQ(
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p").status,
        401);
    auto restore = server.admin({"user", "restore", "--email", "principal@demo.sitevisit"});
    ASSERT_EQ(restore.code, 0) << restore.err;
    auto back =
        login_request(http(), "principal@demo.sitevisit", "a-new-password-2026", "laptop-p");
    ASSERT_EQ(back.status, 200) << back.body;
    EXPECT_EQ(http().request("GET", "/v1/reference", {}, bearer(back.json()["token"])).status, 200);
    EXPECT_EQ(server.admin({"user", "unlock"}).code, 2) << "--email is required";
    EXPECT_NE(server.admin({"user", "frobnicate"}).err.find("user restore"), std::string::npos)
        << "the usage names it";
}

namespace {

// A store, service and blob service in this process, on a fresh folder.
struct InProcess {
    ServerProcess folder; // only for its temporary folder
    std::unique_ptr<server::SqliteStore> store;
    std::unique_ptr<server::Service> service;
    std::unique_ptr<server::BlobService> blobs;
    explicit InProcess(server::ServiceOptions options = {}) {
        std::filesystem::create_directories(folder.data());
        store =
            std::move(server::SqliteStore::open((folder.data() / "server.db").string())).value();
        service = std::make_unique<server::Service>(*store, options);
        blobs = std::make_unique<server::BlobService>(*store, *service, folder.data() / "blobs",
                                                      100LL * 1024 * 1024);
    }
};

} // namespace

TEST(SignIn, AnUnknownEmailCostsAPasswordCheckLikeAKnownOne) {
    InProcess p;
    ASSERT_TRUE(p.service->add_user({"ada@y.org", "Ada", "admin", "", {}, {}}, "a-long-password"));
    auto timed = [&](const std::string& email) {
        const long before = p.service->verifications();
        const auto t0 = std::chrono::steady_clock::now();
        auto r = p.service->login(protocol::LoginRequest{email, "wrong-password", "d", ""},
                                  "10.0.0." + std::to_string(before));
        const auto ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        EXPECT_FALSE(r);
        EXPECT_EQ(r.error().message, "the email or the password is wrong");
        EXPECT_EQ(p.service->verifications(), before + 1) << email << ": no password check ran";
        return ms;
    };
    timed("warm-up@y.org");
    const double known = timed("ada@y.org"), unknown = timed("nobody@y.org");
    std::cout << "sign-in with a wrong password: known email " << known << " ms, unknown email "
              << unknown << " ms\n";
}

TEST(SignIn, PasswordChecksRunAFewAtATimeAndTheRestGet503WithRetryAfter) {
    server::ServiceOptions options;
    options.max_hashing = 1;
    options.hash_wait_ms = 0;
    InProcess p(options);
    ASSERT_TRUE(p.service->add_user({"ada@y.org", "Ada", "admin", "", {}, {}}, "a-long-password"));
    auto routes = server::make_routes(*p.service, nullptr);
    int busy = 0, ok = 0, rounds = 0;
    server::HttpResponse seen;
    for (; rounds < 50 && busy == 0; ++rounds) {
        std::vector<std::thread> threads;
        std::mutex m;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&, i] {
                server::HttpRequest r;
                r.method = "POST";
                r.path = "/v1/auth/login";
                r.remote = "10.1." + std::to_string(rounds) + "." + std::to_string(i);
                r.body = Json{{"email", "ada@y.org"},
                              {"password", "a-long-password"},
                              {"device", "d" + std::to_string(i)}}
                             .dump();
                auto resp = routes.handler(r);
                std::lock_guard lock(m);
                if (resp.status == 503) {
                    ++busy;
                    seen = resp;
                } else if (resp.status == 200) {
                    ++ok;
                }
            });
        for (auto& t : threads)
            t.join();
    }
    std::cout << "one password check at a time: " << ok << " signed in, " << busy
              << " told to retry, in " << rounds << " round(s) of 4\n";
    ASSERT_GT(busy, 0);
    bool retry_after = false;
    for (const auto& [k, v] : seen.headers)
        if (k == "Retry-After") retry_after = !v.empty();
    EXPECT_TRUE(retry_after);
    EXPECT_EQ(Json::parse(seen.body)["error"]["code"], "busy");
}

// ---- hardening: data rules -------------------------------------------------------------------

namespace {

// Uploads `bytes` in one PATCH that creates the upload; the PATCH's status.
int upload(const Http& http, const std::string& token, const std::string& bytes) {
    const std::string sha = server::sha256_hex(bytes);
    return http
        .request("PATCH", "/v1/blobs/" + sha, bytes,
                 tus(token, {{"Upload-Offset", "0"},
                             {"Upload-Length", std::to_string(bytes.size())},
                             {"Content-Type", "application/offset+octet-stream"}}))
        .status;
}

} // namespace

TEST_F(Demo, EvidenceOfADraftVisitReachesTheSchoolOnlyWhenTheVisitIsSubmitted) {
    const std::string lead = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-ev");
    const std::string principal =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-ev");
    const std::string receiver =
        login(http(), "receiver@demo.sitevisit", "receiver-demo-2026", "laptop-rv");
    std::int64_t p_cursor = 0, r_cursor = 0;
    pull_all(principal, 0, &p_cursor);
    pull_all(receiver, 0, &r_cursor);

    const std::string visit = new_id(), obs = new_id(), evidence = new_id();
    const std::string photo = "a photo of the objectives board, taken during a draft visit";
    ASSERT_EQ(upload(http(), lead, photo), 204);
    const std::string sha = server::sha256_hex(photo);
    auto made = push(lead, "tab-ev",
                     Json::array({change("visit", visit, lincoln,
                                         {{"kind", "walkthrough"},
                                          {"rubric", "msv-2026-2027-elementary"},
                                          {"start_date", "2026-11-23"}},
                                         1, "tab-ev"),
                                  change("observation", obs, lincoln,
                                         {{"visit", visit},
                                          {"indicator", "msv-2026-2027-elementary/2.3"},
                                          {"rating", 2}},
                                         2, "tab-ev"),
                                  change("evidence", evidence, lincoln,
                                         {{"title", "Objectives board"},
                                          {"kind", "photo"},
                                          {"sha256", sha},
                                          {"size", photo.size()},
                                          {"media_type", "image/jpeg"},
                                          {"observations", {obs}}},
                                         3, "tab-ev")}));
    ASSERT_EQ(made.status, 200) << made.body;
    const Json made_json = made.json();
    for (const auto& r : made_json["results"])
        ASSERT_EQ(r["status"], "applied") << made.body;

    // While the visit is a draft: not pulled by the school's people, and the file is not theirs.
    for (const auto& op : pull_all(principal, p_cursor))
        EXPECT_NE(op["id"], evidence) << "draft evidence reached the principal";
    for (const auto& op : pull_all(receiver, r_cursor))
        EXPECT_NE(op["id"], evidence) << "draft evidence reached the receiver";
    EXPECT_EQ(http().request("GET", "/v1/blobs/" + sha, {}, bearer(principal)).status, 404);
    EXPECT_EQ(http().request("GET", "/v1/blobs/" + sha, {}, bearer(receiver)).status, 404);
    EXPECT_FALSE(export_as("principal@demo.sitevisit")["rows"]["evidence"].contains(evidence));
    // Its team (and uploader) reads it.
    EXPECT_EQ(http().request("GET", "/v1/blobs/" + sha, {}, bearer(lead)).status, 200);
    EXPECT_TRUE(export_as("lead@demo.sitevisit")["rows"]["evidence"].contains(evidence));

    // Submitted: the evidence is delivered with the visit, and the file can be fetched.
    auto submitted = push(lead, "tab-ev",
                          Json::array({change("visit", visit, lincoln, {{"status", "submitted"}}, 4,
                                              "tab-ev", made.json()["results"][0]["seq"])}));
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    ASSERT_EQ(submitted.json()["results"][0]["status"], "applied") << submitted.body;
    for (const std::string& token : {principal, receiver}) {
        bool got = false;
        for (const auto& op : pull_all(token, token == principal ? p_cursor : r_cursor))
            if (op["id"] == evidence && op["fields"].value("sha256", "") == sha) got = true;
        EXPECT_TRUE(got) << "the submitted visit's evidence did not arrive";
        auto file = http().request("GET", "/v1/blobs/" + sha, {}, bearer(token));
        EXPECT_EQ(file.status, 200);
        EXPECT_EQ(file.body, photo);
    }
}

TEST_F(Demo, EvidenceIsChangedOrDeletedOnlyByItsUploaderAReceiverOrAnAdmin) {
    const std::string principal =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-pe");
    const std::string lead = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-le");
    const std::string receiver =
        login(http(), "receiver@demo.sitevisit", "receiver-demo-2026", "laptop-re");
    const std::string admin = login(http(), "admin@demo.sitevisit", "admin-demo-2026", "admin-e");
    const std::string bytes = "sign-in sheets of the data team meeting";
    ASSERT_EQ(upload(http(), principal, bytes), 204);
    const std::string evidence = new_id();
    auto made = push(principal, "laptop-pe",
                     Json::array({change("evidence", evidence, lincoln,
                                         {{"title", "Sign-in sheets"},
                                          {"kind", "document"},
                                          {"sha256", server::sha256_hex(bytes)},
                                          {"size", bytes.size()},
                                          {"media_type", "application/pdf"}},
                                         1, "laptop-pe")}));
    ASSERT_EQ(made.status, 200) << made.body;
    std::int64_t seq = made.json()["results"][0]["seq"];

    // A lead of the district is in scope but neither uploader, receiver nor admin.
    auto renamed = push(lead, "tab-le",
                        Json::array({change("evidence", evidence, lincoln, {{"title", "Mine now"}},
                                            1, "tab-le", seq)}));
    EXPECT_EQ(renamed.status, 403) << renamed.body;
    EXPECT_EQ(renamed.json()["results"][0]["error"],
              "only the evidence's uploader, a receiver of the school or an admin may change or "
              "delete this evidence");
    auto deleted = push(lead, "tab-le",
                        Json::array({change("evidence", evidence, lincoln, Json::object(), 2,
                                            "tab-le", seq, "delete")}));
    EXPECT_EQ(deleted.status, 403) << deleted.body;
    EXPECT_EQ(export_as("admin@demo.sitevisit")["rows"]["evidence"][evidence]["fields"]["title"],
              "Sign-in sheets");

    // Its uploader, the school's receiver and an admin may.
    auto own =
        push(principal, "laptop-pe",
             Json::array({change("evidence", evidence, lincoln,
                                 {{"title", "Sign-in sheets, October"}}, 2, "laptop-pe", seq)}));
    ASSERT_EQ(own.status, 200) << own.body;
    seq = own.json()["results"][0]["seq"];
    auto by_receiver = push(receiver, "laptop-re",
                            Json::array({change("evidence", evidence, lincoln,
                                                {{"description", "Checked against the agenda"}}, 1,
                                                "laptop-re", seq)}));
    ASSERT_EQ(by_receiver.status, 200) << by_receiver.body;
    EXPECT_EQ(by_receiver.json()["results"][0]["status"], "applied");
    seq = by_receiver.json()["results"][0]["seq"];
    auto by_admin = push(admin, "admin-e",
                         Json::array({change("evidence", evidence, lincoln, Json::object(), 1,
                                             "admin-e", seq, "delete")}));
    ASSERT_EQ(by_admin.status, 200) << by_admin.body;
    EXPECT_EQ(by_admin.json()["results"][0]["status"], "applied");
    EXPECT_FALSE(export_as("admin@demo.sitevisit")["rows"]["evidence"].contains(evidence));
}

// ---- hardening: uploads ----------------------------------------------------------------------

namespace {

std::string user_id_of(const Http& http, const std::string& email, const std::string& password,
                       const std::string& device, std::string* token) {
    auto r = login_request(http, email, password, device);
    EXPECT_EQ(r.status, 200) << r.body;
    *token = r.json().value("token", "");
    return r.json()["user"].value("id", "");
}

Response create_upload(const Http& http, const std::string& token, const std::string& sha,
                       std::int64_t length) {
    return http.request("POST", "/v1/blobs", {},
                        tus(token, {{"Upload-Length", std::to_string(length)},
                                    {"Upload-Metadata", "sha256 " + base64(sha)}}));
}

void backdate(const std::filesystem::path& p, int days) {
    std::filesystem::last_write_time(p, std::filesystem::file_time_type::clock::now() -
                                            std::chrono::hours(24 * days));
}

} // namespace

TEST(Uploads, PartialUploadsHaveAQuotaPerUserAndExpire) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start({"--partial-quota-bytes", "1000", "--partial-expiry-days", "2"});
    std::string token;
    const std::string uid =
        user_id_of(server.http(), "principal@demo.sitevisit", "principal-demo-2026", "p", &token);
    const std::string a(600, 'a'), b(600, 'b');
    const std::string sha_a = server::sha256_hex(a), sha_b = server::sha256_hex(b);
    ASSERT_EQ(create_upload(server.http(), token, sha_a, 600).status, 201);
    ASSERT_EQ(server.http()
                  .request("PATCH", "/v1/blobs/" + sha_a, a.substr(0, 100),
                           tus(token, {{"Upload-Offset", "0"},
                                       {"Content-Type", "application/offset+octet-stream"}}))
                  .status,
              204);
    auto over = create_upload(server.http(), token, sha_b, 600);
    EXPECT_EQ(over.status, 413) << over.body;
    EXPECT_EQ(over.json()["error"]["code"], "partial_quota");
    EXPECT_NE(over.json()["error"]["message"].get<std::string>().find("the limit is 1000 bytes"),
              std::string::npos)
        << over.body;
    // Another user has a quota of their own.
    std::string other;
    user_id_of(server.http(), "lead@demo.sitevisit", "lead-demo-2026", "l", &other);
    EXPECT_EQ(create_upload(server.http(), other, sha_b, 600).status, 201);

    // Untouched for longer than the expiry: removed when the next upload is made...
    const auto partial = server.data() / "blobs" / "partial";
    backdate(partial / (sha_a + "." + uid), 3);
    EXPECT_EQ(create_upload(server.http(), token, sha_b, 600).status, 201);
    EXPECT_FALSE(std::filesystem::exists(partial / (sha_a + "." + uid)));
    EXPECT_FALSE(std::filesystem::exists(partial / (sha_a + "." + uid + ".length")));
    EXPECT_EQ(server.http().request("HEAD", "/v1/blobs/" + sha_a, {}, tus(token)).status, 404);
    // ... and at start.
    server.stop();
    backdate(partial / (sha_b + "." + uid), 3);
    server.start({"--partial-quota-bytes", "1000", "--partial-expiry-days", "2"});
    EXPECT_FALSE(std::filesystem::exists(partial / (sha_b + "." + uid)));
    EXPECT_EQ(server.http().request("HEAD", "/v1/blobs/" + sha_b, {}, tus(token)).status, 404);
    // What expired no longer counts against the quota.
    EXPECT_EQ(create_upload(server.http(), token, sha_a, 600).status, 201);
}

TEST(Uploads, AnUploadWhoseLengthCannotBeWrittenIsRefusedWith507AndLeavesNothing) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    std::string token;
    const std::string uid =
        user_id_of(server.http(), "principal@demo.sitevisit", "principal-demo-2026", "p", &token);
    const std::string bytes(5000, 'z');
    const std::string sha = server::sha256_hex(bytes);
    // Where the length file would go, something that is not a file (a full or broken disk
    // looks the same to the server: the write fails).
    const auto partial = server.data() / "blobs" / "partial";
    std::filesystem::create_directories(partial / (sha + "." + uid + ".length") / "in-the-way");
    auto refused = create_upload(server.http(), token, sha, 5000);
    EXPECT_EQ(refused.status, 507) << refused.body;
    auto by_patch =
        server.http().request("PATCH", "/v1/blobs/" + sha, bytes.substr(0, 1000),
                              tus(token, {{"Upload-Offset", "0"},
                                          {"Upload-Length", "5000"},
                                          {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(by_patch.status, 507) << by_patch.body;
    EXPECT_FALSE(std::filesystem::exists(partial / (sha + "." + uid)))
        << "an upload without a length was left";
    for (const auto& e : std::filesystem::directory_iterator(partial))
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
    EXPECT_EQ(server.http().request("HEAD", "/v1/blobs/" + sha, {}, tus(token)).status, 404);
}

TEST(Uploads, AnUploadWithoutALengthNeverGrows) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start({"--max-blob-bytes", "2000"});
    std::string token;
    const std::string uid =
        user_id_of(server.http(), "principal@demo.sitevisit", "principal-demo-2026", "p", &token);
    const std::string sha = std::string(63, 'c') + "d";
    // What an older server left when the disk was full at creation: bytes, no length.
    const auto p = server.data() / "blobs" / "partial" / (sha + "." + uid);
    std::ofstream(p, std::ios::binary) << std::string(1500, 'x');
    auto grow =
        server.http().request("PATCH", "/v1/blobs/" + sha, std::string(1000, 'y'),
                              tus(token, {{"Upload-Offset", "1500"},
                                          {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(grow.status, 404) << grow.body;
    EXPECT_FALSE(std::filesystem::exists(p) && std::filesystem::file_size(p) > 1500)
        << "it grew past --max-blob-bytes";
    // A declared length is kept to: no chunk runs past it.
    const std::string bytes(1000, 'q');
    const std::string good = server::sha256_hex(bytes);
    ASSERT_EQ(create_upload(server.http(), token, good, 1000).status, 201);
    auto past = server.http().request(
        "PATCH", "/v1/blobs/" + good, bytes + "extra",
        tus(token, {{"Upload-Offset", "0"}, {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(past.status, 400) << past.body;
    EXPECT_EQ(std::filesystem::file_size(server.data() / "blobs" / "partial" / (good + "." + uid)),
              0u);
}

TEST_F(Demo, AnUploadWithEveryByteIsRecordedAtTheNextHeadOrPatchAfterACrash) {
    std::string token;
    const std::string uid =
        user_id_of(http(), "principal@demo.sitevisit", "principal-demo-2026", "p", &token);
    const auto partial = server.data() / "blobs" / "partial";
    // The server was killed after the last chunk was on disk and before it was recorded:
    // the files are exactly as it leaves them.
    auto leave = [&](const std::string& bytes) {
        const std::string sha = server::sha256_hex(bytes);
        std::ofstream(partial / (sha + "." + uid + ".length")) << bytes.size();
        std::ofstream(partial / (sha + "." + uid), std::ios::binary) << bytes;
        return sha;
    };
    server.kill9();
    const std::string by_head = leave("every byte arrived, then SIGKILL (head)");
    const std::string by_patch = leave("every byte arrived, then SIGKILL (patch)");
    const std::string bad = server::sha256_hex("what the name says");
    std::ofstream(partial / (bad + "." + uid + ".length")) << 5;
    std::ofstream(partial / (bad + "." + uid), std::ios::binary) << "other";
    server.start();

    auto head = http().request("HEAD", "/v1/blobs/" + by_head, {}, tus(token));
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("upload-offset"), head.header("upload-length"));
    auto patch = http().request(
        "PATCH", "/v1/blobs/" + by_patch, {},
        tus(token, {{"Upload-Offset", "40"}, {"Content-Type", "application/offset+octet-stream"}}));
    EXPECT_EQ(patch.status, 204) << patch.body;
    EXPECT_EQ(http().request("HEAD", "/v1/blobs/" + bad, {}, tus(token)).status, 404)
        << "bytes that do not match are discarded";
    // "Complete" means recorded: evidence may now name both files.
    int dseq = 0;
    for (const auto& [sha, size] : {std::pair{by_head, 39}, std::pair{by_patch, 40}}) {
        auto ev = push(token, "p",
                       Json::array({change("evidence", new_id(), lincoln,
                                           {{"title", "Recovered"},
                                            {"kind", "document"},
                                            {"sha256", sha},
                                            {"size", size},
                                            {"media_type", "text/plain"}},
                                           ++dseq, "p")}));
        EXPECT_EQ(ev.status, 200) << ev.body;
        EXPECT_EQ(ev.json()["results"][0]["status"], "applied") << ev.body;
    }
}

TEST(Uploads, BlobDownloadsAreStreamedFromTheFile) {
    InProcess p;
    std::ostringstream out;
    ASSERT_TRUE(server::seed_demo(*p.service, *p.blobs, out));
    auto login = p.service->login(
        protocol::LoginRequest{"admin@demo.sitevisit", "admin-demo-2026", "d", ""}, "127.0.0.1");
    ASSERT_TRUE(login);
    auto caller = p.service->authenticate(login->token);
    ASSERT_TRUE(caller);
    const Json rows = (*p.service->export_for("admin@demo.sitevisit"))["rows"]["evidence"];
    ASSERT_FALSE(rows.empty());
    const std::string sha = rows.begin().value()["fields"]["sha256"];
    server::HttpRequest r;
    r.method = "GET";
    r.path = "/v1/blobs/" + sha;
    auto whole = p.blobs->handle(*caller, r);
    ASSERT_EQ(whole.status, 200) << whole.body;
    EXPECT_TRUE(whole.body.empty()) << "the bytes were read into memory";
    EXPECT_EQ(whole.file, (p.folder.data() / "blobs" / sha).string());
    EXPECT_EQ(whole.file_offset, 0);
    EXPECT_EQ(whole.file_length, static_cast<std::int64_t>(std::filesystem::file_size(whole.file)));
    r.headers["range"] = "bytes=2-5";
    auto part = p.blobs->handle(*caller, r);
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.file_offset, 2);
    EXPECT_EQ(part.file_length, 4);
}

// ---- hardening: the store's lifecycle --------------------------------------------------------

namespace {

// `serve` with a time limit, so a server that wrongly starts fails the test instead of hanging.
Run serve_briefly(const ServerProcess& server, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{
        "/usr/bin/timeout",     "10",       server_binary(), "serve", "--data",
        server.data().string(), "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv);
}

} // namespace

TEST(StoreLifecycle, ServeRefusesAMissingEmptyOrDamagedStoreAndInitMakesOne) {
    ServerProcess server;
    auto missing = serve_briefly(server);
    EXPECT_EQ(missing.code, 3) << missing.err;
    EXPECT_NE(missing.err.find("sitevisit-server init --data"), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("restore server.db from a backup"), std::string::npos)
        << missing.err;
    EXPECT_FALSE(std::filesystem::exists(server.data() / "server.db")) << "serve made a store";
    for (const auto& command :
         std::vector<std::vector<std::string>>{{"user", "list"}, {"export", "--user", "a@y.org"}}) {
        auto r = server.admin(command);
        EXPECT_EQ(r.code, 3) << command[0] << ": " << r.err;
        EXPECT_NE(r.err.find("sitevisit-server init"), std::string::npos) << r.err;
    }

    std::filesystem::create_directories(server.data());
    std::ofstream(server.data() / "server.db").flush();
    auto empty = serve_briefly(server);
    EXPECT_EQ(empty.code, 3) << empty.err;
    EXPECT_NE(empty.err.find("is empty (0 bytes)"), std::string::npos) << empty.err;
    EXPECT_EQ(std::filesystem::file_size(server.data() / "server.db"), 0u);
    auto over_empty = server.admin({"init"});
    EXPECT_EQ(over_empty.code, 1) << "init never replaces a file: " << over_empty.err;
    EXPECT_NE(over_empty.err.find("exists already"), std::string::npos) << over_empty.err;

    std::filesystem::remove(server.data() / "server.db");
    auto init = server.admin({"init"});
    ASSERT_EQ(init.code, 0) << init.err;
    EXPECT_NE(init.out.find("made an empty store"), std::string::npos) << init.out;
    EXPECT_EQ(server.admin({"init"}).code, 1);
    ASSERT_EQ(server
                  .admin({"user", "add", "--email", "a@y.org", "--name", "A", "--role", "admin"},
                         "a-long-password\n")
                  .code,
              0);
    server.start();
    EXPECT_EQ(server.http().request("GET", "/v1/health").status, 200);
    login(server.http(), "a@y.org", "a-long-password", "d");
    server.stop();
}

TEST(StoreLifecycle, ADamagedStoreIsFoundAtStart) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    const auto db = server.data() / "server.db";
    const auto size = std::filesystem::file_size(db);
    ASSERT_GT(size, 64u * 1024);
    {
        // Garbage over the pages in the middle of the file, as a failing disk leaves them.
        std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
        std::mt19937 rng(11);
        f.seekp(static_cast<std::streamoff>(size / 3));
        for (std::uintmax_t i = 0; i < size / 3; ++i)
            f.put(static_cast<char>(rng()));
    }
    auto r = serve_briefly(server);
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_NE(r.err.find("restore it from a backup"), std::string::npos) << r.err;
    std::cout << "damaged store: " << r.err;
    for (const auto& command : std::vector<std::vector<std::string>>{
             {"user", "list"}, {"export", "--user", "admin@demo.sitevisit"}}) {
        auto admin = server.admin(command);
        EXPECT_EQ(admin.code, 3) << command[0] << ": " << admin.err;
        EXPECT_NE(admin.err.find("restore it from a backup"), std::string::npos) << admin.err;
    }
}

// ---- hardening: pull -------------------------------------------------------------------------

TEST_F(Demo, ACursorAheadOfTheLogIsAnswered409SoTheDevicePullsFromZero) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-c");
    std::int64_t cursor = 0;
    pull_all(token, 0, &cursor);
    EXPECT_EQ(
        http()
            .request("GET", "/v1/sync/pull?since=" + std::to_string(cursor), {}, bearer(token))
            .status,
        200);
    for (const std::string& since :
         {std::to_string(cursor + 1), std::string("9223372036854775807")}) {
        auto r = http().request("GET", "/v1/sync/pull?since=" + since, {}, bearer(token));
        EXPECT_EQ(r.status, 409) << r.body;
        EXPECT_EQ(r.json()["error"]["code"], "cursor_ahead");
        EXPECT_NE(r.json()["error"]["message"].get<std::string>().find("pull again from 0"),
                  std::string::npos)
            << r.body;
    }
}

TEST_F(Demo, APullPageStopsBeforeEightMegabytes) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-big");
    std::int64_t cursor = 0;
    pull_all(token, 0, &cursor);
    const std::string visit = new_id();
    ASSERT_EQ(push(token, "tab-big",
                   Json::array({change("visit", visit, lincoln,
                                       {{"kind", "walkthrough"},
                                        {"rubric", "msv-2026-2027-elementary"},
                                        {"start_date", "2026-11-23"}},
                                       1, "tab-big")}))
                  .status,
              200);
    const std::string note(8000, 'n');
    std::int64_t dseq = 1;
    std::set<std::string> sent;
    for (int batch = 0; batch < 4; ++batch) {
        Json ops = Json::array();
        for (int i = 0; i < 300; ++i) {
            const std::string id = new_id();
            sent.insert(id);
            ops.push_back(change(
                "observation", id, lincoln,
                {{"visit", visit}, {"indicator", "msv-2026-2027-elementary/1.1"}, {"note", note}},
                ++dseq, "tab-big"));
        }
        auto r = push(token, "tab-big", ops);
        ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    }
    std::set<std::string> got;
    int pages = 0;
    std::size_t largest = 0;
    for (bool more = true; more; ++pages) {
        ASSERT_LT(pages, 50);
        auto r =
            http().request("GET", "/v1/sync/pull?since=" + std::to_string(cursor) + "&limit=5000",
                           {}, bearer(token));
        ASSERT_EQ(r.status, 200);
        largest = std::max(largest, r.body.size());
        EXPECT_LE(r.body.size(), 8u * 1024 * 1024);
        const Json j = r.json();
        for (const auto& op : j["ops"])
            if (op["entity"] == "observation") got.insert(op["id"].get<std::string>());
        EXPECT_GT(j["cursor"].get<std::int64_t>(), cursor) << "a page must move on";
        cursor = j["cursor"];
        more = j["more"];
    }
    std::cout << "1,200 observations of 8,000 characters: " << pages << " pages, the largest "
              << largest << " bytes\n";
    EXPECT_GE(pages, 2);
    EXPECT_EQ(got, sent);
}

// ---- hardening: serve flags ------------------------------------------------------------------

TEST(ServeFlags, TlsFilesGoTogetherAndTheConnectionCapIsANumber) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"init"}).code, 0);
    auto cert_only = serve_briefly(server, {"--tls-cert", "/tmp/cert.pem"});
    EXPECT_EQ(cert_only.code, 2) << cert_only.err;
    EXPECT_NE(cert_only.err.find("--tls-cert and --tls-key go together"), std::string::npos)
        << cert_only.err;
    auto key_only = serve_briefly(server, {"--tls-key", "/tmp/key.pem"});
    EXPECT_EQ(key_only.code, 2) << key_only.err;
    const auto missing = (server.data().parent_path() / "no-such-cert.pem").string();
    auto unreadable = serve_briefly(server, {"--tls-cert", missing, "--tls-key", missing});
    EXPECT_EQ(unreadable.code, 1) << unreadable.err;
    EXPECT_NE(unreadable.err.find("cannot read --tls-cert " + missing), std::string::npos)
        << unreadable.err;
    for (const std::string bad : {"0", "-5", "many"}) {
        auto r = serve_briefly(server, {"--max-connections", bad});
        EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
        EXPECT_NE(r.err.find("--max-connections must be"), std::string::npos) << r.err;
    }
    for (const auto& flag : {"--partial-quota-bytes", "--partial-expiry-days"}) {
        auto r = serve_briefly(server, {flag, "0"});
        EXPECT_EQ(r.code, 2) << flag << ": " << r.err;
    }
    auto help = run({server_binary(), "--help"});
    for (const char* word : {"--tls-cert FILE --tls-key FILE", "--max-connections N",
                             "--partial-quota-bytes N", "--partial-expiry-days N",
                             "init --data DIR", "user password", "user unlock", "user restore"})
        EXPECT_NE(help.out.find(word), std::string::npos) << word;

    server.start({"--max-connections", "3000"});
    EXPECT_EQ(server.http().request("GET", "/v1/health").status, 200);
    std::ifstream limits("/proc/" + std::to_string(server.pid()) + "/limits");
    for (std::string line; std::getline(limits, line);)
        if (line.rfind("Max open files", 0) == 0)
            std::cout << "server with --max-connections 3000: " << line << "\n";
}
