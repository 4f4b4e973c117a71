#include "fixtures.h"
#include "sitevisit/core/permissions.h"

using namespace sitevisit;
using sitevisit::testing::Org;

namespace {

const EntitySpec& E(const char* name) {
    return *find_entity(name);
}

struct PermissionTest : ::testing::Test {
    Org org;
    Place a{org.school, org.district, org.region};
    Place b{org.other_school, org.other_district, org.region};
    Place elsewhere{"0190a000-0000-7000-8000-0000000000c9", "0190a000-0000-7000-8000-0000000000d9",
                    "0190a000-0000-7000-8000-0000000000a9"};

    RowState visit(const std::string& status, std::vector<std::string> team) {
        RowState s;
        s.visit_status = status;
        s.visit_team = std::move(team);
        return s;
    }
};

} // namespace

TEST_F(PermissionTest, PrincipalSeesAndWritesOnlyTheirSchool) {
    // Their own school's plan too, and its revisions.
    for (const char* e : {"evidence", "reading", "reflection", "comment", "plan", "objective",
                          "initiative", "benchmark", "plan_revision"}) {
        EXPECT_TRUE(decide(org.principal, Access::Write, E(e), a)) << e;
        EXPECT_FALSE(decide(org.principal, Access::Write, E(e), b)) << e;
    }
    for (const char* e : {"plan", "benchmark", "evidence", "review", "reading"}) {
        EXPECT_TRUE(decide(org.principal, Access::Read, E(e), a)) << e;
        EXPECT_FALSE(decide(org.principal, Access::Read, E(e), b)) << e;
    }
    for (const char* e : {"review", "visit", "observation", "school"})
        EXPECT_FALSE(decide(org.principal, Access::Write, E(e), a,
                            e == std::string("visit") || e == std::string("observation")
                                ? visit("submitted", {})
                                : RowState{}))
            << e;
    auto d = decide(org.principal, Access::Read, E("plan"), b);
    EXPECT_EQ(d.reason,
              "school " + org.other_school + " is outside the scope of principal@example.org");
}

TEST_F(PermissionTest, DraftVisitsAreTheTeamsAlone) {
    auto draft = visit("draft", {org.lead.id});
    EXPECT_TRUE(decide(org.lead, Access::Write, E("observation"), a, draft));
    EXPECT_TRUE(decide(org.lead, Access::Read, E("visit"), a, draft));
    EXPECT_FALSE(decide(org.other_lead, Access::Read, E("visit"), a, draft));
    EXPECT_FALSE(decide(org.other_lead, Access::Write, E("observation"), a, draft));
    EXPECT_EQ(decide(org.principal, Access::Read, E("observation"), a, draft).reason,
              "a draft visit is seen only by its team");
    EXPECT_FALSE(decide(org.receiver, Access::Read, E("visit"), a, draft));
    EXPECT_TRUE(decide(org.admin, Access::Read, E("visit"), a, draft));

    auto submitted = visit("submitted", {org.lead.id});
    EXPECT_TRUE(decide(org.principal, Access::Read, E("observation"), a, submitted));
    EXPECT_TRUE(decide(org.receiver, Access::Read, E("visit"), a, submitted));
    EXPECT_FALSE(decide(org.principal, Access::Read, E("observation"), b, submitted));
    EXPECT_EQ(decide(org.lead, Access::Write, E("observation"), a, submitted).reason,
              "the visit is submitted; its ratings can no longer change");
    submitted.status_change_only = true;
    EXPECT_TRUE(decide(org.lead, Access::Write, E("visit"), a, submitted));
    EXPECT_TRUE(
        decide(org.principal, Access::Write, E("comment"), a, visit("submitted", {org.lead.id})));
}

TEST_F(PermissionTest, LeadWorksInTheCaseloadOnly) {
    EXPECT_TRUE(decide(org.lead, Access::Write, E("visit"), a, visit("draft", {org.lead.id})));
    EXPECT_FALSE(decide(org.lead, Access::Write, E("visit"), b, visit("draft", {org.lead.id})));
    EXPECT_TRUE(decide(org.lead, Access::Read, E("benchmark"), a));
    EXPECT_FALSE(decide(org.lead, Access::Write, E("benchmark"), a));
    EXPECT_TRUE(decide(org.lead, Access::Write, E("evidence"), a)); // photos taken on a visit
    EXPECT_FALSE(decide(org.lead, Access::Write, E("reading"), a));
}

TEST_F(PermissionTest, ReceiverOwnsThePlanAndReviewsEvidence) {
    for (const char* e : {"plan", "objective", "initiative", "benchmark", "review", "comment",
                          "reading", "evidence", "reflection"})
        EXPECT_TRUE(decide(org.receiver, Access::Write, E(e), a)) << e;
    EXPECT_FALSE(decide(org.receiver, Access::Write, E("plan"), b));
    User district_receiver = org.receiver;
    district_receiver.schools.clear();
    district_receiver.districts = {org.other_district};
    EXPECT_TRUE(decide(district_receiver, Access::Write, E("plan"), b));
    EXPECT_FALSE(decide(district_receiver, Access::Read, E("plan"), a));
}

TEST_F(PermissionTest, RegionalDirectorReadsTheRegionAndComments) {
    EXPECT_TRUE(decide(org.director, Access::Read, E("plan"), a));
    EXPECT_TRUE(decide(org.director, Access::Read, E("evidence"), b));
    EXPECT_TRUE(decide(org.director, Access::Write, E("comment"), b));
    EXPECT_FALSE(decide(org.director, Access::Write, E("plan"), a));
    EXPECT_FALSE(decide(org.director, Access::Read, E("plan"), elsewhere));
}

TEST_F(PermissionTest, ReferenceDataIsReadByAllAndWrittenByAdmins) {
    for (const char* e : {"rubric", "indicator", "user", "region", "district"}) {
        EXPECT_TRUE(decide(org.principal, Access::Read, E(e), {})) << e;
        EXPECT_FALSE(decide(org.principal, Access::Write, E(e), {})) << e;
        EXPECT_TRUE(decide(org.admin, Access::Write, E(e), {})) << e;
    }
    EXPECT_FALSE(decide(org.lead, Access::Write, E("school"), a));
}

TEST_F(PermissionTest, ConflictsFollowTheConflictedEntity) {
    RowState s = visit("draft", {org.lead.id});
    s.conflicted_entity = "observation";
    EXPECT_TRUE(decide(org.lead, Access::Write, E("conflict"), a, s));
    EXPECT_FALSE(decide(org.principal, Access::Write, E("conflict"), a, s));
    RowState plan;
    plan.conflicted_entity = "benchmark";
    EXPECT_TRUE(decide(org.receiver, Access::Write, E("conflict"), a, plan));
    EXPECT_FALSE(decide(org.lead, Access::Write, E("conflict"), a, plan));
}

TEST_F(PermissionTest, RevokedAccountsMayDoNothing) {
    User revoked = org.admin;
    revoked.active = false;
    EXPECT_FALSE(decide(revoked, Access::Read, E("plan"), a));
    EXPECT_FALSE(decide(revoked, Access::Read, E("rubric"), {}));
}

TEST_F(PermissionTest, EvidenceIsChangedOnlyByItsUploaderAReceiverOrAnAdmin) {
    RowState by_principal;
    by_principal.evidence_uploader = org.principal.id;
    EXPECT_TRUE(decide(org.principal, Access::Write, E("evidence"), a, by_principal));
    EXPECT_TRUE(decide(org.receiver, Access::Write, E("evidence"), a, by_principal));
    EXPECT_TRUE(decide(org.admin, Access::Write, E("evidence"), a, by_principal));
    auto lead = decide(org.lead, Access::Write, E("evidence"), a, by_principal);
    EXPECT_FALSE(lead);
    EXPECT_EQ(
        lead.reason,
        "only the evidence's uploader, a receiver of the school or an admin may change or delete "
        "this evidence");
    EXPECT_FALSE(decide(org.receiver, Access::Write, E("evidence"), b, by_principal))
        << "scope still holds";
    // New evidence: the role rule as before.
    EXPECT_TRUE(decide(org.lead, Access::Write, E("evidence"), a));
    EXPECT_TRUE(decide(org.receiver, Access::Write, E("evidence"), a));
    EXPECT_FALSE(decide(org.director, Access::Write, E("evidence"), a));
}

TEST_F(PermissionTest, EvidenceOfADraftVisitIsReadByItsTeamAndUploaderOnly) {
    RowState linked;
    linked.evidence_uploader = org.principal.id;
    linked.draft_teams = {{org.lead.id}};
    EXPECT_TRUE(decide(org.lead, Access::Read, E("evidence"), a, linked));
    EXPECT_TRUE(decide(org.principal, Access::Read, E("evidence"), a, linked)) << "its uploader";
    EXPECT_TRUE(decide(org.admin, Access::Read, E("evidence"), a, linked));
    auto receiver = decide(org.receiver, Access::Read, E("evidence"), a, linked);
    EXPECT_FALSE(receiver);
    EXPECT_EQ(receiver.reason,
              "evidence of a draft visit is seen only by the visit's team and its uploader");
    EXPECT_FALSE(decide(org.other_lead, Access::Read, E("evidence"), a, linked));
    linked.draft_teams.clear(); // the visit was submitted
    EXPECT_TRUE(decide(org.receiver, Access::Read, E("evidence"), a, linked));
}

TEST_F(PermissionTest, CommentsOnADraftVisitsEvidenceFollowTheEvidence) {
    // A comment on evidence carries the evidence's uploader and draft teams.
    RowState about;
    about.evidence_uploader = org.principal.id;
    about.draft_teams = {{org.lead.id}};
    for (Access access : {Access::Read, Access::Write}) {
        EXPECT_TRUE(decide(org.lead, access, E("comment"), a, about)) << "the visit's team";
        EXPECT_TRUE(decide(org.principal, access, E("comment"), a, about)) << "its uploader";
        EXPECT_TRUE(decide(org.admin, access, E("comment"), a, about));
        auto receiver = decide(org.receiver, access, E("comment"), a, about);
        EXPECT_FALSE(receiver);
        EXPECT_EQ(receiver.reason,
                  "evidence of a draft visit is seen only by the visit's team and its uploader");
        EXPECT_FALSE(decide(org.other_lead, access, E("comment"), a, about));
    }
    about.draft_teams.clear(); // the visit was submitted
    EXPECT_TRUE(decide(org.receiver, Access::Read, E("comment"), a, about));
    EXPECT_TRUE(decide(org.receiver, Access::Write, E("comment"), a, about));
    // Comments on a draft visit, its observations and its next steps: the team's alone.
    auto draft = visit("draft", {org.lead.id});
    EXPECT_TRUE(decide(org.lead, Access::Write, E("comment"), a, draft));
    EXPECT_FALSE(decide(org.principal, Access::Read, E("comment"), a, draft));
    EXPECT_FALSE(decide(org.principal, Access::Write, E("comment"), a, draft));
    EXPECT_FALSE(decide(org.other_lead, Access::Read, E("comment"), a, draft));
}

// A district leader (data schema 4) reads every school of their one district, says what they
// see, and works the next steps they own; everything else stays with the school and its team.
TEST_F(PermissionTest, ADistrictLeaderReadsTheirDistrictAndComments) {
    User leader;
    leader.id = "0190a000-0000-7000-8000-000000000008";
    leader.email = "district@example.org";
    leader.name = "district";
    leader.role = Role::DistrictLeader;
    leader.districts = {org.district};
    EXPECT_EQ(parse_role("district_leader"), Role::DistrictLeader);
    EXPECT_STREQ(to_string(Role::DistrictLeader), "district_leader");
    for (const char* e : {"plan", "benchmark", "reading", "evidence", "review", "next_step"}) {
        EXPECT_TRUE(decide(leader, Access::Read, E(e), a)) << e;
        EXPECT_FALSE(decide(leader, Access::Read, E(e), b)) << e;
    }
    EXPECT_TRUE(decide(leader, Access::Read, E("visit"), a, visit("submitted", {org.lead.id})));
    EXPECT_EQ(decide(leader, Access::Read, E("visit"), a, visit("draft", {org.lead.id})).reason,
              "a draft visit is seen only by its team");
    EXPECT_TRUE(decide(leader, Access::Write, E("comment"), a));
    EXPECT_FALSE(decide(leader, Access::Write, E("comment"), b));
    for (const char* e : {"plan", "benchmark", "reading", "reflection"})
        EXPECT_EQ(decide(leader, Access::Write, E(e), a).reason,
                  "a district leader writes the district's own plan, not a school's; the "
                  "school's principal or receiver does")
            << e;
    for (const char* e : {"evidence", "review"})
        EXPECT_EQ(decide(leader, Access::Write, E(e), a).reason,
                  std::string("a district leader may not change ") + e + " records")
            << e;
    EXPECT_EQ(decide(leader, Access::Write, E("observation"), a, visit("submitted", {org.lead.id}))
                  .reason,
              "a district leader may not change visits or observations");
    // Next steps: works the ones they own, makes none.
    RowState owned;
    owned.step_owner = leader.id;
    owned.step_from = NextStepStatus::Open;
    owned.step_to = NextStepStatus::Done;
    EXPECT_TRUE(decide(leader, Access::Write, E("next_step"), a, owned));
    RowState made;
    made.step_owner = leader.id;
    made.step_to = NextStepStatus::Open;
    EXPECT_EQ(decide(leader, Access::Write, E("next_step"), a, made).reason,
              "a district leader may not make or change next steps");
}
