// The region view: a director's region rolled up by district and by lead, from a real store.
#include "fixtures.h"
#include "sitevisit/core/csv_export.h"
#include "sitevisit/core/region_rollup.h"

#include <gtest/gtest.h>

using namespace sitevisit;
using namespace sitevisit::testing;

namespace {

struct Region : ::testing::Test {
    TempDir dir;
    ManualClock clock{kNov2026};
    Org org;
    std::unique_ptr<Store> store;
    const std::string far_region = "0190a000-0000-7000-8000-0000000000a2";
    const std::string far_district = "0190a000-0000-7000-8000-0000000000d3";

    void must(Result<WriteResult> r) { ASSERT_TRUE(r.ok()) << r.error().message; }
    std::string made(Result<WriteResult> r) {
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? r->id : std::string();
    }

    void SetUp() override {
        store = open_store(dir, clock);
        ASSERT_TRUE(store);
        seed_org(*store, org);
        must(store->put(org.admin, {"region", far_region, "", {{"name", "West"}, {"code", "W"}}}));
        must(store->put(org.admin,
                        {"district",
                         far_district,
                         "",
                         {{"region", far_region}, {"code", "00370000"}, {"name", "Pine"}}}));
        org.other_lead.districts = {org.other_district, far_district};
        for (const User* u : {&org.lead, &org.other_lead, &org.principal, &org.receiver})
            must(store->put(org.admin, {"user", u->id, "", u->to_fields()}));
    }

    std::string visit(const std::string& school, const std::string& date, bool submit) {
        const std::string v = made(store->put(org.admin, {"visit",
                                                          "",
                                                          school,
                                                          {{"kind", "monitoring"},
                                                           {"rubric", kRubric},
                                                           {"start_date", date},
                                                           {"team", {org.lead.id}}}}));
        must(
            store->put(org.admin, {"observation",
                                   "",
                                   "",
                                   {{"visit", v}, {"indicator", indicator(1, 1)}, {"rating", 2}}}));
        if (submit) must(store->put(org.admin, {"visit", v, "", {{"status", "submitted"}}}));
        return v;
    }
};

} // namespace

TEST_F(Region, ADirectorsRegionRollsUpByDistrictAndByLead) {
    // Lincoln (Harbor): one benchmark on track, two visits done this quarter, a draft, one done
    // last quarter, one overdue step and one done. Adams (Bayside): nothing yet.
    const std::string plan = made(store->put(org.receiver, {"plan",
                                                            "",
                                                            org.school,
                                                            {{"kind", "turnaround"},
                                                             {"title", "P"},
                                                             {"first_year", "2026-2027"},
                                                             {"last_year", "2028-2029"}}}));
    const std::string objective = made(store->put(
        org.receiver, {"objective", "", "", {{"plan", plan}, {"title", "O"}, {"practice", 2}}}));
    const std::string initiative = made(store->put(
        org.receiver, {"initiative", "", "", {{"objective", objective}, {"title", "I"}}}));
    const std::string bm = made(store->put(org.receiver, {"benchmark",
                                                          "",
                                                          "",
                                                          {{"initiative", initiative},
                                                           {"type", "outcome"},
                                                           {"audience", "students"},
                                                           {"measure", "ELA"},
                                                           {"baseline", 30},
                                                           {"baseline_date", "2026-09-01"},
                                                           {"target", 50},
                                                           {"due", "2027-06-01"},
                                                           {"cadence", "monthly"}}}));
    // 6 of 20 points by Nov 1 (0.30), where the line expects 61 of 273 days (0.22): on track.
    must(store->put(
        org.principal,
        {"reading", "", "", {{"benchmark", bm}, {"date", "2026-11-01"}, {"value", 36}}}));
    visit(org.school, "2026-10-05", true);
    visit(org.school, "2026-11-20", true);
    visit(org.school, "2026-11-24", false);
    visit(org.school, "2026-09-28", true);
    for (const char* due : {"2026-11-01", "2026-12-15"})
        must(store->put(org.lead, {"next_step",
                                   "",
                                   org.school,
                                   {{"title", "Share the attendance list"},
                                    {"owner", org.principal.id},
                                    {"due_date", due}}}));
    const std::string finished = made(store->put(org.lead, {"next_step",
                                                            "",
                                                            org.school,
                                                            {{"title", "Post the schedule"},
                                                             {"owner", org.principal.id},
                                                             {"due_date", "2026-10-01"}}}));
    must(store->put(org.principal, {"next_step", finished, "", {{"status", "done"}}}));
    // Harbor's own next step, overdue: the district's line and its lead's count it, not as a
    // school.
    must(store->put(org.lead, {"next_step",
                               "",
                               org.district,
                               {{"title", "Send every school its screening data"},
                                {"owner", org.lead.id},
                                {"due_date", "2026-11-10"}}}));
    // Next year's draft plan, with a benchmark of its own: not counted until it is in effect.
    const std::string next = made(store->put(org.receiver, {"plan",
                                                            "",
                                                            org.school,
                                                            {{"kind", "turnaround"},
                                                             {"title", "P 2027"},
                                                             {"first_year", "2027-2028"},
                                                             {"last_year", "2029-2030"},
                                                             {"status", "draft"}}}));
    const std::string next_objective = made(store->put(
        org.receiver, {"objective", "", "", {{"plan", next}, {"title", "O"}, {"practice", 2}}}));
    const std::string next_initiative = made(store->put(
        org.receiver, {"initiative", "", "", {{"objective", next_objective}, {"title", "I"}}}));
    must(store->put(org.receiver, {"benchmark",
                                   "",
                                   "",
                                   {{"initiative", next_initiative},
                                    {"type", "outcome"},
                                    {"audience", "students"},
                                    {"measure", "ELA next year"},
                                    {"baseline", 40},
                                    {"baseline_date", "2027-09-01"},
                                    {"target", 60},
                                    {"due", "2028-06-01"},
                                    {"cadence", "monthly"}}}));

    auto r = region_rollup(*store, org.director, "2026-11-23");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->region_name, "Coastal");
    EXPECT_EQ(r->quarter, "2026 Q4");
    EXPECT_EQ(r->quarter_start, "2026-10-01");
    EXPECT_EQ(r->quarter_end, "2026-12-31");
    ASSERT_EQ(r->districts.size(), 2u); // Pine is of another region
    const RollupLine& bayside = r->districts[0];
    const RollupLine& harbor = r->districts[1];
    EXPECT_EQ(bayside.name, "Bayside");
    EXPECT_EQ(bayside.schools, 1);
    EXPECT_EQ(bayside.visits_done, 0);
    EXPECT_EQ(bayside.with, std::vector<std::string>{"lead2"});
    EXPECT_EQ(harbor.name, "Harbor");
    EXPECT_EQ(harbor.schools, 1);
    EXPECT_EQ(harbor.benchmarks[static_cast<int>(BenchmarkStatus::OnTrack)], 1);
    EXPECT_EQ(harbor.benchmarks[static_cast<int>(BenchmarkStatus::NoData)], 0);
    EXPECT_EQ(harbor.visits_done, 2);
    EXPECT_EQ(harbor.schools_visited, 1);
    EXPECT_EQ(harbor.overdue_steps, 2);
    EXPECT_EQ(harbor.with, std::vector<std::string>{"lead"});

    ASSERT_EQ(r->leads.size(), 2u);
    const RollupLine& lena = r->leads[0];
    const RollupLine& leo = r->leads[1];
    EXPECT_EQ(lena.name, "lead");
    EXPECT_EQ(lena.visits_done, 2);
    EXPECT_EQ(lena.overdue_steps, 2);
    EXPECT_EQ(lena.schools, 1);
    EXPECT_EQ(leo.name, "lead2");
    EXPECT_EQ(leo.with, (std::vector<std::string>{"Bayside", "Pine"}));
    EXPECT_EQ(leo.schools, 1); // Adams; Pine's schools are another director's to count
    EXPECT_EQ(leo.visits_done, 0);

    auto csv = rollup_csv(*r, "leads");
    ASSERT_TRUE(csv.ok());
    EXPECT_EQ(csv->substr(0, csv->find("\r\n")),
              "lead,districts,schools,benchmarks No readings yet,benchmarks On track,benchmarks At "
              "risk,benchmarks Off track,benchmarks Met,benchmarks Not met,visits done,schools "
              "visited,overdue next steps,quarter");
    EXPECT_NE(csv->find("\r\nlead2,Bayside; Pine,1,0,0,0,0,0,0,0,0,0,2026 Q4\r\n"),
              std::string::npos)
        << *csv;
    EXPECT_NE(rollup_csv(*r, "districts")->find("\r\nHarbor,lead,1,0,1,0,0,0,0,2,1,2,2026 Q4\r\n"),
              std::string::npos);
    EXPECT_FALSE(rollup_csv(*r, "schools").ok());
    const Json j = rollup_json(*r);
    EXPECT_EQ(j["districts"][1]["benchmarks"]["on_track"], 1);
    EXPECT_EQ(j["leads"][1]["with"], Json({"Bayside", "Pine"}));

    // An admin sees every region; others are refused.
    auto all = region_rollup(*store, org.admin, "2026-11-23");
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->districts.size(), 3u);
    EXPECT_EQ(all->leads[1].schools, 1); // Pine has no school yet
    EXPECT_EQ(region_rollup(*store, org.lead, "2026-11-23").error().code, ErrorCode::Forbidden);
    EXPECT_FALSE(region_rollup(*store, org.director, "yesterday").ok());
    // The quarter follows the date.
    EXPECT_EQ(region_rollup(*store, org.director, "2026-09-30")->districts[1].visits_done, 1);
}
