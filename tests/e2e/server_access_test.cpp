// sitevisit-server end to end (the real binary on a loopback port, real HTTP, real files).
// Who reads and writes what: scope, roles, draft visits and their evidence.
#include "server_fixture.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <vector>

using namespace sitevisit;
using namespace sitevisit::e2e;

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
    std::size_t submitted = 0;
    for (const auto& v : everything["rows"]["visit"])
        if (v["school"] == lincoln && v["fields"]["status"] == "submitted") ++submitted;
    ASSERT_GT(submitted, 0u);
    EXPECT_EQ(visit_status.size(), submitted); // Lincoln's submitted visits
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
    // entity/id -> its school, for the live rows Leo's device holds ("" once deleted)
    std::map<std::string, std::string> held;
    for (const auto& op : pull_all(lead2, 0, &cursor)) {
        EXPECT_NE(op["school"], harbor_middle);
        held[op["entity"].get<std::string>() + "/" + op["id"].get<std::string>()] =
            op["kind"] == "upsert" ? op["school"].get<std::string>() : "";
    }

    // An admin moves Leo's caseload from Bayside to Harbor City, where the district keeps a
    // next step of its own, written before the move.
    const std::string admin = login(http(), "admin@demo.sitevisit", "admin-demo-2026", "admin-1");
    const std::string harbor_step = new_id();
    std::string lee; // Harbor City's lead owns it
    for (auto it = everything["rows"]["user"].begin(); it != everything["rows"]["user"].end(); ++it)
        if (it.value()["fields"]["email"] == "lead@demo.sitevisit") lee = it.key();
    ASSERT_FALSE(lee.empty());
    auto harbor_own =
        push(admin, "admin-1",
             Json::array({change("next_step", harbor_step, harbor,
                                 {{"title", "Publish the district's coaching calendar"},
                                  {"owner", lee},
                                  {"due_date", "2026-12-20"}},
                                 1, "admin-1")}));
    ASSERT_EQ(harbor_own.status, 200) << harbor_own.body;
    std::string leo;
    for (auto it = everything["rows"]["user"].begin(); it != everything["rows"]["user"].end(); ++it)
        if (it.value()["fields"]["email"] == "lead2@demo.sitevisit") leo = it.key();
    ASSERT_FALSE(leo.empty());
    std::int64_t leo_seq = 0;
    for (const auto& op : pull_all(admin))
        if (op["id"] == leo) leo_seq = op["seq"];
    auto moved = push(
        admin, "admin-1",
        Json::array({change("user", leo, "", {{"districts", {harbor}}}, 2, "admin-1", leo_seq)}));
    ASSERT_EQ(moved.status, 200) << moved.body;
    ASSERT_EQ(moved.json()["results"][0]["status"], "applied") << moved.body;

    auto first = http().request(
        "GET", "/v1/sync/pull?since=" + std::to_string(cursor) + "&limit=100", {}, bearer(lead2));
    ASSERT_EQ(first.status, 200);
    const Json first_page = first.json();
    std::set<std::string> purged;
    for (const auto& s : first_page["purge"])
        purged.insert(s.get<std::string>());
    EXPECT_EQ(purged, schools_in(bayside)); // Bayside's schools
    EXPECT_TRUE(purged.count(bayside_el));
    std::set<std::string> gained_schools, deleted_schools, deleted_rows;
    bool gained_district_step = false;
    for (const auto& op : pull_all(lead2, cursor)) {
        if (op["school"] == harbor) {
            // Harbor's own rows: its next step, sent again though written before the cursor.
            if (op["id"] == harbor_step && op["kind"] == "upsert") gained_district_step = true;
            continue;
        }
        if (op["entity"] == "school" && op["kind"] == "delete")
            deleted_schools.insert(op["id"].get<std::string>());
        else if (op["kind"] == "delete") {
            // A school's rows, or Bayside's own (its district plan and next steps), which have
            // no school row to delete: each goes by a plain delete.
            EXPECT_TRUE(purged.count(op["school"].get<std::string>()) || op["school"] == bayside)
                << op.dump();
            EXPECT_FALSE(deleted_schools.count(op["school"].get<std::string>()))
                << "a row's delete after its school's";
            deleted_rows.insert(op["entity"].get<std::string>() + "/" +
                                op["id"].get<std::string>());
        } else if (op["entity"] != "user" && op["entity"] != "region" && op["entity"] != "district")
            gained_schools.insert(op["school"].get<std::string>());
    }
    EXPECT_EQ(deleted_schools, purged);
    EXPECT_TRUE(gained_district_step);
    // A client that knows only SYNC.md (no purge list, no "delete of a school removes it all")
    // is told of every row it held there by a plain delete.
    std::set<std::string> lost_rows;
    for (const auto& [key, school] : held)
        if ((purged.count(school) || school == bayside) && key.rfind("school/", 0) != 0 &&
            key.rfind("district/", 0) != 0)
            lost_rows.insert(key);
    std::vector<std::string> extra, missing;
    std::set_difference(deleted_rows.begin(), deleted_rows.end(), lost_rows.begin(),
                        lost_rows.end(), std::back_inserter(extra));
    std::set_difference(lost_rows.begin(), lost_rows.end(), deleted_rows.begin(),
                        deleted_rows.end(), std::back_inserter(missing));
    EXPECT_TRUE(extra.empty()) << "deletes of rows Leo never held: " << Json(extra).dump();
    EXPECT_TRUE(missing.empty()) << "rows Leo held and was not told of: " << Json(missing).dump();
    EXPECT_FALSE(deleted_rows.empty());
    EXPECT_EQ(gained_schools, schools_in(harbor)); // Harbor City's schools, and no others
    EXPECT_TRUE(gained_schools.count(harbor_middle));
    EXPECT_FALSE(gained_schools.count(bayside_el));
    // The gained school's plan came with it, though it was written long before the cursor.
    bool plan = false;
    for (const auto& op : pull_all(lead2, cursor))
        if (op["entity"] == "plan" && op["school"] == harbor_middle) plan = true;
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

    // Taken off the team again: Leo's device is told to remove the draft, the observation
    // first, with plain deletes a client that knows only SYNC.md understands.
    pull_all(leo, cursor, &cursor);
    auto removed = push(lena, "tab-lena",
                        Json::array({change("visit", visit, bayside_el, {{"team", {lena_id}}}, 4,
                                            "tab-lena", added.json()["results"][0]["seq"])}));
    ASSERT_EQ(removed.status, 200) << removed.body;
    std::vector<std::string> deleted;
    for (const auto& op : pull_all(leo, cursor, &cursor))
        if (op["kind"] == "delete") deleted.push_back(op["id"].get<std::string>());
    EXPECT_EQ(deleted, (std::vector<std::string>{obs, visit}));
    // The store keeps them: Lena still has her draft, and adding Leo back sends it again.
    EXPECT_TRUE(export_as("lead@demo.sitevisit")["rows"]["observation"].contains(obs));
    auto back = push(lena, "tab-lena",
                     Json::array({change("visit", visit, bayside_el, {{"team", {lena_id, leo_id}}},
                                         5, "tab-lena", removed.json()["results"][0]["seq"])}));
    ASSERT_EQ(back.status, 200) << back.body;
    std::set<std::string> again;
    for (const auto& op : pull_all(leo, cursor))
        if (op["kind"] == "upsert") again.insert(op["id"].get<std::string>());
    EXPECT_TRUE(again.count(visit) && again.count(obs));
}

// ---- hardening: data rules -------------------------------------------------------------------

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

TEST_F(Demo, CommentsOnADraftVisitReachTheSchoolOnlyWhenTheVisitIsSubmitted) {
    const std::string lead = login(http(), "lead@demo.sitevisit", "lead-demo-2026", "tab-cm");
    const std::string principal =
        login(http(), "principal@demo.sitevisit", "principal-demo-2026", "laptop-cm");
    const std::string receiver =
        login(http(), "receiver@demo.sitevisit", "receiver-demo-2026", "laptop-cr");
    std::int64_t p_cursor = 0, r_cursor = 0;
    pull_all(principal, 0, &p_cursor);
    pull_all(receiver, 0, &r_cursor);
    std::string paula;
    for (auto it = everything["rows"]["user"].begin(); it != everything["rows"]["user"].end(); ++it)
        if (it.value()["fields"]["email"] == "principal@demo.sitevisit") paula = it.key();
    ASSERT_FALSE(paula.empty());

    // A draft visit at Lincoln: a rating, a next step agreed at it, a photo of the
    // observation, and the lead's comments on each of them.
    const std::string visit = new_id(), obs = new_id(), step = new_id(), evidence = new_id();
    const std::string photo = "the data wall in grade 3, photographed during a draft visit";
    ASSERT_EQ(upload(http(), lead, photo), 204);
    Json ops = Json::array(
        {change("visit", visit, lincoln,
                {{"kind", "walkthrough"},
                 {"rubric", "msv-2026-2027-elementary"},
                 {"start_date", "2026-11-24"}},
                1, "tab-cm"),
         change("observation", obs, lincoln,
                {{"visit", visit}, {"indicator", "msv-2026-2027-elementary/2.1"}, {"rating", 1}}, 2,
                "tab-cm"),
         change("next_step", step, lincoln,
                {{"title", "Exit tickets in grade 3"},
                 {"owner", paula},
                 {"due_date", "2026-12-15"},
                 {"status", "open"},
                 {"visit", visit}},
                3, "tab-cm"),
         change("evidence", evidence, lincoln,
                {{"title", "Data wall"},
                 {"kind", "photo"},
                 {"sha256", server::sha256_hex(photo)},
                 {"size", photo.size()},
                 {"media_type", "image/jpeg"},
                 {"observations", {obs}}},
                4, "tab-cm")});
    std::map<std::string, std::string> comment_on; // comment id -> what it is about
    int dseq = 5;
    for (const auto& [entity, target] : std::vector<std::pair<std::string, std::string>>{
             {"visit", visit}, {"observation", obs}, {"next_step", step}, {"evidence", evidence}}) {
        const std::string id = new_id();
        comment_on[id] = entity;
        ops.push_back(
            change("comment", id, lincoln,
                   {{"target_entity", entity},
                    {"target", target},
                    {"body", "Draft note on the " + entity + "; not for the school yet."}},
                   dseq++, "tab-cm"));
    }
    auto made = push(lead, "tab-cm", ops);
    ASSERT_EQ(made.status, 200) << made.body;
    const Json made_json = made.json();
    for (const auto& r : made_json["results"])
        ASSERT_EQ(r["status"], "applied") << made.body;

    // While the visit is a draft, none of the comments reaches the school's people.
    for (const auto& op : pull_all(principal, p_cursor, &p_cursor))
        EXPECT_FALSE(comment_on.count(op["id"].get<std::string>()))
            << "a comment on the draft's " << comment_on[op["id"].get<std::string>()]
            << " reached the principal";
    for (const auto& op : pull_all(receiver, r_cursor, &r_cursor))
        EXPECT_FALSE(comment_on.count(op["id"].get<std::string>()))
            << "a comment on the draft's " << comment_on[op["id"].get<std::string>()]
            << " reached the receiver";
    const Json school_sees = export_as("principal@demo.sitevisit")["rows"];
    for (const auto& [id, entity] : comment_on)
        EXPECT_FALSE(school_sees.contains("comment") && school_sees["comment"].contains(id))
            << "the principal's export holds the comment on the draft's " << entity;
    const Json team_sees = export_as("lead@demo.sitevisit")["rows"];
    for (const auto& [id, entity] : comment_on)
        EXPECT_TRUE(team_sees.contains("comment") && team_sees["comment"].contains(id))
            << "the lead's comment on the " << entity;

    // Nor may the school's people comment on what they may not read yet.
    auto refused =
        push(receiver, "laptop-cr",
             Json::array({change(
                 "comment", new_id(), lincoln,
                 {{"target_entity", "evidence"}, {"target", evidence}, {"body", "What is this?"}},
                 1, "laptop-cr")}));
    EXPECT_EQ(refused.status, 403) << refused.body;

    // Submitted: every one of them arrives with the visit.
    auto submitted = push(lead, "tab-cm",
                          Json::array({change("visit", visit, lincoln, {{"status", "submitted"}},
                                              dseq, "tab-cm", made_json["results"][0]["seq"])}));
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    ASSERT_EQ(submitted.json()["results"][0]["status"], "applied") << submitted.body;
    for (const std::string& token : {principal, receiver}) {
        std::set<std::string> got;
        for (const auto& op : pull_all(token, token == principal ? p_cursor : r_cursor))
            if (comment_on.count(op["id"].get<std::string>())) got.insert(op["id"]);
        EXPECT_EQ(got.size(), comment_on.size()) << "the submitted visit's comments did not arrive";
    }
}
