#include "fixtures.h"
#include "sitevisit/core/benchmark_status.h"
#include "sitevisit/core/time_format.h"

using namespace sitevisit;

namespace {

std::int64_t day(const char* d) {
    return *parse_date_days(d);
}

// ELA proficiency 30% -> 50% over Sept 1 to June 1 (273 days), monthly readings.
BenchmarkLine rising() {
    return {30, 50, day("2026-09-01"), day("2027-06-01"), Cadence::Monthly};
}
// Chronic absenteeism 28% -> 18%: lower is better.
BenchmarkLine falling() {
    return {28, 18, day("2026-09-01"), day("2027-06-01"), Cadence::Monthly};
}

} // namespace

TEST(BenchmarkStatus, NoReadings) {
    auto r = derive_status(rising(), {}, day("2026-09-20"));
    EXPECT_EQ(r.status, BenchmarkStatus::NoData);
    EXPECT_EQ(derive_status(rising(), {}, day("2026-11-10")).status,
              BenchmarkStatus::AtRisk); // > 2 months
    auto late = derive_status(rising(), {}, day("2027-06-02"));
    EXPECT_EQ(late.status, BenchmarkStatus::NotMet);
    EXPECT_EQ(late.reason, "Due 2027-06-01 with no reading recorded.");
}

TEST(BenchmarkStatus, FollowsTheLineFromBaselineToTarget) {
    // Jan 1 is 122 of 273 days in: 45% of the way expected, i.e. 38.9%.
    auto on = derive_status(rising(), {{day("2027-01-01"), 38.5}}, day("2027-01-05"));
    EXPECT_EQ(on.status, BenchmarkStatus::OnTrack) << on.reason;
    EXPECT_NEAR(on.expected, 122.0 / 273.0, 1e-9);
    EXPECT_NEAR(on.actual, 0.425, 1e-9);
    EXPECT_EQ(derive_status(rising(), {{day("2027-01-01"), 35.5}}, day("2027-01-05")).status,
              BenchmarkStatus::AtRisk);
    auto off = derive_status(rising(), {{day("2027-01-01"), 31}}, day("2027-01-05"));
    EXPECT_EQ(off.status, BenchmarkStatus::OffTrack);
    EXPECT_EQ(off.reason, "Latest reading 31 on 2027-01-01 is 5% of the way to the target; 45% of "
                          "the way was expected by then.");
}

TEST(BenchmarkStatus, TheLatestReadingCountsWhateverTheOrder) {
    std::vector<ReadingPoint> readings{{day("2027-01-01"), 39}, {day("2026-10-01"), 20}};
    EXPECT_EQ(derive_status(rising(), readings, day("2027-01-05")).status,
              BenchmarkStatus::OnTrack);
    std::vector<ReadingPoint> corrected{{day("2027-01-01"), 39}, {day("2027-01-01"), 31}};
    EXPECT_EQ(derive_status(rising(), corrected, day("2027-01-05")).status,
              BenchmarkStatus::OffTrack);
}

TEST(BenchmarkStatus, TargetReachedEarlyIsOnTrackMetAtTheDueDate) {
    // "Met" in November for a June target said too much: it is on track, target reached.
    auto early = derive_status(rising(), {{day("2026-11-01"), 51}}, day("2026-11-20"));
    EXPECT_EQ(early.status, BenchmarkStatus::OnTrack);
    EXPECT_EQ(early.reason, "Target reached: latest reading 51 on 2026-11-01 meets the target of "
                            "50, due 2027-06-01.");
    // Reached but nobody measured since: at risk, as any stale reading.
    EXPECT_EQ(derive_status(rising(), {{day("2026-11-01"), 51}}, day("2027-02-01")).status,
              BenchmarkStatus::AtRisk);
    // On the due date and after it: met.
    auto met = derive_status(rising(), {{day("2027-05-20"), 51}}, day("2027-06-01"));
    EXPECT_EQ(met.status, BenchmarkStatus::Met);
    EXPECT_EQ(met.reason, "Latest reading 51 on 2027-05-20 meets the target of 50.");
    EXPECT_EQ(derive_status(rising(), {{day("2027-05-20"), 51}}, day("2027-06-10")).status,
              BenchmarkStatus::Met);
}

TEST(BenchmarkStatus, TheDirectionSaysWhichWayIsBetter) {
    // Holding chronic absenteeism at or below 12%: the numbers alone cannot say lower.
    BenchmarkLine hold{12, 12, day("2026-09-01"), day("2027-06-01"), Cadence::Monthly};
    hold.direction = Direction::Lower;
    EXPECT_TRUE(hold.lower_is_better());
    EXPECT_EQ(derive_status(hold, {{day("2027-06-01"), 10}}, day("2027-06-02")).status,
              BenchmarkStatus::Met);
    EXPECT_EQ(derive_status(hold, {{day("2027-06-01"), 14}}, day("2027-06-02")).status,
              BenchmarkStatus::NotMet);
    hold.direction = Direction::Higher;
    EXPECT_EQ(derive_status(hold, {{day("2027-06-01"), 10}}, day("2027-06-02")).status,
              BenchmarkStatus::NotMet);
}

TEST(BenchmarkStatus, MetAtTheDueDateAndNotMetPastIt) {
    auto due = derive_status(rising(), {{day("2027-05-30"), 48}}, day("2027-06-02"));
    EXPECT_EQ(due.status, BenchmarkStatus::NotMet);
    // Before the due date the same reading is only at risk / on track.
    EXPECT_EQ(derive_status(rising(), {{day("2027-05-30"), 48}}, day("2027-05-31")).status,
              BenchmarkStatus::OnTrack);
}

TEST(BenchmarkStatus, LowerIsBetterForChronicAbsenteeism) {
    EXPECT_TRUE(falling().lower_is_better());
    // Jan 1: 45% of the 10-point drop expected, i.e. 23.5%.
    EXPECT_EQ(derive_status(falling(), {{day("2027-01-01"), 23.8}}, day("2027-01-05")).status,
              BenchmarkStatus::OnTrack);
    EXPECT_EQ(derive_status(falling(), {{day("2027-01-01"), 26.0}}, day("2027-01-05")).status,
              BenchmarkStatus::AtRisk);
    EXPECT_EQ(derive_status(falling(), {{day("2027-01-01"), 29.0}}, day("2027-01-05")).status,
              BenchmarkStatus::OffTrack);
    EXPECT_EQ(derive_status(falling(), {{day("2027-01-01"), 17.5}}, day("2027-01-05")).status,
              BenchmarkStatus::OnTrack);
    EXPECT_EQ(derive_status(falling(), {{day("2027-06-01"), 17.5}}, day("2027-06-01")).status,
              BenchmarkStatus::Met);
    EXPECT_EQ(derive_status(falling(), {{day("2027-06-01"), 18.5}}, day("2027-06-02")).status,
              BenchmarkStatus::NotMet);
}

TEST(BenchmarkStatus, AStaleReadingIsAtRisk) {
    auto r = derive_status(rising(), {{day("2026-10-01"), 33}}, day("2026-12-15"));
    EXPECT_EQ(r.status, BenchmarkStatus::AtRisk);
    EXPECT_EQ(
        r.reason,
        "Latest reading 33 on 2026-10-01 is out of date: a reading was expected every 31 days.");
}

TEST(BenchmarkStatus, ATargetEqualToTheBaselineMeansHoldTheLine) {
    BenchmarkLine hold{95, 95, day("2026-09-01"), day("2027-06-01"), Cadence::Quarterly};
    EXPECT_EQ(derive_status(hold, {{day("2026-12-01"), 96}}, day("2026-12-02")).status,
              BenchmarkStatus::OnTrack);
    EXPECT_EQ(derive_status(hold, {{day("2026-12-01"), 90}}, day("2026-12-02")).status,
              BenchmarkStatus::OffTrack);
}

// The monitoring rhythm: a check-in (reading or meeting) at least once a cadence period from
// the baseline date, with the cadence's slack, up to the due date.
TEST(Cadence, KeptWhileCheckInsComeOnTimeAndBehindFromTheFirstLateDay) {
    BenchmarkLine line;
    line.baseline_day = *parse_date_days("2026-09-01");
    line.due_day = *parse_date_days("2027-06-01");
    line.cadence = Cadence::Monthly; // 31 days and 7 of slack: 38
    const std::int64_t b = line.baseline_day;
    EXPECT_EQ(cadence_slack_days(Cadence::Monthly), 7);
    // Nothing yet: on time until the baseline date plus 38 days.
    auto fresh = cadence_kept(line, {}, b + 38);
    EXPECT_TRUE(fresh.kept);
    EXPECT_EQ(fresh.next_due, b + 38);
    EXPECT_FALSE(fresh.last);
    auto late = cadence_kept(line, {}, b + 39);
    EXPECT_FALSE(late.kept);
    EXPECT_EQ(*late.behind, b + 39);
    // A check-in on day 30 moves the next to day 68; one after today or before the baseline
    // does not count.
    auto kept = cadence_kept(line, {b + 30, b + 90, b - 5}, b + 60);
    EXPECT_TRUE(kept.kept);
    EXPECT_EQ(*kept.last, b + 30);
    EXPECT_EQ(kept.next_due, b + 68);
    auto behind = cadence_kept(line, {b + 30, b - 5}, b + 80);
    EXPECT_FALSE(behind.kept);
    EXPECT_EQ(*behind.behind, b + 69);
    // Past the due date the rhythm is judged at the due date.
    line.due_day = b + 100;
    EXPECT_TRUE(cadence_kept(line, {b + 70}, b + 400).kept);
    EXPECT_FALSE(cadence_kept(line, {b + 60}, b + 400).kept);
    // Daily: two days of slack for a weekend.
    line.cadence = Cadence::Daily;
    line.due_day = b + 1000;
    EXPECT_TRUE(cadence_kept(line, {b + 10}, b + 13).kept);
    EXPECT_EQ(*cadence_kept(line, {b + 10}, b + 14).behind, b + 14);
}
