// Next steps (data schema 2): who makes, works, verifies and returns them, the moves their
// status may take, and how a device of an older schema catches up on what was held back.
#include "fixtures.h"
#include "sitevisit/core/capabilities.h"
#include "sitevisit/core/domain.h"
#include "sitevisit/core/values.h"

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

struct NextStepTest : ::testing::Test {
    TempDir dir;
    ManualClock clock{kNov2026};
    Org org;
    std::unique_ptr<sitevisit::Store> store;

    void SetUp() override {
        store = open_store(dir, clock);
        ASSERT_TRUE(store);
        seed_org(*store, org);
        for (const User* u : {&org.admin, &org.lead, &org.other_lead, &org.principal,
                              &org.other_principal, &org.receiver, &org.director}) {
            auto r = store->put(org.admin, {"user", u->id, "", u->to_fields()});
            ASSERT_TRUE(r.ok()) << r.error().message;
        }
    }

    Result<WriteResult> make(const User& u, const std::string& owner, Json extra = {}) {
        Json f{
            {"title", "Post the new bell schedule"}, {"owner", owner}, {"due_date", "2026-12-15"}};
        if (extra.is_object()) f.update(extra);
        return store->put(u, {"next_step", "", org.school, f});
    }
    Result<WriteResult> move(const User& u, const std::string& id, const std::string& to,
                             Json extra = {}) {
        Json f{{"status", to}};
        if (extra.is_object()) f.update(extra);
        return store->put(u, {"next_step", id, "", f});
    }
    std::string status(const std::string& id) {
        auto r = store->get("next_step", id);
        return r.ok() && *r ? (**r).fields.value("status", "") : "";
    }
    Target target(const std::string& id, std::optional<NextStepStatus> to = {}) {
        auto t = next_step_target(*store, id);
        EXPECT_TRUE(t.ok()) << t.error().message;
        Target out = t.ok() ? *t : Target{};
        if (to) out.state.step_to = to;
        return out;
    }
};

} // namespace

TEST_F(NextStepTest, LeadsReceiversPrincipalsAndAdminsMakeStepsDirectorsDoNot) {
    for (const User* u : {&org.lead, &org.receiver, &org.principal, &org.admin}) {
        EXPECT_TRUE(can(*u, Action::MakeNextStep, *school_target(*store, org.school))) << u->name;
        auto r = make(*u, org.principal.id);
        ASSERT_TRUE(r.ok()) << u->name << ": " << r.error().message;
        EXPECT_EQ(status(r->id), "open") << "a new step starts open";
        EXPECT_EQ(r->change->schema, kDataSchemaVersion);
    }
    EXPECT_FALSE(can(org.director, Action::MakeNextStep, *school_target(*store, org.school)));
    auto refused = make(org.director, org.principal.id);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
    EXPECT_NE(refused.error().message.find("may not make or change next steps"), std::string::npos)
        << refused.error().message;
}

TEST_F(NextStepTest, ANewStepNeedsTitleOwnerDueDateAndStartsOpen) {
    auto no_title = store->put(
        org.lead,
        {"next_step", "", org.school, {{"owner", org.principal.id}, {"due_date", "2026-12-15"}}});
    ASSERT_FALSE(no_title.ok());
    EXPECT_EQ(no_title.error().field, "title");
    auto no_owner = store->put(
        org.lead, {"next_step", "", org.school, {{"title", "x"}, {"due_date", "2026-12-15"}}});
    ASSERT_FALSE(no_owner.ok());
    EXPECT_EQ(no_owner.error().field, "owner");
    auto no_due = store->put(
        org.lead, {"next_step", "", org.school, {{"title", "x"}, {"owner", org.principal.id}}});
    ASSERT_FALSE(no_due.ok());
    EXPECT_EQ(no_due.error().field, "due_date");
    auto done = make(org.lead, org.principal.id, {{"status", "done"}});
    ASSERT_FALSE(done.ok());
    EXPECT_NE(done.error().message.find("starts open"), std::string::npos);
    auto bad_status = make(org.lead, org.principal.id, {{"status", "finished"}});
    ASSERT_FALSE(bad_status.ok());
    EXPECT_EQ(bad_status.error().field, "status");
}

TEST_F(NextStepTest, TheOwnerIsSomeoneWhoCanSeeTheSchool) {
    auto outsider = make(org.lead, org.other_principal.id);
    ASSERT_FALSE(outsider.ok());
    EXPECT_EQ(outsider.error().field, "owner");
    EXPECT_NE(outsider.error().message.find("cannot see this school"), std::string::npos)
        << outsider.error().message;
    auto nobody = make(org.lead, "0190a000-0000-7000-8000-0000000000ff");
    ASSERT_FALSE(nobody.ok());
    EXPECT_EQ(nobody.error().field, "owner");
    // The director of the region can see the school, so can own a step.
    EXPECT_TRUE(make(org.lead, org.director.id).ok());
    // Nothing was stored by the refusals.
    auto all = store->list("next_step");
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 1u);
}

TEST_F(NextStepTest, TheOwnerAndThePrincipalWorkItLeadsVerifyNeverTheOwner) {
    auto step = make(org.lead, org.receiver.id);
    ASSERT_TRUE(step.ok()) << step.error().message;
    const std::string id = step->id;

    // Another lead is neither owner nor principal: may not mark it done.
    EXPECT_FALSE(can(org.other_lead, Action::WorkNextStep, target(id)));
    auto not_owner = move(org.other_lead, id, "done");
    ASSERT_FALSE(not_owner.ok());
    EXPECT_EQ(not_owner.error().code, ErrorCode::Forbidden);
    EXPECT_EQ(status(id), "open");

    // Verified straight from open is not a move.
    auto jump = move(org.admin, id, "verified");
    ASSERT_FALSE(jump.ok());
    EXPECT_EQ(jump.error().code, ErrorCode::Conflict);
    EXPECT_NE(jump.error().message.find("open cannot move to verified"), std::string::npos)
        << jump.error().message;

    // The owner (a receiver) starts it; the principal marks it done.
    EXPECT_TRUE(can(org.receiver, Action::WorkNextStep, target(id, NextStepStatus::InProgress)));
    ASSERT_TRUE(move(org.receiver, id, "in_progress").ok());
    EXPECT_TRUE(can(org.principal, Action::WorkNextStep, target(id)));
    ASSERT_TRUE(move(org.principal, id, "done").ok());

    // The owner may not verify their own step, and a principal never verifies.
    EXPECT_FALSE(can(org.receiver, Action::VerifyNextStep, target(id)));
    auto own = move(org.receiver, id, "verified");
    ASSERT_FALSE(own.ok());
    EXPECT_NE(own.error().message.find("they own"), std::string::npos) << own.error().message;
    EXPECT_FALSE(can(org.principal, Action::VerifyNextStep, target(id)));
    EXPECT_FALSE(move(org.principal, id, "verified").ok());
    EXPECT_EQ(status(id), "done");

    // A lead of the caseload returns it, with a note.
    auto no_note = move(org.lead, id, "returned");
    ASSERT_FALSE(no_note.ok());
    EXPECT_EQ(no_note.error().field, "return_note");
    EXPECT_TRUE(can(org.lead, Action::VerifyNextStep, target(id, NextStepStatus::Returned)));
    ASSERT_TRUE(
        move(org.lead, id, "returned", {{"return_note", "The schedule is not posted in B wing"}})
            .ok());
    // Back to work, done again, then verified by the lead; verified is final.
    ASSERT_TRUE(move(org.receiver, id, "done").ok());
    ASSERT_TRUE(move(org.lead, id, "verified").ok());
    EXPECT_EQ(status(id), "verified");
    EXPECT_FALSE(can(org.admin, Action::EditNextStep, target(id)));
    auto after = store->put(org.admin, {"next_step", id, "", {{"title", "Changed"}}});
    ASSERT_FALSE(after.ok());
    EXPECT_FALSE(store->remove(org.admin, "next_step", id).ok());
}

TEST_F(NextStepTest, EveryMoveOfTheStatusMachine) {
    using S = NextStepStatus;
    int allowed = 0;
    for (S from : kNextStepStatuses)
        for (S to : kNextStepStatuses)
            allowed += next_step_move_allowed(from, to) ? 1 : 0;
    EXPECT_EQ(allowed, 7);
    EXPECT_TRUE(next_step_move_allowed(S::Open, S::InProgress));
    EXPECT_TRUE(next_step_move_allowed(S::Open, S::Done));
    EXPECT_TRUE(next_step_move_allowed(S::InProgress, S::Done));
    EXPECT_TRUE(next_step_move_allowed(S::Done, S::Verified));
    EXPECT_TRUE(next_step_move_allowed(S::Done, S::Returned));
    EXPECT_TRUE(next_step_move_allowed(S::Returned, S::InProgress));
    EXPECT_TRUE(next_step_move_allowed(S::Returned, S::Done));
    EXPECT_FALSE(next_step_move_allowed(S::InProgress, S::Open));
    EXPECT_FALSE(next_step_move_allowed(S::Verified, S::Returned));
}

TEST_F(NextStepTest, AStepOfADraftVisitIsTheTeamsUntilSubmitted) {
    auto v = store->put(
        org.lead, {"visit",
                   "",
                   org.school,
                   {{"kind", "monitoring"}, {"rubric", kRubric}, {"start_date", "2026-11-20"}}});
    ASSERT_TRUE(v.ok());
    auto step =
        make(org.lead, org.principal.id, {{"visit", v->id}, {"indicator", indicator(1, 1)}});
    ASSERT_TRUE(step.ok()) << step.error().message;
    const EntitySpec& spec = *find_entity("next_step");
    auto t = target(step->id);
    ASSERT_TRUE(t.place);
    EXPECT_TRUE(decide(org.lead, Access::Read, spec, *t.place, t.state));
    EXPECT_FALSE(decide(org.principal, Access::Read, spec, *t.place, t.state));
    EXPECT_FALSE(decide(org.other_lead, Access::Read, spec, *t.place, t.state));
    ASSERT_TRUE(store->put(org.lead, {"visit", v->id, "", {{"status", "submitted"}}}).ok());
    t = target(step->id);
    EXPECT_TRUE(decide(org.principal, Access::Read, spec, *t.place, t.state));
    // A link to another school's visit is refused.
    auto other = store->put(
        org.admin, {"visit",
                    "",
                    org.other_school,
                    {{"kind", "monitoring"}, {"rubric", kRubric}, {"start_date", "2026-11-20"}}});
    ASSERT_TRUE(other.ok());
    auto wrong = make(org.admin, org.principal.id, {{"visit", other->id}});
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().field, "visit");
}

TEST_F(NextStepTest, TypedViewReadsTheRow) {
    auto step = make(org.lead, org.principal.id, {{"description", "Print and post"}});
    ASSERT_TRUE(step.ok());
    auto row = store->get("next_step", step->id);
    ASSERT_TRUE(row.ok() && *row);
    auto s = domain::from_row<domain::NextStep>(**row);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->title, "Post the new bell schedule");
    EXPECT_EQ(s->owner, org.principal.id);
    EXPECT_EQ(s->status, "open");
    EXPECT_FALSE(s->visit);
}

// The lowest data schema that can read a change: what the server holds back from older apps.
TEST(DataSchema, ChangesNeedTheSchemaOfWhatTheyCarry) {
    const EntitySpec& plan = *find_entity("plan");
    EXPECT_EQ(schema_needed(plan, Json{{"title", "Plan"}}), 1);
    EXPECT_EQ(schema_needed(plan, Json{{"title", "Plan"}, {"goal", "All students read"}}), 2);
    EXPECT_EQ(schema_needed(plan, Json{{"goal", nullptr}}), 2) << "an old app cannot read it";
    EXPECT_EQ(schema_needed(*find_entity("next_step"), Json{{"title", "x"}}), 2);
    EXPECT_EQ(schema_needed(*find_entity("next_step"), Json()), 2) << "a delete";
    const EntitySpec& comment = *find_entity("comment");
    EXPECT_EQ(schema_needed(comment, Json{{"target_entity", "visit"}}), 1);
    EXPECT_EQ(schema_needed(comment, Json{{"target_entity", "next_step"}}), 2);
    EXPECT_EQ(schema_needed(*find_entity("benchmark"), Json{{"direction", "lower"}}), 2);
    EXPECT_EQ(schema_needed(*find_entity("visit"), Json{{"strengths", Json::object()}}), 2);

    // What an older device is sent of a change: the fields it knows.
    auto part = readable_fields(plan, Json{{"title", "Plan"}, {"goal", "All read"}}, 1);
    ASSERT_TRUE(part);
    EXPECT_EQ(*part, (Json{{"title", "Plan"}}));
    EXPECT_EQ(*readable_fields(plan, Json{{"goal", "All read"}}, 1), Json::object());
    EXPECT_EQ(*readable_fields(plan, Json{{"goal", "All read"}}, 2), (Json{{"goal", "All read"}}));
    EXPECT_FALSE(readable_fields(*find_entity("next_step"), Json{{"title", "x"}}, 1));
    EXPECT_FALSE(readable_fields(comment, Json{{"target_entity", "next_step"}, {"body", "b"}}, 1))
        << "a value it does not know cannot be left out of a field it does";
}

TEST_F(NextStepTest, StrengthsAndAreasForGrowthArePerPractice) {
    auto v = store->put(org.lead, {"visit",
                                   "",
                                   org.school,
                                   {{"kind", "monitoring"},
                                    {"rubric", kRubric},
                                    {"start_date", "2026-11-20"},
                                    {"strengths", {{"1", "Leadership team meets weekly"}}}}});
    ASSERT_TRUE(v.ok()) << v.error().message;
    auto bad = store->put(org.lead, {"visit", v->id, "", {{"areas_for_growth", {{"5", "x"}}}}});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "areas_for_growth");
    auto not_text = store->put(org.lead, {"visit", v->id, "", {{"strengths", {{"2", 3}}}}});
    ASSERT_FALSE(not_text.ok());
    auto row = store->get("visit", v->id);
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ((**row).fields["strengths"]["1"], "Leadership team meets weekly");
    EXPECT_FALSE((**row).fields.contains("areas_for_growth"));
}

// After an update, the catch-up pull brings fields the old app could not read even onto rows
// it has since seen newer versions of; the old app's fields stay as they are.
TEST_F(NextStepTest, CatchUpAppliesNewerFieldsToRowsAlreadyNewer) {
    const std::string plan = "0190a000-0000-7000-8000-0000000000f1";
    auto change = [&](std::int64_t seq, Json fields) {
        Change c;
        c.op = "0190a000-0000-7000-8000-0000000001" + std::to_string(10 + seq);
        c.entity = "plan";
        c.id = plan;
        c.school = org.school;
        c.fields = std::move(fields);
        c.hlc = Hlc{kNov2026 + seq, 0, "0190a000-0000-7000-8000-00000000de99"}.to_string();
        c.dseq = seq;
        c.seq = seq;
        return c;
    };
    // The old app saw seq 1 (the plan) and seq 3 (a new title); seq 2 (the goal) was held.
    ASSERT_TRUE(store
                    ->apply_remote({change(1, {{"kind", "turnaround"},
                                               {"title", "Plan"},
                                               {"first_year", "2025-2026"},
                                               {"last_year", "2027-2028"}}),
                                    change(3, {{"title", "Turnaround plan"}})},
                                   3)
                    .ok());
    // Without the catch-up flag the held change is stale, as any older change is.
    auto plain = store->apply_remote({change(2, {{"goal", "Every student reads"}})}, 3);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->stale, 1);
    auto caught = store->apply_remote(
        {change(2, {{"goal", "Every student reads"}, {"title", "Old title"}})}, 3, {}, 1);
    ASSERT_TRUE(caught.ok());
    EXPECT_EQ(caught->applied, 1);
    auto row = store->get("plan", plan);
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ((**row).fields.value("goal", ""), "Every student reads");
    EXPECT_EQ((**row).fields.value("title", ""), "Turnaround plan") << "the newer title stays";
    EXPECT_EQ(store->cursor(), 3);
}
