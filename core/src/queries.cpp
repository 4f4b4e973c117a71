#include "sitevisit/core/queries.h"

#include "sitevisit/core/time_format.h"

namespace sitevisit {

Result<BenchmarkLine> benchmark_line(const Json& f) {
    BenchmarkLine line;
    auto base_day = parse_date_days(f.value("baseline_date", ""));
    auto due_day = parse_date_days(f.value("due", ""));
    auto cadence = parse_cadence(f.value("cadence", ""));
    if (!f.contains("baseline") || !f["baseline"].is_number() || !f.contains("target") ||
        !f["target"].is_number() || !base_day || !due_day || !cadence)
        return invalid("benchmark needs baseline, target, baseline_date, due and cadence");
    line.baseline = f["baseline"].get<double>();
    line.target = f["target"].get<double>();
    line.baseline_day = *base_day;
    line.due_day = *due_day;
    line.cadence = *cadence;
    if (f.contains("direction") && f["direction"].is_string())
        line.direction = parse_direction(f["direction"].get<std::string>());
    return line;
}

Result<StatusReport> benchmark_status(const Store& store, std::string_view benchmark_id,
                                      std::int64_t today) {
    auto row = store.get("benchmark", benchmark_id);
    if (!row) return row.error();
    if (!*row || (*row)->deleted)
        return Error{ErrorCode::NotFound,
                     "benchmark " + std::string(benchmark_id) + " is not on this device"};
    auto line = benchmark_line((*row)->fields);
    if (!line) return line.error();
    auto readings = store.list("reading", "benchmark", std::string(benchmark_id));
    if (!readings) return readings.error();
    std::vector<ReadingPoint> points;
    for (const auto& r : *readings) {
        auto day = parse_date_days(r.fields.value("date", ""));
        if (day && r.fields.contains("value"))
            points.push_back({*day, r.fields["value"].get<double>()});
    }
    return derive_status(*line, points, today);
}

Result<CadenceReport> benchmark_cadence(const Store& store, std::string_view benchmark_id,
                                        std::int64_t today) {
    auto row = store.get("benchmark", benchmark_id);
    if (!row) return row.error();
    if (!*row || (*row)->deleted)
        return Error{ErrorCode::NotFound,
                     "benchmark " + std::string(benchmark_id) + " is not on this device"};
    auto line = benchmark_line((*row)->fields);
    if (!line) return line.error();
    std::vector<std::int64_t> days;
    auto readings = store.list("reading", "benchmark", std::string(benchmark_id));
    if (!readings) return readings.error();
    for (const auto& r : *readings)
        if (auto day = parse_date_days(r.fields.value("date", "")); day && !r.deleted)
            days.push_back(*day);
    auto meetings = store.list("monitoring_meeting", "school", (*row)->school);
    if (!meetings) return meetings.error();
    for (const auto& m : *meetings) {
        if (m.deleted) continue;
        bool reviewed = false;
        for (const auto& b : m.fields.value("benchmarks", Json::array()))
            if (b.is_string() && b.get<std::string>() == benchmark_id) reviewed = true;
        if (auto day = parse_date_days(m.fields.value("date", "")); day && reviewed)
            days.push_back(*day);
    }
    return cadence_kept(*line, days, today);
}

} // namespace sitevisit
