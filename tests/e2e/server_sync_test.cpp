// sitevisit-server end to end (the real binary on a loopback port, real HTTP, real files).
// Push and pull: order, idempotency, refusals, conflicts, schema versions and pull pages.
#include "server_fixture.h"
#include "sitevisit/protocol/limits.h"

#include <functional>
#include <iostream>
#include <set>

using namespace sitevisit;
using namespace sitevisit::e2e;

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

    // An op id is its device's: another device sending it (here the same user's laptop, with a
    // different visit under it) is refused, and what the first device sent stands.
    const std::string laptop = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "laptop-2");
    Json borrowed = change("visit", new_id(), lincoln,
                           {{"kind", "monitoring"},
                            {"rubric", "msv-2026-2027-elementary"},
                            {"start_date", "2026-11-24"}},
                           1, "laptop-2");
    borrowed["op"] = v["op"];
    auto taken = push(laptop, "laptop-2", Json::array({borrowed}));
    EXPECT_EQ(taken.status, 400) << taken.body;
    EXPECT_EQ(taken.json()["results"][0]["status"], "rejected");
    EXPECT_EQ(taken.json()["results"][0]["code"], "op_reused");
    EXPECT_EQ(taken.body.find(borrowed["id"].get<std::string>()), std::string::npos);
    const Json rows = export_as("lead@demo.sitevisit")["rows"]["visit"];
    EXPECT_FALSE(rows.contains(borrowed["id"].get<std::string>()));
    EXPECT_EQ(rows[visit]["fields"]["kind"], "walkthrough");
    // The laptop's numbering did not move: its change 1, under an id of its own, is taken.
    borrowed["op"] = new_id();
    EXPECT_EQ(push(laptop, "laptop-2", Json::array({borrowed})).status, 200);
    // The first device sending it again is still answered as a duplicate.
    auto again = push(token, "tablet-2", Json::array({v}));
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json()["results"][0]["status"], "duplicate");
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

TEST_F(Demo, ANewerDataSchemaIsRefusedWholeAsUpgradeRequired) {
    const std::string token = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "old-tab");
    Json op = change("visit", new_id(), lincoln,
                     {{"kind", "walkthrough"},
                      {"rubric", "msv-2026-2027-elementary"},
                      {"start_date", "2026-11-23"}},
                     1, "old-tab");
    op["schema"] = kDataSchemaVersion + 1;
    auto r = push(token, "old-tab", Json::array({op}));
    EXPECT_EQ(r.status, 426) << r.body;
    EXPECT_NE(r.json()["error"]["message"].get<std::string>().find("upgrade required"),
              std::string::npos);
    op["schema"] = 1;
    EXPECT_EQ(push(token, "old-tab", Json::array({op})).status, 200); // dseq 1 was not used up
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
        EXPECT_LE(r.body.size(), static_cast<std::size_t>(protocol::kMaxPullPageBytes));
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
