#include "sitevisit/core/benchmark_status.h"

#include "sitevisit/core/time_format.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace sitevisit {

const char* to_string(BenchmarkStatus s) {
    switch (s) {
    case BenchmarkStatus::NoData:
        return "no_data";
    case BenchmarkStatus::OnTrack:
        return "on_track";
    case BenchmarkStatus::AtRisk:
        return "at_risk";
    case BenchmarkStatus::OffTrack:
        return "off_track";
    case BenchmarkStatus::Met:
        return "met";
    case BenchmarkStatus::NotMet:
        return "not_met";
    }
    return "no_data";
}

const char* label(BenchmarkStatus s) {
    switch (s) {
    case BenchmarkStatus::NoData:
        return "No readings yet";
    case BenchmarkStatus::OnTrack:
        return "On track";
    case BenchmarkStatus::AtRisk:
        return "At risk";
    case BenchmarkStatus::OffTrack:
        return "Off track";
    case BenchmarkStatus::Met:
        return "Met";
    case BenchmarkStatus::NotMet:
        return "Not met";
    }
    return "";
}

std::optional<Cadence> parse_cadence(std::string_view t) {
    if (t == "daily") return Cadence::Daily;
    if (t == "weekly") return Cadence::Weekly;
    if (t == "monthly") return Cadence::Monthly;
    if (t == "quarterly") return Cadence::Quarterly;
    if (t == "annual") return Cadence::Annual;
    return std::nullopt;
}

int cadence_slack_days(Cadence c) {
    switch (c) {
    case Cadence::Daily:
        return 2; // a weekend
    case Cadence::Weekly:
        return 3;
    case Cadence::Monthly:
        return 7;
    case Cadence::Quarterly:
        return 14;
    case Cadence::Annual:
        return 30;
    }
    return 7;
}

CadenceReport cadence_kept(const BenchmarkLine& line, const std::vector<std::int64_t>& checkins,
                           std::int64_t today) {
    CadenceReport out;
    const std::int64_t until = std::min(today, line.due_day);
    for (std::int64_t day : checkins)
        if (day <= until && day >= line.baseline_day && (!out.last || day > *out.last))
            out.last = day;
    const std::int64_t from = out.last ? *out.last : line.baseline_day;
    out.next_due = from + cadence_days(line.cadence) + cadence_slack_days(line.cadence);
    if (until > out.next_due) {
        out.kept = false;
        out.behind = out.next_due + 1;
    }
    return out;
}

int cadence_days(Cadence c) {
    switch (c) {
    case Cadence::Daily:
        return 1;
    case Cadence::Weekly:
        return 7;
    case Cadence::Monthly:
        return 31;
    case Cadence::Quarterly:
        return 92;
    case Cadence::Annual:
        return 366;
    }
    return 31;
}

double BenchmarkLine::progress(double value) const {
    if (target == baseline) return meets_target(value) ? 1.0 : 0.0;
    return (value - baseline) / (target - baseline);
}

double BenchmarkLine::expected(std::int64_t day) const {
    if (due_day <= baseline_day) return 1.0;
    double share =
        static_cast<double>(day - baseline_day) / static_cast<double>(due_day - baseline_day);
    return std::clamp(share, 0.0, 1.0);
}

namespace {

std::string pct(double share) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", share * 100.0);
    return buf;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string lower_first(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

} // namespace

StatusReport derive_status(const BenchmarkLine& line, const std::vector<ReadingPoint>& readings,
                           std::int64_t today) {
    StatusReport report;
    // Two missed readings in a row make a benchmark at risk whatever its last value said.
    const std::int64_t stale_after = 2LL * cadence_days(line.cadence);

    for (const auto& r : readings)
        if (!report.latest || r.day >= report.latest->day) report.latest = r;

    if (!report.latest) {
        if (today > line.due_day) {
            report.status = BenchmarkStatus::NotMet;
            report.reason = "Due " + format_date_days(line.due_day) + " with no reading recorded.";
        } else if (today - line.baseline_day > stale_after) {
            report.status = BenchmarkStatus::AtRisk;
            report.reason =
                "No reading since the baseline on " + format_date_days(line.baseline_day) + ".";
        } else {
            report.status = BenchmarkStatus::NoData;
            report.reason = "No readings yet.";
        }
        return report;
    }

    const ReadingPoint& last = *report.latest;
    report.actual = line.progress(last.value);
    report.expected = line.expected(last.day);
    const std::string seen =
        "Latest reading " + num(last.value) + " on " + format_date_days(last.day);

    if (line.meets_target(last.value)) {
        // Met is said at the due date; before it, reaching the target is being on track.
        if (today >= line.due_day) {
            report.status = BenchmarkStatus::Met;
            report.reason = seen + " meets the target of " + num(line.target) + ".";
            return report;
        }
        report.status = BenchmarkStatus::OnTrack;
        report.reason = "Target reached: " + lower_first(seen) + " meets the target of " +
                        num(line.target) + ", due " + format_date_days(line.due_day) + ".";
        if (today - last.day > stale_after) {
            report.status = BenchmarkStatus::AtRisk;
            report.reason = seen + " is out of date: a reading was expected every " +
                            std::to_string(cadence_days(line.cadence)) + " days.";
        }
        return report;
    }
    if (today > line.due_day) {
        report.status = BenchmarkStatus::NotMet;
        report.reason = seen + " fell short of the target of " + num(line.target) + " due " +
                        format_date_days(line.due_day) + ".";
        return report;
    }
    const double gap = report.expected - report.actual;
    report.reason = seen + " is " + pct(report.actual) + " of the way to the target; " +
                    pct(report.expected) + " of the way was expected by then.";
    if (gap <= kOnTrackSlack)
        report.status = BenchmarkStatus::OnTrack;
    else if (gap <= kAtRiskSlack)
        report.status = BenchmarkStatus::AtRisk;
    else
        report.status = BenchmarkStatus::OffTrack;

    if (report.status == BenchmarkStatus::OnTrack && today - last.day > stale_after) {
        report.status = BenchmarkStatus::AtRisk;
        report.reason = seen + " is out of date: a reading was expected every " +
                        std::to_string(cadence_days(line.cadence)) + " days.";
    }
    return report;
}

} // namespace sitevisit
