// Rules the app used to keep to itself, now core's and so the server's: driven over real HTTP
// against the real sitevisit-server binary with the demo data.
#include "harness.h"
#include "server_fixture.h"
#include "sitevisit/core/hlc.h"
#include "sitevisit/core/uuid.h"
#include "sitevisit/server/crypto.h"

#include <gtest/gtest.h>
#include <map>
#include <set>

using namespace sitevisit;
using namespace sitevisit::e2e;

namespace {

struct Rules : ::testing::Test {
    ServerProcess server;
    Json rows; // the admin's export
    std::string lincoln, bayside_el, harbor_middle, unused;
    std::map<std::string, std::int64_t> dseq; // the last change number of each device
    std::map<std::string, std::int64_t> seen; // the seq each row was last written at here

    void SetUp() override {
        auto r = server.admin({"demo"});
        ASSERT_EQ(r.code, 0) << r.err;
        server.start();
        ASSERT_TRUE(server.running());
        auto exported = server.admin({"export", "--user", "admin@demo.sitevisit"});
        ASSERT_EQ(exported.code, 0) << exported.err;
        rows = Json::parse(exported.out)["rows"];
        for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it)
            (it.value()["fields"]["code"] == "00350123"   ? lincoln
             : it.value()["fields"]["code"] == "00360111" ? bayside_el
             : it.value()["fields"]["code"] == "00350456" ? harbor_middle
                                                          : unused) = it.key();
        ASSERT_FALSE(lincoln.empty());
        ASSERT_FALSE(bayside_el.empty());
        ASSERT_FALSE(harbor_middle.empty());
    }

    std::string sign_in(const std::string& who, const std::string& device) {
        return login(server.http(), who + "@demo.sitevisit", who + "-demo-2026", device);
    }

    // One upsert, pushed with the row's seq as last written here as its base; the whole answer.
    Response push(const std::string& token, const std::string& device, const std::string& entity,
                  const std::string& id, Json fields, const std::string& school = {}) {
        return push_at(token, device, entity, id, std::move(fields),
                       school.empty() ? lincoln : school);
    }
    // The same with the op's school as given (empty for the directory's rows).
    Response push_at(const std::string& token, const std::string& device, const std::string& entity,
                     const std::string& id, Json fields, const std::string& school) {
        Json op{{"op", new_id()},
                {"entity", entity},
                {"id", id},
                {"school", school},
                {"kind", "upsert"},
                {"fields", std::move(fields)},
                {"hlc", Hlc{SystemClock::instance().now_ms(), 0, device}.to_string()},
                {"base", seen.count(id) ? seen[id] : 0},
                {"dseq", ++dseq[device]}, // gapless per device
                {"schema", 1}};
        auto r = server.http().request("POST", "/v1/sync/push",
                                       Json{{"device", device}, {"ops", Json::array({op})}}.dump(),
                                       bearer(token));
        Json j = Json::parse(r.body, nullptr, false);
        if (j.is_object() && j.contains("results") && !j["results"].empty() &&
            j["results"][0]["seq"].is_number())
            seen[id] = j["results"][0]["seq"].get<std::int64_t>();
        return r;
    }

    std::string any(const std::string& entity, const std::string& field = {},
                    const std::string& value = {}, const std::string& school = {}) {
        for (auto it = rows[entity].begin(); it != rows[entity].end(); ++it)
            if (it.value()["school"] == (school.empty() ? lincoln : school) &&
                (field.empty() || it.value()["fields"].value(field, "draft") == value))
                return it.key();
        return {};
    }
};

} // namespace

TEST_F(Rules, TheServerRefusesAReviewThatIsNotAcceptedWithoutAComment) {
    const std::string receiver = sign_in("receiver", "laptop-r");
    const std::string evidence = any("evidence");
    ASSERT_FALSE(evidence.empty());
    for (const char* decision : {"needs_more", "not_relevant"})
        for (const Json& comment : {Json(), Json("  ")}) {
            Json f{{"evidence", evidence}, {"decision", decision}, {"at", "2026-11-23T10:00:00Z"}};
            if (!comment.is_null()) f["comment"] = comment;
            auto r = push(receiver, "laptop-r", "review", new_id(), f);
            EXPECT_EQ(r.status, 400) << r.body;
            const Json result = r.json()["results"][0];
            EXPECT_EQ(result["status"], "rejected") << r.body;
            EXPECT_NE(result.value("error", "").find("needs a comment"), std::string::npos)
                << r.body;
        }
    // With a comment, and an acceptance without one, it takes them.
    auto with = push(receiver, "laptop-r", "review", new_id(),
                     {{"evidence", evidence},
                      {"decision", "needs_more"},
                      {"comment", "Add the sign-in sheets."},
                      {"at", "2026-11-23T10:00:00Z"}});
    ASSERT_EQ(with.status, 200) << with.body;
    EXPECT_EQ(with.json()["results"][0]["status"], "applied");
    auto accepted =
        push(receiver, "laptop-r", "review", new_id(),
             {{"evidence", evidence}, {"decision", "accepted"}, {"at", "2026-11-23T10:05:00Z"}});
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(accepted.json()["results"][0]["status"], "applied");
}

TEST_F(Rules, TheServerTakesEvidenceFromAnAssistanceLead) {
    const std::string lead = sign_in("lead", "tablet-l");
    const std::string bytes = "Walkthrough notes, grade 3 hallway\n";
    const std::string sha = server::sha256_hex(bytes);
    auto created = server.http().request("POST", "/v1/blobs", {}, [&] {
        auto h = bearer(lead);
        h.emplace_back("Tus-Resumable", "1.0.0");
        h.emplace_back("Upload-Length", std::to_string(bytes.size()));
        h.emplace_back("Upload-Metadata", "sha256 " + base64(sha));
        return h;
    }());
    ASSERT_EQ(created.status, 201) << created.body;
    auto sent = server.http().request("PATCH", "/v1/blobs/" + sha, bytes, [&] {
        auto h = bearer(lead);
        h.emplace_back("Tus-Resumable", "1.0.0");
        h.emplace_back("Upload-Offset", "0");
        h.emplace_back("Content-Type", "application/offset+octet-stream");
        return h;
    }());
    ASSERT_EQ(sent.status, 204) << sent.body;
    const std::string id = new_id();
    auto r = push(lead, "tablet-l", "evidence", id,
                  {{"title", "Hallway notes"},
                   {"kind", "document"},
                   {"sha256", sha},
                   {"size", bytes.size()},
                   {"media_type", "text/plain"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["results"][0]["status"], "applied") << r.body;
    auto exported = server.admin({"export", "--user", "lead@demo.sitevisit"});
    EXPECT_EQ(Json::parse(exported.out)["rows"]["evidence"][id]["fields"]["title"],
              "Hallway notes");
    // A regional director still may not, even at a school of the director's region.
    const std::string director = sign_in("director", "laptop-d");
    auto refused = push(director, "laptop-d", "evidence", new_id(),
                        {{"title", "Not mine to add"},
                         {"kind", "document"},
                         {"sha256", sha},
                         {"size", bytes.size()},
                         {"media_type", "text/plain"}},
                        harbor_middle);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_NE(refused.body.find("a regional director may not change evidence"), std::string::npos)
        << refused.body;
}

TEST_F(Rules, TheServerLetsAnAdminEditADraftVisitOfAnotherTeam) {
    const std::string visit = any("visit", "status", "draft", bayside_el);
    ASSERT_FALSE(visit.empty()) << "the demo has a draft visit at Bayside Elementary";
    const Json& v = rows["visit"][visit]["fields"];
    const std::string admin_id = [&] {
        for (auto it = rows["user"].begin(); it != rows["user"].end(); ++it)
            if (it.value()["fields"]["email"] == "admin@demo.sitevisit") return it.key();
        return std::string();
    }();
    ASSERT_FALSE(admin_id.empty());
    for (const auto& member : v["team"])
        ASSERT_NE(member, admin_id);
    const std::string admin = sign_in("admin", "laptop-a");
    const std::string obs = new_id();
    auto r = push(admin, "laptop-a", "observation", obs,
                  {{"visit", visit},
                   {"indicator", v["rubric"].get<std::string>() + "/4.5"},
                   {"rating", 1},
                   {"note", "Seen by the admin"}},
                  bayside_el);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["results"][0]["status"], "applied") << r.body;
    auto kind = push(admin, "laptop-a", "visit", visit, {{"kind", "walkthrough"}}, bayside_el);
    ASSERT_EQ(kind.status, 200) << kind.body;
    EXPECT_NE(kind.json()["results"][0]["status"], "rejected") << kind.body;
    auto exported = server.admin({"export", "--user", "admin@demo.sitevisit"});
    const Json after = Json::parse(exported.out)["rows"];
    EXPECT_EQ(after["observation"][obs]["fields"]["note"], "Seen by the admin");
    EXPECT_EQ(after["visit"][visit]["fields"]["kind"], "walkthrough");
    // The school's principal, not on the team, may not.
    const std::string principal = sign_in("principal2", "laptop-p");
    auto refused = push(
        principal, "laptop-p", "observation", new_id(),
        {{"visit", visit}, {"indicator", v["rubric"].get<std::string>() + "/4.4"}, {"rating", 3}},
        bayside_el);
    EXPECT_EQ(refused.status, 403) << refused.body;
}

namespace {

std::string user_id(const Json& rows, const std::string& email) {
    for (auto it = rows["user"].begin(); it != rows["user"].end(); ++it)
        if (it.value()["fields"]["email"] == email) return it.key();
    return {};
}

Json pull_page(ServerProcess& server, const std::string& token, std::int64_t since,
               const std::string& schema) {
    auto r = server.http().request("GET",
                                   "/v1/sync/pull?since=" + std::to_string(since) + "&limit=1000" +
                                       (schema.empty() ? "" : "&schema=" + schema),
                                   {}, bearer(token));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
}

bool has_op(const Json& page, const std::string& id) {
    for (const auto& op : page["ops"])
        if (op["id"] == id) return true;
    return false;
}

} // namespace

// Next steps over the wire: the server keeps the moves and who makes them, as devices do.
TEST_F(Rules, TheServerKeepsTheNextStepRules) {
    const std::string lead = sign_in("lead", "tablet-l");
    const std::string principal = sign_in("principal", "laptop-p");
    const std::string principal_id = user_id(rows, "principal@demo.sitevisit");
    ASSERT_FALSE(principal_id.empty());
    const std::string step = new_id();
    auto made = push(lead, "tablet-l", "next_step", step,
                     {{"title", "Post the bell schedule in every room"},
                      {"owner", principal_id},
                      {"due_date", "2026-12-15"}});
    ASSERT_EQ(made.status, 200) << made.body;
    ASSERT_EQ(made.json()["results"][0]["status"], "applied") << made.body;
    // The principal may not verify; the lead may not mark the principal's step done.
    auto lead_done = push(lead, "tablet-l", "next_step", step, {{"status", "done"}});
    EXPECT_EQ(lead_done.status, 403) << lead_done.body;
    auto done = push(principal, "laptop-p", "next_step", step, {{"status", "done"}});
    ASSERT_EQ(done.status, 200) << done.body;
    EXPECT_EQ(done.json()["results"][0]["status"], "applied") << done.body;
    auto own_verify = push(principal, "laptop-p", "next_step", step, {{"status", "verified"}});
    EXPECT_EQ(own_verify.status, 403) << own_verify.body;
    auto returned = push(lead, "tablet-l", "next_step", step, {{"status", "returned"}});
    EXPECT_EQ(returned.status, 400) << "a return needs a note: " << returned.body;
    auto verified = push(lead, "tablet-l", "next_step", step, {{"status", "verified"}});
    ASSERT_EQ(verified.status, 200) << verified.body;
    EXPECT_EQ(verified.json()["results"][0]["status"], "applied") << verified.body;
    auto exported = server.admin({"export", "--user", "admin@demo.sitevisit"});
    EXPECT_EQ(Json::parse(exported.out)["rows"]["next_step"][step]["fields"]["status"], "verified");
}

// A device of the previous data schema is not sent what it cannot read; it is told how many
// wait and from where, and receives them once it pulls with the newer schema.
TEST_F(Rules, ChangesANewerSchemaAddedAreHeldBackForOlderDevices) {
    const std::string lead = sign_in("lead", "tablet-l");
    const std::string principal = sign_in("principal", "laptop-p");
    std::int64_t cursor = 0;
    for (int guard = 0; guard < 1000; ++guard) {
        Json page = pull_page(server, principal, cursor, "1");
        cursor = page["cursor"];
        if (!page["more"].get<bool>()) break;
    }
    const std::string step = new_id();
    auto made = push(lead, "tablet-l", "next_step", step,
                     {{"title", "Share the walkthrough schedule"},
                      {"owner", user_id(rows, "principal@demo.sitevisit")},
                      {"due_date", "2026-12-15"}});
    ASSERT_EQ(made.status, 200) << made.body;
    const std::string plan = any("plan");
    ASSERT_FALSE(plan.empty());
    const std::string receiver = sign_in("receiver", "laptop-r");
    auto goal = push(receiver, "laptop-r", "plan", plan, {{"goal", "Every student reads well"}});
    ASSERT_EQ(goal.status, 200) << goal.body;
    auto title = push(receiver, "laptop-r", "plan", plan,
                      {{"title", "Lincoln turnaround plan"}, {"goal", "Every student reads"}});
    ASSERT_EQ(title.status, 200) << title.body;

    auto has_goal = [](const Json& page) {
        for (const auto& op : page["ops"])
            if (op["entity"] == "plan" && op["fields"].contains("goal")) return true;
        return false;
    };
    auto has_title = [](const Json& page) {
        for (const auto& op : page["ops"])
            if (op["entity"] == "plan" &&
                op["fields"].value("title", "") == "Lincoln turnaround plan")
                return true;
        return false;
    };
    // Schema 1 (also what a device that sends no schema gets): the title without the goal sent
    // beside it, not the step or the goal alone; all three counted with the cursor to pull
    // again from, and the two plan revisions the server wrote for the plan's changes (pushed
    // under schema 1, which knows no revisions; `plan_revision` is of schema 5).
    for (const std::string schema : {"1", ""}) {
        Json old_page = pull_page(server, principal, cursor, schema);
        EXPECT_FALSE(has_op(old_page, step)) << old_page.dump();
        EXPECT_FALSE(has_goal(old_page)) << old_page.dump();
        EXPECT_TRUE(has_title(old_page)) << old_page.dump();
        EXPECT_EQ(old_page["held"], 5) << old_page.dump();
        EXPECT_EQ(old_page["held_since"], cursor) << old_page.dump();
    }
    // Schema 2 from the held cursor: all of them; only the revisions wait, for schema 5.
    Json new_page = pull_page(server, principal, cursor, "2");
    EXPECT_TRUE(has_op(new_page, step)) << new_page.dump();
    EXPECT_TRUE(has_goal(new_page)) << new_page.dump();
    EXPECT_TRUE(has_title(new_page)) << new_page.dump();
    EXPECT_EQ(new_page.value("held", 0), 2) << new_page.dump();
    Json newest = pull_page(server, principal, cursor, std::to_string(kDataSchemaVersion));
    EXPECT_FALSE(newest.contains("held")) << newest.dump();
    // A schema that is not a number is refused with a reason.
    auto bad =
        server.http().request("GET", "/v1/sync/pull?since=0&schema=two", {}, bearer(principal));
    EXPECT_EQ(bad.status, 400) << bad.body;
}

// A next step made at a draft visit is the visit's team's until the visit is submitted; then
// the school receives it.
TEST_F(Rules, AStepOfADraftVisitReachesTheSchoolWhenTheVisitIsSubmitted) {
    const std::string lead = sign_in("lead", "tablet-l");
    const std::string principal = sign_in("principal", "laptop-p");
    std::int64_t cursor = 0;
    for (int guard = 0; guard < 1000; ++guard) {
        Json page = pull_page(server, principal, cursor, "2");
        cursor = page["cursor"];
        if (!page["more"].get<bool>()) break;
    }
    const std::string visit = new_id();
    auto v = push(lead, "tablet-l", "visit", visit,
                  {{"kind", "targeted"},
                   {"rubric", "msv-2026-2027-elementary"},
                   {"start_date", "2026-11-24"}});
    ASSERT_EQ(v.status, 200) << v.body;
    const std::string step = new_id();
    auto made = push(lead, "tablet-l", "next_step", step,
                     {{"title", "Model a data meeting"},
                      {"owner", user_id(rows, "principal@demo.sitevisit")},
                      {"due_date", "2026-12-20"},
                      {"visit", visit}});
    ASSERT_EQ(made.status, 200) << made.body;
    Json hidden = pull_page(server, principal, cursor, "2");
    EXPECT_FALSE(has_op(hidden, step)) << hidden.dump();
    cursor = hidden["cursor"];
    auto submitted = push(lead, "tablet-l", "visit", visit, {{"status", "submitted"}});
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    Json shown = pull_page(server, principal, cursor, "2");
    EXPECT_TRUE(has_op(shown, step)) << shown.dump();
}

// Caseloads: a regional director assigns Assistance Leads' districts inside the director's
// region, and the server refuses the rest whatever the device let through; the lead's next pull
// follows the new caseload.
TEST_F(Rules, TheServerRefusesCaseloadAssignmentsOutsideTheDirectorsRegion) {
    const std::string director = sign_in("director", "laptop-d");
    const std::string leo = sign_in("lead2", "tablet-leo");
    const std::string lena_id = user_id(rows, "lead@demo.sitevisit");
    const std::string leo_id = user_id(rows, "lead2@demo.sitevisit");
    const std::string rosa_id = user_id(rows, "receiver@demo.sitevisit");
    std::map<std::string, std::string> district; // by code
    for (auto it = rows["district"].begin(); it != rows["district"].end(); ++it)
        district[it.value()["fields"]["code"].get<std::string>()] = it.key();
    const std::string harbor = district["00350000"], bayside = district["00360000"],
                      receivership = district["00359000"]; // of another region
    ASSERT_FALSE(leo_id.empty());
    ASSERT_FALSE(receivership.empty());
    // Every row id a person's device can read from the start, page after page; the director's
    // reading gives the versions the director's edits build on.
    auto readable = [&](const std::string& token = {}) {
        std::set<std::string> ids;
        std::int64_t since = 0;
        for (int page = 0; page < 100; ++page) {
            Json p = pull_page(server, token.empty() ? leo : token, since, "");
            for (const auto& op : p["ops"]) {
                ids.insert(op["id"].get<std::string>());
                if (token == director)
                    seen[op["id"].get<std::string>()] = op["seq"].get<std::int64_t>();
            }
            since = p["cursor"].get<std::int64_t>();
            if (!p["more"].get<bool>()) break;
        }
        return ids;
    };
    EXPECT_FALSE(readable().count(harbor_middle));
    ASSERT_TRUE(readable(director).count(leo_id));
    const std::string before = server.admin({"export", "--user", "admin@demo.sitevisit"}).out;

    auto refused = [&](const std::string& token, const std::string& device, const std::string& id,
                       const Json& fields) {
        auto r = push_at(token, device, "user", id, fields, "");
        EXPECT_EQ(r.status, 403) << r.body;
        EXPECT_EQ(server.admin({"export", "--user", "admin@demo.sitevisit"}).out, before);
        Json j = Json::parse(r.body, nullptr, false);
        return j.is_object() && j.contains("results") ? j["results"][0].value("error", "")
                                                      : j.value("error", r.body);
    };
    EXPECT_EQ(refused(director, "laptop-d", leo_id, {{"districts", {bayside, receivership}}}),
              "Harbor City Receivership Schools is outside your region; its regional director "
              "or an admin assigns it");
    // Lena's receivership district lies outside too: the director may not take it away.
    EXPECT_EQ(refused(director, "laptop-d", lena_id, {{"districts", {harbor, bayside}}}),
              "Harbor City Receivership Schools is outside your region; its regional director "
              "or an admin assigns it");
    EXPECT_EQ(refused(director, "laptop-d", rosa_id, {{"districts", {harbor}}}),
              "a regional director assigns the caseloads of Assistance Leads only");
    EXPECT_EQ(refused(director, "laptop-d", leo_id, {{"districts", {bayside}}, {"active", false}}),
              "a regional director changes only the districts of a lead's caseload; an admin "
              "changes the rest of a person's record");
    EXPECT_EQ(refused(leo, "tablet-leo", leo_id, {{"districts", {bayside, harbor}}}),
              "only an admin may change user records");

    // Inside the region: Leo takes on Harbor City, and his next pull brings its schools.
    auto assigned =
        push_at(director, "laptop-d", "user", leo_id, {{"districts", {bayside, harbor}}}, "");
    ASSERT_EQ(assigned.status, 200) << assigned.body;
    EXPECT_EQ(assigned.json()["results"][0]["status"], "applied") << assigned.body;
    Json after = Json::parse(server.admin({"export", "--user", "admin@demo.sitevisit"}).out);
    EXPECT_EQ(after["rows"]["user"][leo_id]["fields"]["districts"], Json({bayside, harbor}));
    EXPECT_TRUE(readable().count(harbor_middle));
    // Taking a Coastal district from Lena keeps her receivership district.
    auto taken = push_at(director, "laptop-d", "user", lena_id,
                         {{"districts", {bayside, receivership}}}, "");
    ASSERT_EQ(taken.status, 200) << taken.body;
    EXPECT_EQ(taken.json()["results"][0]["status"], "applied") << taken.body;
}

// A district leader (data schema 4): signs in, pulls every school of the district and nothing
// else, comments on a submitted visit, and is refused what the school and its team write. A
// device of schema 3 is not sent the leader's directory row, and is told something waits.
TEST_F(Rules, ADistrictLeaderReadsEveryDistrictSchoolAndOnlyComments) {
    const std::string dora = sign_in("district", "laptop-dora");
    std::set<std::string> schools, visits;
    std::int64_t since = 0;
    for (int page = 0; page < 100; ++page) {
        Json p = pull_page(server, dora, since, "4");
        for (const auto& op : p["ops"]) {
            if (op["entity"] == "school") schools.insert(op["id"].get<std::string>());
            if (op["entity"] == "visit" && op["kind"] == "upsert")
                visits.insert(op["id"].get<std::string>());
        }
        since = p["cursor"].get<std::int64_t>();
        if (!p["more"].get<bool>()) break;
    }
    std::set<std::string> bayside; // every school of the Bayside district, by the admin's export
    std::string bayside_district;
    for (auto it = rows["district"].begin(); it != rows["district"].end(); ++it)
        if (it.value()["fields"]["code"] == "00360000") bayside_district = it.key();
    for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it)
        if (it.value()["fields"]["district"] == bayside_district) bayside.insert(it.key());
    ASSERT_EQ(bayside.size(), 3u);
    EXPECT_EQ(schools, bayside);
    // Submitted visits of the district, never a draft.
    std::string submitted;
    for (const auto& v : visits) {
        ASSERT_NE(rows["visit"][v]["fields"].value("status", "draft"), "draft") << v;
        submitted = v;
    }
    ASSERT_FALSE(submitted.empty());
    const std::string school = rows["visit"][submitted]["school"].get<std::string>();
    auto comment = push(dora, "laptop-dora", "comment", new_id(),
                        {{"target_entity", "visit"},
                         {"target", submitted},
                         {"body", "The district will fund the coaching cycle."}},
                        school);
    ASSERT_EQ(comment.status, 200) << comment.body;
    EXPECT_EQ(comment.json()["results"][0]["status"], "applied") << comment.body;
    auto evidence = push(dora, "laptop-dora", "evidence", new_id(),
                         {{"title", "Budget"},
                          {"kind", "document"},
                          {"sha256", std::string(64, 'a')},
                          {"size", 1},
                          {"media_type", "text/plain"}},
                         school);
    EXPECT_EQ(evidence.status, 403) << evidence.body;
    EXPECT_NE(evidence.body.find("a district leader may not change evidence"), std::string::npos)
        << evidence.body;
    const std::string lincoln_visit = any("visit", "status", "submitted", lincoln);
    ASSERT_FALSE(lincoln_visit.empty());
    auto elsewhere =
        push(dora, "laptop-dora", "comment", new_id(),
             {{"target_entity", "visit"}, {"target", lincoln_visit}, {"body", "x"}}, lincoln);
    EXPECT_EQ(elsewhere.status, 403) << elsewhere.body;

    // The admin's older device (schema 3) does not get Dora's row, and hears that it waits.
    const std::string admin = sign_in("admin", "old-tablet");
    const std::string dora_id = user_id(rows, "district@demo.sitevisit");
    ASSERT_FALSE(dora_id.empty());
    bool sent = false;
    std::int64_t held = 0;
    since = 0;
    for (int page = 0; page < 100; ++page) {
        Json p = pull_page(server, admin, since, "3");
        for (const auto& op : p["ops"])
            if (op["id"] == dora_id) sent = true;
        held += p.value("held", std::int64_t{0});
        since = p["cursor"].get<std::int64_t>();
        if (!p["more"].get<bool>()) break;
    }
    EXPECT_FALSE(sent);
    EXPECT_GE(held, 1);
}

TEST_F(Rules, APrincipalWritesTheirOwnSchoolsPlanAndSignsOnlyTheirOwnRevisions) {
    const std::string pat = sign_in("principal", "tablet-pat");
    const std::string plan = new_id();
    auto made = push(pat, "tablet-pat", "plan", plan,
                     {{"kind", "sip"},
                      {"title", "Lincoln 2027"},
                      {"first_year", "2027-2028"},
                      {"last_year", "2029-2030"}});
    ASSERT_EQ(made.status, 200) << made.body;
    EXPECT_EQ(made.json()["results"][0]["status"], "applied") << made.body;
    auto objective = push(pat, "tablet-pat", "objective", new_id(),
                          {{"plan", plan}, {"title", "Tiered instruction"}, {"practice", 3}});
    ASSERT_EQ(objective.status, 200) << objective.body;
    // Another school's plan is not theirs.
    auto elsewhere = push(pat, "tablet-pat", "plan", new_id(),
                          {{"kind", "sip"},
                           {"title", "Not mine"},
                           {"first_year", "2027-2028"},
                           {"last_year", "2029-2030"}},
                          bayside_el);
    EXPECT_EQ(elsewhere.status, 403) << elsewhere.body;
    // Submitted, then never a draft again.
    auto submitted = push(pat, "tablet-pat", "plan", plan, {{"status", "submitted"}});
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    auto back = push(pat, "tablet-pat", "plan", plan, {{"status", "draft"}});
    EXPECT_EQ(back.status, 400) << back.body;
    EXPECT_NE(back.body.find("stays submitted"), std::string::npos) << back.body;
    // A revision is signed by its writer, never in someone else's name.
    const std::string receiver = user_id(rows, "receiver@demo.sitevisit");
    ASSERT_FALSE(receiver.empty());
    Json revision{{"plan", plan},
                  {"entity", "plan"},
                  {"row", plan},
                  {"action", "changed"},
                  {"changes", {{"title", "X"}}}};
    Json forged = revision;
    forged["by"] = receiver;
    auto as_other = push(pat, "tablet-pat", "plan_revision", new_id(), forged);
    EXPECT_EQ(as_other.status, 400) << as_other.body;
    EXPECT_NE(as_other.body.find("by must be the writer"), std::string::npos) << as_other.body;
    auto own = push(pat, "tablet-pat", "plan_revision", new_id(), revision);
    ASSERT_EQ(own.status, 200) << own.body;
    EXPECT_EQ(own.json()["results"][0]["status"], "applied") << own.body;
    // A lead reads the plan but does not write it.
    const std::string lead = sign_in("lead", "tablet-lee");
    auto by_lead = push(lead, "tablet-lee", "plan", plan, {{"title", "Lead's"}});
    EXPECT_EQ(by_lead.status, 403) << by_lead.body;
}

namespace {

// Every op of every page from `since`, at a data schema; `held` counts what waited.
std::vector<Json> pull_everything(ServerProcess& server, const std::string& token,
                                  const std::string& schema, std::int64_t* held = nullptr) {
    std::vector<Json> ops;
    std::int64_t since = 0;
    for (int guard = 0; guard < 1000; ++guard) {
        Json page = pull_page(server, token, since, schema);
        for (auto& op : page["ops"])
            ops.push_back(op);
        if (held) *held += page.value("held", 0);
        since = page.value("cursor", since);
        if (!page.value("more", false)) break;
    }
    return ops;
}

std::size_t count_at(const std::vector<Json>& ops, const std::string& key) {
    std::size_t n = 0;
    for (const auto& op : ops)
        if (op.value("school", "") == key && op.value("entity", "") != "district") ++n;
    return n;
}

} // namespace

// A district's own plan and next steps (data schema 6) live at the district: the district
// leader writes them, the district's lead reads them, a principal of one of its schools and a
// device of an older schema are not sent them (the older device is told they wait).
TEST_F(Rules, ADistrictsOwnPlanAndNextStepsAreKeptAtTheDistrict) {
    std::string bayside;
    for (auto it = rows["district"].begin(); it != rows["district"].end(); ++it)
        if (it.value()["fields"]["code"] == "00360000") bayside = it.key();
    ASSERT_FALSE(bayside.empty());
    const std::string dora = sign_in("district", "laptop-dora");
    const std::string six = std::to_string(kDataSchemaVersion);

    const auto hers = pull_everything(server, dora, six);
    std::string plan, benchmark;
    std::set<std::string> steps;
    for (const auto& op : hers) {
        if (op["school"] != bayside) continue;
        if (op["entity"] == "plan") plan = op["id"];
        if (op["entity"] == "benchmark" && benchmark.empty()) benchmark = op["id"];
        if (op["entity"] == "next_step") steps.insert(op["id"].get<std::string>());
    }
    ASSERT_FALSE(plan.empty()) << "the demo's district plan reaches the district leader";
    ASSERT_FALSE(benchmark.empty());
    EXPECT_EQ(steps.size(), 2u);

    // An older device waits for them, told how many; the district's lead reads them; the
    // principal of one of its schools does not.
    std::int64_t held = 0;
    const std::string dora_old = sign_in("district", "laptop-dora-old");
    EXPECT_EQ(count_at(pull_everything(server, dora_old, "5", &held), bayside), 0u);
    EXPECT_GE(held, static_cast<std::int64_t>(count_at(hers, bayside)));
    const std::string leo = sign_in("lead2", "tablet-leo");
    EXPECT_EQ(count_at(pull_everything(server, leo, six), bayside), count_at(hers, bayside));
    const std::string pete = sign_in("principal2", "tablet-pete");
    EXPECT_EQ(count_at(pull_everything(server, pete, six), bayside), 0u);

    // Writes: the district leader's at the district; nobody's visit there; no district
    // leader's plan at a school; a district step's owner is someone who sees the district.
    seen[benchmark] = 0;
    for (const auto& op : hers)
        if (op["id"] == benchmark) seen[benchmark] = op["seq"].get<std::int64_t>();
    auto target = push(dora, "laptop-dora", "benchmark", benchmark, {{"target", 5}}, bayside);
    ASSERT_EQ(target.status, 200) << target.body;
    EXPECT_EQ(target.json()["results"][0]["status"], "applied") << target.body;
    // Pushed under schema 1, which knows no revisions: the server writes the plan's history.
    std::vector<Json> revisions;
    for (const auto& op : pull_everything(server, leo, six))
        if (op["entity"] == "plan_revision" && op["fields"].value("row", "") == benchmark)
            revisions.push_back(op["fields"]);
    ASSERT_EQ(revisions.size(), 1u);
    EXPECT_EQ(revisions[0]["plan"], plan);
    EXPECT_EQ(revisions[0]["action"], "changed");
    EXPECT_EQ(revisions[0]["changes"], (Json{{"target", 5}}));
    EXPECT_EQ(revisions[0]["by"], user_id(rows, "district@demo.sitevisit"));
    auto visit = push(leo, "tablet-leo", "visit", new_id(),
                      {{"kind", "monitoring"},
                       {"rubric", "msv-2026-2027-elementary"},
                       {"start_date", "2026-11-23"}},
                      bayside);
    EXPECT_EQ(visit.status, 403) << visit.body;
    EXPECT_NE(visit.body.find("belong to one of its schools"), std::string::npos) << visit.body;
    auto school_plan = push(dora, "laptop-dora", "plan", new_id(),
                            {{"kind", "sip"},
                             {"title", "Not hers"},
                             {"first_year", "2027-2028"},
                             {"last_year", "2029-2030"}},
                            bayside_el);
    EXPECT_EQ(school_plan.status, 403) << school_plan.body;
    auto to_principal = push(leo, "tablet-leo", "next_step", new_id(),
                             {{"title", "A principal's"},
                              {"owner", user_id(rows, "principal2@demo.sitevisit")},
                              {"due_date", "2026-12-20"}},
                             bayside);
    EXPECT_EQ(to_principal.status, 400) << to_principal.body;
    auto step = push(leo, "tablet-leo", "next_step", new_id(),
                     {{"title", "Share the coach hiring plan with principals"},
                      {"owner", user_id(rows, "district@demo.sitevisit")},
                      {"due_date", "2026-12-20"}},
                     bayside);
    ASSERT_EQ(step.status, 200) << step.body;
    EXPECT_EQ(step.json()["results"][0]["status"], "applied") << step.body;
    // The principal cannot reach the district's rows at all.
    auto pete_write = push(pete, "tablet-pete", "benchmark", benchmark, {{"target", 9}}, bayside);
    EXPECT_EQ(pete_write.status, 403) << pete_write.body;
}

// A change to a submitted plan from a device that writes no revisions (schema 1-4, judged by
// what the change carries too) leaves one written by the server, in the writer's name; a batch
// that carries its own revision of the row gets no second one; a delete leaves "deleted".
TEST_F(Rules, TheServerWritesThePlanHistoryOfOlderDevicesOnce) {
    const std::string rosa = sign_in("receiver", "laptop-rosa");
    const std::string rosa_id = user_id(rows, "receiver@demo.sitevisit");
    std::vector<std::string> benchmarks;
    for (auto it = rows["benchmark"].begin(); it != rows["benchmark"].end(); ++it)
        if (it.value()["school"] == lincoln) benchmarks.push_back(it.key());
    ASSERT_GE(benchmarks.size(), 3u);
    const std::string plan = any("plan");
    ASSERT_FALSE(plan.empty());
    // Each row's version now, the base a device that pulled would write on.
    const std::string admin = sign_in("admin", "laptop-admin");
    std::map<std::string, std::int64_t> version;
    for (const auto& o : pull_everything(server, admin, std::to_string(kDataSchemaVersion)))
        version[o["id"].get<std::string>()] = o["seq"].get<std::int64_t>();
    std::int64_t dseq = 0;
    auto op = [&](const std::string& entity, const std::string& id, const char* kind, Json fields) {
        return Json{{"op", new_id()},
                    {"entity", entity},
                    {"id", id},
                    {"school", lincoln},
                    {"kind", kind},
                    {"fields", std::move(fields)},
                    {"hlc", Hlc{SystemClock::instance().now_ms(), 0, "laptop-rosa"}.to_string()},
                    {"base", version.count(id) ? version[id] : 0},
                    {"dseq", ++dseq},
                    {"schema", 1}};
    };
    auto send = [&](Json ops) {
        auto r = server.http().request("POST", "/v1/sync/push",
                                       Json{{"device", "laptop-rosa"}, {"ops", ops}}.dump(),
                                       bearer(rosa));
        EXPECT_EQ(r.status, 200) << r.body;
        const Json answer = r.json(); // kept: the loop reads into it
        for (const auto& result : answer["results"])
            EXPECT_EQ(result["status"], "applied") << r.body;
    };
    // Alone: the server writes the revision.
    send(Json::array({op("benchmark", benchmarks[0], "upsert", {{"target", 61}})}));
    // With its own revision in the same batch: that one only.
    send(Json::array({op("benchmark", benchmarks[1], "upsert", {{"unit", "points"}}),
                      op("plan_revision", new_id(), "upsert",
                         {{"plan", plan},
                          {"entity", "benchmark"},
                          {"row", benchmarks[1]},
                          {"action", "changed"},
                          {"changes", {{"unit", "points"}}}})}));
    // A delete.
    send(Json::array({op("benchmark", benchmarks[2], "delete", Json::object())}));

    std::map<std::string, std::vector<Json>> revisions; // row -> its revisions
    for (const auto& o : pull_everything(server, admin, std::to_string(kDataSchemaVersion)))
        if (o["entity"] == "plan_revision")
            revisions[o["fields"].value("row", "")].push_back(o["fields"]);
    ASSERT_EQ(revisions[benchmarks[0]].size(), 1u);
    EXPECT_EQ(revisions[benchmarks[0]][0]["changes"], (Json{{"target", 61}}));
    EXPECT_EQ(revisions[benchmarks[0]][0]["by"], rosa_id);
    EXPECT_EQ(revisions[benchmarks[0]][0]["plan"], plan);
    EXPECT_EQ(revisions[benchmarks[1]].size(), 1u);
    ASSERT_EQ(revisions[benchmarks[2]].size(), 1u);
    EXPECT_EQ(revisions[benchmarks[2]][0]["action"], "deleted");
    EXPECT_EQ(revisions[benchmarks[2]][0]["by"], rosa_id);
}
