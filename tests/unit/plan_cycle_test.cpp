// A plan's year on a real store: written as a draft by the school's principal, submitted, its
// changes recorded after that; the reflection's five questions and decisions, submitted; the
// plan renewed for the next year from what continues, with benchmarks reset.
#include "fixtures.h"
#include "sitevisit/core/plan_cycle.h"

#include <gtest/gtest.h>

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

struct PlanCycle : ::testing::Test {
    TempDir dir;
    ManualClock clock{kNov2026};
    Org org;
    std::unique_ptr<Store> store;
    std::string plan, kept_objective, dropped_objective, kept_initiative, dropped_initiative,
        rising, falling, unread;

    std::string made(Result<WriteResult> r) {
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? r->id : std::string();
    }
    std::vector<Row> rows(const char* entity, const char* field, const std::string& value) {
        auto r = store->list(entity, field, value);
        EXPECT_TRUE(r.ok());
        return r.ok() ? *r : std::vector<Row>{};
    }

    void SetUp() override {
        store = open_store(dir, clock);
        ASSERT_TRUE(store);
        seed_org(*store, org);
        for (const User* u : {&org.principal, &org.other_principal, &org.receiver, &org.lead})
            made(store->put(org.admin, {"user", u->id, "", u->to_fields()}));
    }

    // The principal's plan: two objectives, each with two initiatives; three benchmarks.
    void write_plan() {
        const User& p = org.principal;
        plan = made(store->put(p, {"plan",
                                   "",
                                   org.school,
                                   {{"kind", "sip"},
                                    {"title", "Lincoln plan"},
                                    {"first_year", "2026-2027"},
                                    {"last_year", "2028-2029"},
                                    {"goal", "Every student reads on grade level"},
                                    {"status", "draft"}}}));
        kept_objective = made(
            store->put(p, {"objective",
                           "",
                           "",
                           {{"plan", plan}, {"title", "Tiered instruction"}, {"practice", 3}}}));
        dropped_objective = made(store->put(
            p,
            {"objective", "", "", {{"plan", plan}, {"title", "Family nights"}, {"practice", 4}}}));
        kept_initiative = made(store->put(p, {"initiative",
                                              "",
                                              "",
                                              {{"objective", kept_objective},
                                               {"title", "Data meetings"},
                                               {"owner", "Math coach"},
                                               {"status", "in_progress"}}}));
        dropped_initiative = made(store->put(
            p,
            {"initiative", "", "", {{"objective", kept_objective}, {"title", "Pull-out groups"}}}));
        made(store->put(
            p, {"initiative", "", "", {{"objective", dropped_objective}, {"title", "Food"}}}));
        auto benchmark = [&](const std::string& initiative, const char* measure, double baseline,
                             double target, const char* direction) {
            return made(store->put(p, {"benchmark",
                                       "",
                                       "",
                                       {{"initiative", initiative},
                                        {"type", "outcome"},
                                        {"audience", "students"},
                                        {"measure", measure},
                                        {"unit", "%"},
                                        {"baseline", baseline},
                                        {"baseline_date", "2026-09-01"},
                                        {"target", target},
                                        {"due", "2027-06-15"},
                                        {"cadence", "monthly"},
                                        {"direction", direction}}}));
        };
        rising = benchmark(kept_initiative, "Reading proficiency", 40, 60, "higher");
        falling = benchmark(kept_initiative, "Chronic absence", 20, 10, "lower");
        unread = benchmark(dropped_initiative, "Groups held", 0, 30, "higher");
    }

    std::string reflect(bool complete) {
        const std::string r = made(store->put(org.principal, {"reflection",
                                                              "",
                                                              "",
                                                              {{"plan", plan},
                                                               {"year", "2026-2027"},
                                                               {"worked", "Data meetings"},
                                                               {"worked_evidence", "Scores up"},
                                                               {"not_worked", "Pull-outs"},
                                                               {"not_worked_evidence", "Flat"},
                                                               {"stakeholders", "Council"}}}));
        if (!complete) return r;
        made(store->put(org.principal, {"reflection",
                                        r,
                                        "",
                                        {{"district_systems", "District data team"},
                                         {"decisions",
                                          {{kept_objective, "continue"},
                                           {dropped_objective, "abandon"},
                                           {kept_initiative, "revise"},
                                           {dropped_initiative, "abandon"}}},
                                         {"reasons",
                                          {{kept_objective, "Working"},
                                           {dropped_objective, "Low turnout"},
                                           {kept_initiative, "Weekly, not monthly"},
                                           {dropped_initiative, "No effect"}}}}}));
        return r;
    }
};

} // namespace

TEST_F(PlanCycle, APrincipalWritesTheirOwnSchoolsPlanAsADraftAndNoOtherSchools) {
    write_plan();
    auto p = store->get("plan", plan);
    ASSERT_TRUE(p.ok() && *p);
    EXPECT_EQ((*p)->fields.value("status", ""), "draft");
    // A draft's changes leave no revisions.
    made(store->put(org.principal, {"plan", plan, "", {{"title", "Lincoln SIP"}}}));
    EXPECT_TRUE(rows("plan_revision", "plan", plan).empty());
    // Another school's principal may not write it, nor a lead.
    auto other =
        store->put(org.other_principal,
                   {"objective", "", "", {{"plan", plan}, {"title", "X"}, {"practice", 1}}});
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, ErrorCode::Forbidden);
    auto lead = store->put(org.lead, {"plan", plan, "", {{"title", "Mine"}}});
    ASSERT_FALSE(lead.ok());
    EXPECT_NE(lead.error().message.find("may not change plan"), std::string::npos)
        << lead.error().message;
    // A draft is removed by who wrote it.
    const std::string scratch = made(store->put(org.principal, {"plan",
                                                                "",
                                                                org.school,
                                                                {{"kind", "sip"},
                                                                 {"title", "Scratch"},
                                                                 {"first_year", "2027-2028"},
                                                                 {"last_year", "2029-2030"},
                                                                 {"status", "draft"}}}));
    EXPECT_TRUE(store->remove(org.principal, "plan", scratch).ok());
    // A plan written without a status (as before drafts) is in effect: its changes are recorded.
    const std::string whole = made(store->put(org.receiver, {"plan",
                                                             "",
                                                             org.school,
                                                             {{"kind", "sip"},
                                                              {"title", "Whole"},
                                                              {"first_year", "2025-2026"},
                                                              {"last_year", "2027-2028"}}}));
    made(store->put(org.receiver, {"plan", whole, "", {{"title", "Whole plan"}}}));
    EXPECT_EQ(rows("plan_revision", "plan", whole).size(), 1u);
    // An admin may delete a submitted plan; its history goes with it.
    ASSERT_FALSE(store->remove(org.receiver, "plan", whole).ok());
    auto by_admin = store->remove(org.admin, "plan", whole);
    EXPECT_TRUE(by_admin.ok()) << by_admin.error().message;
}

TEST_F(PlanCycle, ASubmittedPlansChangesRecordWhoChangedWhatAndWhen) {
    write_plan();
    made(store->put(org.principal, {"plan", plan, "", {{"status", "submitted"}}}));
    auto revs = rows("plan_revision", "plan", plan);
    ASSERT_EQ(revs.size(), 1u);
    EXPECT_EQ(revs[0].fields.value("action", ""), "submitted");
    EXPECT_EQ(revs[0].fields.value("by", ""), org.principal.id);

    clock.advance(60'000);
    made(store->put(org.receiver, {"benchmark", rising, "", {{"target", 65.0}}}));
    made(
        store->put(org.principal,
                   {"initiative", "", "", {{"objective", kept_objective}, {"title", "Tutoring"}}}));
    ASSERT_TRUE(store->remove(org.principal, "benchmark", unread).ok());
    revs = rows("plan_revision", "plan", plan);
    ASSERT_EQ(revs.size(), 4u);
    std::map<std::string, Row> by_action;
    for (const auto& r : revs)
        by_action[r.fields.value("action", "")] = r;
    const Row& changed = by_action["changed"];
    EXPECT_EQ(changed.fields.value("by", ""), org.receiver.id);
    EXPECT_EQ(changed.fields.value("entity", ""), "benchmark");
    EXPECT_EQ(changed.fields.value("row", ""), rising);
    EXPECT_EQ(changed.fields["changes"], (Json{{"target", 65.0}}));
    EXPECT_EQ(changed.fields.value("at", "").substr(0, 16), "2026-11-23T00:01");
    EXPECT_EQ(by_action["created"].fields["changes"].value("title", ""), "Tutoring");
    EXPECT_EQ(by_action["deleted"].fields["changes"].value("measure", ""), "Groups held");
    // Each revision goes to the server with its change.
    auto outbox = store->outbox();
    ASSERT_TRUE(outbox.ok());
    int sent_revisions = 0;
    for (const auto& e : *outbox)
        sent_revisions += e.change.entity == "plan_revision";
    EXPECT_EQ(sent_revisions, 4);

    // Never back to a draft; a submitted plan is kept.
    auto back = store->put(org.principal, {"plan", plan, "", {{"status", "draft"}}});
    ASSERT_FALSE(back.ok());
    EXPECT_NE(back.error().message.find("stays submitted"), std::string::npos);
    auto gone = store->remove(org.principal, "plan", plan);
    ASSERT_FALSE(gone.ok());
    EXPECT_NE(gone.error().message.find("is kept"), std::string::npos);
    // Revisions are history: never edited.
    auto edit = store->put(org.principal, {"plan_revision", revs[0].id, "", {{"row", plan}}});
    EXPECT_FALSE(edit.ok());
}

TEST_F(PlanCycle, AReflectionIsSubmittedOnlyWhenEveryQuestionAndDecisionIsThere) {
    write_plan();
    made(store->put(org.principal, {"plan", plan, "", {{"status", "submitted"}}}));
    const std::string r = reflect(false);
    auto row = store->get("reflection", r);
    auto gaps = reflection_gaps(*store, **row);
    ASSERT_TRUE(gaps.ok());
    // District systems, 2 objectives and the 3 initiatives of objectives not abandoned yet.
    ASSERT_EQ(gaps->size(), 6u);
    EXPECT_EQ(gaps->front(), "Answer how district systems support the plan.");
    auto early = submit_reflection(*store, org.principal, r);
    ASSERT_FALSE(early.ok());
    EXPECT_NE(early.error().message.find("(and 5 more)"), std::string::npos)
        << early.error().message;

    made(store->put(
        org.principal,
        {"reflection",
         r,
         "",
         {{"district_systems", "District data team"},
          {"decisions",
           {{kept_objective, "continue"},
            {dropped_objective, "abandon"},
            {kept_initiative, "revise"}}},
          {"reasons", {{kept_objective, "Working"}, {dropped_objective, "Low turnout"}}}}}));
    row = store->get("reflection", r);
    gaps = reflection_gaps(*store, **row);
    ASSERT_TRUE(gaps.ok());
    // The abandoned objective's initiative needs nothing; the others need a decision or reason.
    ASSERT_EQ(gaps->size(), 2u);
    EXPECT_EQ((*gaps)[0], "Say why the initiative \"Data meetings\" is revised.");
    EXPECT_EQ((*gaps)[1], "Decide whether the initiative \"Pull-out groups\" continues, is "
                          "revised or is abandoned.");
    made(store->put(org.principal, {"reflection",
                                    r,
                                    "",
                                    {{"decisions",
                                      {{kept_objective, "continue"},
                                       {dropped_objective, "abandon"},
                                       {kept_initiative, "revise"},
                                       {dropped_initiative, "abandon"}}},
                                     {"reasons",
                                      {{kept_objective, "Working"},
                                       {dropped_objective, "Low turnout"},
                                       {kept_initiative, "Weekly"},
                                       {dropped_initiative, "No effect"}}}}}));
    ASSERT_TRUE(submit_reflection(*store, org.principal, r).ok());
    // Submitted: it no longer changes, nor goes.
    auto late = store->put(org.principal, {"reflection", r, "", {{"worked", "More"}}});
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().message,
              "the reflection on 2026-2027 is submitted; it can no longer change");
    EXPECT_FALSE(store->remove(org.principal, "reflection", r).ok());
    // Reasons hold a large plan's every objective and initiative (beyond the usual 16 KB).
    Json many = Json::object();
    for (int i = 0; i < 40; ++i)
        many[store->new_id()] = std::string(1500, 'r');
    auto large = store->put(
        org.principal,
        {"reflection", "", "", {{"plan", plan}, {"year", "2028-2029"}, {"reasons", many}}});
    EXPECT_TRUE(large.ok()) << large.error().message;
    many[store->new_id()] = std::string(2001, 'r');
    auto too_long = store->put(
        org.principal,
        {"reflection", "", "", {{"plan", plan}, {"year", "2029-2030"}, {"reasons", many}}});
    ASSERT_FALSE(too_long.ok());
    EXPECT_NE(too_long.error().message.find("longer than 2000 characters"), std::string::npos)
        << too_long.error().message;
    // Bad decisions and reasons are refused with the field named.
    auto bad =
        store->put(org.principal,
                   {"reflection",
                    "",
                    "",
                    {{"plan", plan}, {"year", "2027-2028"}, {"reasons", {{kept_objective, 3}}}}});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "reasons");
}

TEST_F(PlanCycle, RenewingMakesNextYearsDraftFromWhatContinuesWithBenchmarksReset) {
    write_plan();
    made(store->put(org.principal, {"plan", plan, "", {{"status", "submitted"}}}));
    clock.set(1813449600000); // 2027-06-20
    // Readings: proficiency reached 62 (past the target of 60), absence 15 (not yet 10).
    for (auto [bm, date, value] :
         {std::tuple{rising, "2026-10-01", 50.0}, std::tuple{rising, "2027-05-01", 62.0},
          std::tuple{falling, "2027-04-01", 15.0}})
        made(
            store->put(org.principal,
                       {"reading", "", "", {{"benchmark", bm}, {"date", date}, {"value", value}}}));
    // Not yet: no submitted reflection.
    auto early = renew_plan(*store, org.principal, plan, "2027-06-20");
    ASSERT_FALSE(early.ok());
    EXPECT_NE(early.error().message.find("submit this year's reflection first"), std::string::npos);
    const std::string r = reflect(true);
    ASSERT_TRUE(submit_reflection(*store, org.principal, r).ok());
    // Added after the reflection: no decision on it, so it goes on into next year.
    made(store->put(org.principal,
                    {"objective",
                     "",
                     "",
                     {{"plan", plan}, {"title", "Late"}, {"practice", 1}, {"position", 9}}}));

    auto renewed = renew_plan(*store, org.principal, plan, "2027-06-20");
    ASSERT_TRUE(renewed.ok()) << renewed.error().message;
    EXPECT_EQ(renewed->first_year, "2027-2028");
    EXPECT_EQ(renewed->last_year, "2029-2030");
    EXPECT_EQ(renewed->objectives, 2);
    EXPECT_EQ(renewed->initiatives, 1);
    EXPECT_EQ(renewed->benchmarks, 2);
    EXPECT_EQ(renewed->targets_met, 1);

    auto tree = plan_tree(*store, renewed->plan);
    ASSERT_TRUE(tree.ok());
    EXPECT_EQ(tree->plan.fields.value("status", ""), "draft");
    EXPECT_EQ(tree->plan.fields.value("previous", ""), plan);
    EXPECT_EQ(tree->plan.fields.value("goal", ""), "Every student reads on grade level");
    ASSERT_EQ(tree->objectives.size(), 2u);
    EXPECT_EQ(tree->objectives[0].row.fields.value("title", ""), "Tiered instruction");
    EXPECT_EQ(tree->objectives[1].row.fields.value("title", ""), "Late");
    ASSERT_EQ(tree->objectives[0].initiatives.size(), 1u);
    const auto& ini = tree->objectives[0].initiatives[0];
    EXPECT_EQ(ini.row.fields.value("title", ""), "Data meetings");
    EXPECT_EQ(ini.row.fields.value("owner", ""), "Math coach");
    EXPECT_EQ(ini.row.fields.value("status", ""), "in_progress");
    ASSERT_EQ(ini.benchmarks.size(), 2u);
    std::map<std::string, Json> by_measure;
    for (const auto& b : ini.benchmarks)
        by_measure[b.fields.value("measure", "")] = b.fields;
    const Json& prof = by_measure["Reading proficiency"];
    EXPECT_EQ(prof.value("baseline", 0.0), 62.0);
    EXPECT_EQ(prof.value("baseline_date", ""), "2027-05-01");
    EXPECT_EQ(prof.value("target", 0.0), 62.0); // met: starts at the baseline, to be raised
    EXPECT_EQ(prof.value("due", ""), "2028-06-15");
    const Json& absence = by_measure["Chronic absence"];
    EXPECT_EQ(absence.value("baseline", 0.0), 15.0);
    EXPECT_EQ(absence.value("target", 0.0), 10.0);
    EXPECT_EQ(absence.value("direction", ""), "lower");

    // The old plan is as it was, and still the one in effect this year and until the new one
    // is submitted.
    auto old_tree = plan_tree(*store, plan);
    ASSERT_TRUE(old_tree.ok());
    EXPECT_EQ(old_tree->objectives.size(), 3u);
    auto plans = plans_of_school(*store, org.school);
    ASSERT_TRUE(plans.ok());
    ASSERT_EQ(plans->size(), 2u);
    EXPECT_EQ(plans->front().id, renewed->plan); // newest first
    EXPECT_EQ(plan_in_effect(*plans, "2027-2028")->id, plan);
    auto held = benchmarks_in_effect(*store, "2027-2028");
    ASSERT_TRUE(held.ok());
    EXPECT_EQ(held->count(rising), 1u);
    EXPECT_EQ(held->size(), 3u);
    made(store->put(org.principal, {"plan", renewed->plan, "", {{"status", "submitted"}}}));
    plans = plans_of_school(*store, org.school);
    EXPECT_EQ(plan_in_effect(*plans, "2026-2027")->id, plan);
    EXPECT_EQ(plan_in_effect(*plans, "2027-2028")->id, renewed->plan);
    held = benchmarks_in_effect(*store, "2027-2028");
    ASSERT_TRUE(held.ok());
    EXPECT_EQ(held->size(), 2u);
    EXPECT_EQ(held->count(rising), 0u);

    // Once only.
    auto again = renew_plan(*store, org.principal, plan, "2027-06-21");
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("renewed already"), std::string::npos);
}

TEST_F(PlanCycle, SeveralWritesAreStoredTogetherOrNotAtAll) {
    write_plan();
    const std::int64_t before = *store->outbox_count();
    const std::string id = store->new_id();
    std::size_t refused = 99;
    auto batch =
        store->put_all(org.principal,
                       {{"objective", id, "", {{"plan", plan}, {"title", "New"}, {"practice", 2}}},
                        {"initiative", "", "", {{"objective", id}, {"title", "Under it"}}},
                        {"benchmark", "", "", {{"initiative", id}, {"measure", "Wrong parent"}}}},
                       &refused);
    ASSERT_FALSE(batch.ok());
    EXPECT_EQ(refused, 2u) << batch.error().message;
    EXPECT_EQ(batch.error().field, "initiative") << batch.error().message;
    EXPECT_FALSE(store->get("objective", id)->has_value());
    EXPECT_EQ(*store->outbox_count(), before);
    // A null request removes its row, with the rest.
    auto removed = store->put_all(org.principal, {{"benchmark", unread, "", nullptr},
                                                  {"initiative", dropped_initiative, "", nullptr}});
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    auto gone = store->get("benchmark", unread);
    ASSERT_TRUE(gone.ok());
    EXPECT_TRUE(!gone->has_value() || (*gone)->deleted);
    EXPECT_TRUE(store->list("initiative", "objective", kept_objective)->size() == 1u);
}

// A district's own plan, benchmarks and next steps, kept at the district (data schema 6): the
// district leader writes them there and nowhere else; the district's lead reads and makes next
// steps; a principal of one of its schools does not see them; what happens only at a school
// (a visit, evidence) is refused there in words.
TEST_F(PlanCycle, ADistrictKeepsItsOwnPlanAndNextSteps) {
    User leader;
    leader.id = "0190a000-0000-7000-8000-000000000008";
    leader.email = "district@example.org";
    leader.name = "Dora";
    leader.role = Role::DistrictLeader;
    leader.districts = {org.district};
    made(store->put(org.admin, {"user", leader.id, "", leader.to_fields()}));

    auto place = store->place_of_school(org.district);
    ASSERT_TRUE(place.ok()) << place.error().message;
    EXPECT_TRUE(place->district_level());
    EXPECT_EQ(place->region, org.region);

    // Only a district plan is kept at a district.
    auto sip = store->put(leader, {"plan",
                                   "",
                                   org.district,
                                   {{"kind", "sip"},
                                    {"title", "Harbor"},
                                    {"first_year", "2026-2027"},
                                    {"last_year", "2028-2029"}}});
    ASSERT_FALSE(sip.ok());
    EXPECT_EQ(sip.error().field, "kind") << sip.error().message;
    const std::string dplan = made(store->put(leader, {"plan",
                                                       "",
                                                       org.district,
                                                       {{"kind", "district"},
                                                        {"title", "Harbor district plan"},
                                                        {"first_year", "2026-2027"},
                                                        {"last_year", "2028-2029"},
                                                        {"status", "draft"}}}));
    const std::string objective = made(store->put(
        leader, {"objective", "", "", {{"plan", dplan}, {"title", "Coaches"}, {"practice", 1}}}));
    const std::string initiative = made(store->put(
        leader, {"initiative", "", "", {{"objective", objective}, {"title", "Hire coaches"}}}));
    const std::string benchmark = made(store->put(leader, {"benchmark",
                                                           "",
                                                           "",
                                                           {{"initiative", initiative},
                                                            {"type", "process"},
                                                            {"audience", "educators"},
                                                            {"measure", "Schools with a coach"},
                                                            {"baseline", 1},
                                                            {"baseline_date", "2026-09-01"},
                                                            {"target", 3},
                                                            {"due", "2027-06-01"},
                                                            {"cadence", "quarterly"},
                                                            {"direction", "higher"}}}));
    EXPECT_EQ(store->get("benchmark", benchmark)->value().school, org.district);
    made(store->put(
        leader,
        {"reading", "", "", {{"benchmark", benchmark}, {"date", "2026-11-20"}, {"value", 2}}}));
    // The district leader's own next step, and one the lead asks of them.
    made(store->put(leader, {"next_step",
                             "",
                             org.district,
                             {{"title", "Post the coach openings"},
                              {"owner", leader.id},
                              {"due_date", "2026-12-15"},
                              {"benchmark", benchmark}}}));
    const std::string asked = made(store->put(
        org.lead,
        {"next_step",
         "",
         org.district,
         {{"title", "Send the fall data"}, {"owner", leader.id}, {"due_date", "2026-12-01"}}}));
    made(store->put(leader, {"next_step", asked, "", {{"status", "done"}}}));
    made(store->put(org.lead, {"next_step", asked, "", {{"status", "verified"}}}));

    // A principal of one of the district's schools neither owns nor writes there.
    auto owned = store->put(
        org.lead,
        {"next_step",
         "",
         org.district,
         {{"title", "Principal's"}, {"owner", org.principal.id}, {"due_date", "2026-12-15"}}});
    ASSERT_FALSE(owned.ok());
    EXPECT_EQ(owned.error().field, "owner") << owned.error().message;
    auto principal =
        store->put(org.principal,
                   {"objective", "", "", {{"plan", dplan}, {"title", "Mine"}, {"practice", 2}}});
    ASSERT_FALSE(principal.ok());
    EXPECT_NE(principal.error().message.find("district " + org.district + " is outside the scope"),
              std::string::npos)
        << principal.error().message;
    EXPECT_FALSE(decide(org.principal, Access::Read, *find_entity("benchmark"), *place));
    EXPECT_TRUE(decide(org.lead, Access::Read, *find_entity("benchmark"), *place));
    EXPECT_TRUE(decide(org.director, Access::Read, *find_entity("next_step"), *place));

    // A visit and evidence happen at a school, never at the district.
    auto visit = store->put(
        org.lead, {"visit",
                   "",
                   org.district,
                   {{"kind", "monitoring"}, {"rubric", kRubric}, {"start_date", "2026-11-23"}}});
    ASSERT_FALSE(visit.ok());
    EXPECT_NE(visit.error().message.find("visit records belong to one of its schools"),
              std::string::npos)
        << visit.error().message;

    // At a school, the district leader still writes no plan.
    auto at_school = store->put(leader, {"plan",
                                         "",
                                         org.school,
                                         {{"kind", "sip"},
                                          {"title", "Lincoln"},
                                          {"first_year", "2026-2027"},
                                          {"last_year", "2028-2029"}}});
    ASSERT_FALSE(at_school.ok());
    EXPECT_EQ(at_school.error().message,
              "a district leader writes the district's own plan, not a school's; the school's "
              "principal or receiver does");

    // The district's plan in effect, and its history once submitted.
    made(store->put(leader, {"plan", dplan, "", {{"status", "submitted"}}}));
    made(store->put(leader, {"benchmark", benchmark, "", {{"target", 4}}}));
    EXPECT_EQ(rows("plan_revision", "plan", dplan).size(), 2u);
    auto plans = plans_of_school(*store, org.district);
    ASSERT_TRUE(plans.ok());
    const Row* in_effect = plan_in_effect(*plans, "2026-2027");
    ASSERT_NE(in_effect, nullptr);
    EXPECT_EQ(in_effect->id, dplan);
    auto held = benchmarks_in_effect(*store, "2026-2027");
    ASSERT_TRUE(held.ok());
    EXPECT_TRUE(held->count(benchmark));
}
