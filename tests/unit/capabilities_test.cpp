// The rules the app asks of core (can()), each as the device store enforces it: what a view
// model offers is what put() accepts.
#include "fixtures.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/values.h"

#include <set>

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

const std::string kSha(64, 'a');

struct CapabilitiesTest : ::testing::Test {
    TempDir dir;
    ManualClock clock{kNov2026};
    Org org;
    std::unique_ptr<sitevisit::Store> store;
    std::string visit; // a draft of the lead's

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

    Target school() {
        auto t = school_target(*store, org.school);
        EXPECT_TRUE(t.ok());
        return t.ok() ? *t : Target{};
    }
    Target of_visit() {
        auto t = visit_target(*store, visit);
        EXPECT_TRUE(t.ok()) << t.error().message;
        return t.ok() ? *t : Target{};
    }
    Result<WriteResult> upload(const User& u) {
        return store->put(u, {"evidence",
                              "",
                              org.school,
                              {{"title", "Sign-in sheets"},
                               {"kind", "document"},
                               {"sha256", kSha},
                               {"size", 10},
                               {"media_type", "text/plain"}}});
    }
    Result<WriteResult> rate(const User& u) {
        return store->put(u, {"observation",
                              "",
                              "",
                              {{"visit", visit}, {"indicator", indicator(1, 1)}, {"rating", 2}}});
    }
};

} // namespace

// The app left leads out; core lets them attach photos and documents to what they observe.
TEST_F(CapabilitiesTest, LeadsPrincipalsReceiversAndAdminsUploadEvidence) {
    for (const User* u : {&org.lead, &org.principal, &org.receiver, &org.admin}) {
        EXPECT_TRUE(can(*u, Action::UploadEvidence, school())) << u->name;
        EXPECT_TRUE(can(*u, Action::UploadEvidence)) << u->name; // anywhere in their scope
        auto r = upload(*u);
        EXPECT_TRUE(r.ok()) << u->name << ": " << r.error().message;
    }
    for (const User* u : {&org.director}) {
        EXPECT_FALSE(can(*u, Action::UploadEvidence, school())) << u->name;
        EXPECT_FALSE(upload(*u).ok()) << u->name;
    }
    // Outside their scope nobody but the admin may.
    auto other = school_target(*store, org.other_school);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(can(org.principal, Action::UploadEvidence, *other));
    EXPECT_TRUE(can(org.admin, Action::UploadEvidence, *other));
}

// The app refused admins who were not on the team; core lets them edit any draft.
TEST_F(CapabilitiesTest, TheTeamAndAdminsEditADraftVisit) {
    const Target t = of_visit();
    ASSERT_TRUE(t.state.visit_status);
    EXPECT_EQ(*t.state.visit_status, "draft");
    EXPECT_EQ(t.state.visit_team, std::vector<std::string>{org.lead.id});
    EXPECT_TRUE(can(org.lead, Action::EditVisit, t));
    EXPECT_TRUE(can(org.admin, Action::EditVisit, t));
    EXPECT_FALSE(can(org.other_lead, Action::EditVisit, t));
    EXPECT_FALSE(can(org.principal, Action::EditVisit, t));
    EXPECT_TRUE(rate(org.admin).ok());
    EXPECT_FALSE(rate(org.other_lead).ok());
    // Submitted: nobody rates any more; the status still moves forward.
    ASSERT_TRUE(store->put(org.lead, {"visit", visit, "", {{"status", "submitted"}}}).ok());
    const Target submitted = of_visit();
    EXPECT_EQ(*submitted.state.visit_status, "submitted");
    for (const User* u : {&org.lead, &org.admin})
        EXPECT_FALSE(can(*u, Action::EditVisit, submitted)) << u->name;
    EXPECT_FALSE(rate(org.admin).ok());
    EXPECT_TRUE(can(org.admin, Action::SubmitVisit, submitted));
}

// The report of a draft is its team's and admins'; once submitted, anyone who reads the
// visit (the principal, receivers, other leads of the district) may make it.
TEST_F(CapabilitiesTest, TheTeamAndAdminsReportADraftOthersOnceSubmitted) {
    const Target draft = of_visit();
    EXPECT_TRUE(can(org.lead, Action::MakeReport, draft));
    EXPECT_TRUE(can(org.admin, Action::MakeReport, draft));
    for (const User* u : {&org.principal, &org.receiver, &org.other_lead, &org.director}) {
        const Decision d = can(*u, Action::MakeReport, draft);
        EXPECT_FALSE(d) << u->name;
        EXPECT_NE(d.reason.find("draft"), std::string::npos) << d.reason;
    }
    ASSERT_TRUE(store->put(org.lead, {"visit", visit, "", {{"status", "submitted"}}}).ok());
    const Target submitted = of_visit();
    for (const User* u :
         {&org.lead, &org.admin, &org.principal, &org.receiver, &org.other_lead, &org.director})
        EXPECT_TRUE(can(*u, Action::MakeReport, submitted)) << u->name;
    // Another school's principal reads nothing of this school.
    EXPECT_FALSE(can(org.other_principal, Action::MakeReport, submitted));
}

// Schools without a receiver got no review: the school's Assistance Leads review too.
TEST_F(CapabilitiesTest, ReceiversLeadsAndAdminsReviewEvidence) {
    for (const User* u : {&org.receiver, &org.lead, &org.admin}) {
        EXPECT_TRUE(can(*u, Action::ReviewEvidence, school())) << u->name;
        EXPECT_TRUE(can(*u, Action::ReviewEvidence)) << u->name;
    }
    for (const User* u : {&org.principal, &org.director})
        EXPECT_FALSE(can(*u, Action::ReviewEvidence)) << u->name;
    auto other = school_target(*store, org.other_school);
    ASSERT_TRUE(other.ok());
    User elsewhere = org.lead;
    elsewhere.districts = {org.other_district};
    EXPECT_FALSE(can(elsewhere, Action::ReviewEvidence, school())) << "outside the caseload";
    auto ev = upload(org.principal);
    ASSERT_TRUE(ev.ok());
    EXPECT_FALSE(store
                     ->put(org.principal,
                           {"review", "", "", {{"evidence", ev->id}, {"decision", "accepted"}}})
                     .ok());
    EXPECT_TRUE(store
                    ->put(org.receiver,
                          {"review", "", "", {{"evidence", ev->id}, {"decision", "accepted"}}})
                    .ok());
    EXPECT_TRUE(store
                    ->put(org.lead, {"review",
                                     "",
                                     "",
                                     {{"evidence", ev->id},
                                      {"decision", "needs_more"},
                                      {"comment", "Add the October agenda."}}})
                    .ok());
}

// Was only in the app: the device store and the server now refuse such a review.
TEST_F(CapabilitiesTest, AReviewThatIsNotAcceptedNeedsAComment) {
    auto ev = upload(org.principal);
    ASSERT_TRUE(ev.ok());
    const std::string before = dump_database(store->database());
    for (const Json& comment : {Json(), Json("   "), Json("\n\t")})
        for (const char* decision : {"needs_more", "not_relevant"}) {
            Json f{{"evidence", ev->id}, {"decision", decision}};
            if (!comment.is_null()) f["comment"] = comment;
            auto r = store->put(org.receiver, {"review", "", "", f});
            ASSERT_FALSE(r.ok()) << decision;
            EXPECT_EQ(r.error().field, "comment");
            EXPECT_NE(r.error().message.find("needs a comment"), std::string::npos)
                << r.error().message;
        }
    EXPECT_EQ(dump_database(store->database()), before); // nothing written, nothing queued
    EXPECT_TRUE(store
                    ->put(org.receiver, {"review",
                                         "",
                                         "",
                                         {{"evidence", ev->id},
                                          {"decision", "needs_more"},
                                          {"comment", "Add October too."}}})
                    .ok());
    EXPECT_TRUE(store
                    ->put(org.receiver,
                          {"review", "", "", {{"evidence", ev->id}, {"decision", "accepted"}}})
                    .ok());
}

TEST_F(CapabilitiesTest, LeadsAndAdminsStartVisits) {
    for (const User* u : {&org.lead, &org.admin})
        EXPECT_TRUE(can(*u, Action::StartVisit, school())) << u->name;
    for (const User* u : {&org.principal, &org.receiver, &org.director})
        EXPECT_FALSE(can(*u, Action::StartVisit, school())) << u->name;
    EXPECT_FALSE(
        store
            ->put(org.principal,
                  {"visit",
                   "",
                   org.school,
                   {{"kind", "monitoring"}, {"rubric", kRubric}, {"start_date", "2026-11-21"}}})
            .ok());
}

// Receivers run their schools: they record readings and the reflection as principals do.
TEST_F(CapabilitiesTest, PrincipalsReceiversAndAdminsWriteReflectionsAndReadings) {
    for (const User* u : {&org.principal, &org.receiver, &org.admin}) {
        EXPECT_TRUE(can(*u, Action::WriteReflection, school())) << u->name;
        EXPECT_TRUE(can(*u, Action::RecordReading, school())) << u->name;
    }
    for (const User* u : {&org.lead, &org.director}) {
        EXPECT_FALSE(can(*u, Action::WriteReflection, school())) << u->name;
        EXPECT_FALSE(can(*u, Action::RecordReading, school())) << u->name;
    }
    EXPECT_FALSE(can(org.other_principal, Action::WriteReflection, school()));
}

TEST_F(CapabilitiesTest, OnlyTheUploaderAReceiverOrAnAdminChangesEvidence) {
    auto ev = upload(org.principal);
    ASSERT_TRUE(ev.ok());
    auto t = evidence_target(*store, ev->id);
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->state.evidence_uploader, org.principal.id);
    for (const User* u : {&org.principal, &org.receiver, &org.admin})
        EXPECT_TRUE(can(*u, Action::EditEvidence, *t)) << u->name;
    EXPECT_FALSE(can(org.lead, Action::EditEvidence, *t));
    EXPECT_FALSE(store->put(org.lead, {"evidence", ev->id, "", {{"title", "Mine now"}}}).ok());
}

// Membership is a list of ids, not a text search: an id that merely contains another is not it.
TEST_F(CapabilitiesTest, TeamMembershipIsByWholeId) {
    const std::vector<std::string> team{org.lead.id + "-x", "abc"};
    EXPECT_FALSE(on_team(team, org.lead.id));
    EXPECT_FALSE(on_team(team, "ab"));
    EXPECT_TRUE(on_team(team, "abc"));
    EXPECT_FALSE(on_team({}, ""));
    EXPECT_FALSE(on_team({""}, ""));
}

TEST_F(CapabilitiesTest, TargetsOfRowsThatAreNotThere) {
    auto missing = visit_target(*store, "0190a000-0000-7000-8000-00000000ffff");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    ASSERT_TRUE(store->remove(org.lead, "visit", visit).ok());
    auto deleted = visit_target(*store, visit);
    ASSERT_FALSE(deleted.ok());
    EXPECT_EQ(deleted.error().code, ErrorCode::Conflict);
    EXPECT_FALSE(school_target(*store, "0190a000-0000-7000-8000-00000000ffff").ok());
}

TEST_F(CapabilitiesTest, ConflictsFollowTheEntityInConflict) {
    Target t = school();
    t.state.conflicted_entity = "observation";
    t.state.visit_status = "draft";
    t.state.visit_team = {org.lead.id};
    EXPECT_TRUE(can(org.lead, Action::ResolveConflict, t));
    EXPECT_FALSE(can(org.principal, Action::ResolveConflict, t));
    t.state.conflicted_entity.clear();
    EXPECT_FALSE(can(org.admin, Action::ResolveConflict, t));
}

TEST(RoleLabels, ComeFromCore) {
    EXPECT_STREQ(role_label(Role::AssistanceLead), "Assistance Lead");
    EXPECT_STREQ(role_label(Role::RegionalDirector), "Regional director");
    EXPECT_STREQ(role_label(Role::Admin), "Admin");
    EXPECT_STREQ(role_label(Role::Principal), "Principal");
    EXPECT_STREQ(role_label(Role::Receiver), "Receiver");
}

namespace {
// The words a field of an entity takes, from entities.cpp.
std::vector<std::string> enum_words(const char* entity, const char* field) {
    std::vector<std::string> out;
    for (const auto& v : find_entity(entity)->field(field)->values)
        out.push_back(v.value);
    return out;
}
template <class E, std::size_t N, class Parse>
std::vector<std::string> words_of(const E (&values)[N], Parse parse) {
    std::vector<std::string> out;
    for (E v : values) {
        out.push_back(to_string(v));
        EXPECT_EQ(parse(out.back()), v) << out.back();
    }
    return out;
}
} // namespace

// The typed values and the entity specs name the same words, in the same order.
TEST(Values, MatchTheEntitySpecsAndRoundTrip) {
    EXPECT_EQ(words_of(kVisitStatuses, parse_visit_status), enum_words("visit", "status"));
    EXPECT_EQ(words_of(kVisitKinds, parse_visit_kind), enum_words("visit", "kind"));
    EXPECT_EQ(words_of(kEvidenceKinds, parse_evidence_kind), enum_words("evidence", "kind"));
    EXPECT_EQ(words_of(kReviewDecisions, parse_review_decision), enum_words("review", "decision"));
    EXPECT_EQ(words_of(kConflictStatuses, parse_conflict_status), enum_words("conflict", "status"));
    EXPECT_EQ(parse_outbox_state(to_string(OutboxState::Rejected)), OutboxState::Rejected);
    EXPECT_EQ(parse_blob_direction("down"), BlobDirection::Down);
    EXPECT_EQ(parse_blob_state("failed"), BlobState::Failed);
    EXPECT_FALSE(parse_visit_status("Draft"));
    EXPECT_FALSE(parse_review_decision(""));
}

TEST(EntityKinds, EverySpecHasItsOwn) {
    std::set<EntityKind> seen;
    for (const auto& spec : entity_specs()) {
        EXPECT_NE(spec.kind, EntityKind::Other) << spec.name;
        EXPECT_TRUE(seen.insert(spec.kind).second) << spec.name;
        EXPECT_EQ(entity_kind(spec.name), spec.kind);
    }
    EXPECT_EQ(entity_kind("visit"), EntityKind::Visit);
    EXPECT_EQ(entity_kind("no_such_thing"), EntityKind::Other);
}
