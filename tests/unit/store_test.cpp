#include "fixtures.h"
#include "sitevisit/core/migrations.h"
#include "sitevisit/core/queries.h"
#include "sitevisit/core/time_format.h"

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

struct StoreTest : ::testing::Test {
    TempDir dir;
    ManualClock clock{kNov2026};
    Org org;
    std::unique_ptr<Store> store;
    std::string visit;

    void SetUp() override {
        store = open_store(dir, clock);
        ASSERT_TRUE(store);
        seed_org(*store, org);
        auto v = store->put(
            org.lead,
            {"visit",
             "",
             org.school,
             {{"kind", "monitoring"}, {"rubric", kRubric}, {"start_date", "2026-11-20"}}});
        ASSERT_TRUE(v.ok()) << v.error().message;
        visit = v->id;
    }

    Result<WriteResult> rate(const std::string& ind, Json rating, const User* who = nullptr) {
        return store->put(
            who ? *who : org.lead,
            {"observation", "", "", {{"visit", visit}, {"indicator", ind}, {"rating", rating}}});
    }

    std::int64_t count(const std::string& sql) {
        auto st = store->database().prepare(sql);
        st->step();
        return st->int64(0);
    }
    std::string text(const std::string& sql) {
        auto st = store->database().prepare(sql);
        return st->step() ? st->text(0) : std::string("(no row)");
    }
};

} // namespace

TEST_F(StoreTest, AWriteStoresRowOutboxAndAuditTogether) {
    auto before_outbox = count("SELECT count(*) FROM outbox");
    auto before_audit = count("SELECT count(*) FROM audit");
    auto r = rate(indicator(1, 2), 2);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r->change);
    const Change& c = *r->change;

    auto row = store->get("observation", r->id);
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ((*row)->school, org.school); // taken from the visit
    EXPECT_EQ((*row)->fields["rating"], 2);
    EXPECT_EQ((*row)->fields["visit"], visit);

    EXPECT_EQ(count("SELECT count(*) FROM outbox"), before_outbox + 1);
    EXPECT_EQ(count("SELECT count(*) FROM audit"), before_audit + 1);
    auto out = store->outbox();
    const Change& queued = out->back().change;
    EXPECT_EQ(queued.to_json(), c.to_json());
    EXPECT_EQ(c.entity, "observation");
    EXPECT_EQ(c.school, org.school);
    EXPECT_EQ(c.kind, ChangeKind::Upsert);
    EXPECT_EQ(c.base, 0);
    EXPECT_EQ(c.schema, kDataSchemaVersion);
    EXPECT_EQ(c.fields, (Json{{"visit", visit}, {"indicator", indicator(1, 2)}, {"rating", 2}}));
    EXPECT_EQ(c.dseq, store->last_dseq());
    EXPECT_TRUE(Hlc::parse(c.hlc));
    EXPECT_EQ(Hlc::parse(c.hlc)->device, store->device_id());
    // The wire form parses back to the same change.
    auto parsed = Change::from_json(Json::parse(c.to_json().dump()));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->to_json(), c.to_json());

    auto audit = store->database().prepare(
        "SELECT actor, device, op, kind, after FROM audit ORDER BY id DESC LIMIT 1");
    ASSERT_TRUE(audit->step());
    EXPECT_EQ(audit->text(0), org.lead.id);
    EXPECT_EQ(audit->text(1), store->device_id());
    EXPECT_EQ(audit->text(2), c.op);
    EXPECT_EQ(audit->text(3), "create");
}

TEST_F(StoreTest, AnEditSendsOnlyTheChangedFieldsAndANoOpSendsNothing) {
    auto r = rate(indicator(1, 2), 1);
    ASSERT_TRUE(r.ok());
    auto again = store->put(
        org.lead, {"observation", r->id, "", {{"rating", 1}, {"note", "Seen in two rooms."}}});
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->change->fields, (Json{{"note", "Seen in two rooms."}}));
    const auto dseq = store->last_dseq();
    auto same = store->put(org.lead, {"observation", r->id, "", {{"rating", 1}}});
    ASSERT_TRUE(same.ok());
    EXPECT_FALSE(same->change);
    EXPECT_EQ(store->last_dseq(), dseq);
    auto unrate = store->put(org.lead, {"observation", r->id, "", {{"rating", nullptr}}});
    ASSERT_TRUE(unrate.ok());
    EXPECT_EQ(unrate->change->fields, (Json{{"rating", nullptr}}));
    EXPECT_FALSE((*store->get("observation", r->id))->fields.contains("rating"));
}

TEST_F(StoreTest, DseqIsGaplessAndSurvivesReopening) {
    for (int i = 1; i <= 5; ++i)
        ASSERT_TRUE(rate(indicator(2, i), i % 4).ok());
    ASSERT_FALSE(rate(indicator(2, 1), 9).ok()); // a refused write takes no number
    auto out = store->outbox();
    for (std::size_t i = 0; i < out->size(); ++i)
        EXPECT_EQ((*out)[i].change.dseq, static_cast<std::int64_t>(i + 1));
    const auto dseq = store->last_dseq();
    const auto hlc = store->last_hlc();
    const auto device = store->device_id();
    store.reset();
    clock.advance(-10 * 60 * 1000); // reopened after the wall clock stepped back
    store = open_store(dir, clock);
    EXPECT_EQ(store->last_dseq(), dseq);
    EXPECT_EQ(store->last_hlc(), hlc);
    EXPECT_EQ(store->device_id(), device);
    auto r = rate(indicator(3, 1), 0);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->change->dseq, dseq + 1);
    EXPECT_GT(*Hlc::parse(r->change->hlc), hlc);
}

TEST_F(StoreTest, EveryRefusedWriteLeavesTheStoreUnchanged) {
    auto obs = rate(indicator(1, 1), 2);
    ASSERT_TRUE(obs.ok());
    const std::string before = dump_database(store->database());
    struct Case {
        const char* what;
        WriteRequest request;
        const User* who;
        ErrorCode code;
    };
    const std::string missing = "0190a000-0000-7000-8000-00000000ffff";
    std::vector<Case> cases = {
        {"rating out of range",
         {"observation", "", "", {{"visit", visit}, {"indicator", indicator(1, 3)}, {"rating", 7}}},
         &org.lead,
         ErrorCode::Invalid},
        {"unknown field",
         {"observation", obs->id, "", {{"mood", 1}}},
         &org.lead,
         ErrorCode::Invalid},
        {"unknown entity", {"party", "", org.school, {{"x", 1}}}, &org.lead, ErrorCode::NotFound},
        {"bad id", {"observation", "obs-1", "", {{"rating", 1}}}, &org.lead, ErrorCode::Invalid},
        {"missing required",
         {"visit", "", org.school, {{"kind", "monitoring"}}},
         &org.lead,
         ErrorCode::Invalid},
        {"missing parent",
         {"observation", "", "", {{"visit", missing}, {"indicator", indicator(1, 3)}}},
         &org.lead,
         ErrorCode::NotFound},
        {"indicator of another rubric",
         {"observation", "", "", {{"visit", visit}, {"indicator", "msv-2026-2027-secondary/1.1"}}},
         &org.lead,
         ErrorCode::Invalid},
        {"immutable parent",
         {"observation", obs->id, "", {{"visit", missing}}},
         &org.lead,
         ErrorCode::Invalid},
        {"wrong school",
         {"observation", "", org.other_school, {{"visit", visit}, {"indicator", indicator(1, 3)}}},
         &org.lead,
         ErrorCode::Invalid},
        {"outside scope",
         {"visit",
          "",
          org.other_school,
          {{"kind", "monitoring"}, {"rubric", kRubric}, {"start_date", "2026-11-20"}}},
         &org.lead,
         ErrorCode::Forbidden},
        {"wrong role",
         {"observation", obs->id, "", {{"rating", 3}}},
         &org.principal,
         ErrorCode::Forbidden},
        {"not on the team",
         {"observation", obs->id, "", {{"rating", 3}}},
         &org.other_lead,
         ErrorCode::Forbidden},
        {"unknown school",
         {"plan",
          "",
          missing,
          {{"kind", "sip"},
           {"title", "P"},
           {"first_year", "2026-2027"},
           {"last_year", "2028-2029"}}},
         &org.receiver,
         ErrorCode::NotFound},
        {"forged author",
         {"reading",
          "",
          "",
          {{"benchmark", missing},
           {"date", "2026-11-01"},
           {"value", 1},
           {"recorded_by", org.lead.id}}},
         &org.principal,
         ErrorCode::Invalid},
        {"plan too short",
         {"plan",
          "",
          org.school,
          {{"kind", "sip"},
           {"title", "P"},
           {"first_year", "2026-2027"},
           {"last_year", "2027-2028"}}},
         &org.receiver,
         ErrorCode::Invalid},
        {"comment without target_entity",
         {"comment", "", "", {{"target", visit}, {"body", "hi"}}},
         &org.lead,
         ErrorCode::Invalid},
        {"visit status cleared",
         {"visit", visit, "", {{"status", nullptr}}},
         &org.lead,
         ErrorCode::Invalid},
        {"visit team emptied",
         {"visit", visit, "", {{"team", Json::array()}}},
         &org.lead,
         ErrorCode::Invalid},
        {"upper-case id",
         {"observation",
          "0190A000-0000-7000-8000-0000000000F1",
          "",
          {{"visit", visit}, {"indicator", indicator(1, 3)}}},
         &org.lead,
         ErrorCode::Invalid},
        {"conflict made on a device",
         {"conflict",
          "",
          org.school,
          {{"entity", "observation"}, {"row", obs->id}, {"field", "rating"}}},
         &org.lead,
         ErrorCode::Forbidden},
        {"evidence linking a missing benchmark",
         {"evidence",
          "",
          org.school,
          {{"title", "T"},
           {"kind", "document"},
           {"sha256", std::string(64, 'a')},
           {"size", 1},
           {"media_type", "text/plain"},
           {"benchmarks", {missing}}}},
         &org.principal,
         ErrorCode::Invalid},
        {"reading in the future",
         {"reading", "", "", {{"benchmark", missing}, {"date", "2031-01-01"}, {"value", 1}}},
         &org.principal,
         ErrorCode::NotFound},
    };
    for (const auto& c : cases) {
        auto r = store->put(*c.who, c.request);
        ASSERT_FALSE(r.ok()) << c.what;
        EXPECT_EQ(r.error().code, c.code) << c.what << ": " << r.error().message;
        EXPECT_FALSE(r.error().message.empty());
        EXPECT_EQ(dump_database(store->database()), before) << c.what;
    }
    auto del = store->remove(org.principal, "observation", obs->id);
    ASSERT_FALSE(del.ok());
    EXPECT_EQ(dump_database(store->database()), before);
}

TEST_F(StoreTest, DeleteLeavesATombstoneAndQueuesADelete) {
    auto obs = rate(indicator(1, 1), 2);
    ASSERT_TRUE(obs.ok());
    auto del = store->remove(org.lead, "observation", obs->id);
    ASSERT_TRUE(del.ok()) << del.error().message;
    EXPECT_EQ(del->change->kind, ChangeKind::Delete);
    EXPECT_TRUE(del->change->fields.empty());
    auto row = store->get("observation", obs->id);
    ASSERT_TRUE(*row);
    EXPECT_TRUE((*row)->deleted);
    EXPECT_TRUE(store->list("observation", "visit", visit)->empty());
    auto edit = store->put(org.lead, {"observation", obs->id, "", {{"rating", 1}}});
    ASSERT_FALSE(edit.ok());
    EXPECT_EQ(edit.error().message, "observation " + obs->id + " was deleted");
    auto twice = store->remove(org.lead, "observation", obs->id);
    ASSERT_TRUE(twice.ok());
    EXPECT_FALSE(twice->change); // already gone: nothing more to send
}

TEST_F(StoreTest, VisitsMoveForwardFromDraftAndThenFreeze) {
    ASSERT_TRUE(rate(indicator(1, 1), 2).ok());
    auto jump = store->put(org.lead, {"visit", visit, "", {{"status", "reviewed"}}});
    EXPECT_EQ(jump.error().message, "a visit is submitted before it is reviewed");
    ASSERT_TRUE(store->put(org.lead, {"visit", visit, "", {{"status", "submitted"}}}).ok());
    EXPECT_EQ(rate(indicator(1, 2), 1).error().message,
              "the visit is submitted; its ratings can no longer change");
    EXPECT_EQ(
        store->put(org.lead, {"visit", visit, "", {{"start_date", "2026-11-21"}}}).error().code,
        ErrorCode::Forbidden);
    EXPECT_EQ(store->put(org.lead, {"visit", visit, "", {{"status", "draft"}}}).error().message,
              "a submitted visit cannot go back to draft");
    // Reviewed: by a regional director of the region or an admin, with a comment; never by the
    // visit's own lead.
    const Json review{{"status", "reviewed"}, {"review_comment", "Ratings match the evidence."}};
    auto own = store->put(org.lead, {"visit", visit, "", review});
    ASSERT_FALSE(own.ok());
    EXPECT_EQ(own.error().message, "a visit is marked reviewed by a regional director or an "
                                   "admin, never by its own team");
    EXPECT_EQ(store->put(org.other_lead, {"visit", visit, "", review}).error().message,
              "only a regional director or an admin marks a visit reviewed");
    EXPECT_EQ(
        store->put(org.director, {"visit", visit, "", {{"status", "reviewed"}}}).error().message,
        "a visit is marked reviewed with a comment saying what the review found");
    Json more = review;
    more["start_date"] = "2026-11-19";
    EXPECT_EQ(store->put(org.director, {"visit", visit, "", more}).error().code,
              ErrorCode::Forbidden);
    auto reviewed = store->put(org.director, {"visit", visit, "", review});
    ASSERT_TRUE(reviewed.ok()) << reviewed.error().message;
    const Json fields = (*store->get("visit", visit))->fields;
    EXPECT_EQ(fields["status"], "reviewed");
    EXPECT_EQ(fields["reviewed_by"], org.director.id);
    EXPECT_EQ(fields["review_comment"], "Ratings match the evidence.");
}

TEST_F(StoreTest, RegionalDirectorsAssignLeadsCaseloadsInsideTheirRegionOnly) {
    // A district of another region, and the people's records as the directory holds them.
    const std::string far_region = "0190a000-0000-7000-8000-0000000000a2";
    const std::string far_district = "0190a000-0000-7000-8000-0000000000d3";
    ASSERT_TRUE(
        store->put(org.admin, {"region", far_region, "", {{"name", "West"}, {"code", "WEST"}}})
            .ok());
    ASSERT_TRUE(
        store
            ->put(org.admin, {"district",
                              far_district,
                              "",
                              {{"region", far_region}, {"code", "00370000"}, {"name", "Pine"}}})
            .ok());
    User far_lead = org.other_lead;
    far_lead.districts = {org.district, far_district};
    for (const User* u : {&org.lead, &far_lead, &org.receiver, &org.director}) {
        auto r = store->put(org.admin, {"user", u->id, "", u->to_fields()});
        ASSERT_TRUE(r.ok()) << r.error().message;
    }
    const std::string before = dump_database(store->database());
    auto refused = [&](const User& who, const std::string& id, const Json& fields) {
        auto r = store->put(who, {"user", id, "", fields});
        EXPECT_FALSE(r.ok());
        EXPECT_EQ(dump_database(store->database()), before);
        return r.ok() ? std::string() : r.error().message;
    };
    // Outside the director's region, whether added or taken away.
    EXPECT_EQ(refused(org.director, org.lead.id, {{"districts", {org.district, far_district}}}),
              "Pine is outside your region; its regional director or an admin assigns it");
    EXPECT_EQ(refused(org.director, far_lead.id, {{"districts", {org.district}}}),
              "Pine is outside your region; its regional director or an admin assigns it");
    EXPECT_EQ(refused(org.director, org.lead.id,
                      {{"districts", {org.district, "0190a000-0000-7000-8000-0000000000d9"}}}),
              "district 0190a000-0000-7000-8000-0000000000d9 is not a district of the state's "
              "directory");
    // 1 to 3 districts; leads only; the districts only; never by a lead or a principal.
    EXPECT_EQ(refused(org.director, org.lead.id, {{"districts", Json::array()}}),
              "an assistance lead's caseload is 1 to 3 districts");
    EXPECT_EQ(refused(org.director, org.receiver.id, {{"districts", {org.district}}}),
              "a regional director assigns the caseloads of Assistance Leads only");
    EXPECT_EQ(refused(org.director, org.lead.id,
                      {{"districts", {org.other_district}}, {"name", "Someone else"}}),
              "a regional director changes only the districts of a lead's caseload; an admin "
              "changes the rest of a person's record");
    EXPECT_EQ(refused(org.director, org.lead.id, {{"active", false}}),
              "a regional director changes only the districts of a lead's caseload; an admin "
              "changes the rest of a person's record");
    EXPECT_EQ(refused(org.lead, org.lead.id, {{"districts", {org.other_district}}}),
              "only an admin may change user records");
    EXPECT_FALSE(store->remove(org.director, "user", org.lead.id).ok());
    User other_director = org.director;
    other_director.region = far_region;
    EXPECT_EQ(refused(other_director, org.lead.id, {{"districts", {org.other_district}}}),
              "Harbor is outside your region; its regional director or an admin assigns it");

    // Inside the region: add, move, and take away, keeping what lies outside it.
    auto moved =
        store->put(org.director, {"user", org.lead.id, "", {{"districts", {org.other_district}}}});
    ASSERT_TRUE(moved.ok()) << moved.error().message;
    EXPECT_EQ((*store->get("user", org.lead.id))->fields["districts"], Json({org.other_district}));
    auto kept =
        store->put(org.director, {"user", far_lead.id, "", {{"districts", {far_district}}}});
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    EXPECT_EQ((*store->get("user", far_lead.id))->fields["districts"], Json({far_district}));
    // A district gone from the directory may be taken away.
    ASSERT_TRUE(store
                    ->put(org.admin,
                          {"user", far_lead.id, "", {{"districts", {org.district, far_district}}}})
                    .ok());
    ASSERT_TRUE(store->remove(org.admin, "district", far_district).ok());
    auto gone =
        store->put(org.director, {"user", far_lead.id, "", {{"districts", {org.district}}}});
    EXPECT_TRUE(gone.ok()) << gone.error().message;
    // A revoked lead's caseload waits for an admin to restore the account.
    ASSERT_TRUE(store->put(org.admin, {"user", org.lead.id, "", {{"active", false}}}).ok());
    auto revoked =
        store->put(org.director, {"user", org.lead.id, "", {{"districts", {org.district}}}});
    ASSERT_FALSE(revoked.ok());
    EXPECT_EQ(revoked.error().message,
              "this lead's account is revoked; an admin restores it before a caseload changes");
}

TEST_F(StoreTest, HistoryRowsAreAppendOnly) {
    auto plan = store->put(org.receiver, {"plan",
                                          "",
                                          org.school,
                                          {{"kind", "turnaround"},
                                           {"title", "P"},
                                           {"first_year", "2026-2027"},
                                           {"last_year", "2028-2029"}}});
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    auto objective = store->put(
        org.receiver, {"objective", "", "", {{"plan", plan->id}, {"title", "O"}, {"practice", 2}}});
    auto initiative = store->put(
        org.receiver, {"initiative", "", "", {{"objective", objective->id}, {"title", "I"}}});
    auto bm = store->put(org.receiver, {"benchmark",
                                        "",
                                        "",
                                        {{"initiative", initiative->id},
                                         {"type", "outcome"},
                                         {"audience", "students"},
                                         {"measure", "ELA"},
                                         {"baseline", 30},
                                         {"baseline_date", "2026-09-01"},
                                         {"target", 50},
                                         {"due", "2027-06-01"},
                                         {"cadence", "monthly"}}});
    ASSERT_TRUE(bm.ok()) << bm.error().message;
    auto reading = store->put(
        org.principal,
        {"reading", "", "", {{"benchmark", bm->id}, {"date", "2026-11-01"}, {"value", 36}}});
    ASSERT_TRUE(reading.ok()) << reading.error().message;
    EXPECT_EQ((*store->get("reading", reading->id))->fields["recorded_by"], org.principal.id);
    EXPECT_EQ(store->put(org.principal, {"reading", reading->id, "", {{"value", 37}}}).error().code,
              ErrorCode::Conflict);
    EXPECT_EQ(store->remove(org.principal, "reading", reading->id).error().code,
              ErrorCode::Conflict);
    EXPECT_EQ(
        store
            ->put(
                org.other_principal,
                {"reading", "", "", {{"benchmark", bm->id}, {"date", "2026-11-02"}, {"value", 1}}})
            .error()
            .code,
        ErrorCode::Forbidden);
}

TEST_F(StoreTest, CommentsTakeTheSchoolOfWhatTheyAreAbout) {
    ASSERT_TRUE(store->put(org.lead, {"visit", visit, "", {{"status", "submitted"}}}).ok());
    auto c = store->put(org.principal,
                        {"comment",
                         "",
                         "",
                         {{"target_entity", "visit"}, {"target", visit}, {"body", "Thank you."}}});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ((*store->get("comment", c->id))->school, org.school);
    EXPECT_EQ((*store->get("comment", c->id))->fields["author"], org.principal.id);
    auto other = store->put(
        org.other_principal,
        {"comment", "", "", {{"target_entity", "visit"}, {"target", visit}, {"body", "Hi"}}});
    EXPECT_EQ(other.error().code, ErrorCode::Forbidden);
}

TEST_F(StoreTest, OpeningSomethingThatIsNotAStoreFailsClearly) {
    std::string path = dir.file("notes.txt");
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        std::fputs("these are not the tables you are looking for, just plain text in a file", f);
        std::fclose(f);
    }
    StoreOptions o;
    o.path = path;
    auto s = Store::open(o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::Storage);
    EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
}

TEST(StoreSchema, EveryFieldOfEveryEntityHasItsColumn) {
    TempDir dir;
    ManualClock clock(kNov2026);
    auto store = open_store(dir, clock);
    for (const auto& spec : entity_specs()) {
        std::set<std::string> cols;
        auto st = store->database().prepare("PRAGMA table_info(\"" + spec.name + "\")");
        while (st->step())
            cols.insert(st->text(1));
        for (const char* sys : {"id", "school", "_seq", "_hlc", "_deleted"})
            EXPECT_TRUE(cols.count(sys)) << spec.name << "." << sys;
        for (const auto& f : spec.fields)
            EXPECT_TRUE(cols.count(f.name)) << spec.name << "." << f.name;
        EXPECT_EQ(cols.size(), spec.fields.size() + 5) << spec.name;
    }
}

TEST_F(StoreTest, AStorageFailureMidWriteRollsBackRowOutboxAndCounter) {
    auto first = rate(indicator(1, 1), 2);
    ASSERT_TRUE(first.ok());
    const std::string before = dump_database(store->database());
    const auto dseq = store->last_dseq();
    // The audit insert, the last of the three writes, fails.
    store->database().exec("CREATE TEMP TRIGGER audit_fails BEFORE INSERT ON audit "
                           "BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    auto failed = store->put(org.lead, {"observation", first->id, "", {{"rating", 3}}});
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::Storage);
    EXPECT_NE(failed.error().message.find("disk says no"), std::string::npos)
        << failed.error().message;
    EXPECT_EQ(store->last_dseq(), dseq);
    store->database().exec("DROP TRIGGER audit_fails");
    EXPECT_EQ(dump_database(store->database()), before);
    auto next = store->put(org.lead, {"observation", first->id, "", {{"rating", 3}}});
    ASSERT_TRUE(next.ok()) << next.error().message;
    EXPECT_EQ(next->change->dseq, dseq + 1); // no gap
}

TEST_F(StoreTest, ADeletedVisitKeepsItsRulesForWhatHangsOffIt) {
    auto obs = rate(indicator(1, 1), 2);
    ASSERT_TRUE(obs.ok());
    ASSERT_TRUE(store->remove(org.lead, "visit", visit).ok());
    auto edit = store->put(org.lead, {"observation", obs->id, "", {{"rating", 3}}});
    ASSERT_FALSE(edit.ok());
    EXPECT_EQ(edit.error().message, "visit " + visit + " was deleted");
    EXPECT_EQ(
        store->put(org.other_lead, {"observation", obs->id, "", {{"rating", 3}}}).error().code,
        ErrorCode::Conflict);
    EXPECT_EQ(
        store
            ->put(
                org.principal,
                {"comment", "", "", {{"target_entity", "visit"}, {"target", visit}, {"body", "x"}}})
            .error()
            .code,
        ErrorCode::Conflict);
}

TEST_F(StoreTest, ReadingsAreOfThePastAndEvidenceLinksStayInItsSchool) {
    auto plan = store->put(org.receiver, {"plan",
                                          "",
                                          org.school,
                                          {{"kind", "turnaround"},
                                           {"title", "P"},
                                           {"first_year", "2026-2027"},
                                           {"last_year", "2028-2029"}}});
    auto objective = store->put(
        org.receiver, {"objective", "", "", {{"plan", plan->id}, {"title", "O"}, {"practice", 2}}});
    auto initiative = store->put(
        org.receiver, {"initiative", "", "", {{"objective", objective->id}, {"title", "I"}}});
    auto bm = store->put(org.receiver, {"benchmark",
                                        "",
                                        "",
                                        {{"initiative", initiative->id},
                                         {"type", "outcome"},
                                         {"audience", "students"},
                                         {"measure", "ELA"},
                                         {"baseline", 30},
                                         {"baseline_date", "2026-09-01"},
                                         {"target", 50},
                                         {"due", "2027-06-01"},
                                         {"cadence", "monthly"}}});
    ASSERT_TRUE(bm.ok()) << bm.error().message;
    auto future = store->put(
        org.principal,
        {"reading", "", "", {{"benchmark", bm->id}, {"date", "2027-01-01"}, {"value", 60}}});
    ASSERT_FALSE(future.ok());
    EXPECT_EQ(future.error().message, "date 2027-01-01 is in the future");
    EXPECT_TRUE(
        store
            ->put(
                org.principal,
                {"reading", "", "", {{"benchmark", bm->id}, {"date", "2026-11-23"}, {"value", 36}}})
            .ok());

    Json evidence{
        {"title", "Agenda"}, {"kind", "document"},         {"sha256", std::string(64, 'b')},
        {"size", 10},        {"media_type", "text/plain"}, {"benchmarks", {bm->id}}};
    EXPECT_TRUE(store->put(org.principal, {"evidence", "", org.school, evidence}).ok());
    // The same benchmark from a school it does not belong to.
    User both = org.admin;
    auto cross = store->put(both, {"evidence", "", org.other_school, evidence});
    ASSERT_FALSE(cross.ok());
    EXPECT_EQ(cross.error().message,
              "benchmarks names benchmark " + bm->id + ", which is not a benchmark of this school");
}

TEST_F(StoreTest, ADeviceResolvesAConflictButCannotForgeOne) {
    auto obs = rate(indicator(1, 1), 2);
    ASSERT_TRUE(obs.ok());
    // Conflict records arrive from the server.
    const std::string conflict = "0190a000-0000-7000-8000-0000000000cf";
    Change c;
    c.op = "0190a000-0000-7000-8000-0000000000b9";
    c.entity = "conflict";
    c.id = conflict;
    c.school = org.school;
    c.fields = {{"entity", "observation"}, {"row", obs->id},   {"field", "rating"},
                {"winner_value", 3},       {"loser_value", 2}, {"status", "open"}};
    c.hlc = Hlc{kNov2026, 0, "server"}.to_string();
    c.dseq = 1;
    c.seq = 40;
    ASSERT_TRUE(store->apply_remote({c}, 40).ok());
    EXPECT_EQ(
        store->put(org.lead, {"conflict", conflict, "", {{"winner_value", 1}}}).error().message,
        "only a conflict's status, resolution and resolved_by can change");
    EXPECT_EQ(store
                  ->put(org.principal,
                        {"conflict", conflict, "", {{"status", "resolved"}, {"resolution", 2}}})
                  .error()
                  .code,
              ErrorCode::Forbidden); // a principal may not touch a draft visit's ratings
    EXPECT_EQ(store->remove(org.lead, "conflict", conflict).error().code, ErrorCode::Forbidden);
    EXPECT_EQ(store->put(org.lead, {"conflict", conflict, "", {{"status", nullptr}}}).error().code,
              ErrorCode::Invalid);
    auto resolved = store->put(
        org.lead, {"conflict", conflict, "", {{"status", "resolved"}, {"resolution", 2}}});
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved->change->fields["resolved_by"], org.lead.id);
    EXPECT_EQ(store->put(org.lead, {"conflict", conflict, "", {{"status", "open"}}}).error().code,
              ErrorCode::Conflict);
}

TEST_F(StoreTest, AnotherPersonStartsOverOnlyOnceEverythingIsOnTheServer) {
    // Signed in once (the sync client records the owner), then signed out: the owner's data.
    store->database().exec("UPDATE device_state SET owner = '" + org.lead.id + "'");
    ASSERT_TRUE(rate(indicator(1, 1), 2).ok());
    // Changes not yet sent: refused, and nothing is touched.
    const auto before =
        count("SELECT COUNT(*) FROM observation") + 1000 * count("SELECT COUNT(*) FROM outbox");
    const auto device = store->device_id();
    auto refused = store->start_over();
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message, std::to_string(count("SELECT COUNT(*) FROM outbox")) +
                                           " changes are not on the server yet; sign in as the "
                                           "person who made them and sync first");
    EXPECT_EQ(count("SELECT COUNT(*) FROM observation") +
                  1000 * count("SELECT COUNT(*) FROM outbox"),
              before);
    EXPECT_EQ(store->device_id(), device);
    EXPECT_EQ(text("SELECT owner FROM device_state"), org.lead.id);
    // Once the server has them all, the device starts over: empty, a new id, numbering from 1.
    std::vector<Store::Ack> acks;
    for (const auto& e : *store->outbox())
        acks.push_back({e.change.op, "applied", e.change.dseq, ""});
    ASSERT_TRUE(store->acknowledge(acks).ok());
    const Hlc last = store->last_hlc();
    ASSERT_TRUE(store->start_over().ok());
    for (const auto& spec : entity_specs())
        EXPECT_EQ(count("SELECT COUNT(*) FROM \"" + spec.name + "\""), 0) << spec.name;
    for (const char* t : {"outbox", "audit", "remote_reject", "blob_queue", "session"})
        EXPECT_EQ(count(std::string("SELECT COUNT(*) FROM ") + t), 0) << t;
    EXPECT_NE(store->device_id(), device);
    EXPECT_EQ(store->cursor(), 0);
    EXPECT_EQ(text("SELECT owner FROM device_state"), "");
    EXPECT_EQ(store->last_dseq(), 0);
    seed_org(*store, org);
    EXPECT_EQ(store->outbox()->front().change.dseq, 1);
    auto v = store->put(
        org.principal,
        {"reading", "", "", {{"benchmark", "nope"}, {"date", "2026-11-20"}, {"value", 1}}});
    EXPECT_FALSE(v.ok());
    auto w = store->put(
        org.lead, {"visit",
                   "",
                   org.school,
                   {{"kind", "monitoring"}, {"rubric", kRubric}, {"start_date", "2026-11-21"}}});
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_EQ(w->change->dseq, store->outbox()->back().change.dseq);
    EXPECT_GT(*Hlc::parse(w->change->hlc), last);
    EXPECT_EQ(Hlc::parse(w->change->hlc)->device, store->device_id());
    // The new id and numbering survive reopening.
    const auto fresh = store->device_id();
    store.reset();
    store = open_store(dir, clock);
    EXPECT_EQ(store->device_id(), fresh);
    EXPECT_EQ(store->last_dseq(), w->change->dseq);
}

#ifndef _WIN32
#include <sys/stat.h>

// The store holds the owner's data (and the token where no keyring works): its files are
// 0600 whatever the umask, and an older 0644 file is tightened when opened.
TEST(StoreFiles, AreReadableByTheirOwnerOnly) {
    TempDir dir;
    ManualClock clock{kNov2026};
    const mode_t old = ::umask(022);
    auto mode = [](const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
    };
    {
        auto store = Store::open({dir.file("device.db"), &clock});
        ASSERT_TRUE(store.ok()) << store.error().message;
        Org org;
        seed_org(**store, org);
        EXPECT_EQ(mode(dir.file("device.db")), 0600);
        EXPECT_EQ(mode(dir.file("device.db-wal")), 0600);
        EXPECT_EQ(mode(dir.file("device.db-shm")), 0600);
    }
    ASSERT_EQ(::chmod(dir.file("device.db").c_str(), 0644), 0);
    {
        auto store = Store::open({dir.file("device.db"), &clock});
        ASSERT_TRUE(store.ok());
        EXPECT_EQ(mode(dir.file("device.db")), 0600);
    }
    ::umask(old);
}
#endif

// The store says what each committed write touched; refused and rolled-back writes say nothing.
TEST_F(StoreTest, ObserversHearOfCommittedWritesOnly) {
    std::vector<StoreChange> heard;
    store->subscribe([&](const StoreChange& c) { heard.push_back(c); });

    auto r = rate(indicator(1, 1), 2);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(heard.size(), 1u);
    EXPECT_EQ(heard[0].entities, std::vector<std::string>{"observation"});
    EXPECT_EQ(heard[0].schools, std::vector<std::string>{org.school});
    EXPECT_TRUE(heard[0].touches("observation"));
    EXPECT_FALSE(heard[0].touches("visit"));
    EXPECT_FALSE(heard[0].everything);

    // Refused by validation, by permission, and a write that changes nothing.
    EXPECT_FALSE(rate(indicator(1, 2), 9).ok());
    EXPECT_FALSE(rate(indicator(1, 2), 1, &org.principal).ok());
    EXPECT_TRUE(store->put(org.lead, {"observation", r->id, "", {{"rating", 2}}}).ok());
    EXPECT_EQ(heard.size(), 1u);

    // Rolled back: the audit row fails after the row and outbox entry were written.
    store->database().exec("CREATE TEMP TRIGGER no_audit BEFORE INSERT ON audit "
                           "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    auto failed = rate(indicator(1, 3), 1);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::Storage);
    EXPECT_FALSE(store->remove(org.lead, "observation", r->id).ok());
    EXPECT_EQ(heard.size(), 1u);
    store->database().exec("DROP TRIGGER no_audit");

    ASSERT_TRUE(store->remove(org.lead, "observation", r->id).ok());
    ASSERT_EQ(heard.size(), 2u);
    EXPECT_EQ(heard[1].entities, std::vector<std::string>{"observation"});
}

TEST_F(StoreTest, ObserversHearOfAppliedPagesAndStartingOver) {
    std::vector<StoreChange> heard;
    store->subscribe([&](const StoreChange& c) { heard.push_back(c); });
    Change c;
    c.op = "0190a000-0000-7000-8000-000000000f01";
    c.entity = "visit";
    c.id = "0190a000-0000-7000-8000-0000000000e7";
    c.school = org.school;
    c.fields = {{"kind", "walkthrough"},
                {"rubric", kRubric},
                {"start_date", "2026-11-21"},
                {"team", {org.lead.id}},
                {"status", "draft"}};
    c.hlc = Hlc{kNov2026 - 1000, 0, "0190a000-0000-7000-8000-00000000de99"}.to_string();
    c.dseq = 1;
    c.seq = 1;
    auto applied = store->apply_remote({c}, 1);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    ASSERT_EQ(applied->applied, 1);
    ASSERT_EQ(heard.size(), 1u);
    EXPECT_EQ(heard[0].entities, std::vector<std::string>{"visit"});
    EXPECT_EQ(heard[0].schools, std::vector<std::string>{org.school});
    // The same page again changes nothing, so nothing is said.
    auto again = store->apply_remote({c}, 1);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->stale, 1);
    EXPECT_EQ(heard.size(), 1u);

    // Refused while changes wait to be sent; then, once they are gone, everything goes.
    EXPECT_FALSE(store->start_over().ok());
    EXPECT_EQ(heard.size(), 1u);
    std::vector<Store::Ack> acks;
    for (const auto& e : *store->outbox())
        acks.push_back({e.change.op, "applied", 1, ""});
    ASSERT_TRUE(store->acknowledge(acks).ok());
    EXPECT_EQ(heard.size(), 1u); // the outbox is not rows
    ASSERT_TRUE(store->start_over().ok());
    ASSERT_EQ(heard.size(), 2u);
    EXPECT_TRUE(heard[1].everything);
    EXPECT_TRUE(heard[1].touches("school"));
}

// A resolution writes the field, then the conflict record: when the second write fails, the
// first rolls back with it and nobody hears of either.
TEST_F(StoreTest, ObserversHearNothingOfAResolutionThatRollsBack) {
    auto obs = rate(indicator(2, 1), 2);
    ASSERT_TRUE(obs.ok()) << obs.error().message;
    const std::string conflict = "0190a000-0000-7000-8000-0000000000e9";
    Change c;
    c.op = "0190a000-0000-7000-8000-000000000f02";
    c.entity = "conflict";
    c.id = conflict;
    c.school = org.school;
    c.fields = {{"entity", "observation"},     {"row", obs->id},   {"field", "rating"},
                {"winner_value", 2},           {"loser_value", 3}, {"winner_author", org.lead.id},
                {"loser_author", org.lead.id}, {"status", "open"}};
    c.hlc = Hlc{kNov2026 - 1000, 0, "0190a000-0000-7000-8000-00000000de99"}.to_string();
    c.dseq = 1;
    c.seq = 1;
    ASSERT_TRUE(store->apply_remote({c}, 1).ok());

    std::vector<StoreChange> heard;
    store->subscribe([&](const StoreChange& change) { heard.push_back(change); });
    for (const char* when : {"INSERT", "UPDATE"})
        store->database().exec(std::string("CREATE TEMP TRIGGER no_conflict_") + when + " BEFORE " +
                               when +
                               " ON conflict BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    auto failed = store->resolve_conflict(org.lead, conflict, 3);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ((*store->get("observation", obs->id))->fields["rating"], 2); // rolled back
    EXPECT_TRUE(heard.empty());
    for (const char* when : {"INSERT", "UPDATE"})
        store->database().exec(std::string("DROP TRIGGER no_conflict_") + when);

    ASSERT_TRUE(store->resolve_conflict(org.lead, conflict, 3).ok());
    ASSERT_EQ(heard.size(), 1u);
    EXPECT_EQ(heard[0].entities, (std::vector<std::string>{"conflict", "observation"}));
    EXPECT_EQ(heard[0].schools, std::vector<std::string>{org.school});
}

TEST_F(StoreTest, AnOutboxStateThisBuildDoesNotKnowIsAnErrorNotAGuess) {
    ASSERT_TRUE(rate(indicator(1, 1), 2).ok());
    ASSERT_EQ(*store->count_outbox(OutboxState::Pending), count("SELECT count(*) FROM outbox"));
    store->database().exec("UPDATE outbox SET state = 'parked'");
    auto out = store->outbox();
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.error().message.find("unknown state: parked"), std::string::npos)
        << out.error().message;
    EXPECT_FALSE(store->pending_changes(10).ok()); // never sent as if it were pending
}

TEST_F(StoreTest, AcknowledgedChangesAreKeptForARestoredServerWithinTheirBounds) {
    ASSERT_TRUE(rate(indicator(1, 1), 2).ok());
    const auto sent_before = store->outbox()->size();
    std::vector<Store::Ack> acks;
    for (const auto& e : *store->outbox())
        acks.push_back({e.change.op, "applied", e.change.dseq, ""});
    acks.back().status = "rejected"; // a refused change stays in the outbox, not kept as sent
    acks.back().error = "no";
    ASSERT_TRUE(store->acknowledge(acks).ok());
    EXPECT_EQ(*store->sent_count(), static_cast<std::int64_t>(sent_before) - 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM outbox"), 1);
    // Past the retention: the old ones go when the next acknowledgement comes.
    clock.advance(Store::kSentKeepMs + 1000);
    ASSERT_TRUE(rate(indicator(1, 2), 3).ok());
    const std::string op = store->outbox()->back().change.op;
    ASSERT_TRUE(store->acknowledge({{op, "applied", 99, ""}}).ok());
    EXPECT_EQ(*store->sent_count(), 1);
    // And never more than the newest kSentKeepCount.
    store->database().exec(
        "WITH RECURSIVE n(i) AS (SELECT -1000 - " + std::to_string(Store::kSentKeepCount) +
        " UNION ALL SELECT i + 1 FROM n WHERE i < -1000) INSERT INTO sent (dseq, op, entity, "
        "row_id, school, kind, fields, hlc, base, schema, "
        "acked_at) SELECT i, 'op' || i, 'visit', 'x', '', 'upsert', '{}', '', 0, 2, " +
        std::to_string(clock.now_ms()) + " FROM n");
    ASSERT_TRUE(rate(indicator(1, 3), 1).ok());
    ASSERT_TRUE(store->acknowledge({{store->outbox()->back().change.op, "applied", 100, ""}}).ok());
    EXPECT_EQ(*store->sent_count(), Store::kSentKeepCount);
    EXPECT_EQ(count("SELECT MAX(dseq) FROM sent"), store->last_dseq());
}

TEST_F(StoreTest, ARecoverySendsAgainWhatWasKeptAndDropsWhatTheServerNoLongerHolds) {
    ASSERT_TRUE(rate(indicator(1, 1), 2).ok());
    auto all = *store->outbox();
    std::vector<Store::Ack> acks;
    std::vector<Change> echoed;
    std::int64_t seq = 0;
    for (const auto& e : all) {
        acks.push_back({e.change.op, "applied", ++seq, ""});
        Change c = e.change;
        c.seq = seq;
        echoed.push_back(c);
    }
    ASSERT_TRUE(store->acknowledge(acks).ok());
    // Another lead's comment on the visit arrives from the server too.
    Change other{};
    other.op = "0190a000-0000-7000-8000-00000000ee01";
    other.entity = "comment";
    other.id = "0190a000-0000-7000-8000-00000000ee02";
    other.school = org.school;
    other.kind = ChangeKind::Upsert;
    other.fields = {{"target_entity", "visit"},
                    {"target", visit},
                    {"author", org.other_lead.id},
                    {"body", "Seen"},
                    {"at", "2026-11-23T09:30:00Z"}};
    other.hlc = Hlc{kNov2026, 0, "other-device"}.to_string();
    other.schema = kDataSchemaVersion;
    other.dseq = 1;
    other.seq = ++seq;
    echoed.push_back(other);
    auto applied = store->apply_remote(echoed, seq);
    ASSERT_TRUE(applied) << applied.error().message;
    ASSERT_EQ(applied->rejected, 0);
    ASSERT_TRUE(store->set_epoch("0123456789abcdef0123456789abcdef").ok());
    ASSERT_TRUE(store->get("comment", other.id)->has_value());

    auto r = store->begin_resync();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->resent, static_cast<std::int64_t>(all.size()));
    EXPECT_EQ(*store->count_outbox(OutboxState::Pending), static_cast<std::int64_t>(all.size()));
    EXPECT_EQ(*store->sent_count(), 0);
    EXPECT_EQ(store->cursor(), 0);
    EXPECT_TRUE(store->resyncing());
    EXPECT_EQ(count("SELECT COUNT(*) FROM comment WHERE _seq = -1"), 1);
    // Again while it runs: nothing more happens. And it survives a restart.
    EXPECT_EQ(store->begin_resync()->resent, 0);
    store.reset();
    store = open_store(dir, clock);
    EXPECT_TRUE(store->resyncing());
    EXPECT_EQ(store->epoch(), "0123456789abcdef0123456789abcdef");
    // An edit meanwhile counts the row as never seen (base 0, not -1).
    auto edit = rate(indicator(1, 1), 3);
    ASSERT_TRUE(edit.ok());
    // An edit of a row the device had: base 0 too.
    auto v =
        store->put(org.lead, {"visit", visit, org.school, {{"strengths", {{"1", "Routines"}}}}});
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(v->change->base, 0);

    // The server holds the device's own rows again (they were sent again), not the comment.
    std::vector<Change> page;
    for (Change c : echoed)
        if (c.entity != "comment") {
            c.seq += 10;
            page.push_back(c);
        }
    ASSERT_TRUE(store->apply_remote(page, 20));
    auto gone = store->finish_resync("fedcba9876543210fedcba9876543210");
    ASSERT_TRUE(gone) << gone.error().message;
    EXPECT_EQ(*gone, 1);
    EXPECT_FALSE(store->get("comment", other.id)->has_value());
    EXPECT_TRUE(store->get("visit", visit)->has_value());
    // The kept observation came back; the one rated meanwhile waits in the outbox.
    EXPECT_EQ(count("SELECT COUNT(*) FROM observation"), 2);
    EXPECT_EQ(count("SELECT COUNT(*) FROM observation WHERE _seq = 0"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM visit WHERE _seq < 0"), 0);
    EXPECT_FALSE(store->resyncing());
    store.reset();
    store = open_store(dir, clock);
    EXPECT_FALSE(store->resyncing());
    EXPECT_EQ(store->epoch(), "fedcba9876543210fedcba9876543210");
}

TEST_F(StoreTest, ARowTheServerHadThisDeviceRemoveComesBackWithItsNextVersion) {
    // The visit as the server sends it, then a delete for this device (taken off the team),
    // then the visit again (added back): live again, with its fields.
    Change v = store->outbox()->back().change;
    ASSERT_EQ(v.entity, "visit");
    v.seq = 10;
    ASSERT_TRUE(store->apply_remote({v}, 10));
    Change gone = v;
    gone.kind = ChangeKind::Delete;
    gone.fields = Json::object();
    gone.seq = 11;
    ASSERT_TRUE(store->apply_remote({gone}, 11));
    EXPECT_EQ(count("SELECT _deleted FROM visit WHERE id = '" + visit + "'"), 1);
    Change back = v;
    back.seq = 12;
    ASSERT_TRUE(store->apply_remote({back}, 12));
    EXPECT_EQ(count("SELECT _deleted FROM visit WHERE id = '" + visit + "'"), 0);
    ASSERT_TRUE(store->get("visit", visit)->has_value());
    EXPECT_EQ((*store->get("visit", visit))->fields.value("kind", ""), "monitoring");
    // A delete this device is still sending is not undone by a version from the server.
    ASSERT_TRUE(store->remove(org.lead, "visit", visit).ok());
    back.seq = 13;
    ASSERT_TRUE(store->apply_remote({back}, 13));
    EXPECT_EQ(count("SELECT _deleted FROM visit WHERE id = '" + visit + "'"), 1);
}

TEST_F(StoreTest, ADistrictLeaderLeadsExactlyOneDistrict) {
    User leader = org.lead;
    leader.id = "0190a000-0000-7000-8000-000000000008";
    leader.role = Role::DistrictLeader;
    leader.districts = {org.district, org.other_district};
    auto two = store->put(org.admin, {"user", leader.id, "", leader.to_fields()});
    ASSERT_FALSE(two.ok());
    EXPECT_EQ(two.error().message, "a district leader leads exactly one district");
    leader.districts = {org.district};
    auto one = store->put(org.admin, {"user", leader.id, "", leader.to_fields()});
    ASSERT_TRUE(one.ok()) << one.error().message;
    EXPECT_EQ((*store->get("user", leader.id))->fields["role"], "district_leader");
    // The role is data schema 4's: the change says so, and older devices are not sent it.
    const Json fields = (*store->get("user", leader.id))->fields;
    EXPECT_EQ(schema_needed(*find_entity("user"), fields), 4);
    EXPECT_FALSE(readable_fields(*find_entity("user"), fields, 3));
    EXPECT_TRUE(readable_fields(*find_entity("user"), fields, 4));
}

// Monitoring meetings (data schema 4): the school's principal records them, linking only the
// school's benchmarks and next steps, a note per benchmark reviewed; a meeting keeps a
// benchmark's rhythm as a reading does.
TEST_F(StoreTest, APrincipalRecordsAMonitoringMeetingThatKeepsTheRhythm) {
    auto made = [&](const User& who, const char* entity, Json fields,
                    const std::string& school = {}) {
        auto r = store->put(who, {entity, "", school, std::move(fields)});
        EXPECT_TRUE(r.ok()) << entity << ": " << r.error().message;
        return r.ok() ? r->id : std::string();
    };
    const std::string plan = made(org.receiver, "plan",
                                  {{"kind", "turnaround"},
                                   {"title", "P"},
                                   {"first_year", "2026-2027"},
                                   {"last_year", "2028-2029"}},
                                  org.school);
    const std::string objective =
        made(org.receiver, "objective", {{"plan", plan}, {"title", "O"}, {"practice", 2}});
    const std::string initiative =
        made(org.receiver, "initiative", {{"objective", objective}, {"title", "I"}});
    const std::string bm = made(org.receiver, "benchmark",
                                {{"initiative", initiative},
                                 {"type", "process"},
                                 {"audience", "educators"},
                                 {"measure", "Teams meeting weekly"},
                                 {"baseline", 0},
                                 {"baseline_date", "2026-10-01"},
                                 {"target", 10},
                                 {"due", "2027-06-01"},
                                 {"cadence", "monthly"}});
    const std::int64_t today = *parse_date_days("2026-11-23");
    // Nothing since October 1: 38 days of a monthly rhythm ran out on November 8.
    auto before = benchmark_cadence(*store, bm, today);
    ASSERT_TRUE(before.ok()) << before.error().message;
    EXPECT_FALSE(before->kept);
    EXPECT_EQ(*before->behind, *parse_date_days("2026-11-09"));

    const std::string dump = dump_database(store->database());
    auto refused = [&](const User& who, const Json& fields) {
        auto r = store->put(who, {"monitoring_meeting", "", org.school, fields});
        EXPECT_FALSE(r.ok());
        EXPECT_EQ(dump_database(store->database()), dump);
        return r.ok() ? std::string() : r.error().message;
    };
    const Json meeting{{"date", "2026-11-20"},
                       {"team", "grade_level"},
                       {"benchmarks", {bm}},
                       {"notes", {{bm, "Grade 3 and 4 teams met every week."}}}};
    EXPECT_EQ(refused(org.lead, meeting),
              "an assistance lead may not change monitoring_meeting records");
    EXPECT_EQ(refused(org.other_principal, meeting),
              "school " + org.school + " is outside the scope of principal2@example.org");
    Json stray = meeting;
    stray["notes"] = {{org.school, "A note on something not reviewed"}};
    EXPECT_EQ(refused(org.principal, stray), "a note is for a benchmark the meeting reviewed; " +
                                                 org.school + " is not in benchmarks");
    Json future = meeting;
    future["date"] = "2026-12-20";
    EXPECT_EQ(refused(org.principal, future), "date 2026-12-20 is in the future");
    Json other = meeting;
    other["benchmarks"] = {visit};
    other.erase("notes");
    EXPECT_EQ(refused(org.principal, other),
              "benchmarks names benchmark " + visit + ", which is not a benchmark of this school");

    auto recorded = store->put(org.principal, {"monitoring_meeting", "", org.school, meeting});
    ASSERT_TRUE(recorded.ok()) << recorded.error().message;
    EXPECT_EQ((*store->get("monitoring_meeting", recorded->id))->fields["recorded_by"],
              org.principal.id);
    EXPECT_EQ(recorded->change->schema, kDataSchemaVersion);
    auto after = benchmark_cadence(*store, bm, today);
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(after->kept);
    EXPECT_EQ(*after->last, *parse_date_days("2026-11-20"));
    EXPECT_EQ(after->next_due, *parse_date_days("2026-11-20") + 38);
}
