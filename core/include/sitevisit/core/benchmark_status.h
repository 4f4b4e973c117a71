#pragma once

#include "sitevisit/core/values.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sitevisit {

// Derived, never typed: see docs/benchmark-status.md for the rule.
enum class BenchmarkStatus { NoData, OnTrack, AtRisk, OffTrack, Met, NotMet };
const char* to_string(BenchmarkStatus status);
const char* label(BenchmarkStatus status);

enum class Cadence { Daily, Weekly, Monthly, Quarterly, Annual };
std::optional<Cadence> parse_cadence(std::string_view text);
int cadence_days(Cadence cadence);

struct BenchmarkLine {
    double baseline = 0;
    double target = 0;
    std::int64_t baseline_day = 0; // days since 1970-01-01
    std::int64_t due_day = 0;
    Cadence cadence = Cadence::Monthly;
    // Which way is better, as the benchmark says; rows written before it was asked: a target
    // below the baseline means lower is better.
    std::optional<Direction> direction;

    bool lower_is_better() const {
        return direction ? *direction == Direction::Lower : target < baseline;
    }
    bool meets_target(double value) const {
        return lower_is_better() ? value <= target : value >= target;
    }
    // Share of the way from baseline to target that `value` has come (can be < 0 or > 1).
    double progress(double value) const;
    // Share of the way expected by `day` on the straight line from baseline to target.
    double expected(std::int64_t day) const;
};

struct ReadingPoint {
    std::int64_t day = 0;
    double value = 0;
};

struct StatusReport {
    BenchmarkStatus status = BenchmarkStatus::NoData;
    std::optional<ReadingPoint> latest;
    double actual = 0;   // progress of the latest reading
    double expected = 0; // progress the line expects by that reading's date
    std::string reason;  // one sentence for the screen
};

// Readings in any order; the one with the latest date counts (the last given wins a tie).
StatusReport derive_status(const BenchmarkLine& line, const std::vector<ReadingPoint>& readings,
                           std::int64_t today);

// The monitoring rhythm: a benchmark's cadence is kept while a reading of it, or a monitoring
// meeting that reviewed it, comes at least once a cadence period, counted from the baseline date,
// with a little slack (cadence_slack_days). Checked up to the benchmark's due date.
struct CadenceReport {
    bool kept = true;
    std::optional<std::int64_t> last;   // the latest check-in (reading or meeting) by then
    std::int64_t next_due = 0;          // the last day the next check-in is on time
    std::optional<std::int64_t> behind; // not kept: the first day it was late
};
int cadence_slack_days(Cadence cadence);
CadenceReport cadence_kept(const BenchmarkLine& line, const std::vector<std::int64_t>& checkins,
                           std::int64_t today);

// Thresholds of the rule, in shares of the whole way from baseline to target.
constexpr double kOnTrackSlack = 0.10;
constexpr double kAtRiskSlack = 0.25;

} // namespace sitevisit
